//! kiosk-core's CURP rules against an independent validator: `python-stdnum`'s
//! `stdnum.mx.curp`. `scripts/test` installs it into `.venv`; without it this test fails and
//! says how to get it (it never skips).
//!
//! stdnum predates the non-binary `X` (2023) and does not check that positions 14-16 are
//! consonants; both differences are asserted here rather than hidden.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use kiosk_core::curp::{Curp, CurpError, Sex, strategy};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// How many generated CURPs are compared.
const GENERATED: usize = 10_000;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("KIOSK_PEER_PYTHON") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python")
}

/// stdnum's verdict on each CURP, in order.
fn stdnum_verdicts(curps: &[String]) -> Vec<bool> {
    let py = python();
    let script = "import sys\nfrom stdnum.mx import curp\nfor line in sys.stdin:\n    print(1 if curp.is_valid(line.rstrip('\\n')) else 0)\n";
    let mut child = Command::new(&py)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "the peer python-stdnum is missing ({}: {e}). Run scripts/test, which installs it into .venv, \
                 or point KIOSK_PEER_PYTHON at a python that has it.",
                py.display()
            )
        });
    let mut stdin = child.stdin.take().unwrap();
    let input = curps.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "python-stdnum failed (run scripts/test to install it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<bool> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "1")
        .collect();
    assert_eq!(
        verdicts.len(),
        curps.len(),
        "stdnum answered a different number of lines"
    );
    verdicts
}

fn generate<S: Strategy>(strategy: S, count: usize, seed: u8) -> Vec<S::Value> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn hm_sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

#[test]
fn stdnum_agrees_on_ten_thousand_generated_curps_with_sex_h_or_m() {
    let curps = generate(strategy::valid_curp_with(hm_sex()), GENERATED, 7);
    let verdicts = stdnum_verdicts(&curps);
    let disagreements: Vec<&String> = curps
        .iter()
        .zip(&verdicts)
        .filter(|(c, stdnum)| Curp::parse(c).is_ok() != **stdnum)
        .map(|(c, _)| c)
        .collect();
    assert!(curps.iter().all(|c| Curp::parse(c).is_ok()));
    assert!(
        disagreements.is_empty(),
        "{} disagreements, e.g. {:?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(5)]
    );
}

#[test]
fn stdnum_agrees_on_every_kind_of_rejection_it_knows() {
    let base = generate(strategy::valid_curp_with(hm_sex()), 2_000, 11);
    let mut broken = Vec::new();
    for c in &base {
        let mut check = c.clone();
        let last = check.pop().unwrap();
        check.push(if last == '9' { '0' } else { char::from(last as u8 + 1) });
        broken.push(check); // check digit
        broken.push(format!("{}13{}", &c[..6], &c[8..])); // month 13
        broken.push(format!("{}XX{}", &c[..11], &c[13..])); // no such state
        broken.push(format!("BUEY{}", &c[4..])); // uncensored inconvenient word
        broken.push(c[..17].to_owned()); // length
        broken.push(format!("{}Z{}", &c[..10], &c[11..])); // sex
    }
    let verdicts = stdnum_verdicts(&broken);
    for (c, stdnum) in broken.iter().zip(verdicts) {
        let ours = Curp::parse(c);
        // A changed check digit or state may, by chance, leave the digit right: then both must
        // still reject for the other reason, or both accept.
        assert_eq!(ours.is_ok(), stdnum, "{c}: ours {ours:?}, stdnum {stdnum}");
    }
}

#[test]
fn on_random_one_character_corruptions_we_differ_from_stdnum_only_by_the_consonant_rule() {
    let base = generate(strategy::valid_curp_with(hm_sex()), 5_000, 23);
    let corruptions = generate(
        (
            0usize..18,
            proptest::sample::select("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars().collect::<Vec<_>>()),
        ),
        5_000,
        29,
    );
    let corrupted: Vec<String> = base
        .iter()
        .zip(&corruptions)
        .map(|(c, (i, r))| {
            c.chars()
                .enumerate()
                .map(|(j, ch)| if j == *i { *r } else { ch })
                .collect()
        })
        .collect();
    let verdicts = stdnum_verdicts(&corrupted);
    for (c, stdnum) in corrupted.iter().zip(verdicts) {
        match Curp::parse(c) {
            // stdnum does not know the non-binary X.
            Ok(curp) if curp.sex() == Sex::NonBinary => assert!(!stdnum, "{c}"),
            Ok(_) => assert!(stdnum, "{c}: we accept, stdnum rejects"),
            // stdnum does not require consonants in positions 14-16.
            Err(CurpError::Characters { position: 14..=16, .. }) => {}
            Err(e) => assert!(!stdnum, "{c}: we reject ({e:?}), stdnum accepts"),
        }
    }
}

#[test]
fn we_accept_non_binary_x_which_stdnum_does_not_know() {
    let curps = generate(strategy::valid_curp_with(Just(Sex::NonBinary)), 200, 31);
    let verdicts = stdnum_verdicts(&curps);
    for (c, stdnum) in curps.iter().zip(verdicts) {
        assert_eq!(Curp::parse(c).map(|c| c.sex()), Ok(Sex::NonBinary), "{c}");
        assert!(!stdnum, "{c}: stdnum learnt X; drop this difference from the docs");
    }
}

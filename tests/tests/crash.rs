//! A kiosk killed with SIGKILL at random points of confirming, 100 times, then restarted:
//! every booking it started is on the server exactly once, its store agrees, and the database
//! passes `PRAGMA integrity_check`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use kiosk_sim::faults::FaultConfig;
use kiosk_store::Store;
use kiosk_tests::Central;
use rand::Rng;

const SLOTS: usize = 40;
const KILLS: usize = 100;

fn kiosk(central_url: &str, dir: &std::path::Path, token: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk-confirm"));
    c.args(["--server", central_url, "--enrolment-token", token])
        .arg("--db")
        .arg(dir.join("kiosk.db"))
        .arg("--slots")
        .arg(dir.join("slots.txt"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

#[test]
fn killing_the_kiosk_while_confirming_never_loses_or_doubles_a_booking() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Answers leave 20 ms after the server committed: a kill right after "confirming" lands
    // in that window, as a power cut between the server's commit and the kiosk's would.
    let central = rt.block_on(Central::start(FaultConfig {
        answer_delay_ms: 20,
        ..FaultConfig::default()
    }));
    let dir = tempfile::tempdir().unwrap();
    let token = rt.block_on(central.enrolment_token());
    let mut slots = Vec::new();
    for i in 0..SLOTS {
        slots.push(rt.block_on(central.slot("HOU", 1, 2 + i64::try_from(i).unwrap())));
    }
    std::fs::write(dir.path().join("slots.txt"), slots.join("\n")).unwrap();

    let mut rng = rand::rng();
    let mut finished_early = 0;
    let mut after_commit = 0;
    for _ in 0..KILLS {
        let before = rt.block_on(central.bookings()).len();
        let mut child = kiosk(central.url(), dir.path(), &token).spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        if rng.random_bool(0.5) {
            // Somewhere in the kiosk's own steps: after a random number of printed steps.
            for _ in 0..rng.random_range(1..=8) {
                match lines.next() {
                    Some(Ok(line)) if line == "done" => finished_early += 1,
                    Some(Ok(_)) => {}
                    _ => break,
                }
            }
        } else {
            // In the worst window: the server has committed a booking, its answer is on the
            // way, the kiosk has not recorded it.
            let confirming = lines
                .by_ref()
                .map_while(Result::ok)
                .any(|l| l.starts_with("confirming"));
            if confirming {
                for _ in 0..5_000 {
                    if rt.block_on(central.bookings()).len() > before || child.try_wait().unwrap().is_some() {
                        after_commit += 1;
                        break;
                    }
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    // The last start runs to the end.
    let out = kiosk(central.url(), dir.path(), &token).output().unwrap();
    assert!(
        out.status.success(),
        "final run: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).lines().any(|l| l == "done"));

    let server = rt.block_on(central.bookings());
    let replays = rt.block_on(central.replays());
    eprintln!(
        "{KILLS} kills ({after_commit} just after the server committed), {finished_early} runs done before their kill, \
         {replays} confirmations replayed by key"
    );
    assert!(
        replays > 0,
        "no kill landed between the server's commit and the kiosk's: the test proves less than it says"
    );
    let keys: HashSet<&str> = server.iter().map(|b| b["idempotency_key"].as_str().unwrap()).collect();
    let per_slot: HashSet<&str> = server.iter().map(|b| b["slot_id"].as_str().unwrap()).collect();
    assert_eq!(
        server.len(),
        SLOTS,
        "each slot booked once ({finished_early} runs finished before their kill)"
    );
    assert_eq!(keys.len(), SLOTS, "no booking doubled");
    assert_eq!(per_slot.len(), SLOTS, "no booking lost");
    let (store, _) = Store::open(&dir.path().join("kiosk.db")).unwrap();
    assert!(store.integrity_check().unwrap());
    assert_eq!(store.outbox_depth().unwrap(), 0);
    let local: HashSet<String> = store.bookings().unwrap().into_iter().map(|b| b.code).collect();
    let remote: HashSet<String> = server.iter().map(|b| b["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(local, remote);
    // One ticket per booking, each with its content: queued when the visitor's own confirmation
    // recorded it, kept unprinted when a restarted kiosk's outbox did (the visitor was gone).
    for code in &local {
        let jobs = store.print_jobs_for(code).unwrap();
        assert_eq!(jobs.len(), 1, "one ticket for {code}");
        assert!(jobs[0].ticket.is_some(), "the ticket of {code} has its content");
    }
}

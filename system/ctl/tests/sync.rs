//! `kioskctl sync` against the central simulator.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

use kiosk_sim::central::{self, CentralConfig};

fn kioskctl(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_in_full_then_reports_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("c.db"));
    config.enrolment_tokens = vec!["T-1".into()];
    let sim = central::start(config).await.unwrap();
    let db = dir.path().join("k.db");
    let db = db.to_str().unwrap().to_owned();
    let url = sim.url.clone();
    let (code, out, err) = tokio::task::spawn_blocking({
        let (url, db) = (url.clone(), db.clone());
        move || {
            kioskctl(&[
                "sync",
                "--server",
                &url,
                "--office",
                "PHX",
                "--db",
                &db,
                "--enrolment-token",
                "T-1",
            ])
        }
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("catalogue: updated"), "{out}");
    assert!(out.contains("availability PHX: full reload"), "{out}");
    let (code, out, _) =
        tokio::task::spawn_blocking(move || kioskctl(&["sync", "--server", &url, "--office", "PHX", "--db", &db]))
            .await
            .unwrap();
    assert_eq!(code, 0);
    assert!(out.contains("catalogue: unchanged"), "{out}");
    assert!(out.contains("availability PHX: 0 changed, 0 removed"), "{out}");
}

#[test]
fn says_what_is_missing_when_the_kiosk_is_not_enrolled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (code, _, err) = kioskctl(&[
        "sync",
        "--server",
        "http://127.0.0.1:9",
        "--office",
        "LAX",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("enrolment token"), "{err}");
}

#[test]
fn says_the_server_is_unreachable_instead_of_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let (code, _, err) = kioskctl(&[
        "sync",
        "--server",
        "http://127.0.0.1:9",
        "--office",
        "LAX",
        "--db",
        db.to_str().unwrap(),
        "--enrolment-token",
        "x",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no answer from the central server"), "{err}");
}

//! `kioskctl staff add|remove|list` on a kiosk database.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kioskctl(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn staff_are_added_with_a_pin_from_stdin_listed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.db");
    let db = db.to_str().unwrap();
    let add = kioskctl(&["staff", "add", "ana", "--db", db], "402913\n");
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let list = kioskctl(&["staff", "list", "--db", db], "");
    assert!(String::from_utf8_lossy(&list.stdout).starts_with("ana\tadded "));

    let same_pin = kioskctl(&["staff", "add", "luis", "--db", db], "402913\n");
    assert_eq!(same_pin.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&same_pin.stderr).contains("already someone's"));
    let weak = kioskctl(&["staff", "add", "luis", "--db", db, "--lang", "en"], "123456\n");
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("easy to guess"));

    let (store, _) = kiosk_store::Store::open(std::path::Path::new(db)).unwrap();
    let hash: Vec<_> = store.staff().unwrap();
    assert_eq!(hash.len(), 1);
    drop(store);
    let raw = std::fs::read(db).unwrap();
    assert!(
        !raw.windows(6).any(|w| w == b"402913"),
        "the PIN itself is never stored"
    );

    assert!(kioskctl(&["staff", "remove", "ana", "--db", db], "").status.success());
    assert_eq!(
        kioskctl(&["staff", "remove", "ana", "--db", db], "").status.code(),
        Some(1)
    );
}

//! `kioskctl curp check` as a technician runs it: lines, JSON lines and exit codes.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kioskctl(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kioskctl runs");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn prints_valid_line_with_birth_date_sex_and_state_and_exits_zero() {
    let o = kioskctl(&["curp", "check", " gode561231hdfrrn00 "], None);
    assert_eq!(stdout(&o), "VALID GODE561231HDFRRN00 1956-12-31 H DF\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn prints_one_line_per_argument_and_exits_one_when_any_is_invalid() {
    let o = kioskctl(
        &[
            "curp",
            "check",
            "--lang",
            "en",
            "GODE561231HDFRRN00",
            "GODE561231HDFRRN05",
            "X",
        ],
        None,
    );
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("VALID "));
    assert!(
        lines[1].starts_with("INVALID GODE561231HDFRRN05: The last character"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("INVALID X: A CURP has 18 characters"),
        "{}",
        lines[2]
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn explains_in_spanish_by_default() {
    let o = kioskctl(&["curp", "check", "BUEY561231HDFRRN00"], None);
    assert!(stdout(&o).contains("el segundo carácter es X (BXEY)"), "{}", stdout(&o));
}

#[test]
fn prints_json_lines_with_a_stable_reason_code() {
    let o = kioskctl(
        &["curp", "check", "--json", "GODE561231HDFRRN00", "GODE561331HDFRRN00"],
        None,
    );
    let values: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(values[0]["valid"], true);
    assert_eq!(values[0]["birth_date"], "1956-12-31");
    assert_eq!(values[0]["sex"], "H");
    assert_eq!(values[0]["state"], "DF");
    assert_eq!(values[1]["valid"], false);
    assert_eq!(values[1]["reason"], "date");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn reads_curps_from_standard_input_with_a_dash() {
    let o = kioskctl(
        &["curp", "check", "-"],
        Some("GODE561231HDFRRN00\nGODE561231HDFRRN00\n"),
    );
    assert_eq!(stdout(&o).lines().count(), 2);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn exits_two_on_a_usage_error() {
    assert_eq!(kioskctl(&["curp", "check"], None).status.code(), Some(2));
    assert_eq!(
        kioskctl(&["curp", "check", "--lang", "fr", "X"], None).status.code(),
        Some(2)
    );
    assert_eq!(kioskctl(&["curp", "frobnicate"], None).status.code(), Some(2));
}

#[test]
fn every_subcommand_has_help() {
    for args in [&["--help"][..], &["curp", "--help"], &["curp", "check", "--help"]] {
        let o = kioskctl(args, None);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(stdout(&o).contains("Usage:"));
    }
}

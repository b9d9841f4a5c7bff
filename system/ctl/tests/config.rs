//! `kioskctl config check`: the example passes; a broken file is refused with the file, line
//! and field of each problem.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::process::Command;

fn check(paths: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["config", "check"])
        .args(paths)
        .output()
        .unwrap()
}

#[test]
fn the_example_configuration_passes_the_check() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/kiosk.example.toml");
    let out = check(&[&example]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: kiosk LAX-LOBBY-1"));
}

#[test]
fn a_broken_provisioning_file_is_refused_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/kiosk.example.toml");
    let data = dir.path().join("kiosk.toml");
    std::fs::write(
        &data,
        "[kiosk]\nid = \"LAX LOBBY\"\n\n[printer]\npaper = 57\ncolour = true\n",
    )
    .unwrap();
    let out = check(&[&example, &data]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:6: unknown field `colour`", data.display())),
        "{stderr}"
    );

    std::fs::write(&data, "[kiosk]\nid = \"LAX LOBBY\"\n\n[printer]\npaper = 57\n").unwrap();
    let out = check(&[&example, &data]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:2: kiosk.id: ", data.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}:5: printer.paper: ", data.display())),
        "{stderr}"
    );
    assert_eq!(check(&[&dir.path().join("typo.toml")]).status.code(), Some(1));
}

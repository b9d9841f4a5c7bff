//! kiosk.toml's `[display] rotation` reaches Slint's linuxkms backend: the kiosk's own program,
//! started as on the device, sets `SLINT_KMS_ROTATION` before its first thread (it refuses to
//! once another runs, so a start-up that spawned one first would leave a panel on its side
//! drawn sideways); a technician's variable wins; a mistake leaves the picture upright. The
//! program then stops for want of a display, which is all this test needs of it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

fn start(toml: &str, rotation_env: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, toml).unwrap();
    let mut kiosk = Command::new(env!("CARGO_BIN_EXE_citas-kiosk"));
    kiosk
        .arg("--config")
        .arg(&path)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env_remove("SLINT_KMS_ROTATION");
    if let Some(value) = rotation_env {
        kiosk.env("SLINT_KMS_ROTATION", value);
    }
    let out = kiosk.output().unwrap();
    plain(&String::from_utf8_lossy(&out.stderr))
}

/// The log without its colours (ESC [ ... m).
fn plain(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut chars = log.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_panel_on_its_side_gets_its_picture_turned_before_any_thread_starts() {
    let log = start("[display]\nrotation = 90\ndiagonal_inches = 7\n", None);
    assert!(log.contains("the picture's rotation rotation=90 degrees"), "{log}");
    assert!(!log.contains("not turned"), "{log}");
}

#[test]
fn a_technicians_rotation_variable_wins_over_the_file() {
    let log = start("[display]\nrotation = 90\n", Some("180"));
    assert!(log.contains("rotation=180 (from the environment)"), "{log}");
}

#[test]
fn a_mistaken_rotation_leaves_the_picture_upright_and_says_why() {
    let log = start("[display]\nrotation = 45\n", None);
    assert!(log.contains("display.rotation: 0, 90, 180 or 270"), "{log}");
    assert!(log.contains("rotation=0 degrees"), "{log}");
}

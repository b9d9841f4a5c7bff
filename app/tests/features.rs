//! The kiosk's image carries no simulator: built as the Pi's image builds it (`--no-default-features
//! --features pi`), citas-kiosk depends on neither kiosk-sim nor axum (the web framework the
//! simulators serve with); the desktop build, which runs `--demo`, does.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

/// The crates citas-kiosk is built from with `features`, one name per line.
fn normal_dependencies(features: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--locked", "--offline", "-p", "citas-kiosk", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .args(features)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn has(tree: &str, krate: &str) -> bool {
    tree.lines().any(|l| l.split_whitespace().next() == Some(krate))
}

#[test]
fn the_pis_build_depends_on_no_simulator_and_no_web_server() {
    let pi = normal_dependencies(&["--no-default-features", "--features", "pi"]);
    assert!(has(&pi, "slint"), "the tree was not read: {pi}");
    for krate in ["kiosk-sim", "axum", "tempfile"] {
        assert!(!has(&pi, krate), "the Pi's citas-kiosk depends on {krate}");
    }
    let desktop = normal_dependencies(&[]);
    for krate in ["kiosk-sim", "axum"] {
        assert!(
            has(&desktop, krate),
            "the desktop build has no {krate}: the check above proves nothing"
        );
    }
}

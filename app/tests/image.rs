//! The disk image, offline: images/build-test-image.sh assembles one from a small root
//! filesystem holding the citas-kiosk binary, images/verify-image.sh passes it, and the same
//! checker fails an image whose data partition was damaged, naming it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn images() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../images")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_image_with_the_kiosk_passes_the_checker_and_a_damaged_one_fails_it() {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = dir.path().join("rootfs");
    for d in ["usr/bin", "etc/citas-kiosk", "data"] {
        std::fs::create_dir_all(rootfs.join(d)).unwrap();
    }
    std::fs::copy(env!("CARGO_BIN_EXE_citas-kiosk"), rootfs.join("usr/bin/citas-kiosk")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../system/config/kiosk.example.toml"),
        rootfs.join("etc/citas-kiosk/kiosk.toml"),
    )
    .unwrap();
    let boot = dir.path().join("boot");
    std::fs::create_dir_all(&boot).unwrap();
    std::fs::write(boot.join("config.txt"), "arm_64bit=1\ndisable_splash=1\n").unwrap();
    let img = dir.path().join("kiosk.img");
    let built = Command::new(images().join("build-test-image.sh"))
        .arg(&rootfs)
        .arg(&img)
        .arg(&boot)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "build-test-image.sh (its tools come from scripts/install-peers):\n{}",
        text(&built)
    );

    let verify = || {
        Command::new(images().join("verify-image.sh"))
            .arg(&img)
            .output()
            .unwrap()
    };
    let ok = verify();
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).ends_with("every check passed\n"), "{}", text(&ok));

    // The binary is in root slot A, whole.
    let a_offset = (4 + 256) * 1024 * 1024;
    let cat = Command::new("debugfs")
        .args(["-R", "stat /usr/bin/citas-kiosk"])
        .arg(format!("{}?offset={a_offset}", img.display()))
        .output()
        .unwrap();
    let size = std::fs::metadata(env!("CARGO_BIN_EXE_citas-kiosk")).unwrap().len();
    assert!(text(&cat).contains(&format!("Size: {size}")), "{}", text(&cat));

    // Damage the data partition's superblock: the checker names it.
    let data_offset: u64 = (4 + 256 + 2 * 2048) * 1024 * 1024;
    let mut f = std::fs::OpenOptions::new().write(true).open(&img).unwrap();
    f.seek(SeekFrom::Start(data_offset + 1024)).unwrap();
    f.write_all(&[0xAB; 1024]).unwrap();
    drop(f);
    let bad = verify();
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("FAIL: p4 e2fsck -fn"), "{}", text(&bad));
    assert!(text(&bad).contains("ok: p2 ext4 clean"), "{}", text(&bad));
}

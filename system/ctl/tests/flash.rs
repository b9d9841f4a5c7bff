//! `kioskctl flash`: a reused card keeps nothing of the last kiosk (a real block device here, a
//! loop device over a file: losetup needs root, as writing a card does), and a block map must
//! carry the fleet's release signature when one is asked for (signed by openssl, as a release
//! machine does).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod keys;
use keys::openssl_key;

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (scripts/install-peers installs it)"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn kioskctl(args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_kioskctl")).args(args))
}

const MIB_BYTES: usize = 1 << 20;
const MIB: u64 = MIB_BYTES as u64;

/// A sparse 32 MiB image with data in its first MiB and at 16 MiB, and its bmap beside it.
fn image(dir: &Path) -> PathBuf {
    let img = dir.join("kiosk.img");
    let mut f = std::fs::File::create(&img).unwrap();
    f.set_len(32 * MIB).unwrap();
    f.write_all(&vec![0xa5; MIB_BYTES]).unwrap();
    f.seek(SeekFrom::Start(16 * MIB)).unwrap();
    f.write_all(&vec![0x5a; MIB_BYTES]).unwrap();
    f.sync_all().unwrap();
    let bmap = format!("{}.bmap", img.display());
    let out = run(Command::new("bmaptool").args(["create", "-o", &bmap]).arg(&img));
    assert!(out.status.success(), "bmaptool: {}", text(&out));
    img
}

/// A loop device over a file; detached when dropped.
struct Loop(String);

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.0]).status();
    }
}

/// What the last kiosk left on its card: its database's words, in every MiB.
const LAST_KIOSK: &[u8] = b"SQLite format 3\0CURP GOMA800101HDFRRN09 pasaporte.pdf";

#[test]
fn flashing_a_reused_card_leaves_none_of_the_last_kiosks_data() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path());
    let backing = dir.path().join("card.bin");
    {
        let mut card = std::fs::File::create(&backing).unwrap();
        let mut block = vec![0u8; MIB_BYTES];
        block[..LAST_KIOSK.len()].copy_from_slice(LAST_KIOSK);
        for _ in 0..48 {
            card.write_all(&block).unwrap();
        }
    }
    let out = run(Command::new("losetup").args(["-f", "--show"]).arg(&backing));
    assert!(
        out.status.success(),
        "losetup (a card for the test; needs root and loop devices): {}",
        text(&out)
    );
    let dev = Loop(String::from_utf8(out.stdout).unwrap().trim().to_owned());

    let out = kioskctl(&["flash", img.to_str().unwrap(), &dev.0]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("discarding all of"), "{}", text(&out));

    let card = std::fs::read(&dev.0).unwrap();
    assert_eq!(card.len() as u64, 48 * MIB);
    let left = card.windows(LAST_KIOSK.len()).filter(|w| *w == LAST_KIOSK).count();
    assert_eq!(left, 0, "the last kiosk's data survived in {left} places");
    // The image is there, and nothing but the image.
    let image = std::fs::read(&img).unwrap();
    assert_eq!(&card[..image.len()], &image[..]);
    assert!(card[image.len()..].iter().all(|b| *b == 0));
}

/// Signs `file` with `key` as a release machine does: the raw Ed25519 signature.
fn openssl_sign(key: &Path, file: &Path, sig: &Path) {
    let out = run(Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
        .arg(key)
        .arg("-in")
        .arg(file)
        .arg("-out")
        .arg(sig));
    assert!(out.status.success(), "openssl pkeyutl -sign: {}", text(&out));
}

#[test]
fn a_block_map_not_signed_by_the_release_key_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path());
    let bmap = PathBuf::from(format!("{}.bmap", img.display()));
    let sig = dir.path().join("kiosk.img.bmap.sig");
    let (release, release_pub) = openssl_key(dir.path(), "release");
    let (stranger, _) = openssl_key(dir.path(), "stranger");
    let card = dir.path().join("card.img");
    let flash = || {
        kioskctl(&[
            "flash",
            img.to_str().unwrap(),
            card.to_str().unwrap(),
            "--bmap-sig",
            sig.to_str().unwrap(),
            "--key",
            release_pub.to_str().unwrap(),
        ])
    };

    openssl_sign(&stranger, &bmap, &sig);
    let out = flash();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("is not signed by"), "{}", text(&out));
    assert!(!card.exists(), "the card was written before the signature was checked");

    openssl_sign(&release, &bmap, &sig);
    let out = flash();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(&card).unwrap(), std::fs::read(&img).unwrap());

    // The map changed after it was signed (to let other bytes through): refused.
    let edited = std::fs::read_to_string(&bmap)
        .unwrap()
        .replacen("<BlockMap>", "<BlockMap> ", 1);
    std::fs::write(&bmap, edited).unwrap();
    std::fs::remove_file(&card).unwrap();
    let out = flash();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(!card.exists());

    // A signature needs the map: --no-bmap with one is refused by the command line.
    let out = kioskctl(&[
        "flash",
        "--no-bmap",
        img.to_str().unwrap(),
        card.to_str().unwrap(),
        "--bmap-sig",
        sig.to_str().unwrap(),
        "--key",
        release_pub.to_str().unwrap(),
    ]);
    assert!(!out.status.success(), "{}", text(&out));
}

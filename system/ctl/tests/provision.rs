//! Provisioning: `kioskctl provision` into the FAT boot partition of a real test image (built
//! by images/build-test-image.sh), read back with mtools, the image still passing
//! images/verify-image.sh; and `kioskctl adopt` at first boot, from a mounted boot directory.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

/// The provisioning file as mtools, an independent FAT reader, finds it in `image`'s boot
/// partition (4 MiB in).
fn mtools_read(image: &Path) -> String {
    let read = run(Command::new("mcopy").args([
        "-n",
        "-i",
        &format!("{}@@4194304", image.display()),
        "::citas-kiosk.toml",
        "-",
    ]));
    assert!(read.status.success(), "mcopy: {}", text(&read));
    String::from_utf8(read.stdout).unwrap()
}

fn kioskctl(args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_kioskctl")).args(args))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const LAX: &[&str] = &[
    "--kiosk-id",
    "LAX-LOBBY-1",
    "--office",
    "LAX",
    "--server",
    "https://citas.example/api/",
    "--token",
    "K7Q2-ENROL-0042",
    "--wifi-ssid",
    "Consulado-Kiosco",
    "--wifi-psk",
    "correct horse battery",
    "--ntp",
    "ntp.sre.example",
];

#[test]
fn provisioning_written_into_an_image_reads_back_the_same_with_mtools_and_the_image_stays_sound() {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("usr/bin")).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_kioskctl"), rootfs.join("usr/bin/kioskctl")).unwrap();
    let img = dir.path().join("kiosk.img");
    let built = run(Command::new(repo().join("images/build-test-image.sh"))
        .arg(&rootfs)
        .arg(&img));
    assert!(
        built.status.success(),
        "build-test-image.sh (its tools come from scripts/install-peers):\n{}",
        text(&built)
    );

    let img_s = img.to_str().unwrap();
    let mut args = vec!["provision", "--boot", img_s];
    args.extend_from_slice(LAX);
    let out = kioskctl(&args);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    for step in [
        "[1/4] checking",
        "[2/4] boot partition: 268435456 bytes at offset 4194304",
        "[3/4] writing citas-kiosk.toml",
        "[4/4] read back",
    ] {
        assert!(said.contains(step), "{step:?} in {said}");
    }

    // mtools, an independent FAT reader, finds the file kioskctl wrote.
    let back = mtools_read(&img);
    let config = kiosk_config::Config::parse(&back, Path::new("kiosk.toml")).unwrap();
    assert_eq!(config.kiosk_id, "LAX-LOBBY-1");
    assert_eq!(config.offices, ["LAX"]);
    assert_eq!(config.server.as_str(), "https://citas.example/api/");
    assert_eq!(config.enrolment_token.as_deref(), Some("K7Q2-ENROL-0042"));
    assert_eq!(config.network.wifi.as_ref().unwrap().ssid, "Consulado-Kiosco");
    assert_eq!(config.network.ntp, ["ntp.sre.example"]);

    // Provisioning again replaces it; the FAT stays clean.
    let mut again = args.clone();
    let at = again.iter().position(|a| *a == "LAX-LOBBY-1").unwrap();
    again[at] = "LAX-LOBBY-2";
    assert!(kioskctl(&again).status.success());
    let verify = run(Command::new(repo().join("images/verify-image.sh")).arg(&img));
    assert!(verify.status.success(), "verify-image.sh:\n{}", text(&verify));
    assert!(mtools_read(&img).contains("id = \"LAX-LOBBY-2\""));

    // Flashed to a "card" (a file here) through its bmap: only the mapped blocks, read back and
    // checked; the copy passes the checker and holds the provisioning.
    let bmap = run(Command::new("bmaptool").args(["create", "-o", &format!("{img_s}.bmap"), img_s]));
    assert!(bmap.status.success(), "bmaptool: {}", text(&bmap));
    let card = dir.path().join("card.img");
    let out = kioskctl(&["flash", img_s, card.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("mapped bytes from its bmap"), "{}", text(&out));
    assert!(text(&out).contains("written and read back: SHA-256 "), "{}", text(&out));
    let verify = run(Command::new(repo().join("images/verify-image.sh")).arg(&card));
    assert!(
        verify.status.success(),
        "verify-image.sh on the flashed copy:\n{}",
        text(&verify)
    );
    assert!(mtools_read(&card).contains("id = \"LAX-LOBBY-2\""));
    // A block map of another image is caught before the card is trusted.
    let tampered = std::fs::read_to_string(format!("{img_s}.bmap")).unwrap();
    let first = tampered.find("chksum=\"").unwrap() + 8;
    let mut tampered = tampered.into_bytes();
    tampered[first] = if tampered[first] == b'0' { b'1' } else { b'0' };
    std::fs::write(format!("{img_s}.bmap"), tampered).unwrap();
    let out = kioskctl(&["flash", img_s, card.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("do not match its bmap"), "{}", text(&out));
    // The image itself is never its own target.
    let out = kioskctl(&["flash", "--no-bmap", img_s, img_s]);
    assert!(
        !out.status.success() && text(&out).contains("the same file"),
        "{}",
        text(&out)
    );

    // A bad address is refused before anything is written, naming the field.
    let mut bad = vec!["provision", "--boot", img_s];
    bad.extend_from_slice(LAX);
    let at = bad.iter().position(|a| *a == "https://citas.example/api/").unwrap();
    bad[at] = "ftp://citas.example/";
    let out = kioskctl(&bad);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("server.url: must be an http(s) address"),
        "{}",
        text(&out)
    );
}

#[test]
fn first_boot_adopts_the_provisioning_writes_wifi_and_ntp_and_wipes_the_token_from_the_boot_partition() {
    let dir = tempfile::tempdir().unwrap();
    let boot = dir.path().join("boot");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&boot).unwrap();
    let mut args = vec!["provision", "--boot", boot.to_str().unwrap()];
    args.extend_from_slice(LAX);
    assert!(kioskctl(&args).status.success());
    let provisioned = std::fs::read_to_string(boot.join("citas-kiosk.toml")).unwrap();

    let network = dir.path().join("network");
    let out = kioskctl(&[
        "adopt",
        "--boot",
        boot.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--network",
        network.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !boot.join("citas-kiosk.toml").exists(),
        "the token is gone from the boot partition"
    );
    let adopted = data.join("kiosk.toml");
    assert_eq!(std::fs::read_to_string(&adopted).unwrap(), provisioned);
    assert_eq!(std::fs::metadata(&adopted).unwrap().permissions().mode() & 0o777, 0o600);
    let wpa_file = network.join("wpa_supplicant-wlan0.conf");
    assert_eq!(
        std::fs::metadata(&wpa_file).unwrap().permissions().mode() & 0o777,
        0o600,
        "the Wi-Fi key is root's"
    );
    let wpa = std::fs::read_to_string(&wpa_file).unwrap();
    assert!(
        wpa.contains("\tssid=436f6e73756c61646f2d4b696f73636f\n") && wpa.contains("\tpsk=\"correct horse battery\"\n"),
        "{wpa}"
    );
    // systemd-timesyncd reads its servers as its own user: the file and its directory are open.
    let ntp_file = network.join("timesyncd.conf");
    assert_eq!(
        std::fs::metadata(&ntp_file).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(std::fs::metadata(&network).unwrap().permissions().mode() & 0o777, 0o755);
    let ntp = std::fs::read_to_string(&ntp_file).unwrap();
    assert!(ntp.contains("[Time]\nNTP=ntp.sre.example\n"), "{ntp}");
    // What the kiosk then reads is what was provisioned.
    let config = kiosk_config::Config::load(&adopted).unwrap();
    assert_eq!(config.kiosk_id, "LAX-LOBBY-1");

    // Next boot: nothing to adopt, nothing changed.
    let out = kioskctl(&[
        "adopt",
        "--boot",
        boot.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--network",
        network.to_str().unwrap(),
    ]);
    assert!(out.status.success() && text(&out).contains("nothing to adopt"));

    // A broken file is left for the technician and the kiosk keeps what it had.
    std::fs::write(boot.join("citas-kiosk.toml"), "[kiosk]\nid = \"bad id\"\n").unwrap();
    let out = kioskctl(&[
        "adopt",
        "--boot",
        boot.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--network",
        network.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("kiosk.id: 1 to 64 letters"), "{}", text(&out));
    assert!(boot.join("citas-kiosk.toml").exists());
    assert_eq!(std::fs::read_to_string(&adopted).unwrap(), provisioned);
}

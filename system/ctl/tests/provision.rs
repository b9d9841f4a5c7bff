//! Provisioning: `kioskctl provision` into the FAT boot partition of a real test image (built
//! by images/build-test-image.sh), read back with mtools, the image still passing
//! images/verify-image.sh; and `kioskctl adopt` at first boot, from a mounted boot directory.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod keys;
use keys::openssl_key;

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
        text(&out).contains("server.url: must be an https address"),
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

/// A kiosk's boot and data directories, and how its boot adopts.
struct Kiosk {
    dir: tempfile::TempDir,
}

impl Kiosk {
    fn new() -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("boot")).unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        Kiosk { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Enrolled: its database holds the credential the central server gave it.
    fn enrol(&self) {
        let (mut store, _) = kiosk_store::Store::open(&self.path("data/kiosk.db")).unwrap();
        store
            .set_device_credential(&kiosk_store::DeviceCredential {
                device_id: "dev-LAX-1".into(),
                credential: "issued-by-the-real-server".into(),
            })
            .unwrap();
    }

    /// `kioskctl provision` onto its boot partition, for `server`, signed with `key` if given.
    fn provision(&self, server: &str, key: Option<&Path>) {
        let boot = self.path("boot");
        let mut args = vec!["provision", "--boot", boot.to_str().unwrap()];
        args.extend_from_slice(LAX);
        let at = args.iter().position(|a| *a == "--server").unwrap();
        args[at + 1] = server;
        if let Some(key) = key {
            args.extend(["--sign", key.to_str().unwrap()]);
        }
        let out = kioskctl(&args);
        assert!(out.status.success(), "{}", text(&out));
    }

    /// Its boot's `kioskctl adopt`, checking signatures with `key`.
    fn adopt(&self, key: &Path) -> Output {
        kioskctl(&[
            "adopt",
            "--boot",
            self.path("boot").to_str().unwrap(),
            "--data",
            self.path("data").to_str().unwrap(),
            "--network",
            self.path("network").to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ])
    }

    fn adopted_server(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.path("data/kiosk.toml")).ok()?;
        Some(
            kiosk_config::Config::parse(&text, Path::new("kiosk.toml"))
                .unwrap()
                .server
                .to_string(),
        )
    }
}

const REAL: &str = "https://citas.example/api/";
const RELAY: &str = "https://relay.attacker.example/api/";
const MOVED: &str = "https://citas2.example/api/";

#[test]
fn an_enrolled_kiosk_refuses_an_unsigned_provisioning_and_keeps_its_server() {
    let kiosk = Kiosk::new();
    let keys = tempfile::tempdir().unwrap();
    let (_, public) = openssl_key(keys.path(), "fleet");
    // The factory's provisioning: not enrolled yet, unsigned, adopted.
    kiosk.provision(REAL, None);
    let out = kiosk.adopt(&public);
    assert!(out.status.success(), "{}", text(&out));
    kiosk.enrol();

    // Someone alone with the kiosk writes their own file onto the card.
    kiosk.provision(RELAY, None);
    let out = kiosk.adopt(&public);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("this kiosk is enrolled"), "{}", text(&out));
    assert_eq!(kiosk.adopted_server().as_deref(), Some(REAL));
    // Left on the card with the reason, which the kiosk's health says.
    let file = kiosk.path("boot/citas-kiosk.toml");
    assert!(file.exists());
    let said = kiosk_config::not_adopted(&file);
    assert!(
        said.len() == 1 && said[0].contains("refused: this kiosk is enrolled"),
        "{said:?}"
    );
}

#[test]
fn an_enrolled_kiosk_adopts_a_file_signed_with_the_fleets_key_and_openssl_agrees() {
    let kiosk = Kiosk::new();
    let keys = tempfile::tempdir().unwrap();
    let (private, public) = openssl_key(keys.path(), "fleet");
    kiosk.provision(REAL, None);
    assert!(kiosk.adopt(&public).status.success());
    kiosk.enrol();

    // A technician moves the kiosk to another server, signed with the fleet's key.
    kiosk.provision(MOVED, Some(&private));
    // The signature is the raw Ed25519 one openssl checks.
    let checked = run(Command::new("openssl")
        .args(["pkeyutl", "-verify", "-rawin", "-pubin", "-inkey"])
        .arg(&public)
        .arg("-in")
        .arg(kiosk.path("boot/citas-kiosk.toml"))
        .arg("-sigfile")
        .arg(kiosk.path("boot/citas-kiosk.toml.sig")));
    assert!(checked.status.success(), "openssl pkeyutl -verify: {}", text(&checked));
    let out = kiosk.adopt(&public);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(kiosk.adopted_server().as_deref(), Some(MOVED));
    assert!(!kiosk.path("boot/citas-kiosk.toml.sig").exists());
    assert!(!kiosk.path("boot/citas-kiosk.toml").exists());
}

#[test]
fn a_signature_by_another_key_or_over_an_edited_file_is_refused_even_before_enrolment() {
    let keys = tempfile::tempdir().unwrap();
    let (private, public) = openssl_key(keys.path(), "fleet");
    let (other, _) = openssl_key(keys.path(), "stranger");

    let kiosk = Kiosk::new();
    kiosk.provision(RELAY, Some(&other));
    let out = kiosk.adopt(&public);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("the signature does not match"), "{}", text(&out));
    assert_eq!(kiosk.adopted_server(), None);

    // Signed by the fleet, then changed on the card.
    kiosk.provision(REAL, Some(&private));
    let file = kiosk.path("boot/citas-kiosk.toml");
    let edited = std::fs::read_to_string(&file).unwrap().replace(REAL, RELAY);
    std::fs::write(&file, edited).unwrap();
    let out = kiosk.adopt(&public);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(kiosk.adopted_server(), None);

    // Unsigned again, before enrolment: the factory's case, adopted.
    kiosk.provision(REAL, None);
    assert!(
        !kiosk.path("boot/citas-kiosk.toml.sig").exists(),
        "provision left an old signature"
    );
    let out = kiosk.adopt(&public);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(kiosk.adopted_server().as_deref(), Some(REAL));
    assert!(!kiosk.path("boot/citas-kiosk.toml.refused").exists());
}

#[test]
fn an_oversize_signature_or_provisioning_file_is_refused_unread() {
    let keys = tempfile::tempdir().unwrap();
    let (_, public) = openssl_key(keys.path(), "fleet");
    let kiosk = Kiosk::new();
    kiosk.provision(REAL, None);
    std::fs::write(kiosk.path("boot/citas-kiosk.toml.sig"), vec![0u8; 1 << 20]).unwrap();
    let out = kiosk.adopt(&public);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("the signature is 1048576 bytes"), "{}", text(&out));
    assert_eq!(kiosk.adopted_server(), None);

    std::fs::remove_file(kiosk.path("boot/citas-kiosk.toml.sig")).unwrap();
    let file = kiosk.path("boot/citas-kiosk.toml");
    let mut padded = std::fs::read_to_string(&file).unwrap();
    padded.push_str(&"# padding\n".repeat(10_000));
    std::fs::write(&file, padded).unwrap();
    let out = kiosk.adopt(&public);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("a provisioning file has at most"), "{}", text(&out));
    assert_eq!(kiosk.adopted_server(), None);
    // The kiosk's health says so without reading it.
    let said = kiosk_config::not_adopted(&file);
    assert!(
        said.len() == 1 && said[0].contains("a provisioning file has at most"),
        "{said:?}"
    );
}

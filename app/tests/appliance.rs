//! The appliance boots (issue 18): the kiosk's card, made from Debian's arm64 packages, the
//! kiosk's own .deb and meta-citas's files (images/qemu/), powers on in QEMU's arm64 board:
//! Debian's U-Boot runs the kiosk's boot script, which boots slot A; systemd starts the hardened
//! unit; the kiosk draws through linuxkms on virtio-gpu's DRM device. A new card shows the
//! start-up screen; provisioned with `kioskctl provision`, its first boot adopts the file,
//! enrols at the central simulator (on this test's own loopback) and shows the welcome screen,
//! the one the software renderer draws for `--screenshots`; a tap on the emulated touchscreen
//! opens sign-in, with no mouse cursor drawn. Inside, through the test image's command channel,
//! the system is what the image promises: running, no getty, the watchdog armed, the firewall
//! loaded, nothing listening, the root read-only, the kiosk writing only /data/kiosk,
//! Ctrl+Alt+Del and SysRq off, both units at systemd-analyze's "OK", /data nosuid,nodev,noexec;
//! a visitor's keyboard and USB stick plugged in (appliance/usb.rs) get nowhere. Then updates
//! from a technician's USB stick: an older bundle, a dev-signed one and one for the dev images
//! are refused with slot B untouched; one whose kiosk cannot start is installed into slot B, fails its
//! three tries and U-Boot goes back to A, where the kiosk is on screen with its data; a good
//! one is installed into B, boots, is marked good and reports from B.
//!
//! Needs the card and its bundles (`KIOSK_APPLIANCE_CARD`: images/qemu/build makes them,
//! scripts/test sets it), the Pi's build (`KIOSK_PI_BUILD_DIR`: its kioskctl provisions the
//! card, under qemu-user), root (a network namespace of its own) and Debian's qemu-system-arm,
//! u-boot-qemu and chrony; it fails, naming what is missing. Evidence (screens, console logs,
//! what the guest said, timings) is kept in target/appliance/.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kiosk_tests::board::{self, Board};
use kiosk_tests::qemu::{Channel, Frame, Netns, Qmp};
use serde_json::Value;

#[path = "appliance/inside.rs"]
mod inside;
#[path = "appliance/usb.rs"]
mod usb;
use inside::inside_the_appliance;
use usb::a_visitors_usb_devices_get_nowhere;

const WIDTH: u32 = 800;
const HEIGHT: u32 = 480;
/// A pixel is "the same" as --screenshots' when no channel differs by more than this (both are
/// Slint's software renderer; the display path may round colours).
const TOLERANCE: u8 = 16;
/// At most this share of a screen's pixels may differ (a clock, a caret).
const MAX_DIFFERING: f64 = 0.02;
/// An emulated boot under TCG on two cores: U-Boot, the kernel and systemd to the first frame.
const BOOT: Duration = Duration::from_mins(7);
const KIOSK: &str = "EMU-LOBBY-1";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// This run's evidence (screenshots, logs, figures), in a directory emptied when the run first
/// asks for it: nothing in it (a reference screen least of all) is left from an older build.
fn evidence() -> PathBuf {
    static FRESH: std::sync::Once = std::sync::Once::new();
    let d = repo().join("target/appliance");
    FRESH.call_once(|| {
        let _ = std::fs::remove_dir_all(&d);
    });
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs a command in the guest and returns what it printed; panics when it fails.
fn guest(ch: &mut Channel, command: &str) -> String {
    let out = ch
        .run(command, Duration::from_mins(5))
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert_eq!(out.status, 0, "{command} exited {}:\n{}", out.status, out.text);
    out.text
}

/// The file `--screenshots` wrote for `screen` in `dir` (`NN-screen.png`), if it did.
fn screenshot_file(dir: &Path, screen: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(kiosk_tests::screenshot_of)
                == Some(screen)
        })
}

/// The software renderer's picture of `screen` from `--screenshots` at the board's size (every
/// screen is drawn once per run, on the first call).
fn reference(screen: &str) -> Frame {
    let dir = evidence().join("reference");
    if screenshot_file(&dir, screen).is_none() {
        let out = Command::new(env!("CARGO_BIN_EXE_citas-kiosk"))
            .args(["--demo", "--screenshots"])
            .arg(&dir)
            .args(["--size", &format!("{WIDTH}x{HEIGHT}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "--screenshots: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let file = screenshot_file(&dir, screen).unwrap_or_else(|| panic!("--screenshots made no {screen} screen"));
    Frame::from_png(&file).unwrap()
}

/// Waits for `screen` (as --screenshots draws it) on the display; keeps it as `name`.png.
fn expect_screen(qmp: &mut Qmp, dir: &Path, screen: &str, name: &str, within: Duration) -> f64 {
    expect_screen_or(qmp, dir, screen, name, within, String::new)
}

/// [`expect_screen`], with `diagnose`'s words (what the guest says) in the failure.
fn expect_screen_or(
    qmp: &mut Qmp,
    dir: &Path,
    screen: &str,
    name: &str,
    within: Duration,
    diagnose: impl FnOnce() -> String,
) -> f64 {
    let (now, diff) =
        board::wait_for_screen(qmp, dir, &reference(screen), (TOLERANCE, MAX_DIFFERING), within).expect("screendump");
    now.save_png(&evidence().join(format!("{name}.png"))).unwrap();
    assert!(
        diff <= MAX_DIFFERING,
        "{name}: the display is not --screenshots' {screen} ({:.2}% of pixels differ): see target/appliance/\n{}",
        diff * 100.0,
        diagnose()
    );
    diff
}

/// Powers the board on and waits for the kiosk's first frame; notes when it came as `what`.
fn power_on_to_first_frame(b: &mut Board, dir: &Path, background: [u8; 3], what: &str, timings: &mut String) -> Qmp {
    let mut qmp = b.power_on().unwrap();
    let (_, appeared) = board::first_frame(&mut qmp, dir, b.started(), BOOT, ((WIDTH, HEIGHT), background))
        .unwrap_or_else(|e| panic!("{e}\n{}", b.console_tail()));
    let _ = writeln!(
        timings,
        "{what}: first frame {:.1} s after QEMU started",
        appeared.as_secs_f64()
    );
    qmp
}

fn kioskctl() -> Command {
    let pi = kiosk_tests::required_path("KIOSK_PI_BUILD_DIR", "run scripts/build-aarch64");
    let mut c = Command::new("qemu-aarch64-static");
    c.env("QEMU_LD_PREFIX", "/").arg(pi.join("kioskctl"));
    c
}

/// Waits (2 minutes at most) until citas-mark-good.service has marked the booted slot good.
fn wait_marked_good(ch: &mut Channel, slot: &str) {
    let deadline = Instant::now() + Duration::from_mins(2);
    while ch
        .run(
            "systemctl is-active --quiet citas-mark-good.service",
            Duration::from_secs(10),
        )
        .map_or(true, |o| o.status != 0)
    {
        let said = guest(
            ch,
            "ls /run/citas-kiosk/ 2>&1; systemctl status --no-pager citas-mark-good.path 2>&1 | tail -n 3",
        );
        assert!(
            Instant::now() < deadline,
            "citas-mark-good.service did not run on {slot}:\n{said}"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// The newest heartbeat of this kiosk at the central simulator, once it comes from `slot` and
/// names a system containing `version`, and is newer than `after` (its time, "" for any).
fn heartbeat_from(
    central: &kiosk_tests::Central,
    rt: &tokio::runtime::Runtime,
    slot: &str,
    version: &str,
    after: &str,
    within: Duration,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let newest = newest_heartbeat(central, rt);
        if let Some(b) = &newest
            && b["body"]["slot"] == slot
            && b["body"]["system"].as_str().is_some_and(|s| s.contains(version))
            && b["at"].as_str().is_some_and(|at| at > after)
        {
            return b.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no heartbeat from slot {slot} running {version} in {within:?}; the newest: {newest:?}"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// The bundles images/qemu/refused-bundles.sh makes, and what RAUC (or its pre-install handler)
/// says when it refuses each (lowercase).
const REFUSED: [(&str, &str); 3] = [
    ("update-older.raucb", "pre-install handler error"),
    ("update-dev-signed.raucb", "signature verification failed"),
    ("update-dev.raucb", "compatible mismatch"),
];

/// `rauc status` in the guest, as JSON, and the slot of it with `bootname`.
fn rauc_status(ch: &mut Channel) -> Value {
    let text = guest(ch, "rauc status --detailed --output-format=json 2>/dev/null");
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("rauc status is no JSON ({e}): {text}"))
}

fn rauc_slot<'a>(status: &'a Value, bootname: &str) -> &'a Value {
    status["slots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_object().and_then(|o| o.values().next()))
        .find(|s| s["bootname"] == bootname)
        .unwrap_or_else(|| panic!("rauc status has no slot {bootname}: {status}"))
}

/// What on /data must survive every update and rollback: the adopted configuration and the
/// kiosk's files (its database's contents change as it syncs; its credential is shown by the
/// heartbeats it keeps sending).
fn data_fingerprint(ch: &mut Channel) -> String {
    guest(
        ch,
        "cd /data/kiosk && find . -maxdepth 1 -type f ! -name '*-wal' ! -name '*-shm' ! -name '*.sqlite*' ! -name '*.db*' | sort \
         && sha256sum $(find . -maxdepth 1 -name '*.toml' | sort)",
    )
}

/// Installs `bundle` from the stick (/dev/vdb) with `rauc install`, then reboots into it;
/// returns the boot id it rebooted from, what RAUC said and how long the install took.
fn install_and_reboot(ch: &mut Channel, bundle: &str) -> (String, String, Duration) {
    let started = Instant::now();
    let said = guest(
        ch,
        &format!(
            "mountpoint -q /mnt || mount -o ro /dev/vdb /mnt; rauc install /mnt/{bundle} >/tmp/rauc.log 2>&1; \
             s=$?; tail -n 5 /tmp/rauc.log; exit $s"
        ),
    );
    let took = started.elapsed();
    let before = board::boot_id(ch).unwrap();
    guest(ch, "systemctl reboot --no-block");
    (before, said, took)
}
/// The update's version, as its manifest says (checked against the test CA).
fn bundle_version(bundle: &Path, ca: &Path) -> String {
    let out = Command::new("rauc")
        .arg("info")
        .arg("--conf")
        .arg(repo().join("yocto/meta-citas/recipes-core/rauc/files/system.conf"))
        .arg("--keyring")
        .arg(ca)
        .args(["--output-format=json"])
        .arg(bundle)
        .output()
        .unwrap_or_else(|e| panic!("rauc: {e} (scripts/install-peers installs it)"));
    assert!(
        out.status.success(),
        "rauc info {}: {}",
        bundle.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    info["version"].as_str().unwrap().to_owned()
}

/// The newest heartbeat this kiosk sent, if any.
fn newest_heartbeat(central: &kiosk_tests::Central, rt: &tokio::runtime::Runtime) -> Option<Value> {
    let beats = rt.block_on(central.admin(reqwest::Method::GET, "heartbeats", None));
    beats["heartbeats"]
        .as_array()
        .and_then(|l| l.iter().find(|b| b["body"]["kiosk"] == KIOSK))
        .cloned()
}

/// The newest heartbeat's time from this kiosk ("" before the first).
fn last_heartbeat_at(central: &kiosk_tests::Central, rt: &tokio::runtime::Runtime) -> String {
    newest_heartbeat(central, rt)
        .and_then(|b| b["at"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The slot the guest booted (`rauc.slot=` on its command line).
fn booted_slot(ch: &mut Channel) -> String {
    let cmdline = guest(ch, "cat /proc/cmdline");
    cmdline
        .split_whitespace()
        .find_map(|a| a.strip_prefix("rauc.slot="))
        .unwrap_or_else(|| panic!("no rauc.slot on the command line: {cmdline}"))
        .to_owned()
}

#[test]
fn the_appliance_boots_enrols_rolls_back_a_broken_update_and_keeps_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let ev = evidence();
    // The guest's network is this namespace's: loopback, and nothing else to reach.
    let _netns = Netns::enter().expect("a network namespace of the test's own (the test runs as root)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut ntp = board::start_ntp(dir.path()).unwrap();
    let template = kiosk_tests::required_path(
        "KIOSK_APPLIANCE_CARD",
        "run scripts/test, or images/qemu/build and set KIOSK_APPLIANCE_CARD to the card it prints",
    );
    let made = template.parent().unwrap();
    // The central simulator as the fleet's server: HTTPS on 443, with the certificate the
    // card's fleet CA signed (images/qemu/build); the image trusts that CA and no other.
    let tls = kiosk_tests::TlsFiles {
        chain: made.join("ca/central.cert.pem"),
        key: made.join("ca/central.key.pem"),
        ca: made.join("ca/fleet-ca.pem"),
    };
    let central = rt.block_on(kiosk_tests::Central::start_on(
        "127.0.0.1:443".parse().unwrap(),
        kiosk_sim::faults::FaultConfig::default(),
        Some(&tls),
    ));
    assert!(central.url().starts_with("https://"), "{}", central.url());
    let (good, broken) = (made.join("update.raucb"), made.join("update-broken.raucb"));
    let refused: Vec<PathBuf> = REFUSED.iter().map(|(name, _)| made.join(name)).collect();
    for b in [&good, &broken].into_iter().chain(&refused) {
        assert!(
            b.exists(),
            "{} is missing: images/qemu/build makes it beside the card",
            b.display()
        );
    }
    let ca = made.join("ca/ca.cert.pem");
    let good_version = bundle_version(&good, &ca);
    let mut b = Board::new(&repo(), &template, dir.path(), (WIDTH, HEIGHT), &ev).unwrap();
    // The kiosk's background, as every screen of it has (the first frame is told by it).
    let background = reference("startup-not-set-up-es").dominant();
    let mut timings = String::new();

    // 1. A new card: the kiosk is on screen, saying it is not set up.
    let mut qmp = power_on_to_first_frame(&mut b, dir.path(), background, "new card", &mut timings);
    expect_screen(
        &mut qmp,
        dir.path(),
        "startup-not-set-up-es",
        "01-new-card",
        Duration::from_secs(30),
    );
    let mut ch = b.channel(BOOT).unwrap_or_else(|e| panic!("{e}\n{}", b.console_tail()));
    let ready = guest(&mut ch, "systemctl show -p ActiveState -p SubState citas-kiosk.service");
    assert!(ready.contains("ActiveState=active"), "{ready}");
    // "Not set up" is the configuration's to fix, not the system's: its only system keeps its
    // tries (the kiosk said so in /run/citas-kiosk/system-good).
    wait_marked_good(&mut ch, "A");
    b.power_off(&mut ch, "1-new-card").unwrap();

    // 2. Provisioned as a technician does, on the card's boot partition; a USB stick with the
    //    updates plugged in. Its first boot adopts, enrols and shows the welcome screen.
    let token = rt.block_on(central.enrolment_token());
    let out = kioskctl()
        .args(["provision", "--boot"])
        .arg(b.card())
        .args([
            "--kiosk-id",
            KIOSK,
            "--office",
            "LAX",
            "--token",
            &token,
            "--ntp",
            "10.0.2.2",
        ])
        .args(["--server", "https://10.0.2.2/"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kioskctl provision: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stick = dir.path().join("stick.img");
    let on_stick: Vec<&Path> = [good.as_path(), broken.as_path()]
        .into_iter()
        .chain(refused.iter().map(PathBuf::as_path))
        .collect();
    board::make_stick(&on_stick, &stick).unwrap();
    b.plug_stick(&stick);

    let mut qmp = power_on_to_first_frame(&mut b, dir.path(), background, "provisioned card", &mut timings);
    let mut ch = b.channel(BOOT).unwrap();
    // Its clock is set from the provisioned time server (the test's, on loopback).
    let deadline = Instant::now() + Duration::from_mins(3);
    while guest(&mut ch, "timedatectl show -p NTPSynchronized --value").trim() != "yes" {
        assert!(
            Instant::now() < deadline,
            "the clock is not synchronised from the provisioned NTP server in 180 s:\n{}",
            guest(
                &mut ch,
                "timedatectl timesync-status; journalctl -b -u systemd-timesyncd --no-pager | tail -n 20"
            )
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    // The first frame may be the start-up screen while it enrols: wait for the welcome screen.
    expect_screen_or(
        &mut qmp,
        dir.path(),
        "welcome-es",
        "02-welcome",
        Duration::from_mins(3),
        || {
            guest(
                &mut ch,
                "timedatectl; journalctl -b -u citas-kiosk --no-pager | tail -n 30",
            )
        },
    );
    timings += &inside_the_appliance(&mut ch, &ev);
    a_visitors_usb_devices_get_nowhere(&mut ch, &mut qmp, &ev);

    // A finger on "Reservar una cita" (where --screenshots draws it at 800x480) opens sign-in.
    let (x, y) = (238, 426);
    qmp.tap(x, y, WIDTH, HEIGHT).unwrap();
    expect_screen(&mut qmp, dir.path(), "sign-in-es", "03-sign-in", Duration::from_mins(1));
    // No mouse cursor on a touch display: where the finger was (a pointer's arrow would hang
    // below and to the right of it), every pixel is --screenshots' within the tolerance.
    let shown = Frame::from_png(&evidence().join("03-sign-in.png")).unwrap();
    let [near, drawn] = [&shown, &reference("sign-in-es")].map(|f| f.crop(x - 4, y - 4, 40, 40));
    assert!(
        near.differs_from(&drawn, TOLERANCE) <= 0.0,
        "something is drawn where the tap was (a mouse cursor?): see target/appliance/03-sign-in.png"
    );

    // It enrolled and reports in: the heartbeat names the image and the slot it booted.
    let first_version = guest(&mut ch, ". /etc/os-release; echo \"$VERSION_ID\"")
        .trim()
        .to_owned();
    let beat = heartbeat_from(&central, &rt, "A", &first_version, "", Duration::from_mins(2));
    assert!(
        beat["body"]["system"]
            .as_str()
            .is_some_and(|s| s.starts_with("Citas SRE kiosk")),
        "{beat}"
    );
    // The token is spent and gone.
    let left = ch
        .run(&format!("grep -r -l -F '{token}' /boot /data"), Duration::from_mins(1))
        .unwrap();
    assert_eq!(
        left.status, 1,
        "the enrolment token is still on the card: {}",
        left.text
    );
    let status = rauc_status(&mut ch);
    assert_eq!(status["booted"], "A", "{status}");
    let data = data_fingerprint(&mut ch);

    // 2b. Bundles a production kiosk refuses before it writes anything: an older version, one
    //     signed by a development CA, one for the development images.
    let slot_b = rauc_slot(&status, "B").clone();
    let mut refusals = String::new();
    for (bundle, why) in REFUSED {
        let said = guest(
            &mut ch,
            &format!(
                "mountpoint -q /mnt || mount -o ro /dev/vdb /mnt; rauc install /mnt/{bundle} >/tmp/rauc.log 2>&1; \
                 echo \"rauc install: $?\"; tail -n 3 /tmp/rauc.log; journalctl -b -u rauc --no-pager -n 20 | grep -F 'citas: update refused'; true"
            ),
        );
        let _ = writeln!(refusals, "== {bundle}\n{said}");
        assert!(
            !said.contains("rauc install: 0") && said.to_lowercase().contains(why),
            "{bundle} was not refused for {why:?}:\n{said}"
        );
    }
    std::fs::write(ev.join("rauc-install-refused.txt"), &refusals).unwrap();
    let status = rauc_status(&mut ch);
    assert_eq!(status["booted"], "A", "{status}");
    assert_eq!(rauc_slot(&status, "B"), &slot_b, "a refused bundle changed slot B");

    // 3. An update whose kiosk cannot start: it installs into B and boots, is never marked
    //    good, and after B's three tries U-Boot goes back to A, where the kiosk is on screen.
    let since = last_heartbeat_at(&central, &rt);
    let booted_before = b.slots_booted().len();
    let (mut boot, said, took) = install_and_reboot(&mut ch, "update-broken.raucb");
    let _ = writeln!(timings, "rauc install (broken update): {:.1} s", took.as_secs_f64());
    std::fs::write(ev.join("rauc-install-broken.txt"), &said).unwrap();
    let rolled_back = Instant::now();
    loop {
        boot = board::next_boot(&mut ch, &boot, BOOT).unwrap_or_else(|e| panic!("{e}\n{}", b.console_tail()));
        let slot = ch.run("cat /proc/cmdline", Duration::from_secs(10)).map(|o| o.text);
        if slot.as_deref().is_ok_and(|c| c.contains("rauc.slot=A")) {
            break;
        }
        assert!(
            rolled_back.elapsed() < Duration::from_mins(20),
            "no way back to A in 20 minutes:\n{}",
            b.console_tail()
        );
    }
    let after: Vec<char> = b.slots_booted()[booted_before..].to_vec();
    b.keep_console("3-rollback");
    assert_eq!(
        after,
        ['B', 'B', 'B', 'A'],
        "the broken update's slot got its three tries, then A: the boot script booted {after:?}"
    );
    let _ = writeln!(
        timings,
        "broken update: three boots of B and back on A in {:.1} s",
        rolled_back.elapsed().as_secs_f64()
    );
    expect_screen(&mut qmp, dir.path(), "welcome-es", "04-rolled-back", BOOT);
    let status = rauc_status(&mut ch);
    std::fs::write(ev.join("rauc-status-rolled-back.json"), status.to_string()).unwrap();
    assert_eq!(status["booted"], "A", "{status}");
    assert_eq!(rauc_slot(&status, "B")["boot_status"], "bad", "{status}");
    assert_eq!(rauc_slot(&status, "A")["boot_status"], "good", "{status}");
    assert_eq!(
        data_fingerprint(&mut ch),
        data,
        "the kiosk's data changed with the rollback"
    );
    heartbeat_from(&central, &rt, "A", &first_version, &since, Duration::from_mins(2));

    // 4. A good update: into B, the reboot goes to B, the kiosk is on screen, the slot is
    //    marked good and the kiosk reports from B with the new system and its old data.
    let since = last_heartbeat_at(&central, &rt);
    let (before, said, took) = install_and_reboot(&mut ch, "update.raucb");
    let _ = writeln!(timings, "rauc install (good update): {:.1} s", took.as_secs_f64());
    std::fs::write(ev.join("rauc-install-good.txt"), &said).unwrap();
    let rebooted = Instant::now();
    board::next_boot(&mut ch, &before, BOOT).unwrap_or_else(|e| panic!("{e}\n{}", b.console_tail()));
    assert_eq!(booted_slot(&mut ch), "B");
    expect_screen(&mut qmp, dir.path(), "welcome-es", "05-updated", BOOT);
    let _ = writeln!(
        timings,
        "good update: welcome screen from B {:.1} s after the reboot",
        rebooted.elapsed().as_secs_f64()
    );
    wait_marked_good(&mut ch, "B");
    let status = rauc_status(&mut ch);
    std::fs::write(ev.join("rauc-status-updated.json"), status.to_string()).unwrap();
    assert_eq!(status["booted"], "B", "{status}");
    let b_slot = rauc_slot(&status, "B");
    assert_eq!(b_slot["boot_status"], "good", "{status}");
    assert_eq!(
        b_slot["slot_status"]["bundle"]["version"],
        good_version.as_str(),
        "{status}"
    );
    assert_eq!(
        data_fingerprint(&mut ch),
        data,
        "the kiosk's data changed with the update"
    );
    heartbeat_from(&central, &rt, "B", &good_version, &since, Duration::from_mins(2));

    std::fs::write(ev.join("timings.txt"), &timings).unwrap();
    println!("{timings}");
    std::mem::drop(ntp.kill());
    let _ = ntp.wait();
    b.power_off(&mut ch, "4-updated").unwrap();
}

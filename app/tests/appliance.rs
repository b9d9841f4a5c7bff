//! The appliance boots (issue 18): the kiosk's card, made from Debian's arm64 packages, the
//! kiosk's own .deb and meta-citas's files (images/qemu/), powers on in QEMU's arm64 board:
//! Debian's U-Boot runs the kiosk's boot script, which boots slot A; systemd starts the hardened
//! unit; the kiosk draws through linuxkms on virtio-gpu's DRM device. A new card shows the
//! start-up screen; provisioned with `kioskctl provision`, its first boot adopts the file,
//! enrols at the central simulator (on this test's own loopback) and shows the welcome screen,
//! the one the software renderer draws for `--screenshots`; a tap on the emulated touchscreen
//! opens sign-in. Inside, through the test image's command channel, the system is what the
//! image promises: running, no getty, the watchdog armed, the firewall loaded, nothing
//! listening, the root read-only, the kiosk writing only /data/kiosk.
//!
//! Needs the card (`KIOSK_APPLIANCE_CARD`: images/qemu/build makes it, scripts/test sets it), the
//! Pi's build (`KIOSK_PI_BUILD_DIR`: its kioskctl provisions the card, under qemu-user), root
//! (a network namespace of its own) and Debian's qemu-system-arm, u-boot-qemu and chrony; it
//! fails, naming what is missing. Evidence (screens, console, timings) is kept in
//! target/appliance/.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiosk_tests::qemu::{Channel, Frame, Netns, Qmp};

const WIDTH: u32 = 800;
const HEIGHT: u32 = 480;
/// A pixel is "the same" as --screenshots' when no channel differs by more than this (both are
/// Slint's software renderer; the display path may round colours).
const TOLERANCE: u8 = 16;
/// At most this share of a screen's pixels may differ (a clock, a caret).
const MAX_DIFFERING: f64 = 0.02;
/// An emulated boot under TCG on two cores: U-Boot, the kernel and systemd to the first frame.
const BOOT: Duration = Duration::from_mins(7);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn evidence() -> PathBuf {
    let d = repo().join("target/appliance");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The card and the board that boots it.
struct Board {
    card: PathBuf,
    state: PathBuf,
    qemu: Option<Child>,
    started: Instant,
}

impl Board {
    fn new(dir: &Path) -> Board {
        let template = kiosk_tests::required_path(
            "KIOSK_APPLIANCE_CARD",
            "run scripts/test, or images/qemu/build and set KIOSK_APPLIANCE_CARD to the card it prints",
        );
        let card = dir.join("card.img");
        let ok = Command::new("cp")
            .args(["--sparse=always"])
            .arg(&template)
            .arg(&card)
            .status()
            .unwrap();
        assert!(ok.success(), "copying the card");
        Board {
            card,
            state: dir.join("board"),
            qemu: None,
            started: Instant::now(),
        }
    }

    /// Powers the board on; returns its QMP connection.
    fn power_on(&mut self) -> Qmp {
        assert!(self.qemu.is_none(), "already on");
        let child = Command::new(repo().join("images/qemu/run.sh"))
            .arg(&self.card)
            .arg(&self.state)
            .args(["--size", &format!("{WIDTH}x{HEIGHT}"), "--foreground"])
            .stdin(Stdio::null())
            .spawn()
            .expect("images/qemu/run.sh starts");
        self.started = Instant::now();
        self.qemu = Some(child);
        Qmp::connect(&self.state.join("qmp.sock"), Duration::from_secs(30)).expect("QMP answers")
    }

    fn channel(&self) -> Channel {
        let mut ch = Channel::connect(&self.state.join("shell.sock"), Duration::from_secs(30)).unwrap();
        ch.wait_ready(BOOT)
            .unwrap_or_else(|e| panic!("the test channel never answered: {e}\n{}", self.console_tail()));
        ch
    }

    fn console_tail(&self) -> String {
        let text = std::fs::read_to_string(self.state.join("console.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(80)..].join("\n")
    }

    /// Powers off through the guest (a clean shutdown), then waits for QEMU to end.
    fn power_off(&mut self, ch: &mut Channel) {
        let _ = ch.run("systemctl poweroff --no-block", Duration::from_secs(10));
        let mut child = self.qemu.take().expect("on");
        let deadline = Instant::now() + Duration::from_mins(2);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the appliance did not power off in 120 s:\n{}", self.console_tail());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = self.state.join("console.log");
        if log.exists() {
            let _ = std::fs::copy(&log, evidence().join(format!("console-{}.log", now_tag())));
        }
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        if let Some(mut c) = self.qemu.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn now_tag() -> String {
    format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    )
}

/// Runs a command in the guest and returns what it printed; panics when it fails.
fn guest(ch: &mut Channel, command: &str) -> String {
    let out = ch
        .run(command, Duration::from_mins(2))
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert_eq!(out.status, 0, "{command} exited {}:\n{}", out.status, out.text);
    out.text
}

/// Waits until the display shows something that is not a blank screen, and then until two
/// screendumps a second apart agree (the kiosk is done drawing); returns the frame and when
/// it first appeared.
fn first_frame(qmp: &mut Qmp, dir: &Path, since: Instant, within: Duration) -> (Frame, Duration) {
    let deadline = since + within;
    let appeared = loop {
        let f = qmp.screendump(dir).expect("screendump");
        // The kiosk fills the screen with its background; the console before it is mostly black.
        if (f.width, f.height) == (WIDTH, HEIGHT) && f.share_not([0, 0, 0]) > 0.5 {
            break since.elapsed();
        }
        assert!(Instant::now() < deadline, "no kiosk on the display within {within:?}");
        std::thread::sleep(Duration::from_millis(500));
    };
    (settled(qmp, dir), appeared)
}

fn settled(qmp: &mut Qmp, dir: &Path) -> Frame {
    let mut last = qmp.screendump(dir).expect("screendump");
    for _ in 0..60 {
        std::thread::sleep(Duration::from_secs(1));
        let now = qmp.screendump(dir).expect("screendump");
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

/// The file `--screenshots` wrote for `screen` in `dir` (`NN-screen.png`), if it did.
fn screenshot_file(dir: &Path, screen: &str) -> Option<PathBuf> {
    let suffix = format!("-{screen}.png");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(&suffix)))
}

/// The software renderer's picture of `screen` from `--screenshots` at the board's size (every
/// screen is drawn once, on the first call).
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

fn start_ntp(dir: &Path) -> Child {
    let conf = dir.join("chrony.conf");
    std::fs::write(
        &conf,
        format!(
            "# The appliance's time server, on this namespace's loopback (the guest's 10.0.2.2).\n\
             local stratum 8\nallow all\ncmdport 0\nbindaddress 127.0.0.1\n\
             pidfile {}\ndriftfile {}\n",
            dir.join("chronyd.pid").display(),
            dir.join("chrony.drift").display()
        ),
    )
    .unwrap();
    Command::new("chronyd")
        .args(["-x", "-d", "-f"])
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chronyd: {e} (scripts/install-peers installs chrony)"))
}

fn kioskctl() -> Command {
    let pi = kiosk_tests::required_path("KIOSK_PI_BUILD_DIR", "run scripts/build-aarch64");
    let mut c = Command::new("qemu-aarch64-static");
    c.env("QEMU_LD_PREFIX", "/").arg(pi.join("kioskctl"));
    c
}

/// What the image promises, checked from inside the running appliance; figures to evidence.
fn inside_the_appliance(ch: &mut Channel, ev: &Path) {
    let state = ch
        .run("systemctl is-system-running --wait", BOOT)
        .unwrap_or_else(|e| panic!("is-system-running: {e}"));
    let failed = guest(ch, "systemctl --failed --no-legend --plain");
    assert_eq!(
        state.text.trim(),
        "running",
        "the system is {}; failed units:\n{failed}",
        state.text.trim()
    );

    let unit = guest(
        ch,
        "systemctl show citas-kiosk.service -p Type -p NotifyAccess -p ActiveState -p SubState -p WatchdogUSec -p User",
    );
    for want in [
        "Type=notify",
        "NotifyAccess=main",
        "ActiveState=active",
        "SubState=running",
        "WatchdogUSec=30s",
        "User=kiosk",
    ] {
        assert!(
            unit.lines().any(|l| l == want),
            "citas-kiosk.service: {want} not in\n{unit}"
        );
    }

    // The hardware watchdog (i6300esb here, bcm2835-wdt on the Pi) is armed by systemd.
    let wd = guest(
        ch,
        "systemctl show -p RuntimeWatchdogUSec; cat /sys/class/watchdog/watchdog0/identity /sys/class/watchdog/watchdog0/state",
    );
    assert!(
        !wd.contains("RuntimeWatchdogUSec=0\n") && !wd.contains("RuntimeWatchdogUSec=infinity"),
        "{wd}"
    );
    assert!(wd.lines().any(|l| l == "active"), "the watchdog is not armed:\n{wd}");

    // No login anywhere on the screen: no getty on a VT, no VT to switch to.
    let gettys = guest(ch, "systemctl list-units --no-legend --plain 'getty@*' 'autovt@*'");
    assert!(gettys.trim().is_empty(), "a getty runs on a VT: {gettys}");

    // Nothing listens on the network.
    let listening = guest(ch, "ss -H -l -t -u -n");
    assert!(listening.trim().is_empty(), "listening: {listening}");
    let rules = guest(ch, "nft list ruleset");
    assert!(
        rules.contains("hook input") && rules.contains("policy drop"),
        "the firewall is not loaded:\n{rules}"
    );

    // The root is read-only; the kiosk can write /data/kiosk and its private /tmp, nothing else.
    let root = guest(ch, "findmnt -n -o OPTIONS /");
    assert!(root.starts_with("ro"), "/ is mounted {root}");
    let writable = guest(
        ch,
        "nsenter -t $(systemctl show -p MainPID --value citas-kiosk.service) -m findmnt -r -n -o TARGET,FSTYPE,OPTIONS \
         | awk '$3 ~ /^rw/ && $2 !~ /^(proc|sysfs|devtmpfs|devpts|mqueue|cgroup2|tmpfs|securityfs|debugfs|tracefs|configfs|bpf|pstore|efivarfs|fusectl|hugetlbfs|binfmt_misc)$/ {print $1}'",
    );
    let places: Vec<&str> = writable.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(places, ["/data/kiosk"], "the kiosk can write on disk at {places:?}");

    let security = guest(
        ch,
        "systemd-analyze security --no-pager citas-kiosk.service | tail -n 1",
    );
    let timing = guest(
        ch,
        "systemd-analyze time; systemctl show citas-kiosk.service -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic",
    );
    std::fs::write(
        ev.join("inside.txt"),
        format!("{unit}\n{wd}\n{rules}\n{security}\n{timing}\n"),
    )
    .unwrap();
    println!("systemd-analyze security: {security}\n{timing}");
}

#[test]
fn a_new_card_boots_to_the_start_up_screen_and_after_provisioning_to_the_welcome_screen() {
    let dir = tempfile::tempdir().unwrap();
    // The guest's network is this namespace's: loopback, and nothing else to reach.
    let _netns = Netns::enter().expect("a network namespace of the test's own (the test runs as root)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let central = rt.block_on(kiosk_tests::Central::start(kiosk_sim::faults::FaultConfig::default()));
    let port = central
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let mut ntp = start_ntp(dir.path());
    let mut board = Board::new(dir.path());
    let ev = evidence();

    // A new card: the kiosk is on screen, saying it is not set up.
    let mut qmp = board.power_on();
    let since = board.started;
    let (startup, appeared) = first_frame(&mut qmp, dir.path(), since, BOOT);
    startup.save_png(&ev.join("01-not-set-up.png")).unwrap();
    let diff = startup.differs_from(&reference("startup-not-set-up-es"), TOLERANCE);
    println!(
        "new card: first frame {appeared:.1?} after power-on, {:.3}% of pixels unlike --screenshots'",
        diff * 100.0
    );
    assert!(
        diff <= MAX_DIFFERING,
        "the new card's screen is not the start-up screen of --screenshots ({:.2}% differ): target/appliance/",
        diff * 100.0
    );
    let mut ch = board.channel();
    let ready = guest(&mut ch, "systemctl show -p ActiveState -p SubState citas-kiosk.service");
    assert!(ready.contains("ActiveState=active"), "{ready}");
    board.power_off(&mut ch);

    // Provisioned as a technician does, on the card's boot partition.
    let token = rt.block_on(central.enrolment_token());
    let out = kioskctl()
        .args(["provision", "--boot"])
        .arg(&board.card)
        .args([
            "--kiosk-id",
            "EMU-LOBBY-1",
            "--office",
            "LAX",
            "--token",
            &token,
            "--ntp",
            "10.0.2.2",
        ])
        .args(["--server", &format!("http://10.0.2.2:{port}/")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kioskctl provision: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut qmp = board.power_on();
    let since = board.started;
    let (welcome, appeared) = first_frame(&mut qmp, dir.path(), since, BOOT);
    let mut ch = board.channel();
    // The first frame may be the start-up screen while it enrols: wait for the welcome screen.
    let want = reference("welcome-es");
    let deadline = Instant::now() + Duration::from_mins(2);
    let mut now = welcome;
    while now.differs_from(&want, TOLERANCE) > MAX_DIFFERING && Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(2));
        now = settled(&mut qmp, dir.path());
    }
    now.save_png(&ev.join("02-welcome.png")).unwrap();
    let diff = now.differs_from(&want, TOLERANCE);
    println!(
        "provisioned: first frame {appeared:.1?} after power-on; welcome differs from --screenshots on {:.3}% of pixels",
        diff * 100.0
    );
    assert!(
        diff <= MAX_DIFFERING,
        "the welcome screen is not --screenshots' ({:.2}% differ): see target/appliance/",
        diff * 100.0
    );

    inside_the_appliance(&mut ch, &ev);

    // A finger on "Reservar una cita" (where --screenshots draws it at 800x480) opens sign-in.
    qmp.tap(238, 426, WIDTH, HEIGHT).unwrap();
    let want = reference("sign-in-es");
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut now = settled(&mut qmp, dir.path());
    while now.differs_from(&want, TOLERANCE) > MAX_DIFFERING && Instant::now() < deadline {
        now = settled(&mut qmp, dir.path());
    }
    now.save_png(&ev.join("03-sign-in.png")).unwrap();
    let diff = now.differs_from(&want, TOLERANCE);
    assert!(
        diff <= MAX_DIFFERING,
        "a tap on \"Reservar una cita\" did not open sign-in ({:.2}% unlike --screenshots')",
        diff * 100.0
    );

    // It enrolled and reports in: the heartbeat names the image and the slot it booted.
    let deadline = Instant::now() + Duration::from_mins(2);
    let beat = loop {
        let beats = rt.block_on(central.admin(reqwest::Method::GET, "heartbeats", None));
        let found = beats["heartbeats"]
            .as_array()
            .and_then(|l| l.iter().find(|b| b["body"]["kiosk"] == "EMU-LOBBY-1"))
            .cloned();
        match found {
            Some(b) => break b,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_secs(2)),
            None => panic!("no heartbeat from the appliance in 120 s: {beats}"),
        }
    };
    assert_eq!(beat["body"]["slot"], "A", "{beat}");
    assert!(
        beat["body"]["system"]
            .as_str()
            .is_some_and(|s| s.starts_with("Citas SRE kiosk")),
        "{beat}"
    );
    // Its clock is set from the provisioned time server (the test's, on loopback).
    let synced = guest(&mut ch, "timedatectl show -p NTPSynchronized --value");
    assert_eq!(
        synced.trim(),
        "yes",
        "the clock is not synchronised from the provisioned NTP server"
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

    std::mem::drop(ntp.kill());
    let _ = ntp.wait();
    board.power_off(&mut ch);
}

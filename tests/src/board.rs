//! The emulated appliance as a test holds it: a copy of the card, the board that boots it
//! (`images/qemu/run.sh`, in the calling thread's network namespace), what its display shows,
//! and its boots as the guest counts them. The devices' protocols are in [`crate::qemu`].

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::qemu::{Channel, Frame, Qmp};

/// A card in the emulated board, and the board's power.
#[derive(Debug)]
pub struct Board {
    repo: PathBuf,
    card: PathBuf,
    state: PathBuf,
    evidence: PathBuf,
    size: (u32, u32),
    stick: Option<PathBuf>,
    qemu: Option<Child>,
    started: Instant,
}

impl Board {
    /// A board with a sparse copy of `template` (the card images/qemu/build made) in `dir`;
    /// `evidence` keeps its console logs.
    pub fn new(repo: &Path, template: &Path, dir: &Path, size: (u32, u32), evidence: &Path) -> std::io::Result<Board> {
        let card = dir.join("card.img");
        let ok = Command::new("cp")
            .arg("--sparse=always")
            .arg(template)
            .arg(&card)
            .status()?;
        if !ok.success() {
            return Err(std::io::Error::other(format!("copying {}", template.display())));
        }
        Ok(Board {
            repo: repo.to_owned(),
            card,
            state: dir.join("board"),
            evidence: evidence.to_owned(),
            size,
            stick: None,
            qemu: None,
            started: Instant::now(),
        })
    }

    /// The card's image file (to provision it while the board is off).
    pub fn card(&self) -> &Path {
        &self.card
    }

    /// When the board was last powered on.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// From the next power-on, a USB stick holding `image` (a filesystem image) is plugged in.
    pub fn plug_stick(&mut self, image: &Path) {
        self.stick = Some(image.to_owned());
    }

    /// Powers the board on; returns its QMP connection.
    pub fn power_on(&mut self) -> std::io::Result<Qmp> {
        if self.qemu.is_some() {
            return Err(std::io::Error::other("the board is already on"));
        }
        let mut run = Command::new(self.repo.join("images/qemu/run.sh"));
        run.arg(&self.card).arg(&self.state).args([
            "--size",
            &format!("{}x{}", self.size.0, self.size.1),
            "--foreground",
        ]);
        if let Some(stick) = &self.stick {
            run.arg("--stick").arg(stick);
        }
        let child = run.stdin(Stdio::null()).spawn()?;
        self.started = Instant::now();
        self.qemu = Some(child);
        Qmp::connect(&self.state.join("qmp.sock"), Duration::from_secs(30))
    }

    /// The test image's command channel, once the guest's shell answers (within `within`).
    pub fn channel(&self, within: Duration) -> std::io::Result<Channel> {
        let mut ch = Channel::connect(&self.state.join("shell.sock"), Duration::from_secs(30))?;
        ch.wait_ready(within)?;
        Ok(ch)
    }

    /// What the serial console has printed since the first power-on (U-Boot, the kernel).
    pub fn console(&self) -> String {
        std::fs::read(self.state.join("console.log"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The console's last lines, for a failure's message.
    pub fn console_tail(&self) -> String {
        let text = self.console();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(80)..].join("\n")
    }

    /// The slots the boot script has booted, in order ("citas: booting slot X" on the console).
    pub fn slots_booted(&self) -> Vec<char> {
        self.console()
            .lines()
            .filter_map(|l| l.split("citas: booting slot ").nth(1))
            .filter_map(|rest| rest.chars().next())
            .collect()
    }

    /// Powers off through the guest (a clean shutdown), waits for QEMU to end and keeps the
    /// console log in the evidence directory as `console-NAME.log`.
    pub fn power_off(&mut self, ch: &mut Channel, name: &str) -> std::io::Result<()> {
        let _ = ch.run("systemctl poweroff --no-block", Duration::from_secs(10));
        let mut child = self
            .qemu
            .take()
            .ok_or_else(|| std::io::Error::other("the board is off"))?;
        let deadline = Instant::now() + Duration::from_mins(2);
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(std::io::Error::other(format!(
                    "the appliance did not power off in 120 s:\n{}",
                    self.console_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        self.keep_console(name);
        Ok(())
    }

    /// Copies the console log so far into the evidence directory.
    pub fn keep_console(&self, name: &str) {
        let log = self.state.join("console.log");
        if log.exists() {
            let _ = std::fs::copy(&log, self.evidence.join(format!("console-{name}.log")));
        }
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        // A developer's look at a failed boot: KIOSK_APPLIANCE_HOLD=MINUTES keeps the board on
        // (and the simulators of the test, dropped after it) for that long.
        if std::thread::panicking()
            && let Some(minutes) = std::env::var("KIOSK_APPLIANCE_HOLD")
                .ok()
                .and_then(|m| m.parse::<u64>().ok())
            && self.qemu.is_some()
        {
            eprintln!(
                "KIOSK_APPLIANCE_HOLD: the board stays on for {minutes} min: {}/shell.sock, {}/qmp.sock",
                self.state.display(),
                self.state.display()
            );
            std::thread::sleep(Duration::from_mins(minutes));
        }
        if let Some(mut c) = self.qemu.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The guest's boot id (a new one at every boot).
pub fn boot_id(ch: &mut Channel) -> std::io::Result<String> {
    let out = ch.run("cat /proc/sys/kernel/random/boot_id", Duration::from_secs(10))?;
    Ok(out.text.trim().to_owned())
}

/// Waits until the guest answers from a boot other than `previous` (it rebooted); returns the
/// new boot's id.
pub fn next_boot(ch: &mut Channel, previous: &str, within: Duration) -> std::io::Result<String> {
    let deadline = Instant::now() + within;
    loop {
        match ch.run("cat /proc/sys/kernel/random/boot_id", Duration::from_secs(5)) {
            Ok(out) if !out.text.trim().is_empty() && out.text.trim() != previous => {
                return Ok(out.text.trim().to_owned());
            }
            Ok(_) => std::thread::sleep(Duration::from_secs(1)),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => return Err(e),
        }
        if Instant::now() > deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("the guest did not boot again within {within:?}"),
            ));
        }
    }
}

/// Waits until the display shows a screen of `size` mostly in the kiosk's `background` colour
/// (what U-Boot, the kernel and QEMU's "Display output is not active" show before it is black
/// with text), then until it stops changing; returns it and when it first appeared.
pub fn first_frame(
    qmp: &mut Qmp,
    dir: &Path,
    since: Instant,
    within: Duration,
    (size, background): ((u32, u32), [u8; 3]),
) -> std::io::Result<(Frame, Duration)> {
    let deadline = since + within;
    let appeared = loop {
        let f = qmp.screendump(dir)?;
        if (f.width, f.height) == size && f.share_of(background, 8) > 0.4 {
            break since.elapsed();
        }
        if Instant::now() > deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no kiosk on the display within {within:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    Ok((settled(qmp, dir)?, appeared))
}

/// The display once two screendumps a second apart agree (at most a minute).
pub fn settled(qmp: &mut Qmp, dir: &Path) -> std::io::Result<Frame> {
    let mut last = qmp.screendump(dir)?;
    for _ in 0..60 {
        std::thread::sleep(Duration::from_secs(1));
        let now = qmp.screendump(dir)?;
        if now == last {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

/// Waits (within `within`) for the display to show `want`: no more than `max_differing` of its
/// pixels off by more than `tolerance`. Returns the last settled screen and its share of
/// differing pixels, whether or not it got there.
pub fn wait_for_screen(
    qmp: &mut Qmp,
    dir: &Path,
    want: &Frame,
    (tolerance, max_differing): (u8, f64),
    within: Duration,
) -> std::io::Result<(Frame, f64)> {
    let deadline = Instant::now() + within;
    loop {
        let now = settled(qmp, dir)?;
        let diff = now.differs_from(want, tolerance);
        if diff <= max_differing || Instant::now() > deadline {
            return Ok((now, diff));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// A time server for the guest (chrony, serving its own clock) on the calling thread's
/// namespace's loopback, the guest's 10.0.2.2; its files in `dir`.
pub fn start_ntp(dir: &Path) -> std::io::Result<Child> {
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
    )?;
    Command::new("chronyd")
        .args(["-x", "-d", "-f"])
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("chronyd: {e} (scripts/install-peers installs chrony)"),
            )
        })
}

/// A USB stick's filesystem (ext4) holding `files`, written to `image`.
pub fn make_stick(files: &[&Path], image: &Path) -> std::io::Result<()> {
    let dir = image.with_extension("d");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut bytes = 0;
    for f in files {
        let name = f
            .file_name()
            .ok_or_else(|| std::io::Error::other(format!("{} has no name", f.display())))?;
        let to = dir.join(name);
        if std::fs::hard_link(f, &to).is_err() {
            std::fs::copy(f, &to)?;
        }
        bytes += std::fs::metadata(f)?.len();
    }
    let mib = bytes / (1 << 20) * 11 / 10 + 16;
    let out = Command::new("mkfs.ext4")
        .args(["-q", "-F", "-L", "STICK", "-d"])
        .arg(&dir)
        .arg(image)
        .arg(format!("{mib}M"))
        .env(
            "PATH",
            format!("{}:/usr/sbin:/sbin", std::env::var("PATH").unwrap_or_default()),
        )
        .output()?;
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "mkfs.ext4 for the stick: {}",
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

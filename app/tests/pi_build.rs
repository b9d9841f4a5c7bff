//! The Raspberry Pi's own build (aarch64, `--no-default-features --features pi`, made by
//! scripts/build-aarch64) runs: under qemu-user its `demo` build (`citas-kiosk-demo`, the same
//! code with the simulators) renders every screen of `--demo --screenshots` at 1280x800 as this
//! machine's build does, pixel for pixel; its kioskctl checks a kiosk.toml; the image's
//! `citas-kiosk` links the Pi's display and touch stack (linuxkms: libinput, libudev, GBM), not a
//! desktop window, and carries no simulator: `--demo` says so.
//!
//! The Pi's binaries are found in KIOSK_PI_BUILD_DIR (scripts/test sets it); without them the
//! test fails, naming the script that makes them.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Screens whose content is the moment or the simulator's randomness, not the renderer: a
/// confirmation code drawn at random, a Llave MX code and QR with the simulator's port, the
/// calendar's countdown of the held time, the health report's clock, latencies, uptime and free
/// space. Two runs of the same binary differ there; they are left out, and the test checks that
/// every other screen is the same in two runs of this machine's build.
const LIVE: &[(&str, &str)] = &[
    ("lookup-found", "the sample booking's random code"),
    ("lookup-confirm-cancel", "the sample booking's random code"),
    ("llave-mx", "a new device code, its QR and the simulator's port"),
    ("date-time", "the countdown of the held time"),
    (
        "inactivity-warning",
        "the countdown of the held time behind the warning",
    ),
    ("date-time-review", "the countdown of the held time"),
    ("confirmation", "a new booking's random code and QR"),
    ("my-procedures", "the bookings' random codes"),
    ("maintenance-health", "the time checked, latency, uptime, free space"),
    ("maintenance-devices", "the last tickets' random codes"),
];

/// What may differ between the two builds outside those screens: a pixel's channels by at most
/// one level, on at most this share of a screen's pixels. The renderer, the fonts and the layout
/// are the same code on both, so text and shapes match exactly; the scanned pages' thumbnails
/// are decoded (zune-jpeg) and resampled (fast_image_resize) with NEON on the Pi and AVX2 here,
/// whose integer rounding may differ by one (seen: 91 pixels of step 4's thumbnails, off by 1).
const MAX_CHANNEL_DELTA: u8 = 1;
/// At most this many pixels in a thousand.
const MAX_DIFFERING_PER_MILLE: usize = 1;

fn pi_build_dir() -> PathBuf {
    let dir = std::env::var_os("KIOSK_PI_BUILD_DIR").map_or_else(
        || {
            panic!(
                "KIOSK_PI_BUILD_DIR is not set: run scripts/test, or scripts/build-aarch64 and \
             KIOSK_PI_BUILD_DIR=target/aarch64-unknown-linux-gnu/ci-pi"
            )
        },
        PathBuf::from,
    );
    for bin in ["citas-kiosk", "citas-kiosk-demo", "kioskctl"] {
        assert!(
            dir.join(bin).is_file(),
            "{} is missing: run scripts/build-aarch64",
            dir.join(bin).display()
        );
    }
    dir
}

/// What a command printed, both streams.
fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn qemu() -> Command {
    let mut c = Command::new("qemu-aarch64-static");
    // The arm64 libraries of Debian's multiarch packages, and their loader, are under /.
    c.env("QEMU_LD_PREFIX", "/");
    c
}

fn screenshots(mut cmd: Command, dir: &Path) {
    let out = cmd
        .args(["--demo", "--screenshots"])
        .arg(dir)
        .args(["--size", "1280x800"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (scripts/build-aarch64 installs qemu-user-static)"));
    assert!(out.status.success(), "{cmd:?} failed: {}", text(&out));
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "png"))
        .collect()
}

/// A screenshot's size and RGBA pixels.
fn pixels(path: &Path) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Rgba, png::BitDepth::Eight),
        "{}",
        path.display()
    );
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// How many pixels differ, and by how much at most in any channel.
fn difference(a: &Path, b: &Path) -> (usize, u8, usize) {
    let (wa, ha, pa) = pixels(a);
    let (wb, hb, pb) = pixels(b);
    assert_eq!((wa, ha), (wb, hb), "{} and {} differ in size", a.display(), b.display());
    let mut differing = 0;
    let mut worst = 0;
    for (x, y) in pa.chunks_exact(4).zip(pb.chunks_exact(4)) {
        let delta = x.iter().zip(y).map(|(p, q)| p.abs_diff(*q)).max().unwrap_or(0);
        if delta > 0 {
            differing += 1;
            worst = worst.max(delta);
        }
    }
    (differing, worst, (wa * ha) as usize)
}

/// Whether `file` (`NN-screen-LANG.png`, as `--screenshots` names it) is `screen`'s picture.
fn is_screen(file: &str, screen: &str) -> bool {
    kiosk_tests::screenshot_of(file).and_then(|s| s.strip_suffix("-es").or_else(|| s.strip_suffix("-en")))
        == Some(screen)
}

fn is_live(name: &str) -> bool {
    LIVE.iter().any(|(screen, _)| is_screen(name, screen))
}

#[test]
fn the_pi_build_draws_every_screen_as_this_machines_build_does() {
    let pi = pi_build_dir();
    let tmp = tempfile::tempdir().unwrap();
    let (here, here_again, on_pi) = (
        tmp.path().join("x86"),
        tmp.path().join("x86-again"),
        tmp.path().join("pi"),
    );
    for d in [&here, &here_again, &on_pi] {
        std::fs::create_dir(d).unwrap();
    }
    // The Pi's run beside this build's two, which follow each other so that a screen showing
    // the clock differs between them (and is caught as live, not compared by chance).
    std::thread::scope(|s| {
        s.spawn(|| {
            screenshots(Command::new(env!("CARGO_BIN_EXE_citas-kiosk")), &here);
            screenshots(Command::new(env!("CARGO_BIN_EXE_citas-kiosk")), &here_again);
        });
        let mut kiosk = qemu();
        kiosk.arg(pi.join("citas-kiosk-demo"));
        screenshots(kiosk, &on_pi);
    });

    let shots = names(&here);
    assert!(shots.len() >= 60, "only {} screenshots", shots.len());
    assert_eq!(names(&on_pi), shots, "the Pi's build renders other screens");
    for (screen, _) in LIVE {
        assert!(
            shots.iter().any(|n| is_screen(n, screen)),
            "{screen} is no screen any more: take it off LIVE"
        );
    }

    let mut compared = 0;
    let mut report = Vec::new();
    for name in shots.iter().filter(|n| !is_live(n)) {
        let (again, _, _) = difference(&here.join(name), &here_again.join(name));
        assert_eq!(
            again, 0,
            "{name} differs between two runs of the same build: its content is live (add it to LIVE with the reason) or the renderer is not deterministic"
        );
        let (differing, worst, total) = difference(&here.join(name), &on_pi.join(name));
        assert!(
            worst <= MAX_CHANNEL_DELTA && differing * 1000 <= MAX_DIFFERING_PER_MILLE * total,
            "{name}: {differing} of {total} pixels differ on the Pi's build, by up to {worst} levels"
        );
        if differing > 0 {
            report.push(format!("{name}: {differing} pixels by {worst}"));
        }
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} screens compared");
    println!(
        "{compared} screens compared, {} live left out; within the budget: {}",
        shots.len() - compared,
        if report.is_empty() {
            "none differ".to_owned()
        } else {
            report.join(", ")
        }
    );
}

#[test]
fn the_pi_build_links_the_pis_display_and_touch_stack() {
    let kiosk = pi_build_dir().join("citas-kiosk");
    let elf = std::fs::read(&kiosk).unwrap();
    // ELF, 64-bit, little-endian, e_machine 183 (EM_AARCH64).
    assert_eq!(&elf[..6], b"\x7fELF\x02\x01", "not a 64-bit little-endian ELF");
    assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 183, "not an aarch64 binary");
    let out = Command::new("readelf").arg("--dynamic").arg(&kiosk).output().unwrap();
    let dynamic = String::from_utf8_lossy(&out.stdout);
    for lib in [
        "libinput.so",
        "libudev.so",
        "libgbm.so",
        "libxkbcommon.so",
        "libfontconfig.so",
    ] {
        assert!(
            dynamic.contains(&format!("Shared library: [{lib}")),
            "the Pi's kiosk does not link {lib}: is it built with --features pi?\n{dynamic}"
        );
    }
    for lib in ["libX11", "libwayland-client", "libxcb"] {
        assert!(
            !dynamic.contains(lib),
            "the Pi's kiosk links {lib}: a desktop backend is in it"
        );
    }
}

#[test]
fn the_pis_kiosk_carries_no_simulator_and_says_so_when_asked_for_the_demo() {
    let kiosk = pi_build_dir().join("citas-kiosk");
    let out = qemu().arg(&kiosk).arg("--demo").output().unwrap();
    let said = text(&out);
    assert!(!out.status.success(), "the Pi's kiosk ran --demo: {said}");
    assert!(said.contains("has no demo"), "the refusal does not say why: {said}");
    // The simulators' own strings are not in the binary at all.
    let elf = std::fs::read(&kiosk).unwrap();
    for sim in [b"kiosk_sim".as_slice(), b"axum".as_slice()] {
        assert!(
            !elf.windows(sim.len()).any(|w| w == sim),
            "{} is in the Pi's kiosk",
            String::from_utf8_lossy(sim)
        );
    }
    let demo = std::fs::read(pi_build_dir().join("citas-kiosk-demo")).unwrap();
    assert!(
        demo.windows(9).any(|w| w == b"kiosk_sim"),
        "the check above cannot fail: the demo build has no kiosk_sim either"
    );
}

#[test]
fn the_pis_kioskctl_checks_a_kiosk_toml() {
    let ctl = pi_build_dir().join("kioskctl");
    let check = |path: &Path| qemu().arg(&ctl).args(["config", "check"]).arg(path).output().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../system/config/kiosk.example.toml");
    let good = check(&example);
    assert!(
        good.status.success(),
        "kioskctl config check failed on the example: {}",
        text(&good)
    );
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("kiosk.toml");
    std::fs::write(&bad, "[kiosk]\nid = \"\"\nunknown_field = 1\n").unwrap();
    let refused = check(&bad);
    assert!(
        !refused.status.success(),
        "a broken kiosk.toml passed on the Pi's kioskctl"
    );
    let said = text(&refused);
    assert!(said.contains("unknown_field"), "the unknown field is not named: {said}");
}

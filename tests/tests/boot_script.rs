//! The kiosk's U-Boot script (yocto/meta-citas/recipes-bsp/rpi-u-boot-scr/files/boot.cmd.in),
//! run by a real U-Boot (Debian's build for QEMU's arm64 board) from a disk with the kiosk's
//! layout (images/build-test-image.sh): it boots the slot RAUC put first while it has tries,
//! takes one try per boot, loads the kernel of the slot it chose, gives the kernel that slot as
//! its root, and after three failed boots of an update goes back to the previous slot.
//!
//! What QEMU cannot show: the Pi's SD card is `mmc 0` there and the environment lives in
//! uboot.env on the FAT (here the disk is `virtio 0` and the environment is in flash, whose
//! writes QEMU's flash emulation refuses; each boot's environment is the one the script left,
//! as it printed it).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

const UBOOT: &str = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";
const FLASH: u64 = 64 << 20;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (scripts/install-peers installs it)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?}: {}\n{text}", out.status);
    text
}

/// RAUC's variables in U-Boot's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tries {
    order: String,
    a: u32,
    b: u32,
}

fn tries(order: &str, a: u32, b: u32) -> Tries {
    Tries {
        order: order.into(),
        a,
        b,
    }
}

/// The slot one boot chose, as the script said it.
#[derive(Debug)]
struct Chosen {
    /// `(slot, its partition, root=)`.
    place: (String, String, String),
    /// The environment the script saved.
    left: Tries,
    /// The kernel file was read from the chosen slot.
    kernel_loaded: bool,
}

/// What one boot did: `chosen` is `None` when no slot had tries left.
#[derive(Debug)]
struct Boot {
    chosen: Option<Chosen>,
    console: String,
}

impl Boot {
    fn chosen(&self) -> &Chosen {
        self.chosen
            .as_ref()
            .unwrap_or_else(|| panic!("no slot chosen:\n{}", self.console))
    }

    fn place(&self) -> (&str, &str, &str) {
        let (s, p, r) = &self.chosen().place;
        (s, p, r)
    }
}

struct Board {
    _dir: tempfile::TempDir,
    disk: PathBuf,
    code_flash: PathBuf,
    env_flash: PathBuf,
    env_text: PathBuf,
}

impl Board {
    /// A card with the kiosk's layout: slot A holds a root with a kernel, slot B is empty (as
    /// written by the factory); the boot partition holds the script, packed as the recipe does.
    fn new() -> Board {
        assert!(
            Path::new(UBOOT).exists(),
            "{UBOOT} is missing: scripts/install-peers installs u-boot-qemu"
        );
        let dir = tempfile::tempdir().unwrap();
        let rootfs = dir.path().join("rootfs");
        std::fs::create_dir_all(rootfs.join("boot")).unwrap();
        std::fs::write(rootfs.join("boot/Image"), vec![0x5a; 4096]).unwrap();
        let boot = dir.path().join("boot");
        std::fs::create_dir_all(&boot).unwrap();
        let script =
            std::fs::read_to_string(repo().join("yocto/meta-citas/recipes-bsp/rpi-u-boot-scr/files/boot.cmd.in"))
                .unwrap()
                // What rpi-u-boot-scr's do_compile puts in for a 64-bit Pi.
                .replace("@@KERNEL_IMAGETYPE@@", "Image")
                .replace("@@KERNEL_BOOTCMD@@", "booti");
        let cmd = dir.path().join("boot.cmd");
        std::fs::write(&cmd, script).unwrap();
        run(Command::new("mkimage")
            .args(["-A", "arm64", "-O", "linux", "-T", "script", "-C", "none", "-d"])
            .arg(&cmd)
            .arg(boot.join("boot.scr")));
        let disk = dir.path().join("card.img");
        run(Command::new("bash")
            .arg(repo().join("images/build-test-image.sh"))
            .args([&rootfs, &disk, &boot]));
        let code_flash = dir.path().join("flash0.img");
        std::fs::copy(UBOOT, &code_flash).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&code_flash)
            .unwrap()
            .set_len(FLASH)
            .unwrap();
        Board {
            env_flash: dir.path().join("flash1.img"),
            env_text: dir.path().join("env.txt"),
            disk,
            code_flash,
            _dir: dir,
        }
    }

    /// Powers the board on with `tries` in U-Boot's environment, until U-Boot powers off (or
    /// resets, which ends QEMU too).
    fn boot(&self, tries: &Tries) -> Boot {
        std::fs::write(
            &self.env_text,
            format!(
                "bootdelay=0\n\
                 bootcmd=virtio scan; load virtio 0:1 0x40200000 boot.scr && source 0x40200000; poweroff\n\
                 kernel_addr_r=0x40400000\n\
                 citas_disk=virtio 0\n\
                 BOOT_ORDER={}\nBOOT_A_LEFT={}\nBOOT_B_LEFT={}\n",
                tries.order, tries.a, tries.b
            ),
        )
        .unwrap();
        run(Command::new("mkenvimage")
            .args(["-s", "0x40000", "-o"])
            .arg(&self.env_flash)
            .arg(&self.env_text));
        std::fs::File::options()
            .write(true)
            .open(&self.env_flash)
            .unwrap()
            .set_len(FLASH)
            .unwrap();
        let flash = |p: &Path, ro: &str| format!("if=pflash,format=raw,file={}{ro}", p.display());
        // `timeout` only guards against a U-Boot that never ends; a boot takes about a second.
        let console = run(Command::new("timeout")
            .args([
                "120",
                "qemu-system-aarch64",
                "-M",
                "virt",
                "-cpu",
                "cortex-a57",
                "-m",
                "256",
            ])
            .args(["-nographic", "-no-reboot", "-nic", "none", "-drive"])
            .arg(flash(&self.code_flash, ",readonly=on"))
            .arg("-drive")
            .arg(flash(&self.env_flash, ""))
            .arg("-drive")
            .arg(format!("if=none,format=raw,id=card,file={}", self.disk.display()))
            .args(["-device", "virtio-blk-device,drive=card"])
            .stdin(std::process::Stdio::null()));
        parse(console)
    }
}

/// Reads the script's own line: `citas: booting slot A from virtio 0:2, root=/dev/mmcblk0p2
/// (tries left: A 2, B 3; order A B)`.
fn parse(console: String) -> Boot {
    if console.contains("No RAUC slot has tries left") {
        assert!(console.contains("resetting"), "{console}");
        return Boot { chosen: None, console };
    }
    let line = console
        .lines()
        .find_map(|l| l.trim().strip_prefix("citas: booting slot "))
        .unwrap_or_else(|| panic!("the script said nothing:\n{console}"))
        .to_owned();
    let (slot, rest) = line.split_once(" from ").unwrap();
    let (part, rest) = rest.split_once(", root=").unwrap();
    let (root, rest) = rest.split_once(" (tries left: A ").unwrap();
    let (a, rest) = rest.split_once(", B ").unwrap();
    let (b, rest) = rest.split_once("; order ").unwrap();
    let order = rest.strip_suffix(')').unwrap();
    let after = &console[console.find("citas: booting slot ").unwrap()..];
    let chosen = Chosen {
        place: (slot.to_owned(), part.to_owned(), root.to_owned()),
        left: tries(order, a.parse().unwrap(), b.parse().unwrap()),
        kernel_loaded: after.contains("4096 bytes read"),
    };
    Boot {
        chosen: Some(chosen),
        console,
    }
}

#[test]
fn a_failed_update_boots_three_times_then_the_previous_slot_comes_back_and_a_card_out_of_tries_starts_over() {
    let board = Board::new();

    // The factory's card: slot A, one try taken, its kernel from its own partition.
    let first = board.boot(&tries("A B", 3, 3));
    assert_eq!(
        first.place(),
        ("A", "virtio 0:2", "/dev/mmcblk0p2"),
        "{}",
        first.console
    );
    assert_eq!(first.chosen().left, tries("A B", 2, 3));
    assert!(
        first.chosen().kernel_loaded,
        "the kernel of slot A was not read:\n{}",
        first.console
    );

    // The kiosk got on screen: `rauc status mark-good` gives A its tries back. Then an update is
    // installed into B and marked active: B first, with three tries.
    let mut state = tries("B A", 3, 3);
    for left in [2, 1, 0] {
        let boot = board.boot(&state);
        // B boots (here its kernel is missing: the update is broken), one try fewer each time.
        assert_eq!(boot.place(), ("B", "virtio 0:3", "/dev/mmcblk0p3"), "{}", boot.console);
        assert_eq!(boot.chosen().left, tries("B A", 3, left));
        assert!(!boot.chosen().kernel_loaded);
        state = boot.chosen().left.clone();
    }
    // Three failed boots of B: A, the previous system, comes back by itself.
    let back = board.boot(&state);
    assert_eq!(back.place(), ("A", "virtio 0:2", "/dev/mmcblk0p2"), "{}", back.console);
    assert_eq!(back.chosen().left, tries("B A", 2, 0));
    assert!(back.chosen().kernel_loaded);

    // Neither slot has tries left (both broken): both get three again and the board resets.
    let reset = board.boot(&tries("B A", 0, 0));
    assert!(reset.chosen.is_none(), "{}", reset.console);
    assert!(
        reset
            .console
            .contains("No RAUC slot has tries left: both get three again"),
        "{}",
        reset.console
    );
}

//! The kiosk's U-Boot script (yocto/meta-citas/recipes-bsp/rpi-u-boot-scr/files/boot.cmd.in),
//! run by a real U-Boot (Debian's build for QEMU's arm64 board, with the emulated appliance's
//! own environment, images/qemu/uboot-env.sh) from a disk with the kiosk's layout
//! (images/build-test-image.sh): it boots the slot RAUC put first while it has tries, takes one
//! try per boot, loads the kernel of the slot it chose, gives the kernel that slot as its root,
//! after three failed boots of an update goes back to the previous slot, and keeps RAUC's state
//! in uboot.env on the card's FAT, as the Pi does. What else is on the card is not trusted: a
//! `bootargs`, `init=` or `bootcmd` planted in uboot.env never reaches the kernel.
//!
//! What QEMU cannot show: the Pi's SD card is `mmc 0` there (here `virtio 0`), and the Pi's
//! U-Boot is built with yocto/meta-citas/recipes-bsp/u-boot/files/citas-lockdown.cfg, whose
//! bootcmd is this board's with the Pi's names (a test below holds the two to each other).

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
    /// The tries the script said it left (and saved: `parse` checks the card).
    left: Tries,
    /// The kernel command line the script gave.
    cmdline: String,
    /// The kernel file was read from the chosen slot.
    kernel_loaded: bool,
}

/// What one boot did: `chosen` is `None` when no slot had tries left.
#[derive(Debug)]
struct Boot {
    chosen: Option<Chosen>,
    /// uboot.env on the card after the boot.
    saved: Vec<(String, String)>,
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

/// RAUC's variables as uboot.env holds them (`env export` sorts them by name), and nothing
/// else.
fn saved(t: &Tries) -> Vec<(String, String)> {
    vec![
        ("BOOT_A_LEFT".into(), t.a.to_string()),
        ("BOOT_B_LEFT".into(), t.b.to_string()),
        ("BOOT_ORDER".into(), t.order.clone()),
    ]
}

struct Board {
    _dir: tempfile::TempDir,
    disk: PathBuf,
    code_flash: PathBuf,
    env_flash: PathBuf,
    work: PathBuf,
}

/// The boot partition's offset in the card, for mtools (images/layout.env: BOOT_START_MIB=4).
const BOOT_OFFSET: u64 = 4 << 20;

/// Reads uboot.env as `env export -c` writes it (and RAUC's libubootenv): a CRC-32, then
/// `name=value` strings each ended by a NUL, then NULs.
fn env_vars(bytes: &[u8]) -> Vec<(String, String)> {
    assert!(bytes.len() > 4, "uboot.env is {} bytes", bytes.len());
    bytes[4..]
        .split(|b| *b == 0)
        .take_while(|entry| !entry.is_empty())
        .map(|entry| {
            let text = String::from_utf8_lossy(entry);
            let (k, v) = text.split_once('=').unwrap_or((&text, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

impl Board {
    /// A card with the kiosk's layout: slot A holds a root with a kernel, slot B is empty (as
    /// written by the factory); the boot partition holds the script, packed as the recipe does.
    /// `bootcmd` is the board's; `None` is the emulated appliance's own.
    fn new(bootcmd: Option<&str>) -> Board {
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
        set_len(&code_flash, FLASH);

        // The board's own environment, in its flash: never written, as the Pi's is compiled in.
        let mut env = run(Command::new("bash").arg(repo().join("images/qemu/uboot-env.sh")));
        if let Some(bootcmd) = bootcmd {
            env = env
                .lines()
                .map(|l| {
                    if l.starts_with("bootcmd=") {
                        format!("bootcmd={bootcmd}")
                    } else {
                        l.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
        }
        let env_text = dir.path().join("board-env.txt");
        std::fs::write(&env_text, env).unwrap();
        let env_flash = dir.path().join("flash1.img");
        run(Command::new("mkenvimage")
            .args(["-s", "0x40000", "-o"])
            .arg(&env_flash)
            .arg(&env_text));
        set_len(&env_flash, FLASH);
        Board {
            env_flash,
            work: dir.path().to_owned(),
            disk,
            code_flash,
            _dir: dir,
        }
    }

    fn mtools_image(&self) -> String {
        format!("{}@@{BOOT_OFFSET}", self.disk.display())
    }

    /// Puts uboot.env on the card's FAT, as RAUC (or someone with the card) would write it.
    fn write_card_env(&self, vars: &[(&str, String)]) {
        let lines: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let txt = self.work.join("card-env.txt");
        std::fs::write(&txt, lines.join("\n") + "\n").unwrap();
        let bin = self.work.join("uboot.env");
        run(Command::new("mkenvimage")
            .args(["-s", "0x4000", "-o"])
            .arg(&bin)
            .arg(&txt));
        run(Command::new("mcopy")
            .args(["-o", "-i", &self.mtools_image()])
            .arg(&bin)
            .arg("::uboot.env"));
    }

    /// uboot.env as the card holds it now.
    fn card_env(&self) -> Vec<(String, String)> {
        let out = self.work.join("uboot.env.read");
        run(Command::new("mcopy")
            .args(["-n", "-o", "-i", &self.mtools_image(), "::uboot.env"])
            .arg(&out));
        env_vars(&std::fs::read(&out).unwrap())
    }

    /// Writes `tries` into the card's uboot.env as RAUC does, and `planted`, what else
    /// someone with the card wrote there.
    fn set(&self, tries: &Tries, planted: &[(&str, &str)]) {
        let mut vars = vec![
            ("BOOT_ORDER", tries.order.clone()),
            ("BOOT_A_LEFT", tries.a.to_string()),
            ("BOOT_B_LEFT", tries.b.to_string()),
        ];
        vars.extend(planted.iter().map(|(k, v)| (*k, (*v).to_owned())));
        self.write_card_env(&vars);
    }

    /// Powers the board on with the card as it is, until U-Boot powers off (or resets, which
    /// ends QEMU too).
    fn boot(&self) -> Boot {
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
            .arg(flash(&self.env_flash, ",readonly=on"))
            .arg("-drive")
            .arg(format!("if=none,format=raw,id=card,file={}", self.disk.display()))
            .args(["-device", "virtio-blk-device,drive=card"])
            .stdin(std::process::Stdio::null()));
        parse(console, self.card_env())
    }
}

fn set_len(path: &Path, len: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Reads the script's own lines: `citas: booting slot A from virtio 0:2, root=/dev/vda2
/// (tries left: A 2, B 3; order A B)` and `citas: kernel command line: ...`.
fn parse(console: String, saved_env: Vec<(String, String)>) -> Boot {
    if console.contains("No RAUC slot has tries left") {
        assert!(console.contains("resetting"), "{console}");
        return Boot {
            chosen: None,
            saved: saved_env,
            console,
        };
    }
    let said = |prefix: &str| {
        console
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("the script did not say {prefix:?}:\n{console}"))
            .to_owned()
    };
    let line = said("citas: booting slot ");
    let cmdline = said("citas: kernel command line: ");
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
        cmdline,
        kernel_loaded: after.contains("4096 bytes read"),
    };
    assert_eq!(
        saved_env,
        saved(&chosen.left),
        "the card's uboot.env is not what the script said it left:\n{console}"
    );
    Boot {
        chosen: Some(chosen),
        saved: saved_env,
        console,
    }
}

#[test]
fn a_failed_update_boots_three_times_then_the_previous_slot_comes_back_and_a_card_out_of_tries_starts_over() {
    let board = Board::new(None);

    // The factory's card: slot A, one try taken, its kernel from its own partition.
    board.set(&tries("A B", 3, 3), &[]);
    let first = board.boot();
    assert_eq!(first.place(), ("A", "virtio 0:2", "/dev/vda2"), "{}", first.console);
    assert_eq!(first.chosen().left, tries("A B", 2, 3));
    assert!(
        first.chosen().kernel_loaded,
        "the kernel of slot A was not read:\n{}",
        first.console
    );

    // The kiosk got on screen: `rauc status mark-good` gives A its tries back. Then an update is
    // installed into B and marked active: B first, with three tries. From here on the card's
    // uboot.env is only what the boots leave there.
    board.set(&tries("B A", 3, 3), &[]);
    for left in [2, 1, 0] {
        let boot = board.boot();
        // B boots (here its kernel is missing: the update is broken), one try fewer each time.
        assert_eq!(boot.place(), ("B", "virtio 0:3", "/dev/vda3"), "{}", boot.console);
        assert_eq!(boot.chosen().left, tries("B A", 3, left));
        assert!(!boot.chosen().kernel_loaded);
    }
    // Three failed boots of B: A, the previous system, comes back by itself.
    let back = board.boot();
    assert_eq!(back.place(), ("A", "virtio 0:2", "/dev/vda2"), "{}", back.console);
    assert_eq!(back.chosen().left, tries("B A", 2, 0));
    assert!(back.chosen().kernel_loaded);

    // Neither slot has tries left (both broken): both get three again and the board resets.
    board.set(&tries("B A", 0, 0), &[]);
    let reset = board.boot();
    assert!(reset.chosen.is_none(), "{}", reset.console);
    assert!(
        reset
            .console
            .contains("No RAUC slot has tries left: both get three again"),
        "{}",
        reset.console
    );
    assert_eq!(reset.saved, saved(&tries("B A", 3, 3)));
}

/// What someone with a minute alone with the card writes into its uboot.env to get a root shell
/// or their own kernel arguments.
const PLANTED: &[(&str, &str)] = &[
    ("bootargs", "console=tty1 init=/bin/sh"),
    ("citas_cmdline", "init=/bin/sh"),
    ("citas_root", "/dev/vda2 init=/bin/sh #"),
    ("citas_initrd", "../../boot.scr"),
    ("citas_save", "setenv bootargs init=/bin/sh"),
    (
        "bootcmd",
        "setenv bootargs init=/bin/sh; booti ${kernel_addr_r} - ${fdt_addr}",
    ),
    ("bootdelay", "10"),
];

/// The kernel command line the emulated board's slot A gets, whatever the card says.
const FIXED_CMDLINE: &str = "console=ttyAMA0 panic=5 root=/dev/vda2 rootfstype=ext4 rootwait ro rauc.slot=A";

#[test]
fn ignores_bootargs_init_and_commands_planted_in_the_cards_uboot_env() {
    let board = Board::new(None);
    board.set(&tries("A B", 3, 3), PLANTED);
    let boot = board.boot();
    assert_eq!(boot.place(), ("A", "virtio 0:2", "/dev/vda2"), "{}", boot.console);
    assert_eq!(boot.chosen().cmdline, FIXED_CMDLINE, "{}", boot.console);
    assert!(boot.chosen().kernel_loaded, "{}", boot.console);
    // What was planted is gone from the card: only RAUC's variables were saved back.
    assert_eq!(boot.saved, saved(&tries("A B", 2, 3)));
}

#[test]
fn the_script_alone_ignores_what_a_board_importing_the_whole_card_env_takes_in_and_mends_rauc_garbage() {
    // A U-Boot that takes the card's whole uboot.env (as a stock Pi U-Boot does with its
    // environment on the FAT): the script still builds the command line from nothing of it.
    let bootcmd = "setenv fdt_addr ${fdtcontroladdr}; virtio scan; if load virtio 0:1 ${kernel_addr_r} uboot.env; then env import -c ${kernel_addr_r} 0x4000; fi; load virtio 0:1 ${scriptaddr} boot.scr && source ${scriptaddr}; poweroff";
    let board = Board::new(Some(bootcmd));
    let planted: Vec<(&str, &str)> = PLANTED.iter().copied().filter(|(k, _)| *k != "bootcmd").collect();
    board.set(&tries("A B", 3, 3), &planted);
    let boot = board.boot();
    assert_eq!(boot.chosen().cmdline, FIXED_CMDLINE, "{}", boot.console);
    assert_eq!(boot.saved, saved(&tries("A B", 2, 3)));

    // RAUC's own variables with something else in them count as a new card's.
    board.write_card_env(&[
        ("BOOT_ORDER", "A B; setenv bootargs init=/bin/sh".into()),
        ("BOOT_A_LEFT", "1 -o 1".into()),
        ("BOOT_B_LEFT", "x".into()),
    ]);
    let mended = board.boot();
    assert_eq!(mended.chosen().cmdline, FIXED_CMDLINE, "{}", mended.console);
    assert_eq!(mended.chosen().left, tries("A B", 2, 3), "{}", mended.console);
}

#[test]
fn the_pis_bootcmd_is_the_emulated_boards_with_the_pis_card() {
    let fragment =
        std::fs::read_to_string(repo().join("yocto/meta-citas/recipes-bsp/u-boot/files/citas-lockdown.cfg")).unwrap();
    let pi = fragment
        .lines()
        .find_map(|l| l.strip_prefix("CONFIG_BOOTCOMMAND="))
        .expect("citas-lockdown.cfg sets CONFIG_BOOTCOMMAND");
    let pi = pi
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .expect("a quoted string");
    let env = run(Command::new("bash").arg(repo().join("images/qemu/uboot-env.sh")));
    let qemu = env
        .lines()
        .find_map(|l| l.strip_prefix("bootcmd="))
        .expect("uboot-env.sh sets bootcmd");
    // The emulated board names its card "virtio 0" (after a scan), tells the script its device
    // tree and powers off where the Pi resets.
    let as_pi = qemu
        .replace("setenv fdt_addr ${fdtcontroladdr}; virtio scan; ", "")
        .replace("virtio 0", "mmc 0")
        .replace("; poweroff", "; reset");
    assert_eq!(pi, as_pi);
    for line in [
        "CONFIG_BOOTDELAY=-2",
        "# CONFIG_USB_KEYBOARD is not set",
        "CONFIG_ENV_IS_NOWHERE=y",
        "# CONFIG_ENV_IS_IN_FAT is not set",
    ] {
        assert!(fragment.lines().any(|l| l == line), "citas-lockdown.cfg lacks {line:?}");
    }
}

//! `kioskctl provision`: a technician's provisioning of one kiosk, written as
//! `citas-kiosk.toml` on the boot partition of a card or an image, checked before and
//! read back after, and signed with the fleet's provisioning key when one is given
//! (`citas-kiosk.toml.sig` beside it: an enrolled kiosk adopts nothing else; see `adopt`).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use kiosk_config::signature::{PrivateKey, SIGNATURE_SUFFIX};
use kiosk_config::{BOOT_FILE, Config, Provisioning, Wifi};

/// Where provisioning is put on the boot partition: its root, beside the Pi's `config.txt`.
/// (fatfs 0.3 writes the `.` and `..` entries of a new directory with long names, which
/// fsck.fat rejects, so nothing here creates a directory on the FAT.)

#[derive(Debug, Args)]
pub(crate) struct ProvisionArgs {
    /// The boot partition: a mounted directory (the card's FAT partition), or a disk image
    /// file whose first partition is the FAT boot partition.
    #[arg(long, value_name = "DIR|IMAGE")]
    boot: PathBuf,
    /// This kiosk's id (1 to 64 letters, digits, - or _), as the consulate's records name it.
    #[arg(long)]
    kiosk_id: String,
    /// The consular office it stands in (the central server's id, e.g. LAX).
    #[arg(long)]
    office: String,
    /// The central server's address (https).
    #[arg(long)]
    server: String,
    /// The one-time enrolment token from the consulate's system; `-` reads it from standard
    /// input (so it stays out of the shell's history).
    #[arg(long)]
    token: String,
    /// The Wi-Fi network's name (wired Ethernet when absent).
    #[arg(long, requires = "wifi_psk")]
    wifi_ssid: Option<String>,
    /// Its WPA key.
    #[arg(long, requires = "wifi_ssid")]
    wifi_psk: Option<String>,
    /// An NTP server; repeatable.
    #[arg(long = "ntp", value_name = "HOST")]
    ntp: Vec<String>,
    /// How the panel is mounted: the picture turned clockwise by 0, 90, 180 or 270 degrees
    /// (Touch Display 2 hung landscape: 90 or 270).
    #[arg(long, value_name = "DEGREES")]
    rotation: Option<u16>,
    /// The panel's diagonal in inches (a dense panel is drawn larger: Touch Display 2 is 7).
    #[arg(long, value_name = "INCHES")]
    diagonal_inches: Option<f32>,
    /// The fleet's provisioning key (Ed25519, PKCS#8 PEM): signs the file, so that a kiosk
    /// already enrolled adopts it (an enrolled kiosk refuses an unsigned one).
    #[arg(long, value_name = "KEY.pem")]
    sign: Option<PathBuf>,
}

/// A FAT boot partition to write into.
enum Boot {
    Dir(PathBuf),
    /// An image file and the byte range of its first partition.
    Image {
        path: PathBuf,
        start: u64,
        end: u64,
    },
}

fn open_boot(path: &Path) -> anyhow::Result<Boot> {
    if path.is_dir() {
        return Ok(Boot::Dir(path.to_owned()));
    }
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mbr = mbrman::MBR::read_from(&mut file, 512)
        .with_context(|| format!("{} has no MBR partition table", path.display()))?;
    let first = mbr
        .iter()
        .find(|(i, p)| *i == 1 && p.is_used())
        .map(|(_, p)| p.clone())
        .with_context(|| format!("{} has no first partition", path.display()))?;
    anyhow::ensure!(
        matches!(first.sys, 0x0b | 0x0c | 0x0e | 0x06),
        "the first partition of {} is not FAT (type {:#04x})",
        path.display(),
        first.sys
    );
    let start = u64::from(first.starting_lba) * 512;
    let end = start + u64::from(first.sectors) * 512;
    Ok(Boot::Image {
        path: path.to_owned(),
        start,
        end,
    })
}

fn with_fat<T>(
    path: &Path,
    start: u64,
    end: u64,
    f: impl FnOnce(&fatfs::FileSystem<fscommon::StreamSlice<File>>) -> std::io::Result<T>,
) -> anyhow::Result<T> {
    let file = File::options()
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {} to write", path.display()))?;
    let slice = fscommon::StreamSlice::new(file, start, end)?;
    let fs = fatfs::FileSystem::new(slice, fatfs::FsOptions::new())
        .with_context(|| format!("the boot partition of {} is not a FAT file system", path.display()))?;
    let out = f(&fs)?;
    fs.unmount()?;
    Ok(out)
}

/// Writes `name` at the root of the boot partition, whole (a directory's file is replaced by a
/// rename).
fn write_boot(boot: &Boot, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    match boot {
        Boot::Dir(dir) => {
            let tmp = dir.join(format!(".{name}.new"));
            {
                let mut f = File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
            std::fs::rename(&tmp, dir.join(name))?;
            File::open(dir)?.sync_all()?;
            Ok(())
        }
        Boot::Image { path, start, end } => with_fat(path, *start, *end, |fs| {
            let mut f = fs.root_dir().create_file(name)?;
            f.truncate()?;
            f.write_all(bytes)?;
            f.flush()
        }),
    }
}

/// Removes `name` from the boot partition's root, when it is there.
fn remove_boot(boot: &Boot, name: &str) -> anyhow::Result<()> {
    match boot {
        Boot::Dir(dir) => match std::fs::remove_file(dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        },
        Boot::Image { path, start, end } => with_fat(path, *start, *end, |fs| match fs.root_dir().remove(name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }),
    }
}

fn read_boot(boot: &Boot, name: &str) -> anyhow::Result<Vec<u8>> {
    match boot {
        Boot::Dir(dir) => Ok(std::fs::read(dir.join(name))?),
        Boot::Image { path, start, end } => with_fat(path, *start, *end, |fs| {
            let mut bytes = Vec::new();
            fs.root_dir().open_file(name)?.read_to_end(&mut bytes)?;
            Ok(bytes)
        }),
    }
}

pub(crate) fn provision(args: ProvisionArgs) -> anyhow::Result<ExitCode> {
    let token = if args.token == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading the token")?;
        line.trim().to_owned()
    } else {
        args.token.clone()
    };
    println!("[1/4] checking the configuration of kiosk {}", args.kiosk_id);
    let provisioning = Provisioning {
        kiosk_id: args.kiosk_id.clone(),
        office: args.office.clone(),
        server: args.server.clone(),
        enrolment_token: token,
        wifi: args.wifi_ssid.zip(args.wifi_psk).map(|(ssid, psk)| Wifi { ssid, psk }),
        ntp: args.ntp,
        rotation: args.rotation,
        diagonal_inches: args.diagonal_inches,
    };
    let (text, _) = match provisioning.render(Path::new(BOOT_FILE)) {
        Ok(r) => r,
        Err(e) => {
            for p in &e.problems {
                eprintln!("kioskctl: {p}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let boot = open_boot(&args.boot)?;
    match &boot {
        Boot::Dir(d) => println!("[2/4] boot partition: the directory {}", d.display()),
        Boot::Image { path, start, end } => println!(
            "[2/4] boot partition: {} bytes at offset {start} of {}",
            end - start,
            path.display()
        ),
    }
    // The key is read before anything is written: a wrong key leaves the card as it was.
    let signature = args
        .sign
        .as_deref()
        .map(|path| PrivateKey::read(path).map(|key| key.sign(text.as_bytes())))
        .transpose()?;
    let sig_name = format!("{BOOT_FILE}{SIGNATURE_SUFFIX}");
    println!("[3/4] writing {BOOT_FILE} ({} bytes)", text.len());
    write_boot(&boot, BOOT_FILE, text.as_bytes())?;
    match &signature {
        Some(sig) => {
            write_boot(&boot, &sig_name, sig)?;
            println!("      signed: {sig_name}");
        }
        // An older signature would not match this file: the kiosk would refuse it.
        None => remove_boot(&boot, &sig_name)?,
    }
    let back = String::from_utf8(read_boot(&boot, BOOT_FILE)?).context("the file read back")?;
    anyhow::ensure!(back == text, "{BOOT_FILE} reads back different from what was written");
    Config::parse(&back, Path::new(BOOT_FILE)).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(sig) = &signature {
        anyhow::ensure!(
            read_boot(&boot, &sig_name)? == sig.as_slice(),
            "{sig_name} reads back different from what was written"
        );
    }
    println!(
        "[4/4] read back and checked: the kiosk adopts it at its next boot{}",
        if signature.is_some() {
            ""
        } else {
            " (unsigned: only while it is not enrolled)"
        }
    );
    Ok(ExitCode::SUCCESS)
}

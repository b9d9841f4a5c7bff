//! `kioskctl provision`: a technician's provisioning of one kiosk, written as
//! `citas-kiosk.toml` on the boot partition of a card or an image, checked before and
//! read back after. `kioskctl adopt` runs at the kiosk's first boot: it checks that file,
//! moves it to `/data/kiosk/kiosk.toml`, writes the Wi-Fi and NTP settings where the read-only
//! image looks for them, and wipes the file (and so the enrolment token) from the boot
//! partition.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
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

fn write_boot(boot: &Boot, text: &str) -> anyhow::Result<()> {
    match boot {
        Boot::Dir(dir) => {
            let target = dir.join(BOOT_FILE);
            let parent = target.parent().context("the provisioning file's directory")?;
            let tmp = parent.join(".citas-kiosk.toml.new");
            {
                let mut f = File::create(&tmp)?;
                f.write_all(text.as_bytes())?;
                f.sync_all()?;
            }
            std::fs::rename(&tmp, &target)?;
            File::open(parent)?.sync_all()?;
            Ok(())
        }
        Boot::Image { path, start, end } => with_fat(path, *start, *end, |fs| {
            let mut f = fs.root_dir().create_file(BOOT_FILE)?;
            f.truncate()?;
            f.write_all(text.as_bytes())?;
            f.flush()
        }),
    }
}

fn read_boot(boot: &Boot) -> anyhow::Result<String> {
    match boot {
        Boot::Dir(dir) => Ok(std::fs::read_to_string(dir.join(BOOT_FILE))?),
        Boot::Image { path, start, end } => with_fat(path, *start, *end, |fs| {
            let mut text = String::new();
            fs.root_dir().open_file(BOOT_FILE)?.read_to_string(&mut text)?;
            Ok(text)
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
    println!("[3/4] writing {BOOT_FILE} ({} bytes)", text.len());
    write_boot(&boot, &text)?;
    let back = read_boot(&boot)?;
    anyhow::ensure!(back == text, "{BOOT_FILE} reads back different from what was written");
    Config::parse(&back, Path::new(BOOT_FILE)).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("[4/4] read back and checked: the kiosk adopts it at its first boot");
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct AdoptArgs {
    /// Where the boot partition is mounted.
    #[arg(long, default_value = kiosk_config::BOOT_MOUNT)]
    boot: PathBuf,
    /// The kiosk's data directory (the adopted kiosk.toml goes here).
    #[arg(long, default_value = kiosk_config::DEFAULT_DATA_DIR)]
    data: PathBuf,
    /// Where the system's network settings go (Wi-Fi, time servers), beside the kiosk's own
    /// directory: the services that read them (systemd-timesyncd runs as its own user) cannot
    /// enter /data/kiosk, which is the kiosk's alone.
    #[arg(long, default_value = "/data/network")]
    network: PathBuf,
}

/// Overwrites a file's bytes with zeros on its disk, then removes it: the token does not stay in
/// the FAT's free clusters.
fn wipe(path: &Path) -> std::io::Result<()> {
    let len = std::fs::metadata(path)?.len();
    {
        let mut f = File::options().write(true).open(path)?;
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&vec![0u8; usize::try_from(len).unwrap_or(0)])?;
        f.sync_all()?;
    }
    std::fs::remove_file(path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Writes `text` to `path`, readable by its owner only, whole or not at all.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    kiosk_config::replace_file(path, text, 0o600)
}

/// wpa_supplicant's configuration for the provisioned network (the SSID in hex, so any bytes
/// are safe; the passphrase quoted, or the 64-hex key as it is).
pub(crate) fn wpa_supplicant(w: &Wifi) -> String {
    let psk = if w.psk.len() == 64 && w.psk.chars().all(|c| c.is_ascii_hexdigit()) {
        w.psk.clone()
    } else {
        format!("\"{}\"", w.psk)
    };
    let ssid = hex::encode(w.ssid.as_bytes());
    format!(
        "# Written by kioskctl adopt from the provisioning file.\nctrl_interface=/run/wpa_supplicant\nupdate_config=0\n\n\
         network={{\n\tssid={ssid}\n\tpsk={psk}\n\tkey_mgmt=WPA-PSK WPA-PSK-SHA256 SAE\n\tieee80211w=1\n}}\n"
    )
}

pub(crate) fn adopt(args: &AdoptArgs) -> anyhow::Result<ExitCode> {
    let source = args.boot.join(BOOT_FILE);
    if !source.exists() {
        println!("nothing to adopt: no {}", source.display());
        return Ok(ExitCode::SUCCESS);
    }
    let text = std::fs::read_to_string(&source).with_context(|| format!("reading {}", source.display()))?;
    let config = match Config::parse(&text, &source) {
        Ok(c) => c,
        Err(e) => {
            // Left where it is, for the technician to see and fix; the kiosk keeps what it had.
            for p in &e.problems {
                eprintln!("kioskctl adopt: {p}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let target = args.data.join("kiosk.toml");
    write_private(&target, &text)?;
    println!("adopted {} as {}", source.display(), target.display());
    let network = &args.network;
    std::fs::create_dir_all(network)?;
    std::fs::set_permissions(network, std::fs::Permissions::from_mode(0o755))?;
    let wpa = network.join("wpa_supplicant-wlan0.conf");
    match &config.network.wifi {
        Some(w) => {
            write_private(&wpa, &wpa_supplicant(w))?;
            println!("Wi-Fi {:?}: {}", w.ssid, wpa.display());
        }
        None if wpa.exists() => std::fs::remove_file(&wpa)?,
        None => {}
    }
    let ntp = network.join("timesyncd.conf");
    if config.network.ntp.is_empty() {
        if ntp.exists() {
            std::fs::remove_file(&ntp)?;
        }
    } else {
        // Readable by all: systemd-timesyncd reads it as systemd-timesync, and it holds no secret.
        kiosk_config::replace_file(
            &ntp,
            &format!(
                "# Written by kioskctl adopt from the provisioning file.\n[Time]\nNTP={}\n",
                config.network.ntp.join(" ")
            ),
            0o644,
        )?;
        println!("NTP {}: {}", config.network.ntp.join(" "), ntp.display());
    }
    wipe(&source).with_context(|| format!("wiping {}", source.display()))?;
    println!("wiped {} from the boot partition", source.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_ssid_in_hex_and_quotes_a_passphrase_but_not_a_raw_key() {
        let conf = wpa_supplicant(&Wifi {
            ssid: "Café \"5G\"".into(),
            psk: "correct \"horse\" battery".into(),
        });
        assert!(conf.contains("\tssid=436166c3a92022354722\n"), "{conf}");
        assert!(conf.contains("\tpsk=\"correct \"horse\" battery\"\n"), "{conf}");
        let raw = "ab".repeat(32);
        let conf = wpa_supplicant(&Wifi {
            ssid: "x".into(),
            psk: raw.clone(),
        });
        assert!(conf.contains(&format!("\tpsk={raw}\n")), "{conf}");
    }
}

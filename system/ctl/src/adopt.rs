//! `kioskctl adopt`: the kiosk's boot takes the provisioning file a technician put on the boot
//! partition (`kioskctl provision`): checks it, moves it to `/data/kiosk/kiosk.toml`, writes the
//! Wi-Fi and NTP settings where the read-only image looks for them, and wipes the file (and so
//! the enrolment token) from the boot partition.
//!
//! The boot partition is the one anyone with a minute alone with the kiosk can write. So a
//! kiosk that is enrolled (its database holds a device credential) adopts a file only when it
//! is signed with the fleet's provisioning key (`citas-kiosk.toml.sig`, checked against the
//! public key in the image); otherwise a stranger's file could send the kiosk, its credential
//! and its visitors' data to a server of theirs. A kiosk not yet enrolled has nothing to lose and
//! adopts an unsigned file, as at the factory. A signature that is there but wrong is refused
//! always. A refused file stays where it is, with the reason beside it
//! (`citas-kiosk.toml.refused`), for the technician and the kiosk's screen to say.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use kiosk_config::signature::{PublicKey, SIGNATURE_LEN, SIGNATURE_SUFFIX, SignatureError};
use kiosk_config::{BOOT_FILE, Config, MAX_BOOT_FILE, REFUSED_SUFFIX, Wifi};

/// Where the image keeps the fleet's provisioning public key.
pub(crate) const PROVISIONING_KEY: &str = "/etc/citas/provisioning.pub.pem";

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
    /// The fleet's provisioning public key (Ed25519 PEM), which checks a signed file.
    #[arg(long, default_value = PROVISIONING_KEY)]
    key: PathBuf,
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

/// Removes `path` when it is there.
fn remove_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
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

/// Why a provisioning file may not replace this kiosk's configuration, or `None` when it may.
fn refusal(args: &AdoptArgs, text: &str) -> Option<String> {
    let sig_path = args.boot.join(format!("{BOOT_FILE}{SIGNATURE_SUFFIX}"));
    // Anyone can put a file there: its size is checked before it is read.
    let signature = match std::fs::metadata(&sig_path) {
        Ok(m) if m.len() != SIGNATURE_LEN as u64 => {
            return Some(format!(
                "{}: {}",
                sig_path.display(),
                SignatureError::Length(usize::try_from(m.len()).unwrap_or(usize::MAX))
            ));
        }
        Ok(_) => match std::fs::read(&sig_path) {
            Ok(sig) => Some(sig),
            Err(e) => return Some(format!("{} cannot be read: {e}", sig_path.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Some(format!("{} cannot be read: {e}", sig_path.display())),
    };
    if let Some(sig) = signature {
        let checked = PublicKey::read(&args.key).and_then(|key| key.verify(text.as_bytes(), &sig));
        return match checked {
            Ok(()) => None,
            Err(e @ SignatureError::Mismatch) => Some(format!(
                "{}: {e} (the fleet's provisioning key in this image is {})",
                sig_path.display(),
                args.key.display()
            )),
            Err(e) => Some(format!("{}: not checked: {e}", sig_path.display())),
        };
    }
    let db = args.data.join("kiosk.db");
    match kiosk_store::Store::holds_device_credential(&db) {
        Ok(false) => None,
        Ok(true) => Some(format!(
            "this kiosk is enrolled, and {BOOT_FILE} is not signed: a new provisioning of an enrolled kiosk must be \
             signed with the fleet's provisioning key (kioskctl provision --sign KEY.pem)"
        )),
        Err(e) => Some(format!(
            "whether this kiosk is enrolled cannot be told ({}: {e}), and {BOOT_FILE} is not signed: only a signed \
             provisioning file is adopted (kioskctl provision --sign KEY.pem)",
            db.display()
        )),
    }
}

pub(crate) fn adopt(args: &AdoptArgs) -> anyhow::Result<ExitCode> {
    let source = args.boot.join(BOOT_FILE);
    let refused_note = args.boot.join(format!("{BOOT_FILE}{REFUSED_SUFFIX}"));
    if !source.exists() {
        println!("nothing to adopt: no {}", source.display());
        return Ok(ExitCode::SUCCESS);
    }
    // A reason left by an earlier boot is for an earlier file: this boot's decision replaces it.
    remove_if_there(&refused_note)?;
    let size = std::fs::metadata(&source)
        .with_context(|| format!("reading {}", source.display()))?
        .len();
    if size > MAX_BOOT_FILE {
        // Left where it is; no kiosk.toml is this large, so nothing of it is read.
        eprintln!(
            "kioskctl adopt: {} is {size} bytes; a provisioning file has at most {MAX_BOOT_FILE}",
            source.display()
        );
        return Ok(ExitCode::from(1));
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
    if let Some(why) = refusal(args, &text) {
        // Left where it is, with the reason beside it; the kiosk keeps what it had.
        eprintln!("kioskctl adopt: refused {}: {why}", source.display());
        std::fs::write(&refused_note, format!("{why}\n"))
            .with_context(|| format!("writing {}", refused_note.display()))?;
        return Ok(ExitCode::from(1));
    }
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
    for done in [args.boot.join(format!("{BOOT_FILE}{SIGNATURE_SUFFIX}")), refused_note] {
        remove_if_there(&done)?;
    }
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

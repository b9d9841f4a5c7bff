//! `kioskctl flash IMAGE DEVICE`: writes a kiosk image to an SD card (or a file), only the
//! blocks its bmap lists when `IMAGE.bmap` is beside it (each range's SHA-256 checked as it is
//! read), with a progress bar, then reads what was written back from the card and checks its
//! SHA-256. It refuses a device that is mounted, or the disk the running system lives on.
//!
//! A reused card holds the last kiosk's data (its database, scans left by a crash) in blocks
//! the new image does not map: the whole card is discarded first (BLKDISCARD through
//! util-linux's `blkdiscard`), or zeroed where the card or its reader cannot discard
//! (`blkdiscard --zeroout`); a file target is emptied. With `--bmap-sig` the block map must be
//! signed by the fleet's release key (a detached Ed25519 signature, `kiosk_config::signature`):
//! the map's checksums then vouch for every byte written, and the rest of the card is blank.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use kiosk_config::signature::PublicKey;
use sha2::{Digest, Sha256};

#[derive(Debug, Args)]
pub(crate) struct FlashArgs {
    /// The image (`.wic` or `.img`); `IMAGE.bmap` beside it (or `--bmap`) makes the copy sparse.
    image: PathBuf,
    /// The SD card (`/dev/sdX`, `/dev/mmcblkN`), or a file.
    device: PathBuf,
    /// The block map, when not `IMAGE.bmap`.
    #[arg(long)]
    bmap: Option<PathBuf>,
    /// Copy every byte even when a block map is there.
    #[arg(long, conflicts_with_all = ["bmap", "bmap_sig"])]
    no_bmap: bool,
    /// The block map's detached signature (raw Ed25519, `openssl pkeyutl -sign -rawin`): the
    /// image is written only when it matches `--key`.
    #[arg(long, value_name = "SIG", requires = "key")]
    bmap_sig: Option<PathBuf>,
    /// The fleet's release public key (Ed25519 PEM) that checks `--bmap-sig`.
    #[arg(long, value_name = "PUB.pem", requires = "bmap_sig")]
    key: Option<PathBuf>,
}

/// One range of bytes to copy, with its SHA-256 when the block map gives one.
struct Range {
    offset: u64,
    length: u64,
    sha256: Option<[u8; 32]>,
}

const CHUNK: usize = 1 << 20;

/// The name of a block device under /sys/class/block (`sda`, `mmcblk0p2`) from a mount source.
fn block_name(source: &str) -> Option<String> {
    let path = Path::new(source);
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let name = resolved.file_name()?.to_str()?.to_owned();
    resolved.starts_with("/dev").then_some(name)
}

/// The whole disk a block device belongs to (`sda1` -> `sda`, `mmcblk0p2` -> `mmcblk0`).
fn disk_of(name: &str) -> String {
    // /sys/class/block/<part>/partition exists for a partition; its parent directory is the disk.
    let sys = Path::new("/sys/class/block").join(name);
    if sys.join("partition").exists()
        && let Ok(real) = std::fs::canonicalize(&sys)
        && let Some(parent) = real.parent().and_then(Path::file_name).and_then(|n| n.to_str())
    {
        return parent.to_owned();
    }
    name.to_owned()
}

/// Why `device` must not be written: mounted (itself or a partition of it), or the disk of `/`.
/// `mountinfo` is `/proc/self/mountinfo`'s text.
pub(crate) fn refusal(device_name: &str, mountinfo: &str, disk: impl Fn(&str) -> String) -> Option<String> {
    let target_disk = disk(device_name);
    let mut mounted = Vec::new();
    for line in mountinfo.lines() {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE SUPER
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let mountpoint = left.split_whitespace().nth(4).unwrap_or("?");
        let Some(source) = right.split_whitespace().nth(1) else {
            continue;
        };
        let Some(name) = block_name(source).or_else(|| source.strip_prefix("/dev/").map(str::to_owned)) else {
            continue;
        };
        if disk(&name) == target_disk {
            mounted.push((name, mountpoint.to_owned()));
        }
    }
    if mounted.iter().any(|(_, at)| at == "/") {
        return Some(format!("{device_name} holds the running system (/)"));
    }
    mounted
        .first()
        .map(|(name, at)| format!("{name} on {device_name} is mounted on {at}: unmount it first"))
}

fn ranges(image: &Path, args: &FlashArgs) -> anyhow::Result<(Vec<Range>, u64, bool)> {
    let size = std::fs::metadata(image)?.len();
    let bmap_path = args.bmap.clone().unwrap_or_else(|| {
        let mut p = image.as_os_str().to_owned();
        p.push(".bmap");
        PathBuf::from(p)
    });
    if args.no_bmap || !bmap_path.exists() {
        anyhow::ensure!(
            args.bmap.is_none() && args.bmap_sig.is_none(),
            "no block map at {}",
            bmap_path.display()
        );
        return Ok((
            vec![Range {
                offset: 0,
                length: size,
                sha256: None,
            }],
            size,
            false,
        ));
    }
    let bytes = std::fs::read(&bmap_path).with_context(|| format!("reading {}", bmap_path.display()))?;
    if let (Some(sig), Some(key)) = (&args.bmap_sig, &args.key) {
        let signature = std::fs::read(sig).with_context(|| format!("reading {}", sig.display()))?;
        PublicKey::read(key)
            .and_then(|k| k.verify(&bytes, &signature))
            .with_context(|| format!("{} is not signed by {}", bmap_path.display(), key.display()))?;
        println!("{} is signed by {}", bmap_path.display(), key.display());
    }
    let xml = String::from_utf8(bytes).with_context(|| format!("{} is not text", bmap_path.display()))?;
    let bmap =
        bmap_parser::Bmap::from_xml(&xml).with_context(|| format!("{} is not a block map", bmap_path.display()))?;
    anyhow::ensure!(
        bmap.image_size() == size,
        "{} is for an image of {} bytes; {} has {size}",
        bmap_path.display(),
        bmap.image_size(),
        image.display()
    );
    let ranges = bmap
        .block_map()
        .map(|r| {
            let mut sum = [0u8; 32];
            sum.copy_from_slice(r.checksum().as_slice());
            Range {
                offset: r.offset(),
                length: r.length(),
                sha256: Some(sum),
            }
        })
        .collect();
    Ok((ranges, size, true))
}

/// Leaves nothing of what `device` held: discarded, or zeroed where it cannot discard.
fn blank(device: &Path) -> anyhow::Result<()> {
    let blkdiscard = |zero: bool| {
        let mut cmd = std::process::Command::new("blkdiscard");
        if zero {
            cmd.arg("--zeroout");
        }
        cmd.arg(device).output()
    };
    println!(
        "discarding all of {} (the last kiosk's data goes with it)",
        device.display()
    );
    let out = blkdiscard(false).context("running blkdiscard (util-linux)")?;
    if out.status.success() {
        return Ok(());
    }
    eprintln!(
        "kioskctl flash: {} cannot discard ({}): zeroing it instead, which takes minutes",
        device.display(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let out = blkdiscard(true).context("running blkdiscard --zeroout (util-linux)")?;
    anyhow::ensure!(
        out.status.success(),
        "{} could be neither discarded nor zeroed: {}",
        device.display(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

pub(crate) fn flash(args: &FlashArgs) -> anyhow::Result<ExitCode> {
    let device_meta = std::fs::metadata(&args.device).ok();
    let is_block = device_meta.as_ref().is_some_and(|m| {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_block_device()
    });
    if is_block {
        let name = block_name(&args.device.to_string_lossy()).context("the device's name")?;
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").context("reading the mounts")?;
        if let Some(why) = refusal(&name, &mountinfo, disk_of) {
            eprintln!("kioskctl flash: refused: {why}");
            return Ok(ExitCode::from(1));
        }
    } else if device_meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        anyhow::bail!("{} is a directory, not a card or a file", args.device.display());
    }
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(&args.image), std::fs::canonicalize(&args.device)) {
        anyhow::ensure!(a != b, "the image and the device are the same file");
    }

    let (ranges, size, sparse) = ranges(&args.image, args)?;
    let total: u64 = ranges.iter().map(|r| r.length).sum();
    println!(
        "flashing {} ({size} bytes; {}) to {}",
        args.image.display(),
        if sparse {
            format!("{total} mapped bytes from its bmap")
        } else {
            "every byte".to_owned()
        },
        args.device.display()
    );
    let mut image = File::open(&args.image).with_context(|| format!("opening {}", args.image.display()))?;
    let mut device = File::options()
        .read(true)
        .write(true)
        .create(!is_block)
        .truncate(false)
        .open(&args.device)
        .with_context(|| format!("opening {} to write", args.device.display()))?;
    if is_block {
        blank(&args.device)?;
    } else {
        // A file target holds exactly the image, holes where the bmap has none.
        device.set_len(0)?;
        device.set_len(size)?;
    }

    let bar = indicatif::ProgressBar::new(total * 2).with_style(
        indicatif::ProgressStyle::with_template("{msg:>9} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("writing");
    let mut buf = vec![0u8; CHUNK];
    let mut written = Sha256::new();
    for r in &ranges {
        image.seek(SeekFrom::Start(r.offset))?;
        device.seek(SeekFrom::Start(r.offset))?;
        let mut range_sum = Sha256::new();
        let mut left = r.length;
        while left > 0 {
            let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
            image.read_exact(&mut buf[..n])?;
            range_sum.update(&buf[..n]);
            written.update(&buf[..n]);
            device.write_all(&buf[..n])?;
            left -= n as u64;
            bar.inc(n as u64);
        }
        if let Some(want) = r.sha256 {
            anyhow::ensure!(
                range_sum.finalize().as_slice() == want,
                "the image's bytes {}..{} do not match its bmap: the image is damaged or the bmap is another image's",
                r.offset,
                r.offset + r.length
            );
        }
    }
    device.flush()?;
    device.sync_all()?;

    // Read back what the card holds now, not the kernel's copy of what was written: the written
    // pages (clean after the sync) are dropped from the page cache first.
    bar.set_message("verifying");
    drop(device);
    let mut device = File::open(&args.device)?;
    if let Err(e) = rustix::fs::fadvise(&device, 0, None, rustix::fs::Advice::DontNeed) {
        eprintln!("kioskctl flash: the cache could not be dropped ({e}); the read-back may come from memory");
    }
    let mut read = Sha256::new();
    for r in &ranges {
        device.seek(SeekFrom::Start(r.offset))?;
        let mut left = r.length;
        while left > 0 {
            let n = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
            device.read_exact(&mut buf[..n])?;
            read.update(&buf[..n]);
            left -= n as u64;
            bar.inc(n as u64);
        }
    }
    bar.finish_and_clear();
    let (written, read) = (hex::encode(written.finalize()), hex::encode(read.finalize()));
    if written != read {
        eprintln!(
            "kioskctl flash: {} reads back different from what was written (SHA-256 {read}, wrote {written}): the card may be failing",
            args.device.display()
        );
        return Ok(ExitCode::from(1));
    }
    println!("written and read back: SHA-256 {written} of the {total} bytes copied");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
40 22 8:1 / /boot/efi rw,relatime shared:30 - vfat /dev/sda1 rw\n\
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n\
23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n\
41 22 179:1 / /media/card rw,relatime shared:31 - vfat /dev/mmcblk0p1 rw\n";

    fn disk(name: &str) -> String {
        match name {
            "sda1" | "sda2" => "sda".into(),
            "mmcblk0p1" | "mmcblk0p2" => "mmcblk0".into(),
            other => other.into(),
        }
    }

    #[test]
    fn refuses_the_system_disk_and_a_mounted_card_but_not_a_free_one() {
        assert_eq!(
            refusal("sda", MOUNTINFO, disk).as_deref(),
            Some("sda holds the running system (/)")
        );
        assert_eq!(
            refusal("mmcblk0", MOUNTINFO, disk).as_deref(),
            Some("mmcblk0p1 on mmcblk0 is mounted on /media/card: unmount it first")
        );
        assert_eq!(refusal("sdb", MOUNTINFO, disk), None);
    }
}

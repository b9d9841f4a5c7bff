//! The provisioning file on the boot partition: `kioskctl provision` writes it, `kioskctl
//! adopt` takes it at the next boot, or leaves it there when it has a mistake. What is left
//! there is worth saying on screen: the production image has no shell to read the journal.

use std::path::{Path, PathBuf};

use crate::Config;

/// The provisioning file's name at the root of the boot partition.
pub const BOOT_FILE: &str = "citas-kiosk.toml";
/// The most of a provisioning file anything reads (a real one is a few hundred bytes).
pub const MAX_BOOT_FILE: u64 = 64 * 1024;
/// Where the device mounts its boot partition.
pub const BOOT_MOUNT: &str = "/boot";
/// Beside a provisioning file `kioskctl adopt` refused (an enrolled kiosk, an unsigned file):
/// why, in one line.
pub const REFUSED_SUFFIX: &str = ".refused";

/// The device's provisioning file when the configuration is the device's own (no files named),
/// `None` when files are named (a workstation, a test).
pub fn device_boot_file(named: &[PathBuf]) -> Option<PathBuf> {
    named.is_empty().then(|| Path::new(BOOT_MOUNT).join(BOOT_FILE))
}

/// What a provisioning file left at `path` says: its problems, each with its line and field
/// (why adopt left it), or that it waits for the next boot; nothing when there is none.
pub fn not_adopted(path: &Path) -> Vec<String> {
    let mut note = path.as_os_str().to_owned();
    note.push(REFUSED_SUFFIX);
    if path.exists()
        && let Ok(why) = read_at_most(Path::new(&note), 1024)
    {
        return vec![format!("{}: refused: {}", path.display(), why.trim())];
    }
    // The boot partition is anyone's to write: no more is read than a provisioning file holds.
    if let Ok(m) = std::fs::metadata(path)
        && m.len() > MAX_BOOT_FILE
    {
        return vec![format!(
            "{}: {} bytes, not adopted: a provisioning file has at most {MAX_BOOT_FILE}",
            path.display(),
            m.len()
        )];
    }
    match read_at_most(path, MAX_BOOT_FILE) {
        Ok(text) => match Config::parse(&text, path) {
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
            Ok(_) => vec![format!(
                "{}: not adopted yet (kioskctl adopt takes it at boot): restart the kiosk",
                path.display()
            )],
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => vec![format!("{}: cannot be read: {e}", path.display())],
    }
}

/// A text file's first `limit` bytes (anything after is not read).
fn read_at_most(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

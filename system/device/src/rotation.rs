//! The picture's rotation on the panel: Slint's linuxkms backend turns what it draws by the
//! `SLINT_KMS_ROTATION` environment variable, read once when it opens the panel. It has no
//! other way in, so kiosk.toml's `[display] rotation` becomes that variable here, before the
//! window exists, and only while the process has a single thread: changing the environment
//! while another thread may read it is undefined behaviour.

use std::fmt;

/// The variable Slint's linuxkms backend reads.
pub const VARIABLE: &str = "SLINT_KMS_ROTATION";

/// What [`set_picture_rotation`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The variable now says this many degrees.
    Set(u16),
    /// The environment already said so (a technician's override wins): its value.
    Kept(String),
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("the picture's rotation must be set before any thread starts; this process has {0}")]
    Threads(usize),
    #[error("cannot tell how many threads this process has: {0}")]
    Unknown(String),
}

/// Sets the rotation (0, 90, 180 or 270 degrees, clockwise) for the backend, unless the
/// environment already sets it. Call it first thing in `main`.
pub fn set_picture_rotation(degrees: u16) -> Result<Applied, RotationError> {
    if let Some(value) = std::env::var_os(VARIABLE) {
        return Ok(Applied::Kept(value.to_string_lossy().into_owned()));
    }
    if degrees == 0 {
        return Ok(Applied::Set(0));
    }
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| RotationError::Unknown(e.to_string()))?;
    match threads_in(&status) {
        Some(1) => {}
        Some(n) => return Err(RotationError::Threads(n)),
        None => return Err(RotationError::Unknown("no Threads line in /proc/self/status".into())),
    }
    set(degrees);
    Ok(Applied::Set(degrees))
}

#[allow(unsafe_code)]
fn set(degrees: u16) {
    // SAFETY: `set_var` is unsound only while another thread may read or write the
    // environment. The caller just read from /proc/self/status that this process has exactly
    // one thread (this one), and a thread can only be started by this thread, which is here.
    unsafe { std::env::set_var(VARIABLE, degrees.to_string()) };
}

/// The `Threads:` count of a /proc/PID/status text.
fn threads_in(status: &str) -> Option<usize> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

impl Applied {
    /// The degrees the backend will turn the picture by (what a technician's variable says,
    /// when it is a number).
    pub fn degrees(&self) -> Option<u16> {
        match self {
            Applied::Set(d) => Some(*d),
            Applied::Kept(v) => v.trim().parse().ok(),
        }
    }
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Applied::Set(d) => write!(f, "{d} degrees"),
            Applied::Kept(v) => write!(f, "{v} (from the environment)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_degrees_in_effect_are_the_environments_when_it_set_them() {
        assert_eq!(Applied::Set(90).degrees(), Some(90));
        assert_eq!(Applied::Kept(" 180".into()).degrees(), Some(180));
        assert_eq!(Applied::Kept("left".into()).degrees(), None);
    }

    #[test]
    fn reads_the_thread_count_of_a_process() {
        let status = "Name:\tcitas-kiosk\nUmask:\t0077\nThreads:\t3\nSigQ:\t0/1\n";
        assert_eq!(threads_in(status), Some(3));
        assert_eq!(threads_in("Name:\tx\n"), None);
    }

    #[test]
    fn refuses_to_change_the_environment_once_other_threads_run() {
        // Another thread, alive until this test lets it go.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || wait.recv());
        let applied = set_picture_rotation(90);
        drop(release);
        let _ = other.join();
        match applied {
            Err(RotationError::Threads(n)) => assert!(n > 1),
            other => panic!("changed the environment with threads running: {other:?}"),
        }
        assert!(std::env::var_os(VARIABLE).is_none());
    }
}

//! What the kiosk tells systemd: the notify protocol (`Type=notify`, `WatchdogSec=`): `READY=1`
//! once the kiosk shows its first screen, `WATCHDOG=1` from the UI loop so a frozen screen gets
//! the app restarted; and that the system it runs on proved itself, a file in its runtime
//! directory that `citas-mark-good.path` watches. Off systemd (no `NOTIFY_SOCKET`, no
//! `RUNTIME_DIRECTORY`) every call does nothing.

use std::time::Duration;

use sd_notify::NotifyState;

fn send(state: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(false, state) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

/// The kiosk is up: its first screen is drawn.
pub fn ready() {
    send(&[NotifyState::Ready]);
}

/// The UI loop is alive.
pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// A line for `systemctl status`.
pub fn status(text: &str) {
    send(&[NotifyState::Status(text)]);
}

/// The file in the kiosk's runtime directory (`RuntimeDirectory=citas-kiosk`) that says the
/// system proved itself.
pub const SYSTEM_GOOD: &str = "system-good";

/// The system this kiosk runs on works: the update it may be is kept (its RAUC slot is marked
/// good). Written once; a second call changes nothing.
pub fn system_good() {
    let Some(dirs) = std::env::var_os("RUNTIME_DIRECTORY") else {
        return;
    };
    // systemd lists each RuntimeDirectory= with ':' between them; the kiosk's unit has one.
    let dirs = dirs.to_string_lossy().into_owned();
    let dir = dirs.split(':').next().unwrap_or_default();
    if let Err(e) = mark_system_good_in(std::path::Path::new(dir)) {
        tracing::warn!(error = %e, dir, "cannot say the system is good: its update may be undone");
    }
}

fn mark_system_good_in(dir: &std::path::Path) -> std::io::Result<()> {
    let path = dir.join(SYSTEM_GOOD);
    if path.exists() {
        return Ok(());
    }
    std::fs::write(&path, b"")?;
    tracing::info!(file = %path.display(), "the system proved itself");
    Ok(())
}

/// How often to ping the watchdog: half its timeout, when systemd set one for this process.
pub fn watchdog_interval() -> Option<Duration> {
    let mut usec = 0;
    sd_notify::watchdog_enabled(false, &mut usec).then(|| Duration::from_micros(usec / 2))
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixDatagram;

    use super::*;

    #[test]
    fn the_system_is_said_good_once_in_the_runtime_directory() {
        let dir = tempfile::tempdir().unwrap();
        mark_system_good_in(dir.path()).unwrap();
        assert!(dir.path().join(SYSTEM_GOOD).exists());
        mark_system_good_in(dir.path()).unwrap();
        assert!(mark_system_good_in(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn tells_systemd_ready_and_alive_over_its_socket() {
        let dir = tempfile_dir();
        let path = dir.join("notify");
        let sock = UnixDatagram::bind(&path).unwrap_or_else(|e| panic!("{e}"));
        temp_env(&path, || {
            ready();
            watchdog();
        });
        let mut buf = [0u8; 64];
        let n = sock.recv(&mut buf).unwrap_or(0);
        assert_eq!(&buf[..n], b"READY=1\n");
        let n = sock.recv(&mut buf).unwrap_or(0);
        assert_eq!(&buf[..n], b"WATCHDOG=1\n");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("kiosk-device-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
        d
    }

    #[allow(unsafe_code)]
    fn temp_env(path: &std::path::Path, f: impl FnOnce()) {
        // SAFETY: no other thread of this test binary reads or writes NOTIFY_SOCKET (this is
        // the only test that uses it), so setting it cannot race with a reader.
        unsafe { std::env::set_var("NOTIFY_SOCKET", path) };
        f();
        // SAFETY: as above.
        unsafe { std::env::remove_var("NOTIFY_SOCKET") };
    }
}

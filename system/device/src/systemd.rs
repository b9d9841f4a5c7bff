//! systemd's notify protocol (`Type=notify`, `WatchdogSec=`): `READY=1` once the kiosk shows its
//! first screen, `WATCHDOG=1` from the UI loop so a frozen screen gets the app restarted. Off
//! systemd (no `NOTIFY_SOCKET`) every call does nothing.

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

//! Is the clock right? The kernel knows: `adjtimex(2)` says whether NTP has synchronised it.
//! A kiosk whose clock is wrong would show and book wrong times, so the app shows none until
//! it is. Under the kiosk's own unit (`ProtectClock=yes`) the kernel refuses even adjtimex's
//! read-only query; there systemd-timesyncd's flag file answers.

use std::fmt;
use std::path::Path;

/// The file systemd-timesyncd touches once it has synchronised the clock (what
/// systemd-time-wait-sync waits for); /run starts empty at every boot.
pub const TIMESYNC_FLAG: &str = "/run/systemd/timesync/synchronized";

/// Where the kiosk learns whether its clock is synchronised.
pub trait ClockSync: Send + Sync + fmt::Debug {
    fn synchronised(&self) -> bool;
}

/// The kernel's NTP state (the device).
#[derive(Debug, Clone, Copy, Default)]
pub struct KernelClock;

impl ClockSync for KernelClock {
    fn synchronised(&self) -> bool {
        match synchronised_by(kernel_clock_synchronised(), Path::new(TIMESYNC_FLAG)) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the kernel clock's state; taking it as not synchronised");
                false
            }
        }
    }
}

/// An answer given, not read (the demo, tests, a workstation without NTP); tests change it.
#[derive(Debug, Default)]
pub struct AssumedClock(std::sync::atomic::AtomicBool);

impl AssumedClock {
    pub fn new(synchronised: bool) -> AssumedClock {
        AssumedClock(std::sync::atomic::AtomicBool::new(synchronised))
    }

    pub fn set(&self, synchronised: bool) {
        self.0.store(synchronised, std::sync::atomic::Ordering::Relaxed);
    }
}

impl ClockSync for AssumedClock {
    fn synchronised(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What `adjtimex` answered: its return value and the status bits.
pub fn synchronised_from(state: i32, status: i32) -> bool {
    state != libc::TIME_ERROR && status & libc::STA_UNSYNC == 0
}

/// The kernel's answer, or where a seccomp filter denies the query (systemd's `ProtectClock=`
/// answers EPERM), whether timesyncd's `flag` file is there.
pub fn synchronised_by(kernel: std::io::Result<bool>, flag: &Path) -> std::io::Result<bool> {
    match kernel {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => Ok(flag.exists()),
        answer => answer,
    }
}

/// Asks the kernel, read-only, whether the clock is synchronised.
#[allow(unsafe_code)]
pub fn kernel_clock_synchronised() -> std::io::Result<bool> {
    // SAFETY: `libc::timex` is a `#[repr(C)]` struct of integers (and a `timeval` of
    // integers), for which all-zero bytes are a valid value; `modes == 0` makes the call a
    // read-only query (adjtimex(2)), which changes nothing and needs no privilege.
    let mut tx: libc::timex = unsafe { std::mem::zeroed() };
    // SAFETY: `&mut tx` is a valid, exclusive pointer to an initialised `timex` for the whole
    // call; the kernel writes only within it.
    let state = unsafe { libc::adjtimex(&raw mut tx) };
    if state == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(synchronised_from(state, tx.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsynchronised_kernel_clock_is_never_taken_as_right() {
        assert!(synchronised_from(libc::TIME_OK, 0));
        assert!(!synchronised_from(libc::TIME_ERROR, 0));
        assert!(!synchronised_from(libc::TIME_OK, libc::STA_UNSYNC));
    }

    #[test]
    fn a_denied_query_asks_timesyncds_flag_and_the_kernels_answer_wins_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let flag = dir.path().join("synchronized");
        let denied = || Err(std::io::Error::from_raw_os_error(libc::EPERM));
        assert!(!synchronised_by(denied(), &flag).unwrap());
        std::fs::write(&flag, b"").unwrap();
        assert!(synchronised_by(denied(), &flag).unwrap());
        // A kernel that answers is believed, flag or not.
        assert!(!synchronised_by(Ok(false), &flag).unwrap());
        std::fs::remove_file(&flag).unwrap();
        assert!(synchronised_by(Ok(true), &flag).unwrap());
        // Any other failure stays one (taken as not synchronised by the caller).
        let other = synchronised_by(Err(std::io::Error::from_raw_os_error(libc::EINVAL)), &flag);
        assert!(other.is_err());
    }

    #[test]
    fn the_kernel_answers_the_read_only_query() {
        // Whatever this machine's state, the query itself works without privilege.
        assert!(kernel_clock_synchronised().is_ok());
    }
}

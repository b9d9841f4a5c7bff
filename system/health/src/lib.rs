//! # kiosk-health: what the kiosk's parts say about themselves, gathered
//!
//! What it is for: asking each part of the kiosk how it is (the central server, with its
//! latency; the sync state and the outbox in the store; the printer's status; the scanner's;
//! free space on the data partition; the kernel clock; the network route) and handing the
//! facts to `kiosk_core::health`, which grades them. The maintenance screen and
//! `kioskctl diagnose` both show what [`report`] returns.
//!
//! What it is not for: the grading rules (kiosk-core) or acting on them (the app).
//!
//! Every probe has a deadline ([`PROBE_TIMEOUT`]), so a hung device or server makes its line
//! red instead of holding the report.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use kiosk_core::Language;
use kiosk_core::health::{Central, Disk, Observations, PrinterState, Report, ScannerState};
use kiosk_device::clock::ClockSync;
use kiosk_print::{PaperLevel, PrintQueue};
use kiosk_scan::{DeviceUri, ScanError};
use kiosk_sync::SyncEngine;

/// The longest any one probe may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(6);

/// Where the facts come from.
#[derive(Debug, Clone)]
pub struct Sources {
    pub engine: SyncEngine,
    /// The ticket printer (`None`: the kiosk has none).
    pub printer: Option<PrintQueue>,
    /// The document scanner (`None`: the kiosk has none).
    pub scanner: Option<DeviceUri>,
    /// Where the database lives (its file system's free space is reported).
    pub data_dir: PathBuf,
    /// The offices whose calendars the kiosk keeps: the sync line is the stalest one's.
    pub offices: Vec<String>,
    pub clock: Arc<dyn ClockSync>,
    /// When the app started (`None` from a tool outside it).
    pub started: Option<Instant>,
    pub version: String,
    /// The provisioning file on the boot partition (`None` off the device).
    pub boot_file: Option<PathBuf>,
}

/// Asks every part, all at once, each within [`PROBE_TIMEOUT`].
pub async fn observe(s: &Sources) -> Observations {
    let (central, printer, scanner) = tokio::join!(
        central(&s.engine),
        printer(s.printer.clone()),
        scanner(s.scanner.clone())
    );
    let offices = s.offices.clone();
    let store = s
        .engine
        .with_store(move |st| {
            let oldest = st.outbox()?.iter().map(|e| e.created_at).min();
            let queued = st.queued_prints()?.len();
            let out = st.out_of_service()?;
            // The stalest office's last sync (none while any office never synced), as the
            // store keeps it: the same for the app and for a tool beside it.
            let mut last_sync = Some(None);
            for office in &offices {
                let at = st.last_sync(office)?;
                last_sync = match (last_sync, at) {
                    (Some(None), Some(at)) => Some(Some(at)),
                    (Some(Some(seen)), Some(at)) => Some(Some(seen.min(at))),
                    _ => None,
                };
            }
            Ok((oldest, queued, out, last_sync.flatten()))
        })
        .await;
    let (oldest_outbox, queued_tickets, out_of_service, last_sync) = match store {
        Ok((oldest, queued, out, last)) => (oldest, u64::try_from(queued).unwrap_or(u64::MAX), out, last),
        Err(e) => {
            tracing::error!(error = %e, "the store cannot be read for the health report");
            (None, 0, None, None)
        }
    };
    let status = s.engine.status().await.ok();
    let data_dir = s.data_dir.clone();
    let disk = tokio::task::spawn_blocking(move || disk(&data_dir))
        .await
        .ok()
        .flatten();
    let system = kiosk_device::system::System::of_this_machine();
    Observations {
        at: Utc::now(),
        network: network(),
        central,
        last_sync,
        outbox_depth: status.as_ref().map_or(0, |st| st.outbox_depth),
        oldest_outbox,
        printer,
        queued_tickets,
        scanner,
        disk,
        clock_synchronised: s.clock.synchronised(),
        out_of_service: out_of_service.map(|o| o.message),
        version: s.version.clone(),
        system: system.name,
        slot: system.slot,
        not_adopted: s
            .boot_file
            .as_deref()
            .map(kiosk_config::not_adopted)
            .unwrap_or_default(),
        app_uptime_s: s.started.map(|t| t.elapsed().as_secs()),
        system_uptime_s: system_uptime(),
    }
}

/// The facts, graded, in `lang`.
pub async fn report(s: &Sources, lang: Language) -> Report {
    Report::grade(&observe(s).await, lang)
}

/// The central server, by the cheapest real call: the catalogue's conditional GET (an
/// unchanged catalogue is a 304 with no body). It also refreshes the catalogue when it changed.
async fn central(engine: &SyncEngine) -> Central {
    let started = Instant::now();
    match tokio::time::timeout(PROBE_TIMEOUT, engine.sync_catalogue(Utc::now())).await {
        Ok(Ok(_)) => Central::Reachable {
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
        Ok(Err(e)) => Central::Unreachable { reason: e.to_string() },
        Err(_) => Central::Unreachable {
            reason: format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
        },
    }
}

async fn printer(queue: Option<PrintQueue>) -> PrinterState {
    let Some(queue) = queue else {
        return PrinterState::NotConfigured;
    };
    let asked = tokio::time::timeout(PROBE_TIMEOUT, tokio::task::spawn_blocking(move || queue.status())).await;
    match asked {
        Ok(Ok(Ok(Some(s)))) => printer_state(s),
        Ok(Ok(Ok(None))) => PrinterState::Silent,
        Ok(Ok(Err(e))) => PrinterState::Unreachable { reason: e.to_string() },
        Ok(Err(e)) => PrinterState::Unreachable { reason: e.to_string() },
        Err(_) => PrinterState::Unreachable {
            reason: format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
        },
    }
}

/// What a status says, the most pressing first.
pub fn printer_state(s: kiosk_print::PrinterStatus) -> PrinterState {
    if s.cover_open {
        PrinterState::CoverOpen
    } else if s.paper == PaperLevel::Out {
        PrinterState::PaperOut
    } else if !s.online || s.error {
        PrinterState::Fault
    } else {
        PrinterState::Ready {
            paper_near_end: s.paper == PaperLevel::NearEnd,
        }
    }
}

async fn scanner(device: Option<DeviceUri>) -> ScannerState {
    let Some(device) = device else {
        return ScannerState::NotConfigured;
    };
    match tokio::time::timeout(PROBE_TIMEOUT, device.readiness()).await {
        Ok(Ok(())) => ScannerState::Ready,
        Ok(Err(ScanError::Busy)) => ScannerState::Busy,
        Ok(Err(ScanError::Stopped(reason))) => ScannerState::Stopped { reason },
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "scanner probe");
            ScannerState::Absent
        }
        Err(_) => ScannerState::Absent,
    }
}

/// Free and total bytes of the file system holding `dir` (for an unprivileged writer).
pub fn disk(dir: &std::path::Path) -> Option<Disk> {
    match rustix::fs::statvfs(dir) {
        Ok(st) => Some(Disk {
            free_bytes: st.f_bavail.saturating_mul(st.f_frsize),
            total_bytes: st.f_blocks.saturating_mul(st.f_frsize),
        }),
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "free space cannot be read");
            None
        }
    }
}

/// Whether the kernel has a default route (IPv4 or IPv6): `None` when it cannot be read.
fn network() -> Option<bool> {
    let v4 = std::fs::read_to_string("/proc/net/route").ok();
    let v6 = std::fs::read_to_string("/proc/net/ipv6_route").ok();
    if v4.is_none() && v6.is_none() {
        return None;
    }
    Some(v4.as_deref().is_some_and(has_default_v4) || v6.as_deref().is_some_and(has_default_v6))
}

/// `/proc/net/route`: a line whose destination and mask are 0, on an interface that is up
/// (flag RTF_UP, 0x1).
pub fn has_default_v4(table: &str) -> bool {
    table.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() > 7
            && f[1] == "00000000"
            && f[7] == "00000000"
            && u32::from_str_radix(f[3], 16).is_ok_and(|flags| flags & 1 == 1)
            && f[0] != "lo"
    })
}

/// `/proc/net/ipv6_route`: `::/0` on an interface other than `lo`.
pub fn has_default_v6(table: &str) -> bool {
    table.lines().any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() == 10 && f[0].bytes().all(|b| b == b'0') && f[1] == "00" && f[9] != "lo"
    })
}

/// Seconds since boot, from `/proc/uptime`.
fn system_uptime() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let secs: f64 = text.split_whitespace().next()?.parse().ok()?;
    // Whole seconds since boot: non-negative and far below u64::MAX.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(secs.max(0.0) as u64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn finds_the_default_route_in_the_kernels_tables() {
        let v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                  eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
                  eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
        assert!(has_default_v4(v4));
        let no_default = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                          eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
        assert!(!has_default_v4(no_default));
        let down = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                    eth0\t00000000\t0102A8C0\t0002\t0\t0\t100\t00000000\t0\t0\t0\n";
        assert!(!has_default_v4(down));
        let v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 \
                  fe800000000000000000000000000001 00000400 00000001 00000000 00000003 wlan0\n";
        assert!(has_default_v6(v6));
        let only_lo = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 \
                       00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n";
        assert!(!has_default_v6(only_lo));
    }

    #[test]
    fn reads_free_space_of_a_real_directory() {
        let dir = tempfile::tempdir().unwrap();
        let d = disk(dir.path()).unwrap();
        assert!(d.total_bytes > 0 && d.free_bytes <= d.total_bytes);
        assert!(disk(std::path::Path::new("/no/such/dir")).is_none());
    }

    #[test]
    fn a_printer_status_becomes_the_most_pressing_state() {
        let ok = kiosk_print::PrinterStatus {
            online: true,
            cover_open: false,
            paper: PaperLevel::Ok,
            error: false,
        };
        assert_eq!(printer_state(ok), PrinterState::Ready { paper_near_end: false });
        let out = kiosk_print::PrinterStatus {
            paper: PaperLevel::Out,
            online: false,
            ..ok
        };
        assert_eq!(printer_state(out), PrinterState::PaperOut);
        let open = kiosk_print::PrinterStatus {
            cover_open: true,
            ..out
        };
        assert_eq!(printer_state(open), PrinterState::CoverOpen);
    }
}

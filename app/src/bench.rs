//! Measurements behind `tests/bench/ui.sh`: the first frame of a cold start, and a whole visit
//! drawn headless with the software renderer (memory afterwards, full-frame render times).

use std::time::{Duration, Instant};

use kiosk_core::Language;
use slint::platform::software_renderer::PremultipliedRgbaColor;
use slint::{ComponentHandle, PhysicalSize};

use crate::screens::lookup::FoundBooking;
use crate::screenshots::{self, HeadlessWindow};
use crate::shell;

/// Draws one full frame into `buf` and returns how long the renderer took.
fn frame(headless: &HeadlessWindow, buf: &mut [PremultipliedRgbaColor], width: usize) -> Option<Duration> {
    slint::platform::update_timers_and_animations();
    headless.window.request_redraw();
    let mut took = None;
    headless.window.draw_if_needed(|renderer| {
        let start = Instant::now();
        renderer.render(buf, width);
        took = Some(start.elapsed());
    });
    took
}

fn buffer(size: PhysicalSize) -> (Vec<PremultipliedRgbaColor>, usize) {
    let width = size.width as usize;
    (
        vec![PremultipliedRgbaColor::default(); width * size.height as usize],
        width,
    )
}

/// A cold start to the first frame of the welcome screen; returns the time since `started`.
pub fn first_frame(size: (u32, u32), started: Instant) -> anyhow::Result<Duration> {
    let headless = HeadlessWindow::open(size)?;
    let (mut buf, width) = buffer(headless.ui.window().size());
    frame(&headless, &mut buf, width).ok_or_else(|| anyhow::anyhow!("no frame was drawn"))?;
    Ok(started.elapsed())
}

/// What a visit cost.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitReport {
    pub screens: usize,
    pub frames: usize,
    pub median_render: Duration,
    pub max_render: Duration,
    /// Resident memory after the visit, and its peak, in KiB (`/proc/self/status`).
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
    /// Proportional set size (shared pages divided among their users), in KiB.
    pub pss_kib: u64,
}

fn status_kib(file: &str, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Walks every screen of a visit in both languages, drawing `frames_per_screen` full frames of
/// each; the render times are of the software renderer alone.
pub fn visit(
    size: (u32, u32),
    found: &FoundBooking,
    engine: &kiosk_sync::SyncEngine,
    scanner: &kiosk_scan::DeviceUri,
    runtime: &tokio::runtime::Handle,
    frames_per_screen: usize,
) -> anyhow::Result<VisitReport> {
    let headless = HeadlessWindow::open(size)?;
    let screens = screenshots::all_screens(found, engine, scanner, runtime)?;
    let (mut buf, width) = buffer(headless.ui.window().size());
    let mut times = Vec::new();
    for lang in Language::ALL {
        shell::set_language(&headless.ui, lang);
        for screen in &screens {
            headless.show(screen, lang);
            // The first frame of a screen lays it out; the rest are steady-state redraws.
            let _ = frame(&headless, &mut buf, width);
            for _ in 0..frames_per_screen {
                times.extend(frame(&headless, &mut buf, width));
            }
        }
    }
    times.sort_unstable();
    let median_render = times.get(times.len() / 2).copied().unwrap_or_default();
    let max_render = times.last().copied().unwrap_or_default();
    Ok(VisitReport {
        screens: screens.len() * Language::ALL.len(),
        frames: times.len(),
        median_render,
        max_render,
        rss_kib: status_kib("/proc/self/status", "VmRSS:"),
        peak_rss_kib: status_kib("/proc/self/status", "VmHWM:"),
        pss_kib: status_kib("/proc/self/smaps_rollup", "Pss:"),
    })
}

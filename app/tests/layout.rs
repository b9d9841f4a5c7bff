//! Every screen fits every display the kiosk stands behind: for each screen of
//! `--screenshots`, in both languages, at 800x480, 1280x720, 720x1280, 1280x800, 1080x1920 and
//! 1920x1080 (at the scale the kiosk uses there), and on the 7" Touch Display 2 (720x1280 or
//! turned to 1280x720, with its diagonal in kiosk.toml: 210 dpi, drawn at 1.25), nothing a visitor needs is outside the window
//! or cut, no touch target is under 60 x 60, none overlaps another, no text is cut by its box
//! (`layout/check.rs` says what each rule means).
//!
//! One test binary: the headless platform is installed once per process.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "layout/check.rs"]
mod check;

use citas_kiosk::demo;
use citas_kiosk::screenshots::{self, HeadlessWindow};
use citas_kiosk::shell;
use kiosk_core::Language;
use slint::ComponentHandle;

/// Each panel: its size in pixels, and its diagonal when kiosk.toml gives it.
const SIZES: [(u32, u32, Option<f32>); 8] = [
    (800, 480, None),
    (1280, 720, None),
    (720, 1280, None),
    (1280, 800, None),
    (1080, 1920, None),
    (1920, 1080, None),
    (720, 1280, Some(7.0)),
    (1280, 720, Some(7.0)),
];

fn name((width, height, inches): (u32, u32, Option<f32>)) -> String {
    match inches {
        Some(inches) => format!("{width}x{height}@{inches}in"),
        None => format!("{width}x{height}"),
    }
}

#[test]
fn every_screen_fits_every_display_in_both_languages() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let demo = runtime.block_on(demo::start()).unwrap();
    let code = kiosk_core::booking::ConfirmationCode::parse(&demo.sample_code).unwrap();
    let found = runtime.block_on(demo.engine.find_booking(code.as_str())).unwrap();
    let services = demo
        .services(runtime.handle().clone(), citas_kiosk::device::DeviceParts::simulated())
        .unwrap();
    let headless = HeadlessWindow::open((SIZES[0].0, SIZES[0].1)).unwrap();
    let screens = screenshots::every_screen(&found, &services).unwrap();
    let only = std::env::var("LAYOUT_ONLY").ok();
    let mut report = Vec::new();
    let mut checked = 0;
    for size in SIZES {
        if only.as_deref().is_some_and(|o| o != name(size)) {
            continue;
        }
        headless.resize_panel(kiosk_core::display::Panel {
            width: size.0,
            height: size.1,
            diagonal_inches: size.2,
        });
        for lang in Language::ALL {
            shell::set_language(&headless.ui, lang);
            for (i, screen) in screens.iter().enumerate() {
                headless.show(screen, lang);
                slint::platform::update_timers_and_animations();
                let logical = headless
                    .ui
                    .window()
                    .size()
                    .to_logical(headless.ui.window().scale_factor());
                checked += 1;
                for fault in check::faults(&headless.ui, logical.width, logical.height) {
                    report.push(format!(
                        "{} {:02}-{}-{}: {fault}",
                        name(size),
                        i + 1,
                        screen.name,
                        lang.tag()
                    ));
                }
            }
        }
    }
    assert!(checked >= 6, "checked only {checked} screens");
    assert!(report.is_empty(), "{} faults:\n{}", report.len(), report.join("\n"));
}

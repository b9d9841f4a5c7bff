//! Drives the real UI as a visitor would, through Slint's testing backend with a running event
//! loop: elements are found by their accessible label, pressed and typed into; the kiosk talks
//! to the central simulator on loopback, exactly as `--demo` does.
//!
//! Slint allows one event loop per process, so each end-to-end scenario is its own test binary.

#![allow(clippy::unwrap_used, dead_code, unreachable_pub)] // test code: a failed unwrap is a failed test

use std::cell::RefCell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::time::{Duration, Instant};

use citas_kiosk::demo::{self, Demo};
use citas_kiosk::shell::{self, Shell};
use citas_kiosk::ui::{AppWindow, Calendar, Documents, Kiosk, Location, Page};
use futures_util::FutureExt;
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::platform::WindowEvent;
use slint::{ComponentHandle, LogicalPosition, Model};

/// How long any one thing on screen may take to appear.
const PATIENCE: Duration = Duration::from_secs(30);

/// A kiosk in demo mode, with its window.
pub struct Harness {
    pub ui: AppWindow,
    /// The kiosk's shell (its screens and timers live as long as it does).
    pub shell: Rc<Shell>,
    pub device: citas_kiosk::device::DeviceParts,
    pub demo: Demo,
    pub runtime: tokio::runtime::Runtime,
}

impl Harness {
    pub fn start() -> Harness {
        Harness::start_with(citas_kiosk::device::DeviceParts::simulated())
    }

    /// A kiosk with these device parts (a clock or a board the test drives).
    pub fn start_with(device: citas_kiosk::device::DeviceParts) -> Harness {
        i_slint_backend_testing::init_integration_test_with_system_time();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let demo = runtime.block_on(demo::start()).unwrap();
        let ui = AppWindow::new().unwrap();
        let shell = shell::wire(&ui, demo.services(runtime.handle().clone(), device.clone()).unwrap());
        let (w, h) = size();
        let scale_factor = kiosk_core::display::Panel::of_size(w, h).scale_factor(None);
        ui.window()
            .dispatch_event(WindowEvent::ScaleFactorChanged { scale_factor });
        ui.window().set_size(slint::PhysicalSize::new(w, h));
        ui.show().unwrap();
        Harness {
            ui,
            shell,
            device,
            demo,
            runtime,
        }
    }

    /// Runs `scenario` in the UI's event loop; a failed assertion inside fails the test.
    pub fn run<F: Future<Output = ()> + 'static>(self, scenario: impl FnOnce(Rc<Harness>) -> F) {
        let outcome: Rc<RefCell<Option<std::thread::Result<()>>>> = Rc::default();
        let h = Rc::new(self);
        let task = scenario(h.clone());
        let keep = outcome.clone();
        slint::spawn_local(async move {
            let result = AssertUnwindSafe(task).catch_unwind().await;
            *keep.borrow_mut() = Some(result);
            let _ = slint::quit_event_loop();
        })
        .unwrap();
        slint::run_event_loop_until_quit().unwrap();
        let outcome = outcome.borrow_mut().take().expect("the scenario ran to its end");
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }

    /// Call-staff presses counted for the next heartbeat.
    pub fn device_calls(&self) -> u32 {
        self.device.staff_calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A `/sim/*` control of the central simulator.
    pub fn admin(&self, method: reqwest::Method, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let url = format!("{}/sim/{path}", self.demo.central.url);
        self.runtime.block_on(async move {
            let mut rb = reqwest::Client::new().request(method, url);
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            let resp = rb.send().await.unwrap();
            assert!(resp.status().is_success(), "/sim/{path}: {}", resp.status());
            resp.json().await.unwrap_or(serde_json::Value::Null)
        })
    }

    pub fn page(&self) -> Page {
        self.ui.global::<Kiosk>().get_page()
    }
}

/// The window size the scenarios run at, in physical pixels: the kiosk's 10" landscape screen,
/// or `KIOSK_E2E_SIZE` (`800x480`, `1080x1920`: a scenario run again on another display, at the
/// scale the kiosk uses there).
pub fn size() -> (u32, u32) {
    std::env::var("KIOSK_E2E_SIZE").ok().map_or((1280, 800), |s| {
        let (w, h) = s.split_once('x').expect("KIOSK_E2E_SIZE is WIDTHxHEIGHT");
        (w.parse().unwrap(), h.parse().unwrap())
    })
}

/// Runs the test `name` of this test binary again in a child process at each of `sizes`
/// (Slint allows one event loop a process), failing with the child's output when one fails.
pub fn run_at_sizes(name: &str, sizes: &[&str]) {
    for size in sizes {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--test-threads=1"])
            .env("KIOSK_E2E_SIZE", size)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} at {size} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("1 passed"), "{name} at {size} ran no test:\n{stdout}");
    }
}

/// A swipe over the middle of the window: positive `dy` scrolls the page down.
fn swipe(ui: &AppWindow, dy: f32) {
    let size = ui.window().size().to_logical(ui.window().scale_factor());
    ui.window().dispatch_event(WindowEvent::PointerScrolled {
        position: LogicalPosition::new(size.width / 2.0, size.height / 2.0),
        delta_x: 0.0,
        delta_y: -dy,
    });
}

fn find_here(ui: &AppWindow, label: &str, wanted: impl Fn(Option<AccessibleRole>) -> bool) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(ui, label).find(|e| wanted(e.accessible_role()))
}

/// Finds an element as a visitor does: on screen, or by scrolling down the page (only what is
/// on screen can be touched), then back up.
fn find_role(
    ui: &AppWindow,
    label: &str,
    wanted: impl Fn(Option<AccessibleRole>) -> bool + Copy,
) -> Option<ElementHandle> {
    if let Some(e) = find_here(ui, label, wanted) {
        return Some(e);
    }
    for dy in [200.0, -200.0] {
        for _ in 0..40 {
            swipe(ui, dy);
            if let Some(e) = find_here(ui, label, wanted) {
                return Some(e);
            }
        }
    }
    None
}

/// Something a finger can act on labelled `label` (a caption with the same words is skipped).
fn find(ui: &AppWindow, label: &str) -> Option<ElementHandle> {
    find_role(ui, label, |r| !matches!(r, Some(AccessibleRole::Text) | None))
}

/// Presses the element labelled `label`, as a finger would.
pub fn press(ui: &AppWindow, label: &str) {
    let element =
        find(ui, label).unwrap_or_else(|| panic!("nothing labelled {label:?} on screen; on screen: {:?}", labels(ui)));
    element.invoke_accessible_default_action();
}

/// Types `text` into the field labelled `label`.
pub fn type_into(ui: &AppWindow, label: &str, text: &str) {
    let element = find_role(ui, label, |r| r == Some(AccessibleRole::TextInput))
        .unwrap_or_else(|| panic!("no field labelled {label:?} on screen"));
    element.set_accessible_value(text);
}

/// Fails unless the field labelled `label` is wholly inside the window, where a visitor sees
/// it without scrolling (`why`: what the scenario expects there).
pub fn assert_in_view(ui: &AppWindow, label: &str, why: &str) {
    in_view(ui, label, why, |r| r == Some(AccessibleRole::TextInput));
}

/// Fails unless something a finger can press labelled `label` is wholly inside the window.
pub fn assert_button_in_view(ui: &AppWindow, label: &str, why: &str) {
    in_view(ui, label, why, |r| !matches!(r, Some(AccessibleRole::Text) | None));
}

fn in_view(ui: &AppWindow, label: &str, why: &str, wanted: impl Fn(Option<AccessibleRole>) -> bool) {
    let window = ui.window().size().to_logical(ui.window().scale_factor());
    let field = find_here(ui, label, wanted)
        .unwrap_or_else(|| panic!("{why}: {label:?} is not on screen; on screen: {:?}", labels(ui)));
    let (at, size) = (field.absolute_position(), field.size());
    assert!(
        at.y >= 0.0 && at.y + size.height <= window.height,
        "{why}: {label:?} is at y {} to {}, the window is {} high",
        at.y,
        at.y + size.height,
        window.height
    );
}

/// Lets the event loop run for `d` (timers, answers from the runtime).
pub async fn pause(d: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    slint::Timer::single_shot(d, move || {
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// Waits until `cond` holds, failing the test after [`PATIENCE`].
pub async fn until(ui: &AppWindow, what: &str, cond: impl Fn(&AppWindow) -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !cond(ui) {
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}; on screen: page {:?}, {:?}",
            ui.global::<Kiosk>().get_page(),
            labels(ui),
        );
        pause(Duration::from_millis(20)).await;
    }
}

/// Every labelled element on screen with its role (for failure messages).
pub fn labels(ui: &AppWindow) -> Vec<String> {
    i_slint_backend_testing::ElementQuery::from_root(ui)
        .find_all()
        .into_iter()
        .filter_map(|e| Some(format!("{:?}={:?}", e.accessible_role()?, e.accessible_label()?)))
        .collect()
}

/// Waits for an element labelled `label` to be on screen.
pub async fn until_shown(ui: &AppWindow, label: &str) {
    let deadline = Instant::now() + PATIENCE;
    while find_here(ui, label, |r| !matches!(r, Some(AccessibleRole::Text) | None)).is_none()
        && find(ui, label).is_none()
    {
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {label:?}; offices {}; on screen: {:?}",
            ui.global::<Location>().get_offices().row_count(),
            labels(ui)
        );
        pause(Duration::from_millis(20)).await;
    }
}

/// Waits until a text reading exactly `text` is on screen.
pub async fn until_text(ui: &AppWindow, text: &str) {
    let want = format!("Text={text:?}");
    until(ui, text, |ui| labels(ui).contains(&want)).await;
}

/// The first day of the calendar a visitor can pick, as its accessible label says it.
pub fn first_free_day(ui: &AppWindow) -> Option<(String, String)> {
    let days = ui.global::<Calendar>().get_days();
    days.iter()
        .find(|d| d.selectable)
        .map(|d| (format!("{} {}", d.day, d.long_label), d.date.to_string()))
}

/// Step 5 in full: the first free day, its first time, held; returns the held slot's id.
pub async fn pick_first_time(ui: &AppWindow) -> String {
    until(ui, "a free day on the calendar", |ui| first_free_day(ui).is_some()).await;
    let (day_label, _) = first_free_day(ui).unwrap();
    press(ui, &day_label);
    until(ui, "the free times of the day", |ui| {
        ui.global::<Calendar>().get_times().row_count() > 0
    })
    .await;
    let v = ui.global::<Calendar>();
    let first = v.get_times().row_data(0).unwrap();
    press(ui, &format!("{}: {}", v.get_day_label(), first.label));
    until(ui, "the hold's countdown", |ui| {
        !ui.global::<Calendar>().get_hold_text().is_empty()
    })
    .await;
    first.id.to_string()
}

/// Presses Scan on every document row and waits until each is attached.
pub async fn scan_every_document(ui: &AppWindow, scan: &str) {
    let rows = ui.global::<Documents>().get_documents();
    assert!(rows.row_count() >= 3, "at least the three base documents are asked for");
    let labels: Vec<String> = rows
        .iter()
        .filter(|r| !r.attached)
        .map(|r| format!("{scan}: {}", r.label))
        .collect();
    for label in labels {
        press(ui, &label);
        until(ui, "the upload", |ui| !ui.global::<Documents>().get_busy()).await;
    }
    until(ui, "every document attached", |ui| {
        ui.global::<Documents>().get_documents().iter().all(|r| r.attached)
    })
    .await;
}

/// Types with the on-screen keyboard, as a visitor does: touches the field, then each key by
/// its label, then Done.
pub async fn type_on_keyboard(ui: &AppWindow, field: &str, keys: &[&str], done: &str) {
    let element = find_role(ui, field, |r| r == Some(AccessibleRole::TextInput))
        .unwrap_or_else(|| panic!("no field labelled {field:?} on screen"));
    // A finger touches what it sees: the page is swiped until the whole field is clear of the
    // buttons at the bottom.
    let height = ui.window().size().to_logical(ui.window().scale_factor()).height;
    for _ in 0..20 {
        let bottom = element.absolute_position().y + element.size().height;
        if bottom <= height - 140.0 {
            break;
        }
        swipe(ui, 60.0);
    }
    element.single_click(slint::platform::PointerEventButton::Left).await;
    until(ui, "the on-screen keyboard", |ui| {
        ui.global::<citas_kiosk::ui::Keyboard>().get_label() == field
    })
    .await;
    for key in keys {
        press(ui, key);
    }
    press(ui, done);
}

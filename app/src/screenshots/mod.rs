//! `--screenshots DIR [--size WxH]`: renders every screen headless with the software renderer,
//! in both languages, to `NN-<screen>-<lang>.png`, and exits. No display is needed.

use std::path::Path;
use std::rc::Rc;

use anyhow::Context;
use kiosk_core::Language;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError};

use kiosk_sync::SyncEngine;

use crate::screens::lookup::{self, FoundBooking};
use crate::shell;
use crate::ui::{AppWindow, Keyboard, KeyboardLayout, Kiosk, Lookup, LookupState, Page};

mod staff;
mod visit;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

fn save(ui: &AppWindow, path: &Path) -> anyhow::Result<()> {
    slint::platform::update_timers_and_animations();
    let shot = ui.window().take_snapshot().context("taking the snapshot")?;
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), shot.width(), shot.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(shot.as_bytes())?;
    Ok(())
}

/// Puts the window in the state of one screen, in a language: each screen's own render, from
/// a state its own functions produced.
type SetUp = Box<dyn Fn(&AppWindow, Language)>;

/// One screen: its file name and how to put the window in its state.
pub struct Screen {
    pub name: &'static str,
    page: Page,
    set_up: SetUp,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screen")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Screen {
    fn new(name: &'static str, page: Page) -> Screen {
        Screen {
            name,
            page,
            set_up: Box::new(|_, _| {}),
        }
    }

    /// Adds `f` to what puts the window in this screen's state (after what is there).
    fn with(mut self, f: impl Fn(&AppWindow, Language) + 'static) -> Screen {
        let before = std::mem::replace(&mut self.set_up, Box::new(|_, _| {}));
        self.set_up = Box::new(move |ui, lang| {
            before(ui, lang);
            f(ui, lang);
        });
        self
    }
}

/// Opens the on-screen keyboard as a focused field would.
fn keyboard(ui: &AppWindow, layout: KeyboardLayout, label: &str, echo: &str, accents: bool) {
    let k = ui.global::<Keyboard>();
    k.set_layout(layout);
    k.set_label(label.into());
    k.set_echo(echo.into());
    k.set_accents(accents);
    k.set_forced(true);
}

/// The headless window every screen is drawn in (software renderer, no display).
pub struct HeadlessWindow {
    pub ui: AppWindow,
    pub window: Rc<MinimalSoftwareWindow>,
}

impl std::fmt::Debug for HeadlessWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadlessWindow").finish_non_exhaustive()
    }
}

impl HeadlessWindow {
    /// Installs the headless platform (once per process) and opens the kiosk's window.
    pub fn open((w, h): (u32, u32)) -> anyhow::Result<HeadlessWindow> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(Headless { window: window.clone() }))
            .map_err(|e| anyhow::anyhow!("setting the headless platform: {e}"))?;
        let ui = AppWindow::new()?;
        let headless = HeadlessWindow { ui, window };
        headless.resize((w, h));
        headless.ui.show()?;
        Ok(headless)
    }

    /// Makes the window `w` x `h` physical pixels at the scale the kiosk would use on such a
    /// panel of unknown physical size.
    pub fn resize(&self, (w, h): (u32, u32)) {
        self.resize_panel(kiosk_core::display::Panel::of_size(w, h));
    }

    /// Makes the window the panel's size at the scale the kiosk uses on it
    /// ([`kiosk_core::display::Panel::scale_factor`]).
    pub fn resize_panel(&self, panel: kiosk_core::display::Panel) {
        let scale_factor = panel.scale_factor(None);
        self.ui
            .window()
            .dispatch_event(slint::platform::WindowEvent::ScaleFactorChanged { scale_factor });
        self.ui.window().set_size(PhysicalSize::new(panel.width, panel.height));
    }

    /// Puts the window in the state of `screen` in `lang`.
    pub fn show(&self, screen: &Screen, lang: Language) {
        let ui = &self.ui;
        let k = ui.global::<Kiosk>();
        k.set_idle_warning(false);
        k.set_dimmed(false);
        k.set_staff_out_of_service(false);
        k.set_startup(crate::ui::Startup::Ready);
        ui.global::<crate::ui::StaffPad>().set_pad_open(false);
        ui.global::<Keyboard>().set_forced(false);
        k.set_page(screen.page);
        (screen.set_up)(ui, lang);
    }
}

/// Every screen: the welcome and lookup screens (with `found`, a real booking), then a whole
/// visit walked against the demo's simulator.
pub fn all_screens(
    found: &FoundBooking,
    engine: &SyncEngine,
    scanner: &kiosk_scan::DeviceUri,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Vec<Screen>> {
    let mut screens = vec![
        Screen::new("welcome", Page::Welcome).with(|ui, _| ui.global::<Kiosk>().set_out_of_service(false)),
        Screen::new("welcome-out-of-service", Page::Welcome)
            .with(|ui, _| ui.global::<Kiosk>().set_out_of_service(true)),
        Screen::new("lookup", Page::Lookup).with(|ui, _| {
            ui.global::<Kiosk>().set_out_of_service(false);
            ui.global::<Lookup>().set_state(LookupState::Idle);
            ui.global::<Lookup>().set_code("".into());
        }),
        Screen::new("lookup-not-found", Page::Lookup).with(|ui, _| {
            ui.global::<Lookup>().set_code("ABCD2345".into());
            ui.global::<Lookup>().set_state(LookupState::NotFound);
        }),
        Screen::new("lookup-found", Page::Lookup).with({
            let found = found.clone();
            move |ui, lang| lookup::show_found(ui, &found, lang)
        }),
        Screen::new("lookup-confirm-cancel", Page::Lookup).with({
            let found = found.clone();
            move |ui, lang| {
                lookup::show_found(ui, &found, lang);
                ui.global::<Lookup>().set_state(LookupState::ConfirmCancel);
            }
        }),
    ];
    screens.extend(visit::screens(engine, scanner, runtime)?);
    Ok(screens)
}

/// Every screen `--screenshots` draws: the visitor's ([`all_screens`]), then staff's.
pub fn every_screen(found: &FoundBooking, services: &crate::services::Services) -> anyhow::Result<Vec<Screen>> {
    let scanner = services.scanner.clone().context("the demo has a scanner")?;
    let mut screens = all_screens(found, &services.engine, &scanner, &services.runtime)?;
    screens.extend(staff::screens(services)?);
    Ok(screens)
}

pub(crate) fn lang_of(ui: &AppWindow) -> Language {
    ui.global::<Kiosk>().get_language().parse().unwrap_or_default()
}

/// Renders every screen in both languages to `NN-<screen>-<lang>.png` in `dir`.
pub fn render_all(
    dir: &Path,
    size: (u32, u32),
    found: &FoundBooking,
    services: &crate::services::Services,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let headless = HeadlessWindow::open(size)?;
    let screens = every_screen(found, services)?;
    let mut written = Vec::new();
    for lang in Language::ALL {
        shell::set_language(&headless.ui, lang);
        for (i, screen) in screens.iter().enumerate() {
            headless.show(screen, lang);
            let path = dir.join(format!("{:02}-{}-{}.png", i + 1, screen.name, lang.tag()));
            save(&headless.ui, &path)?;
            written.push(path);
        }
    }
    Ok(written)
}

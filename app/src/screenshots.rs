//! `--screenshots DIR [--size WxH]`: renders every screen headless with the software renderer,
//! in both languages, to `NN-<screen>-<lang>.png`, and exits. No display is needed.

use std::path::Path;
use std::rc::Rc;

use anyhow::Context;
use kiosk_core::Language;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError};

use crate::controller::{self, FoundBooking};
use crate::ui::{AppWindow, Kiosk, Lookup, LookupState, Page};

/// Puts the window in the state of one screen.
type SetUp<'a> = dyn Fn(&AppWindow) + 'a;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

/// A window size `WxH`.
pub fn parse_size(s: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = s.split_once('x').context("a size is WIDTHxHEIGHT, e.g. 1280x800")?;
    let (w, h): (u32, u32) = (w.parse()?, h.parse()?);
    anyhow::ensure!(
        (320..=4096).contains(&w) && (320..=4096).contains(&h),
        "a size is 320 to 4096 pixels a side"
    );
    Ok((w, h))
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

/// Renders the screens. `found` is a real booking (from the demo's simulator) for the lookup
/// screens.
pub fn render_all(dir: &Path, (w, h): (u32, u32), found: &FoundBooking) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless { window: window.clone() }))
        .map_err(|e| anyhow::anyhow!("setting the headless platform: {e}"))?;
    let ui = AppWindow::new()?;
    ui.window().set_size(PhysicalSize::new(w, h));
    ui.show()?;
    let mut written = Vec::new();
    for lang in Language::ALL {
        controller::set_language(&ui, lang);
        let screens: [(&str, &SetUp<'_>); 5] = [
            ("welcome", &|ui| ui.global::<Kiosk>().set_page(Page::Welcome)),
            ("lookup", &|ui| {
                ui.global::<Kiosk>().set_page(Page::Lookup);
                ui.global::<Lookup>().set_state(LookupState::Idle);
                ui.global::<Lookup>().set_code("".into());
            }),
            ("lookup-not-found", &|ui| {
                ui.global::<Lookup>().set_code("ABCD2345".into());
                ui.global::<Lookup>().set_state(LookupState::NotFound);
            }),
            ("lookup-found", &|ui| controller::show_found(ui, found, lang)),
            ("lookup-confirm-cancel", &|ui| {
                ui.global::<Lookup>().set_state(LookupState::ConfirmCancel);
            }),
        ];
        for (i, (name, set_up)) in screens.iter().enumerate() {
            set_up(&ui);
            let path = dir.join(format!("{:02}-{name}-{}.png", i + 1, lang.tag()));
            save(&ui, &path)?;
            written.push(path);
        }
    }
    Ok(written)
}

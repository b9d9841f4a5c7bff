//! The display the kiosk draws on: the UI scaled for the panel's size (kiosk-core's
//! [`kiosk_core::display::scale_factor`]: 1 up to the Pi's panels and 10" ones, 1.5 on a
//! 1080x1920 totem), unless `SLINT_SCALE_FACTOR` says otherwise (Slint's backend reads it).

use slint::ComponentHandle;
use slint::platform::WindowEvent;

use crate::ui::AppWindow;

/// Applies the panel's scale to the window once its size is known. Only on the kiosk's own
/// screen (linuxkms): a desktop window keeps the scale its windowing system gives it.
pub fn fit(ui: &AppWindow) {
    if std::env::var_os("SLINT_SCALE_FACTOR").is_some() || !cfg!(feature = "pi") {
        return;
    }
    let size = ui.window().size();
    let scale_factor = kiosk_core::display::scale_factor(size.width, size.height, None);
    #[allow(clippy::float_cmp)] // both are quarters, exact in binary
    let same = ui.window().scale_factor() == scale_factor;
    if !same {
        tracing::info!(
            width = size.width,
            height = size.height,
            scale_factor,
            "scaling the UI for the panel"
        );
        ui.window()
            .dispatch_event(WindowEvent::ScaleFactorChanged { scale_factor });
    }
}

//! The display the kiosk draws on, as kiosk.toml's `[display]` describes it: the picture
//! turned for a panel mounted on its side (before the window exists: [`prepare`]), touches
//! turned with it, and the UI scaled for the panel's size and density (kiosk-core's
//! [`kiosk_core::display::Panel`]: 1 up to the Pi's panels and 10" ones, 1.5 on a 1080x1920
//! totem, 1.25 on Touch Display 2 turned to 1280x720), unless `SLINT_SCALE_FACTOR` says
//! otherwise (Slint's backend reads it).

use kiosk_config::Display;
use kiosk_core::display::Panel;
#[cfg(feature = "pi")]
use kiosk_core::display::Rotation;
use slint::ComponentHandle;
use slint::platform::WindowEvent;

use crate::ui::AppWindow;

/// Before anything else in `main` (no thread may run yet): reads `[display]` from the
/// configuration's layers on its own (a kiosk not set up yet still turns its picture; a
/// mistake there leaves it upright, and the start-up screen names it with the rest), turns the
/// picture and, on the kiosk's own screen, installs the backend with touches turned to match.
pub fn prepare(named: &[std::path::PathBuf]) -> Display {
    let display = kiosk_config::display_of(named).unwrap_or_else(|e| {
        tracing::warn!(problems = %e, "the display's settings are not usable: drawn upright, scaled by its pixels");
        Display::default()
    });
    // The touches follow the rotation in effect: a technician's SLINT_KMS_ROTATION, or none
    // when the picture could not be turned.
    let in_effect = match kiosk_device::rotation::set_picture_rotation(display.rotation.degrees()) {
        Ok(applied) => {
            tracing::info!(rotation = %applied, "the picture's rotation");
            applied
                .degrees()
                .and_then(|d| kiosk_core::display::Rotation::from_degrees(d.into()))
        }
        Err(e) => {
            tracing::error!(error = %e, "the picture is not turned");
            None
        }
    };
    #[cfg(feature = "pi")]
    select_backend(in_effect.unwrap_or_default());
    #[cfg(not(feature = "pi"))]
    let _ = in_effect;
    display
}

/// The linuxkms backend, with every touch panel it finds calibrated for the rotation (Slint
/// turns the picture, not the touches). A failure leaves Slint to choose the backend itself.
#[cfg(feature = "pi")]
fn select_backend(rotation: Rotation) {
    use input::event::EventTrait;
    let matrix = rotation.touch_matrix();
    let selected = slint::BackendSelector::new()
        .with_libinput_event_hook(move |event| {
            match event {
                input::Event::Device(input::event::DeviceEvent::Added(added)) => {
                    let device = added.device();
                    announce(&device);
                    calibrate(device, rotation, matrix);
                }
                // A technician at a dead touchscreen asks whether touches arrive at all
                // (RUST_LOG=citas_kiosk::shell::display=debug): the kind only, never where (a
                // position on the PIN pad is a digit).
                input::Event::Pointer(_) | input::Event::Touch(_) | input::Event::Tablet(_) => {
                    tracing::debug!(kind = input_kind(event), "an input event");
                }
                _ => {}
            }
            false
        })
        .select();
    if let Err(e) = selected {
        tracing::error!(error = %e, "selecting the display's backend");
    }
}

/// Which input devices the kiosk reads, with what they can do: the journal says whether the
/// touchscreen was found, and as what (a touch panel, or an absolute pointer).
#[cfg(feature = "pi")]
fn announce(device: &input::Device) {
    use input::DeviceCapability as Can;
    let can: Vec<&str> = [
        (Can::Touch, "touch"),
        (Can::Pointer, "pointer"),
        (Can::TabletTool, "tablet tool"),
        (Can::Keyboard, "keyboard"),
    ]
    .into_iter()
    .filter(|(capability, _)| device.has_capability(*capability))
    .map(|(_, name)| name)
    .collect();
    tracing::info!(device = %device.name(), sysname = %device.sysname(), capabilities = ?can, "an input device");
}

#[cfg(feature = "pi")]
fn input_kind(event: &input::Event) -> &'static str {
    use input::event::{PointerEvent, TouchEvent};
    match event {
        input::Event::Pointer(PointerEvent::Motion(_)) => "pointer motion",
        input::Event::Pointer(PointerEvent::MotionAbsolute(_)) => "pointer absolute motion",
        input::Event::Pointer(PointerEvent::Button(_)) => "pointer button",
        input::Event::Pointer(_) => "pointer scroll",
        input::Event::Touch(TouchEvent::Down(_)) => "touch down",
        input::Event::Touch(TouchEvent::Up(_)) => "touch up",
        input::Event::Touch(TouchEvent::Motion(_)) => "touch motion",
        input::Event::Touch(_) => "touch frame or cancel",
        // Slint reads no tablet events: a touchscreen that libinput takes for a tablet is dead.
        input::Event::Tablet(_) => "tablet tool",
        _ => "other",
    }
}

#[cfg(feature = "pi")]
fn calibrate(mut device: input::Device, rotation: Rotation, matrix: [f32; 6]) {
    if rotation == Rotation::None
        || !device.has_capability(input::DeviceCapability::Touch)
        || !device.config_calibration_has_matrix()
    {
        return;
    }
    let name = device.name().to_string();
    match device.config_calibration_set_matrix(matrix) {
        Ok(()) => tracing::info!(device = %name, degrees = rotation.degrees(), "touches turned with the picture"),
        Err(e) => tracing::error!(device = %name, error = ?e, "the touch panel refused its calibration"),
    }
}

/// Applies the panel's scale to the window once its size is known. Only on the kiosk's own
/// screen (linuxkms): a desktop window keeps the scale its windowing system gives it.
pub fn fit(ui: &AppWindow, settings: &Display) {
    if std::env::var_os("SLINT_SCALE_FACTOR").is_some() || !cfg!(feature = "pi") {
        return;
    }
    let size = ui.window().size();
    let panel = Panel {
        width: size.width,
        height: size.height,
        diagonal_inches: settings.diagonal_inches,
    };
    let scale_factor = panel.scale_factor(settings.scale);
    #[allow(clippy::float_cmp)] // the same number set twice is equal; no arithmetic between
    let same = ui.window().scale_factor() == scale_factor;
    if !same {
        tracing::info!(
            width = size.width,
            height = size.height,
            diagonal_inches = settings.diagonal_inches,
            scale_factor,
            "scaling the UI for the panel"
        );
        ui.window()
            .dispatch_event(WindowEvent::ScaleFactorChanged { scale_factor });
    }
}

//! # kiosk-device: what surrounds the app on the kiosk
//!
//! What it is for: the status LED, the call-staff button and the presence sensor behind the
//! [`gpio::Gpio`] trait (the Pi's pins through `rppal` with the `rpi` feature, a simulated
//! board everywhere else); systemd's notify protocol ([`systemd`]: `READY=1` once the first
//! screen is drawn, `WATCHDOG=1` from the UI loop); and whether the kernel's clock is
//! synchronised ([`clock`]), without which no appointment time is shown; the display's
//! [`backlight`], dimmed while nobody is in front of the kiosk; the picture's [`rotation`] for
//! a panel mounted on its side; and which [`system`] runs (the
//! image's version and the RAUC slot booted).
//!
//! What it is not for: deciding what the LED or a button press means (the app does).

pub mod backlight;
pub mod clock;
pub mod gpio;
pub mod rotation;
pub mod system;
pub mod systemd;

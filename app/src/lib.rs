//! # citas-kiosk: the touchscreen app
//!
//! What it is for: the screens a visitor (and staff) touch ([`ui`], compiled from
//! `app/ui/*.slint`), composed over `kiosk-core` (every rule) and the device and service crates
//! of `system/` (every server call, scan and print). The UI holds no rule: a callback goes to
//! the screen that owns it, which calls the core and the services and renders back into its
//! own global.
//!
//! ## A tour of the rooms
//!
//! - [`screens`]: one module per screen. Each owns its callbacks, its state, its render into
//!   its own global (declared in that page's `.slint` file) and its `reset`; it never imports
//!   another screen nor the shell. Built so far: [`screens::lookup`] ("I already have an
//!   appointment") and [`screens::maintenance`] (pin pad, report, actions).
//! - [`bridge`]: the one way work goes to the tokio runtime and its answer comes back to the
//!   UI thread, dropped when the visit (or the staff session) it was for has ended.
//! - [`nav`]: how a screen leaves: a [`nav::Nav`] value the shell acts on.
//! - [`controller`]: the shell as it stands (issue 16 is turning it into `shell.rs`): it owns
//!   the page, the language, the timers (inactivity, dimming, health) and `end_visit`, and
//!   still carries the sign-in, Llave MX and the five steps, with [`visit`] (their state and
//!   render) and [`register`] ("create an account").
//! - [`services`]: the runtime, the sync engine, the scanner, the printer, the device's parts.
//! - [`startup`] (the kiosk before it can serve: configuration, enrolment), [`printing`] (the
//!   ticket queue as the screens use it), [`llave`] (RFC 8628 polling, the QR), [`config`],
//!   [`logging`] (the redaction net), [`device`].
//! - Behind the `demo` feature (the desktop build; never the Pi's image): `demo` (the
//!   simulators in-process), `screenshots` and `bench`.
//!
//! What it is not for: business rules, storage or protocols; those live in `system/`.

#[cfg(feature = "demo")]
pub mod bench;
pub mod bridge;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod device;
pub mod logging;
pub mod nav;
pub mod printing;
pub mod screens;
#[cfg(feature = "demo")]
pub mod screenshots;
pub mod services;
pub mod shell;
pub mod startup;
pub mod view;
pub mod visit;
pub mod words;

/// The compiled Slint UI.
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    missing_debug_implementations,
    unreachable_pub
)]
pub mod ui {
    slint::include_modules!();
}

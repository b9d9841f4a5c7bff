//! # citas-kiosk: the touchscreen app
//!
//! What it is for: the screens a visitor touches ([`ui`], compiled from `app/ui/*.slint`) and
//! the [`controller`] that wires them to `kiosk-core` (every rule) and `kiosk-sync` (every
//! server call). The UI holds no rule: a callback goes to the controller, which calls the core
//! and the services and pushes the new view back.
//!
//! What it is not for: business rules, storage or protocols; those live in `system/`.
//!
//! Built so far: the welcome screen, the language switch and larger text on every screen, and
//! "I already have an appointment" (find by code, see it in the office's time zone, cancel it
//! through the outbox). The sign-in and the five booking steps come next (issue 4).

#[cfg(feature = "demo")]
pub mod bench;
pub mod bridge;
pub mod config;
pub mod controller;
#[cfg(feature = "demo")]
pub mod demo;
pub mod device;
pub mod llave;
pub mod logging;
pub mod nav;
pub mod printing;
pub mod register;
pub mod screens;
#[cfg(feature = "demo")]
pub mod screenshots;
pub mod services;
pub mod startup;
pub mod visit;

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

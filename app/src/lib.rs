//! # citas-kiosk: the touchscreen app
//!
//! What it is for: the screens a visitor (and staff) touch ([`ui`], compiled from
//! `app/ui/*.slint`), composed over `kiosk-core` (every rule) and the device and service crates
//! of `system/` (every server call, scan and print). The UI holds no rule: a callback goes to
//! the screen that owns it, which calls the core and the services and renders back into its
//! own global; a touch re-renders only that screen.
//!
//! ## A tour of the rooms
//!
//! - [`shell`]: builds every screen, owns the page shown (the UI only reads `Kiosk.page`), the
//!   language (one copy, told to the visit's session), [`shell::Shell::end_visit`] (every
//!   screen's `reset`), inactivity and dimming, the server's health and the device's events.
//! - [`screens`]: one module per screen, each with its callbacks, its own state, its render
//!   into its own global (declared in its page's `.slint` file) and its `reset`. A screen
//!   never names the shell or another screen: it leaves through a [`nav::Nav`] value. "Fix
//!   step 4" means [`screens::documents`]; step 5 is [`screens::date_time`]; the sign-in is
//!   [`screens::sign_in`], [`screens::llave`] and [`screens::register`]; staff's is
//!   [`screens::maintenance`].
//! - [`visit`]: what the visitor's screens share (the `Session` of kiosk-core, the account,
//!   the catalogue, step 3's draft, the outcome); replaced whole when a visit ends.
//! - [`words`]: every message a visitor reads about what happened, worded at render time.
//! - [`view`]: building what a page shows (models, form rows kept in place, a step's frame).
//! - [`bridge`]: the one way work goes to the tokio runtime and its answer comes back to the
//!   UI thread, dropped when the visit (or the staff session) it was for has ended.
//! - [`nav`]: how a screen leaves: a [`nav::Nav`] value the shell acts on.
//! - [`services`]: the runtime, the sync engine, the scanner, the printer, the device's parts.
//! - [`startup`] (the kiosk before it can serve: configuration, enrolment), [`printing`] (the
//!   ticket queue as the screens use it), [`config`], [`logging`] (the redaction net),
//!   [`device`].
//! - Behind the `demo` feature (the desktop build; never the Pi's image): `demo` (the
//!   simulators in-process), `screenshots` and `bench`.
//!
//! `tests/rooms.rs` checks the house on its sources: no import circle between rooms, no
//! screen naming another, no file over 400 lines, no `thread_local`.
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

//! # kiosk-core: the rules of a Citas SRE visit
//!
//! What this crate is for: the domain types and every rule the kiosk applies to what a visitor
//! types and chooses, written once and tested without any UI, network or hardware. What it is
//! not for: I/O of any kind (no SQL, HTTP, USB, Slint, clocks or files; time comes in as
//! arguments), and no async.
//!
//! A tour, bottom up:
//!
//! - [`lang`]: the two languages and [`Explain`], the one mapping from an error to the words a
//!   visitor reads, saying what to fix.
//! - Fields a visitor types: [`curp`] (the CURP and what it tells), [`email`], [`phone`]
//!   (libphonenumber, stored E.164), [`postal`] (MX, US, CA rules), [`name`] (names in any
//!   script), [`password`] (the Citas SRE rules, all reported at once), over [`country`] codes.
//! - [`booking`]: confirmation codes as visitors type them.
//! - [`catalogue`]: the procedures, their "Enter information" forms, durations and documents.
//! - [`office`]: offices, slots and holds; [`availability`]: a day's colour and label;
//!   [`calendar`]: step 5's month grid and the free times of a day;
//!   [`time`]: appointment times in the office's zone, and the one place they become words.
//! - [`form`] and [`applicant`]: drafts kept as typed, checked into values field by field.
//! - [`session`]: the visit itself, a pure state machine over the five steps; [`idle`]: how
//!   long a visit waits for a visitor who stopped touching the screen.
//! - [`display`]: the layout class and scale of the panel the kiosk stands behind.
//! - [`health`]: the health report staff see, graded green, amber or red.
//! - [`staff`]: staff ids, PIN rules and the PIN pad's lock.
//! - [`server`]: which central-server addresses the kiosk may talk to (https; http only to
//!   this machine's loopback).
//! - [`ticket`]: what the confirmation ticket says (no personal data), printed and previewed;
//!   [`slip`]: what the slip of a request saved and NOT confirmed says.

pub mod applicant;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod catalogue;
pub mod country;
pub mod curp;
pub mod display;
pub mod email;
pub mod form;
pub mod health;
pub mod idle;
pub mod lang;
pub mod name;
pub mod office;
pub mod password;
pub mod phone;
pub mod postal;
pub mod redact;
pub mod registration;
pub mod server;
pub mod session;
pub mod slip;
pub mod staff;
pub mod ticket;
pub mod time;

pub use lang::{Explain, Language};

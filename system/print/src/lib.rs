//! # kiosk-print: tickets and slips on ESC/POS thermal printers
//!
//! What it is for: turning a [`kiosk_core::ticket::Ticket`] into what a receipt printer prints
//! and what a screen shows, talking to the printer, and working through the print queue the
//! store keeps. What it is not for: deciding what a ticket says (that is `kiosk-core`'s
//! `ticket`), or when to print (the app and the sync engine queue jobs).
//!
//! - [`printout`]: what a job holds (a ticket, or the slip of a request saved and NOT
//!   confirmed) and the slip's lines.
//! - [`layout`]: the ticket as lines for a paper width (58 mm: 32 columns; 80 mm: 42 or 48),
//!   wrapped between words; [`text`]: WPC1252 text, transliterated where it lacks a character.
//! - [`escpos`]: the lines as ESC/POS bytes (`escpos`'s builder: native QR, model 2);
//!   [`preview`]: the same lines as a picture at the printer's resolution (PNG).
//! - [`device`]: printers by URI (`tcp://`, `usb`, `file:`), status (`DLE EOT`) before and
//!   after every job; [`usb`]: the USB printer driver over `nusb`.
//! - [`queue`]: the worker that prints the store's queued jobs and records the outcome;
//!   [`worker`]: the queue worked on the async runtime, one round at a time, retried every few
//!   seconds while tickets wait (what the app and its screens call).

pub mod device;
pub mod error;
pub mod escpos;
pub mod layout;
pub mod preview;
pub mod printout;
pub mod queue;
pub mod status;
pub mod text;
pub mod usb;
pub mod worker;

pub use device::{Printed, Printer, PrinterUri, Timeouts};
pub use error::PrintError;
pub use layout::{Paper, layout};
pub use preview::Preview;
pub use printout::Printout;
pub use queue::{JobOutcome, PrintQueue};
pub use status::{PaperLevel, PrinterStatus};

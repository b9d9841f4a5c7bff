//! eSCL (Mopria's driverless scanning protocol over HTTP), as network scanners and
//! IPP-over-USB multifunction devices speak it.

pub mod client;
pub mod xml;

pub use client::{ScanOptions, Scanner, SourceChoice, Timeouts, settings_for};
pub use xml::{Capabilities, InputCaps, ScanSettings, Status};

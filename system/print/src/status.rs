//! A printer's state from its real-time status (`DLE EOT n`), decoded by `escpos`.

use std::fmt;

use escpos::utils::{RealTimeStatusRequest, RealTimeStatusResponse};
use kiosk_core::lang::{Explain, Language};
use serde::Serialize;

/// The paper roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaperLevel {
    Ok,
    /// The near-end sensor sees little paper left: it still prints.
    NearEnd,
    Out,
}

/// What the printer says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PrinterStatus {
    pub online: bool,
    pub cover_open: bool,
    pub paper: PaperLevel,
    /// A cutter jam, a head too hot, or another error the printer reports.
    pub error: bool,
}

impl PrinterStatus {
    /// Whether a ticket sent now will come out.
    pub fn ready(&self) -> bool {
        self.online && !self.cover_open && self.paper != PaperLevel::Out && !self.error
    }

    /// Something staff should see to soon, even if it still prints.
    pub fn needs_attention(&self) -> bool {
        !self.ready() || self.paper == PaperLevel::NearEnd
    }

    /// Builds the status from the one-byte answers to `DLE EOT 1` (printer), `2` (offline
    /// cause), `3` (error cause) and `4` (roll paper sensor). An answer that is not a status
    /// byte (its fixed bits wrong) is an error.
    pub fn from_replies(printer: u8, offline: u8, error: u8, paper: u8) -> Result<PrinterStatus, String> {
        let parse = |req: RealTimeStatusRequest, b: u8| {
            RealTimeStatusResponse::parse(req, b).map_err(|e| format!("{req:?} status {b:#04x}: {e}"))
        };
        let printer = parse(RealTimeStatusRequest::Printer, printer)?;
        let offline = parse(RealTimeStatusRequest::OfflineCause, offline)?;
        let error = parse(RealTimeStatusRequest::ErrorCause, error)?;
        let paper = parse(RealTimeStatusRequest::RollPaperSensor, paper)?;
        let flag = |m: &std::collections::HashMap<RealTimeStatusResponse, bool>, k| m.get(&k).copied().unwrap_or(false);
        let out = !flag(&paper, RealTimeStatusResponse::RollPaperEndSensorPaperPresent)
            || flag(&offline, RealTimeStatusResponse::PrintingStopsDueToPaperEnd);
        let near = !flag(&paper, RealTimeStatusResponse::RollPaperNearEndSensorPaperAdequate);
        Ok(PrinterStatus {
            online: flag(&printer, RealTimeStatusResponse::Online),
            cover_open: !flag(&offline, RealTimeStatusResponse::CoverClosed),
            paper: if out {
                PaperLevel::Out
            } else if near {
                PaperLevel::NearEnd
            } else {
                PaperLevel::Ok
            },
            error: flag(&offline, RealTimeStatusResponse::ErrorOccurred)
                || flag(&error, RealTimeStatusResponse::AutocutterErrorOccurred)
                || flag(&error, RealTimeStatusResponse::UnrecoverableErrorOccurred)
                || flag(&error, RealTimeStatusResponse::RecoverableErrorOccurred),
        })
    }

    /// Whether `b` can be an answer to `DLE EOT` (bits 0xx1xx10).
    pub fn is_status_byte(b: u8) -> bool {
        b & 0b1001_0011 == 0b0001_0010
    }
}

impl fmt::Display for PrinterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        parts.push(if self.online { "online" } else { "offline" });
        if self.cover_open {
            parts.push("cover open");
        }
        parts.push(match self.paper {
            PaperLevel::Ok => "paper ok",
            PaperLevel::NearEnd => "paper near end",
            PaperLevel::Out => "paper out",
        });
        if self.error {
            parts.push("error");
        }
        f.write_str(&parts.join(", "))
    }
}

impl Explain for PrinterStatus {
    /// For staff: what to do at the printer.
    fn explain(&self, lang: Language) -> String {
        if self.paper == PaperLevel::Out {
            lang.pick(
                "La impresora no tiene papel: cargue un rollo nuevo.",
                "The printer is out of paper: load a new roll.",
            )
        } else if self.cover_open {
            lang.pick(
                "La tapa de la impresora está abierta: ciérrela.",
                "The printer's cover is open: close it.",
            )
        } else if self.error {
            lang.pick(
                "La impresora reporta un error (cortador atascado o cabezal caliente): revísela y apáguela y enciéndala.",
                "The printer reports an error (cutter jam or hot head): check it, then turn it off and on.",
            )
        } else if !self.online {
            lang.pick("La impresora está fuera de línea.", "The printer is offline.")
        } else if self.paper == PaperLevel::NearEnd {
            lang.pick(
                "Queda poco papel: tenga listo un rollo nuevo.",
                "Paper is running low: have a new roll ready.",
            )
        } else {
            lang.pick("La impresora está lista.", "The printer is ready.")
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paper_near_end_and_out_from_the_roll_sensor() {
        // emupos' and Epson's answers: 0x12 ok, 0x1E near end, 0x7E out.
        let s = |paper| PrinterStatus::from_replies(0x16, 0x12, 0x12, paper).unwrap();
        assert_eq!(s(0x12).paper, PaperLevel::Ok);
        assert!(s(0x12).ready());
        assert_eq!(s(0x1E).paper, PaperLevel::NearEnd);
        assert!(s(0x1E).ready() && s(0x1E).needs_attention());
        assert_eq!(s(0x7E).paper, PaperLevel::Out);
        assert!(!s(0x7E).ready());
    }

    #[test]
    fn reads_cover_open_and_offline() {
        let s = PrinterStatus::from_replies(0x1E, 0x16, 0x12, 0x12).unwrap();
        assert!(!s.online && s.cover_open && !s.ready());
        assert!(s.explain(Language::Es).contains("tapa"));
    }

    #[test]
    fn refuses_bytes_that_are_not_status_answers() {
        assert!(PrinterStatus::from_replies(0x41, 0x12, 0x12, 0x12).is_err());
        assert!(!PrinterStatus::is_status_byte(0x00));
        assert!(PrinterStatus::is_status_byte(0x12));
    }
}

//! What can go wrong with printing, and how staff and visitors are told.

use kiosk_core::lang::{Explain, Language};

use crate::status::PrinterStatus;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("printer address {0}")]
    Uri(String),
    #[error("cannot reach the printer at {printer}: {reason}")]
    Unreachable { printer: String, reason: String },
    #[error("the printer at {printer} does not answer status requests")]
    NoAnswer { printer: String },
    #[error("the printer cannot print now ({0})")]
    NotReady(PrinterStatus),
    #[error("the printer is not healthy after the job ({0}): the ticket may be missing or cut short")]
    AfterJob(PrinterStatus),
    #[error("talking to the printer: {0}")]
    Io(String),
    #[error("building the ticket: {0}")]
    Render(String),
    #[error("the queued ticket cannot be read: {0}")]
    BadTicket(String),
}

impl PrintError {
    /// The printer's state, when it said what it was.
    pub fn status(&self) -> Option<PrinterStatus> {
        match self {
            PrintError::NotReady(s) | PrintError::AfterJob(s) => Some(*s),
            _ => None,
        }
    }
}

impl Explain for PrintError {
    /// For staff (maintenance screen, `kioskctl`): what to check.
    fn explain(&self, lang: Language) -> String {
        match self {
            PrintError::NotReady(s) | PrintError::AfterJob(s) => s.explain(lang),
            PrintError::Uri(_) => lang
                .pick(
                    "La dirección de la impresora en la configuración no es válida (tcp://HOST:PUERTO, usb o file:RUTA).",
                    "The printer address in the configuration is not valid (tcp://HOST:PORT, usb or file:PATH).",
                )
                .to_owned(),
            PrintError::Unreachable { .. } | PrintError::NoAnswer { .. } | PrintError::Io(_) => lang
                .pick(
                    "No hay comunicación con la impresora: revise que esté encendida y conectada.",
                    "The printer does not respond: check that it is on and connected.",
                )
                .to_owned(),
            PrintError::Render(_) | PrintError::BadTicket(_) => lang
                .pick(
                    "Este comprobante no se puede imprimir; el código de la cita sigue siendo válido.",
                    "This ticket cannot be printed; the appointment's code is still valid.",
                )
                .to_owned(),
        }
    }
}

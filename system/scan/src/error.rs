//! What can go wrong while scanning, told to the visitor in their language.

use kiosk_core::lang::{Explain, Language};

use crate::pdf::PdfError;

/// Why a scan gave no document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("no scanner is connected")]
    NoScanner,
    #[error("the scanner cannot be reached: {0}")]
    Unreachable(String),
    #[error("the connection to the scanner was lost: {0}")]
    Lost(String),
    #[error("the scanner was disconnected during the scan")]
    Disconnected,
    #[error("the scanner is busy")]
    Busy,
    #[error("the scanner is {0}")]
    Stopped(String),
    #[error("paper jam in the document feeder")]
    Jammed,
    #[error("the document feeder is empty")]
    FeederEmpty,
    #[error("this scanner has no document feeder")]
    NoFeeder,
    #[error("the scanner did not answer in time")]
    Timeout,
    #[error("the scan was cancelled")]
    Cancelled,
    #[error("the scanner answered something unexpected: {0}")]
    Protocol(String),
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

impl ScanError {
    #[allow(clippy::needless_pass_by_value)] // used as map_err(ScanError::unreachable)
    pub(crate) fn unreachable(e: std::io::Error) -> ScanError {
        ScanError::Unreachable(e.to_string())
    }

    #[allow(clippy::needless_pass_by_value)] // used as map_err(ScanError::lost)
    pub(crate) fn lost(e: hyper::Error) -> ScanError {
        ScanError::Lost(e.to_string())
    }

    /// Whether trying again in a moment may help (as opposed to staff being needed).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ScanError::Busy | ScanError::Timeout | ScanError::Lost(_) | ScanError::Disconnected | ScanError::Cancelled
        )
    }
}

impl Explain for ScanError {
    fn explain(&self, lang: Language) -> String {
        let es = lang == Language::Es;
        let text = match self {
            ScanError::NoScanner | ScanError::Unreachable(_) => {
                if es {
                    "No hay un escáner conectado. Pida ayuda al personal del consulado."
                } else {
                    "No scanner is connected. Please ask consulate staff for help."
                }
            }
            ScanError::Lost(_) | ScanError::Disconnected => {
                if es {
                    "Se perdió la conexión con el escáner durante el escaneo. Revise que esté conectado y vuelva a escanear el documento."
                } else {
                    "The scanner was disconnected during the scan. Check that it is connected and scan the document again."
                }
            }
            ScanError::Busy => {
                if es {
                    "El escáner está ocupado. Espere un momento y vuelva a intentarlo."
                } else {
                    "The scanner is busy. Wait a moment and try again."
                }
            }
            ScanError::Stopped(_) => {
                if es {
                    "El escáner no está listo. Pida ayuda al personal del consulado."
                } else {
                    "The scanner is not ready. Please ask consulate staff for help."
                }
            }
            ScanError::Jammed => {
                if es {
                    "Hay papel atascado en el alimentador. Retire las hojas con cuidado, vuelva a colocarlas y escanee de nuevo."
                } else {
                    "Paper is jammed in the feeder. Gently remove the sheets, put them back and scan again."
                }
            }
            ScanError::FeederEmpty => {
                if es {
                    "El alimentador está vacío. Coloque sus hojas boca abajo en el alimentador, o el documento sobre el vidrio, y escanee de nuevo."
                } else {
                    "The feeder is empty. Put your sheets face down in the feeder, or the document on the glass, and scan again."
                }
            }
            ScanError::NoFeeder => {
                if es {
                    "Este escáner no tiene alimentador. Coloque el documento sobre el vidrio y escanee de nuevo."
                } else {
                    "This scanner has no feeder. Put the document on the glass and scan again."
                }
            }
            ScanError::Timeout => {
                if es {
                    "El escáner no respondió a tiempo. Vuelva a intentarlo; si se repite, pida ayuda al personal."
                } else {
                    "The scanner did not answer in time. Try again; if it happens again, ask staff for help."
                }
            }
            ScanError::Cancelled => {
                if es {
                    "Se canceló el escaneo."
                } else {
                    "The scan was cancelled."
                }
            }
            ScanError::Protocol(_) => {
                if es {
                    "El escáner respondió algo inesperado. Vuelva a intentarlo; si se repite, pida ayuda al personal."
                } else {
                    "The scanner answered something unexpected. Try again; if it happens again, ask staff for help."
                }
            }
            ScanError::Pdf(e) => return e.explain(lang),
        };
        text.to_owned()
    }
}

impl Explain for PdfError {
    fn explain(&self, lang: Language) -> String {
        let es = lang == Language::Es;
        match self {
            PdfError::TooLarge { pages, .. } => {
                if es {
                    format!(
                        "Sus {pages} páginas no caben en el límite de 1 MB del documento. Escanee menos páginas (solo las que se piden) y vuelva a intentarlo."
                    )
                } else {
                    format!(
                        "Your {pages} pages do not fit the document's 1 MB limit. Scan fewer pages (only those asked for) and try again."
                    )
                }
            }
            PdfError::NoPages => {
                if es {
                    "No se escaneó ninguna página. Coloque el documento y escanee de nuevo.".to_owned()
                } else {
                    "No page was scanned. Put the document in place and scan again.".to_owned()
                }
            }
            PdfError::BadImage { .. } | PdfError::TooManyPixels { .. } | PdfError::BadResolution { .. } => {
                if es {
                    "El escáner envió una imagen que no se pudo leer. Vuelva a escanear el documento.".to_owned()
                } else {
                    "The scanner sent an image that could not be read. Scan the document again.".to_owned()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scan_error_is_told_in_both_languages_differently() {
        let all = [
            ScanError::NoScanner,
            ScanError::Disconnected,
            ScanError::Busy,
            ScanError::Stopped("Down".into()),
            ScanError::Jammed,
            ScanError::FeederEmpty,
            ScanError::NoFeeder,
            ScanError::Timeout,
            ScanError::Cancelled,
            ScanError::Protocol("x".into()),
            ScanError::Pdf(PdfError::TooLarge {
                pages: 7,
                smallest: 2,
                max_bytes: 1,
            }),
        ];
        for e in &all {
            let (es, en) = (e.explain(Language::Es), e.explain(Language::En));
            assert_ne!(es, en, "{e:?}");
            assert!(es.ends_with('.') && en.ends_with('.'), "{e:?}");
        }
        assert!(all[10].explain(Language::En).contains("fewer pages"));
    }
}

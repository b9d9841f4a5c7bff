//! Step 4, Documents: every document the procedures need, scanned here (`kiosk_scan`'s
//! document pipeline: pages, one PDF within Citas SRE's budget, thumbnails), uploaded and
//! attached; progress page by page; cancellable; and, between scans, whether the scanner is
//! there and free.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kiosk_core::catalogue::DocumentKind;
use kiosk_core::session::{Document, Step};
use kiosk_core::{Explain, Language};
use kiosk_scan::escl::ScanOptions;
use kiosk_scan::{Budget, DeviceUri, DocumentScan, ScanError, ScannedPage};
use kiosk_sync::{EngineError, SyncEngine};
use tokio_util::sync::CancellationToken;

use crate::ui::{DocumentRow, Documents};
use crate::view::{Frame, model, s};
use crate::visit::Visit;
use crate::words::{self, Msg};

mod screen;

pub use screen::DocumentsScreen;

/// The resolution asked of the scanner: legible documents, and a page that fits the 1 MB
/// budget as the scanner sends it.
pub const SCAN_DPI: u32 = 200;
/// The longer side of a page's thumbnail on screen, in pixels.
const THUMBNAIL_SIDE: u32 = 220;
/// How long a document upload is retried in place.
pub const UPLOAD_PATIENCE: Duration = Duration::from_secs(15);
/// How often the step asks the scanner whether it is there and free.
pub(crate) const SCANNER_CHECK_EVERY: Duration = Duration::from_secs(5);

/// A document's scanned pages and what the visitor sees of them.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub pages: Vec<ScannedPage>,
    pub thumbnails: Vec<slint::Image>,
}

/// A scan under way.
#[derive(Debug, Clone)]
pub struct Scanning {
    pub kind: DocumentKind,
    /// Pages received so far.
    pub pages: usize,
    pub cancel: CancellationToken,
}

/// What step 4 keeps between touches. Personal data (the pages): gone with the visit.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub frame: Frame,
    /// The pages scanned for each document (kept so "Add a page" can rebuild its PDF).
    pub scans: BTreeMap<DocumentKind, Scanned>,
    pub scanning: Option<Scanning>,
    /// Documents the visitor wants in colour (a photo ID); grayscale otherwise.
    pub color: BTreeSet<DocumentKind>,
    /// What the scanner said when last asked: ready, or why not.
    pub scanner: Option<Result<(), ScanError>>,
    /// When the scanner was last asked.
    pub scanner_checked: Option<Instant>,
}

/// A document scanned, built and uploaded.
#[derive(Debug)]
pub struct ScanDone {
    pub pages: Vec<ScannedPage>,
    pub thumbnails: Vec<kiosk_scan::Thumbnail>,
    pub uploaded: Result<kiosk_sync::api::Document, EngineError>,
}

/// Scans `kind` (after the pages in `earlier`, for "Add a page"), builds its PDF and uploads it.
pub async fn scan_and_upload(
    device: DeviceUri,
    engine: SyncEngine,
    kind: DocumentKind,
    color: bool,
    earlier: Vec<ScannedPage>,
    cancel: CancellationToken,
    on_page: impl FnMut(usize) + Send,
) -> Result<ScanDone, ScanError> {
    let scanner = device.connect().await?;
    let request = DocumentScan {
        options: ScanOptions {
            color,
            dpi: SCAN_DPI,
            ..ScanOptions::default()
        },
        earlier,
        budget: Budget::CITAS,
        thumbnail_side: THUMBNAIL_SIDE,
    };
    let doc = kiosk_scan::scan_document(&scanner, request, &cancel, on_page).await?;
    let uploaded = engine
        .upload_document(kind, doc.pdf.bytes.into(), UPLOAD_PATIENCE)
        .await;
    Ok(ScanDone {
        pages: doc.pages,
        thumbnails: doc.thumbnails,
        uploaded,
    })
}

/// A scan's outcome into the step: the pages and thumbnails kept, the document attached; or
/// the reason told (a cancelled scan says nothing: the visitor asked for it).
pub fn scanned(st: &mut State, v: &mut Visit, kind: DocumentKind, outcome: Result<ScanDone, ScanError>) {
    st.scanning = None;
    match outcome {
        Ok(done) => {
            let thumbnails = done
                .thumbnails
                .iter()
                .map(|t| {
                    slint::Image::from_rgb8(slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
                        &t.rgb, t.width, t.height,
                    ))
                })
                .collect();
            let pages = u16::try_from(done.pages.len()).unwrap_or(u16::MAX);
            if done.uploaded.is_ok() {
                st.scans.insert(
                    kind,
                    Scanned {
                        pages: done.pages,
                        thumbnails,
                    },
                );
            }
            attach(st, v, kind, pages, done.uploaded);
            st.scanner = Some(Ok(()));
        }
        Err(ScanError::Cancelled) => {}
        Err(e) => {
            tracing::info!(error = %e, "scan");
            if matches!(e, ScanError::NoScanner | ScanError::Disconnected | ScanError::Busy) {
                st.scanner = Some(Err(e.clone()));
            }
            st.frame.errors = Some(Msg::explain(e));
        }
    }
}

/// The uploaded document into the session (its rules check the size and the pages).
pub fn attach(
    st: &mut State,
    v: &mut Visit,
    kind: DocumentKind,
    pages: u16,
    uploaded: Result<kiosk_sync::api::Document, EngineError>,
) {
    match uploaded {
        Ok(d) => {
            let doc = Document {
                id: d.id,
                pages,
                bytes: d.bytes,
            };
            st.frame.errors = v.session.attach_document(kind, doc).err().map(Msg::explain);
        }
        Err(e) => {
            tracing::warn!(error = %e, "document upload");
            st.frame.errors = Some(words::document_not_saved());
        }
    }
}

/// A document kind's id on the page.
pub fn kind_id(kind: DocumentKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(crate) fn parse_kind(v: &Visit, id: &str) -> Option<DocumentKind> {
    v.session.required_documents().into_iter().find(|k| kind_id(*k) == id)
}

/// The line above the documents: whether the scanner is ready, or why not in the words the
/// scan itself would use.
fn scanner_line(st: &State, lang: Language) -> (String, bool) {
    match &st.scanner {
        None => (
            lang.pick("Buscando el escáner…", "Looking for the scanner…").to_owned(),
            false,
        ),
        Some(Ok(())) => (lang.pick("Escáner listo.", "Scanner ready.").to_owned(), true),
        Some(Err(e)) => (e.explain(lang), false),
    }
}

fn rows(st: &State, v: &Visit, lang: Language) -> Vec<DocumentRow> {
    v.session
        .required_documents()
        .into_iter()
        .map(|kind| {
            let doc = v.session.documents().get(&kind);
            let scanning = st.scanning.as_ref().filter(|sc| sc.kind == kind);
            let thumbnails = st.scans.get(&kind).map(|sc| sc.thumbnails.clone()).unwrap_or_default();
            DocumentRow {
                kind: s(kind_id(kind)),
                label: s(kind.label(lang)),
                attached: doc.is_some(),
                scanning: scanning.is_some(),
                progress: s(scanning.map_or(String::new(), |sc| match (lang, sc.pages) {
                    (Language::Es, 0) => "Escaneando…".to_owned(),
                    (Language::En, 0) => "Scanning…".to_owned(),
                    (Language::Es, 1) => "Escaneando… 1 página recibida".to_owned(),
                    (Language::Es, n) => format!("Escaneando… {n} páginas recibidas"),
                    (lang, n) => format!("Scanning… {} received", crate::words::pages(n, lang)),
                })),
                color: st.color.contains(&kind),
                pages: model(thumbnails),
                photo_id: kind.is_photo_id(),
                // Pages, not bytes: a visitor checks that every page is there; the size limit
                // speaks for itself when a scan goes over it.
                summary: s(doc.map_or(String::new(), |d| {
                    let pages = crate::words::pages(usize::from(d.pages), lang);
                    match lang {
                        Language::Es => format!("Listo: {pages}"),
                        Language::En => format!("Done: {pages}"),
                    }
                })),
            }
        })
        .collect()
}

/// Shows step 4 in `lang`.
pub fn render_into(g: &Documents<'_>, st: &State, v: &Visit, lang: Language) {
    crate::render_frame!(g, Step::Documents, st.frame, lang);
    crate::fill!(g, get_documents, set_documents, rows(st, v, lang));
    let (line, ready) = scanner_line(st, lang);
    crate::put!(g, get_scanner_status, set_scanner_status, s(line));
    crate::put!(g, get_scanner_ready, set_scanner_ready, ready);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_offered_for_the_photo_identification_only() {
        let rows = rows(&State::default(), &Visit::default(), Language::En);
        let offered: Vec<&str> = rows.iter().filter(|r| r.photo_id).map(|r| r.label.as_str()).collect();
        assert_eq!(
            offered,
            ["Proof of identity"],
            "{:?}",
            rows.iter().map(|r| &r.label).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_scan_that_lost_the_scanner_says_why_and_attaches_nothing() {
        let (mut st, mut v) = (State::default(), Visit::default());
        st.scanning = Some(Scanning {
            kind: DocumentKind::ProofOfNationality,
            pages: 1,
            cancel: CancellationToken::new(),
        });
        scanned(
            &mut st,
            &mut v,
            DocumentKind::ProofOfNationality,
            Err(ScanError::Disconnected),
        );
        assert!(st.scanning.is_none(), "the scan is over");
        assert_eq!(
            st.scanner,
            Some(Err(ScanError::Disconnected)),
            "the scanner line says so too"
        );
        assert!(st.frame.errors.is_some());
        assert!(st.scans.is_empty());
        assert!(v.session.documents().is_empty());
        let (line, ready) = scanner_line(&st, Language::En);
        assert!(!ready);
        assert_eq!(line, ScanError::Disconnected.explain(Language::En));
    }

    #[test]
    fn a_cancelled_scan_says_nothing_and_keeps_the_scanner_ready() {
        let mut st = State {
            scanner: Some(Ok(())),
            ..State::default()
        };
        scanned(
            &mut st,
            &mut Visit::default(),
            DocumentKind::ProofOfNationality,
            Err(ScanError::Cancelled),
        );
        assert!(st.frame.errors.is_none());
        assert_eq!(st.scanner, Some(Ok(())));
    }

    #[test]
    fn a_failed_upload_keeps_no_pages_and_asks_to_scan_again() {
        let (mut st, mut v) = (State::default(), Visit::default());
        let done = ScanDone {
            pages: Vec::new(),
            thumbnails: Vec::new(),
            uploaded: Err(EngineError::Worker("gone".into())),
        };
        scanned(&mut st, &mut v, DocumentKind::ProofOfNationality, Ok(done));
        assert!(st.scans.is_empty());
        assert!(
            st.frame
                .errors
                .expect("told")
                .text(Language::En)
                .contains("Scan it again")
        );
    }
}

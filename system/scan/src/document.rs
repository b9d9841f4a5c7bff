//! A document scanned at the kiosk, whole: the scanner's pages (after those scanned earlier,
//! for "Add a page"), the one PDF within the budget, and a thumbnail of every page to check
//! on screen. Step 4 and maintenance's test scan both scan through here.

use tokio_util::sync::CancellationToken;

use crate::error::ScanError;
use crate::escl::{ScanOptions, Scanner};
use crate::pdf::{Budget, BuiltPdf, ScannedPage, Thumbnail};

/// What to scan and how to build it.
#[derive(Debug, Clone)]
pub struct DocumentScan {
    pub options: ScanOptions,
    /// Pages already scanned for this document: the new ones follow them in the PDF.
    pub earlier: Vec<ScannedPage>,
    pub budget: Budget,
    /// The longer side of each page's thumbnail, in pixels.
    pub thumbnail_side: u32,
}

/// A document scanned and built.
#[derive(Debug)]
pub struct ScannedDocument {
    /// Every page, the earlier ones first (kept so another page can be added).
    pub pages: Vec<ScannedPage>,
    pub pdf: BuiltPdf,
    pub thumbnails: Vec<Thumbnail>,
}

/// Scans on `scanner` (`on_page` hears of each page as it arrives) and builds the document
/// off the async threads (decoding and encoding pages is heavy).
pub async fn scan_document(
    scanner: &Scanner,
    request: DocumentScan,
    cancel: &CancellationToken,
    on_page: impl FnMut(usize) + Send,
) -> Result<ScannedDocument, ScanError> {
    let fresh = scanner.scan(request.options, cancel, on_page).await?;
    let mut pages = request.earlier;
    pages.extend(fresh);
    let (budget, side) = (request.budget, request.thumbnail_side);
    let (pages, pdf, thumbnails) = tokio::task::spawn_blocking(move || {
        let pdf = crate::pdf::build(&pages, budget);
        let thumbnails: Vec<Thumbnail> = pages
            .iter()
            .filter_map(|p| crate::pdf::thumbnail(p, side).ok())
            .collect();
        (pages, pdf, thumbnails)
    })
    .await
    .map_err(|e| ScanError::Protocol(format!("building the PDF: {e}")))?;
    Ok(ScannedDocument {
        pages,
        pdf: pdf?,
        thumbnails,
    })
}

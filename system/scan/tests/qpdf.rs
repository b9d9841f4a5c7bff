//! Every PDF the kiosk builds is a valid PDF for an independent checker (`qpdf --check`) and
//! stays under the budget, for 1, 3 and 6 dense A4 pages.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use kiosk_scan::{Budget, Encoding, PdfError, ScannedPage, build};
use kiosk_sim::scanner::page::{Look, a4_jpeg};

fn page(dpi: u32, color: bool, dense: bool, seed: u64, quality: u8) -> ScannedPage {
    ScannedPage {
        data: a4_jpeg(dpi, Look { color, dense, seed }, quality),
        dpi,
    }
}

fn qpdf_check(pdf: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("qpdf (Debian package qpdf) is needed: run scripts/install-peers ({e})"));
    assert!(
        out.status.success(),
        "qpdf --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pdfs_of_one_three_and_six_dense_pages_pass_qpdf_and_the_budget() {
    for n in [1u64, 3, 6] {
        let pages: Vec<_> = (0..n).map(|i| page(300, false, true, i, 90)).collect();
        match build(&pages, Budget::CITAS) {
            Ok(pdf) => {
                assert!(pdf.bytes.len() <= 1_000_000, "{n} pages: {} bytes", pdf.bytes.len());
                qpdf_check(&pdf.bytes);
            }
            Err(PdfError::TooLarge { smallest, .. }) => {
                panic!("{n} dense pages did not fit even at 150 dpi: {smallest} bytes")
            }
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn an_untouched_colour_scan_passes_qpdf() {
    let pdf = build(&[page(150, true, false, 7, 80)], Budget::CITAS).unwrap();
    assert_eq!(pdf.encoding, Encoding::Original);
    qpdf_check(&pdf.bytes);
}

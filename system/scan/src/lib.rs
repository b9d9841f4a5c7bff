//! # kiosk-scan: documents scanned at the kiosk
//!
//! What it is for: getting the visitor's pages from a scanner ([`escl::Scanner`], over TCP or
//! IPP-over-USB [`transport`]s) and turning them into the one PDF of at most 1,000,000 bytes that
//! Citas SRE accepts per document ([`pdf::build`]), embedding the scanner's JPEGs untouched when
//! they fit and degrading quality, then resolution, only as far as needed; [`document`] does
//! both for one document, with a thumbnail of every page. Every failure is a
//! [`ScanError`] the visitor is told in their language.
//!
//! What it is not for: the visit's rules (kiosk-core) or uploading (kiosk-sync).

pub mod device;
pub mod document;
pub mod error;
pub mod escl;
pub mod pdf;
pub mod transport;
pub mod usb;

pub use device::DeviceUri;
pub use document::{DocumentScan, ScannedDocument, scan_document};
pub use error::ScanError;
pub use pdf::{Budget, BuiltPdf, Encoding, PdfError, ScannedPage, Thumbnail, build, thumbnail};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// An A4 sample page from the scanner simulator's generator.
    fn page(dpi: u32, color: bool, dense: bool, seed: u64, quality: u8) -> ScannedPage {
        let look = kiosk_sim::scanner::page::Look { color, dense, seed };
        ScannedPage {
            data: kiosk_sim::scanner::page::a4_jpeg(dpi, look, quality),
            dpi,
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn embeds_pages_that_fit_untouched() {
        let page = page(150, false, false, 1, 80);
        let pdf = build(std::slice::from_ref(&page), Budget::CITAS).unwrap();
        assert_eq!(pdf.encoding, Encoding::Original, "no re-encoding when the scan fits");
        assert!(
            contains(&pdf.bytes, &page.data),
            "the scanner's JPEG is in the PDF byte for byte"
        );
        assert!(pdf.bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn reencodes_dense_pages_until_they_fit_the_budget() {
        let pages: Vec<_> = (0..3).map(|i| page(300, false, true, i, 92)).collect();
        let raw: usize = pages.iter().map(|p| p.data.len()).sum();
        assert!(raw > 1_000_000, "the sample is a real test: {raw} bytes of JPEG");
        let pdf = build(&pages, Budget::CITAS).unwrap();
        assert!(pdf.bytes.len() <= 1_000_000, "{}", pdf.bytes.len());
        assert!(matches!(pdf.encoding, Encoding::Jpeg { .. }), "{:?}", pdf.encoding);
        assert!(pdf.dpi >= 150);
        assert_eq!(pdf.pages, 3);
    }

    #[test]
    fn says_when_even_the_lowest_quality_cannot_fit() {
        let pages: Vec<_> = (0..2).map(|i| page(150, true, true, i, 90)).collect();
        let e = build(
            &pages,
            Budget {
                max_bytes: 20_000,
                min_dpi: 150,
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                PdfError::TooLarge {
                    pages: 2,
                    max_bytes: 20_000,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn a_colour_document_never_goes_black_and_white() {
        let pages: Vec<_> = (0..2).map(|i| page(150, true, true, i, 90)).collect();
        let tight = Budget {
            max_bytes: 150_000,
            min_dpi: 150,
        };
        match build(&pages, tight) {
            Ok(pdf) => assert!(matches!(pdf.encoding, Encoding::Jpeg { .. }), "{:?}", pdf.encoding),
            Err(PdfError::TooLarge { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn never_resamples_below_the_floor() {
        let pages: Vec<_> = (0..4).map(|i| page(300, false, true, i, 92)).collect();
        match build(&pages, Budget::CITAS) {
            Ok(pdf) => assert!(pdf.dpi >= 150 && pdf.bytes.len() <= 1_000_000),
            Err(PdfError::TooLarge { smallest, .. }) => assert!(smallest > 1_000_000),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_thumbnail_keeps_the_page_shape_within_its_size() {
        let t = thumbnail(&page(150, false, false, 2, 80), 240).unwrap();
        assert!((230..=240).contains(&t.height), "{}", t.height);
        let shape = f64::from(t.width) / f64::from(t.height);
        assert!((shape - 210.0 / 297.0).abs() < 0.01, "A4 is 210 x 297: {shape}");
        assert_eq!(t.rgb.len(), (t.width * t.height * 3) as usize);
    }

    #[test]
    fn rejects_what_is_not_an_image() {
        let e = build(
            &[ScannedPage {
                data: b"not an image".to_vec(),
                dpi: 300,
            }],
            Budget::CITAS,
        )
        .unwrap_err();
        assert!(matches!(e, PdfError::BadImage { page: 1, .. }), "{e}");
        let e = build(&[], Budget::CITAS).unwrap_err();
        assert_eq!(e, PdfError::NoPages);
    }

    #[test]
    fn takes_png_pages_too() {
        let mut png_bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut png_bytes, 300, 400);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().unwrap();
            let data: Vec<u8> = (0..300 * 400 * 3u32).map(|i| u8::try_from(i % 251).unwrap()).collect();
            w.write_image_data(&data).unwrap();
        }
        let pdf = build(
            &[ScannedPage {
                data: png_bytes,
                dpi: 150,
            }],
            Budget::CITAS,
        )
        .unwrap();
        assert_eq!(pdf.encoding, Encoding::Jpeg { quality: 75 });
    }
}

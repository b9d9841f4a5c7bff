//! Scanned pages to one PDF of at most a given number of bytes (Citas SRE's "1 MB", read as
//! 1,000,000 bytes).
//!
//! The scanner's JPEG pages are embedded as they are (`DCTDecode`, no re-encoding) whenever they
//! fit. Only a document that misses the budget is decoded and re-encoded: the JPEG quality steps
//! down first, then the resolution, never below [`Budget::min_dpi`]. If even that cannot fit,
//! the answer is [`PdfError::TooLarge`] and the visitor is asked to scan fewer pages.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{ImageBuffer, Luma, Rgb};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// The limit of a page's side in pixels (A4 at 600 dpi is 4961 x 7016).
const MAX_SIDE: usize = 10_000;

/// A page as the scanner sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedPage {
    /// A JPEG (what eSCL scanners send) or a PNG file.
    pub data: Vec<u8>,
    /// The resolution it was scanned at.
    pub dpi: u32,
}

/// How large the document may be, and how far it may be degraded to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max_bytes: usize,
    /// Pages are never resampled below this resolution (legibility).
    pub min_dpi: u32,
}

impl Budget {
    /// Citas SRE's limit for one document.
    pub const CITAS: Budget = Budget {
        max_bytes: 1_000_000,
        min_dpi: 150,
    };
}

/// The JPEG qualities tried, best first, when the pages must be re-encoded.
const QUALITIES: [u8; 4] = [75, 60, 45, 35];
/// The resolutions tried after the qualities, highest first.
const RESOLUTIONS: [u32; 3] = [300, 200, 150];

/// A PDF built within its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// `None` when the scanner's JPEGs went in untouched.
    pub quality: Option<u8>,
    /// The resolution of the pages in the PDF.
    pub dpi: u32,
}

/// Why no PDF within the budget could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("no pages")]
    NoPages,
    #[error("page {page} is not a JPEG or PNG image the kiosk can read: {reason}")]
    BadImage { page: usize, reason: String },
    #[error("page {page} is {width}x{height} pixels, larger than any scanner sends")]
    TooManyPixels { page: usize, width: usize, height: usize },
    #[error("page {page} claims {dpi} dpi")]
    BadResolution { page: usize, dpi: u32 },
    #[error("{pages} page(s) need {smallest} bytes even at the lowest quality, over {max_bytes}")]
    TooLarge {
        pages: usize,
        smallest: usize,
        max_bytes: usize,
    },
}

/// A page decoded to 8-bit samples.
#[derive(Debug, Clone)]
enum Pixels {
    Gray(ImageBuffer<Luma<u8>, Vec<u8>>),
    Rgb(ImageBuffer<Rgb<u8>, Vec<u8>>),
}

#[derive(Debug, Clone)]
struct Decoded {
    pixels: Pixels,
    dpi: u32,
}

/// An image ready to embed: JPEG bytes and what the PDF must say about them.
#[derive(Debug, Clone)]
struct Embedded {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
    gray: bool,
    /// The page size follows the scan: pixels at this resolution.
    dpi: u32,
}

fn is_jpeg(data: &[u8]) -> bool {
    data.starts_with(&[0xFF, 0xD8, 0xFF])
}

fn bad(page: usize, reason: &dyn std::fmt::Display) -> PdfError {
    PdfError::BadImage {
        page,
        reason: reason.to_string(),
    }
}

fn check_size(page: usize, width: usize, height: usize) -> Result<(), PdfError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PdfError::TooManyPixels { page, width, height });
    }
    Ok(())
}

/// The header of a JPEG: width, height, whether it is grayscale.
fn jpeg_header(page: usize, data: &[u8]) -> Result<(u32, u32, bool), PdfError> {
    let mut decoder = JpegDecoder::new(Cursor::new(data));
    decoder.decode_headers().map_err(|e| bad(page, &format!("{e:?}")))?;
    let info = decoder.info().ok_or_else(|| bad(page, &"no frame header"))?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    check_size(page, w, h)?;
    let gray = decoder.input_colorspace() == Some(ColorSpace::Luma);
    Ok((u32::from(info.width), u32::from(info.height), gray))
}

fn decode(page: usize, p: &ScannedPage) -> Result<Decoded, PdfError> {
    let pixels = if is_jpeg(&p.data) {
        let (w, h, gray) = jpeg_header(page, &p.data)?;
        let out = if gray { ColorSpace::Luma } else { ColorSpace::RGB };
        let options = DecoderOptions::default()
            .jpeg_set_out_colorspace(out)
            .set_max_width(MAX_SIDE)
            .set_max_height(MAX_SIDE);
        let mut decoder = JpegDecoder::new_with_options(Cursor::new(&p.data[..]), options);
        let samples = decoder.decode().map_err(|e| bad(page, &format!("{e:?}")))?;
        if gray {
            Pixels::Gray(ImageBuffer::from_raw(w, h, samples).ok_or_else(|| bad(page, &"short JPEG data"))?)
        } else {
            Pixels::Rgb(ImageBuffer::from_raw(w, h, samples).ok_or_else(|| bad(page, &"short JPEG data"))?)
        }
    } else {
        decode_png(page, &p.data)?
    };
    Ok(Decoded { pixels, dpi: p.dpi })
}

fn decode_png(page: usize, data: &[u8]) -> Result<Pixels, PdfError> {
    let mut decoder = png::Decoder::new(Cursor::new(data));
    // 16-bit samples become 8-bit, palettes become RGB.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| bad(page, &e))?;
    let (w, h) = {
        let info = reader.info();
        (info.width, info.height)
    };
    check_size(page, w as usize, h as usize)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| bad(page, &"image too large"))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(|e| bad(page, &e))?;
    buf.truncate(frame.buffer_size());
    let n = (w as usize) * (h as usize);
    let (color, _) = reader.output_color_type();
    let short = || bad(page, &"short PNG data");
    Ok(match color {
        png::ColorType::Grayscale => Pixels::Gray(ImageBuffer::from_raw(w, h, buf).ok_or_else(short)?),
        png::ColorType::GrayscaleAlpha => {
            let gray: Vec<u8> = buf.chunks_exact(2).take(n).map(|px| px[0]).collect();
            Pixels::Gray(ImageBuffer::from_raw(w, h, gray).ok_or_else(short)?)
        }
        png::ColorType::Rgb => Pixels::Rgb(ImageBuffer::from_raw(w, h, buf).ok_or_else(short)?),
        png::ColorType::Rgba => {
            let rgb: Vec<u8> = buf
                .chunks_exact(4)
                .take(n)
                .flat_map(|px| [px[0], px[1], px[2]])
                .collect();
            Pixels::Rgb(ImageBuffer::from_raw(w, h, rgb).ok_or_else(short)?)
        }
        png::ColorType::Indexed => return Err(bad(page, &"palette left after normalisation")),
    })
}

/// Resamples `img` from `from` to `to` dpi (never up) and encodes it as JPEG.
fn encode_samples<P>(
    img: &ImageBuffer<P, Vec<u8>>,
    from: u32,
    to: u32,
    quality: u8,
    color: jpeg_encoder::ColorType,
) -> Result<(Vec<u8>, u32, u32), PdfError>
where
    P: image::Pixel<Subpixel = u8> + 'static,
{
    let scale = |v: u32| -> u32 {
        let scaled = u64::from(v) * u64::from(to) / u64::from(from.max(1));
        u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
    };
    let resized;
    let img = if to < from {
        resized = image::imageops::resize(img, scale(img.width()), scale(img.height()), FilterType::Triangle);
        &resized
    } else {
        img
    };
    let (w, h) = (img.width(), img.height());
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, quality)
        .encode(img.as_raw(), side(w)?, side(h)?, color)
        .map_err(|e| bad(0, &e))?;
    Ok((jpeg, w, h))
}

fn encode(d: &Decoded, dpi: u32, quality: u8) -> Result<Embedded, PdfError> {
    let ((jpeg, width, height), gray) = match &d.pixels {
        Pixels::Gray(img) => (
            encode_samples(img, d.dpi, dpi, quality, jpeg_encoder::ColorType::Luma)?,
            true,
        ),
        Pixels::Rgb(img) => (
            encode_samples(img, d.dpi, dpi, quality, jpeg_encoder::ColorType::Rgb)?,
            false,
        ),
    };
    Ok(Embedded {
        jpeg,
        width,
        height,
        gray,
        dpi: dpi.min(d.dpi),
    })
}

fn side(v: u32) -> Result<u16, PdfError> {
    u16::try_from(v).map_err(|_| PdfError::TooManyPixels {
        page: 0,
        width: v as usize,
        height: v as usize,
    })
}

/// Writes the pages into one PDF, each page the size of its scan.
fn assemble(pages: &[Embedded]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let mut next = 3;
    let mut kids = Vec::new();
    let ids: Vec<(Ref, Ref, Ref)> = pages
        .iter()
        .map(|_| {
            let ids = (Ref::new(next), Ref::new(next + 1), Ref::new(next + 2));
            next += 3;
            kids.push(ids.0);
            ids
        })
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(kids.iter().copied())
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    let name = Name(b"Scan");
    for (p, (page_id, image_id, content_id)) in pages.iter().zip(ids) {
        // Points are 1/72 inch.
        #[allow(clippy::cast_precision_loss)]
        let (w, h) = (
            p.width as f32 * 72.0 / p.dpi.max(1) as f32,
            p.height as f32 * 72.0 / p.dpi.max(1) as f32,
        );
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(tree);
        page.contents(content_id);
        page.resources().x_objects().pair(name, image_id);
        page.finish();

        let mut image = pdf.image_xobject(image_id, &p.jpeg);
        image.filter(Filter::DctDecode);
        image.width(i32::try_from(p.width).unwrap_or(i32::MAX));
        image.height(i32::try_from(p.height).unwrap_or(i32::MAX));
        if p.gray {
            image.color_space().device_gray();
        } else {
            image.color_space().device_rgb();
        }
        image.bits_per_component(8);
        image.finish();

        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
        content.x_object(name);
        content.restore_state();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// The scanner's JPEG pages embedded untouched, when every page is a JPEG.
fn passthrough(pages: &[ScannedPage]) -> Result<Option<Vec<Embedded>>, PdfError> {
    if !pages.iter().all(|p| is_jpeg(&p.data)) {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        let (width, height, gray) = jpeg_header(i + 1, &p.data)?;
        out.push(Embedded {
            jpeg: p.data.clone(),
            width,
            height,
            gray,
            dpi: p.dpi,
        });
    }
    Ok(Some(out))
}

/// One PDF of `pages` within `budget`: untouched if it fits, otherwise re-encoded at lower
/// quality, then lower resolution, never below the budget's floor.
pub fn build(pages: &[ScannedPage], budget: Budget) -> Result<BuiltPdf, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    for (i, p) in pages.iter().enumerate() {
        if !(50..=1200).contains(&p.dpi) {
            return Err(PdfError::BadResolution {
                page: i + 1,
                dpi: p.dpi,
            });
        }
    }
    let top_dpi = pages.iter().map(|p| p.dpi).max().unwrap_or(300);
    if let Some(embedded) = passthrough(pages)? {
        let bytes = assemble(&embedded);
        if bytes.len() <= budget.max_bytes {
            return Ok(BuiltPdf {
                bytes,
                pages: pages.len(),
                quality: None,
                dpi: top_dpi,
            });
        }
    }
    let decoded = pages
        .iter()
        .enumerate()
        .map(|(i, p)| decode(i + 1, p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut smallest = usize::MAX;
    let resolutions = std::iter::once(top_dpi)
        .chain(RESOLUTIONS)
        .filter(|d| *d <= top_dpi && *d >= budget.min_dpi);
    let mut tried = Vec::new();
    for dpi in resolutions {
        if tried.contains(&dpi) {
            continue;
        }
        tried.push(dpi);
        for quality in QUALITIES {
            let embedded = decoded
                .iter()
                .map(|d| encode(d, dpi, quality))
                .collect::<Result<Vec<_>, _>>()?;
            let bytes = assemble(&embedded);
            if bytes.len() <= budget.max_bytes {
                return Ok(BuiltPdf {
                    bytes,
                    pages: pages.len(),
                    quality: Some(quality),
                    dpi,
                });
            }
            smallest = smallest.min(bytes.len());
        }
    }
    Err(PdfError::TooLarge {
        pages: pages.len(),
        smallest,
        max_bytes: budget.max_bytes,
    })
}

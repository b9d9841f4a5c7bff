//! Scanned pages to one PDF of at most a given number of bytes (Citas SRE's "1 MB", read as
//! 1,000,000 bytes).
//!
//! The scanner's JPEG pages are embedded as they are (`DCTDecode`, no re-encoding) whenever they
//! fit. Only a document that misses the budget is decoded and re-encoded: the JPEG quality steps
//! down first, then the resolution, never below [`Budget::min_dpi`]; a grayscale document that
//! still misses goes black and white (CCITT Group 4, which keeps text sharp at a tenth of a
//! JPEG's size). If even that cannot fit, the answer is [`PdfError::TooLarge`] and the visitor
//! is asked to scan fewer pages.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// What a page adds to the PDF around its image (page, image and content objects, xref).
const PAGE_OVERHEAD: usize = 400;
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

/// The JPEG qualities tried at each resolution, best first, when the pages must be re-encoded.
const QUALITIES: [u8; 4] = [75, 60, 45, 35];
/// The resolutions tried after the qualities, highest first.
const RESOLUTIONS: [u32; 3] = [300, 200, 150];
/// A rung whose estimate misses the budget by more than this (in percent) is not tried in full.
const ESTIMATE_MARGIN_PERCENT: usize = 5;
/// Rows of a band sampled by the size estimate, and one band sampled out of this many.
const BAND_ROWS: u32 = 32;
const BAND_STRIDE: u32 = 4;

/// How the pages went into the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The scanner's JPEGs, byte for byte.
    Original,
    /// Re-encoded as JPEG at this quality.
    Jpeg { quality: u8 },
    /// Black and white (CCITT Group 4), the last resort for grayscale documents: text stays
    /// sharp where a JPEG of that size would be a blur.
    Bilevel,
}

/// A PDF built within its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub encoding: Encoding,
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
struct Pixels {
    width: u32,
    height: u32,
    /// Gray (one sample a pixel) or RGB (three).
    gray: bool,
    samples: Vec<u8>,
}

impl Pixels {
    /// Checked: `samples` holds exactly `width` x `height` pixels.
    fn new(width: u32, height: u32, gray: bool, samples: Vec<u8>) -> Option<Pixels> {
        let n = width as usize * height as usize * if gray { 1 } else { 3 };
        (samples.len() == n).then_some(Pixels {
            width,
            height,
            gray,
            samples,
        })
    }
}

#[derive(Debug, Clone)]
struct Decoded {
    pixels: Pixels,
    dpi: u32,
}

/// An image ready to embed: its stream and what the PDF must say about it.
#[derive(Debug, Clone)]
struct Embedded {
    data: Vec<u8>,
    width: u32,
    height: u32,
    kind: Kind,
    /// The page size follows the scan: pixels at this resolution.
    dpi: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg {
        gray: bool,
    },
    /// CCITT Group 4, black is 0 (the filter's default).
    Bilevel,
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
        Pixels::new(w, h, gray, samples).ok_or_else(|| bad(page, &"short JPEG data"))?
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
        png::ColorType::Grayscale => Pixels::new(w, h, true, buf).ok_or_else(short)?,
        png::ColorType::GrayscaleAlpha => {
            let gray: Vec<u8> = buf.chunks_exact(2).take(n).map(|px| px[0]).collect();
            Pixels::new(w, h, true, gray).ok_or_else(short)?
        }
        png::ColorType::Rgb => Pixels::new(w, h, false, buf).ok_or_else(short)?,
        png::ColorType::Rgba => {
            let rgb: Vec<u8> = buf
                .chunks_exact(4)
                .take(n)
                .flat_map(|px| [px[0], px[1], px[2]])
                .collect();
            Pixels::new(w, h, false, rgb).ok_or_else(short)?
        }
        png::ColorType::Indexed => return Err(bad(page, &"palette left after normalisation")),
    })
}

/// `d` at `to` dpi (never enlarged), bilinear, with SIMD where the CPU has it (NEON on the
/// Raspberry Pi): resampling was two thirds of the time of a re-encode with `image`'s resize.
fn resample(d: &Decoded, to: u32) -> Result<Cow<'_, Decoded>, PdfError> {
    if to >= d.dpi {
        return Ok(Cow::Borrowed(d));
    }
    let scale = |v: u32| -> u32 {
        let scaled = u64::from(v) * u64::from(to) / u64::from(d.dpi.max(1));
        u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
    };
    let p = &d.pixels;
    let kind = if p.gray { PixelType::U8 } else { PixelType::U8x3 };
    let failed = |e: &dyn std::fmt::Display| bad(0, &format!("resampling: {e}"));
    let src = ImageRef::new(p.width, p.height, &p.samples, kind).map_err(|e| failed(&e))?;
    let mut dst = Image::new(scale(p.width), scale(p.height), kind);
    Resizer::new()
        .resize(
            &src,
            &mut dst,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)),
        )
        .map_err(|e| failed(&e))?;
    let (width, height) = (dst.width(), dst.height());
    let pixels = Pixels::new(width, height, p.gray, dst.into_vec()).ok_or_else(|| failed(&"short output"))?;
    Ok(Cow::Owned(Decoded { pixels, dpi: to }))
}

impl Pixels {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
    fn raw(&self) -> (&[u8], jpeg_encoder::ColorType) {
        let color = if self.gray {
            jpeg_encoder::ColorType::Luma
        } else {
            jpeg_encoder::ColorType::Rgb
        };
        (&self.samples, color)
    }
}

fn jpeg_bytes(
    samples: &[u8],
    width: u32,
    height: u32,
    color: jpeg_encoder::ColorType,
    quality: u8,
) -> Result<Vec<u8>, PdfError> {
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, quality)
        .encode(samples, side(width)?, side(height)?, color)
        .map_err(|e| bad(0, &e))?;
    Ok(jpeg)
}

/// `d` as a JPEG at `quality`.
fn jpeg(d: &Decoded, quality: u8) -> Result<Embedded, PdfError> {
    let (width, height) = d.pixels.size();
    let (samples, color) = d.pixels.raw();
    Ok(Embedded {
        data: jpeg_bytes(samples, width, height, color, quality)?,
        width,
        height,
        kind: Kind::Jpeg { gray: d.pixels.gray },
        dpi: d.dpi,
    })
}

/// What the pages would weigh as JPEGs at `quality`, from one band of rows in every
/// [`BAND_STRIDE`] (a JPEG's size grows with its rows): a quarter of the work of encoding them.
/// On the simulator's pages (gray and colour, sparse and dense, 300 dpi to 150) it is within
/// -1% to +4% of the real size.
fn estimate(pages: &[Decoded], dpi: u32, quality: u8) -> Result<usize, PdfError> {
    let sizes = par_map(pages, None, |_| 0, |_, d| estimate_page(d, dpi, quality))?.unwrap_or_default();
    Ok(sizes.iter().sum::<usize>() + PAGE_OVERHEAD * pages.len())
}

/// One page's JPEG size at `dpi` and `quality`, from bands of the scan resampled on their own:
/// a rung can be estimated without resampling the whole page to its resolution.
fn estimate_page(d: &Decoded, dpi: u32, quality: u8) -> Result<usize, PdfError> {
    let p = &d.pixels;
    let row = p.samples.len() / p.height.max(1) as usize;
    // The band height in the scan that becomes BAND_ROWS rows at `dpi`.
    let band = BAND_ROWS * d.dpi / dpi.min(d.dpi).max(1);
    let mut sample = Vec::new();
    let mut rows = 0u32;
    let mut y = 0;
    while y < p.height {
        let take = band.min(p.height - y);
        sample.extend_from_slice(&p.samples[y as usize * row..(y + take) as usize * row]);
        rows += take;
        y += band * BAND_STRIDE;
    }
    let bands = Decoded {
        pixels: Pixels::new(p.width, rows, p.gray, sample).ok_or_else(|| bad(0, &"short band"))?,
        dpi: d.dpi,
    };
    let scaled = resample(&bands, dpi)?;
    let (width, height) = scaled.pixels.size();
    let (samples, color) = scaled.pixels.raw();
    let size = jpeg_bytes(samples, width, height, color, quality)?.len();
    Ok(size * p.height as usize / rows.max(1) as usize)
}

/// The pages at `dpi`, resampled once and kept for the other rungs at that resolution.
fn scaled_at<'a, 'c>(
    cache: &'c mut BTreeMap<u32, Vec<Cow<'a, Decoded>>>,
    decoded: &'a [Decoded],
    dpi: u32,
) -> Result<&'c [Cow<'a, Decoded>], PdfError> {
    Ok(match cache.entry(dpi) {
        std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::btree_map::Entry::Vacant(e) => {
            e.insert(par_map(decoded, None, |_| 0, |_, d| resample(d, dpi))?.unwrap_or_default())
        }
    })
}

/// The threshold between ink and paper that best splits the page's histogram (Otsu's method).
fn otsu(samples: &[u8]) -> u8 {
    let mut histogram = [0u64; 256];
    for &v in samples {
        histogram[v as usize] += 1;
    }
    let total = samples.len() as u64;
    let sum: u64 = histogram.iter().enumerate().map(|(v, n)| v as u64 * n).sum();
    let (mut below, mut below_sum) = (0u64, 0u64);
    let (mut best, mut best_t) = (0.0f64, 128u8);
    for (t, n) in histogram.iter().enumerate() {
        below += n;
        below_sum += t as u64 * n;
        let above = total - below;
        if below == 0 || above == 0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let between = {
            let mean_below = below_sum as f64 / below as f64;
            let mean_above = (sum - below_sum) as f64 / above as f64;
            below as f64 * above as f64 * (mean_below - mean_above).powi(2)
        };
        if between > best {
            best = between;
            best_t = u8::try_from(t).unwrap_or(u8::MAX);
        }
    }
    best_t
}

/// `d` in black and white, CCITT Group 4.
fn bilevel(d: &Decoded) -> Result<Embedded, PdfError> {
    let (width, height) = d.pixels.size();
    let luma: Cow<'_, [u8]> = match &d.pixels {
        Pixels {
            gray: true, samples, ..
        } => Cow::Borrowed(samples.as_slice()),
        Pixels { samples, .. } => Cow::Owned(
            samples
                .chunks_exact(3)
                .map(|px| {
                    let [red, green, blue] = [px[0], px[1], px[2]].map(u32::from);
                    u8::try_from((299 * red + 587 * green + 114 * blue) / 1000).unwrap_or(u8::MAX)
                })
                .collect(),
        ),
    };
    let threshold = otsu(&luma);
    let columns = side(width)?;
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for row in luma.chunks_exact(width as usize) {
        let pels = row.iter().map(|&v| {
            if v <= threshold {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        let Ok(()) = encoder.encode_line(pels, columns);
    }
    let Ok(writer) = encoder.finish();
    Ok(Embedded {
        data: writer.finish(),
        width,
        height,
        kind: Kind::Bilevel,
        dpi: d.dpi,
    })
}

fn side(v: u32) -> Result<u16, PdfError> {
    u16::try_from(v).map_err(|_| PdfError::TooManyPixels {
        page: 0,
        width: v as usize,
        height: v as usize,
    })
}

/// `f` over `items` on every core. With a `limit`, gives up (`None`) as soon as the sizes of
/// the results so far add up to more than it: a rung that cannot fit is not finished.
fn par_map<'a, T, R>(
    items: &'a [T],
    limit: Option<usize>,
    size: impl Fn(&R) -> usize + Sync,
    f: impl Fn(usize, &'a T) -> Result<R, PdfError> + Sync,
) -> Result<Option<Vec<R>>, PdfError>
where
    T: Sync,
    R: Send,
{
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let outcomes: Vec<Result<Vec<(usize, R)>, PdfError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let r = f(i, item).inspect_err(|_| stop.store(true, Ordering::Relaxed))?;
                        let so_far = total.fetch_add(size(&r), Ordering::Relaxed) + size(&r);
                        if limit.is_some_and(|l| so_far > l) {
                            stop.store(true, Ordering::Relaxed);
                        }
                        done.push((i, r));
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let mut results: Vec<(usize, R)> = Vec::with_capacity(items.len());
    for outcome in outcomes {
        results.extend(outcome?);
    }
    if results.len() < items.len() {
        return Ok(None);
    }
    results.sort_unstable_by_key(|(i, _)| *i);
    Ok(Some(results.into_iter().map(|(_, r)| r).collect()))
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

        let (width, height) = (
            i32::try_from(p.width).unwrap_or(i32::MAX),
            i32::try_from(p.height).unwrap_or(i32::MAX),
        );
        let mut image = pdf.image_xobject(image_id, &p.data);
        image.width(width);
        image.height(height);
        match p.kind {
            Kind::Jpeg { gray } => {
                image.filter(Filter::DctDecode);
                if gray {
                    image.color_space().device_gray();
                } else {
                    image.color_space().device_rgb();
                }
                image.bits_per_component(8);
            }
            Kind::Bilevel => {
                image.filter(Filter::CcittFaxDecode);
                image.decode_parms().k(-1).columns(width).rows(height);
                image.color_space().device_gray();
                image.bits_per_component(1);
            }
        }
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

/// A small picture of a page for the screen, so the visitor can check the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    /// RGB, three bytes a pixel, rows top to bottom.
    pub rgb: Vec<u8>,
}

/// `page` shrunk to fit `max_side` pixels on its longer side.
pub fn thumbnail(page: &ScannedPage, max_side: u32) -> Result<Thumbnail, PdfError> {
    let d = decode(1, page)?;
    let (w, h) = d.pixels.size();
    let longer = w.max(h).max(1);
    // A resolution at which the longer side is `max_side` pixels.
    let dpi = (u64::from(d.dpi) * u64::from(max_side.max(1)) / u64::from(longer)).max(1);
    let small = resample(&d, u32::try_from(dpi).unwrap_or(d.dpi))?;
    let (width, height) = small.pixels.size();
    let rgb = if small.pixels.gray {
        small.pixels.samples.iter().flat_map(|&g| [g, g, g]).collect()
    } else {
        small.pixels.samples.clone()
    };
    Ok(Thumbnail { width, height, rgb })
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
            data: p.data.clone(),
            width,
            height,
            kind: Kind::Jpeg { gray },
            dpi: p.dpi,
        });
    }
    Ok(Some(out))
}

/// One way of encoding every page, tried in order until the PDF fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rung {
    Jpeg { dpi: u32, quality: u8 },
    Bilevel { dpi: u32 },
}

/// The rungs from the best-looking down: JPEG qualities at each resolution, then (grayscale
/// documents only: a photo ID in colour stays a photo) black and white at each resolution.
fn ladder(top_dpi: u32, min_dpi: u32, gray: bool) -> Vec<Rung> {
    let mut resolutions: Vec<u32> = std::iter::once(top_dpi)
        .chain(RESOLUTIONS)
        .filter(|d| *d <= top_dpi && *d >= min_dpi)
        .collect();
    resolutions.dedup();
    let mut rungs: Vec<Rung> = resolutions
        .iter()
        .flat_map(|&dpi| QUALITIES.map(|quality| Rung::Jpeg { dpi, quality }))
        .collect();
    if gray {
        rungs.extend(
            resolutions
                .iter()
                .filter(|&&d| d <= 300)
                .map(|&dpi| Rung::Bilevel { dpi }),
        );
    }
    rungs
}

/// One PDF of `pages` within `budget`: untouched if it fits, otherwise re-encoded down the
/// [`ladder`] until it does, never below the budget's resolution floor.
///
/// Each resolution is resampled once for all its qualities. The first rung worth encoding in
/// full is found by bisecting the JPEG rungs on a banded size estimate (sizes fall along the
/// ladder: lower quality, then lower resolution); from there a rung whose pages add up to more
/// than the budget is abandoned mid-way. The last rung always runs to its end, so
/// [`PdfError::TooLarge`] tells the smallest size there is.
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
                encoding: Encoding::Original,
                dpi: top_dpi,
            });
        }
    }
    let decoded = par_map(pages, None, |_| 0, |i, p| decode(i + 1, p))?.unwrap_or_default();
    let gray = decoded.iter().all(|d| d.pixels.gray);
    let rungs = ladder(top_dpi, budget.min_dpi.min(top_dpi), gray);
    let loose = budget.max_bytes + budget.max_bytes / 100 * ESTIMATE_MARGIN_PERCENT;
    let mut smallest = usize::MAX;
    let mut cache = BTreeMap::new();
    // Where to start: sizes fall along the ladder, so the first JPEG rung whose estimate fits
    // is found by bisection (four estimates instead of up to twelve).
    let jpeg_rungs = rungs.iter().take_while(|r| matches!(r, Rung::Jpeg { .. })).count();
    let (mut lo, mut hi) = (0, jpeg_rungs);
    while lo < hi {
        let mid = usize::midpoint(lo, hi);
        let Rung::Jpeg { dpi, quality } = rungs[mid] else { break };
        if estimate(&decoded, dpi, quality)? <= loose {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    // From there, each rung in full until one fits; the last one always runs to its end.
    for (n, rung) in rungs.iter().enumerate().skip(lo.min(rungs.len() - 1)) {
        let last = n + 1 == rungs.len();
        let (dpi, encoding) = match *rung {
            Rung::Jpeg { dpi, quality } => (dpi, Encoding::Jpeg { quality }),
            Rung::Bilevel { dpi } => (dpi, Encoding::Bilevel),
        };
        let pages = scaled_at(&mut cache, &decoded, dpi)?;
        let limit = (!last).then_some(budget.max_bytes);
        let embedded = par_map(
            pages,
            limit,
            |e: &Embedded| e.data.len(),
            |_, d| match encoding {
                Encoding::Jpeg { quality } => jpeg(d, quality),
                Encoding::Original | Encoding::Bilevel => bilevel(d),
            },
        )?;
        let Some(embedded) = embedded else { continue };
        let bytes = assemble(&embedded);
        if bytes.len() <= budget.max_bytes {
            return Ok(BuiltPdf {
                bytes,
                pages: pages.len(),
                encoding,
                dpi,
            });
        }
        smallest = smallest.min(bytes.len());
    }
    Err(PdfError::TooLarge {
        pages: pages.len(),
        smallest,
        max_bytes: budget.max_bytes,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn black_and_white_pages_decode_back_to_the_thresholded_scan() {
        let (w, h) = (37u32, 23u32);
        let samples: Vec<u8> = (0..w * h)
            .map(|i| if (i % w) * (i / w) % 7 < 3 { 30 } else { 220 })
            .collect();
        let d = Decoded {
            pixels: Pixels::new(w, h, true, samples.clone()).unwrap(),
            dpi: 150,
        };
        let e = bilevel(&d).unwrap();
        let mut rows = Vec::new();
        fax::decoder::decode_g4(e.data.iter().copied(), 37, Some(23), |line| {
            rows.extend(fax::decoder::pels(line, 37).map(|c| c == fax::Color::Black));
        })
        .unwrap();
        let expected: Vec<bool> = samples.iter().map(|&v| v < 128).collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn the_threshold_falls_between_ink_and_paper() {
        let mut samples = vec![40u8; 100];
        samples.extend(vec![230u8; 900]);
        let t = otsu(&samples);
        assert!((40..230).contains(&t), "{t}");
    }

    #[test]
    fn the_size_estimate_is_close_to_the_real_size() {
        let look = kiosk_sim::scanner::page::Look {
            color: false,
            dense: true,
            seed: 5,
        };
        let page = ScannedPage {
            data: kiosk_sim::scanner::page::a4_jpeg(200, look, 90),
            dpi: 200,
        };
        let d = decode(1, &page).unwrap();
        let real = jpeg(&d, 60).unwrap().data.len() + PAGE_OVERHEAD;
        let guess = estimate(std::slice::from_ref(&d), 200, 60).unwrap();
        let error = real.abs_diff(guess) * 100 / real;
        assert!(error <= 5, "estimate {guess} vs {real} bytes: {error}% off");
    }
}

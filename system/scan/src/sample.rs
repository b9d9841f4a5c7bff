//! Pages that look like scanned documents (lines of "text", a photo block, scanner noise), for
//! tests and benchmarks of the PDF budget. Deterministic: the same seed gives the same page.

use crate::pdf::ScannedPage;

/// A small deterministic generator (xorshift); test data needs no better.
#[derive(Debug, Clone)]
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value below `n` (which fits the type asked for).
    fn below<T: TryFrom<u64> + Default>(&mut self, n: u64) -> T {
        T::try_from(self.next() % n.max(1)).unwrap_or_default()
    }
}

/// An A4 page at `dpi`: grayscale, or colour when `color`; `dense` fills it with text lines
/// from margin to margin (a worst case for JPEG), otherwise a third of it.
pub fn page(dpi: u32, color: bool, dense: bool, seed: u64, quality: u8) -> ScannedPage {
    // Scanners offer 75 to 1200 dpi; an A4 page stays far below JPEG's 65,535-pixel side.
    let dpi = dpi.clamp(75, 1200);
    let w = 210 * dpi / 25; // 210 mm
    let h = 297 * dpi / 25; // 297 mm
    let (wu, hu) = (w as usize, h as usize);
    let mut gray = vec![245u8; wu * hu];
    let mut rng = Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let line = (dpi / 12).max(4) as usize; // 2 mm lines
    let margin = (dpi / 2) as usize;
    let bottom = if dense { hu - margin } else { hu / 3 };
    let mut y = margin;
    while y + line < bottom {
        let mut x = margin;
        while x < wu - margin {
            let word = rng.below::<usize>(u64::from(dpi / 3)) + line;
            for yy in y..(y + line).min(hu) {
                for xx in x..(x + word).min(wu - margin) {
                    // Ink with holes, like glyphs.
                    if rng.below::<u8>(3) > 0 {
                        gray[yy * wu + xx] = 30 + rng.below::<u8>(40);
                    }
                }
            }
            x += word + line;
        }
        y += line * 2;
    }
    // A photo block in the corner, as on an ID.
    let (px, py, pw, ph) = (wu - margin - wu / 4, margin, wu / 4, hu / 6);
    for yy in py..py + ph {
        for xx in px..px + pw {
            gray[yy * wu + xx] = u8::try_from((xx * 7 + yy * 3) % 200).unwrap_or(0) + rng.below::<u8>(30);
        }
    }
    // Scanner noise everywhere.
    for v in &mut gray {
        let n = rng.below::<u8>(9);
        *v = v.saturating_add(n).saturating_sub(4);
    }
    let mut data = Vec::new();
    let (w16, h16) = (
        u16::try_from(w).unwrap_or(u16::MAX),
        u16::try_from(h).unwrap_or(u16::MAX),
    );
    let encoder = jpeg_encoder::Encoder::new(&mut data, quality);
    let result = if color {
        let rgb: Vec<u8> = gray
            .iter()
            .flat_map(|&g| [g, g.saturating_sub(8), g.saturating_add(6)])
            .collect();
        encoder.encode(&rgb, w16, h16, jpeg_encoder::ColorType::Rgb)
    } else {
        encoder.encode(&gray, w16, h16, jpeg_encoder::ColorType::Luma)
    };
    // The encoder fails only on sides over 65,535 pixels or data of the wrong length: neither
    // can happen with the resolution clamped above and the buffers sized from it.
    if let Err(e) = result {
        unreachable!("encoding an A4 page: {e}");
    }
    ScannedPage { data, dpi }
}

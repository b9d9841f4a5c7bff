//! Pages that look like scanned documents: lines of "text" in words of ink with holes, a photo
//! block as on an ID, and scanner noise over everything. Deterministic: the same seed gives the
//! same page, so tests and benchmarks compare like with like.

/// A small deterministic generator (xorshift); test data needs no better.
#[derive(Debug, Clone)]
struct Noise(u64);

impl Noise {
    fn new(seed: u64) -> Noise {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

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

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// Colour (RGB) rather than grayscale.
    pub color: bool,
    /// Text from margin to margin (a worst case for JPEG) rather than a third of the page.
    pub dense: bool,
    pub seed: u64,
}

/// A page's samples: 1 byte a pixel (gray) or 3 (RGB), rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub color: bool,
    pub samples: Vec<u8>,
}

/// The width and height in pixels of A4 (210 x 297 mm) at `dpi`.
pub fn a4(dpi: u32) -> (u32, u32) {
    (210 * dpi / 25, 297 * dpi / 25)
}

/// A page of `width` x `height` pixels scanned at `dpi` (which sets the size of the text).
pub fn render(width: u32, height: u32, dpi: u32, look: Look) -> Raster {
    let (wu, hu) = (width.max(1) as usize, height.max(1) as usize);
    let mut gray = vec![245u8; wu * hu];
    let mut rng = Noise::new(look.seed);
    let line = (dpi / 12).max(4) as usize; // 2 mm lines
    let margin = ((dpi / 2) as usize).min(wu / 4).min(hu / 4);
    let bottom = if look.dense { hu - margin } else { hu / 3 };
    // Ink with holes, like glyphs: a fixed pattern of ink and holes cycled through, so the
    // page costs one random number a word rather than one a pixel.
    let ink: Vec<u8> = (0..4099)
        .map(|_| {
            if rng.below::<u8>(3) > 0 {
                30 + rng.below::<u8>(40)
            } else {
                245
            }
        })
        .collect();
    let mut y = margin;
    while y + line < bottom {
        let mut x = margin;
        while x < wu - margin {
            let word = rng.below::<usize>(u64::from(dpi / 3)) + line;
            let offset = rng.below::<usize>(4000);
            for yy in y..(y + line).min(hu) {
                let end = (x + word).min(wu - margin);
                let row = &mut gray[yy * wu + x..yy * wu + end];
                let start = (offset + yy * 31) % (ink.len() - row.len().min(ink.len() - 1));
                for (px, &v) in row.iter_mut().zip(&ink[start..]) {
                    *px = v;
                }
            }
            x += word + line;
        }
        y += line * 2;
    }
    // A photo block in the corner, as on an ID.
    let (px, py, pw, ph) = (wu - margin - wu / 4, margin, wu / 4, hu / 6);
    for yy in py..(py + ph).min(hu) {
        for xx in px..(px + pw).min(wu) {
            gray[yy * wu + xx] = u8::try_from((xx * 7 + yy * 3) % 200).unwrap_or(0) + rng.below::<u8>(30);
        }
    }
    // Scanner noise everywhere, from a table cycled at a prime stride.
    let noise: Vec<u8> = (0..65_521).map(|_| rng.below::<u8>(9)).collect();
    for (i, v) in gray.iter_mut().enumerate() {
        let n = noise[i % noise.len()];
        *v = v.saturating_add(n).saturating_sub(4);
    }
    let samples = if look.color {
        gray.iter()
            .flat_map(|&g| [g, g.saturating_sub(8), g.saturating_add(6)])
            .collect()
    } else {
        gray
    };
    Raster {
        width,
        height,
        color: look.color,
        samples,
    }
}

/// `raster` as a JPEG at `quality` (what eSCL scanners send).
pub fn jpeg(raster: &Raster, quality: u8) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let side = |v: u32| u16::try_from(v).map_err(|_| format!("{v} pixels is more than a JPEG side holds"));
    let color = if raster.color {
        jpeg_encoder::ColorType::Rgb
    } else {
        jpeg_encoder::ColorType::Luma
    };
    jpeg_encoder::Encoder::new(&mut data, quality)
        .encode(&raster.samples, side(raster.width)?, side(raster.height)?, color)
        .map_err(|e| e.to_string())?;
    Ok(data)
}

/// An A4 page at `dpi` as a JPEG: the sample page of tests and benchmarks.
pub fn a4_jpeg(dpi: u32, look: Look, quality: u8) -> Vec<u8> {
    // Scanners offer 75 to 1200 dpi; A4 stays far below JPEG's 65,535-pixel side there.
    let dpi = dpi.clamp(75, 1200);
    let (w, h) = a4(dpi);
    // Encoding fails only on sides over 65,535 pixels or samples of the wrong length: neither
    // can happen with the resolution clamped above and the samples sized from it.
    jpeg(&render(w, h, dpi, look), quality).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_page_and_another_seed_another() {
        let look = Look {
            color: false,
            dense: true,
            seed: 4,
        };
        let a = render(300, 400, 100, look);
        assert_eq!(a, render(300, 400, 100, look));
        assert_ne!(a, render(300, 400, 100, Look { seed: 5, ..look }));
        assert_eq!(a.samples.len(), 300 * 400);
        let c = render(300, 400, 100, Look { color: true, ..look });
        assert_eq!(c.samples.len(), 300 * 400 * 3);
    }

    #[test]
    fn a_page_has_ink_paper_and_noise() {
        let r = render(
            827,
            1169,
            100,
            Look {
                color: false,
                dense: false,
                seed: 1,
            },
        );
        let dark = r.samples.iter().filter(|&&v| v < 100).count();
        let light = r.samples.iter().filter(|&&v| v > 230).count();
        assert!(dark > r.samples.len() / 50, "{dark}");
        assert!(light > r.samples.len() / 3, "{light}");
        assert!(
            r.samples.contains(&249) && r.samples.contains(&241),
            "noise around the paper white"
        );
    }

    #[test]
    fn tiny_regions_do_not_panic() {
        for (w, h) in [(1, 1), (3, 500), (500, 3)] {
            let r = render(
                w,
                h,
                300,
                Look {
                    color: true,
                    dense: true,
                    seed: 2,
                },
            );
            assert_eq!(r.samples.len(), (w * h * 3) as usize);
        }
    }
}

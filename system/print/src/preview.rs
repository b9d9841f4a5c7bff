//! A ticket (or a slip) as the printer would print it, as a picture: the same lines, at the printer's 203
//! dpi, Font A cells (12 x 24 dots) set in DejaVu Sans Mono, black or white dots only (a thermal
//! head has no grey), the QR code with the same modules. For the confirmation screen, the
//! maintenance screen and tests.

use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use kiosk_core::ticket::Ticket;
use qrcode::{EcLevel, QrCode};

use crate::layout::{Align, COLUMN_DOTS, Line, Paper, Size, layout};

static REGULAR: LazyLock<Option<FontRef<'static>>> =
    LazyLock::new(|| FontRef::try_from_slice(include_bytes!("../fonts/DejaVuSansMono.ttf")).ok());
static BOLD: LazyLock<Option<FontRef<'static>>> =
    LazyLock::new(|| FontRef::try_from_slice(include_bytes!("../fonts/DejaVuSansMono-Bold.ttf")).ok());

/// Dots from one text line to the next (the printers' default, about 1/7 inch).
pub const LINE_DOTS: u32 = 30;
/// Dots a Font A character is tall.
const CELL_DOTS: u32 = 24;

/// Why a preview could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("the preview font could not be read")]
    Font,
    #[error("the QR code cannot hold {0:?}: {1}")]
    Qr(String, qrcode::types::QrError),
    #[error("writing the PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// A printed ticket: `width` x `height` dots, one byte a dot (0 black, 255 white).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub width: u32,
    pub height: u32,
    pub dots: Vec<u8>,
}

impl Preview {
    fn new(width: u32) -> Preview {
        Preview {
            width,
            height: 0,
            dots: Vec::new(),
        }
    }

    /// Adds `rows` white rows at the bottom.
    fn grow(&mut self, rows: u32) {
        self.height += rows;
        self.dots.resize(self.width as usize * self.height as usize, 255);
    }

    fn set(&mut self, x: i64, y: i64) {
        if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y))
            && x < self.width
            && y < self.height
        {
            self.dots[y as usize * self.width as usize + x as usize] = 0;
        }
    }

    /// The picture as a greyscale PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, PreviewError> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&self.dots)?;
        }
        Ok(out)
    }

    /// RGBA pixels for a screen (black dots on white paper).
    pub fn to_rgba(&self) -> Vec<u8> {
        self.dots.iter().flat_map(|&d| [d, d, d, 255]).collect()
    }
}

/// Draws `text` from `(x, top)`, each character in a cell `12 * w` x `24 * h` dots.
fn draw_text(out: &mut Preview, font: &FontRef<'_>, text: &str, x: u32, top: u32, size: Size) {
    // The scale at which one advance is one Font A column wide.
    let m = font.glyph_id('M');
    let unscaled = font.h_advance_unscaled(m);
    let height = font.height_unscaled();
    #[allow(clippy::cast_precision_loss)]
    let px = COLUMN_DOTS as f32 * height / unscaled.max(1.0);
    #[allow(clippy::cast_precision_loss)]
    let scale = PxScale {
        x: px * size.width() as f32,
        y: px * size.height() as f32,
    };
    let scaled = font.as_scaled(scale);
    #[allow(clippy::cast_precision_loss)]
    let (cell, baseline) = (
        (COLUMN_DOTS * u32::try_from(size.width()).unwrap_or(1)) as f32,
        top as f32 + scaled.ascent() + (CELL_DOTS * size.height()) as f32 - scaled.height(),
    );
    #[allow(clippy::cast_precision_loss)]
    let mut pen = x as f32;
    for c in text.chars() {
        let glyph = font.glyph_id(c).with_scale_and_position(scale, point(pen, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            #[allow(clippy::cast_possible_truncation)]
            let (bx, by) = (bounds.min.x as i64, bounds.min.y as i64);
            outline.draw(|gx, gy, coverage| {
                if coverage >= 0.5 {
                    out.set(bx + i64::from(gx), by + i64::from(gy));
                }
            });
        }
        pen += cell;
    }
}

/// The lines drawn on `paper`.
pub fn render(lines: &[Line], paper: Paper) -> Result<Preview, PreviewError> {
    let (Some(regular), Some(bold)) = (REGULAR.as_ref(), BOLD.as_ref()) else {
        return Err(PreviewError::Font);
    };
    let width = paper.dots();
    let mut out = Preview::new(width);
    let rule = "-".repeat(paper.columns());
    for line in lines {
        match line {
            Line::Text { text, style } => {
                let top = out.height;
                out.grow(LINE_DOTS + CELL_DOTS * (style.size.height() - 1));
                let chars = u32::try_from(text.chars().count() * style.size.width()).unwrap_or(u32::MAX);
                let x = match style.align {
                    Align::Left => 0,
                    Align::Center => width.saturating_sub(chars.saturating_mul(COLUMN_DOTS)) / 2,
                };
                let font = if style.bold { bold } else { regular };
                draw_text(&mut out, font, text, x, top, style.size);
            }
            Line::Rule => {
                let top = out.height;
                out.grow(LINE_DOTS);
                draw_text(&mut out, regular, &rule, 0, top, Size::Normal);
            }
            Line::Qr { data, module } => {
                let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
                    .map_err(|e| PreviewError::Qr(data.clone(), e))?;
                let n = u32::try_from(code.width()).unwrap_or(0);
                let module = u32::from(*module);
                let side = n * module;
                let (left, top) = (width.saturating_sub(side) / 2, out.height);
                out.grow(side);
                for (i, color) in code.to_colors().into_iter().enumerate() {
                    if color == qrcode::Color::Dark {
                        let i = u32::try_from(i).unwrap_or(0);
                        let (mx, my) = (i % n, i / n);
                        for dy in 0..module {
                            for dx in 0..module {
                                out.set(i64::from(left + mx * module + dx), i64::from(top + my * module + dy));
                            }
                        }
                    }
                }
            }
            Line::Feed(n) => out.grow(LINE_DOTS * u32::from(*n)),
        }
    }
    out.grow(LINE_DOTS * 3);
    Ok(out)
}

/// The preview of a ticket on `paper`.
pub fn ticket(ticket: &Ticket, paper: Paper) -> Result<Preview, PreviewError> {
    render(&layout(ticket, paper), paper)
}

/// The preview of a job's printout (a ticket or a slip) on `paper`.
pub fn printout(printout: &crate::Printout, paper: Paper) -> Result<Preview, PreviewError> {
    render(&printout.lines(paper), paper)
}

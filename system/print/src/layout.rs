//! The ticket laid out for a paper width: lines of printable text with their style, rules, the
//! QR code. Both renderers ([`crate::escpos`] and [`crate::preview`]) read the same lines, so
//! the preview shows what the printer prints.

use std::fmt;
use std::str::FromStr;

use kiosk_core::ticket::Ticket;
use serde::{Deserialize, Serialize};

use crate::text::{printable, wrap};

/// A paper roll and the columns of Font A (12 x 24 dots at 203 dpi) across it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Paper {
    columns: u8,
}

/// Dots of one Font A column.
pub const COLUMN_DOTS: u32 = 12;

/// A paper setting no printer has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    #[error("paper is 58 or 80 mm wide, not {0} mm")]
    Width(u16),
    #[error("a ticket is 32 (58 mm paper), 42 or 48 (80 mm paper) columns wide, not {0}")]
    Columns(u8),
}

impl Paper {
    /// 58 mm paper: 32 columns, 384 dots.
    pub const MM58: Paper = Paper { columns: 32 };
    /// 80 mm paper on a 72 mm print head (TM-T20, most 80 mm printers): 48 columns, 576 dots.
    pub const MM80: Paper = Paper { columns: 48 };
    /// 80 mm paper on a 512-dot head (42-column mode): 42 columns.
    pub const MM80_42: Paper = Paper { columns: 42 };

    /// The paper of a roll `mm` wide, at its usual columns.
    pub fn for_width(mm: u16) -> Result<Paper, PaperError> {
        match mm {
            58 => Ok(Paper::MM58),
            80 => Ok(Paper::MM80),
            other => Err(PaperError::Width(other)),
        }
    }

    pub fn columns(self) -> usize {
        usize::from(self.columns)
    }

    /// The printable width in dots.
    pub fn dots(self) -> u32 {
        u32::from(self.columns) * COLUMN_DOTS
    }

    /// The roll's width in millimetres.
    pub fn millimetres(self) -> u16 {
        if self.columns == 32 { 58 } else { 80 }
    }
}

impl TryFrom<u8> for Paper {
    type Error = PaperError;
    fn try_from(columns: u8) -> Result<Paper, PaperError> {
        match columns {
            32 | 42 | 48 => Ok(Paper { columns }),
            other => Err(PaperError::Columns(other)),
        }
    }
}

impl From<Paper> for u8 {
    fn from(p: Paper) -> u8 {
        p.columns
    }
}

impl FromStr for Paper {
    type Err = PaperError;
    /// `58`, `80` (millimetres) or `32`, `42`, `48` (columns); `58mm` and `80mm` too.
    fn from_str(s: &str) -> Result<Paper, PaperError> {
        let n: u16 = s
            .trim()
            .trim_end_matches("mm")
            .trim()
            .parse()
            .map_err(|_| PaperError::Width(0))?;
        match n {
            58 | 80 => Paper::for_width(n),
            _ => Paper::try_from(u8::try_from(n).map_err(|_| PaperError::Width(n))?),
        }
    }
}

impl fmt::Display for Paper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} mm, {} columns", self.millimetres(), self.columns)
    }
}

/// Character size: normal, double height, or double width and height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Normal,
    Tall,
    Large,
}

impl Size {
    /// How many columns one character takes.
    pub fn width(self) -> usize {
        match self {
            Size::Normal | Size::Tall => 1,
            Size::Large => 2,
        }
    }

    pub fn height(self) -> u32 {
        match self {
            Size::Normal => 1,
            Size::Tall | Size::Large => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub bold: bool,
    pub size: Size,
    pub align: Align,
}

impl Style {
    const BODY: Style = Style {
        bold: false,
        size: Size::Normal,
        align: Align::Left,
    };
    const CENTER: Style = Style {
        align: Align::Center,
        ..Style::BODY
    };
    const HEADING: Style = Style {
        bold: true,
        ..Style::BODY
    };
}

/// One line of the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Printable text that fits the line at its size.
    Text { text: String, style: Style },
    /// A dashed rule across the paper.
    Rule,
    /// A QR code (model 2, error correction M) of `data`, `module` dots a module, centred.
    Qr { data: String, module: u8 },
    /// Blank lines.
    Feed(u8),
}

/// Dots a QR module takes: big enough for a phone or a counter scanner at arm's length.
pub const QR_MODULE_DOTS: u8 = 8;

pub(crate) fn push_wrapped(lines: &mut Vec<Line>, text: &str, style: Style, paper: Paper) {
    let width = paper.columns() / style.size.width();
    for text in wrap(&printable(text), width, "", "") {
        lines.push(Line::Text { text, style });
    }
}

pub(crate) fn push_list(lines: &mut Vec<Line>, heading: &str, items: &[String], paper: Paper) {
    push_wrapped(lines, heading, Style::HEADING, paper);
    for item in items {
        for text in wrap(&printable(item), paper.columns(), "- ", "  ") {
            lines.push(Line::Text {
                text,
                style: Style::BODY,
            });
        }
    }
}

/// The ticket's lines on `paper`.
pub fn layout(ticket: &Ticket, paper: Paper) -> Vec<Line> {
    let t = ticket.text();
    let mut lines = Vec::with_capacity(48);
    push_wrapped(
        &mut lines,
        t.title,
        Style {
            bold: true,
            ..Style::CENTER
        },
        paper,
    );
    lines.push(Line::Feed(1));
    push_wrapped(
        &mut lines,
        &t.office,
        Style {
            bold: true,
            ..Style::CENTER
        },
        paper,
    );
    for a in &t.address {
        push_wrapped(&mut lines, a, Style::CENTER, paper);
    }
    if let Some(phone) = &t.phone {
        push_wrapped(&mut lines, phone, Style::CENTER, paper);
    }
    lines.push(Line::Rule);
    push_wrapped(
        &mut lines,
        &t.date,
        Style {
            bold: true,
            size: Size::Tall,
            align: Align::Left,
        },
        paper,
    );
    push_wrapped(
        &mut lines,
        &t.time,
        Style {
            bold: true,
            size: Size::Large,
            align: Align::Left,
        },
        paper,
    );
    push_wrapped(&mut lines, &t.duration, Style::BODY, paper);
    lines.push(Line::Rule);
    push_list(&mut lines, t.procedures_heading, &t.procedures, paper);
    lines.push(Line::Feed(1));
    push_list(&mut lines, t.documents_heading, &t.documents, paper);
    lines.push(Line::Rule);
    push_wrapped(&mut lines, t.code_heading, Style::CENTER, paper);
    // The code is [A-Z2-9]{8}: printable as it is, and never wrapped at double width (16
    // columns on the narrowest paper).
    lines.push(Line::Text {
        text: t.code.clone(),
        style: Style {
            bold: true,
            size: Size::Large,
            align: Align::Center,
        },
    });
    lines.push(Line::Feed(1));
    lines.push(Line::Qr {
        data: t.code,
        module: QR_MODULE_DOTS,
    });
    lines.push(Line::Feed(1));
    push_wrapped(&mut lines, t.arrive, Style::HEADING, paper);
    push_wrapped(&mut lines, t.cancel, Style::BODY, paper);
    lines
}

/// The page staff print from maintenance to check the printer: both languages, the kiosk's
/// name and the time, a ruler the paper's width (a cut-off edge shows), the accented letters
/// Spanish needs (a wrong code page shows), double sizes and a QR code.
pub fn test_page(paper: Paper, kiosk_id: &str, when: &str) -> Vec<Line> {
    let mut lines = Vec::with_capacity(24);
    let centre_bold = Style {
        bold: true,
        ..Style::CENTER
    };
    push_wrapped(&mut lines, "PRUEBA DE IMPRESIÓN", centre_bold, paper);
    push_wrapped(&mut lines, "TEST PRINT", centre_bold, paper);
    lines.push(Line::Feed(1));
    push_wrapped(&mut lines, kiosk_id, Style::CENTER, paper);
    push_wrapped(&mut lines, when, Style::CENTER, paper);
    lines.push(Line::Rule);
    let ruler: String = (1..=paper.columns())
        .map(|c| char::from_digit(u32::try_from(c % 10).unwrap_or(0), 10).unwrap_or('0'))
        .collect();
    lines.push(Line::Text {
        text: ruler,
        style: Style::BODY,
    });
    push_wrapped(&mut lines, "áéíóú ÁÉÍÓÚ ñÑ üÜ ¿? ¡! €", Style::BODY, paper);
    push_wrapped(
        &mut lines,
        "12:30",
        Style {
            bold: true,
            size: Size::Large,
            align: Align::Center,
        },
        paper,
    );
    lines.push(Line::Qr {
        data: "TEST".into(),
        module: QR_MODULE_DOTS,
    });
    lines.push(Line::Rule);
    push_wrapped(
        &mut lines,
        "Si lee todo esto, la impresora funciona. / If you can read all of this, the printer works.",
        Style::BODY,
        paper,
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_page_has_a_full_width_ruler_and_fits_every_paper() {
        for paper in [Paper::MM58, Paper::MM80, Paper::MM80_42] {
            let lines = test_page(paper, "LAX-LOBBY-1", "2026-11-28 17:00");
            let ruler = lines
                .iter()
                .find_map(|l| match l {
                    Line::Text { text, .. } if text.starts_with("1234567890") => Some(text),
                    _ => None,
                })
                .expect("a ruler");
            assert_eq!(ruler.chars().count(), paper.columns());
            for l in &lines {
                if let Line::Text { text, style } = l {
                    assert!(text.chars().count() * style.size.width() <= paper.columns(), "{text}");
                }
            }
        }
    }

    #[test]
    fn reads_paper_as_millimetres_or_columns() {
        assert_eq!("58".parse::<Paper>(), Ok(Paper::MM58));
        assert_eq!("80mm".parse::<Paper>(), Ok(Paper::MM80));
        assert_eq!("42".parse::<Paper>(), Ok(Paper::MM80_42));
        assert_eq!("40".parse::<Paper>(), Err(PaperError::Columns(40)));
        assert_eq!("A4".parse::<Paper>(), Err(PaperError::Width(0)));
        assert_eq!(Paper::MM58.dots(), 384);
        assert_eq!(Paper::MM80.dots(), 576);
    }
}

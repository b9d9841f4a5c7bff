//! The ticket's lines as ESC/POS bytes, built with `escpos`'s command builder into memory; the
//! bytes then go to a printer in one write (see [`crate::device`]).
//!
//! The job: `ESC @` (initialise), `FS .` (leave Kanji mode, which some clone printers start
//! in), `ESC t 16` (WPC1252), then per line its alignment, emphasis and size and the text
//! encoded by [`crate::text::encode`] (never through `escpos`'s text tables), the QR code as
//! native `GS ( k` model 2, and `GS V A 0` (feed to the cutter and cut).

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::errors::PrinterError;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};
use kiosk_core::ticket::Ticket;

use crate::layout::{Align, Line, Paper, Size, Style, layout};
use crate::text::encode;

/// `escpos`'s builder writes into this.
#[derive(Debug, Clone, Default)]
struct Memory(Rc<RefCell<Vec<u8>>>);

impl Driver for Memory {
    fn name(&self) -> String {
        "memory".to_owned()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// Leaves Kanji mode (`FS .`).
const CANCEL_KANJI: &[u8] = &[0x1C, 0x2E];
/// Line feeds before the cut, so the last line clears the cutter.
const FEED_BEFORE_CUT: u8 = 3;

const PLAIN: Style = Style {
    bold: false,
    size: Size::Normal,
    align: Align::Left,
};

fn justify(align: Align) -> JustifyMode {
    match align {
        Align::Left => JustifyMode::LEFT,
        Align::Center => JustifyMode::CENTER,
    }
}

/// The ESC/POS job for `lines` on `paper`.
pub fn render(lines: &[Line], paper: Paper) -> Result<Vec<u8>, PrinterError> {
    let memory = Memory::default();
    let mut p = Printer::new(memory.clone(), Protocol::default(), None);
    p.init()?.custom(CANCEL_KANJI)?.page_code(PageCode::WPC1252)?;
    let rule = "-".repeat(paper.columns());
    // The state `ESC @` leaves.
    let mut current = PLAIN;
    for line in lines {
        match line {
            Line::Text { text, style } => {
                // Only what changes is sent: a ticket stays small on slow serial-speed links.
                if current.align != style.align {
                    p.justify(justify(style.align))?;
                }
                if current.bold != style.bold {
                    p.bold(style.bold)?;
                }
                if current.size != style.size {
                    match style.size {
                        Size::Normal => p.reset_size()?,
                        Size::Tall => p.size(1, 2)?,
                        Size::Large => p.size(2, 2)?,
                    };
                }
                current = *style;
                p.custom(&encode(text))?.feed()?;
            }
            Line::Rule => {
                if current != PLAIN {
                    p.justify(JustifyMode::LEFT)?.bold(false)?.reset_size()?;
                    current = PLAIN;
                }
                p.custom(rule.as_bytes())?.feed()?;
            }
            Line::Qr { data, module } => {
                if current.align != Align::Center {
                    p.justify(JustifyMode::CENTER)?;
                    current.align = Align::Center;
                }
                p.qrcode_option(
                    data,
                    QRCodeOption::new(QRCodeModel::Model2, *module, QRCodeCorrectionLevel::M),
                )?;
            }
            Line::Feed(n) => {
                p.feeds(*n)?;
            }
        }
    }
    if current != PLAIN {
        p.justify(JustifyMode::LEFT)?.bold(false)?.reset_size()?;
    }
    p.feeds(FEED_BEFORE_CUT)?.print_cut()?;
    drop(p);
    Ok(memory.0.take())
}

/// The ESC/POS job of the maintenance test page (see [`crate::layout::test_page`]).
pub fn test_page(paper: Paper, kiosk_id: &str, when: &str) -> Result<Vec<u8>, PrinterError> {
    render(&crate::layout::test_page(paper, kiosk_id, when), paper)
}

/// The ESC/POS job of a ticket on `paper`.
pub fn ticket(ticket: &Ticket, paper: Paper) -> Result<Vec<u8>, PrinterError> {
    render(&layout(ticket, paper), paper)
}

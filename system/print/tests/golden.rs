//! The bytes of a Spanish and an English ticket, compared with files checked in under
//! `tests/golden/` (`UPDATE_GOLDEN=1 cargo test -p kiosk-print --test golden` rewrites them
//! after a deliberate change; review the diff of the preview PNGs beside them).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use kiosk_core::Language;
use kiosk_core::ticket::Ticket;
use kiosk_print::{Paper, preview};

fn booking() -> Ticket {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/booking-lax.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn check(name: &str, ticket: &Ticket, paper: Paper) -> Vec<u8> {
    let bytes = kiosk_print::escpos::ticket(ticket, paper).unwrap();
    let path = golden(&format!("{name}.bin"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &bytes).unwrap();
        let png = preview::ticket(ticket, paper).unwrap().to_png().unwrap();
        std::fs::write(golden(&format!("{name}.png")), png).unwrap();
    }
    let expected = std::fs::read(&path).unwrap();
    if bytes != expected {
        let at = bytes
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(bytes.len().min(expected.len()));
        let around = |v: &[u8]| String::from_utf8_lossy(&v[at.saturating_sub(16)..(at + 16).min(v.len())]).into_owned();
        panic!(
            "{name}: {} bytes, golden {}; first difference at byte {at}: {:?} instead of {:?}",
            bytes.len(),
            expected.len(),
            around(&bytes),
            around(&expected)
        );
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn spanish_ticket_on_58_mm_matches_its_golden_bytes() {
    let bytes = check("ticket-es-58", &booking(), Paper::MM58);
    // ESC @, FS . (no Kanji), ESC t 16 (WPC1252) before any text.
    assert!(bytes.starts_with(b"\x1b@\x1c.\x1bt\x10"), "{:x?}", &bytes[..8]);
    assert!(contains(&bytes, b"M\xe9xico en"), "é in WPC1252");
    assert!(contains(&bytes, b"\xbfNo puede venir?"), "¿ in WPC1252");
    // QR model 2, 8-dot modules, level M, then the code as its data, then print.
    assert!(contains(
        &bytes,
        b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x08\x1d(k\x03\x001E1"
    ));
    assert!(contains(&bytes, b"\x1d(k\x0b\x001P0K7M4XR2P\x1d(k\x03\x001Q0"));
    assert!(bytes.ends_with(b"\x1dVA\x00"), "feed and cut at the end");
}

#[test]
fn english_ticket_on_80_mm_matches_its_golden_bytes() {
    let bytes = check("ticket-en-80", &booking().in_language(Language::En), Paper::MM80);
    assert!(contains(&bytes, b"Thursday, December 3, 2026"));
    assert!(contains(&bytes, b"K7M4XR2P"));
}

#[test]
fn the_characters_the_builtin_tables_get_wrong_are_sent_in_wpc1252() {
    let mut ticket: serde_json::Value = serde_json::to_value(booking()).unwrap();
    ticket["office"]["name"] = "- ¿ ¡ ñ é ü €".into();
    let ticket: Ticket = serde_json::from_value(ticket).unwrap();
    let bytes = kiosk_print::escpos::ticket(&ticket, Paper::MM80).unwrap();
    // Python: "- ¿ ¡ ñ é ü €".encode("cp1252"); escpos's PC858 table would send 0xF0 for "-"
    // and the UTF-8 bytes C2 BF for "¿".
    assert!(
        contains(&bytes, b"- \xbf \xa1 \xf1 \xe9 \xfc \x80\x1bd\x01"),
        "{bytes:x?}"
    );
    assert!(
        !contains(&bytes, "¿".as_bytes()) && !contains(&bytes, "€".as_bytes()),
        "no UTF-8"
    );
}

#[test]
fn a_typical_ticket_stays_under_3_kb() {
    for lang in Language::ALL {
        for paper in [Paper::MM58, Paper::MM80_42, Paper::MM80] {
            let n = kiosk_print::escpos::ticket(&booking().in_language(lang), paper)
                .unwrap()
                .len();
            assert!(n < 3 * 1024, "{lang} {paper}: {n} bytes");
        }
    }
}

#[test]
fn every_line_fits_the_paper_and_no_word_is_cut() {
    let mut ticket: serde_json::Value = serde_json::to_value(booking()).unwrap();
    ticket["office"]["name"] =
        "Consulado General de México en San Bernardino, California (Oficina Regional del Inland Empire)".into();
    let ticket: Ticket = serde_json::from_value(ticket).unwrap();
    let t = ticket.text();
    let source = [
        t.title,
        t.office.as_str(),
        t.date.as_str(),
        t.time.as_str(),
        t.duration.as_str(),
        t.procedures_heading,
        t.documents_heading,
        t.code_heading,
        t.arrive,
        t.cancel,
    ]
    .into_iter()
    .chain(t.address.iter().map(String::as_str))
    .chain(t.phone.as_deref())
    .chain(t.documents.iter().map(String::as_str))
    .chain(t.procedures.iter().map(String::as_str))
    .collect::<Vec<_>>()
    .join(" ");
    let words: std::collections::HashSet<&str> = source.split(' ').collect();
    for paper in [Paper::MM58, Paper::MM80] {
        for line in kiosk_print::layout(&ticket, paper) {
            if let kiosk_print::layout::Line::Text { text, style } = line {
                assert!(
                    text.chars().count() * style.size.width() <= paper.columns(),
                    "{paper}: {text:?}"
                );
                if words.iter().any(|w| text.contains(w) && w.len() > 3) {
                    for w in text.split(' ').filter(|w| !w.is_empty() && *w != "-") {
                        assert!(words.contains(w), "{paper}: {w:?} in {text:?} is a piece of a word");
                    }
                }
            }
        }
    }
}

#[test]
fn the_preview_shows_the_whole_paper_width_in_black_and_white() {
    for paper in [Paper::MM58, Paper::MM80] {
        let p = preview::ticket(&booking(), paper).unwrap();
        assert_eq!(p.width, paper.dots());
        assert!(
            p.dots.iter().all(|d| *d == 0 || *d == 255),
            "a thermal head prints no grey"
        );
        #[allow(clippy::naive_bytecount)] // a test: a few hundred thousand dots, once
        let black = p.dots.iter().filter(|d| **d == 0).count();
        assert!(black > p.dots.len() / 50, "the preview has ink: {black} dots");
        assert!(p.to_png().unwrap().starts_with(b"\x89PNG"));
    }
}

//! Text a thermal printer can show: the WPC1252 code page (`ESC t 16`), one byte a character.
//!
//! `escpos`'s own text tables are not used: its PC850/PC858 tables turn ASCII `-` into a soft
//! hyphen and send `¿` as raw UTF-8, and any character missing from a table goes out as UTF-8
//! bytes, which a printer prints as two or three wrong glyphs. Here every character is either
//! encoded by `encoding_rs`'s windows-1252 (the table the printers' WPC1252 follows), or
//! transliterated by `deunicode` (`Ł` -> `L`, `“` stays, `→` -> `->`), or dropped if it is a
//! control character (a byte below 0x20 from a server-sent office name would otherwise be an
//! ESC/POS command).

use encoding_rs::{EncoderResult, WINDOWS_1252};
use unicode_normalization::UnicodeNormalization;

/// The WPC1252 byte of `c`, if it has one and is not a control character.
fn wpc1252_byte(c: char) -> Option<u8> {
    if c.is_control() {
        return None;
    }
    if c.is_ascii() {
        return u8::try_from(c).ok();
    }
    let mut utf8 = [0u8; 4];
    let mut out = [0u8; 2];
    let mut encoder = WINDOWS_1252.new_encoder();
    match encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut out, true) {
        (EncoderResult::InputEmpty, _, 1) => Some(out[0]),
        _ => None,
    }
}

/// `text` with every character the printer can show: composed (NFC, so an `e` followed by a
/// combining accent becomes `é`), whitespace as single spaces, control characters dropped and
/// anything outside WPC1252 transliterated. Every character of the result is one column wide.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        if c.is_whitespace() {
            out.push(' ');
        } else if wpc1252_byte(c).is_some() {
            out.push(c);
        } else if !c.is_control() {
            let ascii = deunicode::deunicode_char(c).unwrap_or("?");
            out.extend(ascii.chars().filter(|a| a.is_ascii_graphic() || *a == ' '));
        }
    }
    out
}

/// The WPC1252 bytes of text made by [`printable`]. Anything else that slipped through is sent
/// as `?`, never as UTF-8 nor as a control byte.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(|c| wpc1252_byte(c).unwrap_or(b'?')).collect()
}

/// Lines of at most `width` columns, broken between words; a word longer than a whole line (an
/// e-mail address, a long URL) is the only thing ever split. `first`/`rest` prefix the first
/// and the following lines (a list's "- " and its hanging indent).
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let options = textwrap::Options::new(width.max(1))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .break_words(true)
        .initial_indent(first)
        .subsequent_indent(rest);
    textwrap::wrap(text.trim(), options)
        .into_iter()
        .map(|l| l.trim_end().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_characters_the_builtin_tables_get_wrong() {
        // Python: "-¿¡ñéü€".encode("cp1252")
        assert_eq!(encode(&printable("-¿¡ñéü€")), b"-\xbf\xa1\xf1\xe9\xfc\x80");
        assert_eq!(
            encode(&printable("ÁÉÍÓÚÑÜáíóú«»")),
            b"\xc1\xc9\xcd\xd3\xda\xd1\xdc\xe1\xed\xf3\xfa\xab\xbb"
        );
    }

    #[test]
    fn transliterates_what_wpc1252_lacks_instead_of_sending_utf8() {
        let bytes = encode(&printable("Łódź → Zürich ✓ 東京"));
        assert!(
            bytes.iter().all(|b| *b != 0xC2 && *b != 0xC3 && *b != 0xE2),
            "{bytes:x?}"
        );
        // ó and ü are WPC1252's own; Ł, ź, → and ✓ are not.
        assert_eq!(&bytes[..4], b"L\xf3dz");
        assert!(printable("Łódź → Zürich").starts_with("Lódz - Z"));
        assert_eq!(encode(&printable("Zürich")), b"Z\xfcrich");
    }

    #[test]
    fn composes_decomposed_accents() {
        assert_eq!(encode(&printable("Jose\u{301}")), b"Jos\xe9");
    }

    #[test]
    fn drops_control_characters_a_server_could_smuggle_in() {
        assert_eq!(printable("Consulado\u{1b}@\u{1d}V\u{0}\u{7f}\tX\n"), "Consulado@V X ");
    }

    #[test]
    fn wraps_between_words_and_only_splits_words_longer_than_a_line() {
        let lines = wrap("Consulado General de México en Los Ángeles", 16, "", "");
        assert_eq!(lines, ["Consulado", "General de", "México en Los", "Ángeles"]);
        let lines = wrap("write to consulado.losangeles@sre.gob.mx", 16, "", "");
        assert!(lines.iter().all(|l| l.chars().count() <= 16), "{lines:?}");
        let lines = wrap("Identificación del otro padre o madre", 20, "- ", "  ");
        assert_eq!(lines, ["- Identificación del", "  otro padre o madre"]);
    }
}

//! Postal codes, with the rules of the countries whose consulates the kiosk serves first.
//!
//! - `MX`: five digits (01000-99999).
//! - `US`: ZIP (five digits) or ZIP+4, stored `12345` or `12345-6789`.
//! - `CA`: `A1A 1A1` with Canada Post's letters (no D, F, I, O, Q, U; no W or Z first), typed
//!   with or without the space and stored without it (the central system rejects the space).
//! - anywhere else: 2 to 10 letters, digits, spaces or hyphens, stored in upper case.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::lang::{Explain, Language};

/// A checked postal code and the country it was checked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostalCode {
    country: CountryCode,
    code: String,
}

/// A postal code that does not fit its country's format; carries the country for the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalCodeError {
    #[error("the postal code is empty")]
    Empty,
    #[error("not a postal code of {0}")]
    Format(CountryCode),
}

impl Explain for PostalCodeError {
    fn explain(&self, lang: Language) -> String {
        match self {
            PostalCodeError::Empty => lang
                .pick("Escriba el código postal.", "Enter the ZIP or postal code.")
                .to_owned(),
            PostalCodeError::Format(c) => match (lang, c.as_str()) {
                (Language::Es, "MX") => "El código postal de México tiene 5 números, por ejemplo 06600.".into(),
                (Language::En, "MX") => "A Mexican postal code has 5 digits, for example 06600.".into(),
                (Language::Es, "US") => "El código ZIP tiene 5 números (por ejemplo 90057) o 5+4 (90057-1234).".into(),
                (Language::En, "US") => "A ZIP code has 5 digits (for example 90057) or 5+4 (90057-1234).".into(),
                (Language::Es, "CA") => {
                    "El código postal de Canadá es letra-número-letra número-letra-número, por ejemplo H3A 2Y7.".into()
                }
                (Language::En, "CA") => {
                    "A Canadian postal code is letter-digit-letter digit-letter-digit, for example H3A 2Y7.".into()
                }
                (Language::Es, _) => format!("Ese no es un código postal de {c}: use de 2 a 10 letras o números."),
                (Language::En, _) => format!("That is not a postal code of {c}: use 2 to 10 letters or digits."),
            },
        }
    }
}

impl PostalCode {
    pub fn parse(input: &str, country: CountryCode) -> Result<PostalCode, PostalCodeError> {
        let s = input.trim().to_uppercase();
        if s.is_empty() {
            return Err(PostalCodeError::Empty);
        }
        let code = match country.as_str() {
            "MX" => mexican(&s),
            "US" => american(&s),
            "CA" => canadian(&s),
            _ => other(&s),
        }
        .ok_or(PostalCodeError::Format(country))?;
        Ok(PostalCode { country, code })
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The stored form (no space in Canadian codes).
    pub fn as_str(&self) -> &str {
        &self.code
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn mexican(s: &str) -> Option<String> {
    (s.len() == 5 && all_digits(s) && !s.starts_with("00")).then(|| s.to_owned())
}

fn american(s: &str) -> Option<String> {
    let (zip, plus4) = match s.split_once('-') {
        Some((z, p)) => (z, Some(p)),
        None if s.len() == 9 => (&s[..5], Some(&s[5..])),
        None => (s, None),
    };
    let zip_ok = zip.len() == 5 && all_digits(zip) && zip != "00000";
    let plus4_ok = plus4.is_none_or(|p| p.len() == 4 && all_digits(p));
    (zip_ok && plus4_ok).then(|| match plus4 {
        Some(p) => format!("{zip}-{p}"),
        None => zip.to_owned(),
    })
}

fn canadian(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    // At most one space, and only between the two halves.
    let spaces_ok = s == compact || (s.len() == 7 && s.as_bytes()[3] == b' ');
    let b = compact.as_bytes();
    let letter =
        |c: u8, first: bool| c.is_ascii_uppercase() && !b"DFIOQU".contains(&c) && !(first && b"WZ".contains(&c));
    let ok = spaces_ok
        && b.len() == 6
        && letter(b[0], true)
        && b[1].is_ascii_digit()
        && letter(b[2], false)
        && b[3].is_ascii_digit()
        && letter(b[4], false)
        && b[5].is_ascii_digit();
    ok.then_some(compact)
}

fn other(s: &str) -> Option<String> {
    let ok = (2..=10).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && s.chars().any(|c| c.is_ascii_alphanumeric());
    ok.then(|| s.to_owned())
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str, c: CountryCode) -> String {
        PostalCode::parse(s, c).unwrap().as_str().to_owned()
    }

    #[test]
    fn accepts_mexican_five_digit_codes() {
        assert_eq!(ok("06600", CountryCode::MX), "06600");
        for bad in ["6600", "066000", "00600", "0660A"] {
            assert!(PostalCode::parse(bad, CountryCode::MX).is_err(), "{bad}");
        }
    }

    #[test]
    fn accepts_us_zip_and_zip_plus_four() {
        assert_eq!(ok("90057", CountryCode::US), "90057");
        assert_eq!(ok("90057-1234", CountryCode::US), "90057-1234");
        assert_eq!(ok("900571234", CountryCode::US), "90057-1234");
        for bad in ["9005", "90057-12", "00000", "ABCDE", "90057 1234"] {
            assert!(PostalCode::parse(bad, CountryCode::US).is_err(), "{bad}");
        }
    }

    #[test]
    fn stores_canadian_codes_without_the_space() {
        assert_eq!(ok("H3A 2Y7", CountryCode::CA), "H3A2Y7");
        assert_eq!(ok("h3a2y7", CountryCode::CA), "H3A2Y7");
        assert_eq!(ok("M5V 3L9", CountryCode::CA), "M5V3L9");
    }

    #[test]
    fn rejects_canadian_codes_with_letters_canada_post_never_uses() {
        for bad in [
            "D3A 2Y7", "W3A 2Y7", "H3O 2Y7", "H3A 2U7", "H3A  2Y7", "H3 A2Y7", "H3A 2Y",
        ] {
            assert!(PostalCode::parse(bad, CountryCode::CA).is_err(), "{bad}");
        }
    }

    #[test]
    fn accepts_other_countries_loosely() {
        let gt: CountryCode = "GT".parse().unwrap();
        assert_eq!(ok("01001", gt), "01001");
        assert!(PostalCode::parse("#", gt).is_err());
    }

    #[test]
    fn explains_each_countrys_format_with_an_example() {
        let e = PostalCode::parse("123", CountryCode::CA).unwrap_err();
        assert!(e.explain(Language::Es).contains("H3A 2Y7"));
        assert!(e.explain(Language::En).contains("letter-digit-letter"));
        assert_eq!(PostalCode::parse(" ", CountryCode::MX), Err(PostalCodeError::Empty));
    }
}

//! Personal names as people really write them: any script's letters with their accents
//! (`Núñez`, `Łukasiewicz`, `Nguyễn`), apostrophes, hyphens and spaces. Text is put in Unicode
//! NFC (so a name typed with combining accents equals the precomposed one), trimmed, and runs
//! of spaces collapsed to one.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::lang::{Explain, Language};

/// The longest name part accepted, in characters (Citas SRE's forms cut off well before this).
pub const MAX_CHARS: usize = 60;

/// A checked, normalised name or name part (a first name, a last name, a full name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {max} characters")]
    TooLong { max: usize },
    #[error("names cannot contain digits ({found:?})")]
    Digit { found: char },
    #[error("names cannot contain control or invisible characters")]
    Control,
    #[error("names cannot contain {found:?}")]
    Symbol { found: char },
}

impl Explain for NameError {
    fn explain(&self, lang: Language) -> String {
        match self {
            // Shown under the field it is about (given names, a last name): it names none.
            NameError::Empty => lang
                .pick("Escriba este dato: es obligatorio.", "Fill this in: it is required.")
                .to_owned(),
            NameError::TooLong { max } => match lang {
                Language::Es => format!("El nombre es demasiado largo: use como máximo {max} caracteres."),
                Language::En => format!("The name is too long: use {max} characters at most."),
            },
            NameError::Digit { found } => match lang {
                Language::Es => format!("Un nombre no lleva números («{found}»): escríbalo solo con letras."),
                Language::En => format!("A name has no digits (\"{found}\"): write it with letters only."),
            },
            NameError::Control => lang
                .pick(
                    "El nombre tiene un carácter invisible o de control: bórrelo y vuelva a escribirlo.",
                    "The name has an invisible or control character: delete it and type it again.",
                )
                .to_owned(),
            NameError::Symbol { found } => match lang {
                Language::Es => {
                    format!("Un nombre solo lleva letras, espacios, apóstrofos y guiones; quite «{found}».")
                }
                Language::En => {
                    format!("A name has only letters, spaces, apostrophes and hyphens; remove \"{found}\".")
                }
            },
        }
    }
}

/// Apostrophes (ASCII, typographic, modifier letter) and hyphens (ASCII, Unicode hyphen).
fn is_name_punctuation(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '-' | '\u{2010}')
}

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, NameError> {
        let nfc: String = input.nfc().collect();
        // Control and format characters (zero-width joiners, bidi marks) are refused rather
        // than silently dropped: the visitor must see exactly what is sent.
        if nfc
            .chars()
            .any(|c| c.is_control() && !c.is_whitespace() || is_format(c))
        {
            return Err(NameError::Control);
        }
        let collapsed = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(NameError::Empty);
        }
        if let Some(found) = collapsed.chars().find(char::is_ascii_digit) {
            return Err(NameError::Digit { found });
        }
        if let Some(found) = collapsed.chars().find(|c| c.is_numeric()) {
            return Err(NameError::Digit { found });
        }
        if let Some(found) = collapsed
            .chars()
            .find(|&c| !(c.is_alphabetic() || is_combining_mark(c) || c == ' ' || is_name_punctuation(c)))
        {
            return Err(NameError::Symbol { found });
        }
        if let Some(found) = collapsed.chars().next().filter(|c| !c.is_alphabetic()) {
            return Err(NameError::Symbol { found });
        }
        if collapsed.chars().count() > MAX_CHARS {
            return Err(NameError::TooLong { max: MAX_CHARS });
        }
        Ok(PersonName(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unicode general category Cf (format) characters a keyboard can smuggle in.
fn is_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonName::parse(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_from_many_languages() {
        for name in [
            "María José Núñez Güemes",
            "Zoë O'Brien-Łukasiewicz",
            "Nguyễn Thị Minh Khai",
            "Ñandú",
            "D’Angelo",
            "Александр Пушкин",
            "李小龍",
        ] {
            assert_eq!(PersonName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn trims_and_collapses_spaces() {
        assert_eq!(
            PersonName::parse("  María   José \t Núñez ").unwrap().as_str(),
            "María José Núñez"
        );
    }

    #[test]
    fn composes_decomposed_accents() {
        // "Nu\u{303}n\u{303}ez": typed with combining tildes.
        let n = PersonName::parse("Nu\u{0303}n\u{0303}ez").unwrap();
        assert_eq!(n.as_str(), "Nũñez");
    }

    #[test]
    fn rejects_names_with_digits() {
        assert_eq!(PersonName::parse("R2D2"), Err(NameError::Digit { found: '2' }));
        assert_eq!(PersonName::parse("Luis ١"), Err(NameError::Digit { found: '١' }));
    }

    #[test]
    fn rejects_empty_names() {
        assert_eq!(PersonName::parse(""), Err(NameError::Empty));
        assert_eq!(PersonName::parse("   "), Err(NameError::Empty));
    }

    #[test]
    fn rejects_names_of_300_letters() {
        let long = "a".repeat(300);
        assert_eq!(PersonName::parse(&long), Err(NameError::TooLong { max: MAX_CHARS }));
    }

    #[test]
    fn rejects_control_and_invisible_characters() {
        assert_eq!(PersonName::parse("Ana\u{0007}"), Err(NameError::Control));
        assert_eq!(PersonName::parse("Ana\u{200B}Luisa"), Err(NameError::Control));
    }

    #[test]
    fn rejects_symbols_and_leading_punctuation() {
        assert_eq!(PersonName::parse("Ana@"), Err(NameError::Symbol { found: '@' }));
        assert_eq!(PersonName::parse("-Ana"), Err(NameError::Symbol { found: '-' }));
    }

    #[test]
    fn each_rejection_has_its_own_message() {
        let errs = [
            PersonName::parse("R2D2").unwrap_err(),
            PersonName::parse("").unwrap_err(),
            PersonName::parse(&"a".repeat(300)).unwrap_err(),
        ];
        for lang in Language::ALL {
            let texts: Vec<String> = errs.iter().map(|e| e.explain(lang)).collect();
            assert_ne!(texts[0], texts[1]);
            assert_ne!(texts[1], texts[2]);
            assert_ne!(texts[0], texts[2]);
        }
        assert!(errs[2].explain(Language::En).contains("60"));
    }
}

//! The visitor's language and the one mapping from a rule's error to the words a visitor reads.
//!
//! Every error a visitor can cause implements [`Explain`]: the text says what is wrong *and*
//! what to do about it, in Spanish or English. The UI and `kioskctl` never write their own
//! wording for a rule; they call `explain`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language the kiosk speaks. Spanish is the default: the kiosk stands in a Mexican consulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Es,
    En,
}

impl Language {
    /// Every language, in the order the language switch shows them.
    pub const ALL: [Language; 2] = [Language::Es, Language::En];

    /// The BCP 47 tag, as used for bundled translations (`select_bundled_translation`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }

    /// Picks the text for this language from a pair written side by side.
    pub fn pick<T>(self, es: T, en: T) -> T {
        match self {
            Language::Es => es,
            Language::En => en,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A language tag that is neither `es` nor `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: expected \"es\" or \"en\"")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "es" | "spa" | "español" | "espanol" | "spanish" => Ok(Language::Es),
            "en" | "eng" | "english" | "inglés" | "ingles" => Ok(Language::En),
            _ => Err(UnknownLanguage(s.to_owned())),
        }
    }
}

/// Something the visitor can be told about in their own language.
pub trait Explain {
    /// A complete sentence (or two) saying what is wrong and how to fix it.
    fn explain(&self, lang: Language) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_language_tags_case_insensitively() {
        assert_eq!("ES".parse(), Ok(Language::Es));
        assert_eq!(" en ".parse(), Ok(Language::En));
        assert!("fr".parse::<Language>().is_err());
    }

    #[test]
    fn spanish_is_the_default_language() {
        assert_eq!(Language::default(), Language::Es);
    }
}

//! Confirmation codes, as a visitor types them to find an appointment they already have.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lang::{Explain, Language};

/// The code's alphabet: no 0/O nor 1/I, which visitors confuse.
pub const CODE_ALPHABET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// The code's length.
pub const CODE_LEN: usize = 8;

/// A well-formed confirmation code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConfirmationCode(String);

/// Why a typed code cannot be a confirmation code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the code is empty")]
    Empty,
    #[error("a code has {CODE_LEN} characters, this has {found}")]
    Length { found: usize },
    #[error("{found:?} is never part of a code")]
    Character { found: char },
}

impl Explain for CodeError {
    fn explain(&self, lang: Language) -> String {
        match self {
            CodeError::Empty => lang
                .pick("Escriba el código de su cita.", "Enter your appointment's code.")
                .to_owned(),
            CodeError::Length { found } => match lang {
                Language::Es => format!(
                    "El código tiene {CODE_LEN} caracteres y escribió {found}. Está en su correo o en su comprobante."
                ),
                Language::En => format!(
                    "The code has {CODE_LEN} characters and you typed {found}. It is in your e-mail or on your ticket."
                ),
            },
            CodeError::Character { found } => match lang {
                Language::Es => format!(
                    "Los códigos no llevan «{found}»: use letras y los números del 2 al 9 (la O es letra, no cero)."
                ),
                Language::En => format!(
                    "Codes never contain \"{found}\": use letters and the digits 2 to 9 (O is a letter, not zero)."
                ),
            },
        }
    }
}

impl ConfirmationCode {
    /// Accepts lower case, spaces and hyphens (as printed in groups), and reads a typed 0 as O
    /// and 1 as I, the letters the alphabet keeps.
    pub fn parse(input: &str) -> Result<ConfirmationCode, CodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                other => other,
            })
            .collect();
        if compact.is_empty() {
            return Err(CodeError::Empty);
        }
        // O and I are not in the alphabet either: a typed 0/1/O/I is a misreading.
        if let Some(found) = compact.chars().find(|c| !CODE_ALPHABET.contains(*c)) {
            return Err(CodeError::Character { found });
        }
        let n = compact.chars().count();
        if n != CODE_LEN {
            return Err(CodeError::Length { found: n });
        }
        Ok(ConfirmationCode(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ConfirmationCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ConfirmationCode::parse(&s)
    }
}

impl From<ConfirmationCode> for String {
    fn from(c: ConfirmationCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_codes_typed_in_lower_case_with_spaces_or_hyphens() {
        assert_eq!(ConfirmationCode::parse(" abcd-2345 ").unwrap().as_str(), "ABCD2345");
        assert_eq!(ConfirmationCode::parse("ABCD 2345").unwrap().as_str(), "ABCD2345");
    }

    #[test]
    fn rejects_codes_of_the_wrong_length() {
        assert_eq!(ConfirmationCode::parse("ABC"), Err(CodeError::Length { found: 3 }));
        assert_eq!(ConfirmationCode::parse("  "), Err(CodeError::Empty));
    }

    #[test]
    fn explains_that_zero_and_one_are_never_in_a_code() {
        let e = ConfirmationCode::parse("ABCD0345").unwrap_err();
        assert_eq!(e, CodeError::Character { found: 'O' });
        assert!(e.explain(Language::En).contains("not zero"));
        assert_eq!(
            ConfirmationCode::parse("ABCD!345"),
            Err(CodeError::Character { found: '!' })
        );
    }
}

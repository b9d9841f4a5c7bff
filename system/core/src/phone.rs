//! Phone numbers, checked against libphonenumber's metadata (the `phonenumber` crate) for the
//! country the visitor chose, and stored in E.164 (`+12133516800`).

use std::fmt;

use phonenumber::Mode;
use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::lang::{Explain, Language};

/// A valid phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone {
    e164: String,
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error("no phone numbering plan is known for {0}")]
    UnknownCountry(CountryCode),
    #[error("not a phone number")]
    NotANumber,
    #[error("not a valid phone number in {0}")]
    Invalid(CountryCode),
}

impl Explain for PhoneError {
    fn explain(&self, lang: Language) -> String {
        match self {
            PhoneError::Empty => lang
                .pick("Escriba un número de teléfono.", "Enter a phone number.")
                .to_owned(),
            PhoneError::UnknownCountry(c) => match lang {
                Language::Es => format!(
                    "No conocemos los números de teléfono del país {c}. Escriba el número con + y la clave del país."
                ),
                Language::En => format!(
                    "We do not know the phone numbers of country {c}. Type the number with + and the country code."
                ),
            },
            PhoneError::NotANumber => lang
                .pick(
                    "Escriba solo números (puede usar espacios, guiones, paréntesis y + al inicio).",
                    "Type only digits (spaces, hyphens, brackets and a leading + are fine).",
                )
                .to_owned(),
            PhoneError::Invalid(c) => match lang {
                Language::Es => format!("Ese número no existe en {c}. Revise la lada y que tenga todos sus dígitos."),
                Language::En => {
                    format!("That number does not exist in {c}. Check the area code and that no digit is missing.")
                }
            },
        }
    }
}

impl Phone {
    /// Parses a number typed for `country`; a number written with `+` may belong to any country.
    pub fn parse(input: &str, country: CountryCode) -> Result<Phone, PhoneError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        if s.chars().any(|c| !(c.is_ascii_digit() || " -().+/".contains(c))) {
            return Err(PhoneError::NotANumber);
        }
        let id: phonenumber::country::Id = country
            .as_str()
            .parse()
            .map_err(|_| PhoneError::UnknownCountry(country))?;
        let number = phonenumber::parse(Some(id), s).map_err(|_| PhoneError::NotANumber)?;
        let region = number
            .country()
            .id()
            .and_then(|id| id.as_ref().parse::<CountryCode>().ok())
            .unwrap_or(country);
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid(region));
        }
        Ok(Phone {
            e164: number.format().mode(Mode::E164).to_string(),
        })
    }

    /// The stored form, e.g. `+5215512345678`.
    pub fn e164(&self) -> &str {
        &self.e164
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// Stored numbers are re-checked when read back, so a corrupted store cannot inject one.
impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if !s.starts_with('+') {
            return Err(PhoneError::NotANumber);
        }
        let number = phonenumber::parse(None, &s).map_err(|_| PhoneError::NotANumber)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::NotANumber);
        }
        Ok(Phone {
            e164: number.format().mode(Mode::E164).to_string(),
        })
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.e164
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_us_numbers_in_e164() {
        let p = Phone::parse("(213) 351-6800", CountryCode::US).unwrap();
        assert_eq!(p.e164(), "+12133516800");
    }

    #[test]
    fn stores_mexican_mobile_numbers_in_e164() {
        let p = Phone::parse("55 1234 5678", CountryCode::MX).unwrap();
        assert_eq!(p.e164(), "+525512345678");
    }

    #[test]
    fn accepts_a_number_of_another_country_written_with_plus() {
        let p = Phone::parse("+1 514-288-2502", CountryCode::MX).unwrap();
        assert_eq!(p.e164(), "+15142882502");
    }

    #[test]
    fn rejects_numbers_that_do_not_exist_in_the_country() {
        assert_eq!(
            Phone::parse("123", CountryCode::US),
            Err(PhoneError::Invalid(CountryCode::US))
        );
        assert_eq!(
            Phone::parse("(555) 000-0000", CountryCode::US),
            Err(PhoneError::Invalid(CountryCode::US))
        );
    }

    #[test]
    fn rejects_letters_and_empty_numbers() {
        assert_eq!(Phone::parse("call me", CountryCode::US), Err(PhoneError::NotANumber));
        assert_eq!(Phone::parse(" ", CountryCode::US), Err(PhoneError::Empty));
    }

    #[test]
    fn rejects_a_country_without_numbering_plan() {
        let zz: CountryCode = "ZZ".parse().unwrap();
        assert_eq!(Phone::parse("5551234", zz), Err(PhoneError::UnknownCountry(zz)));
    }

    #[test]
    fn round_trips_through_json() {
        let p = Phone::parse("(213) 351-6800", CountryCode::US).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Phone>(&json).unwrap(), p);
        assert!(serde_json::from_str::<Phone>("\"12133516800\"").is_err());
    }
}

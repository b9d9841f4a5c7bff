//! ISO 3166-1 alpha-2 country codes, the key for phone and postal-code rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A two-letter ISO 3166-1 country code, upper case (`MX`, `US`, `CA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub const MX: CountryCode = CountryCode(*b"MX");
    pub const US: CountryCode = CountryCode(*b"US");
    pub const CA: CountryCode = CountryCode(*b"CA");

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

/// Text that is not two ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a two-letter ISO 3166 country code")]
pub struct BadCountryCode(pub String);

impl FromStr for CountryCode {
    type Err = BadCountryCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(CountryCode([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(BadCountryCode(s.to_owned())),
        }
    }
}

impl TryFrom<String> for CountryCode {
    type Error = BadCountryCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_country_codes_in_any_case() {
        assert_eq!("mx".parse(), Ok(CountryCode::MX));
        assert_eq!(" Us ".parse(), Ok(CountryCode::US));
        assert!("MEX".parse::<CountryCode>().is_err());
        assert!("M1".parse::<CountryCode>().is_err());
    }
}

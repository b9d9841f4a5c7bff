//! E-mail addresses as a visitor types them on the kiosk.
//!
//! "Practical" syntax: the dot-atom form every mail provider issues (no quoted local parts, no
//! comments, no IP literals), a domain with at least two labels, internationalised domains
//! (`josé@correo.mx`) and UTF-8 local parts (RFC 6531) allowed. The domain goes through IDNA
//! (UTS 46, STD3 rules, DNS lengths) with the `idna` crate; the stored address keeps the local
//! part as typed and the domain in lower case.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lang::{Explain, Language};

/// RFC 5321 limits: 64 octets of local part, 254 octets of path.
pub const MAX_LOCAL_LEN: usize = 64;
pub const MAX_LEN: usize = 254;

/// A checked e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email {
    local: String,
    domain: String,
}

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the e-mail address is empty")]
    Empty,
    #[error("the e-mail address needs exactly one @")]
    At,
    #[error("the part before @ is not a usable mailbox name")]
    LocalPart,
    #[error("the part after @ is not a valid domain")]
    Domain,
    #[error("the e-mail address is longer than {MAX_LEN} bytes")]
    TooLong,
}

impl Explain for EmailError {
    fn explain(&self, lang: Language) -> String {
        match self {
            EmailError::Empty => lang.pick("Escriba su correo electrónico.", "Enter your e-mail address."),
            EmailError::At => lang.pick(
                "El correo debe tener una sola @, como en nombre@ejemplo.com.",
                "The e-mail address needs one @, as in name@example.com.",
            ),
            EmailError::LocalPart => lang.pick(
                "Revise la parte antes de la @: sin espacios, sin puntos seguidos ni al principio o al final.",
                "Check the part before the @: no spaces, no two dots in a row, no dot at the start or end.",
            ),
            EmailError::Domain => lang.pick(
                "Revise la parte después de la @: debe ser un dominio como ejemplo.com.",
                "Check the part after the @: it must be a domain such as example.com.",
            ),
            EmailError::TooLong => lang.pick(
                "El correo es demasiado largo (máximo 254 caracteres).",
                "The e-mail address is too long (254 characters at most).",
            ),
        }
        .to_owned()
    }
}

/// RFC 5322 `atext`, widened by RFC 6531 to every non-ASCII character.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~".contains(c)
        || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = match s.split_once('@') {
            Some((l, d)) if !d.contains('@') => (l, d),
            _ => return Err(EmailError::At),
        };
        let local_ok = !local.is_empty()
            && local.len() <= MAX_LOCAL_LEN
            && local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(is_atext));
        if !local_ok {
            return Err(EmailError::LocalPart);
        }
        if domain.is_empty() || domain.ends_with('.') {
            return Err(EmailError::Domain);
        }
        let ascii = idna::domain_to_ascii_strict(domain).map_err(|_| EmailError::Domain)?;
        let labels: Vec<&str> = ascii.split('.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if labels.len() < 2 || !tld_ok || ascii.len() > 253 {
            return Err(EmailError::Domain);
        }
        if local.len() + 1 + ascii.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Email {
            local: local.to_owned(),
            domain: domain.to_lowercase(),
        })
    }

    /// The domain in its ASCII (punycode) form, as sent to a mail server.
    pub fn ascii_domain(&self) -> String {
        idna::domain_to_ascii_strict(&self.domain).unwrap_or_else(|_| self.domain.clone())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let e = Email::parse("  Ana.Lopez+citas@Gmail.COM ").unwrap();
        assert_eq!(e.to_string(), "Ana.Lopez+citas@gmail.com");
    }

    #[test]
    fn accepts_internationalised_domains_and_local_parts() {
        let e = Email::parse("josé@correo.méxico.mx").unwrap();
        assert_eq!(e.ascii_domain(), "correo.xn--mxico-bsa.mx");
        assert!(Email::parse("用户@例子.广告").is_ok());
    }

    #[test]
    fn rejects_addresses_without_exactly_one_at() {
        assert_eq!(Email::parse("ana.gmail.com"), Err(EmailError::At));
        assert_eq!(Email::parse("ana@b@gmail.com"), Err(EmailError::At));
    }

    #[test]
    fn rejects_impractical_local_parts() {
        for bad in [
            "@gmail.com",
            ".ana@gmail.com",
            "ana.@gmail.com",
            "a..b@gmail.com",
            "a b@gmail.com",
            "\"a\"@gmail.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::LocalPart), "{bad}");
        }
        let long = format!("{}@gmail.com", "a".repeat(65));
        assert_eq!(Email::parse(&long), Err(EmailError::LocalPart));
    }

    #[test]
    fn rejects_domains_without_a_real_top_level_label() {
        for bad in [
            "ana@localhost",
            "ana@",
            "ana@gmail..com",
            "ana@-gmail.com",
            "ana@[127.0.0.1]",
            "ana@1.2.3.4",
            "ana@gmail.com.",
            "ana@under_score.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Domain), "{bad}");
        }
    }

    #[test]
    fn rejects_empty_and_overlong_addresses() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        let long = format!("ana@{}.com", "a".repeat(60).repeat(5));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}

//! Account passwords, with the rules Citas SRE shows on its registration form: at least 12
//! characters, an upper-case letter, a lower-case letter, a digit and a symbol. Every missing
//! rule is reported at once, and [`PasswordRule::ALL`] lets the screen tick them off live.

use crate::lang::{Explain, Language};

/// The minimum length, in characters.
pub const MIN_CHARS: usize = 12;
/// A ceiling so a pasted blob cannot be sent to the server; far above any real password.
pub const MAX_CHARS: usize = 128;

/// One rule of the password policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordRule {
    MinLength,
    UpperCase,
    LowerCase,
    Digit,
    Symbol,
    MaxLength,
}

impl PasswordRule {
    /// The rules in the order the form lists them.
    pub const ALL: [PasswordRule; 6] = [
        PasswordRule::MinLength,
        PasswordRule::UpperCase,
        PasswordRule::LowerCase,
        PasswordRule::Digit,
        PasswordRule::Symbol,
        PasswordRule::MaxLength,
    ];

    /// Whether `password` meets this rule.
    pub fn is_met(self, password: &str) -> bool {
        let mut chars = password.chars();
        match self {
            PasswordRule::MinLength => password.chars().count() >= MIN_CHARS,
            PasswordRule::MaxLength => password.chars().count() <= MAX_CHARS,
            PasswordRule::UpperCase => chars.any(char::is_uppercase),
            PasswordRule::LowerCase => chars.any(char::is_lowercase),
            PasswordRule::Digit => chars.any(|c| c.is_ascii_digit()),
            PasswordRule::Symbol => chars.any(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()),
        }
    }

    /// The rule as the form states it.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            PasswordRule::MinLength => lang.pick("Al menos 12 caracteres", "At least 12 characters"),
            PasswordRule::UpperCase => lang.pick("Una letra mayúscula", "An upper-case letter"),
            PasswordRule::LowerCase => lang.pick("Una letra minúscula", "A lower-case letter"),
            PasswordRule::Digit => lang.pick("Un número", "A digit"),
            PasswordRule::Symbol => lang.pick("Un símbolo (por ejemplo ! # $ %)", "A symbol (for example ! # $ %)"),
            PasswordRule::MaxLength => lang.pick("Como máximo 128 caracteres", "At most 128 characters"),
        }
    }
}

/// The rules a password misses, all of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the password misses {missing:?}")]
pub struct PasswordError {
    pub missing: Vec<PasswordRule>,
}

impl Explain for PasswordError {
    fn explain(&self, lang: Language) -> String {
        let rules: Vec<&str> = self.missing.iter().map(|r| r.label(lang)).collect();
        let head = lang.pick("A la contraseña le falta: ", "The password still needs: ");
        format!("{head}{}.", rules.join("; ").to_lowercase())
    }
}

/// Checks a new password against every rule.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    let missing: Vec<PasswordRule> = PasswordRule::ALL.into_iter().filter(|r| !r.is_met(password)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(PasswordError { missing })
    }
}

/// The confirmation field does not repeat the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the two passwords differ")]
pub struct PasswordMismatch;

impl Explain for PasswordMismatch {
    fn explain(&self, lang: Language) -> String {
        lang.pick(
            "Las dos contraseñas no son iguales: escríbala otra vez en la confirmación.",
            "The two passwords differ: type it again in the confirmation.",
        )
        .to_owned()
    }
}

/// The confirmation must repeat the password exactly.
pub fn check_confirmation(password: &str, confirmation: &str) -> Result<(), PasswordMismatch> {
    if password == confirmation {
        Ok(())
    } else {
        Err(PasswordMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_password_meeting_every_rule() {
        assert_eq!(check_password("Consulado#2026"), Ok(()));
        assert_eq!(check_password("ÑandúVeloz_2026"), Ok(()));
    }

    #[test]
    fn reports_every_missing_rule_at_once() {
        let err = check_password("abc").unwrap_err();
        assert_eq!(
            err.missing,
            vec![
                PasswordRule::MinLength,
                PasswordRule::UpperCase,
                PasswordRule::Digit,
                PasswordRule::Symbol
            ]
        );
        let text = err.explain(Language::Es);
        assert!(text.contains("12 caracteres") && text.contains("mayúscula") && text.contains("símbolo"));
    }

    #[test]
    fn counts_length_in_characters() {
        // 11 characters, more than 12 bytes.
        assert_eq!(
            check_password("Ñañañañ#1ñA").unwrap_err().missing,
            vec![PasswordRule::MinLength]
        );
    }

    #[test]
    fn does_not_count_a_space_as_a_symbol() {
        assert_eq!(
            check_password("Consulado 2026").unwrap_err().missing,
            vec![PasswordRule::Symbol]
        );
    }

    #[test]
    fn rejects_pasted_blobs_over_128_characters() {
        let long = format!("Aa1!{}", "x".repeat(130));
        assert_eq!(
            check_password(&long).unwrap_err().missing,
            vec![PasswordRule::MaxLength]
        );
    }

    #[test]
    fn requires_the_confirmation_to_match() {
        assert_eq!(check_confirmation("Consulado#2026", "Consulado#2026"), Ok(()));
        assert_eq!(
            check_confirmation("Consulado#2026", "consulado#2026"),
            Err(PasswordMismatch)
        );
    }
}

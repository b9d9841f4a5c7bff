//! The Citas SRE registration form ("Crear cuenta"), as typed, and its checks: every wrong
//! field at once, the password's rules as the live list the form shows.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::email::Email;
use crate::form::{Checker, Field, FieldError, Problem};
use crate::lang::{Explain, Language};
use crate::name::PersonName;
use crate::password::{PasswordRule, check_confirmation, check_password};
use crate::phone::Phone;

/// Who the account's procedures are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProceduresFor {
    /// The account holder.
    Myself,
    /// A minor or another person the holder represents.
    SomeoneElse,
}

impl ProceduresFor {
    pub const ALL: [ProceduresFor; 2] = [ProceduresFor::Myself, ProceduresFor::SomeoneElse];

    pub fn id(self) -> &'static str {
        match self {
            ProceduresFor::Myself => "self",
            ProceduresFor::SomeoneElse => "someone_else",
        }
    }

    pub fn label(self, lang: Language) -> &'static str {
        match self {
            ProceduresFor::Myself => lang.pick("Para mí", "For me"),
            ProceduresFor::SomeoneElse => lang.pick("Para otra persona", "For someone else"),
        }
    }
}

/// The registration form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationDraft {
    pub procedures_for: String,
    pub country: String,
    pub state: String,
    pub default_office: String,
    pub birth_country: String,
    pub nationality: String,
    pub given_names: String,
    pub first_last_name: String,
    pub second_last_name: String,
    pub phone: String,
    pub email: String,
    pub password: String,
    pub confirmation: String,
}

/// A registration ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub procedures_for: ProceduresFor,
    pub country: CountryCode,
    pub state: String,
    pub default_office: String,
    pub birth_country: CountryCode,
    pub nationality: CountryCode,
    pub given_names: PersonName,
    pub first_last_name: PersonName,
    pub second_last_name: Option<PersonName>,
    pub phone: Phone,
    pub email: Email,
    pub password: String,
}

impl RegistrationDraft {
    /// One field set as typed (or chosen), by the field's key. Changing the country clears the
    /// office chosen for the old one (offices are listed by country).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), crate::form::UnknownField> {
        let v = value.to_owned();
        match key {
            "procedures_for" => self.procedures_for = v,
            "country" => {
                if self.country != v {
                    self.default_office.clear();
                }
                self.country = v;
            }
            "state" => self.state = v,
            "default_office" => self.default_office = v,
            "birth_country" => self.birth_country = v,
            "nationality" => self.nationality = v,
            "given_names" => self.given_names = v,
            "first_last_name" => self.first_last_name = v,
            "second_last_name" => self.second_last_name = v,
            "phone" => self.phone = v,
            "email" => self.email = v,
            "password" => self.password = v,
            "confirmation" => self.confirmation = v,
            other => return Err(crate::form::UnknownField(other.to_owned())),
        }
        Ok(())
    }

    /// The password rules with whether the typed password meets each, for the live list.
    pub fn password_rules(&self) -> Vec<(PasswordRule, bool)> {
        PasswordRule::ALL
            .into_iter()
            .filter(|r| *r != PasswordRule::MaxLength || !r.is_met(&self.password))
            .map(|r| (r, r.is_met(&self.password)))
            .collect()
    }

    /// Checks the form; `offices` are the ids the default office may be.
    pub fn validate(&self, offices: &[&str]) -> Result<Registration, Vec<FieldError>> {
        let mut c = Checker::default();
        let procedures_for = ProceduresFor::ALL.into_iter().find(|p| p.id() == self.procedures_for);
        c.choice(Field::ProceduresFor, &self.procedures_for, procedures_for.is_some());
        let home = c.country(Field::Country, &self.country);
        let state = c.text(Field::State, &self.state);
        let office_ok = offices.contains(&self.default_office.as_str());
        c.choice(Field::DefaultOffice, &self.default_office, office_ok);
        let birth_country = c.country(Field::BirthCountry, &self.birth_country);
        let nationality = c.country(Field::Nationality, &self.nationality);
        let given_names = c.name(Field::GivenNames, &self.given_names);
        let first_last_name = c.name(Field::FirstLastName, &self.first_last_name);
        let second_last_name = c.optional_name(Field::SecondLastName, &self.second_last_name);
        let phone = home.and_then(|h| c.check(Field::MainPhone, Phone::parse(&self.phone, h)));
        let email = c.check(Field::Email, Email::parse(&self.email));
        let password = c.check(Field::Password, check_password(&self.password)).is_some();
        let confirmed = if self.confirmation.is_empty() {
            c.fail(Field::PasswordConfirmation, Problem::Required);
            false
        } else {
            c.check(
                Field::PasswordConfirmation,
                check_confirmation(&self.password, &self.confirmation),
            )
            .is_some()
        };
        let value = (|| {
            (office_ok && password && confirmed).then_some(())?;
            Some(Registration {
                procedures_for: procedures_for?,
                country: home?,
                state: state?,
                default_office: self.default_office.clone(),
                birth_country: birth_country?,
                nationality: nationality?,
                given_names: given_names?,
                first_last_name: first_last_name?,
                second_last_name: second_last_name.ok()?,
                phone: phone?,
                email: email?,
                password: self.password.clone(),
            })
        })();
        c.finish(value)
    }
}

/// Why a sign-in cannot be sent yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInProblem {
    #[error(transparent)]
    Email(#[from] crate::email::EmailError),
    #[error("no password")]
    NoPassword,
    #[error("the terms and conditions are not accepted")]
    TermsNotAccepted,
}

impl Explain for SignInProblem {
    fn explain(&self, lang: Language) -> String {
        match self {
            SignInProblem::Email(e) => e.explain(lang),
            SignInProblem::NoPassword => lang.pick("Escriba su contraseña.", "Type your password.").to_owned(),
            SignInProblem::TermsNotAccepted => lang
                .pick(
                    "Para continuar, lea y acepte los términos y condiciones.",
                    "To continue, read and accept the terms and conditions.",
                )
                .to_owned(),
        }
    }
}

/// What must hold before a sign-in goes to the server: a valid e-mail, a password, and the
/// terms accepted (as the Citas SRE sign-in page asks).
pub fn check_sign_in(email: &str, password: &str, terms_accepted: bool) -> Result<Email, SignInProblem> {
    let email = Email::parse(email)?;
    if password.is_empty() {
        return Err(SignInProblem::NoPassword);
    }
    if !terms_accepted {
        return Err(SignInProblem::TermsNotAccepted);
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changing_the_country_clears_the_office_chosen_for_the_old_one() {
        let mut d = RegistrationDraft::default();
        d.set("country", "US").unwrap();
        d.set("default_office", "LAX").unwrap();
        d.set("country", "US").unwrap();
        assert_eq!(d.default_office, "LAX", "the same country keeps it");
        d.set("country", "CA").unwrap();
        assert_eq!(d.default_office, "");
        assert!(d.set("favourite_colour", "red").is_err());
    }

    #[test]
    fn a_sign_in_needs_a_valid_email_a_password_and_the_terms_accepted() {
        assert!(matches!(
            check_sign_in("not-an-email", "x", true),
            Err(SignInProblem::Email(_))
        ));
        assert_eq!(check_sign_in("a@example.com", "", true), Err(SignInProblem::NoPassword));
        assert_eq!(
            check_sign_in("a@example.com", "Consulado#2026", false),
            Err(SignInProblem::TermsNotAccepted)
        );
        assert!(check_sign_in(" a@example.com ", "Consulado#2026", true).is_ok());
        assert_ne!(
            SignInProblem::TermsNotAccepted.explain(Language::Es),
            SignInProblem::TermsNotAccepted.explain(Language::En)
        );
    }
    use crate::lang::Explain;

    fn good() -> RegistrationDraft {
        RegistrationDraft {
            procedures_for: "self".into(),
            country: "US".into(),
            state: "California".into(),
            default_office: "LAX".into(),
            birth_country: "MX".into(),
            nationality: "MX".into(),
            given_names: "Ana Sofía".into(),
            first_last_name: "Núñez".into(),
            second_last_name: String::new(),
            phone: "(213) 351-6800".into(),
            email: "ana@example.com".into(),
            password: "Consulado#2026".into(),
            confirmation: "Consulado#2026".into(),
        }
    }

    #[test]
    fn accepts_a_complete_registration_with_the_phone_in_e164() {
        let r = good().validate(&["LAX", "SAN"]).unwrap();
        assert_eq!(r.phone.e164(), "+12133516800");
        assert_eq!(r.second_last_name, None);
    }

    #[test]
    fn reports_every_wrong_registration_field_at_once() {
        let mut d = good();
        d.default_office = "XXX".into();
        d.email = "ana@".into();
        d.password = "short".into();
        d.confirmation = "other".into();
        let errors = d.validate(&["LAX"]).unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::DefaultOffice,
                Field::Email,
                Field::Password,
                Field::PasswordConfirmation
            ]
        );
        let password = errors.iter().find(|e| e.field == Field::Password).unwrap();
        assert!(
            password.explain(Language::En).contains("12"),
            "{}",
            password.explain(Language::En)
        );
    }

    #[test]
    fn lists_the_password_rules_live_as_the_visitor_types() {
        let mut d = good();
        d.password = "abc".into();
        let rules = d.password_rules();
        assert!(rules.contains(&(PasswordRule::LowerCase, true)));
        assert!(rules.contains(&(PasswordRule::UpperCase, false)));
        assert!(rules.contains(&(PasswordRule::MinLength, false)));
        assert!(
            !rules.iter().any(|(r, _)| *r == PasswordRule::MaxLength),
            "the maximum shows only when passed"
        );
    }
}

//! Field-level validation shared by the steps: which field is wrong, and why, in words.

use chrono::NaiveDate;

use crate::catalogue::{InfoField, Procedure};
use crate::email::EmailError;
use crate::lang::{Explain, Language};
use crate::name::{NameError, PersonName};
use crate::phone::PhoneError;
use crate::postal::PostalCodeError;

/// A field a visitor fills in during the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    GivenNames,
    FirstLastName,
    SecondLastName,
    BirthDate,
    Sex,
    Nationality,
    BirthCountry,
    BirthState,
    BirthCity,
    MaritalStatus,
    AddressCountry,
    PostalCode,
    AddressState,
    City,
    Street,
    EmergencyName,
    EmergencyPhone,
    Email,
    Info(Procedure, InfoField),
    // The Citas SRE registration form.
    ProceduresFor,
    Country,
    State,
    DefaultOffice,
    MainPhone,
    Password,
    PasswordConfirmation,
}

impl Field {
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Field::GivenNames => lang.pick("Nombre(s)", "Given name(s)"),
            Field::FirstLastName => lang.pick("Primer apellido", "First surname"),
            Field::SecondLastName => lang.pick("Segundo apellido", "Second surname"),
            Field::BirthDate => lang.pick("Fecha de nacimiento", "Date of birth"),
            Field::Sex => lang.pick("Sexo", "Sex"),
            Field::Nationality => lang.pick("Nacionalidad", "Nationality"),
            Field::BirthCountry => lang.pick("País de nacimiento", "Country of birth"),
            Field::BirthState => lang.pick("Estado de nacimiento", "State of birth"),
            Field::BirthCity => lang.pick("Municipio o ciudad de nacimiento", "Town or city of birth"),
            Field::MaritalStatus => lang.pick("Estado civil", "Marital status"),
            Field::AddressCountry => lang.pick("País de residencia", "Country of residence"),
            Field::PostalCode => lang.pick("Código postal", "ZIP or postal code"),
            Field::AddressState => lang.pick("Estado o provincia", "State or province"),
            Field::City => lang.pick("Ciudad", "City"),
            Field::Street => lang.pick("Calle y número", "Street and number"),
            Field::EmergencyName => lang.pick("Contacto de emergencia", "Emergency contact"),
            Field::EmergencyPhone => lang.pick("Teléfono de emergencia", "Emergency phone"),
            Field::Email => lang.pick("Correo electrónico", "E-mail"),
            Field::ProceduresFor => lang.pick("¿Para quién son los trámites?", "Who are the procedures for?"),
            Field::Country => lang.pick("País donde vive", "Country where you live"),
            Field::State => lang.pick("Estado o provincia donde vive", "State or province where you live"),
            Field::DefaultOffice => lang.pick("Oficina consular de preferencia", "Preferred consular office"),
            Field::MainPhone => lang.pick("Teléfono principal", "Main phone"),
            Field::Password => lang.pick("Contraseña", "Password"),
            Field::PasswordConfirmation => lang.pick("Confirme la contraseña", "Confirm the password"),
            Field::Info(p, f) => f.label(p, lang),
        }
    }
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("required")]
    Required,
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error(transparent)]
    PostalCode(#[from] PostalCodeError),
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error("not a date")]
    NotADate,
    #[error("date in the future")]
    FutureDate,
    #[error("not one of the choices")]
    NotAChoice,
    #[error("control character in text")]
    BadCharacter,
    #[error("text too long (max {max})")]
    TooLong { max: usize },
    #[error(transparent)]
    Password(#[from] crate::password::PasswordError),
    #[error(transparent)]
    PasswordMismatch(#[from] crate::password::PasswordMismatch),
}

impl Explain for Problem {
    fn explain(&self, lang: Language) -> String {
        match self {
            Problem::Required => lang.pick("Este dato es obligatorio.", "This is required.").to_owned(),
            Problem::Name(e) => e.explain(lang),
            Problem::Phone(e) => e.explain(lang),
            Problem::PostalCode(e) => e.explain(lang),
            Problem::Email(e) => e.explain(lang),
            Problem::NotADate => lang
                .pick(
                    "Elija una fecha real (día, mes y año).",
                    "Choose a real date (day, month and year).",
                )
                .to_owned(),
            Problem::FutureDate => lang
                .pick(
                    "La fecha no puede ser posterior a hoy.",
                    "The date cannot be later than today.",
                )
                .to_owned(),
            Problem::NotAChoice => lang
                .pick(
                    "Elija una de las opciones de la lista.",
                    "Choose one of the options in the list.",
                )
                .to_owned(),
            Problem::BadCharacter => lang
                .pick(
                    "El texto tiene un carácter invisible o de control: bórrelo.",
                    "The text has an invisible or control character: delete it.",
                )
                .to_owned(),
            Problem::Password(e) => e.explain(lang),
            Problem::PasswordMismatch(e) => e.explain(lang),
            Problem::TooLong { max } => match lang {
                Language::Es => format!("El texto es demasiado largo: use como máximo {max} caracteres."),
                Language::En => format!("The text is too long: use {max} characters at most."),
            },
        }
    }
}

/// A field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field:?}: {problem}")]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

impl Explain for FieldError {
    fn explain(&self, lang: Language) -> String {
        format!("{}: {}", self.field.label(lang), self.problem.explain(lang))
    }
}

/// Collects the errors of a whole form, so every wrong field is shown at once.
#[derive(Debug, Default)]
pub(crate) struct Checker {
    pub(crate) errors: Vec<FieldError>,
}

/// The longest free text (street, city) accepted.
pub const MAX_TEXT: usize = 120;

impl Checker {
    pub(crate) fn check<T, E: Into<Problem>>(&mut self, field: Field, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(FieldError {
                    field,
                    problem: e.into(),
                });
                None
            }
        }
    }

    pub(crate) fn fail(&mut self, field: Field, problem: Problem) {
        self.errors.push(FieldError { field, problem });
    }

    pub(crate) fn name(&mut self, field: Field, text: &str) -> Option<PersonName> {
        self.check(field, PersonName::parse(text))
    }

    /// An optional name: empty is fine (`Ok(None)`), anything else must be a name; `Err(())`
    /// once the problem is recorded.
    pub(crate) fn optional_name(&mut self, field: Field, text: &str) -> Result<Option<PersonName>, ()> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            self.name(field, text).map(Some).ok_or(())
        }
    }

    /// Free text (street, city): required, one line, at most [`MAX_TEXT`] characters.
    pub(crate) fn text(&mut self, field: Field, text: &str) -> Option<String> {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            self.fail(field, Problem::Required);
            None
        } else if t.chars().count() > MAX_TEXT {
            self.fail(field, Problem::TooLong { max: MAX_TEXT });
            None
        } else if t.chars().any(char::is_control) {
            self.fail(field, Problem::BadCharacter);
            None
        } else {
            Some(t)
        }
    }

    /// A past or present date typed the way Mexico writes it, `DD/MM/AAAA`, or as
    /// `AAAA-MM-DD` ([`parse_date`]).
    pub(crate) fn past_date(&mut self, field: Field, text: &str, today: NaiveDate) -> Option<NaiveDate> {
        let t = text.trim();
        if t.is_empty() {
            self.fail(field, Problem::Required);
            return None;
        }
        match parse_date(t) {
            Some(d) if d > today => {
                self.fail(field, Problem::FutureDate);
                None
            }
            Some(d) => Some(d),
            None => {
                self.fail(field, Problem::NotADate);
                None
            }
        }
    }

    /// A country picked from the list: empty is `Required`, anything else not a two-letter
    /// code `NotAChoice`.
    pub(crate) fn country(&mut self, field: Field, text: &str) -> Option<crate::country::CountryCode> {
        if text.trim().is_empty() {
            self.fail(field, Problem::Required);
            return None;
        }
        self.check(
            field,
            text.parse::<crate::country::CountryCode>()
                .map_err(|_| Problem::NotAChoice),
        )
    }

    /// A value picked from a list: empty is `Required`, anything not on the list `NotAChoice`.
    pub(crate) fn choice(&mut self, field: Field, text: &str, on_the_list: bool) {
        if !on_the_list {
            let problem = if text.is_empty() {
                Problem::Required
            } else {
                Problem::NotAChoice
            };
            self.fail(field, problem);
        }
    }

    pub(crate) fn required<T>(&mut self, field: Field, v: Option<T>) -> Option<T> {
        if v.is_none() {
            self.fail(field, Problem::Required);
        }
        v
    }

    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

/// A form was edited by a key it does not have (the screen and the rules disagree on a
/// field's name): nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the form has no field {0:?}")]
pub struct UnknownField(pub String);

/// `DD/MM/AAAA` (day first, as Mexico writes dates; `/`, `-` or `.` between the parts, one or
/// two digits for the day and the month) or `AAAA-MM-DD`. The year must have four digits:
/// "14/02/85" is refused rather than guessed at.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => (y, m, d),
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => (y, m, d),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_a_birth_date_typed_the_mexican_way() {
        assert_eq!(parse_date("14/02/1985"), Some(date(1985, 2, 14)));
        assert_eq!(parse_date("4/2/1985"), Some(date(1985, 2, 4)));
        assert_eq!(parse_date(" 14-02-1985 "), Some(date(1985, 2, 14)));
        assert_eq!(parse_date("14.02.1985"), Some(date(1985, 2, 14)));
        assert_eq!(parse_date("1985-02-14"), Some(date(1985, 2, 14)));
    }

    #[test]
    fn refuses_a_date_that_does_not_exist_or_a_two_digit_year() {
        assert_eq!(parse_date("31/02/1985"), None);
        assert_eq!(parse_date("02/14/1985"), None, "month first is not a Mexican date");
        assert_eq!(parse_date("14/02/85"), None);
        assert_eq!(parse_date("+14/02/1985"), None);
        assert_eq!(parse_date("mañana"), None);
        assert_eq!(parse_date(""), None);
    }
}

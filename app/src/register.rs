//! "Create an account": the Citas SRE registration form, checked by `kiosk-core`, sent to the
//! central server, then "check your e-mail" (the account is activated from the link mailed).

use kiosk_core::Language;
use kiosk_core::form::{Field, FieldError};
use kiosk_core::registration::{ProceduresFor, Registration, RegistrationDraft};
use kiosk_sync::ApiError;
use kiosk_sync::api::ProblemKind;

use crate::ui::{Choice, FieldKind, FormField};
use crate::visit::{self, Msg, VisitState, choice, choices, with_error};

/// The registration form of the current visit.
#[derive(Debug, Clone, Default)]
pub struct RegisterState {
    pub draft: RegistrationDraft,
    pub errors: Vec<FieldError>,
    pub error: Option<Msg>,
    /// The address the activation message went to, once sent.
    pub sent_to: Option<String>,
}

fn row(key: &str, field: Field, value: &str, kind: FieldKind, st: &RegisterState, lang: Language) -> FormField {
    with_error(
        visit::field(key, field.label(lang), value, kind),
        &st.errors,
        field,
        lang,
    )
}

fn with_choices(mut f: FormField, list: Vec<Choice>) -> FormField {
    f.choices = choices(list);
    f
}

/// The form's rows in `lang`, the password's rules ticked off as typed.
pub fn rows(v: &VisitState, lang: Language) -> Vec<FormField> {
    let st = &v.register;
    let d = &st.draft;
    let countries: Vec<Choice> = v
        .countries
        .iter()
        .map(|(code, es, en)| choice(code, lang.pick(es, en)))
        .collect();
    let offices: Vec<Choice> = v
        .offices
        .iter()
        .filter(|o| d.country.is_empty() || o.country == d.country)
        .map(|o| choice(&o.id, &o.name))
        .collect();
    let mut password = row("password", Field::Password, &d.password, FieldKind::Password, st, lang);
    password.hint = d
        .password_rules()
        .into_iter()
        .map(|(rule, met)| format!("{} {}", if met { "✓" } else { "✗" }, rule.label(lang)))
        .collect::<Vec<_>>()
        .join("\n")
        .into();
    vec![
        with_choices(
            row(
                "procedures_for",
                Field::ProceduresFor,
                &d.procedures_for,
                FieldKind::Choice,
                st,
                lang,
            ),
            ProceduresFor::ALL
                .iter()
                .map(|p| choice(p.id(), p.label(lang)))
                .collect(),
        ),
        with_choices(
            row("country", Field::Country, &d.country, FieldKind::Choice, st, lang),
            countries.clone(),
        ),
        row("state", Field::State, &d.state, FieldKind::Text, st, lang),
        with_choices(
            row(
                "default_office",
                Field::DefaultOffice,
                &d.default_office,
                FieldKind::Choice,
                st,
                lang,
            ),
            offices,
        ),
        with_choices(
            row(
                "birth_country",
                Field::BirthCountry,
                &d.birth_country,
                FieldKind::Choice,
                st,
                lang,
            ),
            countries.clone(),
        ),
        with_choices(
            row(
                "nationality",
                Field::Nationality,
                &d.nationality,
                FieldKind::Choice,
                st,
                lang,
            ),
            countries,
        ),
        row(
            "given_names",
            Field::GivenNames,
            &d.given_names,
            FieldKind::Text,
            st,
            lang,
        ),
        row(
            "first_last_name",
            Field::FirstLastName,
            &d.first_last_name,
            FieldKind::Text,
            st,
            lang,
        ),
        row(
            "second_last_name",
            Field::SecondLastName,
            &d.second_last_name,
            FieldKind::Text,
            st,
            lang,
        ),
        row("phone", Field::MainPhone, &d.phone, FieldKind::Phone, st, lang),
        row("email", Field::Email, &d.email, FieldKind::Email, st, lang),
        password,
        row(
            "confirmation",
            Field::PasswordConfirmation,
            &d.confirmation,
            FieldKind::Password,
            st,
            lang,
        ),
    ]
}

/// One edit of the form.
pub fn edit(st: &mut RegisterState, key: &str, value: &str) {
    let d = &mut st.draft;
    let v = value.to_owned();
    match key {
        "procedures_for" => d.procedures_for = v,
        "country" => {
            if d.country != v {
                d.default_office.clear();
            }
            d.country = v;
        }
        "state" => d.state = v,
        "default_office" => d.default_office = v,
        "birth_country" => d.birth_country = v,
        "nationality" => d.nationality = v,
        "given_names" => d.given_names = v,
        "first_last_name" => d.first_last_name = v,
        "second_last_name" => d.second_last_name = v,
        "phone" => d.phone = v,
        "email" => d.email = v,
        "password" => d.password = v,
        "confirmation" => d.confirmation = v,
        other => tracing::warn!(field = other, "edit of an unknown registration field"),
    }
}

/// Checks the form; what to send, or the errors shown next to their fields.
pub fn check(v: &mut VisitState) -> Option<Registration> {
    let offices: Vec<&str> = v.offices.iter().map(|o| o.id.as_str()).collect();
    match v.register.draft.validate(&offices) {
        Ok(r) => {
            v.register.errors.clear();
            v.register.error = None;
            Some(r)
        }
        Err(errors) => {
            v.register.errors = errors;
            v.register.error = Some(Msg::words(
                "Corrija los datos marcados en rojo para crear su cuenta.",
                "Correct the data marked in red to create your account.",
            ));
            None
        }
    }
}

/// The wire form of a checked registration.
pub fn wire(r: &Registration, lang: Language) -> kiosk_sync::api::Registration {
    kiosk_sync::api::Registration {
        email: r.email.to_string(),
        password: r.password.clone(),
        given_names: r.given_names.as_str().to_owned(),
        first_last_name: r.first_last_name.as_str().to_owned(),
        second_last_name: r.second_last_name.as_ref().map(|n| n.as_str().to_owned()),
        phone: Some(r.phone.e164().to_owned()),
        country: Some(r.country.to_string()),
        state: Some(r.state.clone()),
        default_office: Some(r.default_office.clone()),
        birth_country: Some(r.birth_country.to_string()),
        nationality: Some(r.nationality.to_string()),
        procedures_for: Some(r.procedures_for.id().to_owned()),
        language: Some(lang),
    }
}

/// What the server answered.
pub fn answered(st: &mut RegisterState, email: String, answer: Result<kiosk_sync::api::Account, ApiError>) {
    match answer {
        Ok(_) => {
            st.sent_to = Some(email);
            st.error = None;
            // The password leaves the kiosk's memory with the form.
            st.draft = RegistrationDraft::default();
        }
        Err(e) => {
            tracing::info!(error = %e, "registration refused");
            st.error = Some(match e.kind() {
                Some(ProblemKind::EmailTaken) => Msg::words(
                    "Ya existe una cuenta con ese correo. Inicie sesión con él.",
                    "An account with that e-mail already exists. Sign in with it.",
                ),
                Some(_) => Msg::words(
                    "El sistema de citas no aceptó los datos. Revíselos o pida ayuda al personal.",
                    "The appointment system did not accept the data. Check it or ask the staff.",
                ),
                None => Msg::words(
                    "No podemos comunicarnos con el sistema de citas en este momento. Intente de nuevo en unos minutos.",
                    "We cannot reach the appointment system right now. Try again in a few minutes.",
                ),
            });
        }
    }
}

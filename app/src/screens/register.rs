//! "Create an account": the Citas SRE registration form, checked by `kiosk-core`, sent to the
//! central server, then "check your e-mail" (the account is activated from the link mailed).
//! The catalogue's countries and offices come from the visit (the sign-in loaded them).

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_core::Language;
use kiosk_core::form::{Field, FieldError};
use kiosk_core::registration::{ProceduresFor, Registration, RegistrationDraft};
use kiosk_sync::ApiError;
use slint::ComponentHandle;

use super::{Ctx, Screen, on, on2};
use crate::nav::Nav;
use crate::ui::{Choice, FieldKind, FormField, Page, Register};
use crate::view::{Rows, choice, s, with_choices, with_error};
use crate::visit::Visit;
use crate::words::{self, Msg};

/// The registration form of the current visit.
#[derive(Debug, Clone, Default)]
pub struct RegisterState {
    pub draft: RegistrationDraft,
    pub errors: Vec<FieldError>,
    /// The Send that left them: the page scrolls to the first.
    pub attempt: crate::view::Attempt,
    pub error: Option<Msg>,
    /// The address the activation message went to, once sent.
    pub sent_to: Option<String>,
    pub busy: bool,
}

fn row(key: &str, field: Field, value: &str, kind: FieldKind, st: &RegisterState, lang: Language) -> FormField {
    with_error(
        crate::view::field(key, field.label(lang), value, kind),
        &st.errors,
        field,
        lang,
    )
}

/// The form's rows in `lang`, the password's rules ticked off as typed.
pub fn rows(st: &RegisterState, v: &Visit, lang: Language) -> Vec<FormField> {
    let d = &st.draft;
    let countries = v.country_choices(lang);
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

/// One edit of the form (kiosk-core's rules: a new country clears the office).
pub fn edit(st: &mut RegisterState, key: &str, value: &str) {
    if let Err(e) = st.draft.set(key, value) {
        tracing::warn!(error = %e, "an edit of the registration form");
    }
}

/// Checks the form against the catalogue's offices; what to send, or the errors shown next to
/// their fields.
pub fn check(st: &mut RegisterState, v: &Visit) -> Option<Registration> {
    let offices: Vec<&str> = v.offices.iter().map(|o| o.id.as_str()).collect();
    match st.draft.validate(&offices) {
        Ok(r) => {
            st.errors.clear();
            st.error = None;
            Some(r)
        }
        Err(errors) => {
            st.error = Some(words::registration_incomplete(errors.len()));
            st.errors = errors;
            st.attempt = crate::view::Attempt::failed();
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
    st.busy = false;
    match answer {
        Ok(_) => {
            st.sent_to = Some(email);
            st.error = None;
            // The password leaves the kiosk's memory with the form.
            st.draft = RegistrationDraft::default();
        }
        Err(e) => {
            tracing::info!(error = %e, "registration refused");
            st.error = Some(words::registration_refused(e.kind().as_ref()));
        }
    }
}

/// The registration screen.
#[derive(Debug)]
pub struct RegisterScreen {
    ctx: Ctx,
    state: RefCell<RegisterState>,
    rows: Rows,
}

impl RegisterScreen {
    pub fn new(ctx: Ctx) -> Rc<RegisterScreen> {
        let screen = Rc::new(RegisterScreen {
            ctx,
            state: RefCell::default(),
            rows: Rows::default(),
        });
        if let Some(ui) = screen.ctx.ui() {
            let g = ui.global::<Register>();
            g.set_fields(screen.rows.model());
            g.on_edited(on2(
                &screen,
                |s, key: slint::SharedString, value: slint::SharedString| {
                    edit(&mut s.state.borrow_mut(), &key, &value);
                    s.render();
                },
            ));
            g.on_submit(on(&screen, RegisterScreen::submit));
            g.on_back(on(&screen, |s| {
                // Leaving the form drops what was typed in it (the password included).
                s.reset();
                s.ctx.nav.go(Nav::To(Page::SignIn));
            }));
        }
        screen
    }

    fn submit(self: &Rc<Self>) {
        let checked = {
            let mut st = self.state.borrow_mut();
            if st.busy {
                return;
            }
            let checked = check(&mut st, &self.ctx.visit.borrow());
            st.busy = checked.is_some();
            checked
        };
        self.render();
        let Some(registration) = checked else { return };
        let body = wire(&registration, self.ctx.language());
        let email = body.email.clone();
        let client = self.ctx.services.engine.client().clone();
        let me = self.clone();
        self.ctx
            .spawn(async move { client.register(&body).await }, move |answer| {
                answered(&mut me.state.borrow_mut(), email, answer);
                me.render();
            });
    }
}

/// Shows `st` on the registration page in `lang`.
pub fn render_into(g: &Register<'_>, rows: &Rows, st: &RegisterState, v: &Visit, lang: Language) {
    rows.set(st.attempt.mark(self::rows(st, v, lang)));
    crate::put!(g, get_error, set_error, s(words::text(st.error.as_ref(), lang)));
    crate::put!(g, get_busy, set_busy, st.busy);
    crate::put!(g, get_sent, set_sent, st.sent_to.is_some());
    crate::put!(g, get_email, set_email, s(st.sent_to.as_deref().unwrap_or_default()));
}

impl Screen for RegisterScreen {
    /// A fresh form every time the visitor comes to it.
    fn enter(self: Rc<Self>) {
        *self.state.borrow_mut() = RegisterState::default();
        self.render();
    }

    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<Register>(),
                &self.rows,
                &self.state.borrow(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        *self.state.borrow_mut() = RegisterState::default();
        self.render();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incomplete_form_marks_its_fields_and_sends_nothing() {
        let mut st = RegisterState::default();
        assert!(check(&mut st, &Visit::default()).is_none());
        assert!(!st.errors.is_empty());
        assert!(st.error.is_some());
        let rows = rows(&st, &Visit::default(), Language::En);
        assert!(
            rows.iter().any(|r| !r.error.is_empty()),
            "an error is shown next to a field"
        );
    }

    #[test]
    fn a_registration_accepted_forgets_the_password_typed() {
        let mut st = RegisterState::default();
        edit(&mut st, "password", "Secreta#2026");
        st.busy = true;
        let account: kiosk_sync::api::Account =
            serde_json::from_value(serde_json::json!({"id": "a1", "email": "ana@example.com", "confirmed": false}))
                .expect("an account");
        answered(&mut st, "ana@example.com".into(), Ok(account));
        assert_eq!(st.draft.password, "");
        assert_eq!(st.sent_to.as_deref(), Some("ana@example.com"));
        assert!(!st.busy);
    }
}

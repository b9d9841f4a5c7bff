//! Step 3, Applicant information: place of birth, marital status, address and emergency
//! contact, typed into the visit's draft (steps 1 and 2 pre-filled it) and checked by the
//! session's rules on Next, each error next to its field.

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_core::Language;
use kiosk_core::applicant::MaritalStatus;
use kiosk_core::curp::MexicanState;
use kiosk_core::form::{Field, FieldError};
use kiosk_core::session::Step;
use slint::{ComponentHandle, SharedString};

use super::{Ctx, Screen, on, on2};
use crate::ui::{Applicant, FieldKind, FormField};
use crate::view::{Attempt, Frame, Rows, choice, choices, field, with_error};
use crate::visit::Visit;
use crate::words::Msg;

/// What step 3 keeps between touches.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub frame: Frame,
    /// The errors of the last Next, shown next to their fields.
    pub errors: Vec<FieldError>,
    /// The Next that left them: the page scrolls to the first.
    pub attempt: Attempt,
}

pub fn rows(v: &Visit, errors: &[FieldError], lang: Language) -> Vec<FormField> {
    let d = &v.applicant;
    let e = errors;
    let countries = v.country_choices(lang);
    let mut rows = Vec::new();
    let mut birth_country = field(
        "birth_country",
        Field::BirthCountry.label(lang),
        &d.birth_country,
        FieldKind::Choice,
    );
    birth_country.choices = choices(countries.clone());
    rows.push(with_error(birth_country, e, Field::BirthCountry, lang));
    if d.birth_country == "MX" {
        let mut state = field(
            "birth_state",
            Field::BirthState.label(lang),
            d.birth_state.map_or("", MexicanState::code),
            FieldKind::Choice,
        );
        state.choices = choices(
            MexicanState::ALL
                .into_iter()
                .map(|m| choice(m.code(), m.name()))
                .collect(),
        );
        rows.push(with_error(state, e, Field::BirthState, lang));
    }
    rows.push(with_error(
        field(
            "birth_city",
            Field::BirthCity.label(lang),
            &d.birth_city,
            FieldKind::Text,
        ),
        e,
        Field::BirthCity,
        lang,
    ));
    let mut marital = field(
        "marital_status",
        Field::MaritalStatus.label(lang),
        d.marital_status.map_or("", MaritalStatus::id),
        FieldKind::Choice,
    );
    marital.choices = choices(
        MaritalStatus::ALL
            .into_iter()
            .map(|m| choice(m.id(), m.label(lang)))
            .collect(),
    );
    rows.push(with_error(marital, e, Field::MaritalStatus, lang));
    let mut address_country = field(
        "address_country",
        Field::AddressCountry.label(lang),
        &d.address_country,
        FieldKind::Choice,
    );
    address_country.choices = choices(countries);
    rows.push(with_error(address_country, e, Field::AddressCountry, lang));
    for (key, f, value, kind) in [
        ("postal_code", Field::PostalCode, &d.postal_code, FieldKind::Number),
        ("address_state", Field::AddressState, &d.address_state, FieldKind::Text),
        ("city", Field::City, &d.city, FieldKind::Text),
        ("street", Field::Street, &d.street, FieldKind::Text),
        (
            "emergency_name",
            Field::EmergencyName,
            &d.emergency_name,
            FieldKind::Text,
        ),
        (
            "emergency_phone",
            Field::EmergencyPhone,
            &d.emergency_phone,
            FieldKind::Phone,
        ),
    ] {
        rows.push(with_error(field(key, f.label(lang), value, kind), e, f, lang));
    }
    rows
}

/// One edit of the form, kept in the visit and handed to the session.
pub fn edited(st: &mut State, v: &mut Visit, key: &str, value: &str) {
    if let Err(e) = v.applicant.set(key, value) {
        tracing::warn!(error = %e, "an edit of step 3");
        return;
    }
    if let Err(e) = v.session.set_applicant(v.applicant.clone()) {
        st.frame.errors = Some(Msg::explain(e));
    }
}

/// Shows step 3 in `lang`.
pub fn render_into(g: &Applicant<'_>, rows: &Rows, st: &State, v: &Visit, lang: Language) {
    crate::render_frame!(g, Step::Applicant, st.frame, lang);
    rows.set(st.attempt.mark(self::rows(v, &st.errors, lang)));
}

/// Step 3.
#[derive(Debug)]
pub struct ApplicantScreen {
    ctx: Ctx,
    state: RefCell<State>,
    rows: Rows,
}

impl ApplicantScreen {
    pub fn new(ctx: Ctx) -> Rc<ApplicantScreen> {
        let screen = Rc::new(ApplicantScreen {
            ctx,
            state: RefCell::default(),
            rows: Rows::default(),
        });
        let Some(ui) = screen.ctx.ui() else { return screen };
        let g = ui.global::<Applicant>();
        g.set_fields(screen.rows.model());
        g.on_edited(on2(&screen, |s, key: SharedString, value: SharedString| {
            edited(&mut s.state.borrow_mut(), &mut s.ctx.visit.borrow_mut(), &key, &value);
            s.render();
        }));
        g.on_next(on(&screen, |s| {
            let stopped = s.ctx.next_step().err();
            let mut st = s.state.borrow_mut();
            let (fields, msg) = stopped.map_or((Vec::new(), None), |st| (st.fields, Some(st.msg)));
            st.attempt = if fields.is_empty() {
                Attempt::default()
            } else {
                Attempt::failed()
            };
            st.errors = fields;
            st.frame.errors = msg;
            drop(st);
            s.render();
        }));
        g.on_back(on(&screen, |s| {
            s.ctx.back_step();
            s.state.borrow_mut().frame.errors = None;
            s.render();
        }));
        screen
    }
}

impl Screen for ApplicantScreen {
    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<Applicant>(),
                &self.rows,
                &self.state.borrow(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        *self.state.borrow_mut() = State::default();
        self.render();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &Visit) -> Vec<String> {
        rows(v, &[], Language::En).iter().map(|r| r.key.to_string()).collect()
    }

    #[test]
    fn the_birth_state_is_asked_only_of_someone_born_in_mexico() {
        let mut v = Visit::default();
        v.applicant.set("birth_country", "US").expect("a field");
        assert!(!keys(&v).contains(&"birth_state".to_owned()));
        v.applicant.set("birth_country", "MX").expect("a field");
        assert!(keys(&v).contains(&"birth_state".to_owned()));
    }
}

//! Step 2, Type of procedure: who the appointment is for (a CURP looked up at RENAPO through
//! the server, or the visitor's data without one) and up to five procedures, each with the
//! information it needs. The CURP's birth state pre-fills step 3.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::NaiveDate;
use kiosk_core::applicant::{CurpRecord, InfoDraft, NoCurpDraft};
use kiosk_core::catalogue::Procedure;
use kiosk_core::curp::Curp;
use kiosk_core::form::FieldError;
use kiosk_core::name::PersonName;
use kiosk_sync::api::ProblemKind;
use slint::{ComponentHandle, SharedString};

use super::{Ctx, Screen, on, on1, on2};
use crate::ui::Procedures;
use crate::view::Frame;
use crate::visit::Visit;
use crate::words::{self, Msg};

pub mod forms;
mod view;

pub use view::{Forms, render_into};

/// What step 2 keeps between touches.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub frame: Frame,
    pub curp_record: Option<CurpRecord>,
    pub curp_error: Option<Msg>,
    pub no_curp: bool,
    pub no_curp_draft: NoCurpDraft,
    pub identity_errors: Vec<FieldError>,
    /// The Next that left them: the page scrolls to the first.
    pub identity_attempt: crate::view::Attempt,
    /// The procedure whose information form is open.
    pub info_open: Option<Procedure>,
    pub info_draft: InfoDraft,
    pub info_errors: Vec<FieldError>,
    /// The Save that left them.
    pub info_attempt: crate::view::Attempt,
}

/// The server's CURP record, checked like anything else the server sends.
pub fn curp_record(r: &kiosk_sync::api::CurpRecord) -> Option<CurpRecord> {
    Some(CurpRecord {
        curp: Curp::parse(&r.curp).ok()?,
        given_names: PersonName::parse(&r.given_names).ok()?,
        first_last_name: PersonName::parse(&r.first_last_name).ok()?,
        second_last_name: match r.second_last_name.as_deref() {
            None | Some("") => None,
            Some(n) => Some(PersonName::parse(n).ok()?),
        },
    })
}

/// RENAPO's answer (through the server) for the CURP typed.
pub fn curp_found(st: &mut State, v: &mut Visit, result: Result<kiosk_sync::api::CurpRecord, kiosk_sync::ApiError>) {
    let record = match result {
        Ok(r) => curp_record(&r),
        Err(e) if e.kind() == Some(ProblemKind::CurpNotFound) => {
            st.curp_error = Some(words::curp_not_found());
            return;
        }
        Err(_) => {
            st.curp_error = Some(words::unreachable());
            return;
        }
    };
    let Some(record) = record else {
        tracing::warn!("the server's CURP record did not validate");
        st.curp_error = Some(words::unreachable());
        return;
    };
    v.applicant.start_from_curp(&record.curp);
    st.curp_error = None;
    st.curp_record = Some(record.clone());
    if let Err(e) = v.session.set_curp_identity(record) {
        st.frame.errors = Some(Msg::explain(e));
    }
}

/// "I do not have a CURP" on or off: the session's identity follows.
pub fn set_no_curp(st: &mut State, v: &mut Visit, on: bool) {
    st.no_curp = on;
    let result = if on {
        v.session.set_no_curp_identity(st.no_curp_draft.clone())
    } else if let Some(r) = st.curp_record.clone() {
        v.session.set_curp_identity(r)
    } else {
        v.session.clear_identity()
    };
    if let Err(e) = result {
        st.frame.errors = Some(Msg::explain(e));
    }
}

/// Keeps the no-CURP draft in the session as typed.
pub fn identity_edited(st: &mut State, v: &mut Visit, key: &str, value: &str) {
    if let Err(e) = st.no_curp_draft.set(key, value) {
        tracing::warn!(error = %e, "an edit of the no-CURP form");
        return;
    }
    if st.no_curp
        && let Err(e) = v.session.set_no_curp_identity(st.no_curp_draft.clone())
    {
        st.frame.errors = Some(Msg::explain(e));
    }
}

pub fn toggle_procedure(st: &mut State, v: &mut Visit, id: &str) {
    let Some(p) = Procedure::from_id(id) else { return };
    let chosen = v.session.procedures().iter().any(|c| c.procedure == p);
    let result = if chosen {
        if st.info_open == Some(p) {
            st.info_open = None;
        }
        v.session.remove_procedure(p)
    } else {
        v.session.add_procedure(p)
    };
    st.frame.errors = result.err().map(Msg::explain);
}

/// Opens a procedure's information form with what was entered for it.
pub fn open_info(st: &mut State, v: &Visit, id: &str) {
    let Some(p) = Procedure::from_id(id) else { return };
    st.info_draft = v
        .session
        .procedures()
        .iter()
        .find(|c| c.procedure == p)
        .map(|c| c.info.clone())
        .unwrap_or_default();
    st.info_errors.clear();
    st.info_open = Some(p);
}

pub fn edit_info(st: &mut State, key: &str, value: &str) {
    let Some(p) = st.info_open else { return };
    if let Some(&f) = p.info_fields().iter().find(|f| forms::info_key(**f) == key) {
        st.info_draft.set(f, value);
    }
}

/// "Information completed": kept when it validates, its errors shown otherwise.
pub fn info_done(st: &mut State, v: &mut Visit, today: NaiveDate) {
    let Some(p) = st.info_open else { return };
    match v.session.set_procedure_info(p, st.info_draft.clone(), today) {
        Ok(Ok(())) => {
            st.info_open = None;
            st.info_errors.clear();
            // The line under the step said this information was missing: it no longer is.
            st.frame.errors = None;
        }
        Ok(Err(errors)) => {
            st.info_errors = errors;
            st.info_attempt = crate::view::Attempt::failed();
        }
        Err(e) => st.frame.errors = Some(Msg::explain(e)),
    }
}

/// Step 2.
#[derive(Debug)]
pub struct ProceduresScreen {
    ctx: Ctx,
    state: RefCell<State>,
    forms: Forms,
}

impl ProceduresScreen {
    pub fn new(ctx: Ctx) -> Rc<ProceduresScreen> {
        let screen = Rc::new(ProceduresScreen {
            ctx,
            state: RefCell::default(),
            forms: Forms::default(),
        });
        let Some(ui) = screen.ctx.ui() else { return screen };
        let g = ui.global::<Procedures>();
        g.set_identity_fields(screen.forms.identity.model());
        g.set_info_fields(screen.forms.info.model());
        g.on_search_curp(on(&screen, ProceduresScreen::search_curp));
        g.on_set_no_curp(on1(&screen, |s, on: bool| s.change(|st, v| set_no_curp(st, v, on))));
        g.on_identity_edited(on2(&screen, |s, key: SharedString, value: SharedString| {
            s.change(|st, v| identity_edited(st, v, &key, &value));
        }));
        g.on_toggle_procedure(on1(&screen, |s, id: SharedString| {
            s.change(|st, v| toggle_procedure(st, v, &id));
        }));
        g.on_open_info(on1(&screen, |s, id: SharedString| {
            s.change(|st, v| open_info(st, v, &id));
        }));
        g.on_info_edited(on2(&screen, |s, key: SharedString, value: SharedString| {
            s.change(|st, _| edit_info(st, &key, &value));
        }));
        g.on_next(on(&screen, |s| {
            // A procedure's form open: the primary button saves it.
            if s.state.borrow().info_open.is_some() {
                s.change(|st, v| {
                    let today = v.office_today(chrono::Utc::now());
                    info_done(st, v, today);
                });
                return;
            }
            let stopped = s.ctx.next_step().err();
            let mut st = s.state.borrow_mut();
            let (fields, msg) = stopped.map_or((Vec::new(), None), |st| (st.fields, Some(st.msg)));
            st.identity_attempt = if fields.is_empty() {
                crate::view::Attempt::default()
            } else {
                crate::view::Attempt::failed()
            };
            st.identity_errors = fields;
            st.frame.errors = msg;
            drop(st);
            s.render();
        }));
        g.on_back(on(&screen, |s| {
            // A procedure's form open: back to the list (what was saved stays), not to step 1.
            if s.state.borrow().info_open.is_some() {
                let mut st = s.state.borrow_mut();
                st.info_open = None;
                st.info_errors.clear();
                drop(st);
                s.render();
                return;
            }
            s.ctx.back_step();
            let mut st = s.state.borrow_mut();
            st.frame.errors = None;
            st.info_open = None;
            drop(st);
            s.render();
        }));
        screen
    }

    /// Applies a touch to the step's state and the visit, then shows the step again.
    fn change(&self, f: impl FnOnce(&mut State, &mut Visit)) {
        f(&mut self.state.borrow_mut(), &mut self.ctx.visit.borrow_mut());
        self.render();
    }

    fn search_curp(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        if self.state.borrow().frame.busy {
            return;
        }
        let g = ui.global::<Procedures>();
        let curp = match Curp::parse(&g.get_curp()) {
            Ok(c) => c,
            Err(e) => {
                self.state.borrow_mut().curp_error = Some(Msg::explain(e));
                self.render();
                return;
            }
        };
        g.set_curp(curp.as_str().into());
        self.state.borrow_mut().frame.busy = true;
        self.render();
        let client = self.ctx.services.engine.client().clone();
        let me = self.clone();
        self.ctx
            .spawn(async move { client.curp(curp.as_str()).await }, move |record| {
                me.change(|st, v| {
                    st.frame.busy = false;
                    curp_found(st, v, record);
                });
            });
    }
}

impl Screen for ProceduresScreen {
    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<Procedures>(),
                &self.forms,
                &self.state.borrow(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        *self.state.borrow_mut() = State::default();
        if let Some(ui) = self.ctx.ui() {
            ui.global::<Procedures>().set_curp("".into());
        }
        self.render();
    }
}

#[cfg(test)]
mod tests {
    use super::view::curp_owner;
    use super::*;
    use kiosk_core::Language;

    fn record(curp: &str) -> kiosk_sync::api::CurpRecord {
        serde_json::from_value(serde_json::json!({
            "curp": curp, "given_names": "Enrique", "first_last_name": "González",
            "second_last_name": "Durán", "birth_date": "1956-12-31", "sex": "H", "birth_state": "DF",
        }))
        .expect("a record")
    }

    /// A visit at step 2, its office chosen.
    fn at_step_2() -> Visit {
        let office: kiosk_sync::api::CatalogueOffice = serde_json::from_value(serde_json::json!({
            "id": "LAX", "name": "Los Ángeles", "address": "2401 W 6th St", "city": "Los Angeles",
            "state": "CA", "postal_code": "90057", "country": "US", "phone": null,
            "tz": "America/Los_Angeles", "latitude": 34.06, "longitude": -118.28,
            "procedures": ["passport"], "thresholds": {"high": 60, "low": 20},
        }))
        .expect("an office");
        let mut v = Visit::default();
        v.session
            .choose_office(office.office().expect("readable"))
            .expect("chosen");
        v.next(chrono::Utc::now()).expect("step 2");
        v
    }

    #[test]
    fn a_curp_found_names_its_owner_and_starts_step_3_in_its_birth_state() {
        let (mut st, mut v) = (State::default(), at_step_2());
        curp_found(&mut st, &mut v, Ok(record("GODE561231HDFRRN00")));
        assert!(st.curp_error.is_none());
        assert_eq!(curp_owner(&v, Language::Es), "CURP de: Enrique González Durán");
        assert_eq!(v.applicant.birth_country, "MX");
    }

    #[test]
    fn a_record_from_the_server_that_does_not_validate_is_not_believed() {
        let (mut st, mut v) = (State::default(), at_step_2());
        curp_found(&mut st, &mut v, Ok(record("NOT-A-CURP")));
        assert!(st.curp_record.is_none());
        assert!(st.curp_error.is_some());
        assert_eq!(curp_owner(&v, Language::Es), "");
    }

    #[test]
    fn turning_no_curp_off_goes_back_to_the_curp_found() {
        let (mut st, mut v) = (State::default(), at_step_2());
        curp_found(&mut st, &mut v, Ok(record("GODE561231HDFRRN00")));
        set_no_curp(&mut st, &mut v, true);
        assert_eq!(curp_owner(&v, Language::En), "");
        set_no_curp(&mut st, &mut v, false);
        assert!(curp_owner(&v, Language::En).starts_with("CURP of:"));
    }
}

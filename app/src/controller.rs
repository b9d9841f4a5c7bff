//! The controller: UI callbacks -> `kiosk-core` rules and `kiosk-sync` calls -> UI properties.
//!
//! Long work runs on the tokio runtime; results come back to the Slint event loop through
//! `upgrade_in_event_loop`. What the screens show in words (dates, procedure names, errors) is
//! rendered here from kept values, so switching language re-renders it without losing input.

use std::cell::RefCell;
use std::str::FromStr;
use std::time::Duration;

use kiosk_core::booking::{CodeError, ConfirmationCode};
use kiosk_core::catalogue::Procedure;
use kiosk_core::time::AppointmentTime;
use kiosk_core::{Explain, Language};
use kiosk_sync::api::{Booking, CatalogueOffice};
use kiosk_sync::{ConfirmOutcome, EngineError, SyncEngine};
use slint::ComponentHandle;

use crate::ui::{AppWindow, Kiosk, Lookup, LookupState, Page};

/// How long the visitor waits for a cancellation before it is left to the outbox.
const CANCEL_PATIENCE: Duration = Duration::from_secs(8);

/// The services the screens call.
#[derive(Debug, Clone)]
pub struct Services {
    pub runtime: tokio::runtime::Handle,
    pub engine: SyncEngine,
}

/// A booking found by code, with what is needed to show it in either language.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundBooking {
    pub booking: Booking,
    pub office: Option<CatalogueOffice>,
}

/// What the controller keeps between callbacks (the visitor's data of the current visit).
#[derive(Debug, Default)]
struct State {
    language: Language,
    code_error: Option<CodeError>,
    found: Option<FoundBooking>,
}

thread_local! {
    /// Lives on the UI thread only: callbacks and `upgrade_in_event_loop` closures run there.
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// The words of a found booking in `lang`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingView {
    pub office: String,
    pub address: String,
    pub date: String,
    pub time: String,
    pub procedures: String,
    pub cancelled: bool,
}

impl BookingView {
    pub fn render(found: &FoundBooking, lang: Language) -> BookingView {
        let b = &found.booking;
        let tz = found.office.as_ref().and_then(|o| chrono_tz::Tz::from_str(&o.tz).ok());
        let (date, time) = match tz {
            Some(tz) => {
                let at = AppointmentTime::new(b.start, tz);
                (at.date_label(lang), at.time_label(lang))
            }
            // Without the office's zone the time is not shown rather than shown wrong.
            None => (kiosk_core::time::date_label(b.start.date_naive(), lang), String::new()),
        };
        let procedures: Vec<&str> = b
            .procedures
            .iter()
            .map(|p| Procedure::from_id(p).map_or(p.as_str(), |p| p.label(lang)))
            .collect();
        BookingView {
            office: found
                .office
                .as_ref()
                .map_or_else(|| b.office_id.clone(), |o| o.name.clone()),
            address: found
                .office
                .as_ref()
                .map(|o| format!("{}, {}, {} {}", o.address, o.city, o.state, o.postal_code))
                .unwrap_or_default(),
            date,
            time,
            procedures: procedures.join(" · "),
            cancelled: b.status == "cancelled",
        }
    }
}

fn show(ui: &AppWindow, view: &BookingView) {
    let l = ui.global::<Lookup>();
    l.set_office(view.office.clone().into());
    l.set_address(view.address.clone().into());
    l.set_date(view.date.clone().into());
    l.set_time(view.time.clone().into());
    l.set_procedures(view.procedures.clone().into());
    l.set_is_cancelled(view.cancelled);
}

fn clear_lookup(ui: &AppWindow) {
    let l = ui.global::<Lookup>();
    l.set_code("".into());
    l.set_code_error("".into());
    l.set_state(LookupState::Idle);
    show(
        ui,
        &BookingView {
            office: String::new(),
            address: String::new(),
            date: String::new(),
            time: String::new(),
            procedures: String::new(),
            cancelled: false,
        },
    );
}

/// Re-renders every text that depends on the language.
fn rerender(ui: &AppWindow, state: &State) {
    let l = ui.global::<Lookup>();
    l.set_code_error(
        state
            .code_error
            .as_ref()
            .map(|e| e.explain(state.language))
            .unwrap_or_default()
            .into(),
    );
    if let Some(found) = &state.found {
        show(ui, &BookingView::render(found, state.language));
    }
}

/// Switches the running UI's language.
pub fn set_language(ui: &AppWindow, lang: Language) {
    if let Err(e) = slint::select_bundled_translation(lang.tag()) {
        tracing::error!(error = %e, language = lang.tag(), "no bundled translation");
    }
    ui.global::<Kiosk>().set_language(lang.tag().into());
}

/// Shows a found booking (also used by the screenshot renderer).
pub fn show_found(ui: &AppWindow, found: &FoundBooking, lang: Language) {
    ui.global::<Lookup>().set_code(found.booking.code.clone().into());
    ui.global::<Lookup>().set_state(LookupState::Found);
    show(ui, &BookingView::render(found, lang));
}

/// Looks a booking up, with its office from the cached catalogue (refreshed when missing).
pub async fn find(engine: &SyncEngine, code: &ConfirmationCode) -> Result<FoundBooking, EngineError> {
    let booking = engine.client().booking(code.as_str()).await?;
    let office = office(engine, &booking.office_id).await?;
    Ok(FoundBooking { booking, office })
}

async fn office(engine: &SyncEngine, id: &str) -> Result<Option<CatalogueOffice>, EngineError> {
    let cached = |engine: &SyncEngine| {
        let id = id.to_owned();
        let engine = engine.clone();
        async move {
            let body = engine.with_store(|s| s.catalogue()).await?;
            Ok::<_, EngineError>(body.and_then(|(_, body)| {
                let catalogue: kiosk_sync::api::Catalogue = serde_json::from_str(&body).ok()?;
                catalogue.offices.into_iter().find(|o| o.id == id)
            }))
        }
    };
    if let Some(o) = cached(engine).await? {
        return Ok(Some(o));
    }
    engine.sync_catalogue(chrono::Utc::now()).await?;
    cached(engine).await
}

/// Connects every callback of `ui` to the services.
pub fn wire(ui: &AppWindow, services: Services) {
    STATE.with_borrow_mut(|st| *st = State::default());
    set_language(ui, Language::Es);

    let kiosk = ui.global::<Kiosk>();
    kiosk.on_language_chosen({
        let ui = ui.as_weak();
        move |tag| {
            let Some(ui) = ui.upgrade() else { return };
            let Ok(lang) = tag.parse::<Language>() else { return };
            set_language(&ui, lang);
            STATE.with_borrow_mut(|st| {
                st.language = lang;
                rerender(&ui, st);
            });
        }
    });
    kiosk.on_go_home({
        let ui = ui.as_weak();
        move || {
            let Some(ui) = ui.upgrade() else { return };
            // The visit ends: nothing of it stays on screen or in memory, and the next visitor
            // starts in Spanish at normal size.
            STATE.with_borrow_mut(|st| *st = State::default());
            clear_lookup(&ui);
            set_language(&ui, Language::Es);
            ui.global::<Kiosk>().set_large_text(false);
            ui.global::<Kiosk>().set_page(Page::Welcome);
        }
    });

    let lookup = ui.global::<Lookup>();
    lookup.on_search({
        let (ui, services) = (ui.as_weak(), services.clone());
        move || {
            let Some(app) = ui.upgrade() else { return };
            let typed = app.global::<Lookup>().get_code().to_string();
            let code = match ConfirmationCode::parse(&typed) {
                Ok(c) => c,
                Err(e) => {
                    STATE.with_borrow_mut(|st| {
                        st.code_error = Some(e);
                        rerender(&app, st);
                    });
                    return;
                }
            };
            STATE.with_borrow_mut(|st| st.code_error = None);
            let l = app.global::<Lookup>();
            l.set_code_error("".into());
            l.set_code(code.as_str().into());
            l.set_state(LookupState::Searching);
            let (ui, engine) = (ui.clone(), services.engine.clone());
            services.runtime.spawn(async move {
                let result = find(&engine, &code).await;
                let _ = ui.upgrade_in_event_loop(move |app| {
                    let l = app.global::<Lookup>();
                    match result {
                        Ok(found) => {
                            STATE.with_borrow_mut(|st| {
                                show(&app, &BookingView::render(&found, st.language));
                                st.found = Some(found);
                            });
                            l.set_state(LookupState::Found);
                        }
                        Err(EngineError::Api(e)) if e.problem() == Some("booking-not-found") => {
                            l.set_state(LookupState::NotFound);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "looking a booking up");
                            l.set_state(LookupState::Unreachable);
                        }
                    }
                });
            });
        }
    });
    lookup.on_cancel_requested({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                app.global::<Lookup>().set_state(LookupState::ConfirmCancel);
            }
        }
    });
    lookup.on_cancel_dismissed({
        let ui = ui.as_weak();
        move || {
            if let Some(app) = ui.upgrade() {
                app.global::<Lookup>().set_state(LookupState::Found);
            }
        }
    });
    lookup.on_cancel_confirmed({
        let ui = ui.as_weak();
        move || {
            let Some(app) = ui.upgrade() else { return };
            let Some(code) = STATE.with_borrow(|st| st.found.as_ref().map(|f| f.booking.code.clone())) else {
                return;
            };
            app.global::<Lookup>().set_state(LookupState::Cancelling);
            let (ui, engine) = (ui.clone(), services.engine.clone());
            services.runtime.spawn(async move {
                let outcome = engine.cancel(&code, CANCEL_PATIENCE).await;
                let _ = ui.upgrade_in_event_loop(move |app| {
                    let l = app.global::<Lookup>();
                    match outcome {
                        Ok(ConfirmOutcome::Delivered) => {
                            STATE.with_borrow_mut(|st| {
                                if let Some(f) = st.found.as_mut() {
                                    f.booking.status = "cancelled".into();
                                }
                            });
                            l.set_is_cancelled(true);
                            l.set_state(LookupState::Cancelled);
                        }
                        Ok(ConfirmOutcome::Pending { .. }) => l.set_state(LookupState::CancelQueued),
                        Ok(other) => {
                            tracing::warn!(?other, "cancellation refused");
                            l.set_state(LookupState::NotFound);
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "cancellation could not even be queued");
                            l.set_state(LookupState::Unreachable);
                        }
                    }
                });
            });
        }
    });
}

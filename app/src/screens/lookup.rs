//! "I already have an appointment": a booking found by its code (kiosk-core checks the code's
//! form first), shown in the office's time zone, cancelled through the outbox, and one copy of
//! its ticket printed a visit.

use std::cell::RefCell;
use std::rc::Rc;
use std::str::FromStr;
use std::time::Duration;

use kiosk_core::booking::{CodeError, ConfirmationCode};
use kiosk_core::catalogue::Procedure;
use kiosk_core::time::AppointmentTime;
use kiosk_core::{Explain, Language};
use kiosk_sync::api::{Booking, ProblemKind};
use kiosk_sync::{ConfirmOutcome, EngineError};

pub use kiosk_sync::FoundBooking;
use slint::ComponentHandle;

use super::{Ctx, Screen};
use crate::bridge::Generation;
use crate::ui::{AppWindow, Lookup, LookupState, TicketState};

/// How long the visitor waits for a cancellation before it is left to the outbox.
const CANCEL_PATIENCE: Duration = Duration::from_secs(8);

/// The words of a found booking in `lang`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
        BookingView {
            office: found
                .office
                .as_ref()
                .map_or_else(|| b.office_id.clone(), |o| o.name.clone()),
            address: found
                .office
                .as_ref()
                .map(kiosk_sync::api::CatalogueOffice::address_line)
                .unwrap_or_default(),
            date,
            time,
            procedures: Procedure::labels(&b.procedures, lang),
            cancelled: b.is_cancelled(),
        }
    }
}

/// What the lookup keeps between touches.
#[derive(Debug, Default)]
struct State {
    code_error: Option<CodeError>,
    found: Option<FoundBooking>,
}

/// The lookup screen.
#[derive(Debug)]
pub struct LookupScreen {
    ctx: Ctx,
    state: RefCell<State>,
    /// Bumped by [`LookupScreen::reset`]: an answer for an earlier visit is dropped.
    visit: Generation,
}

impl LookupScreen {
    pub fn new(ctx: Ctx) -> Rc<LookupScreen> {
        let screen = Rc::new(LookupScreen {
            ctx,
            state: RefCell::default(),
            visit: Generation::default(),
        });
        screen.wire();
        screen
    }

    fn wire(self: &Rc<Self>) {
        let Some(ui) = self.ctx.ui() else { return };
        let l = ui.global::<Lookup>();
        let on = |f: fn(&Rc<LookupScreen>, &AppWindow)| {
            let weak = Rc::downgrade(self);
            move || {
                if let Some(s) = weak.upgrade()
                    && let Some(ui) = s.ctx.ui()
                {
                    f(&s, &ui);
                }
            }
        };
        l.on_search(on(LookupScreen::search));
        l.on_print_ticket(on(LookupScreen::print_ticket));
        l.on_cancel_requested(on(|_, ui| ui.global::<Lookup>().set_state(LookupState::ConfirmCancel)));
        l.on_cancel_dismissed(on(|_, ui| ui.global::<Lookup>().set_state(LookupState::Found)));
        l.on_cancel_confirmed(on(LookupScreen::cancel));
    }

    fn search(self: &Rc<Self>, ui: &AppWindow) {
        let l = ui.global::<Lookup>();
        let code = match ConfirmationCode::parse(&l.get_code()) {
            Ok(c) => c,
            Err(e) => {
                self.state.borrow_mut().code_error = Some(e);
                self.relabel();
                return;
            }
        };
        self.state.borrow_mut().code_error = None;
        l.set_code_error("".into());
        l.set_code(code.as_str().into());
        l.set_state(LookupState::Searching);
        let engine = self.ctx.services.engine.clone();
        let weak = Rc::downgrade(self);
        self.ctx.bridge.spawn(
            &self.visit,
            async move { engine.find_booking(code.as_str()).await },
            move |result| {
                let Some(s) = weak.upgrade() else { return };
                let Some(ui) = s.ctx.ui() else { return };
                let l = ui.global::<Lookup>();
                match result {
                    Ok(found) => {
                        show(&ui, &BookingView::render(&found, s.ctx.language()));
                        s.state.borrow_mut().found = Some(found);
                        l.set_state(LookupState::Found);
                    }
                    Err(EngineError::Api(e)) if e.kind() == Some(ProblemKind::BookingNotFound) => {
                        l.set_state(LookupState::NotFound);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "looking a booking up");
                        l.set_state(LookupState::Unreachable);
                    }
                }
            },
        );
    }

    fn print_ticket(self: &Rc<Self>, ui: &AppWindow) {
        let (Some(printing), Some(found)) = (self.ctx.services.printing.clone(), self.state.borrow().found.clone())
        else {
            return;
        };
        let ticket = match &found.office {
            Some(office) => found
                .booking
                .ticket(office, self.ctx.language())
                .map_err(|e| e.to_string()),
            None => Err(format!("office {} is not in the catalogue", found.booking.office_id)),
        };
        let ticket = match ticket {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "no ticket can be made for a found booking");
                ui.global::<Lookup>().set_ticket(TicketState::AskStaff);
                return;
            }
        };
        ui.global::<Lookup>().set_ticket(TicketState::Printing);
        let ui = ui.as_weak();
        self.ctx.bridge.spawn(
            &self.visit,
            async move {
                match printing.queue_reprint(&ticket).await {
                    Ok(id) => printing.print(id).await,
                    Err(why) => crate::printing::TicketOutcome::AskStaff { why, status: None },
                }
            },
            move |outcome| {
                if let Some(ui) = ui.upgrade() {
                    ui.global::<Lookup>()
                        .set_ticket(crate::printing::ticket_state(&outcome));
                }
            },
        );
    }

    fn cancel(self: &Rc<Self>, ui: &AppWindow) {
        let Some(code) = self.state.borrow().found.as_ref().map(|f| f.booking.code.clone()) else {
            return;
        };
        ui.global::<Lookup>().set_state(LookupState::Cancelling);
        let engine = self.ctx.services.engine.clone();
        let weak = Rc::downgrade(self);
        self.ctx.bridge.spawn(
            &self.visit,
            async move { engine.cancel(&code, CANCEL_PATIENCE).await },
            move |outcome| {
                let Some(s) = weak.upgrade() else { return };
                let Some(ui) = s.ctx.ui() else { return };
                let l = ui.global::<Lookup>();
                match outcome {
                    Ok(ConfirmOutcome::Delivered) => {
                        if let Some(f) = s.state.borrow_mut().found.as_mut() {
                            f.booking.status = Booking::CANCELLED.into();
                        }
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
            },
        );
    }

    /// What the screen says, said again (in the language now chosen).
    fn relabel(&self) {
        let Some(ui) = self.ctx.ui() else { return };
        let lang = self.ctx.language();
        let st = self.state.borrow();
        ui.global::<Lookup>().set_code_error(
            st.code_error
                .as_ref()
                .map(|e| e.explain(lang))
                .unwrap_or_default()
                .into(),
        );
        if let Some(found) = &st.found {
            show(&ui, &BookingView::render(found, lang));
        }
    }

    /// The visit ended: nothing of the booking looked up stays.
    fn clear(&self) {
        self.visit.bump();
        *self.state.borrow_mut() = State::default();
        let Some(ui) = self.ctx.ui() else { return };
        let l = ui.global::<Lookup>();
        l.set_ticket(TicketState::None);
        l.set_code("".into());
        l.set_code_error("".into());
        l.set_state(LookupState::Idle);
        show(&ui, &BookingView::default());
    }
}

impl Screen for LookupScreen {
    fn render(&self) {
        self.relabel();
    }

    fn reset(&self) {
        self.clear();
    }
}

fn show(ui: &AppWindow, view: &BookingView) {
    let l = ui.global::<Lookup>();
    l.set_office(view.office.as_str().into());
    l.set_address(view.address.as_str().into());
    l.set_date(view.date.as_str().into());
    l.set_time(view.time.as_str().into());
    l.set_procedures(view.procedures.as_str().into());
    l.set_is_cancelled(view.cancelled);
}

/// Shows a found booking (the screenshot renderer's way in).
pub fn show_found(ui: &AppWindow, found: &FoundBooking, lang: Language) {
    let l = ui.global::<Lookup>();
    l.set_code(found.booking.code.as_str().into());
    l.set_state(LookupState::Found);
    show(ui, &BookingView::render(found, lang));
}

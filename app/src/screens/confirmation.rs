//! The confirmation: the appointment and its code (or, while the network is down, the request
//! kept and not yet confirmed), what to bring, and its ticket printed (no personal data on it),
//! shown as it prints, with "ask staff" when the printer cannot. The booking is confirmed
//! whatever the printer does. A request kept and not confirmed prints a slip instead: the
//! office, the time marked NOT CONFIRMED, the request's reference and what happens next.

use std::cell::RefCell;
use std::rc::Rc;

use kiosk_core::Language;
use kiosk_core::catalogue::Procedure;
use kiosk_core::slip::PendingSlip;
use kiosk_core::time::AppointmentTime;
use kiosk_print::Printout;
use slint::{ComponentHandle, SharedString};

use super::{Ctx, Screen};
use crate::printing::Printing;
use crate::ui::{Confirmation, TicketState};
use crate::view::s;
use crate::visit::{Outcome, Visit};

/// The ticket on screen: where it is, and its picture.
#[derive(Debug, Clone, Default)]
pub struct TicketView {
    pub state: TicketState,
    pub preview: slint::Image,
}

/// The words of a confirmed appointment in `lang`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirmed {
    pub code: String,
    pub office: String,
    pub address: String,
    pub date: String,
    pub time: String,
    pub procedures: String,
    pub bring: Vec<String>,
}

/// What the page says of the visit's outcome (`None`: nothing confirmed to show).
pub fn confirmed(v: &Visit, lang: Language) -> Option<Confirmed> {
    let Some(Outcome::Confirmed(b)) = &v.outcome else {
        return None;
    };
    let office = v.office();
    let at = v.session.office_tz().map(|tz| AppointmentTime::new(b.start, tz));
    let mut bring: Vec<String> = v
        .session
        .required_documents()
        .into_iter()
        .map(|k| k.label(lang).to_owned())
        .collect();
    bring.push(
        lang.pick(
            "Su código de cita (en pantalla, en su correo o en su comprobante)",
            "Your appointment code (on screen, in your e-mail or on your ticket)",
        )
        .to_owned(),
    );
    Some(Confirmed {
        code: b.code.clone(),
        office: office.map_or_else(|| b.office_id.clone(), |o| o.name.clone()),
        address: office
            .map(kiosk_sync::api::CatalogueOffice::address_line)
            .unwrap_or_default(),
        date: at.as_ref().map(|a| a.date_label(lang)).unwrap_or_default(),
        time: at.as_ref().map(|a| a.time_label(lang)).unwrap_or_default(),
        procedures: Procedure::labels(&b.procedures, lang),
        bring,
    })
}

/// The slip of a request saved and not confirmed (`None` for anything else, or when the office,
/// its zone, the time or the reference is not known: nothing half-true is printed).
pub fn pending_slip(v: &Visit, lang: Language) -> Option<PendingSlip> {
    let Some(Outcome::Pending(Some(reference))) = &v.outcome else {
        return None;
    };
    let office = v
        .office()?
        .ticket_office()
        .map_err(|e| tracing::error!(error = %e, "the office cannot be printed"))
        .ok()?;
    Some(PendingSlip {
        reference: reference.clone(),
        language: lang,
        office,
        start: v.session.slot()?.start,
    })
}

/// What the page says of a request kept and not confirmed: the office and the time asked for.
fn requested(slip: &PendingSlip) -> Confirmed {
    let t = slip.text();
    Confirmed {
        office: t.office,
        address: t.address.join(", "),
        date: t.date,
        time: t.time,
        ..Confirmed::default()
    }
}

/// Shows the outcome and the ticket in `lang`; nothing of a finished visit stays behind.
pub fn render_into(g: &Confirmation<'_>, ticket: Option<&TicketView>, v: &Visit, lang: Language) {
    let ticket = ticket.cloned().unwrap_or_default();
    crate::put!(g, get_ticket, set_ticket, ticket.state);
    crate::put!(g, get_ticket_preview, set_ticket_preview, ticket.preview);
    crate::put!(
        g,
        get_pending,
        set_pending,
        matches!(v.outcome, Some(Outcome::Pending(_)))
    );
    let slip = pending_slip(v, lang);
    crate::put!(
        g,
        get_reference,
        set_reference,
        s(slip.as_ref().map(|p| p.reference.grouped()).unwrap_or_default())
    );
    let shown = confirmed(v, lang)
        .or_else(|| slip.as_ref().map(requested))
        .unwrap_or_default();
    crate::put!(g, get_code, set_code, s(shown.code));
    crate::put!(g, get_office, set_office, s(shown.office));
    crate::put!(g, get_address, set_address, s(shown.address));
    crate::put!(g, get_date, set_date, s(shown.date));
    crate::put!(g, get_time, set_time, s(shown.time));
    crate::put!(g, get_procedures, set_procedures, s(shown.procedures));
    crate::fill!(
        g,
        get_bring,
        set_bring,
        shown.bring.into_iter().map(SharedString::from).collect()
    );
}

/// The confirmation screen.
#[derive(Debug)]
pub struct ConfirmationScreen {
    ctx: Ctx,
    ticket: RefCell<Option<TicketView>>,
}

impl ConfirmationScreen {
    pub fn new(ctx: Ctx) -> Rc<ConfirmationScreen> {
        Rc::new(ConfirmationScreen {
            ctx,
            ticket: RefCell::default(),
        })
    }

    fn set_ticket(&self, ticket: TicketView) {
        *self.ticket.borrow_mut() = Some(ticket);
        self.render();
    }

    /// Prints what `found` queued (a confirmation's ticket, a request's slip), showing its
    /// picture meanwhile and then whether to take it or ask staff.
    fn print(
        self: &Rc<Self>,
        printing: Printing,
        found: impl std::future::Future<Output = Option<(i64, Printout)>> + Send + 'static,
    ) {
        let work = {
            let printing = printing.clone();
            async move {
                let (id, printout) = found.await?;
                Some((
                    id,
                    printing
                        .preview(&printout)
                        .as_ref()
                        .map(crate::printing::preview_pixels),
                ))
            }
        };
        let me = self.clone();
        self.ctx.spawn(work, move |found| {
            let Some((id, pixels)) = found else {
                tracing::error!("the confirmation page has nothing queued to print");
                me.set_ticket(TicketView {
                    state: TicketState::AskStaff,
                    preview: slint::Image::default(),
                });
                return;
            };
            me.set_ticket(TicketView {
                state: TicketState::Printing,
                preview: pixels.map(slint::Image::from_rgb8).unwrap_or_default(),
            });
            let again = me.clone();
            me.ctx.spawn(async move { printing.print(id).await }, move |outcome| {
                let ticket = again.ticket.borrow().clone();
                if let Some(mut t) = ticket {
                    t.state = crate::printing::ticket_state(&outcome);
                    again.set_ticket(t);
                }
            });
        });
    }
}

impl Screen for ConfirmationScreen {
    /// A confirmed appointment's ticket prints as the page shows.
    /// A request saved and not confirmed prints its slip instead.
    fn enter(self: Rc<Self>) {
        self.render();
        let Some(printing) = self.ctx.services.printing.clone() else {
            return;
        };
        let (code, slip) = {
            let v = self.ctx.visit.borrow();
            let code = match &v.outcome {
                Some(Outcome::Confirmed(b)) => Some(b.code.clone()),
                _ => None,
            };
            (code, pending_slip(&v, self.ctx.language()))
        };
        let queue = printing.clone();
        if let Some(code) = code {
            self.print(printing, async move {
                let (id, ticket) = queue.confirmation_ticket(&code).await?;
                Some((id, Printout::Ticket(ticket)))
            });
        } else if let Some(slip) = slip {
            self.print(printing, async move {
                match queue.queue_slip(&slip).await {
                    Ok(id) => Some((id, Printout::Slip(slip))),
                    Err(e) => {
                        tracing::error!(error = %e, "the slip could not be queued");
                        None
                    }
                }
            });
        } else if matches!(self.ctx.visit.borrow().outcome, Some(Outcome::Pending(_))) {
            tracing::error!("a request saved with no office, time or reference: no slip");
        }
    }

    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<Confirmation>(),
                self.ticket.borrow().as_ref(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        *self.ticket.borrow_mut() = None;
        self.render();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_still_in_the_outbox_shows_no_code_as_confirmed() {
        let v = Visit {
            outcome: Some(Outcome::Pending(None)),
            ..Visit::default()
        };
        assert_eq!(confirmed(&v, Language::Es), None);
        assert_eq!(confirmed(&Visit::default(), Language::Es), None);
    }

    #[test]
    fn a_confirmed_appointment_says_to_bring_its_code() {
        let booking: kiosk_sync::api::Booking = serde_json::from_value(serde_json::json!({
            "code": "ABCD2345", "status": "confirmed", "office_id": "LAX", "slot_id": "s",
            "start": "2027-01-05T17:00:00Z", "minutes": 20, "procedures": ["passport"],
            "account_id": null, "created_at": "2026-12-01T10:00:00Z",
        }))
        .expect("a booking");
        let v = Visit {
            outcome: Some(Outcome::Confirmed(booking)),
            ..Visit::default()
        };
        let shown = confirmed(&v, Language::En).expect("confirmed");
        assert_eq!(shown.code, "ABCD2345");
        assert_eq!(shown.office, "LAX", "an office the catalogue lacks is named by its id");
        assert!(shown.bring.last().expect("a line").contains("appointment code"));
        assert_eq!(shown.time, "", "no time is shown without the office's zone");
    }
}

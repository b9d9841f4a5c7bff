//! "My procedures", after signing in: the account's appointments, soonest first, in their
//! office's time zone, and "Book an appointment" into step 1.

use std::rc::Rc;
use std::str::FromStr;

use kiosk_core::Language;
use kiosk_core::catalogue::Procedure;
use kiosk_core::time::{AppointmentTime, date_label};
use kiosk_sync::api::Booking;
use slint::ComponentHandle;

use super::{Ctx, Screen, on};
use crate::nav::Nav;
use crate::ui::{BookingCard, MyProcedures, Page};
use crate::view::s;
use crate::visit::Visit;

/// The account's appointments as cards, soonest first, in the office's time zone.
pub fn cards(v: &Visit, lang: Language) -> Vec<BookingCard> {
    let Some(Ok(bookings)) = &v.my_bookings else {
        return Vec::new();
    };
    let mut sorted: Vec<&Booking> = bookings.iter().collect();
    sorted.sort_by_key(|b| b.start);
    sorted
        .into_iter()
        .map(|b| {
            let office = v.offices.iter().find(|o| o.id == b.office_id);
            let when = office.and_then(|o| chrono_tz::Tz::from_str(&o.tz).ok()).map_or_else(
                || date_label(b.start.date_naive(), lang),
                |tz| AppointmentTime::new(b.start, tz).label(lang),
            );
            BookingCard {
                code: s(&b.code),
                office: s(office.map_or(b.office_id.as_str(), |o| o.name.as_str())),
                when: s(when),
                procedures: s(Procedure::labels(&b.procedures, lang)),
                status: s(if b.is_cancelled() {
                    lang.pick("Cancelada", "Cancelled")
                } else {
                    lang.pick("Confirmada", "Confirmed")
                }),
                cancelled: b.is_cancelled(),
            }
        })
        .collect()
}

/// The line above the cards: still looking, none yet, or the lookup failed.
pub fn message(v: &Visit, lang: Language) -> &'static str {
    match &v.my_bookings {
        None => lang.pick("Buscando sus citas…", "Looking for your appointments…"),
        Some(Ok(b)) if b.is_empty() => lang.pick(
            "Aún no tiene citas. Toque «Reservar una cita» para reservar una.",
            "You have no appointments yet. Touch \"Book an appointment\" to book one.",
        ),
        Some(Ok(_)) => "",
        Some(Err(())) => lang.pick(
            "No pudimos consultar sus citas en este momento; puede reservar una nueva.",
            "We could not look up your appointments right now; you can book a new one.",
        ),
    }
}

/// Shows the visit's account on the page in `lang`.
pub fn render_into(g: &MyProcedures<'_>, v: &Visit, lang: Language) {
    crate::put!(
        g,
        get_account_email,
        set_account_email,
        s(v.account.as_ref().map_or("", |a| a.email.as_str()))
    );
    crate::fill!(g, get_bookings, set_bookings, cards(v, lang));
    crate::put!(g, get_message, set_message, s(message(v, lang)));
}

/// The "My procedures" screen.
#[derive(Debug)]
pub struct MyProceduresScreen {
    ctx: Ctx,
}

impl MyProceduresScreen {
    pub fn new(ctx: Ctx) -> Rc<MyProceduresScreen> {
        let screen = Rc::new(MyProceduresScreen { ctx });
        if let Some(ui) = screen.ctx.ui() {
            ui.global::<MyProcedures>()
                .on_start_procedure(on(&screen, |s| s.ctx.nav.go(Nav::To(Page::Location))));
        }
        screen
    }
}

impl Screen for MyProceduresScreen {
    fn render(&self) {
        if let Some(ui) = self.ctx.ui() {
            render_into(
                &ui.global::<MyProcedures>(),
                &self.ctx.visit.borrow(),
                self.ctx.language(),
            );
        }
    }

    fn reset(&self) {
        self.render();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(code: &str, day: u32, status: &str) -> Booking {
        serde_json::from_value(serde_json::json!({
            "code": code, "status": status, "office_id": "LAX", "slot_id": "s",
            "start": format!("2027-01-{day:02}T17:00:00Z"), "minutes": 20,
            "procedures": ["passport"], "account_id": null,
            "created_at": "2026-12-01T10:00:00Z",
        }))
        .expect("a booking")
    }

    #[test]
    fn the_accounts_appointments_show_soonest_first_and_a_cancelled_one_says_so() {
        let v = Visit {
            my_bookings: Some(Ok(vec![
                booking("LATER234", 20, "confirmed"),
                booking("SOON2345", 5, "cancelled"),
            ])),
            ..Visit::default()
        };
        let cards = cards(&v, Language::En);
        assert_eq!(cards[0].code, "SOON2345");
        assert!(cards[0].cancelled);
        assert_eq!(cards[0].status, "Cancelled");
        assert_eq!(cards[1].status, "Confirmed");
        assert_eq!(message(&v, Language::En), "");
    }

    #[test]
    fn a_failed_lookup_still_lets_the_visitor_book() {
        let v = Visit {
            my_bookings: Some(Err(())),
            ..Visit::default()
        };
        assert!(cards(&v, Language::En).is_empty());
        assert!(message(&v, Language::En).contains("you can book a new one"));
    }
}

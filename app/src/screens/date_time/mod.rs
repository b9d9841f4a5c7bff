//! Step 5, Date and time: the office's calendar from the kiosk's cache (after a fresh delta),
//! a day, a time held on the server while the visitor confirms (renewed before it runs out),
//! and the confirmation through the outbox, so a confirmed booking is never lost. A time taken
//! meanwhile is marked full and the calendar refreshed.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use kiosk_core::Language;
use kiosk_core::calendar;
use kiosk_core::office::{Hold, Slot, SlotId};
use kiosk_core::session::Step;
use kiosk_sync::api::{BookingRequest, Hold as ServerHold};
use kiosk_sync::{ConfirmOutcome, EngineError};

use crate::ui::Calendar;
use crate::view::Frame;
use crate::visit::{Outcome, Visit};
use crate::words::{self, Msg};

pub mod review;
mod screen;
pub mod view;

pub use screen::DateTimeScreen;

/// How long a confirmation is tried before the visitor is told it waits in the outbox.
pub const CONFIRM_PATIENCE: Duration = Duration::from_secs(12);

/// What step 5 keeps between touches.
#[derive(Debug, Default, Clone)]
pub struct State {
    pub frame: Frame,
    pub month: Option<(i32, u32)>,
    /// Whether `slots` holds the office's availability yet (the calendar shows nothing before).
    pub slots_loaded: bool,
    pub slots: Vec<Slot>,
    pub day: Option<NaiveDate>,
    /// The review before Confirm shows instead of the calendar.
    pub reviewing: bool,
}

/// The office's availability arrived: the calendar opens on the first month with a free day.
pub fn slots_loaded(st: &mut State, v: &Visit, slots: Result<Vec<Slot>, EngineError>, now: DateTime<Utc>) {
    match slots {
        Ok(slots) => {
            st.slots = slots;
            st.slots_loaded = true;
            if st.month.is_none()
                && let Some(office) = v.session.office()
            {
                st.month = calendar::first_free_month(office, &st.slots, now);
            }
            if calendar::all_full(&st.slots) {
                st.frame.errors = Some(words::office_full());
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "loading the calendar");
            st.frame.errors = Some(words::unreachable());
        }
    }
}

pub fn change_month(st: &mut State, v: &Visit, delta: i32, now: DateTime<Utc>) {
    let Some(office) = v.session.office() else { return };
    let today = kiosk_core::time::office_date(office.tz, now);
    let shown = st.month.unwrap_or((today.year(), today.month()));
    st.month = Some(calendar::step_month(today, shown, delta));
    st.day = None;
}

pub fn choose_day(st: &mut State, date: &str) {
    st.day = NaiveDate::from_str(date).ok();
}

/// Picks a time: the session records it and says which earlier holds to release.
pub fn choose_time(st: &mut State, v: &mut Visit, id: &str, now: DateTime<Utc>) -> Option<(Slot, Vec<Hold>)> {
    let slot = st.slots.iter().find(|s| s.id.0 == id)?.clone();
    match v.session.choose_slot(slot.clone(), now) {
        Ok(()) => {
            st.frame.errors = None;
            Some((slot, v.session.take_released_holds()))
        }
        Err(e) => {
            st.frame.errors = Some(Msg::explain(e));
            None
        }
    }
}

/// The server's answer to a hold (or its renewal) on `slot`.
pub fn held(st: &mut State, v: &mut Visit, slot: &Slot, hold: Result<ServerHold, EngineError>) {
    match hold {
        Ok(h) => {
            let hold = Hold {
                id: h.id.as_str().into(),
                slot: h.slot_id.as_str().into(),
                expires_at: h.expires_at,
            };
            if let Err(e) = v.session.set_hold(hold) {
                st.frame.errors = Some(Msg::explain(e));
            }
        }
        Err(EngineError::Api(e)) if e.kind().is_some() => {
            // Taken or full meanwhile: the place is no longer there.
            calendar::mark_full(&mut st.slots, &slot.id);
            st.frame.errors = Some(words::slot_taken());
        }
        Err(e) => {
            tracing::warn!(error = %e, "holding a slot");
            st.frame.errors = Some(words::unreachable());
        }
    }
}

/// The hold to renew now (less than a minute left), unless an answer is awaited.
pub fn hold_to_renew(st: &State, v: &Visit, now: DateTime<Utc>) -> Option<Hold> {
    if st.frame.busy {
        return None;
    }
    let hold = v.session.hold()?;
    hold.needs_renewal(now).then(|| hold.clone())
}

/// The hold ran out before the visitor confirmed: they are told to choose again (once).
pub fn hold_lapsed(st: &mut State, v: &Visit, now: DateTime<Utc>) -> bool {
    let lapsed = v.session.hold().is_some_and(|h| !h.is_live(now));
    if lapsed && st.frame.errors.is_none() {
        // Back to the calendar: the time reviewed is no longer held.
        st.reviewing = false;
        st.frame.errors = Some(words::hold_ran_out());
        return true;
    }
    false
}

/// Next on the calendar: the review, once the booking is complete (a time held); otherwise
/// what is missing, and the calendar stays.
pub fn review(st: &mut State, v: &Visit, now: DateTime<Utc>) {
    match v.session.booking_request(now) {
        Ok(_) => {
            st.frame.errors = None;
            st.reviewing = true;
        }
        Err(e) => st.frame.errors = Some(Msg::explain(e)),
    }
}

/// What to send to confirm, or why not.
pub fn booking_request(st: &mut State, v: &Visit, lang: Language, now: DateTime<Utc>) -> Option<BookingRequest> {
    match v.session.booking_request(now) {
        Ok(visit) => {
            st.frame.errors = None;
            Some(BookingRequest::from_visit(
                &visit,
                v.account.as_ref().map(|a| a.token.clone()),
                lang,
            ))
        }
        Err(e) => {
            st.frame.errors = Some(Msg::explain(e));
            None
        }
    }
}

/// What the confirmation became. Returns whether to show the confirmation screen.
pub fn confirmed(st: &mut State, v: &mut Visit, outcome: Result<ConfirmOutcome, EngineError>) -> bool {
    match outcome {
        Ok(ConfirmOutcome::Confirmed(b)) => {
            let slot = SlotId(b.slot_id.clone());
            if let Err(e) = v.session.confirm(b.code.clone(), &slot) {
                // The server's word wins: the booking exists, whatever the visit thought.
                tracing::error!(error = %e, code = %b.code, "confirmation for another slot than the visit's");
            }
            v.outcome = Some(Outcome::Confirmed(b));
            true
        }
        Ok(ConfirmOutcome::SlotTaken) => {
            if let Some(slot) = v.session.slot().cloned() {
                calendar::mark_full(&mut st.slots, &slot.id);
            }
            st.reviewing = false;
            st.frame.errors = Some(words::slot_taken());
            false
        }
        Ok(ConfirmOutcome::Rejected(problem)) => {
            tracing::warn!(problem = problem.name(), detail = %problem.detail, "confirmation refused");
            st.reviewing = false;
            st.frame.errors = Some(if problem.kind().is_hold_gone() {
                words::hold_ran_out()
            } else {
                words::request_refused()
            });
            false
        }
        Ok(ConfirmOutcome::Pending { outbox_id }) => {
            let reference = kiosk_core::slip::RequestReference::of_key(&outbox_id.to_string())
                .map_err(|e| tracing::error!(error = %e, "the outbox key makes no reference"))
                .ok();
            v.outcome = Some(Outcome::Pending(reference));
            true
        }
        Ok(ConfirmOutcome::Delivered) => {
            tracing::error!("a confirmation answered as a plain delivery");
            v.outcome = Some(Outcome::Pending(None));
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "the confirmation could not even be queued");
            st.frame.errors = Some(words::request_not_saved());
            false
        }
    }
}

/// Shows step 5 in `lang`.
pub fn render_into(g: &Calendar<'_>, st: &State, v: &Visit, lang: Language) {
    crate::render_frame!(g, Step::DateTime, st.frame, lang);
    view::render_calendar(g, st, v, lang, Utc::now());
    crate::put!(g, get_reviewing, set_reviewing, st.reviewing);
    let lines = if st.reviewing {
        review::lines(v, lang)
    } else {
        Vec::new()
    };
    crate::fill!(g, get_review, set_review, lines);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn slot(id: &str, remaining: u32) -> Slot {
        Slot {
            id: SlotId(id.into()),
            office: "LAX".into(),
            start: Utc.with_ymd_and_hms(2027, 1, 5, 17, 0, 0).single().expect("a time"),
            minutes: 20,
            capacity: 2,
            remaining,
        }
    }

    fn api_error(kind: &str) -> EngineError {
        let problem: kiosk_sync::api::Problem = serde_json::from_value(serde_json::json!({
            "type": format!("urn:citas:problem:{kind}"), "title": kind, "detail": "",
        }))
        .expect("a problem");
        EngineError::Api(kiosk_sync::ApiError::Refused { status: 409, problem })
    }

    #[test]
    fn a_time_taken_meanwhile_is_marked_full_and_the_visitor_told() {
        let mut st = State {
            slots: vec![slot("a", 2), slot("b", 1)],
            ..State::default()
        };
        held(
            &mut st,
            &mut Visit::default(),
            &slot("b", 1),
            Err(api_error("slot-taken")),
        );
        assert_eq!(st.slots[1].remaining, 0, "the taken time shows full");
        assert_eq!(st.slots[0].remaining, 2);
        assert!(
            st.frame
                .errors
                .expect("told")
                .text(Language::En)
                .contains("Someone else")
        );
    }

    #[test]
    fn a_network_failure_while_holding_marks_nothing_full() {
        let mut st = State {
            slots: vec![slot("a", 2)],
            ..State::default()
        };
        held(
            &mut st,
            &mut Visit::default(),
            &slot("a", 2),
            Err(EngineError::Worker("gone".into())),
        );
        assert_eq!(st.slots[0].remaining, 2);
        assert!(st.frame.errors.is_some());
    }

    #[test]
    fn no_hold_is_renewed_without_one_or_while_an_answer_is_awaited() {
        let v = Visit::default();
        assert!(
            hold_to_renew(&State::default(), &v, Utc::now()).is_none(),
            "nothing held"
        );
        let busy = State {
            frame: Frame {
                busy: true,
                ..Frame::default()
            },
            ..State::default()
        };
        assert!(hold_to_renew(&busy, &v, Utc::now()).is_none());
    }

    #[test]
    fn a_confirmation_left_in_the_outbox_shows_as_pending_never_as_confirmed() {
        let (mut st, mut v) = (State::default(), Visit::default());
        let shown = confirmed(
            &mut st,
            &mut v,
            Ok(ConfirmOutcome::Pending {
                outbox_id: uuid::Uuid::nil(),
            }),
        );
        assert!(shown);
        assert!(matches!(v.outcome, Some(Outcome::Pending(Some(_)))));
    }

    #[test]
    fn a_confirmation_that_could_not_be_queued_stays_on_the_step_and_says_so() {
        let (mut st, mut v) = (State::default(), Visit::default());
        assert!(!confirmed(&mut st, &mut v, Err(EngineError::Worker("disk".into()))));
        assert!(v.outcome.is_none());
        assert!(st.frame.errors.is_some());
    }
}

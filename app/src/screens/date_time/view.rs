//! Step 5 on screen: the month's calendar (each day's availability in a word as well as a
//! colour), the free times of the day chosen, and the hold's countdown.

use chrono::{DateTime, Datelike, Utc};
use kiosk_core::Language;
use kiosk_core::availability::Availability;
use kiosk_core::calendar;
use kiosk_core::time::{AppointmentTime, date_label};
use slint::SharedString;

use super::State;
use crate::ui::{Calendar, DayCell};
use crate::view::{choice, s};
use crate::visit::Visit;

/// The hold's line, as of `now`: what is held, and how long is left to confirm it.
pub fn hold_text(v: &Visit, lang: Language, now: DateTime<Utc>) -> String {
    let (Some(slot), Some(hold), Some(office)) = (v.session.slot(), v.session.hold(), v.session.office()) else {
        return String::new();
    };
    let left = hold.seconds_left(now);
    let at = AppointmentTime::new(slot.start, office.tz).label(lang);
    match lang {
        Language::Es => format!(
            "Apartamos para usted: {at}. Confirme en {}:{:02} min.",
            left / 60,
            left % 60
        ),
        Language::En => format!("Held for you: {at}. Confirm within {}:{:02} min.", left / 60, left % 60),
    }
}

fn level(a: Availability) -> i32 {
    match a {
        Availability::High => 4,
        Availability::Medium => 3,
        Availability::Low => 2,
        Availability::Full => 1,
        Availability::Closed => 0,
    }
}

/// Empties the calendar (before the office's availability arrived).
fn clear(g: &Calendar<'_>) {
    crate::fill!(g, get_days, set_days, Vec::new());
    crate::fill!(g, get_times, set_times, Vec::new());
    crate::put!(g, get_month_label, set_month_label, SharedString::new());
    crate::put!(g, get_day_label, set_day_label, SharedString::new());
    crate::put!(g, get_chosen_time, set_chosen_time, SharedString::new());
    crate::put!(g, get_hold_text, set_hold_text, SharedString::new());
}

/// The month shown, its days, the day's times and the hold, in `lang`.
pub fn render_calendar(g: &Calendar<'_>, st: &State, v: &Visit, lang: Language, now: DateTime<Utc>) {
    let Some(office) = v.session.office() else {
        clear(g);
        return;
    };
    if !st.slots_loaded {
        clear(g);
        return;
    }
    let today = kiosk_core::time::office_date(office.tz, now);
    let (y, m) = st.month.unwrap_or((today.year(), today.month()));
    let Some(month) = calendar::month(office, y, m, &st.slots, now) else {
        return;
    };
    crate::put!(g, get_month_label, set_month_label, s(month.label(lang)));
    crate::fill!(
        g,
        get_legend,
        set_legend,
        [
            Availability::High,
            Availability::Medium,
            Availability::Low,
            Availability::Full,
        ]
        .into_iter()
        .map(|a| s(a.label(lang)))
        .collect(),
    );
    crate::put!(
        g,
        get_leading_blanks,
        set_leading_blanks,
        i32::try_from(month.leading_blanks).unwrap_or(0)
    );
    crate::put!(
        g,
        get_can_go_earlier,
        set_can_go_earlier,
        (y, m) > (today.year(), today.month())
    );
    crate::fill!(
        g,
        get_days,
        set_days,
        month
            .days
            .iter()
            .map(|d| DayCell {
                date: s(d.date.to_string()),
                day: i32::try_from(d.date.day()).unwrap_or(0),
                label: s(d.level.short_label(lang)),
                long_label: s(d.level.label(lang)),
                level: level(d.level),
                selectable: d.is_selectable(),
                selected: st.day == Some(d.date),
            })
            .collect(),
    );
    if let Some(day) = st.day {
        crate::put!(g, get_day_label, set_day_label, s(date_label(day, lang)));
        let times = calendar::free_times(office, day, &st.slots, now);
        crate::fill!(
            g,
            get_times,
            set_times,
            times
                .iter()
                .map(|slot| choice(&slot.id.0, AppointmentTime::new(slot.start, office.tz).time_label(lang)))
                .collect(),
        );
    } else {
        crate::put!(g, get_day_label, set_day_label, SharedString::new());
        crate::fill!(g, get_times, set_times, Vec::new());
    }
    crate::put!(
        g,
        get_chosen_time,
        set_chosen_time,
        s(v.session.slot().map_or("", |sl| sl.id.0.as_str()))
    );
    crate::put!(g, get_hold_text, set_hold_text, s(hold_text(v, lang, now)));
}

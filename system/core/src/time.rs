//! Appointment times. A slot is an instant (UTC) that belongs to an office; the visitor always
//! reads it in the office's own time zone, whatever zone the kiosk or the server runs in. This
//! is the one place that turns a time into words for the visitor.
//!
//! Offices without daylight saving (Phoenix) and the days the clocks change are handled by
//! `chrono-tz`: a local time that does not exist that day (spring forward) has no slot, and a
//! local time that happens twice (fall back) means its first occurrence.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::lang::Language;

/// The instant a local wall-clock time names in `tz`: `None` when the clocks skip it that day,
/// the earlier instant when they pass it twice.
pub fn office_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&NaiveDateTime::new(date, time)) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// The office's calendar day an instant falls on.
pub fn office_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// An appointment's start, with the office zone it is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppointmentTime {
    pub start: DateTime<Utc>,
    pub tz: Tz,
}

impl AppointmentTime {
    pub fn new(start: DateTime<Utc>, tz: Tz) -> Self {
        AppointmentTime { start, tz }
    }

    pub fn local(&self) -> DateTime<Tz> {
        self.start.with_timezone(&self.tz)
    }

    /// The office's calendar day.
    pub fn date(&self) -> NaiveDate {
        self.local().date_naive()
    }

    /// "martes 3 de marzo de 2026" / "Tuesday, March 3, 2026".
    pub fn date_label(&self, lang: Language) -> String {
        date_label(self.date(), lang)
    }

    /// "10:30 h (PST)" / "10:30 AM (PST)": the zone abbreviation tells a visitor whose phone is
    /// in another zone which clock the time is on.
    pub fn time_label(&self, lang: Language) -> String {
        let local = self.local();
        let zone = local.format("%Z");
        match lang {
            Language::Es => format!("{:02}:{:02} h ({zone})", local.hour(), local.minute()),
            Language::En => {
                let (pm, h12) = local.hour12();
                let ampm = if pm { "PM" } else { "AM" };
                format!("{h12}:{:02} {ampm} ({zone})", local.minute())
            }
        }
    }

    /// Date and time together, as on the ticket and the confirmation screen.
    pub fn label(&self, lang: Language) -> String {
        let sep = lang.pick(", a las ", " at ");
        format!("{}{sep}{}", self.date_label(lang), self.time_label(lang))
    }
}

/// A calendar day written out for the visitor.
pub fn date_label(date: NaiveDate, lang: Language) -> String {
    let weekday = weekday_name(date.weekday(), lang);
    let month = month_name(date.month(), lang);
    match lang {
        Language::Es => format!("{weekday} {} de {month} de {}", date.day(), date.year()),
        Language::En => format!("{weekday}, {month} {}, {}", date.day(), date.year()),
    }
}

/// A month's name; Spanish writes it in lower case.
pub fn month_name(month: u32, lang: Language) -> &'static str {
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = usize::try_from(month.clamp(1, 12) - 1).unwrap_or(0);
    lang.pick(ES[i], EN[i])
}

/// A weekday's name; Spanish writes it in lower case.
pub fn weekday_name(day: Weekday, lang: Language) -> &'static str {
    const ES: [&str; 7] = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let i = day.num_days_from_monday() as usize;
    lang.pick(ES[i], EN[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn reads_a_los_angeles_slot_in_pacific_time() {
        let at = office_instant(chrono_tz::America::Los_Angeles, d(2026, 3, 3), t(10, 30)).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-03-03T18:30:00+00:00");
        let a = AppointmentTime::new(at, chrono_tz::America::Los_Angeles);
        assert_eq!(a.label(Language::Es), "martes 3 de marzo de 2026, a las 10:30 h (PST)");
        assert_eq!(a.label(Language::En), "Tuesday, March 3, 2026 at 10:30 AM (PST)");
    }

    #[test]
    fn phoenix_keeps_the_same_offset_all_year() {
        let tz = chrono_tz::America::Phoenix;
        let winter = office_instant(tz, d(2026, 1, 15), t(9, 0)).unwrap();
        let summer = office_instant(tz, d(2026, 7, 15), t(9, 0)).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-01-15T16:00:00+00:00");
        assert_eq!(summer.to_rfc3339(), "2026-07-15T16:00:00+00:00");
        // On the US spring-forward day, 02:30 exists in Phoenix.
        assert!(office_instant(tz, d(2026, 3, 8), t(2, 30)).is_some());
    }

    #[test]
    fn a_time_skipped_by_spring_forward_has_no_slot() {
        let tz = chrono_tz::America::Los_Angeles;
        assert_eq!(office_instant(tz, d(2026, 3, 8), t(2, 30)), None);
        let after = office_instant(tz, d(2026, 3, 8), t(9, 0)).unwrap();
        assert_eq!(after.to_rfc3339(), "2026-03-08T16:00:00+00:00");
    }

    #[test]
    fn a_time_repeated_by_fall_back_means_its_first_occurrence() {
        let tz = chrono_tz::America::New_York;
        let at = office_instant(tz, d(2026, 11, 1), t(1, 30)).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-01T05:30:00+00:00");
        assert_eq!(AppointmentTime::new(at, tz).time_label(Language::En), "1:30 AM (EDT)");
    }

    #[test]
    fn a_slot_belongs_to_the_office_day_not_the_utc_day() {
        // 17:00 in Los Angeles is already the next day in UTC.
        let tz = chrono_tz::America::Los_Angeles;
        let at = office_instant(tz, d(2026, 6, 30), t(17, 0)).unwrap();
        assert_eq!(at.date_naive(), d(2026, 7, 1));
        assert_eq!(office_date(tz, at), d(2026, 6, 30));
    }

    #[test]
    fn writes_dates_in_each_language() {
        assert_eq!(
            date_label(d(2026, 9, 16), Language::Es),
            "miércoles 16 de septiembre de 2026"
        );
        assert_eq!(
            date_label(d(2026, 9, 16), Language::En),
            "Wednesday, September 16, 2026"
        );
        assert_eq!(
            AppointmentTime::new(
                office_instant(chrono_tz::America::Toronto, d(2026, 12, 1), t(15, 5)).unwrap(),
                chrono_tz::America::Toronto
            )
            .time_label(Language::En),
            "3:05 PM (EST)"
        );
    }
}

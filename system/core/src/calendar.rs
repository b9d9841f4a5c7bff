//! Step 5's calendar: a month of an office's days, each with its availability level, and the
//! free times of a chosen day. Days and times are the office's own (its time zone), whatever
//! the zone of the kiosk or the server; what has already begun is never offered.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::availability::Availability;
use crate::lang::Language;
use crate::office::{Office, Slot, SlotId};
use crate::time::{self, office_date};

/// One day of the month grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub level: Availability,
    /// Free places over the day's bookable slots.
    pub free: u32,
}

impl CalendarDay {
    pub fn is_selectable(&self) -> bool {
        self.level.is_selectable()
    }
}

/// A month as the calendar shows it, weeks starting on Monday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    /// Empty cells before the 1st (0 when the month starts on a Monday).
    pub leading_blanks: u32,
    pub days: Vec<CalendarDay>,
}

impl Month {
    /// "marzo de 2026" / "March 2026".
    pub fn label(&self, lang: Language) -> String {
        let name = time::month_name(self.month, lang);
        match lang {
            Language::Es => format!("{name} de {}", self.year),
            Language::En => format!("{name} {}", self.year),
        }
    }
}

/// Whether a slot can still be offered at `now`: of this office, not begun, a place free.
fn bookable(office: &Office, slot: &Slot, now: DateTime<Utc>) -> bool {
    slot.office == office.id && slot.start > now && slot.remaining > 0
}

/// The month `year`-`month` of `office`, its days coloured from `slots`. Days before today (in
/// the office's zone) and days without slots are closed.
pub fn month(office: &Office, year: i32, month: u32, slots: &[Slot], now: DateTime<Utc>) -> Option<Month> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let today = office_date(office.tz, now);
    let mut days = Vec::new();
    let mut date = first;
    while date < next {
        let of_day: Vec<&Slot> = slots
            .iter()
            .filter(|s| s.office == office.id && office_date(office.tz, s.start) == date)
            .collect();
        let (level, free) = if date < today || of_day.is_empty() {
            (Availability::Closed, 0)
        } else {
            // Slots already begun today count neither as capacity nor as free places.
            let open: Vec<&&Slot> = of_day.iter().filter(|s| s.start > now).collect();
            let level = Availability::of_day(open.iter().map(|s| (s.capacity, s.remaining)), office.thresholds);
            (level, open.iter().map(|s| s.remaining.min(s.capacity)).sum())
        };
        days.push(CalendarDay { date, level, free });
        date += Duration::days(1);
    }
    Some(Month {
        year,
        month,
        leading_blanks: first.weekday().num_days_from_monday(),
        days,
    })
}

/// The free times of `date` (office zone), earliest first.
pub fn free_times<'a>(office: &Office, date: NaiveDate, slots: &'a [Slot], now: DateTime<Utc>) -> Vec<&'a Slot> {
    let mut out: Vec<&Slot> = slots
        .iter()
        .filter(|s| bookable(office, s, now) && office_date(office.tz, s.start) == date)
        .collect();
    out.sort_by_key(|s| s.start);
    out
}

/// How many months past the current one the calendar lets the visitor page to (the server
/// publishes slots about 120 days ahead).
pub const MONTHS_AHEAD: i32 = 4;

/// The month shown after paging `delta` months from `shown` (year, month 1-12), never before
/// `today`'s month nor more than [`MONTHS_AHEAD`] after it.
pub fn step_month(today: NaiveDate, shown: (i32, u32), delta: i32) -> (i32, u32) {
    let index = |y: i32, m: u32| y * 12 + i32::try_from(m).unwrap_or(1) - 1;
    let earliest = index(today.year(), today.month());
    let wanted = (index(shown.0, shown.1) + delta).clamp(earliest, earliest + MONTHS_AHEAD);
    (
        wanted.div_euclid(12),
        u32::try_from(wanted.rem_euclid(12)).unwrap_or(0) + 1,
    )
}

/// How far ahead the calendar offers days (the server publishes about this far).
pub const HORIZON_DAYS: i64 = 120;

/// The span of time whose slots the calendar shows, from `now`.
pub fn horizon(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now, now + Duration::days(HORIZON_DAYS))
}

/// The month the calendar opens on: the first (in the office's zone) with a free time still to
/// come; `None` when there is none.
pub fn first_free_month(office: &Office, slots: &[Slot], now: DateTime<Utc>) -> Option<(i32, u32)> {
    slots
        .iter()
        .filter(|s| s.remaining > 0 && s.start > now)
        .map(|s| office_date(office.tz, s.start))
        .min()
        .map(|d| (d.year(), d.month()))
}

/// The server said `id` is taken (or full): the calendar shows no place left in it until the
/// next sync says otherwise.
pub fn mark_full(slots: &mut [Slot], id: &SlotId) {
    for s in slots.iter_mut().filter(|s| &s.id == id) {
        s.remaining = 0;
    }
}

/// Whether no slot has a place left (the office has nothing to offer for now).
pub fn all_full(slots: &[Slot]) -> bool {
    slots.iter().all(|s| s.remaining == 0)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{NaiveTime, TimeZone};

    use super::*;

    #[test]
    fn pages_months_from_this_one_to_four_ahead_across_a_year_end() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        assert_eq!(step_month(today, (2026, 11), 1), (2026, 12));
        assert_eq!(step_month(today, (2026, 12), 1), (2027, 1));
        assert_eq!(step_month(today, (2027, 3), 1), (2027, 3), "four months ahead at most");
        assert_eq!(step_month(today, (2026, 11), -1), (2026, 11), "never before this month");
    }
    use crate::availability::Thresholds;
    use crate::catalogue::Procedure;
    use crate::country::CountryCode;
    use crate::office::{OfficeId, SlotId};
    use crate::time::office_instant;

    fn office(tz: chrono_tz::Tz) -> Office {
        Office {
            id: OfficeId::from("LAX"),
            name: "Consulado General de México en Los Ángeles".into(),
            country: CountryCode::US,
            tz,
            procedures: BTreeSet::from([Procedure::Passport]),
            thresholds: Thresholds::default(),
        }
    }

    fn slot(o: &Office, date: NaiveDate, h: u32, m: u32, capacity: u32, remaining: u32) -> Slot {
        let start = office_instant(o.tz, date, NaiveTime::from_hms_opt(h, m, 0).unwrap()).unwrap();
        Slot {
            id: SlotId(format!("{date}-{h}{m}")),
            office: o.id.clone(),
            start,
            minutes: 20,
            capacity,
            remaining,
        }
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn lays_out_the_month_from_monday_and_colours_each_day() {
        let o = office(chrono_tz::America::Los_Angeles);
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap(); // 08:00 in Los Angeles
        let slots = vec![
            slot(&o, d(3), 9, 0, 4, 4),
            slot(&o, d(3), 9, 20, 4, 4),
            slot(&o, d(4), 9, 0, 4, 1),
            slot(&o, d(7), 9, 0, 4, 0),
            slot(&o, d(1), 9, 0, 4, 4),
        ];
        let m = month(&o, 2026, 12, &slots, now).unwrap();
        assert_eq!(m.leading_blanks, 1, "1 December 2026 is a Tuesday");
        assert_eq!(m.days.len(), 31);
        let level = |day: u32| m.days[usize::try_from(day - 1).unwrap()].level;
        assert_eq!(level(3), Availability::High);
        assert_eq!(level(4), Availability::Medium);
        assert_eq!(level(7), Availability::Full);
        assert_eq!(level(1), Availability::Closed, "yesterday is closed whatever its slots");
        assert_eq!(level(5), Availability::Closed, "no slots");
        assert_eq!(m.days[2].free, 8);
        assert_eq!(m.label(Language::Es), "diciembre de 2026");
        assert_eq!(m.label(Language::En), "December 2026");
    }

    #[test]
    fn a_late_slot_belongs_to_the_office_day_not_the_utc_day() {
        let o = office(chrono_tz::America::Los_Angeles);
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 16, 0, 0).unwrap();
        // 17:00 on the 3rd in Los Angeles is already the 4th in UTC.
        let slots = vec![slot(&o, d(3), 17, 0, 2, 2)];
        let m = month(&o, 2026, 12, &slots, now).unwrap();
        assert_eq!(m.days[2].level, Availability::High);
        assert_eq!(m.days[3].level, Availability::Closed);
        assert_eq!(free_times(&o, d(3), &slots, now).len(), 1);
    }

    #[test]
    fn never_offers_a_time_that_has_begun_or_is_full() {
        let o = office(chrono_tz::America::Phoenix);
        let slots = vec![
            slot(&o, d(3), 8, 0, 2, 2),
            slot(&o, d(3), 8, 20, 2, 0),
            slot(&o, d(3), 8, 40, 2, 1),
        ];
        let now = office_instant(o.tz, d(3), NaiveTime::from_hms_opt(8, 10, 0).unwrap()).unwrap();
        let times: Vec<&str> = free_times(&o, d(3), &slots, now)
            .iter()
            .map(|s| s.id.0.as_str())
            .collect();
        assert_eq!(times, vec!["2026-12-03-840"]);
        let m = month(&o, 2026, 12, &slots, now).unwrap();
        assert_eq!(m.days[2].free, 1);
        assert_eq!(
            m.days[2].level,
            Availability::Medium,
            "1 of the 4 places not yet begun is free"
        );
    }

    #[test]
    fn ignores_slots_of_another_office() {
        let o = office(chrono_tz::America::Los_Angeles);
        let mut other = slot(&o, d(3), 9, 0, 4, 4);
        other.office = OfficeId::from("SAN");
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 16, 0, 0).unwrap();
        assert_eq!(
            month(&o, 2026, 12, &[other.clone()], now).unwrap().days[2].level,
            Availability::Closed
        );
        assert!(free_times(&o, d(3), &[other], now).is_empty());
    }

    #[test]
    fn rejects_a_month_that_does_not_exist() {
        let o = office(chrono_tz::America::Los_Angeles);
        assert!(month(&o, 2026, 13, &[], Utc::now()).is_none());
    }

    #[test]
    fn the_calendar_opens_on_the_first_month_with_a_free_time_to_come() {
        let o = office(chrono_tz::America::Los_Angeles);
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap();
        let jan = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let slots = vec![
            slot(&o, d(1), 9, 0, 4, 4),  // free, but already past
            slot(&o, d(20), 9, 0, 4, 0), // to come, but full
            slot(&o, jan, 9, 0, 4, 2),
        ];
        assert_eq!(first_free_month(&o, &slots, now), Some((2027, 1)));
        assert_eq!(first_free_month(&o, &slots[..2], now), None);
    }

    #[test]
    fn a_month_is_the_offices_own_at_a_month_end() {
        // 31 Dec 23:30 in Los Angeles is already January in UTC: the office's month counts.
        let o = office(chrono_tz::America::Los_Angeles);
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap();
        let slots = vec![slot(&o, d(31), 23, 30, 4, 1)];
        assert_eq!(slots[0].start.month(), 1);
        assert_eq!(first_free_month(&o, &slots, now), Some((2026, 12)));
    }

    #[test]
    fn a_slot_taken_meanwhile_shows_no_place_left() {
        let o = office(chrono_tz::America::Los_Angeles);
        let mut slots = vec![slot(&o, d(3), 9, 0, 4, 3), slot(&o, d(3), 9, 20, 4, 4)];
        let taken = slots[0].id.clone();
        assert!(!all_full(&slots));
        mark_full(&mut slots, &taken);
        assert_eq!((slots[0].remaining, slots[1].remaining), (0, 4));
        let other = slots[1].id.clone();
        mark_full(&mut slots, &other);
        assert!(all_full(&slots));
    }

    #[test]
    fn the_horizon_is_a_hundred_and_twenty_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap();
        let (from, to) = horizon(now);
        assert_eq!((to - from).num_days(), 120);
        assert_eq!(from, now);
    }
}

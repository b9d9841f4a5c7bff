//! Offices, their slots and the holds the server grants on them, as the session sees them.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::availability::Thresholds;
use crate::catalogue::Procedure;
use crate::country::CountryCode;
use crate::time::AppointmentTime;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }
    };
}

id_type!(
    /// The central server's identifier of a consular office (`LAX`, `PHX`...).
    OfficeId
);
id_type!(
    /// The central server's identifier of a slot.
    SlotId
);
id_type!(
    /// The central server's identifier of a hold.
    HoldId
);

/// A consular office, as far as the visit needs to know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub id: OfficeId,
    pub name: String,
    pub country: CountryCode,
    /// The zone every appointment of this office is read in.
    pub tz: Tz,
    /// The procedures this office offers.
    pub procedures: BTreeSet<Procedure>,
    pub thresholds: Thresholds,
}

/// An appointment slot of an office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: SlotId,
    pub office: OfficeId,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub capacity: u32,
    pub remaining: u32,
}

/// A slot held for this visitor by the server until `expires_at` (renewable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub id: HoldId,
    pub slot: SlotId,
    pub expires_at: DateTime<Utc>,
}

impl Hold {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }

    /// Whole seconds left, for the countdown on screen (0 once expired).
    pub fn seconds_left(&self, now: DateTime<Utc>) -> u64 {
        u64::try_from((self.expires_at - now).num_seconds()).unwrap_or(0)
    }

    /// Whether to renew the hold now: still live, with less than [`Hold::RENEW_BELOW_SECONDS`]
    /// left (a visitor still reading the screen keeps the time they chose).
    pub fn needs_renewal(&self, now: DateTime<Utc>) -> bool {
        self.is_live(now) && self.seconds_left(now) < Hold::RENEW_BELOW_SECONDS
    }

    /// A hold is renewed when fewer seconds than this are left.
    pub const RENEW_BELOW_SECONDS: u64 = 60;
}

/// The country a kiosk's visitors most likely live in: the one most of the catalogue's offices
/// are in (the kiosk stands in one of them); ties go to the first in alphabetical order.
pub fn most_common_country<'a>(countries: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for c in countries {
        *counts.entry(c).or_default() += 1;
    }
    // max_by_key keeps the last of equals: reversed, so the first code wins a tie.
    counts.into_iter().rev().max_by_key(|(_, n)| *n).map(|(c, _)| c)
}

/// The appointment a chosen slot stands for, read in its office's zone.
pub fn appointment_time(office: &Office, slot: &Slot) -> AppointmentTime {
    AppointmentTime::new(slot.start, office.tz)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_default_country_is_the_one_most_offices_are_in_and_a_tie_goes_alphabetically() {
        assert_eq!(most_common_country(["US", "CA", "US"]), Some("US"));
        assert_eq!(most_common_country(["US", "CA"]), Some("CA"));
        assert_eq!(most_common_country([]), None);
    }

    #[test]
    fn a_hold_is_renewed_in_its_last_minute_and_not_once_it_expired() {
        let expires_at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 5, 0).single().unwrap_or_default();
        let hold = Hold {
            id: HoldId("h".into()),
            slot: SlotId("s".into()),
            expires_at,
        };
        let at = |s: i64| expires_at - chrono::Duration::seconds(s);
        assert!(!hold.needs_renewal(at(61)));
        assert!(hold.needs_renewal(at(59)));
        assert!(hold.needs_renewal(at(1)));
        assert!(!hold.needs_renewal(at(0)), "expired: choose the time again instead");
    }
}

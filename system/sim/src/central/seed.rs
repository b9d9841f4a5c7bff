//! The simulator's seed: real consulates (from `fixtures/offices.json`, copied from the shared
//! fixtures and extended with hours, holidays and coordinates), their slots for the next 120
//! days, and a small CURP registry.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use kiosk_core::availability::Thresholds;
use kiosk_core::curp::{Sex, check_digit};
use serde::{Deserialize, Serialize};

/// How far ahead slots are generated.
pub const HORIZON_DAYS: i64 = 120;

const OFFICES_JSON: &str = include_str!("../../fixtures/offices.json");
const CENTROIDS_JSON: &str = include_str!("../../fixtures/postal_centroids.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hours {
    pub open: NaiveTime,
    pub close: NaiveTime,
    pub slot_minutes: u32,
    /// Service windows: how many visitors one slot takes.
    pub windows: u32,
    pub days: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfficeSeed {
    pub id: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub tz: Tz,
    pub phone: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub procedures: Vec<String>,
    pub thresholds: Thresholds,
    pub hours: Hours,
    /// `MM-DD` days closed besides the Mexican official holidays.
    pub holidays: Vec<String>,
}

#[derive(Deserialize)]
struct OfficesFile {
    offices: Vec<OfficeSeed>,
}

/// The seeded offices.
///
/// # Errors
/// Only if the fixture compiled into the binary is malformed (a test checks it is not).
pub fn offices() -> Result<Vec<OfficeSeed>, serde_json::Error> {
    serde_json::from_str::<OfficesFile>(OFFICES_JSON).map(|f| f.offices)
}

#[derive(Debug, Deserialize)]
pub struct Centroids {
    pub us_zip3: std::collections::HashMap<String, (f64, f64)>,
    pub us_zip1: std::collections::HashMap<String, (f64, f64)>,
    pub ca_fsa1: std::collections::HashMap<String, (f64, f64)>,
}

/// Approximate coordinates of a normalised postal code, where the seed knows its region.
pub fn locate(centroids: &Centroids, country: &str, postal: &str) -> Option<(f64, f64)> {
    match country {
        "US" => centroids
            .us_zip3
            .get(postal.get(..3)?)
            .or_else(|| centroids.us_zip1.get(postal.get(..1)?))
            .copied(),
        "CA" => centroids.ca_fsa1.get(postal.get(..1)?).copied(),
        _ => None,
    }
}

/// The compiled-in centroid table.
///
/// # Errors
/// Only if the fixture compiled into the binary is malformed (a test checks it is not).
pub fn centroids() -> Result<Centroids, serde_json::Error> {
    serde_json::from_str(CENTROIDS_JSON)
}

/// Great-circle distance in kilometres.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

/// Mexican official holidays consulates close for (Ley Federal del Trabajo, art. 74).
pub fn mexican_holiday(date: NaiveDate) -> bool {
    let y = date.year();
    let fixed = [(1, 1), (5, 1), (9, 16), (12, 25)];
    fixed.contains(&(date.month(), date.day()))
        || [
            nth_weekday(y, 2, Weekday::Mon, 1),
            nth_weekday(y, 3, Weekday::Mon, 3),
            nth_weekday(y, 11, Weekday::Mon, 3),
        ]
        .contains(&Some(date))
}

fn weekday_code(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// Whether the office takes appointments that day.
pub fn is_open(office: &OfficeSeed, date: NaiveDate) -> bool {
    let md = format!("{:02}-{:02}", date.month(), date.day());
    office.hours.days.iter().any(|d| d == weekday_code(date.weekday()))
        && !mexican_holiday(date)
        && !office.holidays.contains(&md)
}

/// A slot to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotSeed {
    pub id: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub minutes: u32,
    pub capacity: u32,
    /// Places already taken by bookings made elsewhere (web, phone).
    pub taken: u32,
}

/// A small deterministic hash, so the same day is always as full on every run.
fn mix(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The slots of one office on one day. Some days come nearly or entirely full so every
/// calendar colour appears.
pub fn day_slots(office: &OfficeSeed, date: NaiveDate) -> Vec<SlotSeed> {
    if !is_open(office, date) {
        return Vec::new();
    }
    let key = format!("{}{date}", office.id);
    let fill_percent: u64 = match mix(&key) % 10 {
        0..=4 => mix(&(key.clone() + "a")) % 30,
        5..=6 => 55 + mix(&(key.clone() + "b")) % 20,
        7..=8 => 85 + mix(&(key.clone() + "c")) % 12,
        _ => 100,
    };
    let mut out = Vec::new();
    let step = Duration::minutes(i64::from(office.hours.slot_minutes.max(5)));
    let mut t = office.hours.open;
    while t < office.hours.close {
        if let Some(start) = kiosk_core::time::office_instant(office.tz, date, t) {
            let capacity = office.hours.windows.max(1);
            let jitter = mix(&format!("{key}{t}")) % 100;
            let taken = if jitter < fill_percent {
                capacity
            } else {
                u32::try_from(u64::from(capacity) * fill_percent / 100).unwrap_or(capacity)
            };
            out.push(SlotSeed {
                id: format!("{}-{}-{}", office.id, date.format("%Y%m%d"), t.format("%H%M")),
                start,
                minutes: office.hours.slot_minutes,
                capacity,
                taken: taken.min(capacity),
            });
        }
        let (next, wrapped) = t.overflowing_add_signed(step);
        if wrapped != 0 {
            break;
        }
        t = next;
    }
    out
}

/// A person the simulated RENAPO lookup knows.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub curp: String,
    pub given_names: &'static str,
    pub first_last_name: &'static str,
    pub second_last_name: Option<&'static str>,
    pub sex: Sex,
}

/// The CURP registry: the first 17 characters and the names; the check digit is computed.
pub fn people() -> Vec<Person> {
    let rows: [(&str, &str, &str, Option<&str>, Sex); 5] = [
        ("GODE561231HDFRRN0", "Enrique", "González", Some("Durán"), Sex::Male),
        (
            "LOMM900517MJCPRR0",
            "María José",
            "López",
            Some("Martínez"),
            Sex::Female,
        ),
        ("PEHA030722HNERRLA", "Alejandro", "Pérez", Some("Hernández"), Sex::Male),
        ("RAGS951108XBCMRM0", "Sam", "Ramírez", Some("García"), Sex::NonBinary),
        ("NUGM850214MOCXXR0", "Marta", "Núñez", Some("Güemes"), Sex::Female),
    ];
    rows.into_iter()
        .filter_map(|(first17, given, first, second, sex)| {
            let digit = check_digit(first17)?;
            Some(Person {
                curp: format!("{first17}{digit}"),
                given_names: given,
                first_last_name: first,
                second_last_name: second,
                sex,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::curp::Curp;

    #[test]
    fn fixtures_parse_and_hold_the_ten_real_consulates() {
        let o = offices().unwrap();
        assert_eq!(o.len(), 10);
        assert!(o.iter().any(|o| o.id == "PHX" && o.tz == chrono_tz::America::Phoenix));
        assert!(o.iter().all(|o| !o.postal_code.contains(' ')));
        centroids().unwrap();
    }

    #[test]
    fn every_registry_curp_is_valid() {
        for p in people() {
            assert!(Curp::parse(&p.curp).is_ok(), "{}", p.curp);
        }
        assert_eq!(people().len(), 5);
    }

    #[test]
    fn closes_on_mexican_holidays_and_weekends() {
        let o = offices().unwrap().into_iter().find(|o| o.id == "CHI").unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(day_slots(&o, d(2026, 9, 16)).is_empty());
        assert!(day_slots(&o, d(2026, 11, 16)).is_empty()); // third Monday of November
        assert!(day_slots(&o, d(2026, 11, 29)).is_empty()); // Sunday
        assert!(!day_slots(&o, d(2026, 11, 30)).is_empty());
    }

    #[test]
    fn generates_every_availability_level_over_the_horizon() {
        use kiosk_core::availability::Availability;
        let o = offices().unwrap().into_iter().find(|o| o.id == "LAX").unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut seen = std::collections::HashSet::new();
        for i in 0..HORIZON_DAYS {
            let slots = day_slots(&o, first + Duration::days(i));
            seen.insert(Availability::of_day(
                slots.iter().map(|s| (s.capacity, s.capacity - s.taken)),
                o.thresholds,
            ));
        }
        assert_eq!(seen.len(), 5, "{seen:?}");
    }

    #[test]
    fn finds_the_nearest_centroid() {
        let c = centroids().unwrap();
        assert_eq!(locate(&c, "US", "90057"), Some((34.05, -118.25)));
        assert_eq!(locate(&c, "US", "99501"), Some((37.0, -120.0)));
        assert_eq!(locate(&c, "CA", "H3A1V4"), Some((45.5, -73.6)));
        let la_to_sd = distance_km((34.05, -118.25), (32.72, -117.17));
        assert!((170.0..190.0).contains(&la_to_sd), "{la_to_sd}");
    }
}

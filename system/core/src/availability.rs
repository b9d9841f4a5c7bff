//! How full a day is, as the calendar of step 5 shows it: a colour *and* a text label, so a
//! visitor who cannot tell green from orange reads the same information.

use serde::{Deserialize, Serialize};

use crate::lang::Language;

/// An office's thresholds, in percent of capacity still free: at or above `high` a day is
/// green, at or above `low` yellow, below it orange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawThresholds")]
pub struct Thresholds {
    high: u8,
    low: u8,
}

#[derive(Deserialize)]
struct RawThresholds {
    high: u8,
    low: u8,
}

/// Thresholds that are not `0 < low < high <= 100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("availability thresholds must satisfy 0 < low < high <= 100 (got low {low}, high {high})")]
pub struct BadThresholds {
    pub high: u8,
    pub low: u8,
}

impl Thresholds {
    pub fn new(high: u8, low: u8) -> Result<Thresholds, BadThresholds> {
        if 0 < low && low < high && high <= 100 {
            Ok(Thresholds { high, low })
        } else {
            Err(BadThresholds { high, low })
        }
    }

    pub fn high(self) -> u8 {
        self.high
    }

    pub fn low(self) -> u8 {
        self.low
    }
}

impl Default for Thresholds {
    /// Green from half the capacity free, orange under a fifth.
    fn default() -> Self {
        Thresholds { high: 50, low: 20 }
    }
}

impl TryFrom<RawThresholds> for Thresholds {
    type Error = BadThresholds;
    fn try_from(r: RawThresholds) -> Result<Self, Self::Error> {
        Thresholds::new(r.high, r.low)
    }
}

/// A day's availability level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Green.
    High,
    /// Yellow.
    Medium,
    /// Orange.
    Low,
    /// Open, but every slot taken.
    Full,
    /// No appointments that day (weekend, holiday, closed).
    Closed,
}

/// The calendar colours, named so the UI maps each to its palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Green,
    Yellow,
    Orange,
    Grey,
    None,
}

impl Availability {
    /// The level of a day with `capacity` places of which `remaining` are free. A server that
    /// reports more free places than capacity is read as fully free, never as more.
    pub fn of(capacity: u32, remaining: u32, thresholds: Thresholds) -> Availability {
        if capacity == 0 {
            return Availability::Closed;
        }
        let remaining = remaining.min(capacity);
        if remaining == 0 {
            return Availability::Full;
        }
        let percent = u64::from(remaining) * 100 / u64::from(capacity);
        if percent >= u64::from(thresholds.high) {
            Availability::High
        } else if percent >= u64::from(thresholds.low) {
            Availability::Medium
        } else {
            Availability::Low
        }
    }

    /// The level of a day from its slots' `(capacity, remaining)`.
    pub fn of_day(slots: impl IntoIterator<Item = (u32, u32)>, thresholds: Thresholds) -> Availability {
        let (cap, rem) = slots.into_iter().fold((0u32, 0u32), |(c, r), (sc, sr)| {
            (c.saturating_add(sc), r.saturating_add(sr.min(sc)))
        });
        Availability::of(cap, rem, thresholds)
    }

    pub fn colour(self) -> Colour {
        match self {
            Availability::High => Colour::Green,
            Availability::Medium => Colour::Yellow,
            Availability::Low => Colour::Orange,
            Availability::Full => Colour::Grey,
            Availability::Closed => Colour::None,
        }
    }

    /// Whether the visitor may pick the day.
    pub fn is_selectable(self) -> bool {
        matches!(self, Availability::High | Availability::Medium | Availability::Low)
    }

    /// The one word printed on a day of the calendar (the legend gives [`Availability::label`]).
    pub fn short_label(self, lang: Language) -> &'static str {
        match self {
            Availability::High => lang.pick("Muchas", "Many"),
            Availability::Medium => lang.pick("Algunas", "Some"),
            Availability::Low => lang.pick("Pocas", "Few"),
            Availability::Full => lang.pick("Lleno", "Full"),
            Availability::Closed => lang.pick("Cerrado", "Closed"),
        }
    }

    /// The label of the level, as the calendar's legend and a screen reader give it.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Availability::High => lang.pick("Alta disponibilidad", "Many free"),
            Availability::Medium => lang.pick("Disponibilidad media", "Some free"),
            Availability::Low => lang.pick("Pocas citas", "Few left"),
            Availability::Full => lang.pick("Lleno", "Full"),
            Availability::Closed => lang.pick("Cerrado", "Closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Thresholds {
        Thresholds::new(50, 20).unwrap()
    }

    #[test]
    fn colours_days_by_share_of_remaining_capacity() {
        assert_eq!(Availability::of(100, 100, t()), Availability::High);
        assert_eq!(Availability::of(100, 50, t()), Availability::High);
        assert_eq!(Availability::of(100, 49, t()), Availability::Medium);
        assert_eq!(Availability::of(100, 20, t()), Availability::Medium);
        assert_eq!(Availability::of(100, 19, t()), Availability::Low);
        assert_eq!(Availability::of(100, 1, t()), Availability::Low);
        assert_eq!(Availability::of(100, 0, t()), Availability::Full);
        assert_eq!(Availability::of(0, 0, t()), Availability::Closed);
    }

    #[test]
    fn uses_each_offices_own_thresholds() {
        let strict = Thresholds::new(80, 40).unwrap();
        assert_eq!(Availability::of(10, 6, strict), Availability::Medium);
        assert_eq!(Availability::of(10, 6, t()), Availability::High);
    }

    #[test]
    fn never_reads_more_free_places_than_capacity() {
        assert_eq!(Availability::of(10, 500, t()), Availability::High);
        assert_eq!(Availability::of_day([(4, 9), (4, 0)], t()), Availability::High);
        assert_eq!(Availability::of_day([(4, 1), (4, 0)], t()), Availability::Low);
    }

    #[test]
    fn rejects_thresholds_out_of_order() {
        assert!(Thresholds::new(20, 50).is_err());
        assert!(Thresholds::new(50, 0).is_err());
        assert!(Thresholds::new(101, 20).is_err());
        assert!(serde_json::from_str::<Thresholds>(r#"{"high":10,"low":30}"#).is_err());
        assert_eq!(
            serde_json::from_str::<Thresholds>(r#"{"high":60,"low":30}"#).unwrap(),
            Thresholds::new(60, 30).unwrap()
        );
    }

    #[test]
    fn every_level_has_a_text_label_besides_its_colour() {
        let levels = [
            Availability::High,
            Availability::Medium,
            Availability::Low,
            Availability::Full,
            Availability::Closed,
        ];
        for lang in Language::ALL {
            let mut labels: Vec<_> = levels.iter().map(|l| l.label(lang)).collect();
            labels.sort_unstable();
            labels.dedup();
            assert_eq!(labels.len(), levels.len());
        }
        assert!(!Availability::Full.is_selectable());
        assert!(Availability::Low.is_selectable());
    }
}

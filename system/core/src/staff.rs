//! Staff access to maintenance: who staff are, what a PIN must be, and when the PIN pad locks.
//!
//! A PIN alone identifies a staff member (the pad asks nothing else), so PINs are unique on a
//! kiosk. Five wrong PINs in a row lock the pad for 15 minutes; the right PIN clears the count.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::lang::{Explain, Language};

/// Wrong PINs in a row that lock the pad.
pub const MAX_FAILURES: u32 = 5;
/// How long the pad stays locked.
pub const LOCKOUT_MINUTES: i64 = 15;
/// Maintenance closes itself after this long without a touch.
pub const MAINTENANCE_IDLE_SECONDS: u64 = 120;
/// Shortest and longest PIN.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 6..=12;

/// A staff member's identifier (`ana.lopez`, `guardia-2`): what the audit log names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StaffId(String);

/// Why an identifier or a PIN is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("a staff id is 1 to 32 lower-case letters, digits, '.', '-' or '_'")]
    Id,
    #[error("a PIN has {min} to {max} digits, this has {found}", min = PIN_DIGITS.start(), max = PIN_DIGITS.end())]
    PinLength { found: usize },
    #[error("a PIN has only digits")]
    PinDigits,
    #[error("a PIN cannot be one digit repeated or a run like 123456")]
    PinTooSimple,
}

impl Explain for StaffError {
    fn explain(&self, lang: Language) -> String {
        match self {
            StaffError::Id => lang
                .pick(
                    "El identificador tiene de 1 a 32 letras minúsculas, dígitos, '.', '-' o '_'.",
                    "The id has 1 to 32 lower-case letters, digits, '.', '-' or '_'.",
                )
                .to_owned(),
            StaffError::PinLength { found } => match lang {
                Language::Es => format!(
                    "El PIN tiene de {} a {} dígitos; este tiene {found}.",
                    PIN_DIGITS.start(),
                    PIN_DIGITS.end()
                ),
                Language::En => format!(
                    "The PIN has {} to {} digits; this one has {found}.",
                    PIN_DIGITS.start(),
                    PIN_DIGITS.end()
                ),
            },
            StaffError::PinDigits => lang
                .pick("El PIN solo lleva dígitos.", "The PIN has digits only.")
                .to_owned(),
            StaffError::PinTooSimple => lang
                .pick(
                    "Ese PIN es fácil de adivinar (un dígito repetido o una serie): elija otro.",
                    "That PIN is easy to guess (one digit repeated, or a run): choose another.",
                )
                .to_owned(),
        }
    }
}

impl StaffId {
    pub fn parse(s: &str) -> Result<StaffId, StaffError> {
        let s = s.trim();
        let ok = (1..=32).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
        if ok {
            Ok(StaffId(s.to_owned()))
        } else {
            Err(StaffError::Id)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StaffId {
    type Error = StaffError;
    fn try_from(s: String) -> Result<StaffId, StaffError> {
        StaffId::parse(&s)
    }
}

impl From<StaffId> for String {
    fn from(s: StaffId) -> String {
        s.0
    }
}

/// A PIN good enough to set. (Any typed PIN is checked against the stored hashes; this is the
/// rule for choosing one.)
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(..)") // never in a log
    }
}

impl Pin {
    pub fn parse(s: &str) -> Result<Pin, StaffError> {
        let s = s.trim();
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(StaffError::PinDigits);
        }
        if !PIN_DIGITS.contains(&s.len()) {
            return Err(StaffError::PinLength { found: s.len() });
        }
        let d: Vec<i16> = s.bytes().map(|b| i16::from(b - b'0')).collect();
        let steps: Vec<i16> = d.windows(2).map(|w| w[1] - w[0]).collect();
        if steps.iter().all(|&x| x == 0) || steps.iter().all(|&x| x == 1) || steps.iter().all(|&x| x == -1) {
            return Err(StaffError::PinTooSimple);
        }
        Ok(Pin(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The PIN pad's count of wrong PINs and its lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PadLock {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PadLock {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// Whole minutes left of the lock, rounded up (0 when open).
    pub fn minutes_left(&self, now: DateTime<Utc>) -> i64 {
        self.locked_until
            .map_or(0, |t| ((t - now).num_seconds().max(0) + 59) / 60)
    }

    /// After a wrong PIN: the fifth in a row locks the pad and starts the count again.
    #[must_use]
    pub fn after_failure(self, now: DateTime<Utc>) -> PadLock {
        let failures = if self.locked_until.is_some_and(|t| now >= t) {
            1
        } else {
            self.failures + 1
        };
        if failures >= MAX_FAILURES {
            PadLock {
                failures: 0,
                locked_until: Some(now + Duration::minutes(LOCKOUT_MINUTES)),
            }
        } else {
            PadLock {
                failures,
                locked_until: None,
            }
        }
    }

    /// Wrong PINs left before the lock.
    pub fn tries_left(&self) -> u32 {
        MAX_FAILURES.saturating_sub(self.failures)
    }
}

/// What the pad says after a PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinOutcome {
    Welcome(StaffId),
    Wrong { tries_left: u32 },
    Locked { minutes_left: i64 },
}

impl Explain for PinOutcome {
    fn explain(&self, lang: Language) -> String {
        match self {
            PinOutcome::Welcome(id) => match lang {
                Language::Es => format!("Bienvenido, {id}."),
                Language::En => format!("Welcome, {id}."),
            },
            PinOutcome::Wrong { tries_left } => match lang {
                Language::Es => format!("PIN incorrecto. Le quedan {tries_left} intentos."),
                Language::En => format!("Wrong PIN. {tries_left} tries left."),
            },
            PinOutcome::Locked { minutes_left } => match lang {
                Language::Es => format!("Demasiados intentos: el teclado está bloqueado {minutes_left} min."),
                Language::En => format!("Too many tries: the pad is locked for {minutes_left} min."),
            },
        }
    }
}

/// The longest message staff can leave for visitors while the kiosk is out of service.
pub const NOTICE_MAX_CHARS: usize = 200;

/// What staff tell visitors while the kiosk is out of service ("Use the kiosk by the door",
/// "Back at 14:00"). Shown under a fixed, translated notice, as staff typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice(String);

/// Why a notice is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("the message has {found} characters; at most {NOTICE_MAX_CHARS}")]
    TooLong { found: usize },
}

impl Explain for NoticeError {
    fn explain(&self, lang: Language) -> String {
        match (self, lang) {
            (NoticeError::TooLong { found }, Language::Es) => {
                format!("El mensaje tiene {found} caracteres; el máximo es {NOTICE_MAX_CHARS}.")
            }
            (NoticeError::TooLong { found }, Language::En) => {
                format!("The message has {found} characters; at most {NOTICE_MAX_CHARS}.")
            }
        }
    }
}

impl Notice {
    /// Trimmed, spaces and line breaks each made one space, control characters dropped;
    /// `Ok(None)` when nothing is left (visitors then see the fixed notice alone).
    pub fn parse(typed: &str) -> Result<Option<Notice>, NoticeError> {
        let cleaned: String = typed
            .split_whitespace()
            .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let found = cleaned.chars().count();
        if found > NOTICE_MAX_CHARS {
            return Err(NoticeError::TooLong { found });
        }
        Ok((!cleaned.is_empty()).then_some(Notice(cleaned)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
    }

    #[test]
    fn five_wrong_pins_lock_the_pad_for_fifteen_minutes() {
        let mut lock = PadLock::default();
        for i in 0..4 {
            lock = lock.after_failure(t0());
            assert!(!lock.is_locked(t0()), "after {} failures", i + 1);
        }
        assert_eq!(lock.tries_left(), 1);
        lock = lock.after_failure(t0());
        assert!(lock.is_locked(t0()));
        assert_eq!(lock.minutes_left(t0()), 15);
        assert!(lock.is_locked(t0() + Duration::minutes(14)));
        assert!(!lock.is_locked(t0() + Duration::minutes(15)));
        // After the lock, counting starts again.
        let after = lock.after_failure(t0() + Duration::minutes(16));
        assert_eq!(
            (after.failures, after.is_locked(t0() + Duration::minutes(16))),
            (1, false)
        );
    }

    #[test]
    fn refuses_pins_that_are_short_not_digits_or_easy_to_guess() {
        assert_eq!(Pin::parse("12345"), Err(StaffError::PinLength { found: 5 }));
        assert_eq!(Pin::parse("12a456"), Err(StaffError::PinDigits));
        assert_eq!(Pin::parse("111111"), Err(StaffError::PinTooSimple));
        assert_eq!(Pin::parse("234567"), Err(StaffError::PinTooSimple));
        assert_eq!(Pin::parse("987654"), Err(StaffError::PinTooSimple));
        assert!(Pin::parse("402913").is_ok());
        assert_eq!(format!("{:?}", Pin::parse("402913").unwrap()), "Pin(..)");
    }

    #[test]
    fn staff_ids_are_plain_lower_case_words() {
        assert!(StaffId::parse("ana.lopez").is_ok());
        assert_eq!(StaffId::parse("Ana López"), Err(StaffError::Id));
        assert_eq!(StaffId::parse(""), Err(StaffError::Id));
    }

    #[test]
    fn an_out_of_service_notice_is_one_clean_line_of_at_most_200_characters() {
        assert_eq!(
            Notice::parse("  Use the kiosk\n by   the door\u{7}  ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Use the kiosk by the door"
        );
        assert_eq!(Notice::parse(" \n\t ").unwrap(), None);
        assert_eq!(
            Notice::parse(&"a".repeat(201)),
            Err(NoticeError::TooLong { found: 201 })
        );
        assert!(Notice::parse(&"ñ".repeat(200)).unwrap().is_some());
    }
}

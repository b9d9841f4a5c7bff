//! Staff PINs (argon2id hashes, never the PINs) and the PIN pad's lock.
//!
//! A PIN alone identifies a staff member, so a PIN already someone's is refused. Every
//! sign-in, right, wrong or refused by the lock, is audited.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use kiosk_core::staff::{Notice, PadLock, Pin, PinOutcome, StaffId};
use rusqlite::{OptionalExtension, params};

use crate::{Result, Store, StoreError, parse_ts, ts};

/// The audit log's name for someone who typed a wrong PIN.
pub const UNKNOWN_STAFF: &str = "-";

fn matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

/// The kiosk was taken out of service by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfService {
    /// What visitors are told (empty: the fixed notice alone).
    pub message: String,
    pub staff_id: String,
    pub since: DateTime<Utc>,
}

impl Store {
    /// Whether staff took the kiosk out of service (it stays so across restarts).
    pub fn out_of_service(&self) -> Result<Option<OutOfService>> {
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT message, staff_id, since FROM out_of_service WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(message, staff_id, since)| {
            Ok(OutOfService {
                message,
                staff_id,
                since: parse_ts(&since)?,
            })
        })
        .transpose()
    }

    /// Takes the kiosk out of service, telling visitors `notice` (or the fixed notice alone);
    /// audited.
    pub fn take_out_of_service(&mut self, staff: &StaffId, notice: Option<&Notice>, now: DateTime<Utc>) -> Result<()> {
        let message = notice.map_or("", Notice::as_str);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO out_of_service(id, message, staff_id, since) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET message = excluded.message, staff_id = excluded.staff_id,
                                           since = excluded.since",
            params![message, staff.as_str(), ts(now)],
        )?;
        tx.execute(
            "INSERT INTO audit(at, staff_id, action, detail) VALUES (?1, ?2, 'out-of-service', ?3)",
            params![ts(now), staff.as_str(), message],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Puts the kiosk back in service; audited.
    pub fn back_in_service(&mut self, staff: &StaffId, now: DateTime<Utc>) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM out_of_service", [])?;
        tx.execute(
            "INSERT INTO audit(at, staff_id, action, detail) VALUES (?1, ?2, 'back-in-service', '')",
            params![ts(now), staff.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn staff_hashes(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT id, pin_hash FROM staff ORDER BY id")?;
        Ok(stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?)
    }

    /// Adds a staff member with their PIN (stored as an argon2id hash).
    pub fn staff_add(&mut self, id: &StaffId, pin: &Pin, now: DateTime<Utc>) -> Result<()> {
        let existing = self.staff_hashes()?;
        if existing.iter().any(|(s, _)| s == id.as_str()) {
            return Err(StoreError::Conflict(format!("staff {id} already exists")));
        }
        if existing.iter().any(|(_, h)| matches(pin.as_str(), h)) {
            return Err(StoreError::Conflict(
                "that PIN is already someone's: choose another".into(),
            ));
        }
        // 16 bytes from the thread's CSPRNG (seeded by the OS), as PHC strings carry them.
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| StoreError::Invalid(format!("the PIN's salt: {e}")))?;
        let hash = Argon2::default()
            .hash_password(pin.as_str().as_bytes(), &salt)
            .map_err(|e| StoreError::Invalid(format!("hashing the PIN: {e}")))?
            .to_string();
        self.conn.execute(
            "INSERT INTO staff(id, pin_hash, created_at) VALUES (?1, ?2, ?3)",
            params![id.as_str(), hash, ts(now)],
        )?;
        self.audit(id.as_str(), "staff-added", "", now)
    }

    /// Removes a staff member; whether they existed.
    pub fn staff_remove(&mut self, id: &StaffId, now: DateTime<Utc>) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM staff WHERE id = ?1", [id.as_str()])?;
        if n > 0 {
            self.audit(id.as_str(), "staff-removed", "", now)?;
        }
        Ok(n > 0)
    }

    /// Staff members and when each was added.
    pub fn staff(&self) -> Result<Vec<(StaffId, DateTime<Utc>)>> {
        let mut stmt = self.conn.prepare("SELECT id, created_at FROM staff ORDER BY id")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, at)| {
                let id = StaffId::parse(&id).map_err(|e| StoreError::Invalid(format!("staff id {id:?}: {e}")))?;
                Ok((id, parse_ts(&at)?))
            })
            .collect()
    }

    /// The pad's count of wrong PINs and its lock.
    pub fn pad_lock(&self) -> Result<PadLock> {
        let row: Option<(u32, Option<String>)> = self
            .conn
            .query_row("SELECT failures, locked_until FROM pin_pad WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(match row {
            None => PadLock::default(),
            Some((failures, until)) => PadLock {
                failures,
                locked_until: until.as_deref().map(parse_ts).transpose()?,
            },
        })
    }

    fn set_pad_lock(&mut self, lock: PadLock) -> Result<()> {
        self.conn.execute(
            "INSERT INTO pin_pad(id, failures, locked_until) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until",
            params![lock.failures, lock.locked_until.map(ts)],
        )?;
        Ok(())
    }

    /// Checks a typed PIN: the staff member it belongs to, or a wrong PIN counted, or the lock.
    /// While locked, no PIN is even checked.
    pub fn staff_sign_in(&mut self, typed: &str, now: DateTime<Utc>) -> Result<PinOutcome> {
        let lock = self.pad_lock()?;
        if lock.is_locked(now) {
            self.audit(UNKNOWN_STAFF, "pin-refused-locked", "", now)?;
            return Ok(PinOutcome::Locked {
                minutes_left: lock.minutes_left(now),
            });
        }
        let found = self
            .staff_hashes()?
            .into_iter()
            .find(|(_, h)| matches(typed.trim(), h))
            .map(|(id, _)| id);
        if let Some(id) = found {
            self.set_pad_lock(PadLock::default())?;
            self.audit(&id, "maintenance-opened", "", now)?;
            let id = StaffId::parse(&id).map_err(|e| StoreError::Invalid(format!("staff id {id:?}: {e}")))?;
            return Ok(PinOutcome::Welcome(id));
        }
        let after = lock.after_failure(now);
        self.set_pad_lock(after)?;
        if after.is_locked(now) {
            self.audit(UNKNOWN_STAFF, "pin-pad-locked", "five wrong PINs", now)?;
            Ok(PinOutcome::Locked {
                minutes_left: after.minutes_left(now),
            })
        } else {
            self.audit(UNKNOWN_STAFF, "pin-wrong", "", now)?;
            Ok(PinOutcome::Wrong {
                tries_left: after.tries_left(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
    }

    fn store_with_ana() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.staff_add(&StaffId::parse("ana").unwrap(), &Pin::parse("402913").unwrap(), t0())
            .unwrap();
        s
    }

    #[test]
    fn the_right_pin_opens_maintenance_and_is_audited_with_the_staff_id() {
        let mut s = store_with_ana();
        let stored: String = s
            .conn
            .query_row("SELECT pin_hash FROM staff", [], |r| r.get(0))
            .unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("402913"));
        assert_eq!(
            s.staff_sign_in("402913", t0()).unwrap(),
            PinOutcome::Welcome(StaffId::parse("ana").unwrap())
        );
        let log = s.audit_log(1).unwrap();
        assert_eq!((log[0].1.as_str(), log[0].2.as_str()), ("ana", "maintenance-opened"));
    }

    #[test]
    fn five_wrong_pins_lock_the_pad_even_against_the_right_one() {
        let mut s = store_with_ana();
        for left in (1..=4).rev() {
            assert_eq!(
                s.staff_sign_in("000000", t0()).unwrap(),
                PinOutcome::Wrong { tries_left: left }
            );
        }
        assert_eq!(
            s.staff_sign_in("000000", t0()).unwrap(),
            PinOutcome::Locked { minutes_left: 15 }
        );
        assert_eq!(
            s.staff_sign_in("402913", t0() + Duration::minutes(5)).unwrap(),
            PinOutcome::Locked { minutes_left: 10 }
        );
        assert!(matches!(
            s.staff_sign_in("402913", t0() + Duration::minutes(15)).unwrap(),
            PinOutcome::Welcome(_)
        ));
        assert_eq!(
            s.pad_lock().unwrap(),
            PadLock::default(),
            "the right PIN clears the count"
        );
    }

    #[test]
    fn a_pin_or_an_id_already_taken_is_refused() {
        let mut s = store_with_ana();
        let again = s.staff_add(&StaffId::parse("luis").unwrap(), &Pin::parse("402913").unwrap(), t0());
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        let again = s.staff_add(&StaffId::parse("ana").unwrap(), &Pin::parse("771204").unwrap(), t0());
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        assert!(s.staff_remove(&StaffId::parse("ana").unwrap(), t0()).unwrap());
        assert!(s.staff().unwrap().is_empty());
        assert_eq!(
            s.staff_sign_in("402913", t0()).unwrap(),
            PinOutcome::Wrong { tries_left: 4 }
        );
    }

    #[test]
    fn out_of_service_survives_reopening_until_staff_put_it_back_and_both_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let ana = StaffId::parse("ana").unwrap();
        {
            let (mut s, _) = Store::open(&path).unwrap();
            assert_eq!(s.out_of_service().unwrap(), None);
            let notice = Notice::parse("Use the kiosk by the door").unwrap();
            s.take_out_of_service(&ana, notice.as_ref(), t0()).unwrap();
        }
        let (mut s, _) = Store::open(&path).unwrap();
        let out = s.out_of_service().unwrap().unwrap();
        assert_eq!(
            (out.message.as_str(), out.staff_id.as_str(), out.since),
            ("Use the kiosk by the door", "ana", t0())
        );
        s.back_in_service(&ana, t0() + Duration::minutes(5)).unwrap();
        assert_eq!(s.out_of_service().unwrap(), None);
        let log = s.audit_log(2).unwrap();
        assert_eq!(
            (log[0].2.as_str(), log[1].2.as_str(), log[1].3.as_str()),
            ("back-in-service", "out-of-service", "Use the kiosk by the door")
        );
    }
}

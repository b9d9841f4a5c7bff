//! # kiosk-store: the kiosk's durable local state
//!
//! What it is for: one SQLite file (`/data/kiosk/kiosk.db` on the device) holding what must
//! survive a power cut: the cached catalogue and availability with their sync cursors, the
//! outbox of actions the server must still receive, confirmed bookings, the print queue, the
//! audit log and staff credentials. WAL mode, `synchronous=FULL`, migrations by `user_version`.
//!
//! What it is not for: talking to the network or knowing the API's types. Payloads that go to
//! the server are stored as the JSON the sync engine gives; this crate only keeps them safe.
//!
//! [`Store`] is the one writer; [`Store::reader`] opens read-only connections for screens.
//! Opening checks `PRAGMA integrity_check`; a file SQLite says is damaged is moved aside, what
//! the server cannot give back is salvaged into a new one (tried again at later starts until it
//! works; then the damaged file is wiped) and the rest is refilled from the server
//! ([`recovery`]).

mod migrations;
mod outbox;
mod print;
mod recovery;
mod staff;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

pub use migrations::{LATEST_VERSION, PREVIOUS_RELEASE_READS_FLOORS, PREVIOUS_RELEASE_VERSION};
pub use outbox::{CONFIRMED_AFTER_VISIT, OutboxEntry, OutboxKind};
pub use print::{PrintJob, PrintReason, PrintState};
pub use staff::{OutOfService, UNKNOWN_STAFF};

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("moving the corrupt database aside: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the database has schema version {found}, newer than this software's {supported}")]
    TooNew { found: i64, supported: i64 },
    #[error("stored value is invalid: {0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// How opening went, for the log and the maintenance screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Created,
    Existing {
        migrated_from: Option<i64>,
    },
    /// The old file was damaged: moved to `moved_to`, salvaged from, and wiped.
    Recovered {
        moved_to: PathBuf,
    },
    /// Written by a newer release at schema `version` that this one can still use, and left as
    /// it is: an update fell back to this release.
    Newer {
        version: i64,
    },
}

/// One staff action in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// The staff member ([`UNKNOWN_STAFF`] for a wrong PIN).
    pub staff_id: String,
    pub action: String,
    pub detail: String,
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Invalid(format!("timestamp {s:?}: {e}")))
}

/// The device's identity with the central server, from enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCredential {
    pub device_id: String,
    pub credential: String,
}

/// A cached slot of an office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedSlot {
    pub id: String,
    pub office_id: String,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub capacity: u32,
    pub remaining: u32,
}

/// A change of one office's availability, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityUpdate {
    pub office_id: String,
    /// A full reload replaces every cached slot of the office.
    pub full: bool,
    pub slots: Vec<CachedSlot>,
    pub removed: Vec<String>,
    pub cursor: String,
}

/// A booking the server confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBooking {
    pub code: String,
    pub office_id: String,
    pub slot_id: String,
    pub start: DateTime<Utc>,
    /// The server's whole answer, as JSON.
    pub body: String,
}

/// The single writer of the kiosk's database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a committed outbox row or print job survives a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted rows are overwritten, not left in free pages: a confirmation's personal data is
    // gone from the file once its outbox row is (see `scrub` for the WAL).
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// The device's one row: its id and credential.
fn upsert_device(conn: &Connection, c: &DeviceCredential) -> Result<()> {
    conn.execute(
        "INSERT INTO device(id, device_id, credential) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET device_id = excluded.device_id, credential = excluded.credential",
        params![c.device_id, c.credential],
    )?;
    Ok(())
}

impl Store {
    /// Opens the store at `path`, creating, migrating or recovering it as needed.
    pub fn open(path: &Path) -> Result<(Store, Opened)> {
        let mut recovered = None;
        let existed = path.exists();
        if existed && let recovery::Integrity::Damaged(why) = recovery::integrity(path)? {
            let moved_to = recovery::move_aside(path, Utc::now())?;
            tracing::error!(
                db = %path.display(),
                moved_to = %moved_to.display(),
                why,
                "the kiosk database is damaged; it was moved aside, what the server cannot give back is salvaged, and the rest comes from the server"
            );
            recovered = Some(moved_to);
        }
        let conn = Connection::open(path)?;
        configure(&conn)?;
        let mut store = Store {
            conn,
            path: Some(path.to_owned()),
        };
        let migrated = store.migrate()?;
        // This start's damaged file, or an earlier start's whose salvage could not finish.
        for old in recovery::pending(path) {
            recovery::salvage(&mut store.conn, &old)?;
        }
        let opened = match (recovered, existed, migrated) {
            (Some(moved_to), _, _) => Opened::Recovered { moved_to },
            (None, false, _) => Opened::Created,
            (None, true, migrations::Migrated::Newer(version)) => Opened::Newer { version },
            (None, true, migrations::Migrated::From(v)) => Opened::Existing { migrated_from: Some(v) },
            (None, true, migrations::Migrated::No) => Opened::Existing { migrated_from: None },
        };
        Ok((store, opened))
    }

    /// Whether the database at `path` holds a device credential (the kiosk is enrolled), read
    /// without changing anything: no migration, no recovery, no file made where there is none.
    /// `kioskctl adopt` asks before it lets a provisioning file replace the configuration.
    pub fn holds_device_credential(path: &Path) -> Result<bool> {
        if !path.exists() {
            return Ok(false);
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let row: Option<i64> = conn
            .query_row("SELECT 1 FROM device WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        Ok(row.is_some())
    }

    /// A private in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted rows are overwritten, not left in free pages: a confirmation's personal data is
        // gone from the file once its outbox row is (see `scrub` for the WAL).
        conn.pragma_update(None, "secure_delete", "ON")?;
        let mut store = Store { conn, path: None };
        store.migrate()?;
        Ok(store)
    }

    /// Brings the schema to [`LATEST_VERSION`] (or leaves a newer one this software can use).
    fn migrate(&mut self) -> Result<migrations::Migrated> {
        migrations::migrate(&mut self.conn)
    }

    /// A read-only connection for a screen or a report; it sees every committed write.
    pub fn reader(&self) -> Result<Connection> {
        let path = self
            .path
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("an in-memory store has no readers".into()))?;
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }

    /// `PRAGMA integrity_check` of the open database.
    /// Moves everything into the database file and empties the write-ahead log, whose old
    /// frames would otherwise keep copies of deleted rows (personal data a visit left in the
    /// outbox) until overwritten. Called when a visit ends. Busy readers only postpone it.
    pub fn scrub(&mut self) -> Result<()> {
        let (busy, _, _): (i64, i64, i64) = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        if busy != 0 {
            tracing::debug!("the write-ahead log is in use; it is emptied at the next scrub");
        }
        Ok(())
    }

    pub fn integrity_check(&self) -> Result<bool> {
        let r: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    // ---- device --------------------------------------------------------------------------

    pub fn device_credential(&self) -> Result<Option<DeviceCredential>> {
        Ok(self
            .conn
            .query_row("SELECT device_id, credential FROM device WHERE id = 1", [], |r| {
                Ok(DeviceCredential {
                    device_id: r.get(0)?,
                    credential: r.get(1)?,
                })
            })
            .optional()?)
    }

    pub fn set_device_credential(&mut self, c: &DeviceCredential) -> Result<()> {
        upsert_device(&self.conn, c)
    }

    /// The server's origin (`https://host:port`) the device credential was issued by and may be
    /// sent to; `None` for a credential stored before origins were kept.
    pub fn device_credential_origin(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT origin FROM device_origin WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }

    /// Stores the credential with the origin that issued it, together.
    pub fn set_device_credential_from(&mut self, c: &DeviceCredential, origin: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        upsert_device(&tx, c)?;
        tx.execute(
            "INSERT INTO device_origin(id, origin) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET origin = excluded.origin",
            params![origin],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Binds a credential stored before origins were kept to `origin` (its first use).
    pub fn bind_device_credential(&mut self, origin: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO device_origin(id, origin) VALUES (1, ?1) ON CONFLICT(id) DO NOTHING",
            params![origin],
        )?;
        Ok(())
    }

    // ---- catalogue -----------------------------------------------------------------------

    /// The cached catalogue: its ETag and JSON body.
    pub fn catalogue(&self) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row("SELECT etag, body FROM catalogue WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    pub fn save_catalogue(&mut self, etag: &str, body: &str, now: DateTime<Utc>) -> Result<()> {
        self.cache_write(|conn| {
            conn.execute(
                "INSERT INTO catalogue(id, etag, body, fetched_at) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET etag = excluded.etag, body = excluded.body, fetched_at = excluded.fetched_at",
                params![etag, body, ts(now)],
            )?;
            Ok(())
        })
    }

    // ---- availability --------------------------------------------------------------------

    pub fn cursor(&self, office_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT cursor FROM sync_state WHERE office_id = ?1", [office_id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// When the office's availability was last brought up to date.
    pub fn last_sync(&self, office_id: &str) -> Result<Option<DateTime<Utc>>> {
        let s: Option<String> = self
            .conn
            .query_row(
                "SELECT last_sync FROM sync_state WHERE office_id = ?1",
                [office_id],
                |r| r.get(0),
            )
            .optional()?;
        s.map(|s| parse_ts(&s)).transpose()
    }

    /// Runs a write of *cache* data (refetchable from the server) without waiting for the disk:
    /// `synchronous=NORMAL` for its transaction only. WAL keeps the file consistent across a
    /// power cut; at worst the last cache write is lost and the next sync redoes it. The outbox,
    /// bookings and print queue keep `synchronous=FULL`.
    fn cache_write<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let out = f(&mut self.conn);
        let restore = self.conn.pragma_update(None, "synchronous", "FULL");
        let out = out?;
        restore?;
        Ok(out)
    }

    /// Applies a full reload or a delta, and its cursor, in one transaction.
    pub fn apply_availability(&mut self, u: &AvailabilityUpdate, now: DateTime<Utc>) -> Result<()> {
        self.cache_write(|conn| apply_availability(conn, u, now))
    }
    /// Forgets an office's cursor, so the next sync reloads it in full.
    pub fn reset_cursor(&mut self, office_id: &str) -> Result<()> {
        self.conn
            .execute("UPDATE sync_state SET cursor = NULL WHERE office_id = ?1", [office_id])?;
        Ok(())
    }

    /// Cached slots of an office starting in `[from, to)`, in order.
    pub fn slots(&self, office_id: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<CachedSlot>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, office_id, start, minutes, capacity, remaining FROM slots
             WHERE office_id = ?1 AND start >= ?2 AND start < ?3 ORDER BY start, id",
        )?;
        let rows = stmt.query_map(params![office_id, ts(from), ts(to)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, office_id, start, minutes, capacity, remaining) = row?;
            out.push(CachedSlot {
                id,
                office_id,
                start: parse_ts(&start)?,
                minutes,
                capacity,
                remaining,
            });
        }
        Ok(out)
    }

    pub fn slot_count(&self, office_id: &str) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM slots WHERE office_id = ?1", [office_id], |r| {
                r.get(0)
            })?;
        Ok(n.unsigned_abs())
    }

    // ---- bookings ------------------------------------------------------------------------

    pub fn booking(&self, code: &str) -> Result<Option<StoredBooking>> {
        self.conn
            .query_row(
                "SELECT code, office_id, slot_id, start, body FROM bookings WHERE code = ?1",
                [code],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?
            .map(|(code, office_id, slot_id, start, body)| {
                Ok(StoredBooking {
                    code,
                    office_id,
                    slot_id,
                    start: parse_ts(&start)?,
                    body,
                })
            })
            .transpose()
    }

    pub fn bookings(&self) -> Result<Vec<StoredBooking>> {
        let mut stmt = self
            .conn
            .prepare("SELECT code FROM bookings ORDER BY confirmed_at, code")?;
        let codes: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        codes.iter().filter_map(|c| self.booking(c).transpose()).collect()
    }

    // ---- print queue: see print.rs -----------------------------------------------------

    // ---- audit ---------------------------------------------------------------------------

    /// Records a staff action.
    pub fn audit(&mut self, staff_id: &str, action: &str, detail: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit(at, staff_id, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![ts(now), staff_id, action, detail],
        )?;
        Ok(())
    }

    /// The audit entries at or after `since`, oldest first.
    pub fn audit_since(&self, since: DateTime<Utc>) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, staff_id, action, detail FROM audit WHERE at >= ?1 ORDER BY id")?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map([ts(since)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<std::result::Result<_, _>>()?;
        rows.into_iter()
            .map(|(at, staff_id, action, detail)| {
                Ok(AuditEntry {
                    at: parse_ts(&at)?,
                    staff_id,
                    action,
                    detail,
                })
            })
            .collect()
    }

    /// The most recent audit entries, newest first: `(at, staff, action, detail)`.
    pub fn audit_log(&self, limit: u32) -> Result<Vec<(String, String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, staff_id, action, detail FROM audit ORDER BY id DESC LIMIT ?1")?;
        Ok(stmt
            .query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<std::result::Result<_, _>>()?)
    }
}

fn apply_availability(conn: &mut Connection, u: &AvailabilityUpdate, now: DateTime<Utc>) -> Result<()> {
    let tx = conn.transaction()?;
    if u.full {
        tx.execute("DELETE FROM slots WHERE office_id = ?1", [&u.office_id])?;
    }
    {
        // Most changes only move `remaining`: an update that leaves `start` alone does not
        // touch the start index, which halves the pages a delta writes.
        let mut update = tx.prepare_cached(
            "UPDATE slots SET minutes = ?3, capacity = ?4, remaining = ?5 WHERE id = ?1 AND start = ?2",
        )?;
        let mut upsert = tx.prepare_cached(
            "INSERT INTO slots(id, office_id, start, minutes, capacity, remaining) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET start = excluded.start, minutes = excluded.minutes,
               capacity = excluded.capacity, remaining = excluded.remaining",
        )?;
        for s in &u.slots {
            let start = ts(s.start);
            let remaining = s.remaining.min(s.capacity);
            let updated = if u.full {
                0
            } else {
                update.execute(params![s.id, start, s.minutes, s.capacity, remaining])?
            };
            if updated == 0 {
                upsert.execute(params![s.id, u.office_id, start, s.minutes, s.capacity, remaining])?;
            }
        }
        let mut remove = tx.prepare_cached("DELETE FROM slots WHERE id = ?1")?;
        for id in &u.removed {
            remove.execute([id])?;
        }
    }
    tx.execute(
        "INSERT INTO sync_state(office_id, cursor, last_sync) VALUES (?1, ?2, ?3)
         ON CONFLICT(office_id) DO UPDATE SET cursor = excluded.cursor, last_sync = excluded.last_sync",
        params![u.office_id, u.cursor, ts(now)],
    )?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0).unwrap()
    }

    fn slot(id: &str, h: u32, remaining: u32) -> CachedSlot {
        CachedSlot {
            id: id.into(),
            office_id: "LAX".into(),
            start: t(h),
            minutes: 20,
            capacity: 4,
            remaining,
        }
    }

    #[test]
    fn creates_a_new_database_at_the_latest_schema() {
        let dir = tempfile::tempdir().unwrap();
        let (store, opened) = Store::open(&dir.path().join("k.db")).unwrap();
        assert_eq!(opened, Opened::Created);
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        assert!(store.integrity_check().unwrap());
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn moves_a_corrupt_database_aside_and_starts_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        std::fs::write(&path, b"this is not a database, it is what a bad SD card leaves behind").unwrap();
        let (store, opened) = Store::open(&path).unwrap();
        let Opened::Recovered { moved_to } = opened else {
            panic!("{opened:?}")
        };
        // Nothing in it could be read: it is gone, with whatever personal data it held.
        assert!(!moved_to.exists(), "the unreadable file is kept");
        assert!(store.integrity_check().unwrap());
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    }

    #[test]
    fn salvages_the_outbox_and_bookings_from_a_corrupt_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let (mut s, _) = Store::open(&path).unwrap();
            s.set_device_credential(&DeviceCredential {
                device_id: "dev-1".into(),
                credential: "c".into(),
            })
            .unwrap();
            let slots: Vec<CachedSlot> = (0..3000).map(|i| slot(&format!("SLOT-{i:05}-XYZZY"), 15, 4)).collect();
            let u = AvailabilityUpdate {
                office_id: "LAX".into(),
                full: true,
                slots,
                removed: vec![],
                cursor: "e.1".into(),
            };
            s.apply_availability(&u, t(1)).unwrap();
            s.enqueue(OutboxKind::Confirm, &serde_json::json!({"slot_id": "s1"}), t(1))
                .unwrap();
            s.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        }
        // Damage one slot row of the cache in the file: the index no longer matches the table.
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.windows(16).position(|w| w == b"SLOT-01500-XYZZY").unwrap();
        bytes[at + 5] = b'9';
        std::fs::write(&path, &bytes).unwrap();
        assert!(
            matches!(recovery::integrity(&path).unwrap(), recovery::Integrity::Damaged(_)),
            "the damage must be visible to integrity_check"
        );

        let (store, opened) = Store::open(&path).unwrap();
        let Opened::Recovered { moved_to } = opened else {
            panic!("{opened:?}")
        };
        assert!(
            !moved_to.exists(),
            "the salvaged file, with visitors' data, is still there"
        );
        assert!(store.integrity_check().unwrap());
        assert_eq!(store.outbox_depth().unwrap(), 1, "the pending confirmation survives");
        assert_eq!(store.device_credential().unwrap().unwrap().device_id, "dev-1");
        assert_eq!(
            store.slot_count("LAX").unwrap(),
            0,
            "the cache is refilled by the next sync"
        );
    }

    #[test]
    fn applies_full_reload_then_delta_with_cursor() {
        let mut s = Store::open_in_memory().unwrap();
        let full = AvailabilityUpdate {
            office_id: "LAX".into(),
            full: true,
            slots: vec![slot("a", 15, 4), slot("b", 16, 4)],
            removed: vec![],
            cursor: "e.10".into(),
        };
        s.apply_availability(&full, t(1)).unwrap();
        assert_eq!(s.cursor("LAX").unwrap().as_deref(), Some("e.10"));
        let delta = AvailabilityUpdate {
            office_id: "LAX".into(),
            full: false,
            slots: vec![slot("b", 16, 1), slot("c", 17, 4)],
            removed: vec!["a".into()],
            cursor: "e.12".into(),
        };
        s.apply_availability(&delta, t(2)).unwrap();
        let slots = s.slots("LAX", t(0), t(23)).unwrap();
        assert_eq!(slots, vec![slot("b", 16, 1), slot("c", 17, 4)]);
        assert_eq!(s.cursor("LAX").unwrap().as_deref(), Some("e.12"));
        assert_eq!(s.last_sync("LAX").unwrap(), Some(t(2)));
        // A full reload drops what the server no longer has.
        s.apply_availability(
            &AvailabilityUpdate {
                slots: vec![slot("d", 18, 2)],
                cursor: "f.1".into(),
                ..full
            },
            t(3),
        )
        .unwrap();
        assert_eq!(s.slots("LAX", t(0), t(23)).unwrap(), vec![slot("d", 18, 2)]);
    }

    #[test]
    fn never_caches_more_free_places_than_capacity() {
        let mut s = Store::open_in_memory().unwrap();
        let u = AvailabilityUpdate {
            office_id: "LAX".into(),
            full: true,
            slots: vec![slot("a", 15, 40)],
            removed: vec![],
            cursor: "e.1".into(),
        };
        s.apply_availability(&u, t(1)).unwrap();
        assert_eq!(s.slots("LAX", t(0), t(23)).unwrap()[0].remaining, 4);
    }

    #[test]
    fn cache_writes_leave_the_connection_fully_synchronous() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(&dir.path().join("k.db")).unwrap();
        let u = AvailabilityUpdate {
            office_id: "LAX".into(),
            full: true,
            slots: vec![slot("a", 15, 4)],
            removed: vec![],
            cursor: "e.1".into(),
        };
        store.apply_availability(&u, t(1)).unwrap();
        let level: i64 = store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(level, 2, "FULL for the outbox that follows");
    }

    #[test]
    fn readers_see_committed_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(&dir.path().join("k.db")).unwrap();
        store.save_catalogue("\"e1\"", "{}", t(1)).unwrap();
        let reader = store.reader().unwrap();
        let etag: String = reader
            .query_row("SELECT etag FROM catalogue", [], |r| r.get(0))
            .unwrap();
        assert_eq!(etag, "\"e1\"");
        assert!(
            reader.execute("DELETE FROM catalogue", []).is_err(),
            "readers cannot write"
        );
    }

    #[test]
    fn keeps_the_device_credential_and_the_audit_log() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.device_credential().unwrap(), None);
        let c = DeviceCredential {
            device_id: "dev-1".into(),
            credential: "secret".into(),
        };
        s.set_device_credential(&c).unwrap();
        assert_eq!(s.device_credential().unwrap(), Some(c));
        s.audit("staff-7", "out_of_service", "on", t(1)).unwrap();
        s.audit("staff-7", "out_of_service", "off", t(2)).unwrap();
        let log = s.audit_log(10).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].3, "off");
    }

    #[test]
    fn tells_an_enrolled_database_without_making_one_where_there_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        assert!(!Store::holds_device_credential(&path).unwrap());
        assert!(!path.exists(), "asking made a database");
        let (mut s, _) = Store::open(&path).unwrap();
        assert!(!Store::holds_device_credential(&path).unwrap());
        s.set_device_credential(&DeviceCredential {
            device_id: "dev-1".into(),
            credential: "secret".into(),
        })
        .unwrap();
        assert!(Store::holds_device_credential(&path).unwrap());
    }
}

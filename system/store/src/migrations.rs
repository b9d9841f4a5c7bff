//! The schema, one migration per version, applied in order by `PRAGMA user_version`. A
//! migration is never edited once released; a change is a new one at the end.
//!
//! An update can fall back: three failed boots of a new release and U-Boot boots the previous
//! one, which meets the database the new one migrated. So each migration says which is the
//! oldest schema whose software can still use the database after it ([`OLDEST_READER`]): an
//! additive one (a new table, a new column with a default) keeps it; one that changes what
//! older software reads raises it. Every open records the current floor in `schema_floor` (a
//! table outside the migrations, which older software ignores), and software that finds a
//! newer database opens it as it is when the floor lets it in ([`crate::Opened::Newer`]),
//! instead of refusing it. A migration that raises the floor above the schema of the release
//! the fleet runs now ([`PREVIOUS_RELEASE_VERSION`]) is held back: a test fails until it is
//! made additive, or until the fleet has moved past that release.

use rusqlite::{Connection, OptionalExtension};

use crate::{Result, StoreError};

const MIGRATIONS: [&str; 7] = [
    // 1: what the kiosk caches from the server.
    "CREATE TABLE device(id INTEGER PRIMARY KEY CHECK (id = 1), device_id TEXT NOT NULL, credential TEXT NOT NULL);
     CREATE TABLE catalogue(id INTEGER PRIMARY KEY CHECK (id = 1), etag TEXT NOT NULL, body TEXT NOT NULL, fetched_at TEXT NOT NULL);
     CREATE TABLE slots(id TEXT PRIMARY KEY, office_id TEXT NOT NULL, start TEXT NOT NULL, minutes INTEGER NOT NULL,
                        capacity INTEGER NOT NULL, remaining INTEGER NOT NULL);
     CREATE INDEX slots_office_start ON slots(office_id, start);
     CREATE TABLE sync_state(office_id TEXT PRIMARY KEY, cursor TEXT, last_sync TEXT);",
    // 2: what the server must still receive, and what it confirmed.
    "CREATE TABLE outbox(id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
                         attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT);
     CREATE INDEX outbox_due ON outbox(next_attempt_at);
     CREATE TABLE bookings(code TEXT PRIMARY KEY, outbox_id TEXT UNIQUE, office_id TEXT NOT NULL, slot_id TEXT NOT NULL,
                           start TEXT NOT NULL, body TEXT NOT NULL, confirmed_at TEXT NOT NULL);",
    // 3: printing and staff.
    "CREATE TABLE print_queue(id INTEGER PRIMARY KEY, booking_code TEXT NOT NULL REFERENCES bookings(code),
                              state TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'abandoned')),
                              attempts INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, printed_at TEXT);
     CREATE TABLE audit(id INTEGER PRIMARY KEY, at TEXT NOT NULL, staff_id TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
     CREATE TABLE staff(id TEXT PRIMARY KEY, pin_hash TEXT NOT NULL, created_at TEXT NOT NULL,
                        failed_attempts INTEGER NOT NULL DEFAULT 0, locked_until TEXT);",
    // 4: print jobs carry their ticket (so reprints of bookings made elsewhere need no local
    // booking row, and a job prints the same after the catalogue changes), why they were
    // queued, and the last failure for staff. Rows from version 3 have no ticket.
    "CREATE TABLE print_jobs(id INTEGER PRIMARY KEY, booking_code TEXT NOT NULL, ticket TEXT,
                             reason TEXT NOT NULL CHECK (reason IN ('confirmation', 'reprint', 'test')),
                             state TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'abandoned')),
                             attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
                             created_at TEXT NOT NULL, printed_at TEXT);
     INSERT INTO print_jobs(id, booking_code, ticket, reason, state, attempts, created_at, printed_at)
         SELECT id, booking_code, NULL, 'confirmation', state, attempts, created_at, printed_at FROM print_queue;
     DROP TABLE print_queue;
     CREATE INDEX print_jobs_state ON print_jobs(state, id);",
    // 5: the maintenance PIN pad's count of wrong PINs and its lock (one pad a kiosk).
    "CREATE TABLE pin_pad(id INTEGER PRIMARY KEY CHECK (id = 1), failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT);",
    // 6: staff took the kiosk out of service (a row while it is), with the words for visitors;
    // it stays out across restarts until staff put it back.
    "CREATE TABLE out_of_service(id INTEGER PRIMARY KEY CHECK (id = 1), message TEXT NOT NULL,
                                 staff_id TEXT NOT NULL, since TEXT NOT NULL);",
    // 7: print jobs may be the slip of a request saved and not confirmed ('pending'; its
    // booking_code is then the request's reference). SQLite cannot change a CHECK in place:
    // the table is rebuilt with the same rows.
    "CREATE TABLE print_jobs_7(id INTEGER PRIMARY KEY, booking_code TEXT NOT NULL, ticket TEXT,
                               reason TEXT NOT NULL CHECK (reason IN ('confirmation', 'reprint', 'test', 'pending')),
                               state TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'abandoned')),
                               attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
                               created_at TEXT NOT NULL, printed_at TEXT);
     INSERT INTO print_jobs_7 SELECT id, booking_code, ticket, reason, state, attempts, last_error, created_at, printed_at
         FROM print_jobs;
     DROP TABLE print_jobs;
     ALTER TABLE print_jobs_7 RENAME TO print_jobs;
     CREATE INDEX print_jobs_state ON print_jobs(state, id);",
];

/// For each migration (by position), the oldest schema version whose software can still use
/// the database after it. None released so far was made additive on purpose: each is its own.
const OLDEST_READER: [i64; MIGRATIONS.len()] = [1, 2, 3, 4, 5, 6, 7];

/// The schema version of the release the fleet runs now: the one a fallback from this release
/// boots. Raised when a release has gone out to every kiosk.
pub const PREVIOUS_RELEASE_VERSION: i64 = 7;

/// Whether the release the fleet runs knows floors (this release is the first that does). Until
/// one that does is on every kiosk, a fallback meets software that refuses any newer schema:
/// no migration may be added at all (side tables may).
pub const PREVIOUS_RELEASE_READS_FLOORS: bool = false;

// The release the fleet runs is never ahead of this one, and while it refuses any newer
// schema, no migration is added (the build fails: hold the migration back, or use a side table).
const _: () = assert!(PREVIOUS_RELEASE_VERSION <= LATEST_VERSION);
const _: () = assert!(
    PREVIOUS_RELEASE_READS_FLOORS || LATEST_VERSION == PREVIOUS_RELEASE_VERSION,
    "a migration was added while the release the fleet runs refuses any newer schema"
);

/// The schema version this software writes.
#[allow(clippy::cast_possible_wrap)] // a handful of migrations, never 2^63
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies the migrations after `from` up to `to`, each in its own transaction.
fn apply(conn: &mut Connection, from: i64, to: i64) -> Result<()> {
    for v in from..to {
        let sql = usize::try_from(v)
            .ok()
            .and_then(|i| MIGRATIONS.get(i))
            .ok_or_else(|| StoreError::Invalid(format!("no migration {v}")))?;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", v + 1)?;
        tx.commit()?;
        tracing::info!(version = v + 1, "database migrated");
    }
    Ok(())
}

/// What opening did to the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Migrated {
    /// It was this software's.
    No,
    /// Migrated from this version.
    From(i64),
    /// Written by newer software at this version, which this one can still use (left as it is).
    Newer(i64),
}

/// The floor a database at this software's schema has.
fn floor() -> i64 {
    usize::try_from(LATEST_VERSION - 1)
        .ok()
        .and_then(|i| OLDEST_READER.get(i).copied())
        .unwrap_or(LATEST_VERSION)
}

/// The floor newer software recorded, if any.
fn recorded_floor(conn: &Connection) -> Result<Option<i64>> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_floor')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    Ok(conn
        .query_row("SELECT oldest_reader FROM schema_floor WHERE id = 1", [], |r| r.get(0))
        .optional()?)
}

/// Brings the schema to the latest version, or leaves a newer one its floor lets this software
/// use.
pub(crate) fn migrate(conn: &mut Connection) -> Result<Migrated> {
    let v = version(conn)?;
    if v > LATEST_VERSION {
        return match recorded_floor(conn)? {
            Some(floor) if floor <= LATEST_VERSION => {
                tracing::warn!(
                    version = v,
                    supported = LATEST_VERSION,
                    "the database is from newer software (an update fell back); it is used as it is"
                );
                side_tables(conn)?;
                Ok(Migrated::Newer(v))
            }
            _ => Err(StoreError::TooNew {
                found: v,
                supported: LATEST_VERSION,
            }),
        };
    }
    let migrated = if v == LATEST_VERSION {
        Migrated::No
    } else {
        apply(conn, v, LATEST_VERSION)?;
        Migrated::From(v)
    };
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS schema_floor(id INTEGER PRIMARY KEY CHECK (id = 1), oldest_reader INTEGER NOT NULL);
         INSERT INTO schema_floor(id, oldest_reader) VALUES (1, {floor})
             ON CONFLICT(id) DO UPDATE SET oldest_reader = excluded.oldest_reader WHERE oldest_reader != excluded.oldest_reader;",
        floor = floor()
    ))?;
    side_tables(conn)?;
    Ok(migrated)
}

/// Tables outside the numbered migrations: additions older software ignores, so adding them
/// keeps the schema version (and the fallback to the release the fleet runs, which has no floor
/// to read yet). `device_origin`: the server the device credential was issued by.
fn side_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS device_origin(id INTEGER PRIMARY KEY CHECK (id = 1), origin TEXT NOT NULL);",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Opened, Store};

    /// Sample rows valid at each version, so a migration that loses data is caught.
    fn fill(conn: &Connection, version: i64) {
        if version >= 1 {
            conn.execute_batch(
                "INSERT INTO device VALUES (1, 'dev-1', 'cred');
                 INSERT INTO slots VALUES ('s1', 'LAX', '2026-12-03T18:30:00.000Z', 20, 4, 2);
                 INSERT INTO sync_state VALUES ('LAX', 'e.5', '2026-11-28T18:00:00.000Z');",
            )
            .unwrap();
        }
        if version >= 2 {
            conn.execute_batch(
                "INSERT INTO outbox(id, kind, payload, created_at, next_attempt_at) VALUES ('o1', 'confirm', '{}', '2026-11-28T18:00:00.000Z', '2026-11-28T18:00:00.000Z');
                 INSERT INTO bookings VALUES ('ABCD2345', 'o0', 'LAX', 's1', '2026-12-03T18:30:00.000Z', '{}', '2026-11-28T18:00:00.000Z');",
            )
            .unwrap();
        }
        if version == 3 {
            conn.execute_batch(
                "INSERT INTO print_queue(booking_code, state, created_at) VALUES ('ABCD2345', 'queued', '2026-11-28T18:00:00.000Z');",
            )
            .unwrap();
        }
        if (4..7).contains(&version) {
            conn.execute_batch(
                "INSERT INTO print_jobs(booking_code, ticket, reason, state, attempts, last_error, created_at)
                     VALUES ('ABCD2345', '{\"x\":1}', 'reprint', 'queued', 2, 'paper out', '2026-11-28T18:00:00.000Z');",
            )
            .unwrap();
        }
    }

    #[test]
    fn migrates_from_every_earlier_version_and_keeps_the_data() {
        for from in 0..LATEST_VERSION {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k.db");
            {
                let mut conn = Connection::open(&path).unwrap();
                apply(&mut conn, 0, from).unwrap();
                fill(&conn, from);
            }
            let (store, opened) = Store::open(&path).unwrap();
            assert_eq!(
                opened,
                Opened::Existing {
                    migrated_from: Some(from)
                },
                "from {from}"
            );
            assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
            assert!(store.integrity_check().unwrap());
            if from >= 1 {
                assert_eq!(store.cursor("LAX").unwrap().as_deref(), Some("e.5"), "from {from}");
                assert!(store.device_credential().unwrap().is_some());
            }
            if from >= 2 {
                assert_eq!(store.outbox_depth().unwrap(), 1);
                assert!(store.booking("ABCD2345").unwrap().is_some());
            }
            if from == 3 {
                let queued = store.queued_prints().unwrap();
                assert_eq!(queued.len(), 1, "a version-3 job survives");
                assert_eq!(queued[0].ticket, None);
            }
            if (4..7).contains(&from) {
                let queued = store.queued_prints().unwrap();
                assert_eq!(queued.len(), 1, "a version-{from} job survives");
                let j = &queued[0];
                assert_eq!(
                    (j.ticket.as_deref(), j.reason, j.attempts, j.last_error.as_deref()),
                    (Some(r#"{"x":1}"#), crate::PrintReason::Reprint, 2, Some("paper out")),
                    "from {from}"
                );
            }
        }
    }

    #[test]
    fn opening_the_latest_version_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(Store::open(&path).unwrap());
        let (_, opened) = Store::open(&path).unwrap();
        assert_eq!(opened, Opened::Existing { migrated_from: None });
    }

    #[test]
    fn refuses_a_database_from_newer_software() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn a_fallback_release_uses_a_database_a_newer_one_migrated_additively_and_refuses_one_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(Store::open(&path).unwrap());
        // The next release: an additive migration (a new table), its floor still this schema.
        let newer = |floor: i64| {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS queue_tickets(code TEXT PRIMARY KEY);
                 PRAGMA user_version = {};
                 UPDATE schema_floor SET oldest_reader = {floor};",
                LATEST_VERSION + 1
            ))
            .unwrap();
        };
        newer(LATEST_VERSION);
        let (mut store, opened) = Store::open(&path).unwrap();
        assert_eq!(
            opened,
            Opened::Newer {
                version: LATEST_VERSION + 1
            }
        );
        store
            .set_device_credential(&crate::DeviceCredential {
                device_id: "dev-1".into(),
                credential: "c".into(),
            })
            .unwrap();
        assert!(store.device_credential().unwrap().is_some());
        drop(store);
        // Left as the newer release wrote it, floor and all.
        let conn = Connection::open(&path).unwrap();
        assert_eq!(version(&conn).unwrap(), LATEST_VERSION + 1);
        assert_eq!(recorded_floor(&conn).unwrap(), Some(LATEST_VERSION));
        drop(conn);

        // A migration that changed what this release reads raised the floor: refused.
        newer(LATEST_VERSION + 1);
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn every_database_records_its_floor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(recorded_floor(&conn).unwrap(), Some(floor()));
    }

    #[test]
    fn no_migration_locks_out_the_release_the_fleet_runs() {
        // A fallback from this release boots PREVIOUS_RELEASE_VERSION's software: it must be
        // able to use what this release wrote. A migration that raises the floor above it is
        // held back (made additive), or waits until the fleet has moved on.
        assert!(
            floor() <= PREVIOUS_RELEASE_VERSION,
            "this release's database (floor {}) cannot be used by the release the fleet runs (schema {PREVIOUS_RELEASE_VERSION})",
            floor()
        );
        assert!(
            OLDEST_READER.windows(2).all(|w| w[0] <= w[1]),
            "a floor never goes down"
        );
        for (i, f) in OLDEST_READER.iter().enumerate() {
            assert!(
                *f <= i64::try_from(i).unwrap() + 1,
                "migration {} floor {f} above its own version",
                i + 1
            );
        }
    }
}

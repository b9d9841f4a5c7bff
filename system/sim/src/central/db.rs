//! The simulator's state in SQLite, so a restart keeps it. One connection behind a mutex: every
//! write is a transaction on it, which is what makes capacity exact however many kiosks race.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::seed::{self, HORIZON_DAYS, OfficeSeed};
use crate::problem::Problem;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offices(id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS slots(
    id TEXT PRIMARY KEY, office_id TEXT NOT NULL, start TEXT NOT NULL, minutes INTEGER NOT NULL,
    capacity INTEGER NOT NULL, taken INTEGER NOT NULL, seq INTEGER NOT NULL, removed INTEGER NOT NULL DEFAULT 0,
    CHECK (taken >= 0 AND taken <= capacity));
CREATE INDEX IF NOT EXISTS slots_office_seq ON slots(office_id, seq);
CREATE INDEX IF NOT EXISTS slots_office_start ON slots(office_id, start);
CREATE TABLE IF NOT EXISTS holds(id TEXT PRIMARY KEY, slot_id TEXT NOT NULL, device_id TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bookings(
    code TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, device_id TEXT NOT NULL, request_hash TEXT NOT NULL,
    slot_id TEXT NOT NULL, office_id TEXT NOT NULL, account_id TEXT, body TEXT NOT NULL, status TEXT NOT NULL,
    created_at TEXT NOT NULL, UNIQUE(device_id, idempotency_key));
CREATE TABLE IF NOT EXISTS documents(id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, bytes INTEGER NOT NULL, kind TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts(
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, salt TEXT NOT NULL,
    confirmed INTEGER NOT NULL, profile TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account_tokens(token TEXT PRIMARY KEY, account_id TEXT NOT NULL, purpose TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device_codes(
    device_code TEXT PRIMARY KEY, user_code TEXT NOT NULL UNIQUE, status TEXT NOT NULL, account_id TEXT,
    expires_at TEXT NOT NULL, interval INTEGER NOT NULL, last_poll TEXT);
CREATE TABLE IF NOT EXISTS devices(id TEXT PRIMARY KEY, credential TEXT NOT NULL UNIQUE, kiosk_id TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_tokens(token TEXT PRIMARY KEY, used_by TEXT);
CREATE TABLE IF NOT EXISTS mail(id INTEGER PRIMARY KEY, to_addr TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeats(id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people(curp TEXT PRIMARY KEY, body TEXT NOT NULL);
";

/// The shared connection.
#[derive(Debug, Clone)]
pub struct Db(Arc<Mutex<Connection>>);

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

impl Db {
    /// Opens (or creates and seeds) the database at `path`.
    pub fn open(path: &Path, now: DateTime<Utc>) -> anyhow::Result<Db> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        let tx = conn.transaction()?;
        if meta(&tx, "epoch")?.is_none() {
            let epoch = &uuid::Uuid::new_v4().simple().to_string()[..8];
            set_meta(&tx, "epoch", epoch)?;
            set_meta(&tx, "seq", "0")?;
            set_meta(&tx, "horizon", "0")?;
            for o in seed::offices()? {
                tx.execute(
                    "INSERT INTO offices(id, body) VALUES (?1, ?2)",
                    params![o.id, serde_json::to_string(&o)?],
                )?;
            }
            for p in seed::people() {
                tx.execute(
                    "INSERT INTO people(curp, body) VALUES (?1, ?2)",
                    params![p.curp, serde_json::to_string(&p)?],
                )?;
            }
        }
        extend_slots(&tx, now)?;
        tx.commit()?;
        Ok(Db(Arc::new(Mutex::new(conn))))
    }

    /// Runs `f` in one write transaction on a blocking thread.
    pub async fn tx<T, F>(&self, f: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, Problem> + Send + 'static,
    {
        let db = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| Problem::internal(format!("worker failed: {e}")))?
    }
}

pub fn meta(tx: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    tx.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub fn set_meta(tx: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The next value of the change sequence that availability cursors count.
pub fn next_seq(tx: &Connection) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq' RETURNING CAST(value AS INTEGER)",
    )?
    .query_row([], |r| r.get(0))
}

pub fn current_seq(tx: &Connection) -> rusqlite::Result<i64> {
    tx.prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'")?
        .query_row([], |r| r.get(0))
}

pub fn offices(tx: &Connection) -> Result<Vec<OfficeSeed>, Problem> {
    let mut stmt = tx.prepare("SELECT body FROM offices ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        out.push(serde_json::from_str(&body?).map_err(|e| Problem::internal(e.to_string()))?);
    }
    Ok(out)
}

pub fn office(tx: &Connection, id: &str) -> Result<OfficeSeed, Problem> {
    let body: Option<String> = tx
        .query_row("SELECT body FROM offices WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    let body = body.ok_or_else(|| Problem::not_found("office-not-found", format!("no office {id}")))?;
    serde_json::from_str(&body).map_err(|e| Problem::internal(e.to_string()))
}

/// Generates slots up to the horizon for every office (idempotent).
pub fn extend_slots(tx: &Transaction<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let offices = offices(tx).map_err(|p| anyhow::anyhow!(p.detail))?;
    for o in offices {
        let today = now.with_timezone(&o.tz).date_naive();
        for i in 0..=HORIZON_DAYS {
            for s in seed::day_slots(&o, today + Duration::days(i)) {
                let seq = current_seq(tx)? + 1;
                let inserted = tx.execute(
                    "INSERT OR IGNORE INTO slots(id, office_id, start, minutes, capacity, taken, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![s.id, o.id, ts(s.start), s.minutes, s.capacity, s.taken, seq],
                )?;
                if inserted == 1 {
                    set_meta(tx, "seq", &seq.to_string())?;
                }
            }
        }
    }
    Ok(())
}

/// Returns the places of expired holds to their slots.
pub fn sweep_holds(tx: &Connection, now: DateTime<Utc>) -> rusqlite::Result<()> {
    // Read first: most calls find nothing to expire and then write nothing.
    let any: Option<i64> = tx
        .query_row("SELECT 1 FROM holds WHERE expires_at <= ?1 LIMIT 1", [ts(now)], |r| {
            r.get(0)
        })
        .optional()?;
    if any.is_none() {
        return Ok(());
    }
    let expired: Vec<String> = {
        let mut stmt = tx.prepare("DELETE FROM holds WHERE expires_at <= ?1 RETURNING slot_id")?;
        stmt.query_map([ts(now)], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for slot in expired {
        let seq = next_seq(tx)?;
        tx.execute(
            "UPDATE slots SET taken = taken - 1, seq = ?2 WHERE id = ?1 AND taken > 0",
            params![slot, seq],
        )?;
    }
    Ok(())
}

/// Takes one place of a slot if one is free: the single statement that prevents overbooking.
pub fn take_place(tx: &Connection, slot_id: &str) -> rusqlite::Result<bool> {
    let seq = next_seq(tx)?;
    let n = tx.execute(
        "UPDATE slots SET taken = taken + 1, seq = ?2 WHERE id = ?1 AND removed = 0 AND taken < capacity",
        params![slot_id, seq],
    )?;
    Ok(n == 1)
}

pub fn give_place_back(tx: &Connection, slot_id: &str) -> rusqlite::Result<()> {
    let seq = next_seq(tx)?;
    tx.execute(
        "UPDATE slots SET taken = taken - 1, seq = ?2 WHERE id = ?1 AND taken > 0",
        params![slot_id, seq],
    )?;
    Ok(())
}

/// A slot row.
#[derive(Debug, Clone)]
pub struct SlotRow {
    pub id: String,
    pub office_id: String,
    pub start: String,
    pub minutes: u32,
    pub capacity: u32,
    pub taken: u32,
    pub removed: bool,
}

pub fn slot(tx: &Connection, id: &str) -> rusqlite::Result<Option<SlotRow>> {
    tx.prepare_cached("SELECT id, office_id, start, minutes, capacity, taken, removed FROM slots WHERE id = ?1")?
        .query_row([id], slot_row)
        .optional()
}

pub fn slot_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SlotRow> {
    Ok(SlotRow {
        id: r.get(0)?,
        office_id: r.get(1)?,
        start: r.get(2)?,
        minutes: r.get(3)?,
        capacity: r.get(4)?,
        taken: r.get(5)?,
        removed: r.get::<_, i64>(6)? != 0,
    })
}

pub fn send_mail(tx: &Connection, to: &str, subject: &str, body: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO mail(to_addr, subject, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![to, subject, body, ts(now)],
    )?;
    Ok(())
}

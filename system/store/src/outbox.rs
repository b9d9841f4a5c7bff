//! The outbox: every action that must reach the server is a row written (and synced to disk)
//! before the request goes out, and removed only once the server has answered. The row's id is
//! the request's `Idempotency-Key`, so sending it again after a crash or a lost answer can
//! never do the action twice.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use uuid::Uuid;

use crate::{Result, Store, StoreError, StoredBooking, parse_ts, ts};

/// What an outbox row asks the server to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    /// Confirm a booking (`POST /v1/bookings`).
    Confirm,
    /// Cancel a booking by code.
    Cancel,
    /// Release a hold the visitor no longer needs.
    ReleaseHold,
    /// A device heartbeat.
    Heartbeat,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Confirm => "confirm",
            OutboxKind::Cancel => "cancel",
            OutboxKind::ReleaseHold => "release_hold",
            OutboxKind::Heartbeat => "heartbeat",
        }
    }
}

impl fmt::Display for OutboxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutboxKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "confirm" => OutboxKind::Confirm,
            "cancel" => OutboxKind::Cancel,
            "release_hold" => OutboxKind::ReleaseHold,
            "heartbeat" => OutboxKind::Heartbeat,
            other => return Err(StoreError::Invalid(format!("outbox kind {other:?}"))),
        })
    }
}

/// One pending action.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Also the `Idempotency-Key`.
    pub id: Uuid,
    pub kind: OutboxKind,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

type Row = (String, String, String, String, u32, String, Option<String>);

fn entry(row: Row) -> Result<OutboxEntry> {
    let (id, kind, payload, created, attempts, next, last_error) = row;
    Ok(OutboxEntry {
        id: Uuid::parse_str(&id).map_err(|e| StoreError::Invalid(format!("outbox id {id:?}: {e}")))?,
        kind: kind.parse()?,
        payload: serde_json::from_str(&payload)?,
        created_at: parse_ts(&created)?,
        attempts,
        next_attempt_at: parse_ts(&next)?,
        last_error,
    })
}

const COLUMNS: &str = "id, kind, payload, created_at, attempts, next_attempt_at, last_error";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

/// Why a confirmation's ticket was kept and not printed.
pub const CONFIRMED_AFTER_VISIT: &str = "confirmed after the visit ended: not printed; reprint it when asked";

impl Store {
    /// Writes an action to the outbox, due now; returns its id (the idempotency key).
    pub fn enqueue(&mut self, kind: OutboxKind, payload: &Value, now: DateTime<Utc>) -> Result<Uuid> {
        let id = Uuid::new_v4();
        self.conn.execute(
            "INSERT INTO outbox(id, kind, payload, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id.to_string(), kind.as_str(), payload.to_string(), ts(now)],
        )?;
        Ok(id)
    }

    pub fn outbox_entry(&self, id: Uuid) -> Result<Option<OutboxEntry>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                [id.to_string()],
                read_row,
            )
            .optional()?
            .map(entry)
            .transpose()
    }

    /// Every pending action, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at, id"))?;
        let rows: Vec<Row> = stmt.query_map([], read_row)?.collect::<std::result::Result<_, _>>()?;
        rows.into_iter().map(entry).collect()
    }

    /// The actions due at `now`, oldest first.
    pub fn outbox_due(&self, now: DateTime<Utc>) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE next_attempt_at <= ?1 ORDER BY created_at, id"
        ))?;
        let rows: Vec<Row> = stmt
            .query_map([ts(now)], read_row)?
            .collect::<std::result::Result<_, _>>()?;
        rows.into_iter().map(entry).collect()
    }

    pub fn outbox_depth(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// The booking an outbox row became, once the server confirmed it.
    pub fn booking_of_outbox(&self, id: Uuid) -> Result<Option<StoredBooking>> {
        let code: Option<String> = self
            .conn
            .query_row(
                "SELECT code FROM bookings WHERE outbox_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match code {
            Some(c) => self.booking(&c),
            None => Ok(None),
        }
    }

    /// Counts a failed attempt and schedules the next one.
    pub fn outbox_retry(&mut self, id: Uuid, next_attempt_at: DateTime<Utc>, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
            params![id.to_string(), ts(next_attempt_at), error],
        )?;
        Ok(())
    }

    /// Removes an action the server has answered for good.
    pub fn outbox_remove(&mut self, id: Uuid) -> Result<()> {
        self.conn
            .execute("DELETE FROM outbox WHERE id = ?1", [id.to_string()])?;
        Ok(())
    }

    /// The server confirmed the booking of outbox row `id`: in one transaction the booking is
    /// recorded, its ticket (JSON, when one could be made) queued for printing, and the row
    /// removed. Recording the same booking twice (an answer replayed after a crash) changes
    /// nothing.
    ///
    /// `visitor_waiting` is false when the answer came after the visit ended (the outbox
    /// delivered it in the background): the ticket is kept, not printed, for nobody would take
    /// it from the tray; staff or the visitor's lookup reprint it.
    pub fn complete_confirmation(
        &mut self,
        id: Uuid,
        booking: &StoredBooking,
        ticket: Option<&str>,
        visitor_waiting: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO bookings(code, outbox_id, office_id, slot_id, start, body, confirmed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                booking.code,
                id.to_string(),
                booking.office_id,
                booking.slot_id,
                ts(booking.start),
                booking.body,
                ts(now)
            ],
        )?;
        if inserted == 1 {
            tx.execute(
                "INSERT INTO print_jobs(booking_code, ticket, reason, state, last_error, created_at)
                 VALUES (?1, ?2, 'confirmation', ?3, ?4, ?5)",
                params![
                    booking.code,
                    ticket,
                    if visitor_waiting { "queued" } else { "abandoned" },
                    (!visitor_waiting).then_some(CONFIRMED_AFTER_VISIT),
                    ts(now)
                ],
            )?;
        }
        tx.execute("DELETE FROM outbox WHERE id = ?1", [id.to_string()])?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use serde_json::json;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
    }

    fn booking(code: &str) -> StoredBooking {
        StoredBooking {
            code: code.into(),
            office_id: "LAX".into(),
            slot_id: "s1".into(),
            start: now() + Duration::days(5),
            body: "{}".into(),
        }
    }

    #[test]
    fn an_enqueued_action_is_due_at_once_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let id = {
            let (mut s, _) = Store::open(&path).unwrap();
            s.enqueue(OutboxKind::Confirm, &json!({"slot_id": "s1"}), now())
                .unwrap()
        };
        let (s, _) = Store::open(&path).unwrap();
        let due = s.outbox_due(now()).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].id, id);
        assert_eq!(due[0].payload, json!({"slot_id": "s1"}));
    }

    #[test]
    fn a_retried_action_waits_until_its_next_attempt() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue(OutboxKind::Heartbeat, &json!({}), now()).unwrap();
        s.outbox_retry(id, now() + Duration::seconds(30), "connection reset")
            .unwrap();
        assert!(s.outbox_due(now()).unwrap().is_empty());
        let later = s.outbox_due(now() + Duration::seconds(30)).unwrap();
        assert_eq!(later[0].attempts, 1);
        assert_eq!(later[0].last_error.as_deref(), Some("connection reset"));
        assert_eq!(s.outbox_depth().unwrap(), 1);
    }

    #[test]
    fn confirmation_records_booking_queues_ticket_and_clears_row_at_once() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue(OutboxKind::Confirm, &json!({}), now()).unwrap();
        s.complete_confirmation(id, &booking("ABCD2345"), Some("{}"), true, now())
            .unwrap();
        assert_eq!(s.outbox_depth().unwrap(), 0);
        assert_eq!(s.booking("ABCD2345").unwrap(), Some(booking("ABCD2345")));
        let queued = s.queued_prints().unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(
            (queued[0].booking_code.as_str(), queued[0].ticket.as_deref()),
            ("ABCD2345", Some("{}"))
        );
        assert_eq!(s.booking_of_outbox(id).unwrap(), Some(booking("ABCD2345")));
    }

    #[test]
    fn recording_the_same_confirmation_twice_prints_one_ticket() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue(OutboxKind::Confirm, &json!({}), now()).unwrap();
        s.complete_confirmation(id, &booking("ABCD2345"), Some("{}"), true, now())
            .unwrap();
        s.complete_confirmation(id, &booking("ABCD2345"), Some("{}"), true, now())
            .unwrap();
        assert_eq!(s.bookings().unwrap().len(), 1);
        assert_eq!(s.queued_prints().unwrap().len(), 1);
    }

    #[test]
    fn a_confirmation_after_the_visit_keeps_its_ticket_without_printing_it() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue(OutboxKind::Confirm, &json!({}), now()).unwrap();
        s.complete_confirmation(id, &booking("ABCD2345"), Some("{}"), false, now())
            .unwrap();
        assert!(s.queued_prints().unwrap().is_empty());
        let kept = s.print_jobs_for("ABCD2345").unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].last_error.as_deref(), Some(CONFIRMED_AFTER_VISIT));
        let again = s.reprint(kept[0].id, now()).unwrap();
        assert_eq!(s.queued_prints().unwrap()[0].id, again);
    }
}

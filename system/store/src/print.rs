//! The print queue: tickets waiting for a healthy printer, and what became of them.
//!
//! A confirmation's ticket is queued in the transaction that records the booking
//! ([`Store::complete_confirmation`]); staff reprints and test tickets are queued here. A job
//! is marked printed only once the printer reported itself healthy after it; failures keep it
//! queued with the reason; staff can reprint any job (a new job with the same ticket).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use crate::{Result, Store, StoreError, parse_ts, ts};

/// Why a ticket was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintReason {
    /// The booking was just confirmed at this kiosk.
    Confirmation,
    /// Asked again (by the visitor in "I already have an appointment", or by staff).
    Reprint,
    /// Staff's test print.
    Test,
    /// The slip of a request saved and not confirmed (`kiosk_core::slip::PendingSlip`); the
    /// job's `booking_code` is the request's reference. Its reprints are slips too.
    Pending,
}

impl PrintReason {
    pub fn as_str(self) -> &'static str {
        match self {
            PrintReason::Confirmation => "confirmation",
            PrintReason::Reprint => "reprint",
            PrintReason::Test => "test",
            PrintReason::Pending => "pending",
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintState {
    Queued,
    Printed,
    /// Given up on: its ticket cannot be printed (an unreadable ticket, or staff cancelled it).
    Abandoned,
}

impl PrintState {
    pub fn as_str(self) -> &'static str {
        match self {
            PrintState::Queued => "queued",
            PrintState::Printed => "printed",
            PrintState::Abandoned => "abandoned",
        }
    }
}

impl fmt::Display for PrintState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for PrintReason {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<PrintReason> {
        [
            PrintReason::Confirmation,
            PrintReason::Reprint,
            PrintReason::Test,
            PrintReason::Pending,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| StoreError::Invalid(format!("print reason {s:?}")))
    }
}

impl FromStr for PrintState {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<PrintState> {
        [PrintState::Queued, PrintState::Printed, PrintState::Abandoned]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| StoreError::Invalid(format!("print state {s:?}")))
    }
}

/// One print job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: i64,
    pub booking_code: String,
    /// The ticket as JSON (`kiosk_core::ticket::Ticket`); `None` for jobs queued before
    /// tickets were stored (schema version 3).
    pub ticket: Option<String>,
    pub reason: PrintReason,
    pub state: PrintState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub printed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, booking_code, ticket, reason, state, attempts, last_error, created_at, printed_at";

type RawJob = (
    i64,
    String,
    Option<String>,
    String,
    String,
    u32,
    Option<String>,
    String,
    Option<String>,
);

fn raw(r: &Row<'_>) -> rusqlite::Result<RawJob> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn job(r: RawJob) -> Result<PrintJob> {
    let (id, booking_code, ticket, reason, state, attempts, last_error, created_at, printed_at) = r;
    Ok(PrintJob {
        id,
        booking_code,
        ticket,
        reason: reason.parse()?,
        state: state.parse()?,
        attempts,
        last_error,
        created_at: parse_ts(&created_at)?,
        printed_at: printed_at.as_deref().map(parse_ts).transpose()?,
    })
}

impl Store {
    fn print_jobs_where(&self, filter: &str, params: impl rusqlite::Params) -> Result<Vec<PrintJob>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM print_jobs {filter}"))?;
        let rows = stmt
            .query_map(params, raw)?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter().map(job).collect()
    }

    /// Jobs waiting for the printer, oldest first.
    pub fn queued_prints(&self) -> Result<Vec<PrintJob>> {
        self.print_jobs_where("WHERE state = 'queued' ORDER BY id", [])
    }

    /// The most recent jobs, newest first (the maintenance screen, `kioskctl`).
    pub fn recent_prints(&self, limit: u32) -> Result<Vec<PrintJob>> {
        self.print_jobs_where("ORDER BY id DESC LIMIT ?1", [limit])
    }

    /// The jobs of one booking, newest first.
    pub fn print_jobs_for(&self, booking_code: &str) -> Result<Vec<PrintJob>> {
        self.print_jobs_where("WHERE booking_code = ?1 ORDER BY id DESC", [booking_code])
    }

    pub fn print_job(&self, id: i64) -> Result<Option<PrintJob>> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1"), [id], raw)
            .optional()?
            .map(job)
            .transpose()
    }

    /// Queues a ticket (JSON) for `booking_code`; its job id.
    pub fn queue_print(
        &mut self,
        booking_code: &str,
        ticket: &str,
        reason: PrintReason,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO print_jobs(booking_code, ticket, reason, state, created_at) VALUES (?1, ?2, ?3, 'queued', ?4)",
            params![booking_code, ticket, reason.as_str(), ts(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The printer reported itself healthy after job `id`.
    pub fn print_done(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, last_error = NULL, printed_at = ?2
             WHERE id = ?1",
            params![id, ts(now)],
        )?;
        Ok(())
    }

    /// Job `id` did not print (paper out, printer off...): it stays queued, with the reason.
    pub fn print_failed(&mut self, id: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1 AND state = 'queued'",
            params![id, error],
        )?;
        Ok(())
    }

    /// Gives up on job `id` for `reason`.
    pub fn print_abandon(&mut self, id: i64, reason: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET state = 'abandoned', last_error = ?2 WHERE id = ?1 AND state = 'queued'",
            params![id, reason],
        )?;
        Ok(())
    }

    /// Queues job `id`'s ticket again (staff's reprint); the new job's id. A slip's reprint
    /// stays a slip (its reason tells how its JSON reads).
    pub fn reprint(&mut self, id: i64, now: DateTime<Utc>) -> Result<i64> {
        let original = self
            .print_job(id)?
            .ok_or_else(|| StoreError::Invalid(format!("no print job {id}")))?;
        let ticket = original
            .ticket
            .ok_or_else(|| StoreError::Invalid(format!("print job {id} has no ticket to reprint")))?;
        let reason = match original.reason {
            PrintReason::Pending => PrintReason::Pending,
            _ => PrintReason::Reprint,
        };
        self.queue_print(&original.booking_code, &ticket, reason, now)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()
    }

    #[test]
    fn a_failed_job_stays_queued_with_its_reason_until_printed() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .queue_print("ABCD2345", "{}", PrintReason::Confirmation, now())
            .unwrap();
        s.print_failed(id, "paper out").unwrap();
        let queued = s.queued_prints().unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(
            (queued[0].attempts, queued[0].last_error.as_deref()),
            (1, Some("paper out"))
        );
        s.print_done(id, now()).unwrap();
        assert!(s.queued_prints().unwrap().is_empty());
        let job = s.print_job(id).unwrap().unwrap();
        assert_eq!(
            (job.state, job.attempts, job.printed_at),
            (PrintState::Printed, 2, Some(now()))
        );
    }

    #[test]
    fn a_queued_job_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let (mut s, _) = Store::open(&path).unwrap();
            s.queue_print("ABCD2345", r#"{"x":1}"#, PrintReason::Confirmation, now())
                .unwrap();
        }
        let (s, _) = Store::open(&path).unwrap();
        assert_eq!(s.queued_prints().unwrap()[0].ticket.as_deref(), Some(r#"{"x":1}"#));
    }

    #[test]
    fn staff_reprint_queues_the_same_ticket_again() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .queue_print("ABCD2345", "{}", PrintReason::Confirmation, now())
            .unwrap();
        s.print_done(id, now()).unwrap();
        let again = s.reprint(id, now()).unwrap();
        let job = s.print_job(again).unwrap().unwrap();
        assert_eq!(
            (job.reason, job.state, job.ticket.as_deref()),
            (PrintReason::Reprint, PrintState::Queued, Some("{}"))
        );
        assert_eq!(s.recent_prints(10).unwrap().len(), 2);
        assert!(s.reprint(999, now()).is_err());
    }

    #[test]
    fn a_slip_reprinted_is_still_a_slip() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.queue_print("3F2A91C0", "{}", PrintReason::Pending, now()).unwrap();
        let again = s.reprint(id, now()).unwrap();
        let job = s.print_job(again).unwrap().unwrap();
        assert_eq!(
            (job.reason, job.booking_code.as_str()),
            (PrintReason::Pending, "3F2A91C0")
        );
    }

    #[test]
    fn an_abandoned_job_leaves_the_queue() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.queue_print("ABCD2345", "not json", PrintReason::Test, now()).unwrap();
        s.print_abandon(id, "unreadable ticket").unwrap();
        assert!(s.queued_prints().unwrap().is_empty());
        assert_eq!(s.print_job(id).unwrap().unwrap().state, PrintState::Abandoned);
    }
}

//! The kiosk's printer as its screens use it: the print queue worked through on the async
//! runtime (the printer's blocking I/O on its blocking threads, never on the UI thread), one
//! round at a time, when a ticket is queued and every few seconds while any wait, so a ticket
//! held by a paper-out comes out once staff load paper; a confirmation's ticket found, a
//! reprint queued, a not-confirmed request's slip queued, the test page, the previews.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use kiosk_core::slip::PendingSlip;
use kiosk_core::ticket::Ticket;
use kiosk_store::{PrintReason, PrintState, Store};

use crate::{JobOutcome, Preview, PrintQueue, PrinterStatus, Printout};

/// The kiosk's store, shared with the sync engine.
pub type SharedStore = Arc<std::sync::Mutex<Store>>;

/// How often queued tickets are retried.
pub const RETRY_EVERY: Duration = Duration::from_secs(5);
/// Tickets queued longer ago are left for staff (see [`PrintQueue::with_max_age`]).
pub const PRINT_WITHIN_MINUTES: i64 = 30;

/// What became of a visitor's ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketOutcome {
    Printed,
    /// Not printed (paper out, printer off...): it stays queued; the visitor asks staff.
    AskStaff {
        why: String,
        status: Option<PrinterStatus>,
    },
}

/// The printer of this kiosk and its queue.
#[derive(Debug, Clone)]
pub struct Printing {
    queue: PrintQueue,
    store: SharedStore,
    /// One round at a time: a visitor's ticket and the background retry never interleave.
    round: Arc<tokio::sync::Mutex<()>>,
}

fn store_error(e: impl std::fmt::Display) -> TicketOutcome {
    TicketOutcome::AskStaff {
        why: format!("print queue: {e}"),
        status: None,
    }
}

impl Printing {
    pub fn new(queue: PrintQueue, store: SharedStore) -> Printing {
        Printing {
            queue: queue.with_max_age(chrono::Duration::minutes(PRINT_WITHIN_MINUTES)),
            store,
            round: Arc::default(),
        }
    }

    /// Retries queued tickets every [`RETRY_EVERY`] for as long as the runtime runs.
    pub fn start_retrying(&self, runtime: &tokio::runtime::Handle) {
        let me = self.clone();
        runtime.spawn(async move {
            let mut every = tokio::time::interval(RETRY_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let waiting = me.with_store(|s| s.queued_prints().map(|q| !q.is_empty())).await;
                if matches!(waiting, Ok(true)) {
                    me.round().await;
                }
            }
        });
    }

    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut kiosk_store::Store) -> Result<T, kiosk_store::StoreError> + Send + 'static,
    ) -> Result<T, String> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut s)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
    }

    /// One round over the queue.
    async fn round(&self) -> Vec<JobOutcome> {
        let _one = self.round.lock().await;
        let queue = self.queue.clone();
        match tokio::task::spawn_blocking(move || queue.run()).await {
            Ok(Ok(outcomes)) => outcomes,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "the print queue cannot be read");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, "the print worker failed");
                Vec::new()
            }
        }
    }

    /// Prints job `id` now (with any queued before it) and says how it went.
    pub async fn print(&self, id: i64) -> TicketOutcome {
        let outcomes = self.round().await;
        match outcomes.into_iter().find(|o| o.id() == id) {
            Some(JobOutcome::Printed { .. }) => TicketOutcome::Printed,
            Some(JobOutcome::Waiting { error, .. } | JobOutcome::Abandoned { error, .. }) => TicketOutcome::AskStaff {
                status: error.status(),
                why: error.to_string(),
            },
            // Not reached this round: a ticket before it could not print, or another round
            // printed it meanwhile.
            None => match self.with_store(move |s| s.print_job(id)).await {
                Ok(Some(job)) if job.state == PrintState::Printed => TicketOutcome::Printed,
                Ok(job) => TicketOutcome::AskStaff {
                    why: job
                        .and_then(|j| j.last_error)
                        .unwrap_or_else(|| "an earlier ticket is waiting".into()),
                    status: None,
                },
                Err(e) => store_error(e),
            },
        }
    }

    /// The ticket a confirmation queued for `code` (or, when the confirmation was recorded as
    /// delivered after the visit, a reprint of it), with its job id; `None` when there is none.
    /// A job already printed is not printed again.
    pub async fn confirmation_ticket(&self, code: &str) -> Option<(i64, Ticket)> {
        let code = code.to_owned();
        let found = self
            .with_store(move |s| {
                let Some(job) = s.print_jobs_for(&code)?.into_iter().next() else {
                    return Ok(None);
                };
                // Printed already (the retry loop got to it first): nothing more to print.
                // Kept unprinted (the outbox delivered it after a restart): print it now.
                let id = match job.state {
                    PrintState::Queued | PrintState::Printed => job.id,
                    PrintState::Abandoned => s.reprint(job.id, Utc::now())?,
                };
                Ok(job.ticket.map(|t| (id, t)))
            })
            .await;
        match found {
            Ok(Some((id, json))) => match serde_json::from_str(&json) {
                Ok(t) => Some((id, t)),
                Err(e) => {
                    tracing::error!(error = %e, "the queued ticket cannot be read");
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "looking the ticket up");
                None
            }
        }
    }

    /// Queues `ticket` as a reprint; its job id.
    pub async fn queue_reprint(&self, ticket: &Ticket) -> Result<i64, String> {
        let json = serde_json::to_string(ticket).map_err(|e| e.to_string())?;
        let code = ticket.confirmation_code.to_string();
        self.with_store(move |s| s.queue_print(&code, &json, PrintReason::Reprint, Utc::now()))
            .await
    }

    /// Queues the slip of a request saved and not confirmed; its job id. One slip a request:
    /// asked again (the page shown anew), the slip already queued is the one printed.
    pub async fn queue_slip(&self, slip: &PendingSlip) -> Result<i64, String> {
        let json = serde_json::to_string(slip).map_err(|e| e.to_string())?;
        let reference = slip.reference.as_str().to_owned();
        self.with_store(move |s| {
            if let Some(job) = s.print_jobs_for(&reference)?.into_iter().next() {
                return Ok(job.id);
            }
            s.queue_print(&reference, &json, PrintReason::Pending, Utc::now())
        })
        .await
    }

    /// The queue (its printer and paper), for the health report.
    pub fn queue(&self) -> &PrintQueue {
        &self.queue
    }

    /// Prints the maintenance test page now (never during a round).
    pub async fn test_page(&self, kiosk_id: &str, when: &str) -> Result<crate::Printed, crate::PrintError> {
        let _one = self.round.lock().await;
        let (queue, kiosk_id, when) = (self.queue.clone(), kiosk_id.to_owned(), when.to_owned());
        tokio::task::spawn_blocking(move || queue.test_page(&kiosk_id, &when))
            .await
            .map_err(|e| crate::PrintError::Io(e.to_string()))?
    }

    /// Queues job `id`'s ticket again (staff's reprint) and prints it.
    pub async fn reprint(&self, id: i64) -> TicketOutcome {
        match self.with_store(move |s| s.reprint(id, Utc::now())).await {
            Ok(new) => self.print(new).await,
            Err(e) => store_error(e),
        }
    }

    /// The most recent jobs, newest first.
    pub async fn recent(&self, limit: u32) -> Vec<kiosk_store::PrintJob> {
        self.with_store(move |s| s.recent_prints(limit))
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "reading the recent print jobs");
                Vec::new()
            })
    }

    /// The ticket (or slip) as it will come out, for the screen.
    pub fn preview(&self, printout: &Printout) -> Option<Preview> {
        crate::preview::printout(printout, self.queue.paper())
            .map_err(|e| tracing::error!(error = %e, "drawing the ticket's preview"))
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_is_told_as_ask_staff_with_its_reason() {
        let outcome = store_error("disk I/O error");
        assert_eq!(
            outcome,
            TicketOutcome::AskStaff {
                why: "print queue: disk I/O error".into(),
                status: None,
            }
        );
    }
}

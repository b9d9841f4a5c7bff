//! The print queue's worker: prints the store's queued tickets, oldest first, and records what
//! the printer said. A job is marked printed only when the printer reported itself healthy
//! after it; paper out, a cover open or a printer that does not answer keep it queued (with the
//! reason, for staff) and stop the round, so the next round starts again from the oldest.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use kiosk_store::{PrintJob, Store, StoreError};

use crate::device::Printer;
use crate::error::PrintError;
use crate::layout::Paper;

/// What became of one job in a round.
#[derive(Debug)]
pub enum JobOutcome {
    Printed {
        id: i64,
        code: String,
    },
    /// Still queued: the printer could not take it.
    Waiting {
        id: i64,
        code: String,
        error: PrintError,
    },
    /// Given up: the stored ticket cannot be printed.
    Abandoned {
        id: i64,
        code: String,
        error: PrintError,
    },
}

impl JobOutcome {
    pub fn id(&self) -> i64 {
        match self {
            JobOutcome::Printed { id, .. } | JobOutcome::Waiting { id, .. } | JobOutcome::Abandoned { id, .. } => *id,
        }
    }
}

/// The ESC/POS bytes of a stored job (a ticket, or a slip).
pub fn job_bytes(job: &PrintJob, paper: Paper) -> Result<Vec<u8>, PrintError> {
    let printout = crate::Printout::of_job(job)?;
    crate::escpos::render(&printout.lines(paper), paper).map_err(|e| PrintError::Render(e.to_string()))
}

/// Prints queued tickets on one printer.
#[derive(Debug, Clone)]
pub struct PrintQueue {
    store: Arc<Mutex<Store>>,
    printer: Printer,
    paper: Paper,
    max_age: Option<chrono::Duration>,
    /// One exchange with the printer at a time: a round, a status query from the maintenance
    /// screen and a test page never interleave their bytes (shared by the queue's clones).
    device: Arc<Mutex<()>>,
}

impl PrintQueue {
    pub fn new(store: Arc<Mutex<Store>>, printer: Printer, paper: Paper) -> PrintQueue {
        PrintQueue {
            store,
            printer,
            paper,
            max_age: None,
            device: Arc::default(),
        }
    }

    /// Tickets queued longer ago than `age` are left for staff instead of printed by
    /// themselves: after a long paper-out their visitors have gone, and a burst of tickets
    /// nobody takes would only confuse the next visitor. They stay queued and reprintable.
    #[must_use]
    pub fn with_max_age(mut self, age: chrono::Duration) -> PrintQueue {
        self.max_age = Some(age);
        self
    }

    pub fn paper(&self) -> Paper {
        self.paper
    }

    pub fn printer(&self) -> &Printer {
        &self.printer
    }

    /// The printer's status now (blocking; never during a round).
    pub fn status(&self) -> Result<Option<crate::PrinterStatus>, PrintError> {
        let _device = self.device.lock().unwrap_or_else(PoisonError::into_inner);
        self.printer.status()
    }

    /// Prints the maintenance test page now, outside the queue (blocking; never during a
    /// round): how it went, as for a ticket.
    pub fn test_page(&self, kiosk_id: &str, when: &str) -> Result<crate::Printed, PrintError> {
        let bytes =
            crate::escpos::test_page(self.paper, kiosk_id, when).map_err(|e| PrintError::Render(e.to_string()))?;
        let _device = self.device.lock().unwrap_or_else(PoisonError::into_inner);
        self.printer.print(&bytes)
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut store)
    }

    /// One round: every queued job in order until one cannot print. Blocking (the store's lock
    /// is held only between jobs, never while the printer works).
    pub fn run(&self) -> Result<Vec<JobOutcome>, StoreError> {
        let _device = self.device.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Utc::now();
        let jobs = self
            .with_store(|s| s.queued_prints())?
            .into_iter()
            .filter(|j| self.max_age.is_none_or(|age| now - j.created_at <= age));
        let mut outcomes = Vec::new();
        for job in jobs {
            let (id, code) = (job.id, job.booking_code.clone());
            let bytes = match job_bytes(&job, self.paper) {
                Ok(b) => b,
                Err(error) => {
                    tracing::error!(job = id, %error, "a queued ticket cannot be printed; abandoned");
                    self.with_store(|s| s.print_abandon(id, &error.to_string()))?;
                    outcomes.push(JobOutcome::Abandoned { id, code, error });
                    continue;
                }
            };
            match self.printer.print(&bytes) {
                Ok(printed) => {
                    tracing::info!(
                        job = id,
                        bytes = bytes.len(),
                        confirmed = printed.confirmed,
                        "ticket printed"
                    );
                    self.with_store(|s| s.print_done(id, Utc::now()))?;
                    outcomes.push(JobOutcome::Printed { id, code });
                }
                Err(error) => {
                    tracing::warn!(job = id, %error, "ticket not printed; it stays queued");
                    self.with_store(|s| s.print_failed(id, &error.to_string()))?;
                    outcomes.push(JobOutcome::Waiting { id, code, error });
                    break;
                }
            }
        }
        Ok(outcomes)
    }
}

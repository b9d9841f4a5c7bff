//! The sync engine: keeps the store's cache fresh and delivers the outbox.
//!
//! - Catalogue by ETag; availability by cursor, with a full reload when the server answers 410.
//! - Every confirmation is an outbox row *before* the request leaves; the row id is the
//!   `Idempotency-Key`; the row goes only when the server has answered for good. A retry, a
//!   lost answer or a restart can therefore neither lose nor double a booking.
//! - One retry policy (jittered exponential backoff, `backon`) for calls retried in place and
//!   for the outbox's next attempts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use kiosk_core::catalogue::DocumentKind;
use kiosk_store::{AvailabilityUpdate, CachedSlot, OutboxEntry, OutboxKind, Store, StoreError, StoredBooking};
use serde_json::json;
use uuid::Uuid;

use crate::api::{Booking, BookingRequest, Document, Hold, Problem};
use crate::client::{ApiError, CentralClient, Conditional};
use crate::heartbeat::carry_counters;

/// The store, shared by the engine and the screens' writers.
pub type SharedStore = Arc<Mutex<Store>>;

/// Why an engine operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("background worker failed: {0}")]
    Worker(String),
    #[error("stored outbox payload is invalid: {0}")]
    Payload(String),
    /// No credential in the store and no token to get one: the kiosk needs provisioning.
    #[error("this kiosk is not enrolled yet: an enrolment token is needed (kiosk.toml's server.enrolment_token)")]
    NoEnrolmentToken,
    /// The stored credential was issued by another server than the configured one; it is never
    /// sent elsewhere.
    #[error(
        "this kiosk's credential was issued by {issued_by} and is not sent to {configured}: provision it again with an enrolment token from {configured}"
    )]
    CredentialElsewhere { issued_by: String, configured: String },
}

/// Jittered exponential backoff.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub min_delay: Duration,
    pub max_delay: Duration,
    pub factor: f32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_mins(1),
            factor: 2.0,
        }
    }
}

impl RetryPolicy {
    fn builder(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(self.factor)
            .with_jitter()
    }

    /// Retries in place for at most `patience`.
    fn bounded(&self, patience: Duration) -> ExponentialBuilder {
        self.builder().without_max_times().with_total_delay(Some(patience))
    }

    /// The delays between attempts of something tried until it works (jittered, growing to
    /// `max_delay`, never ending).
    pub fn delays(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        self.builder().without_max_times().build()
    }

    /// The delay before attempt `attempts + 1` of an outbox row.
    pub fn delay_after(&self, attempts: u32) -> Duration {
        let n = usize::try_from(attempts).unwrap_or(usize::MAX);
        self.builder()
            .without_max_times()
            .build()
            .nth(n)
            .unwrap_or(self.max_delay)
    }
}

/// What the maintenance screen shows of the sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// The last call reached the server.
    pub online: bool,
    pub last_sync: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub central_latency: Option<Duration>,
    pub outbox_depth: u64,
}

impl SyncStatus {
    /// How old the cached availability is.
    pub fn lag(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.last_sync.map(|t| now - t)
    }

    /// Booking is refused at the welcome screen: the last call failed and nothing synced for
    /// [`SyncStatus::OUT_OF_SERVICE_AFTER`] (a visitor would find no slot to book, or a stale
    /// one). Looking an appointment up stays available.
    pub fn out_of_service(&self, now: DateTime<Utc>) -> bool {
        !self.online && self.lag(now).is_none_or(|lag| lag > SyncStatus::OUT_OF_SERVICE_AFTER)
    }

    /// How long without a successful sync makes the kiosk refuse new bookings.
    pub const OUT_OF_SERVICE_AFTER: chrono::Duration =
        chrono::Duration::minutes(kiosk_core::health::SYNC_LAG_RED_MINUTES);
}

/// What one office's sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfficeSync {
    pub full: bool,
    pub upserted: usize,
    pub removed: usize,
    /// Bytes of JSON received.
    pub bytes: usize,
}

/// How a confirmation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// The server confirmed: the booking is stored and its ticket queued.
    Confirmed(Booking),
    /// Someone else took the last place.
    SlotTaken,
    /// The server refused the booking for good.
    Rejected(Problem),
    /// No answer yet: the outbox keeps trying. Never shown as confirmed.
    Pending { outbox_id: Uuid },
    /// A non-booking action (a cancellation, a release) reached the server.
    Delivered,
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DrainReport {
    pub delivered: usize,
    pub rejected: usize,
    pub still_pending: usize,
}

enum Delivery {
    Confirmed(Booking),
    Done,
    Rejected(Problem),
    SlotTaken,
}

/// The engine of one device.
#[derive(Debug, Clone)]
pub struct SyncEngine {
    client: CentralClient,
    store: SharedStore,
    status: Arc<Mutex<SyncStatus>>,
    retry: RetryPolicy,
}

impl SyncEngine {
    pub fn new(client: CentralClient, store: SharedStore) -> SyncEngine {
        SyncEngine {
            client,
            store,
            status: Arc::default(),
            retry: RetryPolicy::default(),
        }
    }

    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> SyncEngine {
        self.retry = retry;
        self
    }

    pub fn client(&self) -> &CentralClient {
        &self.client
    }

    /// The store this engine writes (the print queue shares it).
    pub fn store(&self) -> SharedStore {
        self.store.clone()
    }

    /// Runs `f` on the store on a blocking thread.
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut s)
        })
        .await
        .map_err(|e| EngineError::Worker(e.to_string()))?
        .map_err(EngineError::from)
    }

    fn note<T>(&self, started: Instant, result: &Result<T, ApiError>) {
        let mut st = self.status.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match result {
            Ok(_) | Err(ApiError::Refused { .. }) => {
                st.online = true;
                st.central_latency = Some(started.elapsed());
                if result.is_ok() {
                    st.last_error = None;
                }
            }
            Err(e) => {
                st.online = !matches!(e, ApiError::Transport(_));
                st.last_error = Some(e.to_string());
            }
        }
    }

    async fn call<T, Fut>(&self, fut: Fut) -> Result<T, ApiError>
    where
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let started = Instant::now();
        let r = fut.await;
        self.note(started, &r);
        r
    }

    /// The state for the maintenance screen.
    pub async fn status(&self) -> Result<SyncStatus, EngineError> {
        let depth = self.with_store(|s| s.outbox_depth()).await?;
        let mut st = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        st.outbox_depth = depth;
        Ok(st)
    }

    // ---- cache -----------------------------------------------------------------------------

    /// Refreshes the catalogue; `true` when it changed.
    pub async fn sync_catalogue(&self, now: DateTime<Utc>) -> Result<bool, EngineError> {
        let etag = self.with_store(|s| Ok(s.catalogue()?.map(|(e, _)| e))).await?;
        match self.call(self.client.catalogue(etag.as_deref())).await? {
            Conditional::NotModified => Ok(false),
            Conditional::Modified { etag, body, .. } => {
                let etag = etag.unwrap_or_default();
                self.with_store(move |s| s.save_catalogue(&etag, &body, now)).await?;
                Ok(true)
            }
        }
    }

    /// Brings one office's availability up to date: a delta since the stored cursor, or a full
    /// reload when there is none or the server says the cursor expired.
    pub async fn sync_office(&self, office_id: &str, now: DateTime<Utc>) -> Result<OfficeSync, EngineError> {
        let office = office_id.to_owned();
        let cursor = self.with_store(move |s| s.cursor(&office)).await?;
        let (answer, bytes) = match self.call(self.client.availability(office_id, cursor.as_deref())).await {
            Err(e) if e.kind() == Some(crate::api::ProblemKind::CursorExpired) => {
                tracing::info!(office = office_id, "availability cursor expired; reloading in full");
                self.call(self.client.availability(office_id, None)).await?
            }
            other => other?,
        };
        let report = OfficeSync {
            full: answer.full,
            upserted: answer.slots.len(),
            removed: answer.removed.len(),
            bytes,
        };
        let update = AvailabilityUpdate {
            office_id: office_id.to_owned(),
            full: answer.full,
            slots: answer
                .slots
                .into_iter()
                .map(|s| CachedSlot {
                    id: s.id,
                    office_id: office_id.to_owned(),
                    start: s.start,
                    minutes: s.minutes,
                    capacity: s.capacity,
                    remaining: s.remaining,
                })
                .collect(),
            removed: answer.removed,
            cursor: answer.cursor,
        };
        self.with_store(move |s| s.apply_availability(&update, now)).await?;
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .last_sync = Some(now);
        Ok(report)
    }

    // ---- holds and documents ----------------------------------------------------------------

    /// Holds a slot for the visitor. Not retried: a lost answer could hold a second place, and
    /// the visitor can simply tap again.
    pub async fn hold(&self, slot_id: &str) -> Result<Hold, EngineError> {
        Ok(self.call(self.client.hold(slot_id)).await?)
    }

    pub async fn renew_hold(&self, hold_id: &str) -> Result<Hold, EngineError> {
        Ok(self.call(self.client.renew_hold(hold_id)).await?)
    }

    /// Releases a hold through the outbox, so the place is freed even if the network is down.
    pub async fn release_hold(&self, hold_id: &str) -> Result<(), EngineError> {
        let payload = json!({"hold_id": hold_id});
        let id = self
            .with_store(move |s| s.enqueue(OutboxKind::ReleaseHold, &payload, Utc::now()))
            .await?;
        self.deliver_with_patience(id, Duration::from_secs(2)).await.map(|_| ())
    }

    /// Cancels a booking through the outbox, trying for up to `patience`: `Delivered` when the
    /// server has cancelled it, `Pending` when the cancellation waits for the network,
    /// `Rejected` when the server refused (e.g. no such booking).
    pub async fn cancel(&self, code: &str, patience: Duration) -> Result<ConfirmOutcome, EngineError> {
        let payload = json!({"code": code});
        let id = self
            .with_store(move |s| s.enqueue(OutboxKind::Cancel, &payload, Utc::now()))
            .await?;
        self.deliver_with_patience(id, patience).await
    }

    /// Sends a heartbeat through the outbox. Only the newest one waits there: an older
    /// heartbeat that never left is replaced, not queued behind, and its counters
    /// ([`crate::HEARTBEAT_COUNTERS`]) are added to the newer one's, so a count leaves the kiosk only
    /// in a heartbeat the server acknowledged.
    pub async fn heartbeat(&self, body: serde_json::Value) -> Result<(), EngineError> {
        let id = self
            .with_store(move |s| {
                let mut body = body;
                for old in s.outbox()?.into_iter().filter(|e| e.kind == OutboxKind::Heartbeat) {
                    carry_counters(&mut body, &old.payload);
                    s.outbox_remove(old.id)?;
                }
                s.enqueue(OutboxKind::Heartbeat, &body, Utc::now())
            })
            .await?;
        self.deliver_with_patience(id, Duration::ZERO).await.map(|_| ())
    }

    /// Uploads a PDF, retrying in place for up to `patience` (uploads are idempotent).
    pub async fn upload_document(
        &self,
        kind: DocumentKind,
        pdf: Bytes,
        patience: Duration,
    ) -> Result<Document, EngineError> {
        let attempt = || self.call(self.client.upload_document(kind, pdf.clone()));
        Ok(attempt
            .retry(self.retry.bounded(patience))
            .when(ApiError::is_retryable)
            .await?)
    }

    // ---- the outbox ---------------------------------------------------------------------------

    /// Confirms a booking through the outbox, trying for up to `patience` before answering
    /// `Pending` (the outbox then keeps trying on its own).
    pub async fn confirm(&self, request: &BookingRequest, patience: Duration) -> Result<ConfirmOutcome, EngineError> {
        let payload = serde_json::to_value(request).map_err(|e| EngineError::Payload(e.to_string()))?;
        let id = self
            .with_store(move |s| s.enqueue(OutboxKind::Confirm, &payload, Utc::now()))
            .await?;
        self.deliver_with_patience(id, patience).await
    }

    async fn deliver_with_patience(&self, id: Uuid, patience: Duration) -> Result<ConfirmOutcome, EngineError> {
        let mut backoff = self.retry.bounded(patience).build();
        loop {
            let entry = self.with_store(move |s| s.outbox_entry(id)).await?;
            let Some(entry) = entry else {
                // Delivered by another pass (the background drain) in the meantime: tell what
                // it became.
                let stored = self.with_store(move |s| s.booking_of_outbox(id)).await?;
                return Ok(match stored.map(|b| serde_json::from_str::<Booking>(&b.body)) {
                    Some(Ok(booking)) => ConfirmOutcome::Confirmed(booking),
                    _ => ConfirmOutcome::Pending { outbox_id: id },
                });
            };
            match self.deliver(&entry, true).await {
                Ok(d) => return Ok(outcome(d)),
                Err(EngineError::Api(e)) if e.is_retryable() => {
                    let next = backoff.next();
                    self.schedule_retry(&entry, &e).await?;
                    match next {
                        Some(delay) => tokio::time::sleep(delay).await,
                        None => return Ok(ConfirmOutcome::Pending { outbox_id: id }),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn schedule_retry(&self, entry: &OutboxEntry, e: &ApiError) -> Result<(), EngineError> {
        let delay = self.retry.delay_after(entry.attempts);
        let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(60));
        let (id, msg) = (entry.id, e.to_string());
        tracing::warn!(outbox = %id, kind = %entry.kind, attempts = entry.attempts + 1, error = %msg, "outbox delivery failed; will retry");
        self.with_store(move |s| s.outbox_retry(id, next, &msg)).await
    }

    /// Sends one outbox row and records the answer. A retryable failure leaves the row as it is.
    /// `visitor_waiting`: a visitor is at the kiosk for this answer (their ticket is printed).
    async fn deliver(&self, entry: &OutboxEntry, visitor_waiting: bool) -> Result<Delivery, EngineError> {
        let id = entry.id;
        let field = |name: &str| {
            entry
                .payload
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| EngineError::Payload(format!("{} without {name}", entry.kind)))
        };
        let answer = match entry.kind {
            OutboxKind::Confirm => {
                let request: BookingRequest =
                    serde_json::from_value(entry.payload.clone()).map_err(|e| EngineError::Payload(e.to_string()))?;
                match self.call(self.client.confirm(&id.to_string(), &request)).await {
                    Ok(booking) => {
                        let stored = StoredBooking {
                            code: booking.code.clone(),
                            office_id: booking.office_id.clone(),
                            slot_id: booking.slot_id.clone(),
                            start: booking.start,
                            body: serde_json::to_string(&booking).map_err(|e| EngineError::Payload(e.to_string()))?,
                        };
                        let (language, answer) = (request.language.unwrap_or_default(), booking.clone());
                        self.with_store(move |s| {
                            let ticket = ticket_json(s, &answer, language);
                            s.complete_confirmation(id, &stored, ticket.as_deref(), visitor_waiting, Utc::now())
                        })
                        .await?;
                        return Ok(Delivery::Confirmed(booking));
                    }
                    Err(e) => Err(e),
                }
            }
            OutboxKind::Cancel => self.call(self.client.cancel(&field("code")?)).await.map(|_| ()),
            OutboxKind::ReleaseHold => self.call(self.client.release_hold(&field("hold_id")?)).await,
            OutboxKind::Heartbeat => self.call(self.client.heartbeat(&entry.payload)).await,
        };
        match answer {
            Ok(()) => {
                self.with_store(move |s| s.outbox_remove(id)).await?;
                Ok(Delivery::Done)
            }
            Err(e) if e.is_retryable() => Err(e.into()),
            Err(e) => {
                let problem = match &e {
                    ApiError::Refused { problem, .. } => problem.clone(),
                    _ => Problem {
                        detail: e.to_string(),
                        ..Problem::default()
                    },
                };
                tracing::warn!(outbox = %id, kind = %entry.kind, problem = problem.name(), "the server refused an outbox action for good");
                self.with_store(move |s| s.outbox_remove(id)).await?;
                if problem.kind() == crate::api::ProblemKind::SlotTaken {
                    Ok(Delivery::SlotTaken)
                } else {
                    Ok(Delivery::Rejected(problem))
                }
            }
        }
    }

    /// One pass over the due outbox rows, each tried once.
    pub async fn drain(&self) -> Result<DrainReport, EngineError> {
        let due = self.with_store(|s| s.outbox_due(Utc::now())).await?;
        let mut report = DrainReport::default();
        for entry in due {
            match self.deliver(&entry, false).await {
                Ok(Delivery::Confirmed(_) | Delivery::Done) => report.delivered += 1,
                Ok(Delivery::Rejected(_) | Delivery::SlotTaken) => report.rejected += 1,
                Err(EngineError::Api(e)) if e.is_retryable() => {
                    self.schedule_retry(&entry, &e).await?;
                    report.still_pending += 1;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Makes every outbox row due now (the "sync now" button, and tests).
    pub async fn retry_now(&self) -> Result<(), EngineError> {
        self.with_store(|s| {
            for e in s.outbox()? {
                s.outbox_retry(
                    e.id,
                    Utc::now() - chrono::Duration::seconds(1),
                    e.last_error.as_deref().unwrap_or(""),
                )?;
            }
            Ok(())
        })
        .await
    }
}

/// The JSON ticket of a booking just confirmed, for the print queue, its office read from the
/// cached catalogue. `None` (logged) when it cannot be made: the booking is recorded anyway.
fn ticket_json(store: &Store, booking: &Booking, language: kiosk_core::Language) -> Option<String> {
    let made = (|| -> Result<String, String> {
        let catalogue = crate::reads::cached_catalogue(store)
            .map_err(|e| e.to_string())?
            .ok_or("no catalogue cached that reads")?;
        let office = catalogue
            .offices
            .iter()
            .find(|o| o.id == booking.office_id)
            .ok_or_else(|| format!("office {} is not in the catalogue", booking.office_id))?;
        let ticket = booking.ticket(office, language).map_err(|e| e.to_string())?;
        serde_json::to_string(&ticket).map_err(|e| e.to_string())
    })();
    match made {
        Ok(json) => Some(json),
        Err(error) => {
            tracing::error!(code = %booking.code, %error, "no ticket can be made for this booking; it is recorded without one");
            None
        }
    }
}

/// What the background loop keeps fresh, and how often.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Offices whose availability is kept in the cache (the kiosk's own, and any the visitor
    /// may pick nearby).
    pub offices: Vec<String>,
    /// Availability, the outbox and the catalogue's ETag check run every round.
    pub round: Duration,
    /// A heartbeat goes every this many rounds.
    pub heartbeat_every_rounds: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            offices: Vec::new(),
            round: Duration::from_secs(30),
            heartbeat_every_rounds: 2,
        }
    }
}

/// What one background round did; published after every round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub number: u64,
    /// Changed or reloaded slots, over every office.
    pub slots_changed: usize,
    /// The same, summed over every round since the loop started (a watcher may miss rounds).
    pub slots_changed_total: usize,
    pub outbox: DrainReport,
    /// Errors of the round, in words for the maintenance screen's "recent errors".
    pub errors: Vec<String>,
}

impl SyncEngine {
    /// One round: catalogue (ETag), each office's availability, the outbox, and a heartbeat
    /// when `heartbeat` is given. Errors are collected, never fatal: the next round tries again.
    pub async fn round(&self, schedule: &Schedule, number: u64, heartbeat: Option<serde_json::Value>) -> Round {
        let mut r = Round {
            number,
            ..Round::default()
        };
        let now = Utc::now();
        if let Err(e) = self.sync_catalogue(now).await {
            r.errors.push(format!("catalogue: {e}"));
        }
        for office in &schedule.offices {
            match self.sync_office(office, now).await {
                Ok(o) => r.slots_changed += o.upserted + o.removed,
                Err(e) => r.errors.push(format!("availability of {office}: {e}")),
            }
        }
        match self.drain().await {
            Ok(d) => r.outbox = d,
            Err(e) => r.errors.push(format!("outbox: {e}")),
        }
        if let Some(body) = heartbeat
            && let Err(e) = self.heartbeat(body).await
        {
            r.errors.push(format!("heartbeat: {e}"));
        }
        r
    }

    /// Keeps the cache fresh and the outbox moving until `shutdown` fires: a round at once, then
    /// one every `schedule.round`. `health` builds the heartbeat's body. Every round is
    /// published on the returned channel (the maintenance screen and tests watch it).
    pub fn spawn(
        self,
        schedule: Schedule,
        health: impl Fn() -> serde_json::Value + Send + 'static,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> (tokio::task::JoinHandle<()>, tokio::sync::watch::Receiver<Round>) {
        let (tx, rx) = tokio::sync::watch::channel(Round::default());
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(schedule.round);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut number = 0u64;
            let mut total = 0usize;
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    _ = ticks.tick() => {}
                }
                number += 1;
                let beat = (schedule.heartbeat_every_rounds > 0
                    && (number - 1).is_multiple_of(u64::from(schedule.heartbeat_every_rounds)))
                .then(&health);
                let mut round = tokio::select! {
                    () = shutdown.cancelled() => return,
                    r = self.round(&schedule, number, beat) => r,
                };
                total += round.slots_changed;
                round.slots_changed_total = total;
                for e in &round.errors {
                    tracing::warn!(round = number, error = %e, "sync round");
                }
                if tx.send(round).is_err() {
                    // Nobody listens any more: the kiosk is shutting down.
                    return;
                }
            }
        });
        (task, rx)
    }
}

fn outcome(d: Delivery) -> ConfirmOutcome {
    match d {
        Delivery::Confirmed(b) => ConfirmOutcome::Confirmed(b),
        Delivery::SlotTaken => ConfirmOutcome::SlotTaken,
        Delivery::Rejected(p) => ConfirmOutcome::Rejected(p),
        Delivery::Done => ConfirmOutcome::Delivered,
    }
}

/// Enrols the device with a one-time token unless the store already holds a credential from
/// this server, and returns the client carrying it. A credential is bound to the origin of the
/// server that issued it (one stored before origins were kept is bound at its first use): it is
/// never sent to another, so a kiosk pointed at a stranger's server does not hand it over. With
/// a token for the new server (a signed re-provisioning), the kiosk enrols there instead.
pub async fn ensure_enrolled(
    client: CentralClient,
    store: &SharedStore,
    enrolment_token: Option<&str>,
    kiosk_id: &str,
) -> Result<CentralClient, EngineError> {
    let origin = client.base().origin().ascii_serialization();
    let (existing, issued_by) = {
        let s = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (s.device_credential()?, s.device_credential_origin()?)
    };
    if let Some(c) = existing {
        match issued_by {
            Some(o) if o == origin => return Ok(client.with_credential(c.credential)),
            None => {
                store
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .bind_device_credential(&origin)?;
                return Ok(client.with_credential(c.credential));
            }
            Some(o) if enrolment_token.is_none() => {
                return Err(EngineError::CredentialElsewhere {
                    issued_by: o,
                    configured: origin,
                });
            }
            Some(o) => tracing::warn!(
                issued_by = %o,
                configured = %origin,
                "the configured server is another: enrolling there with the provisioned token"
            ),
        }
    }
    let token = enrolment_token.ok_or(EngineError::NoEnrolmentToken)?;
    let e = client.enrol(token, kiosk_id).await?;
    let credential = kiosk_store::DeviceCredential {
        device_id: e.device_id,
        credential: e.credential.clone(),
    };
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .set_device_credential_from(&credential, &origin)?;
    Ok(client.with_credential(e.credential))
}

#[cfg(test)]
mod status_tests {
    use super::*;

    #[test]
    fn the_kiosk_is_out_of_service_only_offline_and_five_minutes_after_its_last_sync() {
        let now = Utc::now();
        let status = |online: bool, ago: Option<i64>| SyncStatus {
            online,
            last_sync: ago.map(|m| now - chrono::Duration::minutes(m)),
            ..SyncStatus::default()
        };
        assert!(
            !status(true, Some(60)).out_of_service(now),
            "online: the server answers"
        );
        assert!(!status(false, Some(4)).out_of_service(now));
        assert!(status(false, Some(6)).out_of_service(now));
        assert!(status(false, None).out_of_service(now), "never synced and offline");
    }
}

//! # kiosk-sync: the kiosk's side of the central Citas API
//!
//! What it is for: [`client`], a typed HTTP client of the contract in `openapi.yaml` (beside
//! this crate), whose every answer, fault or cut connection becomes a value; [`api`], the
//! messages as the kiosk reads them; and [`engine`], which keeps the store's cache fresh
//! (catalogue by ETag, availability by cursor) and delivers the outbox so no booking is lost
//! or doubled; [`reads`], what the screens read through the engine (the cached catalogue, an
//! office's slots, a booking by code, an account's appointments); [`llave`], the Llave MX
//! sign-in's polling (RFC 8628); [`transport`], what the client trusts and how much it reads
//! (https, the fleet's CA, no redirects, bounded answers).
//!
//! What it is not for: deciding anything about the visit (that is `kiosk-core`) or storing
//! anything itself (that is `kiosk-store`).
//!
//! Flow: booking -> outbox row -> request with `Idempotency-Key` = row id -> answer -> store.

pub mod api;
pub mod client;
pub mod engine;
mod heartbeat;
pub mod llave;
pub mod reads;
pub mod transport;

pub use client::{ApiError, CentralClient};
pub use engine::{
    ConfirmOutcome, EngineError, RetryPolicy, Round, Schedule, SharedStore, SyncEngine, SyncStatus, ensure_enrolled,
};
pub use heartbeat::HEARTBEAT_COUNTERS;
pub use reads::FoundBooking;
pub use transport::{Timeouts, Transport};

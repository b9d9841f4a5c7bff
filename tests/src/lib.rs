//! # kiosk-tests: end-to-end scenarios across the kiosk's crates
//!
//! This library is the harness the scenarios in `tests/` share: a central simulator on
//! loopback, enrolled engines with their own stores, and requests that pass the server's
//! rules. The `kiosk-confirm` binary is a minimal kiosk process the crash test kills.
//! [`qemu`] drives an emulated machine and [`board`] holds the emulated appliance (the
//! appliance test).

#![allow(clippy::missing_panics_doc)] // a harness: a failed setup is a failed test

pub mod board;
pub mod qemu;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use kiosk_core::catalogue::DocumentKind;
use kiosk_sim::central::{self, CentralConfig, RunningCentral};
use kiosk_sim::faults::FaultConfig;
use kiosk_store::Store;
use kiosk_sync::api::{Applicant, BookingRequest};
use kiosk_sync::engine::RetryPolicy;
use kiosk_sync::{CentralClient, SharedStore, SyncEngine, Timeouts, Transport};
use serde_json::{Value, json};

/// The path a test's peer or artefact is found at, from the environment variable `var` that
/// scripts/test sets; fails the test, saying `how` to make it, when unset or missing.
pub fn required_path(var: &str, how: &str) -> std::path::PathBuf {
    let path = std::env::var_os(var).map_or_else(
        || panic!("{var} is not set: {how} (scripts/test does)"),
        std::path::PathBuf::from,
    );
    assert!(path.exists(), "{var}={} does not exist: {how}", path.display());
    path
}

/// Which screen and language a `--screenshots` file shows: `07-sign-in-es.png` -> `sign-in-es`
/// (`None` for any other file).
pub fn screenshot_of(file: &str) -> Option<&str> {
    let (number, rest) = file.split_once('-')?;
    (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        .then_some(rest)?
        .strip_suffix(".png")
}

/// A small valid PDF: a scanned document stand-in.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// Retries fast, for tests: the policy's shape is the production one.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        min_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(40),
        factor: 2.0,
    }
}

/// The PEM files an HTTPS simulator serves (as openssl writes them).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The server's certificate chain, the server's first.
    pub chain: PathBuf,
    pub key: PathBuf,
    /// The CA that signed it.
    pub ca: PathBuf,
}

/// A central simulator with its own database in a temporary directory.
#[derive(Debug)]
pub struct Central {
    pub sim: RunningCentral,
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Central {
    pub async fn start(faults: FaultConfig) -> Central {
        Central::start_on("127.0.0.1:0".parse().expect("address"), faults, None).await
    }

    /// Listening on `listen`, serving HTTPS with the certificate and key of `tls` (PEM files:
    /// the chain, the key, and the CA its controls are reached through) when given.
    pub async fn start_on(listen: std::net::SocketAddr, faults: FaultConfig, tls: Option<&TlsFiles>) -> Central {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut config = CentralConfig::new(listen, dir.path().join("central.db"));
        config.faults = faults;
        let mut http = reqwest::Client::builder();
        if let Some(files) = tls {
            let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            config.tls = Some(
                kiosk_sim::tls::server_config_from_pem(&read(&files.chain), &read(&files.key))
                    .unwrap_or_else(|e| panic!("{}: {e}", files.chain.display())),
            );
            let ca = reqwest::Certificate::from_pem(&read(&files.ca)).expect("the CA's certificate");
            http = http.tls_built_in_root_certs(false).add_root_certificate(ca);
        }
        let sim = central::start(config).await.expect("simulator starts");
        Central {
            sim,
            dir,
            http: http.build().expect("an HTTP client"),
        }
    }

    pub fn url(&self) -> &str {
        &self.sim.url
    }

    /// Calls a `/sim/*` control endpoint.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut rb = self.http.request(method, format!("{}/sim/{path}", self.sim.url));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("simulator answers its controls");
        assert!(resp.status().is_success(), "/sim/{path}: {}", resp.status());
        if resp.status() == reqwest::StatusCode::NO_CONTENT {
            return Value::Null;
        }
        resp.json().await.expect("JSON from the simulator")
    }

    pub async fn enrolment_token(&self) -> String {
        let v = self.admin(reqwest::Method::POST, "enrolment-tokens", None).await;
        v["enrolment_token"].as_str().expect("token").to_owned()
    }

    /// A new slot of `capacity` places, `days` ahead.
    pub async fn slot(&self, office: &str, capacity: u32, days: i64) -> String {
        let start = Utc::now() + chrono::Duration::days(days) + chrono::Duration::minutes(rand_minutes());
        let v = self
            .admin(
                reqwest::Method::POST,
                "slots",
                Some(json!({"office_id": office, "start": start, "capacity": capacity})),
            )
            .await;
        v["id"].as_str().expect("slot id").to_owned()
    }

    /// How many confirmations the server answered again from their idempotency key.
    pub async fn replays(&self) -> i64 {
        self.admin(reqwest::Method::GET, "bookings", None).await["replays"]
            .as_i64()
            .unwrap_or(0)
    }

    /// Every booking the server holds.
    pub async fn bookings(&self) -> Vec<Value> {
        let v = self.admin(reqwest::Method::GET, "bookings", None).await;
        v["bookings"].as_array().cloned().unwrap_or_default()
    }

    /// An engine for a new kiosk with its own store under `dir`.
    pub async fn kiosk(&self, dir: &Path, name: &str) -> SyncEngine {
        let (store, _) = Store::open(&dir.join(format!("{name}.db"))).expect("store opens");
        let store: SharedStore = Arc::new(Mutex::new(store));
        let token = self.enrolment_token().await;
        let client = CentralClient::new(
            self.url(),
            &Transport::simulator().with_timeouts(Timeouts {
                connect: Duration::from_secs(2),
                request: Duration::from_secs(5),
                read: Duration::from_secs(5),
            }),
        )
        .expect("client");
        let client = kiosk_sync::ensure_enrolled(client, &store, Some(&token), name)
            .await
            .expect("enrolment");
        SyncEngine::new(client, store).with_retry(fast_retry())
    }
}

fn rand_minutes() -> i64 {
    // Distinct starts without a random generator: nanoseconds of the clock.
    i64::from(Utc::now().timestamp_subsec_nanos() % 600)
}

/// Uploads the three base documents and returns them for a booking of a passport.
pub async fn documents(engine: &SyncEngine) -> BTreeMap<DocumentKind, String> {
    let mut docs = BTreeMap::new();
    for kind in DocumentKind::BASE {
        let d = engine
            .upload_document(kind, Bytes::from_static(PDF), Duration::from_secs(30))
            .await
            .expect("upload");
        docs.insert(kind, d.id);
    }
    docs
}

/// A passport booking of `slot_id` for a valid applicant.
pub fn passport_booking(slot_id: &str, documents: &BTreeMap<DocumentKind, String>) -> BookingRequest {
    BookingRequest {
        slot_id: slot_id.to_owned(),
        hold_id: None,
        procedures: vec!["passport".into()],
        applicant: Applicant {
            given_names: "María José".into(),
            first_last_name: "Núñez".into(),
            second_last_name: Some("Güemes".into()),
            curp: Some("GODE561231HDFRRN00".into()),
            details: BTreeMap::new(),
        },
        documents: documents.clone(),
        account_token: None,
        language: Some(kiosk_core::Language::Es),
    }
}

/// Now, as the store records it.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod screenshot_names {
    #[test]
    fn a_screenshot_file_names_its_screen_and_language_and_nothing_else_does() {
        assert_eq!(super::screenshot_of("07-sign-in-es.png"), Some("sign-in-es"));
        assert_eq!(
            super::screenshot_of("08-sign-in-refused-en.png"),
            Some("sign-in-refused-en")
        );
        assert_eq!(super::screenshot_of("x-sign-in-es.png"), None);
        assert_eq!(super::screenshot_of("07-sign-in-es.jpg"), None);
        assert_eq!(super::screenshot_of("kiosk.db"), None);
    }
}

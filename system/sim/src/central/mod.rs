//! The simulated central Citas server: every endpoint of `system/sync/openapi.yaml` on a real
//! loopback HTTP server, with its state in SQLite.

mod accounts;
mod admin;
mod api;
pub mod db;
mod extract;
pub mod seed;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use chrono::{DateTime, Duration, Utc};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::faults::{self, FaultConfig, Faults};

/// The simulator's clock: real time plus an offset tests can advance.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.0.load(Ordering::Relaxed))
    }
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    db: db::Db,
    catalogue: Arc<api::Catalogue>,
    centroids: Arc<seed::Centroids>,
    hold_ttl: Duration,
    base_url: Arc<str>,
    faults: Faults,
    clock: Clock,
    /// Known device credentials -> device ids.
    devices: Arc<std::sync::RwLock<std::collections::HashMap<String, String>>>,
}

/// How to run the central simulator.
#[derive(Debug, Clone)]
pub struct CentralConfig {
    pub listen: SocketAddr,
    pub db: PathBuf,
    pub faults: FaultConfig,
    pub hold_ttl_seconds: i64,
    /// Enrolment tokens accepted from the start (more from `POST /sim/enrolment-tokens`).
    pub enrolment_tokens: Vec<String>,
    /// Device credentials accepted from the start (for contract tests and demos).
    pub device_credentials: Vec<String>,
    /// Serve HTTPS with this configuration ([`crate::tls::TestCa::server_config`]); plain HTTP
    /// without.
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

impl CentralConfig {
    pub fn new(listen: SocketAddr, db: PathBuf) -> CentralConfig {
        CentralConfig {
            listen,
            db,
            faults: FaultConfig::default(),
            hold_ttl_seconds: 300,
            enrolment_tokens: Vec::new(),
            device_credentials: Vec::new(),
            tls: None,
        }
    }
}

/// A running simulator; dropping it does not stop it, [`RunningCentral::stop`] does.
#[derive(Debug)]
pub struct RunningCentral {
    pub url: String,
    pub addr: SocketAddr,
    pub faults: Faults,
    pub clock: Clock,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl RunningCentral {
    /// Stops accepting and waits for the accept loop to end.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/devices/enrol", post(api::enrol))
        .route("/devices/heartbeat", post(api::heartbeat))
        .route("/catalog", get(api::catalogue))
        .route("/offices/near", get(api::near))
        .route("/offices/{office_id}/availability", get(api::availability))
        .route("/curp/{curp}", get(api::curp))
        .route("/accounts", post(accounts::register))
        .route("/accounts/confirm", post(accounts::confirm))
        .route("/accounts/me/bookings", get(api::my_bookings))
        .route("/sessions", post(accounts::sign_in))
        .route("/llave/device_authorization", post(accounts::device_authorization))
        .route("/llave/token", post(accounts::token_endpoint))
        .route("/holds", post(api::create_hold))
        .route("/holds/{hold_id}", put(api::renew_hold).delete(api::release_hold))
        .route(
            "/documents",
            post(api::upload_document).layer(DefaultBodyLimit::disable()),
        )
        .route("/bookings", post(api::confirm_booking))
        .route("/bookings/{code}", get(api::get_booking))
        .route("/bookings/{code}/cancel", post(api::cancel_booking));
    let sim = Router::new()
        .route("/mailbox", get(admin::mailbox))
        .route("/faults", get(admin::get_faults).put(admin::put_faults))
        .route("/enrolment-tokens", post(admin::enrolment_token))
        .route("/slots", post(admin::add_slot))
        .route("/churn", post(admin::churn))
        .route("/clock", post(admin::advance_clock))
        .route("/bookings", get(admin::bookings))
        .route("/heartbeats", get(admin::heartbeats))
        .route("/llave/approve", post(accounts::approve));
    let faults = state.faults.clone();
    Router::new()
        .nest("/v1", v1)
        .nest("/sim", sim)
        .fallback(|| async { crate::problem::Problem::not_found("not-found", "no such endpoint") })
        .layer(axum::middleware::from_fn_with_state(faults, faults::inject))
        .with_state(state)
}

/// Binds, opens (or creates and seeds) the database, and serves until stopped.
pub async fn start(config: CentralConfig) -> anyhow::Result<RunningCentral> {
    let clock = Clock::default();
    let path = config.db.clone();
    let now = clock.now();
    let db = tokio::task::spawn_blocking(move || db::Db::open(&path, now)).await??;
    let tokens = config.enrolment_tokens.clone();
    let credentials = config.device_credentials.clone();
    db.tx(move |tx| {
        for t in tokens {
            tx.execute("INSERT OR IGNORE INTO enrolment_tokens(token) VALUES (?1)", [t])?;
        }
        for (i, c) in credentials.into_iter().enumerate() {
            tx.execute(
                "INSERT OR IGNORE INTO devices(id, credential, kiosk_id, created_at) VALUES (?1, ?2, ?1, ?3)",
                rusqlite::params![format!("dev-preset-{i}"), c, db::ts(now)],
            )?;
        }
        Ok(())
    })
    .await
    .map_err(|p| anyhow::anyhow!(p.detail))?;
    let offices = {
        let db = db.clone();
        db.tx(|tx| db::offices(tx))
            .await
            .map_err(|p| anyhow::anyhow!(p.detail))?
    };
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let scheme = if config.tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{addr}");
    let faults = Faults::new(config.faults);
    let state = AppState {
        db,
        catalogue: Arc::new(api::Catalogue::build(&offices)),
        centroids: Arc::new(seed::centroids()?),
        hold_ttl: Duration::seconds(config.hold_ttl_seconds),
        base_url: url.clone().into(),
        faults: faults.clone(),
        clock: clock.clone(),
        devices: Arc::default(),
    };
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(faults::serve_maybe_tls(
        listener,
        router(state),
        config.tls.clone(),
        shutdown.clone(),
    ));
    Ok(RunningCentral {
        url,
        addr,
        faults,
        clock,
        shutdown,
        task,
    })
}

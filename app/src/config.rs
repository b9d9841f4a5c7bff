//! The kiosk's configuration: `kiosk-config` reads and checks `kiosk.toml` (the image's
//! defaults overlaid by what provisioning wrote); here it becomes a running kiosk: the store
//! under `data_dir`, enrolled with the server, and the sync schedule.

use std::path::PathBuf;

pub use kiosk_config::{BASE, Config, ConfigError, PROVISIONED};

/// Why the kiosk could not reach its server or open its data at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("the kiosk's database: {0}")]
    Store(#[from] kiosk_store::StoreError),
    #[error("the configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("the central server: {0}")]
    Server(#[from] kiosk_sync::ApiError),
    #[error("enrolling with the central server: {0}")]
    Enrol(#[from] kiosk_sync::EngineError),
}

/// Opens the kiosk's store under `data_dir`, enrols it with the server on first contact and
/// returns the engine and the schedule its background loop keeps.
pub async fn connect(config: &Config) -> Result<(kiosk_sync::SyncEngine, kiosk_sync::Schedule), StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let (store, _) = kiosk_store::Store::open(&config.data_dir.join("kiosk.db"))?;
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let ca = config.read_server_ca()?;
    let client = kiosk_sync::CentralClient::new(
        config.server.as_str(),
        &kiosk_sync::Transport::for_configured(&config.server, ca),
    )?;
    let client =
        kiosk_sync::ensure_enrolled(client, &store, config.enrolment_token.as_deref(), &config.kiosk_id).await?;
    let schedule = kiosk_sync::Schedule {
        offices: config.offices.clone(),
        round: config.sync_every,
        heartbeat_every_rounds: 2,
    };
    Ok((kiosk_sync::SyncEngine::new(client, store), schedule))
}

/// A window size `WxH` (`--size`, for the screenshots and the benchmarks).
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{s:?}: a size is WIDTHxHEIGHT, 320 to 4096 pixels a side, e.g. 1280x800");
    let (w, h) = s.split_once('x').ok_or_else(bad)?;
    let (w, h): (u32, u32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if (320..=4096).contains(&w) && (320..=4096).contains(&h) {
        Ok((w, h))
    } else {
        Err(bad())
    }
}

//! `kioskctl sync`: one sync round by hand, printing what changed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::Args;
use kiosk_store::Store;
use kiosk_sync::{CentralClient, SyncEngine, Transport};

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// The central server's base URL, e.g. https://citas.example/ (plain http only to this
    /// machine's loopback, e.g. http://127.0.0.1:8080).
    #[arg(long)]
    server: String,
    /// The fleet's CA certificates (PEM) the server's certificate must chain to; without it,
    /// the public list.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// The office whose availability to sync (e.g. LAX).
    #[arg(long)]
    office: String,
    /// The kiosk's database (created when missing).
    #[arg(long)]
    db: PathBuf,
    /// One-time enrolment token, needed only the first time this database meets the server.
    #[arg(long)]
    enrolment_token: Option<String>,
    /// The kiosk id to enrol as.
    #[arg(long, default_value = "kioskctl")]
    kiosk_id: String,
}

/// A CA bundle named on the command line, no larger than one is.
fn read_ca(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(kiosk_config::MAX_CA_FILE + 1).read_to_end(&mut bytes))
        .with_context(|| format!("--ca {}", path.display()))?;
    anyhow::ensure!(
        bytes.len() as u64 <= kiosk_config::MAX_CA_FILE,
        "--ca {}: larger than {} bytes: not a CA bundle",
        path.display(),
        kiosk_config::MAX_CA_FILE
    );
    Ok(bytes)
}

fn kib(bytes: usize) -> String {
    format!("{}.{} KiB", bytes / 1024, (bytes % 1024) * 10 / 1024)
}

pub(crate) async fn run(args: SyncArgs) -> anyhow::Result<ExitCode> {
    let (store, opened) = Store::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?;
    if let kiosk_store::Opened::Recovered { moved_to } = &opened {
        println!(
            "database: failed its integrity check, moved to {}; starting afresh",
            moved_to.display()
        );
    }
    let store = Arc::new(Mutex::new(store));
    let ca = match &args.ca {
        Some(path) => Some(read_ca(path)?),
        None => None,
    };
    let client = CentralClient::new(
        &args.server,
        &Transport::for_configured(&url::Url::parse(&args.server).context("--server")?, ca),
    )?;
    let client = kiosk_sync::ensure_enrolled(client, &store, args.enrolment_token.as_deref(), &args.kiosk_id).await?;
    let engine = SyncEngine::new(client, store);
    let now = chrono::Utc::now();
    let catalogue = engine.sync_catalogue(now).await.context("catalogue")?;
    println!("catalogue: {}", if catalogue { "updated" } else { "unchanged" });
    let office = engine
        .sync_office(&args.office, now)
        .await
        .with_context(|| format!("availability of {}", args.office))?;
    if office.full {
        println!(
            "availability {}: full reload, {} slots ({})",
            args.office,
            office.upserted,
            kib(office.bytes)
        );
    } else {
        println!(
            "availability {}: {} changed, {} removed ({})",
            args.office,
            office.upserted,
            office.removed,
            kib(office.bytes)
        );
    }
    let drained = engine.drain().await.context("outbox")?;
    let status = engine.status().await?;
    println!(
        "outbox: {} delivered, {} refused, {} waiting",
        drained.delivered, drained.rejected, status.outbox_depth
    );
    Ok(ExitCode::SUCCESS)
}

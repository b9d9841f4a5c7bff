//! `kioskctl diagnose [--json]`: the health report the maintenance screen shows, for a
//! technician at the device's console or a support script.
//!
//! It reads the kiosk's configuration as the kiosk does and asks every part itself. While the
//! kiosk app runs, a USB printer or scanner it holds may answer "busy" here; the maintenance
//! screen shows the app's own view.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::Args;
use kiosk_config::Config;
use kiosk_core::Language;
use kiosk_core::health::Level;
use kiosk_store::Store;
use kiosk_sync::{CentralClient, SyncEngine, Transport};

#[derive(Debug, Args)]
pub(crate) struct DiagnoseArgs {
    /// The kiosk's configuration, repeatable (later files override earlier ones). Default:
    /// /etc/citas-kiosk/kiosk.toml overlaid by /data/kiosk/kiosk.toml, as the kiosk reads it.
    #[arg(long, value_name = "PATH")]
    config: Vec<PathBuf>,
    /// The report as JSON: `overall`, `checks` (area, level, detail) and the raw `observations`.
    #[arg(long)]
    json: bool,
    #[arg(long, default_value = "es", value_parser = super::parse_language)]
    lang: Language,
}

/// Exit 0 when nothing is red, 1 when something is (or the report could not be made).
pub(crate) async fn run(args: DiagnoseArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load_named_or_device(&args.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = config.data_dir.join("kiosk.db");
    anyhow::ensure!(
        db.exists(),
        "no kiosk database at {} (has the kiosk run with this configuration?)",
        db.display()
    );
    let (store, _) = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
    let credential = store.device_credential()?;
    let store = Arc::new(Mutex::new(store));
    let ca = config.read_server_ca().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut client = CentralClient::new(config.server.as_str(), &Transport::for_configured(&config.server, ca))?;
    if let Some(c) = credential {
        client = client.with_credential(c.credential);
    }
    let engine = SyncEngine::new(client, store.clone());
    let sources = kiosk_health::Sources {
        engine,
        printer: Some(kiosk_print::PrintQueue::new(
            store,
            kiosk_print::Printer::new(config.printer.clone()),
            config.paper,
        )),
        scanner: Some(config.scanner.clone()),
        data_dir: config.data_dir.clone(),
        offices: config.offices.clone(),
        clock: Arc::new(kiosk_device::clock::KernelClock),
        started: None,
        version: env!("CARGO_PKG_VERSION").into(),
        boot_file: kiosk_config::device_boot_file(&args.config),
    };
    let report = kiosk_health::report(&sources, args.lang).await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.text(args.lang));
    }
    Ok(if report.overall == Level::Red {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

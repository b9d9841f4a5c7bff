//! The health report against the real simulators on loopback: green when every part answers,
//! and the part that fails turns red with its reason.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use kiosk_core::Language;
use kiosk_core::health::{Area, Central, Level, PrinterState, ScannerState};
use kiosk_device::clock::AssumedClock;
use kiosk_health::Sources;
use kiosk_print::{Paper, PrintQueue, Printer};
use kiosk_sim::central::{self, CentralConfig};
use kiosk_sim::printer::{self, PrinterChange, PrinterConfig};
use kiosk_sim::scanner::{self, ScannerConfig};
use kiosk_store::Store;
use kiosk_sync::{CentralClient, SyncEngine, Transport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_part_answering_is_green_and_a_failing_one_turns_red_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("c.db"));
    config.device_credentials = vec!["HEALTH-TEST".into()];
    let central = central::start(config).await.unwrap();
    let scanner = scanner::start(ScannerConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let printer = printer::start(PrinterConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();

    let store = Arc::new(Mutex::new(Store::open(&dir.path().join("k.db")).unwrap().0));
    let client = CentralClient::new(&central.url, &Transport::simulator())
        .unwrap()
        .with_credential("HEALTH-TEST");
    let engine = SyncEngine::new(client, store.clone());
    engine.sync_office("LAX", chrono::Utc::now()).await.unwrap();
    let sources = Sources {
        engine,
        printer: Some(PrintQueue::new(
            store,
            Printer::new(printer.uri.parse().unwrap()),
            Paper::MM80,
        )),
        scanner: Some(format!("escl+{}", scanner.url).parse().unwrap()),
        data_dir: dir.path().to_owned(),
        offices: vec!["LAX".into()],
        clock: Arc::new(AssumedClock::new(true)),
        started: Some(std::time::Instant::now()),
        version: "9.9.9".into(),
        boot_file: Some(dir.path().join("citas-kiosk.toml")),
    };

    let r = kiosk_health::report(&sources, Language::En).await;
    for area in [
        Area::Central,
        Area::Sync,
        Area::Outbox,
        Area::Printer,
        Area::Scanner,
        Area::Clock,
    ] {
        assert_eq!(
            r.check(area).unwrap().level,
            Level::Green,
            "{area:?}: {}",
            r.text(Language::En)
        );
    }
    assert!(matches!(r.observations.central, Central::Reachable { .. }));
    let software = r.check(Area::Software).unwrap();
    assert!(software.detail.starts_with("Version 9.9.9"));
    assert_eq!(software.level, Level::Green, "nothing left on the boot partition");

    // A technician's new provisioning with a mistake, left on the boot partition by adopt: the
    // kiosk runs on its old file, and the report says so.
    std::fs::write(
        dir.path().join("citas-kiosk.toml"),
        "[server]\nurl = \"https://citas.example/\"\n[kiosk]\nid = \"LAX 2\"\noffices = [\"LAX\"]\n",
    )
    .unwrap();
    let r = kiosk_health::report(&sources, Language::En).await;
    let software = r.check(Area::Software).unwrap();
    assert_eq!(software.level, Level::Amber);
    assert!(
        software.detail.contains("new provisioning not adopted") && software.detail.contains(":4: kiosk.id:"),
        "{}",
        software.detail
    );

    printer.control.change(PrinterChange {
        paper: Some(kiosk_sim::printer::Paper::Out),
        ..PrinterChange::default()
    });
    scanner.stop().await;
    central.stop().await;
    let r = kiosk_health::report(&sources, Language::Es).await;
    assert_eq!(r.overall, Level::Red);
    assert_eq!(r.observations.printer, PrinterState::PaperOut);
    assert_eq!(r.observations.scanner, ScannerState::Absent);
    assert!(matches!(r.observations.central, Central::Unreachable { .. }));
    let text = r.text(Language::Es);
    assert!(text.contains("Sin papel") && text.contains("No responde"), "{text}");
}

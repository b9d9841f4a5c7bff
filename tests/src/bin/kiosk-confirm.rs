//! A minimal kiosk process for the crash test: enrols, finishes what its outbox holds, then
//! confirms a booking for each slot of a list that it has not booked yet, printing each step.
//! The test kills it (SIGKILL) after a random step, again and again.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use kiosk_store::{OutboxKind, Store};
use kiosk_sync::{CentralClient, ConfirmOutcome, SyncEngine, Transport};

#[derive(Debug, Parser)]
struct Args {
    #[arg(long)]
    server: String,
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    enrolment_token: String,
    /// A file with one slot id per line.
    #[arg(long)]
    slots: PathBuf,
}

fn step(what: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{what}");
    let _ = out.flush();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (store, opened) = Store::open(&args.db).context("opening the store")?;
    step(&format!("opened {opened:?}"));
    let store = Arc::new(Mutex::new(store));
    let client = CentralClient::new(&args.server, &Transport::simulator())?;
    let client = kiosk_sync::ensure_enrolled(client, &store, Some(&args.enrolment_token), "crash-kiosk").await?;
    step("enrolled");
    let engine = SyncEngine::new(client, store).with_retry(kiosk_tests::fast_retry());
    // As a kiosk does at start: the catalogue, which the tickets name their office from.
    engine.sync_catalogue(chrono::Utc::now()).await?;
    step("catalogue");
    for _ in 0..100 {
        engine.retry_now().await?;
        if engine.drain().await?.still_pending == 0 {
            break;
        }
    }
    step("drained");
    let docs = kiosk_tests::documents(&engine).await;
    step("uploaded");
    let wanted = std::fs::read_to_string(&args.slots)?;
    for slot in wanted.lines().filter(|l| !l.is_empty()) {
        let slot = slot.to_owned();
        let s2 = slot.clone();
        let known = engine
            .with_store(move |s| {
                let booked = s.bookings()?.iter().any(|b| b.slot_id == s2);
                let queued = s
                    .outbox()?
                    .iter()
                    .any(|e| e.kind == OutboxKind::Confirm && e.payload["slot_id"] == s2.as_str());
                Ok(booked || queued)
            })
            .await?;
        if known {
            continue;
        }
        step(&format!("confirming {slot}"));
        match engine
            .confirm(&kiosk_tests::passport_booking(&slot, &docs), Duration::from_secs(5))
            .await?
        {
            ConfirmOutcome::Confirmed(b) => step(&format!("confirmed {slot} {}", b.code)),
            other => anyhow::bail!("slot {slot}: {other:?}"),
        }
    }
    step("done");
    Ok(())
}

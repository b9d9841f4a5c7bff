//! `--demo`: the central simulator in-process on loopback, an enrolled kiosk store in a
//! temporary directory, the sync loop, and one booking to look up, so a newcomer sees the kiosk
//! work with no server and no hardware.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use bytes_free::documents;
use kiosk_sim::central::{self, CentralConfig, RunningCentral};
use kiosk_store::Store;
use kiosk_sync::{CentralClient, ConfirmOutcome, Schedule, SyncEngine, Timeouts};

/// What a demo keeps alive while the kiosk runs.
#[derive(Debug)]
pub struct Demo {
    pub engine: SyncEngine,
    pub central: RunningCentral,
    /// A booking made at start-up, to try "I already have an appointment" with.
    pub sample_code: String,
    _dir: tempfile::TempDir,
}

/// Starts the simulator, enrols a kiosk and books one appointment.
pub async fn start() -> anyhow::Result<Demo> {
    let dir = tempfile::tempdir().context("temporary directory for the demo")?;
    let mut config = CentralConfig::new("127.0.0.1:0".parse()?, dir.path().join("central.db"));
    config.enrolment_tokens = vec!["DEMO-ENROLMENT".into()];
    let central = central::start(config).await.context("starting the central simulator")?;
    let (store, _) = Store::open(&dir.path().join("kiosk.db")).context("opening the kiosk store")?;
    let store = Arc::new(Mutex::new(store));
    let client = CentralClient::new(&central.url, Timeouts::default())?;
    let client = kiosk_sync::ensure_enrolled(client, &store, Some("DEMO-ENROLMENT"), "demo-kiosk").await?;
    let engine = SyncEngine::new(client, store);
    engine.sync_catalogue(chrono::Utc::now()).await?;
    engine.sync_office("LAX", chrono::Utc::now()).await?;
    let sample_code = sample_booking(&engine).await?;
    Ok(Demo {
        engine,
        central,
        sample_code,
        _dir: dir,
    })
}

/// The first free LAX slot, booked for a sample visitor.
async fn sample_booking(engine: &SyncEngine) -> anyhow::Result<String> {
    let now = chrono::Utc::now();
    let slots = engine
        .with_store(move |s| s.slots("LAX", now, now + chrono::Duration::days(30)))
        .await?;
    let slot = slots
        .iter()
        .find(|s| s.remaining > 0)
        .context("the simulator offers no free LAX slot")?;
    let docs = documents(engine).await?;
    let request = kiosk_sync::api::BookingRequest {
        slot_id: slot.id.clone(),
        hold_id: None,
        procedures: vec!["passport".into(), "voter_credential".into()],
        applicant: kiosk_sync::api::Applicant {
            given_names: "María José".into(),
            first_last_name: "Núñez".into(),
            second_last_name: Some("Güemes".into()),
            curp: None,
            details: std::collections::BTreeMap::new(),
        },
        documents: docs,
        account_token: None,
        language: Some(kiosk_core::Language::Es),
    };
    match engine.confirm(&request, Duration::from_secs(10)).await? {
        ConfirmOutcome::Confirmed(b) => Ok(b.code),
        other => anyhow::bail!("the demo booking was not confirmed: {other:?}"),
    }
}

/// The schedule the demo's sync loop keeps.
pub fn schedule() -> Schedule {
    Schedule {
        offices: vec!["LAX".into()],
        round: Duration::from_secs(30),
        heartbeat_every_rounds: 2,
    }
}

mod bytes_free {
    //! The sample visitor's documents: a minimal PDF for every kind a passport and an INE need.
    use std::collections::BTreeMap;
    use std::time::Duration;

    use kiosk_core::catalogue::{DocumentKind, Procedure, required_documents};
    use kiosk_sync::SyncEngine;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

    pub(super) async fn documents(engine: &SyncEngine) -> anyhow::Result<BTreeMap<DocumentKind, String>> {
        let mut out = BTreeMap::new();
        for kind in required_documents([Procedure::Passport, Procedure::VoterCredential]) {
            let d = engine
                .upload_document(kind, PDF.to_vec().into(), Duration::from_secs(10))
                .await?;
            out.insert(kind, d.id);
        }
        Ok(out)
    }
}

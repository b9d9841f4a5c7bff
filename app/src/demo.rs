//! `--demo`: the central, scanner and printer simulators in-process on loopback, an enrolled kiosk store in a
//! temporary directory, the sync loop, and one booking to look up, so a newcomer sees the kiosk
//! work with no server and no hardware.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use bytes_free::documents;
use kiosk_sim::central::{self, CentralConfig, RunningCentral};
use kiosk_store::Store;
use kiosk_sync::{CentralClient, ConfirmOutcome, Schedule, SyncEngine, Transport};

/// The demo's Citas SRE account, activated, to sign in with.
pub const DEMO_EMAIL: &str = "visitante@example.com";
pub const DEMO_PASSWORD: &str = "Consulado#2026";
/// The demo kiosk's id.
pub const DEMO_KIOSK: &str = "demo-kiosk";

/// What a demo keeps alive while the kiosk runs.
#[derive(Debug)]
pub struct Demo {
    pub engine: SyncEngine,
    pub central: RunningCentral,
    /// The document scanner: a flatbed (one page a scan) on loopback.
    pub scanner: kiosk_sim::scanner::RunningScanner,
    /// The ticket printer: an 80 mm ESC/POS printer on loopback (its jobs:
    /// `GET {control_url}/jobs/N`; paper out: `PUT {control_url}` `{"paper": "out"}`).
    pub printer: kiosk_sim::printer::RunningPrinter,
    /// A booking made at start-up, to try "I already have an appointment" with.
    pub sample_code: String,
    dir: tempfile::TempDir,
}

impl Demo {
    /// The files the demo kiosk writes (its database and the database's log): what a privacy
    /// check reads after a visit. The central simulator's own files are not the kiosk's.
    pub fn kiosk_files(&self) -> Vec<std::path::PathBuf> {
        ["kiosk.db", "kiosk.db-wal", "kiosk.db-shm"]
            .iter()
            .map(|f| self.dir.path().join(f))
            .filter(|p| p.exists())
            .collect()
    }

    /// The demo's ticket printer and its queue, over the demo's store.
    pub fn printing(&self) -> anyhow::Result<crate::printing::Printing> {
        let uri: kiosk_print::PrinterUri = self.printer.uri.parse()?;
        let store = self.engine.store();
        let queue =
            kiosk_print::PrintQueue::new(store.clone(), kiosk_print::Printer::new(uri), kiosk_print::Paper::MM80);
        Ok(crate::printing::Printing::new(queue, store))
    }

    /// The services of a kiosk over the demo's simulators (the window, the tests).
    pub fn services(
        &self,
        runtime: tokio::runtime::Handle,
        device: crate::device::DeviceParts,
    ) -> anyhow::Result<crate::services::Services> {
        Ok(crate::services::Services {
            runtime,
            engine: self.engine.clone(),
            scanner: Some(self.scanner_uri()),
            printing: Some(self.printing()?),
            device,
            kiosk: crate::services::KioskInfo {
                id: DEMO_KIOSK.into(),
                data_dir: self.dir.path().to_owned(),
                offices: schedule().offices,
                started: std::time::Instant::now(),
                boot_file: None,
            },
        })
    }

    /// The address of the demo's scanner, as the kiosk's configuration names scanners.
    pub fn scanner_uri(&self) -> kiosk_scan::DeviceUri {
        kiosk_scan::DeviceUri::Escl {
            host: "127.0.0.1".into(),
            port: self.scanner.addr.port(),
            path: "/eSCL".into(),
        }
    }
}

/// Starts the simulators (central server, scanner), enrols a kiosk and books one appointment.
pub async fn start() -> anyhow::Result<Demo> {
    let dir = tempfile::tempdir().context("temporary directory for the demo")?;
    let mut config = CentralConfig::new("127.0.0.1:0".parse()?, dir.path().join("central.db"));
    config.enrolment_tokens = vec!["DEMO-ENROLMENT".into()];
    let central = central::start(config).await.context("starting the central simulator")?;
    let (store, _) = Store::open(&dir.path().join("kiosk.db")).context("opening the kiosk store")?;
    let store = Arc::new(Mutex::new(store));
    let client = CentralClient::new(&central.url, &Transport::simulator())?;
    let client = kiosk_sync::ensure_enrolled(client, &store, Some("DEMO-ENROLMENT"), DEMO_KIOSK).await?;
    let engine = SyncEngine::new(client, store);
    engine.sync_catalogue(chrono::Utc::now()).await?;
    engine.sync_office("LAX", chrono::Utc::now()).await?;
    let sample_code = sample_booking(&engine).await?;
    // Its ticket is not printed at start-up: "I already have an appointment" can print one.
    engine
        .with_store(|s| {
            for job in s.queued_prints()? {
                s.print_abandon(job.id, "the demo's sample booking")?;
            }
            Ok(())
        })
        .await?;
    activated_account(&engine, &central.url, DEMO_EMAIL, DEMO_PASSWORD).await?;
    let scanner = kiosk_sim::scanner::start(kiosk_sim::scanner::ScannerConfig::new("127.0.0.1:0".parse()?))
        .await
        .context("starting the scanner simulator")?;
    let printer = kiosk_sim::printer::start(kiosk_sim::printer::PrinterConfig::new("127.0.0.1:0".parse()?))
        .await
        .context("starting the printer simulator")?;
    Ok(Demo {
        engine,
        central,
        scanner,
        printer,
        sample_code,
        dir,
    })
}

/// Registers an account and follows the activation link the simulator mailed, as the visitor
/// would from their phone.
pub async fn activated_account(
    engine: &SyncEngine,
    central_url: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    let registration = kiosk_sync::api::Registration {
        email: email.into(),
        password: password.into(),
        given_names: "María José".into(),
        first_last_name: "López".into(),
        second_last_name: Some("Martínez".into()),
        phone: Some("+12133516800".into()),
        country: Some("US".into()),
        state: Some("CA".into()),
        default_office: Some("LAX".into()),
        birth_country: Some("MX".into()),
        nationality: Some("MX".into()),
        procedures_for: Some("self".into()),
        language: Some(kiosk_core::Language::Es),
    };
    engine.client().register(&registration).await?;
    let mail: serde_json::Value = reqwest::get(format!("{central_url}/sim/mailbox?to={email}"))
        .await?
        .error_for_status()?
        .json()
        .await?;
    let body = mail["messages"][0]["body"]
        .as_str()
        .context("the simulator mailed no activation message")?;
    let token = body.rsplit(' ').next().context("no activation token in the message")?;
    engine.client().confirm_account(token).await?;
    Ok(())
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

/// A one-page PDF with `title` on it: the sample document the Documents step attaches until the
/// scanner is wired (issue 5). Text outside Latin-1 is written as `?`.
pub fn sample_pdf(title: &str) -> Vec<u8> {
    let mut text = String::new();
    for c in title.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b'(' | b')' | b'\\') => {
                text.push('\\');
                text.push(c);
            }
            Ok(b) if (0x20..0x7f).contains(&b) => text.push(c),
            Ok(b) if b >= 0xa0 => {
                let _ = write!(text, "\\{b:03o}");
            }
            _ => text.push('?'),
        }
    }
    let content = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
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

//! Our tickets rendered by an independent virtual printer: emupos (PyPI, Python 3.13) as a TCP
//! ESC/POS printer, and zbarimg (Debian zbar-tools) reading the QR code back from emupos's
//! picture of the ticket. Both are installed by `scripts/install-peers`; when either is missing
//! the test fails naming what to install, it never skips.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use kiosk_core::ticket::Ticket;
use kiosk_print::{JobOutcome, Paper, PrintError, PrintQueue, Printer, PrinterUri};
use kiosk_store::{PrintReason, Store};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn emupos_bin() -> PathBuf {
    std::env::var_os("KIOSK_EMUPOS").map_or_else(|| workspace().join(".venv-emupos/bin/emupos"), PathBuf::from)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running emupos with one TM-T20III on a TCP port; killed when dropped.
struct Emupos {
    child: Child,
    api: String,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Emupos {
    fn start() -> Emupos {
        let dir = tempfile::tempdir().unwrap();
        let (api_port, port) = (free_port(), free_port());
        let config = dir.path().join("emupos.yaml");
        std::fs::write(
            &config,
            format!(
                "schema: 1\napi: {{ host: 127.0.0.1, port: {api_port} }}\ndevices:\n  - id: kiosk\n    type: printer\n    \
                 profile: epson-tm-t20iii\n    connections:\n      - tcp: {{ port: {port} }}\n    receipts_dir: {}\n",
                dir.path().join("receipts").display()
            ),
        )
        .unwrap();
        let bin = emupos_bin();
        let mut child = Command::new(&bin)
            .args(["run", "--config"])
            .arg(&config)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "emupos is needed at {} (PyPI emupos, Python 3.13): run scripts/install-peers ({e})",
                    bin.display()
                )
            });
        // emupos prints its control API's address once the devices listen.
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines.by_ref().map_while(Result::ok).any(|l| l.contains("control API"));
        assert!(ready, "emupos exited before it was ready");
        // Keep draining its event log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Emupos {
            child,
            api: format!("http://127.0.0.1:{api_port}/api/v1/devices/kiosk"),
            port,
            _dir: dir,
        }
    }

    fn uri(&self) -> PrinterUri {
        format!("tcp://127.0.0.1:{}", self.port).parse().unwrap()
    }

    fn receipts(&self) -> Vec<serde_json::Value> {
        reqwest::blocking::get(format!("{}/receipts", self.api))
            .unwrap()
            .json()
            .unwrap()
    }

    fn receipt(&self, id: &str, what: &str) -> Vec<u8> {
        let r = reqwest::blocking::get(format!("{}/receipts/{id}/{what}", self.api)).unwrap();
        assert!(r.status().is_success(), "{what} of receipt {id}: {}", r.status());
        r.bytes().unwrap().to_vec()
    }

    fn fault(&self, fault: &str, on: bool) {
        let client = reqwest::blocking::Client::new();
        let url = format!("{}/faults/{fault}", self.api);
        let r = if on { client.put(url) } else { client.delete(url) }.send().unwrap();
        assert!(r.status().is_success(), "fault {fault}: {}", r.status());
    }
}

impl Drop for Emupos {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn booking() -> Ticket {
    serde_json::from_str(&std::fs::read_to_string(workspace().join("tests/fixtures/booking-lax.json")).unwrap())
        .unwrap()
}

fn zbarimg(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ticket.png");
    std::fs::write(&path, png).unwrap();
    let out = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("zbarimg (Debian zbar-tools) is needed: run scripts/install-peers ({e})"));
    assert!(
        out.status.success(),
        "zbarimg found no code: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The receipts emupos completed, waiting for the job's end (emupos ends a job at its cut;
/// the printer protocol's barrier already waited for it, so this is one request).
fn only_receipt(emupos: &Emupos) -> String {
    let receipts = emupos.receipts();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    receipts[0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn emupos_prints_the_spanish_ticket_with_its_accents_and_a_qr_zbar_reads() {
    let emupos = Emupos::start();
    let ticket = booking();
    let bytes = kiosk_print::escpos::ticket(&ticket, Paper::MM80).unwrap();
    let printed = Printer::new(emupos.uri()).print(&bytes).unwrap();
    assert!(printed.confirmed, "emupos answered the barrier after the cut");
    assert!(printed.status.unwrap().ready());
    let id = only_receipt(&emupos);
    let text = String::from_utf8(emupos.receipt(&id, "text")).unwrap();
    for expected in [
        "Consulado General de México en Los Ángeles",
        "Jueves 3 de diciembre de 2026",
        "Duración aproximada: 50 min",
        "Identificación del otro padre o madre",
        "¿No puede venir?",
        "K7M4XR2P",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from emupos's text:\n{text}"
        );
    }
    let png = emupos.receipt(&id, "image");
    assert_eq!(zbarimg(&png), "K7M4XR2P");
}

#[test]
fn emupos_reads_the_english_ticket_on_58_mm_paper() {
    let emupos = Emupos::start();
    let ticket = booking().in_language(kiosk_core::Language::En);
    let bytes = kiosk_print::escpos::ticket(&ticket, Paper::MM58).unwrap();
    Printer::new(emupos.uri()).print(&bytes).unwrap();
    let id = only_receipt(&emupos);
    let text = String::from_utf8(emupos.receipt(&id, "text")).unwrap();
    assert!(text.contains("Thursday, December 3, 2026"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 48), "{text}");
    assert_eq!(zbarimg(&emupos.receipt(&id, "image")), "K7M4XR2P");
}

#[test]
fn paper_out_keeps_the_ticket_queued_until_paper_is_back_then_prints_it_once() {
    let emupos = Emupos::start();
    let store = Arc::new(Mutex::new(Store::open_in_memory().unwrap()));
    let ticket = booking();
    let id = store
        .lock()
        .unwrap()
        .queue_print(
            ticket.confirmation_code.as_str(),
            &serde_json::to_string(&ticket).unwrap(),
            PrintReason::Confirmation,
            Utc::now(),
        )
        .unwrap();
    let queue = PrintQueue::new(store.clone(), Printer::new(emupos.uri()), Paper::MM80);

    emupos.fault("paper-out", true);
    let round = queue.run().unwrap();
    assert!(
        matches!(&round[..], [JobOutcome::Waiting { error: PrintError::NotReady(s), .. }] if s.paper == kiosk_print::PaperLevel::Out),
        "{round:?}"
    );
    let queued = store.lock().unwrap().queued_prints().unwrap();
    assert_eq!(queued.len(), 1, "the ticket stays queued");
    assert!(
        queued[0].last_error.as_deref().unwrap().contains("paper out"),
        "{queued:?}"
    );
    assert!(emupos.receipts().is_empty(), "nothing was sent while out of paper");

    emupos.fault("paper-out", false);
    let round = queue.run().unwrap();
    assert!(
        matches!(&round[..], [JobOutcome::Printed { id: printed, .. }] if *printed == id),
        "{round:?}"
    );
    assert!(store.lock().unwrap().queued_prints().unwrap().is_empty());
    let receipt = only_receipt(&emupos);
    assert_eq!(zbarimg(&emupos.receipt(&receipt, "image")), "K7M4XR2P");
    assert!(queue.run().unwrap().is_empty(), "printed once, not again");
}

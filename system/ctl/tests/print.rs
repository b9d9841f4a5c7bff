//! `kioskctl ticket`, `print`, `printer-status` and `printers` with the booking file of the
//! README and the printer simulator on loopback.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kiosk_sim::printer::{self, PrinterChange, PrinterConfig, RunningPrinter};

fn booking() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/booking-lax.json")
}

async fn kioskctl(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_kioskctl"))
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| (*s).to_owned()).collect()
}

async fn sim() -> RunningPrinter {
    printer::start(PrinterConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_writes_the_escpos_bytes_and_a_preview() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, png) = (dir.path().join("t.bin"), dir.path().join("t.png"));
    let run = kioskctl(vec![
        "ticket".into(),
        "--booking".into(),
        booking().display().to_string(),
        "--out".into(),
        bin.display().to_string(),
        "--png".into(),
        png.display().to_string(),
        "--width".into(),
        "58".into(),
        "--lang".into(),
        "en".into(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("58 mm, 32 columns"), "{stdout}");
    let bytes = std::fs::read(&bin).unwrap();
    assert!(bytes.len() < 3 * 1024);
    assert!(bytes.windows(8).any(|w| w == b"Thursday"), "--lang en");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_refuses_a_booking_whose_code_is_not_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(booking()).unwrap()).unwrap();
    json["confirmation_code"] = "K7M4-XR2".into();
    let bad = dir.path().join("booking.json");
    std::fs::write(&bad, json.to_string()).unwrap();
    let out = dir.path().join("t.bin");
    let run = kioskctl(vec![
        "ticket".into(),
        "--booking".into(),
        bad.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ])
    .await;
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not a booking file"));
    assert!(!out.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_puts_the_ticket_on_the_printer_and_status_reads_it() {
    let sim = sim().await;
    let run = kioskctl(vec![
        "print".into(),
        "--printer".into(),
        sim.uri.clone(),
        "--booking".into(),
        booking().display().to_string(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("printer: online, paper ok"), "{stdout}");
    assert_eq!(sim.control.jobs()[0].qr, vec!["K7M4XR2P".to_owned()]);

    let run = kioskctl(args(&["printer-status", "--printer", &sim.uri, "--lang", "en"])).await;
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains("The printer is ready."));

    let run = kioskctl(args(&["printers", "--printer", &sim.uri])).await;
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains(&format!("{}: online, paper ok", sim.uri)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_refuses_while_the_paper_is_out_and_says_what_to_do() {
    let sim = sim().await;
    sim.control.change(PrinterChange {
        paper: Some(printer::Paper::Out),
        ..PrinterChange::default()
    });
    let run = kioskctl(vec![
        "print".into(),
        "--printer".into(),
        sim.uri.clone(),
        "--booking".into(),
        booking().display().to_string(),
    ])
    .await;
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("cargue un rollo nuevo"), "{stderr}");
    assert!(sim.control.jobs().is_empty());
    let run = kioskctl(args(&["printer-status", "--printer", &sim.uri])).await;
    assert_eq!(run.status.code(), Some(1), "not ready");
    assert!(String::from_utf8_lossy(&run.stdout).contains("paper out"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_queue_lists_the_jobs_and_queues_a_reprint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.db");
    {
        let (mut s, _) = kiosk_store::Store::open(&db).unwrap();
        let id = s
            .queue_print(
                "K7M4XR2P",
                "{}",
                kiosk_store::PrintReason::Confirmation,
                chrono::Utc::now(),
            )
            .unwrap();
        s.print_done(id, chrono::Utc::now()).unwrap();
    }
    let db_arg = db.display().to_string();
    let run = kioskctl(args(&["print-queue", "--db", &db_arg, "--reprint", "1"])).await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("job 1 queued again as job 2"), "{stdout}");
    assert!(stdout.contains("2 K7M4XR2P queued    reprint"), "{stdout}");
    let (s, _) = kiosk_store::Store::open(&db).unwrap();
    assert_eq!(s.audit_log(1).unwrap()[0].2, "reprint");
    let run = kioskctl(args(&["print-queue", "--db", &db_arg, "--reprint", "9"])).await;
    assert_eq!(run.status.code(), Some(1), "no job 9");
}

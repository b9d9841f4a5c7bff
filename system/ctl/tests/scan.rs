//! `kioskctl scanners` and `kioskctl scan` against the scanner simulator on loopback.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::process::{Command, Output};

use kiosk_sim::scanner::{self, RunningScanner, ScannerConfig, ScannerFaults};

async fn sim(pages: u32, faults: ScannerFaults) -> RunningScanner {
    let mut config = ScannerConfig::new("127.0.0.1:0".parse().unwrap());
    config.feeder_pages = pages;
    config.faults = faults;
    scanner::start(config).await.unwrap()
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

fn device(sim: &RunningScanner) -> String {
    format!("escl+http://127.0.0.1:{}/eSCL", sim.addr.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_a_network_scanner_with_what_it_offers() {
    let sim = sim(1, ScannerFaults::default()).await;
    let run = kioskctl(vec!["scanners".into(), "--device".into(), device(&sim)]).await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(stdout.contains("kiosk-sim scanner, Idle"), "{stdout}");
    assert!(stdout.contains("feeder state ScannerAdfLoaded"), "{stdout}");
    assert!(stdout.contains("Grayscale8, RGB24, image/jpeg"), "{stdout}");
    // Asked by name only: the bus is not listed (nor its failure, on a machine without USB).
    assert!(!stdout.contains("usb:"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_scanner_that_does_not_answer_fails_the_listing_on_stderr() {
    let sim = sim(1, ScannerFaults::default()).await;
    // Nobody listens on this port any more.
    let gone = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gone = format!("escl+http://127.0.0.1:{gone}/eSCL");
    let run = kioskctl(vec![
        "scanners".into(),
        "--device".into(),
        device(&sim),
        "--device".into(),
        gone.clone(),
    ])
    .await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("kiosk-sim scanner"), "{stdout}");
    assert!(!stdout.contains(&gone), "a failure on stdout: {stdout}");
    assert!(stderr.contains(&gone), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_the_feeder_to_a_pdf_within_the_budget() {
    let sim = sim(2, ScannerFaults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("doc.pdf");
    let run = kioskctl(vec![
        "scan".into(),
        "--device".into(),
        device(&sim),
        "--out".into(),
        out.display().to_string(),
        "--source".into(),
        "feeder".into(),
        "--dpi".into(),
        "150".into(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("2 page(s)"), "{stdout}");
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() <= 1_000_000);
    assert_eq!(sim.control.view().jobs, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jam_is_told_in_the_language_asked_and_writes_no_file() {
    let sim = sim(
        3,
        ScannerFaults {
            jam: 1,
            ..ScannerFaults::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("doc.pdf");
    let run = kioskctl(vec![
        "scan".into(),
        "--device".into(),
        device(&sim),
        "--out".into(),
        out.display().to_string(),
        "--dpi".into(),
        "150".into(),
        "--lang".into(),
        "es".into(),
    ])
    .await;
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("Hay papel atascado en el alimentador"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn refuses_an_address_that_is_not_a_scanner() {
    let run = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["scan", "--device", "http://x/eSCL", "--out", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("escl+http://HOST:PORT/eSCL or usb"));
}

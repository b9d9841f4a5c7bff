//! `kioskctl diagnose`: the health report of a kiosk configured against the simulators, as
//! text in either language and as JSON; exit 1 when something is red.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::process::Command;

use kiosk_sim::central::{self, CentralConfig};
use kiosk_sim::printer::{self, Paper, PrinterChange, PrinterConfig};
use kiosk_sim::scanner::{self, ScannerConfig};

fn diagnose(config: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .arg("diagnose")
        .arg("--config")
        .arg(config)
        .args(extra)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_every_part_as_json_and_text_and_fails_when_the_paper_runs_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut cc = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("c.db"));
    cc.device_credentials = vec!["DIAG-TEST".into()];
    let central = central::start(cc).await.unwrap();
    let scanner = scanner::start(ScannerConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let printer = printer::start(PrinterConfig::new("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let (mut store, _) = kiosk_store::Store::open(&data.join("kiosk.db")).unwrap();
        store
            .set_device_credential(&kiosk_store::DeviceCredential {
                device_id: "LAX-LOBBY-1".into(),
                credential: "DIAG-TEST".into(),
            })
            .unwrap();
    }
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nurl = \"{}\"\n\n[kiosk]\nid = \"LAX-LOBBY-1\"\ndata_dir = \"{}\"\noffices = [\"LAX\"]\n\n\
             [scanner]\ndevice = \"escl+{}\"\n\n[printer]\nuri = \"{}\"\npaper = 58\n",
            central.url,
            data.display(),
            scanner.url,
            printer.uri
        ),
    )
    .unwrap();

    let out = tokio::task::spawn_blocking({
        let config = config.clone();
        move || diagnose(&config, &["--json"])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let level = |area: &str| {
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["area"] == area)
            .map(|c| c["level"].as_str().unwrap().to_owned())
            .unwrap()
    };
    for area in ["central", "printer", "scanner", "outbox"] {
        assert_eq!(level(area), "green", "{area}: {stdout}");
    }
    assert_eq!(json["observations"]["printer"]["state"], "ready");
    assert!(json["observations"]["central"]["latency_ms"].is_u64(), "{stdout}");
    // Never synced by a running kiosk: the sync line is red, and so the exit code says.
    assert_eq!(level("sync"), "red");
    assert_eq!(out.status.code(), Some(1));

    // Once it synced (as the kiosk does, recorded in its database), the line is green.
    let synced = tokio::task::spawn_blocking({
        let (url, db) = (central.url.clone(), data.join("kiosk.db"));
        move || {
            Command::new(env!("CARGO_BIN_EXE_kioskctl"))
                .args(["sync", "--office", "LAX", "--server", &url, "--db"])
                .arg(db)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(synced.status.success(), "{}", String::from_utf8_lossy(&synced.stderr));
    let out = tokio::task::spawn_blocking({
        let config = config.clone();
        move || diagnose(&config, &["--json"])
    })
    .await
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sync = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["area"] == "sync")
        .unwrap();
    assert_eq!(sync["level"], "green", "{sync}");

    printer.control.change(PrinterChange {
        paper: Some(Paper::Out),
        ..PrinterChange::default()
    });
    let out = tokio::task::spawn_blocking(move || diagnose(&config, &["--lang", "en"]))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.starts_with("Overall: Fault\n"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Fault") && l.contains("Printer") && l.contains("Out of paper")),
        "{stdout}"
    );
    assert!(stdout.contains("Answers in"), "{stdout}");
}

#[test]
fn says_which_database_is_missing_instead_of_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nurl = \"http://127.0.0.1:9/\"\n\n[kiosk]\nid = \"K1\"\ndata_dir = \"{}\"\noffices = [\"LAX\"]\n",
            dir.path().join("nowhere").display()
        ),
    )
    .unwrap();
    let out = diagnose(&config, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no kiosk database at") && stderr.contains("nowhere"),
        "{stderr}"
    );
    assert!(!dir.path().join("nowhere").exists());
}

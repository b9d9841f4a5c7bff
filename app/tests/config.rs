//! `--config`: a kiosk configured for a server enrols once, keeps its credential, and a bad
//! file stops the start with the key that is wrong.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use citas_kiosk::config::{Config, connect};
use kiosk_sim::central::{self, CentralConfig};

fn write_config(dir: &std::path::Path, url: &str, token: Option<&str>) -> std::path::PathBuf {
    let path = dir.join("kiosk.toml");
    let token = token.map_or(String::new(), |t| format!("enrolment_token = \"{t}\"\n"));
    std::fs::write(
        &path,
        format!(
            "[server]\nurl = \"{url}\"\n{token}[kiosk]\nid = \"LAX-LOBBY-1\"\ndata_dir = \"{}\"\noffices = [\"LAX\"]\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_kiosk_enrols_once_and_keeps_its_credential() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("central.db"));
    sim.enrolment_tokens = vec!["ONE-TIME".into()];
    let central = central::start(sim).await.unwrap();

    let config = Config::load(&write_config(dir.path(), &central.url, Some("ONE-TIME"))).unwrap();
    let (engine, schedule) = connect(&config).await.unwrap();
    assert_eq!(schedule.offices, vec!["LAX"]);
    assert!(engine.sync_catalogue(chrono::Utc::now()).await.is_ok());
    drop(engine);

    // The next start has no token: the stored credential is used.
    let config = Config::load(&write_config(dir.path(), &central.url, None)).unwrap();
    let (engine, _) = connect(&config).await.unwrap();
    engine.sync_office("LAX", chrono::Utc::now()).await.unwrap();
    central.stop().await;
}

#[test]
fn a_bad_configuration_stops_the_kiosk_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(
        &path,
        "[server]\nurl = \"https://citas.example/\"\n[kiosk]\nid = \"K 1\"\ndata_dir = \"/tmp/x\"\noffices = [\"LAX\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_citas-kiosk"))
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kiosk.id"), "{stderr}");
}

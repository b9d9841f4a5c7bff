//! The scanner simulator read by an independent eSCL client: sane-airscan (Debian `sane-airscan`)
//! through `scanimage` (Debian `sane-utils`), installed by `scripts/install-peers`. If they are
//! missing the test fails, naming what to install; it never skips.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::Path;
use std::process::Command;

use kiosk_sim::scanner::{self, ScannerConfig};

fn scanimage(config_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("scanimage")
        .env("SANE_CONFIG_DIR", config_dir)
        .current_dir(config_dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("scanimage (Debian sane-utils and sane-airscan) is needed: run scripts/install-peers ({e})")
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sane_airscan_scans_every_page_of_the_simulated_feeder() {
    let mut config = ScannerConfig::new("127.0.0.1:0".parse().unwrap());
    config.feeder_pages = 3;
    let sim = scanner::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("airscan.conf"),
        format!(
            "[devices]\n\"Kiosk Sim\" = http://127.0.0.1:{}/eSCL/, eSCL\n[options]\ndiscovery = disable\n",
            sim.addr.port()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("dll.conf"), "airscan\n").unwrap();
    let path = dir.path().to_owned();
    let (list, scan) = tokio::task::spawn_blocking(move || {
        let list = scanimage(&path, &["-L"]);
        let scan = scanimage(
            &path,
            &[
                "-d",
                "airscan:e0:Kiosk Sim",
                "--source",
                "ADF",
                "--mode",
                "Color",
                "--resolution",
                "150",
                "--format=jpeg",
                "--batch=page%d.jpg",
            ],
        );
        (list, scan)
    })
    .await
    .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("airscan:e0:Kiosk Sim"), "scanimage -L: {listed}");
    let said = String::from_utf8_lossy(&scan.stderr);
    assert!(said.contains("3 pages scanned"), "scanimage: {said}");
    for n in 1..=3 {
        let page = std::fs::read(dir.path().join(format!("page{n}.jpg"))).unwrap();
        assert!(page.starts_with(&[0xFF, 0xD8]) && page.len() > 10_000, "page {n}");
    }
    let view = sim.control.view();
    assert_eq!(
        (view.pages_served, view.jobs, view.feeder_pages),
        (3, 0, 0),
        "sane-airscan deleted its job"
    );
}

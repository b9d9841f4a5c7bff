//! The simulator against the contract, checked by an independent peer: schemathesis generates
//! requests from `system/sync/openapi.yaml` (valid and invalid ones) and checks that no answer
//! is a 5xx and that every answer's status, content type, headers and body match the document.
//! `scripts/test` installs schemathesis into `.venv`; without it this test fails and says so.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::Command;

use kiosk_sim::central::{self, CentralConfig};

/// Examples per operation and phase: bounded so CI stays fast (about 850 requests).
const MAX_EXAMPLES: &str = "20";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schemathesis() -> PathBuf {
    let python =
        std::env::var_os("KIOSK_PEER_PYTHON").map_or_else(|| workspace().join(".venv/bin/python"), PathBuf::from);
    python.with_file_name("schemathesis")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_keeps_the_openapi_contract_under_schemathesis() {
    let st = schemathesis();
    assert!(
        st.exists(),
        "the peer schemathesis is missing ({}). Run scripts/test, which installs it into .venv.",
        st.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut config = CentralConfig::new("127.0.0.1:0".parse().unwrap(), dir.path().join("c.db"));
    config.device_credentials = vec!["CONTRACT-TEST".into()];
    let sim = central::start(config).await.unwrap();
    let url = sim.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .current_dir(workspace())
            .env("SCHEMATHESIS_HOOKS", "tests.contract.hooks")
            .env("PYTHONPATH", workspace())
            .env("NO_COLOR", "1")
            .args(["run", "system/sync/openapi.yaml", "--url", &url])
            .args(["-H", "Authorization: Bearer CONTRACT-TEST"])
            .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance"])
            .args(["--max-examples", MAX_EXAMPLES, "--phases", "examples,coverage,fuzzing", "--seed", "20261128"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found contract violations:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("passed"), "schemathesis ran no test:\n{stdout}");
    sim.stop().await;
}

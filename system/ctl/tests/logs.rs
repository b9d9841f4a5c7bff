//! `kioskctl logs --since 1h`: the kiosk's journal entries and the audit log of the last hour,
//! with no CURP, e-mail address or phone number left in them.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

use kiosk_core::staff::{Notice, StaffId};

#[test]
fn exports_the_last_hours_log_and_audit_with_personal_data_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let now = chrono::Utc::now();
    {
        let (mut store, _) = kiosk_store::Store::open(&data.join("kiosk.db")).unwrap();
        let ana = StaffId::parse("ana").unwrap();
        store
            .audit("ana", "maintenance-opened", "", now - chrono::Duration::hours(3))
            .unwrap();
        store
            .audit("ana", "test-print", "", now - chrono::Duration::minutes(20))
            .unwrap();
        let notice = Notice::parse("Write to citas@example.com or call 213 351 6800").unwrap();
        store
            .take_out_of_service(&ana, notice.as_ref(), now - chrono::Duration::minutes(10))
            .unwrap();
    }
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nurl = \"http://127.0.0.1:9/\"\n\n[kiosk]\nid = \"LAX-LOBBY-1\"\ndata_dir = \"{}\"\noffices = [\"LAX\"]\n",
            data.display()
        ),
    )
    .unwrap();
    let micros = |ago: chrono::Duration| (now - ago).timestamp_micros().to_string();
    let journal = dir.path().join("journal.json");
    let entries = [
        serde_json::json!({"__REALTIME_TIMESTAMP": micros(chrono::Duration::hours(2)), "PRIORITY": "6",
                           "MESSAGE": "too old to export"}),
        serde_json::json!({"__REALTIME_TIMESTAMP": micros(chrono::Duration::minutes(30)), "PRIORITY": "4",
                           "TARGET": "kiosk_sync::engine", "MESSAGE": "CURP lookup failed for GODE561231HDFRRN00",
                           "F_EMAIL": "ana@example.com"}),
        serde_json::json!({"__REALTIME_TIMESTAMP": micros(chrono::Duration::minutes(5)), "PRIORITY": "3",
                           "TARGET": "kiosk_print::queue", "MESSAGE": "ticket not printed; it stays queued",
                           "F_ERROR": "the printer is out of paper"}),
    ];
    let lines: Vec<String> = entries.iter().map(ToString::to_string).collect();
    std::fs::write(&journal, lines.join("\n")).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args(["logs", "--since", "1h", "--config"])
        .arg(&config)
        .arg("--journal-json")
        .arg(&journal)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("# kiosk LAX-LOBBY-1"), "{stdout}");
    assert!(
        stdout.contains("WARN  kiosk_sync::engine: CURP lookup failed for [curp] (email=[email])"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "ERROR kiosk_print::queue: ticket not printed; it stays queued (error=the printer is out of paper)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("AUDIT ana test-print"), "{stdout}");
    assert!(
        stdout.contains(
            "AUDIT ana out-of-service Write to citas@example.com"
                .replace("citas@example.com", "[email]")
                .as_str()
        ),
        "{stdout}"
    );
    for gone in [
        "too old",
        "maintenance-opened",
        "GODE561231HDFRRN00",
        "ana@example.com",
        "citas@example.com",
        "351 6800",
    ] {
        assert!(!stdout.contains(gone), "{gone:?} in {stdout}");
    }
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "2 log entries, 2 audit entries"
    );
}

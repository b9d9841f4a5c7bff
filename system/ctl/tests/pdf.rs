//! `kioskctl pdf`: JPEG pages to one PDF within the budget, and a plain refusal when they
//! cannot fit.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::process::Command;

fn page(dpi: u32, color: bool, dense: bool, seed: u64, quality: u8) -> Vec<u8> {
    kiosk_sim::scanner::page::a4_jpeg(dpi, kiosk_sim::scanner::page::Look { color, dense, seed }, quality)
}

fn kioskctl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kioskctl"))
}

#[test]
fn builds_a_pdf_within_the_budget_from_jpeg_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["pdf".to_owned(), "--dpi".into(), "150".into(), "--out".into()];
    let out = dir.path().join("doc.pdf");
    args.push(out.display().to_string());
    for i in 0..2 {
        let p = dir.path().join(format!("p{i}.jpg"));
        std::fs::write(&p, page(150, false, false, i, 80)).unwrap();
        args.push(p.display().to_string());
    }
    let run = kioskctl().args(&args).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("2 page(s)"), "{stdout}");
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() <= 1_000_000);
}

#[test]
fn refuses_plainly_when_the_pages_cannot_fit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.jpg");
    std::fs::write(&p, page(150, true, true, 3, 90)).unwrap();
    let out = dir.path().join("doc.pdf");
    let run = kioskctl()
        .args(["pdf", "--dpi", "150", "--max-bytes", "5000", "--out"])
        .arg(&out)
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("bytes even at the lowest quality"));
    assert!(!out.exists(), "no PDF is left behind");
}

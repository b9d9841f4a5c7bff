//! `kioskctl logs --since 1h`: the kiosk's recent log and the staff audit log, for support, with
//! personal data redacted (kiosk-core's `redact`: CURPs, e-mail addresses, phone numbers).
//!
//! The log comes from journald (`journalctl -u citas-kiosk.service -o json`), or from a file of
//! such JSON lines (`--journal-json`, e.g. one exported on the device); the audit log from the
//! kiosk's database named by its configuration.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use kiosk_config::Config;
use kiosk_core::redact::redact;
use kiosk_store::Store;

/// The kiosk's systemd unit.
const UNIT: &str = "citas-kiosk.service";

#[derive(Debug, Args)]
pub(crate) struct LogsArgs {
    /// How far back: `90s`, `30min`, `1h`, `2days`...
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    since: std::time::Duration,
    /// The kiosk's configuration, repeatable (its database holds the audit log). Default:
    /// /etc/citas-kiosk/kiosk.toml overlaid by /data/kiosk/kiosk.toml.
    #[arg(long, value_name = "PATH")]
    config: Vec<PathBuf>,
    /// Read the log from this file of journald JSON lines instead of journalctl.
    #[arg(long, value_name = "FILE")]
    journal_json: Option<PathBuf>,
}

/// journald's names for its priorities.
fn priority(p: Option<&str>) -> &'static str {
    match p {
        Some("0" | "1" | "2") => "CRIT",
        Some("3") => "ERROR",
        Some("4") => "WARN",
        Some("5" | "6") => "INFO",
        Some("7") => "DEBUG",
        _ => "-",
    }
}

/// A journald field's text: a string, or (for non-UTF-8 values) an array of bytes.
fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(bytes) => {
            let bytes: Vec<u8> = bytes
                .iter()
                .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => None,
    }
}

/// One journal entry as one line, `None` for an entry older than `since` or unreadable.
pub(crate) fn entry_line(json: &str, since: DateTime<Utc>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let micros: i64 = v.get("__REALTIME_TIMESTAMP").and_then(text)?.parse().ok()?;
    let at = DateTime::<Utc>::from_timestamp_micros(micros)?;
    if at < since {
        return None;
    }
    let message = v.get("MESSAGE").and_then(text).unwrap_or_default();
    let target = v.get("TARGET").and_then(text);
    // The event's own fields (tracing-journald prefixes them with F_).
    let mut fields: Vec<String> = v
        .as_object()?
        .iter()
        .filter_map(|(k, val)| Some(format!("{}={}", k.strip_prefix("F_")?.to_lowercase(), text(val)?)))
        .collect();
    fields.sort();
    let mut line = format!(
        "{} {:<5} {}{}",
        at.format("%Y-%m-%dT%H:%M:%SZ"),
        priority(v.get("PRIORITY").and_then(serde_json::Value::as_str)),
        target.map(|t| format!("{t}: ")).unwrap_or_default(),
        message.trim_end()
    );
    if !fields.is_empty() {
        line.push_str(" (");
        line.push_str(&fields.join(", "));
        line.push(')');
    }
    Some(redact(&line).into_owned())
}

fn journal(args: &LogsArgs, since: DateTime<Utc>, out: &mut impl Write) -> anyhow::Result<usize> {
    let mut n = 0;
    let mut emit = |line: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        if let Some(l) = entry_line(line, since) {
            writeln!(out, "{l}")?;
            n += 1;
        }
        Ok(())
    };
    if let Some(path) = &args.journal_json {
        let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        for line in std::io::BufReader::new(file).lines() {
            emit(&line?, out)?;
        }
        return Ok(n);
    }
    let mut child = Command::new("journalctl")
        .args(["--unit", UNIT, "--output", "json", "--no-pager", "--since"])
        .arg(since.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running journalctl (the kiosk logs to journald on the device)")?;
    let stdout = child.stdout.take().context("journalctl's output")?;
    for line in std::io::BufReader::new(stdout).lines() {
        emit(&line?, out)?;
    }
    let done = child.wait_with_output()?;
    anyhow::ensure!(
        done.status.success(),
        "journalctl failed: {}",
        String::from_utf8_lossy(&done.stderr).trim()
    );
    Ok(n)
}

fn audit(db: &Path, since: DateTime<Utc>, out: &mut impl Write) -> anyhow::Result<usize> {
    let (store, _) = Store::open(db).with_context(|| format!("opening {}", db.display()))?;
    let entries = store.audit_since(since)?;
    for e in &entries {
        let line = format!(
            "{} AUDIT {} {} {}",
            e.at.format("%Y-%m-%dT%H:%M:%SZ"),
            e.staff_id,
            e.action,
            e.detail
        );
        writeln!(out, "{}", redact(line.trim_end()))?;
    }
    Ok(entries.len())
}

pub(crate) fn run(args: &LogsArgs) -> anyhow::Result<ExitCode> {
    let since = Utc::now() - chrono::Duration::from_std(args.since).context("--since is too long")?;
    let config = Config::load_named_or_device(&args.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = config.data_dir.join("kiosk.db");
    anyhow::ensure!(db.exists(), "no kiosk database at {}", db.display());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "# kiosk {} · log and audit since {} (personal data redacted)",
        config.kiosk_id,
        since.format("%Y-%m-%dT%H:%M:%SZ")
    )?;
    writeln!(out, "## log")?;
    let logged = journal(args, since, &mut out)?;
    writeln!(out, "## audit")?;
    let audited = audit(&db, since, &mut out)?;
    eprintln!("{logged} log entries, {audited} audit entries");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_journal_entry_becomes_one_redacted_line_with_its_fields() {
        let since = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap();
        let json = r#"{"__REALTIME_TIMESTAMP":"1795000001000000","PRIORITY":"4","TARGET":"kiosk_print::queue",
                       "MESSAGE":"ticket not printed; it stays queued","F_JOB":"7","F_ERROR":"paper out",
                       "_PID":"412"}"#;
        assert_eq!(
            entry_line(json, since).unwrap(),
            "2026-11-18T11:06:41Z WARN  kiosk_print::queue: ticket not printed; it stays queued (error=paper out, job=7)"
        );
        let personal = r#"{"__REALTIME_TIMESTAMP":"1795000001000000","PRIORITY":"6",
                           "MESSAGE":[108,111,111,107,117,112,32,71,79,68,69,53,54,49,50,51,49,72,68,70,82,82,78,48,48]}"#;
        assert_eq!(
            entry_line(personal, since).unwrap(),
            "2026-11-18T11:06:41Z INFO  lookup [curp]"
        );
        let old = r#"{"__REALTIME_TIMESTAMP":"1794999999000000","MESSAGE":"before"}"#;
        assert_eq!(entry_line(old, since), None);
        assert_eq!(entry_line("not json", since), None);
    }
}

//! Where log lines go, and what they may not carry: every line passes through kiosk-core's
//! `redact` (CURPs, e-mail addresses and phone numbers become tags) before it is written. The
//! code never logs a visitor's data on purpose; this is the net for a library's or a server's
//! message that would.
//!
//! Under systemd the kiosk logs to journald with structured fields (`tracing-journald`); an
//! event whose fields `redact` would change never goes there: it is written redacted to stderr,
//! which journald also keeps. Elsewhere every line goes to stderr. Warnings and errors are also
//! kept in memory ([`recent`]) for the maintenance screen.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Wraps a writer maker: each event is collected, redacted, then written in one piece.
#[derive(Debug, Clone)]
pub struct Redacting<M>(pub M);

/// One event's bytes on their way out.
#[derive(Debug)]
pub struct RedactingWriter<W: Write> {
    buf: Vec<u8>,
    inner: W,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let text = String::from_utf8_lossy(&self.buf);
            self.inner.write_all(kiosk_core::redact::redact(&text).as_bytes())?;
            self.buf.clear();
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        // The formatter writes an event and drops its writer: this is where it goes out.
        let _ = self.flush();
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            buf: Vec::new(),
            inner: self.0.make_writer(),
        }
    }
}

/// An event's message and fields as one line: `message; field: value, ...`.
#[derive(Default)]
struct Line(String, String);

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(
                self.1,
                "{}{}: {value}",
                if self.1.is_empty() { "" } else { ", " },
                field.name()
            );
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(
                self.1,
                "{}{}: {value:?}",
                if self.1.is_empty() { "" } else { ", " },
                field.name()
            );
        }
    }
}

fn line_of(event: &Event<'_>) -> String {
    let mut line = Line::default();
    event.record(&mut line);
    match (line.0.is_empty(), line.1.is_empty()) {
        (_, true) => line.0,
        (true, false) => line.1,
        (false, false) => format!("{} ({})", line.0, line.1),
    }
}

/// Which events a log destination takes, by whether they carry anything `redact` would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clean {
    /// Only events with nothing to redact (journald, which keeps fields as they are).
    Only,
    /// Only the others (stderr beside journald, through [`Redacting`]).
    Except,
    /// Every event (stderr alone, through [`Redacting`]).
    All,
}

impl<S: Subscriber> Filter<S> for Clean {
    fn enabled(&self, _meta: &tracing::Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &Event<'_>, _cx: &Context<'_, S>) -> bool {
        if *self == Clean::All {
            return true;
        }
        let line = line_of(event);
        (kiosk_core::redact::redact(&line) == line) == (*self == Clean::Only)
    }
}

/// A warning or an error the kiosk logged, for the maintenance screen (redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: DateTime<Utc>,
    pub error: bool,
    /// Where it came from (`kiosk_print::queue`...).
    pub target: String,
    pub message: String,
}

/// How many problems are kept.
pub const PROBLEMS_KEPT: usize = 50;

static PROBLEMS: Mutex<VecDeque<Problem>> = Mutex::new(VecDeque::new());

/// The problems logged since the app started, newest first (at most [`PROBLEMS_KEPT`]).
pub fn recent() -> Vec<Problem> {
    let kept = PROBLEMS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.iter().rev().cloned().collect()
}

/// Keeps warnings and errors for [`recent`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Problems;

impl<S: Subscriber> Layer<S> for Problems {
    fn on_event(&self, event: &Event<'_>, _cx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let problem = Problem {
            at: Utc::now(),
            error: level == Level::ERROR,
            target: event.metadata().target().to_owned(),
            message: kiosk_core::redact::redact(&line_of(event)).into_owned(),
        };
        let mut kept = PROBLEMS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() == PROBLEMS_KEPT {
            kept.pop_front();
        }
        kept.push_back(problem);
    }
}

/// Whether this process's stderr is connected to journald (systemd sets `JOURNAL_STREAM` to
/// the device and inode of the stream it gave the service).
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(stream) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Ok(stderr) = std::fs::metadata("/proc/self/fd/2") else {
        return false;
    };
    stream.to_string_lossy() == format!("{}:{}", stderr.dev(), stderr.ino())
}

/// The kiosk's logs, `RUST_LOG` or info: to journald under systemd, to stderr elsewhere;
/// redacted either way; warnings and errors kept for maintenance.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let journald = if stderr_is_journal() {
        match tracing_journald::layer() {
            Ok(layer) => Some(layer.with_syslog_identifier("citas-kiosk".into())),
            Err(e) => {
                eprintln!("journald cannot be reached ({e}); logging to stderr");
                None
            }
        }
    } else {
        None
    };
    let to_journal = journald.is_some();
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(Redacting(std::io::stderr))
        // Beside journald, stderr takes only what journald may not.
        .with_ansi(!to_journal)
        .with_filter(if to_journal { Clean::Except } else { Clean::All });
    tracing_subscriber::registry()
        .with(filter)
        .with(Problems)
        .with(journald.map(|j| j.with_filter(Clean::Only)))
        .with(stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn only_clean_events_pass_to_the_journal_and_the_others_go_redacted_to_stderr() {
        let journal = Capture::default();
        let stderr = Capture::default();
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer({
                        let c = journal.clone();
                        move || c.clone()
                    })
                    .with_ansi(false)
                    .with_filter(Clean::Only),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(Redacting({
                        let c = stderr.clone();
                        move || c.clone()
                    }))
                    .with_ansi(false)
                    .with_filter(Clean::Except),
            )
            .with(Problems);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(job = 7, "ticket printed");
            tracing::warn!(email = "ana@example.com", "account lookup failed");
        });
        let read =
            |c: &Capture| String::from_utf8(c.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
        let (journal, stderr) = (read(&journal), read(&stderr));
        assert!(
            journal.contains("ticket printed") && !journal.contains("account lookup"),
            "{journal}"
        );
        assert!(
            stderr.contains("account lookup failed") && stderr.contains("[email]"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("ana@example.com") && !stderr.contains("ticket printed"),
            "{stderr}"
        );
        let kept = recent();
        let p = kept
            .iter()
            .find(|p| p.message.starts_with("account lookup failed"))
            .expect("kept");
        assert_eq!(p.message, "account lookup failed (email: [email])");
        assert!(!p.error);
    }

    #[test]
    fn a_log_line_carrying_a_curp_or_an_email_is_written_without_them() {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(Redacting({
                let c = capture.clone();
                move || c.clone()
            }))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                url = "http://h/v1/curp/GODE561231HDFRRN00",
                "lookup failed for ana@example.com"
            );
        });
        let out = String::from_utf8(capture.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
        assert!(
            out.contains("lookup failed for [email]") && out.contains("/v1/curp/[curp]"),
            "{out}"
        );
        assert!(!out.contains("GODE561231HDFRRN00") && !out.contains("ana@example.com"));
    }
}

//! Where log lines go, and what they may not carry: every line passes through kiosk-core's
//! `redact` (CURPs, e-mail addresses and phone numbers become tags) before it is written. The
//! code never logs a visitor's data on purpose; this is the net for a library's or a server's
//! message that would.

use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;

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

/// The kiosk's logs: stderr (journald keeps it under systemd), redacted, `RUST_LOG` or info.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(Redacting(std::io::stderr))
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

//! The simulated ESC/POS receipt printer: a raw TCP port (as port 9100 of a network printer)
//! that reads ESC/POS commands, answers status requests, and records every job; an HTTP control
//! endpoint beside it to look at the jobs and change the paper and cover at run time.
//!
//! As a real printer does: real-time requests (`DLE EOT n`) are answered at once, even while
//! it cannot print; everything else is processed in order, and while the paper is out, the
//! cover open or the printer offline it is held, then printed when the fault clears (so `GS r`,
//! which answers in turn, is answered only once everything before it has printed). A job ends
//! at a cut (`GS V`), or when its connection closes.
//!
//! Each job is kept in memory and, with an output directory, written as `job-NNNN.bin` (the
//! bytes as received) and `job-NNNN.txt` (its text, decoded with the code page it selected:
//! WPC1252 after `ESC t 16`, only ASCII otherwise, other bytes as U+FFFD), plus the payloads of
//! the QR codes it printed.
//!
//! Control: `GET /sim/printer` (state and job count), `PUT /sim/printer` with any of
//! `{"paper": "ok"|"near-end"|"out", "cover_open": bool, "offline": bool}`,
//! `GET /sim/printer/jobs/{n}` (one job's text, QR codes and size; `n` from 1).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The paper roll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    #[default]
    Ok,
    NearEnd,
    Out,
}

/// A `--paper` value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad paper state {0:?}: expected ok, near-end or out")]
pub struct BadPaper(pub String);

impl FromStr for Paper {
    type Err = BadPaper;
    fn from_str(s: &str) -> Result<Paper, BadPaper> {
        match s.trim() {
            "ok" => Ok(Paper::Ok),
            "near-end" => Ok(Paper::NearEnd),
            "out" => Ok(Paper::Out),
            other => Err(BadPaper(other.to_owned())),
        }
    }
}

/// What the printer reports about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterState {
    pub paper: Paper,
    pub cover_open: bool,
    pub offline: bool,
}

impl PrinterState {
    fn blocked(self) -> bool {
        self.paper == Paper::Out || self.cover_open || self.offline
    }

    /// The answer to `DLE EOT n` (Epson's bit layout; fixed bits 0xx1xx10).
    fn dle_eot(self, n: u8) -> Option<u8> {
        let bit = |on: bool, b: u8| if on { 1 << b } else { 0 };
        let base = 0b0001_0010;
        match n {
            1 => Some(base | bit(self.blocked(), 3)),
            2 => Some(base | bit(self.cover_open, 2) | bit(self.paper == Paper::Out, 5)),
            3 => Some(base),
            4 => Some(
                base | bit(self.paper != Paper::Ok, 2)
                    | bit(self.paper != Paper::Ok, 3)
                    | bit(self.paper == Paper::Out, 5)
                    | bit(self.paper == Paper::Out, 6),
            ),
            _ => None,
        }
    }

    /// The answer to `GS r 1` (paper sensors; bit 4 clear).
    fn gs_r(self) -> u8 {
        let near = if self.paper == Paper::Ok { 0 } else { 0b11 };
        let out = if self.paper == Paper::Out { 0b1100 } else { 0 };
        near | out
    }
}

/// A change through `PUT /sim/printer`: only what is named changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrinterChange {
    pub paper: Option<Paper>,
    pub cover_open: Option<bool>,
    pub offline: Option<bool>,
}

/// One printed job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintedJob {
    /// From 1.
    pub number: usize,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub size: usize,
    /// The printed text, a line per line feed.
    pub text: String,
    /// Payloads of the QR codes printed (`GS ( k` model 2).
    pub qr: Vec<String>,
    /// Whether it ended with a cut (else its connection closed).
    pub cut: bool,
    /// Commands the simulator did not know (their first bytes, in hex).
    pub unknown: Vec<String>,
}

/// What the control endpoint shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrinterView {
    #[serde(flatten)]
    pub state: PrinterState,
    pub jobs: usize,
    pub status_requests: u64,
}

#[derive(Debug, Default)]
struct Inner {
    jobs: Vec<PrintedJob>,
    status_requests: u64,
    out: Option<PathBuf>,
}

/// The printer's state and jobs, shared by the connections, the control endpoint and tests.
#[derive(Debug, Clone)]
pub struct PrinterControl {
    inner: Arc<Mutex<Inner>>,
    state: Arc<watch::Sender<PrinterState>>,
}

impl PrinterControl {
    fn new(state: PrinterState, out: Option<PathBuf>) -> PrinterControl {
        PrinterControl {
            inner: Arc::new(Mutex::new(Inner {
                out,
                ..Inner::default()
            })),
            state: Arc::new(watch::Sender::new(state)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn view(&self) -> PrinterView {
        let s = self.lock();
        PrinterView {
            state: *self.state.borrow(),
            jobs: s.jobs.len(),
            status_requests: s.status_requests,
        }
    }

    pub fn change(&self, change: PrinterChange) -> PrinterView {
        self.state.send_modify(|st| {
            if let Some(p) = change.paper {
                st.paper = p;
            }
            if let Some(c) = change.cover_open {
                st.cover_open = c;
            }
            if let Some(o) = change.offline {
                st.offline = o;
            }
        });
        self.view()
    }

    /// Every job printed so far.
    pub fn jobs(&self) -> Vec<PrintedJob> {
        self.lock().jobs.clone()
    }

    fn record(&self, mut job: PrintedJob) {
        let mut s = self.lock();
        job.number = s.jobs.len() + 1;
        if let Some(dir) = &s.out {
            let stem = dir.join(format!("job-{:04}", job.number));
            let mut txt = job.text.clone();
            for q in &job.qr {
                let _ = writeln!(txt, "[QR] {q}");
            }
            for (ext, data) in [("bin", job.bytes.as_slice()), ("txt", txt.as_bytes())] {
                if let Err(e) = std::fs::write(stem.with_extension(ext), data) {
                    tracing::error!(error = %e, dir = %dir.display(), "cannot write the job");
                }
            }
        }
        tracing::info!(job = job.number, bytes = job.size, cut = job.cut, "job printed");
        s.jobs.push(job);
    }
}

/// How to run the printer simulator.
#[derive(Debug, Clone)]
pub struct PrinterConfig {
    /// The raw ESC/POS port.
    pub listen: SocketAddr,
    /// The HTTP control endpoint.
    pub control: SocketAddr,
    /// Where jobs are written (none: kept in memory only).
    pub out: Option<PathBuf>,
    pub state: PrinterState,
}

impl PrinterConfig {
    pub fn new(listen: SocketAddr) -> PrinterConfig {
        PrinterConfig {
            listen,
            control: SocketAddr::from(([127, 0, 0, 1], 0)),
            out: None,
            state: PrinterState::default(),
        }
    }
}

/// A running printer simulator.
#[derive(Debug)]
pub struct RunningPrinter {
    /// `tcp://127.0.0.1:PORT`, the printer URI the kiosk takes.
    pub uri: String,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT/sim/printer`.
    pub control_url: String,
    pub control: PrinterControl,
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningPrinter {
    pub async fn stop(self) {
        self.shutdown.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Binds both ports and serves until stopped.
pub async fn start(config: PrinterConfig) -> anyhow::Result<RunningPrinter> {
    if let Some(dir) = &config.out {
        std::fs::create_dir_all(dir)?;
    }
    let control = PrinterControl::new(config.state, config.out.clone());
    let raw = TcpListener::bind(config.listen).await?;
    let addr = raw.local_addr()?;
    let http = TcpListener::bind(config.control).await?;
    let control_addr = http.local_addr()?;
    let shutdown = CancellationToken::new();
    let raw_task = tokio::spawn(accept(raw, control.clone(), shutdown.clone()));
    let router = Router::new()
        .route("/sim/printer", get(get_control).put(put_control))
        .route("/sim/printer/jobs/{n}", get(get_job))
        .with_state(control.clone());
    let http_task = tokio::spawn(crate::faults::serve(http, router, shutdown.clone()));
    Ok(RunningPrinter {
        uri: format!("tcp://{addr}"),
        addr,
        control_url: format!("http://{control_addr}/sim/printer"),
        control,
        shutdown,
        tasks: vec![raw_task, http_task],
    })
}

async fn accept(listener: TcpListener, control: PrinterControl, shutdown: CancellationToken) {
    loop {
        let stream = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        tokio::spawn(connection(stream, control.clone(), shutdown.clone()));
    }
}

/// One ESC/POS command or a run of print data.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `DLE EOT n`, answered at once.
    Status(u8),
    /// `GS r n`, answered in turn.
    Transmit(u8),
    /// `GS V`: the job ends.
    Cut(Vec<u8>),
    /// `ESC t n`.
    CodePage(u8),
    /// `GS ( k` (cn, fn, data).
    Code2d(u8, u8, Vec<u8>),
    /// Text bytes and line feeds.
    Text(Vec<u8>),
    /// Any other known command, kept as received.
    Other(Vec<u8>),
    /// A command the simulator does not know: its first two bytes.
    Unknown(Vec<u8>),
}

impl Token {
    fn raw(&self) -> Vec<u8> {
        match self {
            Token::Status(n) => vec![0x10, 0x04, *n],
            Token::Transmit(n) => vec![0x1D, b'r', *n],
            Token::CodePage(n) => vec![0x1B, b't', *n],
            Token::Code2d(cn, f, data) => {
                let len = u16::try_from(data.len() + 2).unwrap_or(u16::MAX).to_le_bytes();
                let mut v = vec![0x1D, b'(', b'k', len[0], len[1], *cn, *f];
                v.extend_from_slice(data);
                v
            }
            Token::Cut(b) | Token::Text(b) | Token::Other(b) | Token::Unknown(b) => b.clone(),
        }
    }
}

/// Splits the front of `buf` into a token; `None` until the whole command has arrived.
fn next_token(buf: &[u8]) -> Option<(Token, usize)> {
    let need = |n: usize| (buf.len() >= n).then(|| buf[..n].to_vec());
    let first = *buf.first()?;
    match first {
        0x10 => match buf.get(1)? {
            0x04 => Some((Token::Status(*buf.get(2)?), 3)),
            0x05 => need(3).map(|b| (Token::Other(b), 3)),
            0x14 => need(5).map(|b| (Token::Other(b), 5)),
            _ => Some((Token::Unknown(buf[..2].to_vec()), 2)),
        },
        0x1B => {
            let cmd = *buf.get(1)?;
            match cmd {
                b'@' | b'2' | b'<' => need(2).map(|b| (Token::Other(b), 2)),
                b't' => Some((Token::CodePage(*buf.get(2)?), 3)),
                b'a' | b'E' | b'G' | b'M' | b'd' | b'J' | b'3' | b'!' | b'-' | b'R' | b'{' | b'V' | b'r' | b'e'
                | b'c' => need(3).map(|b| (Token::Other(b), 3)),
                b'p' => need(5).map(|b| (Token::Other(b), 5)),
                _ => Some((Token::Unknown(buf[..2].to_vec()), 2)),
            }
        }
        0x1C => match buf.get(1)? {
            b'.' | b'&' => Some((Token::Other(buf[..2].to_vec()), 2)),
            b'C' => need(3).map(|b| (Token::Other(b), 3)),
            _ => Some((Token::Unknown(buf[..2].to_vec()), 2)),
        },
        0x1D => {
            let cmd = *buf.get(1)?;
            match cmd {
                b'!' | b'B' | b'a' | b'I' | b'H' | b'f' | b'h' | b'w' | b'b' => need(3).map(|b| (Token::Other(b), 3)),
                b'r' => Some((Token::Transmit(*buf.get(2)?), 3)),
                b'V' => {
                    let m = *buf.get(2)?;
                    let n = if matches!(m, 65 | 66 | 97 | 98 | 103 | 104) {
                        4
                    } else {
                        3
                    };
                    need(n).map(|b| (Token::Cut(b), n))
                }
                b'L' | b'W' => need(4).map(|b| (Token::Other(b), 4)),
                b'(' => {
                    let (pl, ph) = (*buf.get(3)?, *buf.get(4)?);
                    let len = 5 + usize::from(pl) + 256 * usize::from(ph);
                    let all = need(len)?;
                    if all[2] == b'k' && len >= 7 {
                        Some((Token::Code2d(all[5], all[6], all[7..].to_vec()), len))
                    } else {
                        Some((Token::Other(all), len))
                    }
                }
                _ => Some((Token::Unknown(buf[..2].to_vec()), 2)),
            }
        }
        _ => {
            // Print data up to the next command byte.
            let end = buf
                .iter()
                .position(|b| matches!(b, 0x10 | 0x1B | 0x1C | 0x1D))
                .unwrap_or(buf.len());
            Some((Token::Text(buf[..end].to_vec()), end))
        }
    }
}

/// A job being printed on one connection.
#[derive(Debug, Default)]
struct Job {
    bytes: Vec<u8>,
    text: Vec<u8>,
    wpc1252: bool,
    qr_data: Option<Vec<u8>>,
    qr: Vec<String>,
    unknown: Vec<String>,
}

impl Job {
    fn decode(&self) -> String {
        if self.wpc1252 {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&self.text)
                .0
                .into_owned()
        } else {
            self.text
                .iter()
                .map(|&b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' })
                .collect()
        }
    }

    fn finish(&mut self, control: &PrinterControl, cut: bool) {
        let mut job = std::mem::take(self);
        // Status requests and settings alone put nothing on paper: no job. The code page stays.
        self.wpc1252 = job.wpc1252;
        if job.text.is_empty() && job.qr.is_empty() {
            return;
        }
        control.record(PrintedJob {
            number: 0,
            size: job.bytes.len(),
            text: job.decode(),
            qr: job.qr,
            cut,
            unknown: std::mem::take(&mut job.unknown),
            bytes: job.bytes,
        });
    }

    /// Prints one token; an answer to send back, if any.
    fn print(&mut self, token: Token, state: PrinterState, control: &PrinterControl) -> Option<u8> {
        let raw = token.raw();
        let answer = match token {
            Token::Transmit(1) => Some(state.gs_r()),
            Token::Cut(_) => {
                self.bytes.extend_from_slice(&raw);
                self.finish(control, true);
                return None;
            }
            Token::CodePage(n) => {
                self.wpc1252 = n == 16;
                None
            }
            Token::Code2d(49, 80, data) => {
                // Store: the data after the "0" (m) byte.
                self.qr_data = Some(data.get(1..).unwrap_or_default().to_vec());
                None
            }
            Token::Code2d(49, 81, _) => {
                if let Some(d) = self.qr_data.take() {
                    self.qr.push(String::from_utf8_lossy(&d).into_owned());
                }
                None
            }
            Token::Text(t) => {
                self.text.extend(t.iter().filter(|b| **b != b'\r'));
                None
            }
            Token::Other(ref b) if b.first() == Some(&0x1B) && b.get(1) == Some(&b'd') => {
                let n = b.get(2).copied().unwrap_or(0);
                self.text.extend(std::iter::repeat_n(b'\n', usize::from(n)));
                None
            }
            Token::Unknown(ref b) => {
                self.unknown.push(hex::encode(b));
                None
            }
            _ => None,
        };
        self.bytes.extend_from_slice(&raw);
        answer
    }
}

async fn connection(mut stream: TcpStream, control: PrinterControl, shutdown: CancellationToken) {
    let mut state = control.state.subscribe();
    let mut buf = Vec::new();
    let mut held: std::collections::VecDeque<Token> = std::collections::VecDeque::new();
    let mut job = Job::default();
    let mut chunk = [0u8; 4096];
    loop {
        let read = tokio::select! {
            () = shutdown.cancelled() => return,
            changed = state.changed() => {
                if changed.is_err() {
                    return;
                }
                None
            }
            n = stream.read(&mut chunk) => Some(n),
        };
        let mut out = Vec::new();
        match read {
            Some(Ok(0) | Err(_)) => {
                // Data held while blocked is printed once the fault clears; a closed
                // connection's held data is dropped here (the kiosk sent nothing while blocked).
                if !state.borrow().blocked() {
                    while let Some(t) = held.pop_front() {
                        job.print(t, *state.borrow(), &control);
                    }
                }
                job.finish(&control, false);
                return;
            }
            Some(Ok(n)) => {
                buf.extend_from_slice(&chunk[..n]);
                while let Some((token, used)) = next_token(&buf) {
                    buf.drain(..used);
                    if let Token::Status(n) = token {
                        control.lock().status_requests += 1;
                        out.extend(state.borrow().dle_eot(n));
                    } else {
                        held.push_back(token);
                    }
                }
            }
            None => {}
        }
        let now = *state.borrow_and_update();
        if !now.blocked() {
            while let Some(t) = held.pop_front() {
                out.extend(job.print(t, now, &control));
            }
        }
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

async fn get_control(State(control): State<PrinterControl>) -> Json<PrinterView> {
    Json(control.view())
}

async fn put_control(State(control): State<PrinterControl>, Json(change): Json<PrinterChange>) -> Json<PrinterView> {
    Json(control.change(change))
}

async fn get_job(State(control): State<PrinterControl>, Path(n): Path<usize>) -> Response {
    match n.checked_sub(1).and_then(|i| control.jobs().get(i).cloned()) {
        Some(job) => Json(job).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn splits_commands_text_and_qr_codes() {
        let mut buf = b"\x1b@\x1bt\x10Hola \xf1\n\x1d(k\x0b\x001P0K7M4XR2P\x1d(k\x03\x001Q0\x1dVA\x00".to_vec();
        let mut tokens = Vec::new();
        while let Some((t, n)) = next_token(&buf) {
            buf.drain(..n);
            tokens.push(t);
        }
        assert!(buf.is_empty());
        assert_eq!(tokens[1], Token::CodePage(16));
        assert_eq!(tokens[2], Token::Text(b"Hola \xf1\n".to_vec()));
        assert_eq!(tokens[3], Token::Code2d(49, 80, b"0K7M4XR2P".to_vec()));
        assert_eq!(tokens[5], Token::Cut(b"\x1dVA\x00".to_vec()));
    }

    #[test]
    fn waits_for_a_whole_command() {
        assert_eq!(next_token(b"\x1d(k\x0b\x001P0K7"), None);
        assert_eq!(next_token(b"\x10"), None);
    }

    #[test]
    fn answers_status_as_an_epson_printer_does() {
        let ok = PrinterState::default();
        assert_eq!(ok.dle_eot(4), Some(0x12));
        let near = PrinterState {
            paper: Paper::NearEnd,
            ..ok
        };
        assert_eq!(near.dle_eot(4), Some(0x1E));
        let out = PrinterState {
            paper: Paper::Out,
            ..ok
        };
        assert_eq!(out.dle_eot(4), Some(0x7E));
        assert_eq!(out.dle_eot(1), Some(0x1A));
    }
}

//! Fault injection and the connection loop that makes it real.
//!
//! Faults act per request, at the rates configured on the command line or at run time
//! (`PUT /sim/faults`): added latency, a dropped connection (no answer at all, before or after
//! the work is done), a connection reset halfway through the answer's body, and 5xx answers
//! (before or after the work is done). The `/sim/*` control endpoints are never faulted.
//!
//! Dropping and resetting need the connection itself, so the server runs its own accept loop
//! over hyper (as axum's `serve-with-hyper` example does) and gives every request a handle that
//! can abort its connection.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::problem::Problem;

/// Fault rates (0.0 to 1.0) and added latency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultConfig {
    /// Added before the request is handled.
    pub latency_ms: u64,
    /// Added after the request is handled (its effects committed) and before the answer
    /// leaves: the window in which a lost answer or a crashed client hurts most.
    pub answer_delay_ms: u64,
    pub drop: f64,
    pub reset: f64,
    pub error: f64,
}

/// A `--faults` value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault spec {0:?}: expected latency=200ms,answer-delay=0ms,drop=0.1,reset=0.05,error=0.05")]
pub struct BadFaultSpec(pub String);

impl FromStr for FaultConfig {
    type Err = BadFaultSpec;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadFaultSpec(s.to_owned());
        let mut c = FaultConfig::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(bad)?;
            let rate = || {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(bad)
            };
            match key {
                "latency" => {
                    let ms = value.strip_suffix("ms").unwrap_or(value);
                    c.latency_ms = ms.parse().map_err(|_| bad())?;
                }
                "answer-delay" => {
                    let ms = value.strip_suffix("ms").unwrap_or(value);
                    c.answer_delay_ms = ms.parse().map_err(|_| bad())?;
                }
                "drop" => c.drop = rate()?,
                "reset" => c.reset = rate()?,
                "error" => c.error = rate()?,
                _ => return Err(bad()),
            }
        }
        c.validate().map_err(|_| bad())?;
        Ok(c)
    }
}

impl FaultConfig {
    /// Rates must each be within 0..=1 and together at most 1.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [self.drop, self.reset, self.error];
        if rates.iter().any(|r| !(0.0..=1.0).contains(r)) || rates.iter().sum::<f64>() > 1.0 + f64::EPSILON {
            return Err("each rate must be within 0..1 and their sum at most 1".into());
        }
        if self.latency_ms > 60_000 || self.answer_delay_ms > 60_000 {
            return Err("latency and answer delay must be at most 60000 ms".into());
        }
        Ok(())
    }
}

impl fmt::Display for FaultConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "latency={}ms,answer-delay={}ms,drop={},reset={},error={}",
            self.latency_ms, self.answer_delay_ms, self.drop, self.reset, self.error
        )
    }
}

/// The live fault settings, shared by the middleware and the control endpoint.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<RwLock<FaultConfig>>);

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        Faults(Arc::new(RwLock::new(config)))
    }

    pub fn get(&self) -> FaultConfig {
        *self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set(&self, config: FaultConfig) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = config;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    DropBefore,
    DropAfter,
    Reset,
    ErrorBefore,
    ErrorAfter,
}

fn roll(c: &FaultConfig) -> Option<Fault> {
    let x: f64 = rand::random();
    let half: bool = rand::random();
    if x < c.drop {
        Some(if half { Fault::DropBefore } else { Fault::DropAfter })
    } else if x < c.drop + c.reset {
        Some(Fault::Reset)
    } else if x < c.drop + c.reset + c.error {
        Some(if half { Fault::ErrorBefore } else { Fault::ErrorAfter })
    } else {
        None
    }
}

/// Aborts the connection a request came on.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKill(CancellationToken);

impl ConnectionKill {
    /// A body that sends `first` and then cuts the connection, as an unplugged cable does.
    pub(crate) fn body_cut_after(&self, first: Bytes) -> Body {
        Body::from_stream(half_then_cut(first, self.0.clone()))
    }
}

/// The middleware: applies the configured faults to every request outside `/sim/`.
pub async fn inject(State(faults): State<Faults>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/sim/") {
        return next.run(req).await;
    }
    let config = faults.get();
    if config.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(config.latency_ms)).await;
    }
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    match (roll(&config), kill) {
        (None, _) | (Some(_), None) => {
            let resp = next.run(req).await;
            if config.answer_delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(config.answer_delay_ms)).await;
            }
            resp
        }
        (Some(Fault::ErrorBefore), _) => injected_error(),
        (Some(Fault::ErrorAfter), _) => {
            let _ = next.run(req).await;
            injected_error()
        }
        (Some(Fault::DropBefore), Some(kill)) => abort(&kill).await,
        (Some(Fault::DropAfter), Some(kill)) => {
            let _ = next.run(req).await;
            abort(&kill).await
        }
        (Some(Fault::Reset), Some(kill)) => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = body
                .collect()
                .await
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            // Announce the whole length, send half, then cut the connection.
            parts
                .headers
                .insert(axum::http::header::CONTENT_LENGTH, bytes.len().into());
            Response::from_parts(parts, kill.body_cut_after(half))
        }
    }
}

fn injected_error() -> Response {
    let status = if rand::random::<bool>() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    Problem::new(status, "injected-fault", "fault injected by kiosk-sim").into_response()
}

async fn abort(kill: &ConnectionKill) -> Response {
    kill.0.cancel();
    // The connection task drops this request with the connection; nothing is ever sent.
    std::future::pending::<Response>().await
}

/// A body that yields `first` and then cuts the connection instead of ending.
fn half_then_cut(
    first: Bytes,
    kill: CancellationToken,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    use futures_util::StreamExt;
    futures_util::stream::once(std::future::ready(Ok(first))).chain(futures_util::stream::once(async move {
        kill.cancel();
        std::future::pending::<Result<Bytes, std::io::Error>>().await
    }))
}

/// Serves `router` on `listener` until `shutdown` fires, with per-connection abort handles.
pub async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    serve_maybe_tls(listener, router, None, shutdown).await;
}

/// [`serve`], over TLS when `tls` is given (a handshake that fails ends that connection only).
pub async fn serve_maybe_tls(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: CancellationToken,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let (stream, _) = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        let router = router.clone();
        let shutdown = shutdown.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let kill = CancellationToken::new();
            // Aborting closes with RST (linger 0), as a crashed server or a cut cable does.
            let raw = stream.into_std().ok();
            let Some(raw) = raw else { return };
            let reset_handle = raw.try_clone().ok();
            let Ok(stream) = tokio::net::TcpStream::from_std(raw) else {
                return;
            };
            let conn_kill = kill.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectionKill(conn_kill.clone()));
                router.clone().oneshot(req.map(Body::new))
            });
            let http = hyper::server::conn::http1::Builder::new();
            let conn = async move {
                match acceptor {
                    None => {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(tls) => {
                            let _ = http.serve_connection(TokioIo::new(tls), service).await;
                        }
                        Err(e) => tracing::debug!(error = %e, "TLS handshake refused"),
                    },
                }
            };
            tokio::select! {
                () = conn => {}
                () = kill.cancelled() => {
                    if let Some(h) = &reset_handle {
                        let _ = socket2::SockRef::from(h).set_linger(Some(Duration::ZERO));
                    }
                }
                () = shutdown.cancelled() => {}
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_command_line_fault_spec() {
        let c: FaultConfig = "latency=200ms,drop=0.1,reset=0.05,error=0.05".parse().unwrap();
        assert_eq!(
            c,
            FaultConfig {
                latency_ms: 200,
                answer_delay_ms: 0,
                drop: 0.1,
                reset: 0.05,
                error: 0.05
            }
        );
        assert_eq!("".parse::<FaultConfig>().unwrap(), FaultConfig::default());
        assert_eq!(c.to_string().parse::<FaultConfig>().unwrap(), c);
    }

    #[test]
    fn rejects_rates_out_of_range_and_unknown_faults() {
        for bad in ["drop=1.5", "drop=0.6,error=0.6", "fire=0.1", "latency=fast", "drop"] {
            assert!(bad.parse::<FaultConfig>().is_err(), "{bad}");
        }
    }
}

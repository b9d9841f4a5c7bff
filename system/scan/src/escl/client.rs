//! The eSCL client: capabilities, status, a job from `POST /eSCL/ScanJobs` through
//! `NextDocument` until the scanner says there is no more, and `DELETE` of the job on every
//! way out (done, failed or cancelled), so no job is left behind on the scanner.
//!
//! HTTP/1.1 framing (chunked pages, replies closed without a length) is hyper's client
//! connection over whatever byte stream the [`Transport`] gives.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::http::{HeaderMap, Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::xml::{self, Capabilities, InputCaps, ScanSettings, Status};
use crate::error::ScanError;
use crate::pdf::ScannedPage;
use crate::transport::{Io, Transport};

/// Timeouts of the exchanges (pages take longest: the scanner answers as it scans).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub query: Duration,
    pub job: Duration,
    pub page: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            query: Duration::from_secs(5),
            job: Duration::from_secs(30),
            page: Duration::from_mins(2),
        }
    }
}

/// The largest XML document and the largest page accepted.
const MAX_XML: usize = 1024 * 1024;
const MAX_PAGE: usize = 100 * 1024 * 1024;
/// `NextDocument` answered 503 (page not ready) this many times in a row ends the job.
const MAX_NOT_READY: u32 = 60;
/// How long an exchange given up on may still take to be read to its end on a kept stream.
const FINISH_ABANDONED: Duration = Duration::from_mins(5);
/// A new job refused with 503 (busy) is tried again this many times.
const BUSY_RETRIES: usize = 3;

/// Where the visitor's paper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceChoice {
    /// The feeder when it holds paper, otherwise the glass.
    #[default]
    Auto,
    Feeder,
    Platen,
}

/// What a scan should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    pub source: SourceChoice,
    /// Colour (for a photo ID); grayscale otherwise (documents).
    pub color: bool,
    /// The resolution wished for; the scanner's nearest offer is taken.
    pub dpi: u32,
    /// Pages beyond this end the job (the rest stay in the feeder).
    pub max_pages: usize,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions {
            source: SourceChoice::Auto,
            color: false,
            dpi: 300,
            max_pages: 20,
        }
    }
}

/// The region scanned: the width of US Letter and the height of A4, so both fit (1/300 inch).
const REGION: (u32, u32) = (2550, 3508);

/// Works out the job's settings from what the scanner offers and what the visitor wants.
pub fn settings_for(caps: &Capabilities, status: &Status, options: ScanOptions) -> Result<ScanSettings, ScanError> {
    let (source, input): (&'static str, &InputCaps) = match (options.source, &caps.feeder, &caps.platen) {
        (SourceChoice::Feeder, None, _) => return Err(ScanError::NoFeeder),
        // The feeder when asked for, when it holds paper, or when it is all there is.
        (SourceChoice::Feeder, Some(f), _) | (SourceChoice::Platen | SourceChoice::Auto, Some(f), None) => {
            ("Feeder", f)
        }
        (SourceChoice::Auto, Some(f), _) if status.feeder_loaded() => ("Feeder", f),
        (SourceChoice::Platen | SourceChoice::Auto, _, Some(p)) => ("Platen", p),
        (_, None, None) => return Err(ScanError::Protocol("the scanner has no input source".into())),
    };
    if source == "Feeder" && status.feeder_jammed() {
        return Err(ScanError::Jammed);
    }
    if source == "Feeder" && !status.feeder_loaded() && status.adf_state.is_some() {
        return Err(ScanError::FeederEmpty);
    }
    let color_mode = match (
        options.color,
        input.has_color_mode("RGB24"),
        input.has_color_mode("Grayscale8"),
    ) {
        (true, true, _) | (false, true, false) => "RGB24",
        (_, _, true) => "Grayscale8",
        _ => return Err(ScanError::Protocol("neither Grayscale8 nor RGB24 is offered".into())),
    };
    let format = if input.has_format("image/jpeg") {
        "image/jpeg"
    } else if input.has_format("image/png") {
        "image/png"
    } else {
        return Err(ScanError::Protocol("neither JPEG nor PNG pages are offered".into()));
    };
    let dpi = input
        .resolution(options.dpi)
        .ok_or_else(|| ScanError::Protocol("no resolution is offered".into()))?;
    let clamp = |want: u32, max: u32| if max == 0 { want } else { want.min(max) };
    Ok(ScanSettings {
        input_source: source,
        color_mode,
        dpi,
        width: clamp(REGION.0, input.max_width),
        height: clamp(REGION.1, input.max_height),
        format,
        intent: input.intent(color_mode == "RGB24"),
    })
}

/// An answer: status, headers, the whole body.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// One eSCL scanner.
#[derive(Debug, Clone)]
pub struct Scanner {
    transport: Arc<dyn Transport>,
    /// The eSCL root with a trailing slash, e.g. `http://localhost/eSCL/`.
    root: Url,
    timeouts: Timeouts,
}

impl Scanner {
    /// A scanner reached through `transport`, its eSCL root at `path` (usually `/eSCL`).
    pub fn new(transport: Arc<dyn Transport>, path: &str) -> Result<Scanner, ScanError> {
        let path = path.trim_end_matches('/');
        let root = Url::parse(&format!("http://{}{path}/", transport.host()))
            .map_err(|e| ScanError::Protocol(format!("bad eSCL root {path:?}: {e}")))?;
        Ok(Scanner {
            transport,
            root,
            timeouts: Timeouts::default(),
        })
    }

    #[must_use]
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Scanner {
        self.timeouts = timeouts;
        self
    }

    /// One HTTP exchange, its body read to the end.
    ///
    /// On a stream that stays open (a USB interface), an exchange the kiosk gives up on is
    /// still read to its end in the background, within [`FINISH_ABANDONED`], so the next
    /// exchange on that interface gets its own answer and not the rest of this one. A TCP
    /// exchange given up on is simply dropped with its connection.
    async fn exchange(
        &self,
        method: Method,
        url: &Url,
        body: Option<String>,
        limit: usize,
        timeout: Duration,
    ) -> Result<Answer, ScanError> {
        let transport = Arc::clone(&self.transport);
        let keep = !transport.close_after_exchange();
        let url = url.clone();
        // The task ends by itself even when this future is dropped (a cancelled scan): within
        // the exchange's own timeout on TCP, within FINISH_ABANDONED on a kept stream.
        let cap = if keep { FINISH_ABANDONED } else { timeout };
        let mut task = tokio::spawn(async move {
            tokio::time::timeout(cap, exchange_on(transport, method, url, body, limit))
                .await
                .unwrap_or(Err(ScanError::Timeout))
        });
        let outcome = match tokio::time::timeout(timeout, &mut task).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => Err(ScanError::Protocol(format!("the exchange failed: {e}"))),
            Err(_) => Err(ScanError::Timeout),
        };
        if !keep {
            task.abort();
        }
        outcome
    }

    fn url(&self, relative: &str) -> Result<Url, ScanError> {
        self.root
            .join(relative)
            .map_err(|e| ScanError::Protocol(format!("bad address {relative:?}: {e}")))
    }

    async fn get_xml(&self, name: &str) -> Result<String, ScanError> {
        let answer = self
            .exchange(Method::GET, &self.url(name)?, None, MAX_XML, self.timeouts.query)
            .await?;
        if answer.status != StatusCode::OK {
            return Err(ScanError::Protocol(format!("{name}: HTTP {}", answer.status)));
        }
        String::from_utf8(answer.body.to_vec()).map_err(|_| ScanError::Protocol(format!("{name} is not UTF-8")))
    }

    pub async fn capabilities(&self) -> Result<Capabilities, ScanError> {
        let text = self.get_xml("ScannerCapabilities").await?;
        xml::parse_capabilities(&text).map_err(|e| ScanError::Protocol(e.to_string()))
    }

    pub async fn status(&self) -> Result<Status, ScanError> {
        let text = self.get_xml("ScannerStatus").await?;
        xml::parse_status(&text).map_err(|e| ScanError::Protocol(e.to_string()))
    }

    /// Scans the visitor's pages: the whole feeder, or one page from the glass.
    ///
    /// `on_page` hears of every page as it arrives (for a progress line). Cancelling `cancel`
    /// ends the job at once; the job is deleted on the scanner whatever happens.
    pub async fn scan(
        &self,
        options: ScanOptions,
        cancel: &CancellationToken,
        mut on_page: impl FnMut(usize) + Send,
    ) -> Result<Vec<ScannedPage>, ScanError> {
        let caps = self.capabilities().await.map_err(|e| match e {
            ScanError::Unreachable(_) => ScanError::NoScanner,
            other => other,
        })?;
        let status = self.status().await?;
        match status.state.as_str() {
            "Idle" => {}
            "Processing" | "Testing" => return Err(ScanError::Busy),
            _ => return Err(ScanError::Stopped(status.state)),
        }
        let settings = settings_for(&caps, &status, options)?;
        let job = self.create_job(&settings, cancel).await?;
        tracing::info!(job = %job, source = settings.input_source, dpi = settings.dpi, mode = settings.color_mode, "scan job created");
        let pages = tokio::select! {
            pages = self.pages(&job, &settings, options.max_pages, &mut on_page) => pages,
            () = cancel.cancelled() => Err(ScanError::Cancelled),
        };
        // Deleting the job is a courtesy on success and a duty otherwise; its failure changes
        // nothing for the visitor (scanners also drop abandoned jobs after a while).
        if let Err(e) = self
            .exchange(Method::DELETE, &job, None, MAX_XML, self.timeouts.query)
            .await
        {
            tracing::info!(job = %job, error = %e, "deleting the scan job failed");
        }
        pages
    }

    async fn create_job(&self, settings: &ScanSettings, cancel: &CancellationToken) -> Result<Url, ScanError> {
        let jobs = self.url("ScanJobs")?;
        let mut attempt = 0;
        loop {
            let answer = self
                .exchange(Method::POST, &jobs, Some(settings.to_xml()), MAX_XML, self.timeouts.job)
                .await?;
            match answer.status {
                StatusCode::CREATED => {
                    let location = answer
                        .headers
                        .get(header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .ok_or_else(|| ScanError::Protocol("201 without a Location".into()))?;
                    // Relative (AirSane: `/eSCL/ScanJobs/...`) or absolute; the host of an absolute
                    // one is the device's idea of itself, so only its path is kept.
                    let url = self.url(location)?;
                    return self.url(url.path());
                }
                StatusCode::SERVICE_UNAVAILABLE if attempt < BUSY_RETRIES => {
                    attempt += 1;
                    let wait = retry_after(&answer.headers).unwrap_or(Duration::from_secs(1));
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = cancel.cancelled() => return Err(ScanError::Cancelled),
                    }
                }
                StatusCode::SERVICE_UNAVAILABLE => return Err(ScanError::Busy),
                StatusCode::CONFLICT if settings.input_source == "Feeder" => {
                    let status = self.status().await?;
                    return Err(if status.feeder_jammed() {
                        ScanError::Jammed
                    } else {
                        ScanError::FeederEmpty
                    });
                }
                other => return Err(ScanError::Protocol(format!("ScanJobs: HTTP {other}"))),
            }
        }
    }

    async fn pages(
        &self,
        job: &Url,
        settings: &ScanSettings,
        max_pages: usize,
        on_page: &mut (impl FnMut(usize) + Send),
    ) -> Result<Vec<ScannedPage>, ScanError> {
        let next = self.url(&format!("{}/NextDocument", job.path()))?;
        let mut pages = Vec::new();
        let mut not_ready = 0;
        while pages.len() < max_pages.max(1) {
            let answer = self
                .exchange(Method::GET, &next, None, MAX_PAGE, self.timeouts.page)
                .await
                .map_err(|e| match e {
                    // Mid-job, a lost or refused connection is a scanner unplugged or switched off.
                    ScanError::Lost(_) | ScanError::Unreachable(_) => ScanError::Disconnected,
                    other => other,
                })?;
            match answer.status {
                StatusCode::OK => {
                    not_ready = 0;
                    if answer.body.is_empty() {
                        return Err(ScanError::Protocol("an empty page".into()));
                    }
                    pages.push(ScannedPage {
                        data: answer.body.to_vec(),
                        dpi: settings.dpi,
                    });
                    on_page(pages.len());
                }
                StatusCode::SERVICE_UNAVAILABLE if not_ready < MAX_NOT_READY => {
                    not_ready += 1;
                    tokio::time::sleep(retry_after(&answer.headers).unwrap_or(Duration::from_millis(500))).await;
                }
                StatusCode::NOT_FOUND | StatusCode::CONFLICT | StatusCode::GONE => {
                    // The end of the job: the glass is done, the feeder is empty, or it jammed.
                    let status = self.status().await?;
                    if status.feeder_jammed() && settings.input_source == "Feeder" {
                        return Err(ScanError::Jammed);
                    }
                    if pages.is_empty() {
                        return Err(if settings.input_source == "Feeder" {
                            ScanError::FeederEmpty
                        } else {
                            ScanError::Protocol(format!("the job ended with HTTP {} and no page", answer.status))
                        });
                    }
                    return Ok(pages);
                }
                other => return Err(ScanError::Protocol(format!("NextDocument: HTTP {other}"))),
            }
        }
        Ok(pages)
    }
}

/// One exchange on a fresh stream from `transport`.
async fn exchange_on(
    transport: Arc<dyn Transport>,
    method: Method,
    url: Url,
    body: Option<String>,
    limit: usize,
) -> Result<Answer, ScanError> {
    let io = transport.open().await.map_err(ScanError::unreachable)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(io))
        .await
        .map_err(ScanError::lost)?;
    let conn = tokio::spawn(conn.without_shutdown());
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut request = Request::builder()
        .method(method)
        .uri(target)
        .header(header::HOST, transport.host());
    if transport.close_after_exchange() {
        request = request.header(header::CONNECTION, "close");
    }
    let request = match body {
        Some(xml) => request
            .header(header::CONTENT_TYPE, "text/xml")
            .body(Full::new(Bytes::from(xml))),
        None => request.body(Full::new(Bytes::new())),
    }
    .map_err(|e| ScanError::Protocol(e.to_string()))?;
    let response = sender.send_request(request).await.map_err(ScanError::lost)?;
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, limit)
        .collect()
        .await
        .map_err(|e| ScanError::Lost(e.to_string()))?
        .to_bytes();
    drop(sender);
    // The exchange is over: give the stream back, marked clean, if hyper kept nothing of it.
    if let Ok(Ok(parts)) = conn.await
        && parts.read_buf.is_empty()
    {
        let mut io: Box<dyn Io> = parts.io.into_inner();
        io.exchange_complete();
    }
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds.clamp(1, 10)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn caps(feeder: bool, platen: bool) -> Capabilities {
        let input = InputCaps {
            max_width: 2480,
            max_height: 4200,
            color_modes: vec!["Grayscale8".into(), "RGB24".into()],
            formats: vec!["image/jpeg".into()],
            resolutions: vec![150, 300, 600],
            resolution_range: None,
            intents: vec!["TextAndGraphic".into(), "Photo".into()],
        };
        Capabilities {
            make_and_model: "test".into(),
            platen: platen.then(|| input.clone()),
            feeder: feeder.then_some(input),
        }
    }

    fn status(adf: Option<&str>) -> Status {
        Status {
            state: "Idle".into(),
            adf_state: adf.map(str::to_owned),
            jobs: Vec::new(),
        }
    }

    #[test]
    fn takes_the_feeder_when_it_holds_paper_and_the_glass_otherwise() {
        let loaded = settings_for(
            &caps(true, true),
            &status(Some("ScannerAdfLoaded")),
            ScanOptions::default(),
        )
        .unwrap();
        assert_eq!(loaded.input_source, "Feeder");
        let empty = settings_for(
            &caps(true, true),
            &status(Some("ScannerAdfEmpty")),
            ScanOptions::default(),
        )
        .unwrap();
        assert_eq!(empty.input_source, "Platen");
        assert_eq!((empty.dpi, empty.color_mode, empty.width), (300, "Grayscale8", 2480));
    }

    #[test]
    fn tells_of_an_empty_or_jammed_feeder_when_the_feeder_is_asked_for() {
        let feeder = ScanOptions {
            source: SourceChoice::Feeder,
            ..ScanOptions::default()
        };
        assert_eq!(
            settings_for(&caps(true, true), &status(Some("ScannerAdfEmpty")), feeder),
            Err(ScanError::FeederEmpty)
        );
        assert_eq!(
            settings_for(&caps(true, true), &status(Some("ScannerAdfJam")), feeder),
            Err(ScanError::Jammed)
        );
        assert_eq!(
            settings_for(&caps(false, true), &status(None), feeder),
            Err(ScanError::NoFeeder)
        );
    }

    #[test]
    fn scans_in_colour_only_when_asked() {
        let color = ScanOptions {
            color: true,
            ..ScanOptions::default()
        };
        assert_eq!(
            settings_for(&caps(false, true), &status(None), color)
                .unwrap()
                .color_mode,
            "RGB24"
        );
    }
}

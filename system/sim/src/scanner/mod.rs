//! The simulated eSCL scanner: a flatbed with a document feeder, on a real loopback HTTP server
//! speaking eSCL as driverless scanners and the `ipp-usb` daemon do.
//!
//! `GET /eSCL/ScannerCapabilities`, `GET /eSCL/ScannerStatus`, `POST /eSCL/ScanJobs` (201 with a
//! relative `Location`), `GET {job}/NextDocument` (a JPEG page, chunked; 404 when a platen job
//! is done, 409 once the feeder is empty, as the AirSane transcript shows), `DELETE {job}`.
//! Pages look like scanned documents ([`page`]) at the requested resolution, region and colour
//! mode.
//!
//! Faults, from the command line or `PUT /sim/scanner`: `busy` (503 to new jobs, state
//! Processing, until cleared), `jam` (the next feeder job jams on its second page: 409 and
//! `ScannerAdfJam`), `unplug` (the next page is cut off half-way with the connection, and the
//! scanner forgets its jobs, as one that lost power does).

pub mod page;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::faults::ConnectionKill;

/// Resolutions offered, in dpi.
pub const RESOLUTIONS: [u32; 5] = [75, 150, 200, 300, 600];
/// The largest region: US Legal (8.5 x 14 in) in 1/300 inch.
const MAX_WIDTH: u32 = 2550;
const MAX_HEIGHT: u32 = 4200;
/// A4 in 1/300 inch: the region when a job names none.
const A4: (u32, u32) = (2480, 3508);
/// The JPEG quality the simulated scanner sends (a typical scanner default).
const QUALITY: u8 = 85;
/// Pages go out in chunks of this size.
const CHUNK: usize = 64 * 1024;

/// Faults to inject, and how often.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerFaults {
    /// Busy with something else (a copy at the panel) until cleared.
    pub busy: bool,
    /// Feeder jobs that will jam.
    pub jam: u32,
    /// Pages that will be cut off half-way by a lost connection.
    pub unplug: u32,
}

/// A `--faults` value that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad scanner fault list {0:?}: expected some of jam,busy,unplug separated by commas")]
pub struct BadScannerFaults(pub String);

impl FromStr for ScannerFaults {
    type Err = BadScannerFaults;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut f = ScannerFaults::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "busy" => f.busy = true,
                "jam" => f.jam += 1,
                "unplug" => f.unplug += 1,
                _ => return Err(BadScannerFaults(s.to_owned())),
            }
        }
        Ok(f)
    }
}

/// How to run the scanner simulator.
#[derive(Debug, Clone)]
pub struct ScannerConfig {
    pub listen: SocketAddr,
    /// Sheets in the feeder at the start (0: only the platen has a page).
    pub feeder_pages: u32,
    pub faults: ScannerFaults,
    /// Pages are dense text from margin to margin (the worst case for the size budget).
    pub dense: bool,
}

impl ScannerConfig {
    pub fn new(listen: SocketAddr) -> ScannerConfig {
        ScannerConfig {
            listen,
            feeder_pages: 0,
            faults: ScannerFaults::default(),
            dense: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Platen,
    Feeder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobState {
    Processing,
    Completed,
    Aborted,
}

impl JobState {
    fn name(self) -> &'static str {
        match self {
            JobState::Processing => "Processing",
            JobState::Completed => "Completed",
            JobState::Aborted => "Aborted",
        }
    }
}

#[derive(Debug, Clone)]
struct Job {
    source: Source,
    color: bool,
    dpi: u32,
    /// Region in pixels at `dpi`.
    width: u32,
    height: u32,
    served: u32,
    state: JobState,
    number: u64,
}

/// What the control endpoint and tests see and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerView {
    pub feeder_pages: u32,
    pub jammed: bool,
    pub faults: ScannerFaults,
    /// Jobs the scanner still holds (a client that ends its jobs leaves none).
    pub jobs: usize,
    /// Jobs created since the start.
    pub jobs_created: u64,
    /// Pages delivered whole since the start.
    pub pages_served: u64,
}

/// A change through `PUT /sim/scanner`: only what is named changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerChange {
    pub feeder_pages: Option<u32>,
    pub faults: Option<ScannerFaults>,
    /// `false` clears a jam (the paper was taken out).
    pub jammed: Option<bool>,
}

#[derive(Debug, Default)]
struct Inner {
    feeder: u32,
    jammed: bool,
    faults: ScannerFaults,
    jobs: BTreeMap<String, Job>,
    jobs_created: u64,
    pages_served: u64,
    dense: bool,
}

/// The scanner's state, shared by the handlers, the control endpoint and tests.
#[derive(Debug, Clone, Default)]
pub struct ScannerControl(Arc<Mutex<Inner>>);

impl ScannerControl {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn view(&self) -> ScannerView {
        let s = self.lock();
        ScannerView {
            feeder_pages: s.feeder,
            jammed: s.jammed,
            faults: s.faults,
            jobs: s.jobs.len(),
            jobs_created: s.jobs_created,
            pages_served: s.pages_served,
        }
    }

    pub fn change(&self, change: ScannerChange) -> ScannerView {
        {
            let mut s = self.lock();
            if let Some(n) = change.feeder_pages {
                s.feeder = n;
            }
            if let Some(f) = change.faults {
                s.faults = f;
            }
            if let Some(j) = change.jammed {
                s.jammed = j;
            }
        }
        self.view()
    }
}

/// A running scanner simulator; [`RunningScanner::stop`] stops it.
#[derive(Debug)]
pub struct RunningScanner {
    /// The eSCL root, e.g. `http://127.0.0.1:PORT/eSCL`.
    pub url: String,
    pub addr: SocketAddr,
    pub control: ScannerControl,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl RunningScanner {
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// Binds and serves until stopped.
pub async fn start(config: ScannerConfig) -> anyhow::Result<RunningScanner> {
    let control = control(&config);
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(crate::faults::serve(
        listener,
        router(control.clone()),
        shutdown.clone(),
    ));
    Ok(RunningScanner {
        url: format!("http://{addr}/eSCL"),
        addr,
        control,
        shutdown,
        task,
    })
}

/// Serves eSCL on one byte stream, keep-alive, until the peer closes it: the device side of an
/// IPP-over-USB interface, for tests of the kiosk's USB transport over in-memory streams.
pub fn serve_stream<S>(control: &ScannerControl, io: S) -> tokio::task::JoinHandle<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    use tower::ServiceExt;
    let router = router(control.clone());
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            router.clone().oneshot(req.map(Body::new))
        });
        let served = hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(io), service)
            .await;
        if let Err(e) = served {
            tracing::debug!(error = %e, "scanner stream ended");
        }
    })
}

/// A scanner simulator that serves no socket: its state, for [`serve_stream`].
pub fn control(config: &ScannerConfig) -> ScannerControl {
    let control = ScannerControl::default();
    {
        let mut s = control.lock();
        s.feeder = config.feeder_pages;
        s.faults = config.faults;
        s.dense = config.dense;
    }
    control
}

fn router(control: ScannerControl) -> Router {
    Router::new()
        .route("/eSCL/ScannerCapabilities", get(capabilities))
        .route("/eSCL/ScannerStatus", get(status))
        .route("/eSCL/ScanJobs", post(create_job))
        .route("/eSCL/ScanJobs/{id}", axum::routing::delete(delete_job))
        .route("/eSCL/ScanJobs/{id}/NextDocument", get(next_document))
        .route("/sim/scanner", get(get_control).put(put_control))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(control)
}

const NAMESPACES: &str =
    r#"xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03""#;

fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"))], body).into_response()
}

/// The intents it lists, as AirSane does (no `Document`): a job asking for another is refused,
/// as a strict device refuses one.
const INTENTS: [&str; 3] = ["Preview", "TextAndGraphic", "Photo"];

fn input_caps(tag: &str) -> String {
    let mut intents = String::new();
    for i in INTENTS {
        let _ = write!(intents, "<scan:SupportedIntent>{i}</scan:SupportedIntent>");
    }
    let mut resolutions = String::new();
    for r in RESOLUTIONS {
        let _ = write!(
            resolutions,
            "<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution><scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
        );
    }
    format!(
        "<scan:{tag}><scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>{MAX_WIDTH}</scan:MaxWidth>\
         <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>{MAX_HEIGHT}</scan:MaxHeight>\
         <scan:MaxScanRegions>1</scan:MaxScanRegions><scan:SettingProfiles><scan:SettingProfile>\
         <scan:ColorModes><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>\
         <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat><scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt></scan:DocumentFormats>\
         <scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}</scan:DiscreteResolutions></scan:SupportedResolutions>\
         </scan:SettingProfile></scan:SettingProfiles>\
         <scan:SupportedIntents>{intents}</scan:SupportedIntents>\
         </scan:{tag}>"
    )
}

async fn capabilities() -> Response {
    xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scan:ScannerCapabilities {NAMESPACES}>\
         <pwg:Version>2.63</pwg:Version><pwg:MakeAndModel>kiosk-sim scanner</pwg:MakeAndModel>\
         <pwg:SerialNumber>SIM-0001</pwg:SerialNumber><scan:UUID>4509a320-00a0-008f-00b6-002507510eca</scan:UUID>\
         <scan:Platen>{}</scan:Platen><scan:Adf>{}<scan:FeederCapacity>50</scan:FeederCapacity></scan:Adf>\
         </scan:ScannerCapabilities>",
        input_caps("PlatenInputCaps"),
        input_caps("AdfSimplexInputCaps"),
    ))
}

async fn status(State(control): State<ScannerControl>) -> Response {
    let s = control.lock();
    let busy = s.faults.busy || s.jobs.values().any(|j| j.state == JobState::Processing);
    let adf = if s.jammed {
        "ScannerAdfJam"
    } else if s.feeder > 0 {
        "ScannerAdfLoaded"
    } else {
        "ScannerAdfEmpty"
    };
    let mut jobs = String::new();
    for (id, j) in &s.jobs {
        let reason = match (j.state, s.jammed) {
            (JobState::Aborted, true) => "AdfJam",
            (JobState::Aborted, false) => "JobCanceledBySystem",
            (JobState::Completed, _) => "JobCompletedSuccessfully",
            (JobState::Processing, _) => "JobScanning",
        };
        let _ = write!(
            jobs,
            "<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/{id}</pwg:JobUri><pwg:JobUuid>{id}</pwg:JobUuid>\
                 <scan:Age>1</scan:Age><pwg:ImagesCompleted>{}</pwg:ImagesCompleted>\
                 <pwg:JobState>{}</pwg:JobState><pwg:JobStateReasons><pwg:JobStateReason>{reason}</pwg:JobStateReason></pwg:JobStateReasons>\
                 </scan:JobInfo>",
            j.served,
            j.state.name()
        );
    }
    xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scan:ScannerStatus {NAMESPACES}><pwg:Version>2.63</pwg:Version>\
         <pwg:State>{}</pwg:State><scan:AdfState>{adf}</scan:AdfState><scan:Jobs>{jobs}</scan:Jobs></scan:ScannerStatus>",
        if busy { "Processing" } else { "Idle" }
    ))
}

/// The parts of ScanSettings the simulator honours (element names without their prefixes,
/// as quick-xml's deserializer matches them).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScanSettings {
    scan_regions: Option<ScanRegions>,
    input_source: Option<String>,
    color_mode: Option<String>,
    x_resolution: Option<u32>,
    y_resolution: Option<u32>,
    document_format: Option<String>,
    document_format_ext: Option<String>,
    intent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScanRegions {
    #[serde(default)]
    scan_region: Vec<ScanRegion>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScanRegion {
    width: u32,
    height: u32,
    #[serde(default)]
    x_offset: u32,
    #[serde(default)]
    y_offset: u32,
}

fn refuse(status: StatusCode, why: &str) -> Response {
    tracing::info!(%status, why, "scan job refused");
    (status, why.to_owned()).into_response()
}

/// Checks the settings and works out the job they ask for.
fn job_from(settings: &ScanSettings, number: u64) -> Result<Job, &'static str> {
    let source = match settings.input_source.as_deref() {
        None | Some("Platen") => Source::Platen,
        Some("Feeder") => Source::Feeder,
        Some(_) => return Err("unknown InputSource"),
    };
    let color = match settings.color_mode.as_deref() {
        None | Some("Grayscale8") => false,
        Some("RGB24") => true,
        Some(_) => return Err("unsupported ColorMode"),
    };
    if settings.intent.as_deref().is_some_and(|i| !INTENTS.contains(&i.trim())) {
        return Err("an Intent the scanner does not list");
    }
    let dpi = settings.x_resolution.unwrap_or(300);
    if !RESOLUTIONS.contains(&dpi) || settings.y_resolution.is_some_and(|y| y != dpi) {
        return Err("unsupported resolution");
    }
    let format = settings
        .document_format_ext
        .as_deref()
        .or(settings.document_format.as_deref())
        .unwrap_or("image/jpeg");
    if format != "image/jpeg" {
        return Err("unsupported DocumentFormat");
    }
    let (w, h) = match settings.scan_regions.as_ref().map(|r| r.scan_region.as_slice()) {
        None | Some([]) => A4,
        Some([r]) => {
            if r.width < 16 || r.height < 16 || r.x_offset + r.width > MAX_WIDTH || r.y_offset + r.height > MAX_HEIGHT {
                return Err("ScanRegion outside the glass");
            }
            (r.width, r.height)
        }
        Some(_) => return Err("one ScanRegion only"),
    };
    Ok(Job {
        source,
        color,
        dpi,
        width: w * dpi / 300,
        height: h * dpi / 300,
        served: 0,
        state: JobState::Processing,
        number,
    })
}

async fn create_job(State(control): State<ScannerControl>, body: Bytes) -> Response {
    let Ok(text) = std::str::from_utf8(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "ScanSettings is not UTF-8");
    };
    let settings: ScanSettings = match quick_xml::de::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            tracing::info!(error = %e, "bad ScanSettings");
            return refuse(StatusCode::BAD_REQUEST, "ScanSettings is not valid");
        }
    };
    let mut s = control.lock();
    if s.faults.busy || s.jobs.values().any(|j| j.state == JobState::Processing) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, HeaderValue::from_static("1"))],
        )
            .into_response();
    }
    let number = s.jobs_created + 1;
    let job = match job_from(&settings, number) {
        Ok(j) => j,
        Err(why) => return refuse(StatusCode::CONFLICT, why),
    };
    if job.source == Source::Feeder && (s.feeder == 0 || s.jammed) {
        return refuse(StatusCode::CONFLICT, "the feeder is empty or jammed");
    }
    s.jobs_created = number;
    let id = uuid::Uuid::new_v4().to_string();
    s.jobs.insert(id.clone(), job);
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/eSCL/ScanJobs/{id}"))],
    )
        .into_response()
}

async fn delete_job(State(control): State<ScannerControl>, Path(id): Path<String>) -> StatusCode {
    let mut s = control.lock();
    match s.jobs.remove(&id) {
        Some(job) => {
            if job.state == JobState::Aborted {
                // The visitor took the jammed sheet out before scanning again.
                s.jammed = false;
            }
            StatusCode::OK
        }
        None => StatusCode::NOT_FOUND,
    }
}

/// What a NextDocument request gets, decided under the lock.
enum Next {
    Page { job: Job, cut: bool },
    Status(StatusCode),
}

fn next_for(s: &mut Inner, id: &str) -> Next {
    let Inner {
        jobs,
        feeder,
        jammed,
        faults,
        ..
    } = s;
    let Some(job) = jobs.get_mut(id) else {
        return Next::Status(StatusCode::NOT_FOUND);
    };
    match job.state {
        JobState::Aborted => return Next::Status(StatusCode::CONFLICT),
        JobState::Completed => {
            return Next::Status(if job.source == Source::Feeder {
                StatusCode::CONFLICT
            } else {
                StatusCode::NOT_FOUND
            });
        }
        JobState::Processing => {}
    }
    if job.source == Source::Feeder {
        if *feeder == 0 {
            job.state = JobState::Completed;
            return Next::Status(StatusCode::CONFLICT);
        }
        if faults.jam > 0 && (job.served >= 1 || *feeder == 1) {
            faults.jam -= 1;
            *jammed = true;
            job.state = JobState::Aborted;
            return Next::Status(StatusCode::CONFLICT);
        }
        *feeder -= 1;
    } else if job.served >= 1 {
        job.state = JobState::Completed;
        return Next::Status(StatusCode::NOT_FOUND);
    }
    job.served += 1;
    let cut = faults.unplug > 0;
    if cut {
        faults.unplug -= 1;
    }
    Next::Page { job: job.clone(), cut }
}

async fn next_document(
    State(control): State<ScannerControl>,
    Path(id): Path<String>,
    kill: Option<Extension<ConnectionKill>>,
) -> Response {
    let (next, dense) = {
        let mut s = control.lock();
        let dense = s.dense;
        (next_for(&mut s, &id), dense)
    };
    let (job, cut) = match next {
        Next::Status(status) => return status.into_response(),
        Next::Page { job, cut } => (job, cut),
    };
    let look = page::Look {
        color: job.color,
        dense,
        seed: job.number * 1000 + u64::from(job.served),
    };
    let rendered =
        tokio::task::spawn_blocking(move || page::jpeg(&page::render(job.width, job.height, job.dpi, look), QUALITY))
            .await;
    let jpeg = match rendered {
        Ok(Ok(jpeg)) => jpeg,
        Ok(Err(e)) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let headers = [(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"))];
    if cut && let Some(Extension(kill)) = kill {
        // Power lost mid-page: half of it, then nothing; the scanner forgets its jobs.
        {
            let mut s = control.lock();
            s.jobs.clear();
        }
        let half = Bytes::copy_from_slice(&jpeg[..jpeg.len() / 2]);
        return (headers, kill.body_cut_after(half)).into_response();
    }
    {
        let mut s = control.lock();
        s.pages_served += 1;
        if let Some(j) = s.jobs.get_mut(&id)
            && j.source == Source::Platen
        {
            j.state = JobState::Completed;
        }
    }
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        jpeg.chunks(CHUNK).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    (headers, Body::from_stream(futures_util::stream::iter(chunks))).into_response()
}

async fn get_control(State(control): State<ScannerControl>) -> Json<ScannerView> {
    Json(control.view())
}

async fn put_control(State(control): State<ScannerControl>, Json(change): Json<ScannerChange>) -> Json<ScannerView> {
    Json(control.change(change))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn parses_the_command_line_fault_list() {
        assert_eq!(
            "jam,busy,unplug".parse::<ScannerFaults>().unwrap(),
            ScannerFaults {
                busy: true,
                jam: 1,
                unplug: 1
            }
        );
        assert_eq!("jam,jam".parse::<ScannerFaults>().unwrap().jam, 2);
        assert!("fire".parse::<ScannerFaults>().is_err());
    }

    #[test]
    fn reads_the_scan_settings_sane_airscan_sends() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03">
  <pwg:Version>2.0</pwg:Version>
  <pwg:ScanRegions><pwg:ScanRegion>
      <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>
      <pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset>
      <pwg:Width>2362</pwg:Width><pwg:Height>2362</pwg:Height>
  </pwg:ScanRegion></pwg:ScanRegions>
  <pwg:InputSource>Feeder</pwg:InputSource>
  <scan:ColorMode>Grayscale8</scan:ColorMode>
  <pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>
  <scan:XResolution>150</scan:XResolution>
  <scan:YResolution>150</scan:YResolution>
  <scan:Duplex>false</scan:Duplex>
</scan:ScanSettings>"#;
        let settings: ScanSettings = quick_xml::de::from_str(body).unwrap();
        let job = job_from(&settings, 1).unwrap();
        assert_eq!(job.source, Source::Feeder);
        assert!(!job.color);
        assert_eq!((job.width, job.height, job.dpi), (1181, 1181, 150));
    }

    #[test]
    fn refuses_settings_it_cannot_honour() {
        let with = |inner: &str| -> ScanSettings {
            quick_xml::de::from_str(&format!(
                "<scan:ScanSettings xmlns:scan=\"s\">{inner}</scan:ScanSettings>"
            ))
            .unwrap()
        };
        assert!(job_from(&with("<scan:XResolution>301</scan:XResolution>"), 1).is_err());
        assert!(job_from(&with("<scan:ColorMode>BlackAndWhite1</scan:ColorMode>"), 1).is_err());
        assert!(job_from(&with("<pwg:DocumentFormat>application/pdf</pwg:DocumentFormat>"), 1).is_err());
        assert!(job_from(&with("<scan:Intent>Document</scan:Intent>"), 1).is_err());
        assert!(job_from(&with("<scan:Intent>TextAndGraphic</scan:Intent>"), 1).is_ok());
        assert!(
            job_from(
                &with("<pwg:ScanRegions><pwg:ScanRegion><pwg:Width>9000</pwg:Width><pwg:Height>10</pwg:Height></pwg:ScanRegion></pwg:ScanRegions>"),
                1
            )
            .is_err()
        );
        let job = job_from(&with(""), 1).unwrap();
        assert_eq!(
            (job.source, job.dpi, job.width, job.height),
            (Source::Platen, 300, 2480, 3508)
        );
    }
}

//! A typed client of the central API. Every call has a timeout; every answer the server can
//! give (any status, any body, a connection cut halfway) becomes a value, never a panic.

use bytes::Bytes;
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use url::Url;

use crate::api::{
    Account, AccountSession, Availability, Booking, BookingRequest, Bookings, Catalogue, CurpRecord,
    DeviceAuthorization, Document, Enrolment, Hold, LlaveToken, NearOffices, Problem, Registration,
};
use crate::transport::Transport;
use kiosk_core::catalogue::DocumentKind;

/// Why a call did not give the expected answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No complete answer: refused, timed out, reset, cut halfway. Worth retrying.
    #[error("no answer from the central server: {0}")]
    Transport(String),
    /// The server failed (5xx). Worth retrying.
    #[error("the central server failed ({status}): {}", .problem.detail)]
    Server { status: u16, problem: Problem },
    /// The server refused the request (4xx) with a problem document. Retrying the same request
    /// gives the same answer, except for 401 (credentials) and 429.
    #[error("the central server refused ({status} {}): {}", .problem.name(), .problem.detail)]
    Refused { status: u16, problem: Problem },
    /// A 2xx answer whose body is not what the contract says.
    #[error("unexpected answer from the central server: {0}")]
    Decode(String),
    /// The request itself could not be built (a bad base URL or path, plain http, a CA file
    /// that holds no certificate).
    #[error("bad request URL: {0}")]
    Url(String),
    /// The server answered with a redirect, which the kiosk never follows. Worth retrying: the
    /// server may be moving.
    #[error("the central server redirected ({status}) and the kiosk does not follow")]
    Redirected { status: u16 },
    /// The answer was longer than the kiosk reads; it was cut.
    #[error("the central server's answer is over {limit} bytes: cut")]
    TooLarge { limit: usize },
}

impl ApiError {
    /// Whether sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Transport(_)
            | ApiError::Server { .. }
            | ApiError::Decode(_)
            | ApiError::Redirected { .. }
            | ApiError::TooLarge { .. } => true,
            ApiError::Refused { status, .. } => *status == 401 || *status == 429 || *status == 408,
            ApiError::Url(_) => false,
        }
    }

    /// The problem type's name of a refusal (`slot-taken`, `cursor-expired`...).
    pub fn problem(&self) -> Option<&str> {
        match self {
            ApiError::Refused { problem, .. } | ApiError::Server { problem, .. } => Some(problem.name()),
            _ => None,
        }
    }

    /// Which problem the server answered, for the kiosk to act on (`None`: no answer, or not a
    /// problem document).
    pub fn kind(&self) -> Option<crate::api::ProblemKind> {
        match self {
            ApiError::Refused { problem, .. } | ApiError::Server { problem, .. } => Some(problem.kind()),
            _ => None,
        }
    }
}

/// The answer to a conditional GET.
#[derive(Debug, Clone, PartialEq)]
pub enum Conditional<T> {
    NotModified,
    Modified {
        etag: Option<String>,
        value: T,
        body: String,
    },
}

/// The central API client of one device.
#[derive(Debug, Clone)]
pub struct CentralClient {
    base: Url,
    http: reqwest::Client,
    credential: Option<String>,
    max_answer_bytes: usize,
}

/// What was wrong with an answer that is not the JSON its type wants, without its values: a
/// serde_json message quotes what it found (a CURP, a name, a token), and a message goes to the
/// log. Kept: the kind of fault, where, and what was expected (our types' words).
fn decode_error(e: &serde_json::Error) -> String {
    let at = format!("at line {} column {}", e.line(), e.column());
    match e.classify() {
        serde_json::error::Category::Syntax => format!("not JSON {at}"),
        serde_json::error::Category::Eof => format!("cut short {at}"),
        serde_json::error::Category::Io => format!("unreadable {at}"),
        serde_json::error::Category::Data => {
            let text = e.to_string();
            let said = text.strip_suffix(&format!(" {at}")).unwrap_or(&text);
            // `missing field `id``, `unknown field `x`, expected ...`: names, ours or the
            // server's, never a visitor's; a value is only ever quoted before ", expected".
            if let Some(field) = said.strip_prefix("missing field ") {
                format!("missing field {field} {at}")
            } else if let Some((_, expected)) = said.rsplit_once(", expected ") {
                format!("a value that is not {expected} {at}")
            } else {
                format!("a value of the wrong type or range {at}")
            }
        }
    }
}

fn transport(e: &reqwest::Error) -> ApiError {
    ApiError::Transport(e.without_url_string())
}

trait WithoutUrl {
    fn without_url_string(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_string(&self) -> String {
        let kind = if self.is_timeout() {
            "timed out"
        } else if self.is_connect() {
            "could not connect"
        } else if self.is_body() || self.is_decode() {
            "answer cut short"
        } else {
            "connection failed"
        };
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(self);
        let mut detail = String::new();
        while let Some(s) = source {
            detail = s.to_string();
            source = s.source();
        }
        if detail.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}: {detail}")
        }
    }
}

impl CentralClient {
    /// A client of the server at `base`, talked to as `transport` says.
    pub fn new(base: &str, transport: &Transport) -> Result<CentralClient, ApiError> {
        let mut base = Url::parse(base).map_err(|e| ApiError::Url(format!("{base}: {e}")))?;
        transport.admits(&base)?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(CentralClient {
            base,
            http: transport.client()?,
            credential: None,
            max_answer_bytes: transport.max_answer_bytes,
        })
    }

    /// Uses a device credential for every call from now on.
    #[must_use]
    pub fn with_credential(mut self, credential: impl Into<String>) -> CentralClient {
        self.credential = Some(credential.into());
        self
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> Result<RequestBuilder, ApiError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| ApiError::Url(format!("{path}: {e}")))?;
        let mut rb = self.http.request(method, url);
        if let Some(c) = &self.credential {
            rb = rb.bearer_auth(c);
        }
        Ok(rb)
    }

    /// Sends and reads the whole answer; 2xx bodies are returned, anything else is an error.
    async fn send(&self, rb: RequestBuilder) -> Result<(StatusCode, header::HeaderMap, Bytes), ApiError> {
        let mut resp = rb.send().await.map_err(|e| transport(&e))?;
        let status = resp.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            return Err(ApiError::Redirected {
                status: status.as_u16(),
            });
        }
        let headers = resp.headers().clone();
        let limit = self.max_answer_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(ApiError::TooLarge { limit });
        }
        let mut body = bytes::BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(&e))? {
            if body.len() + chunk.len() > limit {
                return Err(ApiError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok((status, headers, body));
        }
        let problem: Problem = serde_json::from_slice(&body).unwrap_or_else(|_| Problem {
            kind: String::new(),
            title: status.canonical_reason().unwrap_or("").to_owned(),
            // Not a problem document: its words are the network's, never the log's.
            detail: format!("{} bytes that are not a problem document", body.len()),
            error: None,
        });
        if status.is_server_error() {
            Err(ApiError::Server {
                status: status.as_u16(),
                problem,
            })
        } else {
            Err(ApiError::Refused {
                status: status.as_u16(),
                problem,
            })
        }
    }

    async fn json<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<T, ApiError> {
        let (_, _, body) = self.send(rb).await?;
        serde_json::from_slice(&body).map_err(|e| ApiError::Decode(decode_error(&e)))
    }

    async fn json_with_size<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<(T, usize), ApiError> {
        let (_, _, body) = self.send(rb).await?;
        let v = serde_json::from_slice(&body).map_err(|e| ApiError::Decode(decode_error(&e)))?;
        Ok((v, body.len()))
    }

    async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ApiError> {
        self.json(self.request(Method::POST, path)?.json(body)).await
    }

    // ---- the endpoints ------------------------------------------------------------------

    pub async fn enrol(&self, enrolment_token: &str, kiosk_id: &str) -> Result<Enrolment, ApiError> {
        self.post_json(
            "v1/devices/enrol",
            &serde_json::json!({"enrolment_token": enrolment_token, "kiosk_id": kiosk_id}),
        )
        .await
    }

    pub async fn heartbeat(&self, body: &serde_json::Value) -> Result<(), ApiError> {
        self.send(self.request(Method::POST, "v1/devices/heartbeat")?.json(body))
            .await
            .map(|_| ())
    }

    /// The catalogue, unless it still has `etag`.
    pub async fn catalogue(&self, etag: Option<&str>) -> Result<Conditional<Catalogue>, ApiError> {
        let mut rb = self.request(Method::GET, "v1/catalog")?;
        if let Some(e) = etag {
            rb = rb.header(header::IF_NONE_MATCH, e);
        }
        let (status, headers, body) = self.send(rb).await?;
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Conditional::NotModified);
        }
        let value = serde_json::from_slice(&body).map_err(|e| ApiError::Decode(decode_error(&e)))?;
        let etag = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = String::from_utf8(body.to_vec()).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(Conditional::Modified { etag, value, body })
    }

    pub async fn offices_near(&self, country: &str, postal_code: &str) -> Result<NearOffices, ApiError> {
        self.json(
            self.request(Method::GET, "v1/offices/near")?
                .query(&[("country", country), ("postal_code", postal_code)]),
        )
        .await
    }

    /// Availability of an office: everything (`since` = None) or the changes since a cursor.
    /// Also returns the answer's size in bytes. A stale cursor is `Refused` with
    /// `cursor-expired` (410).
    pub async fn availability(&self, office_id: &str, since: Option<&str>) -> Result<(Availability, usize), ApiError> {
        let path = format!("v1/offices/{}/availability", urlencode(office_id));
        let mut rb = self.request(Method::GET, &path)?;
        if let Some(c) = since {
            rb = rb.query(&[("since", c)]);
        }
        self.json_with_size(rb).await
    }

    pub async fn curp(&self, curp: &str) -> Result<CurpRecord, ApiError> {
        self.json(self.request(Method::GET, &format!("v1/curp/{}", urlencode(curp)))?)
            .await
    }

    pub async fn register(&self, r: &Registration) -> Result<Account, ApiError> {
        self.post_json("v1/accounts", r).await
    }

    pub async fn confirm_account(&self, token: &str) -> Result<Account, ApiError> {
        self.post_json("v1/accounts/confirm", &serde_json::json!({"token": token}))
            .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<AccountSession, ApiError> {
        self.post_json(
            "v1/sessions",
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn llave_start(&self) -> Result<DeviceAuthorization, ApiError> {
        self.json(self.request(Method::POST, "v1/llave/device_authorization")?)
            .await
    }

    /// One poll of the token endpoint; `authorization_pending` and `slow_down` come back as
    /// `Refused` with the OAuth `error` in the problem.
    pub async fn llave_poll(&self, device_code: &str) -> Result<LlaveToken, ApiError> {
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
        ];
        self.json(self.request(Method::POST, "v1/llave/token")?.form(&form))
            .await
    }

    pub async fn my_bookings(&self, account_token: &str) -> Result<Bookings, ApiError> {
        self.json(
            self.request(Method::GET, "v1/accounts/me/bookings")?
                .header("Citas-Account", account_token),
        )
        .await
    }

    pub async fn hold(&self, slot_id: &str) -> Result<Hold, ApiError> {
        self.post_json("v1/holds", &serde_json::json!({"slot_id": slot_id}))
            .await
    }

    pub async fn renew_hold(&self, hold_id: &str) -> Result<Hold, ApiError> {
        self.json(self.request(Method::PUT, &format!("v1/holds/{}", urlencode(hold_id)))?)
            .await
    }

    pub async fn release_hold(&self, hold_id: &str) -> Result<(), ApiError> {
        self.send(self.request(Method::DELETE, &format!("v1/holds/{}", urlencode(hold_id)))?)
            .await
            .map(|_| ())
    }

    /// Uploads one PDF with its SHA-256; uploading the same bytes again returns the same id.
    pub async fn upload_document(&self, kind: DocumentKind, pdf: Bytes) -> Result<Document, ApiError> {
        let digest = hex::encode(Sha256::digest(&pdf));
        let kind = serde_json::to_value(kind).map_err(|e| ApiError::Url(e.to_string()))?;
        let kind = kind.as_str().unwrap_or_default().to_owned();
        let rb = self
            .request(Method::POST, "v1/documents")?
            .query(&[("kind", kind)])
            .header(header::CONTENT_TYPE, "application/pdf")
            .header("Content-SHA256", digest)
            .body(pdf);
        self.json(rb).await
    }

    /// Confirms a booking. The same `idempotency_key` always yields the same booking.
    pub async fn confirm(&self, idempotency_key: &str, request: &BookingRequest) -> Result<Booking, ApiError> {
        self.json(
            self.request(Method::POST, "v1/bookings")?
                .header("Idempotency-Key", idempotency_key)
                .json(request),
        )
        .await
    }

    pub async fn booking(&self, code: &str) -> Result<Booking, ApiError> {
        self.json(self.request(Method::GET, &format!("v1/bookings/{}", urlencode(code)))?)
            .await
    }

    pub async fn cancel(&self, code: &str) -> Result<Booking, ApiError> {
        self.json(self.request(Method::POST, &format!("v1/bookings/{}/cancel", urlencode(code)))?)
            .await
    }
}

/// Percent-encodes one path segment.
fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

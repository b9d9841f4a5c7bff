//! The `/v1` handlers: the Citas central API as `system/sync/openapi.yaml` describes it.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use kiosk_core::catalogue::{DocumentKind, Procedure, required_documents};
use kiosk_core::country::CountryCode;
use kiosk_core::curp::Curp;
use kiosk_core::name::PersonName;
use kiosk_core::postal::PostalCode;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::db::{self, SlotRow, parse_ts, ts};
use super::extract::{ApiJson, ApiQuery, Device};
use super::{AppState, seed};
use crate::problem::Problem;

/// Citas SRE's document limit, decimal.
pub(super) const MAX_DOCUMENT_BYTES: usize = 1_000_000;

fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

// ---- devices -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnrolRequest {
    enrolment_token: String,
    kiosk_id: String,
}

pub(super) async fn enrol(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> Result<Response, Problem> {
    if req.kiosk_id.trim().is_empty() || req.kiosk_id.len() > 64 {
        return Err(Problem::unprocessable(
            "invalid-kiosk-id",
            "kiosk_id must be 1 to 64 characters",
        ));
    }
    let now = st.clock.now();
    let out = st
        .db
        .tx(move |tx| {
            let used: Option<Option<String>> = tx
                .query_row(
                    "SELECT used_by FROM enrolment_tokens WHERE token = ?1",
                    [&req.enrolment_token],
                    |r| r.get(0),
                )
                .optional()?;
            match used {
                Some(None) => {}
                // The same kiosk asking again (its first answer was lost, or it crashed before
                // saving it) gets the same device back: the token is one-time per kiosk.
                Some(Some(device)) => {
                    let same: Option<String> = tx
                        .query_row(
                            "SELECT credential FROM devices WHERE id = ?1 AND kiosk_id = ?2",
                            params![device, req.kiosk_id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    return match same {
                        Some(credential) => Ok(json!({"device_id": device, "credential": credential})),
                        None => Err(Problem::unauthorized("unknown or already used enrolment token")
                            .with_kind("invalid-enrolment-token")),
                    };
                }
                None => {
                    return Err(Problem::unauthorized("unknown or already used enrolment token")
                        .with_kind("invalid-enrolment-token"));
                }
            }
            let device_id = format!("dev-{}", &random_token()[..12]);
            let credential = random_token() + &random_token();
            tx.execute(
                "UPDATE enrolment_tokens SET used_by = ?2 WHERE token = ?1",
                params![req.enrolment_token, device_id],
            )?;
            tx.execute(
                "INSERT INTO devices(id, credential, kiosk_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![device_id, credential, req.kiosk_id, ts(now)],
            )?;
            Ok(json!({"device_id": device_id, "credential": credential}))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

pub(super) async fn heartbeat(
    State(st): State<AppState>,
    Device(device): Device,
    ApiJson(body): ApiJson<Value>,
) -> Result<StatusCode, Problem> {
    if !body.is_object() {
        return Err(Problem::unprocessable(
            "invalid-heartbeat",
            "a heartbeat is a JSON object",
        ));
    }
    let now = st.clock.now();
    st.db
        .tx(move |tx| {
            tx.execute(
                "INSERT INTO heartbeats(device_id, at, body) VALUES (?1, ?2, ?3)",
                params![device, ts(now), body.to_string()],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- catalogue -----------------------------------------------------------------------------

/// The catalogue document and its ETag, built once at start.
#[derive(Debug)]
pub(super) struct Catalogue {
    pub(super) body: String,
    pub(super) etag: String,
}

const COUNTRIES: [(&str, &str, &str); 20] = [
    ("MX", "México", "Mexico"),
    ("US", "Estados Unidos", "United States"),
    ("CA", "Canadá", "Canada"),
    ("GT", "Guatemala", "Guatemala"),
    ("SV", "El Salvador", "El Salvador"),
    ("HN", "Honduras", "Honduras"),
    ("NI", "Nicaragua", "Nicaragua"),
    ("CR", "Costa Rica", "Costa Rica"),
    ("PA", "Panamá", "Panama"),
    ("CU", "Cuba", "Cuba"),
    ("DO", "República Dominicana", "Dominican Republic"),
    ("CO", "Colombia", "Colombia"),
    ("VE", "Venezuela", "Venezuela"),
    ("PE", "Perú", "Peru"),
    ("AR", "Argentina", "Argentina"),
    ("BR", "Brasil", "Brazil"),
    ("ES", "España", "Spain"),
    ("PL", "Polonia", "Poland"),
    ("VN", "Vietnam", "Vietnam"),
    ("CN", "China", "China"),
];

impl Catalogue {
    pub(super) fn build(offices: &[seed::OfficeSeed]) -> Catalogue {
        use kiosk_core::Language::{En, Es};
        let procedures: Vec<Value> = Procedure::ALL
            .iter()
            .map(|p| {
                json!({
                    "id": p.id(),
                    "group": p.group(),
                    "name_es": p.label(Es),
                    "name_en": p.label(En),
                    "minutes": p.typical_minutes(),
                    "needs_information": p.needs_information(),
                    "documents": required_documents([*p]),
                })
            })
            .collect();
        let documents: Vec<Value> = [
            DocumentKind::ProofOfNationality,
            DocumentKind::SupportingDocument,
            DocumentKind::ProofOfIdentity,
            DocumentKind::ProofOfAddress,
            DocumentKind::ForeignBirthCertificate,
            DocumentKind::ForeignMarriageCertificate,
            DocumentKind::ForeignDeathCertificate,
            DocumentKind::OtherParentIdentity,
        ]
        .iter()
        .map(|d| json!({"id": d, "name_es": d.label(Es), "name_en": d.label(En)}))
        .collect();
        let offices: Vec<Value> = offices
            .iter()
            .map(|o| {
                json!({
                    "id": o.id, "name": o.name, "address": o.address, "city": o.city, "state": o.state,
                    "postal_code": o.postal_code, "country": o.country, "phone": o.phone, "tz": o.tz.name(),
                    "latitude": o.latitude, "longitude": o.longitude, "procedures": o.procedures,
                    "thresholds": o.thresholds,
                })
            })
            .collect();
        let body = json!({
            "countries": COUNTRIES.iter().map(|(c, es, en)| json!({"code": c, "name_es": es, "name_en": en})).collect::<Vec<_>>(),
            "states": kiosk_core::curp::MexicanState::ALL.iter().map(|s| json!({"code": s.code(), "name": s.name()})).collect::<Vec<_>>(),
            "procedures": procedures,
            "documents": documents,
            "offices": offices,
        })
        .to_string();
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..16]);
        Catalogue { body, etag }
    }
}

pub(super) async fn catalogue(State(st): State<AppState>, _device: Device, headers: HeaderMap) -> Response {
    let etag = HeaderValue::from_str(&st.catalogue.etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == st.catalogue.etag || t.trim() == "*"));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        StatusCode::OK,
        [
            (header::ETAG, etag),
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
        ],
        st.catalogue.body.clone(),
    )
        .into_response()
}

// ---- offices near a postal code ------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(super) struct NearQuery {
    country: String,
    postal_code: String,
    limit: Option<usize>,
}

pub(super) async fn near(
    State(st): State<AppState>,
    _d: Device,
    ApiQuery(q): ApiQuery<NearQuery>,
) -> Result<Json<Value>, Problem> {
    let country: CountryCode = q
        .country
        .parse()
        .map_err(|_| Problem::unprocessable("invalid-country", "country must be an ISO 3166 alpha-2 code"))?;
    let postal = PostalCode::parse(&q.postal_code, country)
        .map_err(|e| Problem::unprocessable("invalid-postal-code", e.to_string()))?;
    let limit = q.limit.unwrap_or(5).clamp(1, 20);
    let origin = seed::locate(&st.centroids, country.as_str(), postal.as_str());
    let now = st.clock.now();
    let rows = st
        .db
        .tx(move |tx| {
            db::sweep_holds(tx, now)?;
            let mut out = Vec::new();
            for o in db::offices(tx)? {
                if o.country != country.as_str() {
                    continue;
                }
                let next: Option<String> = tx
                    .query_row(
                        "SELECT start FROM slots WHERE office_id = ?1 AND removed = 0 AND taken < capacity AND start > ?2 ORDER BY start LIMIT 1",
                        params![o.id, ts(now)],
                        |r| r.get(0),
                    )
                    .optional()?;
                let distance = origin.map(|p| (seed::distance_km(p, (o.latitude, o.longitude)) * 10.0).round() / 10.0);
                out.push((distance, o.id.clone(), next));
            }
            Ok(out)
        })
        .await?;
    let mut rows = rows;
    rows.sort_by(|a, b| {
        a.0.unwrap_or(f64::MAX)
            .total_cmp(&b.0.unwrap_or(f64::MAX))
            .then(a.1.cmp(&b.1))
    });
    let offices: Vec<Value> = rows
        .into_iter()
        .take(limit)
        .map(|(d, id, next)| json!({"office_id": id, "distance_km": d, "next_available": next}))
        .collect();
    Ok(Json(json!({"postal_code": postal.as_str(), "offices": offices})))
}

// ---- availability --------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(super) struct AvailabilityQuery {
    since: Option<String>,
}

fn slot_json(s: &SlotRow) -> Value {
    json!({"id": s.id, "start": s.start, "minutes": s.minutes, "capacity": s.capacity, "remaining": s.capacity - s.taken})
}

pub(super) async fn availability(
    State(st): State<AppState>,
    _d: Device,
    Path(office_id): Path<String>,
    ApiQuery(q): ApiQuery<AvailabilityQuery>,
) -> Result<Json<Value>, Problem> {
    let now = st.clock.now();
    let body = st
        .db
        .tx(move |tx| {
            db::office(tx, &office_id)?;
            db::sweep_holds(tx, now)?;
            let epoch = db::meta(tx, "epoch")?.unwrap_or_default();
            let horizon: i64 = db::meta(tx, "horizon")?.and_then(|h| h.parse().ok()).unwrap_or(0);
            let current = db::current_seq(tx)?;
            let since = match q.since.as_deref() {
                None | Some("") => None,
                Some(cursor) => {
                    let parsed = cursor.split_once('.').and_then(|(e, s)| Some((e, s.parse::<i64>().ok()?)));
                    match parsed {
                        Some((e, s)) if e == epoch && s >= horizon && s <= current => Some(s),
                        Some(_) => {
                            return Err(Problem::new(StatusCode::GONE, "cursor-expired", "the cursor is too old or from another server state: reload in full"));
                        }
                        None => return Err(Problem::bad_request("malformed cursor")),
                    }
                }
            };
            let mut slots = Vec::new();
            let mut removed = Vec::new();
            let rows: Vec<SlotRow> = match since {
                None => {
                    let mut stmt = tx.prepare(
                        "SELECT id, office_id, start, minutes, capacity, taken, removed FROM slots WHERE office_id = ?1 AND removed = 0 AND start > ?2 ORDER BY start",
                    )?;
                    stmt.query_map(params![office_id, ts(now)], db::slot_row)?.collect::<Result<_, _>>()?
                }
                Some(s) => {
                    let mut stmt = tx.prepare_cached(
                        "SELECT id, office_id, start, minutes, capacity, taken, removed FROM slots WHERE office_id = ?1 AND seq > ?2 ORDER BY seq",
                    )?;
                    stmt.query_map(params![office_id, s], db::slot_row)?.collect::<Result<_, _>>()?
                }
            };
            for r in &rows {
                if r.removed {
                    removed.push(r.id.clone());
                } else {
                    slots.push(slot_json(r));
                }
            }
            Ok(json!({
                "office_id": office_id,
                "cursor": format!("{epoch}.{current}"),
                "full": since.is_none(),
                "slots": slots,
                "removed": removed,
            }))
        })
        .await?;
    Ok(Json(body))
}

// ---- CURP ------------------------------------------------------------------------------------

pub(super) async fn curp(
    State(st): State<AppState>,
    _d: Device,
    Path(text): Path<String>,
) -> Result<Json<Value>, Problem> {
    let curp = Curp::parse(&text)
        .map_err(|e| Problem::unprocessable("invalid-curp", e.to_string()).with("reason", json!(e.code())))?;
    let key = curp.as_str().to_owned();
    let body: Option<String> = st
        .db
        .tx(move |tx| {
            Ok(tx
                .query_row("SELECT body FROM people WHERE curp = ?1", [key], |r| r.get(0))
                .optional()?)
        })
        .await?;
    let body = body.ok_or_else(|| Problem::not_found("curp-not-found", "RENAPO has no record of this CURP"))?;
    let mut v: Value = serde_json::from_str(&body).map_err(|e| Problem::internal(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        m.insert("birth_date".into(), json!(curp.birth_date().to_string()));
        m.insert("birth_state".into(), json!(curp.birth_state().code()));
        m.insert("sex".into(), json!(curp.sex().code().to_string()));
    }
    Ok(Json(v))
}

// ---- holds -----------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HoldRequest {
    slot_id: String,
}

fn hold_json(id: &str, slot: &str, expires: DateTime<Utc>) -> Value {
    json!({"id": id, "slot_id": slot, "expires_at": ts(expires)})
}

fn bookable(slot: Option<SlotRow>, now: DateTime<Utc>) -> Result<SlotRow, Problem> {
    let s = slot
        .filter(|s| !s.removed)
        .ok_or_else(|| Problem::not_found("slot-not-found", "no such slot"))?;
    if parse_ts(&s.start).is_none_or(|t| t <= now) {
        return Err(Problem::unprocessable("slot-in-past", "the slot has already begun"));
    }
    Ok(s)
}

fn slot_taken() -> Problem {
    Problem::conflict("slot-taken", "every place of this slot is taken")
}

pub(super) async fn create_hold(
    State(st): State<AppState>,
    Device(device): Device,
    ApiJson(req): ApiJson<HoldRequest>,
) -> Result<Response, Problem> {
    let now = st.clock.now();
    let expires = now + st.hold_ttl;
    let body = st
        .db
        .tx(move |tx| {
            db::sweep_holds(tx, now)?;
            bookable(db::slot(tx, &req.slot_id)?, now)?;
            if !db::take_place(tx, &req.slot_id)? {
                return Err(slot_taken());
            }
            let id = format!("hold-{}", random_token());
            tx.execute(
                "INSERT INTO holds(id, slot_id, device_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, req.slot_id, device, ts(expires)],
            )?;
            Ok(hold_json(&id, &req.slot_id, expires))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub(super) async fn renew_hold(
    State(st): State<AppState>,
    Device(device): Device,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let now = st.clock.now();
    let expires = now + st.hold_ttl;
    let body = st
        .db
        .tx(move |tx| {
            db::sweep_holds(tx, now)?;
            let slot: Option<String> = tx
                .query_row(
                    "SELECT slot_id FROM holds WHERE id = ?1 AND device_id = ?2",
                    params![id, device],
                    |r| r.get(0),
                )
                .optional()?;
            let slot = slot
                .ok_or_else(|| Problem::new(StatusCode::GONE, "hold-expired", "the hold expired or does not exist"))?;
            tx.execute(
                "UPDATE holds SET expires_at = ?2 WHERE id = ?1",
                params![id, ts(expires)],
            )?;
            Ok(hold_json(&id, &slot, expires))
        })
        .await?;
    Ok(Json(body))
}

pub(super) async fn release_hold(
    State(st): State<AppState>,
    Device(device): Device,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let now = st.clock.now();
    st.db
        .tx(move |tx| {
            db::sweep_holds(tx, now)?;
            let slot: Option<String> = tx
                .query_row(
                    "DELETE FROM holds WHERE id = ?1 AND device_id = ?2 RETURNING slot_id",
                    params![id, device],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(slot) = slot {
                db::give_place_back(tx, &slot)?;
            }
            Ok(())
        })
        .await?;
    // Releasing twice, or after expiry, is not an error: the place is free either way.
    Ok(StatusCode::NO_CONTENT)
}

// ---- documents -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(super) struct DocumentQuery {
    kind: DocumentKind,
}

pub(super) async fn upload_document(
    State(st): State<AppState>,
    _d: Device,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type != "application/pdf" {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-a-pdf",
            "documents are uploaded as application/pdf",
        ));
    }
    let declared = headers
        .get("content-sha256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| Problem::bad_request("missing Content-SHA256 header (hex SHA-256 of the body)"))?;
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "document-too-large",
            format!("a document is at most {MAX_DOCUMENT_BYTES} bytes"),
        )
    };
    let bytes = http_body_util::Limited::new(body, MAX_DOCUMENT_BYTES)
        .collect()
        .await
        .map_err(|_| too_large())?
        .to_bytes();
    if !bytes.starts_with(b"%PDF-") {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-a-pdf",
            "the body is not a PDF file",
        ));
    }
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != declared {
        return Err(
            Problem::unprocessable("digest-mismatch", "the body's SHA-256 differs from Content-SHA256")
                .with("sha256", json!(actual)),
        );
    }
    let now = st.clock.now();
    let size = bytes.len();
    let kind = q.kind;
    let body = st
        .db
        .tx(move |tx| {
            let existing: Option<String> = tx
                .query_row("SELECT id FROM documents WHERE sha256 = ?1", [&actual], |r| r.get(0))
                .optional()?;
            let id = if let Some(id) = existing {
                id
            } else {
                {
                    let id = format!("doc-{}", random_token());
                    tx.execute(
                        "INSERT INTO documents(id, sha256, bytes, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            id,
                            actual,
                            i64::try_from(size).unwrap_or(i64::MAX),
                            serde_json::to_value(kind)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned)),
                            ts(now)
                        ],
                    )?;
                    id
                }
            };
            Ok(json!({"id": id, "sha256": actual, "bytes": size, "kind": kind}))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

// ---- bookings --------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BookingRequest {
    slot_id: String,
    #[serde(default)]
    hold_id: Option<String>,
    procedures: Vec<String>,
    applicant: Applicant,
    documents: BTreeMap<DocumentKind, String>,
    #[serde(default)]
    account_token: Option<String>,
    #[serde(default)]
    language: Option<kiosk_core::Language>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Applicant {
    given_names: String,
    first_last_name: String,
    #[serde(default)]
    second_last_name: Option<String>,
    #[serde(default)]
    curp: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

fn invalid_booking(detail: impl Into<String>) -> Problem {
    Problem::unprocessable("invalid-booking", detail)
}

pub(super) async fn confirm_booking(
    State(st): State<AppState>,
    Device(device): Device,
    headers: HeaderMap,
    ApiJson(req): ApiJson<BookingRequest>,
) -> Result<Response, Problem> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| (1..=255).contains(&k.len()))
        .map(str::to_owned)
        .ok_or_else(|| Problem::bad_request("missing Idempotency-Key header (1 to 255 characters)"))?;
    // The applicant's names must be names, and a CURP a CURP.
    PersonName::parse(&req.applicant.given_names).map_err(|e| invalid_booking(format!("given_names: {e}")))?;
    PersonName::parse(&req.applicant.first_last_name).map_err(|e| invalid_booking(format!("first_last_name: {e}")))?;
    if let Some(c) = &req.applicant.curp {
        Curp::parse(c).map_err(|e| invalid_booking(format!("curp: {e}")))?;
    }
    let procedures: Vec<Procedure> = req
        .procedures
        .iter()
        .map(|p| Procedure::from_id(p).ok_or_else(|| invalid_booking(format!("unknown procedure {p}"))))
        .collect::<Result<_, _>>()?;
    if procedures.is_empty() || procedures.len() > kiosk_core::session::MAX_PROCEDURES {
        return Err(invalid_booking("a booking has 1 to 5 procedures"));
    }
    let hash = hex::encode(Sha256::digest(
        serde_json::to_vec(&req).map_err(|e| Problem::internal(e.to_string()))?,
    ));
    let now = st.clock.now();
    let (status, body) = st
        .db
        .tx(move |tx| {
            db::sweep_holds(tx, now)?;
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT request_hash, body FROM bookings WHERE device_id = ?1 AND idempotency_key = ?2",
                    params![device, key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((h, body)) = existing {
                if h != hash {
                    return Err(Problem::unprocessable("idempotency-key-reused", "this Idempotency-Key was used for a different booking"));
                }
                // Counted so tests can see that retries after lost answers happened.
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES ('replays', '1')
                     ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                    [],
                )?;
                return Ok((StatusCode::OK, body));
            }
            let slot = bookable(db::slot(tx, &req.slot_id)?, now)?;
            let office = db::office(tx, &slot.office_id)?;
            for p in &procedures {
                if !office.procedures.iter().any(|o| o == p.id()) {
                    return Err(invalid_booking(format!("{} does not offer {}", office.id, p.id())));
                }
            }
            let missing: Vec<DocumentKind> = required_documents(procedures.iter().copied())
                .into_iter()
                .filter(|k| !req.documents.contains_key(k))
                .collect();
            if !missing.is_empty() {
                return Err(Problem::unprocessable("missing-documents", "documents are missing").with("missing", json!(missing)));
            }
            for id in req.documents.values() {
                let known: Option<i64> = tx.query_row("SELECT 1 FROM documents WHERE id = ?1", [id], |r| r.get(0)).optional()?;
                if known.is_none() {
                    return Err(Problem::unprocessable("document-not-found", format!("no uploaded document {id}")));
                }
            }
            let account: Option<(String, String)> = match &req.account_token {
                None => None,
                Some(t) => Some(
                    tx.query_row(
                        "SELECT a.id, a.email FROM account_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token = ?1 AND t.purpose = 'session'",
                        [t],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?
                    .ok_or_else(|| Problem::unauthorized("unknown account session").with_kind("account-unauthorized"))?,
                ),
            };
            // The hold becomes the booking; without a live hold of this device, take a place now.
            let held: Option<String> = match &req.hold_id {
                Some(h) => tx
                    .query_row(
                        "DELETE FROM holds WHERE id = ?1 AND device_id = ?2 AND slot_id = ?3 RETURNING id",
                        params![h, device, req.slot_id],
                        |r| r.get(0),
                    )
                    .optional()?,
                None => None,
            };
            if held.is_none() && !db::take_place(tx, &req.slot_id)? {
                return Err(slot_taken());
            }
            let code = new_code(tx)?;
            let body = json!({
                "code": code,
                "status": "confirmed",
                "office_id": office.id,
                "slot_id": slot.id,
                "start": slot.start,
                "minutes": slot.minutes,
                "procedures": req.procedures,
                "account_id": account.as_ref().map(|a| &a.0),
                "created_at": ts(now),
            })
            .to_string();
            tx.execute(
                "INSERT INTO bookings(code, idempotency_key, device_id, request_hash, slot_id, office_id, account_id, body, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'confirmed', ?9)",
                params![code, key, device, hash, slot.id, office.id, account.as_ref().map(|a| &a.0), body, ts(now)],
            )?;
            if let Some((_, email)) = &account {
                let es = req.language != Some(kiosk_core::Language::En);
                let subject = if es { "Confirmación de su cita" } else { "Your appointment is confirmed" };
                db::send_mail(tx, email, subject, &format!("{subject}: {code} — {} {}", office.name, slot.start), now)?;
            }
            Ok((StatusCode::CREATED, body))
        })
        .await?;
    Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Eight characters from an alphabet without 0/O or 1/I, unique among bookings.
fn new_code(tx: &rusqlite::Connection) -> Result<String, Problem> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for _ in 0..16 {
        let code: String = (0..8)
            .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
            .collect();
        let taken: Option<i64> = tx
            .query_row("SELECT 1 FROM bookings WHERE code = ?1", [&code], |r| r.get(0))
            .optional()?;
        if taken.is_none() {
            return Ok(code);
        }
    }
    Err(Problem::internal("could not draw a free confirmation code"))
}

fn booking_body(tx: &rusqlite::Connection, code: &str) -> Result<(String, String, Value), Problem> {
    let row: Option<(String, String, String)> = tx
        .query_row(
            "SELECT body, status, slot_id FROM bookings WHERE code = ?1",
            [code.to_ascii_uppercase()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (body, status, slot) =
        row.ok_or_else(|| Problem::not_found("booking-not-found", "no booking with this confirmation code"))?;
    let mut v: Value = serde_json::from_str(&body).map_err(|e| Problem::internal(e.to_string()))?;
    v["status"] = json!(status);
    Ok((status, slot, v))
}

pub(super) async fn get_booking(
    State(st): State<AppState>,
    _d: Device,
    Path(code): Path<String>,
) -> Result<Json<Value>, Problem> {
    let v = st.db.tx(move |tx| booking_body(tx, &code).map(|b| b.2)).await?;
    Ok(Json(v))
}

pub(super) async fn cancel_booking(
    State(st): State<AppState>,
    _d: Device,
    Path(code): Path<String>,
) -> Result<Json<Value>, Problem> {
    let v = st
        .db
        .tx(move |tx| {
            let (status, slot, mut v) = booking_body(tx, &code)?;
            if status != "cancelled" {
                tx.execute(
                    "UPDATE bookings SET status = 'cancelled' WHERE code = ?1",
                    [code.to_ascii_uppercase()],
                )?;
                db::give_place_back(tx, &slot)?;
                v["status"] = json!("cancelled");
            }
            Ok(v)
        })
        .await?;
    Ok(Json(v))
}

/// The account session of `Citas-Account: <token>`.
pub(super) fn account_of(tx: &rusqlite::Connection, headers_token: Option<&str>) -> Result<String, Problem> {
    let token = headers_token
        .ok_or_else(|| Problem::unauthorized("missing Citas-Account header").with_kind("account-unauthorized"))?;
    tx.query_row(
        "SELECT account_id FROM account_tokens WHERE token = ?1 AND purpose = 'session'",
        [token],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| Problem::unauthorized("unknown account session").with_kind("account-unauthorized"))
}

pub(super) async fn my_bookings(
    State(st): State<AppState>,
    _d: Device,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    let token = headers
        .get("citas-account")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let list = st
        .db
        .tx(move |tx| {
            let account = account_of(tx, token.as_deref())?;
            let mut stmt = tx.prepare("SELECT body, status FROM bookings WHERE account_id = ?1 ORDER BY created_at")?;
            let rows = stmt.query_map([account], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (body, status) = row?;
                let mut v: Value = serde_json::from_str(&body).map_err(|e| Problem::internal(e.to_string()))?;
                v["status"] = json!(status);
                out.push(v);
            }
            Ok(out)
        })
        .await?;
    Ok(Json(json!({"bookings": list})))
}

//! `/sim/*`: the simulator's own controls, for tests, benchmarks and demos. Never faulted, never
//! authenticated, and not part of the Citas contract.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::db::{self, ts};
use super::extract::{ApiJson, ApiQuery};
use crate::faults::FaultConfig;
use crate::problem::Problem;

#[derive(Debug, Deserialize)]
pub(super) struct MailboxQuery {
    to: Option<String>,
}

pub(super) async fn mailbox(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<MailboxQuery>,
) -> Result<Json<Value>, Problem> {
    let list = st
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT to_addr, subject, body, created_at FROM mail WHERE ?1 IS NULL OR to_addr = lower(?1) ORDER BY id",
            )?;
            let rows = stmt.query_map([q.to], |r| {
                Ok(json!({"to": r.get::<_, String>(0)?, "subject": r.get::<_, String>(1)?, "body": r.get::<_, String>(2)?, "at": r.get::<_, String>(3)?}))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(Json(json!({"messages": list})))
}

pub(super) async fn get_faults(State(st): State<AppState>) -> Json<FaultConfig> {
    Json(st.faults.get())
}

pub(super) async fn put_faults(
    State(st): State<AppState>,
    ApiJson(c): ApiJson<FaultConfig>,
) -> Result<Json<FaultConfig>, Problem> {
    c.validate().map_err(|e| Problem::unprocessable("invalid-faults", e))?;
    st.faults.set(c);
    Ok(Json(c))
}

pub(super) async fn enrolment_token(State(st): State<AppState>) -> Result<(StatusCode, Json<Value>), Problem> {
    let token = format!("ENROL-{}", uuid::Uuid::new_v4().simple());
    let t = token.clone();
    st.db
        .tx(move |tx| {
            tx.execute("INSERT INTO enrolment_tokens(token) VALUES (?1)", [t])?;
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"enrolment_token": token}))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewSlot {
    office_id: String,
    start: DateTime<Utc>,
    capacity: u32,
    #[serde(default = "twenty")]
    minutes: u32,
}

fn twenty() -> u32 {
    20
}

/// Adds a slot (tests use one of capacity 3 to race kiosks on).
pub(super) async fn add_slot(
    State(st): State<AppState>,
    ApiJson(s): ApiJson<NewSlot>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let body = st
        .db
        .tx(move |tx| {
            db::office(tx, &s.office_id)?;
            let id = format!("{}-T{}", s.office_id, uuid::Uuid::new_v4().simple());
            let seq = db::next_seq(tx)?;
            tx.execute(
                "INSERT INTO slots(id, office_id, start, minutes, capacity, taken, seq) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                params![id, s.office_id, ts(s.start), s.minutes, s.capacity, seq],
            )?;
            Ok(json!({"id": id, "start": ts(s.start), "minutes": s.minutes, "capacity": s.capacity, "remaining": s.capacity}))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Churn {
    office_id: String,
    count: u32,
}

/// Changes the free places of `count` future slots, as bookings made elsewhere would.
pub(super) async fn churn(State(st): State<AppState>, ApiJson(c): ApiJson<Churn>) -> Result<Json<Value>, Problem> {
    let now = st.clock.now();
    let changed = st
        .db
        .tx(move |tx| {
            let ids: Vec<String> = {
                let mut stmt = tx.prepare(
                    "SELECT id FROM slots WHERE office_id = ?1 AND removed = 0 AND start > ?2 ORDER BY random() LIMIT ?3",
                )?;
                stmt.query_map(params![c.office_id, ts(now), c.count], |r| r.get(0))?.collect::<Result<_, _>>()?
            };
            for id in &ids {
                let seq = db::next_seq(tx)?;
                tx.execute(
                    "UPDATE slots SET taken = CASE WHEN taken < capacity THEN taken + 1 ELSE taken - 1 END, seq = ?2 WHERE id = ?1",
                    params![id, seq],
                )?;
            }
            Ok(ids.len())
        })
        .await?;
    Ok(Json(json!({"changed": changed})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Advance {
    seconds: i64,
}

/// Moves the simulator's clock forward (hold expiry without waiting).
pub(super) async fn advance_clock(
    State(st): State<AppState>,
    ApiJson(a): ApiJson<Advance>,
) -> Result<Json<Value>, Problem> {
    if a.seconds < 0 {
        return Err(Problem::unprocessable("invalid-clock", "the clock only moves forward"));
    }
    st.clock.advance(a.seconds);
    Ok(Json(json!({"now": ts(st.clock.now())})))
}

#[derive(Debug, Deserialize)]
pub(super) struct BookingsQuery {
    slot_id: Option<String>,
}

/// Every booking, for tests' invariants (how many confirmed per slot and per key).
pub(super) async fn bookings(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<BookingsQuery>,
) -> Result<Json<Value>, Problem> {
    let list = st
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT code, idempotency_key, device_id, slot_id, status FROM bookings WHERE ?1 IS NULL OR slot_id = ?1 ORDER BY created_at",
            )?;
            let rows = stmt.query_map([q.slot_id], |r| {
                Ok(json!({"code": r.get::<_, String>(0)?, "idempotency_key": r.get::<_, String>(1)?, "device_id": r.get::<_, String>(2)?, "slot_id": r.get::<_, String>(3)?, "status": r.get::<_, String>(4)?}))
            })?;
            let list = rows.collect::<Result<Vec<_>, _>>()?;
            let replays: i64 = db::meta(tx, "replays")?.and_then(|v| v.parse().ok()).unwrap_or(0);
            Ok((list, replays))
        })
        .await?;
    let (list, replays) = list;
    Ok(Json(json!({"bookings": list, "replays": replays})))
}

/// The heartbeats received, newest first.
pub(super) async fn heartbeats(State(st): State<AppState>) -> Result<Json<Value>, Problem> {
    let list = st
        .db
        .tx(|tx| {
            let mut stmt = tx.prepare("SELECT device_id, at, body FROM heartbeats ORDER BY id DESC LIMIT 100")?;
            let rows = stmt.query_map([], |r| {
                let body: String = r.get(2)?;
                Ok(json!({
                    "device_id": r.get::<_, String>(0)?,
                    "at": r.get::<_, String>(1)?,
                    "body": serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
                }))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(Json(json!({"heartbeats": list})))
}

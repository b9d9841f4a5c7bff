//! Accounts: registration with the Citas password rules, e-mail confirmation (the mail lands in
//! the simulator's mailbox), sign-in, and Llave MX through the OAuth 2.0 device authorization
//! grant (RFC 8628). The visitor's phone is played by `POST /sim/llave/approve`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use chrono::Duration;
use kiosk_core::email::Email;
use kiosk_core::name::PersonName;
use kiosk_core::password::{PasswordRule, check_password};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::AppState;
use super::db::{self, parse_ts, ts};
use super::extract::{ApiJson, Device};
use crate::problem::Problem;

fn token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The simulator's password hash: salted SHA-256. Good enough for a simulator, not for a server.
fn hash(salt: &str, password: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{password}").as_bytes()))
}

fn rule_id(r: PasswordRule) -> &'static str {
    match r {
        PasswordRule::MinLength => "min_length",
        PasswordRule::UpperCase => "upper_case",
        PasswordRule::LowerCase => "lower_case",
        PasswordRule::Digit => "digit",
        PasswordRule::Symbol => "symbol",
        PasswordRule::MaxLength => "max_length",
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterRequest {
    email: String,
    password: String,
    given_names: String,
    first_last_name: String,
    #[serde(default)]
    second_last_name: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    default_office: Option<String>,
    #[serde(default)]
    birth_country: Option<String>,
    #[serde(default)]
    nationality: Option<String>,
    #[serde(default)]
    procedures_for: Option<String>,
    #[serde(default)]
    language: Option<kiosk_core::Language>,
}

pub(super) async fn register(
    State(st): State<AppState>,
    _d: Device,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<Response, Problem> {
    let email = Email::parse(&req.email).map_err(|e| Problem::unprocessable("invalid-email", e.to_string()))?;
    if let Err(e) = check_password(&req.password) {
        let missing: Vec<&str> = e.missing.iter().map(|r| rule_id(*r)).collect();
        return Err(Problem::unprocessable("weak-password", e.to_string()).with("missing", json!(missing)));
    }
    for (field, value) in [
        ("given_names", &req.given_names),
        ("first_last_name", &req.first_last_name),
    ] {
        PersonName::parse(value).map_err(|e| Problem::unprocessable("invalid-name", format!("{field}: {e}")))?;
    }
    if let Some(s) = req.second_last_name.as_deref().filter(|s| !s.trim().is_empty()) {
        PersonName::parse(s).map_err(|e| Problem::unprocessable("invalid-name", format!("second_last_name: {e}")))?;
    }
    let profile = json!({
        "given_names": req.given_names, "first_last_name": req.first_last_name, "second_last_name": req.second_last_name,
        "phone": req.phone, "country": req.country, "state": req.state, "default_office": req.default_office,
        "birth_country": req.birth_country, "nationality": req.nationality, "procedures_for": req.procedures_for,
    });
    let now = st.clock.now();
    let es = req.language != Some(kiosk_core::Language::En);
    let body = st
        .db
        .tx(move |tx| {
            let address = email.to_string().to_lowercase();
            let taken: Option<i64> = tx.query_row("SELECT 1 FROM accounts WHERE email = ?1", [&address], |r| r.get(0)).optional()?;
            if taken.is_some() {
                return Err(Problem::conflict("email-taken", "an account with this e-mail exists"));
            }
            let id = format!("acc-{}", &token()[..12]);
            let salt = token();
            tx.execute(
                "INSERT INTO accounts(id, email, password_hash, salt, confirmed, profile, created_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)",
                params![id, address, hash(&salt, &req.password), salt, profile.to_string(), ts(now)],
            )?;
            let confirm = token();
            tx.execute("INSERT INTO account_tokens(token, account_id, purpose) VALUES (?1, ?2, 'confirm')", params![confirm, id])?;
            let (subject, text) = if es {
                ("Active su cuenta de Citas SRE", "Para activar su cuenta use este código de confirmación")
            } else {
                ("Activate your Citas SRE account", "To activate your account use this confirmation code")
            };
            db::send_mail(tx, &address, subject, &format!("{text}: {confirm}"), now)?;
            Ok(json!({"id": id, "email": address, "confirmed": false}))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfirmRequest {
    token: String,
}

pub(super) async fn confirm(
    State(st): State<AppState>,
    _d: Device,
    ApiJson(req): ApiJson<ConfirmRequest>,
) -> Result<Json<Value>, Problem> {
    let body = st
        .db
        .tx(move |tx| {
            let account: Option<String> = tx
                .query_row(
                    "DELETE FROM account_tokens WHERE token = ?1 AND purpose = 'confirm' RETURNING account_id",
                    [&req.token],
                    |r| r.get(0),
                )
                .optional()?;
            let account =
                account.ok_or_else(|| Problem::not_found("token-not-found", "unknown or used confirmation code"))?;
            tx.execute("UPDATE accounts SET confirmed = 1 WHERE id = ?1", [&account])?;
            let email: String = tx.query_row("SELECT email FROM accounts WHERE id = ?1", [&account], |r| r.get(0))?;
            Ok(json!({"id": account, "email": email, "confirmed": true}))
        })
        .await?;
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignInRequest {
    email: String,
    password: String,
}

fn new_session(tx: &rusqlite::Connection, account: &str) -> rusqlite::Result<String> {
    let t = token() + &token();
    tx.execute(
        "INSERT INTO account_tokens(token, account_id, purpose) VALUES (?1, ?2, 'session')",
        params![t, account],
    )?;
    Ok(t)
}

pub(super) async fn sign_in(
    State(st): State<AppState>,
    _d: Device,
    ApiJson(req): ApiJson<SignInRequest>,
) -> Result<Json<Value>, Problem> {
    let body = st
        .db
        .tx(move |tx| {
            let row: Option<(String, String, String, bool)> = tx
                .query_row(
                    "SELECT id, password_hash, salt, confirmed FROM accounts WHERE email = ?1",
                    [req.email.trim().to_lowercase()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? != 0)),
                )
                .optional()?;
            let bad = || Problem::unauthorized("wrong e-mail or password").with_kind("bad-credentials");
            let (id, stored, salt, confirmed) = row.ok_or_else(bad)?;
            if hash(&salt, &req.password) != stored {
                return Err(bad());
            }
            if !confirmed {
                return Err(Problem::new(
                    StatusCode::FORBIDDEN,
                    "account-not-confirmed",
                    "confirm the account from the e-mail first",
                ));
            }
            let session = new_session(tx, &id)?;
            Ok(json!({"account_id": id, "email": req.email.trim().to_lowercase(), "token": session}))
        })
        .await?;
    Ok(Json(body))
}

// ---- Llave MX: RFC 8628 ----------------------------------------------------------------------

/// Seconds a device code lives, and the polling interval the kiosk must keep.
const DEVICE_CODE_TTL: i64 = 600;
const POLL_INTERVAL: i64 = 5;

/// status, account, expires_at, interval, last_poll.
type DeviceCodeRow = (String, Option<String>, String, i64, Option<String>);

fn user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut s: String = (0..8)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect();
    s.insert(4, '-');
    s
}

pub(super) async fn device_authorization(State(st): State<AppState>, _d: Device) -> Result<Json<Value>, Problem> {
    let now = st.clock.now();
    let base = st.base_url.clone();
    let body = st
        .db
        .tx(move |tx| {
            let device_code = token() + &token();
            let user = user_code();
            tx.execute(
                "INSERT INTO device_codes(device_code, user_code, status, expires_at, interval) VALUES (?1, ?2, 'pending', ?3, ?4)",
                params![device_code, user, ts(now + Duration::seconds(DEVICE_CODE_TTL)), POLL_INTERVAL],
            )?;
            let uri = format!("{base}/sim/llave");
            Ok(json!({
                "device_code": device_code,
                "user_code": user,
                "verification_uri": uri,
                "verification_uri_complete": format!("{uri}?user_code={user}"),
                "expires_in": DEVICE_CODE_TTL,
                "interval": POLL_INTERVAL,
            }))
        })
        .await?;
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
pub(super) struct TokenRequest {
    grant_type: String,
    device_code: String,
}

/// An OAuth error (RFC 6749 5.2) that is also a problem document.
fn oauth(error: &'static str, detail: &str) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "oauth-error", detail).with("error", json!(error))
}

pub(super) async fn token_endpoint(
    State(st): State<AppState>,
    _d: Device,
    form: Result<Form<TokenRequest>, axum::extract::rejection::FormRejection>,
) -> Result<Json<Value>, Problem> {
    let Form(req) = form.map_err(|e| oauth("invalid_request", &e.body_text()))?;
    if req.grant_type != "urn:ietf:params:oauth:grant-type:device_code" {
        return Err(oauth(
            "unsupported_grant_type",
            "only the device_code grant is supported",
        ));
    }
    let now = st.clock.now();
    let body = st
        .db
        .tx(move |tx| {
            let row: Option<DeviceCodeRow> = tx
                .query_row(
                    "SELECT status, account_id, expires_at, interval, last_poll FROM device_codes WHERE device_code = ?1",
                    [&req.device_code],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let (status, account, expires, interval, last_poll) = row.ok_or_else(|| oauth("invalid_grant", "unknown device_code"))?;
            if parse_ts(&expires).is_none_or(|e| e <= now) {
                return Err(oauth("expired_token", "the device code expired: start again"));
            }
            tx.execute("UPDATE device_codes SET last_poll = ?2 WHERE device_code = ?1", params![req.device_code, ts(now)])?;
            // The poll is recorded whatever the answer (slow_down needs it): OAuth errors are
            // the inner result, so the transaction commits.
            let answer = match status.as_str() {
                "denied" => Err(oauth("access_denied", "the visitor refused on their phone")),
                "approved" => {
                    let account = account.ok_or_else(|| Problem::internal("approved without account"))?;
                    tx.execute("UPDATE device_codes SET status = 'used' WHERE device_code = ?1", [&req.device_code])?;
                    let session = new_session(tx, &account)?;
                    let email: String = tx.query_row("SELECT email FROM accounts WHERE id = ?1", [&account], |r| r.get(0))?;
                    Ok(json!({"access_token": session, "token_type": "Bearer", "expires_in": 3600, "account_id": account, "email": email}))
                }
                "used" => Err(oauth("invalid_grant", "the device code was already used")),
                _ => {
                    let too_fast =
                        last_poll.and_then(|p| parse_ts(&p)).is_some_and(|p| now - p < Duration::seconds(interval));
                    if too_fast {
                        Err(oauth("slow_down", "poll less often"))
                    } else {
                        Err(oauth("authorization_pending", "the visitor has not answered on their phone yet"))
                    }
                }
            };
            Ok(answer)
        })
        .await??;
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ApproveRequest {
    user_code: String,
    email: String,
    #[serde(default = "yes")]
    approve: bool,
}

fn yes() -> bool {
    true
}

/// `POST /sim/llave/approve`: the visitor's phone answering. Creates a confirmed account for a
/// new e-mail, as Llave MX accounts are confirmed identities.
pub(super) async fn approve(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<ApproveRequest>,
) -> Result<StatusCode, Problem> {
    let email = Email::parse(&req.email).map_err(|e| Problem::unprocessable("invalid-email", e.to_string()))?;
    let now = st.clock.now();
    st.db
        .tx(move |tx| {
            let address = email.to_string().to_lowercase();
            let account: Option<String> = tx.query_row("SELECT id FROM accounts WHERE email = ?1", [&address], |r| r.get(0)).optional()?;
            let account = if let Some(a) = account {
                a
            } else {
                let id = format!("acc-{}", &token()[..12]);
                tx.execute(
                    "INSERT INTO accounts(id, email, password_hash, salt, confirmed, profile, created_at) VALUES (?1, ?2, '', '', 1, '{}', ?3)",
                    params![id, address, ts(now)],
                )?;
                id
            };
            let status = if req.approve { "approved" } else { "denied" };
            let n = tx.execute(
                "UPDATE device_codes SET status = ?2, account_id = ?3 WHERE user_code = ?1 AND status = 'pending'",
                params![req.user_code.trim().to_uppercase(), status, account],
            )?;
            if n == 0 {
                return Err(Problem::not_found("user-code-not-found", "no pending sign-in with this code"));
            }
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

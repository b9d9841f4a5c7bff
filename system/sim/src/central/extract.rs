//! Extractors whose rejections are problem documents, so *every* error the simulated server
//! gives (malformed JSON, a bad query, a missing credential) has the contract's shape.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rusqlite::OptionalExtension;
use serde::de::DeserializeOwned;

use super::AppState;
use crate::problem::Problem;

/// JSON body; a rejection is a 400/415 problem.
#[derive(Debug)]
pub(super) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;
    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "expected Content-Type: application/json",
            )),
            Err(e) => Err(Problem::bad_request(e.body_text())),
        }
    }
}

/// Query string; a rejection is a 400 problem.
#[derive(Debug)]
pub(super) struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| Problem::bad_request(e.body_text()))
    }
}

/// The enrolled device making the call (`Authorization: Bearer <credential>`).
#[derive(Debug, Clone)]
pub(super) struct Device(pub String);

impl FromRequestParts<AppState> for Device {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let credential = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned)
            .ok_or_else(|| Problem::unauthorized("missing device credential (Authorization: Bearer ...)"))?;
        // Credentials are never revoked, so a known one is answered from memory.
        if let Some(id) = state
            .devices
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&credential)
        {
            return Ok(Device(id.clone()));
        }
        let key = credential.clone();
        let id = state
            .db
            .tx(move |tx| {
                Ok(tx
                    .prepare_cached("SELECT id FROM devices WHERE credential = ?1")?
                    .query_row([key], |r| r.get::<_, String>(0))
                    .optional()?)
            })
            .await?;
        if let Some(id) = &id {
            state
                .devices
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(credential, id.clone());
        }
        id.map(Device)
            .ok_or_else(|| Problem::unauthorized("unknown device credential"))
    }
}

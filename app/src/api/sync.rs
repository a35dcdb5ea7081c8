//! `POST /api/sync/v2/push` and `POST /api/sync/v2/pull` (`ssr` only); the paths of protocol 1
//! answer "update required" (426), so a phone running a cached older app reloads and sends its
//! outbox again through the new one.
//!
//! Plain axum handlers rather than server functions: the paths must stay the same for every
//! build a phone may have cached, a push may be larger than a form (its own body limit), and
//! each kind of bad input gets its own status and reason ([`SyncErrorReason`]), which the
//! device shows while keeping its changes. Every refusal is recorded in `sync_rejections`.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use tower_sessions::Session;
use uuid::Uuid;

use crate::db::{self, Pool};
use crate::domain::offer::Known;
use crate::state::AppState;
use crate::sync::protocol::*;
use crate::{auth, error::AppError};

/// The routes, to merge into the application's router (with its own body limit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PUSH_PATH, post(push_handler))
        .route(PULL_PATH, post(pull_handler))
        .route(V1_PUSH_PATH, post(update_required))
        .route(V1_PULL_PATH, get(update_required))
        // The handler reads up to twice the limit so that it can answer (and record)
        // `too_large` itself; beyond that axum refuses with a bare 413.
        .layer(axum::extract::DefaultBodyLimit::max(2 * MAX_PUSH_BYTES))
}

fn answer<T: serde::Serialize>(result: Result<T, SyncError>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.reason.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(err)).into_response()
        }
    }
}

async fn person(session: &Session, state: &AppState) -> Result<Uuid, SyncError> {
    match auth::signed_in(session, &state.pool, state.config.sessions).await {
        Ok(Some(me)) => Ok(me.id),
        Ok(None) => Err(SyncError::new(SyncErrorReason::Unauthorized)),
        Err(_) => Err(SyncError::new(SyncErrorReason::Internal)),
    }
}

async fn push_handler(State(state): State<AppState>, session: Session, body: Bytes) -> Response {
    let result = match person(&session, &state).await {
        Ok(user) => handle_push(&state.pool, user, &body, state.config.max_grant_ore).await,
        Err(err) => Err(err),
    };
    answer(result)
}

async fn pull_handler(State(state): State<AppState>, session: Session, body: Bytes) -> Response {
    let result = match person(&session, &state).await {
        Ok(user) => handle_pull(&state.pool, user, &body).await,
        Err(err) => Err(err),
    };
    answer(result)
}

/// Protocol 1's paths: nothing is read or applied; the app is told to update.
async fn update_required() -> Response {
    answer::<()>(Err(SyncError::new(SyncErrorReason::UpdateRequired)))
}

/// The judging facts the server holds: the reference lists and the grant maximum.
async fn known(pool: &Pool, max_grant_ore: i64) -> Result<Known, SyncError> {
    db::reference::known(pool, max_grant_ore)
        .await
        .map_err(|_| SyncError::new(SyncErrorReason::Internal))
}

/// Decodes a push step by step, so that each problem gets its own reason, then applies it.
/// A refusal is recorded and nothing is changed.
pub async fn handle_push(
    pool: &Pool,
    user: Uuid,
    body: &[u8],
    max_grant_ore: i64,
) -> Result<PushResponse, SyncError> {
    let mut device = None;
    let result = async {
        if body.len() > MAX_PUSH_BYTES {
            return Err(SyncError::new(SyncErrorReason::TooLarge));
        }
        let raw: Value =
            serde_json::from_slice(body).map_err(|_| SyncError::new(SyncErrorReason::Malformed))?;
        // The version first: an older client's body may not even have today's shape.
        let malformed = || SyncError::new(SyncErrorReason::Malformed);
        match raw.get("protocol").map(Value::as_u64) {
            None => return Err(malformed()),
            Some(version) if version != Some(u64::from(PROTOCOL)) => {
                return Err(SyncError::new(SyncErrorReason::UpdateRequired))
            }
            Some(_) => {}
        }
        let id_of = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
        };
        device = Some(id_of(&raw, "device").ok_or_else(malformed)?);
        let raw_changes = raw
            .get("changes")
            .and_then(Value::as_array)
            .ok_or_else(malformed)?;
        if raw_changes.len() > MAX_CHANGES_PER_PUSH {
            return Err(SyncError::new(SyncErrorReason::TooLarge));
        }
        let mut changes = Vec::with_capacity(raw_changes.len());
        for raw_change in raw_changes {
            let id = id_of(raw_change, "id").ok_or_else(malformed)?;
            let kind = raw_change.get("kind").and_then(Value::as_str);
            if kind.and_then(Kind::parse).is_none() {
                return Err(SyncError::about(SyncErrorReason::UnknownKind, id));
            }
            let change = Change::deserialize(raw_change)
                .map_err(|_| SyncError::about(SyncErrorReason::Malformed, id))?;
            changes.push(change);
        }
        let known = known(pool, max_grant_ore).await?;
        let device = device.ok_or_else(malformed)?;
        let results = db::sync::push(pool, user, device, &changes, known).await?;
        tracing::info!(%user, %device, changes = changes.len(), "sync push");
        Ok(PushResponse { results })
    }
    .await;
    if let Err(err) = &result {
        refused(pool, Some(user), device, err).await;
    }
    result
}

/// One page of what `user` may see after the device's cursors; the context (profile,
/// reference lists) when asked.
pub async fn handle_pull(pool: &Pool, user: Uuid, body: &[u8]) -> Result<PullResponse, SyncError> {
    let result = async {
        let raw: Value =
            serde_json::from_slice(body).map_err(|_| SyncError::new(SyncErrorReason::Malformed))?;
        if raw.get("protocol").and_then(Value::as_u64) != Some(u64::from(PROTOCOL)) {
            return Err(SyncError::new(SyncErrorReason::UpdateRequired));
        }
        let request = PullRequest::deserialize(&raw)
            .map_err(|_| SyncError::new(SyncErrorReason::Malformed))?;
        if request.cursors.keys().any(|k| Scope::parse(k).is_none()) {
            return Err(SyncError::new(SyncErrorReason::Malformed));
        }
        let limit = request
            .limit
            .unwrap_or(DEFAULT_PULL_LIMIT)
            .clamp(1, MAX_PULL_LIMIT);
        let internal = |_: AppError| SyncError::new(SyncErrorReason::Internal);
        let mut page = db::sync::pull(pool, user, &request.cursors, limit)
            .await
            .map_err(internal)?;
        if request.context {
            let me = db::users::me(pool, user).await.map_err(internal)?;
            let me = me.ok_or_else(|| SyncError::new(SyncErrorReason::Unauthorized))?;
            page.context = Some(Context {
                me,
                profile: db::users::profile(pool, user).await.map_err(internal)?,
                groups: db::groups::my_groups(pool, user).await.map_err(internal)?,
                reference: db::reference::load(pool).await.map_err(internal)?,
            });
        }
        Ok(page)
    }
    .await;
    if let Err(err) = &result {
        refused(pool, Some(user), None, err).await;
    }
    result
}

async fn refused(pool: &Pool, user: Option<Uuid>, device: Option<Uuid>, err: &SyncError) {
    if err.reason != SyncErrorReason::Internal {
        tracing::warn!(?user, ?device, reason = err.reason.code(), change = ?err.change, "sync refused");
        db::sync::record_rejection(pool, user, device, err).await;
    }
}

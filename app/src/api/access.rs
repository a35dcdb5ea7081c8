//! Who may call each API endpoint at all, checked by one layer *before* the request body is
//! read (`check_access`): a volunteer posting anything to `/api/create-staff` gets 403 without
//! the input being judged, and nobody signed out learns which fields a form has.
//!
//! This is the coarse gate. Rules about one record (a group's contact, an offer's owner) need
//! the record's id from the input and stay in the handler, where `domain::permissions` decides.
//! Every endpoint must have a row: an API path missing here is refused (404), and the
//! authorization matrix test fails for any route the server registers without one.
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tower_sessions::Session;

use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;

/// The least a caller must be to reach an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person (the handler may check more, for one record).
    SignedIn,
    /// Staff or administrators.
    Staff,
    /// Administrators.
    Admin,
    /// Checks the session itself before reading the body, answering in its own format (the
    /// sync protocol's `unauthorized`, which the phone understands).
    OwnCheck,
}

/// Every API endpoint and its access, one row each.
pub const ENDPOINTS: &[(&str, Access)] = &[
    ("/api/sign-up", Access::Public),
    ("/api/log-in", Access::Public),
    ("/api/log-out", Access::Public),
    ("/api/me", Access::Public),
    ("/api/reference-data", Access::Public),
    ("/api/site-facts", Access::Public),
    ("/api/group", Access::Public),
    ("/api/profile", Access::SignedIn),
    ("/api/update-profile", Access::SignedIn),
    ("/api/change-password", Access::SignedIn),
    ("/api/my-data", Access::SignedIn),
    ("/api/my-data.json", Access::SignedIn),
    ("/api/close-account", Access::SignedIn),
    ("/api/calendar-feed", Access::SignedIn),
    ("/api/renew-calendar-feed", Access::SignedIn),
    ("/api/stop-calendar-feed", Access::SignedIn),
    ("/api/register-group", Access::SignedIn),
    ("/api/my-groups", Access::SignedIn),
    ("/api/create-invite", Access::SignedIn),
    ("/api/accept-invite", Access::SignedIn),
    ("/api/convert-group", Access::SignedIn),
    ("/api/remove-member", Access::SignedIn),
    ("/api/open-needs", Access::Public),
    ("/api/need", Access::Public),
    ("/api/staff-needs", Access::Staff),
    ("/api/staff-offers", Access::Staff),
    ("/api/case-queue", Access::Staff),
    ("/api/support-report", Access::Staff),
    (crate::api::cases::REPORT_CSV_PATH, Access::Staff),
    // Staff and the case's group: the handler checks which.
    ("/api/case", Access::SignedIn),
    ("/api/case-step", Access::SignedIn),
    ("/api/groups", Access::Staff),
    ("/api/verify-group", Access::Staff),
    ("/api/staff", Access::Admin),
    ("/api/create-staff", Access::Admin),
    ("/api/case-rules", Access::Admin),
    ("/api/save-case-rules", Access::Admin),
    (crate::sync::protocol::PUSH_PATH, Access::OwnCheck),
    (crate::sync::protocol::PULL_PATH, Access::OwnCheck),
    // An app of the previous protocol: told to update, whoever asks.
    (crate::sync::protocol::V1_PUSH_PATH, Access::OwnCheck),
    (crate::sync::protocol::V1_PULL_PATH, Access::OwnCheck),
];

/// The row for `path`, if it has one.
pub fn access_of(path: &str) -> Option<Access> {
    ENDPOINTS
        .iter()
        .find(|(endpoint, _)| *endpoint == path)
        .map(|(_, access)| *access)
}

fn refuse(err: AppError) -> Response {
    let status =
        axum::http::StatusCode::from_u16(err.status()).unwrap_or(axum::http::StatusCode::FORBIDDEN);
    (status, Json(err)).into_response()
}

/// The layer: for `/api/…` requests, answers 401/403 (or 404 for an unknown endpoint) before
/// the handler — and so before the body — is touched. Every request, page or API, gets its
/// [`RequestUser`](crate::auth::RequestUser) here, so the person is read once per request.
pub async fn check_access(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let known = crate::auth::RequestUser::default();
    request.extensions_mut().insert(known.clone());
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let needed = match access_of(path) {
        Some(Access::Public | Access::OwnCheck) => return next.run(request).await,
        Some(needed) => needed,
        None => return refuse(AppError::NotFound),
    };
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        tracing::error!("no session layer around the access check");
        return refuse(AppError::Internal);
    };
    let me = match known
        .get(&session, &state.pool, state.config.sessions)
        .await
    {
        Ok(Some(me)) => me,
        Ok(None) => return refuse(AppError::Unauthorized),
        Err(err) => return refuse(err),
    };
    let allowed = match needed {
        Access::SignedIn => true,
        Access::Staff => me.role.is_staff(),
        Access::Admin => me.role == Role::Admin,
        Access::Public | Access::OwnCheck => true,
    };
    if allowed {
        next.run(request).await
    } else {
        refuse(AppError::Forbidden)
    }
}

//! Server functions: thin — get the state, check permission, call `domain` + `db`, map errors.
//!
//! Each has a stable endpoint (no hash in the path) so cached clients and tests can rely on it.
#[cfg(feature = "ssr")]
pub mod access;
pub mod account;
pub mod admin;
pub mod calendar;
pub mod cases;
pub mod groups;
pub mod needs;
pub mod offers;
pub mod reference;
#[cfg(feature = "ssr")]
pub mod sync;

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::state::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        crate::error::AppError::Internal
    })
}

/// Gives a server function's error its own HTTP status (Leptos answers every error with 500
/// otherwise): a person's mistake is a 4xx, only our failures are a 5xx.
#[cfg(feature = "ssr")]
pub(crate) fn with_status<T>(
    result: Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    if let Err(err) = &result {
        set_status(err);
    }
    result
}

/// Sets the status of the response being built to the one `err` answers with.
#[cfg(feature = "ssr")]
pub(crate) fn set_status(err: &crate::error::AppError) {
    if let (Some(response), Ok(status)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(err.status()),
    ) {
        response.set_status(status);
    }
}

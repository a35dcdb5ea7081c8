//! Server functions: thin — get the state, check permission, call `domain` + `db`, map errors.
//!
//! Each has a stable endpoint (no hash in the path) so cached clients and tests can rely on it.
pub mod reference;

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::state::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::state::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        crate::error::AppError::Internal
    })
}

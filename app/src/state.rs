//! The state every axum handler and server function reaches through `FromRef` or context.
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::db::Pool;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    pub config: Arc<Config>,
    /// The sign-in path's per-process guards (lines for busy addresses).
    pub guards: Arc<crate::auth::Guards>,
}

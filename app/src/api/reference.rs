//! Reference data: the deployment's priority areas and districts. Public: anyone may read them.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::domain::ReferenceData;
use crate::error::AppError;

/// `GET /api/reference-data` — the priority areas and districts, in display order.
#[server(endpoint = "reference-data", input = GetUrl)]
pub async fn load_reference_data() -> Result<ReferenceData, AppError> {
    let state = super::state()?;
    super::with_status(crate::db::reference::load(&state.pool).await)
}

/// `GET /api/site-facts` — who runs this deployment, how to reach them, and how long it keeps
/// what (the accessibility statement and the privacy page show these).
#[server(endpoint = "site-facts", input = GetUrl)]
pub async fn site_facts() -> Result<crate::domain::site::SiteFacts, AppError> {
    let state = super::state()?;
    Ok(state.config.site_facts())
}

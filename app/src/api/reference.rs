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

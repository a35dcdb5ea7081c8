//! Volunteers' offers for staff: read-only here (matching comes later). Making and changing an
//! offer goes through sync.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::domain::offer::OfferFilter;
use crate::domain::offer::OfferList;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

/// `GET /api/staff-offers?district=…&area=…&skill=…&language=…&page=…` — offers that are not
/// paused, with the volunteer's name (staff).
#[server(endpoint = "staff-offers", input = GetUrl)]
pub async fn staff_offers(
    district: Option<Uuid>,
    area: Option<Uuid>,
    skill: Option<String>,
    language: Option<String>,
    page: Option<u32>,
) -> Result<OfferList, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            if !permissions::can_list_offers(Some(me.role)) {
                return Err(AppError::Forbidden);
            }
            let filter = OfferFilter::new(district, area, skill, language, page);
            db::offers::list(&state.pool, &filter).await
        }
        .await,
    )
}

//! Needs: the public list of open needs, the staff's list of every asked need (read-only
//! here; handling comes with the cases) and a need's own page. Posting and changing a need goes
//! through sync.
// A list's query parameters are one argument each (the page links are plain `GET` queries);
// the server macro's generated client function does not carry an item's own `allow`.
#![allow(clippy::too_many_arguments)]
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::domain::need::{Audience, NeedFilter};
use crate::domain::need::{NeedKind, NeedList, NeedPage};
use crate::domain::offer::Date;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

/// `GET /api/open-needs?district=…&area=…&kind=…&from=…&until=…&fits=…&page=…&per_page=…` —
/// open needs, for anyone: no personal data. A date range lists the activities with an
/// occasion on those days; `fits` (signed in) those with an occasion that fits one of my offers.
#[server(endpoint = "open-needs", input = GetUrl)]
pub async fn open_needs(
    district: Option<Uuid>,
    area: Option<Uuid>,
    kind: Option<NeedKind>,
    from: Option<Date>,
    until: Option<Date>,
    fits: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<NeedList, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = if fits == Some(true) {
                auth::current_user(&state.pool).await?
            } else {
                None
            };
            // Signed out, there are no offers to fit: the list is the one without.
            let filter = NeedFilter::new(district, area, kind, page, per_page).on_days(
                from,
                until,
                me.is_some(),
            );
            let offers = match &me {
                Some(me) => Some(db::offers::of_owner(&state.pool, me.id).await?),
                None => None,
            };
            db::needs::list(
                &state.pool,
                Audience::Public,
                &filter,
                None,
                offers.as_deref(),
            )
            .await
        }
        .await,
    )
}

/// `GET /api/staff-needs?district=…&area=…&kind=…&from=…&until=…&page=…&per_page=…` — every need a group has asked
/// (staff).
#[server(endpoint = "staff-needs", input = GetUrl)]
pub async fn staff_needs(
    district: Option<Uuid>,
    area: Option<Uuid>,
    kind: Option<NeedKind>,
    from: Option<Date>,
    until: Option<Date>,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<NeedList, AppError> {
    let filter = NeedFilter::new(district, area, kind, page, per_page).on_days(from, until, false);
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            if !permissions::can_list_groups(Some(me.role)) {
                return Err(AppError::Forbidden);
            }
            db::needs::list(&state.pool, Audience::Staff, &filter, None, None).await
        }
        .await,
    )
}

/// `GET /api/need?id=…` — a need's own page, as the reader may see it: the group's members and
/// staff in full, anyone else an open need without personal data; otherwise "not found" (a
/// need one may not see is not said to exist).
#[server(endpoint = "need", input = GetUrl)]
pub async fn need(id: Uuid) -> Result<NeedPage, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::current_user(&state.pool).await?;
            let found = db::needs::one(&state.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let viewer = db::groups::viewer(&state.pool, found.need.group, me.as_ref()).await?;
            let audience = permissions::need_audience(viewer);
            let need = audience.view(&found.need).ok_or(AppError::NotFound)?;
            let occasions = if need.details.kind() == NeedKind::Activity {
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                db::needs::next_occasions(&state.pool, id, now).await?
            } else {
                Vec::new()
            };
            let coming = if permissions::can_see_volunteer_contacts(viewer) {
                let ids: Vec<Uuid> = occasions.iter().map(|(id, _)| *id).collect();
                db::needs::coming(&state.pool, &ids).await?
            } else {
                Vec::new()
            };
            Ok(NeedPage {
                occasions,
                coming,
                id,
                payee_name: found.payee_name.filter(|_| audience != Audience::Public),
                need,
                group_name: found.group_name,
                created_at: found.created_at,
                updated_at: found.updated_at,
                contact: permissions::can_manage_group(viewer),
            })
        }
        .await,
    )
}

//! Needs: the public list of open needs, the staff's list of every asked need (read-only
//! here; handling comes with the cases) and a need's own page. Posting and changing a need goes
//! through sync.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::domain::need::{Audience, NeedFilter};
use crate::domain::need::{NeedKind, NeedList, NeedPage};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

/// `GET /api/open-needs?district=…&area=…&kind=…&page=…&per_page=…` — open needs, for anyone: no
/// personal data.
#[server(endpoint = "open-needs", input = GetUrl)]
pub async fn open_needs(
    district: Option<Uuid>,
    area: Option<Uuid>,
    kind: Option<NeedKind>,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<NeedList, AppError> {
    let filter = NeedFilter::new(district, area, kind, page, per_page);
    super::with_status(
        async {
            let state = super::state()?;
            db::needs::list(&state.pool, Audience::Public, &filter, None).await
        }
        .await,
    )
}

/// `GET /api/staff-needs?district=…&area=…&kind=…&page=…&per_page=…` — every need a group has asked
/// (staff).
#[server(endpoint = "staff-needs", input = GetUrl)]
pub async fn staff_needs(
    district: Option<Uuid>,
    area: Option<Uuid>,
    kind: Option<NeedKind>,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Result<NeedList, AppError> {
    let filter = NeedFilter::new(district, area, kind, page, per_page);
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            if !permissions::can_list_groups(Some(me.role)) {
                return Err(AppError::Forbidden);
            }
            db::needs::list(&state.pool, Audience::Staff, &filter, None).await
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
            Ok(NeedPage {
                occasions,
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

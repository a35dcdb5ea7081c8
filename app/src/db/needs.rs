//! Needs in SQL, over their real columns (`db::records` writes them): the public list of open
//! needs, the staff's list of every asked need and a group's own list — filtered by district,
//! priority area and kind, most urgent and newest first, a page at a time — and one need with
//! its group and payee's names. Which needs an audience sees is `domain::need::Audience`'s rule.
use uuid::Uuid;

use super::{parse_id, Pool};
use crate::domain::need::{
    Audience, ListedNeed, NeedData, NeedDetails, NeedFilter, NeedKind, NeedList, NeedStatus,
    Urgency,
};
use crate::domain::offer::Date;
use crate::error::AppError;

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    String,
);

/// One page of needs for `audience`, narrowed by `filter` and, for a group's page, to `group`.
pub async fn list(
    pool: &Pool,
    audience: Audience,
    filter: &NeedFilter,
    group: Option<Uuid>,
) -> Result<NeedList, AppError> {
    let statuses: Vec<String> = audience
        .statuses()
        .into_iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let mut conditions = vec![
        format!("n.status IN ({})", statuses.join(", ")),
        "n.body IS NOT NULL".to_owned(),
    ];
    let mut binds: Vec<String> = Vec::new();
    if let Some(group) = group {
        binds.push(group.to_string());
        conditions.push(format!("n.group_id = ${}", binds.len()));
    }
    if let Some(district) = filter.district {
        binds.push(district.to_string());
        conditions.push(format!("n.district_id = ${}", binds.len()));
    }
    if let Some(kind) = filter.kind {
        binds.push(kind.as_str().to_owned());
        conditions.push(format!("n.kind = ${}", binds.len()));
    }
    if let Some(area) = filter.area {
        binds.push(area.to_string());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM need_priority_areas p WHERE p.need_id = n.id AND p.priority_area_id = ${})",
            binds.len()
        ));
    }
    let filter_sql = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM needs n WHERE {filter_sql}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for b in &binds {
        count = count.bind(b);
    }
    let (total,) = count.fetch_one(pool).await?;
    let page = filter.page.max(1);
    let per_page = filter.per_page;
    let offset = i64::from(page - 1) * i64::from(per_page);
    let sql = format!(
        "SELECT n.id, n.group_id, a.name, n.title, n.kind, n.status, n.district_id, n.urgency, \
         n.amount_ore, n.needed_by, n.created_at FROM needs n JOIN actors a ON a.id = n.group_id \
         WHERE {filter_sql} ORDER BY n.urgency_rank DESC, n.created_at DESC, n.id \
         LIMIT {per_page} OFFSET {offset}"
    );
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(pool).await?;
    let mut needs = Vec::with_capacity(rows.len());
    for (
        id,
        group,
        group_name,
        title,
        kind,
        status,
        district,
        urgency,
        amount,
        needed_by,
        created_at,
    ) in rows
    {
        let bad = |what: &str| {
            tracing::error!(need = id, what, "unreadable need row");
            AppError::Internal
        };
        needs.push(ListedNeed {
            id: parse_id(&id)?,
            group: parse_id(&group)?,
            group_name,
            title,
            kind: NeedKind::parse(&kind).ok_or_else(|| bad("kind"))?,
            status: NeedStatus::parse(&status).ok_or_else(|| bad("status"))?,
            district: parse_id(&district)?,
            areas: Vec::new(),
            urgency: Urgency::parse(&urgency).ok_or_else(|| bad("urgency"))?,
            amount_ore: amount,
            needed_by: needed_by.and_then(|d| Date::parse(&d)),
            created_at,
        });
    }
    if !needs.is_empty() {
        let ids: Vec<String> = needs.iter().map(|n| n.id.to_string()).collect();
        let sql = format!(
            "SELECT need_id, priority_area_id FROM need_priority_areas WHERE need_id IN ({})",
            super::records::list(ids.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for id in &ids {
            query = query.bind(id);
        }
        for (need, area) in query.fetch_all(pool).await? {
            let (need, area): (Uuid, Uuid) = (parse_id(&need)?, parse_id(&area)?);
            if let Some(n) = needs.iter_mut().find(|n| n.id == need) {
                n.areas.push(area);
            }
        }
    }
    Ok(NeedList {
        needs,
        total: total.max(0) as u64,
        page,
        per_page,
    })
}

/// A need with the names its page shows.
pub struct Found {
    pub need: NeedData,
    pub group_name: String,
    /// The payee's name, when the need names one.
    pub payee_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One need, unless it is unknown or removed.
pub async fn one(pool: &Pool, id: Uuid) -> Result<Option<Found>, AppError> {
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT n.body, a.name, n.created_at, n.updated_at FROM needs n \
         JOIN actors a ON a.id = n.group_id WHERE n.id = $1 AND n.body IS NOT NULL",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some((body, group_name, created_at, updated_at)) = row else {
        return Ok(None);
    };
    let need: NeedData = serde_json::from_str(&body).map_err(|error| {
        tracing::error!(%error, need = %id, "unreadable need body");
        AppError::Internal
    })?;
    let payee_name = match &need.details {
        NeedDetails::MicroGrant {
            payee: Some(payee), ..
        } => sqlx::query_as::<_, (String,)>("SELECT display_name FROM users WHERE id = $1")
            .bind(payee.to_string())
            .fetch_optional(pool)
            .await?
            .map(|(name,)| name),
        _ => None,
    };
    Ok(Some(Found {
        need,
        group_name,
        payee_name,
        created_at,
        updated_at,
    }))
}

/// How many of an activity's next occasions its page shows.
pub const NEXT_OCCASIONS: i64 = 12;

/// An activity's occasions that have not ended by `now` (Unix seconds) and are not cancelled,
/// soonest first.
pub async fn next_occasions(
    pool: &Pool,
    need: Uuid,
    now: i64,
) -> Result<Vec<(Uuid, crate::domain::activity::OccasionData)>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, body FROM occasions WHERE need_id = $1 AND body IS NOT NULL \
         AND status = 'scheduled' AND ends_at > $2 ORDER BY starts_at LIMIT $3",
    )
    .bind(need.to_string())
    .bind(now)
    .bind(NEXT_OCCASIONS)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, body)| {
            let data = serde_json::from_str(&body).map_err(|error| {
                tracing::error!(%error, occasion = %id, "unreadable occasion body");
                AppError::Internal
            })?;
            Ok((parse_id(&id)?, data))
        })
        .collect()
}

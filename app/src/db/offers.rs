//! The staff's list of volunteers' offers in SQL, over the offers' real columns and join tables
//! (`db::records` writes them): offers that are not paused, filtered by district, priority
//! area, skill and language, most recently changed first, a page at a time.
use super::{parse_id, Pool};
use crate::domain::offer::{ListedOffer, OfferData, OfferFilter, OfferList, OFFERS_PER_PAGE};
use crate::error::AppError;

/// Most distinct skills (and languages) the filter offers to choose from.
const TAG_CHOICES: i64 = 500;

/// One page of offers, narrowed by `filter`.
pub async fn list(pool: &Pool, filter: &OfferFilter) -> Result<OfferList, AppError> {
    let mut conditions = vec!["o.body IS NOT NULL".to_owned(), "o.paused = 0".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    if let Some(district) = filter.district {
        binds.push(district.to_string());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM offer_districts d WHERE d.offer_id = o.id AND d.district_id = ${})",
            binds.len()
        ));
    }
    if let Some(area) = filter.area {
        binds.push(area.to_string());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM offer_priority_areas p WHERE p.offer_id = o.id AND p.priority_area_id = ${})",
            binds.len()
        ));
    }
    for (kind, tag) in [("skill", &filter.skill), ("language", &filter.language)] {
        if let Some(tag) = tag {
            binds.push(tag.clone());
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM offer_tags t WHERE t.offer_id = o.id AND t.kind = '{kind}' AND t.folded = ${})",
                binds.len()
            ));
        }
    }
    let filter_sql = conditions.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM offers o WHERE {filter_sql}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for b in &binds {
        count = count.bind(b);
    }
    let (total,) = count.fetch_one(pool).await?;
    let page = filter.page.max(1);
    let offset = i64::from(page - 1) * i64::from(OFFERS_PER_PAGE);
    let sql = format!(
        "SELECT o.id, u.display_name, o.body, o.updated_at FROM offers o \
         JOIN users u ON u.id = o.owner_id WHERE {filter_sql} \
         ORDER BY o.updated_at DESC, o.id LIMIT {OFFERS_PER_PAGE} OFFSET {offset}"
    );
    let mut query = sqlx::query_as::<_, (String, String, String, String)>(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let mut offers = Vec::new();
    for (id, volunteer, body, updated_at) in query.fetch_all(pool).await? {
        let offer: OfferData = serde_json::from_str(&body).map_err(|error| {
            tracing::error!(%error, offer = id, "unreadable offer body");
            AppError::Internal
        })?;
        offers.push(ListedOffer {
            id: parse_id(&id)?,
            volunteer,
            offer,
            updated_at,
        });
    }
    let tags: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT DISTINCT t.kind, t.folded FROM offer_tags t JOIN offers o ON o.id = t.offer_id \
         WHERE o.body IS NOT NULL AND o.paused = 0 ORDER BY t.folded LIMIT {}",
        TAG_CHOICES * 2
    ))
    .fetch_all(pool)
    .await?;
    let of = |kind: &str| -> Vec<String> {
        tags.iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, t)| t.clone())
            .collect()
    };
    Ok(OfferList {
        offers,
        total: total.max(0) as u64,
        page,
        skills: of("skill"),
        languages: of("language"),
    })
}

/// A person's own offers (paused ones too), for "fits my offers".
pub async fn of_owner(pool: &Pool, owner: uuid::Uuid) -> Result<Vec<OfferData>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, body FROM offers WHERE owner_id = $1 AND body IS NOT NULL ORDER BY id",
    )
    .bind(owner.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, body)| {
            serde_json::from_str(&body).map_err(|error| {
                tracing::error!(%error, offer = %id, "unreadable offer body");
                AppError::Internal
            })
        })
        .collect()
}

//! Needs in SQL, over their real columns (`db::records` writes them): the public list of open
//! needs, the staff's list of every asked need and a group's own list — filtered by district,
//! priority area and kind, most urgent and newest first, a page at a time — and one need with
//! its group and payee's names. Which needs an audience sees is `domain::need::Audience`'s rule.
use uuid::Uuid;

use super::{parse_id, Pool};
use std::collections::{BTreeMap, HashMap};

use crate::domain::activity::{offer_fits, Occasion, OccasionStatus};
use crate::domain::local_time::stockholm_to_utc;
use crate::domain::need::{
    Audience, ListedNeed, ListedOccasion, NeedData, NeedDetails, NeedFilter, NeedKind, NeedList,
    NeedStatus, Urgency, LISTED_OCCASIONS,
};
use crate::domain::offer::{Date, OfferData};
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

/// One page of needs for `audience`, narrowed by `filter` and, for a group's page, to `group`;
/// with "fits my offers", to the activities with an occasion that fits one of `offers` (the
/// reader's; `None` for someone signed out, who has none to fit).
pub async fn list(
    pool: &Pool,
    audience: Audience,
    filter: &NeedFilter,
    group: Option<Uuid>,
    offers: Option<&[OfferData]>,
) -> Result<NeedList, AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (lo, hi) = days_range(filter, now);
    let fitting = match offers.filter(|_| filter.fits) {
        Some(offers) => Some(fitting(pool, offers, lo, hi, now).await?),
        None => None,
    };
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
    if filter.only_activities() {
        binds.push(NeedKind::Activity.as_str().to_owned());
        conditions.push(format!("n.kind = ${}", binds.len()));
        // Numbers we computed, written into the SQL (the binds here are all text).
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM occasions o WHERE o.need_id = n.id AND {})",
            occasion_takes_sign_ups("o", lo, hi, now)
        ));
    }
    if let Some(fitting) = &fitting {
        if fitting.is_empty() {
            return Ok(NeedList {
                needs: Vec::new(),
                total: 0,
                page: filter.page.max(1),
                per_page: filter.per_page,
            });
        }
        let first = binds.len() + 1;
        binds.extend(fitting.keys().map(Uuid::to_string));
        conditions.push(format!(
            "n.id IN ({})",
            super::records::list(fitting.len(), first)
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
            next: Vec::new(),
        });
    }
    match &fitting {
        Some(fitting) => {
            for need in &mut needs {
                need.next = fitting.get(&need.id).cloned().unwrap_or_default();
            }
        }
        None => next_listed(pool, &mut needs, lo, hi, now).await?,
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

/// Who holds a place on `occasions` and how to reach them, in the order they signed up: for the
/// group's contacts (the caller checks). A closed account has no contact details left.
pub async fn coming(
    pool: &Pool,
    occasions: &[Uuid],
) -> Result<Vec<crate::domain::activity::VolunteerContact>, AppError> {
    use crate::domain::activity::{SignUpStatus, VolunteerContact};
    if occasions.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.occasion_id, s.shift, u.display_name, u.email, u.phone FROM sign_ups s \
         JOIN users u ON u.id = s.volunteer_id WHERE s.status = $1 AND s.body IS NOT NULL \
         AND s.occasion_id IN ({}) ORDER BY s.requested_at, s.id",
        super::records::list(occasions.len(), 2)
    );
    let mut query =
        sqlx::query_as::<_, (String, i64, String, Option<String>, Option<String>)>(&sql)
            .bind(SignUpStatus::Confirmed.as_str());
    for id in occasions {
        query = query.bind(id.to_string());
    }
    query
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(occasion, shift, name, email, phone)| {
            Ok(VolunteerContact {
                occasion: parse_id(&occasion)?,
                shift: u8::try_from(shift).map_err(|_| AppError::Internal)?,
                name,
                email,
                phone,
            })
        })
        .collect()
}

/// How far ahead "fits my offers" looks when no last day is chosen.
pub const FITS_DAYS: i64 = 56;

/// The list's days as UTC instants `[lo, hi)`: from the first day's midnight (Stockholm) to
/// the midnight after the last; open ends reach from now, and to no end — or, for "fits my
/// offers", [`FITS_DAYS`] on.
fn days_range(filter: &NeedFilter, now: i64) -> (i64, i64) {
    let lo = filter
        .from
        .map_or(now, |d| stockholm_to_utc(d.days(), 0).max(now));
    let hi = match filter.until {
        Some(d) => stockholm_to_utc(d.days() + 1, 0),
        None if filter.fits => {
            let first = filter.from.unwrap_or_else(|| Date::at_unix(now));
            stockholm_to_utc(first.days() + FITS_DAYS + 1, 0)
        }
        None => i64::MAX,
    };
    (lo, hi)
}

/// SQL: the occasion `o` takes sign-ups (open and on) and starts in `[lo, hi)`, not over by `now`.
fn occasion_takes_sign_ups(o: &str, lo: i64, hi: i64, now: i64) -> String {
    format!(
        "{o}.is_open = 1 AND {o}.status = '{}' AND {o}.ends_at > {now} AND {o}.starts_at < {hi} \
         AND {o}.ends_at > {lo}",
        OccasionStatus::Scheduled.as_str()
    )
}

type OccasionRow = (String, String, String, i64, i64, i64, i64);

fn listed(row: &OccasionRow) -> ListedOccasion {
    let (_, _, _, starts_at, ends_at, places, confirmed) = *row;
    ListedOccasion {
        starts_at,
        ends_at,
        free: u32::try_from((places - confirmed).max(0)).unwrap_or(0),
        places: u32::try_from(places.max(0)).unwrap_or(0),
    }
}

/// The open activities with an occasion in `[lo, hi)` that fits one of `offers`, each with its
/// first fitting occasions. Reads the occasions' columns only (an index on open, district and
/// start), in the offers' districts unless one of them fits anywhere.
pub async fn fitting(
    pool: &Pool,
    offers: &[OfferData],
    lo: i64,
    hi: i64,
    now: i64,
) -> Result<BTreeMap<Uuid, Vec<ListedOccasion>>, AppError> {
    let active: Vec<&OfferData> = offers.iter().filter(|o| !o.paused).collect();
    if active.is_empty() {
        return Ok(BTreeMap::new());
    }
    let anywhere = active.iter().any(|o| o.districts.is_empty());
    let districts: std::collections::BTreeSet<String> = active
        .iter()
        .flat_map(|o| o.districts.iter().map(Uuid::to_string))
        .collect();
    let mut sql = format!(
        "SELECT o.id, o.need_id, o.district_id, o.starts_at, o.ends_at, o.places, o.confirmed \
         FROM occasions o WHERE {}",
        occasion_takes_sign_ups("o", lo, hi, now)
    );
    if !anywhere {
        sql.push_str(&format!(
            " AND o.district_id IN ({})",
            super::records::list(districts.len(), 1)
        ));
    }
    sql.push_str(" ORDER BY o.starts_at, o.id");
    let mut query = sqlx::query_as::<_, OccasionRow>(&sql);
    if !anywhere {
        for d in &districts {
            query = query.bind(d);
        }
    }
    let mut found: BTreeMap<Uuid, Vec<ListedOccasion>> = BTreeMap::new();
    for row in query.fetch_all(pool).await? {
        let (_, need, district, starts_at, ends_at, _, _) = &row;
        let occasion = Occasion {
            date: Date::at_unix(*starts_at),
            starts_at: *starts_at,
            ends_at: *ends_at,
        };
        let district = parse_id(district)?;
        if active.iter().any(|o| offer_fits(o, &occasion, district)) {
            let next = found.entry(parse_id(need)?).or_default();
            if next.len() < LISTED_OCCASIONS {
                next.push(listed(&row));
            }
        }
    }
    Ok(found)
}

/// Fills in the activities' next occasions in `[lo, hi)`: one query for the page, the first
/// few per activity (a window function, on both engines).
async fn next_listed(
    pool: &Pool,
    needs: &mut [ListedNeed],
    lo: i64,
    hi: i64,
    now: i64,
) -> Result<(), AppError> {
    let ids: Vec<String> = needs
        .iter()
        .filter(|n| n.kind == NeedKind::Activity)
        .map(|n| n.id.to_string())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT id, need_id, district_id, starts_at, ends_at, places, confirmed FROM ( \
         SELECT o.id, o.need_id, o.district_id, o.starts_at, o.ends_at, o.places, o.confirmed, \
         ROW_NUMBER() OVER (PARTITION BY o.need_id ORDER BY o.starts_at, o.id) AS n \
         FROM occasions o WHERE o.need_id IN ({}) AND {}) t WHERE n <= {LISTED_OCCASIONS} \
         ORDER BY starts_at, id",
        super::records::list(ids.len(), 1),
        occasion_takes_sign_ups("o", lo, hi, now)
    );
    let mut query = sqlx::query_as::<_, OccasionRow>(&sql);
    for id in &ids {
        query = query.bind(id);
    }
    let at: HashMap<Uuid, usize> = needs.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    for row in query.fetch_all(pool).await? {
        if let Some(&i) = at.get(&parse_id(&row.1)?) {
            needs[i].next.push(listed(&row));
        }
    }
    Ok(())
}

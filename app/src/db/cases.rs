//! Micro-support cases in SQL: the decision rules, this year's grants, the handlers' queue and
//! one case with its trail. A case is written only through `db::sync` (its `Batch`), like
//! every synced record; here it is read.
use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;
use uuid::Uuid;

use super::records::{list, CHUNK};
use super::{now, parse_id, Pool};
use crate::domain::case::{
    waited, year_span, CaseData, CaseDetail, CaseQueue, CaseRules, CaseState, CaseStep,
    QueueFilter, QueuedCase, SupportReport, SupportRow, TrailLine, QUEUE_PAGE,
};
use crate::domain::local_time::stockholm_to_utc;
use crate::domain::offer::Date;
use crate::domain::ActorKind;
use crate::error::AppError;

/// The municipality's decision rules: the stored ones, or the defaults (with the largest grant
/// per request from the server's configuration).
pub async fn rules(
    conn: &mut AnyConnection,
    max_per_request_ore: i64,
) -> Result<CaseRules, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT body FROM case_rules WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some((body,)) => serde_json::from_str(&body).map_err(|err| {
            tracing::error!(error = %err, "unreadable case rules");
            AppError::Internal
        }),
        None => Ok(CaseRules::with_max_per_request(max_per_request_ore)),
    }
}

/// Stores the decision rules (an administrator changed them).
pub async fn save_rules(pool: &Pool, rules: &CaseRules, by: Uuid) -> Result<(), AppError> {
    let body = serde_json::to_string(rules).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO case_rules (id, body, updated_by, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(body)
    .bind(by.to_string())
    .bind(now())
    .execute(pool)
    .await?;
    Ok(())
}

/// What each of `groups` was granted by decisions made in `year` (Stockholm time), in öre.
pub async fn granted_in_year(
    conn: &mut AnyConnection,
    groups: &BTreeSet<String>,
    year: u16,
) -> Result<BTreeMap<Uuid, i64>, AppError> {
    let (from, until) = year_span(year);
    let groups: Vec<&String> = groups.iter().collect();
    let mut granted = BTreeMap::new();
    for chunk in groups.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT group_id, CAST(SUM(granted_ore) AS BIGINT) FROM cases WHERE group_id IN ({}) \
             AND decided_at >= ${} AND decided_at < ${} AND granted_ore IS NOT NULL \
             AND state IN ('approved', 'paid', 'followed_up', 'closed') GROUP BY group_id",
            list(chunk.len(), 1),
            chunk.len() + 1,
            chunk.len() + 2
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for (group, sum) in query.bind(from).bind(until).fetch_all(&mut *conn).await? {
            granted.insert(parse_id(&group)?, sum);
        }
    }
    for group in groups {
        granted.entry(parse_id(group)?).or_insert(0);
    }
    Ok(granted)
}

/// The case's group and the request's district, or `None` when there is no such case.
pub async fn group_of(pool: &Pool, case: Uuid) -> Result<Option<Uuid>, AppError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT group_id FROM cases WHERE id = $1")
        .bind(case.to_string())
        .fetch_optional(pool)
        .await?;
    row.map(|(g,)| parse_id(&g)).transpose()
}

/// The states the queue shows when none is chosen: every case still open.
fn open_states() -> Vec<CaseState> {
    CaseState::ALL
        .into_iter()
        .filter(|s| !s.is_final())
        .collect()
}

/// One page of the handlers' queue: the cases in the filter's states (every open one by
/// default), oldest in its current state first, with how long each has waited.
pub async fn queue(pool: &Pool, filter: &QueueFilter, now: i64) -> Result<CaseQueue, AppError> {
    let states: Vec<CaseState> = filter.state.map_or_else(open_states, |s| vec![s]);
    let mut clauses = vec![format!("c.state IN ({})", list(states.len(), 1))];
    let mut binds: Vec<String> = states.iter().map(|s| s.as_str().to_owned()).collect();
    let mut add = |column: &str, value: String| {
        binds.push(value);
        clauses.push(format!("{column} = ${}", binds.len()));
    };
    if let Some(kind) = filter.kind {
        add("c.kind", kind.as_str().to_owned());
    }
    if let Some(district) = filter.district {
        add("n.district_id", district.to_string());
    }
    if let Some(handler) = filter.handler {
        add("c.handler_id", handler.to_string());
    }
    let from = format!(
        "FROM cases c JOIN needs n ON n.id = c.need_id WHERE {}",
        clauses.join(" AND ")
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for value in &binds {
        count = count.bind(value);
    }
    let (total,) = count.fetch_one(pool).await?;
    let page = filter.page.max(1);
    let sql = format!(
        "SELECT c.id, a.name, n.district_id, u.display_name, c.body \
         FROM cases c JOIN needs n ON n.id = c.need_id JOIN actors a ON a.id = c.group_id \
         LEFT JOIN users u ON u.id = c.handler_id WHERE {} \
         ORDER BY c.state_since, c.id LIMIT {} OFFSET {}",
        clauses.join(" AND "),
        QUEUE_PAGE,
        u64::from(page - 1) * u64::from(QUEUE_PAGE)
    );
    let mut query = sqlx::query_as::<_, (String, String, String, Option<String>, String)>(&sql);
    for value in &binds {
        query = query.bind(value);
    }
    let mut cases = Vec::new();
    for (id, group_name, district, handler_name, body) in query.fetch_all(pool).await? {
        let case: CaseData = read_body(&id, &body)?;
        cases.push(QueuedCase {
            id: parse_id(&id)?,
            waited: waited(&case.states(), now),
            number: case.number,
            kind: case.kind,
            state: case.state,
            title: case.title,
            group_name,
            district: parse_id(&district)?,
            handler_name,
            requested_ore: case.requested_ore,
        });
    }
    Ok(CaseQueue {
        cases,
        total: u64::try_from(total).unwrap_or_default(),
        page,
        handlers: handlers(pool).await?,
    })
}

/// The staff who may handle cases, by name.
async fn handlers(pool: &Pool) -> Result<Vec<(Uuid, String)>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, display_name FROM users WHERE role IN ('staff', 'admin') \
         AND closed_at IS NULL ORDER BY display_name, id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, name)| Ok((parse_id(&id)?, name)))
        .collect()
}

fn read_body(id: &str, body: &str) -> Result<CaseData, AppError> {
    serde_json::from_str(body).map_err(|err| {
        tracing::error!(error = %err, case = id, "unreadable case body");
        AppError::Internal
    })
}

/// A case as its page shows it, without what depends on the reader (`allowed`, `staff`).
pub async fn detail(
    pool: &Pool,
    id: Uuid,
    max_per_request_ore: i64,
    now: i64,
) -> Result<Option<CaseDetail>, AppError> {
    let key = id.to_string();
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.body, a.name, a.kind, n.district_id FROM cases c \
         JOIN actors a ON a.id = c.group_id JOIN needs n ON n.id = c.need_id WHERE c.id = $1",
    )
    .bind(&key)
    .fetch_optional(pool)
    .await?;
    let Some((body, group_name, kind, district)) = row else {
        return Ok(None);
    };
    let case = read_body(&key, &body)?;
    let contacts: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM actor_members m JOIN users u ON u.id = m.user_id \
         WHERE m.actor_id = $1 AND m.role = 'contact' ORDER BY u.display_name, u.id",
    )
    .bind(case.group.to_string())
    .fetch_all(pool)
    .await?;
    let contacts = contacts
        .into_iter()
        .map(|(id, name)| Ok((parse_id(&id)?, name)))
        .collect::<Result<Vec<_>, AppError>>()?;
    let payee_name = match case.payee.or(case.requested_payee) {
        Some(payee) => {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
                    .bind(payee.to_string())
                    .fetch_optional(pool)
                    .await?;
            row.map(|(n,)| n)
        }
        None => None,
    };
    let lines: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT u.display_name, t.step FROM case_trail t LEFT JOIN users u ON u.id = t.actor_id \
         WHERE t.case_id = $1 ORDER BY t.seq",
    )
    .bind(&key)
    .fetch_all(pool)
    .await?;
    // The table's lines and the record's are written together; the table is the one that
    // cannot change, so its steps are the ones shown.
    let mut trail = Vec::with_capacity(lines.len());
    for ((who, step), entry) in lines.into_iter().zip(&case.trail) {
        let step: CaseStep = serde_json::from_str(&step).map_err(|_| AppError::Internal)?;
        trail.push(TrailLine {
            who,
            from: entry.from,
            to: entry.to,
            step,
        });
    }
    let mut conn = pool.acquire().await?;
    let rules = rules(&mut conn, max_per_request_ore).await?;
    let year = crate::domain::offer::Date::at_unix(now).year();
    let groups = BTreeSet::from([case.group.to_string()]);
    let granted = granted_in_year(&mut conn, &groups, year).await?;
    let own = case
        .decided_at
        .filter(|at| crate::domain::offer::Date::at_unix(*at).year() == year)
        .and(case.granted_ore)
        .filter(|_| case.state.is_decided())
        .unwrap_or(0);
    Ok(Some(CaseDetail {
        id,
        waited: waited(&case.states(), now),
        group_name,
        formal: crate::domain::ActorKind::parse(&kind).is_some_and(|k| k.is_formal()),
        district: parse_id(&district)?,
        contacts,
        payee_name,
        granted_this_year: granted.get(&case.group).copied().unwrap_or(0) - own,
        rules,
        trail,
        allowed: Vec::new(),
        staff: false,
        case,
    }))
}

/// The support report of a period: per priority area, district and kind of actor, the cases
/// decided or paid in it, what was granted (decisions in the period) and what was paid
/// (payments dated in the period).
pub async fn support_report(
    pool: &Pool,
    from: Date,
    until: Date,
) -> Result<SupportReport, AppError> {
    let start = stockholm_to_utc(from.days(), 0);
    let end = stockholm_to_utc(until.plus_days(1).days(), 0);
    let (first, last) = (from.to_string(), until.to_string());
    let sums = "COUNT(*), \
        CAST(COALESCE(SUM(CASE WHEN c.decided_at >= $1 AND c.decided_at < $2 \
             THEN c.granted_ore ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN c.paid_on >= $3 AND c.paid_on <= $4 \
             THEN COALESCE(c.granted_ore, 0) ELSE 0 END), 0) AS BIGINT)";
    let within =
        "((c.decided_at >= $1 AND c.decided_at < $2) OR (c.paid_on >= $3 AND c.paid_on <= $4))";
    let lines: Vec<(Option<String>, String, String, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT npa.priority_area_id, n.district_id, a.kind, {sums} FROM cases c \
         JOIN needs n ON n.id = c.need_id JOIN actors a ON a.id = c.group_id \
         LEFT JOIN need_priority_areas npa ON npa.need_id = c.need_id WHERE {within} \
         GROUP BY npa.priority_area_id, n.district_id, a.kind"
    ))
    .bind(start)
    .bind(end)
    .bind(&first)
    .bind(&last)
    .fetch_all(pool)
    .await?;
    let mut rows: BTreeMap<(Option<Uuid>, Uuid, bool), SupportRow> = BTreeMap::new();
    for (area, district, kind, cases, granted, paid) in lines {
        let area = area.map(|a| parse_id(&a)).transpose()?;
        let district = parse_id(&district)?;
        let formal = ActorKind::parse(&kind).is_some_and(ActorKind::is_formal);
        let row = rows.entry((area, district, formal)).or_insert(SupportRow {
            area,
            district,
            formal,
            cases: 0,
            granted_ore: 0,
            paid_ore: 0,
        });
        row.cases += u32::try_from(cases).unwrap_or(u32::MAX);
        row.granted_ore += granted;
        row.paid_ore += paid;
    }
    let (cases, granted_ore, paid_ore): (i64, i64, i64) =
        sqlx::query_as(&format!("SELECT {sums} FROM cases c WHERE {within}"))
            .bind(start)
            .bind(end)
            .bind(&first)
            .bind(&last)
            .fetch_one(pool)
            .await?;
    Ok(SupportReport {
        from,
        until,
        rows: rows.into_values().collect(),
        cases: u32::try_from(cases).unwrap_or(u32::MAX),
        granted_ore,
        paid_ore,
    })
}

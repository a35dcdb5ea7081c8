//! Each record kind's own table, as `db::sync` reads and writes it: the whole record as JSON
//! in `body` (NULL once removed), and its queryable fields in real, indexed columns and join
//! tables, so lists, filters and matching are SQL on both engines. Adding a kind adds its arm
//! here (see `docs/SYNC.md`, "Adding a record kind").
use std::collections::BTreeMap;

use sqlx::AnyConnection;
use uuid::Uuid;

use super::parse_id;
use crate::domain::need::NeedDetails;
use crate::error::AppError;
use crate::sync::kinds::Kind;
use crate::sync::protocol::Data;

/// A record's row, as far as sync is concerned.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Who created it.
    pub owner: Uuid,
    /// `None`: removed.
    pub data: Option<Data>,
    pub created_at: String,
}

/// `$first, …` for `n` values.
pub(crate) fn list(n: usize, first: usize) -> String {
    (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($a, $b), …` for `rows` rows of `width` values, starting at `$first`.
pub(crate) fn placeholders(rows: usize, width: usize, first: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", list(width, first + r * width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row statement: well under both engines' limit on bound values.
pub(crate) const CHUNK: usize = 100;

/// A kind's table, and the column of the person who created the record.
pub(crate) fn table(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Offer => ("offers", "owner_id"),
        Kind::Need => ("needs", "created_by"),
        // Written by the server alone: no author.
        Kind::Occasion => ("occasions", "NULL"),
        Kind::SignUp => ("sign_ups", "volunteer_id"),
        // Opened by the server: no author.
        Kind::Case => ("cases", "NULL"),
    }
}

fn unreadable(kind: Kind, id: &str, err: serde_json::Error) -> AppError {
    tracing::error!(error = %err, kind = kind.as_str(), record = id, "unreadable record body");
    AppError::Internal
}

/// The rows of `kind` with these ids (missing ones are not there).
pub(crate) async fn load(
    conn: &mut AnyConnection,
    kind: Kind,
    ids: &[String],
) -> Result<BTreeMap<Uuid, Row>, AppError> {
    let (table, owner) = table(kind);
    let mut rows = BTreeMap::new();
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT id, {owner}, body, created_at FROM {table} WHERE id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, Option<String>, Option<String>, String)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, owner, body, created_at) in query.fetch_all(&mut *conn).await? {
            let data = match body {
                None => None,
                Some(body) => {
                    let read = |e| unreadable(kind, &id, e);
                    Some(match kind {
                        Kind::Offer => Data::Offer(serde_json::from_str(&body).map_err(read)?),
                        Kind::Need => Data::Need(serde_json::from_str(&body).map_err(read)?),
                        Kind::Occasion => {
                            Data::Occasion(serde_json::from_str(&body).map_err(read)?)
                        }
                        Kind::SignUp => Data::SignUp(serde_json::from_str(&body).map_err(read)?),
                        Kind::Case => Data::Case(serde_json::from_str(&body).map_err(read)?),
                    })
                }
            };
            // A need whose creator closed their account keeps a pseudonym row; none is nil.
            let owner = owner.map(|o| parse_id(&o)).transpose()?.unwrap_or_default();
            rows.insert(
                parse_id(&id)?,
                Row {
                    owner,
                    data,
                    created_at,
                },
            );
        }
    }
    Ok(rows)
}

/// Writes a record's row (and its join tables) as of `version`.
pub(crate) async fn save(
    conn: &mut AnyConnection,
    kind: Kind,
    id: Uuid,
    row: &Row,
    version: i64,
    at: &str,
) -> Result<(), AppError> {
    let key = id.to_string();
    let body = match &row.data {
        None => None,
        Some(Data::Offer(d)) => Some(serde_json::to_string(d)),
        Some(Data::Need(d)) => Some(serde_json::to_string(d)),
        Some(Data::Occasion(d)) => Some(serde_json::to_string(d)),
        Some(Data::SignUp(d)) => Some(serde_json::to_string(d)),
        Some(Data::Case(d)) => Some(serde_json::to_string(d)),
    }
    .transpose()
    .map_err(|_| AppError::Internal)?;
    let removed_at = row.data.is_none().then(|| at.to_owned());
    match (kind, &row.data) {
        (Kind::Offer, data) => {
            let offer = match data {
                Some(Data::Offer(o)) => Some(o),
                _ => None,
            };
            sqlx::query(
                "INSERT INTO offers (id, owner_id, body, version, removed_at, created_at, \
                 updated_at, availability, paused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
                 version = excluded.version, removed_at = excluded.removed_at, \
                 updated_at = excluded.updated_at, availability = excluded.availability, \
                 paused = excluded.paused",
            )
            .bind(&key)
            .bind(row.owner.to_string())
            .bind(body)
            .bind(version)
            .bind(removed_at)
            .bind(&row.created_at)
            .bind(at)
            .bind(offer.map(|o| o.availability.kind()))
            .bind(i64::from(offer.is_some_and(|o| o.paused)))
            .execute(&mut *conn)
            .await?;
            for table in ["offer_districts", "offer_priority_areas", "offer_tags"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE offer_id = $1"))
                    .bind(&key)
                    .execute(&mut *conn)
                    .await?;
            }
            if let Some(offer) = offer {
                let districts: Vec<[String; 2]> = offer
                    .districts
                    .iter()
                    .map(|d| [key.clone(), d.to_string()])
                    .collect();
                insert_rows(conn, "offer_districts (offer_id, district_id)", &districts).await?;
                let areas: Vec<[String; 2]> = offer
                    .areas
                    .iter()
                    .map(|a| [key.clone(), a.to_string()])
                    .collect();
                insert_rows(
                    conn,
                    "offer_priority_areas (offer_id, priority_area_id)",
                    &areas,
                )
                .await?;
                let mut tags: Vec<[String; 4]> = Vec::new();
                for (kind, list) in [("skill", &offer.skills), ("language", &offer.languages)] {
                    for tag in list {
                        let row = [
                            key.clone(),
                            kind.to_owned(),
                            tag.clone(),
                            tag.to_lowercase(),
                        ];
                        if !tags.iter().any(|t| t[1] == row[1] && t[2] == row[2]) {
                            tags.push(row);
                        }
                    }
                }
                insert_rows(conn, "offer_tags (offer_id, kind, tag, folded)", &tags).await?;
            }
        }
        (Kind::Need, data) => {
            let need = match data {
                Some(Data::Need(n)) => n,
                // A removal keeps the row's columns as they were (the tombstone).
                _ => {
                    sqlx::query(
                        "UPDATE needs SET body = NULL, version = $2, removed_at = $3, \
                         updated_at = $3 WHERE id = $1",
                    )
                    .bind(&key)
                    .bind(version)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query("DELETE FROM need_priority_areas WHERE need_id = $1")
                        .bind(&key)
                        .execute(&mut *conn)
                        .await?;
                    return Ok(());
                }
            };
            let (amount, payee) = match &need.details {
                NeedDetails::MicroGrant {
                    amount_ore, payee, ..
                } => (Some(*amount_ore), payee.map(|p| p.to_string())),
                _ => (None, None),
            };
            let owner = (!row.owner.is_nil()).then(|| row.owner.to_string());
            sqlx::query(
                "INSERT INTO needs (id, group_id, created_by, kind, status, district_id, \
                 urgency, urgency_rank, title, needed_by, amount_ore, asks_municipality, \
                 payee_id, body, version, removed_at, created_at, updated_at) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, $16, $17) \
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, status = excluded.status, \
                 district_id = excluded.district_id, urgency = excluded.urgency, \
                 urgency_rank = excluded.urgency_rank, title = excluded.title, \
                 needed_by = excluded.needed_by, amount_ore = excluded.amount_ore, \
                 asks_municipality = excluded.asks_municipality, payee_id = excluded.payee_id, \
                 body = excluded.body, version = excluded.version, removed_at = NULL, \
                 updated_at = excluded.updated_at",
            )
            .bind(&key)
            .bind(need.group.to_string())
            .bind(owner)
            .bind(need.details.kind().as_str())
            .bind(need.status.as_str())
            .bind(need.district.to_string())
            .bind(need.urgency.as_str())
            .bind(need.urgency.rank())
            .bind(&need.title)
            .bind(need.needed_by.map(|d| d.to_string()))
            .bind(amount)
            .bind(i64::from(need.asks_municipality()))
            .bind(payee)
            .bind(body)
            .bind(version)
            .bind(&row.created_at)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM need_priority_areas WHERE need_id = $1")
                .bind(&key)
                .execute(&mut *conn)
                .await?;
            let areas: Vec<[String; 2]> = need
                .areas
                .iter()
                .map(|a| [key.clone(), a.to_string()])
                .collect();
            insert_rows(
                conn,
                "need_priority_areas (need_id, priority_area_id)",
                &areas,
            )
            .await?;
        }
        (Kind::Occasion | Kind::SignUp | Kind::Case, None) => {
            // A removal keeps the row's columns as they were (the tombstone).
            let (table, _) = table(kind);
            sqlx::query(&format!(
                "UPDATE {table} SET body = NULL, version = $2, removed_at = $3, \
                 updated_at = $3 WHERE id = $1"
            ))
            .bind(&key)
            .bind(version)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        (Kind::Occasion, Some(data)) => {
            let Data::Occasion(o) = data else {
                return Err(AppError::Internal);
            };
            let places: i64 = o.shifts.iter().map(|s| i64::from(s.places)).sum();
            let confirmed: i64 = o.shifts.iter().map(|s| i64::from(s.confirmed)).sum();
            sqlx::query(
                "INSERT INTO occasions (id, need_id, group_id, district_id, date, starts_at, \
                 ends_at, status, is_open, places, confirmed, body, version, removed_at, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $13, NULL, $14, $15) ON CONFLICT (id) DO UPDATE SET \
                 district_id = excluded.district_id, date = excluded.date, \
                 starts_at = excluded.starts_at, ends_at = excluded.ends_at, \
                 status = excluded.status, is_open = excluded.is_open, \
                 places = excluded.places, confirmed = excluded.confirmed, \
                 body = excluded.body, version = excluded.version, removed_at = NULL, \
                 updated_at = excluded.updated_at",
            )
            .bind(&key)
            .bind(o.need.to_string())
            .bind(o.group.to_string())
            .bind(o.district.to_string())
            .bind(o.date.to_string())
            .bind(o.starts_at)
            .bind(o.ends_at)
            .bind(o.status.as_str())
            .bind(i64::from(o.open))
            .bind(places)
            .bind(confirmed)
            .bind(body)
            .bind(version)
            .bind(&row.created_at)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        (Kind::SignUp, Some(data)) => {
            let Data::SignUp(s) = data else {
                return Err(AppError::Internal);
            };
            sqlx::query(
                "INSERT INTO sign_ups (id, occasion_id, need_id, group_id, volunteer_id, shift, \
                 status, requested_at, starts_at, attended, minutes, hours_confirmed_by, body, \
                 version, removed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, \
                 $7, $8, (SELECT starts_at FROM occasions WHERE id = $2), $9, $10, $11, $12, \
                 $13, NULL, $14, $15) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
                 starts_at = excluded.starts_at, attended = excluded.attended, \
                 minutes = excluded.minutes, hours_confirmed_by = excluded.hours_confirmed_by, \
                 body = excluded.body, version = excluded.version, removed_at = NULL, \
                 updated_at = excluded.updated_at",
            )
            .bind(&key)
            .bind(s.occasion.to_string())
            .bind(s.need.to_string())
            .bind(s.group.to_string())
            .bind(s.volunteer.to_string())
            .bind(i64::from(s.shift))
            .bind(s.status.as_str())
            .bind(s.requested_at)
            .bind(s.attended.map(i64::from))
            .bind(s.hours.as_ref().map(|h| i64::from(h.minutes)))
            .bind(
                s.hours
                    .as_ref()
                    .and_then(|h| h.confirmed_by)
                    .map(|u| u.to_string()),
            )
            .bind(body)
            .bind(version)
            .bind(&row.created_at)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        (Kind::Case, Some(data)) => {
            let Data::Case(c) = data else {
                return Err(AppError::Internal);
            };
            save_case(conn, &key, c, body, version, row, at).await?;
        }
    }
    Ok(())
}

/// A case's row, and the lines of its trail not yet written (the trail only grows: the lines
/// already there are never written again, and the database refuses to change them).
async fn save_case(
    conn: &mut AnyConnection,
    key: &str,
    case: &crate::domain::case::CaseData,
    body: Option<String>,
    version: i64,
    row: &Row,
    at: &str,
) -> Result<(), AppError> {
    let states = case.states();
    let opened_at = states.first().map_or(0, |(_, at)| *at);
    let state_since = states.last().map_or(0, |(_, at)| *at);
    let (year, seq) = case
        .number
        .strip_prefix("MS-")
        .and_then(|rest| rest.split_once('-'))
        .and_then(|(y, n)| Some((y.parse::<i64>().ok()?, n.parse::<i64>().ok()?)))
        .ok_or(AppError::Internal)?;
    sqlx::query(
        "INSERT INTO cases (id, need_id, group_id, number, year, seq, kind, state, handler_id,          requested_ore, granted_ore, decided_at, paid_on, opened_at, state_since, body,          version, removed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,          $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, $18, $19) ON CONFLICT (id) DO UPDATE          SET state = excluded.state, handler_id = excluded.handler_id,          granted_ore = excluded.granted_ore, decided_at = excluded.decided_at,          paid_on = excluded.paid_on, state_since = excluded.state_since, body = excluded.body,          version = excluded.version, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(case.need.to_string())
    .bind(case.group.to_string())
    .bind(&case.number)
    .bind(year)
    .bind(seq)
    .bind(case.kind.as_str())
    .bind(case.state.as_str())
    .bind(case.handler.map(|h| h.to_string()))
    .bind(case.requested_ore)
    .bind(case.granted_ore)
    .bind(case.decided_at)
    .bind(case.paid_on.map(|d| d.to_string()))
    .bind(opened_at)
    .bind(state_since)
    .bind(body)
    .bind(version)
    .bind(&row.created_at)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let (written,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM case_trail WHERE case_id = $1")
        .bind(key)
        .fetch_one(&mut *conn)
        .await?;
    let written = usize::try_from(written).map_err(|_| AppError::Internal)?;
    for (seq, entry) in case.trail.iter().enumerate().skip(written) {
        let step = serde_json::to_string(&entry.step).map_err(|_| AppError::Internal)?;
        let action = entry.step.action.map_or("", |a| a.as_str());
        sqlx::query(
            "INSERT INTO case_trail (case_id, seq, at, actor_id, role, action, from_state,              to_state, step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(key)
        .bind(i64::try_from(seq).map_err(|_| AppError::Internal)?)
        .bind(entry.step.at)
        .bind(entry.step.by.map(|b| b.to_string()))
        .bind(entry.step.role.as_str())
        .bind(action)
        .bind(entry.from.as_str())
        .bind(entry.to.as_str())
        .bind(step)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// `INSERT INTO <target> VALUES …` for rows of text, a chunk at a time.
pub(crate) async fn insert_rows<const N: usize>(
    conn: &mut AnyConnection,
    target: &str,
    rows: &[[String; N]],
) -> Result<(), AppError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO {target} VALUES {}",
            placeholders(chunk.len(), N, 1)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for value in row {
                query = query.bind(value);
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

//! The server's side of sync in SQL: applying a push exactly once, in order, and pulling by
//! cursor without ever skipping a committed change.
//!
//! **Why a counter row, not a sequence.** A pull's cursor says "I have every change numbered up
//! to here". With a sequence, two writers can take 7 and 8 and commit 8 first; a pull then
//! sees 8, moves its cursor past 7, and 7 is never pulled. Here every push first takes the one
//! `sync_counter` row (an `UPDATE`, which holds the row lock on PostgreSQL and SQLite's write
//! lock until commit), numbers its changes from it and writes the new value back. Pushes
//! therefore commit one after another with increasing numbers, and the committed value of the
//! counter is a point below which everything is committed.
use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use super::{now, parse_id, Pool};
use crate::domain::offer::{Known, OfferData};
use crate::error::AppError;
use crate::sync::apply::{apply, Current, Effect};
use crate::sync::protocol::*;

/// Rows per multi-row statement: well under both engines' limit on bound values.
const CHUNK: usize = 100;

struct Row {
    owner: Uuid,
    data: Option<OfferData>,
    version: i64,
    removed_at: Option<String>,
    created_at: String,
    dirty: bool,
}

struct NewChange {
    id: Uuid,
    seq: u64,
    record: Uuid,
    outcome: String,
    version: Option<i64>,
}

fn internal(err: impl Into<AppError>) -> SyncError {
    let _: AppError = err.into(); // logged by the conversion
    SyncError::new(SyncErrorReason::Internal)
}

/// `$a, $b, …` for `n` rows of `width` values, starting at `$first`.
fn placeholders(rows: usize, width: usize, first: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (0..width)
                .map(|c| format!("${}", first + r * width + c))
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(n: usize, first: usize) -> String {
    (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies `changes` from `device` for `user`, in order, each exactly once: a change seen
/// before gets its first answer again. All or nothing: a refusal of the whole push (a 4xx)
/// leaves every table as it was.
#[tracing::instrument(skip(pool, changes, known), fields(changes = changes.len()))]
pub async fn push(
    pool: &Pool,
    user: Uuid,
    device: Uuid,
    changes: &[Change],
    known: &Known,
) -> Result<Vec<ChangeResult>, SyncError> {
    let mut tx = pool.begin().await.map_err(internal)?;
    // Take the counter before anything else (see the module comment).
    sqlx::query("UPDATE sync_counter SET value = value WHERE id = 1")
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    let (mut counter,): (i64,) = sqlx::query_as("SELECT value FROM sync_counter WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .map_err(internal)?;

    let device_row: Option<(String, i64)> =
        sqlx::query_as("SELECT user_id, last_seq FROM sync_devices WHERE id = $1")
            .bind(device.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    let mut last_seq = match device_row {
        Some((owner, _)) if owner != user.to_string() => {
            return Err(SyncError::new(SyncErrorReason::ForeignDevice))
        }
        Some((_, last)) => last.max(0) as u64,
        None => 0,
    };

    // Answers already given, and the records touched, in a few queries for the whole batch.
    let mut seen: HashMap<Uuid, Outcome> = HashMap::new();
    let ids: Vec<String> = changes.iter().map(|c| c.id.to_string()).collect();
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT id, user_id, outcome FROM sync_changes WHERE id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, owner, outcome) in query.fetch_all(&mut *tx).await.map_err(internal)? {
            let id = parse_id(&id).map_err(internal)?;
            if owner != user.to_string() {
                return Err(SyncError::about(SyncErrorReason::Malformed, id));
            }
            let outcome =
                serde_json::from_str(&outcome).map_err(|_| internal(AppError::Internal))?;
            seen.insert(id, outcome);
        }
    }
    let mut records: BTreeMap<Uuid, Row> = BTreeMap::new();
    let record_ids: Vec<String> = changes.iter().map(|c| c.record.to_string()).collect();
    for chunk in record_ids.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT id, owner_id, body, version, removed_at, created_at FROM offers WHERE id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<
            _,
            (String, String, Option<String>, i64, Option<String>, String),
        >(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, owner, body, version, removed_at, created_at) in
            query.fetch_all(&mut *tx).await.map_err(internal)?
        {
            let data = body
                .map(|b| serde_json::from_str(&b))
                .transpose()
                .map_err(|_| internal(AppError::Internal))?;
            let row = Row {
                owner: parse_id(&owner).map_err(internal)?,
                data,
                version,
                removed_at,
                created_at,
                dirty: false,
            };
            records.insert(parse_id(&id).map_err(internal)?, row);
        }
    }

    let at = now();
    let mut results = Vec::with_capacity(changes.len());
    let mut new_changes = Vec::new();
    for change in changes {
        if let Some(outcome) = seen.get(&change.id) {
            // A resend: the first answer again, nothing applied twice.
            if change.seq == last_seq + 1 {
                last_seq = change.seq;
            }
            results.push(ChangeResult {
                id: change.id,
                outcome: outcome.clone(),
            });
            continue;
        }
        if change.seq <= last_seq {
            return Err(SyncError::about(SyncErrorReason::SequenceReused, change.id));
        }
        if change.seq > last_seq + 1 {
            return Err(SyncError {
                expected_seq: Some(last_seq + 1),
                ..SyncError::about(SyncErrorReason::SequenceGap, change.id)
            });
        }
        let Op::Offer(op) = &change.op;
        let row = records.get(&change.record);
        if row.is_some_and(|r| r.owner != user) {
            return Err(SyncError::about(SyncErrorReason::ForeignRecord, change.id));
        }
        let current = match row {
            None => Current::Missing,
            Some(Row { data: None, .. }) => Current::Removed,
            Some(Row { data: Some(d), .. }) => Current::Live(d),
        };
        let (outcome, version) = match apply(current, op, known) {
            Ok(effect) => {
                let version = match effect {
                    Effect::Nothing => None,
                    effect => {
                        counter += 1;
                        let created_at = row.map_or_else(|| at.clone(), |r| r.created_at.clone());
                        let (data, removed_at) = match effect {
                            Effect::Put(data) => (Some(data), None),
                            _ => (None, Some(at.clone())),
                        };
                        records.insert(
                            change.record,
                            Row {
                                owner: user,
                                data,
                                version: counter,
                                removed_at,
                                created_at,
                                dirty: true,
                            },
                        );
                        Some(counter)
                    }
                };
                (Outcome::Applied { version }, version)
            }
            Err(reason) => (Outcome::Refused { reason }, None),
        };
        last_seq = change.seq;
        seen.insert(change.id, outcome.clone());
        new_changes.push(NewChange {
            id: change.id,
            seq: change.seq,
            record: change.record,
            outcome: serde_json::to_string(&outcome).map_err(|_| internal(AppError::Internal))?,
            version,
        });
        results.push(ChangeResult {
            id: change.id,
            outcome,
        });
    }

    let dirty: Vec<(&Uuid, &Row)> = records.iter().filter(|(_, r)| r.dirty).collect();
    for chunk in dirty.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO offers (id, owner_id, body, version, removed_at, created_at, updated_at) \
             VALUES {} ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
             version = excluded.version, removed_at = excluded.removed_at, \
             updated_at = excluded.updated_at",
            placeholders(chunk.len(), 7, 1)
        );
        let mut query = sqlx::query(&sql);
        for (id, row) in chunk {
            let body = row
                .data
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|_| internal(AppError::Internal))?;
            query = query
                .bind(id.to_string())
                .bind(row.owner.to_string())
                .bind(body)
                .bind(row.version)
                .bind(row.removed_at.clone())
                .bind(row.created_at.clone())
                .bind(at.clone());
        }
        query.execute(&mut *tx).await.map_err(internal)?;
    }
    for chunk in new_changes.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO sync_changes (id, user_id, device_id, seq, record_id, outcome, version, applied_at) VALUES {}",
            placeholders(chunk.len(), 8, 1)
        );
        let mut query = sqlx::query(&sql);
        for c in chunk {
            query = query
                .bind(c.id.to_string())
                .bind(user.to_string())
                .bind(device.to_string())
                .bind(c.seq as i64)
                .bind(c.record.to_string())
                .bind(c.outcome.clone())
                .bind(c.version)
                .bind(at.clone());
        }
        query.execute(&mut *tx).await.map_err(internal)?;
    }
    sqlx::query(
        "INSERT INTO sync_devices (id, user_id, last_seq, seen_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, seen_at = excluded.seen_at",
    )
    .bind(device.to_string())
    .bind(user.to_string())
    .bind(last_seq as i64)
    .bind(at.clone())
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE sync_counter SET value = $1 WHERE id = 1")
        .bind(counter)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(results)
}

/// One page of what `user` may see, changed after `cursor` (without the context, which the
/// caller adds when asked). Without a cursor (or with one
/// too old) the answer is a reset: everything live, which replaces the device's copy.
#[tracing::instrument(skip(pool))]
pub async fn pull(
    pool: &Pool,
    user: Uuid,
    cursor: Option<i64>,
    limit: u32,
) -> Result<PullResponse, AppError> {
    // Read the counter first: everything numbered up to it is committed (module comment).
    let (value, min_cursor): (i64, i64) =
        sqlx::query_as("SELECT value, min_cursor FROM sync_counter WHERE id = 1")
            .fetch_one(pool)
            .await?;
    // Older than what we remember of removals, or from a database we are not (a restore).
    let reset = cursor.is_none_or(|c| c < min_cursor || c > value);
    let from = if reset { None } else { cursor };
    let rows: Vec<(String, Option<String>, i64)> =
        match from {
            // Everything: removals need not be sent to a device that has nothing.
            None => sqlx::query_as(
                "SELECT id, body, version FROM offers WHERE owner_id = $1 AND body IS NOT NULL \
             ORDER BY version LIMIT $2",
            )
            .bind(user.to_string())
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?,
            Some(from) => {
                sqlx::query_as(
                    "SELECT id, body, version FROM offers WHERE owner_id = $1 AND version > $2 \
             ORDER BY version LIMIT $3",
                )
                .bind(user.to_string())
                .bind(from)
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await?
            }
        };
    let more = rows.len() > limit as usize;
    let mut records = Vec::with_capacity(rows.len().min(limit as usize));
    for (id, body, version) in rows.into_iter().take(limit as usize) {
        let data = body
            .map(|b| serde_json::from_str(&b))
            .transpose()
            .map_err(|e| {
                tracing::error!(error = %e, offer = id, "unreadable offer body");
                AppError::Internal
            })?;
        records.push(Record {
            kind: "offer".into(),
            id: parse_id(&id)?,
            version,
            data,
        });
    }
    let last = records.last().map(|r| r.version);
    let next = if more {
        last.unwrap_or(value)
    } else {
        value.max(last.unwrap_or(0)).max(from.unwrap_or(0))
    };
    Ok(PullResponse {
        cursor: next,
        more,
        reset,
        records,
        context: None,
    })
}

/// Forgets removals older than `days` (the daily retention job, `db::retention`). A device
/// away longer gets a reset (its outbox is kept).
pub async fn forget_old_removals(pool: &Pool, days: u32) -> Result<u64, AppError> {
    forget_removals(pool, &super::retention::days_ago(days)).await
}

/// Forgets removals made before `before` (RFC 3339): their rows go, and a device whose
/// cursor is older than the newest of them gets a reset on its next pull.
pub async fn forget_removals(pool: &Pool, before: &str) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE sync_counter SET value = value WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let (newest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM offers WHERE body IS NULL AND removed_at < $1")
            .bind(before)
            .fetch_one(&mut *tx)
            .await?;
    let Some(newest) = newest else {
        return Ok(0);
    };
    let gone = sqlx::query("DELETE FROM offers WHERE body IS NULL AND removed_at < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("UPDATE sync_counter SET min_cursor = $1 WHERE id = 1 AND min_cursor < $1")
        .bind(newest)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone)
}

/// Notes a push or pull refused as a whole (best effort: the refusal is answered anyway).
pub async fn record_rejection(
    pool: &Pool,
    user: Option<Uuid>,
    device: Option<Uuid>,
    err: &SyncError,
) {
    let result = sqlx::query(
        "INSERT INTO sync_rejections (id, user_id, device_id, change_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(user.map(|u| u.to_string()))
    .bind(device.map(|d| d.to_string()))
    .bind(err.change.map(|c| c.to_string()))
    .bind(err.reason.code())
    .bind(now())
    .execute(pool)
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not record a sync rejection");
    }
}

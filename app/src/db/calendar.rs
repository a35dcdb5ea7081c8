//! "My shifts" as a calendar feed: one private, revocable address per person
//! (`calendar_feeds`), and the sign-ups it lists.
use uuid::Uuid;

use super::{now, parse_id, Pool};
use crate::domain::activity::{SignUpData, SignUpStatus};
use crate::error::AppError;

/// A person's feed: its token and the language it is written in (`sv` or `en`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub token: String,
    pub user: Uuid,
    pub lang: String,
}

/// How far back the feed reaches: last month's shifts stay in the calendar.
pub const FEED_PAST_SECS: i64 = 31 * 24 * 60 * 60;
/// The most shifts one feed lists (a year of weekly shifts, several times over).
pub const FEED_MAX: i64 = 500;

/// The person's feed, if they made one.
pub async fn of(pool: &Pool, user: Uuid) -> Result<Option<Feed>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT token, lang FROM calendar_feeds WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(token, lang)| Feed { token, user, lang }))
}

/// A new address for the person's feed, in `lang`; the one before stops working.
pub async fn renew(pool: &Pool, user: Uuid, lang: &str) -> Result<Feed, AppError> {
    // 122 random bits: not guessable, and nothing in it says whose it is.
    let token = Uuid::new_v4().simple().to_string();
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO calendar_feeds (token, user_id, lang, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&token)
    .bind(user.to_string())
    .bind(lang)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Feed {
        token,
        user,
        lang: lang.to_owned(),
    })
}

/// Ends the person's feed: its address answers "not found" from now on.
pub async fn revoke(pool: &Pool, user: Uuid) -> Result<(), AppError> {
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
        .bind(user.to_string())
        .execute(pool)
        .await?;
    Ok(())
}

/// The feed an address names, unless it was revoked (or never existed).
pub async fn by_token(pool: &Pool, token: &str) -> Result<Option<Feed>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT user_id, lang FROM calendar_feeds WHERE token = $1")
            .bind(token)
            .fetch_optional(pool)
            .await?;
    row.map(|(user, lang)| {
        Ok(Feed {
            token: token.to_owned(),
            user: parse_id(&user)?,
            lang,
        })
    })
    .transpose()
}

/// One shift in the feed: the sign-up, its id and its version (the event's `SEQUENCE`).
pub struct FeedShift {
    pub id: Uuid,
    pub version: i64,
    pub data: SignUpData,
}

/// The person's sign-ups that belong in their calendar: every one not withdrawn, from
/// [`FEED_PAST_SECS`] before `now` (Unix seconds) on, soonest first.
pub async fn shifts(pool: &Pool, user: Uuid, now: i64) -> Result<Vec<FeedShift>, AppError> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT id, version, body FROM sign_ups WHERE volunteer_id = $1 AND body IS NOT NULL \
         AND status <> $2 AND starts_at >= $3 ORDER BY starts_at, id LIMIT $4",
    )
    .bind(user.to_string())
    .bind(SignUpStatus::Withdrawn.as_str())
    .bind(now - FEED_PAST_SECS)
    .bind(FEED_MAX)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, version, body)| {
            let data = serde_json::from_str(&body).map_err(|error| {
                tracing::error!(%error, sign_up = %id, "unreadable sign-up body");
                AppError::Internal
            })?;
            Ok(FeedShift {
                id: parse_id(&id)?,
                version,
                data,
            })
        })
        .collect()
}

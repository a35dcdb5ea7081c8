//! Attempts counted per key (`acct:…`, `addr:…`, `signup:…`); the rules are in
//! [`crate::domain::throttle`].
//!
//! **Reserve, then work.** An attempt is counted *before* the slow password check, under the
//! row's lock, so that 40 parallel guesses get the same 5 free tries as 40 in a row: each
//! reservation sees the ones before it. A success gives its reservation back ([`clear`] or
//! [`release`]).
use super::Pool;
use crate::domain::throttle::Policy;
use crate::error::AppError;

/// Seconds before `key` may try again under `policy` (0: go ahead). Counts nothing.
pub async fn retry_after(
    pool: &Pool,
    key: &str,
    policy: &Policy,
    now: i64,
) -> Result<u64, AppError> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, last_failure_at FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?;
    Ok(row
        .map(|(failures, last)| policy.retry_after(clamp(failures), last, now))
        .unwrap_or(0))
}

fn clamp(failures: i64) -> u32 {
    failures.clamp(0, u32::MAX as i64) as u32
}

/// Counts one attempt for `key` if `policy` allows one now, atomically: `Ok(())` means go
/// ahead (and call [`clear`] or [`release`] on success); `Err(TooManyRequests)` counts nothing.
pub async fn reserve(pool: &Pool, key: &str, policy: &Policy, now: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 0, $2) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Take the row's lock (SQLite: the write lock) before reading it, so that concurrent
    // reservations for one key follow each other.
    sqlx::query("UPDATE login_throttle SET failures = failures WHERE key = $1")
        .bind(key)
        .execute(&mut *tx)
        .await?;
    let (failures, last): (i64, i64) =
        sqlx::query_as("SELECT failures, last_failure_at FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
    let wait = policy.retry_after(clamp(failures), last, now);
    if wait > 0 {
        tx.commit().await?;
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let counted = policy.effective_failures(clamp(failures), last, now);
    sqlx::query("UPDATE login_throttle SET failures = $2, last_failure_at = $3 WHERE key = $1")
        .bind(key)
        .bind(i64::from(counted) + 1)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Counts one more failure for `key` (starting again if the last one is forgotten).
pub async fn record_failure(
    pool: &Pool,
    key: &str,
    policy: &Policy,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 \
                         ELSE login_throttle.failures + 1 END, \
         last_failure_at = $2",
    )
    .bind(key)
    .bind(now)
    .bind(now - policy.forget_after_secs)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(pool: &Pool, key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Gives one reserved attempt back (it succeeded) without forgetting the others.
pub async fn release(pool: &Pool, key: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0",
    )
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Retention: forgets every count whose last attempt is older than `before` (unix seconds).
pub async fn forget_before(pool: &Pool, before: i64) -> Result<u64, AppError> {
    let done = sqlx::query("DELETE FROM login_throttle WHERE last_failure_at < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Closing an account: forgets the counts kept under its e-mail address or phone number.
pub async fn forget_keys(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &[String],
) -> Result<(), AppError> {
    for key in keys {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

//! Failed sign-ins, counted per key (`acct:…` or `addr:…`); the rules are in
//! [`crate::domain::throttle`].
use super::Pool;
use crate::domain::throttle::Policy;
use crate::error::AppError;

/// Seconds before `key` may try again under `policy` (0: go ahead).
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
        .map(|(failures, last)| {
            policy.retry_after(failures.clamp(0, u32::MAX as i64) as u32, last, now)
        })
        .unwrap_or(0))
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

//! Gallring: what only grows is cut back to its configured period once a day
//! ([`crate::config::Retention`]; the privacy page states the same figures).
use super::Pool;
use crate::config::Retention;
use crate::error::AppError;

/// What one run removed, per kind, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub sync_changes: u64,
    pub removals: u64,
    pub sync_rejections: u64,
    pub sign_in_failures: u64,
    pub sessions: u64,
}

/// RFC 3339 time `days` ago, as stored.
pub fn days_ago(days: u32) -> String {
    super::format_time(time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days)))
}

/// Removes everything older than its period, and sessions that have expired.
pub async fn enforce(pool: &Pool, keep: &Retention) -> Result<Removed, AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sync_changes = sqlx::query("DELETE FROM sync_changes WHERE applied_at < $1")
        .bind(days_ago(keep.sync_changes_days))
        .execute(pool)
        .await?
        .rows_affected();
    let removals = super::sync::forget_old_removals(pool, keep.removals_days).await?;
    let sync_rejections = sqlx::query("DELETE FROM sync_rejections WHERE created_at < $1")
        .bind(days_ago(keep.sync_rejections_days))
        .execute(pool)
        .await?
        .rows_affected();
    let sign_in_failures =
        super::throttle::forget_before(pool, now - i64::from(keep.login_throttle_days) * 86_400)
            .await?;
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(Removed {
        sync_changes,
        removals,
        sync_rejections,
        sign_in_failures,
        sessions,
    })
}

//! Sessions in the database: a tower-sessions store over our one `AnyPool`, so that several
//! server instances share them and closing an account ends them all.
//!
//! The store keeps the person's id in its own column (copied from the session data) so that
//! "sign out everywhere" is one `DELETE`. Expired rows are ignored on load and swept whenever a
//! new session is created.
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use super::{now, Pool};
use crate::auth::{ACCOUNT_KEY, USER_KEY};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    pool: Pool,
}

impl DbSessionStore {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

/// The session's data as stored: without the account [`load`](DbSessionStore::load) left in it,
/// which is read again with every load and never kept.
fn stored_data(record: &Record) -> Result<String> {
    let kept: std::collections::BTreeMap<&String, &serde_json::Value> = record
        .data
        .iter()
        .filter(|(key, _)| key.as_str() != ACCOUNT_KEY)
        .collect();
    serde_json::to_string(&kept).map_err(|e| Error::Encode(e.to_string()))
}

fn user_of(record: &Record) -> Option<String> {
    record
        .data
        .get(USER_KEY)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(time::OffsetDateTime::now_utc().unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        let data = stored_data(record)?;
        let at = now();
        // A 128-bit random id colliding is all but impossible; if it happens, draw again.
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, user_id, data, expires_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(user_of(record))
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .bind(&at)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = stored_data(record)?;
        let at = now();
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id) DO UPDATE SET \
             user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at, \
             updated_at = excluded.updated_at",
        )
        .bind(record.id.to_string())
        .bind(user_of(record))
        .bind(&data)
        .bind(record.expiry_date.unix_timestamp())
        .bind(&at)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// The session, and with it, in the same query, the open account it is signed in to: left in
    /// the data under [`ACCOUNT_KEY`] (null for an account closed or gone), so that reading who
    /// is signed in asks the database once, not twice (`crate::auth::signed_in`).
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        type Row = (String, i64, Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT s.data, s.expires_at, u.id, u.display_name, u.role FROM sessions s \
             LEFT JOIN users u ON u.id = s.user_id AND u.closed_at IS NULL \
             WHERE s.id = $1 AND s.expires_at > $2",
        )
        .bind(id.to_string())
        .bind(time::OffsetDateTime::now_utc().unix_timestamp())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some((data, expires_at, user, name, role)) = row else {
            return Ok(None);
        };
        let mut record = Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| Error::Decode(e.to_string()))?,
        };
        if user_of(&record).is_some() {
            let account = match (user, name, role) {
                (Some(user), Some(name), Some(role)) => {
                    let me = super::users::me_from_row((user, name, role))
                        .map_err(|e| Error::Decode(e.to_string()))?;
                    serde_json::to_value(me).map_err(|e| Error::Decode(e.to_string()))?
                }
                _ => serde_json::Value::Null,
            };
            record.data.insert(ACCOUNT_KEY.to_owned(), account);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

//! All SQL, one module per aggregate (`ssr` only).
//!
//! One [`Pool`] serves both engines: sqlx's `Any` driver with queries written once in the
//! common dialect (`$1` placeholders work on SQLite and PostgreSQL). The price is a smaller set
//! of column types — UUIDs and timestamps are stored as text (RFC 3339, UTC) — which keeps every
//! query single-sourced instead of written twice. Migrations differ per engine and live in
//! `migrations/sqlite` and `migrations/postgres`.
use std::path::Path;

use sqlx::any::AnyPoolOptions;

use crate::config::{Backend, DatabaseUrl};

pub mod calendar;
pub mod cases;
pub mod demo;
pub mod groups;
pub mod needs;
pub mod offers;
pub mod records;
pub mod reference;
pub mod retention;
pub mod sessions;
mod settle;
pub mod sync;
pub mod throttle;
pub mod users;

pub(crate) use reference::parse_id;

pub type Pool = sqlx::AnyPool;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Why the database could not be opened or migrated, worded for the one line the server prints.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error(
        "cannot create the database folder {dir}: {source}. Make it writable or set DATABASE_URL"
    )]
    Folder { dir: String, source: std::io::Error },
    #[error("cannot open the database {url}: {reason}. Check DATABASE_URL and that the server is running")]
    Connect { url: String, reason: String },
    #[error("cannot migrate the database {url}: {reason}")]
    Migrate { url: String, reason: String },
}

/// Opens a pool, creating the SQLite file (and its folder) when missing, and runs migrations.
#[tracing::instrument(skip_all, fields(db = %url))]
pub async fn connect_and_migrate(url: &DatabaseUrl) -> Result<Pool, DbSetupError> {
    sqlx::any::install_default_drivers();
    if let Some(path) = url.sqlite_path() {
        ensure_writable_folder(&path)?;
    }
    let connect_error = |e: sqlx::Error| DbSetupError::Connect {
        url: url.to_string(),
        reason: short(&e),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(if url.backend() == Backend::Sqlite {
            8
        } else {
            16
        })
        .connect(&url.connect_url())
        .await
        .map_err(connect_error)?;
    if url.backend() == Backend::Sqlite {
        // WAL lets readers go on while one writer writes; it is stored in the file, once.
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&pool)
            .await
            .map_err(connect_error)?;
    }
    let migrate_error = |reason: String| DbSetupError::Migrate {
        url: url.to_string(),
        reason,
    };
    match url.backend() {
        Backend::Sqlite => migrate_sqlite(&pool).await.map_err(migrate_error)?,
        Backend::Postgres => POSTGRES_MIGRATIONS
            .run(&pool)
            .await
            .map_err(|e| migrate_error(e.to_string()))?,
    }
    Ok(pool)
}

/// SQLite changes a table's constraints only by rebuilding it, and its documented procedure
/// turns foreign keys off first (or dropping the old table would cascade into its children).
/// The pragma is ignored inside a transaction, and sqlx runs each migration in one, so the
/// migrations run on one connection with foreign keys off; afterwards every key is checked
/// and the connection goes back to the pool with them on.
async fn migrate_sqlite(pool: &Pool) -> Result<(), String> {
    let mut conn = pool.acquire().await.map_err(|e| short(&e))?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .map_err(|e| short(&e))?;
    let migrated = SQLITE_MIGRATIONS
        .run(&mut *conn)
        .await
        .map_err(|e| e.to_string());
    let violations = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| short(&e));
    let restored = sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
        .map_err(|e| short(&e));
    if restored.is_err() {
        // Never hand a connection without foreign keys back to the pool.
        conn.detach();
    }
    migrated?;
    restored?;
    match violations?.len() {
        0 => Ok(()),
        n => Err(format!("{n} rows break a foreign key after migrating")),
    }
}

/// Answers whether the database responds (for `/healthz`).
pub async fn ping(pool: &Pool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

fn ensure_writable_folder(db_file: &Path) -> Result<(), DbSetupError> {
    let dir = match db_file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let folder_error = |source| DbSetupError::Folder {
        dir: dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(folder_error)?;
    // Opening the database would fail later with a vaguer message; probe the folder now.
    let probe = dir.join(".samverka-write-probe");
    std::fs::write(&probe, b"").map_err(folder_error)?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The first line of a driver error: enough to act on, without dumping internals.
fn short(err: &sqlx::Error) -> String {
    err.to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Now, as stored: RFC 3339 in UTC with milliseconds (sorts as text).
pub fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

pub(crate) fn format_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Short lists (languages, skills) are stored as JSON arrays in one text column.
pub(crate) fn tags_to_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn tags_from_json(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

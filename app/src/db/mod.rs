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

pub mod demo;
pub mod reference;

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
    let migrator = match url.backend() {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .run(&pool)
        .await
        .map_err(|e| DbSetupError::Migrate {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
    Ok(pool)
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

//! Migrations keep what is already stored: a database made by the foundation migration, with
//! people, districts and group memberships, comes through the accounts migration (which
//! rebuilds `users` on SQLite) with every row intact.
use app::config::DatabaseUrl;
use sqlx::migrate::Migrator;

use crate::both_engines;
use crate::helpers::{spawn_app, Engine};

both_engines!(
    upgrading_a_foundation_database_keeps_people_and_memberships,
    |engine: Engine| async move {
        // A fresh, empty database of this engine (the app's own is dropped at the end).
        let app = spawn_app(engine).await;
        let url = match engine {
            Engine::Sqlite => app.database_url.replace("samverka.db", "old.db"),
            Engine::Postgres => {
                sqlx::query("DROP SCHEMA public CASCADE")
                    .execute(&app.pool)
                    .await
                    .unwrap();
                sqlx::query("CREATE SCHEMA public")
                    .execute(&app.pool)
                    .await
                    .unwrap();
                app.database_url.clone()
            }
        };
        let folder = match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        };
        let only_foundation = tempdir_with_first_migration(folder);
        let old = sqlx::AnyPool::connect(&format!(
            "{url}{}",
            if engine == Engine::Sqlite {
                "?mode=rwc"
            } else {
                ""
            }
        ))
        .await
        .unwrap();
        Migrator::new(only_foundation.as_path())
            .await
            .unwrap()
            .run(&old)
            .await
            .unwrap();
        for sql in [
            "INSERT INTO districts (id, slug, name) VALUES ('d1', 'boo', 'Boo')",
            "INSERT INTO users (id, display_name, email, password_hash, role) VALUES ('u1', 'Anna', 'anna@example.org', 'h', 'volunteer')",
            "INSERT INTO user_districts (user_id, district_id) VALUES ('u1', 'd1')",
            "INSERT INTO actors (id, name, kind) VALUES ('a1', 'Nattvandrarna', 'informal')",
            "INSERT INTO actor_members (actor_id, user_id, role) VALUES ('a1', 'u1', 'contact')",
        ] {
            sqlx::query(sql).execute(&old).await.unwrap();
        }
        old.close().await;

        let upgraded = app::db::connect_and_migrate(&DatabaseUrl::parse(&url).unwrap())
            .await
            .expect("the accounts migration runs on an old database");

        for (table, expected) in [("users", 1i64), ("user_districts", 1), ("actor_members", 1)] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&upgraded)
                .await
                .unwrap();
            assert_eq!(n, expected, "rows in {table}");
        }
        let (languages, closed): (String, Option<String>) =
            sqlx::query_as("SELECT languages, closed_at FROM users WHERE id = 'u1'")
                .fetch_one(&upgraded)
                .await
                .unwrap();
        assert_eq!((languages.as_str(), closed), ("[]", None));
        // Foreign keys are on again: a membership of nobody is refused.
        let orphan = sqlx::query(
            "INSERT INTO actor_members (actor_id, user_id, role) VALUES ('a1', 'nobody', 'member')",
        )
        .execute(&upgraded)
        .await;
        assert!(orphan.is_err(), "foreign keys are enforced after migrating");
        upgraded.close().await;
        let _ = std::fs::remove_dir_all(only_foundation);
    }
);

/// A folder holding a copy of the engine's first migration only.
fn tempdir_with_first_migration(folder: &str) -> std::path::PathBuf {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&source)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let dir = std::env::temp_dir().join(format!("samverka-migrations-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&files[0], dir.join(files[0].file_name().unwrap())).unwrap();
    dir
}

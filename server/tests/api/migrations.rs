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
        let only_foundation = tempdir_with_migrations(folder, 1);
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

/// A folder holding a copy of the engine's first `n` migrations only.
fn tempdir_with_migrations(folder: &str, n: usize) -> std::path::PathBuf {
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
    for file in &files[..n] {
        std::fs::copy(file, dir.join(file.file_name().unwrap())).unwrap();
    }
    dir
}

/// A database of this engine made by the migrations before `n`: answers its url and pool.
async fn old_database(
    app: &crate::helpers::TestApp,
    engine: Engine,
    n: usize,
) -> (String, sqlx::AnyPool, std::path::PathBuf) {
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
    let dir = tempdir_with_migrations(folder, n);
    let suffix = if engine == Engine::Sqlite {
        "?mode=rwc"
    } else {
        ""
    };
    let old = sqlx::AnyPool::connect(&format!("{url}{suffix}"))
        .await
        .unwrap();
    Migrator::new(dir.as_path())
        .await
        .unwrap()
        .run(&old)
        .await
        .unwrap();
    (url, old, dir)
}

both_engines!(
    offers_made_before_many_kinds_keep_everything_and_are_pulled_as_before,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        // The four migrations before records of many kinds (issue 9).
        let (url, old, dir) = old_database(&app, engine, 4).await;
        let body = r#"{"availability":{"type":"weekly","windows":[{"weekday":5,"from":"22:00","to":"02:00"}],"valid_from":null,"valid_until":null},"districts":["00000000-0000-0000-0000-0000000000d1","00000000-0000-0000-0000-0000000000d2"],"areas":["00000000-0000-0000-0000-0000000000a1"],"skills":["första hjälpen","Läxhjälp"],"languages":["svenska"],"note":"Nattvandring","paused":true}"#;
        let user = uuid::Uuid::new_v4().to_string();
        for (sql, binds) in [
            ("INSERT INTO users (id, display_name, email, password_hash, role) VALUES ($1, 'Anna', 'anna@example.org', 'h', 'volunteer')", vec![user.clone()]),
            ("INSERT INTO offers (id, owner_id, body, version, created_at, updated_at) VALUES ('00000000-0000-0000-0000-0000000000f1', $1, $2, 7, '2026-11-24T10:00:00.000Z', '2026-11-24T10:00:00.000Z')", vec![user.clone(), body.to_owned()]),
            ("INSERT INTO offers (id, owner_id, body, version, removed_at, created_at, updated_at) VALUES ('00000000-0000-0000-0000-0000000000f2', $1, NULL, 9, '2026-11-25T10:00:00.000Z', '2026-11-24T10:00:00.000Z', '2026-11-25T10:00:00.000Z')", vec![user.clone()]),
            ("UPDATE sync_counter SET value = 9 WHERE id = 1", vec![]),
        ] {
            let mut query = sqlx::query(sql);
            for b in binds {
                query = query.bind(b);
            }
            query.execute(&old).await.unwrap();
        }
        old.close().await;

        let upgraded = app::db::connect_and_migrate(&DatabaseUrl::parse(&url).unwrap())
            .await
            .expect("the records migration runs on an old database");

        let (kept, availability, paused): (String, Option<String>, i64) = sqlx::query_as(
            "SELECT body, availability, paused FROM offers WHERE id = '00000000-0000-0000-0000-0000000000f1'",
        )
        .fetch_one(&upgraded)
        .await
        .unwrap();
        assert_eq!(kept, body, "the body is kept as it was");
        assert_eq!((availability.as_deref(), paused), (Some("weekly"), 1));
        let tags: Vec<(String, String, String)> =
            sqlx::query_as("SELECT kind, tag, folded FROM offer_tags ORDER BY kind, tag")
                .fetch_all(&upgraded)
                .await
                .unwrap();
        assert_eq!(
            tags,
            vec![
                ("language".into(), "svenska".into(), "svenska".into()),
                ("skill".into(), "Läxhjälp".into(), "läxhjälp".into()),
                (
                    "skill".into(),
                    "första hjälpen".into(),
                    "första hjälpen".into()
                ),
            ]
        );
        let (districts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM offer_districts")
            .fetch_one(&upgraded)
            .await
            .unwrap();
        let (areas,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM offer_priority_areas")
            .fetch_one(&upgraded)
            .await
            .unwrap();
        assert_eq!((districts, areas), (2, 1));
        // Sync knows both records: the live one in its owner's scope, the removed one too.
        let records: Vec<(String, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT id, kind, version, removed_at FROM sync_records ORDER BY version",
        )
        .fetch_all(&upgraded)
        .await
        .unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!((records[0].1.as_str(), records[0].2), ("offer", 7));
        assert!(records[1].3.is_some());
        let owner: uuid::Uuid = user.parse().unwrap();
        let everything = app::db::sync::pull(&upgraded, owner, &Default::default(), 100)
            .await
            .unwrap();
        assert_eq!(
            everything.records.len(),
            1,
            "a device that has nothing gets the live offer"
        );
        let mut cursors = std::collections::BTreeMap::new();
        cursors.insert(format!("o:{owner}"), 6);
        let since = app::db::sync::pull(&upgraded, owner, &cursors, 100)
            .await
            .unwrap();
        let versions: Vec<i64> = since.records.iter().map(|r| r.version).collect();
        assert_eq!(
            versions,
            vec![7, 9],
            "a phone of the previous version catches up, removal included"
        );
        assert!(since.records[1].data.is_none());
        upgraded.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
);

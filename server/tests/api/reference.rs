use app::db::demo;
use app::domain::ReferenceData;

use crate::both_engines;
use crate::helpers::{spawn_app, spawn_demo_app, Engine};

both_engines!(
    reference_data_lists_the_demo_areas_and_districts_in_order,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;

        let response = app.get("/api/reference-data").await;

        assert_eq!(response.status(), 200);
        let data: ReferenceData = response.json().await.unwrap();
        let areas: Vec<&str> = data
            .priority_areas
            .iter()
            .map(|a| a.name.sv.as_str())
            .collect();
        assert_eq!(
            areas,
            [
                "Gemenskap, sammanhang och livskvalitet",
                "Trygg i hela Nacka",
                "En hållbar och miljösmart kommun"
            ]
        );
        assert_eq!(data.priority_areas[1].name.en, "Safe throughout Nacka");
        let districts: Vec<&str> = data.districts.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            districts,
            [
                "Sicklaön",
                "Boo",
                "Fisksätra",
                "Saltsjöbaden",
                "Älta",
                "Orminge"
            ]
        );
    }
);

both_engines!(
    reference_data_answers_an_opaque_internal_error_when_the_database_is_gone,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.pool.close().await;

        let response = app.get("/api/reference-data").await;

        assert_eq!(response.status(), 500);
        assert_eq!(
            response.text().await.unwrap(),
            r#""Internal""#,
            "no driver message reaches the client"
        );
    }
);

both_engines!(
    reference_data_is_empty_without_demo_data,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let data: ReferenceData = app.get("/api/reference-data").await.json().await.unwrap();

        assert_eq!(data, ReferenceData::default());
    }
);

both_engines!(
    demo_seed_can_run_again_without_duplicates,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;

        demo::seed(&app.pool).await.expect("second seed succeeds");

        for (table, expected) in [
            ("priority_areas", 3i64),
            ("districts", 6),
            ("users", demo::DEMO_LOGINS.len() as i64),
            ("actors", 3),
            ("actor_members", 4),
            ("actor_events", 4),
            // The three named needs, two activities and 300 older needs; Anna's two offers.
            ("needs", 305),
            ("offers", 2),
            // Eight weeks of walks and café evenings, and a year of past walks.
            ("occasions", 8 + 8 + 52),
            // Eight on coming evenings, and two or three on each past walk.
            ("sign_ups", 8 + 26 * 3 + 26 * 2),
            // Every request to the municipality has its case: the three named and 200 older.
            ("cases", 203),
            ("sync_records", 305 + 2 + 68 + 138 + 203),
        ] {
            let (count,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&app.pool)
                .await
                .unwrap();
            assert_eq!(count, expected, "rows in {table}");
        }
        let (informal, formal): (i64, i64) = sqlx::query_as(
            "SELECT SUM(CASE WHEN org_number IS NULL THEN 1 ELSE 0 END), \
                SUM(CASE WHEN org_number IS NULL THEN 0 ELSE 1 END) FROM actors",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(
            (informal, formal),
            (2, 1),
            "two informal groups, one association"
        );
    }
);

both_engines!(
    server_function_refuses_the_wrong_method_without_a_500,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let response = app
            .client
            .delete(app.url("/api/reference-data"))
            .send()
            .await
            .unwrap();

        assert!(response.status().is_client_error(), "{}", response.status());
    }
);

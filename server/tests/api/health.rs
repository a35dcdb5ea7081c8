use crate::both_engines;
use crate::helpers::{spawn_app, Engine};

both_engines!(
    healthz_answers_ok_when_the_database_answers,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let response = app.get("/healthz").await;

        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({ "status": "ok", "database": "ok" })
        );
    }
);

both_engines!(
    healthz_answers_503_without_details_when_the_database_is_gone,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.pool.close().await;

        let response = app.get("/healthz").await;

        assert_eq!(response.status(), 503);
        let body = response.text().await.unwrap();
        assert_eq!(body, r#"{"status":"unavailable","database":"unavailable"}"#);
    }
);

both_engines!(
    server_stops_gracefully_when_asked,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        assert_eq!(app.get("/healthz").await.status(), 200);

        let result = app.stop().await;

        assert!(result.is_ok(), "{result:?}");
    }
);

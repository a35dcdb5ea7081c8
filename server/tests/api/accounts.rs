//! Sign-up, sign-in and out, sessions, throttling, profile, my data, closing an account.
use app::domain::account::{MyData, Profile};
use app::domain::Me;
use serde_json::{json, Value};

use crate::both_engines;
use crate::helpers::{spawn_app, spawn_demo_app, spawn_sibling, Engine, TestApp, TEST_PASSWORD};

async fn me(app: &TestApp, client: &reqwest::Client) -> Option<Me> {
    let response = app.get_with(client, "/api/me").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The message keys of a 422 answer, by field.
async fn field_errors(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 422, "a validation error");
    let body: Value = response.json().await.unwrap();
    body["Validation"].clone()
}

both_engines!(
    sign_up_creates_a_volunteer_and_signs_them_in,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let client = app.new_client();

        let response = app
            .post(
                &client,
                "/api/sign-up",
                json!({"form": {
                    "name": "Anna",
                    "contact": "070-123 45 67",
                    "password": TEST_PASSWORD,
                    "districts": [district],
                    "accept_privacy": true,
                    "languages": "svenska, arabiska",
                }}),
            )
            .await;

        assert_eq!(response.status(), 200);
        let cookie = response
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("samverka_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(
            !cookie.contains("Secure"),
            "plain HTTP in development: {cookie}"
        );
        let signed_in = me(&app, &client).await.expect("signed in");
        assert_eq!(signed_in.name, "Anna");
        let (phone, languages, accepted): (String, String, Option<String>) =
            sqlx::query_as("SELECT phone, languages, privacy_accepted_at FROM users WHERE id = $1")
                .bind(signed_in.id.to_string())
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(phone, "+46701234567", "stored in E.164");
        assert_eq!(languages, r#"["svenska","arabiska"]"#);
        assert!(accepted.is_some(), "when the privacy notice was accepted");
    }
);

both_engines!(
    sign_up_with_bad_input_names_each_field_and_stores_nothing,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let client = app.new_client();

        let response = app
            .post(
                &client,
                "/api/sign-up",
                json!({"form": {
                    "name": " ",
                    "contact": "anna@localhost",
                    "password": "kort",
                    "districts": [],
                    "accept_privacy": false,
                }}),
            )
            .await;

        let errors = field_errors(response).await;
        assert_eq!(errors["name"], json!(["required"]));
        assert_eq!(errors["contact"], json!(["email_invalid_domain"]));
        assert_eq!(errors["password"], json!(["password_too_short"]));
        assert_eq!(errors["districts"], json!(["choose_one"]));
        assert_eq!(errors["accept_privacy"], json!(["privacy_required"]));
        assert_eq!(app.count("users").await, 0);
    }
);

both_engines!(
    sign_up_refuses_a_contact_that_already_has_an_account,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.volunteer("anna@example.org").await;
        let district = app.first_district().await;

        let response = app
            .post(
                &app.new_client(),
                "/api/sign-up",
                json!({"form": {
                    "name": "Anna igen", "contact": "ANNA@example.org", "password": TEST_PASSWORD,
                    "districts": [district], "accept_privacy": true,
                }}),
            )
            .await;

        assert_eq!(
            field_errors(response).await["contact"],
            json!(["contact_taken"])
        );
        assert_eq!(app.count("users").await, 1);
    }
);

both_engines!(
    sign_up_refuses_an_unknown_district,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.first_district().await;

        let response = app
            .post(
                &app.new_client(),
                "/api/sign-up",
                json!({"form": {
                    "name": "Anna", "contact": "anna@example.org", "password": TEST_PASSWORD,
                    "districts": [uuid::Uuid::new_v4()], "accept_privacy": true,
                }}),
            )
            .await;

        assert_eq!(
            field_errors(response).await["districts"],
            json!(["unknown_choice"])
        );
        assert_eq!(app.count("users").await, 0);
    }
);

both_engines!(
    malformed_oversized_and_mistyped_requests_get_a_4xx_never_a_500,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let client = app.new_client();
        let send = |body: String| {
            client
                .post(app.url("/api/sign-up"))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };

        let not_json = send("this is not json".into()).await.unwrap();
        let wrong_type = send(r#"{"form": {"name": 5}}"#.into()).await.unwrap();
        let missing = send("{}".into()).await.unwrap();
        let huge = send(format!(
            r#"{{"form": {{"name": "{}"}}}}"#,
            "x".repeat(100 * 1024)
        ))
        .await
        .unwrap();
        let long_name = app
            .post(
                &client,
                "/api/sign-up",
                json!({"form": {"name": "x".repeat(81), "contact": "a@b.se", "password": TEST_PASSWORD,
                    "districts": [], "accept_privacy": true}}),
            )
            .await;

        assert_eq!(not_json.status(), 422);
        assert_eq!(
            not_json.json::<Value>().await.unwrap(),
            json!({"Validation": {"request": ["malformed"]}})
        );
        assert_eq!(wrong_type.status(), 422);
        assert_eq!(missing.status(), 422);
        assert_eq!(huge.status(), 413);
        assert_eq!(field_errors(long_name).await["name"], json!(["too_long"]));
        assert_eq!(app.count("users").await, 0);
    }
);

both_engines!(
    unknown_account_and_wrong_password_get_the_same_answer,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.volunteer("anna@example.org").await;

        let wrong = app
            .post(
                &app.new_client(),
                "/api/log-in",
                json!({"form": {"contact": "anna@example.org", "password": "fel lösenord"}}),
            )
            .await;
        let unknown = app
            .post(
                &app.new_client(),
                "/api/log-in",
                json!({"form": {"contact": "nobody@example.org", "password": "fel lösenord"}}),
            )
            .await;

        assert_eq!(wrong.status(), unknown.status());
        assert_eq!(wrong.status(), 422);
        assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
    }
);

both_engines!(
    repeated_wrong_passwords_slow_the_account_down_but_never_lock_the_owner_out,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.volunteer("anna@example.org").await;
        let attempt = |password: &'static str| {
            let client = app.new_client();
            let app = &app;
            async move {
                app.post(
                    &client,
                    "/api/log-in",
                    json!({"form": {"contact": "Anna@Example.org", "password": password}}),
                )
                .await
            }
        };

        for _ in 0..app::domain::throttle::ACCOUNT.free {
            assert_eq!(attempt("fel lösenord").await.status(), 422);
        }
        let throttled = attempt(TEST_PASSWORD).await;

        assert_eq!(throttled.status(), 429, "even the right password waits");
        let body: Value = throttled.json().await.unwrap();
        let wait = body["TooManyRequests"]["retry_after_secs"]
            .as_u64()
            .unwrap();
        assert!(wait > 0 && wait <= app::domain::throttle::ACCOUNT.max_secs);
        // The same for an account that does not exist: nothing to learn from the answer.
        for _ in 0..app::domain::throttle::ACCOUNT.free {
            app.post(
                &app.new_client(),
                "/api/log-in",
                json!({"form": {"contact": "nobody@example.org", "password": "x"}}),
            )
            .await;
        }

        // The wait passes (moved into the past here), and the owner gets in.
        sqlx::query("UPDATE login_throttle SET last_failure_at = last_failure_at - 3600")
            .execute(&app.pool)
            .await
            .unwrap();
        assert_eq!(attempt(TEST_PASSWORD).await.status(), 200);
        let (left,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM login_throttle WHERE key = 'acct:anna@example.org'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(left, 0, "a success clears the account's failures");
    }
);

both_engines!(
    many_failures_from_one_address_slow_it_down_without_shutting_out_the_right_password,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.volunteer("anna@example.org").await;

        for i in 0..=app::domain::throttle::ADDRESS.free {
            let response = app
                .post(
                    &app.new_client(),
                    "/api/log-in",
                    json!({"form": {"contact": format!("guess{i}@example.org"), "password": "x"}}),
                )
                .await;
            assert_eq!(response.status(), 422);
        }
        let (failures,): (i64,) =
            sqlx::query_as("SELECT failures FROM login_throttle WHERE key = 'addr:127.0.0.1'")
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert!(failures > i64::from(app::domain::throttle::ADDRESS.free));
        let next = app
            .post(
                &app.new_client(),
                "/api/log-in",
                json!({"form": {"contact": "anna@example.org", "password": TEST_PASSWORD}}),
            )
            .await;

        assert_eq!(
            next.status(),
            200,
            "a school behind one address still gets in"
        );
    }
);

both_engines!(
    sessions_live_in_the_database_and_log_out_ends_them,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (client, id) = app.volunteer("anna@example.org").await;
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(id.to_string())
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(rows, 1);

        // Another server instance on the same database knows the session.
        let sibling = spawn_sibling(&app).await;
        let on_sibling: Option<Me> = client
            .get(format!("{sibling}/api/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(on_sibling.map(|m| m.id), Some(id));

        let response = app.post(&client, "/api/log-out", json!({})).await;
        assert_eq!(response.status(), 200);
        assert_eq!(me(&app, &client).await, None);
        assert_eq!(app.count("sessions").await, 0);
    }
);

both_engines!(
    a_tampered_session_cookie_is_nobody,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        app.volunteer("anna@example.org").await;
        let (sid,): (String,) = sqlx::query_as("SELECT id FROM sessions")
            .fetch_one(&app.pool)
            .await
            .unwrap();

        // The raw id without the signature, as someone who read the database might try.
        let response = app
            .client
            .get(app.url("/api/me"))
            .header("cookie", format!("samverka_session={sid}"))
            .send()
            .await
            .unwrap();

        assert_eq!(response.json::<Option<Me>>().await.unwrap(), None);
    }
);

both_engines!(
    a_request_from_another_site_is_refused_and_changes_nothing,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let form = json!({"form": {
            "name": "Anna", "contact": "anna@example.org", "password": TEST_PASSWORD,
            "districts": [district], "accept_privacy": true,
        }});

        let foreign = app
            .client
            .post(app.url("/api/sign-up"))
            .header("origin", "https://evil.example")
            .json(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 403);
        assert_eq!(foreign.text().await.unwrap(), r#""Forbidden""#);
        assert_eq!(app.count("users").await, 0);

        let own = app.address.clone();
        let same = app
            .client
            .post(app.url("/api/sign-up"))
            .header("origin", own)
            .json(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(same.status(), 200);
    }
);

both_engines!(
    profile_can_be_completed_later_and_only_by_its_owner,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, _) = app.volunteer("anna@example.org").await;
        let (omar, omar_id) = app.volunteer("omar@example.org").await;
        let district = app.first_district().await;

        let anonymous = app
            .post(
                &app.new_client(),
                "/api/update-profile",
                json!({"form": {
            "name": "X", "email": "x@example.org", "phone": "", "districts": [district],
            "languages": "", "skills": ""}}),
            )
            .await;
        assert_eq!(anonymous.status(), 401);

        let taken = app
            .post(
                &anna,
                "/api/update-profile",
                json!({"form": {
            "name": "Anna", "email": "omar@example.org", "phone": "", "districts": [district],
            "languages": "", "skills": ""}}),
            )
            .await;
        assert_eq!(field_errors(taken).await["email"], json!(["contact_taken"]));

        let updated = app.post(&anna, "/api/update-profile", json!({"form": {
            "name": "Anna L", "email": "anna@example.org", "phone": "0701234567",
            "districts": [district], "languages": "svenska", "skills": "första hjälpen, laga mat"}})).await;
        assert_eq!(updated.status(), 200);

        let profile: Profile = app
            .get_with(&anna, "/api/profile")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(profile.name, "Anna L");
        assert_eq!(profile.phone.as_deref(), Some("+46701234567"));
        assert_eq!(profile.skills, ["första hjälpen", "laga mat"]);
        let omars: Profile = app
            .get_with(&omar, "/api/profile")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            omars.name,
            format!("Volontär omar@example.org"),
            "{omar_id}: untouched"
        );
    }
);

both_engines!(
    changing_the_password_needs_the_current_one_and_signs_out_other_devices,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (phone, _) = app.volunteer("anna@example.org").await;
        let laptop = app.signed_in("anna@example.org", TEST_PASSWORD).await;

        let wrong = app
            .post(
                &phone,
                "/api/change-password",
                json!({"form": {
            "current": "inte rätt lösenord", "new": "ett helt nytt lösenord"}}),
            )
            .await;
        assert_eq!(
            field_errors(wrong).await["current"],
            json!(["password_wrong"])
        );

        let changed = app
            .post(
                &phone,
                "/api/change-password",
                json!({"form": {
            "current": TEST_PASSWORD, "new": "ett helt nytt lösenord"}}),
            )
            .await;
        assert_eq!(changed.status(), 200);
        assert!(
            me(&app, &phone).await.is_some(),
            "this device stays signed in"
        );
        assert!(
            me(&app, &laptop).await.is_none(),
            "the other one is signed out"
        );
        app.signed_in("anna@example.org", "ett helt nytt lösenord")
            .await;
    }
);

both_engines!(
    my_data_shows_and_exports_everything_about_me_only,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let anna = app
            .signed_in("anna@example.org", app::db::demo::DEMO_PASSWORD)
            .await;

        let anonymous = app.get_with(&app.new_client(), "/api/my-data.json").await;
        assert_eq!(anonymous.status(), 401);

        let export = app.get_with(&anna, "/api/my-data.json").await;
        assert_eq!(export.status(), 200);
        assert!(export.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let data: MyData = export.json().await.unwrap();
        assert_eq!(data.email.as_deref(), Some("anna@example.org"));
        assert_eq!(data.districts, ["Sicklaön", "Fisksätra"]);
        assert_eq!(data.groups.len(), 1);
        assert_eq!(data.groups[0].name, "Föräldranärvaro Sicklaön");
        assert_eq!(data.sessions.len(), 1);
        assert!(data.sessions[0].current);
        assert!(data.privacy_accepted_at.is_some());
    }
);

both_engines!(
    closing_an_account_removes_personal_data_and_keeps_a_pseudonym,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let karin = app
            .signed_in("karin@example.org", app::db::demo::DEMO_PASSWORD)
            .await;
        let karin_id = me(&app, &karin).await.unwrap().id;
        let users_before = app.count("users").await;

        let wrong = app
            .post(
                &karin,
                "/api/close-account",
                json!({"password": "fel lösenord"}),
            )
            .await;
        assert_eq!(
            field_errors(wrong).await["password"],
            json!(["password_wrong"])
        );
        assert!(me(&app, &karin).await.is_some(), "nothing happened");

        let closed = app
            .post(
                &karin,
                "/api/close-account",
                json!({"password": app::db::demo::DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(closed.status(), 200);

        assert_eq!(me(&app, &karin).await, None, "signed out");
        let (name, email, phone, hash, closed_at): (
            String,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT display_name, email, phone, password_hash, closed_at FROM users WHERE id = $1",
        )
        .bind(karin_id.to_string())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(name, app::db::users::pseudonym(karin_id));
        assert!(!name.contains("Karin"));
        assert_eq!((email, phone, hash.as_str()), (None, None, ""));
        assert!(closed_at.is_some());
        assert_eq!(
            app.count("users").await,
            users_before,
            "the row stays as a pseudonym"
        );
        let (memberships,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM actor_members WHERE user_id = $1")
                .bind(karin_id.to_string())
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(memberships, 0);
        let (kept,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM actor_events WHERE user_id = $1 AND kind = 'left'",
        )
        .bind(karin_id.to_string())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(
            kept, 1,
            "the group's history says a (pseudonymous) person left"
        );
        let again = app
            .post(
                &app.new_client(),
                "/api/log-in",
                json!({"form": {"contact": "karin@example.org", "password": app::db::demo::DEMO_PASSWORD}}),
            )
            .await;
        assert_eq!(again.status(), 422, "the account is gone");
        // The address is free again.
        app.volunteer("karin@example.org").await;
    }
);

both_engines!(
    account_operations_need_a_signed_in_person,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let nobody = app.new_client();

        for path in [
            "/api/profile",
            "/api/my-data",
            "/api/my-groups",
            "/api/groups",
            "/api/staff",
        ] {
            assert_eq!(app.get_with(&nobody, path).await.status(), 401, "{path}");
        }
        let closing = app
            .post(&nobody, "/api/close-account", json!({"password": "x"}))
            .await;
        assert_eq!(closing.status(), 401);
        assert_eq!(me(&app, &nobody).await, None);
    }
);

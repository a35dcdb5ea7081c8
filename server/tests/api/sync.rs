//! Sync over HTTP: push applies each change once, pull never skips and shows only one's own,
//! and every kind of bad push gets its own 4xx, is recorded, and changes nothing.
use app::sync::protocol::*;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_engines;
use crate::helpers::{spawn_app, Engine, TestApp};

/// An offer as a phone sends it: flexible, in `district`.
pub fn offer_json(district: Uuid, note: &str) -> Value {
    json!({
        "availability": {"type": "flexible"},
        "districts": [district],
        "areas": [],
        "skills": ["första hjälpen"],
        "languages": ["svenska"],
        "note": note,
        "paused": false,
    })
}

fn create(seq: u64, record: Uuid, district: Uuid) -> Value {
    json!({"id": Uuid::new_v4(), "seq": seq, "record": record, "kind": "offer",
           "op": {"create": offer_json(district, "Kvällar")}})
}

async fn push(app: &TestApp, client: &reqwest::Client, body: Value) -> (u16, Value) {
    let response = app.post(client, PUSH_PATH, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A pull, written as a query for short tests: `protocol=2&cursor=41&limit=10&context=1`.
/// `cursor=N` stands for every scope the person has (their own, and their districts'; these
/// tests' volunteers are in no group) at `N`, and the answer gets a `cursor`: the person's
/// own scope's new cursor.
async fn pull(app: &TestApp, client: &reqwest::Client, query: &str) -> (u16, Value) {
    let me: Value = app
        .get_with(client, "/api/me")
        .await
        .json()
        .await
        .unwrap_or(Value::Null);
    let mut scopes = Vec::new();
    if let Some(id) = me["id"].as_str() {
        scopes.push(format!("o:{id}"));
        let districts: Vec<(String,)> =
            sqlx::query_as("SELECT district_id FROM user_districts WHERE user_id = $1")
                .bind(id)
                .fetch_all(&app.pool)
                .await
                .unwrap();
        scopes.extend(districts.into_iter().map(|(d,)| format!("p:{d}")));
    }
    let mut body = json!({"cursors": {}});
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap();
        let number = || {
            value
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::from(value))
        };
        match key {
            "protocol" | "limit" => body[key] = number(),
            "context" => body["context"] = json!(value == "1"),
            "cursor" => {
                for scope in &scopes {
                    body["cursors"][scope] = number();
                }
            }
            _ => panic!("unknown pull parameter {key}"),
        }
    }
    let response = app.post(client, PULL_PATH, body).await;
    let status = response.status().as_u16();
    let mut answer = response.json().await.unwrap_or(Value::Null);
    if let Some(own) = scopes.first() {
        answer["cursor"] = answer["cursors"][own].clone();
    }
    (status, answer)
}

async fn counter(app: &TestApp) -> i64 {
    let (value,): (i64,) = sqlx::query_as("SELECT value FROM sync_counter WHERE id = 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    value
}

both_engines!(
    a_resent_push_is_applied_once_and_answered_the_same,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (client, _) = app.volunteer("ana@example.org").await;
        let district = app.first_district().await;
        let device = Uuid::new_v4();
        let record = Uuid::new_v4();
        let body = json!({"protocol": PROTOCOL, "device": device, "changes": [
            create(1, record, district),
            {"id": Uuid::new_v4(), "seq": 2, "record": record, "kind": "offer", "op": {"update": {"paused": true}}},
        ]});

        let (first_status, first) = push(&app, &client, body.clone()).await;
        let after_first = counter(&app).await;
        let (second_status, second) = push(&app, &client, body).await;

        assert_eq!((first_status, second_status), (200, 200));
        assert_eq!(first, second, "a resend gets the first answer");
        assert_eq!(first["results"][1]["outcome"]["status"], "applied");
        assert_eq!(counter(&app).await, after_first, "nothing applied twice");
        assert_eq!(app.count("sync_changes").await, 2);
        let (status, page) = pull(&app, &client, "protocol=2&context=1").await;
        assert_eq!(status, 200);
        assert_eq!(page["records"].as_array().unwrap().len(), 1);
        assert_eq!(page["records"][0]["data"]["body"]["paused"], true);
        assert_eq!(page["records"][0]["data"]["kind"], "offer");
        assert_eq!(page["cursor"], after_first);
        assert_eq!(page["context"]["me"]["name"], "Volontär ana@example.org");
        assert_eq!(page["context"]["groups"], json!([]));
        assert_eq!(page["context"]["profile"]["districts"], json!([district]));
    }
);

both_engines!(
    an_edit_after_a_removal_is_refused_with_the_reason,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (client, _) = app.volunteer("ana@example.org").await;
        let district = app.first_district().await;
        let (phone, tablet) = (Uuid::new_v4(), Uuid::new_v4());
        let record = Uuid::new_v4();
        push(
            &app,
            &client,
            json!({"protocol": PROTOCOL, "device": phone, "changes": [create(1, record, district)]}),
        )
        .await;
        push(
            &app,
            &client,
            json!({"protocol": PROTOCOL, "device": phone, "changes": [
        {"id": Uuid::new_v4(), "seq": 2, "record": record, "kind": "offer", "op": "delete"}]}),
        )
        .await;

        let (status, answer) = push(&app, &client, json!({"protocol": PROTOCOL, "device": tablet, "changes": [
        {"id": Uuid::new_v4(), "seq": 1, "record": record, "kind": "offer", "op": {"update": {"note": "Helger"}}}]})).await;

        assert_eq!(status, 200);
        assert_eq!(
            answer["results"][0]["outcome"],
            json!({"status": "refused", "reason": {"code": "removed"}})
        );
        let (_, page) = pull(&app, &client, "protocol=2&cursor=0").await;
        assert_eq!(
            page["records"][0]["data"],
            Value::Null,
            "the removal travels as a tombstone"
        );
    }
);

both_engines!(
    a_person_pulls_only_their_own_offers,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (ana, _) = app.volunteer("ana@example.org").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let district = app.first_district().await;
        push(&app, &ana, json!({"protocol": PROTOCOL, "device": Uuid::new_v4(), "changes": [create(1, Uuid::new_v4(), district)]})).await;

        let (_, page) = pull(&app, &bo, "protocol=2").await;

        assert_eq!(page["records"], json!([]));
        let (status, _) = pull(&app, &app.new_client(), "protocol=2").await;
        assert_eq!(status, 401);
    }
);

both_engines!(
    bad_pushes_get_their_own_answer_are_recorded_and_change_nothing,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (ana, _) = app.volunteer("ana@example.org").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let district = app.first_district().await;
        let anas = Uuid::new_v4();
        let ana_device = Uuid::new_v4();
        push(
            &app,
            &ana,
            json!({"protocol": PROTOCOL, "device": ana_device, "changes": [create(1, anas, district)]}),
        )
        .await;
        let (offers, changes, value) = (
            app.count("offers").await,
            app.count("sync_changes").await,
            counter(&app).await,
        );
        let bo_device = Uuid::new_v4();
        let bad = Uuid::new_v4();
        let too_many: Vec<Value> = (1..=(MAX_CHANGES_PER_PUSH as u64 + 1))
            .map(|s| create(s, Uuid::new_v4(), district))
            .collect();

        let cases: Vec<(&str, Value, u16, &str)> = vec![
            ("not a push", json!("hello"), 400, "malformed"),
            (
                "an old client",
                json!({"protocol": 0, "device": bo_device, "changes": []}),
                426,
                "update_required",
            ),
            (
                "an unknown kind",
                json!({"protocol": PROTOCOL, "device": bo_device, "changes": [
            {"id": bad, "seq": 1, "record": Uuid::new_v4(), "kind": "spaceship", "op": "delete"}]}),
                422,
                "unknown_kind",
            ),
            (
                "someone else's offer",
                json!({"protocol": PROTOCOL, "device": bo_device, "changes": [
            create(1, Uuid::new_v4(), district),
            {"id": bad, "seq": 2, "record": anas, "kind": "offer", "op": "delete"}]}),
                403,
                "foreign_record",
            ),
            (
                "someone else's device",
                json!({"protocol": PROTOCOL, "device": ana_device, "changes": [create(2, Uuid::new_v4(), district)]}),
                403,
                "foreign_device",
            ),
            (
                "a sequence gap",
                json!({"protocol": PROTOCOL, "device": bo_device, "changes": [create(3, Uuid::new_v4(), district)]}),
                409,
                "sequence_gap",
            ),
            (
                "too many changes",
                json!({"protocol": PROTOCOL, "device": bo_device, "changes": too_many}),
                413,
                "too_large",
            ),
            (
                "a wrongly shaped offer",
                json!({"protocol": PROTOCOL, "device": bo_device, "changes": [
            {"id": bad, "seq": 1, "record": Uuid::new_v4(), "kind": "offer", "op": {"create": {"note": 5}}}]}),
                400,
                "malformed",
            ),
        ];
        let mut recorded = app.count("sync_rejections").await;
        for (what, body, status, reason) in cases {
            let (got, answer) = push(&app, &bo, body).await;
            assert_eq!(got, status, "{what}: {answer}");
            assert_eq!(answer["reason"], reason, "{what}");
            recorded += 1;
            assert_eq!(
                app.count("sync_rejections").await,
                recorded,
                "{what} is recorded"
            );
        }

        let (_, gap) = push(&app, &bo, json!({"protocol": PROTOCOL, "device": bo_device, "changes": [create(3, Uuid::new_v4(), district)]})).await;
        assert_eq!(gap["expected_seq"], 1);
        assert_eq!(
            (
                app.count("offers").await,
                app.count("sync_changes").await,
                counter(&app).await
            ),
            (offers, changes, value)
        );
        assert_eq!(
            app.count("sync_devices").await,
            1,
            "no device was registered by a refused push"
        );
        let (status, _) = pull(&app, &bo, "protocol=7").await;
        assert_eq!(status, 426);
        let (status, answer) = pull(&app, &bo, "protocol=2&cursor=abc").await;
        assert_eq!(
            (status, answer["reason"].as_str()),
            (400, Some("malformed"))
        );
        let signed_out = app.new_client();
        let (status, _) = push(
            &app,
            &signed_out,
            json!({"protocol": PROTOCOL, "device": bo_device, "changes": []}),
        )
        .await;
        assert_eq!(status, 401);
    }
);

both_engines!(
    a_push_over_the_byte_limit_is_refused,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (ana, _) = app.volunteer("ana@example.org").await;
        let padding = "x".repeat(MAX_PUSH_BYTES);
        let (status, answer) = push(
            &app,
            &ana,
            json!({"protocol": PROTOCOL, "device": Uuid::new_v4(), "changes": [], "padding": padding}),
        )
        .await;
        assert_eq!(
            (status, answer["reason"].as_str()),
            (413, Some("too_large"))
        );
        let huge = "x".repeat(3 * MAX_PUSH_BYTES);
        let (status, _) = push(&app, &ana, json!({"padding": huge})).await;
        assert_eq!(status, 413);
        assert_eq!(app.count("offers").await, 0);
    }
);

both_engines!(
    an_old_cursor_gets_a_reset_once_removals_are_forgotten,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (ana, _) = app.volunteer("ana@example.org").await;
        let district = app.first_district().await;
        let device = Uuid::new_v4();
        let (kept, removed) = (Uuid::new_v4(), Uuid::new_v4());
        push(
            &app,
            &ana,
            json!({"protocol": PROTOCOL, "device": device, "changes": [
        create(1, kept, district), create(2, removed, district)]}),
        )
        .await;
        let (_, before) = pull(&app, &ana, "protocol=2").await;
        let old_cursor = before["cursor"].as_i64().unwrap();
        push(
            &app,
            &ana,
            json!({"protocol": PROTOCOL, "device": device, "changes": [
        {"id": Uuid::new_v4(), "seq": 3, "record": removed, "kind": "offer", "op": "delete"}]}),
        )
        .await;
        let (_, current) = pull(&app, &ana, &format!("protocol=2&cursor={old_cursor}")).await;
        let new_cursor = current["cursor"].as_i64().unwrap();

        let recent = app::db::sync::forget_old_removals(&app.pool, 90)
            .await
            .unwrap();
        let forgotten = app::db::sync::forget_removals(&app.pool, "9999-01-01T00:00:00.000Z")
            .await
            .unwrap();

        assert_eq!(recent, 0, "a removal made today is remembered");
        assert_eq!(forgotten, 1);
        let (_, stale) = pull(&app, &ana, &format!("protocol=2&cursor={old_cursor}")).await;
        assert_eq!(stale["reset"], true);
        assert_eq!(stale["records"].as_array().unwrap().len(), 1);
        assert_eq!(stale["records"][0]["id"], kept.to_string());
        let (_, fresh) = pull(&app, &ana, &format!("protocol=2&cursor={new_cursor}")).await;
        assert_eq!(
            (
                fresh["reset"].as_bool(),
                fresh["records"].as_array().unwrap().len()
            ),
            (Some(false), 0)
        );
    }
);

both_engines!(
    pages_of_a_pull_add_up_to_everything_in_order,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (ana, _) = app.volunteer("ana@example.org").await;
        let district = app.first_district().await;
        let changes: Vec<Value> = (1..=25)
            .map(|s| create(s, Uuid::new_v4(), district))
            .collect();
        push(
            &app,
            &ana,
            json!({"protocol": PROTOCOL, "device": Uuid::new_v4(), "changes": changes}),
        )
        .await;

        let mut cursor = None::<i64>;
        let mut seen = Vec::new();
        loop {
            let query = match cursor {
                Some(c) => format!("protocol=2&limit=10&cursor={c}"),
                None => "protocol=2&limit=10".into(),
            };
            let (_, page) = pull(&app, &ana, &query).await;
            let next = page["cursor"].as_i64().unwrap();
            assert!(
                cursor.is_none_or(|c| next >= c),
                "the cursor only moves forward"
            );
            cursor = Some(next);
            seen.extend(
                page["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["version"].as_i64().unwrap()),
            );
            if page["more"] == false {
                break;
            }
        }

        assert_eq!(seen.len(), 25);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }
);

// Many writers at once while a reader pulls: with a plain sequence a reader could pass a
// number that commits later and never see it. Every offer must reach the reader.
both_engines!(
    concurrent_pushes_never_let_a_pull_skip_a_change,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (ana, _) = app.volunteer("ana@example.org").await;
        let district = app.first_district().await;
        let writers = 6;
        let per_writer = 15;
        let mut tasks = Vec::new();
        for _ in 0..writers {
            let (client, url) = (ana.clone(), app.url(PUSH_PATH));
            tasks.push(tokio::spawn(async move {
            let device = Uuid::new_v4();
            for seq in 1..=per_writer {
                let body = json!({"protocol": PROTOCOL, "device": device, "changes": [create(seq, Uuid::new_v4(), district)]});
                let response = client.post(&url).json(&body).send().await.unwrap();
                assert_eq!(response.status(), 200);
            }
        }));
        }
        let mut cursor: Option<i64> = None;
        let mut seen = std::collections::BTreeSet::new();
        let mut done = false;
        while !done {
            done = tasks.iter().all(|t| t.is_finished());
            loop {
                let query = match cursor {
                    Some(c) => format!("protocol=2&cursor={c}"),
                    None => "protocol=2".into(),
                };
                let (_, page) = pull(&app, &ana, &query).await;
                cursor = Some(page["cursor"].as_i64().unwrap());
                seen.extend(
                    page["records"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["id"].as_str().unwrap().to_owned()),
                );
                if page["more"] == false {
                    break;
                }
            }
        }
        for task in tasks {
            task.await.unwrap();
        }

        assert_eq!(
            seen.len() as u64,
            writers * per_writer,
            "every committed offer was pulled"
        );
    }
);

//! Activities, occasions and sign-ups over sync, on both engines: the server writes an
//! activity's occasions from its schedule; fifty volunteers signing up at once (some from
//! outboxes that waited offline) to a shift of four get exactly four places and a waiting list
//! in one order; a withdrawal moves the first waiting up; who may do what; bad input refused
//! field by field with nothing written.
use std::collections::BTreeMap;

use serde_json::{json, Value};
use uuid::Uuid;

use app::domain::activity::occasion_id;
use app::domain::offer::Date;

use crate::both_engines;
use crate::helpers::{spawn_app, spawn_with, Engine, TestApp};
use crate::phone::{group, join, Phone};

/// The day `n` days from today, by the server's own Stockholm calendar.
pub(crate) fn day(n: i64) -> Date {
    app::db::sync::today().plus_days(n)
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A weekly activity from tomorrow for four weeks, every weekday (so one falls tomorrow),
/// 21:00–00:00, one shift of `places` places.
pub(crate) fn walks(group: Uuid, district: Uuid, places: u16, status: &str) -> Value {
    json!({
        "group": group,
        "title": "Nattvandring",
        "details": {"kind": "activity", "tasks": "Vi går i par genom centrum.",
                    "place": "Stortorget",
                    "schedule": {"starts": "21:00", "ends": "00:00",
                                 "dates": {"type": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7],
                                           "from": day(1).to_string(),
                                           "until": day(28).to_string()},
                                 "shifts": [{"id": 1, "label": "", "places": places,
                                             "waiting_list": true}]}},
        "areas": [],
        "district": district,
        "urgency": "normal",
        "needed_by": null,
        "status": status,
    })
}

pub(crate) fn sign_up(
    need: Uuid,
    group: Uuid,
    volunteer: Uuid,
    date: Date,
    requested_at: i64,
) -> Value {
    json!({"create": {"occasion": occasion_id(need, date), "need": need, "group": group,
                      "shift": 1, "volunteer": volunteer, "status": "requested",
                      "requested_at": requested_at}})
}

fn refusal(outcome: &Value) -> (String, Vec<String>) {
    assert_eq!(outcome["status"], "refused", "{outcome}");
    let reason = &outcome["reason"];
    let keys = reason["fields"]
        .as_object()
        .map(|f| {
            f.iter()
                .flat_map(|(k, v)| {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(move |m| format!("{k}:{}", m.as_str().unwrap()))
                })
                .collect()
        })
        .unwrap_or_default();
    (reason["code"].as_str().unwrap().to_owned(), keys)
}

/// The sign-ups of one occasion in the database: id → (status, requested_at).
async fn sign_ups(app: &TestApp, occasion: Uuid) -> BTreeMap<String, (String, i64)> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, status, requested_at FROM sign_ups WHERE occasion_id = $1")
            .bind(occasion.to_string())
            .fetch_all(&app.pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(id, status, at)| (id, (status, at)))
        .collect()
}

async fn occasion_counts(app: &TestApp, occasion: Uuid) -> (i64, i64) {
    let (body,): (String,) = sqlx::query_as("SELECT body FROM occasions WHERE id = $1")
        .bind(occasion.to_string())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    let shift = &body["shifts"][0];
    (
        shift["confirmed"].as_i64().unwrap(),
        shift["waiting"].as_i64().unwrap(),
    )
}

/// A contact, their group and an open activity with `places` places per shift.
pub(crate) async fn activity(app: &TestApp, places: u16) -> (reqwest::Client, Uuid, Uuid, Uuid) {
    let district = app.first_district().await;
    let (anna, _) = app.volunteer("anna@example.org").await;
    let walkers = group(app, &anna, district, "Nattvandrarna").await;
    let need = Uuid::new_v4();
    let (_, posted) = Phone::new(&anna)
        .send(
            app,
            need,
            json!({"create": walks(walkers, district, places, "open")}),
            None,
        )
        .await;
    assert_eq!(posted["status"], "applied", "{posted}");
    (anna, walkers, need, district)
}

async fn fifty_sign_ups(engine: Engine) {
    // Fifty people sign up from one address here.
    let app =
        std::sync::Arc::new(spawn_with(engine, &[("SAMVERKA_SIGN_UPS_PER_HOUR", "100")]).await);
    let (_, walkers, need, _) = activity(&app, 4).await;
    // The server wrote the occasions: four weeks of evenings, each open.
    let (occasions,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM occasions WHERE need_id = $1 AND is_open = 1")
            .bind(need.to_string())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(occasions, 28);
    let date = day(1);
    let occasion = occasion_id(need, date);

    // Fifty volunteers at once; every fifth sends a sign-up its phone made hours ago, offline.
    let mut volunteers = Vec::new();
    for n in 0..50 {
        volunteers.push(app.volunteer(&format!("v{n}@example.org")).await);
    }
    let base = now() - 600;
    let mut tasks = tokio::task::JoinSet::new();
    for (n, (client, id)) in volunteers.iter().enumerate() {
        let (client, id, app) = (client.clone(), *id, app.clone());
        let requested_at = if n % 5 == 0 {
            base - 3600 * (n as i64 + 1)
        } else {
            base + n as i64
        };
        let change = sign_up(need, walkers, id, date, requested_at);
        tasks.spawn(async move {
            Phone::new(&client)
                .send_kind(&app, "sign_up", Uuid::new_v4(), change, None)
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (status, outcome) = done.unwrap();
        assert_eq!(status, 200);
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }

    let held = sign_ups(&app, occasion).await;
    let confirmed = held.values().filter(|(s, _)| s == "confirmed").count();
    let mut waiting: Vec<(i64, String)> = held
        .iter()
        .filter(|(_, (s, _))| s == "waiting")
        .map(|(id, (_, at))| (*at, id.clone()))
        .collect();
    assert_eq!((confirmed, waiting.len()), (4, 46));
    assert_eq!(occasion_counts(&app, occasion).await, (4, 46));
    // The waiting list is in the order the volunteers signed up (by their phones' clocks,
    // never later than the server received them), whatever order the pushes arrived in.
    waiting.sort();
    let first_waiting = waiting[0].1.clone();

    // A place given back: the first waiting moves up and is told.
    let (holder, _) = held
        .iter()
        .find(|(_, (s, _))| s == "confirmed")
        .map(|(id, v)| (id.clone(), v.clone()))
        .unwrap();
    let (volunteer_id,): (String,) =
        sqlx::query_as("SELECT volunteer_id FROM sign_ups WHERE id = $1")
            .bind(&holder)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (client, _) = volunteers
        .iter()
        .find(|(_, id)| id.to_string() == volunteer_id)
        .unwrap();
    let (_, withdrawn) = Phone::new(client)
        .send_kind(
            &app,
            "sign_up",
            holder.parse().unwrap(),
            json!({"update": {"status": "withdrawn"}}),
            None,
        )
        .await;
    assert_eq!(withdrawn["status"], "applied", "{withdrawn}");
    let after = sign_ups(&app, occasion).await;
    assert_eq!(after[&first_waiting].0, "confirmed");
    assert_eq!(after[&holder].0, "withdrawn");
    assert_eq!(occasion_counts(&app, occasion).await, (4, 45));
    let (body,): (String,) = sqlx::query_as("SELECT body FROM sign_ups WHERE id = $1")
        .bind(&first_waiting)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(body.contains(r#""notice":"promoted""#), "{body}");
    let Ok(app) = std::sync::Arc::try_unwrap(app) else {
        panic!("every task has finished");
    };
    app.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_sign_ups_to_four_places_confirm_four_and_queue_the_rest_on_sqlite() {
    fifty_sign_ups(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_sign_ups_to_four_places_confirm_four_and_queue_the_rest_on_postgres() {
    fifty_sign_ups(Engine::Postgres).await;
}

both_engines!(
    who_may_do_what_with_an_activity_and_its_sign_ups,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, walkers, need, _) = activity(&app, 4).await;
        let (bo, bo_id) = app.volunteer("bo@example.org").await;
        let (cy, cy_id) = app.volunteer("cy@example.org").await;
        join(&app, &anna, &bo, walkers).await;
        let mut bo_phone = Phone::new(&bo);
        let mut cy_phone = Phone::new(&cy);

        // A member who is not a contact cannot cancel the activity.
        let (_, cancel) = bo_phone
            .send(&app, need, json!({"update": {"status": "withdrawn"}}), None)
            .await;
        assert_eq!(refusal(&cancel).0, "forbidden");

        // Nobody signs up someone else.
        let for_other = Uuid::new_v4();
        let (_, other) = cy_phone
            .send_kind(
                &app,
                "sign_up",
                for_other,
                sign_up(need, walkers, bo_id, day(1), now()),
                None,
            )
            .await;
        assert_eq!(refusal(&other).0, "forbidden");

        // Cy signs up; cannot mark herself as come, nor confirm her own hours.
        let mine = Uuid::new_v4();
        let (_, signed) = cy_phone
            .send_kind(
                &app,
                "sign_up",
                mine,
                sign_up(need, walkers, cy_id, day(1), now()),
                None,
            )
            .await;
        assert_eq!(signed["status"], "applied", "{signed}");
        let (_, attend) = cy_phone
            .send_kind(
                &app,
                "sign_up",
                mine,
                json!({"update": {"attended": true}}),
                None,
            )
            .await;
        assert_eq!(refusal(&attend).0, "forbidden");
        let (_, own) = cy_phone
            .send_kind(
                &app,
                "sign_up",
                mine,
                json!({"update": {"hours": {"minutes": 180, "confirmed_by": cy_id}}}),
                None,
            )
            .await;
        assert_eq!(refusal(&own).0, "forbidden");
        // The same sign-up twice is refused by name.
        let (_, twice) = cy_phone
            .send_kind(
                &app,
                "sign_up",
                Uuid::new_v4(),
                sign_up(need, walkers, cy_id, day(1), now()),
                None,
            )
            .await;
        assert_eq!(refusal(&twice).1, ["shift:already_signed_up"]);

        // A member who is not a contact sees the sign-up (the group's record) but cannot
        // mark attendance; the contact can, once the occasion has started (not yet).
        let (_, by_member) = bo_phone
            .send_kind(
                &app,
                "sign_up",
                mine,
                json!({"update": {"attended": true}}),
                None,
            )
            .await;
        assert_eq!(refusal(&by_member).0, "forbidden");
        let (_, early) = Phone::new(&anna)
            .send_kind(
                &app,
                "sign_up",
                mine,
                json!({"update": {"attended": true}}),
                None,
            )
            .await;
        assert_eq!(refusal(&early).1, ["attended:occasion_not_started"]);

        // The volunteer and the group see the sign-up; someone else does not.
        let (dan, _) = app.volunteer("dan@example.org").await;
        let mut dan_phone = Phone::new(&dan);
        dan_phone.pull(&app).await;
        assert!(!dan_phone.held.contains_key(&mine.to_string()));
        cy_phone.pull(&app).await;
        assert_eq!(cy_phone.held[&mine.to_string()]["status"], "confirmed");
        bo_phone.pull(&app).await;
        assert!(bo_phone.held.contains_key(&mine.to_string()));

        // The activity withdrawn by its contact: its occasions are cancelled, and so is Cy's
        // place, and she is told.
        let (_, withdrawn) = Phone::new(&anna)
            .send(&app, need, json!({"update": {"status": "withdrawn"}}), None)
            .await;
        assert_eq!(withdrawn["status"], "applied", "{withdrawn}");
        cy_phone.pull(&app).await;
        let held = &cy_phone.held[&mine.to_string()];
        assert_eq!(held["status"], "cancelled");
        assert_eq!(held["notice"], "cancelled");
        let (_, late) = cy_phone
            .send_kind(
                &app,
                "sign_up",
                Uuid::new_v4(),
                sign_up(need, walkers, cy_id, day(2), now()),
                None,
            )
            .await;
        assert_eq!(refusal(&late).1, ["occasion:occasion_closed"]);
        app.stop().await.unwrap();
    }
);

both_engines!(
    bad_activities_are_refused_field_by_field_with_nothing_written,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, _) = app.volunteer("anna@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        let mut phone = Phone::new(&anna);
        // (where in the activity, the bad value, the field and message expected)
        let cases = [
            (
                "/details/schedule/shifts/0/places",
                json!(0),
                "shift-0-places:places_positive",
            ),
            (
                "/details/schedule/dates/until",
                json!(day(400).to_string()),
                "last_date:recurrence_too_long",
            ),
            (
                "/details/schedule/dates/until",
                json!(day(-3).to_string()),
                "last_date:end_before_start",
            ),
            ("/details/schedule/ends", json!("21:00"), "ends:same_time"),
            ("/details/schedule/shifts", json!([]), "shifts:required"),
        ];
        for (path, bad, expected) in cases {
            let mut activity = walks(walkers, district, 4, "open");
            *activity.pointer_mut(path).unwrap() = bad;
            let (status, outcome) = phone
                .send(&app, Uuid::new_v4(), json!({"create": activity}), None)
                .await;
            assert_eq!(status, 200);
            let (code, fields) = refusal(&outcome);
            assert_eq!(code, "invalid");
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected}: {fields:?}"
            );
        }
        assert_eq!(app.count("needs").await, 0);
        assert_eq!(app.count("occasions").await, 0);

        // Fewer places than are taken at an occasion to come: refused.
        let need = Uuid::new_v4();
        phone
            .send(
                &app,
                need,
                json!({"create": walks(walkers, district, 2, "open")}),
                None,
            )
            .await;
        for n in 0..2 {
            let (client, id) = app.volunteer(&format!("v{n}@example.org")).await;
            let (_, outcome) = Phone::new(&client)
                .send_kind(
                    &app,
                    "sign_up",
                    Uuid::new_v4(),
                    sign_up(need, walkers, id, day(1), now()),
                    None,
                )
                .await;
            assert_eq!(outcome["status"], "applied", "{outcome}");
        }
        let mut fewer = walks(walkers, district, 1, "open");
        let (_, outcome) = phone
            .send(
                &app,
                need,
                json!({"update": {"details": fewer["details"].take()}}),
                None,
            )
            .await;
        assert_eq!(refusal(&outcome).1, ["shift-0-places:places_below_taken"]);
        app.stop().await.unwrap();
    }
);

both_engines!(
    a_moved_occasion_tells_those_signed_up_and_a_closed_account_gives_its_place_back,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, walkers, need, district) = activity(&app, 1).await;
        let (cy, cy_id) = app.volunteer("cy@example.org").await;
        let (dan, dan_id) = app.volunteer("dan@example.org").await;
        let mut cy_phone = Phone::new(&cy);
        let (mine, dans) = (Uuid::new_v4(), Uuid::new_v4());
        for (phone, id, who) in [(&mut cy_phone, mine, cy_id)] {
            let (_, outcome) = phone
                .send_kind(
                    &app,
                    "sign_up",
                    id,
                    sign_up(need, walkers, who, day(1), now()),
                    None,
                )
                .await;
            assert_eq!(outcome["status"], "applied", "{outcome}");
        }
        let (_, outcome) = Phone::new(&dan)
            .send_kind(
                &app,
                "sign_up",
                dans,
                sign_up(need, walkers, dan_id, day(1), now()),
                None,
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");

        // The walk starts an hour earlier from now on: Cy is told, with the new time.
        let mut earlier = walks(walkers, district, 1, "open");
        earlier["details"]["schedule"]["starts"] = json!("20:00");
        let (_, moved) = Phone::new(&anna)
            .send(
                &app,
                need,
                json!({"update": {"details": earlier["details"].take()}}),
                None,
            )
            .await;
        assert_eq!(moved["status"], "applied", "{moved}");
        cy_phone.pull(&app).await;
        let held = &cy_phone.held[&mine.to_string()];
        assert_eq!(held["notice"], "moved");
        assert_eq!(held["status"], "confirmed");
        let occasion = &cy_phone.held[&occasion_id(need, day(1)).to_string()];
        assert_eq!(held["starts_at"], occasion["starts_at"]);
        assert!(occasion["moved_from"].is_array(), "{occasion}");

        // Cy closes her account: her place goes to Dan, her sign-up keeps a pseudonym.
        let closed = app
            .post(
                &cy,
                "/api/close-account",
                json!({"password": crate::helpers::TEST_PASSWORD}),
            )
            .await;
        assert_eq!(closed.status(), 200);
        let rows = sign_ups(&app, occasion_id(need, day(1))).await;
        assert_eq!(rows[&mine.to_string()].0, "withdrawn");
        assert_eq!(rows[&dans.to_string()].0, "confirmed");
        let (body,): (String,) = sqlx::query_as("SELECT body FROM sign_ups WHERE id = $1")
            .bind(mine.to_string())
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!(body["name"].as_str().unwrap().starts_with('#'), "{body}");
        app.stop().await.unwrap();
    }
);

//! Micro-support cases on both engines: a request opens a case with a number a person can say;
//! a handler takes the night walkers' 800 SEK from received to closed while the group answers
//! and reports from a phone; the trail is complete after every step and cannot be changed;
//! only staff reach the queue and a group sees only its own cases; two decisions at once,
//! exactly one wins; the yearly limit per group; four eyes when on; bad input refused by name.
use serde_json::{json, Value};
use uuid::Uuid;

use app::domain::case::{case_id, CaseRules};

use crate::both_engines;
use crate::helpers::{spawn_app, spawn_demo_app, Engine, TestApp};
use crate::phone::{group, Phone};

/// A micro-grant request of `kronor` from `group`, asked at once, Anna the payee.
fn grant(group: Uuid, district: Uuid, payee: Uuid, kronor: i64) -> Value {
    json!({"create": {
        "group": group, "title": "Reflexvästar till nattvandringen",
        "details": {"kind": "micro_grant", "amount_ore": kronor * 100,
                    "purpose": "Tjugo västar så att vi syns i mörkret.", "enables": "",
                    "payee": payee},
        "areas": [], "district": district, "urgency": "normal", "needed_by": null,
        "status": "open"}})
}

struct Scene {
    app: TestApp,
    anna: reqwest::Client,
    anna_id: Uuid,
    walkers: Uuid,
    district: Uuid,
    eva: reqwest::Client,
    eva_id: Uuid,
}

async fn scene(engine: Engine) -> Scene {
    let app = spawn_app(engine).await;
    let district = app.first_district().await;
    let (anna, anna_id) = app.volunteer("anna@example.org").await;
    let walkers = group(&app, &anna, district, "Nattvandrarna").await;
    let (eva, eva_id) = app.staff_member("eva@kommunen.se").await;
    Scene {
        app,
        anna,
        anna_id,
        walkers,
        district,
        eva,
        eva_id,
    }
}

impl Scene {
    /// Anna asks for `kronor` from her phone; answers the request's and the case's ids.
    async fn ask(&self, kronor: i64) -> (Uuid, Uuid) {
        let need = Uuid::new_v4();
        let (_, outcome) = Phone::new(&self.anna)
            .send(
                &self.app,
                need,
                grant(self.walkers, self.district, self.anna_id, kronor),
                None,
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");
        (need, case_id(need))
    }

    async fn step(&self, who: &reqwest::Client, case: Uuid, form: Value) -> (u16, Value) {
        let response = self
            .app
            .post(who, "/api/case-step", json!({"id": case, "form": form}))
            .await;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn read(&self, who: &reqwest::Client, case: Uuid) -> (u16, Value) {
        let response = self
            .app
            .get_with(who, &format!("/api/case?id={case}"))
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn seen(&self, case: Uuid) -> usize {
        let (_, detail) = self.read(&self.eva, case).await;
        detail["trail"].as_array().unwrap().len()
    }

    /// The case's state and its trail's (from, to, action) in the database.
    async fn stored(&self, case: Uuid) -> (String, Vec<(String, String, String)>) {
        let (state,): (String,) = sqlx::query_as("SELECT state FROM cases WHERE id = $1")
            .bind(case.to_string())
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
        let trail: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT from_state, to_state, action FROM case_trail WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case.to_string())
        .fetch_all(&self.app.pool)
        .await
        .unwrap();
        (state, trail)
    }

    async fn need_status(&self, need: Uuid) -> String {
        let (status,): (String,) = sqlx::query_as("SELECT status FROM needs WHERE id = $1")
            .bind(need.to_string())
            .fetch_one(&self.app.pool)
            .await
            .unwrap();
        status
    }
}

fn field_keys(body: &Value) -> Vec<String> {
    body["Validation"]
        .as_object()
        .or_else(|| body.as_object())
        .map(|fields| {
            fields
                .iter()
                .flat_map(|(field, keys)| {
                    keys.as_array()
                        .into_iter()
                        .flatten()
                        .map(move |k| format!("{field}:{}", k.as_str().unwrap_or("")))
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn night_walkers_request_goes_to_closed(engine: Engine) {
    let s = scene(engine).await;
    let (need, case) = s.ask(800).await;
    let year = app::db::sync::today().year();
    let (number,): (String,) = sqlx::query_as("SELECT number FROM cases WHERE id = $1")
        .bind(case.to_string())
        .fetch_one(&s.app.pool)
        .await
        .unwrap();
    assert_eq!(number, format!("MS-{year}-0001"));
    assert_eq!(
        s.stored(case).await.1.len(),
        1,
        "received is the first line"
    );

    // The queue is staff's: the case is there, waiting; a volunteer is refused.
    let queue: Value = s
        .app
        .get_with(&s.eva, "/api/case-queue")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["cases"][0]["number"], number);
    assert_eq!(queue["cases"][0]["state"], "received");
    let refused = s.app.get_with(&s.anna, "/api/case-queue").await;
    assert_eq!(refused.status(), 403);

    // Eva takes it and asks a question; the request is in progress.
    let (status, body) = s
        .step(&s.eva, case, json!({"action": "assign", "seen": 1}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.need_status(need).await, "in_progress");
    let mine: Value = s
        .app
        .get_with(&s.eva, "/api/case-queue?mine=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 1);
    let (status, _) = s
        .step(
            &s.eva,
            case,
            json!({"action": "ask_more_info", "note": "Hur många västar?"}),
        )
        .await;
    assert_eq!(status, 200);

    // Anna's phone holds the case with the question, and she answers through the outbox.
    let mut phone = Phone::new(&s.anna);
    phone.pull(&s.app).await;
    let held = &phone.held[&case.to_string()];
    assert_eq!(held["state"], "more_info");
    assert_eq!(held["trail"][2]["step"]["note"], "Hur många västar?");
    let (_, outcome) = phone
        .send_kind(
            &s.app,
            "case",
            case,
            json!({"update": {"action": "answer", "note": "Tjugo stycken."}}),
            None,
        )
        .await;
    assert_eq!(outcome["status"], "applied", "{outcome}");

    // Decided, paid to Anna, reported on by the group, closed.
    let (status, body) = s
        .step(
            &s.eva,
            case,
            json!({"action": "approve", "amount": "800", "reason_choice": "Når många i området"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .step(
            &s.eva,
            case,
            json!({"action": "pay", "paid_on": app::db::sync::today().to_string(),
                   "paid_how": "Swish", "payee": s.anna_id}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, outcome) = phone
        .send_kind(
            &s.app,
            "case",
            case,
            json!({"update": {"action": "follow_up", "note": "Vi gick tre kvällar.",
                              "participants": 12}}),
            None,
        )
        .await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    let (status, _) = s.step(&s.eva, case, json!({"action": "close"})).await;
    assert_eq!(status, 200);

    let (state, trail) = s.stored(case).await;
    assert_eq!(state, "closed");
    assert_eq!(s.need_status(need).await, "fulfilled");
    let moves: Vec<(&str, &str, &str)> = trail
        .iter()
        .map(|(f, t, a)| (f.as_str(), t.as_str(), a.as_str()))
        .collect();
    assert_eq!(
        moves,
        [
            ("received", "received", "receive"),
            ("received", "in_review", "assign"),
            ("in_review", "more_info", "ask_more_info"),
            ("more_info", "in_review", "answer"),
            ("in_review", "approved", "approve"),
            ("approved", "paid", "pay"),
            ("paid", "followed_up", "follow_up"),
            ("followed_up", "closed", "close"),
        ]
    );
    // The page names who did what; the group reads its own case too.
    let (status, detail) = s.read(&s.anna, case).await;
    assert_eq!(status, 200);
    assert_eq!(detail["trail"][1]["who"], "Volontär eva@kommunen.se");
    assert_eq!(detail["trail"][3]["who"], "Volontär anna@example.org");
    assert_eq!(detail["case"]["granted_ore"], 80_000);
    assert_eq!(detail["allowed"], json!([]));
}
both_engines!(night_walkers_request, night_walkers_request_goes_to_closed);

async fn the_trail_cannot_be_changed(engine: Engine) {
    let s = scene(engine).await;
    let (_, case) = s.ask(800).await;
    let (status, _) = s.step(&s.eva, case, json!({"action": "assign"})).await;
    assert_eq!(status, 200);
    let before = s.stored(case).await;
    // Not through the database…
    for sql in [
        "UPDATE case_trail SET to_state = 'approved' WHERE case_id = $1",
        "DELETE FROM case_trail WHERE case_id = $1",
    ] {
        let result = sqlx::query(sql)
            .bind(case.to_string())
            .execute(&s.app.pool)
            .await;
        let err = result.expect_err("the trail refuses");
        assert!(err.to_string().contains("case_trail_append_only"), "{err}");
    }
    // …nor through sync: a phone cannot remove a case, make one, or write one over.
    let mut phone = Phone::new(&s.anna);
    let (_, removed) = phone
        .send_kind(&s.app, "case", case, json!("delete"), None)
        .await;
    assert_eq!(removed["reason"]["code"], "forbidden", "{removed}");
    let (_, made) = phone
        .send_kind(
            &s.app,
            "case",
            Uuid::new_v4(),
            json!({"create": {
            "need": Uuid::new_v4(), "group": s.walkers, "number": "MS-2026-9999",
            "kind": "micro_grant", "title": "Falskt", "state": "approved", "trail": [{
                "from": "received", "to": "approved", "step": {"action": "approve"}}]}}),
            None,
        )
        .await;
    assert_eq!(made["reason"]["code"], "forbidden", "{made}");
    // A step that tries to state who did it and when is stamped by the server instead.
    let (_, message) = phone
        .send_kind(
            &s.app,
            "case",
            case,
            json!({"update": {
            "action": "message", "note": "Hej!", "at": 1, "by": s.eva_id, "role": "staff"}}),
            None,
        )
        .await;
    assert_eq!(message["status"], "applied", "{message}");
    let (_, detail) = s.read(&s.eva, case).await;
    let last = detail["trail"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["step"]["by"], json!(s.anna_id));
    assert_eq!(last["step"]["role"], "group_contact");
    assert_ne!(last["step"]["at"], 1);
    let after = s.stored(case).await;
    assert_eq!(
        after.1[..before.1.len()],
        before.1[..],
        "earlier lines are as they were"
    );
    assert_eq!(after.1.len(), before.1.len() + 1);
}
both_engines!(trail_is_append_only, the_trail_cannot_be_changed);

async fn a_group_sees_only_its_own_cases(engine: Engine) {
    let s = scene(engine).await;
    let (_, case) = s.ask(800).await;
    let (bob, _) = s.app.volunteer("bob@example.org").await;
    let _other = group(&s.app, &bob, s.district, "Läxhjälpen").await;
    let mut phone = Phone::new(&bob);
    phone.pull(&s.app).await;
    assert!(!phone.held.contains_key(&case.to_string()));
    let (status, _) = s.read(&bob, case).await;
    assert_eq!(status, 404, "another group is not told the case exists");
    let (status, _) = s
        .step(&bob, case, json!({"action": "message", "note": "Hej"}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = phone
        .send_kind(
            &s.app,
            "case",
            case,
            json!({"update": {"action": "message", "note": "Hej"}}),
            None,
        )
        .await;
    assert_eq!(status, 403, "a message to another group's case");
    // A member who is not a contact reads it but does not speak for the group.
    let (carl, _) = s.app.volunteer("carl@example.org").await;
    crate::phone::join(&s.app, &s.anna, &carl, s.walkers).await;
    assert_eq!(s.read(&carl, case).await.0, 200);
    let (status, _) = s.step(&carl, case, json!({"action": "withdraw"})).await;
    assert_eq!(status, 403);
    // Staff who are not the handler may not decide; the group does not take staff steps.
    let (status, _) = s
        .step(
            &s.anna,
            case,
            json!({"action": "approve", "amount": "800", "reason": "Ja"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = s
        .step(
            &s.eva,
            case,
            json!({"action": "approve", "amount": "800", "reason": "Ja"}),
        )
        .await;
    assert_eq!(status, 403, "not assigned yet");
    assert_eq!(s.stored(case).await.1.len(), 1, "nothing written");
}
both_engines!(own_cases_only, a_group_sees_only_its_own_cases);

async fn two_decisions_at_once_one_wins(engine: Engine) {
    let s = std::sync::Arc::new(scene(engine).await);
    let (_, case) = s.ask(800).await;
    let (olle, _) = s.app.staff_member("olle@kommunen.se").await;
    // Two handlers take it at the same moment, having read the same case.
    let seen = s.seen(case).await;
    let mut tasks = tokio::task::JoinSet::new();
    for who in [s.eva.clone(), olle.clone()] {
        let s = s.clone();
        tasks.spawn(async move {
            s.step(&who, case, json!({"action": "assign", "seen": seen}))
                .await
        });
    }
    let mut answers = Vec::new();
    while let Some(done) = tasks.join_next().await {
        answers.push(done.unwrap());
    }
    answers.sort_by_key(|(status, _)| *status);
    assert_eq!(answers[0].0, 200);
    assert_eq!(answers[1].0, 422);
    assert_eq!(field_keys(&answers[1].1), ["form:case_changed"]);
    // The winner approves and rejects from two tabs at once: one decision stands.
    let (_, detail) = s.read(&s.eva, case).await;
    let handler = detail["case"]["handler"].as_str().unwrap().to_owned();
    let winner = if handler == s.eva_id.to_string() {
        s.eva.clone()
    } else {
        olle
    };
    let seen = s.seen(case).await;
    let mut tasks = tokio::task::JoinSet::new();
    for form in [
        json!({"action": "approve", "amount": "800", "reason": "Bra", "seen": seen}),
        json!({"action": "reject", "reason": "Nej", "seen": seen}),
    ] {
        let (s, who) = (s.clone(), winner.clone());
        tasks.spawn(async move { s.step(&who, case, form).await });
    }
    let mut statuses = Vec::new();
    while let Some(done) = tasks.join_next().await {
        statuses.push(done.unwrap().0);
    }
    statuses.sort();
    assert_eq!(statuses, [200, 422]);
    let (state, trail) = s.stored(case).await;
    assert!(state == "approved" || state == "rejected", "{state}");
    assert_eq!(trail.len(), 3);
}
both_engines!(concurrent_decisions, two_decisions_at_once_one_wins);

async fn limits_and_bad_input_are_named(engine: Engine) {
    let s = scene(engine).await;
    let mut cases = Vec::new();
    for _ in 0..5 {
        let (_, case) = s.ask(5_000).await;
        let (status, _) = s.step(&s.eva, case, json!({"action": "assign"})).await;
        assert_eq!(status, 200);
        cases.push(case);
    }
    let approve = |amount: &str| json!({"action": "approve", "amount": amount, "reason": "Bra"});
    let case = cases[0];
    for (form, key) in [
        (approve("0"), "amount:amount_positive"),
        (approve("femhundra"), "amount:amount_invalid"),
        (approve("5000,01"), "amount:amount_over_request"),
        (
            json!({"action": "approve", "amount": "800"}),
            "reason:required",
        ),
        (json!({"action": "reject"}), "reason:required"),
        (
            json!({"action": "pay", "paid_on": "2026-11-30", "paid_how": "Swish",
                "payee": s.anna_id}),
            "action:case_not_now",
        ),
        (json!({"action": "close"}), "action:case_not_now"),
        (
            json!({"action": "ask_more_info", "note": " "}),
            "note:required",
        ),
        (json!({}), "action:required"),
    ] {
        let (status, body) = s.step(&s.eva, case, form.clone()).await;
        assert_eq!(status, 422, "{form}: {body}");
        assert_eq!(field_keys(&body), [key], "{form}");
    }
    assert_eq!(s.stored(case).await.1.len(), 2, "nothing half-written");
    // Four requests of 5,000 kronor fill the year's 20,000; the fifth is over the limit.
    for case in &cases[..4] {
        let (status, body) = s.step(&s.eva, *case, approve("5000")).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = s.step(&s.eva, cases[4], approve("5000")).await;
    assert_eq!(status, 422);
    assert_eq!(field_keys(&body), ["amount:amount_over_year"]);
    let (_, detail) = s.read(&s.eva, cases[4]).await;
    assert_eq!(
        detail["granted_this_year"], 2_000_000,
        "the handler sees the year so far"
    );
    // Paid only to a named contact of the group.
    let (status, body) = s
        .step(
            &s.eva,
            cases[0],
            json!({"action": "pay", "paid_on": "2026-11-30",
                                       "paid_how": "Swish", "payee": s.eva_id}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_keys(&body), ["payee:payee_not_contact"]);
    // A report before payment, from the phone, is refused by name.
    let (_, outcome) = Phone::new(&s.anna)
        .send_kind(
            &s.app,
            "case",
            cases[1],
            json!({"update": {"action": "follow_up", "note": "Bra"}}),
            None,
        )
        .await;
    assert_eq!(
        outcome["reason"]["fields"]["action"][0], "case_not_now",
        "{outcome}"
    );
}
both_engines!(limits_and_bad_input, limits_and_bad_input_are_named);

async fn four_eyes_when_on(engine: Engine) {
    let s = scene(engine).await;
    let mut rules = CaseRules::with_max_per_request(500_000);
    rules.four_eyes_above_ore = Some(50_000);
    app::db::cases::save_rules(&s.app.pool, &rules, s.eva_id)
        .await
        .unwrap();
    let (olle, _) = s.app.staff_member("olle@kommunen.se").await;
    let (_, case) = s.ask(800).await;
    s.step(&s.eva, case, json!({"action": "assign"})).await;
    let (status, _) = s
        .step(
            &s.eva,
            case,
            json!({"action": "approve", "amount": "800", "reason": "Bra"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.stored(case).await.0, "awaiting_second");
    let (status, _) = s
        .step(&s.eva, case, json!({"action": "confirm_approval"}))
        .await;
    assert_eq!(status, 403, "not the one who approved first");
    let (status, _) = s
        .step(
            &s.eva,
            case,
            json!({"action": "pay", "paid_on": "2026-11-30",
                                   "paid_how": "Swish", "payee": s.anna_id}),
        )
        .await;
    assert_eq!(status, 422, "no payment before the second approval");
    let (status, body) = s
        .step(&olle, case, json!({"action": "confirm_approval"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.stored(case).await.0, "approved");
    // Below the limit, one is enough.
    let (_, small) = s.ask(300).await;
    s.step(&s.eva, small, json!({"action": "assign"})).await;
    s.step(
        &s.eva,
        small,
        json!({"action": "approve", "amount": "300", "reason": "Bra"}),
    )
    .await;
    assert_eq!(s.stored(small).await.0, "approved");
}
both_engines!(four_eyes, four_eyes_when_on);

async fn a_closed_account_stays_in_the_trail_under_a_pseudonym(engine: Engine) {
    let s = scene(engine).await;
    let (_, case) = s.ask(800).await;
    s.step(&s.eva, case, json!({"action": "assign"})).await;
    s.step(
        &s.eva,
        case,
        json!({"action": "ask_more_info", "note": "Hur många?"}),
    )
    .await;
    let (_, outcome) = Phone::new(&s.anna)
        .send_kind(
            &s.app,
            "case",
            case,
            json!({"update": {"action": "answer", "note": "Tjugo"}}),
            None,
        )
        .await;
    assert_eq!(outcome["status"], "applied");
    // Anna hands the group to Berit, then closes her account.
    let (berit, _) = s.app.volunteer("berit@example.org").await;
    let invitation: Value = s
        .app
        .post(
            &s.anna,
            "/api/create-invite",
            json!({"group": s.walkers, "role": "contact"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let joined = s
        .app
        .post(
            &berit,
            "/api/accept-invite",
            json!({"code": invitation["code"]}),
        )
        .await;
    assert_eq!(joined.status(), 200);
    let closed = s
        .app
        .post(
            &s.anna,
            "/api/close-account",
            json!({"password": crate::helpers::TEST_PASSWORD}),
        )
        .await;
    assert_eq!(closed.status(), 200);
    let (_, detail) = s.read(&s.eva, case).await;
    let who = detail["trail"][3]["who"].as_str().unwrap();
    assert_eq!(who, app::db::users::pseudonym(s.anna_id));
    assert_eq!(
        detail["trail"][3]["step"]["note"], "Tjugo",
        "the event is kept"
    );
}
both_engines!(
    closed_account,
    a_closed_account_stays_in_the_trail_under_a_pseudonym
);

async fn the_demo_has_cases_in_every_state(engine: Engine) {
    let app = spawn_demo_app(engine).await;
    let states: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT state FROM cases ORDER BY state")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let mut expected: Vec<&str> = app::domain::case::CaseState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    expected.sort();
    assert_eq!(
        states.iter().map(|(s,)| s.as_str()).collect::<Vec<_>>(),
        expected
    );
    // The night walkers' 800 kronor, just received.
    let walkers = case_id(app::db::demo::stable_id("need", "night-walkers-phone"));
    let (state, requested): (String, i64) =
        sqlx::query_as("SELECT state, requested_ore FROM cases WHERE id = $1")
            .bind(walkers.to_string())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((state.as_str(), requested), ("received", 80_000));
    // The association's rejected requests say why.
    let rejected: Vec<(String,)> = sqlx::query_as(
        "SELECT c.body FROM cases c JOIN actors a ON a.id = c.group_id \
         WHERE a.org_number IS NOT NULL AND c.state IN ('rejected', 'closed') AND c.granted_ore IS NULL",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!rejected.is_empty());
    for (body,) in rejected {
        let case: Value = serde_json::from_str(&body).unwrap();
        assert!(!case["reason"].as_str().unwrap_or("").is_empty(), "{case}");
    }
    // A year of decisions, spread over the months.
    let decided: Vec<(i64,)> =
        sqlx::query_as("SELECT decided_at FROM cases WHERE decided_at IS NOT NULL")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let months: std::collections::BTreeSet<i64> =
        decided.iter().map(|(at,)| at / (30 * 86_400)).collect();
    assert!(months.len() >= 10, "{months:?}");
    // Every line of every trail is in time order.
    let lines: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT case_id, seq, at FROM case_trail ORDER BY case_id, seq")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for pair in lines.windows(2) {
        if pair[0].0 == pair[1].0 {
            assert!(pair[0].2 <= pair[1].2, "{pair:?}");
        }
    }
}
both_engines!(demo_cases, the_demo_has_cases_in_every_state);

async fn the_support_report_and_its_csv(engine: Engine) {
    let s = scene(engine).await;
    let (_, case) = s.ask(800).await;
    let today = app::db::sync::today().to_string();
    for form in [
        json!({"action": "assign"}),
        json!({"action": "approve", "amount": "800", "reason": "Bra"}),
        json!({"action": "pay", "paid_on": today, "paid_how": "Swish", "payee": s.anna_id}),
    ] {
        let (status, body) = s.step(&s.eva, case, form).await;
        assert_eq!(status, 200, "{body}");
    }
    let report: Value = s
        .app
        .get_with(
            &s.eva,
            &format!("/api/support-report?from={today}&until={today}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            report["cases"].as_i64(),
            report["granted_ore"].as_i64(),
            report["paid_ore"].as_i64()
        ),
        (Some(1), Some(80_000), Some(80_000)),
        "{report}"
    );
    assert_eq!(report["rows"][0]["formal"], false);
    assert_eq!(report["rows"][0]["district"], json!(s.district));

    let csv = s
        .app
        .get_with(
            &s.eva,
            &format!("/api/support-report.csv?from={today}&until={today}&lang=sv"),
        )
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = csv.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a byte order mark, for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Från;Till;Fokusområde;Område;Aktör;Ärenden;Beviljat (kr);Utbetalt (kr)"
    );
    assert!(
        lines[1].ends_with(";Inget fokusområde;Sicklaön;Informell grupp;1;800;800"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(";Totalt;;;1;800;800"), "{}", lines[2]);
    let english = s
        .app
        .get_with(
            &s.eva,
            &format!("/api/support-report.csv?from={today}&until={today}&lang=en"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("Priority area,District"), "{english}");

    // A period with nothing in it: the headers and a total of nothing, not an error.
    let empty = s
        .app
        .get_with(
            &s.eva,
            "/api/support-report.csv?from=2001-01-01&until=2001-01-31",
        )
        .await;
    assert_eq!(empty.status(), 200);
    let text = empty.text().await.unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}').lines().count(),
        2,
        "{text}"
    );
    assert!(text.contains(";Totalt;;;0;0;0"), "{text}");
    // Staff only.
    let refused = s.app.get_with(&s.anna, "/api/support-report.csv").await;
    assert_eq!(refused.status(), 403);
    let refused = s.app.get_with(&s.anna, "/api/support-report").await;
    assert_eq!(refused.status(), 403);
}
both_engines!(support_report, the_support_report_and_its_csv);

async fn an_administrator_sets_the_rules(engine: Engine) {
    let s = scene(engine).await;
    let (admin, admin_id) = s.app.staff_member("admin@kommunen.se").await;
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(admin_id.to_string())
        .execute(&s.app.pool)
        .await
        .unwrap();
    let form: Value = s
        .app
        .get_with(&admin, "/api/case-rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(form["max_per_request"], "5000");
    assert_eq!(form["four_eyes_above"], "", "four eyes off by default");
    // Bad rules are named; nothing is stored.
    let bad = s
        .app
        .post(
            &admin,
            "/api/save-case-rules",
            json!({"form": {
            "max_per_request": "5000", "max_per_year": "100", "open_kinds": ["micro_grant"],
            "reasons": "", "four_eyes_above": "noll"}}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    let mut keys = field_keys(&body);
    keys.sort();
    assert_eq!(
        keys,
        [
            "four_eyes_above:amount_invalid",
            "max_per_year:year_below_request",
            "reasons:required"
        ]
    );
    assert_eq!(s.app.count("case_rules").await, 0);
    // Grants only, at most 1,000 kronor a request, four eyes above 500.
    let saved = s
        .app
        .post(
            &admin,
            "/api/save-case-rules",
            json!({"form": {
            "max_per_request": "1000", "max_per_year": "3000", "open_kinds": ["micro_grant"],
            "reasons": "Bra\nNej", "four_eyes_above": "500"}}),
        )
        .await;
    assert_eq!(saved.status(), 200);
    // Staff may not change them.
    let refused = s
        .app
        .post(
            &s.eva,
            "/api/save-case-rules",
            json!({"form": {
            "max_per_request": "9000", "max_per_year": "9000", "open_kinds": [],
            "reasons": "Ja", "four_eyes_above": ""}}),
        )
        .await;
    assert_eq!(refused.status(), 403);
    // A kind that is not open is refused when asked; a grant above the new limit too.
    let mut phone = Phone::new(&s.anna);
    let storage = json!({"create": {
        "group": s.walkers, "title": "Förråd", "details": {"kind": "storage", "what": "Västar",
        "volume": "En låda", "until": null}, "areas": [], "district": s.district,
        "urgency": "normal", "needed_by": null, "status": "open"}});
    let (_, outcome) = phone.send(&s.app, Uuid::new_v4(), storage, None).await;
    assert_eq!(
        outcome["reason"]["fields"]["kind"][0], "kind_closed",
        "{outcome}"
    );
    let (_, outcome) = phone
        .send(
            &s.app,
            Uuid::new_v4(),
            grant(s.walkers, s.district, s.anna_id, 1_200),
            None,
        )
        .await;
    assert_eq!(
        outcome["reason"]["fields"]["amount"][0], "amount_over_max",
        "{outcome}"
    );
    // 800 kronor: above four eyes' 500, so the approval waits for a second.
    let (_, case) = s.ask(800).await;
    s.step(&s.eva, case, json!({"action": "assign"})).await;
    let (_, detail) = s.read(&s.eva, case).await;
    assert_eq!(detail["rules"]["reasons"], json!(["Bra", "Nej"]));
    let (status, _) = s
        .step(
            &s.eva,
            case,
            json!({"action": "approve", "amount": "800", "reason_choice": "Bra"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.stored(case).await.0, "awaiting_second");
}
both_engines!(rules, an_administrator_sets_the_rules);

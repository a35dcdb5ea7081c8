//! Needs over sync, on both engines: who may post, edit and withdraw; who sees what (a group's
//! members everything, the public an open need without its payee); a person who joins a group
//! receives its older needs and one who leaves loses them; bad needs are refused field by
//! field with nothing written; the server's own writes reach the devices.
use serde_json::{json, Value};
use uuid::Uuid;

use app::domain::offer::Known;
use app::sync::kinds::Actor;
use app::sync::protocol::*;

use crate::both_engines;
use crate::helpers::{spawn_app, visit, Engine, TestApp};
use crate::phone::{group, join, Phone};

pub(crate) fn grant(
    group: Uuid,
    district: Uuid,
    payee: Uuid,
    amount_ore: i64,
    status: &str,
) -> Value {
    json!({
        "group": group,
        "title": "Telefon och kaffe",
        "details": {"kind": "micro_grant", "amount_ore": amount_ore,
                    "purpose": "En telefon och kaffe till nattvandringen",
                    "enables": "Vi når varandra", "payee": payee},
        "areas": [],
        "district": district,
        "urgency": "normal",
        "needed_by": null,
        "status": status,
    })
}

fn refused_field(outcome: &Value) -> Vec<String> {
    assert_eq!(outcome["status"], "refused", "{outcome}");
    assert_eq!(outcome["reason"]["code"], "invalid", "{outcome}");
    outcome["reason"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

async fn count_needs(app: &TestApp) -> i64 {
    app.count("needs").await
}

both_engines!(
    only_a_groups_contacts_post_and_change_its_needs,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let (cy, _) = app.volunteer("cy@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        let _other = group(&app, &cy, district, "Läxhjälpen").await;
        join(&app, &anna, &bo, walkers).await;
        let (mut anna_phone, mut bo_phone, mut cy_phone) =
            (Phone::new(&anna), Phone::new(&bo), Phone::new(&cy));

        let (need, draft) = (Uuid::new_v4(), Uuid::new_v4());
        let posted = anna_phone
            .send(
                &app,
                need,
                json!({"create": grant(walkers, district, anna_id, 80_000, "open")}),
                None,
            )
            .await;
        assert_eq!(posted.1["status"], "applied", "a contact posts");
        anna_phone
            .send(
                &app,
                draft,
                json!({"create": grant(walkers, district, anna_id, 10_000, "draft")}),
                None,
            )
            .await;

        // A member who is not a contact cannot post, nor edit.
        let (_, by_member) = bo_phone
            .send(
                &app,
                Uuid::new_v4(),
                json!({"create": grant(walkers, district, anna_id, 5_000, "open")}),
                None,
            )
            .await;
        assert_eq!(
            by_member,
            json!({"status": "refused", "reason": {"code": "forbidden"}})
        );
        let (_, edit) = bo_phone
            .send(&app, need, json!({"update": {"title": "Min titel"}}), None)
            .await;
        assert_eq!(edit["reason"]["code"], "forbidden");

        // Another group's contact sees the open need publicly but may not change it, and may
        // not learn that the group's draft exists.
        let (_, foreign) = cy_phone
            .send(&app, need, json!({"update": {"status": "withdrawn"}}), None)
            .await;
        assert_eq!(foreign["reason"]["code"], "forbidden");
        let (status, hidden) = cy_phone
            .send(&app, draft, json!({"update": {"title": "x"}}), None)
            .await;
        assert_eq!(
            (status, hidden["reason"].as_str()),
            (403, Some("foreign_record"))
        );

        // The contact withdraws; a request to the municipality cannot be marked fulfilled by
        // the group, and a withdrawn need stays withdrawn.
        let (_, fulfilled) = anna_phone
            .send(&app, need, json!({"update": {"status": "fulfilled"}}), None)
            .await;
        assert_eq!(fulfilled["reason"]["code"], "forbidden");
        let (_, withdrawn) = anna_phone
            .send(&app, need, json!({"update": {"status": "withdrawn"}}), None)
            .await;
        assert_eq!(withdrawn["status"], "applied");
        let (_, reopened) = anna_phone
            .send(&app, need, json!({"update": {"status": "open"}}), None)
            .await;
        assert_eq!(reopened["reason"]["code"], "forbidden");
        let (status,): (String,) = sqlx::query_as("SELECT status FROM needs WHERE id = $1")
            .bind(need.to_string())
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(status, "withdrawn");
    }
);

both_engines!(
    the_public_sees_an_open_need_without_its_payee_and_members_see_it_all,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let (dana, _) = app.volunteer("dana@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        join(&app, &anna, &bo, walkers).await;
        let mut anna_phone = Phone::new(&anna);
        let (open, draft) = (Uuid::new_v4(), Uuid::new_v4());
        anna_phone
            .send(
                &app,
                open,
                json!({"create": grant(walkers, district, anna_id, 80_000, "open")}),
                None,
            )
            .await;
        anna_phone
            .send(
                &app,
                draft,
                json!({"create": grant(walkers, district, anna_id, 20_000, "draft")}),
                None,
            )
            .await;

        let mut member = Phone::new(&bo);
        member.pull(&app).await;
        let mut public = Phone::new(&dana); // follows the district, in no group
        public.pull(&app).await;

        // The open request's case, the open request, and the draft.
        assert_eq!(member.held.len(), 3, "the member sees the draft too");
        assert_eq!(
            member.held[&app::domain::case::case_id(open).to_string()]["state"],
            "received"
        );
        assert_eq!(
            member.held[&open.to_string()]["details"]["payee"],
            json!(anna_id)
        );
        assert_eq!(public.held.len(), 1, "the public sees only the open need");
        let seen = &public.held[&open.to_string()];
        assert_eq!(
            seen["details"]["payee"],
            Value::Null,
            "no payee outside the group"
        );
        assert_eq!(seen["details"]["amount_ore"], 80_000);

        // Withdrawn from public view: it leaves the public's phone, stays on the member's.
        anna_phone
            .send(&app, open, json!({"update": {"status": "withdrawn"}}), None)
            .await;
        public.pull(&app).await;
        member.pull(&app).await;
        assert!(
            public.held.is_empty(),
            "a withdrawn need leaves the public's phone"
        );
        assert_eq!(member.held[&open.to_string()]["status"], "withdrawn");
    }
);

both_engines!(
    joining_brings_a_groups_older_needs_and_leaving_takes_them_away,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let (bo, bo_id) = app.volunteer("bo@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        let mut anna_phone = Phone::new(&anna);
        let draft = Uuid::new_v4();
        anna_phone
            .send(
                &app,
                draft,
                json!({"create": grant(walkers, district, anna_id, 20_000, "draft")}),
                None,
            )
            .await;
        // Bo's phone is up to date long after the draft was written.
        let mut phone = Phone::new(&bo);
        for _ in 0..3 {
            Phone::new(&anna)
                .send(
                    &app,
                    Uuid::new_v4(),
                    json!({"create": grant(walkers, district, anna_id, 1_000, "draft")}),
                    None,
                )
                .await;
        }
        phone.pull(&app).await;
        assert!(phone.held.is_empty());

        join(&app, &anna, &bo, walkers).await;
        phone.pull(&app).await;
        assert_eq!(phone.held.len(), 4, "the group's older needs arrive");
        assert!(phone.held.contains_key(&draft.to_string()));
        assert!(phone.cursors.get(format!("g:{walkers}")).is_some());

        let left = app
            .post(
                &bo,
                "/api/remove-member",
                json!({"group": walkers, "user": bo_id}),
            )
            .await;
        assert_eq!(left.status(), 200);
        let last = phone.pull(&app).await;
        assert!(phone.held.is_empty(), "a person who leaves loses them");
        assert!(phone.cursors.get(format!("g:{walkers}")).is_none());
        assert_eq!(last["more"], false);
    }
);

both_engines!(
    a_bad_need_is_refused_field_by_field_and_nothing_is_written,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let (bo, bo_id) = app.volunteer("bo@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        join(&app, &anna, &bo, walkers).await;
        let mut phone = Phone::new(&anna);
        let today = app::db::sync::today();
        let yesterday = today.plus_days(-1).to_string();
        let before = count_needs(&app).await;

        let mut past = grant(walkers, district, anna_id, 80_000, "open");
        past["needed_by"] = json!(yesterday);
        let mut long = grant(walkers, district, anna_id, 80_000, "open");
        long["title"] = json!("x".repeat(121));
        let mut empty_purpose = grant(walkers, district, anna_id, 80_000, "open");
        empty_purpose["details"]["purpose"] = json!("");
        let cases = [
            (
                "zero",
                grant(walkers, district, anna_id, 0, "open"),
                "amount",
            ),
            (
                "negative",
                grant(walkers, district, anna_id, -100, "open"),
                "amount",
            ),
            (
                "over the maximum",
                grant(walkers, district, anna_id, 500_001, "open"),
                "amount",
            ),
            (
                "a payee who is a member, not a contact",
                grant(walkers, district, bo_id, 80_000, "open"),
                "payee",
            ),
            ("a date in the past", past.clone(), "needed_by"),
            ("a title too long", long, "title"),
            ("no purpose", empty_purpose, "purpose"),
        ];
        for (what, need, field) in cases {
            let (status, outcome) = phone
                .send(&app, Uuid::new_v4(), json!({"create": need}), None)
                .await;
            assert_eq!(status, 200, "{what}");
            assert_eq!(refused_field(&outcome), vec![field.to_owned()], "{what}");
        }
        assert_eq!(count_needs(&app).await, before, "nothing half-written");

        // Made offline yesterday, judged as of yesterday.
        let (_, outcome) = phone
            .send(
                &app,
                Uuid::new_v4(),
                json!({"create": past}),
                Some(yesterday),
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");

        // A kind the server does not know, and an amount that is not whole öre.
        let body = json!({"protocol": PROTOCOL, "device": Uuid::new_v4(), "changes": [
            {"id": Uuid::new_v4(), "seq": 1, "record": Uuid::new_v4(), "kind": "wish", "op": "delete"}]});
        let response = app.post(&anna, PUSH_PATH, body).await;
        assert_eq!(response.status(), 422);
        let mut fractional = grant(walkers, district, anna_id, 1, "open");
        fractional["details"]["amount_ore"] = json!(800.5);
        let body = json!({"protocol": PROTOCOL, "device": Uuid::new_v4(), "changes": [
            {"id": Uuid::new_v4(), "seq": 1, "record": Uuid::new_v4(), "kind": "need", "op": {"create": fractional}}]});
        let response = app.post(&anna, PUSH_PATH, body).await;
        assert_eq!(response.status(), 400, "not a whole number of öre");
        assert_eq!(count_needs(&app).await, before + 1);
    }
);

both_engines!(
    a_change_made_on_the_server_reaches_the_members_phones,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        let mut phone = Phone::new(&anna);
        phone.pull(&app).await;

        let need = Uuid::new_v4();
        let data =
            serde_json::from_value(grant(walkers, district, anna_id, 80_000, "open")).unwrap();
        let reference = app::db::reference::load(&app.pool).await.unwrap();
        let outcomes = app::db::sync::write(
            &app.pool,
            &Actor::system(),
            anna_id,
            &[(need, Op::Need(KindOp::Create(data)))],
            Known::from_reference(&reference),
        )
        .await
        .unwrap();
        assert!(matches!(outcomes[0], Outcome::Applied { version: Some(_) }));

        phone.pull(&app).await;
        assert_eq!(phone.held[&need.to_string()]["title"], "Telefon och kaffe");
        assert_eq!(
            app.count("sync_changes").await,
            0,
            "no fake device: no phone's change"
        );
    }
);

both_engines!(
    the_public_list_shows_open_needs_without_personal_data_filtered_and_paged,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        let mut phone = Phone::new(&anna);
        for i in 0..23 {
            let mut need = grant(walkers, district, anna_id, 1_000 + i, "open");
            if i % 2 == 1 {
                need["details"] = json!({"kind": "recognition", "whom": "Alla", "reason": "Tack"});
            }
            phone
                .send(&app, Uuid::new_v4(), json!({"create": need}), None)
                .await;
        }
        let mut draft = grant(walkers, district, anna_id, 999, "draft");
        draft["title"] = json!("Ett utkast");
        phone
            .send(&app, Uuid::new_v4(), json!({"create": draft}), None)
            .await;

        // Readable without JavaScript: the server sends the whole list.
        let page = app.get("/behov").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert_eq!(
            html.matches(r#"data-testid="need""#).count(),
            20,
            "a page of 20"
        );
        assert!(
            html.contains(r#"data-testid="next-page""#),
            "two pages of 23"
        );
        assert!(!html.contains(r#"data-testid="previous-page""#));
        assert!(!html.contains("Ett utkast"), "no drafts");
        assert!(!html.contains("anna@example.org"), "no personal data");
        let second = app.get("/behov?sida=2").await.text().await.unwrap();
        assert_eq!(second.matches(r#"data-testid="need""#).count(), 3);
        assert!(
            second.contains(r#"href="/behov" rel="prev""#),
            "back to the first page"
        );
        assert!(!second.contains(r#"data-testid="next-page""#));
        let fifty = app.get("/behov?antal=50").await.text().await.unwrap();
        assert_eq!(
            fifty.matches(r#"data-testid="need""#).count(),
            23,
            "a page of 50"
        );
        assert!(!fifty.contains(r#"data-testid="next-page""#));
        let grants = app
            .get("/behov?typ=micro_grant")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(grants.matches(r#"data-testid="need""#).count(), 12);
        let elsewhere = app
            .get(&format!("/behov?omrade={}", Uuid::new_v4()))
            .await
            .text()
            .await
            .unwrap();
        assert!(elsewhere.contains(r#"data-testid="no-needs""#));

        // The API says the same, and nothing about a person.
        let list: Value = app
            .get("/api/open-needs?kind=micro_grant")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 12);
        let text = list.to_string();
        assert!(!text.contains(&anna_id.to_string()), "no payee, no author");
    }
);

both_engines!(
    a_need_has_its_own_page_and_the_groups_page_lists_what_each_reader_may_see,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let (sara, _) = app.staff_member("sara@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        join(&app, &anna, &bo, walkers).await;
        let mut phone = Phone::new(&anna);
        let (open, draft) = (Uuid::new_v4(), Uuid::new_v4());
        phone
            .send(
                &app,
                open,
                json!({"create": grant(walkers, district, anna_id, 80_000, "open")}),
                None,
            )
            .await;
        let mut drafted = grant(walkers, district, anna_id, 999, "draft");
        drafted["title"] = json!("Ett utkast");
        phone
            .send(&app, draft, json!({"create": drafted}), None)
            .await;
        let payee = "Volontär anna@example.org";
        let anonymous = app.new_client();

        // The public page: an open request, "received", without its payee; a draft is "not
        // found" (a need one may not see is not said to exist).
        let page = app.get_with(&anonymous, &format!("/behov/{open}")).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Telefon och kaffe") && html.contains("Mottaget"),
            "{html}"
        );
        assert!(
            html.contains("800\u{a0}kr") || html.contains("800&nbsp;kr") || html.contains("800 kr")
        );
        assert!(!html.contains(payee), "no payee for the public");
        assert!(!html.contains(r#"data-testid="contact-hint""#));
        for (path, status) in [
            (format!("/api/need?id={draft}"), 404),
            (format!("/api/need?id={}", Uuid::new_v4()), 404),
        ] {
            let answer = app.get_with(&anonymous, &path).await;
            assert_eq!(answer.status(), status, "{path}");
        }
        let unreadable = app.get_with(&anonymous, "/api/need?id=not-an-id").await;
        assert!(
            unreadable.status().is_client_error(),
            "{}",
            unreadable.status()
        );
        let public: Value = app
            .get_with(&anonymous, &format!("/api/need?id={open}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(public["payee_name"], Value::Null);
        assert_eq!(public["need"]["details"]["payee"], Value::Null);
        assert!(!public.to_string().contains(&anna_id.to_string()));

        // A member sees the draft and the payee; staff see the payee but not the draft; the
        // contact is pointed to where the group's needs are changed.
        let as_bo: Value = app
            .get_with(&bo, &format!("/api/need?id={draft}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(as_bo["need"]["title"], "Ett utkast");
        let as_staff = app.get_with(&sara, &format!("/api/need?id={open}")).await;
        let as_staff: Value = as_staff.json().await.unwrap();
        assert_eq!(as_staff["payee_name"], payee);
        assert_eq!(as_staff["contact"], false);
        let staff_draft = app.get_with(&sara, &format!("/api/need?id={draft}")).await;
        assert_eq!(staff_draft.status(), 404);
        let as_anna = app
            .get_with(&anna, &format!("/behov/{open}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(as_anna.contains(payee) && as_anna.contains(r#"data-testid="contact-hint""#));

        // The group's page lists its needs as each reader may see them.
        let group_page = format!("/grupper/{walkers}");
        let outside = app
            .get_with(&anonymous, &group_page)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            outside.contains(&format!(r#"href="/behov/{open}""#)),
            "{outside}"
        );
        assert!(!outside.contains("Ett utkast"));
        let inside = app.get_with(&bo, &group_page).await.text().await.unwrap();
        assert!(inside.contains(&format!(r#"href="/behov/{draft}""#)));
        assert!(inside.contains("Utkast"), "the draft's status");

        // Withdrawn: gone from the public, still there for the group, as withdrawn.
        let (_, withdrawn) = phone
            .send(&app, open, json!({"update": {"status": "withdrawn"}}), None)
            .await;
        assert_eq!(withdrawn["status"], "applied");
        // (The page streams in order, so its status is sent before the need is read: it says
        // "not found" in its content; the API answers 404.)
        let gone = app.get_with(&anonymous, &format!("/behov/{open}")).await;
        assert!(gone
            .text()
            .await
            .unwrap()
            .contains(r#"data-testid="not-found""#));
        let gone = app
            .get_with(&anonymous, &format!("/api/need?id={open}"))
            .await;
        assert_eq!(gone.status(), 404);
        let outside = app
            .get_with(&anonymous, &group_page)
            .await
            .text()
            .await
            .unwrap();
        assert!(!outside.contains(&format!(r#"href="/behov/{open}""#)));
        let kept = app
            .get_with(&bo, &format!("/behov/{open}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(kept.contains("Återkallat"));
    }
);

both_engines!(
    the_public_list_kept_for_visitors_follows_every_write_and_is_never_a_signed_in_page,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let walkers = group(&app, &anna, district, "Nattvandrarna").await;
        let visitor = app.new_client();

        // The same page twice, each answer with its own nonce and nothing else different.
        let (n1, first) = visit(&app, &visitor, "/behov").await;
        let (n2, second) = visit(&app, &visitor, "/behov").await;
        assert_ne!(n1, n2);
        assert!(!second.contains(&n1));
        assert_eq!(first.replace(&n1, "N"), second.replace(&n2, "N"));
        assert!(!first.contains("Telefon och kaffe"));

        // A need posted from a phone is on the next visitor's page.
        let mut phone = Phone::new(&anna);
        let (_, posted) = phone
            .send(
                &app,
                Uuid::new_v4(),
                json!({"create": grant(walkers, district, anna_id, 80_000, "open")}),
                None,
            )
            .await;
        assert_eq!(posted["status"], "applied");
        let (_, third) = visit(&app, &visitor, "/behov").await;
        assert!(third.contains("Telefon och kaffe"));

        // A signed-in person gets their own page (their name in the header), and a visitor
        // after them never gets it.
        let (_, hers) = visit(&app, &anna, "/behov").await;
        assert!(hers.contains("Volontär anna@example.org"));
        let (_, theirs) = visit(&app, &visitor, "/behov").await;
        assert!(!theirs.contains("Volontär anna@example.org"));
        assert!(theirs.contains("Telefon och kaffe"));

        // The language is part of what is kept.
        let english = app.new_client();
        let response = english
            .get(app.url("/behov"))
            .header("cookie", "samverka_lang=en")
            .send()
            .await
            .unwrap();
        let html = response.text().await.unwrap();
        assert!(html.contains("lang=\"en\""), "English page");
        let (_, swedish) = visit(&app, &visitor, "/behov").await;
        assert!(swedish.contains("lang=\"sv\""));
    }
);

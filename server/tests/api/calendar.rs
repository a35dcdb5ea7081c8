//! "My shifts" as a calendar feed, on both engines: a volunteer makes a private address, a
//! calendar app (no cookie) reads their shifts from it, a cancelled occasion shows as
//! cancelled, and a new address or stopping it makes the old one answer 404. And who took a
//! shift, with how to reach them, for the group's contacts only.
use serde_json::json;
use uuid::Uuid;

use crate::activities::{activity, day, now, sign_up, walks};
use crate::both_engines;
use crate::helpers::{spawn_app, Engine, TestApp};
use crate::phone::Phone;

async fn feed_address(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let response = app.get_with(client, "/api/calendar-feed").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn renew(app: &TestApp, client: &reqwest::Client, lang: &str) -> String {
    let response = app
        .post(client, "/api/renew-calendar-feed", json!({"lang": lang}))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// What a calendar app gets from `address`: no cookie, no session.
async fn read_feed(address: &str) -> (u16, String, String) {
    let response = reqwest::get(address).await.unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

/// The feed's unfolded lines of the event whose `UID` starts with `id`.
fn event(text: &str, id: Uuid) -> Vec<String> {
    let unfolded = text.replace("\r\n ", "");
    let events: Vec<&str> = unfolded.split("BEGIN:VEVENT").skip(1).collect();
    events
        .into_iter()
        .find(|e| e.contains(&format!("UID:{id}@samverka")))
        .unwrap_or_else(|| panic!("no event for {id} in\n{text}"))
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

both_engines!(
    my_shifts_reach_my_calendar_at_a_private_address_that_i_can_change_or_stop,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, walkers, need, district) = activity(&app, 4).await;
        let (vera, vera_id) = app.volunteer("vera@example.org").await;
        let (otto, otto_id) = app.volunteer("otto@example.org").await;
        let mut phone = Phone::new(&vera);
        let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
        for (id, date) in [(first, day(1)), (second, day(2))] {
            let (_, outcome) = phone
                .send_kind(
                    &app,
                    "sign_up",
                    id,
                    sign_up(need, walkers, vera_id, date, now()),
                    None,
                )
                .await;
            assert_eq!(outcome["status"], "applied", "{outcome}");
        }
        let ottos = Uuid::new_v4();
        let (_, outcome) = Phone::new(&otto)
            .send_kind(
                &app,
                "sign_up",
                ottos,
                sign_up(need, walkers, otto_id, day(1), now()),
                None,
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");

        // No address until Vera makes one; then it reads her shifts, and only hers.
        assert_eq!(feed_address(&app, &vera).await, None);
        let address = renew(&app, &vera, "sv").await;
        assert!(address.starts_with(&app.address), "{address}");
        assert!(address.ends_with(".ics"), "{address}");
        assert_eq!(
            feed_address(&app, &vera).await.as_deref(),
            Some(address.as_str())
        );
        let (status, kind, text) = read_feed(&address).await;
        assert_eq!(status, 200);
        assert_eq!(kind, "text/calendar; charset=utf-8");
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "{text}");
        assert!(
            !text.contains(&ottos.to_string()),
            "another's shift in the feed"
        );
        let walk = event(&text, first);
        assert!(walk.contains(&"STATUS:CONFIRMED".to_owned()), "{walk:?}");
        assert!(
            walk.contains(&"SUMMARY:Nattvandring".to_owned()),
            "{walk:?}"
        );
        assert!(walk.contains(&"LOCATION:Stortorget".to_owned()), "{walk:?}");
        // 21:00 in Stockholm is 20:00 or 19:00 UTC (winter or summer time).
        let start = walk.iter().find(|l| l.starts_with("DTSTART:")).unwrap();
        assert!(
            start.ends_with("T200000Z") || start.ends_with("T190000Z"),
            "{start}"
        );

        // The group cancels tomorrow's walk: the calendar shows it cancelled, the next one not.
        let mut cancelled = walks(walkers, district, 4, "open");
        cancelled["details"]["schedule"]["dates"]["except"] = json!([day(1).to_string()]);
        let (_, changed) = Phone::new(&anna)
            .send(
                &app,
                need,
                json!({"update": {"details": cancelled["details"].take()}}),
                None,
            )
            .await;
        assert_eq!(changed["status"], "applied", "{changed}");
        let (_, _, text) = read_feed(&address).await;
        let walk = event(&text, first);
        assert!(walk.contains(&"STATUS:CANCELLED".to_owned()), "{walk:?}");
        assert!(
            walk.contains(&"SUMMARY:Inställt: Nattvandring".to_owned()),
            "{walk:?}"
        );
        assert!(event(&text, second).contains(&"STATUS:CONFIRMED".to_owned()));

        // Withdrawn, the second walk leaves the calendar.
        let (_, outcome) = phone
            .send_kind(
                &app,
                "sign_up",
                second,
                json!({"update": {"status": "withdrawn"}}),
                None,
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");
        let (_, _, text) = read_feed(&address).await;
        assert!(!text.contains(&format!("UID:{second}@samverka")), "{text}");

        // A new address in English: the old one is gone at once.
        let english = renew(&app, &vera, "en").await;
        assert_ne!(english, address);
        assert_eq!(read_feed(&address).await.0, 404);
        let (status, _, text) = read_feed(&english).await;
        assert_eq!(status, 200);
        assert!(text.contains("X-WR-CALNAME:Samverka – my shifts"), "{text}");

        // Stopped: nothing answers, and the profile says there is no address.
        let stopped = app.post(&vera, "/api/stop-calendar-feed", json!({})).await;
        assert_eq!(stopped.status(), 200);
        assert_eq!(read_feed(&english).await.0, 404);
        assert_eq!(feed_address(&app, &vera).await, None);

        // Signed out, nobody makes or reads an address; a language that is not ours is refused.
        let response = app
            .post(
                &app.new_client(),
                "/api/renew-calendar-feed",
                json!({"lang": "sv"}),
            )
            .await;
        assert_eq!(response.status(), 401);
        let response = app
            .post(&vera, "/api/renew-calendar-feed", json!({"lang": "de"}))
            .await;
        assert_eq!(response.status(), 422, "a language we do not write in");

        // My data says when I made an address; closing the account ends it.
        let again = renew(&app, &vera, "sv").await;
        let mine: serde_json::Value = app
            .get_with(&vera, "/api/my-data")
            .await
            .json()
            .await
            .unwrap();
        assert!(mine["calendar_feed_made"].is_string(), "{mine}");
        let closed = app
            .post(
                &vera,
                "/api/close-account",
                json!({"password": crate::helpers::TEST_PASSWORD}),
            )
            .await;
        assert_eq!(closed.status(), 200);
        assert_eq!(read_feed(&again).await.0, 404);
        assert_eq!(app.count("calendar_feeds").await, 0);
        app.stop().await.unwrap();
    }
);

both_engines!(
    only_the_groups_contacts_see_how_to_reach_those_who_took_a_shift,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, walkers, need, _) = activity(&app, 1).await;
        let (vera, vera_id) = app.volunteer("vera@example.org").await;
        let (wim, wim_id) = app.volunteer("wim@example.org").await;
        let (member, _) = app.volunteer("mo@example.org").await;
        crate::phone::join(&app, &anna, &member, walkers).await;
        let (staff, _) = app.staff_member("sara@example.org").await;
        for (client, id, who) in [
            (&vera, Uuid::new_v4(), vera_id),
            (&wim, Uuid::new_v4(), wim_id),
        ] {
            let (_, outcome) = Phone::new(client)
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
        let coming = |page: &serde_json::Value| page["coming"].as_array().unwrap().clone();

        // The contact: Vera took the one place (Wim waits, so he is not listed), with her e-mail.
        let page: serde_json::Value = app
            .get_with(&anna, &format!("/api/need?id={need}"))
            .await
            .json()
            .await
            .unwrap();
        let listed = coming(&page);
        assert_eq!(listed.len(), 1, "{page}");
        assert_eq!(listed[0]["email"], "vera@example.org");
        assert_eq!(
            listed[0]["occasion"],
            json!(app::domain::activity::occasion_id(need, day(1)))
        );

        // Nobody else: a member, staff, the volunteers themselves, someone signed out.
        for client in [&member, &staff, &vera, &wim, &app.new_client()] {
            let response = app.get_with(client, &format!("/api/need?id={need}")).await;
            assert_eq!(response.status(), 200);
            let page: serde_json::Value = response.json().await.unwrap();
            assert!(coming(&page).is_empty(), "{page}");
            assert!(!page.to_string().contains("vera@example.org"), "{page}");
        }
        app.stop().await.unwrap();
    }
);

//! Finding something to do, on both engines: the public list of open needs shows activities
//! with their next occasions and free places (never who took them), narrows to the activities
//! with an occasion on chosen days, and — for a signed-in volunteer — to those with an
//! occasion that fits one of their offers, in time and district.
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activities::{day, now, sign_up, walks};
use crate::both_engines;
use crate::helpers::{spawn_app, Engine, TestApp};
use crate::needs::grant;
use crate::phone::{group, Phone};

async fn list(app: &TestApp, client: &reqwest::Client, query: &str) -> Value {
    let response = app
        .get_with(client, &format!("/api/open-needs?{query}"))
        .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn titles(list: &Value) -> Vec<String> {
    let mut titles: Vec<String> = list["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles
}

async fn offer(app: &TestApp, client: &reqwest::Client, body: Value) {
    let (_, outcome) = Phone::new(client)
        .send_kind(app, "offer", Uuid::new_v4(), json!({"create": body}), None)
        .await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
}

fn weekly(weekday: u32, from: &str, to: &str, district: Uuid) -> Value {
    json!({
        "availability": {"type": "weekly", "valid_from": null, "valid_until": null,
                         "windows": [{"weekday": weekday, "from": from, "to": to}]},
        "districts": [district], "areas": [], "skills": [], "languages": [],
        "note": "", "paused": false,
    })
}

both_engines!(
    the_list_shows_next_occasions_and_narrows_to_days_and_to_what_fits_my_offers,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let sickla = app.first_district().await;
        let fisksatra = Uuid::new_v4();
        sqlx::query("INSERT INTO districts (id, slug, name) VALUES ($1, 'fisksatra', 'Fisksätra')")
            .bind(fisksatra.to_string())
            .execute(&app.pool)
            .await
            .unwrap();
        // Night walks in Sickla every evening 21–24 for four weeks from tomorrow, two places;
        // a language café in Fisksätra every day 10–12 from the day after; and a grant.
        let (anna, anna_id) = app.volunteer("anna@example.org").await;
        let walkers = group(&app, &anna, sickla, "Nattvandrarna").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let cafe_group = group(&app, &bo, fisksatra, "Språkcaféet").await;
        let walk = Uuid::new_v4();
        let mut phone = Phone::new(&anna);
        let (_, posted) = phone
            .send(
                &app,
                walk,
                json!({"create": walks(walkers, sickla, 2, "open")}),
                None,
            )
            .await;
        assert_eq!(posted["status"], "applied", "{posted}");
        let mut cafe = walks(cafe_group, fisksatra, 3, "open");
        cafe["title"] = json!("Språkcafé");
        cafe["details"]["schedule"]["starts"] = json!("10:00");
        cafe["details"]["schedule"]["ends"] = json!("12:00");
        cafe["details"]["schedule"]["dates"]["from"] = json!(day(2).to_string());
        let (_, posted) = Phone::new(&bo)
            .send(&app, Uuid::new_v4(), json!({"create": cafe}), None)
            .await;
        assert_eq!(posted["status"], "applied", "{posted}");
        phone
            .send(
                &app,
                Uuid::new_v4(),
                json!({"create": grant(walkers, sickla, anna_id, 80_000, "open")}),
                None,
            )
            .await;
        // Vera takes one of tomorrow's two places.
        let (vera, vera_id) = app.volunteer("vera@example.org").await;
        let (_, outcome) = Phone::new(&vera)
            .send_kind(
                &app,
                "sign_up",
                Uuid::new_v4(),
                sign_up(walk, walkers, vera_id, day(1), now()),
                None,
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");
        let anonymous = app.new_client();

        // Everything open, the activities with their next three occasions and free places.
        let all = list(&app, &anonymous, "").await;
        assert_eq!(
            titles(&all),
            ["Nattvandring", "Språkcafé", "Telefon och kaffe"]
        );
        let walk_listed = all["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["title"] == "Nattvandring")
            .unwrap();
        let next = walk_listed["next"].as_array().unwrap();
        assert_eq!(next.len(), 3, "{walk_listed}");
        assert_eq!(
            (next[0]["free"].as_u64(), next[0]["places"].as_u64()),
            (Some(1), Some(2))
        );
        assert_eq!(next[1]["free"], 2);
        assert!(
            !all.to_string().contains("vera"),
            "never who signed up: {all}"
        );
        let grant_listed = all["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["title"] == "Telefon och kaffe")
            .unwrap();
        assert_eq!(grant_listed["next"], json!([]));

        // Tomorrow only: the walks (the café starts the day after); only activities have days.
        let tomorrow = list(&app, &anonymous, &format!("from={0}&until={0}", day(1))).await;
        assert_eq!(titles(&tomorrow), ["Nattvandring"]);
        assert_eq!(tomorrow["needs"][0]["next"].as_array().unwrap().len(), 1);
        let later = list(
            &app,
            &anonymous,
            &format!("from={}&until={}", day(3), day(4)),
        )
        .await;
        assert_eq!(titles(&later), ["Nattvandring", "Språkcafé"]);
        let after = list(&app, &anonymous, &format!("from={}", day(40))).await;
        assert_eq!(titles(&after), Vec::<String>::new());

        // Fits my offers: Vera can on Friday evenings in Sickla — the walks fit, the café not.
        let friday = 5u8;
        offer(
            &app,
            &vera,
            weekly(u32::from(friday), "20:00", "22:00", sickla),
        )
        .await;
        let fits = list(&app, &vera, "fits=true").await;
        assert_eq!(titles(&fits), ["Nattvandring"]);
        let fitting = fits["needs"][0]["next"].as_array().unwrap();
        assert!(!fitting.is_empty());
        for o in fitting {
            let starts = o["starts_at"].as_i64().unwrap();
            assert_eq!(
                app::domain::offer::Date::at_unix(starts).weekday(),
                friday,
                "{o}"
            );
        }
        // Mornings in Fisksätra on any day: the café, not the walks.
        let (wim, _) = app.volunteer("wim@example.org").await;
        for weekday in 1..=7 {
            offer(&app, &wim, weekly(weekday, "09:00", "10:30", fisksatra)).await;
        }
        assert_eq!(titles(&list(&app, &wim, "fits=true").await), ["Språkcafé"]);
        // Someone with no offers: nothing fits; signed out, there is nothing to fit and the
        // list is the whole one.
        let (xi, _) = app.volunteer("xi@example.org").await;
        assert_eq!(
            titles(&list(&app, &xi, "fits=true").await),
            Vec::<String>::new()
        );
        assert_eq!(titles(&list(&app, &anonymous, "fits=true").await).len(), 3);

        // The page says the same without JavaScript, with a link-friendly query.
        let html = app
            .get_with(&vera, &format!("/behov?passar=1&fran={}", day(1)))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(html.matches(r#"data-testid="need""#).count(), 1, "{html}");
        assert!(html.contains(r#"data-testid="next-occasions""#));
        assert!(html.contains(r#"id="filter-fits""#));
        let public = app.get("/behov").await.text().await.unwrap();
        assert!(
            !public.contains(r#"id="filter-fits""#),
            "nothing to fit when signed out"
        );
        assert!(public.contains(r#"data-testid="listed-free""#));
        app.stop().await.unwrap();
    }
);

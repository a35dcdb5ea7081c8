//! Staff read volunteers' offers, filtered by district, priority area, skill and language, on
//! both engines; nobody else may; paused and removed offers are not listed.
use app::sync::protocol::*;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_engines;
use crate::helpers::{spawn_app, Engine, TestApp};

async fn offer(app: &TestApp, client: &reqwest::Client, body: Value) {
    let change = json!({"protocol": PROTOCOL, "device": Uuid::new_v4(), "changes": [
        {"id": Uuid::new_v4(), "seq": 1, "record": Uuid::new_v4(), "kind": "offer",
         "op": {"create": body}}]});
    let answer: Value = app
        .post(client, PUSH_PATH, change)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["results"][0]["outcome"]["status"], "applied",
        "{answer}"
    );
}

fn body(
    district: Uuid,
    areas: &[Uuid],
    skills: &[&str],
    languages: &[&str],
    paused: bool,
) -> Value {
    json!({
        "availability": {"type": "flexible"},
        "districts": [district],
        "areas": areas,
        "skills": skills,
        "languages": languages,
        "note": "Helst kvällar",
        "paused": paused,
    })
}

both_engines!(
    staff_list_offers_filtered_by_district_area_skill_and_language,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;
        let area = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO priority_areas (id, slug, name_sv) VALUES ($1, 'trygghet', 'Trygghet')",
        )
        .bind(area.to_string())
        .execute(&app.pool)
        .await
        .unwrap();
        let (anna, _) = app.volunteer("anna@example.org").await;
        let (bo, _) = app.volunteer("bo@example.org").await;
        let (sara, _) = app.staff_member("sara@example.org").await;
        offer(
            &app,
            &anna,
            body(
                district,
                &[area],
                &["Första hjälpen", "Läxhjälp"],
                &["Svenska", "Arabiska"],
                false,
            ),
        )
        .await;
        offer(
            &app,
            &bo,
            body(district, &[], &["Läxhjälp"], &["Svenska"], false),
        )
        .await;
        offer(
            &app,
            &bo,
            body(district, &[area], &["Snickeri"], &["Tigrinska"], true),
        )
        .await;

        // Only staff; the access check answers before anything is read.
        for client in [&app.new_client(), &anna] {
            let refused = app.get_with(client, "/api/staff-offers").await;
            assert!(
                matches!(refused.status().as_u16(), 401 | 403),
                "{}",
                refused.status()
            );
        }
        let list = |query: String| {
            let (app, sara) = (&app, &sara);
            async move {
                let answer = app
                    .get_with(sara, &format!("/api/staff-offers?{query}"))
                    .await;
                assert_eq!(answer.status(), 200, "{query}");
                answer.json::<Value>().await.unwrap()
            }
        };
        let all = list(String::new()).await;
        assert_eq!(all["total"], 2, "the paused offer is not listed: {all}");
        assert_eq!(all["skills"], json!(["första hjälpen", "läxhjälp"]));
        assert_eq!(all["languages"], json!(["arabiska", "svenska"]));
        let names = |v: &Value| -> Vec<String> {
            v["offers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["volunteer"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            list("skill=L%C3%A4xhj%C3%A4lp".to_owned()).await["total"],
            2,
            "case does not matter"
        );
        assert_eq!(
            names(&list("language=arabiska".to_owned()).await),
            vec!["Volontär anna@example.org"]
        );
        assert_eq!(
            names(&list(format!("area={area}")).await),
            vec!["Volontär anna@example.org"]
        );
        assert_eq!(
            list(format!("district={}", Uuid::new_v4())).await["total"],
            0
        );
        assert_eq!(list("skill=snickeri".to_owned()).await["total"], 0);

        // The page, without JavaScript: the list and a filter that keeps what was chosen.
        let page = app
            .get_with(&sara, "/personal/erbjudanden?sprak=arabiska")
            .await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert_eq!(html.matches(r#"data-testid="offer""#).count(), 1, "{html}");
        assert!(html.contains("Volontär anna@example.org") && html.contains("Helst kvällar"));
        assert!(
            html.contains(r#"<option value="arabiska" selected"#),
            "the filter shows its choice"
        );
        let outsider = app
            .get_with(&anna, "/personal/erbjudanden")
            .await
            .text()
            .await
            .unwrap();
        assert!(!outsider.contains(r#"data-testid="offer""#));
    }
);

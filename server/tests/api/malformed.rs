//! Bad input over every server function and the sync push: wrong types, missing fields, huge
//! strings, NUL and other control characters, lone surrogates, invalid UTF-8, deep nesting.
//! Generated from one valid body per endpoint by changing one thing at a time. Never a 5xx,
//! never an internal message; the failing input is printed.
use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_engines;
use crate::helpers::{spawn_demo_app, Engine, TestApp};

const NIGHT_WALKERS: u128 = 0x6a_0001;
const DEMO: &str = app::db::demo::DEMO_PASSWORD;

/// A body of the right shape for each endpoint that takes one.
fn templates(district: Uuid) -> Vec<(&'static str, Value)> {
    let nw = Uuid::from_u128(NIGHT_WALKERS);
    vec![
        (
            "/api/sign-up",
            json!({"form": {"name": "Ny", "contact": "ny@example.org", "password": "ett långt lösenord",
            "districts": [district], "accept_privacy": true, "languages": "svenska", "skills": "laga mat"}}),
        ),
        (
            "/api/log-in",
            json!({"form": {"contact": "anna@example.org", "password": "fel lösenord"}}),
        ),
        (
            "/api/update-profile",
            json!({"form": {"name": "Anna", "email": "anna@example.org", "phone": "",
            "districts": [district], "languages": "svenska", "skills": ""}}),
        ),
        (
            "/api/change-password",
            json!({"form": {"current": "fel lösenord", "new": "ett nytt långt lösenord"}}),
        ),
        ("/api/close-account", json!({"password": "fel lösenord"})),
        (
            "/api/register-group",
            json!({"form": {"kind": "informal", "name": "Grupp", "description": "Vi gör saker.",
            "org_number": "", "districts": [district], "priority_areas": []}}),
        ),
        ("/api/create-invite", json!({"group": nw, "role": "member"})),
        ("/api/accept-invite", json!({"code": "K7MQ2XPD9R"})),
        (
            "/api/convert-group",
            json!({"group": nw, "form": {"kind": "association", "org_number": "12"}}),
        ),
        (
            "/api/verify-group",
            json!({"group": nw, "note": "Träffade dem."}),
        ),
        (
            "/api/remove-member",
            json!({"group": nw, "user": Uuid::new_v4()}),
        ),
        (
            "/api/create-staff",
            json!({"form": {"name": "Ny handläggare", "email": "", "role": "staff"}}),
        ),
        (
            app::sync::protocol::PUSH_PATH,
            json!({"protocol": app::sync::protocol::PROTOCOL, "device": Uuid::new_v4(), "changes": [{
            "id": Uuid::new_v4(), "seq": 1, "record": Uuid::new_v4(), "kind": "offer",
            "op": {"create": {"availability": {"kind": "flexible"}, "districts": [district], "areas": [],
              "skills": [], "languages": [], "note": "", "paused": false}}}]}),
        ),
        (
            app::sync::protocol::PULL_PATH,
            json!({"protocol": app::sync::protocol::PROTOCOL, "context": true,
                   "cursors": {format!("p:{district}"): 1, format!("g:{nw}"): 0}}),
        ),
    ]
}

/// Every string leaf's path in `value`, as JSON pointers.
fn string_paths(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::String(_) => out.push(at),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                string_paths(v, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                string_paths(v, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// Each body changed in one place: strings made hostile, values of the wrong type, fields left
/// out; plus bodies of the wrong shape altogether.
fn variants(template: &Value) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        "{}",
        "[]",
        "null",
        "\"text\"",
        "42",
        "{\"form\": 1}",
        "{\"form\": null}",
        "{\"form\": []}",
        "{\"password\": \"\\ud800\"}",
        "{\"form\": {\"name\": \"\\udfff\"}}",
        "not json",
    ]
    .iter()
    .map(|b| b.as_bytes().to_vec())
    .collect();
    out.push(b"{\"form\": {\"name\": \"\xff\xfe\"}}".to_vec());
    out.push(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes());
    out.push(format!("{}1{}", "{\"a\":".repeat(300), "}".repeat(300)).into_bytes());
    let mut paths = Vec::new();
    string_paths(template, String::new(), &mut paths);
    for path in paths {
        for hostile in [
            Value::from("a\u{0}b"),
            Value::from("Anna\u{202E}annA"),
            Value::from("x".repeat(20_000)),
            Value::from("\u{7}\u{1b}[31m"),
            json!(12),
            json!({"nested": ["x"]}),
            Value::Null,
        ] {
            let mut body = template.clone();
            if let Some(slot) = body.pointer_mut(&path) {
                *slot = hostile;
            }
            out.push(serde_json::to_vec(&body).unwrap());
        }
    }
    // Each top-level or form field left out.
    for container in ["", "/form"] {
        if let Some(Value::Object(map)) = template.pointer(container) {
            for key in map.keys() {
                let mut body = template.clone();
                if let Some(Value::Object(m)) = body.pointer_mut(container) {
                    m.remove(key);
                }
                out.push(serde_json::to_vec(&body).unwrap());
            }
        }
    }
    out
}

async fn post_raw(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: Vec<u8>,
) -> (u16, String) {
    let response = client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

both_engines!(
    no_malformed_input_gets_a_5xx_or_an_internal_message,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let district = app.first_district().await;
        let callers = [
            app.signed_in("anna@example.org", DEMO).await,
            app.signed_in("admin@example.org", DEMO).await,
        ];
        let mut bad = Vec::new();
        let mut sent = 0;
        for (path, template) in templates(district) {
            for body in variants(&template) {
                for client in &callers {
                    let (status, answer) = post_raw(&app, client, path, body.clone()).await;
                    sent += 1;
                    if status >= 500 || answer.contains("Internal") || answer.contains("panicked") {
                        bad.push(format!(
                            "{path} {status} {answer:.200} <- {:.300}",
                            String::from_utf8_lossy(&body)
                        ));
                    }
                }
            }
        }
        // Query strings of the GET endpoints.
        for query in [
            "/api/group?id=%00",
            "/api/group?id=x",
            "/api/group",
            "/api/need?id=x",
            "/api/need",
            "/api/open-needs?per_page=-1&page=99999999999",
            "/api/sync/v1/pull?protocol=%00&cursor=-1",
        ] {
            let response = app.get_with(&callers[0], query).await;
            let status = response.status().as_u16();
            sent += 1;
            if status >= 500 {
                bad.push(format!("GET {query} {status}"));
            }
        }
        assert!(sent > 500, "the corpus is not trivial ({sent})");
        assert!(
            bad.is_empty(),
            "{} of {sent} answers were wrong:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }
);

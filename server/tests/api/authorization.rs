//! One table over every route the server registers: (endpoint, role) → status. Permission is
//! checked before the input is judged, so most rows send an empty or nonsensical body: a
//! caller allowed in gets 422 for it, one who is not gets 401/403 without their input being
//! read. The test fails when the server registers a route that has no row here.
use std::collections::BTreeSet;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_engines;
use crate::helpers::{spawn_demo_app, Engine, TestApp, TEST_PASSWORD};

const NIGHT_WALKERS: u128 = 0x6a_0001;
const DEMO: &str = app::db::demo::DEMO_PASSWORD;

/// Who is asking, as the columns of the table.
const ROLES: [&str; 7] = [
    "anonymous",
    "volunteer",
    "member",
    "contact",
    "other_contact",
    "staff",
    "admin",
];

enum Send {
    Get(String),
    Post(Value),
}

struct Row {
    route: &'static str,
    send: Send,
    /// Expected status per role, in the order of [`ROLES`].
    expect: [u16; 7],
}

fn rows() -> Vec<Row> {
    let nw = Uuid::from_u128(NIGHT_WALKERS);
    let night_walkers_need = app::db::demo::stable_id("need", "night-walkers-phone");
    let night_walkers_case = app::domain::case::case_id(night_walkers_need);
    let get = |route: &'static str, path: String, expect| Row {
        route,
        send: Send::Get(path),
        expect,
    };
    let post = |route: &'static str, body: Value, expect| Row {
        route,
        send: Send::Post(body),
        expect,
    };
    let all = |s| [s; 7];
    let signed_in = |s| [401, s, s, s, s, s, s];
    vec![
        // Server functions.
        post("/api/sign-up", json!({}), all(422)),
        post("/api/log-in", json!({}), all(422)),
        post("/api/log-out", json!({}), all(200)),
        get("/api/me", "/api/me".into(), all(200)),
        get(
            "/api/reference-data",
            "/api/reference-data".into(),
            all(200),
        ),
        get("/api/site-facts", "/api/site-facts".into(), all(200)),
        get("/api/group", format!("/api/group?id={nw}"), all(200)),
        get("/api/profile", "/api/profile".into(), signed_in(200)),
        post("/api/update-profile", json!({}), signed_in(422)),
        post("/api/change-password", json!({}), signed_in(422)),
        get("/api/my-data", "/api/my-data".into(), signed_in(200)),
        get(
            "/api/my-data.json",
            "/api/my-data.json".into(),
            signed_in(200),
        ),
        post("/api/close-account", json!({}), signed_in(422)),
        get(
            "/api/calendar-feed",
            "/api/calendar-feed".into(),
            signed_in(200),
        ),
        post("/api/renew-calendar-feed", json!({}), signed_in(422)),
        post("/api/stop-calendar-feed", json!({}), signed_in(200)),
        post("/api/register-group", json!({}), signed_in(422)),
        get("/api/my-groups", "/api/my-groups".into(), signed_in(200)),
        post(
            "/api/create-invite",
            json!({"group": nw, "role": "nonsense"}),
            [401, 403, 403, 422, 403, 403, 403],
        ),
        post("/api/accept-invite", json!({}), signed_in(422)),
        post(
            "/api/convert-group",
            json!({"group": nw, "form": {"kind": "association", "org_number": "12"}}),
            [401, 403, 403, 422, 403, 403, 403],
        ),
        post(
            "/api/remove-member",
            json!({"group": nw, "user": Uuid::new_v4()}),
            [401, 403, 404, 404, 403, 403, 403],
        ),
        get(
            "/api/groups",
            "/api/groups".into(),
            [401, 403, 403, 403, 403, 200, 200],
        ),
        get("/api/open-needs", "/api/open-needs?page=2".into(), all(200)),
        get(
            "/api/need",
            format!("/api/need?id={night_walkers_need}"),
            all(200),
        ),
        get(
            "/api/staff-offers",
            "/api/staff-offers?language=svenska".into(),
            [401, 403, 403, 403, 403, 200, 200],
        ),
        get(
            "/api/case-queue",
            "/api/case-queue?state=received".into(),
            [401, 403, 403, 403, 403, 200, 200],
        ),
        get(
            "/api/support-report",
            "/api/support-report?from=2026-01-01".into(),
            [401, 403, 403, 403, 403, 200, 200],
        ),
        get(
            "/api/support-report.csv",
            "/api/support-report.csv?from=2026-01-01".into(),
            [401, 403, 403, 403, 403, 200, 200],
        ),
        get(
            "/api/case",
            format!("/api/case?id={night_walkers_case}"),
            [401, 404, 200, 200, 404, 200, 200],
        ),
        post(
            "/api/case-step",
            json!({"id": night_walkers_case, "form": {}}),
            [401, 404, 422, 422, 404, 422, 422],
        ),
        get(
            "/api/staff-needs",
            "/api/staff-needs?kind=micro_grant".into(),
            [401, 403, 403, 403, 403, 200, 200],
        ),
        post(
            "/api/verify-group",
            json!({}),
            [401, 403, 403, 403, 403, 422, 422],
        ),
        get(
            "/api/staff",
            "/api/staff".into(),
            [401, 403, 403, 403, 403, 403, 200],
        ),
        get(
            "/api/case-rules",
            "/api/case-rules".into(),
            [401, 403, 403, 403, 403, 403, 200],
        ),
        post(
            "/api/save-case-rules",
            json!({"form": {"max_per_request": "", "max_per_year": "", "open_kinds": [],
                            "reasons": "", "four_eyes_above": ""}}),
            [401, 403, 403, 403, 403, 403, 422],
        ),
        post(
            "/api/create-staff",
            json!({}),
            [401, 403, 403, 403, 403, 403, 422],
        ),
        // Sync: the handler checks the session before the body, in the sync protocol's terms.
        post(app::sync::protocol::PUSH_PATH, json!({}), signed_in(400)),
        post(
            app::sync::protocol::PULL_PATH,
            json!({"protocol": app::sync::protocol::PROTOCOL}),
            signed_in(200),
        ),
        // The previous protocol's paths tell every app to update.
        post(app::sync::protocol::V1_PUSH_PATH, json!({}), all(426)),
        get(
            app::sync::protocol::V1_PULL_PATH,
            format!("{}?protocol=1", app::sync::protocol::V1_PULL_PATH),
            all(426),
        ),
        // Plain routes.
        get("/healthz", "/healthz".into(), all(200)),
        get("/sw.js", "/sw.js".into(), all(404)), // no built site in the tests
        get("/sprak/{code}", "/sprak/en?tillbaka=/".into(), all(303)),
        // The calendar feed: the address is the credential; an unknown one is not found.
        get(
            app::api::calendar::FEED_PATH,
            "/kalender/0123456789abcdef0123456789abcdef.ics".into(),
            all(404),
        ),
        // Pages: rendered for everyone (what they show comes from the API above).
        get("/", "/".into(), all(200)),
        get("/tillganglighet", "/tillganglighet".into(), all(200)),
        get("/fel", "/fel".into(), all(500)),
        get("/integritet", "/integritet".into(), all(200)),
        get("/registrera", "/registrera".into(), all(200)),
        get("/logga-in", "/logga-in".into(), all(200)),
        get("/start", "/start".into(), all(200)),
        get("/profil", "/profil".into(), all(200)),
        get("/mina-uppgifter", "/mina-uppgifter".into(), all(200)),
        get("/konto-avslutat", "/konto-avslutat".into(), all(200)),
        get("/grupper/ny", "/grupper/ny".into(), all(200)),
        get("/grupper/{id}", format!("/grupper/{nw}"), all(200)),
        get("/inbjudan/{code}", "/inbjudan/K7MQ2XPD9R".into(), all(200)),
        get("/personal/grupper", "/personal/grupper".into(), all(200)),
        get("/behov", "/behov?typ=storage".into(), all(200)),
        get("/personal/behov", "/personal/behov".into(), all(200)),
        get(
            "/personal/erbjudanden",
            "/personal/erbjudanden".into(),
            all(200),
        ),
        get(
            "/behov/{id}",
            format!("/behov/{night_walkers_need}"),
            all(200),
        ),
        get("/behov/mina", "/behov/mina".into(), all(200)),
        get("/personal/arenden", "/personal/arenden".into(), all(200)),
        get("/personal/stod", "/personal/stod".into(), all(200)),
        // Rendered whole before it is sent (`SsrMode::Async`), so an outsider's "not found"
        // is the page's status too; signed out, the page asks to sign in.
        get(
            "/arenden/{id}",
            format!("/arenden/{night_walkers_case}"),
            [200, 404, 200, 200, 404, 200, 200],
        ),
        get("/behov/ny", "/behov/ny".into(), all(200)),
        get("/behov/andra", "/behov/andra".into(), all(200)),
        get("/admin", "/admin".into(), all(200)),
        get("/erbjudanden", "/erbjudanden".into(), all(200)),
        get("/pass", "/pass".into(), all(200)),
        get("/pass/timmar", "/pass/timmar".into(), all(200)),
        get("/erbjudanden/ny", "/erbjudanden/ny".into(), all(200)),
        get("/erbjudanden/andra", "/erbjudanden/andra".into(), all(200)),
        get("/andringar", "/andringar".into(), all(200)),
    ]
}

/// Every route the server registers, as templates.
fn registered_routes() -> BTreeSet<String> {
    let mut routes: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    for listing in leptos_axum::generate_route_list(app::app::App) {
        routes.insert(listing.path().to_owned());
    }
    routes.extend(server::startup::PLAIN_ROUTES.iter().map(|r| r.to_string()));
    routes.insert(app::sync::protocol::PUSH_PATH.to_owned());
    routes.insert(app::api::calendar::FEED_PATH.to_owned());
    routes.insert(app::api::cases::REPORT_CSV_PATH.to_owned());
    routes.insert(app::sync::protocol::PULL_PATH.to_owned());
    routes.insert(app::sync::protocol::V1_PUSH_PATH.to_owned());
    routes.insert(app::sync::protocol::V1_PULL_PATH.to_owned());
    routes
}

/// Leptos lists the app's routes on a Tokio runtime (its executor), as the server does.
#[tokio::test]
async fn every_registered_route_has_a_row_and_every_endpoint_an_access_rule() {
    let covered: BTreeSet<String> = rows().iter().map(|r| r.route.to_owned()).collect();
    for route in registered_routes() {
        assert!(
            covered.contains(&route),
            "route {route} has no row in the authorization matrix"
        );
        if route.starts_with("/api/") {
            assert!(
                app::api::access::access_of(&route).is_some(),
                "{route} has no row in api::access::ENDPOINTS"
            );
        }
    }
}

/// A client per role, freshly signed in.
async fn clients(app: &TestApp, volunteer: &str) -> Vec<reqwest::Client> {
    vec![
        app.new_client(),
        app.signed_in(volunteer, TEST_PASSWORD).await,
        app.signed_in("jonas@example.org", DEMO).await,
        app.signed_in("anna@example.org", DEMO).await,
        app.signed_in("omar@example.org", DEMO).await,
        app.signed_in("sara.staff@example.org", DEMO).await,
        app.signed_in("admin@example.org", DEMO).await,
    ]
}

both_engines!(
    every_route_answers_every_role_as_the_table_says,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let (_, _) = app.volunteer("vera@example.org").await;
        // Jonas is a plain member of the night walkers.
        sqlx::query(
            "INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, 'member')",
        )
        .bind(Uuid::from_u128(NIGHT_WALKERS).to_string())
        .bind(Uuid::from_u128(0x5a_0004).to_string())
        .execute(&app.pool)
        .await
        .unwrap();
        let mut wrong = Vec::new();
        for row in rows() {
            // Fresh sessions per row: a row may sign out.
            let clients = clients(&app, "vera@example.org").await;
            for (i, client) in clients.iter().enumerate() {
                let response = match &row.send {
                    Send::Get(path) => app.get_with(client, path).await,
                    Send::Post(body) => {
                        let path = row.route;
                        app.post(client, path, body.clone()).await
                    }
                };
                let status = response.status().as_u16();
                if status != row.expect[i] {
                    wrong.push(format!(
                        "{} as {}: {} (expected {})",
                        row.route, ROLES[i], status, row.expect[i]
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

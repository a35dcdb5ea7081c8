//! The cases benchmark (`scripts/bench-cases.sh`; not part of the test run, and it asserts no
//! times): the handlers' queue with 10,000 open cases and the support report over a year of
//! 100,000 closed ones, on SQLite and PostgreSQL, through the real server (release build).
//! Prints the mean, median and 99th percentile per request.
use std::time::Instant;

use app::db::Pool;
use app::domain::case::{case_number, CaseAction, CaseData, CaseRole, CaseState, CaseStep};
use app::domain::need::{NeedData, NeedDetails, NeedKind, NeedStatus, Urgency};
use app::domain::offer::Date;
use uuid::Uuid;

use crate::helpers::{spawn_app, Engine, TestApp};

const OPEN: usize = 10_000;
const CLOSED: usize = 100_000;
const DISTRICTS: usize = 6;
const AREAS: usize = 4;
const ROWS: usize = 250;

struct World {
    districts: Vec<Uuid>,
    areas: Vec<Uuid>,
    groups: Vec<(Uuid, &'static str)>,
    handler: Uuid,
}

async fn world(pool: &Pool) -> World {
    let mut districts = Vec::new();
    for n in 0..DISTRICTS {
        let id = Uuid::new_v4();
        sqlx::query("INSERT INTO districts (id, slug, name, sort_order) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(format!("d{n}"))
            .bind(format!("Kommundel {n}"))
            .bind(n as i64)
            .execute(pool)
            .await
            .unwrap();
        districts.push(id);
    }
    let mut areas = Vec::new();
    for n in 0..AREAS {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO priority_areas (id, slug, name_sv, name_en, description_sv, description_en, sort_order) \
             VALUES ($1, $2, $3, $3, '', '', $4)",
        )
        .bind(id.to_string())
        .bind(format!("a{n}"))
        .bind(format!("Fokus {n}"))
        .bind(n as i64)
        .execute(pool)
        .await
        .unwrap();
        areas.push(id);
    }
    let handler = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, display_name, email, password_hash, role, created_at) \
         VALUES ($1, 'Handläggare', 'h@example.org', 'x', 'staff', '2026-11-30T00:00:00.000Z')",
    )
    .bind(handler.to_string())
    .execute(pool)
    .await
    .unwrap();
    let mut groups = Vec::new();
    for n in 0..30 {
        let id = Uuid::new_v4();
        let (kind, org) = if n % 3 == 0 {
            ("association", Some(format!("80{n:08}")))
        } else {
            ("informal", None)
        };
        sqlx::query("INSERT INTO actors (id, name, kind, org_number) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(format!("Grupp {n}"))
            .bind(kind)
            .bind(org)
            .execute(pool)
            .await
            .unwrap();
        groups.push((id, kind));
    }
    World {
        districts,
        areas,
        groups,
        handler,
    }
}

/// Cases `range` written straight into their tables (what the write path would store: the
/// request, the case with its trail as JSON and its columns, the request's priority area). Open
/// ones wait in the first three steps; closed ones were decided over the past year.
async fn cases(pool: &Pool, w: &World, range: std::ops::Range<usize>, open: bool) {
    let now = crate::activities::now();
    let year = app::db::sync::today().year();
    for chunk in range.collect::<Vec<_>>().chunks(ROWS) {
        let mut needs = String::from(
            "INSERT INTO needs (id, group_id, kind, status, district_id, urgency, urgency_rank, \
             title, amount_ore, asks_municipality, version, created_at, updated_at) VALUES ",
        );
        let mut cases = String::from(
            "INSERT INTO cases (id, need_id, group_id, number, year, seq, kind, state, handler_id, \
             requested_ore, granted_ore, decided_at, paid_on, opened_at, state_since, body, \
             version, created_at, updated_at) VALUES ",
        );
        let mut areas =
            String::from("INSERT INTO need_priority_areas (need_id, priority_area_id) VALUES ");
        for (i, &n) in chunk.iter().enumerate() {
            let (need, case) = (Uuid::new_v4(), Uuid::new_v4());
            let (group, _) = w.groups[n % w.groups.len()];
            let district = w.districts[n % w.districts.len()];
            let amount = ((n as i64 * 37) % 49 + 1) * 10_000;
            let opened = if open {
                now - (n as i64 % 60) * 86_400 - 3_600
            } else {
                now - (n as i64 % 360) * 86_400 - 20 * 86_400
            };
            let request = NeedData {
                group,
                title: format!("Bidrag {n}"),
                details: NeedDetails::MicroGrant {
                    amount_ore: amount,
                    purpose: "Material".into(),
                    enables: String::new(),
                    payee: None,
                },
                areas: vec![],
                district,
                urgency: Urgency::Normal,
                needed_by: None,
                status: NeedStatus::Open,
            };
            let mut data =
                CaseData::received(need, &request, case_number(year, n as i64 + 1), opened);
            let step = |action, at: i64| CaseStep {
                at,
                by: Some(w.handler),
                role: CaseRole::Staff,
                amount_ore: (action == CaseAction::Approve).then_some(amount),
                reason: "Skäl".into(),
                paid_on: Some(Date::at_unix(at)),
                paid_how: "Swish".into(),
                note: "Text".into(),
                ..CaseStep::of(action)
            };
            let path: &[CaseAction] = match (open, n % 3) {
                (true, 0) => &[],
                (true, 1) => &[CaseAction::Assign],
                (true, _) => &[CaseAction::Assign, CaseAction::AskMoreInfo],
                (false, _) => &[
                    CaseAction::Assign,
                    CaseAction::Approve,
                    CaseAction::Pay,
                    CaseAction::FollowUp,
                    CaseAction::Close,
                ],
            };
            for (k, action) in path.iter().enumerate() {
                data = data.apply_step(&step(*action, opened + (k as i64 + 1) * 86_400));
            }
            let states = data.states();
            let state_since = states.last().unwrap().1;
            let body = serde_json::to_string(&data).unwrap().replace('\'', "''");
            let sep = if i == 0 { "" } else { ", " };
            let status = if data.state == CaseState::Closed {
                "fulfilled"
            } else {
                "in_progress"
            };
            needs.push_str(&format!(
                "{sep}('{need}', '{group}', 'micro_grant', '{status}', '{district}', 'normal', 1, \
                 'Bidrag {n}', {amount}, 1, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"
            ));
            let opt = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
            let handler = data.handler.map_or("NULL".to_owned(), |h| format!("'{h}'"));
            let paid_on = data.paid_on.map_or("NULL".to_owned(), |d| format!("'{d}'"));
            cases.push_str(&format!(
                "{sep}('{case}', '{need}', '{group}', '{}', {year}, {}, 'micro_grant', '{}', {handler}, \
                 {amount}, {}, {}, {paid_on}, {opened}, {state_since}, '{body}', 1, \
                 '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                data.number,
                n + 1,
                data.state.as_str(),
                opt(data.granted_ore),
                opt(data.decided_at),
            ));
            if n % 2 == 0 {
                let area = w.areas[n % w.areas.len()];
                let sep = if areas.ends_with("VALUES ") { "" } else { ", " };
                areas.push_str(&format!("{sep}('{need}', '{area}')"));
            }
        }
        for sql in [needs, cases, areas] {
            if !sql.ends_with("VALUES ") {
                sqlx::query(&sql).execute(pool).await.unwrap();
            }
        }
    }
}

/// Mean, median and 99th percentile of `count` sequential `GET path`s, in milliseconds.
async fn time_requests(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    count: usize,
) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = app.get_with(client, path).await;
        assert_eq!(response.status(), 200, "{path}");
        response.bytes().await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    (
        mean,
        times[times.len() / 2],
        times[(times.len() * 99 / 100).min(times.len() - 1)],
    )
}

async fn bench(engine: Engine) {
    let app = spawn_app(engine).await;
    let started = Instant::now();
    let w = world(&app.pool).await;
    cases(&app.pool, &w, 0..OPEN, true).await;
    cases(&app.pool, &w, OPEN..OPEN + CLOSED, false).await;
    sqlx::query("ANALYZE").execute(&app.pool).await.unwrap();
    let (open, closed): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM cases WHERE state <> 'closed'), (SELECT COUNT(*) FROM cases WHERE state = 'closed')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    println!(
        "cases bench on {engine:?}: {open} open and {closed} closed cases (made in {:.0} s)",
        started.elapsed().as_secs_f64()
    );
    let (staff, _) = app.staff_member("bench@kommunen.se").await;
    let year = app::db::sync::today().plus_days(-365);
    let today = app::db::sync::today();
    let kind = NeedKind::MicroGrant.as_str();
    for (what, path, count) in [
        ("queue, first page", "/api/case-queue".to_owned(), 200),
        (
            "queue, page 100",
            "/api/case-queue?page=100".to_owned(),
            200,
        ),
        (
            "queue, one district and kind",
            format!("/api/case-queue?district={}&kind={kind}", w.districts[2]),
            200,
        ),
        (
            "queue, one handler's",
            format!("/api/case-queue?handler={}", w.handler),
            200,
        ),
        (
            "support report, a year",
            format!("/api/support-report?from={year}&until={today}"),
            50,
        ),
        (
            "support report CSV, a year",
            format!("/api/support-report.csv?from={year}&until={today}"),
            50,
        ),
    ] {
        let (mean, median, p99) = time_requests(&app, &staff, &path, count).await;
        println!(
            "cases bench on {engine:?}: {what}: mean {mean:.1} ms, median {median:.1} ms, p99 {p99:.1} ms ({count} requests)"
        );
    }
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-cases.sh"]
async fn cases_bench_sqlite() {
    bench(Engine::Sqlite).await;
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-cases.sh"]
async fn cases_bench_postgres() {
    bench(Engine::Postgres).await;
}

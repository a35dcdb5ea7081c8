//! The "fits my offers" benchmark (`scripts/bench-finding.sh`; not part of the test run, and it
//! asserts no times): 10,000 needs, 2,000 of them weekly activities with eight weeks of
//! occasions (16,000 occasions over six districts), and 100,000 volunteers with an offer each;
//! one volunteer with two offers asks the public list for what fits them. Times requests one
//! after another through the real server (release build), on SQLite and PostgreSQL, and prints
//! the mean, median and 99th percentile per request, beside the same list without "fits".
use std::time::Instant;

use app::db::Pool;
use app::domain::activity::{Dates, Schedule, ShiftSpec};
use app::domain::need::{NeedData, NeedDetails, NeedStatus, Urgency};
use app::domain::offer::{Known, TimeOfDay};
use app::sync::protocol::{NeedOp, Op};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{spawn_app, Engine, TestApp};
use crate::phone::Phone;

const NEEDS: usize = 10_000;
const ACTIVITIES: usize = 2_000;
const OFFERS: usize = 100_000;
const DISTRICTS: usize = 6;
const REQUESTS: usize = 200;

async fn districts(pool: &Pool) -> Vec<Uuid> {
    let mut ids = Vec::new();
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
        ids.push(id);
    }
    ids
}

/// 100,000 volunteers with one offer each, written straight into their tables (what the push
/// path would write; only their number matters to one volunteer's list).
async fn crowd(pool: &Pool, districts: &[Uuid]) {
    const ROWS: usize = 500;
    for chunk in 0..OFFERS / ROWS {
        let mut users = String::from(
            "INSERT INTO users (id, display_name, email, password_hash, role, created_at) VALUES ",
        );
        let mut offers = String::from(
            "INSERT INTO offers (id, owner_id, body, version, created_at, updated_at, availability, paused) VALUES ",
        );
        let mut places =
            String::from("INSERT INTO offer_districts (offer_id, district_id) VALUES ");
        for i in 0..ROWS {
            let n = chunk * ROWS + i;
            let (user, offer) = (Uuid::new_v4(), Uuid::new_v4());
            let district = districts[n % districts.len()];
            let body = json!({
                "availability": {"type": "weekly", "valid_from": null, "valid_until": null,
                                 "windows": [{"weekday": n % 7 + 1, "from": "17:00", "to": "21:00"}]},
                "districts": [district], "areas": [], "skills": [], "languages": [],
                "note": "", "paused": false,
            });
            let sep = if i == 0 { "" } else { ", " };
            users.push_str(&format!(
                "{sep}('{user}', 'Volontär {n}', '{user}@example.org', 'x', 'volunteer', '2026-11-30T00:00:00.000Z')"
            ));
            offers.push_str(&format!(
                "{sep}('{offer}', '{user}', '{body}', 1, '2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z', 'weekly', 0)"
            ));
            places.push_str(&format!("{sep}('{offer}', '{district}')"));
        }
        for sql in [users, offers, places] {
            sqlx::query(&sql).execute(pool).await.unwrap();
        }
    }
}

/// The needs: activities (one weekday each, 18:00–20:00, eight weeks from tomorrow) and other
/// needs, written by the group's contact through the one write path (which writes the
/// activities' occasions).
async fn needs(app: &TestApp, districts: &[Uuid]) {
    let pool = &app.pool;
    let (contact, group) = (Uuid::new_v4(), Uuid::new_v4());
    for statement in [
        "INSERT INTO users (id, display_name, email, password_hash, role, created_at) VALUES ($1, 'Kontakt', 'kontakt@example.org', 'x', 'volunteer', '2026-11-30T00:00:00.000Z')",
        "INSERT INTO actors (id, name, kind) VALUES ($2, 'Föreningen', 'informal')",
        "INSERT INTO actor_members (actor_id, user_id, role) VALUES ($2, $1, 'contact')",
    ] {
        sqlx::query(statement)
            .bind(contact.to_string())
            .bind(group.to_string())
            .execute(pool)
            .await
            .unwrap();
    }
    let actor = app::db::sync::actor(&mut pool.acquire().await.unwrap(), contact)
        .await
        .unwrap();
    let tomorrow = app::db::sync::today().plus_days(1);
    let time = |t: &str| TimeOfDay::parse(t).unwrap();
    let changes: Vec<(Uuid, Op)> = (0..NEEDS)
        .map(|n| {
            let details = if n < ACTIVITIES {
                NeedDetails::Activity {
                    tasks: "Vara med".into(),
                    place: "Torget".into(),
                    schedule: Schedule {
                        starts: time("18:00"),
                        ends: time("20:00"),
                        dates: Dates::Weekly {
                            weekdays: vec![(n % 7) as u8 + 1],
                            from: tomorrow,
                            until: tomorrow.plus_days(55),
                            except: vec![],
                        },
                        shifts: vec![ShiftSpec {
                            id: 1,
                            label: String::new(),
                            places: 4,
                            waiting_list: true,
                        }],
                    },
                }
            } else {
                NeedDetails::Other {
                    text: "Fler vuxna ibland.".into(),
                }
            };
            let data = NeedData {
                group,
                title: format!("Behov {n}"),
                details,
                areas: vec![],
                district: districts[(n / 7) % districts.len()],
                urgency: Urgency::Normal,
                needed_by: None,
                status: NeedStatus::Open,
            };
            (Uuid::new_v4(), Op::Need(NeedOp::Create(data)))
        })
        .collect();
    for batch in changes.chunks(100) {
        app::db::sync::write(pool, &actor, contact, batch, Known::default())
            .await
            .unwrap();
    }
}

/// Mean, median and 99th percentile of `REQUESTS` sequential `GET path`s, in milliseconds.
async fn time_requests(app: &TestApp, client: &reqwest::Client, path: &str) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let response = app.get_with(client, path).await;
        assert_eq!(response.status(), 200, "{path}");
        response.bytes().await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    (mean, times[times.len() / 2], times[times.len() * 99 / 100])
}

async fn bench(engine: Engine) {
    let app = spawn_app(engine).await;
    let districts = districts(&app.pool).await;
    let started = Instant::now();
    needs(&app, &districts).await;
    crowd(&app.pool, &districts).await;
    // The planner's statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would have them
    // for a database in use; without them PostgreSQL takes an empty-looking `occasions` for a
    // nested loop and a request takes 1.5 s instead of a few milliseconds.
    sqlx::query("ANALYZE").execute(&app.pool).await.unwrap();
    let (needs, occasions, offers): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM needs), (SELECT COUNT(*) FROM occasions), (SELECT COUNT(*) FROM offers)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    println!(
        "finding bench on {engine:?}: {needs} needs, {occasions} occasions, {offers} offers (made in {:.0} s)",
        started.elapsed().as_secs_f64()
    );
    // Vera: Tuesday and Friday evenings, in two of the six districts.
    let (vera, _) = app.volunteer("vera@example.org").await;
    for (weekday, district) in [(2, districts[0]), (5, districts[3])] {
        let (_, outcome) = Phone::new(&vera)
            .send_kind(
                &app,
                "offer",
                Uuid::new_v4(),
                json!({"create": {
                    "availability": {"type": "weekly", "valid_from": null, "valid_until": null,
                                     "windows": [{"weekday": weekday, "from": "19:00", "to": "22:00"}]},
                    "districts": [district], "areas": [], "skills": [], "languages": [],
                    "note": "", "paused": false}}),
                None,
            )
            .await;
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let fits: serde_json::Value = app
        .get_with(&vera, "/api/open-needs?fits=true")
        .await
        .json()
        .await
        .unwrap();
    let all: serde_json::Value = app
        .get_with(&vera, "/api/open-needs")
        .await
        .json()
        .await
        .unwrap();
    println!(
        "finding bench on {engine:?}: {} of {} open needs fit Vera's offers",
        fits["total"], all["total"]
    );
    for (what, path) in [
        ("fits my offers, data", "/api/open-needs?fits=true"),
        ("fits my offers, page", "/behov?passar=1"),
        ("the whole list, data", "/api/open-needs"),
        (
            "next 7 days, data",
            "/api/open-needs?from=2026-12-01&until=2026-12-07",
        ),
    ] {
        let (mean, median, p99) = time_requests(&app, &vera, path).await;
        println!(
            "finding bench on {engine:?}: {what}: mean {mean:.1} ms, median {median:.1} ms, p99 {p99:.1} ms ({REQUESTS} requests, one at a time)"
        );
    }
    app.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench-finding.sh"]
async fn finding_bench_sqlite() {
    bench(Engine::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench-finding.sh"]
async fn finding_bench_postgres() {
    bench(Engine::Postgres).await
}

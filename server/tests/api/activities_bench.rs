//! The sign-up benchmark (`scripts/bench-signups.sh`; not part of the test run, and it asserts
//! no times): a popular shift of 50 places, and 1,000 volunteers signing up to it at once
//! through the server's push path (`db::sync::push`, what `/api/sync/v2/push` calls), on SQLite
//! and PostgreSQL. Prints how many sign-ups per second the server decided, and checks that
//! exactly 50 got a place and 950 wait.
use std::sync::Arc;
use std::time::Instant;

use app::db::Pool;
use app::domain::activity::{occasion_id, Dates, Schedule, ShiftSpec, SignUpData, SignUpStatus};
use app::domain::need::{NeedData, NeedDetails, NeedStatus, Urgency};
use app::domain::offer::{Known, TimeOfDay};
use app::sync::protocol::*;
use uuid::Uuid;

use crate::helpers::{spawn_app, Engine};

const VOLUNTEERS: usize = 1_000;
const PLACES: u16 = 50;
/// Pushes in flight at once (phones coming back into signal together).
const CONCURRENT: usize = 32;

async fn person(pool: &Pool, n: usize) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, display_name, email, password_hash, role, created_at) \
         VALUES ($1, $2, $3, 'x', 'volunteer', '2026-11-30T00:00:00.000Z')",
    )
    .bind(id.to_string())
    .bind(format!("Volontär {n}"))
    .bind(format!("{id}@example.org"))
    .execute(pool)
    .await
    .unwrap();
    id
}

async fn bench(engine: Engine) {
    let app = spawn_app(engine).await;
    let pool = app.pool.clone();
    let district = app.first_district().await;
    let contact = person(&pool, 0).await;
    let group = Uuid::new_v4();
    for statement in [
        "INSERT INTO actors (id, name, kind) VALUES ($1, 'Nattvandrarna', 'informal')",
        "INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, 'contact')",
    ] {
        sqlx::query(statement)
            .bind(group.to_string())
            .bind(contact.to_string())
            .execute(&pool)
            .await
            .unwrap();
    }
    let tomorrow = app::db::sync::today().plus_days(1);
    let activity = Uuid::new_v4();
    let walk = NeedData {
        group,
        title: "Nattvandring".into(),
        details: NeedDetails::Activity {
            tasks: "Gå i par".into(),
            place: "Torget".into(),
            schedule: Schedule {
                starts: TimeOfDay::parse("21:00").unwrap(),
                ends: TimeOfDay::parse("00:00").unwrap(),
                dates: Dates::Dated {
                    dates: vec![tomorrow],
                },
                shifts: vec![ShiftSpec {
                    id: 1,
                    label: String::new(),
                    places: PLACES,
                    waiting_list: true,
                }],
            },
        },
        areas: vec![],
        district,
        urgency: Urgency::Normal,
        needed_by: None,
        status: NeedStatus::Open,
    };
    let actor = app::db::sync::actor(&mut pool.acquire().await.unwrap(), contact)
        .await
        .unwrap();
    let known = Known::default();
    app::db::sync::write(
        &pool,
        &actor,
        contact,
        &[(activity, Op::Need(NeedOp::Create(walk)))],
        known.clone(),
    )
    .await
    .unwrap();
    let occasion = occasion_id(activity, tomorrow);
    let mut volunteers = Vec::new();
    for n in 0..VOLUNTEERS {
        volunteers.push(person(&pool, n + 1).await);
    }
    let queue = Arc::new(std::sync::Mutex::new(volunteers));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENT {
        let (queue, pool, known) = (queue.clone(), pool.clone(), known.clone());
        workers.spawn(async move {
            loop {
                let Some(volunteer) = queue.lock().unwrap().pop() else {
                    return;
                };
                let change = Change {
                    id: Uuid::new_v4(),
                    seq: 1,
                    record: Uuid::new_v4(),
                    made_on: None,
                    op: Op::SignUp(KindOp::Create(SignUpData {
                        occasion,
                        need: activity,
                        group,
                        shift: 1,
                        volunteer,
                        name: String::new(),
                        title: String::new(),
                        group_name: String::new(),
                        place: String::new(),
                        starts_at: 0,
                        ends_at: 0,
                        status: SignUpStatus::Requested,
                        requested_at: 0,
                        attended: None,
                        hours: None,
                        notice: None,
                    })),
                };
                let results =
                    app::db::sync::push(&pool, volunteer, Uuid::new_v4(), &[change], known.clone())
                        .await
                        .expect("the push is taken");
                assert!(matches!(results[0].outcome, Outcome::Applied { .. }));
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    let elapsed = started.elapsed();
    let counted: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM sign_ups WHERE occasion_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(occasion.to_string())
    .fetch_all(&pool)
    .await
    .unwrap();
    let count = |s: &str| counted.iter().find(|(x, _)| x == s).map_or(0, |(_, n)| *n);
    assert_eq!(count("confirmed"), i64::from(PLACES));
    assert_eq!(count("waiting"), (VOLUNTEERS - usize::from(PLACES)) as i64);
    eprintln!(
        "sign-up bench on {engine:?}: {VOLUNTEERS} sign-ups to one shift of {PLACES} places, \
         {CONCURRENT} at a time, in {} ms = {:.0} sign-ups/s; {} confirmed, {} waiting",
        elapsed.as_millis(),
        VOLUNTEERS as f64 / elapsed.as_secs_f64(),
        count("confirmed"),
        count("waiting"),
    );
    app.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a benchmark: scripts/bench-signups.sh"]
async fn sign_up_bench_sqlite() {
    bench(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a benchmark: scripts/bench-signups.sh"]
async fn sign_up_bench_postgres() {
    bench(Engine::Postgres).await;
}

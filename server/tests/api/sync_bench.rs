//! The sync benchmark (`scripts/bench-sync.sh`; not part of the test run, and it asserts no
//! times): the device engine pushing 1,000 queued changes and pulling 10,000 records over real
//! HTTP, against SQLite and PostgreSQL — half offers (the person's own scope), half needs of a
//! group the person speaks for (the group's scope). Prints the median of several runs.
use std::cell::RefCell;
use std::time::{Duration, Instant};

use app::domain::need::{NeedData, NeedDetails, NeedStatus, Urgency};
use app::domain::offer::{Availability, OfferData, TimeOfDay, WeeklyWindow};
use app::sync::client::{sync, Engine, Step, Transport, TransportError};
use app::sync::protocol::*;
use app::sync::store::MemoryStore;
use uuid::Uuid;

use crate::helpers::{spawn_app, Engine as Db, TestApp};

struct Http<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
}

impl Transport for Http<'_> {
    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let response = self
            .client
            .post(self.app.url(PUSH_PATH))
            .json(request)
            .send()
            .await;
        let response = response.map_err(|_| TransportError::Offline)?;
        if !response.status().is_success() {
            return Err(TransportError::Server);
        }
        response.json().await.map_err(|_| TransportError::Server)
    }

    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        let response = self
            .client
            .post(self.app.url(PULL_PATH))
            .json(request)
            .send()
            .await;
        let response = response.map_err(|_| TransportError::Offline)?;
        if !response.status().is_success() {
            return Err(TransportError::Server);
        }
        response.json().await.map_err(|_| TransportError::Server)
    }
}

fn offer(district: Uuid, i: usize) -> OfferData {
    let time = |t: &str| TimeOfDay::parse(t).unwrap();
    OfferData {
        availability: Availability::Weekly {
            windows: vec![WeeklyWindow {
                weekday: (i % 7) as u8 + 1,
                from: time("18:00"),
                to: time("21:00"),
            }],
            valid_from: None,
            valid_until: None,
        },
        districts: vec![district],
        areas: vec![],
        skills: vec!["första hjälpen".into(), "läxhjälp".into()],
        languages: vec!["svenska".into(), "arabiska".into()],
        note: format!("Erbjudande nummer {i}, helst kvällar efter jobbet."),
        paused: false,
    }
}

fn need(group: Uuid, district: Uuid, payee: Uuid, i: usize) -> NeedData {
    NeedData {
        group,
        title: format!("Behov nummer {i}"),
        details: NeedDetails::MicroGrant {
            amount_ore: (i as i64 % 4_000 + 1) * 100,
            purpose: "Material och fika till kvällarna".into(),
            enables: "Att vi kan fortsätta".into(),
            payee: Some(payee),
        },
        areas: vec![],
        district,
        urgency: Urgency::Normal,
        needed_by: None,
        status: NeedStatus::Open,
    }
}

/// A device of a new volunteer, contact of a new group, with `n` creates waiting in its
/// outbox: offers and the group's needs, in turn.
async fn device_with_outbox(
    app: &TestApp,
    n: usize,
    who: &str,
) -> (reqwest::Client, RefCell<Engine<MemoryStore>>) {
    let (client, user) = app.volunteer(&format!("{who}@example.org")).await;
    let district = app.first_district().await;
    let group: Uuid = app
        .post(
            &client,
            "/api/register-group",
            serde_json::json!({"form": {"kind": "informal", "name": format!("Grupp {who}"),
                "description": "Bänkmärkning.", "org_number": "", "districts": [district],
                "priority_areas": []}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut engine = Engine::open(MemoryStore::default(), user, Uuid::new_v4());
    for i in 0..n {
        let op: Op = if i % 2 == 0 {
            OfferOp::Create(offer(district, i)).into()
        } else {
            NeedOp::Create(need(group, district, user, i)).into()
        };
        engine.record(Uuid::new_v4(), Uuid::new_v4(), op).unwrap();
    }
    (client, RefCell::new(engine))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn bench(db: Db) {
    let app = spawn_app(db).await;
    let runs = 5;
    let mut push_times = Vec::new();
    for run in 0..runs {
        let (client, engine) = device_with_outbox(&app, 1_000, &format!("push{run}")).await;
        let mut transport = Http { app: &app, client };
        let started = Instant::now();
        // Only the push part: the engine sends its outbox in batches, then pulls what it sent.
        loop {
            let next = engine.borrow().push_request();
            let Some(request) = next else { break };
            let answer = transport.push(&request).await;
            assert_eq!(
                engine.borrow_mut().on_push(&request, answer),
                Step::Continue
            );
        }
        push_times.push(started.elapsed());
        assert!(engine.borrow().outbox().is_empty());
    }
    // 10,000 records for one person (5,000 offers, 5,000 needs of their group), then a fresh
    // device pulls them all.
    let (client, engine) = device_with_outbox(&app, 10_000, "pull").await;
    let user = engine.borrow().user();
    let mut transport = Http {
        app: &app,
        client: client.clone(),
    };
    assert_eq!(sync(&engine, &mut transport).await, Step::Done);
    let mut pull_times = Vec::new();
    for _ in 0..runs {
        let fresh = RefCell::new(Engine::open(MemoryStore::default(), user, Uuid::new_v4()));
        let mut transport = Http {
            app: &app,
            client: client.clone(),
        };
        let started = Instant::now();
        assert_eq!(sync(&fresh, &mut transport).await, Step::Done);
        pull_times.push(started.elapsed());
        assert_eq!(fresh.borrow().offers().len(), 5_000);
        assert_eq!(fresh.borrow().needs().len(), 5_000);
    }
    println!(
        "sync bench on {db:?}: push 1,000 mixed changes median {:?} (runs {:?}); pull 10,000 mixed records median {:?} (runs {:?})",
        median(push_times.clone()), push_times, median(pull_times.clone()), pull_times
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: scripts/bench-sync.sh"]
async fn sync_bench_sqlite() {
    bench(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: scripts/bench-sync.sh"]
async fn sync_bench_postgres() {
    bench(Db::Postgres).await;
}

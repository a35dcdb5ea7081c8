//! A deterministic, seeded simulation of sync: several devices (the same person on three, a
//! second person on one) run the real engine (`app::sync::client`) against the real server
//! code (`api::sync::handle_push/handle_pull` over the real database) through a transport that
//! drops requests, drops answers after the server applied them, duplicates and delays them,
//! and restarts the server. Devices edit offline, edit the same offer concurrently, remove
//! what another edits, and restart themselves.
//!
//! After healing: every device equals the server, each change was applied exactly once,
//! nothing removed came back, and cursors only moved forward. `SIM_SEEDS` sets how many seeds
//! (default 300); `SIM_SEED=n` runs one. A failing seed is printed.
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::db::Pool;
use app::domain::offer::{Availability, OfferData, OfferPatch, TimeOfDay, WeeklyWindow};
use app::sync::client::{sync, Engine, Step, Transport, TransportError};
use app::sync::protocol::*;
use app::sync::store::MemoryStore;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::helpers::{spawn_app, Engine as Db};

struct Server {
    pool: Pool,
    url: String,
}

/// A request held back, delivered later (its answer goes nowhere).
enum Delayed {
    Push(Uuid, Vec<u8>),
    Pull(Uuid, HashMap<String, String>),
}

struct World {
    server: RefCell<Server>,
    rng: RefCell<SmallRng>,
    delayed: RefCell<Vec<Delayed>>,
    faults: RefCell<bool>,
}

impl World {
    /// Closes every connection and opens the database again (as a restarted process would).
    async fn restart_server(&self) {
        let (url, pool) = {
            let server = self.server.borrow();
            (server.url.clone(), server.pool.clone())
        };
        pool.close().await;
        let url = app::config::DatabaseUrl::parse(&url).expect("test url parses");
        let pool = app::db::connect_and_migrate(&url)
            .await
            .expect("server restarts");
        self.server.borrow_mut().pool = pool;
    }

    fn roll(&self) -> f64 {
        if *self.faults.borrow() {
            self.rng.borrow_mut().gen()
        } else {
            1.0
        }
    }

    async fn deliver(&self, delayed: Delayed) {
        let pool = self.server.borrow().pool.clone();
        match delayed {
            Delayed::Push(user, body) => {
                let _ = app::api::sync::handle_push(&pool, user, &body).await;
            }
            Delayed::Pull(user, query) => {
                let _ = app::api::sync::handle_pull(&pool, user, &query).await;
            }
        }
    }
}

struct FaultyTransport<'a> {
    world: &'a World,
    user: Uuid,
    /// Every pull answer this device got: (cursor asked, cursor answered, reset).
    pulls: Vec<(Option<i64>, i64, bool)>,
}

fn rejected(err: SyncError) -> TransportError {
    match err.reason {
        SyncErrorReason::Internal => TransportError::Server,
        _ => TransportError::Rejected(err),
    }
}

/// Through the wire format both ways, as HTTP would.
fn wire<T: serde::Serialize + serde::de::DeserializeOwned>(value: T) -> T {
    serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap()
}

impl Transport for FaultyTransport<'_> {
    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let body = serde_json::to_vec(request).unwrap();
        let roll = self.world.roll();
        if roll < 0.10 {
            return Err(TransportError::Offline); // the request is lost
        }
        if roll < 0.18 {
            self.world
                .delayed
                .borrow_mut()
                .push(Delayed::Push(self.user, body));
            return Err(TransportError::Offline); // it arrives later, after the device gave up
        }
        let pool = self.world.server.borrow().pool.clone();
        let answer = app::api::sync::handle_push(&pool, self.user, &body).await;
        if roll < 0.30 {
            return Err(TransportError::Offline); // applied, but the answer is lost
        }
        let answer = if roll < 0.38 {
            app::api::sync::handle_push(&pool, self.user, &body).await // sent twice
        } else {
            answer
        };
        if std::env::var_os("SIM_TRACE").is_some() {
            eprintln!(
                "  push roll {roll:.2} {:?}",
                answer.as_ref().map(|a| a
                    .results
                    .iter()
                    .map(|r| format!("{:?}", r.outcome))
                    .collect::<Vec<_>>())
            );
        }
        answer.map(wire).map_err(rejected)
    }

    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError> {
        let mut query = HashMap::from([
            ("protocol".to_owned(), request.protocol.to_string()),
            ("context".to_owned(), u8::from(request.context).to_string()),
            ("limit".to_owned(), "7".to_owned()), // small pages, so paging is exercised
        ]);
        if let Some(cursor) = request.cursor {
            query.insert("cursor".to_owned(), cursor.to_string());
        }
        let roll = self.world.roll();
        if roll < 0.08 {
            return Err(TransportError::Offline);
        }
        if roll < 0.12 {
            self.world
                .delayed
                .borrow_mut()
                .push(Delayed::Pull(self.user, query));
            return Err(TransportError::Offline);
        }
        let pool = self.world.server.borrow().pool.clone();
        let answer = app::api::sync::handle_pull(&pool, self.user, &query).await;
        if roll < 0.20 {
            return Err(TransportError::Offline);
        }
        let answer = answer.map(wire).map_err(rejected)?;
        self.pulls
            .push((request.cursor, answer.cursor, answer.reset));
        Ok(answer)
    }
}

struct Device {
    user: Uuid,
    engine: RefCell<Engine<MemoryStore>>,
    pulls: Vec<(Option<i64>, i64, bool)>,
}

fn time(rng: &mut SmallRng) -> TimeOfDay {
    TimeOfDay::parse(&format!(
        "{:02}:{:02}",
        rng.gen_range(0..24),
        30 * rng.gen_range(0..2)
    ))
    .unwrap()
}

fn random_offer(rng: &mut SmallRng, district: Uuid) -> OfferData {
    let availability = if rng.gen_bool(0.5) {
        Availability::Flexible
    } else {
        Availability::Weekly {
            windows: vec![WeeklyWindow {
                weekday: rng.gen_range(1..=7),
                from: time(rng),
                to: time(rng),
            }],
            valid_from: None,
            valid_until: None,
        }
    };
    OfferData {
        availability,
        districts: vec![district],
        areas: vec![],
        skills: vec![],
        languages: vec![],
        note: format!("note {}", rng.gen_range(0..1000)),
        paused: false,
    }
}

fn random_patch(rng: &mut SmallRng, district: Uuid) -> OfferPatch {
    let other = random_offer(rng, district);
    OfferPatch {
        availability: rng.gen_bool(0.3).then_some(other.availability),
        note: rng.gen_bool(0.6).then_some(other.note),
        paused: rng.gen_bool(0.4).then(|| rng.gen_bool(0.5)),
        ..Default::default()
    }
}

fn uuid(rng: &mut SmallRng) -> Uuid {
    Uuid::from_u128(rng.gen())
}

/// The live offers of `user` as the server has them.
async fn server_offers(pool: &Pool, user: Uuid) -> BTreeMap<Uuid, OfferData> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, body FROM offers WHERE owner_id = $1 AND body IS NOT NULL")
            .bind(user.to_string())
            .fetch_all(pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(id, body)| (id.parse().unwrap(), serde_json::from_str(&body).unwrap()))
        .collect()
}

async fn counter(pool: &Pool) -> i64 {
    let (v,): (i64,) = sqlx::query_as("SELECT value FROM sync_counter WHERE id = 1")
        .fetch_one(pool)
        .await
        .unwrap();
    v
}

async fn add_person(pool: &Pool, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, display_name, email, password_hash, role, created_at) VALUES ($1, $2, $3, 'x', 'volunteer', '2026-11-24T00:00:00.000Z')")
        .bind(id.to_string())
        .bind(name)
        .bind(format!("{id}@example.org"))
        .execute(pool)
        .await
        .unwrap();
    id
}

/// Prints the seed if the simulation panics.
struct SeedGuard(u64, Db);

impl Drop for SeedGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "\nsync simulation failed on {:?} with SIM_SEED={}\n",
                self.1, self.0
            );
        }
    }
}

async fn run_seed(seed: u64, engine: Db, server: Server, district: Uuid) -> Server {
    let _guard = SeedGuard(seed, engine);
    let world = World {
        server: RefCell::new(server),
        rng: RefCell::new(SmallRng::seed_from_u64(seed)),
        delayed: RefCell::new(Vec::new()),
        faults: RefCell::new(true),
    };
    let pool = world.server.borrow().pool.clone();
    let ana = add_person(&pool, "Ana").await;
    let bo = add_person(&pool, "Bo").await;
    let start_counter = counter(&pool).await;
    let mut devices: Vec<Device> = [ana, ana, ana, bo]
        .into_iter()
        .map(|user| {
            let device = uuid(&mut world.rng.borrow_mut());
            Device {
                user,
                engine: RefCell::new(Engine::open(MemoryStore::default(), user, device)),
                pulls: vec![],
            }
        })
        .collect();
    let mut made: BTreeSet<Uuid> = BTreeSet::new();
    let mut deletes: BTreeMap<Uuid, Uuid> = BTreeMap::new();

    let steps = world.rng.borrow_mut().gen_range(30..80);
    for _ in 0..steps {
        let (who, action) = {
            let mut rng = world.rng.borrow_mut();
            (rng.gen_range(0..devices.len()), rng.gen_range(0..100))
        };
        let device = &mut devices[who];
        let trace = std::env::var_os("SIM_TRACE").is_some();
        if trace {
            let e = device.engine.borrow();
            eprintln!(
                "step: device {who} action {action} cursor {:?} outbox {:?} snapshot {:?}",
                e.cursor(),
                e.outbox()
                    .iter()
                    .map(|c| (
                        c.seq,
                        c.record.to_string()[..8].to_owned(),
                        format!("{:?}", c.op).chars().take(12).collect::<String>()
                    ))
                    .collect::<Vec<_>>(),
                e.snapshot()
                    .offers
                    .iter()
                    .map(|(id, o)| (id.to_string()[..8].to_owned(), o.version))
                    .collect::<Vec<_>>()
            );
        }
        match action {
            // An edit on the device (online or not: it does not know).
            0..=44 => {
                let mut rng = world.rng.borrow_mut();
                let offers = device.engine.borrow().offers();
                let change = uuid(&mut rng);
                let roll = rng.gen_range(0..10);
                let (record, op) = if offers.is_empty() || roll < 3 {
                    (
                        uuid(&mut rng),
                        OfferOp::Create(random_offer(&mut rng, district)),
                    )
                } else {
                    let target = offers[rng.gen_range(0..offers.len())].id;
                    if roll < 8 {
                        (target, OfferOp::Update(random_patch(&mut rng, district)))
                    } else {
                        (target, OfferOp::Delete)
                    }
                };
                if op == OfferOp::Delete {
                    deletes.insert(change, record);
                }
                device
                    .engine
                    .borrow_mut()
                    .record(change, record, op)
                    .unwrap();
                made.insert(change);
            }
            45..=79 => {
                let mut transport = FaultyTransport {
                    world: &world,
                    user: device.user,
                    pulls: vec![],
                };
                sync(&device.engine, &mut transport).await;
                device.pulls.append(&mut transport.pulls);
            }
            80..=89 => {
                let pending = world.delayed.borrow().len();
                if pending > 0 {
                    let i = world.rng.borrow_mut().gen_range(0..pending);
                    let delayed = world.delayed.borrow_mut().remove(i);
                    world.deliver(delayed).await;
                }
            }
            90..=93 => world.restart_server().await,
            94..=96 => {
                // The device restarts: everything it knows comes back from its store.
                let (store, user, id) = {
                    let e = device.engine.borrow();
                    (e.store().clone(), e.user(), e.device())
                };
                device.engine = RefCell::new(Engine::open(store, user, id));
            }
            _ => {
                let pool = world.server.borrow().pool.clone();
                let before = app::db::now();
                app::db::sync::forget_removals(&pool, &before)
                    .await
                    .unwrap();
            }
        }
    }

    // Heal: late requests arrive, then the network is perfect.
    let late: Vec<Delayed> = world.delayed.borrow_mut().drain(..).collect();
    for delayed in late {
        world.deliver(delayed).await;
    }
    *world.faults.borrow_mut() = false;
    for _ in 0..2 {
        for device in &mut devices {
            let mut transport = FaultyTransport {
                world: &world,
                user: device.user,
                pulls: vec![],
            };
            assert_eq!(
                sync(&device.engine, &mut transport).await,
                Step::Done,
                "a healed sync finishes"
            );
            device.pulls.append(&mut transport.pulls);
        }
    }

    let pool = world.server.borrow().pool.clone();
    for (i, device) in devices.iter().enumerate() {
        let (sent_all, mine) = {
            let engine = device.engine.borrow();
            let mine: BTreeMap<Uuid, OfferData> = engine
                .offers()
                .into_iter()
                .map(|o| (o.id, o.data))
                .collect();
            (engine.outbox().is_empty(), mine)
        };
        assert!(sent_all, "device {i} sent everything");
        assert_eq!(
            mine,
            server_offers(&pool, device.user).await,
            "device {i} equals the server"
        );
        for (asked, answered, reset) in &device.pulls {
            assert!(
                *reset || asked.is_none_or(|a| *answered >= a),
                "device {i}: cursor went back from {asked:?} to {answered}"
            );
        }
    }

    // Exactly once: every change made is recorded once, and the counter moved once per change
    // that changed something.
    let rows: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, version FROM sync_changes WHERE user_id IN ($1, $2)")
            .bind(ana.to_string())
            .bind(bo.to_string())
            .fetch_all(&pool)
            .await
            .unwrap();
    let recorded: BTreeSet<Uuid> = rows.iter().map(|(id, _)| id.parse().unwrap()).collect();
    assert_eq!(recorded.len(), rows.len());
    assert_eq!(recorded, made, "each change made reached the server once");
    let versions = rows.iter().filter(|(_, v)| v.is_some()).count() as i64;
    assert_eq!(
        counter(&pool).await - start_counter,
        versions,
        "one number per applied change"
    );

    // Nothing removed came back: a record whose removal was applied is live nowhere.
    let applied: BTreeSet<Uuid> = rows
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(id, _)| id.parse().unwrap())
        .collect();
    let removed: BTreeSet<Uuid> = deletes
        .iter()
        .filter(|(change, _)| applied.contains(change))
        .map(|(_, record)| *record)
        .collect();
    let live: BTreeSet<Uuid> = server_offers(&pool, ana)
        .await
        .into_keys()
        .chain(server_offers(&pool, bo).await.into_keys())
        .collect();
    assert!(
        removed.is_disjoint(&live),
        "a removed offer came back on the server"
    );
    for device in &devices {
        assert!(device
            .engine
            .borrow()
            .offers()
            .iter()
            .all(|o| !removed.contains(&o.id)));
    }
    world.server.into_inner()
}

async fn simulate(engine: Db) {
    let app = spawn_app(engine).await;
    let district = app.first_district().await;
    let seeds: Vec<u64> = match std::env::var("SIM_SEED") {
        Ok(seed) => vec![seed.parse().expect("SIM_SEED is a number")],
        Err(_) => {
            let n = std::env::var("SIM_SEEDS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(300);
            (0..n).collect()
        }
    };
    let url = app::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut server = Server {
        pool: app::db::connect_and_migrate(&url).await.unwrap(),
        url: app.database_url.clone(),
    };
    for seed in &seeds {
        server = run_seed(*seed, engine, server, district).await;
    }
    server.pool.close().await;
    eprintln!(
        "sync simulation: {} seeds passed on {engine:?}",
        seeds.len()
    );
}

#[tokio::test]
async fn sync_simulation_converges_on_sqlite() {
    simulate(Db::Sqlite).await;
}

#[tokio::test]
async fn sync_simulation_converges_on_postgres() {
    simulate(Db::Postgres).await;
}

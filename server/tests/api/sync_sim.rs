//! A deterministic, seeded simulation of sync: several devices (the same person on three, a
//! second person on one) run the real engine (`app::sync::client`) against the real server
//! code (`api::sync::handle_push/handle_pull` over the real database) through a transport that
//! drops requests, drops answers after the server applied them, duplicates and delays them,
//! and restarts the server. Devices edit offers and a group's needs offline, edit the same
//! record concurrently, remove what another edits, and restart themselves. The second person
//! joins and leaves the group mid-run and follows the needs' district publicly; the server
//! itself writes too (a need fulfilled, a need posted), through the same path. Both sign up to
//! and withdraw from a two-place shift of the group's activity, racing from their devices; the
//! server decides the places and moves the waiting list up.
//!
//! After healing: every device holds exactly what the server says its person may see now (the
//! group's needs in full for a member, only the public view of open needs otherwise), each
//! change was applied exactly once, nothing removed came back, cursors only moved forward, and
//! the shift never had more people than places nor anyone waiting beside a free place.
//! `SIM_SEEDS` sets how many seeds (default 300); `SIM_SEED=n` runs one. A failing seed is
//! printed.
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use app::db::Pool;
use app::domain::activity::{
    occasion_id, Dates, OccasionData, Schedule, ShiftSpec, SignUpData, SignUpPatch, SignUpStatus,
};
use app::domain::need::{NeedData, NeedDetails, NeedPatch, NeedStatus, Urgency};
use app::domain::offer::{Availability, Known, OfferData, OfferPatch, TimeOfDay, WeeklyWindow};
use app::sync::client::{sync, Engine, Step, Transport, TransportError};
use app::sync::kinds::{Actor, Scope};
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
    Pull(Uuid, Vec<u8>),
}

/// The grant maximum the simulated server runs with (the default).
const MAX_GRANT: i64 = app::domain::need::DEFAULT_MAX_GRANT_ORE;

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
                let _ = app::api::sync::handle_push(&pool, user, &body, MAX_GRANT).await;
            }
            Delayed::Pull(user, body) => {
                let _ = app::api::sync::handle_pull(&pool, user, &body).await;
            }
        }
    }
}

struct FaultyTransport<'a> {
    world: &'a World,
    user: Uuid,
    /// Every pull answer this device got.
    pulls: Vec<Pulled>,
}

/// A pull's cursors asked and answered, and whether it was a reset.
type Pulled = (BTreeMap<String, i64>, BTreeMap<String, i64>, bool);

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
        let answer = app::api::sync::handle_push(&pool, self.user, &body, MAX_GRANT).await;
        if roll < 0.30 {
            return Err(TransportError::Offline); // applied, but the answer is lost
        }
        let answer = if roll < 0.38 {
            app::api::sync::handle_push(&pool, self.user, &body, MAX_GRANT).await
        // sent twice
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
        let paged = PullRequest {
            limit: Some(3), // small pages, so paging is exercised
            ..request.clone()
        };
        let query = serde_json::to_vec(&paged).unwrap();
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
        self.pulls.push((
            request.cursors.clone(),
            answer.cursors.clone(),
            answer.reset,
        ));
        Ok(answer)
    }
}

struct Device {
    user: Uuid,
    engine: RefCell<Engine<MemoryStore>>,
    pulls: Vec<Pulled>,
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

fn random_need(rng: &mut SmallRng, group: Uuid, district: Uuid, payee: Uuid) -> NeedData {
    let details = if rng.gen_bool(0.5) {
        NeedDetails::MicroGrant {
            amount_ore: rng.gen_range(1..=6_000) * 100, // some over the maximum: refused
            purpose: "Telefon och kaffe".into(),
            enables: String::new(),
            payee: Some(payee),
        }
    } else {
        NeedDetails::Recognition {
            whom: "Nattvandrarna".into(),
            reason: format!("kväll {}", rng.gen_range(0..100)),
        }
    };
    NeedData {
        group,
        title: format!("behov {}", rng.gen_range(0..1000)),
        details,
        areas: vec![],
        district,
        urgency: Urgency::Normal,
        needed_by: None,
        status: if rng.gen_bool(0.7) {
            NeedStatus::Open
        } else {
            NeedStatus::Draft
        },
    }
}

fn random_need_patch(rng: &mut SmallRng) -> NeedPatch {
    let status = [
        NeedStatus::Open,
        NeedStatus::Withdrawn,
        NeedStatus::Fulfilled,
        NeedStatus::Draft,
    ][rng.gen_range(0..4)];
    NeedPatch {
        title: rng
            .gen_bool(0.5)
            .then(|| format!("ändrat {}", rng.gen_range(0..1000))),
        status: rng.gen_bool(0.5).then_some(status),
        ..NeedPatch::default()
    }
}

fn uuid(rng: &mut SmallRng) -> Uuid {
    Uuid::from_u128(rng.gen())
}

/// What `user` may see now, as the server's tables say (not through sync): their live offers,
/// the group's needs in full if they are in the group, and otherwise the public view of the
/// open needs of a district they follow.
async fn may_see(pool: &Pool, user: Uuid) -> BTreeMap<Uuid, Data> {
    let offers: Vec<(String, String)> =
        sqlx::query_as("SELECT id, body FROM offers WHERE owner_id = $1 AND body IS NOT NULL")
            .bind(user.to_string())
            .fetch_all(pool)
            .await
            .unwrap();
    let needs: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT n.id, n.body,            CASE WHEN EXISTS (SELECT 1 FROM actor_members m WHERE m.actor_id = n.group_id AND m.user_id = $1) THEN 'member' ELSE '' END,            CASE WHEN EXISTS (SELECT 1 FROM user_districts d WHERE d.district_id = n.district_id AND d.user_id = $1) THEN 'follows' ELSE '' END          FROM needs n WHERE n.body IS NOT NULL",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await
    .unwrap();
    let mut seen: BTreeMap<Uuid, Data> = offers
        .into_iter()
        .map(|(id, body)| {
            (
                id.parse().unwrap(),
                Data::Offer(serde_json::from_str(&body).unwrap()),
            )
        })
        .collect();
    for (id, body, member, follows) in needs {
        let need: NeedData = serde_json::from_str(&body).unwrap();
        let view = if !member.is_empty() {
            Some(need)
        } else if !follows.is_empty() && need.status.is_public() {
            Some(need.public_view())
        } else {
            None
        };
        if let Some(view) = view {
            seen.insert(id.parse().unwrap(), Data::Need(view));
        }
    }
    // An occasion: the group's members, and while it takes sign-ups whoever follows its
    // district. A sign-up: its volunteer and the group's members.
    let member_of = "EXISTS (SELECT 1 FROM actor_members m WHERE m.actor_id = t.group_id \
                     AND m.user_id = $1)";
    let occasions: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT t.id, t.body FROM occasions t WHERE t.body IS NOT NULL AND ({member_of} OR \
         (t.is_open = 1 AND EXISTS (SELECT 1 FROM user_districts d \
          WHERE d.district_id = t.district_id AND d.user_id = $1)))"
    ))
    .bind(user.to_string())
    .fetch_all(pool)
    .await
    .unwrap();
    for (id, body) in occasions {
        let occasion: OccasionData = serde_json::from_str(&body).unwrap();
        seen.insert(id.parse().unwrap(), Data::Occasion(occasion));
    }
    let sign_ups: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT t.id, t.body FROM sign_ups t WHERE t.body IS NOT NULL \
         AND (t.volunteer_id = $1 OR {member_of})"
    ))
    .bind(user.to_string())
    .fetch_all(pool)
    .await
    .unwrap();
    for (id, body) in sign_ups {
        let sign_up: SignUpData = serde_json::from_str(&body).unwrap();
        seen.insert(id.parse().unwrap(), Data::SignUp(sign_up));
    }
    seen
}

/// The changes the device set aside because the server would not take them.
fn rejected_in(engine: &Engine<MemoryStore>) -> Vec<(Uuid, SyncErrorReason)> {
    engine
        .log()
        .iter()
        .filter_map(|s| match s.result {
            app::sync::client::SettledAs::Rejected { reason } => Some((s.change.id, reason)),
            _ => None,
        })
        .collect()
}

/// Everything the device shows.
fn shown(engine: &Engine<MemoryStore>) -> BTreeMap<Uuid, Data> {
    let views = engine.views();
    let offers = views
        .offers
        .into_iter()
        .map(|o| (o.id, Data::Offer(o.data)));
    let needs = views.needs.into_iter().map(|n| (n.id, Data::Need(n.data)));
    let occasions = views
        .occasions
        .into_iter()
        .map(|o| (o.id, Data::Occasion(o.data)));
    let sign_ups = views
        .sign_ups
        .into_iter()
        .map(|s| (s.id, Data::SignUp(s.data)));
    offers
        .chain(needs)
        .chain(occasions)
        .chain(sign_ups)
        .collect()
}

async fn counter(pool: &Pool) -> i64 {
    let (v,): (i64,) = sqlx::query_as("SELECT value FROM sync_counter WHERE id = 1")
        .fetch_one(pool)
        .await
        .unwrap();
    v
}

async fn sql(pool: &Pool, statement: &str, values: &[String]) {
    let mut query = sqlx::query(statement);
    for value in values {
        query = query.bind(value);
    }
    query.execute(pool).await.unwrap();
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

async fn run_seed(seed: u64, engine: Db, server: Server) -> Server {
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
    // Ana speaks for a group of night walkers; Bo follows the district, and joins and leaves.
    let group = Uuid::new_v4();
    sql(
        &pool,
        "INSERT INTO actors (id, name, kind) VALUES ($1, $2, 'informal')",
        &[group.to_string(), format!("Nattvandrarna {group}")],
    )
    .await;
    sql(
        &pool,
        "INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, 'contact')",
        &[group.to_string(), ana.to_string()],
    )
    .await;
    // A district of its own, so that the public needs of earlier seeds (which stay) do not
    // fill this one past the device bound.
    let district = Uuid::new_v4();
    sql(
        &pool,
        "INSERT INTO districts (id, slug, name) VALUES ($1, $2, $3)",
        &[
            district.to_string(),
            format!("sim-{district}"),
            format!("Sim {seed}"),
        ],
    )
    .await;
    sql(
        &pool,
        "INSERT INTO user_districts (user_id, district_id) VALUES ($1, $2)",
        &[bo.to_string(), district.to_string()],
    )
    .await;
    let reference = app::db::reference::load(&pool).await.unwrap();
    let known = Known::from_reference(&reference);
    let start_counter = counter(&pool).await;
    // The group's activity: two evenings, from tomorrow, one shift of two places.
    let activity = Uuid::new_v4();
    let tomorrow = app::db::sync::today().plus_days(1);
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
                    dates: vec![tomorrow, tomorrow.plus_days(1)],
                },
                shifts: vec![ShiftSpec {
                    id: 1,
                    label: String::new(),
                    places: 2,
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
    let ana_actor = app::db::sync::actor(&mut pool.acquire().await.unwrap(), ana)
        .await
        .unwrap();
    let posted = app::db::sync::write(
        &pool,
        &ana_actor,
        ana,
        &[(activity, Op::Need(NeedOp::Create(walk)))],
        known.clone(),
    )
    .await
    .unwrap();
    assert!(matches!(posted[0], Outcome::Applied { .. }), "{posted:?}");
    let evenings = [
        occasion_id(activity, tomorrow),
        occasion_id(activity, tomorrow.plus_days(1)),
    ];
    let mut server_writes = 0i64;
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
    // Changes the server refused to take at all (an edit of a need its person may no longer
    // see, after leaving the group): set aside on the device, never recorded.
    let mut rejected_changes: BTreeMap<Uuid, SyncErrorReason> = BTreeMap::new();
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
                "step: device {who} action {action} cursors {:?} outbox {:?} snapshot {:?}",
                e.cursors(),
                e.outbox()
                    .iter()
                    .map(|c| (
                        c.seq,
                        c.record.to_string()[..8].to_owned(),
                        format!("{:?}", c.op).chars().take(12).collect::<String>()
                    ))
                    .collect::<Vec<_>>(),
                e.snapshot()
                    .records
                    .iter()
                    .map(|(id, o)| (id.to_string()[..8].to_owned(), o.version))
                    .collect::<Vec<_>>()
            );
        }
        match action {
            // An edit of an offer on the device (online or not: it does not know).
            0..=24 => {
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
            // A need of the group: posted, edited, moved on or removed (Bo, a member or not
            // at all, is refused; so is a move the rules do not allow).
            25..=34 => {
                let mut rng = world.rng.borrow_mut();
                let needs = device.engine.borrow().needs();
                let change = uuid(&mut rng);
                let roll = rng.gen_range(0..10);
                let (record, op) = if needs.is_empty() || roll < 4 {
                    let need = random_need(&mut rng, group, district, ana);
                    (uuid(&mut rng), NeedOp::Create(need))
                } else {
                    let target = needs[rng.gen_range(0..needs.len())].id;
                    if roll < 9 {
                        (target, NeedOp::Update(random_need_patch(&mut rng)))
                    } else {
                        (target, NeedOp::Delete)
                    }
                };
                if op == NeedOp::Delete {
                    deletes.insert(change, record);
                }
                device
                    .engine
                    .borrow_mut()
                    .record(change, record, op)
                    .unwrap();
                made.insert(change);
            }
            // A sign-up to one of the evenings, or giving one's place back, racing with the
            // other devices (the same person's too: a second sign-up is refused by name).
            35..=39 => {
                let mut rng = world.rng.borrow_mut();
                let evening = evenings[rng.gen_range(0..evenings.len())];
                let mine = device
                    .engine
                    .borrow()
                    .views()
                    .sign_ups
                    .into_iter()
                    .find(|s| {
                        s.data.volunteer == device.user
                            && s.data.occasion == evening
                            && s.data.status.is_active()
                    });
                let change = uuid(&mut rng);
                let (record, op) = match mine {
                    Some(held) if rng.gen_bool(0.7) => (
                        held.id,
                        SignUpOp::Update(SignUpPatch {
                            status: Some(SignUpStatus::Withdrawn),
                            ..SignUpPatch::default()
                        }),
                    ),
                    _ => (
                        uuid(&mut rng),
                        SignUpOp::Create(SignUpData {
                            occasion: evening,
                            need: activity,
                            group,
                            shift: 1,
                            volunteer: device.user,
                            name: String::new(),
                            title: String::new(),
                            group_name: String::new(),
                            place: String::new(),
                            starts_at: 0,
                            ends_at: 0,
                            status: SignUpStatus::Requested,
                            requested_at: 1_700_000_000 + rng.gen_range(0..1_000_000_000),
                            attended: None,
                            hours: None,
                            notice: None,
                        }),
                    ),
                };
                device
                    .engine
                    .borrow_mut()
                    .record(change, record, op)
                    .unwrap();
                made.insert(change);
            }
            // Bo joins the group, is made a contact, or leaves it.
            40..=44 => {
                let pool = world.server.borrow().pool.clone();
                let roll = world.rng.borrow_mut().gen_range(0..3);
                sql(
                    &pool,
                    "DELETE FROM actor_members WHERE actor_id = $1 AND user_id = $2",
                    &[group.to_string(), bo.to_string()],
                )
                .await;
                if roll > 0 {
                    let role = if roll == 1 { "member" } else { "contact" };
                    sql(
                        &pool,
                        "INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, $3)",
                        &[group.to_string(), bo.to_string(), role.to_owned()],
                    )
                    .await;
                }
            }
            45..=79 => {
                let mut transport = FaultyTransport {
                    world: &world,
                    user: device.user,
                    pulls: vec![],
                };
                sync(&device.engine, &mut transport).await;
                device.pulls.append(&mut transport.pulls);
                rejected_changes.extend(rejected_in(&device.engine.borrow()));
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
            97 => {
                let pool = world.server.borrow().pool.clone();
                let before = app::db::now();
                app::db::sync::forget_removals(&pool, &before)
                    .await
                    .unwrap();
            }
            // The server writes: a need fulfilled or posted (staff, a job, the seed do so).
            _ => {
                let pool = world.server.borrow().pool.clone();
                let open: Vec<(String,)> = sqlx::query_as(
                    "SELECT id FROM needs WHERE group_id = $1 AND status = 'open' \
                     AND kind = 'recognition' ORDER BY id",
                )
                .bind(group.to_string())
                .fetch_all(&pool)
                .await
                .unwrap();
                let (record, op) = {
                    let mut rng = world.rng.borrow_mut();
                    if open.is_empty() || rng.gen_bool(0.5) {
                        let need = random_need(&mut rng, group, district, ana);
                        (uuid(&mut rng), NeedOp::Create(need))
                    } else {
                        let target = open[rng.gen_range(0..open.len())].0.parse().unwrap();
                        let patch = NeedPatch {
                            status: Some(NeedStatus::Fulfilled),
                            ..NeedPatch::default()
                        };
                        (target, NeedOp::Update(patch))
                    }
                };
                let outcomes = app::db::sync::write(
                    &pool,
                    &Actor::system(),
                    ana,
                    &[(record, Op::Need(op))],
                    known.clone(),
                )
                .await
                .unwrap();
                server_writes += outcomes
                    .iter()
                    .filter(|o| matches!(o, Outcome::Applied { version: Some(_) }))
                    .count() as i64;
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
            rejected_changes.extend(rejected_in(&device.engine.borrow()));
        }
    }

    let pool = world.server.borrow().pool.clone();
    for (i, device) in devices.iter().enumerate() {
        let (sent_all, mine) = {
            let engine = device.engine.borrow();
            (engine.outbox().is_empty(), shown(&engine))
        };
        assert!(sent_all, "device {i} sent everything");
        let expected = may_see(&pool, device.user).await;
        let differing: Vec<_> = mine
            .keys()
            .chain(expected.keys())
            .filter(|id| mine.get(id) != expected.get(id))
            .map(|id| (id, mine.get(id), expected.get(id)))
            .collect();
        assert!(
            differing.is_empty(),
            "device {i} holds exactly what its person may see; (id, held, may see): {differing:#?}"
        );
        for (asked, answered, reset) in &device.pulls {
            for (scope, cursor) in answered {
                assert!(
                    *reset || asked.get(scope).is_none_or(|a| cursor >= a),
                    "device {i}: cursor of {scope} went back from {:?} to {cursor}",
                    asked.get(scope)
                );
            }
        }
    }
    // Bo held needs both through the group and publicly: at the end the scopes his device
    // holds are exactly his.
    let bo_scopes: BTreeSet<String> = devices[3]
        .engine
        .borrow()
        .cursors()
        .keys()
        .cloned()
        .collect();
    let mut expected: BTreeSet<String> =
        [Scope::Owner(bo).key(), Scope::Public(district).key()].into();
    let member: Option<(String,)> =
        sqlx::query_as("SELECT role FROM actor_members WHERE actor_id = $1 AND user_id = $2")
            .bind(group.to_string())
            .bind(bo.to_string())
            .fetch_optional(&pool)
            .await
            .unwrap();
    if member.is_some() {
        expected.insert(Scope::Group(group).key());
    }
    assert_eq!(
        bo_scopes, expected,
        "the device holds exactly its person's scopes"
    );

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
    for (change, reason) in &rejected_changes {
        assert_eq!(
            *reason,
            SyncErrorReason::ForeignRecord,
            "only foreign records are rejected"
        );
        assert!(
            !recorded.contains(change),
            "a rejected change was not applied"
        );
    }
    let taken: BTreeSet<Uuid> = made
        .iter()
        .filter(|c| !rejected_changes.contains_key(c))
        .copied()
        .collect();
    assert_eq!(recorded, taken, "each change made reached the server once");
    // A sign-up's decision also writes the occasion's counts and may move someone up: the
    // server's own follow-ups take numbers too, so at least one number per applied change
    // (exactly once is the recorded changes above).
    let versions = rows.iter().filter(|(_, v)| v.is_some()).count() as i64;
    assert!(
        counter(&pool).await - start_counter >= versions + server_writes,
        "one number per applied change"
    );

    // The shift: never more than its places, nobody waiting beside a free place, and the
    // occasion's counts are the sign-ups'.
    for evening in evenings {
        let statuses: Vec<(String,)> =
            sqlx::query_as("SELECT status FROM sign_ups WHERE occasion_id = $1")
                .bind(evening.to_string())
                .fetch_all(&pool)
                .await
                .unwrap();
        let count = |s: &str| statuses.iter().filter(|(x,)| x == s).count() as u16;
        let (confirmed, waiting) = (count("confirmed"), count("waiting"));
        assert!(confirmed <= 2, "{confirmed} in two places");
        assert!(
            waiting == 0 || confirmed == 2,
            "{waiting} wait beside a free place"
        );
        assert_eq!(count("requested"), 0, "every sign-up was decided");
        let (body,): (String,) = sqlx::query_as("SELECT body FROM occasions WHERE id = $1")
            .bind(evening.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        let occasion: OccasionData = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (occasion.shifts[0].confirmed, occasion.shifts[0].waiting),
            (confirmed, waiting),
            "the occasion counts its sign-ups"
        );
    }

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
    let live: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM offers WHERE body IS NOT NULL UNION SELECT id FROM needs WHERE body IS NOT NULL",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let live: BTreeSet<Uuid> = live.into_iter().map(|(id,)| id.parse().unwrap()).collect();
    assert!(
        removed.is_disjoint(&live),
        "a removed record came back on the server"
    );
    for device in &devices {
        assert!(shown(&device.engine.borrow())
            .keys()
            .all(|id| !removed.contains(id)));
    }
    world.server.into_inner()
}

/// The seeds run in this many tests per engine, each on its own database, so that the test
/// runner spreads them over the cores beside the other tests.
const CHUNKS: u64 = 3;

async fn simulate(engine: Db, chunk: u64) {
    let seeds: Vec<u64> = match std::env::var("SIM_SEED") {
        Ok(seed) if chunk == 0 => vec![seed.parse().expect("SIM_SEED is a number")],
        Ok(_) => return,
        Err(_) => {
            let n = std::env::var("SIM_SEEDS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(300);
            (n * chunk / CHUNKS..n * (chunk + 1) / CHUNKS).collect()
        }
    };
    let app = spawn_app(engine).await;
    let url = app::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut server = Server {
        pool: app::db::connect_and_migrate(&url).await.unwrap(),
        url: app.database_url.clone(),
    };
    for seed in &seeds {
        server = run_seed(*seed, engine, server).await;
    }
    server.pool.close().await;
    eprintln!(
        "sync simulation: {} seeds passed on {engine:?}",
        seeds.len()
    );
}

#[tokio::test]
async fn sync_simulation_converges_on_sqlite_1() {
    simulate(Db::Sqlite, 0).await;
}

#[tokio::test]
async fn sync_simulation_converges_on_sqlite_2() {
    simulate(Db::Sqlite, 1).await;
}

#[tokio::test]
async fn sync_simulation_converges_on_sqlite_3() {
    simulate(Db::Sqlite, 2).await;
}

#[tokio::test]
async fn sync_simulation_converges_on_postgres_1() {
    simulate(Db::Postgres, 0).await;
}

#[tokio::test]
async fn sync_simulation_converges_on_postgres_2() {
    simulate(Db::Postgres, 1).await;
}

#[tokio::test]
async fn sync_simulation_converges_on_postgres_3() {
    simulate(Db::Postgres, 2).await;
}

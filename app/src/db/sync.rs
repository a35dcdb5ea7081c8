//! The server's side of sync in SQL: every write to a synced record — a phone's push, a staff
//! action, a scheduled job, the demo seed — goes through one path ([`Batch`]), which numbers
//! it, runs the kind's shared `apply`, writes the kind's row, and logs it in each scope it
//! entered, stayed in or left. A pull answers per scope what the person may see now.
//!
//! **Why a counter row, not a sequence.** A pull's cursor says "I have every change numbered up
//! to here". With a sequence, two writers can take 7 and 8 and commit 8 first; a pull then
//! sees 8, moves its cursor past 7, and 7 is never pulled. Here every write first takes the one
//! `sync_counter` row (an `UPDATE`, which holds the row lock on PostgreSQL and SQLite's write
//! lock until commit), numbers its changes from it and writes the new value back. Writes
//! therefore commit one after another with increasing numbers, and the committed value of the
//! counter is a point below which everything is committed.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::AnyConnection;
use uuid::Uuid;

use super::records::{self, list, placeholders, Row, CHUNK};
use super::{now, parse_id, Pool};
use crate::domain::account::{MemberRole, Role};
use crate::domain::need::{GroupContacts, NeedKind};
use crate::domain::offer::{Date, Known};
use crate::error::AppError;
use crate::sync::apply::{apply, Current, Effect, Judge};
use crate::sync::kinds::{self, Actor, Kind, Scope};
use crate::sync::protocol::*;

/// A change made offline is judged as of the day it was made, up to this many days back.
pub const MADE_ON_DAYS: i64 = 30;
/// A device entering a district's public scope gets at most this many of its records, the
/// newest first (the rest are on the public list).
pub const PUBLIC_SCOPE_BOUND: usize = 500;

/// Every write here first takes the one counter row, so writes run one at a time anyway, on
/// both engines. Within one server they also queue here, first come first served: SQLite's
/// write lock keeps no queue (a waiting writer polls with back-off and, in a burst of phones
/// coming back into signal, can give up after its busy timeout — 500s in
/// `scripts/bench-signups.sh` before this), and on PostgreSQL a writer waiting here waits
/// instead of on the row lock. Several servers on one PostgreSQL are still ordered by the row.
/// Not taken by [`write_on`]: its caller's transaction may already hold the lock.
static WRITES: std::sync::LazyLock<tokio::sync::Mutex<()>> =
    std::sync::LazyLock::new(|| tokio::sync::Mutex::new(()));

fn internal(err: impl Into<AppError>) -> SyncError {
    let _: AppError = err.into(); // logged by the conversion
    SyncError::new(SyncErrorReason::Internal)
}

/// The person as the shared rules see them: their role, groups and districts.
pub async fn actor(conn: &mut AnyConnection, user: Uuid) -> Result<Actor, AppError> {
    let key = user.to_string();
    let person: Option<(String, String)> =
        sqlx::query_as("SELECT role, display_name FROM users WHERE id = $1")
            .bind(&key)
            .fetch_optional(&mut *conn)
            .await?;
    let (role, name) = person.map_or((None, String::new()), |(r, n)| (Some(r), n));
    let groups: Vec<(String, String)> =
        sqlx::query_as("SELECT actor_id, role FROM actor_members WHERE user_id = $1")
            .bind(&key)
            .fetch_all(&mut *conn)
            .await?;
    let districts: Vec<(String,)> =
        sqlx::query_as("SELECT district_id FROM user_districts WHERE user_id = $1")
            .bind(&key)
            .fetch_all(&mut *conn)
            .await?;
    let mut actor = Actor {
        user: Some(user),
        staff: role
            .and_then(|r| Role::parse(&r))
            .is_some_and(Role::is_staff),
        name,
        ..Actor::default()
    };
    for (group, role) in groups {
        let role = MemberRole::parse(&role).ok_or(AppError::Internal)?;
        actor.groups.insert(parse_id(&group)?, role);
    }
    for (district,) in districts {
        actor.districts.insert(parse_id(&district)?);
    }
    Ok(actor)
}

/// The contacts of these groups (a micro-grant's payee must be one).
async fn contacts(
    conn: &mut AnyConnection,
    groups: &BTreeSet<Uuid>,
) -> Result<GroupContacts, AppError> {
    let mut contacts = GroupContacts::new();
    let ids: Vec<String> = groups.iter().map(Uuid::to_string).collect();
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT actor_id, user_id FROM actor_members WHERE role = 'contact' AND actor_id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (group, user) in query.fetch_all(&mut *conn).await? {
            contacts
                .entry(parse_id(&group)?)
                .or_default()
                .insert(parse_id(&user)?);
        }
    }
    for group in groups {
        contacts.entry(*group).or_default();
    }
    Ok(contacts)
}

/// Today in Stockholm.
pub fn today() -> Date {
    Date::at_unix(time::OffsetDateTime::now_utc().unix_timestamp())
}

/// The day a change is judged by: the day it was made, if that is plausible (not in the
/// future, not more than [`MADE_ON_DAYS`] back), otherwise today.
pub fn judged_day(made_on: Option<Date>, today: Date) -> Date {
    made_on
        .filter(|d| *d <= today && *d >= today.plus_days(-MADE_ON_DAYS))
        .unwrap_or(today)
}

/// A record in a batch: its row and the version it was written at.
pub(super) struct Held {
    pub(super) kind: Kind,
    pub(super) row: Row,
    pub(super) dirty: bool,
}

/// One transaction's writes to synced records: every change, whoever makes it, goes through
/// [`Batch::apply`], and [`Batch::finish`] writes rows, scopes, log and counter together.
pub struct Batch {
    counter: i64,
    pub(super) held: BTreeMap<Uuid, Held>,
    /// Scope log rows to write: (scope, version, record).
    log: Vec<(String, i64, Uuid)>,
    /// The records whose scopes changed, with their scopes now.
    scopes: BTreeMap<Uuid, (i64, Vec<Scope>)>,
    pub(super) known: Known,
    pub(super) today: Date,
    /// Now, in Unix seconds (an occasion's times are compared with it).
    pub(super) now: i64,
    /// The names of the volunteers signing up in this batch and of their groups (a sign-up
    /// carries them).
    pub(super) names: BTreeMap<Uuid, String>,
    /// The year's last case number, when a request may open a case in this batch.
    pub(super) case_seq: Option<(u16, i64)>,
    at: String,
}

/// The ids in `table` whose `column` is one of `values`.
async fn ids_where(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    values: &BTreeSet<String>,
) -> Result<Vec<String>, AppError> {
    let values: Vec<&String> = values.iter().collect();
    let mut ids = Vec::new();
    for chunk in values.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT id FROM {table} WHERE {column} IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql);
        for value in chunk {
            query = query.bind(*value);
        }
        ids.extend(
            query
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id,)| id),
        );
    }
    Ok(ids)
}

/// What a batch needs for cases: the case of every request touched or made, the request of
/// every case touched, the decision rules and this year's grants of their groups, and the
/// year's last case number when a request may open one. Returns that number.
async fn load_cases(
    conn: &mut AnyConnection,
    changes: &[(Uuid, &Op)],
    held: &mut BTreeMap<Uuid, Held>,
    known: &mut Known,
    now: i64,
) -> Result<Option<(u16, i64)>, AppError> {
    use crate::domain::case::case_id;
    let mut requests: BTreeSet<Uuid> = held
        .iter()
        .filter(|(_, h)| matches!(&h.row.data, Some(Data::Need(n)) if n.asks_municipality()))
        .map(|(id, _)| *id)
        .collect();
    for (id, op) in changes {
        match op {
            Op::Need(KindOp::Create(n)) if n.asks_municipality() => {
                requests.insert(*id);
            }
            Op::Need(KindOp::Update(p))
                if p.details
                    .as_ref()
                    .is_some_and(|d| d.kind().asks_municipality()) =>
            {
                requests.insert(*id);
            }
            _ => {}
        }
    }
    let cases: Vec<String> = requests.iter().map(|n| case_id(*n).to_string()).collect();
    for (id, row) in records::load(conn, Kind::Case, &cases).await? {
        held.entry(id).or_insert(Held {
            kind: Kind::Case,
            row,
            dirty: false,
        });
    }
    let mut case_groups = BTreeSet::new();
    let mut their_requests = Vec::new();
    for h in held.values() {
        if let Some(Data::Case(c)) = &h.row.data {
            case_groups.insert(c.group.to_string());
            if !held.contains_key(&c.need) {
                their_requests.push(c.need.to_string());
            }
        }
    }
    for (id, row) in records::load(conn, Kind::Need, &their_requests).await? {
        held.entry(id).or_insert(Held {
            kind: Kind::Need,
            row,
            dirty: false,
        });
    }
    let year = Date::at_unix(now).year();
    if (!requests.is_empty() || !case_groups.is_empty()) && known.cases.rules.is_none() {
        let rules = super::cases::rules(conn, known.max_grant_ore()).await?;
        // A request may ask for at most what one request may be granted.
        known.max_grant_ore = Some(rules.max_per_request_ore);
        known.cases.rules = Some(rules);
    }
    if !case_groups.is_empty() {
        known.cases.granted_this_year =
            super::cases::granted_in_year(conn, &case_groups, year).await?;
    }
    if requests.is_empty() {
        return Ok(None);
    }
    let (last,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM cases WHERE year = $1")
        .bind(i64::from(year))
        .fetch_one(&mut *conn)
        .await?;
    Ok(Some((year, last)))
}

impl Batch {
    /// Takes the counter (see the module comment) and reads the records `changes` touch.
    pub async fn begin(
        conn: &mut AnyConnection,
        changes: &[(Uuid, &Op)],
        known: Known,
    ) -> Result<Batch, AppError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        Batch::begin_at(conn, changes, known, now).await
    }

    /// [`Batch::begin`] with the server's clock at `now_unix` (the demo's history is written as
    /// of the days it happened).
    async fn begin_at(
        conn: &mut AnyConnection,
        changes: &[(Uuid, &Op)],
        mut known: Known,
        now_unix: i64,
    ) -> Result<Batch, AppError> {
        sqlx::query("UPDATE sync_counter SET value = value WHERE id = 1")
            .execute(&mut *conn)
            .await?;
        let (counter,): (i64,) = sqlx::query_as("SELECT value FROM sync_counter WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        // Which kind each existing record is, then each kind's rows.
        let ids: Vec<String> = changes.iter().map(|(id, _)| id.to_string()).collect();
        let mut kinds_of: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for chunk in ids.chunks(CHUNK * 5) {
            let sql = format!(
                "SELECT id, kind FROM sync_records WHERE id IN ({})",
                list(chunk.len(), 1)
            );
            let mut query = sqlx::query_as::<_, (String, String)>(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            for (id, kind) in query.fetch_all(&mut *conn).await? {
                let kind = Kind::parse(&kind).ok_or(AppError::Internal)?;
                kinds_of.entry(kind).or_default().push(id);
            }
        }
        let mut held = BTreeMap::new();
        for (kind, ids) in kinds_of {
            for (id, row) in records::load(conn, kind, &ids).await? {
                held.insert(
                    id,
                    Held {
                        kind,
                        row,
                        dirty: false,
                    },
                );
            }
        }
        let case_seq = load_cases(conn, changes, &mut held, &mut known, now_unix).await?;
        // The groups whose contacts the rules need: those of the needs and cases touched or
        // made.
        let mut groups = BTreeSet::new();
        for h in held.values() {
            match &h.row.data {
                Some(Data::Need(n)) => {
                    groups.insert(n.group);
                }
                Some(Data::Case(c)) => {
                    groups.insert(c.group);
                }
                _ => {}
            }
        }
        for (_, op) in changes {
            if let Op::Need(KindOp::Create(n)) = op {
                groups.insert(n.group);
            }
        }
        known.group_contacts = Some(contacts(conn, &groups).await?);
        // What the server decides activities and sign-ups with (`db::settle`): the occasions
        // of the activities touched and of the sign-ups touched, and every sign-up to them.
        let mut activities = BTreeSet::new();
        let mut occasions = BTreeSet::new();
        let mut volunteers = BTreeSet::new();
        let mut signed_up_to = BTreeSet::new();
        for (id, h) in &held {
            match &h.row.data {
                Some(Data::Need(n)) if n.details.kind() == NeedKind::Activity => {
                    activities.insert(id.to_string());
                }
                Some(Data::SignUp(s)) => {
                    occasions.insert(s.occasion.to_string());
                }
                _ => {}
            }
        }
        for (id, op) in changes {
            match op {
                Op::Need(KindOp::Create(n)) if n.details.kind() == NeedKind::Activity => {
                    activities.insert(id.to_string());
                }
                Op::Need(KindOp::Update(p))
                    if p.details
                        .as_ref()
                        .is_some_and(|d| d.kind() == NeedKind::Activity) =>
                {
                    activities.insert(id.to_string());
                }
                Op::SignUp(KindOp::Create(s)) => {
                    occasions.insert(s.occasion.to_string());
                    volunteers.insert(s.volunteer.to_string());
                    signed_up_to.insert(s.group.to_string());
                }
                _ => {}
            }
        }
        // Names a sign-up carries: the volunteer's and the group's.
        let mut names = BTreeMap::new();
        for (table, column, ids) in [
            ("users", "display_name", volunteers),
            ("actors", "name", signed_up_to),
        ] {
            let ids: Vec<String> = ids.into_iter().collect();
            for chunk in ids.chunks(CHUNK * 5) {
                let sql = format!(
                    "SELECT id, {column} FROM {table} WHERE id IN ({})",
                    list(chunk.len(), 1)
                );
                let mut query = sqlx::query_as::<_, (String, String)>(&sql);
                for id in chunk {
                    query = query.bind(id);
                }
                for (id, name) in query.fetch_all(&mut *conn).await? {
                    names.insert(parse_id(&id)?, name);
                }
            }
        }
        if !activities.is_empty() {
            occasions.extend(ids_where(conn, "occasions", "need_id", &activities).await?);
        }
        let mut known_occasions = BTreeMap::new();
        if !occasions.is_empty() {
            let occasion_ids: Vec<String> = occasions.iter().cloned().collect();
            for (id, row) in records::load(conn, Kind::Occasion, &occasion_ids).await? {
                if let Some(Data::Occasion(o)) = &row.data {
                    known_occasions.insert(id, o.clone());
                }
                held.entry(id).or_insert(Held {
                    kind: Kind::Occasion,
                    row,
                    dirty: false,
                });
            }
            let sign_ups = ids_where(conn, "sign_ups", "occasion_id", &occasions).await?;
            for (id, row) in records::load(conn, Kind::SignUp, &sign_ups).await? {
                held.entry(id).or_insert(Held {
                    kind: Kind::SignUp,
                    row,
                    dirty: false,
                });
            }
        }
        known.occasions = Some(known_occasions);
        Ok(Batch {
            counter,
            held,
            log: Vec::new(),
            scopes: BTreeMap::new(),
            known,
            today: Date::at_unix(now_unix),
            now: now_unix,
            names,
            case_seq,
            at: now(),
        })
    }

    /// Whether `actor` may know that `record` exists: its scopes meet theirs, or it is theirs.
    pub fn foreign(&self, actor: &Actor, record: Uuid) -> bool {
        let Some(held) = self.held.get(&record) else {
            return false;
        };
        if actor.user.is_none() || actor.user == Some(held.row.owner) {
            return false;
        }
        let mine = actor.scopes();
        match &held.row.data {
            Some(data) => !kinds::scopes(held.row.owner, data)
                .iter()
                .any(|s| mine.contains(s)),
            None => true,
        }
    }

    /// Runs the shared `apply` for one change by `actor`; a new record is created by `owner`.
    pub fn apply(
        &mut self,
        actor: &Actor,
        owner: Uuid,
        record: Uuid,
        op: &Op,
        made_on: Option<Date>,
    ) -> Outcome {
        let held = self.held.get(&record);
        let current = match held {
            None => Current::Missing,
            Some(Held {
                row: Row { data: None, .. },
                ..
            }) => Current::Removed,
            Some(Held {
                row: Row { data: Some(d), .. },
                ..
            }) => Current::Live(d),
        };
        let owner = held.map_or(owner, |h| h.row.owner);
        // A case's step is stamped by the server: who, when, and whether four eyes are needed.
        let stamped;
        let op = match (op, current) {
            (Op::Case(KindOp::Update(step)), Current::Live(Data::Case(case))) => {
                stamped = Op::Case(KindOp::Update(self.stamp(actor, case, step)));
                &stamped
            }
            _ => op,
        };
        let judge = Judge {
            actor,
            known: &self.known,
            made_on: Some(judged_day(made_on, self.today)),
        };
        let mut effect = match apply(current, owner, op, &judge) {
            Ok(effect) => effect,
            Err(reason) => return Outcome::Refused { reason },
        };
        // What the server decides beyond the shared rules (`db::settle`): a person's sign-up
        // gets a place or waits; times are judged against the occasion's; an activity may not
        // offer fewer places than are taken.
        let person = actor.user.is_some();
        let settled = match (op, current, &mut effect) {
            (Op::SignUp(KindOp::Create(_)), _, Effect::Put(Data::SignUp(data))) if person => {
                self.decide_sign_up(data.clone()).map(|d| *data = d)
            }
            (Op::SignUp(KindOp::Update(patch)), Current::Live(Data::SignUp(held_now)), _)
                if person =>
            {
                self.judge_sign_up_edit(held_now, patch)
            }
            (Op::Need(_), _, Effect::Put(Data::Need(need))) => self
                .check_schedule(record, need)
                .and_then(|()| self.check_request_open(current, need)),
            _ => Ok(()),
        };
        if let Err(reason) = settled {
            return Outcome::Refused { reason };
        }
        let was_activity = matches!(current, Current::Live(Data::Need(n)) if n.details.kind() == NeedKind::Activity);
        let data = match effect {
            Effect::Nothing => return Outcome::Applied { version: None },
            Effect::Put(data) => Some(data),
            Effect::Remove => None,
        };
        self.counter += 1;
        let version = self.counter;
        let before: Vec<Scope> = match held {
            Some(Held {
                row: Row { data: Some(d), .. },
                ..
            }) => kinds::scopes(owner, d),
            _ => Vec::new(),
        };
        let after: Vec<Scope> = data
            .as_ref()
            .map(|d| kinds::scopes(owner, d))
            .unwrap_or_default();
        let touched: BTreeSet<Scope> = before.iter().chain(&after).copied().collect();
        for scope in touched {
            self.log.push((scope.key(), version, record));
        }
        self.scopes.insert(record, (version, after));
        let created_at = held.map_or_else(|| self.at.clone(), |h| h.row.created_at.clone());
        self.held.insert(
            record,
            Held {
                kind: op.kind(),
                row: Row {
                    owner,
                    data,
                    created_at,
                },
                dirty: true,
            },
        );
        // What follows from it (`db::settle`).
        match self.held.get(&record).and_then(|h| h.row.data.as_ref()) {
            Some(Data::Occasion(o)) => {
                let o = o.clone();
                self.known
                    .occasions
                    .get_or_insert_default()
                    .insert(record, o);
            }
            Some(Data::SignUp(s)) if person => {
                let (occasion, shift) = (s.occasion, s.shift);
                self.after_sign_up(occasion, shift);
            }
            Some(Data::Need(n)) if n.details.kind() == NeedKind::Activity || was_activity => {
                self.after_activity(record, owner);
            }
            Some(Data::Need(n)) if n.asks_municipality() => self.after_request(record),
            Some(Data::Case(_)) => self.after_case(record),
            None if was_activity => self.after_activity(record, owner),
            _ => {}
        }
        Outcome::Applied {
            version: Some(version),
        }
    }

    /// Writes what the batch changed, and the counter: call before committing.
    pub async fn finish(self, conn: &mut AnyConnection) -> Result<(), AppError> {
        // Kinds in their order (a need before its occasions, an occasion before its sign-ups):
        // the rows refer to each other.
        let mut rows: Vec<(&Uuid, &Held)> = self.held.iter().filter(|(_, h)| h.dirty).collect();
        rows.sort_by_key(|(id, h)| (h.kind, **id));
        for (id, held) in rows {
            let version = self.scopes.get(id).map_or(self.counter, |(v, _)| *v);
            records::save(conn, held.kind, *id, &held.row, version, &self.at).await?;
        }
        let dirty: Vec<(&Uuid, &Held)> = self.held.iter().filter(|(_, h)| h.dirty).collect();
        for chunk in dirty.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO sync_records (id, kind, version, removed_at) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, \
                 removed_at = excluded.removed_at",
                placeholders(chunk.len(), 4, 1)
            );
            let mut query = sqlx::query(&sql);
            for (id, held) in chunk {
                let version = self.scopes.get(id).map_or(self.counter, |(v, _)| *v);
                query = query
                    .bind(id.to_string())
                    .bind(held.kind.as_str())
                    .bind(version)
                    .bind(held.row.data.is_none().then(|| self.at.clone()));
            }
            query.execute(&mut *conn).await?;
        }
        let ids: Vec<String> = self.scopes.keys().map(Uuid::to_string).collect();
        for chunk in ids.chunks(CHUNK * 5) {
            let sql = format!(
                "DELETE FROM sync_scopes WHERE record_id IN ({})",
                list(chunk.len(), 1)
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            query.execute(&mut *conn).await?;
        }
        let members: Vec<[String; 3]> = self
            .scopes
            .iter()
            .flat_map(|(id, (version, scopes))| {
                scopes
                    .iter()
                    .map(move |s| [s.key(), id.to_string(), version.to_string()])
            })
            .collect();
        for chunk in members.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO sync_scopes (scope, record_id, version) VALUES {}",
                placeholders(chunk.len(), 3, 1)
            );
            let mut query = sqlx::query(&sql);
            for [scope, id, version] in chunk {
                query = query
                    .bind(scope)
                    .bind(id)
                    .bind(version.parse::<i64>().unwrap_or_default());
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in self.log.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO sync_scope_log (scope, version, record_id, logged_at) VALUES {}",
                placeholders(chunk.len(), 4, 1)
            );
            let mut query = sqlx::query(&sql);
            for (scope, version, id) in chunk {
                query = query
                    .bind(scope)
                    .bind(*version)
                    .bind(id.to_string())
                    .bind(&self.at);
            }
            query.execute(&mut *conn).await?;
        }
        sqlx::query("UPDATE sync_counter SET value = $1 WHERE id = 1")
            .bind(self.counter)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// The committed value of the sync counter: it moves with every write to a synced record, so
/// anything derived from those records and dated by it is current while it stands still.
pub async fn counter(pool: &Pool) -> Result<i64, AppError> {
    let (value,): (i64,) = sqlx::query_as("SELECT value FROM sync_counter WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok(value)
}

/// Changes made on the server (by staff, a scheduled job, the demo seed): through the same
/// path as a phone's, so every device that may see them pulls them. `owner` creates the new
/// records. Returns each change's outcome; the refused ones changed nothing.
pub async fn write(
    pool: &Pool,
    actor: &Actor,
    owner: Uuid,
    changes: &[(Uuid, Op)],
    known: Known,
) -> Result<Vec<Outcome>, AppError> {
    let _turn = WRITES.lock().await;
    let mut tx = pool.begin().await?;
    let changes: Vec<(&Actor, Uuid, Uuid, Op)> = changes
        .iter()
        .map(|(record, op)| (actor, owner, *record, op.clone()))
        .collect();
    let outcomes = write_on(&mut tx, &changes, known).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// [`write`] inside a transaction the caller holds, each change by its own actor (and, for a
/// new record, owner): `(actor, owner, record, op)`.
pub async fn write_on(
    conn: &mut AnyConnection,
    changes: &[(&Actor, Uuid, Uuid, Op)],
    known: Known,
) -> Result<Vec<Outcome>, AppError> {
    let touched: Vec<(Uuid, &Op)> = changes.iter().map(|(_, _, id, op)| (*id, op)).collect();
    let mut batch = Batch::begin(conn, &touched, known).await?;
    let outcomes = changes
        .iter()
        .map(|(actor, owner, record, op)| batch.apply(actor, *owner, *record, op, None))
        .collect();
    batch.finish(conn).await?;
    Ok(outcomes)
}

/// [`write_on`] in a transaction of its own, with the server's clock at `now` (Unix seconds):
/// the demo writes its year of history as of the days it happened.
pub async fn write_as_of(
    pool: &Pool,
    changes: &[(&Actor, Uuid, Uuid, Op)],
    known: Known,
    now: i64,
) -> Result<Vec<Outcome>, AppError> {
    let _turn = WRITES.lock().await;
    let mut tx = pool.begin().await?;
    let touched: Vec<(Uuid, &Op)> = changes.iter().map(|(_, _, id, op)| (*id, op)).collect();
    let mut batch = Batch::begin_at(&mut tx, &touched, known, now).await?;
    let outcomes = changes
        .iter()
        .map(|(actor, owner, record, op)| batch.apply(actor, *owner, *record, op, None))
        .collect();
    batch.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Applies `changes` from `device` for `user`, in order, each exactly once: a change seen
/// before gets its first answer again. All or nothing: a refusal of the whole push (a 4xx)
/// leaves every table as it was.
#[tracing::instrument(skip(pool, changes, known), fields(changes = changes.len()))]
pub async fn push(
    pool: &Pool,
    user: Uuid,
    device: Uuid,
    changes: &[Change],
    known: Known,
) -> Result<Vec<ChangeResult>, SyncError> {
    let _turn = WRITES.lock().await;
    let mut tx = pool.begin().await.map_err(internal)?;
    let touched: Vec<(Uuid, &Op)> = changes.iter().map(|c| (c.record, &c.op)).collect();
    // Takes the counter before anything else (see the module comment).
    let mut batch = Batch::begin(&mut tx, &touched, known)
        .await
        .map_err(internal)?;
    let actor = actor(&mut tx, user).await.map_err(internal)?;

    let device_row: Option<(String, i64)> =
        sqlx::query_as("SELECT user_id, last_seq FROM sync_devices WHERE id = $1")
            .bind(device.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(internal)?;
    let mut last_seq = match device_row {
        Some((owner, _)) if owner != user.to_string() => {
            return Err(SyncError::new(SyncErrorReason::ForeignDevice))
        }
        Some((_, last)) => last.max(0) as u64,
        None => 0,
    };

    // Answers already given, in a few queries for the whole batch.
    let mut seen: HashMap<Uuid, Outcome> = HashMap::new();
    let ids: Vec<String> = changes.iter().map(|c| c.id.to_string()).collect();
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT id, user_id, outcome FROM sync_changes WHERE id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, owner, outcome) in query.fetch_all(&mut *tx).await.map_err(internal)? {
            let id = parse_id(&id).map_err(internal)?;
            if owner != user.to_string() {
                return Err(SyncError::about(SyncErrorReason::Malformed, id));
            }
            let outcome =
                serde_json::from_str(&outcome).map_err(|_| internal(AppError::Internal))?;
            seen.insert(id, outcome);
        }
    }

    let mut results = Vec::with_capacity(changes.len());
    let mut new_changes: Vec<(&Change, String, Option<i64>)> = Vec::new();
    for change in changes {
        if let Some(outcome) = seen.get(&change.id) {
            // A resend: the first answer again, nothing applied twice.
            if change.seq == last_seq + 1 {
                last_seq = change.seq;
            }
            results.push(ChangeResult {
                id: change.id,
                outcome: outcome.clone(),
            });
            continue;
        }
        if change.seq <= last_seq {
            return Err(SyncError::about(SyncErrorReason::SequenceReused, change.id));
        }
        if change.seq > last_seq + 1 {
            return Err(SyncError {
                expected_seq: Some(last_seq + 1),
                ..SyncError::about(SyncErrorReason::SequenceGap, change.id)
            });
        }
        if batch.foreign(&actor, change.record) {
            return Err(SyncError::about(SyncErrorReason::ForeignRecord, change.id));
        }
        let outcome = batch.apply(&actor, user, change.record, &change.op, change.made_on);
        let version = match &outcome {
            Outcome::Applied { version } => *version,
            Outcome::Refused { .. } => None,
        };
        last_seq = change.seq;
        seen.insert(change.id, outcome.clone());
        let stored = serde_json::to_string(&outcome).map_err(|_| internal(AppError::Internal))?;
        new_changes.push((change, stored, version));
        results.push(ChangeResult {
            id: change.id,
            outcome,
        });
    }

    batch.finish(&mut tx).await.map_err(internal)?;
    let at = now();
    for chunk in new_changes.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO sync_changes (id, user_id, device_id, seq, record_id, outcome, version, applied_at) VALUES {}",
            placeholders(chunk.len(), 8, 1)
        );
        let mut query = sqlx::query(&sql);
        for (c, outcome, version) in chunk {
            query = query
                .bind(c.id.to_string())
                .bind(user.to_string())
                .bind(device.to_string())
                .bind(c.seq as i64)
                .bind(c.record.to_string())
                .bind(outcome.clone())
                .bind(*version)
                .bind(at.clone());
        }
        query.execute(&mut *tx).await.map_err(internal)?;
    }
    sqlx::query(
        "INSERT INTO sync_devices (id, user_id, last_seq, seen_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, seen_at = excluded.seen_at",
    )
    .bind(device.to_string())
    .bind(user.to_string())
    .bind(last_seq as i64)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(results)
}

/// The ids in `query`'s one text column, for one scope.
async fn ids_of(
    conn: &mut AnyConnection,
    sql: &str,
    scope: &str,
    after: Option<i64>,
) -> Result<Vec<String>, AppError> {
    let query = sqlx::query_as::<_, (String,)>(sql).bind(scope);
    let query = match after {
        Some(after) => query.bind(after),
        None => query,
    };
    Ok(query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// What `user` may see now, changed after the device's cursors (without the context, which
/// the caller adds when asked).
///
/// Per scope the person has: a scope the device holds gets the records its log names after
/// the cursor; a scope it does not hold yet gets its current records (a reset, for a device
/// with none). A scope the device holds but the person no longer has is `dropped`, and each of
/// its records is sent again. Every record sent is sent as the person may see it *now*: its
/// view, or a removal when no scope of theirs holds it. Pages end after whole scopes.
#[tracing::instrument(skip(pool, cursors))]
pub async fn pull(
    pool: &Pool,
    user: Uuid,
    cursors: &BTreeMap<String, i64>,
    limit: u32,
) -> Result<PullResponse, AppError> {
    let mut conn = pool.acquire().await?;
    // Read the counter first: everything numbered up to it is committed (module comment).
    let (value, min_cursor): (i64, i64) =
        sqlx::query_as("SELECT value, min_cursor FROM sync_counter WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let actor = actor(&mut conn, user).await?;
    let mine: BTreeSet<Scope> = actor.scopes();
    // Older than what we remember, or from a database we are not (a restore).
    let reset = cursors.is_empty() || cursors.values().any(|c| *c < min_cursor || *c > value);
    let empty = BTreeMap::new();
    let cursors = if reset { &empty } else { cursors };

    let mut candidates: BTreeSet<String> = BTreeSet::new();
    let mut done = BTreeMap::new();
    let mut dropped = Vec::new();
    for (key, cursor) in cursors {
        if Scope::parse(key).is_some_and(|s| mine.contains(&s)) {
            continue;
        }
        // A scope the person no longer has: everything of it is looked at again.
        candidates.extend(
            ids_of(
                &mut conn,
                "SELECT record_id FROM sync_scopes WHERE scope = $1",
                key,
                None,
            )
            .await?,
        );
        candidates.extend(
            ids_of(
                &mut conn,
                "SELECT record_id FROM sync_scope_log WHERE scope = $1 AND version > $2",
                key,
                Some(*cursor),
            )
            .await?,
        );
        dropped.push(key.clone());
    }
    let mut more = false;
    for scope in &mine {
        if candidates.len() >= limit as usize {
            more = true;
            break;
        }
        let key = scope.key();
        let ids = match cursors.get(&key) {
            Some(cursor) if *cursor == value => Vec::new(),
            Some(cursor) => ids_of(
                &mut conn,
                "SELECT DISTINCT record_id FROM sync_scope_log WHERE scope = $1 AND version > $2",
                &key,
                Some(*cursor),
            )
            .await?,
            None => {
                let sql = match scope {
                    Scope::Public(_) => format!(
                        "SELECT record_id FROM sync_scopes WHERE scope = $1 \
                         ORDER BY version DESC LIMIT {PUBLIC_SCOPE_BOUND}"
                    ),
                    Scope::Owner(_) | Scope::Group(_) => {
                        "SELECT record_id FROM sync_scopes WHERE scope = $1".to_owned()
                    }
                };
                ids_of(&mut conn, &sql, &key, None).await?
            }
        };
        candidates.extend(ids);
        done.insert(key, value);
    }

    let records = views(&mut conn, &candidates, &mine).await?;
    Ok(PullResponse {
        cursors: done,
        dropped,
        more,
        reset,
        records,
        context: None,
    })
}

/// Each record as a person holding `mine` may see it now: its view, or a removal.
async fn views(
    conn: &mut AnyConnection,
    ids: &BTreeSet<String>,
    mine: &BTreeSet<Scope>,
) -> Result<Vec<Record>, AppError> {
    let ids: Vec<String> = ids.iter().cloned().collect();
    let mut state: BTreeMap<Uuid, (Kind, i64)> = BTreeMap::new();
    let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    let mut scopes: BTreeMap<Uuid, Vec<Scope>> = BTreeMap::new();
    for chunk in ids.chunks(CHUNK * 5) {
        let sql = format!(
            "SELECT id, kind, version, removed_at FROM sync_records WHERE id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, String, i64, Option<String>)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, kind, version, removed_at) in query.fetch_all(&mut *conn).await? {
            let kind = Kind::parse(&kind).ok_or(AppError::Internal)?;
            state.insert(parse_id(&id)?, (kind, version));
            if removed_at.is_none() {
                by_kind.entry(kind).or_default().push(id);
            }
        }
        let sql = format!(
            "SELECT record_id, scope FROM sync_scopes WHERE record_id IN ({})",
            list(chunk.len(), 1)
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for (id, scope) in query.fetch_all(&mut *conn).await? {
            if let Some(scope) = Scope::parse(&scope).filter(|s| mine.contains(s)) {
                scopes.entry(parse_id(&id)?).or_default().push(scope);
            }
        }
    }
    let mut bodies: BTreeMap<Uuid, Data> = BTreeMap::new();
    for (kind, ids) in by_kind {
        for (id, row) in records::load(conn, kind, &ids).await? {
            if let Some(data) = row.data {
                bodies.insert(id, data);
            }
        }
    }
    let mut records: Vec<Record> = state
        .into_iter()
        .map(|(id, (_, version))| {
            let seen = scopes.get(&id).map(Vec::as_slice).unwrap_or_default();
            let data = bodies.get(&id).and_then(|d| kinds::view_for(d, seen));
            Record { id, version, data }
        })
        .collect();
    records.sort_by_key(|r| r.version);
    Ok(records)
}

/// Forgets removals and scope history older than `days` (the daily retention job,
/// `db::retention`). A device away longer gets a reset (its outbox is kept).
pub async fn forget_old_removals(pool: &Pool, days: u32) -> Result<u64, AppError> {
    forget_removals(pool, &super::retention::days_ago(days)).await
}

/// Forgets what happened before `before` (RFC 3339): removed records' rows and the scope log.
/// A device whose cursor is older than the newest of them gets a reset on its next pull.
/// Returns how many removed records were forgotten.
pub async fn forget_removals(pool: &Pool, before: &str) -> Result<u64, AppError> {
    let _turn = WRITES.lock().await;
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE sync_counter SET value = value WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let (newest_log,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM sync_scope_log WHERE logged_at < $1")
            .bind(before)
            .fetch_one(&mut *tx)
            .await?;
    let (newest_removal,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM sync_records WHERE removed_at < $1")
            .bind(before)
            .fetch_one(&mut *tx)
            .await?;
    let Some(newest) = newest_log.max(newest_removal) else {
        return Ok(0);
    };
    sqlx::query("DELETE FROM sync_scope_log WHERE logged_at < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?;
    for kind in Kind::ALL {
        let (table, _) = records::table(kind);
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE body IS NULL AND removed_at < $1"
        ))
        .bind(before)
        .execute(&mut *tx)
        .await?;
    }
    let gone = sqlx::query("DELETE FROM sync_records WHERE removed_at < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("UPDATE sync_counter SET min_cursor = $1 WHERE id = 1 AND min_cursor < $1")
        .bind(newest)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone)
}

/// Notes a push or pull refused as a whole (best effort: the refusal is answered anyway).
pub async fn record_rejection(
    pool: &Pool,
    user: Option<Uuid>,
    device: Option<Uuid>,
    err: &SyncError,
) {
    let result = sqlx::query(
        "INSERT INTO sync_rejections (id, user_id, device_id, change_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(user.map(|u| u.to_string()))
    .bind(device.map(|d| d.to_string()))
    .bind(err.change.map(|c| c.to_string()))
    .bind(err.reason.code())
    .bind(now())
    .execute(pool)
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not record a sync rejection");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_judged_by_the_day_it_was_made_within_reason() {
        let today = Date::parse("2026-11-29").unwrap();
        let yesterday = Date::parse("2026-11-28");
        assert_eq!(judged_day(yesterday, today), yesterday.unwrap());
        assert_eq!(judged_day(None, today), today);
        // A clock in the future, or a claim from long ago, is not believed.
        assert_eq!(judged_day(Date::parse("2026-12-01"), today), today);
        assert_eq!(judged_day(Date::parse("2026-01-01"), today), today);
    }
}

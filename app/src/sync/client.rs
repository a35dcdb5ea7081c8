//! The device's side of sync: its copy of the records its person may see (the snapshot), the
//! outbox of changes not yet confirmed, and the log of what became of the ones sent.
//!
//! Platform-neutral: it runs over any [`Store`] and [`Transport`], so the browser and the test
//! simulator run exactly this code. The engine never holds a borrow across a request: the
//! driver [`sync`] asks it for a request, sends it, and hands it the answer, so the person can
//! keep making changes while a sync is out.
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::need::NeedData;
use crate::domain::offer::{Date, Known, OfferData};

use super::apply::{apply, Current, Effect, Judge};
use super::kinds::{Actor, Kind};
use super::protocol::*;
use super::store::{Store, StoreFull};

/// The layout of what is stored. A new layout gets a new number, and the old keys are read
/// once to carry the outbox over ([`Engine::open`], `docs/SYNC.md`).
pub const SCHEMA: u32 = 2;
/// Changes per push: well under the server's limits, small enough to finish on a weak signal.
pub const BATCH: usize = 200;
/// How many settled changes the device remembers to show.
pub const LOG_LEN: usize = 50;
/// Requests in one sync before the driver gives up for now (a guard, never reached normally).
const MAX_ROUNDS: usize = 200;

/// The key prefix of one person's data on this device.
pub fn prefix(user: Uuid) -> String {
    prefix_of(SCHEMA, user)
}

fn prefix_of(schema: u32, user: Uuid) -> String {
    format!("samverka/v{schema}/{user}/")
}

/// The stored keys besides the records: written in this order, `meta` last.
const KEYS: [&str; 4] = ["log", "outbox", "snapshot", "meta"];

fn records_key(kind: Kind) -> String {
    format!("records/{}", kind.as_str())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Meta {
    device: Uuid,
    next_seq: u64,
    /// Bumped by every save, written last: a tab whose copy has the stored `rev` need not
    /// read anything again.
    #[serde(default)]
    rev: u64,
}

/// The server's records as of the scopes' cursors. Stored as `snapshot` (cursors, context)
/// and one key per kind (`records/need` …), so a full phone can drop one kind at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Scope key → cursor. Empty: the next pull is a reset.
    pub cursors: BTreeMap<String, i64>,
    #[serde(skip)]
    pub records: BTreeMap<Uuid, Stored>,
    pub context: Option<Context>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub version: i64,
    pub data: Data,
}

/// A change that has left the outbox, with what became of it. The change itself is kept, so a
/// refused edit can still be read (and typed again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    pub change: Change,
    pub result: SettledAs,
    /// The person has seen what became of it (a refusal is announced until then).
    #[serde(default)]
    pub seen: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum SettledAs {
    Sent,
    /// The server's `apply` refused it.
    Refused {
        reason: Refusal,
    },
    /// The server refused to take it at all (a 4xx about this change).
    Rejected {
        reason: SyncErrorReason,
    },
}

/// One record as the person sees it: the server's copy with their waiting changes applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View<D> {
    pub id: Uuid,
    pub data: D,
    /// A change to it is still waiting to be sent.
    pub waiting: bool,
}

pub type OfferView = View<OfferData>;
pub type NeedView = View<NeedData>;
pub type OccasionView = View<crate::domain::activity::OccasionData>;
pub type SignUpView = View<crate::domain::activity::SignUpData>;
pub type CaseView = View<crate::domain::case::CaseData>;

/// Everything the person sees, by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Views {
    pub offers: Vec<OfferView>,
    pub needs: Vec<NeedView>,
    pub occasions: Vec<OccasionView>,
    pub sign_ups: Vec<SignUpView>,
    pub cases: Vec<CaseView>,
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No network, or the answer was lost.
    Offline,
    /// A 4xx with its reason.
    Rejected(SyncError),
    /// A 5xx or an answer we could not read: try later.
    Server,
}

/// Carries requests to the server. `async fn` without `Send`: the browser's fetch is not.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(&mut self, request: &PushRequest) -> Result<PushResponse, TransportError>;
    async fn pull(&mut self, request: &PullRequest) -> Result<PullResponse, TransportError>;
    /// Lets the page run between two slices of a long piece of work. The browser's goes on
    /// in a new task, so a first sync of hundreds of records never holds the phone's main
    /// thread for long; elsewhere it does nothing.
    async fn pause(&mut self) {}
}

/// Whether the driver should go on after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Continue,
    Done,
    /// Stop for now (offline, server trouble, signed out, update needed).
    Stop,
}

pub struct Engine<S: Store> {
    store: S,
    user: Uuid,
    meta: Meta,
    outbox: Vec<Change>,
    snapshot: Snapshot,
    log: Vec<Settled>,
    /// The stored `rev` this engine's copy was read at or saved as; `None`: read it again.
    loaded: Option<u64>,
    /// The person's local date, stamped on each change recorded (the browser sets it).
    pub today: Option<Date>,
    /// The phone refused to store more: changes are kept in memory and the outbox is saved
    /// first; the person is told.
    pub storage_full: bool,
    /// The server speaks a newer protocol: the person should reload.
    pub update_required: bool,
    /// The server no longer knows this session.
    pub signed_out: bool,
    /// Kinds whose stored copy is behind this one: a save writes only these.
    dirty: BTreeSet<Kind>,
    /// A save begun and not finished ([`Engine::save_step`]).
    saving: Option<Saving>,
}

/// A save under way, a kind at a time: the kinds not written yet, the one a full phone keeps
/// longest last (it is written first).
#[derive(Debug)]
struct Saving {
    kinds: Vec<Kind>,
    full: bool,
    dropped: bool,
}

/// One kind's records as stored (`records/<kind>`: id → version and data), written straight
/// from the copy.
struct KindRecords<'a>(&'a BTreeMap<Uuid, Stored>, Kind);

impl Serialize for KindRecords<'_> {
    fn serialize<Z: serde::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        serializer.collect_map(self.0.iter().filter(|(_, r)| r.data.kind() == self.1))
    }
}

fn put<T: Serialize>(store: &mut impl Store, key: &str, value: &T) -> Result<(), StoreFull> {
    let json = serde_json::to_string(value).map_err(|_| StoreFull)?;
    store.set(key, &json)
}

/// What the shared rules know on a device, from its last pull: the reference lists and the
/// contacts of the person's groups. Nothing before the first pull (the server judges then).
pub fn known(context: Option<&Context>) -> Known {
    context
        .map(|c| Known {
            group_contacts: Some(
                c.groups
                    .iter()
                    .map(|g| (g.id, g.contacts.iter().map(|m| m.user_id).collect()))
                    .collect(),
            ),
            ..Known::from_reference(&c.reference)
        })
        .unwrap_or_default()
}

fn load<T: DeserializeOwned>(store: &impl Store, key: &str) -> Option<T> {
    store
        .get(key)
        .and_then(|raw| serde_json::from_str(&raw).ok())
}

impl<S: Store> Engine<S> {
    /// Opens this person's data on this device; a first use gets `new_device` as its id. Data
    /// an older app stored (layout 1) is carried over first: its outbox and log under the same
    /// device id and numbers, so no change is lost or applied twice. Its copy is left for the
    /// server to send again.
    pub fn open(mut store: S, user: Uuid, new_device: Uuid) -> Engine<S> {
        carry_over_v1(&mut store, user);
        let mut engine = Engine {
            store,
            user,
            meta: Meta {
                device: new_device,
                next_seq: 1,
                rev: 0,
            },
            outbox: Vec::new(),
            snapshot: Snapshot::default(),
            log: Vec::new(),
            loaded: None,
            today: None,
            storage_full: false,
            update_required: false,
            signed_out: false,
            dirty: BTreeSet::new(),
            saving: None,
        };
        engine.reload();
        engine
    }

    /// Reads the store again if another tab of the same browser (which shares it) has saved
    /// since: every change starts from the stored state, so one tab never overwrites what
    /// another saved. Costs one small read when nothing changed.
    pub fn reload(&mut self) {
        let p = prefix(self.user);
        let stored = load::<Meta>(&self.store, &format!("{p}meta"));
        if stored.as_ref().is_some_and(|m| Some(m.rev) == self.loaded) {
            return;
        }
        self.loaded = stored.as_ref().map(|m| m.rev);
        // What is in memory is what is stored; a save begun on the old copy is dropped (what
        // it had pulled comes again: its cursors were not saved).
        self.dirty.clear();
        self.saving = None;
        if let Some(meta) = stored {
            self.meta = meta;
        }
        self.outbox = load(&self.store, &format!("{p}outbox")).unwrap_or_default();
        // Never reuse a number of a change still waiting, whatever the meta says.
        self.meta.next_seq = self
            .outbox
            .iter()
            .map(|c| c.seq + 1)
            .max()
            .unwrap_or(1)
            .max(self.meta.next_seq);
        self.log = load(&self.store, &format!("{p}log")).unwrap_or_default();
        self.snapshot = load(&self.store, &format!("{p}snapshot")).unwrap_or_default();
        let mut complete = true;
        for kind in Kind::ALL {
            let key = format!("{p}{}", records_key(kind));
            match load::<BTreeMap<Uuid, Stored>>(&self.store, &key) {
                Some(records) => self.snapshot.records.extend(records),
                // Dropped when the phone was full: the next pull starts over.
                None if self.store.get(&key).is_none() && !self.snapshot.cursors.is_empty() => {
                    complete = false
                }
                None => {}
            }
        }
        if !complete {
            self.snapshot.cursors.clear();
        }
    }

    pub fn user(&self) -> Uuid {
        self.user
    }

    pub fn device(&self) -> Uuid {
        self.meta.device
    }

    /// Where the device stands, per scope.
    pub fn cursors(&self) -> &BTreeMap<String, i64> {
        &self.snapshot.cursors
    }

    pub fn context(&self) -> Option<&Context> {
        self.snapshot.context.as_ref()
    }

    pub fn outbox(&self) -> &[Change] {
        &self.outbox
    }

    pub fn log(&self) -> &[Settled] {
        &self.log
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    fn known(&self) -> Known {
        known(self.snapshot.context.as_ref())
    }

    /// The person as the shared rules see them, from the last pull.
    fn actor(&self) -> Actor {
        let Some(context) = &self.snapshot.context else {
            return Actor {
                user: Some(self.user),
                ..Actor::default()
            };
        };
        Actor {
            user: Some(self.user),
            staff: context.me.role.is_staff(),
            groups: context.groups.iter().map(|g| (g.id, g.role)).collect(),
            districts: context.profile.districts.iter().copied().collect(),
            name: String::new(),
        }
    }

    /// Records a change: in the outbox (saved before anything else) and in the view at once.
    /// When the phone cannot store it, nothing is recorded and the caller keeps the form.
    pub fn record(
        &mut self,
        change_id: Uuid,
        record: Uuid,
        op: impl Into<Op>,
    ) -> Result<(), StoreFull> {
        self.reload();
        self.outbox.push(Change {
            id: change_id,
            seq: self.meta.next_seq,
            record,
            made_on: self.today,
            op: op.into(),
        });
        self.meta.next_seq += 1;
        if let Err(full) = self.save_outbox() {
            self.outbox.pop();
            self.meta.next_seq -= 1;
            self.storage_full = true;
            return Err(full);
        }
        Ok(())
    }

    /// Every record as the person sees it: the server's copy with the waiting changes applied
    /// in order, through the same `apply` the server runs.
    fn view(&self) -> BTreeMap<Uuid, (Data, bool)> {
        let mut view: BTreeMap<Uuid, (Option<Data>, bool)> = self
            .snapshot
            .records
            .iter()
            .map(|(id, r)| (*id, (Some(r.data.clone()), false)))
            .collect();
        let (known, actor) = (self.known(), self.actor());
        for change in &self.outbox {
            let current = match view.get(&change.record) {
                None => Current::Missing,
                Some((None, _)) => Current::Removed,
                Some((Some(d), _)) => Current::Live(d),
            };
            let judge = Judge {
                actor: &actor,
                known: &known,
                made_on: change.made_on,
            };
            match apply(current, self.user, &change.op, &judge) {
                Ok(Effect::Put(d)) => {
                    view.insert(change.record, (Some(d), true));
                }
                Ok(Effect::Remove) => {
                    view.insert(change.record, (None, true));
                }
                Ok(Effect::Nothing) | Err(_) => {}
            }
        }
        view.into_iter()
            .filter_map(|(id, (data, waiting))| data.map(|d| (id, (d, waiting))))
            .collect()
    }

    /// Everything the person sees, by kind: their offers, the needs and occasions of their
    /// groups and their districts, their sign-ups and their groups'. One pass over the copy
    /// and the outbox for all.
    pub fn views(&self) -> Views {
        let mut views = Views::default();
        for (id, (data, waiting)) in self.view() {
            match data {
                Data::Offer(data) => views.offers.push(View { id, data, waiting }),
                Data::Need(data) => views.needs.push(View { id, data, waiting }),
                Data::Occasion(data) => views.occasions.push(View { id, data, waiting }),
                Data::SignUp(data) => views.sign_ups.push(View { id, data, waiting }),
                Data::Case(data) => views.cases.push(View { id, data, waiting }),
            }
        }
        views
    }

    /// The person's offers.
    pub fn offers(&self) -> Vec<OfferView> {
        self.views().offers
    }

    /// The needs the person sees: their groups', and the open ones of their districts.
    pub fn needs(&self) -> Vec<NeedView> {
        self.views().needs
    }

    /// The next batch to send, if anything is waiting.
    pub fn push_request(&self) -> Option<PushRequest> {
        (!self.outbox.is_empty()).then(|| PushRequest {
            protocol: PROTOCOL,
            device: self.meta.device,
            changes: self.outbox.iter().take(BATCH).cloned().collect(),
        })
    }

    pub fn pull_request(&self, context: bool) -> PullRequest {
        PullRequest {
            protocol: PROTOCOL,
            cursors: self.snapshot.cursors.clone(),
            limit: None,
            context,
        }
    }

    /// Takes the answer to a push of `sent`.
    pub fn on_push(
        &mut self,
        sent: &PushRequest,
        answer: Result<PushResponse, TransportError>,
    ) -> Step {
        self.reload();
        let step = match answer {
            Ok(response) => {
                // Answered: the person is signed in (again, if the session had ended).
                self.signed_out = false;
                let newest = self.snapshot.cursors.values().copied().max();
                for result in response.results {
                    let Some(pos) = self.outbox.iter().position(|c| c.id == result.id) else {
                        continue; // an answer to a change settled already
                    };
                    let change = self.outbox.remove(pos);
                    let result = match result.outcome {
                        Outcome::Applied { version } => {
                            // Until a pull brings the server's copy, show the change on ours —
                            // unless our copy is already as new (a resend answered late: the
                            // record may have changed, or gone, since).
                            if let Some(v) = version {
                                if newest.is_none_or(|c| c < v) {
                                    self.apply_to_snapshot(&change, v);
                                }
                            }
                            SettledAs::Sent
                        }
                        Outcome::Refused { reason } => SettledAs::Refused { reason },
                    };
                    self.settle(change, result);
                }
                Step::Continue
            }
            Err(TransportError::Rejected(err)) => self.on_rejected(sent, err),
            Err(TransportError::Offline | TransportError::Server) => Step::Stop,
        };
        self.save_all();
        step
    }

    fn on_rejected(&mut self, sent: &PushRequest, err: SyncError) -> Step {
        match err.reason {
            reason if reason.is_about_one_change() => {
                let Some(pos) = err
                    .change
                    .and_then(|id| self.outbox.iter().position(|c| c.id == id))
                else {
                    return Step::Stop;
                };
                // Nothing after it was taken (the server takes changes in order), so the later
                // ones move up one number and the sequence stays without gaps.
                let change = self.outbox.remove(pos);
                for later in &mut self.outbox[pos..] {
                    later.seq -= 1;
                }
                self.meta.next_seq -= 1;
                self.settle(change, SettledAs::Rejected { reason });
                Step::Continue
            }
            SyncErrorReason::SequenceGap => match err.expected_seq {
                Some(expected) if sent.changes.first().is_some_and(|c| c.seq != expected) => {
                    self.renumber_from(expected);
                    Step::Continue
                }
                _ => Step::Stop,
            },
            // The number or the device belongs to someone else's history (a copied or restored
            // browser profile): start a new device; the server still recognises each change by id.
            SyncErrorReason::SequenceReused | SyncErrorReason::ForeignDevice => {
                self.meta.device = Uuid::new_v4();
                self.renumber_from(1);
                Step::Continue
            }
            SyncErrorReason::UpdateRequired => {
                self.update_required = true;
                Step::Stop
            }
            SyncErrorReason::Unauthorized => {
                self.session_ended();
                Step::Stop
            }
            _ => Step::Stop,
        }
    }

    fn renumber_from(&mut self, first: u64) {
        for (i, change) in self.outbox.iter_mut().enumerate() {
            change.seq = first + i as u64;
        }
        self.meta.next_seq = first + self.outbox.len() as u64;
    }

    fn settle(&mut self, change: Change, result: SettledAs) {
        let seen = result == SettledAs::Sent;
        self.log.insert(
            0,
            Settled {
                change,
                result,
                seen,
            },
        );
        self.log.truncate(LOG_LEN);
    }

    fn apply_to_snapshot(&mut self, change: &Change, version: i64) {
        let (known, actor) = (self.known(), self.actor());
        let judge = Judge {
            actor: &actor,
            known: &known,
            // The server accepted it: its dates are not judged again here.
            made_on: None,
        };
        let current = match self.snapshot.records.get(&change.record) {
            Some(r) => Current::Live(&r.data),
            None => Current::Missing,
        };
        match apply(current, self.user, &change.op, &judge) {
            Ok(Effect::Put(data)) => self.put_record(change.record, Stored { version, data }),
            Ok(Effect::Remove) => self.remove_record(change.record),
            _ => {}
        }
    }

    fn put_record(&mut self, id: Uuid, stored: Stored) {
        self.dirty.insert(stored.data.kind());
        if let Some(old) = self.snapshot.records.insert(id, stored) {
            self.dirty.insert(old.data.kind());
        }
    }

    fn remove_record(&mut self, id: Uuid) {
        if let Some(old) = self.snapshot.records.remove(&id) {
            self.dirty.insert(old.data.kind());
        }
    }

    /// Takes a page of a pull and saves it.
    pub fn on_pull(&mut self, answer: Result<PullResponse, TransportError>) -> Step {
        let step = self.take_pull(answer);
        while self.save_step() {}
        step
    }

    /// Takes a page of a pull into the copy and begins saving it; [`Engine::save_step`]
    /// finishes the save a kind at a time.
    pub fn take_pull(&mut self, answer: Result<PullResponse, TransportError>) -> Step {
        self.reload();
        let response = match answer {
            Ok(response) => {
                self.signed_out = false;
                response
            }
            Err(TransportError::Rejected(err)) => {
                match err.reason {
                    SyncErrorReason::UpdateRequired => self.update_required = true,
                    SyncErrorReason::Unauthorized => self.session_ended(),
                    _ => {}
                }
                return Step::Stop;
            }
            Err(_) => return Step::Stop,
        };
        if response.reset {
            // The server forgot removals older than our cursors: its records are everything.
            // The outbox stays; it is applied on top as always.
            self.snapshot.records.clear();
            self.dirty.extend(Kind::ALL);
            self.snapshot.cursors.clear();
        } else {
            // An answer older than what we hold (another tab pulled since): a cursor never
            // moves back, and what it says may no longer be true.
            let stale = response.cursors.iter().any(|(scope, cursor)| {
                self.snapshot.cursors.get(scope).is_some_and(|c| cursor < c)
            });
            if stale {
                return Step::Stop;
            }
        }
        for record in response.records {
            let newer = self
                .snapshot
                .records
                .get(&record.id)
                .is_none_or(|r| r.version <= record.version);
            if !newer {
                continue;
            }
            match record.data {
                Some(data) => {
                    let stored = Stored {
                        version: record.version,
                        data,
                    };
                    self.put_record(record.id, stored);
                }
                None => self.remove_record(record.id),
            }
        }
        for scope in &response.dropped {
            self.snapshot.cursors.remove(scope);
        }
        self.snapshot.cursors.extend(response.cursors);
        if let Some(context) = response.context {
            self.snapshot.context = Some(context);
        }
        self.begin_save();
        if response.more {
            Step::Continue
        } else {
            Step::Done
        }
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", prefix(self.user))
    }

    fn save<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), StoreFull> {
        let key = self.key(name);
        put(&mut self.store, &key, value)
    }

    /// Writes the meta with a new `rev`, last, so other tabs see a finished save. If it cannot
    /// be written, the next change reads the store again (the store is the truth).
    fn commit(&mut self) -> Result<(), StoreFull> {
        let rev = self.meta.rev + 1;
        let meta = Meta {
            rev,
            ..self.meta.clone()
        };
        let saved = self.save("meta", &meta);
        if saved.is_ok() {
            self.meta.rev = rev;
            self.loaded = Some(rev);
        } else {
            self.loaded = None;
        }
        saved
    }

    fn save_outbox(&mut self) -> Result<(), StoreFull> {
        let outbox = std::mem::take(&mut self.outbox);
        let saved = self.save("outbox", &outbox);
        self.outbox = outbox;
        saved?;
        self.commit()
    }

    /// Saves everything: the log and outbox first, then the copy kind by kind. When the phone
    /// is full, what the server can always send again goes, kind by kind in the order of
    /// [`Kind::keep_priority`] (public and group needs before the person's own offers), and
    /// the cursors with it (the next pull starts over). The outbox is never dropped.
    pub fn save_all(&mut self) {
        self.begin_save();
        while self.save_step() {}
    }

    /// Begins a save: the log and the outbox now, the copy by [`Engine::save_step`].
    fn begin_save(&mut self) {
        if self.signed_out {
            // The session ended on its own: only the unsent changes stay on the device.
            self.saving = None;
            let outbox = std::mem::take(&mut self.outbox);
            self.storage_full = self.save("outbox", &outbox).is_err();
            self.outbox = outbox;
            self.remove_copy();
            if self.commit().is_err() {
                self.storage_full = true;
            }
            return;
        }
        let (log, outbox) = (
            std::mem::take(&mut self.log),
            std::mem::take(&mut self.outbox),
        );
        // Committed at once: a change recorded before the copy is written finds the store as
        // this engine left it, and does not read it again over what is not written yet.
        let read_at = self.loaded;
        let kept = self
            .save("log", &log)
            .and_then(|()| self.save("outbox", &outbox))
            .and_then(|()| self.commit());
        if kept.is_err() {
            // The stored meta is the one read: the save goes on as on a full phone.
            self.loaded = read_at;
        }
        self.log = log;
        self.outbox = outbox;
        // Taken from the end: the kind kept longest first.
        let mut kinds = Kind::ALL.to_vec();
        kinds.sort_by_key(|k| k.keep_priority());
        self.saving = Some(Saving {
            kinds,
            full: kept.is_err(),
            dropped: false,
        });
    }

    /// Writes the next kind of a save begun (only if it changed), and after the last one the
    /// cursors and the meta. False when nothing is left to do. Between two steps the page may
    /// run, and record changes (they save the outbox themselves); if another tab saved in
    /// between, this save is dropped and the copy read again, as nothing of it is committed.
    pub fn save_step(&mut self) -> bool {
        if self.saving.is_none() {
            return false;
        }
        let stored = load::<Meta>(&self.store, &self.key("meta")).map(|m| m.rev);
        if stored != self.loaded {
            self.saving = None;
            self.loaded = None;
            self.reload();
            return false;
        }
        let Some(kind) = self.saving.as_mut().and_then(|s| s.kinds.pop()) else {
            let Saving { full, dropped, .. } = self.saving.take().expect("checked above");
            self.finish_save(full, dropped);
            return false;
        };
        let key = self.key(&records_key(kind));
        let full = self.saving.as_ref().is_some_and(|s| s.full);
        let kept = !full
            && (!self.dirty.contains(&kind)
                || put(
                    &mut self.store,
                    &key,
                    &KindRecords(&self.snapshot.records, kind),
                )
                .is_ok());
        if kept {
            self.dirty.remove(&kind);
        } else {
            // Dropped to make room: it stays unsaved, and comes again with the next pull.
            self.store.remove(&key);
            if let Some(saving) = self.saving.as_mut() {
                saving.full = true;
                saving.dropped = true;
            }
        }
        true
    }

    fn finish_save(&mut self, mut full: bool, dropped: bool) {
        if dropped {
            // What was dropped comes again with the next pull, which starts over.
            self.snapshot.cursors.clear();
        }
        // Only the cursors and the context are written (the records are kept by kind).
        let snapshot = std::mem::take(&mut self.snapshot);
        let saved = self.save("snapshot", &snapshot);
        self.snapshot = snapshot;
        if saved.is_err() {
            let key = self.key("snapshot");
            self.store.remove(&key);
            full = true;
        }
        if full {
            // With room made, try the outbox and the log again.
            let (log, outbox) = (
                std::mem::take(&mut self.log),
                std::mem::take(&mut self.outbox),
            );
            let _ = self
                .save("outbox", &outbox)
                .and_then(|()| self.save("log", &log));
            self.log = log;
            self.outbox = outbox;
        }
        self.storage_full = full;
        if self.commit().is_err() {
            self.storage_full = true;
        }
    }

    /// The person has looked at the list of changes: refusals need no more announcing.
    pub fn mark_seen(&mut self) {
        self.reload();
        if self.log.iter().any(|s| !s.seen) {
            for settled in &mut self.log {
                settled.seen = true;
            }
            self.save_all();
        }
    }

    /// The server no longer knows this session (it expired, or was ended on another device):
    /// nothing the person could read stays on a possibly shared phone — the copy of their data
    /// and the log of sent changes go. Only the unsent changes stay, under the person's own
    /// key, and are sent when the same person signs in again.
    fn session_ended(&mut self) {
        self.signed_out = true;
        self.snapshot = Snapshot::default();
        self.dirty.clear();
        self.saving = None;
        self.log.clear();
        self.remove_copy();
    }

    /// Removes the stored copy and log of the person's data (not the outbox or the meta).
    fn remove_copy(&mut self) {
        let names: Vec<String> = Kind::ALL.into_iter().map(records_key).collect();
        for name in names.iter().map(String::as_str).chain(["snapshot", "log"]) {
            let key = self.key(name);
            self.store.remove(&key);
        }
    }

    /// Removes everything of this person from the device (signing out on a shared phone).
    pub fn clear(&mut self) {
        let names: Vec<String> = Kind::ALL.into_iter().map(records_key).collect();
        for name in names.iter().map(String::as_str).chain(KEYS) {
            let key = self.key(name);
            self.store.remove(&key);
        }
        self.outbox.clear();
        self.log.clear();
        self.snapshot = Snapshot::default();
        self.dirty.clear();
        self.saving = None;
    }
}

/// Carries an older app's data (layout 1, one kind) over to this layout: the same device id
/// and next number, the outbox and the log as they were (a protocol-1 change reads as a
/// protocol-2 one). The old copy of records is not carried: the first pull sends it. If this
/// layout is already in use (a tab of the new app ran first, while a tab of the old one kept
/// writing), the old changes not yet in the outbox are added to its end under this device's
/// next numbers: the server recognises a change it has already applied by its id, whatever its
/// number, so none is lost and none applied twice.
fn carry_over_v1(store: &mut impl Store, user: Uuid) {
    let (old, new) = (prefix_of(1, user), prefix_of(SCHEMA, user));
    // Layout 1 wrote its meta after every outbox save, so an outbox always has one.
    let Some(old_meta) = store.get(&format!("{old}meta")) else {
        return;
    };
    let old_outbox: Vec<Change> = load(store, &format!("{old}outbox")).unwrap_or_default();
    let carried = match load::<Meta>(store, &format!("{new}meta")) {
        None => {
            // The outbox first, the meta last (as every save): a failure leaves the old keys.
            let log: Vec<Settled> = load(store, &format!("{old}log")).unwrap_or_default();
            let (Ok(outbox), Ok(log)) = (
                serde_json::to_string(&old_outbox),
                serde_json::to_string(&log),
            ) else {
                return;
            };
            store
                .set(&format!("{new}outbox"), &outbox)
                .and_then(|()| store.set(&format!("{new}log"), &log))
                .and_then(|()| store.set(&format!("{new}meta"), &old_meta))
        }
        Some(mut meta) => {
            let mut outbox: Vec<Change> = load(store, &format!("{new}outbox")).unwrap_or_default();
            let mut next = outbox
                .iter()
                .map(|c| c.seq + 1)
                .max()
                .unwrap_or(1)
                .max(meta.next_seq);
            for mut change in old_outbox {
                if outbox.iter().any(|c| c.id == change.id) {
                    continue;
                }
                change.seq = next;
                next += 1;
                outbox.push(change);
            }
            meta.next_seq = next;
            meta.rev += 1;
            let (Ok(outbox), Ok(meta)) =
                (serde_json::to_string(&outbox), serde_json::to_string(&meta))
            else {
                return;
            };
            store
                .set(&format!("{new}outbox"), &outbox)
                .and_then(|()| store.set(&format!("{new}meta"), &meta))
        }
    };
    if carried.is_ok() {
        for name in ["meta", "outbox", "log", "snapshot"] {
            store.remove(&format!("{old}{name}"));
        }
    }
}

/// One sync: push the outbox batch by batch, then pull until the server has nothing newer.
/// Borrows the engine only between requests.
pub async fn sync<S: Store, T: Transport>(engine: &RefCell<Engine<S>>, transport: &mut T) -> Step {
    let mut rounds = 0;
    loop {
        rounds += 1;
        let Some(request) = engine.borrow().push_request() else {
            break;
        };
        let answer = transport.push(&request).await;
        match engine.borrow_mut().on_push(&request, answer) {
            Step::Continue if rounds < MAX_ROUNDS => {}
            Step::Continue | Step::Done => break,
            Step::Stop => return Step::Stop,
        }
    }
    let mut first = true;
    loop {
        rounds += 1;
        let request = engine.borrow().pull_request(first);
        first = false;
        let answer = transport.pull(&request).await;
        let step = engine.borrow_mut().take_pull(answer);
        // A kind at a time, letting the page run between kinds.
        while engine.borrow_mut().save_step() {
            transport.pause().await;
        }
        match step {
            Step::Continue if rounds < MAX_ROUNDS => {}
            Step::Continue | Step::Done => return Step::Done,
            Step::Stop => return Step::Stop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::offer::Availability;
    use crate::sync::store::MemoryStore;

    fn offer(note: &str) -> OfferData {
        OfferData {
            availability: Availability::Flexible,
            districts: vec![Uuid::from_u128(1)],
            areas: vec![],
            skills: vec![],
            languages: vec![],
            note: note.into(),
            paused: false,
        }
    }

    fn engine(store: MemoryStore) -> Engine<MemoryStore> {
        Engine::open(store, Uuid::from_u128(0xa), Uuid::from_u128(0xde))
    }

    /// The person's own scope.
    fn mine() -> String {
        Scope::Owner(Uuid::from_u128(0xa)).key()
    }

    fn page(cursor: i64, records: Vec<Record>, reset: bool) -> PullResponse {
        PullResponse {
            cursors: BTreeMap::from([(mine(), cursor)]),
            dropped: vec![],
            more: false,
            reset,
            records,
            context: None,
        }
    }

    #[test]
    fn a_recorded_change_is_in_the_view_and_survives_a_reopen() {
        let mut e = engine(MemoryStore::default());
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("a")),
        )
        .unwrap();
        e.record(
            Uuid::from_u128(2),
            Uuid::from_u128(101),
            OfferOp::Create(offer("b")),
        )
        .unwrap();

        let reopened = engine(e.store().clone());

        assert_eq!(reopened.outbox().len(), 2);
        assert_eq!(reopened.offers().len(), 2);
        assert!(reopened.offers().iter().all(|o| o.waiting));
        assert_eq!(reopened.push_request().unwrap().changes[1].seq, 2);
        assert_eq!(reopened.device(), Uuid::from_u128(0xde));
    }

    #[test]
    fn a_full_phone_refuses_the_change_and_keeps_nothing_half_done() {
        let mut e = engine(MemoryStore {
            quota: Some(100),
            ..Default::default()
        });
        let result = e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("a")),
        );
        assert_eq!(result, Err(StoreFull));
        assert!(e.storage_full);
        assert!(e.outbox().is_empty());
        assert_eq!(e.meta.next_seq, 1);
    }

    #[test]
    fn a_full_phone_drops_the_snapshot_before_the_outbox() {
        let mut e = engine(MemoryStore {
            quota: Some(2000),
            ..Default::default()
        });
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("a")),
        )
        .unwrap();
        let big = (0..40)
            .map(|i| Record {
                id: Uuid::from_u128(500 + i),
                version: 1,
                data: Some(Data::Offer(offer("x"))),
            })
            .collect();
        e.on_pull(Ok(page(1, big, false)));

        assert!(e.storage_full);
        let reopened = engine(e.store().clone());
        assert_eq!(reopened.outbox().len(), 1, "the outbox is kept");
        assert!(
            reopened.cursors().is_empty(),
            "without a copy the next pull starts over"
        );
    }

    #[test]
    fn a_change_rejected_alone_is_set_aside_and_the_later_ones_move_up() {
        let mut e = engine(MemoryStore::default());
        for i in 1..=3 {
            e.record(
                Uuid::from_u128(i),
                Uuid::from_u128(100 + i),
                OfferOp::Create(offer("a")),
            )
            .unwrap();
        }
        let sent = e.push_request().unwrap();
        let err = SyncError::about(SyncErrorReason::ForeignRecord, Uuid::from_u128(2));

        assert_eq!(
            e.on_push(&sent, Err(TransportError::Rejected(err))),
            Step::Continue
        );

        let seqs: Vec<_> = e.outbox().iter().map(|c| (c.id.as_u128(), c.seq)).collect();
        assert_eq!(seqs, vec![(1, 1), (3, 2)]);
        assert_eq!(
            e.log()[0].result,
            SettledAs::Rejected {
                reason: SyncErrorReason::ForeignRecord
            }
        );
        assert_eq!(
            e.log()[0].change.id,
            Uuid::from_u128(2),
            "the change itself is kept"
        );
    }

    #[test]
    fn an_outdated_app_or_an_ended_session_stops_sending_and_keeps_the_changes() {
        let mut e = engine(MemoryStore::default());
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("a")),
        )
        .unwrap();
        let sent = e.push_request().unwrap();
        let refuse = |reason| Err(TransportError::Rejected(SyncError::new(reason)));

        assert_eq!(
            e.on_push(&sent, refuse(SyncErrorReason::UpdateRequired)),
            Step::Stop
        );
        assert_eq!(
            e.on_push(&sent, refuse(SyncErrorReason::Unauthorized)),
            Step::Stop
        );
        assert_eq!(e.on_push(&sent, Err(TransportError::Offline)), Step::Stop);

        assert!(e.update_required && e.signed_out);
        assert_eq!(e.outbox(), &sent.changes[..]);
        assert_eq!(engine(e.store().clone()).outbox().len(), 1);
    }

    #[test]
    fn an_ended_session_leaves_only_the_unsent_changes_on_the_device() {
        let mut e = engine(MemoryStore::default());
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("a")),
        )
        .unwrap();
        let sent = e.push_request().unwrap();
        let applied = PushResponse {
            results: sent
                .changes
                .iter()
                .map(|c| ChangeResult {
                    id: c.id,
                    outcome: Outcome::Applied { version: Some(1) },
                })
                .collect(),
        };
        let _ = e.on_push(&sent, Ok(applied));
        e.record(
            Uuid::from_u128(2),
            Uuid::from_u128(200),
            OfferOp::Create(offer("b")),
        )
        .unwrap();
        assert!(!e.offers().is_empty() && !e.log().is_empty());
        let waiting = e.push_request().unwrap();

        let step = e.on_push(
            &waiting,
            Err(TransportError::Rejected(SyncError::new(
                SyncErrorReason::Unauthorized,
            ))),
        );

        assert_eq!(step, Step::Stop);
        assert!(e.signed_out);
        assert!(e.log().is_empty(), "no record of what was sent");
        let reopened = engine(e.store().clone());
        assert_eq!(
            reopened.outbox(),
            &waiting.changes[..],
            "the unsent change is kept"
        );
        assert!(reopened.log().is_empty());
        assert_eq!(
            reopened.offers().len(),
            1,
            "only the unsent offer shows, from the outbox, not the copy"
        );

        // Saving while signed out writes no copy and no log back.
        e.save_all();
        for name in ["snapshot", "log"] {
            assert_eq!(e.store().get(&e.key(name)), None, "no {name} stays");
        }

        // The same person signs in again in this tab: the next answer ends the signed-out state
        // and the kept change is sent.
        let again = e.push_request().unwrap();
        let answer = PushResponse {
            results: vec![ChangeResult {
                id: again.changes[0].id,
                outcome: Outcome::Applied { version: Some(2) },
            }],
        };
        e.on_push(&again, Ok(answer));
        assert!(!e.signed_out, "signed in again");
        assert!(e.outbox().is_empty(), "the kept change was sent");
    }

    #[test]
    fn a_sequence_gap_renumbers_the_outbox_from_what_the_server_expects() {
        let mut e = engine(MemoryStore::default());
        for i in 1..=2 {
            e.record(
                Uuid::from_u128(i),
                Uuid::from_u128(100 + i),
                OfferOp::Create(offer("a")),
            )
            .unwrap();
        }
        let sent = e.push_request().unwrap();
        let gap = SyncError {
            expected_seq: Some(7),
            ..SyncError::new(SyncErrorReason::SequenceGap)
        };

        assert_eq!(
            e.on_push(&sent, Err(TransportError::Rejected(gap))),
            Step::Continue
        );

        let seqs: Vec<_> = e.outbox().iter().map(|c| c.seq).collect();
        assert_eq!(seqs, vec![7, 8]);
        e.record(Uuid::from_u128(3), Uuid::from_u128(103), OfferOp::Delete)
            .unwrap();
        assert_eq!(e.outbox()[2].seq, 9);
    }

    /// Two tabs of one browser: one store, two engines.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<MemoryStore>>);

    impl Store for Shared {
        fn get(&self, key: &str) -> Option<String> {
            self.0.borrow().get(key)
        }
        fn set(&mut self, key: &str, value: &str) -> Result<(), StoreFull> {
            self.0.borrow_mut().set(key, value)
        }
        fn remove(&mut self, key: &str) {
            self.0.borrow_mut().remove(key)
        }
    }

    #[test]
    fn two_tabs_never_overwrite_each_others_changes() {
        let store = Shared::default();
        let user = Uuid::from_u128(0xa);
        let mut first = Engine::open(store.clone(), user, Uuid::from_u128(1));
        let mut second = Engine::open(store.clone(), user, Uuid::from_u128(2));

        first
            .record(
                Uuid::from_u128(1),
                Uuid::from_u128(100),
                OfferOp::Create(offer("a")),
            )
            .unwrap();
        second
            .record(
                Uuid::from_u128(2),
                Uuid::from_u128(101),
                OfferOp::Create(offer("b")),
            )
            .unwrap();

        let reopened = Engine::open(store, user, Uuid::from_u128(3));
        let seqs: Vec<_> = reopened
            .outbox()
            .iter()
            .map(|c| (c.id.as_u128(), c.seq))
            .collect();
        assert_eq!(seqs, vec![(1, 1), (2, 2)], "both kept, numbered in order");
        assert_eq!(
            reopened.device(),
            Uuid::from_u128(1),
            "one device id for the browser"
        );
    }

    #[test]
    fn a_stale_pull_never_moves_the_cursor_back() {
        let mut e = engine(MemoryStore::default());
        e.on_pull(Ok(page(10, vec![], false)));
        let old = Record {
            id: Uuid::from_u128(7),
            version: 3,
            data: Some(Data::Offer(offer("old"))),
        };
        assert_eq!(e.on_pull(Ok(page(4, vec![old], false))), Step::Stop);
        assert_eq!(e.cursors()[&mine()], 10);
        assert!(e.offers().is_empty(), "nothing of a stale answer is taken");
    }

    #[test]
    fn a_reset_replaces_the_copy_and_keeps_the_outbox() {
        let mut e = engine(MemoryStore::default());
        let rec = |id, note| Record {
            id: Uuid::from_u128(id),
            version: 3,
            data: Some(Data::Offer(offer(note))),
        };
        e.on_pull(Ok(page(3, vec![rec(7, "old")], false)));
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("mine")),
        )
        .unwrap();

        e.on_pull(Ok(page(2, vec![rec(8, "new")], true)));

        let ids: Vec<_> = e.offers().iter().map(|o| o.id.as_u128()).collect();
        assert_eq!(ids, vec![8, 100]);
        assert_eq!(e.cursors()[&mine()], 2);
    }

    fn need(group: u128) -> NeedData {
        let mut need = crate::domain::need::tests::grant(80_000);
        need.group = Uuid::from_u128(group);
        need
    }

    #[test]
    fn a_dropped_scope_forgets_its_cursor_and_the_records_the_server_says_are_gone() {
        let mut e = engine(MemoryStore::default());
        let group = Scope::Group(Uuid::from_u128(0x900)).key();
        let held = Record {
            id: Uuid::from_u128(70),
            version: 4,
            data: Some(Data::Need(need(0x900))),
        };
        let mut first = page(5, vec![held], false);
        first.cursors.insert(group.clone(), 5);
        e.on_pull(Ok(first));
        assert_eq!(e.needs().len(), 1);

        // The person left the group: the same version, no longer visible.
        let mut left = page(
            6,
            vec![Record {
                id: Uuid::from_u128(70),
                version: 4,
                data: None,
            }],
            false,
        );
        left.dropped = vec![group.clone()];
        e.on_pull(Ok(left));

        assert!(e.needs().is_empty());
        assert!(!e.cursors().contains_key(&group));
        assert_eq!(e.cursors()[&mine()], 6);
    }

    #[test]
    fn a_full_phone_drops_needs_before_offers_and_never_the_outbox() {
        let mut e = engine(MemoryStore::default());
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("a")),
        )
        .unwrap();
        let offers: Vec<Record> = (0..3)
            .map(|i| Record {
                id: Uuid::from_u128(200 + i),
                version: 1,
                data: Some(Data::Offer(offer("mine"))),
            })
            .collect();
        let needs: Vec<Record> = (0..30)
            .map(|i| Record {
                id: Uuid::from_u128(300 + i),
                version: 1,
                data: Some(Data::Need(need(0x900))),
            })
            .collect();
        e.on_pull(Ok(page(1, offers, false)));
        let used: usize = e.store().items.iter().map(|(k, v)| k.len() + v.len()).sum();
        // Room for what is there, not for thirty needs more.
        e.store.quota = Some(used + 2000);

        e.on_pull(Ok(page(2, needs, false)));

        assert!(e.storage_full);
        let reopened = engine(e.store().clone());
        assert_eq!(reopened.outbox().len(), 1, "the outbox is kept");
        assert_eq!(reopened.offers().len(), 4, "the offers are kept");
        assert!(reopened.needs().is_empty(), "the needs went first");
        assert!(reopened.cursors().is_empty(), "the next pull starts over");
    }

    #[test]
    fn an_older_apps_outbox_is_carried_over_with_its_device_and_numbers() {
        let user = Uuid::from_u128(0xa);
        let old = format!("samverka/v1/{user}/");
        let mut store = MemoryStore::default();
        // Exactly what the app of protocol 1 stored.
        store.items.insert(
            format!("{old}meta"),
            r#"{"device":"00000000-0000-0000-0000-0000000000d1","next_seq":8,"rev":12}"#.into(),
        );
        store.items.insert(
            format!("{old}outbox"),
            r#"[{"id":"00000000-0000-0000-0000-000000000001","seq":6,"record":"00000000-0000-0000-0000-000000000064","kind":"offer","op":{"create":{"availability":{"type":"flexible"},"districts":["00000000-0000-0000-0000-000000000001"],"areas":[],"skills":[],"languages":[],"note":"från förr","paused":false}}},{"id":"00000000-0000-0000-0000-000000000002","seq":7,"record":"00000000-0000-0000-0000-000000000065","kind":"offer","op":"delete"}]"#.into(),
        );
        store.items.insert(format!("{old}log"), "[]".into());
        store.items.insert(
            format!("{old}snapshot"),
            r#"{"cursor":41,"offers":{},"context":null}"#.into(),
        );

        let e = Engine::open(store, user, Uuid::from_u128(0xfff));

        assert_eq!(e.device(), Uuid::from_u128(0xd1), "the same device");
        let sent = e.push_request().unwrap();
        let seqs: Vec<_> = sent.changes.iter().map(|c| c.seq).collect();
        assert_eq!(seqs, vec![6, 7], "the same numbers: nothing applied twice");
        assert_eq!(sent.protocol, PROTOCOL);
        assert_eq!(e.offers()[0].data.note, "från förr");
        assert!(
            e.cursors().is_empty(),
            "the copy comes again from the server"
        );
        assert!(
            e.store().items.keys().all(|k| !k.starts_with(&old)),
            "the old keys are gone"
        );
        // Opening again changes nothing.
        let again = Engine::open(e.store().clone(), user, Uuid::from_u128(0xeee));
        assert_eq!(again.outbox(), e.outbox());
        assert_eq!(again.device(), Uuid::from_u128(0xd1));
    }

    #[test]
    fn an_older_apps_outbox_written_after_the_new_app_ran_joins_the_end_of_the_outbox() {
        let user = Uuid::from_u128(0xa);
        let mut e = engine(MemoryStore::default());
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("ny")),
        )
        .unwrap();
        // A tab of the old app, still open, then stored two changes of its own.
        let old = format!("samverka/v1/{user}/");
        let mut store = e.store().clone();
        let waiting = vec![
            Change {
                id: Uuid::from_u128(1),
                seq: 4,
                record: Uuid::from_u128(100),
                made_on: None,
                op: Op::Offer(OfferOp::Create(offer("ny"))),
            },
            Change {
                id: Uuid::from_u128(2),
                seq: 5,
                record: Uuid::from_u128(101),
                made_on: None,
                op: Op::Offer(OfferOp::Create(offer("gammal"))),
            },
        ];
        store.items.insert(
            format!("{old}meta"),
            r#"{"device":"00000000-0000-0000-0000-0000000000d1","next_seq":6,"rev":1}"#.into(),
        );
        store.items.insert(
            format!("{old}outbox"),
            serde_json::to_string(&waiting).unwrap(),
        );

        let reopened = engine(store);

        let seqs: Vec<_> = reopened
            .outbox()
            .iter()
            .map(|c| (c.id.as_u128(), c.seq))
            .collect();
        assert_eq!(
            seqs,
            vec![(1, 1), (2, 2)],
            "the old change joins under this device's numbers, once"
        );
        assert_eq!(reopened.device(), Uuid::from_u128(0xde));
        assert!(reopened.store().items.keys().all(|k| !k.starts_with(&old)));
    }

    /// A store that counts what is written to each key.
    #[derive(Default)]
    struct Counting {
        inner: MemoryStore,
        writes: BTreeMap<String, usize>,
    }

    impl Store for Counting {
        fn get(&self, key: &str) -> Option<String> {
            self.inner.get(key)
        }
        fn set(&mut self, key: &str, value: &str) -> Result<(), StoreFull> {
            let name = key.rsplit_once("/records/").map_or(key, |(_, kind)| kind);
            *self.writes.entry(name.to_owned()).or_default() += 1;
            self.inner.set(key, value)
        }
        fn remove(&mut self, key: &str) {
            self.inner.remove(key)
        }
    }

    fn offer_record(id: u128, version: i64, note: &str) -> Record {
        Record {
            id: Uuid::from_u128(id),
            version,
            data: Some(Data::Offer(offer(note))),
        }
    }

    fn need_record(id: u128, version: i64) -> Record {
        Record {
            id: Uuid::from_u128(id),
            version,
            data: Some(Data::Need(need(0x900))),
        }
    }

    #[test]
    fn a_pull_writes_only_the_kinds_it_changed() {
        let user = Uuid::from_u128(0xa);
        let mut e = Engine::open(Counting::default(), user, Uuid::from_u128(0xde));
        e.on_pull(Ok(page(
            2,
            vec![offer_record(7, 1, "a"), need_record(8, 2)],
            true,
        )));
        assert_eq!(e.store().writes.get("offer"), Some(&1));
        assert_eq!(e.store().writes.get("need"), Some(&1));

        e.on_pull(Ok(page(3, vec![offer_record(7, 3, "b")], false)));
        assert_eq!(e.store().writes.get("offer"), Some(&2), "the offer changed");
        assert_eq!(e.store().writes.get("need"), Some(&1), "the need did not");

        // A removal is a change of the removed record's kind.
        let gone = Record {
            id: Uuid::from_u128(8),
            version: 4,
            data: None,
        };
        e.on_pull(Ok(page(4, vec![gone], false)));
        assert_eq!(e.store().writes.get("need"), Some(&2));

        let reopened = Engine::open(e.store, user, Uuid::from_u128(1));
        assert_eq!(reopened.offers()[0].data.note, "b");
        assert!(reopened.needs().is_empty());
        assert_eq!(reopened.cursors()[&mine()], 4);
    }

    #[test]
    fn a_change_recorded_while_a_pull_is_being_saved_is_kept_with_the_pull() {
        let mut e = engine(MemoryStore::default());
        e.take_pull(Ok(page(
            5,
            vec![offer_record(7, 1, "a"), need_record(8, 2)],
            true,
        )));
        assert!(e.save_step(), "one kind written, more to go");
        // The page runs between two steps, and the person records a change.
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("mine")),
        )
        .unwrap();
        while e.save_step() {}

        let reopened = engine(e.store.clone());
        assert_eq!(reopened.outbox().len(), 1, "the change is kept");
        assert_eq!(reopened.cursors()[&mine()], 5, "and the pull is saved");
        let offers: Vec<_> = reopened.offers().iter().map(|o| o.id.as_u128()).collect();
        assert_eq!(offers, vec![7, 100]);
        assert_eq!(reopened.needs().len(), 1);
    }

    #[test]
    fn a_pull_half_saved_when_another_tab_saves_is_dropped_and_comes_again() {
        let store = Shared::default();
        let user = Uuid::from_u128(0xa);
        let mut first = Engine::open(store.clone(), user, Uuid::from_u128(1));
        let mut second = Engine::open(store.clone(), user, Uuid::from_u128(2));
        first.on_pull(Ok(page(3, vec![offer_record(7, 1, "a")], true)));

        first.take_pull(Ok(page(
            6,
            vec![offer_record(7, 5, "b"), need_record(8, 6)],
            false,
        )));
        assert!(first.save_step());
        // The other tab records a change between two of the first tab's steps.
        second
            .record(
                Uuid::from_u128(2),
                Uuid::from_u128(101),
                OfferOp::Create(offer("other tab")),
            )
            .unwrap();
        while first.save_step() {}
        assert_eq!(
            first.outbox().len(),
            1,
            "the first tab read the store again"
        );
        assert_eq!(first.cursors()[&mine()], 3);
        // And a change it records now goes after the other tab's, not over it.
        first
            .record(
                Uuid::from_u128(3),
                Uuid::from_u128(102),
                OfferOp::Create(offer("first tab")),
            )
            .unwrap();

        let reopened = Engine::open(store, user, Uuid::from_u128(3));
        let ids: Vec<_> = reopened.outbox().iter().map(|c| c.id.as_u128()).collect();
        assert_eq!(ids, vec![2, 3], "both tabs' changes are kept");
        assert_eq!(
            reopened.cursors()[&mine()],
            3,
            "the half-saved pull did not move the cursor: it comes again"
        );
    }

    /// Plays [`sync`] against canned answers and counts its pauses.
    struct Canned {
        pulls: Vec<PullResponse>,
        pauses: usize,
    }

    impl Transport for Canned {
        async fn push(&mut self, _: &PushRequest) -> Result<PushResponse, TransportError> {
            Err(TransportError::Offline)
        }
        async fn pull(&mut self, _: &PullRequest) -> Result<PullResponse, TransportError> {
            Ok(self.pulls.remove(0))
        }
        async fn pause(&mut self) {
            self.pauses += 1;
        }
    }

    #[test]
    fn a_sync_lets_the_page_run_between_the_kinds_it_saves() {
        let e = RefCell::new(engine(MemoryStore::default()));
        let mut canned = Canned {
            pulls: vec![page(
                2,
                vec![offer_record(7, 1, "a"), need_record(8, 2)],
                true,
            )],
            pauses: 0,
        };
        let step = block_on(sync(&e, &mut canned));
        assert_eq!(step, Step::Done);
        assert_eq!(canned.pauses, Kind::ALL.len(), "one pause after each kind");
        let reopened = engine(e.into_inner().store);
        assert_eq!(reopened.offers().len(), 1);
        assert_eq!(reopened.needs().len(), 1);
    }

    /// Runs a future that never waits on anything outside it (the canned transport).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}

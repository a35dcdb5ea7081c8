//! The device's side of sync: its copy of the server's records (the snapshot), the outbox of
//! changes not yet confirmed, and the log of what became of the ones sent.
//!
//! Platform-neutral: it runs over any [`Store`] and [`Transport`], so the browser and the test
//! simulator run exactly this code. The engine never holds a borrow across a request: the
//! driver [`sync`] asks it for a request, sends it, and hands it the answer, so the person can
//! keep making changes while a sync is out.
use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::offer::{Known, OfferData};

use super::apply::{apply, Current, Effect};
use super::protocol::*;
use super::store::{Store, StoreFull};

/// The layout of what is stored. A new layout gets a new number, and the old keys are read
/// once to carry the outbox over (see `docs/SYNC.md`).
pub const SCHEMA: u32 = 1;
/// Changes per push: well under the server's limits, small enough to finish on a weak signal.
pub const BATCH: usize = 200;
/// How many settled changes the device remembers to show.
pub const LOG_LEN: usize = 50;
/// Requests in one sync before the driver gives up for now (a guard, never reached normally).
const MAX_ROUNDS: usize = 200;

/// The key prefix of one person's data on this device.
pub fn prefix(user: Uuid) -> String {
    format!("samverka/v{SCHEMA}/{user}/")
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

/// The server's records as of `cursor`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub cursor: Option<i64>,
    pub offers: BTreeMap<Uuid, StoredOffer>,
    pub context: Option<Context>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOffer {
    pub version: i64,
    pub data: OfferData,
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

/// One offer as the person sees it: the server's copy with their waiting changes applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferView {
    pub id: Uuid,
    pub data: OfferData,
    /// A change to it is still waiting to be sent.
    pub waiting: bool,
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
    /// The phone refused to store more: changes are kept in memory and the outbox is saved
    /// first; the person is told.
    pub storage_full: bool,
    /// The server speaks a newer protocol: the person should reload.
    pub update_required: bool,
    /// The server no longer knows this session.
    pub signed_out: bool,
}

fn load<T: DeserializeOwned>(store: &impl Store, key: &str) -> Option<T> {
    store
        .get(key)
        .and_then(|raw| serde_json::from_str(&raw).ok())
}

impl<S: Store> Engine<S> {
    /// Opens this person's data on this device; a first use gets `new_device` as its id.
    pub fn open(store: S, user: Uuid, new_device: Uuid) -> Engine<S> {
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
            storage_full: false,
            update_required: false,
            signed_out: false,
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
    }

    pub fn user(&self) -> Uuid {
        self.user
    }

    pub fn device(&self) -> Uuid {
        self.meta.device
    }

    pub fn cursor(&self) -> Option<i64> {
        self.snapshot.cursor
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
        self.snapshot
            .context
            .as_ref()
            .map(|c| Known::from_reference(&c.reference))
            .unwrap_or_default()
    }

    /// Records a change: in the outbox (saved before anything else) and in the view at once.
    /// When the phone cannot store it, nothing is recorded and the caller keeps the form.
    pub fn record(&mut self, change_id: Uuid, record: Uuid, op: OfferOp) -> Result<(), StoreFull> {
        self.reload();
        self.outbox.push(Change {
            id: change_id,
            seq: self.meta.next_seq,
            record,
            op: Op::Offer(op),
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

    /// The person's offers: the server's copy with the waiting changes applied in order.
    pub fn offers(&self) -> Vec<OfferView> {
        let mut view: BTreeMap<Uuid, (Option<OfferData>, bool)> = self
            .snapshot
            .offers
            .iter()
            .map(|(id, o)| (*id, (Some(o.data.clone()), false)))
            .collect();
        let known = self.known();
        for change in &self.outbox {
            let Op::Offer(op) = &change.op;
            let entry = view.get(&change.record);
            let current = match entry {
                None => Current::Missing,
                Some((None, _)) => Current::Removed,
                Some((Some(o), _)) => Current::Live(o),
            };
            match apply(current, op, &known) {
                Ok(Effect::Put(o)) => {
                    view.insert(change.record, (Some(o), true));
                }
                Ok(Effect::Remove) => {
                    view.insert(change.record, (None, true));
                }
                Ok(Effect::Nothing) | Err(_) => {}
            }
        }
        view.into_iter()
            .filter_map(|(id, (data, waiting))| data.map(|data| OfferView { id, data, waiting }))
            .collect()
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
            cursor: self.snapshot.cursor,
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
                let known = self.known();
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
                                if self.snapshot.cursor.is_none_or(|c| c < v) {
                                    self.apply_to_snapshot(&change, v, &known);
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

    fn apply_to_snapshot(&mut self, change: &Change, version: i64, known: &Known) {
        let Op::Offer(op) = &change.op;
        let current = match self.snapshot.offers.get(&change.record) {
            Some(o) => Current::Live(&o.data),
            None => Current::Missing,
        };
        match apply(current, op, known) {
            Ok(Effect::Put(data)) => {
                self.snapshot
                    .offers
                    .insert(change.record, StoredOffer { version, data });
            }
            Ok(Effect::Remove) => {
                self.snapshot.offers.remove(&change.record);
            }
            _ => {}
        }
    }

    /// Takes a page of a pull.
    pub fn on_pull(&mut self, answer: Result<PullResponse, TransportError>) -> Step {
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
            // The server forgot removals older than our cursor: its records are everything.
            // The outbox stays; it is applied on top as always.
            self.snapshot.offers.clear();
        } else if self.snapshot.cursor.is_some_and(|c| response.cursor < c) {
            return Step::Stop; // a stale answer; the cursor never moves back
        }
        for record in response.records {
            let newer = self
                .snapshot
                .offers
                .get(&record.id)
                .is_none_or(|o| o.version <= record.version);
            if !newer {
                continue;
            }
            match record.data {
                Some(data) => {
                    let stored = StoredOffer {
                        version: record.version,
                        data,
                    };
                    self.snapshot.offers.insert(record.id, stored);
                }
                None => {
                    self.snapshot.offers.remove(&record.id);
                }
            }
        }
        self.snapshot.cursor = Some(response.cursor);
        if let Some(context) = response.context {
            self.snapshot.context = Some(context);
        }
        self.save_all();
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
        let json = serde_json::to_string(value).map_err(|_| StoreFull)?;
        let key = self.key(name);
        self.store.set(&key, &json)
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
        let json = serde_json::to_string(&self.outbox).map_err(|_| StoreFull)?;
        let key = self.key("outbox");
        self.store.set(&key, &json)?;
        self.commit()
    }

    /// Saves everything, the log and outbox first. When the phone is full, the snapshot (which
    /// the server can always send again) is dropped to leave room for the outbox and the log.
    pub fn save_all(&mut self) {
        if self.signed_out {
            // The session ended on its own: only the unsent changes stay on the device.
            let outbox = serde_json::to_string(&self.outbox).unwrap_or_else(|_| "[]".into());
            let outbox_key = self.key("outbox");
            self.storage_full = self.store.set(&outbox_key, &outbox).is_err();
            for name in ["snapshot", "log"] {
                let key = self.key(name);
                self.store.remove(&key);
            }
            if self.commit().is_err() {
                self.storage_full = true;
            }
            return;
        }
        let log = serde_json::to_string(&self.log).unwrap_or_else(|_| "[]".into());
        let outbox = serde_json::to_string(&self.outbox).unwrap_or_else(|_| "[]".into());
        let (log_key, outbox_key, snapshot_key) =
            (self.key("log"), self.key("outbox"), self.key("snapshot"));
        let kept = self
            .store
            .set(&log_key, &log)
            .and_then(|()| self.store.set(&outbox_key, &outbox));
        let saved = kept.and_then(|()| {
            let snapshot = serde_json::to_string(&self.snapshot).map_err(|_| StoreFull)?;
            self.store.set(&snapshot_key, &snapshot)
        });
        if saved.is_err() {
            self.store.remove(&snapshot_key);
            self.storage_full = true;
            // With the snapshot gone, try the outbox and the log again in the room it left.
            let _ = self
                .store
                .set(&outbox_key, &outbox)
                .and_then(|()| self.store.set(&log_key, &log));
        } else {
            self.storage_full = false;
        }
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
        self.log.clear();
        for name in ["snapshot", "log"] {
            let key = self.key(name);
            self.store.remove(&key);
        }
    }

    /// Removes everything of this person from the device (signing out on a shared phone).
    pub fn clear(&mut self) {
        for name in ["meta", "outbox", "log", "snapshot"] {
            let key = self.key(name);
            self.store.remove(&key);
        }
        self.outbox.clear();
        self.log.clear();
        self.snapshot = Snapshot::default();
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
        match engine.borrow_mut().on_pull(answer) {
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
                kind: "offer".into(),
                id: Uuid::from_u128(500 + i),
                version: 1,
                data: Some(offer("x")),
            })
            .collect();
        e.on_pull(Ok(PullResponse {
            cursor: 1,
            more: false,
            reset: false,
            records: big,
            context: None,
        }));

        assert!(e.storage_full);
        let reopened = engine(e.store().clone());
        assert_eq!(reopened.outbox().len(), 1, "the outbox is kept");
        assert_eq!(
            reopened.cursor(),
            None,
            "without a snapshot the next pull starts over"
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
        let page = |cursor| PullResponse {
            cursor,
            more: false,
            reset: false,
            records: vec![],
            context: None,
        };
        e.on_pull(Ok(page(10)));
        assert_eq!(e.on_pull(Ok(page(4))), Step::Stop);
        assert_eq!(e.cursor(), Some(10));
    }

    #[test]
    fn a_reset_replaces_the_copy_and_keeps_the_outbox() {
        let mut e = engine(MemoryStore::default());
        let rec = |id, data| Record {
            kind: "offer".into(),
            id: Uuid::from_u128(id),
            version: 3,
            data,
        };
        e.on_pull(Ok(PullResponse {
            cursor: 3,
            more: false,
            reset: false,
            records: vec![rec(7, Some(offer("old")))],
            context: None,
        }));
        e.record(
            Uuid::from_u128(1),
            Uuid::from_u128(100),
            OfferOp::Create(offer("mine")),
        )
        .unwrap();

        e.on_pull(Ok(PullResponse {
            cursor: 2,
            more: false,
            reset: true,
            records: vec![rec(8, Some(offer("new")))],
            context: None,
        }));

        let ids: Vec<_> = e.offers().iter().map(|o| o.id.as_u128()).collect();
        assert_eq!(ids, vec![8, 100]);
        assert_eq!(e.cursor(), Some(2));
    }
}

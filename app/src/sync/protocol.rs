//! What travels between the phone and the server. See `docs/SYNC.md` for the whole protocol.
//!
//! The paths carry the protocol's major version and never change within it; the body carries
//! [`PROTOCOL`] too, so a client cached from an older build is told to update (426) instead
//! of having its changes misread.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::account::{MyGroup, Profile};
use crate::domain::activity::{OccasionData, SignUpData, SignUpPatch};
use crate::domain::case::{CaseData, CaseStep};
use crate::domain::need::{NeedData, NeedPatch};
use crate::domain::offer::{Date, OfferData, OfferPatch};
use crate::domain::{Me, ReferenceData};

pub use super::kinds::{Kind, Scope};

/// The version of this protocol. Bump it (and the paths' `v2`) on any change of meaning.
/// Version 2: many record kinds, pulled by scope (see `docs/SYNC.md`).
pub const PROTOCOL: u32 = 2;
pub const PUSH_PATH: &str = "/api/sync/v2/push";
pub const PULL_PATH: &str = "/api/sync/v2/pull";
/// Where an app of protocol 1 (cached by a phone's service worker) still sends: it is told
/// to update, and the updated app sends its outbox again on the new paths.
pub const V1_PUSH_PATH: &str = "/api/sync/v1/push";
pub const V1_PULL_PATH: &str = "/api/sync/v1/pull";

/// At most this many changes in one push; the client sends its outbox in batches.
pub const MAX_CHANGES_PER_PUSH: usize = 500;
/// The largest push body the server reads (500 offers with long notes fit).
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;
/// Records in a pull page when the device does not say.
pub const DEFAULT_PULL_LIMIT: u32 = 2000;
/// At most this many records in one pull page; `more` says there are others.
pub const MAX_PULL_LIMIT: u32 = 5000;

/// One change a person made, as recorded on their device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Made by the device; the server applies each id once, however often it arrives.
    pub id: Uuid,
    /// 1, 2, 3 … per device, without gaps: the order the person made them in.
    pub seq: u64,
    /// The record changed (its id, also made by the device for a new record).
    pub record: Uuid,
    /// The person's local date when they made it: a change made offline is judged as of
    /// that day (a date "in the past" is one before it). Absent in changes from protocol 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_on: Option<Date>,
    #[serde(flatten)]
    pub op: Op,
}

/// A change to one kind of record: `"kind": "offer", "op": {...}` on the wire (the same as
/// protocol 1's, so an old outbox reads as it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "op", rename_all = "snake_case")]
pub enum Op {
    Offer(OfferOp),
    Need(NeedOp),
    Occasion(OccasionOp),
    SignUp(SignUpOp),
    Case(CaseOp),
}

impl Op {
    pub fn kind(&self) -> Kind {
        match self {
            Op::Offer(_) => Kind::Offer,
            Op::Need(_) => Kind::Need,
            Op::Occasion(_) => Kind::Occasion,
            Op::SignUp(_) => Kind::SignUp,
            Op::Case(_) => Kind::Case,
        }
    }
}

/// Create, edit (only the fields changed) or remove a record of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindOp<D, P> {
    Create(D),
    Update(P),
    Delete,
}

pub type OfferOp = KindOp<OfferData, OfferPatch>;
pub type NeedOp = KindOp<NeedData, NeedPatch>;
pub type OccasionOp = KindOp<OccasionData, OccasionData>;
pub type SignUpOp = KindOp<SignUpData, SignUpPatch>;
/// A case is edited one step at a time (see `domain::case`).
pub type CaseOp = KindOp<CaseData, CaseStep>;

impl From<CaseOp> for Op {
    fn from(op: CaseOp) -> Op {
        Op::Case(op)
    }
}

impl From<OccasionOp> for Op {
    fn from(op: OccasionOp) -> Op {
        Op::Occasion(op)
    }
}

impl From<SignUpOp> for Op {
    fn from(op: SignUpOp) -> Op {
        Op::SignUp(op)
    }
}

impl From<OfferOp> for Op {
    fn from(op: OfferOp) -> Op {
        Op::Offer(op)
    }
}

impl From<NeedOp> for Op {
    fn from(op: NeedOp) -> Op {
        Op::Need(op)
    }
}

/// A record's content, tagged by its kind: `{"kind": "need", "body": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Data {
    Offer(OfferData),
    Need(NeedData),
    Occasion(OccasionData),
    SignUp(SignUpData),
    Case(CaseData),
}

impl Data {
    pub fn kind(&self) -> Kind {
        match self {
            Data::Offer(_) => Kind::Offer,
            Data::Need(_) => Kind::Need,
            Data::Occasion(_) => Kind::Occasion,
            Data::SignUp(_) => Kind::SignUp,
            Data::Case(_) => Kind::Case,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    /// A random id the device made when this person first used it.
    pub device: Uuid,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One per change sent, in the same order.
    pub results: Vec<ChangeResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeResult {
    pub id: Uuid,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The change is part of the server's state as of change number `version` (none when it
    /// needed nothing: removing something already removed).
    Applied {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<i64>,
    },
    /// The server did not apply it, and why; the device shows this and keeps what was typed.
    Refused { reason: Refusal },
}

/// Why the shared `apply` refused a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// The record was removed (on another device, or by staff) before this edit arrived.
    Removed,
    /// No such record (an edit of something never created).
    NotFound,
    /// A record with this id exists already.
    AlreadyExists,
    /// The person may not make this change (not a contact of the group, a state only staff
    /// may set, a need that is no longer editable).
    Forbidden,
    /// The result would break the offer's rules: field → message keys.
    Invalid {
        fields: BTreeMap<String, Vec<String>>,
    },
}

/// A pull: where the device stands in each scope it holds. Sent as JSON in a `POST` (a person
/// in many groups has many cursors).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    /// Scope key (`Scope::key`) → the cursor of the last pull that finished it. Empty: the
    /// device has nothing (everything comes, as a reset).
    #[serde(default)]
    pub cursors: BTreeMap<String, i64>,
    pub limit: Option<u32>,
    /// Also send the person's profile and the reference lists (first page of a sync).
    #[serde(default)]
    pub context: bool,
}

/// A page of a pull. `R` is how a record is read: [`Record`], or the browser's raw JSON text
/// of one, so that a big first page is parsed a slice at a time (`sync::browser`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse<R = Record> {
    /// The scopes finished by this page, each with its new cursor. Never lower than the
    /// request's, unless `reset`.
    pub cursors: BTreeMap<String, i64>,
    /// Scopes the person no longer has: the device forgets their cursors. Each of their
    /// records the person may no longer see came in `records` as a removal.
    #[serde(default)]
    pub dropped: Vec<String>,
    /// Another page is waiting (scopes not finished yet).
    pub more: bool,
    /// These records (with the next pages) are everything: the request had no cursors, or one
    /// older than the server's memory of removals (or from another database). The device
    /// replaces its copy (and keeps its outbox).
    pub reset: bool,
    pub records: Vec<R>,
    pub context: Option<Context>,
}

impl<R> PullResponse<R> {
    /// The same page with its records read (or replaced) by `records`.
    pub fn with_records<T>(self, records: Vec<T>) -> PullResponse<T> {
        PullResponse {
            cursors: self.cursors,
            dropped: self.dropped,
            more: self.more,
            reset: self.reset,
            records,
            context: self.context,
        }
    }
}

/// A record as the person may see it after the change numbered `version`; `data: None`: it is
/// removed, or the person may no longer see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    pub version: i64,
    pub data: Option<Data>,
}

/// What the phone needs besides the records to work offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub me: Me,
    pub profile: Profile,
    /// The groups the person is in (contact or member).
    #[serde(default)]
    pub groups: Vec<MyGroup>,
    pub reference: ReferenceData,
}

/// Why a whole push or pull was refused (a 4xx): nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncError {
    pub reason: SyncErrorReason,
    /// The change that caused it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Uuid>,
    /// For a sequence gap: the number the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncErrorReason {
    /// Not JSON, or not the shape of this protocol.
    Malformed,
    /// More than [`MAX_CHANGES_PER_PUSH`] changes or [`MAX_PUSH_BYTES`] bytes.
    TooLarge,
    /// A record kind this server does not know.
    UnknownKind,
    /// A change to a record that belongs to someone else.
    ForeignRecord,
    /// The device id is registered to someone else.
    ForeignDevice,
    /// A sequence number was skipped: `expected_seq` says which comes next.
    SequenceGap,
    /// A sequence number already used by a different change.
    SequenceReused,
    /// The client speaks another protocol version: reload the app.
    UpdateRequired,
    /// Not signed in (or the session ended).
    Unauthorized,
    /// Our failure; details are in the server log.
    Internal,
}

impl SyncErrorReason {
    pub fn status(self) -> u16 {
        match self {
            SyncErrorReason::Malformed => 400,
            SyncErrorReason::Unauthorized => 401,
            SyncErrorReason::ForeignRecord | SyncErrorReason::ForeignDevice => 403,
            SyncErrorReason::SequenceGap | SyncErrorReason::SequenceReused => 409,
            SyncErrorReason::TooLarge => 413,
            SyncErrorReason::UnknownKind => 422,
            SyncErrorReason::UpdateRequired => 426,
            SyncErrorReason::Internal => 500,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SyncErrorReason::Malformed => "malformed",
            SyncErrorReason::TooLarge => "too_large",
            SyncErrorReason::UnknownKind => "unknown_kind",
            SyncErrorReason::ForeignRecord => "foreign_record",
            SyncErrorReason::ForeignDevice => "foreign_device",
            SyncErrorReason::SequenceGap => "sequence_gap",
            SyncErrorReason::SequenceReused => "sequence_reused",
            SyncErrorReason::UpdateRequired => "update_required",
            SyncErrorReason::Unauthorized => "unauthorized",
            SyncErrorReason::Internal => "internal",
        }
    }

    /// Refusals that belong to one change: the device sets that change aside (keeping it, with
    /// the reason) and sends the rest.
    pub fn is_about_one_change(self) -> bool {
        matches!(
            self,
            SyncErrorReason::Malformed
                | SyncErrorReason::UnknownKind
                | SyncErrorReason::ForeignRecord
        )
    }
}

impl SyncError {
    pub fn new(reason: SyncErrorReason) -> SyncError {
        SyncError {
            reason,
            change: None,
            expected_seq: None,
        }
    }

    pub fn about(reason: SyncErrorReason, change: Uuid) -> SyncError {
        SyncError {
            change: Some(change),
            ..SyncError::new(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_protocol_1_change_reads_as_a_protocol_2_change() {
        // As the app before many kinds stored it in its outbox.
        let v1 = r#"{"id":"00000000-0000-0000-0000-000000000001","seq":3,"record":"00000000-0000-0000-0000-000000000002","kind":"offer","op":"delete"}"#;
        let change: Change = serde_json::from_str(v1).unwrap();
        assert_eq!(change.op, Op::Offer(OfferOp::Delete));
        assert_eq!(change.made_on, None);
        assert_eq!(change.seq, 3);
    }

    #[test]
    fn a_change_is_tagged_by_its_kind_on_the_wire() {
        let change = Change {
            id: Uuid::from_u128(1),
            seq: 3,
            record: Uuid::from_u128(2),
            made_on: None,
            op: Op::Offer(OfferOp::Delete),
        };
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["kind"], "offer");
        assert_eq!(json["op"], "delete");
        assert_eq!(serde_json::from_value::<Change>(json).unwrap(), change);
    }
}

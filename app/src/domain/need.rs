//! A group's need: what a group asks for, of the municipality (a micro-grant, premises,
//! storage, admin help) or of anyone (recognition, other help).
//!
//! Needs are born on a contact's phone, often offline, so their rules run in three places like
//! an offer's: the form, the browser's optimistic view and the server's authoritative
//! `sync::apply` ([`NeedData::check`]). Who may post, edit and move a need between states is
//! here too ([`may_create`], [`may_change`], [`may_move`]), once, for both sides.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::account::MemberRole;
use super::activity::{Dates, Schedule, ShiftSpec};
use super::forms::{optional_text, required_text, FieldErrors};
use super::offer::{check_ids, optional_date, parse_field, Date, Known, TimeOfDay};
use super::text::Lines;

/// The largest micro-grant one request may ask for when the municipality has not set its own
/// (`SAMVERKA_MAX_GRANT_SEK`): 5,000 SEK, in öre.
pub const DEFAULT_MAX_GRANT_ORE: i64 = 500_000;
/// A need's title, in characters.
pub const TITLE_MAX: usize = 120;
/// Most people a premises request may be for (a typing mistake beyond this).
pub const MAX_PEOPLE: u32 = 10_000;

/// What kind of help a need asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedKind {
    MicroGrant,
    Premises,
    Storage,
    AdminHelp,
    Recognition,
    Other,
    /// Volunteers for an activity: occasions with shifts to sign up to.
    Activity,
}

impl NeedKind {
    pub const ALL: [NeedKind; 7] = [
        NeedKind::Activity,
        NeedKind::MicroGrant,
        NeedKind::Premises,
        NeedKind::Storage,
        NeedKind::AdminHelp,
        NeedKind::Recognition,
        NeedKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedKind::MicroGrant => "micro_grant",
            NeedKind::Premises => "premises",
            NeedKind::Storage => "storage",
            NeedKind::AdminHelp => "admin_help",
            NeedKind::Recognition => "recognition",
            NeedKind::Other => "other",
            NeedKind::Activity => "activity",
        }
    }

    pub fn parse(raw: &str) -> Option<NeedKind> {
        NeedKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Micro-support: the municipality is asked, and handles it as a case.
    pub fn asks_municipality(self) -> bool {
        match self {
            NeedKind::MicroGrant | NeedKind::Premises | NeedKind::Storage | NeedKind::AdminHelp => {
                true
            }
            NeedKind::Recognition | NeedKind::Other | NeedKind::Activity => false,
        }
    }
}

/// Where a need is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    /// Being written; only the group sees it.
    Draft,
    /// Asked: the group, staff and (in its district) everyone see it.
    Open,
    InProgress,
    Fulfilled,
    Closed,
    /// The group took it back.
    Withdrawn,
}

impl NeedStatus {
    pub const ALL: [NeedStatus; 6] = [
        NeedStatus::Draft,
        NeedStatus::Open,
        NeedStatus::InProgress,
        NeedStatus::Fulfilled,
        NeedStatus::Closed,
        NeedStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedStatus::Draft => "draft",
            NeedStatus::Open => "open",
            NeedStatus::InProgress => "in_progress",
            NeedStatus::Fulfilled => "fulfilled",
            NeedStatus::Closed => "closed",
            NeedStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<NeedStatus> {
        NeedStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Shown on the public list of open needs (and on the phones of its district).
    pub fn is_public(self) -> bool {
        match self {
            NeedStatus::Open => true,
            NeedStatus::Draft
            | NeedStatus::InProgress
            | NeedStatus::Fulfilled
            | NeedStatus::Closed
            | NeedStatus::Withdrawn => false,
        }
    }

    /// Its content can still be edited by the group.
    pub fn is_editable(self) -> bool {
        match self {
            NeedStatus::Draft | NeedStatus::Open => true,
            NeedStatus::InProgress
            | NeedStatus::Fulfilled
            | NeedStatus::Closed
            | NeedStatus::Withdrawn => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    High,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Low, Urgency::Normal, Urgency::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }

    pub fn parse(raw: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == raw)
    }

    /// For sorting, most urgent highest.
    pub fn rank(self) -> i64 {
        match self {
            Urgency::Low => 0,
            Urgency::Normal => 1,
            Urgency::High => 2,
        }
    }
}

/// What kind of admin help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminHelp {
    Accounts,
    Application,
    Website,
    Other,
}

impl AdminHelp {
    pub const ALL: [AdminHelp; 4] = [
        AdminHelp::Accounts,
        AdminHelp::Application,
        AdminHelp::Website,
        AdminHelp::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminHelp::Accounts => "accounts",
            AdminHelp::Application => "application",
            AdminHelp::Website => "website",
            AdminHelp::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<AdminHelp> {
        Self::ALL.into_iter().find(|h| h.as_str() == raw)
    }
}

/// When premises are needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PremisesWhen {
    OneOff {
        date: Date,
        from: TimeOfDay,
        to: TimeOfDay,
    },
    /// Every week on a weekday (1 = Monday … 7 = Sunday).
    Weekly {
        weekday: u8,
        from: TimeOfDay,
        to: TimeOfDay,
    },
}

/// What the need asks for, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NeedDetails {
    MicroGrant {
        /// In öre: 800 SEK is 80 000.
        amount_ore: i64,
        purpose: String,
        /// What the money makes possible.
        enables: String,
        /// Who receives the money: a contact of the group (an informal group has no account
        /// of its own). Never shown outside the group and staff (`None` in the public view).
        payee: Option<Uuid>,
    },
    Premises {
        when: PremisesWhen,
        people: u32,
        accessibility: String,
    },
    Storage {
        what: String,
        /// Roughly how much ("a van load", "ten boxes").
        volume: String,
        until: Option<Date>,
    },
    AdminHelp {
        help: AdminHelp,
        description: String,
    },
    Recognition {
        whom: String,
        reason: String,
    },
    Other {
        text: String,
    },
    Activity {
        /// What volunteers do.
        tasks: String,
        /// Where to meet.
        place: String,
        schedule: Schedule,
    },
}

impl NeedDetails {
    pub fn kind(&self) -> NeedKind {
        match self {
            NeedDetails::MicroGrant { .. } => NeedKind::MicroGrant,
            NeedDetails::Premises { .. } => NeedKind::Premises,
            NeedDetails::Storage { .. } => NeedKind::Storage,
            NeedDetails::AdminHelp { .. } => NeedKind::AdminHelp,
            NeedDetails::Recognition { .. } => NeedKind::Recognition,
            NeedDetails::Other { .. } => NeedKind::Other,
            NeedDetails::Activity { .. } => NeedKind::Activity,
        }
    }
}

/// A need as stored and synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedData {
    /// The group asking. Never changes.
    pub group: Uuid,
    pub title: String,
    pub details: NeedDetails,
    pub areas: Vec<Uuid>,
    pub district: Uuid,
    pub urgency: Urgency,
    pub needed_by: Option<Date>,
    pub status: NeedStatus,
}

/// An edit: only the fields the person changed (`None`: unchanged). The group is not among
/// them: a need stays with the group that asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<NeedDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas: Option<Vec<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<Option<Date>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<NeedStatus>,
}

impl NeedPatch {
    pub fn apply_to(&self, need: &NeedData) -> NeedData {
        let need = need.clone();
        NeedData {
            group: need.group,
            title: self.title.clone().unwrap_or(need.title),
            details: self.details.clone().unwrap_or(need.details),
            areas: self.areas.clone().unwrap_or(need.areas),
            district: self.district.unwrap_or(need.district),
            urgency: self.urgency.unwrap_or(need.urgency),
            needed_by: self.needed_by.unwrap_or(need.needed_by),
            status: self.status.unwrap_or(need.status),
        }
    }

    /// The edit that turns `old` into `new` (the group is kept).
    pub fn between(old: &NeedData, new: &NeedData) -> NeedPatch {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        NeedPatch {
            title: changed(&old.title, &new.title),
            details: changed(&old.details, &new.details),
            areas: changed(&old.areas, &new.areas),
            district: changed(&old.district, &new.district),
            urgency: changed(&old.urgency, &new.urgency),
            needed_by: changed(&old.needed_by, &new.needed_by),
            status: changed(&old.status, &new.status),
        }
    }

    /// Only the status moves (the one edit allowed once a need is no longer editable).
    pub fn only_status(&self) -> bool {
        *self
            == NeedPatch {
                status: self.status,
                ..NeedPatch::default()
            }
    }

    /// The edit sets a date that must not be in the past.
    pub fn sets_dates(&self) -> bool {
        self.needed_by.is_some() || self.details.is_some()
    }
}

impl NeedData {
    /// A need asks the municipality (and shows "received" until handled).
    pub fn asks_municipality(&self) -> bool {
        self.details.kind().asks_municipality()
    }

    /// What someone outside the group sees: no payee.
    pub fn public_view(&self) -> NeedData {
        let mut need = self.clone();
        if let NeedDetails::MicroGrant { payee, .. } = &mut need.details {
            *payee = None;
        }
        need
    }

    /// The rules a stored need always keeps. Field names match the form's.
    pub fn check(&self, known: &Known) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = required_text(&mut errors, "title", &self.title, TITLE_MAX, Lines::One);
        if title != self.title {
            errors.add("title", "untrimmed");
        }
        check_ids(
            &mut errors,
            "areas",
            &self.areas,
            known.areas.as_ref(),
            false,
        );
        if let Some(districts) = &known.districts {
            if !districts.contains(&self.district) {
                errors.add("district", "unknown_choice");
            }
        }
        match &self.details {
            NeedDetails::MicroGrant {
                amount_ore,
                purpose,
                enables,
                payee,
            } => {
                if *amount_ore <= 0 {
                    errors.add("amount", "amount_positive");
                } else if *amount_ore > known.max_grant_ore() {
                    errors.add("amount", "amount_over_max");
                }
                text(&mut errors, "purpose", purpose, 500, true);
                text(&mut errors, "enables", enables, 500, false);
                match (payee, known.contacts_of(self.group)) {
                    (None, _) => errors.add("payee", "required"),
                    (Some(payee), Some(contacts)) if !contacts.contains(payee) => {
                        errors.add("payee", "payee_not_contact")
                    }
                    (Some(_), _) => {}
                }
            }
            NeedDetails::Premises {
                when,
                people,
                accessibility,
            } => {
                let (from, to) = match when {
                    PremisesWhen::OneOff { from, to, .. } => (from, to),
                    PremisesWhen::Weekly { weekday, from, to } => {
                        if !(1..=7).contains(weekday) {
                            errors.add("weekday", "choose_one");
                        }
                        (from, to)
                    }
                };
                if from == to {
                    errors.add("to", "same_time");
                }
                if *people == 0 || *people > MAX_PEOPLE {
                    errors.add("people", "people_range");
                }
                text(&mut errors, "accessibility", accessibility, 500, false);
            }
            NeedDetails::Storage { what, volume, .. } => {
                text(&mut errors, "what", what, 500, true);
                text(&mut errors, "volume", volume, TITLE_MAX, false);
            }
            NeedDetails::AdminHelp { description, .. } => {
                text(&mut errors, "description", description, 500, false);
            }
            NeedDetails::Recognition { whom, reason } => {
                text(&mut errors, "whom", whom, TITLE_MAX, true);
                text(&mut errors, "reason", reason, 500, true);
            }
            NeedDetails::Other { text: body } => {
                text(&mut errors, "text", body, 2000, true);
            }
            NeedDetails::Activity {
                tasks,
                place,
                schedule,
            } => {
                text(&mut errors, "tasks", tasks, 2000, true);
                text(&mut errors, "place", place, TITLE_MAX, true);
                schedule.check(&mut errors);
            }
        }
        errors.finish(|| ())
    }

    /// The dates a need sets must not be before `today` — the day the change was made, so an
    /// offline change made yesterday is judged as of yesterday.
    pub fn check_dates(&self, today: Date) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let past = |d: &Option<Date>| d.is_some_and(|d| d < today);
        if past(&self.needed_by) {
            errors.add("needed_by", "date_past");
        }
        match &self.details {
            NeedDetails::Premises {
                when: PremisesWhen::OneOff { date, .. },
                ..
            } if *date < today => errors.add("date", "date_past"),
            NeedDetails::Storage { until, .. } if past(until) => errors.add("until", "date_past"),
            NeedDetails::Activity { schedule, .. } => schedule.check_dates(today, &mut errors),
            _ => {}
        }
        errors.finish(|| ())
    }
}

fn text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize, required: bool) {
    if raw.trim() != raw {
        errors.add(field, "untrimmed");
    } else if required {
        required_text(errors, field, raw, max, Lines::Many);
    } else {
        optional_text(errors, field, raw, max, Lines::Many);
    }
}

/// Who is changing or reading a need, as far as its group is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedActor {
    /// A contact of the group: speaks for it.
    Contact,
    /// A member who is not a contact: sees, does not post.
    Member,
    /// Municipal staff (moves a request through its handling).
    Staff,
    /// The server itself (a scheduled job, the demo seed).
    System,
    Outsider,
}

impl NeedActor {
    /// A person (`Some(staff)`) or the server itself (`None`), with their role in the group.
    /// A contact speaks for the group even when they also work for the municipality.
    pub fn of(person: Option<bool>, membership: Option<MemberRole>) -> NeedActor {
        match (person, membership) {
            (None, _) => NeedActor::System,
            (_, Some(MemberRole::Contact)) => NeedActor::Contact,
            (Some(true), _) => NeedActor::Staff,
            (_, Some(MemberRole::Member)) => NeedActor::Member,
            (Some(false), None) => NeedActor::Outsider,
        }
    }
}

/// Who reads needs, and so which of them they see and how much of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not: open needs, without personal data.
    Public,
    /// Municipal staff: every need a group has asked (not drafts), in full.
    Staff,
    /// The group's own members: all its needs, drafts too, in full.
    Group,
}

impl Audience {
    pub fn of(actor: NeedActor) -> Audience {
        match actor {
            NeedActor::Contact | NeedActor::Member => Audience::Group,
            NeedActor::Staff | NeedActor::System => Audience::Staff,
            NeedActor::Outsider => Audience::Public,
        }
    }

    pub fn shows(self, status: NeedStatus) -> bool {
        match self {
            Audience::Public => status.is_public(),
            Audience::Staff => status != NeedStatus::Draft,
            Audience::Group => true,
        }
    }

    /// The statuses this audience sees (for a list's SQL).
    pub fn statuses(self) -> Vec<NeedStatus> {
        NeedStatus::ALL
            .into_iter()
            .filter(|s| self.shows(*s))
            .collect()
    }

    /// `need` as this audience sees it; `None` when they do not see it at all.
    pub fn view(self, need: &NeedData) -> Option<NeedData> {
        match self {
            _ if !self.shows(need.status) => None,
            Audience::Public => Some(need.public_view()),
            Audience::Staff | Audience::Group => Some(need.clone()),
        }
    }
}

/// Only a group's contacts post needs, and a new need is a draft or asked at once.
pub fn may_create(actor: NeedActor, need: &NeedData) -> bool {
    let speaks = matches!(actor, NeedActor::Contact | NeedActor::System);
    speaks && matches!(need.status, NeedStatus::Draft | NeedStatus::Open)
}

/// May `actor` make the edit `patch` to `current`: contacts edit while the need is a draft or
/// open, and move it along [`may_move`]; staff and the system only move it.
pub fn may_change(actor: NeedActor, current: &NeedData, patch: &NeedPatch) -> bool {
    let moves = patch
        .status
        .is_none_or(|to| to == current.status || may_move(actor, current, to));
    let edits = patch.only_status()
        || (matches!(actor, NeedActor::Contact | NeedActor::System)
            && current.status.is_editable());
    moves && edits
}

/// Removing a need outright: only a draft, by its group (an asked need is withdrawn instead,
/// so that what was asked stays traceable).
pub fn may_remove(actor: NeedActor, current: &NeedData) -> bool {
    matches!(actor, NeedActor::Contact | NeedActor::System) && current.status == NeedStatus::Draft
}

/// The state machine. A group asks, withdraws, and — for what it did not ask of the
/// municipality — says when it was fulfilled or is closed. Requests to the municipality are
/// moved on by staff (the case handling of a later issue).
pub fn may_move(actor: NeedActor, need: &NeedData, to: NeedStatus) -> bool {
    use NeedStatus::*;
    let from = need.status;
    let group = match (from, to) {
        (Draft, Open | Withdrawn) => true,
        (Open, Withdrawn) => true,
        (Open | InProgress, Fulfilled | Closed) => !need.asks_municipality(),
        (Open, InProgress) => !need.asks_municipality(),
        (InProgress, Withdrawn) => !need.asks_municipality(),
        _ => false,
    };
    let staff = matches!(
        (from, to),
        (Open, InProgress | Fulfilled | Closed) | (InProgress, Fulfilled | Closed | Open)
    );
    match actor {
        NeedActor::Contact => group,
        NeedActor::Staff => staff,
        // The server also follows a request's case when the group withdraws it in review.
        NeedActor::System => group || staff || (from, to) == (InProgress, Withdrawn),
        NeedActor::Member | NeedActor::Outsider => false,
    }
}

/// An amount typed in kronor — `800`, `800,50`, `1 200.5` — as öre. `None` when it is not a
/// number or not a whole number of öre (at most two decimals).
pub fn parse_amount_ore(raw: &str) -> Option<i64> {
    let cleaned: String = raw
        .trim()
        .trim_end_matches("kr")
        .trim_end_matches("SEK")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let (whole, fraction) = match cleaned.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > 2 {
        return None;
    }
    let kronor: i64 = whole.parse().ok()?;
    let ore: i64 = format!("{fraction:0<2}").parse().ok()?;
    kronor.checked_mul(100)?.checked_add(ore)
}

/// Groups whose contacts are known: `group → contacts`. The browser knows its own groups';
/// the server loads the ones a push touches.
pub type GroupContacts = std::collections::BTreeMap<Uuid, BTreeSet<Uuid>>;

/// The need form as typed: every value a string or a choice, never lost on an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedInput {
    pub group: String,
    /// `NeedKind::as_str`.
    pub kind: String,
    pub title: String,
    pub district: String,
    pub areas: Vec<Uuid>,
    /// `Urgency::as_str`.
    pub urgency: String,
    pub needed_by: String,
    /// Kept as a draft: only the group sees it.
    pub draft: bool,
    // micro_grant
    pub amount: String,
    pub purpose: String,
    pub enables: String,
    pub payee: String,
    // premises
    /// `one_off` or `weekly`.
    pub when: String,
    pub date: String,
    pub weekday: String,
    pub from: String,
    pub to: String,
    pub people: String,
    pub accessibility: String,
    // storage
    pub what: String,
    pub volume: String,
    pub until: String,
    // admin_help
    /// `accounts`, `application`, `website` or `other`.
    pub help: String,
    pub description: String,
    // recognition
    pub whom: String,
    pub reason: String,
    // other
    pub text: String,
    // activity
    pub tasks: String,
    pub place: String,
    pub starts: String,
    pub ends: String,
    /// `weekly` or `dated`.
    pub repeat: String,
    /// 1 = Monday … 7 = Sunday.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    pub first_date: String,
    pub last_date: String,
    /// Dates, one per line or separated by commas or spaces.
    pub except: String,
    pub dates: String,
    #[serde(default)]
    pub shifts: Vec<ShiftInput>,
}

/// One row of the activity form's shifts, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftInput {
    /// The shift's id when editing one that exists; 0 for a new row.
    pub id: u8,
    pub label: String,
    pub places: String,
    #[serde(default)]
    pub waiting_list: bool,
}

/// Dates typed one per line, or separated by commas, semicolons or spaces; `None` when one
/// is not a date.
fn parse_dates(raw: &str) -> Option<Vec<Date>> {
    raw.split([',', ';', ' ', '\n', '\r', '\t'])
        .filter(|d| !d.is_empty())
        .map(Date::parse)
        .collect()
}

fn dates_text(dates: &[Date]) -> String {
    dates
        .iter()
        .map(Date::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl NeedInput {
    /// The form filled with a stored need, to edit it: what [`NeedInput::validate`] turns back
    /// into the same need.
    pub fn from_need(need: &NeedData) -> NeedInput {
        let text = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        let mut input = NeedInput {
            group: need.group.to_string(),
            kind: need.details.kind().as_str().to_owned(),
            title: need.title.clone(),
            district: need.district.to_string(),
            areas: need.areas.clone(),
            urgency: need.urgency.as_str().to_owned(),
            needed_by: text(need.needed_by),
            draft: need.status == NeedStatus::Draft,
            when: "weekly".into(),
            help: "accounts".into(),
            ..NeedInput::default()
        };
        match &need.details {
            NeedDetails::MicroGrant {
                amount_ore,
                purpose,
                enables,
                payee,
            } => {
                input.amount = match amount_ore % 100 {
                    0 => (amount_ore / 100).to_string(),
                    ore => format!("{},{:02}", amount_ore / 100, ore.abs()),
                };
                input.purpose = purpose.clone();
                input.enables = enables.clone();
                input.payee = payee.map(|p| p.to_string()).unwrap_or_default();
            }
            NeedDetails::Premises {
                when,
                people,
                accessibility,
            } => {
                let (from, to) = match when {
                    PremisesWhen::OneOff { date, from, to } => {
                        input.when = "one_off".into();
                        input.date = date.to_string();
                        (from, to)
                    }
                    PremisesWhen::Weekly { weekday, from, to } => {
                        input.weekday = weekday.to_string();
                        (from, to)
                    }
                };
                input.from = from.to_string();
                input.to = to.to_string();
                input.people = people.to_string();
                input.accessibility = accessibility.clone();
            }
            NeedDetails::Storage {
                what,
                volume,
                until,
            } => {
                input.what = what.clone();
                input.volume = volume.clone();
                input.until = text(*until);
            }
            NeedDetails::AdminHelp { help, description } => {
                input.help = help.as_str().to_owned();
                input.description = description.clone();
            }
            NeedDetails::Recognition { whom, reason } => {
                input.whom = whom.clone();
                input.reason = reason.clone();
            }
            NeedDetails::Other { text } => input.text = text.clone(),
            NeedDetails::Activity {
                tasks,
                place,
                schedule,
            } => {
                input.tasks = tasks.clone();
                input.place = place.clone();
                input.starts = schedule.starts.to_string();
                input.ends = schedule.ends.to_string();
                match &schedule.dates {
                    Dates::Weekly {
                        weekdays,
                        from,
                        until,
                        except,
                    } => {
                        input.repeat = "weekly".into();
                        input.weekdays = weekdays.clone();
                        input.first_date = from.to_string();
                        input.last_date = until.to_string();
                        input.except = dates_text(except);
                    }
                    Dates::Dated { dates } => {
                        input.repeat = "dated".into();
                        input.dates = dates_text(dates);
                    }
                }
                input.shifts = schedule
                    .shifts
                    .iter()
                    .map(|s| ShiftInput {
                        id: s.id,
                        label: s.label.clone(),
                        places: s.places.to_string(),
                        waiting_list: s.waiting_list,
                    })
                    .collect();
            }
        }
        input
    }

    /// Every problem at once, or the need. The stored need's rules (`NeedData::check`) run
    /// too, so the form and the server say the same.
    pub fn validate(&self, known: &Known) -> Result<NeedData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = |errors: &mut FieldErrors, field: &str, raw: &str| {
            let parsed = Uuid::parse_str(raw.trim()).ok();
            if parsed.is_none() {
                errors.add(field, "choose_one");
            }
            parsed
        };
        let group = id(&mut errors, "group", &self.group);
        let district = id(&mut errors, "district", &self.district);
        let kind = NeedKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "choose_one");
        }
        let urgency = Urgency::parse(&self.urgency).unwrap_or(Urgency::Normal);
        // The offer form's parsers: the same messages for the same mistakes.
        let date = |errors: &mut FieldErrors, field: &str, raw: &str, required: bool| {
            if required {
                parse_field(errors, field, raw, Date::parse, "date_invalid")
            } else {
                optional_date(errors, field, raw)
            }
        };
        let time = |errors: &mut FieldErrors, field: &str, raw: &str| {
            parse_field(errors, field, raw, TimeOfDay::parse, "time_invalid")
        };
        let needed_by = date(&mut errors, "needed_by", &self.needed_by, false);
        let details = match kind {
            Some(NeedKind::MicroGrant) => {
                let amount = if self.amount.trim().is_empty() {
                    errors.add("amount", "required");
                    None
                } else {
                    let parsed = parse_amount_ore(&self.amount);
                    if parsed.is_none() {
                        errors.add("amount", "amount_invalid");
                    }
                    parsed
                };
                let payee = Uuid::parse_str(self.payee.trim()).ok();
                if payee.is_none() {
                    errors.add("payee", "choose_one");
                }
                amount.map(|amount_ore| NeedDetails::MicroGrant {
                    amount_ore,
                    purpose: self.purpose.trim().to_owned(),
                    enables: self.enables.trim().to_owned(),
                    payee,
                })
            }
            Some(NeedKind::Premises) => {
                let (from, to) = (
                    time(&mut errors, "from", &self.from),
                    time(&mut errors, "to", &self.to),
                );
                let when = match self.when.as_str() {
                    "weekly" => {
                        let weekday = self
                            .weekday
                            .trim()
                            .parse::<u8>()
                            .ok()
                            .filter(|d| (1..=7).contains(d));
                        if weekday.is_none() {
                            errors.add("weekday", "choose_one");
                        }
                        weekday
                            .zip(from.zip(to))
                            .map(|(weekday, (from, to))| PremisesWhen::Weekly { weekday, from, to })
                    }
                    _ => date(&mut errors, "date", &self.date, true)
                        .zip(from.zip(to))
                        .map(|(date, (from, to))| PremisesWhen::OneOff { date, from, to }),
                };
                let people = self.people.trim().parse::<u32>().ok();
                if people.is_none() {
                    errors.add("people", "people_range");
                }
                when.zip(people)
                    .map(|(when, people)| NeedDetails::Premises {
                        when,
                        people,
                        accessibility: self.accessibility.trim().to_owned(),
                    })
            }
            Some(NeedKind::Storage) => Some(NeedDetails::Storage {
                what: self.what.trim().to_owned(),
                volume: self.volume.trim().to_owned(),
                until: date(&mut errors, "until", &self.until, false),
            }),
            Some(NeedKind::AdminHelp) => Some(NeedDetails::AdminHelp {
                help: AdminHelp::parse(&self.help).unwrap_or(AdminHelp::Other),
                description: self.description.trim().to_owned(),
            }),
            Some(NeedKind::Recognition) => Some(NeedDetails::Recognition {
                whom: self.whom.trim().to_owned(),
                reason: self.reason.trim().to_owned(),
            }),
            Some(NeedKind::Other) => Some(NeedDetails::Other {
                text: self.text.trim().to_owned(),
            }),
            Some(NeedKind::Activity) => {
                let starts = time(&mut errors, "starts", &self.starts);
                let ends = time(&mut errors, "ends", &self.ends);
                let mut dates_of = |field: &str, raw: &str| {
                    let parsed = parse_dates(raw);
                    if parsed.is_none() {
                        errors.add(field, "date_invalid");
                    }
                    parsed.unwrap_or_default()
                };
                let dates = match self.repeat.as_str() {
                    "dated" => Some(Dates::Dated {
                        dates: dates_of("dates", &self.dates),
                    }),
                    _ => {
                        let except = dates_of("except", &self.except);
                        let from = date(&mut errors, "first_date", &self.first_date, true);
                        let until = date(&mut errors, "last_date", &self.last_date, true);
                        from.zip(until).map(|(from, until)| Dates::Weekly {
                            weekdays: self.weekdays.clone(),
                            from,
                            until,
                            except,
                        })
                    }
                };
                let mut next_id = self.shifts.iter().map(|s| s.id).max().unwrap_or(0);
                let mut shifts = Vec::new();
                for (index, row) in self.shifts.iter().enumerate() {
                    let places = row.places.trim().parse::<u16>().ok();
                    if places.is_none() {
                        let field = super::activity::shift_field(index, "places");
                        errors.add(&field, "places_range");
                    }
                    let id = if row.id == 0 {
                        next_id = next_id.saturating_add(1);
                        next_id
                    } else {
                        row.id
                    };
                    shifts.push(ShiftSpec {
                        id,
                        label: row.label.trim().to_owned(),
                        // A number that does not read is already named above.
                        places: places.unwrap_or(1),
                        waiting_list: row.waiting_list,
                    });
                }
                starts
                    .zip(ends)
                    .zip(dates)
                    .map(|((starts, ends), dates)| NeedDetails::Activity {
                        tasks: self.tasks.trim().to_owned(),
                        place: self.place.trim().to_owned(),
                        schedule: Schedule {
                            starts,
                            ends,
                            dates,
                            shifts,
                        },
                    })
            }
            None => None,
        };
        let need = match (group, district, details) {
            (Some(group), Some(district), Some(details)) => Some(NeedData {
                group,
                title: self.title.trim().to_owned(),
                details,
                areas: super::forms::choices(&mut errors, "areas", &self.areas, false),
                district,
                urgency,
                needed_by,
                status: if self.draft {
                    NeedStatus::Draft
                } else {
                    NeedStatus::Open
                },
            }),
            _ => None,
        };
        if let Some(need) = &need {
            if let Err(rules) = need.check(known) {
                for (field, keys) in rules.0 {
                    for key in keys {
                        errors.add(&field, key);
                    }
                }
            }
        } else if self.title.trim().is_empty() {
            errors.add("title", "required");
        }
        match need {
            Some(need) if errors.is_empty() => Ok(need),
            _ => Err(errors),
        }
    }
}

/// Needs per page of a list.
pub const PER_PAGE: u32 = 20;
/// How many needs a page may show (`?antal=`): the first is the default.
pub const PAGE_SIZES: [u32; 3] = [PER_PAGE, 50, 100];

/// What a list of needs is narrowed to (each optional), and which page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedFilter {
    pub district: Option<Uuid>,
    pub area: Option<Uuid>,
    pub kind: Option<NeedKind>,
    /// 1, 2, 3 …
    pub page: u32,
    /// One of [`PAGE_SIZES`].
    pub per_page: u32,
    /// Activities with an occasion on these days (either end open; both ends included).
    #[serde(default)]
    pub from: Option<Date>,
    #[serde(default)]
    pub until: Option<Date>,
    /// Only activities with an occasion that fits one of the reader's offers
    /// (`activity::offer_fits`); ignored for someone signed out.
    #[serde(default)]
    pub fits: bool,
}

impl NeedFilter {
    /// A filter; a page outside 1–10,000 is the first, a page size not offered the default.
    pub fn new(
        district: Option<Uuid>,
        area: Option<Uuid>,
        kind: Option<NeedKind>,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> NeedFilter {
        NeedFilter {
            district,
            area,
            kind,
            page: page.filter(|p| (1..=10_000).contains(p)).unwrap_or(1),
            per_page: per_page
                .filter(|n| PAGE_SIZES.contains(n))
                .unwrap_or(PER_PAGE),
            from: None,
            until: None,
            fits: false,
        }
    }

    /// Narrowed to the activities with an occasion from `from` to `until` (a range given the
    /// wrong way round is read the right way round), and to those that fit the reader's offers.
    pub fn on_days(mut self, from: Option<Date>, until: Option<Date>, fits: bool) -> NeedFilter {
        (self.from, self.until) = match (from, until) {
            (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
            range => range,
        };
        self.fits = fits;
        self
    }

    /// Whether only activities are asked for (a date range or "fits my offers").
    pub fn only_activities(&self) -> bool {
        self.from.is_some() || self.until.is_some() || self.fits
    }

    /// Read from a page's query (`?omrade=…&fokus=…&typ=…&sida=2`); what does not parse is
    /// left out rather than refused, so a mistyped link still shows a list.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> NeedFilter {
        let id = |key: &str| get(key).and_then(|v| Uuid::parse_str(v.trim()).ok());
        NeedFilter::new(
            id("omrade"),
            id("fokus"),
            get("typ").and_then(|k| NeedKind::parse(k.trim())),
            get("sida").and_then(|p| p.trim().parse::<u32>().ok()),
            get("antal").and_then(|n| n.trim().parse::<u32>().ok()),
        )
        .on_days(
            get("fran").and_then(|d| Date::parse(&d)),
            get("till").and_then(|d| Date::parse(&d)),
            get("passar").is_some_and(|v| v == "1"),
        )
    }

    /// The query of this filter on another page (`omrade=…&sida=3`).
    pub fn query(&self, page: u32) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.district {
            parts.push(format!("omrade={d}"));
        }
        if let Some(a) = self.area {
            parts.push(format!("fokus={a}"));
        }
        if let Some(k) = self.kind {
            parts.push(format!("typ={}", k.as_str()));
        }
        if let Some(from) = self.from {
            parts.push(format!("fran={from}"));
        }
        if let Some(until) = self.until {
            parts.push(format!("till={until}"));
        }
        if self.fits {
            parts.push("passar=1".to_owned());
        }
        if self.per_page != PER_PAGE {
            parts.push(format!("antal={}", self.per_page));
        }
        if page > 1 {
            parts.push(format!("sida={page}"));
        }
        parts.join("&")
    }
}

/// A need in a list: nothing about a person (no payee, no author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedNeed {
    pub id: Uuid,
    pub group: Uuid,
    pub group_name: String,
    pub title: String,
    pub kind: NeedKind,
    pub status: NeedStatus,
    pub district: Uuid,
    pub areas: Vec<Uuid>,
    pub urgency: Urgency,
    pub amount_ore: Option<i64>,
    pub needed_by: Option<Date>,
    pub created_at: String,
    /// An activity's next occasions that take sign-ups (in the list's date range, fitting the
    /// reader's offers when asked), soonest first, at most [`LISTED_OCCASIONS`]: when and how
    /// many places are free — never who took them.
    #[serde(default)]
    pub next: Vec<ListedOccasion>,
}

/// How many of an activity's next occasions a list shows.
pub const LISTED_OCCASIONS: usize = 3;

/// An occasion in a list of needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedOccasion {
    pub starts_at: i64,
    pub ends_at: i64,
    /// Free places over its shifts, and all its places.
    pub free: u32,
    pub places: u32,
}

impl ListedOccasion {
    pub fn of(occasion: &super::activity::OccasionData) -> ListedOccasion {
        ListedOccasion {
            starts_at: occasion.starts_at,
            ends_at: occasion.ends_at,
            free: occasion.shifts.iter().map(|s| u32::from(s.free())).sum(),
            places: occasion.shifts.iter().map(|s| u32::from(s.places)).sum(),
        }
    }
}

/// A need's own page, as its reader may see it (`Audience::view`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedPage {
    pub id: Uuid,
    pub need: NeedData,
    pub group_name: String,
    /// The payee's name, for the group and staff only.
    pub payee_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The reader speaks for the group.
    pub contact: bool,
    /// An activity's next occasions (none for other kinds): id and occasion, soonest first.
    #[serde(default)]
    pub occasions: Vec<(Uuid, super::activity::OccasionData)>,
    /// Who took a shift on those occasions and how to reach them: for the group's contacts
    /// only (`permissions::can_see_volunteer_contacts`), empty for everyone else.
    #[serde(default)]
    pub coming: Vec<super::activity::VolunteerContact>,
}

/// One page of a list of needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedList {
    pub needs: Vec<ListedNeed>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl NeedList {
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.per_page.max(1))) as u32).max(1)
    }
}

/// An amount in öre as people write it: `800 kr`, `1 250,50 kr`.
pub fn format_kronor(ore: i64) -> String {
    let kronor = (ore / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in kronor.chars().enumerate() {
        if i > 0 && (kronor.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    match ore % 100 {
        0 => format!("{grouped}\u{a0}kr"),
        rest => format!("{grouped},{rest:02}\u{a0}kr"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    pub(crate) const GROUP: Uuid = Uuid::from_u128(0x900);
    pub(crate) const ANNA: Uuid = Uuid::from_u128(0xa11a);

    pub(crate) fn known() -> Known {
        let mut known = crate::sync::apply::tests::known();
        known.group_contacts = Some(GroupContacts::from([(GROUP, BTreeSet::from([ANNA]))]));
        known
    }

    pub(crate) fn grant(amount_ore: i64) -> NeedData {
        NeedData {
            group: GROUP,
            title: "Telefon och kaffe".into(),
            details: NeedDetails::MicroGrant {
                amount_ore,
                purpose: "En telefon och kaffe för nattvandringen".into(),
                enables: "Vi kan nå varandra".into(),
                payee: Some(ANNA),
            },
            areas: vec![Uuid::from_u128(11)],
            district: Uuid::from_u128(1),
            urgency: Urgency::Normal,
            needed_by: None,
            status: NeedStatus::Open,
        }
    }

    #[test]
    fn the_night_walkers_request_keeps_the_rules() {
        assert_eq!(grant(80_000).check(&known()), Ok(()));
    }

    #[test]
    fn an_amount_must_be_positive_and_within_the_maximum() {
        for (amount, key) in [
            (0, "amount_positive"),
            (-1, "amount_positive"),
            (500_001, "amount_over_max"),
        ] {
            let errors = grant(amount).check(&known()).unwrap_err();
            assert_eq!(errors.0["amount"], vec![key.to_owned()], "{amount}");
        }
        assert_eq!(grant(500_000).check(&known()), Ok(()));
        let mut lower = known();
        lower.max_grant_ore = Some(10_000);
        assert!(grant(10_001).check(&lower).is_err());
    }

    #[test]
    fn the_payee_is_a_named_contact_of_the_group() {
        let mut need = grant(80_000);
        if let NeedDetails::MicroGrant { payee, .. } = &mut need.details {
            *payee = Some(Uuid::from_u128(0xbad));
        }
        let errors = need.check(&known()).unwrap_err();
        assert_eq!(errors.0["payee"], vec!["payee_not_contact".to_owned()]);
        if let NeedDetails::MicroGrant { payee, .. } = &mut need.details {
            *payee = None;
        }
        assert_eq!(
            need.check(&known()).unwrap_err().0["payee"],
            vec!["required".to_owned()]
        );
    }

    #[test]
    fn the_public_view_names_no_payee() {
        let view = grant(80_000).public_view();
        assert!(matches!(
            view.details,
            NeedDetails::MicroGrant { payee: None, .. }
        ));
        assert_eq!(view.title, grant(80_000).title);
    }

    #[test]
    fn dates_are_judged_by_the_day_the_change_was_made() {
        let mut need = grant(80_000);
        need.needed_by = Date::parse("2026-11-28");
        assert!(need
            .check_dates(Date::parse("2026-11-29").unwrap())
            .is_err());
        assert!(need.check_dates(Date::parse("2026-11-28").unwrap()).is_ok());
    }

    #[test]
    fn amounts_are_read_as_kronor_with_at_most_two_decimals() {
        assert_eq!(parse_amount_ore("800"), Some(80_000));
        assert_eq!(parse_amount_ore(" 1 200,5 kr"), Some(120_050));
        assert_eq!(parse_amount_ore("800.05"), Some(80_005));
        for bad in ["", "12,345", "-5", "abc", "1e3", ",5", "99999999999999"] {
            assert_eq!(parse_amount_ore(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_list_filter_reads_its_query_and_writes_it_back() {
        let district = Uuid::from_u128(1);
        let query = std::collections::HashMap::from([
            ("omrade", district.to_string()),
            ("typ", "micro_grant".to_owned()),
            ("sida", "3".to_owned()),
            ("fokus", "inte-ett-id".to_owned()),
        ]);
        let filter = NeedFilter::from_query(|k| query.get(k).cloned());
        assert_eq!(filter.district, Some(district));
        assert_eq!(filter.kind, Some(NeedKind::MicroGrant));
        assert_eq!(filter.area, None, "what does not parse is left out");
        assert_eq!(filter.page, 3);
        assert_eq!(
            filter.query(4),
            format!("omrade={district}&typ=micro_grant&sida=4")
        );
        assert_eq!(NeedFilter::from_query(|_| Some("0".into())).page, 1);
        assert_eq!(filter.per_page, PER_PAGE);
        let hundred = NeedFilter::from_query(|k| (k == "antal").then(|| "100".to_owned()));
        assert_eq!(hundred.per_page, 100);
        assert_eq!(hundred.query(2), "antal=100&sida=2");
        let days = std::collections::HashMap::from([
            ("till", "2026-12-01".to_owned()),
            ("fran", "2026-12-24".to_owned()),
            ("passar", "1".to_owned()),
        ]);
        let days = NeedFilter::from_query(|k| days.get(k).cloned());
        assert_eq!(
            days.query(1),
            "fran=2026-12-01&till=2026-12-24&passar=1",
            "a range the wrong way round is read the right way round"
        );
        assert!(days.only_activities() && !filter.only_activities());
        let odd = NeedFilter::from_query(|k| (k == "antal").then(|| "7".to_owned()));
        assert_eq!(odd.per_page, PER_PAGE, "only the offered sizes");
        let list = NeedList {
            total: 201,
            per_page: 100,
            ..NeedList::default()
        };
        assert_eq!(list.pages(), 3);
    }

    #[test]
    fn who_reads_a_need_sees_what_their_place_allows() {
        use MemberRole::{Contact, Member};
        assert_eq!(NeedActor::of(None, None), NeedActor::System);
        assert_eq!(NeedActor::of(Some(true), Some(Contact)), NeedActor::Contact);
        assert_eq!(NeedActor::of(Some(true), Some(Member)), NeedActor::Staff);
        assert_eq!(NeedActor::of(Some(false), Some(Member)), NeedActor::Member);
        assert_eq!(NeedActor::of(Some(false), None), NeedActor::Outsider);
        let mut need = grant(80_000);
        let payee = |n: &NeedData| match &n.details {
            NeedDetails::MicroGrant { payee, .. } => *payee,
            _ => None,
        };
        for status in NeedStatus::ALL {
            need.status = status;
            let public = Audience::of(NeedActor::Outsider).view(&need);
            assert_eq!(public.is_some(), status == NeedStatus::Open, "{status:?}");
            assert!(
                public.is_none_or(|n| payee(&n).is_none()),
                "no payee in public"
            );
            let staff = Audience::of(NeedActor::Staff).view(&need);
            assert_eq!(staff.is_some(), status != NeedStatus::Draft);
            assert!(staff.is_none_or(|n| payee(&n).is_some()));
            for member in [NeedActor::Member, NeedActor::Contact] {
                assert_eq!(Audience::of(member).view(&need).as_ref(), Some(&need));
            }
        }
        assert_eq!(Audience::Public.statuses(), vec![NeedStatus::Open]);
        assert_eq!(Audience::Group.statuses().len(), NeedStatus::ALL.len());
    }

    #[test]
    fn amounts_are_written_as_kronor() {
        assert_eq!(format_kronor(80_000), "800\u{a0}kr");
        assert_eq!(format_kronor(125_050), "1\u{a0}250,50\u{a0}kr");
        assert_eq!(format_kronor(500_000), "5\u{a0}000\u{a0}kr");
    }

    fn night_walkers_form() -> NeedInput {
        NeedInput {
            group: GROUP.to_string(),
            kind: "micro_grant".into(),
            title: " Telefon och kaffe ".into(),
            district: Uuid::from_u128(1).to_string(),
            urgency: "high".into(),
            amount: "800".into(),
            purpose: "En telefon och kaffe".into(),
            payee: ANNA.to_string(),
            ..NeedInput::default()
        }
    }

    #[test]
    fn the_form_makes_the_night_walkers_request() {
        let need = night_walkers_form().validate(&known()).unwrap();
        assert_eq!(need.title, "Telefon och kaffe");
        assert_eq!(need.status, NeedStatus::Open);
        assert_eq!(need.urgency, Urgency::High);
        assert!(
            matches!(need.details, NeedDetails::MicroGrant { amount_ore: 80_000, payee: Some(p), .. } if p == ANNA)
        );
    }

    #[test]
    fn the_form_names_every_field_that_is_wrong_at_once() {
        let form = NeedInput {
            amount: "12,345".into(),
            payee: String::new(),
            title: String::new(),
            ..night_walkers_form()
        };
        let errors = form.validate(&known()).unwrap_err().0;
        assert_eq!(errors["amount"], vec!["amount_invalid".to_owned()]);
        assert_eq!(errors["payee"], vec!["choose_one".to_owned()]);
        assert_eq!(errors["title"], vec!["required".to_owned()]);
        let over = NeedInput {
            amount: "5000,01".into(),
            ..night_walkers_form()
        };
        assert_eq!(
            over.validate(&known()).unwrap_err().0["amount"],
            vec!["amount_over_max".to_owned()]
        );
        let premises = NeedInput {
            kind: "premises".into(),
            when: "weekly".into(),
            weekday: "4".into(),
            from: "18:00".into(),
            to: "18.00".into(),
            people: "0".into(),
            ..night_walkers_form()
        };
        let errors = premises.validate(&known()).unwrap_err().0;
        assert_eq!(errors["to"], vec!["same_time".to_owned()]);
        assert_eq!(errors["people"], vec!["people_range".to_owned()]);
    }

    #[test]
    fn only_contacts_post_and_members_only_read() {
        let need = grant(80_000);
        assert!(may_create(NeedActor::Contact, &need));
        for actor in [NeedActor::Member, NeedActor::Outsider, NeedActor::Staff] {
            assert!(!may_create(actor, &need), "{actor:?}");
        }
        let mut done = need.clone();
        done.status = NeedStatus::Fulfilled;
        assert!(!may_create(NeedActor::Contact, &done));
    }

    #[test]
    fn a_request_to_the_municipality_is_moved_on_by_staff_not_by_the_group() {
        let need = grant(80_000);
        assert!(may_move(NeedActor::Contact, &need, NeedStatus::Withdrawn));
        assert!(!may_move(NeedActor::Contact, &need, NeedStatus::Fulfilled));
        assert!(may_move(NeedActor::Staff, &need, NeedStatus::InProgress));
        assert!(!may_move(NeedActor::Staff, &need, NeedStatus::Withdrawn));
        let mut recognition = need.clone();
        recognition.details = NeedDetails::Recognition {
            whom: "Alla nattvandrare".into(),
            reason: "Ett år av kvällar".into(),
        };
        assert!(may_move(
            NeedActor::Contact,
            &recognition,
            NeedStatus::Fulfilled
        ));
    }

    fn any_status() -> impl Strategy<Value = NeedStatus> {
        prop::sample::select(NeedStatus::ALL.to_vec())
    }

    /// A valid need of any kind, as a contact of [`GROUP`] could post it.
    fn any_valid_need() -> impl Strategy<Value = NeedData> {
        let at = |m: u16| TimeOfDay::parse(&format!("{:02}:{:02}", m / 60, m % 60)).unwrap();
        let time = (0u16..23 * 60).prop_map(move |m| (at(m), at(m + 30)));
        let date = (2027i32..2030, 1u8..=12, 1u8..=28)
            .prop_map(|(y, m, d)| Date::parse(&format!("{y:04}-{m:02}-{d:02}")).unwrap());
        let details = prop_oneof![
            (1i64..500_000, "[a-zåäö ]{1,20}", "[a-z]{0,10}").prop_map(
                |(amount_ore, purpose, enables)| NeedDetails::MicroGrant {
                    amount_ore,
                    purpose: format!("x{}", purpose.trim()),
                    enables,
                    payee: Some(ANNA),
                }
            ),
            (time.clone(), 1u8..=7, 1u32..200, "[a-z]{0,10}").prop_map(
                |((from, to), weekday, people, accessibility)| NeedDetails::Premises {
                    when: PremisesWhen::Weekly { weekday, from, to },
                    people,
                    accessibility,
                }
            ),
            (time.clone(), date.clone(), 1u32..200).prop_map(|((from, to), date, people)| {
                NeedDetails::Premises {
                    when: PremisesWhen::OneOff { date, from, to },
                    people,
                    accessibility: String::new(),
                }
            }),
            ("[a-z]{1,10}", "[a-z]{0,10}", prop::option::of(date.clone())).prop_map(
                |(what, volume, until)| NeedDetails::Storage {
                    what,
                    volume,
                    until
                }
            ),
            (prop::sample::select(AdminHelp::ALL.to_vec()), "[a-z]{0,10}")
                .prop_map(|(help, description)| NeedDetails::AdminHelp { help, description }),
            ("[a-z]{1,10}", "[a-z]{1,10}")
                .prop_map(|(whom, reason)| NeedDetails::Recognition { whom, reason }),
            "[a-z]{1,10}".prop_map(|text| NeedDetails::Other { text }),
            (
                time.clone(),
                date.clone(),
                0i64..300,
                prop::collection::btree_set(1u8..=7, 1..4),
                prop::collection::vec(("[a-z]{0,10}", 1u16..50), 1..4),
                any::<bool>(),
            )
                .prop_map(|((starts, ends), from, span, weekdays, shifts, dated)| {
                    let dates = if dated {
                        Dates::Dated {
                            dates: vec![from, from.plus_days(span)],
                        }
                    } else {
                        Dates::Weekly {
                            weekdays: weekdays.into_iter().collect(),
                            from,
                            until: from.plus_days(span),
                            except: vec![from],
                        }
                    };
                    NeedDetails::Activity {
                        tasks: "Gå i par".into(),
                        place: "Torget".into(),
                        schedule: Schedule {
                            // Ends before it starts: the night walk past midnight.
                            starts: ends,
                            ends: starts,
                            dates,
                            shifts: shifts
                                .into_iter()
                                .zip(1u8..)
                                .map(|((label, places), id)| ShiftSpec {
                                    id,
                                    label,
                                    places,
                                    waiting_list: places > 2,
                                })
                                .collect(),
                        },
                    }
                }),
        ];
        (
            details,
            "[a-z]{1,10}",
            prop::sample::select(Urgency::ALL.to_vec()),
            prop::option::of(date),
            any::<bool>(),
        )
            .prop_map(|(details, title, urgency, needed_by, draft)| NeedData {
                title,
                details,
                urgency,
                needed_by,
                status: if draft {
                    NeedStatus::Draft
                } else {
                    NeedStatus::Open
                },
                ..grant(80_000)
            })
    }

    proptest! {
        #[test]
        fn the_edit_form_gives_back_the_need_it_was_filled_with(need in any_valid_need()) {
            prop_assert_eq!(need.check(&known()), Ok(()));
            prop_assert_eq!(NeedInput::from_need(&need).validate(&known()), Ok(need));
        }

        #[test]
        fn a_patch_between_two_needs_turns_one_into_the_other(amount in 1i64..600_000, title in "[a-z]{1,8}", status in any_status()) {
            let old = grant(80_000);
            let mut new = grant(amount);
            new.title = title;
            new.status = status;
            prop_assert_eq!(NeedPatch::between(&old, &new).apply_to(&old), new);
        }

        #[test]
        fn nobody_but_staff_or_the_system_moves_a_request_out_of_open_except_to_withdrawn(to in any_status()) {
            let need = grant(80_000);
            if may_move(NeedActor::Contact, &need, to) {
                prop_assert_eq!(to, NeedStatus::Withdrawn);
            }
            prop_assert!(!may_move(NeedActor::Member, &need, to));
            prop_assert!(!may_move(NeedActor::Outsider, &need, to));
        }

        #[test]
        fn a_need_that_is_no_longer_editable_only_moves(status in any_status(), title in "[a-z]{1,8}") {
            let mut need = grant(80_000);
            need.status = status;
            let edit = NeedPatch { title: Some(title), ..NeedPatch::default() };
            prop_assert_eq!(may_change(NeedActor::Contact, &need, &edit), status.is_editable());
            prop_assert!(!may_change(NeedActor::Member, &need, &edit));
        }
    }
}

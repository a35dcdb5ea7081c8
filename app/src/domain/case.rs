//! Micro-support as a case: one explicit state machine, written once and used by the browser
//! (to show only the actions allowed now) and by the server (to decide).
//!
//! received → in review (a handler assigned) → decided: approved (an amount, or what is given)
//! or rejected (with a reason) → paid or delivered → followed up (the group's short report) →
//! closed. Before a decision the group may withdraw; a handler in review may ask for more
//! information, which pauses the clock until the group answers. A rejected case is closed
//! without payment. With four eyes on, an approval above the limit waits for a second staff
//! member before it counts as decided.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::forms::{optional_text, required_text};
use super::need::NeedKind;
use super::offer::Date;
use super::text::Lines;
use super::FieldErrors;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Received,
    InReview,
    /// The handler asked the group something; the clock stands still until they answer.
    MoreInfo,
    /// Approved above the four-eyes limit by one staff member; waits for a second.
    AwaitingSecond,
    Approved,
    Rejected,
    /// Paid (a grant) or delivered (premises, storage, admin help, recognition).
    Paid,
    FollowedUp,
    Closed,
    Withdrawn,
}

impl CaseState {
    pub const ALL: [CaseState; 10] = [
        CaseState::Received,
        CaseState::InReview,
        CaseState::MoreInfo,
        CaseState::AwaitingSecond,
        CaseState::Approved,
        CaseState::Rejected,
        CaseState::Paid,
        CaseState::FollowedUp,
        CaseState::Closed,
        CaseState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::InReview => "in_review",
            CaseState::MoreInfo => "more_info",
            CaseState::AwaitingSecond => "awaiting_second",
            CaseState::Approved => "approved",
            CaseState::Rejected => "rejected",
            CaseState::Paid => "paid",
            CaseState::FollowedUp => "followed_up",
            CaseState::Closed => "closed",
            CaseState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Withdrawn)
    }

    /// A decision has been made (approved or rejected, and what follows either).
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            CaseState::Approved
                | CaseState::Rejected
                | CaseState::Paid
                | CaseState::FollowedUp
                | CaseState::Closed
        )
    }

    /// The handler's clock runs (it stands still while the group is asked something, and once
    /// nothing is left for the municipality to do).
    pub fn clock_runs(self) -> bool {
        matches!(
            self,
            CaseState::Received
                | CaseState::InReview
                | CaseState::AwaitingSecond
                | CaseState::Approved
        )
    }
}

/// What can happen to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// A handler takes the case (or another handler takes it over).
    Assign,
    AskMoreInfo,
    /// The group answers the question.
    Answer,
    Approve,
    /// The second staff member confirms an approval above the four-eyes limit.
    ConfirmApproval,
    Reject,
    Pay,
    FollowUp,
    Close,
    Withdraw,
    /// A message on the case, from either side; the state stays.
    Message,
    /// The request came in: the server opens the case (the trail's first entry; never a
    /// person's action).
    Receive,
}

impl CaseAction {
    pub const ALL: [CaseAction; 12] = [
        CaseAction::Assign,
        CaseAction::AskMoreInfo,
        CaseAction::Answer,
        CaseAction::Approve,
        CaseAction::ConfirmApproval,
        CaseAction::Reject,
        CaseAction::Pay,
        CaseAction::FollowUp,
        CaseAction::Close,
        CaseAction::Withdraw,
        CaseAction::Message,
        CaseAction::Receive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseAction::Assign => "assign",
            CaseAction::AskMoreInfo => "ask_more_info",
            CaseAction::Answer => "answer",
            CaseAction::Approve => "approve",
            CaseAction::ConfirmApproval => "confirm_approval",
            CaseAction::Reject => "reject",
            CaseAction::Pay => "pay",
            CaseAction::FollowUp => "follow_up",
            CaseAction::Close => "close",
            CaseAction::Withdraw => "withdraw",
            CaseAction::Message => "message",
            CaseAction::Receive => "receive",
        }
    }

    pub fn parse(raw: &str) -> Option<CaseAction> {
        CaseAction::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// Who acts on a case, and which side of it they speak for (in the trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseRole {
    /// Municipal staff (any handler; the one assigned is told apart by [`CaseActor`]).
    Staff,
    /// A contact of the group the case belongs to.
    GroupContact,
    /// The server itself: it opens the case when a request is asked, and follows the group's
    /// withdrawal of the request.
    #[default]
    System,
    /// Anyone else: a member who is not a contact, another group, the public.
    Other,
}

impl CaseRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseRole::Staff => "staff",
            CaseRole::GroupContact => "group_contact",
            CaseRole::System => "system",
            CaseRole::Other => "other",
        }
    }
}

/// The actor as the rules need to know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseActor {
    pub role: CaseRole,
    /// The actor is the handler assigned to the case.
    pub assigned: bool,
    /// The actor made the first approval now waiting for a second.
    pub approved_first: bool,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not the actor's to do.
    NotAllowed,
    /// Not from this state.
    NotNow,
}

/// Whether `action` is ever `actor`'s to do (whatever the state): staff take cases; the
/// assigned handler asks, decides, pays and closes; a second staff member confirms an approval
/// above the four-eyes limit; the group's contacts answer, report and withdraw; both sides write
/// messages. The server may do anything.
pub fn permitted(action: CaseAction, actor: CaseActor) -> bool {
    use CaseAction as A;
    let staff = actor.role == CaseRole::Staff;
    let group = actor.role == CaseRole::GroupContact;
    match actor.role {
        CaseRole::System => true,
        CaseRole::Staff | CaseRole::GroupContact | CaseRole::Other => match action {
            A::Assign => staff,
            A::AskMoreInfo | A::Approve | A::Reject | A::Pay | A::Close => staff && actor.assigned,
            A::ConfirmApproval => staff && !actor.approved_first,
            A::Answer | A::FollowUp | A::Withdraw => group,
            A::Message => group || (staff && actor.assigned),
            A::Receive => false,
        },
    }
}

/// The state `action` moves a case in `state` to, whoever does it; `None` when it cannot
/// happen from there. With `needs_second` an approval is above the four-eyes limit.
pub fn move_to(state: CaseState, action: CaseAction, needs_second: bool) -> Option<CaseState> {
    use CaseAction as A;
    use CaseState as S;
    Some(match (state, action) {
        (S::Received, A::Assign) => S::InReview,
        // Another handler takes it over, and both sides write, wherever it stands.
        (state, A::Assign | A::Message) if !state.is_final() => state,
        (S::InReview, A::AskMoreInfo) => S::MoreInfo,
        (S::MoreInfo, A::Answer) => S::InReview,
        (S::InReview, A::Approve) if needs_second => S::AwaitingSecond,
        (S::InReview, A::Approve) => S::Approved,
        (S::AwaitingSecond, A::ConfirmApproval) => S::Approved,
        (S::InReview | S::AwaitingSecond, A::Reject) => S::Rejected,
        (S::Approved, A::Pay) => S::Paid,
        (S::Paid, A::FollowUp) => S::FollowedUp,
        (S::FollowedUp | S::Rejected, A::Close) => S::Closed,
        (S::Received | S::InReview | S::MoreInfo | S::AwaitingSecond, A::Withdraw) => S::Withdrawn,
        _ => return None,
    })
}

/// The state `action` by `actor` moves a case in `state` to, or why it may not. With
/// `needs_second` the approval is above the four-eyes limit (four eyes on).
pub fn next(
    state: CaseState,
    action: CaseAction,
    actor: CaseActor,
    needs_second: bool,
) -> Result<CaseState, Refusal> {
    if !permitted(action, actor) {
        return Err(Refusal::NotAllowed);
    }
    move_to(state, action, needs_second).ok_or(Refusal::NotNow)
}

/// What `actor` may do now: the buttons a page shows.
pub fn allowed(state: CaseState, actor: CaseActor, needs_second: bool) -> Vec<CaseAction> {
    CaseAction::ALL
        .into_iter()
        .filter(|a| next(state, *a, actor, needs_second).is_ok())
        .collect()
}

/// How long a case has waited, in seconds: in its current state, and in all on the
/// municipality's clock (the time the group was asked something does not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Waited {
    pub in_state: i64,
    pub total: i64,
}

/// The waits of a case whose trail entered `states` at the given times (Unix seconds, in
/// order), as of `now`.
pub fn waited(states: &[(CaseState, i64)], now: i64) -> Waited {
    let mut total = 0;
    for (i, (state, from)) in states.iter().enumerate() {
        let until = states.get(i + 1).map_or(now, |(_, at)| *at);
        if state.clock_runs() {
            total += (until - from).max(0);
        }
    }
    let in_state = states.last().map_or(0, |(_, at)| (now - at).max(0));
    Waited { in_state, total }
}

/// The municipality's rules for deciding micro-support (stored in the database, changed by an
/// administrator; these are the defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    /// The most one request may be granted, in öre.
    pub max_per_request_ore: i64,
    /// The most one group may be granted in a calendar year, in öre.
    pub max_per_group_year_ore: i64,
    /// The kinds of micro-support groups may ask for now.
    pub open_kinds: Vec<NeedKind>,
    /// The reasons a handler chooses from (free text is always possible too).
    pub reasons: Vec<String>,
    /// Four eyes: an approval above this amount (öre) waits for a second staff member.
    /// `None`: off.
    pub four_eyes_above_ore: Option<i64>,
}

impl CaseRules {
    /// The defaults, with the largest grant per request from the server's configuration.
    pub fn with_max_per_request(max_per_request_ore: i64) -> CaseRules {
        CaseRules {
            max_per_request_ore,
            max_per_group_year_ore: 4 * max_per_request_ore,
            open_kinds: NeedKind::ALL
                .into_iter()
                .filter(|k| k.asks_municipality())
                .collect(),
            reasons: [
                "Stärker ett prioriterat område",
                "Når många i området",
                "Ryms inte inom årets ram för gruppen",
                "Stödet finns redan genom annan verksamhet",
                "Underlaget räcker inte för ett beslut",
            ]
            .map(String::from)
            .to_vec(),
            four_eyes_above_ore: None,
        }
    }

    /// An approval of `amount_ore` needs a second staff member.
    pub fn needs_second(&self, amount_ore: Option<i64>) -> bool {
        match (self.four_eyes_above_ore, amount_ore) {
            (Some(limit), Some(amount)) => amount > limit,
            (Some(_), None) | (None, _) => false,
        }
    }
}

/// The decision rules as an administrator types them (kronor as text, one reason per line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRulesForm {
    pub max_per_request: String,
    pub max_per_year: String,
    pub open_kinds: Vec<NeedKind>,
    pub reasons: String,
    /// Empty: four eyes off.
    pub four_eyes_above: String,
}

/// The most reasons a list may hold.
pub const MAX_REASONS: usize = 30;

impl CaseRulesForm {
    pub fn of(rules: &CaseRules) -> CaseRulesForm {
        let kronor = |ore: i64| {
            if ore % 100 == 0 {
                (ore / 100).to_string()
            } else {
                format!("{},{:02}", ore / 100, ore % 100)
            }
        };
        CaseRulesForm {
            max_per_request: kronor(rules.max_per_request_ore),
            max_per_year: kronor(rules.max_per_group_year_ore),
            open_kinds: rules.open_kinds.clone(),
            reasons: rules.reasons.join("\n"),
            four_eyes_above: rules.four_eyes_above_ore.map(kronor).unwrap_or_default(),
        }
    }

    /// The rules, or what is wrong with them field by field.
    pub fn parse(&self) -> Result<CaseRules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut amount = |field: &str, raw: &str| match super::need::parse_amount_ore(raw) {
            _ if raw.trim().is_empty() => {
                errors.add(field, "required");
                0
            }
            Some(ore) if ore > 0 => ore,
            Some(_) => {
                errors.add(field, "amount_positive");
                0
            }
            None => {
                errors.add(field, "amount_invalid");
                0
            }
        };
        let max_per_request_ore = amount("max_per_request", &self.max_per_request);
        let max_per_group_year_ore = amount("max_per_year", &self.max_per_year);
        let four_eyes_above_ore = if self.four_eyes_above.trim().is_empty() {
            None
        } else {
            Some(amount("four_eyes_above", &self.four_eyes_above))
        };
        if max_per_request_ore > 0
            && max_per_group_year_ore > 0
            && max_per_group_year_ore < max_per_request_ore
        {
            errors.add("max_per_year", "year_below_request");
        }
        let open_kinds: Vec<NeedKind> = NeedKind::ALL
            .into_iter()
            .filter(|k| k.asks_municipality() && self.open_kinds.contains(k))
            .collect();
        if self.open_kinds.iter().any(|k| !k.asks_municipality()) {
            errors.add("open_kinds", "unknown_choice");
        }
        let mut reasons: Vec<String> = Vec::new();
        for line in self
            .reasons
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            optional_text(&mut errors, "reasons", line, SHORT_MAX, Lines::One);
            if !reasons.iter().any(|r| r == line) {
                reasons.push(line.to_owned());
            }
        }
        if reasons.is_empty() {
            errors.add("reasons", "required");
        } else if reasons.len() > MAX_REASONS {
            errors.add("reasons", "too_many");
        }
        errors.finish(|| CaseRules {
            max_per_request_ore,
            max_per_group_year_ore,
            open_kinds,
            reasons,
            four_eyes_above_ore,
        })
    }
}

/// What one action on a case carries. The person fills in what the action needs; the server
/// stamps who, when and whether four eyes are needed before it is applied (the phone stamps
/// its own guess, to show the result at once).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseStep {
    pub action: Option<CaseAction>,
    /// A message, a question, an answer, the follow-up report, a withdrawal's why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Approve: the amount granted (a micro-grant), in öre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_ore: Option<i64>,
    /// Approve: what is given (premises, storage, admin help).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub given: String,
    /// Approve or reject: the decision's reason.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Pay: the day it was paid or delivered, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<Date>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub paid_how: String,
    /// Pay (a micro-grant): who received the money, a named contact of the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<Uuid>,
    /// Follow-up: how many took part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
    /// How many entries the trail had when the person chose this (staff pages send it): a
    /// decision on a case that moved on since is refused, not applied over the other's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<usize>,
    // Stamped by the server:
    #[serde(default)]
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Uuid>,
    #[serde(default)]
    pub role: CaseRole,
    /// The handler's name (an assignment shows the group who handles their case).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by_name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_second: bool,
}

impl CaseStep {
    pub fn of(action: CaseAction) -> CaseStep {
        CaseStep {
            action: Some(action),
            ..CaseStep::default()
        }
    }
}

/// One line of the trail: what happened, from which state to which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEntry {
    pub from: CaseState,
    pub to: CaseState,
    pub step: CaseStep,
}

/// A micro-support case as stored and synced (to the group's members; staff read it on the
/// server). The trail is only ever added to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseData {
    /// The request (a need of a kind that asks the municipality).
    pub need: Uuid,
    pub group: Uuid,
    /// `MS-2026-0042`: a number a person can say on the phone.
    pub number: String,
    pub kind: NeedKind,
    pub title: String,
    /// What the group asked for, in öre (a micro-grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_ore: Option<i64>,
    /// The payee the group named in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_payee: Option<Uuid>,
    pub state: CaseState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<Uuid>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handler_name: String,
    /// Who approved first, while a second staff member is awaited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_approver: Option<Uuid>,
    /// The decision: the amount granted or what is given, and the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_ore: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub given: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// When the decision counted (approved or rejected), Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<Date>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub paid_how: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<Uuid>,
    /// The group's follow-up report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub report: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
    pub trail: Vec<CaseEntry>,
}

/// The longest message, question, answer or report, in characters.
pub const NOTE_MAX: usize = 2000;
/// The longest reason, what is given, or how it was paid.
pub const SHORT_MAX: usize = 500;
/// The largest number of participants a report may give.
pub const MAX_PARTICIPANTS: u32 = 100_000;

/// The case number of the `seq`th case opened in `year`: `MS-2026-0042`.
pub fn case_number(year: u16, seq: i64) -> String {
    format!("MS-{year}-{seq:04}")
}

/// The instants (Unix seconds) a calendar year in Stockholm starts and ends.
pub fn year_span(year: u16) -> (i64, i64) {
    let start = |y: u16| {
        let days = Date::parse(&format!("{y:04}-01-01")).map_or(0, |d| d.days());
        super::local_time::stockholm_to_utc(days, 0)
    };
    (start(year), start(year + 1))
}

/// A request's case id: derived from the request's, so each request has one case.
pub fn case_id(need: Uuid) -> Uuid {
    const NAMESPACE: Uuid = Uuid::from_u128(0x6d5f_2a1c_8e0b_4f57_9c3d_7a41_0b2e_5c19);
    Uuid::new_v5(&NAMESPACE, need.as_bytes())
}

/// What the server knows when it judges a step (`None` on a phone: the server judges those).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseKnown {
    pub rules: Option<CaseRules>,
    /// What each group was granted this calendar year, in öre, by cases other than the one
    /// being decided.
    pub granted_this_year: BTreeMap<Uuid, i64>,
}

impl CaseData {
    /// A new case for a request, received at `at`.
    pub fn received(
        need: Uuid,
        request: &super::need::NeedData,
        number: String,
        at: i64,
    ) -> CaseData {
        let (requested_ore, requested_payee) = match &request.details {
            super::need::NeedDetails::MicroGrant {
                amount_ore, payee, ..
            } => (Some(*amount_ore), *payee),
            _ => (None, None),
        };
        let step = CaseStep {
            at,
            ..CaseStep::of(CaseAction::Receive)
        };
        CaseData {
            need,
            group: request.group,
            number,
            kind: request.details.kind(),
            title: request.title.clone(),
            requested_ore,
            requested_payee,
            state: CaseState::Received,
            handler: None,
            handler_name: String::new(),
            first_approver: None,
            granted_ore: None,
            given: String::new(),
            reason: String::new(),
            decided_at: None,
            paid_on: None,
            paid_how: String::new(),
            payee: None,
            report: String::new(),
            participants: None,
            trail: vec![CaseEntry {
                from: CaseState::Received,
                to: CaseState::Received,
                step,
            }],
        }
    }

    /// The actor as this case's rules see them.
    pub fn actor(&self, role: CaseRole, person: Option<Uuid>) -> CaseActor {
        CaseActor {
            role,
            assigned: person.is_some() && person == self.handler,
            approved_first: person.is_some() && person == self.first_approver,
        }
    }

    /// The rules a stored case always keeps.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.trail.is_empty() || !self.number.starts_with("MS-") {
            errors.add("case", "invalid");
        }
        errors.finish(|| ())
    }

    /// Judges `step` on this case before it is applied: the move must be possible from here,
    /// the case must not have moved since the person looked, and what the action needs must be
    /// there and within the rules. Field names match the forms'.
    /// `contacts`: the group's contacts, when known (the payee must be one).
    pub fn check_step(
        &self,
        step: &CaseStep,
        known: &CaseKnown,
        contacts: Option<&BTreeSet<Uuid>>,
    ) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let Some(action) = step.action else {
            return Err(FieldErrors::single("action", "required"));
        };
        if step.seen.is_some_and(|seen| seen != self.trail.len()) {
            return Err(FieldErrors::single("form", "case_changed"));
        }
        if move_to(self.state, action, step.needs_second).is_none() {
            return Err(FieldErrors::single("action", "case_not_now"));
        }
        let note_needed = matches!(
            action,
            CaseAction::AskMoreInfo
                | CaseAction::Answer
                | CaseAction::Message
                | CaseAction::FollowUp
        );
        if note_needed {
            required_text(&mut errors, "note", &step.note, NOTE_MAX, Lines::Many);
        } else {
            optional_text(&mut errors, "note", &step.note, NOTE_MAX, Lines::Many);
        }
        let rules = known.rules.as_ref();
        match action {
            CaseAction::Approve => {
                required_text(&mut errors, "reason", &step.reason, SHORT_MAX, Lines::Many);
                if self.kind == NeedKind::MicroGrant {
                    match step.amount_ore {
                        None => errors.add("amount", "required"),
                        Some(amount) if amount <= 0 => errors.add("amount", "amount_positive"),
                        Some(amount) if self.requested_ore.is_some_and(|r| amount > r) => {
                            errors.add("amount", "amount_over_request")
                        }
                        Some(amount) if rules.is_some_and(|r| amount > r.max_per_request_ore) => {
                            errors.add("amount", "amount_over_max")
                        }
                        Some(amount) => {
                            let year = known.granted_this_year.get(&self.group).copied();
                            let limit = rules.map(|r| r.max_per_group_year_ore);
                            if let (Some(year), Some(limit)) = (year, limit) {
                                if year + amount > limit {
                                    errors.add("amount", "amount_over_year");
                                }
                            }
                        }
                    }
                } else {
                    required_text(&mut errors, "given", &step.given, SHORT_MAX, Lines::Many);
                }
            }
            CaseAction::Reject => {
                required_text(&mut errors, "reason", &step.reason, SHORT_MAX, Lines::Many);
            }
            CaseAction::Pay => {
                if step.paid_on.is_none() {
                    errors.add("paid_on", "required");
                }
                required_text(
                    &mut errors,
                    "paid_how",
                    &step.paid_how,
                    SHORT_MAX,
                    Lines::One,
                );
                if self.kind == NeedKind::MicroGrant {
                    match (step.payee, contacts) {
                        (None, _) => errors.add("payee", "required"),
                        (Some(payee), Some(contacts)) if !contacts.contains(&payee) => {
                            errors.add("payee", "payee_not_contact")
                        }
                        (Some(_), _) => {}
                    }
                }
            }
            CaseAction::FollowUp => {
                if step.participants.is_some_and(|p| p > MAX_PARTICIPANTS) {
                    errors.add("participants", "people_range");
                }
            }
            CaseAction::Assign
            | CaseAction::AskMoreInfo
            | CaseAction::Answer
            | CaseAction::ConfirmApproval
            | CaseAction::Close
            | CaseAction::Withdraw
            | CaseAction::Message
            | CaseAction::Receive => {}
        }
        errors.finish(|| ())
    }

    /// The case after `step` (judged by [`CaseData::check_step`] first): its new state and
    /// what the action sets, and one more line in the trail.
    pub fn apply_step(&self, step: &CaseStep) -> CaseData {
        let Some(action) = step.action else {
            return self.clone();
        };
        let Some(to) = move_to(self.state, action, step.needs_second) else {
            return self.clone();
        };
        let mut next = self.clone();
        match action {
            CaseAction::Assign => {
                next.handler = step.by;
                next.handler_name = step.by_name.clone();
            }
            CaseAction::Approve => {
                next.granted_ore = step.amount_ore;
                next.given = step.given.clone();
                next.reason = step.reason.clone();
                next.first_approver = step.needs_second.then_some(step.by).flatten();
            }
            CaseAction::Reject => {
                next.reason = step.reason.clone();
                next.granted_ore = None;
                next.first_approver = None;
            }
            CaseAction::Pay => {
                next.paid_on = step.paid_on;
                next.paid_how = step.paid_how.clone();
                next.payee = step.payee;
            }
            CaseAction::FollowUp => {
                next.report = step.note.clone();
                next.participants = step.participants;
            }
            CaseAction::AskMoreInfo
            | CaseAction::Answer
            | CaseAction::ConfirmApproval
            | CaseAction::Close
            | CaseAction::Withdraw
            | CaseAction::Message
            | CaseAction::Receive => {}
        }
        if matches!(to, CaseState::Approved | CaseState::Rejected) && !self.state.is_decided() {
            next.decided_at = Some(step.at);
            next.first_approver = None;
        }
        next.state = to;
        next.trail.push(CaseEntry {
            from: self.state,
            to,
            step: step.clone(),
        });
        next
    }

    /// When the case entered each state it has been in, for [`waited`].
    pub fn states(&self) -> Vec<(CaseState, i64)> {
        let mut states: Vec<(CaseState, i64)> = Vec::new();
        for entry in &self.trail {
            if states.last().is_none_or(|(s, _)| *s != entry.to) {
                states.push((entry.to, entry.step.at));
            }
        }
        states
    }
}

/// A case step as typed on a page: every value text or a choice, kept as typed when refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStepForm {
    pub action: Option<CaseAction>,
    #[serde(default)]
    pub note: String,
    /// Kronor, as a person writes them (`800`, `1 200,50`).
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub given: String,
    /// A reason chosen from the list (or empty), and free text; the decision's reason is both.
    #[serde(default)]
    pub reason_choice: String,
    #[serde(default)]
    pub reason: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub paid_how: String,
    #[serde(default)]
    pub payee: Option<Uuid>,
    #[serde(default)]
    pub participants: String,
    /// How many trail lines the page showed (see [`CaseStep::seen`]).
    #[serde(default)]
    pub seen: Option<usize>,
}

impl CaseStepForm {
    /// The step the form asks for, or what is wrong with it, field by field. The rules of the
    /// case itself are judged when it is applied ([`CaseData::check_step`]).
    pub fn parse(&self) -> Result<CaseStep, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.action.is_none() {
            errors.add("action", "required");
        }
        let amount_ore = match self.amount.trim() {
            "" => None,
            raw => {
                let parsed = super::need::parse_amount_ore(raw);
                if parsed.is_none() {
                    errors.add("amount", "amount_invalid");
                }
                parsed
            }
        };
        let paid_on = match self.paid_on.trim() {
            "" => None,
            raw => {
                let parsed = Date::parse(raw);
                if parsed.is_none() {
                    errors.add("paid_on", "date_invalid");
                }
                parsed
            }
        };
        let participants = match self.participants.trim() {
            "" => None,
            raw => match raw.parse::<u32>() {
                Ok(n) if n <= MAX_PARTICIPANTS => Some(n),
                Ok(_) | Err(_) => {
                    errors.add("participants", "people_range");
                    None
                }
            },
        };
        let reason = match (self.reason_choice.trim(), self.reason.trim()) {
            ("", text) => text.to_owned(),
            (choice, "") => choice.to_owned(),
            (choice, text) => format!("{choice}. {text}"),
        };
        errors.finish(|| CaseStep {
            action: self.action,
            note: self.note.trim().to_owned(),
            amount_ore,
            given: self.given.trim().to_owned(),
            reason,
            paid_on,
            paid_how: self.paid_how.trim().to_owned(),
            payee: self.payee,
            participants,
            seen: self.seen,
            ..CaseStep::default()
        })
    }
}

/// What the handlers' queue is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// One state; `None`: every open one (not closed, not withdrawn).
    pub state: Option<CaseState>,
    pub kind: Option<NeedKind>,
    pub district: Option<Uuid>,
    pub handler: Option<Uuid>,
    /// 1, 2, 3 …
    pub page: u32,
}

impl QueueFilter {
    /// Read from the queue page's query (`?steg=…&typ=…&omrade=…&handlaggare=…&mina=1&sida=2`);
    /// what does not parse is left out. With `mina`, `me` is the handler.
    pub fn from_query(get: impl Fn(&str) -> Option<String>, me: Option<Uuid>) -> QueueFilter {
        let id = |key: &str| get(key).and_then(|v| Uuid::parse_str(v.trim()).ok());
        let mine = get("mina").is_some_and(|v| v == "1");
        QueueFilter {
            state: get("steg").and_then(|s| CaseState::parse(s.trim())),
            kind: get("typ").and_then(|k| NeedKind::parse(k.trim())),
            district: id("omrade"),
            handler: if mine { me } else { id("handlaggare") },
            page: get("sida")
                .and_then(|p| p.trim().parse::<u32>().ok())
                .unwrap_or(1)
                .clamp(1, 10_000),
        }
    }

    /// The query of this filter on another page.
    pub fn query(&self, page: u32) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.state {
            parts.push(format!("steg={}", s.as_str()));
        }
        if let Some(k) = self.kind {
            parts.push(format!("typ={}", k.as_str()));
        }
        if let Some(d) = self.district {
            parts.push(format!("omrade={d}"));
        }
        if let Some(h) = self.handler {
            parts.push(format!("handlaggare={h}"));
        }
        if page > 1 {
            parts.push(format!("sida={page}"));
        }
        parts.join("&")
    }
}

/// Cases per page of the queue.
pub const QUEUE_PAGE: u32 = 50;

/// A case in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedCase {
    pub id: Uuid,
    pub number: String,
    pub kind: NeedKind,
    pub state: CaseState,
    pub title: String,
    pub group_name: String,
    pub district: Uuid,
    pub handler_name: Option<String>,
    pub requested_ore: Option<i64>,
    pub waited: Waited,
}

/// One page of the queue, oldest waiting first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseQueue {
    pub cases: Vec<QueuedCase>,
    pub total: u64,
    pub page: u32,
    /// The staff who handle cases, to filter by.
    pub handlers: Vec<(Uuid, String)>,
}

impl CaseQueue {
    pub fn pages(&self) -> u32 {
        u32::try_from(self.total.div_ceil(u64::from(QUEUE_PAGE)))
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

/// One line of a case's trail as a page shows it: who (a name, a pseudonym once they closed
/// their account, or nobody for the server) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailLine {
    pub who: Option<String>,
    pub from: CaseState,
    pub to: CaseState,
    pub step: CaseStep,
}

/// A case as staff and the group's members read it on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub id: Uuid,
    pub case: CaseData,
    pub group_name: String,
    pub formal: bool,
    pub district: Uuid,
    /// The group's contacts (the payee is one of them).
    pub contacts: Vec<(Uuid, String)>,
    pub payee_name: Option<String>,
    /// What the group was granted this year, by other cases, in öre.
    pub granted_this_year: i64,
    pub rules: CaseRules,
    pub trail: Vec<TrailLine>,
    pub waited: Waited,
    /// What the reader may do now.
    pub allowed: Vec<CaseAction>,
    /// The reader handles cases (staff).
    pub staff: bool,
}

/// One line of the support report: what was granted and paid in a period, for one priority
/// area (`None`: the request named none), district and kind of actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportRow {
    pub area: Option<Uuid>,
    pub district: Uuid,
    pub formal: bool,
    /// Cases decided or paid in the period.
    pub cases: u32,
    pub granted_ore: i64,
    pub paid_ore: i64,
}

/// The support report of a period (both days included). A request in several priority areas
/// is on the line of each, so the lines can add up to more than the totals, which count each
/// case once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportReport {
    pub from: Date,
    pub until: Date,
    pub rows: Vec<SupportRow>,
    pub cases: u32,
    pub granted_ore: i64,
    pub paid_ore: i64,
}

/// The report's period: the days asked for (the right way round), by default this calendar
/// year until today.
pub fn report_period(from: Option<Date>, until: Option<Date>, today: Date) -> (Date, Date) {
    let first = Date::parse(&format!("{:04}-01-01", today.year())).unwrap_or(today);
    let (from, until) = (from.unwrap_or(first), until.unwrap_or(today));
    if from <= until {
        (from, until)
    } else {
        (until, from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HANDLER: CaseActor = CaseActor {
        role: CaseRole::Staff,
        assigned: true,
        approved_first: false,
    };
    const SECOND: CaseActor = CaseActor {
        role: CaseRole::Staff,
        assigned: false,
        approved_first: false,
    };
    const CONTACT: CaseActor = CaseActor {
        role: CaseRole::GroupContact,
        assigned: false,
        approved_first: false,
    };
    const OTHER: CaseActor = CaseActor {
        role: CaseRole::Other,
        assigned: false,
        approved_first: false,
    };

    fn walk(steps: &[(CaseAction, CaseActor)], needs_second: bool) -> Vec<CaseState> {
        let mut states = vec![CaseState::Received];
        for (action, actor) in steps {
            let state = *states.last().unwrap();
            states.push(next(state, *action, *actor, needs_second).unwrap());
        }
        states
    }

    #[test]
    fn the_night_walkers_request_goes_from_received_to_closed() {
        use CaseAction::*;
        let states = walk(
            &[
                (Assign, SECOND),
                (AskMoreInfo, HANDLER),
                (Answer, CONTACT),
                (Approve, HANDLER),
                (Pay, HANDLER),
                (FollowUp, CONTACT),
                (Close, HANDLER),
            ],
            false,
        );
        assert_eq!(
            states.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            [
                "received",
                "in_review",
                "more_info",
                "in_review",
                "approved",
                "paid",
                "followed_up",
                "closed"
            ]
        );
    }

    #[test]
    fn four_eyes_need_a_second_staff_member() {
        use CaseAction::*;
        let first = CaseActor {
            approved_first: true,
            ..HANDLER
        };
        assert_eq!(
            next(CaseState::InReview, Approve, HANDLER, true),
            Ok(CaseState::AwaitingSecond)
        );
        assert_eq!(
            next(CaseState::AwaitingSecond, ConfirmApproval, first, true),
            Err(Refusal::NotAllowed),
            "not the one who approved first"
        );
        assert_eq!(
            next(CaseState::AwaitingSecond, ConfirmApproval, SECOND, true),
            Ok(CaseState::Approved)
        );
        assert_eq!(
            next(CaseState::AwaitingSecond, Pay, HANDLER, true),
            Err(Refusal::NotNow),
            "no payment before the approval counts"
        );
    }

    #[test]
    fn wrong_moves_are_refused_with_why() {
        use CaseAction::*;
        assert_eq!(
            next(CaseState::Received, Pay, HANDLER, false),
            Err(Refusal::NotNow)
        );
        assert_eq!(
            next(CaseState::Approved, FollowUp, CONTACT, false),
            Err(Refusal::NotNow)
        );
        assert_eq!(
            next(CaseState::InReview, Approve, CONTACT, false),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            next(CaseState::InReview, Approve, SECOND, false),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            next(CaseState::Approved, Withdraw, CONTACT, false),
            Err(Refusal::NotNow)
        );
        assert_eq!(
            allowed(CaseState::InReview, CONTACT, false),
            [Withdraw, Message]
        );
        assert_eq!(
            allowed(CaseState::MoreInfo, CONTACT, false),
            [Answer, Withdraw, Message]
        );
        assert_eq!(
            allowed(CaseState::InReview, HANDLER, false),
            [Assign, AskMoreInfo, Approve, Reject, Message]
        );
        for state in CaseState::ALL {
            assert!(allowed(state, OTHER, false).is_empty());
            assert_eq!(CaseState::parse(state.as_str()), Some(state));
            if state.is_final() {
                assert!(allowed(state, HANDLER, false).is_empty());
                assert!(allowed(state, CONTACT, false).is_empty());
            }
        }
        for action in CaseAction::ALL {
            assert_eq!(CaseAction::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn the_clock_stands_still_while_the_group_is_asked() {
        let trail = [
            (CaseState::Received, 0),
            (CaseState::InReview, 100),
            (CaseState::MoreInfo, 300),
            (CaseState::InReview, 1_300),
        ];
        assert_eq!(
            waited(&trail, 1_500),
            Waited {
                in_state: 200,
                total: 500
            }
        );
        assert_eq!(waited(&[], 10), Waited::default());
    }

    const GROUP: Uuid = Uuid::from_u128(0x60);
    const NEED: Uuid = Uuid::from_u128(0x61);
    const EVA: Uuid = Uuid::from_u128(0xe7a);
    const ANNA: Uuid = Uuid::from_u128(0xa22a);

    fn night_walkers_case() -> CaseData {
        let mut request = crate::domain::need::tests::grant(80_000);
        request.group = GROUP;
        CaseData::received(NEED, &request, case_number(2026, 42), 1_000)
    }

    fn step(action: CaseAction, at: i64) -> CaseStep {
        CaseStep {
            at,
            ..CaseStep::of(action)
        }
    }

    fn rules() -> CaseKnown {
        CaseKnown {
            rules: Some(CaseRules::with_max_per_request(500_000)),
            granted_this_year: BTreeMap::from([(GROUP, 1_600_000)]),
        }
    }

    fn contacts() -> BTreeSet<Uuid> {
        BTreeSet::from([ANNA])
    }

    /// Checks and applies, as `apply` does.
    fn take(case: &CaseData, step: &CaseStep) -> Result<CaseData, FieldErrors> {
        case.check_step(step, &rules(), Some(&contacts()))?;
        Ok(case.apply_step(step))
    }

    fn keys(result: Result<CaseData, FieldErrors>) -> BTreeMap<String, Vec<String>> {
        result.map(|_| BTreeMap::new()).unwrap_or_else(|e| e.0)
    }

    #[test]
    fn the_night_walkers_800_kronor_go_through_every_step_into_the_trail() {
        let case = night_walkers_case();
        assert_eq!(case.number, "MS-2026-0042");
        assert_eq!(case.requested_ore, Some(80_000));
        let assign = CaseStep {
            by: Some(EVA),
            by_name: "Eva".into(),
            role: CaseRole::Staff,
            ..step(CaseAction::Assign, 2_000)
        };
        let case = take(&case, &assign).unwrap();
        assert_eq!(
            (case.handler, case.handler_name.as_str()),
            (Some(EVA), "Eva")
        );
        let case = take(
            &case,
            &CaseStep {
                note: "Hur många västar?".into(),
                ..step(CaseAction::AskMoreInfo, 3_000)
            },
        )
        .unwrap();
        let case = take(
            &case,
            &CaseStep {
                note: "Tjugo".into(),
                ..step(CaseAction::Answer, 9_000)
            },
        )
        .unwrap();
        let case = take(
            &case,
            &CaseStep {
                amount_ore: Some(80_000),
                reason: "Når många i området".into(),
                ..step(CaseAction::Approve, 10_000)
            },
        )
        .unwrap();
        assert_eq!(
            (case.state, case.decided_at),
            (CaseState::Approved, Some(10_000))
        );
        let case = take(
            &case,
            &CaseStep {
                paid_on: Date::parse("2026-11-30"),
                paid_how: "Swish".into(),
                payee: Some(ANNA),
                ..step(CaseAction::Pay, 11_000)
            },
        )
        .unwrap();
        let case = take(
            &case,
            &CaseStep {
                note: "Vi gick tre kvällar".into(),
                participants: Some(12),
                ..step(CaseAction::FollowUp, 12_000)
            },
        )
        .unwrap();
        let case = take(&case, &step(CaseAction::Close, 13_000)).unwrap();
        assert_eq!(case.state, CaseState::Closed);
        assert_eq!(
            (case.report.as_str(), case.participants),
            ("Vi gick tre kvällar", Some(12))
        );
        assert_eq!(case.trail.len(), 8);
        assert_eq!(
            case.states()
                .iter()
                .map(|(s, _)| s.as_str())
                .collect::<Vec<_>>(),
            [
                "received",
                "in_review",
                "more_info",
                "in_review",
                "approved",
                "paid",
                "followed_up",
                "closed"
            ]
        );
        // The municipality's clock: received, in review twice and approved, 1,000 s each; it
        // stood still while the group was asked, and once the money was paid.
        assert_eq!(waited(&case.states(), 13_000).total, 4_000);
    }

    #[test]
    fn bad_steps_name_the_field_and_change_nothing() {
        let case = night_walkers_case();
        let in_review = take(&case, &step(CaseAction::Assign, 1)).unwrap();
        let approve = |amount: Option<i64>, reason: &str| CaseStep {
            amount_ore: amount,
            reason: reason.into(),
            ..step(CaseAction::Approve, 2)
        };
        for (amount, key) in [
            (None, "required"),
            (Some(0), "amount_positive"),
            (Some(-5), "amount_positive"),
            (Some(80_001), "amount_over_request"),
        ] {
            assert_eq!(
                keys(take(&in_review, &approve(amount, "Skäl")))["amount"],
                [key]
            );
        }
        assert_eq!(
            keys(take(&in_review, &approve(Some(80_000), "  ")))["reason"],
            ["required"]
        );
        assert_eq!(
            keys(take(&in_review, &step(CaseAction::Reject, 2)))["reason"],
            ["required"]
        );
        // 16,000 kronor granted already this year; the limit is 20,000.
        let mut big = night_walkers_case();
        big.requested_ore = Some(600_000);
        let big = take(&big, &step(CaseAction::Assign, 1)).unwrap();
        assert_eq!(
            keys(take(&big, &approve(Some(500_001), "Skäl")))["amount"],
            ["amount_over_max"]
        );
        assert_eq!(
            keys(take(&big, &approve(Some(500_000), "Skäl")))["amount"],
            ["amount_over_year"]
        );
        assert!(take(&big, &approve(Some(400_000), "Skäl")).is_ok());
        // Payment before approval, a report before payment: not now.
        let pay = CaseStep {
            paid_on: Date::parse("2026-11-30"),
            paid_how: "Swish".into(),
            payee: Some(ANNA),
            ..step(CaseAction::Pay, 3)
        };
        assert_eq!(keys(take(&in_review, &pay))["action"], ["case_not_now"]);
        let report = CaseStep {
            note: "Bra".into(),
            ..step(CaseAction::FollowUp, 3)
        };
        assert_eq!(keys(take(&in_review, &report))["action"], ["case_not_now"]);
        // A payee who is not a named contact.
        let approved = take(&in_review, &approve(Some(80_000), "Skäl")).unwrap();
        let stranger = CaseStep {
            payee: Some(EVA),
            ..pay.clone()
        };
        assert_eq!(
            keys(take(&approved, &stranger))["payee"],
            ["payee_not_contact"]
        );
        assert!(take(&approved, &pay).is_ok());
        // Two handlers: the one who saw an older case is told, not applied over the other.
        let stale = CaseStep {
            seen: Some(in_review.trail.len()),
            ..approve(Some(80_000), "Skäl")
        };
        assert_eq!(keys(take(&approved, &stale))["form"], ["case_changed"]);
    }

    #[test]
    fn four_eyes_wait_for_a_second_and_the_rules_say_when() {
        let mut rules = CaseRules::with_max_per_request(500_000);
        assert!(!rules.needs_second(Some(400_000)), "off by default");
        rules.four_eyes_above_ore = Some(50_000);
        assert!(rules.needs_second(Some(50_001)));
        assert!(!rules.needs_second(Some(50_000)));
        let case = take(&night_walkers_case(), &step(CaseAction::Assign, 1)).unwrap();
        let first = take(
            &case,
            &CaseStep {
                amount_ore: Some(80_000),
                reason: "Skäl".into(),
                by: Some(EVA),
                needs_second: true,
                ..step(CaseAction::Approve, 2)
            },
        )
        .unwrap();
        assert_eq!(
            (first.state, first.first_approver, first.decided_at),
            (CaseState::AwaitingSecond, Some(EVA), None)
        );
        let second = take(&first, &step(CaseAction::ConfirmApproval, 3)).unwrap();
        assert_eq!(
            (second.state, second.first_approver, second.decided_at),
            (CaseState::Approved, None, Some(3))
        );
        assert_eq!(second.granted_ore, Some(80_000));
    }

    #[test]
    fn the_rules_form_reads_kronor_and_lines_and_names_what_is_wrong() {
        let rules = CaseRules::with_max_per_request(500_000);
        let form = CaseRulesForm::of(&rules);
        assert_eq!(form.parse(), Ok(rules));
        let typed = CaseRulesForm {
            max_per_request: "1 000,50".into(),
            max_per_year: "20000".into(),
            open_kinds: vec![NeedKind::MicroGrant, NeedKind::Storage],
            reasons: "  Bra\n\nBra\nNej  ".into(),
            four_eyes_above: "800".into(),
        };
        let parsed = typed.parse().unwrap();
        assert_eq!(parsed.max_per_request_ore, 100_050);
        assert_eq!(parsed.open_kinds, [NeedKind::MicroGrant, NeedKind::Storage]);
        assert_eq!(parsed.reasons, ["Bra", "Nej"]);
        assert_eq!(parsed.four_eyes_above_ore, Some(80_000));
        let bad = CaseRulesForm {
            max_per_request: "5000".into(),
            max_per_year: "4000".into(),
            open_kinds: vec![NeedKind::Activity],
            reasons: " ".into(),
            four_eyes_above: "-1".into(),
        };
        let errors = bad.parse().unwrap_err().0;
        assert_eq!(errors["max_per_year"], ["year_below_request"]);
        assert_eq!(errors["open_kinds"], ["unknown_choice"]);
        assert_eq!(errors["reasons"], ["required"]);
        assert_eq!(errors["four_eyes_above"], ["amount_invalid"]);
    }

    #[test]
    fn the_report_period_defaults_to_this_year_and_reads_backwards_ranges_right() {
        let day = |d: &str| Date::parse(d).unwrap();
        let today = day("2026-11-30");
        assert_eq!(report_period(None, None, today), (day("2026-01-01"), today));
        assert_eq!(
            report_period(Some(day("2026-06-30")), Some(day("2026-01-01")), today),
            (day("2026-01-01"), day("2026-06-30"))
        );
        let (from, until) = year_span(2026);
        assert_eq!(until - from, 365 * 86_400);
        assert_eq!(
            crate::domain::local_time::format_utc(from),
            "2025-12-31T23:00:00Z"
        );
    }

    fn any_full_step() -> impl Strategy<Value = CaseStep> {
        (
            prop::sample::select(CaseAction::ALL.to_vec()),
            prop::option::of(-10i64..200_000),
            any::<bool>(),
            prop::option::of(0usize..12),
            any::<bool>(),
        )
            .prop_map(|(action, amount, filled, seen, needs_second)| {
                let text = if filled { "Text" } else { "" };
                CaseStep {
                    note: text.into(),
                    amount_ore: amount,
                    given: text.into(),
                    reason: text.into(),
                    paid_on: filled.then(|| Date::parse("2026-11-30")).flatten(),
                    paid_how: text.into(),
                    payee: filled.then_some(ANNA),
                    seen,
                    needs_second,
                    ..CaseStep::of(action)
                }
            })
    }

    fn any_actor() -> impl Strategy<Value = CaseActor> {
        (
            prop::sample::select(vec![
                CaseRole::Staff,
                CaseRole::GroupContact,
                CaseRole::Other,
            ]),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(role, assigned, approved_first)| CaseActor {
                role,
                assigned,
                approved_first,
            })
    }

    fn any_step() -> impl Strategy<Value = (CaseAction, CaseActor)> {
        (prop::sample::select(CaseAction::ALL.to_vec()), any_actor())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever anyone tries, in any order: only staff decide, pay and close; only the
        /// group's contacts answer, report and withdraw; nobody else does anything; nothing
        /// leaves a final state; and every case that reaches "closed" was decided on the way.
        #[test]
        fn no_illegal_move_is_reachable_and_closed_is_always_decided(
            steps in prop::collection::vec(any_step(), 0..40),
            needs_second in any::<bool>(),
        ) {
            let mut state = CaseState::Received;
            let mut decided = false;
            let mut trail = vec![state];
            for (action, actor) in steps {
                let Ok(to) = next(state, action, actor, needs_second) else { continue };
                prop_assert!(!state.is_final(), "{state:?} is final");
                match actor.role {
                    CaseRole::Other | CaseRole::System => prop_assert!(false, "{actor:?} did {action:?}"),
                    CaseRole::GroupContact => prop_assert!(matches!(
                        action,
                        CaseAction::Answer | CaseAction::FollowUp | CaseAction::Withdraw | CaseAction::Message
                    )),
                    CaseRole::Staff => prop_assert!(!matches!(
                        action,
                        CaseAction::Answer | CaseAction::FollowUp | CaseAction::Withdraw
                    )),
                }
                if matches!(action, CaseAction::Approve | CaseAction::Reject | CaseAction::Pay | CaseAction::Close | CaseAction::AskMoreInfo) {
                    prop_assert!(actor.assigned, "only the assigned handler");
                }
                // A reassignment keeps the state; every real move into "paid" is from "approved".
                if to == CaseState::Paid && state != CaseState::Paid {
                    prop_assert_eq!(state, CaseState::Approved, "paid only once approved");
                }
                if to == CaseState::Withdrawn && state != CaseState::Withdrawn {
                    prop_assert!(!state.is_decided(), "withdrawn only before a decision");
                }
                decided |= to.is_decided();
                state = to;
                trail.push(state);
            }
            if state == CaseState::Closed {
                prop_assert!(decided, "closed without a decision: {trail:?}");
                prop_assert!(trail.contains(&CaseState::Approved) || trail.contains(&CaseState::Rejected));
            }
        }

        /// The clock never counts more than the time that passed, and a pause adds nothing.
        #[test]
        fn the_clock_counts_only_the_municipalitys_time(
            gaps in prop::collection::vec((prop::sample::select(CaseState::ALL.to_vec()), 0i64..10_000), 1..20),
            pause in 0i64..100_000,
        ) {
            let mut at = 0;
            let mut trail = Vec::new();
            for (state, gap) in &gaps {
                trail.push((*state, at));
                at += gap;
            }
            let now = at;
            let before = waited(&trail, now);
            prop_assert!(before.total <= now && before.in_state <= now);
            // The group is asked something for `pause` seconds, then answers.
            let mut paused = trail.clone();
            paused.push((CaseState::MoreInfo, now));
            paused.push((CaseState::InReview, now + pause));
            let after = waited(&paused, now + pause);
            prop_assert_eq!(after.total, before.total);
            prop_assert_eq!(after.in_state, 0);
        }

        /// Whatever is tried, the trail only grows: every accepted step adds exactly one line
        /// and keeps every earlier line as it was; a refused step changes nothing; the case's
        /// state is always its trail's last.
        #[test]
        fn the_trail_only_grows(steps in prop::collection::vec(any_full_step(), 0..30)) {
            let mut case = night_walkers_case();
            for (i, step) in steps.into_iter().enumerate() {
                let step = CaseStep { at: i as i64, ..step };
                match take(&case, &step) {
                    Ok(next) => {
                        prop_assert_eq!(next.trail.len(), case.trail.len() + 1);
                        prop_assert_eq!(&next.trail[..case.trail.len()], &case.trail[..]);
                        case = next;
                    }
                    Err(errors) => prop_assert!(!errors.is_empty()),
                }
                prop_assert_eq!(case.state, case.trail.last().unwrap().to);
                prop_assert!(case.check().is_ok());
            }
        }
    }
}

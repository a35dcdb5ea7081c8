//! What the server decides when an activity or a sign-up changes, inside the same [`Batch`]
//! (so under the one counter, one writer at a time): who gets a place, who waits and who moves
//! up; which occasions an activity's schedule has from today on, and who must be told that
//! theirs moved or was cancelled. Every write it makes goes through `Batch::apply` as the
//! server itself, so phones pull them like any other change.
//!
//! The rules are the shared ones in `domain::activity` ([`decide`], [`promote`],
//! [`reschedule`]); here they meet the records the batch holds.
use std::collections::BTreeMap;

use uuid::Uuid;

use super::sync::Batch;
use crate::domain::activity::{
    decide, occasion_id, promote, Notice, OccasionData, OccasionStatus, ShiftCount, SignUpData,
    SignUpPatch, SignUpStatus,
};
use crate::domain::case::{
    case_id, case_number, move_to, CaseAction, CaseData, CaseState, CaseStep,
};
use crate::domain::need::{NeedData, NeedDetails, NeedPatch, NeedStatus};
use crate::sync::kinds::Actor;
use crate::sync::protocol::{Data, KindOp, Op, Refusal};

/// How far back a phone's clock may date a sign-up (a phone offline for days still keeps its
/// place in the waiting list; one that claims a month ago does not jump the queue).
pub const SIGN_UP_CLOCK_DAYS: i64 = 14;

fn refused(field: &str, key: &str) -> Refusal {
    Refusal::Invalid {
        fields: BTreeMap::from([(field.to_owned(), vec![key.to_owned()])]),
    }
}

impl Batch {
    fn live(&self, id: Uuid) -> Option<&Data> {
        self.held.get(&id).and_then(|h| h.row.data.as_ref())
    }

    pub(super) fn occasion(&self, id: Uuid) -> Option<&OccasionData> {
        match self.live(id) {
            Some(Data::Occasion(o)) => Some(o),
            _ => None,
        }
    }

    /// The live sign-ups of one occasion's shift (`shift: None`: of every shift).
    fn sign_ups_of(&self, occasion: Uuid, shift: Option<u8>) -> Vec<(Uuid, SignUpData)> {
        self.held
            .iter()
            .filter_map(|(id, h)| match &h.row.data {
                Some(Data::SignUp(s))
                    if s.occasion == occasion && shift.is_none_or(|x| x == s.shift) =>
                {
                    Some((*id, s.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// The occasions of activity `need` the batch holds.
    fn occasions_of(&self, need: Uuid) -> Vec<(Uuid, OccasionData)> {
        self.held
            .iter()
            .filter_map(|(id, h)| match &h.row.data {
                Some(Data::Occasion(o)) if o.need == need => Some((*id, o.clone())),
                _ => None,
            })
            .collect()
    }

    /// Decides a new sign-up before it is written: a place while one is free, else the
    /// waiting list (or no, when the shift has none). `Err`: refused, nothing written.
    pub(super) fn decide_sign_up(&self, mut data: SignUpData) -> Result<SignUpData, Refusal> {
        let occasion = self
            .occasion(data.occasion)
            .ok_or_else(|| refused("occasion", "unknown_choice"))?;
        let shift = occasion
            .shift(data.shift)
            .ok_or_else(|| refused("shift", "unknown_choice"))?;
        if occasion.status == OccasionStatus::Cancelled || !occasion.open {
            return Err(refused("occasion", "occasion_closed"));
        }
        data.requested_at = data
            .requested_at
            .min(self.now)
            .max(self.now - SIGN_UP_CLOCK_DAYS * 86_400);
        // One may join an occasion under way (a late walker), not one that is over.
        if data.requested_at >= occasion.ends_at || self.now >= occasion.ends_at {
            return Err(refused("occasion", "occasion_past"));
        }
        let held = self.sign_ups_of(data.occasion, Some(data.shift));
        if held
            .iter()
            .any(|(_, s)| s.volunteer == data.volunteer && s.status.is_active())
        {
            return Err(refused("shift", "already_signed_up"));
        }
        let places: Vec<_> = held.iter().map(|(i, s)| s.place(*i)).collect();
        data.status = decide(shift.places, &places);
        if data.status == SignUpStatus::Waiting && !shift.waiting_list {
            return Err(refused("shift", "shift_full"));
        }
        data.notice = (data.status == SignUpStatus::Waiting).then_some(Notice::Waitlisted);
        data.name = self.names.get(&data.volunteer).cloned().unwrap_or_default();
        data.group_name = self.names.get(&data.group).cloned().unwrap_or_default();
        data.title = occasion.title.clone();
        data.place = occasion.place.clone();
        data.starts_at = occasion.starts_at;
        data.ends_at = occasion.ends_at;
        Ok(data)
    }

    /// Judges an edit of a sign-up against the occasion's times before it is written: a place
    /// is given back before the occasion starts; who came and their hours are told after.
    pub(super) fn judge_sign_up_edit(
        &self,
        current: &SignUpData,
        patch: &SignUpPatch,
    ) -> Result<(), Refusal> {
        let Some(occasion) = self.occasion(current.occasion) else {
            return Err(refused("occasion", "unknown_choice"));
        };
        let withdraws = patch.status == Some(SignUpStatus::Withdrawn)
            && current.status != SignUpStatus::Withdrawn;
        if withdraws && self.now >= occasion.starts_at {
            return Err(refused("status", "occasion_started"));
        }
        if patch.attended.is_some() && self.now < occasion.starts_at {
            return Err(refused("attended", "occasion_not_started"));
        }
        if patch.hours.as_ref().is_some_and(Option::is_some) && self.now < occasion.starts_at {
            return Err(refused("hours", "occasion_not_started"));
        }
        Ok(())
    }

    /// After a sign-up changed: the first on the waiting list move into free places (and are
    /// told), and the occasion's counts are written again.
    pub(super) fn after_sign_up(&mut self, occasion: Uuid, shift: u8) {
        let Some(places) = self
            .occasion(occasion)
            .and_then(|o| o.shift(shift))
            .map(|s| s.places)
        else {
            return;
        };
        let held: Vec<_> = self
            .sign_ups_of(occasion, Some(shift))
            .iter()
            .map(|(i, s)| s.place(*i))
            .collect();
        for up in promote(places, &held) {
            self.system_sign_up(
                up,
                SignUpPatch {
                    status: Some(SignUpStatus::Confirmed),
                    notice: Some(Some(Notice::Promoted)),
                    ..SignUpPatch::default()
                },
            );
        }
        self.recount(occasion);
    }

    fn system_sign_up(&mut self, id: Uuid, patch: SignUpPatch) {
        let op = Op::SignUp(KindOp::Update(patch));
        let owner = self.held.get(&id).map(|h| h.row.owner).unwrap_or_default();
        self.apply(&Actor::system(), owner, id, &op, None);
    }

    fn system_occasion(&mut self, id: Uuid, owner: Uuid, data: OccasionData) {
        let op = match self.live(id) {
            Some(Data::Occasion(current)) if *current == data => return,
            Some(_) => Op::Occasion(KindOp::Update(data)),
            None => Op::Occasion(KindOp::Create(data)),
        };
        self.apply(&Actor::system(), owner, id, &op, None);
    }

    /// Writes the occasion's counts of places taken and waiting, if they changed.
    fn recount(&mut self, occasion: Uuid) {
        let Some(mut data) = self.occasion(occasion).cloned() else {
            return;
        };
        let sign_ups = self.sign_ups_of(occasion, None);
        for shift in &mut data.shifts {
            let count = |status| {
                let n = sign_ups
                    .iter()
                    .filter(|(_, s)| s.shift == shift.id && s.status == status)
                    .count();
                u16::try_from(n).unwrap_or(u16::MAX)
            };
            shift.confirmed = count(SignUpStatus::Confirmed);
            shift.waiting = count(SignUpStatus::Waiting);
        }
        let owner = self
            .held
            .get(&occasion)
            .map(|h| h.row.owner)
            .unwrap_or_default();
        self.system_occasion(occasion, owner, data);
    }

    /// The occasions an activity's change leads to, judged before the activity is written:
    /// fewer places than are already taken at an occasion to come is refused.
    pub(super) fn check_schedule(&self, need: Uuid, data: &NeedData) -> Result<(), Refusal> {
        let NeedDetails::Activity { schedule, .. } = &data.details else {
            return Ok(());
        };
        let occasions = self.occasions_of(need);
        for (index, spec) in schedule.shifts.iter().enumerate() {
            for (_, occasion) in &occasions {
                let taken = occasion.shift(spec.id).map_or(0, |s| s.confirmed);
                if occasion.date >= self.today
                    && occasion.status == OccasionStatus::Scheduled
                    && spec.places < taken
                {
                    let field = crate::domain::activity::shift_field(index, "places");
                    return Err(refused(&field, "places_below_taken"));
                }
            }
        }
        Ok(())
    }

    /// After an activity was written: its occasions from today on follow the schedule and the
    /// activity's state. New dates get an occasion; an occasion whose times changed is moved,
    /// one whose date is gone (or whose activity was withdrawn) is cancelled, and those signed
    /// up are told. Occasions before today stay as they were.
    pub(super) fn after_activity(&mut self, need: Uuid, owner: Uuid) {
        let Some(Data::Need(data)) = self.live(need).cloned() else {
            // A draft removed: its occasions go with it.
            for (id, _) in self.occasions_of(need) {
                let owner = self.held.get(&id).map(|h| h.row.owner).unwrap_or(owner);
                self.apply(
                    &Actor::system(),
                    owner,
                    id,
                    &Op::Occasion(KindOp::Delete),
                    None,
                );
            }
            return;
        };
        // A need that is no longer an activity keeps no occasions to come.
        let (place, schedule) = match &data.details {
            NeedDetails::Activity {
                place, schedule, ..
            } => (place.clone(), Some(schedule.clone())),
            _ => (String::new(), None),
        };
        let withdrawn = data.status == NeedStatus::Withdrawn || schedule.is_none();
        let taking = data.status == NeedStatus::Open;
        let existing: BTreeMap<Uuid, OccasionData> = self.occasions_of(need).into_iter().collect();
        let mut planned = Vec::new();
        if let (false, Some(schedule)) = (withdrawn, &schedule) {
            for occasion in schedule.occasions() {
                if occasion.date < self.today {
                    continue;
                }
                let id = occasion_id(need, occasion.date);
                let before = existing.get(&id);
                let shifts = schedule
                    .shifts
                    .iter()
                    .map(|spec| {
                        let counted = before.and_then(|b| b.shift(spec.id));
                        ShiftCount {
                            id: spec.id,
                            label: spec.label.clone(),
                            places: spec.places,
                            waiting_list: spec.waiting_list,
                            confirmed: counted.map_or(0, |c| c.confirmed),
                            waiting: counted.map_or(0, |c| c.waiting),
                        }
                    })
                    .collect();
                let moved = before
                    .filter(|b| (b.starts_at, b.ends_at) != (occasion.starts_at, occasion.ends_at));
                let data = OccasionData {
                    need,
                    group: data.group,
                    district: data.district,
                    title: data.title.clone(),
                    place: place.clone(),
                    date: occasion.date,
                    starts_at: occasion.starts_at,
                    ends_at: occasion.ends_at,
                    shifts,
                    status: OccasionStatus::Scheduled,
                    moved_from: moved
                        .map(|b| (b.starts_at, b.ends_at))
                        .or_else(|| before.and_then(|b| b.moved_from)),
                    open: taking && occasion.ends_at > self.now,
                };
                planned.push((id, data, moved.is_some()));
            }
        }
        for (id, occasion, moved) in &planned {
            self.system_occasion(*id, owner, occasion.clone());
            if *moved {
                let when = Some((occasion.starts_at, occasion.ends_at));
                self.tell_sign_ups(*id, Notice::Moved, None, when);
            }
        }
        for (id, occasion) in existing {
            let kept = planned.iter().any(|(p, _, _)| *p == id);
            if kept || occasion.date < self.today || occasion.status == OccasionStatus::Cancelled {
                continue;
            }
            let cancelled = OccasionData {
                status: OccasionStatus::Cancelled,
                open: false,
                ..occasion
            };
            let owner = self.held.get(&id).map(|h| h.row.owner).unwrap_or(owner);
            self.system_occasion(id, owner, cancelled);
            self.tell_sign_ups(id, Notice::Cancelled, Some(SignUpStatus::Cancelled), None);
            self.recount(id);
        }
        for (id, _, _) in planned {
            // Places added: the waiting list moves up.
            let shifts: Vec<u8> = self
                .occasion(id)
                .map(|o| o.shifts.iter().map(|s| s.id).collect())
                .unwrap_or_default();
            for shift in shifts {
                self.after_sign_up(id, shift);
            }
        }
    }

    /// Tells everyone still in the running at an occasion, and sets their status and the
    /// occasion's new times if given.
    fn tell_sign_ups(
        &mut self,
        occasion: Uuid,
        notice: Notice,
        status: Option<SignUpStatus>,
        when: Option<(i64, i64)>,
    ) {
        for (id, sign_up) in self.sign_ups_of(occasion, None) {
            if sign_up.status.is_active() {
                self.system_sign_up(
                    id,
                    SignUpPatch {
                        status,
                        notice: Some(Some(notice)),
                        when,
                        ..SignUpPatch::default()
                    },
                );
            }
        }
    }

    /// A case step as the server records it: who took it and when, under which role, and
    /// whether an approval is above the four-eyes limit. What a person sent for these is not
    /// trusted; the server's own steps (the demo's history) keep what they say, the time
    /// filled in when they give none.
    pub(super) fn stamp(&self, actor: &Actor, case: &CaseData, step: &CaseStep) -> CaseStep {
        if actor.user.is_none() {
            return CaseStep {
                at: if step.at == 0 { self.now } else { step.at },
                ..step.clone()
            };
        }
        let needs_second = step.action == Some(CaseAction::Approve)
            && self
                .known
                .cases
                .rules
                .as_ref()
                .is_some_and(|r| r.needs_second(step.amount_ore));
        CaseStep {
            at: self.now,
            by: actor.user,
            role: actor.case_role(case),
            by_name: actor.name.clone(),
            needs_second,
            ..step.clone()
        }
    }

    /// A request asked now (made asked, or moved from draft to asked) must be of a kind the
    /// municipality takes requests of at the moment (`CaseRules::open_kinds`).
    pub(super) fn check_request_open(
        &self,
        current: crate::sync::apply::Current<'_, Data>,
        need: &NeedData,
    ) -> Result<(), Refusal> {
        let was_asked = matches!(current, crate::sync::apply::Current::Live(Data::Need(n)) if n.status != NeedStatus::Draft);
        let asks_now = need.asks_municipality() && need.status == NeedStatus::Open && !was_asked;
        let closed = self
            .known
            .cases
            .rules
            .as_ref()
            .is_some_and(|r| !r.open_kinds.contains(&need.details.kind()));
        if asks_now && closed {
            Err(refused("kind", "kind_closed"))
        } else {
            Ok(())
        }
    }

    /// After a request to the municipality was written: once asked, it has its case (opened
    /// by the server, with the year's next number); withdrawn before a decision, its case is
    /// withdrawn with it.
    pub(super) fn after_request(&mut self, need: Uuid) {
        let Some(Data::Need(request)) = self.live(need).cloned() else {
            return;
        };
        let id = case_id(need);
        let system = Actor::system();
        match (self.held.get(&id).map(|h| &h.row.data), request.status) {
            (None, NeedStatus::Open) => {
                let Some((year, last)) = self.case_seq else {
                    return;
                };
                self.case_seq = Some((year, last + 1));
                let case =
                    CaseData::received(need, &request, case_number(year, last + 1), self.now);
                let op = Op::Case(KindOp::Create(case));
                self.apply(&system, Uuid::nil(), id, &op, None);
            }
            (Some(Some(Data::Case(case))), NeedStatus::Withdrawn)
                if move_to(case.state, CaseAction::Withdraw, false).is_some() =>
            {
                let op = Op::Case(KindOp::Update(CaseStep::of(CaseAction::Withdraw)));
                self.apply(&system, Uuid::nil(), id, &op, None);
            }
            _ => {}
        }
    }

    /// After a case was written: its request follows it (in progress while it is handled,
    /// fulfilled or closed when the case closes, withdrawn with it).
    pub(super) fn after_case(&mut self, case: Uuid) {
        let Some(Data::Case(c)) = self.live(case).cloned() else {
            return;
        };
        let Some(Data::Need(request)) = self.live(c.need) else {
            return;
        };
        let to = match c.state {
            CaseState::Received => return,
            CaseState::InReview
            | CaseState::MoreInfo
            | CaseState::AwaitingSecond
            | CaseState::Approved
            | CaseState::Rejected
            | CaseState::Paid
            | CaseState::FollowedUp => NeedStatus::InProgress,
            CaseState::Closed if c.paid_on.is_some() => NeedStatus::Fulfilled,
            CaseState::Closed => NeedStatus::Closed,
            CaseState::Withdrawn => NeedStatus::Withdrawn,
        };
        if request.status == to {
            return;
        }
        let owner = self
            .held
            .get(&c.need)
            .map(|h| h.row.owner)
            .unwrap_or_default();
        let op = Op::Need(KindOp::Update(NeedPatch {
            status: Some(to),
            ..NeedPatch::default()
        }));
        self.apply(&Actor::system(), owner, c.need, &op, None);
    }
}

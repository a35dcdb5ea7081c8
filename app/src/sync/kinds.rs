//! The registry of record kinds: each kind is declared once here — its data and patch, its
//! rules, who may create, change and remove it, and who may see it (its scopes). The server
//! and the browser both go through this registry; nothing else in sync knows a kind by name.
//!
//! Adding a kind: its domain module, a [`RecordKind`] impl and a variant in [`Kind`], `Op`
//! and `Data` (`protocol`), its table (both engines' migrations, and its row in `db::records`)
//! and its pages. `docs/SYNC.md` ("Adding a record kind") walks through it.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::account::MemberRole;
use crate::domain::activity::{self, OccasionData, SignUpActor, SignUpData, SignUpPatch};
use crate::domain::case::{CaseData, CaseRole, CaseStep};
use crate::domain::need::{self, NeedActor, NeedData, NeedPatch};
use crate::domain::offer::{Date, Known, OfferData, OfferPatch};
use crate::domain::FieldErrors;

use super::protocol::{Data, KindOp};

/// The kinds of record that sync carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Offer,
    Need,
    Occasion,
    SignUp,
    Case,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Offer,
        Kind::Need,
        Kind::Occasion,
        Kind::SignUp,
        Kind::Case,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Offer => "offer",
            Kind::Need => "need",
            Kind::Occasion => "occasion",
            Kind::SignUp => "sign_up",
            Kind::Case => "case",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// When the phone is full, the kinds with the lowest number are dropped first (the server
    /// can always send them again; the outbox is never dropped).
    pub fn keep_priority(self) -> u8 {
        match self {
            Kind::Need | Kind::Occasion => 0,
            Kind::Offer | Kind::SignUp | Kind::Case => 1,
        }
    }
}

/// Who may see a record: its owner, a group's members (contacts included), or everyone with
/// an interest in a district (a published record). A device holds the records of the scopes
/// its person has now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Owner(Uuid),
    Group(Uuid),
    Public(Uuid),
}

impl Scope {
    /// `o:<uuid>`, `g:<uuid>`, `p:<uuid>`: how a scope is stored and sent.
    pub fn key(&self) -> String {
        match self {
            Scope::Owner(id) => format!("o:{id}"),
            Scope::Group(id) => format!("g:{id}"),
            Scope::Public(id) => format!("p:{id}"),
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        let (tag, id) = raw.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match tag {
            "o" => Some(Scope::Owner(id)),
            "g" => Some(Scope::Group(id)),
            "p" => Some(Scope::Public(id)),
            _ => None,
        }
    }

    /// Seen through this scope, a record shows everything (not its public view).
    pub fn sees_all(&self) -> bool {
        match self {
            Scope::Owner(_) | Scope::Group(_) => true,
            Scope::Public(_) => false,
        }
    }
}

/// Who makes a change and what they may see: from the database on the server, from the last
/// pull's context on the device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// `None`: the server itself (a scheduled job, the demo seed).
    pub user: Option<Uuid>,
    pub staff: bool,
    pub groups: BTreeMap<Uuid, MemberRole>,
    /// The districts whose public records the person follows.
    pub districts: BTreeSet<Uuid>,
    /// The person's name, as a case shows its handler (the server's; empty on a device).
    pub name: String,
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            staff: true,
            ..Actor::default()
        }
    }

    /// The scopes this person may see now. Staff see every record on the server's pages;
    /// their devices hold what any person's would (the bound in `docs/SYNC.md`).
    pub fn scopes(&self) -> BTreeSet<Scope> {
        let mut scopes: BTreeSet<Scope> = self.user.map(Scope::Owner).into_iter().collect();
        scopes.extend(self.groups.keys().copied().map(Scope::Group));
        scopes.extend(self.districts.iter().copied().map(Scope::Public));
        scopes
    }

    fn is(&self, user: Uuid) -> bool {
        self.user == Some(user)
    }

    fn need_actor(&self, group: Uuid) -> NeedActor {
        let person = self.user.map(|_| self.staff);
        NeedActor::of(person, self.groups.get(&group).copied())
    }

    /// Who this person is to a case: a contact of its group before staff (a handler does not
    /// decide their own group's request).
    pub fn case_role(&self, case: &CaseData) -> CaseRole {
        self.case_role_in(case.group)
    }

    /// [`Actor::case_role`] for a case of `group`: a member who is not a contact does not
    /// speak for the group, and is not its handler either.
    pub fn case_role_in(&self, group: Uuid) -> CaseRole {
        match self.user {
            None => CaseRole::System,
            Some(_) if self.groups.get(&group) == Some(&MemberRole::Contact) => {
                CaseRole::GroupContact
            }
            Some(_) if self.groups.contains_key(&group) => CaseRole::Other,
            Some(_) if self.staff => CaseRole::Staff,
            Some(_) => CaseRole::Other,
        }
    }

    /// Who this person is to a sign-up: the volunteer before a contact, a contact before staff.
    pub fn sign_up_actor(&self, sign_up: &SignUpData) -> SignUpActor {
        match self.user {
            None => SignUpActor::System,
            Some(user) if user == sign_up.volunteer => SignUpActor::Volunteer,
            Some(_) if self.groups.get(&sign_up.group) == Some(&MemberRole::Contact) => {
                SignUpActor::Contact
            }
            Some(_) if self.staff => SignUpActor::Staff,
            Some(_) => SignUpActor::Other,
        }
    }
}

/// One kind of record, declared once. `owner` is the person who created the record.
pub trait RecordKind {
    type Data: Clone + PartialEq;
    type Patch;

    /// The rules a stored record always keeps.
    fn check(data: &Self::Data, known: &Known) -> Result<(), FieldErrors>;
    /// Rules judged on the day the change was made (no date in the past), for a new record
    /// (`patch: None`) or an edit.
    fn check_dated(
        data: &Self::Data,
        patch: Option<&Self::Patch>,
        made_on: Date,
    ) -> Result<(), FieldErrors>;
    /// Rules on the change itself, judged on the record as it stands (a state machine's move,
    /// a decision that must not overwrite one made since). Most kinds have none.
    fn check_change(
        _current: &Self::Data,
        _patch: &Self::Patch,
        _known: &Known,
    ) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn patch(data: &Self::Data, patch: &Self::Patch) -> Self::Data;
    fn may_create(actor: &Actor, data: &Self::Data) -> bool;
    fn may_change(actor: &Actor, owner: Uuid, current: &Self::Data, patch: &Self::Patch) -> bool;
    fn may_remove(actor: &Actor, owner: Uuid, current: &Self::Data) -> bool;
    /// Who may see the record.
    fn scopes(owner: Uuid, data: &Self::Data) -> Vec<Scope>;
    /// What is shown to someone who sees it only through a public scope.
    fn public_view(data: &Self::Data) -> Self::Data;
}

pub struct Offers;

impl RecordKind for Offers {
    type Data = OfferData;
    type Patch = OfferPatch;

    fn check(data: &OfferData, known: &Known) -> Result<(), FieldErrors> {
        data.check(known)
    }
    fn check_dated(_: &OfferData, _: Option<&OfferPatch>, _: Date) -> Result<(), FieldErrors> {
        // An offer may name past dates: the volunteer keeps their history.
        Ok(())
    }
    fn patch(data: &OfferData, patch: &OfferPatch) -> OfferData {
        patch.apply_to(data)
    }
    fn may_create(actor: &Actor, _: &OfferData) -> bool {
        actor.user.is_some()
    }
    fn may_change(actor: &Actor, owner: Uuid, _: &OfferData, _: &OfferPatch) -> bool {
        actor.is(owner) || actor.user.is_none()
    }
    fn may_remove(actor: &Actor, owner: Uuid, _: &OfferData) -> bool {
        actor.is(owner) || actor.user.is_none()
    }
    fn scopes(owner: Uuid, _: &OfferData) -> Vec<Scope> {
        vec![Scope::Owner(owner)]
    }
    fn public_view(data: &OfferData) -> OfferData {
        data.clone()
    }
}

pub struct Needs;

impl RecordKind for Needs {
    type Data = NeedData;
    type Patch = NeedPatch;

    fn check(data: &NeedData, known: &Known) -> Result<(), FieldErrors> {
        data.check(known)
    }
    fn check_dated(
        data: &NeedData,
        patch: Option<&NeedPatch>,
        made_on: Date,
    ) -> Result<(), FieldErrors> {
        let judged = patch.is_none_or(NeedPatch::sets_dates);
        if judged {
            data.check_dates(made_on)
        } else {
            Ok(())
        }
    }
    fn patch(data: &NeedData, patch: &NeedPatch) -> NeedData {
        patch.apply_to(data)
    }
    fn may_create(actor: &Actor, data: &NeedData) -> bool {
        need::may_create(actor.need_actor(data.group), data)
    }
    fn may_change(actor: &Actor, _: Uuid, current: &NeedData, patch: &NeedPatch) -> bool {
        need::may_change(actor.need_actor(current.group), current, patch)
    }
    fn may_remove(actor: &Actor, _: Uuid, current: &NeedData) -> bool {
        need::may_remove(actor.need_actor(current.group), current)
    }
    fn scopes(_: Uuid, data: &NeedData) -> Vec<Scope> {
        let mut scopes = vec![Scope::Group(data.group)];
        if data.status.is_public() {
            scopes.push(Scope::Public(data.district));
        }
        scopes
    }
    fn public_view(data: &NeedData) -> NeedData {
        data.public_view()
    }
}

/// An activity's occasions: written by the server alone (from the schedule and the sign-ups),
/// seen by whoever sees the activity.
pub struct Occasions;

impl RecordKind for Occasions {
    type Data = OccasionData;
    /// The server writes an occasion whole.
    type Patch = OccasionData;

    fn check(data: &OccasionData, _: &Known) -> Result<(), FieldErrors> {
        if data.shifts.is_empty() || data.ends_at < data.starts_at {
            Err(FieldErrors::single("occasion", "invalid"))
        } else {
            Ok(())
        }
    }
    fn check_dated(_: &OccasionData, _: Option<&OccasionData>, _: Date) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn patch(_: &OccasionData, patch: &OccasionData) -> OccasionData {
        patch.clone()
    }
    fn may_create(actor: &Actor, _: &OccasionData) -> bool {
        actor.user.is_none()
    }
    fn may_change(actor: &Actor, _: Uuid, _: &OccasionData, _: &OccasionData) -> bool {
        actor.user.is_none()
    }
    fn may_remove(actor: &Actor, _: Uuid, _: &OccasionData) -> bool {
        actor.user.is_none()
    }
    fn scopes(_: Uuid, data: &OccasionData) -> Vec<Scope> {
        let mut scopes = vec![Scope::Group(data.group)];
        if data.open {
            scopes.push(Scope::Public(data.district));
        }
        scopes
    }
    fn public_view(data: &OccasionData) -> OccasionData {
        data.clone()
    }
}

/// A volunteer's sign-up to a shift: the volunteer and the group see it; the server decides
/// the place (see `db::sync`, where the places are counted).
pub struct SignUps;

impl RecordKind for SignUps {
    type Data = SignUpData;
    type Patch = SignUpPatch;

    fn check(data: &SignUpData, known: &Known) -> Result<(), FieldErrors> {
        let occasion = known.occasions.as_ref().map(|o| o.get(&data.occasion));
        match occasion {
            Some(None) => Err(FieldErrors::single("occasion", "unknown_choice")),
            Some(Some(o)) => activity::check_sign_up(data, Some(o)),
            None => activity::check_sign_up(data, None),
        }
    }
    fn check_dated(_: &SignUpData, _: Option<&SignUpPatch>, _: Date) -> Result<(), FieldErrors> {
        // Times are the server's to judge, against the occasion's (see `db::sync`).
        Ok(())
    }
    fn patch(data: &SignUpData, patch: &SignUpPatch) -> SignUpData {
        patch.apply_to(data)
    }
    fn may_create(actor: &Actor, data: &SignUpData) -> bool {
        actor.user.is_none_or(|user| user == data.volunteer)
            && activity::may_sign_up(actor.sign_up_actor(data), data)
    }
    fn may_change(actor: &Actor, _: Uuid, current: &SignUpData, patch: &SignUpPatch) -> bool {
        activity::may_change_sign_up(actor.sign_up_actor(current), actor.user, current, patch)
    }
    fn may_remove(actor: &Actor, _: Uuid, _: &SignUpData) -> bool {
        // A sign-up is withdrawn, not removed: the group's record of who came stays.
        actor.user.is_none()
    }
    fn scopes(_: Uuid, data: &SignUpData) -> Vec<Scope> {
        vec![Scope::Owner(data.volunteer), Scope::Group(data.group)]
    }
    fn public_view(data: &SignUpData) -> SignUpData {
        data.clone()
    }
}

/// A micro-support case: the server opens it when a group asks the municipality for
/// something, staff move it on the server's pages, the group's contacts answer and report from
/// their phones. Its group's members see it; it is never public and never removed.
pub struct Cases;

impl RecordKind for Cases {
    type Data = CaseData;
    type Patch = CaseStep;

    fn check(data: &CaseData, _: &Known) -> Result<(), FieldErrors> {
        data.check()
    }
    fn check_dated(_: &CaseData, _: Option<&CaseStep>, _: Date) -> Result<(), FieldErrors> {
        Ok(())
    }
    fn check_change(current: &CaseData, step: &CaseStep, known: &Known) -> Result<(), FieldErrors> {
        current.check_step(step, &known.cases, known.contacts_of(current.group))
    }
    fn patch(data: &CaseData, step: &CaseStep) -> CaseData {
        data.apply_step(step)
    }
    fn may_create(actor: &Actor, _: &CaseData) -> bool {
        actor.user.is_none()
    }
    fn may_change(actor: &Actor, _: Uuid, current: &CaseData, step: &CaseStep) -> bool {
        let role = actor.case_role(current);
        step.action.is_none_or(|action| {
            crate::domain::case::permitted(action, current.actor(role, actor.user))
        })
    }
    fn may_remove(_: &Actor, _: Uuid, _: &CaseData) -> bool {
        // The trail is kept: a case is closed or withdrawn, never removed.
        false
    }
    fn scopes(_: Uuid, data: &CaseData) -> Vec<Scope> {
        vec![Scope::Group(data.group)]
    }
    fn public_view(data: &CaseData) -> CaseData {
        data.clone()
    }
}

/// The scopes of a record, whatever its kind.
pub fn scopes(owner: Uuid, data: &Data) -> Vec<Scope> {
    match data {
        Data::Offer(d) => Offers::scopes(owner, d),
        Data::Need(d) => Needs::scopes(owner, d),
        Data::Occasion(d) => Occasions::scopes(owner, d),
        Data::SignUp(d) => SignUps::scopes(owner, d),
        Data::Case(d) => Cases::scopes(owner, d),
    }
}

/// What a person who holds `seen` (a record's scopes that are also theirs) is shown:
/// everything through an owner or group scope, the public view through a public one alone,
/// nothing when `seen` is empty.
pub fn view_for(data: &Data, seen: &[Scope]) -> Option<Data> {
    if seen.is_empty() {
        None
    } else if seen.iter().any(Scope::sees_all) {
        Some(data.clone())
    } else {
        Some(match data {
            Data::Offer(d) => Data::Offer(Offers::public_view(d)),
            Data::Need(d) => Data::Need(Needs::public_view(d)),
            Data::Occasion(d) => Data::Occasion(Occasions::public_view(d)),
            Data::SignUp(d) => Data::SignUp(SignUps::public_view(d)),
            Data::Case(d) => Data::Case(Cases::public_view(d)),
        })
    }
}

/// A change's op for kind `K`.
pub type OpOf<K> = KindOp<<K as RecordKind>::Data, <K as RecordKind>::Patch>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::need::tests::{grant, ANNA, GROUP};
    use crate::domain::need::NeedStatus;

    #[test]
    fn every_kind_and_scope_reads_back_from_its_text() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        let id = Uuid::from_u128(7);
        for scope in [Scope::Owner(id), Scope::Group(id), Scope::Public(id)] {
            assert_eq!(Scope::parse(&scope.key()), Some(scope));
        }
        assert_eq!(Scope::parse("x:00000000-0000-0000-0000-000000000007"), None);
        assert_eq!(Scope::parse("g:nope"), None);
    }

    #[test]
    fn an_open_need_is_public_in_its_district_and_a_draft_is_not() {
        let mut need = grant(80_000);
        assert_eq!(
            Needs::scopes(ANNA, &need),
            vec![Scope::Group(GROUP), Scope::Public(need.district)]
        );
        need.status = NeedStatus::Draft;
        assert_eq!(Needs::scopes(ANNA, &need), vec![Scope::Group(GROUP)]);
    }

    #[test]
    fn a_person_sees_the_payee_through_the_group_and_not_through_the_public() {
        let need = Data::Need(grant(80_000));
        let district = Scope::Public(grant(0).district);
        let full = view_for(&need, &[Scope::Group(GROUP), district]).unwrap();
        assert_eq!(full, need);
        let public = view_for(&need, &[district]).unwrap();
        assert!(matches!(
            public,
            Data::Need(NeedData {
                details: crate::domain::need::NeedDetails::MicroGrant { payee: None, .. },
                ..
            })
        ));
        assert_eq!(view_for(&need, &[]), None);
    }

    #[test]
    fn a_person_has_their_own_scope_their_groups_and_their_districts() {
        let actor = Actor {
            user: Some(ANNA),
            staff: false,
            groups: BTreeMap::from([(GROUP, MemberRole::Member)]),
            districts: BTreeSet::from([Uuid::from_u128(1)]),
            name: String::new(),
        };
        assert_eq!(
            actor.scopes(),
            BTreeSet::from([
                Scope::Owner(ANNA),
                Scope::Group(GROUP),
                Scope::Public(Uuid::from_u128(1))
            ])
        );
        assert_eq!(actor.need_actor(GROUP), NeedActor::Member);
        assert_eq!(Actor::system().need_actor(GROUP), NeedActor::System);
    }
}

//! The one function that decides what a change does to a record. The server runs it to decide
//! (it is authoritative); the browser runs the very same function over its copy to show the
//! person the result at once, before the server has seen the change.
//!
//! Conflict rules (why: see `docs/SYNC.md`):
//! - edits merge **field by field**: an edit carries only the fields the person changed, and
//!   the one the server receives last wins each of those fields;
//! - a **removal wins** over an edit that arrives after it: the edit is refused as `Removed`
//!   and the device shows it with what was typed, so nothing is silently lost;
//! - removing something already removed is applied and changes nothing;
//! - a removed record never comes back: creating an id that exists (even removed) is refused.
//!
//! Who may make the change is asked first ([`RecordKind`]'s `may_*`), then the result is
//! judged by the kind's rules: a person learns nothing about a record's rules by writing to
//! one they may not change.
use uuid::Uuid;

use crate::domain::offer::{Date, Known};

use super::kinds::{Actor, Cases, Needs, Occasions, Offers, OpOf, RecordKind, SignUps};
use super::protocol::{Data, KindOp, Op, Refusal};

/// A record as `apply` sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum Current<'a, D> {
    Missing,
    /// Removed (a tombstone).
    Removed,
    Live(&'a D),
}

impl<D> Clone for Current<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<D> Copy for Current<'_, D> {}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect<D> {
    /// The record now holds this.
    Put(D),
    /// The record is now removed.
    Remove,
    /// Applied, nothing to change (a removal of a removed record).
    Nothing,
}

impl<D> Effect<D> {
    fn map<E>(self, f: impl FnOnce(D) -> E) -> Effect<E> {
        match self {
            Effect::Put(d) => Effect::Put(f(d)),
            Effect::Remove => Effect::Remove,
            Effect::Nothing => Effect::Nothing,
        }
    }
}

/// Who judges, and by what: the person making the change, the lists of what exists, and the
/// day the change was made (`None` on a device that does not know it: dates are then left to
/// the server, which always knows).
#[derive(Debug, Clone, Copy)]
pub struct Judge<'a> {
    pub actor: &'a Actor,
    pub known: &'a Known,
    pub made_on: Option<Date>,
}

/// The result of `op` on `current`, a record of kind `K` created by `owner`. Pure: the same
/// inputs always give the same answer.
pub fn apply_kind<K: RecordKind>(
    current: Current<'_, K::Data>,
    owner: Uuid,
    op: &OpOf<K>,
    judge: &Judge<'_>,
) -> Result<Effect<K::Data>, Refusal> {
    let valid = |data: K::Data, patch: Option<&K::Patch>| {
        let dated = match judge.made_on {
            Some(day) => K::check_dated(&data, patch, day),
            None => Ok(()),
        };
        match K::check(&data, judge.known).and(dated) {
            Ok(()) => Ok(Effect::Put(data)),
            Err(errors) => Err(Refusal::Invalid { fields: errors.0 }),
        }
    };
    let allowed = |may: bool| if may { Ok(()) } else { Err(Refusal::Forbidden) };
    match (current, op) {
        (Current::Missing, KindOp::Create(data)) => {
            allowed(K::may_create(judge.actor, data))?;
            valid(data.clone(), None)
        }
        (_, KindOp::Create(_)) => Err(Refusal::AlreadyExists),
        (Current::Missing, KindOp::Update(_) | KindOp::Delete) => Err(Refusal::NotFound),
        (Current::Removed, KindOp::Update(_)) => Err(Refusal::Removed),
        (Current::Removed, KindOp::Delete) => Ok(Effect::Nothing),
        (Current::Live(data), KindOp::Update(patch)) => {
            allowed(K::may_change(judge.actor, owner, data, patch))?;
            K::check_change(data, patch, judge.known)
                .map_err(|errors| Refusal::Invalid { fields: errors.0 })?;
            valid(K::patch(data, patch), Some(patch))
        }
        (Current::Live(data), KindOp::Delete) => {
            allowed(K::may_remove(judge.actor, owner, data))?;
            Ok(Effect::Remove)
        }
    }
}

/// [`apply_kind`] for a change of any kind. A record of another kind under the same id is, to
/// this change, a record that exists (for a create) or is not there (for an edit).
pub fn apply(
    current: Current<'_, Data>,
    owner: Uuid,
    op: &Op,
    judge: &Judge<'_>,
) -> Result<Effect<Data>, Refusal> {
    match op {
        Op::Offer(op) => {
            let current = narrow(current, op, |d| match d {
                Data::Offer(o) => Some(o),
                Data::Need(_) | Data::Occasion(_) | Data::SignUp(_) | Data::Case(_) => None,
            })?;
            apply_kind::<Offers>(current, owner, op, judge).map(|e| e.map(Data::Offer))
        }
        Op::Need(op) => {
            let current = narrow(current, op, |d| match d {
                Data::Need(n) => Some(n),
                Data::Offer(_) | Data::Occasion(_) | Data::SignUp(_) | Data::Case(_) => None,
            })?;
            apply_kind::<Needs>(current, owner, op, judge).map(|e| e.map(Data::Need))
        }
        Op::Occasion(op) => {
            let current = narrow(current, op, |d| match d {
                Data::Occasion(o) => Some(o),
                Data::Offer(_) | Data::Need(_) | Data::SignUp(_) | Data::Case(_) => None,
            })?;
            apply_kind::<Occasions>(current, owner, op, judge).map(|e| e.map(Data::Occasion))
        }
        Op::SignUp(op) => {
            let current = narrow(current, op, |d| match d {
                Data::SignUp(s) => Some(s),
                Data::Offer(_) | Data::Need(_) | Data::Occasion(_) | Data::Case(_) => None,
            })?;
            apply_kind::<SignUps>(current, owner, op, judge).map(|e| e.map(Data::SignUp))
        }
        Op::Case(op) => {
            let current = narrow(current, op, |d| match d {
                Data::Case(c) => Some(c),
                Data::Offer(_) | Data::Need(_) | Data::Occasion(_) | Data::SignUp(_) => None,
            })?;
            apply_kind::<Cases>(current, owner, op, judge).map(|e| e.map(Data::Case))
        }
    }
}

fn narrow<'a, D, P>(
    current: Current<'a, Data>,
    op: &KindOp<D, P>,
    as_kind: impl Fn(&'a Data) -> Option<&'a D>,
) -> Result<Current<'a, D>, Refusal> {
    match current {
        Current::Missing => Ok(Current::Missing),
        Current::Removed => Ok(Current::Removed),
        Current::Live(data) => match (as_kind(data), op) {
            (Some(d), _) => Ok(Current::Live(d)),
            (None, KindOp::Create(_)) => Err(Refusal::AlreadyExists),
            (None, _) => Err(Refusal::NotFound),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::domain::need::tests::{grant, GROUP};
    use crate::domain::need::{NeedPatch, NeedStatus};
    use crate::domain::offer::{Availability, OfferData, OfferPatch, TimeOfDay, WeeklyWindow};
    use crate::domain::MemberRole;
    use crate::sync::protocol::OfferOp;

    pub(crate) fn known() -> Known {
        Known {
            districts: Some((1..=3).map(Uuid::from_u128).collect::<BTreeSet<_>>()),
            areas: Some((11..=12).map(Uuid::from_u128).collect::<BTreeSet<_>>()),
            ..Known::default()
        }
    }

    const OWNER: Uuid = Uuid::from_u128(0xa);

    fn owner() -> Actor {
        Actor {
            user: Some(OWNER),
            ..Actor::default()
        }
    }

    /// An offer op applied by its owner.
    fn apply_offer(
        current: Current<'_, OfferData>,
        op: &OfferOp,
        known: &Known,
    ) -> Result<Effect<OfferData>, Refusal> {
        let actor = owner();
        let judge = Judge {
            actor: &actor,
            known,
            made_on: None,
        };
        apply_kind::<Offers>(current, OWNER, op, &judge)
    }

    fn time(h: u16) -> TimeOfDay {
        TimeOfDay::parse(&format!("{:02}:00", h % 24)).unwrap()
    }

    /// Offers that keep the rules (and some that break them: an unknown district, a window
    /// of zero length) — `apply` must never store the latter.
    pub(crate) fn any_offer() -> impl Strategy<Value = OfferData> {
        (
            prop::collection::vec((1u8..=8, 0u16..24, 0u16..24), 0..3),
            prop::collection::btree_set(1u128..=4, 0..3),
            prop::collection::btree_set(11u128..=12, 0..2),
            "[a-z]{0,8}",
            any::<bool>(),
        )
            .prop_map(|(windows, districts, areas, note, paused)| OfferData {
                availability: if windows.is_empty() {
                    Availability::Flexible
                } else {
                    Availability::Weekly {
                        windows: windows
                            .into_iter()
                            .map(|(weekday, from, to)| WeeklyWindow {
                                weekday,
                                from: time(from),
                                to: time(to),
                            })
                            .collect(),
                        valid_from: None,
                        valid_until: None,
                    }
                },
                districts: districts.into_iter().map(Uuid::from_u128).collect(),
                areas: areas.into_iter().map(Uuid::from_u128).collect(),
                skills: vec![],
                languages: vec![],
                note,
                paused,
            })
    }

    pub(crate) fn any_patch() -> impl Strategy<Value = OfferPatch> {
        (any_offer(), prop::collection::vec(any::<bool>(), 7)).prop_map(|(o, pick)| OfferPatch {
            availability: pick[0].then_some(o.availability),
            districts: pick[1].then_some(o.districts),
            areas: pick[2].then_some(o.areas),
            skills: None,
            languages: None,
            note: pick[5].then_some(o.note),
            paused: pick[6].then_some(o.paused),
        })
    }

    pub(crate) fn any_op() -> impl Strategy<Value = OfferOp> {
        prop_oneof![
            any_offer().prop_map(OfferOp::Create),
            any_patch().prop_map(OfferOp::Update),
            Just(OfferOp::Delete),
        ]
    }

    /// Runs ops from `start`, as the server does: a refusal leaves the record as it was.
    fn run(start: Option<Option<OfferData>>, ops: &[OfferOp]) -> Option<Option<OfferData>> {
        let mut state = start;
        for op in ops {
            let current = match &state {
                None => Current::Missing,
                Some(None) => Current::Removed,
                Some(Some(o)) => Current::Live(o),
            };
            match apply_offer(current, op, &known()) {
                Ok(Effect::Put(o)) => state = Some(Some(o)),
                Ok(Effect::Remove) => state = Some(None),
                Ok(Effect::Nothing) | Err(_) => {}
            }
        }
        state
    }

    #[test]
    fn an_edit_after_a_removal_is_refused_as_removed() {
        let patch = OfferPatch {
            note: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            apply_offer(Current::Removed, &OfferOp::Update(patch), &known()),
            Err(Refusal::Removed)
        );
        assert_eq!(
            apply_offer(Current::Removed, &OfferOp::Delete, &known()),
            Ok(Effect::Nothing)
        );
    }

    #[test]
    fn someone_elses_offer_cannot_be_changed_and_the_rules_are_not_told() {
        let offer = OfferData {
            availability: Availability::Flexible,
            districts: vec![Uuid::from_u128(1)],
            areas: vec![],
            skills: vec![],
            languages: vec![],
            note: String::new(),
            paused: false,
        };
        let stranger = Actor {
            user: Some(Uuid::from_u128(0xb)),
            ..Actor::default()
        };
        let judge = Judge {
            actor: &stranger,
            known: &known(),
            made_on: None,
        };
        // An invalid edit too: the refusal is Forbidden, not the field it breaks.
        let patch = OfferPatch {
            districts: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(
            apply_kind::<Offers>(Current::Live(&offer), OWNER, &KindOp::Update(patch), &judge),
            Err(Refusal::Forbidden)
        );
    }

    fn need_judge(role: Option<MemberRole>) -> (Actor, Known) {
        let actor = Actor {
            user: Some(Uuid::from_u128(0xc)),
            groups: role.map(|r| (GROUP, r)).into_iter().collect(),
            ..Actor::default()
        };
        let mut known = crate::domain::need::tests::known();
        known
            .group_contacts
            .as_mut()
            .unwrap()
            .get_mut(&GROUP)
            .unwrap()
            .insert(Uuid::from_u128(0xc));
        (actor, known)
    }

    #[test]
    fn a_member_who_is_not_a_contact_cannot_post_a_need() {
        for (role, expected) in [
            (
                Some(MemberRole::Contact),
                Ok(Effect::Put(Data::Need(grant(80_000)))),
            ),
            (Some(MemberRole::Member), Err(Refusal::Forbidden)),
            (None, Err(Refusal::Forbidden)),
        ] {
            let (actor, known) = need_judge(role);
            let judge = Judge {
                actor: &actor,
                known: &known,
                made_on: None,
            };
            let op = Op::Need(KindOp::Create(grant(80_000)));
            assert_eq!(
                apply(Current::Missing, OWNER, &op, &judge),
                expected,
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_need_made_offline_is_judged_by_the_day_it_was_made() {
        let (actor, known) = need_judge(Some(MemberRole::Contact));
        let mut need = grant(80_000);
        need.needed_by = Date::parse("2026-11-28");
        let op = Op::Need(KindOp::Create(need));
        let on = |day: &str| Judge {
            actor: &actor,
            known: &known,
            made_on: Date::parse(day),
        };
        assert!(apply(Current::Missing, OWNER, &op, &on("2026-11-28")).is_ok());
        let Err(Refusal::Invalid { fields }) =
            apply(Current::Missing, OWNER, &op, &on("2026-11-29"))
        else {
            panic!("a date in the past is refused");
        };
        assert_eq!(fields["needed_by"], vec!["date_past".to_owned()]);
    }

    #[test]
    fn an_id_of_another_kind_is_taken_for_a_create_and_missing_for_an_edit() {
        let (actor, known) = need_judge(Some(MemberRole::Contact));
        let judge = Judge {
            actor: &actor,
            known: &known,
            made_on: None,
        };
        let need = Data::Need(grant(80_000));
        let create = Op::Offer(KindOp::Create(OfferData {
            availability: Availability::Flexible,
            districts: vec![Uuid::from_u128(1)],
            areas: vec![],
            skills: vec![],
            languages: vec![],
            note: String::new(),
            paused: false,
        }));
        assert_eq!(
            apply(Current::Live(&need), OWNER, &create, &judge),
            Err(Refusal::AlreadyExists)
        );
        let edit = Op::Offer(KindOp::Update(OfferPatch::default()));
        assert_eq!(
            apply(Current::Live(&need), OWNER, &edit, &judge),
            Err(Refusal::NotFound)
        );
        let withdraw = Op::Need(KindOp::Update(NeedPatch {
            status: Some(NeedStatus::Withdrawn),
            ..Default::default()
        }));
        assert!(matches!(
            apply(Current::Live(&need), OWNER, &withdraw, &judge),
            Ok(Effect::Put(_))
        ));
    }

    proptest! {
        #[test]
        fn a_stored_offer_always_keeps_the_rules(ops in prop::collection::vec(any_op(), 0..12)) {
            if let Some(Some(offer)) = run(None, &ops) {
                prop_assert!(offer.check(&known()).is_ok());
            }
        }

        #[test]
        fn a_removed_record_never_comes_back(
            before in prop::collection::vec(any_op(), 0..6),
            after in prop::collection::vec(any_op(), 0..12),
        ) {
            let mut ops = before;
            ops.push(OfferOp::Delete);
            let removed = run(None, &ops);
            prop_assume!(removed == Some(None));
            prop_assert_eq!(run(removed, &after), Some(None));
        }

        #[test]
        fn the_last_edit_wins_each_field_it_changed(offer in any_offer(), a in any_patch(), b in any_patch()) {
            prop_assume!(offer.check(&known()).is_ok());
            let result = run(Some(Some(offer.clone())), &[OfferOp::Update(a.clone()), OfferOp::Update(b.clone())]);
            let Some(Some(merged)) = result else { return Ok(()); };
            // Whatever b set is there, unless b's result broke the rules (then a's result stands).
            let after_a = run(Some(Some(offer.clone())), &[OfferOp::Update(a.clone())]).unwrap().unwrap();
            let expected = if b.apply_to(&after_a).check(&known()).is_ok() { b.apply_to(&after_a) } else { after_a };
            prop_assert_eq!(merged, expected);
        }

        #[test]
        fn edits_of_different_fields_commute(offer in any_offer(), note in "[a-z]{0,5}", paused in any::<bool>()) {
            prop_assume!(offer.check(&known()).is_ok());
            let a = OfferOp::Update(OfferPatch { note: Some(note), ..Default::default() });
            let b = OfferOp::Update(OfferPatch { paused: Some(paused), ..Default::default() });
            let start = Some(Some(offer));
            prop_assert_eq!(run(start.clone(), &[a.clone(), b.clone()]), run(start, &[b, a]));
        }

        #[test]
        fn a_patch_between_two_offers_turns_one_into_the_other(old in any_offer(), new in any_offer()) {
            prop_assert_eq!(OfferPatch::between(&old, &new).apply_to(&old), new);
        }
    }
}

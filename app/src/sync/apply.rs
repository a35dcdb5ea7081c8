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
use crate::domain::offer::{Known, OfferData};

use super::protocol::{OfferOp, Refusal};

/// A record as `apply` sees it: `None` data is a removal (a tombstone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current<'a> {
    Missing,
    Removed,
    Live(&'a OfferData),
}

/// What applying did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The record now holds this.
    Put(OfferData),
    /// The record is now removed.
    Remove,
    /// Applied, nothing to change (a removal of a removed record).
    Nothing,
}

/// The result of `op` on `current`. Pure: the same inputs always give the same answer.
pub fn apply(current: Current<'_>, op: &OfferOp, known: &Known) -> Result<Effect, Refusal> {
    let valid = |offer: OfferData| match offer.check(known) {
        Ok(()) => Ok(Effect::Put(offer)),
        Err(errors) => Err(Refusal::Invalid { fields: errors.0 }),
    };
    match (current, op) {
        (Current::Missing, OfferOp::Create(offer)) => valid(offer.clone()),
        (_, OfferOp::Create(_)) => Err(Refusal::AlreadyExists),
        (Current::Missing, OfferOp::Update(_) | OfferOp::Delete) => Err(Refusal::NotFound),
        (Current::Removed, OfferOp::Update(_)) => Err(Refusal::Removed),
        (Current::Removed, OfferOp::Delete) => Ok(Effect::Nothing),
        (Current::Live(offer), OfferOp::Update(patch)) => valid(patch.apply_to(offer)),
        (Current::Live(_), OfferOp::Delete) => Ok(Effect::Remove),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::domain::offer::{Availability, OfferPatch, TimeOfDay, WeeklyWindow};

    pub(crate) fn known() -> Known {
        Known {
            districts: Some((1..=3).map(Uuid::from_u128).collect::<BTreeSet<_>>()),
            areas: Some((11..=12).map(Uuid::from_u128).collect::<BTreeSet<_>>()),
        }
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
            match apply(current, op, &known()) {
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
            apply(Current::Removed, &OfferOp::Update(patch), &known()),
            Err(Refusal::Removed)
        );
        assert_eq!(
            apply(Current::Removed, &OfferOp::Delete, &known()),
            Ok(Effect::Nothing)
        );
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

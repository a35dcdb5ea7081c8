//! Micro-support as a case: one explicit state machine, written once and used by the browser
//! (to show only the actions allowed now) and by the server (to decide).
//!
//! received → in review (a handler assigned) → decided: approved (an amount, or what is given)
//! or rejected (with a reason) → paid or delivered → followed up (the group's short report) →
//! closed. Before a decision the group may withdraw; a handler in review may ask for more
//! information, which pauses the clock until the group answers. A rejected case is closed
//! without payment. With four eyes on, an approval above the limit waits for a second staff
//! member before it counts as decided.
use serde::{Deserialize, Serialize};

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
}

impl CaseAction {
    pub const ALL: [CaseAction; 10] = [
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
        }
    }

    pub fn parse(raw: &str) -> Option<CaseAction> {
        CaseAction::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// Who acts on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseRole {
    /// Municipal staff (any handler; the one assigned is told apart by [`CaseActor`]).
    Staff,
    /// A contact of the group the case belongs to.
    GroupContact,
    /// Anyone else: a member who is not a contact, another group, the public.
    Other,
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

/// The state `action` by `actor` moves a case in `state` to, or why it may not. With
/// `needs_second` the approval is above the four-eyes limit (four eyes on).
pub fn next(
    state: CaseState,
    action: CaseAction,
    actor: CaseActor,
    needs_second: bool,
) -> Result<CaseState, Refusal> {
    use CaseAction as A;
    use CaseState as S;
    let staff = actor.role == CaseRole::Staff;
    let group = actor.role == CaseRole::GroupContact;
    let allowed = match action {
        A::Assign => staff,
        A::AskMoreInfo | A::Approve | A::Reject | A::Pay | A::Close => staff && actor.assigned,
        A::ConfirmApproval => staff && !actor.approved_first,
        A::Answer | A::FollowUp | A::Withdraw => group,
    };
    if !allowed {
        return Err(Refusal::NotAllowed);
    }
    let to = match (state, action) {
        (S::Received, A::Assign) => S::InReview,
        // Another handler takes it over, wherever it stands.
        (state, A::Assign) if !state.is_final() => state,
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
        _ => return Err(Refusal::NotNow),
    };
    Ok(to)
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
        assert_eq!(allowed(CaseState::InReview, CONTACT, false), [Withdraw]);
        assert_eq!(
            allowed(CaseState::MoreInfo, CONTACT, false),
            [Answer, Withdraw]
        );
        assert_eq!(
            allowed(CaseState::InReview, HANDLER, false),
            [Assign, AskMoreInfo, Approve, Reject]
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
                    CaseRole::Other => prop_assert!(false, "{actor:?} did {action:?}"),
                    CaseRole::GroupContact => prop_assert!(matches!(
                        action,
                        CaseAction::Answer | CaseAction::FollowUp | CaseAction::Withdraw
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
    }
}

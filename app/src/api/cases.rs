//! Micro-support cases on the server's pages: the handlers' queue, one case with its trail,
//! and a step taken on a case. A step goes through the same write path as a phone's change
//! (`db::sync`), so the group's phones pull it; the group's contacts usually take theirs on
//! the phone, through the outbox.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use uuid::Uuid;

use crate::domain::case::{CaseDetail, CaseQueue, CaseState, CaseStepForm};
use crate::domain::need::NeedKind;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

/// `GET /api/case-queue?state=…&kind=…&district=…&handler=…&mine=…&page=…` — open cases,
/// oldest waiting first (staff).
#[server(endpoint = "case-queue", input = GetUrl)]
pub async fn handlers_queue(
    state: Option<CaseState>,
    kind: Option<NeedKind>,
    district: Option<Uuid>,
    handler: Option<Uuid>,
    mine: Option<bool>,
    page: Option<u32>,
) -> Result<CaseQueue, AppError> {
    super::with_status(
        async {
            let app = super::state()?;
            let me = auth::require_user(&app.pool).await?;
            if !permissions::can_handle_cases(Some(me.role)) {
                return Err(AppError::Forbidden);
            }
            let filter = crate::domain::case::QueueFilter {
                state,
                kind,
                district,
                handler: if mine == Some(true) {
                    Some(me.id)
                } else {
                    handler
                },
                page: page.unwrap_or(1).clamp(1, 10_000),
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            db::cases::queue(&app.pool, &filter, now).await
        }
        .await,
    )
}

/// `GET /api/case?id=…` — one case with its trail, for staff and the group's members; anyone
/// else is told there is no such case.
#[server(endpoint = "case", input = GetUrl)]
pub async fn read_case(id: Uuid) -> Result<CaseDetail, AppError> {
    super::with_status(
        async {
            let app = super::state()?;
            let me = auth::require_user(&app.pool).await?;
            let group = db::cases::group_of(&app.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let viewer = db::groups::viewer(&app.pool, group, Some(&me)).await?;
            if !permissions::can_see_case(viewer) {
                return Err(AppError::NotFound);
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let mut detail = db::cases::detail(&app.pool, id, app.config.max_grant_ore, now)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut conn = app.pool.acquire().await?;
            let actor = db::sync::actor(&mut conn, me.id).await?;
            let role = actor.case_role(&detail.case);
            let needs_second = false;
            detail.allowed = crate::domain::case::allowed(
                detail.case.state,
                detail.case.actor(role, Some(me.id)),
                needs_second,
            );
            detail.staff = role == crate::domain::case::CaseRole::Staff;
            Ok(detail)
        }
        .await,
    )
}

/// `POST /api/case-step` — takes a step on a case: staff move it on, the group's contacts
/// answer, report or withdraw. Who may is checked first; then the form; then the case's rules,
/// as of the case now (a step on a case that moved on since the page was read is refused with
/// `case_changed`, and the page reads it again).
#[server(endpoint = "case-step", input = Json)]
pub async fn take_case_step(id: Uuid, form: CaseStepForm) -> Result<(), AppError> {
    super::with_status(
        async {
            use crate::domain::case::{permitted, CaseActor, CaseRole};
            use crate::sync::protocol::{KindOp, Op, Outcome, Refusal};
            let app = super::state()?;
            let me = auth::require_user(&app.pool).await?;
            let group = db::cases::group_of(&app.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let viewer = db::groups::viewer(&app.pool, group, Some(&me)).await?;
            if !permissions::can_see_case(viewer) {
                return Err(AppError::NotFound);
            }
            let mut conn = app.pool.acquire().await?;
            let actor = db::sync::actor(&mut conn, me.id).await?;
            drop(conn);
            // Whether the role may ever take this action; the handler and the state are judged
            // on the case itself, under the write lock.
            let role = match viewer.membership {
                Some(crate::domain::MemberRole::Contact) => CaseRole::GroupContact,
                Some(crate::domain::MemberRole::Member) => CaseRole::Other,
                None => CaseRole::Staff,
            };
            let any_case = CaseActor {
                role,
                assigned: true,
                approved_first: false,
            };
            if form
                .action
                .is_some_and(|action| !permitted(action, any_case))
            {
                return Err(AppError::Forbidden);
            }
            let step = form.parse()?;
            let known = db::reference::known(&app.pool, app.config.max_grant_ore).await?;
            let change = (id, Op::Case(KindOp::Update(step)));
            let outcomes = db::sync::write(&app.pool, &actor, me.id, &[change], known).await?;
            match outcomes.into_iter().next() {
                Some(Outcome::Applied { .. }) => Ok(()),
                Some(Outcome::Refused {
                    reason: Refusal::Invalid { fields },
                }) => Err(AppError::Validation(fields)),
                Some(Outcome::Refused {
                    reason: Refusal::Forbidden,
                }) => Err(AppError::Forbidden),
                Some(Outcome::Refused {
                    reason: Refusal::NotFound | Refusal::Removed,
                }) => Err(AppError::NotFound),
                Some(Outcome::Refused {
                    reason: Refusal::AlreadyExists,
                })
                | None => Err(AppError::Internal),
            }
        }
        .await,
    )
}

//! Groups: register, view, invite and join, become formal, verify, leave.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use uuid::Uuid;

use crate::domain::account::{GroupSummary, GroupView, Invitation, MyGroup};
use crate::domain::forms::{ConvertInput, GroupInput};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

/// `POST /api/register-group` — the signed-in person becomes its first contact.
#[server(endpoint = "register-group", input = Json)]
pub async fn register_group(form: GroupInput) -> Result<Uuid, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let valid = form.validate()?;
            db::groups::register(&state.pool, me.id, &valid).await
        }
        .await,
    )
}

/// `GET /api/group?id=…` — a group's page; members and history only for its members and staff.
#[server(endpoint = "group", input = GetUrl)]
pub async fn group(id: Uuid) -> Result<GroupView, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::current_user(&state.pool).await?;
            let viewer = db::groups::viewer(&state.pool, id, me.as_ref()).await?;
            db::groups::view(&state.pool, id, viewer).await
        }
        .await,
    )
}

/// `GET /api/my-groups` — the groups I am in.
#[server(endpoint = "my-groups", input = GetUrl)]
pub async fn my_groups() -> Result<Vec<MyGroup>, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            db::groups::my_groups(&state.pool, me.id).await
        }
        .await,
    )
}

/// `GET /api/groups` — every group, unverified first (staff).
#[server(endpoint = "groups", input = GetUrl)]
pub async fn list_groups() -> Result<Vec<GroupSummary>, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            if !permissions::can_list_groups(Some(me.role)) {
                return Err(AppError::Forbidden);
            }
            db::groups::list(&state.pool).await
        }
        .await,
    )
}

/// `POST /api/create-invite` — a code (and link) that lets someone join as member or contact.
#[server(endpoint = "create-invite", input = Json)]
pub async fn create_invite(group: Uuid, role: String) -> Result<Invitation, AppError> {
    use crate::domain::invite::{InviteCode, LEN};
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let viewer = db::groups::viewer(&state.pool, group, Some(&me)).await?;
            // Permission before the input is judged: only contacts learn what a valid role is.
            if !permissions::can_manage_group(viewer) {
                return Err(AppError::Forbidden);
            }
            let role = crate::domain::forms::validate_invite_role(&role)?;
            if !permissions::can_invite(viewer, role) {
                return Err(AppError::Forbidden);
            }
            let bytes = auth::random_bytes::<{ LEN * 4 }>();
            let mut random = [0u32; LEN];
            for (slot, chunk) in random.iter_mut().zip(bytes.chunks(4)) {
                *slot = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
            let code = InviteCode::from_random(random);
            db::groups::create_invite(&state.pool, group, me.id, role, &code).await
        }
        .await,
    )
}

/// `POST /api/accept-invite` — joins the group the code belongs to; answers its id.
#[server(endpoint = "accept-invite", input = Json)]
pub async fn accept_invite(code: String) -> Result<Uuid, AppError> {
    use crate::domain::invite::InviteCode;
    use crate::domain::FieldErrors;
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let code = InviteCode::parse(&code)
                .ok_or_else(|| FieldErrors::single("code", "invite_invalid"))?;
            db::groups::accept_invite(&state.pool, &code, me.id).await
        }
        .await,
    )
}

/// `POST /api/convert-group` — an informal group becomes a formal actor, keeping its history.
#[server(endpoint = "convert-group", input = Json)]
pub async fn convert_group(group: Uuid, form: ConvertInput) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let viewer = db::groups::viewer(&state.pool, group, Some(&me)).await?;
            if !permissions::can_manage_group(viewer) {
                return Err(AppError::Forbidden);
            }
            let (kind, number) = form.validate()?;
            db::groups::convert(&state.pool, group, me.id, kind, &number).await
        }
        .await,
    )
}

/// `POST /api/verify-group` — staff confirm the group, saying how.
#[server(endpoint = "verify-group", input = Json)]
pub async fn verify_group(group: Uuid, note: String) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            db::groups::viewer(&state.pool, group, Some(&me)).await?;
            if !permissions::can_verify_groups(Some(me.role)) {
                return Err(AppError::Forbidden);
            }
            let note = crate::domain::forms::validate_note(&note)?;
            db::groups::verify(&state.pool, group, me.id, &note).await
        }
        .await,
    )
}

/// `POST /api/remove-member` — leave a group, or (as its contact) remove someone from it.
#[server(endpoint = "remove-member", input = Json)]
pub async fn remove_member(group: Uuid, user: Uuid) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let viewer = db::groups::viewer(&state.pool, group, Some(&me)).await?;
            // Outsiders learn nothing, not even whether the person is a member.
            if viewer.membership.is_none() {
                return Err(AppError::Forbidden);
            }
            let target = db::groups::membership(&state.pool, group, user)
                .await?
                .ok_or(AppError::NotFound)?;
            let contacts = db::groups::contacts(&state.pool, group).await?;
            if !permissions::can_remove_member(viewer, user == me.id, target, contacts) {
                return Err(AppError::Forbidden);
            }
            db::groups::remove_member(&state.pool, group, user, me.id).await
        }
        .await,
    )
}

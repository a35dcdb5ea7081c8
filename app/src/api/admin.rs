//! Administration: staff accounts.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::domain::account::{NewStaffAccount, StaffAccount};
use crate::domain::case::CaseRulesForm;
use crate::domain::forms::StaffInput;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

#[cfg(feature = "ssr")]
async fn require_admin(pool: &crate::db::Pool) -> Result<crate::domain::Me, AppError> {
    let me = auth::require_user(pool).await?;
    if permissions::can_manage_staff(Some(me.role)) {
        Ok(me)
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /api/staff` — every staff and administrator account.
#[server(endpoint = "staff", input = GetUrl)]
pub async fn list_staff() -> Result<Vec<StaffAccount>, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            require_admin(&state.pool).await?;
            db::users::list_staff(&state.pool).await
        }
        .await,
    )
}

/// `POST /api/create-staff` — a staff or administrator account with a one-time password, shown
/// once to the administrator to hand over.
#[server(endpoint = "create-staff", input = Json)]
pub async fn create_staff(form: StaffInput) -> Result<NewStaffAccount, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let admin = require_admin(&state.pool).await?;
            let (name, email, role) = form.validate()?;
            let password = auth::temporary_password();
            let hash = auth::hash_password(password.clone()).await?;
            let account = db::users::create_staff(&state.pool, &name, &email, role, &hash).await?;
            tracing::info!(admin = %admin.id, staff = %account.id, "staff account created");
            Ok(NewStaffAccount {
                account,
                temporary_password: password,
            })
        }
        .await,
    )
}

/// `GET /api/case-rules` — the decision rules for micro-support, as the form shows them
/// (administrators).
#[server(endpoint = "case-rules", input = GetUrl)]
pub async fn case_rules() -> Result<CaseRulesForm, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            require_admin(&state.pool).await?;
            let mut conn = state.pool.acquire().await?;
            let rules = db::cases::rules(&mut conn, state.config.max_grant_ore).await?;
            Ok(CaseRulesForm::of(&rules))
        }
        .await,
    )
}

/// `POST /api/save-case-rules` — changes the decision rules (administrators); they hold from the
/// next decision on.
#[server(endpoint = "save-case-rules", input = Json)]
pub async fn save_case_rules(form: CaseRulesForm) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let admin = require_admin(&state.pool).await?;
            let rules = form.parse()?;
            db::cases::save_rules(&state.pool, &rules, admin.id).await?;
            tracing::info!(admin = %admin.id, "case rules changed");
            Ok(())
        }
        .await,
    )
}

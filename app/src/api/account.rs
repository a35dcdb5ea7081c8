//! Accounts: sign up, sign in and out, my profile, my data, closing my account.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::domain::account::{MyData, Profile};
use crate::domain::forms::{ChangePasswordInput, LogInInput, ProfileInput, SignUpInput};
use crate::domain::Me;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db};

/// `POST /api/sign-up` — a volunteer account, signed in at once.
#[server(endpoint = "sign-up", input = Json)]
pub async fn sign_up(form: SignUpInput) -> Result<Me, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let valid = form.validate()?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let address = auth::client_address(&state.config).await;
            let policy = crate::domain::throttle::Policy {
                free: state.config.sign_ups_per_hour,
                ..crate::domain::throttle::SIGN_UP
            };
            db::throttle::reserve(&state.pool, &format!("signup:{address}"), &policy, now).await?;
            let hash = auth::hash_password(valid.password.clone()).await?;
            let me = db::users::create_volunteer(&state.pool, &valid, &hash).await?;
            auth::start_session(me.id).await?;
            tracing::info!(user = %me.id, "volunteer signed up");
            Ok(me)
        }
        .await,
    )
}

/// `POST /api/log-in` — the same answer for an unknown account and a wrong password. Each
/// attempt is counted before the password is checked: an account gets a few free tries, then
/// waits (see `domain::throttle`); an address with many failures is slowed down, one attempt at
/// a time, never shut out.
#[server(endpoint = "log-in", input = Json)]
pub async fn log_in(form: LogInInput) -> Result<Me, AppError> {
    use crate::domain::throttle::{ACCOUNT, ADDRESS};
    use crate::domain::FieldErrors;
    super::with_status(
        async {
            let state = super::state()?;
            let (contact, password) = form.validate()?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let account_key = contact.throttle_key();
            let address_key = format!("addr:{}", auth::client_address(&state.config).await);
            db::throttle::reserve(&state.pool, &account_key, &ACCOUNT, now).await?;
            let busy =
                db::throttle::retry_after(&state.pool, &address_key, &ADDRESS, now).await? > 0;
            let _turn = state.guards.turn(&address_key, busy).await?;
            let found = db::users::for_login(&state.pool, &contact).await?;
            let hash = found.as_ref().map(|(_, hash)| hash.clone());
            match (auth::verify_password(password, hash).await?, found) {
                (true, Some((me, _))) => {
                    db::throttle::clear(&state.pool, &account_key).await?;
                    auth::start_session(me.id).await?;
                    Ok(me)
                }
                _ => {
                    db::throttle::record_failure(&state.pool, &address_key, &ADDRESS, now).await?;
                    Err(FieldErrors::single("form", "credentials").into())
                }
            }
        }
        .await,
    )
}

/// `POST /api/log-out` — ends this session (also when nobody was signed in).
#[server(endpoint = "log-out")]
pub async fn log_out() -> Result<(), AppError> {
    super::with_status(auth::end_session().await)
}

/// `GET /api/me` — the signed-in person, or nothing.
#[server(endpoint = "me", input = GetUrl)]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let state = super::state()?;
    super::with_status(auth::current_user(&state.pool).await)
}

/// `GET /api/profile` — my profile, to edit.
#[server(endpoint = "profile", input = GetUrl)]
pub async fn my_profile() -> Result<Profile, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            db::users::profile(&state.pool, me.id).await
        }
        .await,
    )
}

/// `POST /api/profile` — change my name, contact details, districts, languages and skills.
#[server(endpoint = "update-profile", input = Json)]
pub async fn update_profile(form: ProfileInput) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let valid = form.validate()?;
            db::users::update_profile(&state.pool, me.id, &valid).await
        }
        .await,
    )
}

/// `POST /api/change-password` — needs the current password; signs out my other devices.
#[server(endpoint = "change-password", input = Json)]
pub async fn change_password(form: ChangePasswordInput) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            form.validate()?;
            auth::confirm_password(&state.pool, me.id, &form.current, "current").await?;
            let hash = auth::hash_password(form.new.clone()).await?;
            let session = auth::session().await?;
            let current = session.id().map(|id| id.to_string());
            db::users::set_password_hash(&state.pool, me.id, &hash, current.as_deref()).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn gather_my_data() -> Result<MyData, AppError> {
    let state = super::state()?;
    let me = auth::require_user(&state.pool).await?;
    let session = auth::session().await?;
    let current = session.id().map(|id| id.to_string());
    db::users::my_data(&state.pool, me.id, current.as_deref()).await
}

/// `GET /api/my-data` — everything stored about me.
#[server(endpoint = "my-data", input = GetUrl)]
pub async fn show_my_data() -> Result<MyData, AppError> {
    super::with_status(gather_my_data().await)
}

/// `GET /api/my-data.json` — the same, as a file to download.
#[server(endpoint = "my-data.json", input = GetUrl)]
pub async fn export_my_data() -> Result<MyData, AppError> {
    let data = super::with_status(gather_my_data().await)?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::header::CONTENT_DISPOSITION,
            axum::http::HeaderValue::from_static(
                "attachment; filename=\"samverka-mina-uppgifter.json\"",
            ),
        );
    }
    Ok(data)
}

/// `POST /api/close-account` — asks for the password, then removes my personal data and signs out.
#[server(endpoint = "close-account", input = Json)]
pub async fn close_account(password: String) -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            auth::confirm_password(&state.pool, me.id, &password, "password").await?;
            db::users::close_account(&state.pool, me.id).await?;
            auth::end_session().await?;
            tracing::info!(user = %me.id, "account closed");
            Ok(())
        }
        .await,
    )
}

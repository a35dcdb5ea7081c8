//! Passwords and sessions on the server (`ssr` only).
//!
//! Passwords are hashed with argon2id (the crate's defaults, OWASP's minimum) on the blocking
//! pool, never on the async runtime. The session (tower-sessions, stored in the database by
//! [`crate::db::sessions`]) holds only the person's id; every request reads the person afresh
//! (once, however many parts of it ask: [`RequestUser`]), so a closed account or a changed role
//! takes effect at once.
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tower_sessions::Session;
use uuid::Uuid;

use crate::db::{self, Pool};
use crate::domain::Me;
use crate::error::AppError;

/// The session middleware: records in the database, an HttpOnly, SameSite=Lax cookie (Secure
/// when configured), signed with a key derived from `SAMVERKA_SECRET_KEY`.
pub fn session_layer(
    pool: Pool,
    config: &crate::config::Config,
) -> tower_sessions::SessionManagerLayer<
    db::sessions::DbSessionStore,
    tower_sessions::service::SignedCookie,
> {
    use tower_sessions::cookie::{time::Duration, Key, SameSite};
    // HKDF needs 32 bytes of master key; production secrets have them (see config). A shorter
    // development secret is stretched by repetition, which is fine for a developer's machine.
    let secret = config.secret_key.expose().as_bytes();
    let master: Vec<u8> = secret
        .iter()
        .copied()
        .cycle()
        .take(secret.len().max(64))
        .collect();
    tower_sessions::SessionManagerLayer::new(db::sessions::DbSessionStore::new(pool))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_path("/")
        .with_expiry(tower_sessions::Expiry::OnInactivity(Duration::days(
            i64::from(config.sessions.idle_days),
        )))
        .with_signed(Key::derive_from(&master))
}

/// The session key that holds the signed-in person's id.
pub const USER_KEY: &str = "user_id";
/// Where the session store leaves the open account the session is signed in to, read in the
/// same query as the session (null when the account is closed or gone). Never stored.
pub const ACCOUNT_KEY: &str = "_account";
/// When the person signed in (unix seconds): the absolute limit counts from here.
const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// The day (unix days) the session was last seen. When it changes the session is written
/// again, which moves its expiry and the cookie's: at most one write a day per person.
const SEEN_DAY_KEY: &str = "seen_day";
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "samverka_session";

/// The value of the cookie `name` in a request's `Cookie` headers, if it has one.
pub fn request_cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .map(|pair| {
            let pair = pair.trim();
            pair.split_once('=').unwrap_or((pair, ""))
        })
        .find_map(|(n, value)| (n == name).then_some(value))
}

/// How many password hashes run at once in this process. Each argon2id computation takes
/// 19 MiB for its few milliseconds; 200 parallel sign-ups must queue here, not take 4 GB.
pub fn max_parallel_hashes() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
        .clamp(2, 8)
}

static HASHING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();

/// Runs `work` (one argon2 computation) on the blocking pool once a hashing permit is free.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let permits = HASHING.get_or_init(|| tokio::sync::Semaphore::new(max_parallel_hashes()));
    let _permit = permits.acquire().await.map_err(|_| AppError::Internal)?;
    blocking(work).await
}

/// Per-process guards of the sign-in path (in the axum state).
#[derive(Debug, Default)]
pub struct Guards {
    /// One line per busy client address (see [`crate::domain::throttle::ADDRESS_PACE_MILLIS`]).
    lines:
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Semaphore>>>,
}

/// A place in an address's line; the next attempt from there waits until it is dropped.
pub struct Turn(#[allow(dead_code)] Option<tokio::sync::OwnedSemaphorePermit>);

impl Guards {
    /// For an address over its limit: waits for its turn (one attempt at a time from there, each
    /// after a pause). For any other address: at once.
    pub async fn turn(&self, address: &str, busy: bool) -> Result<Turn, AppError> {
        use crate::domain::throttle::{ADDRESS_PACE_MILLIS, ADDRESS_QUEUE_MAX_SECS};
        use std::time::Duration;
        if !busy {
            return Ok(Turn(None));
        }
        let line = {
            let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            // Lines nobody waits in are dropped, so the map stays as small as the attack.
            if lines.len() > 1024 {
                lines.retain(|_, s| std::sync::Arc::strong_count(s) > 1);
            }
            lines
                .entry(address.to_owned())
                .or_insert_with(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1)))
                .clone()
        };
        let too_many = || AppError::TooManyRequests {
            retry_after_secs: ADDRESS_QUEUE_MAX_SECS,
        };
        let permit = tokio::time::timeout(
            Duration::from_secs(ADDRESS_QUEUE_MAX_SECS),
            line.acquire_owned(),
        )
        .await
        .map_err(|_| too_many())?
        .map_err(|_| AppError::Internal)?;
        tokio::time::sleep(Duration::from_millis(ADDRESS_PACE_MILLIS)).await;
        Ok(Turn(Some(permit)))
    }
}

/// argon2id of `password`, computed on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "hashing failed");
                AppError::Internal
            })
    })
    .await
}

/// Whether `password` matches `hash`. With no hash (unknown account) it still does the work of
/// one verification, so the answer takes as long either way and tells nothing.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    hashing(move || {
        let dummy;
        let stored = match &hash {
            Some(h) => h.as_str(),
            None => {
                dummy = dummy_hash();
                dummy.as_str()
            }
        };
        let matches = PasswordHash::new(stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        Ok(matches && hash.is_some())
    })
    .await
}

/// A valid argon2id hash of nothing anyone can type, made once per process.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(&random_bytes::<32>(), &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        AppError::Internal
    })?
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A one-time password for a new staff account: 16 characters from the invitation alphabet
/// (about 78 bits), grouped for reading aloud.
pub fn temporary_password() -> String {
    let alphabet = crate::domain::invite::ALPHABET;
    let chars: Vec<char> = random_bytes::<16>()
        .iter()
        .map(|b| char::from(alphabet[*b as usize % alphabet.len()]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The request's session, put there by the session layer.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = ?e, "no session layer around server functions");
        AppError::Internal
    })
}

/// Who a request is from, read at most once per request: the header, the page and each server
/// function it renders all ask, and each would otherwise read the session and the account again.
/// [`check_access`](crate::api::access::check_access) puts one in every request's extensions;
/// signing in or out within the request forgets it.
#[derive(Clone, Default)]
pub struct RequestUser(std::sync::Arc<tokio::sync::Mutex<Option<Option<Me>>>>);

impl RequestUser {
    /// The person `session` belongs to, read the first time and remembered after.
    pub async fn get(
        &self,
        session: &Session,
        pool: &Pool,
        policy: crate::config::SessionPolicy,
    ) -> Result<Option<Me>, AppError> {
        // Held while reading, so that parts of a page asking at once wait for the one read.
        let mut known = self.0.lock().await;
        if let Some(me) = &*known {
            return Ok(me.clone());
        }
        let me = signed_in(session, pool, policy).await?;
        *known = Some(me.clone());
        Ok(me)
    }

    async fn forget(&self) {
        *self.0.lock().await = None;
    }
}

/// This request's [`RequestUser`], where the request went through the access check.
fn request_user() -> Option<RequestUser> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestUser>().cloned())
}

/// The signed-in person, if any (an open account whose id the session holds).
pub async fn current_user(pool: &Pool) -> Result<Option<Me>, AppError> {
    let policy = leptos::prelude::use_context::<crate::state::AppState>()
        .map(|state| state.config.sessions)
        .unwrap_or_default();
    // Every request gets one in the access check. Without one this is no request: Leptos
    // renders the app once at start-up to list its routes, with a made-up request that has no
    // session. Nobody is signed in there.
    let Some(known) = request_user() else {
        tracing::debug!("no request to read a person from (the route list at start-up)");
        return Ok(None);
    };
    known.get(&session().await?, pool, policy).await
}

/// The person `session` belongs to, if any (for plain axum handlers, which get the session as
/// an extractor rather than from the server-function context).
///
/// Idle expiry slides: once a day the session is written again, moving its expiry (and the
/// cookie's) `idle_days` ahead. A session older than `max_days` ends however active it is.
pub async fn signed_in(
    session: &Session,
    pool: &Pool,
    policy: crate::config::SessionPolicy,
) -> Result<Option<Me>, AppError> {
    let id: Option<Uuid> = session.get(USER_KEY).await.map_err(session_error)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.map_err(session_error)?;
    let max_secs = i64::from(policy.max_days) * 86_400;
    match signed_in_at {
        Some(at) if now.saturating_sub(at) > max_secs => {
            session.flush().await.map_err(session_error)?;
            tracing::info!(user = %id, "session ended: older than the absolute limit");
            return Ok(None);
        }
        Some(_) => {}
        // Sessions from before the limit existed count from now.
        None => session
            .insert(SIGNED_IN_AT_KEY, now)
            .await
            .map_err(session_error)?,
    }
    let today = now.div_euclid(86_400);
    let seen: Option<i64> = session.get(SEEN_DAY_KEY).await.map_err(session_error)?;
    if seen != Some(today) {
        session
            .insert(SEEN_DAY_KEY, today)
            .await
            .map_err(session_error)?;
    }
    // The store read the account with the session. Asked for here only when it did not: the
    // session is new in this request (just signed in), or it holds someone else's.
    let account: Option<Option<Me>> = session.get(ACCOUNT_KEY).await.map_err(session_error)?;
    match account {
        Some(account) if account.as_ref().is_none_or(|me| me.id == id) => Ok(account),
        _ => db::users::me(pool, id).await,
    }
}

/// The signed-in person, or `Unauthorized`.
pub async fn require_user(pool: &Pool) -> Result<Me, AppError> {
    current_user(pool).await?.ok_or(AppError::Unauthorized)
}

/// Signs `user` in: a new session id (no fixation), holding only the id.
pub async fn start_session(user: Uuid) -> Result<(), AppError> {
    let session = session().await?;
    if let Some(known) = request_user() {
        known.forget().await;
    }
    session.cycle_id().await.map_err(session_error)?;
    // Whoever the session was signed in to before is not who it is now.
    session
        .remove_value(ACCOUNT_KEY)
        .await
        .map_err(session_error)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    session
        .insert(SIGNED_IN_AT_KEY, now)
        .await
        .map_err(session_error)?;
    session
        .insert(SEEN_DAY_KEY, now.div_euclid(86_400))
        .await
        .map_err(session_error)?;
    session.insert(USER_KEY, user).await.map_err(session_error)
}

/// Signs out: the session is deleted from the store and the cookie removed.
pub async fn end_session() -> Result<(), AppError> {
    if let Some(known) = request_user() {
        known.forget().await;
    }
    session().await?.flush().await.map_err(session_error)
}

/// Checks the signed-in person's password before something that cannot be undone; a wrong one
/// is a message beside `field`. Each try counts against the same limit as signing in to that
/// account (a stolen session cannot guess the password any faster).
pub async fn confirm_password(
    pool: &Pool,
    user: Uuid,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    use crate::domain::throttle::ACCOUNT;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let keys = db::users::throttle_keys(pool, user).await?;
    for key in &keys {
        db::throttle::reserve(pool, key, &ACCOUNT, now).await?;
    }
    let hash = db::users::password_hash(pool, user).await?;
    if verify_password(password.to_owned(), Some(hash)).await? {
        for key in &keys {
            db::throttle::clear(pool, key).await?;
        }
        Ok(())
    } else {
        Err(crate::domain::FieldErrors::single(field, "password_wrong").into())
    }
}

/// The client's address for per-address limits: the TCP peer, or behind our own proxy
/// (`SAMVERKA_TRUST_PROXY=1`) the last `X-Forwarded-For` entry, the one our proxy added.
pub async fn client_address(config: &crate::config::Config) -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    if config.trust_proxy {
        let forwarded =
            leptos::prelude::use_context::<axum::http::request::Parts>().and_then(|p| {
                p.headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .rfind(|v| !v.is_empty())
                    .map(str::to_owned)
            });
        if let Some(addr) = forwarded {
            return addr;
        }
    }
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_owned(),
    }
}

pub fn session_error(err: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %err, "session store failed");
    AppError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password("korrekt häst batteri".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("korrekt häst batteri".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("fel".into(), Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify_password(String::new(), None).await.unwrap());
    }

    /// A busy address is served one attempt at a time, one pace apart; a quiet one at once;
    /// whoever would wait past the queue's limit is told to come back instead.
    #[tokio::test(start_paused = true)]
    async fn a_busy_address_waits_its_turn_and_others_do_not() {
        use crate::domain::throttle::{ADDRESS_PACE_MILLIS, ADDRESS_QUEUE_MAX_SECS};
        use std::sync::Arc;
        use tokio::time::{Duration, Instant};
        let guards = Arc::new(Guards::default());
        let start = Instant::now();
        let quiet = guards.turn("10.0.0.2", false).await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(quiet);

        let attempts = (ADDRESS_QUEUE_MAX_SECS * 1000 / ADDRESS_PACE_MILLIS + 3) as usize;
        let tasks: Vec<_> = (0..attempts)
            .map(|_| {
                let guards = guards.clone();
                tokio::spawn(async move {
                    let turn = guards.turn("10.0.0.1", true).await;
                    (start.elapsed(), turn.is_ok())
                })
            })
            .collect();
        let mut served = Vec::new();
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                (at, true) => served.push(at),
                (_, false) => refused += 1,
            }
        }
        served.sort();
        let pace = Duration::from_millis(ADDRESS_PACE_MILLIS);
        for pair in served.windows(2) {
            assert!(
                pair[1] - pair[0] >= pace,
                "one at a time, a pace apart: {served:?}"
            );
        }
        assert!(refused >= 2, "those past the queue's limit come back later");
        assert!(served.len() >= 10);
    }

    #[test]
    fn temporary_passwords_are_long_and_differ() {
        let a = temporary_password();
        assert_eq!(a.len(), 19);
        assert!(a.chars().count() - 3 >= crate::domain::forms::limits::PASSWORD_MIN);
        assert_ne!(a, temporary_password());
    }
}

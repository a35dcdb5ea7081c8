//! Who is signed in, for every view: one resource per page load, refreshed after signing in
//! or out. Pages that need a person wrap themselves in [`RequireUser`].
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::account::current_user;
use crate::domain::{Me, Role};
use crate::error::AppError;
use crate::i18n::*;

#[derive(Clone, Copy)]
pub struct UserContext(pub Resource<Result<Option<Me>, AppError>>);

impl UserContext {
    /// Reads the signed-in person again (after signing in, out, or closing the account).
    pub fn refresh(&self) {
        self.0.refetch();
    }
}

/// Provided once by the app shell.
pub fn provide_user() {
    provide_context(UserContext(Resource::new(|| (), |_| current_user())));
}

pub fn use_user() -> UserContext {
    expect_context::<UserContext>()
}

/// A resource of a page behind [`RequireUser`], to be made where the page starts, not in
/// `children`: the server builds a waiting `<Suspense>`'s content more than once (Leptos walks
/// it again to find what it waits for), and a resource made in there asks the database again
/// each time (`scripts/bench-queries.sh`). It asks only for a signed-in person whose role
/// `allowed` lets in; for anyone else it holds `Unauthorized` or `Forbidden` without asking,
/// and `RequireUser` (or the page's own role check) shows them what to do instead.
pub fn user_resource<T, Fut>(
    allowed: fn(Role) -> bool,
    fetch: impl Fn() -> Fut + Send + Sync + 'static,
) -> Resource<Result<T, AppError>>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    user_resource_by(allowed, || (), move |()| fetch())
}

/// [`user_resource`] for data that follows a source (the page's path, a version bumped after
/// each change): fetched again whenever `source` changes.
pub fn user_resource_by<S, T, Fut>(
    allowed: fn(Role) -> bool,
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<Result<T, AppError>>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let user = use_user();
    let fetch = Arc::new(fetch);
    Resource::new(source, move |source| {
        let fetch = fetch.clone();
        async move {
            match user.0.await {
                Ok(Some(me)) if allowed(me.role) => fetch(source).await,
                Ok(Some(_)) => Err(AppError::Forbidden),
                Ok(None) => Err(AppError::Unauthorized),
                Err(err) => Err(err),
            }
        }
    })
}

/// Renders `children` with the signed-in person; otherwise a way to sign in that comes back here.
/// `children` is built again whenever the server walks the waiting Suspense: a page's data comes
/// from [`user_resource`], made outside, never from a resource made in `children`.
#[component]
pub fn RequireUser<F, V>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let user = use_user();
    let location = use_location();
    let children = Arc::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match user.0.await {
                        Ok(Some(me)) => children(me).into_any(),
                        Ok(None) => {
                            let back = location.pathname.get_untracked();
                            view! {
                                <section class="message-page">
                                    <p>{t!(i18n, common.sign_in_needed)}</p>
                                    <p class="actions">
                                        <a class="button" href=format!("/logga-in?tillbaka={}", super::lang_switch::encode_path(&back))>{t!(i18n, nav.sign_in)}</a>
                                        <a href="/registrera">{t!(i18n, nav.sign_up)}</a>
                                    </p>
                                </section>
                            }
                            .into_any()
                        }
                        Err(err) => view! {
                            <p class="notice notice--error" role="alert">{crate::components::form::summary(i18n, &err)}</p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shown instead of a page that the person's role does not open.
#[component]
pub fn NotAllowed() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="message-page">
            <p>{t!(i18n, common.not_allowed)}</p>
            <p><a href="/start">{t!(i18n, common.back_to_start)}</a></p>
        </section>
    }
}

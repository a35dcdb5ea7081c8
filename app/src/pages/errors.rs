//! The localized 404 and error pages. They never show what went wrong inside.
use crate::components::PageTitle;
use leptos::prelude::*;
use leptos_meta::Meta;

use crate::i18n::*;

/// Sets the HTTP status of the server-rendered response (no-op in the browser).
fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(_code) {
            response.set_status(status);
        }
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_status(404);
    let i18n = use_i18n();
    view! {
        <MessagePage
            testid="not-found"
            title=move || t_string!(i18n, not_found.title)
            heading=move || t_string!(i18n, not_found.heading)
            body=move || t_string!(i18n, not_found.body)
            link=move || t_string!(i18n, not_found.home_link)
        />
    }
}

/// Shown at `/fel`, where a failed request sends a person.
#[component]
pub fn ErrorPage() -> impl IntoView {
    set_status(500);
    let i18n = use_i18n();
    view! {
        <MessagePage
            testid="error-page"
            title=move || t_string!(i18n, error.title)
            heading=move || t_string!(i18n, error.heading)
            body=move || t_string!(i18n, error.body)
            link=move || t_string!(i18n, error.home_link)
        />
    }
}

/// A page that only says something and offers the way home; not indexed by search engines.
#[component]
fn MessagePage(
    testid: &'static str,
    title: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    heading: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    body: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
    link: impl Fn() -> &'static str + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <PageTitle text=move || title().to_owned() />
        <Meta name="robots" content="noindex" />
        <section class="message-page" data-testid=testid>
            <h1>{heading}</h1>
            <p>{body}</p>
            <p><a class="button" href="/">{link}</a></p>
        </section>
    }
}

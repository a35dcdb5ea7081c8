//! The localized 404 and error pages. They never show what went wrong inside.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

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
        <Title text=move || t_string!(i18n, not_found.title).to_owned() />
        <Meta name="robots" content="noindex" />
        <section class="message-page" data-testid="not-found">
            <h1>{t!(i18n, not_found.heading)}</h1>
            <p>{t!(i18n, not_found.body)}</p>
            <p><a class="button" href="/">{t!(i18n, not_found.home_link)}</a></p>
        </section>
    }
}

/// Shown at `/fel`, where a failed request sends a person.
#[component]
pub fn ErrorPage() -> impl IntoView {
    set_status(500);
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, error.title).to_owned() />
        <Meta name="robots" content="noindex" />
        <section class="message-page" data-testid="error-page">
            <h1>{t!(i18n, error.heading)}</h1>
            <p>{t!(i18n, error.body)}</p>
            <p><a class="button" href="/">{t!(i18n, error.home_link)}</a></p>
        </section>
    }
}

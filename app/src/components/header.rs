use leptos::prelude::*;
use leptos_router::components::A;

use super::{LangSwitch, NetworkStatus};
use crate::i18n::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main" on:click=focus_main>
            {t!(i18n, skip_to_content)}
        </a>
        <header class="site-header">
            <div class="site-header__bar">
                <a class="brand" href="/">
                    <span class="brand__name">{t!(i18n, site_name)}</span>
                    <span class="brand__tagline">{t!(i18n, tagline)}</span>
                </a>
                <div class="site-header__tools">
                    <NetworkStatus />
                    <LangSwitch />
                </div>
            </div>
            <nav class="site-nav" aria-label=move || t_string!(i18n, nav.label)>
                <ul>
                    <li><A href="/">{t!(i18n, nav.home)}</A></li>
                    <li><A href="/tillganglighet">{t!(i18n, nav.accessibility)}</A></li>
                </ul>
            </nav>
        </header>
    }
}

/// The router handles in-page links itself and would not move focus; do what the browser
/// does for `#main` without it, so keyboard and screen-reader users land in the content.
fn focus_main(_ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(main) = document()
            .get_element_by_id("main")
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            _ev.prevent_default();
            let _ = main.focus();
            main.scroll_into_view();
        }
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <p>{t!(i18n, footer.about)}</p>
            <p><a href="/tillganglighet">{t!(i18n, footer.a11y_link)}</a></p>
        </footer>
    }
}

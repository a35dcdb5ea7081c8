//! The accessibility statement (tillgänglighetsredogörelse) Swedish law asks every public
//! digital service to publish.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, a11y.title).to_owned() />
        <article class="prose">
            <h1>{t!(i18n, a11y.heading)}</h1>
            <p>{t!(i18n, a11y.intro)}</p>
            <h2>{t!(i18n, a11y.how_heading)}</h2>
            <p>{t!(i18n, a11y.how_body)}</p>
            <h2>{t!(i18n, a11y.report_heading)}</h2>
            <p>{t!(i18n, a11y.report_body)}</p>
        </article>
    }
}

//! The accessibility statement (tillgänglighetsredogörelse) Swedish law asks every public
//! digital service to publish, following DIGG's model: compliance status, known shortcomings
//! and why, how to get help and report problems (the deployment's own contact, from
//! configuration), enforcement with the link to DIGG's complaint form, how it was assessed,
//! and when it was made and last reviewed.
use leptos::prelude::*;

use crate::api::reference::site_facts;
use crate::components::PageTitle;
use crate::i18n::*;

/// When this statement was made and last reviewed (it describes this version of the software;
/// review it with every release that changes what it says).
const MADE: &str = "2026-11-24";
const REVIEWED: &str = "2026-11-25";
/// DIGG's form for reporting a lack of accessibility.
const DIGG_REPORT: &str = "https://www.digg.se/tdosanmalan";

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let i18n = use_i18n();
    let facts = Resource::new_blocking(|| (), |_| site_facts());
    view! {
        <PageTitle text=move || t_string!(i18n, a11y.title).to_owned() />
        <article class="prose">
            <h1>{t!(i18n, a11y.heading)}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, a11y.loading)}</p> }>
                {move || Suspend::new(async move {
                    let deployment = facts.await.map(|f| f.deployment).unwrap_or_default();
                    let org = deployment.organisation.clone();
                    let org2 = org.clone();
                    let email = deployment.contact_email.clone();
                    let days = deployment.answer_days;
                    let mail = format!("mailto:{email}");
                    view! {
                        <p>{t!(i18n, a11y.intro, org = move || org.clone())}</p>
                        <h2>{t!(i18n, a11y.status_heading)}</h2>
                        <p data-testid="a11y-status">{t!(i18n, a11y.status_body)}</p>
                        <h2>{t!(i18n, a11y.known_heading)}</h2>
                        <ul>
                            <li>{t!(i18n, a11y.known_screen_readers)}</li>
                            <li>{t!(i18n, a11y.known_browsers)}</li>
                            <li>{t!(i18n, a11y.known_user_text)}</li>
                        </ul>
                        <h2>{t!(i18n, a11y.contact_heading)}</h2>
                        <p data-testid="a11y-contact">
                            {t!(i18n, a11y.contact_body, org = move || org2.clone(),
                                email = move || view! { <a href=mail.clone()>{email.clone()}</a> },
                                days = move || days)}
                        </p>
                        {deployment.contact_phone.map(|phone| view! {
                            <p>{t!(i18n, a11y.contact_phone, phone = move || phone.clone())}</p>
                        })}
                    }
                })}
            </Suspense>
            <h2>{t!(i18n, a11y.oversight_heading)}</h2>
            <p>{t!(i18n, a11y.oversight_body)}</p>
            <p><a href=DIGG_REPORT>{t!(i18n, a11y.oversight_link)}</a></p>
            <h2>{t!(i18n, a11y.tested_heading)}</h2>
            <p>{t!(i18n, a11y.tested_body)}</p>
            <p data-testid="a11y-dates">{t!(i18n, a11y.dates, made = || MADE, reviewed = || REVIEWED)}</p>
        </article>
    }
}

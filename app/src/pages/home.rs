use crate::components::PageTitle;
use leptos::prelude::*;

use crate::api::reference::load_reference_data;
use crate::domain::ReferenceData;
use crate::i18n::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let reference = Resource::new(|| (), |_| load_reference_data());

    view! {
        <PageTitle text=move || t_string!(i18n, home.title).to_owned() />
        <section class="hero">
            <h1>{t!(i18n, home.heading)}</h1>
            <p class="lead">{t!(i18n, home.lead)}</p>
        </section>
        <div class="cards">
            <section class="card" aria-labelledby="for-volunteers">
                <h2 id="for-volunteers">{t!(i18n, home.volunteers_heading)}</h2>
                <p>{t!(i18n, home.volunteers_body)}</p>
                <p><a href="/behov" data-testid="needs-link">{t!(i18n, needs.home_link)}</a></p>
            </section>
            <section class="card" aria-labelledby="for-groups">
                <h2 id="for-groups">{t!(i18n, home.groups_heading)}</h2>
                <p>{t!(i18n, home.groups_body)}</p>
            </section>
            <section class="card" aria-labelledby="for-staff">
                <h2 id="for-staff">{t!(i18n, home.staff_heading)}</h2>
                <p>{t!(i18n, home.staff_body)}</p>
            </section>
        </div>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, home.loading)}</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(data) => view! { <ReferenceLists data /> }.into_any(),
                    Err(_) => view! {
                        <p class="notice notice--error" role="alert">{t!(i18n, home.load_failed)}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReferenceLists(data: ReferenceData) -> impl IntoView {
    let i18n = use_i18n();
    let ReferenceData {
        priority_areas,
        districts,
    } = data;
    let no_areas = priority_areas.is_empty();
    let no_districts = districts.is_empty();
    view! {
        <section aria-labelledby="areas-heading">
            <h2 id="areas-heading">{t!(i18n, home.areas_heading)}</h2>
            <Show when=move || !no_areas fallback=move || view! { <p>{t!(i18n, home.areas_empty)}</p> }>
                <ul class="area-list" data-testid="priority-areas">
                    {priority_areas.clone().into_iter().map(|area| {
                        let name = area.name.clone();
                        let description = area.description.clone();
                        view! {
                            <li>
                                <strong>{move || name.get(i18n.get_locale()).to_owned()}</strong>
                                <span>{move || description.get(i18n.get_locale()).to_owned()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
        <section aria-labelledby="districts-heading">
            <h2 id="districts-heading">{t!(i18n, home.districts_heading)}</h2>
            <Show when=move || !no_districts fallback=move || view! { <p>{t!(i18n, home.districts_empty)}</p> }>
                <ul class="chip-list" data-testid="districts">
                    {districts.clone().into_iter().map(|d| view! { <li>{d.name}</li> }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

//! `/personal/erbjudanden` — volunteers' offers for staff, filtered by district, priority area,
//! skill and language. Read-only (matching comes later); rendered completely on the server and
//! usable without JavaScript: the filters are a plain `GET` form and the pages plain links.
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::offers::staff_offers;
use crate::api::reference::load_reference_data;
use crate::components::form::summary;
use crate::components::{user_resource, NotAllowed, PageTitle, RequireUser};
use crate::domain::offer::{ListedOffer, OfferFilter, OfferList};
use crate::domain::{permissions, Me, ReferenceData, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::account::ReferenceResource;
use crate::pages::needs::{page_link, Pages, PlaceFilters};
use crate::pages::offers::availability_text;

const ACTION: &str = "/personal/erbjudanden";

#[component]
pub fn StaffOffersPage() -> impl IntoView {
    let i18n = use_i18n();
    let staff = |role: Role| permissions::can_list_offers(Some(role));
    let filter = use_query_map().with_untracked(|q| OfferFilter::from_query(|k| q.get(k)));
    let asked = filter.clone();
    let list = user_resource(staff, move || {
        let f = asked.clone();
        staff_offers(f.district, f.area, f.skill, f.language, Some(f.page))
    });
    let reference = user_resource(staff, load_reference_data);
    view! {
        <PageTitle text=move || t_string!(i18n, staff_offers.title).to_owned() />
        <h1>{t!(i18n, staff_offers.heading)}</h1>
        <RequireUser children=move |me: Me| {
            if staff(me.role) {
                Either::Left(view! {
                    <p class="lead">{t!(use_i18n(), staff_offers.lead)}</p>
                    <StaffOffers filter=filter.clone() list reference />
                })
            } else {
                Either::Right(view! { <NotAllowed /> })
            }
        } />
    }
}

#[component]
fn StaffOffers(
    filter: OfferFilter,
    list: Resource<Result<OfferList, AppError>>,
    reference: ReferenceResource,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match (reference.await, list.await) {
                        (Ok(reference), Ok(list)) => {
                            let query = filter.clone();
                            Either::Left(view! {
                                <Filters filter reference=reference.clone() list=list.clone() />
                                <Offers list=list.clone() reference />
                                <Pages page=list.page pages=list.pages()
                                    link=move |n| page_link(ACTION, query.query(n)) />
                            })
                        }
                        (Err(err), _) | (_, Err(err)) => Either::Right(view! {
                            <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p>
                        }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Filters(filter: OfferFilter, reference: ReferenceData, list: OfferList) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = |selected: bool| selected.then_some("selected");
    let tags = move |tags: Vec<String>, current: Option<String>| {
        tags.into_iter()
            .map(|t| {
                let selected = chosen(current.as_deref() == Some(t.as_str()));
                let value = t.clone();
                view! { <option value=value selected=selected>{t}</option> }
            })
            .collect_view()
    };
    view! {
        <form class="filters" method="get" action=ACTION role="search" data-testid="offer-filters">
            <PlaceFilters district=filter.district area=filter.area reference />
            <div class="field">
                <label for="filter-skill">{t!(i18n, staff_offers.skill)}</label>
                <select id="filter-skill" name="kompetens">
                    <option value="">{t!(i18n, needs.filter_all)}</option>
                    {tags(list.skills, filter.skill.clone())}
                </select>
            </div>
            <div class="field">
                <label for="filter-language">{t!(i18n, staff_offers.language)}</label>
                <select id="filter-language" name="sprak">
                    <option value="">{t!(i18n, needs.filter_all)}</option>
                    {tags(list.languages, filter.language.clone())}
                </select>
            </div>
            <button class="button" type="submit">{t!(i18n, needs.filter_submit)}</button>
        </form>
    }
}

#[component]
fn Offers(list: OfferList, reference: ReferenceData) -> impl IntoView {
    let i18n = use_i18n();
    if list.offers.is_empty() {
        return Either::Left(
            view! { <p data-testid="no-offers">{t!(i18n, staff_offers.none)}</p> },
        );
    }
    Either::Right(view! {
        <p class="muted" data-testid="offer-count">{t!(i18n, staff_offers.count, count = move || list.total)}</p>
        <ul class="need-list" data-testid="offers">
            {list.offers.into_iter().map(|offer| view! { <Offer offer reference=reference.clone() /> }).collect_view()}
        </ul>
    })
}

#[component]
fn Offer(offer: ListedOffer, reference: ReferenceData) -> impl IntoView {
    let i18n = use_i18n();
    let ListedOffer {
        volunteer, offer, ..
    } = offer;
    let districts = reference
        .districts
        .iter()
        .filter(|d| offer.districts.contains(&d.id))
        .map(|d| d.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let areas: Vec<_> = reference
        .priority_areas
        .into_iter()
        .filter(|a| offer.areas.contains(&a.id))
        .map(|a| a.name)
        .collect();
    let availability = offer.availability.clone();
    let (skills, languages, note) = (
        offer.skills.join(", "),
        offer.languages.join(", "),
        offer.note,
    );
    view! {
        <li class="need" data-testid="offer">
            <h2 class="need__title">{volunteer}</h2>
            <p>{move || availability_text(i18n, &availability)}</p>
            <dl class="facts">
                <dt>{t!(i18n, needs.filter_district)}</dt><dd>{districts}</dd>
                {(!areas.is_empty()).then(|| view! {
                    <dt>{t!(i18n, needs.filter_area)}</dt>
                    <dd>{move || areas.iter().map(|a| a.get(i18n.get_locale()).to_owned()).collect::<Vec<_>>().join(", ")}</dd>
                })}
                {(!skills.is_empty()).then(|| view! { <dt>{t!(i18n, staff_offers.skill)}</dt><dd>{skills}</dd> })}
                {(!languages.is_empty()).then(|| view! { <dt>{t!(i18n, staff_offers.language)}</dt><dd>{languages}</dd> })}
            </dl>
            {(!note.is_empty()).then(|| view! { <p class="prewrap">{note}</p> })}
        </li>
    }
}

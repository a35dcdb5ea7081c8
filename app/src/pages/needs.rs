//! Needs on the server's pages: the public page of open needs (`/behov`, for anyone, no
//! personal data), the staff's list of every asked need (`/personal/behov`, read-only until the
//! case issue), a group's needs on its page, and a need's own page (`/behov/:id`). All are
//! rendered completely on the server and work without JavaScript: the filters are a plain `GET`
//! form and the pages plain links.
use leptos::either::{Either, EitherOf3, EitherOf4, EitherOf7};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::api::needs::{need, open_needs, staff_needs};
use crate::api::reference::load_reference_data;
use crate::components::form::summary;
use crate::components::{user_resource, NotAllowed, PageTitle, RequireUser};
use crate::domain::need::{
    format_kronor, AdminHelp, ListedNeed, NeedData, NeedDetails, NeedFilter, NeedKind, NeedList,
    NeedPage, NeedStatus, PremisesWhen, Urgency, PAGE_SIZES,
};
use crate::domain::{permissions, Me, ReferenceData, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::account::{reference_resource, ReferenceResource};
use crate::text;

/// The kind of a need, in words.
pub fn kind_name(i18n: I18nContext<Locale>, kind: NeedKind) -> &'static str {
    match kind {
        NeedKind::MicroGrant => t_string!(i18n, needs.kind_micro_grant),
        NeedKind::Premises => t_string!(i18n, needs.kind_premises),
        NeedKind::Storage => t_string!(i18n, needs.kind_storage),
        NeedKind::AdminHelp => t_string!(i18n, needs.kind_admin_help),
        NeedKind::Recognition => t_string!(i18n, needs.kind_recognition),
        NeedKind::Other => t_string!(i18n, needs.kind_other),
        NeedKind::Activity => t_string!(i18n, needs.kind_activity),
    }
}

/// Where a need stands, in words. A request to the municipality that is open shows "received".
pub fn status_name(
    i18n: I18nContext<Locale>,
    status: NeedStatus,
    asks_municipality: bool,
) -> &'static str {
    match status {
        NeedStatus::Draft => t_string!(i18n, needs.status_draft),
        NeedStatus::Open if asks_municipality => t_string!(i18n, needs.status_received),
        NeedStatus::Open => t_string!(i18n, needs.status_open),
        NeedStatus::InProgress => t_string!(i18n, needs.status_in_progress),
        NeedStatus::Fulfilled => t_string!(i18n, needs.status_fulfilled),
        NeedStatus::Closed => t_string!(i18n, needs.status_closed),
        NeedStatus::Withdrawn => t_string!(i18n, needs.status_withdrawn),
    }
}

fn urgency_name(i18n: I18nContext<Locale>, urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Low => t_string!(i18n, needs.urgency_low),
        Urgency::Normal => t_string!(i18n, needs.urgency_normal),
        Urgency::High => t_string!(i18n, needs.urgency_high),
    }
}

fn current_filter() -> NeedFilter {
    use_query_map().with_untracked(|q| NeedFilter::from_query(|k| q.get(k)))
}

/// `/behov` — every open need, for anyone.
#[component]
pub fn OpenNeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let filter = current_filter();
    let list = Resource::new(
        move || filter.clone(),
        |f| {
            open_needs(
                f.district,
                f.area,
                f.kind,
                f.from,
                f.until,
                Some(f.fits),
                Some(f.page),
                Some(f.per_page),
            )
        },
    );
    let reference = reference_resource();
    view! {
        <PageTitle text=move || t_string!(i18n, needs.title).to_owned() />
        <h1>{t!(i18n, needs.heading)}</h1>
        <p class="lead">{t!(i18n, needs.lead)}</p>
        <NeedsBrowser action="/behov" filter=current_filter() list reference fits=true />
    }
}

/// `/personal/behov` — every need a group has asked, for staff.
#[component]
pub fn StaffNeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let staff = |role: Role| permissions::can_list_groups(Some(role));
    let f = current_filter();
    let list = user_resource(staff, move || {
        staff_needs(
            f.district,
            f.area,
            f.kind,
            f.from,
            f.until,
            Some(f.page),
            Some(f.per_page),
        )
    });
    let reference = user_resource(staff, load_reference_data);
    view! {
        <PageTitle text=move || t_string!(i18n, needs.staff_title).to_owned() />
        <h1>{t!(i18n, needs.staff_heading)}</h1>
        <RequireUser children=move |me: Me| {
            if staff(me.role) {
                Either::Left(view! {
                    <p class="lead">{t!(use_i18n(), needs.staff_lead)}</p>
                    <NeedsBrowser action="/personal/behov" filter=current_filter() list reference />
                })
            } else {
                Either::Right(view! { <NotAllowed /> })
            }
        } />
    }
}

/// The filter form, the list and the pages, once the reference lists and the needs are in.
#[component]
fn NeedsBrowser(
    action: &'static str,
    filter: NeedFilter,
    list: Resource<Result<NeedList, AppError>>,
    reference: ReferenceResource,
    /// Offers "fits my offers" to someone signed in.
    #[prop(optional)]
    fits: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let user = crate::components::use_user();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    // "Fits my offers" is for someone signed in (who may have offers).
                    let fits = fits && matches!(user.0.await, Ok(Some(_)));
                    match (reference.await, list.await) {
                        (Ok(reference), Ok(list)) => Either::Left(view! {
                            <FilterForm action filter=filter.clone() reference=reference.clone() fits />
                            <NeedItems list=list.clone() reference fitting=fits && filter.fits />
                            <Pages page=list.page pages=list.pages()
                                link=move |n| page_link(action, filter.query(n)) />
                        }),
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
fn FilterForm(
    action: &'static str,
    filter: NeedFilter,
    reference: ReferenceData,
    fits: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = |selected: bool| selected.then_some("selected");
    let day = |d: Option<crate::domain::offer::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <form class="filters" method="get" action=action role="search" data-testid="need-filters">
            <PlaceFilters district=filter.district area=filter.area reference />
            <div class="field">
                <label for="filter-kind">{t!(i18n, needs.filter_kind)}</label>
                <select id="filter-kind" name="typ">
                    <option value="">{t!(i18n, needs.filter_all)}</option>
                    {NeedKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=chosen(filter.kind == Some(k))>{move || kind_name(i18n, k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <fieldset class="field">
                <legend>{t!(i18n, needs.filter_days)}</legend>
                <p class="field__hint" id="filter-days-hint">{t!(i18n, needs.filter_days_hint)}</p>
                <div class="field-row">
                    <div class="field">
                        <label for="filter-from">{t!(i18n, needs.filter_from)}</label>
                        <input type="date" id="filter-from" name="fran" value=day(filter.from) aria-describedby="filter-days-hint" />
                    </div>
                    <div class="field">
                        <label for="filter-until">{t!(i18n, needs.filter_until)}</label>
                        <input type="date" id="filter-until" name="till" value=day(filter.until) aria-describedby="filter-days-hint" />
                    </div>
                </div>
            </fieldset>
            {fits.then(|| view! {
                <div class="field field--check">
                    <input type="checkbox" id="filter-fits" name="passar" value="1" checked=filter.fits />
                    <label for="filter-fits">{t!(i18n, needs.filter_fits)}</label>
                </div>
            })}
            <div class="field">
                <label for="filter-per-page">{t!(i18n, needs.per_page)}</label>
                <select id="filter-per-page" name="antal">
                    {PAGE_SIZES.into_iter().map(|n| view! {
                        <option value=n.to_string() selected=chosen(filter.per_page == n)>{n.to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button class="button" type="submit">{t!(i18n, needs.filter_submit)}</button>
        </form>
    }
}

#[component]
fn NeedItems(
    list: NeedList,
    reference: ReferenceData,
    /// Inside a page's section: titles are third-level headings.
    #[prop(optional)]
    nested: bool,
    /// Narrowed to what fits the reader's offers.
    #[prop(optional)]
    fitting: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    if list.needs.is_empty() {
        return Either::Left(if fitting {
            Either::Left(view! {
                <p data-testid="no-needs"><a href="/erbjudanden">{t!(i18n, needs.fits_none)}</a></p>
            })
        } else {
            Either::Right(view! { <p data-testid="no-needs">{t!(i18n, needs.none)}</p> })
        });
    }
    Either::Right(view! {
        <p class="muted" data-testid="need-count">{t!(i18n, needs.count, count = move || list.total)}</p>
        <ul class="need-list" data-testid="needs">
            {list.needs.into_iter().map(|need| view! { <NeedItem need reference=reference.clone() nested /> }).collect_view()}
        </ul>
    })
}

#[component]
fn NeedItem(need: ListedNeed, reference: ReferenceData, nested: bool) -> impl IntoView {
    let i18n = use_i18n();
    let district = reference
        .districts
        .iter()
        .find(|d| d.id == need.district)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let areas: Vec<_> = reference
        .priority_areas
        .iter()
        .filter(|a| need.areas.contains(&a.id))
        .map(|a| a.name.clone())
        .collect();
    let ListedNeed {
        kind,
        status,
        urgency,
        amount_ore,
        needed_by,
        ..
    } = need;
    let asks = kind.asks_municipality();
    view! {
        <li class="need" data-testid="need">
            {
                let link = view! { <a href=format!("/behov/{}", need.id)>{need.title.clone()}</a> };
                if nested {
                    Either::Left(view! { <h3 class="need__title">{link}</h3> })
                } else {
                    Either::Right(view! { <h2 class="need__title">{link}</h2> })
                }
            }
            <p class="need__meta">
                <span class="badge">{move || kind_name(i18n, kind)}</span>
                " "
                <span class="badge badge--status">{move || status_name(i18n, status, asks)}</span>
                {(urgency == Urgency::High).then(|| view! { " " <span class="badge badge--todo">{move || urgency_name(i18n, urgency)}</span> })}
            </p>
            <p>
                <a href=format!("/grupper/{}", need.group)>{need.group_name.clone()}</a>
                " · " {district}
                {amount_ore.map(|ore| view! { " · " <strong>{format_kronor(ore)}</strong> })}
                {needed_by.map(|d| view! { " · " {t!(i18n, needs.needed_by)} " " {d.to_string()} })}
            </p>
            {(!areas.is_empty()).then(|| view! {
                <p class="muted">{move || areas.iter().map(|a| a.get(i18n.get_locale()).to_owned()).collect::<Vec<_>>().join(", ")}</p>
            })}
            {(!need.next.is_empty()).then(|| view! {
                <ul class="need__next" data-testid="next-occasions">
                    {need.next.iter().map(|o| {
                        let free = o.free;
                        view! {
                            <li>
                                {crate::pages::shifts::when_text(o.starts_at, o.ends_at)} " · "
                                <span data-testid="listed-free">{move || if free == 0 {
                                    t_string!(i18n, shifts.full).to_owned()
                                } else {
                                    format!("{}: {free}", t_string!(i18n, shifts.free))
                                }}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// The district and priority-area choices a list's filter form starts with (`omrade`, `fokus`).
#[component]
pub fn PlaceFilters(
    district: Option<Uuid>,
    area: Option<Uuid>,
    reference: ReferenceData,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = |selected: bool| selected.then_some("selected");
    let ReferenceData {
        districts,
        priority_areas,
    } = reference;
    view! {
        <div class="field">
            <label for="filter-district">{t!(i18n, needs.filter_district)}</label>
            <select id="filter-district" name="omrade">
                <option value="">{t!(i18n, needs.filter_all)}</option>
                {districts.into_iter().map(|d| view! {
                    <option value=d.id.to_string() selected=chosen(district == Some(d.id))>{d.name}</option>
                }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for="filter-area">{t!(i18n, needs.filter_area)}</label>
            <select id="filter-area" name="fokus">
                <option value="">{t!(i18n, needs.filter_all)}</option>
                {priority_areas.into_iter().map(|a| {
                    let name = a.name.clone();
                    view! {
                        <option value=a.id.to_string() selected=chosen(area == Some(a.id))>
                            {move || name.get(i18n.get_locale()).to_owned()}
                        </option>
                    }
                }).collect_view()}
            </select>
        </div>
    }
}

/// "Previous page · page 2 of 5 · next page" under a list: plain links, so it works without
/// JavaScript. `link(n)` is the address of page `n`.
#[component]
pub fn Pages(page: u32, pages: u32, link: impl Fn(u32) -> String + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let previous = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    view! {
        <nav class="pages" aria-label=move || t_string!(i18n, needs.pages_label)>
            {previous.map(|href| view! { <a href=href rel="prev" data-testid="previous-page">{t!(i18n, needs.previous)}</a> })}
            <span>{t!(i18n, needs.page_of, page = move || page, pages = move || pages)}</span>
            {next.map(|href| view! { <a href=href rel="next" data-testid="next-page">{t!(i18n, needs.next)}</a> })}
        </nav>
    }
}

/// The address of a list's page: `action` with the filter's query, if any.
pub fn page_link(action: &str, query: String) -> String {
    if query.is_empty() {
        action.to_owned()
    } else {
        format!("{action}?{query}")
    }
}

/// A group's needs on its page, as the reader may see them (the server chose which).
#[component]
pub fn GroupNeeds(list: NeedList) -> impl IntoView {
    let i18n = use_i18n();
    let reference = Resource::new(|| (), |_| load_reference_data());
    view! {
        <section aria-labelledby="group-needs-heading" data-testid="group-needs">
            <h2 id="group-needs-heading">{t!(i18n, needs.group_heading)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || {
                    let list = list.clone();
                    Suspend::new(async move {
                        match reference.await {
                            Ok(_) if list.needs.is_empty() => {
                                EitherOf3::A(view! { <p class="muted">{t!(i18n, our_needs.none)}</p> })
                            }
                            Ok(reference) => EitherOf3::B(view! { <NeedItems list reference nested=true /> }),
                            Err(err) => EitherOf3::C(view! {
                                <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p>
                            }),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// `/behov/:id` — one need, as the reader may see it.
#[component]
pub fn NeedDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<Uuid>().ok())
    };
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => need(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let reference = Resource::new(|| (), |_| load_reference_data());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match (data.await, reference.await) {
                    (Ok(page), Ok(reference)) => EitherOf3::A(view! { <NeedView page reference /> }),
                    (Err(AppError::NotFound), _) => EitherOf3::B(view! { <crate::pages::NotFoundPage /> }),
                    (Err(err), _) | (_, Err(err)) => EitherOf3::C(view! {
                        <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NeedView(page: NeedPage, reference: ReferenceData) -> impl IntoView {
    let i18n = use_i18n();
    let NeedPage {
        id: need_id,
        need,
        group_name,
        payee_name,
        created_at,
        contact,
        occasions,
        coming,
        ..
    } = page;
    let NeedData {
        group,
        title,
        details,
        areas,
        district,
        urgency,
        needed_by,
        status,
    } = need;
    let kind = details.kind();
    let asks = kind.asks_municipality();
    let district = reference
        .districts
        .iter()
        .find(|d| d.id == district)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let areas: Vec<_> = reference
        .priority_areas
        .into_iter()
        .filter(|a| areas.contains(&a.id))
        .map(|a| a.name)
        .collect();
    let title_text = title.clone();
    let posted = created_at.get(..10).unwrap_or_default().to_owned();
    view! {
        <PageTitle text=move || title_text.clone() />
        <article class="need-page" data-testid="need-page">
            <h1>{title}</h1>
            <p class="need__meta">
                <span class="badge">{move || kind_name(i18n, kind)}</span>
                " "
                <span class="badge badge--status" data-testid="need-status">{move || status_name(i18n, status, asks)}</span>
                " "
                <span class="badge">{move || urgency_name(i18n, urgency)}</span>
            </p>
            <dl class="facts">
                <dt>{t!(i18n, our_needs.group)}</dt>
                <dd><a href=format!("/grupper/{group}")>{group_name}</a></dd>
                <dt>{t!(i18n, our_needs.district)}</dt>
                <dd>{district}</dd>
                {(!areas.is_empty()).then(|| view! {
                    <dt>{t!(i18n, needs.filter_area)}</dt>
                    <dd>{move || areas.iter().map(|a| a.get(i18n.get_locale()).to_owned()).collect::<Vec<_>>().join(", ")}</dd>
                })}
                {needed_by.map(|d| view! { <dt>{t!(i18n, needs.needed_by_label)}</dt><dd>{d.to_string()}</dd> })}
                <DetailFacts details payee_name />
                <dt>{t!(i18n, needs.posted)}</dt>
                <dd>{posted}</dd>
            </dl>
            {contact.then(|| view! {
                <p data-testid="contact-hint"><a href="/behov/mina">{t!(i18n, needs.contact_hint)}</a></p>
            })}
            {(!occasions.is_empty()).then(|| view! { <Occasions need=need_id group occasions coming /> })}
        </article>
    }
}

/// An activity's next occasions, with the places left per shift and, for a signed-in
/// volunteer, one tap to sign up — into the outbox, so offline too. Who took a place, and how
/// to reach them, only the group's contacts see (`coming` is empty for everyone else).
#[component]
fn Occasions(
    need: Uuid,
    group: Uuid,
    occasions: Vec<(Uuid, crate::domain::activity::OccasionData)>,
    coming: Vec<crate::domain::activity::VolunteerContact>,
) -> impl IntoView {
    use crate::pages::shifts::when_text;
    let i18n = use_i18n();
    view! {
        <section class="occasions" aria-labelledby="occasions-heading" data-testid="occasions">
            <h2 id="occasions-heading">{t!(i18n, shifts.next_occasions)}</h2>
            <ul class="cards">
                {occasions.into_iter().map(|(id, occasion)| {
                    let when = when_text(occasion.starts_at, occasion.ends_at);
                    let times = (occasion.starts_at, occasion.ends_at);
                    view! {
                        <li class="card" data-testid="occasion">
                            <h3 class="card__title">{when.clone()}</h3>
                            <ul class="shifts">
                                {occasion.shifts.into_iter().map(|shift| {
                                    let label = shift.label.clone();
                                    let free = shift.free();
                                    let places = shift.places;
                                    view! {
                                        <li class="shift">
                                            {(!label.is_empty()).then(|| view! { <strong>{label.clone()}</strong> ": " })}
                                            <span data-testid="free-places">
                                                {move || if free == 0 {
                                                    t_string!(i18n, shifts.full).to_owned()
                                                } else {
                                                    format!("{}: {free} {} {places}", t_string!(i18n, shifts.free), t_string!(i18n, shifts.of))
                                                }}
                                            </span>
                                            " "
                                            <SignUpButton need group occasion=id shift=shift.id times waiting_list=shift.waiting_list full=free == 0 title=occasion.title.clone() />
                                            <Coming coming=coming.iter().filter(|c| c.occasion == id && c.shift == shift.id).cloned().collect() />
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The volunteers who took a shift, with a tap to call or write to them (for the group's
/// contacts; nothing for anyone else).
#[component]
fn Coming(coming: Vec<crate::domain::activity::VolunteerContact>) -> impl IntoView {
    let i18n = use_i18n();
    (!coming.is_empty()).then(|| {
        view! {
            <div class="coming" data-testid="coming">
                <p class="coming__label">{t!(i18n, shifts.coming)}</p>
                <ul>
                    {coming.into_iter().map(|c| view! {
                        <li data-testid="coming-volunteer">
                            {c.name}
                            {c.phone.map(|phone| {
                                let href = format!("tel:{}", phone.replace(' ', ""));
                                view! { " · " <a href=href>{phone}</a> }
                            })}
                            {c.email.map(|email| {
                                let href = format!("mailto:{email}");
                                view! { " · " <a href=href>{email}</a> }
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// "Sign me up" for one shift, or where my sign-up stands. Before the page is interactive, and
/// for someone not signed in on this device, a link to sign in.
#[component]
fn SignUpButton(
    need: Uuid,
    group: Uuid,
    occasion: Uuid,
    shift: u8,
    times: (i64, i64),
    waiting_list: bool,
    full: bool,
    title: String,
) -> impl IntoView {
    use crate::domain::activity::{Occasion, SignUpData, SignUpStatus};
    use crate::domain::offer::Date;
    use crate::sync::context::{hydrated, now_unix, use_sync};
    use crate::sync::protocol::SignUpOp;
    let i18n = use_i18n();
    let sync = use_sync();
    let hydrated = hydrated();
    let asking = RwSignal::new(false);
    let this = Occasion {
        date: Date::at_unix(times.0),
        starts_at: times.0,
        ends_at: times.1,
    };
    // Where this person's sign-up to this shift stands, if they have one.
    let mine = move || {
        sync.view.with(|v| {
            let me = v.context.as_ref().map(|c| c.me.id)?;
            v.sign_ups
                .iter()
                .find(|s| {
                    s.data.volunteer == me
                        && s.data.occasion == occasion
                        && s.data.shift == shift
                        && s.data.status.is_active()
                })
                .map(|s| s.data.status)
        })
    };
    let signed_in = move || sync.view.with(|v| v.context.is_some());
    let overlaps = move || {
        sync.view.with(|v| {
            let me = v.context.as_ref().map(|c| c.me.id);
            v.sign_ups.iter().any(|s| {
                Some(s.data.volunteer) == me
                    && s.data.status.is_active()
                    && s.data.occasion != occasion
                    && s.data.occasion_times().overlaps(&this)
            })
        })
    };
    let title = StoredValue::new(title);
    let sign_up = move || {
        asking.set(false);
        let Some((me, name)) = sync.view.with_untracked(|v| {
            v.context
                .as_ref()
                .map(|c| (c.me.id, c.profile.name.clone()))
        }) else {
            return;
        };
        let data = SignUpData {
            occasion,
            need,
            group,
            shift,
            volunteer: me,
            name,
            title: title.get_value(),
            group_name: String::new(),
            place: String::new(),
            starts_at: times.0,
            ends_at: times.1,
            status: SignUpStatus::Requested,
            requested_at: now_unix(),
            attended: None,
            hours: None,
            notice: None,
        };
        let _ = sync.record(Uuid::new_v4(), SignUpOp::Create(data));
    };
    move || {
        if !hydrated.get() || !signed_in() {
            return EitherOf4::A(view! {
                <a href=format!("/logga-in?tillbaka={}", crate::components::encode_path(&format!("/behov/{need}")))>{t!(i18n, shifts.log_in_to_sign_up)}</a>
            });
        }
        if let Some(status) = mine() {
            return EitherOf4::B(view! {
                <span class="badge badge--status" data-testid="my-sign-up">{crate::pages::shifts::status_text(i18n, status)}</span>
                " " <a href="/pass">{t!(i18n, shifts.nav)}</a>
            });
        }
        if full && !waiting_list {
            return EitherOf4::C(view! { <span></span> });
        }
        if asking.get() {
            return EitherOf4::D(Either::Left(view! {
                <span role="alert">{t!(i18n, shifts.overlap)}</span>
                " "
                <button class="button" type="button" on:click=move |_| sign_up()>{t!(i18n, shifts.overlap_yes)}</button>
                " "
                <button class="button button--secondary" type="button" on:click=move |_| asking.set(false)>{t!(i18n, shifts.cancel)}</button>
            }));
        }
        EitherOf4::D(Either::Right(view! {
            <button class="button" type="button" data-testid="sign-up"
                on:click=move |_| if overlaps() { asking.set(true) } else { sign_up() }>
                {move || if full { t_string!(i18n, shifts.join_waiting_list) } else { t_string!(i18n, shifts.sign_up) }}
            </button>
        }))
    }
}

/// What the need asks for, by kind, as definition-list rows.
#[component]
fn DetailFacts(details: NeedDetails, payee_name: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let row = |label: Signal<String>, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd class="prewrap">{value}</dd> })
    };
    match details {
        NeedDetails::MicroGrant {
            amount_ore,
            purpose,
            enables,
            ..
        } => EitherOf7::A(view! {
            {row(text!(i18n, our_needs.amount), format_kronor(amount_ore))}
            {row(text!(i18n, our_needs.purpose), purpose)}
            {row(text!(i18n, our_needs.enables), enables)}
            {row(text!(i18n, our_needs.payee), payee_name.unwrap_or_default())}
        }),
        NeedDetails::Premises {
            when,
            people,
            accessibility,
        } => {
            let when = move || match &when {
                PremisesWhen::OneOff { date, from, to } => format!("{date}, {from}–{to}"),
                PremisesWhen::Weekly { weekday, from, to } => format!(
                    "{} ({}) {from}–{to}",
                    t_string!(i18n, our_needs.weekly),
                    crate::pages::offers::weekday_name(i18n, *weekday)
                ),
            };
            EitherOf7::B(view! {
                <dt>{t!(i18n, our_needs.when)}</dt><dd>{when}</dd>
                {row(text!(i18n, our_needs.people), people.to_string())}
                {row(text!(i18n, our_needs.accessibility), accessibility)}
            })
        }
        NeedDetails::Storage {
            what,
            volume,
            until,
        } => EitherOf7::C(view! {
            {row(text!(i18n, our_needs.what), what)}
            {row(text!(i18n, our_needs.volume), volume)}
            {row(text!(i18n, our_needs.until), until.map(|d| d.to_string()).unwrap_or_default())}
        }),
        NeedDetails::AdminHelp { help, description } => {
            let help = move || match help {
                AdminHelp::Accounts => t_string!(i18n, our_needs.help_accounts),
                AdminHelp::Application => t_string!(i18n, our_needs.help_application),
                AdminHelp::Website => t_string!(i18n, our_needs.help_website),
                AdminHelp::Other => t_string!(i18n, our_needs.help_other),
            };
            EitherOf7::D(view! {
                <dt>{t!(i18n, our_needs.help)}</dt><dd>{help}</dd>
                {row(text!(i18n, our_needs.description), description)}
            })
        }
        NeedDetails::Recognition { whom, reason } => EitherOf7::E(view! {
            {row(text!(i18n, our_needs.whom), whom)}
            {row(text!(i18n, our_needs.reason), reason)}
        }),
        NeedDetails::Other { text } => {
            EitherOf7::F(view! { {row(text!(i18n, our_needs.text), text)} })
        }
        NeedDetails::Activity {
            tasks,
            place,
            schedule,
        } => {
            let shifts = schedule
                .shifts
                .iter()
                .map(|s| match s.label.as_str() {
                    "" => format!("{} {}", s.places, t_string!(i18n, our_needs.places)),
                    label => format!(
                        "{label}: {} {}",
                        s.places,
                        t_string!(i18n, our_needs.places)
                    ),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let when = move || schedule_text(i18n, &schedule);
            EitherOf7::G(view! {
                {row(text!(i18n, our_needs.tasks), tasks)}
                {row(text!(i18n, our_needs.place), place)}
                <dt>{t!(i18n, our_needs.schedule)}</dt><dd>{when}</dd>
                {row(text!(i18n, our_needs.shifts), shifts)}
            })
        }
    }
}

/// An activity's schedule in words: "Every Friday 21:00–00:00, 2026-12-04 – 2027-02-26".
pub fn schedule_text(
    i18n: I18nContext<Locale>,
    schedule: &crate::domain::activity::Schedule,
) -> String {
    use crate::domain::activity::Dates;
    let times = format!("{}–{}", schedule.starts, schedule.ends);
    match &schedule.dates {
        Dates::Weekly {
            weekdays,
            from,
            until,
            except,
        } => {
            let days = weekdays
                .iter()
                .map(|d| crate::pages::offers::weekday_name(i18n, *d))
                .collect::<Vec<_>>()
                .join(", ");
            let mut text = format!(
                "{} {days} {times}, {from} – {until}",
                t_string!(i18n, our_needs.every)
            );
            if !except.is_empty() {
                let dates: Vec<String> = except.iter().map(|d| d.to_string()).collect();
                text.push_str(&format!(
                    " ({} {})",
                    t_string!(i18n, our_needs.except).to_lowercase(),
                    dates.join(", ")
                ));
            }
            text
        }
        Dates::Dated { dates } => {
            let dates: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
            format!("{}, {times}", dates.join(", "))
        }
    }
}

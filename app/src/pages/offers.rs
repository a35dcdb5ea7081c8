//! A volunteer's offers of time, and the list of changes waiting to be sent. Everything here
//! reads and writes the device's own copy (`sync::context`), so it works without signal; the
//! server renders a "reading this device" placeholder and the data appears after hydration.
use crate::components::PageTitle;
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::components::form::{
    message, typed, ChoiceList, FormState, FormSummary, RadioList, Submit, TextField,
};
use crate::components::RequireUser;
use crate::domain::offer::{
    window_field, Availability, Known, OfferData, OfferInput, OfferPatch, WindowInput,
};
use crate::domain::{FieldErrors, Me};
use crate::i18n::*;
use crate::sync::client::{OfferView, SettledAs};
use crate::sync::context::{hydrated, use_sync, LocalView};
use crate::sync::protocol::{Change, OfferOp, Op, Refusal, SyncErrorReason};
use crate::text;
use leptos_i18n::I18nContext;

/// How long a phone with nothing stored yet waits for its first sync before the page is shown
/// without it (a weak signal can hold a request for a long time; the forms work without it).
const FIRST_SYNC_WAIT: std::time::Duration = std::time::Duration::from_secs(4);

/// Shows `children` once the device's data has been read (after hydration). A phone that has
/// nothing yet (a first visit) waits for the first sync too, up to [`FIRST_SYNC_WAIT`]: the
/// page is built once, with the person's data, instead of saying "no offers" and then showing
/// them.
#[component]
pub(crate) fn LocalData(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let hydrated = hydrated();
    let waited = RwSignal::new(false);
    // `try_set`: the page may be gone by then.
    Effect::new(move |_| {
        set_timeout(
            move || {
                let _ = waited.try_set(true);
            },
            FIRST_SYNC_WAIT,
        )
    });
    // The children are rendered again when the data is read and when the person's context
    // (groups, districts, reference data: what the forms are built from) arrives or changes —
    // not on every change of the records, which would close what is open and take the focus
    // away; the pages follow those inside.
    let state = Memo::new(move |_| {
        let ready = hydrated.get()
            && sync
                .view
                .with(|v| v.ready && (v.context.is_some() || v.synced || waited.get()));
        (ready, sync.view.with(|v| v.context.clone()))
    });
    move || {
        if state.with(|(ready, _)| *ready) {
            Either::Left(children())
        } else {
            Either::Right(
                view! { <p class="muted local-loading" data-testid="local-loading">{t!(i18n, offers.reading)}</p> },
            )
        }
    }
}

pub(crate) fn weekday_name(i18n: I18nContext<Locale>, day: u8) -> &'static str {
    match day {
        1 => t_string!(i18n, weekdays.mon),
        2 => t_string!(i18n, weekdays.tue),
        3 => t_string!(i18n, weekdays.wed),
        4 => t_string!(i18n, weekdays.thu),
        5 => t_string!(i18n, weekdays.fri),
        6 => t_string!(i18n, weekdays.sat),
        _ => t_string!(i18n, weekdays.sun),
    }
}

/// "fre 2026-12-04, 18:00–20:00" / "Varje fredag 22:00–02:00": when the offer holds.
pub fn availability_text(i18n: I18nContext<Locale>, availability: &Availability) -> String {
    match availability {
        Availability::Flexible => t_string!(i18n, offers.flexible_summary).to_owned(),
        Availability::OneOff { windows } => windows
            .iter()
            .map(|w| {
                format!(
                    "{} {}, {}–{}",
                    weekday_name(i18n, w.date.weekday()),
                    w.date,
                    w.from,
                    w.to
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Availability::Weekly {
            windows,
            valid_from,
            valid_until,
        } => {
            let mut text = windows
                .iter()
                .map(|w| {
                    format!(
                        "{} {} {}–{}",
                        t_string!(i18n, offers.every),
                        weekday_name(i18n, w.weekday),
                        w.from,
                        w.to
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            if let Some(from) = valid_from {
                text.push_str(&format!(" · {} {from}", t_string!(i18n, offers.from_date)));
            }
            if let Some(until) = valid_until {
                text.push_str(&format!(
                    " · {} {until}",
                    t_string!(i18n, offers.until_date)
                ));
            }
            text
        }
    }
}

fn district_names(view: &LocalView, offer: &OfferData) -> String {
    let Some(context) = &view.context else {
        return String::new();
    };
    offer
        .districts
        .iter()
        .filter_map(|id| context.reference.districts.iter().find(|d| d.id == *id))
        .map(|d| d.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn MyOffersPage() -> impl IntoView {
    let i18n = use_i18n();
    // What does not depend on the device's data comes with the page, so the page shows at
    // once (the server's HTML); only the list waits for the device.
    view! {
        <PageTitle text=move || t_string!(i18n, offers.title).to_owned() />
        <h1>{t!(i18n, offers.heading)}</h1>
        <RequireUser children=move |_me: Me| view! {
            <p class="lead">{t!(i18n, offers.intro)}</p>
            <p><a class="button" href="/erbjudanden/ny" data-testid="new-offer">{t!(i18n, offers.new)}</a></p>
            <LocalData><MyOffers /></LocalData>
        } />
    }
}

#[component]
fn MyOffers() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // From the address, so after hydration: offline, the service worker answers
    // `/erbjudanden?sparat=1` with the page it kept for `/erbjudanden`.
    let saved = use_query_map().with_untracked(|q| q.get("sparat").is_some());
    // Only a change of the offers themselves re-renders the list.
    let offers = Memo::new(move |_| sync.view.with(|v| v.offers.clone()));
    view! {
        {saved.then(|| view! { <p class="notice notice--ok" role="status" data-testid="saved">{t!(i18n, offers.saved_on_device)}</p> })}
        {move || {
            let list = offers.get();
            if list.is_empty() {
                Either::Left(view! { <p data-testid="no-offers">{t!(i18n, offers.none)}</p> })
            } else {
                Either::Right(view! {
                    <ul class="offer-list" data-testid="offers">
                        {list.into_iter().map(|offer| view! { <OfferItem offer /> }).collect_view()}
                    </ul>
                })
            }
        }}
    }
}

#[component]
fn OfferItem(offer: OfferView) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(false);
    let id = offer.id;
    let paused = offer.data.paused;
    let record = move |op: OfferOp| {
        problem.set(sync.record(id, op).is_err());
    };
    let availability = offer.data.availability.clone();
    let districts = sync.view.with_untracked(|v| district_names(v, &offer.data));
    let note = offer.data.note.clone();
    let heading_id = format!("offer-{id}");
    let labelled_by = heading_id.clone();
    view! {
        <li class="card offer" data-testid="offer" aria-labelledby=labelled_by>
            <h2 id=heading_id class="offer__when">{move || availability_text(i18n, &availability)}</h2>
            <p class="muted">{districts}</p>
            {(!note.is_empty()).then(|| view! { <p>{note.clone()}</p> })}
            <p class="offer__badges">
                {paused.then(|| view! { <span class="badge badge--todo">{t!(i18n, offers.paused)}</span> })}
                {offer.waiting.then(|| view! { <span class="badge" data-testid="offer-waiting">{t!(i18n, offers.waiting)}</span> })}
            </p>
            <div class="actions">
                <a href=format!("/erbjudanden/andra?id={id}")>{t!(i18n, offers.edit)}</a>
                <button class="link-button" type="button" on:click=move |_| record(OfferOp::Update(OfferPatch { paused: Some(!paused), ..Default::default() }))>
                    {move || if paused { t_string!(i18n, offers.resume) } else { t_string!(i18n, offers.pause) }}
                </button>
                <button class="link-button" type="button" on:click=move |_| confirming.set(true)>{t!(i18n, offers.remove)}</button>
            </div>
            {move || confirming.get().then(|| view! {
                <div class="notice" role="alertdialog" aria-label=move || t_string!(i18n, offers.remove_confirm)>
                    <p>{t!(i18n, offers.remove_confirm)}</p>
                    <div class="actions">
                        <button class="button button--danger" type="button" on:click=move |_| { confirming.set(false); record(OfferOp::Delete) }>
                            {t!(i18n, offers.remove_yes)}
                        </button>
                        <button class="link-button" type="button" on:click=move |_| confirming.set(false)>{t!(i18n, offers.cancel)}</button>
                    </div>
                </div>
            })}
            {move || problem.get().then(|| view! { <p class="notice notice--error" role="alert">{t!(i18n, sync.storage_full)}</p> })}
        </li>
    }
}

#[component]
pub fn NewOfferPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, offers.new_title).to_owned() />
        <h1>{t!(i18n, offers.new_heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><NewOffer /></LocalData> } />
    }
}

#[component]
fn NewOffer() -> impl IntoView {
    let sync = use_sync();
    // A new offer starts from the profile: where I said I can help, what I can, which languages.
    let start = sync.view.with_untracked(|v| {
        let profile = v
            .context
            .as_ref()
            .map(|c| c.profile.clone())
            .unwrap_or_default();
        OfferInput {
            kind: "flexible".into(),
            districts: profile.districts,
            skills: profile.skills.join(", "),
            languages: profile.languages.join(", "),
            ..Default::default()
        }
    });
    view! {
        <OfferForm start on_valid=move |offer: OfferData| (Uuid::new_v4(), OfferOp::Create(offer)) />
    }
}

#[component]
pub fn EditOfferPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, offers.edit_title).to_owned() />
        <h1>{t!(i18n, offers.edit_heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><EditOffer /></LocalData> } />
    }
}

#[component]
fn EditOffer() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let id =
        use_query_map().with_untracked(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let found = id.and_then(|id| {
        sync.view
            .with_untracked(|v| v.offers.iter().find(|o| o.id == id).cloned())
    });
    match found {
        None => Either::Left(view! {
            <p class="notice notice--error" role="alert">{t!(i18n, offers.not_found)}</p>
            <p><a href="/erbjudanden">{t!(i18n, offers.back)}</a></p>
        }),
        Some(offer) => {
            let before = offer.data.clone();
            let start = OfferInput::from_offer(&before);
            Either::Right(view! {
                <OfferForm start on_valid=move |mut after: OfferData| {
                    after.paused = before.paused; // pausing is its own button
                    (offer.id, OfferOp::Update(OfferPatch::between(&before, &after)))
                } />
            })
        }
    }
}

/// The offer form: kind of availability, its times, where, what, a note. Validated with the
/// same rules the server's `apply` uses, then recorded in the outbox (no request is made here).
#[component]
fn OfferForm<F>(start: OfferInput, on_valid: F) -> impl IntoView
where
    F: Fn(OfferData) -> (Uuid, OfferOp) + 'static,
{
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let form = FormState::new();
    let kind = RwSignal::new(start.kind.clone());
    let windows = RwSignal::new(if start.windows.is_empty() {
        vec![WindowInput::default()]
    } else {
        start.windows.clone()
    });
    let valid_from = RwSignal::new(start.valid_from.clone());
    let valid_until = RwSignal::new(start.valid_until.clone());
    let districts = RwSignal::new(start.districts.clone());
    let areas = RwSignal::new(start.areas.clone());
    let skills = RwSignal::new(start.skills.clone());
    let languages = RwSignal::new(start.languages.clone());
    let note = RwSignal::new(start.note.clone());
    let reference = sync.view.with_untracked(|v| {
        v.context
            .as_ref()
            .map(|c| c.reference.clone())
            .unwrap_or_default()
    });
    let known = Known::from_reference(&reference);
    let district_options: Vec<(Uuid, String)> = reference
        .districts
        .iter()
        .map(|d| (d.id, d.name.clone()))
        .collect();
    let areas_list = reference.priority_areas.clone();
    let area_options = Signal::derive(move || {
        areas_list
            .iter()
            .map(|a| (a.id, a.name.get(i18n.get_locale()).to_owned()))
            .collect::<Vec<_>>()
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = OfferInput {
            kind: kind.get(),
            windows: if kind.get() == "flexible" {
                vec![]
            } else {
                windows.get()
            },
            valid_from: valid_from.get(),
            valid_until: valid_until.get(),
            districts: districts.get(),
            areas: areas.get(),
            skills: skills.get(),
            languages: languages.get(),
            note: note.get(),
        };
        let Some(offer) = form.check(input.validate(&known)) else {
            return;
        };
        let (record, op) = on_valid(offer);
        if matches!(&op, OfferOp::Update(patch) if patch.is_empty()) {
            navigate("/erbjudanden", Default::default());
            return;
        }
        match sync.record(record, op) {
            Ok(()) => navigate("/erbjudanden?sparat=1", Default::default()),
            Err(_) => form.show(FieldErrors::single("form", "storage_full").into()),
        }
    };
    let kinds = vec![
        ("flexible", text!(i18n, offers.kind_flexible)),
        ("weekly", text!(i18n, offers.kind_weekly)),
        ("one_off", text!(i18n, offers.kind_one_off)),
    ];
    view! {
        <form class="form" on:submit=on_submit novalidate>
            <p class="muted">{t!(i18n, common.required_hint)}</p>
            <FormSummary form />
            <RadioList form name="kind" legend=text!(i18n, offers.kind) options=kinds value=kind />
            {move || (kind.get() != "flexible").then(|| view! { <Windows form kind windows /> })}
            {move || (kind.get() == "weekly").then(|| view! {
                <div class="field-row">
                    <TextField form name="valid_from" label=text!(i18n, offers.valid_from) value=valid_from input_type="date" />
                    <TextField form name="valid_until" label=text!(i18n, offers.valid_until) value=valid_until input_type="date" />
                </div>
            })}
            <ChoiceList form name="districts" legend=text!(i18n, offers.districts) options=district_options selected=districts required=true />
            <ChoiceList form name="areas" legend=text!(i18n, offers.areas) options=area_options selected=areas />
            <TextField form name="skills" label=text!(i18n, offers.skills) hint=text!(i18n, common.tags_hint) value=skills />
            <TextField form name="languages" label=text!(i18n, offers.languages) hint=text!(i18n, common.tags_hint) value=languages />
            <TextField form name="note" label=text!(i18n, offers.note) hint=text!(i18n, offers.note_hint) value=note multiline=true />
            <div class="actions">
                <Submit label=text!(i18n, offers.save) pending=Signal::derive(|| false) />
                <a href="/erbjudanden">{t!(i18n, offers.cancel)}</a>
            </div>
        </form>
    }
}

/// The rows of dates or weekdays with their times; rows can be added and removed.
#[component]
fn Windows(
    form: FormState,
    kind: RwSignal<String>,
    windows: RwSignal<Vec<WindowInput>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let field = move |i: usize, part: &'static str| {
        let errors = form
            .fields
            .with(|f| f.get(&window_field(i, part)).cloned().unwrap_or_default());
        (!errors.is_empty()).then(|| {
            errors
                .iter()
                .map(|k| message(i18n, k))
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let set = move |i: usize, part: &'static str, value: String| {
        windows.update(|w| {
            if let Some(row) = w.get_mut(i) {
                match part {
                    "date" => row.date = value,
                    "weekday" => row.weekday = value,
                    "from" => row.from = value,
                    _ => row.to = value,
                }
            }
        })
    };
    let input = move |i: usize,
                      part: &'static str,
                      input_type: &'static str,
                      label: Signal<String>| {
        let id = window_field(i, part);
        let error_id = format!("{id}-error");
        let value = move || {
            windows.with(|w| {
                w.get(i)
                    .map(|r| match part {
                        "date" => r.date.clone(),
                        "from" => r.from.clone(),
                        _ => r.to.clone(),
                    })
                    .unwrap_or_default()
            })
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label} <span class="field__required" aria-hidden="true">" *"</span></label>
                <input id=id.clone() name=id.clone() type=input_type required=true
                    aria-invalid=move || field(i, part).map(|_| "true")
                    aria-describedby=move || field(i, part).map(|_| error_id.clone())
                    use:typed=move |v| set(i, part, v)
                    prop:value=value on:input=move |ev| set(i, part, event_target_value(&ev)) />
                {move || field(i, part).map(|text| view! { <p class="field__error" id=format!("{}-error", window_field(i, part))>{text}</p> })}
            </div>
        }
    };
    // Only adding or removing a row re-renders the rows (typing must not: it would lose focus).
    let count = Memo::new(move |_| windows.with(|w| w.len()));
    let rows = move || {
        let count = count.get();
        (0..count).map(|i| {
            let weekly = kind.get() == "weekly";
            let weekday_id = window_field(i, "weekday");
            let first = if weekly {
                Either::Left(view! {
                    <div class="field">
                        <label for=weekday_id.clone()>{t!(i18n, offers.weekday)} <span class="field__required" aria-hidden="true">" *"</span></label>
                        <select id=weekday_id.clone() name=weekday_id.clone()
                            aria-invalid=move || field(i, "weekday").map(|_| "true")
                            use:typed=move |v| set(i, "weekday", v)
                            on:change=move |ev| set(i, "weekday", event_target_value(&ev))>
                            <option value="" selected=move || windows.with(|w| w.get(i).is_some_and(|r| r.weekday.is_empty()))>{t!(i18n, offers.choose_day)}</option>
                            {(1u8..=7).map(|d| view! {
                                <option value=d.to_string() selected=move || windows.with(|w| w.get(i).is_some_and(|r| r.weekday == d.to_string()))>
                                    {move || weekday_name(i18n, d)}
                                </option>
                            }).collect_view()}
                        </select>
                        {move || field(i, "weekday").map(|text| view! { <p class="field__error">{text}</p> })}
                    </div>
                })
            } else {
                Either::Right(input(i, "date", "date", text!(i18n, offers.date)))
            };
            view! {
                <fieldset class="window">
                    <legend>{move || format!("{} {}", t_string!(i18n, offers.time_slot), i + 1)}</legend>
                    <div class="field-row">
                        {first}
                        {input(i, "from", "time", text!(i18n, offers.from))}
                        {input(i, "to", "time", text!(i18n, offers.to))}
                    </div>
                    {(count > 1).then(|| view! {
                        <button class="link-button" type="button" on:click=move |_| windows.update(|w| { if i < w.len() { w.remove(i); } })>
                            {t!(i18n, offers.remove_slot)}
                        </button>
                    })}
                </fieldset>
            }
        }).collect_view()
    };
    view! {
        <div id="windows" tabindex="-1" aria-invalid=move || form.fields.with(|f| f.contains_key("windows")).then_some("true")>
            {rows}
            {move || form.fields.with(|f| f.get("windows").cloned()).map(|keys| view! {
                <p class="field__error">{keys.iter().map(|k| message(i18n, k)).collect::<Vec<_>>().join(" ")}</p>
            })}
            <button class="button button--secondary" type="button" on:click=move |_| windows.update(|w| w.push(WindowInput::default()))>
                {t!(i18n, offers.add_slot)}
            </button>
        </div>
    }
}

/// What a change to a sign-up was, in words: "Signed up: Night walk 2026-12-04".
fn sign_up_change_text(
    i18n: I18nContext<Locale>,
    view: &LocalView,
    record: Uuid,
    op: &crate::sync::protocol::SignUpOp,
) -> String {
    use crate::domain::activity::SignUpStatus;
    use crate::sync::protocol::KindOp;
    let occasion_of = |occasion: Uuid| {
        view.occasions
            .iter()
            .find(|o| o.id == occasion)
            .map(|o| format!("{} {}", o.data.title, o.data.date))
            .unwrap_or_default()
    };
    let about = view
        .sign_ups
        .iter()
        .find(|s| s.id == record)
        .map(|s| occasion_of(s.data.occasion))
        .unwrap_or_default();
    match op {
        KindOp::Create(s) => format!(
            "{}: {}",
            t_string!(i18n, changes.signed_up),
            occasion_of(s.occasion)
        ),
        KindOp::Update(p) if p.status == Some(SignUpStatus::Withdrawn) => {
            format!("{}: {about}", t_string!(i18n, changes.withdrew))
        }
        KindOp::Update(p) if p.attended.is_some() => {
            format!("{}: {about}", t_string!(i18n, changes.attendance))
        }
        KindOp::Update(p) if p.hours.is_some() => {
            format!("{}: {about}", t_string!(i18n, changes.hours))
        }
        KindOp::Update(_) | KindOp::Delete => {
            format!("{}: {about}", t_string!(i18n, changes.edited))
        }
    }
}

fn case_change_text(
    i18n: I18nContext<Locale>,
    view: &LocalView,
    record: Uuid,
    op: &crate::sync::protocol::CaseOp,
) -> String {
    use crate::domain::case::CaseAction;
    use crate::sync::protocol::KindOp;
    let number = view
        .cases
        .iter()
        .find(|c| c.id == record)
        .map(|c| c.data.number.clone())
        .unwrap_or_default();
    let what = match op {
        KindOp::Update(step) => match step.action {
            Some(CaseAction::Answer) => t_string!(i18n, changes.case_answer),
            Some(CaseAction::FollowUp) => t_string!(i18n, changes.case_report),
            Some(CaseAction::Withdraw) => t_string!(i18n, changes.case_withdraw),
            Some(
                CaseAction::Message
                | CaseAction::Assign
                | CaseAction::AskMoreInfo
                | CaseAction::Approve
                | CaseAction::ConfirmApproval
                | CaseAction::Reject
                | CaseAction::Pay
                | CaseAction::Close
                | CaseAction::Receive,
            )
            | None => t_string!(i18n, changes.case_message),
        },
        // Only the server opens a case, and none is removed.
        KindOp::Create(_) | KindOp::Delete => t_string!(i18n, changes.case_message),
    };
    format!("{what}: {number}")
}

/// What a change was, in words: "New offer: Every Friday 22:00–02:00".
fn change_text(i18n: I18nContext<Locale>, view: &LocalView, change: &Change) -> String {
    let op = match &change.op {
        Op::Offer(op) => op,
        Op::Need(op) => return need_change_text(i18n, view, change.record, op),
        Op::SignUp(op) => return sign_up_change_text(i18n, view, change.record, op),
        Op::Case(op) => return case_change_text(i18n, view, change.record, op),
        // Only the server writes occasions: never in a phone's outbox.
        Op::Occasion(_) => return t_string!(i18n, changes.edited).to_owned(),
    };
    let current = view
        .offers
        .iter()
        .find(|o| o.id == change.record)
        .map(|o| availability_text(i18n, &o.data.availability));
    match op {
        OfferOp::Create(offer) => format!(
            "{}: {}",
            t_string!(i18n, changes.created),
            availability_text(i18n, &offer.availability)
        ),
        OfferOp::Update(patch) => {
            let what = if patch.paused == Some(true)
                && patch.availability.is_none()
                && patch.note.is_none()
            {
                t_string!(i18n, changes.paused)
            } else if patch.paused == Some(false)
                && patch.availability.is_none()
                && patch.note.is_none()
            {
                t_string!(i18n, changes.resumed)
            } else {
                t_string!(i18n, changes.edited)
            };
            let about = patch
                .availability
                .as_ref()
                .map(|a| availability_text(i18n, a))
                .or(current)
                .unwrap_or_default();
            let typed = patch
                .note
                .as_ref()
                .map(|n| format!(" – “{n}”"))
                .unwrap_or_default();
            format!("{what}: {about}{typed}")
        }
        OfferOp::Delete => format!(
            "{}: {}",
            t_string!(i18n, changes.removed),
            current.unwrap_or_default()
        ),
    }
}

/// What a change to a need was: "New need: Phone and coffee".
fn need_change_text(
    i18n: I18nContext<Locale>,
    view: &LocalView,
    record: uuid::Uuid,
    op: &crate::sync::protocol::NeedOp,
) -> String {
    use crate::sync::protocol::KindOp;
    let title = view
        .needs
        .iter()
        .find(|n| n.id == record)
        .map(|n| n.data.title.clone());
    let (what, title) = match op {
        KindOp::Create(need) => (
            t_string!(i18n, changes.need_created),
            Some(need.title.clone()),
        ),
        KindOp::Update(patch) => (
            t_string!(i18n, changes.need_edited),
            patch.title.clone().or(title),
        ),
        KindOp::Delete => (t_string!(i18n, changes.need_removed), title),
    };
    format!("{what}: {}", title.unwrap_or_default())
}

fn refusal_text(i18n: I18nContext<Locale>, result: &SettledAs) -> String {
    match result {
        SettledAs::Sent => t_string!(i18n, changes.sent).to_owned(),
        SettledAs::Refused {
            reason: Refusal::Removed,
        } => t_string!(i18n, changes.refused_removed).to_owned(),
        SettledAs::Refused {
            reason: Refusal::NotFound,
        } => t_string!(i18n, changes.refused_not_found).to_owned(),
        SettledAs::Refused {
            reason: Refusal::AlreadyExists,
        } => t_string!(i18n, changes.refused_exists).to_owned(),
        SettledAs::Refused {
            reason: Refusal::Forbidden,
        } => t_string!(i18n, changes.refused_forbidden).to_owned(),
        SettledAs::Refused {
            reason: Refusal::Invalid { fields },
        } => format!(
            "{} {}",
            t_string!(i18n, changes.refused_invalid),
            fields
                .values()
                .flatten()
                .map(|k| message(i18n, k))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        SettledAs::Rejected { reason } => format!(
            "{} ({})",
            t_string!(i18n, changes.rejected),
            match reason {
                SyncErrorReason::ForeignRecord => t_string!(i18n, changes.reason_foreign),
                SyncErrorReason::UnknownKind => t_string!(i18n, changes.reason_unknown_kind),
                _ => t_string!(i18n, changes.reason_malformed),
            }
        ),
    }
}

#[component]
pub fn ChangesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, changes.title).to_owned() />
        <h1>{t!(i18n, changes.heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><Changes /></LocalData> } />
    }
}

#[component]
fn Changes() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // Whatever is refused while the list is open has been seen, too.
    Effect::new(move |_| {
        if sync.view.with(|v| v.log.iter().any(|s| !s.seen)) {
            sync.mark_seen();
        }
    });
    let waiting = move || {
        sync.view.with(|v| {
            v.waiting
                .iter()
                .map(|c| change_text(i18n, v, c))
                .collect::<Vec<_>>()
        })
    };
    let log = move || {
        sync.view.with(|v| {
            v.log
                .iter()
                .map(|s| (change_text(i18n, v, &s.change), s.result.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section aria-labelledby="waiting-heading">
            <h2 id="waiting-heading">{t!(i18n, changes.waiting_heading)}</h2>
            {move || {
                let list = waiting();
                if list.is_empty() {
                    Either::Left(view! { <p data-testid="nothing-waiting">{t!(i18n, changes.nothing_waiting)}</p> })
                } else {
                    Either::Right(view! {
                        <p>{t!(i18n, changes.waiting_explained)}</p>
                        <ol class="change-list" data-testid="waiting-list">
                            {list.into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
                        </ol>
                        <button class="button" type="button" on:click=move |_| sync.sync_now()>{t!(i18n, changes.send_now)}</button>
                    })
                }
            }}
        </section>
        <section aria-labelledby="log-heading">
            <h2 id="log-heading">{t!(i18n, changes.log_heading)}</h2>
            {move || {
                let list = log();
                if list.is_empty() {
                    Either::Left(view! { <p>{t!(i18n, changes.log_empty)}</p> })
                } else {
                    Either::Right(view! {
                        <ul class="change-list" data-testid="change-log">
                            {list.into_iter().map(|(text, result)| {
                                let sent = result == SettledAs::Sent;
                                view! {
                                    <li data-result=if sent { "sent" } else { "refused" }>
                                        <span class=if sent { "badge badge--verified" } else { "badge badge--todo" }>
                                            {move || if sent { t_string!(i18n, changes.sent_mark) } else { t_string!(i18n, changes.refused_mark) }}
                                        </span>
                                        " " {text}
                                        {(!sent).then(|| view! { <p class="change-list__reason">{move || refusal_text(i18n, &result)}</p> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                }
            }}
        </section>
    }
}

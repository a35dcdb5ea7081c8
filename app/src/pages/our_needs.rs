//! A group's needs on the phone: the list of my groups' needs (`/behov/mina`) and the form that
//! asks for help (`/behov/ny`). Both read and write the device's copy (`sync::context`), so they
//! work offline: a need is recorded in the outbox and sent when there is a network.
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::components::form::{
    message, typed, CheckField, ChoiceList, FormState, FormSummary, RadioList, Submit, TextField,
};
use crate::components::{PageTitle, RequireUser};
use crate::domain::account::MemberRole;
use crate::domain::need::{
    self, format_kronor, NeedActor, NeedData, NeedDetails, NeedInput, NeedKind, NeedPatch,
    NeedStatus,
};
use crate::domain::{FieldErrors, Me};
use crate::i18n::*;
use crate::pages::needs::{kind_name, status_name};
use crate::pages::offers::{weekday_name, LocalData};
use crate::sync::client::NeedView;
use crate::sync::context::use_sync;
use crate::sync::protocol::NeedOp;
use crate::text;

/// `/behov/mina` — the needs of my groups, as this phone has them.
#[component]
pub fn OurNeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, our_needs.title).to_owned() />
        <h1>{t!(i18n, our_needs.heading)}</h1>
        <RequireUser children=|me: Me| view! { <LocalData><OurNeeds me=me.id /></LocalData> } />
    }
}

#[component]
fn OurNeeds(me: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let saved = use_query_map().with_untracked(|q| q.get("sparat").is_some());
    let groups = Memo::new(move |_| {
        sync.view.with(|v| {
            v.context
                .as_ref()
                .map(|c| c.groups.clone())
                .unwrap_or_default()
        })
    });
    let needs = Memo::new(move |_| sync.view.with(|v| v.needs.clone()));
    let cases = Memo::new(move |_| sync.view.with(|v| v.cases.clone()));
    let speaks = move || groups.with(|g| g.iter().any(|g| g.role == MemberRole::Contact));
    view! {
        {saved.then(|| view! { <p class="notice notice--ok" role="status" data-testid="saved">{t!(i18n, our_needs.saved_on_device)}</p> })}
        {move || speaks().then(|| view! {
            <p><a class="button" href="/behov/ny" data-testid="new-need">{t!(i18n, our_needs.new)}</a></p>
        })}
        {move || {
            let groups = groups.get();
            if groups.is_empty() {
                return Either::Left(view! { <p data-testid="no-groups">{t!(i18n, our_needs.no_groups)}</p> });
            }
            Either::Right(groups.into_iter().map(|group| {
                let mine: Vec<NeedView> = needs.with(|n| n.iter().filter(|n| n.data.group == group.id).cloned().collect());
                let contact = group.role == MemberRole::Contact;
                view! {
                    <section aria-labelledby=format!("group-{}", group.id)>
                        <h2 id=format!("group-{}", group.id)>{group.name.clone()}</h2>
                        {if mine.is_empty() {
                            Either::Left(view! { <p class="muted">{t!(i18n, our_needs.none)}</p> })
                        } else {
                            Either::Right(view! {
                                <ul class="need-list" data-testid="our-needs">
                                    {mine.into_iter().map(|need| {
                                        let case = cases.with(|c| c.iter().find(|c| c.data.need == need.id).cloned());
                                        view! { <OurNeed need contact case me /> }
                                    }).collect_view()}
                                </ul>
                            })
                        }}
                    </section>
                }
            }).collect_view())
        }}
    }
}

/// One of the group's needs; a contact may withdraw it (through the outbox, offline too) while
/// the state machine allows it.
#[component]
fn OurNeed(
    need: NeedView,
    contact: bool,
    case: Option<crate::sync::client::CaseView>,
    me: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let (id, confirming, problem) = (need.id, RwSignal::new(false), RwSignal::new(false));
    let withdrawable =
        contact && need::may_move(NeedActor::Contact, &need.data, NeedStatus::Withdrawn);
    let editable = contact && need.data.status.is_editable();
    let withdraw = move || {
        let patch = NeedPatch {
            status: Some(NeedStatus::Withdrawn),
            ..NeedPatch::default()
        };
        problem.set(sync.record(id, NeedOp::Update(patch)).is_err());
    };
    let NeedData {
        title,
        details,
        status,
        ..
    } = need.data;
    let kind = details.kind();
    let amount = match details {
        NeedDetails::MicroGrant { amount_ore, .. } => Some(format_kronor(amount_ore)),
        _ => None,
    };
    view! {
        <li class="need" data-testid="our-need">
            <h3 class="need__title"><a href=format!("/behov/{id}")>{title}</a></h3>
            <p class="need__meta">
                <span class="badge">{move || kind_name(i18n, kind)}</span>
                <span class="badge badge--status" data-testid="need-status">{move || status_name(i18n, status, kind.asks_municipality())}</span>
                {need.waiting.then(|| view! { <span class="badge badge--todo" data-testid="need-waiting">{t!(i18n, our_needs.waiting)}</span> })}
            </p>
            {amount.map(|a| view! { <p><strong>{a}</strong></p> })}
            {(kind == NeedKind::Activity).then(|| view! { <GroupOccasions need=id contact /> })}
            {case.map(|case| view! { <crate::pages::cases::GroupCase case contact me /> })}
            {(editable || withdrawable).then(|| view! {
                <div class="actions">
                    {editable.then(|| view! {
                        <a href=format!("/behov/andra?id={id}") data-testid="edit-need">{t!(i18n, our_needs.edit)}</a>
                    })}
                    {withdrawable.then(|| view! { <button class="link-button" type="button" data-testid="withdraw" on:click=move |_| confirming.set(true)>
                        {t!(i18n, our_needs.withdraw)}
                    </button> })}
                </div>
            })}
            {move || confirming.get().then(|| view! {
                <div class="notice" role="alertdialog" aria-label=move || t_string!(i18n, our_needs.withdraw_confirm)>
                    <p>{t!(i18n, our_needs.withdraw_confirm)}</p>
                    <div class="actions">
                        <button class="button button--danger" type="button" on:click=move |_| { confirming.set(false); withdraw() }>
                            {t!(i18n, our_needs.withdraw_yes)}
                        </button>
                        <button class="link-button" type="button" on:click=move |_| confirming.set(false)>{t!(i18n, offers.cancel)}</button>
                    </div>
                </div>
            })}
            {move || problem.get().then(|| view! { <p class="notice notice--error" role="alert">{t!(i18n, sync.storage_full)}</p> })}
        </li>
    }
}

/// `/behov/ny` — ask for help, for a group I speak for.
#[component]
pub fn NewNeedPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, our_needs.new_title).to_owned() />
        <h1>{t!(i18n, our_needs.new_heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><NewNeed /></LocalData> } />
    }
}

/// A `<select>` of dynamic options, with its message.
#[component]
fn SelectField(
    form: FormState,
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    value: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let errors = move || form.fields.with(|f| f.get(name).cloned());
    let error_id = format!("{name}-error");
    view! {
        <div class="field">
            <label for=name>{label} <span class="field__required" aria-hidden="true">" *"</span></label>
            <select id=name name=name
                aria-invalid=move || errors().map(|_| "true")
                aria-describedby=move || errors().map(|_| error_id.clone())
                use:typed=move |v| value.set(v)
                on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="" selected=move || value.with(String::is_empty)>{t!(i18n, our_needs.choose)}</option>
                {move || options.get().into_iter().map(|(id, text)| {
                    let selected = id.clone();
                    view! { <option value=id selected=move || value.with(|v| *v == selected)>{text}</option> }
                }).collect_view()}
            </select>
            {move || errors().map(|keys| view! {
                <p class="field__error" id=format!("{name}-error")>{keys.iter().map(|k| message(i18n, k)).collect::<Vec<_>>().join(" ")}</p>
            })}
        </div>
    }
}

#[component]
fn NewNeed() -> impl IntoView {
    view! { <NeedForm editing=None /> }
}

/// `/behov/andra?id=…` — a contact changes one of the group's needs while it is a draft or
/// open (a draft may be published from here).
#[component]
pub fn EditNeedPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, our_needs.edit_title).to_owned() />
        <h1>{t!(i18n, our_needs.edit_heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><EditNeed /></LocalData> } />
    }
}

#[component]
fn EditNeed() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let id =
        use_query_map().with_untracked(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let found = id.and_then(|id| {
        sync.view.with_untracked(|v| {
            v.needs
                .iter()
                .find(|n| n.id == id && n.data.status.is_editable())
                .map(|n| (n.id, n.data.clone()))
        })
    });
    match found {
        None => Either::Left(view! {
            <p class="notice notice--error" role="alert" data-testid="need-not-editable">{t!(i18n, our_needs.not_editable)}</p>
            <p><a href="/behov/mina">{t!(i18n, our_needs.back)}</a></p>
        }),
        Some(editing) => Either::Right(view! { <NeedForm editing=Some(editing) /> }),
    }
}

/// The need form, for a new need or to change `editing` (its id and the need as it is). The
/// same rules as the server's `apply` judge it; then it goes to the outbox.
#[component]
fn NeedForm(editing: Option<(Uuid, NeedData)>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let form = FormState::new();
    let context = sync.view.with_untracked(|v| v.context.clone());
    let known = crate::sync::client::known(context.as_ref());
    // A need stays with its group: editing, the only choice is that group.
    let speaking_for: Vec<_> = context
        .as_ref()
        .map(|c| {
            c.groups
                .iter()
                .filter(|g| g.role == MemberRole::Contact)
                .filter(|g| editing.as_ref().is_none_or(|(_, n)| n.group == g.id))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if speaking_for.is_empty() {
        return Either::Left(
            view! { <p class="notice" data-testid="not-a-contact">{t!(i18n, our_needs.not_a_contact)}</p> },
        );
    }
    let reference = context.map(|c| c.reference).unwrap_or_default();
    let first = speaking_for
        .first()
        .map(|g| g.id.to_string())
        .unwrap_or_default();
    let input = RwSignal::new(match &editing {
        Some((_, need)) => NeedInput::from_need(need),
        None => NeedInput {
            group: if speaking_for.len() == 1 {
                first
            } else {
                String::new()
            },
            kind: "micro_grant".into(),
            urgency: "normal".into(),
            when: "weekly".into(),
            help: "accounts".into(),
            repeat: "weekly".into(),
            shifts: vec![need::ShiftInput {
                id: 0,
                label: String::new(),
                places: String::new(),
                waiting_list: true,
            }],
            ..NeedInput::default()
        },
    });
    // One signal per field, for the shared form pieces; read back into the input on submit.
    let field = |get: fn(&NeedInput) -> String| RwSignal::new(input.with_untracked(get));
    let group = field(|i| i.group.clone());
    let kind = field(|i| i.kind.clone());
    let title = field(|i| i.title.clone());
    let district = field(|i| i.district.clone());
    let urgency = field(|i| i.urgency.clone());
    let needed_by = field(|i| i.needed_by.clone());
    let amount = field(|i| i.amount.clone());
    let purpose = field(|i| i.purpose.clone());
    let enables = field(|i| i.enables.clone());
    let payee = field(|i| i.payee.clone());
    let when = field(|i| i.when.clone());
    let date = field(|i| i.date.clone());
    let weekday = field(|i| i.weekday.clone());
    let from = field(|i| i.from.clone());
    let to = field(|i| i.to.clone());
    let people = field(|i| i.people.clone());
    let accessibility = field(|i| i.accessibility.clone());
    let what = field(|i| i.what.clone());
    let volume = field(|i| i.volume.clone());
    let until = field(|i| i.until.clone());
    let help = field(|i| i.help.clone());
    let description = field(|i| i.description.clone());
    let whom = field(|i| i.whom.clone());
    let reason = field(|i| i.reason.clone());
    let text_field = field(|i| i.text.clone());
    let tasks = field(|i| i.tasks.clone());
    let place = field(|i| i.place.clone());
    let starts = field(|i| i.starts.clone());
    let ends = field(|i| i.ends.clone());
    let repeat = field(|i| i.repeat.clone());
    let first_date = field(|i| i.first_date.clone());
    let last_date = field(|i| i.last_date.clone());
    let except = field(|i| i.except.clone());
    let dates = field(|i| i.dates.clone());
    let weekdays = RwSignal::new(input.with_untracked(|i| i.weekdays.clone()));
    let shifts = RwSignal::new(input.with_untracked(|i| i.shifts.clone()));
    let draft = RwSignal::new(input.with_untracked(|i| i.draft));
    let areas = RwSignal::new(input.with_untracked(|i| i.areas.clone()));
    // Once asked, a need cannot go back to being a draft.
    let may_be_draft = editing
        .as_ref()
        .is_none_or(|(_, n)| n.status == NeedStatus::Draft);

    let group_options: Vec<(String, String)> = speaking_for
        .iter()
        .map(|g| (g.id.to_string(), g.name.clone()))
        .collect();
    let payee_options = {
        let groups = speaking_for.clone();
        Signal::derive(move || {
            let chosen = group.get();
            groups
                .iter()
                .filter(|g| g.id.to_string() == chosen)
                .flat_map(|g| {
                    g.contacts
                        .iter()
                        .map(|m| (m.user_id.to_string(), m.name.clone()))
                })
                .collect::<Vec<_>>()
        })
    };
    let district_options: Vec<(String, String)> = reference
        .districts
        .iter()
        .map(|d| (d.id.to_string(), d.name.clone()))
        .collect();
    let areas_list = reference.priority_areas.clone();
    let area_options = Signal::derive(move || {
        areas_list
            .iter()
            .map(|a| (a.id, a.name.get(i18n.get_locale()).to_owned()))
            .collect::<Vec<_>>()
    });
    let weekday_options = Signal::derive(move || {
        (1u8..=7)
            .map(|d| (d.to_string(), weekday_name(i18n, d).to_owned()))
            .collect::<Vec<_>>()
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = NeedInput {
            group: group.get(),
            kind: kind.get(),
            title: title.get(),
            district: district.get(),
            areas: areas.get(),
            urgency: urgency.get(),
            needed_by: needed_by.get(),
            draft: draft.get(),
            amount: amount.get(),
            purpose: purpose.get(),
            enables: enables.get(),
            payee: payee.get(),
            when: when.get(),
            date: date.get(),
            weekday: weekday.get(),
            from: from.get(),
            to: to.get(),
            people: people.get(),
            accessibility: accessibility.get(),
            what: what.get(),
            volume: volume.get(),
            until: until.get(),
            help: help.get(),
            description: description.get(),
            whom: whom.get(),
            reason: reason.get(),
            text: text_field.get(),
            tasks: tasks.get(),
            place: place.get(),
            starts: starts.get(),
            ends: ends.get(),
            repeat: repeat.get(),
            weekdays: weekdays.get(),
            first_date: first_date.get(),
            last_date: last_date.get(),
            except: except.get(),
            dates: dates.get(),
            shifts: shifts.get(),
        };
        let Some(mut need) = form.check(typed.validate(&known)) else {
            return;
        };
        let (id, op) = match &editing {
            None => (Uuid::new_v4(), NeedOp::Create(need)),
            Some((id, before)) => {
                need.group = before.group;
                if !may_be_draft {
                    need.status = before.status;
                }
                let patch = NeedPatch::between(before, &need);
                if patch == NeedPatch::default() {
                    navigate("/behov/mina", Default::default());
                    return;
                }
                (*id, NeedOp::Update(patch))
            }
        };
        match sync.record(id, op) {
            Ok(()) => navigate("/behov/mina?sparat=1", Default::default()),
            Err(_) => form.show(FieldErrors::single("form", "storage_full").into()),
        }
    };
    let kinds: Vec<(&'static str, Signal<String>)> = NeedKind::ALL
        .into_iter()
        .map(|k| {
            (
                k.as_str(),
                Signal::derive(move || kind_name(i18n, k).to_owned()),
            )
        })
        .collect();
    let urgencies = vec![
        ("low", text!(i18n, needs.urgency_low)),
        ("normal", text!(i18n, needs.urgency_normal)),
        ("high", text!(i18n, needs.urgency_high)),
    ];
    let is = move |k: &'static str| kind.with(|v| v == k);
    Either::Right(view! {
        <p class="lead">{t!(i18n, our_needs.new_lead)}</p>
        <form class="form" on:submit=on_submit novalidate data-testid="need-form">
            <p class="muted">{t!(i18n, common.required_hint)}</p>
            <FormSummary form />
            <SelectField form name="group" label=text!(i18n, our_needs.group) options=Signal::derive(move || group_options.clone()) value=group />
            <RadioList form name="kind" legend=text!(i18n, our_needs.kind) options=kinds value=kind />
            <TextField form name="title" label=text!(i18n, our_needs.need_title) hint=text!(i18n, our_needs.need_title_hint) value=title required=true />
            {move || is("micro_grant").then(|| view! {
                <TextField form name="amount" label=text!(i18n, our_needs.amount) hint=text!(i18n, our_needs.amount_hint) value=amount required=true inputmode="decimal" />
                <TextField form name="purpose" label=text!(i18n, our_needs.purpose) value=purpose required=true multiline=true />
                <TextField form name="enables" label=text!(i18n, our_needs.enables) value=enables multiline=true />
                <SelectField form name="payee" label=text!(i18n, our_needs.payee) options=payee_options value=payee />
            })}
            {move || is("premises").then(|| view! {
                <RadioList form name="when" legend=text!(i18n, our_needs.when) options=vec![("weekly", text!(i18n, our_needs.weekly)), ("one_off", text!(i18n, our_needs.one_off))] value=when />
                {move || if when.with(|w| w == "weekly") {
                    Either::Left(view! { <SelectField form name="weekday" label=text!(i18n, offers.weekday) options=weekday_options value=weekday /> })
                } else {
                    Either::Right(view! { <TextField form name="date" label=text!(i18n, offers.date) value=date input_type="date" required=true /> })
                }}
                <div class="field-row">
                    <TextField form name="from" label=text!(i18n, offers.from) value=from input_type="time" required=true />
                    <TextField form name="to" label=text!(i18n, offers.to) value=to input_type="time" required=true />
                </div>
                <TextField form name="people" label=text!(i18n, our_needs.people) value=people required=true inputmode="numeric" />
                <TextField form name="accessibility" label=text!(i18n, our_needs.accessibility) value=accessibility multiline=true />
            })}
            {move || is("storage").then(|| view! {
                <TextField form name="what" label=text!(i18n, our_needs.what) value=what required=true multiline=true />
                <TextField form name="volume" label=text!(i18n, our_needs.volume) value=volume />
                <TextField form name="until" label=text!(i18n, our_needs.until) value=until input_type="date" />
            })}
            {move || is("admin_help").then(|| view! {
                <RadioList form name="help" legend=text!(i18n, our_needs.help) options=vec![
                    ("accounts", text!(i18n, our_needs.help_accounts)),
                    ("application", text!(i18n, our_needs.help_application)),
                    ("website", text!(i18n, our_needs.help_website)),
                    ("other", text!(i18n, our_needs.help_other)),
                ] value=help />
                <TextField form name="description" label=text!(i18n, our_needs.description) value=description multiline=true />
            })}
            {move || is("recognition").then(|| view! {
                <TextField form name="whom" label=text!(i18n, our_needs.whom) value=whom required=true />
                <TextField form name="reason" label=text!(i18n, our_needs.reason) value=reason required=true multiline=true />
            })}
            {move || is("other").then(|| view! {
                <TextField form name="text" label=text!(i18n, our_needs.text) value=text_field required=true multiline=true />
            })}
            {move || is("activity").then(|| view! {
                <TextField form name="tasks" label=text!(i18n, our_needs.tasks) value=tasks required=true multiline=true />
                <TextField form name="place" label=text!(i18n, our_needs.place) value=place required=true />
                <div class="field-row">
                    <TextField form name="starts" label=text!(i18n, our_needs.starts) value=starts input_type="time" required=true />
                    <TextField form name="ends" label=text!(i18n, our_needs.ends) hint=text!(i18n, our_needs.ends_hint) value=ends input_type="time" required=true />
                </div>
                <RadioList form name="repeat" legend=text!(i18n, our_needs.schedule) options=vec![("weekly", text!(i18n, our_needs.weekly)), ("dated", text!(i18n, our_needs.dated))] value=repeat />
                {move || if repeat.with(|r| r == "dated") {
                    Either::Left(view! {
                        <TextField form name="dates" label=text!(i18n, our_needs.dates) hint=text!(i18n, our_needs.dates_hint) value=dates required=true multiline=true />
                    })
                } else {
                    Either::Right(view! {
                        <Weekdays form selected=weekdays />
                        <div class="field-row">
                            <TextField form name="first_date" label=text!(i18n, our_needs.first_date) value=first_date input_type="date" required=true />
                            <TextField form name="last_date" label=text!(i18n, our_needs.last_date) value=last_date input_type="date" required=true />
                        </div>
                        <TextField form name="except" label=text!(i18n, our_needs.except_dates) hint=text!(i18n, our_needs.dates_hint) value=except multiline=true />
                    })
                }}
                <Shifts form shifts />
            })}
            <SelectField form name="district" label=text!(i18n, our_needs.district) options=Signal::derive(move || district_options.clone()) value=district />
            <ChoiceList form name="areas" legend=text!(i18n, offers.areas) options=area_options selected=areas />
            <RadioList form name="urgency" legend=text!(i18n, our_needs.urgency) options=urgencies value=urgency />
            <TextField form name="needed_by" label=text!(i18n, our_needs.needed_by) value=needed_by input_type="date" />
            {may_be_draft.then(|| view! { <CheckField form name="draft" label=text!(i18n, our_needs.draft) checked=draft /> })}
            <div class="actions">
                <Submit label=text!(i18n, our_needs.save) pending=Signal::derive(|| false) />
                <a href="/behov/mina">{t!(i18n, offers.cancel)}</a>
            </div>
        </form>
    })
}

/// The weekdays an activity repeats on: one checkbox each.
#[component]
fn Weekdays(form: FormState, selected: RwSignal<Vec<u8>>) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |day: u8, on: bool| {
        selected.update(|s| {
            s.retain(|d| *d != day);
            if on {
                s.push(day);
                s.sort_unstable();
            }
        })
    };
    let errors = move || {
        let keys = form.field("weekdays");
        (!keys.is_empty()).then(|| {
            keys.iter()
                .map(|k| message(i18n, k))
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    view! {
        <fieldset class="field choices" id="weekdays" tabindex="-1"
            aria-invalid=move || errors().map(|_| "true")
            aria-describedby=move || errors().map(|_| "weekdays-error")>
            <legend>{t!(i18n, our_needs.weekdays)} <span class="field__required" aria-hidden="true">" *"</span></legend>
            <ul class="choices__list">
                {(1u8..=7).map(|day| {
                    let id = format!("weekday-{day}");
                    view! {
                        <li>
                            <input type="checkbox" id=id.clone() name="weekdays" value=day.to_string()
                                checked=selected.with_untracked(|s| s.contains(&day))
                                on:change=move |ev| toggle(day, event_target_checked(&ev)) />
                            <label for=id>{move || weekday_name(i18n, day)}</label>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || errors().map(|text| view! { <p class="field__error" id="weekdays-error">{text}</p> })}
        </fieldset>
    }
}

/// An activity's shifts: a name (may be empty when there is one), the places, and whether
/// a waiting list is kept; rows can be added and removed.
#[component]
fn Shifts(form: FormState, shifts: RwSignal<Vec<need::ShiftInput>>) -> impl IntoView {
    use crate::domain::activity::{shift_field, MAX_SHIFTS};
    let i18n = use_i18n();
    let field = move |i: usize, part: &'static str| {
        let keys = form
            .fields
            .with(|f| f.get(&shift_field(i, part)).cloned().unwrap_or_default());
        (!keys.is_empty()).then(|| {
            keys.iter()
                .map(|k| message(i18n, k))
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let set = move |i: usize, part: &'static str, value: String| {
        shifts.update(|rows| {
            if let Some(row) = rows.get_mut(i) {
                match part {
                    "label" => row.label = value,
                    _ => row.places = value,
                }
            }
        })
    };
    let input = move |i: usize, part: &'static str, label: Signal<String>, required: bool| {
        let id = shift_field(i, part);
        let error_id = format!("{id}-error");
        let value = move || {
            shifts.with(|rows| {
                rows.get(i)
                    .map(|r| match part {
                        "label" => r.label.clone(),
                        _ => r.places.clone(),
                    })
                    .unwrap_or_default()
            })
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label} {required.then(|| view! { <span class="field__required" aria-hidden="true">" *"</span> })}</label>
                <input id=id.clone() name=id.clone() type="text" required=required
                    inputmode=(part == "places").then_some("numeric")
                    aria-invalid=move || field(i, part).map(|_| "true")
                    aria-describedby=move || field(i, part).map(|_| error_id.clone())
                    use:typed=move |v| set(i, part, v)
                    prop:value=value on:input=move |ev| set(i, part, event_target_value(&ev)) />
                {move || field(i, part).map(|text| view! { <p class="field__error" id=format!("{}-error", shift_field(i, part))>{text}</p> })}
            </div>
        }
    };
    // Only adding or removing a row re-renders the rows (typing must not: it would lose focus).
    let count = Memo::new(move |_| shifts.with(Vec::len));
    let rows = move || {
        let count = count.get();
        (0..count)
            .map(|i| {
                let waiting_id = shift_field(i, "waiting_list");
                view! {
                    <fieldset class="window">
                        <legend>{move || format!("{} {}", t_string!(i18n, our_needs.shift), i + 1)}</legend>
                        <div class="field-row">
                            {input(i, "label", text!(i18n, our_needs.shift_label), false)}
                            {input(i, "places", text!(i18n, our_needs.shift_places), true)}
                        </div>
                        <div class="field field--check">
                            <input type="checkbox" id=waiting_id.clone() name=waiting_id.clone()
                                checked=shifts.with_untracked(|r| r.get(i).is_some_and(|r| r.waiting_list))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    shifts.update(|r| if let Some(r) = r.get_mut(i) { r.waiting_list = on });
                                } />
                            <label for=waiting_id>{t!(i18n, our_needs.waiting_list)}</label>
                        </div>
                        {(count > 1).then(|| view! {
                            <button class="link-button" type="button" on:click=move |_| shifts.update(|r| { if i < r.len() { r.remove(i); } })>
                                {t!(i18n, our_needs.remove_shift)}
                            </button>
                        })}
                    </fieldset>
                }
            })
            .collect_view()
    };
    let errors = move || {
        let keys = form.field("shifts");
        (!keys.is_empty()).then(|| {
            keys.iter()
                .map(|k| message(i18n, k))
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    view! {
        <div id="shifts" tabindex="-1" aria-invalid=move || errors().map(|_| "true")>
            {rows}
            {move || errors().map(|text| view! { <p class="field__error">{text}</p> })}
            {move || (count.get() < MAX_SHIFTS).then(|| view! {
                <button class="button button--secondary" type="button" on:click=move |_| shifts.update(|r| r.push(need::ShiftInput {
                    id: 0,
                    label: String::new(),
                    places: String::new(),
                    waiting_list: true,
                }))>
                    {t!(i18n, our_needs.add_shift)}
                </button>
            })}
        </div>
    }
}

/// An activity's occasions as its group sees them on the phone: from a week back, who is
/// coming and who waits; once an occasion has started, a contact marks who came and confirms
/// their hours (offline too: the stairwell at the end of a night walk).
#[component]
fn GroupOccasions(need: Uuid, contact: bool) -> impl IntoView {
    use crate::domain::activity::{hours_text, Hours, OccasionStatus, SignUpPatch, SignUpStatus};
    use crate::pages::shifts::{status_text, when_text};
    use crate::sync::context::now_unix;
    use crate::sync::protocol::SignUpOp;
    let i18n = use_i18n();
    let sync = use_sync();
    let now = now_unix();
    let me = sync
        .view
        .with_untracked(|v| v.context.as_ref().map(|c| c.me.id));
    let shown = Memo::new(move |_| {
        sync.view.with(|v| {
            let mut occasions: Vec<_> = v
                .occasions
                .iter()
                .filter(|o| o.data.need == need && o.data.ends_at > now - 7 * 86_400)
                .cloned()
                .collect();
            occasions.sort_by_key(|o| o.data.starts_at);
            occasions.truncate(6);
            occasions
                .into_iter()
                .map(|o| {
                    let mut sign_ups: Vec<_> = v
                        .sign_ups
                        .iter()
                        .filter(|s| s.data.occasion == o.id)
                        .cloned()
                        .collect();
                    sign_ups.sort_by_key(|s| (s.data.status, s.data.requested_at, s.id));
                    (o, sign_ups)
                })
                .collect::<Vec<_>>()
        })
    });
    let record = move |id: Uuid, patch: SignUpPatch| {
        let _ = sync.record(id, SignUpOp::Update(patch));
    };
    // Only the list inside re-renders on a change (the details stay open as they were).
    let any = Memo::new(move |_| shown.with(|s| !s.is_empty()));
    move || {
        any.get().then(|| view! {
            <details class="occasions" data-testid="group-occasions">
                <summary>{t!(i18n, shifts.next_occasions)}</summary>
                <ul class="cards">
                    {move || shown.get().into_iter().map(|(occasion, sign_ups)| {
                        let started = occasion.data.starts_at <= now;
                        let cancelled = occasion.data.status == OccasionStatus::Cancelled;
                        let planned = occasion.data.occasion().minutes();
                        view! {
                            <li class="card" data-testid="group-occasion">
                                <h4 class="card__title">{when_text(occasion.data.starts_at, occasion.data.ends_at)}</h4>
                                {cancelled.then(|| view! { <p><span class="badge">{t!(i18n, shifts.status_cancelled)}</span></p> })}
                                {sign_ups.is_empty().then(|| view! { <p class="muted">{t!(i18n, shifts.no_sign_ups)}</p> })}
                                <ul class="sign-ups">
                                    {sign_ups.into_iter().map(|s| {
                                        let id = s.id;
                                        let attended = s.data.attended;
                                        let holds = s.data.status == SignUpStatus::Confirmed;
                                        let own = Some(s.data.volunteer) == me;
                                        let can_mark = contact && started && holds && !own;
                                        let hours = s.data.hours.clone();
                                        let confirmed = hours.as_ref().is_some_and(|h| h.confirmed_by.is_some());
                                        let minutes = hours.as_ref().map_or(planned, |h| h.minutes);
                                        let reason = hours.as_ref().map(|h| h.reason.clone()).unwrap_or_default();
                                        let check_id = format!("came-{id}");
                                        view! {
                                            <li data-testid="group-sign-up">
                                                <span>{s.data.name.clone()}</span> " "
                                                <span class="badge badge--status">{move || status_text(i18n, s.data.status)}</span>
                                                {s.waiting.then(|| view! { " " <span class="badge">{t!(i18n, shifts.not_sent)}</span> })}
                                                {hours.as_ref().map(|h| view! { " " <span>{hours_text(h.minutes)} " h"</span> })}
                                                {can_mark.then(|| view! {
                                                    <div class="field field--check">
                                                        <input type="checkbox" id=check_id.clone() checked=attended == Some(true)
                                                            on:change=move |ev| record(id, SignUpPatch { attended: Some(Some(event_target_checked(&ev))), ..SignUpPatch::default() }) />
                                                        <label for=check_id>{t!(i18n, shifts.came)}</label>
                                                    </div>
                                                })}
                                                {(can_mark && !confirmed && attended != Some(false)).then(|| {
                                                    let reason = reason.clone();
                                                    view! {
                                                        <button class="button button--secondary" type="button" data-testid="confirm-hours"
                                                            on:click=move |_| record(id, SignUpPatch {
                                                                hours: Some(Some(Hours { minutes, reason: reason.clone(), confirmed_by: me })),
                                                                ..SignUpPatch::default()
                                                            })>
                                                            {move || format!("{} ({} h)", t_string!(i18n, shifts.confirm_hours), hours_text(minutes))}
                                                        </button>
                                                    }
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        })
    }
}

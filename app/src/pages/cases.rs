//! Micro-support cases: the handlers' queue (`/personal/arenden`), one case with its trail and
//! what the reader may do now (`/arenden/:id`, for staff and the group's members; printable),
//! and the case as the group's phone holds it (under each request on `/behov/mina`, offline
//! too: answers, reports and withdrawals go through the outbox).
use leptos::either::{Either, EitherOf3};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::api::cases::{
    handlers_queue, read_case, read_support_report, TakeCaseStep, REPORT_CSV_PATH,
};
use crate::api::reference::load_reference_data;
use crate::components::form::{
    message, on_answer, summary, FormState, FormSummary, Submit, TextField,
};
use crate::components::{user_resource, user_resource_by, NotAllowed, PageTitle, RequireUser};
use crate::domain::case::{
    CaseAction, CaseData, CaseDetail, CaseQueue, CaseRole, CaseState, CaseStep, CaseStepForm,
    QueueFilter, QueuedCase, Waited,
};
use crate::domain::local_time;
use crate::domain::need::{format_kronor, NeedKind};
use crate::domain::{permissions, Me, ReferenceData, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::account::ReferenceResource;
use crate::pages::needs::{kind_name, page_link, Pages};
use crate::sync::client::CaseView;
use crate::sync::context::use_sync;
use crate::sync::protocol::CaseOp;
use crate::text;

const QUEUE: &str = "/personal/arenden";

/// A case's step, in words.
pub fn state_name(i18n: I18nContext<Locale>, state: CaseState) -> &'static str {
    match state {
        CaseState::Received => t_string!(i18n, cases.state_received),
        CaseState::InReview => t_string!(i18n, cases.state_in_review),
        CaseState::MoreInfo => t_string!(i18n, cases.state_more_info),
        CaseState::AwaitingSecond => t_string!(i18n, cases.state_awaiting_second),
        CaseState::Approved => t_string!(i18n, cases.state_approved),
        CaseState::Rejected => t_string!(i18n, cases.state_rejected),
        CaseState::Paid => t_string!(i18n, cases.state_paid),
        CaseState::FollowedUp => t_string!(i18n, cases.state_followed_up),
        CaseState::Closed => t_string!(i18n, cases.state_closed),
        CaseState::Withdrawn => t_string!(i18n, cases.state_withdrawn),
    }
}

/// What happened on a case, in words (a line of its trail).
pub fn action_name(i18n: I18nContext<Locale>, action: Option<CaseAction>) -> &'static str {
    match action {
        None | Some(CaseAction::Receive) => t_string!(i18n, cases.action_receive),
        Some(CaseAction::Assign) => t_string!(i18n, cases.action_assign),
        Some(CaseAction::AskMoreInfo) => t_string!(i18n, cases.action_ask_more_info),
        Some(CaseAction::Answer) => t_string!(i18n, cases.action_answer),
        Some(CaseAction::Approve) => t_string!(i18n, cases.action_approve),
        Some(CaseAction::ConfirmApproval) => t_string!(i18n, cases.action_confirm_approval),
        Some(CaseAction::Reject) => t_string!(i18n, cases.action_reject),
        Some(CaseAction::Pay) => t_string!(i18n, cases.action_pay),
        Some(CaseAction::FollowUp) => t_string!(i18n, cases.action_follow_up),
        Some(CaseAction::Close) => t_string!(i18n, cases.action_close),
        Some(CaseAction::Withdraw) => t_string!(i18n, cases.action_withdraw),
        Some(CaseAction::Message) => t_string!(i18n, cases.action_message),
    }
}

/// A wait as people say it: days when it is a day or more, hours otherwise.
fn duration(i18n: I18nContext<Locale>, seconds: i64) -> String {
    let hours = seconds / 3_600;
    if hours >= 24 {
        format!("{} {}", hours / 24, t_string!(i18n, cases.days))
    } else {
        format!("{hours} {}", t_string!(i18n, cases.hours))
    }
}

/// How long a case has waited: in its step, and in all on the municipality's clock.
#[component]
fn WaitedText(waited: Waited) -> impl IntoView {
    let i18n = use_i18n();
    let in_state = move || duration(i18n, waited.in_state);
    let total = move || duration(i18n, waited.total);
    view! { {t!(i18n, cases.waited, in_state = in_state, total = total)} }
}

/// `/personal/arenden` — open cases for staff, oldest waiting first; the filters are a plain
/// `GET` form and the pages plain links.
#[component]
pub fn CaseQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let staff = |role: Role| permissions::can_handle_cases(Some(role));
    let (filter, mine) = use_query_map().with_untracked(|q| {
        (
            QueueFilter::from_query(|k| q.get(k), None),
            q.get("mina").is_some_and(|v| v == "1"),
        )
    });
    let asked = filter.clone();
    let list = user_resource(staff, move || {
        let f = asked.clone();
        handlers_queue(
            f.state,
            f.kind,
            f.district,
            f.handler,
            Some(mine),
            Some(f.page),
        )
    });
    let reference = user_resource(staff, load_reference_data);
    view! {
        <PageTitle text=move || t_string!(i18n, cases.title_queue).to_owned() />
        <h1>{t!(i18n, cases.heading_queue)}</h1>
        <RequireUser children=move |me: Me| {
            if staff(me.role) {
                Either::Left(view! {
                    <p class="lead">{t!(use_i18n(), cases.lead_queue)}</p>
                    <p><a href="/personal/stod">{t!(use_i18n(), cases.report_link)}</a></p>
                    <Queue filter=filter.clone() mine list reference />
                })
            } else {
                Either::Right(view! { <NotAllowed /> })
            }
        } />
    }
}

#[component]
fn Queue(
    filter: QueueFilter,
    mine: bool,
    list: Resource<Result<CaseQueue, AppError>>,
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
                            let query = if mine {
                                let mut q = QueueFilter { handler: None, ..filter.clone() }.query(1);
                                q.push_str(if q.is_empty() { "mina=1" } else { "&mina=1" });
                                q
                            } else {
                                filter.query(1)
                            };
                            let (page, pages) = (list.page, list.pages());
                            Either::Left(view! {
                                <QueueFilters filter reference=reference.clone() list=list.clone() mine />
                                <QueueList list=list reference />
                                <Pages page pages link=move |n| {
                                    let extra = if n > 1 { format!("sida={n}") } else { String::new() };
                                    let joined = [query.clone(), extra].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&");
                                    page_link(QUEUE, joined)
                                } />
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
fn QueueFilters(
    filter: QueueFilter,
    reference: ReferenceData,
    list: CaseQueue,
    mine: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = |selected: bool| selected.then_some("selected");
    let kinds = NeedKind::ALL.into_iter().filter(|k| k.asks_municipality());
    view! {
        <form class="filters" method="get" action=QUEUE role="search" data-testid="case-filters">
            <div class="field">
                <label for="filter-state">{t!(i18n, cases.filter_state)}</label>
                <select id="filter-state" name="steg">
                    <option value="">{t!(i18n, cases.filter_open)}</option>
                    {CaseState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=chosen(filter.state == Some(s))>{move || state_name(i18n, s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-kind">{t!(i18n, cases.filter_kind)}</label>
                <select id="filter-kind" name="typ">
                    <option value="">{t!(i18n, needs.filter_all)}</option>
                    {kinds.map(|k| view! {
                        <option value=k.as_str() selected=chosen(filter.kind == Some(k))>{move || kind_name(i18n, k)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-district">{t!(i18n, cases.filter_district)}</label>
                <select id="filter-district" name="omrade">
                    <option value="">{t!(i18n, needs.filter_all)}</option>
                    {reference.districts.into_iter().map(|d| view! {
                        <option value=d.id.to_string() selected=chosen(filter.district == Some(d.id))>{d.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-handler">{t!(i18n, cases.filter_handler)}</label>
                <select id="filter-handler" name="handlaggare">
                    <option value="">{t!(i18n, cases.filter_anyone)}</option>
                    {list.handlers.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=chosen(!mine && filter.handler == Some(id))>{name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field field--check">
                <input type="checkbox" id="filter-mine" name="mina" value="1" checked=mine />
                <label for="filter-mine">{t!(i18n, cases.filter_mine)}</label>
            </div>
            <button class="button" type="submit">{t!(i18n, needs.filter_submit)}</button>
        </form>
    }
}

#[component]
fn QueueList(list: CaseQueue, reference: ReferenceData) -> impl IntoView {
    let i18n = use_i18n();
    if list.cases.is_empty() {
        return Either::Left(view! { <p data-testid="no-cases">{t!(i18n, cases.none)}</p> });
    }
    let total = list.total;
    Either::Right(view! {
        <p class="muted" data-testid="case-count">{t!(i18n, cases.count, count = move || total)}</p>
        <ul class="need-list" data-testid="cases">
            {list.cases.into_iter().map(|case| view! { <QueueItem case reference=reference.clone() /> }).collect_view()}
        </ul>
    })
}

#[component]
fn QueueItem(case: QueuedCase, reference: ReferenceData) -> impl IntoView {
    let i18n = use_i18n();
    let QueuedCase {
        id,
        number,
        kind,
        state,
        title,
        group_name,
        district,
        handler_name,
        requested_ore,
        waited,
    } = case;
    let district = reference
        .districts
        .into_iter()
        .find(|d| d.id == district)
        .map(|d| d.name)
        .unwrap_or_default();
    view! {
        <li class="need" data-testid="queued-case">
            <h2 class="need__title"><a href=format!("/arenden/{id}")>{number}" · "{title}</a></h2>
            <p class="need__meta">
                <span class="badge badge--status">{move || state_name(i18n, state)}</span>
                <span class="badge">{move || kind_name(i18n, kind)}</span>
                {requested_ore.map(|a| view! { <span class="badge">{format_kronor(a)}</span> })}
            </p>
            <p>{group_name}" · "{district}</p>
            <p class="muted" data-testid="case-waited"><WaitedText waited /></p>
            <p class="muted">{match handler_name {
                Some(name) => Either::Left(view! { {t!(i18n, cases.handler, name = move || name.clone())} }),
                None => Either::Right(view! { {t!(i18n, cases.unassigned)} }),
            }}</p>
        </li>
    }
}

/// `/arenden/:id` — one case: its facts, its trail and what the reader may do now.
#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|raw| raw.parse::<Uuid>().ok()));
    // Bumped after every step: the case is read again.
    let version = RwSignal::new(0u32);
    // Who may read it is the server's to say (staff, or a contact of the case's group).
    let data = user_resource_by(
        |_| true,
        move || (id(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => read_case(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <PageTitle text=move || t_string!(i18n, cases.title_queue).to_owned() />
        <RequireUser children=move |_me: Me| view! { <CaseLoader data version /> } />
    }
}

/// The case, once read (again after every step).
#[component]
fn CaseLoader(
    data: Resource<Result<CaseDetail, AppError>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => EitherOf3::A(view! { <Case detail version /> }),
                    Err(AppError::NotFound) => EitherOf3::B(view! { <crate::pages::NotFoundPage /> }),
                    Err(err) => EitherOf3::C(view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Case(detail: CaseDetail, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let CaseDetail {
        id,
        case,
        group_name,
        formal,
        contacts,
        payee_name,
        granted_this_year,
        rules,
        trail,
        waited,
        allowed,
        staff,
        ..
    } = detail;
    let number = case.number.clone();
    let heading = number.clone();
    let state = case.state;
    let kind = case.kind;
    let seen = trail.len();
    let grant = kind == NeedKind::MicroGrant;
    let (request, year) = (
        format_kronor(rules.max_per_request_ore),
        format_kronor(rules.max_per_group_year_ore),
    );
    let four_eyes = rules.four_eyes_above_ore.map(format_kronor);
    view! {
        <article class="case" data-testid="case-page">
            <h1>{t!(i18n, cases.case_title, number = move || heading.clone())}</h1>
            <p class="lead">{case.title.clone()}</p>
            <dl class="facts">
                <dt>{t!(i18n, cases.state)}</dt><dd data-testid="case-state">{move || state_name(i18n, state)}</dd>
                <dt>{t!(i18n, cases.kind)}</dt><dd>{move || kind_name(i18n, kind)}</dd>
                <dt>{t!(i18n, cases.group)}</dt><dd>{group_name}" ("{move || if formal { t_string!(i18n, cases.formal) } else { t_string!(i18n, cases.informal) }}")"</dd>
                {case.requested_ore.map(|a| view! { <dt>{t!(i18n, cases.requested)}</dt><dd>{format_kronor(a)}</dd> })}
                {payee_name.map(|n| view! { <dt>{t!(i18n, cases.payee_label)}</dt><dd>{n}</dd> })}
                {(!case.handler_name.is_empty()).then(|| view! { <dt>{t!(i18n, cases.filter_handler)}</dt><dd>{case.handler_name.clone()}</dd> })}
                <dt>{t!(i18n, cases.waited_label)}</dt><dd><WaitedText waited /></dd>
                {case.granted_ore.map(|a| view! { <dt>{t!(i18n, cases.granted)}</dt><dd data-testid="case-granted">{format_kronor(a)}</dd> })}
                {(!case.given.is_empty()).then(|| view! { <dt>{t!(i18n, cases.given_label)}</dt><dd>{case.given.clone()}</dd> })}
                {(!case.reason.is_empty()).then(|| view! { <dt>{t!(i18n, cases.reason_label)}</dt><dd>{case.reason.clone()}</dd> })}
                {case.paid_on.map(|d| {
                    let (date, how) = (d.to_string(), case.paid_how.clone());
                    view! { <dt>{t!(i18n, cases.paid_label)}</dt><dd>{t!(i18n, cases.paid, date = move || date.clone(), how = move || how.clone())}</dd> }
                })}
                {(!case.report.is_empty()).then(|| view! { <dt>{t!(i18n, cases.report_label)}</dt><dd>{case.report.clone()}</dd> })}
                {staff.then(|| view! {
                    <dt>{t!(i18n, cases.year_so_far)}</dt><dd data-testid="year-so-far">{format_kronor(granted_this_year)}</dd>
                })}
            </dl>
            {staff.then(|| view! {
                <p class="muted">
                    {t!(i18n, cases.limits, request = move || request.clone(), year = move || year.clone())}" "
                    {four_eyes.map(|a| view! { {t!(i18n, cases.four_eyes, amount = move || a.clone())} })}
                </p>
            })}
            <h2>{t!(i18n, cases.trail)}</h2>
            <ol class="trail" data-testid="trail">
                {trail.into_iter().map(|line| {
                    let who = line.who.clone();
                    view! { <TrailItem step=line.step who /> }
                }).collect_view()}
            </ol>
            <p class="no-print"><button class="link-button" type="button" onclick="window.print()">{t!(i18n, cases.print)}</button></p>
            {(!allowed.is_empty()).then(|| view! {
                <section class="no-print" aria-labelledby="case-actions">
                    <h2 id="case-actions">{t!(i18n, cases.actions)}</h2>
                    {allowed.into_iter().map(|action| view! {
                        <StepForm case=id action seen grant reasons=rules.reasons.clone() contacts=contacts.clone() version />
                    }).collect_view()}
                </section>
            })}
        </article>
    }
}

/// One line of a trail: when, who, what, and what they wrote.
#[component]
fn TrailItem(step: CaseStep, who: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let when = local_time::date_time(&local_time::format_utc(step.at));
    let action = step.action;
    let who = move || match (who.clone(), step.role) {
        (Some(name), _) => name,
        (None, CaseRole::System) => t_string!(i18n, cases.system).to_owned(),
        (None, CaseRole::Staff) => t_string!(i18n, cases.municipality).to_owned(),
        (None, CaseRole::GroupContact | CaseRole::Other) => String::new(),
    };
    let detail = [
        step.reason.clone(),
        step.given.clone(),
        step.paid_how.clone(),
        step.note.clone(),
    ]
    .into_iter()
    .filter(|t| !t.is_empty())
    .collect::<Vec<_>>();
    view! {
        <li data-testid="trail-line">
            <span class="muted">{when}</span>" · "<strong>{who}</strong>" · "{move || action_name(i18n, action)}
            {step.amount_ore.map(|a| view! { " "{format_kronor(a)} })}
            {step.participants.map(|n| view! { " · "{t!(i18n, cases.participants_line, n = move || n)} })}
            {detail.into_iter().map(|t| view! { <p class="trail__note">{t}</p> }).collect_view()}
        </li>
    }
}

/// A form for one action on the case, as the server's page offers it.
#[component]
fn StepForm(
    case: Uuid,
    action: CaseAction,
    seen: usize,
    grant: bool,
    reasons: Vec<String>,
    contacts: Vec<(Uuid, String)>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let submit = ServerAction::<TakeCaseStep>::new();
    on_answer(submit.value(), form, move |_| version.update(|v| *v += 1));
    let (note, amount, given) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (reason_choice, reason) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let today = crate::domain::offer::Date::at_unix(crate::sync::context::now_unix()).to_string();
    let (paid_on, paid_how) = (RwSignal::new(today), RwSignal::new(String::new()));
    let payee = RwSignal::new(
        contacts
            .first()
            .map(|(id, _)| id.to_string())
            .unwrap_or_default(),
    );
    let participants = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = CaseStepForm {
            action: Some(action),
            note: note.get(),
            amount: amount.get(),
            given: given.get(),
            reason_choice: reason_choice.get(),
            reason: reason.get(),
            paid_on: paid_on.get(),
            paid_how: paid_how.get(),
            payee: payee.get().parse().ok(),
            participants: participants.get(),
            seen: Some(seen),
        };
        if form.check(typed.parse()).is_some() {
            submit.dispatch(TakeCaseStep {
                id: case,
                form: typed,
            });
        }
    };
    let (label, testid) = match action {
        CaseAction::Assign => (text!(i18n, cases.do_assign), "do-assign"),
        CaseAction::AskMoreInfo => (text!(i18n, cases.do_ask), "do-ask"),
        CaseAction::Approve => (text!(i18n, cases.do_approve), "do-approve"),
        CaseAction::ConfirmApproval => (text!(i18n, cases.do_confirm), "do-confirm"),
        CaseAction::Reject => (text!(i18n, cases.do_reject), "do-reject"),
        CaseAction::Pay => (text!(i18n, cases.do_pay), "do-pay"),
        CaseAction::Close => (text!(i18n, cases.do_close), "do-close"),
        CaseAction::Answer => (text!(i18n, cases.do_answer), "do-answer"),
        CaseAction::FollowUp => (text!(i18n, cases.do_report), "do-report"),
        CaseAction::Withdraw => (text!(i18n, cases.do_withdraw), "do-withdraw"),
        CaseAction::Message | CaseAction::Receive => (text!(i18n, cases.do_message), "do-message"),
    };
    let field = move |name: &str| format!("{}-{name}", action.as_str());
    let errors = move |name: &'static str| form.fields.with(|f| f.get(name).cloned());
    let reason_id = field("reason_choice");
    let payee_id = field("payee");
    let fields = match action {
        CaseAction::Approve | CaseAction::Reject => Some(view! {
            {(action == CaseAction::Approve && grant).then(|| view! {
                <TextField form name="amount" id=field("amount") label=text!(i18n, cases.amount) value=amount inputmode="decimal" required=true />
            })}
            {(action == CaseAction::Approve && !grant).then(|| view! {
                <TextField form name="given" id=field("given") label=text!(i18n, cases.given) value=given required=true />
            })}
            <div class="field">
                <label for=reason_id.clone()>{t!(i18n, cases.reason_choice)}</label>
                <select id=reason_id name="reason_choice"
                    aria-invalid=move || errors("reason").map(|_| "true")
                    on:change=move |ev| reason_choice.set(event_target_value(&ev))>
                    <option value="">{t!(i18n, cases.choose_reason)}</option>
                    {reasons.clone().into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                </select>
            </div>
            <TextField form name="reason" id=field("reason") label=text!(i18n, cases.reason_other) value=reason multiline=true />
        }.into_any()),
        CaseAction::Pay => Some(view! {
            <TextField form name="paid_on" id=field("paid_on") label=text!(i18n, cases.paid_on) value=paid_on required=true />
            <TextField form name="paid_how" id=field("paid_how") label=text!(i18n, cases.paid_how) value=paid_how required=true />
            {grant.then(|| view! {
                <div class="field">
                    <label for=payee_id.clone()>{t!(i18n, cases.payee)}</label>
                    <select id=payee_id.clone() name="payee"
                        aria-invalid=move || errors("payee").map(|_| "true")
                        on:change=move |ev| payee.set(event_target_value(&ev))>
                        {contacts.clone().into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    {move || errors("payee").map(|keys| view! {
                        <p class="field__error">{keys.iter().map(|k| message(i18n, k)).collect::<Vec<_>>().join(" ")}</p>
                    })}
                </div>
            })}
        }.into_any()),
        CaseAction::AskMoreInfo => Some(view! {
            <TextField form name="note" id=field("note") label=text!(i18n, cases.question) value=note multiline=true required=true />
        }.into_any()),
        CaseAction::Message => Some(view! {
            <TextField form name="note" id=field("note") label=text!(i18n, cases.note) value=note multiline=true required=true />
        }.into_any()),
        CaseAction::Answer => Some(view! {
            <TextField form name="note" id=field("note") label=text!(i18n, cases.answer) value=note multiline=true required=true />
        }.into_any()),
        CaseAction::FollowUp => Some(view! {
            <TextField form name="note" id=field("note") label=text!(i18n, cases.report) value=note multiline=true required=true />
            <TextField form name="participants" id=field("participants") label=text!(i18n, cases.participants) value=participants inputmode="numeric" />
        }.into_any()),
        CaseAction::Assign | CaseAction::ConfirmApproval | CaseAction::Close | CaseAction::Withdraw | CaseAction::Receive => None,
    };
    view! {
        <form class="case-step" method="post" on:submit=on_submit novalidate data-testid=testid>
            <FormSummary form />
            {fields}
            <Submit label pending=submit.pending() />
        </form>
    }
}

/// A request's case as the group's phone holds it: where it stands, what was said, and what a
/// contact may do now — answer a question, report back, write, withdraw — through the outbox,
/// so it works without a network.
#[component]
pub fn GroupCase(case: CaseView, contact: bool, me: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let CaseView { id, data, waiting } = case;
    let CaseData {
        number,
        state,
        handler_name,
        trail,
        ..
    } = data.clone();
    let role = if contact {
        CaseRole::GroupContact
    } else {
        CaseRole::Other
    };
    let allowed: Vec<CaseAction> =
        crate::domain::case::allowed(state, data.actor(role, Some(me)), false);
    let heading = number.clone();
    view! {
        <section class="case case--phone" data-testid="group-case">
            <h4>{t!(i18n, cases.heading_our)}": "{heading}</h4>
            <p>
                <span class="badge badge--status" data-testid="case-state">{move || state_name(i18n, state)}</span>
                {waiting.then(|| view! { " "<span class="badge badge--todo">{t!(i18n, our_needs.waiting)}</span> })}
            </p>
            {(!handler_name.is_empty()).then(|| view! { <p class="muted">{t!(i18n, cases.handler, name = move || handler_name.clone())}</p> })}
            <ol class="trail">
                {trail.into_iter().rev().filter(|e| !e.step.note.is_empty() || e.from != e.to).take(6).map(|entry| {
                    let who = match entry.step.role {
                        CaseRole::Staff => t_string!(i18n, cases.municipality).to_owned(),
                        CaseRole::System => t_string!(i18n, cases.system).to_owned(),
                        CaseRole::GroupContact | CaseRole::Other => String::new(),
                    };
                    view! { <TrailItem step=entry.step who=(!who.is_empty()).then_some(who) /> }
                }).collect_view()}
            </ol>
            // A question is answered, not messaged; a request not yet taken is withdrawn with the
            // request's own button.
            {allowed.into_iter().filter(|a| match a {
                CaseAction::Message => state != CaseState::MoreInfo,
                CaseAction::Withdraw => state != CaseState::Received,
                _ => true,
            }).map(|action| view! {
                <PhoneStep case=id action me />
            }).collect_view()}
        </section>
    }
}

/// One action a contact takes on the phone: recorded in the outbox, shown at once.
#[component]
fn PhoneStep(case: Uuid, action: CaseAction, me: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let form = FormState::new();
    let (note, participants) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let problem = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = CaseStepForm {
            action: Some(action),
            note: note.get(),
            participants: participants.get(),
            ..CaseStepForm::default()
        };
        let Some(step) = form.check(typed.parse()) else {
            return;
        };
        // The phone's own guess at who and when, to show at once; the server stamps its own.
        let step = CaseStep {
            at: crate::sync::context::now_unix(),
            by: Some(me),
            role: CaseRole::GroupContact,
            ..step
        };
        let recorded = sync.record(case, CaseOp::Update(step));
        problem.set(recorded.is_err());
        if recorded.is_ok() {
            note.set(String::new());
            participants.set(String::new());
        }
    };
    let (label, testid) = match action {
        CaseAction::Answer => (text!(i18n, cases.do_answer), "phone-answer"),
        CaseAction::FollowUp => (text!(i18n, cases.do_report), "phone-report"),
        CaseAction::Withdraw => (text!(i18n, cases.do_withdraw), "phone-withdraw"),
        CaseAction::Message
        | CaseAction::Assign
        | CaseAction::AskMoreInfo
        | CaseAction::Approve
        | CaseAction::ConfirmApproval
        | CaseAction::Reject
        | CaseAction::Pay
        | CaseAction::Close
        | CaseAction::Receive => (text!(i18n, cases.do_message), "phone-message"),
    };
    let prefix = format!("{}-{}", action.as_str(), case.simple());
    let note_label = match action {
        CaseAction::Answer => text!(i18n, cases.answer),
        CaseAction::FollowUp => text!(i18n, cases.report),
        _ => text!(i18n, cases.note),
    };
    view! {
        <form class="case-step" method="post" on:submit=on_submit novalidate data-testid=testid>
            <FormSummary form />
            {(action != CaseAction::Withdraw).then(|| view! {
                <TextField form name="note" id=format!("{prefix}-note") label=note_label value=note multiline=true required=true />
            })}
            {(action == CaseAction::FollowUp).then(|| view! {
                <TextField form name="participants" id=format!("{prefix}-participants") label=text!(i18n, cases.participants) value=participants inputmode="numeric" />
            })}
            <Submit label pending=Signal::derive(|| false) />
            {move || problem.get().then(|| view! { <p class="notice notice--error" role="alert">{t!(i18n, sync.storage_full)}</p> })}
        </form>
    }
}

/// `/personal/stod` — the support report of a period, and its CSV (staff).
#[component]
pub fn SupportReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let day = |raw: Option<String>| raw.and_then(|d| crate::domain::offer::Date::parse(&d));
    let (from, until) =
        use_query_map().with_untracked(|q| (day(q.get("fran")), day(q.get("till"))));
    let staff = |role: Role| permissions::can_handle_cases(Some(role));
    let report = user_resource(staff, move || read_support_report(from, until));
    let reference = user_resource(staff, load_reference_data);
    view! {
        <PageTitle text=move || t_string!(i18n, cases.report_title).to_owned() />
        <h1>{t!(i18n, cases.report_heading)}</h1>
        <RequireUser children=move |me: Me| {
            if staff(me.role) {
                Either::Left(view! {
                    <p class="lead">{t!(use_i18n(), cases.report_lead)}</p>
                    <Report report reference />
                })
            } else {
                Either::Right(view! { <NotAllowed /> })
            }
        } />
    }
}

#[component]
fn Report(
    report: Resource<Result<crate::domain::case::SupportReport, AppError>>,
    reference: ReferenceResource,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match (reference.await, report.await) {
                    (Ok(reference), Ok(report)) => Either::Left(view! { <ReportTable report reference /> }),
                    (Err(err), _) | (_, Err(err)) => Either::Right(view! {
                        <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportTable(
    report: crate::domain::case::SupportReport,
    reference: ReferenceData,
) -> impl IntoView {
    let i18n = use_i18n();
    let (from, until) = (report.from.to_string(), report.until.to_string());
    let lang = match i18n.get_locale() {
        Locale::sv => "sv",
        Locale::en => "en",
    };
    let csv = format!("{REPORT_CSV_PATH}?from={from}&until={until}&lang={lang}");
    let area_name = move |id: Option<Uuid>| {
        id.and_then(|id| reference.priority_areas.iter().find(|a| a.id == id))
            .map(|a| a.name.get(i18n.get_locale_untracked()).to_owned())
    };
    let district_name = |id: Uuid| {
        reference
            .districts
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let rows: Vec<_> = report
        .rows
        .iter()
        .map(|r| {
            (
                area_name(r.area),
                district_name(r.district),
                r.formal,
                r.cases,
                r.granted_ore,
                r.paid_ore,
            )
        })
        .collect();
    let (cases, granted, paid) = (report.cases, report.granted_ore, report.paid_ore);
    view! {
        <form class="filters" method="get" action="/personal/stod" data-testid="report-period">
            <div class="field">
                <label for="report-from">{t!(i18n, cases.from)}</label>
                <input id="report-from" name="fran" type="date" value=from.clone() />
            </div>
            <div class="field">
                <label for="report-until">{t!(i18n, cases.until)}</label>
                <input id="report-until" name="till" type="date" value=until.clone() />
            </div>
            <button class="button" type="submit">{t!(i18n, cases.show)}</button>
        </form>
        <p><a href=csv data-testid="report-csv" download>{t!(i18n, cases.download)}</a></p>
        {if rows.is_empty() {
            Either::Left(view! { <p data-testid="report-empty">{t!(i18n, cases.empty)}</p> })
        } else {
            Either::Right(view! {
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="report-caption">
                    <table class="report" data-testid="report">
                        <caption id="report-caption">{t!(i18n, cases.report_heading)}" "{from.clone()}" – "{until.clone()}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, cases.area)}</th>
                            <th scope="col">{t!(i18n, cases.filter_district)}</th>
                            <th scope="col">{t!(i18n, cases.actor)}</th>
                            <th scope="col" class="number">{t!(i18n, cases.cases_col)}</th>
                            <th scope="col" class="number">{t!(i18n, cases.granted_col)}</th>
                            <th scope="col" class="number">{t!(i18n, cases.paid_col)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(area, district, formal, cases, granted, paid)| view! {
                                <tr>
                                    <td>{match area {
                                        Some(name) => Either::Left(name),
                                        None => Either::Right(view! { {t!(i18n, cases.no_area)} }),
                                    }}</td>
                                    <td>{district}</td>
                                    <td>{move || if formal { t_string!(i18n, cases.formal) } else { t_string!(i18n, cases.informal) }}</td>
                                    <td class="number">{cases}</td>
                                    <td class="number">{format_kronor(granted)}</td>
                                    <td class="number">{format_kronor(paid)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                        <tfoot><tr data-testid="report-total">
                            <th scope="row" colspan="3">{t!(i18n, cases.total)}</th>
                            <td class="number">{cases}</td>
                            <td class="number">{format_kronor(granted)}</td>
                            <td class="number">{format_kronor(paid)}</td>
                        </tr></tfoot>
                    </table>
                </div>
                <p class="muted">{t!(i18n, cases.several_areas)}</p>
            })
        }}
    }
}

//! Administration: staff accounts, and the municipality's rules for micro-support.
use crate::components::PageTitle;
use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::admin::{case_rules, list_staff, CreateStaff, SaveCaseRules};
use crate::components::form::{
    on_answer, summary, FormState, FormSummary, RadioList, Submit, TextField,
};
use crate::components::{NotAllowed, RequireUser};
use crate::domain::account::NewStaffAccount;
use crate::domain::case::CaseRulesForm;
use crate::domain::forms::StaffInput;
use crate::domain::need::NeedKind;
use crate::domain::{local_time, permissions, Me};
use crate::i18n::*;
use crate::text;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, admin.title).to_owned() />
        <h1>{t!(i18n, admin.heading)}</h1>
        <RequireUser children=|me: Me| {
            if permissions::can_manage_staff(Some(me.role)) {
                Either::Left(view! { <StaffAdmin /> <RulesAdmin /> })
            } else {
                Either::Right(view! { <NotAllowed /> })
            }
        } />
    }
}

#[component]
fn StaffAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("staff".to_owned());
    let action = ServerAction::<CreateStaff>::new();
    let created = RwSignal::new(None::<NewStaffAccount>);
    let staff = Resource::new(move || action.version().get(), |_| list_staff());
    on_answer(action.value(), form, move |account| {
        form.clear();
        name.set(String::new());
        email.set(String::new());
        created.set(Some(account));
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let input = StaffInput {
            name: name.get(),
            email: email.get(),
            role: role.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(CreateStaff { form: input });
        }
    };
    let roles = vec![
        ("staff", text!(i18n, roles.staff)),
        ("admin", text!(i18n, roles.admin)),
    ];
    view! {
        <section class="card" aria-labelledby="new-staff-heading">
            <h2 id="new-staff-heading">{t!(i18n, admin.new_heading)}</h2>
            <form method="post" on:submit=on_submit novalidate data-testid="staff-form">
                <FormSummary form />
                <TextField form name="name" label=text!(i18n, admin.name) value=name required=true />
                <TextField form name="email" label=text!(i18n, admin.email) value=email input_type="email" autocomplete="off" required=true />
                <RadioList form name="role" legend=text!(i18n, admin.role) options=roles value=role />
                <Submit label=text!(i18n, admin.submit) pending=action.pending() />
            </form>
            <div role="status">
                {move || created.get().map(|c| {
                    let who = c.account.name.clone();
                    view! {
                        <p class="notice notice--ok">{t!(i18n, admin.created, name = move || who.clone())}</p>
                        <p class="code" data-testid="temporary-password">{c.temporary_password.clone()}</p>
                    }
                })}
            </div>
        </section>
        <h2>{t!(i18n, admin.list_heading)}</h2>
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match staff.await {
                    Ok(list) => Either::Left(view! {
                        <ul class="member-list" data-testid="staff-list">
                            {list.into_iter().map(|s| view! {
                                <li>
                                    {s.name.clone()} <span class="muted">" · " {s.email.clone()} " · "
                                    {move || match s.role {
                                        crate::domain::Role::Admin => t_string!(i18n, roles.admin),
                                        _ => t_string!(i18n, roles.staff),
                                    }} " · " {local_time::date(&s.created_at)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }),
                    Err(err) => Either::Right(view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }),
                }
            })}
        </Transition>
    }
}

/// The decision rules: limits, the kinds open for requests, the reasons to choose from, and
/// four eyes.
#[component]
fn RulesAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let stored = Resource::new(|| (), |_| case_rules());
    view! {
        <section class="card" aria-labelledby="rules-heading">
            <h2 id="rules-heading">{t!(i18n, admin.rules_heading)}</h2>
            <p class="muted">{t!(i18n, admin.rules_lead)}</p>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match stored.await {
                        Ok(rules) => Either::Left(view! { <RulesForm rules /> }),
                        Err(err) => Either::Right(view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RulesForm(rules: CaseRulesForm) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let max_per_request = RwSignal::new(rules.max_per_request);
    let max_per_year = RwSignal::new(rules.max_per_year);
    let reasons = RwSignal::new(rules.reasons);
    let four_eyes_above = RwSignal::new(rules.four_eyes_above);
    let open_kinds = RwSignal::new(rules.open_kinds);
    let saved = RwSignal::new(false);
    let action = ServerAction::<SaveCaseRules>::new();
    on_answer(action.value(), form, move |_| {
        form.clear();
        saved.set(true);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let typed = CaseRulesForm {
            max_per_request: max_per_request.get(),
            max_per_year: max_per_year.get(),
            open_kinds: open_kinds.get(),
            reasons: reasons.get(),
            four_eyes_above: four_eyes_above.get(),
        };
        if form.check(typed.parse()).is_some() {
            action.dispatch(SaveCaseRules { form: typed });
        }
    };
    let kinds = NeedKind::ALL.into_iter().filter(|k| k.asks_municipality());
    view! {
        <form method="post" on:submit=on_submit novalidate data-testid="rules-form">
            <FormSummary form />
            <TextField form name="max_per_request" label=text!(i18n, admin.max_per_request) value=max_per_request inputmode="decimal" required=true />
            <TextField form name="max_per_year" label=text!(i18n, admin.max_per_year) value=max_per_year inputmode="decimal" required=true />
            <fieldset class="field">
                <legend>{t!(i18n, admin.open_kinds)}</legend>
                {kinds.map(|kind| {
                    let id = format!("open-kind-{}", kind.as_str());
                    view! {
                        <div class="field--check">
                            <input type="checkbox" id=id.clone() name="open_kinds" value=kind.as_str()
                                checked=move || open_kinds.with(|k| k.contains(&kind))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    open_kinds.update(|k| {
                                        k.retain(|x| *x != kind);
                                        if on {
                                            k.push(kind);
                                        }
                                    });
                                } />
                            <label for=id>{move || crate::pages::needs::kind_name(i18n, kind)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <TextField form name="reasons" label=text!(i18n, admin.reasons) value=reasons multiline=true required=true />
            <TextField form name="four_eyes_above" label=text!(i18n, admin.four_eyes_above) hint=text!(i18n, admin.four_eyes_hint) value=four_eyes_above inputmode="decimal" />
            <Submit label=text!(i18n, admin.rules_submit) pending=action.pending() />
            <div role="status">
                {move || saved.get().then(|| view! { <p class="notice notice--ok">{t!(i18n, admin.rules_saved)}</p> })}
            </div>
        </form>
    }
}

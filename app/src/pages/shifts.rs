//! A volunteer's shifts on the phone: `/pass` lists the shifts they signed up to (what the
//! server decided, or "waiting for confirmation" while the sign-up waits to be sent), what
//! they were told (a place from the waiting list, a moved or cancelled occasion), lets them
//! give a place back, and sums their confirmed hours; `/pass/timmar?id=…` logs the hours of
//! one shift. Everything reads and writes the device's copy, so it works offline.
use std::collections::BTreeMap;

use leptos::either::{Either, EitherOf3};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::components::form::{FormState, FormSummary, Submit, TextField};
use crate::components::{PageTitle, RequireUser};
use crate::domain::activity::{
    check_hours, hours_text, parse_hours, Hours, Notice, SignUpPatch, SignUpStatus,
};
use crate::domain::local_time::clock;
use crate::domain::offer::Date;
use crate::domain::{FieldErrors, Me};
use crate::i18n::*;
use crate::pages::offers::LocalData;
use crate::sync::client::SignUpView;
use crate::sync::context::{now_unix, use_sync};
use crate::sync::protocol::SignUpOp;
use crate::text;

/// "2026-12-04 21:00–00:00".
pub fn when_text(starts_at: i64, ends_at: i64) -> String {
    format!(
        "{} {}–{}",
        Date::at_unix(starts_at),
        clock(starts_at),
        clock(ends_at)
    )
}

/// Where a sign-up stands, in words.
pub fn status_text(i18n: I18nContext<Locale>, status: SignUpStatus) -> &'static str {
    match status {
        SignUpStatus::Requested => t_string!(i18n, shifts.status_requested),
        SignUpStatus::Confirmed => t_string!(i18n, shifts.status_confirmed),
        SignUpStatus::Waiting => t_string!(i18n, shifts.status_waiting),
        SignUpStatus::Withdrawn => t_string!(i18n, shifts.status_withdrawn),
        SignUpStatus::Cancelled => t_string!(i18n, shifts.status_cancelled),
    }
}

fn notice_text(i18n: I18nContext<Locale>, notice: Notice) -> &'static str {
    match notice {
        Notice::Waitlisted => t_string!(i18n, shifts.notice_waitlisted),
        Notice::Promoted => t_string!(i18n, shifts.notice_promoted),
        Notice::Moved => t_string!(i18n, shifts.notice_moved),
        Notice::Cancelled => t_string!(i18n, shifts.notice_cancelled),
    }
}

/// `/pass` — my shifts.
#[component]
pub fn MyShiftsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, shifts.title).to_owned() />
        <h1>{t!(i18n, shifts.heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><MyShifts /></LocalData> } />
    }
}

#[component]
fn MyShifts() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let me = sync
        .view
        .with_untracked(|v| v.context.as_ref().map(|c| c.me.id));
    let mine = Memo::new(move |_| {
        sync.view.with(|v| {
            let mut mine: Vec<SignUpView> = v
                .sign_ups
                .iter()
                .filter(|s| Some(s.data.volunteer) == me)
                .cloned()
                .collect();
            mine.sort_by_key(|s| (s.data.starts_at, s.id));
            mine
        })
    });
    let now = now_unix();
    let list = move |past: bool| {
        let shown: Vec<SignUpView> = mine.with(|m| {
            m.iter()
                .filter(|s| (s.data.ends_at <= now) == past)
                .cloned()
                .collect()
        });
        let shown: Vec<SignUpView> = if past {
            shown.into_iter().rev().collect()
        } else {
            shown
        };
        view! {
            <ul class="cards">
                {shown.into_iter().map(|s| view! { <ShiftItem sign_up=s now /> }).collect_view()}
            </ul>
        }
    };
    view! {
        <p class="lead">{t!(i18n, shifts.lead)}</p>
        <p><a href="/profil#kalender" data-testid="calendar-link">{t!(i18n, shifts.calendar)}</a></p>
        {move || {
            let (upcoming, past) = mine.with(|m| {
                (m.iter().any(|s| s.data.ends_at > now), m.iter().any(|s| s.data.ends_at <= now))
            });
            if !upcoming && !past {
                EitherOf3::A(view! {
                    <p class="muted" data-testid="no-shifts">{t!(i18n, shifts.none)}</p>
                    <p><a class="button" href="/behov">{t!(i18n, shifts.find)}</a></p>
                })
            } else {
                let upcoming = upcoming.then(|| view! {
                    <h2>{t!(i18n, shifts.upcoming)}</h2>
                    {list(false)}
                });
                let past = past.then(|| view! {
                    <h2>{t!(i18n, shifts.past)}</h2>
                    {list(true)}
                });
                if mine.with(|m| m.iter().any(|s| s.data.hours.as_ref().is_some_and(|h| h.confirmed_by.is_some()))) {
                    EitherOf3::B(view! { {upcoming} {past} <MyHours mine /> })
                } else {
                    EitherOf3::C(view! { {upcoming} {past} })
                }
            }
        }}
    }
}

#[component]
fn ShiftItem(sign_up: SignUpView, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let SignUpView { id, data, waiting } = sign_up;
    let asking = RwSignal::new(false);
    let started = data.starts_at <= now;
    let may_withdraw = data.status.is_active() && !started;
    let may_log = started
        && data.status == SignUpStatus::Confirmed
        && data.hours.as_ref().is_none_or(|h| h.confirmed_by.is_none());
    let seen = move |_| {
        let _ = sync.record(
            id,
            SignUpOp::Update(SignUpPatch {
                notice: Some(None),
                ..SignUpPatch::default()
            }),
        );
    };
    let withdraw = move |_| {
        asking.set(false);
        let _ = sync.record(
            id,
            SignUpOp::Update(SignUpPatch {
                status: Some(SignUpStatus::Withdrawn),
                ..SignUpPatch::default()
            }),
        );
    };
    let hours = data.hours.clone().map(|h| {
        let confirmed = h.confirmed_by.is_some();
        view! {
            <p data-testid="shift-hours">
                {move || if confirmed { t_string!(i18n, shifts.hours_confirmed) } else { t_string!(i18n, shifts.hours_logged) }}
                ": " {hours_text(h.minutes)} " h"
            </p>
        }
    });
    view! {
        <li class="card" data-testid="shift">
            <h3 class="card__title">{data.title.clone()}</h3>
            <p class="card__meta">{when_text(data.starts_at, data.ends_at)} " · " {data.place.clone()} " · " {data.group_name.clone()}</p>
            <p>
                <span class="badge badge--status" data-testid="shift-status">{move || status_text(i18n, data.status)}</span>
                {waiting.then(|| view! { " " <span class="badge">{t!(i18n, shifts.not_sent)}</span> })}
            </p>
            {data.notice.map(|n| view! {
                <div class="notice" role="status" data-testid="shift-notice">
                    <p>{move || notice_text(i18n, n)}</p>
                    <button class="button button--secondary" type="button" on:click=seen>{t!(i18n, shifts.seen)}</button>
                </div>
            })}
            {hours}
            <div class="actions">
                {may_log.then(|| view! {
                    <a class="button button--secondary" href=format!("/pass/timmar?id={id}")>{t!(i18n, shifts.log_hours_link)}</a>
                })}
                {may_withdraw.then(|| view! {
                    {move || if asking.get() {
                        Either::Left(view! {
                            <p role="alert">{t!(i18n, shifts.withdraw_confirm)}</p>
                            <button class="button" type="button" on:click=withdraw>{t!(i18n, shifts.withdraw_yes)}</button>
                            <button class="button button--secondary" type="button" on:click=move |_| asking.set(false)>{t!(i18n, shifts.keep)}</button>
                        })
                    } else {
                        Either::Right(view! {
                            <button class="link-button" type="button" on:click=move |_| asking.set(true)>{t!(i18n, shifts.withdraw)}</button>
                        })
                    }}
                })}
            </div>
        </li>
    }
}

/// A volunteer's confirmed hours, per month and per group.
#[component]
fn MyHours(mine: Memo<Vec<SignUpView>>) -> impl IntoView {
    let i18n = use_i18n();
    let totals = move || {
        let mut months: BTreeMap<String, u32> = BTreeMap::new();
        let mut groups: BTreeMap<String, u32> = BTreeMap::new();
        mine.with(|m| {
            for s in m {
                if let Some(Hours {
                    minutes,
                    confirmed_by: Some(_),
                    ..
                }) = &s.data.hours
                {
                    let month = Date::at_unix(s.data.starts_at).to_string()[..7].to_owned();
                    *months.entry(month).or_default() += minutes;
                    *groups.entry(s.data.group_name.clone()).or_default() += minutes;
                }
            }
        });
        (months, groups)
    };
    let table = |caption: Signal<String>, rows: Vec<(String, u32)>| {
        view! {
            <table class="table">
                <caption>{caption}</caption>
                <tbody>
                    {rows.into_iter().map(|(what, minutes)| view! {
                        <tr><th scope="row">{what}</th><td>{hours_text(minutes)} " h"</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <section aria-labelledby="my-hours" data-testid="my-hours">
            <h2 id="my-hours">{t!(i18n, shifts.my_hours)}</h2>
            {move || {
                let (months, groups) = totals();
                view! {
                    {table(text!(i18n, shifts.per_month), months.into_iter().rev().collect())}
                    {table(text!(i18n, shifts.per_group), groups.into_iter().collect())}
                }
            }}
        </section>
    }
}

/// `/pass/timmar?id=…` — how long I took part in one shift.
#[component]
pub fn LogHoursPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, shifts.log_title).to_owned() />
        <h1>{t!(i18n, shifts.log_heading)}</h1>
        <RequireUser children=|_me: Me| view! { <LocalData><LogHours /></LocalData> } />
    }
}

#[component]
fn LogHours() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let form = FormState::new();
    let id =
        use_query_map().with_untracked(|q| q.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let found = id.and_then(|id| {
        sync.view.with_untracked(|v| {
            v.sign_ups
                .iter()
                .find(|s| s.id == id && s.data.status == SignUpStatus::Confirmed)
                .cloned()
        })
    });
    let Some(SignUpView { id, data, .. }) = found else {
        return Either::Left(view! {
            <p class="notice notice--error" role="alert">{t!(i18n, shifts.not_found)}</p>
            <p><a href="/pass">{t!(i18n, shifts.back)}</a></p>
        });
    };
    let planned = data.occasion_times().minutes();
    let hours = RwSignal::new(hours_text(
        data.hours.as_ref().map_or(planned, |h| h.minutes),
    ));
    let reason = RwSignal::new(
        data.hours
            .as_ref()
            .map(|h| h.reason.clone())
            .unwrap_or_default(),
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut errors = FieldErrors::default();
        let minutes = parse_hours(&hours.get());
        let reason = reason.get().trim().to_owned();
        match minutes {
            None => errors.add("hours", "hours_invalid"),
            Some(minutes) => check_hours(minutes, planned, &reason, &mut errors),
        }
        let Some(minutes) = form.check(errors.finish(|| minutes)).flatten() else {
            return;
        };
        let patch = SignUpPatch {
            hours: Some(Some(Hours {
                minutes,
                reason,
                confirmed_by: None,
            })),
            ..SignUpPatch::default()
        };
        match sync.record(id, SignUpOp::Update(patch)) {
            Ok(()) => navigate("/pass", Default::default()),
            Err(_) => form.show(FieldErrors::single("form", "storage_full").into()),
        }
    };
    Either::Right(view! {
        <p class="lead">{data.title.clone()} ", " {when_text(data.starts_at, data.ends_at)}</p>
        <form class="form" on:submit=on_submit novalidate data-testid="hours-form">
            <FormSummary form />
            <TextField form name="hours" label=text!(i18n, shifts.hours_label) hint=text!(i18n, shifts.hours_hint) value=hours required=true inputmode="decimal" />
            <TextField form name="reason" label=text!(i18n, shifts.hours_reason) value=reason multiline=true />
            <div class="actions">
                <Submit label=text!(i18n, shifts.save_hours) pending=Signal::derive(|| false) />
                <a href="/pass">{t!(i18n, shifts.back)}</a>
            </div>
        </form>
    })
}

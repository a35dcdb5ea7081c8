//! Groups: register one, its page (invite, become formal, verify, leave), joining by
//! invitation, and staff's list of every group.
use crate::components::PageTitle;
use leptos::either::{Either, EitherOf3};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use super::account::{
    kind_name, member_role_name, JoinWithCode, RefList, ReferenceChoices, ReferenceResource,
};
use super::needs::GroupNeeds;
use crate::api::groups::{
    group, list_groups, ConvertGroup, CreateInvite, RegisterGroup, RemoveMember, VerifyGroup,
};
use crate::api::reference::load_reference_data;
use crate::components::form::{
    on_answer, summary, FormState, FormSummary, RadioList, Submit, TextField,
};
use crate::components::{user_resource, NotAllowed, RequireUser};
use crate::domain::account::{GroupEventKind, GroupSummary, GroupView, Invitation};
use crate::domain::forms::{validate_note, ConvertInput, GroupInput};
use crate::domain::permissions::{self, Viewer};
use crate::domain::{local_time, ActorKind, Me, MemberRole};
use crate::error::AppError;
use crate::i18n::*;
use crate::text;
use leptos_i18n::I18nContext;

/// The name of a step in a group's history.
pub(crate) fn event_name(i18n: I18nContext<Locale>, kind: GroupEventKind) -> &'static str {
    match kind {
        GroupEventKind::Registered => t_string!(i18n, events.registered),
        GroupEventKind::Converted => t_string!(i18n, events.converted),
        GroupEventKind::Verified => t_string!(i18n, events.verified),
        GroupEventKind::VerificationCleared => t_string!(i18n, events.verification_cleared),
        GroupEventKind::Joined => t_string!(i18n, events.joined),
        GroupEventKind::Left => t_string!(i18n, events.left),
    }
}

fn kind_options(
    i18n: I18nContext<Locale>,
    formal_only: bool,
) -> Vec<(&'static str, Signal<String>)> {
    ActorKind::ALL
        .into_iter()
        .filter(|k| !formal_only || k.is_formal())
        .map(|k| {
            let label = Signal::derive(move || {
                match k {
                    ActorKind::Informal => t_string!(i18n, kinds.informal),
                    ActorKind::Association => t_string!(i18n, kinds.association),
                    ActorKind::Foundation => t_string!(i18n, kinds.foundation),
                    ActorKind::FaithCommunity => t_string!(i18n, kinds.faith_community),
                    ActorKind::OtherFormal => t_string!(i18n, kinds.other_formal),
                }
                .to_owned()
            });
            (k.as_str(), label)
        })
        .collect()
}

#[component]
pub fn NewGroupPage() -> impl IntoView {
    let i18n = use_i18n();
    let reference = user_resource(|_| true, load_reference_data);
    view! {
        <PageTitle text=move || t_string!(i18n, group_form.title).to_owned() />
        <RequireUser children=move |_me: Me| view! { <NewGroupForm reference /> } />
    }
}

#[component]
fn NewGroupForm(reference: ReferenceResource) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let kind = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let org_number = RwSignal::new(String::new());
    let districts = RwSignal::new(Vec::<Uuid>::new());
    let areas = RwSignal::new(Vec::<Uuid>::new());
    let action = ServerAction::<RegisterGroup>::new();
    let navigate = use_navigate();
    on_answer(action.value(), form, move |id| {
        navigate(&format!("/grupper/{id}"), Default::default());
    });
    let formal = move || kind.with(|k| ActorKind::parse(k).is_some_and(ActorKind::is_formal));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = GroupInput {
            kind: kind.get(),
            name: name.get(),
            description: description.get(),
            org_number: org_number.get(),
            districts: districts.get(),
            priority_areas: areas.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(RegisterGroup { form: input });
        }
    };
    view! {
        <section class="form-page">
            <h1>{t!(i18n, group_form.heading)}</h1>
            <p class="lead">{t!(i18n, group_form.lead)}</p>
            <p class="muted">{t!(i18n, common.required_hint)}</p>
            <form method="post" on:submit=on_submit novalidate data-testid="group-form">
                <FormSummary form />
                <RadioList form name="kind" legend=text!(i18n, group_form.kind) options=kind_options(i18n, false) value=kind />
                <TextField form name="name" label=text!(i18n, group_form.name) value=name required=true />
                <TextField form name="description" label=text!(i18n, group_form.description) value=description
                    multiline=true required=true />
                <div hidden=move || !formal()>
                    <TextField form name="org_number" label=text!(i18n, group_form.org_number)
                        hint=text!(i18n, group_form.org_number_hint) value=org_number inputmode="numeric" required=true />
                </div>
                <ReferenceChoices reference list=RefList::Districts form name="districts"
                    legend=text!(i18n, group_form.districts) selected=districts required=true />
                <ReferenceChoices reference list=RefList::PriorityAreas form name="priority_areas"
                    legend=text!(i18n, group_form.areas) selected=areas />
                <section class="card" aria-labelledby="contacts-heading">
                    <h2 id="contacts-heading">{t!(i18n, group_form.contacts_heading)}</h2>
                    <p>{t!(i18n, group_form.contacts_body)}</p>
                </section>
                <Submit label=text!(i18n, group_form.submit) pending=action.pending() />
            </form>
        </section>
    }
}

#[component]
pub fn GroupPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<Uuid>().ok())
    };
    // Bumped after every change on the page, so the group is read again.
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => group(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let user = crate::components::use_user();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let me = user.0.await.ok().flatten();
                match data.await {
                    Ok(g) => EitherOf3::A(view! { <Group group=g me version /> }),
                    Err(AppError::NotFound) => EitherOf3::B(view! { <crate::pages::NotFoundPage /> }),
                    Err(err) => EitherOf3::C(view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Group(group: GroupView, me: Option<Me>, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let viewer = Viewer {
        role: me.as_ref().map(|m| m.role),
        membership: group.my_role,
    };
    let GroupView {
        id,
        name,
        kind,
        org_number,
        description,
        districts,
        priority_areas,
        verified,
        contact_count,
        members,
        history,
        needs,
        ..
    } = group;
    let title = name.clone();
    let manage = permissions::can_manage_group(viewer);
    let verify = permissions::can_verify_groups(viewer.role) && verified.is_none();
    view! {
        <PageTitle text=move || title.clone() />
        <article class="group" data-testid="group-page">
            <h1>{name}</h1>
            <p class="muted">{move || kind_name(i18n, kind)}</p>
            {verified.map(|v| {
                let date = local_time::date(&v.at);
                view! {
                    <p class="badge badge--verified" data-testid="verified-badge">{t!(i18n, group.verified)}</p>
                    <p class="muted">{match v.detail {
                        Some(d) => Either::Left(t!(i18n, group.verified_detail, date = move || date.clone(), by = move || d.by.clone(), note = move || d.note.clone())),
                        None => Either::Right(t!(i18n, group.verified_on, date = move || date.clone())),
                    }}</p>
                }
            })}
            <p class="group__description">{description}</p>
            <dl class="facts">
                {org_number.map(|n| view! { <dt>{t!(i18n, group.org_number)}</dt><dd>{n}</dd> })}
                <dt>{t!(i18n, group.districts)}</dt><dd>{districts.join(", ")}</dd>
                {(!priority_areas.is_empty()).then(|| view! {
                    <dt>{t!(i18n, group.areas)}</dt>
                    <dd>{move || priority_areas.iter().map(|a| a.get(i18n.get_locale()).to_owned()).collect::<Vec<_>>().join(", ")}</dd>
                })}
            </dl>
            <GroupNeeds list=needs />
            {members.map(|members| view! {
                <Members group=id members me=me.clone() viewer contact_count version />
            })}
            {manage.then(|| view! { <Invite group=id /> })}
            {(manage && kind == ActorKind::Informal).then(|| view! { <Convert group=id version /> })}
            {verify.then(|| view! { <Verify group=id version /> })}
            {history.filter(|events| !events.is_empty()).map(|events| view! {
                <section aria-labelledby="history-heading">
                    <h2 id="history-heading">{t!(i18n, group.history_heading)}</h2>
                    <ol class="history">
                        {events.into_iter().map(|e| view! {
                            <li>
                                <time>{local_time::date_time(&e.at)}</time> " – " {move || event_name(i18n, e.kind)}
                                {e.by.map(|by| view! { " (" {by} ")" })}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            })}
        </article>
    }
}

#[component]
fn Members(
    group: Uuid,
    members: Vec<crate::domain::account::GroupMember>,
    me: Option<Me>,
    viewer: Viewer,
    contact_count: usize,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let action = ServerAction::<RemoveMember>::new();
    let navigate = use_navigate();
    let my_id = me.map(|m| m.id);
    on_answer(action.value(), form, move |_| {
        if action
            .input()
            .get()
            .map(|i| Some(i.user) == my_id)
            .unwrap_or(false)
        {
            navigate("/start", Default::default());
        } else {
            version.update(|v| *v += 1);
        }
    });
    view! {
        <section aria-labelledby="members-heading">
            <h2 id="members-heading">{t!(i18n, group.members_heading)}</h2>
            {match contact_count {
                0 => Some(Either::Left(view! { <p class="notice">{t!(i18n, group.no_contact)}</p> })),
                1 if viewer.membership == Some(MemberRole::Contact) => {
                    Some(Either::Right(view! { <p class="notice" data-testid="one-contact">{t!(i18n, group.one_contact)}</p> }))
                }
                _ => None,
            }}
            <FormSummary form />
            <ul class="member-list" data-testid="members">
                {members.into_iter().map(|m| {
                    let is_self = Some(m.user_id) == my_id;
                    let can_remove = permissions::can_remove_member(viewer, is_self, m.role, contact_count);
                    let user = m.user_id;
                    let name = m.name.clone();
                    view! {
                        <li>
                            {m.name.clone()} <span class="muted">" · " {move || member_role_name(i18n, m.role)}</span>
                            {can_remove.then(|| view! {
                                <button class="link-button" type="button"
                                    on:click=move |_| { action.dispatch(RemoveMember { group, user }); }>
                                    {if is_self {
                                        Either::Left(t!(i18n, group.leave))
                                    } else {
                                        Either::Right(t!(i18n, group.remove, name = move || name.clone()))
                                    }}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The full address of a path on this site, to share.
fn absolute(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    if let Ok(origin) = window().location().origin() {
        return format!("{origin}{path}");
    }
    path.to_owned()
}

#[component]
fn Invite(group: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let action = ServerAction::<CreateInvite>::new();
    let result = RwSignal::new(None::<Invitation>);
    on_answer(action.value(), form, move |invitation| {
        form.clear();
        result.set(Some(invitation));
    });
    let invite = move |role: MemberRole| {
        action.dispatch(CreateInvite {
            group,
            role: role.as_str().to_owned(),
        });
    };
    view! {
        <section class="card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">{t!(i18n, group.invite_heading)}</h2>
            <FormSummary form />
            <p class="actions">
                <button class="button" type="button" on:click=move |_| invite(MemberRole::Member)>{t!(i18n, group.invite_member)}</button>
                <button class="button button--secondary" type="button" on:click=move |_| invite(MemberRole::Contact)>{t!(i18n, group.invite_contact)}</button>
            </p>
            <div role="status">
                {move || result.get().map(|inv| {
                    let code_in_link = inv.code.replace('-', "");
                    let link = absolute(&format!("/inbjudan/{code_in_link}"));
                    let date = local_time::date(&inv.expires_at);
                    view! {
                        <p>{t!(i18n, group.invite_result, date = move || date.clone())}</p>
                        {(inv.role == MemberRole::Contact).then(|| view! { <p>{t!(i18n, group.invite_single)}</p> })}
                        <dl class="facts">
                            <dt>{t!(i18n, group.invite_code)}</dt><dd class="code" data-testid="invite-code">{inv.code.clone()}</dd>
                            <dt>{t!(i18n, group.invite_link)}</dt><dd><a href=link.clone() data-testid="invite-link">{link.clone()}</a></dd>
                        </dl>
                    }
                })}
            </div>
        </section>
    }
}

#[component]
fn Convert(group: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let kind = RwSignal::new(String::new());
    let number = RwSignal::new(String::new());
    let action = ServerAction::<ConvertGroup>::new();
    on_answer(action.value(), form, move |_| {
        version.update(|v| *v += 1);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = ConvertInput {
            kind: kind.get(),
            org_number: number.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(ConvertGroup { group, form: input });
        }
    };
    view! {
        <section class="card" aria-labelledby="convert-heading">
            <h2 id="convert-heading">{t!(i18n, group.convert_heading)}</h2>
            <p>{t!(i18n, group.convert_body)}</p>
            <form method="post" on:submit=on_submit novalidate>
                <FormSummary form />
                <RadioList form name="kind" legend=text!(i18n, group_form.kind) options=kind_options(i18n, true) value=kind />
                <TextField form name="org_number" label=text!(i18n, group_form.org_number)
                    hint=text!(i18n, group_form.org_number_hint) value=number inputmode="numeric" required=true />
                <Submit label=text!(i18n, group.convert_submit) pending=action.pending() />
            </form>
        </section>
    }
}

#[component]
fn Verify(group: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let note = RwSignal::new(String::new());
    let action = ServerAction::<VerifyGroup>::new();
    on_answer(action.value(), form, move |_| {
        version.update(|v| *v += 1);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = note.get();
        if form.check(validate_note(&text)).is_some() {
            action.dispatch(VerifyGroup { group, note: text });
        }
    };
    view! {
        <section class="card" aria-labelledby="verify-heading">
            <h2 id="verify-heading">{t!(i18n, group.verify_heading)}</h2>
            <form method="post" on:submit=on_submit novalidate>
                <FormSummary form />
                <TextField form name="note" label=text!(i18n, group.verify_note) hint=text!(i18n, group.verify_note_hint)
                    value=note multiline=true required=true />
                <Submit label=text!(i18n, group.verify_submit) pending=action.pending() />
            </form>
        </section>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = params.read_untracked().get("code").unwrap_or_default();
    let shown = crate::domain::invite::InviteCode::parse(&code)
        .map(|c| c.to_string())
        .unwrap_or_else(|| code.clone());
    view! {
        <PageTitle text=move || t_string!(i18n, invite.title).to_owned() />
        <section class="form-page">
            <h1>{t!(i18n, invite.heading)}</h1>
            <p>{t!(i18n, invite.body, code = move || shown.clone())}</p>
            <RequireUser children=move |_me: Me| view! { <JoinWithCode code=code.clone() /> } />
        </section>
    }
}

#[component]
pub fn StaffGroupsPage() -> impl IntoView {
    let i18n = use_i18n();
    let groups = user_resource(|role| permissions::can_list_groups(Some(role)), list_groups);
    view! {
        <PageTitle text=move || t_string!(i18n, staff_groups.title).to_owned() />
        <h1>{t!(i18n, staff_groups.heading)}</h1>
        <RequireUser children=move |me: Me| {
            if permissions::can_list_groups(Some(me.role)) {
                Either::Left(view! { <StaffGroups groups /> })
            } else {
                Either::Right(view! { <NotAllowed /> })
            }
        } />
    }
}

#[component]
fn StaffGroups(groups: Resource<Result<Vec<GroupSummary>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="lead">{t!(i18n, staff_groups.lead)}</p>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(list) => Either::Left(view! {
                        <ul class="group-list" data-testid="all-groups">
                            {list.into_iter().map(|g| view! {
                                <li>
                                    <a href=format!("/grupper/{}", g.id)>{g.name.clone()}</a>
                                    <span class="muted">" · " {move || kind_name(i18n, g.kind)} " · "
                                        {t!(i18n, staff_groups.contacts, count = move || g.contact_count)}</span>
                                    {if g.verified {
                                        Either::Left(view! { <span class="badge">{t!(i18n, group.verified)}</span> })
                                    } else {
                                        Either::Right(view! { <span class="badge badge--todo">{t!(i18n, staff_groups.unverified)}</span> })
                                    }}
                                </li>
                            }).collect_view()}
                        </ul>
                    }),
                    Err(err) => Either::Right(view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }),
                }
            })}
        </Suspense>
    }
}

//! A person's own pages: sign up, sign in, my start page, my profile, my data, privacy.
use crate::components::PageTitle;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::api::account::{
    my_profile, show_my_data, ChangePassword, CloseAccount, LogIn, SignUp, UpdateProfile,
};
use crate::api::calendar::{calendar_feed, renew_calendar_feed, stop_calendar_feed};
use crate::api::groups::{my_groups, AcceptInvite};
use crate::api::reference::load_reference_data;
use crate::components::form::{
    on_answer, summary, CheckField, ChoiceList, FormState, FormSummary, Submit, TextField,
};
use crate::components::{use_user, user_resource, RequireUser};
use crate::domain::account::{MyData, MyGroup, Profile};
use crate::domain::forms::{ChangePasswordInput, LogInInput, ProfileInput, SignUpInput};
use crate::domain::{local_time, permissions, ActorKind, Me, MemberRole, ReferenceData, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::text;
use leptos_i18n::I18nContext;
use leptos_i18n::Locale as _;

pub(crate) type ReferenceResource = Resource<Result<ReferenceData, AppError>>;

pub(crate) fn reference_resource() -> ReferenceResource {
    Resource::new(|| (), |_| load_reference_data())
}

/// Which reference list a [`ReferenceChoices`] offers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RefList {
    Districts,
    PriorityAreas,
}

/// Check boxes for the deployment's districts or priority areas, in the person's language.
#[component]
pub(crate) fn ReferenceChoices(
    reference: ReferenceResource,
    list: RefList,
    form: FormState,
    name: &'static str,
    #[prop(into)] legend: Signal<String>,
    selected: RwSignal<Vec<Uuid>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let data = reference.await.unwrap_or_default();
                let options = Signal::derive(move || match list {
                    RefList::Districts => data.districts.iter().map(|d| (d.id, d.name.clone())).collect(),
                    RefList::PriorityAreas => data
                        .priority_areas
                        .iter()
                        .map(|a| (a.id, a.name.get(i18n.get_locale()).to_owned()))
                        .collect(),
                });
                view! { <ChoiceList form name legend options selected required /> }
            })}
        </Suspense>
    }
}

/// Where to go after signing in: the page that asked (a local path only), else my start page.
fn return_path(raw: Option<String>) -> String {
    raw.as_deref()
        .and_then(crate::domain::paths::local_path)
        .unwrap_or("/start")
        .to_owned()
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let reference = reference_resource();
    let form = FormState::new();
    let name = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let districts = RwSignal::new(Vec::<Uuid>::new());
    let accept = RwSignal::new(false);
    let languages = RwSignal::new(String::new());
    let skills = RwSignal::new(String::new());
    let action = ServerAction::<SignUp>::new();
    let user = use_user();
    let navigate = use_navigate();
    on_answer(action.value(), form, move |_| {
        user.refresh();
        navigate("/start", Default::default());
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = SignUpInput {
            name: name.get(),
            contact: contact.get(),
            password: password.get(),
            districts: districts.get(),
            accept_privacy: accept.get(),
            languages: languages.get(),
            skills: skills.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(SignUp { form: input });
        }
    };
    view! {
        <PageTitle text=move || t_string!(i18n, sign_up.title).to_owned() />
        <section class="form-page">
            <h1>{t!(i18n, sign_up.heading)}</h1>
            <p class="lead">{t!(i18n, sign_up.lead)}</p>
            <p class="muted">{t!(i18n, common.required_hint)}</p>
            <form method="post" on:submit=on_submit novalidate data-testid="sign-up-form">
                <FormSummary form />
                <TextField form name="name" label=text!(i18n, sign_up.name) hint=text!(i18n, sign_up.name_hint)
                    value=name autocomplete="nickname" required=true />
                <TextField form name="contact" label=text!(i18n, sign_up.contact) hint=text!(i18n, sign_up.contact_hint)
                    value=contact autocomplete="username" required=true />
                <TextField form name="password" label=text!(i18n, sign_up.password) hint=text!(i18n, sign_up.password_hint)
                    value=password input_type="password" autocomplete="new-password" required=true />
                <ReferenceChoices reference list=RefList::Districts form name="districts"
                    legend=text!(i18n, sign_up.districts) selected=districts required=true />
                <details class="more">
                    <summary>{t!(i18n, sign_up.more)}</summary>
                    <TextField form name="languages" label=text!(i18n, sign_up.languages) hint=text!(i18n, common.tags_hint) value=languages />
                    <TextField form name="skills" label=text!(i18n, sign_up.skills) hint=text!(i18n, common.tags_hint) value=skills />
                </details>
                <section class="privacy-notice" aria-labelledby="privacy-heading">
                    <h2 id="privacy-heading">{t!(i18n, sign_up.privacy_heading)}</h2>
                    <p>{t!(i18n, sign_up.privacy_body)}</p>
                    <p><a href="/integritet" target="_blank">{t!(i18n, sign_up.privacy_link)}</a></p>
                    <CheckField form name="accept_privacy" label=text!(i18n, sign_up.accept) checked=accept />
                </section>
                <Submit label=text!(i18n, sign_up.submit) pending=action.pending() />
            </form>
            <p>{t!(i18n, sign_up.have_account)} " " <a href="/logga-in">{t!(i18n, nav.sign_in)}</a></p>
        </section>
    }
}

#[component]
pub fn LogInPage() -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let contact = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let action = ServerAction::<LogIn>::new();
    let user = use_user();
    let navigate = use_navigate();
    let query = use_query_map();
    on_answer(action.value(), form, move |_| {
        user.refresh();
        let back = return_path(query.read_untracked().get("tillbaka"));
        navigate(&back, Default::default());
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = LogInInput {
            contact: contact.get(),
            password: password.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(LogIn { form: input });
        }
    };
    view! {
        <PageTitle text=move || t_string!(i18n, log_in.title).to_owned() />
        <section class="form-page">
            <h1>{t!(i18n, log_in.heading)}</h1>
            <form method="post" on:submit=on_submit novalidate data-testid="log-in-form">
                <FormSummary form />
                <TextField form name="contact" label=text!(i18n, log_in.contact) value=contact autocomplete="username" required=true />
                <TextField form name="password" label=text!(i18n, log_in.password) value=password
                    input_type="password" autocomplete="current-password" required=true />
                <Submit label=text!(i18n, log_in.submit) pending=action.pending() />
            </form>
            <p>{t!(i18n, log_in.no_account)} " " <a href="/registrera">{t!(i18n, nav.sign_up)}</a></p>
        </section>
    }
}

pub(crate) fn kind_name(i18n: I18nContext<Locale>, kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Informal => t_string!(i18n, kind_short.informal),
        ActorKind::Association => t_string!(i18n, kind_short.association),
        ActorKind::Foundation => t_string!(i18n, kind_short.foundation),
        ActorKind::FaithCommunity => t_string!(i18n, kind_short.faith_community),
        ActorKind::OtherFormal => t_string!(i18n, kind_short.other_formal),
    }
}

pub(crate) fn member_role_name(i18n: I18nContext<Locale>, role: MemberRole) -> &'static str {
    match role {
        MemberRole::Contact => t_string!(i18n, start.role_contact),
        MemberRole::Member => t_string!(i18n, start.role_member),
    }
}

fn role_name(i18n: I18nContext<Locale>, role: Role) -> &'static str {
    match role {
        Role::Volunteer => t_string!(i18n, roles.volunteer),
        Role::Staff => t_string!(i18n, roles.staff),
        Role::Admin => t_string!(i18n, roles.admin),
    }
}

#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    // Here, outside the Suspense: the server builds a Suspense's content more than once while
    // it waits (Leptos walks it again to find what it waits for), and a resource made inside
    // would ask the database once per build. Asked only for someone signed in: for anyone
    // else the page is the way to sign in, not an error.
    let user = use_user();
    let groups = Resource::new(
        || (),
        move |_| async move {
            match user.0.await {
                Ok(Some(_)) => my_groups().await,
                _ => Ok(Vec::new()),
            }
        },
    );
    view! {
        <PageTitle text=move || t_string!(i18n, start.title).to_owned() />
        <RequireUser children=move |me: Me| view! { <Start me groups /> } />
    }
}

#[component]
fn Start(me: Me, groups: Resource<Result<Vec<MyGroup>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let name = me.name.clone();
    let staff = permissions::can_list_groups(Some(me.role));
    let admin = permissions::can_manage_staff(Some(me.role));
    view! {
        <h1 data-testid="start-heading">{t!(i18n, start.heading, name = move || name.clone())}</h1>
        <p class="lead">{t!(i18n, start.offers_lead)}</p>
        <p><a class="button" href="/erbjudanden" data-testid="offers-link">{t!(i18n, start.offers_link)}</a></p>
        {(staff || admin).then(|| view! {
            <section class="card" aria-labelledby="staff-heading">
                <h2 id="staff-heading">{t!(i18n, start.staff_heading)}</h2>
                <ul class="link-list">
                    {staff.then(|| view! { <li><a href="/personal/grupper">{t!(i18n, start.staff_groups_link)}</a></li> })}
                    {staff.then(|| view! { <li><a href="/personal/behov">{t!(i18n, nav.staff_needs)}</a></li> })}
                    {staff.then(|| view! { <li><a href="/personal/erbjudanden">{t!(i18n, nav.staff_offers)}</a></li> })}
                    {admin.then(|| view! { <li><a href="/admin">{t!(i18n, start.admin_link)}</a></li> })}
                </ul>
            </section>
        })}
        <section aria-labelledby="groups-heading">
            <h2 id="groups-heading">{t!(i18n, start.groups_heading)}</h2>
            <p><a href="/behov/mina" data-testid="our-needs-link">{t!(i18n, nav.our_needs)}</a></p>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(list) if list.is_empty() => view! { <p>{t!(i18n, start.no_groups)}</p> }.into_any(),
                        Ok(list) => view! { <GroupList list /> }.into_any(),
                        Err(err) => view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p><a class="button" href="/grupper/ny">{t!(i18n, start.register_group)}</a></p>
        </section>
        <JoinWithCode />
        <p><a href="/profil">{t!(i18n, start.profile_link)}</a></p>
    }
}

#[component]
fn GroupList(list: Vec<MyGroup>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="group-list" data-testid="my-groups">
            {list.into_iter().map(|g| view! {
                <li>
                    <a href=format!("/grupper/{}", g.id)>{g.name.clone()}</a>
                    <span class="muted">" · " {move || kind_name(i18n, g.kind)} " · " {move || member_role_name(i18n, g.role)}</span>
                    {g.verified.then(|| view! { <span class="badge">{t!(i18n, group.verified)}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Joining a group with a code someone passed on.
#[component]
pub(crate) fn JoinWithCode(#[prop(optional)] code: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let value = RwSignal::new(code.unwrap_or_default());
    let action = ServerAction::<AcceptInvite>::new();
    let navigate = use_navigate();
    on_answer(action.value(), form, move |group| {
        navigate(&format!("/grupper/{group}"), Default::default());
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let code = value.get();
        let parsed = crate::domain::invite::InviteCode::parse(&code)
            .ok_or_else(|| crate::domain::FieldErrors::single("code", "invite_invalid"));
        if form.check(parsed).is_some() {
            action.dispatch(AcceptInvite { code });
        }
    };
    view! {
        <section class="card" aria-labelledby="code-heading">
            <h2 id="code-heading">{t!(i18n, start.code_heading)}</h2>
            <form method="post" on:submit=on_submit novalidate>
                <FormSummary form />
                <TextField form name="code" label=text!(i18n, start.code_label) value=value autocomplete="off" />
                <Submit label=text!(i18n, start.code_submit) pending=action.pending() />
            </form>
        </section>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let anyone = |_: Role| true;
    let profile = user_resource(anyone, my_profile);
    let reference = user_resource(anyone, load_reference_data);
    let feed = user_resource(anyone, calendar_feed);
    view! {
        <PageTitle text=move || t_string!(i18n, profile.title).to_owned() />
        <h1>{t!(i18n, profile.heading)}</h1>
        <RequireUser children=move |_me: Me| view! { <ProfileForms profile reference feed /> } />
    }
}

#[component]
fn ProfileForms(
    profile: Resource<Result<Profile, AppError>>,
    reference: ReferenceResource,
    feed: Resource<Result<Option<String>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <ProfileForm profile=p reference /> <PasswordForm /> <CalendarFeed current=feed /> }.into_any(),
                    Err(err) => view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileForm(profile: Profile, reference: ReferenceResource) -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let name = RwSignal::new(profile.name);
    let email = RwSignal::new(profile.email.unwrap_or_default());
    let phone = RwSignal::new(profile.phone.unwrap_or_default());
    let districts = RwSignal::new(profile.districts);
    let languages = RwSignal::new(profile.languages.join(", "));
    let skills = RwSignal::new(profile.skills.join(", "));
    let action = ServerAction::<UpdateProfile>::new();
    let saved = RwSignal::new(false);
    on_answer(action.value(), form, move |_| {
        form.clear();
        saved.set(true);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let input = ProfileInput {
            name: name.get(),
            email: email.get(),
            phone: phone.get(),
            districts: districts.get(),
            languages: languages.get(),
            skills: skills.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(UpdateProfile { form: input });
        }
    };
    view! {
        <form method="post" on:submit=on_submit novalidate data-testid="profile-form">
            <FormSummary form />
            <p role="status" class="notice notice--ok" hidden=move || !saved.get()>{t!(i18n, common.saved)}</p>
            <TextField form name="name" label=text!(i18n, sign_up.name) value=name autocomplete="nickname" required=true />
            <p class="field__hint">{t!(i18n, profile.contact_hint)}</p>
            <TextField form name="email" label=text!(i18n, profile.email) value=email input_type="email" autocomplete="email" />
            <TextField form name="phone" label=text!(i18n, profile.phone) value=phone input_type="tel" autocomplete="tel" />
            <ReferenceChoices reference list=RefList::Districts form name="districts"
                legend=text!(i18n, sign_up.districts) selected=districts required=true />
            <TextField form name="languages" label=text!(i18n, sign_up.languages) hint=text!(i18n, common.tags_hint) value=languages />
            <TextField form name="skills" label=text!(i18n, sign_up.skills) hint=text!(i18n, common.tags_hint) value=skills />
            <Submit label=text!(i18n, common.save) pending=action.pending() />
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let action = ServerAction::<ChangePassword>::new();
    let done = RwSignal::new(false);
    on_answer(action.value(), form, move |_| {
        form.clear();
        current.set(String::new());
        new.set(String::new());
        done.set(true);
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let input = ChangePasswordInput {
            current: current.get(),
            new: new.get(),
        };
        if form.check(input.validate()).is_some() {
            action.dispatch(ChangePassword { form: input });
        }
    };
    view! {
        <section aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, profile.password_heading)}</h2>
            <form method="post" on:submit=on_submit novalidate>
                <FormSummary form />
                <p role="status" class="notice notice--ok" hidden=move || !done.get()>{t!(i18n, profile.password_changed)}</p>
                <TextField form name="current" label=text!(i18n, profile.current_password) value=current
                    input_type="password" autocomplete="current-password" required=true />
                <TextField form name="new" label=text!(i18n, profile.new_password) hint=text!(i18n, sign_up.password_hint)
                    value=new input_type="password" autocomplete="new-password" required=true />
                <Submit label=text!(i18n, common.save) pending=action.pending() />
            </form>
        </section>
    }
}

/// "My shifts" in the phone's calendar: make the private address, open it in the calendar app,
/// make a new one or stop it (`api::calendar`).
#[component]
fn CalendarFeed(current: Resource<Result<Option<String>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let address = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let renew = Action::new(move |lang: &Locale| renew_calendar_feed(lang.as_str().to_owned()));
    let stop = Action::new(move |_: &()| stop_calendar_feed());
    Effect::new(move || {
        if let Some(answer) = current.get() {
            match answer {
                Ok(found) => address.set(found),
                Err(err) => error.set(Some(err)),
            }
        }
    });
    Effect::new(move || match renew.value().get() {
        Some(Ok(made)) => {
            error.set(None);
            address.set(Some(made));
        }
        Some(Err(err)) => error.set(Some(err)),
        None => {}
    });
    Effect::new(move || match stop.value().get() {
        Some(Ok(())) => {
            error.set(None);
            address.set(None);
        }
        Some(Err(err)) => error.set(Some(err)),
        None => {}
    });
    let pending = move || renew.pending().get() || stop.pending().get();
    // Calendar apps open `webcal:` addresses as a subscription.
    let webcal = move || {
        address.get().map(|a| {
            a.replacen("https://", "webcal://", 1)
                .replacen("http://", "webcal://", 1)
        })
    };
    view! {
        <section aria-labelledby="calendar-heading" id="kalender" data-testid="calendar-feed">
            <h2 id="calendar-heading">{t!(i18n, profile.calendar_heading)}</h2>
            <p>{t!(i18n, profile.calendar_body)}</p>
            <p class="notice notice--error" role="alert" hidden=move || error.with(Option::is_none)>
                {move || error.get().map(|err| summary(i18n, &err))}
            </p>
            <Show
                when=move || address.with(Option::is_some)
                fallback=move || view! {
                    <button type="button" class="button" disabled=pending
                        on:click=move |_| { renew.dispatch(i18n.get_locale()); }>
                        {t!(i18n, profile.calendar_make)}
                    </button>
                }
            >
                <div class="field">
                    <label for="calendar-address">{t!(i18n, profile.calendar_address)}</label>
                    <input id="calendar-address" type="url" readonly data-testid="calendar-address"
                        prop:value=move || address.get().unwrap_or_default() />
                </div>
                <p><a class="button" href=webcal>{t!(i18n, profile.calendar_open)}</a></p>
                <p class="actions">
                    <button type="button" class="button button--secondary" disabled=pending
                        on:click=move |_| { renew.dispatch(i18n.get_locale()); }>
                        {t!(i18n, profile.calendar_renew)}
                    </button>
                    <button type="button" class="button button--secondary" disabled=pending
                        on:click=move |_| { stop.dispatch(()); }>
                        {t!(i18n, profile.calendar_stop)}
                    </button>
                </p>
            </Show>
        </section>
    }
}

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = user_resource(|_| true, show_my_data);
    view! {
        <PageTitle text=move || t_string!(i18n, my_data.title).to_owned() />
        <h1>{t!(i18n, my_data.heading)}</h1>
        <RequireUser children=move |_me: Me| view! { <MyDataView data /> } />
    }
}

#[component]
fn MyDataView(data: Resource<Result<MyData, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="lead">{t!(i18n, my_data.lead)}</p>
        <p>
            <a class="button" href="/api/my-data.json" download="samverka-mina-uppgifter.json" data-testid="export">
                {t!(i18n, my_data.export)}
            </a>
        </p>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <MyDataList data=d /> }.into_any(),
                    Err(err) => view! { <p class="notice notice--error" role="alert">{summary(i18n, &err)}</p> }.into_any(),
                }
            })}
        </Suspense>
        <CloseAccount />
    }
}

#[component]
fn MyDataList(data: MyData) -> impl IntoView {
    let i18n = use_i18n();
    let list = |items: &[String]| {
        if items.is_empty() {
            "–".to_owned()
        } else {
            items.join(", ")
        }
    };
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_owned());
    let MyData {
        name,
        email,
        phone,
        role,
        districts,
        languages,
        skills,
        created_at,
        privacy_accepted_at,
        groups,
        sessions,
        group_events,
        calendar_feed_made,
        ..
    } = data;
    view! {
        <dl class="facts" data-testid="my-data">
            <dt>{t!(i18n, my_data.name)}</dt><dd>{name}</dd>
            <dt>{t!(i18n, my_data.email)}</dt><dd>{or_dash(&email)}</dd>
            <dt>{t!(i18n, my_data.phone)}</dt><dd>{or_dash(&phone)}</dd>
            <dt>{t!(i18n, my_data.role)}</dt><dd>{move || role_name(i18n, role)}</dd>
            <dt>{t!(i18n, my_data.districts)}</dt><dd>{list(&districts)}</dd>
            <dt>{t!(i18n, my_data.languages)}</dt><dd>{list(&languages)}</dd>
            <dt>{t!(i18n, my_data.skills)}</dt><dd>{list(&skills)}</dd>
            <dt>{t!(i18n, my_data.created)}</dt><dd>{local_time::date_time(&created_at)}</dd>
            <dt>{t!(i18n, my_data.privacy)}</dt><dd>{privacy_accepted_at.as_deref().map(local_time::date_time).unwrap_or_else(|| "–".into())}</dd>
            <dt>{t!(i18n, my_data.calendar_feed)}</dt><dd>{calendar_feed_made.as_deref().map(local_time::date_time).unwrap_or_else(|| "–".into())}</dd>
        </dl>
        <h2>{t!(i18n, my_data.groups)}</h2>
        {if groups.is_empty() {
            view! { <p>{t!(i18n, start.no_groups)}</p> }.into_any()
        } else {
            view! { <GroupList list=groups /> }.into_any()
        }}
        <h2>{t!(i18n, my_data.sessions)}</h2>
        <ul>
            {sessions.into_iter().map(|s| {
                let created = local_time::date_time(&s.created_at);
                let used = local_time::date_time(&s.last_used_at);
                view! {
                    <li>
                        {t!(i18n, my_data.session_line, created = move || created.clone(), used = move || used.clone())}
                        {s.current.then(|| view! { " " {t!(i18n, my_data.this_device)} })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(!group_events.is_empty()).then(|| view! {
            <h2>{t!(i18n, my_data.events)}</h2>
            <ul>
                {group_events.into_iter().map(|e| view! {
                    <li>{local_time::date_time(&e.at)} " – " {move || crate::pages::groups::event_name(i18n, e.kind)}</li>
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn CloseAccount() -> impl IntoView {
    let i18n = use_i18n();
    let form = FormState::new();
    let password = RwSignal::new(String::new());
    let action = ServerAction::<CloseAccount>::new();
    let user = use_user();
    let navigate = use_navigate();
    let sync = crate::sync::context::use_sync();
    on_answer(action.value(), form, move |_| {
        // As signing out does: nothing of the person stays on this device.
        sync.clear_local();
        user.refresh();
        navigate("/konto-avslutat", Default::default());
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let password = password.get();
        let check = if password.is_empty() {
            Err(crate::domain::FieldErrors::single("password", "required"))
        } else {
            Ok(())
        };
        if form.check(check).is_some() {
            action.dispatch(CloseAccount { password });
        }
    };
    view! {
        <section class="danger-zone" aria-labelledby="close-heading">
            <h2 id="close-heading">{t!(i18n, my_data.close_heading)}</h2>
            <p>{t!(i18n, my_data.close_body)}</p>
            <form method="post" on:submit=on_submit novalidate data-testid="close-account-form">
                <FormSummary form />
                <TextField form name="password" label=text!(i18n, my_data.close_password) value=password
                    input_type="password" autocomplete="current-password" required=true />
                <Submit label=text!(i18n, my_data.close_submit) pending=action.pending() />
            </form>
        </section>
    }
}

#[component]
pub fn AccountClosedPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, my_data.close_heading).to_owned() />
        <section class="message-page">
            <h1>{t!(i18n, my_data.close_heading)}</h1>
            <p role="status">{t!(i18n, my_data.closed)}</p>
            <p><a class="button" href="/">{t!(i18n, not_found.home_link)}</a></p>
        </section>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let facts = Resource::new_blocking(|| (), |_| crate::api::reference::site_facts());
    view! {
        <PageTitle text=move || t_string!(i18n, privacy.title).to_owned() />
        <article class="prose">
            <h1>{t!(i18n, privacy.heading)}</h1>
            <h2>{t!(i18n, privacy.what_heading)}</h2>
            <p>{t!(i18n, privacy.what_body)}</p>
            <h2>{t!(i18n, privacy.why_heading)}</h2>
            <p>{t!(i18n, privacy.why_body)}</p>
            <h2>{t!(i18n, privacy.who_heading)}</h2>
            <p>{t!(i18n, privacy.who_body)}</p>
            <h2>{t!(i18n, privacy.how_long_heading)}</h2>
            <p>{t!(i18n, privacy.how_long_body)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // The periods the server enforces (configuration), not a copy of them.
                    let facts = facts.await.unwrap_or_default();
                    let (keep, sessions, who) = (facts.retention, facts.sessions, facts.deployment);
                    view! {
                        <p>{t!(i18n, privacy.periods_intro)}</p>
                        <ul data-testid="retention-periods">
                            <li>{t!(i18n, privacy.period_sessions, idle = move || sessions.idle_days, max = move || sessions.max_days)}</li>
                            <li>{t!(i18n, privacy.period_changes, days = move || keep.sync_changes_days)}</li>
                            <li>{t!(i18n, privacy.period_removals, days = move || keep.removals_days)}</li>
                            <li>{t!(i18n, privacy.period_rejections, days = move || keep.sync_rejections_days)}</li>
                            <li>{t!(i18n, privacy.period_failures, days = move || keep.login_throttle_days)}</li>
                        </ul>
                        <p>{t!(i18n, privacy.controller, org = move || who.organisation.clone(), email = move || who.contact_email.clone())}</p>
                    }
                })}
            </Suspense>
            <h2>{t!(i18n, privacy.rights_heading)}</h2>
            <p>{t!(i18n, privacy.rights_body)}</p>
        </article>
    }
}

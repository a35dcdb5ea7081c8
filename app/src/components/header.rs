use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::{use_user, LangSwitch, NetworkStatus, SyncProblems, WaitingChanges};
use crate::api::account::LogOut;
use crate::domain::{permissions, Me};
use crate::i18n::*;
use crate::sync::context::use_sync;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main" on:click=focus_main>
            {t!(i18n, skip_to_content)}
        </a>
        <header class="site-header">
            <div class="site-header__bar">
                <a class="brand" href="/">
                    <span class="brand__name">{t!(i18n, site_name)}</span>
                    <span class="brand__tagline">{t!(i18n, tagline)}</span>
                </a>
                <div class="site-header__tools">
                    <NetworkStatus />
                    <WaitingChanges />
                    <LangSwitch />
                </div>
            </div>
            <nav class="site-nav" aria-label=move || t_string!(i18n, nav.label)>
                <Transition fallback=|| view! { <AnonymousNav /> }>
                    {move || Suspend::new(async move {
                        match use_user().0.await {
                            Ok(Some(me)) => view! { <PersonNav me /> }.into_any(),
                            _ => view! { <AnonymousNav /> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
            <SyncProblems />
        </header>
    }
}

#[component]
fn AnonymousNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul>
            <li><A href="/">{t!(i18n, nav.home)}</A></li>
            <li><A href="/registrera">{t!(i18n, nav.sign_up)}</A></li>
            <li><A href="/logga-in">{t!(i18n, nav.sign_in)}</A></li>
        </ul>
    }
}

#[component]
fn PersonNav(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user();
    let log_out = ServerAction::<LogOut>::new();
    let navigate = use_navigate();
    let sync = use_sync();
    Effect::new(move |_| {
        if let Some(Ok(())) = log_out.value().get() {
            // A shared phone keeps nothing of the person who signed out.
            sync.clear_local();
            user.refresh();
            navigate("/", Default::default());
        }
    });
    // Signing out with changes not yet sent loses them: say so first, and sign out only
    // when the person confirms.
    let confirming = RwSignal::new(false);
    let waiting = move || sync.view.with(|v| v.waiting.len());
    let on_log_out = move |ev: leptos::ev::MouseEvent| {
        if waiting() > 0 && !confirming.get_untracked() {
            ev.prevent_default();
            confirming.set(true);
        }
    };
    let staff = permissions::can_list_groups(Some(me.role));
    let admin = permissions::can_manage_staff(Some(me.role));
    view! {
        <ul>
            <li><A href="/start">{t!(i18n, nav.start)}</A></li>
            <li><A href="/erbjudanden">{t!(i18n, nav.offers)}</A></li>
            <li><A href="/pass">{t!(i18n, nav.shifts)}</A></li>
            {staff.then(|| view! { <li><A href="/personal/grupper">{t!(i18n, nav.staff_groups)}</A></li> })}
            {staff.then(|| view! { <li><A href="/personal/behov">{t!(i18n, nav.staff_needs)}</A></li> })}
            {staff.then(|| view! { <li><A href="/personal/erbjudanden">{t!(i18n, nav.staff_offers)}</A></li> })}
            {staff.then(|| view! { <li><A href="/personal/arenden">{t!(i18n, nav.staff_cases)}</A></li> })}
            {admin.then(|| view! { <li><A href="/admin">{t!(i18n, nav.admin)}</A></li> })}
            <li><A href="/mina-uppgifter">{t!(i18n, nav.my_data)}</A></li>
            <li>
                <ActionForm action=log_out attr:class="inline-form">
                    <button class="link-button" type="submit" data-testid="log-out" on:click=on_log_out>
                        {move || if confirming.get() { t_string!(i18n, sync.sign_out_anyway) } else { t_string!(i18n, nav.sign_out) }}
                    </button>
                </ActionForm>
                {move || confirming.get().then(|| view! {
                    <div class="notice notice--error sign-out-warning" role="alert" data-testid="sign-out-warning">
                        <p>{t!(i18n, sync.sign_out_warning, count = waiting)}</p>
                        <button class="link-button" type="button" on:click=move |_| confirming.set(false)>{t!(i18n, offers.cancel)}</button>
                    </div>
                })}
            </li>
        </ul>
    }
}

/// The router handles in-page links itself and would not move focus; do what the browser
/// does for `#main` without it, so keyboard and screen-reader users land in the content.
fn focus_main(_ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(main) = document()
            .get_element_by_id("main")
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            _ev.prevent_default();
            let _ = main.focus();
            main.scroll_into_view();
        }
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <p>{t!(i18n, footer.about)}</p>
            <p>
                <a href="/tillganglighet">{t!(i18n, footer.a11y_link)}</a>
                " · "
                <a href="/integritet">{t!(i18n, footer.privacy_link)}</a>
            </p>
        </footer>
    }
}

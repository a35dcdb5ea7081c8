//! The HTML shell, the i18n context and the router.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};
use leptos_use::{SameSite, UseLocalesOptions};

use crate::components::{provide_user, SiteFooter, SiteHeader};
use crate::i18n::{I18nContextProvider, Locale};
use crate::pages::account::{
    AccountClosedPage, LogInPage, MyDataPage, PrivacyPage, ProfilePage, SignUpPage, StartPage,
};
use crate::pages::admin::AdminPage;
use crate::pages::cases::{CasePage, CaseQueuePage, SupportReportPage};
use crate::pages::groups::{GroupPage, InvitePage, NewGroupPage, StaffGroupsPage};
use crate::pages::needs::{NeedDetailPage, OpenNeedsPage, StaffNeedsPage};
use crate::pages::offers::{ChangesPage, EditOfferPage, MyOffersPage, NewOfferPage};
use crate::pages::our_needs::{EditNeedPage, NewNeedPage, OurNeedsPage};
use crate::pages::shifts::{LogHoursPage, MyShiftsPage};
use crate::pages::staff_offers::StaffOffersPage;
use crate::pages::{AccessibilityPage, ErrorPage, HomePage, NotFoundPage};
use crate::sync::context::provide_sync;

/// A route whose page code is split out of the main wasm module and loaded the first time the
/// page is visited (`cargo leptos build --split`), so the home page downloads only the shell.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        #[derive(Debug)]
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(SignUpRoute, SignUpPage);
lazy_page!(LogInRoute, LogInPage);
lazy_page!(StartRoute, StartPage);
lazy_page!(ProfileRoute, ProfilePage);
lazy_page!(MyDataRoute, MyDataPage);
lazy_page!(NewGroupRoute, NewGroupPage);
lazy_page!(GroupRoute, GroupPage);
lazy_page!(InviteRoute, InvitePage);
lazy_page!(StaffGroupsRoute, StaffGroupsPage);
lazy_page!(AdminRoute, AdminPage);
lazy_page!(OpenNeedsRoute, OpenNeedsPage);
lazy_page!(StaffNeedsRoute, StaffNeedsPage);
lazy_page!(OurNeedsRoute, OurNeedsPage);
lazy_page!(NewNeedRoute, NewNeedPage);
lazy_page!(EditNeedRoute, EditNeedPage);
lazy_page!(NeedRoute, NeedDetailPage);
lazy_page!(StaffOffersRoute, StaffOffersPage);
lazy_page!(CaseQueueRoute, CaseQueuePage);
lazy_page!(CaseRoute, CasePage);
lazy_page!(SupportReportRoute, SupportReportPage);
lazy_page!(MyOffersRoute, MyOffersPage);
lazy_page!(NewOfferRoute, NewOfferPage);
lazy_page!(EditOfferRoute, EditOfferPage);
lazy_page!(ChangesRoute, ChangesPage);
lazy_page!(MyShiftsRoute, MyShiftsPage);
lazy_page!(LogHoursRoute, LogHoursPage);
lazy_page!(AccessibilityRoute, AccessibilityPage);
lazy_page!(PrivacyRoute, PrivacyPage);

/// The cookie that remembers the chosen language, shared by the no-JS switch on the server.
pub const LANG_COOKIE: &str = "samverka_lang";
/// How long the language choice is remembered.
pub const LANG_COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;

const REGISTER_SERVICE_WORKER: &str = "if ('serviceWorker' in navigator) { \
    addEventListener('load', () => navigator.serviceWorker.register('/sw.js').catch(() => {})); }";

/// The document around the app; rendered by the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                // Under its hashed name (`hash-files`): browsers keep it for good.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
                // The service worker keeps the app shell for opening without network.
                <script nonce=use_nonce() inner_html=REGISTER_SERVICE_WORKER></script>
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_user();
    provide_sync();

    // Swedish is the default for everyone until they choose English: a Swedish public service
    // should not switch language because a browser happens to be set to English.
    let no_accept_language = UseLocalesOptions::default().ssr_lang_header_getter(|| None::<String>);
    let cookie_options = leptos_i18n::context::CookieOptions::<Locale>::default()
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(LANG_COOKIE_MAX_AGE_SECS * 1000);

    view! {
        <I18nContextProvider
            cookie_name=LANG_COOKIE
            cookie_options=cookie_options
            ssr_lang_header_getter=no_accept_language
        >
            <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
            <Link rel="manifest" href="/manifest.webmanifest" />
            <Meta name="theme-color" content="#1d4f73" />
            <Title formatter=|text: String| {
                if text.is_empty() { "Samverka".to_owned() } else { format!("{text} – Samverka") }
            } />
            <Router>
                <SiteHeader />
                <main id="main" tabindex="-1">
                    <Routes fallback=NotFoundPage>
                        // Async: the server waits for the home page's data, so it is complete without JavaScript.
                        <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("/tillganglighet") view={Lazy::<AccessibilityRoute>::new()} />
                        <Route path=path!("/fel") view=ErrorPage />
                        <Route path=path!("/integritet") view={Lazy::<PrivacyRoute>::new()} />
                        <Route path=path!("/registrera") view={Lazy::<SignUpRoute>::new()} />
                        <Route path=path!("/logga-in") view={Lazy::<LogInRoute>::new()} />
                        <Route path=path!("/start") view={Lazy::<StartRoute>::new()} />
                        <Route path=path!("/profil") view={Lazy::<ProfileRoute>::new()} />
                        <Route path=path!("/mina-uppgifter") view={Lazy::<MyDataRoute>::new()} />
                        <Route path=path!("/konto-avslutat") view=AccountClosedPage />
                        <Route path=path!("/grupper/ny") view={Lazy::<NewGroupRoute>::new()} />
                        // In order, like the lists of needs below: the group's needs are in the
                        // HTML, readable without JavaScript.
                        <Route path=path!("/grupper/:id") view={Lazy::<GroupRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/inbjudan/:code") view={Lazy::<InviteRoute>::new()} />
                        <Route path=path!("/personal/grupper") view={Lazy::<StaffGroupsRoute>::new()} />
                        <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} />
                        // In order: the list is in the HTML where it belongs, readable without
                        // JavaScript. (Async, as the home page, lost the page's CSP header now
                        // and then on these lazy routes under parallel load.)
                        <Route path=path!("/behov") view={Lazy::<OpenNeedsRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/personal/behov") view={Lazy::<StaffNeedsRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/personal/erbjudanden") view={Lazy::<StaffOffersRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/personal/arenden") view={Lazy::<CaseQueueRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/arenden/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/personal/stod") view={Lazy::<SupportReportRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/behov/mina") view={Lazy::<OurNeedsRoute>::new()} />
                        <Route path=path!("/behov/ny") view={Lazy::<NewNeedRoute>::new()} />
                        <Route path=path!("/behov/andra") view={Lazy::<EditNeedRoute>::new()} />
                        <Route path=path!("/behov/:id") view={Lazy::<NeedRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/erbjudanden") view={Lazy::<MyOffersRoute>::new()} />
                        <Route path=path!("/erbjudanden/ny") view={Lazy::<NewOfferRoute>::new()} />
                        <Route path=path!("/erbjudanden/andra") view={Lazy::<EditOfferRoute>::new()} />
                        <Route path=path!("/andringar") view={Lazy::<ChangesRoute>::new()} />
                        <Route path=path!("/pass") view={Lazy::<MyShiftsRoute>::new()} />
                        <Route path=path!("/pass/timmar") view={Lazy::<LogHoursRoute>::new()} />
                    </Routes>
                </main>
                <SiteFooter />
            </Router>
        </I18nContextProvider>
    }
}

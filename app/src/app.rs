//! The HTML shell, the i18n context and the router.
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Link, Meta, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, LazyRoute, SsrMode};
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

/// A route whose page code is split out of the main wasm module (`cargo leptos build --split`)
/// into the wasm module `$module`, loaded the first time one of its pages is visited, so the
/// home page downloads only the shell.
///
/// Pages are split by who uses them (a visitor, a signed-in person, staff), not one module per
/// page. wasm-split puts code used by more than one module into a chunk per set of modules that
/// use it: with a module per page (29) that made 543 chunks, and `/start` fetched and
/// instantiated 227 of them, which took half of its start-up's main thread (docs/BENCHMARKS.md,
/// "A module per page cost half the start-up"). Three modules make a handful of chunks.
/// `$view` names the split function and `$preload` the function that loads its module; the
/// service worker finds a module's chunks by the module's name. (Called with braces, one page
/// a line: rustfmt leaves those alone.)
macro_rules! lazy_page {
    ($module:ident, $route:ident, $view:ident, $preload:ident, $page:ident) => {
        #[derive(Debug)]
        struct $route;

        #[cfg_attr(
            feature = "hydrate",
            ::leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, preload($preload))
        )]
        fn $view(_this: $route) -> AnyView {
            view! { <$page /> }.into_any()
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(this: Self) -> AnyView {
                #[cfg(feature = "hydrate")]
                return $view(this).await;
                #[cfg(not(feature = "hydrate"))]
                $view(this)
            }

            async fn preload() {
                #[cfg(feature = "hydrate")]
                $preload().await;
            }
        }
    };
}

// What a visitor who is not signed in opens.
lazy_page! { public_pages, SignUpRoute, sign_up_view, sign_up_preload, SignUpPage }
lazy_page! { public_pages, LogInRoute, log_in_view, log_in_preload, LogInPage }
lazy_page! { public_pages, OpenNeedsRoute, open_needs_view, open_needs_preload, OpenNeedsPage }
lazy_page! { public_pages, NeedRoute, need_view, need_preload, NeedDetailPage }
lazy_page! { public_pages, AccessibilityRoute, accessibility_view, accessibility_preload, AccessibilityPage }
lazy_page! { public_pages, PrivacyRoute, privacy_view, privacy_preload, PrivacyPage }
// A volunteer's and a group contact's pages; the service worker keeps them for offline use.
lazy_page! { person_pages, StartRoute, start_view, start_preload, StartPage }
lazy_page! { person_pages, ProfileRoute, profile_view, profile_preload, ProfilePage }
lazy_page! { person_pages, MyDataRoute, my_data_view, my_data_preload, MyDataPage }
lazy_page! { person_pages, NewGroupRoute, new_group_view, new_group_preload, NewGroupPage }
lazy_page! { person_pages, GroupRoute, group_view, group_preload, GroupPage }
lazy_page! { person_pages, InviteRoute, invite_view, invite_preload, InvitePage }
lazy_page! { person_pages, OurNeedsRoute, our_needs_view, our_needs_preload, OurNeedsPage }
lazy_page! { person_pages, NewNeedRoute, new_need_view, new_need_preload, NewNeedPage }
lazy_page! { person_pages, EditNeedRoute, edit_need_view, edit_need_preload, EditNeedPage }
lazy_page! { person_pages, CaseRoute, case_view, case_preload, CasePage }
lazy_page! { person_pages, MyOffersRoute, my_offers_view, my_offers_preload, MyOffersPage }
lazy_page! { person_pages, NewOfferRoute, new_offer_view, new_offer_preload, NewOfferPage }
lazy_page! { person_pages, EditOfferRoute, edit_offer_view, edit_offer_preload, EditOfferPage }
lazy_page! { person_pages, ChangesRoute, changes_view, changes_preload, ChangesPage }
lazy_page! { person_pages, MyShiftsRoute, my_shifts_view, my_shifts_preload, MyShiftsPage }
lazy_page! { person_pages, LogHoursRoute, log_hours_view, log_hours_preload, LogHoursPage }
// The municipality's staff.
lazy_page! { staff_pages, StaffGroupsRoute, staff_groups_view, staff_groups_preload, StaffGroupsPage }
lazy_page! { staff_pages, AdminRoute, admin_view, admin_preload, AdminPage }
lazy_page! { staff_pages, StaffNeedsRoute, staff_needs_view, staff_needs_preload, StaffNeedsPage }
lazy_page! { staff_pages, StaffOffersRoute, staff_offers_view, staff_offers_preload, StaffOffersPage }
lazy_page! { staff_pages, CaseQueueRoute, case_queue_view, case_queue_preload, CaseQueuePage }
lazy_page! { staff_pages, SupportReportRoute, support_report_view, support_report_preload, SupportReportPage }

/// The cookie that remembers the chosen language, shared by the no-JS switch on the server.
pub const LANG_COOKIE: &str = "samverka_lang";
/// How long the language choice is remembered.
pub const LANG_COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;

#[cfg(feature = "ssr")]
/// This build's main files as the page names them: `cargo leptos build` with `hash-files`
/// puts each one's content hash into its name and writes the hashes beside the binary.
struct BuildFiles {
    js: String,
    wasm: String,
    css: String,
}

#[cfg(feature = "ssr")]
/// Read once: the names cannot change while the binary runs.
fn build_files(options: &LeptosOptions) -> &'static BuildFiles {
    static FILES: std::sync::OnceLock<BuildFiles> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        let hashes = if options.hash_files {
            std::env::current_exe()
                .ok()
                .and_then(|exe| {
                    std::fs::read_to_string(exe.parent()?.join(&*options.hash_file)).ok()
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        let hash_of = |kind: &str| {
            hashes.lines().find_map(|line| {
                let (k, hash) = line.split_once(':')?;
                (k.trim() == kind).then(|| hash.trim().to_owned())
            })
        };
        let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
        let file = |kind: &str, plain: &str| match hash_of(kind) {
            Some(hash) => format!("/{pkg}/{name}.{hash}.{kind}"),
            None => format!("/{pkg}/{name}{plain}.{kind}"),
        };
        // Without cargo-leptos (plain cargo), wasm-bindgen's own name for the module.
        let wasm_plain = if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            "_bg"
        } else {
            ""
        };
        BuildFiles {
            js: file("js", ""),
            wasm: file("wasm", wasm_plain),
            css: file("css", ""),
        }
    })
}

#[cfg(feature = "ssr")]
/// When the browser starts the app (loads the wasm and hydrates the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boot {
    /// Once the page has loaded and the browser is idle: the server-rendered page is complete
    /// and readable without the app, so on a thin connection the text paints first and the
    /// wasm, the largest download, does not compete with it.
    Idle,
    /// At the visitor's first use of the page (a click or tap, a key, a field taking focus;
    /// not a scroll): a public page for someone not signed in. Reading it, following its links
    /// and switching language need no app, so a visitor who only reads downloads none of it;
    /// one who starts to fill in a form has it loading while they type (nothing typed is lost).
    FirstUse,
}

#[cfg(feature = "ssr")]
impl Boot {
    fn as_str(self) -> &'static str {
        match self {
            Boot::Idle => "idle",
            Boot::FirstUse => "first-use",
        }
    }

    /// For the request being rendered: first use on a public page without a session.
    fn of_request() -> Boot {
        if let Some(parts) = use_context::<axum::http::request::Parts>() {
            let signed_in =
                crate::auth::request_cookie(&parts.headers, crate::auth::SESSION_COOKIE).is_some();
            if !signed_in && crate::domain::paths::is_public_page(parts.uri.path()) {
                return Boot::FirstUse;
            }
        }
        Boot::Idle
    }
}

#[cfg(feature = "ssr")]
/// The page's one script: starts the app as [`Boot`] says. A form sent before the app has
/// taken over the page (`<html data-page>`, see `components::title`) is held and sent again
/// by the app, so a quick person's tap on "send" is never lost to the page's own reload. After
/// the app has started, the service worker is registered, when the main module is already in
/// the HTTP cache (hashed names, kept for a year): its install takes it from there instead of
/// downloading it a second time. (Leptos's `HydrationScripts` preloads the wasm and the page's
/// chunks from `<head>` instead; measured against this in docs/BENCHMARKS.md, "Phone speed".)
/// Written once per kind of start (the names cannot change while the binary runs), not on
/// every render.
fn boot_script(options: &LeptosOptions, boot: Boot) -> &'static str {
    static SCRIPTS: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [idle, first_use] = SCRIPTS.get_or_init(|| {
        let files = build_files(options);
        [Boot::Idle, Boot::FirstUse].map(|boot| script_text(files, boot))
    });
    match boot {
        Boot::Idle => idle,
        Boot::FirstUse => first_use,
    }
}

#[cfg(feature = "ssr")]
fn script_text(files: &BuildFiles, boot: Boot) -> String {
    format!(
        r#"const root = document.documentElement;
let started = false, held = null;
const ready = () => {{
  removeEventListener("submit", hold, true);
  if (held) {{ const {{ form, submitter }} = held; held = null; form.requestSubmit(submitter); }}
}};
const start = () => {{
  if (started) return;
  started = true;
  new MutationObserver((_, watch) => {{ if (root.dataset.page) {{ watch.disconnect(); ready(); }} }})
    .observe(root, {{ attributes: true, attributeFilter: ["data-page"] }});
  import({js:?}).then((app) => app.default({{ module_or_path: {wasm:?} }}).then(() => {{
    app.hydrate();
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {{}});
  }}));
}};
function hold(event) {{
  event.preventDefault();
  held = {{ form: event.target, submitter: event.submitter }};
  start();
}}
addEventListener("submit", hold, true);
if ({boot:?} === "first-use") {{
  // Not on touch or pointer contact: on a phone every scroll begins with one, and a reader
  // scrolls. A tap that does something clicks or focuses; a sent form is held (above).
  for (const type of ["click", "keydown", "focusin"])
    addEventListener(type, start, {{ capture: true, once: true, passive: true }});
  // Already in a field (typed into before this script ran): start now.
  if (document.activeElement && document.activeElement !== document.body) start();
}} else {{
  const idle = () => ("requestIdleCallback" in window ? requestIdleCallback(start, {{ timeout: 500 }}) : setTimeout(start, 0));
  if (document.readyState === "complete") idle(); else addEventListener("load", idle, {{ once: true }});
}}
// Listening now (the end-to-end tests wait for this before their first key).
root.dataset.bootScript = "ready";"#,
        js = files.js,
        wasm = files.wasm,
        boot = boot.as_str(),
    )
}

#[cfg(feature = "ssr")]
/// The document around the app; rendered by the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let boot = Boot::of_request();
    view! {
        <!DOCTYPE html>
        // How the page starts is in the HTML, not set by the script: a module script runs after
        // the first paint, and the style that depends on it (no network status on a page read
        // without the app) then moved the page (Lighthouse: a layout shift of 0.32 on `/`).
        <html data-boot=boot.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <link id="leptos" rel="stylesheet" href=build_files(&options).css.clone() />
                <MetaTags />
                <script type="module" nonce=use_nonce() inner_html=boot_script(&options, boot)></script>
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
                        // The signed-in pages whole (async): the server has what they wait for (the
                        // person, their groups) within milliseconds. Out of order the browser would
                        // paint the "loading" placeholders first and then move the page as the content
                        // replaces them (`end2end/bench/trace-boot.mjs`: a layout shift of 0.08 on
                        // /start); in order, the same HTML went out in several writes, each its own
                        // packet: whole, `/start` serves ~15 % more requests a second
                        // (docs/BENCHMARKS.md, "Two queries for a signed-in page"); 2,000 parallel
                        // requests to /start all kept their CSP header. The cached public lists below
                        // stay in order (see the note beside them).
                        <Route path=path!("/start") view={Lazy::<StartRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/profil") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/mina-uppgifter") view={Lazy::<MyDataRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/konto-avslutat") view=AccountClosedPage />
                        <Route path=path!("/grupper/ny") view={Lazy::<NewGroupRoute>::new()} ssr=SsrMode::Async />
                        // Whole, like the pages above: the group's needs are in the HTML, readable
                        // without JavaScript.
                        <Route path=path!("/grupper/:id") view={Lazy::<GroupRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/inbjudan/:code") view={Lazy::<InviteRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/personal/grupper") view={Lazy::<StaffGroupsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                        // In order: the list is in the HTML where it belongs, readable without
                        // JavaScript. (Async, as the home page, lost the page's CSP header now
                        // and then on these lazy routes under parallel load.)
                        <Route path=path!("/behov") view={Lazy::<OpenNeedsRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/personal/behov") view={Lazy::<StaffNeedsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/personal/erbjudanden") view={Lazy::<StaffOffersRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/personal/arenden") view={Lazy::<CaseQueueRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/arenden/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/personal/stod") view={Lazy::<SupportReportRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/behov/mina") view={Lazy::<OurNeedsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/behov/ny") view={Lazy::<NewNeedRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/behov/andra") view={Lazy::<EditNeedRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/behov/:id") view={Lazy::<NeedRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("/erbjudanden") view={Lazy::<MyOffersRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/erbjudanden/ny") view={Lazy::<NewOfferRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/erbjudanden/andra") view={Lazy::<EditOfferRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/andringar") view={Lazy::<ChangesRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/pass") view={Lazy::<MyShiftsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/pass/timmar") view={Lazy::<LogHoursRoute>::new()} ssr=SsrMode::Async />
                    </Routes>
                </main>
                <SiteFooter />
            </Router>
        </I18nContextProvider>
    }
}

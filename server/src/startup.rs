//! Builds the HTTP application and runs it.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use app::app::{shell, App, LANG_COOKIE, LANG_COOKIE_MAX_AGE_SECS};
use app::config::Config;
use app::db::{self, DbSetupError, Pool};
use app::state::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// Why the server could not start, worded as the one line it prints before exiting.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error("cannot seed the demo data: {0}")]
    Demo(app::error::AppError),
    #[error("cannot listen on {addr}: {source}. Set SAMVERKA_ADDR to a free address")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A bound, migrated, ready-to-run server.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    pool: Pool,
    retention: app::config::Retention,
}

impl Application {
    /// Opens the database (running migrations, seeding demo data if asked) and binds the port.
    pub async fn build(
        config: Config,
        mut leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        let pool = db::connect_and_migrate(&config.database_url).await?;
        if config.demo {
            db::demo::seed(&pool).await.map_err(StartupError::Demo)?;
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartupError::Listen {
                addr: config.addr,
                source,
            })?;
        if let Ok(addr) = listener.local_addr() {
            leptos_options.site_addr = addr;
        }
        let retention = config.retention;
        let state = AppState {
            leptos_options,
            pool: pool.clone(),
            config: Arc::new(config),
            guards: Arc::default(),
        };
        Ok(Self {
            listener,
            router: router(state),
            pool,
            retention,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and closes the pool.
    /// Meanwhile, once a day, old removals are forgotten (see `docs/SYNC.md`).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The peer address feeds the per-address sign-in limit.
        let housekeeping = tokio::spawn(retention_daily(self.pool.clone(), self.retention));
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(without_delay(self.listener), service)
            .with_graceful_shutdown(shutdown)
            .await;
        housekeeping.abort();
        self.pool.close().await;
        result
    }
}

/// Every connection with `TCP_NODELAY`: each piece of a response goes out when it is written.
/// A page rendered in order streams in pieces; with Nagle's algorithm the kernel held each piece
/// after the first until the browser acknowledged the one before, and the browser delays its
/// acknowledgement by up to 40 ms: every signed-in page took ~44 ms, however idle the server
/// (`wrk -c1` on `/start`: 22.7 requests/s; docs/BENCHMARKS.md, "The 40 ms in every signed-in
/// page").
fn without_delay(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    listener.tap_io(set_nodelay)
}

fn set_nodelay(stream: &mut tokio::net::TcpStream) {
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!(%err, "could not set TCP_NODELAY on a connection");
    }
}

/// Gallring: at start and then once a day, everything past its retention period goes.
async fn retention_daily(pool: Pool, keep: app::config::Retention) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        match db::retention::enforce(&pool, &keep).await {
            Ok(removed) => tracing::info!(?removed, "retention enforced"),
            Err(err) => tracing::warn!(?err, "could not enforce retention"),
        }
    }
}

/// The routes the router serves itself (besides the pages, the server functions and the sync
/// routes): the authorization matrix test checks that each has a row.
pub const PLAIN_ROUTES: [&str; 3] = ["/healthz", "/sw.js", "/sprak/{code}"];

/// The largest request body we read. Every form fits many times over; a bigger body is
/// refused with 413 before any of it is parsed.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The app's page routes, listed once per process.
///
/// Leptos lists them by rendering the app with resource loading switched off, and the switch is
/// one flag for the whole process (`leptos_server`'s `SuppressResourceLoad`): a page another
/// server instance in the same process rendered meanwhile had resources that never loaded, and
/// its answer never came (the integration tests run many servers in one process; a test hung
/// ~1 in 10 runs until CI gave up). Listed once, before any instance serves, no render can
/// overlap it: every instance waits here for the one list.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let fallback_config = state.config.clone();
    let sessions = app::auth::session_layer(state.pool.clone(), &state.config);
    // Bytes: every request shares the one copy.
    let site_root = std::path::Path::new(&*state.leptos_options.site_root);
    let service_worker = crate::service_worker::script(site_root).map(axum::body::Bytes::from);
    let static_files = Arc::new(crate::static_files::StaticFiles::load(
        site_root,
        state.leptos_options.hash_files,
    ));
    Router::new()
        .route(PLAIN_ROUTES[0], get(healthz))
        .route(
            PLAIN_ROUTES[1],
            get(move || serve_service_worker(service_worker.clone())),
        )
        .route(PLAIN_ROUTES[2], get(switch_language))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                page_security_policy(&context_state.config);
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || page_security_policy(&fallback_config), shell
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Sync pushes carry many changes: their own, larger limit (merged after the layer).
        .merge(app::api::sync::routes())
        // The calendar feed: its token is its credential (a calendar app sends no cookie).
        .merge(app::api::calendar::routes())
        // The support report as a file to download (staff; the access layer checks).
        .merge(app::api::cases::routes())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            app::api::access::check_access,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            reject_foreign_origin,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::new(crate::page_cache::PageCache::new(state.pool.clone())),
            crate::page_cache::serve,
        ))
        .layer(CompressionLayer::new())
        // The app's own files, from memory and precompressed: before the compression (they
        // are compressed already) and everything about sessions, access and pages.
        .layer(middleware::from_fn_with_state(
            static_files,
            crate::static_files::serve,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /sw.js` — never cached by the browser's HTTP cache, so a new build is seen at once.
async fn serve_service_worker(script: Option<axum::body::Bytes>) -> Response {
    match script {
        Some(script) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
                // The worker's own policy: it fetches this site's pages and files, nothing else.
                (header::CONTENT_SECURITY_POLICY, "default-src 'self'"),
            ],
            script,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// `GET /healthz` — 200 when the database answers, 503 when it does not. No internals.
async fn healthz(State(pool): State<Pool>) -> impl IntoResponse {
    match db::ping(&pool).await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "ok",
            }),
        ),
        Err(err) => {
            tracing::error!(error = %err, "health check: database did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database: "unavailable",
                }),
            )
        }
    }
}

#[derive(Deserialize)]
struct SwitchLanguage {
    tillbaka: Option<String>,
}

/// `GET /sprak/{sv|en}?tillbaka=/path` — the language switch without JavaScript: remembers the
/// choice in the same cookie the i18n context uses and sends the person back where they were.
async fn switch_language(
    Path(code): Path<String>,
    Query(query): Query<SwitchLanguage>,
) -> Response {
    if !matches!(code.as_str(), "sv" | "en") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let back = local_path_or_home(query.tillbaka.as_deref());
    let cookie =
        format!("{LANG_COOKIE}={code}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE_SECS}; SameSite=Lax");
    (
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, back)],
    )
        .into_response()
}

/// Only a path on this site may be a redirect target (no `//host` or `\host` tricks).
fn local_path_or_home(raw: Option<&str>) -> String {
    raw.and_then(app::domain::paths::local_path)
        .unwrap_or("/")
        .to_owned()
}

/// The Content-Security-Policy of a rendered page: scripts only from this site or inline with
/// this response's nonce (Leptos puts it on its hydration scripts), wasm compiled, nothing
/// from other origins, never framed. Set from the page's render context, where the nonce is.
fn page_security_policy(config: &app::config::Config) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|n| format!(" 'nonce-{n}'"))
        .unwrap_or_default();
    // `cargo leptos watch` reloads the page over a websocket on another port.
    let reload = match config.mode {
        app::config::Mode::Development => " ws:",
        app::config::Mode::Production => "",
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// What every response carries, unless a handler set its own: a strict CSP for anything that
/// is not a page (a page sets its own with a nonce), no framing, no sniffing, no referrer to
/// other sites, no powerful browser features, HSTS in production, and `no-store` on pages and
/// API answers (they may show a person's data; the service worker keeps its own copies).
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    const STRICT: &str =
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    // Server functions share the pages' render context (and so its policy); an answer of data
    // needs none of what a page does.
    if api {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT),
        );
    }
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, STRICT);
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    if state.config.mode == app::config::Mode::Production {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if api || html {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a state-changing request sent from another site (cross-site request forgery): its
/// `Origin` must be this site's public address (`SAMVERKA_PUBLIC_URL`; in development without
/// one, the `Host` header). Browsers always send `Origin` on such requests; without one,
/// `Sec-Fetch-Site: cross-site` also refuses. Other clients (tests, curl) send neither.
async fn reject_foreign_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !is_same_site(request.headers(), state.config.public_origin.as_ref()) {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            "refused a cross-site request"
        );
        return (StatusCode::FORBIDDEN, Json(app::error::AppError::Forbidden)).into_response();
    }
    next.run(request).await
}

fn is_same_site(headers: &HeaderMap, public: Option<&app::config::PublicOrigin>) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match (header(header::ORIGIN.as_str()), public) {
        // Behind a proxy, on HTTP/2 or with a rewritten Host, the configured address is the
        // truth; the Host header is not consulted at all.
        (Some(origin), Some(public)) => origin.eq_ignore_ascii_case(public.as_str()),
        (Some(origin), None) => {
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match (authority, header(header::HOST.as_str())) {
                (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
                _ => false,
            }
        }
        (None, _) => header("sec-fetch-site") != Some("cross-site"),
    }
}

/// What a person sees if a handler panics: a plain page in both languages, nothing internal.
fn panic_page(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = r#"<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Något gick fel – Samverka</title></head><body><main><h1>Något gick fel</h1><p>Det var inte ditt fel. Försök igen om en stund.</p><p><a href="/">Till startsidan</a></p><div lang="en"><h2>Something went wrong</h2><p>It was not your fault. Please try again in a moment.</p><p><a href="/">Go to the home page</a></p></div></main></body></html>"#;
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Completes on Ctrl-C or SIGTERM (what a process manager sends to stop us).
///
/// The handlers are installed when this is called, not when the future is first polled: the
/// caller announces that the server is running only after, so a SIGTERM sent right after that
/// line is never met by the default action (which ends the process without finishing requests).
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {},
                    _ = terminate.recv() => {},
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

#[cfg(test)]
mod tests {
    use super::{is_same_site, local_path_or_home};
    use axum::http::{HeaderMap, HeaderValue};
    use axum::serve::Listener;

    #[tokio::test]
    async fn connections_are_accepted_without_delay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = super::without_delay(listener);
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (stream, peer) = listener.accept().await;
        assert_eq!(peer, client.local_addr().unwrap());
        assert!(
            stream.nodelay().unwrap(),
            "the accepted connection has TCP_NODELAY"
        );
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn only_this_host_is_a_same_site_origin() {
        let host = ("host", "samverka.nacka.se");
        let same = |pairs: &[(&'static str, &'static str)]| is_same_site(&headers(pairs), None);
        assert!(same(&[host, ("origin", "https://samverka.nacka.se")]));
        assert!(same(&[host, ("origin", "https://SAMVERKA.nacka.se")]));
        assert!(!same(&[host, ("origin", "https://evil.example")]));
        assert!(!same(&[
            host,
            ("origin", "https://samverka.nacka.se.evil.example")
        ]));
        assert!(!same(&[host, ("origin", "null")]));
        assert!(!same(&[("origin", "https://samverka.nacka.se")]), "no Host");
        assert!(same(&[host]), "no Origin: not a browser");
        assert!(!same(&[host, ("sec-fetch-site", "cross-site")]));
    }

    #[test]
    fn with_a_public_address_the_host_header_is_not_trusted() {
        let public = app::config::PublicOrigin::parse("https://samverka.nacka.se").unwrap();
        let same =
            |pairs: &[(&'static str, &'static str)]| is_same_site(&headers(pairs), Some(&public));
        // Behind a proxy the Host is the internal name: still the same site.
        assert!(same(&[
            ("host", "10.0.0.7:3000"),
            ("origin", "https://samverka.nacka.se")
        ]));
        // HTTP/2 sends no Host header at all.
        assert!(same(&[("origin", "https://samverka.nacka.se")]));
        // A forged Host cannot make another origin acceptable.
        assert!(!same(&[
            ("host", "evil.example"),
            ("origin", "https://evil.example")
        ]));
        assert!(
            !same(&[("origin", "http://samverka.nacka.se")]),
            "scheme matters"
        );
    }

    #[test]
    fn redirect_target_must_be_a_local_path() {
        assert_eq!(
            local_path_or_home(Some("/tillganglighet")),
            "/tillganglighet"
        );
        assert_eq!(local_path_or_home(Some("//evil.example/")), "/");
        assert_eq!(local_path_or_home(Some("https://evil.example/")), "/");
        assert_eq!(local_path_or_home(Some("/\\evil.example")), "/");
        assert_eq!(local_path_or_home(Some("/a\r\nSet-Cookie: x")), "/");
        assert_eq!(local_path_or_home(None), "/");
    }
}

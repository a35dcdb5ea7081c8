//! Builds the HTTP application and runs it.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use app::app::{shell, App, LANG_COOKIE, LANG_COOKIE_MAX_AGE_SECS};
use app::config::Config;
use app::db::{self, DbSetupError, Pool};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
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
        let state = AppState {
            leptos_options,
            pool: pool.clone(),
            config: Arc::new(config),
        };
        Ok(Self {
            listener,
            router: router(state),
            pool,
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
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let result = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await;
        self.pool.close().await;
        result
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/sprak/{code}", get(switch_language))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
    match raw {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
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
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::local_path_or_home;

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

//! `spawn_app`: a real server on a free port over a database made for this test alone.
use std::path::PathBuf;

use app::config::Config;
use app::db::Pool;
use leptos::config::LeptosOptions;
use server::startup::Application;
use sqlx::{Connection, Executor, PgConnection};
use tokio::sync::oneshot;

/// Where PostgreSQL tests create their databases. In CI this server must be up.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// How long a test waits for a whole answer. Far beyond any answer's time; a hung answer then
/// fails its test, naming the request, instead of stalling the test run until CI gives up.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// What was made for one test; removed again when it is dropped, even when the test fails.
pub enum Scratch {
    SqliteDir(PathBuf),
    PostgresDb { admin_url: String, name: String },
}

impl Drop for Scratch {
    fn drop(&mut self) {
        match self {
            Scratch::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Scratch::PostgresDb { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(mut conn) = PgConnection::connect(&admin_url).await {
                            let _ = conn
                                .execute(
                                    format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)
                                        .as_str(),
                                )
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _scratch: Scratch,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches the server")
    }

    /// A browser of its own: keeps its cookies (its session), follows no redirects.
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("client builds")
    }

    /// Sends `body` as JSON to a server function with `client`.
    pub async fn post(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request reaches the server")
    }

    /// `GET` with `client`.
    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches the server")
    }

    /// A client signed in as `contact` with `password`; panics if signing in fails.
    pub async fn signed_in(&self, contact: &str, password: &str) -> reqwest::Client {
        let client = self.new_client();
        let response = self
            .post(
                &client,
                "/api/log-in",
                serde_json::json!({"form": {"contact": contact, "password": password}}),
            )
            .await;
        assert_eq!(response.status(), 200, "{contact} signs in");
        client
    }

    /// Signs up a new volunteer (in the first district) and returns their signed-in client and id.
    pub async fn volunteer(&self, contact: &str) -> (reqwest::Client, uuid::Uuid) {
        let district = self.first_district().await;
        let client = self.new_client();
        let response = self
            .post(
                &client,
                "/api/sign-up",
                serde_json::json!({"form": {
                    "name": format!("Volontär {contact}"),
                    "contact": contact,
                    "password": TEST_PASSWORD,
                    "districts": [district],
                    "accept_privacy": true,
                }}),
            )
            .await;
        assert_eq!(response.status(), 200, "{contact} signs up");
        let me: app::domain::Me = response.json().await.unwrap();
        (client, me.id)
    }

    /// Signs up `contact` and makes them municipal staff; their signed-in client and id.
    pub async fn staff_member(&self, contact: &str) -> (reqwest::Client, uuid::Uuid) {
        let (client, id) = self.volunteer(contact).await;
        sqlx::query("UPDATE users SET role = 'staff' WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .unwrap();
        (client, id)
    }

    /// The id of some district (the demo data has six; other tests get one made here).
    pub async fn first_district(&self) -> uuid::Uuid {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM districts ORDER BY sort_order")
            .fetch_optional(&self.pool)
            .await
            .unwrap();
        if let Some((id,)) = row {
            return id.parse().unwrap();
        }
        let id = uuid::Uuid::new_v4();
        sqlx::query("INSERT INTO districts (id, slug, name) VALUES ($1, 'sicklaon', 'Sicklaön')")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .unwrap();
        id
    }

    /// Counts the rows of `table` (to show that a refused request changed nothing).
    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await
            .unwrap();
        n
    }

    /// Sends the shutdown signal and waits for the server to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        let _ = self.shutdown.take().expect("not stopped twice").send(());
        self.server
            .take()
            .expect("running")
            .await
            .expect("server task joins")
    }
}

/// The password of every account the tests make.
pub const TEST_PASSWORD: &str = "korrekt häst batteri";

pub struct Spawn {
    pub engine: Engine,
    pub demo: bool,
}

/// A server with extra configuration (environment variable → value).
pub async fn spawn_with(engine: Engine, extra: &[(&'static str, &'static str)]) -> TestApp {
    let (database_url, scratch) = new_database(engine).await;
    let (address, pool, shutdown, server) = start_with(&database_url, false, extra).await;
    test_app(address, pool, database_url, shutdown, server, scratch)
}

fn test_app(
    address: String,
    pool: Pool,
    database_url: String,
    shutdown: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    scratch: Scratch,
) -> TestApp {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("client builds");
    TestApp {
        address,
        client,
        pool,
        database_url,
        shutdown: Some(shutdown),
        server: Some(server),
        _scratch: scratch,
    }
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn(Spawn {
        engine,
        demo: false,
    })
    .await
}

pub async fn spawn_demo_app(engine: Engine) -> TestApp {
    spawn(Spawn { engine, demo: true }).await
}

/// A fresh, empty database for one test (a temporary SQLite file or a new PostgreSQL
/// database) and what removes it again.
pub async fn new_database(engine: Engine) -> (String, Scratch) {
    let id = uuid::Uuid::new_v4().simple().to_string();
    match engine {
        Engine::Sqlite => {
            let dir = std::env::temp_dir().join(format!("samverka-test-{id}"));
            let url = format!("sqlite://{}/samverka.db", dir.display());
            (url, Scratch::SqliteDir(dir))
        }
        Engine::Postgres => {
            let admin_url = postgres_admin_url();
            let name = format!("samverka_test_{id}");
            let mut conn = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is required for these tests (TEST_POSTGRES_URL={admin_url}): {e}"
                )
            });
            conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                .await
                .expect("create test database");
            // A test database need not survive a power cut: commits return without waiting
            // for the disk (every test still sees what it committed; only durability goes).
            conn.execute(
                format!(r#"ALTER DATABASE "{name}" SET synchronous_commit = off"#).as_str(),
            )
            .await
            .expect("set the test database's commit mode");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            (
                format!("{base}/{name}"),
                Scratch::PostgresDb { admin_url, name },
            )
        }
    }
}

pub async fn spawn(options: Spawn) -> TestApp {
    // Server logs only when asked (`TEST_LOG=1`), so a failing test's output stays readable.
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init();
    }
    let (database_url, scratch) = new_database(options.engine).await;
    let (address, pool, shutdown, server) = start(&database_url, options.demo).await;
    test_app(address, pool, database_url, shutdown, server, scratch)
}

type Started = (
    String,
    Pool,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

async fn start(database_url: &str, demo: bool) -> Started {
    start_with(database_url, demo, &[]).await
}

async fn start_with(
    database_url: &str,
    demo: bool,
    extra: &[(&'static str, &'static str)],
) -> Started {
    let lookup = |key: &str| match key {
        "DATABASE_URL" => Some(database_url.to_owned()),
        "SAMVERKA_ADDR" => Some("127.0.0.1:0".to_owned()),
        _ => extra
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned()),
    };
    let config = Config::from_lookup(lookup, demo).expect("test configuration is valid");
    let leptos_options = LeptosOptions::builder()
        .output_name("samverka")
        .site_root("target/site")
        .build();
    let app = Application::build(config, leptos_options)
        .await
        .expect("application builds");
    let address = format!("http://{}", app.local_addr());
    let pool = app.pool().clone();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    (address, pool, tx, server)
}

/// A second server instance on the same database (as behind a load balancer). Stops when dropped
/// with its runtime; the database belongs to `app`.
pub async fn spawn_sibling(app: &TestApp) -> String {
    spawn_sibling_of(&app.database_url).await
}

/// [`spawn_sibling`] by the database's URL (from another thread, which cannot borrow the app).
pub async fn spawn_sibling_of(database_url: &str) -> String {
    let (address, _pool, shutdown, _server) = start(database_url, false).await;
    std::mem::forget(shutdown);
    address
}

/// Runs the same async test body once per engine.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                ($body)($crate::helpers::Engine::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                ($body)($crate::helpers::Engine::Postgres).await
            }
        }
    };
}

/// A read of a page: its CSP nonce (found in the HTML as well) and the HTML.
pub async fn visit(app: &TestApp, client: &reqwest::Client, path: &str) -> (String, String) {
    let response = app.get_with(client, path).await;
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let start = policy.find("'nonce-").expect("a page's policy has a nonce") + 7;
    let nonce = policy[start..].split('\'').next().unwrap().to_owned();
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{nonce}");
    (nonce, html)
}

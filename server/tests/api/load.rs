//! Under load: the release-like binary with demo data, 32 connections over every public and
//! signed-in page, must answer no 5xx and log no panic. (It found `<Title>` reading the i18n
//! signal while the head was injected on another task: ~2% of home pages answered 500.)
//! Bounded and local: a few thousand requests, no timing asserted.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::helpers::{new_database, Engine};

/// Like `both_engines!`, on a multi-threaded runtime: the clients need threads of their own.
macro_rules! on_both_engines {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$body(super::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$body(super::Engine::Postgres).await
            }
        }
    };
}

const CONNECTIONS: usize = 32;
const ROUNDS: usize = 6;

pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
    /// What the server wrote to stderr, read as it comes (a full pipe would stall it).
    log: Arc<std::sync::Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Starts the real binary with demo data and returns it with the address it printed.
pub(crate) fn start(database_url: &str, extra: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_samverka"))
        .arg("--demo")
        .envs(extra.iter().copied())
        .env("DATABASE_URL", database_url)
        .env("SAMVERKA_ADDR", "127.0.0.1:0")
        .env("SAMVERKA_ENV", "development")
        .env_remove("SAMVERKA_PUBLIC_URL")
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .expect("stdout readable");
        if let Some(rest) = line.strip_prefix("Samverka is running at ") {
            break rest.trim().to_owned();
        }
    };
    // Keep draining stdout and stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let log = Arc::new(std::sync::Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr piped");
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut log = kept.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    Server {
        child,
        address,
        log,
    }
}

async fn signed_in(address: &str, email: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();
    let response = client
        .post(format!("{address}/api/log-in"))
        .json(&serde_json::json!({"form": {"contact": email, "password": app::db::demo::DEMO_PASSWORD}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{email} signs in");
    client
}

async fn hammer(engine: Engine) {
    let (url, _scratch) = new_database(engine).await;
    let mut server = start(&url, &[]);
    let address = server.address.clone();
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();
    let volunteer = signed_in(&address, "anna@example.org").await;
    let staff = signed_in(&address, "sara.staff@example.org").await;
    let admin = signed_in(&address, "admin@example.org").await;
    let groups: Vec<serde_json::Value> = volunteer
        .get(format!("{address}/api/my-groups"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let group = groups[0]["id"]
        .as_str()
        .expect("Anna is in a group")
        .to_owned();
    let group_page = format!("/grupper/{group}");
    let need_page = format!(
        "/behov/{}",
        app::db::demo::stable_id("need", "night-walkers-phone")
    );

    let public = [
        "/",
        "/registrera",
        "/logga-in",
        "/tillganglighet",
        "/integritet",
        "/konto-avslutat",
        "/inbjudan/K7MQ2XPD9R",
        "/finns-inte",
        group_page.as_str(),
        "/api/reference-data",
        "/behov",
        "/behov?typ=micro_grant&sida=2",
        "/api/open-needs?page=3",
        need_page.as_str(),
    ];
    let volunteer_pages = [
        "/start",
        "/profil",
        "/mina-uppgifter",
        "/erbjudanden",
        "/erbjudanden/ny",
        "/andringar",
        "/grupper/ny",
        group_page.as_str(),
        "/api/my-data",
        // The previous protocol's pull (an old app still asks): "update required".
        "/api/sync/v1/pull?protocol=1",
    ];
    let staff_pages = [
        "/personal/grupper",
        "/personal/behov",
        "/personal/erbjudanden",
        "/start",
        group_page.as_str(),
    ];
    let admin_pages = ["/admin", "/start"];
    let plan: Vec<(reqwest::Client, String)> = [
        (&anonymous, &public[..]),
        (&volunteer, &volunteer_pages[..]),
        (&staff, &staff_pages[..]),
        (&admin, &admin_pages[..]),
    ]
    .iter()
    .flat_map(|(client, pages)| {
        let address = &address;
        pages
            .iter()
            .map(move |p| ((*client).clone(), format!("{address}{p}")))
    })
    .collect();
    let plan = Arc::new(plan);
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|worker| {
            let (plan, failures, sent) = (plan.clone(), failures.clone(), sent.clone());
            tokio::spawn(async move {
                for round in 0..ROUNDS {
                    for i in 0..plan.len() {
                        let (client, url) = &plan[(i + worker + round) % plan.len()];
                        // Read the whole answer, as a browser does (a page streams).
                        let status = match client.get(url).send().await {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                r.bytes().await.map(|_| status)
                            }
                            Err(e) => Err(e),
                        };
                        sent.fetch_add(1, Ordering::Relaxed);
                        match status {
                            Ok(s) if s < 500 => {}
                            other => failures.lock().unwrap().push(format!("{url}: {other:?}")),
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    // Give the reader a moment to take the last lines after the pipe closed.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let log = server.log.lock().unwrap().clone();
    let failures = failures.lock().unwrap();
    assert!(
        sent.load(Ordering::Relaxed) >= CONNECTIONS * ROUNDS * plan.len(),
        "every request was sent"
    );
    assert!(
        failures.is_empty(),
        "{} of {} requests failed: {:?}",
        failures.len(),
        sent.load(Ordering::Relaxed),
        &failures[..failures.len().min(10)]
    );
    // The panics with the lines after each (the message and the backtrace), not the whole log.
    // One is not ours and changes no answer: leptos_i18n 0.6.2 starts an effect on the server
    // (`Effect::new_isomorphic` in `init_context_inner`, to set the language cookie) as its
    // own task, and when the machine is this busy the page can be fully sent, and its reactive
    // owner dropped, before that task first runs; the task then reads a disposed signal and
    // panics, alone (the answer is complete; the server goes on). Seen once in a CI run.
    let upstream = |panic: &str| {
        panic.contains("leptos_i18n-0.6.2/src/context.rs")
            && panic.contains("but it has already been disposed")
    };
    let lines: Vec<&str> = log.lines().collect();
    let panics: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("panicked"))
        .map(|(i, _)| lines[i..lines.len().min(i + 40)].join("\n"))
        .filter(|panic| {
            !upstream(
                panic
                    .lines()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .as_str(),
            )
        })
        .collect();
    assert!(
        panics.is_empty(),
        "the server panicked under load {} time(s):\n{}",
        panics.len(),
        panics.join("\n---\n")
    );
}

on_both_engines!(
    every_page_under_32_connections_answers_without_5xx_or_panic,
    hammer
);

/// The server's resident memory now and at its peak, in MiB (Linux's /proc).
fn memory_mib(server: &Server) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .expect("/proc is readable");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .expect("a VmRSS and a VmHWM line")
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// 200 parallel sign-ups, each from its own address (so every one hashes a password), stay
/// within a memory budget: at most a few argon2id hashes run at once, and their 19 MiB blocks
/// go back to the system afterwards (they once left the process at 768 MB). A size budget,
/// not a timing.
async fn sign_up_burst(engine: Engine) {
    const SIGN_UPS: usize = 200;
    const PEAK_BUDGET_MIB: u64 = 256;
    const AFTER_BUDGET_MIB: u64 = 100;
    let (url, _scratch) = new_database(engine).await;
    let server = start(&url, &[("SAMVERKA_TRUST_PROXY", "1")]);
    let address = server.address.clone();
    let client = reqwest::Client::new();
    let reference: serde_json::Value = client
        .get(format!("{address}/api/reference-data"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let district = reference["districts"][0]["id"].clone();
    let sign_ups: Vec<_> = (0..SIGN_UPS)
        .map(|i| {
            let (client, address, district) = (client.clone(), address.clone(), district.clone());
            tokio::spawn(async move {
                client
                    .post(format!("{address}/api/sign-up"))
                    .header(
                        "x-forwarded-for",
                        format!("10.1.{}.{}", i / 250, i % 250 + 1),
                    )
                    .json(&serde_json::json!({"form": {
                        "name": format!("Burst {i}"), "contact": format!("burst{i}@example.org"),
                        "password": "korrekt häst batteri", "districts": [district],
                        "accept_privacy": true}}))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    for sign_up in sign_ups {
        assert_eq!(
            sign_up.await.unwrap().ok(),
            Some(200),
            "every sign-up answered"
        );
    }
    let (now, peak) = memory_mib(&server);
    assert!(
        peak <= PEAK_BUDGET_MIB,
        "peak {peak} MiB over the {PEAK_BUDGET_MIB} MiB budget"
    );
    assert!(
        now <= AFTER_BUDGET_MIB,
        "{now} MiB kept after the burst, over {AFTER_BUDGET_MIB} MiB"
    );
}

on_both_engines!(
    two_hundred_parallel_sign_ups_stay_within_a_memory_budget,
    sign_up_burst
);

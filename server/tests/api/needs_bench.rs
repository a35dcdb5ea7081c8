//! The open-needs page benchmark (`scripts/bench-needs.sh`; not part of the test run, and it
//! asserts no times): the release binary with the demo data and 10,000 needs in all, `wrk` with
//! 32 connections for 20 s on `/behov?antal=100` (the page showing 100 open needs), on SQLite
//! and PostgreSQL. Prints wrk's requests per second and latency percentiles.
use std::process::Command;

use crate::helpers::{new_database, Engine};
use crate::load::start;

/// Needs in the database, the demo's 303 included.
const NEEDS: usize = 10_000;
/// The demo's own needs: three named and 300 older.
const DEMO_NEEDS: usize = 303;

async fn bench(engine: Engine) {
    let (url, _scratch) = new_database(engine).await;
    let server = start(&url, &[]);
    let parsed = app::config::DatabaseUrl::parse(&url).expect("a database address");
    let pool = app::db::connect_and_migrate(&parsed).await.unwrap();
    app::db::demo::older_needs(&pool, 300..NEEDS - DEMO_NEEDS + 300)
        .await
        .unwrap();
    let (total, open): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) FROM needs",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(total as usize, NEEDS, "the database holds {NEEDS} needs");
    let page = format!("{}/behov?antal=100", server.address);
    let html = reqwest::get(&page).await.unwrap().text().await.unwrap();
    assert_eq!(
        html.matches(r#"data-testid="need""#).count(),
        100,
        "the page shows 100"
    );
    // The page, and to tell reading from rendering: the same 100 needs as data, and the
    // default page of 20.
    for (what, url) in [
        ("page of 100", page.clone()),
        (
            "data of 100",
            format!("{}/api/open-needs?per_page=100", server.address),
        ),
        ("page of 20", format!("{}/behov", server.address)),
    ] {
        let out = Command::new("wrk")
            .args(["-t2", "-c32", "-d20s", "--latency", &url])
            .output()
            .expect("wrk is installed (apt-get install wrk)");
        let report = String::from_utf8_lossy(&out.stdout);
        println!("needs page bench on {engine:?}: {total} needs, {open} open; {what}\n{report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench-needs.sh"]
async fn needs_page_bench_sqlite() {
    bench(Engine::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench-needs.sh"]
async fn needs_page_bench_postgres() {
    bench(Engine::Postgres).await
}

//! `samverka` — the server binary. See `samverka --help` and the README's configuration table.
use std::process::ExitCode;

use app::config::Config;
use app::db::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use leptos::config::get_configuration;
use server::startup::{shutdown_signal, Application};

const USAGE: &str = "\
Usage: samverka [--demo]

  --demo   seed the demo data (priority areas, districts, groups, accounts) at start

Configuration comes from the environment: SAMVERKA_ADDR, DATABASE_URL, SAMVERKA_ENV,
SAMVERKA_SECRET_KEY, SAMVERKA_DEMO, RUST_LOG (see the README).";

fn main() -> ExitCode {
    // Built with plain cargo (tests, `cargo run`) rather than cargo-leptos, the bundle's name is
    // not baked in; name it before any thread exists, so Leptos does not warn on every start.
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none()
        && option_env!("LEPTOS_OUTPUT_NAME").is_none()
    {
        std::env::set_var("LEPTOS_OUTPUT_NAME", "samverka");
    }
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(serve()),
        Err(err) => fail(&err),
    }
}

async fn serve() -> ExitCode {
    let mut demo = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--demo" => demo = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("samverka: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    server::telemetry::init();

    let config = match Config::from_env(demo) {
        Ok(config) => config,
        Err(err) => return fail(&err),
    };
    if config.uses_dev_secret() {
        tracing::warn!("SAMVERKA_SECRET_KEY is not set: using the development secret");
    }
    let leptos_options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(err) => return fail(&err),
    };
    let demo = config.demo;
    let app = match Application::build(config, leptos_options).await {
        Ok(app) => app,
        Err(err) => return fail(&err),
    };

    println!("Samverka is running at http://{}", app.local_addr());
    if demo {
        println!("Demo accounts (password {DEMO_PASSWORD}):");
        for login in DEMO_LOGINS {
            println!("  {:<10} {:<24} {}", login.role, login.email, login.name);
        }
    }
    match app.run_until(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// Prints one line saying what to fix, and fails.
fn fail(err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("samverka: {err}");
    ExitCode::FAILURE
}

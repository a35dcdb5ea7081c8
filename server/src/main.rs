//! `samverka` — the server binary. See `samverka --help` and the README's configuration table.
use std::process::ExitCode;

use app::config::Config;
use app::db::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use leptos::config::get_configuration;
use server::startup::{shutdown_signal, Application};

const USAGE: &str = "\
Usage: samverka [--demo]
       samverka create-admin --email ADDRESS --name NAME

  --demo         seed the demo data (priority areas, districts, groups, accounts) at start
  create-admin   create the first administrator (or make an existing account with that
                 e-mail one), then exit. The password is read from SAMVERKA_ADMIN_PASSWORD
                 or, if that is unset, as one line from standard input.

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
    keep_large_allocations_returnable();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(serve()),
        Err(err) => fail(&err),
    }
}

/// A password hash (argon2id) allocates a 19 MiB block. glibc's malloc raises its mmap
/// threshold once such a block is freed, after which later blocks come from the thread arenas
/// and stay there: 200 parallel sign-ups left the process at 768 MB, though at most
/// `auth::max_parallel_hashes` ran at once. A fixed threshold keeps every block of 1 MiB or more
/// mapped on its own and returned when freed: 26 MB after the same burst, peak 64 MB
/// (`scripts/bench-burst.sh`).
fn keep_large_allocations_returnable() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; called before any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

async fn serve() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("create-admin") {
        return create_admin(&args[1..]).await;
    }
    let mut demo = false;
    for arg in args {
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
    let mut leptos_options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(err) => return fail(&err),
    };
    // `cargo leptos build` with `hash-files` leaves the names it gave the files beside the
    // binary; the pages must then load those names (and the server may let browsers keep them).
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(&*leptos_options.hash_file)))
            .is_some_and(|file| file.is_file());
    }
    let demo = config.demo;
    let app = match Application::build(config, leptos_options).await {
        Ok(app) => app,
        Err(err) => return fail(&err),
    };

    // Before the line below: whoever reads it may stop us at once.
    let shutdown = shutdown_signal();
    println!("Samverka is running at http://{}", app.local_addr());
    if demo {
        println!("Demo accounts (password {DEMO_PASSWORD}):");
        for login in DEMO_LOGINS {
            println!("  {:<10} {:<24} {}", login.role, login.email, login.name);
        }
    }
    match app.run_until(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// `samverka create-admin --email … --name …`: the first administrator, who then creates staff
/// accounts on the admin page.
async fn create_admin(args: &[String]) -> ExitCode {
    use app::domain::forms::limits;
    use app::domain::Email;
    let mut email = None;
    let mut name = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--email" => email = rest.next().cloned(),
            "--name" => name = rest.next().cloned(),
            other => {
                eprintln!("samverka: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(email), Some(name)) = (email, name.filter(|n| !n.trim().is_empty())) else {
        eprintln!("samverka: create-admin needs --email and --name\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let email = match Email::parse(&email) {
        Ok(email) => email,
        Err(_) => return fail(&format!("{email:?} is not an e-mail address")),
    };
    let password = match std::env::var("SAMVERKA_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                return fail(&"could not read the password from standard input");
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < limits::PASSWORD_MIN {
        return fail(&format!(
            "the password must be at least {} characters",
            limits::PASSWORD_MIN
        ));
    }
    server::telemetry::init();
    let config = match Config::from_env(false) {
        Ok(config) => config,
        Err(err) => return fail(&err),
    };
    let pool = match app::db::connect_and_migrate(&config.database_url).await {
        Ok(pool) => pool,
        Err(err) => return fail(&err),
    };
    let hash = match app::auth::hash_password(password).await {
        Ok(hash) => hash,
        Err(err) => return fail(&err),
    };
    let result = app::db::users::ensure_admin(&pool, name.trim(), &email, &hash).await;
    pool.close().await;
    match result {
        Ok(true) => println!("Created the administrator {email}."),
        Ok(false) => println!("{email} is now an administrator, with the new password."),
        Err(err) => return fail(&err),
    }
    ExitCode::SUCCESS
}

/// Prints one line saying what to fix, and fails.
fn fail(err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("samverka: {err}");
    ExitCode::FAILURE
}

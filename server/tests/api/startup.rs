//! The real binary: what a person sees when the configuration is wrong.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn samverka() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samverka"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("SAMVERKA_ENV")
        .env_remove("SAMVERKA_SECRET_KEY");
    cmd.env("SAMVERKA_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "off");
    cmd
}

/// Runs the binary to its end and returns (success, stderr lines).
fn run_to_end(cmd: &mut Command) -> (bool, Vec<String>) {
    let out = cmd.stdout(Stdio::null()).output().expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_owned)
        .collect();
    (out.status.success(), stderr)
}

#[test]
fn malformed_database_url_exits_with_one_line_naming_it() {
    let (ok, stderr) =
        run_to_end(samverka().env("DATABASE_URL", "mysql://root:secret@localhost/x"));

    assert!(!ok);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("DATABASE_URL"), "{stderr:?}");
    assert!(
        !stderr[0].contains("secret"),
        "never prints credentials: {stderr:?}"
    );
}

#[test]
fn unwritable_data_folder_exits_with_one_line_saying_what_to_fix() {
    let (ok, stderr) =
        run_to_end(samverka().env("DATABASE_URL", "sqlite:///proc/samverka-nope/samverka.db"));

    assert!(!ok);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(
        stderr[0].contains("/proc/samverka-nope") && stderr[0].contains("writable"),
        "{stderr:?}"
    );
}

#[test]
fn production_without_a_secret_refuses_to_start() {
    let (ok, stderr) = run_to_end(samverka().env("SAMVERKA_ENV", "production"));

    assert!(!ok);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("SAMVERKA_SECRET_KEY"), "{stderr:?}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = std::env::temp_dir().join(format!("samverka-sigterm-{}", std::process::id()));
    let mut child = samverka()
        .env("DATABASE_URL", format!("sqlite://{}/s.db", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    // The URL line means the server is listening.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert!(
        line.starts_with("Samverka is running at http://127.0.0.1:"),
        "{line:?}"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = std::fs::remove_dir_all(dir);

    assert!(status.success(), "{status:?}");
}

#[test]
fn create_admin_makes_the_first_administrator() {
    let dir = std::env::temp_dir().join(format!("samverka-admin-{}", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}/samverka.db", dir.display());

    let (ok, stderr) = run_to_end(
        samverka()
            .env("DATABASE_URL", &url)
            .env("SAMVERKA_ADMIN_PASSWORD", "ett långt adminlösenord")
            .args([
                "create-admin",
                "--email",
                "Chef@Nacka.example",
                "--name",
                "Chefen",
            ]),
    );
    assert!(ok, "{stderr:?}");
    let short = run_to_end(
        samverka()
            .env("DATABASE_URL", &url)
            .env("SAMVERKA_ADMIN_PASSWORD", "kort")
            .args(["create-admin", "--email", "x@nacka.example", "--name", "X"]),
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    let role: (String,) = rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::query_as("SELECT role FROM users WHERE lower(email) = 'chef@nacka.example'")
            .fetch_one(&pool)
            .await
            .unwrap()
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(role.0, "admin");
    assert!(!short.0, "a short password is refused");
    assert!(
        short.1.iter().any(|l| l.contains("at least")),
        "{:?}",
        short.1
    );
}

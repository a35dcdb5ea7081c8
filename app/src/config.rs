//! Configuration from environment variables (documented in the README's table).
//!
//! Parsing is separate from reading the environment ([`Config::from_lookup`]) so that tests can
//! feed it a map instead of mutating the process environment.
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The secret used in development when none is set. Refused in production.
const DEV_SECRET: &str = "samverka-development-secret-do-not-use-in-production";
/// A secret shorter than this is refused in production: it could be guessed.
const MIN_SECRET_LEN: usize = 32;
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/samverka.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// Whether this instance serves real people (strict) or a developer (forgiving defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL that names an engine we support. Its `Debug` and `Display` hide credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        let backend = if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            let scheme: String = raw.chars().take_while(|c| *c != ':').take(20).collect();
            return Err(ConfigError::DatabaseUrl(format!(
                "it must start with sqlite: or postgres:// (it starts with {scheme:?})"
            )));
        };
        let url = Self {
            url: raw.to_owned(),
            backend,
        };
        if backend == Backend::Sqlite && url.sqlite_path().is_none() && !url.is_sqlite_memory() {
            return Err(ConfigError::DatabaseUrl(
                "it names no file; write it like sqlite://data/samverka.db".into(),
            ));
        }
        Ok(url)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL to connect with. For a SQLite file, asks for the file to be created if missing.
    pub fn connect_url(&self) -> String {
        if self.backend == Backend::Sqlite && !self.url.contains("mode=") {
            let sep = if self.url.contains('?') { '&' } else { '?' };
            format!("{}{sep}mode=rwc", self.url)
        } else {
            self.url.clone()
        }
    }

    fn is_sqlite_memory(&self) -> bool {
        self.url.contains(":memory:")
    }

    /// The SQLite database file, if this URL names one.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.backend != Backend::Sqlite || self.is_sqlite_memory() {
            return None;
        }
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty()).then(|| PathBuf::from(path))
    }
}

impl fmt::Display for DatabaseUrl {
    /// Shows the URL without user name and password, for logs and error lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.url.split_once("://") {
            Some((scheme, rest)) if rest.contains('@') => {
                let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
                write!(f, "{scheme}://***@{host}")
            }
            _ => f.write_str(&self.url),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// The key that signs session cookies (used from the accounts issue on). Never printed.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: DatabaseUrl,
    pub secret_key: SecretKey,
    pub mode: Mode,
    /// Seed the demo data at start (`--demo` or `SAMVERKA_DEMO=1`).
    pub demo: bool,
    /// Mark the session cookie `Secure` (sent over HTTPS only). On by default in production,
    /// which is served behind an HTTPS proxy; `SAMVERKA_SECURE_COOKIES=0|1` overrides.
    pub secure_cookies: bool,
    /// Take the client's address from the last `X-Forwarded-For` entry (set by our own proxy)
    /// instead of the TCP peer, for per-address sign-in limits. Only behind a proxy that sets
    /// it: otherwise anyone could claim any address.
    pub trust_proxy: bool,
}

/// A configuration mistake, worded as one line that says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL is not usable: {0}")]
    DatabaseUrl(String),
    #[error("SAMVERKA_ADDR is not usable: {0:?} is not an address like 127.0.0.1:3000")]
    Addr(String),
    #[error("SAMVERKA_ENV must be 'development' or 'production', not {0:?}")]
    Mode(String),
    #[error("{0} must be 0 or 1, not {1:?}")]
    Flag(&'static str, String),
    #[error(
        "SAMVERKA_SECRET_KEY must be set to a random value of at least {MIN_SECRET_LEN} \
         characters in production (e.g. `openssl rand -hex 32`)"
    )]
    WeakSecret,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(demo_flag: bool) -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok(), demo_flag)
    }

    /// Builds the configuration from any key → value lookup.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        demo_flag: bool,
    ) -> Result<Self, ConfigError> {
        let non_empty = |key: &str| get(key).filter(|v| !v.trim().is_empty());

        let mode = match non_empty("SAMVERKA_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") => Mode::Development,
            Some("production") | Some("prod") => Mode::Production,
            Some(other) => return Err(ConfigError::Mode(other.to_owned())),
        };

        let addr_raw = non_empty("SAMVERKA_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr = addr_raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::Addr(addr_raw.clone()))?;

        let database_url = DatabaseUrl::parse(
            &non_empty("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
        )?;

        let secret = non_empty("SAMVERKA_SECRET_KEY");
        let secret_key = match (mode, secret) {
            (Mode::Production, Some(s)) if s.len() >= MIN_SECRET_LEN && s != DEV_SECRET => {
                SecretKey(s)
            }
            (Mode::Production, _) => return Err(ConfigError::WeakSecret),
            (Mode::Development, Some(s)) => SecretKey(s),
            (Mode::Development, None) => SecretKey(DEV_SECRET.to_owned()),
        };

        let demo = demo_flag
            || matches!(
                non_empty("SAMVERKA_DEMO").as_deref(),
                Some("1" | "true" | "yes")
            );

        let flag = |key: &'static str, default: bool| match non_empty(key).as_deref().map(str::trim)
        {
            None => Ok(default),
            Some("1" | "true" | "yes") => Ok(true),
            Some("0" | "false" | "no") => Ok(false),
            Some(other) => Err(ConfigError::Flag(key, other.to_owned())),
        };
        let secure_cookies = flag("SAMVERKA_SECURE_COOKIES", mode == Mode::Production)?;
        let trust_proxy = flag("SAMVERKA_TRUST_PROXY", false)?;

        Ok(Self {
            addr,
            database_url,
            secret_key,
            mode,
            demo,
            secure_cookies,
            trust_proxy,
        })
    }

    /// Whether the secret is the built-in development one (worth a warning in the log).
    pub fn uses_dev_secret(&self) -> bool {
        self.secret_key.0 == DEV_SECRET
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned(), false)
    }

    #[test]
    fn defaults_to_sqlite_under_data_in_development() {
        let c = config(&[]).unwrap();
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.database_url.backend(), Backend::Sqlite);
        assert_eq!(
            c.database_url.sqlite_path(),
            Some(PathBuf::from("data/samverka.db"))
        );
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(c.uses_dev_secret());
        assert!(!c.demo);
    }

    #[test]
    fn production_refuses_a_missing_default_or_short_secret() {
        assert_eq!(
            config(&[("SAMVERKA_ENV", "production")]).unwrap_err(),
            ConfigError::WeakSecret
        );
        assert_eq!(
            config(&[
                ("SAMVERKA_ENV", "production"),
                ("SAMVERKA_SECRET_KEY", DEV_SECRET)
            ])
            .unwrap_err(),
            ConfigError::WeakSecret
        );
        assert_eq!(
            config(&[
                ("SAMVERKA_ENV", "production"),
                ("SAMVERKA_SECRET_KEY", "short")
            ])
            .unwrap_err(),
            ConfigError::WeakSecret
        );
        let long = "x".repeat(40);
        assert!(config(&[
            ("SAMVERKA_ENV", "production"),
            ("SAMVERKA_SECRET_KEY", &long)
        ])
        .is_ok());
    }

    #[test]
    fn malformed_database_url_is_refused_with_its_scheme() {
        let err = config(&[("DATABASE_URL", "mysql://root@localhost/x")]).unwrap_err();
        assert!(err.to_string().contains("\"mysql\""), "{err}");
        assert!(config(&[("DATABASE_URL", "not a url")]).is_err());
        assert!(config(&[("DATABASE_URL", "sqlite://")]).is_err());
    }

    #[test]
    fn postgres_url_hides_its_password_when_shown() {
        let url = DatabaseUrl::parse("postgres://sam:hemligt@db.example:5432/samverka").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        let shown = format!("{url} {url:?}");
        assert!(!shown.contains("hemligt"), "{shown}");
        assert!(shown.contains("db.example:5432/samverka"));
    }

    #[test]
    fn sqlite_url_asks_for_the_file_to_be_created() {
        let url = DatabaseUrl::parse("sqlite://data/x.db").unwrap();
        assert_eq!(url.connect_url(), "sqlite://data/x.db?mode=rwc");
        let url = DatabaseUrl::parse("sqlite:/tmp/x.db?mode=ro").unwrap();
        assert_eq!(url.connect_url(), "sqlite:/tmp/x.db?mode=ro");
        assert_eq!(url.sqlite_path(), Some(PathBuf::from("/tmp/x.db")));
    }

    #[test]
    fn unknown_mode_and_bad_address_are_named() {
        assert!(matches!(
            config(&[("SAMVERKA_ENV", "staging")]),
            Err(ConfigError::Mode(_))
        ));
        assert!(matches!(
            config(&[("SAMVERKA_ADDR", "localhost")]),
            Err(ConfigError::Addr(_))
        ));
    }

    #[test]
    fn cookies_are_secure_in_production_unless_told_otherwise() {
        let long = "x".repeat(40);
        let prod = [
            ("SAMVERKA_ENV", "production"),
            ("SAMVERKA_SECRET_KEY", long.as_str()),
        ];
        assert!(config(&prod).unwrap().secure_cookies);
        assert!(!config(&[]).unwrap().secure_cookies);
        let mut off = prod.to_vec();
        off.push(("SAMVERKA_SECURE_COOKIES", "0"));
        assert!(!config(&off).unwrap().secure_cookies);
        assert!(matches!(
            config(&[("SAMVERKA_TRUST_PROXY", "maybe")]),
            Err(ConfigError::Flag("SAMVERKA_TRUST_PROXY", _))
        ));
    }

    #[test]
    fn demo_can_be_asked_for_by_flag_or_environment() {
        assert!(config(&[("SAMVERKA_DEMO", "1")]).unwrap().demo);
        let map: HashMap<String, String> = HashMap::new();
        assert!(
            Config::from_lookup(|k| map.get(k).cloned(), true)
                .unwrap()
                .demo
        );
    }
}

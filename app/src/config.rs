//! Configuration from environment variables (documented in the README's table).
//!
//! Parsing is separate from reading the environment ([`Config::from_lookup`]) so that tests can
//! feed it a map instead of mutating the process environment.
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

pub use crate::domain::site::{Deployment, Retention, SessionPolicy};

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

/// The address people reach the site at (scheme, host and port, no path), e.g.
/// `https://samverka.nacka.se`. The cross-site check compares a request's `Origin` with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim().trim_end_matches('/');
        let bad = || ConfigError::PublicUrl(raw.chars().take(80).collect());
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(bad)?;
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return Err(bad());
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    /// As a browser writes it in `Origin`: `https://host[:port]`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
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
    /// The public address (`SAMVERKA_PUBLIC_URL`); required in production. Without it (only
    /// in development) the cross-site check compares the `Origin` with the `Host` header.
    pub public_origin: Option<PublicOrigin>,
    /// Sign-ups from one client address in an hour before it waits
    /// (`SAMVERKA_SIGN_UPS_PER_HOUR`, default 20): raise it for a sign-up event behind one NAT.
    pub sign_ups_per_hour: u32,
    /// The largest micro-grant one request may ask for, in öre (`SAMVERKA_MAX_GRANT_SEK`,
    /// in kronor; default 5,000 SEK).
    pub max_grant_ore: i64,
    pub sessions: SessionPolicy,
    pub retention: Retention,
    pub deployment: Deployment,
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
    #[error(
        "SAMVERKA_PUBLIC_URL must be the address people use, like https://samverka.kommun.se \
         (no path); got {0:?}"
    )]
    PublicUrl(String),
    #[error("SAMVERKA_PUBLIC_URL must be set in production (e.g. https://samverka.kommun.se)")]
    PublicUrlMissing,
    #[error(
        "--demo / SAMVERKA_DEMO is refused in production: it creates accounts with published \
         passwords"
    )]
    DemoInProduction,
    #[error("{0} must be a whole number of days from 1 to 3650, not {1:?}")]
    Days(&'static str, String),
    #[error("SAMVERKA_SIGN_UPS_PER_HOUR must be a whole number from 1 to 100000, not {0:?}")]
    SignUpsPerHour(String),
    #[error(
        "SAMVERKA_MAX_GRANT_SEK must be a whole number of kronor from 1 to 10000000, not {0:?}"
    )]
    MaxGrant(String),
    #[error("{0} must not be empty in production")]
    Required(&'static str),
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
        if demo && mode == Mode::Production {
            return Err(ConfigError::DemoInProduction);
        }

        let public_origin = match (non_empty("SAMVERKA_PUBLIC_URL"), mode) {
            (Some(raw), _) => Some(PublicOrigin::parse(&raw)?),
            (None, Mode::Production) => return Err(ConfigError::PublicUrlMissing),
            (None, Mode::Development) => None,
        };

        let days = |key: &'static str, default: u32| match non_empty(key) {
            None => Ok(default),
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(n) if (1..=3650).contains(&n) => Ok(n),
                _ => Err(ConfigError::Days(key, raw)),
            },
        };
        let sign_ups_per_hour = match non_empty("SAMVERKA_SIGN_UPS_PER_HOUR") {
            None => crate::domain::throttle::SIGN_UP.free,
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(n) if (1..=100_000).contains(&n) => n,
                _ => return Err(ConfigError::SignUpsPerHour(raw)),
            },
        };
        let max_grant_ore = match non_empty("SAMVERKA_MAX_GRANT_SEK") {
            None => crate::domain::need::DEFAULT_MAX_GRANT_ORE,
            Some(raw) => match raw.trim().parse::<i64>() {
                Ok(n) if (1..=10_000_000).contains(&n) => n * 100,
                _ => return Err(ConfigError::MaxGrant(raw)),
            },
        };
        let session_defaults = SessionPolicy::default();
        let sessions = SessionPolicy {
            idle_days: days("SAMVERKA_SESSION_IDLE_DAYS", session_defaults.idle_days)?,
            max_days: days("SAMVERKA_SESSION_MAX_DAYS", session_defaults.max_days)?,
        };
        let kept = Retention::default();
        let retention = Retention {
            sync_changes_days: days("SAMVERKA_KEEP_SYNC_CHANGES_DAYS", kept.sync_changes_days)?,
            removals_days: days("SAMVERKA_KEEP_REMOVALS_DAYS", kept.removals_days)?,
            sync_rejections_days: days(
                "SAMVERKA_KEEP_SYNC_REJECTIONS_DAYS",
                kept.sync_rejections_days,
            )?,
            login_throttle_days: days(
                "SAMVERKA_KEEP_SIGN_IN_FAILURES_DAYS",
                kept.login_throttle_days,
            )?,
        };

        let fallback = Deployment::default();
        let text = |key: &'static str, default: &str| match non_empty(key) {
            Some(v) => Ok(v.trim().to_owned()),
            None if mode == Mode::Production => Err(ConfigError::Required(key)),
            None => Ok(default.to_owned()),
        };
        let deployment = Deployment {
            organisation: text("SAMVERKA_ORGANISATION", &fallback.organisation)?,
            contact_email: text("SAMVERKA_CONTACT_EMAIL", &fallback.contact_email)?,
            contact_phone: non_empty("SAMVERKA_CONTACT_PHONE").map(|v| v.trim().to_owned()),
            answer_days: days("SAMVERKA_CONTACT_ANSWER_DAYS", fallback.answer_days)?,
        };

        Ok(Self {
            addr,
            database_url,
            secret_key,
            mode,
            demo,
            secure_cookies,
            trust_proxy,
            public_origin,
            sign_ups_per_hour,
            max_grant_ore,
            sessions,
            retention,
            deployment,
        })
    }

    /// What the public pages say about this deployment.
    pub fn site_facts(&self) -> crate::domain::site::SiteFacts {
        crate::domain::site::SiteFacts {
            deployment: self.deployment.clone(),
            retention: self.retention,
            sessions: self.sessions,
        }
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

    /// The least a production configuration needs.
    fn production(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = vec![
            ("SAMVERKA_ENV", "production".into()),
            ("SAMVERKA_SECRET_KEY", "x".repeat(40)),
            ("SAMVERKA_PUBLIC_URL", "https://samverka.kommun.se".into()),
            ("SAMVERKA_ORGANISATION", "Exempels kommun".into()),
            ("SAMVERKA_CONTACT_EMAIL", "samverka@kommun.se".into()),
        ];
        pairs.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        pairs
    }

    fn config_owned(pairs: &[(&'static str, String)]) -> Result<Config, ConfigError> {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        config(&borrowed)
    }

    #[test]
    fn production_needs_a_public_url_and_a_contact() {
        assert!(config_owned(&production(&[])).is_ok());
        let without = |key: &str| {
            let pairs: Vec<_> = production(&[])
                .into_iter()
                .filter(|(k, _)| *k != key)
                .collect();
            config_owned(&pairs).unwrap_err()
        };
        assert_eq!(
            without("SAMVERKA_PUBLIC_URL"),
            ConfigError::PublicUrlMissing
        );
        assert_eq!(
            without("SAMVERKA_CONTACT_EMAIL"),
            ConfigError::Required("SAMVERKA_CONTACT_EMAIL")
        );
        assert!(matches!(
            config_owned(&production(&[(
                "SAMVERKA_PUBLIC_URL",
                "samverka.kommun.se"
            )])),
            Err(ConfigError::PublicUrl(_))
        ));
        assert!(matches!(
            config(&[("SAMVERKA_PUBLIC_URL", "https://x.se/path")]),
            Err(ConfigError::PublicUrl(_))
        ));
        let c = config(&[("SAMVERKA_PUBLIC_URL", "https://Samverka.Kommun.se:8443/")]).unwrap();
        assert_eq!(
            c.public_origin.unwrap().as_str(),
            "https://samverka.kommun.se:8443"
        );
    }

    #[test]
    fn sign_ups_per_address_default_to_the_policy_and_can_be_raised() {
        assert_eq!(config(&[]).unwrap().sign_ups_per_hour, 20);
        let event = config(&[("SAMVERKA_SIGN_UPS_PER_HOUR", "300")]).unwrap();
        assert_eq!(event.sign_ups_per_hour, 300);
        for bad in ["0", "-1", "many", "100001"] {
            assert!(matches!(
                config(&[("SAMVERKA_SIGN_UPS_PER_HOUR", bad)]),
                Err(ConfigError::SignUpsPerHour(_))
            ));
        }
    }

    #[test]
    fn the_grant_maximum_defaults_to_five_thousand_kronor_and_can_be_set() {
        assert_eq!(config(&[]).unwrap().max_grant_ore, 500_000);
        let set = config(&[("SAMVERKA_MAX_GRANT_SEK", "2500")]).unwrap();
        assert_eq!(set.max_grant_ore, 250_000);
        for bad in ["0", "-1", "5000,50", "lots"] {
            assert!(matches!(
                config(&[("SAMVERKA_MAX_GRANT_SEK", bad)]),
                Err(ConfigError::MaxGrant(_))
            ));
        }
    }

    #[test]
    fn demo_data_is_refused_in_production() {
        assert_eq!(
            config_owned(&production(&[("SAMVERKA_DEMO", "1")])).unwrap_err(),
            ConfigError::DemoInProduction
        );
        let pairs = production(&[]);
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        assert_eq!(
            Config::from_lookup(|k| map.get(k).cloned(), true).unwrap_err(),
            ConfigError::DemoInProduction
        );
    }

    #[test]
    fn periods_have_defaults_and_refuse_nonsense() {
        let c = config(&[]).unwrap();
        assert_eq!(c.sessions, SessionPolicy::default());
        assert_eq!(c.retention, Retention::default());
        let c = config(&[
            ("SAMVERKA_SESSION_IDLE_DAYS", "7"),
            ("SAMVERKA_KEEP_SYNC_CHANGES_DAYS", "365"),
        ])
        .unwrap();
        assert_eq!(c.sessions.idle_days, 7);
        assert_eq!(c.retention.sync_changes_days, 365);
        for bad in ["0", "-1", "a week", "99999"] {
            assert!(matches!(
                config(&[("SAMVERKA_SESSION_MAX_DAYS", bad)]),
                Err(ConfigError::Days("SAMVERKA_SESSION_MAX_DAYS", _))
            ));
        }
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
        assert!(config_owned(&production(&[])).is_ok());
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
        assert!(config_owned(&production(&[])).unwrap().secure_cookies);
        assert!(!config(&[]).unwrap().secure_cookies);
        let off = production(&[("SAMVERKA_SECURE_COOKIES", "0")]);
        assert!(!config_owned(&off).unwrap().secure_cookies);
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

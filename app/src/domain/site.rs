//! What a deployment says about itself: who runs it, how to reach them, and how long it keeps
//! what. Set by configuration (`config`, server side) and shown on the accessibility statement
//! and the privacy page, so what those pages promise is what the server does.
use serde::{Deserialize, Serialize};

/// How long things are kept (gallring), in days. A daily job removes what is older; the privacy
/// page states these figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Each applied sync change and its answer (what makes a resend harmless). Also the longest
    /// a phone may stay offline and still get its answers; after that a resend is refused as a
    /// reused sequence number, never applied twice (see `docs/SYNC.md`).
    pub sync_changes_days: u32,
    /// Removed offers' tombstones (a device offline longer gets a reset of its copy).
    pub removals_days: u32,
    /// Refused pushes, kept for support and abuse review.
    pub sync_rejections_days: u32,
    /// Failed sign-in counts (an e-mail or phone number and a time).
    pub login_throttle_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            sync_changes_days: 90,
            removals_days: 90,
            sync_rejections_days: 30,
            login_throttle_days: 2,
        }
    }
}

/// How long a sign-in lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// Signed out after this many days without any request: a phone used weekly stays in.
    pub idle_days: u32,
    /// Signed out this many days after signing in, however active: a stolen cookie dies.
    pub max_days: u32,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_days: 30,
            max_days: 90,
        }
    }
}

/// Who runs this deployment and how to reach them (the accessibility statement and the privacy
/// notice name them). Never hard-coded for one municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The organisation responsible, e.g. "Nacka kommun".
    pub organisation: String,
    /// Where to report accessibility problems and ask about personal data.
    pub contact_email: String,
    /// Optional telephone number for the same.
    pub contact_phone: Option<String>,
    /// How many working days an answer takes at most.
    pub answer_days: u32,
}

impl Default for Deployment {
    fn default() -> Self {
        Self {
            organisation: "Samverka (utvecklingsmiljö)".to_owned(),
            contact_email: "samverka@example.org".to_owned(),
            contact_phone: None,
            answer_days: 5,
        }
    }
}

/// Everything the public pages state about this deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFacts {
    pub deployment: Deployment,
    pub retention: Retention,
    pub sessions: SessionPolicy,
}

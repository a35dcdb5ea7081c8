//! People and groups: roles, kinds of group, how a person is reached, and the shapes of the
//! records that cross the wire (the current person, their groups, a group page, "my data").
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Email, LocalizedText, Phone};

/// A person's role in the municipality's eyes. Group roles are separate ([`MemberRole`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Volunteer,
    Staff,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "volunteer" => Some(Role::Volunteer),
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Municipal staff and administrators: they handle groups, cases and matches.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }
}

/// A person's role in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Speaks for the group: registers it, invites members, asks for support.
    Contact,
    Member,
}

impl MemberRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Contact => "contact",
            MemberRole::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "contact" => Some(MemberRole::Contact),
            "member" => Some(MemberRole::Member),
            _ => None,
        }
    }
}

/// What kind of actor a group is. Only the informal group has no organisationsnummer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Informell grupp: no legal entity (the night-walking parents).
    Informal,
    /// Förening.
    Association,
    /// Stiftelse.
    Foundation,
    /// Trossamfund.
    FaithCommunity,
    /// Another legal person with an organisationsnummer.
    OtherFormal,
}

impl ActorKind {
    pub const ALL: [ActorKind; 5] = [
        ActorKind::Informal,
        ActorKind::Association,
        ActorKind::Foundation,
        ActorKind::FaithCommunity,
        ActorKind::OtherFormal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Informal => "informal",
            ActorKind::Association => "association",
            ActorKind::Foundation => "foundation",
            ActorKind::FaithCommunity => "faith_community",
            ActorKind::OtherFormal => "other_formal",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// A formal actor is a legal person and must give its organisationsnummer.
    pub fn is_formal(self) -> bool {
        self != ActorKind::Informal
    }
}

/// How a person is reached and signs in: an e-mail address or a phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    Email(Email),
    Phone(Phone),
}

impl Contact {
    /// Anything with an `@` is read as an e-mail address, the rest as a phone number. Errors are
    /// message keys (`email_…` / `phone_…`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() {
            return Err("required".to_owned());
        }
        if raw.contains('@') {
            Email::parse(raw)
                .map(Contact::Email)
                .map_err(|e| format!("email_{}", e.message_key()))
        } else {
            Phone::parse(raw)
                .map(Contact::Phone)
                .map_err(|e| format!("phone_{}", e.message_key()))
        }
    }

    /// The key login attempts are counted under: the normalised form, so `070-123 45 67` and
    /// `+46701234567` are one account, and e-mail case does not matter.
    pub fn throttle_key(&self) -> String {
        match self {
            Contact::Email(e) => format!("acct:{}", e.as_str().to_lowercase()),
            Contact::Phone(p) => format!("acct:{}", p.as_e164()),
        }
    }
}

/// The signed-in person, as every page needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

/// One of my groups, for my start page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyGroup {
    pub id: Uuid,
    pub name: String,
    pub kind: ActorKind,
    pub role: MemberRole,
    pub verified: bool,
    /// The group's contacts (who may receive a micro-grant).
    #[serde(default)]
    pub contacts: Vec<GroupMember>,
}

/// A person in a group, as the group's members and staff see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user_id: Uuid,
    pub name: String,
    pub role: MemberRole,
}

/// How staff confirmed that a group is who it says (a badge on its page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub at: String,
    /// Who verified it and how: internal, so only the group's members and staff get it.
    pub detail: Option<VerificationDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationDetail {
    pub by: String,
    pub note: String,
}

/// One step in a group's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEvent {
    pub at: String,
    /// Who did it (a pseudonym once they closed their account); `None` for the system.
    pub by: Option<String>,
    pub kind: GroupEventKind,
    pub note: String,
}

/// What happened in a group's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupEventKind {
    Registered,
    Converted,
    Verified,
    /// The verification no longer holds (the group changed its legal form or number).
    VerificationCleared,
    Joined,
    Left,
}

impl GroupEventKind {
    pub const ALL: [GroupEventKind; 6] = [
        GroupEventKind::Registered,
        GroupEventKind::Converted,
        GroupEventKind::Verified,
        GroupEventKind::VerificationCleared,
        GroupEventKind::Joined,
        GroupEventKind::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupEventKind::Registered => "registered",
            GroupEventKind::Converted => "converted",
            GroupEventKind::Verified => "verified",
            GroupEventKind::VerificationCleared => "verification_cleared",
            GroupEventKind::Joined => "joined",
            GroupEventKind::Left => "left",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A group's page. `members` and `history` are `None` when the viewer may not see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: Uuid,
    pub name: String,
    pub kind: ActorKind,
    /// `NNNNNN-NNNN`; formal actors only (a legal person's number is public).
    pub org_number: Option<String>,
    pub description: String,
    pub districts: Vec<String>,
    pub priority_areas: Vec<LocalizedText>,
    pub verified: Option<Verification>,
    pub contact_count: usize,
    /// The viewer's own role in the group, if any.
    pub my_role: Option<MemberRole>,
    pub members: Option<Vec<GroupMember>>,
    pub history: Option<Vec<GroupEvent>>,
    /// The group's needs the viewer may see (`permissions::need_audience`), newest and most
    /// urgent first.
    pub needs: super::need::NeedList,
}

/// A group in the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub id: Uuid,
    pub name: String,
    pub kind: ActorKind,
    pub verified: bool,
    pub contact_count: usize,
    pub created_at: String,
}

/// An invitation just made: the code to pass on (the link is `/inbjudan/{code}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub code: String,
    pub role: MemberRole,
    pub expires_at: String,
}

/// A staff account as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub created_at: String,
}

/// A staff account just created, with the one-time password to hand over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaffAccount {
    pub account: StaffAccount,
    pub temporary_password: String,
}

/// My profile as I can edit it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub districts: Vec<Uuid>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
}

/// A signed-in device, as shown on "my data" (never the session token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub created_at: String,
    pub last_used_at: String,
    pub current: bool,
}

/// An offer of mine as stored (removed ones are kept as an empty marker for a while so that my
/// other devices learn of the removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOffer {
    pub id: Uuid,
    /// `None` once removed.
    pub offer: Option<crate::domain::offer::OfferData>,
    pub created_at: String,
    pub updated_at: String,
}

/// A shift I signed up to. The group keeps it (who came, whose hours) under my pseudonym when
/// I close my account; a place still to come is given back then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignUp {
    pub id: Uuid,
    pub sign_up: crate::domain::activity::SignUpData,
    pub created_at: String,
    pub updated_at: String,
}

/// A step I took on a micro-support case (as a handler, or for my group). The trail keeps it
/// under my pseudonym when I close my account: it is a public record of the municipality's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCaseStep {
    pub case_number: String,
    pub from: crate::domain::case::CaseState,
    pub to: crate::domain::case::CaseState,
    pub step: crate::domain::case::CaseStep,
}

/// A need I posted for a group, or of which I am the payee. It belongs to the group: closing my
/// account leaves it with the group, under my pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredNeed {
    pub id: Uuid,
    pub group: Uuid,
    /// `None` once removed.
    pub need: Option<crate::domain::need::NeedData>,
    pub posted_by_me: bool,
    pub payee_is_me: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A phone or browser of mine that has sent changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: Uuid,
    /// The number of the last change it sent.
    pub last_change: i64,
    pub last_seen_at: String,
}

/// One change a device of mine sent, as recorded so that a resend is never applied twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: Uuid,
    pub device: Uuid,
    pub record: Uuid,
    /// What the server answered (applied, or refused and why).
    pub outcome: String,
    pub applied_at: String,
}

/// A push of mine refused as a whole (kept for support).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedPush {
    pub reason: String,
    pub at: String,
}

/// Failed sign-ins counted under my e-mail address or phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFailures {
    pub identifier: String,
    pub failures: i64,
    /// Unix seconds of the last one.
    pub last_at: i64,
}

/// Everything Samverka stores about me: shown on "my data" and exported as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyData {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub districts: Vec<String>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
    pub created_at: String,
    pub privacy_accepted_at: Option<String>,
    pub groups: Vec<MyGroup>,
    pub sessions: Vec<SessionInfo>,
    /// What I did in groups' histories (kept under a pseudonym if I close my account).
    pub group_events: Vec<GroupEvent>,
    pub offers: Vec<StoredOffer>,
    #[serde(default)]
    pub needs: Vec<StoredNeed>,
    /// The shifts I signed up to, with my hours.
    #[serde(default)]
    pub sign_ups: Vec<StoredSignUp>,
    /// When I made the private address of my shifts' calendar feed, if I have one (the address
    /// itself is on my profile).
    #[serde(default)]
    pub calendar_feed_made: Option<String>,
    /// The steps I took on micro-support cases, and when I last changed the decision rules.
    #[serde(default)]
    pub case_steps: Vec<MyCaseStep>,
    #[serde(default)]
    pub case_rules_changed: Option<String>,
    pub devices: Vec<DeviceInfo>,
    pub changes: Vec<ChangeRecord>,
    pub refused_pushes: Vec<RefusedPush>,
    pub sign_in_failures: Vec<SignInFailures>,
}

impl MyData {
    /// Every table that holds something about a person: "my data" reads each of them and closing
    /// an account clears or anonymises each of them (a test checks the list against the schema).
    pub const TABLES: [&'static str; 18] = [
        "users",
        "actors",
        "user_districts",
        "actor_members",
        "actor_events",
        "sessions",
        "offers",
        "needs",
        "sign_ups",
        "sync_devices",
        "sync_changes",
        "sync_rejections",
        "login_throttle",
        "actor_invites",
        "calendar_feeds",
        "cases",
        "case_trail",
        "case_rules",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_reads_an_at_sign_as_email_and_the_rest_as_phone() {
        assert!(matches!(
            Contact::parse("Anna@Example.org"),
            Ok(Contact::Email(_))
        ));
        assert!(matches!(
            Contact::parse("070-123 45 67"),
            Ok(Contact::Phone(_))
        ));
        assert_eq!(Contact::parse("  ").unwrap_err(), "required");
        assert_eq!(Contact::parse("anna@").unwrap_err(), "email_invalid_domain");
        assert_eq!(Contact::parse("12345").unwrap_err(), "phone_missing_prefix");
    }

    #[test]
    fn throttle_key_is_the_same_for_every_spelling_of_one_account() {
        let a = Contact::parse("070-123 45 67").unwrap();
        let b = Contact::parse("+46 70 123 45 67").unwrap();
        assert_eq!(a.throttle_key(), b.throttle_key());
        let c = Contact::parse("Anna@EXAMPLE.org").unwrap();
        let d = Contact::parse("anna@example.org").unwrap();
        assert_eq!(c.throttle_key(), d.throttle_key());
    }

    #[test]
    fn group_event_kinds_round_trip_through_their_stored_names() {
        for kind in GroupEventKind::ALL {
            assert_eq!(GroupEventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(GroupEventKind::parse("renamed"), None);
    }

    #[test]
    fn kinds_and_roles_round_trip_through_their_stored_names() {
        for kind in ActorKind::ALL {
            assert_eq!(ActorKind::parse(kind.as_str()), Some(kind));
        }
        for role in [Role::Volunteer, Role::Staff, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for role in [MemberRole::Contact, MemberRole::Member] {
            assert_eq!(MemberRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(ActorKind::parse("company"), None);
        assert!(!ActorKind::Informal.is_formal());
        assert!(ActorKind::Association.is_formal());
    }
}

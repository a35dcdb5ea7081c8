//! What a person types into the account and group forms, and the one validation of it that
//! both the browser (before sending) and the server (before storing) run.
//!
//! Each `…Input` is the raw form as it crosses the wire; `validate` returns the parsed values or
//! every problem at once as [`FieldErrors`]: field name → message keys, which the view
//! translates (`errors.<key>` in `locales/`).
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::account::{ActorKind, Contact, MemberRole, Role};
use super::text::{self, Lines};
use super::{Email, OrgNumber, Phone};

/// Field name → message keys. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, key: impl Into<String>) {
        self.0.entry(field.to_owned()).or_default().push(key.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value())` when nothing was added, otherwise the errors.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }

    pub fn single(field: &str, key: &str) -> Self {
        let mut errors = Self::default();
        errors.add(field, key);
        errors
    }
}

impl From<FieldErrors> for crate::error::AppError {
    fn from(value: FieldErrors) -> Self {
        crate::error::AppError::Validation(value.0)
    }
}

/// Limits on free text, in characters. Generous for people, small enough that no field can be
/// used to store a novel (or fill the database).
pub mod limits {
    pub const NAME: usize = 80;
    pub const GROUP_NAME: usize = 120;
    pub const DESCRIPTION: usize = 2000;
    pub const NOTE: usize = 500;
    pub const TAG: usize = 40;
    pub const TAGS: usize = 20;
    pub const CHOICES: usize = 50;
    /// NIST SP 800-63B: at least 8; we ask for a little more and accept long passphrases.
    pub const PASSWORD_MIN: usize = 10;
    pub const PASSWORD_MAX: usize = 256;
}

/// A required single-line or multi-line text: trimmed, not empty, at most `max` characters,
/// nothing [`text::problem`] refuses.
pub(crate) fn required_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
    lines: Lines,
) -> String {
    let text = raw.trim();
    if text.is_empty() {
        errors.add(field, "required");
    } else {
        optional_text(errors, field, text, max, lines);
    }
    text.to_owned()
}

/// A text that may be empty: at most `max` characters, nothing [`text::problem`] refuses.
/// Counts at most `max + 1` characters, so a huge input costs no more than a long one.
pub(crate) fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    max: usize,
    lines: Lines,
) {
    if raw.chars().nth(max).is_some() {
        errors.add(field, "too_long");
    } else if let Some(key) = text::problem(raw, lines) {
        errors.add(field, key);
    }
}

/// A comma-separated list of short texts (languages, skills): trimmed, empty items dropped,
/// duplicates removed (case-insensitively), order kept. Stops at the first problem or once the
/// list is over its limit, so the work is linear in the input and bounded by the limit.
pub fn parse_tags(errors: &mut FieldErrors, field: &str, raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for item in raw.split([',', ';', '\n']) {
        let item = item.trim();
        if item.is_empty() || tags.iter().any(|t| t.eq_ignore_ascii_case(item)) {
            continue;
        }
        if item.chars().nth(limits::TAG).is_some() {
            errors.add(field, "tag_too_long");
            return tags;
        }
        if let Some(key) = text::problem(item, Lines::One) {
            errors.add(field, key);
            return tags;
        }
        if tags.len() == limits::TAGS {
            errors.add(field, "too_many");
            return tags;
        }
        tags.push(item.to_owned());
    }
    tags
}

/// Chosen districts or priority areas: unique ids, at most [`limits::CHOICES`].
pub(crate) fn choices(
    errors: &mut FieldErrors,
    field: &str,
    ids: &[Uuid],
    required: bool,
) -> Vec<Uuid> {
    let mut unique: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if required && unique.is_empty() {
        errors.add(field, "choose_one");
    } else if unique.len() > limits::CHOICES {
        errors.add(field, "too_many");
    }
    unique
}

fn password(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let len = raw.chars().count();
    if raw.is_empty() {
        errors.add(field, "required");
    } else if len < limits::PASSWORD_MIN {
        errors.add(field, "password_too_short");
    } else if len > limits::PASSWORD_MAX {
        errors.add(field, "too_long");
    }
    raw.to_owned()
}

fn org_number(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<OrgNumber> {
    OrgNumber::parse(raw)
        .map_err(|e| errors.add(field, format!("org_number_{}", e.message_key())))
        .ok()
}

fn kind(errors: &mut FieldErrors, field: &str, raw: &str) -> ActorKind {
    ActorKind::parse(raw).unwrap_or_else(|| {
        errors.add(field, "choose_one");
        ActorKind::Informal
    })
}

/// Volunteer sign-up: five required fields, two optional ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpInput {
    /// A name or a nickname.
    pub name: String,
    /// An e-mail address or a phone number.
    pub contact: String,
    pub password: String,
    pub districts: Vec<Uuid>,
    pub accept_privacy: bool,
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub skills: String,
}

#[derive(Debug, Clone)]
pub struct SignUp {
    pub name: String,
    pub contact: Contact,
    pub password: String,
    pub districts: Vec<Uuid>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
}

impl SignUpInput {
    pub fn validate(&self) -> Result<SignUp, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, "name", &self.name, limits::NAME, Lines::One);
        let contact = Contact::parse(&self.contact)
            .map_err(|key| errors.add("contact", key))
            .ok();
        let password = password(&mut errors, "password", &self.password);
        let districts = choices(&mut errors, "districts", &self.districts, true);
        if !self.accept_privacy {
            errors.add("accept_privacy", "privacy_required");
        }
        let languages = parse_tags(&mut errors, "languages", &self.languages);
        let skills = parse_tags(&mut errors, "skills", &self.skills);
        errors.finish(|| SignUp {
            name,
            contact: contact.expect("no errors means the contact parsed"),
            password,
            districts,
            languages,
            skills,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogInInput {
    pub contact: String,
    pub password: String,
}

impl LogInInput {
    pub fn validate(&self) -> Result<(Contact, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let contact = Contact::parse(&self.contact)
            .map_err(|key| errors.add("contact", key))
            .ok();
        if self.password.is_empty() {
            errors.add("password", "required");
        } else if self.password.chars().count() > limits::PASSWORD_MAX {
            errors.add("password", "too_long");
        }
        errors.finish(|| {
            (
                contact.expect("no errors means the contact parsed"),
                self.password.clone(),
            )
        })
    }
}

/// My profile: name, how I am reached (at least one way), where and how I can help.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub districts: Vec<Uuid>,
    pub languages: String,
    pub skills: String,
}

#[derive(Debug, Clone)]
pub struct ProfileUpdate {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub districts: Vec<Uuid>,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
}

impl ProfileInput {
    pub fn validate(&self) -> Result<ProfileUpdate, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, "name", &self.name, limits::NAME, Lines::One);
        let email = (!self.email.trim().is_empty())
            .then(|| Email::parse(&self.email))
            .transpose()
            .map_err(|e| errors.add("email", format!("email_{}", e.message_key())))
            .ok()
            .flatten();
        let phone = (!self.phone.trim().is_empty())
            .then(|| Phone::parse(&self.phone))
            .transpose()
            .map_err(|e| errors.add("phone", format!("phone_{}", e.message_key())))
            .ok()
            .flatten();
        if self.email.trim().is_empty() && self.phone.trim().is_empty() {
            errors.add("email", "email_or_phone_required");
        }
        let districts = choices(&mut errors, "districts", &self.districts, true);
        let languages = parse_tags(&mut errors, "languages", &self.languages);
        let skills = parse_tags(&mut errors, "skills", &self.skills);
        errors.finish(|| ProfileUpdate {
            name,
            email,
            phone,
            districts,
            languages,
            skills,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordInput {
    pub current: String,
    pub new: String,
}

impl ChangePasswordInput {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.current.is_empty() {
            errors.add("current", "required");
        }
        password(&mut errors, "new", &self.new);
        errors.finish(|| ())
    }
}

/// Registering a group: informal (no number) or formal (organisationsnummer required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    /// [`ActorKind`]'s stored name.
    pub kind: String,
    pub name: String,
    /// What the group does.
    pub description: String,
    /// Ignored for an informal group (the form hides it).
    pub org_number: String,
    pub districts: Vec<Uuid>,
    pub priority_areas: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub kind: ActorKind,
    pub name: String,
    pub description: String,
    pub org_number: Option<OrgNumber>,
    pub districts: Vec<Uuid>,
    pub priority_areas: Vec<Uuid>,
}

impl GroupInput {
    pub fn validate(&self) -> Result<NewGroup, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = kind(&mut errors, "kind", &self.kind);
        let name = required_text(
            &mut errors,
            "name",
            &self.name,
            limits::GROUP_NAME,
            Lines::One,
        );
        let description = required_text(
            &mut errors,
            "description",
            &self.description,
            limits::DESCRIPTION,
            Lines::Many,
        );
        let org_number = if kind.is_formal() {
            org_number(&mut errors, "org_number", &self.org_number)
        } else {
            None
        };
        let districts = choices(&mut errors, "districts", &self.districts, true);
        let priority_areas = choices(&mut errors, "priority_areas", &self.priority_areas, false);
        errors.finish(|| NewGroup {
            kind,
            name,
            description,
            org_number,
            districts,
            priority_areas,
        })
    }
}

/// An informal group becoming a formal actor, keeping its id and history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertInput {
    pub kind: String,
    pub org_number: String,
}

impl ConvertInput {
    pub fn validate(&self) -> Result<(ActorKind, OrgNumber), FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = kind(&mut errors, "kind", &self.kind);
        if !kind.is_formal() {
            errors.add("kind", "choose_one");
        }
        let number = org_number(&mut errors, "org_number", &self.org_number);
        errors.finish(|| (kind, number.expect("no errors means the number parsed")))
    }
}

/// Staff's note on how they verified a group (met them, checked the register, …).
pub fn validate_note(raw: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let note = required_text(&mut errors, "note", raw, limits::NOTE, Lines::Many);
    errors.finish(|| note)
}

/// An administrator creating a staff or administrator account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInput {
    pub name: String,
    pub email: String,
    /// `staff` or `admin`.
    pub role: String,
}

impl StaffInput {
    pub fn validate(&self) -> Result<(String, Email, Role), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required_text(&mut errors, "name", &self.name, limits::NAME, Lines::One);
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", format!("email_{}", e.message_key())))
            .ok();
        let role = match Role::parse(&self.role) {
            Some(role) if role.is_staff() => role,
            _ => {
                errors.add("role", "choose_one");
                Role::Staff
            }
        };
        errors.finish(|| (name, email.expect("no errors means it parsed"), role))
    }
}

/// Which role an invitation gives.
pub fn validate_invite_role(raw: &str) -> Result<MemberRole, FieldErrors> {
    MemberRole::parse(raw).ok_or_else(|| FieldErrors::single("role", "choose_one"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sign_up() -> SignUpInput {
        SignUpInput {
            name: "Anna".into(),
            contact: "070-123 45 67".into(),
            password: "korrekt häst batteri".into(),
            districts: vec![Uuid::from_u128(1)],
            accept_privacy: true,
            languages: String::new(),
            skills: String::new(),
        }
    }

    fn keys(errors: &FieldErrors, field: &str) -> Vec<String> {
        errors.0.get(field).cloned().unwrap_or_default()
    }

    #[test]
    fn sign_up_with_the_five_required_fields_is_valid() {
        let valid = sign_up().validate().expect("valid");
        assert_eq!(valid.name, "Anna");
        assert!(matches!(valid.contact, Contact::Phone(_)));
        assert!(valid.languages.is_empty());
    }

    #[test]
    fn sign_up_reports_every_missing_field_at_once() {
        let errors = SignUpInput::default().validate().unwrap_err();
        assert_eq!(keys(&errors, "name"), ["required"]);
        assert_eq!(keys(&errors, "contact"), ["required"]);
        assert_eq!(keys(&errors, "password"), ["required"]);
        assert_eq!(keys(&errors, "districts"), ["choose_one"]);
        assert_eq!(keys(&errors, "accept_privacy"), ["privacy_required"]);
    }

    #[test]
    fn sign_up_refuses_a_short_password_and_a_bad_email() {
        let mut input = sign_up();
        input.password = "kort".into();
        input.contact = "anna@localhost".into();
        let errors = input.validate().unwrap_err();
        assert_eq!(keys(&errors, "password"), ["password_too_short"]);
        assert_eq!(keys(&errors, "contact"), ["email_invalid_domain"]);
    }

    #[test]
    fn tags_are_split_trimmed_and_deduplicated() {
        let mut errors = FieldErrors::default();
        let tags = parse_tags(
            &mut errors,
            "languages",
            " svenska, Arabiska;arabiska,, engelska ",
        );
        assert!(errors.is_empty());
        assert_eq!(tags, ["svenska", "Arabiska", "engelska"]);
    }

    #[test]
    fn informal_group_needs_no_org_number_and_ignores_one_typed_by_mistake() {
        let input = GroupInput {
            kind: "informal".into(),
            name: "Föräldranärvaro Sicklaön".into(),
            description: "Vi nattvandrar".into(),
            org_number: "garbage".into(),
            districts: vec![Uuid::from_u128(1)],
            priority_areas: vec![],
        };
        let group = input.validate().expect("valid");
        assert_eq!(group.org_number, None);
    }

    #[test]
    fn association_needs_a_valid_org_number() {
        let mut input = GroupInput {
            kind: "association".into(),
            name: "Fisksätra IF".into(),
            description: "Fotboll".into(),
            org_number: String::new(),
            districts: vec![Uuid::from_u128(1)],
            priority_areas: vec![],
        };
        assert_eq!(
            keys(&input.validate().unwrap_err(), "org_number"),
            ["org_number_empty"]
        );
        input.org_number = "802456-7895".into();
        assert_eq!(
            keys(&input.validate().unwrap_err(), "org_number"),
            ["org_number_check_digit"]
        );
        input.org_number = "802456-7896".into();
        assert!(input.validate().is_ok());
    }

    #[test]
    fn profile_needs_an_email_or_a_phone() {
        let input = ProfileInput {
            name: "Anna".into(),
            districts: vec![Uuid::from_u128(1)],
            ..Default::default()
        };
        assert_eq!(
            keys(&input.validate().unwrap_err(), "email"),
            ["email_or_phone_required"]
        );
    }

    #[test]
    fn staff_input_refuses_the_volunteer_role() {
        let input = StaffInput {
            name: "Sara".into(),
            email: "sara@nacka.se".into(),
            role: "volunteer".into(),
        };
        assert_eq!(keys(&input.validate().unwrap_err(), "role"), ["choose_one"]);
    }

    proptest! {
        /// Whatever is typed, validation answers (never panics) and an answer of "valid" means
        /// every limit holds.
        #[test]
        fn sign_up_validation_never_panics_and_valid_means_within_limits(
            name in ".{0,100}",
            contact in ".{0,40}",
            password in ".{0,300}",
            languages in ".{0,200}",
        ) {
            let input = SignUpInput {
                name, contact, password, languages,
                districts: vec![Uuid::from_u128(7)],
                accept_privacy: true,
                skills: String::new(),
            };
            if let Ok(valid) = input.validate() {
                prop_assert!(!valid.name.is_empty() && valid.name.chars().count() <= limits::NAME);
                prop_assert!(valid.password.chars().count() >= limits::PASSWORD_MIN);
                prop_assert!(valid.languages.len() <= limits::TAGS);
                prop_assert!(valid.languages.iter().all(|t| !t.is_empty() && t.chars().count() <= limits::TAG));
            }
        }
    }
}

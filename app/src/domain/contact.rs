//! How to reach a person: a phone number or an e-mail address (at least one at sign-up).
//!
//! Both are small hand-written parsers on purpose: they run in the browser too, and a full
//! phone-number library (libphonenumber's metadata) would cost more wasm than the whole app.
//! The e-mail rule is the WHATWG "valid e-mail address" that browsers use for
//! `<input type=email>`, plus a dot in the domain (an address the municipality can write to).
use std::fmt;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+46701234567`). Swedish numbers may be written nationally.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("empty")]
    Empty,
    #[error("invalid characters")]
    InvalidCharacters,
    /// Neither `0` (Swedish) nor `+`/`00` (country code) in front.
    #[error("missing prefix")]
    MissingPrefix,
    #[error("too short")]
    TooShort,
    #[error("too long")]
    TooLong,
}

impl PhoneError {
    /// The key of the message shown beside the field (`phone_error.<key>`).
    pub fn message_key(self) -> &'static str {
        match self {
            PhoneError::Empty => "empty",
            PhoneError::InvalidCharacters => "invalid_characters",
            PhoneError::MissingPrefix => "missing_prefix",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
        }
    }
}

/// Swedish numbers have 7–9 digits after the leading 0 (e.g. 08-123 45 67, 070-123 45 67).
const SE_NATIONAL_DIGITS: std::ops::RangeInclusive<usize> = 7..=9;
/// E.164: at most 15 digits including the country code; 8 is the shortest in practice.
const E164_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

impl Phone {
    /// Accepts `070-123 45 67`, `+46 70 123 45 67`, `+46 (0)70 123 45 67`, `0046701234567`,
    /// and foreign numbers with `+` or `00`.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (international, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' | '/' => {}
                _ => return Err(PhoneError::InvalidCharacters),
            }
        }
        let international_digits = if international {
            digits
        } else if let Some(after) = digits.strip_prefix("00") {
            after.to_owned()
        } else if let Some(national) = digits.strip_prefix('0') {
            check_len(national.len(), SE_NATIONAL_DIGITS)?;
            format!("46{national}")
        } else {
            return Err(PhoneError::MissingPrefix);
        };
        // "+46 (0)70…": the trunk 0 after Sweden's code is often written and never dialled.
        let international_digits = match international_digits.strip_prefix("460") {
            Some(national) => format!("46{national}"),
            None => international_digits,
        };
        if let Some(national) = international_digits.strip_prefix("46") {
            check_len(national.len(), SE_NATIONAL_DIGITS)?;
        }
        check_len(international_digits.len(), E164_DIGITS)?;
        if international_digits.starts_with('0') {
            return Err(PhoneError::MissingPrefix);
        }
        Ok(Self(format!("+{international_digits}")))
    }

    pub fn as_e164(&self) -> &str {
        &self.0
    }
}

fn check_len(len: usize, allowed: std::ops::RangeInclusive<usize>) -> Result<(), PhoneError> {
    if len < *allowed.start() {
        Err(PhoneError::TooShort)
    } else if len > *allowed.end() {
        Err(PhoneError::TooLong)
    } else {
        Ok(())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

/// An e-mail address; the domain is lower-cased, the local part kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("empty")]
    Empty,
    #[error("missing @")]
    MissingAt,
    #[error("invalid local part")]
    InvalidLocalPart,
    #[error("invalid domain")]
    InvalidDomain,
    #[error("too long")]
    TooLong,
}

impl EmailError {
    /// The key of the message shown beside the field (`email_error.<key>`).
    pub fn message_key(self) -> &'static str {
        match self {
            EmailError::Empty => "empty",
            EmailError::MissingAt => "missing_at",
            EmailError::InvalidLocalPart => "invalid_local_part",
            EmailError::InvalidDomain => "invalid_domain",
            EmailError::TooLong => "too_long",
        }
    }
}

/// RFC 5321's limit on a forward path.
const EMAIL_MAX_LEN: usize = 254;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > EMAIL_MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::MissingAt)?;
        if local.is_empty() || local.len() > 64 || !local.chars().all(is_local_char) {
            return Err(EmailError::InvalidLocalPart);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || !labels.iter().all(|l| is_domain_label(l)) {
            return Err(EmailError::InvalidDomain);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// WHATWG: `a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-`.
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c)
}

/// WHATWG: 1–63 letters, digits or hyphens, not starting or ending with a hyphen.
fn is_domain_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn swedish_numbers_in_every_usual_form_become_e164() {
        for raw in [
            "070-123 45 67",
            "0701234567",
            "+46 70 123 45 67",
            "+46 (0)70-123 45 67",
            "0046701234567",
            " +46701234567 ",
        ] {
            assert_eq!(
                Phone::parse(raw).map(|p| p.to_string()),
                Ok("+46701234567".to_owned()),
                "{raw:?}"
            );
        }
        assert_eq!(
            Phone::parse("08-123 456 78").unwrap().as_e164(),
            "+46812345678"
        );
    }

    #[test]
    fn foreign_numbers_keep_their_country_code() {
        assert_eq!(
            Phone::parse("+358 40 123 4567").unwrap().as_e164(),
            "+358401234567"
        );
        assert_eq!(
            Phone::parse("0047 912 34 567").unwrap().as_e164(),
            "+4791234567"
        );
    }

    #[test]
    fn bad_phone_numbers_get_a_specific_reason() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(
            Phone::parse("070-ring mig"),
            Err(PhoneError::InvalidCharacters)
        );
        assert_eq!(Phone::parse("701234567"), Err(PhoneError::MissingPrefix));
        assert_eq!(Phone::parse("070-12"), Err(PhoneError::TooShort));
        assert_eq!(Phone::parse("070-123 45 67 89"), Err(PhoneError::TooLong));
        assert_eq!(Phone::parse("+46 70 123"), Err(PhoneError::TooShort));
        assert_eq!(Phone::parse("+1234567890123456"), Err(PhoneError::TooLong));
        assert_eq!(Phone::parse("+0701234567"), Err(PhoneError::MissingPrefix));
    }

    #[test]
    fn emails_are_accepted_and_the_domain_lower_cased() {
        assert_eq!(
            Email::parse(" Anna.Lind@Example.ORG ").unwrap().as_str(),
            "Anna.Lind@example.org"
        );
        assert!(Email::parse("nattvandring+sicklaon@foreningen.se").is_ok());
    }

    #[test]
    fn bad_emails_get_a_specific_reason() {
        assert_eq!(Email::parse("  "), Err(EmailError::Empty));
        assert_eq!(Email::parse("anna.example.org"), Err(EmailError::MissingAt));
        assert_eq!(
            Email::parse("@example.org"),
            Err(EmailError::InvalidLocalPart)
        );
        assert_eq!(
            Email::parse("an na@example.org"),
            Err(EmailError::InvalidLocalPart)
        );
        assert_eq!(
            Email::parse("anna@localhost"),
            Err(EmailError::InvalidDomain)
        );
        assert_eq!(
            Email::parse("anna@-example.org"),
            Err(EmailError::InvalidDomain)
        );
        assert_eq!(
            Email::parse("anna@example..org"),
            Err(EmailError::InvalidDomain)
        );
        assert_eq!(
            Email::parse(&format!("{}@example.org", "a".repeat(250))),
            Err(EmailError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn any_swedish_mobile_written_nationally_or_internationally_is_the_same_number(
            operator in 0u8..10, rest in "[0-9]{7}", sep in "[ -]?",
        ) {
            let national = format!("07{operator}{sep}{rest}");
            let international = format!("+46 7{operator}{sep}{rest}");
            let a = Phone::parse(&national).unwrap();
            prop_assert_eq!(&a, &Phone::parse(&international).unwrap());
            // A parsed number parses again to itself.
            prop_assert_eq!(Phone::parse(a.as_e164()).unwrap(), a);
        }

        #[test]
        fn parsed_emails_parse_again_to_themselves(
            local in "[a-zA-Z0-9._%+-]{1,20}", host in "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", tld in "[a-z]{2,6}",
        ) {
            let email = Email::parse(&format!("{local}@{host}.{tld}")).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }

        #[test]
        fn parsers_never_panic_on_any_text(raw in ".{0,60}") {
            let _ = Phone::parse(&raw);
            let _ = Email::parse(&raw);
        }
    }
}

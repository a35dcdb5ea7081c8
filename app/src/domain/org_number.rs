//! Organisationsnummer: the identity of a Swedish legal person (association, foundation,
//! company). Informal groups have none — that is the point of Samverka — so this is only asked
//! of formal actors.
//!
//! Rules (Skatteverket): ten digits `NNNNNN-NNNN`, the last a Luhn check digit over the first
//! nine; digits 3–4 are at least 20 (so the number can never be mistaken for a date of birth).
//! A twelve-digit form with the century-like prefix `16` is also in use. A number whose digits
//! 3–6 form a month and a day is a personnummer and is refused: a person's identity number must
//! not be stored as a group's.
use std::fmt;

use serde::{Deserialize, Serialize};

/// A valid organisationsnummer, kept as its ten digits; shown as `NNNNNN-NNNN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgNumber(String);

/// Why a text is not an organisationsnummer; the form shows a message for each (see `message_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrgNumberError {
    #[error("empty")]
    Empty,
    /// Something other than digits, spaces and one dash.
    #[error("invalid characters")]
    InvalidCharacters,
    #[error("wrong length")]
    WrongLength,
    /// Twelve digits, but not starting with `16`.
    #[error("wrong prefix")]
    WrongPrefix,
    /// Digits 3–6 are a month and a day: this is a person's identity number.
    #[error("personnummer")]
    Personnummer,
    /// Digits 3–4 are below 20 and not a date either.
    #[error("not an organisation number")]
    NotAnOrganisation,
    #[error("check digit")]
    CheckDigit,
}

impl OrgNumberError {
    /// The key of the message shown beside the field (`org_number_error.<key>`).
    pub fn message_key(self) -> &'static str {
        match self {
            OrgNumberError::Empty => "empty",
            OrgNumberError::InvalidCharacters => "invalid_characters",
            OrgNumberError::WrongLength => "wrong_length",
            OrgNumberError::WrongPrefix => "wrong_prefix",
            OrgNumberError::Personnummer => "personnummer",
            OrgNumberError::NotAnOrganisation => "not_an_organisation",
            OrgNumberError::CheckDigit => "check_digit",
        }
    }
}

impl OrgNumber {
    /// Accepts `NNNNNN-NNNN`, `NNNNNNNNNN`, `16NNNNNN-NNNN` and `16NNNNNNNNNN`, with spaces
    /// around or between groups.
    pub fn parse(raw: &str) -> Result<Self, OrgNumberError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(OrgNumberError::Empty);
        }
        let mut digits = Vec::with_capacity(12);
        let mut dashes = 0;
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '-' => dashes += 1,
                ' ' => {}
                _ => return Err(OrgNumberError::InvalidCharacters),
            }
        }
        if dashes > 1 {
            return Err(OrgNumberError::InvalidCharacters);
        }
        let ten: &[u8] = match digits.len() {
            10 => &digits,
            12 if digits[..2] == [1, 6] => &digits[2..],
            12 => return Err(OrgNumberError::WrongPrefix),
            _ => return Err(OrgNumberError::WrongLength),
        };
        let group = ten[2] * 10 + ten[3];
        if group < 20 {
            let day = ten[4] * 10 + ten[5];
            // Samordningsnummer add 60 to the day; both are people.
            let is_date =
                (1..=12).contains(&group) && ((1..=31).contains(&day) || (61..=91).contains(&day));
            return Err(if is_date {
                OrgNumberError::Personnummer
            } else {
                OrgNumberError::NotAnOrganisation
            });
        }
        if luhn_check_digit(&ten[..9]) != ten[9] {
            return Err(OrgNumberError::CheckDigit);
        }
        Ok(Self(ten.iter().map(|d| char::from(b'0' + d)).collect()))
    }

    /// The ten digits without a dash, as stored.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// The Luhn (mod 10) check digit for the given digits, weights 2, 1, 2, … from the left.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..6], &self.0[6..])
    }
}

impl TryFrom<String> for OrgNumber {
    type Error = OrgNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrgNumber> for String {
    fn from(value: OrgNumber) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the right check digit to nine digits.
    fn with_check(nine: &[u8]) -> String {
        let mut s: String = nine.iter().map(|d| char::from(b'0' + d)).collect();
        s.push(char::from(b'0' + luhn_check_digit(nine)));
        s
    }

    #[test]
    fn accepts_a_valid_number_in_every_written_form() {
        for raw in [
            "802456-7896",
            "8024567896",
            "16802456-7896",
            "168024567896",
            " 802456 - 7896 ",
        ] {
            let n = OrgNumber::parse(raw).unwrap_or_else(|e| panic!("{raw:?}: {e:?}"));
            assert_eq!(n.to_string(), "802456-7896");
            assert_eq!(n.digits(), "8024567896");
        }
    }

    #[test]
    fn refuses_a_wrong_check_digit() {
        assert_eq!(
            OrgNumber::parse("802456-7897"),
            Err(OrgNumberError::CheckDigit)
        );
    }

    #[test]
    fn refuses_a_personnummer_with_its_own_reason() {
        // 1990-05-17, valid check digit: a person, not an organisation.
        assert_eq!(
            OrgNumber::parse(&with_check(&[9, 0, 0, 5, 1, 7, 1, 2, 3])),
            Err(OrgNumberError::Personnummer)
        );
        // Samordningsnummer (day + 60).
        assert_eq!(
            OrgNumber::parse(&with_check(&[9, 0, 0, 5, 7, 7, 1, 2, 3])),
            Err(OrgNumberError::Personnummer)
        );
        // Twelve digits with a century are a personnummer written long.
        assert_eq!(
            OrgNumber::parse("19900517-1234"),
            Err(OrgNumberError::WrongPrefix)
        );
    }

    #[test]
    fn refuses_digits_three_and_four_below_twenty_that_are_no_date() {
        assert_eq!(
            OrgNumber::parse(&with_check(&[8, 0, 1, 5, 4, 5, 6, 7, 8])),
            Err(OrgNumberError::NotAnOrganisation)
        );
    }

    #[test]
    fn refuses_malformed_text_with_a_specific_reason() {
        assert_eq!(OrgNumber::parse("   "), Err(OrgNumberError::Empty));
        assert_eq!(
            OrgNumber::parse("80245-67896x"),
            Err(OrgNumberError::InvalidCharacters)
        );
        assert_eq!(
            OrgNumber::parse("80-2456-7896"),
            Err(OrgNumberError::InvalidCharacters)
        );
        assert_eq!(
            OrgNumber::parse("802456-789"),
            Err(OrgNumberError::WrongLength)
        );
        assert_eq!(
            OrgNumber::parse("١٢٣٤٥٦-٧٨٩٠"),
            Err(OrgNumberError::InvalidCharacters)
        );
    }

    #[test]
    fn serde_uses_the_dashed_form_and_validates_on_the_way_in() {
        let n = OrgNumber::parse("8024567896").unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, "\"802456-7896\"");
        assert_eq!(serde_json::from_str::<OrgNumber>(&json).unwrap(), n);
        assert!(serde_json::from_str::<OrgNumber>("\"802456-7897\"").is_err());
    }

    proptest! {
        #[test]
        fn every_number_with_group_20_or_more_and_a_right_check_digit_is_accepted(
            head in proptest::collection::vec(0u8..10, 2), group in 20u8..100,
            tail in proptest::collection::vec(0u8..10, 5), dash in any::<bool>(), long in any::<bool>(),
        ) {
            // Digits 3–4 (one-based) hold the group number.
            let nine: Vec<u8> = head.iter().copied().chain([group / 10, group % 10]).chain(tail).collect();
            let ten = with_check(&nine);
            let written = format!("{}{}{}{}", if long { "16" } else { "" }, &ten[..6], if dash { "-" } else { "" }, &ten[6..]);
            let parsed = OrgNumber::parse(&written).unwrap();
            prop_assert_eq!(parsed.digits(), ten.as_str());
            // Display → parse is the identity.
            prop_assert_eq!(OrgNumber::parse(&parsed.to_string()).unwrap(), parsed);
        }

        #[test]
        fn changing_any_single_digit_breaks_the_check(
            head in proptest::collection::vec(0u8..10, 2), group in 20u8..100,
            tail in proptest::collection::vec(0u8..10, 5), pos in 0usize..10, delta in 1u8..10,
        ) {
            let nine: Vec<u8> = head.iter().copied().chain([group / 10, group % 10]).chain(tail).collect();
            let mut digits: Vec<u8> = with_check(&nine).bytes().map(|b| b - b'0').collect();
            digits[pos] = (digits[pos] + delta) % 10;
            let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            // Either the check digit catches it, or the edit moved digits 3–4 below 20.
            prop_assert!(OrgNumber::parse(&text).is_err());
        }

        #[test]
        fn never_panics_on_any_text(raw in ".{0,40}") {
            let _ = OrgNumber::parse(&raw);
        }
    }
}

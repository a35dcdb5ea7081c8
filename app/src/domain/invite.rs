//! Invitation codes: short enough to read aloud or type from a note, safe in a link.
//!
//! Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V), so 30¹⁰ ≈ 6·10¹⁴
//! possibilities; the server also expires them and counts uses. Shown as `XXXXX-XXXXX`.
use std::fmt;

/// Crockford-like: digits 2–9 and the letters without I, L, O, U.
pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LEN: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InviteCode(String);

impl InviteCode {
    /// Accepts the code as printed, typed in lower case, with spaces or dashes.
    pub fn parse(raw: &str) -> Option<Self> {
        let code: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(Self(code))
    }

    /// A code from `LEN` random numbers (the caller brings the randomness: the OS on the server).
    pub fn from_random(random: [u32; LEN]) -> Self {
        Self(
            random
                .iter()
                .map(|r| char::from(ALPHABET[*r as usize % ALPHABET.len()]))
                .collect(),
        )
    }

    /// As stored and used in links.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..5], &self.0[5..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_read_in_any_case_with_dashes_and_spaces() {
        let code = InviteCode::parse("k7mq2-xpd9r").expect("valid");
        assert_eq!(code.as_str(), "K7MQ2XPD9R");
        assert_eq!(code.to_string(), "K7MQ2-XPD9R");
        assert_eq!(InviteCode::parse(" K7MQ2 XPD9R "), Some(code));
    }

    #[test]
    fn look_alikes_and_wrong_lengths_are_refused() {
        assert_eq!(
            InviteCode::parse("K7MQ2-XPD9O"),
            None,
            "O is not in the alphabet"
        );
        assert_eq!(InviteCode::parse("K7MQ2-XPD9"), None);
        assert_eq!(InviteCode::parse(""), None);
    }

    proptest! {
        #[test]
        fn every_generated_code_parses_back(random in proptest::array::uniform10(any::<u32>())) {
            let code = InviteCode::from_random(random);
            prop_assert_eq!(InviteCode::parse(&code.to_string()), Some(code.clone()));
            prop_assert_eq!(InviteCode::parse(code.as_str()), Some(code));
        }
    }
}

//! What free text may contain, written once for every field of every form and synced record.
//!
//! Refused: control characters (a NUL byte cannot be stored by PostgreSQL; others hide text or
//! break exports) and the Unicode bidirectional embeddings, overrides and isolates (U+202A–202E,
//! U+2066–2069), which let a name display as something else ("Anna" + U+202E + "nnA" reads as
//! another person). The marks U+200E/U+200F stay allowed: Arabic and Hebrew text needs them and
//! they cannot reorder a run on their own. Multi-line fields keep line breaks and tabs.

/// Whether a field is one line (names, tags) or may have several (descriptions, notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The message key for what is wrong with `raw`, if anything: `control_character` or
/// `bidi_control`. Linear in the length of `raw`.
pub fn problem(raw: &str, lines: Lines) -> Option<&'static str> {
    for c in raw.chars() {
        if is_bidi_control(c) {
            return Some("bidi_control");
        }
        let allowed_break = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
        if (c.is_control() || is_line_separator(c)) && !allowed_break {
            return Some("control_character");
        }
    }
    None
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_swedish_and_arabic_text_passes() {
        assert_eq!(problem("Åsa Öberg-Ünal", Lines::One), None);
        assert_eq!(problem("مرحبا\u{200F} Anna", Lines::One), None);
        assert_eq!(problem("Rad ett\nRad två\ttab", Lines::Many), None);
    }

    #[test]
    fn nul_and_other_controls_are_refused() {
        assert_eq!(problem("Anna\0", Lines::Many), Some("control_character"));
        assert_eq!(problem("a\u{7}b", Lines::Many), Some("control_character"));
        assert_eq!(problem("a\u{85}b", Lines::Many), Some("control_character"));
        assert_eq!(problem("två\nrader", Lines::One), Some("control_character"));
        assert_eq!(
            problem("a\u{2028}b", Lines::Many),
            Some("control_character")
        );
    }

    #[test]
    fn bidirectional_overrides_and_isolates_are_refused() {
        assert_eq!(
            problem("Anna\u{202E}annA", Lines::One),
            Some("bidi_control")
        );
        assert_eq!(problem("x\u{2066}y", Lines::Many), Some("bidi_control"));
    }

    proptest! {
        #[test]
        fn text_without_those_characters_always_passes(s in "[a-zA-ZåäöÅÄÖ0-9 .,!?-]{0,200}") {
            prop_assert_eq!(problem(&s, Lines::One), None);
        }

        #[test]
        fn any_text_with_a_nul_is_refused(a in ".{0,50}", b in ".{0,50}") {
            let s = format!("{a}\0{b}");
            prop_assert!(problem(&s, Lines::Many).is_some());
        }
    }
}

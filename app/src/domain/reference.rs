//! Reference data a deployment configures: its priority areas (fokusområden) and its districts
//! (kommundelar). Every offer, need and group is tagged with them.
use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// A text the municipality wrote in both languages (names of priority areas, categories).
///
/// Swedish is required; English falls back to Swedish when a deployment has not translated it,
/// so a person always sees *something* rather than an empty label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    pub sv: String,
    pub en: String,
}

impl LocalizedText {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::sv => &self.sv,
            Locale::en if self.en.trim().is_empty() => &self.sv,
            Locale::en => &self.en,
        }
    }
}

/// A priority area (fokusområde), e.g. "Trygg i hela Nacka".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityArea {
    pub id: uuid::Uuid,
    /// Stable, URL-safe name; survives renaming of the display text.
    pub slug: String,
    pub name: LocalizedText,
    pub description: LocalizedText,
}

/// A district (kommundel), e.g. "Fisksätra". Place names are the same in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub id: uuid::Uuid,
    pub slug: String,
    pub name: String,
}

/// Everything a form or a filter needs to offer the deployment's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceData {
    pub priority_areas: Vec<PriorityArea>,
    pub districts: Vec<District>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(sv: &str, en: &str) -> LocalizedText {
        LocalizedText {
            sv: sv.into(),
            en: en.into(),
        }
    }

    #[test]
    fn localized_text_picks_the_requested_language() {
        let t = text("Trygg i hela Nacka", "Safe throughout Nacka");
        assert_eq!(t.get(Locale::sv), "Trygg i hela Nacka");
        assert_eq!(t.get(Locale::en), "Safe throughout Nacka");
    }

    #[test]
    fn localized_text_falls_back_to_swedish_when_english_is_missing() {
        let t = text("Gemenskap", "  ");
        assert_eq!(t.get(Locale::en), "Gemenskap");
    }
}

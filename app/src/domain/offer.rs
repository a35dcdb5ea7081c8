//! A volunteer's offer of time: when (one-off dates, weekly times, or "an hour now and then"),
//! where (districts), what for (priority areas, skills, languages) and a short note.
//!
//! Offers are born on the phone, often offline, so the same rules run in three places: the
//! form ([`OfferInput::validate`]), the browser's optimistic view and the server's
//! authoritative `sync::apply` ([`OfferData::check`]). Dates and times are parsed into types
//! that cannot hold an impossible value, also when they arrive as JSON.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::forms::{choices, limits, optional_text, parse_tags, FieldErrors};
use super::local_time::{civil_from_days, days_from_civil, weekday};
use super::text::{self, Lines};

/// At most this many windows in one offer: a fortnight of evenings, or every weekday twice.
pub const MAX_WINDOWS: usize = 14;

/// A calendar date (local, Europe/Stockholm), `YYYY-MM-DD` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Years outside 2000–2100 are typing mistakes, not plans.
    pub fn parse(raw: &str) -> Option<Date> {
        let raw = raw.trim();
        let mut parts = raw.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (year, month, day): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        let date = Date { year, month, day };
        // A real day survives the trip to a day number and back (2026-02-30 does not).
        let real = (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && civil_from_days(date.days()) == (year.into(), month.into(), day.into());
        ((2000..=2100).contains(&year) && real).then_some(date)
    }

    /// The local (Stockholm) date at the UTC instant `unix` (seconds).
    pub fn at_unix(unix: i64) -> Date {
        let local = unix + super::local_time::stockholm_offset(unix);
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        Date {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        }
    }

    /// This many days later (earlier when negative).
    pub fn plus_days(&self, days: i64) -> Date {
        let (y, m, d) = civil_from_days(self.days() + days);
        Date {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        }
    }

    /// Days since 1970-01-01 (the calendar arithmetic `local_time` already has).
    pub fn days(&self) -> i64 {
        days_from_civil(self.year.into(), self.month.into(), self.day.into())
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    /// Day of the week, 1 = Monday … 7 = Sunday.
    pub fn weekday(&self) -> u8 {
        weekday(self.days()) as u8 + 1
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Date::parse(&value).ok_or_else(|| format!("not a date: {value:?}"))
    }
}

impl From<Date> for String {
    fn from(value: Date) -> Self {
        value.to_string()
    }
}

/// A time of day, `HH:MM` on the wire, minutes since midnight inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// `18:30`, also `8:30` and `18.30` (as Swedes often write it).
    pub fn parse(raw: &str) -> Option<TimeOfDay> {
        let (h, m) = raw.trim().split_once([':', '.'])?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(TimeOfDay(h * 60 + m))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TimeOfDay::parse(&value).ok_or_else(|| format!("not a time: {value:?}"))
    }
}

impl From<TimeOfDay> for String {
    fn from(value: TimeOfDay) -> Self {
        value.to_string()
    }
}

/// One date, from–to. `to` before `from` means the window ends after midnight (a night walk
/// 22:00–02:00); equal times are not a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateWindow {
    pub date: Date,
    pub from: TimeOfDay,
    pub to: TimeOfDay,
}

/// Every week on a weekday (1 = Monday … 7 = Sunday), from–to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyWindow {
    pub weekday: u8,
    pub from: TimeOfDay,
    pub to: TimeOfDay,
}

/// When the volunteer can help.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Availability {
    /// Particular dates.
    OneOff { windows: Vec<DateWindow> },
    /// The same times every week, optionally only between two dates.
    Weekly {
        windows: Vec<WeeklyWindow>,
        valid_from: Option<Date>,
        valid_until: Option<Date>,
    },
    /// "An hour now and then, when it suits me": no fixed times.
    Flexible,
}

impl Availability {
    pub fn kind(&self) -> &'static str {
        match self {
            Availability::OneOff { .. } => "one_off",
            Availability::Weekly { .. } => "weekly",
            Availability::Flexible => "flexible",
        }
    }
}

/// An offer as stored and synced. `paused` keeps it but tells staff not to match it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferData {
    pub availability: Availability,
    pub districts: Vec<Uuid>,
    pub areas: Vec<Uuid>,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub note: String,
    pub paused: bool,
}

/// The districts and priority areas that exist, for checking chosen ids. The browser knows
/// them from its last pull; before any pull it cannot tell, and leaves the check to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub districts: Option<BTreeSet<Uuid>>,
    pub areas: Option<BTreeSet<Uuid>>,
    /// The contacts of the groups concerned (a micro-grant's payee must be one).
    pub group_contacts: Option<super::need::GroupContacts>,
    /// The largest micro-grant one request may ask for, in öre (`None`: the default).
    pub max_grant_ore: Option<i64>,
    /// The occasions concerned (a sign-up's shift must be one of its occasion's).
    pub occasions: Option<BTreeMap<Uuid, super::activity::OccasionData>>,
    /// The decision rules and this year's grants (the server's, when a case is decided).
    pub cases: super::case::CaseKnown,
}

impl Known {
    pub fn from_reference(reference: &super::ReferenceData) -> Known {
        Known {
            districts: Some(reference.districts.iter().map(|d| d.id).collect()),
            areas: Some(reference.priority_areas.iter().map(|a| a.id).collect()),
            group_contacts: None,
            max_grant_ore: None,
            occasions: None,
            cases: super::case::CaseKnown::default(),
        }
    }

    pub fn max_grant_ore(&self) -> i64 {
        self.max_grant_ore
            .unwrap_or(super::need::DEFAULT_MAX_GRANT_ORE)
    }

    /// The group's contacts, when known (the browser knows only its own groups').
    pub fn contacts_of(&self, group: Uuid) -> Option<&BTreeSet<Uuid>> {
        self.group_contacts.as_ref().and_then(|g| g.get(&group))
    }
}

impl OfferData {
    /// The rules a stored offer always keeps, whichever way it was made. Field names match
    /// the form's, so a refusal can point at the field.
    pub fn check(&self, known: &Known) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        check_availability(&mut errors, &self.availability);
        check_ids(
            &mut errors,
            "districts",
            &self.districts,
            known.districts.as_ref(),
            true,
        );
        check_ids(
            &mut errors,
            "areas",
            &self.areas,
            known.areas.as_ref(),
            false,
        );
        check_tags(&mut errors, "skills", &self.skills);
        check_tags(&mut errors, "languages", &self.languages);
        optional_text(&mut errors, "note", &self.note, limits::NOTE, Lines::Many);
        errors.finish(|| ())
    }
}

fn check_availability(errors: &mut FieldErrors, availability: &Availability) {
    let windows = match availability {
        Availability::Flexible => return,
        Availability::OneOff { windows } => {
            for (i, w) in windows.iter().enumerate() {
                check_times(errors, i, w.from, w.to);
            }
            windows.len()
        }
        Availability::Weekly {
            windows,
            valid_from,
            valid_until,
        } => {
            for (i, w) in windows.iter().enumerate() {
                if !(1..=7).contains(&w.weekday) {
                    errors.add(&window_field(i, "weekday"), "choose_one");
                }
                check_times(errors, i, w.from, w.to);
            }
            if let (Some(from), Some(until)) = (valid_from, valid_until) {
                if until < from {
                    errors.add("valid_until", "until_before_from");
                }
            }
            windows.len()
        }
    };
    if windows == 0 {
        errors.add("windows", "window_required");
    } else if windows > MAX_WINDOWS {
        errors.add("windows", "too_many");
    }
}

fn check_times(errors: &mut FieldErrors, i: usize, from: TimeOfDay, to: TimeOfDay) {
    if from == to {
        errors.add(&window_field(i, "to"), "same_time");
    }
}

pub(crate) fn check_ids(
    errors: &mut FieldErrors,
    field: &str,
    ids: &[Uuid],
    known: Option<&BTreeSet<Uuid>>,
    required: bool,
) {
    let unique: BTreeSet<_> = ids.iter().collect();
    if unique.len() != ids.len() {
        errors.add(field, "duplicate");
    } else if required && ids.is_empty() {
        errors.add(field, "choose_one");
    } else if ids.len() > limits::CHOICES {
        errors.add(field, "too_many");
    } else if let Some(known) = known {
        if ids.iter().any(|id| !known.contains(id)) {
            errors.add(field, "unknown_choice");
        }
    }
}

fn check_tags(errors: &mut FieldErrors, field: &str, tags: &[String]) {
    if tags.len() > limits::TAGS {
        errors.add(field, "too_many");
    } else if tags
        .iter()
        .any(|t| t.trim().is_empty() || t.trim() != t || t.chars().nth(limits::TAG).is_some())
    {
        errors.add(field, "tag_too_long");
    } else if let Some(key) = tags.iter().find_map(|t| text::problem(t, Lines::One)) {
        errors.add(field, key);
    }
}

/// The form field of a window's part: `window-0-from`. Also the input's id.
pub fn window_field(index: usize, part: &str) -> String {
    format!("window-{index}-{part}")
}

/// One row of the form's windows, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInput {
    pub date: String,
    pub weekday: String,
    pub from: String,
    pub to: String,
}

/// The offer form as typed: every value a string or a choice, never lost on an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferInput {
    /// `one_off`, `weekly` or `flexible`.
    pub kind: String,
    pub windows: Vec<WindowInput>,
    pub valid_from: String,
    pub valid_until: String,
    pub districts: Vec<Uuid>,
    pub areas: Vec<Uuid>,
    pub skills: String,
    pub languages: String,
    pub note: String,
}

impl OfferInput {
    /// The form filled in from an existing offer (for editing).
    pub fn from_offer(offer: &OfferData) -> OfferInput {
        let (windows, valid_from, valid_until) = match &offer.availability {
            Availability::OneOff { windows } => (
                windows
                    .iter()
                    .map(|w| WindowInput {
                        date: w.date.to_string(),
                        weekday: String::new(),
                        from: w.from.to_string(),
                        to: w.to.to_string(),
                    })
                    .collect(),
                None,
                None,
            ),
            Availability::Weekly {
                windows,
                valid_from,
                valid_until,
            } => (
                windows
                    .iter()
                    .map(|w| WindowInput {
                        date: String::new(),
                        weekday: w.weekday.to_string(),
                        from: w.from.to_string(),
                        to: w.to.to_string(),
                    })
                    .collect(),
                *valid_from,
                *valid_until,
            ),
            Availability::Flexible => (Vec::new(), None, None),
        };
        let text = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        OfferInput {
            kind: offer.availability.kind().to_owned(),
            windows,
            valid_from: text(valid_from),
            valid_until: text(valid_until),
            districts: offer.districts.clone(),
            areas: offer.areas.clone(),
            skills: offer.skills.join(", "),
            languages: offer.languages.join(", "),
            note: offer.note.clone(),
        }
    }

    /// Every problem at once, or the offer (not paused; pausing is its own action).
    pub fn validate(&self, known: &Known) -> Result<OfferData, FieldErrors> {
        let mut errors = FieldErrors::default();
        let availability = match self.kind.as_str() {
            "one_off" => Availability::OneOff {
                windows: self
                    .windows
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| {
                        let date = parse_field(
                            &mut errors,
                            &window_field(i, "date"),
                            &w.date,
                            Date::parse,
                            "date_invalid",
                        );
                        let (from, to) = times(&mut errors, i, w);
                        Some(DateWindow {
                            date: date?,
                            from: from?,
                            to: to?,
                        })
                    })
                    .collect(),
            },
            "weekly" => Availability::Weekly {
                windows: self
                    .windows
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| {
                        let weekday = w
                            .weekday
                            .trim()
                            .parse::<u8>()
                            .ok()
                            .filter(|d| (1..=7).contains(d));
                        if weekday.is_none() {
                            errors.add(&window_field(i, "weekday"), "choose_one");
                        }
                        let (from, to) = times(&mut errors, i, w);
                        Some(WeeklyWindow {
                            weekday: weekday?,
                            from: from?,
                            to: to?,
                        })
                    })
                    .collect(),
                valid_from: optional_date(&mut errors, "valid_from", &self.valid_from),
                valid_until: optional_date(&mut errors, "valid_until", &self.valid_until),
            },
            "flexible" => Availability::Flexible,
            _ => {
                errors.add("kind", "choose_one");
                Availability::Flexible
            }
        };
        let offer = OfferData {
            availability,
            districts: choices(&mut errors, "districts", &self.districts, true),
            areas: choices(&mut errors, "areas", &self.areas, false),
            skills: parse_tags(&mut errors, "skills", &self.skills),
            languages: parse_tags(&mut errors, "languages", &self.languages),
            note: self.note.trim().to_owned(),
            paused: false,
        };
        if errors.is_empty() {
            // The rules of a stored offer (times, counts, known ids): one list, not two.
            offer.check(known)?;
        }
        errors.finish(|| offer)
    }
}

pub(crate) fn parse_field<T>(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    parse: impl Fn(&str) -> Option<T>,
    key: &str,
) -> Option<T> {
    if raw.trim().is_empty() {
        errors.add(field, "required");
        return None;
    }
    let parsed = parse(raw);
    if parsed.is_none() {
        errors.add(field, key);
    }
    parsed
}

fn times(
    errors: &mut FieldErrors,
    i: usize,
    w: &WindowInput,
) -> (Option<TimeOfDay>, Option<TimeOfDay>) {
    (
        parse_field(
            errors,
            &window_field(i, "from"),
            &w.from,
            TimeOfDay::parse,
            "time_invalid",
        ),
        parse_field(
            errors,
            &window_field(i, "to"),
            &w.to,
            TimeOfDay::parse,
            "time_invalid",
        ),
    )
}

pub(crate) fn optional_date(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<Date> {
    if raw.trim().is_empty() {
        None
    } else {
        parse_field(errors, field, raw, Date::parse, "date_invalid")
    }
}

/// The fields an edit changed; `None` leaves the field as it is. Concurrent edits of one offer
/// merge field by field: the edit the server receives last wins each field it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub districts: Option<Vec<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas: Option<Vec<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

impl OfferPatch {
    /// What changed from `old` to `new`: only those fields travel.
    pub fn between(old: &OfferData, new: &OfferData) -> OfferPatch {
        fn diff<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
            (a != b).then(|| b.clone())
        }
        OfferPatch {
            availability: diff(&old.availability, &new.availability),
            districts: diff(&old.districts, &new.districts),
            areas: diff(&old.areas, &new.areas),
            skills: diff(&old.skills, &new.skills),
            languages: diff(&old.languages, &new.languages),
            note: diff(&old.note, &new.note),
            paused: diff(&old.paused, &new.paused),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == OfferPatch::default()
    }

    pub fn apply_to(&self, offer: &OfferData) -> OfferData {
        let mut next = offer.clone();
        if let Some(v) = &self.availability {
            next.availability = v.clone();
        }
        if let Some(v) = &self.districts {
            next.districts = v.clone();
        }
        if let Some(v) = &self.areas {
            next.areas = v.clone();
        }
        if let Some(v) = &self.skills {
            next.skills = v.clone();
        }
        if let Some(v) = &self.languages {
            next.languages = v.clone();
        }
        if let Some(v) = &self.note {
            next.note = v.clone();
        }
        if let Some(v) = self.paused {
            next.paused = v;
        }
        next
    }
}

/// How many offers a page of the staff's list shows.
pub const OFFERS_PER_PAGE: u32 = 20;

/// What the staff's list of offers is narrowed to (each optional), and which page. A skill or
/// a language is one of the tags volunteers wrote, compared without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferFilter {
    pub district: Option<Uuid>,
    pub area: Option<Uuid>,
    pub skill: Option<String>,
    pub language: Option<String>,
    /// 1, 2, 3 …
    pub page: u32,
}

impl OfferFilter {
    /// A filter; a blank tag is no filter, a page outside 1–10,000 the first.
    pub fn new(
        district: Option<Uuid>,
        area: Option<Uuid>,
        skill: Option<String>,
        language: Option<String>,
        page: Option<u32>,
    ) -> OfferFilter {
        let tag = |t: Option<String>| {
            t.map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty() && t.chars().count() <= limits::TAG)
        };
        OfferFilter {
            district,
            area,
            skill: tag(skill),
            language: tag(language),
            page: page.filter(|p| (1..=10_000).contains(p)).unwrap_or(1),
        }
    }

    /// Read from the page's query (`?omrade=…&fokus=…&kompetens=…&sprak=…&sida=2`); what does
    /// not parse is left out, so a mistyped link still shows a list.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> OfferFilter {
        let id = |key: &str| get(key).and_then(|v| Uuid::parse_str(v.trim()).ok());
        OfferFilter::new(
            id("omrade"),
            id("fokus"),
            get("kompetens"),
            get("sprak"),
            get("sida").and_then(|p| p.trim().parse::<u32>().ok()),
        )
    }

    /// The query of this filter on another page (encoded: a tag may hold any character).
    pub fn query(&self, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(d) = self.district {
            query.append_pair("omrade", &d.to_string());
        }
        if let Some(a) = self.area {
            query.append_pair("fokus", &a.to_string());
        }
        if let Some(s) = &self.skill {
            query.append_pair("kompetens", s);
        }
        if let Some(l) = &self.language {
            query.append_pair("sprak", l);
        }
        if page > 1 {
            query.append_pair("sida", &page.to_string());
        }
        query.finish()
    }
}

/// An offer in the staff's list, with the volunteer's name (staff match offers to needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedOffer {
    pub id: Uuid,
    pub volunteer: String,
    pub offer: OfferData,
    pub updated_at: String,
}

/// One page of the staff's list of offers, with the skills and languages there are to choose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferList {
    pub offers: Vec<ListedOffer>,
    pub total: u64,
    pub page: u32,
    /// Every skill and language volunteers have written, lower-case, for the filter.
    pub skills: Vec<String>,
    pub languages: Vec<String>,
}

impl OfferList {
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(OFFERS_PER_PAGE)) as u32).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn district() -> Uuid {
        Uuid::from_u128(0xd1)
    }

    pub(crate) fn weekly_input() -> OfferInput {
        OfferInput {
            kind: "weekly".into(),
            windows: vec![WindowInput {
                weekday: "5".into(),
                from: "22:00".into(),
                to: "02:00".into(),
                ..Default::default()
            }],
            districts: vec![district()],
            skills: "första hjälpen, ".into(),
            languages: "svenska, arabiska".into(),
            note: "  Helst fredagar ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn dates_parse_only_real_days() {
        assert!(Date::parse("2028-02-29").is_some());
        assert!(Date::parse("2027-02-29").is_none());
        assert!(Date::parse("2100-02-29").is_none());
        assert!(Date::parse("2026-04-31").is_none());
        assert!(Date::parse("2026-4-03").is_none());
        assert!(Date::parse("1999-12-31").is_none());
        assert_eq!(
            Date::parse(" 2026-11-24 ").unwrap().to_string(),
            "2026-11-24"
        );
    }

    #[test]
    fn weekday_of_known_dates() {
        assert_eq!(Date::parse("2026-11-24").unwrap().weekday(), 2); // a Tuesday
        assert_eq!(Date::parse("2000-01-01").unwrap().weekday(), 6); // a Saturday
        assert_eq!(Date::parse("2026-03-01").unwrap().weekday(), 7); // a Sunday
    }

    #[test]
    fn times_accept_the_swedish_dot_and_refuse_nonsense() {
        assert_eq!(TimeOfDay::parse("18.30").unwrap().to_string(), "18:30");
        assert_eq!(TimeOfDay::parse("8:05").unwrap().to_string(), "08:05");
        for bad in ["24:00", "12:60", "1230", "12:3", "-1:00", ""] {
            assert!(TimeOfDay::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_weekly_night_walk_is_a_valid_offer() {
        let offer = weekly_input().validate(&Known::default()).unwrap();
        assert_eq!(offer.skills, vec!["första hjälpen"]);
        assert_eq!(offer.note, "Helst fredagar");
        assert!(!offer.paused);
        assert_eq!(
            OfferInput::from_offer(&offer).validate(&Known::default()),
            Ok(offer)
        );
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let input = OfferInput {
            kind: "one_off".into(),
            windows: vec![
                WindowInput {
                    date: "2026-02-30".into(),
                    from: "9".into(),
                    to: "10:00".into(),
                    ..Default::default()
                },
                WindowInput {
                    date: "2026-12-01".into(),
                    from: "10:00".into(),
                    to: "10.00".into(),
                    ..Default::default()
                },
            ],
            note: "x".repeat(limits::NOTE + 1),
            ..Default::default()
        };
        let errors = input.validate(&Known::default()).unwrap_err().0;
        assert_eq!(errors["window-0-date"], vec!["date_invalid"]);
        assert_eq!(errors["window-0-from"], vec!["time_invalid"]);
        assert_eq!(errors["districts"], vec!["choose_one"]);
        // The stored-offer rules run once the form itself parses.
        assert!(!errors.contains_key("window-1-to"));
        let mut fixed = input.clone();
        fixed.windows[0] = WindowInput {
            date: "2026-12-01".into(),
            from: "09:00".into(),
            to: "10:00".into(),
            ..Default::default()
        };
        fixed.districts = vec![district()];
        let errors = fixed.validate(&Known::default()).unwrap_err().0;
        assert_eq!(errors["window-1-to"], vec!["same_time"]);
        assert_eq!(errors["note"], vec!["too_long"]);
    }

    #[test]
    fn windows_are_required_unless_flexible() {
        let mut input = weekly_input();
        input.windows.clear();
        assert_eq!(
            input.validate(&Known::default()).unwrap_err().0["windows"],
            vec!["window_required"]
        );
        input.kind = "flexible".into();
        assert!(input.validate(&Known::default()).is_ok());
    }

    #[test]
    fn unknown_districts_are_refused_when_the_list_is_known() {
        let known = Known {
            districts: Some(BTreeSet::from([Uuid::from_u128(7)])),
            areas: Some(BTreeSet::new()),
            ..Known::default()
        };
        let errors = weekly_input().validate(&known).unwrap_err().0;
        assert_eq!(errors["districts"], vec!["unknown_choice"]);
    }

    #[test]
    fn offers_round_trip_through_json() {
        let offer = weekly_input().validate(&Known::default()).unwrap();
        let json = serde_json::to_string(&offer).unwrap();
        assert!(json.contains(r#""from":"22:00""#), "{json}");
        assert_eq!(serde_json::from_str::<OfferData>(&json).unwrap(), offer);
        let bad = json.replace("22:00", "25:00");
        assert!(serde_json::from_str::<OfferData>(&bad).is_err());
    }

    proptest! {
        #[test]
        fn any_typed_date_or_time_either_parses_back_the_same_or_is_refused(s in "[0-9:.\\- ]{0,12}") {
            if let Some(d) = Date::parse(&s) {
                prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
            }
            if let Some(t) = TimeOfDay::parse(&s) {
                prop_assert_eq!(TimeOfDay::parse(&t.to_string()), Some(t));
            }
        }

        #[test]
        fn consecutive_days_have_consecutive_weekdays(days in 0u32..36500) {
            // Walk from 2000-01-01 (a Saturday) by `days`, counting calendar days by hand.
            let mut d = Date::parse("2000-01-01").unwrap();
            for _ in 0..(days % 400) {
                let next = Date { day: d.day + 1, ..d };
                d = if Date::parse(&next.to_string()).is_some() { next }
                    else if d.month < 12 { Date { month: d.month + 1, day: 1, ..d } }
                    else { Date { year: d.year + 1, month: 1, day: 1 } };
            }
            prop_assert_eq!(u32::from(d.weekday()), (5 + days % 400) % 7 + 1);
        }
    }
}

//! Activities: a group asks for volunteers on dated occasions or on a weekly recurrence (the
//! night walk every Friday 21–24), each occasion with one or more shifts of a fixed number of
//! places. Volunteers sign up; the server decides who gets a place and who waits; afterwards
//! the group marks who came and the hours are logged and confirmed.
//!
//! Everything here is pure and shared: the form, the phone's optimistic view and the server's
//! authoritative decision run the same rules.
//!
//! Times: an occasion keeps its wall-clock times in Europe/Stockholm whatever the season (the
//! walk starts at 21:00 in March and in November), is dated by the day it starts, and ends the
//! next day when its end is not after its start (21:00–02:00).
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::forms::{optional_text, FieldErrors};
use super::local_time::stockholm_to_utc;
use super::offer::{Date, TimeOfDay};
use super::text::Lines;

/// The most occasions one activity has: a year of every day.
pub const MAX_OCCASIONS: usize = 366;
/// A recurrence runs at most this many days, first to last.
pub const MAX_SPAN_DAYS: i64 = 366;
/// The most dates a list of dated occasions has.
pub const MAX_DATED: usize = 60;
/// The most shifts an occasion has.
pub const MAX_SHIFTS: usize = 8;
/// The most places one shift has (a typing mistake beyond this).
pub const MAX_PLACES: u16 = 500;
/// A shift's name, in characters.
pub const LABEL_MAX: usize = 60;
/// Hours one logs for one shift at most, in minutes (a day).
pub const MAX_LOGGED_MINUTES: u32 = 24 * 60;

/// The form's field name for part `part` of shift number `index`.
pub fn shift_field(index: usize, part: &str) -> String {
    format!("shift-{index}-{part}")
}

/// On which days an activity happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Dates {
    /// These dates.
    Dated { dates: Vec<Date> },
    /// Every week on these weekdays (1 = Monday … 7 = Sunday), from one date to another
    /// (both included), except some dates.
    Weekly {
        weekdays: Vec<u8>,
        from: Date,
        until: Date,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        except: Vec<Date>,
    },
}

/// One kind of place at each occasion ("walker", "walk leader"), and how many there are.
/// `id` stays when the name or places change, so a sign-up keeps its shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftSpec {
    pub id: u8,
    pub label: String,
    pub places: u16,
    /// Whoever comes when it is full waits for a place (else they are turned away).
    #[serde(default = "yes")]
    pub waiting_list: bool,
}

fn yes() -> bool {
    true
}

/// When an activity happens and which places it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub starts: TimeOfDay,
    pub ends: TimeOfDay,
    pub dates: Dates,
    pub shifts: Vec<ShiftSpec>,
}

/// One dated happening of an activity: starts and ends as UTC instants (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occasion {
    /// The Stockholm date it starts on: with the activity, what names the occasion.
    pub date: Date,
    pub starts_at: i64,
    pub ends_at: i64,
}

impl Occasion {
    /// Two occasions share a moment (touching ends do not).
    pub fn overlaps(&self, other: &Occasion) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    /// How long it lasts, in minutes (three hours on most nights, two or four across a
    /// daylight-saving change).
    pub fn minutes(&self) -> u32 {
        u32::try_from((self.ends_at - self.starts_at) / 60).unwrap_or(0)
    }
}

impl Schedule {
    /// It ends the day after it starts.
    pub fn crosses_midnight(&self) -> bool {
        self.ends <= self.starts
    }

    /// The occasion on `date`, whether or not the schedule has one that day.
    pub fn occasion(&self, date: Date) -> Occasion {
        wall_clock_span(date, self.starts, self.ends)
    }

    /// The dates it happens on, in order, each once, never more than [`MAX_OCCASIONS`] (also
    /// for a schedule that has not been checked).
    pub fn dates(&self) -> Vec<Date> {
        let mut dates = match &self.dates {
            Dates::Dated { dates } => dates.clone(),
            Dates::Weekly {
                weekdays,
                from,
                until,
                except,
            } => {
                let span = (until.days() - from.days()).clamp(-1, MAX_SPAN_DAYS - 1);
                (0..=span)
                    .map(|n| from.plus_days(n))
                    .filter(|d| weekdays.contains(&d.weekday()) && !except.contains(d))
                    .collect()
            }
        };
        dates.sort();
        dates.dedup();
        dates.truncate(MAX_OCCASIONS);
        dates
    }

    pub fn occasions(&self) -> Vec<Occasion> {
        self.dates().into_iter().map(|d| self.occasion(d)).collect()
    }

    pub fn shift(&self, id: u8) -> Option<&ShiftSpec> {
        self.shifts.iter().find(|s| s.id == id)
    }

    /// The rules a stored schedule always keeps. Field names match the form's.
    pub fn check(&self, errors: &mut FieldErrors) {
        if self.starts == self.ends {
            errors.add("ends", "same_time");
        }
        match &self.dates {
            Dates::Dated { dates } => {
                if dates.is_empty() {
                    errors.add("dates", "required");
                } else if dates.len() > MAX_DATED {
                    errors.add("dates", "too_many_dates");
                }
            }
            Dates::Weekly {
                weekdays,
                from,
                until,
                except,
            } => {
                if weekdays.is_empty() {
                    errors.add("weekdays", "choose_one");
                } else if weekdays.iter().any(|d| !(1..=7).contains(d)) {
                    errors.add("weekdays", "unknown_choice");
                }
                if until < from {
                    errors.add("last_date", "end_before_start");
                } else if until.days() - from.days() >= MAX_SPAN_DAYS {
                    errors.add("last_date", "recurrence_too_long");
                }
                if except.iter().any(|d| d < from || d > until) {
                    errors.add("except", "except_outside");
                }
                if except.len() > MAX_OCCASIONS {
                    errors.add("except", "too_many_dates");
                }
            }
        }
        if self.shifts.is_empty() {
            errors.add("shifts", "required");
        } else if self.shifts.len() > MAX_SHIFTS {
            errors.add("shifts", "too_many_shifts");
        }
        for (index, shift) in self.shifts.iter().enumerate() {
            let label = shift_field(index, "label");
            if shift.label.trim() != shift.label {
                errors.add(&label, "untrimmed");
            } else {
                optional_text(errors, &label, &shift.label, LABEL_MAX, Lines::One);
            }
            if shift.places == 0 {
                errors.add(&shift_field(index, "places"), "places_positive");
            } else if shift.places > MAX_PLACES {
                errors.add(&shift_field(index, "places"), "places_range");
            }
            if self.shifts[..index].iter().any(|s| s.id == shift.id) {
                errors.add("shifts", "duplicate_shift");
            }
        }
    }

    /// A schedule set on `today` must have an occasion from then on (earlier dates may stay:
    /// an edit keeps the occasions already held).
    pub fn check_dates(&self, today: Date, errors: &mut FieldErrors) {
        if !self.dates().iter().any(|d| *d >= today) {
            let field = match self.dates {
                Dates::Dated { .. } => "dates",
                Dates::Weekly { .. } => "last_date",
            };
            errors.add(field, "no_future_occasion");
        }
    }
}

/// What changed for one date when a schedule is edited on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rescheduled {
    /// A date the old schedule did not have.
    Added(Occasion),
    /// Same date, other times: those signed up are told.
    Moved { from: Occasion, to: Occasion },
    /// The date is gone: the occasion is cancelled and those signed up are told.
    Vanished(Occasion),
}

/// How an edit from `old` to `new` on `today` changes the occasions: only those from today
/// on; what has happened stays as it was.
pub fn reschedule(old: &Schedule, new: &Schedule, today: Date) -> Vec<Rescheduled> {
    let before: Vec<Occasion> = old
        .occasions()
        .into_iter()
        .filter(|o| o.date >= today)
        .collect();
    let after: Vec<Occasion> = new
        .occasions()
        .into_iter()
        .filter(|o| o.date >= today)
        .collect();
    let mut changes = Vec::new();
    for from in &before {
        match after.iter().find(|o| o.date == from.date) {
            Some(to) if to != from => changes.push(Rescheduled::Moved {
                from: *from,
                to: *to,
            }),
            Some(_) => {}
            None => changes.push(Rescheduled::Vanished(*from)),
        }
    }
    for to in &after {
        if !before.iter().any(|o| o.date == to.date) {
            changes.push(Rescheduled::Added(*to));
        }
    }
    changes
}

/// Where a sign-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpStatus {
    /// Made on the phone, not yet decided by the server ("waiting for confirmation").
    Requested,
    /// Has a place.
    Confirmed,
    /// The shift was full: on the waiting list.
    Waiting,
    /// The volunteer took it back.
    Withdrawn,
    /// The occasion was cancelled.
    Cancelled,
}

impl SignUpStatus {
    pub const ALL: [SignUpStatus; 5] = [
        SignUpStatus::Requested,
        SignUpStatus::Confirmed,
        SignUpStatus::Waiting,
        SignUpStatus::Withdrawn,
        SignUpStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignUpStatus::Requested => "requested",
            SignUpStatus::Confirmed => "confirmed",
            SignUpStatus::Waiting => "waiting",
            SignUpStatus::Withdrawn => "withdrawn",
            SignUpStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<SignUpStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Still in the running for a place (or holding one).
    pub fn is_active(self) -> bool {
        match self {
            SignUpStatus::Requested | SignUpStatus::Confirmed | SignUpStatus::Waiting => true,
            SignUpStatus::Withdrawn | SignUpStatus::Cancelled => false,
        }
    }
}

/// One sign-up to a shift, as the place rule sees it. The waiting list is ordered by `order`:
/// when the volunteer signed up (as their phone said, never later than the server received it)
/// and then the sign-up's id, so the same sign-ups make the same list, in whatever order they
/// reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub id: Uuid,
    pub order: (i64, Uuid),
    pub status: SignUpStatus,
}

/// The place rule of one shift with `places` places: a new sign-up gets a place while one is
/// free, else it waits. A place once given is never taken back by the rule.
pub fn decide(places: u16, held: &[Place]) -> SignUpStatus {
    if confirmed(held) < usize::from(places) {
        SignUpStatus::Confirmed
    } else {
        SignUpStatus::Waiting
    }
}

/// Who moves up from the waiting list into the places that are free, first in order first.
pub fn promote(places: u16, held: &[Place]) -> Vec<Uuid> {
    let free = usize::from(places).saturating_sub(confirmed(held));
    let mut waiting = waiting_list(held);
    waiting.truncate(free);
    waiting
}

fn confirmed(held: &[Place]) -> usize {
    held.iter()
        .filter(|p| p.status == SignUpStatus::Confirmed)
        .count()
}

/// The waiting list in order.
pub fn waiting_list(held: &[Place]) -> Vec<Uuid> {
    let mut waiting: Vec<&Place> = held
        .iter()
        .filter(|p| p.status == SignUpStatus::Waiting)
        .collect();
    waiting.sort_by_key(|p| p.order);
    waiting.into_iter().map(|p| p.id).collect()
}

/// The rules a stored sign-up keeps, given its occasion when it is known (`None` on a phone
/// that has not pulled it yet: the server, which always knows, judges then).
pub fn check_sign_up(
    data: &SignUpData,
    occasion: Option<&OccasionData>,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let planned = match occasion {
        Some(o) => {
            if o.need != data.need || o.group != data.group {
                errors.add("occasion", "unknown_choice");
            }
            if o.shift(data.shift).is_none() {
                errors.add("shift", "unknown_choice");
            }
            o.occasion().minutes()
        }
        None => MAX_LOGGED_MINUTES,
    };
    if let Some(hours) = &data.hours {
        check_hours(hours.minutes, planned, &hours.reason, &mut errors);
    }
    errors.finish(|| ())
}

/// Hours as typed: `3`, `2,5`, `2.5` or `2:30`; in minutes. `None` when it does not read.
pub fn parse_hours(raw: &str) -> Option<u32> {
    let raw = raw.trim().trim_end_matches(['h', 't']).trim();
    if let Some((h, m)) = raw.split_once(':') {
        let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
        return (m < 60 && h <= 99).then_some(h * 60 + m);
    }
    let (whole, fraction) = match raw.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (raw, ""),
    };
    let whole: u32 = whole.parse().ok()?;
    if whole > 99 || fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hundredths: u32 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 60 + (hundredths * 60 + 50) / 100)
}

/// Minutes as hours to show: `3`, `2,5`, `1,75`.
pub fn hours_text(minutes: u32) -> String {
    let hundredths = (minutes * 100 + 30) / 60;
    match hundredths % 100 {
        0 => (hundredths / 100).to_string(),
        f if f % 10 == 0 => format!("{},{}", hundredths / 100, f / 10),
        f => format!("{},{f:02}", hundredths / 100),
    }
}

/// Hours a volunteer logs for a shift: more than the shift lasted needs a reason.
pub fn check_hours(minutes: u32, planned: u32, reason: &str, errors: &mut FieldErrors) {
    if minutes == 0 {
        errors.add("hours", "hours_positive");
    } else if minutes > MAX_LOGGED_MINUTES {
        errors.add("hours", "hours_range");
    } else if minutes > planned && reason.trim().is_empty() {
        errors.add("reason", "hours_over_shift");
    }
    if reason.trim() != reason {
        errors.add("reason", "untrimmed");
    } else {
        optional_text(errors, "reason", reason, 500, Lines::Many);
    }
}

/// The id of the occasion of activity `need` on `date`: the same on every phone and on the
/// server, so a phone can name an occasion before the server's record of it arrives.
pub fn occasion_id(need: Uuid, date: Date) -> Uuid {
    Uuid::new_v5(&need, date.to_string().as_bytes())
}

/// Whether an occasion is still on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccasionStatus {
    Scheduled,
    /// Taken off the schedule (or the activity was withdrawn): those signed up were told.
    Cancelled,
}

impl OccasionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OccasionStatus::Scheduled => "scheduled",
            OccasionStatus::Cancelled => "cancelled",
        }
    }
}

/// A shift at one occasion, with how many places are taken: public (no names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftCount {
    pub id: u8,
    pub label: String,
    pub places: u16,
    #[serde(default = "yes")]
    pub waiting_list: bool,
    pub confirmed: u16,
    pub waiting: u16,
}

impl ShiftCount {
    pub fn free(&self) -> u16 {
        self.places.saturating_sub(self.confirmed)
    }
}

/// An occasion as stored and synced. Only the server writes it, from the activity's schedule
/// and its sign-ups; everyone who sees the activity sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccasionData {
    pub need: Uuid,
    pub group: Uuid,
    pub district: Uuid,
    pub title: String,
    pub place: String,
    pub date: Date,
    /// Unix seconds.
    pub starts_at: i64,
    pub ends_at: i64,
    pub shifts: Vec<ShiftCount>,
    pub status: OccasionStatus,
    /// The times it had before it was moved (Unix seconds, start and end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<(i64, i64)>,
    /// Open for sign-ups and shown in its district: the activity is open, the occasion on.
    pub open: bool,
}

impl OccasionData {
    pub fn occasion(&self) -> Occasion {
        Occasion {
            date: self.date,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    pub fn shift(&self, id: u8) -> Option<&ShiftCount> {
        self.shifts.iter().find(|s| s.id == id)
    }
}

/// What a volunteer is told about their sign-up (until they have seen it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The shift was full: on the waiting list.
    Waitlisted,
    /// Moved up from the waiting list: has a place now.
    Promoted,
    /// The occasion moved to other times.
    Moved,
    /// The occasion was cancelled.
    Cancelled,
}

impl Notice {
    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Waitlisted => "waitlisted",
            Notice::Promoted => "promoted",
            Notice::Moved => "moved",
            Notice::Cancelled => "cancelled",
        }
    }
}

/// Hours logged for a shift, and who confirmed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    pub minutes: u32,
    /// Why more than the shift lasted (required then).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<Uuid>,
}

/// How a group's contact reaches a volunteer who took a shift (`NeedPage::coming`): read on
/// the server for that group's contacts only, never synced to a phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteerContact {
    pub occasion: Uuid,
    pub shift: u8,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A volunteer's sign-up to a shift, as stored and synced: the volunteer and the group see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpData {
    pub occasion: Uuid,
    pub need: Uuid,
    pub group: Uuid,
    pub shift: u8,
    pub volunteer: Uuid,
    /// The volunteer's name as the group sees it: the server writes it from their account
    /// (a pseudonym once the account is closed).
    #[serde(default)]
    pub name: String,
    /// The activity's title and place and the occasion's times (Unix seconds), as the server
    /// last wrote them: a phone shows "my shifts" (and the calendar feed lists them) without
    /// holding every occasion.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub starts_at: i64,
    #[serde(default)]
    pub ends_at: i64,
    pub status: SignUpStatus,
    /// When the volunteer signed up (Unix seconds, by their phone's clock; the server never
    /// lets it be later than when the sign-up reached it). Orders the waiting list.
    pub requested_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attended: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
}

impl SignUpData {
    pub fn occasion_times(&self) -> Occasion {
        Occasion {
            date: Date::at_unix(self.starts_at),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }

    pub fn place(&self, id: Uuid) -> Place {
        Place {
            id,
            order: (self.requested_at, id),
            status: self.status,
        }
    }
}

/// An edit of a sign-up: only the fields changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SignUpStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attended: Option<Option<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Option<Hours>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Option<Notice>>,
    /// Only the server renames (a closed account's pseudonym).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Only the server moves a sign-up with its occasion: new start and end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<(i64, i64)>,
}

impl SignUpPatch {
    pub fn apply_to(&self, data: &SignUpData) -> SignUpData {
        let mut data = data.clone();
        if let Some(status) = self.status {
            data.status = status;
        }
        if let Some(attended) = self.attended {
            data.attended = attended;
        }
        if let Some(hours) = &self.hours {
            data.hours = hours.clone();
        }
        if let Some(notice) = self.notice {
            data.notice = notice;
        }
        if let Some(name) = &self.name {
            data.name = name.clone();
        }
        if let Some((starts_at, ends_at)) = self.when {
            data.starts_at = starts_at;
            data.ends_at = ends_at;
        }
        data
    }
}

/// Who is acting on a sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpActor {
    /// The volunteer whose sign-up it is.
    Volunteer,
    /// A contact of the group (not the volunteer).
    Contact,
    /// Municipal staff (not the volunteer).
    Staff,
    /// The server itself: decides places, moves the waiting list, tells of changes.
    System,
    Other,
}

/// Only the volunteer signs up, and a sign-up starts undecided.
pub fn may_sign_up(actor: SignUpActor, data: &SignUpData) -> bool {
    actor == SignUpActor::System
        || (actor == SignUpActor::Volunteer
            && data.status == SignUpStatus::Requested
            && data.attended.is_none()
            && data.hours.is_none()
            && data.notice.is_none())
}

/// Who may make `patch` to `current`:
/// - the volunteer withdraws while in the running, logs hours while they hold a place (never
///   confirmed ones), and dismisses what they were told;
/// - a contact of the group or staff marks who came and confirms hours as themselves — never
///   their own (they are not the volunteer here);
/// - the server decides places and tells of changes.
pub fn may_change_sign_up(
    actor: SignUpActor,
    actor_id: Option<Uuid>,
    current: &SignUpData,
    patch: &SignUpPatch,
) -> bool {
    let holds_place = current.status == SignUpStatus::Confirmed;
    match actor {
        SignUpActor::System => true,
        SignUpActor::Volunteer => {
            let status = patch.status.is_none_or(|to| {
                to == current.status
                    || (to == SignUpStatus::Withdrawn && current.status.is_active())
            });
            let hours = match &patch.hours {
                None => true,
                Some(None) => current
                    .hours
                    .as_ref()
                    .is_none_or(|h| h.confirmed_by.is_none()),
                Some(Some(h)) => {
                    holds_place
                        && h.confirmed_by.is_none()
                        && current
                            .hours
                            .as_ref()
                            .is_none_or(|c| c.confirmed_by.is_none())
                }
            };
            let notice = patch.notice.is_none_or(|n| n.is_none());
            status
                && hours
                && notice
                && patch.attended.is_none()
                && patch.name.is_none()
                && patch.when.is_none()
        }
        SignUpActor::Contact | SignUpActor::Staff => {
            let hours = match &patch.hours {
                None => true,
                Some(None) => false,
                Some(Some(h)) => {
                    holds_place && h.confirmed_by.is_some() && h.confirmed_by == actor_id
                }
            };
            let attended = patch.attended.is_none() || holds_place;
            patch.status.is_none()
                && patch.notice.is_none()
                && patch.name.is_none()
                && patch.when.is_none()
                && hours
                && attended
        }
        SignUpActor::Other => false,
    }
}

/// From `starts` on `date` to `ends` (Stockholm wall clock) as UTC instants: an end not after
/// the start is on the next day. An activity's occasion, and a volunteer's availability window.
fn wall_clock_span(date: Date, starts: TimeOfDay, ends: TimeOfDay) -> Occasion {
    let day = date.days();
    let end_day = if ends <= starts { day + 1 } else { day };
    let starts_at = stockholm_to_utc(day, starts.minutes().into());
    // Only a start inside the skipped spring hour, moved on past an end just after it
    // (02:30–03:00 that night), could pass its end: such a span lasts no time.
    let ends_at = stockholm_to_utc(end_day, ends.minutes().into()).max(starts_at);
    Occasion {
        date,
        starts_at,
        ends_at,
    }
}

/// "Fits my offers": the offer is not paused, names the occasion's district (an offer without
/// districts fits anywhere), and one of its windows shares a moment with the occasion (a
/// flexible offer fits any time). Windows are read on the occasion's day and the days either
/// side, so a walk past midnight meets a window on the next day and a late window the walk.
pub fn offer_fits(offer: &super::offer::OfferData, occasion: &Occasion, district: Uuid) -> bool {
    use super::offer::Availability;
    if offer.paused || !(offer.districts.is_empty() || offer.districts.contains(&district)) {
        return false;
    }
    let days = [
        occasion.date.plus_days(-1),
        occasion.date,
        occasion.date.plus_days(1),
    ];
    match &offer.availability {
        Availability::Flexible => true,
        Availability::OneOff { windows } => windows.iter().any(|w| {
            days.contains(&w.date) && wall_clock_span(w.date, w.from, w.to).overlaps(occasion)
        }),
        Availability::Weekly {
            windows,
            valid_from,
            valid_until,
        } => days.iter().any(|day| {
            valid_from.is_none_or(|from| *day >= from)
                && valid_until.is_none_or(|until| *day <= until)
                && windows.iter().any(|w| {
                    w.weekday == day.weekday()
                        && wall_clock_span(*day, w.from, w.to).overlaps(occasion)
                })
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn date(raw: &str) -> Date {
        Date::parse(raw).unwrap()
    }

    fn time(raw: &str) -> TimeOfDay {
        TimeOfDay::parse(raw).unwrap()
    }

    /// The night walkers: every Friday 21–24, four places.
    pub(crate) fn friday_walks(from: &str, until: &str) -> Schedule {
        Schedule {
            starts: time("21:00"),
            ends: time("00:00"),
            dates: Dates::Weekly {
                weekdays: vec![5],
                from: date(from),
                until: date(until),
                except: vec![],
            },
            shifts: vec![ShiftSpec {
                id: 1,
                label: String::new(),
                places: 4,
                waiting_list: true,
            }],
        }
    }

    fn errors_of(schedule: &Schedule) -> Vec<(String, String)> {
        let mut errors = FieldErrors::default();
        schedule.check(&mut errors);
        errors
            .0
            .into_iter()
            .flat_map(|(f, keys)| keys.into_iter().map(move |k| (f.clone(), k)))
            .collect()
    }

    #[test]
    fn a_friday_walk_until_midnight_ends_on_saturday() {
        let walks = friday_walks("2026-12-01", "2026-12-31");
        let dates: Vec<String> = walks.dates().iter().map(Date::to_string).collect();
        assert_eq!(
            dates,
            ["2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25"]
        );
        let first = walks.occasions()[0];
        assert_eq!(
            crate::domain::local_time::format_utc(first.starts_at),
            "2026-12-04T20:00:00Z"
        );
        assert_eq!(
            crate::domain::local_time::format_utc(first.ends_at),
            "2026-12-04T23:00:00Z"
        );
        assert_eq!(first.minutes(), 180);
    }

    #[test]
    fn the_walk_keeps_its_wall_clock_across_the_spring_change() {
        // Saturday night 2027-03-27 22:00 to 04:00 spans the switch to summer time.
        let mut night = friday_walks("2027-03-20", "2027-04-03");
        night.starts = time("22:00");
        night.ends = time("04:00");
        night.dates = Dates::Weekly {
            weekdays: vec![6],
            from: date("2027-03-20"),
            until: date("2027-04-03"),
            except: vec![date("2027-04-03")],
        };
        let minutes: Vec<u32> = night.occasions().iter().map(Occasion::minutes).collect();
        assert_eq!(minutes, [360, 300]);
    }

    #[test]
    fn bad_schedules_are_refused_field_by_field() {
        let mut s = friday_walks("2026-12-31", "2026-12-01");
        s.ends = s.starts;
        s.shifts[0].places = 0;
        let errors = errors_of(&s);
        assert!(errors.contains(&("ends".into(), "same_time".into())));
        assert!(errors.contains(&("last_date".into(), "end_before_start".into())));
        assert!(errors.contains(&("shift-0-places".into(), "places_positive".into())));

        // A year (a day more than 365 days after the first) is too long.
        assert!(errors_of(&friday_walks("2026-12-01", "2027-12-01")).is_empty());
        let long = friday_walks("2026-12-01", "2027-12-02");
        assert_eq!(
            errors_of(&long),
            [("last_date".into(), "recurrence_too_long".into())]
        );
        let mut none = friday_walks("2026-12-01", "2026-12-31");
        none.dates = Dates::Weekly {
            weekdays: vec![],
            from: date("2026-12-01"),
            until: date("2026-12-31"),
            except: vec![],
        };
        none.shifts.clear();
        assert_eq!(
            errors_of(&none),
            [
                ("shifts".into(), "required".into()),
                ("weekdays".into(), "choose_one".into())
            ]
        );
    }

    #[test]
    fn a_schedule_wholly_in_the_past_is_refused() {
        let s = friday_walks("2026-01-01", "2026-02-01");
        let mut errors = FieldErrors::default();
        s.check_dates(date("2026-11-30"), &mut errors);
        assert_eq!(
            errors,
            FieldErrors::single("last_date", "no_future_occasion")
        );
        let mut errors = FieldErrors::default();
        s.check_dates(date("2026-01-10"), &mut errors);
        assert!(errors.is_empty());
    }

    #[test]
    fn an_edit_moves_and_cancels_only_future_occasions() {
        let old = friday_walks("2026-11-01", "2026-12-31");
        let mut new = friday_walks("2026-11-01", "2026-12-18");
        new.starts = time("20:00");
        let changes = reschedule(&old, &new, date("2026-12-01"));
        assert_eq!(changes.len(), 4);
        assert!(matches!(changes[0], Rescheduled::Moved { from, to }
            if from.date == date("2026-12-04") && to.starts_at == from.starts_at - 3600));
        assert!(matches!(changes[3], Rescheduled::Vanished(o) if o.date == date("2026-12-25")));
        // November's walks are past: untouched.
        assert!(changes.iter().all(|c| match c {
            Rescheduled::Added(o) | Rescheduled::Vanished(o) => o.date >= date("2026-12-01"),
            Rescheduled::Moved { from, .. } => from.date >= date("2026-12-01"),
        }));
    }

    #[test]
    fn the_waiting_list_moves_up_in_order_when_a_place_frees() {
        let id = |n| Uuid::from_u128(n);
        let place = |n, at, status| Place {
            id: id(n),
            order: (at, id(n)),
            status,
        };
        let mut held = vec![
            place(1, 10, SignUpStatus::Confirmed),
            place(2, 30, SignUpStatus::Waiting),
            place(3, 20, SignUpStatus::Waiting),
        ];
        assert_eq!(decide(1, &held), SignUpStatus::Waiting);
        assert_eq!(promote(1, &held), Vec::<Uuid>::new());
        held[0].status = SignUpStatus::Withdrawn;
        assert_eq!(promote(1, &held), vec![id(3)]);
        assert_eq!(waiting_list(&held), vec![id(3), id(2)]);
    }

    #[test]
    fn hours_read_as_swedes_write_them() {
        assert_eq!(parse_hours("3"), Some(180));
        assert_eq!(parse_hours("2,5"), Some(150));
        assert_eq!(parse_hours("2.5 h"), Some(150));
        assert_eq!(parse_hours("2:30"), Some(150));
        assert_eq!(parse_hours("0,25"), Some(15));
        assert_eq!(parse_hours("tre"), None);
        assert_eq!(parse_hours("-1"), None);
        assert_eq!(parse_hours("1:75"), None);
        assert_eq!(hours_text(180), "3");
        assert_eq!(hours_text(150), "2,5");
        assert_eq!(hours_text(105), "1,75");
    }

    #[test]
    fn hours_over_the_shift_need_a_reason() {
        let judge = |minutes, reason: &str| {
            let mut errors = FieldErrors::default();
            check_hours(minutes, 180, reason, &mut errors);
            errors
        };
        assert!(judge(180, "").is_empty());
        assert_eq!(judge(0, ""), FieldErrors::single("hours", "hours_positive"));
        assert_eq!(
            judge(240, ""),
            FieldErrors::single("reason", "hours_over_shift")
        );
        assert!(judge(240, "Vi följde en ungdom hem").is_empty());
        assert_eq!(
            judge(25 * 60, "x"),
            FieldErrors::single("hours", "hours_range")
        );
    }

    fn offer(
        availability: crate::domain::offer::Availability,
        districts: Vec<Uuid>,
    ) -> crate::domain::offer::OfferData {
        crate::domain::offer::OfferData {
            availability,
            districts,
            areas: vec![],
            skills: vec![],
            languages: vec![],
            note: String::new(),
            paused: false,
        }
    }

    fn weekly(windows: &[(u8, &str, &str)]) -> crate::domain::offer::Availability {
        crate::domain::offer::Availability::Weekly {
            windows: windows
                .iter()
                .map(|(weekday, from, to)| crate::domain::offer::WeeklyWindow {
                    weekday: *weekday,
                    from: time(from),
                    to: time(to),
                })
                .collect(),
            valid_from: None,
            valid_until: None,
        }
    }

    #[test]
    fn an_offer_fits_a_walk_it_shares_a_moment_with_in_its_district() {
        let sickla = Uuid::from_u128(1);
        let walks = friday_walks("2026-12-01", "2026-12-31");
        // Friday 4 December, 21:00–24:00.
        let walk = walks.occasion(date("2026-12-04"));
        let fits = |availability, districts: Vec<Uuid>| {
            offer_fits(&offer(availability, districts), &walk, sickla)
        };
        assert!(fits(weekly(&[(5, "18:00", "22:00")]), vec![sickla]));
        assert!(
            fits(weekly(&[(5, "18:00", "22:00")]), vec![]),
            "no district: anywhere"
        );
        // Touching is not sharing: the offer ends as the walk starts.
        assert!(!fits(weekly(&[(5, "17:00", "21:00")]), vec![sickla]));
        // Another weekday, another district.
        assert!(!fits(weekly(&[(4, "18:00", "23:00")]), vec![sickla]));
        assert!(!fits(
            weekly(&[(5, "18:00", "22:00")]),
            vec![Uuid::from_u128(2)]
        ));
        // A Thursday night owl's window past midnight does not reach Friday evening, a
        // Friday-night one does, and so does one on Saturday just after midnight… only if the
        // walk goes on past it (this one ends at 24:00 sharp).
        assert!(!fits(weekly(&[(4, "22:00", "02:00")]), vec![sickla]));
        assert!(fits(weekly(&[(5, "23:00", "01:00")]), vec![sickla]));
        assert!(!fits(weekly(&[(6, "00:00", "01:00")]), vec![sickla]));
        let mut late = walks.clone();
        late.ends = time("02:00");
        let late_walk = late.occasion(date("2026-12-04"));
        assert!(offer_fits(
            &offer(weekly(&[(6, "00:00", "01:00")]), vec![]),
            &late_walk,
            sickla
        ));
        // Flexible fits any time; a paused offer nothing.
        assert!(fits(
            crate::domain::offer::Availability::Flexible,
            vec![sickla]
        ));
        let mut paused = offer(crate::domain::offer::Availability::Flexible, vec![]);
        paused.paused = true;
        assert!(!offer_fits(&paused, &walk, sickla));
        // Weekly only between its dates; one-off only on its day.
        let ended = crate::domain::offer::Availability::Weekly {
            windows: vec![crate::domain::offer::WeeklyWindow {
                weekday: 5,
                from: time("20:00"),
                to: time("23:00"),
            }],
            valid_from: None,
            valid_until: Some(date("2026-12-03")),
        };
        assert!(!fits(ended, vec![]));
        let one_off = |day: &str| crate::domain::offer::Availability::OneOff {
            windows: vec![crate::domain::offer::DateWindow {
                date: date(day),
                from: time("20:00"),
                to: time("21:30"),
            }],
        };
        assert!(fits(one_off("2026-12-04"), vec![]));
        assert!(!fits(one_off("2026-12-11"), vec![]));
    }

    fn any_date() -> impl Strategy<Value = Date> {
        // 2000-01-01 .. 2099-12-31
        (0i64..36_524).prop_map(|d| date("2000-01-01").plus_days(d))
    }

    fn any_time() -> impl Strategy<Value = TimeOfDay> {
        (0u16..24, prop::sample::select(vec![0u16, 15, 30, 45]))
            .prop_map(|(h, m)| time(&format!("{h:02}:{m:02}")))
    }

    fn any_schedule() -> impl Strategy<Value = Schedule> {
        let weekly = (
            prop::collection::vec(1u8..=7, 1..4),
            any_date(),
            -10i64..800,
            prop::collection::vec(0i64..800, 0..5),
        )
            .prop_map(|(weekdays, from, span, except)| Dates::Weekly {
                weekdays,
                from,
                until: from.plus_days(span),
                except: except.into_iter().map(|n| from.plus_days(n)).collect(),
            });
        let dated =
            prop::collection::vec(any_date(), 0..80).prop_map(|dates| Dates::Dated { dates });
        (any_time(), any_time(), prop_oneof![weekly, dated]).prop_map(|(starts, ends, dates)| {
            Schedule {
                starts,
                ends,
                dates,
                shifts: vec![ShiftSpec {
                    id: 1,
                    label: String::new(),
                    places: 2,
                    waiting_list: true,
                }],
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Away from the daylight-saving nights, `offer_fits` agrees with walking through the
        /// occasion a quarter of an hour at a time and asking whether some window covers it.
        #[test]
        fn fits_agrees_with_a_walk_through_the_occasion(
            day in any_date().prop_filter("not near a daylight-saving night", |d| {
                !matches!(&d.to_string()[5..7], "03" | "04" | "10" | "11")
            }),
            starts in any_time(),
            ends in any_time(),
            windows in prop::collection::vec((1u8..=7, any_time(), any_time()), 0..4),
        ) {
            let occasion = wall_clock_span(day, starts, ends);
            let availability = crate::domain::offer::Availability::Weekly {
                windows: windows
                    .iter()
                    .map(|(weekday, from, to)| crate::domain::offer::WeeklyWindow { weekday: *weekday, from: *from, to: *to })
                    .collect(),
                valid_from: None,
                valid_until: None,
            };
            let covered = (occasion.starts_at..occasion.ends_at).step_by(900).any(|t| {
                let date = Date::at_unix(t);
                let minute = ((t + crate::domain::local_time::stockholm_offset(t)).rem_euclid(86_400) / 60) as u16;
                windows.iter().any(|(weekday, from, to)| {
                    let (from, to) = (from.minutes(), to.minutes());
                    if from < to {
                        *weekday == date.weekday() && (from..to).contains(&minute)
                    } else {
                        (*weekday == date.weekday() && minute >= from)
                            || (*weekday == date.plus_days(-1).weekday() && minute < to)
                    }
                })
            });
            prop_assert_eq!(offer_fits(&offer(availability, vec![]), &occasion, Uuid::nil()), covered);
        }

        #[test]
        fn expansion_is_bounded_sorted_and_on_the_right_weekdays(s in any_schedule()) {
            let dates = s.dates();
            prop_assert!(dates.len() <= MAX_OCCASIONS);
            prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
            if let Dates::Weekly { weekdays, from, until, except } = &s.dates {
                for d in &dates {
                    prop_assert!(weekdays.contains(&d.weekday()));
                    prop_assert!(d >= from && d <= until);
                    prop_assert!(!except.contains(d));
                }
                // Every matching day in range is there (the span is bounded by the check).
                if until.days() - from.days() < MAX_SPAN_DAYS {
                    let expected = (0..=(until.days() - from.days()).max(-1))
                        .map(|n| from.plus_days(n))
                        .filter(|d| weekdays.contains(&d.weekday()) && !except.contains(d))
                        .count();
                    prop_assert_eq!(dates.len(), expected);
                }
            }
        }

        #[test]
        fn every_occasion_keeps_its_wall_clock_and_ends_after_it_starts(s in any_schedule()) {
            let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
            let wall = |unix: i64| {
                let z = jiff::Timestamp::from_second(unix).unwrap().to_zoned(tz.clone());
                (z.date().to_string(), z.hour() as u16 * 60 + z.minute() as u16)
            };
            for o in s.occasions() {
                if s.starts == s.ends {
                    continue;
                }
                prop_assert!(o.ends_at >= o.starts_at);
                let (start_day, start_min) = wall(o.starts_at);
                let (end_day, end_min) = wall(o.ends_at);
                prop_assert_eq!(&start_day, &o.date.to_string());
                let expected_end_day = if s.crosses_midnight() { o.date.plus_days(1) } else { o.date };
                prop_assert_eq!(end_day, expected_end_day.to_string());
                // Only a time inside the skipped spring hour is moved on, by that hour.
                let kept = |got: u16, asked: u16| got == asked || got == asked + 60;
                prop_assert!(kept(start_min, s.starts.minutes()));
                if o.ends_at > o.starts_at {
                    prop_assert!(kept(end_min, s.ends.minutes()));
                }
            }
        }

        #[test]
        fn shown_hours_read_back_to_the_same_minutes_in_quarters(quarters in 0u32..400) {
            prop_assert_eq!(parse_hours(&hours_text(quarters * 15)), Some(quarters * 15));
        }

        #[test]
        fn the_place_rule_never_gives_more_places_than_there_are(
            places in 1u16..6,
            steps in prop::collection::vec((0u8..3, 0u128..20, 0i64..100), 1..80),
        ) {
            let mut held: Vec<Place> = Vec::new();
            for (what, who, at) in steps {
                let id = Uuid::from_u128(who);
                match what {
                    // sign up (once per person)
                    0 | 1 if !held.iter().any(|p| p.id == id) => {
                        let status = decide(places, &held);
                        held.push(Place { id, order: (at, id), status });
                    }
                    // withdraw, and the first waiting moves up
                    _ => {
                        if let Some(p) = held.iter_mut().find(|p| p.id == id && p.status.is_active()) {
                            p.status = SignUpStatus::Withdrawn;
                        }
                        for up in promote(places, &held) {
                            held.iter_mut().find(|p| p.id == up).unwrap().status = SignUpStatus::Confirmed;
                        }
                    }
                }
                let confirmed = held.iter().filter(|p| p.status == SignUpStatus::Confirmed).count();
                let waiting = held.iter().filter(|p| p.status == SignUpStatus::Waiting).count();
                prop_assert!(confirmed <= usize::from(places));
                // Nobody waits while a place is free.
                prop_assert!(waiting == 0 || confirmed == usize::from(places));
            }
        }
    }
}

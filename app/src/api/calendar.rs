//! "My shifts" in the phone's calendar: a private, revocable iCalendar feed (RFC 5545) that a
//! calendar app subscribes to, as Karrot offers. The address is the credential (a calendar app
//! sends no cookie), so it is a random token; making a new one or stopping it makes the old
//! address answer 404.
//!
//! The person manages it online (making an address needs the server); the shifts themselves
//! are the sign-ups they made through the outbox, as the server last decided them.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::i18n::Locale;
#[cfg(feature = "ssr")]
use crate::{auth, db};
#[cfg(feature = "ssr")]
use leptos_i18n::Locale as _;

/// The feed's path under the site, `{token}.ics`.
pub const FEED_PATH: &str = "/kalender/{file}";

/// `GET /api/calendar-feed` — the address of my feed, if I made one.
#[server(endpoint = "calendar-feed", input = GetUrl)]
pub async fn calendar_feed() -> Result<Option<String>, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let feed = db::calendar::of(&state.pool, me.id).await?;
            match feed {
                Some(feed) => Ok(Some(address(&state, &feed.token).await)),
                None => Ok(None),
            }
        }
        .await,
    )
}

/// `POST /api/renew-calendar-feed` — a new address for my feed, written in `lang` (`sv` or
/// `en`); the one before stops working.
#[server(endpoint = "renew-calendar-feed", input = Json)]
pub async fn renew_calendar_feed(lang: String) -> Result<String, AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            let lang = Locale::get_all()
                .iter()
                .find(|l| l.as_str() == lang)
                .ok_or_else(|| {
                    crate::domain::forms::FieldErrors::single("lang", "unknown_choice")
                })?;
            let feed = db::calendar::renew(&state.pool, me.id, lang.as_str()).await?;
            Ok(address(&state, &feed.token).await)
        }
        .await,
    )
}

/// `POST /api/stop-calendar-feed` — my feed's address stops working.
#[server(endpoint = "stop-calendar-feed", input = Json)]
pub async fn stop_calendar_feed() -> Result<(), AppError> {
    super::with_status(
        async {
            let state = super::state()?;
            let me = auth::require_user(&state.pool).await?;
            db::calendar::revoke(&state.pool, me.id).await
        }
        .await,
    )
}

/// The feed's full address: on the public origin when one is configured (production), else on
/// the host the request came to (development).
#[cfg(feature = "ssr")]
async fn address(state: &crate::state::AppState, token: &str) -> String {
    let origin = match &state.config.public_origin {
        Some(origin) => origin.as_str().to_owned(),
        None => {
            let host = leptos_axum::extract::<axum::http::HeaderMap>()
                .await
                .ok()
                .and_then(|headers| {
                    headers
                        .get(axum::http::header::HOST)
                        .and_then(|h| h.to_str().ok())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| state.leptos_options.site_addr.to_string());
            format!("http://{host}")
        }
    };
    format!(
        "{origin}{}",
        FEED_PATH.replace("{file}", &format!("{token}.ics"))
    )
}

#[cfg(feature = "ssr")]
pub use feed::{render, routes};

#[cfg(feature = "ssr")]
mod feed {
    use axum::extract::{Path, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;
    use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

    use super::FEED_PATH;
    use crate::db::calendar::{self, FeedShift};
    use crate::domain::activity::SignUpStatus;
    use crate::i18n::Locale;
    use crate::state::AppState;

    /// The feed's route; the token in the path is checked by the handler (no session).
    pub fn routes() -> Router<AppState> {
        Router::new().route(FEED_PATH, get(serve))
    }

    /// `GET /kalender/{token}.ics` — the person's shifts, or 404 for an address that was
    /// stopped, renewed or never made.
    async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> Response {
        let read = async {
            let Some(token) = file.strip_suffix(".ics") else {
                return Ok(None);
            };
            let Some(feed) = calendar::by_token(&state.pool, token).await? else {
                return Ok(None);
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let shifts = calendar::shifts(&state.pool, feed.user, now).await?;
            Ok::<_, crate::error::AppError>(Some((feed.lang, shifts)))
        };
        let (lang, shifts) = match read.await {
            Ok(Some(found)) => found,
            Ok(None) => return StatusCode::NOT_FOUND.into_response(),
            Err(err) => {
                return StatusCode::from_u16(err.status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
                    .into_response()
            }
        };
        let lang = lang.parse().unwrap_or(Locale::sv);
        (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                // Calendar apps poll; the address is private, so no shared cache keeps it.
                (header::CACHE_CONTROL, "private, no-cache"),
                (
                    header::CONTENT_DISPOSITION,
                    "inline; filename=\"samverka.ics\"",
                ),
            ],
            render(lang, &shifts),
        )
            .into_response()
    }

    /// The words of the feed, in the language the person made it in. Server-only text (it never
    /// reaches a browser), so it stays out of the app's translations and the phone's download.
    struct Words {
        name: &'static str,
        waiting: &'static str,
        requested: &'static str,
        cancelled: &'static str,
        with_group: &'static str,
    }

    fn words(lang: Locale) -> Words {
        match lang {
            Locale::sv => Words {
                name: "Samverka – mina pass",
                waiting: "Väntelista",
                requested: "Väntar på bekräftelse",
                cancelled: "Inställt",
                with_group: "Pass hos",
            },
            Locale::en => Words {
                name: "Samverka – my shifts",
                waiting: "Waiting list",
                requested: "Waiting for confirmation",
                cancelled: "Cancelled",
                with_group: "Shift with",
            },
        }
    }

    /// The calendar for `shifts`: one event per sign-up, its `UID` the sign-up's id and its
    /// `SEQUENCE` the record's version, so a calendar app updates the event in place when a
    /// walk moves, and shows it cancelled when the occasion is.
    pub fn render(lang: Locale, shifts: &[FeedShift]) -> String {
        let words = words(lang);
        let mut calendar = Calendar::new();
        calendar.name(words.name);
        // Calendar apps that read it poll hourly rather than daily.
        calendar.append_property(
            Property::new("REFRESH-INTERVAL", "PT1H")
                .add_parameter("VALUE", "DURATION")
                .done(),
        );
        calendar.append_property(("X-PUBLISHED-TTL", "PT1H"));
        for shift in shifts {
            let data = &shift.data;
            let (status, prefix) = match data.status {
                SignUpStatus::Confirmed => (EventStatus::Confirmed, None),
                SignUpStatus::Waiting => (EventStatus::Tentative, Some(words.waiting)),
                SignUpStatus::Requested => (EventStatus::Tentative, Some(words.requested)),
                SignUpStatus::Cancelled => (EventStatus::Cancelled, Some(words.cancelled)),
                // Not in the feed (`db::calendar::shifts`); dropped here too, so a calendar
                // app removes it.
                SignUpStatus::Withdrawn => continue,
            };
            let title = match prefix {
                Some(prefix) => format!("{prefix}: {}", data.title),
                None => data.title.clone(),
            };
            let (Some(starts), Some(ends)) = (
                chrono::DateTime::from_timestamp(data.starts_at, 0),
                chrono::DateTime::from_timestamp(data.ends_at, 0),
            ) else {
                tracing::warn!(sign_up = %shift.id, "sign-up without readable times");
                continue;
            };
            let mut event = Event::new();
            event
                .uid(&format!("{}@samverka", shift.id))
                .sequence(u32::try_from(shift.version).unwrap_or(0))
                .summary(&title)
                .description(&format!("{} {}", words.with_group, data.group_name))
                .starts(starts)
                .ends(ends)
                .status(status);
            if !data.place.is_empty() {
                event.location(&data.place);
            }
            calendar.push(event.done());
        }
        calendar.done().to_string()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use uuid::Uuid;

    use super::render;
    use crate::db::calendar::FeedShift;
    use crate::domain::activity::{SignUpData, SignUpStatus};
    use crate::i18n::Locale;

    fn shift(status: SignUpStatus, n: u128) -> FeedShift {
        FeedShift {
            id: Uuid::from_u128(n),
            version: 3,
            data: SignUpData {
                occasion: Uuid::from_u128(100 + n),
                need: Uuid::from_u128(200),
                group: Uuid::from_u128(300),
                shift: 0,
                volunteer: Uuid::from_u128(400),
                name: "Vera".into(),
                title: "Nattvandring, Sickla; fredag".into(),
                group_name: "Nattvandrarna".into(),
                place: "Stortorget".into(),
                // Friday 2026-12-04 21:00–24:00 in Stockholm (UTC+1).
                starts_at: 1_796_414_400,
                ends_at: 1_796_425_200,
                status,
                requested_at: 1_796_000_000,
                attended: None,
                hours: None,
                notice: None,
            },
        }
    }

    /// The feed's lines, unfolded (RFC 5545 §3.1: a line break and one space continue a line).
    fn lines(text: &str) -> Vec<String> {
        text.replace("\r\n ", "")
            .split("\r\n")
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_confirmed_shift_is_an_event_in_utc_with_its_place_and_version() {
        let text = render(Locale::sv, &[shift(SignUpStatus::Confirmed, 1)]);
        let lines = lines(&text);
        for expected in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "X-WR-CALNAME:Samverka – mina pass",
            "BEGIN:VEVENT",
            "UID:00000000-0000-0000-0000-000000000001@samverka",
            "SEQUENCE:3",
            "DTSTART:20261204T200000Z",
            "DTEND:20261204T230000Z",
            "STATUS:CONFIRMED",
            "LOCATION:Stortorget",
            // Text values escape `,` and `;` (RFC 5545 §3.3.11).
            "SUMMARY:Nattvandring\\, Sickla\\; fredag",
            "DESCRIPTION:Pass hos Nattvandrarna",
            "END:VCALENDAR",
        ] {
            assert!(
                lines.iter().any(|l| l == expected),
                "no line {expected:?} in\n{text}"
            );
        }
        assert!(text.ends_with("\r\n"));
    }

    #[test]
    fn a_cancelled_occasion_shows_as_cancelled_and_a_withdrawn_shift_is_gone() {
        let text = render(
            Locale::en,
            &[
                shift(SignUpStatus::Cancelled, 1),
                shift(SignUpStatus::Withdrawn, 2),
                shift(SignUpStatus::Waiting, 3),
            ],
        );
        let lines = lines(&text);
        assert!(lines.iter().any(|l| l == "STATUS:CANCELLED"));
        assert!(lines
            .iter()
            .any(|l| l == "SUMMARY:Cancelled: Nattvandring\\, Sickla\\; fredag"));
        assert!(lines.iter().any(|l| l == "STATUS:TENTATIVE"));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("SUMMARY:Waiting list: ")));
        assert!(!text.contains("000000000002@samverka"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    }

    #[test]
    fn an_empty_feed_is_still_a_calendar() {
        let text = render(Locale::sv, &[]);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(!text.contains("BEGIN:VEVENT"));
    }
}

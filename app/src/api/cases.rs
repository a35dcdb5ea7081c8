//! Micro-support cases on the server's pages: the handlers' queue, one case with its trail,
//! and a step taken on a case. A step goes through the same write path as a phone's change
//! (`db::sync`), so the group's phones pull it; the group's contacts usually take theirs on
//! the phone, through the outbox.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use uuid::Uuid;

use crate::domain::case::{CaseDetail, CaseQueue, CaseState, CaseStepForm, SupportReport};
use crate::domain::need::NeedKind;
use crate::domain::offer::Date;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{auth, db, domain::permissions};

/// `GET /api/case-queue?state=…&kind=…&district=…&handler=…&mine=…&page=…` — open cases,
/// oldest waiting first (staff).
#[server(endpoint = "case-queue", input = GetUrl)]
pub async fn handlers_queue(
    state: Option<CaseState>,
    kind: Option<NeedKind>,
    district: Option<Uuid>,
    handler: Option<Uuid>,
    mine: Option<bool>,
    page: Option<u32>,
) -> Result<CaseQueue, AppError> {
    super::with_status(
        async {
            let app = super::state()?;
            let me = require_handler(&app).await?;
            let filter = crate::domain::case::QueueFilter {
                state,
                kind,
                district,
                handler: if mine == Some(true) {
                    Some(me.id)
                } else {
                    handler
                },
                page: page.unwrap_or(1).clamp(1, 10_000),
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            db::cases::queue(&app.pool, &filter, now).await
        }
        .await,
    )
}

/// The signed-in person, if they handle cases (staff); otherwise refused.
#[cfg(feature = "ssr")]
async fn require_handler(app: &crate::state::AppState) -> Result<crate::domain::Me, AppError> {
    let me = auth::require_user(&app.pool).await?;
    if permissions::can_handle_cases(Some(me.role)) {
        Ok(me)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Who is asking about case `id`, once it is settled that they may see it: staff and the
/// case's group's members; anyone else is told there is no such case.
#[cfg(feature = "ssr")]
async fn reader(
    app: &crate::state::AppState,
    id: Uuid,
) -> Result<(crate::domain::Me, Uuid, crate::sync::kinds::Actor), AppError> {
    let me = auth::require_user(&app.pool).await?;
    let group = db::cases::group_of(&app.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let viewer = db::groups::viewer(&app.pool, group, Some(&me)).await?;
    if !permissions::can_see_case(viewer) {
        return Err(AppError::NotFound);
    }
    let mut conn = app.pool.acquire().await?;
    let actor = db::sync::actor(&mut conn, me.id).await?;
    Ok((me, group, actor))
}

/// `GET /api/case?id=…` — one case with its trail, for staff and the group's members; anyone
/// else is told there is no such case.
#[server(endpoint = "case", input = GetUrl)]
pub async fn read_case(id: Uuid) -> Result<CaseDetail, AppError> {
    super::with_status(
        async {
            let app = super::state()?;
            let (me, _, actor) = reader(&app, id).await?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let mut detail = db::cases::detail(&app.pool, id, app.config.max_grant_ore, now)
                .await?
                .ok_or(AppError::NotFound)?;
            let role = actor.case_role(&detail.case);
            let needs_second = false;
            detail.allowed = crate::domain::case::allowed(
                detail.case.state,
                detail.case.actor(role, Some(me.id)),
                needs_second,
            );
            detail.staff = role == crate::domain::case::CaseRole::Staff;
            Ok(detail)
        }
        .await,
    )
}

/// `POST /api/case-step` — takes a step on a case: staff move it on, the group's contacts
/// answer, report or withdraw. Who may is checked first; then the form; then the case's rules,
/// as of the case now (a step on a case that moved on since the page was read is refused with
/// `case_changed`, and the page reads it again).
#[server(endpoint = "case-step", input = Json)]
pub async fn take_case_step(id: Uuid, form: CaseStepForm) -> Result<(), AppError> {
    super::with_status(
        async {
            use crate::domain::case::{permitted, CaseActor};
            use crate::sync::protocol::{KindOp, Op, Outcome, Refusal};
            let app = super::state()?;
            let (me, group, actor) = reader(&app, id).await?;
            // Whether the role may ever take this action; the handler and the state are judged
            // on the case itself, under the write lock.
            let any_case = CaseActor {
                role: actor.case_role_in(group),
                assigned: true,
                approved_first: false,
            };
            if form
                .action
                .is_some_and(|action| !permitted(action, any_case))
            {
                return Err(AppError::Forbidden);
            }
            let step = form.parse()?;
            let known = db::reference::known(&app.pool, app.config.max_grant_ore).await?;
            let change = (id, Op::Case(KindOp::Update(step)));
            let outcomes = db::sync::write(&app.pool, &actor, me.id, &[change], known).await?;
            match outcomes.into_iter().next() {
                Some(Outcome::Applied { .. }) => Ok(()),
                Some(Outcome::Refused {
                    reason: Refusal::Invalid { fields },
                }) => Err(AppError::Validation(fields)),
                Some(Outcome::Refused {
                    reason: Refusal::Forbidden,
                }) => Err(AppError::Forbidden),
                Some(Outcome::Refused {
                    reason: Refusal::NotFound | Refusal::Removed,
                }) => Err(AppError::NotFound),
                Some(Outcome::Refused {
                    reason: Refusal::AlreadyExists,
                })
                | None => Err(AppError::Internal),
            }
        }
        .await,
    )
}

/// `GET /api/support-report?from=…&until=…` — granted and paid micro-support in a period, per
/// priority area, district and kind of actor (staff). By default this year until today.
#[server(endpoint = "support-report", input = GetUrl)]
pub async fn read_support_report(
    from: Option<Date>,
    until: Option<Date>,
) -> Result<SupportReport, AppError> {
    super::with_status(
        async {
            let app = super::state()?;
            require_handler(&app).await?;
            let today = db::sync::today();
            let (from, until) = crate::domain::case::report_period(from, until, today);
            db::cases::support_report(&app.pool, from, until).await
        }
        .await,
    )
}

/// Where the report's CSV is downloaded.
pub const REPORT_CSV_PATH: &str = "/api/support-report.csv";

#[cfg(feature = "ssr")]
pub use report::{report_csv, routes};

#[cfg(feature = "ssr")]
mod report {
    use axum::extract::{Query, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;
    use serde::Deserialize;

    use super::REPORT_CSV_PATH;
    use crate::domain::case::SupportReport;
    use crate::domain::offer::Date;
    use crate::domain::ReferenceData;
    use crate::i18n::Locale;
    use crate::state::AppState;

    pub fn routes() -> Router<AppState> {
        Router::new().route(REPORT_CSV_PATH, get(serve))
    }

    #[derive(Deserialize)]
    struct Asked {
        from: Option<String>,
        until: Option<String>,
        lang: Option<String>,
    }

    /// `GET /api/support-report.csv?from=…&until=…&lang=sv` — the report as a file (staff:
    /// the access layer has checked before this runs, the handler checks again).
    async fn serve(
        State(state): State<AppState>,
        session: tower_sessions::Session,
        Query(asked): Query<Asked>,
    ) -> Response {
        let read = async {
            let me = crate::auth::signed_in(&session, &state.pool, state.config.sessions).await?;
            if !crate::domain::permissions::can_handle_cases(me.map(|m| m.role)) {
                return Err(crate::error::AppError::Forbidden);
            }
            let day = |raw: Option<&String>| raw.and_then(|d| Date::parse(d));
            let (from, until) = crate::domain::case::report_period(
                day(asked.from.as_ref()),
                day(asked.until.as_ref()),
                crate::db::sync::today(),
            );
            let report = crate::db::cases::support_report(&state.pool, from, until).await?;
            let reference = crate::db::reference::load(&state.pool).await?;
            Ok((report, reference))
        };
        let (report, reference) = match read.await {
            Ok(found) => found,
            Err(err) => {
                return StatusCode::from_u16(err.status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
                    .into_response()
            }
        };
        let lang = asked
            .lang
            .as_deref()
            .and_then(|l| l.parse().ok())
            .unwrap_or(Locale::sv);
        let file = format!(
            "attachment; filename=\"stod-{}-{}.csv\"",
            report.from, report.until
        );
        match report_csv(lang, &report, &reference) {
            Ok(body) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                    (header::CONTENT_DISPOSITION, file),
                ],
                body,
            )
                .into_response(),
            Err(err) => {
                tracing::error!(error = %err, "support report csv");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }

    /// The report as CSV for a spreadsheet: UTF-8 with a byte order mark (so Excel shows å, ä
    /// and ö), semicolons between fields in Swedish (a comma is the decimal sign there) and
    /// commas in English, one line per row and a total. A period without data is the header
    /// line and the total of zero, not an error.
    pub fn report_csv(
        lang: Locale,
        report: &SupportReport,
        reference: &ReferenceData,
    ) -> Result<Vec<u8>, csv::Error> {
        let (delimiter, headers, none, informal, formal, total) = match lang {
            Locale::sv => (
                b';',
                [
                    "Från",
                    "Till",
                    "Fokusområde",
                    "Område",
                    "Aktör",
                    "Ärenden",
                    "Beviljat (kr)",
                    "Utbetalt (kr)",
                ],
                "Inget fokusområde",
                "Informell grupp",
                "Förening",
                "Totalt",
            ),
            Locale::en => (
                b',',
                [
                    "From",
                    "Until",
                    "Priority area",
                    "District",
                    "Actor",
                    "Cases",
                    "Granted (SEK)",
                    "Paid (SEK)",
                ],
                "No priority area",
                "Informal group",
                "Association",
                "Total",
            ),
        };
        // Plain numbers a spreadsheet reads: no grouping, the language's decimal sign.
        let kronor = |ore: i64| {
            let (whole, rest) = (ore / 100, (ore % 100).abs());
            let sign = match lang {
                Locale::sv => ',',
                Locale::en => '.',
            };
            if rest == 0 {
                whole.to_string()
            } else {
                format!("{whole}{sign}{rest:02}")
            }
        };
        let mut out = Vec::from(*b"\xEF\xBB\xBF");
        {
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(&mut out);
            writer.write_record(headers)?;
            let (from, until) = (report.from.to_string(), report.until.to_string());
            for row in &report.rows {
                let area = row
                    .area
                    .and_then(|id| reference.priority_areas.iter().find(|a| a.id == id))
                    .map_or(none, |a| a.name.get(lang));
                let district = reference
                    .districts
                    .iter()
                    .find(|d| d.id == row.district)
                    .map_or("", |d| d.name.as_str());
                writer.write_record([
                    from.as_str(),
                    until.as_str(),
                    area,
                    district,
                    if row.formal { formal } else { informal },
                    &row.cases.to_string(),
                    &kronor(row.granted_ore),
                    &kronor(row.paid_ore),
                ])?;
            }
            writer.write_record([
                from.as_str(),
                until.as_str(),
                total,
                "",
                "",
                &report.cases.to_string(),
                &kronor(report.granted_ore),
                &kronor(report.paid_ore),
            ])?;
            writer.flush()?;
        }
        Ok(out)
    }
}

//! Groups (actors): registration, members, invitations, conversion to a formal actor,
//! verification by staff, and the history of each.
use uuid::Uuid;

use super::users::{all_exist, RefTable};
use super::{now, parse_id, Pool};
use crate::domain::account::{
    GroupEvent, GroupEventKind, GroupMember, GroupSummary, GroupView, Invitation, MyGroup,
    Verification, VerificationDetail,
};
use crate::domain::forms::NewGroup;
use crate::domain::invite::InviteCode;
use crate::domain::need::NeedFilter;
use crate::domain::permissions::{self, Viewer};
use crate::domain::{ActorKind, FieldErrors, LocalizedText, Me, MemberRole, OrgNumber};
use crate::error::AppError;

/// How long an invitation can be used.
pub const INVITE_DAYS: i64 = 14;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

#[derive(sqlx::FromRow)]
struct GroupRow {
    name: String,
    kind: String,
    org_number: Option<String>,
    description: String,
    verified_at: Option<String>,
    verified_by: Option<String>,
    verified_note: Option<String>,
}

fn kind_of(raw: &str) -> Result<ActorKind, AppError> {
    ActorKind::parse(raw).ok_or_else(|| {
        tracing::error!(kind = raw, "unknown actor kind in database");
        AppError::Internal
    })
}

fn role_of(raw: &str) -> Result<MemberRole, AppError> {
    MemberRole::parse(raw).ok_or_else(|| {
        tracing::error!(role = raw, "unknown member role in database");
        AppError::Internal
    })
}

pub(crate) async fn record_event(
    tx: &mut Tx<'_>,
    actor: &str,
    user: Option<Uuid>,
    kind: GroupEventKind,
    note: &str,
    at: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO actor_events (id, actor_id, user_id, kind, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(actor)
    .bind(user.map(|u| u.to_string()))
    .bind(kind.as_str())
    .bind(note)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn org_number_taken(
    pool: &Pool,
    number: &OrgNumber,
    except: Option<Uuid>,
) -> Result<bool, AppError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM actors WHERE org_number = $1 AND id <> $2")
            .bind(number.digits())
            .bind(except.map(|id| id.to_string()).unwrap_or_default())
            .fetch_one(pool)
            .await?;
    Ok(count > 0)
}

/// A unique violation on the organisationsnummer lost to a concurrent registration.
fn org_number_conflict(err: sqlx::Error) -> AppError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            FieldErrors::single("org_number", "org_number_taken").into()
        }
        _ => err.into(),
    }
}

/// Registers a group with `by` as its first contact.
#[tracing::instrument(skip_all, fields(user = %by))]
pub async fn register(pool: &Pool, by: Uuid, group: &NewGroup) -> Result<Uuid, AppError> {
    let mut errors = FieldErrors::default();
    if !all_exist(pool, RefTable::Districts, &group.districts).await? {
        errors.add("districts", "unknown_choice");
    }
    if !all_exist(pool, RefTable::PriorityAreas, &group.priority_areas).await? {
        errors.add("priority_areas", "unknown_choice");
    }
    if let Some(number) = &group.org_number {
        if org_number_taken(pool, number, None).await? {
            errors.add("org_number", "org_number_taken");
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let id = Uuid::new_v4();
    let at = now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO actors (id, name, kind, org_number, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(&group.name)
    .bind(group.kind.as_str())
    .bind(group.org_number.as_ref().map(|n| n.digits().to_owned()))
    .bind(&group.description)
    .bind(&at)
    .execute(&mut *tx)
    .await
    .map_err(org_number_conflict)?;
    for district in &group.districts {
        sqlx::query("INSERT INTO actor_districts (actor_id, district_id) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(district.to_string())
            .execute(&mut *tx)
            .await?;
    }
    for area in &group.priority_areas {
        sqlx::query(
            "INSERT INTO actor_priority_areas (actor_id, priority_area_id) VALUES ($1, $2)",
        )
        .bind(id.to_string())
        .bind(area.to_string())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, 'contact')")
        .bind(id.to_string())
        .bind(by.to_string())
        .execute(&mut *tx)
        .await?;
    record_event(
        &mut tx,
        &id.to_string(),
        Some(by),
        GroupEventKind::Registered,
        group.kind.as_str(),
        &at,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The person's role in the group, if any.
pub async fn membership(
    pool: &Pool,
    actor: Uuid,
    user: Uuid,
) -> Result<Option<MemberRole>, AppError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT role FROM actor_members WHERE actor_id = $1 AND user_id = $2")
            .bind(actor.to_string())
            .bind(user.to_string())
            .fetch_optional(pool)
            .await?;
    row.map(|(r,)| role_of(&r)).transpose()
}

/// Who is asking, for the permission rules; `NotFound` if the group does not exist.
pub async fn viewer(pool: &Pool, actor: Uuid, me: Option<&Me>) -> Result<Viewer, AppError> {
    let (exists,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM actors WHERE id = $1")
        .bind(actor.to_string())
        .fetch_one(pool)
        .await?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    Ok(Viewer {
        role: me.map(|m| m.role),
        membership: match me {
            Some(me) => membership(pool, actor, me.id).await?,
            None => None,
        },
    })
}

async fn contact_count(pool: &Pool, actor: &str) -> Result<usize, AppError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM actor_members WHERE actor_id = $1 AND role = 'contact'",
    )
    .bind(actor)
    .fetch_one(pool)
    .await?;
    Ok(count as usize)
}

/// How many of its needs a group's page lists (the newest and most urgent).
const GROUP_NEEDS: u32 = 100;

/// A group's page as `viewer` may see it.
pub async fn view(pool: &Pool, id: Uuid, viewer: Viewer) -> Result<GroupView, AppError> {
    let key = id.to_string();
    let row: Option<GroupRow> = sqlx::query_as(
        "SELECT a.name, a.kind, a.org_number, a.description, a.verified_at, \
         u.display_name AS verified_by, a.verified_note FROM actors a \
         LEFT JOIN users u ON u.id = a.verified_by WHERE a.id = $1",
    )
    .bind(&key)
    .fetch_optional(pool)
    .await?;
    let GroupRow {
        name,
        kind,
        org_number,
        description,
        verified_at,
        verified_by,
        verified_note,
    } = row.ok_or(AppError::NotFound)?;
    let districts: Vec<(String,)> = sqlx::query_as(
        "SELECT d.name FROM actor_districts ad JOIN districts d ON d.id = ad.district_id \
         WHERE ad.actor_id = $1 ORDER BY d.sort_order, d.name",
    )
    .bind(&key)
    .fetch_all(pool)
    .await?;
    let areas: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.name_sv, p.name_en FROM actor_priority_areas ap \
         JOIN priority_areas p ON p.id = ap.priority_area_id \
         WHERE ap.actor_id = $1 ORDER BY p.sort_order, p.name_sv",
    )
    .bind(&key)
    .fetch_all(pool)
    .await?;
    let see_members = permissions::can_see_members(viewer);
    let members = if see_members {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.display_name, m.role FROM actor_members m \
             JOIN users u ON u.id = m.user_id WHERE m.actor_id = $1 \
             ORDER BY CASE m.role WHEN 'contact' THEN 0 ELSE 1 END, u.display_name",
        )
        .bind(&key)
        .fetch_all(pool)
        .await?;
        Some(
            rows.into_iter()
                .map(|(user, name, role)| {
                    Ok(GroupMember {
                        user_id: parse_id(&user)?,
                        name,
                        role: role_of(&role)?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?,
        )
    } else {
        None
    };
    let history = if see_members {
        Some(events(pool, "e.actor_id = $1", &key).await?)
    } else {
        None
    };
    let kind = kind_of(&kind)?;
    Ok(GroupView {
        id,
        name,
        kind,
        org_number: org_number
            .and_then(|n| OrgNumber::parse(&n).ok())
            .map(|n| n.to_string()),
        description,
        districts: districts.into_iter().map(|(d,)| d).collect(),
        priority_areas: areas
            .into_iter()
            .map(|(sv, en)| LocalizedText { sv, en })
            .collect(),
        // Who verified and how is internal: the group's members and staff see it, others only
        // that (and when) it was verified.
        verified: verified_at.map(|at| Verification {
            at,
            detail: see_members.then(|| VerificationDetail {
                by: verified_by.unwrap_or_default(),
                note: verified_note.unwrap_or_default(),
            }),
        }),
        contact_count: contact_count(pool, &key).await?,
        my_role: viewer.membership,
        members,
        history,
        needs: super::needs::list(
            pool,
            permissions::need_audience(viewer),
            &NeedFilter::new(None, None, None, None, Some(GROUP_NEEDS)),
            Some(id),
            None,
        )
        .await?,
    })
}

async fn events(pool: &Pool, filter: &str, value: &str) -> Result<Vec<GroupEvent>, AppError> {
    let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(&format!(
        "SELECT e.created_at, u.display_name, e.kind, e.note FROM actor_events e \
         LEFT JOIN users u ON u.id = e.user_id WHERE {filter} ORDER BY e.created_at, e.id"
    ))
    .bind(value)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(at, by, kind, note)| {
            let kind = GroupEventKind::parse(&kind).ok_or_else(|| {
                tracing::error!(kind, "unknown group event in database");
                AppError::Internal
            })?;
            Ok(GroupEvent { at, by, kind, note })
        })
        .collect()
}

/// What one person did in groups' histories (for "my data").
pub async fn events_by(pool: &Pool, user: Uuid) -> Result<Vec<GroupEvent>, AppError> {
    events(pool, "e.user_id = $1", &user.to_string()).await
}

/// The groups a person belongs to, each with its contacts by name (a micro-grant's payee is one
/// of them). One query: a row per group and contact, a group without contacts once, with the
/// contact's columns empty; the rows of a group come together (ordered by the group's id after
/// its name).
pub async fn my_groups(pool: &Pool, user: Uuid) -> Result<Vec<MyGroup>, AppError> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.name, a.kind, m.role, a.verified_at, u.id, u.display_name \
         FROM actor_members m JOIN actors a ON a.id = m.actor_id \
         LEFT JOIN actor_members c ON c.actor_id = m.actor_id AND c.role = 'contact' \
         LEFT JOIN users u ON u.id = c.user_id \
         WHERE m.user_id = $1 ORDER BY a.name, a.id, u.display_name",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    let mut groups: Vec<MyGroup> = Vec::new();
    for (id, name, kind, role, verified, contact, contact_name) in rows {
        let id = parse_id(&id)?;
        if groups.last().is_none_or(|g| g.id != id) {
            groups.push(MyGroup {
                id,
                name,
                kind: kind_of(&kind)?,
                role: role_of(&role)?,
                verified: verified.is_some(),
                contacts: Vec::new(),
            });
        }
        if let (Some(user), Some(name), Some(group)) = (contact, contact_name, groups.last_mut()) {
            group.contacts.push(GroupMember {
                user_id: parse_id(&user)?,
                name,
                role: MemberRole::Contact,
            });
        }
    }
    Ok(groups)
}

/// Every group, unverified first (staff's work list).
pub async fn list(pool: &Pool) -> Result<Vec<GroupSummary>, AppError> {
    let rows: Vec<(String, String, String, Option<String>, i64, String)> = sqlx::query_as(
        "SELECT a.id, a.name, a.kind, a.verified_at, \
         (SELECT COUNT(*) FROM actor_members m WHERE m.actor_id = a.id AND m.role = 'contact'), \
         a.created_at FROM actors a \
         ORDER BY CASE WHEN a.verified_at IS NULL THEN 0 ELSE 1 END, a.name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, name, kind, verified, contacts, created_at)| {
            Ok(GroupSummary {
                id: parse_id(&id)?,
                name,
                kind: kind_of(&kind)?,
                verified: verified.is_some(),
                contact_count: contacts as usize,
                created_at,
            })
        })
        .collect()
}

/// Makes an invitation code for the group.
pub async fn create_invite(
    pool: &Pool,
    actor: Uuid,
    by: Uuid,
    role: MemberRole,
    code: &InviteCode,
) -> Result<Invitation, AppError> {
    let now_at = time::OffsetDateTime::now_utc();
    let expires_at = super::format_time(now_at + time::Duration::days(INVITE_DAYS));
    // A contact invitation gives power over the group: one use. A member link can be shared.
    let uses_left: Option<i64> = (role == MemberRole::Contact).then_some(1);
    sqlx::query(
        "INSERT INTO actor_invites (code, actor_id, role, created_by, created_at, expires_at, uses_left) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code.as_str())
    .bind(actor.to_string())
    .bind(role.as_str())
    .bind(by.to_string())
    .bind(super::format_time(now_at))
    .bind(&expires_at)
    .bind(uses_left)
    .execute(pool)
    .await?;
    Ok(Invitation {
        code: code.to_string(),
        role,
        expires_at,
    })
}

/// Joins the group an invitation names. Unknown, expired and used-up codes are all
/// `invite_invalid`. Someone already in the group keeps the higher of the two roles.
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn accept_invite(pool: &Pool, code: &InviteCode, user: Uuid) -> Result<Uuid, AppError> {
    let at = now();
    let mut tx = pool.begin().await?;
    let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT actor_id, role, uses_left FROM actor_invites \
         WHERE code = $1 AND expires_at > $2 AND (uses_left IS NULL OR uses_left > 0)",
    )
    .bind(code.as_str())
    .bind(&at)
    .fetch_optional(&mut *tx)
    .await?;
    let (actor, role, uses_left) =
        row.ok_or_else(|| AppError::from(FieldErrors::single("code", "invite_invalid")))?;
    let role = role_of(&role)?;
    let current: Option<(String,)> =
        sqlx::query_as("SELECT role FROM actor_members WHERE actor_id = $1 AND user_id = $2")
            .bind(&actor)
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    match current.map(|(r,)| role_of(&r)).transpose()? {
        Some(MemberRole::Contact) => {}
        Some(MemberRole::Member) if role == MemberRole::Member => {}
        Some(MemberRole::Member) => {
            sqlx::query(
                "UPDATE actor_members SET role = 'contact' WHERE actor_id = $1 AND user_id = $2",
            )
            .bind(&actor)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
            record_event(
                &mut tx,
                &actor,
                Some(user),
                GroupEventKind::Joined,
                "contact",
                &at,
            )
            .await?;
        }
        None => {
            sqlx::query("INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, $3)")
                .bind(&actor)
                .bind(user.to_string())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
            record_event(
                &mut tx,
                &actor,
                Some(user),
                GroupEventKind::Joined,
                role.as_str(),
                &at,
            )
            .await?;
        }
    }
    if uses_left.is_some() {
        // Guarded again in SQL: of two people using the last use at once, one gets it.
        let used = sqlx::query(
            "UPDATE actor_invites SET uses_left = uses_left - 1 WHERE code = $1 AND uses_left > 0",
        )
        .bind(code.as_str())
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0 {
            return Err(FieldErrors::single("code", "invite_invalid").into());
        }
    }
    tx.commit().await?;
    parse_id(&actor)
}

/// An informal group becomes a formal actor: same id, members and history, now with a number.
pub async fn convert(
    pool: &Pool,
    actor: Uuid,
    by: Uuid,
    kind: ActorKind,
    number: &OrgNumber,
) -> Result<(), AppError> {
    let (current,): (String,) = sqlx::query_as("SELECT kind FROM actors WHERE id = $1")
        .bind(actor.to_string())
        .fetch_one(pool)
        .await?;
    if kind_of(&current)?.is_formal() {
        return Err(AppError::Conflict("already_formal".into()));
    }
    if org_number_taken(pool, number, Some(actor)).await? {
        return Err(FieldErrors::single("org_number", "org_number_taken").into());
    }
    let at = now();
    let mut tx = pool.begin().await?;
    // The badge vouched for the group as it was; a new legal form and number are new facts to
    // check, so the verification goes (and the history says why).
    let was_verified: (Option<String>,) =
        sqlx::query_as("SELECT verified_at FROM actors WHERE id = $1")
            .bind(actor.to_string())
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "UPDATE actors SET kind = $2, org_number = $3, verified_at = NULL, verified_by = NULL, \
         verified_note = NULL WHERE id = $1 AND kind = 'informal'",
    )
    .bind(actor.to_string())
    .bind(kind.as_str())
    .bind(number.digits())
    .execute(&mut *tx)
    .await
    .map_err(org_number_conflict)?;
    record_event(
        &mut tx,
        &actor.to_string(),
        Some(by),
        GroupEventKind::Converted,
        kind.as_str(),
        &at,
    )
    .await?;
    if was_verified.0.is_some() {
        record_event(
            &mut tx,
            &actor.to_string(),
            Some(by),
            GroupEventKind::VerificationCleared,
            "converted",
            &at,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Staff mark a group verified, saying how.
pub async fn verify(pool: &Pool, actor: Uuid, by: Uuid, note: &str) -> Result<(), AppError> {
    let at = now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE actors SET verified_at = $2, verified_by = $3, verified_note = $4 WHERE id = $1",
    )
    .bind(actor.to_string())
    .bind(&at)
    .bind(by.to_string())
    .bind(note)
    .execute(&mut *tx)
    .await?;
    record_event(
        &mut tx,
        &actor.to_string(),
        Some(by),
        GroupEventKind::Verified,
        note,
        &at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the group's row lock (SQLite: the write lock) for the rest of the transaction. Every
/// change to who the contacts are takes it first, so two contacts removing each other at the
/// same moment follow one another and the second sees the first's removal (without it,
/// PostgreSQL's snapshot lets both see two contacts and both succeed — write skew).
async fn lock_group(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE actors SET kind = kind WHERE id = $1")
        .bind(actor)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// [`lock_group`] for every group the person is a contact of (closing an account).
pub(crate) async fn lock_groups_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: Uuid,
) -> Result<(), AppError> {
    let groups: Vec<(String,)> = sqlx::query_as(
        "SELECT actor_id FROM actor_members WHERE user_id = $1 AND role = 'contact' \
         ORDER BY actor_id",
    )
    .bind(user.to_string())
    .fetch_all(&mut **tx)
    .await?;
    for (actor,) in groups {
        lock_group(tx, &actor).await?;
    }
    Ok(())
}

/// Removes a person from a group (a member leaving, or a contact removing someone). The caller
/// has checked the permission; this re-checks, under the group's lock, that the last contact
/// stays.
pub async fn remove_member(pool: &Pool, actor: Uuid, user: Uuid, by: Uuid) -> Result<(), AppError> {
    let at = now();
    let mut tx = pool.begin().await?;
    lock_group(&mut tx, &actor.to_string()).await?;
    let removed = sqlx::query(
        "DELETE FROM actor_members WHERE actor_id = $1 AND user_id = $2 AND (role = 'member' OR \
         (SELECT COUNT(*) FROM actor_members c WHERE c.actor_id = $1 AND c.role = 'contact') > 1)",
    )
    .bind(actor.to_string())
    .bind(user.to_string())
    .execute(&mut *tx)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::Conflict("last_contact".into()));
    }
    let note = if user == by { "" } else { "removed" };
    record_event(
        &mut tx,
        &actor.to_string(),
        Some(user),
        GroupEventKind::Left,
        note,
        &at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The number of contacts a group has, for the permission rule on removing one.
pub async fn contacts(pool: &Pool, actor: Uuid) -> Result<usize, AppError> {
    contact_count(pool, &actor.to_string()).await
}

//! People: volunteers, staff and administrators; their profile, "my data", closing an account.
use uuid::Uuid;

use super::{now, parse_id, tags_from_json, tags_to_json, Pool};
use crate::domain::account::{
    ChangeRecord, DeviceInfo, MyData, Profile, RefusedPush, SessionInfo, SignInFailures,
    StaffAccount, StoredNeed, StoredOffer, StoredSignUp,
};
use crate::domain::forms::{ProfileUpdate, SignUp};
use crate::domain::{Contact, FieldErrors, Me, Role};
use crate::error::AppError;

/// Columns of an open account, for [`Me`].
type MeRow = (String, String, String);

pub(super) fn me_from_row((id, name, role): MeRow) -> Result<Me, AppError> {
    Ok(Me {
        id: parse_id(&id)?,
        name,
        role: Role::parse(&role).ok_or_else(|| {
            tracing::error!(role, "unknown role in database");
            AppError::Internal
        })?,
    })
}

/// An open account by id (closed accounts are nobody).
pub async fn me(pool: &Pool, id: Uuid) -> Result<Option<Me>, AppError> {
    let row: Option<MeRow> = sqlx::query_as(
        "SELECT id, display_name, role FROM users WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    row.map(me_from_row).transpose()
}

/// The WHERE clause and value that find an account by e-mail (any case) or phone.
fn contact_clause(contact: &Contact) -> (&'static str, String) {
    match contact {
        Contact::Email(e) => ("lower(email) = lower($1)", e.as_str().to_owned()),
        Contact::Phone(p) => ("phone = $1", p.as_e164().to_owned()),
    }
}

/// The account and password hash to check a sign-in against.
pub async fn for_login(pool: &Pool, contact: &Contact) -> Result<Option<(Me, String)>, AppError> {
    let (clause, value) = contact_clause(contact);
    let row: Option<(String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT id, display_name, role, password_hash FROM users \
         WHERE {clause} AND closed_at IS NULL"
    ))
    .bind(value)
    .fetch_optional(pool)
    .await?;
    row.map(|(id, name, role, hash)| Ok((me_from_row((id, name, role))?, hash)))
        .transpose()
}

async fn contact_taken(
    pool: &Pool,
    contact: &Contact,
    except: Option<Uuid>,
) -> Result<bool, AppError> {
    let (clause, value) = contact_clause(contact);
    let (count,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM users WHERE {clause} AND id <> $2"
    ))
    .bind(value)
    .bind(except.map(|id| id.to_string()).unwrap_or_default())
    .fetch_one(pool)
    .await?;
    Ok(count > 0)
}

/// Whether every id names a row of `table` (districts or priority areas).
/// One query however many were chosen; `ids` are unique (the form validation sees to that).
pub async fn all_exist(pool: &Pool, table: RefTable, ids: &[Uuid]) -> Result<bool, AppError> {
    if ids.is_empty() {
        return Ok(true);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE id IN ({})",
        table.name(),
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64,)>(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    let (found,) = query.fetch_one(pool).await?;
    Ok(found == ids.len() as i64)
}

/// Reference tables a form may choose from.
#[derive(Debug, Clone, Copy)]
pub enum RefTable {
    Districts,
    PriorityAreas,
}

impl RefTable {
    fn name(self) -> &'static str {
        match self {
            RefTable::Districts => "districts",
            RefTable::PriorityAreas => "priority_areas",
        }
    }
}

/// Creates a volunteer account. `contact_taken` if the e-mail or phone already has one.
#[tracing::instrument(skip_all)]
pub async fn create_volunteer(
    pool: &Pool,
    sign_up: &SignUp,
    password_hash: &str,
) -> Result<Me, AppError> {
    if !all_exist(pool, RefTable::Districts, &sign_up.districts).await? {
        return Err(FieldErrors::single("districts", "unknown_choice").into());
    }
    if contact_taken(pool, &sign_up.contact, None).await? {
        return Err(FieldErrors::single("contact", "contact_taken").into());
    }
    let id = Uuid::new_v4();
    let (email, phone) = match &sign_up.contact {
        Contact::Email(e) => (Some(e.as_str().to_owned()), None),
        Contact::Phone(p) => (None, Some(p.as_e164().to_owned())),
    };
    let at = now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO users (id, display_name, email, phone, password_hash, role, languages, skills, \
         privacy_accepted_at, created_at) VALUES ($1, $2, $3, $4, $5, 'volunteer', $6, $7, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&sign_up.name)
    .bind(email)
    .bind(phone)
    .bind(password_hash)
    .bind(tags_to_json(&sign_up.languages))
    .bind(tags_to_json(&sign_up.skills))
    .bind(&at)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_to_field(e, "contact", "contact_taken"))?;
    set_districts(&mut tx, id, &sign_up.districts).await?;
    tx.commit().await?;
    Ok(Me {
        id,
        name: sign_up.name.clone(),
        role: Role::Volunteer,
    })
}

/// A uniqueness violation that a concurrent request won despite the check before: the same
/// answer the check would have given. Other errors stay what they are.
fn unique_to_field(err: sqlx::Error, field: &str, key: &str) -> AppError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            FieldErrors::single(field, key).into()
        }
        _ => err.into(),
    }
}

async fn set_districts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: Uuid,
    districts: &[Uuid],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM user_districts WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut **tx)
        .await?;
    for district in districts {
        sqlx::query("INSERT INTO user_districts (user_id, district_id) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(district.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn profile(pool: &Pool, id: Uuid) -> Result<Profile, AppError> {
    let (name, email, phone, languages, skills): (
        String,
        Option<String>,
        Option<String>,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT display_name, email, phone, languages, skills FROM users \
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_one(pool)
    .await?;
    let districts: Vec<(String,)> = sqlx::query_as(
        "SELECT d.id FROM user_districts ud JOIN districts d ON d.id = ud.district_id \
         WHERE ud.user_id = $1 ORDER BY d.sort_order, d.name",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    Ok(Profile {
        name,
        email,
        phone,
        districts: districts
            .iter()
            .map(|(d,)| parse_id(d))
            .collect::<Result<_, _>>()?,
        languages: tags_from_json(&languages),
        skills: tags_from_json(&skills),
    })
}

#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn update_profile(pool: &Pool, id: Uuid, update: &ProfileUpdate) -> Result<(), AppError> {
    if !all_exist(pool, RefTable::Districts, &update.districts).await? {
        return Err(FieldErrors::single("districts", "unknown_choice").into());
    }
    let mut errors = FieldErrors::default();
    if let Some(email) = &update.email {
        if contact_taken(pool, &Contact::Email(email.clone()), Some(id)).await? {
            errors.add("email", "contact_taken");
        }
    }
    if let Some(phone) = &update.phone {
        if contact_taken(pool, &Contact::Phone(phone.clone()), Some(id)).await? {
            errors.add("phone", "contact_taken");
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE users SET display_name = $2, email = $3, phone = $4, languages = $5, skills = $6 \
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id.to_string())
    .bind(&update.name)
    .bind(update.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(update.phone.as_ref().map(|p| p.as_e164().to_owned()))
    .bind(tags_to_json(&update.languages))
    .bind(tags_to_json(&update.skills))
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_to_field(e, "email", "contact_taken"))?;
    set_districts(&mut tx, id, &update.districts).await?;
    tx.commit().await?;
    Ok(())
}

/// The sign-in limit's keys of a person: one per way they sign in (e-mail, phone).
pub async fn throttle_keys(pool: &Pool, id: Uuid) -> Result<Vec<String>, AppError> {
    let (email, phone): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT email, phone FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(pool)
            .await?;
    Ok(identifier_keys(email, phone))
}

fn identifier_keys(email: Option<String>, phone: Option<String>) -> Vec<String> {
    let email = email.and_then(|e| crate::domain::Email::parse(&e).ok());
    let phone = phone.and_then(|p| crate::domain::Phone::parse(&p).ok());
    email
        .map(Contact::Email)
        .into_iter()
        .chain(phone.map(Contact::Phone))
        .map(|c| c.throttle_key())
        .collect()
}

pub async fn password_hash(pool: &Pool, id: Uuid) -> Result<String, AppError> {
    let (hash,): (String,) =
        sqlx::query_as("SELECT password_hash FROM users WHERE id = $1 AND closed_at IS NULL")
            .bind(id.to_string())
            .fetch_one(pool)
            .await?;
    Ok(hash)
}

/// Sets a new password hash and ends every other session of the person.
pub async fn set_password_hash(
    pool: &Pool,
    id: Uuid,
    hash: &str,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(id.to_string())
        .bind(keep_session.unwrap_or_default())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a staff or administrator account. `contact_taken` on the e-mail if it exists.
#[tracing::instrument(skip_all)]
pub async fn create_staff(
    pool: &Pool,
    name: &str,
    email: &crate::domain::Email,
    role: Role,
    password_hash: &str,
) -> Result<StaffAccount, AppError> {
    if contact_taken(pool, &Contact::Email(email.clone()), None).await? {
        return Err(FieldErrors::single("email", "contact_taken").into());
    }
    let id = Uuid::new_v4();
    let at = now();
    sqlx::query(
        "INSERT INTO users (id, display_name, email, password_hash, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(email.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(&at)
    .execute(pool)
    .await
    .map_err(|e| unique_to_field(e, "email", "contact_taken"))?;
    Ok(StaffAccount {
        id,
        name: name.to_owned(),
        email: email.as_str().to_owned(),
        role,
        created_at: at,
    })
}

/// Every open staff and administrator account.
pub async fn list_staff(pool: &Pool) -> Result<Vec<StaffAccount>, AppError> {
    let rows: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT id, display_name, email, role, created_at FROM users \
         WHERE role IN ('staff', 'admin') AND closed_at IS NULL ORDER BY display_name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, name, email, role, created_at)| {
            Ok(StaffAccount {
                id: parse_id(&id)?,
                name,
                email: email.unwrap_or_default(),
                role: Role::parse(&role).ok_or(AppError::Internal)?,
                created_at,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct MyDataRow {
    display_name: String,
    email: Option<String>,
    phone: Option<String>,
    role: String,
    languages: String,
    skills: String,
    created_at: String,
    privacy_accepted_at: Option<String>,
}

/// Everything stored about one person.
pub async fn my_data(
    pool: &Pool,
    id: Uuid,
    current_session: Option<&str>,
) -> Result<MyData, AppError> {
    let row: MyDataRow = sqlx::query_as(
        "SELECT display_name, email, phone, role, languages, skills, created_at, \
         privacy_accepted_at FROM users WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_one(pool)
    .await?;
    let districts: Vec<(String,)> = sqlx::query_as(
        "SELECT d.name FROM user_districts ud JOIN districts d ON d.id = ud.district_id \
         WHERE ud.user_id = $1 ORDER BY d.sort_order, d.name",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let sessions: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, created_at, updated_at FROM sessions WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let devices: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT id, last_seq, seen_at FROM sync_devices WHERE user_id = $1 ORDER BY seen_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let changes: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, device_id, record_id, outcome, applied_at FROM sync_changes \
         WHERE user_id = $1 ORDER BY applied_at, seq",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let refused: Vec<(String, String)> = sqlx::query_as(
        "SELECT reason, created_at FROM sync_rejections WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let keys = identifier_keys(row.email.clone(), row.phone.clone());
    Ok(MyData {
        id,
        name: row.display_name,
        email: row.email,
        phone: row.phone,
        role: Role::parse(&row.role).ok_or(AppError::Internal)?,
        districts: districts.into_iter().map(|(d,)| d).collect(),
        languages: tags_from_json(&row.languages),
        skills: tags_from_json(&row.skills),
        created_at: row.created_at,
        privacy_accepted_at: row.privacy_accepted_at,
        groups: super::groups::my_groups(pool, id).await?,
        sessions: sessions
            .into_iter()
            .map(|(sid, created_at, last_used_at)| SessionInfo {
                current: Some(sid.as_str()) == current_session,
                created_at,
                last_used_at,
            })
            .collect(),
        group_events: super::groups::events_by(pool, id).await?,
        offers: my_offers(pool, id).await?,
        needs: my_needs(pool, id).await?,
        sign_ups: my_sign_ups(pool, id).await?,
        calendar_feed_made: sqlx::query_as::<_, (String,)>(
            "SELECT created_at FROM calendar_feeds WHERE user_id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
        .map(|(made,)| made),
        case_steps: my_case_steps(pool, id).await?,
        case_rules_changed: sqlx::query_as::<_, (String,)>(
            "SELECT updated_at FROM case_rules WHERE updated_by = $1",
        )
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
        .map(|(at,)| at),
        devices: devices
            .into_iter()
            .map(|(device, last_change, last_seen_at)| {
                Ok(DeviceInfo {
                    id: parse_id(&device)?,
                    last_change,
                    last_seen_at,
                })
            })
            .collect::<Result<_, AppError>>()?,
        changes: changes
            .into_iter()
            .map(|(change, device, record, outcome, applied_at)| {
                Ok(ChangeRecord {
                    id: parse_id(&change)?,
                    device: parse_id(&device)?,
                    record: parse_id(&record)?,
                    outcome,
                    applied_at,
                })
            })
            .collect::<Result<_, AppError>>()?,
        refused_pushes: refused
            .into_iter()
            .map(|(reason, at)| RefusedPush { reason, at })
            .collect(),
        sign_in_failures: sign_in_failures(pool, &keys).await?,
    })
}

/// id, group, body, created by, payee, created, updated.
type NeedRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

async fn my_needs(pool: &Pool, id: Uuid) -> Result<Vec<StoredNeed>, AppError> {
    let rows: Vec<NeedRow> = sqlx::query_as(
        "SELECT id, group_id, body, created_by, payee_id, created_at, updated_at FROM needs \
             WHERE created_by = $1 OR payee_id = $1 ORDER BY created_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let me = Some(id.to_string());
    rows.into_iter()
        .map(|(need, group, body, by, payee, created_at, updated_at)| {
            Ok(StoredNeed {
                id: parse_id(&need)?,
                group: parse_id(&group)?,
                need: body
                    .map(|b| serde_json::from_str(&b))
                    .transpose()
                    .map_err(|e| {
                        tracing::error!(error = %e, "stored need unreadable");
                        AppError::Internal
                    })?,
                posted_by_me: by == me,
                payee_is_me: payee == me,
                created_at,
                updated_at,
            })
        })
        .collect()
}

async fn my_sign_ups(pool: &Pool, id: Uuid) -> Result<Vec<StoredSignUp>, AppError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, body, created_at, updated_at FROM sign_ups \
         WHERE volunteer_id = $1 AND body IS NOT NULL ORDER BY starts_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(sign_up, body, created_at, updated_at)| {
            Ok(StoredSignUp {
                id: parse_id(&sign_up)?,
                sign_up: serde_json::from_str(&body).map_err(|e| {
                    tracing::error!(error = %e, "stored sign-up unreadable");
                    AppError::Internal
                })?,
                created_at,
                updated_at,
            })
        })
        .collect()
}

async fn my_offers(pool: &Pool, id: Uuid) -> Result<Vec<StoredOffer>, AppError> {
    let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT id, body, created_at, updated_at FROM offers WHERE owner_id = $1 ORDER BY created_at",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(offer, body, created_at, updated_at)| {
            Ok(StoredOffer {
                id: parse_id(&offer)?,
                offer: body
                    .map(|b| serde_json::from_str(&b))
                    .transpose()
                    .map_err(|e| {
                        tracing::error!(error = %e, "stored offer unreadable");
                        AppError::Internal
                    })?,
                created_at,
                updated_at,
            })
        })
        .collect()
}

async fn sign_in_failures(pool: &Pool, keys: &[String]) -> Result<Vec<SignInFailures>, AppError> {
    let mut found = Vec::new();
    for key in keys {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT failures, last_failure_at FROM login_throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?;
        if let Some((failures, last_at)) = row {
            found.push(SignInFailures {
                identifier: key.trim_start_matches("acct:").to_owned(),
                failures,
                last_at,
            });
        }
    }
    Ok(found)
}

/// The steps I took on cases (a case I handle is among them: its assignment is a step).
async fn my_case_steps(
    pool: &Pool,
    id: Uuid,
) -> Result<Vec<crate::domain::account::MyCaseStep>, AppError> {
    use crate::domain::case::CaseState;
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.number, t.from_state, t.to_state, t.step FROM case_trail t          JOIN cases c ON c.id = t.case_id WHERE t.actor_id = $1 ORDER BY t.at, c.number, t.seq",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(case_number, from, to, step)| {
            Ok(crate::domain::account::MyCaseStep {
                case_number,
                from: CaseState::parse(&from).ok_or(AppError::Internal)?,
                to: CaseState::parse(&to).ok_or(AppError::Internal)?,
                step: serde_json::from_str(&step).map_err(|_| AppError::Internal)?,
            })
        })
        .collect()
}

/// The name a closed account is shown under in records that must be kept.
pub fn pseudonym(id: Uuid) -> String {
    format!("#{}", &id.simple().to_string()[..8])
}

/// Closes an account: every way to reach or recognise the person is removed — name, e-mail,
/// phone, password, districts, skills, languages, sessions, group memberships, offers (notes,
/// skills, availability), sync devices and changes, refused pushes, failed sign-ins counted
/// under the e-mail or phone, invitations the person made — in one transaction. The row stays,
/// under a pseudonym, for the records the municipality must keep (a group's history, the needs
/// the person posted for a group or is the payee of, later case decisions).
///
/// Refused while the person is the last contact of a group (a group must keep someone who
/// speaks for it): the answer names those groups.
#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn close_account(pool: &Pool, id: Uuid) -> Result<(), AppError> {
    let at = now();
    let key = id.to_string();
    let mut tx = pool.begin().await?;
    // Lock the person's memberships' groups first (as removing a member does), so that a
    // contact leaving at the same moment cannot leave a group with nobody.
    super::groups::lock_groups_of(&mut tx, id).await?;
    let orphaned: Vec<(String,)> = sqlx::query_as(
        "SELECT a.name FROM actor_members m JOIN actors a ON a.id = m.actor_id \
         WHERE m.user_id = $1 AND m.role = 'contact' AND NOT EXISTS ( \
           SELECT 1 FROM actor_members o WHERE o.actor_id = m.actor_id \
           AND o.role = 'contact' AND o.user_id <> $1) ORDER BY a.name",
    )
    .bind(&key)
    .fetch_all(&mut *tx)
    .await?;
    if !orphaned.is_empty() {
        let mut errors = FieldErrors::single("form", "last_contact_of");
        for (name,) in orphaned {
            errors.add("groups", name);
        }
        return Err(errors.into());
    }
    let (email, phone): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT email, phone FROM users WHERE id = $1")
            .bind(&key)
            .fetch_one(&mut *tx)
            .await?;
    super::throttle::forget_keys(&mut tx, &identifier_keys(email, phone)).await?;
    sqlx::query(
        "UPDATE users SET display_name = $2, email = NULL, phone = NULL, password_hash = '', \
         languages = '[]', skills = '[]', closed_at = $3 WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(&key)
    .bind(pseudonym(id))
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    // The shifts they signed up to stay with the groups under the pseudonym; a place still to
    // come is given back (the first waiting moves up), through the one write path.
    release_sign_ups(&mut tx, id).await?;
    // The person's offers go, with their place in sync (their own devices are signed out).
    for table in ["sync_scopes", "sync_scope_log"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE record_id IN (SELECT id FROM offers WHERE owner_id = $1)"
        ))
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM sync_records WHERE id IN (SELECT id FROM offers WHERE owner_id = $1)")
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    for (table, column) in [
        ("user_districts", "user_id"),
        ("sessions", "user_id"),
        ("offers", "owner_id"),
        ("sync_changes", "user_id"),
        ("sync_devices", "user_id"),
        ("sync_rejections", "user_id"),
        ("actor_invites", "created_by"),
        ("calendar_feeds", "user_id"),
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE {column} = $1"))
            .bind(&key)
            .execute(&mut *tx)
            .await?;
    }
    let groups: Vec<(String,)> =
        sqlx::query_as("SELECT actor_id FROM actor_members WHERE user_id = $1")
            .bind(&key)
            .fetch_all(&mut *tx)
            .await?;
    for (actor,) in groups {
        super::groups::record_event(
            &mut tx,
            &actor,
            Some(id),
            crate::domain::account::GroupEventKind::Left,
            "",
            &at,
        )
        .await?;
    }
    sqlx::query("DELETE FROM actor_members WHERE user_id = $1")
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A closing account's sign-ups: places to come given back (by the person, so the waiting list
/// moves up), and every sign-up renamed to the pseudonym (by the server).
async fn release_sign_ups(conn: &mut sqlx::AnyConnection, id: Uuid) -> Result<(), AppError> {
    use crate::domain::activity::{SignUpPatch, SignUpStatus};
    use crate::sync::kinds::Actor;
    use crate::sync::protocol::{KindOp, Op};
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT id, starts_at, status FROM sign_ups WHERE volunteer_id = $1 AND body IS NOT NULL",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let person = Actor {
        user: Some(id),
        ..Actor::default()
    };
    let system = Actor::system();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let update = |patch| Op::SignUp(KindOp::Update(patch));
    let mut changes = Vec::new();
    for (sign_up, starts_at, status) in rows {
        let sign_up = parse_id(&sign_up)?;
        let active = SignUpStatus::parse(&status).is_some_and(SignUpStatus::is_active);
        if active && starts_at > now {
            let patch = SignUpPatch {
                status: Some(SignUpStatus::Withdrawn),
                ..SignUpPatch::default()
            };
            changes.push((&person, id, sign_up, update(patch)));
        }
        let patch = SignUpPatch {
            name: Some(pseudonym(id)),
            ..SignUpPatch::default()
        };
        changes.push((&system, id, sign_up, update(patch)));
    }
    super::sync::write_on(conn, &changes, Default::default()).await?;
    Ok(())
}

/// For the `create-admin` command: creates an administrator, or makes an existing account with
/// that e-mail one (with the new password). Returns whether an account was created.
pub async fn ensure_admin(
    pool: &Pool,
    name: &str,
    email: &crate::domain::Email,
    password_hash: &str,
) -> Result<bool, AppError> {
    let updated = sqlx::query(
        "UPDATE users SET role = 'admin', password_hash = $2 \
         WHERE lower(email) = lower($1) AND closed_at IS NULL",
    )
    .bind(email.as_str())
    .bind(password_hash)
    .execute(pool)
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(false);
    }
    create_staff(pool, name, email, Role::Admin, password_hash).await?;
    Ok(true)
}

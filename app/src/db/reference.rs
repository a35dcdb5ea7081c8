//! Priority areas and districts.
use uuid::Uuid;

use super::Pool;
use crate::domain::{District, LocalizedText, PriorityArea, ReferenceData};
use crate::error::AppError;

type AreaRow = (String, String, String, String, String, String);

/// The facts a write to synced records is judged by: the reference lists and the largest
/// grant one request may ask for (the server's configuration).
pub async fn known(
    pool: &Pool,
    max_grant_ore: i64,
) -> Result<crate::domain::offer::Known, AppError> {
    let reference = load(pool).await?;
    Ok(crate::domain::offer::Known {
        max_grant_ore: Some(max_grant_ore),
        ..crate::domain::offer::Known::from_reference(&reference)
    })
}

#[tracing::instrument(skip(pool))]
pub async fn load(pool: &Pool) -> Result<ReferenceData, AppError> {
    let areas: Vec<AreaRow> = sqlx::query_as(
        "SELECT id, slug, name_sv, name_en, description_sv, description_en \
         FROM priority_areas ORDER BY sort_order, name_sv",
    )
    .fetch_all(pool)
    .await?;
    let districts: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, slug, name FROM districts ORDER BY sort_order, name")
            .fetch_all(pool)
            .await?;
    Ok(ReferenceData {
        priority_areas: areas
            .into_iter()
            .map(|(id, slug, name_sv, name_en, desc_sv, desc_en)| {
                Ok(PriorityArea {
                    id: parse_id(&id)?,
                    slug,
                    name: LocalizedText {
                        sv: name_sv,
                        en: name_en,
                    },
                    description: LocalizedText {
                        sv: desc_sv,
                        en: desc_en,
                    },
                })
            })
            .collect::<Result<_, AppError>>()?,
        districts: districts
            .into_iter()
            .map(|(id, slug, name)| {
                Ok(District {
                    id: parse_id(&id)?,
                    slug,
                    name,
                })
            })
            .collect::<Result<_, AppError>>()?,
    })
}

/// Inserts a priority area unless one with the same slug exists.
pub async fn upsert_priority_area(
    pool: &Pool,
    area: &PriorityArea,
    sort_order: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO priority_areas (id, slug, name_sv, name_en, description_sv, description_en, sort_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING",
    )
    .bind(area.id.to_string())
    .bind(&area.slug)
    .bind(&area.name.sv)
    .bind(&area.name.en)
    .bind(&area.description.sv)
    .bind(&area.description.en)
    .bind(sort_order)
    .execute(pool)
    .await?;
    Ok(())
}

/// Inserts a district unless one with the same slug exists.
pub async fn upsert_district(
    pool: &Pool,
    district: &District,
    sort_order: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO districts (id, slug, name, sort_order) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(district.id.to_string())
    .bind(&district.slug)
    .bind(&district.name)
    .bind(sort_order)
    .execute(pool)
    .await?;
    Ok(())
}

/// Ids are stored as text (see the module docs of `db`); a malformed one is our bug, not the user's.
pub(crate) fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|e| {
        tracing::error!(id = raw, error = %e, "malformed id in database");
        AppError::Internal
    })
}

//! Tenants (created from the CLI).

use chrono::{DateTime, Utc};
use grapevine_entity::tables::tenants;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Create a tenant with a URL-safe slug.
pub async fn create(
    conn: &impl ConnectionTrait,
    slug: &str,
    name: &str,
    now: DateTime<Utc>,
) -> ApiResult<tenants::Model> {
    let slug = slug.trim().to_lowercase();
    if slug.len() < 2
        || slug.len() > 40
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(ApiError::invalid(
            "slug",
            "must be 2 to 40 characters of a-z, 0-9 and -",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid("name", "must be 1 to 200 characters"));
    }
    if by_slug(conn, &slug).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "a tenant with slug {slug:?} exists"
        )));
    }
    Ok(tenants::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug),
        name: Set(name.to_owned()),
        created_at: Set(now),
    }
    .insert(conn)
    .await?)
}

/// A tenant by slug.
pub async fn by_slug(conn: &impl ConnectionTrait, slug: &str) -> ApiResult<Option<tenants::Model>> {
    Ok(tenants::Entity::find()
        .filter(tenants::Column::Slug.eq(slug))
        .one(conn)
        .await?)
}

/// A tenant by id.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<tenants::Model> {
    tenants::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("tenant"))
}

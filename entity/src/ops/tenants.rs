//! Tenants (created from the CLI).

use crate::tables::tenants;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::ops::error::{Error, Result};

/// Create a tenant with a URL-safe slug.
pub async fn create(
    conn: &impl ConnectionTrait,
    slug: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<tenants::Model> {
    let slug = slug.trim().to_lowercase();
    if slug.len() < 2
        || slug.len() > 40
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::invalid(
            "slug",
            "must be 2 to 40 characters of a-z, 0-9 and -",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::invalid("name", "must be 1 to 200 characters"));
    }
    if by_slug(conn, &slug).await?.is_some() {
        return Err(Error::Conflict(format!(
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
pub async fn by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<Option<tenants::Model>> {
    Ok(tenants::Entity::find()
        .filter(tenants::Column::Slug.eq(slug))
        .one(conn)
        .await?)
}

/// A tenant by id.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<tenants::Model> {
    tenants::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(Error::NotFound("tenant"))
}

//! Creating, listing and revoking API keys.

use crate::tables::{ApiKeyKind, api_keys};
use chrono::{DateTime, Utc};
use sea_orm::TransactionSession as _;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::domain::api_key::{generate, hash};
use crate::ops::{
    audit,
    error::{Error, Result},
    principal::Principal,
};

/// Create a key; the plain key is returned once and never stored.
pub async fn create(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    kind: ApiKeyKind,
    name: &str,
    origins: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(String, api_keys::Model)> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(Error::invalid("name", "must be 1 to 100 characters"));
    }
    let mut allowed = Vec::new();
    for (i, origin) in origins.iter().enumerate() {
        let parsed = url::Url::parse(origin).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.path() == "/"
        });
        match parsed {
            Some(u) => allowed.push(u.origin().ascii_serialization()),
            None => {
                return Err(Error::invalid(
                    format!("allowedOrigins[{i}]"),
                    "must be an origin like https://shop.example",
                ));
            }
        }
    }
    if kind == ApiKeyKind::Publishable && allowed.is_empty() {
        return Err(Error::invalid(
            "allowedOrigins",
            "a publishable key needs at least one allowed origin",
        ));
    }
    let key = generate(kind);
    let txn = crate::db::begin_write(conn).await?;
    let created_by = match principal {
        Principal::Staff { user_id, .. } => Some(*user_id),
        _ => None,
    };
    let row = api_keys::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        kind: Set(kind),
        name: Set(name.to_owned()),
        prefix: Set(key.chars().take(12).collect()),
        key_hash: Set(hash(&key)),
        allowed_origins: Set(json!(allowed)),
        created_by: Set(created_by),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "api_key.create",
        "api_key",
        Some(row.id),
        json!({ "kind": kind.as_str(), "name": row.name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((key, row))
}

/// Revoke a key. The API's key caches must then forget it (its `cache_bus`), so that it stops
/// working at once on this replica and on the others as soon as they hear of it.
pub async fn revoke(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<api_keys::Model> {
    let txn = crate::db::begin_write(conn).await?;
    let row = crate::ops::tenancy::find_in_tenant::<api_keys::Entity>(&txn, tenant_id, id).await?;
    let mut m = row.into_active_model();
    m.revoked_at = Set(Some(now));
    let row = m.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "api_key.revoke",
        "api_key",
        Some(id),
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The tenant's keys, newest first.
pub async fn list(conn: &impl ConnectionTrait, tenant_id: Uuid) -> Result<Vec<api_keys::Model>> {
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::TenantId.eq(tenant_id))
        .order_by_desc(api_keys::Column::Id)
        .all(conn)
        .await?)
}

//! Per-tenant secrets that must be read back, stored encrypted (AES-GCM) under the master key.

use chrono::{DateTime, Utc};
use grapevine_entity::tables::tenant_secrets;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::Principal,
    crypto::SecretBoxer,
    error::{ApiError, ApiResult},
    services::audit,
};

/// The secrets a tenant can set.
pub const NAMES: &[&str] = &[
    "widget_secret",
    "webhook_secret",
    "stripe_secret_key",
    "stripe_webhook_secret",
    "giftcard_api_key",
];

use grapevine_entity::ops::secrets::aad;

/// Store (or replace) a secret.
pub async fn set(
    conn: &impl ConnectionTrait,
    boxer: &SecretBoxer,
    principal: &Principal,
    tenant_id: Uuid,
    name: &str,
    value: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if !NAMES.contains(&name) {
        return Err(ApiError::invalid(
            "name",
            format!("must be one of {}", NAMES.join(", ")),
        ));
    }
    if value.is_empty() || value.len() > 4096 {
        return Err(ApiError::invalid("value", "must be 1 to 4096 characters"));
    }
    put(conn, boxer, tenant_id, name, value, now).await?;
    audit::record(
        conn,
        tenant_id,
        principal,
        "secret.set",
        "tenant_secret",
        None,
        json!({ "name": name }),
        now,
    )
    .await?;
    Ok(())
}

/// Store a secret under any name (internal callers such as the demo seeder).
pub async fn put(
    conn: &impl ConnectionTrait,
    boxer: &SecretBoxer,
    tenant_id: Uuid,
    name: &str,
    value: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let sealed = boxer
        .seal(value, &aad(tenant_id, name))
        .map_err(|e| ApiError::Internal(e.into()))?;
    tenant_secrets::Entity::insert(tenant_secrets::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        name: Set(name.to_owned()),
        ciphertext: Set(sealed),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            tenant_secrets::Column::TenantId,
            tenant_secrets::Column::Name,
        ])
        .update_columns([
            tenant_secrets::Column::Ciphertext,
            tenant_secrets::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// Read a secret back.
pub async fn get(
    conn: &impl ConnectionTrait,
    boxer: &SecretBoxer,
    tenant_id: Uuid,
    name: &str,
) -> ApiResult<Option<SecretString>> {
    grapevine_entity::ops::secrets::get(conn, boxer, tenant_id, name)
        .await
        .map_err(ApiError::Internal)
}

//! A tenant's secrets that must be read back (widget signing secret, webhook secret, Stripe and
//! gift-card keys), stored encrypted (AES-GCM) under the master key.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use crate::ops::{
    audit,
    crypto::SecretBoxer,
    error::{Error, Result},
    principal::Principal,
};
use crate::tables::tenant_secrets;

/// The additional data a secret is sealed with: it binds the ciphertext to its tenant and name.
pub fn aad(tenant_id: Uuid, name: &str) -> String {
    format!("{tenant_id}/{name}")
}

/// A tenant's secret, decrypted; `None` if it is not set.
pub async fn get(
    conn: &impl ConnectionTrait,
    boxer: &SecretBoxer,
    tenant_id: Uuid,
    name: &str,
) -> anyhow::Result<Option<SecretString>> {
    let Some(row) = tenant_secrets::Entity::find()
        .filter(tenant_secrets::Column::TenantId.eq(tenant_id))
        .filter(tenant_secrets::Column::Name.eq(name))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(boxer.open(&row.ciphertext, &aad(tenant_id, name))?))
}

/// The secrets a tenant can set.
pub const NAMES: &[&str] = &[
    "widget_secret",
    "webhook_secret",
    "stripe_secret_key",
    "stripe_webhook_secret",
    "giftcard_api_key",
];

/// Store (or replace) a secret.
pub async fn set(
    conn: &impl ConnectionTrait,
    boxer: &SecretBoxer,
    principal: &Principal,
    tenant_id: Uuid,
    name: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if !NAMES.contains(&name) {
        return Err(Error::invalid(
            "name",
            format!("must be one of {}", NAMES.join(", ")),
        ));
    }
    if value.is_empty() || value.len() > 4096 {
        return Err(Error::invalid("value", "must be 1 to 4096 characters"));
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
) -> Result<()> {
    let sealed = boxer
        .seal(value, &aad(tenant_id, name))
        .map_err(|e| Error::Internal(e.into()))?;
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

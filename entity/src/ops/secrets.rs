//! Reading a tenant's encrypted secrets (Stripe keys, gift-card API key) back; the API writes them.

use crate::tables::tenant_secrets;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;
use uuid::Uuid;

use crate::ops::crypto::SecretBoxer;

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

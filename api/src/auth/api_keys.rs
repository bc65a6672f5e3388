//! API keys: `sk_…` (secret, server-to-server) and `pk_…` (publishable, for the widget, limited to
//! allowed origins). 40 random base62 characters (~238 bits); only the SHA-256 is stored. Lookups go
//! through a short cache; revoking evicts the key here at once (other replicas within the TTL).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use grapevine_entity::tables::{ApiKeyKind, api_keys};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use grapevine_entity::domain::api_key::{generate, hash};

/// A verified key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKey {
    /// Key id.
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Kind.
    pub kind: ApiKeyKind,
    /// Origins a publishable key may be used from.
    pub allowed_origins: Vec<String>,
}

/// Cache of verified keys by hash.
pub struct ApiKeyCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Option<VerifiedKey>, Instant)>>,
}

impl ApiKeyCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Verify a presented key (unknown and revoked keys are `None`; both are cached briefly too,
    /// so a flood of bad keys does not reach the database).
    pub async fn verify(
        &self,
        conn: &impl ConnectionTrait,
        key: &str,
    ) -> Result<Option<VerifiedKey>, DbErr> {
        if !(key.starts_with("sk_") || key.starts_with("pk_")) || key.len() != 43 {
            return Ok(None);
        }
        let digest = hash(key);
        if let Ok(entries) = self.entries.lock()
            && let Some((hit, at)) = entries.get(&digest)
            && at.elapsed() < self.ttl
        {
            return Ok(hit.clone());
        }
        let found = api_keys::Entity::find()
            .filter(api_keys::Column::KeyHash.eq(digest.as_str()))
            .filter(api_keys::Column::RevokedAt.is_null())
            .one(conn)
            .await?
            .map(|row| VerifiedKey {
                id: row.id,
                tenant_id: row.tenant_id,
                kind: row.kind,
                allowed_origins: serde_json::from_value(row.allowed_origins).unwrap_or_default(),
            });
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 50_000 {
                entries.clear();
            }
            entries.insert(digest, (found.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// Forget every key (this replica may have missed revocations).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// Forget a key at once (on revocation).
    pub fn evict_id(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (hit, _)| hit.as_ref().is_none_or(|k| k.id != id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_their_prefix_length_and_differ() {
        let a = generate(ApiKeyKind::Secret);
        let b = generate(ApiKeyKind::Secret);
        assert!(a.starts_with("sk_") && a.len() == 43);
        assert!(generate(ApiKeyKind::Publishable).starts_with("pk_"));
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
    }
}

//! The audit log: one row per change, written in the change's transaction.

use crate::tables::audit_log;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use crate::ops::principal::Principal;

/// Record `action` on `entity` by `principal`.
#[expect(
    clippy::too_many_arguments,
    reason = "one flat call per audited change reads best at the call sites"
)]
pub async fn record(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    principal: &Principal,
    action: &str,
    entity: &str,
    entity_id: Option<Uuid>,
    data: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let actor_id = match principal {
        Principal::Staff { user_id, .. } => Some(*user_id),
        Principal::ApiKey { key_id, .. } => Some(*key_id),
        Principal::Anonymous => None,
    };
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        actor_id: Set(actor_id),
        actor: Set(principal.label()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        data: Set(data),
        created_at: Set(now),
    })
    .exec(conn)
    .await?;
    Ok(())
}

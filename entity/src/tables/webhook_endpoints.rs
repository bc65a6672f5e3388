//! `webhook_endpoints`: a tenant's receiver of outgoing webhooks, the events it subscribes to and
//! its signing secret (encrypted under the master key, like the other tenant secrets).

use sea_orm::entity::prelude::*;

/// One endpoint.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The subscribed event types, a JSON array of names such as `"reward.earned"`.
    #[sea_orm(column_type = "JsonBinary")]
    pub event_types: Json,
    pub enabled: bool,
    /// The signing secret, sealed (AES-256-GCM) with its tenant and endpoint as context.
    #[sea_orm(column_type = "Text")]
    pub secret_ciphertext: String,
    /// The secret's last characters, to recognise it.
    pub secret_hint: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `webhook_deliveries`: one event for one subscribed endpoint, with the exact body sent and where
//! its delivery stands.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt (or a replay's).
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The receiver answered 2xx.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// The last attempt failed; another is scheduled.
    #[sea_orm(string_value = "retrying")]
    Retrying,
    /// Every attempt failed; `replayWebhookDelivery` starts a new sequence.
    #[sea_orm(string_value = "dead")]
    Dead,
}

impl DeliveryState {
    /// Every state, in declaration order.
    pub const ALL: &[Self] = &[Self::Pending, Self::Delivered, Self::Retrying, Self::Dead];

    /// True while attempts are still to come.
    pub fn in_flight(self) -> bool {
        matches!(self, Self::Pending | Self::Retrying)
    }
}

/// One row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub endpoint_id: Uuid,
    /// The event's id, the same for every endpoint it goes to and for every replay.
    pub event_id: Uuid,
    pub event_type: String,
    /// The JSON body, byte for byte what is sent and signed.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub state: DeliveryState,
    /// 0 for the first sequence of attempts, one more per replay.
    pub sequence: i32,
    /// Attempts made, over every sequence.
    pub attempts: i32,
    pub last_status: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `conversions`: purchases reported by the merchant, attributed to a referral or organic.

use sea_orm::entity::prelude::*;

/// A conversion.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    /// The merchant's order id; unique per tenant (the idempotency key).
    pub external_order_id: String,
    pub customer_external_id: String,
    pub customer_email: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    /// The amount in the campaign's currency (converted at the tenant's rate when it differs).
    pub campaign_amount_minor: Option<i64>,
    pub refunded_minor: i64,
    pub organic: bool,
    /// The card fingerprint the merchant reported (fraud: same card as the referrer).
    pub payment_fingerprint: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

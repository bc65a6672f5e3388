//! `clicks`: one row per counted click on a referral link (bots and HEAD requests are not counted).

use sea_orm::entity::prelude::*;

/// A counted click. The id is the `gv_click` value handed to the landing page.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clicks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub campaign_id: Uuid,
    pub link_id: Uuid,
    pub channel: Option<super::enums::Channel>,
    /// Keyed hash of the client address and user agent (never the raw address).
    pub visitor_hash: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

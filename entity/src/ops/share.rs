//! The reward summary of a campaign as share text and emails say it (see `domain::share`).

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    domain::share,
    tables::{campaigns, reward_rules},
};

/// "You get … and your friend gets …" from the campaign's reward rules.
pub async fn reward_summary(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
) -> Result<String, DbErr> {
    let rules = reward_rules::Entity::find()
        .filter(reward_rules::Column::CampaignId.eq(campaign.id))
        .order_by_asc(reward_rules::Column::Id)
        .all(conn)
        .await?;
    Ok(share::reward_summary(&rules, &campaign.currency))
}

//! Rollups: per campaign, day (in the campaign's time zone), link, channel and offer variant, the counters
//! reports read instead of raw events, with a mergeable sketch of the day's visitors; the
//! watermarks of the job that keeps them up to date; and the indexes it finds changes with.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rollups::Table)
                    .col(pk_uuid(Rollups::Id))
                    .col(uuid(Rollups::TenantId))
                    .col(uuid(Rollups::CampaignId))
                    .col(string_len(Rollups::Day, 10))
                    .col(uuid(Rollups::LinkId))
                    .col(string(Rollups::Channel))
                    .col(uuid(Rollups::VariantId))
                    .col(big_integer(Rollups::Clicks))
                    .col(blob(Rollups::Visitors))
                    .col(big_integer(Rollups::Leads))
                    .col(big_integer(Rollups::Approved))
                    .col(big_integer(Rollups::InReview))
                    .col(big_integer(Rollups::Rejected))
                    .col(big_integer(Rollups::FirstPurchases))
                    .col(big_integer(Rollups::Orders))
                    .col(big_integer(Rollups::RevenueMinor))
                    .col(big_integer(Rollups::ReferrerRewardMinor))
                    .col(big_integer(Rollups::RefereeRewardMinor))
                    .col(big_integer(Rollups::SettledRewardMinor))
                    .col(timestamp_with_time_zone(Rollups::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rollups_tenant")
                            .from(Rollups::Table, Rollups::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_rollups_bucket")
                    .table(Rollups::Table)
                    .col(Rollups::CampaignId)
                    .col(Rollups::Day)
                    .col(Rollups::LinkId)
                    .col(Rollups::Channel)
                    .col(Rollups::VariantId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rollups_link")
                    .table(Rollups::Table)
                    .col(Rollups::LinkId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RollupWatermarks::Table)
                    .col(string(RollupWatermarks::Source).primary_key())
                    .col(timestamp_with_time_zone(RollupWatermarks::At))
                    .to_owned(),
            )
            .await?;
        // Where the rollup job looks for what changed since its last pass.
        for (name, table, col) in [
            (
                "idx_clicks_created",
                Clicks::Table.into_iden(),
                Clicks::CreatedAt.into_iden(),
            ),
            (
                "idx_referrals_updated",
                Referrals::Table.into_iden(),
                Referrals::UpdatedAt.into_iden(),
            ),
            (
                "idx_conversions_created",
                Conversions::Table.into_iden(),
                Conversions::CreatedAt.into_iden(),
            ),
            (
                "idx_refunds_created",
                Refunds::Table.into_iden(),
                Refunds::CreatedAt.into_iden(),
            ),
            (
                "idx_rewards_updated",
                Rewards::Table.into_iden(),
                Rewards::UpdatedAt.into_iden(),
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_clicks_created", Clicks::Table.into_iden()),
            ("idx_referrals_updated", Referrals::Table.into_iden()),
            ("idx_conversions_created", Conversions::Table.into_iden()),
            ("idx_refunds_created", Refunds::Table.into_iden()),
            ("idx_rewards_updated", Rewards::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(RollupWatermarks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Rollups::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Rollups {
    Table,
    Id,
    TenantId,
    CampaignId,
    Day,
    LinkId,
    Channel,
    VariantId,
    Clicks,
    Visitors,
    Leads,
    Approved,
    InReview,
    Rejected,
    FirstPurchases,
    Orders,
    RevenueMinor,
    ReferrerRewardMinor,
    RefereeRewardMinor,
    SettledRewardMinor,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RollupWatermarks {
    Table,
    Source,
    At,
}

#[derive(DeriveIden)]
enum Clicks {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Conversions {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Refunds {
    Table,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rewards {
    Table,
    UpdatedAt,
}

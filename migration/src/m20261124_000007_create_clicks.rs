//! Clicks on referral links, written in batches by the redirect. No foreign keys: this is the
//! highest-volume table (each check would cost on every batch) and it will be partitioned by month.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clicks::Table)
                    .col(pk_uuid(Clicks::Id))
                    .col(uuid(Clicks::TenantId))
                    .col(uuid(Clicks::CampaignId))
                    .col(uuid(Clicks::LinkId))
                    .col(string_null(Clicks::Channel))
                    .col(string_len(Clicks::VisitorHash, 32))
                    .col(timestamp_with_time_zone(Clicks::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_clicks_link_created", Clicks::LinkId),
            ("idx_clicks_campaign_created", Clicks::CampaignId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Clicks::Table)
                        .col(col)
                        .col(Clicks::CreatedAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Clicks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Clicks {
    Table,
    Id,
    TenantId,
    CampaignId,
    LinkId,
    Channel,
    VisitorHash,
    CreatedAt,
}

//! Recommendations a campaign's team applied (who, when, which kind of insight), so that
//! programme health can measure the change after each one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppliedRecommendations::Table)
                    .col(uuid(AppliedRecommendations::Id).primary_key())
                    .col(uuid(AppliedRecommendations::TenantId))
                    .col(uuid(AppliedRecommendations::CampaignId))
                    .col(string_len(AppliedRecommendations::Kind, 64))
                    .col(text_null(AppliedRecommendations::Note))
                    .col(uuid_null(AppliedRecommendations::AppliedBy))
                    .col(timestamp_with_time_zone(AppliedRecommendations::AppliedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_applied_recommendations_campaign")
                            .from(
                                AppliedRecommendations::Table,
                                AppliedRecommendations::CampaignId,
                            )
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_applied_recommendations_tenant_applied")
                    .table(AppliedRecommendations::Table)
                    .col(AppliedRecommendations::TenantId)
                    .col(AppliedRecommendations::AppliedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_applied_recommendations_campaign")
                    .table(AppliedRecommendations::Table)
                    .col(AppliedRecommendations::CampaignId)
                    .col(AppliedRecommendations::AppliedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(AppliedRecommendations::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppliedRecommendations {
    Table,
    Id,
    TenantId,
    CampaignId,
    Kind,
    Note,
    AppliedBy,
    AppliedAt,
}

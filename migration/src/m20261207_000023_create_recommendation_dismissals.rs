//! Recommendations a campaign's team dismissed: one row per campaign and kind of insight while it
//! stays dismissed (restoring deletes it), so a report marks that insight as set aside.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecommendationDismissals::Table)
                    .col(uuid(RecommendationDismissals::Id).primary_key())
                    .col(uuid(RecommendationDismissals::TenantId))
                    .col(uuid(RecommendationDismissals::CampaignId))
                    .col(string_len(RecommendationDismissals::Kind, 64))
                    .col(text_null(RecommendationDismissals::Note))
                    .col(uuid_null(RecommendationDismissals::DismissedBy))
                    .col(timestamp_with_time_zone(
                        RecommendationDismissals::DismissedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recommendation_dismissals_campaign")
                            .from(
                                RecommendationDismissals::Table,
                                RecommendationDismissals::CampaignId,
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
                    .name("ux_recommendation_dismissals_campaign_kind")
                    .table(RecommendationDismissals::Table)
                    .col(RecommendationDismissals::CampaignId)
                    .col(RecommendationDismissals::Kind)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(RecommendationDismissals::Table)
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
enum RecommendationDismissals {
    Table,
    Id,
    TenantId,
    CampaignId,
    Kind,
    Note,
    DismissedBy,
    DismissedAt,
}

//! Experiment settings per campaign (stop a clearly worse variant by itself, with the sequential
//! tests' state between looks), and when and why a variant was stopped.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Experiments::Table)
                    .col(uuid(Experiments::CampaignId).primary_key())
                    .col(uuid(Experiments::TenantId))
                    .col(boolean(Experiments::AutoStop))
                    .col(double(Experiments::Alpha))
                    .col(double(Experiments::Tau2))
                    .col(json_binary(Experiments::Tests))
                    .col(timestamp_with_time_zone(Experiments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_experiments_campaign")
                            .from(Experiments::Table, Experiments::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(CampaignVariants::StoppedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(CampaignVariants::StopReason)
                .text()
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CampaignVariants::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [CampaignVariants::StoppedAt, CampaignVariants::StopReason] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CampaignVariants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Experiments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CampaignVariants {
    Table,
    StoppedAt,
    StopReason,
}

#[derive(DeriveIden)]
enum Experiments {
    Table,
    CampaignId,
    TenantId,
    AutoStop,
    Alpha,
    Tau2,
    Tests,
    UpdatedAt,
}

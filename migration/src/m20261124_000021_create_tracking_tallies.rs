//! What the tracking endpoints received, counted per tenant and hour apart from what they stored,
//! so that programme health can state tracking accuracy (recorded vs received).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrackingTallies::Table)
                    .col(uuid(TrackingTallies::TenantId))
                    .col(timestamp_with_time_zone(TrackingTallies::Hour))
                    .col(big_integer(TrackingTallies::ClicksReceived).default(0))
                    .col(big_integer(TrackingTallies::ClicksLost).default(0))
                    .col(big_integer(TrackingTallies::ConversionReports).default(0))
                    .col(big_integer(TrackingTallies::ConversionReportsFailed).default(0))
                    .primary_key(
                        Index::create()
                            .col(TrackingTallies::TenantId)
                            .col(TrackingTallies::Hour),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrackingTallies::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TrackingTallies {
    Table,
    TenantId,
    Hour,
    ClicksReceived,
    ClicksLost,
    ConversionReports,
    ConversionReportsFailed,
}

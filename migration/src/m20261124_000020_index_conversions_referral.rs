//! An index on `conversions.referral_id`: settling a referral reads its purchases by it, inside the
//! campaign's reward lock, and without the index each read scanned every conversion (the
//! conversion benchmark showed the scans growing with the table).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_conversions_referral")
                    .table(Conversions::Table)
                    .col(Conversions::ReferralId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_conversions_referral")
                    .table(Conversions::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Conversions {
    Table,
    ReferralId,
}

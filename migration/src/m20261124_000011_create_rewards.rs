//! Rewards (one row per side, rule and triggering event), the append-only ledger, and the budget a
//! campaign has reserved so far.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn tenant_fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    name: &str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .add_column(
                        ColumnDef::new(Campaigns::BudgetReservedMinor)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Rewards::Table)
                    .col(pk_uuid(Rewards::Id))
                    .col(uuid(Rewards::TenantId))
                    .col(uuid(Rewards::CampaignId))
                    .col(uuid(Rewards::ReferralId))
                    .col(uuid_null(Rewards::ConversionId))
                    .col(uuid(Rewards::RuleId))
                    .col(uuid(Rewards::ParticipantId))
                    .col(string(Rewards::Side))
                    .col(string(Rewards::RewardType))
                    .col(big_integer(Rewards::AmountMinor))
                    .col(big_integer(Rewards::ReversedMinor))
                    .col(string_len(Rewards::Currency, 3))
                    .col(string(Rewards::Status))
                    .col(timestamp_with_time_zone(Rewards::ReleaseAt))
                    .col(uuid_null(Rewards::PayoutId))
                    .col(string_null(Rewards::FulfilmentRef))
                    .col(text_null(Rewards::FulfilmentCode))
                    .col(timestamp_with_time_zone(Rewards::CreatedAt))
                    .col(timestamp_with_time_zone(Rewards::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Rewards::ReleasedAt))
                    .col(timestamp_with_time_zone_null(Rewards::SettledAt))
                    .foreign_key(&mut tenant_fk(
                        Rewards::Table,
                        Rewards::TenantId,
                        "fk_rewards_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_rewards_tenant_status",
                vec![Rewards::TenantId, Rewards::Status],
            ),
            (
                "idx_rewards_status_release",
                vec![Rewards::Status, Rewards::ReleaseAt],
            ),
            (
                "idx_rewards_participant",
                vec![Rewards::ParticipantId, Rewards::CreatedAt],
            ),
            ("idx_rewards_referral", vec![Rewards::ReferralId]),
            ("idx_rewards_payout", vec![Rewards::PayoutId]),
        ] {
            let mut index = Index::create().name(name).table(Rewards::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(LedgerEntries::Table)
                    .col(pk_uuid(LedgerEntries::Id))
                    .col(uuid(LedgerEntries::TenantId))
                    .col(uuid(LedgerEntries::ParticipantId))
                    .col(string(LedgerEntries::Account))
                    .col(string_len(LedgerEntries::Currency, 3))
                    .col(big_integer(LedgerEntries::AmountMinor))
                    .col(string(LedgerEntries::Kind))
                    .col(uuid_null(LedgerEntries::RewardId))
                    .col(uuid_null(LedgerEntries::PayoutId))
                    .col(uuid_null(LedgerEntries::CampaignId))
                    .col(text(LedgerEntries::Memo))
                    .col(timestamp_with_time_zone(LedgerEntries::AvailableAt))
                    .col(timestamp_with_time_zone(LedgerEntries::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        LedgerEntries::Table,
                        LedgerEntries::TenantId,
                        "fk_ledger_entries_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_participant")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::ParticipantId)
                    .col(LedgerEntries::Account)
                    .col(LedgerEntries::Currency)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_tenant_created")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::TenantId)
                    .col(LedgerEntries::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [LedgerEntries::Table.into_iden(), Rewards::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Campaigns::Table)
                    .drop_column(Campaigns::BudgetReservedMinor)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    BudgetReservedMinor,
}

#[derive(DeriveIden, Clone, Copy)]
enum Rewards {
    Table,
    Id,
    TenantId,
    CampaignId,
    ReferralId,
    ConversionId,
    RuleId,
    ParticipantId,
    Side,
    RewardType,
    AmountMinor,
    ReversedMinor,
    Currency,
    Status,
    ReleaseAt,
    PayoutId,
    FulfilmentRef,
    FulfilmentCode,
    CreatedAt,
    UpdatedAt,
    ReleasedAt,
    SettledAt,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    Id,
    TenantId,
    ParticipantId,
    Account,
    Currency,
    AmountMinor,
    Kind,
    RewardId,
    PayoutId,
    CampaignId,
    Memo,
    AvailableAt,
    CreatedAt,
}

//! Reconciliations of payouts and fulfilled rewards against the providers, and what each found.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reconciliations::Table)
                    .col(pk_uuid(Reconciliations::Id))
                    .col(uuid(Reconciliations::TenantId))
                    .col(timestamp_with_time_zone(Reconciliations::PeriodFrom))
                    .col(timestamp_with_time_zone(Reconciliations::PeriodTo))
                    .col(string(Reconciliations::Status))
                    .col(uuid_null(Reconciliations::RequestedBy))
                    .col(integer(Reconciliations::Checked))
                    .col(integer(Reconciliations::Matched))
                    .col(integer(Reconciliations::Mismatched))
                    .col(text_null(Reconciliations::Error))
                    .col(timestamp_with_time_zone(Reconciliations::CreatedAt))
                    .col(timestamp_with_time_zone_null(Reconciliations::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reconciliations_tenant")
                            .from(Reconciliations::Table, Reconciliations::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reconciliations_tenant")
                    .table(Reconciliations::Table)
                    .col(Reconciliations::TenantId)
                    .col(Reconciliations::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReconciliationItems::Table)
                    .col(pk_uuid(ReconciliationItems::Id))
                    .col(uuid(ReconciliationItems::TenantId))
                    .col(uuid(ReconciliationItems::ReconciliationId))
                    .col(string(ReconciliationItems::Object))
                    .col(string(ReconciliationItems::Issue))
                    .col(uuid_null(ReconciliationItems::PayoutId))
                    .col(uuid_null(ReconciliationItems::RewardId))
                    .col(string_null(ReconciliationItems::ProviderRef))
                    .col(string_len(ReconciliationItems::Currency, 3))
                    .col(big_integer_null(ReconciliationItems::OursMinor))
                    .col(big_integer_null(ReconciliationItems::ProviderMinor))
                    .col(string_null(ReconciliationItems::OursStatus))
                    .col(string_null(ReconciliationItems::ProviderStatus))
                    .col(text(ReconciliationItems::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reconciliation_items_run")
                            .from(
                                ReconciliationItems::Table,
                                ReconciliationItems::ReconciliationId,
                            )
                            .to(Reconciliations::Table, Reconciliations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reconciliation_items_run")
                    .table(ReconciliationItems::Table)
                    .col(ReconciliationItems::ReconciliationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReconciliationItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Reconciliations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Reconciliations {
    Table,
    Id,
    TenantId,
    PeriodFrom,
    PeriodTo,
    Status,
    RequestedBy,
    Checked,
    Matched,
    Mismatched,
    Error,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ReconciliationItems {
    Table,
    Id,
    TenantId,
    ReconciliationId,
    Object,
    Issue,
    PayoutId,
    RewardId,
    ProviderRef,
    Currency,
    OursMinor,
    ProviderMinor,
    OursStatus,
    ProviderStatus,
    Detail,
}

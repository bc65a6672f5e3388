//! Payouts (one per participant, currency and run), every attempt at the provider, the tenant's
//! payout settings, and the participant's payout onboarding and tax status.

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
        for column in [
            ColumnDef::new(Participants::PayoutAccountId)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Participants::PayoutStatus)
                .string()
                .not_null()
                .default("none")
                .to_owned(),
            ColumnDef::new(Participants::TaxStatus)
                .string()
                .not_null()
                .default("missing")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Participants::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PayoutSettings::Table)
                    .col(uuid(PayoutSettings::TenantId).primary_key())
                    .col(string(PayoutSettings::Provider))
                    .col(string(PayoutSettings::Schedule))
                    .col(big_integer(PayoutSettings::MinimumMinor))
                    .col(big_integer_null(PayoutSettings::ApprovalThresholdMinor))
                    .col(big_integer_null(PayoutSettings::TaxThresholdMinor))
                    .col(integer(PayoutSettings::MaxAttempts))
                    .col(timestamp_with_time_zone(PayoutSettings::UpdatedAt))
                    .foreign_key(&mut tenant_fk(
                        PayoutSettings::Table,
                        PayoutSettings::TenantId,
                        "fk_payout_settings_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payouts::Table)
                    .col(pk_uuid(Payouts::Id))
                    .col(uuid(Payouts::TenantId))
                    .col(uuid(Payouts::ParticipantId))
                    .col(string_len(Payouts::Currency, 3))
                    .col(big_integer(Payouts::AmountMinor))
                    .col(string(Payouts::Status))
                    .col(string(Payouts::Provider))
                    .col(string_null(Payouts::ProviderRef))
                    .col(string_null(Payouts::HoldReason))
                    .col(integer(Payouts::Attempts))
                    .col(integer(Payouts::MaxAttempts))
                    .col(text_null(Payouts::LastError))
                    .col(timestamp_with_time_zone_null(Payouts::NextAttemptAt))
                    .col(uuid_null(Payouts::ApprovedBy))
                    .col(timestamp_with_time_zone_null(Payouts::ApprovedAt))
                    .col(timestamp_with_time_zone(Payouts::CreatedAt))
                    .col(timestamp_with_time_zone(Payouts::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Payouts::PaidAt))
                    .foreign_key(&mut tenant_fk(
                        Payouts::Table,
                        Payouts::TenantId,
                        "fk_payouts_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, a, b) in [
            (
                "idx_payouts_tenant_status",
                Payouts::TenantId,
                Payouts::Status,
            ),
            (
                "idx_payouts_participant",
                Payouts::ParticipantId,
                Payouts::Currency,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Payouts::Table)
                        .col(a)
                        .col(b)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PayoutAttempts::Table)
                    .col(pk_uuid(PayoutAttempts::Id))
                    .col(uuid(PayoutAttempts::TenantId))
                    .col(uuid(PayoutAttempts::PayoutId))
                    .col(integer(PayoutAttempts::Attempt))
                    .col(string(PayoutAttempts::Outcome))
                    .col(string_null(PayoutAttempts::ProviderRef))
                    .col(text_null(PayoutAttempts::Error))
                    .col(timestamp_with_time_zone(PayoutAttempts::StartedAt))
                    .col(timestamp_with_time_zone_null(PayoutAttempts::FinishedAt))
                    .foreign_key(&mut tenant_fk(
                        PayoutAttempts::Table,
                        PayoutAttempts::TenantId,
                        "fk_payout_attempts_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_payout_attempts_payout_attempt")
                    .table(PayoutAttempts::Table)
                    .col(PayoutAttempts::PayoutId)
                    .col(PayoutAttempts::Attempt)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PayoutAttempts::Table.into_iden(),
            Payouts::Table.into_iden(),
            PayoutSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            Participants::PayoutAccountId,
            Participants::PayoutStatus,
            Participants::TaxStatus,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Participants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Participants {
    Table,
    PayoutAccountId,
    PayoutStatus,
    TaxStatus,
}

#[derive(DeriveIden)]
enum PayoutSettings {
    Table,
    TenantId,
    Provider,
    Schedule,
    MinimumMinor,
    ApprovalThresholdMinor,
    TaxThresholdMinor,
    MaxAttempts,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Payouts {
    Table,
    Id,
    TenantId,
    ParticipantId,
    Currency,
    AmountMinor,
    Status,
    Provider,
    ProviderRef,
    HoldReason,
    Attempts,
    MaxAttempts,
    LastError,
    NextAttemptAt,
    ApprovedBy,
    ApprovedAt,
    CreatedAt,
    UpdatedAt,
    PaidAt,
}

#[derive(DeriveIden)]
enum PayoutAttempts {
    Table,
    Id,
    TenantId,
    PayoutId,
    Attempt,
    Outcome,
    ProviderRef,
    Error,
    StartedAt,
    FinishedAt,
}

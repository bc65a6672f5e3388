//! Fraud validation: each decision with the signals behind it, reviewers' decisions, the devices
//! seen per customer (keyed hashes only), the payment fingerprint of a conversion and a campaign's
//! own fraud policy.

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
        // SQLite alters one column per statement.
        for (table, column) in [
            (
                Conversions::Table.into_iden(),
                ColumnDef::new(Conversions::PaymentFingerprint)
                    .string()
                    .null()
                    .to_owned(),
            ),
            (
                Campaigns::Table.into_iden(),
                ColumnDef::new(Campaigns::FraudPolicy)
                    .json_binary()
                    .null()
                    .to_owned(),
            ),
            (
                Referrals::Table.into_iden(),
                ColumnDef::new(Referrals::Score).integer().null().to_owned(),
            ),
            (
                Referrals::Table.into_iden(),
                ColumnDef::new(Referrals::DecidedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_referrals_referrer_created")
                    .table(Referrals::Table)
                    .col(Referrals::ReferrerParticipantId)
                    .col(Referrals::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_referrals_tenant_status")
                    .table(Referrals::Table)
                    .col(Referrals::TenantId)
                    .col(Referrals::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FraudDecisions::Table)
                    .col(pk_uuid(FraudDecisions::Id))
                    .col(uuid(FraudDecisions::TenantId))
                    .col(uuid(FraudDecisions::ReferralId))
                    .col(uuid_null(FraudDecisions::ConversionId))
                    .col(string(FraudDecisions::Cause))
                    .col(integer(FraudDecisions::TotalScore))
                    .col(string(FraudDecisions::Decision))
                    .col(string(FraudDecisions::DecidedBy))
                    .col(uuid_null(FraudDecisions::ReviewerId))
                    .col(text_null(FraudDecisions::Reason))
                    .col(json_binary(FraudDecisions::Policy))
                    .col(timestamp_with_time_zone(FraudDecisions::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        FraudDecisions::Table,
                        FraudDecisions::TenantId,
                        "fk_fraud_decisions_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_fraud_decisions_referral")
                    .table(FraudDecisions::Table)
                    .col(FraudDecisions::ReferralId)
                    .col(FraudDecisions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FraudSignals::Table)
                    .col(pk_uuid(FraudSignals::Id))
                    .col(uuid(FraudSignals::TenantId))
                    .col(uuid(FraudSignals::DecisionId))
                    .col(uuid(FraudSignals::ReferralId))
                    .col(string(FraudSignals::Rule))
                    .col(integer(FraudSignals::Score))
                    .col(boolean(FraudSignals::Shadow))
                    .col(json_binary(FraudSignals::Evidence))
                    .col(timestamp_with_time_zone(FraudSignals::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        FraudSignals::Table,
                        FraudSignals::TenantId,
                        "fk_fraud_signals_tenant",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fraud_signals_decision")
                            .from(FraudSignals::Table, FraudSignals::DecisionId)
                            .to(FraudDecisions::Table, FraudDecisions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_fraud_signals_decision")
                    .table(FraudSignals::Table)
                    .col(FraudSignals::DecisionId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DeviceSightings::Table)
                    .col(pk_uuid(DeviceSightings::Id))
                    .col(uuid(DeviceSightings::TenantId))
                    .col(string(DeviceSightings::CustomerExternalId))
                    .col(string(DeviceSightings::VisitorHash))
                    .col(string(DeviceSightings::IpHash))
                    .col(string(DeviceSightings::Source))
                    .col(timestamp_with_time_zone(DeviceSightings::SeenAt))
                    .foreign_key(&mut tenant_fk(
                        DeviceSightings::Table,
                        DeviceSightings::TenantId,
                        "fk_device_sightings_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_sightings_customer")
                    .table(DeviceSightings::Table)
                    .col(DeviceSightings::TenantId)
                    .col(DeviceSightings::CustomerExternalId)
                    .col(DeviceSightings::SeenAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DeviceSightings::Table.into_iden(),
            FraudSignals::Table.into_iden(),
            FraudDecisions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for index in [
            "idx_referrals_referrer_created",
            "idx_referrals_tenant_status",
        ] {
            manager
                .drop_index(Index::drop().name(index).table(Referrals::Table).to_owned())
                .await?;
        }
        for (table, column) in [
            (
                Conversions::Table.into_iden(),
                Conversions::PaymentFingerprint.into_iden(),
            ),
            (
                Campaigns::Table.into_iden(),
                Campaigns::FraudPolicy.into_iden(),
            ),
            (Referrals::Table.into_iden(), Referrals::Score.into_iden()),
            (
                Referrals::Table.into_iden(),
                Referrals::DecidedAt.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
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
enum Conversions {
    Table,
    PaymentFingerprint,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    FraudPolicy,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    TenantId,
    Status,
    ReferrerParticipantId,
    CreatedAt,
    Score,
    DecidedAt,
}

#[derive(DeriveIden)]
enum FraudDecisions {
    Table,
    Id,
    TenantId,
    ReferralId,
    ConversionId,
    Cause,
    TotalScore,
    Decision,
    DecidedBy,
    ReviewerId,
    Reason,
    Policy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FraudSignals {
    Table,
    Id,
    TenantId,
    DecisionId,
    ReferralId,
    Rule,
    Score,
    Shadow,
    Evidence,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DeviceSightings {
    Table,
    Id,
    TenantId,
    CustomerExternalId,
    VisitorHash,
    IpHash,
    Source,
    SeenAt,
}

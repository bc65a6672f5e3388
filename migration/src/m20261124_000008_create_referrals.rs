//! Referrals (a referee tied to a referrer in a campaign), conversions (attributed or organic),
//! refunds, and the tenant's exchange rates.

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
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(pk_uuid(Referrals::Id))
                    .col(uuid(Referrals::TenantId))
                    .col(uuid(Referrals::CampaignId))
                    .col(uuid(Referrals::ReferrerParticipantId))
                    .col(uuid(Referrals::LinkId))
                    .col(uuid_null(Referrals::ClickId))
                    .col(string(Referrals::RefereeExternalId))
                    .col(string_null(Referrals::RefereeEmail))
                    .col(string(Referrals::Source))
                    .col(string(Referrals::Status))
                    .col(timestamp_with_time_zone(Referrals::AttributedAt))
                    .col(timestamp_with_time_zone(Referrals::CreatedAt))
                    .col(timestamp_with_time_zone(Referrals::UpdatedAt))
                    .foreign_key(&mut tenant_fk(
                        Referrals::Table,
                        Referrals::TenantId,
                        "fk_referrals_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_referrals_campaign_referee")
                    .table(Referrals::Table)
                    .col(Referrals::CampaignId)
                    .col(Referrals::RefereeExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_referrals_tenant_referee")
                    .table(Referrals::Table)
                    .col(Referrals::TenantId)
                    .col(Referrals::RefereeExternalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Conversions::Table)
                    .col(pk_uuid(Conversions::Id))
                    .col(uuid(Conversions::TenantId))
                    .col(uuid_null(Conversions::CampaignId))
                    .col(uuid_null(Conversions::ReferralId))
                    .col(string(Conversions::ExternalOrderId))
                    .col(string(Conversions::CustomerExternalId))
                    .col(string_null(Conversions::CustomerEmail))
                    .col(big_integer(Conversions::AmountMinor))
                    .col(string_len(Conversions::Currency, 3))
                    .col(big_integer_null(Conversions::CampaignAmountMinor))
                    .col(big_integer(Conversions::RefundedMinor))
                    .col(boolean(Conversions::Organic))
                    .col(timestamp_with_time_zone(Conversions::OccurredAt))
                    .col(timestamp_with_time_zone(Conversions::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        Conversions::Table,
                        Conversions::TenantId,
                        "fk_conversions_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_conversions_tenant_order")
                    .table(Conversions::Table)
                    .col(Conversions::TenantId)
                    .col(Conversions::ExternalOrderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversions_tenant_customer")
                    .table(Conversions::Table)
                    .col(Conversions::TenantId)
                    .col(Conversions::CustomerExternalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refunds::Table)
                    .col(pk_uuid(Refunds::Id))
                    .col(uuid(Refunds::TenantId))
                    .col(uuid(Refunds::ConversionId))
                    .col(string(Refunds::ExternalRefundId))
                    .col(big_integer(Refunds::AmountMinor))
                    .col(timestamp_with_time_zone(Refunds::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        Refunds::Table,
                        Refunds::TenantId,
                        "fk_refunds_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_refunds_tenant_external")
                    .table(Refunds::Table)
                    .col(Refunds::TenantId)
                    .col(Refunds::ExternalRefundId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FxRates::Table)
                    .col(pk_uuid(FxRates::Id))
                    .col(uuid(FxRates::TenantId))
                    .col(string_len(FxRates::Base, 3))
                    .col(string_len(FxRates::Quote, 3))
                    .col(big_integer(FxRates::RatePpm))
                    .col(timestamp_with_time_zone(FxRates::UpdatedAt))
                    .foreign_key(&mut tenant_fk(
                        FxRates::Table,
                        FxRates::TenantId,
                        "fk_fx_rates_tenant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_fx_rates_pair")
                    .table(FxRates::Table)
                    .col(FxRates::TenantId)
                    .col(FxRates::Base)
                    .col(FxRates::Quote)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FxRates::Table.into_iden(),
            Refunds::Table.into_iden(),
            Conversions::Table.into_iden(),
            Referrals::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
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
enum Referrals {
    Table,
    Id,
    TenantId,
    CampaignId,
    ReferrerParticipantId,
    LinkId,
    ClickId,
    RefereeExternalId,
    RefereeEmail,
    Source,
    Status,
    AttributedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Conversions {
    Table,
    Id,
    TenantId,
    CampaignId,
    ReferralId,
    ExternalOrderId,
    CustomerExternalId,
    CustomerEmail,
    AmountMinor,
    Currency,
    CampaignAmountMinor,
    RefundedMinor,
    Organic,
    OccurredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Refunds {
    Table,
    Id,
    TenantId,
    ConversionId,
    ExternalRefundId,
    AmountMinor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FxRates {
    Table,
    Id,
    TenantId,
    Base,
    Quote,
    RatePpm,
    UpdatedAt,
}

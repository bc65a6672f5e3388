//! Participants, their enrolments in campaigns, and the referral links enrolments own.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Participants::Table)
                    .col(pk_uuid(Participants::Id))
                    .col(uuid(Participants::TenantId))
                    .col(string(Participants::ExternalId))
                    .col(string(Participants::Email))
                    .col(string(Participants::EmailNormalized))
                    .col(string_null(Participants::FirstName))
                    .col(json_binary(Participants::Tags))
                    .col(integer(Participants::OrderCount))
                    .col(string_len_null(Participants::Country, 2))
                    .col(timestamp_with_time_zone(Participants::CreatedAt))
                    .col(timestamp_with_time_zone(Participants::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participants_tenant")
                            .from(Participants::Table, Participants::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_participants_tenant_external_id")
                    .table(Participants::Table)
                    .col(Participants::TenantId)
                    .col(Participants::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participants_tenant_email")
                    .table(Participants::Table)
                    .col(Participants::TenantId)
                    .col(Participants::EmailNormalized)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrolments::Table)
                    .col(pk_uuid(Enrolments::Id))
                    .col(uuid(Enrolments::TenantId))
                    .col(uuid(Enrolments::CampaignId))
                    .col(uuid(Enrolments::ParticipantId))
                    .col(boolean(Enrolments::Eligible))
                    .col(string(Enrolments::Bucket))
                    .col(uuid_null(Enrolments::VariantId))
                    .col(timestamp_with_time_zone(Enrolments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolments_tenant")
                            .from(Enrolments::Table, Enrolments::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolments_campaign")
                            .from(Enrolments::Table, Enrolments::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolments_participant")
                            .from(Enrolments::Table, Enrolments::ParticipantId)
                            .to(Participants::Table, Participants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_enrolments_campaign_participant")
                    .table(Enrolments::Table)
                    .col(Enrolments::CampaignId)
                    .col(Enrolments::ParticipantId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolments_participant")
                    .table(Enrolments::Table)
                    .col(Enrolments::ParticipantId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReferralLinks::Table)
                    .col(pk_uuid(ReferralLinks::Id))
                    .col(uuid(ReferralLinks::TenantId))
                    .col(uuid(ReferralLinks::CampaignId))
                    .col(uuid(ReferralLinks::EnrolmentId))
                    .col(uuid(ReferralLinks::ParticipantId))
                    // Globally unique: the redirect resolves a code before any tenant is known.
                    .col(string_uniq(ReferralLinks::Code))
                    .col(string(ReferralLinks::Kind))
                    .col(string_null(ReferralLinks::Channel))
                    .col(timestamp_with_time_zone(ReferralLinks::CreatedAt))
                    .col(timestamp_with_time_zone_null(ReferralLinks::DisabledAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_links_tenant")
                            .from(ReferralLinks::Table, ReferralLinks::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_links_campaign")
                            .from(ReferralLinks::Table, ReferralLinks::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_links_enrolment")
                            .from(ReferralLinks::Table, ReferralLinks::EnrolmentId)
                            .to(Enrolments::Table, Enrolments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_referral_links_enrolment")
                    .table(ReferralLinks::Table)
                    .col(ReferralLinks::EnrolmentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_referral_links_campaign")
                    .table(ReferralLinks::Table)
                    .col(ReferralLinks::CampaignId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReferralLinks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Enrolments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Participants::Table).to_owned())
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
    Id,
}

#[derive(DeriveIden)]
enum Participants {
    Table,
    Id,
    TenantId,
    ExternalId,
    Email,
    EmailNormalized,
    FirstName,
    Tags,
    OrderCount,
    Country,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    TenantId,
    CampaignId,
    ParticipantId,
    Eligible,
    Bucket,
    VariantId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReferralLinks {
    Table,
    Id,
    TenantId,
    CampaignId,
    EnrolmentId,
    ParticipantId,
    Code,
    Kind,
    Channel,
    CreatedAt,
    DisabledAt,
}

//! Outgoing emails and the per-tenant suppression list.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Emails::Table)
                    .col(pk_uuid(Emails::Id))
                    .col(uuid(Emails::TenantId))
                    .col(uuid_null(Emails::CampaignId))
                    .col(uuid_null(Emails::ParticipantId))
                    .col(string(Emails::Kind))
                    // Makes enqueueing idempotent: a retried request cannot send twice.
                    .col(string_uniq(Emails::DedupeKey))
                    .col(string(Emails::ToAddress))
                    .col(text(Emails::Subject))
                    .col(text(Emails::Html))
                    .col(text(Emails::Text))
                    .col(string(Emails::State))
                    .col(integer(Emails::Attempts))
                    .col(text_null(Emails::LastError))
                    .col(timestamp_with_time_zone(Emails::CreatedAt))
                    .col(timestamp_with_time_zone(Emails::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Emails::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_emails_tenant")
                            .from(Emails::Table, Emails::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_emails_tenant_campaign")
                    .table(Emails::Table)
                    .col(Emails::TenantId)
                    .col(Emails::CampaignId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Suppressions::Table)
                    .col(pk_uuid(Suppressions::Id))
                    .col(uuid(Suppressions::TenantId))
                    .col(string(Suppressions::EmailNormalized))
                    .col(string(Suppressions::Reason))
                    .col(timestamp_with_time_zone(Suppressions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_suppressions_tenant")
                            .from(Suppressions::Table, Suppressions::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_suppressions_tenant_email")
                    .table(Suppressions::Table)
                    .col(Suppressions::TenantId)
                    .col(Suppressions::EmailNormalized)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Suppressions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Emails::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Emails {
    Table,
    Id,
    TenantId,
    CampaignId,
    ParticipantId,
    Kind,
    DedupeKey,
    ToAddress,
    Subject,
    Html,
    Text,
    State,
    Attempts,
    LastError,
    CreatedAt,
    UpdatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum Suppressions {
    Table,
    Id,
    TenantId,
    EmailNormalized,
    Reason,
    CreatedAt,
}

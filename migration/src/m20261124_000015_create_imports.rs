//! Participant imports: one row per CSV import (its progress counters double as the resume
//! cursor), the per-row errors it found, and the uploaded file an import job reads.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ParticipantImports::Table)
                    .col(pk_uuid(ParticipantImports::Id))
                    .col(uuid(ParticipantImports::TenantId))
                    .col(uuid(ParticipantImports::CampaignId))
                    .col(string(ParticipantImports::Source))
                    .col(string(ParticipantImports::FileName))
                    .col(string(ParticipantImports::State))
                    .col(big_integer_null(ParticipantImports::TotalRows))
                    .col(big_integer(ParticipantImports::ProcessedRows))
                    .col(big_integer(ParticipantImports::ImportedRows))
                    .col(big_integer(ParticipantImports::SkippedRows))
                    .col(big_integer(ParticipantImports::FailedRows))
                    .col(text_null(ParticipantImports::Failure))
                    .col(uuid_null(ParticipantImports::CreatedBy))
                    .col(timestamp_with_time_zone(ParticipantImports::CreatedAt))
                    .col(timestamp_with_time_zone(ParticipantImports::UpdatedAt))
                    .col(timestamp_with_time_zone_null(
                        ParticipantImports::FinishedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_imports_tenant")
                            .from(ParticipantImports::Table, ParticipantImports::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_imports_campaign")
                            .from(ParticipantImports::Table, ParticipantImports::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participant_imports_tenant_created")
                    .table(ParticipantImports::Table)
                    .col(ParticipantImports::TenantId)
                    .col(ParticipantImports::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ParticipantImportErrors::Table)
                    .col(pk_uuid(ParticipantImportErrors::Id))
                    .col(uuid(ParticipantImportErrors::ImportId))
                    .col(uuid(ParticipantImportErrors::TenantId))
                    .col(big_integer(ParticipantImportErrors::Line))
                    .col(string_null(ParticipantImportErrors::Column))
                    .col(string(ParticipantImportErrors::Code))
                    .col(text(ParticipantImportErrors::Message))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_import_errors_import")
                            .from(
                                ParticipantImportErrors::Table,
                                ParticipantImportErrors::ImportId,
                            )
                            .to(ParticipantImports::Table, ParticipantImports::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participant_import_errors_import_line")
                    .table(ParticipantImportErrors::Table)
                    .col(ParticipantImportErrors::ImportId)
                    .col(ParticipantImportErrors::Line)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ParticipantImportFiles::Table)
                    .col(pk_uuid(ParticipantImportFiles::ImportId))
                    .col(uuid(ParticipantImportFiles::TenantId))
                    .col(blob(ParticipantImportFiles::Content))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_import_files_import")
                            .from(
                                ParticipantImportFiles::Table,
                                ParticipantImportFiles::ImportId,
                            )
                            .to(ParticipantImports::Table, ParticipantImports::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ParticipantImportFiles::Table.into_iden(),
            ParticipantImportErrors::Table.into_iden(),
            ParticipantImports::Table.into_iden(),
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
enum Campaigns {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ParticipantImports {
    Table,
    Id,
    TenantId,
    CampaignId,
    Source,
    FileName,
    State,
    TotalRows,
    ProcessedRows,
    ImportedRows,
    SkippedRows,
    FailedRows,
    Failure,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ParticipantImportErrors {
    Table,
    Id,
    ImportId,
    TenantId,
    Line,
    Column,
    Code,
    Message,
}

#[derive(DeriveIden)]
enum ParticipantImportFiles {
    Table,
    ImportId,
    TenantId,
    Content,
}

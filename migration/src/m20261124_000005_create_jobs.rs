//! The job outbox (our own record of job state; the queue is transport only) and job runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobOutbox::Table)
                    .col(pk_uuid(JobOutbox::Id))
                    // No foreign key: system jobs have no tenant, and job history may outlive one.
                    .col(uuid_null(JobOutbox::TenantId))
                    .col(string(JobOutbox::Kind))
                    .col(json_binary(JobOutbox::Payload))
                    .col(string(JobOutbox::State))
                    .col(integer(JobOutbox::Attempts))
                    .col(integer(JobOutbox::MaxAttempts))
                    .col(timestamp_with_time_zone(JobOutbox::AvailableAt))
                    .col(timestamp_with_time_zone_null(JobOutbox::DispatchedAt))
                    .col(timestamp_with_time_zone_null(JobOutbox::LeaseUntil))
                    .col(uuid_null(JobOutbox::DispatchToken))
                    .col(text_null(JobOutbox::LastError))
                    .col(timestamp_with_time_zone(JobOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(JobOutbox::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_job_outbox_state_available")
                    .table(JobOutbox::Table)
                    .col(JobOutbox::State)
                    .col(JobOutbox::AvailableAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(JobRuns::Table)
                    .col(pk_uuid(JobRuns::Id))
                    .col(uuid(JobRuns::JobId))
                    .col(string(JobRuns::Kind))
                    .col(integer(JobRuns::Attempt))
                    .col(string(JobRuns::Worker))
                    .col(string(JobRuns::Outcome))
                    .col(text_null(JobRuns::Error))
                    .col(timestamp_with_time_zone(JobRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(JobRuns::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_job_runs_job")
                            .from(JobRuns::Table, JobRuns::JobId)
                            .to(JobOutbox::Table, JobOutbox::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_job_runs_job")
                    .table(JobRuns::Table)
                    .col(JobRuns::JobId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobRuns::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(JobOutbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum JobOutbox {
    Table,
    Id,
    TenantId,
    Kind,
    Payload,
    State,
    Attempts,
    MaxAttempts,
    AvailableAt,
    DispatchedAt,
    LeaseUntil,
    DispatchToken,
    LastError,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum JobRuns {
    Table,
    Id,
    JobId,
    Kind,
    Attempt,
    Worker,
    Outcome,
    Error,
    StartedAt,
    FinishedAt,
}

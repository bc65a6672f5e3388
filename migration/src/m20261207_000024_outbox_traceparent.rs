//! The W3C `traceparent` of whatever enqueued a job, so the job's run continues that trace.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(JobOutbox::Table)
                    .add_column(string_len_null(JobOutbox::Traceparent, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(JobOutbox::Table)
                    .drop_column(JobOutbox::Traceparent)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum JobOutbox {
    Table,
    Traceparent,
}

//! PostgreSQL: a new outbox row notifies channel `grapevine_outbox` when its transaction commits,
//! so a relay in another process (`grapevine work`) dispatches it at once instead of at its next
//! poll. One notification per statement (PostgreSQL folds identical ones within a transaction). On
//! SQLite API and relay share a process and wake each other in memory: nothing to do.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION grapevine_outbox_notify() RETURNS trigger \
             LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('grapevine_outbox', ''); RETURN NULL; END $$",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER job_outbox_notify AFTER INSERT ON job_outbox \
             FOR EACH STATEMENT EXECUTE FUNCTION grapevine_outbox_notify()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS job_outbox_notify ON job_outbox")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS grapevine_outbox_notify()")
            .await?;
        Ok(())
    }
}

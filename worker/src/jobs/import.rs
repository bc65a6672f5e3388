//! Job: run (or resume) a participant import from its stored upload.

use anyhow::anyhow;
use grapevine_entity::tables::{
    participant_import_files, participant_imports, participant_imports::ImportState,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    context::JobContext,
    import::{self, DEFAULT_BATCH_ROWS, RunError},
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::ImportParticipants;

impl Job for ImportParticipants {
    #[tracing::instrument(name = "job.participants.import", skip_all, fields(import_id = %self.import_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let db = &ctx.db;
        let Some((import, file)) = unfinished(db, self.import_id).await? else {
            return Ok(());
        };
        let now = ctx.clock.now();
        match import::run(
            db,
            &import,
            file.content.as_slice(),
            DEFAULT_BATCH_ROWS,
            |_| {},
            now,
        )
        .await
        {
            Ok(progress) => {
                tracing::info!(
                    processed = progress.processed,
                    imported = progress.imported,
                    failed = progress.failed,
                    "import done"
                );
                Ok(())
            }
            Err(RunError::File(reason)) => {
                import::fail(db, import.id, &reason, now).await?;
                Ok(())
            }
            Err(RunError::Db(err)) => Err(JobError::Transient(err.into())),
        }
    }
}

/// The import (marked running) and its stored upload, unless it already finished.
async fn unfinished(
    db: &DatabaseConnection,
    import_id: Uuid,
) -> Result<Option<(participant_imports::Model, participant_import_files::Model)>, JobError> {
    let found = participant_imports::Entity::find_by_id(import_id)
        .one(db)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow!("import {import_id} does not exist")))?;
    if matches!(found.state, ImportState::Done | ImportState::Failed) {
        return Ok(None);
    }
    let Some(file) = participant_import_files::Entity::find_by_id(found.id)
        .filter(participant_import_files::Column::TenantId.eq(found.tenant_id))
        .one(db)
        .await?
    else {
        return Err(JobError::Permanent(anyhow!(
            "the upload of import {} is gone",
            found.id
        )));
    };
    participant_imports::Entity::update_many()
        .col_expr(
            participant_imports::Column::State,
            Expr::value(ImportState::Running.as_str()),
        )
        .filter(participant_imports::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    let import = participant_imports::Model {
        state: ImportState::Running,
        ..found
    };
    Ok(Some((import, file)))
}

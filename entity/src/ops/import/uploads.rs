//! Participant imports from CSV: starting one (an upload run by a worker, or the CLI running it in
//! process), reading its progress and its per-row errors. The streaming core is the parent
//! module, shared by both.

use crate::ops::import::{self, FileError};
use crate::ops::{jobs::ImportParticipants, outbox::enqueue_once};
use crate::tables::{
    CampaignStatus, participant_import_errors, participant_import_files, participant_imports,
    participant_imports::ImportState,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    Select, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::ops::{
    audit, campaigns as campaign_service,
    error::{Error, Result},
    principal::Principal,
};

/// What an upload may hold (the `imports` configuration).
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Most data rows in one file.
    pub max_rows: u64,
    /// Largest file in bytes.
    pub max_upload_bytes: usize,
}

/// A file offered for import.
#[derive(Debug, Clone)]
pub struct ImportFile {
    /// Name as uploaded (for people; never used as a path).
    pub name: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

fn file_refused(err: &FileError) -> Error {
    Error::invalid("file", err.to_string())
}

/// Accept an upload: check the campaign, the size, the header and the row count at once (so a
/// file refused as a whole is refused now), then store it and queue the import job with it.
pub async fn start_upload(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    file: ImportFile,
    limits: UploadLimits,
    now: DateTime<Utc>,
) -> Result<participant_imports::Model> {
    if file.content.len() > limits.max_upload_bytes {
        return Err(Error::invalid(
            "file",
            format!(
                "is larger than {} bytes (imports.max_upload_bytes)",
                limits.max_upload_bytes
            ),
        ));
    }
    let total =
        import::scan(file.content.as_slice(), limits.max_rows).map_err(|e| file_refused(&e))?;
    let txn = crate::db::begin_write(conn).await?;
    let record = create(
        &txn,
        principal,
        tenant_id,
        campaign_id,
        "upload",
        &file.name,
        total,
        now,
    )
    .await?;
    participant_import_files::ActiveModel {
        import_id: Set(record.id),
        tenant_id: Set(tenant_id),
        content: Set(file.content),
    }
    .insert(&txn)
    .await?;
    let job = ImportParticipants {
        import_id: record.id,
    };
    enqueue_once(&txn, Some(tenant_id), &record.id.to_string(), &job, now).await?;
    txn.commit().await?;
    Ok(record)
}

/// Record an import the CLI is about to run itself (state `running`).
pub async fn start_local(
    conn: &impl TransactionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
    file_name: &str,
    total_rows: u64,
    now: DateTime<Utc>,
) -> Result<participant_imports::Model> {
    let txn = crate::db::begin_write(conn).await?;
    let record = create(
        &txn,
        &Principal::Anonymous,
        tenant_id,
        campaign_id,
        "cli",
        file_name,
        total_rows,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(record)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one flat call per kind of start reads best"
)]
async fn create(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    source: &str,
    file_name: &str,
    total_rows: u64,
    now: DateTime<Utc>,
) -> Result<participant_imports::Model> {
    let campaign = campaign_service::get(txn, tenant_id, campaign_id).await?;
    if campaign.status == CampaignStatus::Ended {
        return Err(Error::Conflict("the campaign has ended".into()));
    }
    let name: String = file_name.chars().take(200).collect();
    let created_by = match principal {
        Principal::Staff { user_id, .. } => Some(*user_id),
        _ => None,
    };
    let state = if source == "cli" {
        ImportState::Running
    } else {
        ImportState::Queued
    };
    let record = participant_imports::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign_id),
        source: Set(source.to_owned()),
        file_name: Set(name),
        state: Set(state),
        total_rows: Set(Some(i64::try_from(total_rows).unwrap_or(i64::MAX))),
        processed_rows: Set(0),
        imported_rows: Set(0),
        skipped_rows: Set(0),
        failed_rows: Set(0),
        failure: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        tenant_id,
        principal,
        "participants.import",
        "campaign",
        Some(campaign_id),
        json!({ "import_id": record.id, "source": source, "file": record.file_name, "rows": total_rows }),
        now,
    )
    .await?;
    Ok(record)
}

/// An import of this tenant.
pub async fn get(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<participant_imports::Model> {
    crate::ops::tenancy::find_in_tenant::<participant_imports::Entity>(conn, tenant_id, id).await
}

/// The errors of an import (of this tenant), for paging.
pub fn errors(tenant_id: Uuid, import_id: Uuid) -> Select<participant_import_errors::Entity> {
    participant_import_errors::Entity::find()
        .filter(participant_import_errors::Column::TenantId.eq(tenant_id))
        .filter(participant_import_errors::Column::ImportId.eq(import_id))
}

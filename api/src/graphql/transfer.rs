//! Import and export: participants from CSV uploads (run by a worker, progress queryable) and
//! campaigns as portable JSON documents.

use std::io::Read as _;

use async_graphql::{ComplexObject, Context, Enum, Json, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use grapevine_entity::tables::{
    participant_import_errors, participant_imports, participant_imports::ImportState as Stored,
};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::{
    ContextExt,
    pagination::{IdConnection, Page, connection},
    types::campaign::Campaign,
};
use crate::{
    auth::principal::CAMPAIGN_EDITORS,
    error::{ApiError, ApiResult},
};
use grapevine_entity::ops::{self, import::uploads::ImportFile};

/// Where an import stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// Waiting for a worker.
    Queued,
    /// Rows are being read and written.
    Running,
    /// Every row was read: good rows are in, bad ones are in `errors`.
    Done,
    /// The file was refused as a whole (`failure` says why).
    Failed,
}

impl From<Stored> for ImportState {
    fn from(s: Stored) -> Self {
        match s {
            Stored::Queued => Self::Queued,
            Stored::Running => Self::Running,
            Stored::Done => Self::Done,
            Stored::Failed => Self::Failed,
        }
    }
}

/// A CSV import of participants into a campaign.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ParticipantImport {
    /// Id.
    pub id: Uuid,
    /// The campaign the rows are enrolled in.
    pub campaign_id: Uuid,
    /// The uploaded file's name.
    pub file_name: String,
    /// State.
    pub state: ImportState,
    /// Data rows in the file (known once the file is accepted).
    pub total_rows: Option<i64>,
    /// Rows read and committed so far.
    pub processed_rows: i64,
    /// Rows enrolled.
    pub imported_rows: i64,
    /// Rows whose participant was already enrolled in the campaign (left as they were).
    pub skipped_rows: i64,
    /// Rows refused (see `errors`).
    pub failed_rows: i64,
    /// Why the whole file was refused, when `state` is `FAILED`.
    pub failure: Option<String>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    tenant_id: Uuid,
}

impl From<participant_imports::Model> for ParticipantImport {
    fn from(m: participant_imports::Model) -> Self {
        Self {
            id: m.id,
            campaign_id: m.campaign_id,
            file_name: m.file_name,
            state: m.state.into(),
            total_rows: m.total_rows,
            processed_rows: m.processed_rows,
            imported_rows: m.imported_rows,
            skipped_rows: m.skipped_rows,
            failed_rows: m.failed_rows,
            failure: m.failure,
            created_at: m.created_at,
            finished_at: m.finished_at,
            tenant_id: m.tenant_id,
        }
    }
}

/// A problem with one row of an import.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// The line the row starts on, as a CSV reader counts (the header is line 1).
    pub line: i64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// `INVALID` (a value breaks a rule), `DUPLICATE` (the customer id appears earlier in the
    /// file) or `MALFORMED` (wrong number of fields, not UTF-8).
    pub code: String,
    /// Why.
    pub message: String,
}

#[ComplexObject]
impl ParticipantImport {
    /// The refused rows' problems, in file order.
    async fn errors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<IdConnection<ImportRowError>> {
        let s = ctx.state();
        let page = Page::new(first, after, s.config.graphql.max_page_size)?;
        Ok(error_page(&s.db, self.tenant_id, self.id, page).await?)
    }
}

/// One page of an import's errors, oldest (lowest line) first.
async fn error_page(
    conn: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    import_id: Uuid,
    page: Page,
) -> ApiResult<IdConnection<ImportRowError>> {
    let mut select = ops::import::uploads::errors(tenant_id, import_id)
        .order_by_asc(participant_import_errors::Column::Id)
        .limit(page.first + 1);
    if let Some(after) = page.after {
        select = select.filter(participant_import_errors::Column::Id.gt(after));
    }
    let mut rows = select.all(conn).await?;
    let more = rows.len() as u64 > page.first;
    rows.truncate(usize::try_from(page.first).unwrap_or(usize::MAX));
    Ok(connection(
        rows,
        more,
        page.after.is_some(),
        |r| r.id,
        |r| ImportRowError {
            line: r.line,
            column: r.column,
            code: r.code,
            message: r.message,
        },
    ))
}

/// Import and export queries.
#[derive(Default)]
pub struct TransferQuery;

#[Object]
impl TransferQuery {
    /// A participant import and its progress (marketing managers).
    async fn participant_import(&self, ctx: &Context<'_>, id: Uuid) -> Result<ParticipantImport> {
        let actor = ctx.principal().staff(CAMPAIGN_EDITORS)?;
        Ok(
            ops::import::uploads::get(&ctx.state().db, actor.tenant_id, id)
                .await?
                .into(),
        )
    }

    /// A campaign's design as a portable document (`"format": "grapevine.campaign/v1"`):
    /// settings, goals, audience, fraud policy, variants, reward rules and materials, without
    /// ids, participants, links or money history (marketing managers).
    async fn export_campaign(&self, ctx: &Context<'_>, id: Uuid) -> Result<Json<Value>> {
        let actor = ctx.principal().staff(CAMPAIGN_EDITORS)?;
        Ok(Json(
            ops::campaign_documents::export(&ctx.state().db, actor.tenant_id, id).await?,
        ))
    }
}

/// Import and export mutations.
#[derive(Default)]
pub struct TransferMutation;

#[Object]
impl TransferMutation {
    /// Upload a CSV of participants to enrol in a campaign (a GraphQL multipart request). The
    /// header and size are checked at once; the rows are imported by a worker: follow
    /// `participantImport(id)` for progress and per-row errors (marketing managers).
    async fn import_participants(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        file: Upload,
    ) -> Result<ParticipantImport> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        let limit = s.config.imports.max_upload_bytes;
        // `Upload::value` indexes the request's files without a check: look first.
        if file.0 >= ctx.query_env.uploads.len() {
            return Err(ApiError::invalid(
                "file",
                "send the file in a GraphQL multipart request (map it to this variable)",
            )
            .into());
        }
        let upload = file
            .value(ctx)
            .map_err(|_| ApiError::invalid("file", "is not a readable upload"))?;
        let name = upload.filename.clone();
        let mut content = Vec::new();
        upload
            .into_read()
            .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut content)
            .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("reading an upload")))?;
        let file = ImportFile { name, content };
        let record = ops::import::uploads::start_upload(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            file,
            s.config.imports.upload_limits(),
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(record.into())
    }

    /// Create a draft campaign in your tenant from a document made by `exportCampaign`
    /// (optionally under another name). Every part is checked by the rules of the matching
    /// mutation; errors name their place in the document, e.g. `reward_rules[1].kind.bps`
    /// (marketing managers).
    async fn import_campaign(
        &self,
        ctx: &Context<'_>,
        document: Json<Value>,
        name: Option<String>,
    ) -> Result<Campaign> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        Ok(ops::campaign_documents::import(
            &s.db,
            p,
            actor.tenant_id,
            document.0,
            name,
            s.clock.now(),
        )
        .await?
        .into())
    }
}

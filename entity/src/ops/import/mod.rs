//! Participant CSV import, the one streaming core behind `grapevine import participants` and the
//! `importParticipants` upload job.
//!
//! Rows are read one at a time (never the whole file into memory as rows), validated with the
//! enrolment rules, and written in batches: each batch's participants, enrolments, codes, row
//! errors and the import's counters commit in one transaction. `processed_rows` is therefore a
//! cursor: a run that crashed resumes after the last committed batch, re-reading the rows before
//! it only to recognise duplicates. A row whose participant is already enrolled is skipped, so
//! even running a whole file again enrols nobody twice.

pub mod rows;
pub mod uploads;
pub mod write;

use std::{collections::HashMap, io::Read};

use crate::{
    db::begin_write,
    domain::participant::ValidParticipant,
    tables::{
        CampaignStatus, campaign_variants, campaigns, participant_import_errors,
        participant_import_files, participant_imports, participant_imports::ImportState,
    },
};
use chrono::{DateTime, Utc};
use csv::{ByteRecord, ReaderBuilder};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

pub use rows::{COLUMNS, Column, FileError, Header, RowError};
pub use write::BatchCounts;

use crate::ops::{jobs::LaunchCampaign, outbox::enqueue_once};

/// Rows per transaction when not configured.
pub const DEFAULT_BATCH_ROWS: usize = 1_000;

/// An import's counters (also what a progress bar shows).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Data rows read and committed.
    pub processed: u64,
    /// Rows enrolled.
    pub imported: u64,
    /// Rows whose participant was already enrolled.
    pub skipped: u64,
    /// Rows refused.
    pub failed: u64,
}

impl Progress {
    fn of(import: &participant_imports::Model) -> Progress {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Progress {
            processed: n(import.processed_rows),
            imported: n(import.imported_rows),
            skipped: n(import.skipped_rows),
            failed: n(import.failed_rows),
        }
    }
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The file (or the campaign) was refused as a whole; rows already committed stay.
    #[error(transparent)]
    File(#[from] FileError),
    /// The database failed; running again resumes.
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn reader<R: Read>(input: R) -> csv::Reader<R> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
}

fn unreadable(err: &csv::Error) -> FileError {
    FileError::Unreadable(format!("the file is not readable as CSV: {err}"))
}

/// Check the header and count the data rows without keeping any (for `totalRows`, a progress
/// bar's length and the row limit), refusing the file before anything is written.
pub fn scan<R: Read>(input: R, max_rows: u64) -> Result<u64, FileError> {
    let mut csv = reader(input);
    let mut record = ByteRecord::new();
    read_header(&mut csv, &mut record)?;
    let mut count = 0u64;
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| unreadable(&e))?
    {
        count += 1;
        if count > max_rows {
            return Err(FileError::TooManyRows(max_rows));
        }
    }
    Ok(count)
}

fn read_header<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut ByteRecord,
) -> Result<Header, FileError> {
    if !csv.read_byte_record(record).map_err(|e| unreadable(&e))? {
        return Err(FileError::Unreadable(
            "the file is empty: it needs a header line naming its columns".into(),
        ));
    }
    Header::parse(record)
}

/// The campaign an import writes to, if it can still take participants.
async fn target_campaign(
    conn: &impl ConnectionTrait,
    import: &participant_imports::Model,
) -> Result<(campaigns::Model, Vec<campaign_variants::Model>), RunError> {
    let campaign = campaigns::Entity::find_by_id(import.campaign_id)
        .filter(campaigns::Column::TenantId.eq(import.tenant_id))
        .one(conn)
        .await?
        .ok_or_else(|| FileError::Campaign("the campaign no longer exists".into()))?;
    if campaign.status == CampaignStatus::Ended {
        return Err(FileError::Campaign("the campaign has ended".into()).into());
    }
    let variants = campaign_variants::Entity::find()
        .filter(campaign_variants::Column::CampaignId.eq(campaign.id))
        .order_by_asc(campaign_variants::Column::Id)
        .all(conn)
        .await?;
    Ok((campaign, variants))
}

/// The rows of one batch, waiting to be committed.
#[derive(Default)]
struct Batch {
    rows: u64,
    valid: Vec<ValidParticipant>,
    errors: Vec<RowError>,
    failed: u64,
}

/// Run (or resume) an import over `input`, committing every `batch_rows` rows; `on_progress`
/// is called after each commit. Ends by marking the import done.
pub async fn run<C, R>(
    db: &C,
    import: &participant_imports::Model,
    input: R,
    batch_rows: usize,
    mut on_progress: impl FnMut(&Progress),
    now: DateTime<Utc>,
) -> Result<Progress, RunError>
where
    C: TransactionTrait + ConnectionTrait,
    R: Read,
{
    let (campaign, variants) = target_campaign(db, import).await?;
    let target = write::Target {
        campaign: &campaign,
        variants: &variants,
    };
    let mut csv = reader(input);
    let mut record = ByteRecord::new();
    let header = read_header(&mut csv, &mut record)?;
    let committed = Progress::of(import).processed;
    let mut progress = Progress::of(import);
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut batch = Batch::default();
    let mut index = 0u64;
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| unreadable(&e))?
    {
        index += 1;
        let line = record.position().map_or(index + 1, csv::Position::line);
        let outcome = classify(&header, &record, line, &mut seen);
        if index <= committed {
            continue;
        }
        batch.rows += 1;
        match outcome {
            Ok(v) => batch.valid.push(v),
            Err(errors) => {
                batch.failed += 1;
                batch.errors.extend(errors);
            }
        }
        if batch.rows >= batch_rows as u64 {
            commit(
                db,
                import.id,
                &target,
                &mut progress,
                std::mem::take(&mut batch),
                now,
            )
            .await?;
            on_progress(&progress);
        }
    }
    if batch.rows > 0 {
        commit(db, import.id, &target, &mut progress, batch, now).await?;
        on_progress(&progress);
    }
    finish(db, import, &campaign, &progress, now).await?;
    Ok(progress)
}

/// One row: valid, or its errors; a customer id seen on an earlier valid row is a duplicate.
fn classify(
    header: &Header,
    record: &ByteRecord,
    line: u64,
    seen: &mut HashMap<String, u64>,
) -> Result<ValidParticipant, Vec<RowError>> {
    let v = header.row(record, line)?;
    if let Some(first) = seen.get(&v.external_id) {
        return Err(vec![RowError {
            line,
            column: Some(Column::ExternalId.name()),
            code: "DUPLICATE",
            message: format!("{} already appears on line {first}", v.external_id),
        }]);
    }
    seen.insert(v.external_id.clone(), line);
    Ok(v)
}

/// Write one batch and advance the cursor in one transaction. The cursor only moves from the
/// value this run read, so two runs of the same import cannot both commit the same rows.
async fn commit<C: TransactionTrait>(
    db: &C,
    import_id: Uuid,
    target: &write::Target<'_>,
    progress: &mut Progress,
    batch: Batch,
    now: DateTime<Utc>,
) -> Result<(), RunError> {
    let txn = begin_write(db).await?;
    let counts = write::write_batch(&txn, target, &batch.valid, now).await?;
    insert_errors(&txn, import_id, target.campaign.tenant_id, &batch.errors).await?;
    let next = Progress {
        processed: progress.processed + batch.rows,
        imported: progress.imported + counts.imported,
        skipped: progress.skipped + counts.skipped,
        failed: progress.failed + batch.failed,
    };
    let moved = participant_imports::Entity::update_many()
        .col_expr(
            participant_imports::Column::State,
            Expr::value(ImportState::Running.as_str()),
        )
        .col_expr(
            participant_imports::Column::ProcessedRows,
            Expr::value(as_i64(next.processed)),
        )
        .col_expr(
            participant_imports::Column::ImportedRows,
            Expr::value(as_i64(next.imported)),
        )
        .col_expr(
            participant_imports::Column::SkippedRows,
            Expr::value(as_i64(next.skipped)),
        )
        .col_expr(
            participant_imports::Column::FailedRows,
            Expr::value(as_i64(next.failed)),
        )
        .col_expr(participant_imports::Column::UpdatedAt, Expr::value(now))
        .filter(participant_imports::Column::Id.eq(import_id))
        .filter(participant_imports::Column::ProcessedRows.eq(as_i64(progress.processed)))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(DbErr::Custom("the import was advanced by another run".into()).into());
    }
    txn.commit().await?;
    *progress = next;
    Ok(())
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

async fn insert_errors(
    txn: &impl ConnectionTrait,
    import_id: Uuid,
    tenant_id: Uuid,
    errors: &[RowError],
) -> Result<(), DbErr> {
    if errors.is_empty() {
        return Ok(());
    }
    let rows = errors
        .iter()
        .map(|e| participant_import_errors::ActiveModel {
            id: Set(Uuid::now_v7()),
            import_id: Set(import_id),
            tenant_id: Set(tenant_id),
            line: Set(as_i64(e.line)),
            column: Set(e.column.map(str::to_owned)),
            code: Set(e.code.to_owned()),
            message: Set(e.message.clone()),
        });
    participant_import_errors::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Mark the import done, drop its stored upload, and (for a live campaign) queue the launch
/// emails of the newly invited, all in one transaction.
async fn finish<C: TransactionTrait>(
    db: &C,
    import: &participant_imports::Model,
    campaign: &campaigns::Model,
    progress: &Progress,
    now: DateTime<Utc>,
) -> Result<(), RunError> {
    let txn = begin_write(db).await?;
    participant_imports::Entity::update_many()
        .col_expr(
            participant_imports::Column::State,
            Expr::value(ImportState::Done.as_str()),
        )
        .col_expr(
            participant_imports::Column::TotalRows,
            Expr::value(as_i64(progress.processed)),
        )
        .col_expr(participant_imports::Column::UpdatedAt, Expr::value(now))
        .col_expr(participant_imports::Column::FinishedAt, Expr::value(now))
        .filter(participant_imports::Column::Id.eq(import.id))
        .exec(&txn)
        .await?;
    participant_import_files::Entity::delete_by_id(import.id)
        .exec(&txn)
        .await?;
    if campaign.status == CampaignStatus::Active && progress.imported > 0 {
        // Launch emails go to every invited participant not yet emailed (each at most once).
        let job = LaunchCampaign {
            campaign_id: campaign.id,
            participant_id: None,
        };
        enqueue_once(
            &txn,
            Some(campaign.tenant_id),
            &format!("import:{}", import.id),
            &job,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Mark an import refused as a whole, with the reason.
pub async fn fail(
    db: &impl ConnectionTrait,
    import_id: Uuid,
    reason: &FileError,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    participant_imports::Entity::update_many()
        .col_expr(
            participant_imports::Column::State,
            Expr::value(ImportState::Failed.as_str()),
        )
        .col_expr(
            participant_imports::Column::Failure,
            Expr::value(reason.to_string()),
        )
        .col_expr(participant_imports::Column::UpdatedAt, Expr::value(now))
        .col_expr(participant_imports::Column::FinishedAt, Expr::value(now))
        .filter(participant_imports::Column::Id.eq(import_id))
        .exec(db)
        .await?;
    participant_import_files::Entity::delete_by_id(import_id)
        .exec(db)
        .await?;
    Ok(())
}

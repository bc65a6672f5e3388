//! `grapevine import participants` and `grapevine campaign export|import`: the command-line entry
//! points of import and export, over the same services as GraphQL.

use std::{fs::File, io::BufReader, path::Path};

use anyhow::{Context as _, anyhow};
use grapevine_entity::ops::import::{self, RunError};
use grapevine_entity::tables::participant_import_errors;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use crate::{Config, db};
use grapevine_entity::ops;

async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let conn = db::connect(config.database_url.expose(), 2).await?;
    db::migrate(&conn).await?;
    Ok(conn)
}

async fn tenant_id(conn: &DatabaseConnection, slug: &str) -> anyhow::Result<Uuid> {
    ops::tenants::by_slug(conn, slug)
        .await
        .map_err(|e| anyhow!("{}", e.message()))?
        .map(|t| t.id)
        .ok_or_else(|| anyhow!("no tenant with the slug {slug:?}"))
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    Ok(BufReader::new(
        File::open(path).with_context(|| format!("opening {}", path.display()))?,
    ))
}

/// Import participants from a CSV file into a campaign, with a progress bar on stderr; prints a
/// JSON summary on stdout, each bad row on stderr, and the error report to `errors_out` if given.
/// Exits with an error only when the file is refused as a whole.
pub async fn import_participants(
    config: &Config,
    tenant: &str,
    campaign_id: Uuid,
    file: &Path,
    errors_out: Option<&Path>,
) -> anyhow::Result<()> {
    let conn = connect(config).await?;
    let tenant_id = tenant_id(&conn, tenant).await?;
    let limits = &config.imports;
    let total = import::scan(open(file)?, limits.max_rows).map_err(|e| anyhow!("{e}"))?;
    let name = file.file_name().map_or_else(
        || "participants.csv".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let now = chrono::Utc::now();
    let record =
        ops::import::uploads::start_local(&conn, tenant_id, campaign_id, &name, total, now)
            .await
            .map_err(|e| anyhow!("{}", e.message()))?;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let outcome = import::run(
        &conn,
        &record,
        open(file)?,
        limits.batch_rows,
        |p| bar.set_position(p.processed),
        now,
    )
    .await;
    bar.finish_and_clear();
    let progress = match outcome {
        Ok(p) => p,
        Err(RunError::File(reason)) => {
            import::fail(&conn, record.id, &reason, now).await?;
            return Err(anyhow!("{reason}"));
        }
        Err(RunError::Db(err)) => {
            return Err(anyhow::Error::new(err).context(
                "the import stopped; running it again skips the participants already enrolled",
            ));
        }
    };
    let errors = participant_import_errors::Entity::find()
        .filter(participant_import_errors::Column::ImportId.eq(record.id))
        .order_by_asc(participant_import_errors::Column::Line)
        .order_by_asc(participant_import_errors::Column::Id)
        .all(&conn)
        .await?;
    for e in &errors {
        eprintln!(
            "line {}{}: {} ({})",
            e.line,
            e.column
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
            e.message,
            e.code
        );
    }
    if let Some(path) = errors_out {
        write_errors(path, &errors)?;
    }
    eprintln!(
        "{} rows: {} imported, {} already enrolled, {} refused",
        progress.processed, progress.imported, progress.skipped, progress.failed
    );
    println!(
        "{}",
        json!({
            "import_id": record.id,
            "rows": progress.processed,
            "imported": progress.imported,
            "skipped": progress.skipped,
            "failed": progress.failed,
        })
    );
    Ok(())
}

fn write_errors(path: &Path, errors: &[participant_import_errors::Model]) -> anyhow::Result<()> {
    let mut out =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    out.write_record(["line", "column", "code", "message"])?;
    for e in errors {
        out.write_record([
            e.line.to_string().as_str(),
            e.column.as_deref().unwrap_or(""),
            e.code.as_str(),
            e.message.as_str(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// Print a campaign's document (`exportCampaign`) on stdout.
pub async fn export_campaign(config: &Config, tenant: &str, id: Uuid) -> anyhow::Result<()> {
    let conn = connect(config).await?;
    let tenant_id = tenant_id(&conn, tenant).await?;
    let document = ops::campaign_documents::export(&conn, tenant_id, id)
        .await
        .map_err(|e| anyhow!("{}", e.message()))?;
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(())
}

/// Create a draft campaign from a document file (`importCampaign`); prints its id as JSON.
pub async fn import_campaign(
    config: &Config,
    tenant: &str,
    file: &Path,
    name: Option<String>,
) -> anyhow::Result<()> {
    let conn = connect(config).await?;
    let tenant_id = tenant_id(&conn, tenant).await?;
    let document: serde_json::Value = serde_json::from_reader(open(file)?)
        .with_context(|| format!("{} is not JSON", file.display()))?;
    let campaign = ops::campaign_documents::import(
        &conn,
        &crate::auth::Principal::Anonymous,
        tenant_id,
        document,
        name,
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| anyhow!("{}", e.message()))?;
    println!(
        "{}",
        json!({ "campaign_id": campaign.id, "name": campaign.name })
    );
    Ok(())
}

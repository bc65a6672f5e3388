//! Opening the database and migrating it so that two processes starting at once never both run
//! the migrations: a PostgreSQL advisory lock, or an exclusive transaction on SQLite.

use std::time::Duration;

use grapevine_migration::Migrator;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use sea_orm_migration::MigratorTrait;

/// Arbitrary constant identifying Grapevine's migration lock.
const MIGRATION_LOCK: i64 = 0x6772_6170_6576_696e; // "grapevin"

/// Open a pool on `url`.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time on SQLite; waiting beats failing with SQLITE_BUSY.
        options.map_sqlx_sqlite_opts(|o| {
            o.busy_timeout(Duration::from_secs(10))
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
        });
    }
    // Two processes opening a fresh SQLite file at once race to switch it to WAL, and the loser is
    // refused at once ("database is locked") rather than after busy_timeout: try again briefly.
    let mut attempt = 0;
    let db = loop {
        match Database::connect(options.clone()).await {
            Ok(db) => break db,
            Err(e)
                if url.starts_with("sqlite:")
                    && attempt < 50
                    && e.to_string().contains("database is locked") =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20 + 10 * attempt)).await;
            }
            Err(e) => anyhow::bail!("connecting to the database ({}): {e}", redact(url)),
        }
    };
    Ok(db)
}

/// Apply pending migrations in one transaction that first takes a cross-process lock, so a
/// second process starting at the same moment waits and then finds nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        db.execute_raw(Statement::from_string(
            backend,
            "CREATE TABLE IF NOT EXISTS grapevine_migration_lock (id INTEGER)",
        ))
        .await?;
    }
    let txn = grapevine_entity::db::begin_write(db).await?;
    match backend {
        DbBackend::Postgres => {
            txn.execute_raw(Statement::from_string(
                backend,
                format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"),
            ))
            .await?;
        }
        _ => {
            // Writing first takes SQLite's write lock at once; the other process waits (busy_timeout).
            txn.execute_raw(Statement::from_string(
                backend,
                "DELETE FROM grapevine_migration_lock",
            ))
            .await?;
        }
    }
    Migrator::up(&txn, None).await?;
    txn.commit().await?;
    Ok(())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

//! Database helpers shared by the api and the worker.

use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

/// Begin a transaction that will write. On SQLite it starts `IMMEDIATE`, taking the write lock up
/// front: a deferred transaction that reads and then writes is refused at once ("database is
/// locked") when another writer holds the lock, since waiting could deadlock; an immediate one
/// waits its turn (busy timeout). PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(conn: &C) -> Result<C::Transaction, DbErr> {
    conn.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

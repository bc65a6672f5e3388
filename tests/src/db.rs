//! A fresh, migrated database per test, created from a template that is migrated once.
//!
//! PostgreSQL: the template `gv_tpl_<hash>` is built under an advisory lock (so parallel test processes
//! don't race) and each test clones it with `CREATE DATABASE … TEMPLATE …`, dropped with the
//! [`TestDatabase`]. SQLite: the template is a migrated file kept under the target directory and each
//! test copies it into its own temporary directory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use grapevine_migration::Migrator;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};
use sea_orm_migration::MigratorTrait;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use tokio::sync::Mutex;

use crate::env::{self, Backend};

/// Set to `1` to keep test databases after the test (for inspection); they are then never dropped.
pub const KEEP_VAR: &str = "GRAPEVINE_TEST_KEEP_DB";

/// Key of the session-level advisory lock that serialises template builds across processes.
const TEMPLATE_LOCK_KEY: i64 = 0x6776_5f74_706c; // "gv_tpl"

/// How long to retry statements that fail because another session still uses a database.
const BUSY_RETRY: Duration = Duration::from_secs(15);

/// One test's own migrated database (plus its queue location and Redis key prefix).
pub struct TestDatabase {
    /// Connection URL for the app (`DATABASE_URL`).
    pub url: String,
    /// Unique name: the PostgreSQL database name, or the same form of name on SQLite.
    pub name: String,
    /// The backend this database lives on.
    pub backend: Backend,
    /// Where the job queue lives: the Redis URL on PostgreSQL, a SQLite file of its own on SQLite.
    pub queue_url: String,
    /// A key prefix no other test uses, for anything this test stores in Redis.
    pub redis_prefix: String,
    admin_url: Option<String>,
    dir: Option<TempDir>,
}

impl TestDatabase {
    /// Creates a database on the backend chosen by `GRAPEVINE_TEST_BACKEND`.
    pub async fn create() -> TestDatabase {
        TestDatabase::create_on(Backend::current()).await
    }

    /// Creates a database on `backend`, whatever the environment selects.
    pub async fn create_on(backend: Backend) -> TestDatabase {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("gv_t_{id}");
        let redis_prefix = format!("gvtest:{id}:");
        match backend {
            Backend::Postgres => create_postgres(name, redis_prefix).await,
            Backend::Sqlite => create_sqlite(name, redis_prefix).await,
        }
    }

    /// Opens a connection pool to this database.
    pub async fn connect(&self) -> DatabaseConnection {
        connect(&self.url, 5)
            .await
            .unwrap_or_else(|e| panic!("connect to test database {}: {e}", self.name))
    }

    /// The directory holding the SQLite files (`None` on PostgreSQL).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(TempDir::path)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if keep_databases() {
            if let Some(dir) = self.dir.take() {
                eprintln!("keeping test database files in {}", dir.keep().display());
            } else {
                eprintln!("keeping test database {}", self.name);
            }
            return;
        }
        let Some(admin_url) = self.admin_url.take() else {
            return; // SQLite: the TempDir removes the files.
        };
        let name = self.name.clone();
        let prefix = self.redis_prefix.clone();
        // Drop may run inside a test's runtime (possibly single-threaded): use a runtime of our own.
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(runtime) => runtime.block_on(async {
                    delete_redis_keys(&env::redis_url(), &prefix).await;
                    let conn = connect(&admin_url, 1).await?;
                    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(&name));
                    conn.execute_unprepared(&sql).await?;
                    let _ = conn.close().await;
                    Ok::<(), DbErr>(())
                }),
                Err(e) => Err(DbErr::Custom(e.to_string())),
            }
        });
        match dropper.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}

/// Best effort: deletes the keys under this test's prefix (SCAN + DEL; never FLUSHDB).
async fn delete_redis_keys(url: &str, prefix: &str) {
    let cleanup = async {
        let client = redis::Client::open(url)?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        let pattern = format!("{prefix}*");
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                redis::cmd("DEL")
                    .arg(&keys)
                    .query_async::<i64>(&mut conn)
                    .await?;
            }
            if next == 0 {
                return Ok::<(), redis::RedisError>(());
            }
            cursor = next;
        }
    };
    match tokio::time::timeout(Duration::from_secs(5), cleanup).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("warning: could not delete Redis keys {prefix}*: {e}"),
        Err(_) => eprintln!("warning: deleting Redis keys {prefix}* timed out"),
    }
}

fn keep_databases() -> bool {
    std::env::var(KEEP_VAR).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

async fn create_postgres(name: String, redis_prefix: String) -> TestDatabase {
    env::require_services(Backend::Postgres);
    let admin_url = env::admin_database_url();
    let admin = connect(&admin_url, 1)
        .await
        .unwrap_or_else(|e| panic!("connect to {admin_url}: {e}"));
    let mut template = postgres_template(&admin_url, false).await;
    let mut rebuilt = false;
    loop {
        let sql = format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote(&name),
            quote(&template)
        );
        match retry_while_busy(|| admin.execute_unprepared(&sql)).await {
            Ok(_) => break,
            // A run with other migrations replaced our template: build it again, once.
            Err(e) if !rebuilt && e.to_string().contains("does not exist") => {
                template = postgres_template(&admin_url, true).await;
                rebuilt = true;
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
    let _ = admin.close().await;
    TestDatabase {
        url: with_database(&admin_url, &name),
        name,
        backend: Backend::Postgres,
        queue_url: env::redis_url(),
        redis_prefix,
        admin_url: Some(admin_url),
        dir: None,
    }
}

/// Returns the name of the migrated template for the current migrations, building it if needed
/// (or again when `rebuild`).
async fn postgres_template(admin_url: &str, rebuild: bool) -> String {
    static TEMPLATE: Mutex<Option<String>> = Mutex::const_new(None);
    let mut cached = TEMPLATE.lock().await;
    if let Some(name) = cached.as_ref().filter(|_| !rebuild) {
        return name.clone();
    }
    let name = format!("gv_tpl_{}", &migrations_fingerprint()[..12]);
    build_postgres_template(admin_url, &name)
        .await
        .unwrap_or_else(|e| panic!("build the template database {name}: {e}"));
    *cached = Some(name.clone());
    name
}

async fn build_postgres_template(admin_url: &str, template: &str) -> Result<(), DbErr> {
    // Pool of one: the advisory lock belongs to a session, so lock and unlock on the same connection.
    let admin = connect(admin_url, 1).await?;
    if database_exists(&admin, template).await? {
        let _ = admin.close().await;
        return Ok(());
    }
    admin
        .execute_unprepared(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"))
        .await?;
    let built = async {
        if database_exists(&admin, template).await? {
            return Ok(()); // another process built it while we waited
        }
        // Migrate under a temporary name and rename when done, so a run killed half-way never
        // leaves a template that looks ready.
        let building = format!("{template}_build");
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote(&building)
            ))
            .await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {}", quote(&building)))
            .await?;
        let conn = connect(&with_database(admin_url, &building), 1).await?;
        Migrator::up(&conn, None).await?;
        conn.close().await?;
        let rename = format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote(&building),
            quote(template)
        );
        retry_while_busy(|| admin.execute_unprepared(&rename)).await?;
        drop_other_templates(&admin, template).await;
        Ok::<(), DbErr>(())
    }
    .await;
    let unlocked = admin
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"))
        .await;
    let _ = admin.close().await;
    built?;
    unlocked.map(|_| ())
}

/// Drops templates of other migration sets so they don't pile up while migrations are edited.
/// One still being cloned is left alone (no FORCE); a run that still needs one rebuilds it.
async fn drop_other_templates(admin: &DatabaseConnection, keep: &str) {
    let rows = admin
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            r"SELECT datname::text AS datname FROM pg_database WHERE datname LIKE 'gv\_tpl\_%' AND datname <> $1",
            [keep.into()],
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        if let Ok(name) = row.try_get::<String>("", "datname") {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {}", quote(&name)))
                .await;
        }
    }
}

async fn database_exists(conn: &DatabaseConnection, name: &str) -> Result<bool, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// Retries `op` while PostgreSQL says another session is using the database (SQLSTATE 55006):
/// a connection we just closed can linger on the server for a moment.
async fn retry_while_busy<F, Fut, T>(mut op: F) -> Result<T, DbErr>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbErr>>,
{
    let deadline = Instant::now() + BUSY_RETRY;
    loop {
        match op().await {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

fn is_busy(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("55006") || text.contains("is being accessed by other users")
}

async fn create_sqlite(name: String, redis_prefix: String) -> TestDatabase {
    let dir = tempfile::Builder::new()
        .prefix("grapevine-test-")
        .tempdir()
        .unwrap_or_else(|e| panic!("create a temporary directory: {e}"));
    let path = dir.path().join("grapevine.db");
    let mut template = sqlite_template(false).await;
    if std::fs::copy(&template, &path).is_err() {
        // A run with other migrations removed our template: build it again.
        template = sqlite_template(true).await;
        std::fs::copy(&template, &path)
            .unwrap_or_else(|e| panic!("copy {} to {}: {e}", template.display(), path.display()));
    }
    TestDatabase {
        url: sqlite_url(&path),
        name,
        backend: Backend::Sqlite,
        queue_url: sqlite_url(&dir.path().join("queue.db")),
        redis_prefix,
        admin_url: None,
        dir: Some(dir),
    }
}

/// Returns the path of a migrated SQLite file for the current migrations, building it if needed
/// (or again when `rebuild`).
///
/// It lives beside the build output (`<target>/grapevine-test-templates/`), so it is shared by all
/// test processes and runs and goes away with `cargo clean`.
async fn sqlite_template(rebuild: bool) -> PathBuf {
    static TEMPLATE: Mutex<Option<PathBuf>> = Mutex::const_new(None);
    let mut cached = TEMPLATE.lock().await;
    if let Some(path) = cached.as_ref().filter(|_| !rebuild) {
        return path.clone();
    }
    let dir = templates_dir();
    let path = dir.join(format!("sqlite-{}.db", &migrations_fingerprint()[..12]));
    if rebuild || !path.exists() {
        build_sqlite_template(&dir, &path)
            .await
            .unwrap_or_else(|e| panic!("build {}: {e}", path.display()));
    }
    *cached = Some(path.clone());
    path
}

async fn build_sqlite_template(dir: &Path, path: &Path) -> Result<(), DbErr> {
    let io = |e: std::io::Error| DbErr::Custom(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let scratch = tempfile::Builder::new()
        .prefix("build-")
        .tempdir_in(dir)
        .map_err(io)?;
    let conn = connect(&sqlite_url(&scratch.path().join("build.db")), 1).await?;
    Migrator::up(&conn, None).await?;
    // VACUUM INTO writes one self-contained file whatever the journal mode; renaming it into place
    // is atomic, so concurrent builders just replace each other's identical result.
    let snapshot = scratch.path().join("snapshot.db");
    let target = snapshot.to_string_lossy().replace('\'', "''");
    conn.execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await?;
    conn.close().await?;
    std::fs::rename(&snapshot, path).map_err(io)?;
    // Templates of other migration sets only pile up; a run still using one copies it again.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let other = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if other != path && name.starts_with("sqlite-") && name.ends_with(".db") {
                let _ = std::fs::remove_file(other);
            }
        }
    }
    Ok(())
}

fn templates_dir() -> PathBuf {
    crate::process::target_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("grapevine-test-templates")
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// SHA-256 (hex) over the migration names and, when the source tree is at hand, the migration
/// crate's source files: editing a migration in place must not reuse a stale template.
pub fn migrations_fingerprint() -> String {
    let mut hasher = Sha256::new();
    for migration in Migrator::migrations() {
        hasher.update(migration.name().as_bytes());
        hasher.update(b"\n");
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migration/src");
    let mut files = Vec::new();
    collect_files(&source, &mut files);
    files.sort();
    for file in files {
        if let Ok(bytes) = std::fs::read(&file) {
            let relative = file.strip_prefix(&source).unwrap_or(&file);
            hasher.update(relative.to_string_lossy().as_bytes());
            hasher.update(b"\0");
            hasher.update(&bytes);
        }
    }
    hex::encode(hasher.finalize())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "sql") {
            out.push(path);
        }
    }
}

async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options).await
}

/// Double-quotes a PostgreSQL identifier.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Replaces the database (the URL path) in a PostgreSQL URL, keeping the authority and query:
/// `postgres://root@127.0.0.1:5432/postgres` → `postgres://root@127.0.0.1:5432/<db>`, and
/// `postgres:///postgres?host=/var/run/postgresql&user=root` → `postgres:///<db>?host=…&user=root`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod unit {
    use super::with_database;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432/postgres", "gv_t_1"),
            "postgres://root@127.0.0.1:5432/gv_t_1"
        );
        assert_eq!(
            with_database("postgres://root@127.0.0.1:5432", "gv_t_1"),
            "postgres://root@127.0.0.1:5432/gv_t_1"
        );
        assert_eq!(
            with_database(
                "postgres:///postgres?host=/var/run/postgresql&user=root",
                "gv_t_1"
            ),
            "postgres:///gv_t_1?host=/var/run/postgresql&user=root"
        );
        assert_eq!(
            with_database("postgres://u:p@db/postgres?sslmode=disable", "x"),
            "postgres://u:p@db/x?sslmode=disable"
        );
    }
}

//! Which backend the tests run on and where its services live.
//!
//! `tests/run.sh` exports these variables; a plain `cargo test` falls back to the defaults of this
//! project's machines (PostgreSQL trusting `root` on 127.0.0.1:5432, Redis on 127.0.0.1:6379).

use std::sync::OnceLock;
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database};

/// Selects the backend: `postgres` (default) or `sqlite`.
pub const BACKEND_VAR: &str = "GRAPEVINE_TEST_BACKEND";
/// A PostgreSQL URL for a superuser (or a `CREATEDB` role) on its maintenance database.
pub const DATABASE_URL_VAR: &str = "GRAPEVINE_TEST_DATABASE_URL";
/// The Redis used as the job queue on the PostgreSQL backend.
pub const REDIS_URL_VAR: &str = "GRAPEVINE_TEST_REDIS_URL";

/// Used when `GRAPEVINE_TEST_DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://root@127.0.0.1:5432/postgres";
/// Used when `GRAPEVINE_TEST_REDIS_URL` is unset.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

const START_HINT: &str = "start the services with `bash tests/services.sh` (or `just services`), \
     or run everything with `bash tests/run.sh`";

/// The storage the tests run against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Production: PostgreSQL for data, Redis for the queue.
    Postgres,
    /// The embedded default: SQLite for data and a separate SQLite file for the queue.
    Sqlite,
}

impl Backend {
    /// Reads `GRAPEVINE_TEST_BACKEND` (default `postgres`); panics on an unknown value.
    pub fn from_env() -> Backend {
        match std::env::var(BACKEND_VAR) {
            Err(_) => Backend::Postgres,
            Ok(value) => match value.trim().to_ascii_lowercase().as_str() {
                "" | "postgres" | "postgresql" | "pg" => Backend::Postgres,
                "sqlite" | "embedded" => Backend::Sqlite,
                other => panic!("{BACKEND_VAR}={other:?}: expected `postgres` or `sqlite`"),
            },
        }
    }

    /// The backend of this test process (read once).
    pub fn current() -> Backend {
        static CURRENT: OnceLock<Backend> = OnceLock::new();
        *CURRENT.get_or_init(Backend::from_env)
    }

    /// The value `GRAPEVINE_TEST_BACKEND` takes for this backend.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The admin PostgreSQL URL (`GRAPEVINE_TEST_DATABASE_URL`, default 127.0.0.1 as `root`).
pub fn admin_database_url() -> String {
    non_empty_var(DATABASE_URL_VAR).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// The Redis URL (`GRAPEVINE_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`).
pub fn redis_url() -> String {
    non_empty_var(REDIS_URL_VAR).unwrap_or_else(|| DEFAULT_REDIS_URL.to_owned())
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Panics unless PostgreSQL answers at [`admin_database_url`]; checked once per process.
pub fn require_postgres() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = CHECKED.get_or_init(|| {
        let url = admin_database_url();
        on_own_runtime(async move { check_postgres(&url).await })
    });
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

/// Panics unless Redis answers PING at [`redis_url`]; checked once per process.
pub fn require_redis() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let outcome = CHECKED.get_or_init(|| {
        let url = redis_url();
        on_own_runtime(async move { check_redis(&url).await })
    });
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

/// Panics unless the services `backend` needs are reachable (SQLite needs none).
pub fn require_services(backend: Backend) {
    if backend == Backend::Postgres {
        require_postgres();
        require_redis();
    }
}

async fn check_postgres(url: &str) -> Result<(), String> {
    let failure = |err: String| {
        format!(
            "PostgreSQL is not reachable at {url} ({DATABASE_URL_VAR}): {err}\n\
             The {} backend needs it: {START_HINT}; or start it alone with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.",
            Backend::Postgres.as_str()
        )
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let conn = Database::connect(options)
        .await
        .map_err(|e| failure(e.to_string()))?;
    conn.execute_unprepared("SELECT 1")
        .await
        .map_err(|e| failure(e.to_string()))?;
    let _ = conn.close().await;
    Ok(())
}

async fn check_redis(url: &str) -> Result<(), String> {
    let failure = |err: String| {
        format!(
            "Redis is not reachable at {url} ({REDIS_URL_VAR}): {err}\n\
             The {} backend needs it: {START_HINT}; or start it alone with \
             `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no`.",
            Backend::Postgres.as_str()
        )
    };
    let client = redis::Client::open(url).map_err(|e| failure(e.to_string()))?;
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(Duration::from_secs(5), ping).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(failure(e.to_string())),
        Err(_) => Err(failure("no answer to PING within 5 s".to_owned())),
    }
}

/// Runs `future` to completion on a fresh runtime on its own thread, so it works from sync code,
/// from `Drop`, and from inside any async test (whose runtime may be single-threaded).
pub(crate) fn on_own_runtime<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("build a tokio runtime for the test harness")
            .block_on(future)
    });
    match handle.join() {
        Ok(output) => output,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

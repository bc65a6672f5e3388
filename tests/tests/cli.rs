//! The `grapevine` command line as an operator meets it: the embedded default with no
//! configuration, `demo --json`, configuration that is refused with the key named, two processes
//! migrating at once, and a worker SIGKILLed while launch emails go out (the crash acceptance:
//! no email is ever sent twice).

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use grapevine_migration::Migrator;
use grapevine_tests::app::{seed_tenant, test_config};
use grapevine_tests::db::with_database;
use grapevine_tests::{
    Backend, GrapevineProcess, Lcg, SmtpServer, TestDatabase, admin_database_url, free_port,
    grapevine_binary, require_services, try_poll_until,
};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use sea_orm_migration::MigratorTrait;
use serde_json::{Value, json};

/// How long a server gets to answer `/healthz`.
const STARTUP: Duration = Duration::from_secs(30);
/// How long a command that should finish on its own (`migrate`, `demo`, a refused start) may take
/// (`demo` seeds 90 days of history: a debug build on a busy machine needs a while).
const ONE_SHOT: Duration = Duration::from_secs(120);
/// How long a process gets to exit after SIGTERM.
const STOP: Duration = Duration::from_secs(20);

/// 32 bytes, base64: a master key for processes on PostgreSQL (which refuses to generate one).
const MASTER_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// 38 bytes, base64: a JWT signing key.
const JWT_KEY: &str = "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVmZ2hpams=";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `grapevine <args…>` in `dir`, with `env` as its only configuration: like the harness's
/// processes it inherits no `GRAPEVINE_*`, `DATABASE_URL` or `REDIS_URL` from the test run.
/// Output is captured; the child is killed if the command is dropped.
fn grapevine_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(grapevine_binary());
    command.args(args);
    configure(&mut command, dir, env);
    command.stdin(Stdio::null());
    command
}

/// Like [`grapevine_in`], but the process waits at a starting line: a shell that `exec`s
/// grapevine once a line arrives on its stdin (see [`release`]). Two of them released together
/// start as nearly at once as processes can.
fn gated_grapevine_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new("sh");
    command
        .args(["-c", r#"read -r _ && exec "$0" "$@""#])
        .arg(grapevine_binary())
        .args(args);
    configure(&mut command, dir, env);
    command.stdin(Stdio::piped());
    command
}

/// Lets gated processes (see [`gated_grapevine_in`]) go.
async fn release(children: &mut [&mut tokio::process::Child]) {
    use tokio::io::AsyncWriteExt;
    let mut gates: Vec<_> = children
        .iter_mut()
        .map(|c| c.stdin.take().expect("a gated process"))
        .collect();
    for gate in &mut gates {
        gate.write_all(b"go\n").await.unwrap();
    }
    for mut gate in gates {
        gate.flush().await.unwrap();
    }
}

fn configure(command: &mut tokio::process::Command, dir: &Path, env: &[(&str, &str)]) {
    command
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (name, _) in std::env::vars_os() {
        if name
            .to_str()
            .is_some_and(|n| n.starts_with("GRAPEVINE_") || n == "DATABASE_URL" || n == "REDIS_URL")
        {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
}

/// Waits for a command that must end by itself; panics if it is still running at [`ONE_SHOT`].
async fn finish(child: tokio::process::Child, what: &str) -> Output {
    match tokio::time::timeout(ONE_SHOT, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => panic!("{what}: waiting for the process: {e}"),
        Err(_) => panic!("{what} was still running after {ONE_SHOT:?}"),
    }
}

/// Runs a command to its end.
async fn run(mut command: tokio::process::Command, what: &str) -> Output {
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: spawn: {e}"));
    finish(child, what).await
}

fn describe(output: &Output) -> String {
    format!(
        "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().unwrap()
}

/// POST a GraphQL request with a bearer token; panics on transport errors or GraphQL errors and
/// returns `data`.
async fn graphql(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .unwrap_or_else(|e| panic!("POST {url} ({status}): body is not JSON: {e}"));
    assert!(
        status.is_success() && body.get("errors").is_none(),
        "GraphQL {query} answered {status}: {body:#}"
    );
    body["data"].clone()
}

/// `version → how many times it is recorded` in `seaql_migrations`.
async fn applied_migrations(conn: &DatabaseConnection) -> BTreeMap<String, i64> {
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT version, COUNT(*) AS n FROM seaql_migrations GROUP BY version",
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|row| {
            (
                row.try_get::<String>("", "version").unwrap(),
                row.try_get::<i64>("", "n").unwrap(),
            )
        })
        .collect()
}

/// Every migration of this build, each exactly once.
fn each_migration_once() -> BTreeMap<String, i64> {
    Migrator::migrations()
        .iter()
        .map(|m| (m.name().to_owned(), 1))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. The embedded default
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_embedded_default_starts_with_no_configuration_and_answers_healthz() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let base = format!("http://{listen}");
    let mut grapevine = GrapevineProcess::spawn(&["--listen", &listen], &[]);
    grapevine
        .wait_http_ok(&format!("{base}/healthz"), STARTUP)
        .await;

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    let status = ready.status();
    let body: Value = ready.json().await.unwrap();
    assert_eq!(status, 200, "/readyz: {body}");
    assert_eq!(body["database"], "ok", "/readyz: {body}");

    // The data file, a separate queue file and the generated keys, all in the working directory.
    let dir = grapevine.work_dir().to_path_buf();
    let files = ["grapevine.db", "grapevine-queue.db", "grapevine.keys"];
    let all_there = try_poll_until(STARTUP, || {
        let dir = dir.clone();
        async move { files.iter().all(|f| dir.join(f).is_file()).then_some(()) }
    })
    .await;
    let listing: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        all_there.is_some(),
        "expected {files:?} in {}, found {listing:?}; log:\n{}",
        dir.display(),
        grapevine.log()
    );
    let keys = std::fs::read_to_string(dir.join("grapevine.keys")).unwrap();
    assert!(
        keys.contains("master_key") && keys.contains("jwt_secret"),
        "grapevine.keys holds the generated keys: {keys}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("grapevine.keys"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "grapevine.keys is private (mode {mode:o})");
    }

    let exit = grapevine.terminate(STOP).await;
    assert!(
        exit.success(),
        "SIGTERM ends grapevine cleanly, got {exit}; log:\n{}",
        grapevine.log()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. demo --json
// ---------------------------------------------------------------------------------------------

/// `grapevine --listen <listen> demo --json` in `dir`: exits 0 and prints exactly one JSON object.
async fn demo_json(dir: &Path, listen: &str) -> Value {
    let output = run(
        grapevine_in(dir, &["--listen", listen, "demo", "--json"], &[]),
        "grapevine demo --json",
    )
    .await;
    assert!(
        output.status.success(),
        "demo --json: {}",
        describe(&output)
    );
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "demo --json prints one line: {}",
        describe(&output)
    );
    let demo: Value = serde_json::from_str(lines[0])
        .unwrap_or_else(|e| panic!("demo --json prints JSON ({e}): {}", describe(&output)));
    assert!(demo.is_object(), "one JSON object: {demo}");
    for key in ["graphql_url", "token", "tenant_id", "campaign_id"] {
        assert!(
            demo[key].as_str().is_some_and(|v| !v.is_empty()),
            "demo --json has a non-empty {key}: {demo}"
        );
    }
    demo
}

#[tokio::test]
async fn demo_json_is_idempotent_and_its_token_works() {
    let dir = temp_dir("grapevine-demo-");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");

    let first = demo_json(dir.path(), &listen).await;
    let second = demo_json(dir.path(), &listen).await;
    assert_eq!(
        first["tenant_id"], second["tenant_id"],
        "the second run reuses the demo tenant"
    );
    assert_eq!(
        first["campaign_id"], second["campaign_id"],
        "the second run reuses the demo campaign"
    );
    let graphql_url = second["graphql_url"].as_str().unwrap().to_owned();
    assert_eq!(graphql_url, format!("http://{listen}/graphql"));

    // The server, started in the same directory, finds the same database and the same keys.
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut command = grapevine_in(dir.path(), &["--listen", &listen, "serve"], &[]);
    command
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
    let mut server = command.spawn().unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let healthz = format!("http://{listen}/healthz");
    let up = try_poll_until(STARTUP, || {
        let request = client.get(&healthz).send();
        async move { request.await.ok().filter(|r| r.status().is_success()) }
    })
    .await;
    assert!(
        up.is_some(),
        "grapevine serve did not answer {healthz} within {STARTUP:?} (exit: {:?}); log:\n{}",
        server.try_wait(),
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );

    let campaign = second["campaign_id"].as_str().unwrap();
    for demo in [&first, &second] {
        let token = demo["token"].as_str().unwrap();
        let data = graphql(
            &client,
            &graphql_url,
            token,
            "{ campaigns { edges { node { id } } } }",
            json!({}),
        )
        .await;
        let ids: Vec<&str> = data["campaigns"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![campaign],
            "exactly the one demo campaign, seen with the token of either run"
        );
    }

    let pid = i32::try_from(server.id().unwrap()).unwrap();
    kill(Pid::from_raw(pid), Signal::SIGTERM).unwrap();
    let exit = tokio::time::timeout(STOP, server.wait())
        .await
        .expect("grapevine serve exits after SIGTERM")
        .unwrap();
    assert!(
        exit.success(),
        "SIGTERM ends grapevine serve cleanly, got {exit}; log:\n{}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Refused configuration
// ---------------------------------------------------------------------------------------------

/// A start that must be refused: what is set, the arguments before `migrate`, and the key the
/// message must name.
struct Refused<'a> {
    env: Vec<(&'a str, &'a str)>,
    args: Vec<&'a str>,
    key: &'a str,
}

fn refused<'a>(env: &[(&'a str, &'a str)], args: &[&'a str], key: &'a str) -> Refused<'a> {
    Refused {
        env: env.to_vec(),
        args: args.to_vec(),
        key,
    }
}

#[tokio::test]
async fn bad_configuration_is_refused_naming_the_key() {
    let postgres = admin_database_url();
    let cases = [
        refused(&[("GRAPEVINE_LISTEN", "nonsense")], &[], "listen"),
        refused(&[("GRAPEVINE_QUEUE__URL", "ftp://x")], &[], "queue.url"),
        refused(&[("REDIS_URL", "ftp://x")], &[], "queue.url"),
        refused(&[("GRAPEVINE_LOG__FORMAT", "xml")], &[], "log.format"),
        refused(&[("GRAPEVINE_NOPE", "1")], &[], "nope"),
        refused(
            &[],
            &["--config", "/nonexistent/grapevine-test.toml"],
            "--config",
        ),
        // PostgreSQL deployments must configure their keys: nothing is generated for them.
        refused(
            &[("DATABASE_URL", postgres.as_str())],
            &[],
            "secrets.master_key",
        ),
        refused(
            &[
                ("DATABASE_URL", postgres.as_str()),
                ("GRAPEVINE_SECRETS__MASTER_KEY", MASTER_KEY),
            ],
            &[],
            "auth.jwt_keys",
        ),
    ];
    for Refused { env, mut args, key } in cases {
        let dir = temp_dir("grapevine-badconf-");
        // `migrate` ends by itself if the configuration were wrongly accepted.
        args.push("migrate");
        let output = run(grapevine_in(dir.path(), &args, &env), "grapevine migrate").await;
        let what = format!("{env:?} {args:?}");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{what} is refused with exit code 2: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("configuration key `{key}`")),
            "{what}: stderr names `{key}`: {}",
            describe(&output)
        );
        // Refused before anything was touched: no database, no generated keys.
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(left.is_empty(), "{what} left files behind: {left:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Concurrent migrations
// ---------------------------------------------------------------------------------------------

/// An empty PostgreSQL database of our own, dropped (with FORCE) on drop.
struct EmptyPostgresDatabase {
    name: String,
    url: String,
}

impl EmptyPostgresDatabase {
    async fn create() -> Self {
        require_services(Backend::Postgres);
        let name = format!("gv_t_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_database_url()).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = with_database(&admin_database_url(), &name);
        EmptyPostgresDatabase { name, url }
    }
}

impl Drop for EmptyPostgresDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop may run inside the test's (single-threaded) runtime: use one of our own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let admin = Database::connect(admin_database_url()).await?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await?;
                    admin.close().await
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop {}: {dropped:?}", self.name);
        }
    }
}

/// Starts two `grapevine migrate` in `dirs` at once and waits for both.
async fn migrate_twice_at_once(dirs: [&Path; 2], env: &[(&str, &str)]) -> [Output; 2] {
    let mut a = gated_grapevine_in(dirs[0], &["migrate"], env)
        .spawn()
        .unwrap();
    let mut b = gated_grapevine_in(dirs[1], &["migrate"], env)
        .spawn()
        .unwrap();
    release(&mut [&mut a, &mut b]).await;
    let (a, b) = tokio::join!(finish(a, "first migrate"), finish(b, "second migrate"));
    [a, b]
}

#[tokio::test]
async fn two_processes_migrating_at_once_both_succeed_and_migrate_once() {
    let db = EmptyPostgresDatabase::create().await;
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("GRAPEVINE_SECRETS__MASTER_KEY", MASTER_KEY),
        ("GRAPEVINE_AUTH__JWT_KEYS__K1", JWT_KEY),
    ];
    let (one, two) = (temp_dir("grapevine-mig-"), temp_dir("grapevine-mig-"));
    let outputs = migrate_twice_at_once([one.path(), two.path()], &env).await;
    for (n, output) in outputs.iter().enumerate() {
        assert!(
            output.status.success(),
            "migrate #{} on PostgreSQL: {}",
            n + 1,
            describe(output)
        );
    }
    let conn = Database::connect(db.url.as_str()).await.unwrap();
    assert_eq!(
        applied_migrations(&conn).await,
        each_migration_once(),
        "seaql_migrations records each migration exactly once"
    );
    conn.close().await.unwrap();
}

/// Rounds of the race on the embedded default: a race that is lost only now and then must still
/// fail this test reliably.
const EMBEDDED_ROUNDS: usize = 12;

#[tokio::test]
async fn two_processes_migrating_a_fresh_embedded_install_at_once_both_succeed_and_migrate_once() {
    for round in 1..=EMBEDDED_ROUNDS {
        // The embedded default with no configuration at all: both processes share one working
        // directory, so one SQLite file and one generated keys file.
        let dir = temp_dir("grapevine-mig-sqlite-");
        let outputs = migrate_twice_at_once([dir.path(), dir.path()], &[]).await;
        let failed: Vec<String> = outputs
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.status.success())
            .map(|(n, o)| format!("migrate #{}: {}", n + 1, describe(o)))
            .collect();
        assert!(
            failed.is_empty(),
            "round {round}/{EMBEDDED_ROUNDS}: two `grapevine migrate` started at once in one fresh \
             directory must both succeed:\n{}",
            failed.join("\n")
        );
        let file = dir.path().join("grapevine.db");
        let conn = Database::connect(format!("sqlite://{}?mode=ro", file.display()))
            .await
            .unwrap();
        assert_eq!(
            applied_migrations(&conn).await,
            each_migration_once(),
            "round {round}: seaql_migrations records each migration exactly once"
        );
        conn.close().await.unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// 5. A worker SIGKILLed while launch emails go out
// ---------------------------------------------------------------------------------------------

/// Participants enrolled (all eligible): one launch email each.
const PARTICIPANTS: usize = 60;
/// How many times the worker is SIGKILLed.
const KILLS: usize = 3;
/// The default seed of the kill moments; `CLI_KILL_SEED=<n>` picks others.
const DEFAULT_KILL_SEED: u64 = 0x6772_6170_6576_696e;

/// How many messages the SMTP server has stored (a cheap count of the maildir's files).
fn stored_messages(maildir: &Path) -> usize {
    ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
        .map(|entries| entries.flatten().count())
        .sum()
}

/// From a thread of its own, checks the maildir every 100 µs and SIGKILLs `pid` as soon as the
/// SMTP server has stored `n` messages: as close as a test gets to "the server has the message,
/// the worker has not recorded it yet". Returns the count it saw, or `None` at the timeout.
fn kill_when_stored(maildir: &Path, n: usize, pid: u32, timeout: Duration) -> Option<usize> {
    let pid = Pid::from_raw(i32::try_from(pid).unwrap());
    let deadline = Instant::now() + timeout;
    loop {
        let stored = stored_messages(maildir);
        if stored >= n {
            // The process is our unreaped child, so the pid cannot belong to anyone else.
            kill(pid, Signal::SIGKILL).unwrap();
            return Some(stored);
        }
        if Instant::now() >= deadline {
            return None;
        }
        // A tight poll with a deadline: the kill must land right after the nth message.
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// A campaign live now, whatever the date: this test runs on the wall clock.
fn campaign_input() -> Value {
    let now = chrono::Utc::now();
    let (starts, ends) = (
        now - chrono::Duration::days(30),
        now + chrono::Duration::days(3 * 365),
    );
    let due = (now + chrono::Duration::days(365)).date_naive();
    json!({
        "name": "Crash test",
        "startsAt": starts.to_rfc3339(),
        "endsAt": ends.to_rfc3339(),
        "currency": "usd",
        "budgetMinor": "500000",
        "landingUrl": "https://shop.example/welcome",
        "audience": { "tagsAny": ["vip"], "minOrders": 1 },
        "goals": [{ "name": "Acquisition", "objectives": [{ "name": "Grow", "kpis": [{ "metric": "CONVERSIONS", "target": 100.0, "due": due.to_string() }] }] }]
    })
}

#[tokio::test]
async fn a_worker_killed_mid_launch_sends_no_email_twice() {
    require_services(Backend::Postgres);
    let db = TestDatabase::create_on(Backend::Postgres).await;
    let smtp = SmtpServer::start().await;
    let config = test_config(&db, &smtp);
    let (_tenant, token) = seed_tenant(&db, &config).await;
    let (kid, jwt_key) = config.auth.jwt_keys.iter().next().unwrap();

    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let env: Vec<(String, String)> = [
        ("DATABASE_URL", db.url.clone()),
        ("REDIS_URL", db.queue_url.clone()),
        ("GRAPEVINE_QUEUE__PREFIX", config.queue.prefix.clone()),
        ("GRAPEVINE_EMAIL__SMTP_URL", smtp.url()),
        ("GRAPEVINE_EMAIL__FROM", config.email.from.clone()),
        (
            "GRAPEVINE_SECRETS__MASTER_KEY",
            config.secrets.master_key.expose().to_owned(),
        ),
        (
            &format!("GRAPEVINE_AUTH__JWT_KEYS__{}", kid.to_uppercase()),
            jwt_key.expose().to_owned(),
        ),
        ("GRAPEVINE_AUTH__JWT_ACTIVE_KID", kid.clone()),
        ("GRAPEVINE_QUEUE__POLL_INTERVAL_MS", "50".into()),
        ("GRAPEVINE_QUEUE__RELAY_INTERVAL_MS", "50".into()),
        ("GRAPEVINE_QUEUE__HEARTBEAT_SECS", "1".into()),
        ("GRAPEVINE_QUEUE__LEASE_SECS", "3".into()),
        ("GRAPEVINE_QUEUE__REDELIVER_AFTER_SECS", "3".into()),
        // One send in flight at a time, so one kill can leave at most one email `unknown`.
        ("GRAPEVINE_QUEUE__CONCURRENCY", "1".into()),
        // The test counts the campaign's emails exactly: no weekly digest to its owner (the
        // scheduler queues one as soon as the campaign is live, so under load it raced the
        // count: 61 emails for 60 participants).
        ("GRAPEVINE_ANALYTICS__WEEKLY_DIGEST", "false".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    let mut server = GrapevineProcess::spawn(&["--listen", &listen, "serve"], &env);
    let mut worker = GrapevineProcess::spawn(&["work"], &env);
    let base = format!("http://{listen}");
    server
        .wait_http_ok(&format!("{base}/healthz"), STARTUP)
        .await;
    let url = format!("{base}/graphql");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Design a campaign, enrol the participants in bulk and launch.
    let data = graphql(
        &client,
        &url,
        &token,
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
        json!({ "i": campaign_input() }),
    )
    .await;
    let campaign = data["createCampaign"]["id"].as_str().unwrap().to_owned();
    for (side, amount) in [("REFERRER", "1000"), ("REFEREE", "1500")] {
        graphql(
            &client,
            &url,
            &token,
            "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }",
            json!({ "c": campaign, "i": { "side": side, "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": amount, "minOrderMinor": "2000" } }),
        )
        .await;
    }
    graphql(
        &client,
        &url,
        &token,
        "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }",
        json!({ "c": campaign, "i": {
            "channel": "EMAIL",
            "shareText": "Join me: {{referral_link}}",
            "emailSubject": "{{first_name}}, share {{campaign_name}}",
            "emailHtml": "<p>Hi {{first_name}}: <a href=\"{{referral_link}}\">{{referral_code}}</a></p><a href=\"{{unsubscribe_url}}\">unsubscribe</a>",
            "emailText": "Hi {{first_name}}, your code is {{referral_code}}: {{referral_link}}"
        }}),
    )
    .await;
    let addresses: BTreeSet<String> = (0..PARTICIPANTS)
        .map(|i| format!("p{i:02}@crash.example"))
        .collect();
    let participants: Vec<Value> = addresses
        .iter()
        .enumerate()
        .map(|(i, email)| json!({ "externalId": format!("p{i}"), "email": email, "firstName": format!("P{i}"), "tags": ["vip"], "orderCount": 2 }))
        .collect();
    let data = graphql(
        &client,
        &url,
        &token,
        "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { eligible } errors { index message } } }",
        json!({ "c": campaign, "p": participants }),
    )
    .await;
    let result = &data["enrollParticipants"];
    assert_eq!(result["errors"], json!([]), "{result}");
    let enrolments = result["enrolments"].as_array().unwrap();
    assert_eq!(enrolments.len(), PARTICIPANTS);
    assert!(enrolments.iter().all(|e| e["eligible"] == true), "{result}");
    let data = graphql(
        &client,
        &url,
        &token,
        "mutation($c: UUID!) { launchCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    assert_eq!(data["launchCampaign"]["status"], "ACTIVE");

    // SIGKILL the worker at seeded-random moments while the emails go out, restarting it each time.
    let seed = std::env::var("CLI_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_KILL_SEED);
    let mut rng = Lcg(seed);
    let maildir = smtp.maildir();
    let mut killed_at = Vec::new();
    let mut floor = 1;
    for _ in 0..KILLS {
        // Each kill may cost one message (an email left `unknown` that never arrived).
        let k = rng
            .between(floor + 1, floor + 16)
            .min(PARTICIPANTS - KILLS - 1);
        let pid = worker.pid().unwrap();
        let dir = maildir.clone();
        let watch = tokio::task::spawn_blocking(move || {
            kill_when_stored(&dir, k, pid, Duration::from_secs(30))
        });
        let Some(stored) = watch.await.unwrap() else {
            panic!(
                "the SMTP server had {} messages, not {k}, after 30 s; worker log:\n{}",
                stored_messages(&maildir),
                worker.log()
            );
        };
        worker.kill(); // reap it
        killed_at.push(stored);
        worker.restart();
        floor = k.max(stored) + 2;
    }
    assert!(
        killed_at.iter().all(|&n| n < PARTICIPANTS),
        "every kill landed while emails were still going out: {killed_at:?}"
    );

    // Wait until every email has an outcome.
    let query =
        "query($c: UUID!) { emails(campaignId: $c, first: 100) { edges { node { to state } } } }";
    let settled = try_poll_until(Duration::from_secs(60), || {
        let request = graphql(&client, &url, &token, query, json!({ "c": campaign }));
        async move {
            let data = request.await;
            let rows: Vec<(String, String)> = data["emails"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["node"]["to"].as_str().unwrap().to_owned(),
                        e["node"]["state"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let done = rows.len() == PARTICIPANTS
                && rows
                    .iter()
                    .all(|(_, state)| state != "QUEUED" && state != "SENDING");
            done.then_some(rows)
        }
    })
    .await;
    let Some(rows) = settled else {
        panic!(
            "the launch emails did not all settle within 60 s (kills at {killed_at:?}); \
             {} messages stored; worker log:\n{}",
            stored_messages(&maildir),
            worker.log()
        );
    };

    let messages = smtp.messages();
    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for message in &messages {
        for to in &message.to {
            *received.entry(to.to_lowercase()).or_default() += 1;
        }
    }
    let states: BTreeMap<String, String> = rows.iter().cloned().collect();
    let sent: BTreeSet<&String> = states
        .iter()
        .filter(|(_, s)| *s == "SENT")
        .map(|(a, _)| a)
        .collect();
    let unknown: BTreeSet<&String> = states
        .iter()
        .filter(|(_, s)| *s == "UNKNOWN")
        .map(|(a, _)| a)
        .collect();
    let unknown_received = unknown
        .iter()
        .filter(|a| received.contains_key(a.as_str()))
        .count();
    println!(
        "kill seed {seed:#x}: worker SIGKILLed at {killed_at:?} stored messages; {} messages to {} \
         addresses; {} SENT, {} UNKNOWN ({unknown_received} of which did arrive)",
        messages.len(),
        received.len(),
        sent.len(),
        unknown.len()
    );

    assert_eq!(
        states.len(),
        PARTICIPANTS,
        "one email row per participant: {rows:?}"
    );
    let twice: Vec<(&String, &usize)> = received.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "no address receives the launch email twice: {twice:?}"
    );
    let other: Vec<&(String, String)> = rows
        .iter()
        .filter(|(_, s)| s != "SENT" && s != "UNKNOWN")
        .collect();
    assert!(
        other.is_empty(),
        "every email is SENT or UNKNOWN: {other:?}"
    );
    assert!(
        unknown.len() <= KILLS,
        "at most one UNKNOWN per kill ({KILLS} kills): {unknown:?}"
    );
    for address in &sent {
        assert_eq!(
            received.get(address.as_str()),
            Some(&1),
            "{address} is SENT, so it received exactly one message"
        );
    }
    for address in received.keys() {
        assert!(
            matches!(
                states.get(address).map(String::as_str),
                Some("SENT" | "UNKNOWN")
            ),
            "{address} received a message, so its row is SENT or UNKNOWN (it is {:?})",
            states.get(address)
        );
    }
    assert!(
        received.keys().all(|a| addresses.contains(a)),
        "only participants receive the launch email: {:?}",
        received.keys().collect::<Vec<_>>()
    );

    let exit = worker.terminate(STOP).await;
    assert!(
        exit.success(),
        "SIGTERM ends grapevine work cleanly, got {exit}; log:\n{}",
        worker.log()
    );
    drop(server);
}

#[test]
fn the_kill_moments_are_spread_and_reproducible() {
    let draw = |seed| {
        let mut rng = Lcg(seed);
        (0..20).map(|_| rng.between(3, 17)).collect::<Vec<_>>()
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));
    let values: BTreeSet<usize> = draw(DEFAULT_KILL_SEED).into_iter().collect();
    assert!(values.iter().all(|v| (3..=17).contains(v)));
    assert!(values.len() > 5, "spread over the range: {values:?}");
}

//! Tests of the test harness itself: databases, the SMTP server and the process harness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_migration::Migrator;
use grapevine_tests::{
    Backend, GrapevineProcess, SmtpServer, TestDatabase, admin_database_url, free_port, poll_until,
    try_poll_until,
};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement};
use sea_orm_migration::MigratorTrait;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(20);

async fn postgres_database_exists(name: &str) -> bool {
    let admin = Database::connect(admin_database_url()).await.unwrap();
    let row = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .unwrap();
    admin.close().await.unwrap();
    row.is_some()
}

async fn applied_migrations(conn: &DatabaseConnection) -> i64 {
    let row: QueryResult = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

fn migration_count() -> i64 {
    i64::try_from(Migrator::migrations().len()).unwrap()
}

#[tokio::test]
async fn concurrent_postgres_databases_are_distinct_migrated_and_dropped_with_their_handle() {
    let (a, b) = tokio::join!(
        TestDatabase::create_on(Backend::Postgres),
        TestDatabase::create_on(Backend::Postgres)
    );
    assert_ne!(a.name, b.name);
    assert_ne!(a.url, b.url);
    assert_ne!(a.redis_prefix, b.redis_prefix);
    assert!(a.name.starts_with("gv_t_"), "{}", a.name);
    assert!(a.url.contains(&format!("/{}", a.name)), "{}", a.url);
    assert!(postgres_database_exists(&a.name).await);
    assert!(postgres_database_exists(&b.name).await);

    for db in [&a, &b] {
        let conn = db.connect().await;
        assert_eq!(applied_migrations(&conn).await, migration_count());
        conn.close().await.unwrap();
    }

    // Writes in one database are invisible in the other.
    let conn_a = a.connect().await;
    conn_a
        .execute_unprepared("CREATE TABLE harness_probe (id integer)")
        .await
        .unwrap();
    let conn_b = b.connect().await;
    let probe = conn_b
        .execute_unprepared("SELECT * FROM harness_probe")
        .await;
    assert!(probe.is_err(), "table leaked across test databases");
    conn_b.close().await.unwrap();

    // Keys under a test's Redis prefix go with it; other keys stay.
    let redis = redis::Client::open(grapevine_tests::redis_url()).unwrap();
    let mut redis = redis.get_multiplexed_async_connection().await.unwrap();
    let (key_a, key_b) = (
        format!("{}probe", a.redis_prefix),
        format!("{}probe", b.redis_prefix),
    );
    let _: () = redis::cmd("SET")
        .arg(&key_a)
        .arg("1")
        .query_async(&mut redis)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&key_b)
        .arg("1")
        .query_async(&mut redis)
        .await
        .unwrap();

    // Dropping works even with a connection still open (DROP … WITH (FORCE)).
    let (name_a, name_b) = (a.name.clone(), b.name.clone());
    drop(a);
    assert!(!postgres_database_exists(&name_a).await);
    assert!(postgres_database_exists(&name_b).await);
    let exists = |key: String| {
        let mut redis = redis.clone();
        async move {
            redis::cmd("EXISTS")
                .arg(key)
                .query_async::<i64>(&mut redis)
                .await
                .unwrap()
        }
    };
    assert_eq!(exists(key_a.clone()).await, 0);
    assert_eq!(exists(key_b.clone()).await, 1);
    drop(b);
    assert!(!postgres_database_exists(&name_b).await);
    assert_eq!(exists(key_b).await, 0);
    drop(conn_a);
}

#[tokio::test]
async fn postgres_template_is_named_after_the_migration_fingerprint() {
    let db = TestDatabase::create_on(Backend::Postgres).await;
    let template = format!(
        "gv_tpl_{}",
        &grapevine_tests::db::migrations_fingerprint()[..12]
    );
    assert!(postgres_database_exists(&template).await, "{template}");
    assert_eq!(db.queue_url, grapevine_tests::redis_url());
}

#[tokio::test]
async fn sqlite_database_is_migrated_and_its_files_go_with_the_handle() {
    let db = TestDatabase::create_on(Backend::Sqlite).await;
    let dir = db.dir().unwrap().to_path_buf();
    assert_eq!(db.backend, Backend::Sqlite);
    assert_eq!(
        db.url,
        format!("sqlite://{}?mode=rwc", dir.join("grapevine.db").display())
    );
    assert_eq!(
        db.queue_url,
        format!("sqlite://{}?mode=rwc", dir.join("queue.db").display())
    );
    let conn = db.connect().await;
    assert_eq!(applied_migrations(&conn).await, migration_count());
    conn.close().await.unwrap();

    let other = TestDatabase::create_on(Backend::Sqlite).await;
    assert_ne!(other.url, db.url);
    drop(db);
    assert!(!dir.exists());
}

#[tokio::test]
async fn smtp_server_receives_a_multipart_message_sent_with_lettre() {
    let smtp = SmtpServer::start().await;
    let email = Message::builder()
        .from(
            "Grapevine <noreply@grapevine.test>"
                .parse::<Mailbox>()
                .unwrap(),
        )
        .to("Alice <alice@example.test>".parse::<Mailbox>().unwrap())
        .bcc("audit@example.test".parse::<Mailbox>().unwrap())
        .subject("Your reward is ready — 10 €")
        .reply_to("help@grapevine.test".parse::<Mailbox>().unwrap())
        .multipart(MultiPart::alternative_plain_html(
            "You earned 10 €.".to_owned(),
            "<p>You earned <b>10 €</b>.</p>".to_owned(),
        ))
        .unwrap();
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(smtp.port())
        .build();
    mailer.send(email).await.unwrap();

    let messages = smtp.wait_for(1, WAIT).await;
    assert_eq!(messages.len(), 1);
    let got = &messages[0];
    assert_eq!(got.subject.as_deref(), Some("Your reward is ready — 10 €"));
    assert_eq!(got.from.as_deref(), Some("noreply@grapevine.test"));
    assert_eq!(got.header_to, vec!["alice@example.test".to_owned()]);
    let mut to = got.to.clone();
    to.sort();
    assert_eq!(to, vec!["alice@example.test", "audit@example.test"]);
    assert_eq!(got.envelope_from.as_deref(), Some("noreply@grapevine.test"));
    assert_eq!(got.text.as_deref().map(str::trim), Some("You earned 10 €."));
    assert_eq!(
        got.html.as_deref().map(str::trim),
        Some("<p>You earned <b>10 €</b>.</p>")
    );
    assert_eq!(got.header("reply-to"), Some("help@grapevine.test"));
    assert!(got.raw.contains("Subject:"));
}

async fn send_raw(port: u16, from: &str, to: &[&str], data: &str) -> Vec<String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut replies = Vec::new();
    // Reads one (possibly multi-line) reply and returns its last line.
    async fn reply(
        lines: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
    ) -> String {
        loop {
            let line = lines.next_line().await.unwrap().unwrap();
            if line.as_bytes().get(3) != Some(&b'-') {
                return line;
            }
        }
    }
    replies.push(reply(&mut lines).await);
    let mut commands = vec![
        "EHLO harness.test".to_owned(),
        format!("MAIL FROM:<{from}>"),
    ];
    commands.extend(to.iter().map(|rcpt| format!("RCPT TO:<{rcpt}>")));
    commands.push("DATA".to_owned());
    for command in commands {
        write
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        replies.push(reply(&mut lines).await);
    }
    write
        .write_all(format!("{data}\r\n.\r\nQUIT\r\n").as_bytes())
        .await
        .unwrap();
    replies.push(reply(&mut lines).await);
    replies.push(reply(&mut lines).await);
    replies
}

#[tokio::test]
async fn smtp_server_receives_a_message_sent_with_a_plain_smtp_dialogue() {
    let smtp = SmtpServer::start().await;
    let data = "From: Shop <shop@example.test>\r\n\
                To: bob@example.test\r\n\
                Subject: =?utf-8?q?Hello_=E2=9C=93?=\r\n\
                X-Grapevine-Email-Id: 42\r\n\
                \r\n\
                Plain body\r\n";
    let replies = send_raw(
        smtp.port(),
        "bounce@example.test",
        &["bob@example.test"],
        data,
    )
    .await;
    let codes: Vec<&str> = replies.iter().map(|r| &r[..3]).collect();
    assert_eq!(codes, ["220", "250", "250", "250", "354", "250", "221"]);

    let messages = smtp.wait_for(1, WAIT).await;
    let got = &messages[0];
    assert_eq!(got.to, vec!["bob@example.test"]);
    assert_eq!(got.envelope_from.as_deref(), Some("bounce@example.test"));
    assert_eq!(got.from.as_deref(), Some("shop@example.test"));
    assert_eq!(got.subject.as_deref(), Some("Hello ✓"));
    assert_eq!(got.header("X-Grapevine-Email-Id"), Some("42"));
    assert_eq!(got.text.as_deref().map(str::trim), Some("Plain body"));
    assert_eq!(got.html, None);
}

#[tokio::test]
async fn smtp_server_refuses_connections_while_stopped_and_keeps_its_maildir() {
    let mut smtp = SmtpServer::start().await;
    let port = smtp.port();
    let data = "Subject: one\r\n\r\nfirst\r\n";
    send_raw(port, "a@example.test", &["b@example.test"], data).await;
    smtp.wait_for(1, WAIT).await;

    smtp.stop();
    assert!(!smtp.is_running());
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    assert_eq!(smtp.messages().len(), 1, "messages survive a stop");

    smtp.start_again().await;
    assert_eq!(smtp.port(), port);
    let data = "Subject: two\r\n\r\nsecond\r\n";
    send_raw(port, "a@example.test", &["b@example.test"], data).await;
    let messages = smtp.wait_for(2, WAIT).await;
    let subjects: Vec<_> = messages.iter().map(|m| m.subject.clone()).collect();
    assert_eq!(subjects, [Some("one".to_owned()), Some("two".to_owned())]);
}

#[tokio::test]
#[should_panic(expected = "expected at least 1 email(s)")]
async fn smtp_wait_for_panics_at_the_deadline() {
    let smtp = SmtpServer::start().await;
    smtp.wait_for(1, Duration::from_millis(200)).await;
}

const SH_SERVICE: &str = r#"echo "started $$ with GV_PROBE=$GV_PROBE in $(pwd)"
trap 'echo "got TERM"; exit 0' TERM
while :; do sleep 0.05; done"#;

#[tokio::test]
async fn process_terminate_sends_sigterm_and_restart_appends_to_the_same_log() {
    let env = vec![("GV_PROBE".to_owned(), "yes".to_owned())];
    let mut process = GrapevineProcess::spawn_program("/bin/sh", &["-c", SH_SERVICE], &env);
    assert!(process.is_running());
    let first_pid = process.pid().unwrap();
    process
        .wait_for_log(&format!("started {first_pid} with GV_PROBE=yes"), WAIT)
        .await;
    assert!(
        process
            .log()
            .contains(&process.work_dir().display().to_string())
    );

    let status = process.terminate(WAIT).await;
    assert!(status.success(), "{status}");
    assert!(!process.is_running());
    assert!(process.log().contains("got TERM"));

    process.restart();
    let second_pid = process.pid().unwrap();
    assert_ne!(first_pid, second_pid);
    process
        .wait_for_log(&format!("started {second_pid}"), WAIT)
        .await;
    assert_eq!(process.log().matches("=== start #").count(), 2);

    process.kill();
    assert!(!process.is_running());
    let status = process.wait_exit(Duration::from_secs(1)).await.unwrap();
    assert!(!status.success(), "SIGKILL is not a clean exit");
}

#[tokio::test]
async fn process_wait_http_ok_polls_until_the_server_answers() {
    let port = free_port();
    let port_arg = port.to_string();
    let mut process = GrapevineProcess::spawn_program(
        "python3",
        &["-m", "http.server", &port_arg, "--bind", "127.0.0.1"],
        &[],
    );
    process
        .wait_http_ok(&format!("http://127.0.0.1:{port}/"), WAIT)
        .await;
    process.kill();
}

#[tokio::test]
#[should_panic(expected = "exited while waiting")]
async fn process_wait_http_ok_fails_fast_when_the_process_dies() {
    let port = free_port();
    let mut process = GrapevineProcess::spawn_program("/bin/sh", &["-c", "exit 3"], &[]);
    process
        .wait_http_ok(&format!("http://127.0.0.1:{port}/"), WAIT)
        .await;
}

#[test]
fn grapevine_binary_is_built_next_to_the_tests() {
    let path = grapevine_tests::grapevine_binary();
    assert!(path.ends_with("grapevine"), "{}", path.display());
}

#[tokio::test]
async fn poll_until_returns_the_first_value_and_try_poll_until_gives_up() {
    let mut calls = 0;
    let value = poll_until(WAIT, || {
        calls += 1;
        let ready = calls >= 3;
        async move { ready.then_some(calls) }
    })
    .await;
    assert_eq!(value, 3);

    let never: Option<()> = try_poll_until(Duration::from_millis(50), || async { None }).await;
    assert_eq!(never, None);
}

#[test]
fn the_stripe_shaped_server_passes_its_own_unit_tests() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/stripe_shaped");
    let output = std::process::Command::new("python3")
        .args(["-m", "unittest", "-q", "test_server"])
        .current_dir(dir)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "tests/stripe_shaped/test_server.py failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

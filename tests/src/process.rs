//! Runs the real `grapevine` binary as a child process that tests can SIGKILL, SIGTERM and restart.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tempfile::TempDir;

/// Overrides where the `grapevine` binary is looked for.
pub const BIN_VAR: &str = "GRAPEVINE_TEST_BIN";

/// Inherited variables the child must not see: the test supplies its own configuration.
fn is_app_config_var(name: &str) -> bool {
    name.starts_with("GRAPEVINE_") || name == "DATABASE_URL" || name == "REDIS_URL"
}

/// `<target>/<profile>`: the directory holding the workspace's binaries for this test build.
pub fn profile_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir.parent().map(Path::to_path_buf)
    } else {
        Some(dir.to_path_buf())
    }
}

/// `<target>`: the cargo target directory of this test build.
pub fn target_dir() -> Option<PathBuf> {
    profile_dir()?.parent().map(Path::to_path_buf)
}

/// Path of the `grapevine` binary built beside this test executable (or `GRAPEVINE_TEST_BIN`);
/// panics with the command to build it when it is missing.
pub fn grapevine_binary() -> PathBuf {
    if let Ok(path) = std::env::var(BIN_VAR) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{BIN_VAR}={} does not exist",
            path.display()
        );
        return path;
    }
    let candidate = profile_dir().map(|dir| dir.join("grapevine"));
    match candidate {
        Some(path) if path.is_file() => path,
        other => panic!(
            "the grapevine binary is missing (looked for {}): run `cargo build --workspace --bins` first \
             (tests/run.sh does)",
            other.map_or_else(|| "<unknown>".to_owned(), |p| p.display().to_string())
        ),
    }
}

/// The environment under which a `grapevine` child process runs with `config`: every setting the
/// tests change from the defaults (database, queue and its timings, email, keys, providers).
pub fn config_env(config: &grapevine_api::Config) -> Vec<(String, String)> {
    let q = &config.queue;
    let mut env: Vec<(String, String)> = [
        ("DATABASE_URL", config.database_url.expose().to_owned()),
        ("REDIS_URL", q.url.expose().to_owned()),
        ("GRAPEVINE_QUEUE__PREFIX", q.prefix.clone()),
        (
            "GRAPEVINE_QUEUE__POLL_INTERVAL_MS",
            q.poll_interval_ms.to_string(),
        ),
        (
            "GRAPEVINE_QUEUE__RELAY_INTERVAL_MS",
            q.relay_interval_ms.to_string(),
        ),
        (
            "GRAPEVINE_QUEUE__HEARTBEAT_SECS",
            q.heartbeat_secs.to_string(),
        ),
        ("GRAPEVINE_QUEUE__LEASE_SECS", q.lease_secs.to_string()),
        (
            "GRAPEVINE_QUEUE__REDELIVER_AFTER_SECS",
            q.redeliver_after_secs.to_string(),
        ),
        (
            "GRAPEVINE_QUEUE__BACKOFF_BASE_MS",
            q.backoff_base_ms.to_string(),
        ),
        (
            "GRAPEVINE_QUEUE__BACKOFF_MAX_SECS",
            q.backoff_max_secs.to_string(),
        ),
        (
            "GRAPEVINE_QUEUE__CRON_INTERVAL_MS",
            q.cron_interval_ms.to_string(),
        ),
        ("GRAPEVINE_QUEUE__CONCURRENCY", q.concurrency.to_string()),
        (
            "GRAPEVINE_ANALYTICS__ROLLUP_INTERVAL_SECS",
            config.analytics.rollup_interval_secs.to_string(),
        ),
        (
            "GRAPEVINE_ANALYTICS__WEEKLY_DIGEST",
            config.analytics.weekly_digest.to_string(),
        ),
        (
            "GRAPEVINE_EMAIL__SMTP_URL",
            config.email.smtp_url.expose().to_owned(),
        ),
        ("GRAPEVINE_EMAIL__FROM", config.email.from.clone()),
        (
            "GRAPEVINE_SECRETS__MASTER_KEY",
            config.secrets.master_key.expose().to_owned(),
        ),
        (
            "GRAPEVINE_AUTH__JWT_ACTIVE_KID",
            config.auth.jwt_active_kid.clone(),
        ),
        ("GRAPEVINE_STRIPE__API_BASE", config.stripe.api_base.clone()),
        (
            "GRAPEVINE_STRIPE__CONNECT_API_BASE",
            config.stripe.connect_api_base.clone(),
        ),
        ("GRAPEVINE_GIFTCARD__URL", config.giftcard.url.clone()),
        ("GRAPEVINE_LOG__LEVEL", config.log.level.clone()),
        ("GRAPEVINE_LOG__FORMAT", config.log.format.clone()),
        ("GRAPEVINE_LOG__SPANS", config.log.spans.to_string()),
        (
            "GRAPEVINE_RATE_LIMITS__REDIRECT_PER_MINUTE",
            config.rate_limits.redirect_per_minute.to_string(),
        ),
        (
            "GRAPEVINE_RATE_LIMITS__TRACK_PER_MINUTE",
            config.rate_limits.track_per_minute.to_string(),
        ),
        (
            "GRAPEVINE_RATE_LIMITS__WIDGET_PER_MINUTE",
            config.rate_limits.widget_per_minute.to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (kid, key) in &config.auth.jwt_keys {
        env.push((
            format!("GRAPEVINE_AUTH__JWT_KEYS__{}", kid.to_uppercase()),
            key.expose().to_owned(),
        ));
    }
    env
}

/// A command that ends by itself (`demo`, `migrate`, `token`…): `grapevine <args…>` in `dir` with
/// `env` added to the cleaned environment, as the harness's processes get, its output captured.
/// The child is killed if the command is dropped.
pub fn one_shot(args: &[&str], env: &[(String, String)], dir: &Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(grapevine_binary());
    configure(command.as_std_mut(), args.iter().copied(), env, dir);
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// A running (or stopped) `grapevine <subcommand…>` with its output appended to a log file.
///
/// The process runs in a temporary working directory of its own, so files the binary creates
/// beside itself (default SQLite files, generated keys) stay out of the repository. It is killed
/// on drop.
pub struct GrapevineProcess {
    binary: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: TempDir,
    child: Option<Child>,
    starts: u32,
}

impl GrapevineProcess {
    /// Starts `grapevine <args…>` with `env` added to the (cleaned) environment.
    pub fn spawn(args: &[&str], env: &[(String, String)]) -> GrapevineProcess {
        GrapevineProcess::spawn_program(grapevine_binary(), args, env)
    }

    /// Like [`GrapevineProcess::spawn`] for another program (a stand-in server, the harness's tests).
    pub fn spawn_program(
        binary: impl Into<PathBuf>,
        args: &[&str],
        env: &[(String, String)],
    ) -> GrapevineProcess {
        let dir = tempfile::Builder::new()
            .prefix("grapevine-proc-")
            .tempdir()
            .unwrap_or_else(|e| panic!("create a temporary directory: {e}"));
        let mut process = GrapevineProcess {
            binary: binary.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: env.to_vec(),
            dir,
            child: None,
            starts: 0,
        };
        process.start();
        process
    }

    /// The process id of the current run, if it is (or was last) started.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the current run is still alive.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// The working directory the process runs in.
    pub fn work_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Path of the log file (stdout and stderr of every run, appended).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("grapevine.log")
    }

    /// Everything the process printed so far, over all runs.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The arguments it was started with.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// A command for another `grapevine` invocation with the same environment and working directory
    /// (e.g. `token` or `demo --json` against the same database and keys).
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.binary);
        configure(
            command.as_std_mut(),
            args.iter().copied(),
            &self.env,
            self.dir.path(),
        );
        command.kill_on_drop(true);
        command
    }

    /// SIGKILL and reap: the abrupt crash.
    pub fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits up to `timeout` for the exit and returns its status; panics (after a
    /// SIGKILL) with the log if the process does not stop in time.
    pub async fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let Some(pid) = self.pid() else {
            panic!("terminate: grapevine was never started");
        };
        if self.is_running() {
            let pid = i32::try_from(pid).unwrap_or_else(|_| panic!("pid {pid} out of range"));
            if let Err(e) = kill(Pid::from_raw(pid), Signal::SIGTERM) {
                panic!("send SIGTERM to grapevine (pid {pid}): {e}");
            }
        }
        match self.wait_exit(timeout).await {
            Some(status) => status,
            None => {
                self.kill();
                panic!(
                    "grapevine {:?} did not exit within {timeout:?} of SIGTERM; log:\n{}",
                    self.args,
                    self.log()
                );
            }
        }
    }

    /// Waits up to `timeout` for the current run to exit on its own; `None` if it is still running.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut()?;
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts the same command again (same args, environment, working directory and log).
    /// A run still alive is SIGKILLed first.
    pub fn restart(&mut self) {
        self.kill();
        self.start();
    }

    /// Polls `url` until it answers 2xx; panics with the log if the process exits or `timeout`
    /// passes first.
    pub async fn wait_http_ok(&mut self, url: &str, timeout: Duration) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_else(|e| panic!("build an HTTP client: {e}"));
        let deadline = Instant::now() + timeout;
        let mut last;
        loop {
            match client.get(url).send().await {
                Ok(response) if response.status().is_success() => return,
                Ok(response) => last = format!("status {}", response.status()),
                Err(e) => last = e.to_string(),
            }
            if !self.is_running() {
                panic!(
                    "grapevine {:?} exited while waiting for {url} ({last}); log:\n{}",
                    self.args,
                    self.log()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "{url} not OK within {timeout:?} ({last}); grapevine {:?} log:\n{}",
                    self.args,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the log contains `needle`; panics with the log at the timeout.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.log().contains(needle) {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "{needle:?} not in the log of grapevine {:?} within {timeout:?}; log:\n{}",
                    self.args,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn start(&mut self) {
        self.starts += 1;
        let log_path = self.log_path();
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|e| panic!("open {}: {e}", log_path.display()));
        let _ = writeln!(
            log,
            "=== start #{}: {} {} ===",
            self.starts,
            self.binary.display(),
            self.args.join(" ")
        );
        let log_err = log
            .try_clone()
            .unwrap_or_else(|e| panic!("clone the log file handle: {e}"));
        let mut command = Command::new(&self.binary);
        configure(
            &mut command,
            self.args.iter().map(String::as_str),
            &self.env,
            self.dir.path(),
        );
        command.stdout(log).stderr(log_err);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.binary.display()));
        self.child = Some(child);
    }
}

impl Drop for GrapevineProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn configure<'a>(
    command: &mut Command,
    args: impl Iterator<Item = &'a str>,
    env: &[(String, String)],
    dir: &Path,
) {
    command.args(args).current_dir(dir).stdin(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_app_config_var) {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
}

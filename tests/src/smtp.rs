//! A real SMTP server for tests: `aiosmtpd` writing every message into a maildir we read back.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use mail_parser::{MessageParser, PartType};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long the server gets to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many fresh ports to try when the one we picked was taken in the meantime.
const PORT_ATTEMPTS: usize = 5;

/// One message the server received.
#[derive(Clone, Debug)]
pub struct ReceivedEmail {
    /// Envelope recipients (`RCPT TO`), i.e. who actually got it, Bcc included.
    pub to: Vec<String>,
    /// Addresses in the `To:` header.
    pub header_to: Vec<String>,
    /// Address in the `From:` header.
    pub from: Option<String>,
    /// Envelope sender (`MAIL FROM`).
    pub envelope_from: Option<String>,
    /// Decoded `Subject:`.
    pub subject: Option<String>,
    /// All headers in order, values unfolded but not decoded (the server adds `X-Peer`,
    /// `X-MailFrom` and `X-RcptTo`).
    pub headers: Vec<(String, String)>,
    /// The first `text/plain` body part, decoded.
    pub text: Option<String>,
    /// The first `text/html` body part, decoded.
    pub html: Option<String>,
    /// The message as stored.
    pub raw: String,
}

impl ReceivedEmail {
    /// Parses one stored message.
    pub fn parse(raw: &[u8]) -> Option<ReceivedEmail> {
        let message = MessageParser::default().parse(raw)?;
        let headers: Vec<(String, String)> = message
            .headers_raw()
            .map(|(name, value)| (name.to_owned(), unfold(value)))
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let addresses = |address: Option<&mail_parser::Address<'_>>| -> Vec<String> {
            address
                .map(|a| {
                    a.iter()
                        .filter_map(|addr| addr.address().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let header_to = addresses(message.to());
        let to = match header("X-RcptTo") {
            Some(list) => list
                .split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
            None => header_to.clone(),
        };
        let text = message.text_bodies().find_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            _ => None,
        });
        let html = message.html_bodies().find_map(|part| match &part.body {
            PartType::Html(html) => Some(html.to_string()),
            _ => None,
        });
        Some(ReceivedEmail {
            to,
            header_to,
            from: message
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_owned),
            envelope_from: header("X-MailFrom"),
            subject: message.subject().map(str::to_owned),
            text,
            html,
            raw: String::from_utf8_lossy(raw).into_owned(),
            headers,
        })
    }

    /// The first header called `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn unfold(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A running `python3 -m aiosmtpd` on 127.0.0.1 that stores messages in a maildir; killed on drop.
pub struct SmtpServer {
    port: u16,
    dir: TempDir,
    child: Option<Child>,
}

impl SmtpServer {
    /// Starts a server on a free port; panics (with its output) if it does not come up.
    pub async fn start() -> SmtpServer {
        let dir = tempfile::Builder::new()
            .prefix("grapevine-smtp-")
            .tempdir()
            .unwrap_or_else(|e| panic!("create a temporary directory: {e}"));
        let mut server = SmtpServer {
            port: 0,
            dir,
            child: None,
        };
        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            server.port = crate::free_port();
            match server.launch().await {
                Ok(()) => return server,
                Err(e) => last_error = e,
            }
        }
        panic!("could not start the SMTP server: {last_error}");
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Always `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The maildir the messages land in.
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    /// What the server printed (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedEmail> {
        let maildir = self.maildir();
        let mut files: Vec<(SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
            .flat_map(|entries| entries.flatten())
            .filter_map(|entry| {
                let modified = entry.metadata().ok()?.modified().ok()?;
                Some((modified, entry.path()))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| {
                let bytes = std::fs::read(&path).ok()?;
                let parsed = ReceivedEmail::parse(&bytes);
                if parsed.is_none() {
                    eprintln!("warning: could not parse {}", path.display());
                }
                parsed
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived and returns them all; panics at the timeout,
    /// listing what did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                let summary: Vec<String> = messages
                    .iter()
                    .map(|m| format!("  to {:?}: {:?}", m.to, m.subject))
                    .collect();
                panic!(
                    "expected at least {n} email(s) within {timeout:?}, got {}:\n{}\nSMTP server log:\n{}",
                    messages.len(),
                    summary.join("\n"),
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Stops the server (SIGKILL): connections are refused until [`SmtpServer::start_again`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port with the same maildir.
    pub async fn start_again(&mut self) {
        self.stop();
        // The port was ours a moment ago; something else may grab it, so retry briefly.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.launch().await {
                Ok(()) => return,
                Err(e) if Instant::now() >= deadline => {
                    panic!(
                        "could not restart the SMTP server on port {}: {e}",
                        self.port
                    )
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Whether the server process is alive.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("aiosmtpd.log")
    }

    async fn launch(&mut self) -> Result<(), String> {
        let log = open_log(&self.log_path())?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-u", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| {
                format!(
                    "spawn `python3 -m aiosmtpd`: {e} (install it with `pip install aiosmtpd`, \
                     or run `bash tests/run.sh` which does)"
                )
            })?;
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                return Err(format!(
                    "aiosmtpd exited with {status} on port {}:\n{}",
                    self.port,
                    self.log()
                ));
            }
            if greets(self.port).await {
                // The greeting might come from someone else who took the port: make sure ours lives.
                if self.is_running() {
                    return Ok(());
                }
                continue;
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(format!(
                    "aiosmtpd did not answer on port {} within {START_TIMEOUT:?}:\n{}",
                    self.port,
                    self.log()
                ));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn open_log(path: &Path) -> Result<File, String> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("open {}: {e}", path.display()))?;
    let _ = writeln!(file, "=== starting aiosmtpd ===");
    Ok(file)
}

/// True when something on `port` sends an SMTP `220` greeting.
async fn greets(port: u16) -> bool {
    let attempt = async {
        let stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).await.ok()?;
        let _ = reader.get_mut().write_all(b"QUIT\r\n").await;
        line.starts_with("220").then_some(())
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), attempt).await,
        Ok(Some(()))
    )
}

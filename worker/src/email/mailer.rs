//! Delivery over SMTP with lettre, or to the log when no SMTP server is configured.

use std::time::Duration;

use anyhow::Context as _;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
};

use crate::config::EmailConfig;

/// One email ready to go.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Plain-text body.
    pub text: String,
    /// One-click unsubscribe URL (RFC 8058), for marketing email.
    pub unsubscribe_url: Option<String>,
    /// Our email id, used as the Message-ID so the receiver can spot a duplicate.
    pub message_id: String,
}

/// How a send went wrong; the distinction decides between retrying and marking it `unknown`.
#[derive(Debug, thiserror::Error)]
pub enum SendFailure {
    /// The server could not be reached: nothing was handed over, a retry is safe.
    #[error("SMTP server unreachable: {0:#}")]
    Unreachable(anyhow::Error),
    /// The server refused for now (4xx): nothing was accepted, a retry is safe.
    #[error("SMTP server deferred the message: {0}")]
    Deferred(String),
    /// The server refused for good (5xx).
    #[error("SMTP server rejected the message: {0}")]
    Rejected(String),
    /// The message could not be built (bad address): retrying cannot help.
    #[error("invalid message: {0}")]
    Invalid(String),
    /// The connection broke mid-send: the server may or may not have the message.
    #[error("delivery outcome unknown: {0}")]
    Unknown(String),
}

/// Sends email.
pub enum Mailer {
    /// A real SMTP server.
    Smtp {
        /// The lettre transport (pooled connections).
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// From header.
        from: Mailbox,
    },
    /// No server configured: log what would have been sent.
    Log {
        /// From header.
        from: Mailbox,
    },
}

impl Mailer {
    /// Build from configuration.
    pub fn from_config(config: &EmailConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .from
            .parse()
            .with_context(|| format!("email.from is not a valid mailbox: {:?}", config.from))?;
        if config.smtp_url.is_empty() {
            return Ok(Self::Log { from });
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.smtp_url.expose())
            .with_context(|| "email.smtp_url is not a valid SMTP URL".to_string())?
            .timeout(Some(Duration::from_secs(config.timeout_secs)))
            .build();
        Ok(Self::Smtp { transport, from })
    }

    /// Is the server reachable right now? (Asked before an email is marked as being sent, so an
    /// outage leaves the email `queued` for a retry instead of `unknown`.)
    pub async fn reachable(&self) -> Result<(), SendFailure> {
        match self {
            Self::Log { .. } => Ok(()),
            Self::Smtp { transport, .. } => match transport.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(SendFailure::Unreachable(anyhow::anyhow!(
                    "the server did not answer NOOP"
                ))),
                Err(e) => Err(SendFailure::Unreachable(e.into())),
            },
        }
    }

    /// Send one email.
    pub async fn send(&self, email: &OutgoingEmail) -> Result<(), SendFailure> {
        let from = match self {
            Self::Smtp { from, .. } | Self::Log { from } => from.clone(),
        };
        let message = build(from, email)?;
        match self {
            Self::Log { .. } => {
                tracing::info!(to = %email.to, subject = %email.subject, "email (log only: no SMTP server configured)");
                Ok(())
            }
            Self::Smtp { transport, .. } => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_transient() => Err(SendFailure::Deferred(e.to_string())),
                Err(e) if e.is_permanent() => Err(SendFailure::Rejected(e.to_string())),
                Err(e) => Err(SendFailure::Unknown(e.to_string())),
            },
        }
    }
}

/// Check a From address at start-up.
pub fn check_from(from: &str) -> Result<(), String> {
    from.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| format!("{from:?} is not a mailbox like `Name <a@b.c>`: {e}"))
}

fn build(from: Mailbox, email: &OutgoingEmail) -> Result<Message, SendFailure> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| SendFailure::Invalid(format!("recipient {:?}: {e}", email.to)))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(email.message_id.clone()));
    if let Some(url) = &email.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|e| SendFailure::Invalid(e.to_string()))
}

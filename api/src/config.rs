//! Configuration: defaults < `grapevine.toml` (or `--config FILE`) < `GRAPEVINE_*` environment
//! (nested keys with `__`, e.g. `GRAPEVINE_QUEUE__URL`), plus the conventional `DATABASE_URL` and
//! `REDIS_URL`. Unknown keys and bad values are refused at start-up with the key named.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use grapevine_entity::ops::config_secret::Secret;
use grapevine_worker::{EmailConfig, QueueConfig};
use serde::{Deserialize, Serialize};

/// The whole configuration, passed explicitly (no globals).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds.
    pub listen: String,
    /// Public base URL of this deployment (links in emails, redirects). Defaults to `http://<listen>`.
    pub public_url: String,
    /// `sqlite://…` (embedded default) or `postgres://…`.
    pub database_url: Secret,
    /// Database pool size.
    pub database_max_connections: u32,
    /// Job queue.
    pub queue: QueueConfig,
    /// Outgoing email.
    pub email: EmailConfig,
    /// Staff authentication.
    pub auth: AuthConfig,
    /// Encryption of per-tenant secrets.
    pub secrets: SecretsConfig,
    /// GraphQL limits and developer tools.
    pub graphql: GraphqlConfig,
    /// Logging.
    pub log: LogConfig,
    /// The click path.
    pub tracking: TrackingConfig,
    /// Stripe.
    pub stripe: StripeConfig,
    /// The gift-card provider.
    pub giftcard: GiftcardConfig,
    /// Request rate limits.
    pub rate_limits: RateLimitsConfig,
    /// Outgoing webhooks.
    pub webhooks: grapevine_worker::hooks::WebhooksConfig,
    /// Reporting rollups.
    pub analytics: grapevine_worker::config::AnalyticsConfig,
    /// Participant CSV imports.
    pub imports: ImportsConfig,
    /// Where the embedded default keeps the keys it generated on first start.
    pub keys_file: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: String::new(),
            database_url: "sqlite://grapevine.db?mode=rwc".into(),
            database_max_connections: 10,
            queue: QueueConfig::default(),
            email: EmailConfig::default(),
            auth: AuthConfig::default(),
            secrets: SecretsConfig::default(),
            graphql: GraphqlConfig::default(),
            log: LogConfig::default(),
            tracking: TrackingConfig::default(),
            stripe: StripeConfig::default(),
            giftcard: GiftcardConfig::default(),
            rate_limits: RateLimitsConfig::default(),
            webhooks: grapevine_worker::hooks::WebhooksConfig::default(),
            analytics: grapevine_worker::config::AnalyticsConfig::default(),
            imports: ImportsConfig::default(),
            keys_file: "grapevine.keys".into(),
        }
    }
}

/// JWT and login settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// `iss` of issued tokens; required and checked.
    pub jwt_issuer: String,
    /// `aud` of issued tokens; required and checked.
    pub jwt_audience: String,
    /// Token lifetime in seconds.
    pub jwt_ttl_secs: u64,
    /// Signing keys by key id (`kid`), base64, at least 32 bytes each. Old keys stay here during
    /// rotation so tokens they signed keep verifying.
    pub jwt_keys: BTreeMap<String, Secret>,
    /// The key id new tokens are signed with (default: the only key).
    pub jwt_active_kid: String,
    /// Failed logins allowed per email (and per client address) per minute.
    pub login_attempts_per_minute: u32,
    /// Lifetime of the tokens `login` and `refreshSession` issue (a session's, checked against
    /// the session on every request); `jwt_ttl_secs` is for tokens minted by `grapevine token`.
    pub session_token_ttl_secs: u64,
    /// A sign-in session not refreshed for this long ends.
    pub session_idle_secs: u64,
    /// A sign-in session ends this long after the sign-in, however much it is used.
    pub session_max_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            jwt_issuer: "grapevine".into(),
            jwt_audience: "grapevine-api".into(),
            jwt_ttl_secs: 8 * 3600,
            jwt_keys: BTreeMap::new(),
            jwt_active_kid: String::new(),
            login_attempts_per_minute: 5,
            session_token_ttl_secs: 15 * 60,
            session_idle_secs: 12 * 3600,
            session_max_secs: 7 * 24 * 3600,
        }
    }
}

/// Master key for AES-GCM encryption of tenant secrets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    /// 32 bytes, base64.
    pub master_key: Secret,
}

/// GraphQL limits and tools.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GraphqlConfig {
    /// Serve GraphiQL on `GET /graphql` from a browser.
    pub graphiql: bool,
    /// Allow schema introspection.
    pub introspection: bool,
    /// Suggest field names in validation errors ("did you mean …").
    pub suggestions: bool,
    /// Deepest query accepted.
    pub max_depth: usize,
    /// Highest complexity accepted (each field costs 1; lists multiply by `first`).
    pub max_complexity: usize,
    /// Largest `first` of a connection.
    pub max_page_size: u64,
    /// Most operations in one batched request (0 refuses batches).
    pub max_batch: usize,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            graphiql: true,
            introspection: true,
            suggestions: true,
            max_depth: 12,
            max_complexity: 2_000,
            max_page_size: 100,
            max_batch: 10,
            max_body_bytes: 1 << 20,
        }
    }
}

/// The click path: redirect cache and click batch writer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TrackingConfig {
    /// Clicks queued for writing at most; past it clicks are dropped (and counted), never waited on.
    pub click_buffer: usize,
    /// Most clicks per insert.
    pub click_batch: usize,
    /// Longest a click waits for its batch, in milliseconds.
    pub click_flush_ms: u64,
    /// Click batches written at once.
    pub click_writers: usize,
    /// How long a resolved code is trusted before it is looked up again (other replicas' changes
    /// are seen within this).
    pub link_cache_ttl_secs: u64,
    /// Peers whose `X-Forwarded-For` is believed (exact addresses of your load balancers).
    pub trusted_proxies: Vec<String>,
    /// Friend invites one participant may send per 24 hours.
    pub invites_per_day: u64,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            click_buffer: 10_000,
            click_batch: 500,
            click_flush_ms: 5,
            click_writers: 4,
            link_cache_ttl_secs: 30,
            trusted_proxies: Vec::new(),
            invites_per_day: 20,
        }
    }
}

/// Participant CSV imports (CLI and upload).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportsConfig {
    /// Most data rows in one file.
    pub max_rows: u64,
    /// Largest uploaded file in bytes (`importParticipants`; the CLI reads files of any size).
    pub max_upload_bytes: usize,
    /// Rows per transaction of `grapevine import participants` (upload jobs use
    /// `grapevine_entity::ops::import::DEFAULT_BATCH_ROWS`).
    pub batch_rows: usize,
}

impl ImportsConfig {
    /// The limits of one uploaded file.
    pub fn upload_limits(&self) -> grapevine_entity::ops::import::uploads::UploadLimits {
        grapevine_entity::ops::import::uploads::UploadLimits {
            max_rows: self.max_rows,
            max_upload_bytes: self.max_upload_bytes,
        }
    }
}

impl Default for ImportsConfig {
    fn default() -> Self {
        Self {
            max_rows: 1_000_000,
            max_upload_bytes: 32 << 20,
            batch_rows: grapevine_entity::ops::import::DEFAULT_BATCH_ROWS,
        }
    }
}

/// Request rate limits, per minute per key (0 = off); shared through Redis when the queue is Redis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitsConfig {
    /// `GET /r/{code}` per client address.
    pub redirect_per_minute: u64,
    /// `trackLead` + `trackConversion` per API key.
    pub track_per_minute: u64,
    /// Widget calls per publishable key and client address.
    pub widget_per_minute: u64,
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        Self {
            redirect_per_minute: 600,
            track_per_minute: 6_000,
            widget_per_minute: 300,
        }
    }
}

/// The gift-card provider: an HTTP API (`POST {url}/v1/cards`, `GET {url}/v1/cards?reference=`),
/// its key stored per tenant as the secret `giftcard_api_key`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GiftcardConfig {
    /// Base URL; empty = gift-card rewards are recorded by the dry-run provider.
    pub url: String,
}

/// Stripe.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StripeConfig {
    /// Stripe's API base URL (a local stand-in in tests).
    pub api_base: String,
    /// Base URL for Connect calls (accounts, account links, transfers); empty = `api_base`.
    /// Only tests set it: localstripe has no Connect, so they point it at another stand-in.
    pub connect_api_base: String,
    /// How far a webhook signature's timestamp may be from now, in seconds.
    pub webhook_tolerance_secs: u64,
}

impl StripeConfig {
    /// The base URL for Connect calls.
    pub fn connect_base(&self) -> &str {
        if self.connect_api_base.is_empty() {
            &self.api_base
        } else {
            &self.connect_api_base
        }
    }
}

impl Default for StripeConfig {
    fn default() -> Self {
        Self {
            api_base: "https://api.stripe.com".into(),
            connect_api_base: String::new(),
            webhook_tolerance_secs: 300,
        }
    }
}

/// Logging.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `pretty` for people, `json` for collectors.
    pub format: String,
    /// A tracing filter, e.g. `info` or `grapevine=debug,info`.
    pub level: String,
    /// One line for each finished span (request, resolver, job) with its fields and timings: a
    /// trace that a log collector can rebuild by `trace_id`.
    pub spans: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "pretty".into(),
            level: "info".into(),
            spans: false,
        }
    }
}

/// `GRAPEVINE_*` variables that are not configuration keys: the test harness's own
/// (`GRAPEVINE_TEST_*`) and command-line inputs such as `GRAPEVINE_ADMIN_PASSWORD`.
fn is_not_configuration(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("test_") || key == "admin_password"
}

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration key `{key}`: {message}")]
pub struct ConfigError {
    /// Dotted key.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

fn bad(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}

impl Config {
    /// Load from defaults, the file (if present; an explicitly named file must exist) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, required) = match file {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("grapevine.toml"), false),
        };
        if required && !path.exists() {
            return Err(bad(
                "--config",
                format!("file {} does not exist", path.display()),
            ));
        }
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&path))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
            .merge(Env::raw().only(&["REDIS_URL"]).map(|_| "queue.url".into()))
            // GRAPEVINE_TEST_* belongs to the test harness, not to the application.
            .merge(
                Env::prefixed("GRAPEVINE_")
                    .split("__")
                    .filter(|k| !is_not_configuration(k.as_str())),
            );
        let config: Config = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            ConfigError {
                key: if key.is_empty() { "(file)".into() } else { key },
                message: e.kind.to_string(),
            }
        })?;
        config.validated()
    }

    /// Check every value that can be checked without connecting anywhere; fill derived defaults.
    pub fn validated(mut self) -> Result<Self, ConfigError> {
        let addr: SocketAddr = self.listen.parse().map_err(|_| {
            bad(
                "listen",
                format!("{:?} is not an address like 127.0.0.1:8080", self.listen),
            )
        })?;
        if self.public_url.is_empty() {
            self.public_url = format!("http://{addr}");
        }
        let url = url::Url::parse(&self.public_url).map_err(|e| {
            bad(
                "public_url",
                format!("{:?} is not a URL: {e}", self.public_url),
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("public_url", "must be an http or https URL"));
        }
        self.public_url = self.public_url.trim_end_matches('/').to_owned();
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(bad(
                "database_url",
                "must start with sqlite: or postgres://",
            ));
        }
        if self.database_max_connections == 0 {
            return Err(bad("database_max_connections", "must be at least 1"));
        }
        if !(self.queue.is_redis() || self.queue.url.starts_with("sqlite:")) {
            return Err(bad(
                "queue.url",
                "must start with redis://, rediss:// or sqlite:",
            ));
        }
        if self.queue.prefix.is_empty() || self.queue.prefix.contains(char::is_whitespace) {
            return Err(bad("queue.prefix", "must be a non-empty word"));
        }
        if self.queue.concurrency == 0 {
            return Err(bad("queue.concurrency", "must be at least 1"));
        }
        if self.imports.max_rows == 0 || self.imports.max_upload_bytes == 0 {
            return Err(bad(
                "imports.max_rows",
                "imports.max_rows and imports.max_upload_bytes must be at least 1",
            ));
        }
        // 14 columns per participant row: 2000 rows stay under SQLite's 32 766 bind parameters.
        if !(1..=2_000).contains(&self.imports.batch_rows) {
            return Err(bad("imports.batch_rows", "must be 1 to 2000"));
        }
        if self.queue.relay_batch == 0 {
            return Err(bad("queue.relay_batch", "must be at least 1"));
        }
        if self.queue.heartbeat_secs == 0 || self.queue.lease_secs == 0 {
            return Err(bad(
                "queue.heartbeat_secs",
                "heartbeat and lease must be at least 1 second",
            ));
        }
        let smtp = &self.email.smtp_url;
        if !smtp.is_empty() && !smtp.starts_with("smtp://") && !smtp.starts_with("smtps://") {
            return Err(bad(
                "email.smtp_url",
                "must start with smtp:// or smtps:// (or be empty to only log)",
            ));
        }
        self.email.check_from().map_err(|e| bad("email.from", e))?;
        if self.auth.jwt_ttl_secs < 60 {
            return Err(bad("auth.jwt_ttl_secs", "must be at least 60"));
        }
        if self.auth.session_token_ttl_secs < 60 {
            return Err(bad("auth.session_token_ttl_secs", "must be at least 60"));
        }
        if self.auth.session_idle_secs < self.auth.session_token_ttl_secs {
            return Err(bad(
                "auth.session_idle_secs",
                "must be at least auth.session_token_ttl_secs",
            ));
        }
        if self.auth.session_max_secs < self.auth.session_idle_secs {
            return Err(bad(
                "auth.session_max_secs",
                "must be at least auth.session_idle_secs",
            ));
        }
        for (kid, secret) in &self.auth.jwt_keys {
            let bytes = crate::crypto::decode_key(secret.expose())
                .map_err(|e| bad(&format!("auth.jwt_keys.{kid}"), e))?;
            if bytes.len() < 32 {
                return Err(bad(
                    &format!("auth.jwt_keys.{kid}"),
                    "must be at least 32 bytes (base64)",
                ));
            }
        }
        if !self.auth.jwt_active_kid.is_empty()
            && !self.auth.jwt_keys.contains_key(&self.auth.jwt_active_kid)
        {
            return Err(bad("auth.jwt_active_kid", "names no key in auth.jwt_keys"));
        }
        if self.auth.jwt_active_kid.is_empty() && self.auth.jwt_keys.len() > 1 {
            return Err(bad(
                "auth.jwt_active_kid",
                "required when auth.jwt_keys holds more than one key",
            ));
        }
        if !self.secrets.master_key.is_empty() {
            let key = crate::crypto::decode_key(self.secrets.master_key.expose())
                .map_err(|e| bad("secrets.master_key", e))?;
            if key.len() != 32 {
                return Err(bad(
                    "secrets.master_key",
                    "must be exactly 32 bytes (base64)",
                ));
            }
        }
        if self.tracking.click_buffer == 0 || self.tracking.click_batch == 0 {
            return Err(bad(
                "tracking.click_buffer",
                "buffer and batch must be at least 1",
            ));
        }
        for (i, proxy) in self.tracking.trusted_proxies.iter().enumerate() {
            if proxy.parse::<std::net::IpAddr>().is_err() {
                return Err(bad(
                    &format!("tracking.trusted_proxies[{i}]"),
                    format!("{proxy:?} is not an IP address"),
                ));
            }
        }
        if !(1..=grapevine_entity::ops::jobs::DeliverWebhook::MAX_ATTEMPTS_CEILING)
            .contains(&self.webhooks.max_attempts)
        {
            return Err(bad(
                "webhooks.max_attempts",
                format!(
                    "must be 1 to {}",
                    grapevine_entity::ops::jobs::DeliverWebhook::MAX_ATTEMPTS_CEILING
                ),
            ));
        }
        if self.webhooks.timeout_secs == 0 || self.webhooks.timeout_secs > 60 {
            return Err(bad("webhooks.timeout_secs", "must be 1 to 60"));
        }
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            return Err(bad("log.format", "must be `pretty` or `json`"));
        }
        if self.graphql.max_page_size == 0
            || self.graphql.max_depth == 0
            || self.graphql.max_complexity == 0
        {
            return Err(bad("graphql.max_page_size", "limits must be at least 1"));
        }
        Ok(self)
    }

    /// True on the embedded default (SQLite), where keys may be generated and kept locally.
    pub fn is_embedded(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_shows_no_secret() {
        let mut config = Config {
            database_url: "postgres://app:db-password@db/app".into(),
            ..Config::default()
        };
        config.queue.url = "redis://:queue-password@redis:6379".into();
        config.email.smtp_url = "smtps://mailer:smtp-password@mail:465".into();
        config.secrets.master_key = "bWFzdGVyLWtleS1zZWNyZXQtbWFzdGVyLWtleS1zZWNyZXQ=".into();
        config
            .auth
            .jwt_keys
            .insert("k1".into(), "and-the-jwt-signing-secret".into());
        let shown = format!("{config:?} {config:#?}");
        for secret in [
            "db-password",
            "queue-password",
            "smtp-password",
            "bWFzdGVyLWtleS1zZWNyZXQ",
            "jwt-signing-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("[redacted]"));
        // The values are still there for the code that uses them.
        assert!(!config.is_embedded() && config.queue.is_redis());
        assert_eq!(
            config.email.smtp_url.expose(),
            "smtps://mailer:smtp-password@mail:465"
        );
    }
}

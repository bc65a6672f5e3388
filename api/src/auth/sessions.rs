//! Staff sign-in sessions.
//!
//! `login` creates a session (a `staff_sessions` row) and answers with a bearer token that names
//! it (`sid`), plus the session's secret in an httpOnly, `SameSite=Strict` cookie scoped to
//! `/graphql`. The console keeps the token in memory only; after a reload or near its expiry it
//! calls `refreshSession`, which reads the cookie and answers with a fresh token. The cookie never
//! authenticates anything else: every other operation needs the `Authorization` header, which a
//! cross-site page cannot set, and `refreshSession`/`signOut` refuse a browser `Origin` other than
//! our own (and are mutations, so never run from a GET). A token that names a session is accepted
//! only while that row is live (checked in the same statement that reads the user), so `signOut`
//! or a revocation takes effect at once on every replica.

use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, http::header};
use base64::Engine;
use chrono::{DateTime, Utc};
use grapevine_entity::tables::{staff_sessions, users};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;

/// The session cookie's name.
pub const COOKIE: &str = "gv_session";

/// The path the cookie is sent to: only the GraphQL endpoint reads it.
const COOKIE_PATH: &str = "/graphql";

/// What a GraphQL request brings for the session operations, and the cookie they set.
#[derive(Clone, Debug, Default)]
pub struct SessionRequest {
    /// The session cookie's value, if the request carried one.
    pub cookie: Option<String>,
    /// Whether the request came from our own origin (or from no browser at all).
    pub same_origin: bool,
    /// The browser's description of itself, kept on new sessions.
    pub user_agent: Option<String>,
    /// Whether cookies must be `Secure` (the public URL is https).
    secure: bool,
    /// The `Set-Cookie` value an operation chose, for the HTTP response.
    set_cookie: Arc<Mutex<Option<String>>>,
}

impl SessionRequest {
    /// From an HTTP request to a server configured with `config`.
    pub fn from_http(req: &HttpRequest, config: &Config) -> Self {
        let headers = req.headers();
        let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        let origin = text(header::ORIGIN);
        let host = text(header::HOST);
        Self {
            cookie: text(header::COOKIE)
                .and_then(cookie_from_header)
                .map(str::to_owned),
            same_origin: origin.is_none_or(|o| is_own_origin(o, &config.public_url, host)),
            user_agent: text(header::USER_AGENT).map(|ua| ua.chars().take(512).collect()),
            secure: config.public_url.starts_with("https://"),
            set_cookie: Arc::default(),
        }
    }

    /// Send the session's cookie with the response.
    pub fn set(&self, value: &str, max_age_secs: i64) {
        let secure = if self.secure { "; Secure" } else { "" };
        self.store(format!(
            "{COOKIE}={value}; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
        ));
    }

    /// Remove the session's cookie from the browser.
    pub fn clear(&self) {
        self.set("", 0);
    }

    /// The `Set-Cookie` value to send, if an operation chose one.
    pub fn response_cookie(&self) -> Option<String> {
        self.set_cookie.lock().ok().and_then(|c| c.clone())
    }

    fn store(&self, cookie: String) {
        if let Ok(mut slot) = self.set_cookie.lock() {
            *slot = Some(cookie);
        }
    }
}

/// Whether a browser `Origin` is this server's: the configured public URL's origin, or the
/// origin of the `Host` the request was sent to.
fn is_own_origin(origin: &str, public_url: &str, host: Option<&str>) -> bool {
    let public = url::Url::parse(public_url)
        .ok()
        .map(|u| u.origin().ascii_serialization());
    if public.as_deref() == Some(origin) {
        return true;
    }
    host.is_some_and(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
}

/// Our cookie's value in a `Cookie` header.
fn cookie_from_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// A cookie value: `<session id>.<secret>`.
fn cookie_value(id: Uuid, secret: &str) -> String {
    format!("{id}.{secret}")
}

/// The session id and secret of a cookie value.
fn parse_cookie_value(value: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = value.split_once('.')?;
    (!secret.is_empty()).then_some(())?;
    Some((id.parse().ok()?, secret))
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// How long sessions live: idle, and at most in all.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// A session unused (not refreshed) for this long ends.
    pub idle: chrono::Duration,
    /// A session ends this long after sign-in however much it is used.
    pub max: chrono::Duration,
}

impl Lifetimes {
    /// From `auth.session_idle_secs` and `auth.session_max_secs`.
    pub fn from_config(config: &Config) -> Self {
        let secs = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2));
        Self {
            idle: secs(config.auth.session_idle_secs),
            max: secs(config.auth.session_max_secs),
        }
    }

    fn expiry(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.idle).min(created + self.max)
    }
}

/// A new session and the cookie value that refreshes it.
pub struct NewSession {
    /// The row.
    pub session: staff_sessions::Model,
    /// `<id>.<secret>`: shown to the browser once, only its hash is stored.
    pub cookie: String,
}

/// Open a session for `user` (who has just proved their password).
pub async fn create(
    conn: &impl ConnectionTrait,
    user: &users::Model,
    user_agent: Option<&str>,
    lifetimes: Lifetimes,
    now: DateTime<Utc>,
) -> Result<NewSession, DbErr> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let session = staff_sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(user.tenant_id),
        user_id: Set(user.id),
        secret_hash: Set(hash(&secret)),
        user_agent: Set(user_agent.map(str::to_owned)),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(lifetimes.expiry(now, now)),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    let cookie = cookie_value(session.id, &secret);
    Ok(NewSession { session, cookie })
}

/// The live session a cookie value stands for, with its active user, its expiry moved on;
/// `None` for a malformed, unknown, revoked or expired one, or a user no longer active.
pub async fn refresh(
    conn: &impl ConnectionTrait,
    cookie: &str,
    lifetimes: Lifetimes,
    now: DateTime<Utc>,
) -> Result<Option<(staff_sessions::Model, users::Model)>, DbErr> {
    let Some((id, secret)) = parse_cookie_value(cookie) else {
        return Ok(None);
    };
    let Some(session) = live(conn, id, now).await? else {
        return Ok(None);
    };
    // Both sides are hex digests of the same length; compare without an early exit.
    let presented = hash(secret);
    let equal = presented.bytes().zip(session.secret_hash.bytes()).fold(
        presented.len() == session.secret_hash.len(),
        |eq, (a, b)| eq & (a == b),
    );
    if !equal {
        return Ok(None);
    }
    let Some(user) = users::Entity::find_by_id(session.user_id)
        .filter(users::Column::Active.eq(true))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let expires_at = lifetimes.expiry(session.created_at, now);
    staff_sessions::Entity::update_many()
        .col_expr(staff_sessions::Column::LastUsedAt, Expr::value(now))
        .col_expr(staff_sessions::Column::ExpiresAt, Expr::value(expires_at))
        .filter(staff_sessions::Column::Id.eq(session.id))
        .exec(conn)
        .await?;
    Ok(Some((
        staff_sessions::Model {
            last_used_at: now,
            expires_at,
            ..session
        },
        user,
    )))
}

/// End the session a cookie value stands for (the secret must match); whether one ended.
pub async fn revoke_by_cookie(
    conn: &impl ConnectionTrait,
    cookie: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some((id, secret)) = parse_cookie_value(cookie) else {
        return Ok(false);
    };
    let ended = staff_sessions::Entity::update_many()
        .col_expr(staff_sessions::Column::RevokedAt, Expr::value(Some(now)))
        .filter(staff_sessions::Column::Id.eq(id))
        .filter(staff_sessions::Column::SecretHash.eq(hash(secret)))
        .filter(staff_sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(ended.rows_affected > 0)
}

async fn live(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<staff_sessions::Model>, DbErr> {
    staff_sessions::Entity::find_by_id(id)
        .filter(staff_sessions::Column::RevokedAt.is_null())
        .filter(staff_sessions::Column::ExpiresAt.gt(now))
        .one(conn)
        .await
}

/// The condition "`users.id` has the live session `id`", for the statement that reads the
/// caller: a token naming a session counts only while the session does.
pub fn user_has_live_session(id: Uuid, now: DateTime<Utc>) -> sea_orm::Condition {
    use sea_orm::sea_query::Query;
    let sessions = Query::select()
        .column(staff_sessions::Column::UserId)
        .from(staff_sessions::Entity)
        .and_where(staff_sessions::Column::Id.eq(id))
        .and_where(staff_sessions::Column::RevokedAt.is_null())
        .and_where(staff_sessions::Column::ExpiresAt.gt(now))
        .to_owned();
    sea_orm::Condition::all().add(users::Column::Id.in_subquery(sessions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_cookie_is_found_among_others_and_empty_values_are_none() {
        assert_eq!(
            cookie_from_header("a=1; gv_session=abc.def; b=2"),
            Some("abc.def")
        );
        assert_eq!(cookie_from_header("gv_session="), None);
        assert_eq!(cookie_from_header("gv_sessionx=1; other=gv_session"), None);
    }

    #[test]
    fn cookie_values_round_trip_and_junk_is_refused() {
        let id = Uuid::now_v7();
        assert_eq!(
            parse_cookie_value(&cookie_value(id, "s3cr3t")),
            Some((id, "s3cr3t"))
        );
        for junk in ["", ".", "nope.secret", &format!("{id}."), &id.to_string()] {
            assert_eq!(parse_cookie_value(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn only_our_own_origin_counts_as_same_origin() {
        let public = "https://grapevine.example";
        assert!(is_own_origin("https://grapevine.example", public, None));
        assert!(is_own_origin(
            "http://127.0.0.1:8080",
            public,
            Some("127.0.0.1:8080")
        ));
        assert!(!is_own_origin(
            "https://evil.example",
            public,
            Some("grapevine.example:443")
        ));
        assert!(!is_own_origin("null", public, Some("grapevine.example")));
    }

    #[test]
    fn a_session_expires_when_idle_but_never_past_its_maximum() {
        let lifetimes = Lifetimes {
            idle: chrono::Duration::hours(12),
            max: chrono::Duration::days(7),
        };
        let created = Utc::now();
        assert_eq!(lifetimes.expiry(created, created), created + lifetimes.idle);
        let late = created + chrono::Duration::days(6) + chrono::Duration::hours(20);
        assert_eq!(lifetimes.expiry(created, late), created + lifetimes.max);
    }
}

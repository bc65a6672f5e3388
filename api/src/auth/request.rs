//! Turning request credentials into a `Principal`, and staff login.

use actix_web::{HttpRequest, http::header};
use grapevine_entity::tables::{ApiKeyKind, users};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    auth::{Principal, password, sessions},
    error::{ApiError, ApiResult},
    state::AppState,
};

/// The database could not be asked who the caller is: the request cannot be served now (it must
/// not be taken for an anonymous one, or clients would drop valid credentials).
#[derive(Debug, Clone, Copy)]
pub struct AuthUnavailable;

/// Read `Authorization: Bearer …` (a staff JWT, `sk_…` or `pk_…`). Anything invalid is anonymous;
/// resolvers that need a caller then answer UNAUTHENTICATED. A staff token only counts while the
/// user is active, with the role the user has now.
pub async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Principal, AuthUnavailable> {
    let Some(token) = bearer(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    ) else {
        return Ok(Principal::Anonymous);
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    authenticate_token(state, token, origin).await
}

/// The token of an `Authorization` value (`Bearer <token>`).
pub fn bearer(value: Option<&str>) -> Option<&str> {
    value
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The caller a token stands for; `origin` is the browser's, which a publishable key must allow.
pub async fn authenticate_token(
    state: &AppState,
    token: &str,
    origin: Option<&str>,
) -> Result<Principal, AuthUnavailable> {
    if token.starts_with("sk_") || token.starts_with("pk_") {
        return match state.caches.api_keys.verify(&state.db, token).await {
            Ok(Some(key)) => {
                if key.kind == ApiKeyKind::Publishable {
                    let allowed =
                        origin.is_some_and(|o| key.allowed_origins.iter().any(|a| a == o));
                    if !allowed {
                        tracing::info!(key_id = %key.id, ?origin, "publishable key used from an origin it does not allow");
                        return Ok(Principal::Anonymous);
                    }
                }
                Ok(Principal::ApiKey {
                    key_id: key.id,
                    tenant_id: key.tenant_id,
                    kind: key.kind,
                })
            }
            Ok(None) => Ok(Principal::Anonymous),
            Err(err) => {
                tracing::error!(error = %err, "API key lookup failed");
                Err(AuthUnavailable)
            }
        };
    }
    let claims = match state.jwt.verify(token) {
        Ok(c) => c,
        Err(err) => {
            tracing::info!(reason = %err, "staff token refused");
            return Ok(Principal::Anonymous);
        }
    };
    let mut user = users::Entity::find_by_id(claims.sub)
        .filter(users::Column::TenantId.eq(claims.tid))
        .filter(users::Column::Active.eq(true));
    if let Some(sid) = claims.sid {
        // Sessions live on the wall clock, as tokens do.
        user = user.filter(sessions::user_has_live_session(sid, chrono::Utc::now()));
    }
    match user.one(&state.db).await {
        Ok(Some(user)) => Ok(Principal::Staff {
            user_id: user.id,
            tenant_id: user.tenant_id,
            role: user.role,
        }),
        Ok(None) => Ok(Principal::Anonymous),
        Err(err) => {
            tracing::error!(error = %err, "user lookup failed");
            Err(AuthUnavailable)
        }
    }
}

/// A successful login.
pub struct LoginOk {
    /// The signed token.
    pub token: String,
    /// When it expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Who logged in.
    pub user: users::Model,
    /// The session's cookie value (the browser keeps it; it refreshes the token).
    pub session_cookie: String,
}

/// Check email and password; failures are rate-limited per email and per client address, and
/// an unknown email costs the same as a wrong password.
pub async fn login(
    state: &AppState,
    email: &str,
    password_text: &str,
    client: &str,
    user_agent: Option<&str>,
) -> ApiResult<LoginOk> {
    let email = email.trim().to_lowercase();
    let keys = [format!("email:{email}"), format!("client:{client}")];
    for key in &keys {
        if let Err(retry_after) = state.rate_limits.login_allowed(key).await {
            return Err(ApiError::RateLimited { retry_after });
        }
    }
    let user = users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?;
    let phc = user.as_ref().filter(|u| u.active).map_or_else(
        || password::decoy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let attempt = password_text.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&attempt, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let Some(user) = user.filter(|u| u.active && matches) else {
        for key in &keys {
            state.rate_limits.failed_login(key).await;
        }
        return Err(ApiError::Unauthenticated);
    };
    state.rate_limits.forgive_login(&keys[0]).await;
    let now = state.clock.now();
    // Tokens and sessions live on the wall clock, which is what verification checks them
    // against (the injected clock is business time: tests move it by days).
    let wall = chrono::Utc::now();
    let txn = grapevine_entity::db::begin_write(&state.db).await?;
    let session = sessions::create(
        &txn,
        &user,
        user_agent,
        sessions::Lifetimes::from_config(&state.config),
        wall,
    )
    .await?;
    users::Entity::update_many()
        .col_expr(
            users::Column::LastLoginAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(users::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let (token, expires_at) =
        state
            .jwt
            .issue_for_session(user.id, user.tenant_id, session.session.id, wall)?;
    Ok(LoginOk {
        token,
        expires_at,
        user,
        session_cookie: session.cookie,
    })
}

/// A fresh token for the live session `cookie` stands for (`refreshSession`), with the session's
/// cookie value again; UNAUTHENTICATED when there is no such session.
pub async fn refresh(state: &AppState, cookie: Option<&str>) -> ApiResult<LoginOk> {
    let cookie = cookie.ok_or(ApiError::Unauthenticated)?;
    let wall = chrono::Utc::now();
    let lifetimes = sessions::Lifetimes::from_config(&state.config);
    let (session, user) = sessions::refresh(&state.db, cookie, lifetimes, wall)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let (token, expires_at) =
        state
            .jwt
            .issue_for_session(user.id, user.tenant_id, session.id, wall)?;
    Ok(LoginOk {
        token,
        expires_at,
        user,
        session_cookie: cookie.to_owned(),
    })
}

/// End the session `cookie` stands for (`signOut`); its tokens stop working at once.
pub async fn sign_out(state: &AppState, cookie: Option<&str>) -> ApiResult<bool> {
    let Some(cookie) = cookie else {
        return Ok(false);
    };
    Ok(sessions::revoke_by_cookie(&state.db, cookie, chrono::Utc::now()).await?)
}

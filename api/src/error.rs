//! The one API error type, mapped once to GraphQL (`extensions.code`) and to HTTP.
//! Unexpected errors are logged with their cause chain and reach clients only as `INTERNAL`.

use async_graphql::ErrorExtensions;
use grapevine_entity::domain::error::FieldError;
use sea_orm::{DbErr, SqlErr};

/// Stable error codes (`extensions.code`).
pub mod code {
    /// No or bad credentials.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// Authenticated, but not allowed.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// No such thing (in this tenant).
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// Input refused; `extensions.fields` says which.
    pub const VALIDATION: &str = "VALIDATION";
    /// Conflicts with the current state (duplicate, illegal transition).
    pub const CONFLICT: &str = "CONFLICT";
    /// Too many requests; `extensions.retryAfter` in seconds.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// Our fault; details are in the server log under `extensions.errorId`.
    pub const INTERNAL: &str = "INTERNAL";
    /// The request is not valid GraphQL syntax.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The request does not fit the schema.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The request is too deep or too complex.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
}

/// Everything that can go wrong in a request.
///
/// Deliberately not `Display`: async-graphql converts any `Display` error into a GraphQL error
/// without extensions, and that path must not exist for ours (`message()` gives the text).
#[derive(Debug)]
pub enum ApiError {
    /// No or bad credentials.
    Unauthenticated,
    /// Not allowed.
    Forbidden(String),
    /// Not found in the caller's tenant.
    NotFound(&'static str),
    /// Bad input.
    Validation(Vec<FieldError>),
    /// State conflict.
    Conflict(String),
    /// Slow down.
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Anything unexpected.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        Self::Internal(err)
    }
}

impl ApiError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// The client-facing message (internal errors say nothing about their cause).
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => {
                "authentication required: send a valid staff token or API key".into()
            }
            Self::Forbidden(m) => format!("forbidden: {m}"),
            Self::NotFound(what) => format!("{what} not found"),
            Self::Validation(fields) => fields
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            Self::Conflict(m) => m.clone(),
            Self::RateLimited { retry_after } => {
                format!("too many attempts: retry in {retry_after} s")
            }
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Validation(_) => code::VALIDATION,
            Self::Conflict(_) => code::CONFLICT,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::Internal(_) => code::INTERNAL,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        Self::Validation(vec![err])
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("that already exists".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::Conflict("it is still referenced, or refers to something missing".into())
            }
            _ => Self::Internal(anyhow::Error::new(err).context("database error")),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        match &err {
            ApiError::Internal(cause) => {
                let error_id = uuid::Uuid::now_v7();
                tracing::error!(%error_id, error = %format!("{cause:#}"), "internal error");
                async_graphql::Error::new("internal error").extend_with(|_, e| {
                    e.set("code", code::INTERNAL);
                    e.set("errorId", error_id.to_string());
                })
            }
            ApiError::Validation(fields) => {
                let list: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut map = async_graphql::indexmap::IndexMap::new();
                        map.insert(
                            async_graphql::Name::new("field"),
                            async_graphql::Value::from(f.field.clone()),
                        );
                        map.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(f.message.clone()),
                        );
                        async_graphql::Value::Object(map)
                    })
                    .collect();
                async_graphql::Error::new(err.message()).extend_with(|_, e| {
                    e.set("code", code::VALIDATION);
                    e.set("fields", async_graphql::Value::List(list.clone()));
                })
            }
            ApiError::RateLimited { retry_after } => {
                let retry_after = *retry_after;
                async_graphql::Error::new(err.message()).extend_with(|_, e| {
                    e.set("code", code::RATE_LIMITED);
                    e.set("retryAfter", retry_after);
                })
            }
            other => {
                let code = other.code();
                async_graphql::Error::new(other.message()).extend_with(|_, e| e.set("code", code))
            }
        }
    }
}

/// Result of a resolver.
pub type ApiResult<T> = Result<T, ApiError>;

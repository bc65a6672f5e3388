//! The one error type of the domain operations: what went wrong, with a stable code, and nothing
//! of any transport. Each edge maps it once: GraphQL (`extensions.code`) and HTTP (one status
//! table, one JSON shape) in `grapevine-api`. Unexpected errors carry their cause chain for the
//! log and reach clients only as `INTERNAL`.

use std::fmt;

use sea_orm::{DbErr, SqlErr};

use crate::domain::error::FieldError;

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

/// Everything that can go wrong in an operation (or a request).
///
/// `Display` is the client-facing message (`message()`): an internal error shows nothing of its
/// cause, so wherever an edge forgets to map it, nothing leaks.
#[derive(Debug)]
pub enum Error {
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

impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Self {
        Self::Internal(err)
    }
}

impl Error {
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

impl From<FieldError> for Error {
    fn from(err: FieldError) -> Self {
        Self::Validation(vec![err])
    }
}

impl From<DbErr> for Error {
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Internal(cause) => Some(cause.as_ref()),
            _ => None,
        }
    }
}

/// Result of a domain operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

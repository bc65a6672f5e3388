//! The authenticated caller of a request and the role checks made against it.

use uuid::Uuid;

pub use crate::tables::Role;
use crate::{ops::error::Error, tables::ApiKeyKind};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credentials.
    Anonymous,
    /// A staff member with a valid token and an active account.
    Staff {
        /// User id.
        user_id: Uuid,
        /// Tenant id.
        tenant_id: Uuid,
        /// Current role (read from the database per request, so a change applies at once).
        role: Role,
    },
    /// A merchant's server or widget with an API key.
    ApiKey {
        /// Key id.
        key_id: Uuid,
        /// Tenant id.
        tenant_id: Uuid,
        /// Secret or publishable.
        kind: ApiKeyKind,
    },
}

/// What an authorised staff caller resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Tenant every query is scoped to.
    pub tenant_id: Uuid,
    /// The user (None for API keys).
    pub user_id: Option<Uuid>,
}

impl Principal {
    /// The tenant of any authenticated caller.
    pub fn tenant_id(&self) -> Result<Uuid, Error> {
        match self {
            Self::Anonymous => Err(Error::Unauthenticated),
            Self::Staff { tenant_id, .. } | Self::ApiKey { tenant_id, .. } => Ok(*tenant_id),
        }
    }

    /// A staff member holding one of `roles` (admin always passes).
    pub fn staff(&self, roles: &[Role]) -> Result<Actor, Error> {
        match self {
            Self::Anonymous => Err(Error::Unauthenticated),
            Self::ApiKey { .. } => Err(Error::Forbidden(
                "this operation needs a staff login, not an API key".into(),
            )),
            Self::Staff {
                user_id,
                tenant_id,
                role,
            } => {
                if *role == Role::Admin || roles.contains(role) {
                    Ok(Actor {
                        tenant_id: *tenant_id,
                        user_id: Some(*user_id),
                    })
                } else {
                    Err(Error::Forbidden(format!(
                        "the {} role may not do this",
                        role.as_str()
                    )))
                }
            }
        }
    }

    /// Staff with one of `roles`, or the tenant's secret API key (server-to-server integrations).
    pub fn staff_or_secret_key(&self, roles: &[Role]) -> Result<Actor, Error> {
        match self {
            Self::ApiKey {
                tenant_id,
                kind: ApiKeyKind::Secret,
                ..
            } => Ok(Actor {
                tenant_id: *tenant_id,
                user_id: None,
            }),
            Self::ApiKey { .. } => Err(Error::Forbidden(
                "a publishable key cannot do this: use a secret key from your server".into(),
            )),
            other => other.staff(roles),
        }
    }

    /// The tenant's secret API key only (server-to-server tracking: conversions, refunds).
    pub fn secret_key(&self) -> Result<Actor, Error> {
        match self {
            Self::ApiKey {
                tenant_id,
                kind: ApiKeyKind::Secret,
                ..
            } => Ok(Actor {
                tenant_id: *tenant_id,
                user_id: None,
            }),
            Self::ApiKey { .. } => Err(Error::Forbidden(
                "a publishable key cannot do this: call from your server with a secret key".into(),
            )),
            Self::Staff { .. } => Err(Error::Forbidden(
                "this is reported by the merchant's server with a secret API key".into(),
            )),
            Self::Anonymous => Err(Error::Unauthenticated),
        }
    }

    /// How the audit log names this caller.
    pub fn label(&self) -> String {
        match self {
            Self::Anonymous => "anonymous".into(),
            Self::Staff { user_id, role, .. } => format!("user:{user_id} ({})", role.as_str()),
            Self::ApiKey { key_id, kind, .. } => format!("api_key:{key_id} ({})", kind.as_str()),
        }
    }
}

/// Roles that read campaigns.
pub const CAMPAIGN_READERS: &[Role] = &[
    Role::MarketingManager,
    Role::Sales,
    Role::Finance,
    Role::Ops,
];
/// Roles that design campaigns.
pub const CAMPAIGN_EDITORS: &[Role] = &[Role::MarketingManager];
/// Roles that enrol participants.
pub const ENROLLERS: &[Role] = &[Role::MarketingManager, Role::Sales];

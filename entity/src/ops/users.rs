//! Staff users, managed by admins.

use crate::{
    domain::email::Email,
    tables::{Role, users},
};
use chrono::{DateTime, Utc};
use sea_orm::TransactionSession as _;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::domain::password;
use crate::ops::{
    audit,
    error::{Error, Result},
    principal::Principal,
};

/// Create a staff user (admins through GraphQL, or the CLI for a tenant's first admin).
#[expect(
    clippy::too_many_arguments,
    reason = "the fields of a new user; the CLI, GraphQL and tests all call it"
)]
pub async fn create(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    email: &str,
    name: &str,
    role: Role,
    password_text: &str,
    now: DateTime<Utc>,
) -> Result<users::Model> {
    let email = Email::parse(email).map_err(|e| e.renamed("email"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Error::invalid("name", "must be 1 to 200 characters"));
    }
    if password_text.chars().count() < password::MIN_LENGTH {
        return Err(Error::invalid(
            "password",
            format!("must be at least {} characters", password::MIN_LENGTH),
        ));
    }
    let text = password_text.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash(&text))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    let txn = crate::db::begin_write(conn).await?;
    if users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(Error::Conflict(
            "a staff user with this email exists".into(),
        ));
    }
    let user = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        email: Set(email.as_str().to_owned()),
        name: Set(name.to_owned()),
        role: Set(role),
        password_hash: Set(hash),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "user.create",
        "user",
        Some(user.id),
        json!({ "email": user.email, "role": role.as_str() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// A user of this tenant.
pub async fn get(conn: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> Result<users::Model> {
    crate::ops::tenancy::find_in_tenant::<users::Entity>(conn, tenant_id, id).await
}

/// Change a user's role or deactivate them. An admin cannot demote or deactivate themselves, so
/// a tenant never loses its last way in by accident.
pub async fn change(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    role: Option<Role>,
    deactivate: bool,
    now: DateTime<Utc>,
) -> Result<users::Model> {
    if let Principal::Staff { user_id, .. } = principal
        && *user_id == id
    {
        return Err(Error::Conflict(
            "you cannot change your own role or deactivate yourself".into(),
        ));
    }
    let txn = crate::db::begin_write(conn).await?;
    let user = get(&txn, tenant_id, id).await?;
    let mut m = user.into_active_model();
    if let Some(role) = role {
        m.role = Set(role);
    }
    if deactivate {
        m.active = Set(false);
    }
    m.updated_at = Set(now);
    let user = m.update(&txn).await?;
    let action = if deactivate {
        "user.deactivate"
    } else {
        "user.role"
    };
    audit::record(
        &txn,
        tenant_id,
        principal,
        action,
        "user",
        Some(id),
        json!({ "role": user.role.as_str(), "active": user.active }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

//! The demo tenant, its staff (one sign-in per role, all with the demo password) and the API keys
//! the demo storefront uses: found when they exist, created otherwise.

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{ApiKeyKind, Role, tenants, users};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::api;
use crate::{
    auth::{Principal, password},
    config::Config,
    crypto::SecretBoxer,
};
use grapevine_entity::ops::{api_keys, secrets, tenants as tenant_service, users as user_service};

const SLUG: &str = "demo";
/// The password of every demo staff user (printed: this is a demo).
pub const PASSWORD: &str = "grapevine-demo";

/// One staff sign-in.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Role.
    pub role: Role,
    /// Login email.
    pub email: String,
    /// The user.
    pub user_id: Uuid,
}

impl Staff {
    /// The principal the history acts as for this role.
    pub fn principal(&self, tenant_id: Uuid) -> Principal {
        Principal::Staff {
            user_id: self.user_id,
            tenant_id,
            role: self.role,
        }
    }
}

/// Who the demo's staff are.
pub const STAFF: [(Role, &str, &str); 5] = [
    (Role::Admin, "admin@demo.grapevine.localhost", "Demo Admin"),
    (
        Role::MarketingManager,
        "marketing@demo.grapevine.localhost",
        "Demo Marketing",
    ),
    (Role::Sales, "sales@demo.grapevine.localhost", "Demo Sales"),
    (
        Role::Finance,
        "finance@demo.grapevine.localhost",
        "Demo Finance",
    ),
    (Role::Ops, "ops@demo.grapevine.localhost", "Demo Ops"),
];

/// The demo tenant, created at `at` if missing.
pub async fn tenant(db: &DatabaseConnection, at: DateTime<Utc>) -> anyhow::Result<tenants::Model> {
    match tenant_service::by_slug(db, SLUG).await.map_err(api)? {
        Some(t) => Ok(t),
        None => tenant_service::create(db, SLUG, "Demo Shop", at)
            .await
            .map_err(api),
    }
}

/// The staff, in [`STAFF`] order. Missing users are created at `at`; when `check` is set, an
/// existing one whose password is not the demo password (a demo seeded by an older version, with
/// random passwords) gets it, so every printed sign-in works.
pub async fn staff(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    at: DateTime<Utc>,
    check: bool,
) -> anyhow::Result<Vec<Staff>> {
    // Argon2 is slow on purpose: the five users are hashed (or checked) at once.
    let each = STAFF.iter().map(|(role, email, name)| async move {
        let found = users::Entity::find()
            .filter(users::Column::Email.eq(*email))
            .one(db)
            .await?;
        let user = match found {
            None => user_service::create(
                db,
                &Principal::Anonymous,
                tenant_id,
                email,
                name,
                *role,
                PASSWORD,
                at,
            )
            .await
            .map_err(api)?,
            Some(user) => {
                if check && !verify(&user.password_hash).await? {
                    let hash = tokio::task::spawn_blocking(|| password::hash(PASSWORD)).await??;
                    users::Entity::update_many()
                        .col_expr(users::Column::PasswordHash, Expr::value(hash))
                        .filter(users::Column::Id.eq(user.id))
                        .exec(db)
                        .await?;
                }
                user
            }
        };
        anyhow::Ok(Staff {
            role: user.role,
            email: user.email,
            user_id: user.id,
        })
    });
    futures::future::try_join_all(each).await
}

async fn verify(hash: &str) -> anyhow::Result<bool> {
    let hash = hash.to_owned();
    Ok(tokio::task::spawn_blocking(move || password::verify(PASSWORD, &hash)).await?)
}

/// The storefront's keys: `(publishable, secret)`, created once and kept (encrypted) in the
/// tenant's secrets so every run prints the same.
pub async fn keys(
    db: &DatabaseConnection,
    config: &Config,
    boxer: &SecretBoxer,
    admin: &Principal,
    tenant_id: Uuid,
    at: DateTime<Utc>,
) -> anyhow::Result<(String, String)> {
    if secrets::get(db, boxer, tenant_id, "widget_secret")
        .await?
        .is_none()
    {
        let secret = crate::crypto::random_key_b64(32);
        secrets::put(db, boxer, tenant_id, "widget_secret", &secret, at)
            .await
            .map_err(api)?;
    }
    let storefront = crate::http::widget::storefront_url(&config.public_url);
    let origin = |u: &str| {
        url::Url::parse(u)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    };
    let origins = vec![origin(&storefront), origin(&config.public_url)];
    let mut out = Vec::new();
    for (name, kind, label) in [
        (
            "demo_publishable_key",
            ApiKeyKind::Publishable,
            "Demo storefront widget",
        ),
        ("demo_secret_key", ApiKeyKind::Secret, "Demo shop server"),
    ] {
        let key = match secrets::get(db, boxer, tenant_id, name).await? {
            Some(k) => secrecy::ExposeSecret::expose_secret(&k).to_owned(),
            None => {
                let (key, _) =
                    api_keys::create(db, admin, tenant_id, kind, label, origins.clone(), at)
                        .await
                        .map_err(api)?;
                secrets::put(db, boxer, tenant_id, name, &key, at)
                    .await
                    .map_err(api)?;
                key
            }
        };
        out.push(key);
    }
    let mut out = out.into_iter();
    Ok((
        out.next().unwrap_or_default(),
        out.next().unwrap_or_default(),
    ))
}

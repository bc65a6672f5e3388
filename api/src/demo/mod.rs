//! `grapevine demo`: a demo shop whose referral programme has run for the last 90 days, so every
//! screen of the console has numbers on a newcomer's first visit. Staff for each role sign in
//! with a printed password.
//!
//! The history is not inserted: it is played through the same service functions the GraphQL
//! resolvers call and the same job handlers the workers run, on a clock that walks through the 90
//! days ([`history`]). It is seeded once: a marker in the tenant's secrets records it, and later
//! runs find everything and only print.

mod design;
mod history;
mod output;
mod plan;
mod random;
mod setup;
mod worker;

use chrono::{Duration, Utc};
use grapevine_entity::{
    domain::clock::truncate_to_micros,
    tables::{Role, participants as participants_table, users},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use output::Demo;

use crate::{auth::jwt::JwtKeys, config::Config, crypto::SecretBoxer, error::ApiError};
use grapevine_entity::ops::secrets;

/// The demo customer the storefront is signed in as.
pub const DEMO_CUSTOMER: &str = plan::STOREFRONT[0].0;
/// The tenant secret that records the history's state: `started`, then `seeded <when>`.
const HISTORY_MARKER: &str = "demo_history";

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message())
}

/// Seed (or find) the demo and mint an admin token.
pub async fn seed(db: &DatabaseConnection, config: &Config) -> anyhow::Result<Demo> {
    let now = truncate_to_micros(Utc::now());
    let plan = plan::Plan::new(now);
    // The shop was set up a few days before its campaign launched.
    let setup_at = plan.launch - Duration::days(3);
    let tenant = setup::tenant(db, setup_at).await?;
    let boxer = SecretBoxer::new(config.secrets.master_key.expose())
        .map_err(|e| anyhow::anyhow!("secrets.master_key: {e}"))?;
    let marker = secrets::get(db, &boxer, tenant.id, HISTORY_MARKER)
        .await?
        .map(|m| secrecy::ExposeSecret::expose_secret(&m).to_owned());
    let staff = setup::staff(db, tenant.id, setup_at, marker.is_none()).await?;
    let member = |role: Role| {
        staff
            .iter()
            .find(|s| s.role == role)
            .map(|s| s.principal(tenant.id))
            .ok_or_else(|| anyhow::anyhow!("the demo has no {role} user"))
    };
    let cast = history::Cast {
        marketing: member(Role::MarketingManager)?,
        sales: member(Role::Sales)?,
        finance: member(Role::Finance)?,
    };
    let admin = member(Role::Admin)?;
    let storefront_url = crate::http::widget::storefront_url(&config.public_url);
    let campaign = design::campaign(
        db,
        &cast.marketing,
        tenant.id,
        storefront_url.clone(),
        (setup_at, plan.launch),
    )
    .await?;
    let (publishable_key, secret_key) =
        setup::keys(db, config, &boxer, &admin, tenant.id, setup_at).await?;
    match marker.as_deref() {
        None => {
            secrets::put(db, &boxer, tenant.id, HISTORY_MARKER, "started", now)
                .await
                .map_err(api)?;
            design::payout_rules(db, &cast.finance, tenant.id, setup_at).await?;
            history::play(db, config, tenant.id, &campaign, &cast, &plan).await?;
            let done = format!("seeded {now}");
            secrets::put(db, &boxer, tenant.id, HISTORY_MARKER, &done, now)
                .await
                .map_err(api)?;
        }
        Some("started") => anyhow::bail!(
            "an earlier `grapevine demo` stopped while seeding the demo's history, which cannot be \
             resumed: remove the database (with the embedded default, grapevine.db) and run it again"
        ),
        Some(_) => {}
    }
    let customer = participants_table::Entity::find()
        .filter(participants_table::Column::TenantId.eq(tenant.id))
        .filter(participants_table::Column::ExternalId.eq(DEMO_CUSTOMER))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo customer is missing"))?;
    let code =
        grapevine_entity::ops::links::of_participant(db, tenant.id, customer.id, Some(campaign.id))
            .await
            .map_err(api)?
            .into_iter()
            .next()
            .map(|l| l.code)
            .ok_or_else(|| anyhow::anyhow!("the demo customer has no referral link"))?;
    let admin_user = staff
        .iter()
        .find(|s| s.role == Role::Admin)
        .ok_or_else(|| anyhow::anyhow!("the demo has no admin"))?;
    let jwt = JwtKeys::from_config(&config.auth)?;
    let (token, _) = jwt.issue(admin_user.user_id, tenant.id, Utc::now())?;
    let history = output::history(db, tenant.id, campaign.id).await?;
    Ok(Demo {
        console_url: format!("{}/", config.public_url),
        graphql_url: format!("{}/graphql", config.public_url),
        token,
        tenant_id: tenant.id,
        campaign_id: campaign.id,
        campaign_name: campaign.name,
        admin_email: admin_user.email.clone(),
        staff: staff.iter().map(|s| (s.role, s.email.clone())).collect(),
        referral_url: format!("{}/r/{code}", config.public_url),
        code,
        secret_key,
        publishable_key,
        storefront_url,
        first_day: campaign.starts_at.date_naive(),
        history,
    })
}

/// The database URL the demo connects with: on PostgreSQL its commits do not wait for the disk
/// (`synchronous_commit = off`, for its own sessions only). Thousands of small transactions then
/// cost a fraction of the time; a crash can lose only the last moments of a history that is
/// seeded once, and an interrupted seeding is refused on the next run anyway.
pub fn database_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if matches!(u.scheme(), "postgres" | "postgresql") => {
            u.query_pairs_mut()
                .append_pair("options[synchronous_commit]", "off");
            u.into()
        }
        _ => url.to_owned(),
    }
}

/// The log while the demo migrates and seeds: each migration and each of the history's hundreds
/// of jobs would log a line at `info` (an email "sent" to the log, a dry-run payment), and the one
/// job meant to die an error. A newcomer sees warnings only, unless `RUST_LOG` or a `log.level`
/// other than `info` asks for more.
pub fn quiet(config: &Config) -> impl tracing::Subscriber + Send + Sync {
    let directives = if config.log.level == "info" {
        "warn,grapevine_worker::runner=off".to_owned()
    } else {
        config.log.level.clone()
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(directives));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .finish()
}

/// `grapevine token --email …`.
pub async fn mint_token(
    db: &DatabaseConnection,
    config: &Config,
    email: &str,
) -> anyhow::Result<String> {
    let user = users::Entity::find()
        .filter(users::Column::Email.eq(email.trim().to_lowercase()))
        .filter(users::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no active staff user with email {email}"))?;
    let keys = JwtKeys::from_config(&config.auth)?;
    Ok(keys.issue(user.id, user.tenant_id, Utc::now())?.0)
}

#[cfg(test)]
mod tests;

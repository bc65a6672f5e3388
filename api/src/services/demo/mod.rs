//! `grapevine demo`: an idempotent demo tenant with staff, a launched-ready campaign and
//! participants, so a first-time user has something to query.

use chrono::Utc;
use grapevine_entity::{
    domain::{
        goals::{FocusArea, Goals, Kpi, KpiMetric, Objective},
        reward::{RewardKind, RewardSpec, RewardTrigger},
    },
    tables::{Channel, RewardSide, RewardType, Role, campaigns, users},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use grapevine_entity::tables::{ApiKeyKind, participants as participants_table};

use crate::{
    auth::{Principal, jwt::JwtKeys},
    config::Config,
    services::{
        api_keys, campaigns as campaign_service, participants, secrets, tenants,
        users as user_service,
    },
};

const SLUG: &str = "demo";
const ADMIN: &str = "admin@demo.grapevine.localhost";
/// The demo customer the storefront is signed in as.
pub const DEMO_CUSTOMER: &str = "demo-customer-1";

/// What was seeded.
pub struct Demo {
    /// GraphQL endpoint.
    pub graphql_url: String,
    /// An admin JWT.
    pub token: String,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Admin login email.
    pub admin_email: String,
    /// The demo customer's referral URL.
    pub referral_url: String,
    /// Its code.
    pub code: String,
    /// A secret API key (for trackLead / trackConversion from a shop's server).
    pub secret_key: String,
    /// The publishable key the storefront's widget uses.
    pub publishable_key: String,
    /// The demo storefront (another origin than the API).
    pub storefront_url: String,
}

impl Demo {
    /// The `--json` form.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "graphql_url": self.graphql_url,
            "token": self.token,
            "tenant_id": self.tenant_id,
            "campaign_id": self.campaign_id,
            "admin_email": self.admin_email,
            "referral_url": self.referral_url,
            "code": self.code,
            "secret_key": self.secret_key,
            "publishable_key": self.publishable_key,
            "storefront_url": self.storefront_url,
        })
    }

    /// The human form.
    pub fn to_prose(&self) -> String {
        format!(
            "Demo tenant ready.\n\n  GraphQL:   {}\n  Tenant:    {}\n  Campaign:  {}\n  Admin:     {}\n\nTry:\n  curl -s {} -H 'Content-Type: application/json' \\\n    -H 'Authorization: Bearer {}' \\\n    -d '{{\"query\":\"{{ campaigns(first: 5) {{ edges {{ node {{ id name status }} }} }} }}\"}}'\n",
            self.graphql_url,
            self.tenant_id,
            self.campaign_id,
            self.admin_email,
            self.graphql_url,
            self.token
        )
    }
}

/// Seed (or find) the demo data and mint an admin token.
pub async fn seed(db: &DatabaseConnection, config: &Config) -> anyhow::Result<Demo> {
    let now = Utc::now();
    let err = |e: crate::error::ApiError| anyhow::anyhow!("{}", e.message());
    let tenant = match tenants::by_slug(db, SLUG).await.map_err(err)? {
        Some(t) => t,
        None => tenants::create(db, SLUG, "Demo Shop", now)
            .await
            .map_err(err)?,
    };
    let admin = match users::Entity::find()
        .filter(users::Column::Email.eq(ADMIN))
        .one(db)
        .await?
    {
        Some(u) => u,
        None => user_service::create(
            db,
            &Principal::Anonymous,
            tenant.id,
            ADMIN,
            "Demo Admin",
            Role::Admin,
            &crate::crypto::random_key_b64(18),
            now,
        )
        .await
        .map_err(err)?,
    };
    // Colleagues to try the roles with (random passwords: use `grapevine token --email …`).
    for (email, name, role) in [
        (
            "marketing@demo.grapevine.localhost",
            "Demo Marketing",
            Role::MarketingManager,
        ),
        ("sales@demo.grapevine.localhost", "Demo Sales", Role::Sales),
    ] {
        if users::Entity::find()
            .filter(users::Column::Email.eq(email))
            .one(db)
            .await?
            .is_none()
        {
            user_service::create(
                db,
                &Principal::Anonymous,
                tenant.id,
                email,
                name,
                role,
                &crate::crypto::random_key_b64(18),
                now,
            )
            .await
            .map_err(err)?;
        }
    }
    let system = Principal::Staff {
        user_id: admin.id,
        tenant_id: tenant.id,
        role: Role::Admin,
    };
    let campaign = match campaigns::Entity::find()
        .filter(campaigns::Column::TenantId.eq(tenant.id))
        .order_by_asc(campaigns::Column::Id)
        .one(db)
        .await?
    {
        Some(c) => c,
        None => {
            let draft = campaign_service::CampaignDraft {
                name: Some("Give $10, get $10".into()),
                description: Some("Our demo double-sided referral campaign.".into()),
                goals: Some(Goals {
                    focus_areas: vec![FocusArea {
                        name: "Acquisition".into(),
                        objectives: vec![Objective {
                            name: "Grow through referrals".into(),
                            kpis: vec![Kpi {
                                metric: KpiMetric::Conversions,
                                target: 100.0,
                                due: (now + chrono::Duration::days(90)).date_naive(),
                            }],
                        }],
                    }],
                }),
                currency: Some("USD".into()),
                landing_url: Some(Some(crate::http::widget::storefront_url(
                    &config.public_url,
                ))),
                ..Default::default()
            };
            let c = campaign_service::create(db, &system, tenant.id, draft, now)
                .await
                .map_err(err)?;
            for (side, amount) in [(RewardSide::Referrer, 1_000), (RewardSide::Referee, 1_000)] {
                let spec = RewardSpec {
                    kind: RewardKind::Fixed {
                        amount_minor: amount,
                    },
                    min_order_minor: 2_000,
                    trigger: RewardTrigger::FirstPurchase,
                    per_referrer_cap_minor: Some(10_000),
                };
                let rule = campaign_service::RewardRuleDraft {
                    side,
                    spec,
                    reward_type: if side == RewardSide::Referrer {
                        RewardType::Cash
                    } else {
                        RewardType::Coupon
                    },
                    variant: None,
                };
                campaign_service::add_reward_rule(db, &system, tenant.id, c.id, rule, now)
                    .await
                    .map_err(err)?;
            }
            let material = campaign_service::MaterialDraft {
                channel: Channel::Email,
                share_text: "Get $10 off at {{company_name}}: {{referral_link}}".into(),
                email_subject: "{{first_name}}, give $10 and get $10".into(),
                email_html: "<p>Hi {{first_name}},</p><p>{{reward_summary}}. Share your link: <a href=\"{{referral_link}}\">{{referral_link}}</a></p><p><a href=\"{{unsubscribe_url}}\">Unsubscribe</a></p>".into(),
                email_text: "Hi {{first_name}},\n\n{{reward_summary}}. Share your link: {{referral_link}}\n\nUnsubscribe: {{unsubscribe_url}}\n".into(),
            };
            campaign_service::set_material(db, &system, tenant.id, c.id, material, now)
                .await
                .map_err(err)?;
            for (i, name) in ["Ada", "Grace", "Linus"].iter().enumerate() {
                let draft = participants::ParticipantDraft {
                    external_id: format!("demo-customer-{}", i + 1),
                    email: format!("{}@customers.demo.grapevine.localhost", name.to_lowercase()),
                    first_name: Some((*name).to_owned()),
                    tags: vec!["vip".into()],
                    order_count: 3,
                    country: Some("US".into()),
                };
                participants::enroll(db, &system, tenant.id, c.id, draft, now)
                    .await
                    .map_err(err)?;
            }
            c
        }
    };
    if campaign.status == grapevine_entity::tables::CampaignStatus::Draft {
        campaign_service::transition(
            db,
            &system,
            tenant.id,
            campaign.id,
            grapevine_entity::domain::campaign::CampaignAction::Launch,
            now,
        )
        .await
        .map_err(err)?;
    }
    let boxer = crate::crypto::SecretBoxer::new(&config.secrets.master_key)
        .map_err(|e| anyhow::anyhow!("secrets.master_key: {e}"))?;
    if secrets::get(db, &boxer, tenant.id, "widget_secret")
        .await
        .map_err(err)?
        .is_none()
    {
        secrets::put(
            db,
            &boxer,
            tenant.id,
            "widget_secret",
            &crate::crypto::random_key_b64(32),
            now,
        )
        .await
        .map_err(err)?;
    }
    let storefront_url = crate::http::widget::storefront_url(&config.public_url);
    let origin = |u: &str| {
        url::Url::parse(u)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    };
    let origins = vec![origin(&storefront_url), origin(&config.public_url)];
    let mut keys_out = Vec::new();
    for (name, kind, label) in [
        (
            "demo_publishable_key",
            ApiKeyKind::Publishable,
            "Demo storefront widget",
        ),
        ("demo_secret_key", ApiKeyKind::Secret, "Demo shop server"),
    ] {
        let key = match secrets::get(db, &boxer, tenant.id, name)
            .await
            .map_err(err)?
        {
            Some(k) => secrecy::ExposeSecret::expose_secret(&k).to_owned(),
            None => {
                let (key, _) =
                    api_keys::create(db, &system, tenant.id, kind, label, origins.clone(), now)
                        .await
                        .map_err(err)?;
                secrets::put(db, &boxer, tenant.id, name, &key, now)
                    .await
                    .map_err(err)?;
                key
            }
        };
        keys_out.push(key);
    }
    let customer = participants_table::Entity::find()
        .filter(participants_table::Column::TenantId.eq(tenant.id))
        .filter(participants_table::Column::ExternalId.eq(DEMO_CUSTOMER))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo customer is missing"))?;
    let code =
        crate::services::links::of_participant(db, tenant.id, customer.id, Some(campaign.id))
            .await
            .map_err(err)?
            .into_iter()
            .next()
            .map(|l| l.code)
            .ok_or_else(|| anyhow::anyhow!("the demo customer has no referral link"))?;
    let jwt = JwtKeys::from_config(&config.auth)?;
    let (token, _) = jwt.issue(admin.id, tenant.id, Utc::now())?;
    let mut keys_out = keys_out.into_iter();
    Ok(Demo {
        graphql_url: format!("{}/graphql", config.public_url),
        token,
        tenant_id: tenant.id,
        campaign_id: campaign.id,
        admin_email: admin.email,
        referral_url: format!("{}/r/{code}", config.public_url),
        code,
        publishable_key: keys_out.next().unwrap_or_default(),
        secret_key: keys_out.next().unwrap_or_default(),
        storefront_url,
    })
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

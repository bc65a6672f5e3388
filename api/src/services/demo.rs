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

use crate::{
    auth::{Principal, jwt::JwtKeys},
    config::Config,
    services::{campaigns as campaign_service, participants, tenants, users as user_service},
};

const SLUG: &str = "demo";
const ADMIN: &str = "admin@demo.grapevine.localhost";

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
                landing_url: Some(Some(format!("{}/demo/store", config.public_url))),
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
    let keys = JwtKeys::from_config(&config.auth)?;
    let (token, _) = keys.issue(admin.id, tenant.id, now)?;
    Ok(Demo {
        graphql_url: format!("{}/graphql", config.public_url),
        token,
        tenant_id: tenant.id,
        campaign_id: campaign.id,
        admin_email: admin.email,
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

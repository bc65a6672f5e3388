//! Mutation root. Every mutation validates its input and answers errors with `extensions.code`.

use async_graphql::{Context, Object, Result};
use grapevine_entity::domain::campaign::CampaignAction;
use uuid::Uuid;

use super::{
    ContextExt,
    types::{
        admin::{ApiKey, CreatedApiKey, Job},
        campaign::{
            Campaign, CreateCampaignInput, Material, MaterialInput, RewardRule, RewardRuleInput,
            UpdateCampaignInput, Variant, VariantInput,
        },
        enums::{ApiKeyKind, Role as GqlRole},
        people::{
            BulkEnrolmentResult, CreateUserInput, Enrolment, Participant, ParticipantInput,
            RowError, User,
        },
    },
};
use crate::{
    auth::{
        Principal, Role,
        principal::{CAMPAIGN_EDITORS, ENROLLERS},
    },
    cache_bus::Invalidation,
    error::ApiError,
    rate_limits::Limit,
};
use grapevine_entity::ops::{self, campaigns::MaterialDraft};

/// Mutation root.
#[derive(Default)]
pub struct Mutation;

/// The client address a request came from (for login rate limits).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

#[Object(name = "CoreMutation")]
impl Mutation {
    /// Create a staff user (admin).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let p = ctx.principal();
        let actor = p.staff(&[])?;
        let s = ctx.state();
        Ok(ops::users::create(
            &s.db,
            p,
            actor.tenant_id,
            &input.email,
            &input.name,
            input.role.into(),
            &input.password,
            s.clock.now(),
        )
        .await?
        .into())
    }

    /// Change a staff user's role (admin).
    async fn update_user_role(&self, ctx: &Context<'_>, id: Uuid, role: GqlRole) -> Result<User> {
        let p = ctx.principal();
        let actor = p.staff(&[])?;
        let s = ctx.state();
        Ok(ops::users::change(
            &s.db,
            p,
            actor.tenant_id,
            id,
            Some(role.into()),
            false,
            s.clock.now(),
        )
        .await?
        .into())
    }

    /// Deactivate a staff user: their tokens stop working at once (admin).
    async fn deactivate_user(&self, ctx: &Context<'_>, id: Uuid) -> Result<User> {
        let p = ctx.principal();
        let actor = p.staff(&[])?;
        let s = ctx.state();
        Ok(
            ops::users::change(&s.db, p, actor.tenant_id, id, None, true, s.clock.now())
                .await?
                .into(),
        )
    }

    /// Create a draft campaign.
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> Result<Campaign> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        Ok(
            ops::campaigns::create(&s.db, p, actor.tenant_id, input.into(), s.clock.now())
                .await?
                .into(),
        )
    }

    /// Edit a campaign (not once ended).
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateCampaignInput,
    ) -> Result<Campaign> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        let campaign =
            ops::campaigns::update(&s.db, p, actor.tenant_id, id, input.into(), s.clock.now())
                .await?;
        // The landing URL may have changed.
        s.caches.invalidate(Invalidation::AllLinks).await;
        Ok(campaign.into())
    }

    /// Add a reward rule.
    async fn add_reward_rule(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        input: RewardRuleInput,
    ) -> Result<RewardRule> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        let draft = input.into_draft()?;
        let rule = ops::campaigns::add_reward_rule(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            draft,
            s.clock.now(),
        )
        .await?;
        let campaign = ops::campaigns::get(&s.db, actor.tenant_id, campaign_id).await?;
        Ok(RewardRule::from_model(rule, &campaign.currency))
    }

    /// Remove a reward rule; returns the campaign.
    async fn remove_reward_rule(&self, ctx: &Context<'_>, id: Uuid) -> Result<Campaign> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        let campaign_id =
            ops::campaigns::remove_reward_rule(&s.db, p, actor.tenant_id, id, s.clock.now())
                .await?;
        Ok(ops::campaigns::get(&s.db, actor.tenant_id, campaign_id)
            .await?
            .into())
    }

    /// Set the material of a channel; templates that do not render are refused.
    async fn set_campaign_material(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        input: MaterialInput,
    ) -> Result<Material> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        let draft = MaterialDraft {
            channel: input.channel.into(),
            share_text: input.share_text,
            email_subject: input.email_subject,
            email_html: input.email_html,
            email_text: input.email_text,
        };
        Ok(ops::campaigns::set_material(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            draft,
            s.clock.now(),
        )
        .await?
        .into())
    }

    /// Replace the offer variants (draft only).
    async fn set_campaign_variants(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        variants: Vec<VariantInput>,
    ) -> Result<Vec<Variant>> {
        let p = ctx.principal();
        let actor = p.staff(CAMPAIGN_EDITORS)?;
        let s = ctx.state();
        let list = variants.into_iter().map(|v| (v.name, v.weight)).collect();
        let rows = ops::campaigns::set_variants(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            list,
            s.clock.now(),
        )
        .await?;
        Ok(rows.into_iter().map(Variant::from).collect())
    }

    /// Launch a draft: it goes live and every invited participant is emailed their link.
    async fn launch_campaign(&self, ctx: &Context<'_>, id: Uuid) -> Result<Campaign> {
        transition(ctx, id, CampaignAction::Launch).await
    }

    /// Pause an active campaign.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: Uuid) -> Result<Campaign> {
        transition(ctx, id, CampaignAction::Pause).await
    }

    /// Resume a paused campaign.
    async fn resume_campaign(&self, ctx: &Context<'_>, id: Uuid) -> Result<Campaign> {
        transition(ctx, id, CampaignAction::Resume).await
    }

    /// End a campaign; it becomes read-only.
    async fn end_campaign(&self, ctx: &Context<'_>, id: Uuid) -> Result<Campaign> {
        transition(ctx, id, CampaignAction::End).await
    }

    /// Erase a participant's personal data (a right-to-erasure request): their email, customer
    /// id, name, country and tags are replaced, emails to them lose address and content, their
    /// referee and purchase records lose email and customer id, device sightings go, fraud
    /// evidence and the audit log are scrubbed of them, and their links stop working. Rewards,
    /// ledger entries and payouts stay, amounts unchanged, so balances and reconciliation hold.
    /// Idempotent.
    async fn erase_participant(&self, ctx: &Context<'_>, id: Uuid) -> Result<Participant> {
        let p = ctx.principal();
        let actor = p.staff(&[Role::MarketingManager])?;
        let s = ctx.state();
        let erased = ops::privacy::erase(&s.db, p, actor.tenant_id, id, s.clock.now()).await?;
        // Their codes no longer resolve.
        s.caches.invalidate(Invalidation::AllLinks).await;
        Ok(erased.into())
    }

    /// Enrol one participant (idempotent per external id).
    async fn enroll_participant(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        input: ParticipantInput,
    ) -> Result<Enrolment> {
        let p = ctx.principal();
        let actor = p.staff_or_secret_key(ENROLLERS)?;
        let s = ctx.state();
        let out = ops::participants::enroll(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            input.into(),
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(out.enrolment.into())
    }

    /// Enrol up to 1000 participants: good rows go in, bad rows are reported by index.
    async fn enroll_participants(
        &self,
        ctx: &Context<'_>,
        campaign_id: Uuid,
        participants: Vec<ParticipantInput>,
    ) -> Result<BulkEnrolmentResult> {
        let p = ctx.principal();
        let actor = p.staff_or_secret_key(ENROLLERS)?;
        let s = ctx.state();
        let drafts = participants.into_iter().map(Into::into).collect();
        let out = ops::participants::enroll_bulk(
            &s.db,
            p,
            actor.tenant_id,
            campaign_id,
            drafts,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(BulkEnrolmentResult {
            enrolments: out
                .enrolled
                .into_iter()
                .map(|e| e.enrolment.into())
                .collect(),
            errors: out
                .errors
                .into_iter()
                .flat_map(|(i, errs)| {
                    errs.into_iter().map(move |e| RowError {
                        index: i32::try_from(i).unwrap_or(i32::MAX),
                        field: e.field,
                        message: e.message,
                    })
                })
                .collect(),
        })
    }

    /// Give an invited participant another link: a vanity code, a per-channel variant, or both.
    async fn create_referral_link(
        &self,
        ctx: &Context<'_>,
        enrolment_id: Uuid,
        channel: Option<super::types::enums::Channel>,
        vanity: Option<String>,
    ) -> Result<super::types::links::ReferralLink> {
        let p = ctx.principal();
        let actor = p.staff_or_secret_key(ENROLLERS)?;
        let s = ctx.state();
        let link = ops::links::create(
            &s.db,
            p,
            actor.tenant_id,
            enrolment_id,
            channel.map(Into::into),
            vanity,
            s.clock.now(),
        )
        .await?;
        s.caches
            .invalidate(Invalidation::Link(link.code.clone()))
            .await;
        Ok(link.into())
    }

    /// Report a lead (a referred customer signed up) from your server with a secret key.
    async fn track_lead(
        &self,
        ctx: &Context<'_>,
        input: super::types::tracking::LeadInput,
    ) -> Result<super::types::tracking::LeadResult> {
        let actor = ctx.principal().secret_key()?;
        let s = ctx.state();
        limit_tracking(ctx).await?;
        let touch = ops::conversions::TouchInput {
            click_id: input.click_id,
            code: input.code,
        };
        let device = reported_device(s, input.client_ip.as_deref(), input.user_agent.as_deref())?;
        let out = ops::conversions::track_lead(
            &s.db,
            actor.tenant_id,
            &input.customer_id,
            input.email.as_deref(),
            touch,
            device,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(super::types::tracking::LeadResult {
            referral: out.referral.map(Into::into),
            not_attributed: out.not_attributed.map(|r| r.as_str().to_owned()),
        })
    }

    /// Report a conversion (a purchase) from your server with a secret key; idempotent on `orderId`.
    async fn track_conversion(
        &self,
        ctx: &Context<'_>,
        input: super::types::tracking::ConversionInput,
    ) -> Result<super::types::tracking::ConversionResult> {
        let actor = ctx.principal().secret_key()?;
        let s = ctx.state();
        limit_tracking(ctx).await?;
        let device = reported_device(s, input.client_ip.as_deref(), input.user_agent.as_deref())?;
        let report = ops::conversions::ConversionInput {
            order_id: input.order_id,
            customer_id: input.customer_id,
            email: input.email,
            amount_minor: input.amount_minor.0,
            currency: input.currency,
            occurred_at: input.occurred_at,
            touch: ops::conversions::TouchInput {
                click_id: input.click_id,
                code: input.code,
            },
            payment_fingerprint: input.payment_fingerprint,
            device,
        };
        let now = s.clock.now();
        let out = ops::conversions::track_conversion(&s.db, actor.tenant_id, report, now).await;
        // Tracking accuracy: a report that passed validation counts as received; one that failed
        // on our side (nothing stored) counts as failed too. The merchant's own mistakes do not.
        match &out {
            Ok(_) => s.tally.conversion_report(actor.tenant_id, now, true),
            Err(ApiError::Internal(_)) => s.tally.conversion_report(actor.tenant_id, now, false),
            Err(_) => {}
        }
        let out = out?;
        s.nudge_relay();
        let currency = match (out.campaign_currency, out.conversion.campaign_id) {
            (Some(currency), _) => Some(currency),
            (None, Some(c)) => Some(
                ops::campaigns::get(&s.db, actor.tenant_id, c)
                    .await?
                    .currency,
            ),
            (None, None) => None,
        };
        Ok(super::types::tracking::ConversionResult {
            conversion: super::types::tracking::Conversion::from_model(
                out.conversion,
                currency.as_deref(),
            ),
            duplicate: out.duplicate,
            not_attributed: out.not_attributed.map(|r| r.as_str().to_owned()),
        })
    }

    /// Record a full or partial refund of an order; idempotent on `refundId`.
    async fn refund_conversion(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        refund_id: String,
        amount_minor: super::scalars::BigInt,
    ) -> Result<super::types::tracking::Conversion> {
        let actor = ctx.principal().secret_key()?;
        let s = ctx.state();
        let c = ops::conversions::refund(
            &s.db,
            actor.tenant_id,
            &order_id,
            &refund_id,
            amount_minor.0,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(super::types::tracking::Conversion::from_model(c, None))
    }

    /// Set an exchange rate, so conversions in `base` count in campaigns priced in `quote` (admin, finance).
    async fn set_fx_rate(
        &self,
        ctx: &Context<'_>,
        base: String,
        quote: String,
        rate_ppm: super::scalars::BigInt,
    ) -> Result<super::types::tracking::FxRate> {
        let actor = ctx.principal().staff(&[Role::Finance])?;
        let s = ctx.state();
        let r = ops::conversions::set_fx_rate(
            &s.db,
            actor.tenant_id,
            &base,
            &quote,
            rate_ppm.0,
            s.clock.now(),
        )
        .await?;
        Ok(super::types::tracking::FxRate {
            base: r.base,
            quote: r.quote,
            rate_ppm: super::scalars::BigInt(r.rate_ppm),
        })
    }

    /// Email a participant's link to friends (up to 20 a call, `tracking.invites_per_day` a day;
    /// each friend at most once per enrolment; unsubscribed addresses get nothing).
    async fn send_invites(
        &self,
        ctx: &Context<'_>,
        enrolment_id: Uuid,
        emails: Vec<String>,
        message: Option<String>,
    ) -> Result<super::types::people::InviteResult> {
        let p = ctx.principal();
        let actor = p.staff_or_secret_key(ENROLLERS)?;
        let s = ctx.state();
        let key = crate::http::unsubscribe::link_key(s);
        let links = ops::invites::LinkSettings {
            public_url: &s.config.public_url,
            link_key: &key,
            per_day: s.config.tracking.invites_per_day,
        };
        let out = ops::invites::send_invites(
            &s.db,
            p,
            actor.tenant_id,
            ops::invites::InviteRequest {
                enrolment_id,
                friends: emails,
                message,
            },
            links,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(super::types::people::InviteResult {
            sent: out.sent,
            already_invited: out.already_invited,
            refused: out
                .refused
                .into_iter()
                .map(|(i, e)| super::types::people::RowError {
                    index: i32::try_from(i).unwrap_or(i32::MAX),
                    field: e.field,
                    message: e.message,
                })
                .collect(),
        })
    }

    /// Create an API key (admin, ops); the key is shown once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        kind: ApiKeyKind,
        name: String,
        #[graphql(default)] allowed_origins: Vec<String>,
    ) -> Result<CreatedApiKey> {
        let p = ctx.principal();
        let actor = p.staff(&[Role::Ops])?;
        let s = ctx.state();
        let (key, row) = ops::api_keys::create(
            &s.db,
            p,
            actor.tenant_id,
            kind.into(),
            &name,
            allowed_origins,
            s.clock.now(),
        )
        .await?;
        Ok(CreatedApiKey {
            key,
            api_key: row.into(),
        })
    }

    /// Put a dead job back in line with a fresh set of attempts (ops), e.g. after the SMTP
    /// server or a provider is fixed. Only dead jobs of the caller's tenant: anything else is
    /// NOT_FOUND (not ours) or CONFLICT (not dead).
    async fn retry_job(&self, ctx: &Context<'_>, id: Uuid) -> Result<Job> {
        use ops::queue_health::{DeadJobAction, act_on_dead_job};
        let p = ctx.principal();
        let actor = p.staff(&[Role::Ops])?;
        let s = ctx.state();
        let job = act_on_dead_job(
            &s.db,
            p,
            actor.tenant_id,
            id,
            DeadJobAction::Retry,
            s.clock.now(),
        )
        .await?;
        s.nudge_relay();
        Ok(job.into())
    }

    /// Revoke an API key; it stops working at once.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: Uuid) -> Result<ApiKey> {
        let p = ctx.principal();
        let actor = p.staff(&[Role::Ops])?;
        let s = ctx.state();
        let key = ops::api_keys::revoke(&s.db, p, actor.tenant_id, id, s.clock.now()).await?;
        // Committed: every replica's key cache forgets it.
        s.caches
            .invalidate(crate::cache_bus::Invalidation::ApiKey(id))
            .await;
        Ok(key.into())
    }

    /// Store a tenant secret (widget_secret, webhook_secret, stripe_secret_key, stripe_webhook_secret, giftcard_api_key), encrypted (admin).
    async fn set_tenant_secret(
        &self,
        ctx: &Context<'_>,
        name: String,
        value: String,
    ) -> Result<bool> {
        let p = ctx.principal();
        let actor = p.staff(&[])?;
        let s = ctx.state();
        ops::secrets::set(
            &s.db,
            &s.secrets,
            p,
            actor.tenant_id,
            &name,
            &value,
            s.clock.now(),
        )
        .await?;
        Ok(true)
    }
}

/// `rate_limits.track_per_minute` per API key.
async fn limit_tracking(ctx: &Context<'_>) -> Result<(), ApiError> {
    let Principal::ApiKey { key_id, .. } = ctx.principal() else {
        return Ok(());
    };
    ctx.state()
        .rate_limits
        .hit(Limit::Track, &key_id.to_string())
        .await
        .map_err(|retry_after| ApiError::RateLimited { retry_after })
}

async fn transition(ctx: &Context<'_>, id: Uuid, action: CampaignAction) -> Result<Campaign> {
    let p = ctx.principal();
    let actor = p.staff(CAMPAIGN_EDITORS)?;
    let s = ctx.state();
    let campaign =
        ops::campaigns::transition(&s.db, p, actor.tenant_id, id, action, s.clock.now()).await?;
    // Status decides whether clicks attribute: the redirect must not serve a stale answer here.
    s.caches.invalidate(Invalidation::AllLinks).await;
    s.nudge_relay();
    Ok(campaign.into())
}

/// The device a merchant reports for its customer (`clientIp` + `userAgent`), as keyed hashes.
fn reported_device(
    s: &crate::state::AppState,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<Option<ops::conversions::Device>, crate::error::ApiError> {
    let Some(ip) = ip.map(str::trim).filter(|ip| !ip.is_empty()) else {
        return Ok(None);
    };
    let ip: std::net::IpAddr = ip.parse().map_err(|_| {
        crate::error::ApiError::invalid("clientIp", "must be an IPv4 or IPv6 address")
    })?;
    Ok(Some(crate::tracking::visitor::device(
        &s.visitor_key,
        ip,
        user_agent.unwrap_or(""),
    )))
}

//! Campaign launch: one email per eligible, invited participant, each with their own referral link,
//! rendered from the campaign's email material.

use std::collections::{HashMap, HashSet};

use anyhow::anyhow;
use grapevine_entity::{
    domain::{
        share::ShareContext,
        template::{EMAIL_VARS, Escape, Template},
    },
    tables::{
        CampaignStatus, Channel, EmailKind, LinkKind, campaign_materials, campaigns, enrolments,
        participants, referral_links, tenants,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use grapevine_entity::ops::emails::{self, NewEmail, email_id};

use crate::{
    context::JobContext,
    email::{UnsubscribeToken, referral_url},
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::LaunchCampaign;

/// Participants handled per transaction.
const PAGE: u64 = 200;

/// The three templates of the email material, parsed.
struct EmailTemplates {
    subject: Template,
    html: Template,
    text: Template,
}

impl Job for LaunchCampaign {
    #[tracing::instrument(name = "job.campaign.launch", skip_all, fields(campaign_id = %self.campaign_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let db = &ctx.db;
        let Some(campaign) = campaigns::Entity::find_by_id(self.campaign_id)
            .one(db)
            .await?
        else {
            return Err(JobError::Permanent(anyhow!(
                "campaign {} does not exist",
                self.campaign_id
            )));
        };
        if campaign.status != CampaignStatus::Active {
            tracing::info!(
                status = campaign.status.as_str(),
                "campaign is no longer active: no launch emails"
            );
            return Ok(());
        }
        let tenant = tenants::Entity::find_by_id(campaign.tenant_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                JobError::Permanent(anyhow!("tenant of campaign {} is gone", campaign.id))
            })?;
        let material = campaign_materials::Entity::find()
            .filter(campaign_materials::Column::CampaignId.eq(campaign.id))
            .filter(campaign_materials::Column::Channel.eq(Channel::Email))
            .one(db)
            .await?
            .ok_or_else(|| {
                JobError::Permanent(anyhow!("campaign {} has no email material", campaign.id))
            })?;
        let templates = EmailTemplates {
            subject: parse(&material.email_subject)?,
            html: parse(&material.email_html)?,
            text: parse(&material.email_text)?,
        };
        let summary = grapevine_entity::ops::share::reward_summary(db, &campaign).await?;

        let mut after: Option<Uuid> = None;
        loop {
            // Invited participants are exactly those with a primary link: eligible and not held out.
            let mut query = referral_links::Entity::find()
                .filter(referral_links::Column::CampaignId.eq(campaign.id))
                .filter(referral_links::Column::Kind.eq(LinkKind::Primary))
                .order_by_asc(referral_links::Column::Id)
                .limit(PAGE);
            if let Some(after) = after {
                query = query.filter(referral_links::Column::Id.gt(after));
            }
            if let Some(only) = self.participant_id {
                query = query.filter(referral_links::Column::ParticipantId.eq(only));
            }
            let links = query.all(db).await?;
            let Some(last) = links.last() else { break };
            after = Some(last.id);
            let ids: Vec<Uuid> = links.iter().map(|l| l.participant_id).collect();
            let people: HashMap<Uuid, participants::Model> = participants::Entity::find()
                .filter(participants::Column::Id.is_in(ids.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            let enrolled: HashSet<Uuid> = enrolments::Entity::find()
                .select_only()
                .column(enrolments::Column::ParticipantId)
                .filter(enrolments::Column::CampaignId.eq(campaign.id))
                .filter(enrolments::Column::Eligible.eq(true))
                .filter(enrolments::Column::ParticipantId.is_in(ids))
                .into_tuple::<Uuid>()
                .all(db)
                .await?
                .into_iter()
                .collect();
            let now = ctx.clock.now();
            let txn = grapevine_entity::db::begin_write(db).await?;
            for link in &links {
                let Some(person) = people.get(&link.participant_id) else {
                    continue;
                };
                if !enrolled.contains(&person.id) {
                    continue;
                }
                let dedupe_key = format!("launch:{}:{}", campaign.id, person.id);
                let id = email_id(&dedupe_key);
                let url = referral_url(&ctx.config.public_url, &link.code);
                let unsubscribe = UnsubscribeToken { email_id: id }
                    .url(&ctx.config.public_url, &ctx.config.link_key);
                let mut vars = ShareContext {
                    first_name: person.first_name.as_deref(),
                    anonymous: "there",
                    campaign_name: &campaign.name,
                    company_name: &tenant.name,
                    referral_link: url,
                    referral_code: &link.code,
                    reward_summary: &summary,
                }
                .vars();
                vars.insert("unsubscribe_url", unsubscribe);
                let render = |t: &Template, escape| {
                    t.render(&vars, escape)
                        .map_err(|e| JobError::Permanent(anyhow!("rendering launch email: {e}")))
                };
                emails::create(
                    &txn,
                    NewEmail {
                        tenant_id: campaign.tenant_id,
                        campaign_id: Some(campaign.id),
                        participant_id: Some(person.id),
                        kind: EmailKind::Launch,
                        dedupe_key,
                        to: person.email.clone(),
                        subject: render(&templates.subject, Escape::None)?,
                        html: render(&templates.html, Escape::Html)?,
                        text: render(&templates.text, Escape::None)?,
                    },
                    now,
                )
                .await?;
            }
            txn.commit().await?;
        }
        Ok(())
    }
}

fn parse(source: &str) -> Result<Template, JobError> {
    Template::parse(source, EMAIL_VARS)
        .map_err(|e| JobError::Permanent(anyhow!("email material does not parse: {e}")))
}

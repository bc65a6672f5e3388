//! Plays the [`Plan`] through the real code paths, day by day on a hand-driven clock: enrolment
//! and links through the participant and link services, clicks through the redirect's batch
//! writer, sign-ups, orders and refunds through the tracking services, fraud reviews and payout
//! approvals through the services behind the console, and every job they queue (validation,
//! rewards, emails, releases, payout runs, payments) through the job runner, at the moment the
//! history has reached. Then the reporting rollups are rebuilt for the campaign.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use grapevine_entity::ops::rollups;
use grapevine_entity::{
    domain::{
        campaign::CampaignAction,
        clock::{Clock, ManualClock},
    },
    tables::{CampaignStatus, campaigns, referral_links},
};
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use super::{
    api,
    plan::{CHANNELS, Event, Kind, LAUNCH_COHORT, Plan, STOREFRONT},
    worker::Worker,
};
use crate::{
    Application, Parts, auth::Principal, config::Config, state::AppState, tracking::tally::Tally,
};
use grapevine_entity::ops::{campaigns as campaign_service, links, participants};

mod events;
mod traffic;

/// Who acts in the history.
pub struct Cast {
    /// Designs and launches the campaign, reviews referrals.
    pub marketing: Principal,
    /// Enrols customers and makes their links.
    pub sales: Principal,
    /// Approves payouts.
    pub finance: Principal,
}

/// The state of a history being played.
struct Player<'a> {
    db: DatabaseConnection,
    config: &'a Config,
    plan: &'a Plan,
    cast: &'a Cast,
    tenant_id: Uuid,
    campaign_id: Uuid,
    clock: ManualClock,
    state: AppState,
    worker: Worker,
    tally: Tally,
    /// Per referrer: their channel links, as [`CHANNELS`].
    links: Vec<Vec<referral_links::Model>>,
    /// Per planned click: its id, once stored.
    clicks: Vec<Option<Uuid>>,
    /// Referrals and how they were planned to look.
    kinds: HashMap<Uuid, Kind>,
}

/// Play `plan` for the tenant's campaign; returns the job outcomes.
pub async fn play(
    db: &DatabaseConnection,
    config: &Config,
    tenant_id: Uuid,
    campaign: &campaigns::Model,
    cast: &Cast,
    plan: &Plan,
) -> anyhow::Result<std::collections::BTreeMap<&'static str, usize>> {
    let clock = ManualClock::new(plan.launch - Duration::hours(1));
    // The demo's email never leaves the process: it is logged, whatever SMTP is configured.
    let mut logged_mail = config.clone();
    logged_mail.email.smtp_url = Default::default();
    let app = Application::build_with_db(
        logged_mail,
        db.clone(),
        Parts {
            http: false,
            jobs: false,
        },
        Some(clock.shared()),
    )
    .await?;
    let mut player = Player {
        db: db.clone(),
        config,
        plan,
        cast,
        tenant_id,
        campaign_id: campaign.id,
        clock,
        state: app.state().clone(),
        worker: Worker::new(app.job_context().clone(), tenant_id),
        tally: Tally::default(),
        links: vec![Vec::new(); plan.referrers.len()],
        clicks: vec![None; plan.clicks.len()],
        kinds: HashMap::new(),
    };
    let started = std::time::Instant::now();
    player
        .launch(campaign)
        .await
        .context("launching the demo campaign")?;
    let mut events = plan.events.iter().peekable();
    let mut next_click = 0;
    for d in 0..super::plan::DAYS {
        let day_end = super::plan::at(plan.day(d), 0, 0) + Duration::days(1);
        let today: Vec<&(DateTime<Utc>, Event)> =
            std::iter::from_fn(|| events.next_if(|e| e.0 < day_end)).collect();
        // Who joins today has links before today's clicks are counted.
        for (t, event) in &today {
            if let Event::Join(r) = event {
                player.join(*t, *r).await?;
            }
        }
        let upto = plan.clicks[next_click..]
            .iter()
            .take_while(|c| c.at < day_end)
            .count();
        player.record_clicks(next_click..next_click + upto).await?;
        next_click += upto;
        for (t, event) in today {
            player
                .happen(*t, event)
                .await
                .with_context(|| format!("demo history at {t}: {event:?}"))?;
        }
    }
    player.close(plan.end).await?;
    player.storefront_customers(plan.end).await?;
    player.tally.flush(&player.db).await?;
    rebuild_rollups(db, campaign.id, plan.end).await?;
    let jobs = player.worker.outcomes;
    if jobs.get("retrying").is_some_and(|n| *n > 0) {
        tracing::warn!(
            ?jobs,
            "some of the demo's jobs failed and wait for a retry by the worker"
        );
    }
    tracing::info!(elapsed = ?started.elapsed(), ?jobs, "demo history played");
    Ok(jobs)
}

impl Player<'_> {
    async fn launch(&mut self, campaign: &campaigns::Model) -> anyhow::Result<()> {
        let at = self.clock.now();
        let cohort: Vec<participants::ParticipantDraft> = self.plan.referrers[..LAUNCH_COHORT]
            .iter()
            .enumerate()
            .map(|(i, r)| participants::ParticipantDraft {
                external_id: r.external_id.clone(),
                email: r.email.clone(),
                first_name: Some(r.first_name.clone()),
                tags: if i % 3 == 0 {
                    vec!["vip".into()]
                } else {
                    Vec::new()
                },
                order_count: i32::try_from(1 + i % 5).unwrap_or(1),
                country: Some("US".into()),
            })
            .collect();
        let enrolled = self.enrol(cohort, at).await?;
        for (r, e) in enrolled.iter().enumerate() {
            self.make_links(r, e.enrolment.id, at).await?;
        }
        if campaign.status == CampaignStatus::Draft {
            self.clock.set(self.plan.launch);
            campaign_service::transition(
                &self.db,
                &self.cast.marketing,
                self.tenant_id,
                self.campaign_id,
                CampaignAction::Launch,
                self.plan.launch,
            )
            .await
            .map_err(api)?;
        }
        self.worker.drain().await
    }

    /// The storefront's demo customers join as the history ends (so they are also the newest
    /// participants in the console's list).
    async fn storefront_customers(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let customers = STOREFRONT
            .iter()
            .map(|(external_id, first)| participants::ParticipantDraft {
                external_id: (*external_id).to_owned(),
                email: format!(
                    "{}@customers.demo.grapevine.localhost",
                    first.to_lowercase()
                ),
                first_name: Some((*first).to_owned()),
                tags: vec!["vip".into()],
                order_count: 3,
                country: Some("US".into()),
            })
            .collect();
        self.enrol(customers, at).await?;
        self.worker.drain().await
    }

    /// Sales enrols several customers at once; every one must be accepted.
    async fn enrol(
        &self,
        customers: Vec<participants::ParticipantDraft>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Vec<participants::Enrolled>> {
        let outcome = participants::enroll_bulk(
            &self.db,
            &self.cast.sales,
            self.tenant_id,
            self.campaign_id,
            customers,
            at,
        )
        .await
        .map_err(api)?;
        anyhow::ensure!(
            outcome.errors.is_empty(),
            "demo customers were refused: {:?}",
            outcome.errors
        );
        Ok(outcome.enrolled)
    }

    /// A customer's links on every channel, if they share at all.
    async fn make_links(
        &mut self,
        r: usize,
        enrolment: Uuid,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        if self.plan.referrers[r].reach.iter().all(|w| *w <= 0.0) {
            return Ok(());
        }
        for channel in CHANNELS {
            let link = links::create(
                &self.db,
                &self.cast.sales,
                self.tenant_id,
                enrolment,
                Some(channel),
                None,
                at,
            )
            .await
            .map_err(api)?;
            self.links[r].push(link);
        }
        Ok(())
    }

    async fn join(&mut self, at: DateTime<Utc>, r: usize) -> anyhow::Result<()> {
        self.clock.set(at);
        let referrer = &self.plan.referrers[r];
        let draft = participants::ParticipantDraft {
            external_id: referrer.external_id.clone(),
            email: referrer.email.clone(),
            first_name: Some(referrer.first_name.clone()),
            tags: Vec::new(),
            order_count: 1,
            country: Some("US".into()),
        };
        let enrolled = participants::enroll(
            &self.db,
            &self.cast.sales,
            self.tenant_id,
            self.campaign_id,
            draft,
            at,
        )
        .await
        .map_err(api)?;
        self.make_links(r, enrolled.enrolment.id, at).await?;
        self.worker.drain().await
    }
}

/// Recompute every day of the campaign's reporting rollups, as `grapevine rollup --rebuild`.
async fn rebuild_rollups(
    db: &DatabaseConnection,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let campaign = campaigns::Entity::find_by_id(campaign_id)
        .one(db)
        .await?
        .context("the demo campaign vanished")?;
    for day in rollups::campaign_days(db, &campaign).await? {
        rollups::recompute(db, &campaign, day, now).await?;
    }
    Ok(())
}

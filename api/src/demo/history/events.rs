//! What happens during a day: sign-ups, orders and refunds reported as a shop's server reports
//! them, the marketing manager's reviews, finance's approvals and the scheduler's end of day, each
//! followed by the jobs it queued.

use chrono::{DateTime, Duration, Utc};
use grapevine_entity::ops::{
    jobs::{PayoutRun, ReleaseRewards},
    outbox::enqueue_once,
};
use grapevine_entity::tables::{PayoutStatus, ReferralStatus, payouts as payout_rows, referrals};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Player, traffic::browser};
use crate::demo::{
    api,
    plan::{Buyer, Device, Event, Kind},
};
use crate::tracking::visitor;
use grapevine_entity::ops::{
    conversions::{self, ConversionInput, TouchInput},
    fraud::{self, Verdict},
    payouts,
};

/// A referral stays in the review queue this long before the marketing manager decides it.
const REVIEW_AFTER: Duration = Duration::days(7);

impl Player<'_> {
    pub(super) async fn happen(&mut self, at: DateTime<Utc>, event: &Event) -> anyhow::Result<()> {
        self.clock.set(at);
        match event {
            Event::Join(_) => return Ok(()),
            Event::Lead(j) => self.lead(at, *j).await?,
            Event::Purchase {
                buyer,
                order,
                amount_minor,
                click,
            } => {
                self.purchase(at, *buyer, order, *amount_minor, *click)
                    .await?
            }
            Event::Refund {
                order,
                amount_minor,
            } => {
                conversions::refund(
                    &self.db,
                    self.tenant_id,
                    order,
                    &format!("re_{order}"),
                    *amount_minor,
                    at,
                )
                .await
                .map_err(api)?;
            }
            Event::Reviews => self.reviews(at).await?,
            Event::Approvals => self.approvals(at).await?,
            Event::Close => return self.close(at).await,
        }
        self.worker.drain().await
    }

    async fn lead(&mut self, at: DateTime<Utc>, j: usize) -> anyhow::Result<()> {
        let referee = &self.plan.referees[j];
        let Some(click_id) = self.clicks[referee.click] else {
            return Ok(());
        };
        let (ip, user_agent) = browser(self.plan.clicks[referee.click].device);
        let outcome = conversions::track_lead(
            &self.db,
            self.tenant_id,
            &referee.external_id,
            Some(&referee.email),
            TouchInput {
                click_id: Some(click_id),
                code: None,
            },
            Some(visitor::device(&self.state.visitor_key, ip, user_agent)),
            at,
        )
        .await
        .map_err(api)?;
        if let Some(referral) = outcome.referral {
            self.kinds.insert(referral.id, referee.kind);
        }
        Ok(())
    }

    async fn purchase(
        &mut self,
        at: DateTime<Utc>,
        buyer: Buyer,
        order: &str,
        amount_minor: i64,
        click: Option<usize>,
    ) -> anyhow::Result<()> {
        let (customer_id, email, device) = match buyer {
            Buyer::Referee(j) => {
                let r = &self.plan.referees[j];
                let device = self.plan.clicks[r.click].device;
                (r.external_id.clone(), r.email.clone(), device)
            }
            Buyer::Referrer(i) => {
                let r = &self.plan.referrers[i];
                (r.external_id.clone(), r.email.clone(), Device::Referrer(i))
            }
        };
        let (ip, user_agent) = browser(device);
        let input = ConversionInput {
            order_id: order.to_owned(),
            payment_fingerprint: Some(format!("fp_demo_{customer_id}")),
            customer_id,
            email: Some(email),
            amount_minor,
            currency: "USD".into(),
            occurred_at: None,
            touch: TouchInput {
                click_id: click.and_then(|c| self.clicks[c]),
                code: None,
            },
            device: Some(visitor::device(&self.state.visitor_key, ip, user_agent)),
        };
        conversions::track_conversion(&self.db, self.tenant_id, input, at)
            .await
            .map_err(api)?;
        self.tally.conversion_report(self.tenant_id, at, true);
        Ok(())
    }

    /// The marketing manager decides what has waited a week in the review queue: a throwaway
    /// mailbox is rejected, a shared device (same household, another card) approved.
    async fn reviews(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let waiting = referrals::Entity::find()
            .filter(referrals::Column::CampaignId.eq(self.campaign_id))
            .filter(referrals::Column::Status.eq(ReferralStatus::Review))
            .filter(referrals::Column::DecidedAt.lte(at - REVIEW_AFTER))
            .all(&self.db)
            .await?;
        for referral in waiting {
            let (verdict, reason) = match self.kinds.get(&referral.id) {
                Some(Kind::Disposable) => (
                    Verdict::Reject,
                    "Throwaway mailbox and no order history: not a real new customer.",
                ),
                _ => (
                    Verdict::Approve,
                    "Same household as the referrer, paid with another card: a genuine friend.",
                ),
            };
            fraud::review(
                &self.db,
                &self.cast.marketing,
                self.tenant_id,
                referral.id,
                verdict,
                reason,
                at,
            )
            .await
            .map_err(api)?;
        }
        Ok(())
    }

    /// Finance approves large payouts the morning after they were made, but the most recent one
    /// always waits for its next review: the finance screen has one to approve.
    async fn approvals(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let mut waiting = payout_rows::Entity::find()
            .filter(payout_rows::Column::TenantId.eq(self.tenant_id))
            .filter(payout_rows::Column::Status.eq(PayoutStatus::AwaitingApproval))
            .order_by_desc(payout_rows::Column::CreatedAt)
            .order_by_desc(payout_rows::Column::Id)
            .all(&self.db)
            .await?;
        if waiting.is_empty() {
            return Ok(());
        }
        waiting.remove(0);
        for payout in waiting
            .into_iter()
            .filter(|p| p.created_at <= at - Duration::hours(8))
        {
            payouts::approve(&self.db, &self.cast.finance, self.tenant_id, payout.id, at)
                .await
                .map_err(api)?;
        }
        Ok(())
    }

    /// The scheduler's end of day: held rewards whose hold is over are released, then payouts
    /// are run (weekly, per the tenant's rules).
    pub(super) async fn close(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        self.clock.set(at);
        let key = format!("demo:{}", at.timestamp());
        let tenant = Some(self.tenant_id);
        enqueue_once(&self.db, tenant, &key, &ReleaseRewards::default(), at).await?;
        let run = PayoutRun { tenant_id: tenant };
        enqueue_once(&self.db, tenant, &key, &run, at).await?;
        self.worker.drain().await
    }
}

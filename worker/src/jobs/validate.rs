//! `referral.validate`: the fraud validation of a referral, run for every lead, conversion and
//! refund. Tracking writes these rows in the same transaction as the report.
//!
//! The decision and its signals are stored; the referral takes the decision's status (unless a
//! reviewer has decided it: their word stands), and its rewards are brought in line in the same
//! transaction (created when approved, reversed when rejected or refunded; see
//! [`crate::jobs::settle::settle_in`]). A referral a reviewer decided is settled by the
//! settlement job.

use anyhow::anyhow;
use grapevine_entity::{
    db::begin_write,
    tables::{campaigns, conversions, referrals},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::{
    context::JobContext,
    fraud::{RulesDecision, policy_of, reviewed, status_of, store},
    hooks,
    jobs::SettleReferral,
    outbox::{Job, JobError, enqueue},
};

use grapevine_entity::ops::jobs::ValidateReferral;

impl Job for ValidateReferral {
    #[tracing::instrument(name = "job.referral.validate", skip_all, fields(referral_id = %self.referral_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let db = &ctx.db;
        let referral = referrals::Entity::find_by_id(self.referral_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                JobError::Permanent(anyhow!("referral {} does not exist", self.referral_id))
            })?;
        let now = ctx.clock.now();
        if reviewed(db, referral.id).await? {
            // A person decided; a refund still has to reach the rewards.
            let txn = begin_write(db).await?;
            enqueue(
                &txn,
                Some(referral.tenant_id),
                &SettleReferral {
                    referral_id: referral.id,
                },
                now,
            )
            .await?;
            ctx.finish_in(&txn).await?;
            txn.commit().await?;
            return Ok(());
        }
        let campaign = campaigns::Entity::find_by_id(referral.campaign_id)
            .one(db)
            .await?
            .ok_or_else(|| {
                JobError::Permanent(anyhow!("campaign of referral {} is gone", referral.id))
            })?;
        let conversion = match self.conversion_id {
            Some(id) => Some(
                conversions::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .ok_or_else(|| {
                        JobError::Permanent(anyhow!("conversion {id} does not exist"))
                    })?,
            ),
            None => None,
        };
        let policy = policy_of(&campaign);
        let (signals, total, decision) = crate::fraud::score(db, &referral, &policy).await?;

        let txn = begin_write(db).await?;
        // Re-read inside the write transaction: a reviewer may have decided meanwhile.
        let current = referrals::Entity::find_by_id(referral.id)
            .one(&txn)
            .await?
            .ok_or_else(|| JobError::Permanent(anyhow!("referral {} vanished", referral.id)))?;
        if reviewed(&txn, referral.id).await? {
            ctx.finish_in(&txn).await?;
            txn.commit().await?;
            return Ok(());
        }
        let stored = store(
            &txn,
            RulesDecision {
                referral: &current,
                conversion: conversion.as_ref(),
                policy: &policy,
                signals: &signals,
                total,
                decision,
            },
            now,
        )
        .await?;
        if stored {
            let status = status_of(decision);
            let previous = current.status;
            let mut m = current.into_active_model();
            m.status = Set(status);
            m.score = Set(Some(i32::try_from(total).unwrap_or(i32::MAX)));
            m.decided_at = Set(Some(now));
            m.updated_at = Set(now);
            let updated = m.update(&txn).await?;
            if status != previous && hooks::flags(status) {
                let event = hooks::Event::referral_flagged(&updated, "rules", now);
                hooks::emit(&txn, &event, now).await?;
            }
            tracing::info!(
                status = status.as_str(),
                score = total,
                signals = signals.len(),
                "referral validated"
            );
            // The rewards the decision earns (or reverses) commit with it.
            crate::jobs::settle::settle_in(&txn, &updated, now).await?;
        }
        ctx.finish_in(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}

//! `payouts.reconcile`: compare a period's payouts and delivered rewards with what the providers
//! hold, and record every disagreement for finance.
//!
//! - Cash: the Stripe transfers created in the period are listed; our payouts of the period (and
//!   any payout a listed transfer names) are matched to them by `transfer_group` (= payout id) or
//!   by the transfer id we stored. A paid payout whose transfer was not in the listing (created
//!   just outside the period) is fetched by id.
//! - Coupons are fetched by id (= reward id), gift cards by reference (= reward id); what we
//!   delivered is the reward's fulfilment entry in the ledger.
//!
//! Reading is all the job does at the providers, so a crash or a retry simply reads again; the
//! findings replace the run's earlier ones in one transaction.

use std::collections::{HashMap, HashSet};

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use grapevine_entity::{
    db::begin_write,
    tables::{
        LedgerKind, PayoutProvider, PayoutStatus, ReconciledObject, ReconciliationIssue,
        ReconciliationStatus, RewardType, ledger_entries, payouts, reconciliation_items,
        reconciliations, rewards,
    },
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QuerySelect, TransactionSession,
    sea_query::{Expr, LikeExpr},
};
use uuid::Uuid;

use super::{
    pay,
    providers::{GiftCards, ProviderError, ProviderObject},
};
use crate::{
    context::JobContext,
    outbox::{Job, JobError},
};

use grapevine_entity::ops::jobs::Reconcile;

impl Job for Reconcile {
    #[tracing::instrument(name = "job.payouts.reconcile", skip_all, fields(reconciliation_id = %self.reconciliation_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let Some(run) = reconciliations::Entity::find_by_id(self.reconciliation_id)
            .one(&ctx.db)
            .await?
        else {
            return Err(JobError::Permanent(anyhow!(
                "reconciliation {} does not exist",
                self.reconciliation_id
            )));
        };
        if run.status != ReconciliationStatus::Running {
            return Ok(());
        }
        let mut findings = Findings::default();
        let outcome = match transfers(ctx, &run, &mut findings).await {
            Ok(()) => deliveries(ctx, &run, &mut findings).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => finish(&ctx.db, &run, findings, None, ctx.clock.now()).await,
            Err(Failure::Db(e)) => Err(e.into()),
            // A provider that cannot be read ends this run; finance starts another. (Retrying
            // here would leave the run "running" for as long as the provider is down.)
            Err(Failure::Provider(e)) => {
                tracing::warn!(
                    error = e.message(),
                    "reconciliation could not read a provider"
                );
                let why = e.message().to_owned();
                finish(
                    &ctx.db,
                    &run,
                    Findings::default(),
                    Some(why),
                    ctx.clock.now(),
                )
                .await
            }
        }
    }
}

/// Why a run could not finish.
enum Failure {
    Db(DbErr),
    Provider(ProviderError),
}

impl From<DbErr> for Failure {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

impl From<ProviderError> for Failure {
    fn from(e: ProviderError) -> Self {
        Self::Provider(e)
    }
}

/// One of our records, as compared with the provider.
#[derive(Debug, Clone)]
pub struct Ours {
    /// Payout or reward id: the provider object carries it.
    pub id: Uuid,
    /// The provider id we stored, if any.
    pub provider_ref: Option<String>,
    /// What we paid or delivered, in minor units.
    pub amount_minor: i64,
    /// ISO currency.
    pub currency: String,
    /// Our state, for the report.
    pub status: String,
    /// Whether we recorded it as paid or delivered.
    pub settled: bool,
}

/// What one run found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Objects compared (ours, plus provider objects no record of ours claimed).
    pub checked: i32,
    /// Objects both sides agree on.
    pub matched: i32,
    /// The disagreements.
    pub items: Vec<Item>,
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Transfer, coupon or gift card.
    pub object: ReconciledObject,
    /// What is wrong.
    pub issue: ReconciliationIssue,
    /// Our id (payout or reward), when we have a record.
    pub ours: Option<Uuid>,
    /// The provider's id, when it has an object.
    pub provider_ref: Option<String>,
    /// Currency (ours, else the provider's).
    pub currency: String,
    /// Our amount.
    pub ours_minor: Option<i64>,
    /// The provider's amount.
    pub provider_minor: Option<i64>,
    /// Our state.
    pub ours_status: Option<String>,
    /// The provider's state.
    pub provider_status: Option<String>,
    /// A sentence for the person reading the report.
    pub detail: String,
}

/// Compare our records of one kind with the provider's objects; unclaimed provider objects are
/// reported as unknown to us only when `theirs` is a complete listing (`listed`).
pub fn compare(
    object: ReconciledObject,
    ours: &[Ours],
    theirs: &[ProviderObject],
    listed: bool,
    out: &mut Findings,
) {
    let mut claimed: HashSet<&str> = HashSet::new();
    for record in ours {
        out.checked += 1;
        let key = record.id.to_string();
        let matches: Vec<&ProviderObject> = theirs
            .iter()
            .filter(|t| {
                t.ours.as_deref() == Some(key.as_str())
                    || record.provider_ref.as_deref() == Some(t.id.as_str())
            })
            .collect();
        claimed.extend(matches.iter().map(|t| t.id.as_str()));
        let item = |issue, theirs: Option<&ProviderObject>, detail: String| Item {
            object,
            issue,
            ours: Some(record.id),
            provider_ref: theirs
                .map(|t| t.id.clone())
                .or_else(|| record.provider_ref.clone()),
            currency: record.currency.clone(),
            ours_minor: Some(record.amount_minor),
            provider_minor: theirs.map(|t| t.amount_minor),
            ours_status: Some(record.status.clone()),
            provider_status: theirs.map(|t| t.status.clone()),
            detail,
        };
        match (record.settled, matches.as_slice()) {
            (false, []) => out.matched += 1,
            (true, []) => out.items.push(item(
                ReconciliationIssue::MissingAtProvider,
                None,
                format!("we recorded {object} {key} as {}; the provider has no such object", record.status),
            )),
            (_, [first, second, ..]) => out.items.push(item(
                ReconciliationIssue::DuplicateAtProvider,
                Some(first),
                format!(
                    "the provider holds {} objects for {key} ({}, {}, …): paid or issued more than once",
                    matches.len(),
                    first.id,
                    second.id
                ),
            )),
            (false, [theirs]) => out.items.push(item(
                ReconciliationIssue::StatusDiffers,
                Some(theirs),
                format!(
                    "the provider holds {} ({}) but we recorded {key} as {}",
                    theirs.id, theirs.status, record.status
                ),
            )),
            (true, [theirs]) => {
                let before = out.items.len();
                if matches!(theirs.status.as_str(), "reversed" | "invalid") {
                    out.items.push(item(
                        ReconciliationIssue::StatusDiffers,
                        Some(theirs),
                        format!("we recorded {key} as {}; the provider says {}", record.status, theirs.status),
                    ));
                } else if !theirs.currency.eq_ignore_ascii_case(&record.currency) {
                    out.items.push(item(
                        ReconciliationIssue::CurrencyDiffers,
                        Some(theirs),
                        format!("ours is in {}, the provider's in {}", record.currency, theirs.currency),
                    ));
                } else if theirs.amount_minor != record.amount_minor {
                    out.items.push(item(
                        ReconciliationIssue::AmountDiffers,
                        Some(theirs),
                        format!(
                            "ours is {} {}, the provider's {} {} (difference {})",
                            record.amount_minor,
                            record.currency,
                            theirs.amount_minor,
                            theirs.currency,
                            theirs.amount_minor - record.amount_minor
                        ),
                    ));
                }
                if out.items.len() == before {
                    out.matched += 1;
                }
            }
        }
    }
    if !listed {
        return;
    }
    for theirs in theirs.iter().filter(|t| !claimed.contains(t.id.as_str())) {
        out.checked += 1;
        out.items.push(Item {
            object,
            issue: ReconciliationIssue::MissingInGrapevine,
            ours: None,
            provider_ref: Some(theirs.id.clone()),
            currency: theirs.currency.clone(),
            ours_minor: None,
            provider_minor: Some(theirs.amount_minor),
            ours_status: None,
            provider_status: Some(theirs.status.clone()),
            detail: match &theirs.ours {
                Some(group) => format!("no payout of ours matches {} (group {group})", theirs.id),
                None => format!("{} carries no reference of ours", theirs.id),
            },
        });
    }
}

/// Cash: Stripe payouts of the period against the transfers of the period.
async fn transfers(
    ctx: &JobContext,
    run: &reconciliations::Model,
    out: &mut Findings,
) -> Result<(), Failure> {
    let in_period = Condition::any()
        .add(
            payouts::Column::CreatedAt
                .gte(run.period_from)
                .and(payouts::Column::CreatedAt.lt(run.period_to)),
        )
        .add(
            payouts::Column::PaidAt
                .gte(run.period_from)
                .and(payouts::Column::PaidAt.lt(run.period_to)),
        );
    let mut ours = payouts::Entity::find()
        .filter(payouts::Column::TenantId.eq(run.tenant_id))
        .filter(payouts::Column::Provider.eq(PayoutProvider::Stripe))
        .filter(in_period)
        .all(&ctx.db)
        .await?;
    let stripe = match pay::stripe_connect(ctx, run.tenant_id).await {
        Ok(stripe) => stripe,
        // No Stripe key and nothing paid through Stripe: nothing to reconcile on this side.
        Err(ProviderError::Permanent(_)) if ours.is_empty() => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut theirs = stripe
        .transfers_created(run.period_from.timestamp(), run.period_to.timestamp())
        .await?;
    // Payouts of ours that listed transfers name but that fall outside the period.
    let known: HashSet<Uuid> = ours.iter().map(|p| p.id).collect();
    let named: Vec<Uuid> = theirs
        .iter()
        .filter_map(|t| t.ours.as_deref().and_then(|g| Uuid::parse_str(g).ok()))
        .filter(|id| !known.contains(id))
        .collect();
    if !named.is_empty() {
        ours.extend(
            payouts::Entity::find()
                .filter(payouts::Column::TenantId.eq(run.tenant_id))
                .filter(payouts::Column::Id.is_in(named))
                .all(&ctx.db)
                .await?,
        );
    }
    // Paid payouts whose transfer the listing did not hold: fetch by id.
    let listed: HashSet<String> = theirs.iter().map(|t| t.id.clone()).collect();
    for payout in &ours {
        let group = payout.id.to_string();
        let in_listing = theirs
            .iter()
            .any(|t| t.ours.as_deref() == Some(group.as_str()));
        if let (Some(reference), false) = (&payout.provider_ref, in_listing)
            && !listed.contains(reference)
            && let Some(found) = stripe.transfer(reference).await?
        {
            theirs.push(found);
        }
    }
    let records: Vec<Ours> = ours
        .into_iter()
        .map(|p| Ours {
            id: p.id,
            provider_ref: p.provider_ref,
            amount_minor: p.amount_minor,
            currency: p.currency,
            status: p.status.as_str().to_owned(),
            settled: p.status == PayoutStatus::Paid,
        })
        .collect();
    compare(ReconciledObject::Transfer, &records, &theirs, true, out);
    Ok(())
}

/// Coupons and gift cards delivered in the period, each fetched from its provider.
async fn deliveries(
    ctx: &JobContext,
    run: &reconciliations::Model,
    out: &mut Findings,
) -> Result<(), Failure> {
    let settled_in_period = Condition::any()
        .add(
            rewards::Column::SettledAt
                .gte(run.period_from)
                .and(rewards::Column::SettledAt.lt(run.period_to)),
        )
        .add(
            Condition::all()
                .add(rewards::Column::SettledAt.is_null())
                .add(rewards::Column::UpdatedAt.gte(run.period_from))
                .add(rewards::Column::UpdatedAt.lt(run.period_to)),
        );
    let delivered = rewards::Entity::find()
        .filter(rewards::Column::TenantId.eq(run.tenant_id))
        .filter(rewards::Column::RewardType.is_in([RewardType::Coupon, RewardType::GiftCard]))
        .filter(rewards::Column::FulfilmentRef.is_not_null())
        .filter(
            Expr::col(rewards::Column::FulfilmentRef)
                .not_like(LikeExpr::new("dry!_run!_%").escape('!')),
        )
        .filter(settled_in_period)
        .all(&ctx.db)
        .await?;
    if delivered.is_empty() {
        return Ok(());
    }
    let values = delivered_values(&ctx.db, delivered.iter().map(|r| r.id).collect()).await?;
    let record = |r: &rewards::Model| Ours {
        id: r.id,
        provider_ref: r.fulfilment_ref.clone(),
        amount_minor: values.get(&r.id).copied().unwrap_or(0),
        currency: r.currency.clone(),
        status: r.status.as_str().to_owned(),
        settled: true,
    };
    let (coupons, cards): (Vec<&rewards::Model>, Vec<&rewards::Model>) = delivered
        .iter()
        .partition(|r| r.reward_type == RewardType::Coupon);
    if !coupons.is_empty() {
        let stripe = pay::stripe(ctx, run.tenant_id).await?;
        let mut theirs = Vec::new();
        for reward in &coupons {
            let id = reward.fulfilment_ref.as_deref().unwrap_or_default();
            theirs.extend(stripe.coupon(id).await?);
        }
        let records: Vec<Ours> = coupons.iter().map(|r| record(r)).collect();
        compare(ReconciledObject::Coupon, &records, &theirs, false, out);
    }
    if !cards.is_empty() {
        let key = crate::secrets::get(&ctx.db, &ctx.secrets, run.tenant_id, "giftcard_api_key")
            .await
            .map_err(|e| ProviderError::Transient(format!("reading the gift-card key: {e:#}")))?
            .ok_or_else(|| {
                ProviderError::Permanent("the tenant has no giftcard_api_key secret".into())
            })?;
        let provider = GiftCards::new(&ctx.config.providers.giftcard_url, key)?;
        let mut theirs = Vec::new();
        for reward in &cards {
            theirs.extend(
                provider
                    .cards_with_reference(&reward.id.to_string())
                    .await?,
            );
        }
        let records: Vec<Ours> = cards.iter().map(|r| record(r)).collect();
        compare(ReconciledObject::GiftCard, &records, &theirs, false, out);
    }
    Ok(())
}

/// What the ledger says was delivered for each reward (its fulfilment entries, negated).
async fn delivered_values(
    conn: &impl ConnectionTrait,
    reward_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let mut out = HashMap::new();
    for chunk in reward_ids.chunks(500) {
        let rows: Vec<(Option<Uuid>, i64)> = ledger_entries::Entity::find()
            .select_only()
            .column(ledger_entries::Column::RewardId)
            .column(ledger_entries::Column::AmountMinor)
            .filter(ledger_entries::Column::Kind.eq(LedgerKind::Fulfilment))
            .filter(ledger_entries::Column::RewardId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (reward, amount) in rows {
            if let Some(reward) = reward {
                *out.entry(reward).or_insert(0) -= amount;
            }
        }
    }
    Ok(out)
}

/// Replace the run's findings and close it (only if it is still running).
async fn finish(
    db: &impl sea_orm::TransactionTrait,
    run: &reconciliations::Model,
    findings: Findings,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let txn = begin_write(db).await?;
    reconciliation_items::Entity::delete_many()
        .filter(reconciliation_items::Column::ReconciliationId.eq(run.id))
        .exec(&txn)
        .await?;
    let mismatched = i32::try_from(findings.items.len()).unwrap_or(i32::MAX);
    let rows: Vec<reconciliation_items::ActiveModel> = findings
        .items
        .into_iter()
        .map(|i| reconciliation_items::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(run.tenant_id),
            reconciliation_id: Set(run.id),
            object: Set(i.object),
            issue: Set(i.issue),
            payout_id: Set(i.ours.filter(|_| i.object == ReconciledObject::Transfer)),
            reward_id: Set(i.ours.filter(|_| i.object != ReconciledObject::Transfer)),
            provider_ref: Set(i.provider_ref),
            currency: Set(i.currency),
            ours_minor: Set(i.ours_minor),
            provider_minor: Set(i.provider_minor),
            ours_status: Set(i.ours_status),
            provider_status: Set(i.provider_status),
            detail: Set(i.detail),
        })
        .collect();
    for chunk in rows.chunks(200) {
        reconciliation_items::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let status = if error.is_some() {
        ReconciliationStatus::Failed
    } else {
        ReconciliationStatus::Done
    };
    reconciliations::Entity::update_many()
        .col_expr(
            reconciliations::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(
            reconciliations::Column::Checked,
            Expr::value(findings.checked),
        )
        .col_expr(
            reconciliations::Column::Matched,
            Expr::value(findings.matched),
        )
        .col_expr(reconciliations::Column::Mismatched, Expr::value(mismatched))
        .col_expr(reconciliations::Column::Error, Expr::value(error))
        .col_expr(reconciliations::Column::FinishedAt, Expr::value(now))
        .filter(reconciliations::Column::Id.eq(run.id))
        .filter(reconciliations::Column::Status.eq(ReconciliationStatus::Running))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payout(settled: bool, amount: i64) -> Ours {
        Ours {
            id: Uuid::now_v7(),
            provider_ref: None,
            amount_minor: amount,
            currency: "USD".into(),
            status: if settled { "paid" } else { "failed" }.into(),
            settled,
        }
    }

    fn transfer(ours: &Ours, amount: i64, status: &str) -> ProviderObject {
        ProviderObject {
            id: format!("tr_{}", Uuid::now_v7().simple()),
            ours: Some(ours.id.to_string()),
            amount_minor: amount,
            currency: "USD".into(),
            status: status.into(),
        }
    }

    fn issues(
        ours: &[Ours],
        theirs: &[ProviderObject],
        listed: bool,
    ) -> (Findings, Vec<ReconciliationIssue>) {
        let mut f = Findings::default();
        compare(ReconciledObject::Transfer, ours, theirs, listed, &mut f);
        let issues = f.items.iter().map(|i| i.issue).collect();
        (f, issues)
    }

    #[test]
    fn agreeing_sides_report_nothing() {
        let ours = vec![payout(true, 500), payout(true, 700), payout(false, 300)];
        let theirs = vec![
            transfer(&ours[0], 500, "paid"),
            transfer(&ours[1], 700, "paid"),
        ];
        let (f, issues) = issues(&ours, &theirs, true);
        assert!(issues.is_empty(), "{:?}", f.items);
        assert_eq!((f.checked, f.matched), (3, 3));
    }

    #[test]
    fn each_kind_of_disagreement_is_named() {
        let ours = vec![
            payout(true, 500),  // missing at the provider
            payout(true, 700),  // amount differs
            payout(false, 300), // the provider paid what we think failed
            payout(true, 900),  // paid twice
            payout(true, 100),  // reversed at the provider
        ];
        let mut euro = transfer(&ours[1], 700, "paid");
        euro.currency = "EUR".into();
        let theirs = vec![
            transfer(&ours[1], 699, "paid"),
            transfer(&ours[2], 300, "paid"),
            transfer(&ours[3], 900, "paid"),
            transfer(&ours[3], 900, "paid"),
            transfer(&ours[4], 0, "reversed"),
            ProviderObject {
                ours: Some("someone else's".into()),
                ..transfer(&ours[0], 50, "paid")
            },
        ];
        let (f, issues) = issues(&ours, &theirs, true);
        assert_eq!(
            issues,
            vec![
                ReconciliationIssue::MissingAtProvider,
                ReconciliationIssue::AmountDiffers,
                ReconciliationIssue::StatusDiffers,
                ReconciliationIssue::DuplicateAtProvider,
                ReconciliationIssue::StatusDiffers,
                ReconciliationIssue::MissingInGrapevine,
            ]
        );
        assert_eq!((f.checked, f.matched), (6, 0));
        assert_eq!(f.items[1].provider_minor, Some(699));
        assert_eq!(f.items[1].ours_minor, Some(700));

        let (_, issues) = self::issues(&ours[1..2], &[euro], true);
        assert_eq!(issues, vec![ReconciliationIssue::CurrencyDiffers]);
    }

    #[test]
    fn a_transfer_without_our_group_matches_by_the_stored_reference() {
        let mut ours = payout(true, 500);
        let mut theirs = transfer(&ours, 500, "paid");
        theirs.ours = None;
        ours.provider_ref = Some(theirs.id.clone());
        let (f, issues) = issues(&[ours], &[theirs], true);
        assert!(issues.is_empty());
        assert_eq!(f.matched, 1);
    }

    #[test]
    fn objects_fetched_one_by_one_are_never_called_unknown() {
        let ours = vec![payout(true, 500)];
        let stray = ProviderObject {
            ours: None,
            ..transfer(&ours[0], 1, "issued")
        };
        let theirs = vec![transfer(&ours[0], 500, "paid"), stray];
        let (f, issues) = issues(&ours, &theirs, false);
        assert!(issues.is_empty());
        assert_eq!(f.checked, 1);
    }
}

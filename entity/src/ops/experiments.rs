//! Stopping a clearly worse offer variant by itself. After each rollup pass, a campaign that opted
//! in compares every live variant with the best converting one (clicks that became new customers,
//! from the rollups' summary rows) using a sequential test that stays valid however often it is
//! looked at (`stats::SequentialTest`, its state kept between looks). A variant the test shows
//! worse is stopped: its weight goes to 0, so nobody new is assigned to it (those already in it
//! keep their offer), and the reason is recorded with the test's numbers.

use std::collections::BTreeMap;

use crate::{
    db::begin_write,
    domain::stats::{Decision, Proportion, SequentialTest},
    tables::{campaign_variants, experiments, rollups},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

/// Clicks and new customers per variant, over the campaign's whole life.
type Counts = BTreeMap<Uuid, (i64, i64)>;

async fn counts(conn: &impl sea_orm::ConnectionTrait, campaign_id: Uuid) -> Result<Counts, DbErr> {
    let rows: Vec<(Uuid, i64, i64)> = rollups::Entity::find()
        .select_only()
        .column(rollups::Column::VariantId)
        .column(rollups::Column::Clicks)
        .column(rollups::Column::FirstPurchases)
        .filter(rollups::Column::CampaignId.eq(campaign_id))
        .filter(rollups::Column::LinkId.eq(Uuid::nil()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut out = Counts::new();
    for (variant, clicks, customers) in rows {
        let e = out.entry(variant).or_default();
        e.0 += clicks;
        e.1 += customers;
    }
    Ok(out)
}

fn proportion(c: (i64, i64)) -> Option<Proportion> {
    Proportion::new(
        u64::try_from(c.1).ok()?.min(u64::try_from(c.0).ok()?),
        u64::try_from(c.0).ok()?,
    )
}

/// Look at the campaigns that opted in among `campaigns`; returns the variants stopped.
pub async fn check<C>(db: &C, campaigns: &[Uuid], now: DateTime<Utc>) -> Result<Vec<Uuid>, DbErr>
where
    C: sea_orm::ConnectionTrait + TransactionTrait,
{
    let mut stopped = Vec::new();
    let settings = experiments::Entity::find()
        .filter(experiments::Column::CampaignId.is_in(campaigns.to_vec()))
        .filter(experiments::Column::AutoStop.eq(true))
        .all(db)
        .await?;
    for setting in settings {
        stopped.extend(check_one(db, setting, now).await?);
    }
    Ok(stopped)
}

async fn check_one<C>(
    db: &C,
    setting: experiments::Model,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr>
where
    C: sea_orm::ConnectionTrait + TransactionTrait,
{
    let live: Vec<campaign_variants::Model> = campaign_variants::Entity::find()
        .filter(campaign_variants::Column::CampaignId.eq(setting.campaign_id))
        .filter(campaign_variants::Column::StoppedAt.is_null())
        .filter(campaign_variants::Column::Weight.gt(0))
        .all(db)
        .await?;
    if live.len() < 2 {
        return Ok(Vec::new());
    }
    let counts = counts(db, setting.campaign_id).await?;
    let rate = |id: Uuid| {
        counts
            .get(&id)
            .copied()
            .and_then(proportion)
            .and_then(|p| p.rate())
            .unwrap_or(0.0)
    };
    let Some(best) = live
        .iter()
        .max_by(|a, b| rate(a.id).total_cmp(&rate(b.id)).then(b.id.cmp(&a.id)))
        .cloned()
    else {
        return Ok(Vec::new());
    };
    let mut tests: BTreeMap<String, SequentialTest> =
        serde_json::from_value(setting.tests.clone()).unwrap_or_default();
    let mut stop: Vec<(Uuid, String)> = Vec::new();
    for variant in live.iter().filter(|v| v.id != best.id) {
        let (Some(a), Some(b)) = (
            counts.get(&best.id).copied().and_then(proportion),
            counts.get(&variant.id).copied().and_then(proportion),
        ) else {
            continue;
        };
        let key = format!("{}:{}", best.id, variant.id);
        let Some(fresh) = SequentialTest::new(setting.alpha, setting.tau2) else {
            continue;
        };
        let test = tests.entry(key).or_insert(fresh);
        if let Decision::BWorse { p } = test.look(a, b) {
            stop.push((
                variant.id,
                format!(
                    "converts worse than {}: {} of {} clicks against {} of {} (always-valid p = {p:.4}, α = {})",
                    best.name,
                    b.successes(),
                    b.trials(),
                    a.successes(),
                    a.trials(),
                    setting.alpha
                ),
            ));
        }
    }
    let txn = begin_write(db).await?;
    for (id, reason) in &stop {
        campaign_variants::Entity::update_many()
            .col_expr(campaign_variants::Column::Weight, Expr::value(0))
            .col_expr(campaign_variants::Column::StoppedAt, Expr::value(Some(now)))
            .col_expr(
                campaign_variants::Column::StopReason,
                Expr::value(Some(reason.clone())),
            )
            .filter(campaign_variants::Column::Id.eq(*id))
            .filter(campaign_variants::Column::StoppedAt.is_null())
            .exec(&txn)
            .await?;
        tracing::info!(variant_id = %id, reason, "variant stopped by its sequential test");
    }
    let mut m = setting.into_active_model();
    m.tests = Set(serde_json::to_value(&tests).map_err(|e| DbErr::Custom(e.to_string()))?);
    m.updated_at = Set(now);
    m.update(&txn).await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(stop.into_iter().map(|(id, _)| id).collect())
}

//! Recommendations applied or dismissed: a campaign's team records that it acted on a kind of
//! report insight, or sets one aside (the report keeps showing it, marked as dismissed). For each
//! applied one, programme health measures the click-to-customer rate over the 14 campaign-local
//! days before against the 14 after.

use std::collections::HashMap;

use crate::{
    domain::{
        calendar,
        stats::{
            BeforeAfter, Confidence,
            before_after::{self, Windows},
        },
    },
    tables::{applied_recommendations, campaigns, recommendation_dismissals},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    ops::error::{Error, Result},
    ops::principal::{Principal, Role},
    ops::reports::{Counts, INSIGHT_KINDS, campaign_totals},
};

/// Who records an applied recommendation (admins always may).
pub const APPLIERS: &[Role] = &[Role::MarketingManager];
/// The longest note kept.
pub const MAX_NOTE: usize = 2000;

/// Record that the caller applied a recommendation of `kind` (a kind of report insight) to a
/// campaign of their tenant.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    campaign_id: Uuid,
    kind: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<applied_recommendations::Model> {
    let kind = insight_kind(kind)?;
    let note = checked_note(note)?;
    let txn = crate::db::begin_write(conn).await?;
    let campaign = crate::ops::campaigns::get(&txn, tenant_id, campaign_id).await?;
    let row = applied_recommendations::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        kind: Set(kind.to_owned()),
        note: Set(note),
        applied_by: Set(user_id),
        applied_at: Set(now),
    }
    .insert(&txn)
    .await?;
    crate::ops::audit::record(
        &txn,
        tenant_id,
        principal,
        "recommendation.applied",
        "campaign",
        Some(campaign.id),
        serde_json::json!({ "kind": row.kind, "recommendation_id": row.id }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// `kind` as one of the report's insight kinds, or a VALIDATION error naming them.
fn insight_kind(kind: &str) -> Result<&'static str> {
    let kind = kind.trim();
    INSIGHT_KINDS
        .iter()
        .find(|k| **k == kind)
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                "kind",
                format!(
                    "not a kind of insight; one of: {}",
                    INSIGHT_KINDS.join(", ")
                ),
            )
        })
}

/// A note trimmed (blank is none), or a VALIDATION error when longer than [`MAX_NOTE`].
fn checked_note(note: Option<String>) -> Result<Option<String>> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(Error::invalid(
            "note",
            format!("at most {MAX_NOTE} characters"),
        ));
    }
    Ok(note)
}

/// Set aside the report's insight of `kind` for a campaign of the caller's tenant: reports keep
/// showing it, marked with this dismissal, until [`restore`]. Dismissing it again replaces the
/// note, who and when.
#[allow(clippy::too_many_arguments)]
pub async fn dismiss(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    campaign_id: Uuid,
    kind: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<recommendation_dismissals::Model> {
    let kind = insight_kind(kind)?;
    let note = checked_note(note)?;
    let txn = crate::db::begin_write(conn).await?;
    let campaign = crate::ops::campaigns::get(&txn, tenant_id, campaign_id).await?;
    recommendation_dismissals::Entity::delete_many()
        .filter(recommendation_dismissals::Column::CampaignId.eq(campaign.id))
        .filter(recommendation_dismissals::Column::Kind.eq(kind))
        .exec(&txn)
        .await?;
    let row = recommendation_dismissals::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        kind: Set(kind.to_owned()),
        note: Set(note),
        dismissed_by: Set(user_id),
        dismissed_at: Set(now),
    }
    .insert(&txn)
    .await?;
    crate::ops::audit::record(
        &txn,
        tenant_id,
        principal,
        "recommendation.dismissed",
        "campaign",
        Some(campaign.id),
        serde_json::json!({ "kind": row.kind }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Bring back a dismissed insight of `kind`; `false` when it was not dismissed.
pub async fn restore(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let kind = insight_kind(kind)?;
    let txn = crate::db::begin_write(conn).await?;
    let campaign = crate::ops::campaigns::get(&txn, tenant_id, campaign_id).await?;
    let deleted = recommendation_dismissals::Entity::delete_many()
        .filter(recommendation_dismissals::Column::TenantId.eq(tenant_id))
        .filter(recommendation_dismissals::Column::CampaignId.eq(campaign.id))
        .filter(recommendation_dismissals::Column::Kind.eq(kind))
        .exec(&txn)
        .await?
        .rows_affected;
    if deleted > 0 {
        crate::ops::audit::record(
            &txn,
            tenant_id,
            principal,
            "recommendation.restored",
            "campaign",
            Some(campaign.id),
            serde_json::json!({ "kind": kind }),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(deleted > 0)
}

/// A campaign's dismissed insight kinds (the campaign is assumed to be the tenant's: callers
/// have read it).
pub async fn dismissals(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
) -> Result<Vec<recommendation_dismissals::Model>> {
    Ok(recommendation_dismissals::Entity::find()
        .filter(recommendation_dismissals::Column::TenantId.eq(tenant_id))
        .filter(recommendation_dismissals::Column::CampaignId.eq(campaign_id))
        .order_by_asc(recommendation_dismissals::Column::Kind)
        .all(conn)
        .await?)
}

/// A campaign's applied recommendations, latest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
) -> Result<Vec<applied_recommendations::Model>> {
    let campaign = crate::ops::campaigns::get(conn, tenant_id, campaign_id).await?;
    Ok(applied_recommendations::Entity::find()
        .filter(applied_recommendations::Column::TenantId.eq(tenant_id))
        .filter(applied_recommendations::Column::CampaignId.eq(campaign.id))
        .order_by_desc(applied_recommendations::Column::AppliedAt)
        .order_by_desc(applied_recommendations::Column::Id)
        .all(conn)
        .await?)
}

/// One applied recommendation and the change in its campaign's click-to-customer rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    /// The recommendation.
    pub recommendation: applied_recommendations::Model,
    /// The local days compared.
    pub windows: Windows,
    /// Counts over the days before.
    pub before: Counts,
    /// Counts over the days after.
    pub after: Counts,
    /// The rates and their comparison (A = after, B = before).
    pub change: BeforeAfter,
    /// Whether the days after have all passed (otherwise the after side is partial).
    pub complete: bool,
}

/// The impact of each recommendation applied in `[from, to)` in the tenant, oldest first: new
/// customers over clicks (the rollups' click-to-customer rate) over the 14 local days before the
/// day it was applied against the 14 after.
pub async fn impacts(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Impact>> {
    let applied = applied_recommendations::Entity::find()
        .filter(applied_recommendations::Column::TenantId.eq(tenant_id))
        .filter(applied_recommendations::Column::AppliedAt.gte(from))
        .filter(applied_recommendations::Column::AppliedAt.lt(to))
        .order_by_asc(applied_recommendations::Column::AppliedAt)
        .order_by_asc(applied_recommendations::Column::Id)
        .all(conn)
        .await?;
    let mut campaigns: HashMap<Uuid, campaigns::Model> = HashMap::new();
    let mut out = Vec::with_capacity(applied.len());
    for recommendation in applied {
        let campaign = match campaigns.get(&recommendation.campaign_id) {
            Some(c) => c.clone(),
            None => {
                let c =
                    crate::ops::campaigns::get(conn, tenant_id, recommendation.campaign_id).await?;
                campaigns.insert(c.id, c.clone());
                c
            }
        };
        let tz = calendar::zone(&campaign.time_zone);
        let windows = before_after::windows(calendar::local_day(tz, recommendation.applied_at));
        let before = campaign_totals(conn, &campaign, windows.before.0, windows.before.1).await?;
        let after = campaign_totals(conn, &campaign, windows.after.0, windows.after.1).await?;
        let counts = |t: &Counts| {
            (
                u64::try_from(t.customers).unwrap_or(0),
                u64::try_from(t.clicks).unwrap_or(0),
            )
        };
        let change = BeforeAfter::new(counts(&before), counts(&after), Confidence::P95);
        let complete = now >= calendar::day_span(tz, windows.after.1).1;
        out.push(Impact {
            recommendation,
            windows,
            before,
            after,
            change,
            complete,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_insight_kind_is_unique() {
        let mut kinds: Vec<&str> = INSIGHT_KINDS.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), INSIGHT_KINDS.len());
    }
}

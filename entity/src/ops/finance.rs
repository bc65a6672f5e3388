//! Finance's reports: reconciliation against the providers, what the tenant owes (liability),
//! each campaign's cost against its budget, payout totals of a period, and the CSV exports of
//! payouts and of the ledger. Every query is scoped to the caller's tenant.

use crate::ops::{jobs::Reconcile, outbox::enqueue};
use crate::{
    db::begin_write,
    tables::{
        PayoutStatus, ReconciliationStatus, RewardStatus, RewardType, campaigns, ledger_entries,
        participants, payouts, reconciliation_items, reconciliations, rewards,
    },
};
use chrono::{DateTime, Duration, Utc};
use futures::Stream;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::audit;
use crate::{
    ops::error::{Error, Result},
    ops::principal::Principal,
};

/// The longest period one reconciliation or export covers.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First instant inside.
    pub from: DateTime<Utc>,
    /// First instant after.
    pub to: DateTime<Utc>,
}

impl Period {
    /// Validates that `from` is before `to` and the span is at most [`MAX_PERIOD_DAYS`].
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self> {
        if from >= to {
            return Err(Error::invalid("to", "must be after `from`"));
        }
        if to - from > Duration::days(MAX_PERIOD_DAYS) {
            return Err(Error::invalid(
                "to",
                format!("a period spans at most {MAX_PERIOD_DAYS} days"),
            ));
        }
        Ok(Self { from, to })
    }
}

/// Start a reconciliation of the period: the worker compares and records what it finds.
pub async fn start_reconciliation(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    period: Period,
    now: DateTime<Utc>,
) -> Result<reconciliations::Model> {
    let txn = begin_write(conn).await?;
    let run = reconciliations::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        period_from: Set(period.from),
        period_to: Set(period.to),
        status: Set(ReconciliationStatus::Running),
        requested_by: Set(user_id),
        checked: Set(0),
        matched: Set(0),
        mismatched: Set(0),
        error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    enqueue(
        &txn,
        Some(tenant_id),
        &Reconcile {
            reconciliation_id: run.id,
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "reconciliation.start",
        "reconciliation",
        Some(run.id),
        json!({ "from": period.from, "to": period.to }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(run)
}

/// One reconciliation of the tenant.
pub async fn reconciliation(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<reconciliations::Model> {
    crate::ops::tenancy::find_in_tenant::<reconciliations::Entity>(conn, tenant_id, id).await
}

/// What a reconciliation found, in the order it found it.
pub async fn reconciliation_items(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    reconciliation_id: Uuid,
) -> Result<Vec<reconciliation_items::Model>> {
    Ok(reconciliation_items::Entity::find()
        .filter(reconciliation_items::Column::TenantId.eq(tenant_id))
        .filter(reconciliation_items::Column::ReconciliationId.eq(reconciliation_id))
        .order_by_asc(reconciliation_items::Column::Id)
        .all(conn)
        .await?)
}

/// What the tenant owes in one currency and reward type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Liability {
    /// ISO currency.
    pub currency: String,
    /// Cash, coupon, credit or gift card.
    pub reward_type: RewardType,
    /// Rewards still in their hold period: their value, net of partial reversals.
    pub held_minor: i64,
    /// How many.
    pub held_count: i64,
    /// Rewards released (approved) but not yet paid or delivered.
    pub unpaid_minor: i64,
    /// How many.
    pub unpaid_count: i64,
}

type LiabilityRow = (String, RewardType, RewardStatus, i64, i64);

/// Held and approved-but-unpaid rewards, by currency and reward type.
pub async fn liability(conn: &impl ConnectionTrait, tenant_id: Uuid) -> Result<Vec<Liability>> {
    let rows: Vec<LiabilityRow> = rewards::Entity::find()
        .select_only()
        .column(rewards::Column::Currency)
        .column(rewards::Column::RewardType)
        .column(rewards::Column::Status)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor - reversed_minor), 0) AS BIGINT)"),
            "value",
        )
        .filter(rewards::Column::TenantId.eq(tenant_id))
        .filter(rewards::Column::Status.is_in([RewardStatus::Held, RewardStatus::Released]))
        .group_by(rewards::Column::Currency)
        .group_by(rewards::Column::RewardType)
        .group_by(rewards::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: Vec<Liability> = Vec::new();
    for (currency, reward_type, status, count, value) in rows {
        let i = match out
            .iter()
            .position(|l| l.currency == currency && l.reward_type == reward_type)
        {
            Some(i) => i,
            None => {
                out.push(Liability {
                    currency: currency.clone(),
                    reward_type,
                    held_minor: 0,
                    held_count: 0,
                    unpaid_minor: 0,
                    unpaid_count: 0,
                });
                out.len() - 1
            }
        };
        if status == RewardStatus::Held {
            out[i].held_minor += value;
            out[i].held_count += count;
        } else {
            out[i].unpaid_minor += value;
            out[i].unpaid_count += count;
        }
    }
    out.sort_by(|a, b| {
        (&a.currency, a.reward_type.as_str()).cmp(&(&b.currency, b.reward_type.as_str()))
    });
    Ok(out)
}

/// A campaign's cost to date against its budget, in the campaign's currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignCost {
    /// ISO currency of the campaign (its rewards and budget).
    pub currency: String,
    /// The cap, if any.
    pub budget_minor: Option<i64>,
    /// Budget reserved by the rewards created so far (reversals give it back): what counts
    /// against the cap.
    pub committed_minor: i64,
    /// Of that, still in hold.
    pub held_minor: i64,
    /// Released, not yet paid or delivered.
    pub unpaid_minor: i64,
    /// Paid out or delivered.
    pub settled_minor: i64,
    /// Reversed (refunds, fraud) so far.
    pub reversed_minor: i64,
    /// Budget left (`None` without a cap).
    pub remaining_minor: Option<i64>,
}

type CostRow = (RewardStatus, i64, i64);

/// Cost to date of one campaign of the tenant.
pub async fn campaign_cost(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
) -> Result<CampaignCost> {
    let campaign =
        crate::ops::tenancy::find_in_tenant::<campaigns::Entity>(conn, tenant_id, campaign_id)
            .await?;
    let rows: Vec<CostRow> = rewards::Entity::find()
        .select_only()
        .column(rewards::Column::Status)
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor - reversed_minor), 0) AS BIGINT)"),
            "value",
        )
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(reversed_minor), 0) AS BIGINT)"),
            "reversed",
        )
        .filter(rewards::Column::TenantId.eq(tenant_id))
        .filter(rewards::Column::CampaignId.eq(campaign_id))
        .group_by(rewards::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let mut cost = CampaignCost {
        currency: campaign.currency.clone(),
        budget_minor: campaign.budget_minor,
        committed_minor: campaign.budget_reserved_minor,
        ..CampaignCost::default()
    };
    for (status, value, reversed) in rows {
        cost.reversed_minor += reversed;
        match status {
            RewardStatus::Held => cost.held_minor += value,
            RewardStatus::Released => cost.unpaid_minor += value,
            RewardStatus::Paid | RewardStatus::Fulfilled => cost.settled_minor += value,
            RewardStatus::Reversed => {}
        }
    }
    cost.remaining_minor = campaign
        .budget_minor
        .map(|b| (b - cost.committed_minor).max(0));
    Ok(cost)
}

/// Payouts of one currency and status created in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutTotal {
    /// ISO currency.
    pub currency: String,
    /// Their status now.
    pub status: PayoutStatus,
    /// How many.
    pub count: i64,
    /// Their sum.
    pub amount_minor: i64,
}

type TotalRow = (String, PayoutStatus, i64, i64);

/// Payout totals by currency and status, for payouts created in the period.
pub async fn payout_totals(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    period: Period,
) -> Result<Vec<PayoutTotal>> {
    let rows: Vec<TotalRow> = payouts::Entity::find()
        .select_only()
        .column(payouts::Column::Currency)
        .column(payouts::Column::Status)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"),
            "total",
        )
        .filter(payouts::Column::TenantId.eq(tenant_id))
        .filter(payouts::Column::CreatedAt.gte(period.from))
        .filter(payouts::Column::CreatedAt.lt(period.to))
        .group_by(payouts::Column::Currency)
        .group_by(payouts::Column::Status)
        .order_by_asc(payouts::Column::Currency)
        .order_by_asc(payouts::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(currency, status, count, amount_minor)| PayoutTotal {
            currency,
            status,
            count,
            amount_minor,
        })
        .collect())
}

/// Rows per database read while streaming an export.
const EXPORT_PAGE: u64 = 1_000;

/// The payouts export's columns, in order (documented in the README; only ever appended to).
pub const PAYOUT_COLUMNS: &[&str] = &[
    "payout_id",
    "participant_id",
    "participant_external_id",
    "status",
    "provider",
    "provider_ref",
    "currency",
    "amount_minor",
    "attempts",
    "created_at",
    "approved_at",
    "paid_at",
    "last_error",
];

/// The ledger export's columns, in order (documented in the README; only ever appended to).
pub const LEDGER_COLUMNS: &[&str] = &[
    "entry_id",
    "created_at",
    "available_at",
    "participant_id",
    "participant_external_id",
    "account",
    "kind",
    "currency",
    "amount_minor",
    "reward_id",
    "payout_id",
    "campaign_id",
    "memo",
];

/// Which export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Payouts created in the period.
    Payouts,
    /// Ledger entries written in the period (optionally one participant's).
    Ledger {
        /// Only this participant.
        participant_id: Option<Uuid>,
    },
}

/// Stream an export as CSV chunks: the header, then one chunk per page of rows, read by keyset
/// (ids are time-ordered), so memory stays flat however long the period.
pub fn export_csv(
    db: DatabaseConnection,
    tenant_id: Uuid,
    period: Period,
    export: Export,
) -> impl Stream<Item = Result<Vec<u8>>> {
    let header = match export {
        Export::Payouts => PAYOUT_COLUMNS,
        Export::Ledger { .. } => LEDGER_COLUMNS,
    };
    let state = (Some(header), None::<Uuid>, false);
    futures::stream::try_unfold(state, move |(header, after, done)| {
        let db = db.clone();
        async move {
            if let Some(header) = header {
                let chunk = csv_rows(std::iter::once(header.iter().map(|h| h.to_string())))?;
                return Ok(Some((chunk, (None, after, false))));
            }
            if done {
                return Ok(None);
            }
            let (rows, last) = match export {
                Export::Payouts => payout_page(&db, tenant_id, period, after).await?,
                Export::Ledger { participant_id } => {
                    ledger_page(&db, tenant_id, period, participant_id, after).await?
                }
            };
            let full = rows.len() as u64 == EXPORT_PAGE;
            if rows.is_empty() {
                return Ok(None);
            }
            Ok(Some((csv_rows(rows.into_iter())?, (None, last, !full))))
        }
    })
}

/// CSV-encode rows (quoting as RFC 4180 asks), neutralising cells a spreadsheet would run.
pub fn csv_rows<R, I>(rows: R) -> Result<Vec<u8>>
where
    R: Iterator<Item = I>,
    I: IntoIterator<Item = String>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row.into_iter().map(|v| neutralise(&v)))
            .map_err(|e| Error::Internal(e.into()))?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `@`, tab, CR; `-` unless it is a
/// number) gets a leading apostrophe: exports are opened in spreadsheets.
fn neutralise(value: &str) -> String {
    let risky = match value.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => value.parse::<f64>().is_err(),
        _ => false,
    };
    if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

type Page = (Vec<Vec<String>>, Option<Uuid>);

/// External ids of the participants on one page.
async fn external_ids(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: Vec<Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>> {
    Ok(participants::Entity::find()
        .select_only()
        .column(participants::Column::Id)
        .column(participants::Column::ExternalId)
        .filter(participants::Column::TenantId.eq(tenant_id))
        .filter(participants::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

async fn payout_page(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    period: Period,
    after: Option<Uuid>,
) -> Result<Page> {
    let mut q = payouts::Entity::find()
        .filter(payouts::Column::TenantId.eq(tenant_id))
        .filter(payouts::Column::CreatedAt.gte(period.from))
        .filter(payouts::Column::CreatedAt.lt(period.to));
    if let Some(after) = after {
        q = q.filter(payouts::Column::Id.gt(after));
    }
    let page = q
        .order_by_asc(payouts::Column::Id)
        .limit(EXPORT_PAGE)
        .all(conn)
        .await?;
    let names = external_ids(
        conn,
        tenant_id,
        page.iter().map(|p| p.participant_id).collect(),
    )
    .await?;
    let last = page.last().map(|p| p.id);
    let rows = page
        .into_iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.participant_id.to_string(),
                names.get(&p.participant_id).cloned().unwrap_or_default(),
                p.status.to_string(),
                p.provider.to_string(),
                p.provider_ref.unwrap_or_default(),
                p.currency,
                p.amount_minor.to_string(),
                p.attempts.to_string(),
                time(p.created_at),
                opt(p.approved_at.map(time)),
                opt(p.paid_at.map(time)),
                p.last_error.unwrap_or_default(),
            ]
        })
        .collect();
    Ok((rows, last))
}

async fn ledger_page(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    period: Period,
    participant_id: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<Page> {
    let mut q = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::TenantId.eq(tenant_id))
        .filter(ledger_entries::Column::CreatedAt.gte(period.from))
        .filter(ledger_entries::Column::CreatedAt.lt(period.to));
    if let Some(p) = participant_id {
        q = q.filter(ledger_entries::Column::ParticipantId.eq(p));
    }
    if let Some(after) = after {
        q = q.filter(ledger_entries::Column::Id.gt(after));
    }
    let page = q
        .order_by_asc(ledger_entries::Column::Id)
        .limit(EXPORT_PAGE)
        .all(conn)
        .await?;
    let names = external_ids(
        conn,
        tenant_id,
        page.iter().map(|e| e.participant_id).collect(),
    )
    .await?;
    let last = page.last().map(|e| e.id);
    let rows = page
        .into_iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                time(e.created_at),
                time(e.available_at),
                e.participant_id.to_string(),
                names.get(&e.participant_id).cloned().unwrap_or_default(),
                e.account.to_string(),
                e.kind.to_string(),
                e.currency,
                e.amount_minor.to_string(),
                opt(e.reward_id),
                opt(e.payout_id),
                opt(e.campaign_id),
                e.memo,
            ]
        })
        .collect();
    Ok((rows, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_runs_forwards_and_is_bounded() {
        let t = Utc::now();
        assert!(Period::new(t, t).is_err());
        assert!(Period::new(t, t - Duration::seconds(1)).is_err());
        assert!(Period::new(t, t + Duration::days(MAX_PERIOD_DAYS + 1)).is_err());
        assert!(Period::new(t, t + Duration::days(MAX_PERIOD_DAYS)).is_ok());
    }

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_neutralised() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("@x"), "'@x");
        assert_eq!(neutralise("-cmd"), "'-cmd");
        assert_eq!(neutralise("-300"), "-300");
        assert_eq!(neutralise("payout 1"), "payout 1");
    }

    #[test]
    fn rows_are_quoted_as_rfc_4180_asks() {
        let out = csv_rows(std::iter::once(vec![
            "a,b".to_owned(),
            "say \"hi\"".to_owned(),
            "line\nbreak".to_owned(),
        ]))
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\"\n"
        );
    }
}

//! Rollups: reports read per campaign, local day, link, channel and offer variant counters
//! instead of raw events; beside the per-link rows, each bucket holds the campaign's summary rows
//! (nil link) per channel and variant, which is what campaign reports read. A bucket (campaign, day) is always recomputed whole from the events of that day, so
//! recomputing is idempotent: the `rollup.refresh` job recomputes the buckets that saw a change
//! since its last pass (found by each source's change time, with an overlap for transactions
//! that commit late), and `grapevine rollup --rebuild` recomputes them all.
//!
//! Which day an event counts on: a click when it happened; a lead (a referred customer tied to a
//! referrer) when it was attributed, under its current fraud status; an order when it happened,
//! net of refunds, a first purchase on its referral's first order; a reward when it was created
//! (net of reversals) and, settled, when it was paid or delivered. A lead, order or reward counts
//! on its referral's link and channel (the channel of the click that brought the customer, else
//! the link's).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::{
    db::begin_write,
    domain::calendar::{self, Tz},
    ops::counts::Counts,
    tables::{
        Channel, ReferralStatus, RewardSide, campaigns, clicks, conversions, enrolments,
        referral_links, referrals, refunds, rewards, rollup_watermarks, rollups,
    },
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, ExprTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionSession, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

/// A bucket: one campaign's local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bucket {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The local day.
    pub day: NaiveDate,
}

/// (link — nil for the summary rows —, channel, variant — nil for none).
type Key = (Uuid, String, Uuid);
/// (link, channel) while counting.
type LinkKey = (Uuid, String);

fn channel_name(channel: Option<Channel>) -> String {
    channel.map(|c| c.as_str().to_owned()).unwrap_or_default()
}

/// Where each referral counts: its link and channel.
async fn referral_keys(
    conn: &impl ConnectionTrait,
    ids: &BTreeSet<Uuid>,
) -> Result<HashMap<Uuid, LinkKey>, DbErr> {
    let mut out = HashMap::new();
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    for chunk in ids.chunks(500) {
        type Row = (Uuid, Uuid, Option<Channel>, Option<Channel>);
        let rows: Vec<Row> = referrals::Entity::find()
            .select_only()
            .column(referrals::Column::Id)
            .column(referrals::Column::LinkId)
            .column_as(clicks::Column::Channel, "click_channel")
            .column_as(referral_links::Column::Channel, "link_channel")
            .join(
                JoinType::LeftJoin,
                referrals::Entity::belongs_to(clicks::Entity)
                    .from(referrals::Column::ClickId)
                    .to(clicks::Column::Id)
                    .into(),
            )
            .join(
                JoinType::LeftJoin,
                referrals::Entity::belongs_to(referral_links::Entity)
                    .from(referrals::Column::LinkId)
                    .to(referral_links::Column::Id)
                    .into(),
            )
            .filter(referrals::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, link, click_channel, link_channel) in rows {
            out.insert(id, (link, channel_name(click_channel.or(link_channel))));
        }
    }
    Ok(out)
}

/// Every counter of one bucket, from the events.
pub async fn count(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    day: NaiveDate,
) -> Result<BTreeMap<Key, Counts>, DbErr> {
    let tz: Tz = calendar::zone(&campaign.time_zone);
    let (start, end) = calendar::day_span(tz, day);
    let mut out: BTreeMap<LinkKey, Counts> = BTreeMap::new();

    let day_clicks: Vec<(Uuid, Option<Channel>, String)> = clicks::Entity::find()
        .select_only()
        .column(clicks::Column::LinkId)
        .column(clicks::Column::Channel)
        .column(clicks::Column::VisitorHash)
        .filter(clicks::Column::CampaignId.eq(campaign.id))
        .filter(clicks::Column::CreatedAt.gte(start))
        .filter(clicks::Column::CreatedAt.lt(end))
        .into_tuple()
        .all(conn)
        .await?;
    for (link, channel, visitor) in day_clicks {
        let c = out.entry((link, channel_name(channel))).or_default();
        c.clicks += 1;
        c.visitors.insert(&visitor);
    }

    let leads: Vec<(Uuid, ReferralStatus)> = referrals::Entity::find()
        .select_only()
        .column(referrals::Column::Id)
        .column(referrals::Column::Status)
        .filter(referrals::Column::CampaignId.eq(campaign.id))
        .filter(referrals::Column::AttributedAt.gte(start))
        .filter(referrals::Column::AttributedAt.lt(end))
        .into_tuple()
        .all(conn)
        .await?;
    let orders: Vec<conversions::Model> = conversions::Entity::find()
        .filter(conversions::Column::CampaignId.eq(campaign.id))
        .filter(conversions::Column::ReferralId.is_not_null())
        .filter(conversions::Column::OccurredAt.gte(start))
        .filter(conversions::Column::OccurredAt.lt(end))
        .all(conn)
        .await?;
    type RewardRow = (
        Uuid,
        RewardSide,
        i64,
        i64,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    let day_rewards: Vec<RewardRow> = rewards::Entity::find()
        .select_only()
        .column(rewards::Column::ReferralId)
        .column(rewards::Column::Side)
        .column(rewards::Column::AmountMinor)
        .column(rewards::Column::ReversedMinor)
        .column(rewards::Column::CreatedAt)
        .column(rewards::Column::SettledAt)
        .filter(rewards::Column::CampaignId.eq(campaign.id))
        .filter(
            sea_orm::Condition::any()
                .add(
                    rewards::Column::CreatedAt
                        .gte(start)
                        .and(rewards::Column::CreatedAt.lt(end)),
                )
                .add(
                    rewards::Column::SettledAt
                        .gte(start)
                        .and(rewards::Column::SettledAt.lt(end)),
                ),
        )
        .into_tuple()
        .all(conn)
        .await?;

    let mut involved: BTreeSet<Uuid> = leads.iter().map(|(id, _)| *id).collect();
    involved.extend(orders.iter().filter_map(|o| o.referral_id));
    involved.extend(day_rewards.iter().map(|r| r.0));
    let keys = referral_keys(conn, &involved).await?;
    let key_of = |referral: Uuid| keys.get(&referral).cloned();

    for (id, status) in leads {
        let Some(key) = key_of(id) else { continue };
        let c = out.entry(key).or_default();
        c.leads += 1;
        match status {
            ReferralStatus::Approved => c.approved += 1,
            ReferralStatus::Rejected => c.rejected += 1,
            _ => c.in_review += 1,
        }
    }

    let firsts = first_orders(conn, orders.iter().filter_map(|o| o.referral_id).collect()).await?;
    for order in &orders {
        let Some(referral) = order.referral_id else {
            continue;
        };
        let Some(key) = key_of(referral) else {
            continue;
        };
        let c = out.entry(key).or_default();
        c.orders += 1;
        c.revenue_minor += net_revenue(order, &campaign.currency);
        if firsts.get(&referral) == Some(&order.id) {
            c.customers += 1;
        }
    }

    for (referral, side, amount, reversed, created, settled) in day_rewards {
        let Some(key) = key_of(referral) else {
            continue;
        };
        let c = out.entry(key).or_default();
        let value = amount - reversed;
        if created >= start && created < end {
            match side {
                RewardSide::Referrer => c.referrer_reward_minor += value,
                RewardSide::Referee => c.referee_reward_minor += value,
            }
        }
        if settled.is_some_and(|s| s >= start && s < end) {
            c.settled_reward_minor += value;
        }
    }
    let variants = link_variants(conn, out.keys().map(|k| k.0).collect()).await?;
    let mut keyed: BTreeMap<Key, Counts> = BTreeMap::new();
    for ((link, channel), c) in out {
        let variant = variants.get(&link).copied().unwrap_or_else(Uuid::nil);
        keyed
            .entry((Uuid::nil(), channel.clone(), variant))
            .or_default()
            .absorb(&c);
        keyed.insert((link, channel, variant), c);
    }
    Ok(keyed)
}

/// The offer variant of each link's enrolment (links without one are left out).
async fn link_variants(
    conn: &impl ConnectionTrait,
    links: BTreeSet<Uuid>,
) -> Result<HashMap<Uuid, Uuid>, DbErr> {
    let mut out = HashMap::new();
    let links: Vec<Uuid> = links.into_iter().collect();
    for chunk in links.chunks(500) {
        let rows: Vec<(Uuid, Option<Uuid>)> = referral_links::Entity::find()
            .select_only()
            .column(referral_links::Column::Id)
            .column(enrolments::Column::VariantId)
            .join(
                JoinType::InnerJoin,
                referral_links::Entity::belongs_to(enrolments::Entity)
                    .from(referral_links::Column::EnrolmentId)
                    .to(enrolments::Column::Id)
                    .into(),
            )
            .filter(referral_links::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows.into_iter().filter_map(|(l, v)| v.map(|v| (l, v))));
    }
    Ok(out)
}

/// An order's value in the campaign's currency, net of refunds (refunds in proportion, rounded
/// down; an order in another currency without a converted amount counts 0).
pub fn net_revenue(order: &conversions::Model, campaign_currency: &str) -> i64 {
    let gross = match order.campaign_amount_minor {
        Some(v) => v,
        None if order.currency.eq_ignore_ascii_case(campaign_currency) => order.amount_minor,
        None => return 0,
    };
    if order.amount_minor <= 0 {
        return 0;
    }
    let kept = (order.amount_minor - order.refunded_minor).clamp(0, order.amount_minor);
    i64::try_from(i128::from(gross) * i128::from(kept) / i128::from(order.amount_minor))
        .unwrap_or(0)
}

/// Each referral's first order (earliest `occurred_at`, then smallest id).
async fn first_orders(
    conn: &impl ConnectionTrait,
    referrals: BTreeSet<Uuid>,
) -> Result<HashMap<Uuid, Uuid>, DbErr> {
    let mut out: HashMap<Uuid, (DateTime<Utc>, Uuid)> = HashMap::new();
    let ids: Vec<Uuid> = referrals.into_iter().collect();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Option<Uuid>, DateTime<Utc>, Uuid)> = conversions::Entity::find()
            .select_only()
            .column(conversions::Column::ReferralId)
            .column(conversions::Column::OccurredAt)
            .column(conversions::Column::Id)
            .filter(conversions::Column::ReferralId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (referral, at, id) in rows {
            let Some(referral) = referral else { continue };
            let first = out.entry(referral).or_insert((at, id));
            if (at, id) < *first {
                *first = (at, id);
            }
        }
    }
    Ok(out.into_iter().map(|(r, (_, id))| (r, id)).collect())
}

/// Recompute one bucket and store what differs from what was stored (rows of the bucket that
/// did not change are left alone, so a quiet bucket recomputed in the overlap writes nothing).
/// Returns the rows written or removed.
pub async fn recompute(
    db: &impl TransactionTrait,
    campaign: &campaigns::Model,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let txn = begin_write(db).await?;
    let day_text = day.format("%Y-%m-%d").to_string();
    // Two passes may recompute the same bucket at once (the pass of one worker can outlast the
    // interval, and the next slot's pass runs on another): one at a time per bucket, or both
    // would insert its new rows. SQLite's write transaction is already exclusive.
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [format!("rollup:{}:{day_text}", campaign.id).into()],
        ))
        .await?;
    }
    let mut counted = count(&txn, campaign, day).await?;
    let stored = rollups::Entity::find()
        .filter(rollups::Column::CampaignId.eq(campaign.id))
        .filter(rollups::Column::Day.eq(day_text.as_str()))
        .all(&txn)
        .await?;
    let mut written = 0;
    let mut gone = Vec::new();
    for row in stored {
        let key = (row.link_id, row.channel.clone(), row.variant_id);
        match counted.remove(&key) {
            Some(c) if same(&row, &c) => {}
            Some(c) => {
                let mut m: rollups::ActiveModel = row.into();
                fill(&mut m, &c, now);
                rollups::Entity::update(m).exec(&txn).await?;
                written += 1;
            }
            None => gone.push(row.id),
        }
    }
    if !gone.is_empty() {
        written += gone.len();
        rollups::Entity::delete_many()
            .filter(rollups::Column::Id.is_in(gone))
            .exec(&txn)
            .await?;
    }
    let rows: Vec<rollups::ActiveModel> = counted
        .into_iter()
        .map(|((link_id, channel, variant_id), c)| {
            let mut m = rollups::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(campaign.tenant_id),
                campaign_id: Set(campaign.id),
                day: Set(day_text.clone()),
                link_id: Set(link_id),
                channel: Set(channel),
                variant_id: Set(variant_id),
                ..Default::default()
            };
            fill(&mut m, &c, now);
            m
        })
        .collect();
    written += rows.len();
    for chunk in rows.chunks(200) {
        rollups::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(written)
}

/// Whether a stored row already holds these counters.
fn same(row: &rollups::Model, c: &Counts) -> bool {
    (
        row.clicks,
        row.leads,
        row.approved,
        row.in_review,
        row.rejected,
        row.first_purchases,
        row.orders,
        row.revenue_minor,
        row.referrer_reward_minor,
        row.referee_reward_minor,
        row.settled_reward_minor,
    ) == (
        c.clicks,
        c.leads,
        c.approved,
        c.in_review,
        c.rejected,
        c.customers,
        c.orders,
        c.revenue_minor,
        c.referrer_reward_minor,
        c.referee_reward_minor,
        c.settled_reward_minor,
    ) && row.visitors == c.visitors.to_bytes()
}

fn fill(m: &mut rollups::ActiveModel, c: &Counts, now: DateTime<Utc>) {
    m.clicks = Set(c.clicks);
    m.visitors = Set(c.visitors.to_bytes());
    m.leads = Set(c.leads);
    m.approved = Set(c.approved);
    m.in_review = Set(c.in_review);
    m.rejected = Set(c.rejected);
    m.first_purchases = Set(c.customers);
    m.orders = Set(c.orders);
    m.revenue_minor = Set(c.revenue_minor);
    m.referrer_reward_minor = Set(c.referrer_reward_minor);
    m.referee_reward_minor = Set(c.referee_reward_minor);
    m.settled_reward_minor = Set(c.settled_reward_minor);
    m.updated_at = Set(now);
}

/// The event sources the refresh watches, each with its change-time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// New clicks.
    Clicks,
    /// Referrals attributed or re-decided.
    Referrals,
    /// New orders.
    Conversions,
    /// New refunds (their order's day changes).
    Refunds,
    /// Rewards created, reversed or settled.
    Rewards,
}

impl Source {
    /// All of them.
    pub const ALL: [Source; 5] = [
        Source::Clicks,
        Source::Referrals,
        Source::Conversions,
        Source::Refunds,
        Source::Rewards,
    ];

    fn name(self) -> &'static str {
        match self {
            Source::Clicks => "clicks",
            Source::Referrals => "referrals",
            Source::Conversions => "conversions",
            Source::Refunds => "refunds",
            Source::Rewards => "rewards",
        }
    }
}

/// Rows read per source per pass; a busier source is taken in over several passes.
const PASS_LIMIT: u64 = 20_000;

/// (campaign, event time, change time) of the rows changed after `since`, oldest change first.
type Changed = Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>;

async fn changed(
    conn: &impl ConnectionTrait,
    source: Source,
    since: DateTime<Utc>,
) -> Result<Changed, DbErr> {
    match source {
        Source::Clicks => {
            let rows: Vec<(Uuid, DateTime<Utc>)> = clicks::Entity::find()
                .select_only()
                .column(clicks::Column::CampaignId)
                .column(clicks::Column::CreatedAt)
                .filter(clicks::Column::CreatedAt.gt(since))
                .order_by_asc(clicks::Column::CreatedAt)
                .limit(PASS_LIMIT)
                .into_tuple()
                .all(conn)
                .await?;
            Ok(rows.into_iter().map(|(c, t)| (c, t, t)).collect())
        }
        Source::Referrals => {
            referrals::Entity::find()
                .select_only()
                .column(referrals::Column::CampaignId)
                .column(referrals::Column::AttributedAt)
                .column(referrals::Column::UpdatedAt)
                .filter(referrals::Column::UpdatedAt.gt(since))
                .order_by_asc(referrals::Column::UpdatedAt)
                .limit(PASS_LIMIT)
                .into_tuple()
                .all(conn)
                .await
        }
        Source::Conversions => {
            let rows: Vec<(Option<Uuid>, DateTime<Utc>, DateTime<Utc>)> =
                conversions::Entity::find()
                    .select_only()
                    .column(conversions::Column::CampaignId)
                    .column(conversions::Column::OccurredAt)
                    .column(conversions::Column::CreatedAt)
                    .filter(conversions::Column::CreatedAt.gt(since))
                    .order_by_asc(conversions::Column::CreatedAt)
                    .limit(PASS_LIMIT)
                    .into_tuple()
                    .all(conn)
                    .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(c, t, u)| c.map(|c| (c, t, u)))
                .collect())
        }
        Source::Refunds => {
            let rows: Vec<(Option<Uuid>, DateTime<Utc>, DateTime<Utc>)> = refunds::Entity::find()
                .select_only()
                .column(conversions::Column::CampaignId)
                .column(conversions::Column::OccurredAt)
                .column(refunds::Column::CreatedAt)
                .join(
                    JoinType::InnerJoin,
                    refunds::Entity::belongs_to(conversions::Entity)
                        .from(refunds::Column::ConversionId)
                        .to(conversions::Column::Id)
                        .into(),
                )
                .filter(refunds::Column::CreatedAt.gt(since))
                .order_by_asc(refunds::Column::CreatedAt)
                .limit(PASS_LIMIT)
                .into_tuple()
                .all(conn)
                .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(c, t, u)| c.map(|c| (c, t, u)))
                .collect())
        }
        Source::Rewards => {
            type Row = (Uuid, DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>);
            let rows: Vec<Row> = rewards::Entity::find()
                .select_only()
                .column(rewards::Column::CampaignId)
                .column(rewards::Column::CreatedAt)
                .column(rewards::Column::SettledAt)
                .column(rewards::Column::UpdatedAt)
                .filter(rewards::Column::UpdatedAt.gt(since))
                .order_by_asc(rewards::Column::UpdatedAt)
                .limit(PASS_LIMIT)
                .into_tuple()
                .all(conn)
                .await?;
            Ok(rows
                .into_iter()
                .flat_map(|(c, created, settled, u)| {
                    std::iter::once((c, created, u)).chain(settled.map(|s| (c, s, u)))
                })
                .collect())
        }
    }
}

/// What one refresh pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Buckets recomputed.
    pub buckets: usize,
    /// Rows written.
    pub rows: usize,
    /// Campaigns whose buckets were recomputed.
    pub campaigns: Vec<Uuid>,
}

/// One pass: recompute every bucket an event changed since the last pass (less `overlap`, so a
/// transaction that committed after the last pass read, with an earlier time, is not missed),
/// then move each source's watermark to the latest change it took in.
pub async fn refresh<C>(db: &C, overlap: Duration, now: DateTime<Utc>) -> Result<Refreshed, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let marks: HashMap<String, DateTime<Utc>> = rollup_watermarks::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.source, m.at))
        .collect();
    let mut touched: BTreeMap<Uuid, BTreeSet<DateTime<Utc>>> = BTreeMap::new();
    let mut advanced: Vec<(Source, DateTime<Utc>)> = Vec::new();
    for source in Source::ALL {
        let since = marks
            .get(source.name())
            .map_or(DateTime::<Utc>::UNIX_EPOCH, |at| *at - overlap);
        let rows = changed(db, source, since).await?;
        if let Some(latest) = rows.iter().map(|r| r.2).max() {
            advanced.push((source, latest));
        }
        for (campaign, at, _) in rows {
            touched.entry(campaign).or_default().insert(at);
        }
    }
    let mut done = Refreshed::default();
    if !touched.is_empty() {
        let ids: Vec<Uuid> = touched.keys().copied().collect();
        let found = campaigns::Entity::find()
            .filter(campaigns::Column::Id.is_in(ids))
            .all(db)
            .await?;
        for campaign in found {
            done.campaigns.push(campaign.id);
            let tz = calendar::zone(&campaign.time_zone);
            let days: BTreeSet<NaiveDate> = touched[&campaign.id]
                .iter()
                .map(|t| calendar::local_day(tz, *t))
                .collect();
            for day in days {
                done.rows += recompute(db, &campaign, day, now).await?;
                done.buckets += 1;
            }
        }
    }
    for (source, at) in advanced {
        advance(db, source, at).await?;
    }
    Ok(done)
}

/// Move a source's watermark forward to `at` (never back: passes may finish out of order).
async fn advance(
    conn: &impl ConnectionTrait,
    source: Source,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let moved = rollup_watermarks::Entity::update_many()
        .col_expr(rollup_watermarks::Column::At, Expr::value(at))
        .filter(rollup_watermarks::Column::Source.eq(source.name()))
        .filter(rollup_watermarks::Column::At.lt(at))
        .exec(conn)
        .await?
        .rows_affected;
    if moved == 0 {
        rollup_watermarks::Entity::insert(rollup_watermarks::ActiveModel {
            source: Set(source.name().to_owned()),
            at: Set(at),
        })
        .on_conflict(
            OnConflict::column(rollup_watermarks::Column::Source)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// The earliest and latest `time` of a campaign's rows of one table.
async fn span<E>(
    conn: &impl ConnectionTrait,
    campaign: E::Column,
    time: E::Column,
    id: Uuid,
) -> Result<Vec<DateTime<Utc>>, DbErr>
where
    E: EntityTrait,
{
    type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let row: Option<Span> = E::find()
        .select_only()
        .column_as(time.min(), "lo")
        .column_as(time.max(), "hi")
        .filter(campaign.eq(id))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(row
        .map(|(lo, hi)| lo.into_iter().chain(hi).collect())
        .unwrap_or_default())
}

/// Every bucket of a campaign that has events: its first to its last event day.
pub async fn campaign_days(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
) -> Result<Vec<NaiveDate>, DbErr> {
    let tz = calendar::zone(&campaign.time_zone);
    let id = campaign.id;
    let mut bounds: Vec<DateTime<Utc>> = Vec::new();
    bounds.extend(
        span::<clicks::Entity>(
            conn,
            clicks::Column::CampaignId,
            clicks::Column::CreatedAt,
            id,
        )
        .await?,
    );
    bounds.extend(
        span::<referrals::Entity>(
            conn,
            referrals::Column::CampaignId,
            referrals::Column::AttributedAt,
            id,
        )
        .await?,
    );
    bounds.extend(
        span::<conversions::Entity>(
            conn,
            conversions::Column::CampaignId,
            conversions::Column::OccurredAt,
            id,
        )
        .await?,
    );
    bounds.extend(
        span::<rewards::Entity>(
            conn,
            rewards::Column::CampaignId,
            rewards::Column::CreatedAt,
            id,
        )
        .await?,
    );
    bounds.extend(
        span::<rewards::Entity>(
            conn,
            rewards::Column::CampaignId,
            rewards::Column::SettledAt,
            id,
        )
        .await?,
    );
    let (Some(first), Some(last)) = (bounds.iter().min(), bounds.iter().max()) else {
        return Ok(Vec::new());
    };
    Ok(calendar::days(
        calendar::local_day(tz, *first),
        calendar::local_day(tz, *last),
    )
    .collect())
}

//! Per-request batch loaders. A page of campaigns asks for its reward rules, materials, variants and
//! latest links in one statement each, however many campaigns the page holds (no N+1). A loader
//! lives for one request only, so nothing cached crosses requests, callers or tenants; the ids it
//! is given come from rows its caller's tenant-scoped query already returned.

use std::collections::{BTreeMap, HashMap};

use async_graphql::{
    Context,
    dataloader::{DataLoader, Loader},
};
use grapevine_entity::tables::{
    campaign_materials, campaign_variants, referral_links, reward_rules, rollups,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{error::ApiResult, graphql::ContextExt};

/// The loaders of one request.
pub type Loaders = DataLoader<Batch>;

/// Loads by campaign id, many campaigns per statement.
pub struct Batch {
    db: DatabaseConnection,
}

/// A fresh set of loaders for one request.
pub fn for_request(db: DatabaseConnection) -> Loaders {
    DataLoader::new(Batch { db }, tokio::spawn)
}

/// A campaign's reward rules.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RulesOf(pub Uuid);

/// A campaign's share materials.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaterialsOf(pub Uuid);

/// A campaign's offer variants.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VariantsOf(pub Uuid);

/// A campaign's `first` newest referral links.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LatestLinks {
    /// Campaign.
    pub campaign: Uuid,
    /// How many.
    pub first: u64,
}

/// A campaign's counters since it started, summed from its rollups' summary rows.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LifetimeOf(pub Uuid);

/// What [`LifetimeOf`] loads: one row per campaign that has any rollup.
#[derive(Clone, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct Lifetime {
    /// The campaign.
    pub campaign_id: Uuid,
    /// Counted clicks.
    pub clicks: i64,
    /// Referred customers' first purchases.
    pub customers: i64,
    /// Referred revenue, net of refunds.
    pub revenue_minor: i64,
    /// Rewards of both sides, net of reversals.
    pub reward_minor: i64,
}

/// Load `key` through the request's loaders (or, where a request has none, on its own).
pub async fn load<K, V>(ctx: &Context<'_>, key: K) -> ApiResult<Vec<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Batch: Loader<K, Value = Vec<V>, Error = DbErr>,
{
    let found = match ctx.data_opt::<Loaders>() {
        Some(loaders) => loaders.load_one(key).await?,
        None => {
            let batch = Batch {
                db: ctx.state().db.clone(),
            };
            batch.load(std::slice::from_ref(&key)).await?.remove(&key)
        }
    };
    Ok(found.unwrap_or_default())
}

/// Rows grouped by campaign, each key present (an empty list when it has none).
fn grouped<K, M>(
    keys: &[K],
    campaign_of_key: impl Fn(&K) -> Uuid,
    rows: Vec<M>,
    campaign_of_row: impl Fn(&M) -> Uuid,
) -> HashMap<K, Vec<M>>
where
    K: Clone + Eq + std::hash::Hash,
{
    let mut by_campaign: HashMap<Uuid, Vec<M>> = HashMap::new();
    for row in rows {
        by_campaign
            .entry(campaign_of_row(&row))
            .or_default()
            .push(row);
    }
    keys.iter()
        .map(|k| {
            let rows = by_campaign.remove(&campaign_of_key(k)).unwrap_or_default();
            (k.clone(), rows)
        })
        .collect()
}

impl Loader<RulesOf> for Batch {
    type Value = Vec<reward_rules::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[RulesOf]) -> Result<HashMap<RulesOf, Self::Value>, DbErr> {
        let rows = reward_rules::Entity::find()
            .filter(reward_rules::Column::CampaignId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(reward_rules::Column::Id)
            .all(&self.db)
            .await?;
        Ok(grouped(keys, |k| k.0, rows, |r| r.campaign_id))
    }
}

impl Loader<MaterialsOf> for Batch {
    type Value = Vec<campaign_materials::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[MaterialsOf]) -> Result<HashMap<MaterialsOf, Self::Value>, DbErr> {
        let rows = campaign_materials::Entity::find()
            .filter(campaign_materials::Column::CampaignId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(campaign_materials::Column::Id)
            .all(&self.db)
            .await?;
        Ok(grouped(keys, |k| k.0, rows, |r| r.campaign_id))
    }
}

impl Loader<VariantsOf> for Batch {
    type Value = Vec<campaign_variants::Model>;
    type Error = DbErr;

    async fn load(&self, keys: &[VariantsOf]) -> Result<HashMap<VariantsOf, Self::Value>, DbErr> {
        let rows = campaign_variants::Entity::find()
            .filter(campaign_variants::Column::CampaignId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(campaign_variants::Column::Id)
            .all(&self.db)
            .await?;
        Ok(grouped(keys, |k| k.0, rows, |r| r.campaign_id))
    }
}

impl Loader<LatestLinks> for Batch {
    type Value = Vec<referral_links::Model>;
    type Error = DbErr;

    /// One statement per distinct `first` (a page asks with one): the links numbered per campaign,
    /// newest first, and those numbered up to `first` kept.
    async fn load(&self, keys: &[LatestLinks]) -> Result<HashMap<LatestLinks, Self::Value>, DbErr> {
        let mut by_first: BTreeMap<u64, Vec<LatestLinks>> = BTreeMap::new();
        for key in keys {
            by_first.entry(key.first).or_default().push(*key);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (first, keys) in by_first {
            let numbered = referral_links::Entity::find()
                .filter(referral_links::Column::CampaignId.is_in(keys.iter().map(|k| k.campaign)))
                .column_as(
                    Expr::cust(
                        "ROW_NUMBER() OVER (PARTITION BY campaign_id ORDER BY created_at DESC, id DESC)",
                    ),
                    "position",
                )
                .into_query();
            let latest = Query::select()
                .column(Asterisk)
                .from_subquery(numbered, Alias::new("numbered"))
                .and_where(Expr::col(Alias::new("position")).lte(first))
                .order_by(Alias::new("position"), sea_orm::Order::Asc)
                .to_owned();
            let statement = self.db.get_database_backend().build(&latest);
            let rows = referral_links::Model::find_by_statement(statement)
                .all(&self.db)
                .await?;
            out.extend(grouped(&keys, |k| k.campaign, rows, |r| r.campaign_id));
        }
        Ok(out)
    }
}

impl Loader<LifetimeOf> for Batch {
    type Value = Vec<Lifetime>;
    type Error = DbErr;

    /// One grouped statement over the summary rows (nil link) of every campaign asked for.
    async fn load(&self, keys: &[LifetimeOf]) -> Result<HashMap<LifetimeOf, Self::Value>, DbErr> {
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back so both backends give integers.
        let sum = |expr: &str| Expr::cust(format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)"));
        let rows = rollups::Entity::find()
            .select_only()
            .column(rollups::Column::CampaignId)
            .column_as(sum("clicks"), "clicks")
            .column_as(sum("first_purchases"), "customers")
            .column_as(sum("revenue_minor"), "revenue_minor")
            .column_as(
                sum("referrer_reward_minor + referee_reward_minor"),
                "reward_minor",
            )
            .filter(rollups::Column::CampaignId.is_in(keys.iter().map(|k| k.0)))
            .filter(rollups::Column::LinkId.eq(Uuid::nil()))
            .group_by(rollups::Column::CampaignId)
            .into_model::<Lifetime>()
            .all(&self.db)
            .await?;
        Ok(grouped(keys, |k| k.0, rows, |r| r.campaign_id))
    }
}

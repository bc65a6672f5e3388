//! Orders in another currency than their campaign's: the tenant's exchange rates (`setFxRate`) and
//! the conversion of an order's amount into the campaign's currency.

use crate::{
    domain::{attribution, money::Currency},
    ops::error::{Error, Result},
    tables::fx_rates,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use uuid::Uuid;

pub(super) async fn converted(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    amount_minor: i64,
    from: Currency,
    to: &str,
) -> Result<i64> {
    let to_currency = Currency::parse(to)
        .map_err(|e| Error::Internal(anyhow::anyhow!("campaign currency: {e}")))?;
    let rate = fx_rates::Entity::find()
        .filter(fx_rates::Column::TenantId.eq(tenant_id))
        .filter(fx_rates::Column::Base.eq(from.code()))
        .filter(fx_rates::Column::Quote.eq(to))
        .one(conn)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "currency",
                format!(
                    "the campaign is in {to} and no {}→{to} rate is set: set one with setFxRate",
                    from.code()
                ),
            )
        })?;
    attribution::convert(amount_minor, from, to_currency, rate.rate_ppm)
        .ok_or_else(|| Error::invalid("amountMinor", "too large to convert"))
}

/// `setFxRate`: one unit of `base` is worth `rate_ppm / 1e6` of `quote`.
pub async fn set_fx_rate(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    base: &str,
    quote: &str,
    rate_ppm: i64,
    now: DateTime<Utc>,
) -> Result<fx_rates::Model> {
    let base = Currency::parse(base).map_err(|e| e.renamed("base"))?;
    let quote = Currency::parse(quote).map_err(|e| e.renamed("quote"))?;
    if base == quote {
        return Err(Error::invalid("quote", "must differ from base"));
    }
    let rate_ppm = attribution::parse_rate_ppm(rate_ppm)?;
    fx_rates::Entity::insert(fx_rates::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        base: Set(base.code().to_owned()),
        quote: Set(quote.code().to_owned()),
        rate_ppm: Set(rate_ppm),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            fx_rates::Column::TenantId,
            fx_rates::Column::Base,
            fx_rates::Column::Quote,
        ])
        .update_columns([fx_rates::Column::RatePpm, fx_rates::Column::UpdatedAt])
        .to_owned(),
    )
    .exec(conn)
    .await?;
    fx_rates::Entity::find()
        .filter(fx_rates::Column::TenantId.eq(tenant_id))
        .filter(fx_rates::Column::Base.eq(base.code()))
        .filter(fx_rates::Column::Quote.eq(quote.code()))
        .one(conn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("rate vanished")))
}

//! The report as CSV: one row per (period start, channel), so that each count and amount column
//! sums to the report's totals (`unique_visitors` is distinct per cell and does not sum).

use crate::error::ApiResult;
use grapevine_entity::ops::{finance::csv_rows, reports::CampaignReport};

/// The columns, in order; only ever appended to.
pub const COLUMNS: &[&str] = &[
    "period_start",
    "channel",
    "clicks",
    "unique_visitors",
    "leads",
    "customers",
    "orders",
    "revenue_minor",
    "reward_cost_minor",
    "currency",
];

/// The whole CSV: the header, then the cells oldest period first, channels by name (an empty
/// channel means none was recorded).
pub fn render(report: &CampaignReport) -> ApiResult<Vec<u8>> {
    let currency = &report.campaign.currency;
    let header = COLUMNS.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let rows = report.by_period_channel.iter().map(|((day, channel), t)| {
        vec![
            day.format("%Y-%m-%d").to_string(),
            channel.clone(),
            t.clicks.to_string(),
            t.visitors.estimate().to_string(),
            t.leads.to_string(),
            t.customers.to_string(),
            t.orders.to_string(),
            t.revenue_minor.to_string(),
            t.reward_cost_minor().to_string(),
            currency.clone(),
        ]
    });
    csv_rows(std::iter::once(header).chain(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cells_sum_to_the_totals_and_formulas_are_neutralised() {
        let report = crate::reports::fixture::report();
        let body = render(&report).unwrap();
        let mut reader = ::csv::Reader::from_reader(body.as_slice());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            COLUMNS
        );
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        let sum = |i: usize| -> i64 { rows.iter().map(|r| r[i].parse::<i64>().unwrap()).sum() };
        let t = &report.totals;
        assert_eq!(
            [sum(2), sum(4), sum(5), sum(6), sum(7), sum(8)],
            [
                t.clicks,
                t.leads,
                t.customers,
                t.orders,
                t.revenue_minor,
                t.reward_cost_minor()
            ]
        );
        assert!(rows.iter().any(|r| r[1].starts_with("'=cmd")), "{rows:?}");
    }
}

//! Campaign reports rendered for people and spreadsheets: a CSV of (period, channel) cells and a
//! printable HTML page with server-side SVG charts. Pure functions over
//! `ops::reports::CampaignReport`; the HTTP handlers live in `http::reports`.

pub mod csv;
pub mod html;
pub mod svg;

/// Escape text for HTML and SVG (element content and quoted attributes alike).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A small hand-made report for the renderers' unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use std::collections::BTreeMap;

    use chrono::{NaiveDate, TimeZone, Utc};
    use grapevine_entity::tables::{AttributionModel, CampaignStatus, campaigns};
    use uuid::Uuid;

    use grapevine_entity::ops::reports::{
        CampaignReport, Counts, Granularity, PeriodChannelTotals, Referrer,
    };

    fn totals(clicks: i64, customers: i64, revenue_minor: i64) -> Counts {
        Counts {
            clicks,
            leads: customers,
            approved: customers,
            customers,
            orders: customers,
            revenue_minor,
            referrer_reward_minor: 300 * customers,
            ..Counts::default()
        }
    }

    /// Two days × two channels, a campaign name and a referrer id full of markup.
    pub(crate) fn report() -> CampaignReport {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let campaign = campaigns::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            name: "<script>alert('x')</script> & co".into(),
            description: String::new(),
            status: CampaignStatus::Active,
            goals: serde_json::json!({}),
            audience: serde_json::json!({}),
            starts_at: t0,
            ends_at: None,
            time_zone: "UTC".into(),
            currency: "USD".into(),
            budget_minor: None,
            attribution_window_days: 30,
            attribution_model: AttributionModel::LastTouch,
            hold_days: 0,
            landing_url: None,
            holdout_bps: 0,
            created_by: None,
            created_at: t0,
            updated_at: t0,
            launched_at: None,
            ended_at: None,
            fraud_policy: None,
            budget_reserved_minor: 0,
        };
        let (d1, d2) = (
            NaiveDate::from_ymd_opt(2026, 11, 10).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 11).unwrap(),
        );
        let mut cells = PeriodChannelTotals::new();
        cells.insert((d1, "email".into()), totals(40, 4, 10_000));
        cells.insert((d1, "=cmd|' /C calc'!A0".into()), totals(10, 1, 2_000));
        cells.insert((d2, "email".into()), totals(30, 2, 5_000));
        let mut all = Counts::default();
        let mut series = BTreeMap::new();
        let mut by_channel: BTreeMap<String, Counts> = BTreeMap::new();
        for ((day, channel), t) in &cells {
            for into in [
                &mut all,
                series.entry(*day).or_default(),
                by_channel.entry(channel.clone()).or_default(),
            ] {
                into.clicks += t.clicks;
                into.leads += t.leads;
                into.customers += t.customers;
                into.orders += t.orders;
                into.revenue_minor += t.revenue_minor;
                into.referrer_reward_minor += t.referrer_reward_minor;
            }
        }
        CampaignReport {
            campaign,
            from: d1,
            to: d2,
            granularity: Granularity::Day,
            totals: all.clone(),
            participants: 1,
            by_channel,
            by_variant: Vec::new(),
            variant_levels: BTreeMap::new(),
            series,
            by_period_channel: cells,
            top_referrers: vec![Referrer {
                participant_id: Uuid::nil(),
                external_id: "<img src=x onerror=alert(1)>".into(),
                totals: all,
            }],
            quiet_referrers: Vec::new(),
            recent_daily_cost: 0.0,
            settle_hours: Vec::new(),
            now: chrono::Utc::now(),
            holdout: None,
            kpis: Vec::new(),
            insights: Vec::new(),
            cohorts: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}

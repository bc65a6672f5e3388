//! Insights: pure rules over a finished report, each a finding with its evidence and an action;
//! rates are compared only with a test and a minimum sample.

use std::collections::BTreeMap;

use chrono::Duration;

use crate::domain::{
    counts::Counts,
    report::{ALPHA, CampaignReport, Insight, Referrer, SLOW_PAYOUT_HOURS, SPEND_DAYS},
    stats::{Confidence, ProportionComparison, Verdict},
};

fn percent(p: f64) -> String {
    format!("{:.1} %", p * 100.0)
}

/// Every kind of insight [`insights`] can produce (what `applyRecommendation` accepts).
pub const INSIGHT_KINDS: &[&str] = &[
    "best_channel",
    "channels_too_close_to_call",
    "variant_winner",
    "variants_too_close_to_call",
    "reward_level_converts_better",
    "reward_levels_too_close_to_call",
    "kpi_at_risk",
    "clicks_without_customers",
    "budget_runs_out",
    "slow_payouts",
    "fraud_spike",
];

/// The rules over a report, each returning a finding with its evidence and an action; rates are
/// compared only with a test and a minimum sample (no claim from a handful of events).
pub fn insights(report: &CampaignReport) -> Vec<Insight> {
    let mut out = Vec::new();
    channel_insight(report, &mut out);
    variant_insight(report, &mut out);
    reward_level_insight(report, &mut out);
    for kpi in &report.kpis {
        if let Some(p) = &kpi.projection
            && matches!(p.status, crate::domain::stats::KpiStatus::AtRisk)
        {
            out.push(Insight {
                kind: "kpi_at_risk",
                finding: format!(
                    "{:?} is at risk: projected {:.1} by {} against a target of {:.1}",
                    kpi.metric,
                    p.projected.unwrap_or(kpi.value),
                    kpi.due,
                    kpi.target
                ),
                evidence: format!(
                    "value so far {:.1}; run-rate {:.2} a day; {:.2} a day needed",
                    kpi.value,
                    p.run_rate_per_day.unwrap_or(0.0),
                    p.needed_per_day.unwrap_or(0.0)
                ),
                action:
                    "raise the incentive or push a reminder to participants who have not shared yet"
                        .into(),
                significant: false,
                p_value: None,
                sample: 0,
                impact: (kpi.target - p.projected.unwrap_or(kpi.value)).abs()
                    / kpi.target.abs().max(1.0),
            });
        }
    }
    quiet_referrers_insight(report, &mut out);
    budget_insight(report, &mut out);
    slow_payouts_insight(report, &mut out);
    let t = &report.totals;
    if t.leads >= 30 {
        #[allow(clippy::cast_precision_loss)]
        let rejected = t.rejected as f64 / t.leads as f64;
        if rejected >= 0.2 {
            out.push(Insight {
                kind: "fraud_spike",
                finding: format!("{} of leads were rejected as fraud", percent(rejected)),
                evidence: format!("{} rejected of {} leads", t.rejected, t.leads),
                action: "review the rejected referrals' signals and tighten the velocity or device rules".into(),
                significant: false,
                p_value: None,
                sample: t.leads,
                impact: rejected,
            });
        }
    }
    out.sort_by(|a, b| b.impact.total_cmp(&a.impact));
    out
}

/// Referrers with many clicks and no new customer — only named when, at the campaign's own
/// conversion rate, that many clicks without a customer would happen less than `ALPHA` of the time.
fn quiet_referrers_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let Some(p) = report.totals.click_to_customer().and_then(|p| p.rate()) else {
        return;
    };
    if p <= 0.0 || report.quiet_referrers.is_empty() {
        return;
    }
    #[allow(clippy::cast_precision_loss)]
    let chance = |clicks: i64| (1.0 - p).powf(clicks as f64);
    let unlikely: Vec<&Referrer> = report
        .quiet_referrers
        .iter()
        .filter(|r| chance(r.totals.clicks) < ALPHA)
        .collect();
    let Some(worst) = unlikely.first() else {
        return;
    };
    let names: Vec<String> = unlikely
        .iter()
        .take(5)
        .map(|r| format!("{} ({} clicks)", r.external_id, r.totals.clicks))
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let lost = unlikely
        .iter()
        .map(|r| r.totals.clicks as f64 * p)
        .sum::<f64>();
    out.push(Insight {
        kind: "clicks_without_customers",
        finding: format!(
            "{} referrer(s) drew many clicks and not one new customer",
            unlikely.len()
        ),
        evidence: format!(
            "{}; at the campaign's rate of {} the chance of no customer in {} clicks is {:.4}",
            names.join(", "),
            percent(p),
            worst.totals.clicks,
            chance(worst.totals.clicks)
        ),
        action: "check where they share (audience, landing page, a broken or mistyped link) and reach out to them".into(),
        significant: true,
        p_value: Some(chance(worst.totals.clicks)),
        sample: worst.totals.clicks,
        impact: lost,
    });
}

/// A budget that runs out before the campaign ends at the recent spend rate.
fn budget_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let c = &report.campaign;
    let (Some(budget), Some(ends)) = (c.budget_minor, c.ends_at) else {
        return;
    };
    if report.recent_daily_cost <= 0.0 || ends <= report.now {
        return;
    }
    #[allow(clippy::cast_precision_loss)]
    let left = (budget - c.budget_reserved_minor).max(0) as f64;
    let days_left = left / report.recent_daily_cost;
    #[allow(clippy::cast_possible_truncation)]
    let runs_out = report.now + Duration::seconds((days_left * 86_400.0) as i64);
    if runs_out >= ends {
        return;
    }
    let early = (ends - runs_out).num_days();
    out.push(Insight {
        kind: "budget_runs_out",
        finding: format!(
            "the budget runs out around {}, {early} days before the campaign ends",
            runs_out.date_naive()
        ),
        evidence: format!(
            "{} of {} reserved; {} a day over the last {SPEND_DAYS} days",
            c.budget_reserved_minor,
            budget,
            report.recent_daily_cost.round()
        ),
        action: "raise the budget, lower the reward, or end the campaign earlier".into(),
        significant: false,
        p_value: None,
        sample: 0,
        #[allow(clippy::cast_precision_loss)]
        impact: early as f64 / 30.0,
    });
}

/// Rewards that take long from release to payment.
fn slow_payouts_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let Some(p95) = crate::domain::stats::viral::quantile(&report.settle_hours, 0.95) else {
        return;
    };
    if report.settle_hours.len() < 5 || p95 <= SLOW_PAYOUT_HOURS {
        return;
    }
    let p50 = crate::domain::stats::viral::quantile(&report.settle_hours, 0.5).unwrap_or(p95);
    out.push(Insight {
        kind: "slow_payouts",
        finding: format!("rewards take {:.0} hours from release to payment (95th percentile)", p95),
        evidence: format!("{} rewards settled; median {p50:.0} h, p95 {p95:.0} h", report.settle_hours.len()),
        action: "check payouts waiting for approval, on hold (tax details, payout accounts) or failing at the provider".into(),
        significant: false,
        p_value: None,
        #[allow(clippy::cast_possible_wrap)]
        sample: report.settle_hours.len() as i64,
        impact: p95 / SLOW_PAYOUT_HOURS / 10.0,
    });
}

/// Best against worst channel by click-to-customer rate.
fn channel_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let named: Vec<(&String, &Counts)> = report
        .by_channel
        .iter()
        .filter(|(name, t)| !name.is_empty() && t.clicks > 0)
        .collect();
    compare_groups("channel", &named, out);
}

/// Best against worst offer variant.
fn variant_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let named: Vec<(&String, &Counts)> = report
        .by_variant
        .iter()
        .filter(|(id, _, t)| !id.is_nil() && t.clicks > 0)
        .map(|(_, name, t)| (name, t))
        .collect();
    compare_groups("variant", &named, out);
}

/// Best against worst reward level, when the variants offer different ones: variants at the
/// same level are added up, and the levels compared like channels (same test, same minimum
/// sample). The evidence adds each side's reward cost per new customer.
fn reward_level_insight(report: &CampaignReport, out: &mut Vec<Insight>) {
    let mut levels: BTreeMap<&String, Counts> = BTreeMap::new();
    for (id, _, t) in &report.by_variant {
        if let Some(level) = report.variant_levels.get(id) {
            levels.entry(level).or_default().absorb(t);
        }
    }
    let named: Vec<(&String, &Counts)> = levels
        .iter()
        .filter(|(_, t)| t.clicks > 0)
        .map(|(l, t)| (*l, t))
        .collect();
    let before = out.len();
    compare_groups("reward level", &named, out);
    let Some(insight) = out.get_mut(before) else {
        return;
    };
    let currency = &report.campaign.currency;
    let cost = |t: &Counts| {
        if t.customers > 0 {
            format!(
                "{} {currency} minor units",
                t.reward_cost_minor() / t.customers
            )
        } else {
            "none yet".into()
        }
    };
    let per_customer: Vec<String> = named
        .iter()
        .map(|(level, t)| format!("{level}: {}", cost(t)))
        .collect();
    insight.evidence = format!(
        "{}; reward cost per new customer — {}",
        insight.evidence,
        per_customer.join("; ")
    );
}

fn compare_groups(what: &'static str, groups: &[(&String, &Counts)], out: &mut Vec<Insight>) {
    if groups.len() < 2 {
        return;
    }
    let rate_of = |t: &Counts| t.click_to_customer().and_then(|p| p.rate()).unwrap_or(0.0);
    let best = groups
        .iter()
        .max_by(|a, b| rate_of(a.1).total_cmp(&rate_of(b.1)).then(b.0.cmp(a.0)));
    let worst = groups
        .iter()
        .min_by(|a, b| rate_of(a.1).total_cmp(&rate_of(b.1)).then(b.0.cmp(a.0)));
    let (Some((best_name, best)), Some((worst_name, worst))) = (best, worst) else {
        return;
    };
    let (Some(a), Some(b)) = (best.click_to_customer(), worst.click_to_customer()) else {
        return;
    };
    let Some(cmp) = ProportionComparison::new(a, b, Confidence::P95) else {
        return;
    };
    let sample = best.clicks.min(worst.clicks);
    let evidence = format!(
        "{best_name}: {} customers of {} clicks ({}); {worst_name}: {} of {} ({}); p = {:.4}",
        best.customers,
        best.clicks,
        percent(rate_of(best)),
        worst.customers,
        worst.clicks,
        percent(rate_of(worst)),
        cmp.p_value
    );
    let (kind_best, kind_small) = match what {
        "channel" => ("best_channel", "channels_too_close_to_call"),
        "reward level" => (
            "reward_level_converts_better",
            "reward_levels_too_close_to_call",
        ),
        _ => ("variant_winner", "variants_too_close_to_call"),
    };
    match cmp.verdict(ALPHA) {
        Verdict::AHigher => {
            let times = if rate_of(worst) > 0.0 {
                format!("{:.1}×", rate_of(best) / rate_of(worst))
            } else {
                "far".into()
            };
            let action = match what {
                "channel" => format!("move share prompts and budget towards {best_name}"),
                "reward level" => format!(
                    "offer {best_name} in every variant and retire {worst_name}, if its reward cost per new customer below is worth the added conversions"
                ),
                _ => format!("make {best_name} the default offer and retire {worst_name}"),
            };
            out.push(Insight {
                kind: kind_best,
                finding: format!("{best_name} converts {times} better than {worst_name}"),
                evidence,
                action,
                significant: true,
                p_value: Some(cmp.p_value),
                sample,
                impact: rate_of(best) - rate_of(worst),
            });
        }
        Verdict::TooFewEvents | Verdict::NotSignificant | Verdict::BHigher => {
            out.push(Insight {
                kind: kind_small,
                finding: format!(
                    "no {what} converts significantly better yet ({best_name} leads {worst_name})"
                ),
                evidence,
                action: format!("keep collecting data before shifting effort between {what}s"),
                significant: false,
                p_value: Some(cmp.p_value),
                sample,
                impact: 0.0,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::Granularity;
    use crate::tables::campaigns;
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    fn totals(clicks: i64, customers: i64) -> Counts {
        Counts {
            clicks,
            customers,
            ..Counts::default()
        }
    }

    fn report(now: DateTime<Utc>) -> CampaignReport {
        let campaign = campaigns::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            name: "c".into(),
            description: String::new(),
            status: crate::tables::CampaignStatus::Active,
            goals: serde_json::json!({}),
            audience: serde_json::json!({}),
            starts_at: now - Duration::days(30),
            ends_at: Some(now + Duration::days(30)),
            time_zone: "UTC".into(),
            currency: "USD".into(),
            budget_minor: None,
            attribution_window_days: 30,
            attribution_model: crate::tables::AttributionModel::FirstTouch,
            hold_days: 0,
            landing_url: None,
            holdout_bps: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
            launched_at: None,
            ended_at: None,
            fraud_policy: None,
            budget_reserved_minor: 0,
        };
        CampaignReport {
            campaign,
            from: now.date_naive(),
            to: now.date_naive(),
            granularity: Granularity::Day,
            totals: totals(10_000, 500),
            participants: 10,
            by_channel: BTreeMap::new(),
            by_variant: Vec::new(),
            variant_levels: BTreeMap::new(),
            series: BTreeMap::new(),
            by_period_channel: BTreeMap::new(),
            top_referrers: Vec::new(),
            quiet_referrers: Vec::new(),
            recent_daily_cost: 0.0,
            settle_hours: Vec::new(),
            now,
            holdout: None,
            kpis: Vec::new(),
            insights: Vec::new(),
            cohorts: Vec::new(),
        }
    }

    fn quiet(id: &str, clicks: i64) -> Referrer {
        Referrer {
            participant_id: Uuid::nil(),
            external_id: id.into(),
            totals: totals(clicks, 0),
        }
    }

    #[test]
    fn many_clicks_and_no_customer_is_named_only_when_it_is_unlikely_by_chance() {
        // The campaign converts 5 % of clicks: 0 of 60 happens 4.6 % of the time, 0 of 50 7.7 %.
        let mut r = report(Utc::now());
        r.quiet_referrers = vec![quiet("loud", 60), quiet("unlucky", 50)];
        let found = insights(&r);
        let insight = found
            .iter()
            .find(|i| i.kind == "clicks_without_customers")
            .unwrap();
        assert!(
            insight.evidence.starts_with("loud (60 clicks);"),
            "{}",
            insight.evidence
        );
        assert!(!insight.evidence.contains("unlucky"));
        r.quiet_referrers = vec![quiet("unlucky", 50)];
        assert!(
            insights(&r)
                .iter()
                .all(|i| i.kind != "clicks_without_customers")
        );
    }

    #[test]
    fn a_budget_spent_faster_than_the_calendar_is_flagged_with_its_date() {
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
        let mut r = report(now);
        r.campaign.budget_minor = Some(100_000);
        r.campaign.budget_reserved_minor = 80_000;
        r.recent_daily_cost = 2_000.0; // 20 000 left: 10 days, the campaign runs 30 more
        let found = insights(&r);
        let b = found.iter().find(|i| i.kind == "budget_runs_out").unwrap();
        assert!(
            b.finding.contains("2026-12-04") && b.finding.contains("20 days before"),
            "{}",
            b.finding
        );
        r.recent_daily_cost = 500.0; // 40 days: enough
        assert!(insights(&r).iter().all(|i| i.kind != "budget_runs_out"));
    }

    #[test]
    fn slow_payouts_need_a_sample_and_a_slow_tail() {
        let mut r = report(Utc::now());
        r.settle_hours = vec![1.0, 2.0, 3.0, 200.0];
        assert!(
            insights(&r).iter().all(|i| i.kind != "slow_payouts"),
            "too few to say"
        );
        r.settle_hours = vec![1.0, 2.0, 3.0, 100.0, 150.0, 200.0];
        assert!(insights(&r).iter().any(|i| i.kind == "slow_payouts"));
        r.settle_hours = vec![1.0; 20];
        assert!(insights(&r).iter().all(|i| i.kind != "slow_payouts"));
    }

    #[test]
    fn a_clear_difference_names_the_better_channel_with_its_evidence() {
        let (email, social) = ("email".to_owned(), "social".to_owned());
        let (a, b) = (totals(1000, 100), totals(1000, 30));
        let mut out = Vec::new();
        compare_groups("channel", &[(&email, &a), (&social, &b)], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, "best_channel");
        assert!(out[0].significant);
        assert!(
            out[0]
                .finding
                .starts_with("email converts 3.3× better than social"),
            "{}",
            out[0].finding
        );
        assert!(
            out[0].evidence.contains("100 customers of 1000 clicks"),
            "{}",
            out[0].evidence
        );
    }

    fn level_report(levels: &[(&str, i64, i64, i64)]) -> CampaignReport {
        let mut r = report(Utc::now());
        for (i, (level, clicks, customers, cost)) in levels.iter().enumerate() {
            let id = Uuid::from_u128(i as u128 + 1);
            let mut t = totals(*clicks, *customers);
            t.referrer_reward_minor = *cost;
            r.by_variant.push((id, format!("v{i}"), t));
            r.variant_levels.insert(id, (*level).to_owned());
        }
        r
    }

    #[test]
    fn a_reward_level_that_converts_clearly_better_is_named_with_its_cost() {
        // Two variants at 10.00 (added up: 40 of 400) against one at 5.00 (10 of 400).
        let r = level_report(&[
            ("referrer 10.00 USD", 200, 20, 20_000),
            ("referrer 5.00 USD", 400, 10, 5_000),
            ("referrer 10.00 USD", 200, 20, 20_000),
        ]);
        let found = insights(&r);
        let i = found
            .iter()
            .find(|i| i.kind == "reward_level_converts_better")
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert!(i.significant);
        assert!(
            i.finding
                .starts_with("referrer 10.00 USD converts 4.0× better than referrer 5.00 USD"),
            "{}",
            i.finding
        );
        assert!(
            i.evidence.contains("40 customers of 400 clicks")
                && i.evidence.contains("10 of 400")
                && i.evidence
                    .contains("referrer 10.00 USD: 1000 USD minor units")
                && i.evidence
                    .contains("referrer 5.00 USD: 500 USD minor units"),
            "{}",
            i.evidence
        );
        assert!(
            i.action
                .contains("offer referrer 10.00 USD in every variant")
        );
        assert!(INSIGHT_KINDS.contains(&i.kind));
    }

    #[test]
    fn reward_levels_with_a_handful_of_events_claim_nothing() {
        let r = level_report(&[
            ("referrer 10.00 USD", 12, 4, 4_000),
            ("referrer 5.00 USD", 12, 0, 0),
        ]);
        let found = insights(&r);
        let i = found
            .iter()
            .find(|i| i.kind.starts_with("reward_level"))
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert_eq!(i.kind, "reward_levels_too_close_to_call");
        assert!(!i.significant);
        // Variants at one level only: nothing to compare.
        let same = level_report(&[
            ("referrer 5.00 USD", 400, 40, 0),
            ("referrer 5.00 USD", 400, 10, 0),
        ]);
        assert!(
            insights(&same)
                .iter()
                .all(|i| !i.kind.starts_with("reward_level"))
        );
    }

    #[test]
    fn a_handful_of_events_claims_nothing() {
        let (email, social) = ("email".to_owned(), "social".to_owned());
        // 3 of 10 against 0 of 10 looks like a big difference; it is a handful of events.
        let (a, b) = (totals(10, 3), totals(10, 0));
        let mut out = Vec::new();
        compare_groups("channel", &[(&email, &a), (&social, &b)], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, "channels_too_close_to_call");
        assert!(!out[0].significant);
    }
}

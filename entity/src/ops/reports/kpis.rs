//! Progress against each KPI of a campaign's goals, projected to its due date.

use super::*;

/// Each KPI of the campaign's goals: its value since the campaign started, projected to its due
/// date at the recent daily run-rate.
pub(super) async fn kpi_progress(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    participants: i64,
    now: DateTime<Utc>,
) -> Result<Vec<KpiReport>> {
    let areas: Vec<FocusArea> = serde_json::from_value::<Goals>(campaign.goals.clone())
        .unwrap_or_default()
        .focus_areas;
    if areas
        .iter()
        .all(|a| a.objectives.iter().all(|o| o.kpis.is_empty()))
    {
        return Ok(Vec::new());
    }
    let tz = calendar::zone(&campaign.time_zone);
    let start = calendar::local_day(tz, campaign.starts_at);
    let today = calendar::local_day(tz, now).max(start);
    let rows = counts::summary_rows(conn, campaign.id, start, today).await?;
    let mut whole = Counts::default();
    let mut daily: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    for r in &rows {
        whole.add_row(r)?;
        if let Some(d) = parse_day(&r.day) {
            daily.entry(d).or_default().add_row(r)?;
        }
    }
    let sharing = sharing_participants(conn, campaign).await?;
    let value_of = |metric: KpiMetric, t: &Counts| -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let f = |v: i64| v as f64;
        match metric {
            KpiMetric::Referrals => f(t.leads),
            KpiMetric::Conversions => f(t.orders),
            KpiMetric::RevenueMinor => f(t.revenue_minor),
            KpiMetric::NewCustomers => f(t.customers),
            KpiMetric::ConversionRate => {
                t.click_to_customer().and_then(|p| p.rate()).unwrap_or(0.0)
            }
            KpiMetric::KFactor => {
                if participants > 0 {
                    f(t.customers) / f(participants)
                } else {
                    0.0
                }
            }
            KpiMetric::ParticipationRate => {
                if participants > 0 {
                    f(sharing) / f(participants)
                } else {
                    0.0
                }
            }
        }
    };
    let days: Vec<NaiveDate> = calendar::days(start, today).collect();
    let mut out = Vec::new();
    for area in &areas {
        for objective in &area.objectives {
            for kpi in &objective.kpis {
                let value = value_of(kpi.metric, &whole);
                let cumulative = !kpi.metric.is_rate() && kpi.metric != KpiMetric::KFactor;
                let due_end = calendar::day_span(tz, kpi.due).1;
                let progress = KpiProgress {
                    kind: if cumulative {
                        KpiKind::Cumulative
                    } else {
                        KpiKind::Level
                    },
                    direction: Direction::HigherIsBetter,
                    target: kpi.target,
                    value,
                    elapsed: (now - campaign.starts_at).max(Duration::zero()),
                    duration: (due_end - campaign.starts_at).max(Duration::zero()),
                };
                let increments: Vec<f64> = days
                    .iter()
                    .map(|d| daily.get(d).map_or(0.0, |t| value_of(kpi.metric, t)))
                    .collect();
                out.push(KpiReport {
                    focus_area: area.name.clone(),
                    objective: objective.name.clone(),
                    metric: kpi.metric,
                    target: kpi.target,
                    due: kpi.due,
                    value,
                    projection: if cumulative {
                        progress.project_with_daily(&increments)
                    } else {
                        progress.project()
                    },
                });
            }
        }
    }
    Ok(out)
}

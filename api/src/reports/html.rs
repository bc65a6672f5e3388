//! The report as a printable, self-contained HTML page: no scripts, no external assets, print
//! CSS, charts as inline SVG. Every piece of text that comes from data is escaped.

use std::fmt::Write as _;

use grapevine_entity::domain::money::{Currency, Money};

use super::{
    escape,
    svg::{Bar, bar_chart},
};
use crate::graphql::types::reports::{CampaignReport as View, Rate};
use grapevine_entity::ops::reports::CampaignReport;

/// The page's style sheet: screen and print.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#1b1b1b}\
h1{margin:0 0 4px}h2{margin:24px 0 8px;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}.muted{color:#666}\
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #ccc;border-radius:6px;padding:8px 12px;min-width:120px}\
.card b{display:block;font-size:20px}.charts{display:flex;flex-wrap:wrap;gap:16px}\
.chart .bar.a{fill:#3b6fb6}.chart .bar.b{fill:#2f9e6e}.chart .bar.c{fill:#c77d1a}\
.chart .axis{stroke:#888}.chart text{font-size:11px;text-anchor:middle}.chart text.title{font-size:13px;text-anchor:start;font-weight:600}\
li{margin-bottom:6px}\
@media print{body{margin:0}.charts,.cards,table,li{break-inside:avoid}a{color:inherit;text-decoration:none}}\
@page{size:A4;margin:12mm}";

/// The whole page.
pub fn render(report: &CampaignReport) -> String {
    let view: View = report.clone().into();
    let name = escape(&report.campaign.name);
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name} — campaign report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        out,
        "<h1>{name}</h1><p class=\"muted\">{} to {} ({}), by {:?}; generated from the rollups.</p>",
        view.from,
        view.to,
        escape(&view.time_zone),
        report.granularity
    );
    headline(&mut out, report, &view);
    charts(&mut out, report, &view);
    kpis(&mut out, &view);
    insights(&mut out, &view);
    referrers(&mut out, report);
    out.push_str("</body></html>");
    out
}

/// An amount in the campaign currency, in major units.
fn money(minor: i64, code: &str) -> String {
    match Currency::parse(code) {
        Ok(c) => Money::new(minor, c).to_string(),
        Err(_) => format!("{minor} {code} (minor units)"),
    }
}

/// A rate with its 95 % interval.
fn rate(r: &Rate) -> String {
    match (r.value, r.low, r.high) {
        (Some(v), Some(l), Some(h)) => format!(
            "{:.1} % <span class=\"muted\">(95 % CI {:.1}–{:.1} %; {} of {})</span>",
            v * 100.0,
            l * 100.0,
            h * 100.0,
            r.successes.0,
            r.trials.0
        ),
        _ => "—".into(),
    }
}

fn card(out: &mut String, label: &str, value: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><span class=\"muted\">{}</span><b>{value}</b></div>",
        escape(label)
    );
}

fn headline(out: &mut String, report: &CampaignReport, v: &View) {
    let c = &report.campaign.currency;
    let t = &report.totals;
    out.push_str("<h2>Headline</h2><div class=\"cards\" id=\"totals\">");
    card(out, "Clicks", &t.clicks.to_string());
    card(
        out,
        "Unique visitors",
        &v.funnel.unique_visitors.0.to_string(),
    );
    card(out, "Leads", &t.leads.to_string());
    card(out, "Customers", &t.customers.to_string());
    card(out, "Orders", &t.orders.to_string());
    card(out, "Revenue", &escape(&money(t.revenue_minor, c)));
    card(
        out,
        "Reward cost",
        &escape(&money(t.reward_cost_minor(), c)),
    );
    let roi = v.roi.map_or("—".into(), |r| format!("{:.1} %", r * 100.0));
    card(out, "ROI", &roi);
    let cpa = v
        .cost_per_acquisition
        .as_ref()
        .map_or("—".into(), |m| escape(&money(m.amount_minor.0, c)));
    card(out, "Cost per acquisition", &cpa);
    out.push_str("</div><table><tr><th>Rate</th><th>Value</th></tr>");
    for (label, r) in [
        ("Click → lead", &v.click_to_lead),
        ("Lead → customer", &v.lead_to_customer),
        ("Click → customer", &v.click_to_customer),
        ("Leads rejected as fraud", &v.fraud_rejection_rate),
    ] {
        let _ = write!(out, "<tr><td>{label}</td><td>{}</td></tr>", rate(r));
    }
    out.push_str("</table>");
}

fn charts(out: &mut String, report: &CampaignReport, v: &View) {
    let t = &report.totals;
    let series_clicks: Vec<Bar> = v
        .series
        .iter()
        .map(|r| Bar::count(r.key.clone(), r.clicks.0))
        .collect();
    let series_customers: Vec<Bar> = v
        .series
        .iter()
        .map(|r| Bar::count(r.key.clone(), r.customers.0))
        .collect();
    let funnel = [
        Bar::count("clicks", t.clicks),
        Bar::count("leads", t.leads),
        Bar::count("customers", t.customers),
        Bar::count("orders", t.orders),
    ];
    let c = &report.campaign.currency;
    let revenue: Vec<Bar> = report
        .by_channel
        .iter()
        .map(|(k, ch)| {
            let mut bar = Bar::count(if k.is_empty() { "(none)" } else { k }, ch.revenue_minor);
            bar.caption = money(ch.revenue_minor, c);
            bar
        })
        .collect();
    out.push_str("<h2>Charts</h2><div class=\"charts\">");
    out.push_str(&bar_chart("Clicks over time", &series_clicks, "a"));
    out.push_str(&bar_chart("Customers over time", &series_customers, "b"));
    out.push_str(&bar_chart("Funnel", &funnel, "a"));
    out.push_str(&bar_chart("Revenue by channel", &revenue, "c"));
    out.push_str("</div>");
}

fn kpis(out: &mut String, v: &View) {
    out.push_str("<h2>KPI progress</h2>");
    if v.kpis.is_empty() {
        out.push_str("<p class=\"muted\">No KPI targets set.</p>");
        return;
    }
    out.push_str("<table><tr><th>KPI</th><th>Target</th><th>Due</th><th>Value</th><th>Projected</th><th>Status</th></tr>");
    for k in &v.kpis {
        let _ = write!(
            out,
            "<tr><td>{} › {} › {:?}</td><td>{:.1}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td></tr>",
            escape(&k.focus_area),
            escape(&k.objective),
            k.metric,
            k.target,
            k.due,
            k.value,
            k.projected.map_or("—".into(), |p| format!("{p:.1}")),
            k.status.map_or("—".into(), |s| format!("{s:?}"))
        );
    }
    out.push_str("</table>");
}

fn insights(out: &mut String, v: &View) {
    out.push_str("<h2>Insights</h2>");
    if v.insights.is_empty() {
        out.push_str("<p class=\"muted\">Nothing to report yet.</p>");
        return;
    }
    out.push_str("<ul>");
    for i in &v.insights {
        let _ = write!(
            out,
            "<li><b>{}</b>{}<br><span class=\"muted\">Evidence: {}</span><br>Action: {}</li>",
            escape(&i.finding),
            if i.significant {
                ""
            } else {
                " <span class=\"muted\">(not significant)</span>"
            },
            escape(&i.evidence),
            escape(&i.action)
        );
    }
    out.push_str("</ul>");
}

fn referrers(out: &mut String, report: &CampaignReport) {
    out.push_str("<h2>Top referrers</h2><table><tr><th>Referrer</th><th>Clicks</th><th>Leads</th><th>Customers</th><th>Revenue</th></tr>");
    for r in &report.top_referrers {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.external_id),
            r.totals.clicks,
            r.totals.leads,
            r.totals.customers,
            escape(&money(r.totals.revenue_minor, &report.campaign.currency))
        );
    }
    out.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_data_and_carries_the_totals_and_four_charts() {
        let page = render(&crate::reports::fixture::report());
        assert!(
            !page.contains("<script"),
            "no script, not even from the name"
        );
        assert!(!page.contains("<img"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("<span class=\"muted\">Clicks</span><b>80</b>"));
        assert!(page.contains("<span class=\"muted\">Revenue</span><b>170.00 USD</b>"));
        assert_eq!(page.matches("<svg").count(), 4);
        assert!(page.contains("@media print"));
    }
}

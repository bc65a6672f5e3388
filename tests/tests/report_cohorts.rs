//! Report cohorts (issue 5): purchases reported through the public API — with and without the
//! campaign's referral codes, one through another campaign's code, across months of the campaign's
//! time zone, with repeat purchases, a refund and a customer who first bought before the period —
//! give `campaignReport.cohorts` whose every figure equals a direct computation from the seeded
//! purchases; another tenant's orders never enter it.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, sync::Arc};

use chrono::{DateTime, Datelike, Utc};
use grapevine_entity::domain::{calendar::Tz, clock::ManualClock};
use grapevine_tests::{Backend, TestApp, spawn_app_with_clock};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn n(v: &Value) -> i64 {
    v.as_str().unwrap().parse().unwrap()
}

const COHORTS: &str = "query($c: UUID!, $f: NaiveDate, $t: NaiveDate) { campaignReport(campaignId: $c, from: $f, to: $t) {
  cohorts { month kind customers months { monthsSince month repeatRevenue { amountMinor currency } repeatRevenuePerCustomer
    repeatPurchaseRate { value successes trials } } } } }";

/// A launched campaign in New York time with one referrer; returns (campaign, referral code).
async fn campaign(app: &TestApp, referrer: &str) -> (String, String) {
    let token = &app.admin_token;
    let id = app.design_campaign(token).await;
    app.graphql_ok(
        Some(token),
        "mutation($c: UUID!, $i: UpdateCampaignInput!) { updateCampaign(id: $c, input: $i) { id } }",
        json!({ "c": id, "i": { "timeZone": "America/New_York", "attributionWindowDays": 30 } }),
    )
    .await;
    let enrolled = app
        .enroll(
            token,
            &id,
            referrer,
            &format!("{referrer}@referrers.example"),
        )
        .await;
    app.launch(token, &id).await;
    (id, enrolled["referralCode"].as_str().unwrap().to_owned())
}

/// One seeded purchase: (customer, order, when, amount, referral code).
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<&'static str>,
);

#[tokio::test]
async fn cohorts_equal_a_direct_computation_of_referred_and_organic_repeat_value() {
    let clock = ManualClock::new(at("2026-06-01T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let (this, code) = campaign(&app, "ref-a").await;
    let (_other, other_code) = campaign(&app, "ref-b").await;
    let key = app.secret_key(&app.admin_token).await;
    let (a, b) = (Some("A"), Some("B"));
    // Times in UTC; New York is 4 hours behind in summer, 5 in winter.
    let seeds: Vec<Seed> = vec![
        // Referred by this campaign in August; r1 buys again in August (still attributed) and in
        // October (outside the 30-day window: an organic order, still r1's repeat purchase).
        ("r1", "r1-1", "2026-08-05T15:00:00Z", 5000, a),
        ("r1", "r1-2", "2026-08-20T15:00:00Z", 1200, None),
        ("r1", "r1-3", "2026-10-10T15:00:00Z", 3000, None),
        ("r2", "r2-1", "2026-08-10T15:00:00Z", 4000, a),
        // 1 September 02:00 UTC is still 31 August in New York: an August cohort.
        ("r3", "r3-1", "2026-09-01T02:00:00Z", 2500, a),
        ("r3", "r3-2", "2026-11-02T15:00:00Z", 800, None),
        ("r4", "r4-1", "2026-09-03T15:00:00Z", 2200, a),
        ("r4", "r4-2", "2026-09-25T15:00:00Z", 1000, None),
        // Organic.
        ("o1", "o1-1", "2026-08-07T15:00:00Z", 3000, None),
        ("o1", "o1-2", "2026-09-09T15:00:00Z", 1000, None),
        ("o2", "o2-1", "2026-08-25T15:00:00Z", 2000, None),
        ("o3", "o3-1", "2026-09-15T15:00:00Z", 6000, None),
        ("o3", "o3-2", "2026-09-20T15:00:00Z", 500, None),
        // Refunded in part below: counts net.
        ("o3", "o3-3", "2026-10-20T15:00:00Z", 4000, None),
        // First bought before the period: in no cohort, although they buy in it.
        ("old", "old-1", "2026-07-20T15:00:00Z", 1000, None),
        ("old", "old-2", "2026-08-12T15:00:00Z", 1000, a),
        // Referred by the other campaign: in neither kind of this campaign's cohorts.
        ("x1", "x1-1", "2026-08-12T15:00:00Z", 3000, b),
        ("x1", "x1-2", "2026-09-01T15:00:00Z", 900, None),
        // After the report's last day (15 November, New York): not counted.
        ("r1", "r1-4", "2026-11-16T15:00:00Z", 7000, None),
    ];
    let mut sorted = seeds.clone();
    sorted.sort_by_key(|s| s.2);
    for (customer, order, when, amount, via) in &sorted {
        clock.set(at(when));
        let code = via.map(|v| {
            if v == "A" {
                code.clone()
            } else {
                other_code.clone()
            }
        });
        let body = app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }", json!({ "i": { "orderId": order, "customerId": customer, "email": format!("{customer}@buyers.example"), "amountMinor": amount.to_string(), "currency": "USD", "occurredAt": when, "code": code } })).await;
        let referred = body["trackConversion"]["conversion"]["referralId"].is_string();
        // Without a code, an order is attributed to the customer's referral when it falls in
        // its 30-day window (r1-2, r4-2 here; x1-2 to the other campaign's), else organic.
        let expected = via.is_some() || matches!(*order, "r1-2" | "r4-2" | "x1-2");
        assert_eq!(referred, expected, "{order}: {body}");
    }
    // o3's last order is refunded by 1500 of 4000.
    app.graphql_ok(
        Some(&key),
        r#"mutation { refundConversion(orderId: "o3-3", refundId: "rf-1", amountMinor: "1500") { id } }"#,
        json!({}),
    )
    .await;
    let refunded: BTreeMap<&str, i64> = BTreeMap::from([("o3-3", 1500)]);
    // Another tenant's customer with the same id never enters this tenant's cohorts.
    let (_, other_admin) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let other_key = app.secret_key(&other_admin).await;
    clock.set(at("2026-09-02T15:00:00Z"));
    for (order, when) in [
        ("t2-1", "2026-08-02T15:00:00Z"),
        ("t2-2", "2026-09-02T15:00:00Z"),
    ] {
        app.graphql_ok(Some(&other_key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": order, "customerId": "o2", "amountMinor": "99900", "currency": "USD", "occurredAt": when } })).await;
    }

    // The direct computation: per customer, the first purchase decides month and kind; later
    // purchases up to the end of 15 November (New York) add up month by month.
    let tz: Tz = "America/New_York".parse().unwrap();
    let local = |s: &str| at(s).with_timezone(&tz).date_naive();
    let month_index = |d: chrono::NaiveDate| d.year() * 12 + d.month0() as i32;
    let (from, to) = ("2026-08-01", "2026-11-15");
    let last = month_index(to.parse().unwrap());
    let mut by_customer: BTreeMap<&str, Vec<&Seed>> = BTreeMap::new();
    for s in &seeds {
        if local(s.2) <= to.parse().unwrap() {
            by_customer.entry(s.0).or_default().push(s);
        }
    }
    // (month, kind) → (customers, per month since: (value, repeat customers))
    type Expected = BTreeMap<(String, &'static str), (i64, Vec<(i64, i64)>)>;
    let mut expected: Expected = BTreeMap::new();
    for list in by_customer.values_mut() {
        list.sort_by_key(|s| s.2);
        let first = list[0];
        let kind = match first.4 {
            Some("A") => "REFERRED",
            None => "ORGANIC",
            _ => continue,
        };
        let day = local(first.2);
        if day < from.parse().unwrap() {
            continue;
        }
        let month = month_index(day);
        let entry = expected
            .entry((day.format("%Y-%m").to_string(), kind))
            .or_insert_with(|| (0, vec![(0, 0); (last - month + 1) as usize]));
        entry.0 += 1;
        let mut bought_again_by: Option<usize> = None;
        for repeat in &list[1..] {
            let k = (month_index(local(repeat.2)) - month) as usize;
            let value = repeat.3 - refunded.get(repeat.1).copied().unwrap_or(0);
            for point in entry.1.iter_mut().skip(k) {
                point.0 += value;
            }
            bought_again_by = Some(bought_again_by.map_or(k, |b| b.min(k)));
        }
        if let Some(k) = bought_again_by {
            for point in entry.1.iter_mut().skip(k) {
                point.1 += 1;
            }
        }
    }
    assert_eq!(expected.len(), 4, "two months × two kinds: {expected:?}");

    clock.set(at("2026-11-20T12:00:00Z"));
    let marketing = app.login_as("MARKETING_MANAGER").await;
    let report = app
        .graphql_ok(
            Some(&marketing),
            COHORTS,
            json!({ "c": this, "f": from, "t": to }),
        )
        .await;
    let cohorts = report["campaignReport"]["cohorts"].as_array().unwrap();
    let mut got: Expected = BTreeMap::new();
    for c in cohorts {
        let customers = n(&c["customers"]);
        let months = c["months"].as_array().unwrap();
        let first_month: chrono::NaiveDate = format!("{}-01", c["month"].as_str().unwrap())
            .parse()
            .unwrap();
        for (k, m) in months.iter().enumerate() {
            assert_eq!(m["monthsSince"], k);
            let calendar = first_month + chrono::Months::new(k as u32);
            assert_eq!(m["month"], calendar.format("%Y-%m").to_string());
            assert_eq!(m["repeatRevenue"]["currency"], "USD");
            let value = n(&m["repeatRevenue"]["amountMinor"]);
            let per = m["repeatRevenuePerCustomer"].as_f64().unwrap();
            assert!((per - value as f64 / customers as f64).abs() < 1e-9, "{m}");
            let rate = &m["repeatPurchaseRate"];
            assert_eq!(n(&rate["trials"]), customers);
            let again = n(&rate["successes"]);
            assert!(
                (rate["value"].as_f64().unwrap() - again as f64 / customers as f64).abs() < 1e-12
            );
        }
        got.insert(
            (
                c["month"].as_str().unwrap().to_owned(),
                if c["kind"] == "REFERRED" {
                    "REFERRED"
                } else {
                    "ORGANIC"
                },
            ),
            (
                customers,
                months
                    .iter()
                    .map(|m| {
                        (
                            n(&m["repeatRevenue"]["amountMinor"]),
                            n(&m["repeatPurchaseRate"]["successes"]),
                        )
                    })
                    .collect(),
            ),
        );
    }
    assert_eq!(got, expected, "{cohorts:#?}");
    // Oldest month first, referred before organic.
    let order: Vec<(String, String)> = cohorts
        .iter()
        .map(|c| {
            (
                c["month"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("2026-08", "REFERRED"),
            ("2026-08", "ORGANIC"),
            ("2026-09", "REFERRED"),
            ("2026-09", "ORGANIC")
        ]
        .map(|(m, k)| (m.to_owned(), k.to_owned()))
    );
    // Spot-check the figures the computation gives, so a wrong computation cannot hide: the
    // August referred cohort is r1, r2 and r3 (New York's 31 August); r1's 1 200 in August,
    // 3 000 in October; r3's 800 in November.
    assert_eq!(
        expected[&("2026-08".to_owned(), "REFERRED")],
        (3, vec![(1200, 1), (1200, 1), (4200, 1), (5000, 2)])
    );
    assert_eq!(
        expected[&("2026-09".to_owned(), "ORGANIC")],
        (1, vec![(500, 1), (3000, 1), (3000, 1)])
    );
}

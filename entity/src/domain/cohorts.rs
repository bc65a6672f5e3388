//! Purchase cohorts: customers grouped by the local month of their first purchase and by how they
//! came (referred by the campaign, or organic), with the value of their later purchases month by
//! month. It answers "are referred customers worth more over time than the ones who found us?".

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

/// How a customer came to their first purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CohortKind {
    /// The first purchase was attributed to a referral of the campaign.
    Referred,
    /// The first purchase was attributed to no referral at all.
    Organic,
}

/// A calendar month, counted in months since year 0 so that differences are month counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    /// The month a day falls in.
    pub fn of(day: NaiveDate) -> Month {
        // month0() is 0..=11: the cast cannot truncate.
        #[allow(clippy::cast_possible_wrap)]
        Month(day.year() * 12 + day.month0() as i32)
    }

    /// The month a local instant falls in.
    pub fn at(tz: Tz, t: DateTime<Utc>) -> Month {
        Month::of(t.with_timezone(&tz).date_naive())
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        let (year, month0) = (self.0.div_euclid(12), self.0.rem_euclid(12));
        #[allow(clippy::cast_sign_loss)]
        NaiveDate::from_ymd_opt(year, month0 as u32 + 1, 1).unwrap_or_default()
    }

    /// The month `months` after this one.
    pub fn plus(self, months: i32) -> Month {
        Month(self.0.saturating_add(months))
    }

    /// Whole months from `earlier` to `self` (negative when `self` is earlier).
    pub fn since(self, earlier: Month) -> i32 {
        self.0 - earlier.0
    }
}

/// One purchase of a customer, as far as cohorts care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    /// The merchant's customer id (the customer's identity within the tenant).
    pub customer: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The order's id: breaks ties between purchases at the same instant (smaller first).
    pub order: Uuid,
    /// Its value in minor units of the report's currency, net of refunds.
    pub value_minor: i64,
    /// What the purchase says about how the customer came, were it their first: referred by the
    /// campaign, organic, or `None` when another campaign referred it (such customers belong to
    /// neither cohort of this campaign).
    pub kind: Option<CohortKind>,
}

/// Where a cohort stands a number of months after its first purchases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortMonth {
    /// Months since the cohort's month (0 = the month of the first purchase).
    pub months_since: u32,
    /// Value of all purchases after each customer's first, up to the end of this month.
    pub repeat_value_minor: i64,
    /// Customers with at least one purchase after their first, up to the end of this month.
    pub repeat_customers: u64,
}

/// Customers whose first purchase fell in one month, of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    /// The month of their first purchase.
    pub month: Month,
    /// How they came.
    pub kind: CohortKind,
    /// How many customers.
    pub customers: u64,
    /// Month 0, 1, … up to the month of the period's last day; cumulative.
    pub months: Vec<CohortMonth>,
}

impl Cohort {
    /// Repeat value per customer at a point (minor units).
    pub fn value_per_customer(&self, point: &CohortMonth) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.customers > 0).then(|| point.repeat_value_minor as f64 / self.customers as f64)
    }
}

/// The cohorts of customers whose first purchase fell on a local day in `[from, to]`.
///
/// `purchases` must hold every purchase of those customers up to the end of `to` — earlier ones
/// included, since a customer whose first purchase came before `from` belongs to no cohort here.
/// A customer's first purchase is the earliest by time, then order id; its `kind` decides the
/// cohort (customers whose first purchase another campaign referred are left out). Later
/// purchases up to the end of `to` are repeat purchases; they count whatever their own
/// attribution. For each cohort, month `k` adds up repeat purchases made up to the end of the
/// cohort's month + `k`, for `k` from 0 to the month of `to`. Cohorts come oldest month first,
/// referred before organic.
pub fn cohorts(purchases: &[Purchase], tz: Tz, from: NaiveDate, to: NaiveDate) -> Vec<Cohort> {
    let mut by_customer: BTreeMap<&str, Vec<&Purchase>> = BTreeMap::new();
    for p in purchases {
        if local_day(tz, p.at) <= to {
            by_customer.entry(p.customer.as_str()).or_default().push(p);
        }
    }
    let last = Month::of(to);
    let mut out: BTreeMap<(Month, CohortKind), Cohort> = BTreeMap::new();
    for list in by_customer.values_mut() {
        list.sort_by(|a, b| a.at.cmp(&b.at).then(a.order.cmp(&b.order)));
        let Some((first, repeats)) = list.split_first() else {
            continue;
        };
        let Some(kind) = first.kind else { continue };
        let first_day = local_day(tz, first.at);
        if first_day < from || first_day > to {
            continue;
        }
        let month = Month::of(first_day);
        let span = u32::try_from(last.since(month)).unwrap_or(0);
        let cohort = out.entry((month, kind)).or_insert_with(|| Cohort {
            month,
            kind,
            customers: 0,
            months: (0..=span)
                .map(|k| CohortMonth {
                    months_since: k,
                    repeat_value_minor: 0,
                    repeat_customers: 0,
                })
                .collect(),
        });
        cohort.customers += 1;
        // Per month since the first purchase: the value bought in it, and whether it was the
        // month of the customer's first repeat purchase.
        let mut first_repeat: Option<u32> = None;
        for r in repeats {
            let k = u32::try_from(Month::at(tz, r.at).since(month)).unwrap_or(0);
            for point in cohort.months.iter_mut().skip(k as usize) {
                point.repeat_value_minor += r.value_minor;
            }
            first_repeat = Some(first_repeat.map_or(k, |f| f.min(k)));
        }
        if let Some(k) = first_repeat {
            for point in cohort.months.iter_mut().skip(k as usize) {
                point.repeat_customers += 1;
            }
        }
    }
    out.into_values().collect()
}

fn local_day(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(customer: &str, at: &str, value: i64, kind: Option<CohortKind>) -> Purchase {
        Purchase {
            customer: customer.into(),
            at: at.parse().unwrap(),
            order: Uuid::now_v7(),
            value_minor: value,
            kind,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const R: Option<CohortKind> = Some(CohortKind::Referred);
    const O: Option<CohortKind> = Some(CohortKind::Organic);

    #[test]
    fn months_count_across_years() {
        let dec = Month::of(day("2025-12-31"));
        let feb = Month::of(day("2026-02-01"));
        assert_eq!(feb.since(dec), 2);
        assert_eq!(dec.first_day(), day("2025-12-01"));
        assert_eq!(feb.first_day(), day("2026-02-01"));
        assert_eq!(dec.plus(2), feb);
    }

    #[test]
    fn repeat_value_accumulates_month_by_month_and_excludes_the_first_purchase() {
        let list = vec![
            // Referred in September: a buys again in September and November, b never.
            p("a", "2026-09-05T10:00:00Z", 5000, R),
            p("a", "2026-09-20T10:00:00Z", 1000, O),
            p("a", "2026-11-02T10:00:00Z", 3000, R),
            p("b", "2026-09-10T10:00:00Z", 7000, R),
            // Organic in September: c buys again in October.
            p("c", "2026-09-15T10:00:00Z", 2000, O),
            p("c", "2026-10-15T10:00:00Z", 4000, O),
            // Referred in October: d buys again in November.
            p("d", "2026-10-01T10:00:00Z", 2000, R),
            p("d", "2026-11-30T10:00:00Z", 500, O),
        ];
        let got = cohorts(&list, Tz::UTC, day("2026-09-01"), day("2026-11-30"));
        let sep = Month::of(day("2026-09-01"));
        let oct = Month::of(day("2026-10-01"));
        let shape: Vec<_> = got
            .iter()
            .map(|c| {
                (
                    c.month,
                    c.kind,
                    c.customers,
                    c.months
                        .iter()
                        .map(|m| (m.repeat_value_minor, m.repeat_customers))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    sep,
                    CohortKind::Referred,
                    2,
                    vec![(1000, 1), (1000, 1), (4000, 1)]
                ),
                (
                    sep,
                    CohortKind::Organic,
                    1,
                    vec![(0, 0), (4000, 1), (4000, 1)]
                ),
                (oct, CohortKind::Referred, 1, vec![(0, 0), (500, 1)]),
            ]
        );
        assert_eq!(got[0].value_per_customer(&got[0].months[2]), Some(2000.0));
    }

    #[test]
    fn customers_who_first_bought_before_the_period_or_through_another_campaign_are_left_out() {
        let list = vec![
            p("old", "2026-08-31T23:00:00Z", 1000, O),
            p("old", "2026-09-03T10:00:00Z", 1000, R),
            p("elsewhere", "2026-09-03T10:00:00Z", 1000, None),
            p("elsewhere", "2026-09-04T10:00:00Z", 1000, R),
            p("late", "2026-10-01T00:30:00Z", 1000, R),
        ];
        let got = cohorts(&list, Tz::UTC, day("2026-09-01"), day("2026-09-30"));
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn months_are_local_to_the_campaign_zone() {
        // 23:30 UTC on 30 September is already October in Berlin.
        let list = vec![
            p("a", "2026-09-30T23:30:00Z", 1000, R),
            p("a", "2026-10-31T23:30:00Z", 800, R), // 00:30 on 1 November, Berlin (CET)
        ];
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let got = cohorts(&list, berlin, day("2026-10-01"), day("2026-11-30"));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].month, Month::of(day("2026-10-01")));
        assert_eq!(
            got[0]
                .months
                .iter()
                .map(|m| m.repeat_value_minor)
                .collect::<Vec<_>>(),
            vec![0, 800]
        );
    }

    #[test]
    fn purchases_after_the_period_are_not_counted_and_ties_go_to_the_smaller_order() {
        let at = "2026-09-05T10:00:00Z";
        let (small, large) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let list = vec![
            Purchase {
                customer: "a".into(),
                at: at.parse().unwrap(),
                order: large,
                value_minor: 900,
                kind: O,
            },
            Purchase {
                customer: "a".into(),
                at: at.parse().unwrap(),
                order: small,
                value_minor: 100,
                kind: R,
            },
            p("a", "2026-10-01T00:00:00Z", 5000, R),
        ];
        let got = cohorts(&list, Tz::UTC, day("2026-09-01"), day("2026-09-30"));
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].kind,
            CohortKind::Referred,
            "the smaller order id is first"
        );
        assert_eq!(got[0].months.len(), 1);
        assert_eq!(got[0].months[0].repeat_value_minor, 900);
    }
}

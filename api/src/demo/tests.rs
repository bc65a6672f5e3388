//! The demo plan's shape, without a database.

use chrono::{DateTime, Datelike, Duration, Utc};

use super::plan::{BROKEN_ADDRESS, Buyer, CHANNELS, DAYS, Event, Kind, Plan, STOREFRONT};

fn end(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_default()
}

/// Ends on every weekday of two weeks, at awkward hours (just after midnight, late evening) and
/// across a year's turn: the draw lands differently on each.
fn ends() -> Vec<DateTime<Utc>> {
    let base = end("2026-12-07T14:30:00Z");
    let mut out: Vec<_> = (0..14).map(|d| base + Duration::days(d)).collect();
    out.push(end("2026-03-01T00:20:00Z"));
    out.push(end("2027-01-01T23:59:00Z"));
    out.push(end("2026-06-15T07:05:00Z"));
    out
}

#[test]
fn the_same_moment_plans_the_same_history() {
    let t = end("2026-12-07T14:30:00Z");
    let (a, b) = (Plan::new(t), Plan::new(t));
    assert_eq!(a.events, b.events);
    assert_eq!(a.clicks.len(), b.clicks.len());
}

#[test]
fn everything_happens_in_order_within_the_ninety_days() {
    for t in ends() {
        let plan = Plan::new(t);
        assert_eq!(plan.first_day, (t - Duration::days(DAYS - 1)).date_naive());
        assert!(plan.events.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(plan.clicks.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(
            plan.events
                .iter()
                .all(|(at, _)| *at < t && *at >= plan.launch - Duration::hours(1))
        );
        assert!(plan.clicks.iter().all(|c| c.at < t && c.at >= plan.launch));
        for (at, event) in &plan.events {
            match event {
                Event::Lead(j) => assert!(plan.clicks[plan.referees[*j].click].at < *at),
                Event::Purchase { click: Some(c), .. } => assert!(plan.clicks[*c].at < *at),
                _ => {}
            }
        }
        // A referee buys only after signing up.
        for (at, event) in &plan.events {
            if let Event::Purchase {
                buyer: Buyer::Referee(j),
                ..
            } = event
            {
                let signed_up = plan.events.iter().find(|(_, e)| *e == Event::Lead(*j));
                assert!(
                    signed_up.is_some_and(|(s, _)| s < at),
                    "referee {j} bought before signing up"
                );
            }
        }
    }
}

#[test]
fn clicks_grow_over_the_quarter_and_dip_at_weekends() {
    for t in ends() {
        let plan = Plan::new(t);
        let mut per_day = vec![0_usize; DAYS as usize];
        for c in &plan.clicks {
            per_day[(c.at.date_naive() - plan.first_day).num_days() as usize] += 1;
        }
        // Weeks 2–3 against the last two full weeks (the launch burst and today left out).
        let early: usize = per_day[7..21].iter().sum();
        let late: usize = per_day[(DAYS as usize - 15)..(DAYS as usize - 1)]
            .iter()
            .sum();
        assert!(
            late * 10 >= early * 17,
            "clicks grow: {early} early, {late} late"
        );
        let (mut weekend, mut weekdays) = ((0, 0), (0, 0));
        for (d, n) in per_day.iter().enumerate().take(DAYS as usize - 1).skip(2) {
            let day = plan.day(d as i64);
            let bucket = if day.weekday().num_days_from_monday() >= 5 {
                &mut weekend
            } else {
                &mut weekdays
            };
            bucket.0 += n;
            bucket.1 += 1;
        }
        let (weekend, weekdays) = (
            weekend.0 as f64 / weekend.1 as f64,
            weekdays.0 as f64 / weekdays.1 as f64,
        );
        assert!(
            weekend < weekdays * 0.85,
            "weekends are quieter: {weekend:.1} vs {weekdays:.1}"
        );
        assert!(
            (2_500..6_000).contains(&plan.clicks.len()),
            "{} clicks",
            plan.clicks.len()
        );
    }
}

#[test]
fn every_channel_brings_clicks_sign_ups_and_orders() {
    for t in ends() {
        let plan = Plan::new(t);
        for (ch, channel) in CHANNELS.iter().enumerate() {
            let clicks = plan.clicks.iter().filter(|c| c.channel == ch).count();
            let leads: Vec<usize> = plan
                .events
                .iter()
                .filter_map(|(_, e)| match e {
                    Event::Lead(j) if plan.clicks[plan.referees[*j].click].channel == ch => {
                        Some(*j)
                    }
                    _ => None,
                })
                .collect();
            let buyers = plan
                .events
                .iter()
                .filter(|(_, e)| matches!(e, Event::Purchase { buyer: Buyer::Referee(j), .. } if leads.contains(j) && plan.referees[*j].kind == Kind::Honest))
                .count();
            assert!(
                clicks > 300 && leads.len() > 20 && buyers > 10,
                "{channel}: {clicks} clicks, {} leads, {buyers} orders",
                leads.len()
            );
        }
    }
}

#[test]
fn suspicious_sign_ups_refunds_and_own_orders_are_in_the_mix() {
    for t in ends() {
        let plan = Plan::new(t);
        let kind_of = |j: usize| plan.referees[j].kind;
        let leads: Vec<(DateTime<Utc>, Kind)> = plan
            .events
            .iter()
            .filter_map(|(at, e)| match e {
                Event::Lead(j) => Some((*at, kind_of(*j))),
                _ => None,
            })
            .collect();
        let waiting = leads
            .iter()
            .filter(|(at, k)| {
                *at >= t - Duration::days(6) && matches!(k, Kind::Disposable | Kind::SharedDevice)
            })
            .count();
        assert!(
            waiting >= 3,
            "the review queue has work at the end: {waiting}"
        );
        assert!(leads.iter().any(|(_, k)| *k == Kind::SelfReferral));
        assert!(leads.iter().any(|(_, k)| *k == Kind::SharedDevice));
        let refunds = plan
            .events
            .iter()
            .filter(|(_, e)| matches!(e, Event::Refund { .. }))
            .count();
        assert!(refunds >= 3, "{refunds} refunds");
        assert!(plan.events.iter().any(|(_, e)| matches!(
            e,
            Event::Purchase {
                buyer: Buyer::Referrer(_),
                ..
            }
        )));
    }
}

#[test]
fn jane_never_shares_and_the_storefront_customers_are_not_in_the_history() {
    let plan = Plan::new(end("2026-12-07T14:30:00Z"));
    let jane: Vec<usize> = plan
        .referrers
        .iter()
        .enumerate()
        .filter(|(_, r)| r.email == BROKEN_ADDRESS)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(jane.len(), 1);
    assert!(plan.clicks.iter().all(|c| c.referrer != jane[0]));
    let ids: std::collections::HashSet<&str> = plan
        .referrers
        .iter()
        .map(|r| r.external_id.as_str())
        .chain(plan.referees.iter().map(|r| r.external_id.as_str()))
        .chain(STOREFRONT.iter().map(|(id, _)| *id))
        .collect();
    assert_eq!(
        ids.len(),
        plan.referrers.len() + plan.referees.len() + STOREFRONT.len(),
        "customer ids are unique"
    );
}

#[test]
fn only_postgresql_commits_skip_the_disk_wait() {
    assert_eq!(
        super::database_url("postgres://gv:pw@db:5432/grapevine?sslmode=disable"),
        "postgres://gv:pw@db:5432/grapevine?sslmode=disable&options%5Bsynchronous_commit%5D=off"
    );
    assert_eq!(
        super::database_url("sqlite://grapevine.db?mode=rwc"),
        "sqlite://grapevine.db?mode=rwc"
    );
}

//! Rollups (issue 5): events seeded through the public API — clicks on two channels, orders over
//! several days in the campaign's time zone, a repeat order, a refund, a reviewer's rejection — are
//! counted by the `rollup.refresh` job on the link, channel and local day they belong to, equal to
//! what was seeded; changes after the fact (the refund, the rejection) reach the rollups on the
//! next pass.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    time::Duration,
};

use chrono::{DateTime, Utc};
use grapevine_entity::{
    domain::{calendar, clock::ManualClock, hll::Sketch},
    ops::{jobs::RefreshRollups, outbox::JobKind},
    tables::{
        JobState, ReferralStatus, RewardSide, job_outbox, referrals, rewards, rollup_watermarks,
        rollups,
    },
};
use grapevine_tests::{Backend, TestApp, poll_until, spawn_app_with_clock};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// What one bucket should hold.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Expected {
    clicks: i64,
    visitors: BTreeSet<String>,
    leads: i64,
    first_purchases: i64,
    orders: i64,
    revenue_minor: i64,
    approved: i64,
    in_review: i64,
    rejected: i64,
    referrer_reward_minor: i64,
    referee_reward_minor: i64,
}

type Key = (String, String, String);

/// The per-link rows (the summary rows, with the nil link, are checked against them).
async fn rollup_rows(db: &DatabaseConnection) -> BTreeMap<Key, rollups::Model> {
    rollups::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| !r.link_id.is_nil())
        .map(|r| ((r.link_id.to_string(), r.channel.clone(), r.day.clone()), r))
        .collect()
}

async fn gql(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    app.graphql_ok(Some(token), query, variables).await
}

#[tokio::test]
async fn rollups_count_every_seeded_event_on_its_link_channel_and_local_day() {
    // Clicks happen on 18 November (07:00 in New York); the orders over the next days.
    let clock = ManualClock::new(at("2026-11-18T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    let ny = calendar::zone("America/New_York");
    let campaign = app.design_campaign(&token).await;
    gql(&app, &token, "mutation($id: UUID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { timeZone } }", json!({ "id": campaign, "i": { "timeZone": "America/New_York" } })).await;
    for who in ["ada", "bob"] {
        app.enroll(&token, &campaign, who, &format!("{who}@example.com"))
            .await;
    }
    app.launch(&token, &campaign).await;
    let key = gql(
        &app,
        &token,
        r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
        json!({}),
    )
    .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let enrolments = gql(
        &app,
        &token,
        "query($c: UUID!) { campaign(id: $c) { enrolments { edges { node { id } } } } }",
        json!({ "c": campaign }),
    )
    .await;
    // Four links: an email and a social link for each referrer.
    let mut links: Vec<(String, String, String)> = Vec::new(); // (id, code, channel)
    for edge in enrolments["campaign"]["enrolments"]["edges"]
        .as_array()
        .unwrap()
    {
        for channel in ["EMAIL", "SOCIAL"] {
            let link = gql(&app, &token, "mutation($e: UUID!, $ch: Channel) { createReferralLink(enrolmentId: $e, channel: $ch) { id code } }", json!({ "e": edge["node"]["id"], "ch": channel })).await;
            let link = &link["createReferralLink"];
            links.push((
                link["id"].as_str().unwrap().to_owned(),
                link["code"].as_str().unwrap().to_owned(),
                channel.to_lowercase(),
            ));
        }
    }

    // Link i gets 3(i+1) clicks from i+2 browsers (so visitors repeat).
    let click_day = calendar::local_day(ny, at("2026-11-18T12:00:00Z")).to_string();
    let mut expected: BTreeMap<Key, Expected> = BTreeMap::new();
    let mut first_click: Vec<uuid::Uuid> = Vec::new();
    for (i, (id, code, channel)) in links.iter().enumerate() {
        let bucket = expected
            .entry((id.clone(), channel.clone(), click_day.clone()))
            .or_default();
        for j in 0..3 * (i + 1) {
            let ua = format!(
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/{}.0",
                100 + j % (i + 2)
            );
            let click = app.click(code, &ua).await;
            if j == 0 {
                first_click.push(click);
            }
            bucket.clicks += 1;
            bucket.visitors.insert(ua);
        }
    }

    // A conversion may name only a stored click, and clicks are written in batches.
    app.clicks_stored(&first_click).await;

    // Orders: one first purchase per link at different local days (03:30Z on the 20th is still
    // the 19th in New York), a repeat order by the first customer, and a refund.
    clock.set(at("2026-11-23T12:00:00Z"));
    let orders = [
        (0, "c0", "o0", "2026-11-20T03:30:00Z", 3000),
        (1, "c1", "o1", "2026-11-20T15:00:00Z", 3100),
        (2, "c2", "o2", "2026-11-21T12:00:00Z", 3200),
        (3, "c3", "o3", "2026-11-22T23:59:00Z", 3300),
        (0, "c0", "o4", "2026-11-22T12:00:00Z", 2500),
    ];
    let mut referral_of: BTreeMap<String, String> = BTreeMap::new();
    for (link, customer, order, when, amount) in orders {
        let body = gql(&app, &key, "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }", json!({ "i": { "orderId": order, "customerId": customer, "email": format!("{customer}@friends.example"), "amountMinor": amount.to_string(), "currency": "USD", "occurredAt": when, "clickId": first_click[link] } })).await;
        let referral = body["trackConversion"]["conversion"]["referralId"]
            .as_str()
            .unwrap_or_else(|| panic!("{order} not attributed: {body}"))
            .to_owned();
        referral_of.entry(customer.to_owned()).or_insert(referral);
        let (id, _, channel) = &links[link];
        let day = calendar::local_day(ny, at(when)).to_string();
        let bucket = expected
            .entry((id.clone(), channel.clone(), day))
            .or_default();
        bucket.orders += 1;
        bucket.revenue_minor += amount;
        if order != "o4" {
            bucket.first_purchases += 1;
        }
    }
    gql(&app, &key, r#"mutation { refundConversion(orderId: "o1", refundId: "r1", amountMinor: "1000") { refunded { amountMinor } } }"#, json!({})).await;
    expected
        .get_mut(&(links[1].0.clone(), links[1].2.clone(), "2026-11-20".into()))
        .unwrap()
        .revenue_minor -= 1000;

    // Wait for the pipeline to decide every referral and reward the approved ones.
    let db = app.db.connect().await;
    let settled_pipeline = poll_until(Duration::from_secs(30), || async {
        // No event job (validation, settlement, refund re-check, email, webhook) still to run.
        let busy = grapevine_tests::busy_jobs(&db, &[]).await;
        if busy > 0 {
            return None;
        }
        let refs = referrals::Entity::find().all(&db).await.unwrap();
        let rewards = rewards::Entity::find().all(&db).await.unwrap();
        let approved = refs
            .iter()
            .filter(|r| r.status == ReferralStatus::Approved)
            .count();
        let decided = refs.len() == 4 && refs.iter().all(|r| r.status != ReferralStatus::Pending);
        (decided && rewards.len() == 2 * approved).then_some((refs, rewards))
    })
    .await;
    let (refs, rewards) = settled_pipeline;
    let link_of: BTreeMap<String, usize> = referral_of
        .iter()
        .map(|(customer, referral)| (referral.clone(), customer[1..].parse::<usize>().unwrap()))
        .collect();

    // Leads count on the day of the touch that tied them (here the click, on 18 November), under
    // their status now; rewards on the day they were created, net of what the refund reversed.
    let lead_day = click_day.clone();
    for referral in &refs {
        let (id, _, channel) = &links[link_of[&referral.id.to_string()]];
        let bucket = expected
            .entry((id.clone(), channel.clone(), lead_day.clone()))
            .or_default();
        bucket.leads += 1;
        match referral.status {
            ReferralStatus::Approved => bucket.approved += 1,
            ReferralStatus::Rejected => bucket.rejected += 1,
            _ => bucket.in_review += 1,
        }
    }
    let mut reward_cost = 0;
    for reward in &rewards {
        let (id, _, channel) = &links[link_of[&reward.referral_id.to_string()]];
        let day = calendar::local_day(ny, reward.created_at).to_string();
        let bucket = expected
            .entry((id.clone(), channel.clone(), day))
            .or_default();
        let value = reward.amount_minor - reward.reversed_minor;
        reward_cost += value;
        match reward.side {
            RewardSide::Referrer => bucket.referrer_reward_minor += value,
            RewardSide::Referee => bucket.referee_reward_minor += value,
        }
    }
    assert!(reward_cost > 0, "some referral was approved and rewarded");

    // The rollups catch up: every bucket holds what was seeded, and nothing else.
    let check = |rows: &BTreeMap<Key, rollups::Model>| -> Result<(), String> {
        let keys: BTreeSet<&Key> = rows.keys().collect();
        let wanted: BTreeSet<&Key> = expected.keys().collect();
        if keys != wanted {
            return Err(format!("buckets {keys:?} != {wanted:?}"));
        }
        for (k, e) in &expected {
            let r = &rows[k];
            let visitors = Sketch::from_bytes(&r.visitors).unwrap();
            let got = (
                r.clicks,
                visitors.estimate(),
                r.leads,
                r.first_purchases,
                r.orders,
                r.revenue_minor,
                (r.approved, r.in_review, r.rejected),
                (r.referrer_reward_minor, r.referee_reward_minor),
            );
            let want = (
                e.clicks,
                e.visitors.len() as u64,
                e.leads,
                e.first_purchases,
                e.orders,
                e.revenue_minor,
                (e.approved, e.in_review, e.rejected),
                (e.referrer_reward_minor, e.referee_reward_minor),
            );
            if got != want {
                return Err(format!("{k:?}: {got:?} != {want:?}"));
            }
        }
        Ok(())
    };
    let last = std::cell::RefCell::new(String::new());
    let settled = grapevine_tests::try_poll_until(Duration::from_secs(20), || async {
        let rows = rollup_rows(&db).await;
        match check(&rows) {
            Ok(()) => Some(rows),
            Err(e) => {
                *last.borrow_mut() = e;
                None
            }
        }
    })
    .await;
    settled.unwrap_or_else(|| {
        panic!(
            "the rollups never matched the seeded events: {}",
            last.borrow()
        )
    });

    // A reviewer rejects one referral: its lead moves to `rejected` on the next pass.
    let rejected = &referral_of["c2"];
    gql(&app, &token, "mutation($id: UUID!) { reviewReferral(id: $id, verdict: REJECT, reason: \"same household\") { status } }", json!({ "id": rejected })).await;
    let bucket = (links[2].0.clone(), links[2].2.clone(), lead_day.clone());
    let row = poll_until(Duration::from_secs(20), || async {
        let rows = rollup_rows(&db).await;
        rows.get(&bucket).filter(|r| r.rejected == 1).cloned()
    })
    .await;
    assert_eq!((row.leads, row.approved + row.in_review), (1, 0));
    // The rejection also reverses the referral's rewards (the settlement job the review queued):
    // wait until that has run and a rollup pass has taken the reversed rewards in.
    poll_until(Duration::from_secs(30), || async {
        if grapevine_tests::busy_jobs(&db, &[]).await > 0 {
            return None;
        }
        let last_change = rewards::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.updated_at)
            .max()?;
        let taken_in = rollup_watermarks::Entity::find_by_id("rewards".to_owned())
            .one(&db)
            .await
            .unwrap()?
            .at;
        (taken_in >= last_change).then_some(())
    })
    .await;
    // Passes can overlap and finish out of order: one that started before the reversal may still
    // write its older counts after a newer pass took the reversal in (the next pass heals them,
    // its overlap re-reading the change). So wait until no pass is under way, then for one more
    // pass, which started after every older one finished, to complete.
    let passes_done = || async {
        let passes = job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.eq(RefreshRollups::KIND))
            .all(&db)
            .await
            .unwrap();
        let running = passes
            .iter()
            .any(|j| matches!(j.state, JobState::Dispatched | JobState::Running));
        let done = passes.iter().filter(|j| j.state == JobState::Done).count();
        (!running).then_some(done)
    };
    let before = poll_until(Duration::from_secs(30), passes_done).await;
    poll_until(Duration::from_secs(30), || async {
        passes_done().await.filter(|done| *done > before)
    })
    .await;

    // `grapevine rollup --rebuild` recomputes every bucket from the events: with the rollups
    // wiped (as after a bulk load), it restores exactly what the job had built.
    let built = rollup_snapshot(&db).await;
    rollups::Entity::delete_many().exec(&db).await.unwrap();
    let out = tokio::process::Command::new(grapevine_tests::grapevine_binary())
        .args(["rollup", "--rebuild"])
        .envs(grapevine_tests::process::config_env(&app.config))
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["campaigns"], 1, "{summary}");
    assert_eq!(rollup_snapshot(&db).await, built);
}

/// Every rollup row without its id and write time.
async fn rollup_snapshot(db: &DatabaseConnection) -> Vec<String> {
    let mut rows: Vec<String> = rollups::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {:?} {} {} {} {} {} {} {} {} {} {} {}",
                r.link_id,
                r.channel,
                r.variant_id,
                r.day,
                r.clicks,
                r.visitors,
                r.leads,
                r.approved,
                r.in_review,
                r.rejected,
                r.first_purchases,
                r.orders,
                r.revenue_minor,
                r.referrer_reward_minor,
                r.referee_reward_minor,
                r.settled_reward_minor,
                r.tenant_id
            )
        })
        .collect();
    rows.sort();
    rows
}

//! The weekly digest email (issue 5): the campaign owner gets the last seven days' figures from
//! the rollups through the email pipeline, on demand and once per ISO week on schedule; a damaged
//! rollup row fails the digest as it fails the report.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::{
    domain::clock::ManualClock,
    tables::{EmailKind, emails, job_runs, rollups},
};
use grapevine_tests::{
    Backend, TestApp, error_codes, spawn_app_with, spawn_app_with_clock, try_poll_until,
};
use grapevine_worker::jobs::DigestRun;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn owner_email(app: &TestApp) -> String {
    app.graphql_ok(Some(&app.admin_token), "{ me { email } }", json!({}))
        .await["me"]["email"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_owner_gets_the_last_seven_days_from_the_rollups_on_demand() {
    let clock = ManualClock::new(at("2026-11-18T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    let owner = owner_email(&app).await;
    let campaign = app.design_campaign(&token).await;
    let code = app
        .enroll(&token, &campaign, "ada", "ada@example.com")
        .await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    app.launch(&token, &campaign).await;
    let key = app
        .graphql_ok(
            Some(&token),
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // Seven clicks and two purchases of 30.00 and 45.00 on 18 and 19 November.
    let mut click_ids = Vec::new();
    for i in 0..7 {
        let browser =
            format!("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/12{i}.0");
        click_ids.push(app.click(&code, &browser).await);
    }
    app.clicks_stored(&click_ids).await;
    clock.set(at("2026-11-19T15:00:00Z"));
    for (i, amount) in [(0, "3000"), (1, "4500")] {
        app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("o{i}"), "customerId": format!("c{i}"), "email": format!("c{i}@friends.example"), "amountMinor": amount, "currency": "USD", "clickId": click_ids[i] } })).await;
    }
    // Two days later, once the rollups have the purchases, the owner asks for the digest.
    clock.set(at("2026-11-21T09:00:00Z"));
    let report = "query($c: UUID!) { campaignReport(campaignId: $c) { funnel { orders } } }";
    try_poll_until(Duration::from_secs(30), || async {
        let r = app
            .graphql_ok(Some(&token), report, json!({ "c": campaign }))
            .await;
        (r["campaignReport"]["funnel"]["orders"] == "2").then_some(())
    })
    .await
    .expect("the rollups took the purchases in");
    let sales = app.login_as("SALES").await;
    let ask = "mutation($c: UUID!) { sendCampaignDigest(campaignId: $c) }";
    assert_eq!(
        error_codes(
            &app.graphql(Some(&sales), ask, json!({ "c": campaign }))
                .await
        ),
        ["FORBIDDEN"]
    );
    assert_eq!(
        app.graphql_ok(Some(&token), ask, json!({ "c": campaign }))
            .await["sendCampaignDigest"],
        true
    );

    let digest = try_poll_until(Duration::from_secs(30), || async {
        app.smtp
            .messages()
            .into_iter()
            .find(|m| m.to.contains(&owner))
    })
    .await
    .expect("the digest reached the SMTP server");
    assert_eq!(
        digest.subject.as_deref(),
        Some("Spring referral: 2 new customers this week")
    );
    let text = digest.text.unwrap();
    for line in [
        "2026-11-14 to 2026-11-20",
        "Clicks: 7 (new)",
        "Unique visitors: 7",
        "Leads: 2",
        "New customers: 2 (new)",
        "Orders: 2",
        "Revenue: 75.00 USD (new)",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(
        digest
            .html
            .unwrap()
            .contains("<h2>Weekly report for Spring referral</h2>")
    );
    let db = app.db.connect().await;
    let stored = emails::Entity::find()
        .filter(emails::Column::Kind.eq(EmailKind::Digest))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].to_address, owner);
}

#[tokio::test]
async fn the_scheduled_digest_goes_out_once_a_week_however_often_the_scheduler_ticks() {
    let app = spawn_app_with(Backend::current(), |c| c.analytics.weekly_digest = true).await;
    let token = app.admin_token.clone();
    let owner = owner_email(&app).await;
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "ada", "ada@example.com")
        .await;
    app.launch(&token, &campaign).await;
    let to_owner = || {
        app.smtp
            .messages()
            .into_iter()
            .filter(|m| m.to.contains(&owner))
            .count()
    };
    try_poll_until(Duration::from_secs(30), || async {
        (to_owner() == 1).then_some(())
    })
    .await
    .expect("this week's digest went out");
    // The scheduler looks again (a digest pass queued after the first digest went out) and
    // whatever it queued has run: no second digest this week.
    app.next_pass::<DigestRun>().await;
    app.jobs_idle().await;
    assert_eq!(to_owner(), 1);
    let db = app.db.connect().await;
    let digests = emails::Entity::find()
        .filter(emails::Column::Kind.eq(EmailKind::Digest))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(digests, 1);
}

#[tokio::test]
async fn a_rollup_row_with_a_damaged_visitor_sketch_fails_the_digest_as_it_fails_the_report() {
    let clock = ManualClock::new(at("2026-11-18T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.launch(&token, &campaign).await;
    // A summary row of last week whose sketch cannot be read (as after a bad restore).
    let db = app.db.connect().await;
    rollups::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        tenant_id: Set(app.tenant_id.parse().unwrap()),
        campaign_id: Set(campaign.parse().unwrap()),
        day: Set("2026-11-17".into()),
        link_id: Set(uuid::Uuid::nil()),
        channel: Set("email".into()),
        variant_id: Set(uuid::Uuid::nil()),
        clicks: Set(5),
        visitors: Set(vec![1, 1, 0]),
        leads: Set(0),
        approved: Set(0),
        in_review: Set(0),
        rejected: Set(0),
        first_purchases: Set(0),
        orders: Set(0),
        revenue_minor: Set(0),
        referrer_reward_minor: Set(0),
        referee_reward_minor: Set(0),
        settled_reward_minor: Set(0),
        updated_at: Set(at("2026-11-18T00:00:00Z")),
    }
    .insert(&db)
    .await
    .unwrap();

    let report = app
        .graphql(
            Some(&token),
            "query($c: UUID!) { campaignReport(campaignId: $c, from: \"2026-11-11\", to: \"2026-11-17\") { funnel { clicks } } }",
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(error_codes(&report), ["INTERNAL"]);

    app.graphql_ok(
        Some(&token),
        "mutation($c: UUID!) { sendCampaignDigest(campaignId: $c) }",
        json!({ "c": campaign }),
    )
    .await;
    let failed = try_poll_until(Duration::from_secs(30), || async {
        job_runs::Entity::find()
            .filter(job_runs::Column::Kind.eq("reports.digest"))
            .filter(job_runs::Column::Error.is_not_null())
            .one(&db)
            .await
            .unwrap()
    })
    .await
    .expect("the digest job ran and failed");
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("unreadable visitor sketch"),
        "{:?}",
        failed.error
    );
    let digests = emails::Entity::find()
        .filter(emails::Column::Kind.eq(EmailKind::Digest))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(digests, 0, "no digest was written from partial figures");
}

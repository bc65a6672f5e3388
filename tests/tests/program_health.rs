//! Programme health (issue 5, item 5): a small programme seeded through the public API — a
//! launched campaign with three referrers, a draft, clicks, two referred purchases paid out and a
//! self-referral stopped — gives a `programHealth` whose every metric equals a direct
//! computation from the database rows. Tracking accuracy is checked with losses induced in the
//! database itself (triggers refusing clicks and one order), so received and stored differ by a
//! known amount. Also: who may read it; another tenant sees none of it.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::HashSet, time::Duration};

use chrono::Utc;
use grapevine_entity::tables::{
    EmailState, ReferralStatus, RewardStatus, campaigns, clicks, conversions, emails, enrolments,
    referral_links, referrals, rewards,
};
use grapevine_tests::{
    TestApp,
    client::GraphqlClient,
    error_codes, poll_until,
    shop::{self, Payouts, ShopSpec},
    spawn_app,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

const HEALTH: &str = "query($f: DateTime!, $t: DateTime!, $c: UUID) { programHealth(from: $f, to: $t, campaignId: $c) {
  from to
  campaignSetupSuccess { value low high successes trials }
  participation { value successes trials }
  incentives { campaignId name referrerRewardKind referrerRewardMinor referrerRewardBps currency clicks customers
    participation { value successes trials } conversion { value successes trials } }
  incentiveLevels { referrerRewardKind referrerRewardMinor currency campaigns participation { successes trials } conversion { successes trials } }
  trackingAccuracy { hoursFrom hoursTo clicksReceived clicksRecorded clicksLost clicks { value successes trials }
    conversionReports conversionReportsFailed conversions { value successes trials } }
  attributionCorrectness { value successes trials } analysisQuality { value successes trials }
  optimisationImpact { recommendationId }
  distribution { kind sent failed unknown success { value successes trials } }
  fraudPrevention { value successes trials }
  rewardReleaseToPaidP50Hours rewardReleaseToPaidP95Hours rewardsSettled } }";

fn n(v: &Value) -> i64 {
    v.as_str()
        .unwrap_or_else(|| panic!("a BigInt string: {v}"))
        .parse()
        .unwrap()
}

/// Click a referral link as a browser would (the client follows no redirect).
async fn click(api: &GraphqlClient, code: &str) {
    api.visit(code)
        .user_agent("Mozilla/5.0 Firefox/128.0")
        .click()
        .await;
}

/// A referred lead and its purchase, reported with the referrer's code.
async fn purchase(api: &GraphqlClient, key: &str, code: &str, customer: &str, email: &str) {
    api.ok(
        key,
        "mutation($i: LeadInput!) { trackLead(input: $i) { referral { id } } }",
        json!({ "i": { "customerId": customer, "email": email, "code": code } }),
    )
    .await;
    api.ok(key, "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("order-{customer}"), "customerId": customer, "email": email, "amountMinor": "5000", "currency": "USD", "code": code } })).await;
}

/// Wait until the seeded work has settled: clicks stored, the self-referral rejected, both
/// referrer rewards paid, and no email still on its way.
async fn settled(db: &DatabaseConnection, clicks_seeded: u64) {
    poll_until(Duration::from_secs(90), || async {
        let stored = clicks::Entity::find().count(db).await.unwrap();
        let rejected = referrals::Entity::find()
            .filter(referrals::Column::Status.eq(ReferralStatus::Rejected))
            .count(db)
            .await
            .unwrap();
        let paid = rewards::Entity::find()
            .filter(rewards::Column::Status.eq(RewardStatus::Paid))
            .count(db)
            .await
            .unwrap();
        let moving = emails::Entity::find()
            .filter(emails::Column::State.is_in([EmailState::Queued, EmailState::Sending]))
            .count(db)
            .await
            .unwrap();
        (stored == clicks_seeded && rejected == 1 && paid == 2 && moving == 0).then_some(())
    })
    .await;
}

/// The seeded programme: (app, api, the launched shop).
async fn seeded() -> (TestApp, GraphqlClient, shop::Shop) {
    let app = spawn_app().await;
    let api = GraphqlClient::new(&app.address);
    let token = app.admin_token.clone();
    let shop = shop::open(
        &api,
        &token,
        ShopSpec {
            referrers: shop::numbered(3),
            rules: vec![shop::first_purchase("REFERRER", 500, "CASH")],
            payouts: Some(Payouts {
                providers: false,
                max_attempts: 3,
            }),
            name: "Health",
            ..ShopSpec::default()
        },
    )
    .await;
    // A campaign created and never launched.
    api.ok(
        &token,
        "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
        json!({ "i": { "name": "Draft", "startsAt": Utc::now(), "currency": "USD" } }),
    )
    .await;
    let codes: Vec<String> = shop.referrers.iter().map(|(_, c)| c.clone()).collect();
    for code in [&codes[0], &codes[0], &codes[0], &codes[1]] {
        click(&api, code).await;
    }
    purchase(&api, &shop.key, &codes[0], "c1", "c1@friends.example").await;
    purchase(&api, &shop.key, &codes[1], "c2", "c2@friends.example").await;
    // Self-referral: r02 refers their own address; the fraud check rejects it.
    purchase(&api, &shop.key, &codes[2], "c3", "r02@referrers.example").await;
    settled(&app.db.connect().await, 4).await;
    (app, api, shop)
}

/// Make the database refuse every click, and the order `order-boom`, until [`heal`]: real write
/// failures (a trigger raising an error), not a stand-in.
async fn refuse_writes(db: &DatabaseConnection) {
    let statements: &[&str] = match db.get_database_backend() {
        DbBackend::Postgres => &[
            "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_TABLE_NAME = 'clicks' OR NEW.external_order_id = 'order-boom' THEN \
             RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER refuse_clicks BEFORE INSERT ON clicks FOR EACH ROW EXECUTE FUNCTION refuse_write()",
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON conversions FOR EACH ROW EXECUTE FUNCTION refuse_write()",
        ],
        _ => &[
            "CREATE TRIGGER refuse_clicks BEFORE INSERT ON clicks BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON conversions WHEN NEW.external_order_id = 'order-boom' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
    };
    for sql in statements {
        db.execute_unprepared(sql).await.unwrap();
    }
}

async fn heal(db: &DatabaseConnection) {
    for sql in [
        "DROP TRIGGER refuse_clicks ON clicks",
        "DROP TRIGGER refuse_boom ON conversions",
    ] {
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => sql.to_owned(),
            _ => sql.split(" ON ").next().unwrap().to_owned(),
        };
        db.execute_unprepared(&sql).await.unwrap();
    }
}

/// What the rows say, computed here without the service.
struct Direct {
    created: i64,
    launched: i64,
    eligible: i64,
    sharers: i64,
    clicks: i64,
    customers: i64,
    flagged: i64,
    stopped: i64,
    settle_hours: Vec<f64>,
    decided: i64,
    upheld: i64,
    all_clicks: i64,
}

async fn direct(db: &DatabaseConnection, tenant: Uuid, campaign: Uuid) -> Direct {
    let all_campaigns = campaigns::Entity::find()
        .filter(campaigns::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap();
    let eligible: Vec<Uuid> = enrolments::Entity::find()
        .filter(enrolments::Column::TenantId.eq(tenant))
        .filter(enrolments::Column::Eligible.eq(true))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.participant_id)
        .collect();
    let clicked_links: HashSet<Uuid> = clicks::Entity::find()
        .filter(clicks::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.link_id)
        .collect();
    let sharers: HashSet<Uuid> = referral_links::Entity::find()
        .filter(referral_links::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| clicked_links.contains(&l.id) && eligible.contains(&l.participant_id))
        .map(|l| l.participant_id)
        .collect();
    let customers: HashSet<String> = conversions::Entity::find()
        .filter(conversions::Column::TenantId.eq(tenant))
        .filter(conversions::Column::CampaignId.eq(campaign))
        .filter(conversions::Column::ReferralId.is_not_null())
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.customer_external_id)
        .collect();
    let all_referrals = referrals::Entity::find()
        .filter(referrals::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap();
    let flagged: Vec<Uuid> = all_referrals
        .iter()
        .filter(|r| matches!(r.status, ReferralStatus::Review | ReferralStatus::Rejected))
        .map(|r| r.id)
        .collect();
    let with_status =
        |s: ReferralStatus| all_referrals.iter().filter(|r| r.status == s).count() as i64;
    let all_rewards = rewards::Entity::find()
        .filter(rewards::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap();
    let paid =
        |r: &rewards::Model| matches!(r.status, RewardStatus::Paid | RewardStatus::Fulfilled);
    let stopped = flagged
        .iter()
        .filter(|id| !all_rewards.iter().any(|r| r.referral_id == **id && paid(r)))
        .count();
    let mut settle_hours: Vec<f64> = all_rewards
        .iter()
        .filter(|r| paid(r))
        .map(|r| (r.settled_at.unwrap() - r.released_at.unwrap()).num_milliseconds() as f64 / 3.6e6)
        .collect();
    settle_hours.sort_by(f64::total_cmp);
    Direct {
        created: all_campaigns.len() as i64,
        launched: all_campaigns
            .iter()
            .filter(|c| c.launched_at.is_some())
            .count() as i64,
        eligible: eligible.len() as i64,
        sharers: sharers.len() as i64,
        clicks: clicks::Entity::find()
            .filter(clicks::Column::TenantId.eq(tenant))
            .filter(clicks::Column::CampaignId.eq(campaign))
            .count(db)
            .await
            .unwrap() as i64,
        customers: customers.len() as i64,
        flagged: flagged.len() as i64,
        stopped: stopped as i64,
        settle_hours,
        decided: with_status(ReferralStatus::Approved) + with_status(ReferralStatus::Rejected),
        upheld: with_status(ReferralStatus::Approved),
        all_clicks: clicks::Entity::find()
            .filter(clicks::Column::TenantId.eq(tenant))
            .count(db)
            .await
            .unwrap() as i64,
    }
}

/// Quantile by the textbook rule (Hyndman–Fan 7), written out here.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = sorted[h.floor() as usize];
    let hi = sorted[h.ceil() as usize];
    lo + (h - h.floor()) * (hi - lo)
}

fn period() -> Value {
    let now = Utc::now();
    json!({ "f": now - chrono::Duration::hours(1), "t": now + chrono::Duration::hours(1) })
}

#[tokio::test]
async fn program_health_on_seeded_data_matches_a_direct_computation_of_each_metric() {
    let (app, api, shop) = seeded().await;
    let db = app.db.connect().await;
    let tenant: Uuid = app.tenant_id.parse().unwrap();
    let campaign: Uuid = shop.campaign.parse().unwrap();
    let mm = app.login_as("MARKETING_MANAGER").await;

    // Losses, induced in the database: two clicks whose write fails for good, and an order whose
    // insert fails (the caller is told INTERNAL). Then a replay of a stored order, which counts
    // as received and stored.
    refuse_writes(&db).await;
    let code = &shop.referrers[2].1;
    click(&api, code).await;
    click(&api, code).await;
    let failed = api.request(&shop.key, "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": "order-boom", "customerId": "c9", "amountMinor": "700", "currency": "USD", "code": code } })).await;
    assert_eq!(error_codes(&failed), vec!["INTERNAL"], "{failed}");
    let replay = api.ok(&shop.key, "mutation($i: ConversionInput!) { trackConversion(input: $i) { duplicate } }", json!({ "i": { "orderId": "order-c1", "customerId": "c1", "email": "c1@friends.example", "amountMinor": "5000", "currency": "USD", "code": shop.referrers[0].1 } })).await;
    assert_eq!(replay["trackConversion"]["duplicate"], json!(true));
    // The writer gives a batch up after five tries; the tally reaches the table within a second.
    // One period for every query below (hour-rounded figures must cover the same hours).
    let window = period();
    let h = poll_until(Duration::from_secs(30), || async {
        let h = api.ok(&mm, HEALTH, window.clone()).await["programHealth"].clone();
        (n(&h["trackingAccuracy"]["clicksLost"]) == 2).then_some(h)
    })
    .await;
    heal(&db).await;
    let d = direct(&db, tenant, campaign).await;
    // The seed itself, so the direct computation is not vacuous.
    assert_eq!((d.created, d.launched), (2, 1));
    assert_eq!((d.eligible, d.sharers, d.clicks), (3, 2, 4));
    assert_eq!((d.flagged, d.stopped), (1, 1));
    assert_eq!(d.settle_hours.len(), 2);

    let setup = &h["campaignSetupSuccess"];
    assert_eq!(
        (n(&setup["successes"]), n(&setup["trials"])),
        (d.launched, d.created)
    );
    assert_eq!(setup["value"], json!(0.5));
    assert!(setup["low"].as_f64().unwrap() < 0.5 && setup["high"].as_f64().unwrap() > 0.5);

    let part = &h["participation"];
    assert_eq!(
        (n(&part["successes"]), n(&part["trials"])),
        (d.sharers, d.eligible)
    );

    let rows = h["incentives"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        1,
        "only the campaign with eligible participants: {h:#}"
    );
    let row = &rows[0];
    assert_eq!(row["campaignId"], json!(shop.campaign));
    assert_eq!(row["referrerRewardKind"], "fixed");
    assert_eq!(row["referrerRewardMinor"], "500");
    assert_eq!(row["currency"], "USD");
    assert_eq!(n(&row["clicks"]), d.clicks);
    assert_eq!(n(&row["customers"]), d.customers);
    assert_eq!(n(&row["participation"]["successes"]), d.sharers);
    let conv = &row["conversion"];
    assert_eq!(
        (n(&conv["successes"]), n(&conv["trials"])),
        (d.customers, d.clicks)
    );
    assert_eq!(d.customers, 3, "c1, c2 and the rejected self-referral c3");

    // By reward level: one level (fixed 500), the same counts.
    let levels = h["incentiveLevels"].as_array().unwrap();
    assert_eq!(levels.len(), 1, "{levels:#?}");
    assert_eq!(levels[0]["referrerRewardKind"], "fixed");
    assert_eq!(levels[0]["referrerRewardMinor"], "500");
    assert_eq!(n(&levels[0]["campaigns"]), 1);
    assert_eq!(
        levels[0]["participation"],
        row["participation"]
            .as_object()
            .map(|o| json!({ "successes": o["successes"], "trials": o["trials"] }))
            .unwrap()
    );
    assert_eq!(
        levels[0]["conversion"],
        json!({ "successes": conv["successes"], "trials": conv["trials"] })
    );

    let fraud = &h["fraudPrevention"];
    assert_eq!(
        (n(&fraud["successes"]), n(&fraud["trials"])),
        (d.stopped, d.flagged)
    );

    assert_eq!(n(&h["rewardsSettled"]), d.settle_hours.len() as i64);
    for (field, q) in [
        ("rewardReleaseToPaidP50Hours", 0.5),
        ("rewardReleaseToPaidP95Hours", 0.95),
    ] {
        let got = h[field].as_f64().unwrap();
        let want = quantile(&d.settle_hours, q);
        assert!((got - want).abs() < 1e-9, "{field}: {got} vs {want}");
    }

    // Distribution: per kind, against the email rows.
    let mails = emails::Entity::find()
        .filter(emails::Column::TenantId.eq(tenant))
        .all(&db)
        .await
        .unwrap();
    let kinds: HashSet<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
    let dist = h["distribution"].as_array().unwrap();
    assert_eq!(dist.len(), kinds.len(), "{dist:#?}");
    assert!(!dist.is_empty(), "the launch emailed the referrers");
    for k in dist {
        let of = |s: EmailState| {
            mails
                .iter()
                .filter(|m| m.kind.as_str() == k["kind"].as_str().unwrap() && m.state == s)
                .count() as i64
        };
        let (sent, failed, unknown) = (
            of(EmailState::Sent),
            of(EmailState::Failed),
            of(EmailState::Unknown),
        );
        assert_eq!(
            (n(&k["sent"]), n(&k["failed"]), n(&k["unknown"])),
            (sent, failed, unknown)
        );
        assert_eq!(n(&k["success"]["successes"]), sent);
        assert_eq!(n(&k["success"]["trials"]), sent + failed + unknown);
    }

    // Tracking accuracy: six clicks counted by the redirect, four stored, two lost; five
    // conversion reports (three purchases, the replay, the refused order), one failed.
    let t = &h["trackingAccuracy"];
    assert_eq!(d.all_clicks, 4, "the refused clicks left no row");
    assert_eq!(
        (
            n(&t["clicksReceived"]),
            n(&t["clicksRecorded"]),
            n(&t["clicksLost"])
        ),
        (6, d.all_clicks, 2)
    );
    assert_eq!(
        (n(&t["clicks"]["successes"]), n(&t["clicks"]["trials"])),
        (4, 6)
    );
    let stored_orders = conversions::Entity::find()
        .filter(conversions::Column::TenantId.eq(tenant))
        .count(&db)
        .await
        .unwrap() as i64;
    assert_eq!(stored_orders, 3, "the refused order left no row");
    assert_eq!(
        (n(&t["conversionReports"]), n(&t["conversionReportsFailed"])),
        (stored_orders + 2, 1)
    );
    assert_eq!(
        (
            n(&t["conversions"]["successes"]),
            n(&t["conversions"]["trials"])
        ),
        (4, 5)
    );
    assert_eq!(t["conversions"]["value"], json!(0.8));
    let hour = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    assert_eq!(hour(&t["hoursFrom"]) % 3600, 0);
    assert_eq!(hour(&t["hoursTo"]) % 3600, 0);

    // Attribution correctness: c1 and c2 approved, the self-referral c3 rejected.
    let a = &h["attributionCorrectness"];
    assert_eq!((d.decided, d.upheld), (3, 2));
    assert_eq!((n(&a["successes"]), n(&a["trials"])), (d.upheld, d.decided));

    // No recommendation was applied: nothing to measure or score
    // (tests/tests/recommendations.rs measures both).
    assert_eq!(h["optimisationImpact"], json!([]));
    assert_eq!(
        h["analysisQuality"],
        json!({ "value": null, "successes": "0", "trials": "0" })
    );

    // One campaign at a time: the launched one has every referral, reward and click; its emails
    // are those tied to it; the draft has nothing but its own creation.
    let mut one = window.clone();
    one["c"] = json!(shop.campaign);
    let c = api.ok(&mm, HEALTH, one).await["programHealth"].clone();
    assert_eq!(
        (
            n(&c["campaignSetupSuccess"]["successes"]),
            n(&c["campaignSetupSuccess"]["trials"])
        ),
        (1, 1)
    );
    for field in [
        "participation",
        "fraudPrevention",
        "attributionCorrectness",
        "incentives",
        "incentiveLevels",
        "rewardsSettled",
        "rewardReleaseToPaidP50Hours",
        "trackingAccuracy",
    ] {
        assert_eq!(c[field], h[field], "{field}: the campaign holds all of it");
    }
    let campaign_mails = mails
        .iter()
        .filter(|m| m.campaign_id == Some(campaign))
        .count() as i64;
    let campaign_dist: i64 = c["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| n(&k["sent"]) + n(&k["failed"]) + n(&k["unknown"]))
        .sum();
    assert_eq!(campaign_dist, campaign_mails);
    let draft = campaigns::Entity::find()
        .filter(campaigns::Column::TenantId.eq(tenant))
        .filter(campaigns::Column::Name.eq("Draft"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut other = window.clone();
    other["c"] = json!(draft.id);
    let c = api.ok(&mm, HEALTH, other).await["programHealth"].clone();
    assert_eq!(
        (
            n(&c["campaignSetupSuccess"]["successes"]),
            n(&c["campaignSetupSuccess"]["trials"])
        ),
        (0, 1)
    );
    assert_eq!(n(&c["participation"]["trials"]), 0);
    assert_eq!(n(&c["fraudPrevention"]["trials"]), 0);
    assert_eq!(n(&c["attributionCorrectness"]["trials"]), 0);
    assert_eq!(n(&c["rewardsSettled"]), 0);
    assert_eq!(c["incentives"], json!([]));
    assert_eq!(c["distribution"], json!([]));
    assert_eq!(
        c["trackingAccuracy"], h["trackingAccuracy"],
        "tracking accuracy is the tenant's"
    );

    // A period before anything happened counts nothing.
    let early = json!({ "f": "2020-01-01T00:00:00Z", "t": "2020-02-01T00:00:00Z" });
    let e = api.ok(&mm, HEALTH, early).await["programHealth"].clone();
    assert_eq!(n(&e["campaignSetupSuccess"]["trials"]), 0);
    assert_eq!(e["campaignSetupSuccess"]["value"], Value::Null);
    assert_eq!(e["rewardReleaseToPaidP50Hours"], Value::Null);
    assert_eq!(e["distribution"], json!([]));
}

#[tokio::test]
async fn program_health_is_for_marketing_finance_and_ops() {
    let (app, api, _) = seeded().await;
    for role in ["MARKETING_MANAGER", "FINANCE", "OPS"] {
        let token = app.login_as(role).await;
        let h = api.ok(&token, HEALTH, period()).await;
        assert_eq!(
            n(&h["programHealth"]["campaignSetupSuccess"]["trials"]),
            2,
            "{role}"
        );
    }
    let sales = app.login_as("SALES").await;
    assert_eq!(
        error_codes(&api.request(&sales, HEALTH, period()).await),
        vec!["FORBIDDEN"]
    );
    let anonymous = app.graphql(None, HEALTH, period()).await;
    assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn the_program_health_period_must_run_forward_and_stay_bounded() {
    let app = spawn_app().await;
    let api = GraphqlClient::new(&app.address);
    // At most `MAX_HEALTH_DAYS`, about three years.
    let mm = app.login_as("MARKETING_MANAGER").await;
    let now = Utc::now();
    for vars in [
        json!({ "f": now, "t": now - chrono::Days::new(31) }),
        json!({ "f": now, "t": now }),
        json!({ "f": now - chrono::Days::new(6 * 365), "t": now }),
    ] {
        assert_eq!(
            error_codes(&api.request(&mm, HEALTH, vars).await),
            vec!["VALIDATION"]
        );
    }
}

#[tokio::test]
async fn another_tenant_sees_none_of_a_tenant_s_program_health() {
    let (app, api, shop) = seeded().await;
    let (_, other) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let mut theirs = period();
    theirs["c"] = json!(shop.campaign);
    assert_eq!(
        error_codes(&api.request(&other, HEALTH, theirs).await),
        vec!["NOT_FOUND"],
        "another tenant's campaign does not exist here"
    );
    let h = api.ok(&other, HEALTH, period()).await["programHealth"].clone();
    assert_eq!(n(&h["campaignSetupSuccess"]["trials"]), 0);
    assert_eq!(n(&h["participation"]["trials"]), 0);
    assert_eq!(h["incentives"], json!([]));
    assert_eq!(h["distribution"], json!([]));
    assert_eq!(n(&h["fraudPrevention"]["trials"]), 0);
    assert_eq!(n(&h["rewardsSettled"]), 0);
    assert_eq!(n(&h["trackingAccuracy"]["clicksReceived"]), 0);
    assert_eq!(n(&h["trackingAccuracy"]["conversionReports"]), 0);
    assert_eq!(n(&h["attributionCorrectness"]["trials"]), 0);
}

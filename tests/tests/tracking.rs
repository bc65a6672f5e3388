//! Links and the click redirect: attribution in the URL, clicks stored through the batch writer,
//! bots not counted, paused campaigns not attributing, vanity and channel links, QR codes, trusted
//! proxies, clicks flushed on a graceful shutdown, and a purchase reported while its click is still
//! on its way to the database.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_entity::tables::{Channel, clicks};
use grapevine_tests::error_codes as codes;
use grapevine_tests::{
    Backend, FIREFOX, GrapevineProcess, TestApp, Visit, click_id, free_port, poll_until, spawn_app,
    spawn_app_with, try_poll_until,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A launched campaign with one invited participant; returns (campaign id, enrolment).
async fn live_campaign(app: &TestApp) -> (String, Value) {
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "ada", "ada@example.com")
        .await;
    app.launch(&token, &campaign).await;
    let data = app.graphql_ok(Some(&token), "query($c: UUID!) { campaign(id: $c) { enrolments { edges { node { id referralCode } } } } }", json!({ "c": campaign })).await;
    (
        campaign,
        data["campaign"]["enrolments"]["edges"][0]["node"].clone(),
    )
}

async fn stored_clicks(app: &TestApp) -> u64 {
    clicks::Entity::find()
        .count(&app.db.connect().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_click_redirects_with_attribution_in_the_url_and_is_stored_without_the_address() {
    let app = spawn_app().await;
    let (_, enrolment) = live_campaign(&app).await;
    let code = enrolment["referralCode"].as_str().unwrap();
    let res = app.visit(&code.to_lowercase()).send().await;
    assert_eq!(res.status(), 302);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "attribution travels in the URL, not in a cookie"
    );
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/welcome");
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(
        params["ref"], code,
        "the canonical code, whatever case was typed"
    );
    let click = click_id(&res).expect("a click id");

    let db = app.db.connect().await;
    let row = poll_until(Duration::from_secs(10), || async {
        clicks::Entity::find_by_id(click).one(&db).await.unwrap()
    })
    .await;
    assert_eq!(row.tenant_id.to_string(), app.tenant_id);
    let raw = format!("{row:?}");
    assert!(!raw.contains("127.0.0.1"), "no raw address stored: {raw}");

    app.visit(code).send().await;
    app.visit(code).user_agent(SAFARI).send().await;
    poll_until(Duration::from_secs(10), || async {
        (stored_clicks(&app).await == 3).then_some(())
    })
    .await;
    // Link stats come from the rollups, which take new clicks in every second here.
    let link = poll_until(Duration::from_secs(10), || async {
        let stats = app
            .graphql_ok(Some(&app.admin_token), "{ participants { edges { node { links { code url qrUrl stats { clicks uniqueVisitors } } } } } }", json!({}))
            .await;
        let link = stats["participants"]["edges"][0]["node"]["links"][0].clone();
        (link["stats"]["clicks"] == "3").then_some(link)
    })
    .await;
    assert_eq!(
        link["stats"],
        json!({ "clicks": "3", "uniqueVisitors": "2" })
    );
    assert_eq!(link["url"], format!("{}/r/{code}", app.address));
    assert_eq!(link["qrUrl"], format!("{}/qr/{code}.svg", app.address));
}

#[tokio::test]
async fn unknown_codes_get_a_friendly_page_and_only_a_get_of_one_code_segment_redirects() {
    let app = spawn_app().await;
    let (_, enrolment) = live_campaign(&app).await;
    let code = enrolment["referralCode"].as_str().unwrap();
    let res = app.visit("NOSUCHCODE").send().await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("doesn't exist"));
    // A code is one path segment; other methods are not redirected; a lower-case code is the same
    // code; the routes next to /r are not mistaken for it.
    for path in ["/r/", &format!("/r/{code}/more"), "/r"] {
        let res = no_redirects()
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let res = no_redirects()
        .post(format!("{}/r/{code}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    let res = app.visit(&code.to_lowercase()).user_agent("").send().await;
    assert_eq!(res.status(), 302, "a lower-case code redirects too");
    let res = no_redirects()
        .get(format!(
            "{}/reports/campaigns/{}.csv",
            app.address,
            uuid::Uuid::nil()
        ))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 404, "the reports routes are still routed");
}

#[tokio::test]
async fn bots_and_head_requests_are_not_counted() {
    // One click writer, so batches are written in the order their clicks were queued (below).
    let app = spawn_app_with(Backend::current(), |c| c.tracking.click_writers = 1).await;
    let (_, enrolment) = live_campaign(&app).await;
    let code = enrolment["referralCode"].as_str().unwrap();
    let res = app
        .visit(code)
        .user_agent("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
        .send()
        .await;
    assert_eq!(res.status(), 302);
    assert!(
        click_id(&res).is_none(),
        "a bot's visit carries no click id"
    );
    let res = no_redirects()
        .head(format!("{}/r/{code}", app.address))
        .header("user-agent", FIREFOX)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    // A person's click after them is the only one stored: with one writer, clicks are written in
    // the order they were queued, so once the person's is stored, a bot's queued before it would be
    // too.
    let person = app.visit(code).click().await;
    app.clicks_stored(&[person]).await;
    assert_eq!(stored_clicks(&app).await, 1);
}

#[tokio::test]
async fn a_paused_campaign_redirects_without_attribution_at_once_and_resumes_with_it() {
    let app = spawn_app().await;
    let (campaign, enrolment) = live_campaign(&app).await;
    let code = enrolment["referralCode"].as_str().unwrap();
    assert!(
        app.visit(code).send().await.headers()["location"]
            .to_str()
            .unwrap()
            .contains("ref=")
    );
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($c: UUID!) { pauseCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    let res = app.visit(code).send().await;
    assert_eq!(
        res.headers()["location"],
        "https://shop.example/welcome",
        "no ref, no click id while paused"
    );
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($c: UUID!) { resumeCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    app.visit(code).click().await;
}

#[tokio::test]
async fn vanity_and_channel_links_are_created_checked_and_tracked_by_channel() {
    let app = spawn_app().await;
    let (campaign, enrolment) = live_campaign(&app).await;
    let create = "mutation($e: UUID!, $v: String, $ch: Channel) { createReferralLink(enrolmentId: $e, vanity: $v, channel: $ch) { code kind channel } }";
    let vanity = app
        .graphql_ok(
            Some(&app.admin_token),
            create,
            json!({ "e": enrolment["id"], "v": "ada-spring" }),
        )
        .await;
    assert_eq!(
        vanity["createReferralLink"],
        json!({ "code": "ADA-SPRING", "kind": "VANITY", "channel": null })
    );
    let social = app
        .graphql_ok(
            Some(&app.admin_token),
            create,
            json!({ "e": enrolment["id"], "ch": "SOCIAL" }),
        )
        .await;
    assert_eq!(social["createReferralLink"]["kind"], "CHANNEL");
    let social_code = social["createReferralLink"]["code"]
        .as_str()
        .unwrap()
        .to_owned();

    // Taken, reserved and malformed vanity codes.
    let other = app
        .enroll(&app.admin_token, &campaign, "bob", "bob@example.com")
        .await;
    let data = app.graphql_ok(Some(&app.admin_token), "query($c: UUID!) { campaign(id: $c) { enrolments { edges { node { id referralCode } } } } }", json!({ "c": campaign })).await;
    let bob = data["campaign"]["enrolments"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["referralCode"] == other["referralCode"])
        .unwrap()["node"]["id"]
        .clone();
    let body = app
        .graphql(
            Some(&app.admin_token),
            create,
            json!({ "e": bob, "v": "Ada-Spring" }),
        )
        .await;
    assert_eq!(
        codes(&body),
        vec!["CONFLICT"],
        "vanity codes are global and case-insensitive: {body:#}"
    );
    for bad in ["admin", "a", "has space"] {
        let body = app
            .graphql(
                Some(&app.admin_token),
                create,
                json!({ "e": bob, "v": bad }),
            )
            .await;
        assert_eq!(codes(&body), vec!["VALIDATION"], "{bad}: {body:#}");
    }

    for code in ["ADA-SPRING", social_code.as_str()] {
        assert_eq!(app.visit(code).send().await.status(), 302);
    }
    let db = app.db.connect().await;
    poll_until(Duration::from_secs(10), || async {
        (clicks::Entity::find().count(&db).await.unwrap() == 2).then_some(())
    })
    .await;
    let by_social = clicks::Entity::find()
        .filter(clicks::Column::Channel.eq(Channel::Social))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(
        by_social, 1,
        "the channel link's click is tagged with its channel"
    );
}

#[tokio::test]
async fn held_out_participants_get_no_links() {
    let app = spawn_app().await;
    let campaign = app.design_campaign(&app.admin_token).await;
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($c: UUID!) { updateCampaign(id: $c, input: { holdoutBps: 5000 }) { id } }",
        json!({ "c": campaign }),
    )
    .await;
    let people: Vec<Value> = (0..20).map(|i| json!({ "externalId": format!("h{i}"), "email": format!("h{i}@example.com"), "tags": ["vip"], "orderCount": 1 })).collect();
    let data = app
        .graphql_ok(Some(&app.admin_token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { id bucket } } }", json!({ "c": campaign, "p": people }))
        .await;
    let held = data["enrollParticipants"]["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["bucket"] == "holdout")
        .expect("someone is held out at 50%")["id"]
        .clone();
    let body = app
        .graphql(
            Some(&app.admin_token),
            "mutation($e: UUID!) { createReferralLink(enrolmentId: $e, channel: EMAIL) { code } }",
            json!({ "e": held }),
        )
        .await;
    assert_eq!(codes(&body), vec!["CONFLICT"]);
}

#[tokio::test]
async fn qr_codes_render_as_svg_and_png() {
    let app = spawn_app().await;
    let (_, enrolment) = live_campaign(&app).await;
    let code = enrolment["referralCode"].as_str().unwrap();
    let svg = app
        .client
        .get(format!("{}/qr/{code}.svg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = app
        .client
        .get(format!("{}/qr/{code}.png", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        app.client
            .get(format!("{}/qr/NOSUCHCODE.svg", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client
            .get(format!("{}/qr/{code}.gif", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn forwarded_addresses_count_only_when_the_peer_is_a_trusted_proxy() {
    for (trusted, expected_unique) in [(true, "2"), (false, "1")] {
        let app = spawn_app_with(Backend::current(), |c| {
            if trusted {
                c.tracking.trusted_proxies = vec!["127.0.0.1".into()];
            }
        })
        .await;
        let (_, enrolment) = live_campaign(&app).await;
        let code = enrolment["referralCode"].as_str().unwrap();
        for forwarded in ["198.51.100.1", "198.51.100.2"] {
            app.visit(code)
                .header("x-forwarded-for", forwarded)
                .click()
                .await;
        }
        poll_until(Duration::from_secs(10), || async {
            (stored_clicks(&app).await == 2).then_some(())
        })
        .await;
        let stats = poll_until(Duration::from_secs(10), || async {
            let data = app
                .graphql_ok(
                    Some(&app.admin_token),
                    "{ participants { edges { node { links { stats { clicks uniqueVisitors } } } } } }",
                    json!({}),
                )
                .await;
            let stats = data["participants"]["edges"][0]["node"]["links"][0]["stats"].clone();
            (stats["clicks"] == "2").then_some(stats)
        })
        .await;
        assert_eq!(
            stats["uniqueVisitors"], expected_unique,
            "trusted proxy: {trusted}"
        );
    }
}

#[tokio::test]
async fn a_graceful_shutdown_flushes_every_queued_click() {
    // The real binary on the embedded default: click a burst, SIGTERM at once, restart, count.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    // A slow flush interval keeps clicks queued when the signal arrives.
    let env = [
        (
            "GRAPEVINE_TRACKING__CLICK_FLUSH_MS".to_owned(),
            "2000".to_owned(),
        ),
        (
            "GRAPEVINE_ANALYTICS__ROLLUP_INTERVAL_SECS".to_owned(),
            "1".to_owned(),
        ),
    ];
    let mut server = GrapevineProcess::spawn(&["--listen", &listen], &env);
    let base = format!("http://{listen}");
    server
        .wait_http_ok(&format!("{base}/healthz"), Duration::from_secs(60))
        .await;
    let out = server.command(&["demo", "--json"]).output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = demo["token"].as_str().unwrap().to_owned();
    let gql = |q: &'static str| {
        let token = token.clone();
        let base = base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/graphql"))
                .bearer_auth(token)
                .json(&json!({ "query": q }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    // The demo campaign is live, and the demo customer's code comes with it.
    let code = demo["code"].as_str().unwrap().to_owned();
    let client = no_redirects();
    for _ in 0..25 {
        Visit::new(&client, &base, &code).click().await;
    }
    let status = server.terminate(Duration::from_secs(30)).await;
    assert!(
        status.success(),
        "clean exit on SIGTERM: {status:?}\n{}",
        server.log()
    );
    server.restart();
    server
        .wait_http_ok(&format!("{base}/healthz"), Duration::from_secs(60))
        .await;
    // Every click made it to the database, and (through the rollups) into the link's stats.
    let clicks_of_link = || async {
        let stats = gql(
            "{ participants(first: 10) { edges { node { links { code stats { clicks } } } } } }",
        )
        .await;
        stats["data"]["participants"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["node"]["links"].as_array().unwrap().clone())
            .find(|l| l["code"] == code.as_str())
            .unwrap()["stats"]["clicks"]
            .clone()
    };
    let counted = try_poll_until(Duration::from_secs(15), || async {
        let n = clicks_of_link().await;
        (n == "25").then_some(n)
    })
    .await;
    assert_eq!(
        counted,
        Some(json!("25")),
        "last seen: {}",
        clicks_of_link().await
    );
    server.terminate(Duration::from_secs(30)).await;
}

#[tokio::test]
async fn a_purchase_reported_before_its_click_is_written_waits_for_it_and_is_attributed() {
    // Clicks wait up to 1.5 s for their batch: the shop's server reports the purchase at once.
    let app = spawn_app_with(Backend::current(), |c| c.tracking.click_flush_ms = 1_500).await;
    let (_, enrolment) = live_campaign(&app).await;
    let key = app.secret_key(&app.admin_token).await;
    let click_id = app
        .click(enrolment["referralCode"].as_str().unwrap(), FIREFOX)
        .await;
    assert_eq!(
        stored_clicks(&app).await,
        0,
        "the click is still in its batch"
    );
    let body = app
        .graphql_ok(
            Some(&key),
            "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { organic referralId } } }",
            json!({ "i": { "orderId": "o-1", "customerId": "c-1", "amountMinor": "3000", "currency": "USD", "clickId": click_id } }),
        )
        .await;
    assert_eq!(body["trackConversion"]["conversion"]["organic"], false);
    assert!(body["trackConversion"]["conversion"]["referralId"].is_string());
    // A click id no redirect minted is still refused, without waiting for it.
    let started = std::time::Instant::now();
    let unknown = app
        .graphql(
            Some(&key),
            "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }",
            json!({ "i": { "orderId": "o-2", "customerId": "c-2", "amountMinor": "3000", "currency": "USD", "clickId": uuid::Uuid::new_v4() } }),
        )
        .await;
    assert_eq!(codes(&unknown), ["VALIDATION"]);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

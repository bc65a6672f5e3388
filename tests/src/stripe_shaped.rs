//! The Stripe-shaped test server (`tests/stripe_shaped/server.py`): Connect accounts, account
//! links, transfers with idempotency keys, and a generic gift-card API, written from Stripe's
//! documented API because localstripe has none of them. One instance per test on a free port.

use std::{process::Stdio, time::Duration};

use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A running Stripe-shaped test server.
pub struct StripeShaped {
    port: u16,
    _child: Child,
    client: reqwest::Client,
}

impl StripeShaped {
    /// Start one and wait until it answers.
    pub async fn start() -> StripeShaped {
        let port = crate::free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/stripe_shaped/server.py");
        let child = Command::new("python3")
            .args([script, "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the Stripe-shaped test server");
        let server = StripeShaped {
            port,
            _child: child,
            client: reqwest::Client::new(),
        };
        crate::poll_until(Duration::from_secs(20), || async {
            server
                .client
                .get(format!("{}/_test/stats", server.url()))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .map(|_| ())
        })
        .await;
        server
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Base URL of its gift-card API.
    pub fn giftcard_url(&self) -> String {
        format!("{}/giftcards", self.url())
    }

    /// Create calls, objects and idempotency-key counts so far.
    pub async fn stats(&self) -> Value {
        self.client
            .get(format!("{}/_test/stats", self.url()))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// Objects created so far per create path (`/v1/transfers`, `/giftcards/v1/cards`, …): a
    /// cheap call, fit for polling.
    pub async fn created(&self) -> Value {
        let summary: Value = self
            .client
            .get(format!("{}/_test/stats?summary=1", self.url()))
            .send()
            .await
            .expect("stats summary")
            .json()
            .await
            .expect("stats summary JSON");
        summary["created"].clone()
    }

    /// Change server behaviour (`POST /_test/config`): `unique_card_references`,
    /// `create_response_delay_ms`. Returns the settings now in force.
    pub async fn configure(&self, settings: Value) -> Value {
        let res = self
            .client
            .post(format!("{}/_test/config", self.url()))
            .json(&settings)
            .send()
            .await
            .expect("config control");
        assert!(
            res.status().is_success(),
            "config control: {}",
            res.status()
        );
        res.json().await.expect("config JSON")
    }

    /// Make the next `times` create calls to `path` fail (`-1` = until cleared, `0` clears).
    pub async fn fail(&self, path: &str, times: i64, status: u16, message: &str) {
        let res = self
            .client
            .post(format!("{}/_test/fail", self.url()))
            .json(&json!({ "path": path, "times": times, "status": status, "type": if status >= 500 { "api_error" } else { "invalid_request_error" }, "code": "test_failure", "message": message }))
            .send()
            .await
            .expect("fail control");
        assert!(res.status().is_success(), "fail control: {}", res.status());
    }

    /// Forget every saved idempotency key (as Stripe does after a day).
    pub async fn forget_idempotency(&self) {
        self.client
            .post(format!("{}/_test/forget_idempotency", self.url()))
            .send()
            .await
            .expect("forget control");
    }
}

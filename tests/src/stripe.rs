//! `localstripe` (PyPI): Stripe's API on loopback, one instance per test on a free port, with its
//! state file in a private temporary directory. It signs webhooks as Stripe does and delivers them
//! about a second after the event.

use std::{process::Stdio, time::Duration};

use serde_json::Value;
use tokio::process::{Child, Command};

/// A running localstripe.
pub struct LocalStripe {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

/// The secret key tests use with localstripe (it accepts any `sk_test_` key).
pub const SECRET_KEY: &str = "sk_test_grapevine";

impl LocalStripe {
    /// Start one and wait until it answers.
    pub async fn start() -> LocalStripe {
        let dir = tempfile::Builder::new()
            .prefix("grapevine-localstripe-")
            .tempdir()
            .expect("temp dir");
        let port = crate::free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "localstripe",
                "--port",
                &port.to_string(),
                "--from-scratch",
            ])
            .env("TMPDIR", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start localstripe (`pip install localstripe`; tests/run.sh installs it)");
        let stripe = LocalStripe {
            port,
            child,
            _dir: dir,
        };
        let client = reqwest::Client::new();
        crate::poll_until(Duration::from_secs(30), || {
            let url = format!("{}/v1/customers", stripe.url());
            let client = client.clone();
            async move {
                client
                    .get(url)
                    .basic_auth(SECRET_KEY, Some(""))
                    .send()
                    .await
                    .ok()
                    .filter(|r| r.status().is_success())
                    .map(|_| ())
            }
        })
        .await;
        stripe
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GET an object (e.g. `/v1/coupons/<id>`); `None` when it does not exist.
    pub async fn get(&self, path: &str) -> Option<Value> {
        let res = reqwest::Client::new()
            .get(format!("{}{path}", self.url()))
            .basic_auth(SECRET_KEY, Some(""))
            .send()
            .await
            .expect("localstripe request");
        if !res.status().is_success() {
            return None;
        }
        res.json().await.ok()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let res = reqwest::Client::new()
            .post(format!("{}{path}", self.url()))
            .basic_auth(SECRET_KEY, Some(""))
            .form(form)
            .send()
            .await
            .expect("localstripe request");
        let status = res.status();
        let body: Value = res.json().await.expect("localstripe JSON");
        assert!(status.is_success(), "localstripe {path}: {status} {body}");
        body
    }

    /// Register a webhook receiver with its signing secret.
    pub async fn register_webhook(&self, id: &str, url: &str, secret: &str) {
        let res = reqwest::Client::new()
            .post(format!("{}/_config/webhooks/{id}", self.url()))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await
            .expect("register webhook");
        assert!(
            res.status().is_success(),
            "register webhook: {}",
            res.status()
        );
    }

    /// Create a customer; returns its id.
    pub async fn customer(&self, email: &str, metadata: &[(&str, &str)]) -> String {
        let keys: Vec<String> = metadata
            .iter()
            .map(|(k, _)| format!("metadata[{k}]"))
            .collect();
        let mut form = vec![("email", email)];
        form.extend(
            keys.iter()
                .map(String::as_str)
                .zip(metadata.iter().map(|(_, v)| *v)),
        );
        self.post("/v1/customers", &form).await["id"]
            .as_str()
            .expect("customer id")
            .to_owned()
    }

    /// Pay `amount` with a test card, confirming at once; returns the payment intent.
    pub async fn pay(
        &self,
        amount: i64,
        currency: &str,
        customer: Option<&str>,
        metadata: &[(&str, &str)],
    ) -> Value {
        let card = self
            .post(
                "/v1/payment_methods",
                &[
                    ("type", "card"),
                    ("card[number]", "4242424242424242"),
                    ("card[exp_month]", "12"),
                    ("card[exp_year]", "2030"),
                    ("card[cvc]", "123"),
                ],
            )
            .await;
        let pm = card["id"].as_str().expect("payment method id").to_owned();
        let amount = amount.to_string();
        let keys: Vec<String> = metadata
            .iter()
            .map(|(k, _)| format!("metadata[{k}]"))
            .collect();
        let mut form = vec![
            ("amount", amount.as_str()),
            ("currency", currency),
            ("payment_method", pm.as_str()),
            ("confirm", "true"),
        ];
        if let Some(c) = customer {
            form.push(("customer", c));
        }
        form.extend(
            keys.iter()
                .map(String::as_str)
                .zip(metadata.iter().map(|(_, v)| *v)),
        );
        self.post("/v1/payment_intents", &form).await
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

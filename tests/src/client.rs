//! A GraphQL client for a `grapevine serve` child process (the in-process app has `TestApp`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// POSTs GraphQL to one server's `/graphql`.
#[derive(Clone)]
pub struct GraphqlClient {
    /// The HTTP client (no redirects followed, 30 s timeout, idle connections kept 2 s).
    pub http: reqwest::Client,
    /// `http://host:port`.
    pub base: String,
}

impl GraphqlClient {
    /// A client for the server at `base` (`http://host:port`).
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                // The server closes a connection idle for 5 s (actix's keep-alive); a pooled
                // connection reused just as it does so fails with IncompleteMessage (seen in
                // processes.rs). Idle connections are dropped here first.
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .expect("HTTP client"),
            base: base.to_owned(),
        }
    }

    /// A visit to the referral link `code` on this server (see [`crate::Visit`]).
    pub fn visit(&self, code: &str) -> crate::Visit {
        crate::Visit::new(&self.http, &self.base, code)
    }

    /// The whole response body.
    pub async fn request(&self, token: &str, query: &str, variables: Value) -> Value {
        self.http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql JSON")
    }

    /// `data`, panicking with the errors if there are any.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.request(token, query, variables).await;
        assert!(body.get("errors").is_none(), "{query}: {body:#}");
        body["data"].clone()
    }

    /// Send a GraphQL request until it is acknowledged (the API may be down or restarting): connection
    /// errors, 5xx answers and `INTERNAL`/`UNAVAILABLE` errors are retried; anything else fails.
    pub async fn until_acknowledged(&self, key: &str, query: &str, variables: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let sent = self
                .http
                .post(format!("{}/graphql", self.base))
                .bearer_auth(key)
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await;
            let retry = match sent {
                Ok(res) if res.status().is_server_error() => format!("HTTP {}", res.status()),
                Ok(res) => match res.json::<Value>().await {
                    Ok(body) if body.get("errors").is_none() => return body["data"].clone(),
                    Ok(body) => {
                        let codes = crate::error_codes(&body);
                        assert!(
                            codes.iter().all(|c| c == "INTERNAL" || c == "UNAVAILABLE"),
                            "{query}: {body:#}"
                        );
                        format!("{codes:?}")
                    }
                    Err(err) => format!("body: {err}"),
                },
                Err(err) => format!("request: {err}"),
            };
            assert!(
                Instant::now() < deadline,
                "not acknowledged within 90 s ({retry}): {query}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

//! A GraphQL client for a `grapevine serve` child process (the in-process app has `TestApp`).

use std::time::Duration;

use serde_json::{Value, json};

/// POSTs GraphQL to one server's `/graphql`.
#[derive(Clone)]
pub struct GraphqlClient {
    /// The HTTP client (no redirects followed, 30 s timeout).
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
                .build()
                .expect("HTTP client"),
            base: base.to_owned(),
        }
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
}

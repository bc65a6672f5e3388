//! Keeps the in-memory caches of several API replicas coherent.
//!
//! Each replica caches code → redirect target ([`LinkCache`]) and verified API keys
//! ([`ApiKeyCache`]). A change is applied to this replica's caches at once and, where the queue is
//! Redis, published on the channel `{queue.prefix}:cache`; every replica subscribes and applies
//! what it hears, so a paused campaign stops attributing and a revoked key stops working on all
//! replicas within a Redis round trip. A replica that may have missed messages (Redis was down,
//! the subscription dropped) clears both caches when it subscribes again; and entries still expire
//! after their TTL, the bound when Redis is gone altogether.

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{auth::api_keys::ApiKeyCache, tracking::links::LinkCache};

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    /// A campaign changed (status, landing URL): every code may resolve differently.
    AllLinks,
    /// One code was created or disabled.
    Link(String),
    /// An API key was revoked.
    ApiKey(Uuid),
}

impl Invalidation {
    fn encode(&self) -> String {
        match self {
            Invalidation::AllLinks => "links".to_owned(),
            Invalidation::Link(code) => format!("link:{code}"),
            Invalidation::ApiKey(id) => format!("api_key:{id}"),
        }
    }

    fn decode(message: &str) -> Option<Self> {
        match message.split_once(':') {
            None if message == "links" => Some(Invalidation::AllLinks),
            Some(("link", code)) if !code.is_empty() => Some(Invalidation::Link(code.to_owned())),
            Some(("api_key", id)) => id.parse().ok().map(Invalidation::ApiKey),
            _ => None,
        }
    }
}

/// This replica's caches, and the channel to the others.
#[derive(Clone)]
pub struct Caches {
    /// Code → redirect target.
    pub links: Arc<LinkCache>,
    /// Verified API keys.
    pub api_keys: Arc<ApiKeyCache>,
    bus: Option<Bus>,
}

#[derive(Clone)]
struct Bus {
    client: redis::Client,
    channel: String,
    publisher: Arc<tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>>,
}

/// How long a publish may take before it is given up (the TTL still bounds staleness).
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(1);

impl Caches {
    /// Caches for this replica; `redis` (URL, key prefix) connects them to the other replicas.
    pub fn new(
        links: Arc<LinkCache>,
        api_keys: Arc<ApiKeyCache>,
        redis: Option<(&str, &str)>,
    ) -> anyhow::Result<Self> {
        let bus = match redis {
            Some((url, prefix)) => Some(Bus {
                client: redis::Client::open(url)?,
                channel: format!("{prefix}:cache"),
                publisher: Arc::default(),
            }),
            None => None,
        };
        Ok(Self {
            links,
            api_keys,
            bus,
        })
    }

    /// Apply a change here, then tell the other replicas (best effort: a failure is logged, and
    /// the other replicas' entries expire by their TTL).
    pub async fn invalidate(&self, change: Invalidation) {
        self.apply(&change);
        let Some(bus) = &self.bus else { return };
        let published = tokio::time::timeout(PUBLISH_TIMEOUT, bus.publish(&change.encode())).await;
        match published {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, ?change, "could not tell the other replicas of a cache change")
            }
            Err(_) => tracing::warn!(
                ?change,
                "telling the other replicas of a cache change timed out"
            ),
        }
    }

    fn apply(&self, change: &Invalidation) {
        match change {
            Invalidation::AllLinks => self.links.clear(),
            Invalidation::Link(code) => self.links.forget(code),
            Invalidation::ApiKey(id) => self.api_keys.evict_id(*id),
        }
    }

    fn clear_all(&self) {
        self.links.clear();
        self.api_keys.clear();
    }

    /// Listen for the other replicas' changes until `stop`; reconnects after a pause when Redis
    /// goes away. Returns at once without Redis.
    pub async fn listen(self, stop: CancellationToken) {
        let Some(bus) = self.bus.clone() else { return };
        let mut pause = Duration::from_millis(100);
        while !stop.is_cancelled() {
            let subscribed = async {
                let mut pubsub = bus.client.get_async_pubsub().await?;
                pubsub.subscribe(&bus.channel).await?;
                Ok::<_, redis::RedisError>(pubsub)
            };
            let pubsub = tokio::select! {
                () = stop.cancelled() => return,
                result = subscribed => result,
            };
            match pubsub {
                Ok(pubsub) => {
                    // Messages may have been missed while not subscribed.
                    self.clear_all();
                    pause = Duration::from_millis(100);
                    tracing::debug!(channel = %bus.channel, "listening for cache changes");
                    let mut messages = pubsub.into_on_message();
                    loop {
                        let message = tokio::select! {
                            () = stop.cancelled() => return,
                            message = messages.next() => message,
                        };
                        let Some(message) = message else { break };
                        let payload: String = message.get_payload().unwrap_or_default();
                        match Invalidation::decode(&payload) {
                            Some(change) => self.apply(&change),
                            None => tracing::warn!(payload, "unknown cache change message"),
                        }
                    }
                    tracing::warn!("cache change subscription ended; resubscribing");
                }
                Err(err) => {
                    tracing::debug!(error = %err, "cannot subscribe to cache changes yet");
                }
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}

impl Bus {
    async fn publish(&self, message: &str) -> redis::RedisResult<()> {
        let mut slot = self.publisher.lock().await;
        if slot.is_none() {
            *slot = Some(self.client.get_multiplexed_async_connection().await?);
        }
        let Some(conn) = slot.as_mut() else {
            return Ok(());
        };
        let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(message)
            .query_async(conn)
            .await;
        if sent.is_err() {
            // Reconnect next time.
            *slot = None;
        }
        sent.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_survive_the_wire_and_junk_is_refused() {
        let id = Uuid::now_v7();
        for change in [
            Invalidation::AllLinks,
            Invalidation::Link("ADA-2F9K".into()),
            Invalidation::ApiKey(id),
        ] {
            assert_eq!(Invalidation::decode(&change.encode()), Some(change));
        }
        for junk in ["", "link:", "api_key:nope", "linksx", "other:1"] {
            assert_eq!(Invalidation::decode(junk), None, "{junk:?}");
        }
    }
}

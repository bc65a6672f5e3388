//! A small in-process sliding-window rate limiter keyed by string (login email, client address).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Allows `limit` events per `window` per key.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    events: Mutex<HashMap<String, Vec<Instant>>>,
}

impl RateLimiter {
    /// A limiter.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Is another event under `key` allowed now? Returns the wait when it is not.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(events) = self.events.lock() else {
            return Ok(());
        };
        let Some(times) = events.get(key) else {
            return Ok(());
        };
        let recent: Vec<_> = times
            .iter()
            .filter(|t| now.duration_since(**t) < self.window)
            .collect();
        if recent.len() < self.limit as usize {
            return Ok(());
        }
        let oldest = recent.iter().min().map_or(now, |t| **t);
        Err(self.window.saturating_sub(now.duration_since(oldest)))
    }

    /// Record an event under `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let Ok(mut events) = self.events.lock() else {
            return;
        };
        if events.len() > 100_000 {
            // Bound memory under a flood of distinct keys: forget windows that have passed.
            let window = self.window;
            events.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < window));
        }
        let times = events.entry(key.to_owned()).or_default();
        times.retain(|t| now.duration_since(*t) < self.window);
        times.push(now);
    }

    /// Forget `key` (after a successful login).
    pub fn clear(&self, key: &str) {
        if let Ok(mut events) = self.events.lock() {
            events.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key_and_clears() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        limiter.record("a");
        limiter.record("a");
        assert!(limiter.check("a").is_err());
        assert!(limiter.check("b").is_ok());
        limiter.clear("a");
        assert!(limiter.check("a").is_ok());
    }
}

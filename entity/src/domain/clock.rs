//! Time as a dependency: the system clock in production, a hand-driven clock in tests.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time, in whole microseconds.
    fn now(&self) -> DateTime<Utc>;
}

/// The clock shared by services and jobs.
pub type SharedClock = Arc<dyn Clock>;

/// Drops sub-microsecond precision: PostgreSQL stores microseconds, so a value read back compares
/// equal to the one written.
pub fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos() % 1_000))
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate_to_micros(Utc::now())
    }
}

/// A clock that moves only when told; clones share one time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock showing `start` (truncated to microseconds).
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(truncate_to_micros(start))),
        }
    }

    /// Sets the time (truncated to microseconds).
    pub fn set(&self, t: DateTime<Utc>) {
        *self.lock() = truncate_to_micros(t);
    }

    /// Moves the time by `by` (backwards if negative), stopping at the representable bounds.
    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        let fallback = if by < Duration::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        };
        *now = truncate_to_micros(now.checked_add_signed(by).unwrap_or(fallback));
    }

    /// This clock as a [`SharedClock`], still driven through `self`.
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A panic elsewhere while holding the lock cannot leave a DateTime half-written.
        self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.timestamp_opt(1_750_000_000, 123_456_789)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn truncation_keeps_whole_microseconds() {
        let t = truncate_to_micros(start());
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_000);
        assert_eq!(t.timestamp(), 1_750_000_000);
    }

    #[test]
    fn system_clock_has_no_sub_microsecond_part() {
        for _ in 0..100 {
            assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1_000, 0);
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(start());
        let first = clock.now();
        assert_eq!(clock.now(), first);
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.now() - first, Duration::minutes(5));
        clock.advance(Duration::seconds(-60));
        assert_eq!(clock.now() - first, Duration::minutes(4));
    }

    #[test]
    fn manual_clock_set_and_shared_views_agree() {
        let clock = ManualClock::new(start());
        let shared: SharedClock = clock.shared();
        let later = start() + Duration::days(3);
        clock.set(later);
        assert_eq!(shared.now(), truncate_to_micros(later));
    }

    #[test]
    fn manual_clock_saturates_instead_of_panicking() {
        let clock = ManualClock::new(start());
        clock.advance(Duration::MAX);
        assert_eq!(clock.now(), truncate_to_micros(DateTime::<Utc>::MAX_UTC));
        clock.advance(Duration::MIN);
        clock.advance(Duration::MIN);
        assert_eq!(clock.now(), truncate_to_micros(DateTime::<Utc>::MIN_UTC));
    }
}

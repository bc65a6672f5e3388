//! A secret taken from configuration (a master key, a signing key, a URL with a password in it):
//! held in a [`SecretString`], so `Debug` (and with it every `{config:?}`, panic and log line)
//! shows `[redacted]`, and reading it takes an explicit [`Secret::expose`].
//!
//! It serialises to its value: configuration is serialised only as the loader's layer of
//! defaults, never for display.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A configuration secret.
#[derive(Clone, Default)]
pub struct Secret(SecretString);

impl Secret {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether it begins with `prefix` (a URL's scheme, say), without exposing it.
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.expose().starts_with(prefix)
    }

    /// Whether it was left unset.
    pub fn is_empty(&self) -> bool {
        self.expose().trim().is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("[redacted]")
        }
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value_and_serde_round_trips_it() {
        let secret = Secret::new("postgres://app:hunter2@db/app");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Secret::default()), "\"\"");
        let json = serde_json::to_string(&secret).unwrap();
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back, secret);
        assert_eq!(back.expose(), "postgres://app:hunter2@db/app");
    }
}

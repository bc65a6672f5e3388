//! The one validation error every domain parser returns, and a collector for several of them.

use std::fmt;

/// A value that failed validation: which field, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field as the caller named it, e.g. `email` or `tiers[2].amount_minor`.
    pub field: String,
    /// A sentence the person who typed the value can act on.
    pub message: String,
}

impl FieldError {
    /// Builds an error for `field` saying `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Replaces the field name, for callers whose input names the value differently.
    #[must_use]
    pub fn renamed(self, field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            ..self
        }
    }

    /// Prefixes the field with its parent, so nested input reports a full path (`goals.focus_areas[0].name`).
    #[must_use]
    pub fn within(self, parent: &str) -> Self {
        Self {
            field: format!("{parent}.{}", self.field),
            ..self
        }
    }
}

/// Several field errors gathered while checking one input, so a form can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the value of an `Ok`, records the error of an `Err`.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of recorded errors.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The recorded errors, in the order they were found.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when nothing was recorded, otherwise all the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_error_displays_field_then_message() {
        let error = FieldError::new("email", "must contain exactly one @");
        assert_eq!(error.to_string(), "email: must contain exactly one @");
    }

    #[test]
    fn within_builds_a_dotted_path() {
        let error = FieldError::new("amount_minor", "must be positive").within("tiers[2]");
        assert_eq!(error.field, "tiers[2].amount_minor");
    }

    #[test]
    fn renamed_keeps_the_message() {
        let error = FieldError::new("code", "too short").renamed("vanityCode");
        assert_eq!(error, FieldError::new("vanityCode", "too short"));
    }

    #[test]
    fn collector_keeps_values_and_gathers_errors() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check(Ok::<_, FieldError>(3)), Some(3));
        assert_eq!(errors.check::<i32>(Err(FieldError::new("a", "bad"))), None);
        errors.push(FieldError::new("b", "worse"));
        assert_eq!(errors.len(), 2);
        assert_eq!(errors.to_string(), "a: bad; b: worse");
        assert!(errors.into_result(()).is_err());
    }

    #[test]
    fn empty_collector_is_ok() {
        assert_eq!(FieldErrors::new().into_result(7), Ok(7));
    }
}

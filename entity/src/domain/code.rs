//! Referral codes: generated short codes and merchant-chosen vanity codes, one shared namespace.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::FieldError;

/// The characters of a generated code: digits and letters a person cannot confuse (no 0/O, 1/I/L).
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The length of a generated code; 31^8 ≈ 8.5 × 10^11 codes keeps random collisions rare.
pub const CODE_LEN: usize = 8;

/// Shortest vanity code.
pub const VANITY_MIN_LEN: usize = 3;

/// Longest vanity code.
pub const VANITY_MAX_LEN: usize = 32;

/// Words a vanity code may not be, because they are or may become our own URL paths or look official.
pub const RESERVED_WORDS: &[&str] = &[
    "admin",
    "api",
    "graphql",
    "r",
    "qr",
    "widget",
    "demo",
    "login",
    "healthz",
    "readyz",
    "metrics",
    "webhooks",
    "static",
    "assets",
    "www",
    "help",
    "support",
    "grapevine",
    "null",
    "undefined",
    "test",
];

/// A generated referral code: 8 characters of [`CODE_ALPHABET`], stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReferralCode(String);

impl ReferralCode {
    /// Draws a fresh code uniformly from the alphabet.
    pub fn generate(rng: &mut impl Rng) -> ReferralCode {
        let code = (0..CODE_LEN)
            .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
            .collect();
        ReferralCode(code)
    }

    /// Parses a code as a person typed it: surrounding space trimmed, any letter case.
    pub fn parse(s: &str) -> Result<ReferralCode, FieldError> {
        // ASCII-only upper-casing: Unicode folding would turn e.g. 'ſ' into 'S' and accept it.
        let code = s.trim().to_ascii_uppercase();
        let shaped = code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if shaped {
            Ok(ReferralCode(code))
        } else {
            Err(FieldError::new(
                "code",
                "a referral code is 8 characters of digits 2-9 and letters A-Z except I, L and O",
            ))
        }
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A merchant-chosen code such as `SUMMER-SALE`: 3–32 of `[A-Za-z0-9_-]`, starting with a letter or
/// digit, not a reserved word, stored upper-case.
///
/// A vanity code may look exactly like a generated [`ReferralCode`]: both live in one namespace and
/// the database's unique index settles a collision, so refusing that shape here would only forbid
/// harmless codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VanityCode(String);

impl VanityCode {
    /// Parses a vanity code in any letter case, trimming surrounding space.
    pub fn parse(s: &str) -> Result<VanityCode, FieldError> {
        let trimmed = s.trim();
        let error = |message: String| Err(FieldError::new("vanity_code", message));
        let len = trimmed.chars().count();
        if !(VANITY_MIN_LEN..=VANITY_MAX_LEN).contains(&len) {
            return error(format!(
                "must be {VANITY_MIN_LEN} to {VANITY_MAX_LEN} characters long (got {len})"
            ));
        }
        if let Some(bad) = trimmed
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return error(format!(
                "may only contain letters A-Z, digits, '-' and '_' (found '{bad}')"
            ));
        }
        if !trimmed.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return error("must start with a letter or a digit".to_owned());
        }
        if RESERVED_WORDS
            .iter()
            .any(|word| word.eq_ignore_ascii_case(trimmed))
        {
            return error(format!("'{trimmed}' is reserved; choose another code"));
        }
        Ok(VanityCode(trimmed.to_ascii_uppercase()))
    }

    /// The code, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $t {
            type Error = FieldError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$t> for String {
            fn from(code: $t) -> Self {
                code.0
            }
        }
    };
}

string_newtype_impls!(ReferralCode);
string_newtype_impls!(VanityCode);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn alphabet_has_no_ambiguous_characters() {
        for ambiguous in *b"01OIL" {
            assert!(!CODE_ALPHABET.contains(&ambiguous));
        }
        let mut sorted = CODE_ALPHABET.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), CODE_ALPHABET.len());
    }

    #[test]
    fn referral_code_parse_trims_and_upper_cases() {
        let code = ReferralCode::parse("  abcd2345 \n").map(|c| c.as_str().to_owned());
        assert_eq!(code, Ok("ABCD2345".to_owned()));
    }

    #[test]
    fn referral_code_refuses_wrong_length_and_ambiguous_characters() {
        for bad in [
            "",
            "ABCD234",
            "ABCD23456",
            "ABCD2340",
            "ABCD234O",
            "ABCD2341",
            "ABCDI234",
            "ABCDL234",
            "ABCD 234",
            "ABCD-234",
            "ÄBCD2345",
        ] {
            assert!(ReferralCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn referral_code_refuses_unicode_that_upper_cases_to_ascii() {
        // 'ſ' (long s) upper-cases to 'S' under Unicode rules.
        assert!(ReferralCode::parse("ſBCD2345").is_err());
    }

    #[test]
    fn vanity_code_is_stored_upper_case() {
        let code = VanityCode::parse(" Summer-Sale_2025 ").map(|c| c.to_string());
        assert_eq!(code, Ok("SUMMER-SALE_2025".to_owned()));
    }

    #[test]
    fn vanity_code_length_bounds() {
        assert!(VanityCode::parse("ab").is_err());
        assert!(VanityCode::parse("abc").is_ok());
        assert!(VanityCode::parse(&"a".repeat(32)).is_ok());
        assert!(VanityCode::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn vanity_code_must_start_with_a_letter_or_digit() {
        assert!(VanityCode::parse("-abc").is_err());
        assert!(VanityCode::parse("_abc").is_err());
        assert!(VanityCode::parse("9abc").is_ok());
        assert!(VanityCode::parse("a-_").is_ok());
    }

    #[test]
    fn vanity_code_refuses_other_characters() {
        for bad in ["ab c", "ab.c", "ab/c", "abç", "ab+c", "ab%20"] {
            assert!(VanityCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vanity_code_refuses_reserved_words_in_any_case() {
        for word in RESERVED_WORDS {
            if word.len() >= VANITY_MIN_LEN {
                assert!(VanityCode::parse(word).is_err(), "{word}");
                assert!(VanityCode::parse(&word.to_uppercase()).is_err(), "{word}");
            }
        }
        let error = VanityCode::parse("Admin").err().map(|e| e.message);
        assert_eq!(
            error,
            Some("'Admin' is reserved; choose another code".to_owned())
        );
        // Reserved words are whole words: a code that merely contains one is fine.
        assert!(VanityCode::parse("admin-team").is_ok());
    }

    #[test]
    fn vanity_code_may_have_the_generated_shape() {
        assert_eq!(
            VanityCode::parse("abcd2345").map(|c| c.to_string()),
            Ok("ABCD2345".to_owned())
        );
    }

    #[test]
    fn codes_serialise_as_strings_and_deserialise_through_parse() {
        let code = ReferralCode::parse("ABCD2345");
        let json = code
            .as_ref()
            .ok()
            .and_then(|c| serde_json::to_string(c).ok());
        assert_eq!(json, Some("\"ABCD2345\"".to_owned()));
        assert!(serde_json::from_str::<ReferralCode>("\"abcd2345\"").is_ok());
        assert!(serde_json::from_str::<ReferralCode>("\"ABCD2340\"").is_err());
        assert!(serde_json::from_str::<VanityCode>("\"admin\"").is_err());
    }

    proptest! {
        #[test]
        fn generated_codes_parse_back_to_themselves(seed in any::<u64>()) {
            let code = ReferralCode::generate(&mut StdRng::seed_from_u64(seed));
            prop_assert_eq!(ReferralCode::parse(code.as_str()), Ok(code.clone()));
            prop_assert_eq!(ReferralCode::parse(&code.as_str().to_lowercase()), Ok(code));
        }

        #[test]
        fn referral_code_parse_ignores_case(s in "[2-9a-zA-Z]{6,10}|\\PC{0,12}") {
            prop_assert_eq!(
                ReferralCode::parse(&s.to_ascii_lowercase()),
                ReferralCode::parse(&s.to_ascii_uppercase())
            );
        }

        #[test]
        fn vanity_code_parse_ignores_case(s in "[a-zA-Z0-9][a-zA-Z0-9_-]{0,34}|\\PC{0,12}") {
            // Errors may quote the input as typed, so compare outcomes and accepted values.
            prop_assert_eq!(
                VanityCode::parse(&s.to_ascii_lowercase()).ok(),
                VanityCode::parse(&s.to_ascii_uppercase()).ok()
            );
        }

        #[test]
        fn vanity_code_parse_is_idempotent(s in "[a-zA-Z0-9][a-zA-Z0-9_-]{2,31}") {
            if let Ok(code) = VanityCode::parse(&s) {
                prop_assert_eq!(VanityCode::parse(code.as_str()), Ok(code));
            }
        }
    }
}

//! Money in integer minor units: ISO 4217 currencies, checked arithmetic and basis-point percentages.

mod iso4217;

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// Basis points in one whole (100 %).
pub const BPS_PER_WHOLE: u32 = 10_000;

/// An active ISO 4217 currency with its minor-unit exponent; only [`Currency::parse`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// US dollar (exponent 2).
    pub const USD: Currency = Currency {
        code: "USD",
        exponent: 2,
    };
    /// Euro (exponent 2).
    pub const EUR: Currency = Currency {
        code: "EUR",
        exponent: 2,
    };
    /// Pound sterling (exponent 2).
    pub const GBP: Currency = Currency {
        code: "GBP",
        exponent: 2,
    };
    /// Japanese yen (exponent 0).
    pub const JPY: Currency = Currency {
        code: "JPY",
        exponent: 0,
    };

    /// Parses a currency code in any case (`"usd"` → `USD`); unknown codes are refused.
    pub fn parse(s: &str) -> Result<Currency, FieldError> {
        let code = s.trim().to_ascii_uppercase();
        iso4217::CURRENCIES
            .binary_search_by(|(known, _)| (*known).cmp(code.as_str()))
            .ok()
            .and_then(|i| iso4217::CURRENCIES.get(i))
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| {
                FieldError::new(
                    "currency",
                    format!(
                        "'{}' is not an active ISO 4217 currency code; use a three-letter code such as USD or EUR",
                        s.trim()
                    ),
                )
            })
    }

    /// The three-letter upper-case code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many decimal digits the minor unit has (USD 2, JPY 0, BHD 3).
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// Every currency this build knows, sorted by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        iso4217::CURRENCIES
            .iter()
            .map(|&(code, exponent)| Currency { code, exponent })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

// Written by hand: derived impls see the `&'static str` field and demand `'de: 'static`.
impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<String> for Currency {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code.to_owned()
    }
}

/// An amount in integer minor units of one currency; negative amounts are allowed (refunds, ledgers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in minor units (cents for USD, yen for JPY, fils for BHD).
    pub minor: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

/// Why two amounts could not be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The amounts are in different currencies.
    #[error("cannot combine an amount in {left} with one in {right}; convert one of them first")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// The result does not fit in 64-bit minor units.
    #[error("the total in {currency} is too large to represent")]
    Overflow {
        /// The currency of the operands.
        currency: Currency,
    },
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.combine(other, i64::checked_add)
    }

    /// `self - other`, refusing mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.combine(other, i64::checked_sub)
    }

    fn combine(self, other: Money, op: fn(i64, i64) -> Option<i64>) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        op(self.minor, other.minor)
            .map(|minor| Money::new(minor, self.currency))
            .ok_or(MoneyError::Overflow {
                currency: self.currency,
            })
    }
}

impl fmt::Display for Money {
    /// Major units with the currency's decimals, then the code: `12.34 USD`, `-0.05 EUR`, `500 JPY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        // unsigned_abs because i64::MIN has no positive i64 counterpart.
        let abs = self.minor.unsigned_abs();
        let exponent = u32::from(self.currency.exponent);
        let scale = 10_u64.pow(exponent);
        if exponent == 0 {
            write!(f, "{sign}{abs} {}", self.currency)
        } else {
            let width = usize::from(self.currency.exponent);
            write!(
                f,
                "{sign}{}.{:0width$} {}",
                abs / scale,
                abs % scale,
                self.currency
            )
        }
    }
}

/// Accepts an input amount in minor units, refusing negatives.
pub fn parse_amount_minor(field: &str, value: i64) -> Result<i64, FieldError> {
    if value < 0 {
        Err(FieldError::new(
            field,
            format!("must be zero or more (got {value}); amounts are in minor units such as cents"),
        ))
    } else {
        Ok(value)
    }
}

/// `amount_minor × bps / 10 000`, rounded half up: an exact half goes toward +infinity
/// (0.5 → 1, 2.5 → 3, −0.5 → 0).
///
/// Computed in i128 so no input overflows; with `bps ≤ 10 000` the result lies between 0 and the
/// amount for non-negative amounts. Larger `bps` are allowed and saturate at the i64 bounds.
pub fn percent_of(amount_minor: i64, bps: u32) -> i64 {
    let whole = i128::from(BPS_PER_WHOLE);
    let scaled = i128::from(amount_minor) * i128::from(bps);
    // Floor division of (x + ½·whole) is round-half-up for both signs.
    let rounded = (scaled + whole / 2).div_euclid(whole);
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_sorted_unique_and_upper_case() {
        let codes: Vec<&str> = Currency::all().map(Currency::code).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
        assert!(codes.len() > 150);
    }

    #[test]
    fn named_constants_match_the_table() {
        for constant in [Currency::USD, Currency::EUR, Currency::GBP, Currency::JPY] {
            assert_eq!(Currency::parse(constant.code()), Ok(constant));
        }
    }

    #[test]
    fn parse_upper_cases_and_knows_exponents() {
        assert_eq!(Currency::parse("usd"), Ok(Currency::USD));
        assert_eq!(Currency::parse(" jpy ").map(Currency::exponent), Ok(0));
        assert_eq!(Currency::parse("BHD").map(Currency::exponent), Ok(3));
        assert_eq!(Currency::parse("clf").map(Currency::exponent), Ok(4));
    }

    #[test]
    fn parse_refuses_unknown_and_withdrawn_codes() {
        for bad in ["", "US", "USDX", "XYZ", "DEM", "XAU", "HRK"] {
            let error = Currency::parse(bad).err();
            assert_eq!(error.map(|e| e.field), Some("currency".to_owned()), "{bad}");
        }
    }

    #[test]
    fn currency_serialises_as_its_code() {
        assert_eq!(
            serde_json::to_string(&Currency::EUR).ok(),
            Some("\"EUR\"".to_owned())
        );
        let parsed: Result<Currency, _> = serde_json::from_str("\"gbp\"");
        assert_eq!(parsed.ok(), Some(Currency::GBP));
        assert!(serde_json::from_str::<Currency>("\"ZZZ\"").is_err());
    }

    #[test]
    fn add_and_sub_in_one_currency() {
        let a = Money::new(150, Currency::USD);
        let b = Money::new(50, Currency::USD);
        assert_eq!(a.checked_add(b), Ok(Money::new(200, Currency::USD)));
        assert_eq!(b.checked_sub(a), Ok(Money::new(-100, Currency::USD)));
    }

    #[test]
    fn mixed_currencies_are_refused() {
        let result = Money::new(1, Currency::USD).checked_add(Money::new(1, Currency::EUR));
        assert_eq!(
            result,
            Err(MoneyError::CurrencyMismatch {
                left: Currency::USD,
                right: Currency::EUR
            })
        );
    }

    #[test]
    fn overflow_is_refused() {
        let max = Money::new(i64::MAX, Currency::USD);
        assert!(matches!(
            max.checked_add(Money::new(1, Currency::USD)),
            Err(MoneyError::Overflow { .. })
        ));
        let min = Money::new(i64::MIN, Currency::USD);
        assert!(matches!(
            min.checked_sub(Money::new(1, Currency::USD)),
            Err(MoneyError::Overflow { .. })
        ));
    }

    #[test]
    fn display_uses_the_currency_exponent() {
        assert_eq!(Money::new(1234, Currency::USD).to_string(), "12.34 USD");
        assert_eq!(Money::new(-5, Currency::EUR).to_string(), "-0.05 EUR");
        assert_eq!(Money::new(500, Currency::JPY).to_string(), "500 JPY");
        let bhd = Currency::parse("BHD").map(|c| Money::new(1005, c).to_string());
        assert_eq!(bhd.ok(), Some("1.005 BHD".to_owned()));
        assert_eq!(
            Money::new(i64::MIN, Currency::JPY).to_string(),
            "-9223372036854775808 JPY"
        );
    }

    #[test]
    fn negative_amounts_are_refused() {
        assert_eq!(parse_amount_minor("amount_minor", 0), Ok(0));
        assert_eq!(parse_amount_minor("amount_minor", 99), Ok(99));
        let error = parse_amount_minor("amount_minor", -1).err();
        assert_eq!(error.map(|e| e.field), Some("amount_minor".to_owned()));
    }

    #[test]
    fn percent_rounds_half_up() {
        assert_eq!(percent_of(1, 5_000), 1); // 0.5
        assert_eq!(percent_of(1, 4_999), 0); // 0.4999
        assert_eq!(percent_of(3, 5_000), 2); // 1.5
        assert_eq!(percent_of(5, 5_000), 3); // 2.5
        assert_eq!(percent_of(10_000, 1), 1);
        assert_eq!(percent_of(4_999, 1), 0);
        assert_eq!(percent_of(5_000, 1), 1);
        assert_eq!(percent_of(-1, 5_000), 0); // -0.5 toward +infinity
        assert_eq!(percent_of(-3, 5_000), -1); // -1.5 toward +infinity
    }

    #[test]
    fn percent_edges() {
        assert_eq!(percent_of(0, 10_000), 0);
        assert_eq!(percent_of(12_345, 0), 0);
        assert_eq!(percent_of(i64::MAX, 10_000), i64::MAX);
        assert_eq!(percent_of(i64::MAX, u32::MAX), i64::MAX);
        assert_eq!(percent_of(i64::MIN, u32::MAX), i64::MIN);
    }

    proptest! {
        #[test]
        fn percent_stays_within_the_amount(amount in 0..=i64::MAX, bps in 0..=BPS_PER_WHOLE) {
            let result = percent_of(amount, bps);
            prop_assert!(result >= 0);
            prop_assert!(result <= amount);
        }

        #[test]
        fn percent_is_monotone_in_bps(amount in 0..=i64::MAX, a in 0..=BPS_PER_WHOLE, b in 0..=BPS_PER_WHOLE) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(percent_of(amount, low) <= percent_of(amount, high));
        }

        #[test]
        fn percent_is_within_half_a_unit_of_the_exact_value(amount in 0..=i64::MAX, bps in 0..=BPS_PER_WHOLE) {
            let exact_times_whole = i128::from(amount) * i128::from(bps);
            let result_times_whole = i128::from(percent_of(amount, bps)) * i128::from(BPS_PER_WHOLE);
            let diff = result_times_whole - exact_times_whole;
            prop_assert!(diff > -i128::from(BPS_PER_WHOLE / 2) && diff <= i128::from(BPS_PER_WHOLE / 2));
        }
    }
}

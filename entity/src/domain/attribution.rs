//! Attribution rules: whether a touch still counts, which referrer wins, and currency conversion
//! at the tenant's rates (integers only).

use chrono::{DateTime, Duration, Utc};

use super::{FieldError, money::Currency};

/// A touch counts when it happened at most `window_days` before `now` (and not in the future,
/// beyond a minute of clock skew).
pub fn within_window(touch_at: DateTime<Utc>, now: DateTime<Utc>, window_days: i32) -> bool {
    let age = now - touch_at;
    age >= -Duration::minutes(1) && age <= Duration::days(i64::from(window_days))
}

/// Which model decides between an existing referral and a new touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// The first referrer keeps the referee.
    FirstTouch,
    /// A later touch within the window takes the referee over.
    LastTouch,
}

/// Keep the existing referral, or let the new touch replace it?
pub fn replaces(
    model: Model,
    existing_at: DateTime<Utc>,
    new_at: DateTime<Utc>,
    same_referrer: bool,
) -> bool {
    match model {
        Model::FirstTouch => false,
        Model::LastTouch => !same_referrer && new_at > existing_at,
    }
}

/// Parts per million: a rate of 1.0 is `1_000_000`.
pub const PPM: i64 = 1_000_000;

/// Convert `amount_minor` of `from` into minor units of `to` at `rate_ppm` (one unit of `from` is
/// worth `rate_ppm / 1e6` units of `to`), adjusting for the currencies' minor-unit exponents.
/// Rounds half up; `None` on overflow.
pub fn convert(amount_minor: i64, from: Currency, to: Currency, rate_ppm: i64) -> Option<i64> {
    let diff = i32::from(to.exponent()) - i32::from(from.exponent());
    let mut numerator = i128::from(amount_minor).checked_mul(i128::from(rate_ppm))?;
    let mut denominator = i128::from(PPM);
    if diff >= 0 {
        numerator = numerator.checked_mul(10_i128.pow(diff.unsigned_abs()))?;
    } else {
        denominator = denominator.checked_mul(10_i128.pow(diff.unsigned_abs()))?;
    }
    let rounded = (numerator * 2 + denominator).div_euclid(denominator * 2);
    i64::try_from(rounded).ok()
}

/// Check a rate given by a person: positive and below a billion to one.
pub fn parse_rate_ppm(rate_ppm: i64) -> Result<i64, FieldError> {
    if rate_ppm <= 0 || rate_ppm > 1_000_000_000 * PPM {
        return Err(FieldError::new(
            "ratePpm",
            "must be a positive rate in parts per million (1.0 = 1000000)",
        ));
    }
    Ok(rate_ppm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_includes_its_last_day_and_excludes_the_day_after() {
        let click = at("2026-01-01T12:00:00Z");
        assert!(within_window(click, at("2026-01-31T12:00:00Z"), 30));
        assert!(!within_window(click, at("2026-01-31T12:00:01Z"), 30));
        assert!(within_window(click, click, 1));
        assert!(
            !within_window(at("2026-01-02T00:00:00Z"), at("2026-01-01T00:00:00Z"), 30),
            "a click from the future does not count"
        );
    }

    #[test]
    fn first_touch_keeps_and_last_touch_takes_over_only_with_a_later_other_referrer() {
        let (early, late) = (at("2026-01-01T00:00:00Z"), at("2026-01-05T00:00:00Z"));
        assert!(!replaces(Model::FirstTouch, early, late, false));
        assert!(replaces(Model::LastTouch, early, late, false));
        assert!(!replaces(Model::LastTouch, late, early, false));
        assert!(!replaces(Model::LastTouch, early, late, true));
    }

    #[test]
    fn conversion_respects_exponents_and_rounds_half_up() {
        let (eur, usd, jpy) = (
            Currency::parse("EUR").unwrap(),
            Currency::parse("USD").unwrap(),
            Currency::parse("JPY").unwrap(),
        );
        assert_eq!(
            convert(10_000, eur, usd, 1_080_000),
            Some(10_800),
            "100.00 EUR at 1.08 = 108.00 USD"
        );
        assert_eq!(
            convert(1_000, usd, jpy, 150_000_000),
            Some(1_500),
            "10.00 USD at 150 = 1500 JPY"
        );
        assert_eq!(
            convert(1_500, jpy, usd, 6_667),
            Some(1_000),
            "1500 JPY at 0.006667 = 10.0005 USD → 10.00"
        );
        assert_eq!(
            convert(1, eur, usd, 1_500_000),
            Some(2),
            "1.5 cents rounds up"
        );
        assert_eq!(convert(i64::MAX, eur, usd, 1_000_000_000 * PPM), None);
    }
}

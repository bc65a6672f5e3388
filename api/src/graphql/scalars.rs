//! Custom scalars and small shared output types.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};

/// A 64-bit integer carried as a JSON string: GraphQL's `Int` is 32-bit and money totals overflow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigInt(pub i64);

/// A 64-bit signed integer, serialised as a decimal string (e.g. `"1234"`); accepted as a string or an Int.
#[Scalar(name = "BigInt")]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(BigInt)
                .map_err(|_| InputValueError::custom("BigInt must be a decimal integer string")),
            Value::Number(n) => n
                .as_i64()
                .map(BigInt)
                .ok_or_else(|| InputValueError::custom("BigInt must be an integer")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// An amount of money in integer minor units (cents) of an ISO 4217 currency.
#[derive(Debug, Clone, SimpleObject)]
pub struct Money {
    /// Amount in minor units (e.g. cents), as a string-encoded 64-bit integer.
    pub amount_minor: BigInt,
    /// ISO 4217 currency code, upper case.
    pub currency: String,
}

impl Money {
    /// From minor units and a code.
    pub fn new(amount_minor: i64, currency: &str) -> Self {
        Self {
            amount_minor: BigInt(amount_minor),
            currency: currency.to_owned(),
        }
    }
}

//! GraphQL object, input and enum types.

pub mod admin;
pub mod campaign;
pub mod enums;
pub mod finance;
pub mod goals;
pub mod health;
pub mod incentives;
pub mod links;
pub mod people;
pub mod reports;
pub mod tracking;
pub mod webhooks;

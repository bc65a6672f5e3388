//! GraphQL object, input and enum types.

pub mod admin;
pub mod campaign;
pub mod enums;
pub mod goals;
pub mod incentives;
pub mod links;
pub mod people;
pub mod tracking;

//! SeaORM entities and the pure domain rules of Grapevine.

pub mod db;
pub mod domain;
pub mod ops;
pub mod tables;

//! Payouts: released cash is netted per participant and currency into one payout (the ledger's
//! payable balance, clawbacks included), which then goes through
//! `awaiting_approval → pending → processing → paid | failed → … → dead`; coupons, credit and gift
//! cards are fulfilled one reward at a time.

pub mod fulfil;
pub mod pay;
pub mod providers;
pub mod reconcile;
pub mod run;

pub use grapevine_entity::ops::payouts::*;

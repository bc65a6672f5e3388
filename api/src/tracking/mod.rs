//! The click path: resolve a code from memory, answer the redirect at once, and hand the click to
//! a bounded batch writer. No database round trip and no job per click.

pub mod clicks;
pub mod links;
pub mod qr;
pub mod tally;
pub mod visitor;

//! Finding participants by what a person remembers of them: part of an email address, an external
//! id or a first name (letters A–Z in any case), or one of their referral codes exactly. Used by
//! `participants(search:)` and `Campaign.enrolments(search:)`; always within one tenant.

use crate::tables::{participants, referral_links};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use uuid::Uuid;

use crate::ops::error::{Error, Result};

/// The longest search text taken.
pub const MAX_SEARCH: usize = 100;

/// A validated search: the text, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search(String);

impl Search {
    /// `None` for no search (absent or blank); a VALIDATION error on `field` for text longer
    /// than [`MAX_SEARCH`] characters.
    pub fn parse(field: &str, text: Option<&str>) -> Result<Option<Search>> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if text.chars().count() > MAX_SEARCH {
            return Err(Error::invalid(
                field,
                format!("at most {MAX_SEARCH} characters"),
            ));
        }
        Ok(Some(Search(text.to_lowercase())))
    }

    /// The ids of the tenant's participants it matches, as a subquery for `IN (…)`.
    pub fn participant_ids(&self, tenant_id: Uuid) -> SelectStatement {
        let pattern = format!("%{}%", like_literal(&self.0));
        let contains = |column: participants::Column| {
            Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(&pattern).escape('!'))
        };
        let by_code = Query::select()
            .column(referral_links::Column::ParticipantId)
            .from(referral_links::Entity)
            .and_where(Expr::col(referral_links::Column::TenantId).eq(tenant_id))
            .and_where(Expr::col(referral_links::Column::Code).eq(self.0.to_ascii_uppercase()))
            .to_owned();
        Query::select()
            .column(participants::Column::Id)
            .from(participants::Entity)
            .and_where(Expr::col(participants::Column::TenantId).eq(tenant_id))
            .cond_where(
                Condition::any()
                    .add(contains(participants::Column::Email))
                    .add(contains(participants::Column::ExternalId))
                    .add(contains(participants::Column::FirstName))
                    .add(Expr::col(participants::Column::Id).in_subquery(by_code)),
            )
            .to_owned()
    }
}

/// `%`, `_` and `!` taken literally in a LIKE pattern (escape character `!`: a backslash would
/// mean different things to different SQL dialects).
pub fn like_literal(text: &str) -> String {
    text.replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_literal_escapes_the_pattern_characters() {
        assert_eq!(like_literal("a_b%c!"), "a!_b!%c!!");
    }

    #[test]
    fn blank_is_no_search_and_long_text_is_refused() {
        assert_eq!(Search::parse("search", None).unwrap(), None);
        assert_eq!(Search::parse("search", Some("   ")).unwrap(), None);
        assert_eq!(
            Search::parse("search", Some("  Ada@Example.COM ")).unwrap(),
            Some(Search("ada@example.com".into()))
        );
        let long = "x".repeat(MAX_SEARCH + 1);
        assert!(Search::parse("search", Some(&long)).is_err());
    }
}

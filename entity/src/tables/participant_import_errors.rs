//! `participant_import_errors`: a problem found on one row of an import (a row may have several).

use sea_orm::entity::prelude::*;

/// A problem found on one row of an import.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_import_errors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub import_id: Uuid,
    pub tenant_id: Uuid,
    /// The line the row starts on, as a CSV reader counts (the header is line 1).
    pub line: i64,
    /// The CSV column at fault, when one is.
    pub column: Option<String>,
    /// A stable code: `INVALID`, `DUPLICATE`, `MALFORMED`.
    pub code: String,
    pub message: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

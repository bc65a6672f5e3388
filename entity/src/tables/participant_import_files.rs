//! `participant_import_files`: the uploaded CSV an import job reads (kept in the database so any
//! worker process can resume the import after a crash).

use sea_orm::entity::prelude::*;

/// The uploaded CSV of an import.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_import_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub import_id: Uuid,
    pub tenant_id: Uuid,
    #[sea_orm(column_type = "Blob")]
    pub content: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Reading a participants CSV: the header decides which columns a row has; each row becomes a
//! validated participant or the list of what is wrong with it (line, column, code, reason).

use std::collections::HashMap;

use crate::domain::participant::{ParticipantDraft, ValidParticipant, validate};
use csv::ByteRecord;

/// A column a participants CSV may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// `external_id` (required): the tenant's own customer id.
    ExternalId,
    /// `email` (required).
    Email,
    /// `first_name`.
    FirstName,
    /// `tags`: separated by `;`.
    Tags,
    /// `order_count`: a whole number, empty = 0.
    OrderCount,
    /// `country`: ISO 3166 alpha-2.
    Country,
}

/// The columns a file may have, by header name.
pub const COLUMNS: &[(&str, Column)] = &[
    ("external_id", Column::ExternalId),
    ("email", Column::Email),
    ("first_name", Column::FirstName),
    ("tags", Column::Tags),
    ("order_count", Column::OrderCount),
    ("country", Column::Country),
];

impl Column {
    /// The header name.
    pub fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("?", |(n, _)| n)
    }

    /// The column a validation error's field belongs to (`tags[2]` → `tags`).
    fn of_field(field: &str) -> Option<Column> {
        let base = field.split('[').next().unwrap_or(field);
        match base {
            "externalId" => Some(Self::ExternalId),
            "email" => Some(Self::Email),
            "firstName" => Some(Self::FirstName),
            "tags" => Some(Self::Tags),
            "orderCount" => Some(Self::OrderCount),
            "country" => Some(Self::Country),
            _ => None,
        }
    }
}

/// Why a whole file is refused before any row is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The header names columns we do not know.
    #[error("unknown column(s): {}; the columns are {}", .0.join(", "), column_list())]
    UnknownColumns(Vec<String>),
    /// A required column is absent.
    #[error("missing required column(s): {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// A column is named twice.
    #[error("column {0} appears twice in the header")]
    DuplicateColumn(String),
    /// More data rows than allowed.
    #[error("the file has more than {0} rows (imports.max_rows)")]
    TooManyRows(u64),
    /// Not readable as CSV (or empty).
    #[error("{0}")]
    Unreadable(String),
    /// The campaign cannot take participants.
    #[error("{0}")]
    Campaign(String),
}

fn column_list() -> String {
    COLUMNS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line the row starts on (header = line 1).
    pub line: u64,
    /// The column at fault, if one is.
    pub column: Option<&'static str>,
    /// `INVALID` (a value breaks a rule), `DUPLICATE` (the customer id appears earlier in the
    /// file) or `MALFORMED` (wrong number of fields, not UTF-8).
    pub code: &'static str,
    /// Why.
    pub message: String,
}

/// The header: which column each field position holds.
#[derive(Debug, Clone)]
pub struct Header {
    slots: Vec<Column>,
}

impl Header {
    /// Parse the header record: names are trimmed and case-insensitive; unknown, duplicate and
    /// missing required columns refuse the file.
    pub fn parse(record: &ByteRecord) -> Result<Header, FileError> {
        let mut slots = Vec::new();
        let mut unknown = Vec::new();
        for (i, raw) in record.iter().enumerate() {
            let mut name = String::from_utf8_lossy(raw).trim().to_lowercase();
            if i == 0 {
                name = name.trim_start_matches('\u{feff}').to_owned();
            }
            match COLUMNS.iter().find(|(n, _)| *n == name) {
                Some((_, c)) if slots.contains(c) => {
                    return Err(FileError::DuplicateColumn(name));
                }
                Some((_, c)) => slots.push(*c),
                None => unknown.push(if name.is_empty() {
                    format!("(empty name in position {})", i + 1)
                } else {
                    name
                }),
            }
        }
        if !unknown.is_empty() {
            return Err(FileError::UnknownColumns(unknown));
        }
        let missing: Vec<String> = [Column::ExternalId, Column::Email]
            .into_iter()
            .filter(|c| !slots.contains(c))
            .map(|c| c.name().to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingColumns(missing));
        }
        Ok(Header { slots })
    }

    /// Turn one data row into a validated participant, or every problem with it.
    pub fn row(&self, record: &ByteRecord, line: u64) -> Result<ValidParticipant, Vec<RowError>> {
        if record.len() != self.slots.len() {
            return Err(vec![RowError {
                line,
                column: None,
                code: "MALFORMED",
                message: format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    self.slots.len()
                ),
            }]);
        }
        let mut values: HashMap<Column, &str> = HashMap::new();
        for (column, raw) in self.slots.iter().zip(record.iter()) {
            match std::str::from_utf8(raw) {
                Ok(text) => {
                    values.insert(*column, text);
                }
                Err(_) => {
                    return Err(vec![RowError {
                        line,
                        column: Some(column.name()),
                        code: "MALFORMED",
                        message: "is not valid UTF-8".into(),
                    }]);
                }
            }
        }
        let get = |c: Column| values.get(&c).copied().unwrap_or("");
        let order_count = match get(Column::OrderCount).trim() {
            "" => 0,
            text => text.parse::<i32>().map_err(|_| {
                vec![RowError {
                    line,
                    column: Some(Column::OrderCount.name()),
                    code: "INVALID",
                    message: "must be a whole number".into(),
                }]
            })?,
        };
        let optional = |c: Column| Some(get(c).to_owned()).filter(|v| !v.trim().is_empty());
        let draft = ParticipantDraft {
            external_id: get(Column::ExternalId).to_owned(),
            email: get(Column::Email).to_owned(),
            first_name: optional(Column::FirstName),
            tags: get(Column::Tags)
                .split(';')
                .filter(|t| !t.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            order_count,
            country: optional(Column::Country),
        };
        validate(draft).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| RowError {
                    line,
                    column: Column::of_field(&e.field).map(Column::name),
                    code: "INVALID",
                    message: e.message,
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> ByteRecord {
        ByteRecord::from(fields.to_vec())
    }

    #[test]
    fn header_refuses_unknown_and_missing_columns() {
        assert_eq!(
            Header::parse(&record(&["external_id", "email", "phone"])).err(),
            Some(FileError::UnknownColumns(vec!["phone".into()]))
        );
        assert_eq!(
            Header::parse(&record(&["external_id", "first_name"])).err(),
            Some(FileError::MissingColumns(vec!["email".into()]))
        );
        assert_eq!(
            Header::parse(&record(&["email", "Email", "external_id"])).err(),
            Some(FileError::DuplicateColumn("email".into()))
        );
    }

    #[test]
    fn rows_are_validated_by_the_enrolment_rules_and_name_their_column() {
        let header = Header::parse(&record(&[
            "\u{feff}External_ID",
            " email ",
            "tags",
            "order_count",
        ]))
        .expect("header");
        let ok = header
            .row(&record(&["c1", "A@Example.com", "VIP; new;", "3"]), 2)
            .expect("valid");
        assert_eq!(ok.tags, vec!["vip", "new"]);
        assert_eq!(ok.order_count, 3);
        let bad = header
            .row(&record(&["", "nope", "", "x"]), 7)
            .expect_err("invalid");
        assert_eq!(bad[0].column, Some("order_count"));
        let bad = header
            .row(&record(&["", "nope", "", "1"]), 7)
            .expect_err("invalid");
        let columns: Vec<_> = bad.iter().map(|e| e.column).collect();
        assert_eq!(columns, vec![Some("email"), Some("external_id")]);
        assert!(bad.iter().all(|e| e.line == 7 && e.code == "INVALID"));
        let short = header
            .row(&record(&["c1", "a@b.co"]), 9)
            .expect_err("short");
        assert_eq!(short[0].code, "MALFORMED");
    }
}

//! Relay-style connections over time-ordered (UUID v7) ids: newest first, `first` capped by the
//! configured page size, opaque cursors.

use async_graphql::{
    OutputType,
    connection::{Connection, Edge, EmptyFields, OpaqueCursor},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A connection whose cursor is an id.
pub type IdConnection<T> = Connection<OpaqueCursor<Uuid>, T, EmptyFields, EmptyFields>;

/// Page arguments after validation.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Items wanted.
    pub first: u64,
    /// Strictly older than this id.
    pub after: Option<Uuid>,
}

impl Page {
    /// Validate `first` / `after`.
    pub fn new(first: Option<i32>, after: Option<String>, max: u64) -> ApiResult<Self> {
        let first = match first {
            None => 20.min(max),
            Some(n) if n < 1 => return Err(ApiError::invalid("first", "must be at least 1")),
            Some(n) if n as u64 > max => {
                return Err(ApiError::invalid("first", format!("must be at most {max}")));
            }
            Some(n) => n as u64,
        };
        let after = match after {
            None => None,
            Some(cursor) => Some(
                OpaqueCursor::<Uuid>::decode_cursor(&cursor)
                    .map_err(|_| ApiError::invalid("after", "is not a cursor from this API"))?
                    .0,
            ),
        };
        Ok(Self { first, after })
    }
}

use async_graphql::connection::CursorType as _;

/// Run `select` (already tenant-scoped and filtered) as a page ordered by `id` descending.
pub async fn fetch<E, C>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    page: Page,
) -> ApiResult<(Vec<E::Model>, bool)>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let mut select = select.order_by_desc(id).limit(page.first + 1);
    if let Some(after) = page.after {
        select = select.filter(id.lt(after));
    }
    let mut rows = select.all(conn).await?;
    let more = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    Ok((rows, more))
}

/// One page of `select` as a connection: `fetch`, then `connection`; what every list field does.
pub async fn list<E, C, T>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    id_column: C,
    page: Page,
    id: impl Fn(&E::Model) -> Uuid,
    node: impl Fn(E::Model) -> T,
) -> ApiResult<IdConnection<T>>
where
    E: EntityTrait,
    C: ColumnTrait,
    T: OutputType,
{
    let (rows, more) = fetch(conn, select, id_column, page).await?;
    Ok(connection(rows, more, page.after.is_some(), id, node))
}

/// Build the connection from fetched rows.
pub fn connection<M, T: OutputType>(
    rows: Vec<M>,
    has_next: bool,
    has_previous: bool,
    id: impl Fn(&M) -> Uuid,
    node: impl Fn(M) -> T,
) -> IdConnection<T> {
    let mut conn = Connection::new(has_previous, has_next);
    conn.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(OpaqueCursor(id(&row)), node(row))),
    );
    conn
}

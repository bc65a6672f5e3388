//! The GraphQL schema. Our GraphQL types live here, separate from the entities, so a migration can
//! never silently change the public schema.

pub mod incentives;
pub mod mutation;
pub mod pagination;
pub mod query;
pub mod scalars;
pub mod types;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

use crate::{auth::Principal, config::GraphqlConfig, error::ApiError, state::AppState};

/// Query root: the core queries and those of the incentive loop.
#[derive(MergedObject, Default)]
pub struct Query(query::Query, incentives::IncentiveQuery);

/// Mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(mutation::Mutation, incentives::IncentiveMutation);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Build the schema with the configured limits.
pub fn build_schema(state: Option<AppState>, config: &GraphqlConfig) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(config.max_depth)
        .limit_complexity(config.max_complexity)
        .limit_recursive_depth(32);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if !config.suggestions {
        builder = builder.disable_suggestions();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL of the schema (what `schema.graphql` holds).
pub fn sdl() -> String {
    build_schema(None, &GraphqlConfig::default()).sdl()
}

/// Context accessors used by every resolver.
pub trait ContextExt {
    /// Application state.
    fn state(&self) -> &AppState;
    /// The caller.
    fn principal(&self) -> &Principal;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn principal(&self) -> &Principal {
        self.data_opt::<Principal>()
            .unwrap_or(&Principal::Anonymous)
    }
}

/// Convert to the GraphQL error shape.
pub fn gql(err: ApiError) -> async_graphql::Error {
    err.into()
}

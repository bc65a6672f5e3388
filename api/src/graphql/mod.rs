//! The GraphQL schema. Our GraphQL types live here, separate from the entities, so a migration can
//! never silently change the public schema.

pub mod finance;
pub mod health;
pub mod incentives;
pub mod loaders;
pub mod mutation;
pub mod ops;
pub mod pagination;
pub mod query;
pub mod recommendations;
pub mod reports;
pub mod scalars;
pub mod sessions;
pub mod spans;
pub mod transfer;
pub mod types;
pub mod webhooks;

use std::sync::Arc;

use async_graphql::{
    Context, MergedObject, MergedSubscription, Request, Schema, ServerResult,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
};

use crate::{auth::Principal, config::GraphqlConfig, error::ErrorCodes, state::AppState};

/// Query root: the core queries and those of the incentive loop.
#[derive(MergedObject, Default)]
pub struct Query(
    query::Query,
    incentives::IncentiveQuery,
    finance::FinanceQuery,
    ops::OpsQuery,
    webhooks::WebhookQuery,
    transfer::TransferQuery,
    reports::ReportQuery,
    reports::ExperimentQuery,
    health::HealthQuery,
    recommendations::RecommendationQuery,
);

/// Mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::Mutation,
    sessions::SessionMutation,
    incentives::IncentiveMutation,
    finance::FinanceMutation,
    ops::OpsMutation,
    webhooks::WebhookMutation,
    transfer::TransferMutation,
    reports::ReportMutation,
    reports::ExperimentMutation,
    recommendations::RecommendationMutation,
);

/// Subscription root (graphql-ws).
#[derive(MergedSubscription, Default)]
pub struct Subscription(ops::OpsSubscription);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Build the schema with the configured limits.
pub fn build_schema(state: Option<AppState>, config: &GraphqlConfig) -> AppSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(config.max_depth)
    .limit_complexity(config.max_complexity)
    .limit_recursive_depth(32)
    .extension(ErrorCodes)
    .extension(spans::ResolverSpans);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if !config.suggestions {
        builder = builder.disable_suggestions();
    }
    if let Some(state) = state {
        builder = builder.data(state).extension(RequestLoaders);
    }
    builder.finish()
}

/// Gives every operation its own batch loaders (`loaders`), whichever way it arrives (POST, GET,
/// batch, multipart, graphql-ws).
struct RequestLoaders;

impl ExtensionFactory for RequestLoaders {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestLoaders)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for RequestLoaders {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = match ctx.data_opt::<AppState>() {
            Some(state) => request.data(loaders::for_request(state.db.clone())),
            None => request,
        };
        next.run(ctx, request).await
    }
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

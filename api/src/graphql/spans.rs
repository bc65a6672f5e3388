//! A span for every operation and every root resolver (each query, mutation and subscription
//! field), carrying what an operator looks for: the field, the tenant and who called, and the ids
//! among its arguments. Nested fields get none: they are the same request's data loading, and a
//! span each would cost more than the resolvers themselves.
//!
//! The spans are children of the HTTP request's span, so they share its trace id.

use std::sync::{Arc, Mutex};

use async_graphql::{
    ServerResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve,
        ResolveInfo,
    },
    parser::types::ExecutableDocument,
};
use tracing::{Instrument, field::Empty};

use grapevine_entity::ops::trace;

use crate::{auth::Principal, error::ApiError};

/// Installs [`ResolverSpans`] for each request.
pub struct ResolverSpans;

impl ExtensionFactory for ResolverSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestSpans::default())
    }
}

/// One request's spans: remembers its variables so ids passed through them can be named.
#[derive(Default)]
struct RequestSpans {
    variables: Mutex<Variables>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for RequestSpans {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Ok(mut kept) = self.variables.lock() {
            kept.clone_from(variables);
        }
        next.run(ctx, query, variables).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> async_graphql::Response {
        let span = tracing::info_span!(
            "graphql",
            operation = operation_name.unwrap_or(""),
            trace_id = %trace_id(),
        );
        next.run(ctx, operation_name).instrument(span).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_some() || info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        let (tenant_id, caller) = match ctx.data_opt::<Principal>() {
            Some(Principal::Staff {
                tenant_id,
                user_id,
                role,
            }) => (tenant_id.to_string(), format!("{role:?}:{user_id}")),
            Some(Principal::ApiKey {
                tenant_id, key_id, ..
            }) => (tenant_id.to_string(), format!("key:{key_id}")),
            _ => (String::new(), "anonymous".to_owned()),
        };
        let ids = self.ids_of(&info);
        let span = tracing::info_span!(
            "graphql.resolve",
            field = info.name,
            parent = info.parent_type,
            tenant_id = %tenant_id,
            caller = %caller,
            ids = %ids,
            trace_id = %trace_id(),
            error = Empty,
        );
        let result = next.run(ctx, info).instrument(span.clone()).await;
        if let Err(err) = &result {
            span.record(
                "error",
                err.source::<ApiError>().map_or("GRAPHQL", ApiError::code),
            );
        }
        result
    }
}

/// The current trace's id: each span names it, so its own log line says which trace it is in
/// (a JSON line lists the parents of the thread's current span, which need not be this one's).
fn trace_id() -> String {
    trace::current().map(|t| t.trace_hex()).unwrap_or_default()
}

impl RequestSpans {
    /// `name=value` for each argument that is an id (`id`, `…Id`, `…Ids`), comma-separated.
    fn ids_of(&self, info: &ResolveInfo<'_>) -> String {
        let variables = self.variables.lock().ok();
        let mut out = String::new();
        for (name, value) in &info.field.arguments {
            let name = name.node.as_str();
            if !(name == "id" || name.ends_with("Id") || name.ends_with("Ids")) {
                continue;
            }
            let value = value
                .node
                .clone()
                .into_const_with(|var| {
                    variables
                        .as_ref()
                        .and_then(|v| v.get(&var).cloned())
                        .ok_or(())
                })
                .unwrap_or(Value::Null);
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(name);
            out.push('=');
            match value {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            }
        }
        out
    }
}

//! The domain's error (`grapevine_entity::ops::error`) at the GraphQL edge. Resolvers return it
//! with `?`; async-graphql keeps it as the GraphQL error's source, and [`ErrorCodes`], a schema
//! extension, maps every one in a response once: the message, `extensions.code`, `fields` for
//! validation, `retryAfter` for rate limits, and an `errorId` for internal errors (whose cause
//! chain goes to the log under that id). HTTP's one mapping is `http::error`.

use std::sync::Arc;

use async_graphql::{
    ErrorExtensions, Name, Response, ServerError, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextSubscribe},
    futures_util::stream::{BoxStream, StreamExt},
    indexmap::IndexMap,
};
pub use grapevine_entity::ops::error::{Error as ApiError, Result as ApiResult, code};

/// The GraphQL error of a domain error. An internal error is logged here, with its cause chain
/// and the id the client sees.
pub fn to_graphql(err: &ApiError) -> async_graphql::Error {
    match err {
        ApiError::Internal(cause) => {
            let error_id = uuid::Uuid::now_v7();
            tracing::error!(%error_id, error = %format!("{cause:#}"), "internal error");
            async_graphql::Error::new("internal error").extend_with(|_, e| {
                e.set("code", code::INTERNAL);
                e.set("errorId", error_id.to_string());
            })
        }
        ApiError::Validation(fields) => {
            let list: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let mut map = IndexMap::new();
                    map.insert(Name::new("field"), Value::from(f.field.clone()));
                    map.insert(Name::new("message"), Value::from(f.message.clone()));
                    Value::Object(map)
                })
                .collect();
            async_graphql::Error::new(err.message()).extend_with(|_, e| {
                e.set("code", code::VALIDATION);
                e.set("fields", Value::List(list.clone()));
            })
        }
        ApiError::RateLimited { retry_after } => {
            let retry_after = *retry_after;
            async_graphql::Error::new(err.message()).extend_with(|_, e| {
                e.set("code", code::RATE_LIMITED);
                e.set("retryAfter", retry_after);
            })
        }
        other => {
            let code = other.code();
            async_graphql::Error::new(other.message()).extend_with(|_, e| e.set("code", code))
        }
    }
}

/// Rewrites each error of a response whose source is a domain error into its GraphQL shape
/// (queries, mutations and every event of a subscription).
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

fn map_errors(mut response: Response) -> Response {
    for error in &mut response.errors {
        map_error(error);
    }
    response
}

fn map_error(error: &mut ServerError) {
    let Some(domain) = error.source::<ApiError>() else {
        return;
    };
    let mapped = to_graphql(domain);
    error.message = mapped.message;
    error.extensions = mapped.extensions;
    // Mapped once: a stream's events pass through both hooks.
    error.source = None;
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        map_errors(next.run(ctx, operation_name).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(map_errors).boxed()
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn refused(&self) -> async_graphql::Result<i32> {
            Err(ApiError::invalid("name", "must not be empty"))?
        }

        async fn broken(&self) -> async_graphql::Result<i32> {
            Err(ApiError::Internal(anyhow::anyhow!("secret cause")))?
        }
    }

    #[tokio::test]
    async fn domain_errors_reach_clients_with_their_code_and_nothing_of_an_internal_cause() {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(ErrorCodes)
            .finish();
        let res = schema
            .execute("{ refused }")
            .await
            .into_result()
            .unwrap_err();
        let json = serde_json::to_value(&res).unwrap();
        assert_eq!(json[0]["extensions"]["code"], "VALIDATION");
        assert_eq!(json[0]["extensions"]["fields"][0]["field"], "name");
        assert_eq!(json[0]["message"], "name: must not be empty");

        let res = schema
            .execute("{ broken }")
            .await
            .into_result()
            .unwrap_err();
        let json = serde_json::to_value(&res).unwrap();
        assert_eq!(json[0]["extensions"]["code"], "INTERNAL");
        assert_eq!(json[0]["message"], "internal error");
        assert!(json[0]["extensions"]["errorId"].is_string());
        assert!(!json.to_string().contains("secret cause"));
    }
}

//! `/graphql` following the GraphQL-over-HTTP spec: POST JSON (single or a bounded batch), GET for
//! queries only (a mutation over GET is 405), `application/graphql-response+json` when the client
//! accepts it (then requests refused before execution answer 4xx), `application/json` otherwise.
//! Every error carries `extensions.code`. A GET that asks to upgrade to a WebSocket carries
//! subscriptions (graphql-ws).

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{
    ParseRequestError, Request, Response, ServerError, Variables,
    http::{MultipartOptions, receive_batch_body},
    parser::{parse_query, types::OperationType},
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    auth::request::{authenticate, authenticate_token, bearer},
    auth::{Principal, sessions::SessionRequest},
    error::code,
    graphql::{AppSchema, mutation::ClientAddr},
    state::AppState,
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlRequest {
    query: Option<String>,
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<serde_json::Value>,
}

fn wants_graphql_response(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(GRAPHQL_RESPONSE))
}

/// What an operation gets from its HTTP request besides the caller: the session cookie and the
/// request's origin (for `refreshSession` and `signOut`), and the client's address (login limits).
struct Extras {
    session: SessionRequest,
    client: ClientAddr,
}

impl Extras {
    fn of(req: &HttpRequest, state: &AppState) -> Self {
        let client = super::redirect::peer_ip(req, state)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Self {
            session: SessionRequest::from_http(req, &state.config),
            client: ClientAddr(client),
        }
    }

    /// [`reply`], with the cookie an operation set.
    fn reply(
        &self,
        req: &HttpRequest,
        status: StatusCode,
        body: serde_json::Value,
    ) -> HttpResponse {
        let mut res = reply(req, status, body);
        if let Some(cookie) = self.session.response_cookie()
            && let Ok(value) = header::HeaderValue::from_str(&cookie)
        {
            res.headers_mut().append(header::SET_COOKIE, value);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
        }
        res
    }
}

fn reply(req: &HttpRequest, status: StatusCode, body: serde_json::Value) -> HttpResponse {
    let modern = wants_graphql_response(req);
    // With plain application/json the spec wants 200 for every well-formed request, errors or not.
    let status = if modern || status == StatusCode::METHOD_NOT_ALLOWED {
        status
    } else {
        StatusCode::OK
    };
    let mut res = HttpResponse::build(status);
    // A rate-limited operation tells HTTP clients and proxies when to come back, too.
    if let Some(wait) = retry_after(&body) {
        res.insert_header((header::RETRY_AFTER, wait.to_string()));
    }
    res.content_type(if modern {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    })
    .json(body)
}

/// The longest `extensions.retryAfter` among the errors of a response (or of a batch's).
fn retry_after(body: &serde_json::Value) -> Option<u64> {
    let bodies: Vec<&serde_json::Value> = match body {
        serde_json::Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    bodies
        .iter()
        .filter_map(|b| b["errors"].as_array())
        .flatten()
        .filter_map(|e| e["extensions"]["retryAfter"].as_u64())
        .max()
}

/// The caller could not be identified because the database is unreachable: 503, try again.
fn unavailable(req: &HttpRequest) -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, "1"))
        .content_type(if wants_graphql_response(req) {
            GRAPHQL_RESPONSE
        } else {
            "application/json"
        })
        .json(error_body(
            code::INTERNAL,
            "the service is unavailable right now; try again shortly",
        ))
}

/// A request that is not well-formed (bad JSON, refused batch): 400 whatever the media type.
fn request_error(req: &HttpRequest, code: &str, message: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type(if wants_graphql_response(req) {
            GRAPHQL_RESPONSE
        } else {
            "application/json"
        })
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        return post_multipart(&req, body, content_type, &state, &schema).await;
    }
    if body.len() > state.config.graphql.max_body_bytes {
        return HttpResponse::PayloadTooLarge().finish();
    }
    if !content_type.starts_with("application/json") && !content_type.starts_with(GRAPHQL_RESPONSE)
    {
        return HttpResponse::UnsupportedMediaType()
            .json(json!({ "errors": [{ "message": "send the request as application/json", "extensions": { "code": code::GRAPHQL_PARSE_FAILED } }] }));
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            return request_error(
                &req,
                code::GRAPHQL_PARSE_FAILED,
                "the request body is not valid JSON",
            );
        }
    };
    let Ok(principal) = authenticate(&state, &req).await else {
        return unavailable(&req);
    };
    let extras = Extras::of(&req, &state);
    match value {
        serde_json::Value::Array(items) => {
            let max = state.config.graphql.max_batch;
            if max == 0 {
                return request_error(
                    &req,
                    code::GRAPHQL_VALIDATION_FAILED,
                    "batched requests are not accepted",
                );
            }
            if items.is_empty() || items.len() > max {
                return request_error(
                    &req,
                    code::GRAPHQL_VALIDATION_FAILED,
                    &format!("a batch holds 1 to {max} operations"),
                );
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let (_, body) = execute_value(&schema, &principal, &extras, item, false).await;
                out.push(body);
            }
            extras.reply(&req, StatusCode::OK, serde_json::Value::Array(out))
        }
        other => {
            let (status, body) = execute_value(&schema, &principal, &extras, other, false).await;
            extras.reply(&req, status, body)
        }
    }
}

/// A GraphQL multipart request (file uploads, as the GraphQL multipart request spec describes):
/// one operation, at most one file of at most `imports.max_upload_bytes`. Staff authenticate with
/// the `Authorization` header as always (there are no cookies), so a cross-site form cannot act
/// for them.
async fn post_multipart(
    req: &HttpRequest,
    body: web::Bytes,
    content_type: &str,
    state: &AppState,
    schema: &AppSchema,
) -> HttpResponse {
    let options = MultipartOptions::default()
        .max_num_files(1)
        .max_file_size(state.config.imports.max_upload_bytes);
    let batch =
        match receive_batch_body(Some(content_type), futures::io::Cursor::new(body), options).await
        {
            Ok(batch) => batch,
            Err(ParseRequestError::PayloadTooLarge) => {
                let limit = state.config.imports.max_upload_bytes;
                let message =
                    format!("the file is larger than {limit} bytes (imports.max_upload_bytes)");
                return HttpResponse::PayloadTooLarge()
                    .content_type(if wants_graphql_response(req) {
                        GRAPHQL_RESPONSE
                    } else {
                        "application/json"
                    })
                    .json(json!({ "errors": [{ "message": message, "extensions": {
                    "code": code::VALIDATION,
                    "fields": [{ "field": "file", "message": message }],
                } }] }));
            }
            Err(err) => {
                return request_error(
                    req,
                    code::GRAPHQL_PARSE_FAILED,
                    &format!("the multipart request is not valid: {err}"),
                );
            }
        };
    let Ok(request) = batch.into_single() else {
        return request_error(
            req,
            code::GRAPHQL_VALIDATION_FAILED,
            "an upload carries one operation",
        );
    };
    let Ok(principal) = authenticate(state, req).await else {
        return unavailable(req);
    };
    let extras = Extras::of(req, state);
    let (status, body) = execute_request(schema, &principal, &extras, request).await;
    extras.reply(req, status, body)
}

#[derive(Deserialize)]
/// Query string of `GET /graphql`.
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

/// `GET /graphql`: GraphiQL for browsers (when enabled), otherwise a query in the URL.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    params: web::Query<GetParams>,
) -> HttpResponse {
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if params.query.is_none() && accepts_html && state.config.graphql.graphiql {
        return super::console::graphiql();
    }
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return request_error(
                &req,
                code::GRAPHQL_PARSE_FAILED,
                "`variables` is not valid JSON",
            );
        }
    };
    let value = json!({ "query": params.query, "operationName": params.operation_name, "variables": variables });
    let Ok(principal) = authenticate(&state, &req).await else {
        return unavailable(&req);
    };
    let extras = Extras::of(&req, &state);
    let (status, body) = execute_value(&schema, &principal, &extras, value, true).await;
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .json(body);
    }
    extras.reply(&req, status, body)
}

/// `GET /graphql` with `Upgrade: websocket`: subscriptions over graphql-ws (sub-protocols
/// `graphql-transport-ws` and the older `graphql-ws`). The caller is who the upgrade request's
/// `Authorization` header says, or — browsers cannot set that header — who the token in
/// `connection_init`'s payload (`{"authorization": "Bearer …"}`) says. Each subscription checks
/// its role when it starts.
pub async fn subscribe(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> actix_web::Result<HttpResponse> {
    let Ok(from_header) = authenticate(&state, &req).await else {
        return Ok(unavailable(&req));
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let on_init = move |init: serde_json::Value| async move {
        let token = ["authorization", "Authorization"]
            .iter()
            .find_map(|k| init.get(*k).and_then(|v| v.as_str()))
            .and_then(|v| bearer(Some(v)).map(str::to_owned));
        let principal = match token {
            Some(token) => authenticate_token(&state, &token, origin.as_deref())
                .await
                .map_err(|_| {
                    async_graphql::Error::new("authentication is unavailable; try again")
                })?,
            None => from_header,
        };
        let mut data = async_graphql::Data::default();
        data.insert(principal);
        Ok(data)
    };
    async_graphql_actix_web::GraphQLSubscription::new(AppSchema::clone(&schema))
        .on_connection_init(on_init)
        .start(&req, payload)
}

/// Execute one request object; returns the status it deserves and the response body.
async fn execute_value(
    schema: &AppSchema,
    principal: &Principal,
    extras: &Extras,
    value: serde_json::Value,
    via_get: bool,
) -> (StatusCode, serde_json::Value) {
    let parsed: GraphqlRequest = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                error_body(
                    code::GRAPHQL_PARSE_FAILED,
                    "the request must be an object with `query`",
                ),
            );
        }
    };
    let Some(query) = parsed.query.filter(|q| !q.trim().is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            error_body(code::GRAPHQL_VALIDATION_FAILED, "`query` is required"),
        );
    };
    let document = match parse_query(&query) {
        Ok(doc) => doc,
        Err(err) => {
            return (
                StatusCode::BAD_REQUEST,
                error_body(code::GRAPHQL_PARSE_FAILED, &err.to_string()),
            );
        }
    };
    if via_get {
        let is_mutation = document.operations.iter().any(|(name, op)| {
            let selected = parsed
                .operation_name
                .as_deref()
                .is_none_or(|wanted| name.is_some_and(|n| n.as_str() == wanted));
            selected && op.node.ty != OperationType::Query
        });
        if is_mutation {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                error_body(
                    code::GRAPHQL_VALIDATION_FAILED,
                    "mutations must be sent with POST",
                ),
            );
        }
    }
    let variables = match parsed.variables {
        None | Some(serde_json::Value::Null) => Variables::default(),
        Some(v @ serde_json::Value::Object(_)) => Variables::from_json(v),
        Some(_) => {
            return (
                StatusCode::BAD_REQUEST,
                error_body(
                    code::GRAPHQL_VALIDATION_FAILED,
                    "`variables` must be an object",
                ),
            );
        }
    };
    let mut request = Request::new(query).variables(variables);
    if let Some(name) = parsed.operation_name {
        request = request.operation_name(name);
    }
    execute_request(schema, principal, extras, request).await
}

/// Execute a parsed request as `principal`; returns the status it deserves and the body.
async fn execute_request(
    schema: &AppSchema,
    principal: &Principal,
    extras: &Extras,
    request: Request,
) -> (StatusCode, serde_json::Value) {
    if !file_references_are_sound(&request) {
        return (
            StatusCode::BAD_REQUEST,
            error_body(
                code::GRAPHQL_VALIDATION_FAILED,
                "a file reference must come from the multipart request's map",
            ),
        );
    }
    let request = request
        .data(principal.clone())
        .data(extras.session.clone())
        .data(extras.client.clone());
    let response = schema.execute(request).await;
    let before_execution = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if before_execution {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, finish(response, before_execution))
}

/// How the multipart request's map marks a file in the variables.
const FILE_REFERENCE: &str = "#__graphql_file__:";

/// async-graphql panics on a file reference whose index is not a number, so such references are
/// refused before execution: only variables may carry one (never the query text), and its index
/// must be a number. (Whether the file exists is checked by the resolver that takes it.)
fn file_references_are_sound(request: &Request) -> bool {
    fn sound(value: &async_graphql::Value) -> bool {
        match value {
            async_graphql::Value::String(s) => s
                .strip_prefix(FILE_REFERENCE)
                .is_none_or(|index| index.parse::<usize>().is_ok()),
            async_graphql::Value::List(items) => items.iter().all(sound),
            async_graphql::Value::Object(map) => map.values().all(sound),
            _ => true,
        }
    }
    !request.query.contains(FILE_REFERENCE) && request.variables.values().all(sound)
}

fn error_body(code: &str, message: &str) -> serde_json::Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// Give every error a code: ours carry one; async-graphql's own pre-execution errors are
/// classified; anything else is an internal error whose message is not passed on.
fn finish(mut response: Response, before_execution: bool) -> serde_json::Value {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let code = classify(error, before_execution);
        if code == code::INTERNAL {
            let error_id = uuid::Uuid::now_v7();
            tracing::error!(%error_id, message = %error.message, "unclassified GraphQL error");
            error.message = "internal error".into();
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("errorId", error_id.to_string());
        }
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    serde_json::to_value(&response).unwrap_or_else(|_| error_body(code::INTERNAL, "internal error"))
}

fn classify(error: &ServerError, before_execution: bool) -> &'static str {
    let m = error.message.as_str();
    if m.contains("nested too deep") || m.contains("too complex") || m.contains("recursive depth") {
        code::QUERY_TOO_COMPLEX
    } else if before_execution
        || m.starts_with("Invalid value for argument")
        || m.contains("Failed to parse")
    {
        code::GRAPHQL_VALIDATION_FAILED
    } else {
        code::INTERNAL
    }
}

//! `/healthz` (the process is up) and `/readyz` (it can serve: the database answers; the queue's
//! state is reported but only degrades readiness, since the API keeps taking work into the outbox
//! while the queue is down).

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// `GET /healthz`.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `GET /readyz`.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db_ok = tokio::time::timeout(Duration::from_secs(2), state.db.ping())
        .await
        .is_ok_and(|r| r.is_ok());
    let queue = match queue_ok(&state).await {
        Ok(()) => "ok".to_owned(),
        Err(err) => {
            tracing::warn!(error = %err, "queue not reachable");
            "degraded".to_owned()
        }
    };
    let body = json!({
        "status": if db_ok { "ready" } else { "unavailable" },
        "database": if db_ok { "ok" } else { "unreachable" },
        "queue": queue,
    });
    if db_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn queue_ok(state: &AppState) -> anyhow::Result<()> {
    let url = &state.config.queue.url;
    if state.config.queue.is_redis() {
        let client = redis::Client::open(url.expose())?;
        let ping = async {
            let mut conn = client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        tokio::time::timeout(Duration::from_secs(1), ping).await??;
    }
    Ok(())
}

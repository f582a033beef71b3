//! `/healthz` (the process answers) and `/readyz` (a pack is loaded and its clients are built),
//! with each target's breaker state and calls in flight so an operator sees what routing sees,
//! and whether the shared limits store answers. A store that does not answer leaves the replica
//! ready: admission then follows the pack's `limits.on_store_error`, and taking every replica out
//! of the load balancer because Redis is down would take gw down with it.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(app): State<AppState>) -> Json<Value> {
    let rt = app.snapshot();
    let pack = &rt.loaded.pack;
    let now = std::time::Instant::now();
    let targets: Vec<Value> = rt
        .targets
        .iter()
        .map(|t| {
            json!({
                "id": t.spec.id,
                "model": t.spec.model,
                "region": t.spec.region,
                "breaker": t.state.breaker.state(now).as_str(),
                "in_flight": t.state.in_flight(),
                "max_concurrency": t.state.max_concurrency(),
            })
        })
        .collect();
    let store = match rt.counters.probe() {
        None => json!({ "kind": rt.counters.kind(), "status": "up" }),
        Some(probe) => match probe.await {
            Ok(()) => json!({ "kind": rt.counters.kind(), "status": "up" }),
            Err(e) => {
                json!({ "kind": rt.counters.kind(), "status": "down", "error": e.to_string() })
            }
        },
    };
    Json(json!({
        "status": "ready",
        "limits_store": store,
        "pack": { "name": pack.pack.name, "version": pack.pack.version, "enabled": pack.pack.enabled, "sha256": rt.loaded.sha256 },
        "targets": targets,
        "reload": app.reload.status(),
    }))
}

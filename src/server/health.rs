//! `/healthz` (the process answers) and `/readyz` (a pack is loaded and its clients are built),
//! with each target's breaker state and calls in flight so an operator sees what routing sees.

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
    Json(json!({
        "status": "ready",
        "pack": { "name": pack.pack.name, "version": pack.pack.version, "enabled": pack.pack.enabled, "sha256": rt.loaded.sha256 },
        "targets": targets,
        "reload": app.reload.status(),
    }))
}

//! `/healthz` (the process answers) and `/readyz` (a pack is loaded and its clients are built).

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
    let targets: Vec<Value> = rt
        .targets
        .iter()
        .map(|t| json!({ "id": t.spec.id, "model": t.spec.model, "region": t.spec.aws_region }))
        .collect();
    Json(json!({
        "status": "ready",
        "pack": { "name": pack.pack.name, "version": pack.pack.version, "enabled": pack.pack.enabled, "sha256": rt.loaded.sha256 },
        "targets": targets,
        "reload": app.reload.status(),
    }))
}

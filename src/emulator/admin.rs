//! Admin HTTP API under `/_emulator` (no auth; Bedrock never uses these paths).
//!
//! Python tests and the benchmark run the emulator out of process, so they script faults and read
//! recorded requests over HTTP instead of through [`super::EmulatorHandle`].

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};

use super::server::empty;
use super::{Fault, Shared};

/// The admin routes, sharing the emulator state.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/faults/{model_id}", put(put_faults))
        .route("/_emulator/faults", delete(clear_faults))
        .route(
            "/_emulator/requests",
            get(list_requests).delete(clear_requests),
        )
        .route("/_emulator/health", get(health))
        .route("/_emulator/batch", put(put_batch))
}

/// `PUT /_emulator/faults/{model_id}` with a JSON array of faults; replaces that model's rules.
async fn put_faults(
    State(shared): State<Arc<Shared>>,
    Path(model_id): Path<String>,
    Json(faults): Json<Vec<Fault>>,
) -> Response {
    shared.set_faults(&model_id, faults);
    empty(204)
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_faults();
    empty(204)
}

async fn list_requests(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.requests()).into_response()
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_requests();
    empty(204)
}

async fn health() -> Response {
    Json(serde_json::json!({"status": "ok"})).into_response()
}

/// `PUT /_emulator/batch` `{"step_ms": 20, "fail_next_jobs": 1}`: the job clock and job faults.
async fn put_batch(
    State(shared): State<Arc<Shared>>,
    Json(settings): Json<super::jobs::BatchSettings>,
) -> Response {
    super::jobs::configure(&shared, settings);
    empty(204)
}

//! `GET /v1/models`: every name a client may send as `model`.

use axum::Json;
use axum::extract::State;

use super::AppState;
use crate::openai::{ModelList, ModelObject};

pub async fn list(State(app): State<AppState>) -> Json<ModelList> {
    let rt = app.snapshot();
    let created = rt.loaded_unix;
    let data = rt
        .model_names
        .iter()
        .map(|id| ModelObject::new(id.clone(), created, "gw"))
        .collect();
    Json(ModelList::new(data))
}

//! `GET /v1/models` body: SDKs (and tools like LangChain) list models before they call, so gw
//! answers in OpenAI's exact shape with its own aliases.

use serde::{Deserialize, Serialize};

/// `{"object":"list","data":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelList {
    pub object: String,
    pub data: Vec<ModelObject>,
}

impl ModelList {
    /// Wraps the models gw exposes in the list envelope.
    pub fn new(data: Vec<ModelObject>) -> Self {
        Self {
            object: "list".to_owned(),
            data,
        }
    }
}

/// One model entry; `id` is what the client will put in `model`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelObject {
    pub id: String,
    pub object: String,
    pub created: u64,
    pub owned_by: String,
}

impl ModelObject {
    /// An entry with `object: "model"`, the only value OpenAI uses.
    pub fn new(id: impl Into<String>, created: u64, owned_by: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            object: "model".to_owned(),
            created,
            owned_by: owned_by.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_has_openai_shape() {
        let list = ModelList::new(vec![
            ModelObject::new("claude-sonnet", 1_700_000_000, "gw"),
            ModelObject::new("nova-pro", 0, "gw"),
        ]);
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            json!({"object": "list", "data": [
                {"id": "claude-sonnet", "object": "model", "created": 1_700_000_000u64, "owned_by": "gw"},
                {"id": "nova-pro", "object": "model", "created": 0, "owned_by": "gw"}
            ]})
        );
    }
}

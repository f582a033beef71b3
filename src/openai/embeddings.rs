//! `POST /v1/embeddings`: request validation into a provider-neutral job, and the reply.
//!
//! Embeddings do not go through the chat IR (no policies rewrite vectors), so this module hands
//! the provider a plain list of texts and takes plain vectors back. The Python SDK asks for
//! `encoding_format: "base64"` by default, so the base64 path is the common one, not an edge case.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// `POST /v1/embeddings` body; unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct EmbeddingsRequest {
    pub model: String,
    pub input: EmbeddingInput,
    pub dimensions: Option<u32>,
    pub encoding_format: Option<String>,
    /// Accepted and unused: Bedrock embedding models take no end-user id.
    pub user: Option<String>,
    /// gw extension: Cohere's `input_type` (`search_query`, `search_document`, …).
    pub input_type: Option<String>,
}

/// Every shape OpenAI accepts for `input`; token arrays parse only so they can be rejected
/// clearly (Bedrock cannot detokenize OpenAI token ids).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum EmbeddingInput {
    Text(String),
    Texts(Vec<String>),
    Tokens(Vec<i64>),
    TokenBatches(Vec<Vec<i64>>),
}

/// How vectors go back on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Float,
    /// Little-endian f32 bytes, standard base64.
    Base64,
}

/// A validated embeddings call, ready for whichever Bedrock model the route picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingJob {
    pub texts: Vec<String>,
    pub dimensions: Option<u32>,
    pub encoding: Encoding,
    pub input_type: Option<String>,
}

/// Validates an embeddings request; every error is a 400 naming the param.
pub fn parse_embeddings(req: EmbeddingsRequest) -> Result<EmbeddingJob, ApiError> {
    let bad = |param: String, msg: &str| ApiError::invalid_request(msg).with_param(param);
    if req.model.trim().is_empty() {
        return Err(bad("model".into(), "`model` is required"));
    }
    let texts = match req.input {
        EmbeddingInput::Text(t) => vec![t],
        EmbeddingInput::Texts(v) => v,
        EmbeddingInput::Tokens(_) | EmbeddingInput::TokenBatches(_) => {
            return Err(bad(
                "input".into(),
                "token inputs are not supported; send text",
            ));
        }
    };
    if texts.is_empty() {
        return Err(bad(
            "input".into(),
            "`input` must contain at least one string",
        ));
    }
    if let Some(i) = texts.iter().position(|t| t.trim().is_empty()) {
        let param = if matches!(texts.len(), 1) {
            "input".into()
        } else {
            format!("input[{i}]")
        };
        return Err(bad(param, "`input` strings must not be empty"));
    }
    if req.dimensions == Some(0) {
        return Err(bad("dimensions".into(), "`dimensions` must be at least 1"));
    }
    let encoding = match req.encoding_format.as_deref() {
        None | Some("float") => Encoding::Float,
        Some("base64") => Encoding::Base64,
        Some(_) => {
            return Err(bad(
                "encoding_format".into(),
                "`encoding_format` must be `float` or `base64`",
            ));
        }
    };
    Ok(EmbeddingJob {
        texts,
        dimensions: req.dimensions,
        encoding,
        input_type: req.input_type.filter(|t| !t.is_empty()),
    })
}

/// The reply body; borrows float vectors and encodes base64 ones.
#[derive(Debug, Serialize)]
pub struct EmbeddingsResponse<'a> {
    pub object: &'static str,
    pub data: Vec<EmbeddingData<'a>>,
    pub model: &'a str,
    pub usage: EmbeddingUsage,
}

/// One vector, in input order.
#[derive(Debug, Serialize)]
pub struct EmbeddingData<'a> {
    pub object: &'static str,
    pub index: usize,
    pub embedding: EmbeddingValue<'a>,
}

/// A vector as floats or as a base64 string, per `encoding_format`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EmbeddingValue<'a> {
    Float(&'a [f32]),
    Base64(String),
}

/// Embeddings have no completion tokens, so both counts are the input's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EmbeddingUsage {
    pub prompt_tokens: u64,
    pub total_tokens: u64,
}

/// Builds the reply; `model` is the client's alias and `vectors` are in input order.
pub fn embeddings_response<'a>(
    model: &'a str,
    vectors: &'a [Vec<f32>],
    prompt_tokens: u64,
    encoding: Encoding,
) -> EmbeddingsResponse<'a> {
    let data = vectors
        .iter()
        .enumerate()
        .map(|(index, v)| EmbeddingData {
            object: "embedding",
            index,
            embedding: match encoding {
                Encoding::Float => EmbeddingValue::Float(v),
                Encoding::Base64 => EmbeddingValue::Base64(to_base64(v)),
            },
        })
        .collect();
    EmbeddingsResponse {
        object: "list",
        data,
        model,
        usage: EmbeddingUsage {
            prompt_tokens,
            total_tokens: prompt_tokens,
        },
    }
}

fn to_base64(v: &[f32]) -> String {
    let mut bytes = Vec::with_capacity(v.len() * 4);
    for f in v {
        bytes.extend_from_slice(&f.to_le_bytes());
    }
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::from_json;
    use serde_json::{Value, json};

    fn parse(body: &str) -> Result<EmbeddingJob, ApiError> {
        parse_embeddings(from_json(body.as_bytes())?)
    }

    #[test]
    fn python_sdk_default_request_asks_for_base64() {
        let job = parse(
            r#"{"input":"The food was delicious","model":"titan-embed","encoding_format":"base64"}"#,
        )
        .unwrap();
        assert_eq!(job.texts, vec!["The food was delicious"]);
        assert_eq!(job.encoding, Encoding::Base64);
        assert_eq!(job.dimensions, None);
    }

    #[test]
    fn list_input_with_dimensions_and_input_type() {
        let job = parse(
            r#"{"input":["a","b"],"model":"cohere","dimensions":512,"input_type":"search_query","user":"u"}"#,
        )
        .unwrap();
        assert_eq!(job.texts, vec!["a", "b"]);
        assert_eq!(job.dimensions, Some(512));
        assert_eq!(job.encoding, Encoding::Float);
        assert_eq!(job.input_type.as_deref(), Some("search_query"));
    }

    #[test]
    fn rejections_name_the_param() {
        let cases = [
            (r#"{"input":[1,2,3],"model":"m"}"#, "input", "token inputs"),
            (
                r#"{"input":[[1],[2]],"model":"m"}"#,
                "input",
                "token inputs",
            ),
            (r#"{"input":[],"model":"m"}"#, "input", "at least one"),
            (r#"{"input":"","model":"m"}"#, "input", "empty"),
            (r#"{"input":["a"," "],"model":"m"}"#, "input[1]", "empty"),
            (
                r#"{"input":"a","model":"m","dimensions":0}"#,
                "dimensions",
                "at least 1",
            ),
            (
                r#"{"input":"a","model":"m","encoding_format":"int8"}"#,
                "encoding_format",
                "float",
            ),
            (r#"{"input":"a","model":""}"#, "model", "required"),
        ];
        for (body, param, msg) in cases {
            let err = parse(body).unwrap_err();
            assert_eq!(err.status.as_u16(), 400, "{body}");
            assert_eq!(err.param.as_deref(), Some(param), "{body}");
            assert!(err.message.contains(msg), "{body}: {}", err.message);
        }
    }

    #[test]
    fn float_response_shape() {
        let vectors = vec![vec![0.5f32, -1.25], vec![0.0, 2.0]];
        let v = serde_json::to_value(embeddings_response("titan", &vectors, 9, Encoding::Float))
            .unwrap();
        assert_eq!(
            v,
            json!({"object": "list", "model": "titan",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.5, -1.25]},
                         {"object": "embedding", "index": 1, "embedding": [0.0, 2.0]}],
                "usage": {"prompt_tokens": 9, "total_tokens": 9}})
        );
    }

    #[test]
    fn base64_round_trips_little_endian_f32() {
        let vectors = vec![vec![0.1f32, -3.5e-7, 1234.5678, f32::MIN_POSITIVE]];
        let v = serde_json::to_value(embeddings_response("titan", &vectors, 3, Encoding::Base64))
            .unwrap();
        let Value::String(b64) = &v["data"][0]["embedding"] else {
            panic!("expected a base64 string, got {v}");
        };
        // What the Python SDK does: base64-decode, then read little-endian float32s.
        let bytes = STANDARD.decode(b64).unwrap();
        assert_eq!(bytes.len(), 16);
        assert_eq!(&bytes[..4], &0.1f32.to_le_bytes());
        let back: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(back, vectors[0]);
    }
}

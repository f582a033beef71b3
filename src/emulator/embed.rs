//! InvokeModel for embedding models: Titan Text Embeddings v1/v2 and Cohere Embed v3.
//!
//! gw's `/v1/embeddings` fans out to these model-native bodies; the emulator checks the same
//! limits Bedrock does and returns deterministic vectors (same text, same vector) so tests can
//! compare results across calls.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::reply::tokens;
use super::wire::ApiError;

/// A successful embedding call: the body plus the token counts for the response headers.
pub(crate) struct EmbedOutput {
    pub body: Value,
    pub input_tokens: u64,
}

fn malformed(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "Malformed input request: {detail}, please reformat your input and try again."
    ))
}

fn reject_extra_keys(obj: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(malformed(&format!("extraneous key [{k}] is not permitted"))),
        None => Ok(()),
    }
}

/// A deterministic vector for `text`, seeded from its hash; unit length when `normalize`.
pub(crate) fn vector(text: &str, dims: usize, normalize: bool) -> Vec<f32> {
    let digest = Sha256::digest(text.as_bytes());
    let mut seed = [0u8; 8];
    seed.copy_from_slice(&digest[..8]);
    let mut rng = fastrand::Rng::with_seed(u64::from_le_bytes(seed));
    let mut v: Vec<f32> = (0..dims).map(|_| rng.f32() * 2.0 - 1.0).collect();
    if normalize {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
    }
    v
}

/// Dispatches an InvokeModel body by (base) model id; non-embedding models are rejected.
pub(crate) fn invoke(base_model: &str, body: &Value) -> Result<EmbedOutput, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(malformed("expected type: JSONObject"));
    };
    match base_model {
        "amazon.titan-embed-text-v1" => titan(obj, false),
        "amazon.titan-embed-text-v2:0" => titan(obj, true),
        "cohere.embed-english-v3" | "cohere.embed-multilingual-v3" => cohere(obj),
        _ => Err(ApiError::validation(
            "The emulator only serves embedding models on InvokeModel; use Converse for chat models.",
        )),
    }
}

fn titan(obj: &Map<String, Value>, v2: bool) -> Result<EmbedOutput, ApiError> {
    if v2 {
        reject_extra_keys(
            obj,
            &["inputText", "dimensions", "normalize", "embeddingTypes"],
        )?;
    } else {
        reject_extra_keys(obj, &["inputText"])?;
    }
    let text = match obj.get("inputText") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(malformed("#/inputText: expected type: String")),
        None => return Err(malformed("#: required key [inputText] not found")),
    };
    if text.is_empty() {
        return Err(malformed("#/inputText: expected minLength: 1, actual: 0"));
    }
    let dims = match obj.get("dimensions") {
        None => {
            if v2 {
                1024
            } else {
                1536
            }
        }
        Some(d) => match d.as_u64() {
            Some(n @ (256 | 512 | 1024)) => usize::try_from(n).unwrap_or(1024),
            _ => {
                return Err(malformed(&format!(
                    "#/dimensions: {d} is not a valid enum value"
                )));
            }
        },
    };
    let normalize = match obj.get("normalize") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(malformed("#/normalize: expected type: Boolean")),
    };
    let v = vector(text, dims, normalize);
    let n = tokens(text.chars().count());
    let mut out = json!({"embedding": v, "inputTextTokenCount": n});
    if let Some(types) = obj.get("embeddingTypes") {
        let mut by_type = Map::new();
        for t in types.as_array().into_iter().flatten() {
            match t.as_str() {
                Some("float") => {
                    by_type.insert("float".into(), json!(v));
                }
                Some("binary") => {
                    let bits: Vec<u8> = v.iter().map(|x| u8::from(*x > 0.0)).collect();
                    by_type.insert("binary".into(), json!(bits));
                }
                _ => {
                    return Err(malformed(&format!(
                        "#/embeddingTypes: {t} is not a valid enum value"
                    )));
                }
            }
        }
        out["embeddingsByType"] = Value::Object(by_type);
    }
    Ok(EmbedOutput {
        body: out,
        input_tokens: n,
    })
}

fn cohere(obj: &Map<String, Value>) -> Result<EmbedOutput, ApiError> {
    reject_extra_keys(
        obj,
        &[
            "texts",
            "input_type",
            "truncate",
            "embedding_types",
            "images",
        ],
    )?;
    const INPUT_TYPES: &[&str] = &[
        "search_document",
        "search_query",
        "classification",
        "clustering",
    ];
    match obj.get("input_type") {
        None => return Err(malformed("#: required key [input_type] not found")),
        Some(t) if !t.as_str().is_some_and(|s| INPUT_TYPES.contains(&s)) => {
            return Err(malformed(&format!(
                "#/input_type: {t} is not a valid enum value"
            )));
        }
        Some(_) => {}
    }
    let texts: Vec<&str> = match obj.get("texts").and_then(Value::as_array) {
        Some(a) => a.iter().map(|t| t.as_str().unwrap_or_default()).collect(),
        None => return Err(malformed("#: required key [texts] not found")),
    };
    if texts.len() > 96 {
        return Err(malformed(&format!(
            "#/texts: expected maxItems: 96, actual: {}",
            texts.len()
        )));
    }
    if let Some((i, t)) = texts
        .iter()
        .enumerate()
        .find(|(_, t)| t.chars().count() > 2048)
    {
        return Err(malformed(&format!(
            "#/texts/{i}: expected maxLength: 2048, actual: {}",
            t.chars().count()
        )));
    }
    let vectors: Vec<Vec<f32>> = texts.iter().map(|t| vector(t, 1024, true)).collect();
    let input_tokens = texts.iter().map(|t| tokens(t.chars().count())).sum();
    let id = uuid::Uuid::new_v4().to_string();
    let body = match obj.get("embedding_types").and_then(Value::as_array) {
        None => {
            json!({"id": id, "texts": texts, "embeddings": vectors, "response_type": "embeddings_floats"})
        }
        Some(types) => {
            let mut by_type = Map::new();
            for t in types {
                let name = t.as_str().unwrap_or_default();
                let value = match name {
                    "float" => json!(vectors),
                    "int8" => json!(map_all(&vectors, |x| (x * 127.0).round() as i32)),
                    "uint8" => json!(map_all(&vectors, |x| ((x + 1.0) * 127.5).round() as i32)),
                    "binary" | "ubinary" => json!(pack_bits(&vectors, name == "binary")),
                    _ => {
                        return Err(malformed(&format!(
                            "#/embedding_types: {t} is not a valid enum value"
                        )));
                    }
                };
                by_type.insert(name.to_owned(), value);
            }
            json!({"id": id, "texts": texts, "embeddings": by_type, "response_type": "embeddings_by_type"})
        }
    };
    Ok(EmbedOutput { body, input_tokens })
}

fn map_all(vectors: &[Vec<f32>], f: impl Fn(f32) -> i32) -> Vec<Vec<i32>> {
    vectors
        .iter()
        .map(|v| v.iter().map(|x| f(*x)).collect())
        .collect()
}

/// Packs sign bits 8 per value, as Cohere's `binary` (signed) and `ubinary` types do.
fn pack_bits(vectors: &[Vec<f32>], signed: bool) -> Vec<Vec<i32>> {
    vectors
        .iter()
        .map(|v| {
            v.chunks(8)
                .map(|c| {
                    let byte = c.iter().enumerate().fold(0u8, |acc, (i, x)| {
                        if *x > 0.0 { acc | (0x80 >> i) } else { acc }
                    });
                    if signed {
                        i32::from(byte) - 128
                    } else {
                        i32::from(byte)
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titan_v2_defaults_and_limits() {
        let out = invoke(
            "amazon.titan-embed-text-v2:0",
            &json!({"inputText":"hello"}),
        )
        .expect("ok");
        let v = out.body["embedding"].as_array().expect("vector");
        assert_eq!(v.len(), 1024);
        let norm: f64 = v.iter().map(|x| x.as_f64().expect("f").powi(2)).sum();
        assert!((norm - 1.0).abs() < 1e-3);
        assert_eq!(out.body["inputTextTokenCount"], 2);
        let err = invoke(
            "amazon.titan-embed-text-v2:0",
            &json!({"inputText":"x","dimensions":100}),
        );
        assert!(
            err.err()
                .expect("rejected")
                .message
                .contains("#/dimensions")
        );
        assert!(invoke("amazon.titan-embed-text-v2:0", &json!({"inputText":""})).is_err());
        assert!(
            invoke(
                "amazon.titan-embed-text-v1",
                &json!({"inputText":"x","dimensions":256})
            )
            .is_err()
        );
    }

    #[test]
    fn vectors_are_deterministic_per_text() {
        assert_eq!(vector("a", 8, true), vector("a", 8, true));
        assert_ne!(vector("a", 8, true), vector("b", 8, true));
    }

    #[test]
    fn cohere_shapes() {
        let out = invoke(
            "cohere.embed-english-v3",
            &json!({"texts":["a","b"],"input_type":"search_query"}),
        )
        .expect("ok");
        assert_eq!(out.body["response_type"], "embeddings_floats");
        assert_eq!(out.body["embeddings"][1].as_array().expect("v").len(), 1024);
        let out = invoke(
            "cohere.embed-english-v3",
            &json!({"texts":["a"],"input_type":"search_query","embedding_types":["int8","binary"]}),
        )
        .expect("ok");
        assert_eq!(
            out.body["embeddings"]["binary"][0]
                .as_array()
                .expect("v")
                .len(),
            128
        );
        assert!(invoke("cohere.embed-english-v3", &json!({"texts":["a"]})).is_err());
    }
}

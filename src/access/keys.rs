//! Client keys: reading them from the request, matching them against the pack's SHA-256
//! digests in constant time, model allow-lists, and minting new keys for `gw keys new`.
//!
//! The plain key lives only in the request and in this module's locals: it is hashed at once
//! and never logged, stored, or echoed in an error.

use axum::http::HeaderMap;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::settings::{KeySecret, KeySpec};

/// A key from the pack, resolved to its digest.
pub struct KeyEntry {
    /// The key's id from the pack, for audit records and messages.
    pub id: String,
    digest: [u8; 32],
    models: Vec<String>,
}

/// Why a pack's key could not be resolved at build time.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("auth key `{id}`: environment variable `{var}` is not set (or empty)")]
    MissingEnv { id: String, var: String },
    #[error("auth key `{id}`: `key_sha256` is not 64 hex digits")]
    BadDigest { id: String },
    #[error("auth key `{id}`: needs `key_sha256` or `key_env`")]
    NoSecret { id: String },
}

impl KeyEntry {
    /// Resolves a pack key: its `key_sha256`, or the SHA-256 of the value of its `key_env`
    /// variable, read now (at pack build).
    pub fn resolve(key: &KeySpec) -> Result<Self, KeyError> {
        let digest = match &key.secret {
            Some(KeySecret::Sha256Hex(hex_digest)) => {
                let mut d = [0u8; 32];
                hex::decode_to_slice(hex_digest.trim(), &mut d)
                    .map_err(|_| KeyError::BadDigest { id: key.id.clone() })?;
                d
            }
            Some(KeySecret::Env(var)) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => digest(&v),
                _ => {
                    return Err(KeyError::MissingEnv {
                        id: key.id.clone(),
                        var: var.clone(),
                    });
                }
            },
            None => {
                return Err(KeyError::NoSecret { id: key.id.clone() });
            }
        };
        Ok(Self {
            id: key.id.clone(),
            digest,
            models: key.models.clone(),
        })
    }

    /// Whether this key may use the client-facing model name `model`.
    pub fn allows(&self, model: &str) -> bool {
        self.models.is_empty() || self.models.iter().any(|g| glob(g, model))
    }
}

/// SHA-256 of a presented key.
pub fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The index of the key whose digest equals `presented`. Every entry is compared, each in
/// constant time (a plain XOR-fold, no early exit; no `subtle` needed), so timing says nothing
/// about which digest bytes matched.
pub fn find(keys: &[KeyEntry], presented: &[u8; 32]) -> Option<usize> {
    let mut found = None;
    for (i, k) in keys.iter().enumerate() {
        let diff = k
            .digest
            .iter()
            .zip(presented)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if std::hint::black_box(diff) == 0 {
            found = Some(i);
        }
    }
    found
}

/// The key a client sent: `Authorization: Bearer <key>`, else `x-api-key: <key>`.
pub fn presented(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    bearer
        .or_else(|| {
            headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        })
        .filter(|k| !k.is_empty())
}

/// `*` matches any run of characters, `?` one character; everything else matches itself.
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A fresh key (`gw-` + 32 random bytes, base64url) and its SHA-256 hex, for `gw keys new`.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    fastrand::fill(&mut bytes);
    // fastrand is not a CSPRNG; mix in the OS-seeded v4 UUID generator's bytes as well.
    for chunk in bytes.chunks_mut(16) {
        let u = uuid::Uuid::new_v4();
        for (b, r) in chunk.iter_mut().zip(u.as_bytes()) {
            *b ^= r;
        }
    }
    let key = format!(
        "gw-{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hex::encode(digest(&key));
    (key, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("bedrock-*", "bedrock-claude"));
        assert!(glob("claude", "claude"));
        assert!(!glob("claude", "claude-us"));
        assert!(glob("*-us", "claude-us"));
        assert!(glob("c?aude*", "claude-eu"));
        assert!(!glob("nova*", "claude"));
        assert!(glob("*", ""));
    }

    #[test]
    fn finds_only_the_exact_digest() {
        let k = |id: &str, secret: &str| KeyEntry {
            id: id.into(),
            digest: digest(secret),
            models: vec![],
        };
        let keys = [k("a", "one"), k("b", "two")];
        assert_eq!(find(&keys, &digest("two")), Some(1));
        assert_eq!(find(&keys, &digest("three")), None);
    }

    #[test]
    fn headers() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert("x-api-key", "k1".parse().unwrap());
        assert_eq!(presented(&h), Some("k1"));
        h.insert("authorization", "Bearer k2".parse().unwrap());
        assert_eq!(presented(&h), Some("k2"));
        h.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(presented(&h), Some("k1"));
    }

    #[test]
    fn generated_keys_are_distinct_and_hash_as_printed() {
        let (a, ha) = generate();
        let (b, _) = generate();
        assert_ne!(a, b);
        assert!(a.starts_with("gw-") && a.len() == 3 + 43, "{a}");
        assert_eq!(ha, hex::encode(Sha256::digest(a.as_bytes())));
    }
}

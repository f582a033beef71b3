//! The on-disk line format that makes the trail tamper-evident.
//!
//! Every line is one JSON object that starts `{"seq":N,"prev":"<hex>","type":"<kind>"` and ends
//! `,"hash":"<hex>"}`. `hash` is the SHA-256 of the line's *canonical form*: the line with that
//! final `,"hash":"…"` member removed. `prev` is the `hash` of the record before it (64 zeros for
//! the first record ever), and `seq` counts up by one. Editing a line breaks its hash; deleting,
//! inserting or reordering lines breaks the next `prev`. Because the fixed prefix and suffix sit
//! at known places, checking a line needs no JSON parse, which keeps `verify` fast.

use sha2::{Digest, Sha256};

/// `prev` of the very first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `,"hash":"` + 64 hex digits + `"}`.
const SUFFIX_LEN: usize = 9 + 64 + 2;

/// Appends one chained line (with its newline) for a JSON object `body` to `out`, returns its hash.
///
/// `body` must be a serialized JSON object (`{…}`); its members follow `seq`, `prev` and `type`.
pub fn encode(seq: u64, prev: &str, kind: &str, body: &[u8], out: &mut Vec<u8>) -> String {
    let start = out.len();
    out.extend_from_slice(b"{\"seq\":");
    out.extend_from_slice(seq.to_string().as_bytes());
    out.extend_from_slice(b",\"prev\":\"");
    out.extend_from_slice(prev.as_bytes());
    out.extend_from_slice(b"\",\"type\":\"");
    out.extend_from_slice(kind.as_bytes());
    out.push(b'"');
    let inner = body
        .strip_prefix(b"{")
        .and_then(|b| b.strip_suffix(b"}"))
        .unwrap_or(b"");
    if !inner.iter().all(u8::is_ascii_whitespace) {
        out.push(b',');
        out.extend_from_slice(inner);
    }
    out.push(b'}');
    let hash = hex::encode(Sha256::digest(&out[start..]));
    out.pop();
    out.extend_from_slice(b",\"hash\":\"");
    out.extend_from_slice(hash.as_bytes());
    out.extend_from_slice(b"\"}\n");
    hash
}

/// What the fixed parts of a line say, and whether its hash holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub seq: u64,
    pub prev: String,
    pub kind: String,
    /// The `hash` the line claims.
    pub hash: String,
    /// Whether the claimed hash is the SHA-256 of the line's canonical form.
    pub intact: bool,
}

/// Reads the chain fields of one line (without its newline). `Err` says why it is not a record.
pub fn check(line: &[u8]) -> Result<Link, &'static str> {
    const NOT_RECORD: &str =
        "not an audit record (the line does not have the chain's fixed layout)";
    let rest = line.strip_prefix(b"{\"seq\":").ok_or(NOT_RECORD)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 20 {
        return Err(NOT_RECORD);
    }
    let seq: u64 = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(NOT_RECORD)?;
    let rest = rest[digits..]
        .strip_prefix(b",\"prev\":\"")
        .ok_or(NOT_RECORD)?;
    let prev = rest.get(..64).filter(|h| is_hex(h)).ok_or(NOT_RECORD)?;
    let rest = rest[64..]
        .strip_prefix(b"\",\"type\":\"")
        .ok_or(NOT_RECORD)?;
    let kind_len = rest.iter().position(|b| *b == b'"').ok_or(NOT_RECORD)?;
    let kind = &rest[..kind_len];
    if line.len() < SUFFIX_LEN + 40 || !line.ends_with(b"\"}") {
        return Err(NOT_RECORD);
    }
    let cut = line.len() - SUFFIX_LEN;
    if &line[cut..cut + 9] != b",\"hash\":\"" {
        return Err(NOT_RECORD);
    }
    let hash = &line[cut + 9..line.len() - 2];
    if !is_hex(hash) {
        return Err(NOT_RECORD);
    }
    let mut h = Sha256::new();
    h.update(&line[..cut]);
    h.update(b"}");
    let computed = h.finalize();
    let mut claimed = [0u8; 32];
    let intact = hex::decode_to_slice(hash, &mut claimed).is_ok() && claimed[..] == computed[..];
    Ok(Link {
        seq,
        prev: String::from_utf8_lossy(prev).into_owned(),
        kind: String::from_utf8_lossy(kind).into_owned(),
        hash: String::from_utf8_lossy(hash).into_owned(),
        intact,
    })
}

fn is_hex(b: &[u8]) -> bool {
    b.len() == 64 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_lines_check_and_chain() {
        let mut out = Vec::new();
        let h0 = encode(0, GENESIS, "request", br#"{"a":1}"#, &mut out);
        let h1 = encode(1, &h0, "seal", b"{}", &mut out);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with(r#"{"seq":0,"prev":"000"#));
        assert!(lines[0].contains(r#""type":"request","a":1,"hash":""#));
        let l0 = check(lines[0].as_bytes()).unwrap();
        let l1 = check(lines[1].as_bytes()).unwrap();
        assert!(l0.intact && l1.intact);
        assert_eq!(
            (l0.hash, l1.prev, l1.hash, l1.kind.as_str()),
            (h0.clone(), h0, h1, "seal")
        );
        serde_json::from_str::<serde_json::Value>(lines[1]).unwrap();
    }

    #[test]
    fn edits_and_garbage_are_caught() {
        let mut out = Vec::new();
        encode(7, GENESIS, "request", br#"{"status":200}"#, &mut out);
        let line = String::from_utf8(out).unwrap();
        let edited = line.trim_end().replace("200", "403");
        assert!(!check(edited.as_bytes()).unwrap().intact);
        assert!(check(b"").is_err());
        assert!(check(b"{\"seq\":1}").is_err());
        assert!(check(&line.as_bytes()[..line.len() / 2]).is_err());
    }
}

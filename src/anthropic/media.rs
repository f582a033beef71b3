//! Inline media for Anthropic blocks: base64 payloads, image formats and document names.
//!
//! Anthropic sends media as `{type: base64, media_type, data}` rather than OpenAI's data URIs, so
//! the OpenAI helpers do not apply as-is; the rules are the same: Bedrock never fetches URLs,
//! JPEGs labelled PNG are relabelled by their magic bytes, and document names are restricted to
//! Bedrock's character set and unique within a request.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;

use crate::ir::ImageFormat;

/// Standard alphabet, padding optional: some clients strip the trailing `=`.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Longest document name gw produces; Bedrock allows 200 and a uniqueness suffix needs room.
const MAX_DOC_NAME: usize = 100;

/// Decodes base64 (whitespace-trimmed); `None` when invalid or empty.
pub(crate) fn decode_base64(data: &str) -> Option<Bytes> {
    let bytes = LENIENT_B64.decode(data.trim()).ok()?;
    (!bytes.is_empty()).then(|| Bytes::from(bytes))
}

/// Encodes opaque bytes (redacted thinking) the way [`decode_base64`] reads them back.
pub(crate) fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The Bedrock image format for a declared media type, corrected by magic bytes when they show
/// another supported format. Unsupported declared types are never relabelled.
pub(crate) fn image_format(media_type: &str, data: &[u8]) -> Option<ImageFormat> {
    let declared = match media_type.to_ascii_lowercase().as_str() {
        "image/png" => ImageFormat::Png,
        "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
        "image/gif" => ImageFormat::Gif,
        "image/webp" => ImageFormat::Webp,
        _ => return None,
    };
    let sniffed = if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if data.starts_with(b"\xff\xd8\xff") {
        Some(ImageFormat::Jpeg)
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else {
        None
    };
    Some(sniffed.unwrap_or(declared))
}

/// Hands out Bedrock-safe document names (alphanumerics, single spaces, `-`, `()`, `[]`),
/// unique within one request.
#[derive(Debug, Default)]
pub(crate) struct DocNames {
    used: HashSet<String>,
    count: usize,
}

impl DocNames {
    /// A name derived from the block's `title`, or `document-N`.
    pub(crate) fn assign(&mut self, title: Option<&str>) -> String {
        self.count += 1;
        let mut base = title.map(sanitise).unwrap_or_default();
        if base.is_empty() {
            base = format!("document-{}", self.count);
        }
        let mut name = base.clone();
        let mut n = 2;
        while !self.used.insert(name.to_ascii_lowercase()) {
            name = format!("{base} ({n})");
            n += 1;
        }
        name
    }
}

/// Keeps Bedrock's allowed characters; every run of anything else becomes one space.
fn sanitise(title: &str) -> String {
    let mut out = String::with_capacity(title.len().min(MAX_DOC_NAME));
    let mut gap = false;
    for c in title.chars() {
        if out.len() >= MAX_DOC_NAME {
            break;
        }
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']') {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_rejects_junk() {
        assert_eq!(&decode_base64(" aGVsbG8 ").unwrap()[..], b"hello");
        assert_eq!(
            decode_base64(&encode_base64(b"\x00\x01")).unwrap(),
            &b"\x00\x01"[..]
        );
        assert!(decode_base64("@@@").is_none());
        assert!(decode_base64("").is_none());
    }

    #[test]
    fn images_follow_type_then_magic() {
        assert_eq!(image_format("image/PNG", b"xx"), Some(ImageFormat::Png));
        assert_eq!(
            image_format("image/png", b"\xff\xd8\xff\xe0"),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(image_format("image/bmp", b"\x89PNG\r\n\x1a\n"), None);
    }

    #[test]
    fn document_names_are_safe_and_unique() {
        let mut d = DocNames::default();
        assert_eq!(d.assign(Some("Q3 report.pdf")), "Q3 report pdf");
        assert_eq!(d.assign(Some("Q3 report!pdf")), "Q3 report pdf (2)");
        assert_eq!(d.assign(None), "document-3");
    }
}

//! Inline media for Anthropic blocks: Anthropic sends `{type: base64, media_type, data}` rather
//! than OpenAI's data URIs, so only the base64 step is its own; image formats and document names
//! follow the same rules as every front door (`crate::media`).

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;

/// Standard alphabet, padding optional: some clients strip the trailing `=`.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64 (whitespace-trimmed); `None` when invalid or empty.
pub(crate) fn decode_base64(data: &str) -> Option<Bytes> {
    let bytes = LENIENT_B64.decode(data.trim()).ok()?;
    (!bytes.is_empty()).then(|| Bytes::from(bytes))
}

/// Encodes opaque bytes (redacted thinking) the way [`decode_base64`] reads them back.
pub(crate) fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub(crate) use crate::media::{DocNames, image_format};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ImageFormat;

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
        assert_eq!(d.assign(Some("Q3 report.pdf")), "Q3 report");
        assert_eq!(d.assign(Some("Q3 report")), "Q3 report (2)");
        assert_eq!(d.assign(None), "document-3");
    }
}

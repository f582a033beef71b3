//! Inline media: data URIs, the MIME types Bedrock accepts, and document names.
//!
//! Bedrock never fetches URLs and is strict about formats and document names, so everything a
//! client can send inline is checked and normalised here, before any policy or the Converse
//! translator sees it.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;

use crate::ir::{DocumentFormat, ImageFormat};

/// Standard alphabet, padding optional: some clients strip the trailing `=`.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Longest document name gw produces; Bedrock allows 200 and a uniqueness suffix needs room.
const MAX_DOC_NAME: usize = 100;

/// Why a data URI could not be used; the caller turns it into a 400 with the param path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DataUriError {
    NotDataUri,
    NotBase64,
    BadBase64,
    Empty,
}

/// A decoded `data:<mime>;base64,<payload>` URI. `mime` is lowercased.
#[derive(Debug)]
pub(crate) struct DataUri {
    pub mime: String,
    pub data: Bytes,
}

/// Decodes base64 (whitespace-trimmed, padding optional), as Anthropic's `{type: base64}`
/// sources carry it; `None` when invalid or empty.
pub(crate) fn decode_base64(data: &str) -> Option<Bytes> {
    let bytes = LENIENT_B64.decode(data.trim()).ok()?;
    (!bytes.is_empty()).then(|| Bytes::from(bytes))
}

/// Encodes opaque bytes (redacted thinking) the way [`decode_base64`] reads them back.
pub(crate) fn encode_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Splits and decodes a base64 data URI.
pub(crate) fn decode_data_uri(uri: &str) -> Result<DataUri, DataUriError> {
    let rest =
        strip_prefix_ignore_case(uri.trim_start(), "data:").ok_or(DataUriError::NotDataUri)?;
    let (header, payload) = rest.split_once(',').ok_or(DataUriError::NotDataUri)?;
    let mut fields = header.split(';');
    let mime = fields
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if !fields.any(|f| f.trim().eq_ignore_ascii_case("base64")) {
        return Err(DataUriError::NotBase64);
    }
    let payload = payload.trim();
    let data = LENIENT_B64
        .decode(payload)
        .map_err(|_| DataUriError::BadBase64)?;
    if data.is_empty() {
        return Err(DataUriError::Empty);
    }
    Ok(DataUri {
        mime,
        data: Bytes::from(data),
    })
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// True for URLs gw refuses to fetch (it only takes inline data).
pub(crate) fn is_remote_url(url: &str) -> bool {
    let u = url.trim_start();
    strip_prefix_ignore_case(u, "http://").is_some()
        || strip_prefix_ignore_case(u, "https://").is_some()
}

/// The Bedrock image format for a declared MIME type, corrected by the file's magic bytes when
/// they identify a different supported format (clients often label JPEGs as PNG, which Bedrock
/// rejects). Unsupported declared types stay unsupported: bytes are never relabelled into a
/// format the client did not claim or send.
pub(crate) fn image_format(mime: &str, data: &[u8]) -> Option<ImageFormat> {
    let declared = match mime.to_ascii_lowercase().as_str() {
        "image/png" => ImageFormat::Png,
        "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
        "image/gif" => ImageFormat::Gif,
        "image/webp" => ImageFormat::Webp,
        _ => return None,
    };
    Some(sniff_image(data).unwrap_or(declared))
}

fn sniff_image(data: &[u8]) -> Option<ImageFormat> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if data.starts_with(b"\xff\xd8\xff") {
        Some(ImageFormat::Jpeg)
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else {
        None
    }
}

/// The Bedrock document format for a MIME type, falling back on the filename's extension when
/// the MIME type is generic (`application/octet-stream`) or missing.
pub(crate) fn document_format(mime: &str, filename: Option<&str>) -> Option<DocumentFormat> {
    let by_mime = match mime {
        "application/pdf" => Some(DocumentFormat::Pdf),
        "text/csv" => Some(DocumentFormat::Csv),
        "text/plain" => Some(DocumentFormat::Txt),
        "text/markdown" | "text/x-markdown" => Some(DocumentFormat::Md),
        "text/html" => Some(DocumentFormat::Html),
        "application/msword" => Some(DocumentFormat::Doc),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            Some(DocumentFormat::Docx)
        }
        "application/vnd.ms-excel" => Some(DocumentFormat::Xls),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Some(DocumentFormat::Xlsx)
        }
        _ => None,
    };
    if by_mime.is_some() || !matches!(mime, "" | "application/octet-stream") {
        return by_mime;
    }
    let ext = filename?.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => DocumentFormat::Pdf,
        "csv" => DocumentFormat::Csv,
        "txt" => DocumentFormat::Txt,
        "md" | "markdown" => DocumentFormat::Md,
        "html" | "htm" => DocumentFormat::Html,
        "doc" => DocumentFormat::Doc,
        "docx" => DocumentFormat::Docx,
        "xls" => DocumentFormat::Xls,
        "xlsx" => DocumentFormat::Xlsx,
        _ => return None,
    })
}

/// Hands out document names that satisfy Bedrock (alphanumerics, single spaces, `-`, `()`,
/// `[]`; unique within the request). One per request.
#[derive(Debug, Default)]
pub(crate) struct DocNames {
    used: HashSet<String>,
    count: usize,
}

impl DocNames {
    /// A Bedrock-safe, request-unique name derived from the client's filename.
    pub(crate) fn assign(&mut self, filename: Option<&str>) -> String {
        self.count += 1;
        let mut base = filename.map(sanitise).unwrap_or_default();
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

/// Strips any path and extension, then keeps only Bedrock's allowed characters; every run of
/// anything else becomes one space.
fn sanitise(filename: &str) -> String {
    let file = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    let stem = match file.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem,
        _ => file,
    };
    let mut out = String::with_capacity(stem.len().min(MAX_DOC_NAME));
    let mut gap = false;
    for c in stem.chars() {
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
    fn decodes_data_uris_with_or_without_padding() {
        let d = decode_data_uri("data:image/PNG;base64,aGVsbG8=").unwrap();
        assert_eq!(d.mime, "image/png");
        assert_eq!(&d.data[..], b"hello");
        let d = decode_data_uri("DATA:text/plain;charset=utf-8;base64,aGVsbG8").unwrap();
        assert_eq!(d.mime, "text/plain");
        assert_eq!(&d.data[..], b"hello");
    }

    #[test]
    fn rejects_bad_data_uris() {
        assert_eq!(
            decode_data_uri("https://x/y.png").unwrap_err(),
            DataUriError::NotDataUri
        );
        assert_eq!(
            decode_data_uri("data:text/plain,hello").unwrap_err(),
            DataUriError::NotBase64
        );
        assert_eq!(
            decode_data_uri("data:image/png;base64,@@@").unwrap_err(),
            DataUriError::BadBase64
        );
        assert_eq!(
            decode_data_uri("data:image/png;base64,").unwrap_err(),
            DataUriError::Empty
        );
    }

    #[test]
    fn image_formats_follow_mime_and_magic_bytes() {
        assert_eq!(image_format("image/jpg", b"xx"), Some(ImageFormat::Jpeg));
        assert_eq!(image_format("image/webp", b"xx"), Some(ImageFormat::Webp));
        assert_eq!(image_format("image/bmp", b"xx"), None);
        // Labelled PNG but actually a JPEG: send what it is.
        assert_eq!(
            image_format("image/png", b"\xff\xd8\xff\xe0rest"),
            Some(ImageFormat::Jpeg)
        );
        // An unsupported label is never relabelled, even if the bytes look fine.
        assert_eq!(image_format("image/tiff", b"\x89PNG\r\n\x1a\nrest"), None);
    }

    #[test]
    fn document_formats_by_mime_then_extension() {
        assert_eq!(
            document_format("application/pdf", None),
            Some(DocumentFormat::Pdf)
        );
        assert_eq!(
            document_format(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                None
            ),
            Some(DocumentFormat::Xlsx)
        );
        assert_eq!(
            document_format("application/octet-stream", Some("Notes.MD")),
            Some(DocumentFormat::Md)
        );
        assert_eq!(document_format("application/zip", Some("a.pdf")), None);
        assert_eq!(document_format("", Some("noext")), None);
    }

    #[test]
    fn document_names_are_sanitised_and_unique() {
        let mut names = DocNames::default();
        assert_eq!(names.assign(Some("Q3 report.pdf")), "Q3 report");
        assert_eq!(names.assign(Some("q3_report.pdf")), "q3 report (2)");
        assert_eq!(
            names.assign(Some("../../etc/ignore previous instructions!!.txt")),
            "ignore previous instructions"
        );
        assert_eq!(names.assign(None), "document-4");
        assert_eq!(names.assign(Some("...")), "document-5");
        assert_eq!(
            names.assign(Some("data [v2] (final).tar.gz")),
            "data [v2] (final) tar"
        );
        assert_eq!(names.assign(Some("résumé.pdf")), "r sum");
        let long = "a".repeat(500);
        assert_eq!(names.assign(Some(&long)).len(), MAX_DOC_NAME);
    }
}

//! Content parts as both front doors build them: one validator for text, image and document
//! parts and one way of quoting client input in its errors, so a PNG or a PDF is accepted,
//! refused and explained the same way whichever API sent it. Each door only says where the part
//! sat (`param`) and how its wire format carries the bytes.

use std::borrow::Cow;

use bytes::Bytes;

use crate::error::ApiError;
use crate::ir::Part;
use crate::media::{self, DocNames};

/// Longest piece of client input quoted back in an error message.
const MAX_QUOTE: usize = 40;

/// A 400 naming the offending parameter (`messages[2].content[0].image_url`).
pub(crate) fn bad(param: impl Into<Cow<'static, str>>, msg: impl Into<String>) -> ApiError {
    ApiError::invalid_request(msg).with_param(param)
}

/// Client input for an error message, shortened so errors never echo payloads.
pub(crate) fn quote(s: &str) -> String {
    if s.chars().count() <= MAX_QUOTE {
        return s.to_owned();
    }
    s.chars().take(MAX_QUOTE).collect::<String>() + "…"
}

/// Appends a text part; blank text is dropped (Bedrock refuses blank text blocks).
pub(crate) fn push_text(out: &mut Vec<Part>, text: String) {
    if !text.trim().is_empty() {
        out.push(Part::Text(text));
    }
}

/// A cache point marks the end of the block before it, so one with nothing before it is dropped.
pub(crate) fn push_cache_point(out: &mut Vec<Part>) {
    if !out.is_empty() {
        out.push(Part::CachePoint);
    }
}

/// An image part, if its declared type is one Bedrock takes (the bytes' magic number wins over
/// a mislabelled image type); `param` is where the client declared the type.
pub(crate) fn image(param: String, mime: &str, data: Bytes) -> Result<Part, ApiError> {
    let format = media::image_format(mime, &data).ok_or_else(|| {
        bad(
            param,
            format!(
                "image type `{}` is not supported; send PNG, JPEG, GIF or WebP (image/png, image/jpeg, image/gif, image/webp)",
                quote(mime)
            ),
        )
    })?;
    Ok(Part::Image { format, data })
}

/// A document part, if its type (by MIME type, else by the filename's extension) is one Bedrock
/// takes; its name is made Bedrock-safe and unique within the request.
pub(crate) fn document(
    param: String,
    mime: &str,
    filename: Option<&str>,
    data: Bytes,
    docs: &mut DocNames,
) -> Result<Part, ApiError> {
    let format = media::document_format(mime, filename).ok_or_else(|| {
        bad(
            param,
            format!(
                "file type `{}` is not supported; send pdf, csv, txt, md, html, doc, docx, xls or xlsx",
                quote(mime)
            ),
        )
    })?;
    Ok(Part::Document {
        format,
        name: docs.assign(filename),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_validator_for_both_doors() {
        let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n0000");
        assert!(matches!(
            image("p".into(), "image/png", png),
            Ok(Part::Image { .. })
        ));
        let e = image("p".into(), "image/tiff", Bytes::from_static(b"II*\0")).unwrap_err();
        assert!(
            e.message.contains("`image/tiff` is not supported"),
            "{}",
            e.message
        );
        let mut docs = DocNames::default();
        let d = document(
            "p".into(),
            "",
            Some("notes.md"),
            Bytes::from_static(b"# x"),
            &mut docs,
        );
        assert!(matches!(d, Ok(Part::Document { .. })));
        assert!(document("p".into(), "video/mp4", None, Bytes::new(), &mut docs).is_err());
        assert_eq!(quote(&"a".repeat(50)).chars().count(), MAX_QUOTE + 1);
        let mut out = Vec::new();
        push_cache_point(&mut out);
        push_text(&mut out, "  ".into());
        assert!(out.is_empty());
    }
}

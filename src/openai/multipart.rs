//! `multipart/form-data` bodies (image edits, file uploads): every part read whole, in order.

use bytes::Bytes;

use crate::error::ApiError;

/// One part of a form: its field name, the file name when it carries one, and its bytes.
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Bytes,
}

/// Every part of `body`; `door` names the endpoint in the error for a missing boundary.
pub async fn parts(content_type: &str, body: Bytes, door: &str) -> Result<Vec<Part>, ApiError> {
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        ApiError::invalid_request(format!(
            "{door} takes `multipart/form-data` with a boundary"
        ))
    })?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let unreadable =
        |e: multer::Error| ApiError::invalid_request(format!("unreadable multipart body: {e}"));
    let mut out = Vec::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(unreadable)?;
        out.push(Part {
            name,
            file_name,
            data,
        });
    }
    Ok(out)
}

//! `POST /v1/images/generations` (JSON) and `POST /v1/images/edits` (multipart): validation into
//! an [`ImageJob`] plus the prompts, and the reply. gw hosts no files, so images always come back
//! as `b64_json` (the default here); `response_format: url` is refused.
//!
//! gw extensions: `negative_prompt`, `seed`, `cfg_scale`, and for edits `mask_prompt` (what to
//! repaint, instead of a mask image).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::ir::{ImageEdit, ImageJob, ImageQuality};

/// `POST /v1/images/generations` body; unknown fields are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImagesRequest {
    pub model: String,
    pub prompt: String,
    pub n: Option<u32>,
    pub size: Option<String>,
    pub quality: Option<String>,
    pub response_format: Option<String>,
    pub style: Option<String>,
    /// Accepted and unused: Bedrock image models take no end-user id.
    pub user: Option<String>,
    pub negative_prompt: Option<String>,
    pub seed: Option<u32>,
    pub cfg_scale: Option<f64>,
}

/// What the image doors hand the pipeline: the prompts (policed like a user turn) and the job.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePrompt {
    pub model: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub job: ImageJob,
}

fn bad(param: &str, msg: impl Into<String>) -> ApiError {
    ApiError::invalid_request(msg).with_param(param.to_string())
}

/// Validates a generation request; every error is a 400 naming the parameter.
pub fn parse_generation(req: ImagesRequest) -> Result<ImagePrompt, ApiError> {
    if req.model.trim().is_empty() {
        return Err(bad("model", "`model` is required"));
    }
    if req.prompt.trim().is_empty() {
        return Err(bad("prompt", "`prompt` must not be empty"));
    }
    response_format(req.response_format.as_deref())?;
    if let Some(s) = req.style.as_deref()
        && s != "vivid"
        && s != "natural"
    {
        return Err(bad(
            "style",
            format!("`style` `{s}` is not `vivid` or `natural`"),
        ));
    }
    let job = ImageJob {
        n: count(req.n)?,
        size: size(req.size.as_deref())?,
        quality: quality(req.quality.as_deref())?,
        seed: req.seed,
        cfg_scale: cfg_scale(req.cfg_scale)?,
        edit: None,
    };
    Ok(ImagePrompt {
        model: req.model,
        prompt: req.prompt,
        negative_prompt: req.negative_prompt.filter(|n| !n.trim().is_empty()),
        job,
    })
}

/// `b64_json` (or absent); `url` is refused: gw hosts no files.
fn response_format(f: Option<&str>) -> Result<(), ApiError> {
    match f {
        None | Some("b64_json") => Ok(()),
        Some("url") => Err(bad(
            "response_format",
            "`response_format: url` is not supported: gw hosts no files; ask for `b64_json`",
        )),
        Some(other) => Err(bad(
            "response_format",
            format!("`response_format` `{other}` is not `b64_json`"),
        )),
    }
}

fn count(n: Option<u32>) -> Result<u32, ApiError> {
    match n.unwrap_or(1) {
        n @ 1..=10 => Ok(n),
        n => Err(bad("n", format!("`n` is {n}; it must be 1 to 10"))),
    }
}

/// `WIDTHxHEIGHT`, or `auto` / absent for the model's default.
fn size(s: Option<&str>) -> Result<Option<(u32, u32)>, ApiError> {
    let Some(s) = s.filter(|s| *s != "auto") else {
        return Ok(None);
    };
    s.split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .filter(|(w, h): &(u32, u32)| *w > 0 && *h > 0)
        .map(Some)
        .ok_or_else(|| {
            bad(
                "size",
                format!("`size` `{s}` is not `WIDTHxHEIGHT` (e.g. `1024x1024`)"),
            )
        })
}

fn quality(q: Option<&str>) -> Result<ImageQuality, ApiError> {
    match q.unwrap_or("standard") {
        "standard" | "auto" | "low" | "medium" => Ok(ImageQuality::Standard),
        "hd" | "high" | "premium" => Ok(ImageQuality::Premium),
        other => Err(bad(
            "quality",
            format!("`quality` `{other}` is not `standard` or `hd`"),
        )),
    }
}

fn cfg_scale(c: Option<f64>) -> Result<Option<f64>, ApiError> {
    match c {
        Some(c) if !(1.1..=10.0).contains(&c) => Err(bad(
            "cfg_scale",
            format!("`cfg_scale` {c} is not between 1.1 and 10"),
        )),
        c => Ok(c),
    }
}

/// The text fields and files of an edit's multipart form, as read.
#[derive(Debug, Default)]
pub struct EditForm {
    pub fields: Vec<(String, String)>,
    pub image: Option<Vec<u8>>,
    pub mask: Option<Vec<u8>>,
}

impl EditForm {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a `multipart/form-data` edit body (`image` or `image[]`, optional `mask`, text fields).
pub async fn read_edit_form(content_type: &str, body: bytes::Bytes) -> Result<EditForm, ApiError> {
    let mut out = EditForm::default();
    for part in super::multipart::parts(content_type, body, "images/edits").await? {
        let (name, data) = (part.name, part.data);
        match name.as_str() {
            "image" | "image[]" if out.image.is_none() => out.image = Some(data.to_vec()),
            "image" | "image[]" => {
                return Err(bad(
                    "image",
                    "one `image` at a time: Bedrock edits one image per call",
                ));
            }
            "mask" => out.mask = Some(data.to_vec()),
            _ => out
                .fields
                .push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    Ok(out)
}

/// Validates an edit form into the prompts and an inpainting job.
pub fn parse_edit(form: EditForm) -> Result<ImagePrompt, ApiError> {
    let model = form.field("model").unwrap_or_default().to_string();
    if model.trim().is_empty() {
        return Err(bad("model", "`model` is required"));
    }
    let prompt = form.field("prompt").unwrap_or_default().to_string();
    if prompt.trim().is_empty() {
        return Err(bad("prompt", "`prompt` must not be empty"));
    }
    response_format(form.field("response_format"))?;
    let image = form
        .image
        .as_deref()
        .ok_or_else(|| bad("image", "`image` (a PNG or JPEG file) is required"))?;
    if !(image.starts_with(b"\x89PNG") || image.starts_with(b"\xff\xd8")) {
        return Err(bad("image", "`image` must be a PNG or JPEG file"));
    }
    let mask_prompt = form.field("mask_prompt").map(str::to_string);
    if form.mask.is_some() == mask_prompt.is_some() {
        return Err(bad(
            "mask",
            "give either a `mask` image (transparent where to repaint) or a `mask_prompt` naming what to repaint",
        ));
    }
    if let Some(m) = &form.mask
        && !m.starts_with(b"\x89PNG")
    {
        return Err(bad("mask", "`mask` must be a PNG file"));
    }
    let number = |name: &str| -> Result<Option<u32>, ApiError> {
        form.field(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| bad(name, format!("`{name}` must be a whole number")))
            })
            .transpose()
    };
    let cfg = form
        .field("cfg_scale")
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| bad("cfg_scale", "`cfg_scale` must be a number"))
        })
        .transpose()?;
    let job = ImageJob {
        n: count(number("n")?)?,
        size: size(form.field("size"))?,
        quality: quality(form.field("quality"))?,
        seed: number("seed")?,
        cfg_scale: cfg_scale(cfg)?,
        edit: Some(ImageEdit {
            image: STANDARD.encode(image),
            mask_image: form.mask.as_deref().map(|m| STANDARD.encode(m)),
            mask_prompt,
        }),
    };
    Ok(ImagePrompt {
        model,
        prompt,
        negative_prompt: form
            .field("negative_prompt")
            .map(str::to_string)
            .filter(|n| !n.trim().is_empty()),
        job,
    })
}

/// The reply body: `{"created", "data": [{"b64_json"}]}`.
#[derive(Debug, Clone, Serialize)]
pub struct ImagesResponse {
    pub created: u64,
    pub data: Vec<ImageData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageData {
    pub b64_json: String,
}

/// The reply for `images` (base64 PNGs).
pub fn images_response(created: u64, images: Vec<String>) -> ImagesResponse {
    ImagesResponse {
        created,
        data: images
            .into_iter()
            .map(|b64_json| ImageData { b64_json })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: serde_json::Value) -> Result<ImagePrompt, ApiError> {
        parse_generation(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn generation_defaults_and_refusals() {
        let p = req(serde_json::json!({"model": "m", "prompt": "a fox"})).unwrap();
        assert_eq!(p.job.n, 1);
        assert_eq!(p.job.size, None);
        let p = req(serde_json::json!({"model": "m", "prompt": "a fox", "size": "1024x768", "n": 2, "quality": "hd"})).unwrap();
        assert_eq!(
            (p.job.n, p.job.size, p.job.quality),
            (2, Some((1024, 768)), ImageQuality::Premium)
        );
        let e = req(serde_json::json!({"model": "m", "prompt": "a fox", "response_format": "url"}))
            .unwrap_err();
        assert!(e.message.contains("hosts no files"), "{}", e.message);
        let e = req(serde_json::json!({"model": "m", "prompt": "x", "size": "big"})).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("size"));
        let e = req(serde_json::json!({"model": "m", "prompt": "x", "n": 11})).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("n"));
    }
}

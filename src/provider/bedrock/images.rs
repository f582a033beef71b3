//! `/v1/images/*` through InvokeModel: Nova Canvas and Titan Image Generator take
//! `TEXT_IMAGE` (and Nova `INPAINTING`) with `imageGenerationConfig`; Stability models take a
//! prompt and an aspect ratio and return one image per call, so `n > 1` fans out in parallel.
//! A content-filter refusal (Bedrock's ValidationException, or Stability's 200 with a filter
//! `finish_reasons`) becomes OpenAI's `content_policy_violation`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::future::try_join_all;
use serde_json::{Value, json};

use super::BedrockProvider;
use super::invoke::{self, invoke_json};
use crate::error::ApiError;
use crate::provider::{ImageCall, Images, ProviderError};

/// What an unreadable reply is called in errors.
const WHAT: &str = "an image response";

/// Stability's aspect ratios, as `(w, h, name)`.
const RATIOS: &[(u32, u32, &str)] = &[
    (16, 9, "16:9"),
    (1, 1, "1:1"),
    (21, 9, "21:9"),
    (2, 3, "2:3"),
    (3, 2, "3:2"),
    (4, 5, "4:5"),
    (5, 4, "5:4"),
    (9, 16, "9:16"),
    (9, 21, "9:21"),
];

/// Which body an image model takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ImageFamily {
    NovaCanvas,
    TitanImage,
    Stability,
}

/// The family of a Bedrock model id (with or without a geographic prefix or an ARN).
pub fn family(model: &str) -> Option<ImageFamily> {
    let bare = model.rsplit('/').next().unwrap_or(model);
    if bare.contains("amazon.nova-canvas") {
        Some(ImageFamily::NovaCanvas)
    } else if bare.contains("amazon.titan-image-generator") {
        Some(ImageFamily::TitanImage)
    } else if bare.contains("stability.") {
        Some(ImageFamily::Stability)
    } else {
        None
    }
}

pub async fn generate(p: &BedrockProvider, call: &ImageCall) -> Result<Images, ProviderError> {
    let fam = family(&p.model).ok_or_else(|| {
        ProviderError::from(
            ApiError::invalid_request(format!(
                "target `{}` (model `{}`) is not an image model gw knows; use Nova Canvas, Titan Image Generator or a Stability model",
                p.target_id, p.model
            ))
            .with_param("model")
            .with_code("model_not_image"),
        )
    })?;
    if call.job.edit.is_some() && fam != ImageFamily::NovaCanvas {
        return Err(ApiError::invalid_request(format!(
            "model `{}` cannot edit images; edits go to Amazon Nova Canvas (`amazon.nova-canvas-v1:0`)",
            p.model
        ))
        .with_param("model")
        .into());
    }
    let images = match fam {
        ImageFamily::Stability => {
            let body = stability_body(call)?;
            let calls = (0..call.job.n).map(|i| {
                let mut b = body.clone();
                if let Some(seed) = call.job.seed {
                    b["seed"] = json!(seed.wrapping_add(i));
                }
                invoke(p, b)
            });
            let mut out = Vec::new();
            for reply in try_join_all(calls).await? {
                if let Some(reason) = reply["finish_reasons"][0].as_str() {
                    return Err(content_policy(reason).into());
                }
                out.extend(strings(&reply["images"]));
            }
            out
        }
        _ => {
            let reply = invoke(p, canvas_body(call)).await?;
            strings(&reply["images"])
        }
    };
    if images.len() != call.job.n as usize {
        return Err(bad_body(p));
    }
    Ok(Images { images })
}

/// The Nova Canvas / Titan body: `TEXT_IMAGE`, or `INPAINTING` for an edit.
fn canvas_body(call: &ImageCall) -> Value {
    let job = &call.job;
    let mut config = json!({ "numberOfImages": job.n, "quality": job.quality.as_str() });
    if let Some((w, h)) = job.size.filter(|_| job.edit.is_none()) {
        config["width"] = json!(w);
        config["height"] = json!(h);
    }
    if let Some(seed) = job.seed {
        config["seed"] = json!(seed);
    }
    if let Some(c) = job.cfg_scale {
        config["cfgScale"] = json!(c);
    }
    let mut params = json!({ "text": call.prompt });
    if let Some(n) = &call.negative {
        params["negativeText"] = json!(n);
    }
    match &job.edit {
        None => json!({ "taskType": "TEXT_IMAGE", "textToImageParams": params,
            "imageGenerationConfig": config }),
        Some(edit) => {
            params["image"] = json!(edit.image);
            if let Some(m) = &edit.mask_image {
                params["maskImage"] = json!(nova_mask(m));
            }
            if let Some(m) = &edit.mask_prompt {
                params["maskPrompt"] = json!(m);
            }
            json!({ "taskType": "INPAINTING", "inPaintingParams": params,
                "imageGenerationConfig": config })
        }
    }
}

/// OpenAI marks what to repaint with transparent pixels; Nova Canvas with black ones (white is
/// kept). A mask with an alpha channel is redrawn that way; one without is passed as it is.
fn nova_mask(b64: &str) -> String {
    let Ok(bytes) = STANDARD.decode(b64) else {
        return b64.to_string();
    };
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let Ok(mut reader) = decoder.read_info() else {
        return b64.to_string();
    };
    let (color, depth) = reader.output_color_type();
    if color != png::ColorType::Rgba || depth != png::BitDepth::Eight {
        return b64.to_string();
    }
    let Some(size) = reader.output_buffer_size() else {
        return b64.to_string();
    };
    let mut buf = vec![0; size];
    let Ok(info) = reader.next_frame(&mut buf) else {
        return b64.to_string();
    };
    let rgb: Vec<u8> = buf[..info.buffer_size()]
        .chunks_exact(4)
        .flat_map(|px| {
            if px[3] == 0 {
                [0, 0, 0]
            } else {
                [255, 255, 255]
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, info.width, info.height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let written = enc
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb));
    match written {
        Ok(()) => STANDARD.encode(out),
        Err(_) => b64.to_string(),
    }
}

/// The Stability body; `size` becomes the closest aspect ratio (within 3%) or a 400 listing them.
fn stability_body(call: &ImageCall) -> Result<Value, ProviderError> {
    let mut body =
        json!({ "prompt": call.prompt, "mode": "text-to-image", "output_format": "png" });
    if let Some((w, h)) = call.job.size {
        let want = f64::from(w) / f64::from(h);
        let Some(&(_, _, name)) = RATIOS.iter().find(|(rw, rh, _)| {
            let r = f64::from(*rw) / f64::from(*rh);
            (r - want).abs() / r < 0.03
        }) else {
            let names: Vec<&str> = RATIOS.iter().map(|r| r.2).collect();
            return Err(ApiError::invalid_request(format!(
                "`size` {w}x{h} matches no aspect ratio Stability models take ({}); e.g. 1024x1024 or 1344x768",
                names.join(", ")
            ))
            .with_param("size")
            .into());
        };
        body["aspect_ratio"] = json!(name);
    }
    if let Some(n) = &call.negative {
        body["negative_prompt"] = json!(n);
    }
    if let Some(seed) = call.job.seed {
        body["seed"] = json!(seed);
    }
    Ok(body)
}

/// One image call; Bedrock's content-filter refusal becomes OpenAI's.
async fn invoke(p: &BedrockProvider, body: Value) -> Result<Value, ProviderError> {
    invoke_json(p, &body, None, WHAT).await.map_err(|e| {
        if e.api.message.contains("content filters") {
            content_policy(&e.api.message).into()
        } else {
            e
        }
    })
}

/// OpenAI's refusal for a prompt or image the model's filters blocked.
fn content_policy(detail: &str) -> ApiError {
    ApiError::invalid_request(format!(
        "the image request was refused by the model's content filters ({detail})"
    ))
    .with_code("content_policy_violation")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn bad_body(p: &BedrockProvider) -> ProviderError {
    invoke::bad_body(p, WHAT)
}

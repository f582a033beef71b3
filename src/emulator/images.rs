//! InvokeModel for image models: Amazon Nova Canvas (text-to-image and inpainting), Titan Image
//! Generator v1/v2 (text-to-image) and Stability AI (SD3.5 Large, Stable Image Core and Ultra).
//!
//! Each family's request is checked the way Bedrock checks it (sizes, image counts, prompt
//! lengths, required fields), and the reply carries real PNGs: a solid colour taken from the
//! prompt's hash, at the size asked (or the edited image's size), with the request written into a
//! `tEXt` chunk (`gw-emulator`) so a test can read back what was asked. A prompt containing
//! `gw-emulator: filter` is refused as Bedrock's content filter refuses: a ValidationException for
//! Nova and Titan, a 200 with a `finish_reasons` filter reason and no image for Stability.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::wire::ApiError;

/// What triggers the emulated content filter.
pub const FILTER_MARKER: &str = "gw-emulator: filter";

/// Titan Image Generator's accepted `width x height` pairs.
pub const TITAN_SIZES: &[(u32, u32)] = &[
    (1024, 1024),
    (768, 768),
    (512, 512),
    (768, 1152),
    (384, 576),
    (1152, 768),
    (576, 384),
    (768, 1280),
    (384, 640),
    (1280, 768),
    (640, 384),
    (896, 1152),
    (448, 576),
    (1152, 896),
    (576, 448),
    (768, 1408),
    (384, 704),
    (1408, 768),
    (704, 384),
    (640, 1408),
    (320, 704),
    (1408, 640),
    (704, 320),
    (1152, 640),
    (1173, 640),
];

/// Stability's `aspect_ratio` values.
pub const STABILITY_RATIOS: &[&str] = &[
    "16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21",
];

/// Whether `base_model` is an image model the emulator serves.
pub(crate) fn serves(base_model: &str) -> bool {
    family(base_model).is_some()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Nova,
    Titan,
    Stability,
}

fn family(base_model: &str) -> Option<Family> {
    if base_model.starts_with("amazon.nova-canvas") {
        Some(Family::Nova)
    } else if base_model.starts_with("amazon.titan-image-generator") {
        Some(Family::Titan)
    } else if base_model.starts_with("stability.") {
        Some(Family::Stability)
    } else {
        None
    }
}

fn malformed(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "Malformed input request: {detail}, please reformat your input and try again."
    ))
}

fn filtered() -> ApiError {
    ApiError::validation(
        "This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.",
    )
}

/// Answers one image InvokeModel body.
pub(crate) fn invoke(base_model: &str, body: &Value) -> Result<Value, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(malformed("expected type: JSONObject"));
    };
    match family(base_model) {
        Some(Family::Stability) => stability(obj),
        Some(f) => canvas_or_titan(f, obj),
        None => Err(ApiError::validation("not an image model")),
    }
}

fn canvas_or_titan(f: Family, obj: &Map<String, Value>) -> Result<Value, ApiError> {
    let task = obj
        .get("taskType")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("required key [taskType] not found"))?;
    let config = obj
        .get("imageGenerationConfig")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let n = config
        .get("numberOfImages")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    if !(1..=5).contains(&n) {
        return Err(malformed(&format!(
            "#/imageGenerationConfig/numberOfImages: {n} is not in [1, 5]"
        )));
    }
    if let Some(q) = config.get("quality").and_then(Value::as_str)
        && q != "standard"
        && q != "premium"
    {
        return Err(malformed(&format!(
            "#/imageGenerationConfig/quality: {q} is not a valid enum value"
        )));
    }
    let max_text = if f == Family::Nova { 1024 } else { 512 };
    let (params, size) = match task {
        "TEXT_IMAGE" => {
            let p = obj
                .get("textToImageParams")
                .and_then(Value::as_object)
                .ok_or_else(|| malformed("required key [textToImageParams] not found"))?;
            let w = config.get("width").and_then(Value::as_u64).unwrap_or(1024) as u32;
            let h = config.get("height").and_then(Value::as_u64).unwrap_or(1024) as u32;
            check_size(f, w, h)?;
            (p, (w, h))
        }
        "INPAINTING" if f == Family::Nova => {
            let p = obj
                .get("inPaintingParams")
                .and_then(Value::as_object)
                .ok_or_else(|| malformed("required key [inPaintingParams] not found"))?;
            let image = p
                .get("image")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed("#/inPaintingParams: required key [image] not found"))?;
            let size = png_size(image).ok_or_else(|| {
                ApiError::validation("The provided image is not a valid PNG or JPEG image.")
            })?;
            let masks = ["maskImage", "maskPrompt"]
                .iter()
                .filter(|k| p.contains_key(**k))
                .count();
            if masks != 1 {
                return Err(ApiError::validation(
                    "Exactly one of maskImage or maskPrompt must be provided.",
                ));
            }
            if let Some(mask) = p.get("maskImage").and_then(Value::as_str)
                && png_size(mask) != Some(size)
            {
                return Err(ApiError::validation(
                    "The mask image must be a PNG with the same dimensions as the input image.",
                ));
            }
            (p, size)
        }
        other => {
            return Err(malformed(&format!(
                "#/taskType: {other} is not a valid enum value"
            )));
        }
    };
    let text = params.get("text").and_then(Value::as_str).unwrap_or("");
    let needs_text = task == "TEXT_IMAGE";
    if needs_text && text.is_empty() || text.chars().count() > max_text {
        return Err(malformed(&format!(
            "#/{}Params/text: expected length between 1 and {max_text}",
            if needs_text {
                "textToImage"
            } else {
                "inPainting"
            }
        )));
    }
    if text.contains(FILTER_MARKER) {
        return Err(filtered());
    }
    let negative = params
        .get("negativeText")
        .and_then(Value::as_str)
        .unwrap_or("");
    let seed = config.get("seed").and_then(Value::as_u64).unwrap_or(0);
    let images: Vec<String> = (0..n)
        .map(|i| {
            let meta = json!({ "taskType": task, "text": text, "negativeText": negative,
                "width": size.0, "height": size.1, "seed": seed, "index": i,
                "quality": config.get("quality").cloned().unwrap_or(Value::Null),
                "maskPrompt": params.get("maskPrompt").cloned().unwrap_or(Value::Null) });
            STANDARD.encode(png(size.0, size.1, text, &meta))
        })
        .collect();
    Ok(json!({ "images": images, "error": null }))
}

fn check_size(f: Family, w: u32, h: u32) -> Result<(), ApiError> {
    match f {
        Family::Titan if !TITAN_SIZES.contains(&(w, h)) => Err(ApiError::validation(format!(
            "The provided width/height combination {w}x{h} is not supported. Supported: {}",
            TITAN_SIZES
                .iter()
                .map(|(w, h)| format!("{w}x{h}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Family::Nova
            if !(320..=4096).contains(&w)
                || !(320..=4096).contains(&h)
                || !w.is_multiple_of(16)
                || !h.is_multiple_of(16)
                || u64::from(w) * u64::from(h) > 4_194_304
                || w > 4 * h
                || h > 4 * w =>
        {
            Err(ApiError::validation(format!(
                "The provided size {w}x{h} is not supported: each side must be 320 to 4096 pixels in multiples of 16, at most 4,194,304 pixels, aspect ratio between 1:4 and 4:1."
            )))
        }
        _ => Ok(()),
    }
}

fn stability(obj: &Map<String, Value>) -> Result<Value, ApiError> {
    let prompt = obj
        .get("prompt")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("required key [prompt] not found"))?;
    if prompt.is_empty() || prompt.chars().count() > 10_000 {
        return Err(malformed("#/prompt: expected length between 1 and 10000"));
    }
    let ratio = obj
        .get("aspect_ratio")
        .and_then(Value::as_str)
        .unwrap_or("1:1");
    let Some((rw, rh)) = STABILITY_RATIOS
        .contains(&ratio)
        .then(|| ratio.split_once(':'))
        .flatten()
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
    else {
        return Err(malformed(&format!(
            "#/aspect_ratio: {ratio} is not a valid enum value"
        )));
    };
    let format = obj
        .get("output_format")
        .and_then(Value::as_str)
        .unwrap_or("png");
    if !["png", "jpeg", "webp"].contains(&format) {
        return Err(malformed(&format!(
            "#/output_format: {format} is not a valid enum value"
        )));
    }
    let seed = obj.get("seed").and_then(Value::as_u64).unwrap_or(0);
    if prompt.contains(FILTER_MARKER) {
        return Ok(
            json!({ "seeds": [seed], "finish_reasons": ["Filter reason: prompt"], "images": [] }),
        );
    }
    // About a megapixel at the asked ratio, on a 64-pixel grid.
    let scale = (1_048_576.0 / f64::from(rw * rh)).sqrt();
    let w = ((f64::from(rw) * scale / 64.0).round() as u32).max(1) * 64;
    let h = ((f64::from(rh) * scale / 64.0).round() as u32).max(1) * 64;
    let negative = obj
        .get("negative_prompt")
        .and_then(Value::as_str)
        .unwrap_or("");
    let meta = json!({ "prompt": prompt, "negative_prompt": negative, "aspect_ratio": ratio,
        "output_format": format, "seed": seed, "width": w, "height": h });
    Ok(json!({
        "seeds": [seed],
        "finish_reasons": [null],
        "images": [STANDARD.encode(png(w, h, prompt, &meta))],
    }))
}

/// The width and height in a base64 PNG's header, without decoding the pixels.
fn png_size(b64: &str) -> Option<(u32, u32)> {
    let head: String = b64.chars().take(44).collect();
    let bytes = STANDARD.decode(head.get(..(head.len() / 4) * 4)?).ok()?;
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// A `w` × `h` PNG of one colour from `seed_text`'s hash, with `meta` in a `tEXt` chunk.
pub fn png(w: u32, h: u32, seed_text: &str, meta: &Value) -> Vec<u8> {
    let digest = Sha256::digest(seed_text.as_bytes());
    let mut out = Vec::new();
    // Writing into memory fails only on a bad size, which the callers have checked.
    let _ = encode(&mut out, w, h, [digest[0], digest[1], digest[2]], meta);
    out
}

fn encode(
    out: &mut Vec<u8>,
    w: u32,
    h: u32,
    pixel: [u8; 3],
    meta: &Value,
) -> Result<(), png::EncodingError> {
    let mut enc = png::Encoder::new(out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    enc.add_text_chunk("gw-emulator".into(), meta.to_string())?;
    let mut writer = enc.write_header()?;
    let row: Vec<u8> = pixel.iter().copied().cycle().take(w as usize * 3).collect();
    let mut stream = writer.stream_writer()?;
    for _ in 0..h {
        std::io::Write::write_all(&mut stream, &row)?;
    }
    stream.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pngs_are_real_and_carry_the_request() {
        let bytes = png(320, 336, "a red fox", &json!({"text": "a red fox"}));
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let reader = decoder.read_info().expect("valid png");
        let info = reader.info();
        assert_eq!((info.width, info.height), (320, 336));
        let text = &info.uncompressed_latin1_text[0];
        assert_eq!(text.keyword, "gw-emulator");
        assert!(text.text.contains("a red fox"));
        assert_eq!(png_size(&STANDARD.encode(&bytes)), Some((320, 336)));
    }

    #[test]
    fn each_family_checks_its_own_rules() {
        let nova = |w: u32, h: u32, n: u32| {
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"},
                "imageGenerationConfig": {"width": w, "height": h, "numberOfImages": n}})
        };
        assert!(invoke("amazon.nova-canvas-v1:0", &nova(1024, 1024, 2)).is_ok());
        assert!(
            invoke("amazon.nova-canvas-v1:0", &nova(1000, 1024, 1)).is_err(),
            "multiple of 16"
        );
        assert!(
            invoke("amazon.nova-canvas-v1:0", &nova(1024, 1024, 6)).is_err(),
            "at most 5"
        );
        assert!(invoke("amazon.titan-image-generator-v2:0", &nova(1024, 1024, 1)).is_ok());
        assert!(invoke("amazon.titan-image-generator-v2:0", &nova(1024, 1008, 1)).is_err());
        let sd = |ratio: &str| json!({"prompt": "x", "aspect_ratio": ratio});
        assert!(invoke("stability.sd3-5-large-v1:0", &sd("16:9")).is_ok());
        assert!(invoke("stability.sd3-5-large-v1:0", &sd("7:3")).is_err());
        let filtered = invoke(
            "stability.sd3-5-large-v1:0",
            &json!({"prompt": FILTER_MARKER}),
        )
        .unwrap();
        assert_eq!(filtered["finish_reasons"][0], "Filter reason: prompt");
    }
}

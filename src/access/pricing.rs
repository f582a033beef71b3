//! What a request cost: a target's `pricing` from the pack, else a built-in table of Bedrock
//! on-demand list prices (USD per million tokens, us-east-1) for common models, applied to the
//! usage Bedrock reported; image models are priced per image (by size tier and quality).

use crate::ir::{ImageQuality, Usage};

/// Prices per million tokens, resolved for one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Uncached input tokens.
    pub input: f64,
    /// Output tokens.
    pub output: f64,
    /// Input tokens read from the prompt cache.
    pub cache_read: f64,
    /// Input tokens written to the prompt cache.
    pub cache_write: f64,
    /// Per image, for image models.
    pub image: Option<ImagePrice>,
}

/// Dollars per image: `[small standard, small premium, large standard, large premium]`, where
/// small is up to `small_pixels` (width × height).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImagePrice {
    pub small_pixels: u64,
    pub prices: [f64; 4],
}

impl ImagePrice {
    /// One price whatever the size, by quality (the pack's `per_image` override).
    pub fn flat(standard: f64, premium: f64) -> Self {
        Self {
            small_pixels: u64::MAX,
            prices: [standard, premium, standard, premium],
        }
    }

    /// The cost of `n` images of `size` at `quality`.
    pub fn cost(&self, n: u32, size: (u32, u32), quality: ImageQuality) -> f64 {
        let large = u64::from(size.0) * u64::from(size.1) > self.small_pixels;
        let i = usize::from(large) * 2 + usize::from(quality == ImageQuality::Premium);
        self.prices[i] * f64::from(n)
    }
}

impl Price {
    /// The dollar cost of `usage`.
    pub fn cost(&self, usage: &Usage) -> f64 {
        (usage.input as f64 * self.input
            + usage.output as f64 * self.output
            + usage.cache_read as f64 * self.cache_read
            + usage.cache_write as f64 * self.cache_write)
            / 1_000_000.0
    }
}

const fn p(input: f64, output: f64, cache_read: f64, cache_write: f64) -> Price {
    Price {
        input,
        output,
        cache_read,
        cache_write,
        image: None,
    }
}

/// Image models' list prices per image: size tier limit (pixels), then small standard, small
/// premium, large standard, large premium.
const IMAGES: &[(&str, u64, [f64; 4])] = &[
    ("amazon.nova-canvas", 1024 * 1024, [0.04, 0.06, 0.06, 0.08]),
    (
        "amazon.titan-image-generator",
        512 * 512,
        [0.008, 0.01, 0.01, 0.012],
    ),
    ("stability.sd3-5-large", u64::MAX, [0.08; 4]),
    ("stability.stable-image-core", u64::MAX, [0.04; 4]),
    ("stability.stable-image-ultra", u64::MAX, [0.14; 4]),
];

/// The built-in per-image price of an image model.
pub fn builtin_image(model: &str) -> Option<ImagePrice> {
    IMAGES
        .iter()
        .find(|(id, _, _)| model.contains(id))
        .map(|(_, small_pixels, prices)| ImagePrice {
            small_pixels: *small_pixels,
            prices: *prices,
        })
}

/// Substrings of Bedrock model ids, most specific first, and their list prices.
const TABLE: &[(&str, Price)] = &[
    ("anthropic.claude-opus-4-5", p(5.0, 25.0, 0.5, 6.25)),
    ("anthropic.claude-opus-4", p(15.0, 75.0, 1.5, 18.75)),
    ("anthropic.claude-sonnet-4", p(3.0, 15.0, 0.3, 3.75)),
    ("anthropic.claude-3-7-sonnet", p(3.0, 15.0, 0.3, 3.75)),
    ("anthropic.claude-haiku-4-5", p(1.0, 5.0, 0.1, 1.25)),
    ("anthropic.claude-3-5-haiku", p(0.8, 4.0, 0.08, 1.0)),
    ("amazon.nova-micro", p(0.035, 0.14, 0.00875, 0.0)),
    ("amazon.nova-lite", p(0.06, 0.24, 0.015, 0.0)),
    ("amazon.nova-pro", p(0.8, 3.2, 0.2, 0.0)),
    ("amazon.nova-premier", p(2.5, 12.5, 0.625, 0.0)),
    ("meta.llama3-3-70b", p(0.72, 0.72, 0.0, 0.0)),
    ("meta.llama3-2-90b", p(0.72, 0.72, 0.0, 0.0)),
    ("meta.llama3-2-11b", p(0.16, 0.16, 0.0, 0.0)),
    ("meta.llama3-2-3b", p(0.15, 0.15, 0.0, 0.0)),
    ("meta.llama3-2-1b", p(0.1, 0.1, 0.0, 0.0)),
    ("meta.llama3-1-405b", p(2.4, 2.4, 0.0, 0.0)),
    ("meta.llama3-1-70b", p(0.72, 0.72, 0.0, 0.0)),
    ("meta.llama3-1-8b", p(0.22, 0.22, 0.0, 0.0)),
    ("amazon.titan-embed-text-v2", p(0.02, 0.0, 0.0, 0.0)),
    ("amazon.titan-embed-text-v1", p(0.1, 0.0, 0.0, 0.0)),
    ("amazon.titan-embed-image-v1", p(0.8, 0.0, 0.0, 0.0)),
    ("cohere.embed-english-v3", p(0.1, 0.0, 0.0, 0.0)),
    ("cohere.embed-multilingual-v3", p(0.1, 0.0, 0.0, 0.0)),
];

/// The built-in price of a Bedrock model id or geographic inference profile (`us.`, `eu.`, …).
/// Application-inference-profile ARNs name no model, so they need `pricing` in the pack.
pub fn builtin(model: &str) -> Option<Price> {
    let image = builtin_image(model);
    match TABLE.iter().find(|(id, _)| model.contains(id)) {
        Some((_, price)) => Some(*price),
        None => image.map(|image| Price {
            image: Some(image),
            ..p(0.0, 0.0, 0.0, 0.0)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_picks_the_most_specific_model() {
        let opus45 = builtin("global.anthropic.claude-opus-4-5-20251101-v1:0").unwrap();
        assert_eq!(opus45.input, 5.0);
        let opus41 = builtin("us.anthropic.claude-opus-4-1-20250805-v1:0").unwrap();
        assert_eq!(opus41.input, 15.0);
        assert_eq!(builtin("us.amazon.nova-pro-v1:0").unwrap().output, 3.2);
        assert!(builtin("arn:aws:bedrock:us-east-1:1:application-inference-profile/x").is_none());
    }

    #[test]
    fn images_are_priced_by_size_tier_and_quality() {
        let canvas = builtin("amazon.nova-canvas-v1:0").unwrap().image.unwrap();
        assert!((canvas.cost(2, (1024, 1024), ImageQuality::Standard) - 0.08).abs() < 1e-9);
        assert!((canvas.cost(1, (2048, 2048), ImageQuality::Premium) - 0.08).abs() < 1e-9);
        let core = builtin("stability.stable-image-core-v1:1")
            .unwrap()
            .image
            .unwrap();
        assert!((core.cost(3, (1024, 1024), ImageQuality::Premium) - 0.12).abs() < 1e-9);
    }

    #[test]
    fn cost_of_usage() {
        let price = builtin("us.anthropic.claude-sonnet-4-5-20250929-v1:0").unwrap();
        let usage = Usage {
            input: 1_000_000,
            output: 100_000,
            cache_read: 0,
            cache_write: 0,
        };
        assert!((price.cost(&usage) - 4.5).abs() < 1e-9);
    }
}

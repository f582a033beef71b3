//! What each model family accepts on Converse.
//!
//! Converse takes one request shape for every model, but each family rejects a different subset of
//! it (no system prompt on Titan, no forced tool choice on Llama, no `temperature` + `top_p` on
//! Claude 4.5…). The translator asks these flags instead of matching model ids, and the whole
//! table lives in `TABLE` so adding a model is one row.
//!
//! The family comes from the pack when the target declares it (application inference profile
//! ARNs carry no model name, bedrock-wire §6); otherwise it is read from the model id.

use crate::config::pack::ModelFamily;

/// What a target model accepts; drives every per-family decision of the translator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// The family the flags were taken from (given by the pack, else read from the id).
    pub family: ModelFamily,
    /// Accepts Converse `system`; otherwise system text is folded into the first user message.
    pub system_prompt: bool,
    /// Accepts `toolConfig` at all.
    pub tools: bool,
    /// Accepts `toolChoice.any` / `toolChoice.tool`.
    pub forced_tool_choice: bool,
    /// Can stream tool use through ConverseStream (else the provider must fake the stream).
    pub tool_streaming: bool,
    /// Accepts `outputConfig.textFormat` (json_schema structured output).
    pub native_structured_output: bool,
    /// Accepts `additionalModelRequestFields.thinking`.
    pub thinking: bool,
    /// Rejects `temperature` and `top_p` in the same request.
    pub temperature_xor_top_p: bool,
    /// Accepts `cachePoint` blocks.
    pub cache_points: bool,
    /// The most output tokens the model may be asked for, where gw knows it.
    pub max_output_tokens: Option<u32>,
}

/// One row of the table: which models it covers and what they accept.
struct Row {
    family: ModelFamily,
    when: When,
    flags: Flags,
}

/// Which ids of a family a row covers. Rows are tried in order; the first match wins.
enum When {
    /// The id carries no version we can read (e.g. an application inference profile).
    VersionUnknown,
    /// The version read from the id is below `(major, minor)`.
    Below(u32, u32),
    /// The normalised id contains this text.
    Contains(&'static str),
    Always,
}

/// `system, tools, forced_tool_choice, tool_streaming, native_structured_output, thinking,
/// temperature_xor_top_p, cache_points`, in that order.
#[derive(Clone, Copy)]
struct Flags([bool; 8]);

const Y: bool = true;
const N: bool = false;

/// The per-family table (bedrock-wire §6). Claude: tools from 3, cache points from 3.5, thinking
/// from 3.7, `temperature` xor `top_p` from Opus 4.1 (and every 4.5+), native structured output
/// from 4.5. A Claude id without a readable version is assumed current-generation, except for
/// native structured output, whose json_output fallback works everywhere.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    //                                                     sys tools forced tstream native think xor cache
    Row { family: ModelFamily::Anthropic, when: When::VersionUnknown, flags: Flags([Y, Y, Y, Y, N, Y, Y, Y]) },
    Row { family: ModelFamily::Anthropic, when: When::Below(3, 0),    flags: Flags([Y, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Anthropic, when: When::Below(3, 5),    flags: Flags([Y, Y, Y, Y, N, N, N, N]) },
    Row { family: ModelFamily::Anthropic, when: When::Below(3, 7),    flags: Flags([Y, Y, Y, Y, N, N, N, Y]) },
    Row { family: ModelFamily::Anthropic, when: When::Below(4, 1),    flags: Flags([Y, Y, Y, Y, N, Y, N, Y]) },
    Row { family: ModelFamily::Anthropic, when: When::Below(4, 5),    flags: Flags([Y, Y, Y, Y, N, Y, Y, Y]) },
    Row { family: ModelFamily::Anthropic, when: When::Always,         flags: Flags([Y, Y, Y, Y, Y, Y, Y, Y]) },
    Row { family: ModelFamily::Nova,      when: When::Always,         flags: Flags([Y, Y, Y, Y, N, N, N, Y]) },
    Row { family: ModelFamily::Titan,     when: When::Always,         flags: Flags([N, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Llama,     when: When::Below(3, 1),    flags: Flags([Y, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Llama,     when: When::Always,         flags: Flags([Y, Y, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Mistral,   when: When::Contains("mistral-7b"), flags: Flags([N, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Mistral,   when: When::Contains("mixtral"),    flags: Flags([N, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Mistral,   when: When::Always,         flags: Flags([Y, Y, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Cohere,    when: When::Contains("command-text"),  flags: Flags([N, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Cohere,    when: When::Contains("command-light"), flags: Flags([N, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Cohere,    when: When::Always,         flags: Flags([Y, Y, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Deepseek,  when: When::Contains("deepseek.r1"), flags: Flags([Y, N, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Deepseek,  when: When::Always,         flags: Flags([Y, Y, N, N, N, N, N, N]) },
    Row { family: ModelFamily::Other,     when: When::Always,         flags: Flags([Y, Y, N, N, N, N, N, N]) },
];

/// Used if no row matches (cannot happen while every family ends with `Always`): the same
/// conservative set as `Other`.
const FALLBACK: Flags = Flags([Y, Y, N, N, N, N, N, N]);

/// Output-token ceilings by model id (the model cards' "max output"): `(text in the normalised
/// id, ceiling)`, tried in order. Used where gw must choose `maxTokens` itself, e.g. when a
/// thinking budget is dropped because the model cannot think.
#[rustfmt::skip]
const OUTPUT_LIMITS: &[(&str, u32)] = &[
    ("claude-3-haiku", 4096),
    ("claude-3-sonnet", 4096),
    ("claude-3-opus", 4096),
    ("claude-3-5-haiku", 8192),
    ("claude-3-5-sonnet", 8192),
    ("claude-3-7-sonnet", 64000),
    ("claude-opus-4-1", 32000),
    ("claude-opus-4-2", 32000),
    ("claude-opus-4-5", 64000),
    ("claude-opus-4", 32000),
    ("claude-sonnet-4", 64000),
    ("claude-haiku-4", 64000),
    ("nova-micro", 10000),
    ("nova-lite", 10000),
    ("nova-pro", 10000),
    ("llama3", 2048),
    ("mistral-large", 8192),
];

/// Geography prefixes of system-defined cross-region inference profiles.
const GEO_PREFIXES: &[&str] = &["us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "global."];

/// Provider prefixes of foundation-model ids, in match order.
const PROVIDERS: &[(&str, ModelFamily)] = &[
    ("anthropic.", ModelFamily::Anthropic),
    ("amazon.nova", ModelFamily::Nova),
    ("amazon.titan", ModelFamily::Titan),
    ("meta.", ModelFamily::Llama),
    ("mistral.", ModelFamily::Mistral),
    ("cohere.", ModelFamily::Cohere),
    ("deepseek.", ModelFamily::Deepseek),
];

/// What `model_id` accepts. An explicit `family` (from the pack) wins over the id; the id still
/// refines the row (Claude version). Application inference profile ARNs and unknown ids give
/// `Other` (conservative) unless the family is given.
pub fn capabilities(model_id: &str, family: Option<ModelFamily>) -> Capabilities {
    let id = normalise_id(model_id);
    let family = family.unwrap_or_else(|| id.as_deref().map_or(ModelFamily::Other, infer_family));
    let id = id.unwrap_or_default();
    let version = version_of(family, &id);
    let flags = TABLE
        .iter()
        .filter(|row| row.family == family)
        .find(|row| match row.when {
            When::VersionUnknown => version.is_none(),
            When::Below(major, minor) => version.is_some_and(|v| v < (major, minor)),
            When::Contains(text) => id.contains(text),
            When::Always => true,
        })
        .map_or(FALLBACK, |row| row.flags);
    let [
        system_prompt,
        tools,
        forced_tool_choice,
        tool_streaming,
        native,
        thinking,
        xor,
        cache,
    ] = flags.0;
    Capabilities {
        family,
        system_prompt,
        tools,
        forced_tool_choice,
        tool_streaming,
        native_structured_output: native,
        thinking,
        temperature_xor_top_p: xor,
        cache_points: cache,
        max_output_tokens: OUTPUT_LIMITS
            .iter()
            .find(|(text, _)| id.contains(text))
            .map(|(_, n)| *n),
    }
}

/// A human name for a family, for error messages that tell the client what to do.
pub fn family_label(family: ModelFamily) -> &'static str {
    match family {
        ModelFamily::Anthropic => "Anthropic Claude",
        ModelFamily::Nova => "Amazon Nova",
        ModelFamily::Titan => "Amazon Titan",
        ModelFamily::Llama => "Meta Llama",
        ModelFamily::Mistral => "Mistral",
        ModelFamily::Cohere => "Cohere",
        ModelFamily::Deepseek => "DeepSeek",
        ModelFamily::Other => "this model",
    }
}

/// The bare foundation-model id, lowercased, without ARN wrapper or geography prefix; `None` when
/// the id names no model (application inference profiles, provisioned or custom model ARNs).
fn normalise_id(model_id: &str) -> Option<String> {
    let lower = model_id.trim().to_ascii_lowercase();
    let bare = if lower.starts_with("arn:") {
        // arn:partition:service:region:account:resource — the resource may itself contain ':'.
        let resource = lower.splitn(6, ':').nth(5)?;
        let (kind, id) = resource.split_once('/')?;
        match kind {
            "foundation-model" | "inference-profile" => id.to_string(),
            _ => return None,
        }
    } else {
        lower
    };
    let stripped = GEO_PREFIXES
        .iter()
        .find_map(|p| bare.strip_prefix(p))
        .unwrap_or(&bare);
    Some(stripped.to_string())
}

fn infer_family(id: &str) -> ModelFamily {
    PROVIDERS
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map_or(ModelFamily::Other, |(_, family)| *family)
}

/// `(major, minor)` read from a Claude or Llama id; `None` for other families or unreadable ids.
fn version_of(family: ModelFamily, id: &str) -> Option<(u32, u32)> {
    let key = match family {
        ModelFamily::Anthropic => "claude-",
        ModelFamily::Llama => "llama",
        _ => return None,
    };
    let rest = &id[id.find(key)? + key.len()..];
    let rest = rest.split(':').next().unwrap_or(rest);
    let small = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let mut tokens = rest.split('-');
    let major = loop {
        let token = tokens.next()?;
        if let Some(n) = small(token) {
            break n;
        }
        // `claude-v2`, `claude-instant-v1`: the legacy spelling of the major version.
        if let Some(n) = token.strip_prefix('v').and_then(small) {
            return Some((n, 0));
        }
        // Skip model names (`sonnet`, `opus`, `haiku`, `instant`); stop at anything else.
        if !token.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
    };
    let minor = tokens.next().and_then(small).unwrap_or(0);
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(id: &str) -> Capabilities {
        capabilities(id, None)
    }

    #[test]
    fn claude_4_5_profiles_get_the_newest_rules() {
        for id in [
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "eu.anthropic.claude-opus-4-5-20251101-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ] {
            let c = caps(id);
            assert_eq!(c.family, ModelFamily::Anthropic, "{id}");
            assert!(c.temperature_xor_top_p, "{id}");
            assert!(c.native_structured_output, "{id}");
            assert!(c.thinking && c.forced_tool_choice && c.cache_points, "{id}");
        }
    }

    #[test]
    fn claude_versions_split_where_the_features_arrived() {
        let opus41 = caps("us.anthropic.claude-opus-4-1-20250805-v1:0");
        assert!(
            opus41.temperature_xor_top_p && opus41.thinking && !opus41.native_structured_output
        );
        let sonnet4 = caps("anthropic.claude-sonnet-4-20250514-v1:0");
        assert!(sonnet4.thinking && !sonnet4.temperature_xor_top_p);
        let sonnet37 = caps("us.anthropic.claude-3-7-sonnet-20250219-v1:0");
        assert!(sonnet37.thinking && !sonnet37.temperature_xor_top_p);
        let sonnet35 = caps("anthropic.claude-3-5-sonnet-20241022-v2:0");
        assert!(!sonnet35.thinking && sonnet35.cache_points && sonnet35.tools);
        let haiku3 = caps("anthropic.claude-3-haiku-20240307-v1:0");
        assert!(!haiku3.thinking && !haiku3.cache_points && haiku3.forced_tool_choice);
        let v2 = caps("anthropic.claude-v2:1");
        assert!(v2.system_prompt && !v2.tools);
        assert!(!caps("anthropic.claude-instant-v1").tools);
    }

    #[test]
    fn other_families_are_inferred_from_the_id() {
        let nova = caps("amazon.nova-pro-v1:0");
        assert_eq!(nova.family, ModelFamily::Nova);
        assert!(nova.forced_tool_choice && nova.tool_streaming && !nova.thinking);

        let titan = caps("amazon.titan-text-express-v1");
        assert_eq!(titan.family, ModelFamily::Titan);
        assert!(!titan.system_prompt && !titan.tools);

        let llama31 = caps("meta.llama3-1-70b-instruct-v1:0");
        assert_eq!(llama31.family, ModelFamily::Llama);
        assert!(llama31.tools && !llama31.forced_tool_choice && !llama31.tool_streaming);
        assert!(!caps("meta.llama3-8b-instruct-v1:0").tools);
        assert!(caps("us.meta.llama4-scout-17b-instruct-v1:0").tools);

        let large = caps("mistral.mistral-large-2407-v1:0");
        assert!(large.tools && large.system_prompt && !large.forced_tool_choice);
        assert!(!caps("mistral.mixtral-8x7b-instruct-v0:1").system_prompt);

        assert_eq!(
            caps("cohere.command-r-plus-v1:0").family,
            ModelFamily::Cohere
        );
        assert!(!caps("us.deepseek.r1-v1:0").tools);
        assert_eq!(caps("deepseek.v3-v1:0").family, ModelFamily::Deepseek);
    }

    #[test]
    fn foundation_model_arns_are_unwrapped() {
        let c = caps("arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0");
        assert_eq!(c.family, ModelFamily::Nova);
    }

    #[test]
    fn application_profiles_are_conservative_unless_the_family_is_given() {
        let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
        let c = caps(arn);
        assert_eq!(c.family, ModelFamily::Other);
        assert!(c.system_prompt && c.tools);
        assert!(!c.forced_tool_choice && !c.tool_streaming && !c.native_structured_output);
        assert!(!c.thinking && !c.cache_points);

        let given = capabilities(arn, Some(ModelFamily::Anthropic));
        assert_eq!(given.family, ModelFamily::Anthropic);
        assert!(given.forced_tool_choice && given.thinking && given.temperature_xor_top_p);
        assert!(!given.native_structured_output);
    }

    #[test]
    fn explicit_family_wins_over_the_id() {
        let c = capabilities("amazon.nova-pro-v1:0", Some(ModelFamily::Llama));
        assert_eq!(c.family, ModelFamily::Llama);
        assert!(!c.forced_tool_choice);
    }

    #[test]
    fn unknown_ids_are_other() {
        let c = caps("qwen.qwen3-32b-v1:0");
        assert_eq!(c.family, ModelFamily::Other);
        assert!(!c.forced_tool_choice);
    }
}

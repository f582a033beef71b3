//! gw's trace spans, named after the OpenTelemetry semantic conventions: an HTTP server span per
//! request, a GenAI client span (`chat {model}`) per upstream attempt, and spans for the policy
//! chain and the audit write.
//!
//! Every span uses the [`TARGET`] target, which only the trace exporter listens to; without a
//! collector the macros below are disabled at their call sites, and none of their field values
//! (the formatted names included) is ever computed.

use std::fmt;

use tracing::Span;
use tracing::field::Empty;

use crate::ir::{ChatRequest, ChatResponse, StopReason};
use crate::policy::Decision;

/// The `tracing` target of every span gw exports.
pub const TARGET: &str = "gw::trace";

/// `gen_ai.system` / `gen_ai.provider.name` for every upstream call.
pub const SYSTEM: &str = "aws.bedrock";

/// The server span of one request at a front door; filled in as the request goes (the audit
/// record's facts are copied onto it when the record is written).
pub fn request(method: &str, route: &str) -> Span {
    tracing::info_span!(
        target: TARGET,
        "gw.request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = Empty,
        gen_ai.operation.name = Empty,
        gen_ai.system = Empty,
        gen_ai.provider.name = Empty,
        gen_ai.request.model = Empty,
        gen_ai.request.max_tokens = Empty,
        gen_ai.request.temperature = Empty,
        gen_ai.request.top_p = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        gw.request_id = Empty,
        gw.pack.version = Empty,
        gw.key_id = Empty,
        gw.stream = Empty,
        gw.target = Empty,
        gw.attempts = Empty,
        gw.outcome = Empty,
        gw.policy.decisions = Empty,
        gw.cost_usd = Empty,
        error.type = Empty,
    )
}

/// The client span of one call to `target` (`retry` is 0 for the first try on it).
pub fn attempt(target: &str, model: &str, region: &str, host: &str, retry: u32) -> Span {
    tracing::info_span!(
        target: TARGET,
        "gw.upstream",
        otel.name = %format_args!("chat {model}"),
        otel.kind = "client",
        otel.status_code = Empty,
        gen_ai.operation.name = "chat",
        gen_ai.system = SYSTEM,
        gen_ai.provider.name = SYSTEM,
        gen_ai.request.model = %model,
        gen_ai.request.max_tokens = Empty,
        gen_ai.request.temperature = Empty,
        gen_ai.request.top_p = Empty,
        gen_ai.response.model = Empty,
        gen_ai.response.finish_reasons = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        server.address = %host,
        cloud.region = %region,
        gw.target = %target,
        gw.retry = i64::from(retry),
        gw.outcome = Empty,
        error.type = Empty,
    )
}

/// The span around the policy chain on one side of the call (`request` or `response`).
pub fn policies(phase: &'static str) -> Span {
    tracing::info_span!(
        target: TARGET,
        "gw.policy",
        otel.name = %format_args!("gw.policy.{phase}"),
        gw.policy.phase = phase,
        gw.policy.decisions = Empty,
        gw.policy.blocked = Empty,
    )
}

/// The span around handing the finished record to the audit sink.
pub fn audit_write() -> Span {
    tracing::info_span!(target: TARGET, "gw.audit.write", gw.audit.sink = Empty)
}

/// Records what the policy chain decided on `span` (policy names, actions, entity types and
/// counts; never a matched value).
pub fn record_decisions(span: &Span, decisions: &[Decision], blocked: bool) {
    if span.is_disabled() {
        return;
    }
    span.record(
        "gw.policy.decisions",
        tracing::field::display(Decisions(decisions)),
    );
    span.record("gw.policy.blocked", blocked);
}

/// Records the request's sampling parameters, and the reply's facts when there is one, on an
/// upstream call's span (or the request's).
pub fn record_call(span: &Span, req: &ChatRequest, reply: Option<&ChatResponse>) {
    if span.is_disabled() {
        return;
    }
    if let Some(n) = req.max_tokens {
        span.record("gen_ai.request.max_tokens", i64::from(n));
    }
    if let Some(t) = req.temperature {
        span.record("gen_ai.request.temperature", f64::from(t));
    }
    if let Some(p) = req.top_p {
        span.record("gen_ai.request.top_p", f64::from(p));
    }
    if let Some(r) = reply {
        span.record("gen_ai.usage.input_tokens", int(r.usage.input));
        span.record("gen_ai.usage.output_tokens", int(r.usage.output));
        span.record(
            "gen_ai.response.finish_reasons",
            stop_reason(&r.stop_reason),
        );
    }
}

/// Records how an upstream call ended: `ok` or a failure class label.
pub fn record_attempt(span: &Span, outcome: &str) {
    if span.is_disabled() {
        return;
    }
    span.record("gw.outcome", outcome);
    if outcome != "ok" {
        span.record("error.type", outcome);
        span.record("otel.status_code", "ERROR");
    }
}

/// OpenTelemetry integers are signed 64-bit; an unsigned field would be exported as a string.
pub fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Bedrock's own name for a stop reason.
pub fn stop_reason(r: &StopReason) -> &str {
    match r {
        StopReason::EndTurn => "end_turn",
        StopReason::ToolUse => "tool_use",
        StopReason::MaxTokens => "max_tokens",
        StopReason::StopSequence => "stop_sequence",
        StopReason::GuardrailIntervened => "guardrail_intervened",
        StopReason::ContentFiltered => "content_filtered",
        StopReason::ContextWindowExceeded => "model_context_window_exceeded",
        StopReason::MalformedModelOutput => "malformed_model_output",
        StopReason::MalformedToolUse => "malformed_tool_use",
        StopReason::Other(s) => s,
    }
}

/// Decisions as `policy:action[TYPE×n,…]`, comma separated: readable in a trace or a log line,
/// and written without allocating.
pub struct Decisions<'a>(pub &'a [Decision]);

impl fmt::Display for Decisions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}:{}", d.policy, d.action)?;
            if !d.entities.is_empty() {
                f.write_str("[")?;
                for (j, (kind, n)) in d.entities.iter().enumerate() {
                    if j > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{kind}×{n}")?;
                }
                f.write_str("]")?;
            }
            if let Some(s) = d.score {
                write!(f, "({s:.2})")?;
            }
        }
        Ok(())
    }
}

/// The host a target's calls go to (`server.address`).
/// The `server.address` an upstream span reports: the host of a target's `base_url`, else
/// Bedrock's regional endpoint. Worked out once, when the runtime is built.
pub fn server_address(base_url: Option<&str>, region: &str) -> String {
    match base_url {
        Some(url) => {
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            rest.split('/').next().unwrap_or(rest).to_string()
        }
        None => format!("bedrock-runtime.{region}.amazonaws.com"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_read_as_policy_action_and_counts() {
        let d = [
            Decision {
                policy: "pii-detector",
                action: "redacted",
                entities: vec![("EMAIL".into(), 2), ("PHONE".into(), 1)],
                score: None,
                found: Vec::new(),
            },
            Decision {
                policy: "prompt-injection",
                action: "allowed",
                entities: vec![],
                score: Some(0.125),
                found: Vec::new(),
            },
        ];
        assert_eq!(
            Decisions(&d).to_string(),
            "pii-detector:redacted[EMAIL×2,PHONE×1],prompt-injection:allowed(0.12)"
        );
    }
}

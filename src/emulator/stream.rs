//! ConverseStream: turns a reply into Bedrock's event sequence and streams it, faults included.
//!
//! gw's stream translation depends on Bedrock's exact event order (no contentBlockStart for text,
//! tool input in fragments, usage only in `metadata` after `messageStop`) and on mid-stream
//! failures surfacing; this module reproduces both as a real streamed HTTP body.

use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderValue;
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream;
use serde_json::json;

use super::reply::{Block, Reply};
use super::wire::{event_frame, exception_frame, set_request_id};
use super::{Fault, FaultKind, faults};

/// Splits `s` into pieces of at most `n` characters (at least one piece).
fn chunks(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(n.max(1)).map(|c| c.iter().collect()).collect()
}

/// Tool input fragments: pieces of `n` chars, but never fewer than two.
fn input_fragments(input: &str, n: usize) -> Vec<String> {
    let len = input.chars().count();
    let size = n.max(1).min(len.div_ceil(2).max(1));
    chunks(input, size)
}

/// Every frame of the reply, in Bedrock's order.
pub(crate) fn frames(reply: &Reply, chunk_chars: usize) -> Vec<Bytes> {
    let mut out = vec![event_frame("messageStart", json!({"role": "assistant"}))];
    for (i, block) in reply.blocks.iter().enumerate() {
        let delta = |delta: serde_json::Value| {
            event_frame(
                "contentBlockDelta",
                json!({"contentBlockIndex": i, "delta": delta}),
            )
        };
        match block {
            Block::Text(text) => {
                for piece in chunks(text, chunk_chars) {
                    out.push(delta(json!({ "text": piece })));
                }
            }
            Block::Reasoning { text, signature } => {
                for piece in chunks(text, chunk_chars) {
                    out.push(delta(json!({"reasoningContent": {"text": piece}})));
                }
                out.push(delta(json!({"reasoningContent": {"signature": signature}})));
            }
            Block::ToolUse { id, name, input } => {
                out.push(event_frame(
                    "contentBlockStart",
                    json!({"contentBlockIndex": i, "start": {"toolUse": {"toolUseId": id, "name": name}}}),
                ));
                for piece in input_fragments(&input.to_string(), chunk_chars) {
                    out.push(delta(json!({"toolUse": {"input": piece}})));
                }
            }
        }
        out.push(event_frame(
            "contentBlockStop",
            json!({ "contentBlockIndex": i }),
        ));
    }
    out.push(event_frame(
        "messageStop",
        json!({"stopReason": reply.stop_reason}),
    ));
    out.push(event_frame(
        "metadata",
        json!({"usage": reply.usage.to_json(), "metrics": {"latencyMs": reply.latency_ms}}),
    ));
    out
}

type Item = Result<Bytes, std::io::Error>;

/// Pause before a cut so hyper flushes the headers and earlier events first (a body error while
/// everything is still buffered would abort the response before the client sees its headers).
const CUT_FLUSH: Duration = Duration::from_millis(20);

/// Shapes the frame list by a stream fault: delays between events, a cut, or an exception.
fn shape(frames: Vec<Bytes>, fault: Option<&Fault>) -> Vec<(Duration, Item)> {
    let kind = fault.map(|f| f.kind);
    let after = fault
        .and_then(|f| f.after_events)
        .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let gap = match (kind, fault.and_then(|f| f.delay_ms)) {
        (Some(FaultKind::EventDelay), Some(ms)) => Duration::from_millis(ms),
        _ => Duration::ZERO,
    };
    let mut out: Vec<(Duration, Item)> = Vec::with_capacity(frames.len() + 1);
    for (i, frame) in frames.into_iter().enumerate() {
        if i == after {
            match (kind, fault) {
                (Some(FaultKind::StreamCut), _) => {
                    out.push((CUT_FLUSH, Err(std::io::Error::other("emulated stream cut"))));
                    return out;
                }
                (Some(FaultKind::StreamError), Some(f)) => {
                    let (name, payload) = faults::stream_exception(f);
                    out.push((Duration::ZERO, Ok(exception_frame(&name, payload))));
                    return out;
                }
                _ => {}
            }
        }
        let wait = if i == 0 { Duration::ZERO } else { gap };
        out.push((wait, Ok(frame)));
    }
    // `after_events` past the end: the fault lands after the last event.
    match (kind, fault) {
        (Some(FaultKind::StreamCut), _) => {
            out.push((CUT_FLUSH, Err(std::io::Error::other("emulated stream cut"))));
        }
        (Some(FaultKind::StreamError), Some(f)) if after >= out.len() => {
            let (name, payload) = faults::stream_exception(f);
            out.push((Duration::ZERO, Ok(exception_frame(&name, payload))));
        }
        _ => {}
    }
    out
}

/// The 200 event-stream response for a reply, shaped by an optional stream fault.
pub(crate) fn response(
    reply: &Reply,
    chunk_chars: usize,
    fault: Option<&Fault>,
    request_id: &str,
) -> Response {
    let items = shape(frames(reply, chunk_chars), fault);
    let needs_timing = items.iter().any(|(d, _)| !d.is_zero());
    let body = if needs_timing {
        Body::from_stream(stream::unfold(items.into_iter(), |mut it| async move {
            let (wait, item) = it.next()?;
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            Some((item, it))
        }))
    } else {
        Body::from_stream(stream::iter(items.into_iter().map(|(_, item)| item)))
    };
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/vnd.amazon.eventstream"),
    );
    set_request_id(&mut resp, request_id);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::reply::Usage;
    use aws_smithy_eventstream::frame::read_message_from;

    fn event_types(frames: &[Bytes]) -> Vec<String> {
        frames
            .iter()
            .map(|f| {
                let m = read_message_from(f.clone()).expect("frame");
                let h = m
                    .headers()
                    .iter()
                    .find(|h| h.name().as_str() == ":event-type")
                    .expect("type");
                h.value().as_string().expect("string").as_str().to_owned()
            })
            .collect()
    }

    #[test]
    fn order_matches_bedrock() {
        let reply = Reply {
            blocks: vec![
                Block::Text("abcdefghij".into()),
                Block::ToolUse {
                    id: "t".into(),
                    name: "f".into(),
                    input: json!({}),
                },
            ],
            stop_reason: "tool_use",
            usage: Usage::default(),
            latency_ms: 1,
        };
        let types = event_types(&frames(&reply, 4));
        assert_eq!(
            types,
            [
                "messageStart",
                "contentBlockDelta",
                "contentBlockDelta",
                "contentBlockDelta",
                "contentBlockStop",
                "contentBlockStart",
                "contentBlockDelta",
                "contentBlockDelta",
                "contentBlockStop",
                "messageStop",
                "metadata"
            ]
        );
    }

    #[test]
    fn fragments_are_at_least_two() {
        assert_eq!(input_fragments("{}", 16), ["{", "}"]);
        assert_eq!(input_fragments("{\"a\":1}", 16).len(), 2);
        assert_eq!(input_fragments("{\"a\":1}", 3).len(), 3);
    }
}

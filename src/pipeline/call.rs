//! One request's life in the pipeline: its audit record, opened once and finished exactly once.
//!
//! Why it exists: every door (chat, messages, count_tokens, embeddings, unknown paths) used to
//! open, change and finish the record itself, in five handlers and three places. A [`Call`] is
//! the record's only owner: the pipeline's steps fill it in, and it is finished by
//! [`Call::fail`], [`Call::served`], by the stream it travels with ([`RecordedStream`]) when that
//! ends or fails, or, if the client goes away first, when it is dropped (`499`, `cancelled`).
//! Handlers only parse and render.

use std::fmt::Write as _;

use crate::audit::{Outcome, RequestLog};
use crate::error::ApiError;
use crate::ir::StreamEvent;
use crate::runtime::Runtime;

use super::{Failure, PolicedStream};

/// A request's audit record, from the first byte read to the response.
pub struct Call {
    pub(super) log: RequestLog,
    request_id: String,
}

/// What a finished call leaves for the response headers.
#[derive(Debug, Clone)]
pub struct Ending {
    pub request_id: String,
    /// What the chain did (`pii-detector:redacted[EMAIL*1]; …`), when it acted.
    pub policy: Option<String>,
}

impl Call {
    /// Opens the record of a request at `endpoint`, with a fresh request id.
    pub fn open(rt: &Runtime, endpoint: &'static str) -> Self {
        let request_id = uuid::Uuid::new_v4().simple().to_string();
        Self {
            log: RequestLog::open(rt.audit.clone(), request_id.clone(), endpoint, rt.pack_id()),
            request_id,
        }
    }

    /// The request id (`x-request-id`, and the completion id's suffix).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The client's model name, known before admission (the embeddings door).
    pub fn set_model(&mut self, model: &str, stream: bool) {
        self.log.set_model(model, stream);
    }

    /// Finishes the record of a request that failed, with the status the client sees.
    pub fn fail(mut self, f: &Failure, status: u16) -> Ending {
        let policy = self.policy();
        self.log.finish(status, f.outcome, Some(f.error.label()));
        Ending {
            request_id: self.request_id,
            policy,
        }
    }

    /// Finishes the record of a served request.
    pub fn served(mut self) -> Ending {
        let policy = self.policy();
        self.log.finish(200, Outcome::Served, None);
        Ending {
            request_id: self.request_id,
            policy,
        }
    }

    /// The stream of a served request, carrying this record until the stream ends.
    pub fn into_stream(mut self, events: PolicedStream) -> (RecordedStream, Ending) {
        let ending = Ending {
            request_id: self.request_id.clone(),
            policy: self.policy(),
        };
        (
            RecordedStream {
                events,
                call: Some(self),
            },
            ending,
        )
    }

    /// The decisions that acted so far, compact and ASCII (`x-gw-policy`); never a value.
    fn policy(&mut self) -> Option<String> {
        let decisions = &self.log.record()?.decisions;
        let mut out = String::new();
        for d in decisions.iter().filter(|d| d.action != "allowed") {
            if !out.is_empty() {
                out.push_str("; ");
            }
            let _ = write!(out, "{}:{}", d.policy, d.action);
            if !d.entities.is_empty() {
                out.push('[');
                for (i, (kind, n)) in d.entities.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{kind}*{n}");
                }
                out.push(']');
            }
            if let Some(score) = d.score {
                let _ = write!(out, "({score:.2})");
            }
        }
        out.retain(|c| c.is_ascii_graphic() || c == ' ');
        (!out.is_empty()).then_some(out)
    }
}

/// A served stream with its record: usage, reply decisions, reply text and cost go into the
/// record as the events pass, and the record is finished when the stream ends or fails.
pub struct RecordedStream {
    events: PolicedStream,
    call: Option<Call>,
}

impl RecordedStream {
    /// The next event for the client; `None` after a clean end, `Some(Err)` once on failure.
    pub async fn next(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        let next = self.events.next().await;
        let Some(call) = self.call.as_mut() else {
            return next;
        };
        match &next {
            Some(Ok(StreamEvent::Metadata { usage })) => call.log.set_usage(*usage),
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::warn!(error = %e, "stream failed after the reply started");
                call.log.add_decisions(self.events.take_decisions());
                call.log.set_cost(self.events.settle());
                let outcome = if e.code.as_deref().is_some_and(|c| c.starts_with("upstream")) {
                    Outcome::Failed
                } else {
                    Outcome::Blocked
                };
                call.log.finish(e.status.as_u16(), outcome, Some(e.label()));
                self.call = None;
            }
            None => {
                call.log.add_decisions(self.events.take_decisions());
                if let Some(reply) = self.events.take_reply() {
                    call.log.set_reply(reply);
                }
                call.log.set_cost(self.events.settle());
                call.log.finish(200, Outcome::Served, None);
                self.call = None;
            }
        }
        next
    }

    /// Upstream events taken so far, including ones the reply policies hold back.
    pub fn pulled(&self) -> u64 {
        self.events.pulled()
    }

    /// The first bytes went out to the client (time to first byte, on the record).
    pub fn mark_first_byte(&mut self) {
        if let Some(call) = self.call.as_mut() {
            call.log.mark_first_byte();
        }
    }
}

//! Turning a policed event stream into an SSE body, for any front door's event vocabulary.
//!
//! The body pulls one upstream event at a time and writes it out at once: nothing buffers the
//! whole reply. The audit record travels with the body and is finished when the stream ends,
//! fails, or is dropped because the client went away; the reply is priced and the caller's
//! counters settled from the usage the stream reported (`cost_usd` on the record).

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::stream;
use tracing::Instrument;

use crate::audit::{Outcome, RequestLog};
use crate::error::ApiError;
use crate::ir::StreamEvent;
use crate::pipeline::PolicedStream;

/// A front door's SSE dialect.
pub trait SseEncoder: Send + 'static {
    /// Appends the frames for one event (possibly none).
    fn event(&mut self, event: &StreamEvent, out: &mut BytesMut);
    /// Appends the frame that tells the client the stream failed.
    fn error(&mut self, err: &ApiError, out: &mut BytesMut);
    /// Appends the frames that close a successful stream.
    fn done(&mut self, out: &mut BytesMut);
}

/// A `text/event-stream` response streaming `events` in `encoder`'s dialect.
pub fn response<E: SseEncoder>(events: PolicedStream, encoder: E, log: RequestLog) -> Response {
    let mut response = Response::new(body(events, encoder, log));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The streamed response body.
pub fn body<E: SseEncoder>(events: PolicedStream, encoder: E, log: RequestLog) -> Body {
    let state = State {
        events,
        encoder,
        log,
        done: false,
    };
    // The body is polled after the handler returned: keep the request's span around it so the
    // audit write at the end of the stream lands in the request's trace.
    let span = tracing::Span::current();
    Body::from_stream(stream::unfold(state, move |st| {
        next_frame(st).instrument(span.clone())
    }))
}

struct State<E> {
    events: PolicedStream,
    encoder: E,
    log: RequestLog,
    done: bool,
}

async fn next_frame<E: SseEncoder>(
    mut st: State<E>,
) -> Option<(Result<Bytes, std::convert::Infallible>, State<E>)> {
    if st.done {
        return None;
    }
    let mut out = BytesMut::new();
    loop {
        match st.events.next().await {
            Some(Ok(ev)) => {
                if let StreamEvent::Metadata { usage } = &ev {
                    st.log.set_usage(*usage);
                }
                st.encoder.event(&ev, &mut out);
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "stream failed after the reply started");
                st.encoder.error(&e, &mut out);
                st.log.add_decisions(st.events.take_decisions());
                st.log.set_cost(st.events.settle());
                let outcome = if e.code.as_deref().is_some_and(|c| c.starts_with("upstream")) {
                    Outcome::Failed
                } else {
                    Outcome::Blocked
                };
                st.log.finish(e.status.as_u16(), outcome, Some(e.label()));
                st.done = true;
            }
            None => {
                st.encoder.done(&mut out);
                st.log.add_decisions(st.events.take_decisions());
                if let Some(reply) = st.events.take_reply() {
                    st.log.set_reply(reply);
                }
                st.log.set_cost(st.events.settle());
                st.log.finish(200, Outcome::Served, None);
                st.done = true;
            }
        }
        if !out.is_empty() || st.done {
            st.log.mark_first_byte();
            return Some((Ok(out.freeze()), st));
        }
    }
}

//! Turning a policed event stream into an SSE body, for any front door's event vocabulary.
//!
//! The body writes each upstream event out as soon as it comes, together with any that came with
//! it (one write per burst, never waiting for more): nothing buffers the whole reply. The stream
//! carries the request's record (`pipeline::RecordedStream`), which is finished when the stream
//! ends, fails, or is dropped because the client went away.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::{FutureExt, stream};
use tracing::Instrument;

use crate::error::ApiError;
use crate::ir::StreamEvent;
use crate::pipeline::RecordedStream;

pub use crate::sse::SseEncoder;

/// A `text/event-stream` response streaming `events` in `encoder`'s dialect.
pub fn response<E: SseEncoder>(events: RecordedStream, encoder: E) -> Response {
    let mut response = Response::new(body(events, encoder));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The streamed response body.
pub fn body<E: SseEncoder>(events: RecordedStream, encoder: E) -> Body {
    let state = State {
        events,
        encoder,
        done: false,
        started: false,
    };
    // The body is polled after the handler returned: keep the request's span around it so the
    // audit write at the end of the stream lands in the request's trace.
    let span = tracing::Span::current();
    Body::from_stream(stream::unfold(state, move |st| {
        next_frame(st).instrument(span.clone())
    }))
}

struct State<E> {
    events: RecordedStream,
    encoder: E,
    done: bool,
    /// The first frame has gone out (later frames may carry several events).
    started: bool,
}

async fn next_frame<E: SseEncoder>(
    mut st: State<E>,
) -> Option<(Result<Bytes, std::convert::Infallible>, State<E>)> {
    if st.done {
        return None;
    }
    let mut out = BytesMut::new();
    loop {
        let item = st.events.next().await;
        encode(&mut st, item, &mut out);
        if !out.is_empty() || st.done {
            if st.started {
                take_ready(&mut st, &mut out).await;
            }
            st.started = true;
            st.events.mark_first_byte();
            return Some((Ok(out.freeze()), st));
        }
    }
}

/// A frame grows to at most this before it goes out, however many events are ready.
const FRAME_BYTES: usize = 16 * 1024;

/// Turns of the scheduler an event already in the socket takes to reach the stream: the HTTP
/// client's connection task passes on one chunk per turn, and the event-stream decoder above it
/// needs a second (measured: with one turn no event ever came through).
const IDLE_TURNS: u32 = 2;

/// Adds to `out` the events the upstream has already delivered, so a burst leaves in one write
/// instead of one `writev` per event (the kernel's share of a streamed chunk).
///
/// A poll that finds nothing lets the HTTP client's connection task run; if the next event was
/// already read from the socket it arrives within [`IDLE_TURNS`] turns, and if it was not the
/// upstream is quiet, so the frame leaves without waiting for it. Dropping a pending `next()`
/// loses nothing (the stream keeps its place). The first frame never waits, so the first byte
/// is as early as before.
async fn take_ready<E: SseEncoder>(st: &mut State<E>, out: &mut BytesMut) {
    let mut idle_turns = 0;
    let mut pulled = st.events.pulled();
    while !st.done && out.len() < FRAME_BYTES {
        match st.events.next().now_or_never() {
            Some(item) => {
                encode(st, item, out);
                idle_turns = 0;
            }
            // An event the reply policies hold back still shows the upstream is not quiet.
            None if st.events.pulled() != pulled => {
                pulled = st.events.pulled();
                idle_turns = 0;
            }
            None if idle_turns == IDLE_TURNS => return,
            None => {
                tokio::task::yield_now().await;
                idle_turns += 1;
            }
        }
    }
}

fn encode<E: SseEncoder>(
    st: &mut State<E>,
    item: Option<Result<StreamEvent, ApiError>>,
    out: &mut BytesMut,
) {
    match item {
        Some(Ok(ev)) => st.encoder.encode(&ev, out),
        Some(Err(e)) => {
            st.encoder.error(&e, out);
            st.done = true;
        }
        None => {
            st.encoder.done(out);
            st.done = true;
        }
    }
}

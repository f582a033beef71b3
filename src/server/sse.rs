//! Turning a policed event stream into an SSE body, for any front door's event vocabulary.
//!
//! The body pulls one upstream event at a time and writes it out at once: nothing buffers the
//! whole reply. The stream carries the request's record (`pipeline::RecordedStream`), which is
//! finished when the stream ends, fails, or is dropped because the client went away.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures_util::stream;
use tracing::Instrument;

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
            Some(Ok(ev)) => st.encoder.encode(&ev, &mut out),
            Some(Err(e)) => {
                st.encoder.error(&e, &mut out);
                st.done = true;
            }
            None => {
                st.encoder.done(&mut out);
                st.done = true;
            }
        }
        if !out.is_empty() || st.done {
            st.events.mark_first_byte();
            return Some((Ok(out.freeze()), st));
        }
    }
}

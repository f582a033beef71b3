//! The seam between a front door's event vocabulary and gw's streaming body: each API encodes IR
//! stream events as its own SSE frames, and the server streams whatever encoder the door hands
//! it. It sits below both doors and the server so each API implements it beside its wire types.

use bytes::BytesMut;

use crate::error::ApiError;
use crate::ir::StreamEvent;

/// A front door's SSE dialect: one encoder per response (it may remember state across events).
pub trait SseEncoder: Send + 'static {
    /// Appends the frames for one event (possibly none).
    fn encode(&mut self, event: &StreamEvent, out: &mut BytesMut);
    /// Appends the frame that tells the client the stream failed.
    fn error(&mut self, err: &ApiError, out: &mut BytesMut);
    /// Appends the frames that close a successful stream.
    fn done(&mut self, out: &mut BytesMut);
}

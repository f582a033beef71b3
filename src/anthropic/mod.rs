//! The Anthropic front door's wire layer: Messages API request, response, SSE and error shapes,
//! and the pure mapping between them and the neutral model in [`crate::ir`].
//!
//! Teams whose SDKs and coding agents speak the Messages API reach Bedrock through the same
//! pipeline as OpenAI clients; this module only translates. Nothing here does I/O: the handler
//! (`server::messages`) parses with [`from_json`], calls [`to_ir`], and renders replies with
//! [`message`], [`EventEncoder`] and [`error_response`].

mod betas;
mod content;
mod error;
mod request;
mod response;
mod stream;
mod types;

pub use betas::check_betas;
pub use error::{error_response, error_status, error_type, write_error_event};
pub use request::{Purpose, from_json, to_ir};
pub use response::{CountTokensResponse, message, stop_reason};
pub use stream::EventEncoder;
pub use types::*;

//! Translation between gw's neutral chat model (`crate::ir`) and the AWS SDK's Converse types.
//!
//! Pure functions, no I/O: the Bedrock provider calls [`capabilities`] and [`to_converse`] to
//! build a call, then [`from_converse`] or a [`StreamMapper`] to read the reply. Every Bedrock
//! rule that a gateway tends to get wrong (bedrock-wire §8) is enforced here, once, so front
//! doors and policies never see Converse's quirks.

pub mod caps;
pub mod document;
mod messages;
mod names;
pub mod native;
pub mod request;
pub mod response;
mod sdk;
pub mod stream;
mod tools;

pub use caps::{Capabilities, capabilities, family_label};
pub use document::{from_document, to_document};
pub use messages::{CONTINUE_TEXT, DOCUMENT_ONLY_TEXT, EMPTY_TOOL_RESULT_TEXT};
pub use request::{ConverseCall, DEFAULT_MAX_TOKENS, ReplyPlan, to_converse};
pub use response::from_converse;
pub use stream::StreamMapper;
pub use tools::JSON_TOOL;

#[cfg(test)]
mod test_support;

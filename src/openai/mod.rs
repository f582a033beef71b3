//! The OpenAI front door's wire layer: Chat Completions, embeddings and model-list types, and the
//! pure mapping between them and the neutral model in [`crate::ir`].
//!
//! Nothing here does I/O or knows about Bedrock: handlers parse with [`from_json`], call
//! [`to_ir`], and render replies with [`completion`], [`ChunkEncoder`] or
//! [`embeddings_response`]. Keeping the mapping pure keeps it unit-testable against the exact
//! JSON the official SDKs send.

pub mod batch;
mod embeddings;
mod images;
mod messages;
mod models;
mod multipart;
mod request;
mod response;
mod stream;
mod types;

pub use embeddings::{
    EmbeddingData, EmbeddingInput, EmbeddingJob, EmbeddingUsage, EmbeddingValue, EmbeddingsRequest,
    EmbeddingsResponse, Encoding, embeddings_response, parse_embeddings,
};
pub use images::{
    EditForm, ImagePrompt, ImagesRequest, ImagesResponse, images_response, parse_edit,
    parse_generation, read_edit_form,
};
pub use models::{ModelList, ModelObject};
pub use request::to_ir;
pub use response::completion;
pub use stream::{ChunkEncoder, done, finish_reason};
pub use types::*;

//! Providers: the seam between gw's neutral chat model and an upstream API.
//!
//! Routing, retries and policies talk to `dyn Provider`, never to the AWS SDK, so the request
//! path reads the same whatever sits behind a target. Today the one implementation is Bedrock.

pub mod bedrock;

use std::pin::Pin;

use futures_util::Stream;
use futures_util::future::BoxFuture;

use crate::error::ApiError;
use crate::ir::{ChatRequest, ChatResponse, StreamEvent};

/// A stream of reply events. An `Err` item ends the stream: the upstream failed mid-way.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<StreamEvent, ProviderError>> + Send>>;

/// One upstream behind a target.
pub trait Provider: Send + Sync {
    /// A whole reply at once.
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>>;

    /// A reply as events. Resolves once the upstream has accepted the call (headers received);
    /// failures after that arrive inside the stream.
    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream, ProviderError>>;

    /// Embedding vectors for each input text, in input order.
    fn embed<'a>(
        &'a self,
        req: &'a EmbedRequest,
    ) -> BoxFuture<'a, Result<Embeddings, ProviderError>>;

    /// Images for `call` (text-to-image, or an edit). Providers without image models answer a
    /// 400 that says so.
    fn images<'a>(&'a self, call: &'a ImageCall) -> BoxFuture<'a, Result<Images, ProviderError>> {
        let _ = call;
        Box::pin(async {
            Err(ProviderError::from(
                ApiError::invalid_request("this target cannot generate images")
                    .with_code("model_not_image"),
            ))
        })
    }

    /// Input tokens `req` would take (Anthropic `count_tokens`). Providers that cannot count
    /// answer a 400 that says so, rather than a guess.
    fn count_tokens<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<u64, ProviderError>> {
        let _ = req;
        Box::pin(async {
            Err(ProviderError::from(
                ApiError::invalid_request("this target cannot count tokens")
                    .with_code("count_tokens_unsupported"),
            ))
        })
    }
}

/// What `/v1/embeddings` asks of a provider.
#[derive(Debug, Clone, Default)]
pub struct EmbedRequest {
    pub texts: Vec<String>,
    pub dimensions: Option<u32>,
    /// Cohere's `input_type`; gw defaults it to `search_document`.
    pub input_type: Option<String>,
}

/// What `/v1/images/*` asks of a provider: the policed prompts and the job.
#[derive(Debug, Clone, Default)]
pub struct ImageCall {
    pub prompt: String,
    pub negative: Option<String>,
    pub job: crate::ir::ImageJob,
}

/// Base64 PNGs, as many as asked.
#[derive(Debug, Clone, Default)]
pub struct Images {
    pub images: Vec<String>,
}

/// Vectors plus the tokens the upstream counted.
#[derive(Debug, Clone, Default)]
pub struct Embeddings {
    pub vectors: Vec<Vec<f32>>,
    pub input_tokens: u64,
}

/// Why an upstream call failed, in the terms that decide what happens next: retry, fail over, or
/// tell the client. `api` is what the client sees if this is the last word.
#[derive(Debug, Clone)]
pub struct ProviderError {
    pub class: FailureClass,
    pub api: ApiError,
}

/// Failure classes, matching the pack's `retry_on` vocabulary plus the non-retryable rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// 429-style: throttled, quota, model not ready.
    Throttling,
    /// 5xx from the upstream.
    ServerError,
    /// No answer in time (first byte, idle stream, or overall).
    Timeout,
    /// The connection could not be made.
    Connect,
    /// The request itself is wrong or not allowed: retrying cannot help.
    Client,
}

impl FailureClass {
    /// Short label for attempt records and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Throttling => "throttled",
            Self::ServerError => "server_error",
            Self::Timeout => "timeout",
            Self::Connect => "connect_error",
            Self::Client => "client_error",
        }
    }
}

impl ProviderError {
    pub fn new(class: FailureClass, api: ApiError) -> Self {
        Self { class, api }
    }
}

impl From<ApiError> for ProviderError {
    /// Errors raised by gw itself before the call (translation) are the client's to fix.
    fn from(api: ApiError) -> Self {
        Self::new(FailureClass::Client, api)
    }
}

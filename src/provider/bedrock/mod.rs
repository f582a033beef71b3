//! The Bedrock provider: Converse, ConverseStream and InvokeModel through `aws-sdk-bedrockruntime`.
//!
//! Translation is pure (`crate::translate`); this file only drives the SDK: build the call, apply
//! the target's timeouts, and turn SDK results and errors into gw's neutral types.

pub mod batch;
pub mod client;
mod embed;
pub mod errors;
mod headers;
pub mod images;
mod invoke;

use std::collections::VecDeque;
use std::time::Duration;

use aws_sdk_bedrockruntime::Client;
use aws_sdk_bedrockruntime::types::{
    ConverseTokensRequest, CountTokensInput, GuardrailConfiguration, GuardrailStreamConfiguration,
    GuardrailTrace,
};
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, stream};

use crate::config::pack::{Guardrail, Target};
use crate::ir::{ChatRequest, ChatResponse, StreamEvent};
use crate::provider::{
    EmbedRequest, Embeddings, EventStream, FailureClass, ImageCall, Images, Provider, ProviderError,
};
use crate::translate::{self, Capabilities, StreamMapper};

use errors::CallSite;

/// Fills a Converse or ConverseStream request builder from a translated call. The two SDK
/// builders share every setter but no trait, hence a macro rather than a function.
macro_rules! converse_request {
    ($builder:expr, $model:expr, $call:expr, $guardrail_builder:ident, $guardrail:expr) => {{
        let guardrail = $guardrail.map(|g: &Guardrail| {
            $guardrail_builder::builder()
                .guardrail_identifier(&g.identifier)
                .guardrail_version(&g.version)
                .trace(trace(g))
                .build()
        });
        $builder
            .model_id($model)
            .set_messages(Some($call.messages))
            .set_system(non_empty($call.system))
            .set_inference_config($call.inference_config)
            .set_tool_config($call.tool_config)
            .set_additional_model_request_fields($call.additional_fields)
            .set_output_config($call.output_config)
            .set_request_metadata($call.request_metadata)
            .set_guardrail_config(guardrail)
    }};
}

/// A target served by Bedrock. Built once per pack load; the SDK client inside is reused.
pub struct BedrockProvider {
    client: Client,
    target_id: String,
    model: String,
    region: String,
    caps: Capabilities,
    guardrail: Option<Guardrail>,
    timeout: Duration,
    /// Streams: from sending the call to the first event (`first_byte_timeout_seconds`).
    first_byte: Duration,
    stream_idle: Duration,
}

impl BedrockProvider {
    /// Wraps a built SDK client with the target's settings.
    pub fn new(client: Client, target: &Target) -> Self {
        Self {
            client,
            target_id: target.id.clone(),
            model: target.model.clone(),
            region: target.aws_region.clone(),
            caps: translate::capabilities(&target.model, target.family),
            guardrail: target.guardrail.clone(),
            timeout: Duration::from_secs(target.timeout_seconds),
            first_byte: Duration::from_secs(
                target
                    .first_byte_timeout_seconds
                    .unwrap_or(target.timeout_seconds),
            ),
            stream_idle: Duration::from_secs(target.stream_timeout_seconds),
        }
    }

    /// The capabilities inferred for this target's model.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn site(&self) -> CallSite<'_> {
        CallSite {
            target: &self.target_id,
            model: &self.model,
            region: &self.region,
        }
    }

    async fn converse(&self, req: &ChatRequest) -> Result<ChatResponse, ProviderError> {
        let call = translate::to_converse(req, &self.caps)?;
        let send = converse_request!(
            self.client.converse(),
            &self.model,
            call,
            GuardrailConfiguration,
            self.guardrail.as_ref()
        )
        .send();
        let out = match tokio::time::timeout(self.timeout, send).await {
            Ok(Ok(out)) => out,
            Ok(Err(err)) => return Err(errors::from_sdk(&err, self.site())),
            Err(_) => return Err(self.timed_out()),
        };
        Ok(translate::from_converse(out, &call.plan)?)
    }

    async fn converse_stream(&self, req: &ChatRequest) -> Result<EventStream, ProviderError> {
        let call = translate::to_converse(req, &self.caps)?;
        let send = converse_request!(
            self.client.converse_stream(),
            &self.model,
            call,
            GuardrailStreamConfiguration,
            self.guardrail.as_ref()
        )
        .send();
        let started = tokio::time::Instant::now();
        let first_by = started + self.first_byte.min(self.timeout);
        let out = match tokio::time::timeout_at(first_by, send).await {
            Ok(Ok(out)) => out,
            Ok(Err(err)) => return Err(errors::from_sdk(&err, self.site())),
            Err(_) if self.first_byte < self.timeout => {
                return Err(first_byte_timeout(self.site()));
            }
            Err(_) => return Err(self.timed_out()),
        };
        let state = StreamState {
            receiver: out.stream,
            mapper: StreamMapper::new(call.plan),
            pending: VecDeque::new(),
            scratch: Vec::new(),
            idle: self.stream_idle,
            deadline: Box::pin(tokio::time::sleep_until(first_by)),
            first_event: true,
            site: OwnedSite {
                target: self.target_id.clone(),
                model: self.model.clone(),
                region: self.region.clone(),
            },
            finished: false,
        };
        Ok(Box::pin(stream::unfold(state, next_event)))
    }

    fn timed_out(&self) -> ProviderError {
        errors::upstream_timeout(format!(
            "target `{}` did not answer within its timeout_seconds ({}s)",
            self.target_id,
            self.timeout.as_secs()
        ))
    }
}

fn trace(g: &Guardrail) -> GuardrailTrace {
    if g.trace {
        GuardrailTrace::Enabled
    } else {
        GuardrailTrace::Disabled
    }
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    if v.is_empty() { None } else { Some(v) }
}

impl Provider for BedrockProvider {
    fn chat<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
        self.converse(req).boxed()
    }

    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<EventStream, ProviderError>> {
        self.converse_stream(req).boxed()
    }

    fn embed<'a>(
        &'a self,
        req: &'a EmbedRequest,
    ) -> BoxFuture<'a, Result<Embeddings, ProviderError>> {
        embed::embed(self, req).boxed()
    }

    fn count_tokens<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<u64, ProviderError>> {
        self.count(req).boxed()
    }

    fn images<'a>(&'a self, call: &'a ImageCall) -> BoxFuture<'a, Result<Images, ProviderError>> {
        images::generate(self, call).boxed()
    }
}

/// Geography prefixes of cross-region inference profiles (`us.anthropic.…`).
const GEO_PREFIXES: &[&str] = &["us", "eu", "apac", "global", "jp", "au", "ca", "us-gov"];

/// The foundation-model id CountTokens needs: a profile's geography prefix stripped, the id
/// taken out of a foundation-model or system profile ARN. `None` for application inference
/// profiles, whose model Bedrock alone knows.
fn foundation_model(model: &str) -> Option<&str> {
    let id = if model.starts_with("arn:") {
        let (_, rest) = model.split_once(":foundation-model/").or_else(|| {
            model
                .split_once(":inference-profile/")
                .filter(|(head, _)| !head.ends_with("application"))
        })?;
        rest
    } else {
        model
    };
    match id.split_once('.') {
        Some((geo, rest)) if GEO_PREFIXES.contains(&geo) && rest.contains('.') => Some(rest),
        _ => Some(id),
    }
}

impl BedrockProvider {
    /// Bedrock CountTokens over the same Converse translation a real call would send.
    async fn count(&self, req: &ChatRequest) -> Result<u64, ProviderError> {
        let unsupported = |why: String| {
            ProviderError::from(
                crate::error::ApiError::invalid_request(why).with_code("count_tokens_unsupported"),
            )
        };
        let Some(model) = foundation_model(&self.model) else {
            return Err(unsupported(format!(
                "target `{}` calls an application inference profile; Bedrock counts tokens only \
                 for foundation model ids, so count_tokens is not available for it",
                self.target_id
            )));
        };
        let call = translate::to_converse(req, &self.caps)?;
        let input = ConverseTokensRequest::builder()
            .set_messages(Some(call.messages))
            .set_system(non_empty(call.system))
            .set_tool_config(call.tool_config)
            .set_additional_model_request_fields(call.additional_fields)
            .build();
        let send = self
            .client
            .count_tokens()
            .model_id(model)
            .input(CountTokensInput::Converse(input))
            .send();
        let err = match tokio::time::timeout(self.timeout, send).await {
            Ok(Ok(out)) => return Ok(u64::try_from(out.input_tokens()).unwrap_or(0)),
            Ok(Err(err)) => err,
            Err(_) => return Err(self.timed_out()),
        };
        use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
        let no_counting = err.code() == Some("ValidationException")
            && err
                .message()
                .is_some_and(|m| m.to_ascii_lowercase().contains("count"));
        if no_counting {
            return Err(unsupported(format!(
                "model `{model}` (target `{}`) does not support token counting on Bedrock; \
                 count_tokens works for Anthropic Claude models",
                self.target_id
            )));
        }
        Err(errors::from_sdk(&err, self.site()))
    }
}

struct OwnedSite {
    target: String,
    model: String,
    region: String,
}

impl OwnedSite {
    fn borrow(&self) -> CallSite<'_> {
        CallSite {
            target: &self.target,
            model: &self.model,
            region: &self.region,
        }
    }
}

use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;

type Receiver = aws_sdk_bedrockruntime::primitives::event_stream::EventReceiver<
    aws_sdk_bedrockruntime::types::ConverseStreamOutput,
    ConverseStreamOutputError,
>;

/// The state of one streamed reply: SDK events come in, IR events go out as soon as they exist.
struct StreamState {
    receiver: Receiver,
    mapper: StreamMapper,
    pending: VecDeque<StreamEvent>,
    scratch: Vec<StreamEvent>,
    idle: Duration,
    /// One timer for the whole stream, moved forward on every event rather than armed anew:
    /// until the first event it is the time-to-first-byte deadline, then the idle gap.
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    /// No event yet, so an expired deadline is a first-byte timeout, not an idle one.
    first_event: bool,
    site: OwnedSite,
    finished: bool,
}

async fn next_event(
    mut st: StreamState,
) -> Option<(Result<StreamEvent, ProviderError>, StreamState)> {
    loop {
        if let Some(ev) = st.pending.pop_front() {
            return Some((Ok(ev), st));
        }
        if st.finished {
            return None;
        }
        if !st.first_event {
            // The gap is counted from when the caller asks for more, as a slow reader is not
            // a silent upstream.
            let next = tokio::time::Instant::now() + st.idle;
            st.deadline.as_mut().reset(next);
        }
        let recv = tokio::select! {
            biased;
            got = st.receiver.recv() => Ok(got),
            () = st.deadline.as_mut() => Err(()),
        };
        match recv {
            Ok(Ok(Some(ev))) => {
                st.first_event = false;
                st.mapper.map(ev, &mut st.scratch);
                st.pending.extend(st.scratch.drain(..));
            }
            Ok(Ok(None)) => {
                st.finished = true;
                if !st.mapper.saw_message_stop() {
                    let err = stream_cut(st.site.borrow());
                    return Some((Err(err), st));
                }
            }
            Ok(Err(err)) => {
                st.finished = true;
                let err = stream_error(&err, st.site.borrow());
                return Some((Err(err), st));
            }
            Err(_) => {
                st.finished = true;
                let err = if st.first_event {
                    first_byte_timeout(st.site.borrow())
                } else {
                    idle_timeout(st.site.borrow(), st.idle)
                };
                return Some((Err(err), st));
            }
        }
    }
}

/// In-stream exceptions carry no error code in their metadata, so the variant names the class.
fn stream_error(
    err: &aws_sdk_bedrockruntime::error::SdkError<
        ConverseStreamOutputError,
        aws_smithy_types::event_stream::RawMessage,
    >,
    site: CallSite<'_>,
) -> ProviderError {
    use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
    let aws_sdk_bedrockruntime::error::SdkError::ServiceError(service) = err else {
        return errors::from_sdk(err, site);
    };
    let e = service.err();
    let name = match e {
        ConverseStreamOutputError::ThrottlingException(_) => "ThrottlingException",
        ConverseStreamOutputError::ModelStreamErrorException(_) => "ModelStreamErrorException",
        ConverseStreamOutputError::ValidationException(_) => "ValidationException",
        ConverseStreamOutputError::ServiceUnavailableException(_) => "ServiceUnavailableException",
        ConverseStreamOutputError::InternalServerException(_) => "InternalServerException",
        _ => e.code().unwrap_or("Unknown"),
    };
    errors::from_code(name, e.message().unwrap_or(""), site)
}

fn stream_cut(site: CallSite<'_>) -> ProviderError {
    ProviderError::new(
        FailureClass::ServerError,
        crate::error::ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            crate::error::ErrorKind::Server,
            format!(
                "the stream from target `{}` ended before the model finished",
                site.target
            ),
        )
        .with_code("upstream_stream_cut"),
    )
}

fn first_byte_timeout(site: CallSite<'_>) -> ProviderError {
    errors::upstream_timeout(format!(
        "target `{}` sent no event within first_byte_timeout_seconds",
        site.target
    ))
}

fn idle_timeout(site: CallSite<'_>, idle: Duration) -> ProviderError {
    errors::upstream_timeout(format!(
        "target `{}` sent nothing for {}s (stream_timeout_seconds)",
        site.target,
        idle.as_secs()
    ))
}

#[cfg(test)]
mod tests {
    use super::foundation_model;

    #[test]
    fn count_tokens_model_ids() {
        let cases = [
            (
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                Some("anthropic.claude-sonnet-4-5-20250929-v1:0"),
            ),
            (
                "global.anthropic.claude-x-v1:0",
                Some("anthropic.claude-x-v1:0"),
            ),
            ("anthropic.claude-x-v1:0", Some("anthropic.claude-x-v1:0")),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-x-v1:0",
                Some("anthropic.claude-x-v1:0"),
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-x-v1:0",
                Some("anthropic.claude-x-v1:0"),
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2",
                None,
            ),
        ];
        for (model, want) in cases {
            assert_eq!(foundation_model(model), want, "{model}");
        }
    }
}

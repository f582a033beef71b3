//! One InvokeModel call with a JSON body and a JSON reply, under the target's timeout: the
//! embedding and image doors both speak to Bedrock this way.

use aws_smithy_types::Blob;
use futures_util::future::Either;
use serde_json::Value;

use super::BedrockProvider;
use super::errors;
use super::headers::InputTokenCount;
use crate::error::{ApiError, ErrorKind};
use crate::provider::{FailureClass, ProviderError};

/// Sends `body` to the target's model; `counter` (when given) reads the token-count headers.
/// `what` names the reply in the error when it is not JSON (`an embedding response`).
pub async fn invoke_json(
    p: &BedrockProvider,
    body: &Value,
    counter: Option<&InputTokenCount>,
    what: &str,
) -> Result<Value, ProviderError> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| ProviderError::from(ApiError::internal(e.to_string())))?;
    let call = p
        .client
        .invoke_model()
        .model_id(&p.model)
        .content_type("application/json")
        .accept("application/json")
        .body(Blob::new(bytes));
    // Only a call that needs the token headers pays for a customized operation.
    let send = match counter {
        None => Either::Left(call.send()),
        Some(c) => Either::Right(call.customize().interceptor(c.clone()).send()),
    };
    let out = match tokio::time::timeout(p.timeout, send).await {
        Ok(Ok(out)) => out,
        Ok(Err(err)) => return Err(errors::from_sdk(&err, p.site())),
        Err(_) => return Err(p.timed_out()),
    };
    serde_json::from_slice(out.body().as_ref()).map_err(|_| bad_body(p, what))
}

/// A reply gw could not read, naming the target and what it was.
pub fn bad_body(p: &BedrockProvider, what: &str) -> ProviderError {
    ProviderError::new(
        FailureClass::ServerError,
        ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            ErrorKind::Server,
            format!("target `{}` returned {what} gw could not read", p.target_id),
        )
        .with_code("upstream_bad_response"),
    )
}

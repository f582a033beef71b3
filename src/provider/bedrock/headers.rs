//! Small SDK interceptors: the target's extra headers on every call, and the token counts Bedrock
//! reports only in InvokeModel response headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_bedrockruntime::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use http::{HeaderName, HeaderValue};

/// Adds a target's `headers:` to every request before it is signed.
#[derive(Debug)]
pub struct ExtraHeaders(pub Vec<(HeaderName, HeaderValue)>);

impl Intercept for ExtraHeaders {
    fn name(&self) -> &'static str {
        "gw.extra-headers"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request_mut().headers_mut();
        for (name, value) in &self.0 {
            headers.insert(name.as_str().to_string(), value.to_str()?.to_string());
        }
        Ok(())
    }
}

/// Reads `X-Amzn-Bedrock-Input-Token-Count` off an InvokeModel response.
#[derive(Debug, Clone, Default)]
pub struct InputTokenCount(pub Arc<AtomicU64>);

impl Intercept for InputTokenCount {
    fn name(&self) -> &'static str {
        "gw.input-token-count"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let count = context
            .response()
            .headers()
            .get("x-amzn-bedrock-input-token-count")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        self.0.fetch_add(count, Ordering::Relaxed);
        Ok(())
    }
}

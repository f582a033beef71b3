//! Bedrock failures → [`ProviderError`]: the HTTP status and OpenAI error a client sees, and the
//! failure class routing uses to decide on retries.
//!
//! Messages tell the caller what to do (enable model access, use an inference profile, slow down)
//! and never carry AWS account ids or ARNs from upstream text.

use std::sync::LazyLock;

use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use axum::http::StatusCode;
use regex::Regex;

use crate::error::{ApiError, ErrorKind};
use crate::provider::{FailureClass, ProviderError};

/// Where the failing call went, for messages that say what to fix.
#[derive(Debug, Clone, Copy)]
pub struct CallSite<'a> {
    pub target: &'a str,
    pub model: &'a str,
    pub region: &'a str,
}

/// Maps any SDK error (service, transport, timeout) to a provider error.
pub fn from_sdk<E, R>(err: &SdkError<E, R>, site: CallSite<'_>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            from_code(
                e.code().unwrap_or("Unknown"),
                e.message().unwrap_or(""),
                site,
            )
        }
        SdkError::TimeoutError(_) => timeout(site),
        SdkError::DispatchFailure(failure) => {
            if failure.is_timeout() {
                timeout(site)
            } else {
                connect(site)
            }
        }
        SdkError::ResponseError(_) => ProviderError::new(
            FailureClass::ServerError,
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                ErrorKind::Server,
                format!("target `{}` sent a response gw could not read", site.target),
            )
            .with_code("upstream_bad_response"),
        ),
        _ => {
            // Construction failures: usually missing credentials or region.
            let detail =
                scrub(&aws_smithy_types::error::display::DisplayErrorContext(err).to_string());
            ProviderError::new(
                FailureClass::Client,
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    ErrorKind::Server,
                    format!(
                        "gw could not call target `{}`: {detail}. Check the target's credentials \
                         (aws_access_key_env, aws_profile, api_key_env or the default AWS chain)",
                        site.target
                    ),
                )
                .with_code("upstream_unavailable"),
            )
        }
    }
}

/// Maps a Bedrock exception name and message (HTTP or in-stream) to a provider error.
pub fn from_code(code: &str, message: &str, site: CallSite<'_>) -> ProviderError {
    let msg = scrub(message);
    // HTTP errors name the exception `ThrottlingException`; in-stream frames `throttlingException`.
    let name = code.trim_end_matches("Exception").to_ascii_lowercase();
    let (class, api) = match name.as_str() {
        "validation" => (FailureClass::Client, validation(&msg, site)),
        "accessdenied" => (
            FailureClass::Client,
            ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorKind::Permission,
                format!(
                    "Bedrock denied access to `{}` in {}: enable model access for it in the Bedrock \
                     console of that region, and allow bedrock:InvokeModel (and \
                     InvokeModelWithResponseStream) on the model and any inference profile ({msg})",
                    site.model, site.region
                ),
            )
            .with_code("model_access_denied"),
        ),
        "resourcenotfound" => (
            FailureClass::Client,
            ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorKind::NotFound,
                format!(
                    "Bedrock does not know model `{}` in {}: check the id, or whether the model is \
                     offered in that region ({msg})",
                    site.model, site.region
                ),
            )
            .with_code("model_not_found"),
        ),
        "throttling" => (
            FailureClass::Throttling,
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorKind::RateLimit,
                format!("Bedrock throttled target `{}`; retry shortly ({msg})", site.target),
            )
            .with_code("rate_limit_exceeded")
            .with_retry_after(1),
        ),
        "servicequotaexceeded" => (
            FailureClass::Throttling,
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorKind::RateLimit,
                format!(
                    "the AWS account's Bedrock quota for `{}` is exhausted; ask for a quota \
                     increase or retry later ({msg})",
                    site.model
                ),
            )
            .with_code("quota_exceeded")
            .with_retry_after(5),
        ),
        "modelnotready" => (
            FailureClass::Throttling,
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::Server,
                format!("model `{}` is still loading; retry shortly", site.model),
            )
            .with_code("model_not_ready")
            .with_retry_after(2),
        ),
        "modeltimeout" => (
            FailureClass::Timeout,
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                ErrorKind::Timeout,
                format!("model `{}` took too long to answer ({msg})", site.model),
            )
            .with_code("upstream_timeout"),
        ),
        "modelerror" | "modelstreamerror" => (
            FailureClass::ServerError,
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                ErrorKind::Server,
                format!("model `{}` failed while answering ({msg})", site.model),
            )
            .with_code("upstream_model_error"),
        ),
        "serviceunavailable" => (
            FailureClass::ServerError,
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::Server,
                format!("Bedrock is unavailable for target `{}`; retry shortly", site.target),
            )
            .with_code("upstream_unavailable")
            .with_retry_after(1),
        ),
        "unrecognizedclient" | "invalidsignature" | "missingauthenticationtoken" | "expiredtoken" => (
            FailureClass::Client,
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                ErrorKind::Server,
                format!(
                    "Bedrock rejected gw's credentials for target `{}` ({msg}); the gateway's \
                     operator must fix the target's AWS credentials",
                    site.target
                ),
            )
            .with_code("upstream_auth_failed"),
        ),
        _ => (
            FailureClass::ServerError,
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorKind::Server,
                format!("Bedrock failed on target `{}` ({code}: {msg})", site.target),
            )
            .with_code("upstream_error"),
        ),
    };
    ProviderError::new(class, api)
}

fn validation(msg: &str, site: CallSite<'_>) -> ApiError {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("on-demand throughput") {
        return ApiError::invalid_request(format!(
            "model `{}` cannot be called on demand in {}: point the target at an inference \
             profile instead, e.g. `us.{}` or `global.{}`",
            site.model, site.region, site.model, site.model
        ))
        .with_code("inference_profile_required");
    }
    let too_long = [
        "too long",
        "context length",
        "input is too long",
        "max_tokens_to_sample",
        "exceeds the context",
    ];
    if too_long.iter().any(|p| lower.contains(p)) {
        return ApiError::invalid_request(format!(
            "the prompt is too long for `{}`: {msg}",
            site.model
        ))
        .with_code("context_length_exceeded");
    }
    ApiError::invalid_request(format!("Bedrock rejected the request: {msg}"))
        .with_code("invalid_request")
}

fn timeout(site: CallSite<'_>) -> ProviderError {
    upstream_timeout(format!("target `{}` did not answer in time", site.target))
}

/// A 504 `upstream_timeout`: retryable as a timeout, whichever limit ran out.
pub fn upstream_timeout(message: String) -> ProviderError {
    ProviderError::new(
        FailureClass::Timeout,
        ApiError::new(StatusCode::GATEWAY_TIMEOUT, ErrorKind::Timeout, message)
            .with_code("upstream_timeout"),
    )
}

fn connect(site: CallSite<'_>) -> ProviderError {
    ProviderError::new(
        FailureClass::Connect,
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorKind::Server,
            format!("gw could not connect to target `{}`", site.target),
        )
        .with_code("upstream_unreachable"),
    )
}

/// Removes account ids, ARNs and access key ids from upstream text before a client sees it.
#[expect(
    clippy::expect_used,
    reason = "a constant pattern, compiled by the tests that cover scrub"
)]
pub fn scrub(text: &str) -> String {
    static SECRETS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"arn:aws[a-z-]*:[^\s'`]+|\b\d{12}\b|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
            .expect("static regex compiles")
    });
    let trimmed = text.trim();
    let short = match trimmed.char_indices().nth(500) {
        Some((i, _)) => &trimmed[..i],
        None => trimmed,
    };
    SECRETS.replace_all(short, "<redacted>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: CallSite<'static> = CallSite {
        target: "t1",
        model: "anthropic.claude-sonnet-4-20250514-v1:0",
        region: "us-east-1",
    };

    #[test]
    fn on_demand_validation_suggests_profile() {
        let e = from_code(
            "ValidationException",
            "Invocation of model ID anthropic.claude-sonnet-4-20250514-v1:0 with on-demand throughput isn't supported.",
            SITE,
        );
        assert_eq!(e.class, FailureClass::Client);
        assert_eq!(e.api.status, StatusCode::BAD_REQUEST);
        assert!(
            e.api
                .message
                .contains("`us.anthropic.claude-sonnet-4-20250514-v1:0`")
        );
    }

    #[test]
    fn throttling_is_retryable_429_with_retry_after() {
        let e = from_code("ThrottlingException", "Too many requests", SITE);
        assert_eq!(e.class, FailureClass::Throttling);
        assert_eq!(e.api.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.api.retry_after, Some(1));
        assert_eq!(e.api.kind.as_str(), "rate_limit_error");
    }

    #[test]
    fn access_denied_names_region_and_hides_account() {
        let e = from_code(
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/x is not authorized 123456789012",
            SITE,
        );
        assert_eq!(e.api.status, StatusCode::FORBIDDEN);
        assert!(e.api.message.contains("us-east-1"));
        assert!(!e.api.message.contains("123456789012"), "{}", e.api.message);
    }

    #[test]
    fn in_stream_exception_names_are_recognised() {
        let e = from_code("modelStreamErrorException", "boom", SITE);
        assert_eq!(e.api.code.as_deref(), Some("upstream_model_error"));
        assert_eq!(
            from_code("throttlingException", "x", SITE).class,
            FailureClass::Throttling
        );
    }

    #[test]
    fn every_exception_has_its_status() {
        let cases = [
            ("ModelTimeoutException", 504),
            ("ModelErrorException", 502),
            ("ModelStreamErrorException", 502),
            ("InternalServerException", 500),
            ("ServiceUnavailableException", 503),
            ("ModelNotReadyException", 503),
            ("ServiceQuotaExceededException", 429),
            ("ResourceNotFoundException", 404),
        ];
        for (code, status) in cases {
            assert_eq!(
                from_code(code, "x", SITE).api.status.as_u16(),
                status,
                "{code}"
            );
        }
    }
}

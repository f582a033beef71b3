//! Builds the one AWS SDK client each target keeps for its lifetime.
//!
//! Credentials come from the pack's *names* (env vars, a profile, a role), never from secrets in the
//! pack. gw owns retries and timeouts (see `routing`), so the SDK's own retries are off and only
//! the target's `connect_timeout_ms` is set here.

use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_bedrockruntime::Client;
use aws_sdk_bedrockruntime::config::{
    Builder, Credentials, Region, SharedCredentialsProvider, StalledStreamProtectionConfig, Token,
};
use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::headers::ExtraHeaders;
use crate::config::pack::Target;

/// Where a target's endpoint is when the pack says `base_url: emulator`.
#[derive(Debug, Clone)]
pub struct EmulatorEndpoint {
    pub url: String,
    /// The emulator's S3 endpoint (batch input and output), when it serves one.
    pub s3_url: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Why a client could not be built (shown at start and on reload, never to API clients).
#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    #[error("target `{target}`: env var `{var}` (named by {key}) is not set")]
    MissingEnv {
        target: String,
        key: &'static str,
        var: String,
    },
    #[error("target `{target}`: header `{name}` is not a valid HTTP header")]
    BadHeader { target: String, name: String },
}

/// Builds the SDK client for one target.
pub async fn build(
    target: &Target,
    emulator: Option<&EmulatorEndpoint>,
) -> Result<Client, ClientBuildError> {
    let base = base_config(target, emulator).await?;
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(target.connect_timeout_ms))
        .build();
    let mut conf = Builder::from(&base)
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts)
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled());
    if emulator.is_none() {
        if let Some(url) = &target.base_url {
            conf = conf.endpoint_url(url);
        }
        if let Some(var) = &target.api_key_env {
            let key = env(target, "api_key_env", var)?;
            conf = conf
                .bearer_token(Token::new(key, None))
                .auth_scheme_preference([HTTP_BEARER_AUTH_SCHEME_ID]);
        }
    }
    if let Some(h) = extra_headers(target)? {
        conf = conf.interceptor(h);
    }
    Ok(Client::from_conf(conf.build()))
}

/// The AWS configuration every client of a target shares (Bedrock Runtime, and for batch the
/// Bedrock control plane and S3): its region and credentials, and for the emulator its endpoint
/// and key pair.
pub async fn base_config(
    target: &Target,
    emulator: Option<&EmulatorEndpoint>,
) -> Result<SdkConfig, ClientBuildError> {
    let region = Region::new(target.aws_region.clone());
    if let Some(emu) = emulator {
        let creds = Credentials::new(
            &emu.access_key_id,
            &emu.secret_access_key,
            None,
            None,
            "gw-emulator",
        );
        return Ok(SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region)
            .endpoint_url(&emu.url)
            .credentials_provider(SharedCredentialsProvider::new(creds))
            .build());
    }

    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region.clone());
    if let Some(profile) = &target.aws_profile {
        loader = loader.profile_name(profile);
    }
    let base = loader.load().await;

    let mut source: Option<SharedCredentialsProvider> = None;
    if let (Some(akid_var), Some(secret_var)) =
        (&target.aws_access_key_env, &target.aws_secret_key_env)
    {
        let akid = env(target, "aws_access_key_env", akid_var)?;
        let secret = env(target, "aws_secret_key_env", secret_var)?;
        let token = match &target.aws_session_token_env {
            Some(var) => Some(env(target, "aws_session_token_env", var)?),
            None => None,
        };
        source = Some(SharedCredentialsProvider::new(Credentials::new(
            akid,
            secret,
            token,
            None,
            "gw-pack-env",
        )));
    }

    if let Some(role) = &target.assume_role {
        let mut builder = AssumeRoleProvider::builder(&role.role_arn)
            .session_name(role.session_name.clone().unwrap_or_else(|| "gw".into()))
            .region(region.clone());
        if let Some(ext) = &role.external_id {
            builder = builder.external_id(ext);
        }
        let provider = match source.take() {
            Some(src) => builder.configure(&base).build_from_provider(src).await,
            None => builder.configure(&base).build().await,
        };
        source = Some(SharedCredentialsProvider::new(provider));
    }

    Ok(match source {
        Some(src) => base.into_builder().credentials_provider(src).build(),
        None => base,
    })
}

fn extra_headers(target: &Target) -> Result<Option<ExtraHeaders>, ClientBuildError> {
    if target.headers.is_empty() {
        return Ok(None);
    }
    let bad = |name: &str| ClientBuildError::BadHeader {
        target: target.id.clone(),
        name: name.to_string(),
    };
    let headers = target
        .headers
        .iter()
        .map(|(k, v)| {
            let name = http::HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad(k))?;
            let value = http::HeaderValue::from_str(v).map_err(|_| bad(k))?;
            Ok((name, value))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ExtraHeaders(headers)))
}

fn env(target: &Target, key: &'static str, var: &str) -> Result<String, ClientBuildError> {
    std::env::var(var).map_err(|_| ClientBuildError::MissingEnv {
        target: target.id.clone(),
        key,
        var: var.to_string(),
    })
}

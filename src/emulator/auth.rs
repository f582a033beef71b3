//! SigV4 and bearer-key checks, with the exact 403s AWS returns.
//!
//! gw must sign with signing name `bedrock` and the right secret; a fake that accepted anything
//! would hide those bugs. The signature is recomputed with the `aws-sigv4` crate over the method,
//! the raw path and query, the headers the client listed as signed and the exact body bytes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::HeaderMap;

use super::AuthSeen;
use super::EmulatorConfig;
use super::wire::ApiError;

/// Clock skew AWS tolerates between `x-amz-date` and its own clock.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

const BAD_SIGNATURE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const BAD_TOKEN: &str = "The security token included in the request is invalid.";

/// The parts of an `AWS4-HMAC-SHA256` authorization header.
struct SigV4Header<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_sigv4(value: &str) -> Result<SigV4Header<'_>, ApiError> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256")
        .map(str::trim_start)
        .ok_or_else(|| {
            ApiError::auth(
                "IncompleteSignatureException",
                format!(
                    "Authorization header requires 'Credential' parameter. Authorization={value}"
                ),
            )
        })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        ApiError::auth(
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter. Authorization={value}"),
        )
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(ApiError::auth(
            "IncompleteSignatureException",
            format!("Credential should have 5 slash-separated parts: {credential}"),
        ));
    };
    Ok(SigV4Header {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Reads which auth the request carried, without judging it.
pub(crate) fn seen(headers: &HeaderMap) -> AuthSeen {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return AuthSeen::None;
    };
    if value.starts_with("Bearer ") {
        return AuthSeen::Bearer;
    }
    match parse_sigv4(value) {
        Ok(h) => AuthSeen::SigV4 {
            access_key_id: h.access_key_id.to_owned(),
            region: h.region.to_owned(),
            service: h.service.to_owned(),
        },
        Err(_) => AuthSeen::None,
    }
}

/// Parses `yyyymmddThhmmssZ` into a point in time.
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

fn format_amz_date(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let days = i64::try_from(secs / 86_400).unwrap_or_default();
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Compares two byte strings without an early exit, so timing reveals nothing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the request's auth; `Ok` means the request may proceed.
pub(crate) fn verify(
    config: &EmulatorConfig,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    if !config.verify_signatures {
        return Ok(());
    }
    let Some(value) = headers.get("authorization") else {
        return Err(ApiError::auth(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let value = value.to_str().map_err(|_| {
        ApiError::auth(
            "IncompleteSignatureException",
            "Invalid Authorization header.",
        )
    })?;
    if let Some(key) = value.strip_prefix("Bearer ") {
        let known = config
            .api_keys
            .iter()
            .any(|k| constant_time_eq(k.as_bytes(), key.trim().as_bytes()));
        return if known {
            Ok(())
        } else {
            Err(ApiError::auth("UnrecognizedClientException", BAD_TOKEN))
        };
    }
    let h = parse_sigv4(value)?;
    let Some(secret) = config
        .credentials
        .iter()
        .find(|(akid, _)| akid == h.access_key_id)
        .map(|(_, s)| s.as_str())
    else {
        return Err(ApiError::auth("UnrecognizedClientException", BAD_TOKEN));
    };
    if h.service != "bedrock" {
        return Err(ApiError::auth(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'bedrock'. ",
        ));
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::auth(
                "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            )
        })?;
    let time = parse_amz_date(amz_date).ok_or_else(|| {
        ApiError::auth(
            "IncompleteSignatureException",
            format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
        )
    })?;
    check_skew(time, amz_date)?;
    if !amz_date.starts_with(h.date) {
        return Err(ApiError::auth("InvalidSignatureException", BAD_SIGNATURE));
    }
    let expected = compute_signature(&h, secret, time, method, path_and_query, headers, body)?;
    if constant_time_eq(expected.as_bytes(), h.signature.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::auth("InvalidSignatureException", BAD_SIGNATURE))
    }
}

fn check_skew(time: SystemTime, amz_date: &str) -> Result<(), ApiError> {
    let now = SystemTime::now();
    let now_s = format_amz_date(now);
    if time + MAX_SKEW < now {
        let edge = format_amz_date(now - MAX_SKEW);
        return Err(ApiError::auth(
            "InvalidSignatureException",
            format!("Signature expired: {amz_date} is now earlier than {edge} ({now_s} - 5 min.)"),
        ));
    }
    if time > now + MAX_SKEW {
        let edge = format_amz_date(now + MAX_SKEW);
        return Err(ApiError::auth(
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {amz_date} is still later than {edge} ({now_s} + 5 min.)"
            ),
        ));
    }
    Ok(())
}

fn compute_signature(
    h: &SigV4Header<'_>,
    secret: &str,
    time: SystemTime,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, ApiError> {
    let mismatch = || ApiError::auth("InvalidSignatureException", BAD_SIGNATURE);
    // Only the headers the client signed take part, multi-valued ones joined as AWS does.
    let mut signed: Vec<(&str, String)> = Vec::with_capacity(h.signed_headers.len());
    let mut host = "localhost".to_owned();
    for name in &h.signed_headers {
        let values: Vec<&str> = headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(mismatch());
        }
        if *name == "host" {
            host = values[0].to_owned();
        }
        signed.push((name, values.join(",")));
    }
    let uri = format!("http://{host}{path_and_query}");
    let identity: Identity =
        Credentials::new(h.access_key_id, secret, None, None, "emulator").into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(h.region)
        .name(h.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|_| mismatch())?;
    let params = params.into();
    let request = SignableRequest::new(
        method,
        uri,
        signed.iter().map(|(n, v)| (*n, v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|_| mismatch())?;
    let out = sign(request, &params).map_err(|_| mismatch())?;
    Ok(out.signature().to_owned())
}

/// Request headers as recorded for tests: lower-case names, the `authorization` value hidden.
pub(crate) fn recorded_headers(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let value = if k == "authorization" {
                "<redacted>".to_owned()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (k.as_str().to_owned(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_round_trips() {
        let t = parse_amz_date("20240229T235959Z").expect("valid date");
        assert_eq!(format_amz_date(t), "20240229T235959Z");
        assert!(parse_amz_date("2024-02-29T23:59:59Z").is_none());
    }

    #[test]
    fn parses_credential_scope() {
        let h = parse_sigv4("AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
            .expect("parses");
        assert_eq!(
            (h.access_key_id, h.region, h.service),
            ("AK", "us-east-1", "bedrock")
        );
        assert_eq!(h.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(h.signature, "abc");
    }

    #[test]
    fn missing_auth_is_rejected() {
        let err = verify(
            &EmulatorConfig::default(),
            "POST",
            "/x",
            &HeaderMap::new(),
            b"",
        )
        .expect_err("no auth");
        assert_eq!(err.name, "MissingAuthenticationTokenException");
    }
}

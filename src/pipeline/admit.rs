//! Step 1: everything before the first upstream call: kill switch, route, key, allow-list,
//! budget and rate limit, request policies.

use axum::http::{HeaderMap, StatusCode};
use tracing::Span;

use crate::access::{self, Grant};
use crate::audit::RequestLog;
use crate::error::{ApiError, ErrorKind};
use crate::ir::ChatRequest;
use crate::runtime::Runtime;
use crate::telemetry::spans;

use super::{Admitted, Call, Failure, Outcome};

/// Step 1: everything before the first upstream call. `headers` carry the caller's key.
pub async fn admit(
    rt: &Runtime,
    headers: &HeaderMap,
    mut req: ChatRequest,
    call: &mut Call,
) -> Result<Admitted, Box<Failure>> {
    let log = &mut call.log;
    log.set_model(&req.model, req.stream);
    spans::record_call(&Span::current(), &req, None);
    check_enabled(rt).map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let estimate = if rt.access.counts_tokens {
        access::estimate(&req)
    } else {
        0
    };
    let grant = authorize(rt, headers, &req.model, estimate, log).await?;
    rt.route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let raw_prompt = rt
        .content
        .as_ref()
        .filter(|c| c.wants_raw())
        .map(|c| c.prompt(&req));
    let mut policies = rt.chain.start();
    let span = spans::policies("request");
    let verdict = span.in_scope(|| policies.on_request(&mut req));
    let decisions = policies.take_decisions();
    spans::record_decisions(&span, &decisions, verdict.is_err());
    log.add_decisions(decisions);
    if let Some(capture) = &rt.content {
        // `full` keeps what the client sent; `redacted` what the chain let through, masked again.
        log.set_prompt(
            capture.mode(),
            raw_prompt.unwrap_or_else(|| capture.prompt(&req)),
        );
    }
    verdict.map_err(|e| Failure::new(e, Outcome::Blocked))?;
    Ok(Admitted {
        req,
        policies,
        grant,
    })
}

/// The caller's key, allow-list, budget and rate limit for `model`, charging `estimate` tokens.
/// Charged at admission, whatever the door.
pub(super) async fn authorize(
    rt: &Runtime,
    headers: &HeaderMap,
    model: &str,
    estimate: u64,
    log: &mut RequestLog,
) -> Result<Grant, Box<Failure>> {
    let decided = rt.access.authorize(headers, model, estimate).await;
    let key_id = match &decided {
        Ok(g) => g.key_id.clone(),
        Err(r) => r.key_id.clone(),
    };
    if let (Some(id), Some(r)) = (key_id, log.record()) {
        r.key_id = Some(id);
    }
    decided.map_err(|r| {
        Box::new(Failure {
            error: r.error,
            outcome: Outcome::Rejected,
            attempts: Vec::new(),
            rate: r.rate,
        })
    })
}

/// The pack's kill switch (`pack.enabled: false`): every model request answers 503.
pub fn check_enabled(rt: &Runtime) -> Result<(), ApiError> {
    if rt.loaded.pack.pack.enabled {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Server,
        format!(
            "pack `{}` {} is switched off (pack.enabled: false); model requests are refused until it is enabled",
            rt.loaded.pack.pack.name, rt.loaded.pack.pack.version
        ),
    )
    .with_code("pack_disabled"))
}

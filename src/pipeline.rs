//! The request path every front door shares, so no API can skip a policy or a retry:
//!
//! 1. [`admit`]: the pack's kill switch, the route (404 lists the models), request policies.
//! 2. [`complete`] or [`stream`]: routing with retries and fallback, then the reply policies,
//!    whole or event by event.
//!
//! Front doors (`server::chat` for OpenAI, and others) only parse their wire format into the IR
//! and render the IR back; everything between happens here, once.

use std::collections::VecDeque;

use axum::http::StatusCode;
use futures_util::{FutureExt, StreamExt};

use crate::audit::{Outcome, RequestLog};
use crate::error::{ApiError, ErrorKind};
use crate::ir::{ChatRequest, ChatResponse, StreamEvent};
use crate::policy::ChainRun;
use crate::provider::{EventStream, FailureClass, ProviderError};
use crate::routing::{self, Attempt};
use crate::runtime::Runtime;

/// Why a request ended early, and how the audit record should call it.
#[derive(Debug)]
pub struct Failure {
    pub error: ApiError,
    pub outcome: Outcome,
    /// Upstream attempts made before the failure (empty when it failed before dispatch).
    pub attempts: Vec<Attempt>,
}

impl Failure {
    fn new(error: ApiError, outcome: Outcome) -> Box<Self> {
        Box::new(Self {
            error,
            outcome,
            attempts: Vec::new(),
        })
    }
}

/// A request that passed admission, with the policy run that will see its reply.
pub struct Admitted {
    pub req: ChatRequest,
    policies: ChainRun,
}

/// Step 1: everything before the first upstream call.
pub fn admit(
    rt: &Runtime,
    mut req: ChatRequest,
    log: &mut RequestLog,
) -> Result<Admitted, Box<Failure>> {
    log.set_model(&req.model, req.stream);
    check_enabled(rt).map_err(|e| Failure::new(e, Outcome::Rejected))?;
    rt.route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let mut policies = rt.chain.start();
    let verdict = policies.on_request(&mut req);
    log.add_decisions(policies.take_decisions());
    verdict.map_err(|e| Failure::new(e, Outcome::Blocked))?;
    Ok(Admitted { req, policies })
}

/// Step 2, whole reply: dispatch, then the reply policies.
pub async fn complete(
    rt: &Runtime,
    adm: Admitted,
    log: &mut RequestLog,
) -> Result<(ChatResponse, Vec<Attempt>), Box<Failure>> {
    let Admitted { req, mut policies } = adm;
    let route = rt
        .route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let mut attempts = Vec::new();
    let result =
        routing::execute(&rt.targets, route, &mut attempts, |t| t.provider.chat(&req)).await;
    log.set_attempts(&attempts);
    let mut resp = match result {
        Ok((_, resp)) => resp,
        Err(e) => {
            return Err(Box::new(Failure {
                error: e.api,
                outcome: Outcome::Failed,
                attempts,
            }));
        }
    };
    log.set_usage(resp.usage);
    let verdict = policies.on_response(&mut resp);
    log.add_decisions(policies.take_decisions());
    match verdict {
        Ok(()) => Ok((resp, attempts)),
        Err(error) => Err(Box::new(Failure {
            error,
            outcome: Outcome::Blocked,
            attempts,
        })),
    }
}

/// Step 2, streamed reply: dispatch up to and including the first upstream event (so a target
/// that fails before its first byte is retried or failed over), then hand back the stream with
/// the reply policies applied to every event.
pub async fn stream(
    rt: &Runtime,
    adm: Admitted,
    log: &mut RequestLog,
) -> Result<(PolicedStream, Vec<Attempt>), Box<Failure>> {
    let Admitted { req, policies } = adm;
    let route = rt
        .route(&req.model)
        .map_err(|e| Failure::new(e, Outcome::Rejected))?;
    let mut attempts = Vec::new();
    let result = routing::execute_held(&rt.targets, route, &mut attempts, |t| {
        let req = &req;
        async move {
            let mut upstream = t.provider.chat_stream(req).await?;
            match upstream.next().await {
                Some(Ok(first)) => Ok((first, upstream)),
                Some(Err(e)) => Err(e),
                None => Err(ProviderError::new(
                    FailureClass::ServerError,
                    ApiError::new(
                        StatusCode::BAD_GATEWAY,
                        ErrorKind::Server,
                        "the upstream stream was empty",
                    )
                    .with_code("upstream_stream_cut"),
                )),
            }
        }
        .boxed()
    })
    .await;
    log.set_attempts(&attempts);
    match result {
        Ok((_, (first, upstream), slot)) => Ok((
            PolicedStream {
                // The target's concurrency slot stays taken until the stream ends.
                upstream: routing::hold_stream(upstream, slot),
                first: Some(first),
                policies,
                ready: VecDeque::new(),
                scratch: Vec::new(),
                ended: false,
            },
            attempts,
        )),
        Err(e) => Err(Box::new(Failure {
            error: e.api,
            outcome: Outcome::Failed,
            attempts,
        })),
    }
}

/// The upstream's events after the reply policies. Dropping it drops the upstream call.
pub struct PolicedStream {
    upstream: EventStream,
    first: Option<StreamEvent>,
    policies: ChainRun,
    ready: VecDeque<StreamEvent>,
    scratch: Vec<StreamEvent>,
    ended: bool,
}

impl PolicedStream {
    /// The next event for the client; `None` after a clean end, `Some(Err)` once on failure.
    pub async fn next(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        loop {
            if let Some(ev) = self.ready.pop_front() {
                return Some(Ok(ev));
            }
            if self.ended {
                return None;
            }
            let next = match self.first.take() {
                Some(ev) => Some(Ok(ev)),
                None => self.upstream.next().await,
            };
            let step = match next {
                Some(Ok(ev)) => self.policies.on_event(ev, &mut self.scratch),
                Some(Err(e)) => {
                    self.ended = true;
                    Err(e.api)
                }
                None => {
                    self.ended = true;
                    self.policies.finish_stream(&mut self.scratch)
                }
            };
            if let Err(e) = step {
                self.ended = true;
                self.ready.clear();
                return Some(Err(e));
            }
            self.ready.extend(self.scratch.drain(..));
        }
    }

    /// Decisions the reply policies made so far, for the audit record.
    pub fn take_decisions(&mut self) -> Vec<crate::policy::Decision> {
        self.policies.take_decisions()
    }
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

//! Step 2 for the doors that generate nothing: embeddings and Anthropic's `count_tokens`.

use crate::access;
use crate::ir::Usage;
use crate::provider::{EmbedRequest, Embeddings};
use crate::routing::{self, Attempt};
use crate::runtime::Runtime;

use super::{
    Admitted, Call, Failure, Outcome, Receipt, Seen, gate, refunded_failure, route_for, settle,
};

/// Step 2 for the embeddings door: the chain already read (and, per the pack, redacted) the
/// inputs at admission; they go to the embedding model through the same gate, retries and
/// fallback as chat, and the key and target are charged for the input tokens.
pub async fn embed(
    rt: &Runtime,
    adm: Admitted,
    dimensions: Option<u32>,
    input_type: Option<String>,
    call: &mut Call,
) -> Result<(Embeddings, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted { req, grant, .. } = adm;
    let route = route_for(rt, &req.model)?;
    let call = EmbedRequest {
        texts: req.inputs,
        dimensions,
        input_type,
    };
    let mut attempts = Vec::new();
    let seen = Seen::default();
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, grant.charged, rt.access.failure(), &seen, || {
            t.provider.embed(&call)
        })
    })
    .await;
    log.set_attempts(&attempts);
    let rate = access::merge(grant.rate, seen.get());
    match result {
        Ok((idx, out)) => {
            let usage = Usage {
                input: out.input_tokens,
                ..Usage::default()
            };
            log.set_usage(usage);
            let cost_usd = settle(&grant, Some(&rt.targets[idx].access), &usage, log);
            Ok((out, attempts, Receipt { cost_usd, rate }))
        }
        Err(e) => Err(refunded_failure(&grant, e.api, attempts, rate)),
    }
}

/// Step 2 for Anthropic's `count_tokens`: Bedrock CountTokens on the policed request, through
/// the same gate (the targets' own limits), retries and fallback. Nothing is generated, so the
/// key's token estimate is refunded.
pub async fn count_tokens(
    rt: &Runtime,
    adm: Admitted,
    call: &mut Call,
) -> Result<(u64, Vec<Attempt>, Receipt), Box<Failure>> {
    let log = &mut call.log;
    let Admitted { req, grant, .. } = adm;
    let route = route_for(rt, &req.model)?;
    let mut attempts = Vec::new();
    let seen = Seen::default();
    let req = &req;
    let result = routing::execute(&rt.targets, route, &mut attempts, |t| {
        gate(t, 0, rt.access.failure(), &seen, || {
            t.provider.count_tokens(req)
        })
    })
    .await;
    log.set_attempts(&attempts);
    grant.settle(None, &Usage::default());
    let rate = access::merge(grant.rate, seen.get());
    match result {
        Ok((_, tokens)) => Ok((
            tokens,
            attempts,
            Receipt {
                cost_usd: None,
                rate,
            },
        )),
        Err(e) => Err(Box::new(Failure {
            error: e.api,
            outcome: Outcome::Failed,
            attempts,
            rate,
        })),
    }
}

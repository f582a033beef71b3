//! Scripted faults: which rule applies to a call, and what error each kind turns into.
//!
//! Routing, retry and breaker code in gw is only trustworthy if it has seen every failure Bedrock
//! produces; these rules let tests and the benchmark inject them per model, deterministically.

use std::collections::HashMap;

use super::wire::ApiError;
use super::{Fault, FaultKind, Operation};

/// Seed of the generator behind `probability`, so runs are repeatable.
const RNG_SEED: u64 = 0x6777_656d_755f_7365;

/// All fault rules by model id (`"*"` = every model), with their remaining `times`.
pub(crate) struct FaultBook {
    rules: HashMap<String, Vec<Rule>>,
    rng: fastrand::Rng,
}

impl Default for FaultBook {
    fn default() -> Self {
        Self {
            rules: HashMap::new(),
            rng: fastrand::Rng::with_seed(RNG_SEED),
        }
    }
}

struct Rule {
    fault: Fault,
    remaining: Option<u32>,
}

/// Faults that only make sense once an event stream is open.
pub(crate) fn is_stream_only(kind: FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::EventDelay | FaultKind::StreamCut | FaultKind::StreamError
    )
}

impl FaultBook {
    pub fn set(&mut self, model_id: &str, faults: Vec<Fault>) {
        let rules = faults
            .into_iter()
            .map(|fault| Rule {
                remaining: fault.times,
                fault,
            })
            .collect();
        self.rules.insert(model_id.to_owned(), rules);
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Picks the fault for one call and consumes one of its `times`.
    ///
    /// Exact-model rules come first, then `"*"`; stream-only kinds never match unary calls.
    pub fn pick(&mut self, model_id: &str, op: Operation) -> Option<Fault> {
        if self.rules.is_empty() {
            return None;
        }
        let streaming = matches!(
            op,
            Operation::ConverseStream | Operation::InvokeModelWithResponseStream
        );
        for key in [model_id, "*"] {
            let Some(rules) = self.rules.get_mut(key) else {
                continue;
            };
            for rule in rules.iter_mut() {
                if is_stream_only(rule.fault.kind) && !streaming {
                    continue;
                }
                if rule.remaining == Some(0) {
                    continue;
                }
                if let Some(p) = rule.fault.probability
                    && self.rng.f64() >= p
                {
                    continue;
                }
                if let Some(n) = rule.remaining.as_mut() {
                    *n -= 1;
                }
                return Some(rule.fault.clone());
            }
        }
        None
    }
}

/// The HTTP error a fault kind answers with, or `None` for kinds that are not plain errors.
pub(crate) fn error_for(fault: &Fault) -> Option<ApiError> {
    let (status, name, default) = match fault.kind {
        FaultKind::Throttle => (
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
        FaultKind::ServerError => (
            500,
            "InternalServerException",
            "The server encountered an internal error while processing the request.",
        ),
        FaultKind::Unavailable => (
            503,
            "ServiceUnavailableException",
            "The service isn't currently available. Try again later.",
        ),
        FaultKind::ModelNotReady => (
            429,
            "ModelNotReadyException",
            "Model is not ready for inference. Wait and try your request again.",
        ),
        FaultKind::ModelTimeout => (
            408,
            "ModelTimeoutException",
            "Model has timed out in processing the request. Try your request again.",
        ),
        FaultKind::ModelError => (
            424,
            "ModelErrorException",
            "The model returned an error. Try your request again.",
        ),
        FaultKind::Validation => (400, "ValidationException", "Malformed input request."),
        FaultKind::AccessDenied => (
            403,
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ),
        FaultKind::NotFound => (
            404,
            "ResourceNotFoundException",
            "The specified model is not found.",
        ),
        FaultKind::QuotaExceeded => (
            400,
            "ServiceQuotaExceededException",
            "Your request exceeded the service quota for your account.",
        ),
        FaultKind::Delay
        | FaultKind::EventDelay
        | FaultKind::StreamCut
        | FaultKind::StreamError
        | FaultKind::Hang => return None,
    };
    let message = fault.message.clone().unwrap_or_else(|| default.to_owned());
    Some(ApiError::new(status, name, message))
}

/// The in-stream exception a `stream_error` fault sends: `(:exception-type, payload)`.
pub(crate) fn stream_exception(fault: &Fault) -> (String, serde_json::Value) {
    let raw = fault.message.as_deref().unwrap_or("throttlingException");
    // Accept `ThrottlingException` as well as the wire spelling `throttlingException`.
    let mut chars = raw.chars();
    let name: String = match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "throttlingException".to_owned(),
    };
    let payload = match name.as_str() {
        "modelStreamErrorException" => serde_json::json!({
            "message": "The model stream encountered an error.",
            "originalStatusCode": 500,
            "originalMessage": "Internal error in the model stream."
        }),
        "throttlingException" => {
            serde_json::json!({"message": "Too many requests, please wait before trying again."})
        }
        "serviceUnavailableException" => {
            serde_json::json!({"message": "The service isn't currently available. Try again later."})
        }
        "validationException" => serde_json::json!({"message": "Malformed input request."}),
        _ => serde_json::json!({
            "message": "The server encountered an internal error while processing the request."
        }),
    };
    (name, payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: FaultKind, times: Option<u32>) -> Fault {
        Fault {
            kind,
            times,
            probability: None,
            delay_ms: None,
            after_events: None,
            message: None,
        }
    }

    #[test]
    fn times_are_consumed_then_next_rule_wins() {
        let mut book = FaultBook::default();
        book.set(
            "m",
            vec![
                fault(FaultKind::Throttle, Some(2)),
                fault(FaultKind::ServerError, None),
            ],
        );
        let kinds: Vec<_> = (0..4)
            .map(|_| book.pick("m", Operation::Converse).map(|f| f.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                Some(FaultKind::Throttle),
                Some(FaultKind::Throttle),
                Some(FaultKind::ServerError),
                Some(FaultKind::ServerError)
            ]
        );
    }

    #[test]
    fn exact_model_beats_wildcard_and_stream_faults_skip_unary() {
        let mut book = FaultBook::default();
        book.set("*", vec![fault(FaultKind::Unavailable, None)]);
        book.set("m", vec![fault(FaultKind::StreamCut, None)]);
        assert_eq!(
            book.pick("m", Operation::ConverseStream).map(|f| f.kind),
            Some(FaultKind::StreamCut)
        );
        assert_eq!(
            book.pick("m", Operation::Converse).map(|f| f.kind),
            Some(FaultKind::Unavailable)
        );
        assert_eq!(
            book.pick("other", Operation::Converse).map(|f| f.kind),
            Some(FaultKind::Unavailable)
        );
    }

    #[test]
    fn probability_zero_never_applies() {
        let mut book = FaultBook::default();
        let mut f = fault(FaultKind::Throttle, None);
        f.probability = Some(0.0);
        book.set("m", vec![f]);
        assert!((0..100).all(|_| book.pick("m", Operation::Converse).is_none()));
    }
}

//! The `pii-detector` policy: finds personal data and secrets in every text the model sees or
//! says, and masks, replaces reversibly, blocks or records them.
//!
//! Layout: `rules` (pattern data), `validate` and `iban` (checks in code), `engine` (the automata)
//! and `value` (locating a rule's value group), `detector` (one-pass scan), `redact` (mask and
//! placeholder rewriting), `stream` (hold-back for streamed replies), `policy` (the chain
//! integration), `eval` (precision and recall against a labelled corpus).

pub mod detector;
pub mod engine;
pub mod eval;
pub mod iban;
pub mod policy;
pub mod redact;
pub mod rules;
pub mod stream;
pub mod validate;
pub mod value;

pub use detector::{Finding, PiiDetector};
pub use eval::{EvalReport, evaluate};
pub use policy::PiiPolicy;

//! The words a policy pack and the policies share: what a policy does when it matches, which
//! direction of traffic it reads, the PII entity types, how redacted text is written, and the
//! safety filter's strictness. They sit in a leaf so the pack's types (`config`) and the
//! policies can both name them while the policies never read the pack's YAML structures for
//! them; `config::pack` re-exports them, so the schema and every pack path stay the same.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a policy does when it matches.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Replace the matched text. For `prompt-injection`: withhold the injected part of a tool
    /// result or document and leave a note in its place, so an agent can carry on safely
    /// (an injection in a user turn is still blocked).
    Redact,
    /// Refuse the request (or replace the reply).
    Block,
    /// Let it through and record the decision.
    Log,
}

/// Direction of traffic a policy applies to.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Request,
    Response,
}

/// Entity types the PII detector knows.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PiiEntity {
    Email,
    Phone,
    UsSsn,
    CreditCard,
    Iban,
    IpAddress,
    AwsAccessKey,
    GenericSecret,
    DateOfBirth,
    StreetAddress,
    Person,
    UsPassport,
    DriverLicense,
}

/// How redacted text is written.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RedactionStyle {
    /// `[EMAIL]`.
    #[default]
    Mask,
    /// `[EMAIL_1]`, reversible within the request.
    Placeholder,
}

/// Strictness of the safety filter.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SafetyMode {
    Strict,
    #[default]
    Standard,
}

//! `gw test`: policy unit tests that compliance teams write in YAML, run against a pack's chain
//! without calling Bedrock.
//!
//! ```yaml
//! cases:
//!   - name: an email is masked
//!     input: "Write to jane@example.com"       # or `messages: [{role: user, content: "…"}]`
//!     direction: request                        # request (default) | response
//!     zone: user                                # user (default) | tool_result | document | system
//!     expect:
//!       decision: redacted                      # allowed | redacted | blocked | logged
//!       text: "Write to [EMAIL]"                # optional: the text after the chain
//!       entities: [EMAIL]                       # optional: entity/rule types the chain reported
//!       policy: pii-detector                    # optional: the policy that blocked
//! ```

use std::fmt::Write;

use serde::Deserialize;

use super::{Decision, PolicyChain};
use crate::ir::{
    ChatRequest, ChatResponse, DocumentFormat, Message, Part, Role, SystemBlock, ToolResultPart,
};

/// A case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub cases: Vec<Case>,
}

/// One policy test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// A single user message (request) or reply text (response).
    #[serde(default)]
    pub input: Option<String>,
    /// A conversation, for request cases that need several turns.
    #[serde(default)]
    pub messages: Vec<CaseMessage>,
    #[serde(default)]
    pub direction: CaseDirection,
    /// Where `input` sits in a request case: `user` (default), `tool_result` (what a tool
    /// returned to an agent), `document` (an attached text file) or `system`.
    #[serde(default)]
    pub zone: CaseZone,
    pub expect: Expect,
}

/// The zones a request case's `input` can be placed in.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaseZone {
    #[default]
    User,
    ToolResult,
    Document,
    System,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseMessage {
    pub role: CaseRole,
    pub content: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaseRole {
    User,
    Assistant,
    /// What a tool returned (sent as the result of a tool call the assistant made).
    Tool,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaseDirection {
    #[default]
    Request,
    Response,
}

/// What the chain should do.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub decision: Verdict,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub entities: Option<Vec<String>>,
    #[serde(default)]
    pub policy: Option<String>,
}

/// The overall verdict of a chain on one input.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    /// Part of a tool result or document was withheld (prompt-injection with `action: redact`).
    Withheld,
    Redacted,
    Blocked,
    Logged,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Withheld => "withheld",
            Self::Redacted => "redacted",
            Self::Blocked => "blocked",
            Self::Logged => "logged",
        }
    }
}

/// What the chain did to one case.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub verdict: Verdict,
    /// The last user message (request) or reply text (response) after the chain.
    pub text: String,
    pub entities: Vec<String>,
    /// The policy named by the block's error code.
    pub blocked_by: Option<String>,
    pub message: Option<String>,
}

/// Runs one input through the chain, as a request or as a reply.
pub fn observe(chain: &PolicyChain, case: &Case) -> Observed {
    let mut run = chain.start();
    let (result, text) = match case.direction {
        CaseDirection::Request => {
            let mut req = request_for(case);
            let r = run.on_request(&mut req);
            (r, input_after(&req, case.zone))
        }
        CaseDirection::Response => {
            let mut req = ChatRequest::default();
            let _ = run.on_request(&mut req);
            let mut resp = ChatResponse {
                content: vec![Part::Text(case.input.clone().unwrap_or_default())],
                ..ChatResponse::default()
            };
            let r = run.on_response(&mut resp);
            let text = text_of(&Message {
                role: Role::Assistant,
                content: resp.content,
            });
            (r, text)
        }
    };
    let decisions = run.take_decisions();
    let entities = entity_names(&decisions);
    match result {
        Err(e) => Observed {
            verdict: Verdict::Blocked,
            text,
            entities,
            blocked_by: e.code.as_deref().map(str::to_string),
            message: Some(e.message),
        },
        Ok(()) => Observed {
            verdict: verdict_of(&decisions),
            text,
            entities,
            blocked_by: None,
            message: None,
        },
    }
}

/// Runs every case; returns a readable report and whether all passed.
pub fn run_cases(chain: &PolicyChain, file: &CaseFile) -> (String, bool) {
    let mut report = String::new();
    let mut failed = 0;
    for case in &file.cases {
        let got = observe(chain, case);
        let problems = compare(&case.expect, &got);
        if problems.is_empty() {
            let _ = writeln!(report, "ok    {}", case.name);
        } else {
            failed += 1;
            let _ = writeln!(report, "FAIL  {}", case.name);
            for p in problems {
                let _ = writeln!(report, "        {p}");
            }
        }
    }
    let total = file.cases.len();
    let _ = writeln!(report, "\n{} passed, {failed} failed", total - failed);
    (report, failed == 0)
}

fn compare(want: &Expect, got: &Observed) -> Vec<String> {
    let mut problems = Vec::new();
    if want.decision != got.verdict {
        let why = got
            .message
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        problems.push(format!(
            "decision: expected {}, got {}{why}",
            want.decision.as_str(),
            got.verdict.as_str()
        ));
    }
    if let Some(text) = want.text.as_ref().filter(|t| **t != got.text) {
        problems.push(format!(
            "text:\n          expected: {text:?}\n          actual:   {:?}",
            got.text
        ));
    }
    if let Some(entities) = &want.entities {
        let missing: Vec<&String> = entities
            .iter()
            .filter(|e| !got.entities.contains(e))
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "entities: expected {missing:?} among {:?}",
                got.entities
            ));
        }
    }
    if let Some(policy) = want
        .policy
        .as_ref()
        .filter(|p| got.blocked_by.as_deref() != Some(p.as_str()))
    {
        problems.push(format!(
            "policy: expected a block by `{policy}`, got {:?}",
            got.blocked_by
        ));
    }
    problems
}

fn request_for(case: &Case) -> ChatRequest {
    let mut req = ChatRequest {
        model: "gw-test".into(),
        ..ChatRequest::default()
    };
    for (i, m) in case.messages.iter().enumerate() {
        match m.role {
            CaseRole::User => push_user(&mut req, Part::Text(m.content.clone())),
            CaseRole::Assistant => req.messages.push(Message {
                role: Role::Assistant,
                content: vec![Part::Text(m.content.clone())],
            }),
            CaseRole::Tool => push_tool_result(&mut req, &format!("call_{i}"), &m.content),
        }
    }
    if let Some(input) = &case.input {
        match case.zone {
            CaseZone::User => push_user(&mut req, Part::Text(input.clone())),
            CaseZone::ToolResult => push_tool_result(&mut req, "call_input", input),
            CaseZone::Document => push_user(
                &mut req,
                Part::Document {
                    format: DocumentFormat::Txt,
                    name: "input".into(),
                    data: bytes::Bytes::from(input.clone()),
                },
            ),
            CaseZone::System => req.system.push(SystemBlock::Text(input.clone())),
        }
    }
    req
}

fn push_user(req: &mut ChatRequest, part: Part) {
    req.messages.push(Message {
        role: Role::User,
        content: vec![part],
    });
}

/// An assistant turn calling `fetch`, then the user turn carrying its result.
fn push_tool_result(req: &mut ChatRequest, id: &str, text: &str) {
    req.messages.push(Message {
        role: Role::Assistant,
        content: vec![Part::ToolUse {
            id: id.into(),
            name: "fetch".into(),
            input: serde_json::json!({}),
        }],
    });
    req.messages.push(Message {
        role: Role::User,
        content: vec![Part::ToolResult {
            id: id.into(),
            content: vec![ToolResultPart::Text(text.into())],
            is_error: false,
        }],
    });
}

/// The case's input as the chain left it, read back from its zone.
fn input_after(req: &ChatRequest, zone: CaseZone) -> String {
    let last_user = req.messages.iter().rev().find(|m| m.role == Role::User);
    match zone {
        CaseZone::System => req
            .system
            .iter()
            .filter_map(|b| match b {
                SystemBlock::Text(t) => Some(t.as_str()),
                SystemBlock::CachePoint => None,
            })
            .collect(),
        CaseZone::User => last_user.map(text_of).unwrap_or_default(),
        CaseZone::Document | CaseZone::ToolResult => last_user
            .into_iter()
            .flat_map(|m| &m.content)
            .map(|p| match p {
                Part::Document { data, .. } => String::from_utf8_lossy(data).into_owned(),
                Part::ToolResult { content, .. } => content
                    .iter()
                    .map(|c| match c {
                        ToolResultPart::Text(t) => t.clone(),
                        ToolResultPart::Json(v) => v.to_string(),
                        ToolResultPart::Image { .. } => String::new(),
                    })
                    .collect(),
                _ => String::new(),
            })
            .collect(),
    }
}

fn text_of(m: &Message) -> String {
    m.content
        .iter()
        .filter_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn entity_names(decisions: &[Decision]) -> Vec<String> {
    let mut names: Vec<String> = decisions
        .iter()
        .flat_map(|d| d.entities.iter().map(|(name, _)| name.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn verdict_of(decisions: &[Decision]) -> Verdict {
    let has = |a: &str| decisions.iter().any(|d| d.action == a);
    if has("blocked") {
        Verdict::Blocked
    } else if has("withheld") {
        Verdict::Withheld
    } else if has("redacted") {
        Verdict::Redacted
    } else if has("logged") {
        Verdict::Logged
    } else {
        Verdict::Allowed
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::error::ApiError;
    use crate::policy::{Policy, PolicyRun};

    /// Masks the word "secret" and blocks "forbidden".
    struct Mask;
    struct MaskRun;

    impl Policy for Mask {
        fn name(&self) -> &'static str {
            "mask"
        }
        fn start(self: Arc<Self>) -> Box<dyn PolicyRun> {
            Box::new(MaskRun)
        }
    }

    impl PolicyRun for MaskRun {
        fn on_request(
            &mut self,
            req: &mut ChatRequest,
            d: &mut Vec<Decision>,
        ) -> Result<(), ApiError> {
            for m in &mut req.messages {
                for p in &mut m.content {
                    if let Part::Text(t) = p {
                        if t.contains("forbidden") {
                            return Err(ApiError::invalid_request("no").with_code("mask"));
                        }
                        if t.contains("secret") {
                            *t = t.replace("secret", "[SECRET]");
                            d.push(Decision {
                                policy: "mask",
                                action: "redacted",
                                entities: vec![("SECRET".into(), 1)],
                                score: None,
                                found: Vec::new(),
                            });
                        }
                    }
                }
            }
            Ok(())
        }
        fn on_response(
            &mut self,
            _r: &mut ChatResponse,
            _d: &mut Vec<Decision>,
        ) -> Result<(), ApiError> {
            Ok(())
        }
    }

    fn file(yaml: &str) -> CaseFile {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    #[test]
    fn passing_and_failing_cases_are_reported() {
        let chain = PolicyChain::from_policies(vec![Arc::new(Mask)]);
        let f = file(
            r#"
cases:
  - name: masked
    input: "my secret"
    expect: { decision: redacted, text: "my [SECRET]", entities: [SECRET] }
  - name: blocked
    input: "forbidden words"
    expect: { decision: blocked, policy: mask }
  - name: wrong expectation
    input: "plain"
    expect: { decision: redacted, text: "nope" }
"#,
        );
        let (report, ok) = run_cases(&chain, &f);
        assert!(!ok);
        assert!(report.contains("ok    masked"), "{report}");
        assert!(report.contains("ok    blocked"), "{report}");
        assert!(report.contains("FAIL  wrong expectation"), "{report}");
        assert!(
            report.contains("decision: expected redacted, got allowed"),
            "{report}"
        );
        assert!(report.contains("expected: \"nope\""), "{report}");
        assert!(report.contains("2 passed, 1 failed"), "{report}");
    }

    #[test]
    fn unknown_keys_in_case_files_are_errors() {
        let r: Result<CaseFile, _> = serde_yaml_ng::from_str(
            "cases:\n  - name: x\n    inptu: y\n    expect: {decision: allowed}\n",
        );
        assert!(r.is_err());
    }
}

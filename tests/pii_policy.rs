//! The PII policy through the chain, on realistic IR requests and replies: mask, placeholder and
//! restore (whole and streamed, with a card split across deltas), block, log, tool inputs and
//! results, reasoning (thinking) text, and `apply_to`.

use std::path::Path;
use std::sync::Arc;

use gw::config::pack::{Action, Direction, PiiConfig, PiiEntity, RedactionStyle};
use gw::ir::{
    ChatRequest, ChatResponse, Message, Part, Role, StreamEvent, SystemBlock, ToolResultPart,
};
use gw::policy::pii::PiiPolicy;
use gw::policy::{ChainRun, PolicyChain};
use serde_json::json;

fn cfg(action: Action, style: RedactionStyle, restore: bool) -> PiiConfig {
    PiiConfig {
        enabled: true,
        action,
        entities: None,
        apply_to: vec![Direction::Request, Direction::Response],
        style,
        restore,
        rules: None,
        ..PiiConfig::default()
    }
}

fn run(c: &PiiConfig) -> ChainRun {
    let policy = PiiPolicy::from_config(c, &[], Path::new(".")).unwrap();
    PolicyChain::from_policies(vec![Arc::new(policy)]).start()
}

fn user(text: &str) -> ChatRequest {
    ChatRequest {
        system: vec![SystemBlock::Text(
            "Support agent. Escalate to ops@acme.example.".into(),
        )],
        messages: vec![Message {
            role: Role::User,
            content: vec![Part::Text(text.into())],
        }],
        ..ChatRequest::default()
    }
}

fn text_of(p: &Part) -> &str {
    match p {
        Part::Text(t) => t,
        other => panic!("not text: {other:?}"),
    }
}

fn delta(text: &str) -> StreamEvent {
    StreamEvent::TextDelta {
        index: 0,
        text: text.into(),
    }
}

fn streamed_text(out: &[StreamEvent]) -> String {
    out.iter()
        .filter_map(|e| match e {
            StreamEvent::TextDelta { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn mask_rewrites_messages_and_records_counts_and_zones() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Mask, false));
    let mut req = user("I'm jane@corp.example, card 4111 1111 1111 1111, SSN 219-09-9999.");
    r.on_request(&mut req).unwrap();
    assert_eq!(
        text_of(&req.messages[0].content[0]),
        "I'm [EMAIL], card [CREDIT_CARD], SSN [US_SSN]."
    );
    // The operator's system prompt is not scanned unless the pack lists `system`.
    assert_eq!(
        req.system[0],
        SystemBlock::Text("Support agent. Escalate to ops@acme.example.".into())
    );
    let d = r.take_decisions();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].policy, "pii-detector");
    assert_eq!(d[0].action, "redacted");
    assert_eq!(
        d[0].entities,
        vec![
            ("CREDIT_CARD".into(), 1),
            ("EMAIL".into(), 1),
            ("US_SSN".into(), 1)
        ]
    );
    let place = serde_json::to_value(&d[0].found).unwrap();
    assert_eq!(place[0]["zone"], "user");
    assert_eq!(place[0]["message"], 0);

    let mut with_system = cfg(Action::Redact, RedactionStyle::Mask, false);
    with_system.scan.push(gw::ir::Zone::System);
    let mut r = run(&with_system);
    let mut req = user("I'm jane@corp.example.");
    r.on_request(&mut req).unwrap();
    assert_eq!(
        req.system[0],
        SystemBlock::Text("Support agent. Escalate to [EMAIL].".into())
    );
    let d = r.take_decisions();
    assert_eq!(d[0].entities, vec![("EMAIL".into(), 2)]);
    let place = serde_json::to_value(&d[0].found).unwrap();
    assert_eq!(place[0]["zone"], "system");
    assert!(place[0].get("message").is_none());
}

#[test]
fn clean_request_is_allowed_and_untouched() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Mask, false));
    let mut req =
        user("Upgrade from 4.0.16.6101; order 510-7210919-9849401 at 2023-11-23T14:44:58Z.");
    req.system.clear();
    let before = req.clone();
    r.on_request(&mut req).unwrap();
    assert_eq!(req, before);
    assert_eq!(r.take_decisions()[0].action, "allowed");
}

#[test]
fn placeholders_are_consistent_and_restored_in_whole_reply() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Placeholder, true));
    let mut req = user("Mail bob@x.example and amy@y.example; bob@x.example again.");
    req.system.clear();
    r.on_request(&mut req).unwrap();
    assert_eq!(
        text_of(&req.messages[0].content[0]),
        "Mail [EMAIL_1] and [EMAIL_2]; [EMAIL_1] again."
    );
    let mut resp = ChatResponse {
        content: vec![Part::Text("Sent to [EMAIL_2] and [EMAIL_1].".into())],
        ..ChatResponse::default()
    };
    r.on_response(&mut resp).unwrap();
    assert_eq!(
        text_of(&resp.content[0]),
        "Sent to amy@y.example and bob@x.example."
    );
}

#[test]
fn streamed_restore_handles_a_placeholder_split_across_deltas() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Placeholder, true));
    let mut req = user("My card is 4111 1111 1111 1111.");
    r.on_request(&mut req).unwrap();
    assert!(text_of(&req.messages[0].content[0]).contains("[CREDIT_CARD_1]"));
    let mut out = Vec::new();
    r.on_event(StreamEvent::MessageStart, &mut out).unwrap();
    r.on_event(delta("Your card [CREDIT_"), &mut out).unwrap();
    assert!(
        !streamed_text(&out).contains('['),
        "unfinished placeholder held back"
    );
    r.on_event(delta("CARD_1] is noted."), &mut out).unwrap();
    r.on_event(StreamEvent::BlockStop { index: 0 }, &mut out)
        .unwrap();
    r.finish_stream(&mut out).unwrap();
    assert_eq!(
        streamed_text(&out),
        "Your card 4111 1111 1111 1111 is noted."
    );
    // Order kept: the text of block 0 comes before its BlockStop.
    let stop = out
        .iter()
        .position(|e| matches!(e, StreamEvent::BlockStop { .. }))
        .unwrap();
    let last_text = out
        .iter()
        .rposition(|e| matches!(e, StreamEvent::TextDelta { .. }))
        .unwrap();
    assert!(last_text < stop);
    assert_eq!(out[0], StreamEvent::MessageStart);
}

#[test]
fn card_split_across_deltas_is_masked_and_early_text_is_released() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Mask, false));
    let mut out = Vec::new();
    r.on_event(delta("Sure, the number you asked about is "), &mut out)
        .unwrap();
    assert!(!out.is_empty(), "plain text goes out without waiting");
    r.on_event(delta("4111 1111"), &mut out).unwrap();
    assert!(
        !streamed_text(&out).contains("4111"),
        "a possible card is held back"
    );
    r.on_event(delta(" 1111 1111 and that is all."), &mut out)
        .unwrap();
    r.finish_stream(&mut out).unwrap();
    assert_eq!(
        streamed_text(&out),
        "Sure, the number you asked about is [CREDIT_CARD] and that is all."
    );
    let d = r.take_decisions();
    assert_eq!(d.last().unwrap().entities, vec![("CREDIT_CARD".into(), 1)]);
}

#[test]
fn block_refuses_request_naming_types_not_values() {
    let mut r = run(&cfg(Action::Block, RedactionStyle::Mask, false));
    let err = r
        .on_request(&mut user("AWS key AKIAIOSFODNN7EXAMPLE please"))
        .unwrap_err();
    assert_eq!(err.status.as_u16(), 400);
    assert_eq!(err.code.as_deref(), Some("pii-detector"));
    assert!(err.message.contains("AWS_ACCESS_KEY"));
    assert!(!err.message.contains("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(r.take_decisions()[0].action, "blocked");
}

#[test]
fn block_replaces_a_reply_and_ends_a_stream() {
    let mut c = cfg(Action::Block, RedactionStyle::Mask, false);
    c.apply_to = vec![Direction::Response];
    let mut r = run(&c);
    let mut resp = ChatResponse {
        content: vec![Part::Text("Their SSN is 219-09-9999.".into())],
        ..ChatResponse::default()
    };
    assert!(r.on_response(&mut resp).is_err());

    let mut r = run(&c);
    let mut out = Vec::new();
    r.on_event(delta("Their SSN is 219-09-"), &mut out).unwrap();
    let res = r
        .on_event(delta("9999 ok."), &mut out)
        .and_then(|()| r.finish_stream(&mut out));
    assert!(res.is_err());
    assert!(!streamed_text(&out).contains("9999"));
}

#[test]
fn reasoning_in_replies_is_scanned_whole_and_streamed_but_not_in_requests() {
    let c = cfg(Action::Redact, RedactionStyle::Mask, false);
    let thought = "The user's SSN is 219-09-9999, mail bob@x.example.";
    let mut r = run(&c);
    let mut resp = ChatResponse {
        content: vec![
            Part::Reasoning {
                text: thought.into(),
                signature: Some("sig".into()),
            },
            Part::Text("Done.".into()),
        ],
        ..ChatResponse::default()
    };
    r.on_response(&mut resp).unwrap();
    let Part::Reasoning { text, signature } = &resp.content[0] else {
        panic!("reasoning part kept");
    };
    assert_eq!(text, "The user's SSN is [US_SSN], mail [EMAIL].");
    assert_eq!(signature.as_deref(), Some("sig"));
    let d = r.take_decisions();
    assert_eq!(d.last().unwrap().action, "redacted");

    // Streamed: a value split across reasoning deltas is held back and masked, and the deltas
    // stay reasoning deltas, before the signature.
    let mut r = run(&c);
    let mut out = Vec::new();
    let reasoning = |t: &str| StreamEvent::ReasoningDelta {
        index: 0,
        text: t.into(),
    };
    r.on_event(reasoning("The user's SSN is 219-09-"), &mut out)
        .unwrap();
    r.on_event(reasoning("9999, noted."), &mut out).unwrap();
    r.on_event(
        StreamEvent::SignatureDelta {
            index: 0,
            signature: "sig".into(),
        },
        &mut out,
    )
    .unwrap();
    r.finish_stream(&mut out).unwrap();
    let streamed: String = out
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ReasoningDelta { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, "The user's SSN is [US_SSN], noted.");
    assert!(matches!(
        out.last(),
        Some(StreamEvent::SignatureDelta { .. })
    ));
    assert!(
        !out.iter()
            .any(|e| matches!(e, StreamEvent::TextDelta { .. }))
    );

    // In a request, reasoning is the model's earlier output under its signature: left alone.
    let mut r = run(&c);
    let mut req = user("hello");
    req.messages.insert(
        0,
        Message {
            role: Role::Assistant,
            content: vec![Part::Reasoning {
                text: thought.into(),
                signature: Some("sig".into()),
            }],
        },
    );
    r.on_request(&mut req).unwrap();
    assert!(matches!(&req.messages[0].content[0], Part::Reasoning { text, .. } if text == thought));
}

#[test]
fn log_passes_through_and_records() {
    let mut r = run(&cfg(Action::Log, RedactionStyle::Mask, false));
    let mut req = user("call +1 646 917 7504");
    req.system.clear();
    r.on_request(&mut req).unwrap();
    assert_eq!(text_of(&req.messages[0].content[0]), "call +1 646 917 7504");
    let d = r.take_decisions();
    assert_eq!(
        (d[0].action, d[0].entities.clone()),
        ("logged", vec![("PHONE".into(), 1)])
    );
}

#[test]
fn tool_inputs_and_results_are_scanned_but_document_names_are_not() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Mask, false));
    let mut req = ChatRequest {
        messages: vec![
            Message {
                role: Role::Assistant,
                content: vec![Part::ToolUse {
                    id: "t1".into(),
                    name: "lookup".into(),
                    input: json!({"email": "kim@z.example", "n": 3, "tags": ["81.2.69.160"]}),
                }],
            },
            Message {
                role: Role::User,
                content: vec![
                    Part::ToolResult {
                        id: "t1".into(),
                        content: vec![
                            ToolResultPart::Text("IBAN GB82 WEST 1234 5698 7654 32".into()),
                            ToolResultPart::Json(json!({"ssn": "219-09-9999"})),
                        ],
                        is_error: false,
                    },
                    Part::Document {
                        format: gw::ir::DocumentFormat::Txt,
                        name: "kim@z.example".into(),
                        data: bytes::Bytes::from_static(b"x"),
                    },
                ],
            },
        ],
        ..ChatRequest::default()
    };
    r.on_request(&mut req).unwrap();
    let Part::ToolUse { input, .. } = &req.messages[0].content[0] else {
        panic!()
    };
    assert_eq!(
        input,
        &json!({"email": "[EMAIL]", "n": 3, "tags": ["[IP_ADDRESS]"]})
    );
    let Part::ToolResult { content, .. } = &req.messages[1].content[0] else {
        panic!()
    };
    assert_eq!(content[0], ToolResultPart::Text("IBAN [IBAN]".into()));
    assert_eq!(content[1], ToolResultPart::Json(json!({"ssn": "[US_SSN]"})));
    let Part::Document { name, .. } = &req.messages[1].content[1] else {
        panic!()
    };
    assert_eq!(name, "kim@z.example");
}

#[test]
fn streamed_tool_input_is_scanned() {
    let mut r = run(&cfg(Action::Redact, RedactionStyle::Mask, false));
    let mut out = Vec::new();
    for part in [r#"{"to": "kim@"#, r#"z.example", "#, r#""n": 1}"#] {
        r.on_event(
            StreamEvent::ToolInputDelta {
                index: 1,
                json: part.into(),
            },
            &mut out,
        )
        .unwrap();
    }
    r.on_event(StreamEvent::BlockStop { index: 1 }, &mut out)
        .unwrap();
    r.finish_stream(&mut out).unwrap();
    let json: String = out
        .iter()
        .filter_map(|e| match e {
            StreamEvent::ToolInputDelta { json, .. } => Some(json.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(json, r#"{"to": "[EMAIL]", "n": 1}"#);
    assert_eq!(out.last(), Some(&StreamEvent::BlockStop { index: 1 }));
}

#[test]
fn apply_to_request_only_leaves_replies_alone() {
    let mut c = cfg(Action::Redact, RedactionStyle::Mask, false);
    c.apply_to = vec![Direction::Request];
    c.entities = Some(vec![PiiEntity::Email]);
    let mut r = run(&c);
    let mut req = user("me: a@b.example, SSN 219-09-9999");
    r.on_request(&mut req).unwrap();
    assert_eq!(
        text_of(&req.messages[0].content[0]),
        "me: [EMAIL], SSN 219-09-9999"
    );
    let mut resp = ChatResponse {
        content: vec![Part::Text("write to c@d.example".into())],
        ..ChatResponse::default()
    };
    r.on_response(&mut resp).unwrap();
    assert_eq!(text_of(&resp.content[0]), "write to c@d.example");
    let mut out = Vec::new();
    r.on_event(delta("mail c@d.example"), &mut out).unwrap();
    r.finish_stream(&mut out).unwrap();
    assert_eq!(streamed_text(&out), "mail c@d.example");
}

#[test]
fn pack_rules_file_adds_patterns_and_bad_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("emp.yaml"),
        "rules:\n  - id: employee-id\n    entity: PERSON\n    pattern: '\\bEMP-[0-9]{6}\\b'\n",
    )
    .unwrap();
    let mut c = cfg(Action::Redact, RedactionStyle::Mask, false);
    c.rules = Some("emp.yaml".into());
    let policy = PiiPolicy::from_config(&c, &[], dir.path()).unwrap();
    let mut r = PolicyChain::from_policies(vec![Arc::new(policy)]).start();
    let mut req = user("badge EMP-123456");
    r.on_request(&mut req).unwrap();
    assert_eq!(text_of(&req.messages[0].content[0]), "badge [PERSON]");
    c.rules = Some("missing.yaml".into());
    assert!(
        PiiPolicy::from_config(&c, &[], dir.path())
            .unwrap_err()
            .contains("missing.yaml")
    );
}

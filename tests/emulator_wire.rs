//! The Bedrock emulator against the real `aws-sdk-bedrockruntime` client, over real sockets.
//!
//! If the SDK parses every reply, event and error into the variant it would get from Bedrock, gw's
//! provider code can be tested against the emulator with confidence.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::config::{Credentials, Region, Token};
use aws_sdk_bedrockruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::error::ConverseStreamOutputError;
use aws_sdk_bedrockruntime::types::{
    AnyToolChoice, CachePointBlock, CachePointType, ContentBlock, ContentBlockDelta,
    ContentBlockStart, ConversationRole, ConverseStreamOutput, ConverseTokensRequest,
    CountTokensInput, JsonSchemaDefinition, Message, OutputConfig, OutputFormat,
    OutputFormatStructure, OutputFormatType, ReasoningContentBlockDelta, SpecificToolChoice,
    StopReason, SystemContentBlock, Tool, ToolChoice, ToolConfiguration, ToolInputSchema,
    ToolResultBlock, ToolResultContentBlock, ToolSpecification,
};
use aws_sdk_bedrockruntime::{Client, Config};
use aws_smithy_types::{Document, Number};
use gw::emulator::{
    ACCESS_KEY_ID, API_KEY, AuthSeen, EmulatorConfig, EmulatorHandle, Fault, FaultKind, Operation,
    SECRET_ACCESS_KEY, start,
};
use serde_json::{Value, json};

const MODEL: &str = "us.anthropic.claude-sonnet-4-20250514-v1:0";

async fn emulator_with(config: EmulatorConfig) -> EmulatorHandle {
    start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts")
}

async fn emulator() -> EmulatorHandle {
    emulator_with(EmulatorConfig::default()).await
}

fn config(h: &EmulatorHandle, akid: &str, secret: &str) -> aws_sdk_bedrockruntime::config::Builder {
    Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .endpoint_url(h.endpoint_url())
        .credentials_provider(Credentials::new(akid, secret, None, None, "test"))
}

/// A client without retries, so each fault is seen exactly once.
fn client(h: &EmulatorHandle) -> Client {
    Client::from_conf(
        config(h, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

fn doc(v: &Value) -> Document {
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Document::Number(Number::PosInt(u)),
            (None, Some(i)) => Document::Number(Number::NegInt(i)),
            _ => Document::Number(Number::Float(n.as_f64().expect("float"))),
        },
        Value::String(s) => Document::String(s.clone()),
        Value::Array(a) => Document::Array(a.iter().map(doc).collect()),
        Value::Object(o) => Document::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), doc(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn user(text: &str) -> Message {
    Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(text.into()))
        .build()
        .expect("message")
}

fn weather_tools(choice: Option<ToolChoice>) -> ToolConfiguration {
    let schema = json!({"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},
        "unit":{"enum":["c","f"]},"verbose":{"type":"boolean"}},"required":["city","days","unit"]});
    let spec = ToolSpecification::builder()
        .name("get_weather")
        .description("weather")
        .input_schema(ToolInputSchema::Json(doc(&schema)))
        .build()
        .expect("spec");
    ToolConfiguration::builder()
        .tools(Tool::ToolSpec(spec))
        .set_tool_choice(choice)
        .build()
        .expect("tool config")
}

fn fault(kind: FaultKind) -> Fault {
    Fault {
        kind,
        times: None,
        probability: None,
        delay_ms: None,
        after_events: None,
        message: None,
    }
}

fn text_of(msg: &Message) -> String {
    msg.content()
        .iter()
        .filter_map(|b| b.as_text().ok().cloned())
        .collect()
}

#[tokio::test]
async fn converse_echoes_and_reports_usage() {
    let h = emulator().await;
    let out = client(&h)
        .converse()
        .model_id(MODEL)
        .system(SystemContentBlock::Text("Be brief.".into()))
        .messages(user("Hello, emulator!"))
        .send()
        .await
        .expect("converse ok");
    let msg = out.output().expect("output").as_message().expect("message");
    assert_eq!(text_of(msg), "Hello, emulator!");
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
    let usage = out.usage().expect("usage");
    // "Be brief." (9) + "Hello, emulator!" (16) = 25 chars -> 7 tokens; reply 16 chars -> 4.
    assert_eq!(
        (
            usage.input_tokens(),
            usage.output_tokens(),
            usage.total_tokens()
        ),
        (7, 4, 11)
    );
    assert!(out.metrics().expect("metrics").latency_ms() > 0);

    let reqs = h.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].operation, Operation::Converse);
    assert_eq!(reqs[0].model_id, MODEL);
    assert_eq!(
        reqs[0].auth,
        AuthSeen::SigV4 {
            access_key_id: ACCESS_KEY_ID.into(),
            region: "us-east-1".into(),
            service: "bedrock".into()
        }
    );
    let auth = reqs[0]
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .expect("auth header");
    assert_eq!(auth.1, "<redacted>");
    assert_eq!(
        reqs[0].body["messages"][0]["content"][0]["text"],
        "Hello, emulator!"
    );
    h.clear_requests();
    assert!(h.requests().is_empty());
}

#[tokio::test]
async fn cache_point_writes_then_reads() {
    let h = emulator().await;
    let c = client(&h);
    let call = || {
        c.converse()
            .model_id(MODEL)
            .system(SystemContentBlock::Text("x".repeat(400)))
            .system(SystemContentBlock::CachePoint(
                CachePointBlock::builder()
                    .r#type(CachePointType::Default)
                    .build()
                    .expect("cp"),
            ))
            .messages(user("abcd"))
            .send()
    };
    let first = call().await.expect("first");
    let second = call().await.expect("second");
    let (u1, u2) = (first.usage().expect("u"), second.usage().expect("u"));
    assert_eq!(
        (
            u1.cache_write_input_tokens(),
            u1.cache_read_input_tokens(),
            u1.input_tokens()
        ),
        (Some(100), Some(0), 1)
    );
    assert_eq!(
        (
            u2.cache_write_input_tokens(),
            u2.cache_read_input_tokens(),
            u2.input_tokens()
        ),
        (Some(0), Some(100), 1)
    );
    assert_eq!(u2.total_tokens(), 100 + 1 + 1);
}

#[tokio::test]
async fn converse_stream_yields_every_event_variant() {
    let h = emulator_with(EmulatorConfig {
        stream_chunk_chars: 4,
        ..EmulatorConfig::default()
    })
    .await;
    let thinking = json!({"thinking":{"type":"enabled","budget_tokens":1024}});
    let out = client(&h)
        .converse_stream()
        .model_id(MODEL)
        .messages(user("Use get_weather: what is it like in Paris?"))
        .tool_config(weather_tools(Some(ToolChoice::Auto(
            aws_sdk_bedrockruntime::types::AutoToolChoice::builder().build(),
        ))))
        .inference_config(
            aws_sdk_bedrockruntime::types::InferenceConfiguration::builder()
                .max_tokens(2048)
                .build(),
        )
        .additional_model_request_fields(doc(&thinking))
        .send()
        .await
        .expect("stream opens");
    let mut rx = out.stream;
    let (mut reasoning, mut signature, mut tool_input, mut tool_frags) =
        (String::new(), None, String::new(), 0);
    let (mut starts, mut stops, mut text) = (Vec::new(), 0, String::new());
    let (mut stop_reason, mut usage, mut first_is_start) = (None, None, None);
    while let Some(ev) = rx.recv().await.expect("event") {
        first_is_start.get_or_insert(matches!(ev, ConverseStreamOutput::MessageStart(_)));
        match ev {
            ConverseStreamOutput::ContentBlockStart(s) => {
                if let Some(ContentBlockStart::ToolUse(t)) = s.start() {
                    starts.push((
                        s.content_block_index(),
                        t.name().to_owned(),
                        t.tool_use_id().to_owned(),
                    ));
                }
            }
            ConverseStreamOutput::ContentBlockDelta(d) => match d.delta() {
                Some(ContentBlockDelta::Text(t)) => text.push_str(t),
                Some(ContentBlockDelta::ToolUse(t)) => {
                    tool_input.push_str(t.input());
                    tool_frags += 1;
                }
                Some(ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(t))) => {
                    reasoning.push_str(t)
                }
                Some(ContentBlockDelta::ReasoningContent(
                    ReasoningContentBlockDelta::Signature(s),
                )) => {
                    signature = Some(s.clone());
                }
                other => panic!("unexpected delta {other:?}"),
            },
            ConverseStreamOutput::ContentBlockStop(_) => stops += 1,
            ConverseStreamOutput::MessageStop(m) => stop_reason = Some(m.stop_reason().clone()),
            ConverseStreamOutput::Metadata(m) => usage = m.usage().cloned(),
            _ => {}
        }
    }
    assert_eq!(first_is_start, Some(true));
    assert_eq!(
        reasoning,
        "Considering: Use get_weather: what is it like in Pari"
    );
    assert!(
        signature.is_some_and(|s| s.len() == 44),
        "base64 sha256 signature"
    );
    assert_eq!(text, "Calling get_weather.");
    assert_eq!(starts.len(), 1);
    assert_eq!(
        starts[0].0, 2,
        "reasoning and text blocks consume indexes 0 and 1"
    );
    assert!(starts[0].2.starts_with("tooluse_") && starts[0].2.len() == 30);
    assert!(tool_frags >= 2);
    let input: Value = serde_json::from_str(&tool_input).expect("tool input json");
    assert_eq!(input, json!({"city":"emulated","days":1,"unit":"c"}));
    assert_eq!(stops, 3);
    assert_eq!(stop_reason, Some(StopReason::ToolUse));
    assert!(usage.expect("usage in metadata").output_tokens() > 0);
}

#[tokio::test]
async fn stream_text_arrives_in_configured_chunks() {
    let h = emulator_with(EmulatorConfig {
        stream_chunk_chars: 5,
        ..EmulatorConfig::default()
    })
    .await;
    let mut rx = client(&h)
        .converse_stream()
        .model_id(MODEL)
        .messages(user("twelve chars"))
        .send()
        .await
        .expect("stream")
        .stream;
    let mut pieces = Vec::new();
    while let Some(ev) = rx.recv().await.expect("event") {
        if let ConverseStreamOutput::ContentBlockDelta(d) = ev
            && let Some(ContentBlockDelta::Text(t)) = d.delta()
        {
            pieces.push(t.clone());
        }
    }
    assert_eq!(pieces, ["twelv", "e cha", "rs"]);
}

#[tokio::test]
async fn tool_call_then_tool_result_turn() {
    let h = emulator().await;
    let c = client(&h);
    let first = c
        .converse()
        .model_id(MODEL)
        .messages(user("please call get_weather"))
        .tool_config(weather_tools(None))
        .send()
        .await
        .expect("tool call");
    assert_eq!(first.stop_reason(), &StopReason::ToolUse);
    let assistant = first.output().expect("o").as_message().expect("m").clone();
    assert_eq!(
        assistant.content()[0].as_text().expect("text"),
        "Calling get_weather."
    );
    let tool_use = assistant.content()[1]
        .as_tool_use()
        .expect("tool use")
        .clone();
    assert_eq!(tool_use.name(), "get_weather");

    let result = ToolResultBlock::builder()
        .tool_use_id(tool_use.tool_use_id())
        .content(ToolResultContentBlock::Text("sunny".into()))
        .content(ToolResultContentBlock::Json(doc(&json!({"temp":21}))))
        .build()
        .expect("result");
    let second = c
        .converse()
        .model_id(MODEL)
        .messages(user("please call get_weather"))
        .messages(assistant)
        .messages(
            Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::ToolResult(result))
                .build()
                .expect("m"),
        )
        .tool_config(weather_tools(None))
        .send()
        .await
        .expect("tool result turn");
    assert_eq!(second.stop_reason(), &StopReason::EndTurn);
    assert_eq!(
        text_of(second.output().expect("o").as_message().expect("m")),
        r#"tool results: sunny {"temp":21}"#
    );

    // Forced choice: no announcement text, the named tool is called.
    let forced = c
        .converse()
        .model_id(MODEL)
        .messages(user("anything"))
        .tool_config(weather_tools(Some(ToolChoice::Tool(
            SpecificToolChoice::builder()
                .name("get_weather")
                .build()
                .expect("c"),
        ))))
        .send()
        .await
        .expect("forced");
    let content = forced
        .output()
        .expect("o")
        .as_message()
        .expect("m")
        .content();
    assert_eq!(content.len(), 1);
    assert!(content[0].is_tool_use());
    let any = c
        .converse()
        .model_id(MODEL)
        .messages(user("anything"))
        .tool_config(weather_tools(Some(ToolChoice::Any(
            AnyToolChoice::builder().build(),
        ))))
        .send()
        .await
        .expect("any");
    assert_eq!(any.stop_reason(), &StopReason::ToolUse);
}

#[tokio::test]
async fn structured_output_follows_schema() {
    let h = emulator().await;
    let schema = json!({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
        "tags":{"type":"array","items":{"type":"string"}}},"required":["name","age"]});
    let out = client(&h)
        .converse()
        .model_id(MODEL)
        .messages(user("give me a person"))
        .output_config(
            OutputConfig::builder()
                .text_format(
                    OutputFormat::builder()
                        .r#type(OutputFormatType::JsonSchema)
                        .structure(OutputFormatStructure::JsonSchema(
                            JsonSchemaDefinition::builder()
                                .schema(schema.to_string())
                                .name("person")
                                .build()
                                .expect("s"),
                        ))
                        .build()
                        .expect("fmt"),
                )
                .build(),
        )
        .send()
        .await
        .expect("structured");
    let text = text_of(out.output().expect("o").as_message().expect("m"));
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("json"),
        json!({"name":"emulated","age":1})
    );
    assert_eq!(out.stop_reason(), &StopReason::EndTurn);
}

#[tokio::test]
async fn bearer_api_key_is_accepted_and_wrong_key_rejected() {
    use aws_smithy_runtime_api::client::auth::http::HTTP_BEARER_AUTH_SCHEME_ID;
    let h = emulator().await;
    let bearer = |key: &str| {
        Client::from_conf(
            config(&h, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .bearer_token(Token::new(key, None))
                .auth_scheme_preference([HTTP_BEARER_AUTH_SCHEME_ID])
                .retry_config(RetryConfig::disabled())
                .build(),
        )
    };
    let out = bearer(API_KEY)
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect("bearer ok");
    assert_eq!(
        text_of(out.output().expect("o").as_message().expect("m")),
        "hi"
    );
    assert_eq!(h.requests()[0].auth, AuthSeen::Bearer);

    let err = bearer("nope")
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect_err("rejected");
    assert_eq!(err.code(), Some("UnrecognizedClientException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
}

#[tokio::test]
async fn sigv4_failures_use_aws_codes() {
    let h = emulator().await;
    let wrong_secret = Client::from_conf(
        config(&h, ACCESS_KEY_ID, "not-the-secret")
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    let err = wrong_secret
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect_err("bad sig");
    assert_eq!(err.code(), Some("InvalidSignatureException"));
    assert!(
        err.message()
            .expect("msg")
            .starts_with("The request signature we calculated does not match")
    );
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));

    let unknown = Client::from_conf(
        config(&h, "AKIDUNKNOWN", SECRET_ACCESS_KEY)
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    let err = unknown
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect_err("unknown key");
    assert_eq!(err.code(), Some("UnrecognizedClientException"));
    assert_eq!(
        err.message(),
        Some("The security token included in the request is invalid.")
    );

    // Hand-rolled requests for what the SDK never does by itself.
    let http = reqwest::Client::new();
    let url = format!("{}/model/{MODEL}/converse", h.endpoint_url());
    let body = r#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#;
    let send = |auth: Option<String>, date: &str| {
        let mut rb = http.post(&url).header("x-amz-date", date).body(body);
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        rb.send()
    };
    let err_type = |r: &reqwest::Response| {
        r.headers()["x-amzn-errortype"]
            .to_str()
            .expect("ascii")
            .to_owned()
    };
    let r = send(None, "20300101T000000Z").await.expect("sent");
    assert_eq!(r.status(), 403);
    assert!(err_type(&r).starts_with("MissingAuthenticationTokenException:"));
    let scope = |svc: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/20200101/us-east-1/{svc}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
        )
    };
    let r = send(Some(scope("bedrock-runtime")), "20200101T000000Z")
        .await
        .expect("sent");
    assert!(err_type(&r).starts_with("InvalidSignatureException:"));
    let msg: Value = r.json().await.expect("json");
    assert_eq!(
        msg["message"],
        "Credential should be scoped to correct service: 'bedrock'. "
    );
    let r = send(Some(scope("bedrock")), "20200101T000000Z")
        .await
        .expect("sent");
    let msg: Value = r.json().await.expect("json");
    assert!(
        msg["message"]
            .as_str()
            .expect("m")
            .starts_with("Signature expired: 20200101T000000Z is now earlier than")
    );
}

#[tokio::test]
async fn every_fault_kind_maps_to_the_modeled_sdk_error() {
    let h = emulator().await;
    let c = client(&h);
    type IsVariant = fn(&ConverseError) -> bool;
    let cases: Vec<(FaultKind, u16, IsVariant)> = vec![
        (FaultKind::Throttle, 429, |e| {
            matches!(e, ConverseError::ThrottlingException(_))
        }),
        (FaultKind::ServerError, 500, |e| {
            matches!(e, ConverseError::InternalServerException(_))
        }),
        (FaultKind::Unavailable, 503, |e| {
            matches!(e, ConverseError::ServiceUnavailableException(_))
        }),
        (FaultKind::ModelNotReady, 429, |e| {
            matches!(e, ConverseError::ModelNotReadyException(_))
        }),
        (FaultKind::ModelTimeout, 408, |e| {
            matches!(e, ConverseError::ModelTimeoutException(_))
        }),
        (FaultKind::ModelError, 424, |e| {
            matches!(e, ConverseError::ModelErrorException(_))
        }),
        (FaultKind::Validation, 400, |e| {
            matches!(e, ConverseError::ValidationException(_))
        }),
        (FaultKind::AccessDenied, 403, |e| {
            matches!(e, ConverseError::AccessDeniedException(_))
        }),
        (FaultKind::NotFound, 404, |e| {
            matches!(e, ConverseError::ResourceNotFoundException(_))
        }),
    ];
    for (kind, status, is_variant) in cases {
        h.set_faults(
            MODEL,
            vec![Fault {
                message: Some(format!("scripted {kind:?}")),
                ..fault(kind)
            }],
        );
        let err = c
            .converse()
            .model_id(MODEL)
            .messages(user("hi"))
            .send()
            .await
            .expect_err("fault");
        assert_eq!(
            err.raw_response().map(|r| r.status().as_u16()),
            Some(status),
            "{kind:?}"
        );
        assert!(
            err.raw_response()
                .is_some_and(|r| r.headers().get("x-amzn-RequestId").is_some())
        );
        let svc = err.into_service_error();
        assert!(is_variant(&svc), "{kind:?} parsed as {svc:?}");
        assert_eq!(svc.message(), Some(format!("scripted {kind:?}").as_str()));
    }
    // ServiceQuotaExceededException is modeled on InvokeModel only.
    h.set_faults("*", vec![fault(FaultKind::QuotaExceeded)]);
    h.set_faults(MODEL, vec![]);
    let err = c
        .invoke_model()
        .model_id("amazon.titan-embed-text-v2:0")
        .content_type("application/json")
        .body(Blob::new(r#"{"inputText":"x"}"#))
        .send()
        .await
        .expect_err("quota");
    assert!(matches!(
        err.into_service_error(),
        InvokeModelError::ServiceQuotaExceededException(_)
    ));
    h.clear_faults();
    assert!(
        c.converse()
            .model_id(MODEL)
            .messages(user("hi"))
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn stream_cut_and_stream_error_surface_from_recv() {
    let h = emulator().await;
    let c = client(&h);
    let open = || {
        c.converse_stream()
            .model_id(MODEL)
            .messages(user("a reply long enough for several deltas"))
            .send()
    };

    h.set_faults(
        MODEL,
        vec![Fault {
            after_events: Some(2),
            ..fault(FaultKind::StreamCut)
        }],
    );
    let mut rx = open().await.expect("headers arrive").stream;
    let mut seen = 0;
    let err = loop {
        match rx.recv().await {
            Ok(Some(ev)) => {
                assert!(!matches!(ev, ConverseStreamOutput::MessageStop(_)));
                seen += 1;
            }
            Ok(None) => panic!("stream ended cleanly after a cut"),
            Err(e) => break e,
        }
    };
    assert_eq!(seen, 2);
    drop(err);

    h.set_faults(
        MODEL,
        vec![Fault {
            after_events: Some(1),
            ..fault(FaultKind::StreamError)
        }],
    );
    let mut rx = open().await.expect("headers arrive").stream;
    assert!(matches!(
        rx.recv().await,
        Ok(Some(ConverseStreamOutput::MessageStart(_)))
    ));
    let err = rx.recv().await.expect_err("exception frame");
    assert!(matches!(
        err.into_service_error(),
        ConverseStreamOutputError::ThrottlingException(_)
    ));

    h.set_faults(
        MODEL,
        vec![Fault {
            message: Some("modelStreamErrorException".into()),
            ..fault(FaultKind::StreamError)
        }],
    );
    let mut rx = open().await.expect("headers arrive").stream;
    match rx
        .recv()
        .await
        .expect_err("exception frame")
        .into_service_error()
    {
        ConverseStreamOutputError::ModelStreamErrorException(e) => {
            assert_eq!(e.original_status_code(), Some(500))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn delay_event_delay_and_hang() {
    let h = emulator().await;
    let c = client(&h);
    h.set_faults(
        MODEL,
        vec![Fault {
            delay_ms: Some(150),
            times: Some(1),
            ..fault(FaultKind::Delay)
        }],
    );
    let t = std::time::Instant::now();
    c.converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect("delayed ok");
    assert!(t.elapsed() >= Duration::from_millis(150));

    h.set_faults(
        MODEL,
        vec![Fault {
            delay_ms: Some(30),
            ..fault(FaultKind::EventDelay)
        }],
    );
    let t = std::time::Instant::now();
    let mut rx = c
        .converse_stream()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect("s")
        .stream;
    let mut n = 0;
    while rx.recv().await.expect("ev").is_some() {
        n += 1;
    }
    assert_eq!(n, 5, "start, delta, stop, messageStop, metadata");
    assert!(t.elapsed() >= Duration::from_millis(4 * 30));

    h.set_faults("*", vec![fault(FaultKind::Hang)]);
    let impatient = Client::from_conf(
        config(&h, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(Duration::from_millis(300))
                    .build(),
            )
            .build(),
    );
    let err = impatient
        .converse()
        .model_id("amazon.nova-lite-v1:0")
        .messages(user("hi"))
        .send()
        .await
        .expect_err("hang");
    assert!(
        matches!(
            err,
            aws_sdk_bedrockruntime::error::SdkError::TimeoutError(_)
        ),
        "{err:?}"
    );
    h.shutdown();
}

#[tokio::test]
async fn fault_times_let_sdk_retries_succeed() {
    let h = emulator().await;
    let retrying = Client::from_conf(
        config(&h, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(5)),
            )
            .build(),
    );
    h.set_faults(
        MODEL,
        vec![Fault {
            times: Some(2),
            ..fault(FaultKind::Throttle)
        }],
    );
    retrying
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect("third attempt wins");
    assert_eq!(h.requests().len(), 3);
    // The rule is spent: the next call goes straight through.
    retrying
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect("ok");
    assert_eq!(h.requests().len(), 4);
}

#[tokio::test]
async fn invoke_model_embeddings() {
    let h = emulator().await;
    let c = client(&h);
    let invoke = |model: &'static str, body: Value| {
        c.invoke_model()
            .model_id(model)
            .content_type("application/json")
            .body(Blob::new(body.to_string()))
            .send()
    };
    let out = invoke(
        "amazon.titan-embed-text-v2:0",
        json!({"inputText":"hello world","dimensions":256}),
    )
    .await
    .expect("titan");
    let v: Value = serde_json::from_slice(out.body().as_ref()).expect("json");
    let emb = v["embedding"].as_array().expect("embedding");
    assert_eq!(emb.len(), 256);
    let norm: f64 = emb.iter().map(|x| x.as_f64().expect("f").powi(2)).sum();
    assert!((norm - 1.0).abs() < 1e-3);
    assert_eq!(v["inputTextTokenCount"], 3);
    let again = invoke(
        "amazon.titan-embed-text-v2:0",
        json!({"inputText":"hello world","dimensions":256}),
    )
    .await
    .expect("titan");
    assert_eq!(
        serde_json::from_slice::<Value>(again.body().as_ref()).expect("json")["embedding"],
        v["embedding"]
    );

    let err = invoke(
        "amazon.titan-embed-text-v2:0",
        json!({"inputText":"x","dimensions":300}),
    )
    .await
    .expect_err("dims");
    assert!(matches!(
        err.into_service_error(),
        InvokeModelError::ValidationException(_)
    ));

    let out = invoke(
        "cohere.embed-english-v3",
        json!({"texts":["a","b","c"],"input_type":"search_document"}),
    )
    .await
    .expect("cohere");
    let v: Value = serde_json::from_slice(out.body().as_ref()).expect("json");
    assert_eq!(v["response_type"], "embeddings_floats");
    assert_eq!(v["embeddings"].as_array().expect("e").len(), 3);
    assert_eq!(v["embeddings"][0].as_array().expect("e").len(), 1024);
    let too_many: Vec<String> = (0..97).map(|i| i.to_string()).collect();
    let err = invoke(
        "cohere.embed-english-v3",
        json!({"texts":too_many,"input_type":"search_document"}),
    )
    .await
    .expect_err("97");
    assert!(err.message().expect("m").contains("maxItems: 96"));
    let err = invoke(
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
        json!({"messages":[]}),
    )
    .await
    .expect_err("chat on invoke");
    assert!(matches!(
        err.into_service_error(),
        InvokeModelError::ValidationException(_)
    ));
}

#[tokio::test]
async fn invoke_model_sets_token_count_headers() {
    let h = emulator_with(EmulatorConfig {
        verify_signatures: false,
        ..EmulatorConfig::default()
    })
    .await;
    let r = reqwest::Client::new()
        .post(format!(
            "{}/model/amazon.titan-embed-text-v1/invoke",
            h.endpoint_url()
        ))
        .body(r#"{"inputText":"twelve chars"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-amzn-bedrock-input-token-count"], "3");
    assert!(r.headers().contains_key("x-amzn-requestid"));
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["embedding"].as_array().expect("e").len(), 1536);
    assert_eq!(h.requests()[0].auth, AuthSeen::None);
}

#[tokio::test]
async fn count_tokens_for_anthropic_only() {
    let h = emulator().await;
    let c = client(&h);
    let input = CountTokensInput::Converse(
        ConverseTokensRequest::builder()
            .messages(user("12345678"))
            .system(SystemContentBlock::Text("abcd".into()))
            .build(),
    );
    let out = c
        .count_tokens()
        .model_id("anthropic.claude-3-5-haiku-20241022-v1:0")
        .input(input.clone())
        .send()
        .await
        .expect("count");
    assert_eq!(out.input_tokens(), 3);
    let err = c
        .count_tokens()
        .model_id("amazon.nova-pro-v1:0")
        .input(input)
        .send()
        .await
        .expect_err("nova");
    assert_eq!(
        err.message(),
        Some("The provided model doesn't support counting tokens.")
    );
}

#[tokio::test]
async fn validation_messages_match_bedrock() {
    let h = emulator().await;
    let c = client(&h);
    let msg = |r: Result<_, aws_sdk_bedrockruntime::error::SdkError<ConverseError, _>>| {
        let e = r.expect_err("rejected").into_service_error();
        assert!(matches!(e, ConverseError::ValidationException(_)), "{e:?}");
        e.message().expect("message").to_owned()
    };
    let bare = "anthropic.claude-sonnet-4-20250514-v1:0";
    assert_eq!(
        msg(c
            .converse()
            .model_id(bare)
            .messages(user("hi"))
            .send()
            .await),
        format!(
            "Invocation of model ID {bare} with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."
        )
    );
    assert_eq!(
        msg(c
            .converse()
            .model_id("acme.rocket-v1:0")
            .messages(user("hi"))
            .send()
            .await),
        "The provided model identifier is invalid."
    );
    assert!(
        msg(c
            .converse()
            .model_id(MODEL)
            .messages(user("a"))
            .messages(user("b"))
            .send()
            .await)
        .starts_with("A conversation must alternate between user and assistant roles.")
    );
    assert!(
        msg(c
            .converse()
            .model_id(MODEL)
            .messages(user("   "))
            .send()
            .await)
        .starts_with("The text field in the ContentBlock object at messages.0.content.0 is blank.")
    );
    let tool_use = aws_sdk_bedrockruntime::types::ToolUseBlock::builder()
        .tool_use_id("t1")
        .name("get_weather")
        .input(doc(&json!({})))
        .build()
        .expect("tu");
    let assistant = Message::builder()
        .role(ConversationRole::Assistant)
        .content(ContentBlock::ToolUse(tool_use))
        .build()
        .expect("m");
    assert_eq!(
        msg(c
            .converse()
            .model_id(MODEL)
            .messages(user("a"))
            .messages(assistant.clone())
            .messages(user("b"))
            .send()
            .await),
        "The toolConfig field must be defined when using toolUse and toolResult content blocks."
    );
    assert_eq!(
        msg(c
            .converse()
            .model_id(MODEL)
            .messages(user("a"))
            .messages(assistant)
            .messages(user("b"))
            .tool_config(weather_tools(None))
            .send()
            .await),
        "Expected toolResult blocks at messages.2.content for the following Ids: t1"
    );
    let hot = aws_sdk_bedrockruntime::types::InferenceConfiguration::builder()
        .temperature(1.5)
        .build();
    assert!(
        msg(c
            .converse()
            .model_id(MODEL)
            .messages(user("a"))
            .inference_config(hot)
            .send()
            .await)
        .contains("'inferenceConfig.temperature' failed to satisfy constraint")
    );
}

#[tokio::test]
async fn admin_api_drives_faults_and_lists_requests() {
    let h = emulator().await;
    let http = reqwest::Client::new();
    let base = h.endpoint_url();
    let health: Value = http
        .get(format!("{base}/_emulator/health"))
        .send()
        .await
        .expect("h")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");

    let faults = json!([{"kind":"unavailable","times":1}]);
    let r = http
        .put(format!("{base}/_emulator/faults/{MODEL}"))
        .json(&faults)
        .send()
        .await
        .expect("put");
    assert!(r.status().is_success());
    let c = client(&h);
    let err = c
        .converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect_err("unavailable");
    assert!(matches!(
        err.into_service_error(),
        ConverseError::ServiceUnavailableException(_)
    ));
    c.converse()
        .model_id(MODEL)
        .messages(user("hi"))
        .send()
        .await
        .expect("times exhausted");

    let r = http
        .put(format!("{base}/_emulator/faults/*"))
        .json(&json!([{"kind":"throttle"}]))
        .send()
        .await
        .expect("put");
    assert!(r.status().is_success());
    assert!(
        c.converse()
            .model_id("amazon.nova-pro-v1:0")
            .messages(user("x"))
            .send()
            .await
            .is_err()
    );
    let r = http
        .delete(format!("{base}/_emulator/faults"))
        .send()
        .await
        .expect("delete");
    assert!(r.status().is_success());
    c.converse()
        .model_id("amazon.nova-pro-v1:0")
        .messages(user("x"))
        .send()
        .await
        .expect("faults cleared");

    let list: Value = http
        .get(format!("{base}/_emulator/requests"))
        .send()
        .await
        .expect("g")
        .json()
        .await
        .expect("json");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["operation"], "Converse");
    assert_eq!(list[0]["model_id"], MODEL);
    assert_eq!(list[3]["model_id"], "amazon.nova-pro-v1:0");
    assert_eq!(list[0]["auth"]["SigV4"]["service"], "bedrock");
    http.delete(format!("{base}/_emulator/requests"))
        .send()
        .await
        .expect("d");
    assert!(h.requests().is_empty());

    let bad = http
        .put(format!("{base}/_emulator/faults/x"))
        .json(&json!([{"kind":"explode"}]))
        .send()
        .await
        .expect("put");
    assert!(bad.status().is_client_error());
}

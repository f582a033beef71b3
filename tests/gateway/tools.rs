//! Tool calling: definitions, choice, calls, results, and continuing without `tools`.

use serde_json::json;

use crate::rig::Harness;

fn weather_tool() -> serde_json::Value {
    json!({"type": "function", "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}
    }})
}

#[tokio::test]
async fn full_tool_round_trip_and_continuation_without_tools() {
    let h = Harness::default().await;
    let first = json!({"role": "user", "content": "Please use get_weather for Paris"});
    let (status, _, body) = h
        .chat(json!({"model": "claude", "messages": [first], "tools": [weather_tool()], "tool_choice": "auto"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let choice = &body["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    let call = &choice["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "get_weather");
    let args: serde_json::Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args, json!({"city": "emulated"}));
    let sent = &h.emu.requests()[0].body;
    assert_eq!(
        sent["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_weather"
    );
    assert_eq!(sent["toolConfig"]["toolChoice"], json!({"auto": {}}));

    // Continue the conversation with the tool's result and WITHOUT re-sending `tools`:
    // Bedrock would reject toolUse/toolResult history without toolConfig, so gw rebuilds it.
    h.emu.clear_requests();
    let assistant = choice["message"].clone();
    let (status, _, body) = h
        .chat(json!({"model": "claude", "messages": [
            first,
            assistant,
            {"role": "tool", "tool_call_id": call["id"], "content": "{\"temp_c\": 21}"},
            {"role": "user", "content": "and tomorrow?"}
        ]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let sent = &h.emu.requests()[0].body;
    assert_eq!(
        sent["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_weather"
    );
    let last = sent["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["role"], "user");
    assert_eq!(
        last["content"][0]["toolResult"]["content"][0]["json"],
        json!({"temp_c": 21})
    );
    assert_eq!(
        last["content"][1]["text"], "and tomorrow?",
        "tool result and user text merged into one turn"
    );
}

#[tokio::test]
async fn tool_results_reach_the_model() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({"model": "nova", "tools": [weather_tool()], "messages": [
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}},
                {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Rome\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "cold"},
            {"role": "tool", "tool_call_id": "call_2", "content": "warm"}
        ]}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "tool results: cold; warm"
    );
    let sent = &h.emu.requests()[0].body;
    assert_eq!(
        sent["messages"].as_array().unwrap().len(),
        3,
        "parallel tool results merged: {sent}"
    );
}

#[tokio::test]
async fn forced_tool_choice_and_required() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({"model": "claude-us", "messages": [{"role": "user", "content": "hi"}], "tools": [weather_tool()],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
        "get_weather"
    );
    assert_eq!(
        h.emu.requests()[0].body["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "get_weather"}})
    );

    // Llama cannot be forced to call a tool: a clear 400 instead of Bedrock's opaque one.
    let (status, _, body) = h
        .chat(json!({"model": "llama", "messages": [{"role": "user", "content": "hi"}], "tools": [weather_tool()], "tool_choice": "required"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn bad_tool_arguments_are_a_400_naming_the_param() {
    let h = Harness::default().await;
    let (status, _, body) = h
        .chat(json!({"model": "nova", "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{not json"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "y"}
        ]}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["param"],
        "messages[1].tool_calls[0].function.arguments"
    );
    assert!(h.emu.requests().is_empty(), "nothing left gw");
}

"""The official `openai` Python SDK against gw: what app teams actually run."""

import json

import openai
import pytest


def client(gw, **kw):
    return openai.OpenAI(base_url=f"{gw.url}/v1", api_key="unused-without-auth", max_retries=0, **kw)


def test_chat(gw):
    resp = client(gw).chat.completions.create(
        model="claude",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello from the openai SDK"},
        ],
        max_tokens=64,
    )
    assert resp.object == "chat.completion"
    assert resp.model == "claude"
    assert resp.choices[0].message.content == "Hello from the openai SDK"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    sent = gw.sent()
    assert sent[0]["operation"] == "Converse"
    assert sent[0]["body"]["system"] == [{"text": "Be brief."}]


def test_stream_with_usage(gw):
    text = "Streaming through gw, one piece at a time, until the end."
    stream = client(gw).chat.completions.create(
        model="nova",
        messages=[{"role": "user", "content": text}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, finish, usage = [], None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finish = choice.finish_reason
    assert "".join(pieces) == text
    assert len(pieces) > 1
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens > 0


def test_tool_round_trip(gw):
    tools = [{
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Find an order",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
        },
    }]
    c = client(gw)
    messages = [{"role": "user", "content": "Please lookup_order 42"}]
    first = c.chat.completions.create(model="claude", messages=messages, tools=tools)
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup_order"
    assert json.loads(call.function.arguments) == {"order_id": "emulated"}

    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"status": "shipped"})})
    # The final turn drops `tools`, as many agents do; gw rebuilds Bedrock's toolConfig.
    second = c.chat.completions.create(model="claude", messages=messages)
    assert second.choices[0].message.content == 'tool results: {"status":"shipped"}'
    assert second.choices[0].finish_reason == "stop"


def test_streamed_tool_call(gw):
    tools = [{"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}}]
    stream = client(gw).chat.completions.create(
        model="claude", messages=[{"role": "user", "content": "call get_time"}], tools=tools, stream=True
    )
    calls = {}
    for chunk in stream:
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or []:
                entry = calls.setdefault(tc.index, {"name": "", "args": ""})
                if tc.function.name:
                    entry["name"] = tc.function.name
                entry["args"] += tc.function.arguments or ""
    assert list(calls) == [0]
    assert calls[0]["name"] == "get_time"
    assert json.loads(calls[0]["args"]) == {"tz": "emulated"}


def test_embeddings(gw):
    # Without encoding_format the SDK asks for base64 and decodes the little-endian floats itself,
    # so this also proves gw's base64 encoding.
    resp = client(gw).embeddings.create(model="embed", input=["first text", "second text"], dimensions=512)
    assert [d.index for d in resp.data] == [0, 1]
    assert all(len(d.embedding) == 512 for d in resp.data)
    norm = sum(x * x for x in resp.data[0].embedding)
    assert abs(norm - 1.0) < 1e-3
    assert resp.usage.prompt_tokens > 0
    floats = client(gw).embeddings.create(model="embed", input="third", encoding_format="float").data[0].embedding
    assert len(floats) == 1024


def test_models(gw):
    ids = {m.id for m in client(gw).models.list()}
    assert {"claude", "nova", "embed", "claude-us"} <= ids


def test_bad_request(gw):
    with pytest.raises(openai.BadRequestError) as err:
        client(gw).chat.completions.create(model="claude", messages=[{"role": "user", "content": "x"}], n=3)
    assert err.value.body["param"] == "n"


def test_unknown_model(gw):
    with pytest.raises(openai.NotFoundError) as err:
        client(gw).chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])
    assert "claude" in err.value.message


def test_throttled(gw):
    gw.fault("us.amazon.nova-pro-v1:0", {"kind": "throttle"})
    with pytest.raises(openai.RateLimitError) as err:
        client(gw).chat.completions.create(model="nova", messages=[{"role": "user", "content": "x"}])
    assert err.value.response.headers.get("retry-after") == "1"
    assert len(gw.sent()) == 2, "gw retried once, per the pack"


def test_access_denied(gw):
    gw.fault("us.amazon.nova-pro-v1:0", {"kind": "access_denied"})
    with pytest.raises(openai.PermissionDeniedError) as err:
        client(gw).chat.completions.create(model="nova", messages=[{"role": "user", "content": "x"}])
    assert "model access" in err.value.message


def test_server_errors(gw):
    gw.fault("us.amazon.nova-pro-v1:0", {"kind": "server_error"})
    with pytest.raises(openai.InternalServerError) as err:
        client(gw).chat.completions.create(model="nova", messages=[{"role": "user", "content": "x"}])
    assert err.value.status_code == 500


def test_upstream_timeout_and_model_failure(gw):
    gw.fault("us.amazon.nova-pro-v1:0", {"kind": "model_timeout"})
    with pytest.raises(openai.InternalServerError) as err:
        client(gw).chat.completions.create(model="nova", messages=[{"role": "user", "content": "x"}])
    assert err.value.status_code == 504
    gw.clear()
    gw.fault("us.amazon.nova-pro-v1:0", {"kind": "model_error"})
    with pytest.raises(openai.InternalServerError) as err:
        client(gw).chat.completions.create(model="nova", messages=[{"role": "user", "content": "x"}])
    assert err.value.status_code == 502
    assert err.value.body["code"] == "upstream_model_error"


def test_fallback_is_invisible(gw):
    gw.fault("us.anthropic.claude-sonnet-4-5-20250929-v1:0", {"kind": "unavailable"})
    raw = client(gw).chat.completions.with_raw_response.create(model="claude", messages=[{"role": "user", "content": "still here"}])
    assert raw.headers["x-gw-target"] == "claude-eu"
    assert raw.parse().choices[0].message.content == "still here"


def test_too_large(gw):
    with pytest.raises(openai.APIStatusError) as err:
        client(gw).chat.completions.create(model="nova", messages=[{"role": "user", "content": "x" * 11_000_000}])
    assert err.value.status_code == 413


def test_mid_stream_error_raises_in_the_sdk(gw):
    gw.fault("us.amazon.nova-pro-v1:0", {"kind": "stream_error", "after_events": 3, "message": "modelStreamErrorException"})
    stream = client(gw).chat.completions.create(
        model="nova", messages=[{"role": "user", "content": "a message long enough to stream in pieces"}], stream=True
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass

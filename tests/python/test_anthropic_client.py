"""The official `anthropic` Python SDK against gw's Messages API: what coding agents run."""

import anthropic
import pytest

CLAUDE_US = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def test_create(claude, gw):
    msg = claude.messages.create(
        model="claude",
        max_tokens=64,
        system="Be brief.",
        messages=[{"role": "user", "content": "Hello from the anthropic SDK"}],
        metadata={"user_id": "team-a"},
        extra_headers={"anthropic-beta": "an-unknown-beta-2099-01-01"},
    )
    assert msg.type == "message" and msg.role == "assistant"
    assert msg.id.startswith("msg_")
    assert msg.model == "claude"
    assert msg.content[0].type == "text"
    assert msg.content[0].text == "Hello from the anthropic SDK"
    assert msg.stop_reason == "end_turn"
    assert msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0
    sent = gw.sent()
    assert sent[0]["operation"] == "Converse"
    assert sent[0]["body"]["system"] == [{"text": "Be brief."}]
    assert sent[0]["body"]["inferenceConfig"]["maxTokens"] == 64


def test_stream_text(claude):
    text = "Streaming through gw, one piece at a time, until the end."
    with claude.messages.stream(
        model="claude", max_tokens=128, messages=[{"role": "user", "content": text}]
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 1
    assert "".join(pieces) == text
    assert final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0 and final.usage.input_tokens > 0


def test_stream_tool_use_and_thinking(claude):
    with claude.messages.stream(
        model="claude",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        tools=[WEATHER],
        messages=[{"role": "user", "content": "Please use get_weather for Lisbon"}],
    ) as stream:
        events = [e.type for e in stream]
        final = stream.get_final_message()
    assert "content_block_start" in events and "message_stop" in events
    kinds = [b.type for b in final.content]
    assert kinds == ["thinking", "text", "tool_use"], kinds
    assert final.content[0].thinking and final.content[0].signature
    assert final.content[2].name == "get_weather"
    assert isinstance(final.content[2].input["city"], str)
    assert final.stop_reason == "tool_use"


def test_tool_round_trip_with_thinking(claude, gw):
    first = [{"role": "user", "content": "What's the weather? Call get_weather."}]
    kw = dict(model="claude", max_tokens=2048, tools=[WEATHER], thinking={"type": "enabled", "budget_tokens": 1024})
    msg = claude.messages.create(messages=first, **kw)
    assert msg.stop_reason == "tool_use"
    call = next(b for b in msg.content if b.type == "tool_use")
    signature = msg.content[0].signature
    reply = claude.messages.create(
        messages=[
            *first,
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in msg.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "21C, clear"}]},
        ],
        **kw,
    )
    assert reply.stop_reason == "end_turn"
    assert any(b.type == "text" and "21C, clear" in b.text for b in reply.content)
    sent = gw.sent()[-1]["body"]
    echoed = sent["messages"][1]["content"][0]["reasoningContent"]["reasoningText"]
    assert echoed["signature"] == signature
    assert sent["messages"][2]["content"][0]["toolResult"]["toolUseId"] == call.id


def test_count_tokens(claude, gw):
    count = claude.messages.count_tokens(
        model="claude", system="sys", messages=[{"role": "user", "content": "how many tokens is this?"}]
    )
    assert count.input_tokens > 0
    sent = gw.sent()[-1]
    assert sent["operation"] == "CountTokens"
    assert sent["model_id"] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
    with pytest.raises(anthropic.BadRequestError) as e:
        claude.messages.count_tokens(model="nova", messages=[{"role": "user", "content": "x"}])
    assert "token counting" in e.value.message


def _fail(gw, kind):
    gw.fault(CLAUDE_US, {"kind": kind, "message": "emulated failure"})


def _ask(claude, model="claude-us", **kw):
    return claude.messages.create(model=model, max_tokens=16, messages=[{"role": "user", "content": "x"}], **kw)


def test_bad_request(claude):
    with pytest.raises(anthropic.BadRequestError) as e:
        claude.messages.create(
            model="claude",
            max_tokens=16,
            messages=[{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}]}],
        )
    assert e.value.status_code == 400
    assert e.value.body["error"]["type"] == "invalid_request_error"
    assert "does not fetch URLs" in e.value.message


def test_not_found(claude):
    with pytest.raises(anthropic.NotFoundError) as e:
        _ask(claude, model="no-such-model")
    assert e.value.body["error"]["type"] == "not_found_error"


def test_rate_limited(claude, gw):
    _fail(gw, "throttle")
    with pytest.raises(anthropic.RateLimitError) as e:
        _ask(claude)
    assert e.value.response.headers.get("retry-after")


def test_overloaded(claude, gw):
    _fail(gw, "unavailable")
    with pytest.raises(anthropic.APIStatusError) as e:
        _ask(claude)
    assert e.value.status_code == 529
    assert e.value.body["error"]["type"] == "overloaded_error"
    if hasattr(anthropic, "OverloadedError"):
        assert isinstance(e.value, anthropic.OverloadedError)


def test_internal_server_error(claude, gw):
    _fail(gw, "server_error")
    with pytest.raises(anthropic.InternalServerError) as e:
        _ask(claude)
    assert e.value.status_code == 500
    assert e.value.body["error"]["type"] == "api_error"


def test_request_too_large(claude):
    with pytest.raises(anthropic.APIStatusError) as e:
        claude.messages.create(model="claude", max_tokens=16, messages=[{"role": "user", "content": "x" * (11 * 1024 * 1024)}])
    assert e.value.status_code == 413
    assert e.value.body["error"]["type"] == "request_too_large"


def test_mid_stream_error(claude, gw):
    gw.fault(CLAUDE_US, {"kind": "stream_error", "after_events": 3, "message": "serviceUnavailableException"})
    with pytest.raises(anthropic.APIStatusError) as e:
        with claude.messages.stream(
            model="claude-us", max_tokens=64, messages=[{"role": "user", "content": "a fairly long message to stream in several pieces"}]
        ) as stream:
            for _ in stream:
                pass
    assert "overloaded_error" in str(e.value.body) or "overloaded" in str(e.value)

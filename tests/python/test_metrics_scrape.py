"""`GET /metrics` read by the Prometheus project's own Python parser, after traffic through the
official `openai` client: the exposition must parse as OpenMetrics and count what happened."""

import httpx
import openai
from prometheus_client.openmetrics.parser import text_string_to_metric_families


def scrape(gw):
    resp = httpx.get(f"{gw.url}/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/openmetrics-text")
    return {f.name: f for f in text_string_to_metric_families(resp.text)}


def value(families, family, sample, **labels):
    """The sum of the samples named `sample` whose labels include `labels`."""
    if family not in families:
        return 0.0
    return sum(
        s.value
        for s in families[family].samples
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_metrics_parse_and_count_requests(gw):
    before = scrape(gw)
    served_before = value(
        before, "gw_requests", "gw_requests_total", endpoint="chat.completions", model="claude", outcome="served"
    )
    client = openai.OpenAI(base_url=f"{gw.url}/v1", api_key="unused-without-auth", max_retries=0)
    for _ in range(3):
        client.chat.completions.create(model="claude", messages=[{"role": "user", "content": "hi"}])
    after = scrape(gw)
    assert (
        value(after, "gw_requests", "gw_requests_total", endpoint="chat.completions", model="claude", outcome="served")
        == served_before + 3
    )
    assert after["gw_request_duration_seconds"].type == "histogram"
    assert value(after, "gw_tokens", "gw_tokens_total", model="claude", kind="output") > 0
    breakers = {s.labels["target"]: s.value for s in after["gw_breaker_state"].samples}
    assert set(breakers) == {"claude-us", "claude-eu", "nova", "titan"}
    assert set(breakers.values()) <= {0, 1, 2}
    assert after["gw_pack_info"].samples[0].labels == {"pack": "python-tests", "version": "1.0.0"}

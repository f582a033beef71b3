"""Fixtures: a real `gw emulate` process and a real `gw run` in front of it, as separate processes.

The official `openai` client talks to gw over HTTP; gw talks to the emulator through the real AWS
SDK with SigV4. Faults are injected through the emulator's admin API.
"""

import os
import pathlib
import re
import subprocess
import tempfile

import anthropic
import httpx
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
GW = os.environ.get("GW_BIN", str(REPO / "target" / "debug" / "gw"))


def spawn_urls(args, env=None):
    """Starts `gw ARGS` and returns it with every URL its first line names."""
    proc = subprocess.Popen(
        [GW, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = proc.stdout.readline()
    urls = re.findall(r"http://[^\s,()]+", line)
    if not urls:
        proc.kill()
        raise RuntimeError(f"gw did not report its URL: {line!r}")
    return proc, urls


def _spawn(args, env=None):
    proc, urls = spawn_urls(args, env)
    return proc, urls[0]


PACK = """
pack: {{ name: python-tests, version: 1.0.0 }}
models:
  claude: {{ strategy: fallback, targets: [claude-us, claude-eu] }}
  embed: {{ targets: [titan] }}
providers:
  retry: {{ max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5 }}
  targets:
    - {{ id: claude-us, provider: aws-bedrock, model: us.anthropic.claude-sonnet-4-5-20250929-v1:0, base_url: "{emu}", aws_access_key_env: EMU_AKID, aws_secret_key_env: EMU_SECRET }}
    - {{ id: claude-eu, provider: aws-bedrock, model: eu.anthropic.claude-sonnet-4-5-20250929-v1:0, aws_region: eu-west-1, base_url: "{emu}", aws_access_key_env: EMU_AKID, aws_secret_key_env: EMU_SECRET }}
    - {{ id: nova, provider: aws-bedrock, model: us.amazon.nova-pro-v1:0, base_url: "{emu}", aws_access_key_env: EMU_AKID, aws_secret_key_env: EMU_SECRET }}
    - {{ id: titan, provider: aws-bedrock, model: amazon.titan-embed-text-v2:0, base_url: "{emu}", aws_access_key_env: EMU_AKID, aws_secret_key_env: EMU_SECRET }}
"""


class Gateway:
    def __init__(self, url, emulator_url):
        self.url = url
        self.emulator_url = emulator_url

    def fault(self, model_id, *faults):
        httpx.put(f"{self.emulator_url}/_emulator/faults/{model_id}", json=list(faults)).raise_for_status()

    def clear(self):
        httpx.delete(f"{self.emulator_url}/_emulator/faults").raise_for_status()
        httpx.delete(f"{self.emulator_url}/_emulator/requests").raise_for_status()

    def sent(self):
        return httpx.get(f"{self.emulator_url}/_emulator/requests").json()


@pytest.fixture(scope="session")
def gateway():
    emu, emu_url = _spawn(["emulate", "--listen", "127.0.0.1:0"])
    with tempfile.TemporaryDirectory() as tmp:
        pack = pathlib.Path(tmp) / "pack.yaml"
        pack.write_text(PACK.format(emu=emu_url))
        env = {
            "EMU_AKID": "AKIDGWEMULATOR000001",
            "EMU_SECRET": "gw-emulator-secret-access-key",
            "RUST_LOG": "warn",
        }
        gw, url = _spawn(["run", "--listen", "127.0.0.1:0", "--policy-config", str(pack)], env)
        try:
            yield Gateway(url, emu_url)
        finally:
            for p in (gw, emu):
                p.terminate()
                p.wait(timeout=10)


@pytest.fixture()
def gw(gateway):
    gateway.clear()
    yield gateway
    gateway.clear()


@pytest.fixture()
def claude(gw):
    """The official `anthropic` client pointed at gw (its `ANTHROPIC_BASE_URL`), no retries."""
    return anthropic.Anthropic(base_url=gw.url, api_key="sk-ant-unused-by-gw", max_retries=0)

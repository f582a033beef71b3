"""OpenCode itself (`opencode run`) through gw, with the full policy chain, against the emulator.

Why: when a permission rule denies a tool call, OpenCode answers the call itself ("The user has
specified a rule which prevents you from using this specific tool call. Here are some of the
relevant rules …"). Read as data, gw withheld that note (0.97), and the model lost the reason its
call failed. The pinned release (tests/traffic/opencode.version, its linux binary installed by
scripts/test under target/opencode) talks to gw's Anthropic door; the emulated model follows the
`gw-emulator:` script line, as in test_claude_code.py.
"""

import json
import os
import pathlib
import platform
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import record_sessions as rs  # noqa: E402

VERSION = (REPO / "tests" / "traffic" / "opencode.version").read_text().strip()
ARCH = {"x86_64": "x64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
BIN = os.environ.get(
    "OPENCODE_BIN", str(REPO / "target" / "opencode" / "node_modules" / f"opencode-linux-{ARCH}" / "bin" / "opencode")
)
CHAIN = """  chain: [prompt-injection, pii-detector, safety-filter, audit-logger]
  policy:
    pii-detector: { style: placeholder, restore: true }
    audit-logger: { path: {audit} }"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not os.path.exists(BIN):
        pytest.fail(f"OpenCode not found at {BIN}: scripts/test installs opencode-linux-{ARCH}@{VERSION}")
    tmp = tmp_path_factory.mktemp("opencode")
    log = open(tmp / "gw.log", "w")
    s = rs.Stack(policies=CHAIN.replace("{audit}", str(tmp / "audit")), workdir=tmp, gw_log=log)
    s.tmp = tmp
    yield s
    s.close()
    log.close()


def run(stack, prompt, permission):
    """One `opencode run` in a fresh project and HOME, with `permission` as its rules."""
    project = stack.tmp / f"project-{len(list(stack.tmp.glob('project-*')))}"
    home = project.with_name(project.name + "-home")
    project.mkdir()
    home.mkdir()
    (project / "README.md").write_text("# demo\n")
    config = {
        "$schema": "https://opencode.ai/config.json",
        "model": f"anthropic/{rs.MODEL}",
        "provider": {"anthropic": {"options": {"baseURL": stack.url + "/v1", "apiKey": "sk-ant-unused"}}},
        "permission": permission,
        "autoupdate": False,
        "share": "disabled",
    }
    (project / "opencode.json").write_text(json.dumps(config))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
           "OPENCODE_DISABLE_AUTOUPDATE": "1", "OPENCODE_DISABLE_MODELS_FETCH": "1"}
    stack.clear()
    return subprocess.run([BIN, "run"], input=prompt, cwd=project, env=env, capture_output=True, text=True,
                          timeout=240)


def test_a_tool_call_denied_by_a_rule_reaches_the_model_whole(stack):
    done = run(stack, "List the files.\n" + rs.script(("bash", {"command": "ls -la", "description": "List files"})),
               {"bash": {"*": "allow", "ls*": "deny"}})
    note = "The user has specified a rule which prevents you from using this specific tool call."
    assert note in done.stdout + done.stderr, f"premise: OpenCode denied the call: {done.stdout[-800:]} {done.stderr[-800:]}"
    upstream = [r["body"] for r in stack.emulator_requests()]
    assert len(upstream) == 2, upstream
    carried = json.dumps(upstream[1]["messages"][-1], ensure_ascii=False)
    assert note in carried and "[gw withheld" not in carried, carried[:2000]
    assert '\\"pattern\\":\\"ls*\\",\\"action\\":\\"deny\\"' in carried, carried[:2000]

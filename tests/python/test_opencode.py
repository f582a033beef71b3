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
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import record_sessions as rs  # noqa: E402

CHAIN = """  chain: [prompt-injection, pii-detector, safety-filter, audit-logger]
  policy:
    pii-detector: { style: placeholder, restore: true }
    audit-logger: { path: {audit} }"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not os.path.exists(rs.OPENCODE_BIN):
        pytest.fail(f"OpenCode not found at {rs.OPENCODE_BIN}: scripts/test installs it "
                    f"(opencode-linux-*@{rs.OPENCODE_VERSION})")
    tmp = tmp_path_factory.mktemp("opencode")
    log = open(tmp / "gw.log", "w")
    s = rs.Stack(policies=CHAIN.replace("{audit}", str(tmp / "audit")), workdir=tmp, gw_log=log)
    s.tmp = tmp
    yield s
    s.close()
    log.close()


def run(stack, prompt, permission):
    """One `opencode run` in a fresh copy of the fixture project and a fresh HOME."""
    n = len(list(stack.tmp.glob("project-*")))
    project = rs.fresh_project(stack.tmp / f"project-{n}")
    home = rs.fresh_home(stack.tmp / f"home-{n}")
    stack.clear()
    return rs.run_opencode(stack.url, prompt, project, home, permission)


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

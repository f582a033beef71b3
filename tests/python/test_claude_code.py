"""Claude Code itself (`claude -p`) through gw, with the full policy chain, against the emulator.

Claude Code is the client gw must not break: a 30 KB system prompt, a dozen tool definitions,
`<system-reminder>` blocks, tool results holding whole files. It runs here for real (the pinned
npm release, found through $CLAUDE_BIN or target/claude-code, installed by scripts/test), pointed at gw
through a recording proxy (scripts/record_traffic.py) so the test sees what Claude Code sent,
and gw's upstream is `gw emulate`, which records what reached "Bedrock". The emulated model
follows the `gw-emulator:` script line in the prompt (src/emulator/script.rs), so every tool
loop is deterministic.

GW_TEST_CHAIN overrides the chain (comma-separated; empty = no policies), for telling a policy
problem from a gateway problem by hand. CI runs the default: the whole chain.
"""

import json
import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import record_sessions as rs  # noqa: E402

FULL_CHAIN = "prompt-injection, pii-detector, safety-filter, audit-logger"
CHAIN = [p.strip() for p in os.environ.get("GW_TEST_CHAIN", FULL_CHAIN).split(",") if p.strip()]

MOTTO = "every cent in its place"  # from tests/traffic/project/README.md
# Distinctive pieces of the two instructions planted in tests/traffic/project/docs/integrations.md.
PLANTED = ["evil.example", "tally-7f3a", "tally-b91c", "id_rsa", "ignore all previous instructions"]


def policies(audit_dir):
    config = {
        "pii-detector": "{ style: placeholder, restore: true }",
        "audit-logger": f"{{ path: {audit_dir} }}",
    }
    lines = [f"  chain: [{', '.join(CHAIN)}]"]
    chosen = [f"    {name}: {value}" for name, value in config.items() if name in CHAIN]
    if chosen:
        lines += ["  policy:", *chosen]
    return "\n".join(lines)


class ClaudeCode:
    """gw (full chain) + emulator + recording proxy, a copy of the fixture project, a HOME."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.project = rs.fresh_project(tmp / "project")
        self.gw_log = open(tmp / "gw.log", "w")
        self.stack = rs.Stack(policies=policies(tmp / "audit"), workdir=tmp, gw_log=self.gw_log)
        self.runs = 0

    def run(self, prompt, max_turns=6):
        """Runs one `claude -p` session from a clean HOME; returns (exit code, JSON result, stderr)."""
        self.stack.clear()
        self.runs += 1
        home = rs.fresh_home(self.tmp / f"home-{self.runs}")
        return rs.run_claude(self.stack.url, prompt, str(self.project), home, max_turns)

    def sent_by_claude(self):
        """What Claude Code sent to gw: Messages API bodies, in order."""
        return [r["body"] for r in self.stack.recorder.records if r["path"].startswith("/v1/messages")]

    def reached_bedrock(self):
        """What gw sent to the emulator: Converse bodies, in order."""
        return [r["body"] for r in self.stack.emulator_requests()]

    def gw_errors(self):
        self.gw_log.flush()
        lines = (self.tmp / "gw.log").read_text().splitlines()
        noise = ("anthropic-beta", "no `auth` section")
        return [line for line in lines if not any(n in line for n in noise)]

    def close(self):
        self.stack.close()
        self.gw_log.close()


@pytest.fixture(scope="module")
def cc(tmp_path_factory):
    if not rs.find_claude():
        pytest.fail(
            f"Claude Code not found: set CLAUDE_BIN or install it (.ci/run): npm install --prefix "
            f"{rs.CLAUDE_PREFIX} @anthropic-ai/claude-code@{rs.CLAUDE_CODE_VERSION}"
        )
    harness = ClaudeCode(tmp_path_factory.mktemp("claude-code"))
    yield harness
    harness.close()


def read(path):
    return rs.script(("Read", {"file_path": str(path)}))


def explain(code, result, err, cc):
    """Why a session failed: Claude Code's verdict, and what gw answered with an error."""
    result = result or {}
    errors = {}
    for r in cc.stack.recorder.records:
        if r.get("error") is not None:
            key = f"{r['status']} {json.dumps(r['error'])[:400]}"
            errors[key] = errors.get(key, 0) + 1
    return (
        f"exit {code}, {result.get('terminal_reason')}: {str(result.get('result'))[:300]!r}; "
        f"gw errors (answer: times): {errors}; stderr: {err[-300:]!r}; gw log: {cc.gw_errors()[-3:]}"
    )


def test_claude_code_reads_a_file_through_gw(cc):
    """(a) A real tool loop: the model asks to Read README.md, Claude Code reads it, gw carries the
    file back to the model, and the final answer quotes it."""
    code, result, err = cc.run("What is this project's motto? It is in the README.\n" + read(cc.project / "README.md"))
    assert code == 0, explain(code, result, err, cc)
    assert result["subtype"] == "success" and not result["is_error"], explain(code, result, err, cc)
    assert result["num_turns"] == 2
    assert MOTTO in result["result"]
    upstream = cc.reached_bedrock()
    assert len(upstream) == 2
    assert MOTTO in json.dumps(upstream[1]["messages"][-1])  # the tool result, on its way to the model


def first_difference(sent, arrived):
    """Where two lists of texts part ways, shown as a short window of each."""
    if len(sent) != len(arrived):
        return f"{len(sent)} blocks sent, {len(arrived)} arrived"
    for i, (a, b) in enumerate(zip(sent, arrived)):
        if a != b:
            at = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return f"block {i}, char {at}: sent {a[max(0, at - 60):at + 60]!r}, arrived {b[max(0, at - 60):at + 60]!r}"
    return "no difference"


def text_blocks(system):
    if isinstance(system, str):
        return [system]
    return [b["text"] for b in system or [] if "text" in b]


def test_system_prompt_and_tools_reach_bedrock_byte_for_byte(cc):
    """(b) Claude Code's system prompt and tool definitions are its contract with the model: a
    policy may look at them but must not alter a byte (no placeholders, no trimming)."""
    code, result, err = cc.run(
        "List the Python files, then read the money module.\n"
        + rs.script(("Glob", {"pattern": "**/*.py"}), ("Read", {"file_path": str(cc.project / "tally/money.py")}))
    )
    assert code == 0, explain(code, result, err, cc)
    sent, upstream = cc.sent_by_claude(), cc.reached_bedrock()
    assert len(sent) == 3 and len(upstream) == len(sent), explain(code, result, err, cc)
    for turn, (msg, conv) in enumerate(zip(sent, upstream), 1):
        sent_system, arrived_system = text_blocks(msg["system"]), text_blocks(conv.get("system"))
        assert arrived_system == sent_system, (
            f"system prompt differs on turn {turn}: {first_difference(sent_system, arrived_system)}"
        )
        specs = [t["toolSpec"] for t in conv["toolConfig"]["tools"] if "toolSpec" in t]
        assert [s["name"] for s in specs] == [t["name"] for t in msg["tools"]], f"tool list differs on turn {turn}"
        for tool, spec in zip(msg["tools"], specs):
            assert spec["description"] == tool["description"], (
                f"{tool['name']} description differs on turn {turn}: "
                f"{first_difference([tool['description']], [spec['description']])}"
            )
            assert spec["inputSchema"]["json"] == tool["input_schema"], f"{tool['name']} schema differs on turn {turn}"


def user_texts(converse):
    """Every text block of a Converse request's user messages."""
    return [b["text"] for m in converse["messages"] if m["role"] == "user" for b in m["content"] if "text" in b]


def test_project_instructions_pass_unchanged(cc):
    """A repository's CLAUDE.md rides in the first user message of every request, wrapped by Claude
    Code in "IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them";
    its text is imperative from end to end ("You MUST run `make test`", "NEVER use floats", "read and
    follow NOTES.md", "Instructions for AI agents"). Read as an attack, every request of every
    session in that repository is refused. It must reach the model as Claude Code sent it."""
    md = (rs.TRAFFIC / "project-instructions" / "CLAUDE.md").read_text()
    dest = cc.project / "CLAUDE.md"
    dest.write_text(md)
    try:
        code, result, err = cc.run(
            "Which type does this project use for money? One line.\n" + read(cc.project / "tally" / "money.py")
        )
    finally:
        dest.unlink()
    assert code == 0, explain(code, result, err, cc)
    assert result["subtype"] == "success" and not result["is_error"], explain(code, result, err, cc)
    sent, upstream = cc.sent_by_claude(), cc.reached_bedrock()
    assert len(sent) == 2 and len(upstream) == 2, explain(code, result, err, cc)
    body = md.strip()
    assert any(body in t for t in (b.get("text", "") for b in sent[0]["messages"][0]["content"])), (
        "premise: Claude Code did not send the CLAUDE.md"
    )
    for turn, conv in enumerate(upstream, 1):
        assert any(body in t for t in user_texts(conv)), f"the CLAUDE.md did not reach the model intact on turn {turn}"


def read_through_gw(cc, name, text):
    """Claude Code reads `name` (holding `text`) in the project; returns what reached the model as
    the tool result (the session must complete)."""
    dest = cc.project / name
    dest.write_text(text)
    try:
        code, result, err = cc.run(f"What are this project's rules? They are in {name}.\n" + read(dest))
    finally:
        dest.unlink()
    assert code == 0 and result["subtype"] == "success", explain(code, result, err, cc)
    upstream = cc.reached_bedrock()
    assert len(upstream) == 2, explain(code, result, err, cc)
    return json.dumps(upstream[1]["messages"][-1], ensure_ascii=False)


def test_agents_md_read_by_a_tool_reaches_the_model_whole(cc):
    """An AGENTS.md an agent reads with its Read tool holds nothing but instructions to agents:
    read as data, gw would withhold its rules (the same text under another name is withheld,
    the premise). Read as the project's rules, it reaches the model whole."""
    md = (rs.TRAFFIC / "project-instructions" / "CLAUDE.md").read_text()
    rule = "You MUST run `make test` after every change"
    as_data = read_through_gw(cc, "agent-notes.md", md)
    assert "[gw withheld" in as_data, "premise: read as data, part of the file is withheld"
    as_rules = read_through_gw(cc, "AGENTS.md", md)
    assert "[gw withheld" not in as_rules and rule in as_rules, as_rules[:2000]


def test_nested_claude_md_appended_to_a_read_reaches_the_model_whole(cc):
    """Claude Code appends the CLAUDE.md of the directory a file is read from to the Read result,
    as a `<system-reminder>` beginning "Contents of <path>/CLAUDE.md:". Read as part of the data,
    gw withheld its rules; it is read as the project's rules, and the file around it as data."""
    md = (rs.TRAFFIC / "project-instructions" / "CLAUDE.md").read_text()
    dest = cc.project / "tally" / "CLAUDE.md"
    dest.write_text(md)
    try:
        code, result, err = cc.run("Read the money module.\n" + read(cc.project / "tally" / "money.py"))
    finally:
        dest.unlink()
    assert code == 0 and result["subtype"] == "success", explain(code, result, err, cc)
    upstream = cc.reached_bedrock()
    assert len(upstream) == 2, explain(code, result, err, cc)
    carried = json.dumps(upstream[1]["messages"][-1], ensure_ascii=False)
    assert f"Contents of {dest}" in carried, "premise: Claude Code appended the directory's CLAUDE.md"
    assert "[gw withheld" not in carried and "You MUST run `make test` after every change" in carried, carried[:3000]


@pytest.fixture(scope="module")
def planted(cc):
    """One session that reads docs/integrations.md, whose HTML comment and last paragraph tell
    the AI to send ~/.ssh/id_rsa to evil.example."""
    prompt = "Summarise docs/integrations.md for me.\n" + read(cc.project / "docs" / "integrations.md")
    code, result, err = cc.run(prompt)
    return code, result, err, cc.sent_by_claude(), cc.reached_bedrock()


def test_planted_instruction_reaches_gw(planted):
    """The premise of the next two tests: the planted text really is in what Claude Code sent."""
    code, result, err, sent, _ = planted
    assert len(sent) >= 2, f"Claude Code never got to read the file: {result and result.get('result')!r}"
    carried = json.dumps(sent[1]["messages"][-1])
    assert all(marker in carried for marker in PLANTED)


def test_planted_instruction_never_reaches_the_model(planted):
    """(c) Text in a file that speaks to the AI is data, never instructions: whatever gw does
    with it, no byte of the planted instruction may arrive at the model."""
    _, _, _, _, upstream = planted
    leaks = [
        (turn, marker)
        for turn, body in enumerate(upstream, 1)
        for marker in PLANTED
        if marker in json.dumps(body, ensure_ascii=False)
    ]
    assert not leaks, f"planted instruction reached the model: {leaks}"


def test_planted_instruction_does_not_end_the_session(planted, cc):
    """(c) ...and neutralising it must not break the agent: the session still completes with the
    file's legitimate content summarised."""
    code, result, err, _, upstream = planted
    assert code == 0, explain(code, result, err, cc)
    assert result["subtype"] == "success" and not result["is_error"], explain(code, result, err, cc)
    assert len(upstream) == 2
    assert "Harbour Savings" in json.dumps(upstream[1]["messages"][-1])


def test_a_denied_tool_call_reaches_the_model_whole(cc):
    """When a permission denies a tool call, Claude Code answers the call itself: "Permission to
    use Write has been denied … STOP and explain to the user …". Read as data, gw withheld that
    note, and the model lost the reason its call failed; it is the client's own words and reaches
    the model whole."""
    dest = cc.project / "notes" / "todo.md"
    code, result, err = cc.run(
        "Write a todo list.\n" + rs.script(("Write", {"file_path": str(dest), "content": "- tests\n"})))
    assert code == 0 and result["subtype"] == "success", explain(code, result, err, cc)
    upstream = cc.reached_bedrock()
    assert len(upstream) == 2, explain(code, result, err, cc)
    carried = json.dumps(upstream[1]["messages"][-1], ensure_ascii=False)
    assert "Permission to use Write has been denied" in carried, f"premise: Claude Code denied the call: {carried[:2000]}"
    assert "[gw withheld" not in carried and "Let the user decide how to proceed." in carried, carried[:3000]
    assert not dest.exists()

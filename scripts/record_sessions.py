#!/usr/bin/env python3
"""Records what real clients send to gw: Claude Code, OpenCode, the `openai` and `anthropic` SDKs.

Starts `gw emulate` and `gw run` (a plain pack, no policy chain) with the recording proxy
(scripts/record_traffic.py) in front, runs every session below through it and writes
tests/traffic/{claude_code,opencode,openai_python,anthropic_python}.jsonl. See
tests/traffic/README.md.

    scripts/record_sessions.sh            # builds gw, installs what is missing, then runs this
    python3 scripts/record_sessions.py [--out-dir DIR] [--only claude-code,opencode,openai,anthropic]

The helpers here (Stack, find_claude, claude_env, run_claude, run_opencode) are also what
tests/python/test_claude_code.py and test_opencode.py use, so the recorded sessions and the tests
run the agents the same way.
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from record_traffic import Recorder  # noqa: E402

GW = os.environ.get("GW_BIN", str(REPO / "target" / "debug" / "gw"))
TRAFFIC = REPO / "tests" / "traffic"
# Fixed paths, so the recorded corpus names the same files on every machine.
PROJECT = pathlib.Path("/tmp/gw-traffic-project")
HOME = pathlib.Path("/tmp/gw-traffic-home")

# The Claude Code release the corpus was recorded with and the test is pinned to (.ci/run and
# scripts/record_sessions.sh install it from this file too).
CLAUDE_CODE_VERSION = (TRAFFIC / "claude-code.version").read_text().strip()
CLAUDE_PREFIX = pathlib.Path(__file__).resolve().parents[1] / "target" / "claude-code"
# The OpenCode release (its linux binary package, which scripts/test installs under target/opencode).
OPENCODE_VERSION = (TRAFFIC / "opencode.version").read_text().strip()
_ARCH = {"x86_64": "x64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
OPENCODE_BIN = os.environ.get(
    "OPENCODE_BIN", str(REPO / "target" / "opencode" / "node_modules" / f"opencode-linux-{_ARCH}" / "bin" / "opencode")
)

# The emulator's fixed key pair (src/emulator/mod.rs), handed to gw through these env vars.
EMU_ENV = {"EMU_AKID": "AKIDGWEMULATOR000001", "EMU_SECRET": "gw-emulator-secret-access-key"}
# The names Claude Code asks for (ANTHROPIC_MODEL and the small/fast model) and the SDK alias.
MODEL = "claude-sonnet-4-5"
SMALL_MODEL = "claude-haiku-4-5"

PACK = """
pack: {{ name: traffic, version: 1.0.0 }}
models:
  claude: {{ targets: [claude-us] }}
  {model}: {{ targets: [claude-us] }}
  {small}: {{ targets: [claude-us] }}
providers:
  retry: {{ max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 5 }}
  targets:
    - {{ id: claude-us, provider: aws-bedrock, model: us.anthropic.claude-sonnet-4-5-20250929-v1:0, base_url: "{emu}", aws_access_key_env: EMU_AKID, aws_secret_key_env: EMU_SECRET }}
policies:
{policies}
"""

PLAIN_POLICIES = "  chain: []"


def spawn(args, env=None, log=None):
    """Starts `gw ARGS` and returns (process, the URL it printed on its first line)."""
    proc = subprocess.Popen(
        [GW, *args],
        stdout=subprocess.PIPE,
        stderr=log or subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = proc.stdout.readline()
    match = re.search(r"http://\S+", line)
    if not match:
        proc.kill()
        raise RuntimeError(f"gw did not report its URL: {line!r}")
    return proc, match.group(0)


class Stack:
    """`gw emulate` + `gw run` with a pack, and a recording proxy in front of gw."""

    def __init__(self, policies=PLAIN_POLICIES, workdir=None, gw_log=None):
        self._tmp = tempfile.TemporaryDirectory()
        self.workdir = pathlib.Path(workdir or self._tmp.name)
        self.emu, self.emulator_url = spawn(["emulate", "--listen", "127.0.0.1:0"])
        pack = self.workdir / "pack.yaml"
        pack.write_text(PACK.format(emu=self.emulator_url, model=MODEL, small=SMALL_MODEL, policies=policies))
        env = {**EMU_ENV, "RUST_LOG": "warn"}
        self.gw, self.gw_url = spawn(["run", "--listen", "127.0.0.1:0", "--policy-config", str(pack)], env, gw_log)
        self.recorder = Recorder(self.gw_url).start()
        self.url = self.recorder.url

    def emulator_requests(self):
        import httpx

        return httpx.get(f"{self.emulator_url}/_emulator/requests", timeout=30).json()

    def clear(self):
        import httpx

        httpx.delete(f"{self.emulator_url}/_emulator/requests").raise_for_status()
        self.recorder.records.clear()

    def close(self):
        self.recorder.stop()
        for p in (self.gw, self.emu):
            p.terminate()
            p.wait(timeout=10)
        self._tmp.cleanup()


def find_claude():
    """The `claude` executable: $CLAUDE_BIN, else the pinned install under target/claude-code (scripts/test makes it)."""
    path = os.environ.get("CLAUDE_BIN") or str(CLAUDE_PREFIX / "node_modules" / ".bin" / "claude")
    return path if os.access(path, os.X_OK) else None


def claude_env(base_url, home):
    """A clean environment for `claude -p` against gw: no other network, no user settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ANTHROPIC_BASE_URL": base_url,
        # gw's pack has no `auth`, so any key is accepted; Claude Code needs one to start.
        "ANTHROPIC_API_KEY": "sk-ant-gw-traffic-unused",
        "ANTHROPIC_MODEL": MODEL,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": MODEL,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": MODEL,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": SMALL_MODEL,
        "ANTHROPIC_SMALL_FAST_MODEL": SMALL_MODEL,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
    }


CLAUDE_FLAGS = [
    "--output-format",
    "json",
    "--permission-mode",
    "dontAsk",
    "--allowedTools",
    "Read,Glob,Grep,Bash",
]


def run_claude(base_url, prompt, cwd, home, max_turns=10, extra=(), timeout=300):
    """Runs `claude -p PROMPT` in `cwd`; returns (exit code, parsed JSON result or None, stderr)."""
    claude = find_claude()
    if not claude:
        raise FileNotFoundError("claude not found: set CLAUDE_BIN or run the install in .ci/run")
    cmd = [claude, "-p", prompt, *CLAUDE_FLAGS, "--max-turns", str(max_turns), *extra]
    done = subprocess.run(
        cmd,
        cwd=cwd,
        env=claude_env(base_url, home),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    try:
        result = json.loads(done.stdout)
    except ValueError:
        result = None
    return done.returncode, result, done.stderr + ("" if result is not None else done.stdout)


def run_opencode(base_url, prompt, cwd, home, permission, timeout=400):
    """Runs `opencode run` (the prompt on stdin) in `cwd` against gw's Anthropic door, with
    `permission` as its rules; returns the finished process (stdout, stderr)."""
    config = {
        "$schema": "https://opencode.ai/config.json",
        "model": f"anthropic/{MODEL}",
        "provider": {"anthropic": {"options": {"baseURL": f"{base_url}/v1", "apiKey": "sk-ant-gw-traffic-unused"}}},
        "permission": permission,
        "autoupdate": False,
        "share": "disabled",
    }
    (pathlib.Path(cwd) / "opencode.json").write_text(json.dumps(config))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "OPENCODE_DISABLE_AUTOUPDATE": "1",
        "OPENCODE_DISABLE_MODELS_FETCH": "1",
    }
    return subprocess.run(
        [OPENCODE_BIN, "run"], input=prompt, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def script(*steps):
    """A `gw-emulator:` line (see src/emulator/script.rs) for (tool, input) steps."""
    return "gw-emulator: " + "; ".join(f"{tool} {json.dumps(inp)}" for tool, inp in steps)


def fresh_project(dest=PROJECT):
    """Copies tests/traffic/project to `dest` (replacing what was there)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(TRAFFIC / "project", dest)
    return dest


def fresh_home(home=HOME):
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


# The 20 files the long session reads, one per turn, with a search step between two reads.
LONG_READS = [
    "README.md",
    "NOTES.md",
    "pyproject.toml",
    "tally/__init__.py",
    "tally/cli.py",
    "tally/parse.py",
    "tally/money.py",
    "tally/categories.py",
    "tally/report.py",
    "tally/budget.py",
    "tally/dates.py",
    "tally/export.py",
    "tests/test_money.py",
    "tests/test_parse.py",
    "tests/test_report.py",
    "tests/test_budget.py",
    "docs/design.md",
    "docs/changelog.md",
    "data/sample.csv",
    "data/budget.toml",
]


def long_session_steps(project):
    steps = []
    for i, rel in enumerate(LONG_READS):
        path = str(project / rel)
        steps.append(("Read", {"file_path": path}))
        if i == len(LONG_READS) - 1:
            break
        kind = i % 3
        if kind == 0:
            steps.append(("Grep", {"pattern": "import|def |TODO", "path": path, "output_mode": "content", "-n": True}))
        elif kind == 1:
            steps.append(("Glob", {"pattern": "*" + pathlib.PurePath(rel).suffix, "path": str((project / rel).parent)}))
        else:
            steps.append(("Bash", {"command": f"wc -l {rel}", "description": f"Count lines of {rel}"}))
    return steps


def claude_code_sessions(stack, out):
    """Claude Code print mode through gw; returns a list of (session, exit code, summary)."""
    rec = stack.recorder
    rec.out = out
    project = fresh_project()
    p = str(project)
    sessions = [
        ("say-hi", ["say hi"], 3),
        (
            "continue",
            ["Remember the word teal for me.", "Which word did I ask you to remember?"],
            3,
        ),
        (
            "read-files",
            [
                "Read README.md and tally/money.py and tell me how amounts are stored.\n"
                + script(("Read", {"file_path": f"{p}/README.md"}), ("Read", {"file_path": f"{p}/tally/money.py"}))
            ],
            6,
        ),
        (
            "search-tools",
            [
                "Find the open TODOs, list the Python files, and run tally on the March sample.\n"
                + script(
                    ("Grep", {"pattern": "TODO", "path": p, "output_mode": "content", "-n": True}),
                    ("Glob", {"pattern": "**/*.py", "path": p}),
                    (
                        "Bash",
                        {
                            "command": "python3 -m tally data/sample.csv --budget data/budget.toml --month 2024-03",
                            "description": "Run tally on the March sample",
                        },
                    ),
                )
            ],
            8,
        ),
        (
            "planted-instruction",
            [
                "Summarise docs/integrations.md for me.\n"
                + script(("Read", {"file_path": f"{p}/docs/integrations.md"}))
            ],
            4,
        ),
        (
            "long-session",
            [
                "Review the whole tally project file by file, then give me a summary.\n"
                + script(*long_session_steps(project))
            ],
            60,
        ),
    ]
    report = []
    for name, prompts, max_turns in sessions:
        fresh_home()
        rec.new_session(name, "claude-code")
        for i, prompt in enumerate(prompts):
            extra = ["--continue"] if i > 0 else []
            code, result, err = run_claude(stack.url, prompt, p, HOME, max_turns, extra)
            summary = (result or {}).get("result", err)[:100]
            report.append((f"{name}#{i + 1}", code, (result or {}).get("num_turns"), summary))
    return report


def opencode_sessions(stack, out):
    """OpenCode (`opencode run`) through gw; returns a list of (session, exit code, summary)."""
    rec = stack.recorder
    rec.out = out
    project = fresh_project()
    p = str(project)
    files = [f for f in sorted(project.rglob("*")) if f.is_file() and f.name != "integrations.md"]
    allow = {"bash": "allow", "edit": "deny"}
    sessions = [
        (
            "read-files",
            "Look through this project, file by file, and summarise it.\n"
            + script(
                *[("read", {"filePath": str(f)}) for f in files],
                ("glob", {"pattern": "**/*.py"}),
                ("grep", {"pattern": "TODO", "path": p}),
                ("bash", {"command": "python3 -m tally data/sample.csv --budget data/budget.toml --month 2024-03",
                          "description": "Run tally on the March sample"}),
            ),
            allow,
        ),
        (
            "denied-tool",
            "List the files.\n" + script(("bash", {"command": "ls -la", "description": "List files"})),
            {"bash": {"*": "allow", "ls*": "deny"}},
        ),
        (
            "planted-instruction",
            "Summarise docs/integrations.md for me.\n"
            + script(("read", {"filePath": f"{p}/docs/integrations.md"})),
            allow,
        ),
    ]
    report = []
    for name, prompt, permission in sessions:
        fresh_home()
        rec.new_session(name, "opencode")
        done = run_opencode(stack.url, prompt, p, HOME, permission)
        (project / "opencode.json").unlink()
        report.append((name, done.returncode, (done.stdout or done.stderr)[-100:].strip()))
    return report


def openai_sessions(stack, out):
    import openai

    rec = stack.recorder
    rec.out = out
    client = openai.OpenAI(base_url=f"{stack.url}/v1", api_key="sk-gw-traffic-unused", max_retries=0)
    page = (TRAFFIC / "pages" / "kettle.html").read_text()
    report = []

    rec.new_session("product-page-tool-loop", "openai-python")
    fetch = {
        "type": "function",
        "function": {
            "name": "fetch_page",
            "description": "Fetches a web page and returns its HTML.",
            "parameters": {
                "type": "object",
                "properties": {"url": {"type": "string", "description": "Absolute URL"}},
                "required": ["url"],
            },
        },
    }
    url = "https://shop.example/products/kettle-k2"
    messages = [
        {"role": "system", "content": "You help shoppers decide. Use the tools to read pages."},
        {
            "role": "user",
            "content": f"Summarise the product page {url} in three bullet points for a customer.\n"
            + script(("fetch_page", {"url": url})),
        },
    ]
    first = client.chat.completions.create(model="claude", messages=messages, tools=[fetch])
    call = first.choices[0].message.tool_calls[0]
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": page})
    second = client.chat.completions.create(model="claude", messages=messages, tools=[fetch])
    report.append(("product-page-tool-loop", first.choices[0].finish_reason, second.choices[0].finish_reason))

    rec.new_session("everyday-short-turns", "openai-python")
    a = client.chat.completions.create(
        model="claude", messages=[{"role": "user", "content": "Translate 'good morning' into Portuguese."}]
    )
    b = client.chat.completions.create(
        model="claude",
        messages=[
            {"role": "system", "content": "You are a friendly assistant. Answer in one sentence."},
            {"role": "user", "content": "Suggest a name for a grey cat who likes boxes."},
        ],
        temperature=0.7,
        max_tokens=200,
    )
    stream = client.chat.completions.create(
        model="claude",
        messages=[{"role": "user", "content": "Give me three tips for keeping basil alive on a windowsill."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    report.append(("everyday-short-turns", a.choices[0].message.content[:30], len(pieces)))

    rec.new_session("weather-function-call", "openai-python")
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    }
    messages = [{"role": "user", "content": "What's the weather in Lisbon right now? Use get_weather."}]
    first = client.chat.completions.create(model="claude", messages=messages, tools=[weather], tool_choice="auto")
    call = first.choices[0].message.tool_calls[0]
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append(
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temp_c": 21, "sky": "clear", "wind_kmh": 9})}
    )
    second = client.chat.completions.create(model="claude", messages=messages, tools=[weather])
    report.append(("weather-function-call", call.function.name, second.choices[0].finish_reason))
    return report


def anthropic_sessions(stack, out):
    import anthropic

    rec = stack.recorder
    rec.out = out
    client = anthropic.Anthropic(base_url=stack.url, api_key="sk-ant-gw-traffic-unused", max_retries=0)
    report = []

    rec.new_session("plain-turn", "anthropic-python")
    msg = client.messages.create(
        model="claude", max_tokens=256, messages=[{"role": "user", "content": "What is the capital of Portugal?"}]
    )
    report.append(("plain-turn", msg.stop_reason, msg.content[0].text[:30]))

    rec.new_session("streaming-turn", "anthropic-python")
    with client.messages.stream(
        model="claude",
        max_tokens=512,
        messages=[{"role": "user", "content": "Explain in a short paragraph why the sky looks blue."}],
    ) as stream:
        text = "".join(stream.text_stream)
    report.append(("streaming-turn", len(text), text[:30]))

    rec.new_session("tool-use-loop", "anthropic-python")
    tools = [
        {
            "name": "lookup_order",
            "description": "Looks up an order by its number and returns status and items.",
            "input_schema": {
                "type": "object",
                "properties": {"order_number": {"type": "string"}},
                "required": ["order_number"],
            },
        }
    ]
    messages = [
        {
            "role": "user",
            "content": "Where is my order A-1042? It was due on Monday.\n"
            + script(("lookup_order", {"order_number": "A-1042"})),
        }
    ]
    first = client.messages.create(model="claude", max_tokens=1024, tools=tools, messages=messages)
    use = next(b for b in first.content if b.type == "tool_use")
    messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]})
    messages.append(
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": use.id,
                    "content": json.dumps({"status": "in transit", "carrier": "PostNord", "items": ["kettle K2"]}),
                }
            ],
        }
    )
    second = client.messages.create(model="claude", max_tokens=1024, tools=tools, messages=messages)
    report.append(("tool-use-loop", first.stop_reason, second.stop_reason))

    rec.new_session("document-attachment", "anthropic-python")
    minutes = (TRAFFIC / "pages" / "minutes.txt").read_text()
    msg = client.messages.create(
        model="claude",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": [
                    {
                        "type": "document",
                        "source": {"type": "text", "media_type": "text/plain", "data": minutes},
                        "title": "Residents' association minutes, March",
                    },
                    {"type": "text", "text": "List the decisions taken in this meeting."},
                ],
            }
        ],
    )
    report.append(("document-attachment", msg.stop_reason, msg.content[0].text[:30]))

    rec.new_session("system-prompt", "anthropic-python")
    msg = client.messages.create(
        model="claude",
        max_tokens=300,
        system=[
            {
                "type": "text",
                "text": "You are the help desk of a small library. Answer briefly and politely; "
                "opening hours are 9:00 to 18:00, Monday to Saturday.",
                "cache_control": {"type": "ephemeral"},
            }
        ],
        messages=[{"role": "user", "content": "Are you open on Sunday?"}],
        metadata={"user_id": "library-desk-3"},
    )
    report.append(("system-prompt", msg.stop_reason, msg.content[0].text[:30]))
    return report


def check_clean(path):
    """Fails when a recorded file names a secret or a path outside the fixed fixture paths."""
    text = pathlib.Path(path).read_text()
    bad = [s for s in ("sk-ant-gw-traffic-unused", "sk-gw-traffic-unused", *EMU_ENV.values()) if s in text]
    for private in {str(REPO), str(pathlib.Path.home()), "/work/", "/opt/"}:
        if private in text:
            bad.append(private)
    if bad:
        raise SystemExit(f"{path} leaks {bad}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=str(TRAFFIC))
    ap.add_argument("--only", default="claude-code,opencode,openai,anthropic")
    args = ap.parse_args()
    out_dir = pathlib.Path(args.out_dir)
    runs = {
        "claude-code": (claude_code_sessions, "claude_code.jsonl"),
        "opencode": (opencode_sessions, "opencode.jsonl"),
        "openai": (openai_sessions, "openai_python.jsonl"),
        "anthropic": (anthropic_sessions, "anthropic_python.jsonl"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        log_path = pathlib.Path(tmp) / "gw.log"
        with open(log_path, "w") as log:
            stack = Stack(workdir=tmp, gw_log=log)
            try:
                for name in args.only.split(","):
                    fn, file = runs[name]
                    out = out_dir / file
                    out.unlink(missing_ok=True)
                    for line in fn(stack, out):
                        print(name, *line, sep=" | ")
                    check_clean(out)
            finally:
                stack.close()
        print("gw's warnings and errors while recording (count, level, message):")
        for (level, message), count in summarise_log(log_path).items():
            print(f"  {count:5}  {level}  {message}")


def summarise_log(path):
    """Counts gw's WARN/ERROR log lines by level and message (with the beta name, if any)."""
    counts = {}
    for line in pathlib.Path(path).read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            entry = {"level": "RAW", "message": line[:200]}
        if entry.get("level") in ("WARN", "ERROR", "RAW"):
            message = entry.get("message", "") + (f" ({entry['beta']})" if "beta" in entry else "")
            key = (entry["level"], message)
            counts[key] = counts.get(key, 0) + 1
    return counts


if __name__ == "__main__":
    main()

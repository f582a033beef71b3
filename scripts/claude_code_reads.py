#!/usr/bin/env python3
"""Claude Code reads the held-out OpenAI SDK files of benign_tool_ai_sdk.jsonl through gw (full chain
at its defaults, the emulator behind it), four files a session, and counts what reached the
emulator with gw's "withheld" note in it.

Why this exists: the eval reads excerpts; this is the real client, its Read tool and gw's redaction
end to end (BENCHMARKS.md, "Code about LLMs is not an attack"). It reuses the harness of
tests/python/test_claude_code.py (gw, `gw emulate`, a recording proxy, a fresh HOME per session).

Usage: GW_BIN=target/debug/gw python3 scripts/claude_code_reads.py [N_FILES] [--frameworks|--code]   (default 40)
Needs the package the rows came from: pip install openai==2.54.0.
With `--frameworks`, the held-out LLM-framework excerpts of benign_tool_docs.jsonl (LangChain core,
Haystack) instead, written into the project as the rows hold them (no package needed).
With `--code`, whole source files (up to 24 KB) of the standard-library modules and npm packages
that benign_tool_code.jsonl holds out (scripts/real_code_corpus.py), spread over the groups.
"""
import json
import os
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
sys.path.insert(0, str(ROOT / "scripts"))
import record_sessions as rs  # noqa: E402
import test_claude_code as cc_test  # noqa: E402

NOTE = "[gw withheld"


def framework_files(n, into):
    """n held-out framework excerpts spread over the rows (every k-th), written under `into` as the
    eval reads them."""
    corpus = ROOT / "tests" / "corpora" / "injection" / "benign_tool_docs.jsonl"
    rows = [json.loads(l) for l in corpus.open(encoding="utf-8")]
    rows = [r for r in rows if r["class"] == "real_llm_framework" and r["split"] == "holdout_docs"]
    rows = rows[::max(1, len(rows) // n)][:n]
    out = []
    for i, r in enumerate(rows):
        f = into / f"{i:03d}_{pathlib.Path(r['path']).name}"
        f.write_text(r["text"], encoding="utf-8")
        out.append(f)
    return out


def code_files(n):
    """n whole held-out source files, one group after another, each group's files in turn. At most
    24 KB each: the emulator's reply echoes what the session read, and four longer files make it
    run past Claude Code's 32,000 output tokens (the session then fails, whatever gw did)."""
    import real_code_corpus as rc

    groups = [[f for f in files if 200 <= os.path.getsize(f) <= 24_000]
              for kind, _s, _l, _r, files, split in rc.groups(("stdlib", "npm")) if split != "train"]
    out, k = [], 0
    while len(out) < n and any(k < len(g) for g in groups):
        out += [g[k] for g in groups if k < len(g)][: n - len(out)]
        k += 1
    return [pathlib.Path(f) for f in out]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 40
    if "--frameworks" in sys.argv:
        files = framework_files(n, pathlib.Path(tempfile.mkdtemp()))
    elif "--code" in sys.argv:
        files = code_files(n)
    else:
        import openai
        site = pathlib.Path(openai.__file__).parents[1]
        corpus = ROOT / "tests" / "corpora" / "injection" / "benign_tool_ai_sdk.jsonl"
        rows = [json.loads(l) for l in corpus.open(encoding="utf-8")]
        files = [site / r["source"].split("/", 1)[1] for r in rows
                 if r["split"] == "holdout_sdk" and r["source"].startswith("pypi:openai@")][:n]
    cc = cc_test.ClaudeCode(pathlib.Path(tempfile.mkdtemp()))
    sdk = cc.project / "sdk"
    sdk.mkdir()
    completed = notes = touched = 0
    try:
        for i in range(0, len(files), 4):
            steps = []
            for f in files[i:i + 4]:
                dst = sdk / f"{f.parent.name}_{f.name}"
                shutil.copy(f, dst)
                steps.append(("Read", {"file_path": str(dst)}))
            code, _, _ = cc.run("Read these files and summarise them.\n" + rs.script(*steps), max_turns=10)
            completed += code == 0
            last = cc.reached_bedrock()[-1]
            for m in last["messages"]:
                for block in m.get("content", []):
                    if "toolResult" in block:
                        text = json.dumps(block)
                        notes += text.count(NOTE)
                        touched += NOTE in text
    finally:
        cc.close()
    sessions = (len(files) + 3) // 4
    print(f"sessions completed {completed} of {sessions}; files read {len(files)}; "
          f"files withheld in part {touched}; withheld notes {notes}")


if __name__ == "__main__":
    main()

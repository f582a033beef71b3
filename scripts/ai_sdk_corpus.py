#!/usr/bin/env python3
"""Builds tests/corpora/injection/benign_tool_ai_sdk.jsonl: real source files and docs about LLM
APIs (models, tools, system prompts, assistants) as an agent's file reads return them.

Why this exists: a coding agent working on an LLM application reads code whose comments and
docstrings talk *about* the model ("the model should call the tool", "instructions given with the
system role take precedence"). Read as tool results, 33% of the OpenAI SDK's files and 14% of the
Anthropic SDK's had a segment withheld by the indirect model shipped before 2026-12-07, which was
trained on no such text. Rows from the Anthropic SDK are `split: train`; rows from the OpenAI SDK
are `split: holdout`, so the figure on them measures transfer to another vendor's code.

Two Rust crates, gw's own dependencies at their Cargo.lock versions read from cargo's registry
cache, add doc comments that describe models, tools, prompts and guardrails in Rust rather than
Python: `aws-sdk-bedrockruntime` trains, `aws-sdk-bedrock` (the control plane) is held out.

All four are Apache-2.0 (their licence files are copied in tests/corpora/injection/ai_sdk/);
excerpts are kept with their package, version and path. Half the files are shown as Claude Code's Read tool shows them (line
numbers and an arrow), half plain.

Usage: pip install anthropic==2.17.0 openai==2.54.0 && cargo fetch &&
       python3 scripts/ai_sdk_corpus.py [--check]
"""
import hashlib
import importlib.metadata
import json
import os
import glob
import sys

PACKAGES = [("anthropic", "2.17.0", "train"), ("openai", "2.54.0", "holdout")]
CRATES = [("aws-sdk-bedrockruntime", "1.153.0", "train"), ("aws-sdk-bedrock", "1.166.0", "holdout")]
PER_PACKAGE = 260
MAX_CHARS = 5000
TOPIC = ("model", "assistant", "tool", "prompt", "instruction", "system", "agent")
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "tests", "corpora", "injection", "benign_tool_ai_sdk.jsonl")


def digest(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def excerpt(text):
    """The file's head, cut at a line end before MAX_CHARS."""
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]


def as_read_tool(text):
    return "\n".join(f"{i:>6}\u2192{line}" for i, line in enumerate(text.split("\n"), 1))


def sources():
    """(package, version, split, root directory, registry) for every source."""
    for pkg, version, split in PACKAGES:
        got = importlib.metadata.version(pkg)
        if got != version:
            sys.exit(f"{pkg} {got} is installed; this corpus is built from {version}")
        yield pkg, version, split, os.path.dirname(__import__(pkg).__file__), "pypi"
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    for crate, version, split in CRATES:
        found = sorted(glob.glob(os.path.join(home, "registry", "src", "*", f"{crate}-{version}", "src")))
        if not found:
            sys.exit(f"{crate} {version} is not in cargo's registry cache: run `cargo fetch`")
        yield crate, version, split, found[0], "crates.io"


def rows():
    out = []
    for pkg, version, split, root, registry in sources():
        picked = []
        for dp, dn, fn in os.walk(root):
            dn.sort()
            for f in sorted(fn):
                if not f.endswith((".py", ".md", ".rs")):
                    continue
                path = os.path.join(dp, f)
                rel = os.path.relpath(path, os.path.dirname(root))
                text = open(path, encoding="utf-8").read()
                body = excerpt(text)
                if len(body) < 300:
                    continue
                # Files that talk about the model: the point of this corpus.
                low = body.lower()
                if sum(low.count(w) for w in TOPIC) < 4:
                    continue
                picked.append((digest(f"{pkg}/{rel}"), rel, body))
        picked.sort()
        for h, rel, body in picked[:PER_PACKAGE]:
            text = as_read_tool(body) if int(h[:2], 16) % 2 else body
            out.append({
                "id": f"sdk-{pkg}-{h[:12]}",
                "text": text,
                "label": 0,
                "zone": "tool_result",
                "class": "llm_sdk_code",
                "source": f"{registry}:{pkg}@{version}/{rel}",
                "licence": "Apache-2.0",
                "train_ok": True,
                "split": split if split == "train" else "holdout_sdk",
            })
    return out


def render():
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows())


if __name__ == "__main__":
    data = render()
    if "--check" in sys.argv[1:]:
        same = os.path.exists(OUT) and open(OUT, encoding="utf-8").read() == data
        print("ok" if same else f"{OUT} differs from a rebuild")
        sys.exit(0 if same else 1)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(data)
    print(f"wrote {OUT}: {data.count(chr(10))} rows")

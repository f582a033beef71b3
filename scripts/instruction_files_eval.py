#!/usr/bin/env python3
"""Writes project instruction files (CLAUDE.md, AGENTS.md, …) as the rows `gw eval injection
--corpus` reads, in the three ways they reach gw, to measure what the prompt-injection policy
would refuse or withhold.

Why this exists: coding agents send a repository's rules for them in every request. Claude Code
puts CLAUDE.md in the first user message (in the `<system-reminder>` it sends, reproduced below);
an agent that reads AGENTS.md with its Read tool gets it back as a tool result (with `N<TAB>` line
numbers). BENCHMARKS.md ("Project instruction files") reads 160 real files from 160 public
repositories this way. Their licences vary, so the files stay outside the repository;
tests/corpora/injection/instruction_files/sources.jsonl names each one (repository, path, commit,
and whether it was looked at while the change was made, `dev`, or only measured, `judge`).

Usage: python3 scripts/instruction_files_eval.py DIR [--sources tests/corpora/injection/instruction_files/sources.jsonl] > /tmp/instr.jsonl
       cargo run -q -- eval injection --corpus /tmp/instr.jsonl | grep instruction_file
DIR holds one file per source row, named as its `file` field (every file in DIR when --sources is
not given). Classes: `instruction_file_<set> claude-code turn` (user zone, wrapped), `… read by a
tool, as data` (tool_result zone: what a file of another name gets) and `… read by a tool, as
rules` (tool_result with `instruction_file: true`: how the policy reads a tool result answering a
call that names an `instruction_files:` entry).
"""
import argparse
import json
import os

WRAP = ("<system-reminder>\nCodebase and user instructions are shown below. Be sure to adhere to these instructions. "
        "IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them exactly as written.\n\n"
        "Contents of /home/dev/project/{name} (project instructions, checked into the codebase):\n\n{text}\n</system-reminder>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--sources")
    args = ap.parse_args()
    if args.sources:
        sources = [json.loads(line) for line in open(args.sources, encoding="utf-8")]
    else:
        sources = [{"file": f, "path": f, "set": "all"} for f in sorted(os.listdir(args.dir))]
    for s in sources:
        text = open(os.path.join(args.dir, s["file"]), encoding="utf-8", errors="replace").read()
        numbered = "\n".join(f"{i + 1}\t{line}" for i, line in enumerate(text.split("\n")))
        name = os.path.basename(s["path"])
        for how, zone, rules, body in (("claude-code turn", "user", False, WRAP.format(name=name, text=text)),
                                       ("read by a tool, as data", "tool_result", False, numbered),
                                       ("read by a tool, as rules", "tool_result", True, numbered)):
            print(json.dumps({"text": body, "label": 0, "zone": zone, "class": f"instruction_file_{s['set']} {how}",
                              "source": s["file"], "train_ok": False, "split": "holdout_files",
                              "instruction_file": rules}, ensure_ascii=False))


if __name__ == "__main__":
    main()

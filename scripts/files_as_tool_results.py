#!/usr/bin/env python3
"""Writes files under one or more directories as benign tool-result rows (JSON Lines) for
`gw eval injection --corpus`: how many of them the indirect reading would withhold in part.

Why this exists: the corpora hold excerpts; an agent reads whole files. BENCHMARKS.md ("Code about
LLMs is not an attack") reads whole SDK files and this repository's own sources this way. Files are
cut at 100 KB; each is one row, of class CLASS, `split: holdout_files` (reported per class only).

Usage: python3 scripts/files_as_tool_results.py [--ext .rst,.md] CLASS DIR... > /tmp/files.jsonl
       cargo run -q -- eval injection --corpus /tmp/files.jsonl | grep CLASS
(`--ext` replaces the default extensions, EXTS.)
"""
import json
import os
import sys

EXTS = (".py", ".md", ".rs", ".yaml", ".toml", ".sh")
MAX = 100_000


def main():
    args = sys.argv[1:]
    exts = EXTS
    if args[:1] == ["--ext"] and len(args) > 1:
        exts, args = tuple(args[1].split(",")), args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    cls, roots = args[0], args[1:]
    for root in roots:
        for dp, dn, fn in os.walk(root):
            dn[:] = sorted(d for d in dn if d not in ("target", ".git", "__pycache__"))
            for f in sorted(fn):
                if not f.endswith(exts):
                    continue
                path = os.path.join(dp, f)
                text = open(path, encoding="utf-8", errors="replace").read()
                if len(text) < 200:
                    continue
                row = {"text": text[:MAX], "label": 0, "zone": "tool_result", "class": cls,
                       "source": path, "train_ok": False, "split": "holdout_files"}
                print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()

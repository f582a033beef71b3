#!/usr/bin/env python3
"""Where the prompt-injection signatures fire on benign text, and what narrowing one costs.

Why this exists: a signature adds its weight to every segment it matches, so a pattern that
matches ordinary text ("-----END CERTIFICATE-----", "debug mode is off") pushes real files towards
being withheld. BENCHMARKS.md ("Real code, narrower signatures, and everyday modes") lists the
patterns this found and how each was narrowed; these are its two commands.

- `scan [--signatures FILE] CORPUS...`: every label-0 tool-result row of the corpora, cut into the
  indirect reading's 320-character segments and folded as the scorer folds them; per rule (as read
  in tool results), how many segments it fires on, with examples. `--signatures` reads another
  signature file, e.g. `git show fd5c1b8:policies/injection/signatures.yaml > /tmp/old.yaml`.
- `compare OLD NEW [CORPUS...]`: two versions of one pattern. Over every attack row (label 1) of
  the committed corpora: how many each matches, and the rows only OLD matches (what narrowing
  loses); over the benign segments of CORPUS: how many segments each matches.

Usage (needs PyYAML, as scripts/train_injection.py does):
    python3 scripts/outside_docs.py WHEELS > /tmp/outside.jsonl
    python3 scripts/signature_hits.py scan /tmp/outside.jsonl
    python3 scripts/signature_hits.py compare 'OLD PATTERN' 'NEW PATTERN' /tmp/outside.jsonl
"""
import collections
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import injection_features as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGNATURES = os.path.join(ROOT, "policies", "injection", "signatures.yaml")


def benign_segments(paths):
    """The folded segments (line breaks as spaces, as the indirect reading also matches) of every
    label-0 tool-result row."""
    for path in paths:
        for line in open(path, encoding="utf-8"):
            r = json.loads(line)
            if r["label"] != 0 or r.get("zone", "tool_result") != "tool_result":
                continue
            t = r["text"]
            for a, b in F.segments(t, F.INDIRECT_MAX):
                yield r.get("class", ""), F.fold(t[a:b]).replace("\n", " ")


def scan(paths, signatures):
    rules = F.Rules(signatures, indirect=True)
    hits, n = collections.defaultdict(list), 0
    for cls, seg in benign_segments(paths):
        n += 1
        for rid, w, ps in rules.rules:
            m = next((m for m in (p.search(seg) for p in ps) if m), None) if w > 0 else None
            if m:
                hits[rid].append((cls, seg[max(0, m.start() - 60):m.end() + 60]))
    print(f"segments {n}")
    for rid, found in sorted(hits.items(), key=lambda x: -len(x[1])):
        print(f"== {rid} {len(found)}")
        for cls, text in found[:6]:
            print(f"    {cls[:28]} | {text}")


def compare(old, new, paths):
    old, new = re.compile(old, re.ASCII), re.compile(new, re.ASCII)
    attacks = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "corpora", "injection", "*.jsonl"))) + [
            os.path.join(ROOT, "tests", "corpora", "injection_dev_open.jsonl")]:
        for line in open(path, encoding="utf-8"):
            r = json.loads(line)
            if r["label"] == 1:
                attacks.append((r.get("class", ""), r.get("split", ""), F.fold(r["text"]).replace("\n", " ")))
    lost = [a for a in attacks if old.search(a[2]) and not new.search(a[2])]
    print(f"attack rows matched: old {sum(bool(old.search(t)) for *_, t in attacks)}, "
          f"new {sum(bool(new.search(t)) for *_, t in attacks)}, lost {len(lost)}")
    for cls, split, text in lost[:12]:
        m = old.search(text)
        print(f"    lost {cls} {split} | {text[max(0, m.start() - 50):m.end() + 50]}")
    counts = [0, 0]
    for _, seg in benign_segments(paths):
        counts[0] += bool(old.search(seg))
        counts[1] += bool(new.search(seg))
    print(f"benign segments matched: old {counts[0]}, new {counts[1]}")


def main():
    args = sys.argv[1:]
    if args[:1] == ["scan"]:
        signatures = SIGNATURES
        if args[1:2] == ["--signatures"]:
            signatures, args = args[2], args[2:]
        scan(args[1:], signatures)
    elif args[:1] == ["compare"] and len(args) >= 3:
        compare(args[1], args[2], args[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

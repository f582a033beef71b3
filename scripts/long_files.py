#!/usr/bin/env python3
"""Why long files are withheld more often, and what two remedies would cost: the tables of
BENCHMARKS.md ("Why long files are still withheld more often").

Why this exists: `gw eval injection` counts rows; the question here is per segment (a file of 200
segments has 200 chances), which needs every segment's score. `examples/segment_scores.rs` prints
them; this script writes the two row sets it reads from the committed corpora and makes the tables.

Usage (stdlib only):
    python3 scripts/long_files.py rows plants > /tmp/plants.jsonl   # planted tool results, hold-outs
    python3 scripts/long_files.py rows benign > /tmp/benign.jsonl   # benign tool results, hold-outs
    python3 scripts/outside_docs.py WHEELS > /tmp/outside.jsonl       # whole real files
    for s in plants benign outside; do
        cargo run -q --example segment_scores < /tmp/$s.jsonl > /tmp/$s.tsv; done
    python3 scripts/long_files.py tables /tmp/plants.tsv /tmp/benign.tsv /tmp/outside.tsv
"""
import json
import math
import os
import sys

INJ = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "corpora", "injection")
PLANTED = ("holdout2", "holdout3", "holdout4", "holdout5", "bipia", "indirect")
BENIGN = PLANTED + ("benign_tool", "benign_tool_ops", "benign_tool_real")
CUT = math.log(0.8 / 0.2)


def rows(which):
    label = 1 if which == "plants" else 0
    for name in PLANTED if label else BENIGN:
        for line in open(os.path.join(INJ, name + ".jsonl"), encoding="utf-8"):
            r = json.loads(line)
            held = r.get("split", "").startswith("holdout") or name == "bipia"
            if r.get("zone") == "tool_result" and r["label"] == label and held:
                print(line, end="")


def load(path):
    out = []
    for line in open(path, encoding="utf-8"):
        _, cls, logits, planted = line.rstrip("\n").split("\t")
        z = [float(x) for x in logits.split(",")] if logits else []
        out.append((cls, z, [int(i) for i in planted.split(",")] if planted else []))
    return out


def adjusted(z, weight, floor):
    """Each segment lowered by how far the mean of the text's *other* segments sits above floor."""
    if weight == 0 or len(z) < 2:
        return z
    total = sum(z)
    return [x - weight * max(0.0, (total - x) / (len(z) - 1) - floor) for x in z]


def counts(plants, benign, outside, weight=0.0, floor=0.0, raise_by=0.0):
    cut = CUT + raise_by
    caught = sum(1 for _, z, p in plants if p and any(adjusted(z, weight, floor)[i] >= cut for i in p))
    withheld = lambda rows: sum(1 for _, z, _ in rows if z and max(adjusted(z, weight, floor)) >= cut)
    return caught, withheld(benign), withheld(outside)


def tables(plants_tsv, benign_tsv, outside_tsv):
    plants, benign, outside = load(plants_tsv), load(benign_tsv), load(outside_tsv)
    plain = [r for r in outside if not r[0].startswith("llm pkg")]
    print(f"outside files by length, without the LLM frameworks ({len(plain)} files)")
    print("segments  files  withheld at 0.8  at 0.95  mean segments")
    for name, lo, hi in (("1-4", 1, 4), ("5-16", 5, 16), ("17-64", 17, 64), ("65+", 65, 10**9)):
        group = [z for _, z, _ in plain if lo <= len(z) <= hi]
        at = lambda p: sum(1 for z in group if max(z) >= math.log(p / (1 - p)))
        print(f"{name:8} {len(group):6} {at(0.8) / len(group):8.1%} {at(0.95) / len(group):8.1%}"
              f" {sum(map(len, group)) // len(group):8}")
    print(f"\nplants caught in their planted segment (of {len(plants)}), by threshold")
    for p in (0.8, 0.9, 0.95, 0.99):
        cut = math.log(p / (1 - p))
        print(f"  {p}: {sum(1 for _, z, s in plants if s and any(z[i] >= cut for i in s))}")
    print(f"\n(plants caught, benign hold-out withheld of {len(benign)}, outside withheld of {len(outside)})")
    print("  as shipped:", counts(plants, benign, outside))
    for raise_by in (0.1, 0.3, 0.5):
        print(f"  cut raised by {raise_by} logit:", counts(plants, benign, outside, raise_by=raise_by))
    for weight, floor in ((0.5, -5.0), (1.0, -5.0), (1.0, -4.0)):
        print(f"  baseline, weight {weight} above {floor}:", counts(plants, benign, outside, weight, floor))


if __name__ == "__main__":
    if sys.argv[1:2] == ["rows"] and len(sys.argv) == 3 and sys.argv[2] in ("plants", "benign"):
        rows(sys.argv[2])
    elif sys.argv[1:2] == ["tables"] and len(sys.argv) == 5:
        tables(*sys.argv[2:])
    else:
        sys.exit(__doc__)

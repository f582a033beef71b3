#!/usr/bin/env python3
"""Trains gw's prompt-injection linear model and writes policies/injection/model.json.

Why this exists: the Rust scorer (src/policy/injection) adds a small learned model to the hand-written
signatures. The weights ship as data, so this script must reproduce them exactly from the same inputs:
the `train_ok: true` items of the dev corpus (read from ../shared/evals/ at training time, never copied
into the repo) plus gw's own hand-written examples in policies/injection/own_*.txt.

Model: logistic regression over hashed features (FNV-1a 32-bit of the UTF-8 feature string, masked to
2^18 buckets): character 3..5-grams of the folded text and word uni/bi-grams, counts divided by the
square root of the feature count. The signatures' log-odds (regex rules only; the Rust-only decoders
are left out) are a fixed offset, so the model learns what the rules miss. The bias is then shifted so
that a score of 0.8 sits at the operating point chosen by grouped 5-fold cross-validation (at most 3%
false positives on the out-of-fold benign items). Pure Python, deterministic (fixed seed, fixed order).

Usage: python3 scripts/train_injection.py [--corpus ../shared/evals/injection_dev.jsonl]
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_DIR = os.path.join(ROOT, "policies", "injection")
BUCKET_BITS = 18
MASK = (1 << BUCKET_BITS) - 1
CHAR_N = (3, 4, 5)
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
BLANK = " \t\r\n\x0b\x0c"
TARGET_FPR = 0.03
THRESHOLD = 0.8
KEEP = 24000
EPOCHS = 8
L2 = 1e-5
SEED = 7


def fold(text):
    """Same as `features::fold` in Rust: drop zero-width, ASCII-lowercase, collapse blank runs."""
    out = []
    pending = None  # None, " " or "\n"
    for ch in text:
        if ch in ZERO_WIDTH:
            continue
        if ch in BLANK:
            if pending != "\n":
                pending = "\n" if ch == "\n" else " "
            continue
        if pending is not None and out:
            out.append(pending)
        pending = None
        if "A" <= ch <= "Z":
            ch = chr(ord(ch) + 32)
        out.append(ch)
    return "".join(out)


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


_memo = {}


def bucket(feature):
    b = _memo.get(feature)
    if b is None:
        b = fnv1a(feature.encode("utf-8")) & MASK
        _memo[feature] = b
    return b


def is_word_char(ch):
    return ch.isascii() and ch.isalnum() or ord(ch) > 127


def feature_strings(folded):
    """Every feature of a folded text, in emission order (the Rust side emits the same sequence)."""
    padded = " " + folded + " "
    for n in CHAR_N:
        for i in range(len(padded) - n + 1):
            yield "c:" + padded[i : i + n]
    words = []
    cur = []
    for ch in folded:
        if is_word_char(ch):
            cur.append(ch)
        elif cur:
            words.append("".join(cur))
            cur = []
    if cur:
        words.append("".join(cur))
    for w in words:
        yield "w:" + w
    for a, b in zip(words, words[1:]):
        yield "b:" + a + " " + b


def vectorize(text):
    counts = {}
    n = 0
    for f in feature_strings(fold(text)):
        k = bucket(f)
        counts[k] = counts.get(k, 0) + 1
        n += 1
    if n == 0:
        return []
    inv = 1.0 / math.sqrt(n)
    return [(k, c * inv) for k, c in sorted(counts.items())]


class Rules:
    """The regex signatures, applied to the folded text exactly as the Rust scorer does."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        self.max_total = float(data["max_total"])
        self.rules = [
            (r["id"], float(r["weight"]), [re.compile(p) for p in r["patterns"]])
            for r in data["rules"]
            if "patterns" in r
        ]

    def logit(self, text):
        folded = fold(text)
        total = sum(w for _, w, ps in self.rules if any(p.search(folded) for p in ps))
        return min(total, self.max_total)


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(items):
    """Adagrad logistic regression with a fixed per-item offset; class-balanced; deterministic."""
    w = {}
    g2 = {}
    bias, gb = 0.0, 1e-8
    pos = sum(1 for _, y, _ in items if y == 1)
    neg = len(items) - pos
    cw = {1: len(items) / (2.0 * pos), 0: len(items) / (2.0 * neg)}
    order = list(range(len(items)))
    rng = random.Random(SEED)
    lr = 0.5
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for i in order:
            x, y, off = items[i]
            z = bias + off
            for k, v in x:
                z += w.get(k, 0.0) * v
            g = (sigmoid(z) - y) * cw[y]
            gb += g * g
            bias -= lr * g / math.sqrt(gb)
            for k, v in x:
                wk = w.get(k, 0.0)
                gk = g * v + L2 * wk
                acc = g2.get(k, 1e-8) + gk * gk
                g2[k] = acc
                w[k] = wk - lr * gk / math.sqrt(acc)
    return compact(w, bias)


def compact(w, bias):
    """Keeps the strongest weights and quantises them to int8, as shipped."""
    kept = sorted(w.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:KEEP]
    kept = [(k, v) for k, v in kept if abs(v) > 1e-4]
    scale = max(abs(v) for _, v in kept) / 127.0
    q = {k: int(round(v / scale)) for k, v in kept}
    q = {k: v for k, v in q.items() if v != 0}
    return {"scale": scale, "bias": bias, "q": q}


def model_logit(model, x):
    s = model["scale"]
    q = model["q"]
    return model["bias"] + sum(q.get(k, 0) * s * v for k, v in x)


def group_key(text):
    letters = re.sub(r"[^a-z]", "", fold(text))
    return letters[:40]


def load_own(name, label):
    path = os.path.join(POLICY_DIR, name)
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    return [(l.replace("\\n", "\n"), label, "gw:" + name) for l in lines]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "evals", "injection_dev.jsonl"))
    ap.add_argument("--out", default=os.path.join(POLICY_DIR, "model.json"))
    args = ap.parse_args()

    with open(args.corpus, "rb") as f:
        raw = f.read()
    corpus = [json.loads(l) for l in raw.decode("utf-8").splitlines() if l.strip()]
    data = [(d["text"], int(d["label"]), d["source"]) for d in corpus if d["train_ok"] is True]
    excluded = sum(1 for d in corpus if d["train_ok"] is not True)
    data += load_own("own_injections.txt", 1) + load_own("own_benign.txt", 0)

    rules = Rules(os.path.join(POLICY_DIR, "signatures.yaml"))
    items = [(vectorize(t), y, rules.logit(t)) for t, y, _ in data]

    # Grouped 5-fold CV: near-duplicates (same leading letters) stay in one fold.
    groups = sorted({group_key(t) for t, _, _ in data})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % 5 for i, g in enumerate(groups)}
    oof = [0.0] * len(items)
    for k in range(5):
        tr = [it for it, (t, _, _) in zip(items, data) if fold_of[group_key(t)] != k]
        m = train(tr)
        for i, (t, _, _) in enumerate(data):
            if fold_of[group_key(t)] == k:
                oof[i] = model_logit(m, items[i][0]) + items[i][2]
    benign = sorted((z for z, (_, y, _) in zip(oof, data) if y == 0), reverse=True)
    allowed = int(math.floor(TARGET_FPR * len(benign)))
    # Midpoint between the last tolerated false positive and the next benign score.
    cut = (benign[allowed] + benign[max(allowed - 1, 0)]) / 2.0 if allowed > 0 else benign[0] + 1e-3
    tp = sum(1 for z, (_, y, _) in zip(oof, data) if y == 1 and z > cut)
    fp = sum(1 for z, (_, y, _) in zip(oof, data) if y == 0 and z > cut)
    npos = sum(1 for _, y, _ in data if y == 1)
    cv = {"folds": 5, "target_fpr": TARGET_FPR, "recall": round(tp / npos, 4),
          "fpr": round(fp / len(benign), 4), "cut_logit": round(cut, 6)}
    print("cv:", cv, file=sys.stderr)

    final = train(items)
    shift = math.log(THRESHOLD / (1.0 - THRESHOLD)) - cut
    idx = sorted(final["q"])
    deltas = [idx[0]] + [b - a for a, b in zip(idx, idx[1:])]
    sources = {}
    for _, y, s in data:
        sources[s] = sources.get(s, 0) + 1
    out = {
        "format": "gw-injection-linear-v1",
        "bucket_bits": BUCKET_BITS,
        "char_ngrams": list(CHAR_N),
        "scale": round(final["scale"], 9),
        "bias": round(final["bias"] + shift, 6),
        "provenance": {
            "corpus_sha256": hashlib.sha256(raw).hexdigest(),
            "corpus_items_excluded_not_train_ok": excluded,
            "trained_items_by_source": dict(sorted(sources.items())),
            "cross_validation": cv,
            "threshold": THRESHOLD,
        },
        "index_delta": deltas,
        "weight_q": [final["q"][k] for k in idx],
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=False)
        f.write("\n")
    print(f"wrote {args.out}: {len(idx)} weights", file=sys.stderr)


if __name__ == "__main__":
    main()

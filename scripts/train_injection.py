#!/usr/bin/env python3
"""Trains gw's prompt-injection linear model and writes policies/injection/model.json.

Why this exists: the Rust scorer (src/policy/injection) adds a small learned model to the hand-written
signatures. The weights ship as data, so this script must reproduce them exactly from the same inputs:
the `train_ok: true` items of the dev corpus (tests/corpora/injection_dev_open.jsonl holds only those)
plus gw's own hand-written examples in policies/injection/own_*.txt.

Model: logistic regression over hashed features (scripts/injection_features.py: character n-grams of
the folded text, words and word bigrams), counts divided by the square root of the feature count. The
signatures' log-odds (regex rules only; the Rust-only decoders are left out) are a fixed offset, so
the model learns what the rules miss. Weights are quantised to int8 with one scale, so the Rust side
sums integers. The bias is then shifted so that a score of 0.8 sits at the operating point chosen by
grouped 5-fold cross-validation (at most TARGET_FPR false positives on the out-of-fold benign items).
Pure Python, deterministic (fixed seed, fixed order).

Usage: python3 scripts/train_injection.py [--corpus tests/corpora/injection_dev_open.jsonl]
Tuning: --cv-only, --l2 X, --epochs N, --keep N, --char-n 3,4,5, --bags N (averaged shuffles);
--preview prints aggregate figures on the train_ok: false items and writes nothing;
GW_TRAIN_DUMP=path writes the training items that cross-validation gets wrong.
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import sys

import injection_features as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_DIR = os.path.join(ROOT, "policies", "injection")
FORMAT = "gw-injection-linear-v2"
TARGET_FPR = 0.03
THRESHOLD = 0.8
FOLDS = 5
KEEP = 40000
EPOCHS = 8
L2 = 3e-5
BAGS = 1
LR = 0.5
SEED = 7
PINNED_TEXTS = [F.PARITY_TEXTS[0], "What is the capital of France?", ""]


def vectorize(folded, char_n):
    counts = {}
    bs = F.buckets(folded, char_n)
    for k in bs:
        counts[k] = counts.get(k, 0) + 1
    if not bs:
        return [], 1.0
    return sorted(counts.items()), 1.0 / math.sqrt(len(bs))


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train(items, l2, epochs, keep, bags=1):
    """`bags` models trained on different shuffles, weights averaged (less variance), compacted."""
    w, bias = {}, 0.0
    for b in range(bags):
        wb, bb = train_one(items, l2, epochs, SEED + b)
        for k, v in wb.items():
            w[k] = w.get(k, 0.0) + v / bags
        bias += bb / bags
    return compact(w, bias, keep)


def train_one(items, l2, epochs, seed):
    """Adagrad logistic regression with a fixed per-item offset; class-balanced; deterministic."""
    w = {}
    g2 = {}
    bias, gb = 0.0, 1e-8
    pos = sum(1 for it in items if it[2] == 1)
    neg = len(items) - pos
    cw = {1: len(items) / (2.0 * pos), 0: len(items) / (2.0 * neg)}
    order = list(range(len(items)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            x, inv, y, off = items[i]
            z = bias + off + inv * sum(w.get(k, 0.0) * c for k, c in x)
            g = (sigmoid(z) - y) * cw[y]
            gb += g * g
            bias -= LR * g / math.sqrt(gb)
            for k, c in x:
                wk = w.get(k, 0.0)
                gk = g * c * inv + l2 * wk
                acc = g2.get(k, 1e-8) + gk * gk
                g2[k] = acc
                w[k] = wk - LR * gk / math.sqrt(acc)
    return w, bias


def compact(w, bias, keep):
    """Keeps the strongest weights and quantises them to int8, as shipped."""
    kept = sorted(w.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:keep]
    scale = max(abs(v) for _, v in kept) / 127.0
    q = {k: int(round(v / scale)) for k, v in kept}
    return {"scale": scale, "bias": bias, "q": {k: v for k, v in q.items() if v != 0}}


def model_logit(model, x, inv):
    """Bias + scale * (integer sum of the int8 weights, each feature as often as it occurs) / sqrt(n):
    the same arithmetic as the Rust side."""
    q = model["q"]
    return model["bias"] + model["scale"] * inv * sum(q.get(k, 0) * c for k, c in x)


def group_key(text):
    """Near-duplicates (same leading letters) share a key and so stay in one CV fold."""
    return re.sub(r"[^a-z]", "", F.fold(text))[:40]


def load_own(name, label):
    with open(os.path.join(POLICY_DIR, name), encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    return [(l.replace("\\n", "\n"), label, "gw:" + name) for l in lines]


def operating_point(scores, labels, target_fpr):
    """The logit cut that lets at most `target_fpr` of the benign scores through, and recall/FPR there."""
    benign = sorted((z for z, y in zip(scores, labels) if y == 0), reverse=True)
    allowed = int(math.floor(target_fpr * len(benign)))
    # Midpoint between the last tolerated false positive and the next benign score.
    cut = (benign[allowed] + benign[max(allowed - 1, 0)]) / 2.0 if allowed > 0 else benign[0] + 1e-3
    tp = sum(1 for z, y in zip(scores, labels) if y == 1 and z > cut)
    fp = sum(1 for z, y in zip(scores, labels) if y == 0 and z > cut)
    return cut, tp / sum(labels), fp / len(benign)


def cross_validate(data, items, args):
    groups = sorted({group_key(t) for t, _, _ in data})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    folds = [fold_of[group_key(t)] for t, _, _ in data]
    oof = [0.0] * len(items)
    for k in range(FOLDS):
        m = train([it for it, f in zip(items, folds) if f != k], args.l2, args.epochs, args.keep,
                  args.bags)
        for i, f in enumerate(folds):
            if f == k:
                oof[i] = model_logit(m, items[i][0], items[i][1]) + items[i][3]
    return oof


def report_cv(data, oof, cuts):
    labels = [y for _, y, _ in data]
    for target in (0.01, 0.02, 0.03, 0.05):
        cut, rec, fpr = operating_point(oof, labels, target)
        cuts[target] = cut
        print(f"cv target fpr {target:.2f}: recall {rec:.3f} fpr {fpr:.3f} cut {cut:.3f}", file=sys.stderr)
    cut, rec, fpr = operating_point(oof, labels, TARGET_FPR)
    by_source = {}
    for z, (_, y, s) in zip(oof, data):
        c = by_source.setdefault(s, [0, 0])
        c[0] += 1
        c[1] += int((z > cut) == (y == 1))
    for s, (n, ok) in sorted(by_source.items()):
        print(f"  {s:<55} {ok}/{n} correct out-of-fold", file=sys.stderr)
    corpus = [(z, y) for z, (_, y, s) in zip(oof, data) if not s.startswith("gw:")]
    tp = sum(1 for z, y in corpus if y == 1 and z > cut)
    fp = sum(1 for z, y in corpus if y == 0 and z > cut)
    npos = sum(y for _, y in corpus)
    print(f"  corpus items only: recall {tp / npos:.3f} fpr {fp / (len(corpus) - npos):.3f}", file=sys.stderr)
    if os.environ.get("GW_TRAIN_DUMP"):
        with open(os.environ["GW_TRAIN_DUMP"], "w", encoding="utf-8") as f:
            for z, (t, y, s) in sorted(zip(oof, data), key=lambda r: r[0]):
                if (z > cut) != (y == 1):
                    f.write(f"{z:+.2f} {y} {s[:20]:<20} {t[:160]!r}\n")
    return {"folds": FOLDS, "target_fpr": TARGET_FPR, "recall": round(rec, 4), "fpr": round(fpr, 4),
            "cut_logit": round(cut, 6)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "tests", "corpora", "injection_dev_open.jsonl"))
    ap.add_argument("--out", default=os.path.join(POLICY_DIR, "model.json"))
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--preview", action="store_true", help="print eval-only figures, write nothing")
    ap.add_argument("--l2", type=float, default=L2)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--keep", type=int, default=KEEP)
    ap.add_argument("--bags", type=int, default=BAGS)
    ap.add_argument("--char-n", type=lambda s: tuple(int(n) for n in s.split(",")), default=F.CHAR_N)
    args = ap.parse_args()

    with open(args.corpus, "rb") as f:
        raw = f.read()
    corpus = [json.loads(l) for l in raw.decode("utf-8").splitlines() if l.strip()]
    data = [(d["text"], int(d["label"]), d["source"]) for d in corpus if d["train_ok"] is True]
    excluded = sum(1 for d in corpus if d["train_ok"] is not True)
    data += load_own("own_injections.txt", 1) + load_own("own_benign.txt", 0)

    rules = F.Rules(os.path.join(POLICY_DIR, "signatures.yaml"))
    items = []
    for t, y, _ in data:
        folded = F.fold(t)
        x, inv = vectorize(folded, args.char_n)
        items.append((x, inv, y, rules.logit(folded)))

    cuts = {}
    cv = report_cv(data, cross_validate(data, items, args), cuts)
    print("cv:", cv, file=sys.stderr)
    if args.cv_only:
        return

    final = train(items, args.l2, args.epochs, args.keep, args.bags)
    if args.preview:
        # Aggregate figures only on the items nothing is trained on (no per-item output, so the
        # eval-only texts never steer the hand-written data).
        scored = []
        for d in corpus:
            if d["train_ok"] is not True:
                folded = F.fold(d["text"])
                x, inv = vectorize(folded, args.char_n)
                scored.append((model_logit(final, x, inv) + rules.logit(folded), int(d["label"])))
        for target, cut in sorted(cuts.items()):
            rec = sum(1 for z, y in scored if y == 1 and z > cut) / sum(y for _, y in scored)
            fp = sum(1 for z, y in scored if y == 0 and z > cut)
            nb = sum(1 for _, y in scored if y == 0)
            print(f"eval-only preview at cv fpr {target:.2f}: recall {rec:.3f} fpr {fp / nb:.3f} ({fp} of {nb})",
                  file=sys.stderr)
        return
    shift = math.log(THRESHOLD / (1.0 - THRESHOLD)) - cv["cut_logit"]
    idx = sorted(final["q"])
    deltas = [idx[0]] + [b - a for a, b in zip(idx, idx[1:])]
    sources = {}
    for _, _, s in data:
        sources[s] = sources.get(s, 0) + 1
    out = {
        "format": FORMAT,
        "bucket_bits": F.BUCKET_BITS,
        "char_ngrams": list(args.char_n),
        "scale": round(final["scale"], 9),
        "bias": round(final["bias"] + shift, 6),
        "provenance": {
            "corpus_sha256": hashlib.sha256(raw).hexdigest(),
            "corpus_items_excluded_not_train_ok": excluded,
            "trained_items_by_source": dict(sorted(sources.items())),
            "hyperparameters": {"l2": args.l2, "epochs": args.epochs, "keep": args.keep, "lr": LR,
                                "seed": SEED, "bags": args.bags},
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
    # The Rust test `model::tests::logits_match_the_training_script` pins these.
    final["bias"] += shift
    for t in PINNED_TEXTS:
        x, inv = vectorize(F.fold(t), args.char_n)
        print(f"pinned logit {model_logit(final, x, inv):.6f} for {t!r}", file=sys.stderr)


if __name__ == "__main__":
    main()

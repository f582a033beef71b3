#!/usr/bin/env python3
"""Trains gw's prompt-injection models: `model.json` (direct: user turns) and `model_indirect.json`
(indirect: tool results and documents), in policies/injection/.

Why this exists: the Rust scorer (src/policy/injection) adds a small learned model to the hand-written
signatures, one per way of reading a text. The weights ship as data, so this script must reproduce
them exactly from the same inputs, all in this repository:
- tests/corpora/injection_dev_open.jsonl: the redistributable (`train_ok: true`) dev items;
- tests/corpora/everyday_dev.jsonl: real first human turns (hh-rlhf, MIT), all benign;
- tests/corpora/injection/*.jsonl, rows with `split: train`: benign user turns by traffic class
  (and turns about the assistant with attacks in the same genres, benign_user_meta.jsonl),
  system prompts, tool results (synthetic and real permissively licensed files), instructions planted
  in tool results (with their byte spans), direct attacks in agent style;
- policies/injection/own_*.txt: gw's own hand-written examples.
Rows with `split: holdout` (including tests/corpora/injection/hard_negatives_val.jsonl, reported as
`holdout-val`), the BIPIA exam (`split: bipia`, tests/corpora/injection/bipia.jsonl, reported as
`bipia`; its train split is in planted_bipia_train.jsonl, see scripts/bipia_corpus.py), the recorded client traffic in tests/traffic/ and any AgentDojo extraction
(`--agentdojo`) are never trained on; they are reported after training.

Each text is cut into segments exactly as the Rust side cuts it (`injection_features.segments`):
whole texts up to 4 KB for the direct model, windows of lines up to 640 characters for the indirect
one. A planted instruction labels the segments that hold most of it; the other segments of the same
carrier are benign, which teaches the indirect model that ordinary pages, files and emails are data.

Model: logistic regression over hashed features (character n-grams of the folded text, words and word
bigrams), counts divided by a power of the feature count (`norm_power`: 0.75 for the direct model,
so a long pasted document does not add up to an alarm; 0.5 for the indirect one), with the signatures' summed weights
as a fixed offset so the model learns what the rules miss. Fitted by L-BFGS (scipy) on class-balanced
weights, quantised to int8 with one scale (the Rust side sums integers). The bias is shifted so that a
score of 0.8 sits at the operating point chosen by grouped 5-fold cross-validation: the cut that lets
at most `--target-fpr` of the benign carriers (whole documents, their highest segment) through.
Deterministic for fixed inputs and library versions (scripts/requirements-train.txt).

Usage: python3 scripts/train_injection.py --kind direct|indirect [--dry-run | --check] [--agentdojo DIR]
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import sys
from collections import defaultdict

try:
    import numpy as np
    import scipy.optimize
    import scipy.sparse
except ImportError:  # `--check` reads the inputs only and needs neither
    np = None

import injection_features as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_DIR = os.path.join(ROOT, "policies", "injection")
CORPORA = os.path.join(ROOT, "tests", "corpora")
INJ = os.path.join(CORPORA, "injection")
TRAFFIC = os.path.join(ROOT, "tests", "traffic")
FORMAT = "gw-injection-linear-v3"
THRESHOLD = 0.8
FIT_OPTIONS = {"maxiter": 400, "maxcor": 20}  # L-BFGS-B
FOLDS = 5
SEED = 7
PINNED_TEXTS = [F.PARITY_TEXTS[0], "What is the capital of France?", ""]
# What people type before a pasted document.
PASTE_ASKS = [
    "Summarise this for me:\n\n", "Can you check the tone of this?\n\n", "What does this do?\n\n",
    "Translate this to French:\n\n", "tl;dr please\n\n", "Find the mistakes in this:\n\n",
    "Here's the output, what went wrong?\n\n", "Reply to this for me, politely:\n\n",
    "Extract the dates and amounts from this:\n\n", "", "Explain this to a new hire:\n\n",
    "Is anything here urgent?\n\n", "Make this shorter:\n\n", "Turn this into a table:\n\n",
]

# Appended to attacks for the padding report (never trained on).
PADDINGS = ["", " Thanks, that's all for today.", " It is a 'jailbreak' style test.",
            "\n\nAlso, what's a good name for a golden retriever puppy? Something short, easy to call "
            "across a park."]
# Benign classes the operating point is chosen on (every one held to the target).
CALIBRATE = {"direct": ("everyday", "user:"), "indirect": ("tool:", "data:")}
# Benign classes trained on but left out of the pool the cut is chosen on: code about LLM APIs
# teaches the model what text *about* the model looks like; pooled, its hard files only raised the
# cut (recall fell 2-5 points on every hold-out for the same false positives on it). See BENCHMARKS.md.
CALIBRATE_APART = {"direct": ("user:meta_about_assistant", "user:meta_revise_previous", "user:meta_llm_builder", "user:meta_roleplay_task"), "indirect": ("tool:llm_sdk_code", "tool:real_llm_framework", "tool:real_doc_pypi", "tool:real_doc_rust", "tool:real_code")}
DEFAULTS = {
    "direct": {"l2": 2e-6, "keep": 60000, "target_fpr": 0.003, "cue_weight": 0.0, "norm_power": 0.75,
               "out": "model.json"},
    "indirect": {"l2": 1e-5, "keep": 60000, "target_fpr": 0.005, "cue_weight": 0.3, "norm_power": 0.5,
                 "out": "model_indirect.json"},
}


# ---------------------------------------------------------------- data


class Doc:
    """One text with its segments: `seg_labels[i]` is 1, 0, or None (ambiguous, not trained on)."""

    __slots__ = ("text", "label", "cls", "group", "segs", "seg_labels", "source")

    def __init__(self, text, label, cls, group, source, segs, seg_labels):
        self.text, self.label, self.cls, self.group, self.source = text, label, cls, group, source
        self.segs, self.seg_labels = segs, seg_labels


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def own(name):
    with open(os.path.join(POLICY_DIR, name), encoding="utf-8") as f:
        return [l.rstrip("\n").replace("\\n", "\n") for l in f if l.strip()]


def group_key(text):
    """Near-duplicates (same leading letters) share a key and so stay in one CV fold."""
    return re.sub(r"[^a-z]", "", F.fold(text))[:40]


def byte_span_to_chars(text, span):
    b = text.encode("utf-8")
    return len(b[: span[0]].decode("utf-8", "ignore")), len(b[: span[1]].decode("utf-8", "ignore"))


def make_doc(text, label, cls, source, max_chars, span=None, group=None):
    segs = F.segments(text, max_chars)
    if label == 0:
        labels = [0] * len(segs)
    elif span is None:
        labels = [1] * len(segs)
    else:
        s, e = byte_span_to_chars(text, span)
        need = min(e - s, 120) if e - s < 240 else (e - s) / 2
        labels = []
        for a, b in segs:
            overlap = max(0, min(b, e) - max(a, s))
            labels.append(1 if overlap >= need else (0 if overlap == 0 else None))
        if not any(l == 1 for l in labels):
            # The instruction straddles segments: the one with the most of it is the positive.
            best = max(range(len(segs)), key=lambda i: max(0, min(segs[i][1], e) - max(segs[i][0], s)))
            labels[best] = 1
    return Doc(text, label, cls, group or group_key(text), source, segs, labels)


def recorded_texts():
    """User-turn and tool-result texts of the recorded client traffic (never trained on). Reported
    as they are: the notes a coding agent's harness writes into a tool result (opencode.jsonl's
    `denied-tool`), which gw does not read and `gw eval` leaves out, are counted here."""
    out = []
    for name in sorted(os.listdir(TRAFFIC)):
        if not name.endswith(".jsonl"):
            continue
        for row in jsonl(os.path.join(TRAFFIC, name)):
            body = row.get("body") or {}
            session = f"{name}:{row.get('session')}"
            for m in body.get("messages", []):
                content = m.get("content")
                blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
                for b in blocks:
                    if not isinstance(b, dict):
                        continue
                    if m.get("role") in ("user",) and b.get("type") == "text":
                        out.append(("user", session, b["text"]))
                    elif b.get("type") == "tool_result":
                        c = b.get("content")
                        parts = [c] if isinstance(c, str) else [x.get("text", "") for x in c or [] if isinstance(x, dict)]
                        for t in parts:
                            out.append(("tool_result", session, t))
                if m.get("role") == "tool" and isinstance(content, str):
                    out.append(("tool_result", session, content))
    seen, uniq = set(), []
    for z, s, t in out:
        if t and (z, t) not in seen:
            seen.add((z, t))
            uniq.append((z, s, t))
    return uniq


def load(kind):
    """(train docs, evaluation sets {name: docs}) for one kind of reading."""
    mx = F.DIRECT_MAX if kind == "direct" else F.INDIRECT_MAX
    train, evals = [], defaultdict(list)
    dev = jsonl(os.path.join(CORPORA, "injection_dev_open.jsonl"))
    everyday = jsonl(os.path.join(CORPORA, "everyday_dev.jsonl"))
    benign_user = jsonl(os.path.join(INJ, "benign_user.jsonl"))
    # Hand-written turns from people who build with LLMs (system prompts, jailbreak defences),
    # questions about the assistant, restated tasks, and code that handles passwords and tokens:
    # all hold-out (training on them cost direct recall; see BENCHMARKS.md), reported only.
    benign_user_llm = jsonl(os.path.join(INJ, "benign_user_llm.jsonl"))
    benign_system = jsonl(os.path.join(INJ, "benign_system.jsonl"))
    benign_tool = jsonl(os.path.join(INJ, "benign_tool.jsonl")) + jsonl(os.path.join(INJ, "benign_tool_real.jsonl"))
    if kind == "indirect":
        # Security and operations tool output (WHOIS, dig, headers, kubectl, man pages): data an
        # agent's tools return. The direct model's pasted documents stay the general carriers.
        benign_tool += jsonl(os.path.join(INJ, "benign_tool_ops.jsonl"))
        # Code and docs about LLM APIs, as a coding agent reads them (scripts/ai_sdk_corpus.py):
        # text *about* the model and its tools, not aimed at it. The Anthropic SDK and
        # aws-sdk-bedrockruntime train; the OpenAI SDK and aws-sdk-bedrock are held out.
        benign_tool += jsonl(os.path.join(INJ, "benign_tool_ai_sdk.jsonl"))
        # Real documentation (scripts/real_docs_corpus.py): the AWS CLI's example pages, the
        # crates' Markdown and popular PyPI projects' READMEs, which tell their reader to delete,
        # run and send things, and LLM frameworks' code. Services, crates, projects and two
        # frameworks are held out (`holdout_docs`); READMEs and frameworks are calibrated apart.
        benign_tool += jsonl(os.path.join(INJ, "benign_tool_docs.jsonl"))
        # Real source code (scripts/real_code_corpus.py): the Python standard library, npm's
        # bundled packages and the crates' Rust, half shown as Claude Code's Read tool shows a
        # file. Web-standard comments ("the user agent must …") and minified bundles were withheld.
        benign_tool += jsonl(os.path.join(INJ, "benign_tool_code.jsonl"))
    indirect = jsonl(os.path.join(INJ, "indirect.jsonl"))
    direct = jsonl(os.path.join(INJ, "direct_user.jsonl"))

    def add(rows, cls_of, label_of, span=False):
        for r in rows:
            # A real file and the copies with an instruction planted in it share one CV group.
            group = r.get("carrier_source") or (r["id"] if "licence" in r else None)
            d = make_doc(r["text"], label_of(r), cls_of(r), r.get("source", ""), mx,
                         r.get("span") if span else None, group=group)
            (train if r.get("split", "train") == "train" else evals[f"holdout {d.cls}"]).append(d)

    if kind == "direct":
        add([r for r in dev if r["train_ok"]], lambda r: "dev:" + r["source"].split(":")[0], lambda r: r["label"])
        add(everyday, lambda r: "everyday", lambda r: 0)
        add(benign_user, lambda r: "user:" + r["class"], lambda r: 0)
        add(benign_user_llm, lambda r: "user:" + r["class"], lambda r: 0)
        # Requests that name a device's or program's mode ("enable developer mode on my Pixel"):
        # words DAN-style prompts use, in everyday turns (scripts/everyday_modes_corpus.py).
        add(jsonl(os.path.join(INJ, "benign_user_modes.jsonl")), lambda r: "user:" + r["class"], lambda r: 0)
        # Project instruction files (CLAUDE.md, AGENTS.md) as coding agents put them in a user turn:
        # imperative from end to end, and ordinary (scripts/project_instructions_corpus.py). Its
        # label-1 rows (a hold-out attack planted among the rules) are hold-out only.
        add(jsonl(os.path.join(INJ, "benign_user_project.jsonl")), lambda r: "user:" + r["class"], lambda r: r["label"], span=True)
        # Turns about the assistant, its earlier answers, prompts and personas, with attacks in the
        # same genres and words (scripts/meta_turns_corpus.py): what separates them is the request.
        add(jsonl(os.path.join(INJ, "benign_user_meta.jsonl")),
            lambda r: ("attack:meta" if r["label"] else "user:" + r["class"]), lambda r: r["label"])
        add(benign_system, lambda r: "system:" + r["class"], lambda r: 0)
        add(direct, lambda r: "attack:direct", lambda r: 1)
        # People paste whole documents into a turn ("summarise this: <an email>"): long, ordinary
        # text is not an attack. (Instructions planted in pasted text are the indirect model's
        # job when they arrive as a document or tool result.)
        rng = random.Random(SEED)
        for r in benign_tool:
            text = rng.choice(PASTE_ASKS) + r["text"]
            d = make_doc(text, 0, "user:pasted", r.get("source", ""), mx, group=r["id"])
            (train if r.get("split") == "train" else evals["holdout user:pasted"]).append(d)
        for t in own("own_injections.txt"):
            train.append(make_doc(t, 1, "attack:own", "gw:own", mx))
        for t in own("own_benign.txt"):
            train.append(make_doc(t, 0, "benign:own", "gw:own", mx))
    else:
        add(benign_tool, lambda r: "tool:" + r["class"], lambda r: 0)
        add(indirect, lambda r: "planted:" + r["class"], lambda r: 1, span=True)
        # The train families with many more goals (train only), so that the model learns how an
        # instruction to the assistant is framed rather than which actions it names.
        add(jsonl(os.path.join(INJ, "planted_more_goals.jsonl")), lambda r: "planted:" + r["class"], lambda r: 1, span=True)
        # Questions people ask, and text about prompt injection, read as data (forum posts,
        # FAQs, security blogs). Persona prompts and requests to an assistant are left out: inside
        # a tool result, "I want you to act as…" or "from now on use pnpm" *is* an instruction
        # aimed at the assistant.
        add(everyday, lambda r: "data:everyday", lambda r: 0)
        add([r for r in benign_user if r["class"] == "everyday_misc"], lambda r: "data:user-" + r["class"], lambda r: 0)
        add([r for r in dev if r["train_ok"] and r["label"] == 0 and r["source"].startswith("handwritten:security")],
            lambda r: "data:security-topic", lambda r: 0)
        # Data that names actions and destinations without addressing anyone (logs, notices,
        # instructions to a human reader): "sent email to …", "transfer to account …".
        for t in own("own_benign_data.txt"):
            train.append(make_doc(t, 0, "data:own-benign-data", "gw:own", mx))
        # Direct attacks short enough to be a planted paragraph are instructions aimed at the
        # assistant wherever they appear.
        short = [t for t in own("own_injections.txt") if len(t) <= 1200]
        short += [r["text"] for r in dev if r["train_ok"] and r["label"] == 1 and len(r["text"]) <= 1200]
        for t in short:
            train.append(make_doc(t, 1, "attack:as-data", "gw:own", mx))
        add([r for r in direct], lambda r: "attack:direct-as-data", lambda r: 1)
        # Data that tells a human reader what to do (notices, how-tos, procedures, emails between
        # people, project docs) is not aimed at the assistant; a few of the same documents carry an
        # instruction that is (with its span).
        hn = jsonl(os.path.join(INJ, "hard_negatives_train.jsonl"))
        add([r for r in hn if r["label"] == 0], lambda r: "data:human-directed", lambda r: 0)
        add([r for r in hn if r["label"] == 1], lambda r: "planted:human-directed", lambda r: 1, span=True)
        # BIPIA's train-split attacks that address the reply or ask for code in it, planted in our own
        # carriers, and lines that ask a human reader about their reply or code (scripts/bipia_corpus.py).
        pb = jsonl(os.path.join(INJ, "planted_bipia_train.jsonl"))
        add([r for r in pb if r["label"] == 1], lambda r: "planted:bipia-train", lambda r: 1, span=True)
        add([r for r in pb if r["label"] == 0], lambda r: "data:reply-to-a-human", lambda r: 0)
        def exam(name, split, report_as):
            """Rows reported under `report_as`, never trained on (each row its own CV group)."""
            for r in jsonl(os.path.join(INJ, name)):
                assert r["split"] == split, r["id"]
                cls = ("planted:" if r["label"] else "tool:") + r["class"]
                evals[f"{report_as} {cls}"].append(
                    make_doc(r["text"], r["label"], cls, r.get("source", ""), mx, r.get("span"), group=r["id"]))

        # BIPIA's test split (other categories) in BIPIA's own emails: an outside exam.
        exam("bipia.jsonl", "bipia", "bipia")
        # Validation hard negatives (data telling a human reader what to do) and instructions to the
        # AI planted in such documents.
        exam("hard_negatives_val.jsonl", "holdout", "holdout-val")
    for zone, session, text in recorded_texts():
        want = "user" if kind == "direct" else "tool_result"
        if zone == want:
            planted = "planted" in session
            evals["recorded " + ("planted-session" if planted else session.split(":")[0])].append(
                make_doc(text, 0, "recorded", session, mx))
    return train, dict(evals)


def inputs_digest(kind, train_docs, rules, cfg, char_n, benign_boost):
    """SHA-256 of everything a retrain reads: every training document (class, CV group, label)
    with its segments and their labels; the rules and cues as applied to this kind; the settings
    (hyperparameters, calibration classes, fit options, format); and the feature code's behaviour
    (the folded text and hashed buckets of the parity texts). The model file keeps it, and
    `--check` recomputes it, so a change that would change a model cannot land without the
    retrain (CI runs the check)."""
    h = hashlib.sha256()
    for d in train_docs:
        h.update(json.dumps([d.cls, d.group, d.label]).encode("utf-8"))
        for (a, b), l in zip(d.segs, d.seg_labels):
            h.update(d.text[a:b].encode("utf-8"))
            h.update(bytes([2 if l is None else l]))
        h.update(b"\0")
    spec = {
        "kind": kind,
        "format": FORMAT,
        "rules": [(rid, w, [p.pattern for p in ps]) for rid, w, ps in rules.rules],
        "quotations": [p.pattern for p in rules.quotations],
        "max_total": rules.max_total,
        "cues": [(cid, [p.pattern for p in ps]) for cid, ps in rules.cues],
        "cfg": {k: v for k, v in sorted(cfg.items()) if k != "out"},
        "benign_boost": benign_boost,
        "calibrate": CALIBRATE[kind],
        # Only when set, so a kind without one keeps its digest.
        **({"calibrate_apart": CALIBRATE_APART[kind]} if CALIBRATE_APART[kind] else {}),
        "fit": FIT_OPTIONS,
        "char_n": list(char_n),
        "constants": [F.BUCKET_BITS, F.DIRECT_MAX, F.INDIRECT_MAX, THRESHOLD, FOLDS, SEED],
        "features": [(F.fold(t), F.buckets(F.fold(t), tuple(char_n))) for t in F.PARITY_TEXTS],
    }
    h.update(json.dumps(spec, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


# ---------------------------------------------------------------- features


def vectorize(segments_text, rules, char_n, cue_weight, norm_power):
    """CSR rows (counts / sqrt(n)) and the rule offsets of the folded segment texts."""
    indptr, indices, data, offsets = [0], [], [], []
    for t in segments_text:
        folded = F.fold(t)
        bs = F.buckets(folded, char_n)
        counts = defaultdict(int)
        for b in bs:
            counts[b] += 1
        inv = 1.0 / (len(bs) ** norm_power) if bs else 1.0
        # Cue features are not divided by the length: a combination is present or not.
        for c in rules.cue_buckets(folded) if cue_weight else ():
            counts[c] += cue_weight / inv
        for k in sorted(counts):
            indices.append(k)
            data.append(counts[k] * inv)
        indptr.append(len(indices))
        offsets.append(rules.logit(folded))
    X = scipy.sparse.csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(indptr)),
                                shape=(len(segments_text), 1 << F.BUCKET_BITS))
    return X, np.array(offsets)


def flatten(docs):
    """Segment texts, labels (None = skip), and the doc index of each segment."""
    texts, labels, owner = [], [], []
    for i, d in enumerate(docs):
        for (a, b), l in zip(d.segs, d.seg_labels):
            texts.append(d.text[a:b])
            labels.append(l)
            owner.append(i)
    return texts, labels, np.array(owner)


# ---------------------------------------------------------------- model


def fit(X, y, off, w, l2):
    """Weighted L2 logistic regression with fixed offsets, by L-BFGS. Returns (weights, bias)."""
    n, d = X.shape
    wsum = w.sum()
    Xt = X.T.tocsr()

    def f(theta):
        coef, b = theta[:d], theta[d]
        z = X @ coef + b + off
        # log(1 + exp(-yz)) for y in {0, 1} as softplus(z) - y z
        loss = np.sum(w * (np.logaddexp(0, z) - y * z)) / wsum + 0.5 * l2 * coef @ coef
        g = w * (1.0 / (1.0 + np.exp(-z)) - y) / wsum
        grad = np.empty(d + 1)
        grad[:d] = Xt @ g + l2 * coef
        grad[d] = g.sum()
        return loss, grad

    theta0 = np.zeros(d + 1)
    res = scipy.optimize.minimize(f, theta0, jac=True, method="L-BFGS-B",
                                  options=FIT_OPTIONS)
    return res.x[:d], res.x[d]


def compact(coef, bias, keep):
    """The strongest `keep` weights quantised to int8 with one scale, as shipped."""
    order = np.argsort(-np.abs(coef), kind="stable")[:keep]
    order = order[np.abs(coef[order]) > 0]
    scale = float(np.abs(coef[order]).max()) / 127.0
    q = np.round(coef[order] / scale).astype(np.int64)
    keep_mask = q != 0
    idx, q = order[keep_mask], q[keep_mask]
    dense = np.zeros(coef.shape[0])
    dense[idx] = q * scale
    return {"scale": scale, "bias": float(bias), "idx": idx, "q": q, "dense": dense}


def weights_for(y, classes, benign_boost):
    """Class-balanced: positives and negatives weigh the same in total; within the negatives,
    each class weighs at least 1/sqrt of its size relative to the others, so small traffic
    classes (short turns, reminders) count."""
    y = np.asarray(y)
    w = np.ones(len(y))
    neg = y == 0
    sizes = defaultdict(int)
    for c, is_neg in zip(classes, neg):
        if is_neg:
            sizes[c] += 1
    for i, c in enumerate(classes):
        if neg[i]:
            w[i] = benign_boost / math.sqrt(sizes[c])
    pos = ~neg
    w[pos] = w[neg].sum() / max(pos.sum(), 1)
    return w


def doc_scores(seg_z, owner, ndocs):
    out = np.full(ndocs, -np.inf)
    np.maximum.at(out, owner, seg_z)
    return out


# ---------------------------------------------------------------- evaluation


def report(name, docs, z, cut, out=sys.stderr):
    by = defaultdict(lambda: [0, 0])
    for d, s in zip(docs, z):
        c = by[d.cls]
        c[0] += 1
        c[1] += int(s > cut)
    for cls, (n, hit) in sorted(by.items()):
        lab = "recall" if any(d.label == 1 for d in docs if d.cls == cls) else "FP"
        print(f"  {name:<34} {cls:<38} {lab:>6} {hit / n:6.3f}  ({hit}/{n})", file=out)


def score_docs(model, docs, rules, char_n):
    texts, _, owner = flatten(docs)
    if not texts:
        return np.full(len(docs), -np.inf)
    X, off = vectorize(texts, rules, char_n, model["cue_weight"], model["norm_power"])
    z = X @ model["dense"] + model["bias"] + off
    return doc_scores(z, owner, len(docs))


def agentdojo(path, kind):
    rows = jsonl(path)
    mx = F.DIRECT_MAX if kind == "direct" else F.INDIRECT_MAX
    docs = [make_doc(r["text"], int(r["label"]), f"agentdojo:{r.get('attack') or 'clean'}", "agentdojo", mx)
            for r in rows]
    return docs


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["direct", "indirect"], required=True)
    ap.add_argument("--dry-run", action="store_true", help="train and report, write nothing")
    ap.add_argument("--check", action="store_true",
                    help="train nothing: exit 1 if the shipped model was not trained on today's inputs")
    ap.add_argument("--extra-eval", help="the full injection_dev.jsonl (with train_ok: false items), "
                    "reported in aggregate only; never trained on")
    ap.add_argument("--l2", type=float)
    ap.add_argument("--keep", type=int)
    ap.add_argument("--target-fpr", type=float)
    ap.add_argument("--cue-weight", type=float)
    ap.add_argument("--norm-power", type=float, help="feature counts are divided by n^this")
    ap.add_argument("--benign-boost", type=float, default=1.0)
    ap.add_argument("--agentdojo", help="directory written by scripts/agentdojo_eval.py, reported only")
    ap.add_argument("--char-n", type=lambda s: tuple(int(n) for n in s.split(",")), default=F.CHAR_N)
    args = ap.parse_args()
    cfg = dict(DEFAULTS[args.kind])
    for k in ("l2", "keep", "target_fpr", "cue_weight", "norm_power"):
        if getattr(args, k) is not None:
            cfg[k] = getattr(args, k)
    indirect = args.kind == "indirect"
    rules = F.Rules(os.path.join(POLICY_DIR, "signatures.yaml"), indirect=indirect)

    train_docs, evals = load(args.kind)
    digest_in = inputs_digest(args.kind, train_docs, rules, cfg, args.char_n, args.benign_boost)
    if args.check:
        with open(os.path.join(POLICY_DIR, cfg["out"]), encoding="utf-8") as f:
            shipped = json.load(f)["provenance"].get("inputs_sha256")
        if shipped != digest_in:
            sys.exit(f"{cfg['out']} is stale: its inputs changed since it was trained "
                     f"(shipped {shipped}, now {digest_in}). Retrain: "
                     f"python3 scripts/train_injection.py --kind {args.kind}, then copy the pinned "
                     f"logits it prints into src/policy/injection/model.rs")
        print(f"{cfg['out']}: trained on today's inputs ({digest_in[:12]})")
        return
    if np is None:
        sys.exit("training needs numpy and scipy: pip install -r scripts/requirements-train.txt")
    texts, labels, owner = flatten(train_docs)
    keep = np.array([l is not None for l in labels])
    X, off = vectorize(texts, rules, args.char_n, cfg["cue_weight"], cfg["norm_power"])
    y = np.array([l if l is not None else 0 for l in labels], dtype=float)
    classes = [train_docs[i].cls for i in owner]
    w = weights_for(y, classes, args.benign_boost)
    w[~keep] = 0.0
    print(f"{args.kind}: {len(train_docs)} docs, {len(texts)} segments "
          f"({int(y[keep].sum())} positive, {int((~keep).sum())} ambiguous)", file=sys.stderr)

    # Grouped cross-validation: a document's segments and near-duplicates stay in one fold.
    groups = sorted({d.group for d in train_docs})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    doc_fold = np.array([fold_of[d.group] for d in train_docs])
    seg_fold = doc_fold[owner]
    oof = np.zeros(len(texts))
    for k in range(FOLDS):
        tr = seg_fold != k
        coef, b = fit(X[tr], y[tr], off[tr], w[tr], cfg["l2"])
        m = compact(coef, b, cfg["keep"])
        m["cue_weight"] = cfg["cue_weight"]
        m["norm_power"] = cfg["norm_power"]
        te = seg_fold == k
        oof[te] = X[te] @ m["dense"] + m["bias"] + off[te]
    doc_oof = doc_scores(oof, owner, len(train_docs))
    doc_y = np.array([d.label for d in train_docs])
    # The cut lets at most `target_fpr` of the traffic classes through (what real traffic is made
    # of: everyday turns, agent turns, tool results by kind), out of fold; hand-written hard
    # negatives and persona prompts are reported, not calibrated on.
    pooled = [i for i, d in enumerate(train_docs)
              if d.label == 0 and d.cls.startswith(CALIBRATE[args.kind]) and d.cls not in CALIBRATE_APART[args.kind]]
    benign = np.sort(doc_oof[pooled])[::-1]
    allowed = int(math.floor(cfg["target_fpr"] * len(benign)))
    cut = (benign[allowed] + benign[max(allowed - 1, 0)]) / 2.0 if allowed > 0 else benign[0] + 1e-3
    rec = float((doc_oof[doc_y == 1] > cut).mean())
    fpr = float((doc_oof[doc_y == 0] > cut).mean())
    print(f"cv (documents): recall {rec:.3f} fpr {fpr:.4f} at cut {cut:.3f}", file=sys.stderr)
    report("cv", train_docs, doc_oof, cut)
    if os.environ.get("GW_TRAIN_DUMP"):
        # Out-of-fold mistakes around the cut, for reviewing the hand-written data.
        with open(os.environ["GW_TRAIN_DUMP"], "w", encoding="utf-8") as f:
            seg_y = np.array([l if l is not None else -1 for l in labels])
            for i in np.argsort(-oof):
                if (seg_y[i] == 0 and oof[i] > cut - 1) or (seg_y[i] == 1 and oof[i] < cut):
                    f.write(f"{oof[i]:+.2f} {seg_y[i]} {train_docs[owner[i]].cls:<28} {texts[i][:300]!r}\n")
    cv = {"folds": FOLDS, "target_fpr": cfg["target_fpr"], "recall": round(rec, 4),
          "fpr": round(fpr, 4), "cut_logit": round(float(cut), 6)}

    coef, b = fit(X, y, off, w, cfg["l2"])
    final = compact(coef, b, cfg["keep"])
    final["cue_weight"] = cfg["cue_weight"]
    final["norm_power"] = cfg["norm_power"]
    shift = math.log(THRESHOLD / (1.0 - THRESHOLD)) - cut
    final["bias"] += shift
    for name, docs in sorted(evals.items()):
        z = score_docs(final, docs, rules, args.char_n)
        report(name.split(" ")[0], docs, z, math.log(4.0))
    for prefix in ("holdout ", "holdout-val "):
        held = [d for name, docs in evals.items() if name.startswith(prefix) for d in docs]
        z = score_docs(final, held, rules, args.char_n)
        for lab, what in ((1, "recall"), (0, "FP")):
            sel = [s > math.log(4.0) for d, s in zip(held, z) if d.label == lab]
            if sel:
                print(f"  {prefix.strip()} overall {what}: {sum(sel) / len(sel):.3f} ({sum(sel)}/{len(sel)})", file=sys.stderr)
    if args.agentdojo:
        for name in ("injected.jsonl", "benign.jsonl"):
            path = os.path.join(args.agentdojo, name)
            if os.path.exists(path):
                docs = agentdojo(path, args.kind)
                report("agentdojo", docs, score_docs(final, docs, rules, args.char_n), math.log(4.0))
    if args.extra_eval:
        mx = F.DIRECT_MAX if args.kind == "direct" else F.INDIRECT_MAX
        never = [make_doc(r["text"], r["label"], "eval-only:" + ("injection" if r["label"] else "benign"), "", mx)
                 for r in jsonl(args.extra_eval) if not r["train_ok"]]
        report("never trained", never, score_docs(final, never, rules, args.char_n), math.log(4.0))
    # Harmless words around an attack must not hide it: every attack above, with each of these
    # appended, is reported again (a model that divides evidence by length is diluted by them).
    attacks = [d for docs in evals.values() for d in docs if d.label == 1 and not d.cls.startswith("planted")]
    if args.extra_eval:
        attacks += [d for d in never if d.label == 1]
    if attacks and not indirect:
        mx = F.DIRECT_MAX
        for pad in PADDINGS:
            padded = [make_doc(d.text + pad, 1, "padded", "", mx) for d in attacks]
            z = score_docs(final, padded, rules, args.char_n)
            hit = int((z > math.log(4.0)).sum())
            print(f"  padded {pad.strip()[:36]!r:<40} recall {hit / len(padded):.3f} ({hit}/{len(padded)})",
                  file=sys.stderr)
    if args.dry_run:
        return

    idx = [int(i) for i in np.sort(final["idx"])]
    qmap = {int(i): int(q) for i, q in zip(final["idx"], final["q"])}
    deltas = [idx[0]] + [b2 - a for a, b2 in zip(idx, idx[1:])]
    sources = defaultdict(int)
    for d in train_docs:
        sources[d.cls] += 1
    digest = hashlib.sha256()
    for d in train_docs:
        digest.update(d.text.encode("utf-8"))
        digest.update(bytes([d.label]))
    out = {
        "format": FORMAT,
        "bucket_bits": F.BUCKET_BITS,
        "char_ngrams": list(args.char_n),
        "scale": round(final["scale"], 9),
        "bias": round(final["bias"], 6),
        "cue_weight": cfg["cue_weight"],
        "norm_power": cfg["norm_power"],
        "provenance": {
            "kind": args.kind,
            "segment_chars": F.DIRECT_MAX if args.kind == "direct" else F.INDIRECT_MAX,
            "training_texts_sha256": digest.hexdigest(),
            "inputs_sha256": digest_in,
            "trained_documents_by_class": dict(sorted(sources.items())),
            "hyperparameters": {"l2": cfg["l2"], "keep": cfg["keep"], "benign_boost": args.benign_boost,
                                "cue_weight": cfg["cue_weight"],
                                "optimizer": "L-BFGS-B", "seed": SEED},
            "cross_validation": cv,
            "threshold": THRESHOLD,
        },
        "index_delta": deltas,
        "weight_q": [qmap[i] for i in idx],
    }
    path = os.path.join(POLICY_DIR, cfg["out"])
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(idx)} weights", file=sys.stderr)
    # The Rust test `model::tests::logits_match_the_training_script` pins these.
    for t in PINNED_TEXTS:
        folded = F.fold(t)
        bs = F.buckets(folded, args.char_n)
        s = sum(qmap.get(k, 0) for k in bs)
        cue = sum(qmap.get(k, 0) for k in rules.cue_buckets(folded))
        z = final["bias"] + (final["scale"] * s / len(bs) ** cfg["norm_power"] if bs else 0.0)
        z += final["scale"] * cfg["cue_weight"] * cue
        print(f"pinned logit {z:.6f} for {t!r}", file=sys.stderr)


if __name__ == "__main__":
    main()

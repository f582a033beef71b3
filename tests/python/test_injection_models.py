"""The shipped prompt-injection models were trained on the repository's current inputs.

Why: the weights in policies/injection/ are data that scripts/train_injection.py rebuilds byte for
byte from the corpora, the signatures and its own settings. A corpus or signature change that
reaches one model's training set without a retrain leaves a model nobody can rebuild, and its
figures in BENCHMARKS.md describe another model (this happened once: operations tool output added
for the indirect model also fed the direct one). The check needs no numpy or scipy: it recomputes
the digest of the training inputs and compares it with the one the model file keeps.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("kind", ["direct", "indirect"])
def test_shipped_model_matches_its_inputs(kind):
    run = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "train_injection.py"), "--kind", kind, "--check"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    assert "trained on today's inputs" in run.stdout


def test_the_check_notices_a_changed_signature(tmp_path):
    """The same check fails when a signature the direct model reads changes (on a copy)."""
    import shutil

    copy = tmp_path / "gw"
    for d in ("scripts", "policies", "tests/corpora", "tests/traffic"):
        shutil.copytree(os.path.join(ROOT, d), copy / d, ignore=shutil.ignore_patterns("__pycache__"))
    sig = copy / "policies" / "injection" / "signatures.yaml"
    before = sig.read_text(encoding="utf-8")
    after = before.replace("weight: 3.0", "weight: 3.1", 1)
    assert after != before, "the signature file no longer has a rule of weight 3.0 to change"
    sig.write_text(after, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(copy / "scripts" / "train_injection.py"), "--kind", "direct", "--check"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 1
    assert "model.json is stale" in run.stderr


# Each committed corpus is what its generator writes (standard library only), so the hold-outs
# the figures in BENCHMARKS.md were read on, and the corpora the models train on, cannot drift
# unseen.
GENERATED = {
    "injection_holdout3.py": "holdout3.jsonl: the blind hold-out v3",
    "injection_holdout4.py": "holdout4.jsonl: the blind hold-out v4, user turns and tool results",
    "injection_holdout5.py": "holdout5.jsonl: the blind hold-out v5, user turns and tool results",
    "project_instructions_corpus.py": "benign_user_project.jsonl: project instruction files (trained on)",
    "meta_turns_corpus.py": "benign_user_meta.jsonl: turns about the assistant (trained on)",
    "hard_negatives_more.py": "hard_negatives_more.jsonl: documents for people, measured per genre",
    "everyday_modes_corpus.py": "benign_user_modes.jsonl: everyday requests that name a mode (trained on)",
}


@pytest.mark.parametrize("script", sorted(GENERATED))
def test_each_generated_corpus_rebuilds_byte_for_byte(script):
    run = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", script), "--check"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, f"{GENERATED[script]}\n{run.stderr}{run.stdout}"

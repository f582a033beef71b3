#!/usr/bin/env python3
"""Writes tests/corpora/injection/benign_tool_docs.jsonl: real documentation, as a coding agent reads
it, for the indirect reading to learn that a page telling *its reader* what to do is not an
injection.

Why this exists: read as tool results, 1.6% of the AWS CLI's example pages, 3.1% of the Markdown
files in gw's own crate tree and 8.7% of npm's manual had a segment withheld ("The following
``delete-graph`` example disables Detective and deletes …", "sudo systemctl enable --now …"). Real
documentation is imperative, destructive-sounding and full of "you", which is what the planted
instructions in our training data look like too; nothing real of that kind was in the benign rows.

The same holds for the code of LLM frameworks, which an agent working on an LLM application reads
all day: prompt templates, agent instructions and guardrail configs, written *for* a model but
read as data. 20–39% of the files that talk about the model in LangChain, LlamaIndex, Haystack,
DSPy, CrewAI and NeMo Guardrails had a segment withheld.

Sources (all permissively licensed; see SOURCES.md):
- the `examples/` pages of the PyPI package awscli 1.45.11 (Apache-2.0), grouped by service;
- Markdown files of the crates in `~/.cargo/registry/src` (gw's dependency tree) whose Cargo.toml
  licence is permissive, grouped by crate;
- files that talk about the model (FRAMEWORK_TOPIC words) in the wheels of FRAMEWORKS, whose
  licence files are copied in tests/corpora/injection/real_docs/;
- the READMEs (project descriptions) of the popular PyPI projects pinned in
  scripts/real_docs_pypi.txt whose declared licence is permissive, read from PyPI's JSON API.
Each awscli service, crate and PyPI project is either trained on (`split: train`) or held out (`split:
holdout_docs`, reported per class by `gw eval injection`) by a stable hash of its name, so a
held-out row never shares a service or a crate with a trained one; each framework is trained on or
held out as a whole. At most PER_GROUP files per service or crate and PER_FRAMEWORK per framework;
each row is the file's start, or for half of the long files a window from a random line, cut at a
line end to LIMIT bytes.

Usage (stdlib only):
    pip install awscli==1.45.11      # the examples ship inside the package
    pip download --no-deps -d /tmp/wheels dspy==3.4.1 llama-index-core==0.14.25 \
        nemoguardrails==0.24.1 langchain-core==1.8.4 haystack-ai==3.4.1
    python3 scripts/real_docs_corpus.py /tmp/wheels > tests/corpora/injection/benign_tool_docs.jsonl
(the PyPI READMEs are fetched from https://pypi.org/pypi/NAME/json, which serves only the latest
release: the script stops if a pin has moved, and the committed corpus stays the reference)

Outside measures, never trained on (npm's manual, the other packages' docs) are read whole with
scripts/files_as_tool_results.py; BENCHMARKS.md has the commands.
"""
import hashlib
import json
import os
import random
import re
import sys

SEED = 20261207
LIMIT = 6144
PER_GROUP = 6
HOLDOUT_PERCENT = 40
AWSCLI_VERSION = "1.45.11"
PER_FRAMEWORK = 60
# (distribution, version, licence, split): the first three train, the last two are held out.
FRAMEWORKS = [
    ("dspy", "3.4.1", "MIT", "train"),
    ("llama_index_core", "0.14.25", "MIT", "train"),
    ("nemoguardrails", "0.24.1", "Apache-2.0", "train"),
    ("langchain_core", "1.8.4", "MIT", "holdout_docs"),
    ("haystack_ai", "3.4.1", "Apache-2.0", "holdout_docs"),
]
FRAMEWORK_EXTS = (".py", ".md", ".yml", ".yaml", ".json", ".txt", ".jinja", ".jinja2", ".co", ".rst")
FRAMEWORK_TOPIC = ("model", "assistant", "tool", "prompt", "instruction", "system", "agent", "llm")
PERMISSIVE = re.compile(r"\b(MIT|Apache-2\.0|BSD-[23]-Clause|ISC|Zlib|0BSD|Unlicense|CC0-1\.0|BSL-1\.0)\b")


def stable_hash(s):
    return int(hashlib.sha256(s.encode("utf-8")).hexdigest()[:8], 16)


def read_text(path):
    try:
        with open(path, "rb") as f:
            t = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return None if "\x00" in t else t.replace("\r\n", "\n")


def excerpt(rng, text):
    """At most LIMIT bytes, cut at a line end: the start, or half the time for a long file a window."""
    if len(text.encode("utf-8")) > LIMIT and rng.random() < 0.5:
        lines = text.split("\n")
        text = "\n".join(lines[rng.randrange(0, max(1, len(lines) - 40)):])
    out, size = [], 0
    for line in text.split("\n"):
        n = len(line.encode("utf-8")) + 1
        if size + n > LIMIT and out:
            break
        out.append(line)
        size += n
    return "\n".join(out).rstrip("\n") + "\n"


def awscli_groups():
    try:
        import awscli
    except ImportError:
        sys.exit(f"needs the awscli package: pip install awscli=={AWSCLI_VERSION}")
    if awscli.__version__ != AWSCLI_VERSION:
        sys.exit(f"needs awscli {AWSCLI_VERSION}, found {awscli.__version__}")
    root = os.path.join(os.path.dirname(awscli.__file__), "examples")
    for service in sorted(os.listdir(root)):
        d = os.path.join(root, service)
        if not os.path.isdir(d):
            continue
        files = []
        for dp, dn, fn in os.walk(d):
            dn.sort()
            files += [os.path.join(dp, f) for f in sorted(fn) if f.endswith(".rst")]
        yield (f"pypi:awscli@{AWSCLI_VERSION}/examples/{service}", "Apache-2.0", root, files)


def crate_groups():
    reg = os.path.expanduser("~/.cargo/registry/src")
    for index in sorted(os.listdir(reg)) if os.path.isdir(reg) else []:
        for name in sorted(os.listdir(os.path.join(reg, index))):
            d = os.path.join(reg, index, name)
            toml = read_text(os.path.join(d, "Cargo.toml")) or ""
            m = re.search(r'^license\s*=\s*"([^"]+)"', toml, re.M)
            if not m or not PERMISSIVE.search(m.group(1)) or "GPL" in m.group(1) and " OR " not in m.group(1):
                continue
            files = []
            for dp, dn, fn in os.walk(d):
                dn[:] = sorted(x for x in dn if x not in ("target", ".git"))
                files += [os.path.join(dp, f) for f in sorted(fn) if f.lower().endswith(".md")]
            mv = re.match(r"(.+)-(\d+\.\d+\.\d+.*)$", name)
            yield (f"crates.io:{mv.group(1)}@{mv.group(2)}" if mv else f"crates.io:{name}", m.group(1), d, files)


def framework_groups(wheels):
    """Each framework's wheel, unpacked under a scratch directory: (source, licence, root, files, split)."""
    import tempfile
    import zipfile

    scratch = tempfile.mkdtemp(prefix="gw-frameworks-")
    for dist, version, licence, split in FRAMEWORKS:
        wheel = os.path.join(wheels, f"{dist}-{version}-py3-none-any.whl")
        if not os.path.exists(wheel):
            sys.exit(f"missing {wheel}: pip download --no-deps -d {wheels} {dist.replace('_', '-')}=={version}")
        root = os.path.join(scratch, dist)
        with zipfile.ZipFile(wheel) as z:
            z.extractall(root)
        files = []
        for dp, dn, fn in os.walk(root):
            dn[:] = sorted(d for d in dn if not d.endswith(".dist-info"))
            for f in sorted(fn):
                path = os.path.join(dp, f)
                text = read_text(path) if f.endswith(FRAMEWORK_EXTS) else None
                if text and sum(text.lower().count(w) for w in FRAMEWORK_TOPIC) >= 3:
                    files.append(path)
        yield (f"pypi:{dist}@{version}", licence, root, files, split)


PYPI_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "real_docs_pypi.txt")
PYPI_PERMISSIVE = re.compile(r"\b(MIT|Apache|BSD|ISC|PSF|Python Software Foundation|Zlib|Unlicense|CC0)\b", re.I)


def pypi_licence(info):
    """The project's permissive licence as declared (expression, field or classifiers), or None."""
    declared = " ".join([info.get("license_expression") or "", (info.get("license") or "")[:200]]
                        + [c for c in info.get("classifiers", []) if c.startswith("License")])
    if not PYPI_PERMISSIVE.search(declared) or re.search(r"\b(A|L)?GPL|General Public|MPL|Mozilla", declared):
        return None
    return (info.get("license_expression") or "").strip() or next(
        (c.split(" :: ")[-1] for c in info.get("classifiers", []) if c.startswith("License")), None) or (info.get("license") or "").strip()[:60]


def pypi_groups():
    """One group per pinned project: its README, as PyPI serves it."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    pins = [l.strip() for l in open(PYPI_LIST, encoding="utf-8") if l.strip() and not l.startswith("#")]

    def fetch(pin):
        name, version = pin.split("==")
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as r:
            return name, version, json.load(r)["info"]

    with ThreadPoolExecutor(8) as ex:
        got = list(ex.map(fetch, pins))
    moved = [f"{name} {version} -> {info['version']}" for name, version, info in got if info["version"] != version]
    if moved:
        # The index serves only each project's latest description, so a moved pin cannot be read
        # as it was: the committed corpus stays the reference until the pins are renewed.
        sys.exit("PyPI's latest releases moved past the pins in real_docs_pypi.txt: " + ", ".join(moved))
    for name, version, info in got:
        licence = pypi_licence(info)
        text = (info.get("description") or "").replace("\r\n", "\n")
        if licence and text:
            yield (f"pypi:{name}@{version}", licence, None, [("README", text)])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rng = random.Random(SEED)
    n = 0
    sources = (
        ("real_doc_awscli", PER_GROUP, awscli_groups()),
        ("real_doc_crate", PER_GROUP, crate_groups()),
        ("real_llm_framework", PER_FRAMEWORK, framework_groups(sys.argv[1])),
        ("real_doc_pypi", 1, pypi_groups()),
    )
    for cls, per_group, groups in sources:
        for source, licence, root, files, *fixed in groups:
            texts = [f if isinstance(f, tuple) else (f, read_text(f)) for f in files]
            texts = [(f, t) for f, t in texts if t and len(t.strip()) >= 200]
            if not texts:
                continue
            split = fixed[0] if fixed else (
                "holdout_docs" if stable_hash(re.sub(r"@[^/]+", "", source)) % 100 < HOLDOUT_PERCENT else "train")
            for path, text in rng.sample(texts, min(per_group, len(texts))):
                n += 1
                print(json.dumps({
                    "id": f"doc-{n:05d}", "text": excerpt(rng, text), "label": 0, "zone": "tool_result",
                    "class": cls, "source": source,
                    "path": path if root is None else os.path.relpath(path, os.path.dirname(root) if cls == "real_doc_awscli" else root),
                    "licence": licence, "train_ok": True, "split": split,
                }, ensure_ascii=False))


if __name__ == "__main__":
    main()

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
  licence is permissive (every `AND` part of one `OR` alternative), licence files left out,
  grouped by the crate's repository (serde and serde_derive fall on one side);
- files that talk about the model (FRAMEWORK_TOPIC words) in the wheels of FRAMEWORKS, whose
  licence files are copied in tests/corpora/injection/real_docs/;
- the READMEs (project descriptions) of the popular PyPI projects pinned in
  scripts/real_docs_pypi.txt whose declared licence is permissive, read from PyPI's JSON API;
- the books (mdBook pages read as text, as a fetch tool hands a page to an agent) and the release
  notes of the Rust 1.95.0 toolchain's documentation (MIT OR Apache-2.0, see its COPYRIGHT),
  grouped by book, PER_BOOK pages each. Long prose manuals and changelogs are what long tool
  results are made of; a file of a hundred segments is withheld in part far more often than a
  short one.
Each awscli service, crate repository and PyPI project is either trained on (`split: train`) or held
out (`split: holdout_docs`, reported per class by `gw eval injection`) by a stable hash of its name,
so a held-out row never shares a service or a crate's project with a trained one (an excerpt seen
before, such as a README two crates ship, is written once); each framework is trained on or
held out as a whole. At most PER_GROUP files per service or crate and PER_FRAMEWORK per framework;
each row is the file's start, or for half of the long files a window from a random line, cut at a
line end to LIMIT bytes.

Usage (stdlib only):
    pip install awscli==1.45.11      # the examples ship inside the package
    rustup toolchain install 1.95.0  # with its rust-docs component (the default profile)
    pip download --no-deps -d /tmp/wheels dspy==3.4.1 llama-index-core==0.14.25 \
        nemoguardrails==0.24.1 langchain-core==1.8.4 haystack-ai==3.4.1
    python3 scripts/real_docs_corpus.py /tmp/wheels > tests/corpora/injection/benign_tool_docs.jsonl
(the PyPI READMEs are fetched from https://pypi.org/pypi/NAME/json, which serves only the latest
release: the script stops if a pin has moved, and the committed corpus stays the reference)

Outside measures, never trained on (npm's manual, the other packages' docs) are read whole with
scripts/files_as_tool_results.py; BENCHMARKS.md has the commands.
"""
import hashlib
import html.parser
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
RUST_VERSION = "1.95.0"
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
PERMISSIVE = re.compile(r"MIT|Apache-2\.0( WITH LLVM-exception)?|BSD-[23]-Clause|ISC|Zlib|0BSD|Unlicense|CC0-1\.0|BSL-1\.0|Unicode-(3\.0|DFS-2016)")


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
        yield (f"pypi:awscli@{AWSCLI_VERSION}/examples/{service}", "Apache-2.0", root, files, None)


def permissive(expr):
    """True when an SPDX expression (`/` read as `OR`) can be met with permissive licences only;
    False for anything it cannot parse."""
    tokens = re.findall(r"\(|\)|[^\s()/]+(?:\s+WITH\s+[^\s()]+)?|/", expr, re.I)
    words = {"and": " and ", "or": " or ", "/": " or ", "(": "(", ")": ")"}
    try:
        return bool(eval("".join(words.get(t.lower()) or str(bool(PERMISSIVE.fullmatch(t))) for t in tokens)))
    except (SyntaxError, NameError):
        return False


def repository(toml):
    """The crate's repository by its name alone: crates of one project (serde, serde_derive) share it,
    and so do those published before and after a move (awslabs/smithy-rs, smithy-lang/smithy-rs)."""
    m = re.search(r'^repository\s*=\s*"([^"]+)"', toml, re.M)
    if not m:
        return None
    url = re.sub(r"[#?].*$", "", m.group(1).strip().lower())
    url = re.sub(r"\.git$", "", re.sub(r"/(tree|blob)/.*$", "", url).rstrip("/"))
    return "repo:" + url.rsplit("/", 1)[-1]


def crate_groups():
    """Each crate's Markdown (licence files left out), split by its repository rather than its name."""
    reg = os.path.expanduser("~/.cargo/registry/src")
    for index in sorted(os.listdir(reg)) if os.path.isdir(reg) else []:
        for name in sorted(os.listdir(os.path.join(reg, index))):
            d = os.path.join(reg, index, name)
            toml = read_text(os.path.join(d, "Cargo.toml")) or ""
            m = re.search(r'^license\s*=\s*"([^"]+)"', toml, re.M)
            if not m or not permissive(m.group(1)):
                continue
            files = []
            for dp, dn, fn in os.walk(d):
                dn[:] = sorted(x for x in dn if x not in ("target", ".git"))
                files += [os.path.join(dp, f) for f in sorted(fn)
                          if f.lower().endswith(".md") and not re.match(r"(licen[cs]e|copying|copyright)", f.lower())]
            mv = re.match(r"(.+)-(\d+\.\d+\.\d+.*)$", name)
            crate = mv.group(1) if mv else name
            source = f"crates.io:{crate}@{mv.group(2)}" if mv else f"crates.io:{name}"
            yield (source, m.group(1), d, files, None, repository(toml) or f"crates.io:{crate}")


def framework_groups(wheels):
    """Each framework's wheel, unpacked under a scratch directory: (source, licence, root, files, split)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gw-frameworks-") as scratch:
        yield from unpacked_frameworks(wheels, scratch)


def unpacked_frameworks(wheels, scratch):
    import zipfile

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


RUST_BOOKS = ("book", "reference", "cargo", "rustc", "rustdoc", "nomicon", "rust-by-example", "edition-guide",
              "error_codes", "embedded-book", "style-guide", "unstable-book")
PER_BOOK = 40


class PageText(html.parser.HTMLParser):
    """An mdBook page's main text, as a fetch tool hands it to an agent: headings marked with `#`,
    code kept in fences, navigation, scripts and the sidebar dropped."""

    SKIP = {"script", "style", "nav", "button", "head", "title", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip, self.pre, self.in_main, self.saw_main = [], 0, 0, 0, False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
            self.saw_main = True
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n```\n")
        elif tag in ("h1", "h2", "h3", "h4"):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag in ("p", "div", "table", "tr", "ul", "ol", "blockquote"):
            self.out.append("\n\n" if tag == "p" else "\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.out.append("\n```\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append((self.in_main, data if self.pre else re.sub(r"\s+", " ", data)))

    def text(self):
        main = self.saw_main
        parts = [p for p in self.out if isinstance(p, str) or not main or p[0]]
        t = "".join(p if isinstance(p, str) else p[1] for p in parts)
        t = re.sub(r"(?m)^[ \t]*(#+|-)[ \t]*$", "", t)
        return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", t)).strip() + "\n"


def rust_doc_groups():
    """The Rust toolchain's books (mdBook HTML, read as text) and its release notes, one group per
    book; the release notes are cut into one file per release."""
    import glob

    roots = glob.glob(os.path.expanduser(f"~/.rustup/toolchains/{RUST_VERSION}-*/share/doc/rust/html"))
    if not roots:
        sys.exit(f"needs the Rust {RUST_VERSION} toolchain's documentation: rustup toolchain install {RUST_VERSION}")
    root = roots[0]
    for book in RUST_BOOKS:
        files = []
        for dp, dn, fn in os.walk(os.path.join(root, book)):
            # The book's old editions are stub pages pointing at the current one.
            dn[:] = sorted(d for d in dn if not d.endswith("edition") or book == "edition-guide")
            for f in sorted(fn):
                if f.endswith(".html") and f not in ("print.html", "404.html", "toc.html"):
                    parser = PageText()
                    parser.feed(read_text(os.path.join(dp, f)) or "")
                    # A page without a <main> is a stub pointing at another edition or page.
                    if parser.saw_main:
                        files.append((os.path.relpath(os.path.join(dp, f), root), parser.text()))
        yield (f"rust-docs@{RUST_VERSION}/{book}", "MIT OR Apache-2.0", None, files, None)
    notes = read_text(os.path.join(root, "releases.md")) or ""
    versions = re.split(r"\n(?=Version \d+\.\d+(?:\.\d+)?(?:-[\w.]+)?\s+\()", notes)
    yield (f"rust-docs@{RUST_VERSION}/releases", "MIT OR Apache-2.0", None,
           [(f"releases.md#{v.split(' (', 1)[0]}", v) for v in versions[1:]], None)


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
            yield (f"pypi:{name}@{version}", licence, None, [("README", text)], None)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    n = 0
    seen = set()
    sources = (
        ("real_doc_awscli", PER_GROUP, awscli_groups()),
        ("real_doc_crate", PER_GROUP, crate_groups()),
        ("real_llm_framework", PER_FRAMEWORK, framework_groups(sys.argv[1])),
        ("real_doc_pypi", 1, pypi_groups()),
        ("real_doc_rust", PER_BOOK, rust_doc_groups()),
    )
    for cls, per_group, groups in sources:
        # One generator per class, so that a change in one class leaves the others' rows as they are.
        rng = random.Random(f"{SEED}:{cls}")
        for source, licence, root, files, split, *key in groups:
            texts = [f if isinstance(f, tuple) else (f, read_text(f)) for f in files]
            texts = [(f, t) for f, t in texts if t and len(t.strip()) >= 200]
            if not texts:
                continue
            group = key[0] if key else re.sub(r"@[^/]+", "", source)
            split = split or ("holdout_docs" if stable_hash(group) % 100 < HOLDOUT_PERCENT else "train")
            for path, text in rng.sample(texts, min(per_group, len(texts))):
                text = excerpt(rng, text)
                if text in seen:  # the same README shipped by two crates of one project
                    continue
                seen.add(text)
                n += 1
                print(json.dumps({
                    "id": f"doc-{n:05d}", "text": text, "label": 0, "zone": "tool_result",
                    "class": cls, "source": source,
                    "path": path if root is None else os.path.relpath(path, os.path.dirname(root) if cls == "real_doc_awscli" else root),
                    "licence": licence, "train_ok": True, "split": split,
                }, ensure_ascii=False))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the outside sets of BENCHMARKS.md's "Real documentation and LLM-framework code": real files
read whole (up to 100 KB) as benign tool results, none of them trained on, for
`gw eval injection --corpus`.

Why this exists: the committed corpus (benign_tool_docs.jsonl, scripts/real_docs_corpus.py) holds
6 KB excerpts; an agent reads whole files, and some of these sources were never a training source
at all. Each row is class CLASS below, `split: holdout_files` (reported per class only).

Classes:
- `whole: awscli held-out services`, `whole: crate md held-out crates`, `whole: rust docs held-out
  books`: every page or Markdown file (licence files left out) of the services, crates and Rust
  books that benign_tool_docs.jsonl holds out;
- `whole: npm md (outside)`: npm's own manual and READMEs under /usr/lib/node_modules;
- `whole: site-packages md/rst (outside)`: other .md/.rst files in site-packages (not awscli);
- `pypi README whole (held out|trained)`: the whole README of every PyPI project in the corpus,
  from PyPI's JSON API (it serves only the latest release; a moved pin is reported and skipped);
- `llm pkg: NAME`: files that talk about the model in the LLM-framework wheels under WHEELS
  (the corpus's five, plus langchain, crewai and llm-guard, never a source);
- `whole: code held-out stdlib|npm|crate`: whole source files (up to PER_HELD_CODE, spread over
  each group) of the standard-library modules, npm packages and crate repositories that
  benign_tool_code.jsonl holds out; `whole: site-packages py (outside)`: about 1,500 Python files
  from site-packages (not awscli, no tests), never a source;
- `usr/share/doc`: Debian's READMEs, NEWS and FAQs (gzipped or not; copyright and changelog
  files left out), never a source.

Usage: python3 scripts/outside_docs.py WHEELS > /tmp/outside.jsonl
       (WHEELS: `pip download --no-deps -d WHEELS` of the frameworks named in real_docs_corpus.py's
       doc comment, and langchain==1.5.2 crewai==1.15.44 llm-guard==0.3.16)
       cargo run -q -- eval injection --corpus /tmp/outside.jsonl
"""
import glob
import gzip
import json
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real_docs_corpus as rd  # noqa: E402

MAX = 100_000
PER_HELD_CODE = 12
CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "tests", "corpora", "injection", "benign_tool_docs.jsonl")


def row(cls, source, text):
    return json.dumps({"text": text[:MAX], "label": 0, "zone": "tool_result", "class": cls,
                       "source": source, "train_ok": False, "split": "holdout_files"}, ensure_ascii=False)


def read(path):
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return f.read()
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError, EOFError):
        return None


def walk(root, keep):
    for dp, dn, fn in os.walk(root):
        dn.sort()
        for f in sorted(fn):
            if keep(dp, f):
                yield os.path.join(dp, f)


def held(key):
    return rd.stable_hash(key) % 100 < rd.HOLDOUT_PERCENT


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    wheels = sys.argv[1]
    out = []

    def emit(cls, paths, keep_text=lambda t: True):
        for p in paths:
            t = read(p)
            if t and len(t) >= 200 and "\x00" not in t and keep_text(t):
                out.append(row(cls, p, t))

    import awscli
    site = os.path.dirname(os.path.dirname(awscli.__file__))
    examples = os.path.join(site, "awscli", "examples")
    for svc in sorted(os.listdir(examples)):
        if held(f"pypi:awscli/examples/{svc}"):
            emit("whole: awscli held-out services", walk(os.path.join(examples, svc), lambda d, f: f.endswith(".rst")))
    corpus = [json.loads(l) for l in open(CORPUS, encoding="utf-8")]
    held_crates = {r["source"] for r in corpus if r["class"] == "real_doc_crate" and r["split"] != "train"}
    for source, _licence, _root, files, _split, _key in rd.crate_groups():
        if source in held_crates:
            emit("whole: crate md held-out crates", files)
    for source, licence, root, files, split in rd.rust_doc_groups():
        if any(r["source"] == source and r["split"] != "train" for r in corpus):
            out.extend(row("whole: rust docs held-out books", path, t) for path, t in files if len(t) >= 200)
    emit("whole: npm md (outside)", walk("/usr/lib/node_modules", lambda d, f: f.lower().endswith(".md")))
    emit("whole: site-packages md/rst (outside)",
         walk(site, lambda d, f: "/awscli" not in d and f.lower().endswith((".md", ".rst"))))

    pypi = {r["source"]: r["split"] for r in corpus if r["class"] == "real_doc_pypi"}
    import urllib.request
    for source, split in pypi.items():
        name, version = source[len("pypi:"):].split("@")
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as r:
            info = json.load(r)["info"]
        if info["version"] != version:
            print(f"{name}: PyPI now serves {info['version']}, not {version}; skipped", file=sys.stderr)
            continue
        cls = "pypi README whole (" + ("trained" if split == "train" else "held out") + ")"
        out.append(row(cls, name, (info.get("description") or "").replace("\r\n", "\n")))

    for wheel in sorted(glob.glob(os.path.join(wheels, "*.whl"))):
        dist = os.path.basename(wheel).split("-")[0]
        with zipfile.ZipFile(wheel) as z:
            for member in sorted(z.namelist()):
                if ".dist-info/" in member or not member.endswith(rd.FRAMEWORK_EXTS):
                    continue
                try:
                    t = z.read(member).decode("utf-8").replace("\r\n", "\n")
                except UnicodeDecodeError:
                    continue
                if len(t) >= 200 and sum(t.lower().count(w) for w in rd.FRAMEWORK_TOPIC) >= 3:
                    out.append(row(f"llm pkg: {dist}", f"{dist}/{member}", t))

    # Code: whole files of the groups benign_tool_code.jsonl holds out (up to PER_HELD_CODE each,
    # spread over the group), and Python files from site-packages, never a source.
    import real_code_corpus as rc

    sdk = os.path.join(os.path.dirname(CORPUS), "benign_tool_ai_sdk.jsonl")
    sdk_rows = [json.loads(line) for line in open(sdk, encoding="utf-8")]
    # aws-sdk-bedrockruntime's code is trained on there.
    sdk_trained = {r["source"].split("/")[0] for r in sdk_rows if r["split"] == "train"}
    for kind, source, licence, root, files, split in rc.groups():
        if split != "train" and source not in sdk_trained:
            step = max(1, len(files) // PER_HELD_CODE)
            emit(f"whole: code held-out {kind}", files[::step][:PER_HELD_CODE])
    py = sorted(walk(site, lambda d, f: f.endswith(".py") and "/awscli" not in d and "/test" not in d))
    emit("whole: site-packages py (outside)", py[:: max(1, len(py) // 1500)])

    emit("usr/share/doc", walk("/usr/share/doc", lambda d, f: not f.startswith(("copyright", "changelog"))
                               and not f.endswith((".html", ".png", ".svg", ".css", ".js"))))
    print("\n".join(out))


if __name__ == "__main__":
    main()

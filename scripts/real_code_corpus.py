#!/usr/bin/env python3
"""Writes tests/corpora/injection/benign_tool_code.jsonl: real source code, as a coding agent reads
it, for the indirect reading to learn what ordinary code and its comments look like.

Why this exists: read whole as tool results (scripts/files_as_tool_results.py), 0.9% of the Python
files under this machine's CPython (133 of 14,376) and 0.9% of npm's JavaScript (10 of 1,075) had a
segment withheld (2026-12-08). Most of the
JavaScript ones are web-standard comments in undici ("the user agent must run the following
steps", "A user agent SHOULD send …"), which read like orders to an agent; others are minified
bundles, a pdb docstring ("Note! You *can* override internal pdb commands") and compiler comments
("Find where the new instruction is jumping to"). The training rows held 204 real files
(benign_tool_real.jsonl's train rows), 25 of them from the standard library: not enough code.

Sources (all permissively licensed; see SOURCES.md):
- the CPython 3.11.7 standard library (`Lib/`; tests, site-packages and what the build generated
  left out; PSF-2.0, licence copied in real_docs/), grouped by top-level module or package;
- the packages bundled with npm 11.19.1 (`/usr/lib/node_modules/npm/node_modules`, JavaScript and
  TypeScript) whose package.json licence is permissive, grouped by package; each package's
  licence file is copied to real_docs/npm/ (`--licences`);
- not trained on, read only by scripts/outside_docs.py as a measure: the Rust sources (`.rs`) of
  the crates in `~/.cargo/registry/src` (gw's dependency tree) whose Cargo.toml licence is
  permissive, grouped by their repository as real_docs_corpus.py does (see PER_GROUP).
Each group is trained on or held out (`split: holdout_docs`) by the stable hash of
real_docs_corpus.py; a module, package or crate that benign_tool_real.jsonl already holds out (or
trains on) keeps that side here. PER_GROUP excerpts (by kind) per group, each the file's start or
for half of the long files a window from a random line, cut at a line end to 6 KB (a longer first
line, as in a minified bundle, is cut at 6 KB); half are shown as Claude Code's Read tool shows a
file (`N→`). A held-out row that shares half its 8-word shingles with trained rows (a vendored
copy, a fork such as fs-minipass) is dropped.

Usage (stdlib only; needs the pinned Python and npm):
    python3 scripts/real_code_corpus.py > tests/corpora/injection/benign_tool_code.jsonl
    python3 scripts/real_code_corpus.py --licences   # copies the npm packages' licence files
Whole held-out files are read by scripts/outside_docs.py (`whole: code held-out …`).
"""
import json
import os
import random
import re
import sys
import sysconfig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real_docs_corpus as rd  # noqa: E402
from ai_sdk_corpus import as_read_tool  # noqa: E402

SEED = 20261208
# Excerpts per group. The crates' Rust already read clean (2 of 1,500 whole files withheld), and
# one excerpt per repository (349 rows) cost 13 hold-out plants for one fewer file withheld, so it
# is read only as a measure (scripts/outside_docs.py); Python and JavaScript are where the false
# positives were.
PER_GROUP = {"stdlib": 4, "npm": 3}
PYTHON_VERSION = (3, 11, 7)
NPM_VERSION = "11.19.1"
NPM_ROOT = "/usr/lib/node_modules/npm"
# Tests, installed packages, and what this build of CPython generated (its sysconfig data and
# python-config), which is not CPython's source.
STDLIB_SKIP = {"site-packages", "test", "tests", "idle_test", "__pycache__", "_bundled", "__phello__",
               "config-3.11-x86_64-linux-gnu"}
JS_EXTS = (".js", ".cjs", ".mjs", ".ts")
REAL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "tests", "corpora", "injection", "benign_tool_real.jsonl")
LICENCES = os.path.join(os.path.dirname(REAL), "real_docs", "npm")
LICENCE_FILE = re.compile(r"(licen[cs]e|copying)(\.(md|txt))?$", re.I)


def walk(root, keep, skip=()):
    out = []
    for dp, dn, fn in os.walk(root):
        dn[:] = sorted(d for d in dn if d not in skip and d != "node_modules" and d != ".git" and d != "target")
        out += [os.path.join(dp, f) for f in sorted(fn) if keep(f)]
    return out


def stdlib_groups():
    if sys.version_info[:3] != PYTHON_VERSION:
        sys.exit(f"needs CPython {'.'.join(map(str, PYTHON_VERSION))}, this is {sys.version.split()[0]}")
    root = sysconfig.get_paths()["stdlib"]
    groups = {}
    for path in walk(root, lambda f: f.endswith(".py") and not f.startswith("_sysconfigdata"), STDLIB_SKIP):
        rel = os.path.relpath(path, root)
        top = rel.split(os.sep)[0]
        groups.setdefault(top[:-3] if top.endswith(".py") else top, []).append(path)
    version = ".".join(map(str, PYTHON_VERSION))
    for name, files in sorted(groups.items()):
        yield (f"cpython-stdlib@{version}", "PSF-2.0", root, files, f"stdlib:{name}")


def npm_licence(meta):
    lic = meta.get("license") or ""
    return lic.get("type", "") if isinstance(lic, dict) else str(lic)


def npm_groups():
    with open(os.path.join(NPM_ROOT, "package.json"), encoding="utf-8") as f:
        version = json.load(f)["version"]
    if version != NPM_VERSION:
        sys.exit(f"needs npm {NPM_VERSION} under {NPM_ROOT}, found {version}")
    base = os.path.join(NPM_ROOT, "node_modules")
    dirs = []
    for name in sorted(os.listdir(base)):
        d = os.path.join(base, name)
        if name.startswith("@"):
            dirs += [os.path.join(d, s) for s in sorted(os.listdir(d))]
        elif os.path.isdir(d) and not name.startswith("."):
            dirs.append(d)
    for d in dirs:
        try:
            with open(os.path.join(d, "package.json"), encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError):
            continue
        licence = npm_licence(meta)
        # The Blue Oak Model License 1.0.0 (isaacs' packages) is permissive, like MIT.
        if not licence or not rd.permissive(licence.replace("BlueOak-1.0.0", "MIT")):
            continue
        name = os.path.relpath(d, base)
        files = walk(d, lambda f: f.endswith(JS_EXTS) and not f.endswith(".d.ts"))
        yield (f"npm:{name}@{meta.get('version', '?')}", licence, d, files, f"npm:{name}")


def crate_code_groups():
    for source, licence, root, _md, _split, key in rd.crate_groups():
        files = walk(root, lambda f: f.endswith(".rs"))
        yield (source, licence, root, files, key)


def real_split():
    """The side benign_tool_real.jsonl put each module, package or crate on (hold-out wins)."""
    sides = {}
    with open(REAL, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            src, path = r["source"], r.get("path") or ""
            if src.startswith("cpython-stdlib"):
                top = path.split("/")[1] if path.startswith("Lib/") else path.split("/")[0]
                key = "stdlib:" + (top[:-3] if top.endswith(".py") else top)
            elif src.startswith("npm:"):
                key = "npm:" + src[4:].rsplit("@", 1)[0]
            elif src.startswith("crate:"):
                key = "crate:" + src[6:].rsplit("@", 1)[0]
            else:
                continue
            split = "holdout_docs" if r.get("split") == "holdout" else "train"
            if sides.get(key) != "holdout_docs":
                sides[key] = split
    return sides


def groups(kinds=("stdlib", "npm", "crate")):
    """(kind, source, licence, root, files, split) for every group of each kind, in a fixed order."""
    sides = real_split()
    every = {"stdlib": stdlib_groups, "npm": npm_groups, "crate": crate_code_groups}
    for kind, gen in ((k, every[k]()) for k in kinds):
        for source, licence, root, files, group in gen:
            crates = {"crate:" + re.sub(r"-\d+\.\d+\.\d+.*$", "", os.path.basename(root))} if kind == "crate" else set()
            forced = [sides[k] for k in crates | {group} if k in sides]
            split = ("holdout_docs" if "holdout_docs" in forced else forced[0]) if forced else (
                "holdout_docs" if rd.stable_hash(group) % 100 < rd.HOLDOUT_PERCENT else "train")
            yield kind, source, licence, root, files, split


def shingles(text):
    w = text.split()
    return {" ".join(w[i:i + 8]) for i in range(max(1, len(w) - 7))}


def capped(text):
    """At most rd.LIMIT bytes: rd.excerpt keeps a first line longer than that whole."""
    raw = text.encode("utf-8")
    return text if len(raw) <= rd.LIMIT else raw[:rd.LIMIT].decode("utf-8", "ignore")


def rows():
    seen, out = set(), []
    rngs = {}
    for kind, source, licence, root, files, split in groups(tuple(PER_GROUP)):
        rng = rngs.setdefault(kind, random.Random(f"{SEED}:{kind}"))
        texts = [(p, rd.read_text(p)) for p in files]
        texts = [(p, t) for p, t in texts if t and len(t.strip()) >= 200]
        if not texts:
            continue
        for path, text in rng.sample(texts, min(PER_GROUP[kind], len(texts))):
            text = capped(rd.excerpt(rng, text))
            if text in seen:
                continue
            seen.add(text)
            shown = as_read_tool(text.rstrip("\n")) if rng.random() < 0.5 else text
            out.append({"text": shown, "raw": text, "label": 0, "zone": "tool_result", "class": "real_code",
                        "source": source, "path": os.path.relpath(path, root), "root": root,
                        "licence": licence, "train_ok": True, "split": split})
    trained = set().union(*(shingles(r["raw"]) for r in out if r["split"] == "train"))
    kept = [r for r in out if r["split"] == "train" or len(shingles(r["raw"]) & trained) * 2 < len(shingles(r["raw"]))]
    return kept


def copy_licences(kept):
    """Each npm package's licence file, as real_docs/npm/NAME@VERSION-FILE; the names of those that
    ship none."""
    import shutil

    os.makedirs(LICENCES, exist_ok=True)
    missing = []
    for source, root in sorted({(r["source"], r["root"]) for r in kept if r["source"].startswith("npm:")}):
        found = [f for f in sorted(os.listdir(root)) if LICENCE_FILE.match(f)]
        for f in found:
            shutil.copy(os.path.join(root, f), os.path.join(LICENCES, source[4:].replace("/", "+") + "-" + f))
        if not found:
            missing.append(source)
    return missing


def main():
    kept = rows()
    if sys.argv[1:] == ["--licences"]:
        for source in copy_licences(kept):
            print(f"{source}: ships no licence file", file=sys.stderr)
        return
    for n, r in enumerate(kept, 1):
        print(json.dumps({"id": f"code-{n:05d}", **{k: v for k, v in r.items() if k not in ("raw", "root")}},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()

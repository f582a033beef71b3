#!/usr/bin/env python3
"""Writes tests/corpora/injection/benign_user_project.jsonl: project instruction files (CLAUDE.md,
AGENTS.md, .cursorrules, a user's global CLAUDE.md) as coding agents put them in a user turn.

Why this exists: Claude Code sends a repository's CLAUDE.md inside the first user message of every
request, in a `<system-reminder>` that says "IMPORTANT: These instructions OVERRIDE any default
behavior and you MUST follow them exactly as written"; Codex and other agents do the same with
AGENTS.md. The text is imperative from end to end ("NEVER commit to main", "You MUST run the tests",
"Do not edit generated files"), and the direct model, which had never seen it, refused 5 of 160
real files from public repositories (BENCHMARKS.md), that is, every request of those sessions. These rows teach it that a
project's rules for its agents are ordinary traffic. The rows with `label: 1` plant one of the
hold-out attacks of direct_user.jsonl among a file's rules, to measure what still gets caught there;
they are hold-out only. (`PLANTED` can also write train rows; training on 20 to 120 of them made the
model distrust the whole genre again, 3 of 94 real files refused, so it writes none.)

Everything is written from the genre (headings that agents' `/init` commands produce, build and test
commands, layout, style rules, workflow rules), not copied from any file; the real files that judge it
stay outside the repository (BENCHMARKS.md, "Project instruction files"). Deterministic: the same
command writes the same bytes; `--check` compares with the committed file.

Usage: python3 scripts/project_instructions_corpus.py [--check]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from injection_corpus import SplitRandom, generator_main  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "corpora", "injection", "benign_user_project.jsonl")
SEED = 20261207
COUNTS = {"train": 800, "holdout": 180}
PLANTED = {"train": 0, "holdout": 60}

STACKS = [
    ("Python", "python", ["pytest", "uv run pytest -q", "python -m pytest tests/"], ["ruff check .", "ruff format .", "mypy src/"],
     ["src/{p}/", "tests/", "scripts/", "docs/"], ["pyproject.toml", "uv.lock"], ["Pydantic models", "type hints", "dataclasses", "f-strings"]),
    ("TypeScript", "ts", ["npm test", "pnpm test", "pnpm vitest run", "bun test"], ["npm run lint", "pnpm lint", "pnpm typecheck", "npx tsc --noEmit"],
     ["src/components/", "src/lib/", "src/app/", "packages/", "apps/web/"], ["package.json", "tsconfig.json", "pnpm-lock.yaml"], ["strict mode", "named exports", "Zod schemas", "React Server Components"]),
    ("Rust", "rust", ["cargo test", "cargo nextest run", "cargo test --workspace"], ["cargo clippy --all-targets -- -D warnings", "cargo fmt --check"],
     ["src/", "crates/", "benches/", "tests/"], ["Cargo.toml", "Cargo.lock"], ["thiserror for library errors", "anyhow in binaries", "tokio", "tracing spans"]),
    ("Go", "go", ["go test ./...", "go test -race ./...", "make test"], ["golangci-lint run", "go vet ./...", "gofmt -l ."],
     ["cmd/{p}/", "internal/", "pkg/", "api/"], ["go.mod", "Makefile"], ["table-driven tests", "context.Context as the first argument", "errors.Is / errors.As"]),
    ("Java", "java", ["./gradlew test", "mvn test", "./mvnw verify"], ["./gradlew spotlessCheck", "mvn checkstyle:check"],
     ["src/main/java/", "src/test/java/", "config/"], ["build.gradle.kts", "pom.xml"], ["records for DTOs", "constructor injection", "JUnit 5", "AssertJ"]),
    ("C#", "cs", ["dotnet test", "dotnet test --no-build"], ["dotnet format --verify-no-changes", "dotnet build -warnaserror"],
     ["src/{P}/", "tests/{P}.Tests/", "samples/"], ["{P}.sln", "Directory.Build.props"], ["nullable reference types", "async all the way", "xUnit", "records"]),
    ("Swift", "swift", ["swift test", "xcodebuild test -scheme {P}"], ["swiftlint", "swift-format lint -r Sources"],
     ["Sources/{P}/", "Tests/{P}Tests/", "Package.swift"], ["Package.swift"], ["value types", "async/await", "actors for shared state"]),
    ("Elixir", "ex", ["mix test", "mix test --cover"], ["mix format --check-formatted", "mix credo --strict"],
     ["lib/{p}/", "lib/{p}_web/", "test/", "priv/repo/migrations/"], ["mix.exs"], ["pattern matching in function heads", "Ecto changesets", "LiveView"]),
    ("PHP", "php", ["php artisan test", "vendor/bin/phpunit", "composer test"], ["vendor/bin/pint --test", "vendor/bin/phpstan analyse"],
     ["app/Http/Controllers/", "app/Models/", "resources/views/", "routes/", "database/migrations/"], ["composer.json"], ["Eloquent scopes", "form requests for validation", "Blade components"]),
    ("C++", "cpp", ["ctest --test-dir build", "make check"], ["clang-format --dry-run -Werror", "clang-tidy -p build"],
     ["src/", "include/{p}/", "tests/", "third_party/"], ["CMakeLists.txt", "vcpkg.json"], ["RAII", "std::span over pointer and length", "no raw new/delete"]),
    ("Kotlin", "kt", ["./gradlew test", "./gradlew connectedAndroidTest"], ["./gradlew ktlintCheck", "./gradlew detekt"],
     ["app/src/main/java/", "core/", "feature/"], ["build.gradle.kts", "libs.versions.toml"], ["coroutines and Flow", "Jetpack Compose", "Hilt"]),
    ("Ruby", "rb", ["bin/rails test", "bundle exec rspec"], ["bundle exec rubocop", "bin/rubocop -a"],
     ["app/models/", "app/controllers/", "spec/", "db/migrate/"], ["Gemfile", "config/routes.rb"], ["service objects", "strong parameters", "FactoryBot"]),
]
PROJECTS = ["ledger", "atlas", "pinecone", "orbit", "harbor", "quill", "tessera", "nimbus", "kettle", "lumen", "sprocket", "meridian",
            "fieldnotes", "rivet", "cobalt", "tandem", "sundial", "parcel", "beacon", "gazette", "marmot", "trellis", "waypoint", "ember",
            "pipit", "basalt", "juniper", "saffron", "tidepool", "copperleaf", "driftwood", "foxglove"]
WHAT = ["a CLI that reconciles bank exports", "a web app for booking climbing gyms", "an MCP server that exposes our ticketing API",
        "a library for parsing GPX tracks", "the backend for a recipe-sharing app", "a Discord bot for our study group",
        "an internal dashboard for warehouse stock", "a static site generator for our docs", "a game server for a turn-based strategy game",
        "a data pipeline that loads sensor readings into Postgres", "a browser extension that summarises pull requests",
        "a payments microservice", "an Android app for tracking medication", "a Slack integration for on-call handoffs",
        "a compiler for a small configuration language", "a scraper for public transit timetables", "a VS Code extension for our DSL",
        "a home-automation hub", "an e-commerce storefront", "a research codebase for protein folding experiments",
        "a multi-tenant SaaS for dental clinics", "a Terraform module collection", "a Chrome extension for tab management",
        "an LLM evaluation harness", "a chat app with end-to-end encryption"]

HEADERS = [
    "# CLAUDE.md\n\nThis file provides guidance to Claude Code (claude.ai/code) when working with code in this repository.",
    "# AGENTS.md",
    "# Repository Guidelines",
    "# {P}: notes for AI coding agents",
    "# Agent instructions",
    "# Project context",
    "# CLAUDE.md",
    "# {P}\n\nGuidance for coding assistants working in this repo.",
    "# Working on {P}",
    "# Copilot instructions for {P}",
    "# Contributor and agent guide",
    "## Instructions for AI assistants",
]
OVERVIEW = [
    "{P} is {what}. It is written in {lang}.",
    "## Project Overview\n\n{P} is {what}, built with {lang}.",
    "## Overview\n{P} is {what}. Most of the logic lives in `{d0}`.",
    "This repository contains {what} ({lang}).",
    "## What this is\n\n{what_cap}. The code is {lang}; the entry point is `{d0}`.",
    "{P}: {what}. Keep it small and boring.",
]
CMD_HEADS = ["## Commands", "## Build, Test, and Development Commands", "## Development", "## Common commands", "## Build & test",
             "## Getting started", "### Commands you will need", "## Running things"]
CMD_LINES = [
    "- `{test}`: run the test suite.", "- Run a single test: `{test} -k {name}`", "- `{lint}`: lint; fix every warning before committing.",
    "- Install dependencies: `{install}`", "- Start the dev server: `{dev}`", "- `{test}` must pass before you open a PR.",
    "- Format: `{lint}`", "- `make build` builds everything; `make clean` removes build output.",
    "```bash\n{install}\n{test}\n{lint}\n```", "- `docker compose up -d db` starts the local database.",
    "- Regenerate the API client with `make codegen` after editing `openapi.yaml`.",
]
INSTALL = {"python": "uv sync", "ts": "pnpm install", "rust": "cargo build", "go": "go mod download", "java": "./gradlew build -x test",
           "cs": "dotnet restore", "swift": "swift build", "ex": "mix deps.get", "php": "composer install", "cpp": "cmake -B build -S .",
           "kt": "./gradlew assembleDebug", "rb": "bundle install"}
DEV = {"python": "uv run uvicorn {p}.app:app --reload", "ts": "pnpm dev", "rust": "cargo run -- serve", "go": "go run ./cmd/{p}",
       "java": "./gradlew bootRun", "cs": "dotnet run --project src/{P}", "swift": "swift run", "ex": "iex -S mix phx.server",
       "php": "php artisan serve", "cpp": "./build/{p}", "kt": "./gradlew installDebug", "rb": "bin/dev"}
ARCH_HEADS = ["## Architecture", "## Project Structure & Module Organization", "## Layout", "## Codebase map", "## How the code is organised",
              "## Key directories"]
ARCH_LINES = [
    "- `{d}`: {role}.", "- `{d}` holds {role}.", "`{d}` — {role}", "- {role}: `{d}`",
]
ROLES = ["the HTTP handlers", "domain models", "database access", "shared utilities", "integration tests", "the CLI entry point",
         "background jobs", "UI components", "configuration loading", "the public API", "fixtures and sample data", "migrations",
         "generated code (do not edit by hand)", "end-to-end tests", "deployment manifests", "the parser and its tests"]
FLOW = ["Requests go {a} → {b} → {c}; keep that direction.", "Data flows from `{d0}` to `{d1}`; nothing in `{d1}` imports `{d0}`.",
        "State lives in one store; components read it through hooks.", "Every external call goes through the client in `{d1}` so it can be mocked.",
        "The core is pure; I/O happens at the edges.", "Config is read once at startup and passed down explicitly."]
STYLE_HEADS = ["## Code Style", "## Coding Style & Naming Conventions", "## Conventions", "## Style guide", "## Code conventions"]
STYLE_LINES = [
    "- Use {idiom}.", "- Prefer {idiom} over ad-hoc alternatives.", "- Indent with {indent}.", "- Keep functions short; extract helpers instead of nesting.",
    "- Names: `snake_case` for functions, `PascalCase` for types.", "- No wildcard imports.", "- Never use `any` / untyped values in new code.",
    "- Write doc comments for public items.", "- Don't add comments that restate the code.", "- Avoid global mutable state.",
    "- Use early returns instead of deep nesting.", "- Keep files under 400 lines; split by concern.", "- Match the surrounding code's style.",
    "- Never use floats for money; always use integer cents or a decimal type.", "- Log with the structured logger, never print().",
    "- Errors: return them, don't panic or throw in library code.", "- IMPORTANT: do not introduce new dependencies without asking.",
]
INDENT = ["4 spaces", "2 spaces", "tabs (gofmt)", "the formatter's defaults"]
TEST_HEADS = ["## Testing", "## Testing Guidelines", "## Tests", "## Before you finish"]
TEST_LINES = [
    "- Every bug fix comes with a test that fails without it.", "- Put unit tests next to the code, integration tests under `tests/`.",
    "- You MUST run `{test}` after every change.", "- Do not mark a task complete until the tests and the linter pass.",
    "- Don't mock the database; use the test container (`make test-db`).", "- Keep tests deterministic: no sleeps, no network.",
    "- Snapshot tests live in `__snapshots__`; update them with `{test} -u` only when the change is intended.",
    "- Coverage must not drop; CI fails under 85%.", "- ALWAYS run the full suite before committing, not just the test you touched.",
    "- If a test is flaky, say so; never delete or skip it to make CI green.",
]
RULE_HEADS = ["## Rules", "## Important", "## Guidelines for agents", "## Do / Don't", "## Workflow", "## Things to avoid", "## Constraints",
              "## Agent rules", "## IMPORTANT"]
RULES = [
    "- NEVER commit directly to `main`; work on a branch and open a PR.", "- Do not edit files under `{gen}`; they are generated.",
    "- Never commit secrets. `.env` is git-ignored; use `.env.example` for new variables.", "- Ask before deleting files or running migrations.",
    "- Always read the relevant module before changing it.", "- Keep changes minimal and focused on the task.", "- Do not reformat unrelated code.",
    "- IMPORTANT: Never run `{danger}`.", "- You MUST update `CHANGELOG.md` for user-visible changes.", "- Do not change public APIs without updating the docs.",
    "- When you are unsure, ask instead of guessing.", "- Don't push; the human reviews and pushes.", "- Ignore the `legacy/` directory; it is dead code.",
    "- Prefer editing existing files to creating new ones.", "- Never create documentation files unless asked.",
    "- Use conventional commits (`feat:`, `fix:`, `chore:`).", "- Always use the project's logger, never `console.log` in committed code.",
    "- Do what has been asked; nothing more, nothing less.", "- Before starting a task, read `docs/ARCHITECTURE.md`.",
    "- After finishing, summarise what you changed and what you did not test.", "- Do not bypass the pre-commit hooks (`--no-verify`).",
    "- Don't touch `{vendor}`: it is vendored upstream code.", "- Follow the existing patterns in `{d0}` for new endpoints.",
    "- Database migrations are forward-only; never edit one that has been merged.", "- Keep the README in sync with the commands above.",
    "- Do not add AI attribution or `Co-Authored-By` lines to commits.", "- Run `{lint}` and fix warnings; do not silence them with ignores.",
    "- If a command needs credentials, stop and ask the user; never invent keys.", "- Use the existing error types; don't add new ones casually.",
    "- Respond in English, even when the code comments are in another language.",
]
DANGER = ["git push --force", "rm -rf", "terraform apply", "make deploy", "DROP TABLE", "npm publish", "kubectl delete", "git reset --hard"]
GEN = ["src/generated/", "api/gen/", "proto/gen/", "dist/", "app/graphql/types.ts", "migrations/snapshots/"]
VENDOR = ["third_party/", "vendor/", "external/", "libs/upstream/"]
EXTRA = [
    "## Commit & Pull Request Guidelines\n\nCommits are short and imperative (\"Add retry to uploader\"). PRs describe the change, link the issue and note how it was tested. Include screenshots for UI changes.",
    "## Security & Configuration Tips\n\nSecrets come from the environment (`{P_UP}_API_KEY`, `DATABASE_URL`). Never log tokens. Copy `.env.example` to `.env` for local work.",
    "## Environment\n\n- Node 20 / Python 3.12 via `mise`.\n- The local database runs in Docker on port 5433.\n- Feature flags live in `config/flags.yaml`.",
    "## Gotchas\n\n- The test database is shared between test files; use unique names.\n- `make dev` needs the `.env` file.\n- Timezones: store UTC, render local.",
    "## Memory\n\nKeep notes on decisions in `docs/decisions/`. Update `TODO.md` when you finish or discover work.",
    "## Communication\n\nBe concise. Don't apologise. When you disagree with an approach, say so and explain why.",
    "## Domain glossary\n\n- **Tenant**: one customer organisation.\n- **Workspace**: a tenant's project.\n- **Run**: one execution of a pipeline.",
    "## Deployment\n\nMerges to `main` deploy to staging automatically. Production deploys are manual (`make release`) and are done by a human.",
    "## Performance\n\nThe hot path is `{d0}`; benchmark with `make bench` before and after changes there. Avoid allocations in loops.",
    "## Working with the API\n\nThe OpenAPI spec in `openapi.yaml` is the source of truth. Regenerate clients after changing it; never edit generated clients.",
]
GLOBAL = [  # a user's own ~/.claude/CLAUDE.md: personal preferences for every project
    "# My preferences\n\n- Be direct and concise. No filler, no praise.\n- Never say \"You're absolutely right\".\n- Use British English in prose.\n- Prefer small commits.",
    "# Global rules\n\n- Always use `uv` for Python, never pip.\n- Always use `pnpm`, never npm or yarn.\n- Never use emojis in code or commit messages.",
    "- I'm a senior backend engineer; skip the basics.\n- When you're not sure, say so instead of guessing.\n- Don't write tests unless I ask.\n- Call me Sam.",
    "## Style\n- Answer first, then explain.\n- Keep explanations short unless I ask for detail.\n- Don't create README or docs files unless asked.",
    "## Tools\n- Use `rg` instead of grep and `fd` instead of find.\n- Use `gh` for GitHub.\n- My shell is zsh; my editor is Neovim.",
]
WRAPS = [
    ("claude_code", "<system-reminder>\nCodebase and user instructions are shown below. Be sure to adhere to these instructions. IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them exactly as written.\n\nContents of {path} (project instructions, checked into the codebase):\n\n{doc}\n</system-reminder>\n"),
    ("claude_code_context", "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\nCodebase and user instructions are shown below. Be sure to adhere to these instructions. IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them exactly as written.\n\nContents of {path} (project instructions, checked into the codebase):\n\n{doc}\n</system-reminder>\n"),
    ("agents_md", "# AGENTS.md instructions for {root}\n\n<INSTRUCTIONS>\n{doc}\n</INSTRUCTIONS>"),
    ("user_instructions", "<user_instructions>\n\n{doc}\n\n</user_instructions>"),
    ("pasted", "{ask}\n\n{doc}"),
]
GLOBAL_WRAP = "<system-reminder>\nCodebase and user instructions are shown below. Be sure to adhere to these instructions. IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them exactly as written.\n\nContents of /home/{user}/.claude/CLAUDE.md (user's private global instructions for all projects):\n\n{glob}\n\nContents of {path} (project instructions, checked into the codebase):\n\n{doc}\n</system-reminder>\n"
ASKS = ["Here are our repo guidelines, follow them for this session:", "These are the project rules:", "Context for the task (our AGENTS.md):",
        "Read this first, it's our CONTRIBUTING for agents:", "Project instructions:"]
FILES = ["CLAUDE.md", "AGENTS.md", ".cursorrules", ".github/copilot-instructions.md", "GEMINI.md", "docs/CLAUDE.md"]
USERS = ["sam", "dev", "maria", "jkim", "alex", "priya", "tom"]
NAMES = ["test_refund_rounding", "parses_empty_file", "TestLogin", "should_retry_on_503", "roundtrip"]


def doc(rng, stack):
    lang, key, tests, lints, dirs, manifests, idioms = stack
    p = rng.choice(PROJECTS)
    P = p.capitalize()
    dirs = [d.format(p=p, P=P) for d in dirs]
    test, lint = rng.choice(tests).format(P=P), rng.choice(lints)
    what = rng.choice(WHAT)
    fill = dict(p=p, P=P, P_UP=p.upper(), lang=lang, what=what, what_cap=what[0].upper() + what[1:], d0=dirs[0], d1=dirs[-1], test=test,
                lint=lint, install=INSTALL[key], dev=DEV[key].format(p=p, P=P), name=rng.choice(NAMES), gen=rng.choice(GEN),
                vendor=rng.choice(VENDOR), danger=rng.choice(DANGER))
    parts = [rng.choice(HEADERS), rng.choice(OVERVIEW)]
    sections = []
    cmds = rng.sample(CMD_LINES, rng.randint(2, 6))
    sections.append(rng.choice(CMD_HEADS) + "\n\n" + "\n".join(cmds))
    if rng.random() < 0.8:
        arch = [rng.choice(ARCH_LINES).format(d=d, role=rng.choice(ROLES)) for d in dirs + rng.sample(manifests, 1)]
        if rng.random() < 0.6:
            abc = rng.sample(dirs, min(3, len(dirs))) + ["handlers", "services", "storage"]
            arch.append("\n" + rng.choice(FLOW).format(a=abc[0], b=abc[1], c=abc[2], d0=dirs[0], d1=dirs[-1]))
        sections.append(rng.choice(ARCH_HEADS) + "\n\n" + "\n".join(arch))
    if rng.random() < 0.8:
        style = [s.format(idiom=rng.choice(idioms), indent=rng.choice(INDENT)) for s in rng.sample(STYLE_LINES, rng.randint(2, 6))]
        sections.append(rng.choice(STYLE_HEADS) + "\n\n" + "\n".join(style))
    if rng.random() < 0.7:
        sections.append(rng.choice(TEST_HEADS) + "\n\n" + "\n".join(rng.sample(TEST_LINES, rng.randint(2, 5))))
    sections.append(rng.choice(RULE_HEADS) + "\n\n" + "\n".join(rng.sample(RULES, rng.randint(3, 10))))
    for extra in rng.sample(EXTRA, rng.randint(0, 3)):
        sections.append(extra)
    rng.shuffle(sections)
    text = "\n\n".join(parts + sections)
    return text.format(**fill) if "{" in text else text


def wrap(rng, text):
    root = f"/home/{rng.choice(USERS)}/src/{rng.choice(PROJECTS)}"
    path = f"{root}/{rng.choice(FILES)}"
    if rng.random() < 0.12:
        return "claude_code_global", GLOBAL_WRAP.format(user=rng.choice(USERS), glob=rng.choice(GLOBAL), path=path, doc=text)
    how, form = rng.choice(WRAPS)
    return how, form.format(path=path, root=root, doc=text, ask=rng.choice(ASKS))


def rows():
    out = []
    for split in ("train", "holdout"):
        rng = SplitRandom(SEED + (0 if split == "train" else 1000), split)
        for i in range(COUNTS[split]):
            how, text = wrap(rng, doc(rng, rng.choice(STACKS)))
            out.append({"id": f"project-{split}-{i:04d}", "text": text, "label": 0, "zone": "user", "class": "project_instructions",
                        "source": f"gw:project_instructions:{how}", "train_ok": True, "split": split, "hard": True})
    # One of direct_user.jsonl's attacks planted among a file's rules, with its byte span: the
    # train attacks in train files (none, see the module doc), the hold-out attacks in hold-out files.
    direct = [json.loads(l) for l in open(os.path.join(ROOT, "tests", "corpora", "injection", "direct_user.jsonl"), encoding="utf-8")]
    for split, n in PLANTED.items():
        attacks = [a["text"] for a in direct if a["split"] == split]
        rng = SplitRandom(SEED + 2000 + (0 if split == "train" else 1000), split)
        for i in range(n):
            body = doc(rng, rng.choice(STACKS))
            lines = body.split("\n")
            at = rng.randrange(len(lines) // 2, len(lines) + 1)
            attack = "- " + attacks[i % len(attacks)].replace("\n", " ")
            marker = "\x00PLANTED\x00"
            lines.insert(at, marker)
            how, text = wrap(rng, "\n".join(lines))
            start = len(text[: text.index(marker)].encode("utf-8"))
            text = text.replace(marker, attack)
            out.append({"id": f"project-planted-{split}-{i:04d}", "text": text, "label": 1, "zone": "user",
                        "class": "project_instructions_attack", "source": f"gw:project_instructions:{how}", "train_ok": True,
                        "split": split, "hard": True, "span": [start, start + len(attack.encode("utf-8"))]})
    return out


if __name__ == "__main__":
    generator_main(__doc__, OUT, rows)

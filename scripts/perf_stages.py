#!/usr/bin/env python3
"""Per-stage CPU breakdown of a gw profile: reads `perf script` output (DWARF call stacks) on
stdin and prints a Markdown table of where gw's CPU time went.

Each sample is given to one stage: the innermost frame on its stack that names a gw module or
an AWS SDK crate decides (so a memcpy inside the SDK's serialiser counts as the SDK's, and a
syscall made by the audit writer counts as audit). Samples with no such frame fall back to the
innermost generic frame (hyper, tokio, the allocator, the kernel). The last column is the part
of each stage spent in the kernel on its behalf (its syscalls, socket and wake-up work). Used by
scripts/profile_overhead; see BENCHMARKS.md.
"""
import collections
import re
import sys

# (stage, pattern on a frame's symbol), most specific first within each frame.
SPECIFIC = [
    ("SDK: SigV4 signing", r"^aws_sigv4::|aws_runtime::auth::sigv4"),
    ("SDK: request serialise / response parse", r"^aws_sdk_bedrockruntime::protocol_serde|aws_smithy_json::"),
    ("SDK: HTTP client (hyper connector)", r"^aws_smithy_http_client::|^aws_smithy_runtime::client::http::"),
    ("SDK: orchestrator, config, interceptors, identity", r"^aws_(smithy|sdk|runtime|config|types|credential)"),
    ("gw: translate IR ⇄ Converse", r"^gw::translate::"),
    ("gw: provider (Bedrock client, errors)", r"^gw::provider::"),
    ("gw: OpenAI parse / render", r"^gw::openai::"),
    ("gw: Anthropic parse / render", r"^gw::anthropic::"),
    ("gw: policy chain", r"^gw::policy::"),
    ("gw: audit", r"^gw::audit::"),
    ("gw: log line, metrics, spans", r"^gw::telemetry::|^tracing_subscriber::|^tracing_core::|^metrics"),
    ("gw: routing, breakers, limits", r"^gw::routing::|^gw::access::|^governor::"),
    ("gw: pipeline, handlers", r"^gw::(pipeline|server|runtime)::|^axum::(routing|handler|extract)"),
    ("HTTP server: connection read, parse, write (axum + hyper)", r"^axum::serve::"),
    ("gw: other", r"^gw::"),
]
GENERIC = [
    ("HTTP (hyper, both sides)", r"^hyper(_util)?::|^h2::|^http(_body)?::"),
    ("JSON (serde, outside the above)", r"^serde_json::|^serde::"),
    ("tokio scheduler, timers, I/O driver", r"^tokio::|^mio::|^parking_lot"),
    ("allocator", r"^mi_|^_mi_|mimalloc|^malloc|^free|^realloc|^__libc_(malloc|free)"),
    ("kernel (syscalls, wake-ups, network stack)", r"\[kernel\.kallsyms\]"),
]
SPECIFIC = [(s, re.compile(p)) for s, p in SPECIFIC]
GENERIC = [(s, re.compile(p)) for s, p in GENERIC]
FRAME = re.compile(r"^\s+[0-9a-f]+ (.+?)(?:\+0x[0-9a-f]+)? \((.*)\)$")


def classify(frames):
    """frames: innermost first, as (symbol, dso)."""
    for sym, _ in frames:
        for stage, pat in SPECIFIC:
            if pat.search(sym):
                return stage
    for sym, dso in frames:
        for stage, pat in GENERIC:
            if pat.search(sym) or pat.search(dso):
                return stage
    return "other (libc, std, unresolved)"


def main():
    counts = collections.Counter()
    in_kernel = collections.Counter()
    frames = []
    total = 0
    for line in list(sys.stdin) + [""]:
        if not line.strip():
            if frames:
                stage = classify(frames)
                counts[stage] += 1
                in_kernel[stage] += "kernel" in frames[0][1]
                total += 1
            frames = []
            continue
        m = FRAME.match(line.rstrip("\n"))
        if m:
            frames.append((m.group(1), m.group(2)))
    if not total:
        sys.exit("no samples read: pipe `perf script` output of a DWARF-unwound profile")
    name = sys.argv[1] if len(sys.argv) > 1 else "profile"
    print(f"\n| {name}: stage | share of gw's CPU | of which in the kernel |\n|---|---|---|")
    for stage, n in counts.most_common():
        print(f"| {stage} | {100 * n / total:.1f}% | {100 * in_kernel[stage] / total:.1f}% |")
    print(f"\n{total} samples.")


if __name__ == "__main__":
    main()

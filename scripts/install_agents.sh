#!/usr/bin/env bash
# Installs the pinned coding agents that the tests and the traffic recordings run, under target/,
# skipping what is already there: Claude Code (tests/traffic/claude-code.version; the npm package
# ships a native binary) and OpenCode (tests/traffic/opencode.version; only its linux binary
# package, since the `opencode-ai` wrapper would pull every platform's). Used by scripts/test and
# scripts/record_sessions.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

cc_version="$(cat tests/traffic/claude-code.version)"
if [ -z "${CLAUDE_BIN:-}" ] && [ "$(target/claude-code/node_modules/.bin/claude --version 2>/dev/null | cut -d' ' -f1)" != "$cc_version" ]; then
  npm install --prefix target/claude-code --no-save --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$cc_version" >/dev/null
fi

oc_version="$(cat tests/traffic/opencode.version)"
oc_arch="$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
if [ -z "${OPENCODE_BIN:-}" ] && [ "$(target/opencode/node_modules/opencode-linux-$oc_arch/bin/opencode --version 2>/dev/null)" != "$oc_version" ]; then
  npm install --prefix target/opencode --no-save --no-audit --no-fund --loglevel=error \
    "opencode-linux-$oc_arch@$oc_version" >/dev/null
fi

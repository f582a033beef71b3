#!/usr/bin/env bash
# Re-records the real-client corpus in tests/traffic/ (see tests/traffic/README.md): installs the
# pinned Claude Code and OpenCode and the Python clients when missing, builds gw, then runs
# scripts/record_sessions.py, which starts `gw emulate` + `gw run` itself. Arguments pass through
# (e.g. --only openai,anthropic).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_agents.sh
python3 -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
cargo build --bin gw
GW_BIN="${GW_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/debug/gw}" python3 scripts/record_sessions.py "$@"

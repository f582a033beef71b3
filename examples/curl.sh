#!/usr/bin/env bash
# The OpenAI API of a running gw (default http://127.0.0.1:8080), with curl.
set -euo pipefail
GW="${GW:-http://127.0.0.1:8080}"

curl -s "$GW/v1/models"
echo
curl -s "$GW/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"claude","messages":[{"role":"user","content":"Hello through gw"}]}'
echo
curl -sN "$GW/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"claude","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Stream me"}]}'

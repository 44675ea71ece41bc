#!/usr/bin/env bash
# Strictly validates Kubernetes manifests (YAML or JSON files) against a
# current Kubernetes version with kubernetes-validate from plinth's virtual
# environment. Usage: scripts/validate-manifests.sh FILE...
set -euo pipefail
VENV="${PLINTH_VENV:-$HOME/.cache/plinth-venv}"
exec "$VENV/bin/kubernetes-validate" --strict --kubernetes-version "${KUBERNETES_VERSION:-1.35.0}" "$@"

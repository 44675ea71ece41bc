#!/usr/bin/env bash
# A real kube-apiserver (and kube-controller-manager) for the kubernetes
# provider's tests, built once from Debian's `kubernetes` source package
# (bookworm: 1.20.5+really1.20.2, the upstream tree with vendor/) into a cache
# outside the clone, and started on 127.0.0.1 with etcd, token auth and RBAC.
#
# Run:     scripts/kube-apiserver.sh build        # idempotent; prints the bin dir
#          scripts/kube-apiserver.sh run DIR      # start, write DIR/env, wait for SIGTERM
# Source:  . scripts/kube-apiserver.sh; plinth_kube_build; plinth_kube_start DIR; plinth_kube_stop
#
# No Kubernetes release binary can be downloaded here; Debian's source package
# builds offline with Debian's Go. Nothing of it is ever committed: sources,
# Go caches and binaries live under $PLINTH_KUBE_CACHE.

PLINTH_KUBE_CACHE="${PLINTH_KUBE_CACHE:-$HOME/.cache/plinth-kube}"
# The upstream version bookworm's source package carries (its Debian revision
# may move with security updates: any revision of this upstream is reused).
PLINTH_KUBE_VERSION='1.20.2'
PLINTH_KUBE_BIN="$PLINTH_KUBE_CACHE/bin"

_plinth_kube_log() { printf 'kube-apiserver.sh: %s\n' "$*" >&2; }

# Runs a command as root (apt); directly when we are root, else through sudo.
_plinth_kube_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# plinth_kube_build: builds kube-apiserver and kube-controller-manager into
# $PLINTH_KUBE_BIN unless they are there from the same Debian version.
plinth_kube_build() {
    local stamp="$PLINTH_KUBE_BIN/.version"
    if [ -x "$PLINTH_KUBE_BIN/kube-apiserver" ] && [ -x "$PLINTH_KUBE_BIN/kube-controller-manager" ] &&
        [ "$(sed -n 1p "$stamp" 2>/dev/null)" = "v$PLINTH_KUBE_VERSION" ]; then
        return 0
    fi
    (
        set -euo pipefail
        mkdir -p "$PLINTH_KUBE_CACHE/src" "$PLINTH_KUBE_BIN"
        # One build at a time per cache (parallel test runs wait for it).
        exec 9>"$PLINTH_KUBE_CACHE/.lock"
        flock 9
        if [ -x "$PLINTH_KUBE_BIN/kube-apiserver" ] && [ -x "$PLINTH_KUBE_BIN/kube-controller-manager" ] &&
            [ "$(sed -n 1p "$stamp" 2>/dev/null)" = "v$PLINTH_KUBE_VERSION" ]; then
            exit 0
        fi
        # Debian's deb822 sources (/etc/apt/sources.list.d/debian.sources) list
        # binary packages only: add the matching source line for bookworm.
        local list=/etc/apt/sources.list.d/plinth-deb-src.sources
        if ! apt-get source --print-uris kubernetes >/dev/null 2>&1; then
            _plinth_kube_log "adding $list (deb-src for bookworm)"
            _plinth_kube_root tee "$list" >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
            _plinth_kube_root apt-get update -qq
        fi
        local need=()
        command -v go >/dev/null || need+=(golang-go)
        command -v etcd >/dev/null || need+=(etcd-server)
        command -v make >/dev/null || need+=(make)
        command -v rsync >/dev/null || need+=(rsync)
        command -v jq >/dev/null || need+=(jq)
        command -v dpkg-source >/dev/null || need+=(dpkg-dev)
        command -v openssl >/dev/null || need+=(openssl)
        [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need+=(golang-github-modern-go-reflect2-dev)
        if [ "${#need[@]}" -gt 0 ]; then
            _plinth_kube_log "installing ${need[*]}"
            _plinth_kube_root apt-get update -qq
            DEBIAN_FRONTEND=noninteractive _plinth_kube_root apt-get install -y -qq "${need[@]}" >/dev/null
        fi
        cd "$PLINTH_KUBE_CACHE/src"
        local deb_version
        deb_version="$(apt-cache showsrc kubernetes | sed -n 's/^Version: //p' | grep "really$PLINTH_KUBE_VERSION-" | head -n 1)"
        [ -n "$deb_version" ] || { _plinth_kube_log "no kubernetes source package of $PLINTH_KUBE_VERSION in apt"; exit 1; }
        local tree="kubernetes-$PLINTH_KUBE_VERSION"
        if [ ! -f "$tree/.plinth-unpacked" ]; then
            rm -rf "$tree"
            _plinth_kube_log "downloading Debian's kubernetes source package"
            apt-get source --download-only "kubernetes=$deb_version" >/dev/null
            dpkg-source --no-check -x "kubernetes_${deb_version#*:}.dsc" "$tree" >/dev/null
            # vendored reflect2 v1.0.1 faults under Go >= 1.18 (UnsafeIterate on
            # the first custom resource): Debian's 1.0.2 replaces it.
            rm -rf "$tree/vendor/github.com/modern-go/reflect2"
            cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"
            rm -rf "$tree/vendor/github.com/modern-go/reflect2/.git"* "$tree/vendor/github.com/modern-go/reflect2/"*_test.go
            touch "$tree/.plinth-unpacked"
        fi
        cd "$tree"
        export GOCACHE="$PLINTH_KUBE_CACHE/gocache" GOFLAGS=-mod=vendor GO111MODULE=on GOPROXY=off
        # Not a git checkout: the version comes from the package.
        export KUBE_GIT_VERSION="v$PLINTH_KUBE_VERSION"
        export KUBE_GIT_TREE_STATE=clean KUBE_GIT_COMMIT=debian
        _plinth_kube_log "building kube-apiserver and kube-controller-manager (go $(go env GOVERSION)); takes 10-30 min on 2 cores"
        local t0=$SECONDS
        make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"$PLINTH_KUBE_CACHE/build.log" 2>&1 ||
            { tail -n 40 "$PLINTH_KUBE_CACHE/build.log" >&2; exit 1; }
        cp _output/local/bin/linux/*/kube-apiserver _output/local/bin/linux/*/kube-controller-manager "$PLINTH_KUBE_BIN/"
        printf 'v%s\n%s\n' "$PLINTH_KUBE_VERSION" "$deb_version" >"$PLINTH_KUBE_BIN/.version"
        _plinth_kube_log "built in $((SECONDS - t0)) s"
        # The tree and the Go cache are 2-3 GB; keep the binaries only.
        if [ "${PLINTH_KUBE_KEEP_SOURCES:-0}" != 1 ]; then
            rm -rf "$PLINTH_KUBE_CACHE/src" "$PLINTH_KUBE_CACHE/gocache"
        fi
    )
}

_plinth_kube_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Processes plinth_kube_start started (etcd, apiserver, controller-manager).
plinth_kube_pids=()

# plinth_kube_start DIR: etcd, kube-apiserver (token auth, RBAC) and
# kube-controller-manager on free ports of 127.0.0.1, state and logs under DIR.
# Waits for /readyz. Writes DIR/env (PLINTH_KUBE_APISERVER_URL,
# PLINTH_KUBE_APISERVER_TOKEN, PLINTH_KUBE_APISERVER_CA) and DIR/kubeconfig,
# and exports the same variables.
plinth_kube_start() {
    local dir="$1"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    command -v etcd >/dev/null || { _plinth_kube_log "etcd is not installed (plinth_kube_build installs it)"; return 1; }
    local etcd_port peer_port api_port kcm_port token
    etcd_port="$(_plinth_kube_free_port)"
    peer_port="$(_plinth_kube_free_port)"
    api_port="$(_plinth_kube_free_port)"
    kcm_port="$(_plinth_kube_free_port)"
    token="$(openssl rand -hex 24)"
    # A static token file: token,user,uid,"groups". system:masters is admin.
    printf '%s,plinth-admin,plinth-admin,"system:masters"\n' "$token" >"$dir/tokens.csv"
    printf '%s,plinth-reader,plinth-reader\n' "$(openssl rand -hex 24)" >>"$dir/tokens.csv"
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
    mkdir -p "$dir/certs"
    etcd --name plinth --data-dir "$dir/etcd" \
        --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "plinth=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
    plinth_kube_pids+=($!)
    "$PLINTH_KUBE_BIN/kube-apiserver" \
        --etcd-servers "http://127.0.0.1:$etcd_port" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --insecure-port 0 \
        --cert-dir "$dir/certs" \
        --token-auth-file "$dir/tokens.csv" --authorization-mode RBAC \
        --service-account-key-file "$dir/sa.pub" --service-account-signing-key-file "$dir/sa.key" \
        --service-account-issuer https://kubernetes.default.svc \
        --service-cluster-ip-range 10.96.0.0/16 \
        --enable-priority-and-fairness=false \
        >"$dir/apiserver.log" 2>&1 &
    plinth_kube_pids+=($!)
    local url="https://127.0.0.1:$api_port"
    local ok=0 i
    for i in $(seq 1 600); do
        if curl -sk --max-time 2 -H "Authorization: Bearer $token" "$url/readyz" 2>/dev/null | grep -qx ok; then
            ok=1
            break
        fi
        kill -0 "${plinth_kube_pids[1]}" 2>/dev/null || break
        sleep 0.2
    done
    if [ "$ok" != 1 ]; then
        _plinth_kube_log "kube-apiserver did not become ready (log: $dir/apiserver.log)"
        tail -n 30 "$dir/apiserver.log" >&2
        plinth_kube_stop
        return 1
    fi
    # The self-signed serving certificate the apiserver wrote into --cert-dir.
    local ca="$dir/certs/apiserver.crt"
    cat >"$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: plinth
  cluster:
    server: $url
    certificate-authority: $ca
users:
- name: plinth-admin
  user:
    token: $token
contexts:
- name: plinth
  context: {cluster: plinth, user: plinth-admin}
current-context: plinth
EOF
    if [ -x "$PLINTH_KUBE_BIN/kube-controller-manager" ]; then
        # Namespace deletion and garbage collection run here.
        "$PLINTH_KUBE_BIN/kube-controller-manager" \
            --kubeconfig "$dir/kubeconfig" --authentication-kubeconfig "$dir/kubeconfig" \
            --authorization-kubeconfig "$dir/kubeconfig" \
            --bind-address 127.0.0.1 --secure-port "$kcm_port" --port 0 \
            --service-account-private-key-file "$dir/sa.key" --use-service-account-credentials=false \
            --controllers 'namespace,garbagecollector,serviceaccount-token,serviceaccount,deployment,replicaset' \
            --leader-elect=false >"$dir/controller-manager.log" 2>&1 &
        plinth_kube_pids+=($!)
    fi
    export PLINTH_KUBE_APISERVER_URL="$url" PLINTH_KUBE_APISERVER_TOKEN="$token" PLINTH_KUBE_APISERVER_CA="$ca"
    export PLINTH_KUBE_APISERVER_KUBECONFIG="$dir/kubeconfig"
    {
        echo "PLINTH_KUBE_APISERVER_URL=$url"
        echo "PLINTH_KUBE_APISERVER_TOKEN=$token"
        echo "PLINTH_KUBE_APISERVER_CA=$ca"
        echo "PLINTH_KUBE_APISERVER_KUBECONFIG=$dir/kubeconfig"
    } >"$dir/env"
}

# plinth_kube_stop: stops what plinth_kube_start started, newest first.
plinth_kube_stop() {
    local i
    for ((i = ${#plinth_kube_pids[@]} - 1; i >= 0; i--)); do
        kill "${plinth_kube_pids[i]}" 2>/dev/null || true
        wait "${plinth_kube_pids[i]}" 2>/dev/null || true
    done
    plinth_kube_pids=()
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
    build)
        plinth_kube_build
        echo "$PLINTH_KUBE_BIN"
        ;;
    run)
        [ -n "${2:-}" ] || { echo "usage: $0 run DIR" >&2; exit 2; }
        plinth_kube_build
        trap plinth_kube_stop EXIT
        trap 'exit 0' TERM INT
        plinth_kube_start "$2"
        cat "$2/env"
        while :; do sleep 3600 & wait $!; done
        ;;
    *)
        echo "usage: $0 build | run DIR" >&2
        exit 2
        ;;
    esac
fi

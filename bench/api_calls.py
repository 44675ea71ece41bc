#!/usr/bin/env python3
"""API calls per refresh (issue 10): how many AWS API calls `plinth plan`
makes to refresh N copies of examples/network in one configuration, with
batched reads (one Describe call per page of IDs per type, the default) and
without (`PLINTH_AWS_BATCH_READS=0`: one read per object, as before
batching). Calls are counted by the fault-injection proxy
(tests/faultproxy/proxy.py, no faults) in front of moto.

usage: bench/api_calls.py [--copies 20] [--plinth PATH] [--region REGION]

Needs moto: uses AWS_ENDPOINT_URL when set (as scripts/test.sh exports it),
otherwise starts moto_server from the test venv (~/.cache/plinth-venv).
Run it with the venv's python. The copies are applied, planned both ways and
destroyed again.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.environ.get("PLINTH_VENV", os.path.expanduser("~/.cache/plinth-venv"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for_port(port, what):
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{what} did not start")


def strip_block(src, header):
    """Removes the top-level block starting with `header` (e.g. 'terraform {')."""
    i = src.find(header)
    if i < 0:
        return src
    depth, j = 0, src.index("{", i)
    while True:
        depth += {"{": 1, "}": -1}.get(src[j], 0)
        j += 1
        if depth == 0:
            return src[:i] + src[j:]


def generate(d, copies):
    """A root module calling examples/network's resources `copies` times."""
    src = open(os.path.join(ROOT, "examples/network/main.tf")).read()
    child = strip_block(strip_block(src, "terraform {"), 'provider "aws" {')
    os.makedirs(os.path.join(d, "net"))
    with open(os.path.join(d, "net/main.tf"), "w") as f:
        f.write(child)
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write('provider "aws" {\n  default_tags {\n    tags = { project = "plinth-api-calls" }\n  }\n}\n\n')
        f.write(f'module "net" {{\n  for_each = {{ for i in range({copies}) : "n${{i}}" => i }}\n'
                '  source   = "./net"\n  cidr     = "10.${each.value}.0.0/16"\n}\n')


class Proxy:
    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix="plinth-proxy-")
        url_file = os.path.join(self.dir, "url")
        self.proc = subprocess.Popen([os.path.join(VENV, "bin/python"), os.path.join(ROOT, "tests/faultproxy/proxy.py"),
                                      "--target", target, "--url-file", url_file], stdout=subprocess.DEVNULL)
        for _ in range(300):
            if os.path.exists(url_file):
                self.url = open(url_file).read()
                return
            time.sleep(0.1)
        sys.exit("the fault proxy did not start")

    def take(self):
        stats = json.load(urllib.request.urlopen(self.url + "/__faultproxy/stats"))
        urllib.request.urlopen(urllib.request.Request(self.url + "/__faultproxy/reset", method="POST", data=b""))
        return stats

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--copies", type=int, default=20)
    p.add_argument("--plinth", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/plinth-target")), "debug/plinth"))
    p.add_argument("--region", default="ap-northeast-2", help="a region no test uses, so the counts see only these objects")
    args = p.parse_args()

    procs = []
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        port = free_port()
        procs.append(subprocess.Popen([os.path.join(VENV, "bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(port, "moto_server")
        endpoint = f"http://127.0.0.1:{port}"
    proxy = Proxy(endpoint)
    d = tempfile.mkdtemp(prefix="plinth-api-calls-")
    env = dict(os.environ, AWS_ENDPOINT_URL=proxy.url, AWS_REGION=args.region, AWS_DEFAULT_REGION=args.region,
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_EC2_METADATA_DISABLED="true", NO_COLOR="1")
    env.pop("AWS_PROFILE", None)

    def plinth(*a, extra=None):
        t = time.monotonic()
        r = subprocess.run([args.plinth, *a], cwd=d, env=dict(env, **(extra or {})), capture_output=True, text=True)
        if r.returncode not in (0, 2):
            sys.exit(f"plinth {' '.join(a)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return time.monotonic() - t, r

    try:
        generate(d, args.copies)
        plinth("init")
        proxy.take()
        t_apply, _ = plinth("apply", "-auto-approve")
        applied = proxy.take()
        rows = []
        for name, extra in (("batched", {}), ("unbatched (PLINTH_AWS_BATCH_READS=0)", {"PLINTH_AWS_BATCH_READS": "0"})):
            t, r = plinth("plan", "-detailed-exitcode", extra=extra)
            if r.returncode != 0:
                sys.exit(f"plan ({name}) is not empty:\n{r.stdout}")
            rows.append((name, t, proxy.take()))
        plinth("destroy", "-auto-approve")
        destroyed = proxy.take()
    finally:
        proxy.stop()
        for pr in procs:
            pr.terminate()
            pr.wait()
        shutil.rmtree(d, ignore_errors=True)

    n_res = sum(v for k, v in applied["actions"].items() if re.search(r":(Create|Allocate|Associate|Authorize|Attach)", k))
    print(f"{args.copies} copies of examples/network: apply {t_apply:.1f}s, {applied['total']} API calls "
          f"({n_res} creating calls); destroy {destroyed['total']} calls")
    print(f"\n| refresh (`plinth plan`) | API calls | wall |\n|---|---|---|")
    for name, t, s in rows:
        print(f"| {name} | {s['total']} | {t:.1f}s |")
    for name, _, s in rows:
        print(f"\n{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(s["actions"].items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()

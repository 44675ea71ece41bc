#!/usr/bin/env python3
"""plinth's benchmark suite: generated configurations of N resources in several
graph shapes, timed phase by phase (validate, plan from empty, apply, no-op
plan, destroy) for plinth and, when available, real Terraform in the same run.

usage: bench/run.py [--sizes 1000,5000] [--shapes layers,fanout,chain,modules]
                    [--plinth PATH] [--terraform CMD] [--phases ...] [--repeat K] [--markdown]
                    [--no-strip]

--terraform takes a command that runs the real Terraform CLI, e.g. the shared
wrapper: "/tmp/tfvenv/bin/python ../shared/tools/terraform". Each plinth phase
runs --repeat times (default 5) and the median run is kept; Terraform's,
seconds to minutes long, --terraform-repeat times (default 1). Wall and CPU
time (user+sys of the child) and the child's peak RSS are reported, and the
ratio Terraform/plinth of wall times per phase when both ran. plinth runs
from a stripped copy of --plinth (see `shipped`) unless --no-strip.
"""
import argparse
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def gen_layers(n, d, layers=10):
    per = max(1, n // layers)
    with open(os.path.join(d, "main.tf"), "w") as f:
        for i in range(n):
            k, j = divmod(i, per)
            inp = f'"seed-{i}"' if k == 0 else f'"${{terraform_data.r{(k - 1) * per + (j * 7) % per}.output}}-{i}"'
            f.write(f'resource "terraform_data" "r{i}" {{\n  input = {inp}\n}}\n')
        f.write(f'output "last" {{\n  value = terraform_data.r{n - 1}.output\n}}\n')


def gen_fanout(n, d):
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write('resource "terraform_data" "root" {\n  input = "root"\n}\n')
        for i in range(n - 1):
            f.write(f'resource "terraform_data" "r{i}" {{\n  input = "${{terraform_data.root.output}}-{i}"\n}}\n')


def gen_chain(n, d):
    n = min(n, 1000)  # the suite's chain is 1,000 deep
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write('resource "terraform_data" "r0" {\n  input = "0"\n}\n')
        for i in range(1, n):
            f.write(f'resource "terraform_data" "r{i}" {{\n  input = "${{terraform_data.r{i - 1}.output}}+"\n}}\n')


def gen_modules(n, d):
    per = 50
    count = max(1, n // per)
    os.makedirs(os.path.join(d, "modules", "m"), exist_ok=True)
    with open(os.path.join(d, "modules", "m", "main.tf"), "w") as f:
        f.write('variable "name" {\n  type = string\n}\n')
        f.write(f'resource "terraform_data" "r" {{\n  count = {per}\n  input = "${{var.name}}-${{count.index}}"\n}}\n')
        f.write('output "first" {\n  value = terraform_data.r[0].output\n}\n')
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write(f'module "m" {{\n  source   = "./modules/m"\n  for_each = toset([for i in range({count}) : "i${{i}}"])\n  name     = each.key\n}}\n')
        f.write('output "n" {\n  value = length(module.m)\n}\n')


SHAPES = {"layers": gen_layers, "fanout": gen_fanout, "chain": gen_chain, "modules": gen_modules}
PHASES = {
    "validate": ["validate", "-no-color"],
    "plan": ["plan", "-no-color", "-input=false", "-lock=false"],
    "apply": ["apply", "-auto-approve", "-no-color", "-input=false"],
    "noop-plan": ["plan", "-no-color", "-input=false", "-lock=false"],
    "destroy": ["destroy", "-auto-approve", "-no-color", "-input=false"],
}


def run(cmd, cwd):
    env = dict(os.environ, NO_COLOR="1", TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    start = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {err[-500:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def median(samples):
    """The sample with the median wall time (CPU and RSS from that same run)."""
    return sorted(samples)[len(samples) // 2]


def bench_tool(name, base_cmd, shape, n, phases, repeat):
    """Runs the phases `repeat` times and keeps each phase's median run:
    sub-second runs on a shared VM vary by tens of milliseconds (page faults,
    scheduling). Read-only phases repeat in place; apply, no-op plan and
    destroy repeat as whole cycles, so every apply starts from empty state."""
    d = tempfile.mkdtemp(prefix=f"bench-{name}-{shape}-{n}-")
    try:
        SHAPES[shape](n, d)
        subprocess.run(base_cmd + ["init", "-no-color", "-input=false"], cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples = {ph: [] for ph in phases}
        for ph in ("validate", "plan"):
            if ph in phases:
                samples[ph] = [run(base_cmd + PHASES[ph], d) for _ in range(repeat)]
        cycle = [ph for ph in ("apply", "noop-plan", "destroy") if ph in phases]
        if cycle:
            for i in range(repeat):
                if "apply" in cycle:
                    samples["apply"].append(run(base_cmd + PHASES["apply"], d))
                if "noop-plan" in cycle:
                    samples["noop-plan"].append(run(base_cmd + PHASES["noop-plan"], d))
                # The last cycle leaves the state applied unless destroy is measured.
                if "destroy" in cycle or i + 1 < repeat:
                    r = run(base_cmd + PHASES["destroy"], d)
                    if "destroy" in cycle:
                        samples["destroy"].append(r)
        return {ph: median(xs) for ph, xs in samples.items() if xs}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def shipped(binary, tmp):
    """The binary as a release ships it, stripped: plinth's release profile
    keeps line tables for profiling, half a gigabyte that slows every process
    start by about 1.5 ms here (Terraform's release binaries are stripped).
    Without `strip`, the binary itself."""
    if not shutil.which("strip"):
        return binary
    out = os.path.join(tmp, "plinth")
    subprocess.run(["strip", "-o", out, binary], check=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--shapes", default="layers")
    ap.add_argument("--phases", default="validate,plan,apply,noop-plan,destroy")
    ap.add_argument("--plinth", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/plinth-target")), "release", "plinth"))
    ap.add_argument("--terraform", default=os.environ.get("TERRAFORM_CMD"))
    ap.add_argument("--terraform-max", type=int, default=5000, help="largest N to run Terraform on")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each plinth phase (the median is kept)")
    ap.add_argument("--terraform-repeat", type=int, default=1, help="runs of each Terraform phase")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-strip", action="store_true", help="measure the plinth binary as built, not a stripped copy")
    a = ap.parse_args()
    phases = a.phases.split(",")
    tmp = tempfile.mkdtemp(prefix="bench-bin-")
    plinth = a.plinth if a.no_strip else shipped(a.plinth, tmp)
    tools = [("plinth", [plinth])]
    if a.terraform:
        tools.append(("terraform", shlex.split(a.terraform)))
    rows = []
    for shape in a.shapes.split(","):
        for n in [int(x) for x in a.sizes.split(",")]:
            res = {}
            for name, cmd in tools:
                if name == "terraform" and n > a.terraform_max:
                    continue
                try:
                    res[name] = bench_tool(name, cmd, shape, n, phases, a.terraform_repeat if name == "terraform" else a.repeat)
                except Exception as e:  # report and go on
                    print(f"# {name} {shape} N={n}: {e}", file=sys.stderr)
            for ph in phases:
                p = res.get("plinth", {}).get(ph)
                t = res.get("terraform", {}).get(ph)
                rows.append((shape, n, ph, p, t))
                line = "%-8s %6d %-10s plinth %8.3fs wall %8.3fs cpu %7.0f MB" % ((shape, n, ph) + (p if p else (0, 0, 0)))
                if t:
                    line += "   terraform %8.3fs wall %6.0f MB   ratio %6.0fx" % (t[0], t[2], t[0] / max(p[0], 1e-9))
                print(line, flush=True)
    if a.markdown:
        print("\n| shape | N | phase | plinth wall | plinth CPU | plinth RSS | Terraform wall | ratio |")
        print("|---|---:|---|---:|---:|---:|---:|---:|")
        for shape, n, ph, p, t in rows:
            if not p:
                continue
            tw = "%.2f s" % t[0] if t else "—"
            ratio = "%.0f×" % (t[0] / max(p[0], 1e-9)) if t else "—"
            print(f"| {shape} | {n} | {ph} | {p[0]:.3f} s | {p[1]:.3f} s | {p[2]:.0f} MB | {tw} | {ratio} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

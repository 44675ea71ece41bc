#!/usr/bin/env python3
"""Runs the corpus' test files under real Terraform and prints, as JSON, each
file's status and each run's status (`terraform test -json`'s words: pass,
fail, error, skip). `tests/it/tftest.rs` compares plinth's with these.

usage: record.py [--terraform CMD] [--out FILE] [CASE...]
(CMD default: $PLINTH_TERRAFORM, else the repository's scripts/terraform.py
under $PLINTH_VENV's python.)"""
import argparse, json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def default_tf():
    if os.environ.get('PLINTH_TERRAFORM'):
        return os.environ['PLINTH_TERRAFORM'].split()
    venv = os.environ.get('PLINTH_VENV', os.path.expanduser('~/.cache/plinth-venv'))
    return [os.path.join(venv, 'bin', 'python'), os.path.join(ROOT, 'scripts', 'terraform.py')]


def cases():
    return sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d, 'tests')))


def run_case(tf, case):
    env = dict(os.environ, TF_CLI_CONFIG_FILE='/dev/null', TF_IN_AUTOMATION='1', CHECKPOINT_DISABLE='1')
    with tempfile.TemporaryDirectory() as tmp:
        # A case may use its siblings' modules (../modules/child).
        shutil.copytree(HERE, os.path.join(tmp, 'c'), ignore=shutil.ignore_patterns('.terraform*', '*.json', '*.py'))
        d = os.path.join(tmp, 'c', case)
        init = subprocess.run(tf + ['init', '-no-color', '-input=false'], cwd=d, env=env, capture_output=True, text=True)
        if init.returncode != 0:
            # Test files that do not load (the malformed case) stop init too.
            init = subprocess.run(tf + ['init', '-no-color', '-input=false', '-test-directory=.no-tests'], cwd=d, env=env, capture_output=True, text=True)
        if init.returncode != 0:
            sys.exit(f'terraform init failed in {case}:\n{init.stdout}{init.stderr}')
        out = {}
        files = sorted(f for f in os.listdir(os.path.join(d, 'tests')) if f.endswith('.tftest.hcl'))
        for f in files:
            # One file at a time: a malformed file stops Terraform from running any.
            p = subprocess.run(tf + ['test', '-json', f'-filter=tests/{f}'], cwd=d, env=env, capture_output=True, text=True)
            rec = {'file': None, 'runs': {}, 'exit': p.returncode}
            for line in p.stdout.splitlines():
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                if m.get('type') == 'test_run' and m['test_run'].get('progress') == 'complete':
                    rec['runs'][m['test_run']['run']] = m['test_run']['status']
                if m.get('type') == 'test_file' and m['test_file'].get('progress') == 'complete':
                    rec['file'] = m['test_file']['status']
            out[f'{case}/tests/{f}'] = rec
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--terraform')
    ap.add_argument('--out')
    ap.add_argument('case', nargs='*')
    a = ap.parse_args()
    tf = a.terraform.split() if a.terraform else default_tf()
    res = {}
    for c in a.case or cases():
        res.update(run_case(tf, c))
    text = json.dumps(res, indent=1, sort_keys=True) + '\n'
    if a.out:
        with open(a.out, 'w') as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Differential testing: run expressions through real Terraform and plinth.

usage: compare.py --cases cases.jsonl --plinth PATH [--terraform CMD]
                  [--cache FILE] [--jobs N] [--outputs] [--report FILE]
                  [--emit-regressions FILE] [--only SUBSTRING]

For every case (`{"id", "group", "expr"}` per line, see gen_cases.py):

* `console`: the expression on stdin of `console -no-color` in a directory
  holding only the conformance `context.tf`, for both tools. Compared: exit
  status, stdout exactly, the first `Error: ...` summary line, and (reported
  separately, as it need not match exactly) the diagnostic detail text.
* with `--outputs`: every expression Terraform evaluates without error becomes
  `output "eN" { value = EXPR }` of one module; `init`, `apply` and
  `output -json` run on both tools and the typed values are compared. Outputs
  Terraform cannot save (infinities, ...) are dropped one by one.
  Multi-line expressions (heredocs) are only checked this way: Terraform's
  console reads piped input one line at a time.

Terraform's results are cached by expression (`--cache`), so re-runs after a
fix only run plinth. `--emit-regressions` writes the differing cases in the
format of the shared conformance corpus (`expressions.jsonl`), with Terraform's
results as the expectation.
"""
import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT = os.path.join(HERE, 'context.tf')
TF_DEFAULT = '/tmp/tfvenv/bin/python /work/shared/tools/terraform'
TIMEOUT = 60
ENV = dict(os.environ, NO_COLOR='1', TF_IN_AUTOMATION='1', CHECKPOINT_DISABLE='1')


def run(cmd, cwd, stdin=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, env=ENV)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, '', 'timed out after %d s' % TIMEOUT


BOX = re.compile(r'^[│╷╵] ?')


def clean_diags(text):
    """Diagnostics without the box drawing, CLI-config warnings and source lines."""
    lines = [BOX.sub('', l) for l in text.splitlines()]
    out = []
    skip_warning = False
    for l in lines:
        if l.startswith('There are some problems with the CLI configuration') or \
                l.startswith('Warning: Unable to open CLI configuration file'):
            skip_warning = True
            continue
        if skip_warning:
            if l.startswith('Error:'):
                skip_warning = False
            else:
                continue
        out.append(l)
    return out


def summary_of(lines):
    for l in lines:
        if l.startswith('Error: '):
            return l.strip()
    return None


SRC_LINE = re.compile(r'^\s+(\d+: |on <console-input>|\(source code not available\)|\^+$|├|│|on .* line \d+)')


def detail_of(lines):
    """The text of the first diagnostic below its summary, source lines dropped."""
    text = []
    started = False
    for l in lines:
        if l.startswith('Error: '):
            if started:
                break
            started = True
            continue
        if not started:
            continue
        if SRC_LINE.match(l) or re.match(r'^\s*\^+\s*$', l) or re.match(r'^\s+on .* line \d+', l):
            continue
        text.append(l.strip())
    return ' '.join(t for t in text if t)


def console(cmd, expr, ctxdir):
    code, out, err = run(cmd + ['console', '-no-color'], ctxdir, expr + '\n')
    lines = clean_diags(err + '\n' + out)
    return {'code': code, 'stdout': out, 'summary': summary_of(lines), 'detail': detail_of(lines) if code else None}


def load_json(text):
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def outputs_once(cmd, todo, sens):
    """Runs one module; returns (results or None, failure summary, failing indexes)."""
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(CONTEXT, d)
        with open(os.path.join(d, 'outputs.tf'), 'w') as f:
            for i, r in enumerate(todo):
                s = '\n  sensitive = true' if sens.get(r['id']) else ''
                f.write('output "e%d" {\n  value = %s%s\n}\n' % (i, r['expr'], s))
        code, out, err = run(cmd + ['init', '-no-color', '-input=false'], d)
        if code == 0:
            code, out, err = run(cmd + ['apply', '-auto-approve', '-no-color', '-input=false'], d)
        if code != 0:
            text = '\n'.join(clean_diags(err + '\n' + out))
            bad = set()
            for m in re.finditer(r'on outputs\.tf line (\d+)', text):
                line = int(m.group(1))
                n = 0
                for i, r in enumerate(todo):
                    length = 2 + r['expr'].count('\n') + (1 if sens.get(r['id']) else 0) + 1
                    if n < line <= n + length:
                        bad.add(i)
                        break
                    n += length
            return None, summary_of(text.splitlines()), bad
        code, out, err = run(cmd + ['output', '-json'], d)
        got = load_json(out) if code == 0 and out.strip() else {}
        return {r['id']: (None if got.get('e%d' % i) is None else (got['e%d' % i].get('value'), got['e%d' % i].get('type')))
                for i, r in enumerate(todo)}, None, set()


def outputs(cmd, recs, sens):
    """{id: (value, type) | None (omitted)} for expressions as outputs of one
    module, and {id: error summary} for those that cannot be outputs. Failing
    outputs are found by the line Terraform names or, failing that (a state
    that cannot be saved), by bisection."""
    results, dropped = {}, {}
    stack = [list(recs)]
    while stack:
        todo = stack.pop()
        if not todo:
            continue
        res, summ, bad = outputs_once(cmd, todo, sens)
        if res is not None:
            results.update(res)
        elif bad:
            for i in bad:
                dropped[todo[i]['id']] = summ
            stack.append([r for i, r in enumerate(todo) if i not in bad])
        elif len(todo) == 1:
            dropped[todo[0]['id']] = summ
        else:
            half = len(todo) // 2
            stack.append(todo[:half])
            stack.append(todo[half:])
    return results, dropped


def dump_exact(rec):
    """JSON with Decimal numbers written exactly as parsed."""
    def tag(v):
        if isinstance(v, Decimal):
            return '\x00DEC:%s\x00' % v
        if isinstance(v, dict):
            return {k: tag(x) for k, x in v.items()}
        if isinstance(v, list):
            return [tag(x) for x in v]
        return v
    text = json.dumps(tag(rec), ensure_ascii=False)
    return re.sub(r'"\\u0000DEC:([^"\\]*)\\u0000"', r'\1', text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cases', required=True)
    ap.add_argument('--plinth', required=True)
    ap.add_argument('--terraform', default=TF_DEFAULT)
    ap.add_argument('--cache', default=os.path.join(HERE, '.oracle-cache.jsonl'))
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--outputs', action='store_true')
    ap.add_argument('--no-console', action='store_true')
    ap.add_argument('--report')
    ap.add_argument('--emit-regressions')
    ap.add_argument('--emit-all', action='store_true', help='emit every case, not only the differing ones')
    ap.add_argument('--only')
    ap.add_argument('--details', action='store_true', help='also report differing diagnostic details')
    a = ap.parse_args()
    tf = a.terraform.split()
    pl = [os.path.abspath(a.plinth)]
    recs = [json.loads(l) for l in open(a.cases) if l.strip()]
    if a.only:
        recs = [r for r in recs if a.only in r['id'] or a.only in r['expr']]

    cache = {}
    if os.path.exists(a.cache):
        for l in open(a.cache):
            if l.strip():
                c = json.loads(l)
                cache[c['expr']] = c
    ctxdir = tempfile.mkdtemp()
    shutil.copy(CONTEXT, ctxdir)

    single = [r for r in recs if '\n' not in r['expr']]
    diffs = []  # (category, rec, tf, pl)
    tfres, plres = {}, {}
    if not a.no_console:
        missing = [r for r in single if r['expr'] not in cache]
        with open(a.cache, 'a') as cf_out, cf.ThreadPoolExecutor(a.jobs) as ex:
            for r, res in zip(missing, ex.map(lambda r: console(tf, r['expr'], ctxdir), missing)):
                res = dict(res, expr=r['expr'])
                cache[r['expr']] = res
                cf_out.write(json.dumps(res, ensure_ascii=False) + '\n')
        with cf.ThreadPoolExecutor(a.jobs) as ex:
            for r, res in zip(single, ex.map(lambda r: console(pl, r['expr'], ctxdir), single)):
                t = cache[r['expr']]
                tfres[r['id']], plres[r['id']] = t, res
                if t['code'] != res['code']:
                    diffs.append(('exit', r, t, res))
                elif t['code'] == 0 and t['stdout'] != res['stdout']:
                    diffs.append(('stdout', r, t, res))
                elif t['code'] != 0 and t['summary'] != res['summary']:
                    diffs.append(('summary', r, t, res))
                elif a.details and t['code'] != 0 and t['detail'] != res['detail']:
                    diffs.append(('detail', r, t, res))

    outdiffs = {}
    tfout = {}
    if a.outputs:
        ok = [r for r in recs if '\n' in r['expr'] or (r['id'] in tfres and tfres[r['id']]['code'] == 0)]
        sens = {r['id']: '(sensitive value)' in tfres.get(r['id'], {}).get('stdout', '') for r in ok}
        tfout, tfdropped = outputs(tf, ok, sens)
        keep = [r for r in ok if r['id'] not in tfdropped]
        plout, pldropped = outputs(pl, keep, sens)
        for r in keep:
            if tfout.get(r['id']) != plout.get(r['id']):
                outdiffs[r['id']] = (r, tfout.get(r['id']), plout.get(r['id']))
        for rid, s in tfdropped.items():
            tfout[rid] = ('DROPPED', s)

    cats = {}
    lines = []
    for cat, r, t, p in diffs:
        cats[cat] = cats.get(cat, 0) + 1
        lines.append('DIFF %-7s %s  %s\n   tf: %s\n   pl: %s' % (
            cat, r['id'], r['expr'],
            json.dumps({k: t[k] for k in ('code', 'stdout', 'summary', 'detail')}, ensure_ascii=False)[:600],
            json.dumps({k: p[k] for k in ('code', 'stdout', 'summary', 'detail')}, ensure_ascii=False)[:600]))
    for rid, (r, t, p) in outdiffs.items():
        cats['output'] = cats.get('output', 0) + 1
        lines.append('DIFF output  %s  %s\n   tf: %s\n   pl: %s' % (
            rid, r['expr'], json.dumps(t, default=str, ensure_ascii=False)[:600], json.dumps(p, default=str, ensure_ascii=False)[:600]))
    text = '\n'.join(lines)
    if a.report:
        open(a.report, 'w').write(text + '\n')
    else:
        print(text)
    print('cases: %d (console %d); differences: %s' % (len(recs), len(single), json.dumps(cats)))

    if a.emit_regressions:
        ids = {r['id'] for _, r, _, _ in diffs} | set(outdiffs)
        with open(a.emit_regressions, 'a') as f:
            for r in recs:
                if (r['id'] not in ids and not a.emit_all) or '\n' in r['expr'] or r['id'] not in tfres:
                    continue
                t = tfres[r['id']]
                rec = {'id': r['id'], 'group': r['group'], 'expr': r['expr'], 'console': t['stdout'] if t['code'] == 0 else '',
                       'error': t['code'] != 0, 'error_summary': t['summary'] if t['code'] else None,
                       'error_detail': (t['summary'] + '\n\n' + t['detail']) if t['code'] else None,
                       'sensitive': '(sensitive value)' in t['stdout'], 'value': None, 'type': None}
                o = tfout.get(r['id'])
                if t['code'] == 0:
                    if o and o[0] == 'DROPPED':
                        rec['output_error_summary'] = o[1]
                    elif o is None and a.outputs:
                        rec['output_omitted'] = True
                    elif o:
                        rec['value'], rec['type'] = o
                    else:
                        continue  # no typed value known: run with --outputs
                f.write(dump_exact(rec) + '\n')
    sys.exit(1 if diffs or outdiffs else 0)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Generate HCL expressions for differential testing against real Terraform.

usage: gen_cases.py [--seed N] [--per-function N] > cases.jsonl

One JSON record per line: {"id", "group", "expr"} -- the same shape (and
group names) as ../../../shared/conformance/expressions.jsonl, without the
expected results; `compare.py` obtains those from Terraform itself.

Expressions are built from per-function argument pools (good values, values
of the wrong type, null, sensitive values, unicode, extremes), arity
mutations, `...` expansion, and per-feature generators for the language
(operators, templates, heredocs, splats, `for`, conditionals, indexing,
type unification, sets). Deterministic for a given seed.
"""
import argparse
import itertools
import json
import random
import sys

# ------------------------------------------------------------------ pools

STR = ['"hello"', '""', '"é"', '"a\\nb"', '"  x  "', '"ABC"', '"🤔🤷"', '"e\\u0301x"', '"1"',
       '"true"', '"1.5"', '"-0"', '"a,b,c"', '"hello world"', '"\\t tab"', '"ΣΑΣ"', '"ß"',
       '"x"', '"ab"', '"${"in"}terp"', '"%%{x}"', '"0"', '"null"', '"日本語"', '"a b c"',
       '"line1\\nline2\\n"', '"\\u0000"', '"\\r\\n"', '"ǅx"', '"x"', '"Hello, World!"']
NUM = ['0', '1', '-1', '2', '3', '1.5', '-0.5', '0.1', '10', '100', '1e21', '1e-7', '1/3',
       '12345678901234567890', '-1e100', '2.5', '-0', '255', '4294967296', '0.000001', '7',
       '9007199254740993', '1e300', '-2.5', '5', '1e15', '123.456']
BOOL = ['true', 'false']
NULL = ['null']
LIST = ['[]', '["a", "b"]', '[1, 2, 3]', '[1, "a"]', 'tolist(["a"])', 'toset(["b", "a"])', '[null]',
        '[[1], [2]]', '[{ a = 1 }, { a = 2 }]', 'toset([{ a = 1 }, { b = 2 }])', '["b", "a", "b"]',
        'tolist([])', 'toset([])', '[true, false]', '["x", null]', '[3, 1, 2]', 'local.numbers',
        '[["a", "b"], ["c"]]', 'tolist([1, 2])', '[1, [2]]', '[sensitive("s"), "t"]',
        'toset([3, 1, 2])', '["", "a", ""]', 'local.servers', '[{ n = 1 }, { n = "x" }]']
MAP = ['{}', '{ a = 1 }', '{ a = "x", b = "y" }', 'tomap({ a = 1 })', '{ a = [1] }', '{ a = { b = 1 } }',
       'tomap({})', '{ b = 2, a = 1 }', 'local.env_map', 'var.counts', '{ a = null }',
       '{ "x y" = 1, "" = 2 }', '{ a = sensitive("s") }', 'tomap({ a = "1", b = "2" })',
       '{ a = 1, b = "x" }', '{ a = ["x"], b = [] }', '{ a = [1, 2], b = [2, 3] }']
SENS = ['sensitive("x")', 'sensitive(1)', 'sensitive([1, 2])', 'sensitive({ a = 1 })', 'sensitive(null)',
        'sensitive(true)', 'sensitive("")', 'sensitive(["a", "b"])']
MISC = ['local.maybe', 'var.region', 'local.servers[0]', 'local.servers[0].name']

ALL = STR + NUM + BOOL + NULL + LIST + MAP + SENS + MISC

POOLS = {
    'S': STR, 'N': NUM, 'B': BOOL, 'L': LIST, 'M': MAP, 'A': ALL,
    'SL': ['["a", "b"]', '[]', '["x"]', 'tolist(["b", "a"])', 'toset(["c", "a", "b"])', '["a", "", "b"]',
           '["é", "e", "E"]', '[1, 2]', '["a", 1, true]', '["a", null]', '["🤔", "a\\nb"]', '["b", "a", "b"]'],
    'NL': ['[1, 2, 3]', '[]', '[0.1, 0.2]', '["1", "2"]', '[-1, 1e30]', 'toset([1, 2])', '[1.5]',
           '[1, null]', '[1, "a"]', 'local.numbers', '[12345678901234567890, 1]'],
    'BL': ['[true, false]', '[]', '[true]', '["true"]', '[null, true]', 'toset([false])', '["false", false]',
           '[false]', '[1]'],
    'I': ['0', '1', '2', '3', '-1', '1.5', '"2"', '10', '100', '-3', '1e3'],
    'CIDR4': ['"10.0.0.0/8"', '"192.168.0.0/16"', '"10.1.2.0/24"', '"172.16.0.0/12"', '"0.0.0.0/0"',
              '"10.0.0.0/30"', '"10.0.0.5/32"', '"10.1.2.3/23"'],
    'CIDR6': ['"fd00::/8"', '"2001:db8::/32"', '"fd00:fd12:3456:7890::/56"', '"::/0"', '"::1/128"',
              '"2001:db8::/126"'],
    'TS': ['"2017-11-22T00:00:00Z"', '"2018-01-02T23:12:01-08:00"', '"2020-02-29T12:00:00+05:30"',
           '"1999-12-31T23:59:59.999Z"', '"2017-11-22T00:00:00.5Z"', '"0001-01-01T00:00:00Z"',
           '"9999-12-31T23:59:59Z"', '"2024-06-30T10:20:30+00:00"'],
    'DUR': ['"1h"', '"10m"', '"-1h"', '"1.5h"', '"1h30m"', '"300ms"', '"1us"', '"1µs"', '"2h45m30s"',
            '"0s"', '"-90m"', '"1ns"', '"24h"', '"1d"', '"h"', '""', '"1"'],
    'FMTDATE': ['"YYYY-MM-DD"', '"DD MMM YYYY hh:mm ZZZ"', '"EEE, DD MMM YYYY"', '"h:mm:ss A"', '"YY/M/D"',
                '"hh:mm:ss.SSS"', '"ZZZZ ZZZZZ Z"', '"\'T\'"', '"EEEE"', '"MMMM"', '"aa"', '"H"',
                '"mm ss"', '"YYYY-MM-DD\'T\'hh:mm:ssZ"', '"DDD"', '"x"', '"\'unterminated"'],
    'B64': ['"SGVsbG8gV29ybGQ="', '""', '"w6k="', '"YQ=="', '"YWJj"', '"abc"', '"!!!"', '"SGVsbG8"',
            '"/w=="', '"8J+klA=="', '"YQ"', '"Y W J j"'],
    'ENC': ['"UTF-8"', '"UTF-16LE"', '"UTF-16BE"', '"ISO-8859-1"', '"Shift_JIS"', '"windows-1252"',
            '"latin1"', '"utf-8"', '"bogus"', '"ASCII"', '"GBK"', '"EUC-KR"', '"cp1252"'],
    'PATH': ['"foo/bar/baz.txt"', '"/a/b/c"', '""', '"."', '".."', '"/"', '"a//b"', '"/a/../b"',
             '"a/b/"', '"./x"', '"../x/y"', '"C:\\\\x"', '"~"', '"x~"', '"a/./b"', '"/tmp/"', '"é/ü"'],
    'REGEX': ['"[a-z]+"', '"(\\\\d+)-(\\\\d+)"', '"^a"', '"(?i)abc"', '"(?P<x>a)(?P<y>b)"', '""', '"x*"',
              '"\\\\p{L}+"', '"(a)|(b)"', '"(?s).+"', '"a{2,}"', '"["', '"\\\\bw"', '"(?m)^\\\\w"',
              '"(a)(?:b)"', '"é"', '"(?P<n>a)"'],
    'YAML': ['"a: 1"', '"- a\\n- b"', '"1"', '"~"', '"null"', '"true"', '"a: [1, 2]"', '"\\"x\\""', '"1.5"',
             '"0o17"', '"0x1F"', '"1e3"', '".inf"', '"-.inf"', '".nan"', '"a: &x 1\\nb: *x"', '"yes"',
             '"No"', '"on"', '"{a: b}"', '"[]"', '"{}"', '"a:\\n  b: c"', '"!!str 1"', '"!!int \\"1\\""',
             '"2001-12-14"', '"- 1\\n- \'a\'\\n- null"', '"|\\n  x\\n  y\\n"', '"a: b: c"', '"key: \\"é\\""',
             '"0777"', '"+12"', '"1_000"', '"0b101"', '"a: 1\\na: 2"', '"!!binary aGVsbG8="', '"? a\\n: b"'],
    'JSON': ['"{}"', '"[]"', '"1"', '"\\"x\\""', '"null"', '"true"', '"[1, \\"a\\", null]"',
             '"{\\"a\\": {\\"b\\": [1, 2]}}"', '"1e400"', '"-0"', '"0.1"', '"{\\"a\\":1,\\"a\\":2}"', '""',
             '"[1,]"', '"{\\"b\\": 1, \\"a\\": 2}"', '"\\"\\\\ud83d\\\\ude00\\""', '" 1 "', '"[[], {}]"',
             '"1.0"', '"123456789012345678901234567890"', '"{\\"x\\": null}"', '"tru"', '"[1] x"'],
    'CSV': ['"a,b\\n1,2"', '"a\\n1\\n2"', '"a,b\\n1"', '"a,b\\n1,2,3"', '"\\"a\\",\\"b\\"\\n\\"x,y\\",z"',
            '"a\\n"', '"a,a\\n1,2"', '"a,b\\r\\n1,2\\r\\n"', '"a b,c\\n x , y "', '"a\\n\\"unterminated"',
            '"a,b\\n\\n1,2"', '"é\\nü"', '"a\\n\\"multi\\nline\\""'],
    'UUIDNS': ['"dns"', '"url"', '"oid"', '"x500"', '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"', '"nope"',
               '"00000000-0000-0000-0000-000000000000"', '"DNS"', '""'],
    'FMT': ['"%s"', '"%d"', '"%5.2f"', '"%v"', '"%#v"', '"%q"', '"%t"', '"%x"', '"%X"', '"%o"', '"%b"',
            '"%e"', '"%E"', '"%g"', '"%G"', '"%%"', '"%-5s|"', '"%05d"', '"%+d"', '"%[2]s %[1]s"',
            '"%.3s"', '"%10.3f"', '"%*d"', '"%s %s"', '"%[3]s"', '"%"', '"%z"', '"%T"', '"%c"', '"%U"',
            '"% d"', '"%#x"', '"%8.3e"', '"%-8v|"', '"%.0f"', '"%.1f"', '"%#o"', '"%f"', '"%.2g"'],
    'TMPL': ['local.tmpl_hello', 'local.tmpl_for', 'local.tmpl_if', 'local.tmpl_num', 'local.tmpl_only',
             'local.tmpl_func', 'local.tmpl_bad', 'local.tmpl_plain', '"x"', '"${1}"'],
}

# name: (list of parameter pools, variadic pool or None)
FUNCS = {
    'abs': (['N'], None), 'ceil': (['N'], None), 'floor': (['N'], None), 'log': (['N', 'N'], None),
    'max': ([], 'N'), 'min': ([], 'N'), 'parseint': (['S', 'I'], None), 'pow': (['N', 'N'], None),
    'signum': (['N'], None),
    'chomp': (['S'], None), 'endswith': (['S', 'S'], None), 'format': (['FMT'], 'A'),
    'formatlist': (['FMT'], 'A'), 'indent': (['I', 'S'], None), 'join': (['S'], 'SL'), 'lower': (['S'], None),
    'regex': (['REGEX', 'S'], None), 'regexall': (['REGEX', 'S'], None), 'replace': (['S', 'S', 'S'], None),
    'split': (['S', 'S'], None), 'startswith': (['S', 'S'], None), 'strcontains': (['S', 'S'], None),
    'strrev': (['S'], None), 'substr': (['S', 'I', 'I'], None), 'templatestring': (['TMPL', 'M'], None),
    'title': (['S'], None), 'trim': (['S', 'S'], None), 'trimprefix': (['S', 'S'], None),
    'trimsuffix': (['S', 'S'], None), 'trimspace': (['S'], None), 'upper': (['S'], None),
    'alltrue': (['BL'], None), 'anytrue': (['BL'], None), 'chunklist': (['L', 'I'], None),
    'coalesce': ([], 'A'), 'coalescelist': ([], 'L'), 'compact': (['SL'], None), 'concat': ([], 'L'),
    'contains': (['L', 'A'], None), 'distinct': (['L'], None), 'element': (['L', 'I'], None),
    'flatten': (['L'], None), 'index': (['L', 'A'], None), 'keys': (['M'], None), 'length': (['A'], None),
    'lookup': (['M', 'S', 'A'], None), 'matchkeys': (['L', 'L', 'L'], None), 'merge': ([], 'M'),
    'one': (['L'], None), 'range': (['I'], 'I'), 'reverse': (['L'], None), 'setintersection': (['L'], 'L'),
    'setproduct': ([], 'L'), 'setsubtract': (['L', 'L'], None), 'setunion': (['L'], 'L'),
    'slice': (['L', 'I', 'I'], None), 'sort': (['SL'], None), 'sum': (['NL'], None),
    'transpose': (['M'], None), 'values': (['M'], None), 'zipmap': (['SL', 'L'], None),
    'base64decode': (['B64'], None), 'base64encode': (['S'], None), 'base64gzip': (['S'], None),
    'csvdecode': (['CSV'], None), 'jsondecode': (['JSON'], None), 'jsonencode': (['A'], None),
    'textdecodebase64': (['B64', 'ENC'], None), 'textencodebase64': (['S', 'ENC'], None),
    'urlencode': (['S'], None), 'yamldecode': (['YAML'], None), 'yamlencode': (['A'], None),
    'abspath': (['PATH'], None), 'dirname': (['PATH'], None), 'pathexpand': (['PATH'], None),
    'basename': (['PATH'], None),
    'formatdate': (['FMTDATE', 'TS'], None), 'timeadd': (['TS', 'DUR'], None), 'timecmp': (['TS', 'TS'], None),
    'base64sha256': (['S'], None), 'base64sha512': (['S'], None), 'md5': (['S'], None), 'sha1': (['S'], None),
    'sha256': (['S'], None), 'sha512': (['S'], None), 'uuidv5': (['UUIDNS', 'S'], None),
    'cidrhost': (['CIDR4', 'I'], None), 'cidrnetmask': (['CIDR4'], None), 'cidrsubnet': (['CIDR4', 'I', 'I'], None),
    'cidrsubnets': (['CIDR4'], 'I'),
    'can': (['A'], None), 'try': ([], 'A'), 'nonsensitive': (['A'], None), 'sensitive': (['A'], None),
    'issensitive': (['A'], None), 'tobool': (['A'], None), 'tolist': (['A'], None), 'tomap': (['A'], None),
    'tonumber': (['A'], None), 'toset': (['A'], None), 'tostring': (['A'], None),
}

# Extra hand-picked arguments that exercise corners of particular functions.
EXTRA = {
    'abs': ['abs(-0.5)', 'abs("-3")', 'abs(1/0)', 'abs(-1/0)', 'abs(-12345678901234567890.5)', 'abs(sensitive(-1))'],
    'ceil': ['ceil(-1.5)', 'ceil(1/0)', 'ceil(-0.1)', 'ceil(1e-300)', 'ceil("1e2")', 'ceil(-1/0)'],
    'floor': ['floor(-1.5)', 'floor(1/0)', 'floor(-0.1)', 'floor(2.9999999999999999999)', 'floor(-1/0)'],
    'log': ['log(1, 10)', 'log(0, 10)', 'log(10, 1)', 'log(10, 0)', 'log(1/0, 10)', 'log(8, 2)', 'log(100, 10)',
            'log(2, 8)', 'log(1e300, 10)', 'log(10, -1)', 'log(-1/0, 2)', 'log(1, 1)', 'log(0.001, 10)'],
    'pow': ['pow(2, 10)', 'pow(-2, 3)', 'pow(-8, 1/3)', 'pow(10, 308)', 'pow(10, 309)', 'pow(0, -1)',
            'pow(2, 0.5)', 'pow(1.5, 2)', 'pow(3, 40)', 'pow(10, -5)', 'pow(-1, 0.5)', 'pow(1/0, 0)',
            'pow(2, 1/0)', 'pow(10, 22)', 'pow(10, 23)', 'pow(7, 3)', 'pow(1e10, 2)'],
    'max': ['max()', 'max(1/0, 1)', 'max(-1/0)', 'max(1, 2.5, "3")', 'max([]...)', 'max(toset([1, 2])...)',
            'max(sensitive(1), 2)', 'max(-0, 0)', 'max(12345678901234567890, 12345678901234567891)'],
    'min': ['min()', 'min(-1/0, 1)', 'min([3, 1]...)', 'min("10", "9")', 'min(0.1, 0.10000000000000001)'],
    'parseint': ['parseint("-ff", 16)', 'parseint("zz", 36)', 'parseint("ZZ", 36)', 'parseint("10", 37)',
                 'parseint("", 10)', 'parseint("+5", 10)', 'parseint("1.5", 10)', 'parseint("0777", 8)',
                 'parseint(" 1", 10)', 'parseint("1_000", 10)', 'parseint("-0", 10)', 'parseint("10", "2")',
                 'parseint(10, 10)', 'parseint("10", 2.5)', 'parseint("FF", 16.0)', 'parseint("0b1", 2)',
                 'parseint("１", 10)', 'parseint("-", 10)', 'parseint("99999999999999999999999999", 10)'],
    'signum': ['signum(-5)', 'signum(1/0)', 'signum(-1/0)', 'signum(0.5)', 'signum(-0)', 'signum(1e20)',
               'signum(-2147483648)', 'signum(9223372036854775807)', 'signum(9223372036854775808)'],
    'chomp': ['chomp("\\r")', 'chomp("a\\r\\r")', 'chomp("\\n\\r\\n")', 'chomp("a\\n ")', 'chomp(1)'],
    'format': ['format("%s")', 'format("%s", "a", "b")', 'format("%d", "5")', 'format("%s", [1])',
               'format("%v", [1, "a"])', 'format("%v", { a = 1 })', 'format("%s", null)', 'format("%v", null)',
               'format("%d", null)', 'format("%t", "true")', 'format("%.2f", 1/3)', 'format("%f", 1e21)',
               'format("%e", 12345.678)', 'format("%g", 0.0000123)', 'format("%x", 255)', 'format("%x", "hi")',
               'format("%X", -255)', 'format("%o", 8)', 'format("%b", 5)', 'format("%q", "a\\"b")',
               'format("%10s|", "é")', 'format("%-10s|", "日本")', 'format("%.1s", "日本")', 'format("%5t", true)',
               'format("%#v", "x")', 'format("%#v", 1)', 'format("%#v", [1])', 'format("%#v", null)',
               'format("%v", 1/3)', 'format("%d", 12345678901234567890)', 'format("%s", true)',
               'format("%s", sensitive("x"))', 'format(sensitive("%s"), "x")', 'format("%[1]s %[1]s", "a")',
               'format("%[0]s", "a")', 'format("%[2]s", "a")', 'format("%!", 1)', 'format("%d", 1.0)',
               'format("%5d|%-5d|", 42, 42)', 'format("%+.2e", 1)', 'format("%08.3f", -3.14159)',
               'format("%x", 1.5)', 'format("%s", 1e-7)', 'format("%v", tolist(["a"]))', 'format("%v", true)',
               'format("%c", 65)', 'format("%U", 65)', 'format("%e", 0)', 'format("%g", 1e21)',
               'format("%g", 100000)', 'format("%G", 1e-10)', 'format("%.3g", 1234.5678)', 'format("%#x", 255)',
               'format("% d", 5)', 'format("%x", -1)', 'format("%05s", "ab")', 'format("%.0f", 2.5)',
               'format("%.0f", 3.5)', 'format("%5.1q", "abc")', 'format("%v", { a = [1, { b = null }] })',
               'format("%#v", { b = 1, a = "x" })', 'format("%d %d", [1, 2]...)', 'format("%s", "%s")',
               'format("%*d", 5, 1)', 'format("%.*f", 2, 1.0)', 'format("%s %%", "a")', 'format("%v", "")',
               'format("%s", 12345678901234567890.5)', 'format("%f", 1/3)', 'format("%.30f", 0.1)',
               'format("%e", 1/3)', 'format("%10.4v|", 3.14159)', 'format("%s", -0)', 'format("%d", -0)',
               'format("%t", 1)', 'format("%q", 1)', 'format("%x", true)', 'format("%v", sensitive(1))'],
    'formatlist': ['formatlist("%s-%s", ["a", "b"], "x")', 'formatlist("%s", "x")', 'formatlist("%s")',
                   'formatlist("%s", toset(["b", "a"]))', 'formatlist("%s %s", [], [])', 'formatlist("x", [1, 2])',
                   'formatlist("%d", ["1", "2"])', 'formatlist("%v", [[1], [2]])', 'formatlist("%s", null)',
                   'formatlist("%s=%s", { a = 1 }, ["x"])', 'formatlist("%s", [sensitive("a"), "b"])',
                   'formatlist("%s", sensitive(["a"]))', 'formatlist("[%s]", local.servers[*].name)'],
    'indent': ['indent(2, "")', 'indent(-1, "a\\nb")', 'indent(2, "a\\r\\nb")', 'indent(1.5, "a\\nb")',
               'indent(2, "\\n")', 'indent(3, "a\\n\\n")', 'indent(2, 5)', 'indent(2, "é\\nü")'],
    'join': ['join(",", [])', 'join(",", ["a", null])', 'join(",", [["a"]])', 'join(",", toset(["b", "a"]))',
             'join(sensitive(","), ["a", "b"])', 'join(",", [sensitive("a"), "b"])', 'join(",", [], [])',
             'join(1, [2, 3])', 'join(",", "a", "b")', 'join(", ", local.servers[*].name)', 'join("", ["é", "ü"])'],
    'regex': ['regex("a(b)?", "a")', 'regex("(a)(b)?", "a")', 'regex("(?P<a>x)(?P<b>y)?", "x")',
              'regex("^", "")', 'regex("\\\\d+", "a12b34")', 'regex("[[:alpha:]]+", "ab1")', 'regex("(?U)a+", "aaa")',
              'regex("\\\\z", "a")', 'regex("a++", "a")', 'regex("(?<n>a)", "a")', 'regex("(?P<a>x)|(?P<b>y)", "y")',
              'regex("\\\\", "a")', 'regex("x", null)', 'regex("\\\\Qa.b\\\\E", "a.b")', 'regex("(?i)É", "é")'],
    'regexall': ['regexall("", "abc")', 'regexall("(a)(b)", "abab")', 'regexall("\\\\d", "")',
                 'regexall("(?P<k>\\\\w+)", "a b")', 'regexall("[", "a")', 'regexall("é", "ééé")',
                 'regexall("(a)|b", "ab")', 'regexall("a*?", "aa")', 'regexall("^", "a\\nb")',
                 'regexall("(?m)^", "a\\nb")'],
    'replace': ['replace("aaa", "a", "b")', 'replace("hello", "/l/", "L")', 'replace("hello", "/(h)(e)/", "$2$1")',
                'replace("abc", "/b/", "$0$0")', 'replace("abc", "/(?P<x>b)/", "[${x}]")', 'replace("abc", "//", "-")',
                'replace("a.b", "/./", "x")', 'replace("abc", "/", "/")', 'replace("a/b", "/", "\\\\")',
                'replace("éé", "é", "e")', 'replace("abc", "/B/i", "x")', 'replace("abc", "/(?i)B/", "x")',
                'replace("abc", "b", "$1")', 'replace("x", "/x/", "$")', 'replace("abc", "/b/", "$$")',
                'replace("aaa", "/a*/", "-")', 'replace("a\\nb", "/^b/", "x")', 'replace("", "", "x")',
                'replace("abc", "/(b)/", "${1}x")', 'replace("abc", "/(b)/", "$1x")', 'replace("abc", "/[/", "x")',
                'replace(sensitive("abc"), "b", "x")'],
    'split': ['split("", "")', 'split(",", ",")', 'split("ab", "xabyabz")', 'split(" ", " a  b ")',
              'split(",", "é,ü")', 'split("", "日本")', 'split(",", null)', 'split(sensitive(","), "a,b")'],
    'substr': ['substr("hello", 1, -1)', 'substr("hello", 5, 1)', 'substr("hello", 6, 1)', 'substr("hello", -6, 2)',
               'substr("hello", 0, 0)', 'substr("", 0, 1)', 'substr("hello", 1.5, 2)', 'substr("e\\u0301x", 0, 1)',
               'substr("👍🏽x", 0, 1)', 'substr("hello", -1, -1)', 'substr("hello", 2, -2)', 'substr("hello", 0, -3)',
               'substr("abc", 1, 100)', 'substr("hello", -5, 5)', 'substr("hello", "1", "2")'],
    'title': ['title("")', 'title("élan vital")', 'title("123abc")', 'title("a.b,c")', 'title("ǆ")',
              'title("hello\\nworld")', 'title("ÀB")', 'title("a-b_c d")', 'title("ŉ")'],
    'trim': ['trim("xxaxx", "x")', 'trim("abcba", "ab")', 'trim("  ", " ")', 'trim("a", "abc")',
             'trim("\\ta\\n", "\\t\\n")', 'trim("ééxéé", "éx")', 'trim("?!hello?!", "!?")'],
    'lookup': ['lookup({ a = 1 }, "b")', 'lookup({ a = 1 }, "b", 2)', 'lookup({ a = 1 }, "a", "x")',
               'lookup({ a = "x" }, "b", 1)', 'lookup({ a = [1] }, "b", [])', 'lookup({ a = [1] }, "b", "x")',
               'lookup({}, "a")', 'lookup(tomap({ a = 1 }), "b", "z")', 'lookup({ a = 1, b = "x" }, "a", true)',
               'lookup({ a = { b = 1 } }, "z", { c = 2 })', 'lookup(local.env_map, "dev")', 'lookup(null, "a", 1)',
               'lookup({ a = sensitive(1) }, "a", 2)', 'lookup(sensitive({ a = 1 }), "a")', 'lookup({ a = 1 }, null, 2)',
               'lookup({ a = 1 }, sensitive("a"), 2)', 'lookup({ a = null }, "a", 1)', 'lookup({ a = 1 }, 1, 2)'],
    'element': ['element(["a", "b"], -1)', 'element(["a", "b"], 1.5)', 'element(toset(["b", "a"]), 0)',
                'element([[1], [2]], 3)', 'element(["a"], 12345678901234567890)', 'element(["a"], null)',
                'element(tolist(["x"]), 5)', 'element([1, 2, 3], -4)', 'element(["a", "b"], "1.0")'],
    'slice': ['slice([1, 2, 3], 1, 1)', 'slice([1, 2, 3], 2, 1)', 'slice([1, 2, 3], -1, 2)', 'slice([1, 2, 3], 0, 3)',
              'slice(tolist(["a", "b"]), 0, 1)', 'slice(toset(["a", "b"]), 0, 1)', 'slice([1, 2], 0.5, 1)',
              'slice([], 0, 0)', 'slice(tolist([]), 0, 0)', 'slice([1, 2], "0", "1")'],
    'range': ['range(1, 4)', 'range(1, 8, 2)', 'range(10, 5, -2)', 'range(0, -3, -1)', 'range(5, 1, 1)', 'range(1, 5, -1)',
              'range(1.5)', 'range(0.5, 3)', 'range(1, 2, 0.3)', 'range(3, 3)', 'range("3")', 'range()', 'range(1, 2, 3, 4)',
              'range(-1.5)', 'range(0, 1, 1/3)', 'range(1024)[1023]', 'length(range(1000))', 'range(null)',
              'range(0, 0.3, 0.1)', 'range(2, -2)'],
    'chunklist': ['chunklist([1, 2, 3], 0)', 'chunklist([], 2)', 'chunklist([1, 2, 3], 1)', 'chunklist([1, "a"], 1)',
                  'chunklist(tolist([1, 2, 3]), 2)', 'chunklist([1, 2], 1.5)', 'chunklist([1, 2], null)',
                  'chunklist([[1], [2]], 5)'],
    'coalesce': ['coalesce("", "a")', 'coalesce("", "")', 'coalesce(null, "", "b")', 'coalesce([], [1])',
                 'coalesce([1], ["a"])', 'coalesce(true, "x")', 'coalesce(null, 1, "a")', 'coalesce({ a = 1 }, { b = 2 })',
                 'coalesce(1, true)', 'coalesce(sensitive(null), "x")', 'coalesce(sensitive(""), "x")',
                 'coalesce(null, sensitive("x"))', 'coalesce(tolist([]), ["a"])', 'coalesce("", null)', 'coalesce(0, 1)',
                 'coalesce([1], [true])', 'coalesce(local.maybe, local.maybe, 3)'],
    'coalescelist': ['coalescelist([], [], ["a"])', 'coalescelist(["a"], [1])', 'coalescelist(null, ["a"])',
                     'coalescelist(toset([]), ["a"])', 'coalescelist({}, ["a"])', 'coalescelist([[], []])',
                     'coalescelist(tolist([]), tolist([]))', 'coalescelist([], tolist(["a"]))', 'coalescelist()',
                     'coalescelist(["a"], ["b"], 1)', 'coalescelist(sensitive([]), ["a"])'],
    'concat': ['concat(["a"], ["b"])', 'concat(tolist(["a"]), tolist([1]))', 'concat(tolist(["a"]), ["b", 1])',
               'concat(toset(["b", "a"]), ["c"])', 'concat([1], tolist(["a"]))', 'concat(tolist([]), [])',
               'concat([null], [1])', 'concat(tolist([1]), tolist([true]))', 'concat([sensitive(1)], [2])',
               'concat(sensitive([1]), [2])', 'concat({ a = 1 })', 'concat(tolist([[1]]), [["a"]])',
               'concat(tolist(["a"]), tolist([1]), tolist([true]))', 'concat(toset([1]), toset(["a"]))'],
    'contains': ['contains(toset(["a"]), "a")', 'contains([[1]], [1])', 'contains([{ a = 1 }], { a = 1 })',
                 'contains([1, 2], 1.0)', 'contains([null], null)', 'contains(["a"], null)', 'contains({ a = 1 }, 1)',
                 'contains([1, "a"], "a")', 'contains(tolist([1, 2]), "1")', 'contains([sensitive("a")], "a")',
                 'contains(["a"], sensitive("a"))', 'contains(toset([1, 2]), 2)', 'contains([1, 2], "x")'],
    'distinct': ['distinct([1, "1"])', 'distinct(tolist([1, 1]))', 'distinct(toset(["a"]))', 'distinct([null, null])',
                 'distinct([{ a = 1 }, { a = 1 }, { a = 2 }])', 'distinct([1, 1.0])', 'distinct(["a", sensitive("a")])',
                 'distinct({ a = 1 })', 'distinct([[], []])', 'distinct(["b", "a", "b", "a"])'],
    'flatten': ['flatten([])', 'flatten([[]])', 'flatten([[], [[]]])', 'flatten(tolist([tolist(["a"])]))',
                'flatten([{ a = 1 }, [{ b = 2 }]])', 'flatten([toset([1, 2]), [3]])', 'flatten([[1], "a"])',
                'flatten(toset([["a"]]))', 'flatten([null])', 'flatten([[null, [null]]])', 'flatten({ a = [1] })',
                'flatten([sensitive([1]), [2]])', 'flatten(tolist([[1, 2], [3]]))', 'flatten([tolist([]), []])'],
    'index': ['index(["a", "b", "a"], "a")', 'index([[1]], [1])', 'index(["a"], 1)', 'index([1], 1.0)',
              'index(tolist(["a", "b"]), "b")', 'index([], "a")', 'index({ a = 1 }, 1)', 'index([null], null)',
              'index(["1"], 1)', 'index([true], "true")', 'index([sensitive("a")], "a")'],
    'keys': ['keys({})', 'keys(tomap({ b = 1, a = 2 }))', 'keys({ a = 1, B = 2, "1" = 3 })', 'keys(local.env_map)',
             'keys(var.counts)', 'keys(sensitive({ a = 1 }))', 'keys({ a = sensitive(1) })', 'keys(tomap({}))'],
    'length': ['length("👍🏽")', 'length("e\\u0301")', 'length(toset([1, 1]))', 'length(tomap({}))', 'length(1)',
               'length(true)', 'length(local.servers)', 'length("\\r\\n")', 'length([null])', 'length({})',
               'length(sensitive("abc"))', 'length([sensitive(1)])', 'length("🇺🇸🇬🇧")', 'length(12345)',
               'length("\\u0000")'],
    'matchkeys': ['matchkeys(["a", "b"], ["x", "y"], ["y"])', 'matchkeys([1, 2], ["x", "y"], ["x"])',
                  'matchkeys(["a"], ["x", "y"], ["x"])', 'matchkeys(["a", "b"], [1, 2], ["1"])',
                  'matchkeys(["a", "b"], [1, 2], [1])', 'matchkeys(toset(["a", "b"]), ["x", "y"], ["x"])',
                  'matchkeys(["a", "b"], ["x", null], ["x"])', 'matchkeys(["a", "b"], ["x", "y"], [null])',
                  'matchkeys([[1], [2]], ["x", "y"], ["y"])', 'matchkeys([], [], [])', 'matchkeys(["a"], [1], [true])'],
    'merge': ['merge({ a = 1 }, { a = "x" })', 'merge(tomap({ a = 1 }), tomap({ b = 2 }))',
              'merge(tomap({ a = 1 }), tomap({ b = "x" }))', 'merge(tomap({ a = "x" }), { b = 1 })', 'merge(null)',
              'merge(null, null)', 'merge({ a = 1 }, ["x"])', 'merge({ a = 1 }, "x")', 'merge(tomap({}), {})',
              'merge({}, tomap({}))', 'merge({ a = sensitive(1) }, { b = 2 })', 'merge(sensitive({ a = 1 }), { b = 2 })',
              'merge(tomap({ a = [1] }), tomap({ b = ["x"] }))', 'merge({ b = 1 }, { a = 2 })',
              'merge(tomap({ a = 1 }), { b = [1] })', 'merge(local.env_map, { x = 1 })', 'merge({ a = null }, { b = null })'],
    'one': ['one([1])', 'one(toset([]))', 'one(toset(["a"]))', 'one(tolist([]))', 'one(tolist(["x"]))', 'one(null)',
            'one([[1]])', 'one(toset([1, 2]))', 'one([sensitive(1)])', 'one(sensitive([1]))', 'one([null, null])',
            'one({})', 'one(tomap({}))'],
    'reverse': ['reverse([])', 'reverse(tolist([]))', 'reverse([1, [2]])', 'reverse(toset([3, 1, 2]))',
                'reverse({ a = 1 })', 'reverse(sensitive([1, 2]))'],
    'setintersection': ['setintersection([1, 2], [2, 3], [2])', 'setintersection([[1]], [[1]])', 'setintersection([], [])',
                        'setintersection(["a"], [1])', 'setintersection([{ a = 1 }], [{ a = 1 }])', 'setintersection()',
                        'setintersection(toset(["a"]), null)', 'setintersection([1, "a"], ["1"])'],
    'setproduct': ['setproduct([1, 2], ["a"])', 'setproduct(toset(["b", "a"]), [1])', 'setproduct(["a"], [])',
                   'setproduct(tolist(["a"]), tolist([1]))', 'setproduct(toset(["a"]), toset([1]))', 'setproduct(["a"], ["b"], ["c"])',
                   'setproduct([[1]], [{ a = 1 }])', 'setproduct(["a"], "b")', 'setproduct({ a = 1 }, ["b"])',
                   'setproduct(tolist([]), ["a"])', 'setproduct(toset([]), toset([]))', 'setproduct([1, "a"], [true])',
                   'setproduct(["a", 1], ["b"])', 'setproduct(sensitive(["a"]), ["b"])'],
    'setsubtract': ['setsubtract(["a", "b"], ["a"])', 'setsubtract(toset([1, 2]), toset([1]))', 'setsubtract([1], ["1"])',
                    'setsubtract([[1], [2]], [[1]])', 'setsubtract([], [])', 'setsubtract(["a"], [])',
                    'setsubtract([{ a = 1 }, { a = 2 }], [{ a = 1 }])', 'setsubtract(null, ["a"])'],
    'setunion': ['setunion(["a"])', 'setunion([1], [2], ["a"])', 'setunion([], [])', 'setunion([[1]], [[2]])',
                 'setunion(toset([3, 1]), [2])', 'setunion([{ a = 1 }], [{ b = 2 }])', 'setunion(["a"], null)',
                 'setunion([true], ["x"])', 'setunion([1], [true])'],
    'sort': ['sort([])', 'sort(["10", "9", "1"])', 'sort(["b", "a", "b"])', 'sort([true, false])', 'sort([[1]])',
             'sort(toset([3, 1]))', 'sort(["", "a"])', 'sort([sensitive("b"), "a"])', 'sort(sensitive(["b", "a"]))',
             'sort(["ä", "a", "z"])', 'sort(["a\\n", "a"])', 'sort([1.5, 10, 2])'],
    'sum': ['sum([])', 'sum([1])', 'sum([1/0, 1])', 'sum([1/0, -1/0])', 'sum(["a"])', 'sum([[1]])', 'sum([null])',
            'sum(toset([]))', 'sum([1, 2.5, -0.5])', 'sum(tolist([1, 2]))', 'sum({ a = 1, b = 2 })', 'sum([true])',
            'sum([sensitive(1), 2])', 'sum(sensitive([1, 2]))', 'sum([0.1, 0.2, 0.3])', 'sum(["1e2", 1])'],
    'transpose': ['transpose({ a = [] })', 'transpose({ a = ["x", "x"] })', 'transpose(tomap({ a = ["1"] }))',
                  'transpose({ a = [null] })', 'transpose({ a = ["1"], b = ["1"], c = ["2", "1"] })', 'transpose(null)',
                  'transpose({ a = [[1]] })', 'transpose({ a = toset(["x"]) })', 'transpose({ a = ["x"], b = "y" })',
                  'transpose({ a = sensitive(["x"]) })', 'transpose([])'],
    'values': ['values({})', 'values(tomap({ b = 1, a = 2 }))', 'values({ a = 1, b = "x" })', 'values(tomap({}))',
               'values(local.env_map)', 'values(["a"])', 'values({ a = sensitive(1) })', 'values(sensitive({ a = 1 }))',
               'values({ b = [1], a = [] })'],
    'zipmap': ['zipmap(["a", "b"], [1, 2])', 'zipmap(["a", "a"], [1, 2])', 'zipmap([1, 2], ["x", "y"])',
               'zipmap(toset(["b", "a"]), [1, 2])', 'zipmap(["a"], tolist(["x"]))', 'zipmap(["a", "b"], tolist([1, "x"]))',
               'zipmap(["a", "b"], [[1], [2, 3]])', 'zipmap(["a"], [null])', 'zipmap(["a"], "x")', 'zipmap([], [1])',
               'zipmap(["a", "b"], toset([1, 2]))', 'zipmap(["a"], [sensitive(1)])', 'zipmap([sensitive("a")], [1])',
               'zipmap([true], [1])', 'zipmap([[1]], [1])'],
    'alltrue': ['alltrue([])', 'alltrue(["true", true])', 'alltrue([null, true])', 'alltrue(null)', 'alltrue([1])',
                'alltrue([sensitive(true)])', 'alltrue(sensitive([true]))', 'alltrue(tolist([]))', 'alltrue("true")'],
    'anytrue': ['anytrue([])', 'anytrue([null])', 'anytrue(["true"])', 'anytrue([false, null])', 'anytrue([sensitive(true)])',
                'anytrue(toset([true, false]))', 'anytrue([0])', 'anytrue(["yes"])'],
    'compact': ['compact([])', 'compact(["a", null, "", "b"])', 'compact([null])', 'compact(tolist([""]))',
                'compact([true, "x"])', 'compact([[""]])', 'compact([sensitive(""), "a"])', 'compact(["", sensitive("a")])'],
    'base64decode': ['base64decode("/w==")', 'base64decode("gA==")', 'base64decode("SGVsbG8gV29ybGQ")',
                     'base64decode("SGVs bG8=")', 'base64decode("SGVsbG8=\\r\\n")', 'base64decode("====")',
                     'base64decode("YQ==YQ==")', 'base64decode("-_-_")', 'base64decode(1)', 'base64decode(sensitive("YQ=="))'],
    'base64encode': ['base64encode("")', 'base64encode("é")', 'base64encode(1)', 'base64encode(true)',
                     'base64encode("🤔")', 'base64encode(sensitive("x"))'],
    'base64gzip': ['base64gzip("hello")', 'base64gzip("a\\nb")', 'base64gzip(1)', 'base64gzip("hello world hello world")'],
    'csvdecode': ['csvdecode("a")', 'csvdecode("a,b")', 'csvdecode("a,b\\n1,\\"2\\"\\"x\\"")', 'csvdecode("a;b\\n1;2")',
                  'csvdecode("a,b\\n1,2\\n3")', 'csvdecode("\\n")', 'csvdecode("a,b\\n\\"1\\",\\"\\"")',
                  'csvdecode("a,\\"b\\nc\\"\\n1,2")', 'csvdecode("a,b\\n 1,2")', 'csvdecode("a,,b\\n1,2,3")',
                  'csvdecode("\\"a\\"b,c\\n1,2")', 'csvdecode(1)', 'csvdecode("a,b\\n1,2\\n\\n")', 'csvdecode(" a , b \\n1,2")'],
    'jsondecode': ['jsondecode("{\\"a\\": 1, \\"b\\": [true, null]}")', 'jsondecode("1e400")', 'jsondecode("[1, [2, [3]]]")',
                   'jsondecode("\\"\\\\n\\"")', 'jsondecode("{\\"a\\": 1} ")', 'jsondecode("  []")', 'jsondecode("01")',
                   'jsondecode("1.5e-10")', 'jsondecode("NaN")', 'jsondecode("\\"\\\\u00\\"")', 'jsondecode(1)',
                   'jsondecode("[1, 2] [3]")', 'jsondecode("{\\"\\": 1}")', 'jsondecode("-")', 'jsondecode("2e-400")',
                   'jsondecode(sensitive("{}"))', 'jsondecode("[\\"a\\\\tb\\"]")', 'jsondecode("{\\"a\\":{}}")',
                   'jsondecode("0.30000000000000004")', 'jsondecode("1E+2")', 'jsondecode("{\\"b\\":1,\\"a\\":2}").a'],
    'jsonencode': ['jsonencode({ a = [1, "b", null, true] })', 'jsonencode(tolist(["a"]))', 'jsonencode(toset([2, 1]))',
                   'jsonencode(tomap({ b = "x" }))', 'jsonencode(1/0)', 'jsonencode("\\u007f\\u0080")', 'jsonencode("\\u2029")',
                   'jsonencode(-0)', 'jsonencode(0.1)', 'jsonencode(12345678901234567890)', 'jsonencode(1e-300)',
                   'jsonencode("\\ud7ff")', 'jsonencode("\\t\\r\\b\\f")', 'jsonencode(sensitive("x"))',
                   'jsonencode({ a = sensitive(1) })', 'jsonencode(tostring(null))', 'jsonencode([tolist(null)])',
                   'jsonencode("\\u0001")', 'jsonencode({ "é" = 1, "a b" = 2 })', 'jsonencode(1.5e300)',
                   'jsonencode(local.servers)', 'jsonencode("<script>")', 'jsonencode(true)', 'jsonencode([])',
                   'jsonencode({})', 'jsonencode(100000000000000000000000)', 'jsonencode(0.000001)',
                   'jsonencode(123456789.123456789)', 'jsonencode(pow(2, 64))', 'jsonencode(1e21 + 0.5)'],
    'yamlencode': ['yamlencode({ a = [1, 2], b = { c = "d" } })', 'yamlencode("")', 'yamlencode("true")', 'yamlencode("null")',
                   'yamlencode("1")', 'yamlencode("a: b")', 'yamlencode("- x")', 'yamlencode(" lead")', 'yamlencode("trail ")',
                   'yamlencode("line\\n")', 'yamlencode("a\\nb\\n")', 'yamlencode("é")', 'yamlencode("\\t")',
                   'yamlencode(null)', 'yamlencode(true)', 'yamlencode(1.5)', 'yamlencode(1e21)', 'yamlencode(-0)',
                   'yamlencode(12345678901234567890)', 'yamlencode({})', 'yamlencode([[]])', 'yamlencode([{}])',
                   'yamlencode({ "a b" = 1, "1" = 2, "" = 3 })', 'yamlencode(["yes", "no", "on", "off", "y", "n"])',
                   'yamlencode(["~", "0x10", "0o7", "1e3", ".inf", "1_000", "+1", "-.5"])', 'yamlencode(toset(["b", "a"]))',
                   'yamlencode(tomap({ z = 1, a = 2 }))', 'yamlencode([{ a = 1, b = [1, 2] }, "x"])',
                   'yamlencode("#comment")', 'yamlencode("a#b")', 'yamlencode("a #b")', 'yamlencode("key: ")',
                   'yamlencode("*ref")', 'yamlencode("&a")', 'yamlencode("!tag")', 'yamlencode("@x")', 'yamlencode("`x")',
                   'yamlencode("{x}")', 'yamlencode("[x]")', 'yamlencode("x,y")', 'yamlencode("?")', 'yamlencode("%x")',
                   'yamlencode("a\\u0085b")', 'yamlencode("\\u00a0")', 'yamlencode("日本")', 'yamlencode("2001-12-14")',
                   'yamlencode("12:30")', 'yamlencode("0777")', 'yamlencode("=")', 'yamlencode("<<")', 'yamlencode("---")',
                   'yamlencode("...")', 'yamlencode("\\"q\\"")', 'yamlencode("\'q\'")', 'yamlencode("a\\r\\nb")',
                   'yamlencode(" a\\nb")', 'yamlencode("a\\n\\nb")', 'yamlencode("a  \\nb")', 'yamlencode(sensitive(1))',
                   'yamlencode({ a = null, b = [null] })', 'yamlencode(1/3)', 'yamlencode(0.1)', 'yamlencode("\\u0007")',
                   'yamlencode("FALSE")', 'yamlencode("Null")', 'yamlencode("NULL")', 'yamlencode("1.0e+3")',
                   'yamlencode("0b11")', 'yamlencode("-")', 'yamlencode(":")', 'yamlencode("a:")', 'yamlencode("|")',
                   'yamlencode(">")', 'yamlencode("x\\ty")', 'yamlencode([" "])', 'yamlencode("🤔")'],
    'yamldecode': ['yamldecode("a:\\n  - 1\\n  - b: 2")', 'yamldecode("[1, \\"a\\", null, true]")', 'yamldecode("!!float 1")',
                   'yamldecode("1.0")', 'yamldecode("0.1")', 'yamldecode("-0")', 'yamldecode("1e400")', 'yamldecode(".NaN")',
                   'yamldecode("--- a")', 'yamldecode("a: 1\\n---")', 'yamldecode("# c\\n")', 'yamldecode("\\"\\\\u00e9\\"")',
                   'yamldecode("[")', 'yamldecode("a: *x")', 'yamldecode("!!set {a, b}")', 'yamldecode("!!map {a: 1}")',
                   'yamldecode("12345678901234567890")', 'yamldecode("{? [1]: 2}")', 'yamldecode("{1: a, 2: b}")',
                   'yamldecode("{true: a}")', 'yamldecode("{null: a}")', 'yamldecode("{1.5: a}")', 'yamldecode(">\\n  a\\n  b\\n")',
                   'yamldecode("a: |-\\n  x\\n")', 'yamldecode("\'it\'\'s\'")', 'yamldecode("!!null x")', 'yamldecode("!!bool yes")',
                   'yamldecode("y")', 'yamldecode("Y")', 'yamldecode("TRUE")', 'yamldecode("True")', 'yamldecode("tRue")',
                   'yamldecode("0o10")', 'yamldecode("010")', 'yamldecode("-0x1")', 'yamldecode("+.inf")', 'yamldecode("1:2")',
                   'yamldecode("1:20:30")', 'yamldecode("a: [1, [2, {b: c}]]")', 'yamldecode("<<: {a: 1}\\nb: 2")',
                   'yamldecode("- &a x\\n- *a")', 'yamldecode(1)', 'yamldecode("   ")', 'yamldecode("\\t")', 'yamldecode("%YAML 1.2\\n--- 1")',
                   'yamldecode("!!timestamp 2001-12-14")', 'yamldecode("2001-12-14t21:59:43.10-05:00")', 'yamldecode("~: 1")',
                   'yamldecode("a: null\\nb: ~\\nc:")', 'yamldecode("[a, b]: c")', 'yamldecode("!custom x")', 'yamldecode("0.")',
                   'yamldecode(".5")', 'yamldecode("1_0")', 'yamldecode("0b11")', 'yamldecode("6.8523015e+5")'],
    'textdecodebase64': ['textdecodebase64("//4=", "UTF-16LE")', 'textdecodebase64("/w==", "UTF-8")', 'textdecodebase64("gA==", "windows-1252")',
                         'textdecodebase64("aABpAA==", "UTF-16LE")', 'textdecodebase64("k/qWew==", "Shift_JIS")', 'textdecodebase64("YQ", "UTF-8")',
                         'textdecodebase64("YQ==", "")', 'textdecodebase64("gQ==", "Shift_JIS")', 'textdecodebase64("AGEAYg==", "UTF-16BE")'],
    'textencodebase64': ['textencodebase64("hi", "UTF-16LE")', 'textencodebase64("hi", "UTF-16")', 'textencodebase64("€", "windows-1252")',
                         'textencodebase64("é", "US-ASCII")', 'textencodebase64("日本", "EUC-JP")', 'textencodebase64("🤔", "UTF-16BE")',
                         'textencodebase64("x", "")', 'textencodebase64("é", "latin1")', 'textencodebase64("x", "utf8")'],
    'urlencode': ['urlencode("é")', 'urlencode("a b+c")', 'urlencode("/?#[]@")', 'urlencode("!$&\'()*+,;=")', 'urlencode("\\n")',
                  'urlencode("%")', 'urlencode("🤔")', 'urlencode(true)'],
    'abspath': ['abspath("/")', 'abspath("/a/b/..")', 'abspath("/a/b/../..")', 'abspath("/../x")', 'abspath("/a/./.")',
                'abspath("//x")', 'abspath("/é")', 'abspath(1)'],
    'dirname': ['dirname("/")', 'dirname("a")', 'dirname("a/")', 'dirname("/a")', 'dirname("a/b/")', 'dirname("./a")', 'dirname("..")',
                'dirname("a/../b")', 'dirname("//a//b//")'],
    'basename': ['basename("/")', 'basename("")', 'basename("a/")', 'basename(".")', 'basename("//")', 'basename("a/..")',
                 'basename("x.tar.gz")', 'basename("\\\\a\\\\b")'],
    'pathexpand': ['pathexpand("")', 'pathexpand("/~")', 'pathexpand("a/~/b")', 'pathexpand("~user")', 'pathexpand(1)'],
    'formatdate': ['formatdate("YYYY-MM-DD hh:mm:ss", "2017-11-22T00:00:00.123456789Z")', 'formatdate("D/M/YY", "2017-01-02T00:00:00Z")',
                   'formatdate("h A", "2017-01-02T00:00:00Z")', 'formatdate("h A", "2017-01-02T12:00:00Z")', 'formatdate("H", "2017-01-02T05:00:00Z")',
                   'formatdate("ZZZ", "2017-01-02T05:00:00+05:30")', 'formatdate("ZZZZ", "2017-01-02T05:00:00-05:30")',
                   'formatdate("ZZZZZ", "2017-01-02T05:00:00Z")', 'formatdate("Z", "2017-01-02T05:00:00+01:00")',
                   'formatdate("EEE", "2017-01-08T00:00:00Z")', 'formatdate("MMM MMMM", "2017-09-01T00:00:00Z")',
                   'formatdate("YYYYY", "2017-01-02T05:00:00Z")', 'formatdate("Y", "2017-01-02T05:00:00Z")',
                   'formatdate("YYY", "2017-01-02T05:00:00Z")', 'formatdate("ss.SSS", "2017-01-02T05:00:00.5Z")',
                   'formatdate("", "2017-01-02T05:00:00Z")', 'formatdate("abc", "2017-01-02T05:00:00Z")',
                   'formatdate("\'\'", "2017-01-02T05:00:00Z")', 'formatdate("DD", "2017-02-30T00:00:00Z")',
                   'formatdate("DD", "2017-01-02T24:00:00Z")', 'formatdate("DD", "2017-01-02T23:59:60Z")',
                   'formatdate("DD", "2017-01-02 00:00:00Z")', 'formatdate("DD", "2017-01-02T00:00:00")', 'formatdate("DD", "2017-1-2T00:00:00Z")',
                   'formatdate("hh", "2017-01-02T00:00:00+24:00")', 'formatdate("YYYY", "2016-02-29T00:00:00Z")',
                   'formatdate("mm", "2017-01-02T00:60:00Z")', 'formatdate("MM", "2017-00-02T00:00:00Z")', 'formatdate("aa", "2017-01-02T00:00:00Z")',
                   'formatdate("SSS", "2017-01-02T00:00:00.1234Z")', 'formatdate("EEEE", "1970-01-01T00:00:00Z")',
                   'formatdate("ZZZ", "2017-01-02T00:00:00-00:00")', 'formatdate("h:mm", "2017-01-02T13:05:00Z")'],
    'timeadd': ['timeadd("2017-11-22T00:00:00Z", "-1h")', 'timeadd("2017-11-22T00:00:00Z", "1h1m1s1ms1us1ns")',
                'timeadd("2017-11-22T00:00:00Z", "100000h")', 'timeadd("2017-11-22T00:00:00Z", "0")',
                'timeadd("2017-11-22T00:00:00.5Z", "0s")', 'timeadd("2017-11-22T00:00:00.123456789Z", "1ns")',
                'timeadd("2017-11-22T00:00:00Z", "1.5")', 'timeadd("2017-11-22T00:00:00Z", "+1h")', 'timeadd("2017-11-22T00:00:00Z", ".5h")',
                'timeadd("2017-11-22T00:00:00Z", "1h ")', 'timeadd("2017-11-22T00:00:00+01:00", "1h")',
                'timeadd("2017-11-22T00:00:00Z", "99999999999h")', 'timeadd("2017-12-31T23:00:00Z", "1h")',
                'timeadd("2020-02-28T12:00:00Z", "24h")', 'timeadd("2017-11-22T00:00:00Z", "1H")', 'timeadd("2017-11-22T00:00:00Z", "1m1h")',
                'timeadd("0001-01-01T00:00:00Z", "-1h")'],
    'timecmp': ['timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")', 'timecmp("2017-11-22T00:00:00.5Z", "2017-11-22T00:00:00Z")',
                'timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:01Z")', 'timecmp("2017-11-22T00:00:00+01:00", "2017-11-22T00:00:00Z")',
                'timecmp("x", "y")', 'timecmp("2017-11-22T00:00:00Z", "x")'],
    'uuidv5': ['uuidv5("oid", "1.3.6.1")', 'uuidv5("x500", "cn=x")', 'uuidv5("dns", "é")', 'uuidv5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "x")',
               'uuidv5("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x")', 'uuidv5("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x")',
               'uuidv5("6ba7b8109dad11d180b400c04fd430c8", "x")', 'uuidv5("6ba7b810-9dad-11d1-80b4", "x")', 'uuidv5("url", 1)'],
    'cidrhost': ['cidrhost("10.0.0.0/8", 0)', 'cidrhost("10.0.0.0/8", 16777215)', 'cidrhost("10.0.0.0/8", 16777216)',
                 'cidrhost("10.0.0.0/32", 0)', 'cidrhost("10.0.0.0/32", 1)', 'cidrhost("::/0", 1)',
                 'cidrhost("2001:db8::/32", -1)', 'cidrhost("10.0.0.0/24", 1.5)', 'cidrhost("10.0.0.0/24", "5")',
                 'cidrhost("10.0.0.0/24", 256)', 'cidrhost("10.0.0.0/24", -256)', 'cidrhost("10.1.2.3/24", 0)',
                 'cidrhost("::ffff:10.0.0.0/120", 1)', 'cidrhost("2001:db8::/64", 18446744073709551615)',
                 'cidrhost("2001:db8::/64", 18446744073709551616)', 'cidrhost("010.0.0.0/24", 1)', 'cidrhost("10.0.0.0/024", 1)',
                 'cidrhost("::/0", 340282366920938463463374607431768211455)', 'cidrhost("::/0", -340282366920938463463374607431768211456)'],
    'cidrnetmask': ['cidrnetmask("0.0.0.0/0")', 'cidrnetmask("10.0.0.0/1")', 'cidrnetmask("fd00::/8")', 'cidrnetmask("10.0.0.0/33")',
                    'cidrnetmask("10.0.0.0")', 'cidrnetmask("10.0.0.0/-1")', 'cidrnetmask("::ffff:10.0.0.0/104")'],
    'cidrsubnet': ['cidrsubnet("10.0.0.0/8", 8, 255)', 'cidrsubnet("10.0.0.0/8", 8, 256)', 'cidrsubnet("10.0.0.0/8", 0, 0)',
                   'cidrsubnet("10.0.0.0/8", 24, 16777215)', 'cidrsubnet("10.0.0.0/8", 25, 0)', 'cidrsubnet("fd00::/8", 16, 65535)',
                   'cidrsubnet("fd00::/8", 120, 1)', 'cidrsubnet("fd00::/8", 121, 1)', 'cidrsubnet("10.0.0.0/8", 8, -1)',
                   'cidrsubnet("10.1.2.3/24", 2, 1)', 'cidrsubnet("::/0", 64, 18446744073709551615)', 'cidrsubnet("10.0.0.0/8", 1.5, 0)',
                   'cidrsubnet("10.0.0.0/8", 4, 1.5)', 'cidrsubnet("10.0.0.0/8", "4", "1")', 'cidrsubnet("2001:db8::/32", 96, 1)',
                   'cidrsubnet("0.0.0.0/0", 32, 4294967295)', 'cidrsubnet("10.0.0.0/8", -8, 0)', 'cidrsubnet("10.0.0.0/8", -9, 0)'],
    'cidrsubnets': ['cidrsubnets("10.0.0.0/8")', 'cidrsubnets("10.0.0.0/8", 8)', 'cidrsubnets("10.0.0.0/8", 0)',
                    'cidrsubnets("10.0.0.0/8", 8, 4)', 'cidrsubnets("10.0.0.0/8", 25)', 'cidrsubnets("10.0.0.0/8", 24, 24, 24)',
                    'cidrsubnets("fd00::/8", 1, 2, 3)', 'cidrsubnets("10.0.0.0/30", 1, 1, 1)', 'cidrsubnets("10.0.0.0/30", 2, 2, 2, 2)',
                    'cidrsubnets("10.0.0.0/30", 2, 2, 2, 2, 2)', 'cidrsubnets("10.0.0.0/8", 1.5)', 'cidrsubnets("nope", 1)',
                    'cidrsubnets("10.0.0.0/8", 4, 2, 4)', 'cidrsubnets("10.0.0.0/8", [4, 4]...)', 'cidrsubnets("10.0.0.0/8", null)'],
    'can': ['can(null)', 'can([][0])', 'can(local.servers[5])', 'can(local.servers[0].nope)', 'can(sensitive(1))', 'can(1/0)',
            'can(1, 2)', 'can(var.nope)', 'can(nosuchfunc(1))', 'can(tonumber("1"))', 'can(local.maybe.x)', 'can({}.a)',
            'can(regex("a", "b"))', 'can(("a"))', 'can([for x in [1] : x.y])', 'can("${[1]}")', 'can(upper(1, 2))'],
    'try': ['try()', 'try(null)', 'try(null, 1)', 'try([][0], [])', 'try(local.servers[0].nope, "d")', 'try(1, "a")',
            'try(tonumber("x"), "a")', 'try(var.nope, 1)', 'try(sensitive(1), 2)', 'try({ a = 1 }.b, { a = 2 }.a)',
            'try(jsondecode("{"), {})', 'try(local.env_map.x, local.env_map.dev)', 'try(1/0, 2)', 'try(nosuchfunc(1), 2)',
            'try(tolist({}), tolist([]))', 'try([for x in [1, "a"] : x + 1], [])', 'try(local.maybe[0], "n")',
            'try(upper(), "x")', 'try("${[1]}", "y")'],
    'sensitive': ['sensitive(sensitive(1))', 'sensitive(null)', 'sensitive(1) + 1', 'sensitive("a") == "a"', 'upper(sensitive("a"))',
                  '"x${sensitive("y")}"', 'sensitive([1, 2])[0]', 'sensitive({ a = 1 }).a', 'tolist(sensitive([1]))',
                  'sensitive([1, 2])[*]', '[for x in sensitive([1, 2]) : x]', '{ for k, v in sensitive({ a = 1 }) : k => v }',
                  'sensitive(true) ? 1 : 2', 'true ? sensitive(1) : 2', 'false ? sensitive(1) : 2', 'keys(sensitive({ a = 1 }))',
                  'sensitive(1, 2)', 'toset([sensitive("a"), "b"])', 'tomap({ a = sensitive(1) })', 'sensitive(tostring(null))',
                  'length(sensitive("abc"))', 'sensitive([])', 'sensitive({})', '[sensitive([1])]', 'jsonencode(sensitive([1]))',
                  'sensitive(1) > 0', '!sensitive(false)', '-sensitive(1)', 'sensitive(["a"])[*]', 'tostring(sensitive(1))',
                  'merge(sensitive({ a = 1 }))', 'sensitive("x") != null', 'sensitive({ a = [1] }).a[0]',
                  '{ (sensitive("k")) = 1 }', 'toset(sensitive(["a"]))', 'sensitive(local.servers)[0].name',
                  'sensitive(1) == sensitive(1)', '[for x in [sensitive(1), 2] : x * 2]', 'type(sensitive(1))',
                  'concat(sensitive(["a"]), ["b"])', 'sensitive("a\\nb")', '{ a = { b = sensitive("x") } }',
                  'tolist([sensitive("a"), "b"])', 'tomap({ a = sensitive("x"), b = "y" })'],
    'nonsensitive': ['nonsensitive("x")', 'nonsensitive(1)', 'nonsensitive(null)', 'nonsensitive(sensitive([1]))',
                     'nonsensitive({ a = sensitive(1) })', 'nonsensitive(sensitive({ a = sensitive(1) }))', 'nonsensitive()',
                     'nonsensitive(sensitive(1) + 1)', 'nonsensitive(toset([sensitive("a")]))', 'nonsensitive([sensitive(1)])[0]',
                     'nonsensitive(sensitive(tolist(["a"])))', 'nonsensitive(tomap({ a = sensitive(1) }))'],
    'issensitive': ['issensitive(1)', 'issensitive(sensitive(null))', 'issensitive({ a = sensitive(1) })', 'issensitive(sensitive([1])[0])',
                    'issensitive(sensitive(1) + 1)', 'issensitive()', 'issensitive(1, 2)', 'issensitive("${sensitive("x")}y")',
                    'issensitive(toset([sensitive("a")]))', 'issensitive(sensitive({ a = 1 }).a)', 'issensitive(tomap({ a = sensitive(1) }))'],
    'tobool': ['tobool(true)', 'tobool("false")', 'tobool(null)', 'tobool("")', 'tobool(0)', 'tobool("1")', 'tobool(sensitive("true"))',
               'tobool("TRUE")', 'tobool(" true")', 'tobool({})'],
    'tolist': ['tolist(toset(["b", "a"]))', 'tolist(["a", ["b"]])', 'tolist([{ a = 1 }, { a = "x" }])', 'tolist([{ a = 1 }, { b = 1 }])',
               'tolist([null])', 'tolist([null, null])', 'tolist([[], [1]])', 'tolist([{}, { a = 1 }])', 'tolist("a")', 'tolist(1)',
               'tolist([tolist([]), ["a"]])', 'tolist([1, 2.5])', 'tolist([true, "true"])', 'tolist([sensitive(1), 2])',
               'tolist(sensitive([1]))', 'tolist([[1], toset([2])])', 'tolist([{ a = [1] }, { a = ["x"] }])',
               'tolist([tomap({ a = 1 }), { a = "x" }])', 'tolist([tomap({ a = 1 }), { b = true }])', 'tolist([[], {}])',
               'tolist(local.servers)', 'tolist([{ a = null }, { a = 1 }])', 'tolist([null, [1]])', 'tolist([null, { a = 1 }])'],
    'tomap': ['tomap({})', 'tomap({ a = 1, b = "x" })', 'tomap({ a = true, b = "x" })', 'tomap({ a = true, b = 1 })',
              'tomap({ a = null })', 'tomap({ a = null, b = 1 })', 'tomap({ a = {}, b = { c = 1 } })', 'tomap({ a = [], b = ["x"] })',
              'tomap({ a = [1], b = ["x"] })', 'tomap({ a = [1], b = [true] })', 'tomap(tomap({ a = 1 }))', 'tomap({ a = sensitive(1) })',
              'tomap(sensitive({ a = 1 }))', 'tomap(local.env_map)', 'tomap({ a = { x = 1 }, b = { y = 2 } })', 'tomap(["a"])',
              'tomap({ a = toset([1]), b = [2] })', 'tomap({ a = 1, b = "2", c = true })'],
    'tonumber': ['tonumber("1e3")', 'tonumber("1.5e-3")', 'tonumber("-1")', 'tonumber("+1")', 'tonumber(".5")', 'tonumber("5.")',
                 'tonumber("1_000")', 'tonumber("")', 'tonumber(true)', 'tonumber("inf")', 'tonumber("NaN")', 'tonumber("Infinity")',
                 'tonumber("1e400")', 'tonumber("0.1")', 'tonumber("00012")', 'tonumber("1 ")', 'tonumber("１")', 'tonumber([1])',
                 'tonumber(sensitive("1"))', 'tonumber("1E2")', 'tonumber("0b1")', 'tonumber("123456789012345678901234567890")',
                 'tonumber("-0.0")', 'tonumber("1e-400")', 'tonumber("0x")', 'tonumber("e5")'],
    'toset': ['toset([])', 'toset([1, "a"])', 'toset([1, true])', 'toset(["a", "A", "b", "B"])', 'toset([null, null])',
              'toset([[1], ["a"]])', 'toset([{ a = 1 }, { a = "x" }])', 'toset([{ b = 2, a = 1 }, { b = 1, a = 2 }])',
              'toset([1, 1.0, 1.00])', 'toset(toset([1]))', 'toset(tolist(["b", "a"]))', 'toset("a")', 'toset({ a = 1 })',
              'toset([[2, 1], [1, 2], [1]])', 'toset([["b"], ["a", "c"], []])', 'toset([{ a = [2] }, { a = [1] }])',
              'toset([0.5, -0.5, 1e21, -1e21, 0])', 'toset([tolist([]), tolist(["a"])])', 'toset([{}, {}])',
              'toset([{ n = "b" }, { n = "a" }, { n = "c" }])', 'toset([{ n = 10 }, { n = 9 }, { n = 100 }])',
              'toset([true, "x"])', 'toset(["10", "9", "1", "100"])', 'toset([10, 9, 1, 100, -5])',
              'toset(["é", "e", "z", "Z", "ä"])', 'toset([sensitive("a"), "b"])', 'toset([[true], [false]])',
              'toset([{ a = 1, b = "x" }, { a = 1, b = "a" }])', 'toset([tomap({ a = 1 }), tomap({ a = 0 })])',
              'toset([{ a = null }, { a = "x" }])', 'toset([[null], ["a"]])', 'toset([["a", "b"], ["a"]])',
              'toset([{ x = { y = 2 } }, { x = { y = 1 } }])', 'toset([toset(["b"]), toset(["a"])])'],
    'tostring': ['tostring(null)', 'tostring([1])', 'tostring(-0)', 'tostring(1e-7)', 'tostring(12345678901234567890.123)',
                 'tostring(sensitive(1))', 'tostring("a\\nb")', 'tostring(false)', 'tostring({})', 'tostring(0.1 + 0.2)',
                 'tostring(1/0)', 'tostring(-1/0)', 'tostring(1e100)'],
    'templatestring': ['templatestring(local.tmpl_for, { items = [1, 2] })', 'templatestring(local.tmpl_for, { items = [] })',
                       'templatestring(local.tmpl_if, { on = false })', 'templatestring(local.tmpl_if, { on = "true" })',
                       'templatestring(local.tmpl_if, { on = null })', 'templatestring(local.tmpl_num, { a = 1, b = 2 })',
                       'templatestring(local.tmpl_num, { a = "x", b = 2 })', 'templatestring(local.tmpl_only, { v = [1] })',
                       'templatestring(local.tmpl_only, { v = null })', 'templatestring(local.tmpl_only, { v = true })',
                       'templatestring(local.tmpl_only, { v = { a = 1 } })', 'templatestring(local.tmpl_plain, {})',
                       'templatestring(local.tmpl_hello, { name = "W" })', 'templatestring(local.tmpl_hello, { name = 1, extra = 2 })',
                       'templatestring(local.tmpl_hello, tomap({ name = "m" }))', 'templatestring(local.tmpl_hello, null)',
                       'templatestring(local.tmpl_hello, ["x"])', 'templatestring(local.tmpl_hello, { name = sensitive("s") })',
                       'templatestring(local.tmpl_func, { s = "é" })', 'templatestring(local.tmpl_func, { s = 1 })',
                       'templatestring(local.tmpl_hello)', 'templatestring(local.tmpl_for, { items = toset(["b", "a"]) })',
                       'templatestring(local.tmpl_for, { items = { a = 1 } })', 'templatestring(local.tmpl_for, { items = "x" })',
                       'templatestring(local.tmpl_only, { v = 1/3 })', 'templatestring(local.tmpl_plain, { x = 1 })',
                       'templatestring(local.tmpl_hello, { name = "${1}" })', 'templatestring(local.tmpl_num, { a = 1 })',
                       'templatestring(var.region, {})', 'templatestring(local.tmpl_only, { v = "a\\nb" })'],
}


def q(s):
    return s


class Gen:
    def __init__(self, seed, per_function):
        self.rnd = random.Random(seed)
        self.per = per_function
        self.seen = set()
        self.out = []

    def add(self, group, expr):
        if expr in self.seen or '\n' in expr and not group.startswith('lang-heredoc'):
            return
        self.seen.add(expr)
        self.out.append((group, expr))

    def pick(self, pool):
        return self.rnd.choice(POOLS[pool])

    def functions(self):
        for name, (params, variadic) in FUNCS.items():
            g = 'fn-' + name
            for e in EXTRA.get(name, []):
                self.add(g, e)
            n = len(params)
            for _ in range(self.per):
                mode = self.rnd.random()
                args = [self.pick(p) for p in params]
                if variadic:
                    args += [self.pick(variadic) for _ in range(self.rnd.randint(0 if params else 1, 3))]
                if mode < 0.55:
                    pass  # well-typed
                elif mode < 0.75 and args:
                    i = self.rnd.randrange(len(args))
                    args[i] = self.rnd.choice(ALL)
                elif mode < 0.82 and args:
                    i = self.rnd.randrange(len(args))
                    args[i] = self.rnd.choice(NULL + SENS)
                elif mode < 0.87 and args:
                    i = self.rnd.randrange(len(args))
                    args[i] = 'sensitive(%s)' % args[i]
                elif mode < 0.9:
                    args = args[:max(0, n - 1)] if n else []
                elif mode < 0.93:
                    args = args + [self.rnd.choice(ALL)]
                elif mode < 0.96 and args:
                    # final-argument expansion
                    if variadic:
                        self.add(g, '%s(%s[%s]...)' % (name, ''.join(a + ', ' for a in args[:n]),
                                                      ', '.join(args[n:])))
                        continue
                    self.add(g, '%s([%s]...)' % (name, ', '.join(args)))
                    continue
                else:
                    # wrapped result: exercises the result type
                    wrap = self.rnd.choice(['length(%s)', 'jsonencode(%s)', '[%s]', '{ r = %s }', 'try(%s, "fallback")',
                                            'can(%s)', 'tolist([%s])', '"${%s}"', 'true ? %s : null'])
                    self.add(g, wrap % ('%s(%s)' % (name, ', '.join(args))))
                    continue
                self.add(g, '%s(%s)' % (name, ', '.join(args)))

    # -------------------------------------------------------------- language

    def rnum(self):
        return self.rnd.choice(['0', '1', '2', '3', '-1', '0.5', '1.5', '10', '7', '1e3', '1/3', '0.1', '-2.5', '100',
                                '12345678901234567890', '1e-5', '"4"', '"1.5"', 'var.counts.a', 'local.numbers[0]', '9', '1e20'])

    def arith(self, depth=0):
        if depth > 2 or self.rnd.random() < 0.3:
            return self.rnum()
        op = self.rnd.choice(['+', '-', '*', '/', '%'])
        e = '%s %s %s' % (self.arith(depth + 1), op, self.arith(depth + 1))
        if self.rnd.random() < 0.3:
            e = '(%s)' % e
        if self.rnd.random() < 0.1:
            e = '-%s' % e if not e.startswith('-') else '-(%s)' % e
        return e

    def boolexpr(self, depth=0):
        if depth > 2 or self.rnd.random() < 0.3:
            return self.rnd.choice(['true', 'false', '1 < 2', '2 <= 1', '"a" == "a"', '1 != 1', 'null == null',
                                    '!true', '"true"', 'local.maybe == null', '[] == []', '{} == {}',
                                    'tolist([]) == []', '1 == "1"', '3 >= 3', '0.1 + 0.2 == 0.3'])
        op = self.rnd.choice(['&&', '||', '==', '!='])
        e = '%s %s %s' % (self.boolexpr(depth + 1), op, self.boolexpr(depth + 1))
        if self.rnd.random() < 0.3:
            e = '(%s)' % e
        if self.rnd.random() < 0.15:
            e = '!(%s)' % e
        return e

    def value(self, depth=0):
        r = self.rnd.random()
        if depth > 2 or r < 0.4:
            return self.rnd.choice(['1', '"a"', 'true', 'null', '2.5', '""', '"é"', 'false', '0', '"x"',
                                    'tostring(null)', 'tonumber(null)', 'sensitive(1)', '"multi\\nline"'])
        if r < 0.55:
            return '[%s]' % ', '.join(self.value(depth + 1) for _ in range(self.rnd.randint(0, 3)))
        if r < 0.7:
            keys = self.rnd.sample(['a', 'b', 'c', '"x y"', 'z', '"10"', '"9"', 'B'], self.rnd.randint(0, 3))
            return '{ %s }' % ', '.join('%s = %s' % (k, self.value(depth + 1)) for k in keys)
        if r < 0.8:
            return 'tolist([%s])' % ', '.join(self.value(depth + 1) for _ in range(self.rnd.randint(0, 3)))
        if r < 0.88:
            return 'toset([%s])' % ', '.join(self.value(depth + 1) for _ in range(self.rnd.randint(0, 3)))
        return 'tomap({ %s })' % ', '.join('%s = %s' % (k, self.value(depth + 1))
                                           for k in self.rnd.sample(['a', 'b', 'c'], self.rnd.randint(0, 3)))

    def language(self, n):
        R = self.rnd
        for _ in range(n):
            self.add('lang-arith', self.arith())
        for _ in range(n // 2):
            a, b = self.rnum(), self.rnum()
            self.add('lang-compare', '%s %s %s' % (a, R.choice(['<', '>', '<=', '>=', '==', '!=']), b))
        for _ in range(n // 2):
            self.add('lang-logic', self.boolexpr())
        for _ in range(n // 2):
            self.add('lang-compare', '%s %s %s' % (self.value(), R.choice(['==', '!=']), self.value()))
        numlits = ['0.0', '1.10', '1e0', '1E+3', '1e-0', '0.5e1', '00.5', '1.0e-10', '123e-2', '5e-324', '1e-400',
                   '4.9e-324', '1.7976931348623157e308', '1.8e308', '0.1e1', '999999999999999999999', '1e6', '1e16',
                   '1e20', '1e21', '1e22', '123456789012345678.5', '0.30000000000000004', '-0.0', '2e-1', '3.14159265358979323846264338327950288',
                   '1.5e300', '0.000000000000000000001', '6.02214076e23', '1.', '.5', '1e', '1e+', '0x10', '1_000',
                   '100000000000000000000000000000000000000000', '1/3 * 3', '2/3', '10/3', '-1/3', '1e-300 * 1e-300',
                   '1e300 * 1e300', '0.1 * 3', '1 - 0.9', '(1/3) * 3 == 1', '2 / 3 * 3', '1e21 + 1', '99999999999999999 + 1',
                   '-(1/3)', '0/0', '0 % 0', '1/0 - 1/0', '1/0 * 0', '-0 * 1', '0 * -1', '1/0 == 1/0', '5 % 1/0',
                   '1e100 % 7', '-7.5 % 2', '7.5 % -2', '0.3 % 0.1', '2e308 / 2', 'pow(2, 1000) / pow(2, 999)',
                   '1/7', '22/7', '100/3', '1e-10/3', '12345678901234567890 / 10', '1e21 / 1e20', '1.23456789e-7',
                   '9.999999999999999e22', '1e23', '0.1 + 0.7', '4.35 * 100', '1.005 * 1000', '3 * 1.1', '2 % 1.5',
                   '-1 % 1', '-0 % 5', '1 / -0', '-(0)', '0 - 0', '-1 * 0', '1/3 + 1/3 + 1/3', 'floor(1/3 * 3)', '1.0000000000000000001']
        for lit in numlits:
            self.add('lang-numfmt', lit)
            self.add('lang-numstr', '"${%s}"' % lit)
            self.add('lang-numstr', 'jsonencode(%s)' % lit)
            self.add('lang-numstr', 'tostring(%s)' % lit)
            self.add('lang-numstr', 'format("%%v|%%s|%%f|%%g|%%e", %s, %s, %s, %s, %s)' % ((lit,) * 5))
        for _ in range(n // 2):
            self.add('lang-numfmt', '%s %s %s' % (R.choice(numlits[:30]), R.choice(['+', '-', '*', '/']), R.choice(numlits[:30])))
        # templates
        tparts = ['${"x"}', '${1}', '${true}', '${1.5}', '${local.maybe}', '${[1]}', '${var.region}', 'lit', ' ', '\\n',
                  '%{if true}T%{endif}', '%{if false}T%{else}F%{endif}', '%{for x in [1, 2]}${x}%{endfor}',
                  '%{ for k, v in { a = 1 } ~}${k}${v}%{~ endfor }', '${~ "s" ~}', '  ', '%{if local.maybe == null}n%{endif}',
                  '$${esc}', '%%{esc}', '${"a" ~}', '%{~ if true ~} t %{~ endif ~}', '%{if 1}x%{endif}', '${sensitive("s")}',
                  '%{for x in local.numbers}${x},%{endfor}', '${upper("q")}', '%{ if true }a%{ else }b%{ endif }',
                  '${"${"n"}"}', '$', '%', '$$', '%%', '${ 1 + 2 }', '%{for x in []}x%{endfor}', '\\t', '\\"',
                  '%{for i, c in ["a", "b"]}${i}:${c};%{endfor}', '%{if "x" == "x" ~}\\n  y\\n%{~ endif}', '${null}',
                  '${tostring(null)}', '%{for x in null}x%{endfor}', '%{if null}x%{endif}', '%{for x in toset(["b", "a"])}${x}%{endfor}',
                  '${{a = 1}.a}', '%{for x in {b = 1, a = 2}}${x}%{endfor}', '${1/3}', '${-0}', '${1e21}', '${"\\n"}',
                  '%{else}', '%{endfor}', '%{if true}', '${', '%{ for x in [1] }${x}%{ endif }', '%{ bogus }',
                  '%{if true}a%{else}b%{else}c%{endif}', '${"a"}${"b" ~}  ${~ "c"}', '%{for x, in [1]}%{endfor}']
        for _ in range(n * 2):
            k = R.randint(1, 4)
            self.add('lang-template', '"%s"' % ''.join(R.choice(tparts) for _ in range(k)))
        esc = ['\\n', '\\r', '\\t', '\\"', '\\\\', '\\u0041', '\\U0001F600', '\\u00e9', '\\x41', '\\a', '\\u12', '\\U0010FFFF',
               '\\U00110000', '\\uD800', '\\u0000', '\\u007f', '\\u0085', '\\u00a0', '\\u200b', '\\u2028', '\\ufeff', '\\u00ad',
               '\\u0301', '\\U000E0001', '\\u0007', '\\u001b', '\\ud7ff', '\\uE000', '\\uFFFD', '\\uFFFF', '$${', '%%{', '$$$', '%%%',
               '$${}', '\\$', '\\%', '\\ ', '\\0', '\\\'', '\\u061c', '\\u3000', '\\u2060', '\\U0001F1FA\\U0001F1F8', '\\u0378',
               '\\U000F0000', '\\u0600', '\\u180e', '\\u1680', '\\u2000', '\\u2066', '\\u00b7', '\\u02c6', '\\u0e3f']
        for e in esc:
            self.add('lang-escapes', '"a%sb"' % e)
            self.add('lang-escapes', '"%s"' % e)
            self.add('lang-escapes', '["%s"]' % e)
            self.add('lang-escapes', 'length("%s")' % e)
            self.add('lang-escapes', '{ "k%s" = 1 }' % e)
        for a, b in itertools.product(esc[:12], esc[:12]):
            if R.random() < 0.15:
                self.add('lang-escapes', '"%s\\n%s"' % (a, b))
        # for expressions
        colls = ['[1, 2, 3]', '["a", "b"]', '{ a = 1, b = 2 }', 'tomap({ x = "1" })', 'toset(["b", "a"])', '[]', '{}',
                 'local.servers', 'local.env_map', 'var.counts', 'null', '"str"', '[null, 1]', 'toset([3, 1, 2])',
                 '[{ k = "a", v = 1 }, { k = "b", v = 2 }, { k = "a", v = 3 }]', 'tolist(["x", "y"])', 'sensitive([1, 2])',
                 '[[1, 2], [3]]', '{ b = [1], a = [2] }', 'local.numbers', 'toset([])', '[true, false]']
        vals = ['v', 'k', '"${k}-${v}"', 'v == null', '[v]', '{ x = v }', 'upper(k)', 'v * 2', 'length(v)', 'v.name',
                'tostring(v)', 'k', 'null', '1', 'sensitive(v)', 'v[0]', 'k == 0 ? "z" : "nz"']
        conds = ['', ' if v != null', ' if k != "a"', ' if true', ' if false', ' if v', ' if null', ' if "true"',
                 ' if k == 0', ' if length(tostring(k)) > 0', ' if sensitive(true)', ' if 1']
        for _ in range(n * 2):
            c = R.choice(colls)
            cond = R.choice(conds)
            if R.random() < 0.5:
                self.add('lang-for', '[for k, v in %s : %s%s]' % (c, R.choice(vals), cond))
            else:
                grp = '...' if R.random() < 0.35 else ''
                self.add('lang-for', '{ for k, v in %s : %s => %s%s%s }' % (c, R.choice(vals + ['"const"', 'tostring(v)']),
                                                                            R.choice(vals), grp, cond))
        for e in ['[for v in [1, 2] : v]', '{ for v in ["a"] : v => v }', '[for k, v in [1] : k]', '[for x in [1, 2] : x...]',
                  '{ for x in [1, 2] : x }', '[for x in [1, 2] : x => x]', '[for x in [1] : y]', '[for x, x in [1] : x]',
                  '{ for x in ["a", "b"] : x => x... if x == "a" }', '[for x in [1, 2] : x if x > 1 if x]',
                  '{ for i, x in ["a", "b", "a"] : x => i... }', '[for x in [[1, 2], [3]] : [for y in x : y * 10]]',
                  '{ for k, v in { a = [1], b = [2] } : k => { for i, x in v : i => x } }', '[for x in toset([[2], [1]]) : x]',
                  '[for x in toset([{ a = 2 }, { a = 1 }]) : x.a]', '{ for x in ["b", "a"] : x => x }',
                  '{ for x in [3, 1, 2] : tostring(x) => x }', '{ for x in ["a", "b"] : "k" => x... }',
                  '[for i in range(3) : i * i]', '{ for s in local.servers : s.name => s.port }',
                  '{ for s in local.servers : s.name => s.tags... }', '[for s in local.servers : s.tags]',
                  '[ for x in [1] : sensitive(x) ]', '{ for x in [1] : x => sensitive(x) }', '{ for x in ["a"] : sensitive(x) => 1 }',
                  '[for x in [1, 2, 3] : x if x % 2 == 1]', '[for c in "abc" : c]', '{ for k, v in tomap({ b = 1, a = 2 }) : v => k }',
                  '[for x in ["a"] : x if local.maybe]', '{ for x in [] : x => x }', '{ for k, v in {} : k => v... }',
                  '[for x in [1, "a", true] : x]', 'tolist([for x in [1, "a"] : x])', '{ for x in [1, 2] : x => x if x > 5 }',
                  '[for x in null : x]', '{ for x in [null] : x => 1 }', '{ for x in [1.5, 1.50] : x => x... }',
                  '{ for x in [true, false] : x => !x }', '[for k, v in local.env_map : upper(v)]']:
            self.add('lang-for', e)
        # splats
        srcs = ['[{ a = 1 }, { a = 2 }]', 'tolist([{ a = 1 }, { a = 2 }])', 'toset([{ a = 1 }, { a = 2 }])', '{ a = 1 }',
                'null', 'local.maybe', '[]', 'tolist([])', 'toset([])', 'local.servers', '"str"', '1', '[1, 2]', 'tomap({ a = { a = 1 } })',
                '[{ a = { b = [1, 2] } }]', '[[{ a = 1 }]]', 'sensitive([{ a = 1 }])', '[{ a = sensitive(1) }]', '[null]',
                'tolist([null])', '[{ a = 1 }, null]', 'var.counts', '{ a = [{ b = 1 }] }', 'toset(["b", "a"])', '[{ a = null }]']
        tails = ['[*]', '[*].a', '.*', '.*.a', '[*].a.b', '[*][0]', '[*].a[0]', '.*.a.b', '[*].name', '[*].tags[0]', '[*].nope',
                 '[*][*]', '[*].a[*]', '[*]["a"]', '.*[0]', '[*].a.b[1]']
        for s in srcs:
            for t in R.sample(tails, 7):
                self.add('lang-splat', s + t)
        for e in ['length(local.servers[*].name)', 'local.servers[*].tags[*]', 'local.servers.*.port', '[for s in local.servers[*] : s.name]',
                  'local.servers[*].name[0]', 'local.servers[*]["name"]', 'toset(local.servers[*].name)', 'local.servers[0][*].name',
                  '[local.servers[*].port]', 'local.servers[*].tags', 'local.env_map[*]', 'local.env_map[*].dev', 'var.region[*]',
                  'sensitive(local.servers)[*].name', 'local.servers[*].name == ["web", "db"]']:
            self.add('lang-splat', e)
        # conditionals and unification
        for _ in range(n * 2):
            self.add('lang-cond', '%s ? %s : %s' % (R.choice(['true', 'false', 'null', '"true"', '"false"', '1 > 2', '"x"', '1',
                                                             'sensitive(true)', 'local.maybe == null']),
                                                   self.value(), self.value()))
        for _ in range(n * 2):
            self.add('lang-unify', R.choice(['tolist([%s, %s])', 'toset([%s, %s])', '[%s, %s]', 'tomap({ a = %s, b = %s })',
                                             'true ? %s : %s', 'false ? %s : %s', 'concat([%s], [%s])', 'coalesce(%s, %s)',
                                             'merge({ a = %s }, { b = %s })', '{ a = %s, b = %s }', '[for x in [%s, %s] : x]',
                                             'flatten([[%s], [%s]])', 'setunion([%s], [%s])', 'tolist(toset([%s, %s]))',
                                             'jsonencode([%s, %s])', 'type([%s, %s])', 'type(tolist([%s, %s]))',
                                             'type(true ? %s : %s)'])
                     % (self.value(), self.value()))
        for _ in range(n):
            self.add('lang-sets', R.choice(['toset([%s, %s, %s])', 'tolist(toset([%s, %s, %s]))', 'length(toset([%s, %s, %s]))',
                                            '[for x in toset([%s, %s, %s]) : x]', 'jsonencode(toset([%s, %s, %s]))',
                                            'setunion([%s], [%s], [%s])', 'sort(toset([%s, %s, %s]))'])
                     % (self.value(), self.value(), self.value()))
        # null handling
        for e in ['null', 'tolist(null)', 'tomap(null)', 'toset(null)', 'tostring(null)', 'tonumber(null)', 'tobool(null)',
                  '[tostring(null)]', '{ a = tonumber(null) }', 'null == tostring(null)', 'tostring(null) == tonumber(null)',
                  'null != null', '[null] == [null]', 'length(null)', 'null.a', 'null[*]', 'null ? 1 : 2', '-null', 'null * 2',
                  'null < 1', 'null || true', 'true && null', 'false || null', 'null && false', '"${null}"', 'upper(null)',
                  'tolist([null])', 'toset([null])', 'tomap({ a = null })', 'jsonencode(null)', 'jsonencode([null])',
                  'yamlencode([null])', 'coalesce(null)', 'local.maybe', 'local.maybe == null', 'local.maybe != null',
                  'try(local.maybe.a, null)', 'true ? null : null', 'true ? null : 1', 'false ? [null] : []', 'null[0]', 'null["a"]',
                  '[null][0]', '{ a = null }.a', '{ a = null }["a"]', 'one([null, 1])', 'concat([null], [])', 'type(null)',
                  'tolist([tostring(null), tonumber(null)])', '[tolist(null)]', '{ a = toset(null) }', 'tomap({ a = tolist(null) })',
                  '[null, tolist(null), tomap(null)]', 'toset([tonumber(null)])', 'sensitive(null) == null',
                  'tolist([null])[0]', 'tolist(null)[*]', 'tomap({a = null, b = "x"})', 'merge(null, { a = 1 })']:
            self.add('lang-null', e)
        # indexing and attributes
        for e in ['[1, 2][0.0]', '[1, 2]["1"]', '[1, 2]["x"]', '[1, 2][true]', '[1, 2][null]', '[1, 2][[0]]', '{ a = 1 }["b"]',
                  '{ a = 1 }.b', '{ a = 1 }[0]', '{ "0" = 1 }[0]', 'tomap({ a = 1 })["b"]', 'tomap({ a = 1 }).b', 'tomap({ a = 1 }).a',
                  'toset([1])[0]', 'toset(["a"]).a', '"abc".a', '1[0]', 'true.x', '[1, 2].a', '[{ a = 1 }].a', 'tolist([1])[1]',
                  'tolist([1])[-1]', '[1][12345678901234567890]', '[1][1e300]', '[1, 2][1.0]', '[1, 2]["01"]', '[1, 2]["1.0"]',
                  '[1, 2][" 1"]', 'local.servers[0]["port"]', 'local.servers["0"].name', 'local.servers[2]', 'local.servers.0.name',
                  'local.servers[0].nope', 'local.env_map.nope', 'local.env_map["nope"]', 'var.counts["a"]', 'var.counts.c', 'local.nope',
                  'var.region.x', 'var.region[0]', 'local.numbers[3]', 'local.numbers[-1]', 'local', 'var', 'path.module',
                  'path.root', 'path.cwd != ""', 'terraform.workspace', 'count.index', 'each.key', 'self', 'data.x.y', 'aws_instance.x',
                  'module.x', 'module.x.out', 'foo', 'foo.bar', 'foo.bar.baz', 'local.servers[0].tags[5]', 'sensitive([1])[0]',
                  'sensitive({ a = 1 })["a"]', '[1, 2][sensitive(0)]', '{ a = 1 }[sensitive("a")]', '{ a = { b = 2 } }.a.b',
                  '{ a = { b = 2 } }["a"]["b"]', '[[1, [2, 3]]][0][1][1]', '{ a = [{ b = "x" }] }.a[0].b', 'local.servers[0].tags.0',
                  'local.servers[1.5]', 'local.servers[-1]', 'local.env_map[0]', '[1, 2][1/0]', '[1, 2][-0]', '{ a = 1 }[1]',
                  '{ "1" = "x" }[1]', '{ true = "x" }[true]', 'tomap({ a = 1 })[null]', 'local.servers[0].name[0]', '[][0]', '{}["a"]',
                  'tolist([])[0]', 'tomap({})["a"]', '[1, 2]...', 'upper("a")...', 'terraform.x', 'path.nope', 'resource.a.b',
                  'var.counts.a.b', 'local.servers[*].port[0]', 'local.servers[0]...']:
            self.add('lang-index', e)
        # objects
        for e in ['{ a = 1, a = 2 }', '{ a = 1, "a" = 2 }', '{ (1) = 2 }', '{ (true) = 1 }', '{ ("a") = 1, a = 2 }',
                  '{ a: 1 }', '{ "a": 1 }', '{ a = 1 b = 2 }', '{ a = 1\nb = 2 }', '{ ((1 + 1)) = 3 }', '{ (local.maybe) = 1 }',
                  '{ (sensitive("k")) = 1 }', '{ ([]) = 1 }', '{ ({}) = 1 }', '{ (1.5) = 1 }', '{ (1/3) = 1 }', '{ (-0) = 1 }',
                  '{ a.b = 1 }', '{ "a.b" = 1 }', '{ a-b = 1 }', '{ _a = 1 }', '{ 1a = 1 }', '{ "é" = 1 }', '{ é = 1 }',
                  '{ a = { b = { c = { d = 1 } } } }', '{ for = 1 }', '{ if = 1 }', '{ in = 1 }', '{ true = 1, false = 2 }',
                  '{ a = 1, }', '{ , }', '{ a = }', '{ = 1 }', '{ a = 1, b = 2, }', '{ b = 1, a = 2, c = 3 }', '{ B = 1, a = 2, A = 3 }',
                  '{ "10" = 1, "9" = 2, "1" = 3 }', '{ " " = 1 }', '{ "\\n" = 1 }', '{ var.region = 1 }', '{ (var.region) = 1 }',
                  '{ local.maybe = 1 }', '{ null = 1, (null) = 2 }', '[1 2]', '[1,, 2]', '[,]', '[', '{', '(1', '1)', '[1]]',
                  '{ a = 1 }}', '{ a = [1, { b = [2, { c = 3 }] }] }', '{ "a" = 1, (upper("b")) = 2, c = 3 }', '{ a = null, b = null }',
                  '{ "${"x"}" = 1 }', '{ "a${1}" = 2 }', '{ (tostring(1)) = 1, "1" = 2 }', '{ a = 1, A = 2 }', '{ a = sensitive(1) }.a',
                  '{ ("${"k"}") = 1 }']:
            self.add('lang-objects', e)
        # parse errors and odd syntax
        for e in ['1 +', '+ 1', '1 ++ 1', '1 + + 1', '--1', '!!!true', '1 == == 1', '(1)', '((1))', '(((1 + 2) * 3))', '1 ? 2',
                  'true ? 1', 'true ? : 2', '1 2', '"abc', '"a\nb"', '"\\', '\'a\'', '`a`', '#', '// c', '/* c */ 1', '1 // c',
                  '1 # c', '1 /* x */ + 2', 'a b', '$', '${1}', '%{if true}x%{endif}', '"${1}" "${2}"', '<<EOT', 'upper', 'upper(',
                  'upper("a",)', 'upper(,)', 'upper("a" "b")', 'core::upper("a")', 'core::nope(1)', 'nope::upper("a")',
                  'core::try(1)', 'core::can(1)', 'provider::x::y(1)', 'upper ("a")', 'max(1, 2,)', 'max(1, 2,...)', 'max([1]..., 2)',
                  'max(...)', 'max([1, 2] ...)', 'concat([1]..., [2]...)', 'length([1, 2]...)', 'length("ab"...)', 'length(null...)',
                  'max(null...)', 'max(toset([3, 1])...)', 'max({ a = 1 }...)', 'format("%s %s", ["a", "b"]...)', 'try(["a"]...)',
                  'can([1]...)', 'coalesce([null, "b"]...)', 'merge([{ a = 1 }, { b = 2 }]...)', 'setunion([["a"], ["b"]]...)',
                  'concat([[1], [2]]...)', 'max(sensitive([1, 2])...)', 'max(tolist([1, 2])...)', 'min([]...)', 'UPPER("a")',
                  'Upper("a")', 'upper("a")("b")', '(upper)("a")', '1.a', '1..2', '1.5.6', '1e', '0x1', '1_0', '.5', '5.', '- 1', '!1',
                  'true && 1', '1 && true', '"true" && true', '"x" || true', 'true || "x"', 'false && "x"', 'false || "x"', 'false && null',
                  'null || null', 'null == false', '1 < "2"', '"10" < "9"', '"a" > 1', 'true > false', '[1] < [2]', '1 < null', '1 == null',
                  '1 == true', '"1" == 1', '[1] == tolist([1])', 'toset([1]) == toset([1])', 'tomap({ a = 1 }) == { a = 1 }',
                  '{ a = 1 } == { a = 1 }', '[1, "a"] == [1, "a"]', '[[1]] == [[1]]', '1 == 1.0', '"a" == "a "', '0 == -0', '1/0 == 1/0',
                  '"é" == "e\\u0301"', 'tolist([]) == tolist([])', 'tolist([]) == toset([])', '[] == tolist([])', '{} == tomap({})',
                  'sensitive(1) == 1', '1 + true', 'true + 1', '"a" + 1', '[1] + 1', '{} * 2', '1 - "x"', '1 / "0"', '"3" % "2"',
                  '1 % 1/0', '1/0 % 2', '1e308 * 10', '-1e308 * 10', '1/0 + 1', '1/0 - 1', '-(1/0)', '1/0 + -1/0', '0 * (1/0)',
                  '(1/0) / (1/0)', '(1/0) % 2', '2 % (1/0)', '-2 % (1/0)', '1 + 2 * 3 - 4 / 2 % 3', '1 - -1', '1--1', '1+-+1',
                  '2 * (3 + 4)', '!true == false', '!(true == false)', '-1 == -1', '- -1', '1 < 2 && 2 < 3', '1 < 2 < 3', '1 == 1 == true',
                  'true == 1 < 2', '1 + 1 == 2 && "a" != "b" || false', 'false || true && false', '(false || true) && false',
                  'true ? 1 : 2 + 10', '(true ? 1 : 2) + 10', 'false ? 1 : true ? 2 : 3', 'true ? false ? 1 : 2 : 3',
                  '1 + (true ? 1 : 2)', '!true ? 1 : 2', 'true ? "a" : "b" == "a"', '-1 % 3 * 2', '10 - 2 - 3', '100 / 10 / 2',
                  '2 * 3 / 4', '7 % 4 % 3', '1 < 2 == 2 > 1', 'true != false == true']:
            self.add('lang-parse', e)
        # heredocs (multi-line expressions; the console reads them whole)
        docs = ['<<EOT\nhello\nEOT', '<<-EOT\n    a\n      b\n    EOT', '<<EOT\n${"x"}\n%{if true}y%{endif}\nEOT',
                '<<-EOT\n  %{ for x in [1, 2] ~}\n  ${x}\n  %{ endfor ~}\n  EOT', '<<-EOT\n\t\ttab\n\t\tEOT', '<<EOT\nEOT',
                '<<-EOT\n  a\n\n  b\n  EOT', '<<-EOT\n    a\n  b\n  EOT', '<<EOT\n  $${x}\nEOT', '<<-EOF\n  %{ if true }\n    yes\n  %{ endif }\n  EOF',
                '<<EOT\na\\nb\nEOT', '<<-EOT\n  ${upper("x")}\n    ${1 + 1}\n  EOT', 'upper(<<EOT\nabc\nEOT\n)', '[<<EOT\nx\nEOT\n, "y"]',
                '<<-EOT\n  %{~ for x in ["a", "b"] ~}\n    ${x}\n  %{~ endfor ~}\n  EOT', '<<EOT\nno end', '<<-EOT\n    x\n      EOT',
                '<<EOT\n"quoted"\nEOT', '<<-EOT\n  %{ for x in [1, 2] }\n  ${x}\n  %{ endfor }\n  EOT', '<<-X\n  a\n X',
                '<<-EOT\n    %{if true}\n      nested\n    %{endif}\n  EOT', '<<-EOT\n\n  after blank\n  EOT', '<<EOT\n\n\nEOT',
                '<<EOT\n  lead\ntrail  \nEOT', '{ a = <<EOT\nv\nEOT\n}', '<<-EOT\n  ${"a\nb"}\n  EOT', 'length(<<EOT\nab\nEOT\n)',
                '<<-EOT\n  x\n\tEOT', '<<EOT\n%{ for i, x in ["a"] }${i}${x}%{ endfor }\nEOT', '<<-EOT\n  \\n literal\n  EOT',
                '"multi\nline"', '[\n  1,\n  2\n]', '{\n  a = 1\n  b = 2\n}', 'upper(\n  "a"\n)', '1 +\n 2', '(1\n + 2)', 'true ?\n 1 : 2',
                '[for x in [1] :\n x]', '<<-EOT\n  %{ if false }\n  no\n  %{ else }\n  yes\n  %{ endif }\n  EOT']
        for d in docs:
            self.add('lang-heredoc', d)
        # types via type() (console only)
        for _ in range(n):
            self.add('lang-types', 'type(%s)' % self.value())

    def mutate_corpus(self, path, n):
        """Small textual mutations of the shared corpus expressions."""
        try:
            exprs = [json.loads(l)['expr'] for l in open(path) if l.strip()]
        except OSError:
            return
        subs = [('"', '""'), ('1', '-1'), ('1', '0'), ('2', '1e3'), ('[', 'tolist(['), ('"a"', '"é"'), ('"a"', 'null'),
                ('"a"', 'sensitive("a")'), ('true', 'false'), (', ', ', null, '), ('[]', '[null]'), ('{', 'tomap({'),
                ('"b"', '"B"'), ('0', '-0'), ('3', '3.5'), ('"x"', '""'), ('(', '(sensitive('), ('["', '[""')]
        for _ in range(n):
            e = self.rnd.choice(exprs)
            a, b = self.rnd.choice(subs)
            idxs = [i for i in range(len(e)) if e.startswith(a, i)]
            if not idxs:
                continue
            i = self.rnd.choice(idxs)
            m = e[:i] + b + e[i + len(a):]
            if b in ('tolist([', 'tomap({'):
                # close the conversion right after the matching bracket
                close = ']' if b == 'tolist([' else '}'
                depth = 0
                for j in range(i + len(b) - 1, len(m)):
                    if m[j] in '[{(':
                        depth += 1
                    elif m[j] in ']})':
                        depth -= 1
                        if depth == 0:
                            m = m[:j + 1] + ')' + m[j + 1:]
                            break
            if b == '(sensitive(':
                depth = 0
                for j in range(i + 1, len(m)):
                    if m[j] in '[{(':
                        depth += 1
                    elif m[j] in ']})':
                        depth -= 1
                        if depth == 0:
                            m = m[:j] + ')' + m[j:]
                            break
            name = e.split('(')[0] if '(' in e and e.split('(')[0].isidentifier() else None
            g = ('fn-' + name) if name and name in FUNCS else 'mut'
            self.add(g, m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--per-function', type=int, default=25)
    ap.add_argument('--lang', type=int, default=60)
    ap.add_argument('--mutations', type=int, default=600)
    ap.add_argument('--corpus', default='/work/shared/conformance/expressions.jsonl')
    a = ap.parse_args()
    g = Gen(a.seed, a.per_function)
    g.functions()
    g.language(a.lang)
    g.mutate_corpus(a.corpus, a.mutations)
    counts = {}
    for group, expr in g.out:
        counts[group] = counts.get(group, 0) + 1
        print(json.dumps({'id': '%s-d%d' % (group, counts[group]), 'group': group, 'expr': expr}, ensure_ascii=False))


if __name__ == '__main__':
    main()

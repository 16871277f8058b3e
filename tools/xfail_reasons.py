#!/usr/bin/python3
"""Write an expected-failure list (SPEC #runner.xfail) from a runner log, with a
reason per vector, classified from the runner's failure detail.

    tools/xfail_reasons.py TESTEE build/release/conf/log/all.tsv conformance/expected/TESTEE.txt

Ids already in the list keep their reason; new failures get the class their
detail shows (the patterns below), or "other: <detail>" to be looked at.
"""
import re
import sys

CLASSES = [
    (r'outcome ok, expected error', 'accepts a stream CPython rejects: no error at the fault'),
    (r'\\ufffd', 'lone surrogates become U+FFFD (no surrogatepass)'),
    (r"got set\(\), expected frozenset|got set\(.*expected frozenset", 'frozenset decodes as set'),
    (r"got b'.*expected bytearray", 'bytearray decodes as bytes'),
    (r'got \[.*expected \(', 'tuples decode as arrays, printed as lists'),
    (r'got (\d+), expected -\d+', 'LONG1 read as unsigned: negative longs wrong'),
    (r'got (-?\d{16,}), expected (-?\d{16,})', 'ints beyond 2**53 lose precision (JS numbers)'),
    (r'got \[?-?\d+\]?, expected \[?-?\d+\.\d+\]?|got -?\d+, expected -?\d+\.0|got \[\d+\], expected \[\d+\.0\]',
     'integral floats come back as JS integers (0.0 -> 0)'),
    (r'^\d+ items, expected 0', 'a malformed pickle decodes instead of raising (missing checks)'),
    (r'^\d+ items, expected \d+', 'stops early: an exception inside a payload loses the rest of the stream'),
]


def _as_js(text):
    """What a JS pickle reader's containers look like in the notation:
    tuples as lists, frozensets as sets."""
    t = re.sub(r'frozenset\((\{.*?\})\)', r'\1', text)
    t = t.replace('frozenset()', 'set()')
    t = t.replace('(', '[').replace(')', ']').replace(',]', ']')
    return t


def classify(detail):
    d = detail.split(' -- ')[-1]
    d = re.sub(r'^(pyspark|strict): ', '', d)
    d = re.sub(r'^item \d+: ', '', d)
    m = re.match(r'got (.*), expected (.*)$', d)
    if m:
        got, exp = m.group(1), m.group(2)
        if _as_js(exp) == _as_js(got) and 'frozenset' in exp and '(' not in exp.replace('frozenset(', ''):
            return 'frozenset decodes as set'
        if _as_js(exp) == _as_js(got):
            return 'tuples decode as arrays, printed as lists (frozensets as sets)'
        if exp == "b" + got:
            return "8-bit STRING/BINSTRING come back as str: encoding='bytes' not honoured"
        if re.fullmatch(r'-?\d+', got) and re.fullmatch(r'-?[\d.]+e[+-]?\d+', exp):
            return 'integral floats come back as JS integers (1e+16 -> 10000000000000000)'
        if got == '{}' and exp.startswith('{') and ':' in exp:
            return 'DICT (protocol 0/1: MARK key value ... d) builds an empty dict'
        if '\\u' in got and '\\u' not in exp:
            return 'protocol 0 UNICODE: raw-unicode-escape \\uXXXX left undecoded'
    for pat, why in CLASSES:
        if re.search(pat, d):
            return why
    return 'other: ' + d[:120]


def main():
    testee, log, out = sys.argv[1:4]
    old = {}
    try:
        for line in open(out, encoding='utf-8'):
            if line.strip() and not line.startswith('#'):
                vid, _, why = line.partition('#')
                old[vid.strip()] = why.strip()
    except FileNotFoundError:
        pass
    fails = {}
    for line in open(log, encoding='utf-8', errors='replace'):
        f = line.rstrip('\n').split('\t')
        if len(f) >= 4 and f[0] == testee and f[3] in ('FAIL', 'XFAIL', 'xfail', 'fail'):
            fails.setdefault(f[1], f[4] if len(f) > 4 else '')
    head = [l for l in open(out, encoding='utf-8') if l.startswith('#')] if old else []
    with open(out, 'w', encoding='utf-8') as o:
        o.writelines(head)
        for vid in fails:
            o.write('%s  # %s\n' % (vid, old.get(vid) or classify(fails[vid])))
    print('%s: %d expected failures' % (out, len(fails)))


if __name__ == '__main__':
    main()

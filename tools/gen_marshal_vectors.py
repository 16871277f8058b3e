#!/usr/bin/env python3
"""Marshal vectors from CPython [#marshal].

vectors/marshal/v<N>/<name>.bin  marshal.dumps(value, N), with <name>.txt the
                                 canonical notation of marshal.loads(bytes)
vectors/marshal/errors/<id>.bin  crafted input, <id>.json CPython's outcome of
                                 marshal.loads and the sparkwire status
    /usr/bin/python3 tools/gen_marshal_vectors.py
"""
import json
import marshal
import os
import sys

if os.environ.get('PYTHONHASHSEED') != '0':  # set order must not depend on the run
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canon import canon  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'vectors', 'marshal')

shared = [1, 2]
cyc = []
cyc.append(cyc)
d_cyc = {}
d_cyc['self'] = d_cyc
VALUES = {
    'none': None, 'true': True, 'false': False, 'ellipsis': Ellipsis, 'stopiteration': StopIteration,
    'int_0': 0, 'int_neg1': -1, 'int_2_31_m1': 2 ** 31 - 1, 'int_neg_2_31': -2 ** 31, 'int_2_31': 2 ** 31,
    'int_neg_2_31_m1': -2 ** 31 - 1, 'int_2_63': 2 ** 63, 'int_big': 3 ** 200, 'int_neg_big': -(7 ** 150),
    'int_2_15': 2 ** 15, 'int_2_30': 2 ** 30,
    'float_half': 0.5, 'float_neg0': -0.0, 'float_inf': float('inf'), 'float_ninf': float('-inf'),
    'float_nan': float('nan'), 'float_sub': 5e-324, 'float_tenth': 0.1, 'float_big': 1e300,
    'complex': complex(1.5, -2.0), 'complex_nan': complex(float('nan'), 0.0),
    'bytes_empty': b'', 'bytes_all': bytes(range(256)), 'bytes_300': b'x' * 300,
    'str_empty': '', 'str_ascii': 'hello', 'str_ascii_300': 'a' * 300, 'str_latin1': 'caf\xe9',
    'str_cjk': '\u4e2d\u6587', 'str_astral': '\U0001f600', 'str_surrogate': 'a\udc80b',
    'tuple_empty': (), 'tuple_1': (1,), 'tuple_300': tuple(range(300)), 'list': [1, 'a', None],
    'list_empty': [], 'dict': {'a': 1, 2: [3], (4, 5): None}, 'dict_empty': {}, 'set': {1, 2, 3},
    'frozenset': frozenset({'x', 'y'}), 'set_empty': set(), 'frozenset_empty': frozenset(),
    'nested': [[[[['deep']]]], {'k': ({'v': (1.5, b'z')},)}], 'shared': [shared, shared, (shared,)],
    'cycle_list': cyc, 'cycle_dict': d_cyc, 'rows': [(i, float(i) / 3, 'name%d' % i, None, i % 2 == 0) for i in range(20)],
    'pairs': [('key%d' % i, i * i) for i in range(50)], 'interned_keys': [{'alpha': 1}, {'alpha': 2}],
}

ERRORS = [
    ('empty', b'', 'truncated_payload', 0),
    ('unknown-type', b'?', 'malformed', 0),
    ('flag-only', b'\x80', 'malformed', 0),
    ('int-short', b'i\x01', 'truncated_payload', 0),
    ('long-digit-range', b'l\x01\x00\x00\x00\x00\x80', 'malformed', 0),
    ('long-unnormalized', b'l\x01\x00\x00\x00\x00\x00', 'malformed', 0),
    ('long-short', b'l\x02\x00\x00\x00\x01\x00', 'truncated_payload', 0),
    ('ref-invalid', b'r\x00\x00\x00\x00', 'malformed', 0),
    ('bytes-negative', b's\xff\xff\xff\xff', 'malformed', 0),
    ('bytes-short', b's\x05\x00\x00\x00ab', 'truncated_payload', 0),
    ('tuple-short', b'(\x02\x00\x00\x00N', 'truncated_payload', 0),
    ('dict-no-end', b'{NN', 'truncated_payload', 3),
    ('dict-null-value', b'{N0', None, None),
    ('unicode-bad', b'u\x01\x00\x00\x00\xff', 'bad_utf8', 0),
    ('unicode-surrogate', b'u\x03\x00\x00\x00\xed\xa0\x80', None, None),
    ('ascii-latin1', b'a\x01\x00\x00\x00\xe9', None, None),
    ('float-text-bad', b'f\x03abc', 'bad_value', 0),
    ('set-list-member', b'<\x01\x00\x00\x00[\x00\x00\x00\x00', 'unhashable', 5),
    ('dict-list-key', b'{[\x00\x00\x00\x00N0', 'unhashable', 6),
    ('list-self-ref', b'[\x01\x00\x00\x00\xdb\x00\x00\x00\x00r\x00\x00\x00\x00', None, None),
    ('trailing', b'NX', None, None),
    ('int64', b'I\x05\x00\x00\x00\x00\x00\x00\x00', None, None),
    ('deep-list', b'[\x01\x00\x00\x00' * 2100 + b'N', 'malformed', None),
    ('null-top', b'0', 'malformed', 0),
]


def main():
    for v in range(5):
        d = os.path.join(ROOT, 'v%d' % v)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        for name, value in VALUES.items():
            try:
                data = marshal.dumps(value, v)
            except ValueError:
                continue  # e.g. cycles below version 3
            with open(os.path.join(d, name + '.bin'), 'wb') as f:
                f.write(data)
            with open(os.path.join(d, name + '.txt'), 'w') as f:
                f.write(canon(marshal.loads(data)) + '\n')
    d = os.path.join(ROOT, 'errors')
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    for vid, data, status, at in ERRORS:
        try:
            r = marshal.loads(data)
            oc = {'outcome': 'ok', 'items': [canon(r)]}
        except BaseException as e:  # noqa: B902 -- recording every failure class
            oc = {'outcome': 'error', 'exception': type(e).__name__, 'message': str(e)}
        side = {'id': 'marshal-error-' + vid, 'cpython': oc, 'flags': ['#marshal.errors']}
        if (status is None) != (oc['outcome'] == 'ok'):
            sys.exit('%s: expectation and CPython disagree: %r' % (vid, oc))
        if status:
            side['status'] = status
        if at is not None:
            side['payload_offset'] = at
        with open(os.path.join(d, vid + '.bin'), 'wb') as f:
            f.write(data)
        with open(os.path.join(d, vid + '.json'), 'w') as f:
            json.dump(side, f, indent=1, sort_keys=True)
            f.write('\n')
    with open(os.path.join(ROOT, 'README.md'), 'w') as f:
        f.write('# vectors/marshal\n\nMade by `tools/gen_marshal_vectors.py` with Python %s (marshal.version %d).\n'
                '`v0`..`v4`: `marshal.dumps(value, N)` as `<name>.bin`, and the notation of `marshal.loads` as '
                '`<name>.txt`. `errors/`: crafted inputs with CPython\'s outcome and the sparkwire status.\n'
                % (sys.version.split()[0], marshal.version))


main()

#!/usr/bin/env python3
"""Marshal vectors [#marshal], made with Debian's /usr/bin/python3 (3.11).

vectors/marshal/v<N>/<name>.bin   marshal.dumps(value, N) for N = 0..4
vectors/marshal/v<N>/<name>.txt   the notation of what marshal.loads gives (code
                                  objects as code(fields in marshal order))
vectors/marshal/errors/<id>.bin   a crafted 3.11 input; <id>.json: CPython's
                                  observed marshal.loads outcome (exception and
                                  message, or the value), the sparkwire status,
                                  payload offset and mode
vectors/marshal/py2/<name>.bin    the Python 2 dialect (PySpark 1.x on 2.7),
                                  SYNTHESISED by py2_dumps below from a reading
                                  of 2.7's Python/marshal.c: no Python 2 ran.
                                  <name>.json: version, expected notation or
                                  error, for both modes where they differ.

    /usr/bin/python3 tools/gen_marshal_vectors.py

The script checks its own claims: its small reader (used for code objects,
whose fields Python does not all expose) must agree with marshal.loads on
every value, every strict prefix of every v<N> file must raise EOFError, and
every error vector must fail (or succeed) in CPython as the table says.
"""
import json
import marshal
import os
import struct
import sys

if os.environ.get('PYTHONHASHSEED') != '0':  # set order must not depend on the run
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon as C  # noqa: E402

sys.setrecursionlimit(20000)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'vectors', 'marshal')
I32 = struct.Struct('<i')


def le32(x):
    return I32.pack(x)


# ---- a reader that keeps code objects as their fields ------------------------

class Reader:
    """Python/marshal.c r_object (3.11) with code objects as canon.Code. Only
    used on CPython's own output and on the valid crafted vectors."""

    def __init__(self, data):
        self.d = data
        self.p = 0
        self.refs = []

    def take(self, n):
        if n > len(self.d) - self.p:
            raise EOFError('marshal data too short')
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def long(self):
        return I32.unpack(self.take(4))[0]

    def obj(self):
        code = self.take(1)[0]
        flag = code & 0x80
        t = chr(code & 0x7f)
        simple = {'N': None, 'T': True, 'F': False, 'S': StopIteration, '.': Ellipsis}
        if t in simple:
            return simple[t]
        if t == '0':
            return _NULL
        if t == 'r':
            v = self.refs[self.long()]
            if v is _RESERVED:
                raise _TupleCycle()
            return v
        slot = None
        if flag:
            slot = len(self.refs)
            self.refs.append(_RESERVED)

        def done(v):
            if slot is not None:
                self.refs[slot] = v
            return v
        if t == 'i':
            return done(self.long())
        if t == 'I':
            return done(struct.unpack('<q', self.take(8))[0])
        if t == 'l':
            n = self.long()
            x = 0
            for i in range(abs(n)):
                x |= struct.unpack('<H', self.take(2))[0] << (15 * i)
            return done(-x if n < 0 else x)
        if t in 'fx':
            parts = [float(self.take(self.take(1)[0]).split(b'\0')[0]) for _ in range(1 if t == 'f' else 2)]
            return done(parts[0] if t == 'f' else complex(*parts))
        if t in 'gy':
            parts = [struct.unpack('<d', self.take(8))[0] for _ in range(1 if t == 'g' else 2)]
            return done(parts[0] if t == 'g' else complex(*parts))
        if t == 's':
            return done(self.take(self.long()))
        if t in 'tu':
            return done(self.take(self.long()).decode('utf-8', 'surrogatepass'))
        if t in 'aA':
            return done(self.take(self.long()).decode('latin-1'))
        if t in 'zZ':
            return done(self.take(self.take(1)[0]).decode('latin-1'))
        if t in '()[<>':
            n = self.take(1)[0] if t == ')' else self.long()
            if t == '[':
                v = done([])
                v.extend(self.obj() for _ in range(n))
                return v
            if t == '<':
                v = done(set())
                for _ in range(n):
                    v.add(self.obj())
                return v
            items = [self.obj() for _ in range(n)]
            return done(tuple(items) if t in '()' else frozenset(items))
        if t == '{':
            v = done({})
            while True:
                k = self.obj()
                if k is _NULL:
                    return v
                x = self.obj()
                if x is _NULL:
                    return v
                v[k] = x
        if t == 'c':
            fields = []
            for kind in 'IIIIIOOOOOOOOIOO':
                fields.append(self.long() if kind == 'I' else self.obj())
                if fields[-1] is _NULL:
                    return _NULL  # a NULL field: the code object is NULL itself
            return done(C.Code(fields))
        raise ValueError('type code %r' % t)


_NULL = object()
_RESERVED = object()


def read_all(data):
    r = Reader(data)
    v = r.obj()
    return v, r.p


def check_code(real, fields):
    """The reader's fields of a code object against what Python exposes."""
    f = fields
    assert [f[0], f[1], f[2], f[3], f[4]] == [real.co_argcount, real.co_posonlyargcount, real.co_kwonlyargcount,
                                              real.co_stacksize, real.co_flags], real
    assert f[5] == real.co_code and f[7] == real.co_names and f[10] == real.co_filename
    assert f[11] == real.co_name and f[12] == real.co_qualname and f[13] == real.co_firstlineno
    assert f[14] == real.co_linetable and f[15] == real.co_exceptiontable
    assert set(real.co_varnames) <= set(f[8]) and len(f[8]) == len(f[9])
    assert len(f[6]) == len(real.co_consts)
    for a, b in zip(f[6], real.co_consts):
        if isinstance(b, type(real)):
            check_code(b, a.fields)
        else:
            assert C.canon(a) == C.canon(b), (a, b)


def has_code(x, seen=None):
    seen = seen if seen is not None else set()
    if id(x) in seen:
        return False
    seen.add(id(x))
    if isinstance(x, type(has_code.__code__)):
        return True
    if isinstance(x, (list, tuple, set, frozenset)):
        return any(has_code(y, seen) for y in x)
    if isinstance(x, dict):
        return any(has_code(k, seen) or has_code(y, seen) for k, y in x.items())
    return False


def expected_text(data, value_for_check=None):
    """The notation of marshal.loads(data), through the reader (checked)."""
    real = marshal.loads(data)
    if not has_code(real):
        try:
            got, used = read_all(data)
        except _TupleCycle:
            return C.canon(real)  # the reader cannot build a tuple that holds itself
        assert C.canon(got) == C.canon(real), (C.canon(got), C.canon(real))
        return C.canon(real)
    got, used = read_all(data)
    assert used == len(data) or value_for_check is None
    if isinstance(got, C.Code):
        check_code(real, got.fields)
    return C.canon(got)


class _TupleCycle(Exception):
    pass


# ---- the corpus (3.11) ---------------------------------------------------------

def corpus():
    shared = [1, 2]
    cyc = []
    cyc.append(cyc)
    d_cyc = {}
    d_cyc['self'] = d_cyc
    t_in_l = []
    t_cyc = (t_in_l,)
    t_in_l.append(t_cyc)
    s_shared = 'shared-string-' + str(7)
    tup_shared = (1, 'x')
    ident = sys.intern('an_identifier')
    fs = frozenset({1, 2})
    V = {
        'none': None, 'true': True, 'false': False, 'ellipsis': Ellipsis, 'stopiteration': StopIteration,
        'int_0': 0, 'int_1': 1, 'int_neg1': -1, 'int_256': 256, 'int_257': 257, 'int_2_31_m1': 2 ** 31 - 1,
        'int_neg_2_31': -2 ** 31, 'int_2_31': 2 ** 31, 'int_neg_2_31_m1': -2 ** 31 - 1, 'int_2_63': 2 ** 63,
        'int_2_63_m1': 2 ** 63 - 1, 'int_neg_2_63': -2 ** 63, 'int_2_64': 2 ** 64, 'int_big': 3 ** 200,
        'int_neg_big': -(7 ** 150), 'int_2_15': 2 ** 15, 'int_2_30': 2 ** 30, 'int_2_45': 2 ** 45,
        'int_2_60_m1': 2 ** 60 - 1, 'int_10_100': 10 ** 100, 'int_huge': 2 ** 10000 + 12345,
        'float_half': 0.5, 'float_0': 0.0, 'float_neg0': -0.0, 'float_inf': float('inf'),
        'float_ninf': float('-inf'), 'float_nan': float('nan'), 'float_sub': 5e-324, 'float_tenth': 0.1,
        'float_big': 1e300, 'float_max': 1.7976931348623157e308, 'float_1e16': 1e16, 'float_1e17': 1e17,
        'float_1e22': 1e22, 'float_1e23': 1e23, 'float_1em5': 1e-5, 'float_1em4': 1e-4, 'float_third': 1 / 3,
        'float_2_53': 2.0 ** 53, 'float_2_53_p1': 2.0 ** 53 + 2, 'float_neg': -123.456, 'float_min': 2.2250738585072014e-308,
        'floats': [i / 7 for i in range(-20, 20)] + [10.0 ** e for e in range(-30, 30, 3)],
        'complex': complex(1.5, -2.0), 'complex_nan': complex(float('nan'), 0.0), 'complex_inf': complex(0, float('inf')),
        'bytes_empty': b'', 'bytes_all': bytes(range(256)), 'bytes_300': b'x' * 300, 'bytearray': bytearray(b'ba'),
        'str_empty': '', 'str_ascii': 'hello', 'str_ascii_255': 'a' * 255, 'str_ascii_256': 'b' * 256,
        'str_ascii_300': 'a' * 300, 'str_latin1': 'caf\xe9', 'str_latin1_300': '\xe9' * 300, 'str_cjk': '\u4e2d\u6587',
        'str_astral': '\U0001f600', 'str_surrogate': 'a\udc80b', 'str_nul': 'a\0b', 'str_interned': ident,
        'str_interned_list': [ident, ident, sys.intern('x' * 300), sys.intern('\xe9t\xe9')],
        'tuple_empty': (), 'tuple_1': (1,), 'tuple_255': tuple(range(255)), 'tuple_256': tuple(range(256)),
        'tuple_300': tuple(range(300)), 'list': [1, 'a', None], 'list_empty': [], 'list_nested_empty': [[], [[]], ()],
        'dict': {'a': 1, 2: [3], (4, 5): None}, 'dict_empty': {}, 'dict_200': {'k%d' % i: i for i in range(200)},
        'dict_mixed_keys': {1: 'int', 1.5: 'float', b'b': 'bytes', 'u': 'str', (): 'tuple', None: 'none',
                            frozenset({3}): 'frozenset', True and 2: 'two', complex(1, 1): 'complex'},
        'set': {1, 2, 3}, 'set_mixed': {1, 'a', b'b', (1, 2), None, 2.5, frozenset()},
        'frozenset': frozenset({'x', 'y'}), 'set_empty': set(), 'frozenset_empty': frozenset(),
        'frozenset_nested': frozenset({fs, frozenset({fs})}),
        'nested': [[[[['deep']]]], {'k': ({'v': (1.5, b'z')},)}], 'shared': [shared, shared, (shared,)],
        'shared_str': [s_shared, s_shared, {s_shared: s_shared}], 'shared_tuple': [tup_shared, tup_shared],
        'shared_frozenset': [fs, fs, {fs: fs}], 'shared_bytes': [b'bb' * 3] * 3,
        'cycle_list': cyc, 'cycle_dict': d_cyc, 'cycle_tuple': t_cyc,
        'rows': [(i, float(i) / 3, 'name%d' % i, None, i % 2 == 0) for i in range(20)],
        'pairs': [('key%d' % i, i * i) for i in range(50)], 'interned_keys': [{'alpha': 1}, {'alpha': 2}],
        'deep_1999': nest(1998, None), 'deep_dict_1999': nest(1998, {}),
        'big_list': list(range(-500, 500)) + ['s%d' % i for i in range(300)],
    }
    codes = {
        'code_expr': compile('1 + 2', 'e.py', 'eval'),
        'code_module': compile('import os\nx = [i * 2 for i in range(3)]\ndef f(a, /, b, *c, d=1, **e):\n'
                               '    return a + b\nclass K:\n    y = 2\n    def m(self):\n        return self.y\n',
                               'mod.py', 'exec'),
        'code_closure': compile('def outer(x):\n    def inner(y):\n        return x + y\n    return inner\n', 'c.py', 'exec'),
        'code_try': compile('try:\n    1/0\nexcept ZeroDivisionError as e:\n    r = str(e)\nfinally:\n    z = 1\n',
                            't.py', 'exec'),
        'code_gen': compile('def g():\n    yield from range(3)\nasync def a():\n    await g()\n'
                            'f = lambda *a, **k: (a, k, {1, 2}, frozenset({3}), b"x", 1.5, 2j, -5, 2**70, None, ...)\n',
                            'g.py', 'exec'),
        'code_consts': compile('x = ("shared", "shared", (1, 2), (1, 2), "caf\\xe9", "\\U0001f600", 10**30)', 'k.py', 'exec'),
    }
    V.update(codes)
    V['code_in_list'] = [codes['code_expr'], codes['code_expr'], codes['code_closure']]
    return V


def nest(k, inner):
    x = inner
    for _ in range(k):
        x = [x]
    return x


# ---- crafted 3.11 inputs ----------------------------------------------------------

def s(x):
    return b's' + le32(len(x)) + x


def u(x):
    x = x.encode('utf-8', 'surrogatepass')
    return b'u' + le32(len(x)) + x


def tup(*xs):
    return b'(' + le32(len(xs)) + b''.join(xs)


def code(argc=0, posonly=0, kwonly=0, stack=1, flags=0, code_=None, consts=None, names=None, lpn=None, lpk=None,
         fn=None, name=None, qn=None, fl=1, lt=None, et=None, tag=b'c'):
    def d(x, default):
        return default if x is None else x
    return (tag + le32(argc) + le32(posonly) + le32(kwonly) + le32(stack) + le32(flags) +
            d(code_, s(b'\x97\x00d\x00S\x00')) + d(consts, tup(b'N')) + d(names, tup()) + d(lpn, tup()) +
            d(lpk, s(b'')) + d(fn, u('f')) + d(name, u('n')) + d(qn, u('q')) + le32(fl) + d(lt, s(b'')) + d(et, s(b'')))


L1 = b'[\x01\x00\x00\x00'
GOOD_CODE = code()
# (id, bytes, status or None for success, payload_offset, mode)
ERRORS = [
    ('empty', b'', 'truncated_payload', 0),
    ('unknown-question', b'?', 'bad_opcode', 0),
    ('unknown-flag-only', b'\x80', 'bad_opcode', 0),
    ('unknown-question-flag', b'\xbf', 'bad_opcode', 0),
    ('unknown-R-py2-only', b'R\x00\x00\x00\x00', 'bad_opcode', 0),
    ('unknown-in-list', b'[\x02\x00\x00\x00N\x01', 'bad_opcode', 6),
    ('null-top', b'0', 'malformed', 0),
    ('none-flag', b'\xce', None, None),
    ('none-flag-no-ref', b'(\x02\x00\x00\x00\xcer\x00\x00\x00\x00', 'bad_memo', 6),
    ('int-short', b'i\x01', 'truncated_payload', 0),
    ('int-flag-ref', b'(\x02\x00\x00\x00\xe9\x05\x00\x00\x00r\x00\x00\x00\x00', None, None),
    ('int64', b'I\x05\x00\x00\x00\x00\x00\x00\x00', None, None),
    ('int64-neg', b'I' + b'\xff' * 8, None, None),
    ('int64-big', b'I\x00\x00\x00\x00\x00\x00\x00\x80', None, None),
    ('int64-short', b'I\x01\x02', 'truncated_payload', 0),
    ('long-zero', b'l\x00\x00\x00\x00', None, None),
    ('long-neg', b'l\xff\xff\xff\xff\x05\x00', None, None),
    ('long-3-digits', b'l\x03\x00\x00\x00\xff\x7f\x00\x00\x01\x00', None, None),
    ('long-count-short', b'l\x01\x00', 'truncated_payload', 0),
    ('long-size-min', b'l\x00\x00\x00\x80', 'malformed', 0),
    ('long-size-huge', b'l\xff\xff\xff\x7f', 'truncated_payload', 0),
    ('long-digit-range', b'l\x01\x00\x00\x00\x00\x80', 'malformed', 0),
    ('long-digit-range-then-short', b'l\x03\x00\x00\x00\x00\x80', 'malformed', 0),
    ('long-unnormalized', b'l\x01\x00\x00\x00\x00\x00', 'malformed', 0),
    ('long-unnormalized-neg', b'l\xfe\xff\xff\xff\x01\x00\x00\x00', 'malformed', 0),
    ('long-inner-zero-ok', b'l\x02\x00\x00\x00\x00\x00\x01\x00', None, None),
    ('long-short', b'l\x02\x00\x00\x00\x01\x00', 'truncated_payload', 0),
    ('float-no-length', b'f', 'truncated_payload', 0),
    ('float-short', b'f\x05ab', 'truncated_payload', 0),
    ('float-text-bad', b'f\x03abc', 'bad_value', 0),
    ('float-empty', b'f\x00', 'bad_value', 0),
    ('float-space', b'f\x04 1.5', 'bad_value', 0),
    ('float-trailing-space', b'f\x041.5 ', 'bad_value', 0),
    ('float-hex', b'f\x040x10', 'bad_value', 0),
    ('float-underscore', b'f\x031_0', 'bad_value', 0),
    ('float-exp-missing', b'f\x051.5e+', 'bad_value', 0),
    ('float-two-signs', b'f\x05--inf', 'bad_value', 0),
    ('float-nan-paren', b'f\x06nan(1)', 'bad_value', 0),
    ('float-infin', b'f\x05infin', 'bad_value', 0),
    ('float-dot', b'f\x01.', 'bad_value', 0),
    ('float-nul-ends', b'f\x071.5\x00xyz', None, None),
    ('float-nul-only', b'f\x01\x00', 'bad_value', 0),
    ('float-plus', b'f\x02+1', None, None),
    ('float-infinity', b'f\x09-INFINITY', None, None),
    ('float-nan-neg', b'f\x04-nan', None, None),
    ('float-nan-case', b'f\x03NaN', None, None),
    ('float-overflow', b'f\x051e999', None, None),
    ('float-underflow', b'f\x061e-999', None, None),
    ('float-forms', b'(\x04\x00\x00\x00f\x025.f\x02.5f\x0400.5f\x06+.5e-3', None, None),
    ('float-in-list-bad', b'[\x01\x00\x00\x00f\x01x', 'bad_value', 5),
    ('complex-second-missing', b'x\x011', 'truncated_payload', 0),
    ('complex-second-bad', b'x\x011\x01z', 'bad_value', 0),
    ('complex-text', b'x\x031.5\x04-2.5', None, None),
    ('binary-float-short', b'g\x00\x00', 'truncated_payload', 0),
    ('binary-complex-short', b'y' + b'\x00' * 12, 'truncated_payload', 0),
    ('bytes-count-short', b's\x01\x00', 'truncated_payload', 0),
    ('bytes-negative', b's\xff\xff\xff\xff', 'malformed', 0),
    ('bytes-huge', b's\xff\xff\xff\x7f', 'truncated_payload', 0),
    ('bytes-short', b's\x05\x00\x00\x00ab', 'truncated_payload', 0),
    ('unicode-bad', b'u\x01\x00\x00\x00\xff', 'bad_utf8', 0),
    ('unicode-bad-continuation', b'u\x02\x00\x00\x00\xc3\x28', 'bad_utf8', 0),
    ('unicode-overlong', b'u\x02\x00\x00\x00\xc0\xaf', 'bad_utf8', 0),
    ('unicode-surrogate', b'u\x03\x00\x00\x00\xed\xa0\x80', None, None),
    ('unicode-negative', b'u\xff\xff\xff\xff', 'malformed', 0),
    ('unicode-empty', b'u\x00\x00\x00\x00', None, None),
    ('interned-bad', b't\x01\x00\x00\x00\x80', 'bad_utf8', 0),
    ('interned-short', b't\x05\x00\x00\x00abc', 'truncated_payload', 0),
    ('ascii-latin1', b'a\x01\x00\x00\x00\xe9', None, None),
    ('ascii-negative', b'a\xff\xff\xff\xff', 'malformed', 0),
    ('ascii-interned-short', b'A\x09\x00\x00\x00abc', 'truncated_payload', 0),
    ('short-ascii-no-length', b'z', 'truncated_payload', 0),
    ('short-ascii-short', b'z\x05ab', 'truncated_payload', 0),
    ('short-ascii-latin1', b'Z\x02\xff\xfe', None, None),
    ('small-tuple-no-count', b')', 'truncated_payload', 1),
    ('small-tuple-short', b')\x02N', 'truncated_payload', 3),
    ('small-tuple-null', b')\x010', 'malformed', 2),
    ('tuple-short', b'(\x02\x00\x00\x00N', 'truncated_payload', 6),
    ('tuple-count-short', b'(\x02\x00', 'truncated_payload', 0),
    ('tuple-negative', b'(\xff\xff\xff\xff', 'malformed', 0),
    # (CPython's PyTuple_New(2**31-1) touches 16 GiB before it fails: kept moderate)
    ('tuple-2-20', b'(\x00\x00\x10\x00NN', 'truncated_payload', 7),
    ('tuple-2-20-then-bad', b'(\x00\x00\x10\x00N?', 'bad_opcode', 6),
    ('tuple-self-ref', b'\xa9\x01r\x00\x00\x00\x00', None, None),
    ('tuple-flag-self-ref-long', b'\xa8\x01\x00\x00\x00r\x00\x00\x00\x00', None, None),
    ('list-negative', b'[\xff\xff\xff\xff', 'malformed', 0),
    ('list-huge', b'[\xff\xff\xff\x7f', 'truncated_payload', 5),
    ('list-huge-then-bad', b'[\xff\xff\xff\x7fN?', 'bad_opcode', 6),
    ('list-null', b'[\x01\x00\x00\x000', 'malformed', 5),
    ('list-self-ref', b'[\x01\x00\x00\x00\xdb\x00\x00\x00\x00', None, None),
    ('list-self-ref-flagged', b'\xdb\x01\x00\x00\x00r\x00\x00\x00\x00', None, None),
    ('dict-no-end', b'{NN', 'truncated_payload', 3),
    ('dict-null-key', b'{0', None, None),
    ('dict-null-value', b'{N0', None, None),
    ('dict-list-key', b'{[\x00\x00\x00\x00N0', 'unhashable', 1),
    ('dict-list-key-null-value', b'{[\x00\x00\x00\x000', None, None),
    ('dict-key-then-eof', b'{[\x00\x00\x00\x00', 'truncated_payload', 6),
    ('dict-dup-key', b'{i\x01\x00\x00\x00NTF0', None, None),
    ('dict-dup-key-strict', b'{i\x01\x00\x00\x00NTF0', 'dup_key', 7, 'strict'),
    ('dict-equal-int-float-keys', b'{i\x01\x00\x00\x00Ng\x00\x00\x00\x00\x00\x00\xf0?T0', None, None),
    ('dict-self-ref', b'\xfbz\x01kr\x00\x00\x00\x000', None, None),
    ('dict-self-key', b'\xfbr\x00\x00\x00\x00N0', 'unhashable', 1),
    ('set-negative', b'<\xff\xff\xff\xff', 'malformed', 0),
    ('set-huge', b'<\xff\xff\xff\x7f', 'truncated_payload', 5),
    ('set-null', b'<\x01\x00\x00\x000', 'malformed', 5),
    ('set-list-member', b'<\x01\x00\x00\x00[\x00\x00\x00\x00', 'unhashable', 5),
    ('set-second-unhashable', b'<\x02\x00\x00\x00[\x00\x00\x00\x00N', 'unhashable', 5),
    ('set-self-ref', b'\xbc\x01\x00\x00\x00r\x00\x00\x00\x00', 'unhashable', 5),
    ('set-dup', b'<\x03\x00\x00\x00i\x01\x00\x00\x00TF', None, None),
    ('set-dup-strict', b'<\x02\x00\x00\x00i\x01\x00\x00\x00T', 'dup_key', 10, 'strict'),
    ('frozenset-null', b'>\x01\x00\x00\x000', 'malformed', 5),
    ('frozenset-self-ref', b'\xbe\x01\x00\x00\x00r\x00\x00\x00\x00', 'bad_memo', 5),
    ('frozenset-dup', b'>\x02\x00\x00\x00i\x01\x00\x00\x00T', None, None),
    ('frozenset-empty-flag-ref', b'(\x02\x00\x00\x00\xbe\x00\x00\x00\x00r\x00\x00\x00\x00', None, None),
    ('frozenset-ref-after', b'(\x02\x00\x00\x00\xbe\x01\x00\x00\x00Nr\x00\x00\x00\x00', None, None),
    ('ref-short', b'r\x00\x00', 'truncated_payload', 0),
    ('ref-invalid', b'r\x00\x00\x00\x00', 'bad_memo', 0),
    ('ref-negative', b'[\x01\x00\x00\x00r\xff\xff\xff\xff', 'bad_memo', 5),
    ('ref-out-of-range', b'\xdb\x02\x00\x00\x00r\x00\x00\x00\x00r\x01\x00\x00\x00', 'bad_memo', 10),
    ('ref-flag-bit', b'[\x02\x00\x00\x00\xe9\x01\x00\x00\x00\xf2\x00\x00\x00\x00', None, None),
    ('code-valid', GOOD_CODE, None, None),
    ('code-valid-ref', b'(\x02\x00\x00\x00\xe3' + GOOD_CODE[1:] + b'r\x00\x00\x00\x00', None, None),
    ('code-strict', GOOD_CODE, 'unsupported_code', 0, 'strict'),
    ('code-short', b'c', 'truncated_payload', 0),
    ('code-short-firstlineno', GOOD_CODE[:GOOD_CODE.index(b'u\x01\x00\x00\x00q') + 8], 'truncated_payload', 0),
    ('code-field-bytes-is-str', code(code_=u('ab')), 'malformed', 0),
    ('code-odd-bytecode', code(code_=s(b'\x97')), 'bad_value', 0),
    ('code-consts-list', code(consts=b'[\x00\x00\x00\x00'), 'malformed', 0),
    ('code-names-lpk-mismatch', code(lpn=tup(u('a'))), 'malformed', 0),
    ('code-argcount-too-big', code(argc=1), 'bad_value', 0),
    ('code-argcount-ok', code(argc=1, lpn=tup(u('a')), lpk=s(b'\x20')), None, None),
    ('code-posonly-over-argcount', code(posonly=1), 'malformed', 0),
    ('code-negative-stack', code(stack=-1), 'malformed', 0),
    ('code-negative-flags', code(flags=-1), 'malformed', 0),
    ('code-name-bytes', code(name=s(b'n')), 'malformed', 0),
    ('code-qualname-bytes', code(qn=s(b'n')), 'malformed', 0),
    ('code-filename-bytes', code(fn=s(b'n')), 'malformed', 0),
    ('code-linetable-str', code(lt=u('x')), 'malformed', 0),
    ('code-exceptiontable-str', code(et=u('x')), 'malformed', 0),
    ('code-names-int', code(names=tup(b'i\x01\x00\x00\x00')), 'malformed', 0),
    ('code-localsplusnames-int', code(lpn=tup(b'i\x01\x00\x00\x00'), lpk=s(b'\x20')), 'malformed', 0),
    ('code-varargs-no-local', code(flags=4), 'bad_value', 0),
    ('code-self-ref', b'\xe3' + GOOD_CODE[1:].replace(b'(\x01\x00\x00\x00N', b'(\x01\x00\x00\x00r\x00\x00\x00\x00', 1),
     'bad_memo', 37),
    ('code-null-field-top', GOOD_CODE[:21] + b'0', 'malformed', 21),
    ('code-null-field-in-tuple', b'(\x01\x00\x00\x00' + GOOD_CODE[:21] + b'0', 'malformed', 26),
    ('code-null-field-as-dict-key', b'{' + GOOD_CODE[:21] + b'0NN0', None, None),
    ('code-null-then-ref', b'(\x02\x00\x00\x00\xe3' + GOOD_CODE[1:21] + b'0r\x00\x00\x00\x00', 'malformed', 26),
    ('depth-2000-ok', L1 * 1999 + b'[\x00\x00\x00\x00', None, None),
    ('depth-2001', L1 * 2000 + b'N', 'malformed', 10000),
    ('depth-2001-lists', L1 * 2000 + b'[\x00\x00\x00\x00', 'malformed', 10000),
    ('depth-dict-null-2001', L1 * 1999 + b'{0', 'malformed', 9996),
    ('depth-eof-first', L1 * 2000, 'truncated_payload', 10000),
    ('depth-2001-eof', L1 * 2001, 'malformed', 10000),
    ('depth-code-fields', L1 * 1999 + GOOD_CODE, 'malformed', 10016),
    ('trailing', b'NX', None, None),
]

STATIC_MESSAGES = {
    'EOF read where object expected', 'marshal data too short', 'bad marshal data (unknown type code)',
    'bad marshal data (invalid reference)', 'bad marshal data (long size out of range)',
    'bad marshal data (digit out of range in long)', 'bad marshal data (unnormalized long data)',
    'bad marshal data (bytes object size out of range)', 'bad marshal data (string size out of range)',
    'bad marshal data (tuple size out of range)', 'bad marshal data (list size out of range)',
    'bad marshal data (set size out of range)', 'NULL object in marshal data for object',
    'NULL object in marshal data for tuple', 'NULL object in marshal data for list',
    'NULL object in marshal data for set', 'recursion limit exceeded', 'code: co_code is malformed',
    'code: co_varnames is too small',
}


# ---- the Python 2 dialect, synthesised from 2.7's Python/marshal.c ------------

class Long(int):
    """A Python 2 long: always written as TYPE_LONG."""


class Interned(bytes):
    """A Python 2 interned str: TYPE_INTERNED, then TYPE_STRINGREF."""


class Code2:
    def __init__(self, fields):
        self.fields = fields


def py2_dumps(x, version=2):
    """2.7's w_object (64-bit long) for the values used below."""
    out = bytearray()
    strings = {} if version > 0 else None

    def w(x):
        if x is None:
            out.extend(b'N')
        elif x is StopIteration:
            out.extend(b'S')
        elif x is Ellipsis:
            out.extend(b'.')
        elif x is False or x is True:
            out.extend(b'T' if x else b'F')
        elif isinstance(x, Long) or (type(x) is int and not -2 ** 63 <= x < 2 ** 63):
            n = abs(x)
            digits = []
            while n:
                digits.append(n & 0x7fff)
                n >>= 15
            out.extend(b'l' + le32(-len(digits) if x < 0 else len(digits)))
            for d in digits:
                out.extend(struct.pack('<H', d))
        elif type(x) is int:
            if -2 ** 31 <= x < 2 ** 31:
                out.extend(b'i' + le32(x))
            else:
                out.extend(b'I' + struct.pack('<q', x))
        elif type(x) is float:
            if version > 1:
                out.extend(b'g' + struct.pack('<d', x))
            else:
                t = repr_g17(x)
                out.extend(b'f' + bytes([len(t)]) + t)
        elif type(x) is complex:
            if version > 1:
                out.extend(b'y' + struct.pack('<dd', x.real, x.imag))
            else:
                out.extend(b'x')
                for part in (x.real, x.imag):
                    t = repr_g17(part)
                    out.extend(bytes([len(t)]) + t)
        elif isinstance(x, Interned) and strings is not None:
            if bytes(x) in strings:
                out.extend(b'R' + le32(strings[bytes(x)]))
            else:
                strings[bytes(x)] = len(strings)
                out.extend(b't' + le32(len(x)) + x)
        elif isinstance(x, (bytes, bytearray)):
            out.extend(b's' + le32(len(x)) + x)
        elif type(x) is str:
            b = x.encode('utf-8', 'surrogatepass')
            out.extend(b'u' + le32(len(b)) + b)
        elif type(x) in (tuple, list, set, frozenset):
            out.extend({tuple: b'(', list: b'[', set: b'<', frozenset: b'>'}[type(x)] + le32(len(x)))
            for y in x:
                w(y)
        elif type(x) is dict:
            out.extend(b'{')
            for k, y in x.items():
                w(k)
                w(y)
            out.extend(b'0')
        elif isinstance(x, Code2):
            out.extend(b'c')
            for kind, f in zip('IIIIOOOOOOOOIO', x.fields):
                if kind == 'I':
                    out.extend(le32(f))
                else:
                    w(f)
        else:
            raise ValueError('unmarshallable')
    w(x)
    return bytes(out)


def repr_g17(d):
    if d != d:
        return b'nan'
    if d in (float('inf'), float('-inf')):
        return b'inf' if d > 0 else b'-inf'
    return ('%.17g' % d).encode()


def plain(x):
    """The notation value of a py2 test value (wrappers dropped)."""
    if isinstance(x, Long):
        return int(x)
    if isinstance(x, Interned):
        return bytes(x)
    if isinstance(x, Code2):
        return C.Code([plain(f) for f in x.fields])
    if type(x) in (tuple, list):
        return type(x)(plain(y) for y in x)
    if type(x) is dict:
        return {plain(k): plain(v) for k, v in x.items()}
    return x


def py2_corpus():
    name = Interned(b'name')
    code2 = Code2([1, 1, 2, 67, b'|\x00\x00S', (None,), (), (Interned(b'x'),), (), (), Interned(b'f.py'),
                   Interned(b'f'), 1, b''])
    return {
        'scalars': [None, True, False, StopIteration, Ellipsis, 0, -1, 2 ** 31 - 1, -2 ** 31],
        'int64': [2 ** 31, -2 ** 31 - 1, 2 ** 62, -2 ** 63, 2 ** 63 - 1],
        'longs': [Long(0), Long(5), Long(-5), 2 ** 63, -2 ** 64, 3 ** 100],
        'floats': [0.5, -0.0, 1e300, float('inf'), float('-inf'), 0.1, 1 / 3, 5e-324],
        'complex': [complex(1.5, -2), complex(0, 1e-300)],
        'strings': [b'', b'abc', bytes(range(256)), 'unicode', 'caf\xe9', '\U0001f600', 'a\ud800b', ''],
        'interned': [name, name, Interned(b'other'), name, b'name', {name: Interned(b'other')}],
        'containers': [(), (1, (2, 3)), [], [[]], {}, {b'k': [1, 2], 3: (4,)}, {1, 2, 3}, frozenset([b'x']), set()],
        'nested': [[[[[b'deep']]]], {b'a': {b'b': {b'c': None}}}],
        'code': code2,
        'rows': [(i, float(i) / 3, b'name%d' % i, 'u%d' % i, None, i % 2 == 0) for i in range(10)],
    }


# (id, bytes, expected status or None, payload_offset, pyspark-mode value notation when it succeeds, strict status)
PY2_ERRORS = [
    ('empty', b'', 'truncated_payload', 0),
    ('flag-bit-unknown', b'\xce', 'bad_opcode', 0),
    ('small-tuple-unknown', b')\x00', 'bad_opcode', 0),
    ('ref-unknown', b'r\x00\x00\x00\x00', 'bad_opcode', 0),
    ('short-ascii-unknown', b'z\x01a', 'bad_opcode', 0),
    ('stringref-out-of-range', b'R\x00\x00\x00\x00', 'bad_memo', 0),
    ('stringref-after-t', b'(\x02\x00\x00\x00t\x01\x00\x00\x00aR\x01\x00\x00\x00', 'bad_memo', 11),
    ('string-negative', b's\xff\xff\xff\xff', 'malformed', 0),
    ('string-short', b's\x05\x00\x00\x00ab', 'truncated_payload', 0),
    ('unicode-negative', b'u\xff\xff\xff\xff', 'malformed', 0),
    ('unicode-bad', b'u\x01\x00\x00\x00\xff', 'bad_utf8', 0),
    ('tuple-negative', b'(\xff\xff\xff\xff', 'malformed', 0),
    ('long-digit-short', b'l\x02\x00\x00\x00\x01\x00', 'malformed', 0, None, 'truncated_payload'),
    ('int-short', b'i\x01', None, None, '-255', 'truncated_payload'),
    ('int-empty', b'i', None, None, '-1', 'truncated_payload'),
    ('string-count-short', b's\x01', 'malformed', 0, None, 'truncated_payload'),
    ('float-short', b'f\x05ab', 'truncated_payload', 0),
    ('null-top', b'0', 'malformed', 0),
    ('set-unhashable', b'<\x01\x00\x00\x00[\x00\x00\x00\x00', 'unhashable', 5),
    ('depth-2000-ok', L1 * 1999 + b'N', None, None, None),
    ('depth-2001', L1 * 2000 + b'N', 'malformed', 10000),
    ('depth-2001-eof', L1 * 2000, 'malformed', 10000),
    ('code-names-not-str', b'c' + le32(0) * 4 + s(b'') + tup() + tup(b'i\x01\x00\x00\x00') + tup() * 3 + s(b'f') +
     s(b'n') + le32(1) + s(b''), 'malformed', 0, None, 'unsupported_code'),
    ('code-consts-list', b'c' + le32(0) * 4 + s(b'') + b'[\x00\x00\x00\x00' + tup() * 4 + s(b'f') + s(b'n') + le32(1) +
     s(b''), 'malformed', 0, None, 'unsupported_code'),
]


# ---- writing ------------------------------------------------------------------------

def clean(d):
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))


def write(path, data):
    with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)


def main():
    V = corpus()
    counts = {}
    for v in range(5):
        d = os.path.join(ROOT, 'v%d' % v)
        clean(d)
        counts[v] = 0
        for name, value in V.items():
            try:
                data = marshal.dumps(value, v)
            except ValueError:
                continue  # cycles below version 3
            text = expected_text(data, value)
            for cut in range(len(data)):  # every strict prefix is EOFError [#marshal.errors]
                try:
                    marshal.loads(data[:cut])
                    raise SystemExit('%s v%d: prefix %d loads' % (name, v, cut))
                except EOFError:
                    pass
                except ValueError as e:
                    # 2.7 and 3.11 check the depth before a child's EOF
                    if str(e) != 'recursion limit exceeded':
                        raise
            write(os.path.join(d, name + '.bin'), data)
            write(os.path.join(d, name + '.txt'), text + '\n')
            counts[v] += 1
    d = os.path.join(ROOT, 'errors')
    clean(d)
    for row in ERRORS:
        vid, data, status, at = row[:4]
        mode = row[4] if len(row) > 4 else 'pyspark'
        try:
            marshal.loads(data)
            ok = True
        except BaseException as e:  # noqa: B902 -- recording every failure class
            oc = {'outcome': 'error', 'exception': type(e).__name__, 'message': str(e)}
            ok = False
        if ok:
            oc = {'outcome': 'ok', 'items': [expected_text(data)]}
        side = {'id': 'marshal-error-' + vid, 'cpython': oc, 'mode': mode, 'flags': ['#marshal.errors']}
        if mode == 'pyspark' and (status is None) != (oc['outcome'] == 'ok'):
            sys.exit('%s: expectation and CPython disagree: %r' % (vid, oc))
        if status:
            side['status'] = status
            side['payload_offset'] = at
        if oc['outcome'] == 'error':
            side['message_exact'] = oc['message'] in STATIC_MESSAGES
        write(os.path.join(d, vid + '.bin'), data)
        write(os.path.join(d, vid + '.json'), json.dumps(side, indent=1, sort_keys=True) + '\n')
    d = os.path.join(ROOT, 'py2')
    clean(d)
    n2 = 0
    for name, value in py2_corpus().items():
        for ver in (0, 1, 2):
            data = py2_dumps(value, ver)
            side = {'id': 'marshal-py2-%s-v%d' % (name, ver), 'version': ver, 'source': 'synthesised from 2.7 marshal.c',
                    'outcome': 'ok', 'items': [C.canon(plain(value))], 'roundtrip': True}
            write(os.path.join(d, '%s-v%d.bin' % (name, ver)), data)
            write(os.path.join(d, '%s-v%d.json' % (name, ver)), json.dumps(side, indent=1, sort_keys=True) + '\n')
            n2 += 1
    for row in PY2_ERRORS:
        vid, data, status, at = row[:4]
        value = row[4] if len(row) > 4 else None
        strict = row[5] if len(row) > 5 else status
        side = {'id': 'marshal-py2-error-' + vid, 'source': 'reading of 2.7 marshal.c', 'roundtrip': False}
        if status:
            side.update(outcome='error', status=status, payload_offset=at)
        else:
            side.update(outcome='ok', items=[value] if value else [])
        if strict != status:
            side['strict_status'] = strict
        write(os.path.join(d, 'error-%s.bin' % vid), data)
        write(os.path.join(d, 'error-%s.json' % vid), json.dumps(side, indent=1, sort_keys=True) + '\n')
    write(os.path.join(ROOT, 'README.md'),
          '# vectors/marshal\n\nMade by `tools/gen_marshal_vectors.py` with Python %s (marshal.version %d).\n\n'
          '- `v0`..`v4`: `marshal.dumps(value, N)` as `<name>.bin` and the notation of `marshal.loads` as '
          '`<name>.txt` (%s files per version). Every strict prefix of each raises EOFError in CPython.\n'
          '- `errors/`: %d crafted 3.11 inputs; `<id>.json` holds CPython\'s observed outcome (`cpython`), the '
          'sparkwire `status` and `payload_offset` (offset of the type code of the object being read when it '
          'failed), the decoding `mode`, and `message_exact` when sparkwire must give CPython\'s very message.\n'
          '- `py2/`: the Python 2 dialect of PySpark 1.x. NOT made by Python 2: the `.bin` files are synthesised '
          'by `py2_dumps` (a transcription of 2.7\'s `w_object`), the `error-*` expectations come from a reading of '
          '2.7\'s `r_object`. `roundtrip` says the file must re-encode byte for byte at its `version`.\n'
          % (sys.version.split()[0], marshal.version, '/'.join(str(counts[v]) for v in range(5)), len(ERRORS)))
    print('v0-v4: %s files; errors: %d; py2: %d + %d' % (counts, len(ERRORS), n2, len(PY2_ERRORS)))


main()

"""gen_vectors.py extension: opcode, type-code and SPEC-rule coverage (issue #5).

Groups (each vector made by running PySpark's own load_stream over the bytes):

- codes-pickle: every pickle opcode of pickletools.opcodes in a stream that
  PickleSerializer decodes (`*-ok`) and in one where the opcode is at the
  failure (`*-bad`: a truncated argument, a stack without the items or MARK
  it needs, a missing STOP after a push). PERSID, BINPERSID, EXT1/2/4 and
  NEXT_BUFFER cannot be valid under PySpark (it passes no persistent_load,
  extension registry or buffers): they have `-bad` vectors only.
- codes-marshal: every type code of Python/marshal.c (3.11), and FLAG_REF, the
  same way under MarshalSerializer. `?` (TYPE_UNKNOWN) is never valid; a code
  object `c` decodes in PySpark but strict mode refuses it ([#marshal.code]),
  so its valid vector is impl-defined.
- rules: SPEC rules no other vector names (Appendix A rows with their
  offsets, limits, notation rules seen through items, divergences).

Payloads are hand-assembled from pickletools/marshal opcode bytes; `items` and
`pyspark` are what PySpark did with them. `strict` comes from SPEC.md: a
well-formed payload is `ok`; a payload error propagates in both modes with
CPython's exception ([#frame.payload-error]) and the status SPEC's mapping
gives (tools/gen_pickle_errors.py's table for pickle, [#marshal.errors] for
marshal); an EOFError that PySpark swallows is `truncated_payload`
([#frame.loads-eof], [#pickle.stop], [#marshal.errors]).
"""
import io
import marshal
import pickle
import pickletools
import struct
import sys

GROUPS = ('codes-pickle', 'codes-marshal', 'rules')

gv = None


# ---- SPEC's mappings from CPython's error to a status -----------------------------------

from pickle_status import PICKLE_STATUS  # noqa: E402  SPEC #pickle.errors (tools/pickle_status.py)

MARSHAL_STATUS = [  # SPEC #marshal.types, #marshal.ref, #marshal.errors, #marshal.depth
    ('unknown type code', 'bad_opcode'),
    ('invalid reference', 'bad_memo'),
    ('size out of range', 'malformed'),
    ('NULL object', 'malformed'),
    ('recursion limit exceeded', 'malformed'),
    ('could not convert string to float', 'bad_value'),
    ('unhashable type', 'unhashable'),
    ('bad argument to internal function', 'malformed'),
]


def status_of(table, exc, msg):
    if exc == 'EOFError':
        return 'truncated_payload'
    for frag, st in table:
        if frag in msg:
            return st
    return None


def put(group, vid, ser, data, flags, desc, table, strict=None, byte_exact=False, n_ok=None, fault=None, **kw):
    """Add a vector whose verdict follows from PySpark's observed result and SPEC's strict
    outcome: PySpark raises -> reject (strict: the same exception, SPEC's status);
    PySpark ends without the items the stream holds (a swallowed EOFError) or strict
    refuses -> impl-defined; else accept."""
    items, res = gv._run(ser, data, 'bytesio')
    items2, res2 = gv._run(ser, data, 'socket')
    if res2 != res or len(items2) != len(items):
        # the outcome depends on the stream type ([#frame.negative]): impl-defined, and
        # strict must be given from SPEC
        if strict is None:
            raise SystemExit('vecgen_codes: %s/%s: BytesIO and socket differ: give strict' % (group, vid))
        gv.add(group, vid, ser, data, 'impl-defined', flags, desc, strict=strict, byte_exact=byte_exact, **kw)
        return 'impl-defined'
    if res['outcome'] == 'error':
        verdict = 'reject'
        fault_applies = True
        if strict is None:
            strict = {'outcome': 'error', 'exception': res['exception']}
            st = status_of(table, res['exception'], res['message'])
            if st:
                strict['status'] = st
    else:
        # a strict error where PySpark ends silently: its offsets are SPEC's only for marshal
        # ([#marshal.errors]: the type code being read, or where a missing one was expected)
        fault_applies = fault is not None and fault[0] == 'marshal'
        if strict is None:
            strict = gv.OK if (n_ok is None or len(items) == n_ok) else gv.st_err('truncated_payload')
        verdict = 'accept' if strict.get('outcome') == 'ok' and 'items' not in strict else 'impl-defined'
    if fault is not None and fault_applies and strict.get('outcome') == 'error':
        # [#errors.record]: layer, payload_offset (the opcode / type code at fault,
        # [#pickle.errors], [#marshal.errors]) and the absolute offset ([#frame.payload-error])
        layer, at = fault
        strict = dict(strict, layer=layer, payload_offset=at, offset=4 + at)
        if '#errors.layer' not in flags:
            flags = list(flags) + ['#errors.layer', '#errors.record']
    gv.add(group, vid, ser, data, verdict, flags, desc, strict=strict, byte_exact=byte_exact, **kw)
    return verdict


# ---- pickle opcodes ------------------------------------------------------------------------

P2, P4, P5 = b'\x80\x02', b'\x80\x04', b'\x80\x05'


def q8(n):
    return struct.pack('<Q', n)


def l4(n):
    return struct.pack('<i', n)


# opcode name -> (valid payload, invalid payload, what the invalid one does)
PICKLE_CASES = {
    'INT': (b'I42\nI01\n\x86.', b'I4', 'INT without its newline'),
    'BININT': (b'J\xff\xff\xff\xff.', b'J\x01\x00', 'BININT with 2 of its 4 bytes'),
    'BININT1': (b'K\x07.', b'K', 'BININT1 without its byte'),
    'BININT2': (b'M\x00\x01.', b'M\x01', 'BININT2 with 1 of 2 bytes'),
    'LONG': (b'L12345678901234567890L\n.', b'L12345', 'LONG without its newline'),
    'LONG1': (b'\x8a\x02\xff\x7f.', b'\x8a\x05\x01\x02', 'LONG1 with 2 of 5 bytes'),
    'LONG4': (b'\x8b\x02\x00\x00\x00\xff\x7f.', b'\x8b' + l4(-1), 'LONG4 with a negative count'),
    'STRING': (b"S'abc'\n.", b'Sabc\n.', 'STRING not quoted'),
    'BINSTRING': (b'T\x03\x00\x00\x00abc.', b'T\x05\x00\x00\x00ab', 'BINSTRING with 2 of 5 bytes'),
    'SHORT_BINSTRING': (b'U\x03abc.', b'U\x04ab', 'SHORT_BINSTRING with 2 of 4 bytes'),
    'BINBYTES': (b'B\x02\x00\x00\x00hi.', b'B\x09\x00\x00\x00hi', 'BINBYTES with 2 of 9 bytes'),
    'SHORT_BINBYTES': (b'C\x02hi.', b'C\x03h', 'SHORT_BINBYTES with 1 of 3 bytes'),
    'BINBYTES8': (b'\x8e' + q8(2) + b'hi.', b'\x8e' + q8(3) + b'hi', 'BINBYTES8 with 2 of 3 bytes'),
    'BYTEARRAY8': (b'\x96' + q8(2) + b'hi.', b'\x96' + q8(7), 'BYTEARRAY8 with none of 7 bytes'),
    'NEXT_BUFFER': (None, b'\x97.', 'NEXT_BUFFER without buffers'),
    'READONLY_BUFFER': (b'C\x01a\x98.', b'\x98.', 'READONLY_BUFFER on an empty stack'),
    'NONE': (b'N.', b'N', 'NONE, then no STOP'),
    'NEWTRUE': (b'\x88.', b'\x88', 'NEWTRUE, then no STOP'),
    'NEWFALSE': (b'\x89.', b'\x89', 'NEWFALSE, then no STOP'),
    'UNICODE': (b'Vab\\u00e9\n.', b'Vabc', 'UNICODE without its newline'),
    'SHORT_BINUNICODE': (b'\x8c\x02\xc3\xa9.', b'\x8c\x02\xff\xfe.', 'SHORT_BINUNICODE holding invalid UTF-8'),
    'BINUNICODE': (b'X\x02\x00\x00\x00\xc3\xa9.', b'X\x04\x00\x00\x00ab', 'BINUNICODE with 2 of 4 bytes'),
    'BINUNICODE8': (b'\x8d' + q8(1) + b'a.', b'\x8d' + q8(2) + b'a', 'BINUNICODE8 with 1 of 2 bytes'),
    'FLOAT': (b'F1.5\n.', b'Fone\n.', 'FLOAT text that is not a float'),
    'BINFLOAT': (b'G?\xf8\x00\x00\x00\x00\x00\x00.', b'G?\xf8\x00', 'BINFLOAT with 3 of 8 bytes'),
    'EMPTY_LIST': (b'].', b']', 'EMPTY_LIST, then no STOP'),
    'APPEND': (b']K\x01a.', b'K\x01a.', 'APPEND with one item on the stack'),
    'APPENDS': (b'](K\x01K\x02e.', b']K\x01K\x02e.', 'APPENDS without a MARK'),
    'LIST': (b'(K\x01K\x02l.', b'K\x01l.', 'LIST without a MARK'),
    'EMPTY_TUPLE': (b').', b')', 'EMPTY_TUPLE, then no STOP'),
    'TUPLE': (b'(K\x01K\x02K\x03K\x04t.', b'K\x01t.', 'TUPLE without a MARK'),
    'TUPLE1': (b'K\x01\x85.', b'\x85.', 'TUPLE1 on an empty stack'),
    'TUPLE2': (b'K\x01K\x02\x86.', b'K\x01\x86.', 'TUPLE2 with one item'),
    'TUPLE3': (b'K\x01K\x02K\x03\x87.', b'K\x01K\x02\x87.', 'TUPLE3 with two items'),
    'EMPTY_DICT': (b'}.', b'}', 'EMPTY_DICT, then no STOP'),
    'DICT': (b'(K\x01K\x02d.', b'(K\x01d.', 'DICT with a key and no value'),
    'SETITEM': (b'}K\x01K\x02s.', b'}]K\x02s.', 'SETITEM with a list as key'),
    'SETITEMS': (b'}(K\x01K\x02K\x03K\x04u.', b'}K\x01K\x02u.', 'SETITEMS without a MARK'),
    'EMPTY_SET': (b'\x8f.', b'\x8f', 'EMPTY_SET, then no STOP'),
    'ADDITEMS': (b'\x8f(K\x01K\x02\x90.', b'\x8f(]\x90.', 'ADDITEMS of a list'),
    'FROZENSET': (b'(K\x01K\x02\x91.', b'K\x01\x91.', 'FROZENSET without a MARK'),
    'POP': (b'K\x010K\x02.', b'0.', 'POP on an empty stack'),
    'DUP': (b']2\x86.', b'2.', 'DUP on an empty stack'),
    'MARK': (b'(K\x01t.', b'(.', 'MARK then STOP: nothing above the MARK'),
    'POP_MARK': (b'(K\x01K\x021K\x03.', b'K\x011.', 'POP_MARK without a MARK'),
    'GET': (b']p0\n0g0\n.', b'g5\n.', 'GET of a memo index never set'),
    'BINGET': (b']q\x000h\x00.', b'h\x05.', 'BINGET of a memo index never set'),
    'LONG_BINGET': (b']r\x00\x01\x00\x000j\x00\x01\x00\x00.', b'j\x00\x01\x00\x00.', 'LONG_BINGET of an index never set'),
    'PUT': (b']p7\n.', b'p0\n.', 'PUT on an empty stack'),
    'BINPUT': (b']q\x03.', b'q\x03.', 'BINPUT on an empty stack'),
    'LONG_BINPUT': (b']r\x05\x00\x00\x00.', b']r\x05\x00', 'LONG_BINPUT with 1 of 4 bytes'),
    'MEMOIZE': (b']\x94.', b'\x94.', 'MEMOIZE on an empty stack'),
    'EXT1': (None, b'\x82\x01.', 'EXT1 1: no extension registry'),
    'EXT2': (None, b'\x83\x01\x01.', 'EXT2 257: no extension registry'),
    'EXT4': (None, b'\x84\x00\x00\x01\x00.', 'EXT4 65536: no extension registry'),
    'GLOBAL': (P2 + b'c__builtin__\nset\n]K\x01a\x85R.', b'cbuiltins\nse', 'GLOBAL without the newline of its name'),
    'STACK_GLOBAL': (P4 + b'\x8c\x08builtins\x8c\x07complex\x93G?\xf0\x00\x00\x00\x00\x00\x00G@\x00\x00\x00\x00\x00\x00\x00\x86R.',
                     P4 + b'K\x01K\x02\x93.', 'STACK_GLOBAL of two ints'),
    'REDUCE': (P2 + b'cbuiltins\nfrozenset\n]K\x03a\x85R.', P2 + b'R.', 'REDUCE on an empty stack'),
    'BUILD': (b']Nb.', b'b.', 'BUILD on an empty stack'),
    'INST': (b'(ibuiltins\nlist\n0N.', b'(ibuiltins\nlis', 'INST without the newline of its name'),
    'OBJ': (b'(cbuiltins\nlist\no0N.', b'o.', 'OBJ without a MARK'),
    'NEWOBJ': (P2 + b'cbuiltins\nlist\n)\x810N.', P2 + b'cbuiltins\nlist\nK\x01\x81.', 'NEWOBJ with an int as args'),
    'NEWOBJ_EX': (P4 + b'cbuiltins\nlist\n)}\x920N.', P4 + b'cbuiltins\nlist\n)K\x01\x92.', 'NEWOBJ_EX with an int as kwargs'),
    'PERSID': (None, b'Pabc\n.', 'PERSID without persistent_load'),
    'BINPERSID': (None, b'K\x01Q.', 'BINPERSID without persistent_load'),
    'PROTO': (P5 + b'N.', b'\x80\x06N.', 'PROTO 6'),
    'STOP': (b'N.', b'.', 'STOP on an empty stack'),
    'FRAME': (P5 + b'\x95' + q8(2) + b'N.', P5 + b'\x95' + q8(9) + b'N.', 'FRAME of 9 bytes with 2 present'),
}


def op_pos(data, name):
    """Offset of the last opcode `name` in data, as far as pickletools can walk it
    (the opcode whose argument is cut included)."""
    f = io.BytesIO(data)
    found, end = None, 0
    try:
        for op, _a, pos in pickletools.genops(f):
            if op.name == name:
                found = pos
            end = f.tell()
    except Exception:  # noqa: BLE001  the walk stops at the cut
        if end < len(data) and pickletools.code2op.get(chr(data[end])) is not None \
                and pickletools.code2op[chr(data[end])].name == name:
            found = end
    return found


def gen_pickle():
    P = gv.S.PickleSerializer()
    names = [op.name for op in pickletools.opcodes]
    missing = set(names) ^ set(PICKLE_CASES)
    if missing:
        raise SystemExit('vecgen_codes: pickle cases out of step with pickletools: %s' % sorted(missing))
    A = gv.fr(pickle.dumps('A', 5))
    for op in pickletools.opcodes:
        good, bad, what = PICKLE_CASES[op.name]
        tag = op.name.lower().replace('_', '-')
        if good is not None:
            if op.code.encode('latin-1') not in good:
                raise SystemExit('vecgen_codes: %s valid case lacks its opcode' % op.name)
            v = put('codes-pickle', '%s-ok' % tag, P, gv.fr(good) + A, ['#pickle.opcodes', '#ser.pickle'],
                    'opcode %s (%r, protocol %d) in a payload PySpark decodes: %s, then a pickled "A"'
                    % (op.name, op.code, op.proto, good.hex()), PICKLE_STATUS, n_ok=2)
            if v != 'accept':
                raise SystemExit('vecgen_codes: %s-ok is %s' % (tag, v))
        flags = ['#pickle.opcodes', '#frame.payload-error', '#pickle.errors']
        at = 1 if op.name == 'MARK' else op_pos(bad, op.name)  # `(.`: STOP finds the MARK
        put('codes-pickle', '%s-bad' % tag, P, gv.fr(bad) + A, flags,
            'opcode %s at the fault: %s (payload %s), then a pickled "A" that an EOFError end never reads'
            % (op.name, what, bad.hex()), PICKLE_STATUS, n_ok=2, fault=None if at is None else ('pickle', at))


# ---- marshal type codes ------------------------------------------------------------------------

def i4(n):
    return struct.pack('<i', n)


def code_fields(co):
    """A 3.11 code object's fields in marshal order, as canon.Code wants them."""
    return gv.CANON.Code([co.co_argcount, co.co_posonlyargcount, co.co_kwonlyargcount, co.co_stacksize, co.co_flags,
                          co.co_code, co.co_consts, co.co_names, co.co_varnames + co.co_cellvars + co.co_freevars,
                          bytes(len(co.co_varnames + co.co_cellvars + co.co_freevars)), co.co_filename, co.co_name,
                          co.co_qualname, co.co_firstlineno, co.co_linetable, co.co_exceptiontable])


MARSHAL_CASES = {
    '0': (b'{N' + b'N' + b'0', b'[' + i4(1) + b'0', 'a NULL as a list item'),
    'N': (b'N', b'(' + i4(2) + b'N\x01', 'None then an unknown type code in a tuple'),
    'F': (b'F', b'(' + i4(2) + b'F\x01', 'False then an unknown type code in a tuple'),
    'T': (b'T', b'(' + i4(2) + b'T\x01', 'True then an unknown type code in a tuple'),
    'S': (b'S', b'(' + i4(2) + b'S\x01', 'StopIteration then an unknown type code in a tuple'),
    '.': (b'.', b'(' + i4(2) + b'.\x01', 'Ellipsis then an unknown type code in a tuple'),
    'i': (b'i' + i4(-7), b'i\x01\x02', 'int32 with 2 of 4 bytes'),
    'I': (b'I' + struct.pack('<q', -2 ** 40), b'I' + i4(1), 'int64 with 4 of 8 bytes'),
    'f': (b'f\x031.5', b'f\x03abc', 'text float "abc"'),
    'g': (b'g' + struct.pack('<d', 2.5), b'g\x00\x00', 'binary float with 2 of 8 bytes'),
    'x': (b'x\x031.5\x04-2.0', b'x\x031.5\x02zz', 'text complex with imaginary part "zz"'),
    'y': (b'y' + struct.pack('<dd', 1.5, -2.0), b'y' + struct.pack('<d', 1.5), 'binary complex with 8 of 16 bytes'),
    'l': (b'l' + i4(-3) + b'\x01\x00\x02\x00\x03\x00', b'l' + i4(-2 ** 31), 'long with a count of -2**31'),
    's': (b's' + i4(3) + b'a\x00b', b's' + i4(-1), 'bytes with a negative size'),
    't': (b't' + i4(2) + b'\xc3\xa9', b't' + i4(-2), 'interned str with a negative size'),
    'u': (b'u' + i4(4) + b'\xf0\x9f\x98\x80', b'u' + i4(-5), 'str with a negative size'),
    'a': (b'a' + i4(3) + b'abc', b'a' + i4(-3), 'ASCII str with a negative size'),
    'A': (b'A' + i4(3) + b'xyz', b'A' + i4(-3), 'interned ASCII str with a negative size'),
    'z': (b'z\x02hi', b'z\x05hi', 'short ASCII with 2 of 5 bytes'),
    'Z': (b'Z\x02hi', b'Z\x03h', 'short interned ASCII with 1 of 3 bytes'),
    '(': (b'(' + i4(2) + b'NT', b'(' + i4(-1), 'tuple with a negative count'),
    ')': (b')\x02FT', b')\x03FT', 'small tuple of 3 with 2 items'),
    '[': (b'[' + i4(2) + b'i' + i4(1) + b'N', b'[' + i4(-2), 'list with a negative count'),
    '{': (b'{' + b'z\x01k' + b'i' + i4(1) + b'0', b'{' + b'[' + i4(0) + b'N0', 'dict with a list as key'),
    '<': (b'<' + i4(2) + b'i' + i4(1) + b'i' + i4(2), b'<' + i4(1) + b'[' + i4(0), 'set holding a list'),
    '>': (b'>' + i4(1) + b'z\x01a', b'>' + i4(-1), 'frozenset with a negative count'),
    'r': (b')\x02' + b'\xdb' + i4(0) + b'r' + i4(0), b'[' + i4(1) + b'r' + i4(3), 'a reference to slot 3, never set'),
    '?': (None, b'?', 'TYPE_UNKNOWN'),
}


# payload offset of the type code at fault in MARSHAL_CASES' invalid payloads ([#marshal.errors]:
# the type code of the object being read; for a NULL the `0`; for an unhashable key the key's)
MARSHAL_FAULT = {'0': 5, 'N': 6, 'F': 6, 'T': 6, 'S': 6, '.': 6, '{': 1, '<': 5, 'r': 5, ')': 4}


def gen_pickle_extra():
    P = gv.S.PickleSerializer()
    A = gv.fr(pickle.dumps('A', 5))
    put('codes-pickle', 'readonly-buffer-int', P, gv.fr(b'K\x01\x98.') + A,
        ['#pickle.opcodes', '#pickle.ext', '#pickle.errors'],
        'READONLY_BUFFER on an int: memoryview(1) is TypeError ([#pickle.ext]: type)', PICKLE_STATUS,
        fault=('pickle', 2))
    put('codes-pickle', 'readonly-buffer-bytes', P, gv.fr(b'\x80\x05C\x02hi\x98.') + A,
        ['#pickle.opcodes', '#pickle.ext'],
        'READONLY_BUFFER on bytes: already read-only, CPython keeps the bytes', PICKLE_STATUS, n_ok=2)


def gen_marshal():
    M = gv.S.MarshalSerializer()
    A = gv.fr(marshal.dumps('A'))
    table = {
        '0': 'NULL', 'N': 'NONE', 'F': 'FALSE', 'T': 'TRUE', 'S': 'STOPITER', '.': 'ELLIPSIS', 'i': 'INT',
        'I': 'INT64', 'f': 'FLOAT', 'g': 'BINARY_FLOAT', 'x': 'COMPLEX', 'y': 'BINARY_COMPLEX', 'l': 'LONG',
        's': 'STRING', 't': 'INTERNED', 'r': 'REF', '(': 'TUPLE', '[': 'LIST', '{': 'DICT', 'c': 'CODE',
        'u': 'UNICODE', '?': 'UNKNOWN', '<': 'SET', '>': 'FROZENSET', 'a': 'ASCII', 'A': 'ASCII_INTERNED',
        ')': 'SMALL_TUPLE', 'z': 'SHORT_ASCII', 'Z': 'SHORT_ASCII_INTERNED'}
    for c, name in table.items():
        if c == 'c':
            continue
        good, bad, what = MARSHAL_CASES[c]
        tag = name.lower().replace('_', '-')
        if good is not None:
            v = put('codes-marshal', '%s-ok' % tag, M, gv.fr(good) + A, ['#marshal.types', '#ser.marshal'],
                    'type code %r (%s) in a payload PySpark decodes: %s, then marshal "A"' % (c, name, good.hex()),
                    MARSHAL_STATUS, n_ok=2)
            if v != 'accept':
                raise SystemExit('vecgen_codes: %s-ok is %s' % (tag, v))
        flags = ['#marshal.types', '#marshal.errors', '#frame.payload-error']
        if c == 'r':
            flags.append('#marshal.ref')
        if c in '{<':
            flags.append('#marshal.keys')
        put('codes-marshal', '%s-bad' % tag, M, gv.fr(bad) + A, flags,
            'type code %r (%s) at the fault: %s (payload %s), then marshal "A" that an EOFError end never reads'
            % (c, name, what, bad.hex()), MARSHAL_STATUS, n_ok=2, fault=('marshal', MARSHAL_FAULT.get(c, 0)))
    # FLAG_REF on its own
    put('codes-marshal', 'flag-ref-ok', M, gv.fr(b'[' + i4(2) + b'\xe9' + i4(5) + b'r' + i4(0)) + A,
        ['#marshal.types', '#marshal.ref'], 'FLAG_REF on an int (0xe9), then "r" to it: [5, 5]', MARSHAL_STATUS, n_ok=2)
    put('codes-marshal', 'flag-ref-bad', M, gv.fr(b'\xe9\x05') + A, ['#marshal.types', '#marshal.ref', '#marshal.errors'],
        'FLAG_REF int with 1 of 4 bytes: EOFError, a silent end', MARSHAL_STATUS, n_ok=2, fault=('marshal', 0))
    put('codes-marshal', 'ref-cycle', M, gv.fr(b'\xdb' + i4(1) + b'r' + i4(0)) + A,
        ['#marshal.ref', '#value.identity', '#notation.identity'], 'a list holding itself through "r": &1 [*1]',
        MARSHAL_STATUS, n_ok=2)
    put('codes-marshal', 'ref-reserved-frozenset', M, gv.fr(b'\xbe' + i4(1) + b'r' + i4(0)) + A,
        ['#marshal.ref', '#marshal.errors'], 'a frozenset whose member refers to its reserved slot: invalid reference',
        MARSHAL_STATUS, n_ok=2, fault=('marshal', 5))
    # code objects: PySpark yields a code object (no value notation of its own: the
    # fields in marshal order, SPEC [#notation.symbolic]); strict refuses it
    co = compile('x + 1', 'f.py', 'eval')
    data = gv.fr(marshal.dumps(co)) + A
    items, res = gv._run(M, data, 'bytesio')
    if res != gv.OK or len(items) != 2 or type(items[0]) is not type(co) or items[0] != co:
        raise SystemExit('vecgen_codes: the code object vector did not load as expected: %r' % (res,))
    gv.add('codes-marshal', 'code-ok', M, data, 'impl-defined', ['#marshal.types', '#marshal.code', '#ser.marshal'],
           'type code "c": compile("x + 1", "f.py", "eval") marshalled; PySpark yields the code object (shown as its '
           'fields in marshal order), strict refuses every code object (unsupported_code)',
           run=False, items_override=[gv.CANON.canon(code_fields(co)), gv.CANON.canon('A')],
           extra={'pyspark': dict(res)}, strict=gv.st_err('unsupported_code', keep=0))
    cb = marshal.dumps(co)
    put('codes-marshal', 'code-bad', M, gv.fr(cb[:30]) + A, ['#marshal.types', '#marshal.code', '#marshal.errors'],
        'a code object cut after 30 of %d bytes: EOFError, a silent end in PySpark; strict refuses the code '
        'object at its "c" first (unsupported_code)' % len(cb), MARSHAL_STATUS, strict=gv.st_err('unsupported_code'),
        fault=('marshal', 0))
    bad = bytearray(cb)
    bad[1:5] = i4(-1)  # argcount -1
    put('codes-marshal', 'code-negative-argcount', M, gv.fr(bytes(bad)) + A, ['#marshal.code', '#marshal.errors'],
        'a code object with argcount -1: SystemError "bad argument to internal function" (pyexc other, '
        '[#marshal.errors]); strict refuses the code object at its "c" (unsupported_code)', MARSHAL_STATUS,
        strict=gv.st_err('unsupported_code'), fault=('marshal', 0))
    # depth: 2000 nested lists decode, 2000 around None do not
    deep = b'[' + i4(1)
    put('codes-marshal', 'depth-2001', M, gv.fr(deep * 2000 + b'N') + A, ['#marshal.depth', '#marshal.errors'],
        '2000 nested lists around None: None is read at depth 2001, "recursion limit exceeded"', MARSHAL_STATUS, n_ok=2,
        fault=('marshal', 5 * 2000))
    # singletons and containers at the fault as set members ([#marshal.keys]: the member's type code)
    for c, name in (('F', 'false'), ('S', 'stopiter'), ('.', 'ellipsis')):
        put('codes-marshal', '%s-dup-member' % name, M, gv.fr(b'<' + i4(2) + c.encode() * 2) + A,
            ['#marshal.keys', '#marshal.types', '#value.keys'],
            'a set of two %r members: PySpark merges them; strict reports dup_key at the second' % c,
            MARSHAL_STATUS, strict=gv.st_err('dup_key', keep=0), fault=('marshal', 6))
    for c, body, name in (('{', b'{0', 'dict'), ('<', b'<' + i4(0), 'set')):
        put('codes-marshal', '%s-unhashable-member' % name, M, gv.fr(b'<' + i4(1) + body) + A,
            ['#marshal.keys', '#marshal.types', '#value.keys'],
            'a set holding an empty %s: TypeError unhashable at the member' % name, MARSHAL_STATUS, n_ok=2,
            fault=('marshal', 5))
    put('codes-marshal', 'dict-dup-key', M, gv.fr(bytes.fromhex('7b6901000000' '4e' '54' '46' '30')) + A,
        ['#marshal.keys', '#value.keys', '#appendix.permissive'],
        'Appendix A: {1: None, True: False}: PySpark merges to {1: False}; strict reports dup_key',
        MARSHAL_STATUS, strict=gv.st_err('dup_key', keep=0), fault=('marshal', 7))


# ---- rules ----------------------------------------------------------------------------------------

def gen_rules():
    S, fr, I = gv.S, gv.fr, gv.I
    N = S.NoOpSerializer()
    P = S.PickleSerializer()
    M = S.MarshalSerializer()
    U = S.UTF8Deserializer()
    app = ['#appendix.permissive', '#modes', '#errors', '#errors.status', '#errors.record', '#errors.layer', '#conv']
    # Appendix A rows, with the offsets SPEC states
    rows = [
        ('appendix-end-of-data', N, bytes.fromhex('0000000141ffffffff0000000142'), ['#frame.end-of-data'],
         dict(gv.st_err('trailing', keep=1), offset=9, layer='frame')),
        ('appendix-negative-m3', N, bytes.fromhex('0000000141fffffffd72657374'), ['#frame.negative', '#frame'],
         dict(gv.st_err('unexpected_special', keep=1), offset=5, layer='frame')),
        ('appendix-negative-m7', N, bytes.fromhex('fffffff941'), ['#frame.negative', '#frame'],
         dict(gv.st_err('bad_length', keep=0), offset=0, layer='frame')),
        ('appendix-short', N, bytes.fromhex('00000001410000000a616263'), ['#frame.short', '#frame'],
         dict(gv.st_err('truncated_frame', keep=1), offset=5, payload_offset=3, layer='frame')),
        ('appendix-pickle-zero', P, bytes.fromhex('00000000'), ['#frame.zero', '#frame.loads-eof'],
         dict(gv.st_err('truncated_payload'), offset=4, payload_offset=0, layer='pickle')),
        ('appendix-marshal-i01', M, bytes.fromhex('000000026901'), ['#frame.loads-eof', '#marshal.errors'],
         dict(gv.st_err('truncated_payload'), offset=4, payload_offset=0, layer='marshal')),
        ('appendix-pickle-trailing', P, bytes.fromhex('0000000580054e2e00'), ['#ser.trailing', '#pickle.stop'],
         dict(gv.st_err('trailing', keep=0), offset=8)),
        ('appendix-utf8-struct-error', U, bytes.fromhex('00000001410000'), ['#utf8.struct-error'],
         dict(gv.st_err('truncated_length', keep=1), offset=5, payload_offset=2)),
        ('appendix-utf8-short', U, bytes.fromhex('0000000a616263'), ['#utf8.short'],
         dict(gv.st_err('truncated_frame', keep=0), offset=0, payload_offset=3)),
    ]
    for vid, ser, data, flags, strict in rows:
        put('rules', vid, ser, data, flags + app, 'SPEC Appendix A row %s (hex %s)' % (flags[0], data.hex()),
            PICKLE_STATUS, strict=strict)
    A = S.AutoSerializer()
    gv.add('rules', 'appendix-auto-observed', A, bytes.fromhex('000000024d4e'), 'reject',
           ['#ser.auto.observed', '#ser.auto.intended', '#appendix.permissive', '#modes'],
           'Appendix A: "M" + marshal None: PySpark (Python 3) raises ValueError; strict reads the intended format',
           strict={'outcome': 'ok', 'items': ['None']})
    # wire: a frame length is big-endian (#conv, #wire): 0x00000100 = 256 bytes
    blob = bytes(range(256))
    gv.add('rules', 'big-endian-length', N, fr(blob), 'accept', ['#conv', '#wire', '#wire.int32', '#frame', '#ser',
                                                                 '#ser.load_stream', '#ser.loads', '#io.sink'],
           'one 256-byte NoOp frame: the length 00 00 01 00 is big-endian', byte_exact=True, strict=gv.OK)
    # the errors' exception names (#errors.pyexc) and layers are recorded as PySpark raised them
    put('rules', 'pyexc-unpickling', P, fr(b'\x80\x05\xff'), ['#errors.pyexc', '#errors', '#pickle.opcodes'],
        'an invalid opcode 0xff: UnpicklingError in both modes', PICKLE_STATUS)
    # rules the CPython differential target found (fuzz/targets/pickle_differential.c): each
    # payload, then a second frame that only a reader which went on would decode
    after = fr(pickle.dumps('after', 2))
    for vid, payload, flags, desc in [
        ('call-native-callable', b'\x80\x02K\x01)R.', ['#pickle.call'],
         'REDUCE with the int 1 as callable: TypeError \'int\' object is not callable'),
        ('call-args-not-tuple', b'\x80\x02K\x01K\x02R.', ['#pickle.call'],
         'REDUCE with native args that are no tuple: TypeError, checked before the callable'),
        ('call-newobj-native-class', b'\x80\x02K\x01)\x81.', ['#pickle.call'],
         'NEWOBJ with the int 1 as class: UnpicklingError NEWOBJ class argument must be a type'),
        ('build-native-none-state', b'\x80\x02K\x01Nb.', ['#pickle.build'],
         'BUILD on an int with state None changes nothing: 1'),
        ('build-native-dict-state', b'\x80\x02K\x01}b.', ['#pickle.build'],
         'BUILD on an int with a dict state: AttributeError (no __dict__)'),
        ('build-native-state-not-dict', b'\x80\x02K\x01K\x02b.', ['#pickle.build'],
         'BUILD on an int with state 2: UnpicklingError state is not a dictionary'),
        ('setitem-list-index', b'\x80\x02]K\x01aK\x00K\x07s.', ['#pickle.setitem-seq'],
         'SETITEM on a list: [1][0] = 7 gives [7]'),
        ('setitem-list-negative-index', b'\x80\x02]K\x01aJ\xff\xff\xff\xffK\x07s.', ['#pickle.setitem-seq'],
         'SETITEM on a list with index -1: [7]'),
        ('setitem-list-out-of-range', b'\x80\x02]K\x05K\x07s.', ['#pickle.setitem-seq'],
         'SETITEM on an empty list: IndexError'),
        ('setitem-bytearray-byte-range', b'\x80\x05\x96' + struct.pack('<Q', 2) + b'abK\x00M\x00\x01s.',
         ['#pickle.setitem-seq'], 'SETITEM on a bytearray with 256: ValueError byte must be in range(0, 256)'),
        ('append-bytearray', b'\x80\x05\x96' + struct.pack('<Q', 1) + b'a(KbKc\x88e.', ['#pickle.append-bytearray'],
         'APPENDS on a bytearray extends it with the bytes 98, 99 and True: bytearray(b\'abc\\x01\')'),
        ('append-bytearray-non-int', b'\x80\x05\x96' + struct.pack('<Q', 1) + b'aNa.', ['#pickle.append-bytearray'],
         'APPEND of None on a bytearray: TypeError'),
        ('memo-text-space-sign', b'Np +1 \n0g1\n.', ['#pickle.memo-text'],
         'PUT " +1 " and GET 1: PyLong_FromString base 10 takes white space and a sign: None'),
        ('memo-text-negative-put', b'Np-1\n.', ['#pickle.memo-text'], 'PUT -1: ValueError negative PUT argument'),
        ('bytes-end-empty', b'C\x00', ['#pickle.bytes-end'],
         'SHORT_BINBYTES of length 0 ending the input: UnpicklingError pickle data was truncated (not EOFError, '
         'which PySpark would take as the end of the stream)'),
        ('setitem-tuple-big-key', b'\x80\x02)\x8a\x09' + b'\x00' * 8 + b'\x01K\x01s.', ['#pickle.setitem-seq'],
         'SETITEM on a tuple with the key 2**64: PyObject_SetItem takes an int key of a sequence type as '
         'Py_ssize_t first: IndexError cannot fit \'int\' into an index-sized integer'),
        ('int-text-long-leading-zeros', b'I' + b'0' * 70 + b'1\n.', ['#pickle.int'],
         'INT of 70 zeros then 1: load_int\'s C strtol (base 0) reads a line of any length, and leading zeros '
         'are octal: 1'),
        ('int-text-long-leading-zeros-8', b'I' + b'0' * 70 + b'8\n.', ['#pickle.int'],
         'INT of 70 zeros then 8: strtol (octal) stops at the 8, and int() refuses leading zeros: ValueError'),
    ]:
        put('rules', vid, P, fr(payload) + after, flags + ['#pickle.errors'], desc + ' (hex %s)' % payload.hex(),
            PICKLE_STATUS)
    # io.source: a negative length reads the rest on io.BytesIO, ValueError on a socket reader
    put('rules', 'source-bytesio-vs-socket', N, fr(b'A') + I(-3) + b'rest',
        ['#io.source', '#frame.negative', '#frame.negative.bytesio'],
        'length -3: io.BytesIO reads the rest, a BufferedReader over a socket raises ValueError; both are recorded',
        PICKLE_STATUS, strict=gv.st_err('unexpected_special', keep=1))
    # stream rules SPEC took from the probes
    put('rules', 'auto-empty-frame-offsets', A, fr(b''), ['#ser.auto.empty', '#ser.auto.observed'],
        'AutoSerializer, an empty frame: obj[0] is IndexError (pyspark: bad_tag); strict: truncated_payload, '
        'layer auto, at the payload start', PICKLE_STATUS,
        strict={'outcome': 'error', 'status': 'truncated_payload', 'layer': 'auto', 'offset': 4})
    BM = S.BatchedSerializer(M, 2)
    data = gv.dump(BM, [1, 'two', (3,)])
    if data[4] != 0xdb:
        raise SystemExit('vecgen_codes: a marshal batch without FLAG_REF: %s' % data[:8].hex())
    gv.add('rules', 'marshal-batch-flag-ref', BM, data, 'accept', ['#ser.marshal.batch-ref', '#ser.batched.dump'],
           'BatchedSerializer(MarshalSerializer(), 2).dump_stream: each batch list is written with FLAG_REF (db)',
           strict=gv.OK)
    B2 = S.BatchedSerializer(P, 2)
    PD = S.PairDeserializer(B2, B2)
    put('rules', 'pair-int-batches-offsets', PD, fr(pickle.dumps(5, 5)) + fr(pickle.dumps(6, 5)),
        ['#ser.pair.strict', '#ser.pair'],
        'PairDeserializer: int batches are TypeError in both modes (batch_type, layer pair, at the key batch\'s length)',
        PICKLE_STATUS, strict={'outcome': 'error', 'status': 'batch_type', 'exception': 'TypeError', 'layer': 'pair',
                               'offset': 0})
    put('rules', 'utf8-end-of-data-offsets', U, fr(b'a') + I(-1) + fr(b'b'), ['#utf8.end-of-data', '#utf8'],
        'UTF8: -1 then another string: PySpark stops; strict: trailing, layer utf8, at the first byte after the -1',
        PICKLE_STATUS, strict=dict(gv.st_err('trailing', keep=1), layer='utf8', offset=9))
    put('rules', 'utf8-negative-offsets', U, fr(b'a') + I(-2) + b'rest', ['#utf8.negative', '#frame.negative'],
        'UTF8: a string, then length -2: ValueError at the length on a BufferedReader (io.BytesIO decodes the rest); '
        'unexpected_special, layer utf8, at 5', PICKLE_STATUS,
        strict=dict(gv.st_err('unexpected_special', 'ValueError', keep=1), layer='utf8', offset=5))
    # spec: nested serializer texts
    CB = S.BatchedSerializer(S.CompressedSerializer(P), 2)
    gv.add('rules', 'spec-nested', CB, gv.dump(CB, [1, 2, 3]), 'accept', ['#spec', '#spec.grammar', '#ser.batched'],
           'serializer text %s: two levels of nesting' % CB, byte_exact=True, strict=gv.OK)
    # limits.depth: 2001 open MARKs decode in CPython; sparkwire stops at max_depth (2000) in both modes
    deep = b'(' * 2001 + b'1' * 2001 + b'N.'
    gv.add('rules', 'limit-depth-marks', P, fr(deep), 'impl-defined',
           ['#limits.depth', '#pickle.limits', '#limits', '#vectors.divergence'],
           '2001 nested MARKs (each dropped by POP_MARK), then None: CPython decodes it; sparkwire refuses more than '
           'max_depth (2000) open MARKs in both modes (limit_depth at the 2001st MARK)',
           strict=dict(gv.st_err('limit_depth'), offset=4 + 2000, payload_offset=2000, layer='pickle', items=[]),
           limit_divergence=dict(gv.st_err('limit_depth'), offset=4 + 2000, payload_offset=2000, layer='pickle',
                                 items=[]))
    # limits.expansion: memo GETs are charged one plus the children of the node fetched
    # ([#pickle.limits]); 1100 GETs of a 65536-item list exceed the 64 Mi default
    n = 65536
    big = b'\x80\x05](' + b'K\x00' * n + b'e\x94' + b'h\x000' * 1100 + b'.'
    gv.add('rules', 'limit-expansion-gets', P, fr(big), 'impl-defined',
           ['#limits.expansion', '#pickle.limits', '#limits', '#vectors.divergence'],
           'a list of %d zeros fetched 1100 times by BINGET (each dropped by POP): CPython decodes it; sparkwire '
           'charges each GET 1 + %d and stops past max_expansion (64 Mi) in both modes' % (n, n),
           strict=dict(gv.st_err('limit_expansion'), items=[]),
           limit_divergence=dict(gv.st_err('limit_expansion'), items=[]))
    # value / notation rules seen through items
    t = (1,)
    shared = [1]
    vals = [{(t, 2), (t, 3)}, [shared, shared], {1: 'a', True: 'b', 1.0: 'c'}, 10 ** 4300 - 1, 10 ** 4300, 2.0 ** -1017,
            float('nan'), -0.0, 'a\'b\\c\t\u00e9\U0001f600', b'\x00\'\\', frozenset({(1, 2), (0,)})]
    gv.add('rules', 'notation-items', P, gv.dump(P, vals), 'accept',
           ['#notation', '#notation.scalar', '#notation.int', '#notation.int.boundary', '#notation.float',
            '#notation.float.repr', '#notation.string', '#notation.container', '#notation.set-order',
            '#notation.set-order.key', '#notation.identity', '#notation.identity.reach', '#notation.canon',
            '#value', '#value.identity', '#value.keys', '#pickle.keys'],
           'items that exercise the notation: a set of tuples sharing a tuple (anchor-free sort keys), a shared '
           'list, merged dict keys, 10**4300-1 (decimal) and 10**4300 (hex), 2.0**-1017, nan, -0.0, escapes, '
           'a frozenset', byte_exact=False, strict=gv.OK)
    ints = [0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 2100, True, False]
    gv.add('rules', 'encode-scalars', P, gv.dump(P, ints + [0.5, float('inf'), 'x' * 300, '\u00e9', b'', b'y' * 300,
                                                           bytearray(b'z'), 1 + 2j]), 'accept',
           ['#pickle.encode', '#pickle.encode.int', '#pickle.encode.float', '#pickle.encode.str',
            '#pickle.encode.bytes', '#notation.parse', '#notation.grammar', '#notation.parse.build', '#io.sink'],
           'scalars across the BININT1/BININT2/BININT/LONG1/LONG4 boundaries, floats, short and long str and bytes, '
           'a bytearray, a complex: the items re-encode byte for byte from their notation', byte_exact=True,
           strict=gv.OK)
    Row = __import__('collections').namedtuple('Row', ['a', 'b'])
    gv.add('rules', 'namedtuple', P, gv.dump(P, [Row(1, 'x')]), 'accept',
           ['#pickle.resolve', '#pickle.resolve.namedtuple', '#pickle.encode.symbolic', '#notation.symbolic'],
           'a PySpark namedtuple (_restore reduce): resolved to namedtuple(...), re-encoded byte for byte',
           byte_exact=True, strict=gv.OK)
    # the fix_imports regression: a Python 2 name in a protocol 3 pickle stays as it is
    g3 = b'\x80\x03cUserList\nset\n.'
    gv.add('rules', 'global-py2-name-protocol3', P, fr(g3), 'impl-defined',
           ['#pickle.globals', '#value.symbolic', '#notation.symbolic', '#vectors.divergence'],
           'protocol 3 pickle of GLOBAL UserList set: no fix_imports at protocol 3, so the name stays; CPython '
           'imports UserList and fails (ModuleNotFoundError); sparkwire never imports: global(\'UserList\', \'set\')',
           strict={'outcome': 'ok', 'items': ["global('UserList', 'set')"]},
           limit_divergence={'outcome': 'ok', 'items': ["global('UserList', 'set')"]})
    # [#pickle.resolve.reduce] a builtin call is resolved at its REDUCE, where CPython's load
    # calls it: keys equal once called are merged as they are inserted (strict: dup_key at the
    # SETITEMS), an unhashable result is refused where it is inserted, later opcodes act on the
    # result, and the call copies its argument as it is then
    rk = (b'\x80\x02}(c__builtin__\ncomplex\nK\x01K\x00\x86RX\x01\x00\x00\x00aK\x01X\x01\x00\x00\x00bu.')
    put('rules', 'resolve-reduce-keys-merged', P, fr(rk), ['#pickle.resolve', '#pickle.resolve.reduce', '#pickle.keys'],
        'a dict whose first key is builtins.complex(1, 0) by REDUCE and second key 1: CPython calls complex() '
        'while loading and merges the keys ({(1+0j): \'b\'}), and so does sparkwire; strict: dup_key at SETITEMS',
        PICKLE_STATUS, strict=dict(gv.st_err('dup_key', keep=0), layer='pickle', payload_offset=len(rk) - 2,
                                   offset=4 + len(rk) - 2))
    for vid, payload, desc in [
        ('resolve-reduce-unhashable-member', P4 + b'(cbuiltins\nset\n]\x85R\x91.',
         'FROZENSET of builtins.set([]) by REDUCE: TypeError unhashable type: \'set\' at FROZENSET'),
        ('resolve-reduce-unhashable-key', P4 + b'}cbuiltins\nbytearray\n)RK\x01s.',
         'SETITEM with builtins.bytearray() by REDUCE as the key: TypeError unhashable type: \'bytearray\' at SETITEM'),
    ]:
        put('rules', vid, P, fr(payload), ['#pickle.resolve', '#pickle.resolve.reduce', '#pickle.keys', '#pickle.errors'],
            desc + ' (hex %s)' % payload.hex(), PICKLE_STATUS, fault=('pickle', len(payload) - 2))
    for vid, payload, desc in [
        ('resolve-reduce-then-additems', P4 + b'cbuiltins\nset\n)R(K\x01\x90.',
         'ADDITEMS on builtins.set() by REDUCE adds to the set: {1}'),
        ('resolve-reduce-call-copies-args', P4 + b']q\x00cbuiltins\nset\nh\x00\x85Rh\x00K\x01a0.',
         'builtins.set(L) by REDUCE, then an APPEND to L: the set was made from L as it was: set()'),
    ]:
        put('rules', vid, P, fr(payload), ['#pickle.resolve', '#pickle.resolve.reduce'],
            desc + ' (hex %s)' % payload.hex(), PICKLE_STATUS)
    g2 = b'\x80\x02cUserList\nset\n.'
    gv.add('rules', 'global-py2-name-protocol2', P, fr(g2), 'impl-defined',
           ['#pickle.globals', '#value.symbolic', '#vectors.divergence'],
           'protocol 2 pickle of GLOBAL UserList set: fix_imports maps the module to collections; CPython then '
           'fails on collections.set (AttributeError); sparkwire never imports: global(\'collections\', \'set\')',
           strict={'outcome': 'ok', 'items': ["global('collections', 'set')"]},
           limit_divergence={'outcome': 'ok', 'items': ["global('collections', 'set')"]})


def generate(g):
    global gv
    gv = g
    gen_pickle()
    gen_pickle_extra()
    gen_marshal()
    gen_rules()

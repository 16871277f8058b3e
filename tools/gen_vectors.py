#!/usr/bin/python3
"""Golden stream vectors made by running PySpark's own serializers (SPEC.md [#vectors]).

    /usr/bin/python3 tools/gen_vectors.py --pyspark DIR      (or SPARKWIRE_PYSPARK=DIR)

DIR is a PySpark `python/` directory: it must hold pyspark/serializers.py
(this repository holds no PySpark code). The generator loads that file as
`pyspark.serializers` without running pyspark/__init__.py (which needs py4j);
where DIR's pyspark/util.py or pyspark/cloudpickle.py is missing or cannot be
imported on this Python, two tiny stand-ins are installed in sys.modules:
`pyspark.util._exception_message` and `pyspark.cloudpickle` (Debian's
cloudpickle). The manifest records which were used.

For every vector it writes vectors/<group>/<id>.bin (the stream) and
<id>.json (the sidecar, described in vectors/README.md): the items PySpark's
load_stream yields (as notation lines, tools/canon.py) and how it ended, read
from a BufferedReader over a socketpair (what PySpark workers read:
sock.makefile("rb", 65536); the pyspark mode's contract, SPEC [#frame.negative])
and again from io.BytesIO, recorded as pyspark_observed where it differs.
vectors/manifest.json lists all vectors with the provenance of the run.

Deterministic: PYTHONHASHSEED=0 (the script re-executes itself with it),
seeded randomness, sorted JSON; two runs give identical files. Only the
groups listed in GROUPS are rewritten (stale files in them are removed).
"""
import argparse
import collections
import hashlib
import importlib
import importlib.util
import io
import json
import marshal
import os
import pickle
import random
import socket
import struct
import sys
import threading
import types
import zlib

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import canon as CANON  # noqa: E402  (tools/canon.py)

# the groups this script owns; vectors/notation, pickle, pickle-corpus, marshal,
# pickle-errors, cloudpickle belong to other generators
GROUPS = ('wire', 'frame', 'noop', 'utf8', 'pickle-stream', 'batched', 'autobatched', 'marshal-stream',
          'compressed', 'pair', 'cartesian', 'flattened', 'auto', 'chunked', 'demo')

# Extension modules tools/vecgen_*.py add groups of their own: each defines
# GROUPS (a tuple of group names it owns) and generate(gv), called with this
# module after the built-in groups, which uses gv.add, gv.S, gv.dump, gv.OK...
PLUGINS = []


def load_plugins():
    global GROUPS
    import glob
    for path in sorted(glob.glob(os.path.join(HERE, 'vecgen_*.py'))):
        mod = importlib.import_module(os.path.basename(path)[:-3])
        for g in mod.GROUPS:
            if g in GROUPS:
                raise SystemExit('gen_vectors: %s claims group %s twice' % (path, g))
        GROUPS = GROUPS + tuple(mod.GROUPS)
        PLUGINS.append(mod)


S = None  # pyspark.serializers, once loaded
SHIMS = []


# ---- loading PySpark --------------------------------------------------------------

def _shim_util():
    m = types.ModuleType('pyspark.util')

    def _exception_message(excp):
        if hasattr(excp, 'message'):
            return excp.message
        return str(excp)
    m._exception_message = _exception_message
    return m


def _shim_cloudpickle():
    import traceback
    import cloudpickle as cp
    m = types.ModuleType('pyspark.cloudpickle')
    m.__dict__.update({k: v for k, v in vars(cp).items() if not k.startswith('__')})
    m.dumps, m.loads = cp.dumps, cp.loads
    m.print_exec = lambda stream: traceback.print_exc(file=stream)
    return m


def load_pyspark(pydir):
    """Import DIR/pyspark/serializers.py as pyspark.serializers."""
    global S
    if not pydir:
        sys.exit('gen_vectors: no PySpark: pass --pyspark DIR (a PySpark python/ directory holding '
                 'pyspark/serializers.py) or set SPARKWIRE_PYSPARK')
    pkgdir = os.path.join(os.path.abspath(pydir), 'pyspark')
    ser_path = os.path.join(pkgdir, 'serializers.py')
    if not os.path.isfile(ser_path):
        sys.exit('gen_vectors: %s is missing: --pyspark must name the directory that contains '
                 'pyspark/serializers.py' % ser_path)
    pkg = types.ModuleType('pyspark')
    pkg.__path__ = [pkgdir]
    sys.modules['pyspark'] = pkg
    for name, shim in (('util', _shim_util), ('cloudpickle', _shim_cloudpickle)):
        full = 'pyspark.' + name
        try:
            if not os.path.isfile(os.path.join(pkgdir, name + '.py')):
                raise ImportError('no %s.py' % name)
            mod = importlib.import_module(full)
            if name == 'util' and not hasattr(mod, '_exception_message'):
                raise ImportError('no _exception_message')
        except Exception as e:  # noqa: BLE001  any failure: use the stand-in
            try:
                mod = shim()
            except ImportError as e2:
                sys.exit('gen_vectors: pyspark.%s cannot be imported (%s) and the stand-in needs '
                         'the cloudpickle package (%s)' % (name, e, e2))
            SHIMS.append('pyspark.%s (%s)' % (name, str(e).splitlines()[0] if str(e) else type(e).__name__))
        sys.modules[full] = mod
        setattr(pkg, name, mod)
    try:
        spec = importlib.util.spec_from_file_location('pyspark.serializers', ser_path)
        S = importlib.util.module_from_spec(spec)
        sys.modules['pyspark.serializers'] = S
        spec.loader.exec_module(S)
    except Exception as e:  # noqa: BLE001
        sys.exit('gen_vectors: importing %s failed: %s: %s' % (ser_path, type(e).__name__, e))
    pkg.serializers = S
    for need in ('FramedSerializer', 'PickleSerializer', 'BatchedSerializer', 'UTF8Deserializer', 'write_int'):
        if not hasattr(S, need):
            sys.exit('gen_vectors: %s has no %s: not a PySpark serializers.py this script knows' % (ser_path, need))
    return ser_path


# ---- helpers -------------------------------------------------------------------------

def I(n):
    return struct.pack('!i', n)


def fr(b):
    return I(len(b)) + b


def dump(ser, items):
    b = io.BytesIO()
    ser.dump_stream(iter(items) if not isinstance(items, list) else items, b)
    return b.getvalue()


def frames_of(data):
    """Split a well-formed framed stream into payloads (-5 as None)."""
    out, pos = [], 0
    while pos < len(data):
        n = struct.unpack('!i', data[pos:pos + 4])[0]
        pos += 4
        if n == -5:
            out.append(None)
            continue
        out.append(data[pos:pos + n])
        pos += n
    return out


def exc_name(e):
    mod = type(e).__module__
    if mod in ('struct', 'zlib'):
        return mod + '.error'
    return type(e).__name__


def _run(ser, data, kind):
    closer = None
    if kind == 'bytesio':
        stream = io.BytesIO(data)
    else:
        a, b = socket.socketpair()

        def writer():
            try:
                a.sendall(data)
                a.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        t = threading.Thread(target=writer, daemon=True)
        t.start()
        stream = b.makefile('rb', 65536)
        closer = (a, b, t, stream)
    items, res = [], {'outcome': 'ok'}
    try:
        for x in ser.load_stream(stream):
            items.append(x)
    except Exception as e:  # noqa: BLE001  PySpark's outcome, recorded
        res = {'outcome': 'error', 'exception': exc_name(e), 'message': str(e)}
    if closer:
        closer[3].close()
        closer[1].close()
        closer[0].close()
        closer[2].join()
    return items, res


def canon_items(items):
    return [CANON.canon(x) for x in items]


def _walk_exact(root):
    """Can an encoder rebuild the bytes pickle.dumps wrote for root from the
    notation? Not when a str/bytes object is reached twice (pickle memoizes it,
    the notation does not show str identity) or a set's members are not in
    the notation's sorted order."""
    seen = set()
    stack = [root]
    while stack:
        x = stack.pop()
        t = type(x)
        if t in (str, bytes):
            if id(x) in seen:
                return False
            seen.add(id(x))
            continue
        if t in (int, float, bool, complex, type(None)) or x is Ellipsis:
            continue
        if id(x) in seen:
            continue
        seen.add(id(x))
        if t in (set, frozenset):
            keys = [CANON.canon_key(m) for m in x]
            if keys != sorted(keys):
                return False
            stack.extend(x)
        elif t is dict:
            for k, v in x.items():
                stack.append(v)
                stack.append(k)
        elif t in (list, tuple):
            stack.extend(reversed(x))
        elif isinstance(x, tuple) and hasattr(x, '_fields'):
            stack.extend([tuple(x), type(x)._fields, type(x).__name__])
        elif t is bytearray:
            continue
        else:
            return False
    return True


def pickle_exact(batches):
    return all(_walk_exact(b) for b in batches)


# ---- vector store --------------------------------------------------------------------

VECTORS = []
SPEC_IDS = None


def spec_ids():
    global SPEC_IDS
    if SPEC_IDS is None:
        import re
        p = os.path.join(ROOT, 'SPEC.md')
        SPEC_IDS = set(re.findall(r'\{#([a-z0-9._-]+)\}', open(p, encoding='utf-8').read())) if os.path.exists(p) else None
    return SPEC_IDS


def add(group, vid, ser, data, verdict, flags, desc, byte_exact=False, strict=None, serializer=None,
        items_override=None, run=True, extra=None, limit_divergence=None):
    assert group in GROUPS, group
    assert verdict in ('accept', 'reject', 'impl-defined'), verdict
    ids = spec_ids()
    for f in flags:
        assert f.startswith('#'), f
        if ids is not None and f[1:] not in ids:
            raise SystemExit('gen_vectors: flag %s of %s is not a SPEC.md id' % (f, vid))
    v = {'id': vid, 'serializer': serializer or str(ser), 'verdict': verdict, 'flags': list(flags),
         'byte_exact': bool(byte_exact), 'description': desc}
    if run:
        # SPEC [#frame.negative]: the pyspark mode's contract is PySpark reading a
        # BufferedReader over a socket (what workers read); where io.BytesIO gives
        # another result it is kept as pyspark_observed, the documented alternative
        items_b, res_b = _run(ser, data, 'bytesio')
        items_s, res_s = _run(ser, data, 'socket')
        try:
            v['items'] = canon_items(items_s)
            it_b = canon_items(items_b)
        except (TypeError, ValueError) as e:
            print('skip %s/%s: an item has no notation (%s)' % (group, vid, e), file=sys.stderr)
            SKIPPED.append('%s/%s' % (group, vid))
            return
        v['pyspark'] = res_s
        if it_b != v['items'] or res_b != res_s:
            if verdict == 'accept':
                raise SystemExit('gen_vectors: %s/%s: BytesIO and socket differ on an accepted vector' % (group, vid))
            if limit_divergence:
                raise SystemExit('gen_vectors: %s/%s: a limit divergence where BytesIO and socket differ' % (group, vid))
            alt = dict(res_b)
            alt['items'] = it_b
            alt['reader'] = 'io.BytesIO'
            v['pyspark_observed'] = alt
    if items_override is not None:
        v['items'] = items_override
    if strict is not None:
        strict = dict(strict)
        keep = strict.pop('keep', None)
        if keep is not None:
            strict['items'] = v['items'][:keep]
        v['strict'] = strict
    if limit_divergence:
        # SPEC documents a deliberate divergence (a limit): the pyspark mode's contract
        # is `limit_divergence`, PySpark's own result (the same on both readers) is kept
        # as pyspark_observed
        v['pyspark_observed'] = dict(v['pyspark'], items=v['items'], reader='io.BytesIO, BufferedReader')
        v['pyspark'] = limit_divergence
    if extra:
        v.update(extra)
    if verdict == 'accept' and run and v['pyspark']['outcome'] != 'ok':
        raise SystemExit('gen_vectors: %s/%s: verdict accept but PySpark raised %r' % (group, vid, v['pyspark']))
    VECTORS.append((group, vid, data, v))


SKIPPED = []
OK = {'outcome': 'ok'}
ERR = {'outcome': 'error'}


def st_err(status, exc=None, keep=None, offset=None):
    """A strict-mode error expectation; keep=k: strict delivers only the first k of
    PySpark's items before the error ([#modes.deliver]); offset: the error's offset."""
    d = {'outcome': 'error', 'status': status}
    if exc:
        d['exception'] = exc
    if offset is not None:
        d['offset'] = offset
    if keep is not None:
        d['keep'] = keep
    return d


# ---- the vectors -----------------------------------------------------------------------

def gen_wire():
    """write_int / write_long / write_with_length / read_bool: no serializer, so the
    conformance suite skips these sidecars; they carry a 'wire' record instead."""
    def out(fn, *args):
        b = io.BytesIO()
        fn(*args, b)
        return b.getvalue()
    for v in (0, 1, -1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, -2 ** 31, -5):
        VECTORS.append(('wire', 'write_int_%s' % str(v).replace('-', 'm'), out(S.write_int, v), {
            'id': 'write_int_%s' % str(v).replace('-', 'm'), 'verdict': 'accept', 'flags': ['#wire.int32'],
            'byte_exact': True, 'description': 'write_int(%d)' % v,
            'wire': {'function': 'write_int', 'value': v}}))
    for v in (2 ** 31, -2 ** 31 - 1):
        try:
            S.write_int(v, io.BytesIO())
            raise SystemExit('write_int(%d) did not fail' % v)
        except struct.error as e:
            VECTORS.append(('wire', 'write_int_range_%s' % str(v).replace('-', 'm'), b'', {
                'id': 'write_int_range_%s' % str(v).replace('-', 'm'), 'verdict': 'reject',
                'flags': ['#wire.int32', '#wire.write_with_length'], 'byte_exact': False,
                'description': 'write_int(%d) cannot pack: nothing is written' % v,
                'wire': {'function': 'write_int', 'value': v},
                'pyspark': {'outcome': 'error', 'exception': exc_name(e), 'message': str(e)}}))
    for v in (0, 1, -1, 2 ** 32, 2 ** 63 - 1, -2 ** 63):
        vid = 'write_long_%s' % str(v).replace('-', 'm')
        VECTORS.append(('wire', vid, out(S.write_long, v), {
            'id': vid, 'verdict': 'accept', 'flags': ['#wire.int64'], 'byte_exact': True,
            'description': 'write_long(%d)' % v, 'wire': {'function': 'write_long', 'value': v}}))
    for name, b in (('empty', b''), ('abc', b'abc'), ('256', bytes(range(256)))):
        vid = 'write_with_length_%s' % name
        VECTORS.append(('wire', vid, out(S.write_with_length, b), {
            'id': vid, 'verdict': 'accept', 'flags': ['#wire.write_with_length'], 'byte_exact': True,
            'description': 'write_with_length(%s)' % ('%d bytes' % len(b)),
            'wire': {'function': 'write_with_length', 'value_hex': b.hex()}}))
    for name, b in (('00', b'\x00'), ('01', b'\x01'), ('02', b'\x02'), ('ff', b'\xff'), ('empty', b'')):
        vid = 'read_bool_%s' % name
        try:
            r = {'outcome': 'ok', 'value': S.read_bool(io.BytesIO(b))}
        except Exception as e:  # noqa: BLE001
            r = {'outcome': 'error', 'exception': exc_name(e), 'message': str(e)}
        VECTORS.append(('wire', vid, b, {
            'id': vid, 'verdict': 'accept' if b else 'reject', 'flags': ['#wire.bool'], 'byte_exact': False,
            'description': 'read_bool on %r' % b, 'wire': {'function': 'read_bool'}, 'pyspark': r}))
    for fn, name, b in (('read_int', 'empty', b''), ('read_int', '3bytes', b'\x00\x00\x00'),
                        ('read_int', 'm5', I(-5)), ('read_long', '7bytes', b'\x00' * 7),
                        ('read_long', 'm1', b'\xff' * 8)):
        vid = '%s_%s' % (fn, name)
        try:
            r = {'outcome': 'ok', 'value': getattr(S, fn)(io.BytesIO(b))}
        except Exception as e:  # noqa: BLE001
            r = {'outcome': 'error', 'exception': exc_name(e), 'message': str(e)}
        VECTORS.append(('wire', vid, b, {
            'id': vid, 'verdict': 'accept' if r['outcome'] == 'ok' else 'reject',
            'flags': ['#wire.int32' if fn == 'read_int' else '#wire.int64'], 'byte_exact': False,
            'description': '%s on %s' % (fn, b.hex() or 'no bytes'), 'wire': {'function': fn}, 'pyspark': r}))


def gen_frame():
    """The framing probes [#frame] for NoOp, Pickle and Marshal."""
    sers = (('noop', S.NoOpSerializer(), b'A'), ('pickle', S.PickleSerializer(), pickle.dumps('A', 5)),
            ('marshal', S.MarshalSerializer(), marshal.dumps('A')))
    named = {-2: 'PYTHON_EXCEPTION_THROWN', -3: 'TIMING_DATA', -4: 'END_OF_STREAM', -6: 'START_ARROW_STREAM'}
    for tag, ser, one in sers:
        exact = tag != 'marshal'
        add('frame', '%s-empty' % tag, ser, b'', 'accept', ['#frame.eof'], 'no bytes at all: no items, clean end',
            byte_exact=True, strict=OK)
        add('frame', '%s-two-frames' % tag, ser, fr(one) + fr(one), 'accept', ['#frame.eof', '#frame.write'],
            'two frames, clean end between frames', byte_exact=exact, strict=OK)
        for k in (1, 2, 3):
            add('frame', '%s-eof-partial-%d' % (tag, k), ser, fr(one) + I(5)[:k], 'reject',
                ['#frame.eof-partial', '#wire.int32', '#modes.deliver'],
                'a frame, then %d byte(s) of the next length: struct.error propagates' % k,
                strict=st_err('truncated_length', 'struct.error'))
        add('frame', '%s-end-of-data-then-frame' % tag, ser, fr(one) + I(-1) + fr(one), 'impl-defined',
            ['#frame.end-of-data', '#wire.special'],
            'END_OF_DATA_SECTION (-1) then another frame: PySpark stops at -1, the rest is unread',
            strict=st_err('trailing'))
        add('frame', '%s-end-of-data-last' % tag, ser, fr(one) + I(-1), 'accept',
            ['#frame.end-of-data', '#wire.special'], 'a frame then END_OF_DATA_SECTION (-1) at the very end',
            strict=OK)
        add('frame', '%s-null' % tag, ser, fr(one) + I(-5) + fr(one), 'accept', ['#frame.null', '#wire.special'],
            'NULL (-5) between frames yields None', strict=OK)
        for n in (-2, -3, -4, -6, -7, -2 ** 31):
            nm = 'm%d' % -n if n > -2 ** 31 else 'int32min'
            st = st_err('unexpected_special') if n in named else st_err('bad_length')
            add('frame', '%s-negative-%s-then-frame' % (tag, nm), ser, fr(one) + I(n) + fr(one), 'impl-defined',
                ['#frame.negative', '#frame.negative.bytesio', '#wire.special'],
                'length %d%s then a frame: a BufferedReader (a worker\'s socket) raises ValueError at read(%d) '
                '(the pyspark mode); io.BytesIO reads the rest of the input and loads gets all remaining bytes '
                '(pyspark_observed)' % (n, ' (%s)' % named[n] if n in named else '', n),
                strict=dict(st, keep=1, offset=len(fr(one))))
            add('frame', '%s-negative-%s-rest' % (tag, nm), ser, I(n) + one, 'impl-defined',
                ['#frame.negative', '#frame.negative.bytesio', '#wire.special'],
                'length %d then one payload: a BufferedReader raises ValueError (the pyspark mode); '
                'io.BytesIO reads the payload as the rest of the input (pyspark_observed)' % n,
                strict=dict(st, keep=0, offset=0))
        add('frame', '%s-short' % tag, ser, fr(one) + I(10) + b'abc', 'impl-defined', ['#frame.short'],
            'a length of 10 with 3 bytes left: the short read is EOFError, a clean end; the partial frame is dropped',
            strict=st_err('truncated_frame'))
        add('frame', '%s-declared-2g' % tag, ser, fr(one) + I(2 ** 31 - 1) + b'xyz', 'impl-defined',
            ['#frame.short', '#limits.frame', '#limits.no-prealloc'],
            'a declared length of 2**31-1 with 3 bytes present: PySpark reads what is there and ends cleanly; '
            'nothing may be allocated by the declared length; sparkwire refuses a frame over max_frame_bytes '
            '(256 MiB) before reading it, in both modes (limit_frame)', strict=st_err('limit_frame', keep=1),
            limit_divergence=st_err('limit_frame'))
        add('frame', '%s-declared-128m' % tag, ser, fr(one) + I(2 ** 27) + b'xyz', 'impl-defined',
            ['#frame.short', '#limits.no-prealloc'],
            'a declared length of 2**27 (under the frame limit) with 3 bytes present: a clean end in PySpark; '
            'nothing may be allocated by the declared length', strict=st_err('truncated_frame', keep=1))
        if tag == 'noop':
            add('frame', 'noop-zero', ser, I(0) + fr(one), 'accept', ['#frame.zero', '#ser.noop'],
                'length 0: NoOp yields b""', byte_exact=True, strict=OK)
        else:
            add('frame', '%s-zero' % tag, ser, I(0) + fr(one), 'impl-defined', ['#frame.zero', '#frame.loads-eof'],
                'length 0: %s.loads(b"") raises EOFError, which load_stream swallows: the stream ends, the '
                'next frame is never read' % tag, strict=st_err('truncated_payload'))
    # payload errors: which end silently (EOFError) and which propagate
    P = S.PickleSerializer()
    pA = pickle.dumps('A', 5)
    p = pickle.dumps([1, 'abc', (2.5, None)], 5)
    for cut in (1, 2, 3, 5, 11, len(p) - 1):
        add('frame', 'pickle-truncated-%d' % cut, P, fr(p[:cut]) + fr(pA), 'impl-defined' if cut == 2 else 'reject',
            ['#frame.loads-eof', '#frame.payload-error', '#pickle.errors'],
            'a protocol-5 pickle cut to %d of %d bytes, then a good frame: a cut at an opcode boundary is '
            'EOFError "Ran out of input" (silent end), a cut inside an argument or a FRAME is '
            'UnpicklingError "pickle data was truncated"' % (cut, len(p)), strict=ERR)
    p2 = pickle.dumps([1, (2, 3)], 2)
    for cut in range(2, len(p2)):
        add('frame', 'pickle2-truncated-%d' % cut, P, fr(p2[:cut]) + fr(pA), 'impl-defined',
            ['#frame.loads-eof', '#frame.payload-error', '#pickle.errors', '#pickle.stop'],
            'a protocol-2 pickle %s cut to %d of %d bytes, then a good frame' % (p2.hex(), cut, len(p2)), strict=ERR)
    for name, payload, desc in (('garbage', b'\xff\xff', 'invalid load key'), ('zero-byte', b'\x00', 'invalid load key'),
                                ('stop-only', b'.', 'STOP on an empty stack'), ('proto-only', b'\x80\x05',
                                                                             'PROTO then nothing'),
                                ('mark-only', b'(', 'MARK then nothing'), ('proto-byte', b'\x80', 'PROTO without its argument')):
        add('frame', 'pickle-%s' % name, P, fr(payload) + fr(pA), 'reject' if name not in ('proto-only', 'mark-only') else 'impl-defined',
            ['#frame.payload-error', '#frame.loads-eof', '#pickle.errors'],
            'payload %s (%s), then a good frame' % (payload.hex(), desc), strict=ERR)
    add('frame', 'pickle-trailing', P, fr(pickle.dumps(None, 5) + b'\x00') + fr(pA), 'impl-defined',
        ['#ser.trailing'], 'a pickle of None followed by a stray byte in its frame: pickle.loads ignores it',
        strict=st_err('trailing', keep=0))
    M = S.MarshalSerializer()
    mA = marshal.dumps('A')
    m = marshal.dumps([1, 'abc', (2.5, None)])
    for cut in (1, 2, 5, 16, len(m) - 1):
        add('frame', 'marshal-truncated-%d' % cut, M, fr(m[:cut]) + fr(mA), 'impl-defined',
            ['#frame.loads-eof', '#marshal.errors'],
            'a marshal payload cut to %d of %d bytes: marshal raises EOFError for every truncation, '
            'so the stream ends silently' % (cut, len(m)), strict=st_err('truncated_payload'))
    add('frame', 'marshal-i01', M, fr(b'i\x01') + fr(mA), 'impl-defined', ['#frame.loads-eof', '#marshal.errors'],
        'marshal "i" with 1 of 4 bytes: EOFError "marshal data too short", silent end',
        strict=st_err('truncated_payload'))
    add('frame', 'marshal-bad-code', M, fr(b'\x01') + fr(mA), 'reject', ['#frame.payload-error', '#marshal.types'],
        'marshal type code 0x01: ValueError "bad marshal data (unknown type code)"', strict=ERR)
    add('frame', 'marshal-trailing', M, fr(marshal.dumps(None) + b'xx') + fr(mA), 'impl-defined', ['#ser.trailing'],
        'marshal None followed by two stray bytes in its frame: ignored', strict=st_err('trailing', keep=0))


def gen_noop():
    N = S.NoOpSerializer()
    rng = random.Random(1)
    cases = [('bytes', [b'', b'a', b'hello', bytes(range(256)), bytes(rng.randrange(256) for _ in range(1000))]),
             ('empty-stream', []),
             ('one-empty', [b'']),
             ('big', [bytes(rng.randrange(256) for _ in range(70000))])]
    for name, items in cases:
        data = dump(N, items)
        add('noop', 'noop-' + name, N, data, 'accept', ['#ser.noop', '#frame.write', '#frame.eof'],
            'NoOpSerializer().dump_stream of %d byte strings' % len(items), byte_exact=True, strict=OK)
    data = dump(N, [b'x', bytearray(b'yz')])
    add('noop', 'noop-bytearray', N, data, 'accept', ['#ser.noop', '#frame.write'],
        'NoOpSerializer writes a bytearray item as its bytes; it reads back as bytes', byte_exact=True, strict=OK)
    add('noop', 'noop-nulls', N, I(-5) + fr(b'a') + I(-5), 'accept', ['#ser.noop', '#frame.null'],
        'NULL (-5) frames around a payload (the JVM writes them; NoOp\'s dump_stream cannot): None, b"a", None',
        strict=OK)


def utf8_stream(strings):
    b = io.BytesIO()
    for s in strings:
        if s is None:
            S.write_int(S.SpecialLengths.NULL, b)
        else:
            S.write_with_length(s.encode('utf-8'), b)
    return b.getvalue()


def gen_utf8():
    U = S.UTF8Deserializer()
    valid = [('ascii', ['hello', 'world', 'a b\tc\n']),
             ('latin1', ['Z\u00fcrich', 'caf\u00e9', '\u00ff\u00a0']),
             ('cjk', ['\u6771\u4eac', '\u4e2d\u6587\u5b57', '\ud55c\uad6d\uc5b4']),
             ('non-bmp', ['\U0001f600', 'a\U00010000b', '\U0010ffff']),
             ('empty-strings', ['', '', 'x', '']),
             ('null', [None, 'a', None, '']),
             ('mixed', ['A', '\u00e9', '\u20ac', '\U0001f680', '\x00', '\x7f\x80']),
             ('empty-stream', []),
             ('long', ['\u00e9' * 40000])]
    for name, strs in valid:
        add('utf8', 'utf8-' + name, U, utf8_stream(strs), 'accept', ['#utf8', '#utf8.encode', '#frame.null'] if None in strs
            else ['#utf8', '#utf8.encode'],
            'strings as the JVM writes them (PySpark write_with_length of the UTF-8 bytes, -5 for None): %d strings'
            % len(strs), byte_exact=True, strict=OK)
    add('utf8', 'utf8-bytes-mode', S.UTF8Deserializer(False), utf8_stream(['abc', '\u00e9']) + fr(b'\xff'), 'accept',
        ['#utf8'], 'UTF8Deserializer(False) yields the raw bytes, invalid UTF-8 included', byte_exact=True, strict=OK)
    probes = [
        ('invalid-ff', fr(b'a\xffb'), 'reject', ['#utf8.invalid'], 'byte ff is not UTF-8', st_err('bad_utf8', 'UnicodeDecodeError')),
        ('surrogate', fr(b'ok') + fr(b'\xed\xa0\x80'), 'reject', ['#utf8.invalid'],
         'an encoded lone surrogate (ED A0 80) after a good string', st_err('bad_utf8', 'UnicodeDecodeError')),
        ('overlong', fr(b'\xc0\x80'), 'reject', ['#utf8.invalid'], 'overlong C0 80', st_err('bad_utf8', 'UnicodeDecodeError')),
        ('truncated-multibyte', fr(b'\xe6\x9d'), 'reject', ['#utf8.invalid'], 'E6 9D: a 3-byte sequence cut',
         st_err('bad_utf8', 'UnicodeDecodeError')),
        ('short', I(10) + b'abc', 'impl-defined', ['#utf8.short'],
         'length 10 with 3 bytes: UTF8Deserializer has no short-read check and yields "abc"',
         st_err('truncated_frame', keep=0)),
        ('short-in-multibyte', I(5) + b'\xe6\x9d', 'reject', ['#utf8.short', '#utf8.invalid'],
         'length 5, 2 bytes present that cut a 3-byte sequence: UnicodeDecodeError "unexpected end of data"; '
         'strict: truncated_frame', st_err('truncated_frame', offset=0)),
        ('end-of-data-then-more', fr(b'a') + I(-1) + fr(b'b'), 'impl-defined', ['#utf8.end-of-data', '#frame.end-of-data'],
         '-1 ends the stream; the rest is unread; strict: trailing at the first byte after -1',
         st_err('trailing', offset=9)),
        ('zero', I(0) + fr(b'x'), 'accept', ['#utf8', '#utf8.encode'], 'length 0 is the empty string', OK),
        ('negative-m2', fr(b'a') + I(-2) + b'rest', 'impl-defined', ['#utf8.negative', '#frame.negative.bytesio'],
         '-2: a BufferedReader raises ValueError; io.BytesIO reads the rest (pyspark_observed)',
         st_err('unexpected_special', keep=1, offset=5)),
        ('negative-m7', I(-7) + b'rest', 'impl-defined', ['#utf8.negative', '#frame.negative.bytesio'],
         '-7: a BufferedReader raises ValueError; io.BytesIO reads the rest (pyspark_observed)',
         st_err('bad_length', keep=0, offset=0)),
        ('negative-int32min', I(-2 ** 31) + b'rest', 'impl-defined', ['#utf8.negative', '#frame.negative.bytesio'],
         'INT32_MIN: a BufferedReader raises ValueError; io.BytesIO reads the rest (pyspark_observed)',
         st_err('bad_length', keep=0, offset=0)),
    ]
    for k in (1, 2, 3):
        probes.append(('trailing-%d' % k, fr(b'a') + b'\x00' * k, 'impl-defined', ['#utf8.struct-error'],
                       'a string then %d byte(s) of a length: UTF8Deserializer swallows struct.error' % k,
                       st_err('truncated_length')))
    for name, data, verdict, flags, desc, strict in probes:
        add('utf8', 'utf8-' + name, U, data, verdict, flags, desc, strict=strict, byte_exact=(name == 'zero'))


def realistic_items():
    """Items of the kinds PySpark pickles: deterministic (seeded)."""
    rng = random.Random(20261125)
    ints = [0, 1, -1, 255, 256, -256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1,
            2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 2 ** 64, 10 ** 30, -(10 ** 30), 2 ** 1000]
    floats = [0.0, -0.0, 1.5, -2.25, 0.1, float('inf'), float('-inf'), float('nan'), 5e-324, 2.2250738585072014e-308,
              1.7976931348623157e308, 1e16, 123456789.125]
    strs = ['plain ascii', 'Z\u00fcrich', '\u03a9mega', '\u6771\u4eac\u90fd', '\U0001f600 smile', 'nul\x00byte',
            'quote\'s "and" \\back', 'x' * 300, '\ud800lone']
    blobs = [bytes(range(10)), bytes(rng.randrange(256) for _ in range(255)), bytes(rng.randrange(256) for _ in range(256)),
             bytearray(b'mutable')]
    shared = [1, 2]
    cyc = []
    cyc.append(cyc)
    d = {'name': 'alice', 'age': 30, 'tags': ['x', 'y'], 'score': 0.5}
    d2 = {}
    d2['self'] = d2
    containers = [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], [1, [2, [3]]], {}, d, {1: 'one', (2, 3): None, None: True},
                  [shared, shared], cyc, d2, set(), {1, 2, 3}, frozenset(), frozenset({'a', 'b', 'c'}),
                  {('k', 1): frozenset({1})}, (None, True, False), 1 + 2j, Ellipsis]
    row = collections.namedtuple('Row', ['id', 'name', 'value'])  # hijacked by serializers.py
    rows = [row(i, 'n%d' % i, i * 0.5) for i in range(3)]
    pairs = [('key%d' % i, i * i) for i in range(8)]
    return {'ints': ints, 'floats': floats, 'strs': strs, 'bytes': blobs, 'containers': containers,
            'rows': rows, 'pairs': pairs}


def gen_pickle():
    P = S.PickleSerializer()
    groups = realistic_items()
    for name, items in sorted(groups.items()):
        data = dump(P, items)
        add('pickle-stream', 'pickle-' + name, P, data, 'accept', ['#ser.pickle', '#frame.write', '#pickle'],
            'PickleSerializer().dump_stream: one pickle per item (%s)' % name,
            byte_exact=pickle_exact(items), strict=OK)
    # payload sizes around the framing thresholds of protocol 5
    rng = random.Random(7)
    for n in (255, 256, 65535, 65536, 70000):
        it = [bytes(rng.randrange(256) for _ in range(n))]
        add('pickle-stream', 'pickle-bytes-%d' % n, P, dump(P, it), 'accept', ['#ser.pickle', '#pickle.encode.frame'],
            'one bytes item of %d bytes' % n, byte_exact=True, strict=OK)
    big = [list(range(1001)), {i: -i for i in range(1000)}, set(range(1001))]
    add('pickle-stream', 'pickle-batching-1000', P, dump(P, big), 'accept', ['#ser.pickle', '#pickle.encode.batch'],
        'a 1001-item list, a 1000-item dict, a 1001-member set (APPENDS/SETITEMS/ADDITEMS batches of 1000)',
        byte_exact=pickle_exact(big), strict=OK)
    add('pickle-stream', 'pickle-empty-stream', P, b'', 'accept', ['#ser.pickle', '#frame.eof'], 'no items',
        byte_exact=True, strict=OK)
    add('pickle-stream', 'pickle-null', P, fr(pickle.dumps(1, 5)) + I(-5), 'accept', ['#ser.pickle', '#frame.null'],
        'a pickled 1 then a NULL frame (written by the JVM, not by dump_stream)', strict=OK)
    cp = S.CloudPickleSerializer()
    items = [1, 'two', [3.0]]
    add('pickle-stream', 'cloudpickle-plain', cp, dump(cp, items), 'accept', ['#ser.pickle'],
        'CloudPickleSerializer().dump_stream of plain data (functions have no notation: not covered here)',
        byte_exact=pickle_exact(items), strict=OK)


def batched_items():
    g = realistic_items()
    out = []
    for k in ('ints', 'floats', 'strs', 'containers', 'rows', 'pairs'):
        out.extend(g[k])
    return out


def gen_batched():
    items = batched_items()
    for n in (1, 2, 3, 10, 1024, -1):
        B = S.BatchedSerializer(S.PickleSerializer(), n)
        data = dump(B, items)
        batches = frames_of(data)
        loaded = [pickle.loads(b) for b in batches]
        add('batched', 'batched-pickle-%s' % ('unlimited' if n == -1 else n), B, data, 'accept',
            ['#ser.batched', '#ser.batched.dump', '#ser.pickle', '#pickle.encode.memo'],
            'BatchedSerializer(PickleSerializer(), %d).dump_stream of %d items (%d batches)' % (n, len(items), len(batches)),
            byte_exact=pickle_exact(loaded), strict=OK)
    # the same without the namedtuple rows (their shared class name is memoized) and sets:
    # byte-exact, so an encoder must reproduce every batch
    g = realistic_items()
    plain = g['ints'] + g['floats'] + g['strs'] + g['bytes'] + g['pairs'] + [x for x in g['containers'] if _walk_exact(x)
                                                                          and not isinstance(x, (set, frozenset))]
    for n in (1, 2, 3, 10, 1024, -1):
        B = S.BatchedSerializer(S.PickleSerializer(), n)
        data = dump(B, plain)
        batches = frames_of(data)
        exact = pickle_exact([pickle.loads(b) for b in batches])
        if not exact:
            raise SystemExit('gen_vectors: batched-plain-%d is not byte-exact' % n)
        add('batched', 'batched-plain-%s' % ('unlimited' if n == -1 else n), B, data, 'accept',
            ['#ser.batched', '#ser.batched.dump', '#ser.pickle', '#pickle.encode.memo', '#pickle.encode.batch'],
            'BatchedSerializer(PickleSerializer(), %d).dump_stream of %d items, no namedtuples or sets (%d batches)'
            % (n, len(plain), len(batches)), byte_exact=True, strict=OK)
    for n in (3, -1):
        B = S.BatchedSerializer(S.PickleSerializer(), n)
        add('batched', 'batched-empty-%s' % ('unlimited' if n == -1 else n), B, dump(B, []), 'accept',
            ['#ser.batched.dump'], 'no items: %s' % ('one frame holding []' if n == -1 else 'no frames'),
            byte_exact=True, strict=OK)
    B = S.BatchedSerializer(S.PickleSerializer(), 2)
    for name, obj, verdict, exc in (('tuple', (1, 2), 'impl-defined', None), ('str', 'ab', 'impl-defined', None),
                                    ('bytes', b'xy', 'impl-defined', None), ('dict', {'k': 1, 'j': 2}, 'impl-defined', None),
                                    ('set', {3, 1}, 'impl-defined', None), ('empty-list', [], 'accept', None),
                                    ('int', 5, 'reject', 'TypeError'), ('float', 2.5, 'reject', 'TypeError'),
                                    ('none', None, 'reject', 'TypeError')):
        st = OK if verdict == 'accept' else st_err('batch_type', keep=0)
        add('batched', 'batched-payload-%s' % name, B, fr(pickle.dumps(obj, 5)), verdict,
            ['#ser.batched', '#ser.iter', '#ser.batched.type'],
            'a batch frame whose pickle is %r: iterated as Python iterates it' % (obj,), strict=st)
    add('batched', 'batched-null-frame', B, I(-5), 'reject', ['#ser.batched', '#frame.null', '#ser.iter'],
        'a NULL frame in a batched stream: iterating None is TypeError', strict=ERR)
    BN = S.BatchedSerializer(S.NoOpSerializer(), 2)
    add('batched', 'batched-noop', BN, fr(b'ab') + fr(b''), 'impl-defined', ['#ser.batched', '#ser.iter', '#ser.noop'],
        'BatchedSerializer(NoOpSerializer()): each payload is iterated, bytes give ints',
        strict=st_err('batch_type', keep=0))
    BM = S.BatchedSerializer(S.MarshalSerializer(), 3)
    it = [1, 'two', 3.0, (4,), [5], {'six': 6}, None]
    add('batched', 'batched-marshal-3', BM, dump(BM, it), 'accept', ['#ser.batched', '#ser.marshal'],
        'BatchedSerializer(MarshalSerializer(), 3).dump_stream of literals (their FLAG_REF bits follow CPython '
        'reference counts: small ints, constants and the input list\'s items are shared, so not byte-exact)',
        strict=OK)
    # Byte-exact marshal batches [#marshal.encode.refs]: the batch list always has FLAG_REF
    # (PySpark's own variables hold it), and objects made fresh by a generator expression
    # have a reference count of 1 inside it, except BatchedSerializer's loop variable `item`,
    # which still holds the last item of each batch: so every 3rd item is None (never flagged)
    BM3 = S.BatchedSerializer(S.MarshalSerializer(), 3)
    data = dump(BM3, (None if i % 3 == 2 else fresh_item(i) for i in range(12)))
    check_marshal_batches(data, 'batched-marshal-3-fresh')
    add('batched', 'batched-marshal-3-fresh', BM3, data, 'accept',
        ['#ser.batched', '#ser.marshal', '#ser.marshal.batch-ref', '#marshal.encode.refs'],
        'BatchedSerializer(MarshalSerializer(), 3) over a generator of fresh objects, every 3rd None: each batch '
        'list is written with FLAG_REF, its items without', byte_exact=True, strict=OK)
    BMU = S.BatchedSerializer(S.MarshalSerializer(), -1)
    data = dump(BMU, (fresh_item(i) for i in range(10)))
    check_marshal_batches(data, 'batched-marshal-unlimited-fresh')
    add('batched', 'batched-marshal-unlimited-fresh', BMU, data, 'accept',
        ['#ser.batched', '#ser.marshal', '#ser.marshal.batch-ref', '#marshal.encode.refs'],
        'BatchedSerializer(MarshalSerializer(), -1) over a generator of fresh objects (`list(iterator)`: no loop '
        'variable): one batch list with FLAG_REF', byte_exact=True, strict=OK)
    BCM = S.BatchedSerializer(S.CompressedSerializer(S.MarshalSerializer()), -1)
    add('batched', 'batched-compressed-marshal-fresh', BCM, dump(BCM, (fresh_item(i) for i in range(6))), 'accept',
        ['#ser.batched', '#ser.compressed.encode', '#ser.marshal.batch-ref', '#marshal.encode.refs'],
        'BatchedSerializer(CompressedSerializer(MarshalSerializer()), -1) over fresh objects: zlib level 1 of '
        'the marshal batch with FLAG_REF (zlib %s)' % zlib.ZLIB_VERSION, byte_exact=True, strict=OK)


def fresh_item(i):
    """An object made at run time, shared with nothing: no cached small int, no
    constant, no interned or 1-character str, no empty container; inside a
    generator expression its reference count is 1, so marshal writes no FLAG_REF
    for it or anything in it."""
    k = i % 7
    if k == 0:
        return 1000003 * (i + 1)
    if k == 1:
        return (i + 1) / 7.0
    if k == 2:
        return 'item-%d' % i
    if k == 3:
        return bytes([i % 251, 7, 9])
    if k == 4:
        return tuple([100000 + i, 'v%d' % i, [i * 1.5 + 0.25, 'w%d' % i]])
    if k == 5:
        return {'key%d' % i: [2 ** 40 + i, 'x%d' % i]}
    return [i * 3.5 + 0.5, 'z' * (i + 2), 10 ** 20 + i]


def check_marshal_batches(data, vid):
    """The FLAG_REF bits of a batched marshal stream: the batch list has it
    (b'\\xdb'), and this generator's fresh items have none (checked by re-marshalling
    each loaded batch from a temporary: the list unflagged, the rest as written)."""
    for b in frames_of(data):
        if b[0] != 0xdb:
            raise SystemExit('gen_vectors: %s: a marshal batch list without FLAG_REF: %r' % (vid, b[:1]))
        again = marshal.dumps(marshal.loads(b))  # the loaded list is a temporary here
        if again != b'\x5b' + b[1:]:
            raise SystemExit('gen_vectors: %s: items of a batch carry FLAG_REF' % vid)


def gen_autobatched():
    P = S.PickleSerializer()
    A = S.AutoBatchedSerializer(P)
    ints = list(range(200))
    add('autobatched', 'autobatched-ints', A, dump(A, ints), 'accept', ['#ser.autobatched', '#ser.batched'],
        'AutoBatchedSerializer(PickleSerializer()).dump_stream of 200 ints: batches of 1, 2, 4, ... 64, 73',
        byte_exact=True, strict=OK)
    items = batched_items()
    data = dump(A, items)
    add('autobatched', 'autobatched-realistic', A, data, 'accept', ['#ser.autobatched'],
        'the realistic items, batch sizes 1, 2, 4, ...', byte_exact=pickle_exact([pickle.loads(b) for b in frames_of(data)]),
        strict=OK)
    add('autobatched', 'autobatched-empty', A, dump(A, []), 'accept', ['#ser.autobatched'], 'no items: no frames',
        byte_exact=True, strict=OK)
    rng = random.Random(3)
    blobs = [bytes(rng.randrange(256) for _ in range(700)) for _ in range(12)]
    A64 = S.AutoBatchedSerializer(P, 64)
    add('autobatched', 'autobatched-best64', A64, dump(A64, blobs), 'accept', ['#ser.autobatched'],
        'bestSize=64 (not shown in PySpark\'s repr): 700-byte items make batches over 10*64 bytes, so the '
        'batch size halves again after growing', byte_exact=True, strict=OK,
        serializer='AutoBatchedSerializer(PickleSerializer(), bestSize=64)')
    AM = S.AutoBatchedSerializer(S.MarshalSerializer(), 64)
    data = dump(AM, (fresh_item(i) for i in range(40)))
    check_marshal_batches(data, 'autobatched-marshal-fresh')
    add('autobatched', 'autobatched-marshal-fresh', AM, data, 'accept',
        ['#ser.autobatched', '#ser.marshal', '#ser.marshal.batch-ref', '#marshal.encode.refs'],
        'AutoBatchedSerializer(MarshalSerializer(), bestSize=64) over a generator of fresh objects: '
        '`vs = list(islice(...))` holds each batch, which marshal writes with FLAG_REF; the items have none',
        byte_exact=True, strict=OK, serializer='AutoBatchedSerializer(MarshalSerializer(), bestSize=64)')
    small = list(range(40))
    A16 = S.AutoBatchedSerializer(P, 16)
    add('autobatched', 'autobatched-best16', A16, dump(A16, small), 'accept', ['#ser.autobatched'],
        'bestSize=16 over 40 small ints', byte_exact=True, strict=OK,
        serializer='AutoBatchedSerializer(PickleSerializer(), bestSize=16)')


def gen_marshal():
    M = S.MarshalSerializer()
    g = realistic_items()
    marshalable = {
        'ints': g['ints'], 'floats': g['floats'], 'strs': g['strs'], 'bytes': g['bytes'],
        'containers': [(), (1,), (1, 2, 3), [], [1, [2]], {}, {'a': 1, 'b': [2]}, {1, 2, 3}, frozenset({'x'}),
                       (None, True, False), 1 + 2j, Ellipsis, StopIteration],
    }
    for name, items in sorted(marshalable.items()):
        add('marshal-stream', 'marshal-' + name, M, dump(M, items), 'accept', ['#ser.marshal', '#marshal'],
            'MarshalSerializer().dump_stream (marshal version %d; FLAG_REF bits follow CPython reference counts, '
            'so not byte-exact)' % marshal.version, strict=OK)
    # [#marshal.encode.refs] a generator of fresh objects: dump_stream's `obj` holds each
    # one, so its root has FLAG_REF and nothing inside it does: byte-exact
    data = dump(M, (fresh_item(i) for i in range(14)))
    for b in frames_of(data):
        again = marshal.dumps(marshal.loads(b))  # a temporary root: unflagged
        if b[0] != again[0] | 0x80 or again[1:] != b[1:]:
            raise SystemExit('gen_vectors: marshal-fresh: unexpected FLAG_REF bits in %r' % b[:8])
    add('marshal-stream', 'marshal-fresh', M, data, 'accept', ['#ser.marshal', '#ser.marshal.root-ref', '#marshal.encode.refs'],
        'MarshalSerializer().dump_stream over a generator of fresh objects: each payload\'s root is written with '
        'FLAG_REF (held by dump_stream\'s obj), nothing inside it', byte_exact=True, strict=OK)
    try:
        dump(M, [object()])
    except ValueError as e:
        add('marshal-stream', 'marshal-unmarshallable', M, b'', 'accept', ['#ser.marshal', '#marshal.encode'],
            'dump_stream of an object() raises before writing anything: %s' % e, strict=OK)


def gen_compressed():
    C = S.CompressedSerializer(S.PickleSerializer())
    g = realistic_items()
    for name in ('ints', 'strs', 'containers', 'pairs'):
        items = g[name]
        add('compressed', 'compressed-pickle-' + name, C, dump(C, items), 'accept',
            ['#ser.compressed', '#ser.compressed.encode'],
            'CompressedSerializer(PickleSerializer()).dump_stream: zlib level 1 (zlib %s)' % zlib.ZLIB_VERSION,
            byte_exact=pickle_exact(items), strict=OK)
    rng = random.Random(11)
    items = [bytes(rng.randrange(4) for _ in range(100000))]
    add('compressed', 'compressed-pickle-100k', C, dump(C, items), 'accept', ['#ser.compressed.encode'],
        '100000 low-entropy bytes', byte_exact=True, strict=OK)
    CB = S.BatchedSerializer(S.CompressedSerializer(S.PickleSerializer()), 4)
    its = list(range(10)) + ['a', 'bb']
    add('compressed', 'batched-compressed-4', CB, dump(CB, its), 'accept', ['#ser.compressed', '#ser.batched'],
        'BatchedSerializer(CompressedSerializer(PickleSerializer()), 4)', byte_exact=True, strict=OK)
    z = zlib.compress(pickle.dumps([1, 2], 5), 1)
    for name, data, verdict, flags, desc, strict in (
            ('garbage', fr(b'garbage!'), 'reject', ['#ser.compressed'], 'not a zlib stream: "incorrect header check"',
             st_err('zlib', 'zlib.error')),
            ('truncated', fr(z[:-3]), 'reject', ['#ser.compressed'], 'zlib stream cut by 3 bytes',
             st_err('truncated_payload', 'zlib.error')),
            ('empty-payload', fr(b''), 'reject', ['#ser.compressed', '#frame.zero'],
             'a 0-length frame: zlib.decompress(b"") is "incomplete or truncated stream"', ERR),
            ('compressed-empty', fr(zlib.compress(b'', 1)), 'impl-defined', ['#ser.compressed', '#frame.loads-eof'],
             'zlib of b"": pickle.loads(b"") raises EOFError, the stream ends silently', ERR),
            ('trailing', fr(z + b'xx'), 'impl-defined', ['#ser.compressed', '#ser.trailing'],
             'bytes after the end of the zlib stream are ignored by zlib.decompress', st_err('trailing', keep=0)),
            ('bomb', fr(zlib.compress(b'\x00' * (64 << 20), 9)), 'reject', ['#ser.compressed', '#limits.inflate'],
             '64 MiB of zeros in ~64 KB: PySpark inflates all of it, then pickle.loads fails on load key 0x00; '
             'a bounded decoder may stop at its inflate limit first', ERR)):
        add('compressed', 'compressed-' + name, C, data, verdict, flags, desc, strict=strict)


def interleave(ka, kb):
    out = b''
    for a, b in zip(ka, kb):
        out += a + b
    return out


def framed_batches(ser, items, n):
    """Frames (each with its length) that ser.dump_stream writes, one per batch."""
    data = dump(ser, items)
    out, pos = [], 0
    while pos < len(data):
        ln = struct.unpack('!i', data[pos:pos + 4])[0]
        out.append(data[pos:pos + 4 + max(ln, 0)])
        pos += 4 + max(ln, 0)
    return out


def gen_pair():
    P = S.PickleSerializer()
    keys = ['k%d' % i for i in range(7)]
    vals = [i * 1.5 for i in range(7)]
    for n in (1, 3, -1):
        B = S.BatchedSerializer(P, n)
        D = S.PairDeserializer(B, B)
        kf = framed_batches(B, keys, n)
        vf = framed_batches(B, vals, n)
        add('pair', 'pair-batched-%s' % ('unlimited' if n == -1 else n), D, interleave(kf, vf), 'accept',
            ['#ser.pair', '#ser.pair.encode', '#ser.unbatching'],
            'rdd.zip as the JVM sends it: for each pair of batches, the key batch frame then the value batch frame',
            byte_exact=True, strict=OK)
    # UNLIMITED, no items: each side's dump_stream writes one empty batch
    B = S.BatchedSerializer(P, -1)
    add('pair', 'pair-batched-unlimited-empty', S.PairDeserializer(B, B),
        interleave(framed_batches(B, [], -1), framed_batches(B, [], -1)), 'accept',
        ['#ser.pair', '#ser.pair.encode', '#ser.batched.dump'],
        'rdd.zip of two empty UNLIMITED partitions: each side writes [], the JVM sends both: no items',
        byte_exact=True, strict=OK)
    # AutoBatched sides (rdd.zip re-batches them, but the stack reads): each side's own
    # dump_stream, frames interleaved; keys and values of one size, so both sides choose
    # the same batch sizes (1, 2, 4, 8, 5) and the stream reads back
    A = S.AutoBatchedSerializer(P)
    keys = ['k%02d' % i for i in range(20)]
    vals = ['v%02d' % i for i in range(20)]
    kf = framed_batches(A, keys, 0)
    vf = framed_batches(A, vals, 0)
    sizes = [len(pickle.loads(f[4:])) for f in kf]
    if sizes != [len(pickle.loads(f[4:])) for f in vf] or sizes != [1, 2, 4, 8, 5]:
        raise SystemExit('gen_pair: AutoBatched sides chose %r' % sizes)
    add('pair', 'pair-autobatched', S.PairDeserializer(A, A), interleave(kf, vf), 'accept',
        ['#ser.pair', '#ser.pair.encode', '#ser.autobatched'],
        'PairDeserializer(AutoBatched, AutoBatched): the frames of each side\'s dump_stream, key frame then value '
        'frame; batch sizes 1, 2, 4, 8, 5 on both sides; encoding groups the items by the sizes the key side chooses',
        byte_exact=True, strict=OK)
    N = S.NoOpSerializer()
    DN = S.PairDeserializer(N, N)
    add('pair', 'pair-noop', DN, fr(b'k1') + fr(b'v1') + fr(b'k2') + fr(b'v2'), 'accept', ['#ser.pair', '#ser.unbatching'],
        'PairDeserializer(NoOp, NoOp): each frame is a one-item batch', byte_exact=True, strict=OK)
    B2 = S.BatchedSerializer(P, 2)
    D2 = S.PairDeserializer(B2, B2)
    pk = lambda o: fr(pickle.dumps(o, 5))  # noqa: E731
    add('pair', 'pair-unequal', D2, pk([1, 2]) + pk(['a']), 'reject', ['#ser.pair.mismatch'],
        'a key batch of 2 and a value batch of 1: ValueError', strict=st_err('batch_mismatch', 'ValueError'))
    add('pair', 'pair-key-only', D2, pk([1, 2]), 'impl-defined', ['#ser.pair'],
        'a key batch with no value batch: zip stops, the key batch is dropped silently', strict=st_err('batch_mismatch'))
    add('pair', 'pair-second-key-only', D2, pk([1]) + pk(['a']) + pk([2]), 'impl-defined', ['#ser.pair'],
        'a full pair, then a lone key batch: one item, then a silent end', strict=st_err('batch_mismatch'))
    add('pair', 'pair-int-batches', D2, pk(5) + pk(6), 'reject', ['#ser.pair', '#ser.pair.strict', '#ser.iter'],
        'batches that are ints: list(5) is TypeError, in both modes', strict=st_err('batch_type', 'TypeError', offset=0))
    add('pair', 'pair-tuple-batches', D2, pk((1, 2)) + pk(('a', 'b')), 'impl-defined', ['#ser.pair', '#ser.iter'],
        'batches that are tuples have __len__: zipped as they are', strict=st_err('batch_type', keep=0))
    DN2 = S.PairDeserializer(N, N)
    add('pair', 'pair-noop-odd', DN2, fr(b'k1') + fr(b'v1') + fr(b'k2'), 'impl-defined', ['#ser.pair'],
        'an odd number of NoOp frames: the last key is dropped', strict=st_err('batch_mismatch'))


def gen_cartesian():
    P = S.PickleSerializer()
    B = S.BatchedSerializer(P, 2)
    D = S.CartesianDeserializer(B, B)
    kb = framed_batches(B, [1, 2, 3], 2)  # [1,2], [3]
    vb = framed_batches(B, ['a', 'b', 'c'], 2)  # ['a','b'], ['c']
    data = b''.join(k + v for k in kb for v in vb)
    add('cartesian', 'cartesian-batched-2', D, data, 'accept', ['#ser.cartesian', '#ser.cartesian.encode'],
        'rdd.cartesian as the JVM sends it: every (key batch, value batch) pair, key frame then value frame; '
        'each pair yields the product of the two batches', strict=OK)
    N = S.NoOpSerializer()
    DN = S.CartesianDeserializer(N, N)
    add('cartesian', 'cartesian-noop', DN, fr(b'k') + fr(b'v') + fr(b'k') + fr(b'w'), 'accept', ['#ser.cartesian'],
        'CartesianDeserializer(NoOp, NoOp): one-item batches', strict=OK)
    add('cartesian', 'cartesian-unequal', D, fr(pickle.dumps([1, 2], 5)) + fr(pickle.dumps(['a'], 5)), 'accept',
        ['#ser.cartesian'], 'batches of different lengths are fine for a product', strict=OK)
    kb1 = fr(pickle.dumps([1, 2], 5))
    add('cartesian', 'cartesian-key-only', D, kb1, 'impl-defined', ['#ser.cartesian', '#ser.pair.strict'],
        'a key batch alone: dropped silently; strict: batch_mismatch at the end of input',
        strict=st_err('batch_mismatch', offset=len(kb1)))


def gen_flattened():
    P = S.PickleSerializer()
    for n in (2, 10):
        F = S.FlattenedValuesSerializer(P, n)
        items = [('a', [1, 2, 3, 4, 5]), ('b', []), ('c', ['x']), ('d', list(range(25)))]
        add('flattened', 'flattened-pickle-%d' % n, F, dump(F, items), 'accept', ['#ser.flattened'],
            'FlattenedValuesSerializer(PickleSerializer(), %d).dump_stream of (key, values) pairs: load_stream yields '
            'the (key, slice) tuples (an empty values list writes nothing)' % n, byte_exact=pickle_exact(
                [(k, v[i:i + n]) for k, v in items for i in range(0, len(v), n)]), strict=OK)


def gen_auto():
    A = S.AutoSerializer()
    data = dump(A, [1, 'two', None])
    add('auto', 'auto-marshal', A, data, 'reject', ['#ser.auto', '#ser.auto.observed', '#ser.auto.dumps'],
        'AutoSerializer().dump_stream of marshallable items ("M" + marshal): on Python 3 loads compares obj[0], '
        'an int, with b"M": ValueError("invalid serialization type: 77")',
        strict={'outcome': 'ok', 'items': ['1', "'two'", 'None']})
    A2 = S.AutoSerializer()
    row = collections.namedtuple('Row', ['a', 'b'])  # hijacked: pickles through pyspark.serializers._restore
    items = [1, {1, 2}, row(1, 'x'), 3]
    data = dump(A2, items)
    add('auto', 'auto-sticky-pickle', A2, data, 'reject', ['#ser.auto', '#ser.auto.observed', '#ser.auto.dumps'],
        'a namedtuple cannot be marshalled: from it on every object is "P" + pickle (sticky _type); loading '
        'fails on Python 3; the intended format (strict) reads the items back',
        strict={'outcome': 'ok', 'items': canon_items(items)})
    add('auto', 'auto-empty-frame', A, fr(b''), 'reject', ['#ser.auto.observed', '#ser.auto.empty'],
        'an empty frame: obj[0] is IndexError; strict: a payload without its tag is truncated',
        strict=st_err('truncated_payload', 'IndexError', offset=4))
    add('auto', 'auto-null', A, I(-5), 'accept', ['#ser.auto', '#frame.null'], 'a NULL frame yields None', strict=OK)
    add('auto', 'auto-empty-stream', A, b'', 'accept', ['#ser.auto', '#frame.eof'], 'no frames', byte_exact=True,
        strict=OK)


class _Keep(io.BytesIO):
    def close(self):
        self.kept = self.getvalue()
        super().close()


def gen_chunked():
    rng = random.Random(5)
    for size, writes in ((4, [b'abcdefghij']), (4, [b'ab', b'cd']), (4, [b'abcd', b'efgh']), (8, []),
                         (5, [b'a', b'', b'bc', b'defghijklmno']), (16, [bytes(rng.randrange(256) for _ in range(100))]),
                         (65536, [bytes(rng.randrange(256) for _ in range(70000))])):
        w = _Keep()
        c = S.ChunkedStream(w, size)
        for b in writes:
            c.write(b)
        c.close()
        whole = b''.join(writes)
        vid = 'chunked-%d-%s' % (size, '-'.join(str(len(b)) for b in writes) or 'none')
        add('chunked', vid, None, w.kept, 'accept', ['#chunked', '#chunked.write', '#chunked.close'],
            'ChunkedStream(wrapped, %d): writes of %s bytes, then close(). PySpark has no reader for it (the JVM '
            'reads it); the item is the concatenation of the writes, as SPEC [#chunked] decodes it'
            % (size, [len(b) for b in writes]),
            byte_exact=True, strict=OK, serializer='ChunkedStream(%d)' % size,
            items_override=[CANON.canon(whole)], run=False, extra={'pyspark': {'outcome': 'ok'}})


DEMO_ITEMS_DOC = 'the 12 items of tools/gen_demo.py'


def demo_items():
    tags = ['spark', 'wire']
    return [
        ('user:17', 3), ('user:42', 11), ('user:99', -1),
        (1, 2.5, 'Z\u00fcrich', None, True), (2, -0.0, '\u6771\u4eac', None, False),
        {'id': 7, 'tags': tags, 'score': 0.125}, {'id': 8, 'tags': tags, 'score': float('inf')},
        b'\x00\x01binary\xff', [[1, 2], [3, [4, 5]]], frozenset({'a', 'b'}),
        2 ** 70, 'tail',
    ]


def gen_demo():
    B = S.BatchedSerializer(S.PickleSerializer(), 3)
    items = demo_items()
    data = dump(B, items)
    path = os.path.join(ROOT, 'vectors', 'demo', 'pickle-batched.bin')
    if os.path.exists(path) and open(path, 'rb').read() != data:
        print('warning: vectors/demo/pickle-batched.bin (tools/gen_demo.py) differs from PySpark\'s bytes; '
              'written as pickle-batched-pyspark.bin instead', file=sys.stderr)
        vid = 'pickle-batched-pyspark'
    else:
        vid = 'pickle-batched'
    add('demo', vid, B, data, 'accept', ['#ser.batched', '#ser.pickle'],
        'BatchedSerializer(PickleSerializer(), 3).dump_stream of a dozen realistic (key, value) pairs and rows '
        '(%s; the same bytes)' % DEMO_ITEMS_DOC,
        byte_exact=pickle_exact([pickle.loads(b) for b in frames_of(data)]), strict=OK)


# ---- output --------------------------------------------------------------------------

README = """# vectors/ (stream vectors)

Made by `tools/gen_vectors.py` from PySpark's own `serializers.py` (never by hand):

    /usr/bin/python3 tools/gen_vectors.py --pyspark DIR     # DIR holds pyspark/serializers.py

The run's provenance (serializers.py commit, Python, pickle/marshal/zlib/cloudpickle
versions, stand-in modules) is in `manifest.json`, with one entry per vector.
Folders written by this script: %s. (`notation`, `pickle-corpus`, `pickle-errors`,
`marshal`, `cloudpickle` and the `demo` README come from other tools/ scripts.)

## Naming

`<group>/<id>.bin` is a byte stream, `<group>/<id>.json` its sidecar. The group is the
serializer family (`frame` holds the framing probes for NoOp, Pickle and Marshal,
`wire` the integer helpers); the id says what the stream exercises, e.g.
`frame/pickle-eof-partial-2` = a pickle stream ending 2 bytes into a length.

## Sidecar fields

| field | meaning |
|---|---|
| `id` | the file name without extension |
| `serializer` | PySpark's `repr` of the serializer that reads the stream (SPEC [#spec]); `AutoBatchedSerializer(S, bestSize=N)` and `ChunkedStream(n)` are sparkwire's spellings for what the repr does not show |
| `verdict` | `accept`: a well-formed stream (PySpark and both sparkwire modes decode it); `reject`: PySpark raises; `impl-defined`: PySpark ends or yields something a strict reader refuses (a silent end, a quirk), or the result depends on the stream type |
| `flags` | SPEC.md section ids the vector exercises |
| `byte_exact` | the bytes are what PySpark's `dump_stream` (or `write_*`) wrote for `items`, and the notation holds all they depend on: an encoder MUST reproduce them. False where pickle memoized a str/bytes object met twice, a set's members were written in an order other than the notation's, or marshal's FLAG_REF bits follow CPython reference counts |
| `items` | the items PySpark's `load_stream` yielded (reading the socket), one notation line each (tools/canon.py) |
| `pyspark` | the `pyspark` mode's contract: how `load_stream` ended reading a BufferedReader over a socketpair (`sock.makefile("rb", 65536)`, what PySpark workers read): `{"outcome": "ok"}` or `{"outcome": "error", "exception", "message"}` (exception names as `sw_pyexc_str`: `struct.error`, `zlib.error`, else the class name); `items` are what it yielded. Every stream is also read from `io.BytesIO` |
| `pyspark_observed` | only where PySpark's own result differs from `pyspark`, with its own `items` and `reader`: `io.BytesIO` where that reader differs from the socket (a negative length: BytesIO reads the rest of the input, SPEC [#frame.negative.bytesio]), or both readers' result where SPEC documents a deliberate divergence (a limit: `pyspark` then holds what sparkwire reports, e.g. `limit_frame` for a declared 2 GiB frame). The conformance runner accepts it as an alternative |
| `strict` | what sparkwire's `strict` mode must report (from SPEC.md, not observed): `outcome`, optional `status`/`exception`/`layer`/`offset`/`payload_offset`, optional own `items` |
| `description` | what the stream is |
| `wire` | (group `wire`) the helper called and its argument; no `serializer`, so the conformance suite skips these |

Items PySpark yields that have no notation (functions from cloudpickle) are not covered:
such vectors are skipped (none at present).
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pyspark', default=os.environ.get('SPARKWIRE_PYSPARK'),
                    help='PySpark python/ directory holding pyspark/serializers.py (default $SPARKWIRE_PYSPARK)')
    ap.add_argument('--commit', default=os.environ.get('SPARKWIRE_PYSPARK_COMMIT', '00720836068802ff5f5c9c36e478e54fdf39e64b'),
                    help='apache/spark commit the serializers.py copy comes from (recorded in the manifest)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'vectors'))
    args = ap.parse_args()
    ser_path = load_pyspark(args.pyspark)
    load_plugins()
    ser_text = open(ser_path, 'rb').read()
    for g in (gen_wire, gen_frame, gen_noop, gen_utf8, gen_pickle, gen_batched, gen_autobatched, gen_marshal,
              gen_compressed, gen_pair, gen_cartesian, gen_flattened, gen_auto, gen_chunked, gen_demo):
        g()
    for mod in PLUGINS:
        mod.generate(sys.modules[__name__])
    seen = set()
    for group, vid, _, _ in VECTORS:
        if (group, vid) in seen:
            raise SystemExit('duplicate vector %s/%s' % (group, vid))
        seen.add((group, vid))
    # remove stale files of our groups, then write
    for group in GROUPS:
        d = os.path.join(args.out, group)
        if os.path.isdir(d):
            for f in os.listdir(d):
                if f.endswith('.json') or (f.endswith('.bin') and not (group == 'demo' and f == 'pickle-batched.bin')):
                    os.remove(os.path.join(d, f))
    entries = []
    for group, vid, data, side in VECTORS:
        d = os.path.join(args.out, group)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, vid + '.bin'), 'wb') as f:
            f.write(data)
        with open(os.path.join(d, vid + '.json'), 'w') as f:
            json.dump(side, f, indent=1, sort_keys=True, ensure_ascii=True)
            f.write('\n')
        entries.append({'path': '%s/%s.bin' % (group, vid), 'serializer': side.get('serializer'),
                        'verdict': side['verdict'], 'bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest(),
                        'byte_exact': side['byte_exact'],
                        'outcome': side.get('pyspark', {}).get('outcome')})
    try:
        import cloudpickle
        cpv = cloudpickle.__version__
    except ImportError:
        cpv = None
    manifest = {
        'generator': 'tools/gen_vectors.py',
        'provenance': {
            'pyspark_serializers': 'apache/spark python/pyspark/serializers.py',
            'pyspark_commit': args.commit,
            'serializers_py_sha256': hashlib.sha256(ser_text).hexdigest(),
            'stand_ins': SHIMS,
            'python': sys.version.split()[0],
            'pickle_highest_protocol': pickle.HIGHEST_PROTOCOL,
            'marshal_version': marshal.version,
            'zlib_version': zlib.ZLIB_VERSION,
            'zlib_runtime_version': zlib.ZLIB_RUNTIME_VERSION,
            'cloudpickle_version': cpv,
            'pythonhashseed': os.environ.get('PYTHONHASHSEED'),
        },
        'skipped': SKIPPED,
        'vectors': entries,
    }
    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    with open(os.path.join(args.out, 'README.md'), 'w') as f:
        f.write(README % ', '.join('`%s`' % g for g in GROUPS))
    counts = collections.Counter((g, v['verdict']) for g, _, _, v in VECTORS)
    for g in GROUPS:
        row = ['%s=%d' % (k, counts[(g, k)]) for k in ('accept', 'reject', 'impl-defined') if counts[(g, k)]]
        print('%-15s %s' % (g, ' '.join(row)))
    print('%d vectors, %d bytes' % (len(VECTORS), sum(len(d) for _, _, d, _ in VECTORS)))


if __name__ == '__main__':
    main()

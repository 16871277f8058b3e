"""gen_vectors.py extension: the traffic grid (issue #5, and #4's per-serializer figures).

Every serializer and layer combination PySpark uses, over the same seeded
profiles of realistic traffic, each stream written by PySpark's own
`dump_stream` and read back by its `load_stream` (gv.add records what PySpark
yielded):

- mix-pickle:   PickleSerializer, one item per stream, pickle protocols 0-5
                (PySpark's module global `pickle_protocol`, set for the dump;
                sparkwire spells it `PickleSerializer(protocol=N)`)
- mix-marshal:  MarshalSerializer, one item per stream, marshal versions 0-4
                (serializers.py's `marshal.dumps(obj)` given the version;
                `MarshalSerializer(version=N)`); items marshal cannot write are
                left out, as PySpark's dump_stream would raise
- mix-batched:  BatchedSerializer(Pickle, n) for n in 1, 2, 3, 10, 1024,
                UNLIMITED and protocols 0-5; BatchedSerializer(Marshal, n) for
                versions 0-4
- mix-autobatched: AutoBatchedSerializer(S) with bestSize 65536 (PySpark's),
                64 and 16, over pickle protocols 2 and 5 and marshal
- mix-compressed: CompressedSerializer(Pickle/Marshal) alone and inside
                BatchedSerializer(..., n)
- mix-pair, mix-cartesian: PairDeserializer / CartesianDeserializer over
                BatchedSerializer(Pickle, n) batches, as the JVM interleaves them
- mix-flattened: FlattenedValuesSerializer(Pickle, n)
- mix-cloudpickle: CloudPickleSerializer over the profiles
- mix-utf8, mix-noop, mix-chunked: strings and byte strings of the profiles

Byte-exactness follows SPEC #vectors.byte-exact: pickle streams when
gv.pickle_exact says the notation holds all the bytes depend on; marshal
streams never (FLAG_REF follows CPython reference counts, except fresh
objects, which gen_vectors' own groups cover).
"""
import collections
import io
import marshal
import random
import types

GROUPS = ('mix-pickle', 'mix-marshal', 'mix-batched', 'mix-autobatched', 'mix-compressed', 'mix-pair',
          'mix-cartesian', 'mix-flattened', 'mix-cloudpickle', 'mix-utf8', 'mix-noop', 'mix-chunked')

gv = None
S = None


def profiles():
    """Named lists of items, seeded: what PySpark jobs move around."""
    rng = random.Random(11252026)
    ints = [0, 1, -1, 100, 255, 256, -256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1,
            2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 2 ** 64, 10 ** 30, -(10 ** 30), 2 ** 1000 + 7]
    floats = [0.0, -0.0, 1.5, -2.25, 0.1, 1e-7, float('inf'), float('-inf'), float('nan'), 5e-324,
              2.2250738585072014e-308, 1.7976931348623157e308, 1e16, 123456789.125]
    strs = ['', 'a', 'plain ascii', 'Z\u00fcrich caf\u00e9', '\u00ff\u00a0\u00e9', '\u03a9mega', '\u6771\u4eac\u90fd',
            '\ud55c\uad6d\uc5b4', '\U0001f600 smile', '\U0010ffff', 'nul\x00byte', 'quote\'s "and" \\back',
            'line\nbreak\r\n', 'x' * 255, 'y' * 256, '\ud800lone', 'a\udfffb']
    blobs = [b'', b'\x00', bytes(range(10)), bytes(rng.randrange(256) for _ in range(255)),
             bytes(rng.randrange(256) for _ in range(256)), bytes(rng.randrange(256) for _ in range(1000)),
             bytearray(b'mutable'), bytearray()]
    Row = collections.namedtuple('Row', ['id', 'name', 'score', 'tag', 'ok'])  # PySpark's _hijack_namedtuple
    rows = [(i, 'user%d' % i, round(rng.random() * 100, 3), None if i % 3 else 'vip', bool(i % 2))
            for i in range(12)]
    named = [Row(i, 'n%d' % i, i * 0.5, None, i % 2 == 0) for i in range(4)]
    pairs = [('key%d' % rng.randrange(1000), rng.randrange(-10 ** 6, 10 ** 6)) for _ in range(16)]
    kv_nested = [(i, [rng.randrange(100) for _ in range(i % 5)]) for i in range(10)]
    dicts = [{}, {'a': 1}, {'name': 'alice', 'age': 30, 'tags': ['x', 'y'], 'score': 0.5},
             {1: 'one', 2.5: None, (3, 4): True, None: b'n', False: 0}, {'k%d' % i: i for i in range(40)}]
    shared_list = [1, 2]
    shared_str = 'shared-' + 'z' * 5
    cyc = []
    cyc.append(cyc)
    d2 = {}
    d2['self'] = d2
    graphs = [[shared_list, shared_list], (shared_list, [shared_list]), [shared_str, shared_str], cyc, d2,
              {'a': shared_list, 'b': shared_list}]
    sets = [set(), {1}, {1, 2, 3}, {'a', 'b'}, frozenset(), frozenset({1, 2}), frozenset({'x', ('t', 1)}),
            {frozenset({1}), frozenset({2})}, set(range(30))]
    nested = [[], [[]], [1, [2, [3, [4, [5]]]]], ((((),),),), [{'a': [1, {'b': (2, 3)}]}], [list(range(5))] * 3]
    scalars = [None, True, False, 1 + 2j, -0.0 - 1j, Ellipsis]
    mixed = [rng.choice([0, 7, -3, 2 ** 40, 'w', 'w' * 9, 3.5, None, True, (1, 'a'), [2], b'b'])
             for _ in range(40)]
    return collections.OrderedDict([
        ('ints', ints), ('floats', floats), ('strs', strs), ('bytes', blobs), ('rows', rows), ('named', named),
        ('pairs', pairs), ('kv-lists', kv_nested), ('dicts', dicts), ('graphs', graphs), ('sets', sets),
        ('nested', nested), ('scalars', scalars), ('mixed', mixed)])


# ---- running PySpark with another pickle protocol / marshal version ---------------

class Protocol:
    """serializers.py (module ser) pickles with its module global pickle_protocol
    (HIGHEST_PROTOCOL); the grid sets it for one dump, as a PySpark configured for
    that protocol would."""

    def __init__(self, ser, p):
        self.ser, self.p = ser, p

    def __enter__(self):
        self.old = self.ser.pickle_protocol
        self.ser.pickle_protocol = self.p

    def __exit__(self, *a):
        self.ser.pickle_protocol = self.old


class MarshalVersion:
    """serializers.py (module ser) calls marshal.dumps(obj) (version 4); the grid
    gives it a version."""

    def __init__(self, ser, v):
        self.ser, self.v = ser, v

    def __enter__(self):
        v = self.v
        self.old = self.ser.marshal
        self.ser.marshal = types.SimpleNamespace(dumps=lambda o: marshal.dumps(o, v), loads=marshal.loads)

    def __exit__(self, *a):
        self.ser.marshal = self.old


def pspec(p):
    return 'PickleSerializer()' if p == 5 else 'PickleSerializer(protocol=%d)' % p


def mspec(v):
    return 'MarshalSerializer()' if v == 4 else 'MarshalSerializer(version=%d)' % v


def nname(n):
    return 'unlimited' if n == -1 else str(n)


def try_dump(ser, items, ctx):
    try:
        with ctx:
            return gv.dump(ser, items)
    except (ValueError, TypeError, RecursionError, OverflowError):
        return None


def marshalable(x, v):
    try:
        marshal.loads(marshal.dumps(x, v))
        return True
    except (ValueError, TypeError, RecursionError, EOFError):
        return False


def add_ok(group, vid, ser, data, flags, desc, exact, serializer):
    gv.add(group, vid, ser, data, 'accept', flags, desc, byte_exact=exact, strict=gv.OK, serializer=serializer)


# ---- the grid ----------------------------------------------------------------------

def gen_items(prof):
    P = S.PickleSerializer()
    M = S.MarshalSerializer()
    for name, items in prof.items():
        for i, x in enumerate(items):
            for p in range(6):
                data = try_dump(P, [x], Protocol(S, p))
                if data is None:
                    continue
                add_ok('mix-pickle', '%s-%02d-p%d' % (name, i, p), P, data,
                       ['#ser.pickle', '#pickle', '#pickle.encode', '#frame.write'],
                       'PickleSerializer().dump_stream([x]) with pickle_protocol=%d: %s item %d' % (p, name, i),
                       gv.pickle_exact([x]), pspec(p))
            for v in range(5):
                if not marshalable(x, v):
                    continue
                data = try_dump(M, [x], MarshalVersion(S, v))
                if data is None:
                    continue
                add_ok('mix-marshal', '%s-%02d-v%d' % (name, i, v), M, data, ['#ser.marshal', '#marshal', '#marshal.encode'],
                       'MarshalSerializer().dump_stream([x]) with marshal.dumps(obj, %d): %s item %d' % (v, name, i),
                       False, mspec(v))


def gen_batched(prof):
    P = S.PickleSerializer()
    M = S.MarshalSerializer()
    for name, items in prof.items():
        for n in (1, 2, 3, 10, 1024, -1):
            B = S.BatchedSerializer(P, n)
            for p in range(6):
                data = try_dump(B, items, Protocol(S, p))
                if data is None:
                    continue
                loaded = [gv.pickle.loads(b) for b in gv.frames_of(data)]
                add_ok('mix-batched', 'pickle-%s-%s-p%d' % (name, nname(n), p), B, data,
                       ['#ser.batched', '#ser.batched.dump', '#ser.pickle', '#pickle.encode.batch'],
                       'BatchedSerializer(PickleSerializer(), %d).dump_stream, pickle_protocol=%d: %d %s items'
                       % (n, p, len(items), name), gv.pickle_exact(loaded),
                       'BatchedSerializer(%s, %d)' % (pspec(p), n))
            for v in (0, 2, 4):
                ok = [x for x in items if marshalable(x, v)]
                if not ok:
                    continue
                BM = S.BatchedSerializer(M, n)
                data = try_dump(BM, ok, MarshalVersion(S, v))
                if data is None:
                    continue
                add_ok('mix-batched', 'marshal-%s-%s-v%d' % (name, nname(n), v), BM, data,
                       ['#ser.batched', '#ser.batched.dump', '#ser.marshal', '#ser.marshal.batch-ref'],
                       'BatchedSerializer(MarshalSerializer(), %d).dump_stream, marshal version %d: %d %s items'
                       % (n, v, len(ok), name), False, 'BatchedSerializer(%s, %d)' % (mspec(v), n))


def gen_autobatched(prof):
    for name, items in prof.items():
        for best in (65536, 64, 16):
            for p in (2, 5):
                A = S.AutoBatchedSerializer(S.PickleSerializer(), best)
                data = try_dump(A, items, Protocol(S, p))
                if data is None:
                    continue
                loaded = [gv.pickle.loads(b) for b in gv.frames_of(data)]
                spec = 'AutoBatchedSerializer(%s%s)' % (pspec(p), '' if best == 65536 else ', bestSize=%d' % best)
                add_ok('mix-autobatched', 'pickle-%s-best%d-p%d' % (name, best, p), A, data,
                       ['#ser.autobatched', '#ser.batched'],
                       'AutoBatchedSerializer(PickleSerializer(), bestSize=%d), pickle_protocol=%d: %d %s items'
                       % (best, p, len(items), name), gv.pickle_exact(loaded), spec)
            ok = [x for x in items if marshalable(x, 4)]
            if ok:
                AM = S.AutoBatchedSerializer(S.MarshalSerializer(), best)
                data = try_dump(AM, ok, MarshalVersion(S, 4))
                if data is not None:
                    add_ok('mix-autobatched', 'marshal-%s-best%d' % (name, best), AM, data,
                           ['#ser.autobatched', '#ser.marshal', '#ser.marshal.batch-ref'],
                           'AutoBatchedSerializer(MarshalSerializer(), bestSize=%d): %d %s items' % (best, len(ok), name),
                           False, 'AutoBatchedSerializer(MarshalSerializer()%s)' % ('' if best == 65536 else
                                                                                    ', bestSize=%d' % best))


def gen_compressed(prof):
    P = S.PickleSerializer()
    M = S.MarshalSerializer()
    for name, items in prof.items():
        C = S.CompressedSerializer(P)
        data = gv.dump(C, items)
        add_ok('mix-compressed', 'pickle-%s' % name, C, data, ['#ser.compressed', '#ser.compressed.encode', '#ser.pickle'],
               'CompressedSerializer(PickleSerializer()).dump_stream: %d %s items, zlib level 1' % (len(items), name),
               gv.pickle_exact(items), None)
        ok = [x for x in items if marshalable(x, 4)]
        if ok:
            CM = S.CompressedSerializer(M)
            add_ok('mix-compressed', 'marshal-%s' % name, CM, gv.dump(CM, ok), ['#ser.compressed', '#ser.marshal'],
                   'CompressedSerializer(MarshalSerializer()).dump_stream: %d %s items' % (len(ok), name), False, None)
        for n in (1, 10, -1):
            B = S.BatchedSerializer(C, n)
            data = gv.dump(B, items)
            loaded = [gv.pickle.loads(gv.zlib.decompress(b)) for b in gv.frames_of(data)]
            add_ok('mix-compressed', 'batched-pickle-%s-%s' % (name, nname(n)), B, data,
                   ['#ser.compressed', '#ser.batched', '#ser.compressed.encode'],
                   'BatchedSerializer(CompressedSerializer(PickleSerializer()), %d): %d %s items' % (n, len(items), name),
                   gv.pickle_exact(loaded), None)


def gen_pair_cartesian(prof):
    P = S.PickleSerializer()
    keyprofs = [('ints', prof['ints'][:12]), ('strs', prof['strs'][:12]), ('pairs', prof['pairs'][:12])]
    valprofs = [('floats', prof['floats'][:12]), ('rows', prof['rows'][:12]), ('mixed', prof['mixed'][:12])]
    for kn, keys in keyprofs:
        for vn, vals in valprofs:
            m = min(len(keys), len(vals))
            for n in (1, 2, 3, 10, -1):
                B = S.BatchedSerializer(P, n)
                kf = gv.framed_batches(B, keys[:m], n)
                vf = gv.framed_batches(B, vals[:m], n)
                D = S.PairDeserializer(B, B)
                data = gv.interleave(kf, vf)
                loaded = [gv.pickle.loads(b) for b in gv.frames_of(data)]
                add_ok('mix-pair', '%s-%s-%s' % (kn, vn, nname(n)), D, data, ['#ser.pair', '#ser.pair.encode'],
                       'rdd.zip as the JVM sends it: batches of %d %s keys and %s values, key batch then value batch'
                       % (n, kn, vn), gv.pickle_exact(loaded), None)
            for nk, nv in ((1, 1), (2, 3), (3, 2), (10, 10), (-1, -1), (4, -1)):
                BK = S.BatchedSerializer(P, nk)
                BV = S.BatchedSerializer(P, nv)
                kf = gv.framed_batches(BK, keys[:6], nk)
                vf = gv.framed_batches(BV, vals[:4], nv)
                if len(kf) != len(vf):
                    continue
                D = S.CartesianDeserializer(BK, BV)
                add_ok('mix-cartesian', '%s-%s-%s-%s' % (kn, vn, nname(nk), nname(nv)), D, gv.interleave(kf, vf),
                       ['#ser.cartesian'], 'rdd.cartesian as the JVM sends it: batches of %d keys and %d values, '
                       'each pair of batches gives their product' % (nk, nv), False, None)


def gen_flattened(prof):
    P = S.PickleSerializer()
    rng = random.Random(77)
    for name in ('ints', 'strs', 'rows', 'mixed'):
        vals = prof[name]
        items = [('k%d' % i, vals[:rng.randrange(len(vals) + 1)]) for i in range(5)]
        for n in (1, 2, 3, 10):
            F = S.FlattenedValuesSerializer(P, n)
            slices = [(k, v[i:i + n]) for k, v in items for i in range(0, len(v), n)]
            add_ok('mix-flattened', '%s-%d' % (name, n), F, gv.dump(F, items), ['#ser.flattened'],
                   'FlattenedValuesSerializer(PickleSerializer(), %d): (key, values) of %s' % (n, name),
                   gv.pickle_exact(slices), None)


def gen_cloudpickle(prof):
    C = S.CloudPickleSerializer()
    for name, items in prof.items():
        add_ok('mix-cloudpickle', name, C, gv.dump(C, items), ['#ser.pickle'],
               'CloudPickleSerializer().dump_stream: %d %s items (plain data; cloudpickle writes them as pickle '
               'protocol 5 does)' % (len(items), name), gv.pickle_exact(items), None)
        B = S.BatchedSerializer(C, 10)
        data = gv.dump(B, items)
        loaded = [gv.pickle.loads(b) for b in gv.frames_of(data)]
        add_ok('mix-cloudpickle', 'batched-%s' % name, B, data, ['#ser.pickle', '#ser.batched'],
               'BatchedSerializer(CloudPickleSerializer(), 10): %d %s items' % (len(items), name),
               gv.pickle_exact(loaded), None)


def gen_text(prof):
    strs = [s for s in prof['strs'] if '\ud800' not in s and '\udfff' not in s]
    for use_unicode in (True, False):
        U = S.UTF8Deserializer(use_unicode)
        for i, s in enumerate(strs):
            b = io.BytesIO()
            S.write_with_length(s.encode('utf-8'), b)
            add_ok('mix-utf8', 'str-%02d-%s' % (i, 'unicode' if use_unicode else 'bytes'), U, b.getvalue(),
                   ['#utf8', '#utf8.encode', '#wire.write_with_length'],
                   'one string as the JVM writes it (write_with_length of its UTF-8 bytes), use_unicode=%s'
                   % use_unicode, True, None)
        b = io.BytesIO()
        for s in strs:
            S.write_with_length(s.encode('utf-8'), b)
        add_ok('mix-utf8', 'all-%s' % ('unicode' if use_unicode else 'bytes'), U, b.getvalue(),
               ['#utf8', '#utf8.encode'], 'all %d strings of the profile in one stream' % len(strs), True, None)
    N = S.NoOpSerializer()
    for i, x in enumerate(prof['bytes']):
        add_ok('mix-noop', 'blob-%02d' % i, N, gv.dump(N, [bytes(x)]), ['#ser.noop', '#frame.write'],
               'NoOpSerializer().dump_stream of one %d-byte string' % len(x), True, None)
    add_ok('mix-noop', 'all', N, gv.dump(N, [bytes(x) for x in prof['bytes']]), ['#ser.noop', '#frame.write'],
           'every byte string of the profile in one stream', True, None)
    rng = random.Random(99)
    for size in (1, 3, 8, 64):
        for total in (0, 1, 7, 8, 9, 100):
            w = gv._Keep()
            c = S.ChunkedStream(w, size)
            payload = bytes(rng.randrange(256) for _ in range(total))
            pos = 0
            while pos < total:
                step = rng.randrange(1, 12)
                c.write(payload[pos:pos + step])
                pos += step
            c.close()
            gv.add('mix-chunked', 'size%d-total%d' % (size, total), None, w.kept, 'accept',
                   ['#chunked', '#chunked.write', '#chunked.close'],
                   'ChunkedStream(wrapped, %d): %d bytes in writes of 1-11 bytes, then close(); the item is their '
                   'concatenation (SPEC [#chunked]; PySpark has no reader, the JVM reads it)' % (size, total),
                   byte_exact=True, strict=gv.OK, serializer='ChunkedStream(%d)' % size,
                   items_override=[gv.CANON.canon(payload)], run=False, extra={'pyspark': {'outcome': 'ok'}})


def generate(g):
    global gv, S
    gv = g
    S = g.S
    prof = profiles()
    gen_items(prof)
    gen_batched(prof)
    gen_autobatched(prof)
    gen_compressed(prof)
    gen_pair_cartesian(prof)
    gen_flattened(prof)
    gen_cloudpickle(prof)
    gen_text(prof)

#!/usr/bin/python3
"""Run PySpark's REAL serializers on crafted streams; record what they do.

    /usr/bin/python3 tools/pyspark_probe.py --pyspark DIR --out vectors/frame-probes

DIR is the folder that holds the `pyspark` package (pyspark/serializers.py from
apache/spark; this repository holds no PySpark code). For every case the stream
is built with PySpark's own write_int / dump_stream where possible, read back
with PySpark's load_stream over a BufferedReader (what workers read; where
io.BytesIO gives another result it is kept as pyspark_observed, SPEC
[#frame.negative]), and written as <id>.bin with a
sidecar <id>.json (fields in vectors/frame-probes/README.md). The `strict`
field is not observed: it is SPEC.md's rule (sections 8, 9, Appendix A), left
out where SPEC does not say. The script re-executes itself with
PYTHONHASHSEED=0; two runs write identical files.
"""
import argparse
import hashlib
import io
import json
import marshal
import os
import pickle
import struct
import sys
import zlib

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from canon import canon  # noqa: E402

S = None  # pyspark.serializers, imported in main()
CASES = []


def exc_name(e):
    if isinstance(e, struct.error):
        return 'struct.error'
    if isinstance(e, zlib.error):
        return 'zlib.error'
    return type(e).__name__


def observe(ser, data, reader=io.BytesIO):
    """Items PySpark's load_stream yields over reader(data), and how it ends."""
    items = []
    try:
        for x in ser.load_stream(reader(data)):
            items.append(canon(x))
        res = {'outcome': 'ok'}
    except Exception as e:  # what PySpark raised: recorded, not handled
        res = {'outcome': 'error', 'exception': exc_name(e), 'message': str(e)}
    return items, res


def buffered(data):
    """A BufferedReader, as a worker's socket file: read(negative) raises ValueError
    where io.BytesIO reads the rest (SPEC [#frame.negative])."""
    return io.BufferedReader(io.BytesIO(data))


def wi(*vals):
    """PySpark's write_int for each value."""
    b = io.BytesIO()
    for v in vals:
        S.write_int(v, b)
    return b.getvalue()


def frame(payload):
    """PySpark's write_with_length."""
    b = io.BytesIO()
    S.write_with_length(payload, b)
    return b.getvalue()


def dump(ser, items):
    b = io.BytesIO()
    ser.dump_stream(iter(items), b)
    return b.getvalue()


OK = {'outcome': 'ok'}


def err(status=None, offset=None, items=None):
    d = {'outcome': 'error'}
    if status is not None:
        d['status'] = status
    if offset is not None:
        d['offset'] = offset
    if items is not None:
        d['items'] = items
    return d


def add(vid, ser, data, flags, desc, byte_exact=False, strict=None, verdict=None,
        serializer=None, items=None, pyspark=None):
    alt = None
    if items is None:
        # the pyspark mode's contract is the BufferedReader; io.BytesIO, where it
        # differs, is kept as pyspark_observed (the documented alternative)
        got, res = observe(ser, data, buffered)
        got_b, res_b = observe(ser, data)
        if (got_b, res_b) != (got, res):
            alt = dict(res_b, items=got_b, reader='io.BytesIO')
    else:
        got, res = items, pyspark
    if verdict is None and alt is not None:
        verdict = 'impl-defined'  # the outcome depends on the reader
    if verdict is None:
        if res['outcome'] == 'error':
            verdict = 'reject'
        elif strict is not None and (strict['outcome'] != 'ok' or 'items' in strict):
            verdict = 'impl-defined'
        else:
            verdict = 'accept'
    rec = {'id': vid, 'serializer': serializer or repr(ser), 'verdict': verdict, 'flags': flags,
           'byte_exact': bool(byte_exact), 'items': got, 'pyspark': res}
    if alt is not None:
        rec['pyspark_observed'] = alt
    if strict is not None:
        rec['strict'] = strict
    rec['description'] = desc
    CASES.append((vid, data, rec))


# ---- realistic items ------------------------------------------------------------------

def realistic():
    shared = [1, 2]
    return [
        ('user:1', 10), ('user:2', 20), ('user:3', -7),
        (1, 2.5, 'Z\u00fcrich', None, True), (2, -0.0, '\u6771\u4eac', None, False),
        0, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1,
        2 ** 63, -2 ** 63 - 1, 2 ** 64, -1,
        float('inf'), float('-inf'), float('nan'), 1e308, 5e-324, 0.1,
        'a', '\U0001f600 non-BMP', b'\x00\xff', bytearray(b'ba'),
        {'id': 7, 'tags': ['spark', 'wire']}, [[1, [2, [3]]], ()],
        (shared, shared), frozenset({'x'}), complex(1, -2), True, False, None,
    ]


# ---- cases ------------------------------------------------------------------------------

def noop_cases():
    N = S.NoOpSerializer()
    add('noop-empty', N, b'', ['#frame.eof'], 'empty stream: no byte where a length would start',
        byte_exact=True, strict=OK)
    add('noop-three-frames', N, dump(N, [b'A', b'bc', b'def']), ['#frame.eof', '#ser.noop', '#frame.write'],
        'NoOpSerializer().dump_stream of three byte strings', byte_exact=True, strict=OK)
    add('noop-valid', N, dump(N, [b'', b'\x00\xff', b'x' * 300, bytearray(b'ba')]),
        ['#ser.noop', '#frame.write', '#frame.zero'],
        'NoOpSerializer().dump_stream of b"", 2 bytes, 300 bytes and a bytearray (read back as bytes)',
        byte_exact=False, strict=OK)
    for k in (1, 2, 3):
        add('noop-eof-partial-%d' % k, N, frame(b'A') + b'\x00' * k, ['#frame.eof-partial', '#wire.int32'],
            'frame b"A", then the stream ends %d byte(s) into the next length' % k,
            strict=err('truncated_length', 5, ["b'A'"]))
    add('noop-end-of-data-more', N, frame(b'A') + wi(-1) + frame(b'B'), ['#frame.end-of-data'],
        'frame b"A", -1 (END_OF_DATA_SECTION), frame b"B": load_stream stops at -1',
        strict=err('trailing', 9, ["b'A'"]))
    add('noop-end-of-data-last', N, frame(b'A') + wi(-1), ['#frame.end-of-data'],
        'frame b"A" then -1 at the end', strict=OK)
    add('noop-null', N, frame(b'A') + wi(-5) + frame(b'B'), ['#frame.null', '#wire.special'],
        'frame b"A", -5 (NULL), frame b"B"; not byte_exact: NoOp dump_stream refuses None (ValueError '
        '"serialized value should not be None"), the -5 is write_int', strict=OK)
    for k in (2, 3, 4, 6):
        add('noop-negative-%d' % k, N, frame(b'A') + wi(-k) + b'rest', ['#frame.negative', '#wire.special'],
            'frame b"A", length -%d (a named SpecialLengths value), then 4 bytes "rest"' % k,
            strict=err('unexpected_special', 5, ["b'A'"]))
    add('noop-negative-7', N, wi(-7) + b'A', ['#frame.negative'],
        'length -7 (no SpecialLengths name) followed by one byte (SPEC Appendix A example)',
        strict=err('bad_length', 0, []))
    add('noop-negative-int32-min', N, wi(-2 ** 31) + b'xyz', ['#frame.negative'],
        'length INT32_MIN (80000000) followed by 3 bytes', strict=err('bad_length', 0, []))
    add('noop-short', N, frame(b'A') + wi(10) + b'abc', ['#frame.short'],
        'frame b"A", then a length of 10 with only 3 bytes left (SPEC Appendix A example)',
        strict=err('truncated_frame', 5, ["b'A'"]))
    add('noop-zero', N, dump(N, [b'']), ['#frame.zero', '#ser.noop'], 'one frame of length 0',
        byte_exact=True, strict=OK)
    add('noop-bool-length', N, frame(b'\x02\x00') + wi(2) + b'\x01\x00', ['#ser.noop', '#wire.bool'],
        'frames 0200 and 0100 (read_bool would read 02 as True); plain frames to NoOp', byte_exact=True, strict=OK)


def pickle_cases():
    P = S.PickleSerializer()
    add('pickle-valid', P, dump(P, realistic()), ['#ser.pickle', '#frame.write'],
        'PickleSerializer().dump_stream of realistic items (pairs, rows, int thresholds, floats, str, bytes, '
        'nested, shared)', byte_exact=True, strict=OK)
    add('pickle-zero', P, wi(0), ['#frame.zero', '#frame.loads-eof'],
        'one frame of length 0: pickle.loads(b"") raises EOFError (SPEC Appendix A example)',
        strict=err('truncated_payload', items=[]))
    add('pickle-zero-then-frame', P, wi(0) + dump(P, [None]), ['#frame.zero', '#frame.loads-eof'],
        'an empty frame, then a frame holding None: the EOFError ends the stream, None is never read',
        strict=err('truncated_payload', items=[]))
    add('pickle-cut-opcode-boundary', P, dump(P, [1]) + frame(b'\x80\x05') + dump(P, [2]),
        ['#frame.loads-eof'],
        'pickle 1, then a payload 8005 (PROTO only, no STOP: EOFError "Ran out of input"), then pickle 2',
        strict=err(items=['1']))
    add('pickle-cut-in-argument', P, dump(P, [1]) + frame(b'\x80\x05K') + dump(P, [2]),
        ['#frame.payload-error', '#frame.loads-eof'],
        'pickle 1, then 80054b (BININT1 missing its byte: UnpicklingError), then pickle 2',
        strict=err('truncated_payload', items=['1']))
    full = pickle.dumps(['abcdef', 12345678, 'xyz'], 5)
    add('pickle-cut-in-frame', P, frame(full[:len(full) // 2]), ['#frame.payload-error'],
        'first half of a protocol-5 pickle (its FRAME announces more than is there)',
        strict=err())
    add('pickle-trailing', P, frame(b'\x80\x05N.\x00'), ['#ser.trailing'],
        'pickled None then a stray byte after STOP (SPEC Appendix A example)',
        strict=err('trailing', 8, []))


def marshal_cases():
    M = S.MarshalSerializer()
    items = [0, -1, 2 ** 40, 1.5, float('-inf'), 'text', '\u6771', b'\x00\xff', (1, 'a'), [None, True],
             {'k': 1}, complex(0, 1), False]
    add('marshal-valid', M, dump(M, items), ['#ser.marshal', '#frame.write'],
        'MarshalSerializer().dump_stream of scalars and containers (marshal version %d); not byte_exact: '
        'FLAG_REF (0x80) is set on objects CPython holds more than one reference to (small ints, interned '
        'str), SPEC [#vectors.byte-exact]' % marshal.version,
        byte_exact=False, strict=OK)
    add('marshal-zero', M, wi(0), ['#frame.zero', '#frame.loads-eof'],
        'one frame of length 0: marshal.loads(b"") raises EOFError', strict=err('truncated_payload', items=[]))
    add('marshal-cut', M, frame(b'i\x01') + dump(M, [7]), ['#frame.loads-eof'],
        'payload 6901 (TYPE_INT cut short: EOFError), then marshal 7 (SPEC Appendix A example)',
        strict=err('truncated_payload', items=[]))


def utf8_cases():
    U = S.UTF8Deserializer(True)
    strs = ['hello', 'Z\u00fcrich', '\u6771\u4eac', '\U0001f600', '']
    data = b''.join(frame(s.encode('utf-8')) for s in strs) + wi(-5)
    add('utf8-strings', U, data, ['#utf8', '#utf8.encode'],
        'ASCII, Latin-1, CJK, non-BMP and empty strings as write_with_length(s.encode()), then -5 (NULL)',
        byte_exact=True, strict=OK)
    add('utf8-bytes', S.UTF8Deserializer(False), data, ['#utf8'],
        'the same stream read with use_unicode=False', byte_exact=True, strict=OK)
    add('utf8-end-of-data', U, frame(b'a') + wi(-1) + frame(b'b'), ['#utf8'],
        'frame "a", -1, frame "b": -1 ends the stream', verdict='impl-defined')
    for k in (1, 2, 3):
        add('utf8-trailing-%d' % k, U, frame(b'A') + b'\x00' * k, ['#utf8.struct-error'],
            'frame "A" then %d byte(s) of a length: struct.error swallowed' % k,
            strict=err('truncated_length', 5, ["'A'"]))
    add('utf8-short', U, wi(10) + b'abc', ['#utf8.short'],
        'a length of 10 with only "abc" left (SPEC Appendix A example)',
        strict=err('truncated_frame', 0, []))
    add('utf8-short-cut-char', U, wi(10) + b'ab\xe6\x9d', ['#utf8.short', '#utf8.invalid'],
        'a length of 10 with only "ab" and 2 of the 3 bytes of U+6771 left: the short read is decoded',
        strict=err('truncated_frame', 0, []))
    add('utf8-invalid', U, frame(b'A') + frame(b'\xff'), ['#utf8.invalid'],
        'frame "A" then a frame holding FF', strict=err('bad_utf8', 9, ["'A'"]))
    add('utf8-surrogate', U, frame(b'A') + frame(b'\xed\xa0\x80'), ['#utf8.invalid'],
        'frame "A" then ED A0 80 (an encoded surrogate)', strict=err('bad_utf8', 9, ["'A'"]))
    add('utf8-negative-2', U, frame(b'A') + wi(-2) + b'rest', ['#utf8', '#frame.negative'],
        'frame "A", length -2, "rest": the read of -2 bytes takes the rest of the input', verdict='impl-defined')


def auto_cases():
    A = S.AutoSerializer()
    add('auto-marshal', A, frame(b'M' + marshal.dumps(None)), ['#ser.auto.observed', '#ser.auto.intended'],
        "'M' + marshal None: obj[0] is the int 77 on Python 3, never b'M' (SPEC Appendix A example)",
        strict={'outcome': 'ok', 'items': ['None']})
    add('auto-pickle', A, frame(b'P' + pickle.dumps(None, -1)), ['#ser.auto.observed', '#ser.auto.intended'],
        "'P' + pickle None: obj[0] is the int 80", strict={'outcome': 'ok', 'items': ['None']})
    add('auto-empty', A, wi(0), ['#ser.auto.observed'], 'an empty frame: obj[0] on b""')
    add('auto-dump', S.AutoSerializer(), dump(S.AutoSerializer(), [1, {3}, range(3), 4]), ['#ser.auto.dumps'],
        "AutoSerializer().dump_stream of 1, {3}, range(3), 4: frames M, M (sets marshal), then P for range(3) "
        "(marshal cannot) and P for 4 (sticky); reading fails at the first frame")


def batched_cases():
    P = S.PickleSerializer()
    for n in (1, 2, 3, -1):
        B = S.BatchedSerializer(P, n)
        add('batched-%s' % ('unlimited' if n == -1 else n), B, dump(B, realistic()),
            ['#ser.batched', '#ser.batched.dump'],
            'BatchedSerializer(PickleSerializer(), %d).dump_stream of the realistic items' % n,
            byte_exact=True, strict=OK)
    B = S.BatchedSerializer(P, -1)
    add('batched-unlimited-empty', B, dump(B, []), ['#ser.batched.dump'],
        'BatchedSerializer(PickleSerializer(), -1).dump_stream of no items: one frame holding []',
        byte_exact=True, strict=OK)
    B2 = S.BatchedSerializer(P, 2)
    add('batched-2-empty', B2, dump(B2, []), ['#ser.batched.dump'],
        'BatchedSerializer(PickleSerializer(), 2).dump_stream of no items: nothing', byte_exact=True, strict=OK)
    for name, obj, items in (('tuple', (1, 2), []), ('str', 'ab', []), ('int', 5, []),
                             ('dict', {'k': 1, 'j': 2}, []), ('bytes', b'AB', [])):
        add('batched-payload-%s' % name, B2, dump(P, [obj]), ['#ser.iter', '#ser.batched.type'],
            'a batch frame holding a pickled %s %r instead of a list' % (type(obj).__name__, obj),
            strict=err('batch_type', items=items))
    add('batched-payload-null', B2, dump(P, [[1]]) + wi(-5), ['#ser.iter', '#ser.batched.type', '#frame.null'],
        'a batch [1], then -5 (NULL): the batch is None', strict=err('batch_type', items=['1']))
    AB = S.AutoBatchedSerializer(P)
    add('autobatched-2000', AB, dump(AB, list(range(2000))), ['#ser.autobatched'],
        'AutoBatchedSerializer(PickleSerializer()).dump_stream of range(2000): batches 1, 2, 4, ... 1024',
        byte_exact=True, strict=OK)


def pair_cases():
    P = S.PickleSerializer()
    B = S.BatchedSerializer(P, 2)
    PD = S.PairDeserializer(B, B)
    eq = dump(P, [['k1', 'k2'], ['v1', 'v2'], ['k3'], ['v3']])
    add('pair-equal', PD, eq, ['#ser.pair', '#ser.pair.encode'],
        'key batch [k1, k2], value batch [v1, v2], key batch [k3], value batch [v3]', byte_exact=True, strict=OK)
    add('pair-mismatch', PD, dump(P, [['k1', 'k2'], ['v1']]), ['#ser.pair.mismatch'],
        'key batch of 2, value batch of 1', strict=err('batch_mismatch', items=[]))
    add('pair-missing-values', PD, dump(P, [['k1', 'k2']]), ['#ser.pair'],
        'a key batch and no value batch: the key batch is dropped', strict=err('batch_mismatch', items=[]))
    add('pair-int-batch', PD, dump(P, [5, ['v']]), ['#ser.pair', '#ser.iter'],
        'a key batch that is the int 5: list(5)')
    N = S.NoOpSerializer()
    PN = S.PairDeserializer(N, N)
    add('pair-noop', PN, dump(N, [b'ab', b'cd']), ['#ser.pair', '#ser.unbatching'],
        'PairDeserializer of two NoOps: frames ab, cd give one pair', byte_exact=True, strict=OK)
    add('pair-noop-missing', PN, dump(N, [b'ab']), ['#ser.pair'],
        'one NoOp frame and no value frame (SPEC Appendix A example)', strict=err('batch_mismatch', items=[]))
    C = S.CartesianDeserializer(B, B)
    add('cartesian', C, dump(P, [[1, 2], ['a', 'b', 'c']]), ['#ser.cartesian'],
        'key batch [1, 2], value batch [a, b, c]: their product', strict=OK)
    add('cartesian-missing-values', C, dump(P, [[1, 2]]), ['#ser.cartesian'],
        'a key batch and no value batch: the key batch is dropped', verdict='impl-defined')


def compressed_cases():
    P = S.PickleSerializer()
    C = S.CompressedSerializer(P)
    add('compressed-valid', C, dump(C, realistic()[:12]), ['#ser.compressed', '#ser.compressed.encode'],
        'CompressedSerializer(PickleSerializer()).dump_stream (zlib level 1, ZLIB_VERSION %s)' % zlib.ZLIB_VERSION,
        byte_exact=True, strict=OK)
    add('compressed-garbage', C, frame(b'not zlib data'), ['#ser.compressed'],
        'a frame that is not zlib data', strict=err('zlib', items=[]))
    z = zlib.compress(pickle.dumps(list(range(50)), 5), 1)
    add('compressed-truncated', C, frame(z[:len(z) // 2]), ['#ser.compressed'],
        'the first half of a zlib stream', strict=err('truncated_payload', items=[]))
    add('compressed-zero', C, wi(0), ['#ser.compressed', '#frame.zero'], 'one frame of length 0',
        strict=err('truncated_payload', items=[]))
    add('compressed-trailing', C, frame(zlib.compress(pickle.dumps('x', 5), 1) + b'xx'),
        ['#ser.compressed', '#ser.trailing'], 'a zlib stream followed by 7878 (SPEC Appendix A example)',
        strict=err('trailing', items=[]))


class _Keep(io.BytesIO):
    """A BytesIO that ChunkedStream.close() cannot discard (close() closes the wrapped stream)."""

    def close(self):
        self.final = self.getvalue()


def chunked_cases():
    for vid, writes in (('chunked-8', [b'hello', b' world', b'!!!!!!!!']),
                        ('chunked-8-exact', [b'0123456789abcdef']),
                        ('chunked-8-empty', [])):
        w = _Keep()
        c = S.ChunkedStream(w, 8)
        for b in writes:
            c.write(b)
        c.close()
        add(vid, None, w.final, ['#chunked.write', '#chunked.close'],
            'ChunkedStream(wrapped, 8): writes of %s bytes, then close(); PySpark has no reader for it, the item '
            'is the concatenation of the writes' % [len(b) for b in writes],
            byte_exact=True, strict=OK, serializer='ChunkedStream(8)', items=[canon(b''.join(writes))],
            pyspark={'outcome': 'ok'})


def demo_case():
    shared = ['spark', 'wire']
    items = [('user:17', 3), ('user:42', 11), ('user:99', -1),
             (1, 2.5, 'Z\u00fcrich', None, True), {'id': 7, 'score': 0.125},
             [[1, 2], [3, [4, 5]]], b'\x00\x01binary\xff', (shared, shared),
             (2, -0.0, '\u6771\u4eac', None, False), 2 ** 70, 'tail', [None, 1.5]]
    B = S.BatchedSerializer(S.PickleSerializer(), 3)
    add('demo-pickle-batched', B, dump(B, items), ['#ser.batched', '#ser.batched.dump', '#ser.pickle'],
        'BatchedSerializer(PickleSerializer(), 3).dump_stream of a dozen realistic items (pairs, rows, a dict, '
        'nested lists, bytes, a shared sublist)', byte_exact=True, strict=OK)


def provenance(pyspark_dir):
    import cloudpickle
    src = os.path.join(pyspark_dir, 'pyspark', 'serializers.py')
    return {'serializers_py': 'apache/spark python/pyspark/serializers.py',
            'pyspark_commit': '00720836068802ff5f5c9c36e478e54fdf39e64b',
            'serializers_py_sha256': hashlib.sha256(open(src, 'rb').read()).hexdigest(),
            'python': sys.version, 'pickle_highest_protocol': pickle.HIGHEST_PROTOCOL,
            'marshal_version': marshal.version, 'zlib_version': zlib.ZLIB_VERSION,
            'cloudpickle_version': cloudpickle.__version__, 'pythonhashseed': os.environ.get('PYTHONHASHSEED'),
            'command': 'tools/pyspark_probe.py --pyspark DIR --out vectors/frame-probes'}


def main():
    global S
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pyspark', required=True, help='folder that contains the pyspark package')
    ap.add_argument('--out', default='vectors/frame-probes')
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.pyspark))
    import pyspark.serializers as ser
    S = ser
    for f in (noop_cases, pickle_cases, marshal_cases, utf8_cases, auto_cases, batched_cases, pair_cases,
              compressed_cases, chunked_cases, demo_case):
        f()
    os.makedirs(a.out, exist_ok=True)
    for vid, data, rec in CASES:
        with open(os.path.join(a.out, vid + '.bin'), 'wb') as f:
            f.write(data)
        with open(os.path.join(a.out, vid + '.json'), 'w') as f:
            json.dump(rec, f, indent=1, ensure_ascii=True)
            f.write('\n')
    with open(os.path.join(a.out, 'provenance.json'), 'w') as f:
        json.dump(provenance(os.path.abspath(a.pyspark)), f, indent=1, sort_keys=True)
        f.write('\n')
    print('%d vectors in %s' % (len(CASES), a.out))


if __name__ == '__main__':
    main()

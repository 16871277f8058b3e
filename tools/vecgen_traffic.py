"""gen_vectors.py extension: the 64 KiB thresholds of the traffic grid (issue #5).

tools/vecgen_mix.py holds the traffic grid proper (every serializer and layer
combination over seeded profiles, items mostly under 2 KiB). What it leaves
out are the sizes around 64 KiB, where three things change at once:

- pickle protocol >= 4 framing (SPEC #pickle.encode.frame): a frame is
  committed once it holds 65536 bytes, and a str/bytes/bytearray payload of
  65536 bytes or more is written outside any frame;
- the pickle opcodes for bytes/str stay BINBYTES/BINUNICODE (4-byte length)
  on both sides of the threshold, marshal likewise;
- PySpark's workers read a BufferedReader of 65536 bytes, so a frame that
  long crosses the reader's buffer.

Group grid-large: each stream written by PySpark's own dump_stream (pickle
protocols 0-5 through the module global `pickle_protocol`, marshal versions
0-4 through marshal.dumps(obj, v)), read back by its load_stream in gv.add.
Few vectors (they are large): the conformance suite decodes prefixes only up
to 4 KiB, the whole stream once per mode.
"""
import random

GROUPS = ('grid-large',)

gv = None
S = None


# the serializer-module context managers and spec spellings of the traffic grid
from vecgen_mix import MarshalVersion, Protocol, mspec, pspec  # noqa: E402


def items():
    """Named items around 64 KiB, seeded."""
    rng = random.Random(20261125)
    out = []
    for n in (65535, 65536, 65537):
        out.append(('bytes%d' % n, bytes(rng.randrange(256) for _ in range(n))))
    out.append(('str65536-ascii', ''.join(chr(rng.randrange(32, 127)) for _ in range(65536))))
    # 21846 three-byte UTF-8 characters: 65538 bytes of payload, 21846 characters
    out.append(('str65538-cjk', ''.join(chr(0x4e00 + rng.randrange(0x5000)) for _ in range(21846))))
    out.append(('bytearray65536', bytearray(rng.randrange(256) for _ in range(65536))))
    # several frames: ~80 KiB of small nodes, and a blob between two small items
    out.append(('ints-list', [rng.randrange(-2 ** 40, 2 ** 40) for _ in range(9000)]))
    out.append(('pair-around-blob', ('key', bytes(rng.randrange(256) for _ in range(65536)), 'tail')))
    return out


# The 64 KiB thresholds are the framing of protocols 4 and 5; the other
# protocols and marshal versions only once each, to keep the vectors few.
PROTOCOLS = {'bytes65535': (3, 4, 5), 'bytes65536': (0, 1, 2, 3, 4, 5), 'bytes65537': (3, 4, 5),
             'str65536-ascii': (0, 4, 5), 'str65538-cjk': (3, 4, 5), 'bytearray65536': (4, 5),
             'ints-list': (4, 5), 'pair-around-blob': (4, 5)}
VERSIONS = {'bytes65536': (2, 4), 'str65538-cjk': (2, 4), 'ints-list': (2, 4), 'pair-around-blob': (2, 4)}


def generate(g):
    global gv, S
    gv = g
    S = g.S
    P = S.PickleSerializer()
    M = S.MarshalSerializer()
    its = items()
    for name, x in its:
        for p in PROTOCOLS[name]:
            with Protocol(S, p):
                data = gv.dump(P, [x])
            gv.add('grid-large', '%s-p%d' % (name, p), P, data, 'accept',
                   ['#ser.pickle', '#pickle.encode', '#pickle.encode.frame', '#frame.write'],
                   'PickleSerializer().dump_stream([x]) with pickle_protocol=%d: %s (around the 64 KiB frame '
                   'target and the reader buffer)' % (p, name),
                   byte_exact=gv.pickle_exact([x]), strict=gv.OK, serializer=pspec(p))
        for v in VERSIONS.get(name, ()):
            with MarshalVersion(S, v):
                data = gv.dump(M, [x])
            gv.add('grid-large', '%s-v%d' % (name, v), M, data, 'accept',
                   ['#ser.marshal', '#marshal.encode', '#frame.write'],
                   'MarshalSerializer().dump_stream([x]) with marshal.dumps(obj, %d): %s' % (v, name),
                   byte_exact=False, strict=gv.OK, serializer=mspec(v))
    # one batch of 10 x 8 KiB blobs (an 80 KiB frame, several pickle frames), protocols 4 and 5
    rng = random.Random(7)
    blobs = [bytes(rng.randrange(256) for _ in range(8192)) for _ in range(10)]
    for p in (4, 5):
        B = S.BatchedSerializer(P, 10)
        with Protocol(S, p):
            data = gv.dump(B, blobs)
        gv.add('grid-large', 'batched10-8k-blobs-p%d' % p, B, data, 'accept',
               ['#ser.batched', '#pickle.encode.batch', '#pickle.encode.frame'],
               'BatchedSerializer(PickleSerializer(), 10).dump_stream of ten 8 KiB blobs, pickle_protocol=%d: '
               'one 80 KiB batch frame' % p, byte_exact=gv.pickle_exact(blobs), strict=gv.OK,
               serializer='BatchedSerializer(%s, 10)' % pspec(p))
    C = S.CompressedSerializer(P)
    data = gv.dump(C, [b'abc' * 30000])
    gv.add('grid-large', 'compressed-90k', C, data, 'accept', ['#ser.compressed', '#pickle.encode.frame'],
           'CompressedSerializer(PickleSerializer()).dump_stream of a 90,000-byte compressible bytes: '
           'a short zlib frame inflating past 64 KiB', byte_exact=gv.pickle_exact([b'abc' * 30000]),
           strict=gv.OK)

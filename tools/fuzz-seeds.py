#!/usr/bin/python3
"""Seed corpora for the fuzz targets [#fuzz.seeds]: fuzz/corpus/<target>/.

Inputs are built from vectors/** files and from CPython's own pickle.dumps,
marshal.dumps and zlib.compress output. Each fuzz input starts with the
target's configuration bytes (see fuzz/targets/*.c and fz_stream_cfg_from in
fuzz/oracle.c); seeds cycle through configurations deterministically.
Run from anywhere: /usr/bin/python3 tools/fuzz-seeds.py [--max N]
Existing seed files (names starting with "seed-") are replaced; files the
campaign merged in (hash names) are kept.
"""
import argparse
import glob
import hashlib
import marshal
import os
import pickle
import struct
import sys
import zlib
from collections import OrderedDict, namedtuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["frame_decode", "utf8_decode", "pickle_decode", "marshal_decode", "zlib_decode",
           "auto_decode", "batched_decode", "pair_decode", "notation_parse", "stack_decode"]


def be32(n):
    return struct.pack(">i", n)


def frame(b):
    return be32(len(b)) + b


def stream(payloads, end=b""):
    return b"".join(frame(p) for p in payloads) + end


Point = namedtuple("Point", "x y")


class Obj:
    def __init__(self):
        self.a = 1
        self.b = [1, 2]


def values():
    """A spread of Python values CPython pickles and (mostly) marshals."""
    shared = [1, 2]
    cyc = []
    cyc.append(cyc)
    d = {}
    d["self"] = d
    return [
        None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**63, -2**63 - 1,
        2**200, -(2**1000), 0.0, -0.0, 1.5, 1e308, float("inf"), float("-inf"), float("nan"), 1j,
        complex(-0.0, 2.5), b"", b"ab", b"\x00\xff" * 40, bytearray(b"xy"), "", "a", "\u00e9",
        "\u20ac\U0001f600", "x" * 300, "\ud800", (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [],
        [1, "a", None], {}, {"k": [1, 2], 3: (4,)}, set(), {1, 2, 3}, frozenset([4, 5]),
        [shared, shared], cyc, d, ((),), [[[[[1]]]]], Ellipsis, list(range(1100)),
        {str(i): i for i in range(20)}, Point(1, 2), Obj(), range(3), slice(1, 2), NotImplemented,
        ["a", "a", "b"] * 4, [b"x" * 256, b"y" * 300],
    ]


def marshal_values():
    out = []
    for v in values():
        try:
            marshal.dumps(v)
            out.append(v)
        except ValueError:
            pass
    out.append(b"y" * 66000)
    out.append(StopIteration)
    out.append((lambda x: x + 1).__code__)
    return out


def code_objects():
    """Code objects of this Python (the marshal_decode config byte 0x?0 decodes
    them in pyspark mode with allow_code, where [#marshal.code] validates
    them): a lambda, a function with defaults, keyword-only and positional-only
    arguments, a closure, a generator, and a module holding functions."""
    src = ("def f(a, /, b=1, *c, d, **e):\n    return [a, b, c, d, e]\n"
           "def g(x):\n    def h(y):\n        return x + y\n    return h\n"
           "def gen(n):\n    yield from range(n)\n")
    mod = compile(src, "seed.py", "exec")
    ns = {}
    exec(mod, ns)
    return [(lambda x: x + 1).__code__, ns["f"].__code__, ns["g"].__code__, ns["gen"].__code__, mod]


def text_number_pickles():
    """Protocol 0 INT/LONG/FLOAT lines CPython's load_int, load_long and
    load_float accept or refuse at their edges: base prefixes and underscores
    (int(s, 0)), 4300 and 4301 digits (sys.int_info.default_max_str_digits),
    a float that overflows (OverflowError); accepted and refused alike."""
    lines = [b"I0x1f\n", b"I-0o17\n", b"I0b101\n", b"I0x_1f\n", b"I1_000\n", b"I1__0\n", b"I0x\n",
             b"L0x1fL\n", b"L0b1_0L\n", b"I" + b"9" * 4300 + b"\n", b"I" + b"9" * 4301 + b"\n",
             b"L" + b"9" * 4301 + b"L\n", b"I0x" + b"f" * 5000 + b"\n", b"F1e400\n", b"F-1e400\n", b"Fnan\n",
             b"F1_0\n"]
    return [b"(" + ln + b"l." for ln in lines]


def pickles(max_n):
    """CPython pickles of values() at every protocol, then vectors/pickle-corpus files."""
    out = []
    for v in values():
        for proto in range(6):
            try:
                out.append(pickle.dumps(v, proto))
            except Exception:
                pass
    out.append(pickle.dumps(b"y" * 66000, 5))  # BINBYTES with a 4-byte length
    for path in sorted(glob.glob(os.path.join(ROOT, "vectors", "pickle-corpus", "**", "*.pkl"),
                              recursive=True)):
        with open(path, "rb") as f:
            out.append(f.read())
    return dedup(out, max_n)


def marshals(max_n):
    out = []
    for v in marshal_values():
        for ver in range(5):
            try:
                out.append(marshal.dumps(v, ver))
            except ValueError:
                pass
    return dedup(out, max_n)


def dedup(items, max_n):
    seen = OrderedDict()
    for b in items:
        seen.setdefault(b, None)
    items = list(seen)
    if len(items) <= max_n:
        return items
    step = len(items) / max_n
    return [items[int(i * step)] for i in range(max_n)]


def notation_texts(max_n):
    texts = []
    for name in ("values.txt", "floats.txt"):
        path = os.path.join(ROOT, "vectors", "notation", name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
        if name == "floats.txt":
            lines = lines[::400]
        texts += lines
    return dedup([t.encode("utf-8") for t in texts], max_n)


def stream_cfg(i):
    """6 bytes for fz_stream_cfg_from: mode/options, 4 chunk sizes, allocator."""
    mode = i & 1                      # pyspark, strict alternately
    opts = mode | ((i >> 1) & 2)      # auto_intended sometimes
    chunks = bytes([1 + (i % 7), 3, 16, 2 + (i % 5)])
    alloc = [0, 1 | (8 << 2), 2 | (5 << 2), 0][i % 4]  # none, 4 KiB budget, fail at 6th
    return bytes([opts]) + chunks + bytes([alloc])


def payload_cfg(i, param):
    return bytes([(i & 1) | (param << 5), [0, 1 | (8 << 2), 2 | (9 << 2)][i % 3]])


def write(target, seeds):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.startswith("seed-"):
            os.remove(os.path.join(d, name))
    for i, s in enumerate(dedup(seeds, 10**9)):
        h = hashlib.sha1(s).hexdigest()[:12]
        with open(os.path.join(d, "seed-%03d-%s" % (i, h)), "wb") as f:
            f.write(s)
    return len(seeds)


# marshal type codes (CPython Python/marshal.c; 'R' is Python 2's TYPE_STRINGREF)
MARSHAL_CODES = "0NFTS.iIfgxylstr([{cu?<>aA)zZR"


def dict_line(name, b):
    return '%s="%s"' % (name, "".join("\\x%02x" % c for c in b))


def dictionaries():
    """fuzz/<target>.dict: pickle opcodes, marshal type codes, special lengths
    as 4-byte big-endian, AutoSerializer tags, zlib headers, notation tokens."""
    import pickletools
    pick = [dict_line("op_" + op.name, op.code.encode("latin-1")) for op in pickletools.opcodes]
    pick += [dict_line("proto%d" % i, bytes([0x80, i])) for i in range(6)]
    pick += [dict_line("frame8", b"\x95" + struct.pack("<Q", 9)), dict_line("memo0", b"q\x00"),
             dict_line("global_builtins", b"cbuiltins\nset\n"), dict_line("codecs", b"c_codecs\nencode\n")]
    # text ints and floats (INT, LONG, FLOAT: PyLong_FromString base 0, PyOS_string_to_double)
    pick += [dict_line("text_%s" % n, t) for n, t in (("hex", b"0x"), ("oct", b"0o"), ("bin", b"0b"),
                                                        ("under", b"_"), ("exp", b"e400"), ("nan", b"nan"))]
    mar = [dict_line("type_%s" % ("x%02x" % ord(c)), c.encode()) for c in MARSHAL_CODES]
    mar += [dict_line("ref_%s" % ("x%02x" % ord(c)), bytes([ord(c) | 0x80])) for c in MARSHAL_CODES]
    mar += [dict_line("len4_%d" % n, struct.pack("<i", n)) for n in (0, 1, 255, 65536, -1, 2**31 - 1)]
    spec = [dict_line("special_%d" % -k, be32(-k)) for k in range(1, 8)]
    spec += [dict_line("len_%d" % n, be32(n)) for n in (0, 1, 2, 4, 8, 255, 65536, 2**31 - 1)]
    tags = [dict_line("tag_M", b"M"), dict_line("tag_P", b"P")]
    zl = [dict_line("zlib_%02x%02x" % (a, b), bytes([a, b])) for a, b in
          ((0x78, 0x01), (0x78, 0x5e), (0x78, 0x9c), (0x78, 0xda))]
    zl.append(dict_line("zlib_empty", zlib.compress(b"")))
    zl.append(dict_line("zlib_none", zlib.compress(b"\x80\x05N.")))
    utf = [dict_line("utf_%d" % i, b) for i, b in enumerate(
        (b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80"))]
    note = ['tok_%d="%s"' % (i, t.replace("\\", "\\\\").replace('"', '\\"')) for i, t in enumerate(
        ["None", "True", "False", "Ellipsis", "StopIteration", "b'", "bytearray(b'", "frozenset({", "set()",
         "{", "}", "[", "]", "(", ")", ",", ": ", "&1 ", "*1", "inf", "-inf", "nan", "1e+100", "-0.0", "j",
         "\\x00", "\\u20ac", "\\U0001f600", "\\ud800", "global('builtins', ", "obj(", "reduce(", "newobj(",
         "newobj_ex(", "inst(", ".build(", ".append(", ".setitem(", ".add(", "persid(", "ext(", "buffer(",
         "readonly_buffer(", "code(", "namedtuple(", "complex(", "bytearray(", "...", "'", '"', "999999999999999999999"])]
    common = spec
    return {
        "frame_decode": common,
        "utf8_decode": common + utf,
        "pickle_decode": pick,
        "marshal_decode": mar,
        "zlib_decode": common + zl + pick[:20] + mar[:20],
        "auto_decode": common + tags + pick + mar,
        "batched_decode": common + pick,
        "pair_decode": common + pick,
        "notation_parse": note,
        "stack_decode": common + tags + zl + pick + mar + utf,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max", type=int, default=80, help="seeds per target (default 80)")
    a = ap.parse_args()
    n = a.max
    pk = pickles(n)
    ms = marshals(n)
    counts = {}

    # frame_decode: NoOp frames with every special length
    specials = [be32(-1), be32(-2), be32(-3), be32(-4), be32(-5), be32(-6), be32(-7), b"\x00",
                b"\x00\x00\x00", be32(100) + b"short", be32(0)]
    fr = []
    for i, sp in enumerate(specials):
        fr.append(stream_cfg(i) + stream([b"ab", b""], sp))
        fr.append(stream_cfg(i + 1) + sp + stream([b"tail"]))
    fr += [stream_cfg(i) + stream(pk[i:i + 3]) for i in range(0, min(len(pk), 30), 3)]
    counts["frame_decode"] = write("frame_decode", fr)

    # utf8_decode: first byte 0 = UTF8Deserializer(True), 1 = False
    texts = ["", "a", "\u00e9\u20ac\U0001f600", "x" * 100]
    ut = []
    for i in range(12):
        body = stream([t.encode() for t in texts])
        tail = [b"", be32(-1), be32(-5), b"\x00\x01", be32(50) + b"part", b"\xed\xa0\x80",
                be32(3) + b"\xed\xa0\x80", be32(2) + b"\xc3(", be32(-3) + b"rest"][i % 9]
        ut.append(bytes([i & 1]) + stream_cfg(i) + body + tail)
    counts["utf8_decode"] = write("utf8_decode", ut)

    # pickle_decode / marshal_decode: one payload each
    counts["pickle_decode"] = write("pickle_decode", [payload_cfg(i, i % 8) + p for i, p in enumerate(pk)] +
                                    [bytes([0, 0]) + p for p in text_number_pickles()])
    counts["marshal_decode"] = write("marshal_decode",
                                     [payload_cfg(i, i % 6) + m for i, m in enumerate(ms)] +
                                     [bytes([2 | 1, 0]) + m for m in ms[:10]] +
                                     [bytes([(ver + 1) << 5, 0]) + marshal.dumps(c, ver)
                                      for c in code_objects() for ver in (2, 4)])

    # zlib_decode: first byte 0 pickle, 1 marshal
    zl = []
    for i in range(0, min(len(pk), 40), 2):
        zl.append(bytes([0]) + stream_cfg(i) + stream([zlib.compress(p, 1) for p in pk[i:i + 2]]))
    for i in range(0, min(len(ms), 30), 2):
        zl.append(bytes([1]) + stream_cfg(i) + stream([zlib.compress(m, 1) for m in ms[i:i + 2]]))
    zl.append(bytes([0]) + stream_cfg(1) + stream([zlib.compress(b"\x80\x05N.")[:-3]]))
    zl.append(bytes([0]) + stream_cfg(2) + stream([zlib.compress(b"\x00" * 100000, 9)]))
    counts["zlib_decode"] = write("zlib_decode", zl)

    # auto_decode: tag M + marshal, P + pickle
    au = []
    for i in range(0, min(len(pk), 20)):
        au.append(bytes([0]) + stream_cfg(2 + (i & 1)) + stream([b"P" + pk[i], b"M" + ms[i % len(ms)]]))
    au.append(bytes([0]) + stream_cfg(2) + stream([b"X", b""]))
    counts["auto_decode"] = write("auto_decode", au)

    # batched_decode: spec index byte, then lists as batches
    ba = []
    batches = [[1, 2, 3], [4, 5], ["a", (1, 2)], [], (7, 8), {"k": 1}, "str", b"by", 5]
    for i in range(16):
        spec = i % 8
        if spec in (4, 5, 6):
            pays = []
            for b in batches[:5]:
                try:
                    pays.append(marshal.dumps(b))
                except ValueError:
                    pass
        elif spec == 3:
            pays = [pickle.dumps(("k", [1, 2]), 5), pickle.dumps(("k2", [3]), 2)]
        elif spec == 7:
            pays = [zlib.compress(pickle.dumps(b, 5), 1) for b in batches[:4]]
        else:
            pays = [pickle.dumps(b, i % 6) for b in batches[i % 3:]]
        ba.append(bytes([spec]) + stream_cfg(i) + stream(pays))
    counts["batched_decode"] = write("batched_decode", ba)

    # pair_decode: key batch then value batch, alternately
    pa = []
    for i in range(12):
        spec = i % 6
        if spec in (0, 3):
            pays = [pickle.dumps([1, 2]), pickle.dumps(["a", "b"]), pickle.dumps([3]),
                    pickle.dumps(["c", "d", "e"])]
        elif spec == 1:
            pays = [pickle.dumps(1), pickle.dumps("a"), pickle.dumps(2), pickle.dumps("b")]
        elif spec == 4:
            pays = [pickle.dumps([1, 2]), marshal.dumps(["x"]), pickle.dumps(3), marshal.dumps(4)]
        elif spec == 2:
            pays = [b"k", marshal.dumps("v"), b"k2", marshal.dumps([1])]
        else:
            pays = [b"k", b"v", b"", b"w"]
        pa.append(bytes([spec]) + stream_cfg(i) + stream(pays, b"" if i < 6 else be32(-1)))
    # specs 6-8: sides that batch differently (AutoBatched pair, Batched(3) with a plain
    # value side, UNLIMITED keys with AutoBatched marshal values)
    for i in range(12, 18):
        spec = 6 + i % 3
        if spec == 6:
            pays = [pickle.dumps([1]), pickle.dumps(["a"]), pickle.dumps([2, 3]), pickle.dumps(["b", "c"])]
        elif spec == 7:
            pays = [pickle.dumps([1]), pickle.dumps("a"), pickle.dumps([2]), pickle.dumps("b")]
        else:
            pays = [pickle.dumps([1, 2, 3]), marshal.dumps(["a", "b", "c"])]
        pa.append(bytes([spec]) + stream_cfg(i) + stream(pays, b"" if i < 15 else be32(-1)))
    counts["pair_decode"] = write("pair_decode", pa)

    # notation_parse: text of values; first byte turns on the pickle/marshal round trips
    nt = notation_texts(n)
    counts["notation_parse"] = write("notation_parse",
                                     [bytes([(i * 37) & 0xff | 0x11, [0, 1 | (16 << 2), 2 | (7 << 2)][i % 3]]) + t
                                      for i, t in enumerate(nt)])

    # stack_decode: spec index, two limit bytes, then the stream
    st = []
    for i in range(24):
        if i in (0, 11):
            pays = [b"raw", b""]
        elif i in (3, 10):
            pays = ms[:4]
        elif i == 4 or i == 12 or i == 23:
            pays = [b"M" + ms[1], b"P" + pk[1]]
        elif i in (5, 6):
            pays = ["h\u00e9".encode(), b"x"]
        elif i in (7, 8):
            body = b"".join(frame(c) for c in [b"01234567", b"89"]) + be32(-1)
            st.append(bytes([i, 0, 0]) + stream_cfg(i) + body)
            continue
        else:
            pays = [pickle.dumps([1, [2, 3], "x"], 5), pickle.dumps([4], 2)]
        if i in (9, 15, 19):
            pays = [zlib.compress(p, 1) for p in pays]
        if i in (10, 16):
            pays = [zlib.compress(p, 1) for p in pays]
        limits = [(0, 0), (0x02, 0x01), (0x04, 0x05), (0x01, 0x02), (0x80, 0x01), (0x20, 0x01)][i % 6]
        st.append(bytes([i, limits[0], limits[1]]) + stream_cfg(i) + stream(pays))
    # MarshalSerializer (table entry 3) against its limits: references over
    # max_memo (l1 0x10: 1 + (l2 & 7)), nesting over max_depth (l1 0x02:
    # 1 + (l2 & 15)), nodes over max_nodes (l1 0x04: 1 + (l2 & 63)); in
    # pyspark mode, one code object stream
    shared = ["s"]
    many_refs = marshal.dumps([shared, shared, ("t",) * 2, [shared] * 4, {"k": shared}])
    deep = marshal.dumps([[[[[[["x"]]]]]]])
    for j, (l1, l2, pay) in enumerate([(0x10, 0x01, many_refs), (0x10, 0x06, many_refs), (0x02, 0x02, deep),
                                        (0x02, 0x06, deep), (0x04, 0x03, many_refs), (0x00, 0x00,
                                        marshal.dumps(code_objects()[1]))]):
        st.append(bytes([3, l1, l2]) + stream_cfg(2 * j) + stream([pay, marshal.dumps(1)]))
    counts["stack_decode"] = write("stack_decode", st)

    for t, lines in dictionaries().items():
        with open(os.path.join(ROOT, "fuzz", t + ".dict"), "w") as f:
            f.write("# made by tools/fuzz-seeds.py: libFuzzer/AFL++ dictionary for %s\n" % t)
            f.write("\n".join(lines) + "\n")
    for t in TARGETS:
        print("%-16s %d seeds" % (t, counts.get(t, 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Write vectors/notation/values.txt (one canonical notation line per value,
SPEC.md [#notation]) and vectors/notation/floats.txt (floats only, for
[#notation.float]), printed from real Python objects by tools/canon.py.

The C tests (ref/test/test_notation.c) parse every line and print it again:
the text must come back byte for byte, and parse -> print -> parse must give
an equal graph. Deterministic: a fixed seed, no hashing-order dependence.

usage: gen_notation_vectors.py [OUTDIR]   (default vectors/notation)
"""

import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canon import Buffer, Code, Ext, Global, NamedTuple, Obj, PersId, canon  # noqa: E402


def fbits(h):
    return struct.unpack(">d", bytes.fromhex(h))[0]


def values():
    rnd = random.Random(20261125)
    out = []
    add = out.append

    # ---- scalars [#notation.scalar]
    for v in (None, True, False, Ellipsis, StopIteration):
        add(v)
    # ints around every boundary [#notation.int]
    for v in (0, 1, -1, 7, -12, 255, 256, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 62, 2 ** 63 - 1,
              -(2 ** 63), 2 ** 63, -(2 ** 63) - 1, 2 ** 64 - 1, 2 ** 64, -(2 ** 64), 2 ** 100, -(2 ** 127),
              10 ** 18, 10 ** 19, -(10 ** 19), 10 ** 38 + 1, 3 ** 200):
        add(v)
    big = 10 ** 4300
    for v in (big - 1, -(big - 1), big, -big, big + 1, 2 ** 14284, 2 ** 14285 - 1, 2 ** 14285, 2 ** 14286,
              -(2 ** 20000) + 12345, 7 ** 6000):
        add(v)
    for _ in range(10):
        add(rnd.getrandbits(rnd.randrange(1, 300)) * rnd.choice((1, -1)))
    # floats [#notation.float]
    for v in (0.0, -0.0, 1.0, -1.0, 1.5, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 100.0, 1e15, 1e16, 1e17, 123456789012345678.0,
              9007199254740993.0, 1e-4, 1e-5, 0.0001, 0.00001234, 1e22, 1e23, 1e-7, 5e-324, -5e-324,
              2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, -1.7976931348623157e308,
              math.pi, math.e, 1e100, 1e-100, 12345.678, 0.5, 4.35, 2 ** 53, 2.0 ** 60, 1e300 * 10,
              float("inf"), float("-inf"), float("nan"), -float("nan"),
              fbits("7ff0000000000001"), fbits("7ff4000000000000"), fbits("7ff8000000000001"),
              fbits("fff0000000000001"), fbits("7fffffffffffffff"), fbits("ffffffffffffffff"),
              fbits("0000000000000001"), fbits("000fffffffffffff"), fbits("8000000000000001")):
        add(v)
    for _ in range(40):
        b = rnd.getrandbits(64)
        f = struct.unpack(">d", struct.pack(">Q", b))[0]
        add(f)
    for _ in range(20):
        add(rnd.uniform(-1e6, 1e6))
        add(rnd.random() * 10 ** rnd.randrange(-30, 30))
    for v in (complex(0, 0), complex(1.0, -0.0), complex(-0.0, 1), complex(float("inf"), float("nan")),
              complex(fbits("7ff0000000000001"), 2.5), complex(1e16, 1e-5)):
        add(v)

    # ---- strings [#notation.string]
    for s in ("", "a", "hello world", "'", '"', "\\", "'\"\\", "\t\n\r", "\x00\x01\x1f\x7f", "\x80\x9f\xa0\xff",
              "caf\xe9", "\u0100\u07ff\u0800\uffff", "\u4e2d\u6587\u5b57", "\U00010000\U0001f600\U0010ffff",
              "\ud800", "\udc80", "\udfff", "\ud800\udc00", "a\udc80b", "\ufeff", "~ ", "{x: [1, 2]}",
              "*1 &1 ...", "it's", "x" * 300):
        add(s)
    add("".join(chr(c) for c in range(0, 0x180)))
    for _ in range(10):
        add("".join(chr(rnd.choice((rnd.randrange(0x20, 0x7f), rnd.randrange(0, 0x110000)))) for _ in range(12)))
    for b in (b"", b"a", b"'", b"\\", b'"', b"\t\n\r\x00", bytes(range(256)), b"b'x'", bytes(range(255, -1, -1))):
        add(b)
    for b in (bytearray(), bytearray(b"abc"), bytearray(range(256))):
        add(b)

    # ---- containers [#notation.container]
    add(())
    add((1,))
    add((1, 2))
    add(((),))
    add(((1,),))
    add([])
    add([1, "a", b"b", 2.5, None])
    add([[], [[]], [[[]]]])
    add({})
    add({"a": 1, "b": [1, 2], 3: None, (1, 2): {"x": {}}})
    add({1: 1, True: 2, 1.0: 3})  # Python merges: {1: 3}
    add({"z": 1, "a": 2, "m": 3})  # insertion order kept
    add(set())
    add(frozenset())
    add({1, 2, 3})
    add({3, 20, 100, -1, -20})
    add({"b", "a", "c", "", "A"})
    add({1, "1", b"1", 1.5, None, (1,), frozenset({2}), True and 2, Ellipsis})
    add(frozenset({"x", 2, (3, 4)}))
    add({frozenset({1, 2}), frozenset({3}), frozenset(), frozenset({frozenset({0})})})
    add({(1, 2), (1,), (), (0, (1,))})
    add([{1.5, -0.0}, {float("inf"), float("-inf")}])
    add({"\xe9", "e", "\U0001f600", "\udc80"})
    add({b"\xff", b"\x00", b"a"})
    add({complex(1, 2), 1, 2.0})
    add({Global("m", "b"), Global("m", "a"), Ext(3), Buffer(1), PersId("p")})
    # nested depth
    x = []
    for _ in range(50):
        x = [x]
    add(x)
    t = ()
    for i in range(30):
        t = (t, i)
    add(t)
    d = {}
    for i in range(20):
        d = {"k%d" % i: d}
    add(d)
    fz = frozenset()
    for i in range(200):
        fz = frozenset({i, fz})  # each level's order is found once [#notation.set-order.memo]
    add(fz)
    add({fz, "x", (fz,)})

    # ---- identity [#notation.identity]
    shared = [1, 2]
    add([shared, shared])
    add({"a": shared, "b": shared, "c": [shared]})
    tt = (1, "x")
    add([tt, tt, (tt,)])
    ft = frozenset({1})
    add([ft, ft, {ft}])
    ba = bytearray(b"q")
    add([ba, ba])
    e1, e2 = [], {}
    add([e1, e2, e1, e2, set()])
    s1 = {1}
    add([s1, [s1], {"k": s1}])
    # shared strings/ints/empty tuples never show identity
    s = "shared" * 3
    add([s, s, 10 ** 30, (), ()])
    # cycles through lists and dicts
    l = []
    l.append(l)
    add(l)
    l2 = [1]
    l2.append([l2, 2])
    add(l2)
    dd = {}
    dd["me"] = dd
    dd["list"] = [dd]
    add(dd)
    a, b = [], []
    a.append(b)
    b.append(a)
    add([a, b])
    m = {"k": []}
    m["k"].append(m)
    m["k"].append(m["k"])
    add(m)
    ct = ([],)
    ct[0].append(ct)
    add(ct)
    # anchors inside set members, shared across a set and a list
    st = (9, 8)
    add([{st, (1,)}, st])
    add({(st, st), (st,)})

    # ---- symbolic forms [#notation.symbolic]
    g = Global("__main__", "P")
    add(g)
    add(Global("copy_reg", "_reconstructor"))
    o = Obj("newobj", g, ())
    o.build({"x": 1})
    add(o)
    add(Obj("reduce", Global("builtins", "complex"), (1.0, 2.0)))
    add(Obj("newobj_ex", g, (1,), {"k": 2}))
    add(Obj("inst", Global("m", "C"), ("a",)))
    add(Obj("obj", Global("m", "C"), ()))
    o2 = Obj("reduce", Global("collections", "OrderedDict"), ())
    o2.setitem("a", 1)
    o2.setitem("b", None)
    add(o2)
    o3 = Obj("reduce", Global("m", "L"), ())
    o3.append(1)
    o3.append(o3)
    o3.add("z")
    o3.build((None, {"slot": o3}))
    add(o3)
    o4 = Obj("obj", Global("m", "A"), ())
    add([o4, o4])
    sset = set()
    oa = Obj("obj", Global("m", "A"), ())
    ob = Obj("obj", Global("m", "B"), ())
    oa.build(sset)
    sset.add(oa)
    sset.add(ob)
    add(sset)
    # a set whose member order depends on where it is printed: inside A's
    # key the set is open on the path, so its own order differs
    inner = frozenset({1, frozenset({2, 3})})
    sc = {inner, "a"}
    oc = Obj("obj", Global("m", "C"), ())
    oc.build(sc)
    sc.add(oc)
    add([sc, inner, {oc, 0}])
    add(PersId("pid"))
    lp = []
    pp = PersId(lp)
    lp.append(pp)
    add(pp)  # persid(&1 [persid(*1)]): a non-shown node twice on its path
    add([pp, lp])
    add(PersId(("tuple", 1)))
    add([Ext(1), Ext(255), Ext(65535), Ext(2 ** 31 - 1)])
    add([Buffer(0), Buffer(7, True)])
    add(Code([0, 0, 0, 0, 2, 64, b"\x97\x00d\x00S\x00", (None,), (), (), b"", "f.py", "f", "f", 1, b"", b""]))
    add(Code([]))
    add(NamedTuple("Point", ("x", "y"), (1, 2)))
    add([NamedTuple("Row", ("a",), ([],))])
    add(Obj("reduce", Global("pyspark.serializers", "_restore"), ("P", ("a",), (1,))))

    # ---- random nested values with sharing
    pool = []

    def rand_leaf():
        return rnd.choice((None, True, rnd.randrange(-1000, 1000), rnd.random(), "s%d" % rnd.randrange(5),
                           b"b", (), 2 ** 70, -0.0))

    def rand_val(depth):
        if depth <= 0 or rnd.random() < 0.3:
            return rand_leaf()
        if pool and rnd.random() < 0.15:
            return rnd.choice(pool)
        k = rnd.randrange(6)
        n = rnd.randrange(0, 4)
        if k == 0:
            v = [rand_val(depth - 1) for _ in range(n)]
        elif k == 1:
            v = tuple(rand_val(depth - 1) for _ in range(n))
        elif k == 2:
            v = {}
            for _ in range(n):
                key = rnd.choice(("a", "b", "c", 1, 2, (1,), None))
                v[key] = rand_val(depth - 1)
        elif k == 3:
            v = set(rand_hashable(depth - 1) for _ in range(n))
        elif k == 4:
            v = frozenset(rand_hashable(depth - 1) for _ in range(n))
        else:
            v = bytearray(b"r")
        pool.append(v)
        return v

    def rand_hashable(depth):
        if depth <= 0 or rnd.random() < 0.5:
            return rnd.choice((None, 1, 2, "a", "b", b"c", 1.5, (), -3))
        if rnd.random() < 0.5:
            return tuple(rand_hashable(depth - 1) for _ in range(rnd.randrange(1, 3)))
        return frozenset(rand_hashable(depth - 1) for _ in range(rnd.randrange(0, 3)))

    for _ in range(60):
        v = rand_val(4)
        if isinstance(v, list) and v and rnd.random() < 0.3:
            v.append(v)  # a cycle
        add(v)
    return out


def floats():
    """Floats for vectors/notation/floats.txt [#notation.float]: every power
    of two (where the round-trip interval is lopsided and repr may round the
    last digit up), their neighbours, and random bit patterns and decimals."""
    rnd = random.Random(4300)
    out = []
    for e in range(-1074, 1024):
        p = 2.0 ** e
        out.append(p)
        out.append(math.nextafter(p, 0.0))
        out.append(-math.nextafter(p, math.inf))
    for _ in range(2000):
        out.append(struct.unpack(">d", struct.pack(">Q", rnd.getrandbits(64)))[0])
    for _ in range(1000):
        out.append(float("%de%d" % (rnd.randrange(1, 10 ** rnd.randrange(1, 18)), rnd.randrange(-330, 300))))
    return out


def write(path, objs):
    lines = []
    seen = set()
    for v in objs:
        line = canon(v)
        assert "\n" not in line
        if line in seen:
            continue
        seen.add(line)
        lines.append(line)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    print("%s: %d lines" % (path, len(lines)))


def main(argv):
    outdir = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "notation")
    os.makedirs(outdir, exist_ok=True)
    write(os.path.join(outdir, "values.txt"), values())
    write(os.path.join(outdir, "floats.txt"), floats())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""Print Python objects in sparkwire's canonical text notation (SPEC.md [#notation]).

canon(obj) -> str gives the same line the C printer (sw_notation_print) gives
for the value graph that represents obj:

- scalars [#notation.scalar]: None True False Ellipsis StopIteration, ints in
  decimal (lowercase hex beyond 4300 digits), floats as repr() with inf/-inf/
  nan and float_bits(0x...) for every NaN but 0x7ff8000000000000, complex(RE, IM)
- strings [#notation.string]: '...' with only printable ASCII left as is
- containers [#notation.container]: sets sorted by the anchor-free text of
  their members [#notation.set-order]
- identity [#notation.identity]: &N / *N for list, dict, set, bytearray, Obj
  and non-empty tuple/frozenset objects reached more than once
- symbolic forms [#notation.symbolic]: the placeholder classes below (used by
  a symbolic unpickler: nothing is imported or called)

CLI:
  canon.py --selftest            run the built-in checks
  canon.py EXPR...               print canon(eval(EXPR)) for each expression
"""

import math
import struct
import sys

sys.setrecursionlimit(1000000)

INT_DEC_MAX = 10 ** 4300  # ints at or above this magnitude print in hex [#notation.int]


# ---- symbolic placeholders [#value.symbolic] --------------------------------

class Global:
    """global('module', 'name'): a reference to module.name, never imported."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __repr__(self):
        return canon(self)


OBJ_OPS = ("reduce", "newobj", "newobj_ex", "inst", "obj")
MUT_OPS = {"append": 1, "setitem": 2, "add": 1, "build": 1, "setstate": 2}


class Obj:
    """An object construction: op is one of OBJ_OPS; muts is a list of
    (op, a, b) with op in MUT_OPS (b is ignored unless op is 'setitem')."""
    __slots__ = ("op", "callable", "args", "kwargs", "muts", "__weakref__")

    def __init__(self, op, callable, args, kwargs=None):
        if op not in OBJ_OPS:
            raise ValueError("bad obj op %r" % (op,))
        self.op = op
        self.callable = callable
        self.args = args
        self.kwargs = kwargs
        self.muts = []

    def append(self, x):
        self.muts.append(("append", x, None))

    def setitem(self, k, v):
        self.muts.append(("setitem", k, v))

    def add(self, x):
        self.muts.append(("add", x, None))

    def build(self, state):
        self.muts.append(("build", state, None))

    def setstate(self, setter, state):
        self.muts.append(("setstate", setter, state))

    def __repr__(self):
        return canon(self)


class PersId:
    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


class Ext:
    __slots__ = ("code",)

    def __init__(self, code):
        self.code = code


class Buffer:
    __slots__ = ("index", "readonly")

    def __init__(self, index, readonly=False):
        self.index = index
        self.readonly = readonly


class Code:
    """A marshal code object: its fields in marshal order."""
    __slots__ = ("fields",)

    def __init__(self, fields):
        self.fields = list(fields)


class NamedTuple:
    """PySpark's _restore(name, fields, values)."""
    __slots__ = ("name", "fields", "values")

    def __init__(self, name, fields, values):
        self.name = name
        self.fields = fields
        self.values = values


# ---- scalars -----------------------------------------------------------------

def float_text(x):
    """[#notation.float]"""
    if x != x:
        bits = struct.unpack(">Q", struct.pack(">d", x))[0]
        if bits == 0x7FF8000000000000:
            return "nan"
        return "float_bits(0x%016x)" % bits
    return repr(x)  # 'inf', '-inf', '-0.0', '1e+16', ...


def int_text(x):
    """[#notation.int]"""
    if -INT_DEC_MAX < x < INT_DEC_MAX:
        return str(x)
    return hex(x)


def str_text(s):
    """[#notation.string]"""
    out = ["'"]
    for ch in s:
        c = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif 0x20 <= c <= 0x7E:
            out.append(ch)
        elif c < 0x100:
            out.append("\\x%02x" % c)
        elif c < 0x10000:
            out.append("\\u%04x" % c)
        else:
            out.append("\\U%08x" % c)
    out.append("'")
    return "".join(out)


def bytes_text(b):
    """[#notation.string]"""
    out = ["b'"]
    for c in bytes(b):
        if c == 0x5C:
            out.append("\\\\")
        elif c == 0x27:
            out.append("\\'")
        elif c == 9:
            out.append("\\t")
        elif c == 10:
            out.append("\\n")
        elif c == 13:
            out.append("\\r")
        elif 0x20 <= c <= 0x7E:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    out.append("'")
    return "".join(out)


def _is_namedtuple(x):
    return isinstance(x, tuple) and type(x) is not tuple and hasattr(type(x), "_fields")


def identity_shown(x):
    """[#notation.identity] the kinds whose identity the notation shows."""
    t = type(x)
    if t in (list, dict, set, bytearray, Obj):
        return True
    if t in (tuple, frozenset):
        return len(x) > 0
    return False


def _children(x):
    """The child values of a container, in print order (sets: stored order)."""
    t = type(x)
    if t in (tuple, list, set, frozenset):
        return list(x)
    if t is dict:
        out = []
        for k, v in x.items():
            out.append(k)
            out.append(v)
        return out
    if t is Global:
        return [x.module, x.name]
    if t is Obj:
        out = [x.callable, x.args]
        if x.op == "newobj_ex":
            out.append(x.kwargs)
        for op, a, b in x.muts:
            out.append(a)
            if MUT_OPS.get(op) == 2:
                out.append(b)
        return out
    if t is PersId:
        return [x.pid]
    if t is Code:
        return list(x.fields)
    if t is NamedTuple:
        return [x.name, x.fields, x.values]
    if _is_namedtuple(x):
        return [type(x).__name__, tuple(x._fields), tuple(x)]
    return []


def _leaf_text(x):
    """Text of a value without children, or None if x has children."""
    if x is None:
        return "None"
    if x is True:
        return "True"
    if x is False:
        return "False"
    if x is Ellipsis:
        return "Ellipsis"
    if x is StopIteration:
        return "StopIteration"
    t = type(x)
    if t is int:
        return int_text(x)
    if t is float:
        return float_text(x)
    if t is complex:
        return "complex(%s, %s)" % (float_text(x.real), float_text(x.imag))
    if t is str:
        return str_text(x)
    if t is bytes:
        return bytes_text(x)
    if t is bytearray:
        return "bytearray(%s)" % bytes_text(x)
    if t is Ext:
        return "ext(%d)" % x.code
    if t is Buffer:
        return "%s(%d)" % ("readonly_buffer" if x.readonly else "buffer", x.index)
    if t in (tuple, list, dict, set, frozenset, Global, Obj, PersId, Code, NamedTuple) or _is_namedtuple(x):
        if t is Code and not x.fields:
            return "code()"
        if t in (tuple, list, dict, set, frozenset) and len(x) == 0:
            return {tuple: "()", list: "[]", dict: "{}", set: "set()", frozenset: "frozenset()"}[t]
        return None
    raise TypeError("canon: unsupported type %s" % t.__name__)


class _Printer:
    def __init__(self):
        self.counts = {}   # id -> reaches, identity-shown objects
        self.numbers = {}  # id -> anchor number
        self.keep = []     # keep objects alive so ids stay unique
        self.orders = {}   # id(set) -> context-free member order
        self.min_hit = math.inf

    def count(self, root):
        """[#notation.identity] reaches: shown objects expand once, others every
        time. A non-shown object met again on its path with no shown object
        opened in between is a cycle with no text."""
        path = {}   # id -> number of shown objects open below it + 1
        shown = 0
        stack = [(root, None, None)]
        while stack:
            x, it, prev = stack.pop()
            if it is None:
                if identity_shown(x):
                    n = self.counts.get(id(x), 0) + 1
                    self.counts[id(x)] = n
                    self.keep.append(x)
                    if n > 1:
                        continue
                if _leaf_text(x) is not None:
                    continue
                if identity_shown(x):
                    shown += 1
                    prev = None
                else:
                    prev = path.get(id(x))
                    if prev == shown + 1:
                        raise ValueError("cycle through objects whose identity the notation does not show")
                    path[id(x)] = shown + 1
                    self.keep.append(x)
                stack.append((x, iter(_children(x)), prev))
                continue
            nxt = next(it, _END)
            if nxt is _END:
                if identity_shown(x):
                    shown -= 1
                elif prev is None:
                    del path[id(x)]
                else:
                    path[id(x)] = prev
                continue
            stack.append((x, it, prev))
            stack.append((nxt, None, None))

    def key(self, x, path):
        """Anchor-free text [#notation.set-order]: nodes on the path print as
        '...'. path: id -> depth on the path of this key."""
        leaf = _leaf_text(x)
        if leaf is not None:
            return leaf
        d = path.get(id(x))
        if d is not None:
            self.min_hit = min(self.min_hit, d)
            return "..."
        d = len(path)
        path[id(x)] = d
        try:
            return self._container(x, lambda c: self.key(c, path),
                                   sorted_members=lambda ms: self._key_members(x, ms, path, d), key_mode=True)
        finally:
            del path[id(x)]

    def _key_members(self, s, ms, path, depth):
        """Member texts of set s in key mode, in order. An order found with no
        '...' at s or above holds in every context [#notation.set-order.memo]."""
        ms = list(ms)
        memo = self.orders.get(id(s))
        if memo is not None:
            return [self.key(ms[i], path) for i in memo]
        saved, self.min_hit = self.min_hit, math.inf
        texts = [self.key(m, path) for m in ms]
        order = sorted(range(len(ms)), key=texts.__getitem__)
        if self.min_hit > depth and len(ms) > 1:
            self.orders[id(s)] = order
            self.keep.append(s)
        self.min_hit = min(saved, self.min_hit)
        return [texts[i] for i in order]

    def text(self, x, path, shown=0):
        """Printed text with anchors. path: id -> shown objects open below + 1
        for the non-shown objects being printed."""
        prefix = ""
        if identity_shown(x):
            num = self.numbers.get(id(x))
            if num is not None:
                return "*%d" % num
            if self.counts.get(id(x), 0) >= 2:
                num = len(self.numbers) + 1
                self.numbers[id(x)] = num
                prefix = "&%d " % num
        leaf = _leaf_text(x)
        if leaf is not None:
            return prefix + leaf
        if identity_shown(x):
            inner = shown + 1
            prev = _END
        else:
            inner = shown
            prev = path.get(id(x), _END)
            if prev == shown + 1:
                raise ValueError("cycle through objects whose identity the notation does not show")
            path[id(x)] = shown + 1
        try:
            def members(ms):
                ms = list(ms)
                memo = self.orders.get(id(x))
                if memo is not None:
                    ms = [ms[i] for i in memo]
                elif len(ms) > 1:
                    keys = [self.key(m, {}) for m in ms]
                    order = sorted(range(len(ms)), key=keys.__getitem__)
                    ms = [ms[i] for i in order]
                return [self.text(m, path, inner) for m in ms]
            return prefix + self._container(x, lambda c: self.text(c, path, inner), sorted_members=members, key_mode=False)
        finally:
            if not identity_shown(x):
                if prev is _END:
                    del path[id(x)]
                else:
                    path[id(x)] = prev

    @staticmethod
    def _container(x, sub, sorted_members, key_mode):
        t = type(x)
        if t is tuple:
            parts = [sub(c) for c in x]
            return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"
        if t is list:
            return "[" + ", ".join(sub(c) for c in x) + "]"
        if t is dict:
            parts = []
            for k, v in x.items():
                ks = sub(k)
                parts.append(ks + ": " + sub(v))
            return "{" + ", ".join(parts) + "}"
        if t is set:
            return "{" + ", ".join(sorted_members(x)) + "}"
        if t is frozenset:
            return "frozenset({" + ", ".join(sorted_members(x)) + "})"
        if t is Global:
            return "global(%s, %s)" % (sub(x.module), sub(x.name))
        if t is Obj:
            args = [sub(x.callable), sub(x.args)]
            if x.op == "newobj_ex":
                args.append(sub(x.kwargs))
            s = x.op + "(" + ", ".join(args) + ")"
            for op, a, b in x.muts:
                if op not in MUT_OPS:
                    raise ValueError("bad mutation %r" % (op,))
                if MUT_OPS[op] == 2:
                    sa = sub(a)
                    s += ".%s(%s, %s)" % (op, sa, sub(b))
                else:
                    s += ".%s(%s)" % (op, sub(a))
            return s
        if t is PersId:
            return "persid(%s)" % sub(x.pid)
        if t is Code:
            return "code(" + ", ".join(sub(c) for c in x.fields) + ")"
        if t is NamedTuple:
            return "namedtuple(%s, %s, %s)" % (sub(x.name), sub(x.fields), sub(x.values))
        if _is_namedtuple(x):
            return "namedtuple(%s, %s, %s)" % (sub(type(x).__name__), sub(tuple(x._fields)), sub(tuple(x)))
        raise TypeError("canon: unsupported type %s" % t.__name__)


_END = object()


def canon(obj):
    """The canonical notation line of obj [#notation]."""
    p = _Printer()
    p.count(obj)
    return p.text(obj, {})


def canon_key(obj):
    """The anchor-free sort key of obj [#notation.set-order]."""
    return _Printer().key(obj, {})


# ---- self test -------------------------------------------------------------------

def _selftest():
    cases = []

    def ok(obj, want):
        got = canon(obj)
        cases.append((got == want, got, want))

    ok(None, "None")
    ok(True, "True")
    ok([1, -12, 0], "[1, -12, 0]")
    ok(1.5, "1.5")
    ok(1e16, "1e+16")
    ok(1e-05, "1e-05")
    ok(-0.0, "-0.0")
    ok(float("inf"), "inf")
    ok(-float("inf"), "-inf")
    ok(float("nan"), "nan")
    ok(-float("nan"), "float_bits(0xfff8000000000000)")
    ok(struct.unpack(">d", bytes.fromhex("7ff0000000000001"))[0], "float_bits(0x7ff0000000000001)")
    ok(complex(1.0, -0.0), "complex(1.0, -0.0)")
    ok("a'b\\c\t\n\r\x00\x7f\xe9\u20ac\U0001f600\udc80", "'a\\'b\\\\c\\t\\n\\r\\x00\\x7f\\xe9\\u20ac\\U0001f600\\udc80'")
    ok(b"a'\\\x00\xff", "b'a\\'\\\\\\x00\\xff'")
    ok(bytearray(b"x"), "bytearray(b'x')")
    ok((), "()")
    ok((1,), "(1,)")
    ok((1, 2), "(1, 2)")
    ok({}, "{}")
    ok({"k": 1, "j": [2]}, "{'k': 1, 'j': [2]}")
    ok(set(), "set()")
    ok(frozenset(), "frozenset()")
    ok({3, 1, 2}, "{1, 2, 3}")
    ok({"b", 10, 9}, "{'b', 10, 9}")
    ok(frozenset({(1,), None}), "frozenset({(1,), None})")
    l = []
    l.append(l)
    ok(l, "&1 [*1]")
    t = (1,)
    ok([t, t], "[&1 (1,), *1]")
    ok(["s", "s", 300, 300, ()], "['s', 's', 300, 300, ()]")
    d = {}
    d["self"] = d
    ok([d], "[&1 {'self': *1}]")
    o = Obj("newobj", Global("__main__", "P"), ())
    o.build({"x": 1})
    ok(o, "newobj(global('__main__', 'P'), ()).build({'x': 1})")
    o2 = Obj("reduce", Global("m", "f"), (1,))
    o2.append(o2)
    o2.setitem("k", None)
    ok(o2, "&1 reduce(global('m', 'f'), (1,)).append(*1).setitem('k', None)")
    ok([PersId("x"), Ext(5), Buffer(0), Buffer(1, True), Code([1, b"c"]), NamedTuple("P", ("a",), (1,))],
       "[persid('x'), ext(5), buffer(0), readonly_buffer(1), code(1, b'c'), namedtuple('P', ('a',), (1,))]")
    ok(2 ** 64, "18446744073709551616")
    ok(10 ** 4300 - 1, "9" * 4300)
    ok(10 ** 4300, hex(10 ** 4300))
    ok(-(10 ** 4300), "-" + hex(10 ** 4300))
    ok(StopIteration, "StopIteration")
    ok(Ellipsis, "Ellipsis")
    # a set member reaching its own set prints '...' in its sort key
    s = set()
    a = Obj("obj", Global("m", "A"), ())
    b = Obj("obj", Global("m", "B"), ())
    a.build(s)
    s.add(a)
    s.add(b)
    ok(s, "&1 {obj(global('m', 'A'), ()).build(*1), obj(global('m', 'B'), ())}")
    cases.append((canon_key(a) == "obj(global('m', 'A'), ()).build({..., obj(global('m', 'B'), ())})",
                  canon_key(a), "key"))
    # a non-shown node met again on its path through a shown one
    lst = []
    pp = PersId(lst)
    lst.append(pp)
    ok(pp, "persid(&1 [persid(*1)])")
    try:
        q = PersId(None)
        q.pid = q
        canon(q)
        cases.append((False, "no error", "ValueError"))
    except ValueError:
        cases.append((True, "", ""))
    bad = [c for c in cases if not c[0]]
    for _, got, want in bad:
        print("FAIL\n  got:  %s\n  want: %s" % (got, want))
    print("%d/%d canon self-tests passed" % (len(cases) - len(bad), len(cases)))
    return 1 if bad else 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--selftest":
        return _selftest()
    if len(argv) > 1 and argv[1] == "--make-notation-vectors":
        import os
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import gen_notation_vectors
        return gen_notation_vectors.main(argv[2:])
    if len(argv) > 1:
        import collections
        ns = dict(globals(), collections=collections, math=math, struct=struct)
        for e in argv[1:]:
            print(canon(eval(e, ns)))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

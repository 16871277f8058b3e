#!/usr/bin/python3
"""Write vectors/pickle-corpus/: pickles made by CPython's C pickler for
protocols 0..5 (SPEC.md [#pickle.encode]).

Run with Debian's /usr/bin/python3 (3.11) from the repository root:

    PYTHONHASHSEED=0 /usr/bin/python3 tools/gen_pickle_corpus.py

For each case NAME and protocol N it writes
  p<N>/<NAME>.pkl   pickle.dumps(obj, N) (or a Pickler with persistent_id /
                    buffer_callback where the case says so)
  p<N>/<NAME>.txt   the value's notation (tools/canon.py) of the graph a
                    symbolic unpickler reads back from the pickle: nothing is
                    imported; constructors CPython's unpickler turns into
                    native values (set, frozenset, bytes, bytearray, complex
                    through their reduce forms; pyspark.serializers._restore
                    as namedtuple(...)) are resolved, every other
                    global stays global(...), every REDUCE/NEWOBJ/NEWOBJ_EX
                    stays an obj form with its mutations
and manifest.txt: provenance, then one line per file:
  p<N>/<NAME> <size> exact=<0|1> <opcodes used>
exact=0 marks pickles whose notation loses something the bytes depend on: a
str or bytes object fetched back from the memo (the notation does not show
str/bytes identity) or set members written in an order other than the
notation's sorted order. A graph parsed from such a .txt pickles
differently; tests compare those files through the decoder.
hints/<NAME>.pkl: opcodes CPython 3.11 does not choose (Python 2 strings,
INT/LONG text...), for the encoder's hints [#pickle.encode.hints].

Deterministic: PYTHONHASHSEED=0 (checked), random.Random(1234).

    /usr/bin/python3 tools/gen_pickle_corpus.py --compat-header

writes ref/src/internal/pickle_enc.h instead: _compat_pickle's
REVERSE_NAME_MAPPING and REVERSE_IMPORT_MAPPING, the Python 3 -> 2 names
the encoder's GLOBAL uses below protocol 3 [#pickle.encode.symbolic].
"""

import builtins
import collections
import copyreg
import io
import os
import pickle
import pickletools
import random
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import canon as _canon  # tools/canon.py [#notation]
except ImportError:  # pragma: no cover
    _canon = None

OUT = os.path.join("vectors", "pickle-corpus")
PROTOCOLS = range(0, pickle.HIGHEST_PROTOCOL + 1)


# ---- classes pickled by reference or by reduce ------------------------------

class Plain:
    def __init__(self, x=1, y="two"):
        self.x = x
        self.y = y


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1
        self.b = [2]


class Reducer:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __reduce__(self):
        return (Reducer, (self.a, self.b))


class ReducerEx:
    """__reduce_ex__ with state, listitems and dictitems."""

    def __reduce_ex__(self, proto):
        return (ReducerEx, (), {"st": proto}, iter([1, 2, 3]), iter([("k", "v"), ("k2", 2)]))

    def append(self, x):
        pass

    def __setitem__(self, k, v):
        pass


class ReducerLong:
    """listitems with 2001 items: generic batches of 1000, a lone last item."""

    def __reduce__(self):
        return (ReducerLong, (), None, iter(range(2001)), iter([(i, i) for i in range(1001)]))


class NewEx:
    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        self.args = args

    def __getnewargs_ex__(self):
        return ((1, "a"), {"kw": 2})


class NewArgs:
    def __new__(cls, *args):
        return object.__new__(cls)

    def __getnewargs__(self):
        return (5, 6)


class MyList(list):
    pass


class MyDict(dict):
    pass


class Outer:
    class Inner:
        pass


class Ext1:
    pass


class Ext2:
    pass


class Ext4:
    pass


# a class with a non-ASCII name: GLOBAL in UTF-8 at protocol 3, CPython's
# PicklingError at 0..2
NonAscii = type("Caf\xe9", (), {"__module__": __name__})
globals()["Caf\xe9"] = NonAscii


def a_function():
    return None


copyreg.add_extension(__name__, "Ext1", 200)
copyreg.add_extension(__name__, "Ext2", 0x1234)
copyreg.add_extension(__name__, "Ext4", 0x123456)


# PySpark's namedtuple hack (python/pyspark/serializers.py), under the real
# module name so that pickles reference pyspark.serializers._restore
def _make_pyspark():
    pkg = types.ModuleType("pyspark")
    pkg.__path__ = []
    ser = types.ModuleType("pyspark.serializers")
    src = '''
import collections
__cls = {}
def _restore(name, fields, value):
    k = (name, fields)
    cls = __cls.get(k)
    if cls is None:
        cls = collections.namedtuple(name, fields)
        __cls[k] = cls
    return cls(*value)

def _hack_namedtuple(cls):
    name = cls.__name__
    fields = cls._fields

    def __reduce__(self):
        return (_restore, (name, fields, tuple(self)))

    cls.__reduce__ = __reduce__
    cls._is_namedtuple_ = True
    return cls
'''
    exec(compile(src, "pyspark/serializers.py", "exec"), ser.__dict__)
    pkg.serializers = ser
    sys.modules["pyspark"] = pkg
    sys.modules["pyspark.serializers"] = ser
    return ser


_ser = _make_pyspark()
Point = _ser._hack_namedtuple(collections.namedtuple("Point", ["x", "y"]))


class PersPickler(pickle.Pickler):
    """persistent_id for str values starting with 'pid:' and for Plain objects."""

    def persistent_id(self, obj):
        if type(obj) is str and obj.startswith("pid:"):
            return obj[4:]
        if type(obj) is Ext1:
            return 42
        return None


# ---- the cases --------------------------------------------------------------

def cases():
    rnd = random.Random(1234)
    c = []

    def add(name, obj, protos=PROTOCOLS, pickler=None, **kw):
        c.append((name, obj, list(protos), pickler, kw))

    add("none", None)
    add("true", True)
    add("false", False)
    add("bools", [True, False, True])
    ints = [0, 1, -1, 127, 128, 255, 256, -255, -256, 65535, 65536, -65535, -65536,
            2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1, 2 ** 32, 2 ** 63 - 1, 2 ** 63,
            -2 ** 63, -2 ** 63 - 1, 2 ** 64, 127 * 256, -129, -128, 2 ** 40 + 7]
    for i, v in enumerate(ints):
        add("int_%02d" % i, v)
    add("ints", ints)
    add("int_huge", 3 ** 2000)
    add("int_huge_neg", -(7 ** 900))
    add("int_long4", 1 << 2100)            # 263 bytes: LONG4
    add("int_long1_max", (1 << 2031) - 1)   # 254 bytes + sign: LONG1 at the limit
    add("int_text_limit", 10 ** 4299, protos=PROTOCOLS)  # 4300 digits: text form still allowed
    add("int_random", [rnd.randrange(-2 ** 100, 2 ** 100) for _ in range(40)])
    floats = [0.0, -0.0, 1.0, 1.5, -2.25, 0.1, 1e16, 1e-5, 1e100, -1e-300, 5e-324,
              float("inf"), float("-inf"), float("nan"), 1.7976931348623157e308, 3.141592653589793]
    for i, v in enumerate(floats):
        add("float_%02d" % i, v)
    add("floats", floats)
    add("float_random", [rnd.uniform(-1e6, 1e6) for _ in range(30)])
    add("complex", [complex(1, 2), complex(-0.0, float("inf"))])
    strs = {"empty": "", "a": "a", "ascii": "hello world", "escapes": "a\\b\nc\rd\x00e\x1af",
            "latin1": "caf\xe9 \xff", "bmp": "\u20ac\u4e2d", "astral": "\U0001f600x",
            "surrogate": "a\ud800b\udfffc", "quote": "it's \"q\""}
    for k, v in strs.items():
        add("str_" + k, v)
    big = [4, 5]  # payloads of 64 KiB and more: framing matters from protocol 4
    for n in (255, 256):
        add("str_len_%d" % n, "s" * n)
    for n in (65535, 65536, 70000):
        add("str_len_%d" % n, "s" * n, protos=big)
    add("str_mixed_big", "\u20ac" * 3000 + "x" * 60000, protos=big)
    for n in (0, 1, 255, 256):
        add("bytes_len_%d" % n, bytes(rnd.randrange(256) for _ in range(n)))
    for n in (65535, 65536, 70000):
        add("bytes_len_%d" % n, b"b" * n, protos=PROTOCOLS if n == 70000 else big)
    add("bytes_all", bytes(range(256)))
    add("bytes_list", [b"ab", b"cd", b"", b""])
    add("bytearray_empty", bytearray())
    add("bytearray", bytearray(b"\x00\xffabc"))
    add("bytearray_big", bytearray(b"z" * 70000), protos=big)
    add("tuples", [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((),), (((1,),),)])
    add("lists", [[], [1], [1, 2], [[[]]]])
    add("dicts", [{}, {1: 2}, {"a": 1, "b": [2]}, {(1, 2): None}])
    add("sets", [set(), {1}, {1, 2, 3}, frozenset(), frozenset({1}), frozenset({"a", "b"})])
    add("nested", {"l": [1, 2.5, "x", None, (True, b"y")], "d": {"k": {"k2": []}}})
    for n in (999, 1000, 1001, 2000, 2001, 2500):
        add("list_%d" % n, list(range(n)))
        add("dict_%d" % n, {i: -i for i in range(n)})
        add("set_%d" % n, set(range(n)), protos=[p for p in PROTOCOLS if p >= 2])
    add("frozenset_1500", frozenset(range(1500)), protos=[p for p in PROTOCOLS if p >= 2])
    shared = [1, 2]
    st = (3, 4)
    add("shared", [shared, shared, st, st, {"x": shared}])
    cyc = []
    cyc.append(cyc)
    add("cycle_list", cyc)
    d = {}
    d["self"] = d
    add("cycle_dict", d)
    t1 = ([],)
    t1[0].append(t1)
    add("rec_tuple1", t1)
    t4 = ([], 1, 2, 3)
    t4[0].append(t4)
    add("rec_tuple4", t4)
    t2 = ({},)
    t3 = (t2,)
    t2[0]["t"] = t3
    add("rec_tuple_chain", [t3, t2])
    many = [[i] for i in range(300)]  # memo indices past 255: LONG_BINPUT
    add("memo_300", [many, many[5], many[299]])
    add("strings_shared", ["abc", "abc", "abc"])  # one object: memo GET
    # globals by reference
    add("global_function", a_function)
    add("global_builtin", [len, pow, os.path.join, os.path.split])
    add("global_classes", [Plain, Reducer, int, dict, collections.OrderedDict, type(None), Ellipsis,
                           NotImplemented])
    add("global_nested", [Outer.Inner, Outer.Inner, Outer])
    add("global_renamed", [copyreg._reconstructor, reduce_fn(), IOError])
    add("ellipsis", Ellipsis)
    add("global_non_ascii", NonAscii, protos=[3, 4, 5])
    # objects
    add("obj_plain", Plain())
    add("obj_plain_shared", [Plain(1, [2]), Plain(3, {"k": Plain()})])
    add("obj_slots", Slotted(), protos=[p for p in PROTOCOLS if p >= 2])
    add("obj_reduce", [Reducer(1, "x"), Reducer((), [])])
    add("obj_reduce_ex", ReducerEx())
    add("obj_reduce_long", ReducerLong(), protos=[p for p in PROTOCOLS if p >= 1])
    add("obj_newobj_ex", NewEx(), protos=[p for p in PROTOCOLS if p >= 2])
    add("obj_newargs", NewArgs(), protos=[p for p in PROTOCOLS if p >= 2])
    ml = MyList([1, 2, 3])
    ml.attr = "x"
    add("obj_list_subclass", ml)
    md = MyDict(a=1)
    add("obj_dict_subclass", md)
    add("obj_ordereddict", collections.OrderedDict([("a", 1), ("b", 2)]))
    selfref = Plain()
    selfref.me = selfref
    add("obj_selfref", selfref)
    add("ext_codes", [Ext1, Ext2, Ext4, Ext1], protos=[p for p in PROTOCOLS if p >= 2])
    add("namedtuple", [Point(1, 2), Point("a", [3])])
    add("persid", ["pid:one", "plain", Ext1(), ["pid:x"]], pickler="pers")
    add("pickle_buffer_oob", [pickle.PickleBuffer(b"ro"), pickle.PickleBuffer(bytearray(b"rw"))],
        protos=[5], pickler="oob")
    add("pickle_buffer_inband", [pickle.PickleBuffer(b"ro"), pickle.PickleBuffer(bytearray(b"rw"))],
        protos=[5])
    # framing: many small items across 64 KiB, big payloads between small ones
    add("frame_many_small", [rnd.randrange(1 << 20) for _ in range(20000)], protos=[4, 5])
    add("frame_big_between", [1, b"x" * 70000, "y" * 65536, 2, bytearray(b"z" * 65536), 3],
        protos=big)
    add("frame_just_under", [b"x" * 65535, b"y" * 65535], protos=big)
    add("frame_tiny_tail", [b"x" * 65530, 1], protos=big)
    add("frame_nested_boundary", [[i, str(i)] for i in range(9000)], protos=[4, 5])
    add("random_nested", random_nested(rnd, 4))
    for i in range(40):
        add("random_graph_%02d" % i, random_graph(rnd))
    return c


def random_graph(rnd):
    """Containers that share and cycle: lists and dicts made first and filled
    later with references to each other, tuples and frozensets over them,
    sets of hashable atoms, objects of Plain with shared state."""
    def atom():
        k = rnd.randrange(7)
        if k == 0:
            return rnd.choice([0, 1, -1, 255, 256, 65536, -2 ** 31 - 1, 2 ** 64, -(3 ** 50)])
        if k == 1:
            return rnd.choice([0.0, -0.0, 0.5, 1e300, float("inf")]) * rnd.choice([1, -1])
        if k == 2:
            return "".join(chr(rnd.randrange(0x20, 0x2000)) for _ in range(rnd.randrange(2, 9)))
        if k == 3:
            return bytes(rnd.randrange(256) for _ in range(rnd.randrange(2, 9)))
        if k == 4:
            return rnd.choice([None, True, False])
        if k == 5:
            return tuple(rnd.randrange(100) for _ in range(rnd.randrange(5)))
        return frozenset(rnd.randrange(10) for _ in range(rnd.randrange(3)))
    lists = [[] for _ in range(rnd.randrange(1, 5))]
    dicts = [{} for _ in range(rnd.randrange(1, 4))]
    objs = [Plain(None, None) for _ in range(rnd.randrange(0, 3))]
    pool = lists + dicts + objs
    tuples = []
    for _ in range(rnd.randrange(0, 4)):
        t = tuple(rnd.choice(pool + [atom()]) for _ in range(rnd.randrange(1, 6)))
        tuples.append(t)
    pool += tuples
    for l in lists:
        for _ in range(rnd.randrange(0, 6)):
            l.append(rnd.choice(pool) if rnd.random() < 0.4 else atom())
    for d in dicts:
        for _ in range(rnd.randrange(0, 5)):
            d[atom() if rnd.random() < 0.5 else rnd.randrange(1000)] = (
                rnd.choice(pool) if rnd.random() < 0.4 else atom())
    for o in objs:
        o.x = rnd.choice(pool)
        o.y = atom()
    s = {rnd.randrange(-5, 5) for _ in range(rnd.randrange(0, 4))}
    return [rnd.choice(pool) for _ in range(rnd.randrange(1, 6))] + [s, bytearray(atom() if False else b"ba")]


def reduce_fn():
    import functools
    return functools.reduce


def random_nested(rnd, depth):
    k = rnd.randrange(8 if depth > 0 else 5)
    if k == 0:
        return rnd.randrange(-1000, 100000)
    if k == 1:
        return rnd.random()
    if k == 2:
        return "".join(chr(rnd.randrange(32, 0x3000)) for _ in range(rnd.randrange(6)))
    if k == 3:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(6)))
    if k == 4:
        return None
    if k == 5:
        return [random_nested(rnd, depth - 1) for _ in range(rnd.randrange(5))]
    if k == 6:
        return tuple(random_nested(rnd, depth - 1) for _ in range(rnd.randrange(5)))
    return {rnd.randrange(100): random_nested(rnd, depth - 1) for _ in range(rnd.randrange(5))}


def dump(obj, proto, pickler):
    if pickler == "pers":
        f = io.BytesIO()
        PersPickler(f, proto).dump(obj)
        return f.getvalue()
    if pickler == "oob":
        return pickle.dumps(obj, proto, buffer_callback=lambda b: False)
    data = pickle.dumps(obj, proto)
    # a Pickler on a file writes the same bytes (frames flushed as they close)
    f = io.BytesIO()
    pickle.Pickler(f, proto).dump(obj)
    assert f.getvalue() == data, "file and dumps differ"
    return data


# ---- a symbolic unpickler: the graph sparkwire's decoder reads --------------

if _canon is not None:
    import _compat_pickle

    class SymUnpickler(pickle._Unpickler):
        dispatch = dict(pickle._Unpickler.dispatch)

        def __init__(self, f, proto_hint):
            super().__init__(f, encoding="bytes")
            self.proto_hint = proto_hint

        def find_class(self, module, name):
            if self.proto < 3:  # fix_imports, as CPython's unpickler
                if (module, name) in _compat_pickle.NAME_MAPPING:
                    module, name = _compat_pickle.NAME_MAPPING[(module, name)]
                elif module in _compat_pickle.IMPORT_MAPPING:
                    module = _compat_pickle.IMPORT_MAPPING[module]
            # singletons come back as themselves, as from pickle.loads [#pickle.resolve]
            if module == 'builtins' and name in ('Ellipsis', 'StopIteration'):
                return getattr(builtins, name)
            return _canon.Global(module, name)

        def persistent_load(self, pid):
            return _canon.PersId(pid)

        def get_extension(self, code):
            self.append(_canon.Ext(code))

        def make(self, op, cls, args, kwargs=None):
            G = _canon.Global
            if op == "reduce" and isinstance(cls, G) and type(args) is tuple:
                key = (cls.module, cls.name)
                if key == ("builtins", "set") and len(args) == 1 and type(args[0]) is list:
                    self._wire_order(args[0])
                    return set(args[0])
                if key == ("builtins", "frozenset") and len(args) == 1 and type(args[0]) is list:
                    self._wire_order(args[0])
                    return frozenset(args[0])
                if key == ("builtins", "frozenset") and args == ():
                    return frozenset()
                if key == ("builtins", "bytes") and args == ():
                    return b""
                if key == ("builtins", "bytearray") and args == ():
                    return bytearray()
                if key == ("builtins", "bytearray") and len(args) == 1 and type(args[0]) is bytes:
                    return bytearray(args[0])
                if (key == ("_codecs", "encode") and len(args) == 2 and type(args[0]) is str
                        and args[1] == "latin1"):
                    return args[0].encode("latin1")
                if (key == ("builtins", "complex") and len(args) == 2
                        and all(type(a) is float for a in args)):
                    return complex(*args)
                if (key == ("pyspark.serializers", "_restore") and len(args) == 3):
                    return _canon.NamedTuple(*args)
            if op == "newobj_ex":
                return _canon.Obj(op, cls, args, kwargs)
            return _canon.Obj(op, cls, args)

        def load_reduce(self):
            args = self.stack.pop()
            self.stack[-1] = self.make("reduce", self.stack[-1], args)
        dispatch[pickle.REDUCE[0]] = load_reduce

        def load_newobj(self):
            args = self.stack.pop()
            cls = self.stack.pop()
            self.append(self.make("newobj", cls, args))
        dispatch[pickle.NEWOBJ[0]] = load_newobj

        def load_newobj_ex(self):
            kwargs = self.stack.pop()
            args = self.stack.pop()
            cls = self.stack.pop()
            self.append(self.make("newobj_ex", cls, args, kwargs))
        dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

        def load_build(self):
            state = self.stack.pop()
            inst = self.stack[-1]
            inst.build(state)
        dispatch[pickle.BUILD[0]] = load_build

        def load_appends(self):
            items = self.pop_mark()
            lst = self.stack[-1]
            for x in items:
                lst.append(x)
        dispatch[pickle.APPENDS[0]] = load_appends

        def load_setitems(self):
            items = self.pop_mark()
            d = self.stack[-1]
            for i in range(0, len(items), 2):
                if isinstance(d, _canon.Obj):
                    d.setitem(items[i], items[i + 1])
                else:
                    d[items[i]] = items[i + 1]
        dispatch[pickle.SETITEMS[0]] = load_setitems

        def load_setitem(self):
            v = self.stack.pop()
            k = self.stack.pop()
            d = self.stack[-1]
            if isinstance(d, _canon.Obj):
                d.setitem(k, v)
            else:
                d[k] = v
        dispatch[pickle.SETITEM[0]] = load_setitem

        # [notation exactness] the notation shows neither the identity of
        # str/bytes nor the wire order of set members (it sorts them)
        inexact = False

        def _fetched(self, idx):
            obj = self.memo[idx]
            if type(obj) in (str, bytes):
                self.fetched_atoms[id(obj)] = obj
            self.append(obj)

        def load_get(self):
            self._fetched(int(self.readline()[:-1]))
        dispatch[pickle.GET[0]] = load_get

        def load_binget(self):
            self._fetched(self.read(1)[0])
        dispatch[pickle.BINGET[0]] = load_binget

        def load_long_binget(self):
            self._fetched(int.from_bytes(self.read(4), "little"))
        dispatch[pickle.LONG_BINGET[0]] = load_long_binget

        def _wire_order(self, items):
            keys = [_canon.canon_key(x) for x in items]
            if keys != sorted(keys, key=lambda k: k.encode("utf-8", "surrogatepass")):
                self.inexact = True

        def load_additems(self):
            items = self.pop_mark()
            target = self.stack[-1]
            if isinstance(target, set):
                self._wire_order(items)
                target.update(items)
            else:
                for x in items:
                    target.add(x)
        dispatch[pickle.ADDITEMS[0]] = load_additems

        def load_frozenset(self):
            items = self.pop_mark()
            self._wire_order(items)
            self.append(frozenset(items))
        dispatch[pickle.FROZENSET[0]] = load_frozenset

        def load_next_buffer(self):
            self.append(_canon.Buffer(self._nbuf))
            self._nbuf += 1
        dispatch[pickle.NEXT_BUFFER[0]] = load_next_buffer

        def load_readonly_buffer(self):
            b = self.stack[-1]
            if isinstance(b, _canon.Buffer):
                b.readonly = True
        dispatch[pickle.READONLY_BUFFER[0]] = load_readonly_buffer

        _nbuf = 0

    def _reaches(root, ids):
        """1 if an object whose id is in ids is reachable from root (not
        looking inside globals: the encoder merges their names by value)."""
        seen = set()
        todo = [root]
        while todo:
            x = todo.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if id(x) in ids:
                return 1
            t = type(x)
            if t in (list, tuple, set, frozenset):
                todo.extend(x)
            elif t is dict:
                for k, v in x.items():
                    todo.append(k)
                    todo.append(v)
            elif t is _canon.Obj:
                todo.extend([x.callable, x.args, x.kwargs])
                for _op, a, b in x.muts:
                    todo.extend([a, b])
            elif t is _canon.PersId:
                todo.append(x.pid)
            elif t is _canon.NamedTuple:
                todo.extend([x.name, x.fields, x.values])
        return 0

    def notation(data, proto):
        """(text, exact): exact is 0 when the text loses something the bytes
        depend on: a str/bytes of the value fetched from the memo (identity)
        or a set written in an order other than the notation's."""
        u = SymUnpickler(io.BytesIO(data), proto)
        u.fetched_atoms = {}
        v = u.load()
        text = _canon.canon(v)
        inexact = u.inexact or _reaches(v, u.fetched_atoms)
        return text, 0 if inexact else 1
else:
    def notation(data, proto):
        return None, 0


# ---- hints [#pickle.encode.hints]: opcodes CPython 3.11 does not choose,
# as Python 2 and other picklers wrote them, assembled here opcode by opcode
# (pickle's opcode constants) and checked by pickle.loads

def _framed4(body):
    """PROTO 4 and the body in one frame, as CPython frames a small pickle."""
    head = pickle.PROTO + bytes([4])
    if len(body) >= 4:
        head += pickle.FRAME + len(body).to_bytes(8, "little")
    return head + body


def hint_vectors():
    P = pickle
    v = {}
    v["py2_string_p0"] = (P.STRING + b'"it\'s\\n\\x80"\n' + P.PUT + b"0\n" + P.STOP,
                          b"it's\n\x80")
    v["py2_short_binstring_p2"] = (P.PROTO + b"\x02" + P.SHORT_BINSTRING + b"\x06it's\n\x80"
                                   + P.BINPUT + b"\x00" + P.STOP, b"it's\n\x80")
    v["py2_binstring_p1"] = (P.BINSTRING + b"\x06\x00\x00\x00it's\n\x80" + P.BINPUT + b"\x00"
                             + P.STOP, b"it's\n\x80")
    v["py2_ints_p2"] = (P.PROTO + b"\x02" + P.EMPTY_LIST + P.BINPUT + b"\x00" + P.MARK
                        + P.INT + b"12345678901\n" + P.LONG + b"5L\n" + P.INT + b"01\n"
                        + P.APPENDS + P.STOP, [12345678901, 5, True])
    v["global_text_p4"] = (_framed4(P.GLOBAL + b"__main__\nPlain\n" + P.MEMOIZE + P.STOP), Plain)
    v["long1_zero_binint_p2"] = (P.PROTO + b"\x02" + P.EMPTY_LIST + P.BINPUT + b"\x00" + P.MARK
                                 + P.LONG1 + b"\x00" + P.BININT + b"\x01\x00\x00\x00" + P.APPENDS
                                 + P.STOP, [0, 1])
    v["text_float_unicode_p2"] = (P.PROTO + b"\x02" + P.EMPTY_LIST + P.BINPUT + b"\x00" + P.MARK
                                  + P.FLOAT + b"0.5\n" + P.UNICODE + b"\\u20ac\n" + P.BINPUT
                                  + b"\x01" + P.APPENDS + P.STOP, [0.5, "\u20ac"])
    for name, (data, want) in v.items():
        got = pickle.loads(data, encoding="bytes")
        assert got == want, (name, got, want)
        assert pickle.loads(data, encoding="latin1") is not None or want is None
    return v


def compat_header():
    import _compat_pickle as c

    def q(t):
        return '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'
    out = ["/* generated by tools/gen_pickle_corpus.py --compat-header from CPython %s's "
           "_compat_pickle; do not edit */" % sys.version.split()[0],
           "#ifndef SW_PICKLE_ENC_H", "#define SW_PICKLE_ENC_H", "",
           "/* REVERSE_NAME_MAPPING: (module, name) -> Python 2 (module, name) */",
           "static const char *const rev_name_map[][4] = {"]
    for (m, n), (m2, n2) in sorted(c.REVERSE_NAME_MAPPING.items()):
        out.append("    {%s, %s, %s, %s}," % (q(m), q(n), q(m2), q(n2)))
    out += ["};", "", "/* REVERSE_IMPORT_MAPPING: module -> Python 2 module */",
            "static const char *const rev_import_map[][2] = {"]
    for m, m2 in sorted(c.REVERSE_IMPORT_MAPPING.items()):
        out.append("    {%s, %s}," % (q(m), q(m2)))
    out += ["};", "", "#endif", ""]
    with open(os.path.join("ref", "src", "internal", "pickle_enc.h"), "w") as f:
        f.write("\n".join(out))


def main():
    if sys.argv[1:] == ["--compat-header"]:
        compat_header()
        return
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    lines = []
    counts = collections.Counter()
    for p in PROTOCOLS:
        os.makedirs(os.path.join(OUT, "p%d" % p), exist_ok=True)
    for name, obj, protos, pickler, _kw in cases():
        for p in protos:
            data = dump(obj, p, pickler)
            base = os.path.join(OUT, "p%d" % p, name)
            with open(base + ".pkl", "wb") as f:
                f.write(data)
            txt, exact = notation(data, p)
            if txt is not None:
                with open(base + ".txt", "w", encoding="ascii") as f:
                    f.write(txt + "\n")
            try:
                ops = sorted({op.name for op, _a, _p in pickletools.genops(data)})
            except UnicodeDecodeError:  # pickletools reads GLOBAL names as ASCII
                ops = ["(non-ASCII GLOBAL: pickletools cannot list)"]
            lines.append("p%d/%s %d exact=%d %s" % (p, name, len(data), exact, " ".join(ops)))
            counts[p] += 1
    os.makedirs(os.path.join(OUT, "hints"), exist_ok=True)
    hints = hint_vectors()
    for name, (data, _want) in sorted(hints.items()):
        with open(os.path.join(OUT, "hints", name + ".pkl"), "wb") as f:
            f.write(data)
        lines.append("hints/%s %d" % (name, len(data)))
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("# vectors/pickle-corpus\n\nMade by `tools/gen_pickle_corpus.py` (do not edit by hand); "
                "used by `ref/test/test_pickle_encode.c` for SPEC.md [#pickle.encode].\n\n```\n"
                + __doc__.strip() + "\n```\n")
    with open(os.path.join(OUT, "manifest.txt"), "w") as f:
        f.write("# made by tools/gen_pickle_corpus.py; python %s; pickle.HIGHEST_PROTOCOL %d; "
                "PYTHONHASHSEED=0\n" % (sys.version.split()[0], pickle.HIGHEST_PROTOCOL))
        f.write("# %s\n" % ", ".join("p%d: %d" % (p, counts[p]) for p in PROTOCOLS))
        f.write("# file size exact opcodes\n")
        for ln in lines:
            f.write(ln + "\n")
    print("wrote %d pickles: %s" % (sum(counts.values()), dict(counts)))


if __name__ == "__main__":
    main()

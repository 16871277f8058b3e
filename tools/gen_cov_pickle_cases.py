#!/usr/bin/python3
"""Expected results of DUP, INST, OBJ and the STRING family (STRING,
BINSTRING, SHORT_BINSTRING under encoding bytes / ASCII / latin1) and of
dicts and sets holding keys Python merges, taken from this python3's C
unpickler, for ref/test/test_cov_pickle.c.

    /usr/bin/python3 tools/gen_cov_pickle_cases.py > ref/test/cov_pickle_cases.h

Groups: the STRING family, DUP/INST/OBJ, and dict keys / set members that
Python's == and hash merge (KEYS, crafted pickles holding equal keys).
Cases without INST/OBJ go through pickle.loads itself. INST/OBJ cases are
loaded with pickle.Unpickler (the C one, as pickle.loads) whose
find_class never imports: it returns a recorder class, so INST and OBJ build a
recorder that keeps its arguments (and BUILD state); the result is printed in
the notation with tools/canon.py, recorders as inst(...)/obj(...) nodes
[#notation.symbolic]. Fixed input, deterministic output.

--with-open-findings also writes the cases where sparkwire is known to
differ from CPython (/work/scratch/coverage-findings.md F6: keys that become
equal only when resolve runs); the suite fails on them until that is fixed.
F1-F3, F8, F12 are fixed and in the normal set (FIXED_FINDINGS).
"""
import _compat_pickle
import warnings
import io
import os
import marshal
import pickle
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon  # noqa: E402

ENC = {"bytes": ("bytes", "SW_PICKLE_ENC_BYTES"),
       "ascii": ("ASCII", "SW_PICKLE_ENC_ASCII"),
       "latin1": ("latin1", "SW_PICKLE_ENC_LATIN1")}

# (name, pickle bytes, encodings, op for recorders: 'inst' / 'obj' / None)
STRING_FAMILY = [
    ("STRING ascii", b"S'abc'\n.", None),
    ("STRING empty", b"S''\n.", None),
    ("STRING double quotes", b'S"a\'b"\n.', None),
    ("STRING \\x escape non-ASCII", b"S'caf\\xe9'\n.", None),
    ("STRING raw non-ASCII byte", b"S'\xe9t\xe9'\n.", None),
    ("STRING simple escapes", b"S'\\\\\\'\\\"\\a\\b\\f\\n\\r\\t\\v'\n.", None),
    ("STRING octal escapes", b"S'\\0\\12\\101\\1012\\777x\\8'\n.", None),
    ("STRING unknown escape kept", b"S'\\q\\N'\n.", None),
    ("STRING \\x uppercase hex", b"S'\\x4A\\x4b'\n.", None),
    ("STRING protocol 0 memo", b"(S'x'\np0\ng0\nt.", None),
    ("BINSTRING", b"T\x03\x00\x00\x00a\xffb.", None),
    ("BINSTRING empty", b"T\x00\x00\x00\x00.", None),
    ("BINSTRING ascii", b"T\x02\x00\x00\x00ok.", None),
    ("SHORT_BINSTRING", b"U\x02\xe9\x00.", None),
    ("SHORT_BINSTRING ascii", b"U\x03abc.", None),
    ("SHORT_BINSTRING empty", b"U\x00.", None),
    ("SHORT_BINSTRING in a protocol 2 list", b"\x80\x02]q\x00(U\x01aq\x01h\x01U\x01\x80e.", None),
    ("STRING unquoted", b"S'abc\n.", None),
    ("STRING mismatched quotes", b"S'abc\"\n.", None),
    ("STRING one quote", b"S'\n.", None),
    ("STRING trailing backslash", b"S'ab\\'\n.", None),
    ("STRING short \\x escape", b"S'\\x4'\n.", None),
    ("STRING bad \\x digit", b"S'\\xg0'\n.", None),
    ("BINSTRING truncated", b"T\x05\x00\x00\x00abc", None),
    ("SHORT_BINSTRING truncated", b"U\x05abc", None),
]

OBJECTS = [
    ("DUP of an int", b"\x80\x02K\x012\x86.", None),
    ("DUP shares a list", b"(]2t.", None),
    ("DUP of a dict in protocol 1", b"}q\x00(K\x01K\x02u2\x86.", None),
    ("DUP twice", b"\x80\x02K\x0722\x87.", None),
    ("DUP of a MARK-free top after MARK", b"(K\x01\x32t.", None),
    ("DUP on an empty stack", b"2.", None),
    ("DUP right after MARK", b"(2.", None),
    ("INST with args", b"(I1\nS'x'\ni__main__\nP\n.", "inst"),
    ("INST without args", b"(i__main__\nP\n.", "inst"),
    ("INST then BUILD", b"(i__main__\nP\n(dS'a'\nI1\nsb.", "inst"),
    ("INST shared with DUP", b"((i__main__\nP\n2t.", "inst"),
    ("INST memoized", b"(lp0\n(i__main__\nP\np1\nag1\na.", "inst"),
    ("INST module renamed by fix_imports", b"(iUserList\nUserList\n.", "inst"),
    ("INST name with a dot and a CR kept", b"(ia.b\nC.d\r\n.", "inst"),
    ("INST without MARK", b"i__main__\nP\n.", "inst"),
    ("INST truncated name", b"(i__main__\nP", "inst"),
    ("OBJ with args", b"(c__main__\nP\nI1\nI2\no.", "obj"),
    ("OBJ without args", b"(c__main__\nP\no.", "obj"),
    ("OBJ protocol 2 with BUILD", b"\x80\x02(c__main__\nP\nK\x05o}X\x01\x00\x00\x00aK\x01sb.", "obj"),
    ("OBJ shared with DUP", b"\x80\x02(c__main__\nP\no2\x86.", "obj"),
    ("OBJ with an empty MARK", b"(o.", "obj"),
    ("OBJ without MARK", b"c__main__\nP\no.", "obj"),
]


# [#pickle.keys] [#value.keys] dict keys and set members merged as Python's
# ==/hash merge them (loaded with the default find_class: builtins only)
def body(x):
    """x's opcodes without PROTO/STOP; containers spelled out so that no
    REDUCE is needed and the order is fixed"""
    t = type(x)
    if t is frozenset:
        return b"(" + b"".join(body(y) for y in sorted(x, key=repr)) + b"\x91"
    if t is tuple:
        return b"(" + b"".join(body(y) for y in x) + b"t"
    if t is list:
        return b"]" + (b"(" + b"".join(body(y) for y in x) + b"e" if x else b"")
    return pickle.dumps(x, 2)[2:-1]


INPUT_KEYS = {}  # pickle -> number of keys/members it pushes (to see merges)


def dict_pickle(pairs):
    data = b"\x80\x02}(" + b"".join(body(k) + body(v) for k, v in pairs) + b"u."
    INPUT_KEYS[data] = len(pairs)
    return data


def set_pickle(members):
    data = b"\x80\x02\x8f(" + b"".join(body(m) for m in members) + b"\x90."
    INPUT_KEYS[data] = len(members)
    return data


NAN = b"G\x7f\xf8\x00\x00\x00\x00\x00\x00"
KEYS = [
    ("dict 1, 1.0, True merge", dict_pickle([(1, "a"), (1.0, "b"), (True, "c")]), None),
    ("dict 0, False, 0.0, -0.0 merge", dict_pickle([(0, "a"), (False, "b"), (0.0, "c"), (-0.0, "d")]), None),
    ("dict 2**64 and 2.0**64 merge", dict_pickle([(2 ** 64, "a"), (2.0 ** 64, "b")]), None),
    ("dict -2**70 and -2.0**70 merge", dict_pickle([(-2 ** 70, "a"), (-2.0 ** 70, "b")]), None),
    ("dict 2**64+1 and 2.0**64 differ", dict_pickle([(2 ** 64 + 1, "a"), (2.0 ** 64, "b")]), None),
    ("dict 2**64 and -2.0**64 differ", dict_pickle([(2 ** 64, "a"), (-2.0 ** 64, "b")]), None),
    ("dict 2**1100 and inf differ", dict_pickle([(2 ** 1100, "a"), (float("inf"), "b")]), None),
    ("dict 2**80 and 2.5 differ", dict_pickle([(2 ** 80, "a"), (2.5, "b")]), None),
    ("dict big ints", dict_pickle([(2 ** 70, "a"), (2 ** 70, "b"), (-2 ** 70, "c"), (2 ** 71, "d")]), None),
    ("dict 7 and 7.5 differ", dict_pickle([(7, "a"), (7.5, "b")]), None),
    ("dict complex(1, 1) and 1 differ", dict_pickle([(complex(1, 1), "a"), (1, "b"), (1.0, "c")]), None),
    ("dict tuple keys merge", dict_pickle([((1, 2), "a"), ((1.0, 2.0), "b"), ((1, 3), "c")]), None),
    ("dict nested tuple keys", dict_pickle([((1, (2, 3)), "a"), ((1, (2.0, 3)), "b"), ((1, (2, 4)), "c")]), None),
    ("dict frozenset keys merge", dict_pickle([(frozenset([1, 2]), "a"), (frozenset([2.0, 1.0]), "b"),
                                               (frozenset([1]), "c"), (frozenset([1, 3]), "d")]), None),
    ("dict str and bytes differ", dict_pickle([("a", 1), (b"a", 2), ("a", 3)]), None),
    ("dict two nan objects differ", b"\x80\x02}(" + NAN + b"K\x01" + NAN + b"K\x02u.", None),
    ("dict one nan object twice merges", b"\x80\x02}(" + NAN + b"q\x01K\x01h\x01K\x02u.", None),
    ("dict None and Ellipsis keys", dict_pickle([(None, 1), (None, 2)]), None),
    ("dict list key", dict_pickle([([1], 2)]), None),
    ("dict tuple holding a list key", dict_pickle([((1, [2]), 3)]), None),
    ("dict dict key", b"\x80\x02}(}K\x01u.", None),
    ("set 1, 1.0, True", set_pickle([1, 1.0, True, 2]), None),
    ("set 2**64 and 2.0**64", set_pickle([2 ** 64, 2.0 ** 64, 3]), None),
    ("set frozensets", set_pickle([frozenset([1, 2]), frozenset([2, 1.0]), frozenset()]), None),
    ("set tuples", set_pickle([(1, "a"), (1.0, "a"), (1, b"a")]), None),
    ("set with a list", set_pickle([1, [2]]), None),
    ("frozenset 0, 0.0, False", b"\x80\x02(K\x00G\x00\x00\x00\x00\x00\x00\x00\x00\x89\x91.", None),
]
INPUT_KEYS[KEYS[-1][1]] = 3
INPUT_KEYS[b"\x80\x02}(" + NAN + b"K\x01" + NAN + b"K\x02u."] = 2
INPUT_KEYS[b"\x80\x02}(" + NAN + b"q\x01K\x01h\x01K\x02u."] = 2

# [#pickle.resolve] the calls CPython makes for builtins, as pickle.loads gives them
def B(s):
    return s.encode("latin-1")


RESOLVE = [
    ("bytearray protocol 0", pickle.dumps(bytearray(b"\xff\x00a"), 0), None),
    ("bytearray protocol 2", pickle.dumps(bytearray(b"ab"), 2), None),
    ("bytearray empty protocol 2", pickle.dumps(bytearray(), 2), None),
    ("bytearray of bytes", b"\x80\x03cbuiltins\nbytearray\nC\x02ab\x85R.", None),
    ("bytearray(str, 'latin-1') as Python 2 wrote it",
     b"\x80\x02c__builtin__\nbytearray\nX\x03\x00\x00\x00a\xc3\xbfX\x07\x00\x00\x00latin-1\x86R.", None),
    ("bytearray(str, 'latin1')", b"\x80\x02c__builtin__\nbytearray\nX\x01\x00\x00\x00zX\x06\x00\x00\x00latin1\x86R.", None),
    ("bytes protocol 1", pickle.dumps(b"\xe9\x00z", 1), None),
    ("bytes empty protocol 2", pickle.dumps(b"", 2), None),
    ("_codecs.encode latin-1 spelling", b"\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x07\x00\x00\x00latin-1\x86R.", None),
    ("complex()", b"\x80\x02c__builtin__\ncomplex\n)R.", None),
    ("complex(int)", b"\x80\x02c__builtin__\ncomplex\nK\x03\x85R.", None),
    ("complex(int, float)", b"\x80\x02c__builtin__\ncomplex\nK\x01G@\x00\x00\x00\x00\x00\x00\x00\x86R.", None),
    ("complex protocol 2", pickle.dumps(complex(-1.5, 0.25), 2), None),
    ("set()", b"\x80\x02c__builtin__\nset\n)R.", None),
    ("set of a tuple", b"\x80\x02c__builtin__\nset\nK\x01K\x02\x86\x85R.", None),
    ("set merging members", b"\x80\x02c__builtin__\nset\n](K\x01G?\xf0\x00\x00\x00\x00\x00\x00\x88e\x85R.", None),
    ("frozenset protocol 2", pickle.dumps(frozenset([3, 1, 2]), 2), None),
    ("frozenset()", b"\x80\x02c__builtin__\nfrozenset\n)R.", None),
    ("set protocol 2 shared", pickle.dumps([s0 := {7}, s0], 2), None),
]
INPUT_KEYS[next(d for n, d, _ in RESOLVE if n == "set merging members")] = 3

# [#pickle] FLOAT's text as _pickle's load_float reads it
FLOATS = [("FLOAT %r" % t.decode(), b"F" + t + b"\n.", None) for t in [
    b"1.5", b"+2", b".5", b"5.", b"1e5", b"-0.0", b"inf", b"-inf", b"Infinity", b"nan", b"-nan", b"1e-400",
    b"1e400", b"-1e400", b"1e", b"1_0", b"0x10", b"1 ", b"1\t", b"1.5x"]]

# [#marshal] version 0-1 float and complex text ('f', 'x'), TYPE_LONG digits:
# marshal.loads; op "marshal" marks them
def ftext(t):
    return b"f" + bytes([len(t)]) + t


MARSHAL = [("marshal float text %r" % t.decode(), ftext(t), "marshal") for t in [
    b"1.5", b"-0", b"+2", b"inf", b"-Infinity", b"iNfInItY", b"nan", b"-nan", b"+nan", b"NaN", b"1e5",
    b"1E-5", b"1e", b"1e+", b".5", b"5.", b".", b"", b"0x10", b" 1", b"1 ", b"infx", b"nanx", b"1.5x",
    b"1e400", b"-1e400", b"1e-400", b"1_000", b"00012", b"-", b"e5"]] + [
    ("marshal float text truncated", b"f\x051.5", "marshal"),
    ("marshal complex text", b"x\x031.5\x02-2", "marshal"),
    ("marshal complex text bad imaginary", b"x\x031.5\x02-z", "marshal"),
    ("marshal long 0 digits", b"l\x00\x00\x00\x00", "marshal"),
    ("marshal long -1 digit", b"l\xff\xff\xff\xff\x05\x00", "marshal"),
    ("marshal long 2 digits", b"l\x02\x00\x00\x00\x01\x00\x01\x00", "marshal"),
    ("marshal long digit out of range", b"l\x01\x00\x00\x00\x00\x80", "marshal"),
    ("marshal long top digit zero", b"l\x02\x00\x00\x00\x01\x00\x00\x00", "marshal"),
    ("marshal long size too large", b"l\x00\x00\x00\x80", "marshal"),
    ("marshal long truncated digits", b"l\x03\x00\x00\x00\x01\x00", "marshal"),
    ("marshal binary float", b"g" + struct.pack("<d", -2.5), "marshal"),
    ("marshal binary complex", b"y" + struct.pack("<dd", 1.0, -0.0), "marshal"),
    ("marshal int", b"i\xfe\xff\xff\xff", "marshal"),
]

# findings F1-F3, F8, F12 (coverage-findings.md), fixed by the "fixes" helper:
# in the normal set since; plus INT/LONG text as load_int/load_long read it
FIXED_FINDINGS = [
    ("F1 INST non-ASCII module", b"(i\xc3\xa9\nP\n.", "inst"),
    ("F1 INST non-ASCII class", b"(i__main__\n\xc3\xa9\n.", "inst"),
    ("F2 INST empty module line", b"(i\nP\n.", "inst"),
    ("F2 GLOBAL empty name line", b"(c__main__\n\no.", "obj"),
    ("F2 INT empty line", b"I\n.", None),
    ("F2 PUT empty line", b"Np\n.", None),
    ("F3 INST truncated without MARK", b"i__ma", "inst"),
    ("F1 INST non-ASCII module, empty class line", b"(i\xc3\xa9\n\n.", "inst"),
    ("F1 GLOBAL non-UTF-8 module", b"c\xff\nP\n.", None),
    ("F2 GLOBAL empty module line", b"c\nP\n.", None),
    ("F2 LONG empty line", b"L\n.", None),
    ("F2 GET empty line", b"g\n.", None),
    ("F3 INST empty line without MARK", b"i\n", "inst"),
    ("INT ' 1' is True", b"I 1\n.", None),
    ("INT '+1' is True", b"I+1\n.", None),
    ("INT '1\\0' is True", b"I1\x00\n.", None),
    ("INT '1\\0x' is 1", b"I1\x00x\n.", None),
    ("INT 20 hex digits", b"I0x" + b"f" * 20 + b"\n.", None),
    ("INT '0_10'", b"I0_10\n.", None),
    ("LONG 0x10", b"L0x10\n.", None),
    ("LONG -0b1L", b"L-0b1L\n.", None),
    ("LONG 0o17", b"L0o17\n.", None),
    ("LONG 0x_1", b"L0x_1\n.", None),
    ("LONG 0x1__2", b"L0x1__2\n.", None),
    ("LONG 010", b"L010\n.", None),
    ("LONG 0_0", b"L0_0\n.", None),
    ("LONG '1\\0xL'", b"L1\x00xL\n.", None),
    ("FLOAT '1\\0junk'", b"F1\x00junk\n.", None),
    ("F8 complex(-2**100-1)", b"\x80\x02c__builtin__\ncomplex\n\x8a\x0d" + (-2 ** 100 - 1).to_bytes(13, "little", signed=True)
     + b"\x85R.", None),
    ("F8 complex(2**1024)", b"\x80\x02c__builtin__\ncomplex\n\x8a\x81" + (2 ** 1024).to_bytes(129, "little")
     + b"\x85R.", None),
    ("F8 complex(2**1024 - 2**971)", b"\x80\x02c__builtin__\ncomplex\n\x8a\x81"
     + (2 ** 1024 - 2 ** 971).to_bytes(129, "little") + b"\x85R.", None),
    ("F8 complex(1, True)", b"\x80\x02c__builtin__\ncomplex\nK\x01\x88\x86R.", None),
    # F8: complex() of a big int or a bool
    ("F8 complex(2**100)", b"\x80\x02c__builtin__\ncomplex\n\x8a\x0d" + (2 ** 100).to_bytes(13, "little")
     + b"\x85R.", None),
    ("F8 complex(True)", b"\x80\x02c__builtin__\ncomplex\n\x88\x85R.", None),
    ("F2 FLOAT empty line", b"F\n.", None),
    # F12: FLOAT skips no leading white space
    ("F12 FLOAT ' 1'", b"F 1\n.", None),
    ("F12 FLOAT '\\t1'", b"F\t1\n.", None),
]

# sparkwire differs here (coverage-findings.md): only with --with-open-findings
OPEN_FINDINGS = [
    # keys that only become native values when reduces are resolved
    ("F6 dict complex(1, 0) and 1 merge", dict_pickle([(complex(1, 0), "a"), (1, "b")]), None),
    ("F6 dict b'' twice (protocol 2 bytes()) merge", dict_pickle([(b"", 4), (b"", 5)]), None),
    ("F6 set complex(2, 0) and 2.0", set_pickle([complex(2, 0), 2.0]), None),
]


class Recorded:
    pass


def recorder(module, name, op):
    g = canon.Global(module, name)

    class R(Recorded):
        def __new__(cls, *args):
            o = object.__new__(cls)
            o.op, o.g, o.args, o.state = op, g, tuple(args), []
            return o

        def __init__(self, *args):
            pass

        def __setstate__(self, state):
            self.state.append(state)

    R.__name__ = name
    return R


def loads(data, encoding, op):
    proto = [0]

    class U(pickle.Unpickler):
        def find_class(self, module, name):
            # fix_imports below protocol 3, as the default find_class
            if proto[0] < 3:
                if (module, name) in _compat_pickle.NAME_MAPPING:
                    module, name = _compat_pickle.NAME_MAPPING[(module, name)]
                elif module in _compat_pickle.IMPORT_MAPPING:
                    module = _compat_pickle.IMPORT_MAPPING[module]
            return recorder(module, name, op)

    if data[:1] == b"\x80":
        proto[0] = data[1]
    if op == "marshal":
        return marshal.loads(data)
    if op is None:  # no global to construct: pickle.loads itself
        return pickle.loads(data, encoding=encoding)
    return U(io.BytesIO(data), encoding=encoding).load()


def to_canon(x, memo):
    """Recorders become canon.Obj nodes; sharing is kept."""
    if id(x) in memo:
        return memo[id(x)]
    t = type(x)
    if isinstance(x, Recorded):
        o = canon.Obj(x.op, x.g, None)
        memo[id(x)] = o
        o.args = to_canon(x.args, memo)
        for s in x.state:
            o.build(to_canon(s, memo))
        return o
    if t is list:
        out = []
        memo[id(x)] = out
        out.extend(to_canon(y, memo) for y in x)
        return out
    if t is dict:
        out = {}
        memo[id(x)] = out
        for k, v in x.items():
            out[to_canon(k, memo)] = to_canon(v, memo)
        return out
    if t is tuple and x:
        out = tuple(to_canon(y, memo) for y in x)
        memo[id(x)] = out
        return out
    if t in (set, frozenset):  # no recorders inside: as it is
        return x
    return x


PYEXC = {"OverflowError": "SW_PYEXC_OVERFLOWERROR", "EOFError": "SW_PYEXC_EOFERROR", "UnpicklingError": "SW_PYEXC_UNPICKLINGERROR",
         "ValueError": "SW_PYEXC_VALUEERROR", "TypeError": "SW_PYEXC_TYPEERROR",
         "UnicodeDecodeError": "SW_PYEXC_UNICODEDECODEERROR"}


def c_bytes(b):
    return '"' + "".join("\\x%02x" % c for c in b) + '"'


def c_str(s):
    out = []
    for ch in s:
        c = ord(ch)
        if ch in '"\\?':  # "\?": no trigraphs under -std=c11
            out.append("\\" + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % c)  # octal: never eats the next character
    return '"' + "".join(out) + '"'


def main(argv):
    warnings.simplefilter("ignore", DeprecationWarning)  # \777, \q: still accepted by 3.11
    cases = STRING_FAMILY + OBJECTS + KEYS + RESOLVE + FLOATS + MARSHAL + FIXED_FINDINGS + (OPEN_FINDINGS if "--with-open-findings" in argv else [])
    lines = ["/* generated by tools/gen_cov_pickle_cases.py from python3 %d.%d's C unpickler:"
             % sys.version_info[:2],
             " * do not edit. name, pickle, encoding, expected notation or Python exception. */",
             "static const struct cov_pickle_case {",
             "    const char *name;",
             "    const char *data;",
             "    size_t n;",
             "    sw_pickle_encoding encoding;",
             "    const char *notation; /* NULL: CPython raises */",
             "    sw_pyexc pyexc;",
             "    const char *py_message;",
             "    int merges; /* equal keys or members merged: strict mode says dup_key */",
             "    int marshal; /* a marshal payload (marshal.loads), else a pickle */",
             "} cov_pickle_cases[] = {"]
    count = 0
    for name, data, op in cases:
        for enc in (("bytes",) if op == "marshal" else ("bytes", "ascii", "latin1")):
            pyenc, cenc = ENC[enc]
            merges = 0
            try:
                v = loads(data, pyenc, op)
                text, exc, msg = canon.canon(to_canon(v, {})), "SW_PYEXC_NONE", ""
                merges = int(data in INPUT_KEYS and len(v) < INPUT_KEYS[data])
            except Exception as e:  # the class is what is compared
                text, exc, msg = None, PYEXC[type(e).__name__], str(e).split("\n")[0]
            lines.append("    {%s, %s, %d, %s, %s, %s, %s, %d, %d}," % (
                c_str("%s [%s]" % (name, enc)), c_bytes(data), len(data), cenc,
                "NULL" if text is None else c_str(text), exc, c_str(msg), merges, op == "marshal"))
            count += 1
    lines.append("};")
    lines.append("#define COV_PICKLE_NCASES %d" % count)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

/* Decoder fixes found by the CPython differential fuzz target
 * (fuzz/targets/pickle_differential.c, [#fuzz.differential]): each case is
 * what /usr/bin/python3 (3.11) gives for PySpark's call,
 * pickle.loads(x, encoding="bytes"), checked by replaying the same bytes
 * through that target (status class, exception, value). Regression inputs:
 * fuzz/regressions/pickle_differential/. */
#include "testutil.h"

typedef struct diff_case {
    const char *in;
    size_t n;
    sw_status st;
    sw_pyexc exc;
    uint64_t at;     /* payload_offset of the failing opcode */
    const char *out; /* notation when st == SW_OK */
} diff_case;

#define DC(s, st, exc, at, out) {s, sizeof s - 1, st, exc, at, out}
#define OK(s, out) DC(s, SW_OK, SW_PYEXC_NONE, 0, out)

static void run_cases(const diff_case *cs, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_pickle_opts o;
        sw_value *v;
        size_t used;
        sw_error e;
        sw_status st;
        uint8_t buf[512];
        CU_ASSERT_FATAL(ar != NULL && cs[i].n <= sizeof buf);
        memcpy(buf, cs[i].in, cs[i].n);
        sw_pickle_opts_default(&o);
        o.mode = SW_MODE_PYSPARK;
        sw_test_junk(&v, sizeof v);
        sw_test_junk(&used, sizeof used);
        sw_test_junk(&e, sizeof e);
        st = sw_pickle_decode(ar, buf, cs[i].n, &o, &v, &used, &e);
        if (st != cs[i].st) fprintf(stderr, "\n  case %zu: got %s want %s\n", i, sw_status_str(st), sw_status_str(cs[i].st));
        CU_ASSERT_EQUAL(st, cs[i].st);
        /* the input is never written (a bytearray item is set on a copy) */
        CU_ASSERT_EQUAL(memcmp(buf, cs[i].in, cs[i].n), 0);
        if (st == SW_OK && cs[i].st == SW_OK) {
            const char *t = sw_test_notation(v);
            if (strcmp(t, cs[i].out) != 0) fprintf(stderr, "\n  case %zu: %s, want %s\n", i, t, cs[i].out);
            CU_ASSERT_STRING_EQUAL(t, cs[i].out);
            CU_ASSERT_EQUAL(used, cs[i].n);
        } else if (st != SW_OK) {
            CU_ASSERT_PTR_NULL(v);
            CU_ASSERT_EQUAL(e.status, st);
            CU_ASSERT_EQUAL(e.layer, SW_LAYER_PICKLE);
            CU_ASSERT_EQUAL(e.pyexc, cs[i].exc);
            if (e.pyexc != cs[i].exc) fprintf(stderr, "\n  case %zu: pyexc %s\n", i, sw_pyexc_str(e.pyexc));
            CU_ASSERT_EQUAL(e.payload_offset, cs[i].at);
            if (e.payload_offset != cs[i].at)
                fprintf(stderr, "\n  case %zu: at %llu\n", i, (unsigned long long)e.payload_offset);
        }
        sw_arena_free(ar);
    }
}

/* one decode of c's bytes in ar, in mode, with resolve on or off: for the
 * checks a case table cannot express (strict, the separate resolve pass) */
static sw_status decode_case(sw_arena *ar, const diff_case *c, sw_mode mode, int resolve, sw_value **v, sw_error *e)
{
    sw_pickle_opts o;
    sw_pickle_opts_default(&o);
    o.mode = mode;
    o.resolve = resolve;
    return sw_pickle_decode(ar, (const uint8_t *)c->in, c->n, &o, v, NULL, e);
}

/* [#pickle.call] REDUCE and OBJ call their callable (PyObject_CallObject:
 * args must be a tuple, checked first; a native value is not callable);
 * NEWOBJ/NEWOBJ_EX need a type, checked before the args */
static void test_call(void)
{
    static const diff_case cs[] = {
        DC("N)R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 2, NULL),
        DC("K\x01K\x02R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 4, NULL),
        DC("NK\x02R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 3, NULL),
        DC("cbuiltins\nlen\nK\x01R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 16, NULL),
        DC("}K\x01K\x02\x86R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 6, NULL),
        DC("(K\x01o.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 3, NULL),
        DC("(]o.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 2, NULL),
        DC("(NK\x01o.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 4, NULL),
        DC("K\x01)\x81.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 3, NULL),
        DC("K\x01K\x02\x81.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 4, NULL),
        DC("])}\x92.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 3, NULL),
        /* symbolic callables stay calls */
        OK("cbuiltins\nset\n)R.", "set()"),
        OK("cm\nf\n(K\x01tR.", "reduce(global('m', 'f'), (1,))"),
        OK("(cm\nC\nK\x01o.", "obj(global('m', 'C'), (1,))"),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.build] BUILD on a native value: (state, slotstate) split, a
 * non-None state must be a dict and then fails on __dict__, a slot state must
 * be a dict whose items fail as setattr */
static void test_build(void)
{
    static const diff_case cs[] = {
        OK("K\x01N}\x86" "b.", "1"),
        OK("]N}\x86" "b.", "[]"),
        OK("]Nb.", "[]"),
        DC("K\x01}b.", SW_E_TYPE, SW_PYEXC_ATTRIBUTEERROR, 3, NULL),
        DC("K\x01}N\x86" "b.", SW_E_TYPE, SW_PYEXC_ATTRIBUTEERROR, 5, NULL),
        DC("K\x01)b.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 3, NULL),
        DC("K\x01K\x02" "b.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 4, NULL),
        DC("NNN\x86" "b.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 4, NULL),
        DC("K\x01NK\x01\x86" "b.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 6, NULL),
        DC("K\x01N}K\x01K\x02s\x86" "b.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 10, NULL),
        DC("K\x01N}X\x01\x00\x00\x00" "aK\x02s\x86" "b.", SW_E_TYPE, SW_PYEXC_ATTRIBUTEERROR, 14, NULL),
        /* an obj node still takes the state as its mutation */
        OK("cm\nC\n)\x81}b.", "newobj(global('m', 'C'), ()).build({})"),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.memo-text] PUT/GET lines as PyLong_FromString(s, NULL, 10) and
 * PyLong_AsSsize_t; [#pickle.int] a LONG line that is no int and no UTF-8
 * in its first 200 bytes is UnicodeDecodeError (INT: always ValueError) */
static void test_memo_text(void)
{
    static const diff_case cs[] = {
        OK("Np 1\n0g1\n.", "None"),
        OK("Np+1\n0g 1 \n.", "None"),
        OK("Np1_0\n0g10\n.", "None"),
        OK("Np01\n0g1\n.", "None"),
        OK("Np\t1\x0c\n.", "None"),
        OK("Np1\x00x\n0g1\x00\xff\n.", "None"),
        OK("Np-0\n0g0\n.", "None"),
        DC("Np-1\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np_1\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np1__0\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np1_\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np\x00\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np\x1c\x31\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np\xc2\xa0\x31\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 1, NULL),
        DC("Np\xff\n.", SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, 1, NULL),
        DC("g\xff\n.", SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, 0, NULL),
        DC("Np99999999999999999999\n.", SW_E_BAD_VALUE, SW_PYEXC_OVERFLOWERROR, 1, NULL),
        DC("Np1\n0g-1\n.", SW_E_BAD_MEMO, SW_PYEXC_UNPICKLINGERROR, 5, NULL),
        DC("L\xffL\n.", SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, 0, NULL),
        DC("L1\xff\x00L\n.", SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, 0, NULL),
        DC("L1x\xff\n.", SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, 0, NULL),
        DC("Lx\xc3\xa9\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        DC("I\xff\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        /* [#pickle.int] hex digits are 0-9a-fA-F: the bytes 0x10-0x19 are none */
        DC("I0X\x15\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        DC("L0x1\x10L\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        OK("I0Xa_F\n.", "175"),
        /* [#pickle.int] FLOAT: C strtod's nan(chars) is no Python float text */
        DC("Fnan(123)\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        DC("Fnan()\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        OK("F-NaN\n.", "float_bits(0xfff8000000000000)"),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.int] only the first 200 bytes are decoded: a character cut at
 * byte 200 fails, one that ends there does not */
static void test_long_cut(void)
{
    char a[300], b[300];
    diff_case cs[2];
    memset(a, '1', sizeof a);
    memset(b, '1', sizeof b);
    a[0] = 'L';
    memcpy(a + 200, "\xc3L\n.", 4); /* C string: 199 ones + C3 (200 bytes) */
    b[0] = 'L';
    memcpy(b + 199, "\xc3\xa9L\n.", 5); /* 198 ones + e-acute (200 bytes) */
    cs[0] = (diff_case){a, 204, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, 0, NULL};
    cs[1] = (diff_case){b, 204, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL};
    run_cases(cs, 2);
}

/* [#pickle.setitem-seq] SETITEM(S) on a list or a bytearray: item
 * assignment by index */
static void test_setitem_seq(void)
{
    static const diff_case cs[] = {
        OK("(K\x05lK\x00K\x07s.", "[7]"),
        OK("(K\x05K\x06lJ\xff\xff\xff\xffK\x07s.", "[5, 7]"),
        OK("(K\x05K\x06l\x88K\x07s.", "[5, 7]"),
        OK("(K\x05K\x06l(K\x00K\x07K\x01K\x08u.", "[7, 8]"),
        OK("]q\x00(K\x05lK\x00h\x00s.", "[[]]"),
        DC("]K\x00K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 5, NULL),
        DC("(K\x05lK\x05K\x07s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 8, NULL),
        DC("(K\x05lJ\xfe\xff\xff\xffK\x07s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 11, NULL),
        DC("(K\x05l\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x07s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 17, NULL),
        DC("(K\x05lX\x01\x00\x00\x00" "aK\x07s.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 12, NULL),
        DC("(K\x05l(K\x00K\x07K\x01K\x08u.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 13, NULL),
        OK("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x00K\x41s.", "bytearray(b'Ab')"),
        OK("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abJ\xff\xff\xff\xff\x88s.", "bytearray(b'a\\x01')"),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x00M\x00\x01s.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 16, NULL),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x00J\xff\xff\xff\xffs.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 18, NULL),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x00Ns.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 14, NULL),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abNK\x01s.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 14, NULL),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x02K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 15, NULL),
        /* the byte value is checked before the index range (3.11) */
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x05]s.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 14, NULL),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "abK\x05M\x00\x01s.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 16, NULL),
        DC("\x96\x02\x00\x00\x00\x00\x00\x00\x00" "ab\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01]s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 23, NULL),
        /* still refused: tuple, str, set targets */
        DC(")K\x00K\x01s.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 5, NULL),
        /* but a sequence type takes an int key as Py_ssize_t first: 2**64 is
         * IndexError on a tuple, str, bytes, set or frozenset (differential
         * finding of 2026-12-07: setitem-tuple-big-key), TypeError on None */
        DC(")\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 14, NULL),
        DC("X\x01\x00\x00\x00" "a\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 19, NULL),
        DC("C\x01" "a\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 16, NULL),
        DC("\x8f\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 14, NULL),
        DC("(\x91\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x01s.", SW_E_TYPE, SW_PYEXC_INDEXERROR, 15, NULL),
        DC("N\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01K\x01s.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 14, NULL),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.bytes-end] an empty BINBYTES/SHORT_BINBYTES/BINBYTES8/BYTEARRAY8
 * that ends the input is "pickle data was truncated" at its opcode; any byte
 * after it, or another opcode, leaves the EOFError of the missing STOP */
static void test_bytes_end(void)
{
    static const diff_case cs[] = {
        DC("C\x00", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_UNPICKLINGERROR, 0, NULL),
        DC("NB\x00\x00\x00\x00", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_UNPICKLINGERROR, 1, NULL),
        DC("\x8e\x00\x00\x00\x00\x00\x00\x00\x00", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_UNPICKLINGERROR, 0, NULL),
        DC("\x96\x00\x00\x00\x00\x00\x00\x00\x00", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_UNPICKLINGERROR, 0, NULL),
        DC("C\x01" "a", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, 3, NULL),
        DC("U\x00", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, 2, NULL),
        DC("X\x00\x00\x00\x00", SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, 5, NULL),
        OK("C\x00.", "b''"),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.call] a builtin call's result (or Ellipsis) used as a callable
 * or as REDUCE's args is what CPython called, and failed. A builtin call is
 * resolved at its REDUCE ([#pickle.resolve.reduce]), so the call that uses
 * its value fails at its own opcode, as in CPython; Ellipsis, a GLOBAL,
 * becomes the singleton in the resolve pass (payload_offset 0, as for every
 * resolve failure). With resolve off the calls stay symbolic. */
static void test_resolved_calls(void)
{
    static const diff_case cs[] = {
        DC("cbuiltins\nfrozenset\n(]tR)R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 25, NULL),
        DC("cbuiltins\nEllipsis\n)R.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 0, NULL),
        DC("(ibuiltins\nEllipsis\n.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 0, NULL),
        DC("cbuiltins\nfrozenset\n)R)\x81.", SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, 23, NULL),
        DC("cbuiltins\nlen\ncbuiltins\nbytes\n)RR.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 32, NULL),
        OK("cbuiltins\nlen\ncbuiltins\nfrozenset\n)R\x85R.", "reduce(global('builtins', 'len'), (frozenset(),))"),
    };
    sw_arena *ar;
    sw_value *v;
    sw_error e;
    run_cases(cs, sizeof cs / sizeof cs[0]);
    ar = sw_arena_new(NULL, NULL);
    CU_ASSERT_FATAL(ar != NULL);
    CU_ASSERT_EQUAL(decode_case(ar, &cs[0], SW_MODE_PYSPARK, 0, &v, &e), SW_OK);
    CU_ASSERT_STRING_EQUAL(sw_test_notation(v),
                           "reduce(reduce(global('builtins', 'frozenset'), ([],)), ())");
    sw_arena_free(ar);
}

/* [#pickle.resolve.reduce] a builtin call becomes its value at its REDUCE,
 * as CPython's load calls it there: the value is hashed (or refused as a key)
 * when it is inserted, later opcodes act on it, and the call copies its
 * argument as it is then. Expected values are CPython 3.11's pickle.loads. */
static void test_resolve_at_reduce(void)
{
    static const diff_case cs[] = {
        /* a set or bytearray result as a set member or dict key: TypeError at the insertion */
        DC("(cbuiltins\nset\n]\x85R\x91.", SW_E_UNHASHABLE, SW_PYEXC_TYPEERROR, 18, NULL),
        DC("}cbuiltins\nbytearray\n)RK\x01s.", SW_E_UNHASHABLE, SW_PYEXC_TYPEERROR, 25, NULL),
        /* keys equal once resolved are merged as they are inserted */
        OK("}(cbuiltins\ncomplex\nK\x01K\x00\x86RX\x01\x00\x00\x00" "aK\x01X\x01\x00\x00\x00" "bu.",
           "{complex(1.0, 0.0): 'b'}"),
        OK("(cbuiltins\nfrozenset\n)Rcbuiltins\nfrozenset\n)R\x91.", "frozenset({frozenset()})"),
        /* later opcodes act on the value: ADDITEMS on set(), APPEND on bytearray(b'a') */
        OK("cbuiltins\nset\n)R(K\x01\x90.", "{1}"),
        OK("cbuiltins\nbytearray\nC\x01" "a\x85RK\x42" "a.", "bytearray(b'aB')"),
        /* set(L) copies L at the call; L's later APPEND does not reach the set */
        OK("]q\x00" "cbuiltins\nset\nh\x00\x85Rh\x00K\x01" "a0.", "set()"),
    };
    const diff_case *merged = &cs[2]; /* the complex(1, 0) and 1 keys */
    sw_arena *ar;
    sw_pickle_opts o;
    sw_value *v;
    sw_error e;
    run_cases(cs, sizeof cs / sizeof cs[0]);
    /* strict: the merged keys are a dup_key at SETITEMS */
    ar = sw_arena_new(NULL, NULL);
    CU_ASSERT_FATAL(ar != NULL);
    CU_ASSERT_EQUAL(decode_case(ar, merged, SW_MODE_STRICT, 1, &v, &e), SW_E_DUP_KEY);
    CU_ASSERT_EQUAL(e.payload_offset, merged->n - 2);
    /* the resolve pass on a graph decoded with resolve off: keys were merged
     * before, so they stay apart ([#pickle.resolve.keys]); an unhashable
     * resolved key fails the pass at payload_offset 0 [#pickle.resolve.unhashable] */
    sw_pickle_opts_default(&o); /* the resolve pass's options */
    CU_ASSERT_EQUAL_FATAL(decode_case(ar, merged, SW_MODE_PYSPARK, 0, &v, &e), SW_OK);
    CU_ASSERT_EQUAL(sw_pickle_resolve(ar, &v, &o, &e), SW_OK);
    CU_ASSERT_STRING_EQUAL(sw_test_notation(v), "{complex(1.0, 0.0): 'a', 1: 'b'}");
    CU_ASSERT_EQUAL_FATAL(decode_case(ar, &cs[0], SW_MODE_PYSPARK, 0, &v, &e), SW_OK);
    CU_ASSERT_EQUAL(sw_pickle_resolve(ar, &v, &o, &e), SW_E_UNHASHABLE);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_TYPEERROR);
    CU_ASSERT_EQUAL(e.payload_offset, 0);
    sw_arena_free(ar);
}

/* [#pickle.append-bytearray] APPEND(S) on a bytearray: bytearray.extend */
static void test_append_bytearray(void)
{
    static const diff_case cs[] = {
        OK("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "aK\x41" "a.", "bytearray(b'aA')"),
        OK("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a(K\x41K\x42" "e.", "bytearray(b'aAB')"),
        OK("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a\x88" "a.", "bytearray(b'a\\x01')"),
        OK("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a(e.", "bytearray(b'a')"),
        DC("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a(K\x41M\x00\x01" "e.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 16, NULL),
        DC("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a(M\x00\x01" "Ne.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 15, NULL),
        DC("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a(NM\x00\x01" "e.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 15, NULL),
        DC("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a]a.", SW_E_TYPE, SW_PYEXC_TYPEERROR, 11, NULL),
        DC("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "aJ\xff\xff\xff\xff" "a.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 15, NULL),
        /* other natives have no append/extend */
        DC("\x8f(K\x01" "e.", SW_E_TYPE, SW_PYEXC_ATTRIBUTEERROR, 4, NULL),
        DC("C\x01" "aK\x01" "a.", SW_E_TYPE, SW_PYEXC_ATTRIBUTEERROR, 5, NULL),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.ext] READONLY_BUFFER on a bytearray: CPython makes a read-only
 * memoryview (no such kind here): unsupported_buffer; on bytes: unchanged */
static void test_readonly_bytearray(void)
{
    static const diff_case cs[] = {
        DC("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a\x98.", SW_E_UNSUPPORTED_BUFFER, SW_PYEXC_NONE, 10, NULL),
        OK("C\x01" "a\x98.", "b'a'"),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

/* [#pickle.int] load_int's strtol reads a C string of any length: a run of
 * leading zeros (70 here, past any fixed buffer) is one octal 0, white
 * space and a sign come first, and only overflow or a stop before the end
 * falls back to int(), which refuses leading zeros. Values are CPython
 * 3.11's pickle.loads (differential finding of 2026-12-07:
 * fuzz/regressions/pickle_differential/int-text-long-leading-zeros) */
#define Z10 "0000000000"
#define Z70 Z10 Z10 Z10 Z10 Z10 Z10 Z10
#define W70 "                                                                      "
static void test_int_text_long(void)
{
    static const diff_case cs[] = {
        OK("I" Z70 "1\n.", "1"),
        OK("I" W70 "012\n.", "10"),
        OK("I-" Z70 "17\n.", "-15"),
        DC("I" Z70 "8\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        OK("I0x" Z70 "1f\n.", "31"),
        OK("I" Z70 Z10 "\n.", "0"),
        OK("I-01000000000000000000000\n.", "-9223372036854775808"),
        DC("I-01000000000000000000001\n.", SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, 0, NULL),
        OK("I" Z70 "1\0x\n.", "1"),
    };
    run_cases(cs, sizeof cs / sizeof cs[0]);
}

static CU_TestInfo tests[] = {
    {"READONLY_BUFFER on a bytearray [#pickle.ext]", test_readonly_bytearray},
    {"APPEND(S) on a bytearray [#pickle.append-bytearray]", test_append_bytearray},
    {"calls on values resolve made [#pickle.call]", test_resolved_calls},
    {"builtin calls resolved at their REDUCE [#pickle.resolve.reduce]", test_resolve_at_reduce},
    {"empty bytes at the end of the input [#pickle.bytes-end]", test_bytes_end},
    {"REDUCE/OBJ/NEWOBJ call checks [#pickle.call]", test_call},
    {"BUILD on a native value [#pickle.build]", test_build},
    {"PUT/GET text and LONG text errors [#pickle.memo-text]", test_memo_text},
    {"LONG text: the first 200 bytes are decoded [#pickle.int]", test_long_cut},
    {"SETITEM(S) on a list or bytearray [#pickle.setitem-seq]", test_setitem_seq},
    {"INT text of any length: strtol as CPython calls it [#pickle.int]", test_int_text_long},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_differential_fixes(void) { return sw_test_add_suite("differential_fixes", tests); }

/* The text notation [#notation]: printer against expected strings, parser
 * errors with offsets, depth limits, and the round trip of every line of
 * vectors/notation/values.txt (made by tools/gen_notation_vectors.py). */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"

static sw_arena *AR;

static void setup_arena(void)
{
    if (AR)
        sw_arena_reset(AR);
    else
        AR = sw_arena_new(NULL, NULL);
}

/* Print v; returns malloc'd text or NULL (status in *st). */
static char *print_v(const sw_value *v, uint32_t depth, sw_status *st, sw_error *e)
{
    sw_buf b;
    char *s;
    sw_buf_init(&b, NULL);
    sw_test_junk(e, sizeof *e);
    *st = sw_notation_print(v, &b, depth, e);
    if (*st != SW_OK) {
        CU_ASSERT_EQUAL(b.n, 0); /* nothing left behind on failure */
        sw_buf_free(&b);
        return NULL;
    }
    s = (char *)malloc(b.n + 1);
    if (b.n) memcpy(s, b.p, b.n);
    s[b.n] = 0;
    sw_buf_free(&b);
    return s;
}

#define CHECK_PRINT(v, want)                                                    \
    do {                                                                        \
        sw_status st_;                                                          \
        sw_error e_;                                                            \
        char *got_ = print_v((v), 0, &st_, &e_);                                \
        CU_ASSERT_EQUAL(st_, SW_OK);                                            \
        if (got_ && strcmp(got_, (want)) != 0)                                  \
            fprintf(stderr, "\n  print: got  %s\n         want %s\n", got_, (want)); \
        CU_ASSERT_PTR_NOT_NULL(got_);                                           \
        if (got_) CU_ASSERT_STRING_EQUAL(got_, (want));                         \
        free(got_);                                                             \
    } while (0)

/* parse text, print, compare with want (NULL: with text itself) */
static int round_trip(const char *text, const char *want)
{
    sw_value *v;
    sw_error e;
    sw_status st;
    char *got;
    int ok;
    sw_test_junk(&v, sizeof v);
    st = sw_notation_parse(AR, text, strlen(text), &v, &e);
    if (st != SW_OK) {
        fprintf(stderr, "\n  parse failed (%s at %llu: %s): %.200s\n", sw_status_str(st),
                (unsigned long long)e.payload_offset, e.msg, text);
        return 0;
    }
    got = print_v(v, 0, &st, &e);
    if (!got) {
        fprintf(stderr, "\n  print failed %s: %.200s\n", sw_status_str(st), text);
        return 0;
    }
    ok = strcmp(got, want ? want : text) == 0;
    if (!ok) fprintf(stderr, "\n  round trip: got  %.300s\n              want %.300s\n", got, want ? want : text);
    free(got);
    return ok;
}

#define CHECK_RT(text) CU_ASSERT_TRUE(round_trip((text), NULL))
#define CHECK_RT2(text, want) CU_ASSERT_TRUE(round_trip((text), (want)))

static void check_err(const char *text, sw_status want, uint64_t off)
{
    sw_value *v;
    sw_error e;
    sw_status st;
    sw_test_junk(&v, sizeof v);
    sw_test_junk(&e, sizeof e);
    st = sw_notation_parse(AR, text, strlen(text), &v, &e);
    if (st != want || e.payload_offset != off)
        fprintf(stderr, "\n  parse %s: got %s at %llu (%s), want %s at %llu\n", text, sw_status_str(st),
                (unsigned long long)e.payload_offset, st != SW_OK ? e.msg : "", sw_status_str(want),
                (unsigned long long)off);
    CU_ASSERT_EQUAL(st, want);
    CU_ASSERT_EQUAL(e.status, want);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
    CU_ASSERT_EQUAL(e.payload_offset, off);
    CU_ASSERT_PTR_NULL(v);
}

static sw_value *S(const char *s) { return sw_v_strlike(AR, SW_K_STR, (const uint8_t *)s, strlen(s)); }

static sw_value *list_of(sw_kind k, int n, ...);
#include <stdarg.h>
static sw_value *list_of(sw_kind k, int n, ...)
{
    va_list ap;
    int i;
    sw_value *c = sw_v_container(AR, k, 0);
    va_start(ap, n);
    for (i = 0; i < n; i++) sw_v_push(AR, c, va_arg(ap, sw_value *));
    va_end(ap);
    return c;
}

static sw_value *glob(const char *m, const char *n) { return list_of(SW_K_GLOBAL, 2, S(m), S(n)); }

static sw_value *fbits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return sw_v_float(AR, d);
}

/* ---- printer [#notation.scalar] [#notation.string] ---- */

static void test_print_scalars(void)
{
    setup_arena();
    CHECK_PRINT(sw_v_none(AR), "None");
    CHECK_PRINT(sw_v_bool(AR, 1), "True");
    CHECK_PRINT(sw_v_bool(AR, 0), "False");
    CHECK_PRINT(sw_v_new(AR, SW_K_ELLIPSIS), "Ellipsis");
    CHECK_PRINT(sw_v_new(AR, SW_K_STOPITER), "StopIteration");
    CHECK_PRINT(sw_v_int(AR, 0), "0");
    CHECK_PRINT(sw_v_int(AR, -12), "-12");
    CHECK_PRINT(sw_v_int(AR, INT64_MIN), "-9223372036854775808");
    CHECK_PRINT(sw_int_from_decimal(AR, "18446744073709551616", 20), "18446744073709551616");
    CHECK_PRINT(sw_int_from_decimal(AR, "-9223372036854775809", 20), "-9223372036854775809");
    CHECK_PRINT(sw_v_float(AR, 1.5), "1.5");
    CHECK_PRINT(sw_v_float(AR, 1e16), "1e+16");
    CHECK_PRINT(sw_v_float(AR, 1e-05), "1e-05");
    CHECK_PRINT(sw_v_float(AR, -0.0), "-0.0");
    CHECK_PRINT(sw_v_float(AR, 0.1), "0.1");
    CHECK_PRINT(sw_v_float(AR, INFINITY), "inf");
    CHECK_PRINT(sw_v_float(AR, -INFINITY), "-inf");
    /* [#notation.float] only the canonical quiet NaN is `nan` */
    CHECK_PRINT(fbits(0x7ff8000000000000ULL), "nan");
    CHECK_PRINT(fbits(0xfff8000000000000ULL), "float_bits(0xfff8000000000000)");
    CHECK_PRINT(fbits(0x7ff0000000000001ULL), "float_bits(0x7ff0000000000001)");
    CHECK_PRINT(fbits(0x7ff8000000000001ULL), "float_bits(0x7ff8000000000001)");
    CHECK_PRINT(sw_v_complex(AR, 1.0, -0.0), "complex(1.0, -0.0)");
    {
        double n;
        uint64_t b = 0x7ff4000000000000ULL;
        memcpy(&n, &b, sizeof n);
        CHECK_PRINT(sw_v_complex(AR, n, INFINITY), "complex(float_bits(0x7ff4000000000000), inf)");
    }
    CHECK_PRINT(sw_v_new(AR, SW_K_EXT), "ext(0)");
}

static void test_print_big_int(void)
{
    /* [#notation.int] 4300 digits print in decimal, 4301 in hex */
    char *dec = (char *)malloc(4302);
    sw_value *v;
    sw_status st;
    sw_error e;
    char *got;
    setup_arena();
    memset(dec, '9', 4300);
    v = sw_int_from_decimal(AR, dec, 4300);
    got = print_v(v, 0, &st, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(strlen(got), 4300);
    CU_ASSERT_EQUAL(got[0], '9');
    free(got);
    dec[0] = '1';
    memset(dec + 1, '0', 4300);
    v = sw_int_from_decimal(AR, dec, 4301); /* 10**4300 */
    got = print_v(v, 0, &st, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(strncmp(got, "0x", 2), 0);
    CU_ASSERT_EQUAL(strlen(got), 2 + 3572); /* hex(10**4300) has 3572 digits */
    free(got);
    /* magnitude 0x0100 with high zero bytes stripped, negative */
    {
        uint8_t mag[1800];
        memset(mag, 0, sizeof mag);
        mag[1790] = 0x1;
        v = sw_v_int_mag(AR, 1, mag, sizeof mag);
        got = print_v(v, 0, &st, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_EQUAL(strncmp(got, "-0x1000", 7), 0);
        CU_ASSERT_EQUAL(strlen(got), 3 + 1 + 2 * 1790);
        free(got);
    }
    free(dec);
}

static void test_print_strings(void)
{
    static const uint8_t s1[] = "a'b\\c\t\n\r\x00\x7f";
    static const uint8_t s2[] = {0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xb2, 0x80, 0x7e, 0x20};
    static const uint8_t b1[] = {'a', '\'', '\\', 0, 0xff, '\t', '"'};
    static const uint8_t bad[] = {0xff};
    sw_status st;
    sw_error e;
    setup_arena();
    CHECK_PRINT(sw_v_strlike(AR, SW_K_STR, s1, sizeof s1 - 1), "'a\\'b\\\\c\\t\\n\\r\\x00\\x7f'");
    CHECK_PRINT(sw_v_strlike(AR, SW_K_STR, s2, sizeof s2), "'\\xe9\\u20ac\\U0001f600\\udc80~ '");
    CHECK_PRINT(sw_v_strlike(AR, SW_K_STR, s2, 0), "''");
    CHECK_PRINT(sw_v_strlike(AR, SW_K_BYTES, b1, sizeof b1), "b'a\\'\\\\\\x00\\xff\\t\"'");
    CHECK_PRINT(sw_v_strlike(AR, SW_K_BYTEARRAY, b1, 1), "bytearray(b'a')");
    CU_ASSERT_PTR_NULL(print_v(sw_v_strlike(AR, SW_K_STR, bad, 1), 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_BAD_UTF8);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
}

/* ---- printer [#notation.container] [#notation.set-order] ---- */

static void test_print_containers(void)
{
    setup_arena();
    CHECK_PRINT(list_of(SW_K_TUPLE, 0), "()");
    CHECK_PRINT(list_of(SW_K_TUPLE, 1, sw_v_int(AR, 1)), "(1,)");
    CHECK_PRINT(list_of(SW_K_TUPLE, 2, sw_v_int(AR, 1), sw_v_none(AR)), "(1, None)");
    CHECK_PRINT(list_of(SW_K_LIST, 0), "[]");
    CHECK_PRINT(list_of(SW_K_LIST, 2, S("a"), list_of(SW_K_LIST, 0)), "['a', []]");
    CHECK_PRINT(list_of(SW_K_DICT, 0), "{}");
    CHECK_PRINT(list_of(SW_K_DICT, 4, S("z"), sw_v_int(AR, 1), S("a"), list_of(SW_K_TUPLE, 0)), "{'z': 1, 'a': ()}");
    CHECK_PRINT(list_of(SW_K_SET, 0), "set()");
    CHECK_PRINT(list_of(SW_K_FROZENSET, 0), "frozenset()");
    /* sorted by bytes of the member text: "'b'" < "10" < "9" */
    CHECK_PRINT(list_of(SW_K_SET, 3, sw_v_int(AR, 9), S("b"), sw_v_int(AR, 10)), "{'b', 10, 9}");
    CHECK_PRINT(list_of(SW_K_FROZENSET, 3, sw_v_none(AR), list_of(SW_K_TUPLE, 1, sw_v_int(AR, 1)), sw_v_float(AR, 2.5)),
                "frozenset({(1,), 2.5, None})");
    /* prefix sorts first */
    CHECK_PRINT(list_of(SW_K_SET, 2, S("ab"), S("a")), "{'a', 'ab'}");
    /* nested sets are sorted too */
    CHECK_PRINT(list_of(SW_K_SET, 2, list_of(SW_K_FROZENSET, 2, sw_v_int(AR, 3), sw_v_int(AR, 2)),
                        list_of(SW_K_FROZENSET, 1, sw_v_int(AR, 1))),
                "{frozenset({1}), frozenset({2, 3})}");
}

/* ---- printer [#notation.symbolic] ---- */

static void test_print_symbolic(void)
{
    sw_value *o, *b;
    setup_arena();
    CHECK_PRINT(glob("__main__", "P"), "global('__main__', 'P')");
    o = list_of(SW_K_OBJ, 2, glob("__main__", "P"), list_of(SW_K_TUPLE, 0));
    o->sub = SW_OBJ_NEWOBJ;
    sw_v_mutate(AR, o, SW_MUT_BUILD, list_of(SW_K_DICT, 2, S("x"), sw_v_int(AR, 1)), NULL);
    CHECK_PRINT(o, "newobj(global('__main__', 'P'), ()).build({'x': 1})");
    o = list_of(SW_K_OBJ, 2, glob("m", "f"), list_of(SW_K_TUPLE, 1, sw_v_int(AR, 1)));
    o->sub = SW_OBJ_REDUCE;
    sw_v_mutate(AR, o, SW_MUT_APPEND, sw_v_int(AR, 2), NULL);
    sw_v_mutate(AR, o, SW_MUT_SETITEM, S("k"), sw_v_none(AR));
    sw_v_mutate(AR, o, SW_MUT_ADD, o, NULL);
    CHECK_PRINT(o, "&1 reduce(global('m', 'f'), (1,)).append(2).setitem('k', None).add(*1)");
    o = list_of(SW_K_OBJ, 3, glob("m", "C"), list_of(SW_K_TUPLE, 0), list_of(SW_K_DICT, 0));
    o->sub = SW_OBJ_NEWOBJ_EX;
    CHECK_PRINT(o, "newobj_ex(global('m', 'C'), (), {})");
    o = list_of(SW_K_OBJ, 2, glob("m", "C"), list_of(SW_K_TUPLE, 0));
    o->sub = SW_OBJ_INST;
    CHECK_PRINT(o, "inst(global('m', 'C'), ())");
    o->sub = SW_OBJ_OBJ;
    CHECK_PRINT(o, "obj(global('m', 'C'), ())");
    CHECK_PRINT(list_of(SW_K_PERSID, 1, S("p")), "persid('p')");
    b = sw_v_new(AR, SW_K_EXT);
    b->u.i = 65535;
    CHECK_PRINT(b, "ext(65535)");
    b = sw_v_new(AR, SW_K_BUFFER);
    b->u.i = 3;
    CHECK_PRINT(b, "buffer(3)");
    b->sub = 1;
    CHECK_PRINT(b, "readonly_buffer(3)");
    CHECK_PRINT(list_of(SW_K_CODE, 2, sw_v_int(AR, 1), sw_v_strlike(AR, SW_K_BYTES, (const uint8_t *)"c", 1)),
                "code(1, b'c')");
    CHECK_PRINT(list_of(SW_K_CODE, 0), "code()");
    CHECK_PRINT(list_of(SW_K_NAMEDTUPLE, 3, S("P"), list_of(SW_K_TUPLE, 1, S("a")), list_of(SW_K_TUPLE, 1, sw_v_int(AR, 1))),
                "namedtuple('P', ('a',), (1,))");
}

static void test_print_malformed(void)
{
    sw_value *o;
    sw_status st;
    sw_error e;
    setup_arena();
    /* a global with one item cannot be printed (it would not parse back) */
    CU_ASSERT_PTR_NULL(print_v(list_of(SW_K_GLOBAL, 1, S("m")), 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_ARG);
    o = list_of(SW_K_OBJ, 2, glob("m", "f"), list_of(SW_K_TUPLE, 0));
    o->sub = SW_OBJ_REDUCE;
    sw_v_mutate(AR, o, SW_MUT_SETITEM, S("k"), NULL); /* setitem needs two operands */
    CU_ASSERT_PTR_NULL(print_v(o, 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_ARG);
    o = list_of(SW_K_OBJ, 2, glob("m", "f"), list_of(SW_K_TUPLE, 0)); /* sub 0: no form */
    CU_ASSERT_PTR_NULL(print_v(o, 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_ARG);
    CU_ASSERT_PTR_NULL(print_v(list_of(SW_K_DICT, 1, S("k")), 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_ARG);
    /* a cycle through nodes whose identity is not shown has no text */
    o = list_of(SW_K_PERSID, 0);
    sw_v_push(AR, o, o);
    CU_ASSERT_PTR_NULL(print_v(o, 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_UNENCODABLE);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
    o = list_of(SW_K_PERSID, 0);
    sw_v_push(AR, o, list_of(SW_K_NAMEDTUPLE, 3, S("N"), o, list_of(SW_K_TUPLE, 0)));
    CU_ASSERT_PTR_NULL(print_v(list_of(SW_K_LIST, 1, o), 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_UNENCODABLE);
}

static void test_print_nonshown_twice_on_path(void)
{
    /* [#notation.identity] persid P -> list L -> P: P is printed again
     * inside L, and L's second appearance is an alias */
    sw_value *p, *l;
    setup_arena();
    l = list_of(SW_K_LIST, 0);
    p = list_of(SW_K_PERSID, 1, l);
    sw_v_push(AR, l, p);
    CHECK_PRINT(p, "persid(&1 [persid(*1)])");
    CHECK_PRINT(list_of(SW_K_LIST, 2, p, l), "[persid(&1 [persid(*1)]), *1]");
    CHECK_PRINT(list_of(SW_K_LIST, 2, l, p), "[&1 [persid(*1)], persid(*1)]");
    CHECK_RT("persid(&1 [persid(*1)])");
}

/* ---- identity [#notation.identity] ---- */

static void test_print_identity(void)
{
    sw_value *l, *t, *d, *s, *e, *ba, *str;
    setup_arena();
    l = list_of(SW_K_LIST, 0);
    sw_v_push(AR, l, l);
    CHECK_PRINT(l, "&1 [*1]");
    t = list_of(SW_K_TUPLE, 1, sw_v_int(AR, 1));
    CHECK_PRINT(list_of(SW_K_LIST, 2, t, t), "[&1 (1,), *1]");
    /* str, int and the empty tuple never carry anchors */
    str = S("s");
    e = list_of(SW_K_TUPLE, 0);
    CHECK_PRINT(list_of(SW_K_LIST, 4, str, str, e, e), "['s', 's', (), ()]");
    /* empty list/dict/set and bytearray do */
    d = list_of(SW_K_DICT, 0);
    s = list_of(SW_K_SET, 0);
    ba = sw_v_strlike(AR, SW_K_BYTEARRAY, (const uint8_t *)"q", 1);
    CHECK_PRINT(list_of(SW_K_LIST, 6, d, s, ba, ba, s, d), "[&1 {}, &2 set(), &3 bytearray(b'q'), *3, *2, *1]");
    /* numbering follows the text, not the order nodes were made */
    d = list_of(SW_K_DICT, 0);
    l = list_of(SW_K_LIST, 0);
    sw_v_push(AR, d, S("me"));
    sw_v_push(AR, d, d);
    sw_v_push(AR, d, S("l"));
    sw_v_push(AR, d, l);
    sw_v_push(AR, l, d);
    sw_v_push(AR, l, l);
    CHECK_PRINT(d, "&1 {'me': *1, 'l': &2 [*1, *2]}");
    /* a node shared through a non-shown node that is printed twice */
    t = list_of(SW_K_LIST, 0);
    e = list_of(SW_K_PERSID, 1, t);
    CHECK_PRINT(list_of(SW_K_LIST, 2, e, e), "[persid(&1 []), persid(*1)]");
    /* anchors in set members follow the sorted order */
    t = list_of(SW_K_TUPLE, 2, sw_v_int(AR, 9), sw_v_int(AR, 8));
    CHECK_PRINT(list_of(SW_K_LIST, 2, list_of(SW_K_SET, 2, t, list_of(SW_K_TUPLE, 1, sw_v_int(AR, 1))), t),
                "[{(1,), &1 (9, 8)}, *1]");
}

static void test_print_set_key_cycle(void)
{
    /* [#notation.set-order] a member reaching its own set: "..." in its key.
     * A's key is "obj(global('m', 'A'), ()).build({..., obj(global('m', 'B'), ())})"
     * and sorts before B's "obj(global('m', 'B'), ())". */
    sw_value *s, *a, *b;
    setup_arena();
    s = list_of(SW_K_SET, 0);
    b = list_of(SW_K_OBJ, 2, glob("m", "B"), list_of(SW_K_TUPLE, 0));
    b->sub = SW_OBJ_OBJ;
    a = list_of(SW_K_OBJ, 2, glob("m", "A"), list_of(SW_K_TUPLE, 0));
    a->sub = SW_OBJ_OBJ;
    sw_v_mutate(AR, a, SW_MUT_BUILD, s, NULL);
    sw_v_push(AR, s, b);
    sw_v_push(AR, s, a);
    CHECK_PRINT(s, "&1 {obj(global('m', 'A'), ()).build(*1), obj(global('m', 'B'), ())}");
    /* B's key would put it first if A's key did not print '...': make B's
     * name sort between "...", i.e. after "{" of A's state */
    s = list_of(SW_K_SET, 0);
    b = list_of(SW_K_OBJ, 2, glob("m", "A"), list_of(SW_K_TUPLE, 1, sw_v_int(AR, 0)));
    b->sub = SW_OBJ_OBJ;
    a = list_of(SW_K_OBJ, 2, glob("m", "A"), list_of(SW_K_TUPLE, 0));
    a->sub = SW_OBJ_OBJ;
    sw_v_mutate(AR, a, SW_MUT_BUILD, s, NULL);
    sw_v_push(AR, s, b);
    sw_v_push(AR, s, a);
    /* keys: "obj(global('m', 'A'), ()).build({..., obj(global('m', 'A'), (0,))})"
     *   vs  "obj(global('m', 'A'), (0,))": "()" < "(0" */
    CHECK_PRINT(s, "&1 {obj(global('m', 'A'), ()).build(*1), obj(global('m', 'A'), (0,))}");
}

/* ---- limits [#limits.depth] ---- */

static void test_depth(void)
{
    sw_value *v;
    int i;
    sw_status st;
    sw_error e;
    char *got;
    char text[64];
    sw_limits lim;
    sw_arena *small;
    setup_arena();
    v = sw_v_int(AR, 0);
    for (i = 0; i < 10; i++) v = list_of(SW_K_LIST, 1, v);
    got = print_v(v, 10, &st, &e);
    CU_ASSERT_EQUAL(st, SW_OK);
    CU_ASSERT_STRING_EQUAL(got, "[[[[[[[[[[0]]]]]]]]]]");
    free(got);
    CU_ASSERT_PTR_NULL(print_v(v, 9, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(e.status, SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
    /* deep graphs print without recursion */
    v = sw_v_int(AR, 0);
    for (i = 0; i < 100000; i++) v = list_of(SW_K_TUPLE, 1, v);
    {
        sw_buf b;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL(sw_notation_print(v, &b, 100000, &e), SW_OK);
        CU_ASSERT_EQUAL(b.n, 100000 * 3 + 1);
        CU_ASSERT_EQUAL(sw_notation_print(v, &b, 99999, &e), SW_E_LIMIT_DEPTH);
        CU_ASSERT_EQUAL(b.n, 100000 * 3 + 1); /* the failed call appended nothing */
        sw_buf_free(&b);
    }
    /* the parser takes max_depth from the arena */
    memset(&lim, 0, sizeof lim);
    lim.max_depth = 3;
    small = sw_arena_new(NULL, &lim);
    strcpy(text, "[[[1]]]");
    CU_ASSERT_EQUAL(sw_notation_parse(small, text, strlen(text), &v, &e), SW_OK);
    strcpy(text, "[[({1})]]");
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_notation_parse(small, text, strlen(text), &v, &e), SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(e.payload_offset, 3);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
    sw_arena_free(small);
}

static void test_parse_deep(void)
{
    /* 100000 nested lists: no recursion in the parser, default limit 2000 */
    size_t n = 100000, i;
    char *t = (char *)malloc(2 * n + 2);
    sw_value *v;
    sw_error e;
    sw_limits lim;
    sw_arena *big;
    setup_arena();
    for (i = 0; i < n; i++) {
        t[i] = '[';
        t[n + i] = ']';
    }
    t[2 * n] = 0;
    CU_ASSERT_EQUAL(sw_notation_parse(AR, t, 2 * n, &v, &e), SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(e.payload_offset, 2000);
    memset(&lim, 0, sizeof lim);
    lim.max_depth = 200000;
    big = sw_arena_new(NULL, &lim);
    CU_ASSERT_EQUAL(sw_notation_parse(big, t, 2 * n, &v, &e), SW_OK);
    {
        sw_buf b;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL(sw_notation_print(v, &b, 200000, &e), SW_OK);
        CU_ASSERT_EQUAL(b.n, 2 * n);
        CU_ASSERT(b.n == 2 * n && memcmp(b.p, t, 2 * n) == 0);
        sw_buf_free(&b);
    }
    sw_arena_free(big);
    free(t);
}

/* ---- parser [#notation.parse] ---- */

static void test_parse_round_trips(void)
{
    setup_arena();
    CHECK_RT("None");
    CHECK_RT("[True, False, Ellipsis, StopIteration]");
    CHECK_RT("-9223372036854775808");
    CHECK_RT("[inf, -inf, nan, -0.0, 1e+16, 1e-05, 5e-324]");
    CHECK_RT("[float_bits(0x7ff0000000000001), complex(float_bits(0xfff8000000000000), -inf)]");
    CHECK_RT("'\\xe9\\u20ac\\U0001f600\\udc80\\ud800\\t\\n\\r\\\\\\'x'");
    CHECK_RT("[b'', b'\\x00\\xff\\'', bytearray(b''), bytearray(b'z')]");
    CHECK_RT("[(), (1,), (1, 2), [], {}, set(), frozenset(), {1}, frozenset({2})]");
    CHECK_RT("{'k': [1], (1,): {}}");
    CHECK_RT("&1 [*1]");
    CHECK_RT("&1 ([*1],)");
    CHECK_RT("&1 {'self': *1, 'l': &2 [*1, *2]}");
    CHECK_RT("[&1 (1,), *1, &2 bytearray(b''), *2]");
    CHECK_RT("newobj(global('__main__', 'P'), ()).build({'x': 1})");
    CHECK_RT("&1 reduce(global('m', 'f'), (1,)).append(2).setitem('k', None).add(*1)");
    CHECK_RT("[newobj_ex(global('m', 'C'), (), {}), inst(global('m', 'C'), ()), obj(global('m', 'C'), ())]");
    CHECK_RT("[persid('p'), ext(1), buffer(0), readonly_buffer(7), code(), code(1, b'c'), namedtuple('P', ('a',), (1,))]");
    /* [#notation.grammar] spaces between tokens; accepted variants print canonically */
    CHECK_RT2("  [ 1 ,2,\t( 3 , ) , { 'a' :1 } ]\n", "[1, 2, (3,), {'a': 1}]");
    CHECK_RT2("&1[*1]", "&1 [*1]");
    CHECK_RT2("reduce ( global ( 'm' , 'f' ) , ( ) ) . append ( 1 )", "reduce(global('m', 'f'), ()).append(1)");
    CHECK_RT2("{3, 1, 2}", "{1, 2, 3}");
    CHECK_RT2("'\\x41\\u0042\\U00000043'", "'ABC'");
    CHECK_RT2("0x10", "16");
    CHECK_RT2("-0x0", "0");
}

static void test_parse_variants(void)
{
    setup_arena();
    CHECK_RT2("[1.50, 1e5, -0]", "[1.5, 100000.0, 0]");
    CHECK_RT2("[&1 [], &2 []]", "[[], []]"); /* anchors never aliased vanish */
    CHECK_RT2("float_bits(0x3ff0000000000000)", "1.0");
    CHECK_RT2("complex(1.0, nan)", "complex(1.0, nan)");
    CHECK_RT2("{1: 2, 1: 3}", "{1: 2, 1: 3}"); /* the notation keeps what it reads */
}

static void test_parse_errors(void)
{
    setup_arena();
    check_err("", SW_E_SYNTAX, 0);
    check_err("   ", SW_E_SYNTAX, 3);
    check_err("[1, 2", SW_E_SYNTAX, 5);
    check_err("[1 2]", SW_E_SYNTAX, 3);
    check_err("[1,]", SW_E_SYNTAX, 3);
    check_err("(1)", SW_E_SYNTAX, 2);
    check_err("(1, 2,)", SW_E_SYNTAX, 6);
    check_err("(,)", SW_E_SYNTAX, 1);
    check_err("1 2", SW_E_SYNTAX, 2);
    check_err("None x", SW_E_SYNTAX, 5);
    check_err("none", SW_E_SYNTAX, 0);
    check_err("[foo(1)]", SW_E_SYNTAX, 1);
    check_err("01", SW_E_SYNTAX, 1);
    check_err("-", SW_E_SYNTAX, 1);
    check_err("1.", SW_E_SYNTAX, 2);
    check_err("1e", SW_E_SYNTAX, 2);
    check_err("1e+", SW_E_SYNTAX, 3);
    check_err(".5", SW_E_SYNTAX, 0);
    check_err("2E0", SW_E_SYNTAX, 1);
    check_err("& 1 []", SW_E_SYNTAX, 1);
    check_err("0x", SW_E_SYNTAX, 2);
    check_err("0xAB", SW_E_SYNTAX, 2);
    check_err("'abc", SW_E_SYNTAX, 4);
    check_err("'a\\q'", SW_E_SYNTAX, 2);
    check_err("'a\\x4'", SW_E_SYNTAX, 2);
    check_err("'\\u12g4'", SW_E_SYNTAX, 1);
    check_err("'\\U00110000'", SW_E_SYNTAX, 1);
    check_err("'\\'", SW_E_SYNTAX, 3);
    check_err("'\xc3\xa9'", SW_E_SYNTAX, 1);
    check_err("'a\tb'", SW_E_SYNTAX, 2);
    check_err("b'\\u0041'", SW_E_SYNTAX, 2);
    check_err("b'\x80'", SW_E_SYNTAX, 2);
    check_err("{1: 2, 3}", SW_E_SYNTAX, 8);
    check_err("{1, 2: 3}", SW_E_SYNTAX, 5);
    check_err("{1: }", SW_E_SYNTAX, 4);
    check_err("set(1)", SW_E_SYNTAX, 4);
    check_err("frozenset({})", SW_E_SYNTAX, 11);
    check_err("frozenset({1}", SW_E_SYNTAX, 13);
    check_err("frozenset([1])", SW_E_SYNTAX, 10);
    check_err("bytearray('a')", SW_E_SYNTAX, 10);
    check_err("complex(1, 2.0)", SW_E_SYNTAX, 8);
    check_err("complex(1.0)", SW_E_SYNTAX, 11);
    check_err("float_bits(0x7ff)", SW_E_SYNTAX, 13);
    check_err("ext(1.5)", SW_E_SYNTAX, 4);
    check_err("ext(99999999999999999999)", SW_E_SYNTAX, 4);
    check_err("global('m')", SW_E_SYNTAX, 10);
    check_err("global('m', 'n', 'o')", SW_E_SYNTAX, 15);
    check_err("newobj_ex(1, 2)", SW_E_SYNTAX, 14);
    check_err("reduce(1, 2).pop(3)", SW_E_SYNTAX, 13);
    check_err("reduce(1, 2).setitem(3)", SW_E_SYNTAX, 22);
    check_err("reduce(1, 2).append(3, 4)", SW_E_SYNTAX, 21);
    check_err("[1].append(2)", SW_E_SYNTAX, 3);
    check_err("*1", SW_E_SYNTAX, 0);
    check_err("[&1 [], *2]", SW_E_SYNTAX, 8);
    check_err("&2 []", SW_E_SYNTAX, 0);
    check_err("[&1 [], &1 []]", SW_E_SYNTAX, 8);
    check_err("&0 []", SW_E_SYNTAX, 1);
    check_err("&1 *1", SW_E_SYNTAX, 3);
    check_err("&1 5", SW_E_SYNTAX, 3);
    check_err("&1 'x'", SW_E_SYNTAX, 3);
    check_err("[&1 ()]", SW_E_SYNTAX, 4);
    check_err("&1 frozenset()", SW_E_SYNTAX, 3);
    check_err("&1 global('a', 'b')", SW_E_SYNTAX, 3);
    check_err("[&1 ]", SW_E_SYNTAX, 4);
    check_err("\x01", SW_E_SYNTAX, 0);
    check_err("'\\xE9'", SW_E_SYNTAX, 1);
    check_err("float_bits(0x7FF0000000000001)", SW_E_SYNTAX, 13);
    check_err("[1, -0X1]", SW_E_SYNTAX, 6);
    check_err("[\f1]", SW_E_SYNTAX, 1);
    check_err("b 'x'", SW_E_SYNTAX, 0);
    CHECK_RT2("( 1 , )", "(1,)");
    {
        /* [#notation.grammar] a float literal is at most 128 characters */
        char t[200];
        memset(t, '1', sizeof t);
        t[0] = '[';
        t[2] = '.';
        t[129] = ']';
        t[130] = 0;
        CHECK_RT2(t, "[1.1111111111111112]");
        t[129] = '1';
        t[130] = ']';
        t[131] = 0;
        check_err(t, SW_E_SYNTAX, 1);
    }
    {
        /* [#limits.int-digits] more decimal digits than max_int_digits */
        char *t = (char *)malloc(4302 + 3);
        sw_value *v;
        sw_error e;
        t[0] = '[';
        memset(t + 1, '7', 4301);
        t[4302] = ']';
        t[4303] = 0;
        CU_ASSERT_EQUAL(sw_notation_parse(AR, t, 4303, &v, &e), SW_E_LIMIT_INT_DIGITS);
        CU_ASSERT_EQUAL(e.payload_offset, 1);
        CU_ASSERT_EQUAL(sw_notation_parse(AR, t + 1, 4300, &v, &e), SW_OK);
        free(t);
    }
    {
        /* text may hold NUL bytes: they are offending characters too */
        sw_value *v;
        sw_error e;
        CU_ASSERT_EQUAL(sw_notation_parse(AR, "[1\0]", 4, &v, &e), SW_E_SYNTAX);
        CU_ASSERT_EQUAL(e.payload_offset, 2);
        CU_ASSERT_EQUAL(sw_notation_parse(AR, "'\0'", 3, &v, &e), SW_E_SYNTAX);
        CU_ASSERT_EQUAL(e.payload_offset, 1);
    }
}

static void test_parse_shapes(void)
{
    /* what the parser builds [#notation.parse] */
    sw_value *v;
    sw_error e;
    const char *t;
    setup_arena();
    t = "&1 [*1]";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v->kind, SW_K_LIST);
    CU_ASSERT_EQUAL(v->u.c.n, 1);
    CU_ASSERT_PTR_EQUAL(v->u.c.v[0], v);
    t = "newobj_ex(global('m', 'C'), (1,), {}).setitem(1, 2).build(None)";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v->kind, SW_K_OBJ);
    CU_ASSERT_EQUAL(v->sub, SW_OBJ_NEWOBJ_EX);
    CU_ASSERT_EQUAL(v->u.c.n, 3);
    CU_ASSERT_EQUAL(v->u.c.v[0]->kind, SW_K_GLOBAL);
    CU_ASSERT_EQUAL(v->u.c.v[0]->u.c.n, 2);
    CU_ASSERT_EQUAL(v->u.c.v[1]->kind, SW_K_TUPLE);
    CU_ASSERT_EQUAL(v->u.c.v[2]->kind, SW_K_DICT);
    CU_ASSERT_EQUAL(v->u.c.nmut, 2);
    CU_ASSERT_EQUAL(v->u.c.mut[0].op, SW_MUT_SETITEM);
    CU_ASSERT_EQUAL(v->u.c.mut[0].a->u.i, 1);
    CU_ASSERT_EQUAL(v->u.c.mut[0].b->u.i, 2);
    CU_ASSERT_EQUAL(v->u.c.mut[1].op, SW_MUT_BUILD);
    CU_ASSERT_PTR_NULL(v->u.c.mut[1].b);
    t = "'\\udc80\\U0001f600'";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v->kind, SW_K_STR);
    CU_ASSERT_EQUAL(v->u.s.n, 7);
    CU_ASSERT(v->u.s.n == 7 && memcmp(v->u.s.p, "\xed\xb2\x80\xf0\x9f\x98\x80", 7) == 0);
    t = "float_bits(0x7ff0000000000001)";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    {
        uint64_t b;
        memcpy(&b, &v->u.f, 8);
        CU_ASSERT_EQUAL(b, 0x7ff0000000000001ULL);
    }
    t = "-0x10000000000000000";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    CU_ASSERT(v->flags & SW_VF_BIG);
    CU_ASSERT_EQUAL(v->u.big.neg, 1);
    CU_ASSERT_EQUAL(v->u.big.n, 9);
    t = "[readonly_buffer(2), ext(-1)]";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v->u.c.v[0]->kind, SW_K_BUFFER);
    CU_ASSERT_EQUAL(v->u.c.v[0]->sub, 1);
    CU_ASSERT_EQUAL(v->u.c.v[0]->u.i, 2);
    CU_ASSERT_EQUAL(v->u.c.v[1]->u.i, -1);
    t = "{1, 2}";
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, t, strlen(t), &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v->kind, SW_K_SET);
}

/* ---- the vectors ---- */

/* Every line: parse -> print gives the line back; parse -> print -> parse
 * gives an equal graph. Returns the number of lines. */
static size_t vector_file(const char *path)
{
    size_t n = 0, pos = 0, lines = 0, bad = 0;
    uint8_t *buf = sw_test_read_file(path, &n);
    sw_arena *a1 = sw_arena_new(NULL, NULL), *a2 = sw_arena_new(NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT(n > 0 && buf[n - 1] == '\n');
    while (pos < n) {
        size_t end = pos;
        sw_value *v1, *v2;
        sw_error e;
        sw_buf b;
        int ok = 0;
        while (end < n && buf[end] != '\n') end++;
        sw_arena_reset(a1);
        sw_arena_reset(a2);
        sw_buf_init(&b, NULL);
        if (sw_notation_parse(a1, (const char *)buf + pos, end - pos, &v1, &e) != SW_OK) {
            fprintf(stderr, "\n  line %zu: parse %s at %llu: %s\n", lines + 1, sw_status_str(e.status),
                    (unsigned long long)e.payload_offset, e.msg);
        } else if (sw_notation_print(v1, &b, 0, &e) != SW_OK) {
            fprintf(stderr, "\n  line %zu: print %s\n", lines + 1, sw_status_str(e.status));
        } else if (b.n != end - pos || memcmp(b.p, buf + pos, b.n) != 0) {
            fprintf(stderr, "\n  line %zu differs:\n   want %.*s\n   got  %.*s\n", lines + 1, (int)(end - pos > 300 ? 300 : end - pos),
                    (const char *)buf + pos, (int)(b.n > 300 ? 300 : b.n), (const char *)b.p);
        } else if (sw_notation_parse(a2, (const char *)b.p, b.n, &v2, &e) != SW_OK) {
            fprintf(stderr, "\n  line %zu: reparse failed\n", lines + 1);
        } else if (!sw_v_graph_equal(v1, v2, NULL, 0)) {
            fprintf(stderr, "\n  line %zu: graphs differ\n", lines + 1);
        } else {
            ok = 1;
        }
        if (!ok) bad++;
        sw_buf_free(&b);
        lines++;
        pos = end + 1;
    }
    if (bad) fprintf(stderr, "\n  %s: %zu of %zu lines failed\n", path, bad, lines);
    CU_ASSERT_EQUAL(bad, 0);
    sw_arena_free(a1);
    sw_arena_free(a2);
    free(buf);
    return lines;
}

static void test_vectors(void) { CU_ASSERT(vector_file("vectors/notation/values.txt") >= 300); }

/* [#notation.float] repr of every power of two and thousands of others */
static void test_vector_floats(void) { CU_ASSERT(vector_file("vectors/notation/floats.txt") >= 9000); }


/* ---- allocation failure: fail the Nth allocation, N = 1, 2, ... ---- */

typedef struct failer {
    long left; /* allocations allowed before failing; -1 = never fail */
    long live;
} failer;

static void *f_malloc(void *ctx, size_t n)
{
    failer *f = (failer *)ctx;
    void *p;
    if (f->left == 0) return NULL;
    if (f->left > 0) f->left--;
    p = malloc(n ? n : 1);
    if (p) f->live++;
    return p;
}

static void *f_realloc(void *ctx, void *p, size_t o, size_t n)
{
    failer *f = (failer *)ctx;
    (void)o;
    if (f->left == 0) return NULL;
    if (f->left > 0) f->left--;
    return realloc(p, n ? n : 1);
}

static void f_free(void *ctx, void *p, size_t n)
{
    failer *f = (failer *)ctx;
    (void)n;
    if (p) f->live--;
    free(p);
}

static void test_alloc_failures(void)
{
    static const char *text =
        "[&1 {'k': (1, 2.5, 'x'), 'set': {frozenset({3, 1}), (2,), 'a'}}, *1, "
        "reduce(global('m', 'f'), ()).append(*1), 0x1" "000000000000000000000000000000]";
    failer f;
    sw_alloc al;
    long n;
    int done_parse = 0, done_print = 0;
    sw_value *v = NULL;
    char *want;
    sw_status st;
    sw_error e;
    al.ctx = &f;
    al.malloc_fn = f_malloc;
    al.realloc_fn = f_realloc;
    al.free_fn = f_free;
    setup_arena();
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(AR, text, strlen(text), &v, &e), SW_OK);
    want = print_v(v, 0, &st, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    for (n = 0; n < 10000 && !done_parse; n++) {
        sw_arena *ar;
        sw_value *pv;
        f.left = -1;
        f.live = 0;
        ar = sw_arena_new(&al, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ar);
        f.left = n;
        st = sw_notation_parse(ar, text, strlen(text), &pv, &e);
        f.left = -1;
        if (st == SW_OK) {
            char *got = print_v(pv, 0, &st, &e);
            CU_ASSERT(got && strcmp(got, want) == 0);
            free(got);
            done_parse = 1;
        } else {
            CU_ASSERT_EQUAL(st, SW_E_NOMEM);
            CU_ASSERT_PTR_NULL(pv);
        }
        sw_arena_free(ar);
        CU_ASSERT_EQUAL(f.live, 0);
    }
    CU_ASSERT(done_parse);
    for (n = 0; n < 10000 && !done_print; n++) {
        sw_buf b;
        f.left = -1;
        f.live = 0;
        sw_buf_init(&b, &al);
        sw_buf_put(&b, "x", 1);
        f.left = n;
        st = sw_notation_print(v, &b, 0, &e);
        f.left = -1;
        if (st == SW_OK) {
            CU_ASSERT(b.n == strlen(want) + 1 && memcmp(b.p + 1, want, b.n - 1) == 0);
            done_print = 1;
        } else {
            CU_ASSERT_EQUAL(st, SW_E_NOMEM);
            CU_ASSERT_EQUAL(b.n, 1);
        }
        sw_buf_free(&b);
        CU_ASSERT_EQUAL(f.live, 0);
    }
    CU_ASSERT(done_print);
    free(want);
}

/* ---- amplification: an exponential DAG inside a set member ---- */

static void test_expansion(void)
{
    /* t_k = (t_{k-1}, t_{k-1}): the anchored print is linear, but the
     * anchor-free sort key of a set member would be 2**k long
     * [#notation.set-order] */
    sw_value *t = sw_v_int(AR, 0), *s;
    sw_status st;
    sw_error e;
    char *got;
    int k;
    setup_arena();
    for (k = 0; k < 40; k++) t = list_of(SW_K_TUPLE, 2, t, t);
    got = print_v(list_of(SW_K_LIST, 1, t), 0, &st, &e);
    CU_ASSERT_EQUAL(st, SW_OK);
    CU_ASSERT(got && strlen(got) < 2000);
    free(got);
    /* one member needs no key */
    got = print_v(list_of(SW_K_SET, 1, t), 0, &st, &e);
    CU_ASSERT_EQUAL(st, SW_OK);
    free(got);
    s = list_of(SW_K_SET, 2, t, sw_v_int(AR, 1));
    CU_ASSERT_PTR_NULL(print_v(s, 0, &st, &e));
    CU_ASSERT_EQUAL(st, SW_E_LIMIT_EXPANSION);
    CU_ASSERT_EQUAL(e.status, SW_E_LIMIT_EXPANSION);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
    /* nested two-member frozensets: each level's order is computed once
     * [#notation.set-order.memo], so depth 1900 fits the key budget */
    {
        sw_value *f = list_of(SW_K_FROZENSET, 0);
        char *again;
        for (k = 0; k < 1900; k++) f = list_of(SW_K_FROZENSET, 2, sw_v_int(AR, k), f);
        got = print_v(f, 0, &st, &e);
        CU_ASSERT_EQUAL(st, SW_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_EQUAL(strncmp(got, "frozenset({1899, frozenset({1898, ", 34), 0);
        CU_ASSERT_TRUE(round_trip(got, NULL));
        again = print_v(list_of(SW_K_SET, 2, f, S("x")), 0, &st, &e);
        CU_ASSERT_EQUAL(st, SW_OK);
        CU_ASSERT(again && strncmp(again, "{'x', frozenset({1899, ", 23) == 0);
        free(again);
        free(got);
    }
    /* the caller's output cap */
    {
        sw_buf b;
        sw_buf_init(&b, NULL);
        b.max = 10;
        CU_ASSERT_EQUAL(sw_notation_print(list_of(SW_K_LIST, 1, t), &b, 0, &e), SW_E_LIMIT_TOTAL);
        CU_ASSERT_EQUAL(b.n, 0);
        sw_buf_free(&b);
    }
}

/* ---- mutated vectors: the parser never misbehaves, and whatever it
 * accepts prints, reparses to an equal graph and prints the same again ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_mutated_vectors(void)
{
    static const char alphabet[] = "()[]{},:.&*'\\b-0123456789xeu ";
    size_t n = 0, pos = 0, tried = 0, accepted = 0, bad = 0;
    uint8_t *buf = sw_test_read_file("vectors/notation/values.txt", &n);
    sw_arena *a1 = sw_arena_new(NULL, NULL), *a2 = sw_arena_new(NULL, NULL);
    char *m = (char *)malloc(n + 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    while (pos < n) {
        size_t end = pos, len, r;
        while (end < n && buf[end] != '\n') end++;
        len = end - pos;
        for (r = 0; r < 24; r++) {
            size_t ml = len, at = len ? (size_t)(rng() % len) : 0;
            sw_value *v1, *v2;
            sw_error e;
            sw_status st;
            memcpy(m, buf + pos, len);
            switch (rng() % 4) {
            case 0: /* truncate */
                ml = at;
                break;
            case 1: /* delete one byte */
                if (len) {
                    memmove(m + at, m + at + 1, len - at - 1);
                    ml = len - 1;
                }
                break;
            case 2: /* replace one byte */
                if (len) m[at] = alphabet[rng() % (sizeof alphabet - 1)];
                break;
            default: /* insert one byte */
                memmove(m + at + 1, m + at, len - at);
                m[at] = alphabet[rng() % (sizeof alphabet - 1)];
                ml = len + 1;
                break;
            }
            sw_arena_reset(a1);
            sw_arena_reset(a2);
            tried++;
            sw_test_junk(&e, sizeof e);
            st = sw_notation_parse(a1, m, ml, &v1, &e);
            if (st != SW_OK) {
                if (st != SW_E_SYNTAX && st != SW_E_LIMIT_INT_DIGITS) bad++;
                if (e.payload_offset > ml || e.layer != SW_LAYER_NOTATION || v1) bad++;
                continue;
            }
            accepted++;
            {
                sw_buf b1, b2;
                sw_buf_init(&b1, NULL);
                sw_buf_init(&b2, NULL);
                if (sw_notation_print(v1, &b1, 0, &e) != SW_OK ||
                    sw_notation_parse(a2, (const char *)b1.p, b1.n, &v2, &e) != SW_OK ||
                    sw_notation_print(v2, &b2, 0, &e) != SW_OK || b1.n != b2.n ||
                    memcmp(b1.p, b2.p, b1.n) != 0 ||
                    /* sets read out of order are stored as read: equal
                     * graphs only when the mutant was canonical */
                    (b1.n == ml && memcmp(b1.p, m, ml) == 0 && !sw_v_graph_equal(v1, v2, NULL, 0))) {
                    fprintf(stderr, "\n  mutated line not a fixed point: %.*s\n", (int)(ml > 200 ? 200 : ml), m);
                    bad++;
                }
                sw_buf_free(&b1);
                sw_buf_free(&b2);
            }
        }
        pos = end + 1;
    }
    CU_ASSERT(tried > 8000);
    CU_ASSERT(accepted > 100);
    CU_ASSERT_EQUAL(bad, 0);
    free(m);
    free(buf);
    sw_arena_free(a1);
    sw_arena_free(a2);
}

static void test_cleanup(void)
{
    sw_arena_free(AR);
    AR = NULL;
}

static CU_TestInfo tests[] = {
    {"print scalars", test_print_scalars},
    {"print big ints", test_print_big_int},
    {"print strings", test_print_strings},
    {"print containers and set order", test_print_containers},
    {"print symbolic forms", test_print_symbolic},
    {"print malformed nodes", test_print_malformed},
    {"print identity anchors", test_print_identity},
    {"print a non-shown node twice on its path", test_print_nonshown_twice_on_path},
    {"set sort key of a cyclic member", test_print_set_key_cycle},
    {"depth limit", test_depth},
    {"parse deep nesting", test_parse_deep},
    {"parse round trips", test_parse_round_trips},
    {"parse accepted variants", test_parse_variants},
    {"parse errors with offsets", test_parse_errors},
    {"parse shapes", test_parse_shapes},
    {"vectors/notation/values.txt round trip", test_vectors},
    {"vectors/notation/floats.txt round trip", test_vector_floats},
    {"mutated vectors", test_mutated_vectors},
    {"allocation failures", test_alloc_failures},
    {"expansion budget", test_expansion},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_notation(void) { return sw_test_add_suite("notation", tests); }

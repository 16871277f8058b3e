/* The fast paths of issue #8 give what the general paths give: the pickle
 * memo's dense array next to its sparse map, small dicts merging keys by a
 * linear scan and then through a vset, latin-1 bytes in resolve, marshal
 * long digits both ways, and the encoders' memo reserved ahead. Speed is
 * never asserted here (bench/ measures it). */
#include <math.h>

#include "testutil.h"

static sw_arena *ar; /* each test makes and frees its own */

static void arena(void)
{
    ar = sw_arena_new(NULL, NULL);
    CU_ASSERT_FATAL(ar != NULL);
}

/* a pickle built opcode by opcode */
typedef struct pk {
    uint8_t p[4096];
    size_t n;
} pk;

static void put(pk *b, const void *s, size_t n)
{
    CU_ASSERT_FATAL(n <= sizeof b->p - b->n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void op1(pk *b, uint8_t op, int arg)
{
    uint8_t t[2];
    t[0] = op;
    t[1] = (uint8_t)arg;
    put(b, t, arg < 0 ? 1 : 2);
}

static void unicode(pk *b, const char *s)
{
    size_t n = strlen(s);
    uint8_t h[5];
    h[0] = 'X';
    h[1] = (uint8_t)n;
    h[2] = (uint8_t)(n >> 8);
    h[3] = h[4] = 0;
    put(b, h, 5);
    put(b, s, n);
}

static sw_value *decode(const pk *b, sw_status want)
{
    sw_value *v = NULL;
    sw_error e;
    size_t used = 0;
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_pickle_decode(ar, b->p, b->n, NULL, &v, &used, &e), want);
    if (want == SW_OK) CU_ASSERT_EQUAL(used, b->n);
    return v;
}

static int is_int(const sw_value *v, int64_t i)
{
    return v && v->kind == SW_K_INT && !(v->flags & SW_VF_BIG) && v->u.i == i;
}

/* [#pickle.memo] keys in order, out of order, a MEMOIZE landing on a key
 * that is already there, and an in-order key the sparse map already holds:
 * python3 -c "import pickle; print(pickle.loads(P))" gives [12, 11, 9, 10] */
static void test_memo_dense_and_sparse(void)
{
    pk b;
    sw_value *v;
    arena();
    b.n = 0;
    op1(&b, 0x80, 4);
    op1(&b, ']', -1);
    op1(&b, 0x94, -1);                                   /* memo[0] = the list (dense) */
    op1(&b, 'K', 7), op1(&b, 'q', 5), op1(&b, '0', -1);   /* memo[5] = 7 (sparse) */
    op1(&b, 'K', 8), op1(&b, 0x94, -1), op1(&b, '0', -1); /* len(memo) = 2: memo[2] = 8 (sparse) */
    op1(&b, 'K', 9), op1(&b, 'q', 1), op1(&b, '0', -1);   /* memo[1] = 9 (dense) */
    op1(&b, 'K', 10), op1(&b, 0x94, -1), op1(&b, '0', -1); /* len(memo) = 4: memo[4] = 10 */
    op1(&b, 'K', 11), op1(&b, 'q', 2), op1(&b, '0', -1);  /* memo[2] = 11: the sparse entry */
    op1(&b, 'K', 12), op1(&b, 0x94, -1), op1(&b, '0', -1); /* len(memo) = 5: memo[5] = 12 */
    op1(&b, '(', -1);
    op1(&b, 'h', 5), op1(&b, 'h', 2), op1(&b, 'h', 1), op1(&b, 'h', 4);
    op1(&b, 'e', -1);
    op1(&b, '.', -1);
    v = decode(&b, SW_OK);
    CU_ASSERT_FATAL(v != NULL && v->kind == SW_K_LIST && v->u.c.n == 4);
    CU_ASSERT(is_int(v->u.c.v[0], 12));
    CU_ASSERT(is_int(v->u.c.v[1], 11));
    CU_ASSERT(is_int(v->u.c.v[2], 9));
    CU_ASSERT(is_int(v->u.c.v[3], 10));

    /* a GET of a key never put, below and above the dense keys */
    b.n = 0;
    op1(&b, 0x80, 4), op1(&b, 'N', -1), op1(&b, 0x94, -1), op1(&b, 'h', 1), op1(&b, '.', -1);
    decode(&b, SW_E_BAD_MEMO);
    b.n = 0;
    op1(&b, 0x80, 4), op1(&b, 'N', -1), op1(&b, 'q', 3), op1(&b, 'h', 0), op1(&b, '.', -1);
    decode(&b, SW_E_BAD_MEMO);
    sw_arena_free(ar);
}

/* [#value.keys] a dict that grows past the linear scan's 8 keys keeps
 * merging: {1: 'a', 2..8: None, 1.0: 'b'} is {1: 'b', 2..8: None} in
 * python3; a tuple key after scalar ones; one NaN node twice is one key,
 * two NaN nodes are two */
static void test_small_dict_keys(void)
{
    pk b;
    sw_value *v;
    int i;
    static const uint8_t one[9] = {'G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
    static const uint8_t nan[9] = {'G', 0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
    arena();
    b.n = 0;
    op1(&b, 0x80, 4), op1(&b, '}', -1), op1(&b, '(', -1);
    op1(&b, 'K', 1), unicode(&b, "a");
    for (i = 2; i <= 8; i++) op1(&b, 'K', i), op1(&b, 'N', -1);
    put(&b, one, 9), unicode(&b, "b");
    op1(&b, 'u', -1), op1(&b, '.', -1);
    v = decode(&b, SW_OK);
    CU_ASSERT_FATAL(v != NULL && v->kind == SW_K_DICT && v->u.c.n == 16);
    CU_ASSERT(is_int(v->u.c.v[0], 1));
    CU_ASSERT(v->u.c.v[1]->kind == SW_K_STR && v->u.c.v[1]->u.s.n == 1 && v->u.c.v[1]->u.s.p[0] == 'b');

    /* {True: 1, 'k': 2, (1,): 3, 1: 4} is {True: 4, 'k': 2, (1,): 3} */
    b.n = 0;
    op1(&b, 0x80, 4), op1(&b, '}', -1), op1(&b, '(', -1);
    op1(&b, 0x88, -1), op1(&b, 'K', 1);
    unicode(&b, "k"), op1(&b, 'K', 2);
    op1(&b, 'K', 1), op1(&b, 0x85, -1), op1(&b, 'K', 3);
    op1(&b, 'K', 1), op1(&b, 'K', 4);
    op1(&b, 'u', -1), op1(&b, '.', -1);
    v = decode(&b, SW_OK);
    CU_ASSERT_FATAL(v != NULL && v->kind == SW_K_DICT && v->u.c.n == 6);
    CU_ASSERT(v->u.c.v[0]->kind == SW_K_BOOL);
    CU_ASSERT(is_int(v->u.c.v[1], 4));
    CU_ASSERT(v->u.c.v[4]->kind == SW_K_TUPLE);

    /* {nan_a: 1, nan_a: 2, nan_b: 3} with nan_a memoized: 2 keys */
    b.n = 0;
    op1(&b, 0x80, 4), op1(&b, '}', -1), op1(&b, '(', -1);
    put(&b, nan, 9), op1(&b, 'q', 9), op1(&b, 'K', 1);
    op1(&b, 'h', 9), op1(&b, 'K', 2);
    put(&b, nan, 9), op1(&b, 'K', 3);
    op1(&b, 'u', -1), op1(&b, '.', -1);
    v = decode(&b, SW_OK);
    CU_ASSERT_FATAL(v != NULL && v->kind == SW_K_DICT && v->u.c.n == 4);
    CU_ASSERT(isnan(v->u.c.v[0]->u.f) && is_int(v->u.c.v[1], 2));
    CU_ASSERT(v->u.c.v[2] != v->u.c.v[0] && is_int(v->u.c.v[3], 3));

    /* strict mode still reports the merge in a small dict */
    {
        sw_pickle_opts o;
        sw_error e;
        sw_pickle_opts_default(&o);
        o.mode = SW_MODE_STRICT;
        b.n = 0;
        op1(&b, 0x80, 4), op1(&b, '}', -1), op1(&b, '(', -1);
        op1(&b, 'K', 1), op1(&b, 'N', -1), op1(&b, 0x88, -1), op1(&b, 'N', -1);
        op1(&b, 'u', -1), op1(&b, '.', -1);
        sw_test_junk(&e, sizeof e);
        CU_ASSERT_EQUAL(sw_pickle_decode(ar, b.p, b.n, &o, &v, NULL, &e), SW_E_DUP_KEY);
        CU_ASSERT_EQUAL(e.offset, b.n - 2); /* at SETITEMS */
    }
    sw_arena_free(ar);
}

/* [#pickle.resolve] protocol 2 bytes: _codecs.encode(str, 'latin1') over
 * ASCII runs (8 at a time), U+0080..U+00FF, and a str with U+0100, which
 * CPython fails to encode and sparkwire keeps symbolic */
static void test_latin1_bytes(void)
{
    static const char *texts[] = {"", "abc", "abcdefghijklmnopq", "\xc3\xa9", "abcdefgh\xc2\x80xyz\xc3\xbf",
                                  "\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf\xc3\xbf", "a\xc4\x80",
                                  "abcdefghijk\xe2\x82\xac"};
    static const char *want[] = {"", "abc", "abcdefghijklmnopq", "\xe9", "abcdefgh\x80xyz\xff",
                                 "\xff\xff\xff\xff\xff\xff\xff\xff\xff", NULL, NULL};
    size_t i;
    arena();
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        pk b;
        sw_value *v;
        b.n = 0;
        op1(&b, 0x80, 2);
        put(&b, "c_codecs\nencode\n", 16);
        unicode(&b, texts[i]);
        unicode(&b, "latin1");
        op1(&b, 0x86, -1), op1(&b, 'R', -1), op1(&b, '.', -1);
        v = decode(&b, SW_OK);
        CU_ASSERT_FATAL(v != NULL);
        if (want[i]) {
            CU_ASSERT(v->kind == SW_K_BYTES && v->u.s.n == strlen(want[i]) &&
                      memcmp(v->u.s.p, want[i], v->u.s.n) == 0);
        } else {
            CU_ASSERT(v->kind == SW_K_OBJ);
        }
    }
    sw_arena_free(ar);
}

/* [#marshal.long] ints of 1..600 bits, both signs: the TYPE_LONG digits
 * match a bit-by-bit reference and decode back to the same int */
static void test_marshal_long_digits(void)
{
    int bits, neg;
    arena();
    for (bits = 1; bits <= 600; bits += (bits < 80 ? 1 : 7)) {
        for (neg = 0; neg < 2; neg++) {
            uint8_t mag[80];
            size_t nb = ((size_t)bits + 7) / 8, nd = ((size_t)bits + 14) / 15, i;
            sw_value *v, *back = NULL;
            sw_buf out;
            sw_marshal_enc_opts o;
            sw_error e;
            memset(mag, 0, sizeof mag);
            for (i = 0; i < nb; i++) mag[i] = (uint8_t)(0x5a ^ (i * 37));
            mag[nb - 1] &= (uint8_t)(0xff >> (8 * nb - (size_t)bits));
            mag[nb - 1] |= (uint8_t)(1u << ((bits - 1) % 8)); /* exactly `bits` bits */
            v = sw_v_int_mag(ar, neg, mag, nb);
            CU_ASSERT_FATAL(v != NULL);
            sw_marshal_enc_opts_default(&o);
            sw_buf_init(&out, NULL);
            CU_ASSERT_EQUAL_FATAL(sw_marshal_encode(v, &o, &out, &e), SW_OK);
            if (bits > 32) CU_ASSERT_EQUAL(out.p[0] & 0x7f, 'l');
            if ((out.p[0] & 0x7f) == 'l') {
                /* 'l', int32 digit count (negative for negative ints), 15-bit digits */
                int32_t cnt;
                cnt = (int32_t)((uint32_t)out.p[1] | (uint32_t)out.p[2] << 8 | (uint32_t)out.p[3] << 16 |
                                (uint32_t)out.p[4] << 24);
                CU_ASSERT_EQUAL(cnt, neg ? -(int32_t)nd : (int32_t)nd);
                CU_ASSERT_EQUAL(out.n, 5 + 2 * nd);
                for (i = 0; i < nd && out.n == 5 + 2 * nd; i++) {
                    unsigned d = 0, k;
                    for (k = 0; k < 15; k++) {
                        size_t bit = i * 15 + k;
                        if (bit / 8 < nb && (mag[bit / 8] >> (bit % 8) & 1)) d |= 1u << k;
                    }
                    CU_ASSERT_EQUAL((unsigned)(out.p[5 + 2 * i] | out.p[6 + 2 * i] << 8), d);
                }
            }
            CU_ASSERT_EQUAL(sw_marshal_decode(ar, out.p, out.n, NULL, &back, NULL, &e), SW_OK);
            CU_ASSERT(back != NULL && sw_v_pyeq(v, back, 0) == 1);
            sw_buf_free(&out);
        }
    }
    sw_arena_free(ar);
}

/* the pickle encoder's memo (reserved for a long batch list) writes what it
 * wrote before: one shared str in a 3000-item list is memoized once and
 * fetched back, and the bytes decode to the same graph */
static void test_encode_memo_reserved(void)
{
    sw_value *l, *s, *back = NULL;
    sw_buf out;
    sw_pickle_enc_opts o;
    sw_error e;
    int i, p;
    arena();
    l = sw_v_container(ar, SW_K_LIST, 0);
    s = sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"shared", 6);
    CU_ASSERT_FATAL(l != NULL && s != NULL);
    for (i = 0; i < 3000; i++) {
        sw_value *t = sw_v_container(ar, SW_K_TUPLE, 2);
        CU_ASSERT_FATAL(t != NULL);
        CU_ASSERT_EQUAL_FATAL(sw_v_push(ar, t, sw_v_int(ar, i)), SW_OK);
        CU_ASSERT_EQUAL_FATAL(sw_v_push(ar, t, s), SW_OK);
        CU_ASSERT_EQUAL_FATAL(sw_v_push(ar, l, t), SW_OK);
    }
    for (p = 0; p <= 5; p++) {
        sw_pickle_enc_opts_default(&o);
        o.protocol = p;
        sw_buf_init(&out, NULL);
        CU_ASSERT_EQUAL_FATAL(sw_pickle_encode(l, &o, &out, &e), SW_OK);
        CU_ASSERT_EQUAL(sw_pickle_decode(ar, out.p, out.n, NULL, &back, NULL, &e), SW_OK);
        CU_ASSERT(back != NULL && sw_v_graph_equal(l, back, NULL, 0));
        sw_buf_free(&out);
    }
    sw_arena_free(ar);
}

static CU_TestInfo tests[] = {
    {"memo: dense array and sparse map", test_memo_dense_and_sparse},
    {"small dicts: linear key merge, then the vset", test_small_dict_keys},
    {"resolve: latin-1 bytes", test_latin1_bytes},
    {"marshal long digits", test_marshal_long_digits},
    {"pickle encode: memo reserved for a batch", test_encode_memo_reserved},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_perf_paths(void)
{
    return sw_test_add_suite("perf_paths", tests);
}

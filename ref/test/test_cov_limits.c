/* Output limits [#limits.total]: the pickle and marshal encoders with
 * limits.max_total_bytes = 1 .. len-1 fail with limit_total and succeed at
 * len with the same bytes; the notation printer with a buffer max; the stream
 * encoders writing into a bounded buffer stop with limit_total and leave a
 * prefix of the full stream [#io.sink]. */
#include <stdlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

static const char graph[] =
    "[1, -5, 123456789012345678901234567890, 1.5, complex(1.0, 2.0), 'str', 'caf\\xe9', b'bytes', "
    "bytearray(b'ba'), (1, 2), {'k': [1, 2], 3: None}, {1, 2, 3}, frozenset({4}), True, None, &1 [*1], "
    "global('m', 'n'), global('a.b', 'c.d'), reduce(global('m', 'f'), (1,)).build({'a': 1}), Ellipsis, (), "
    "newobj(global('m', 'C'), ('x',)).append(1).setitem(2, 3), [1, 2, 3, 4, 5, 6], (1, 2, 3, 4), "
    "{'a': 1, 'b': 2, 'c': 3}, {7, 8, 9, 10}, 'a longer string that takes more than a few bytes'] ";
static const char marshal_graph[] =
    "[1, -5, 123456789012345678901234567890, 1.5, complex(1.0, 2.0), 'str', 'caf\\xe9', b'bytes', "
    "(1, 2), {'k': [1, 2], 3: None}, {1, 2, 3}, frozenset({4}), True, None, Ellipsis, StopIteration, (), "
    "&1 [7], *1]";

static sw_value *parse(sw_arena *ar, const char *text)
{
    sw_value *v = NULL;
    sw_error e;
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(ar, text, strlen(text), &v, &e), SW_OK);
    return v;
}

static sw_status encode(const sw_value *v, int marshal, int version, uint64_t max, sw_buf *out, sw_error *e)
{
    sw_test_junk(e, sizeof *e);
    if (marshal) {
        sw_marshal_enc_opts o;
        sw_marshal_enc_opts_default(&o);
        o.version = version;
        o.limits.max_total_bytes = max;
        return sw_marshal_encode(v, &o, out, e);
    } else {
        sw_pickle_enc_opts o;
        sw_pickle_enc_opts_default(&o);
        o.protocol = version;
        o.limits.max_total_bytes = max;
        return sw_pickle_encode(v, &o, out, e);
    }
}

static void sweep_codec(int marshal, int version, const sw_value *v)
{
    sw_buf full, b;
    sw_error e;
    uint64_t max;
    unsigned bad = 0;
    sw_buf_init(&full, NULL);
    CU_ASSERT_EQUAL_FATAL(encode(v, marshal, version, 0, &full, &e), SW_OK);
    for (max = 1; max < full.n; max++) {
        sw_status st;
        sw_buf_init(&b, NULL);
        st = encode(v, marshal, version, max, &b, &e);
        if (st != SW_E_LIMIT_TOTAL || e.status != st || e.layer != (marshal ? SW_LAYER_MARSHAL : SW_LAYER_PICKLE)) {
            if (bad++ < 3)
                fprintf(stderr, "\n  %s %d max %llu: %s", marshal ? "marshal" : "pickle", version,
                        (unsigned long long)max, sw_status_str(st));
        }
        sw_buf_free(&b);
    }
    CU_ASSERT_EQUAL(bad, 0u);
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(encode(v, marshal, version, full.n, &b, &e), SW_OK);
    CU_ASSERT(b.n == full.n && memcmp(b.p, full.p, full.n) == 0);
    sw_buf_free(&b);
    sw_buf_free(&full);
}

static void test_pickle_output_limit(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v = parse(ar, graph);
    int proto;
    for (proto = 0; proto <= 5; proto++) sweep_codec(0, proto, v);
    sw_arena_free(ar);
}

static void test_marshal_output_limit(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v = parse(ar, marshal_graph);
    int version;
    for (version = 0; version <= 4; version++) sweep_codec(1, version, v);
    sw_arena_free(ar);
}

/* marshal into a buffer with a max (sw_buf: "exceeding it is limit_total"):
 * every write can fail; the buffer is left as it was, prefix included. (The
 * pickle encoder, and marshal versions 0-1 writing a float as text, say nomem
 * there: coverage-findings F10.) */
static void test_marshal_buffer_max(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v = parse(ar, marshal_graph);
    int version;
    for (version = 2; version <= 4; version++) {
        sw_buf full, b;
        sw_error e;
        sw_marshal_enc_opts o;
        size_t max;
        unsigned bad = 0;
        sw_marshal_enc_opts_default(&o);
        o.version = version;
        sw_buf_init(&full, NULL);
        CU_ASSERT_EQUAL_FATAL(sw_marshal_encode(v, &o, &full, &e), SW_OK);
        for (max = 3; max < full.n + 3; max++) {
            sw_status st;
            sw_buf_init(&b, NULL);
            sw_buf_puts(&b, "pre");
            b.max = max;
            sw_test_junk(&e, sizeof e);
            st = sw_marshal_encode(v, &o, &b, &e);
            if (st != SW_E_LIMIT_TOTAL || e.status != st || e.layer != SW_LAYER_MARSHAL || b.n != 3 ||
                memcmp(b.p, "pre", 3) != 0) {
                if (bad++ < 3)
                    fprintf(stderr, "\n  marshal %d max %u: %s layer %s n %u", version, (unsigned)max,
                            sw_status_str(st), sw_layer_str(e.layer), (unsigned)b.n);
            }
            sw_buf_free(&b);
        }
        CU_ASSERT_EQUAL(bad, 0u);
        sw_buf_init(&b, NULL);
        sw_buf_puts(&b, "pre");
        b.max = full.n + 3;
        CU_ASSERT_EQUAL(sw_marshal_encode(v, &o, &b, &e), SW_OK);
        CU_ASSERT(b.n == full.n + 3 && memcmp(b.p + 3, full.p, full.n) == 0);
        sw_buf_free(&b);
        sw_buf_free(&full);
    }
    sw_arena_free(ar);
}

/* [#notation] the printer into a buffer with a max: limit_total, layer notation */
static void test_notation_buffer_max(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v = parse(ar, graph);
    sw_buf full, b;
    sw_error e;
    uint64_t max;
    unsigned bad = 0;
    sw_buf_init(&full, NULL);
    CU_ASSERT_EQUAL_FATAL(sw_notation_print(v, &full, 0, &e), SW_OK);
    for (max = 1; max < full.n; max++) {
        sw_status st;
        sw_buf_init(&b, NULL);
        b.max = max;
        sw_test_junk(&e, sizeof e);
        st = sw_notation_print(v, &b, 0, &e);
        if (st != SW_E_LIMIT_TOTAL || e.status != st || e.layer != SW_LAYER_NOTATION || b.n > max ||
            memcmp(b.p ? b.p : (const uint8_t *)"", full.p, b.n) != 0)
            bad++;
        sw_buf_free(&b);
    }
    CU_ASSERT_EQUAL(bad, 0u);
    sw_buf_init(&b, NULL);
    b.max = full.n;
    CU_ASSERT_EQUAL(sw_notation_print(v, &b, 0, &e), SW_OK);
    CU_ASSERT(b.n == full.n && memcmp(b.p, full.p, full.n) == 0);
    sw_buf_free(&b);
    sw_buf_free(&full);
    sw_arena_free(ar);
}

/* stream encoders into a bounded buffer: every stop is limit_total with a
 * prefix of the full stream written */
static sw_status encode_stream(const char *spec, const sw_value *items, uint64_t max, sw_buf *b, sw_error *e)
{
    sw_serializer *s;
    sw_sink k;
    sw_encoder *enc;
    sw_stream_opts o;
    sw_status st;
    size_t i;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, e), SW_OK);
    sw_stream_opts_default(&o);
    sw_buf_init(b, NULL);
    b->max = max;
    sw_sink_buf(&k, b);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, &o, &enc), SW_OK);
    sw_test_junk(e, sizeof *e);
    st = SW_OK;
    for (i = 0; i < items->u.c.n && st == SW_OK; i++) st = sw_encoder_put(enc, items->u.c.v[i], e);
    if (st == SW_OK) st = sw_encoder_finish(enc, e);
    sw_encoder_free(enc);
    sw_ser_free(s, NULL);
    return st;
}

static void test_stream_sink_limit(void)
{
    static const struct {
        const char *spec, *items;
    } k[] = {
        {"PickleSerializer()", "[1, 'a', [2, 3]]"},
        {"NoOpSerializer()", "[b'abc', bytearray(b'de'), b'']"},
        {"MarshalSerializer()", "[1, 'a', [2, 3]]"},
        {"BatchedSerializer(PickleSerializer(), 2)", "[1, 'a', [2], {3: 4}, (5,)]"},
        {"BatchedSerializer(PickleSerializer(), -1)", "[1, 2, 3]"},
        {"AutoBatchedSerializer(PickleSerializer(), bestSize=10)", "[1, 'a', [2], {3: 4}, (5,), 6, 7]"},
        {"FlattenedValuesSerializer(PickleSerializer(), 2)", "[('k', [1, 2, 3]), ('j', (4,))]"},
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(MarshalSerializer(), 2))",
         "[(1, 'a'), (2, 'b'), (3, 'c')]"},
        {"PairDeserializer(PickleSerializer(), MarshalSerializer())", "[(1, 'a'), (2, 'b')]"},
        {"CompressedSerializer(PickleSerializer())", "[1, 'a', [2, 3]]"},
        {"AutoSerializer()", "[1, 'a', global('m', 'n'), 2]"},
        {"ChunkedStream(4)", "[b'abcdefghij', b'', bytearray(b'xyz')]"},
        {"UTF8Deserializer(True)", "['abc', None, 'd']"},
        {"UTF8Deserializer(False)", "[b'abc', None]"},
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof *k; i++) {
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_value *items = parse(ar, k[i].items);
        sw_buf full, b;
        sw_error e;
        uint64_t max;
        unsigned bad = 0;
        CU_ASSERT_EQUAL_FATAL(encode_stream(k[i].spec, items, 0, &full, &e), SW_OK);
        for (max = 1; max < full.n; max++) {
            sw_status st = encode_stream(k[i].spec, items, max, &b, &e);
            if (st != SW_E_LIMIT_TOTAL || e.status != st || b.n > max ||
                memcmp(b.p ? b.p : (const uint8_t *)"", full.p, b.n) != 0) {
                if (bad++ < 2)
                    fprintf(stderr, "\n  %s max %llu: %s (%s) %u bytes", k[i].spec, (unsigned long long)max,
                            sw_status_str(st), st == SW_OK ? "" : e.msg, (unsigned)b.n);
            }
            sw_buf_free(&b);
        }
        CU_ASSERT_EQUAL(bad, 0u);
        CU_ASSERT_EQUAL(encode_stream(k[i].spec, items, full.n, &b, &e), SW_OK);
        CU_ASSERT(b.n == full.n && memcmp(b.p, full.p, full.n) == 0);
        sw_buf_free(&b);
        sw_buf_free(&full);
        sw_arena_free(ar);
    }
}

/* [#pickle.encode] malformed symbolic nodes built through the API are
 * unencodable, layer pickle, nothing appended, payload_offset at the node */
static sw_value *obj(sw_arena *ar, int sub, sw_value *callable, sw_value *args)
{
    sw_value *o = sw_v_container(ar, SW_K_OBJ, 2);
    if (callable) sw_v_push(ar, o, callable);
    if (args) sw_v_push(ar, o, args);
    o->sub = (uint8_t)sub;
    return o;
}

static void test_pickle_malformed_nodes(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *bad[12];
    const int proto[12] = {2, 2, 2, 2, 2, 2, 2, 2, 5, 4, 2, 2};
    size_t i, nb = 0;
    sw_value *g = parse(ar, "global('m', 'f')"), *t = parse(ar, "(1,)");
    sw_value *x;
    /* a dict with an odd item count */
    x = sw_v_container(ar, SW_K_DICT, 3);
    sw_v_push(ar, x, sw_v_int(ar, 1));
    sw_v_push(ar, x, sw_v_int(ar, 2));
    sw_v_push(ar, x, sw_v_int(ar, 3));
    bad[nb++] = x;
    /* persid of two items, namedtuple of two */
    x = sw_v_container(ar, SW_K_PERSID, 2);
    sw_v_push(ar, x, sw_v_int(ar, 1));
    sw_v_push(ar, x, sw_v_int(ar, 2));
    bad[nb++] = x;
    x = sw_v_container(ar, SW_K_NAMEDTUPLE, 2);
    sw_v_push(ar, x, parse(ar, "'P'"));
    sw_v_push(ar, x, parse(ar, "('x',)"));
    bad[nb++] = x;
    bad[nb++] = obj(ar, 9, g, t);                           /* unknown form */
    bad[nb++] = obj(ar, SW_OBJ_REDUCE, g, NULL);            /* no arguments */
    bad[nb++] = obj(ar, SW_OBJ_INST, g, parse(ar, "[1]"));  /* INST arguments not a tuple */
    bad[nb++] = obj(ar, SW_OBJ_INST, t, t);                 /* INST of a non-global */
    bad[nb++] = obj(ar, SW_OBJ_INST, parse(ar, "global('m', 'f')"), t);
    bad[nb - 1]->u.c.v[0]->u.c.v[1] = sw_v_int(ar, 7);      /* INST global with an int name */
    bad[nb++] = parse(ar, "buffer(1)");                     /* NEXT_BUFFER out of order */
    bad[nb++] = parse(ar, "buffer(0)");                     /* below protocol 5 */
    x = sw_v_container(ar, SW_K_CODE, 0);                   /* a marshal code object */
    bad[nb++] = x;
    x = sw_v_container(ar, SW_K_GLOBAL, 1);                 /* a global of one item */
    sw_v_push(ar, x, parse(ar, "'m'"));
    bad[nb++] = x;
    for (i = 0; i < nb; i++) {
        sw_value *list = sw_v_container(ar, SW_K_LIST, 2);
        sw_pickle_enc_opts o;
        sw_buf b;
        sw_error e;
        sw_status st;
        sw_v_push(ar, list, sw_v_int(ar, 1));
        sw_v_push(ar, list, bad[i]);
        sw_pickle_enc_opts_default(&o);
        o.protocol = proto[i];
        sw_buf_init(&b, NULL);
        sw_buf_puts(&b, "pre");
        sw_test_junk(&e, sizeof e);
        st = sw_pickle_encode(list, &o, &b, &e);
        if (st != SW_E_UNENCODABLE || e.layer != SW_LAYER_PICKLE || b.n != 3)
            fprintf(stderr, "\n  malformed %u: %s layer %s n %u (%s)", (unsigned)i, sw_status_str(st),
                    sw_layer_str(e.layer), (unsigned)b.n, st ? e.msg : "");
        CU_ASSERT_EQUAL(st, SW_E_UNENCODABLE);
        CU_ASSERT_EQUAL(e.layer, SW_LAYER_PICKLE);
        CU_ASSERT_EQUAL(b.n, 3u);
        /* before the node: `80 02 ] q\0 ( K\1` (8 bytes), from protocol 4 with
         * a FRAME header and MEMOIZE (16) */
        if (i == 7) { /* found after MARK and the arguments were written (coverage-findings F14) */
            CU_ASSERT(e.payload_offset >= 8 && e.payload_offset <= 11);
        } else {
            CU_ASSERT_EQUAL(e.payload_offset, proto[i] >= 4 ? 16u : 8u);
        }
        sw_buf_free(&b);
    }
    sw_arena_free(ar);
}

static CU_TestInfo tests[] = {
    {"pickle encoder refuses malformed nodes", test_pickle_malformed_nodes},
    {"pickle output over max_total_bytes, protocols 0-5", test_pickle_output_limit},
    {"marshal output over max_total_bytes, versions 0-4", test_marshal_output_limit},
    {"marshal into a bounded buffer", test_marshal_buffer_max},
    {"notation printed into a bounded buffer", test_notation_buffer_max},
    {"stream encoders writing into a bounded buffer", test_stream_sink_limit},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cov_limits(void) { return sw_test_add_suite("cov_limits", tests); }

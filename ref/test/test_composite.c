/* Composite serializers over NoOp payloads, so they are tested apart from
 * the payload codecs: Batched iteration, Pair, Cartesian, Compressed, zlib
 * limits [#ser.batched] [#ser.pair] [#ser.cartesian] [#ser.compressed]. */
#include <stdlib.h>
#include <zlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

typedef struct res {
    sw_status st;
    sw_error err;
    int n;
    char items[32][64];
} res;

static void dec(const char *spec, sw_mode mode, const sw_buf *b, res *r, const sw_limits *lim)
{
    sw_serializer *s = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    sw_stream_opts o;
    sw_error e;
    memset(r, 0, sizeof *r);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, &e), SW_OK);
    sw_stream_opts_default(&o);
    o.mode = mode;
    if (lim) o.limits = *lim;
    sw_source_mem(&src, b->p, b->n);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &o, &d), SW_OK);
    for (;;) {
        sw_value *v;
        sw_test_junk(&r->err, sizeof r->err);
        r->st = sw_decoder_next(d, &v, &r->err);
        if (r->st != SW_OK) break;
        if (r->n < 32) snprintf(r->items[r->n], sizeof r->items[0], "%s", sw_test_notation(v));
        r->n++;
    }
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
}

static void frame(sw_buf *b, const void *p, size_t n)
{
    sw_sink k;
    sw_sink_buf(&k, b);
    CU_ASSERT_EQUAL_FATAL(sw_write_with_length(&k, (const uint8_t *)p, n), SW_OK);
}

static void test_batched_iterates_bytes(void)
{
    sw_buf b;
    res r;
    sw_buf_init(&b, NULL);
    frame(&b, "AB", 2);
    frame(&b, "", 0);
    frame(&b, "C", 1);
    /* bytes batches iterate as ints (chain.from_iterable) */
    dec("BatchedSerializer(NoOpSerializer(), 2)", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 3);
    CU_ASSERT_STRING_EQUAL(r.items[0], "65");
    CU_ASSERT_STRING_EQUAL(r.items[2], "67");
    /* strict: a batch must be a list */
    dec("BatchedSerializer(NoOpSerializer(), 2)", SW_MODE_STRICT, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_TYPE);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_BATCH);
    CU_ASSERT_EQUAL(r.err.offset, 0u);
    sw_buf_free(&b);
}

static void test_batched_null_frame(void)
{
    sw_buf b;
    sw_sink k;
    res r;
    sw_buf_init(&b, NULL);
    frame(&b, "A", 1);
    sw_sink_buf(&k, &b);
    sw_write_int(&k, SW_NULL);
    /* iterating None: TypeError */
    dec("BatchedSerializer(NoOpSerializer(), 2)", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.n, 1);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_TYPE);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_TYPEERROR);
    CU_ASSERT_EQUAL(r.err.offset, 5u);
    CU_ASSERT_EQUAL(r.err.item, 1u);
    sw_buf_free(&b);
}

static void test_pair(void)
{
    sw_buf b;
    res r;
    sw_buf_init(&b, NULL);
    frame(&b, "ab", 2);
    frame(&b, "xy", 2);
    frame(&b, "c", 1);
    frame(&b, "z", 1);
    dec("PairDeserializer(BatchedSerializer(NoOpSerializer(), 2), BatchedSerializer(NoOpSerializer(), 2))",
        SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 3);
    CU_ASSERT_STRING_EQUAL(r.items[0], "(97, 120)");
    CU_ASSERT_STRING_EQUAL(r.items[2], "(99, 122)");
    /* non-batching members: each frame is a batch of one */
    dec("PairDeserializer(NoOpSerializer(), NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.n, 2);
    CU_ASSERT_STRING_EQUAL(r.items[0], "(b'ab', b'xy')");
    CU_ASSERT_STRING_EQUAL(r.items[1], "(b'c', b'z')");
    /* unequal batches: ValueError */
    frame(&b, "pq", 2);
    frame(&b, "r", 1);
    dec("PairDeserializer(BatchedSerializer(NoOpSerializer(), 2), BatchedSerializer(NoOpSerializer(), 2))",
        SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.n, 3);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_MISMATCH);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_VALUEERROR);
    CU_ASSERT_EQUAL(r.err.offset, 22u);
    /* key batch without a value batch: ends (pyspark), batch_mismatch (strict) */
    b.n = 0;
    frame(&b, "ab", 2);
    dec("PairDeserializer(NoOpSerializer(), NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 0);
    dec("PairDeserializer(NoOpSerializer(), NoOpSerializer())", SW_MODE_STRICT, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_MISMATCH);
    sw_buf_free(&b);
}

static void test_cartesian(void)
{
    sw_buf b;
    res r;
    sw_limits lim;
    sw_buf_init(&b, NULL);
    frame(&b, "ab", 2);
    frame(&b, "xyz", 3);
    dec("CartesianDeserializer(BatchedSerializer(NoOpSerializer(), 2), BatchedSerializer(NoOpSerializer(), 3))",
        SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 6);
    CU_ASSERT_STRING_EQUAL(r.items[0], "(97, 120)");
    CU_ASSERT_STRING_EQUAL(r.items[5], "(98, 122)");
    sw_limits_default(&lim);
    lim.max_expansion = 5;
    dec("CartesianDeserializer(BatchedSerializer(NoOpSerializer(), 2), BatchedSerializer(NoOpSerializer(), 3))",
        SW_MODE_PYSPARK, &b, &r, &lim);
    CU_ASSERT_EQUAL(r.st, SW_E_LIMIT_EXPANSION);
    sw_buf_free(&b);
}

static void test_compressed(void)
{
    sw_buf b;
    res r;
    uint8_t z[256], big[100000];
    uLongf zn = sizeof z;
    sw_limits lim;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zn, (const Bytef *)"hello", 5, 1), Z_OK);
    frame(&b, z, zn);
    dec("CompressedSerializer(NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 1);
    CU_ASSERT_STRING_EQUAL(r.items[0], "b'hello'");
    /* truncated zlib data: zlib.error -5 */
    b.n = 0;
    frame(&b, z, zn - 3);
    dec("CompressedSerializer(NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_TRUNCATED_PAYLOAD);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_ZLIB);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_ZLIBERROR);
    /* garbage: zlib.error -3 */
    b.n = 0;
    frame(&b, "garbage!", 8);
    dec("CompressedSerializer(NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_ZLIB);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    /* trailing bytes after the zlib stream: ignored, strict rejects */
    b.n = 0;
    memcpy(z + zn, "xx", 2);
    frame(&b, z, zn + 2);
    dec("CompressedSerializer(NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.n, 1);
    dec("CompressedSerializer(NoOpSerializer())", SW_MODE_STRICT, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_TRAILING);
    CU_ASSERT_EQUAL(r.err.offset, 4u + zn);
    /* a bomb: 100000 zeros in a few hundred bytes; limit 1000 */
    memset(big, 0, sizeof big);
    zn = sizeof z;
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zn, big, sizeof big, 9), Z_OK);
    b.n = 0;
    frame(&b, z, zn);
    sw_limits_default(&lim);
    lim.max_inflated_bytes = 1000;
    dec("CompressedSerializer(NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, &lim);
    CU_ASSERT_EQUAL(r.st, SW_E_LIMIT_INFLATE);
    sw_buf_free(&b);
}

static void test_compressed_encode_matches_zlib(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_serializer *s;
    sw_encoder *enc;
    sw_buf b;
    sw_sink k;
    sw_error e;
    uint8_t z[256];
    uLongf zn = sizeof z;
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("CompressedSerializer(NoOpSerializer())", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, NULL, &enc), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, sw_v_strlike(ar, SW_K_BYTES, (const uint8_t *)"hello hello", 11), &e), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_finish(enc, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zn, (const Bytef *)"hello hello", 11, 1), Z_OK);
    CU_ASSERT_EQUAL(b.n, 4 + zn);
    CU_ASSERT(b.n == 4 + zn && memcmp(b.p + 4, z, zn) == 0);
    sw_encoder_free(enc);
    sw_ser_free(s, NULL);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

static CU_TestInfo tests[] = {
    {"batched iterates bytes", test_batched_iterates_bytes},
    {"batched NULL frame", test_batched_null_frame},
    {"pair", test_pair},
    {"cartesian", test_cartesian},
    {"compressed", test_compressed},
    {"compressed encode = zlib level 1", test_compressed_encode_matches_zlib},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_composite(void) { return sw_test_add_suite("composite", tests); }

/* Composite serializers over NoOp payloads, so they are tested apart from
 * the payload codecs: Batched iteration, Pair, Cartesian, Compressed, zlib
 * limits [#ser.batched] [#ser.pair] [#ser.cartesian] [#ser.compressed]. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "sparkwire/codec.h"
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

/* ---- a counting allocator: live and peak bytes by the sizes sw_alloc passes ---- */

typedef struct counting {
    size_t live, peak, calls;
    size_t fail_lo, fail_hi; /* refuse sizes in [fail_lo, fail_hi] when fail_hi */
} counting;

static void *c_malloc(void *ctx, size_t n)
{
    counting *c = (counting *)ctx;
    void *p;
    if (c->fail_hi && n >= c->fail_lo && n <= c->fail_hi) return NULL;
    p = malloc(n ? n : 1);
    if (!p) return NULL;
    c->calls++;
    c->live += n;
    if (c->live > c->peak) c->peak = c->live;
    return p;
}

static void *c_realloc(void *ctx, void *p, size_t old_n, size_t new_n)
{
    counting *c = (counting *)ctx;
    void *q;
    if (c->fail_hi && new_n >= c->fail_lo && new_n <= c->fail_hi) return NULL;
    q = realloc(p, new_n ? new_n : 1);
    if (!q) return NULL;
    c->calls++;
    c->live = c->live - old_n + new_n;
    if (c->live > c->peak) c->peak = c->live;
    return q;
}

static void c_free(void *ctx, void *p, size_t n)
{
    counting *c = (counting *)ctx;
    if (!p) return;
    c->live -= n;
    free(p);
}

static void counting_init(counting *c, sw_alloc *al)
{
    memset(c, 0, sizeof *c);
    al->ctx = c;
    al->malloc_fn = c_malloc;
    al->realloc_fn = c_realloc;
    al->free_fn = c_free;
}

static void dec_opts(const char *spec, const sw_stream_opts *o, const sw_buf *b, res *r)
{
    sw_serializer *s = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    sw_error e;
    memset(r, 0, sizeof *r);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, &e), SW_OK);
    sw_source_mem(&src, b->p, b->n);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, o, &d), SW_OK);
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

/* [#limits.inflate] zlib's state and window come from the caller's
 * allocator, are freed with the sizes they were allocated with, and a
 * refusal is nomem in layer zlib; the inflate limit still holds */
static void test_zlib_uses_caller_allocator(void)
{
    sw_buf b;
    res r;
    uint8_t z[256], big[100000];
    uLongf zn = sizeof z;
    counting c;
    sw_alloc al;
    sw_stream_opts o;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zn, (const Bytef *)"hello", 5, 1), Z_OK);
    frame(&b, z, zn);
    counting_init(&c, &al);
    sw_stream_opts_default(&o);
    o.alloc = &al;
    dec_opts("CompressedSerializer(NoOpSerializer())", &o, &b, &r);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 1);
    CU_ASSERT_STRING_EQUAL(r.items[0], "b'hello'");
    CU_ASSERT_EQUAL(c.live, 0u);
    /* refuse zlib's inflate state (7 KiB in zlib 1.2/1.3; this decode makes
     * no other allocation between 6000 and 9000 bytes: the decoder is about
     * 11 KiB, arena blocks 64 KiB, the output buffer 16 KiB): nomem at the
     * payload, nothing leaks. With zlib's own allocator it would succeed. */
    counting_init(&c, &al);
    c.fail_lo = 6000;
    c.fail_hi = 9000;
    dec_opts("CompressedSerializer(NoOpSerializer())", &o, &b, &r);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.st, SW_E_NOMEM);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_ZLIB);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_MEMORYERROR);
    CU_ASSERT_EQUAL(c.live, 0u);
    /* the bomb still stops at max_inflated_bytes with the caller's allocator */
    memset(big, 0, sizeof big);
    zn = sizeof z;
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zn, big, sizeof big, 9), Z_OK);
    b.n = 0;
    frame(&b, z, zn);
    counting_init(&c, &al);
    o.limits.max_inflated_bytes = 1000;
    dec_opts("CompressedSerializer(NoOpSerializer())", &o, &b, &r);
    CU_ASSERT_EQUAL(r.st, SW_E_LIMIT_INFLATE);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_ZLIB);
    CU_ASSERT_EQUAL(c.live, 0u);
    /* refuse zlib's 32 KiB window, which inflate() asks for after it has
     * written the output past the limit and before it counts total_in: the
     * result is nomem, not a limit error whose payload offset (0 here,
     * 11 with the window) would depend on the allocator [#limits.inflate]
     * (fuzz/regressions/stack_decode/zlib-mem-error-after-output-limit-offset) */
    counting_init(&c, &al);
    c.fail_lo = 32768;
    c.fail_hi = 32768 + 64;
    dec_opts("CompressedSerializer(NoOpSerializer())", &o, &b, &r);
    CU_ASSERT_EQUAL(r.st, SW_E_NOMEM);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_ZLIB);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_MEMORYERROR);
    CU_ASSERT_EQUAL(c.live, 0u);
    sw_buf_free(&b);
}

/* encode items through spec into out */
static sw_status enc(const char *spec, sw_value *const *items, size_t n, sw_buf *out, const sw_alloc *al,
                     sw_error *e)
{
    sw_serializer *s = NULL;
    sw_encoder *en = NULL;
    sw_sink k;
    sw_stream_opts o;
    size_t i;
    sw_status st = SW_OK;
    sw_stream_opts_default(&o);
    o.alloc = al;
    sw_sink_buf(&k, out);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, &o, &en), SW_OK);
    for (i = 0; i < n && st == SW_OK; i++) st = sw_encoder_put(en, items[i], e);
    if (st == SW_OK) st = sw_encoder_finish(en, e);
    sw_encoder_free(en);
    sw_ser_free(s, NULL);
    return st;
}

/* [#ser.marshal.batch-ref] a marshal batch list is written with FLAG_REF
 * (CPython sees PySpark's variables holding it), for Batched, AutoBatched,
 * Compressed inside Batched, AutoSerializer's marshal branch and
 * FlattenedValues' (key, slice) tuples; not below version 3, not for pickle */
static void test_marshal_batch_ref(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *items[4];
    sw_buf b;
    sw_error e;
    uint8_t raw[64];
    uLongf rn = sizeof raw;
    size_t i;
    for (i = 0; i < 4; i++) items[i] = sw_v_int(ar, 1000003 * (int64_t)(i + 1));
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(enc("BatchedSerializer(MarshalSerializer(), 3)", items, 4, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(b.n, 4u + 5 + 3 * 5 + 4 + 5 + 5);
    CU_ASSERT_EQUAL(b.p[4], 0xdb);
    CU_ASSERT_EQUAL(b.p[9], 'i'); /* a fresh int: no FLAG_REF */
    CU_ASSERT_EQUAL(b.p[4 + 20 + 4], 0xdb);
    b.n = 0;
    CU_ASSERT_EQUAL(enc("BatchedSerializer(MarshalSerializer(version=2), 3)", items, 4, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(b.p[4], '[');
    b.n = 0;
    CU_ASSERT_EQUAL(enc("AutoBatchedSerializer(MarshalSerializer())", items, 4, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(b.p[4], 0xdb);
    b.n = 0;
    CU_ASSERT_EQUAL(enc("BatchedSerializer(AutoSerializer(), 2)", items, 4, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(b.p[4], 'M');
    CU_ASSERT_EQUAL(b.p[5], 0xdb);
    b.n = 0;
    CU_ASSERT_EQUAL(enc("BatchedSerializer(PickleSerializer(), 2)", items, 4, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(b.p[4], 0x80);
    b.n = 0;
    CU_ASSERT_EQUAL(enc("BatchedSerializer(CompressedSerializer(MarshalSerializer()), -1)", items, 4, &b, NULL, &e),
                    SW_OK);
    CU_ASSERT_EQUAL_FATAL(uncompress(raw, &rn, b.p + 4, (uLong)(b.n - 4)), Z_OK);
    CU_ASSERT_EQUAL(raw[0], 0xdb);
    CU_ASSERT_EQUAL(rn, 5u + 4 * 5);
    {
        /* FlattenedValuesSerializer(MarshalSerializer(), 2): (key, slice) tuples flagged */
        sw_value *kv = sw_v_container(ar, SW_K_TUPLE, 2), *vals = sw_v_container(ar, SW_K_LIST, 3);
        for (i = 0; i < 3; i++) sw_v_push(ar, vals, items[i]);
        sw_v_push(ar, kv, sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"key", 3));
        sw_v_push(ar, kv, vals);
        b.n = 0;
        CU_ASSERT_EQUAL(enc("FlattenedValuesSerializer(MarshalSerializer(), 2)", &kv, 1, &b, NULL, &e), SW_OK);
        CU_ASSERT_EQUAL(b.p[4], 0x80 | ')');
        CU_ASSERT_EQUAL(b.p[6], 'z'); /* the key: canonical, no flag */
    }
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* [#ser.marshal.root-ref] the object a MarshalSerializer payload holds is
 * written with FLAG_REF (PySpark's `obj` holds it), singletons never; a node
 * read from marshal keeps the bit it was read with; a root in a cycle is
 * written as CPython writes it */
static void test_marshal_root_ref(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *items[3], *cyc, *dv = NULL;
    sw_buf b;
    sw_error e;
    size_t used = 0;
    static const uint8_t unflagged[] = {'i', 0x43, 0x42, 0x0f, 0x00};
    static const uint8_t cpython_cycle[] = {0xdb, 1, 0, 0, 0, 'r', 0, 0, 0, 0};
    items[0] = sw_v_int(ar, 1000003);
    items[1] = sw_v_none(ar);
    items[2] = sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"abc", 3);
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(enc("MarshalSerializer()", items, 3, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(b.n, 4u + 5 + 4 + 1 + 4 + 5);
    CU_ASSERT_EQUAL(b.p[4], 0x80 | 'i');
    CU_ASSERT_EQUAL(b.p[13], 'N');
    CU_ASSERT_EQUAL(b.p[18], 0x80 | 'z');
    b.n = 0;
    CU_ASSERT_EQUAL(enc("MarshalSerializer(version=2)", items, 1, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(b.p[4], 'i');
    b.n = 0;
    CU_ASSERT_EQUAL(enc("AutoSerializer()", items, 1, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(b.p[4], 'M');
    CU_ASSERT_EQUAL(b.p[5], 0x80 | 'i');
    /* read without the bit: written without it */
    CU_ASSERT_EQUAL_FATAL(sw_marshal_decode(ar, unflagged, sizeof unflagged, NULL, &dv, &used, &e), SW_OK);
    b.n = 0;
    CU_ASSERT_EQUAL(enc("MarshalSerializer()", &dv, 1, &b, NULL, &e), SW_OK);
    CU_ASSERT(b.n == 4 + sizeof unflagged && memcmp(b.p + 4, unflagged, sizeof unflagged) == 0);
    /* x = []; x.append(x): marshal.dumps(x) */
    cyc = sw_v_container(ar, SW_K_LIST, 1);
    sw_v_push(ar, cyc, cyc);
    b.n = 0;
    CU_ASSERT_EQUAL(enc("MarshalSerializer()", &cyc, 1, &b, NULL, &e), SW_OK);
    CU_ASSERT(b.n == 4 + sizeof cpython_cycle && memcmp(b.p + 4, cpython_cycle, sizeof cpython_cycle) == 0);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* a batched marshal stream PySpark wrote re-encodes byte for byte from its
 * decoded items (their hints carry the items' FLAG_REF bits, the batch list
 * gets its own) [#ser.marshal.batch-ref] [#marshal.encode.refs] */
static void test_marshal_batch_reencode(void)
{
    static const char *const files[] = {"vectors/batched/batched-marshal-3.bin",
                                        "vectors/batched/batched-marshal-3-fresh.bin"};
    size_t f;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t n = 0, k = 0;
        uint8_t *p = sw_test_read_file(files[f], &n);
        sw_serializer *s = NULL;
        sw_source src;
        sw_decoder *d = NULL;
        sw_stream_opts o;
        sw_value *items[64], *v;
        sw_error e;
        sw_buf out;
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse("BatchedSerializer(MarshalSerializer(), 3)", &s, NULL, &e), SW_OK);
        sw_stream_opts_default(&o);
        o.keep_items = 1;
        sw_source_mem(&src, p, n);
        CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &o, &d), SW_OK);
        while (k < 64 && sw_decoder_next(d, &v, &e) == SW_OK) items[k++] = v;
        CU_ASSERT(k >= 7);
        sw_buf_init(&out, NULL);
        CU_ASSERT_EQUAL(enc("BatchedSerializer(MarshalSerializer(), 3)", items, k, &out, NULL, &e), SW_OK);
        CU_ASSERT_EQUAL(out.n, n);
        CU_ASSERT(out.n == n && memcmp(out.p, p, n) == 0);
        sw_buf_free(&out);
        sw_decoder_free(d);
        sw_ser_free(s, NULL);
        free(p);
    }
}

/* the encoder's arena is reset whenever no writer buffers items: encoding
 * needs memory for one batch, not for the stream */
static void test_encoder_memory_bounded(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *item = sw_v_container(ar, SW_K_LIST, 3);
    sw_serializer *s = NULL;
    sw_encoder *en = NULL;
    sw_sink k;
    sw_stream_opts o;
    sw_error e;
    counting c;
    sw_alloc al;
    long i;
    int fd = open("/dev/null", O_WRONLY);
    CU_ASSERT_FATAL(fd >= 0);
    sw_v_push(ar, item, sw_v_int(ar, 1));
    sw_v_push(ar, item, sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"abc", 3));
    sw_v_push(ar, item, sw_v_int(ar, 1000003));
    counting_init(&c, &al);
    sw_stream_opts_default(&o);
    o.alloc = &al;
    sw_sink_fd(&k, fd);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("BatchedSerializer(MarshalSerializer(), 10)", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, &o, &en), SW_OK);
    for (i = 0; i < 200000; i++)
        if (sw_encoder_put(en, item, &e) != SW_OK) break;
    CU_ASSERT_EQUAL(i, 200000);
    CU_ASSERT_EQUAL(sw_encoder_finish(en, &e), SW_OK);
    /* 20000 batch lists would hold well over 2 MiB without the reset */
    CU_ASSERT(c.peak < 256u * 1024u);
    sw_encoder_free(en);
    CU_ASSERT_EQUAL(c.live, 0u);
    sw_ser_free(s, NULL);
    close(fd);
    sw_arena_free(ar);
}

/* [#frame.write] 2^31 bytes: struct.error from write_int; 2^31 + 1:
 * ValueError "can not serialize object larger than 2G"; nothing written.
 * The payload is never touched (an inaccessible mapping borrowed as bytes). */
static void test_encode_2g(void)
{
    sw_limits lim;
    sw_arena *ar;
    void *m;
    int fd;
    size_t big = (size_t)1 << 31;
    sw_buf b;
    sw_error e;
    sw_value *v;
    if (sizeof(size_t) < 8) return;
    fd = open("/dev/zero", O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    m = mmap(NULL, big + 1, PROT_NONE, MAP_PRIVATE, fd, 0);
    close(fd);
    CU_ASSERT_FATAL(m != MAP_FAILED);
    sw_limits_default(&lim);
    lim.max_total_bytes = (uint64_t)1 << 33;
    ar = sw_arena_new(NULL, &lim);
    sw_buf_init(&b, NULL);
    v = sw_v_strlike_borrow(ar, SW_K_BYTES, (const uint8_t *)m, big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(enc("NoOpSerializer()", &v, 1, &b, NULL, &e), SW_E_LIMIT_FRAME);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_STRUCTERROR);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_FRAME);
    CU_ASSERT_EQUAL(e.offset, 0u);
    CU_ASSERT_EQUAL(b.n, 0u);
    v = sw_v_strlike_borrow(ar, SW_K_BYTES, (const uint8_t *)m, big + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(enc("NoOpSerializer()", &v, 1, &b, NULL, &e), SW_E_LIMIT_FRAME);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_VALUEERROR);
    CU_ASSERT_STRING_EQUAL(e.msg, "can not serialize object larger than 2G");
    CU_ASSERT_EQUAL(e.offset, 0u);
    CU_ASSERT_EQUAL(b.n, 0u);
    munmap(m, big + 1);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* [#ser.auto.observed] the message names the tag byte's number, as
 * PySpark's "%s" % obj[0] does on Python 3; [#ser.auto.empty] an empty
 * frame is IndexError (pyspark) / truncated_payload (strict) */
static void test_auto_errors(void)
{
    static const struct {
        uint8_t tag;
        const char *msg;
    } cases[] = {{'M', "invalid serialization type: 77"}, {'P', "invalid serialization type: 80"},
                 {0, "invalid serialization type: 0"}, {9, "invalid serialization type: 9"},
                 {199, "invalid serialization type: 199"}, {255, "invalid serialization type: 255"}};
    sw_buf b;
    res r;
    size_t i;
    sw_stream_opts o;
    sw_buf_init(&b, NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t p[2] = {cases[i].tag, 'N'};
        b.n = 0;
        frame(&b, p, 2);
        dec("AutoSerializer()", SW_MODE_PYSPARK, &b, &r, NULL);
        CU_ASSERT_EQUAL(r.n, 0);
        CU_ASSERT_EQUAL(r.st, SW_E_BAD_TAG);
        CU_ASSERT_EQUAL(r.err.offset, 4u);
        CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_AUTO);
        CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_VALUEERROR);
        CU_ASSERT_STRING_EQUAL(r.err.msg, cases[i].msg);
    }
    /* the intended format: a bad tag names its number too */
    b.n = 0;
    frame(&b, "QN", 2);
    sw_stream_opts_default(&o);
    o.auto_intended = 1;
    dec_opts("AutoSerializer()", &o, &b, &r);
    CU_ASSERT_EQUAL(r.st, SW_E_BAD_TAG);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    CU_ASSERT_STRING_EQUAL(r.err.msg, "invalid serialization type: 81");
    /* empty frame */
    b.n = 0;
    frame(&b, "", 0);
    dec("AutoSerializer()", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_BAD_TAG);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_INDEXERROR);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    CU_ASSERT_STRING_EQUAL(r.err.msg, "index out of range");
    dec("AutoSerializer()", SW_MODE_STRICT, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_TRUNCATED_PAYLOAD);
    CU_ASSERT_EQUAL(r.err.offset, 4u);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_AUTO);
    sw_buf_free(&b);
}

/* items of a batch stay valid until the batch is delivered (the arena is
 * reset only when no iterator holds a batch with items left), also with a
 * batch inside a batch [#ser.batched] [#ser.unbatching] */
static void test_batch_items_stay_valid(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *outer = sw_v_container(ar, SW_K_LIST, 2), *got[4];
    sw_buf b;
    sw_error e;
    sw_serializer *s = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    int i, j;
    static const char *const want[] = {"'a'", "'b'", "'c'", "'d'"};
    /* one frame holding ['ab', 'cd']: the inner BatchedSerializer yields the
     * strs, the outer one iterates their characters (one new node each) */
    sw_v_push(ar, outer, sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"ab", 2));
    sw_v_push(ar, outer, sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"cd", 2));
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(enc("PickleSerializer()", &outer, 1, &b, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("BatchedSerializer(BatchedSerializer(PickleSerializer(), 2), 2)", &s, NULL, &e),
                          SW_OK);
    sw_source_mem(&src, b.p, b.n);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, NULL, &d), SW_OK);
    for (i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL_FATAL(sw_decoder_next(d, &got[i], &e), SW_OK);
        /* the frame's batch is still being delivered: every item so far is intact */
        for (j = 0; j <= i; j++) CU_ASSERT_STRING_EQUAL(sw_test_notation(got[j]), want[j]);
    }
    CU_ASSERT_EQUAL(sw_decoder_next(d, &got[0], &e), SW_END);
    CU_ASSERT_EQUAL(sw_decoder_count(d), 4u);
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* [#ser.pair.strict] an int batch is TypeError / batch_type in both modes;
 * a Cartesian key batch without its value batch ends the stream (pyspark)
 * or is batch_mismatch at the end of input (strict) */
static void test_pair_strict_rules(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *ints[2];
    sw_buf b;
    sw_error e;
    res r;
    ints[0] = sw_v_int(ar, 5);
    ints[1] = sw_v_int(ar, 6);
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(enc("PickleSerializer()", ints, 2, &b, NULL, &e), SW_OK);
    dec("PairDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(PickleSerializer(), 2))",
        SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_TYPE);
    CU_ASSERT_EQUAL(r.err.pyexc, SW_PYEXC_TYPEERROR);
    CU_ASSERT_EQUAL(r.err.offset, 0u);
    CU_ASSERT_STRING_EQUAL(r.err.msg, "'int' object is not iterable");
    dec("PairDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(PickleSerializer(), 2))",
        SW_MODE_STRICT, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_TYPE);
    CU_ASSERT_EQUAL(r.err.offset, 0u);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_PAIR);
    b.n = 0;
    frame(&b, "k", 1);
    dec("CartesianDeserializer(NoOpSerializer(), NoOpSerializer())", SW_MODE_PYSPARK, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_END);
    CU_ASSERT_EQUAL(r.n, 0);
    dec("CartesianDeserializer(NoOpSerializer(), NoOpSerializer())", SW_MODE_STRICT, &b, &r, NULL);
    CU_ASSERT_EQUAL(r.st, SW_E_BATCH_MISMATCH);
    CU_ASSERT_EQUAL(r.err.offset, 5u);
    CU_ASSERT_EQUAL(r.err.layer, SW_LAYER_PAIR);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* Pair trees of n leaves: 2n-1 serializers, nesting about log2(n) */
static void pair_tree(char *out, size_t cap, unsigned leaves)
{
    size_t n = 0;
    unsigned i;
    /* a left comb: PairDeserializer(PairDeserializer(P, P), P)... nests too
     * deep; a balanced tree is built as text by doubling */
    char *a = (char *)malloc(cap), *b = (char *)malloc(cap);
    CU_ASSERT_FATAL(a && b);
    snprintf(a, cap, "PickleSerializer()");
    for (i = 1; i < leaves; i *= 2) {
        snprintf(b, cap, "PairDeserializer(%s, %s)", a, a);
        memcpy(a, b, strlen(b) + 1);
    }
    n = strlen(a);
    memcpy(out, a, n + 1);
    free(a);
    free(b);
}

/* [#spec.grammar] at most SW_SER_MAX_NODES serializers: 64 leaves (127
 * serializers) decode and encode; 128 leaves (255) are bad_spec at parse */
static void test_spec_node_bound(void)
{
    static char text[1 << 16];
    sw_serializer *s = NULL;
    sw_error e;
    sw_decoder *d = NULL;
    sw_encoder *enc = NULL;
    sw_source src;
    sw_sink sink;
    sw_buf out;
    pair_tree(text, sizeof text, 64);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(text, &s, NULL, &e), SW_OK);
    sw_source_mem(&src, (const uint8_t *)"", 0);
    CU_ASSERT_EQUAL(sw_decoder_new(s, &src, NULL, &d), SW_OK);
    sw_buf_init(&out, NULL);
    sw_sink_buf(&sink, &out);
    CU_ASSERT_EQUAL(sw_encoder_new(s, &sink, NULL, &enc), SW_OK);
    sw_encoder_free(enc);
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
    sw_buf_free(&out);
    pair_tree(text, sizeof text, 128);
    sw_test_junk(&e, sizeof e);
    s = NULL;
    CU_ASSERT_EQUAL(sw_ser_parse(text, &s, NULL, &e), SW_E_BAD_SPEC);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_SPEC);
    CU_ASSERT_STRING_EQUAL(e.msg, "more than 128 serializers in one spec");
}

/* [#limits] the encoder's own nodes (FlattenedValues tuples, Pair groups)
 * count against max_nodes and fail with limit_nodes, not nomem */
static void test_encoder_arena_limit(void)
{
    static const char *const specs[] = {"FlattenedValuesSerializer(PickleSerializer(), 2)",
                                        "PairDeserializer(BatchedSerializer(PickleSerializer(), 2), "
                                        "BatchedSerializer(PickleSerializer(), 2))"};
    static const char *const items[] = {"('k', [1, 2, 3])", "(1, 2)"};
    size_t i;
    for (i = 0; i < 2; i++) {
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_serializer *s = NULL;
        sw_value *v = NULL;
        sw_stream_opts o;
        sw_encoder *enc = NULL;
        sw_sink sink;
        sw_buf out;
        sw_error e;
        sw_status st;
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse(specs[i], &s, NULL, &e), SW_OK);
        CU_ASSERT_EQUAL_FATAL(sw_notation_parse(ar, items[i], strlen(items[i]), &v, &e), SW_OK);
        sw_stream_opts_default(&o);
        o.limits.max_nodes = 1;
        sw_buf_init(&out, NULL);
        sw_sink_buf(&sink, &out);
        CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &sink, &o, &enc), SW_OK);
        sw_test_junk(&e, sizeof e);
        st = sw_encoder_put(enc, v, &e);
        if (st == SW_OK) st = sw_encoder_finish(enc, &e);
        CU_ASSERT_EQUAL(st, SW_E_LIMIT_NODES);
        CU_ASSERT_EQUAL(e.status, SW_E_LIMIT_NODES);
        CU_ASSERT_EQUAL(e.layer, SW_LAYER_BATCH);
        sw_encoder_free(enc);
        sw_ser_free(s, NULL);
        sw_buf_free(&out);
        sw_arena_free(ar);
    }
}

static CU_TestInfo tests[] = {
    {"spec: at most SW_SER_MAX_NODES serializers", test_spec_node_bound},
    {"encoder arena limit is limit_nodes", test_encoder_arena_limit},
    {"batched iterates bytes", test_batched_iterates_bytes},
    {"batched NULL frame", test_batched_null_frame},
    {"pair", test_pair},
    {"cartesian", test_cartesian},
    {"compressed", test_compressed},
    {"compressed encode = zlib level 1", test_compressed_encode_matches_zlib},
    {"zlib through the caller's allocator", test_zlib_uses_caller_allocator},
    {"marshal batch lists carry FLAG_REF", test_marshal_batch_ref},
    {"batched marshal re-encodes byte for byte", test_marshal_batch_reencode},
    {"marshal payload root carries FLAG_REF", test_marshal_root_ref},
    {"encoder memory bounded by a batch", test_encoder_memory_bounded},
    {"frame write: 2 GiB", test_encode_2g},
    {"AutoSerializer errors", test_auto_errors},
    {"Pair/Cartesian strict rules", test_pair_strict_rules},
    {"batch items stay valid while the batch is delivered", test_batch_items_stay_valid},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_composite(void) { return sw_test_add_suite("composite", tests); }

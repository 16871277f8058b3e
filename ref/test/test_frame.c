/* Wire layer, framing in both modes, NoOp and UTF-8 streams, serializer
 * specs, encoders: [#wire] [#frame] [#utf8] [#spec] [#chunked]. Streams are
 * built with the library's own writers, never typed in as hex. */
#include <stdlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

/* ---- helpers ---- */

typedef struct built {
    sw_buf b;
    sw_sink k;
} built;

static void b_init(built *x)
{
    sw_buf_init(&x->b, NULL);
    sw_sink_buf(&x->k, &x->b);
}

static void b_frame(built *x, const char *s)
{
    CU_ASSERT_EQUAL_FATAL(sw_write_with_length(&x->k, (const uint8_t *)s, strlen(s)), SW_OK);
}

static void b_int(built *x, int32_t v) { CU_ASSERT_EQUAL_FATAL(sw_write_int(&x->k, v), SW_OK); }

static void b_raw(built *x, const char *s, size_t n) { CU_ASSERT_EQUAL_FATAL(sw_sink_write(&x->k, s, n), SW_OK); }

typedef struct outcome {
    sw_status st;
    sw_error err;
    int n;
    char items[16][64];
} outcome;

static void run(const char *spec, sw_mode mode, const uint8_t *p, size_t n, outcome *o)
{
    sw_serializer *s = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    sw_stream_opts opts;
    sw_error e;
    memset(o, 0, sizeof *o);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, &e), SW_OK);
    sw_stream_opts_default(&opts);
    opts.mode = mode;
    sw_source_mem(&src, p, n);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &opts, &d), SW_OK);
    for (;;) {
        sw_value *v = NULL;
        sw_test_junk(&o->err, sizeof o->err);
        o->st = sw_decoder_next(d, &v, &o->err);
        if (o->st != SW_OK) break;
        if (o->n < 16) {
            snprintf(o->items[o->n], sizeof o->items[0], "%s", sw_test_notation(v));
        }
        o->n++;
    }
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
}

static void run_b(const char *spec, sw_mode mode, built *x, outcome *o) { run(spec, mode, x->b.p, x->b.n, o); }

/* ---- wire ---- */

static void test_wire_ints(void)
{
    sw_buf b;
    sw_sink k;
    sw_source s;
    int32_t i = 0;
    int64_t l = 0;
    int bo = 0;
    sw_error e;
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    CU_ASSERT_EQUAL(sw_write_int(&k, -2), SW_OK);
    CU_ASSERT_EQUAL(sw_write_long(&k, INT64_MIN + 5), SW_OK);
    CU_ASSERT_EQUAL(sw_write_bool(&k, 7), SW_OK);
    CU_ASSERT_EQUAL(b.n, 13u);
    CU_ASSERT_EQUAL(b.p[0], 0xff);
    CU_ASSERT_EQUAL(b.p[3], 0xfe);
    CU_ASSERT_EQUAL(b.p[4], 0x80);
    CU_ASSERT_EQUAL(b.p[11], 0x05);
    CU_ASSERT_EQUAL(b.p[12], 1);
    sw_source_mem(&s, b.p, b.n);
    CU_ASSERT_EQUAL(sw_read_int(&s, &i, &e), SW_OK);
    CU_ASSERT_EQUAL(i, -2);
    CU_ASSERT_EQUAL(sw_read_long(&s, &l, &e), SW_OK);
    CU_ASSERT_EQUAL(l, INT64_MIN + 5);
    CU_ASSERT_EQUAL(sw_read_bool(&s, &bo, &e), SW_OK);
    CU_ASSERT_EQUAL(bo, 1);
    /* EOF: nothing left is SW_END (EOFError) */
    CU_ASSERT_EQUAL(sw_read_int(&s, &i, &e), SW_END);
    /* 1..3 bytes: struct.error, truncated_length at the integer's offset */
    sw_source_mem(&s, b.p, 3);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_read_int(&s, &i, &e), SW_E_TRUNCATED_LENGTH);
    CU_ASSERT_EQUAL(e.offset, 0u);
    CU_ASSERT_EQUAL(e.payload_offset, 3u);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_WIRE);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_STRUCTERROR);
    sw_source_mem(&s, b.p, 9);
    CU_ASSERT_EQUAL(sw_read_int(&s, &i, &e), SW_OK);
    CU_ASSERT_EQUAL(sw_read_long(&s, &l, &e), SW_E_TRUNCATED_LENGTH);
    CU_ASSERT_EQUAL(e.offset, 4u);
    /* bool: any non-zero byte is True */
    {
        uint8_t two = 2;
        sw_source_mem(&s, &two, 1);
        CU_ASSERT_EQUAL(sw_read_bool(&s, &bo, &e), SW_OK);
        CU_ASSERT_EQUAL(bo, 1);
    }
    CU_ASSERT_STRING_EQUAL(sw_special_str(-6), "START_ARROW_STREAM");
    CU_ASSERT_PTR_NULL(sw_special_str(-7));
    CU_ASSERT_EQUAL(sw_write_with_length(&k, b.p, (size_t)INT32_MAX + 1), SW_E_ARG);
    sw_buf_free(&b);
}

/* ---- framing, pyspark mode ---- */

static void test_frame_clean_end(void)
{
    built x;
    outcome o;
    b_init(&x);
    b_frame(&x, "ab");
    b_frame(&x, "");
    b_frame(&x, "c");
    run_b("NoOpSerializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 3);
    CU_ASSERT_STRING_EQUAL(o.items[0], "b'ab'");
    CU_ASSERT_STRING_EQUAL(o.items[1], "b''");
    run_b("NoOpSerializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 3);
    run("NoOpSerializer()", SW_MODE_STRICT, NULL, 0, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 0);
    sw_buf_free(&x.b);
}

static void test_frame_partial_length(void)
{
    built x;
    outcome o;
    int k;
    b_init(&x);
    b_frame(&x, "ab");
    b_raw(&x, "\0\0\0", 3);
    for (k = 1; k <= 3; k++) {
        /* [#frame.eof-partial] struct.error in both modes, offset 6 */
        run("NoOpSerializer()", SW_MODE_PYSPARK, x.b.p, 6 + (size_t)k, &o);
        CU_ASSERT_EQUAL(o.n, 1);
        CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 6u);
        CU_ASSERT_EQUAL(o.err.item, 1u);
        CU_ASSERT_EQUAL(o.err.layer, SW_LAYER_FRAME);
        CU_ASSERT_EQUAL(o.err.pyexc, SW_PYEXC_STRUCTERROR);
        run("NoOpSerializer()", SW_MODE_STRICT, x.b.p, 6 + (size_t)k, &o);
        CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 6u);
    }
    sw_buf_free(&x.b);
}

static void test_frame_end_of_data(void)
{
    built x;
    outcome o;
    b_init(&x);
    b_frame(&x, "a");
    b_int(&x, SW_END_OF_DATA_SECTION);
    b_frame(&x, "never");
    run_b("NoOpSerializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    run_b("NoOpSerializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_EQUAL(o.st, SW_E_TRAILING);
    CU_ASSERT_EQUAL(o.err.offset, 9u);
    /* -1 at the very end is fine in strict mode */
    run("NoOpSerializer()", SW_MODE_STRICT, x.b.p, 9, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    sw_buf_free(&x.b);
}

static void test_frame_null(void)
{
    built x;
    outcome o;
    b_init(&x);
    b_int(&x, SW_NULL);
    b_frame(&x, "z");
    run_b("NoOpSerializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 2);
    CU_ASSERT_STRING_EQUAL(o.items[0], "None");
    run_b("NoOpSerializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.n, 2);
    sw_buf_free(&x.b);
}

static void test_frame_negative(void)
{
    static const int32_t negs[] = {-2, -3, -4, -6, -7, INT32_MIN};
    size_t i;
    for (i = 0; i < sizeof negs / sizeof negs[0]; i++) {
        built x;
        outcome o;
        b_init(&x);
        b_frame(&x, "a");
        b_int(&x, negs[i]);
        b_raw(&x, "rest", 4);
        /* [#frame.negative] read(negative) on a BufferedReader (a worker's
         * socket) is ValueError at the length, after the items before it;
         * strict reports the same status */
        run_b("NoOpSerializer()", SW_MODE_PYSPARK, &x, &o);
        CU_ASSERT_EQUAL(o.n, 1);
        CU_ASSERT_EQUAL(o.st, i < 4 ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 5u);
        CU_ASSERT_EQUAL(o.err.payload_offset, 0u);
        CU_ASSERT_EQUAL(o.err.item, 1u);
        CU_ASSERT_EQUAL(o.err.layer, SW_LAYER_FRAME);
        CU_ASSERT_EQUAL(o.err.pyexc, SW_PYEXC_VALUEERROR);
        CU_ASSERT_STRING_EQUAL(o.err.msg, "read length must be non-negative or -1");
        run_b("NoOpSerializer()", SW_MODE_STRICT, &x, &o);
        CU_ASSERT_EQUAL(o.n, 1);
        CU_ASSERT_EQUAL(o.st, i < 4 ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 5u);
        CU_ASSERT_EQUAL(o.err.layer, SW_LAYER_FRAME);
        /* the same inside a PickleSerializer stream: no payload is read */
        run("PickleSerializer()", SW_MODE_PYSPARK, x.b.p + 5, x.b.n - 5, &o);
        CU_ASSERT_EQUAL(o.n, 0);
        CU_ASSERT_EQUAL(o.st, i < 4 ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 0u);
        CU_ASSERT_EQUAL(o.err.pyexc, SW_PYEXC_VALUEERROR);
        /* UTF8Deserializer.loads reads the same way [#utf8.negative] */
        run_b("UTF8Deserializer()", SW_MODE_PYSPARK, &x, &o);
        CU_ASSERT_EQUAL(o.n, 1);
        CU_ASSERT_STRING_EQUAL(o.items[0], "'a'");
        CU_ASSERT_EQUAL(o.st, i < 4 ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 5u);
        CU_ASSERT_EQUAL(o.err.layer, SW_LAYER_UTF8);
        CU_ASSERT_EQUAL(o.err.pyexc, SW_PYEXC_VALUEERROR);
        run_b("UTF8Deserializer()", SW_MODE_STRICT, &x, &o);
        CU_ASSERT_EQUAL(o.n, 1);
        CU_ASSERT_EQUAL(o.st, i < 4 ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH);
        CU_ASSERT_EQUAL(o.err.offset, 5u);
        sw_buf_free(&x.b);
    }
}

static void test_frame_short(void)
{
    built x;
    outcome o;
    b_init(&x);
    b_frame(&x, "a");
    b_int(&x, 10);
    b_raw(&x, "abc", 3);
    /* [#frame.short] short read = EOFError = clean end */
    run_b("NoOpSerializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    run_b("NoOpSerializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_FRAME);
    CU_ASSERT_EQUAL(o.err.offset, 5u);
    CU_ASSERT_EQUAL(o.err.payload_offset, 3u);
    sw_buf_free(&x.b);
}

static void test_frame_limit(void)
{
    built x;
    sw_serializer *s;
    sw_source src;
    sw_decoder *d;
    sw_stream_opts opts;
    sw_value *v;
    sw_error e;
    b_init(&x);
    b_frame(&x, "abcdefgh");
    sw_stream_opts_default(&opts);
    opts.limits.max_frame_bytes = 7;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("NoOpSerializer()", &s, NULL, &e), SW_OK);
    sw_source_mem(&src, x.b.p, x.b.n);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &opts, &d), SW_OK);
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, &e), SW_E_LIMIT_FRAME);
    CU_ASSERT_EQUAL(e.offset, 0u);
    /* sticky */
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, &e), SW_E_LIMIT_FRAME);
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
    sw_buf_free(&x.b);
}

/* every prefix of a valid stream ends as SPEC says: a clean end at frame
 * boundaries, struct.error inside a length, EOF (pyspark) or truncated_frame
 * (strict) inside a payload */
static void test_frame_prefixes(void)
{
    built x;
    size_t cut;
    size_t bounds[] = {0, 6, 10, 17};
    b_init(&x);
    b_frame(&x, "ab");
    b_frame(&x, "");
    b_frame(&x, "xyz");
    CU_ASSERT_EQUAL_FATAL(x.b.n, 17u);
    for (cut = 0; cut <= x.b.n; cut++) {
        outcome o, so;
        size_t k, frames = 0, last = 0;
        int at_bound = 0;
        for (k = 0; k < 4; k++) {
            if (bounds[k] <= cut) {
                frames = k;
                last = bounds[k];
            }
            if (bounds[k] == cut) at_bound = 1;
        }
        run("NoOpSerializer()", SW_MODE_PYSPARK, x.b.p, cut, &o);
        run("NoOpSerializer()", SW_MODE_STRICT, x.b.p, cut, &so);
        CU_ASSERT_EQUAL(o.n, (int)frames);
        CU_ASSERT_EQUAL(so.n, (int)frames);
        if (at_bound) {
            CU_ASSERT_EQUAL(o.st, SW_END);
            CU_ASSERT_EQUAL(so.st, SW_END);
        } else if (cut - last < 4) {
            CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_LENGTH);
            CU_ASSERT_EQUAL(so.st, SW_E_TRUNCATED_LENGTH);
            CU_ASSERT_EQUAL(so.err.offset, last);
        } else {
            CU_ASSERT_EQUAL(o.st, SW_END);
            CU_ASSERT_EQUAL(so.st, SW_E_TRUNCATED_FRAME);
            CU_ASSERT_EQUAL(so.err.offset, last);
        }
    }
    sw_buf_free(&x.b);
}

/* the fd path: the same result through a pipe, read in small pieces */
typedef struct chunky {
    const uint8_t *p;
    size_t n, pos, step;
} chunky;

static sw_status chunky_read(void *ctx, uint8_t *dst, size_t cap, size_t *got)
{
    chunky *c = (chunky *)ctx;
    size_t k = c->n - c->pos;
    if (k > c->step) k = c->step;
    if (k > cap) k = cap;
    memcpy(dst, c->p + c->pos, k);
    c->pos += k;
    *got = k;
    return SW_OK;
}

static void test_frame_chunked_source(void)
{
    built x;
    size_t step;
    int i;
    b_init(&x);
    for (i = 0; i < 50; i++) b_frame(&x, "0123456789abcdefghijklmnopqrstuvwxyz");
    b_int(&x, SW_NULL);
    for (step = 1; step <= 41; step += 4) {
        chunky c = {x.b.p, x.b.n, 0, step};
        sw_serializer *s;
        sw_source src;
        sw_decoder *d;
        sw_value *v;
        sw_error e;
        int n = 0;
        sw_status st;
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse("NoOpSerializer()", &s, NULL, &e), SW_OK);
        sw_source_cb(&src, chunky_read, &c, 7, NULL);
        CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, NULL, &d), SW_OK);
        while ((st = sw_decoder_next(d, &v, &e)) == SW_OK) {
            if (n < 50) CU_ASSERT_EQUAL(v->u.s.n, 36u);
            n++;
        }
        CU_ASSERT_EQUAL(st, SW_END);
        CU_ASSERT_EQUAL(n, 51);
        /* memory proportional to the largest frame, not the stream */
        CU_ASSERT(src.buf_cap < 256);
        sw_decoder_free(d);
        sw_source_free(&src);
        sw_ser_free(s, NULL);
    }
    sw_buf_free(&x.b);
}

/* ---- UTF8Deserializer ---- */

static void test_utf8(void)
{
    built x;
    outcome o;
    b_init(&x);
    b_frame(&x, "h\xc3\xa9");
    b_int(&x, SW_NULL);
    b_frame(&x, "\xf0\x9f\x98\x80");
    run_b("UTF8Deserializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 3);
    CU_ASSERT_STRING_EQUAL(o.items[0], "'h\\xe9'");
    CU_ASSERT_STRING_EQUAL(o.items[1], "None");
    CU_ASSERT_STRING_EQUAL(o.items[2], "'\\U0001f600'");
    run_b("UTF8Deserializer(False)", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_STRING_EQUAL(o.items[0], "b'h\\xc3\\xa9'");
    /* [#utf8.struct-error] 1..3 trailing bytes end the stream silently */
    b_raw(&x, "\0\0", 2);
    run_b("UTF8Deserializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 3);
    run_b("UTF8Deserializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_LENGTH);
    CU_ASSERT_EQUAL(o.err.offset, 19u);
    sw_buf_free(&x.b);
    /* [#utf8.short] no short-read check: a partial string decodes */
    b_init(&x);
    b_int(&x, 10);
    b_raw(&x, "abc", 3);
    run_b("UTF8Deserializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_STRING_EQUAL(o.items[0], "'abc'");
    run_b("UTF8Deserializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.n, 0);
    CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_FRAME);
    CU_ASSERT_EQUAL(o.err.offset, 0u);
    CU_ASSERT_EQUAL(o.err.payload_offset, 3u);
    CU_ASSERT_EQUAL(o.err.layer, SW_LAYER_UTF8);
    sw_buf_free(&x.b);
    /* [#utf8.short] a short read that cuts a character: UnicodeDecodeError
     * "unexpected end of data" in pyspark mode (at the cut character),
     * truncated_frame in strict */
    b_init(&x);
    b_int(&x, 5);
    b_raw(&x, "a\xe6\x9d", 3);
    run_b("UTF8Deserializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.n, 0);
    CU_ASSERT_EQUAL(o.st, SW_E_BAD_UTF8);
    CU_ASSERT_EQUAL(o.err.offset, 5u);
    CU_ASSERT_EQUAL(o.err.payload_offset, 1u);
    CU_ASSERT_EQUAL(o.err.pyexc, SW_PYEXC_UNICODEDECODEERROR);
    run_b("UTF8Deserializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED_FRAME);
    CU_ASSERT_EQUAL(o.err.offset, 0u);
    CU_ASSERT_EQUAL(o.err.payload_offset, 3u);
    /* UTF8Deserializer(False) has no decode: the bytes present */
    run_b("UTF8Deserializer(False)", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_STRING_EQUAL(o.items[0], "b'a\\xe6\\x9d'");
    sw_buf_free(&x.b);
    /* [#utf8.end-of-data] -1 ends the stream; strict: nothing may follow */
    b_init(&x);
    b_frame(&x, "a");
    b_int(&x, SW_END_OF_DATA_SECTION);
    b_frame(&x, "b");
    run_b("UTF8Deserializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    run_b("UTF8Deserializer()", SW_MODE_STRICT, &x, &o);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_EQUAL(o.st, SW_E_TRAILING);
    CU_ASSERT_EQUAL(o.err.offset, 9u);
    CU_ASSERT_EQUAL(o.err.layer, SW_LAYER_UTF8);
    run("UTF8Deserializer()", SW_MODE_STRICT, x.b.p, 9, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    sw_buf_free(&x.b);
    /* [#utf8.invalid] lone surrogate and bad bytes: UnicodeDecodeError */
    b_init(&x);
    b_frame(&x, "ok");
    b_frame(&x, "a\xed\xa0\x80");
    run_b("UTF8Deserializer()", SW_MODE_PYSPARK, &x, &o);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_EQUAL(o.st, SW_E_BAD_UTF8);
    CU_ASSERT_EQUAL(o.err.offset, 11u);
    CU_ASSERT_EQUAL(o.err.payload_offset, 1u);
    CU_ASSERT_EQUAL(o.err.pyexc, SW_PYEXC_UNICODEDECODEERROR);
    sw_buf_free(&x.b);
}

/* ---- specs ---- */

static void test_spec_parse(void)
{
    static const char *ok[] = {
        "NoOpSerializer()", "PickleSerializer()", "CloudPickleSerializer()", "MarshalSerializer()",
        "AutoSerializer()", "UTF8Deserializer(True)", "UTF8Deserializer(False)",
        "BatchedSerializer(PickleSerializer(), 1024)", "BatchedSerializer(PickleSerializer(), -1)",
        "AutoBatchedSerializer(CloudPickleSerializer())", "CompressedSerializer(MarshalSerializer())",
        "PairDeserializer(BatchedSerializer(PickleSerializer(), 2), AutoBatchedSerializer(PickleSerializer()))",
        "CartesianDeserializer(PickleSerializer(), PickleSerializer())",
        "FlattenedValuesSerializer(BatchedSerializer(PickleSerializer(), 3), 10)",
        "PickleSerializer(protocol=2)", "MarshalSerializer(version=0)", "ChunkedStream(8192)",
        "CompressedSerializer(AutoSerializer())", NULL};
    static const struct {
        const char *text;
        sw_status st;
        uint64_t at;
    } bad[] = {
        {"", SW_E_SYNTAX, 0},
        {"FooSerializer()", SW_E_BAD_SPEC, 0},
        {"PickleSerializer(", SW_E_SYNTAX, 17},
        {"BatchedSerializer(PickleSerializer(), 0)", SW_E_BAD_SPEC, 38},
        {"CompressedSerializer(BatchedSerializer(PickleSerializer(), 2))", SW_E_BAD_SPEC, 21},
        {"PickleSerializer(protocol=6)", SW_E_BAD_SPEC, 17},
        {"NoOpSerializer() x", SW_E_SYNTAX, 17},
        {"BatchedSerializer(UTF8Deserializer(True), 2)", SW_E_BAD_SPEC, 18},
    };
    size_t i;
    for (i = 0; ok[i]; i++) {
        sw_serializer *s = NULL;
        sw_error e;
        sw_buf b;
        CU_ASSERT_EQUAL(sw_ser_parse(ok[i], &s, NULL, &e), SW_OK);
        if (!s) continue;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL(sw_ser_format(s, &b), SW_OK);
        /* repr round trip */
        CU_ASSERT(b.n == strlen(ok[i]) && memcmp(b.p, ok[i], b.n) == 0);
        sw_buf_free(&b);
        sw_ser_free(s, NULL);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sw_serializer *s = NULL;
        sw_error e;
        sw_test_junk(&e, sizeof e);
        CU_ASSERT_EQUAL(sw_ser_parse(bad[i].text, &s, NULL, &e), bad[i].st);
        CU_ASSERT_EQUAL(e.payload_offset, bad[i].at);
        CU_ASSERT_EQUAL(e.layer, SW_LAYER_SPEC);
        CU_ASSERT_PTR_NULL(s);
    }
}

/* ---- encoders ---- */

static void test_encode_noop_utf8_chunked(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_serializer *s;
    sw_encoder *enc;
    sw_buf b;
    sw_sink k;
    sw_error e;
    outcome o;
    sw_value *v;
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("UTF8Deserializer()", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, NULL, &enc), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"h\xc3\xa9", 3), &e), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, sw_v_none(ar), &e), SW_OK);
    v = sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"\xed\xa0\x80", 3);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, v, &e), SW_E_UNENCODABLE);
    CU_ASSERT_EQUAL(sw_encoder_finish(enc, &e), SW_OK);
    sw_encoder_free(enc);
    run("UTF8Deserializer()", SW_MODE_STRICT, b.p, b.n, &o);
    CU_ASSERT_EQUAL(o.n, 2);
    CU_ASSERT_STRING_EQUAL(o.items[0], "'h\\xe9'");
    CU_ASSERT_EQUAL(b.n, 11u);
    sw_ser_free(s, NULL);
    /* ChunkedStream: 10 bytes through a 4-byte buffer: 4, 4, 2, -1 */
    b.n = 0;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("ChunkedStream(4)", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, NULL, &enc), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, sw_v_strlike(ar, SW_K_BYTES, (const uint8_t *)"0123456", 7), &e), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, sw_v_strlike(ar, SW_K_BYTES, (const uint8_t *)"789", 3), &e), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_finish(enc, &e), SW_OK);
    sw_encoder_free(enc);
    CU_ASSERT_EQUAL(b.n, 4u + 4 + 4 + 4 + 4 + 2 + 4);
    CU_ASSERT_EQUAL(sw_get_be32(b.p + b.n - 4), -1);
    run("ChunkedStream(4)", SW_MODE_STRICT, b.p, b.n, &o);
    CU_ASSERT_EQUAL(o.st, SW_END);
    CU_ASSERT_EQUAL(o.n, 1);
    CU_ASSERT_STRING_EQUAL(o.items[0], "b'0123456789'");
    run("ChunkedStream(4)", SW_MODE_STRICT, b.p, b.n - 4, &o);
    CU_ASSERT_EQUAL(o.st, SW_E_TRUNCATED);
    sw_ser_free(s, NULL);
    /* NoOp refuses None: "serialized value should not be None" */
    b.n = 0;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("NoOpSerializer()", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, NULL, &enc), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, sw_v_none(ar), &e), SW_E_UNENCODABLE);
    sw_encoder_free(enc);
    sw_ser_free(s, NULL);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* [#dis] a negative length other than -1/-5 is listed as PySpark's
 * BufferedReader sees it and the listing stops with [#frame.negative]'s error */
static void test_dis_negative(void)
{
    built x;
    sw_serializer *s;
    sw_source src;
    sw_buf out;
    sw_error e;
    b_init(&x);
    b_frame(&x, "a");
    b_int(&x, -3);
    b_raw(&x, "rest", 4);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("NoOpSerializer()", &s, NULL, &e), SW_OK);
    sw_source_mem(&src, x.b.p, x.b.n);
    sw_buf_init(&out, NULL);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_stream_dis(s, &src, NULL, &out, &e), SW_E_UNEXPECTED_SPECIAL);
    CU_ASSERT_EQUAL(e.offset, 5u);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_VALUEERROR);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_FRAME);
    CU_ASSERT_FATAL(sw_buf_putc(&out, 0) == SW_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)out.p, "5: TIMING_DATA (-3)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)out.p, "5: read(-3) raises ValueError"));
    /* nothing is listed after it */
    CU_ASSERT(out.n > 10 && strcmp((const char *)out.p + out.n - 10, "payload)\n") == 0);
    sw_buf_free(&out);
    sw_ser_free(s, NULL);
    sw_buf_free(&x.b);
}

/* [#errors.record] the text form, exactly */
static void test_error_text_form(void)
{
    sw_error e;
    char buf[256];
    static const uint8_t in[] = {0, 0, 0, 1, 'A', 0, 0};
    sw_serializer *s;
    sw_source src;
    sw_decoder *d;
    sw_value *v;
    size_t n;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("NoOpSerializer()", &s, NULL, &e), SW_OK);
    sw_source_mem(&src, in, sizeof in);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, NULL, &d), SW_OK);
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, &e), SW_OK);
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, &e), SW_E_TRUNCATED_LENGTH);
    n = sw_error_format(&e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "truncated/truncated_length layer=frame offset=5 payload_offset=2 item=1 "
                                "pyexc=struct.error: stream ended inside a big-endian integer");
    CU_ASSERT_EQUAL(n, strlen(buf));
    e.pyexc = SW_PYEXC_NONE;
    sw_error_format(&e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "truncated/truncated_length layer=frame offset=5 payload_offset=2 item=1: "
                                "stream ended inside a big-endian integer");
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
}

static CU_TestInfo tests[] = {
    {"error record text form", test_error_text_form},
    {"wire integers", test_wire_ints},
    {"frame clean end", test_frame_clean_end},
    {"frame partial length", test_frame_partial_length},
    {"frame END_OF_DATA_SECTION", test_frame_end_of_data},
    {"frame NULL", test_frame_null},
    {"frame negative lengths", test_frame_negative},
    {"frame short read", test_frame_short},
    {"frame limit", test_frame_limit},
    {"frame every prefix", test_frame_prefixes},
    {"frame chunked fd-like source", test_frame_chunked_source},
    {"UTF8Deserializer", test_utf8},
    {"serializer specs", test_spec_parse},
    {"encode NoOp UTF8 Chunked", test_encode_noop_utf8_chunked},
    {"dis: negative length", test_dis_negative},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_frame(void) { return sw_test_add_suite("frame", tests); }

/* Allocation failure everywhere else [#api.alloc]: the notation parser and
 * printer, the pickle and marshal encoders and decoders (with resolve), and
 * the stream encoder, each run with an allocator that fails the Nth
 * allocation for N = 0, 1, 2, ... until the call succeeds. Every failure must
 * be a clean SW_E_NOMEM with every byte given back, and the final success
 * must give exactly what the libc allocator gives. */
#include <stdlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

/* a graph with every kind the pickle encoder writes */
static const char pickle_graph[] =
    "[1, -5, 123456789012345678901234567890, 1.5, complex(1.0, 2.0), 'str', 'caf\\xe9', b'bytes', "
    "bytearray(b'ba'), (1, 2), {'k': [1, 2], 3: None}, {1, 2, 3}, frozenset({4}), True, None, &1 [*1], "
    "global('m', 'n'), reduce(global('m', 'f'), (1,)).build({'a': 1}), Ellipsis, (), '\\ud800', "
    "newobj(global('m', 'C'), ('x',)).append(1).setitem(2, 3)]";
/* and one marshal can write */
static const char marshal_graph[] =
    "[1, -5, 123456789012345678901234567890, 1.5, complex(1.0, 2.0), 'str', 'caf\\xe9', b'bytes', "
    "(1, 2), {'k': [1, 2], 3: None}, {1, 2, 3}, frozenset({4}), True, None, Ellipsis, StopIteration, (), "
    "&1 [7], *1]";

/* max_nodes of the arenas the operations decode into (0: the default) */
static uint64_t g_max_nodes;

static sw_arena *new_arena(const sw_alloc *al)
{
    sw_limits l;
    memset(&l, 0, sizeof l);
    l.max_nodes = g_max_nodes;
    return sw_arena_new(al, &l);
}

typedef sw_status (*op_fn)(const sw_alloc *al, const void *ctx, sw_buf *result);

/* run op with budgets 0, 1, ... until it succeeds; returns the number of failed runs */
static unsigned sweep(const char *what, op_fn op, const void *ctx)
{
    sw_buf want, got;
    long budget;
    unsigned failures = 0;
    sw_status st0;
    sw_buf_init(&want, NULL);
    st0 = op(NULL, ctx, &want);
    if (st0 != SW_OK) fprintf(stderr, "\n  %s with libc: %s", what, sw_status_str(st0));
    CU_ASSERT_EQUAL_FATAL(st0, SW_OK);
    for (budget = 0; budget < 200000; budget++) {
        sw_test_failing f = {budget, 0, 0};
        sw_alloc al = sw_test_failing_alloc(&f);
        sw_status st;
        sw_buf_init(&got, NULL);
        st = op(&al, ctx, &got);
        CU_ASSERT_EQUAL(f.live, 0);
        if (st == SW_OK) {
            CU_ASSERT(got.n == want.n && (want.n == 0 || memcmp(got.p, want.p, want.n) == 0));
            sw_buf_free(&got);
            break;
        }
        if (st != SW_E_NOMEM) fprintf(stderr, "\n  %s budget %ld: %s", what, budget, sw_status_str(st));
        CU_ASSERT_EQUAL(st, SW_E_NOMEM);
        failures++;
        sw_buf_free(&got);
    }
    CU_ASSERT(budget < 200000);
    CU_ASSERT(failures > 0);
    sw_buf_free(&want);
    return failures;
}

/* the same with max_nodes 1, 2, ... instead: every node the decoders and
 * parsers make can be refused, each time a clean limit_nodes [#limits] */
static unsigned sweep_nodes(const char *what, op_fn op, const void *ctx)
{
    sw_buf want, got;
    uint64_t k;
    unsigned failures = 0;
    sw_buf_init(&want, NULL);
    g_max_nodes = 0;
    CU_ASSERT_EQUAL_FATAL(op(NULL, ctx, &want), SW_OK);
    for (k = 1; k < 100000; k++) {
        sw_status st;
        g_max_nodes = k;
        sw_buf_init(&got, NULL);
        st = op(NULL, ctx, &got);
        if (st == SW_OK) {
            CU_ASSERT(got.n == want.n && (want.n == 0 || memcmp(got.p, want.p, want.n) == 0));
            sw_buf_free(&got);
            break;
        }
        if (st != SW_E_LIMIT_NODES) fprintf(stderr, "\n  %s max_nodes %llu: %s", what, (unsigned long long)k,
                                            sw_status_str(st));
        CU_ASSERT_EQUAL(st, SW_E_LIMIT_NODES);
        failures++;
        sw_buf_free(&got);
    }
    g_max_nodes = 0;
    CU_ASSERT(k < 100000);
    sw_buf_free(&want);
    return failures;
}

/* notation -> graph -> notation, all on al */
static sw_status op_notation(const sw_alloc *al, const void *ctx, sw_buf *result)
{
    const char *text = (const char *)ctx;
    sw_arena *ar = new_arena(al);
    sw_value *v;
    sw_error e;
    sw_buf b;
    sw_status st;
    if (!ar) return SW_E_NOMEM;
    st = sw_notation_parse(ar, text, strlen(text), &v, &e);
    if (st == SW_OK) {
        sw_buf_init(&b, al);
        st = sw_notation_print(v, &b, 0, &e);
        if (st == SW_OK) st = sw_buf_put(result, b.p, b.n);
        sw_buf_free(&b);
    }
    sw_arena_free(ar);
    return st;
}

typedef struct codec_ctx {
    const char *text;
    int marshal;
    int version; /* pickle protocol or marshal version */
} codec_ctx;

/* notation (libc) -> encode on al -> decode on al -> notation (libc) */
static sw_status op_codec(const sw_alloc *al, const void *vctx, sw_buf *result)
{
    const codec_ctx *c = (const codec_ctx *)vctx;
    sw_arena *src = sw_arena_new(NULL, NULL), *ar;
    sw_value *v, *w;
    sw_error e;
    sw_buf b;
    sw_status st;
    size_t used;
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(src, c->text, strlen(c->text), &v, &e), SW_OK);
    sw_buf_init(&b, al);
    if (c->marshal) {
        sw_marshal_enc_opts o;
        sw_marshal_enc_opts_default(&o);
        o.version = c->version;
        st = sw_marshal_encode(v, &o, &b, &e);
        if (st != SW_OK && !al && !g_max_nodes) fprintf(stderr, "\n  marshal encode: %s", e.msg);
    } else {
        sw_pickle_enc_opts o;
        sw_pickle_enc_opts_default(&o);
        o.protocol = c->version;
        st = sw_pickle_encode(v, &o, &b, &e);
    }
    if (st == SW_OK) {
        sw_buf_put(result, b.p, b.n);
        ar = new_arena(al);
        if (!ar) {
            st = SW_E_NOMEM;
        } else {
            if (c->marshal) {
                sw_marshal_opts o;
                sw_marshal_opts_default(&o);
                st = sw_marshal_decode(ar, b.p, b.n, &o, &w, &used, &e);
                if (st != SW_OK && !al && !g_max_nodes) fprintf(stderr, "\n  marshal decode: %s", e.msg);
            } else {
                sw_pickle_opts o;
                sw_pickle_opts_default(&o);
                st = sw_pickle_decode(ar, b.p, b.n, &o, &w, &used, &e);
            }
            if (st == SW_OK) {
                const char *t = sw_test_notation(w);
                sw_buf_puts(result, " -> ");
                sw_buf_puts(result, t);
            }
            sw_arena_free(ar);
        }
    }
    sw_buf_free(&b);
    sw_arena_free(src);
    return st;
}

typedef struct stream_ctx {
    const char *spec;
    const char *items; /* notation list: its items are the stream's items */
    int auto_intended;  /* [#ser.auto] PySpark's own AutoSerializer.loads cannot read its output */
    int nomem_for_limit; /* skip the node sweep (F7, the encoder reporting nomem at
                            max_nodes, is fixed: no case needs it now) */
} stream_ctx;

/* encode a stream with opts.alloc = al, decode it back with al */
static sw_status op_stream(const sw_alloc *al, const void *vctx, sw_buf *result)
{
    const stream_ctx *c = (const stream_ctx *)vctx;
    sw_arena *src = sw_arena_new(NULL, NULL);
    sw_serializer *s;
    sw_value *list, *v;
    sw_stream_opts o;
    sw_encoder *enc;
    sw_decoder *d;
    sw_source in;
    sw_sink k;
    sw_buf b;
    sw_error e;
    sw_status st;
    size_t i;
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(src, c->items, strlen(c->items), &list, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(c->spec, &s, NULL, &e), SW_OK);
    sw_stream_opts_default(&o);
    o.alloc = al;
    o.auto_intended = c->auto_intended;
    o.limits.max_nodes = g_max_nodes;
    sw_buf_init(&b, al);
    sw_sink_buf(&k, &b);
    st = sw_encoder_new(s, &k, &o, &enc);
    if (st == SW_OK) {
        for (i = 0; i < list->u.c.n && st == SW_OK; i++) st = sw_encoder_put(enc, list->u.c.v[i], &e);
        if (st == SW_OK) st = sw_encoder_finish(enc, &e);
        if (st != SW_OK && !al && !g_max_nodes) fprintf(stderr, "\n  stream encode: %s", e.msg);
        sw_encoder_free(enc);
    }
    if (st == SW_OK) {
        sw_buf_put(result, b.p, b.n);
        sw_source_mem(&in, b.p, b.n);
        st = sw_decoder_new(s, &in, &o, &d);
        if (st == SW_OK) {
            while ((st = sw_decoder_next(d, &v, &e)) == SW_OK) {
                sw_buf_puts(result, " | ");
                sw_buf_puts(result, sw_test_notation(v));
            }
            if (st == SW_END) st = SW_OK;
            if (st != SW_OK && !al && !g_max_nodes) fprintf(stderr, "\n  stream decode: %s", e.msg);
            sw_decoder_free(d);
        }
    }
    sw_buf_free(&b);
    sw_ser_free(s, NULL);
    sw_arena_free(src);
    return st;
}

static void test_alloc_notation(void)
{
    unsigned n = sweep("notation", op_notation, pickle_graph);
    unsigned m = sweep_nodes("notation", op_notation, pickle_graph);
    printf("\n  notation parse+print: %u failing allocations, %u node limits, all clean\n", n, m);
}

/* a big int's decimal text needs scratch (limbs, digits): it comes from
 * the output buffer's allocator, so refusing it is a clean nomem, never a
 * silent libc allocation [#api.alloc] [#notation.int] */
static void test_alloc_notation_bigint(void)
{
    static const char *const texts[] = {"123456789012345678901234567890123456789012345678901234567890",
                                        "-98765432109876543210987654321098765432109876543210"};
    size_t i;
    for (i = 0; i < 2; i++) {
        const char *text = texts[i];
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_value *v;
        sw_error e;
        sw_buf b;
        sw_test_failing f = {1, 0, 0}; /* the buffer's reserve, then nothing */
        sw_alloc al = sw_test_failing_alloc(&f);
        long before;
        CU_ASSERT_FATAL(ar != NULL);
        CU_ASSERT_EQUAL_FATAL(sw_notation_parse(ar, text, strlen(text), &v, &e), SW_OK);
        sw_buf_init(&b, &al);
        CU_ASSERT_EQUAL_FATAL(sw_buf_reserve(&b, 4096), SW_OK);
        CU_ASSERT_EQUAL(f.allocs, 1);
        sw_test_junk(&e, sizeof e);
        CU_ASSERT_EQUAL(sw_notation_print(v, &b, 0, &e), SW_E_NOMEM);
        CU_ASSERT_EQUAL(e.status, SW_E_NOMEM);
        CU_ASSERT_EQUAL(e.layer, SW_LAYER_NOTATION);
        CU_ASSERT_EQUAL(b.n, 0u);
        /* with room for the scratch: the text, the scratch given back */
        f.countdown = -1;
        before = f.allocs;
        CU_ASSERT_EQUAL(sw_notation_print(v, &b, 0, &e), SW_OK);
        CU_ASSERT(b.n == strlen(text) && memcmp(b.p, text, b.n) == 0);
        CU_ASSERT(f.allocs > before);
        sw_buf_free(&b);
        CU_ASSERT_EQUAL(f.live, 0);
        sw_arena_free(ar);
    }
}

static void test_alloc_pickle(void)
{
    int proto;
    unsigned n = 0, m = 0;
    for (proto = 0; proto <= 5; proto++) {
        codec_ctx c = {pickle_graph, 0, proto};
        n += sweep("pickle", op_codec, &c);
        m += sweep_nodes("pickle", op_codec, &c);
    }
    printf("\n  pickle encode+decode protocols 0-5: %u failing allocations, %u node limits, all clean\n", n, m);
}

static void test_alloc_marshal(void)
{
    int version;
    unsigned n = 0, m = 0;
    for (version = 2; version <= 4; version++) {
        codec_ctx c = {marshal_graph, 1, version};
        n += sweep("marshal", op_codec, &c);
        m += sweep_nodes("marshal", op_codec, &c);
    }
    printf("\n  marshal encode+decode versions 2-4: %u failing allocations, %u node limits, all clean\n", n, m);
}

static void test_alloc_streams(void)
{
    static const stream_ctx cases[] = {
        {"BatchedSerializer(PickleSerializer(), 2)", "[1, 'a', [2], {3: 4}, (5,)]", 0, 0},
        {"AutoBatchedSerializer(PickleSerializer(), bestSize=10)", "[1, 'a', [2], {3: 4}, (5,), 6, 7]", 0, 0},
        {"FlattenedValuesSerializer(PickleSerializer(), 2)", "[('k', [1, 2, 3]), ('j', (4,))]", 0, 0},
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(MarshalSerializer(), 2))",
         "[(1, 'a'), (2, 'b'), (3, 'c')]", 0, 0},
        {"CompressedSerializer(AutoSerializer())", "[1, 'a', global('m', 'n'), 2]", 1, 0},
        {"CompressedSerializer(PickleSerializer(protocol=2))", "[1, 'a', global('m', 'n'), 2]", 0, 0},
        {"ChunkedStream(4)", "[b'abcdefghij']", 0, 0},
        {"UTF8Deserializer(True)", "['abc', None, 'd']", 0, 0},
    };
    size_t i;
    unsigned n = 0;
    unsigned m = 0;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        n += sweep(cases[i].spec, op_stream, &cases[i]);
        if (!cases[i].nomem_for_limit) m += sweep_nodes(cases[i].spec, op_stream, &cases[i]);
    }
    printf("\n  stream encode+decode: %u failing allocations, %u node limits, all clean\n", n, m);
}

/* decode a marshal file (code objects included) on al; the listing of the result */
typedef struct file_ctx {
    const uint8_t *p;
    size_t n;
} file_ctx;

static sw_status op_marshal_file(const sw_alloc *al, const void *vctx, sw_buf *result)
{
    const file_ctx *c = (const file_ctx *)vctx;
    sw_arena *ar = new_arena(al);
    sw_marshal_opts o;
    sw_value *v;
    sw_error e;
    size_t used;
    sw_status st;
    if (!ar) return SW_E_NOMEM;
    sw_marshal_opts_default(&o);
    st = sw_marshal_decode(ar, c->p, c->n, &o, &v, &used, &e);
    if (st == SW_OK) sw_buf_puts(result, sw_test_notation(v));
    sw_arena_free(ar);
    return st;
}

static void test_alloc_marshal_code(void)
{
    file_ctx c;
    size_t n;
    uint8_t *p = sw_test_read_file("vectors/marshal/v4/code_module.bin", &n);
    unsigned m;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    c.p = p;
    c.n = n;
    m = sweep_nodes("marshal code", op_marshal_file, &c);
    CU_ASSERT(m > 10);
    printf("\n  marshal code object decode: %u node limits, all clean\n", m);
    free(p);
}

static CU_TestInfo tests[] = {
    {"max_nodes 1..n while decoding a marshal code object", test_alloc_marshal_code},
    {"fail Nth allocation: notation parse and print", test_alloc_notation},
    {"big-int notation text allocates through the buffer's allocator", test_alloc_notation_bigint},
    {"fail Nth allocation: pickle encode, decode, resolve", test_alloc_pickle},
    {"fail Nth allocation: marshal encode and decode", test_alloc_marshal},
    {"fail Nth allocation: stream encoders and decoders", test_alloc_streams},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cov_alloc(void) { return sw_test_add_suite("cov_alloc", tests); }

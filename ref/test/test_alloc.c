/* Allocation failure: fail the Nth allocation for N = 1, 2, ... until the
 * call succeeds; every failure must be a clean SW_E_NOMEM (or a limit), and
 * every byte must be given back [#api.alloc]. */
#include <stdlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

typedef sw_test_failing failing; /* testutil.h */

/* decode the whole stream with an allocator that fails after `budget`
 * allocations; returns the final status */
static sw_status decode_with(const char *spec, const uint8_t *p, size_t n, long budget, failing *f,
                             int *items, int chunked)
{
    sw_alloc al = sw_test_failing_alloc(f);
    sw_serializer *s = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    sw_stream_opts o;
    sw_error e;
    sw_status st;
    memset(f, 0, sizeof *f);
    f->countdown = -1;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, &al, &e), SW_OK);
    sw_stream_opts_default(&o);
    o.alloc = &al;
    f->countdown = budget;
    *items = 0;
    if (chunked) {
        /* not used with a callback here: memory path only */
    }
    sw_source_mem(&src, p, n);
    st = sw_decoder_new(s, &src, &o, &d);
    if (st == SW_OK) {
        sw_value *v;
        while ((st = sw_decoder_next(d, &v, &e)) == SW_OK) (*items)++;
        sw_decoder_free(d);
    }
    f->countdown = -1;
    sw_ser_free(s, &al);
    return st;
}

static void sweep(const char *spec, const uint8_t *p, size_t n)
{
    failing f;
    int full_items = 0, items;
    long budget;
    sw_status want = decode_with(spec, p, n, -1, &f, &full_items, 0);
    CU_ASSERT_EQUAL(f.live, 0);
    for (budget = 0; budget < 10000; budget++) {
        sw_status st = decode_with(spec, p, n, budget, &f, &items, 0);
        CU_ASSERT_EQUAL(f.live, 0);
        if (st == want && items == full_items) break;
        CU_ASSERT(st == SW_E_NOMEM);
        CU_ASSERT(items <= full_items);
    }
    CU_ASSERT(budget < 10000);
}

static void test_alloc_noop_and_composites(void)
{
    sw_buf b;
    sw_sink k;
    int i;
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    for (i = 0; i < 40; i++) sw_write_with_length(&k, (const uint8_t *)"abcdefgh", 8);
    sw_write_int(&k, SW_NULL);
    sweep("NoOpSerializer()", b.p, b.n - 4);
    sweep("UTF8Deserializer(True)", b.p, b.n);
    sweep("BatchedSerializer(NoOpSerializer(), 8)", b.p, b.n - 4);
    sweep("PairDeserializer(BatchedSerializer(NoOpSerializer(), 8), NoOpSerializer())", b.p, b.n - 4);
    sweep("CartesianDeserializer(NoOpSerializer(), BatchedSerializer(NoOpSerializer(), 8))", b.p, b.n - 4);
    sw_buf_free(&b);
}

/* every committed vector stream of these groups, when the files exist */
static void test_alloc_vectors(void)
{
    static const struct {
        const char *path, *spec;
    } files[] = {
        {"vectors/demo/pickle-batched.bin", "BatchedSerializer(PickleSerializer(), 3)"},
    };
    size_t i;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        uint8_t *p = sw_test_read_file(files[i].path, &n);
        if (!p) continue;
        sweep(files[i].spec, p, n);
        free(p);
    }
}

static CU_TestInfo tests[] = {
    {"fail Nth allocation: NoOp, UTF8, composites", test_alloc_noop_and_composites},
    {"fail Nth allocation: vectors", test_alloc_vectors},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_alloc(void) { return sw_test_add_suite("alloc", tests); }

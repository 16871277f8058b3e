/* Buffers, sources, sinks and the wire helpers [#io.source] [#io.sink]
 * [#wire]: short reads, read-all limits, fd and callback sources and sinks,
 * their I/O errors, and allocation failure. */
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"

static void test_buf(void)
{
    sw_buf b;
    char big[300];
    sw_test_failing f = {0, 0, 0};
    sw_alloc al = sw_test_failing_alloc(&f);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(sw_buf_printf(&b, "%d-%s", 42, "ab"), SW_OK);
    CU_ASSERT(b.n == 5 && memcmp(b.p, "42-ab", 5) == 0);
    /* longer than printf's small stack buffer: formatted in place */
    CU_ASSERT_EQUAL(sw_buf_printf(&b, "<%s>", big), SW_OK);
    CU_ASSERT_EQUAL(b.n, 5u + 301u);
    CU_ASSERT(b.p[5] == '<' && b.p[6] == 'x' && b.p[5 + 299] == 'x' && b.p[5 + 300] == '>');
    CU_ASSERT_EQUAL(sw_buf_put(&b, NULL, 0), SW_OK);
    CU_ASSERT_EQUAL(b.n, 306u);
    sw_buf_free(&b);
    CU_ASSERT_PTR_NULL(b.p);
    /* max: exceeding it is limit_total and leaves the buffer as it was */
    sw_buf_init(&b, NULL);
    b.max = 10;
    CU_ASSERT_EQUAL(sw_buf_puts(&b, "0123456789"), SW_OK);
    CU_ASSERT_EQUAL(sw_buf_putc(&b, 'z'), SW_E_LIMIT_TOTAL);
    CU_ASSERT_EQUAL(sw_buf_printf(&b, "%s", big), SW_E_LIMIT_TOTAL);
    CU_ASSERT_EQUAL(b.n, 10u);
    CU_ASSERT_EQUAL(sw_buf_reserve(&b, SIZE_MAX), SW_E_NOMEM); /* n + extra overflows */
    sw_buf_free(&b);
    /* the allocator says no */
    sw_buf_init(&b, &al);
    CU_ASSERT_EQUAL(sw_buf_putc(&b, 'a'), SW_E_NOMEM);
    CU_ASSERT_EQUAL(sw_buf_printf(&b, "%s", big), SW_E_NOMEM);
    CU_ASSERT_EQUAL(b.n, 0u);
    f.countdown = -1;
    CU_ASSERT_EQUAL(sw_buf_printf(&b, "%s", big), SW_OK);
    CU_ASSERT_EQUAL(b.n, 299u);
    sw_buf_free(&b);
    CU_ASSERT_EQUAL(f.live, 0);
}

/* a read callback that hands out at most `step` bytes per call, or fails */
typedef struct trickle {
    const uint8_t *p;
    size_t n, pos, step;
    unsigned calls;
    int fail_at_call; /* 0 = never */
} trickle;

static sw_status trickle_read(void *ctx, uint8_t *dst, size_t cap, size_t *got)
{
    trickle *t = (trickle *)ctx;
    size_t k = t->n - t->pos;
    t->calls++;
    if (t->fail_at_call && (int)t->calls >= t->fail_at_call) return SW_E_IO_READ;
    if (k > t->step) k = t->step;
    if (k > cap) k = cap;
    memcpy(dst, t->p + t->pos, k);
    t->pos += k;
    *got = k;
    return SW_OK;
}

/* [#io.source] read(n) gives n bytes however the callback trickles them,
 * fewer only at the end */
static void test_source_cb(void)
{
    static const uint8_t data[] = "0123456789abcdefghij"; /* 20 bytes */
    trickle t = {data, 20, 0, 3, 0, 0};
    sw_source s;
    const uint8_t *p;
    size_t got;
    sw_source_cb(&s, trickle_read, &t, 4, NULL);
    CU_ASSERT_EQUAL(sw_source_read(&s, 10, &p, &got), SW_OK);
    CU_ASSERT(got == 10 && memcmp(p, "0123456789", 10) == 0);
    CU_ASSERT_EQUAL(s.pos, 10u);
    CU_ASSERT_FALSE(sw_source_at_end(&s));
    CU_ASSERT_EQUAL(sw_source_read(&s, 7, &p, &got), SW_OK);
    CU_ASSERT(got == 7 && memcmp(p, "abcdefg", 7) == 0);
    CU_ASSERT_EQUAL(sw_source_read(&s, 100, &p, &got), SW_OK);
    CU_ASSERT(got == 3 && memcmp(p, "hij", 3) == 0);
    CU_ASSERT_EQUAL(s.pos, 20u);
    CU_ASSERT(sw_source_at_end(&s));
    CU_ASSERT_EQUAL(sw_source_read(&s, 5, &p, &got), SW_OK);
    CU_ASSERT_EQUAL(got, 0u);
    sw_source_free(&s);
    CU_ASSERT_PTR_NULL(s.buf);

    /* chunk 0 means the default */
    sw_source_cb(&s, trickle_read, &t, 0, NULL);
    CU_ASSERT_EQUAL(s.chunk, 65536u);
    sw_source_free(&s);

    /* a failing read: the status comes back; the wire helpers report it at the
     * integer's offset, layer io */
    {
        trickle bad = {data, 20, 0, 3, 0, 2};
        sw_error e;
        int32_t v;
        sw_source_cb(&s, trickle_read, &bad, 4, NULL);
        CU_ASSERT_EQUAL(sw_source_read(&s, 2, &p, &got), SW_OK);
        sw_test_junk(&e, sizeof e);
        CU_ASSERT_EQUAL(sw_read_int(&s, &v, &e), SW_E_IO_READ);
        CU_ASSERT_EQUAL(e.status, SW_E_IO_READ);
        CU_ASSERT_EQUAL(e.layer, SW_LAYER_IO);
        CU_ASSERT_EQUAL(e.offset, 2u);
        CU_ASSERT_FALSE(sw_source_at_end(&s)); /* one byte is still in the window */
        sw_source_free(&s);
        bad.pos = 0;
        bad.calls = 0;
        bad.fail_at_call = 1;
        sw_source_cb(&s, trickle_read, &bad, 4, NULL);
        CU_ASSERT(sw_source_at_end(&s)); /* a source that cannot read has nothing left */
        sw_source_free(&s);
    }

    /* allocation failure of the window */
    {
        sw_test_failing f = {0, 0, 0};
        sw_alloc al = sw_test_failing_alloc(&f);
        t.pos = 0;
        sw_source_cb(&s, trickle_read, &t, 4, &al);
        CU_ASSERT_EQUAL(sw_source_read(&s, 1, &p, &got), SW_E_NOMEM);
        f.countdown = -1;
        CU_ASSERT_EQUAL(sw_source_read(&s, 12, &p, &got), SW_OK);
        CU_ASSERT(got == 12 && memcmp(p, "0123456789ab", 12) == 0);
        sw_source_free(&s);
        CU_ASSERT_EQUAL(f.live, 0);
    }
}

/* read_all (Python's read(-1)) up to max bytes: more is limit_frame */
static void test_source_read_all(void)
{
    static const uint8_t data[] = "0123456789";
    sw_source s;
    const uint8_t *p;
    size_t got;
    trickle t = {data, 10, 0, 3, 0, 0};
    sw_source_mem(&s, data, 10);
    CU_ASSERT_EQUAL(sw_source_read(&s, 3, &p, &got), SW_OK);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 6, &p, &got), SW_E_LIMIT_FRAME);
    CU_ASSERT_EQUAL(s.pos, 3u);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 7, &p, &got), SW_OK);
    CU_ASSERT(got == 7 && memcmp(p, "3456789", 7) == 0);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 0, &p, &got), SW_OK);
    CU_ASSERT_EQUAL(got, 0u);

    sw_source_cb(&s, trickle_read, &t, 4, NULL);
    CU_ASSERT_EQUAL(sw_source_read(&s, 2, &p, &got), SW_OK);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 7, &p, &got), SW_E_LIMIT_FRAME);
    sw_source_free(&s);

    t.pos = 0;
    sw_source_cb(&s, trickle_read, &t, 4, NULL);
    CU_ASSERT_EQUAL(sw_source_read(&s, 2, &p, &got), SW_OK);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 8, &p, &got), SW_OK);
    CU_ASSERT(got == 8 && memcmp(p, "23456789", 8) == 0);
    CU_ASSERT_EQUAL(s.pos, 10u);
    sw_source_free(&s);

    /* a large window: more than max arrives in one chunk */
    t.pos = 0;
    t.step = 100;
    sw_source_cb(&s, trickle_read, &t, 64, NULL);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 9, &p, &got), SW_E_LIMIT_FRAME);
    sw_source_free(&s);

    /* a read error */
    {
        trickle bad = {data, 10, 0, 3, 0, 2};
        sw_source_cb(&s, trickle_read, &bad, 4, NULL);
        CU_ASSERT_EQUAL(sw_source_read_all(&s, 100, &p, &got), SW_E_IO_READ);
        sw_source_free(&s);
    }
}

/* [#io.source] [#wire.int32] a file descriptor source */
static void test_source_fd(void)
{
    int fds[2];
    sw_source s;
    sw_error e;
    int32_t v;
    int64_t l;
    int b;
    const uint8_t *p;
    size_t got;
    static const uint8_t data[] = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0xff, 0xff, 0xff, 0xfe, 2, 0, 7, 7};
    CU_ASSERT_FATAL(pipe(fds) == 0);
    CU_ASSERT_FATAL(write(fds[1], data, sizeof data) == (ssize_t)sizeof data);
    close(fds[1]);
    sw_source_fd(&s, fds[0], NULL);
    CU_ASSERT_EQUAL(sw_read_int(&s, &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v, 5);
    CU_ASSERT_EQUAL(sw_source_read(&s, 5, &p, &got), SW_OK);
    CU_ASSERT(got == 5 && memcmp(p, "hello", 5) == 0);
    CU_ASSERT_EQUAL(sw_read_int(&s, &v, &e), SW_OK);
    CU_ASSERT_EQUAL(v, -2);
    CU_ASSERT_STRING_EQUAL(sw_special_str(v), "PYTHON_EXCEPTION_THROWN");
    CU_ASSERT_EQUAL(sw_read_bool(&s, &b, &e), SW_OK);
    CU_ASSERT_EQUAL(b, 1); /* [#wire.bool] 0x02 is True */
    CU_ASSERT_EQUAL(sw_read_bool(&s, &b, &e), SW_OK);
    CU_ASSERT_EQUAL(b, 0);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_read_long(&s, &l, &e), SW_E_TRUNCATED_LENGTH);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_WIRE);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_STRUCTERROR);
    CU_ASSERT_EQUAL(e.offset, 15u);
    CU_ASSERT_EQUAL(e.payload_offset, 2u);
    CU_ASSERT(sw_source_at_end(&s));
    CU_ASSERT_EQUAL(sw_read_int(&s, &v, &e), SW_END);
    sw_source_free(&s);
    close(fds[0]);

    /* read_all over an fd */
    CU_ASSERT_FATAL(pipe(fds) == 0);
    CU_ASSERT_FATAL(write(fds[1], data, sizeof data) == (ssize_t)sizeof data);
    close(fds[1]);
    sw_source_fd(&s, fds[0], NULL);
    CU_ASSERT_EQUAL(sw_source_read(&s, 4, &p, &got), SW_OK);
    CU_ASSERT_EQUAL(sw_source_read_all(&s, 1000, &p, &got), SW_OK);
    CU_ASSERT(got == sizeof data - 4 && memcmp(p, data + 4, got) == 0);
    sw_source_free(&s);
    close(fds[0]);

    /* a descriptor that cannot be read */
    sw_source_fd(&s, -1, NULL);
    CU_ASSERT_EQUAL(sw_source_read(&s, 4, &p, &got), SW_E_IO_READ);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_read_bool(&s, &b, &e), SW_E_IO_READ);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_IO);
    sw_source_free(&s);
}

/* [#io.sink] [#wire.write_with_length] */
static void test_sinks(void)
{
    int fds[2];
    sw_sink k;
    sw_buf b;
    uint8_t back[32];
    static const uint8_t abc[] = "abc";
    CU_ASSERT_FATAL(pipe(fds) == 0);
    sw_sink_fd(&k, fds[1]);
    CU_ASSERT_EQUAL(sw_write_with_length(&k, abc, 3), SW_OK);
    CU_ASSERT_EQUAL(sw_write_long(&k, -2), SW_OK);
    CU_ASSERT_EQUAL(sw_write_bool(&k, 7), SW_OK);
    CU_ASSERT_EQUAL(sw_write_int(&k, SW_END_OF_STREAM), SW_OK);
    CU_ASSERT_EQUAL(k.written, 20u);
    close(fds[1]);
    CU_ASSERT_EQUAL(read(fds[0], back, sizeof back), 20);
    CU_ASSERT_EQUAL(memcmp(back, "\0\0\0\3abc\377\377\377\377\377\377\377\376\1\377\377\377\374", 20), 0);
    close(fds[0]);

    /* a descriptor that cannot be written: io_write, nothing counted */
    sw_sink_fd(&k, -1);
    CU_ASSERT_EQUAL(sw_write_int(&k, 1), SW_E_IO_WRITE);
    CU_ASSERT_EQUAL(sw_write_with_length(&k, abc, 3), SW_E_IO_WRITE);
    CU_ASSERT_EQUAL(k.written, 0u);
    CU_ASSERT_EQUAL(sw_sink_write(&k, abc, 0), SW_OK);

    /* 2^31 bytes cannot be framed: arg, nothing written (the bytes are never read) */
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    CU_ASSERT_EQUAL(sw_write_with_length(&k, abc, (size_t)INT32_MAX + 1u), SW_E_ARG);
    CU_ASSERT_EQUAL(b.n, 0u);
    CU_ASSERT_EQUAL(k.written, 0u);
    CU_ASSERT_EQUAL(sw_write_with_length(&k, abc, 0), SW_OK);
    CU_ASSERT(b.n == 4 && memcmp(b.p, "\0\0\0\0", 4) == 0);
    sw_buf_free(&b);
}

static void test_special_names(void)
{
    static const char *const names[] = {"END_OF_DATA_SECTION", "PYTHON_EXCEPTION_THROWN", "TIMING_DATA",
                                        "END_OF_STREAM", "NULL", "START_ARROW_STREAM"};
    int32_t v;
    for (v = -1; v >= -6; v--) CU_ASSERT_STRING_EQUAL(sw_special_str(v), names[-v - 1]);
    CU_ASSERT_PTR_NULL(sw_special_str(-7));
    CU_ASSERT_PTR_NULL(sw_special_str(0));
    CU_ASSERT_PTR_NULL(sw_special_str(5));
}

static CU_TestInfo tests[] = {
    {"sw_buf: printf, max, allocation failure", test_buf},
    {"callback source: short reads, errors, allocation failure", test_source_cb},
    {"read_all and its limit", test_source_read_all},
    {"fd source and the wire helpers", test_source_fd},
    {"fd and memory sinks, write_with_length", test_sinks},
    {"SpecialLengths names", test_special_names},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cov_io(void) { return sw_test_add_suite("cov_io", tests); }

/* The conformance runner's pieces [#runner]: the framing of requests and
 * responses [#runner.protocol], status lines, the JSON reader it reads
 * sidecars with (conformance/json.c), and driving testee processes: answers,
 * crashes, hangs, protocol faults and restarts [#runner.session]
 * [#runner.timeout] [#runner.restart]. The runner's sources are compiled
 * into this file so the library needs no runner symbols. */
#include <stdlib.h>
#include <time.h>

#include "json.h"
#include "testutil.h"

#include "../../conformance/runner/proto.c"
#include "../../conformance/runner/session.c"

static void be(unsigned char *o, int32_t v) { be32(o, v); }

/* a response: items "a" and "bc", then status "outcome=ok\n" */
static void make_response(rp_buf *b)
{
    memset(b, 0, sizeof *b);
    CU_ASSERT_EQUAL(rp_put_frame(b, "a", 1), 0);
    CU_ASSERT_EQUAL(rp_put_frame(b, "bc", 2), 0);
    CU_ASSERT_EQUAL(rp_put_end(b), 0);
    {
        rp_buf st;
        memset(&st, 0, sizeof st);
        rp_put_kv(&st, "outcome", "ok");
        rp_put_frame(b, st.p, st.n);
        rp_buf_free(&st);
    }
}

static void test_framing(void)
{
    rp_buf b;
    rp_response r;
    const char *why;
    size_t cut;
    make_response(&b);
    /* 4+1 + 4+2 + 4 + 4+11 */
    CU_ASSERT_EQUAL_FATAL(b.n, 30u);
    CU_ASSERT_EQUAL(memcmp(b.p, "\0\0\0\1a\0\0\0\2bc\377\377\377\377\0\0\0\13outcome=ok\n", 30), 0);
    sw_test_junk(&r, sizeof r);
    CU_ASSERT_EQUAL_FATAL(rp_parse_response(b.p, b.n, &r, &why), 1);
    CU_ASSERT_EQUAL(r.ndata, 2u);
    CU_ASSERT_EQUAL(r.data[0].n, 1u);
    CU_ASSERT_EQUAL(memcmp(r.data[1].p, "bc", 2), 0);
    CU_ASSERT_EQUAL(r.status.n, 11u);
    CU_ASSERT_EQUAL(r.consumed, 30u);
    rp_response_free(&r);
    /* every proper prefix needs more bytes, never a false complete */
    for (cut = 0; cut < b.n; cut++) {
        CU_ASSERT_EQUAL(rp_parse_response(b.p, cut, &r, &why), 0);
    }
    /* bytes after the response are left over (consumed says where it ended) */
    rp_buf_add(&b, "zz", 2);
    CU_ASSERT_EQUAL(rp_parse_response(b.p, b.n, &r, &why), 1);
    CU_ASSERT_EQUAL(r.consumed, 30u);
    rp_response_free(&r);
    rp_buf_free(&b);
}

static void test_malformed(void)
{
    unsigned char m[32];
    rp_response r;
    const char *why;
    /* a length below -1 among the data frames */
    be(m, -2);
    CU_ASSERT_EQUAL(rp_parse_response(m, 4, &r, &why), -1);
    CU_ASSERT_PTR_NOT_NULL(why);
    /* -5 (PySpark's NULL) is not a protocol frame either */
    be(m, -5);
    CU_ASSERT_EQUAL(rp_parse_response(m, 4, &r, &why), -1);
    /* a data frame over the limit is refused before its bytes arrive [#runner.limits] */
    be(m, (int32_t)(RP_MAX_FRAME + 1));
    CU_ASSERT_EQUAL(rp_parse_response(m, 4, &r, &why), -1);
    /* the status frame cannot be -1 */
    be(m, -1);
    be(m + 4, -1);
    CU_ASSERT_EQUAL(rp_parse_response(m, 8, &r, &why), -1);
    /* an empty status frame is a complete response (the runner then finds no outcome) */
    be(m, -1);
    be(m + 4, 0);
    CU_ASSERT_EQUAL(rp_parse_response(m, 8, &r, &why), 1);
    CU_ASSERT_EQUAL(r.ndata, 0u);
    CU_ASSERT_EQUAL(r.status.n, 0u);
    rp_response_free(&r);
    /* the frame writer refuses what the reader would refuse */
    {
        rp_buf b;
        memset(&b, 0, sizeof b);
        CU_ASSERT_EQUAL(rp_put_frame(&b, "", RP_MAX_FRAME + 1), -1);
        rp_buf_free(&b);
    }
}

static void test_kv(void)
{
    static const char t[] = "outcomex=no\noutcome=error\r\ncategory=truncated\noutcome=ok\nempty=\n";
    char *v;
    v = rp_kv_get((const unsigned char *)t, strlen(t), "outcome");
    CU_ASSERT_STRING_EQUAL(v, "error"); /* the first line of that key, CR dropped */
    free(v);
    v = rp_kv_get((const unsigned char *)t, strlen(t), "category");
    CU_ASSERT_STRING_EQUAL(v, "truncated");
    free(v);
    v = rp_kv_get((const unsigned char *)t, strlen(t), "empty");
    CU_ASSERT_STRING_EQUAL(v, "");
    free(v);
    CU_ASSERT_PTR_NULL(rp_kv_get((const unsigned char *)t, strlen(t), "offset"));
    CU_ASSERT_PTR_NULL(rp_kv_get((const unsigned char *)t, strlen(t), "out"));
    {
        /* newlines in a value cannot start a new key */
        rp_buf b;
        memset(&b, 0, sizeof b);
        rp_put_kv(&b, "message", "a\noutcome=ok");
        CU_ASSERT_PTR_NULL(rp_kv_get(b.p, b.n, "outcome"));
        rp_buf_free(&b);
    }
}

static void test_json(void)
{
    /* a sidecar's shape: the runner reads strings, arrays, objects, booleans */
    static const char side[] = "{\"id\": \"x\", \"items\": [\"'a\\\\n'\", \"b'\\\\x00'\"], \"byte_exact\": true,"
                               " \"pyspark\": {\"outcome\": \"error\", \"offset\": 12}, \"serializer\": "
                               "\"BatchedSerializer(PickleSerializer(), 3)\"}";
    jdoc j;
    size_t at = 0;
    const jnode *root, *items, *py;
    CU_ASSERT_EQUAL_FATAL(json_parse(&j, side, strlen(side), &at), 0);
    root = &j.n[1];
    items = json_get(&j, root, "items");
    CU_ASSERT_PTR_NOT_NULL_FATAL(items);
    CU_ASSERT_EQUAL(items->count, 2u);
    CU_ASSERT_STRING_EQUAL(json_str(json_at(&j, items, 0)), "'a\\n'");
    CU_ASSERT_PTR_NULL(json_at(&j, items, 2));
    CU_ASSERT_EQUAL(json_get(&j, root, "byte_exact")->kind, J_TRUE);
    py = json_get(&j, root, "pyspark");
    CU_ASSERT_EQUAL(json_get(&j, py, "offset")->num, 12.0);
    CU_ASSERT_STRING_EQUAL(json_str(json_get(&j, root, "serializer")), "BatchedSerializer(PickleSerializer(), 3)");
    json_free(&j);
    /* truncated sidecars are refused with the offset of the end */
    CU_ASSERT_EQUAL(json_parse(&j, side, 40, &at), -1);
    {
        /* nesting past the limit is refused, not recursed: objects too */
        size_t i, n = 0;
        char deep[6000];
        for (i = 0; i < 1000; i++) n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"a\":");
        CU_ASSERT_EQUAL(json_parse(&j, deep, n, &at), -1);
    }
}

static double elapsed_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* one request: header "op=decode", one data frame "xyz", the terminator (24 bytes) */
static void make_request(rp_buf *q)
{
    memset(q, 0, sizeof *q);
    rp_put_frame(q, "op=decode\n", 10);
    rp_put_frame(q, "xyz", 3);
    rp_put_end(q);
}

#define GOOD "printf '\\000\\000\\000\\001a\\377\\377\\377\\377\\000\\000\\000\\013outcome=ok\\n'"

static void test_session(void)
{
    rs_testee t;
    rp_buf q;
    rp_response r;
    char d[256];
    struct timespec t0;
    make_request(&q);
    CU_ASSERT_EQUAL_FATAL(q.n, 25u);

    /* a testee that reads the request, answers, and stays for the next one */
    rs_init(&t, "good", "while head -c 25 >/dev/null; do " GOOD "; done", -1);
    sw_test_junk(d, sizeof d);
    CU_ASSERT_EQUAL_FATAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_OK);
    CU_ASSERT_EQUAL(r.ndata, 1u);
    CU_ASSERT_EQUAL(r.data[0].n, 1u);
    CU_ASSERT_EQUAL(r.data[0].p[0], 'a');
    CU_ASSERT_EQUAL(r.status.n, 11u);
    rp_response_free(&r);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_OK);
    rp_response_free(&r);
    CU_ASSERT_EQUAL(t.starts, 1u); /* one process for both */
    rs_stop(&t);
    CU_ASSERT_EQUAL(t.pid, 0);

    /* a hang is killed at the deadline, and the next request gets a new process */
    rs_init(&t, "hang", "sleep 30", -1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 0.3, &r, d, sizeof d), RS_TIMEOUT);
    CU_ASSERT(elapsed_since(&t0) < 5.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "0.3 s"));
    CU_ASSERT_EQUAL(t.pid, 0);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 0.2, &r, d, sizeof d), RS_TIMEOUT);
    CU_ASSERT_EQUAL(t.starts, 2u);
    rs_stop(&t);

    /* a testee that answers part of a response and then hangs times out too */
    rs_init(&t, "half", "head -c 25 >/dev/null; printf '\\000\\000\\000\\005ab'; sleep 30", -1);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 0.3, &r, d, sizeof d), RS_TIMEOUT);
    rs_stop(&t);

    /* an exit before answering is a crash, with its status */
    rs_init(&t, "exit", "head -c 25 >/dev/null; exit 3", -1);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "exit status 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "without a response"));
    rs_stop(&t);

    /* death by a signal in the middle of a response */
    rs_init(&t, "signal", "exec sh -c 'head -c 25 >/dev/null; printf \"\\000\\000\"; kill -KILL $$'", -1);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "signal 9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "middle of a response"));
    rs_stop(&t);

    /* bytes that are not a response: killed, reported, restarted next time */
    rs_init(&t, "garbage", "head -c 25 >/dev/null; printf '\\377\\377\\377\\376'; sleep 30", -1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_PROTOCOL);
    CU_ASSERT(elapsed_since(&t0) < 4.0); /* not waiting for the deadline */
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "malformed"));
    CU_ASSERT_EQUAL(t.pid, 0);
    rs_stop(&t);

    /* a second response after the first is a protocol fault */
    rs_init(&t, "twice", "head -c 25 >/dev/null; " GOOD "; " GOOD "; sleep 30", -1);
    {
        rs_result rr = rs_exchange(&t, &q, 5.0, &r, d, sizeof d);
        /* the second copy may arrive with the first or after it: either it is
         * seen now, or the next exchange sees stray bytes first */
        if (rr == RS_OK) {
            rp_response_free(&r);
            rr = rs_exchange(&t, &q, 1.0, &r, d, sizeof d);
            CU_ASSERT(rr != RS_OK);
        } else {
            CU_ASSERT_EQUAL(rr, RS_PROTOCOL);
            CU_ASSERT_PTR_NOT_NULL(strstr(d, "after the response"));
        }
    }
    rs_stop(&t);

    /* a command that does not exist: the shell's 127, a crash */
    rs_init(&t, "missing", "/nonexistent/testee-binary", open("/dev/null", O_WRONLY));
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "127"));
    close(t.stderr_fd);
    rs_stop(&t);
    rp_buf_free(&q);
}

static CU_TestInfo tests[] = {
    {"framing", test_framing},
    {"malformed responses", test_malformed},
    {"status lines", test_kv},
    {"json reader", test_json},
    {"testee processes", test_session},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_runner_json(void) { return sw_test_add_suite("conformance runner", tests); }

/* The conformance runner's pieces [#runner]: the framing of requests and
 * responses [#runner.protocol], status lines, the JSON reader it reads
 * sidecars with (conformance/json.c), and driving testee processes: answers,
 * crashes, hangs, protocol faults and restarts [#runner.session]
 * [#runner.timeout] [#runner.restart]. The runner's sources are compiled
 * into this file so the library needs no runner symbols. */
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "json.h"
#include "testutil.h"

#include "../../conformance/runner/proto.c"
#include "../../conformance/runner/session.c"
#define main sw_runner_main
#include "../../conformance/runner/runner.c"
#undef main

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
            struct timespec ts = {0, 200 * 1000 * 1000};
            rp_response_free(&r);
            nanosleep(&ts, NULL);
            rr = rs_exchange(&t, &q, 1.0, &r, d, sizeof d);
            CU_ASSERT_EQUAL(rr, RS_PROTOCOL);
            CU_ASSERT_PTR_NOT_NULL(strstr(d, "after the previous response"));
        } else {
            CU_ASSERT_EQUAL(rr, RS_PROTOCOL);
            CU_ASSERT_PTR_NOT_NULL(strstr(d, "after the response"));
        }
    }
    rs_stop(&t);

    /* a testee that exits after each answer is started again, silently */
    rs_init(&t, "once", "head -c 25 >/dev/null; " GOOD, -1);
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_OK);
    rp_response_free(&r);
    {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_OK);
    rp_response_free(&r);
    CU_ASSERT_EQUAL(t.starts, 2u);
    rs_stop(&t);

    /* a command that does not exist: the shell's 127, a crash */
    rs_init(&t, "missing", "/nonexistent/testee-binary", open("/dev/null", O_WRONLY));
    CU_ASSERT_EQUAL(rs_exchange(&t, &q, 5.0, &r, d, sizeof d), RS_CRASH);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "127"));
    close(t.stderr_fd);
    rs_stop(&t);
    rp_buf_free(&q);
}

/* ---- comparison [#runner.compare] ---------------------------------------- */

static const char SIDE[] =
    "{\"id\": \"v\", \"serializer\": \"PickleSerializer()\", \"items\": [\"1\", \"'a'\"],"
    " \"pyspark\": {\"outcome\": \"error\", \"exception\": \"EOFError\"},"
    " \"pyspark_observed\": {\"outcome\": \"ok\"},"
    " \"strict\": {\"outcome\": \"error\", \"status\": \"truncated_length\", \"items\": [\"1\"]},"
    " \"with_offset\": {\"outcome\": \"error\", \"offset\": 7}}";

/* build a response from items and a status text, compare it with expectation key */
static int cmp(const vector *v, const char *key, const char *const *items, size_t n, const char *status,
               char *why)
{
    rp_buf b;
    rp_response r;
    const char *w;
    size_t i;
    int ok;
    char *outcome;
    memset(&b, 0, sizeof b);
    for (i = 0; i < n; i++) rp_put_frame(&b, items[i], strlen(items[i]));
    rp_put_end(&b);
    rp_put_frame(&b, status, strlen(status));
    CU_ASSERT_EQUAL_FATAL(rp_parse_response(b.p, b.n, &r, &w), 1);
    outcome = rp_kv_get(r.status.p, r.status.n, "outcome");
    why[0] = 0;
    ok = compare_decode(v, json_get(&v->j, v->root, key), &r, outcome ? outcome : "", r.status.p, r.status.n, why,
                        DETAIL_CAP);
    free(outcome);
    rp_response_free(&r);
    rp_buf_free(&b);
    return ok;
}

static void test_compare(void)
{
    static const char *const two[] = {"1", "'a'"}, *const other[] = {"1", "'b'"}, *const one[] = {"1"},
                             *const three[] = {"1", "'a'", "2"};
    vector v;
    size_t at;
    char why[DETAIL_CAP];
    memset(&v, 0, sizeof v);
    CU_ASSERT_EQUAL_FATAL(json_parse(&v.j, SIDE, strlen(SIDE), &at), 0);
    v.root = &v.j.n[1];
    v.items = json_get(&v.j, v.root, "items");
    /* items exactly as text, in number and order [#runner.compare.items] */
    CU_ASSERT_TRUE(cmp(&v, "pyspark", two, 2, "outcome=error\n", why));
    CU_ASSERT_FALSE(cmp(&v, "pyspark", other, 2, "outcome=error\n", why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "item 1: got 'b', expected 'a'"));
    CU_ASSERT_FALSE(cmp(&v, "pyspark", one, 1, "outcome=error\n", why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "1 items, expected 2"));
    CU_ASSERT_FALSE(cmp(&v, "pyspark", three, 3, "outcome=error\n", why));
    /* the outcome [#runner.compare.outcome]; the exception only when both give one */
    CU_ASSERT_FALSE(cmp(&v, "pyspark", two, 2, "outcome=ok\n", why));
    CU_ASSERT_TRUE(cmp(&v, "pyspark", two, 2, "outcome=error\nexception=EOFError\n", why));
    CU_ASSERT_FALSE(cmp(&v, "pyspark", two, 2, "outcome=error\nexception=ValueError\n", why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "exception ValueError"));
    /* usage never matches */
    CU_ASSERT_FALSE(cmp(&v, "pyspark", two, 2, "outcome=error\ncategory=usage\n", why));
    /* pyspark_observed is a separate expectation the runner tries second */
    CU_ASSERT_TRUE(cmp(&v, "pyspark_observed", two, 2, "outcome=ok\n", why));
    /* strict: own items, and the status' category is required */
    CU_ASSERT_TRUE(cmp(&v, "strict", one, 1, "outcome=error\ncategory=truncated\n", why));
    CU_ASSERT_TRUE(cmp(&v, "strict", one, 1, "outcome=error\nstatus=truncated_frame\n", why));
    CU_ASSERT_FALSE(cmp(&v, "strict", one, 1, "outcome=error\n", why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "(none given)"));
    CU_ASSERT_FALSE(cmp(&v, "strict", one, 1, "outcome=error\ncategory=malformed\n", why));
    CU_ASSERT_FALSE(cmp(&v, "strict", two, 2, "outcome=error\ncategory=truncated\n", why));
    /* an offset in the expectation must be given and equal */
    CU_ASSERT_TRUE(cmp(&v, "with_offset", two, 2, "outcome=error\noffset=7\n", why));
    CU_ASSERT_FALSE(cmp(&v, "with_offset", two, 2, "outcome=error\noffset=8\n", why));
    CU_ASSERT_FALSE(cmp(&v, "with_offset", two, 2, "outcome=error\n", why));
    CU_ASSERT_FALSE(cmp(&v, "with_offset", two, 2, "outcome=error\noffset=7x\n", why));
    json_free(&v.j);
}

/* ---- whole runs: checks, expected-failure lists, --fix, output [#runner.checks] [#runner.xfail] ---- */

static void put_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

/* run sw_runner_main quietly; its stdout goes to out_path */
static int run_main(const char *out_path, const char **args, int n)
{
    char *argv[32];
    int i, rc, saved;
    argv[0] = (char *)"sw-conformance";
    for (i = 0; i < n && i < 30; i++) argv[i + 1] = (char *)args[i];
    argv[n + 1] = NULL;
    fflush(stdout);
    fflush(stderr);
    saved = dup(1);
    {
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int efd = dup(2), nul = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(nul, 2);
        close(fd);
        close(nul);
        rc = sw_runner_main(n + 1, argv);
        fflush(stdout);
        fflush(stderr);
        dup2(efd, 2);
        close(efd);
    }
    dup2(saved, 1);
    close(saved);
    return rc;
}

static char *read_text(const char *path)
{
    size_t n;
    uint8_t *p = sw_test_read_file(path, &n);
    char *s;
    if (!p) return NULL;
    s = (char *)realloc(p, n + 1);
    s[n] = 0;
    return s;
}

/* answers every request: decode -> no items, outcome ok; encode -> skipped */
#define TESTEE                                                                                                   \
    "t=exec python3 -c 'import sys,struct\nf=sys.stdin.buffer\nwhile True:\n h=f.read(4)\n if not h: break\n "  \
    "hd=f.read(struct.unpack(\"!i\",h)[0])\n while True:\n  n=struct.unpack(\"!i\",f.read(4))[0]\n  if n==-1: " \
    "break\n  f.read(n)\n st=b\"outcome=ok\\n\" if b\"op=decode\" in hd else b\"outcome=skipped\\n\"\n "      \
    "sys.stdout.buffer.write(struct.pack(\"!i\",-1)+struct.pack(\"!i\",len(st))+st)\n "                          \
    "sys.stdout.buffer.flush()'"

static void test_runs(void)
{
    char dir[] = "/tmp/sw-runner-test-XXXXXX", p[512], out[512], xf[512], md[512], html[512];
    const char *manifest = "{\"vectors\": [{\"path\": \"g/empty.bin\", \"serializer\": \"PickleSerializer()\"},"
                           " {\"path\": \"g/one.bin\", \"serializer\": \"PickleSerializer()\"},"
                           " {\"path\": \"h/enc.bin\", \"serializer\": \"PickleSerializer()\"},"
                           " {\"path\": \"wire/w.bin\", \"serializer\": null}]}";
    const char *empty = "{\"id\": \"empty\", \"items\": [], \"pyspark\": {\"outcome\": \"ok\"},"
                        " \"strict\": {\"outcome\": \"ok\"}, \"byte_exact\": false}";
    const char *one = "{\"id\": \"one\", \"items\": [\"1\"], \"pyspark\": {\"outcome\": \"ok\"}}";
    const char *enc = "{\"id\": \"enc\", \"items\": [], \"byte_exact\": true}";
    const char *args[16];
    char *text;
    int rc;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(p, sizeof p, "%s/g", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/h", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/manifest.json", dir);
    put_file(p, manifest, strlen(manifest));
    snprintf(p, sizeof p, "%s/g/empty.json", dir);
    put_file(p, empty, strlen(empty));
    snprintf(p, sizeof p, "%s/g/empty.bin", dir);
    put_file(p, "", 0);
    snprintf(p, sizeof p, "%s/g/one.json", dir);
    put_file(p, one, strlen(one));
    snprintf(p, sizeof p, "%s/g/one.bin", dir);
    put_file(p, "\0\0\0\3\x80\x01K", 7);
    snprintf(p, sizeof p, "%s/h/enc.json", dir);
    put_file(p, enc, strlen(enc));
    snprintf(p, sizeof p, "%s/h/enc.bin", dir);
    put_file(p, "", 0);
    snprintf(out, sizeof out, "%s/out.md", dir);
    snprintf(xf, sizeof xf, "t=%s/xfail.txt", dir);
    snprintf(md, sizeof md, "%s/r.md", dir);
    snprintf(html, sizeof html, "%s/m.html", dir);

    /* no list: g/one fails (0 items, expected 1); h/enc is all skipped */
    args[0] = "--vectors";
    args[1] = dir;
    args[2] = "--testee";
    args[3] = TESTEE;
    args[4] = "--html";
    args[5] = html;
    args[6] = "--markdown";
    args[7] = md;
    rc = run_main(out, args, 8);
    CU_ASSERT_EQUAL(rc, 1);
    text = read_text(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n1 passed, 1 failed, 1 skipped\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "| g | 2 | 1 / 1 / 0 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "| h | 1 | 0 / 0 / 1 |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "1 entries without a serializer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "0 items, expected 1"));
    free(text);
    text = read_text(md);
    CU_ASSERT_PTR_NOT_NULL(text);
    CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "| **total** | 3 | 1 / 1 / 1 |") : NULL);
    free(text);
    text = read_text(html + 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<td class=\"fail\">1 / 1 / 0</td>"));
    CU_ASSERT_PTR_NULL(strstr(text, "http")); /* self-contained */
    CU_ASSERT_PTR_NULL(strstr(text, "<script"));
    free(text);

    /* a list with the failure, a passing vector and a stale id: 2 failures */
    snprintf(p, sizeof p, "%s/xfail.txt", dir);
    {
        const char *list = "# head comment\n\ng/one  # needs items\ng/empty\ngone/away # removed\n";
        put_file(p, list, strlen(list));
    }
    args[4] = "--xfail";
    args[5] = xf;
    rc = run_main(out, args, 6);
    CU_ASSERT_EQUAL(rc, 1);
    text = read_text(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n1 expected failures\n0 passed, 2 failed, 1 skipped\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "| g/empty | unexpected pass |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "| gone/away | stale |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "| g/one | expected failure | needs items -- "));
    free(text);

    /* --fix: the list keeps its head and reasons, loses the pass and the stale id */
    args[6] = "--fix";
    rc = run_main(out, args, 7);
    CU_ASSERT_EQUAL(rc, 0);
    text = read_text(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "# head comment\ng/one  # needs items\n");
    free(text);
    rc = run_main(out, args, 6);
    CU_ASSERT_EQUAL(rc, 0);

    /* --group: only g runs; the list's h entries are not stale */
    {
        const char *list = "g/one # x\nh/enc # y\n";
        put_file(p, list, strlen(list));
    }
    args[6] = "--group";
    args[7] = "g";
    args[8] = "--fix";
    rc = run_main(out, args, 9);
    CU_ASSERT_EQUAL(rc, 0);
    text = read_text(p);
    CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "h/enc  # y\n") : NULL);
    CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "g/one  # x\n") : NULL);
    free(text);

    /* usage errors: no testee, an --xfail for no testee, a missing manifest */
    rc = run_main(out, args, 2);
    CU_ASSERT_EQUAL(rc, 2);
    args[2] = "--xfail";
    args[3] = "nobody=x";
    args[4] = "--testee";
    args[5] = TESTEE;
    rc = run_main(out, args, 6);
    CU_ASSERT_EQUAL(rc, 2);
    args[1] = "/nonexistent-vectors";
    rc = run_main(out, args + 0, 2);
    CU_ASSERT_EQUAL(rc, 2);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
}

static CU_TestInfo tests[] = {
    {"framing", test_framing},
    {"malformed responses", test_malformed},
    {"status lines", test_kv},
    {"json reader", test_json},
    {"testee processes", test_session},
    {"comparison", test_compare},
    {"runs and expected-failure lists", test_runs},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_runner_json(void) { return sw_test_add_suite("conformance runner", tests); }

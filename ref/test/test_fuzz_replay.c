/* Fuzz regression replay [#fuzz.replay]: every file under fuzz/corpus/<target>/
 * and fuzz/regressions/<target>/ runs through its target's entry function
 * with the oracles of fuzz/oracle.c; an oracle failure is a test failure
 * (the hook counts it instead of aborting), and under ASan+UBSan a memory
 * error stops the run. The targets are compiled into this file. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define FZ_NO_ENTRY 1
#include "../../fuzz/oracle.c"
#include "../../fuzz/targets/auto_decode.c"
#include "../../fuzz/targets/batched_decode.c"
#include "../../fuzz/targets/frame_decode.c"
#include "../../fuzz/targets/marshal_decode.c"
#include "../../fuzz/targets/notation_parse.c"
#include "../../fuzz/targets/pair_decode.c"
#include "../../fuzz/targets/pickle_decode.c"
#include "../../fuzz/targets/stack_decode.c"
#include "../../fuzz/targets/utf8_decode.c"
#include "../../fuzz/targets/zlib_decode.c"

typedef int (*fz_target_fn)(const uint8_t *, size_t);

static const struct {
    const char *name;
    fz_target_fn fn;
} k_targets[] = {
    {"auto_decode", fz_target_auto_decode},       {"batched_decode", fz_target_batched_decode},
    {"frame_decode", fz_target_frame_decode},     {"marshal_decode", fz_target_marshal_decode},
    {"notation_parse", fz_target_notation_parse}, {"pair_decode", fz_target_pair_decode},
    {"pickle_decode", fz_target_pickle_decode},   {"stack_decode", fz_target_stack_decode},
    {"utf8_decode", fz_target_utf8_decode},       {"zlib_decode", fz_target_zlib_decode},
};

static int g_failures;
static char g_first[600];

static void count_failure(const char *what, const char *detail)
{
    if (g_failures++ == 0) snprintf(g_first, sizeof g_first, "%s: %.400s", what, detail);
}

/* SW_FUZZ_REPLAY_SAMPLE=N (N > 1): replay only the corpus files whose name
 * hashes (FNV-1a) to 0 mod N, the same files on every machine; regressions
 * are always replayed whole. `make valgrind` sets it [#fuzz.replay]. */
static unsigned long g_sample = 1;

static int sampled(const char *name)
{
    uint32_t h = 2166136261u;
    if (g_sample <= 1) return 1;
    for (; *name; name++) h = (h ^ (uint8_t)*name) * 16777619u;
    return h % g_sample == 0;
}

/* replay one folder (every file, or a sample when sample is set); returns
 * the number of files run */
static long replay_dir(const char *dir, fz_target_fn fn, int sample)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    long n = 0;
    if (!d) return 0;
    while ((de = readdir(d)) != NULL) {
        char path[1024];
        struct stat st;
        uint8_t *buf;
        size_t len = 0;
        if (de->d_name[0] == '.' || (sample && !sampled(de->d_name))) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        buf = sw_test_read_file(path, &len);
        CU_ASSERT_PTR_NOT_NULL(buf);
        if (!buf) continue;
        g_failures = 0;
        fn(buf, len);
        if (g_failures) {
            fprintf(stderr, "\n  fuzz replay: %s: %s\n", path, g_first);
            CU_FAIL("oracle failure in a fuzz corpus or regression file (see stderr)");
        }
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

static void test_replay_all(void)
{
    size_t i;
    long corpus = 0, regressions = 0;
    const char *env = getenv("SW_FUZZ_REPLAY_SAMPLE");
    g_sample = env && *env ? strtoul(env, NULL, 10) : 1;
    fz_set_fail_hook(count_failure);
    for (i = 0; i < sizeof k_targets / sizeof k_targets[0]; i++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", SW_TEST_ROOT, k_targets[i].name);
        corpus += replay_dir(dir, k_targets[i].fn, 1);
        snprintf(dir, sizeof dir, "%s/fuzz/regressions/%s", SW_TEST_ROOT, k_targets[i].name);
        regressions += replay_dir(dir, k_targets[i].fn, 0);
    }
    fz_set_fail_hook(NULL);
    if (g_sample > 1)
        fprintf(stderr, "\n  fuzz replay: %ld corpus files (1 in %lu by name), %ld regressions\n", corpus, g_sample,
                regressions);
    else
        fprintf(stderr, "\n  fuzz replay: %ld corpus files, %ld regressions\n", corpus, regressions);
    /* the corpora are committed: an empty replay is a broken checkout */
    CU_ASSERT(corpus > 0);
    CU_ASSERT(regressions > 0);
}

/* the oracles themselves must be able to fail */
static void test_oracles_fire(void)
{
    fz_alloc fa;
    void *p;
    fz_set_fail_hook(count_failure);
    /* a leak is reported */
    fz_alloc_init(&fa, 0, 0);
    p = fa.al.malloc_fn(fa.al.ctx, 10);
    g_failures = 0;
    fz_alloc_check_clean(&fa, "test");
    CU_ASSERT_EQUAL(g_failures, 1);
    fa.al.free_fn(fa.al.ctx, p, 10);
    g_failures = 0;
    fz_alloc_check_clean(&fa, "test");
    CU_ASSERT_EQUAL(g_failures, 0);
    /* fail-at-Nth refuses the Nth allocation and later ones */
    fz_alloc_init(&fa, 0, 2);
    p = fa.al.malloc_fn(fa.al.ctx, 4);
    CU_ASSERT_PTR_NOT_NULL(p);
    CU_ASSERT_PTR_NULL(fa.al.malloc_fn(fa.al.ctx, 4));
    CU_ASSERT_EQUAL(fa.failed, 1);
    fa.al.free_fn(fa.al.ctx, p, 4);
    /* a byte budget refuses what would exceed it */
    fz_alloc_init(&fa, 100, 0);
    p = fa.al.malloc_fn(fa.al.ctx, 60);
    CU_ASSERT_PTR_NOT_NULL(p);
    CU_ASSERT_PTR_NULL(fa.al.malloc_fn(fa.al.ctx, 60));
    fa.al.free_fn(fa.al.ctx, p, 60);
    /* configuration bytes: 0 when used up */
    {
        static const uint8_t two[2] = {7, 9};
        fz_in in = {two, 2};
        CU_ASSERT_EQUAL(fz_byte(&in), 7);
        CU_ASSERT_EQUAL(fz_byte(&in), 9);
        CU_ASSERT_EQUAL(fz_byte(&in), 0);
    }
    fz_set_fail_hook(NULL);
}

/* the stream oracle on a known stream: NoOp frames "ab", b"" and a clean
 * end give no failure; the run reports SW_END */
static void test_stream_oracle_clean(void)
{
    static const uint8_t s[] = {0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0};
    fz_stream_cfg c;
    fz_in in = {(const uint8_t *)"\0\1\2\3\4\1", 6}; /* pyspark, chunks 1-4, budget allocator */
    fz_set_fail_hook(count_failure);
    g_failures = 0;
    fz_stream_cfg_from(&c, "NoOpSerializer()", &in);
    CU_ASSERT_EQUAL(c.mode, SW_MODE_PYSPARK);
    CU_ASSERT_EQUAL(c.alloc_mode, 1);
    CU_ASSERT_EQUAL(fz_check_stream(&c, s, sizeof s), SW_END);
    /* 1-3 bytes where a length starts: truncated_length, offset within input */
    CU_ASSERT_EQUAL(fz_check_stream(&c, s, 7), SW_E_TRUNCATED_LENGTH);
    CU_ASSERT_EQUAL(g_failures, 0);
    fz_set_fail_hook(NULL);
}

/* [#fuzz.describe] what the configuration bytes chose, as JSON, and no check */
static void test_describe(void)
{
    /* stack_decode: table entry 15, limit byte 0x20 with 2 (max_inflated_bytes
     * 1 + 2 * 4), stream config 0 (pyspark), chunks 0, allocator byte 0 */
    static const uint8_t stack_in[] = {15, 0x20, 2, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t pickle_in[] = {0x21, 0x05, 0x80, 0x02, 'N', '.'};
    static const char want[] =
        "{\"serializer\": \"BatchedSerializer(CompressedSerializer(PickleSerializer()), 2)\", \"mode\": "
        "\"pyspark\", \"auto_intended\": 0, \"symbolic_ext\": 0, \"marshal_py2\": 0, \"pickle_encoding\": "
        "\"bytes\", \"alloc\": [0, 1], \"roundtrip\": 1, \"chunks\": [0, 0, 0, 0], \"limits\": "
        "{\"max_inflated_bytes\": 9}, \"stream\": \"ffffffff\"}\n"
        "{\"target\": \"pickle_decode\", \"payload\": \"pickle\", \"mode\": \"strict\", \"encoding\": "
        "\"bytes\", \"symbolic_ext\": 0, \"resolve\": 1, \"roundtrip_protocol\": 0, \"alloc\": 5, \"bytes\": "
        "\"80024e2e\"}\n";
    char got[1024];
    size_t n;
    FILE *tmp = tmpfile();
    int saved;
    CU_ASSERT_FATAL(tmp != NULL);
    fflush(stdout);
    saved = dup(1);
    CU_ASSERT_FATAL(saved >= 0);
    CU_ASSERT_FATAL(dup2(fileno(tmp), 1) >= 0);
    fz_describe = 1;
    g_failures = 0;
    fz_target_stack_decode(stack_in, sizeof stack_in);
    fz_target_pickle_decode(pickle_in, sizeof pickle_in);
    fz_describe = 0;
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    n = fread(got, 1, sizeof got - 1, tmp);
    got[n] = 0;
    fclose(tmp);
    if (strcmp(got, want) != 0) fprintf(stderr, "\n  --describe printed:\n%s", got);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_EQUAL(g_failures, 0);
}

int sw_suite_test_fuzz_replay(void)
{
    static CU_TestInfo tests[] = {
        {"oracles can fail", test_oracles_fire},
        {"--describe prints the configuration and stream", test_describe},
        {"stream oracle on a clean stream", test_stream_oracle_clean},
        {"replay fuzz/corpus and fuzz/regressions", test_replay_all},
        CU_TEST_INFO_NULL,
    };
    return sw_test_add_suite("fuzz_replay", tests);
}

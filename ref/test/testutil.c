/* The CUnit runner: runs every registered suite, prints CUnit's summary,
 * exits non-zero on any failure. */
#include "testutil.h"

#include <CUnit/Basic.h>
#include <stdlib.h>

extern int (*const sw_all_suites[])(void);

int sw_test_add_suite(const char *name, CU_TestInfo *tests)
{
    CU_SuiteInfo suites[2];
    memset(suites, 0, sizeof suites);
    suites[0].pName = name;
    suites[0].pTests = tests;
    return CU_register_suites(suites) == CUE_SUCCESS ? 0 : -1;
}

uint8_t *sw_test_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            uint8_t *nb = (uint8_t *)realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    fclose(f);
    *n = len;
    return buf;
}

void sw_test_junk(void *p, size_t n) { memset(p, 0xA5, n); }

static void *failing_malloc(void *ctx, size_t n)
{
    sw_test_failing *f = (sw_test_failing *)ctx;
    void *p;
    if (f->countdown == 0) return NULL;
    if (f->countdown > 0) f->countdown--;
    p = malloc(n ? n : 1);
    if (p) {
        f->allocs++;
        f->live += (long long)n;
    }
    return p;
}

static void *failing_realloc(void *ctx, void *p, size_t old_n, size_t new_n)
{
    sw_test_failing *f = (sw_test_failing *)ctx;
    void *q;
    if (f->countdown == 0) return NULL;
    if (f->countdown > 0) f->countdown--;
    q = realloc(p, new_n ? new_n : 1);
    if (q) f->live += (long long)new_n - (long long)old_n;
    return q;
}

static void failing_free(void *ctx, void *p, size_t n)
{
    sw_test_failing *f = (sw_test_failing *)ctx;
    if (!p) return;
    f->live -= (long long)n;
    free(p);
}

sw_alloc sw_test_failing_alloc(sw_test_failing *f)
{
    sw_alloc al;
    al.ctx = f;
    al.malloc_fn = failing_malloc;
    al.realloc_fn = failing_realloc;
    al.free_fn = failing_free;
    return al;
}

const char *sw_test_notation(const sw_value *v)
{
    static char out[1 << 16];
    sw_buf b;
    sw_error e;
    sw_buf_init(&b, NULL);
    if (sw_notation_print(v, &b, 0, &e) != SW_OK) {
        snprintf(out, sizeof out, "<print failed: %s>", sw_status_str(e.status));
    } else {
        size_t n = b.n < sizeof out - 1 ? b.n : sizeof out - 1;
        memcpy(out, b.p, n);
        out[n] = 0;
    }
    sw_buf_free(&b);
    return out;
}

int main(int argc, char **argv)
{
    size_t i;
    unsigned fails;
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    for (i = 0; sw_all_suites[i]; i++)
        if (sw_all_suites[i]() != 0) {
            fprintf(stderr, "suite registration %zu failed\n", i);
            return 2;
        }
    CU_basic_set_mode(CU_BRM_NORMAL);
    if (argc > 1) {
        /* sw_tests SUITE...: run only the named suites (while iterating) */
        int k;
        for (k = 1; k < argc; k++) {
            CU_pSuite s = CU_get_suite(argv[k]);
            if (!s) {
                fprintf(stderr, "no suite %s\n", argv[k]);
                CU_cleanup_registry();
                return 2;
            }
            CU_basic_run_suite(s);
        }
    } else {
        CU_basic_run_tests();
    }
    fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return fails ? 1 : 0;
}

/* cloudpickle payloads (vectors/cloudpickle): decoded without running
 * anything, printed and parsed back, and re-encoded byte for byte
 * [#pickle.setstate] [#pickle.encode.symbolic]. */
#include <dirent.h>
#include <stdlib.h>

#include "testutil.h"

static void test_cloudpickle_round_trip(void)
{
    DIR *d = opendir("vectors/cloudpickle");
    struct dirent *f;
    unsigned total = 0, same = 0, reparsed = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    while ((f = readdir(d)) != NULL) {
        char path[512];
        size_t l = strlen(f->d_name), n, used = 0;
        uint8_t *p;
        sw_arena *ar;
        sw_value *v, *w;
        sw_error e;
        sw_buf b, t;
        sw_pickle_enc_opts eo;
        if (l < 5 || strcmp(f->d_name + l - 4, ".pkl") != 0) continue;
        snprintf(path, sizeof path, "vectors/cloudpickle/%s", f->d_name);
        p = sw_test_read_file(path, &n);
        if (!p) continue;
        total++;
        ar = sw_arena_new(NULL, NULL);
        sw_buf_init(&b, NULL);
        sw_buf_init(&t, NULL);
        sw_pickle_enc_opts_default(&eo);
        if (sw_pickle_decode(ar, p, n, NULL, &v, &used, &e) == SW_OK && used == n &&
            sw_pickle_encode(v, &eo, &b, &e) == SW_OK && b.n == n && memcmp(b.p, p, n) == 0)
            same++;
        else
            fprintf(stderr, "\n  %s: not byte-identical (%s)", path, e.msg ? e.msg : "");
        /* the notation carries the whole symbolic graph (identity of the
         * kinds it shows): print -> parse -> print is a fixed point */
        if (sw_notation_print(v, &t, 0, &e) == SW_OK &&
            sw_notation_parse(ar, (const char *)t.p, t.n, &w, &e) == SW_OK) {
            size_t n1 = t.n;
            if (sw_notation_print(w, &t, 0, &e) == SW_OK && t.n == 2 * n1 && memcmp(t.p, t.p + n1, n1) == 0)
                reparsed++;
        }
        sw_buf_free(&b);
        sw_buf_free(&t);
        sw_arena_free(ar);
        free(p);
    }
    closedir(d);
    printf("\n  cloudpickle: %u payloads, %u re-encode byte-identical, %u print -> parse -> print to the same text\n", total,
           same, reparsed);
    CU_ASSERT(total >= 10);
    CU_ASSERT_EQUAL(same, total);
    CU_ASSERT_EQUAL(reparsed, total);
}

static CU_TestInfo tests[] = {
    {"cloudpickle round trip", test_cloudpickle_round_trip},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cloudpickle(void) { return sw_test_add_suite("cloudpickle", tests); }

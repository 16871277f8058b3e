/* The marshal codec against CPython: marshal.dumps output of versions 0-4
 * decodes to marshal.loads' value and re-encodes byte for byte; crafted
 * inputs fail as CPython fails (vectors/marshal) [#marshal]. */
#include <dirent.h>
#include <stdlib.h>

#include "json.h"
#include "testutil.h"

static void test_versions(void)
{
    int ver;
    unsigned total = 0, dec_ok = 0, enc_ok = 0;
    for (ver = 0; ver <= 4; ver++) {
        char dir[64];
        DIR *d;
        struct dirent *f;
        snprintf(dir, sizeof dir, "vectors/marshal/v%d", ver);
        d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        while ((f = readdir(d)) != NULL) {
            char path[512];
            size_t l = strlen(f->d_name), n, tn, used = 0;
            uint8_t *p;
            char *t;
            sw_arena *ar;
            sw_value *v;
            sw_error e;
            sw_buf b;
            sw_marshal_enc_opts eo;
            if (l < 5 || strcmp(f->d_name + l - 4, ".bin") != 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            p = sw_test_read_file(path, &n);
            snprintf(path, sizeof path, "%s/%.*s.txt", dir, (int)(l - 4), f->d_name);
            t = (char *)sw_test_read_file(path, &tn);
            if (!p || !t) {
                free(p);
                free(t);
                continue;
            }
            while (tn && t[tn - 1] == '\n') tn--;
            total++;
            ar = sw_arena_new(NULL, NULL);
            sw_buf_init(&b, NULL);
            if (sw_marshal_decode(ar, p, n, NULL, &v, &used, &e) == SW_OK && used == n &&
                sw_notation_print(v, &b, 0, &e) == SW_OK) {
                if (b.n == tn && memcmp(b.p, t, tn) == 0)
                    dec_ok++;
                else
                    fprintf(stderr, "\n  %s: got %.100s", path, b.p);
                b.n = 0;
                sw_marshal_enc_opts_default(&eo);
                eo.version = ver;
                if (sw_marshal_encode(v, &eo, &b, &e) == SW_OK && b.n == n && memcmp(b.p, p, n) == 0)
                    enc_ok++;
                else
                    fprintf(stderr, "\n  %s: re-encoding differs (%zu vs %zu bytes)", path, b.n, n);
            } else {
                fprintf(stderr, "\n  %s: decode failed: %s", path, e.msg);
            }
            sw_buf_free(&b);
            sw_arena_free(ar);
            free(p);
            free(t);
        }
        closedir(d);
    }
    printf("\n  marshal v0-v4: %u files, %u decode to marshal.loads' value, %u re-encode byte-identical\n", total,
           dec_ok, enc_ok);
    CU_ASSERT(total > 250);
    CU_ASSERT_EQUAL(dec_ok, total);
    CU_ASSERT_EQUAL(enc_ok, total);
}

static void test_errors(void)
{
    DIR *d = opendir("vectors/marshal/errors");
    struct dirent *f;
    unsigned total = 0, ok = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    while ((f = readdir(d)) != NULL) {
        char path[512];
        size_t l = strlen(f->d_name), n, jn, at;
        uint8_t *p;
        char *jt;
        jdoc j;
        const jnode *cp, *st, *off;
        const char *outcome, *exc;
        sw_arena *ar;
        sw_value *v;
        sw_error e;
        sw_status got;
        int good;
        if (l < 6 || strcmp(f->d_name + l - 5, ".json") != 0) continue;
        snprintf(path, sizeof path, "vectors/marshal/errors/%s", f->d_name);
        jt = (char *)sw_test_read_file(path, &jn);
        snprintf(path, sizeof path, "vectors/marshal/errors/%.*s.bin", (int)(l - 5), f->d_name);
        p = sw_test_read_file(path, &n);
        if (!jt || json_parse(&j, jt, jn, &at) != 0) {
            CU_FAIL("sidecar");
            free(jt);
            free(p);
            continue;
        }
        cp = json_get(&j, &j.n[1], "cpython");
        st = json_get(&j, &j.n[1], "status");
        off = json_get(&j, &j.n[1], "payload_offset");
        outcome = json_str(json_get(&j, cp, "outcome"));
        exc = json_str(json_get(&j, cp, "exception"));
        ar = sw_arena_new(NULL, NULL);
        sw_test_junk(&e, sizeof e);
        got = sw_marshal_decode(ar, p ? p : (const uint8_t *)"", n, NULL, &v, NULL, &e);
        total++;
        if (outcome && strcmp(outcome, "ok") == 0) {
            const char *want = json_str(json_at(&j, json_get(&j, cp, "items"), 0));
            good = got == SW_OK && want && strcmp(sw_test_notation(v), want) == 0;
        } else {
            good = got != SW_OK && st && strcmp(json_str(st), sw_status_str(got)) == 0 && exc &&
                   strcmp(exc, sw_pyexc_str(e.pyexc)) == 0 && (!off || (uint64_t)off->num == e.payload_offset);
        }
        if (good)
            ok++;
        else
            fprintf(stderr, "\n  %s: got %s %s at %llu", path, sw_status_str(got),
                    got ? sw_pyexc_str(e.pyexc) : sw_test_notation(v), (unsigned long long)(got ? e.payload_offset : 0));
        sw_arena_free(ar);
        json_free(&j);
        free(jt);
        free(p);
    }
    closedir(d);
    printf("\n  marshal errors vs CPython: %u/%u\n", ok, total);
    CU_ASSERT(total >= 20);
    CU_ASSERT_EQUAL(ok, total);
}

/* a graph built fresh: shared nodes get FLAG_REF and come back shared */
static void test_fresh_refs(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *l = sw_v_container(ar, SW_K_LIST, 2), *s = sw_v_strlike(ar, SW_K_STR, (const uint8_t *)"ab", 2), *v;
    sw_buf b;
    sw_error e;
    sw_v_push(ar, l, s);
    sw_v_push(ar, l, s);
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(sw_marshal_encode(l, NULL, &b, &e), SW_OK);
    CU_ASSERT_EQUAL(b.n, 14u); /* [ n=2, 'z'|REF 2 "ab", 'r' 0 */
    CU_ASSERT_EQUAL_FATAL(sw_marshal_decode(ar, b.p, b.n, NULL, &v, NULL, &e), SW_OK);
    CU_ASSERT(v->u.c.v[0] == v->u.c.v[1]);
    CU_ASSERT(sw_v_graph_equal(l, v, NULL, 0));
    /* a cycle cannot be written below version 3 */
    sw_v_push(ar, l, l);
    {
        sw_marshal_enc_opts o;
        sw_marshal_enc_opts_default(&o);
        o.version = 2;
        b.n = 0;
        CU_ASSERT_EQUAL(sw_marshal_encode(l, &o, &b, &e), SW_E_UNENCODABLE);
        CU_ASSERT_EQUAL(b.n, 0u);
    }
    sw_buf_free(&b);
    sw_arena_free(ar);
}

static CU_TestInfo tests[] = {
    {"versions 0-4 vs CPython", test_versions},
    {"errors vs CPython", test_errors},
    {"fresh graphs share through refs", test_fresh_refs},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_marshal(void) { return sw_test_add_suite("marshal", tests); }

/* The marshal codec against CPython [#marshal]: marshal.dumps output of
 * versions 0-4 decodes to marshal.loads' value and re-encodes byte for
 * byte; crafted inputs fail as CPython fails (status, exception, message,
 * payload offset); the Python 2 dialect; fresh graphs; limits; allocation
 * failure; the listing. Vectors: vectors/marshal (tools/gen_marshal_vectors.py). */
#include <dirent.h>
#include <stdlib.h>

#include "json.h"
#include "testutil.h"

/* ---- helpers ---- */

typedef struct vfile {
    char name[256];
} vfile;

static int cmp_vfile(const void *a, const void *b) { return strcmp(((const vfile *)a)->name, ((const vfile *)b)->name); }

/* sorted names in dir ending in ext (malloc'd array) */
static vfile *list_dir(const char *dir, const char *ext, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *f;
    vfile *v = NULL;
    size_t n = 0, cap = 0, el = strlen(ext);
    *count = 0;
    if (!d) return NULL;
    while ((f = readdir(d)) != NULL) {
        size_t l = strlen(f->d_name);
        if (l <= el || l >= sizeof v->name || strcmp(f->d_name + l - el, ext) != 0) continue;
        if (n == cap) {
            vfile *nv = (vfile *)realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
            if (!nv) break;
            v = nv;
        }
        memcpy(v[n].name, f->d_name, l - el);
        v[n].name[l - el] = 0;
        n++;
    }
    closedir(d);
    if (v) qsort(v, n, sizeof *v, cmp_vfile);
    *count = n;
    return v;
}

static int notation_is(const sw_value *v, const char *want, size_t wn)
{
    sw_buf b;
    sw_error e;
    int ok;
    sw_buf_init(&b, NULL);
    ok = sw_notation_print(v, &b, 0, &e) == SW_OK && b.n == wn && memcmp(b.p, want, wn) == 0;
    if (!ok) fprintf(stderr, "\n    got  %.200s\n    want %.200s", b.p ? (const char *)b.p : "", want);
    sw_buf_free(&b);
    return ok;
}

static sw_status dec(sw_arena *ar, const uint8_t *p, size_t n, int py2, sw_mode mode, sw_value **v, size_t *used,
                     sw_error *e)
{
    sw_marshal_opts o;
    sw_marshal_opts_default(&o);
    o.py2 = py2;
    o.mode = mode;
    sw_test_junk(e, sizeof *e);
    *v = (sw_value *)e; /* junk: must come back NULL on failure */
    return sw_marshal_decode(ar, p ? p : (const uint8_t *)"", n, &o, v, used, e);
}

static sw_status enc(const sw_value *v, int version, int py2, int hints, sw_buf *b, sw_error *e)
{
    sw_marshal_enc_opts o;
    sw_marshal_enc_opts_default(&o);
    o.version = version;
    o.py2 = py2;
    o.use_hints = hints;
    sw_test_junk(e, sizeof *e);
    return sw_marshal_encode(v, &o, b, e);
}

/* ---- CPython's files, versions 0-4 [#marshal.types] [#marshal.encode] ---- */

static void test_versions(void)
{
    int ver;
    unsigned total = 0, dec_ok = 0, enc_ok = 0, canon_stable = 0;
    for (ver = 0; ver <= 4; ver++) {
        char dir[64];
        size_t nf = 0, i;
        vfile *fs;
        unsigned vt = 0, vd = 0, ve = 0;
        snprintf(dir, sizeof dir, "vectors/marshal/v%d", ver);
        fs = list_dir(dir, ".bin", &nf);
        CU_ASSERT_FATAL(fs != NULL && nf > 100);
        for (i = 0; i < nf; i++) {
            char path[512];
            size_t n, tn, used = 0;
            uint8_t *p, *t;
            sw_arena *ar = sw_arena_new(NULL, NULL);
            sw_value *v;
            sw_error e;
            sw_buf b;
            snprintf(path, sizeof path, "%s/%s.bin", dir, fs[i].name);
            p = sw_test_read_file(path, &n);
            snprintf(path, sizeof path, "%s/%s.txt", dir, fs[i].name);
            t = sw_test_read_file(path, &tn);
            CU_ASSERT_FATAL(p && t && ar);
            while (tn && t[tn - 1] == '\n') tn--;
            vt++;
            sw_buf_init(&b, NULL);
            if (dec(ar, p, n, 0, SW_MODE_PYSPARK, &v, &used, &e) == SW_OK && used == n) {
                if (notation_is(v, (const char *)t, tn))
                    vd++;
                else
                    fprintf(stderr, "\n  %s/%s: another value", dir, fs[i].name);
                if (enc(v, ver, 0, 1, &b, &e) == SW_OK && b.n == n && memcmp(b.p, p, n) == 0)
                    ve++;
                else
                    fprintf(stderr, "\n  %s/%s: re-encoding differs (%zu vs %zu bytes)", dir, fs[i].name, b.n, n);
                /* [#marshal.encode.refs] without hints the output is canonical:
                 * the same for the decoded graph and for its re-decoding */
                {
                    sw_buf c1, c2;
                    sw_value *w;
                    sw_buf_init(&c1, NULL);
                    sw_buf_init(&c2, NULL);
                    if (enc(v, ver, 0, 0, &c1, &e) == SW_OK &&
                        dec(ar, c1.p, c1.n, 0, SW_MODE_PYSPARK, &w, NULL, &e) == SW_OK &&
                        sw_v_graph_equal(v, w, NULL, 0) == 1 && enc(w, ver, 0, 0, &c2, &e) == SW_OK &&
                        c1.n == c2.n && memcmp(c1.p, c2.p, c1.n) == 0)
                        canon_stable++;
                    else
                        fprintf(stderr, "\n  %s/%s: canonical encoding not stable", dir, fs[i].name);
                    sw_buf_free(&c1);
                    sw_buf_free(&c2);
                }
            } else {
                fprintf(stderr, "\n  %s/%s: decode failed: %s", dir, fs[i].name, e.msg);
            }
            sw_buf_free(&b);
            sw_arena_free(ar);
            free(p);
            free(t);
        }
        printf("\n  marshal v%d: %u files, %u decode to marshal.loads' value, %u re-encode byte-identical", ver, vt, vd,
               ve);
        total += vt;
        dec_ok += vd;
        enc_ok += ve;
        free(fs);
    }
    printf("\n  marshal v0-v4: %u/%u decode, %u/%u byte-identical, %u/%u canonical round trips\n", dec_ok, total,
           enc_ok, total, canon_stable, total);
    CU_ASSERT(total > 500);
    CU_ASSERT_EQUAL(dec_ok, total);
    CU_ASSERT_EQUAL(enc_ok, total);
    CU_ASSERT_EQUAL(canon_stable, total);
}

/* [#marshal.errors] every strict prefix of a CPython file is EOFError */
static void test_prefixes(void)
{
    int ver;
    unsigned long cuts = 0, ok = 0;
    for (ver = 0; ver <= 4; ver += 2) {
        char dir[64];
        size_t nf = 0, i;
        vfile *fs;
        snprintf(dir, sizeof dir, "vectors/marshal/v%d", ver);
        fs = list_dir(dir, ".bin", &nf);
        CU_ASSERT_FATAL(fs != NULL);
        for (i = 0; i < nf; i++) {
            char path[512];
            size_t n, cut;
            uint8_t *p;
            sw_arena *ar = sw_arena_new(NULL, NULL);
            snprintf(path, sizeof path, "%s/%s.bin", dir, fs[i].name);
            p = sw_test_read_file(path, &n);
            CU_ASSERT_FATAL(p && ar);
            for (cut = 0; cut < n && cut < 4096; cut++) {
                sw_value *v;
                sw_error e;
                sw_status st = dec(ar, p, cut, 0, SW_MODE_PYSPARK, &v, NULL, &e);
                cuts++;
                if (st == SW_E_TRUNCATED_PAYLOAD && e.pyexc == SW_PYEXC_EOFERROR && v == NULL &&
                    e.payload_offset <= cut && e.layer == SW_LAYER_MARSHAL)
                    ok++;
                else if (cuts - ok < 5)
                    fprintf(stderr, "\n  %s prefix %zu: %s at %llu", path, cut, sw_status_str(st),
                            (unsigned long long)e.payload_offset);
                sw_arena_reset(ar);
            }
            sw_arena_free(ar);
            free(p);
        }
        free(fs);
    }
    printf("\n  marshal prefixes: %lu/%lu are truncated_payload (EOFError)\n", ok, cuts);
    CU_ASSERT(cuts > 10000);
    CU_ASSERT_EQUAL(ok, cuts);
}

/* ---- crafted inputs with CPython's outcome [#marshal.errors] ---- */

static void test_errors(void)
{
    size_t nf = 0, i;
    vfile *fs = list_dir("vectors/marshal/errors", ".json", &nf);
    unsigned ok = 0, exact_msgs = 0;
    CU_ASSERT_FATAL(fs != NULL && nf >= 150);
    for (i = 0; i < nf; i++) {
        char path[512];
        size_t n, jn, at;
        uint8_t *p;
        char *jt;
        jdoc j;
        const jnode *cp, *st, *off, *mx, *md;
        const char *outcome, *exc, *msg;
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_value *v;
        sw_error e;
        sw_status got;
        int strict, good;
        snprintf(path, sizeof path, "vectors/marshal/errors/%s.json", fs[i].name);
        jt = (char *)sw_test_read_file(path, &jn);
        snprintf(path, sizeof path, "vectors/marshal/errors/%s.bin", fs[i].name);
        p = sw_test_read_file(path, &n);
        CU_ASSERT_FATAL(jt && ar && json_parse(&j, jt, jn, &at) == 0);
        cp = json_get(&j, &j.n[1], "cpython");
        st = json_get(&j, &j.n[1], "status");
        off = json_get(&j, &j.n[1], "payload_offset");
        mx = json_get(&j, &j.n[1], "message_exact");
        md = json_get(&j, &j.n[1], "mode");
        strict = md && json_str(md) && strcmp(json_str(md), "strict") == 0;
        outcome = json_str(json_get(&j, cp, "outcome"));
        exc = json_str(json_get(&j, cp, "exception"));
        msg = json_str(json_get(&j, cp, "message"));
        got = dec(ar, p, n, 0, strict ? SW_MODE_STRICT : SW_MODE_PYSPARK, &v, NULL, &e);
        if (!st) {
            const char *want = json_str(json_at(&j, json_get(&j, cp, "items"), 0));
            CU_ASSERT_STRING_EQUAL(outcome, "ok");
            good = got == SW_OK && want && notation_is(v, want, strlen(want));
        } else {
            good = got != SW_OK && v == NULL && strcmp(json_str(st), sw_status_str(got)) == 0 && off &&
                   (uint64_t)off->num == e.payload_offset && e.offset == e.payload_offset && e.layer == SW_LAYER_MARSHAL;
            if (!strict && exc) {
                /* SystemError has no enum of its own: OTHER, named in the message */
                if (strcmp(exc, "SystemError") == 0)
                    good = good && e.pyexc == SW_PYEXC_OTHER && strncmp(e.msg, "SystemError: ", 13) == 0;
                else
                    good = good && strcmp(exc, sw_pyexc_str(e.pyexc)) == 0;
            }
            if (good && !strict && mx && mx->kind == J_TRUE) {
                good = strcmp(e.msg, msg) == 0;
                exact_msgs += good;
            }
        }
        if (good)
            ok++;
        else
            fprintf(stderr, "\n  %s: got %s %s at %llu (%s)", path, sw_status_str(got), got ? sw_pyexc_str(e.pyexc) : "",
                    (unsigned long long)(got ? e.payload_offset : 0), got ? e.msg : sw_test_notation(v));
        sw_arena_free(ar);
        json_free(&j);
        free(jt);
        free(p);
    }
    free(fs);
    printf("\n  marshal crafted inputs vs CPython: %u/%zu (%u with CPython's exact message)\n", ok, nf, exact_msgs);
    CU_ASSERT_EQUAL(ok, nf);
    CU_ASSERT(exact_msgs > 60);
}

/* ---- the Python 2 dialect [#marshal.py2] ---- */

static void test_py2(void)
{
    size_t nf = 0, i;
    vfile *fs = list_dir("vectors/marshal/py2", ".json", &nf);
    unsigned ok = 0, rt = 0, nrt = 0;
    CU_ASSERT_FATAL(fs != NULL && nf >= 50);
    for (i = 0; i < nf; i++) {
        char path[512];
        size_t n, jn, at, used = 0;
        uint8_t *p;
        char *jt;
        jdoc j;
        const jnode *st, *off, *sst, *ver, *rtn;
        const char *want;
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_value *v;
        sw_error e;
        sw_status got;
        int good;
        snprintf(path, sizeof path, "vectors/marshal/py2/%s.json", fs[i].name);
        jt = (char *)sw_test_read_file(path, &jn);
        snprintf(path, sizeof path, "vectors/marshal/py2/%s.bin", fs[i].name);
        p = sw_test_read_file(path, &n);
        CU_ASSERT_FATAL(jt && ar && json_parse(&j, jt, jn, &at) == 0);
        st = json_get(&j, &j.n[1], "status");
        off = json_get(&j, &j.n[1], "payload_offset");
        sst = json_get(&j, &j.n[1], "strict_status");
        ver = json_get(&j, &j.n[1], "version");
        rtn = json_get(&j, &j.n[1], "roundtrip");
        want = json_str(json_at(&j, json_get(&j, &j.n[1], "items"), 0));
        got = dec(ar, p, n, 1, SW_MODE_PYSPARK, &v, &used, &e);
        if (st)
            good = got != SW_OK && strcmp(json_str(st), sw_status_str(got)) == 0 && off &&
                   (uint64_t)off->num == e.payload_offset;
        else
            good = got == SW_OK && (!want || notation_is(v, want, strlen(want)));
        if (good && rtn && rtn->kind == J_TRUE) {
            sw_buf b;
            sw_buf_init(&b, NULL);
            nrt++;
            good = used == n && enc(v, ver ? (int)ver->num : 2, 1, 1, &b, &e) == SW_OK && b.n == n &&
                   memcmp(b.p, p, n) == 0;
            rt += good;
            sw_buf_free(&b);
        }
        if (good) {
            /* strict mode: the status it names, or the same outcome */
            sw_status want_st = SW_OK;
            const char *name = sst ? json_str(sst) : st ? json_str(st) : NULL;
            sw_arena_reset(ar);
            got = dec(ar, p, n, 1, SW_MODE_STRICT, &v, NULL, &e);
            if (name) good = got != SW_OK && strcmp(name, sw_status_str(got)) == 0;
            else if (strstr(fs[i].name, "code")) good = got == SW_E_UNSUPPORTED_CODE;
            else good = got == want_st;
        }
        if (good)
            ok++;
        else
            fprintf(stderr, "\n  %s: got %s at %llu", path, sw_status_str(got), (unsigned long long)e.payload_offset);
        sw_arena_free(ar);
        json_free(&j);
        free(jt);
        free(p);
    }
    free(fs);
    printf("\n  marshal py2 dialect: %u/%zu vectors, %u/%u re-encode byte-identical\n", ok, nf, rt, nrt);
    CU_ASSERT_EQUAL(ok, nf);
    CU_ASSERT(nrt >= 30);
    CU_ASSERT_EQUAL(rt, nrt);
}

/* ---- graphs built fresh [#marshal.encode] [#marshal.encode.refs] ---- */

static sw_value *str(sw_arena *ar, const char *s) { return sw_v_strlike(ar, SW_K_STR, (const uint8_t *)s, strlen(s)); }

static void test_fresh(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *l = sw_v_container(ar, SW_K_LIST, 2), *s = str(ar, "ab"), *v, *w;
    sw_buf b;
    sw_error e;
    static const uint8_t shared4[] = {0x5b, 2, 0, 0, 0, 0xfa, 2, 'a', 'b', 'r', 0, 0, 0, 0};
    static const uint8_t shared2[] = {0x5b, 2, 0, 0, 0, 'u', 2, 0, 0, 0, 'a', 'b', 'u', 2, 0, 0, 0, 'a', 'b'};
    sw_v_push(ar, l, s);
    sw_v_push(ar, l, s);
    sw_buf_init(&b, NULL);
    /* a node reached twice: FLAG_REF then 'r' (version 4 default) */
    CU_ASSERT_EQUAL_FATAL(enc(l, -1, 0, 1, &b, &e), SW_OK);
    CU_ASSERT(b.n == sizeof shared4 && memcmp(b.p, shared4, b.n) == 0);
    CU_ASSERT_EQUAL_FATAL(dec(ar, b.p, b.n, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_OK);
    CU_ASSERT(v->u.c.v[0] == v->u.c.v[1]);
    CU_ASSERT(sw_v_graph_equal(l, v, NULL, 0) == 1);
    /* version 2: no refs, the string twice */
    b.n = 0;
    CU_ASSERT_EQUAL(enc(l, 2, 0, 1, &b, &e), SW_OK);
    CU_ASSERT(b.n == sizeof shared2 && memcmp(b.p, shared2, b.n) == 0);
    /* an interned str always gets FLAG_REF (CPython's w_ref), 'Z' */
    s->flags |= SW_VF_INTERNED;
    b.n = 0;
    CU_ASSERT_EQUAL(enc(s, 4, 0, 1, &b, &e), SW_OK);
    CU_ASSERT(b.n == 4 && b.p[0] == ('Z' | 0x80));
    b.n = 0;
    CU_ASSERT_EQUAL(enc(s, 3, 0, 1, &b, &e), SW_OK);
    CU_ASSERT(b.n == 7 && b.p[0] == ('t' | 0x80));
    b.n = 0; /* without hints: canonical, not interned */
    CU_ASSERT_EQUAL(enc(s, 4, 0, 0, &b, &e), SW_OK);
    CU_ASSERT(b.n == 4 && b.p[0] == 'z');
    /* a cycle below version 3 recurses until CPython's depth limit */
    sw_v_push(ar, l, l);
    b.n = 0;
    CU_ASSERT_EQUAL(enc(l, 2, 0, 1, &b, &e), SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_VALUEERROR);
    CU_ASSERT_STRING_EQUAL(e.msg, "object too deeply nested to marshal");
    CU_ASSERT_EQUAL(b.n, 0u);
    CU_ASSERT_EQUAL(enc(l, 3, 0, 1, &b, &e), SW_OK);
    CU_ASSERT_EQUAL_FATAL(dec(ar, b.p, b.n, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_OK);
    CU_ASSERT(v->u.c.v[2] == v);
    /* symbolic kinds are unmarshallable; what was written is taken back */
    b.n = 0;
    sw_buf_putc(&b, 'M');
    w = sw_v_container(ar, SW_K_LIST, 2);
    sw_v_push(ar, w, sw_v_none(ar));
    sw_v_push(ar, w, sw_v_container(ar, SW_K_GLOBAL, 0));
    CU_ASSERT_EQUAL(enc(w, 4, 0, 1, &b, &e), SW_E_UNENCODABLE);
    CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_VALUEERROR);
    CU_ASSERT_STRING_EQUAL(e.msg, "unmarshallable object");
    CU_ASSERT_EQUAL(e.payload_offset, 6u);
    CU_ASSERT_EQUAL(b.n, 1u);
    /* bytearray is written as bytes ('s'); py2 ints beyond int32 are 'I' */
    b.n = 0;
    w = sw_v_strlike(ar, SW_K_BYTEARRAY, (const uint8_t *)"x", 1);
    CU_ASSERT(enc(w, 4, 0, 1, &b, &e) == SW_OK && b.n == 6 && b.p[0] == 's');
    b.n = 0;
    CU_ASSERT(enc(sw_v_int(ar, (int64_t)1 << 40), 2, 1, 1, &b, &e) == SW_OK && b.n == 9 && b.p[0] == 'I');
    b.n = 0;
    CU_ASSERT(enc(sw_v_int(ar, (int64_t)1 << 40), 4, 0, 1, &b, &e) == SW_OK && b.n == 11 && b.p[0] == 'l');
    /* a decoded node reached twice without FLAG_REF (CPython could not have
     * written that graph) gets the bit, so the output ends */
    {
        static const uint8_t two[] = {'[', 2, 0, 0, 0, '[', 0, 0, 0, 0, 'N'};
        static const uint8_t want[] = {0x5b, 2, 0, 0, 0, 0xdb, 0, 0, 0, 0, 'r', 0, 0, 0, 0};
        CU_ASSERT_EQUAL_FATAL(dec(ar, two, sizeof two, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_OK);
        v->u.c.v[1] = v->u.c.v[0];
        b.n = 0;
        CU_ASSERT_EQUAL(enc(v, 4, 0, 1, &b, &e), SW_OK);
        CU_ASSERT(b.n == sizeof want && memcmp(b.p, want, b.n) == 0);
        v->u.c.v[0]->u.c.n = 0;
        sw_v_push(ar, v->u.c.v[0], v); /* a cycle through it: still ends */
        b.n = 0;
        CU_ASSERT_EQUAL(enc(v, 4, 0, 1, &b, &e), SW_OK);
    }
    /* a code node needs its dialect's field count */
    w = sw_v_container(ar, SW_K_CODE, 3);
    sw_v_push(ar, w, sw_v_int(ar, 0));
    CU_ASSERT_EQUAL(enc(w, 4, 0, 1, &b, &e), SW_E_UNENCODABLE);
    /* bad versions */
    CU_ASSERT_EQUAL(enc(s, 5, 0, 1, &b, &e), SW_E_ARG);
    b.n = 0; /* py2: versions 3 and 4 write as 2 (2.7 only asks > 0, > 1) */
    CU_ASSERT(enc(sw_v_float(ar, 0.5), 4, 1, 1, &b, &e) == SW_OK && b.n == 9 && b.p[0] == 'g');
    CU_ASSERT_EQUAL(enc(s, -2, 0, 1, &b, &e), SW_E_ARG);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* ---- depth [#marshal.depth] and limits ---- */

static sw_value *nest(sw_arena *ar, int lists, sw_value *inner)
{
    int i;
    for (i = 0; i < lists; i++) {
        sw_value *l = sw_v_container(ar, SW_K_LIST, 1);
        sw_v_push(ar, l, inner);
        inner = l;
    }
    return inner;
}

static void test_depth_and_limits(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_buf b;
    sw_error e;
    sw_value *v;
    sw_limits lim;
    sw_arena *small;
    uint8_t deep[5 * 12 + 1];
    int i;
    sw_buf_init(&b, NULL);
    /* encoder: CPython dumps 1999 lists around None, not 2000 (observed);
     * 1998 lists around {} but not 1999 (the dict's NULL counts) */
    CU_ASSERT_EQUAL(enc(nest(ar, 1999, sw_v_none(ar)), 4, 0, 1, &b, &e), SW_OK);
    b.n = 0;
    CU_ASSERT_EQUAL(enc(nest(ar, 2000, sw_v_none(ar)), 4, 0, 1, &b, &e), SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(enc(nest(ar, 1998, sw_v_container(ar, SW_K_DICT, 0)), 4, 0, 1, &b, &e), SW_OK);
    b.n = 0;
    CU_ASSERT_EQUAL(enc(nest(ar, 1999, sw_v_container(ar, SW_K_DICT, 0)), 4, 0, 1, &b, &e), SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(enc(nest(ar, 1999, sw_v_container(ar, SW_K_DICT, 0)), 1, 1, 1, &b, &e), SW_E_LIMIT_DEPTH);
    /* the arena's max_depth: 12 lists read with max_depth 12, not 11 */
    for (i = 0; i < 12; i++) memcpy(deep + 5 * i, i == 11 ? "[\0\0\0\0" : "[\1\0\0\0", 5);
    sw_limits_default(&lim);
    lim.max_depth = 12;
    small = sw_arena_new(NULL, &lim);
    CU_ASSERT_EQUAL(dec(small, deep, 60, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_OK);
    sw_arena_free(small);
    lim.max_depth = 11;
    small = sw_arena_new(NULL, &lim);
    CU_ASSERT_EQUAL(dec(small, deep, 60, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_E_LIMIT_DEPTH);
    CU_ASSERT_EQUAL(e.payload_offset, 55u);
    sw_arena_free(small);
    /* max_memo: the third FLAG_REF object */
    {
        static const uint8_t three[] = {0xdb, 2, 0, 0, 0, 0xe9, 1, 0, 0, 0, 0xe9, 2, 0, 0, 0};
        sw_limits_default(&lim);
        lim.max_memo = 2;
        small = sw_arena_new(NULL, &lim);
        CU_ASSERT_EQUAL(dec(small, three, sizeof three, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_E_LIMIT_MEMO);
        CU_ASSERT_EQUAL(e.payload_offset, 10u);
        sw_arena_free(small);
        lim.max_memo = 3;
        small = sw_arena_new(NULL, &lim);
        CU_ASSERT_EQUAL(dec(small, three, sizeof three, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_OK);
        sw_arena_free(small);
        /* max_nodes */
        sw_limits_default(&lim);
        lim.max_nodes = 2;
        small = sw_arena_new(NULL, &lim);
        CU_ASSERT_EQUAL(dec(small, three, sizeof three, 0, SW_MODE_PYSPARK, &v, NULL, &e), SW_E_LIMIT_NODES);
        sw_arena_free(small);
    }
    /* encoder budgets: output size and objects written (a shared DAG below
     * version 3 doubles at every level) */
    {
        sw_marshal_enc_opts o;
        sw_value *dag = sw_v_strlike(ar, SW_K_BYTES, (const uint8_t *)"0123456789", 10);
        for (i = 0; i < 30; i++) {
            sw_value *t = sw_v_container(ar, SW_K_TUPLE, 2);
            sw_v_push(ar, t, dag);
            sw_v_push(ar, t, dag);
            dag = t;
        }
        sw_marshal_enc_opts_default(&o);
        o.version = 2;
        o.limits.max_total_bytes = 1 << 20;
        b.n = 0;
        CU_ASSERT_EQUAL(sw_marshal_encode(dag, &o, &b, &e), SW_E_LIMIT_TOTAL);
        CU_ASSERT_EQUAL(b.n, 0u);
        o.limits.max_total_bytes = 0;
        o.limits.max_expansion = 1000;
        CU_ASSERT_EQUAL(sw_marshal_encode(dag, &o, &b, &e), SW_E_LIMIT_EXPANSION);
        o.version = 4; /* with refs it is small */
        CU_ASSERT_EQUAL(sw_marshal_encode(dag, &o, &b, &e), SW_OK);
        CU_ASSERT(b.n < 300);
    }
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* ---- allocation failure [#api.alloc] ---- */

typedef sw_test_failing failing; /* testutil.h */

static void test_alloc_failure(void)
{
    static const char *const files[] = {"vectors/marshal/v4/code_module.bin", "vectors/marshal/v4/dict_200.bin",
                                        "vectors/marshal/v3/shared_frozenset.bin", "vectors/marshal/v1/set_mixed.bin"};
    size_t k;
    unsigned runs = 0, clean = 0;
    for (k = 0; k < sizeof files / sizeof *files; k++) {
        size_t n;
        uint8_t *p = sw_test_read_file(files[k], &n);
        long budget;
        CU_ASSERT_FATAL(p != NULL);
        for (budget = 0; budget < 100000; budget++) {
            failing f = {budget, 0, 0};
            sw_alloc al = sw_test_failing_alloc(&f);
            sw_arena *ar = sw_arena_new(&al, NULL);
            sw_status st = SW_E_NOMEM, st2 = SW_OK;
            sw_value *v = NULL;
            sw_error e;
            sw_buf b;
            if (ar) {
                st = dec(ar, p, n, 0, SW_MODE_PYSPARK, &v, NULL, &e);
                if (st == SW_OK) {
                    sw_buf_init(&b, &al);
                    st2 = enc(v, 4, 0, 1, &b, &e);
                    sw_buf_free(&b);
                }
                sw_arena_free(ar);
            }
            runs++;
            clean += (st == SW_OK || st == SW_E_NOMEM) && (st2 == SW_OK || st2 == SW_E_NOMEM) && f.live == 0;
            if (st == SW_OK && st2 == SW_OK) break;
        }
        free(p);
    }
    printf("\n  marshal allocation failure: %u/%u runs clean\n", clean, runs);
    CU_ASSERT(runs > 50);
    CU_ASSERT_EQUAL(clean, runs);
}

/* ---- the listing [#marshal.dis] and short inputs ---- */

static void test_dis(void)
{
    static const uint8_t small[] = {0xdb, 2, 0, 0, 0, 0xe9, 7, 0, 0, 0, 'r', 1, 0, 0, 0};
    sw_buf b;
    sw_error e;
    unsigned a, c, crashes = 0;
    uint8_t two[2];
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(sw_marshal_dis(small, sizeof small, 100, "  ", NULL, &b, &e), SW_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "       100: db '[' LIST +REF #0 n=2\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "       105:   e9 'i' INT +REF #1 7\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "       110:   72 'r' REF -> #1\n"));
    b.n = 0;
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_marshal_dis(small, 12, 0, "", NULL, &b, &e), SW_E_TRUNCATED_PAYLOAD);
    CU_ASSERT_EQUAL(e.payload_offset, 10u);
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "error truncated_payload: marshal data too short (EOFError)"));
    /* every 1- and 2-byte input: decode and dis agree and never crash */
    for (a = 0; a < 256; a++)
        for (c = 0; c < 257; c++) {
            size_t n = c == 256 ? 1 : 2;
            sw_value *v;
            sw_error e1, e2;
            sw_status s1, s2;
            two[0] = (uint8_t)a;
            two[1] = (uint8_t)c;
            s1 = dec(ar, two, n, (int)(c & 1), SW_MODE_PYSPARK, &v, NULL, &e1);
            b.n = 0;
            {
                sw_marshal_opts o;
                sw_marshal_opts_default(&o);
                o.py2 = (int)(c & 1);
                sw_test_junk(&e2, sizeof e2);
                s2 = sw_marshal_dis(two, n, 0, "", &o, &b, &e2);
            }
            if (s1 != s2 || (s1 != SW_OK && (e1.payload_offset > n || e1.payload_offset != e2.payload_offset)) ||
                b.n == 0)
                crashes++;
            sw_arena_reset(ar);
        }
    CU_ASSERT_EQUAL(crashes, 0u);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* a listing of every CPython file succeeds and names every byte's object */
static void test_dis_vectors(void)
{
    size_t nf = 0, i;
    vfile *fs = list_dir("vectors/marshal/v4", ".bin", &nf);
    unsigned ok = 0;
    CU_ASSERT_FATAL(fs != NULL);
    for (i = 0; i < nf; i++) {
        char path[512];
        size_t n;
        uint8_t *p;
        sw_buf b;
        sw_error e;
        snprintf(path, sizeof path, "vectors/marshal/v4/%s.bin", fs[i].name);
        p = sw_test_read_file(path, &n);
        sw_buf_init(&b, NULL);
        if (p && sw_marshal_dis(p, n, 0, "", NULL, &b, &e) == SW_OK && b.n > 0 && strstr((const char *)b.p, "(end, "))
            ok++;
        if (strcmp(fs[i].name, "code_expr") == 0) {
            sw_buf_putc(&b, 0);
            CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "     int32 argcount = 0\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "; qualname\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "0: e3 'c' CODE +REF #0 (16 fields)\n"));
        }
        sw_buf_free(&b);
        free(p);
    }
    free(fs);
    CU_ASSERT_EQUAL(ok, nf);
}

static void test_args(void)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v;
    sw_error e;
    size_t used = 99;
    CU_ASSERT_EQUAL(sw_marshal_decode(NULL, (const uint8_t *)"N", 1, NULL, &v, NULL, &e), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_marshal_decode(ar, NULL, 1, NULL, &v, NULL, &e), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_marshal_decode(ar, (const uint8_t *)"N", 1, NULL, NULL, NULL, &e), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_marshal_decode(ar, (const uint8_t *)"NN", 2, NULL, &v, &used, NULL), SW_OK);
    CU_ASSERT_EQUAL(used, 1u);
    CU_ASSERT_EQUAL(v->kind, SW_K_NONE);
    CU_ASSERT_EQUAL(v->hint, 'N');
    CU_ASSERT_EQUAL(sw_marshal_decode(ar, (const uint8_t *)"?", 1, NULL, &v, NULL, NULL), SW_E_BAD_OPCODE);
    CU_ASSERT_EQUAL(sw_marshal_encode(NULL, NULL, NULL, &e), SW_E_ARG);
    /* hints and flags: FLAG_REF and interning as read */
    CU_ASSERT_EQUAL(sw_marshal_decode(ar, (const uint8_t *)"\xda\x01x", 3, NULL, &v, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(v->hint, 'Z');
    CU_ASSERT(v->flags & SW_VF_MARSHAL_REF);
    CU_ASSERT(v->flags & SW_VF_INTERNED);
    sw_arena_free(ar);
}

/* a bounded output buffer (sw_buf.max, io.h) is limit_total at every write,
 * the float text of versions 0-1 included (coverage-findings F10) */
static void test_buffer_max(void)
{
    static const char graph[] = "[1, 1.5, complex(1.0, 2.0), 'str', (2.5,), {'k': -0.25}]";
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v = NULL;
    sw_error e;
    int version;
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(ar, graph, strlen(graph), &v, &e), SW_OK);
    for (version = 0; version <= 4; version++) {
        sw_buf full, b;
        sw_marshal_enc_opts o;
        size_t max;
        unsigned bad = 0;
        sw_marshal_enc_opts_default(&o);
        o.version = version;
        sw_buf_init(&full, NULL);
        CU_ASSERT_EQUAL_FATAL(sw_marshal_encode(v, &o, &full, &e), SW_OK);
        for (max = 3; max < full.n + 3; max++) {
            sw_status st;
            sw_buf_init(&b, NULL);
            sw_buf_puts(&b, "pre");
            b.max = max;
            sw_test_junk(&e, sizeof e);
            st = sw_marshal_encode(v, &o, &b, &e);
            if (st != SW_E_LIMIT_TOTAL || e.status != st || e.layer != SW_LAYER_MARSHAL || e.pyexc != SW_PYEXC_NONE ||
                e.payload_offset > max - 3 || b.n != 3 || memcmp(b.p, "pre", 3) != 0) {
                if (bad++ < 3)
                    fprintf(stderr, "\n  marshal %d max %u: %s/%s at %u n %u", version, (unsigned)max, sw_status_str(st),
                            sw_pyexc_str(e.pyexc), (unsigned)e.payload_offset, (unsigned)b.n);
            }
            sw_buf_free(&b);
        }
        CU_ASSERT_EQUAL(bad, 0u);
        sw_buf_init(&b, NULL);
        sw_buf_puts(&b, "pre");
        b.max = full.n + 3;
        CU_ASSERT_EQUAL(sw_marshal_encode(v, &o, &b, &e), SW_OK);
        CU_ASSERT(b.n == full.n + 3 && memcmp(b.p + 3, full.p, full.n) == 0);
        sw_buf_free(&b);
        sw_buf_free(&full);
    }
    sw_arena_free(ar);
}

static CU_TestInfo tests[] = {
    {"into a bounded buffer: limit_total", test_buffer_max},
    {"versions 0-4 vs CPython: decode, byte-identical encode", test_versions},
    {"every prefix is EOFError", test_prefixes},
    {"crafted inputs vs CPython", test_errors},
    {"Python 2 dialect", test_py2},
    {"fresh graphs", test_fresh},
    {"depth and limits", test_depth_and_limits},
    {"allocation failure", test_alloc_failure},
    {"dis and all 1-2 byte inputs", test_dis},
    {"dis of every v4 file", test_dis_vectors},
    {"arguments and hints", test_args},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_marshal(void) { return sw_test_add_suite("marshal", tests); }

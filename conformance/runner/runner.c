/* sw-conformance: runs other implementations of PySpark's wire formats
 * against sparkwire's golden stream vectors [#runner].
 *
 *   sw-conformance [--vectors DIR] --testee NAME=CMD [--testee NAME=CMD ...]
 *                  [--xfail NAME=FILE ...] [--fix] [--timeout S] [--group G ...]
 *                  [--markdown FILE] [--html FILE] [--log FILE] [--stderr-dir DIR] [-v]
 *
 * Each testee is a program speaking the protocol of proto.h over its stdin
 * and stdout. For every stream vector of vectors/manifest.json with a
 * serializer it is asked to decode the stream in each mode the sidecar has
 * an expectation for, and to encode the items of byte-exact vectors
 * [#runner.checks]; the answers are compared with the sidecar
 * [#runner.compare]. Expected-failure lists [#runner.xfail] turn known
 * failures into expected ones. The run prints "N passed, N failed, N skipped"
 * and exits 1 when anything failed [#runner.output]. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "proto.h"
#include "session.h"
#include "sparkwire/sparkwire.h"

#define MAX_TESTEES 16
#define DETAIL_CAP 600

/* ---- small helpers ------------------------------------------------------ */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "sw-conformance: out of memory\n");
        exit(2);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "sw-conformance: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *d = (char *)xmalloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = (char *)xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *p = NULL;
    size_t cap = 0, len = 0;
    if (!f) return NULL;
    for (;;) {
        size_t r;
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 65536;
            p = (unsigned char *)xrealloc(p, cap);
        }
        r = fread(p + len, 1, cap - len, f);
        len += r;
        if (r == 0) break;
    }
    if (ferror(f)) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    *n = len;
    return p;
}

/* a printable, shortened copy of s[0..n) for messages */
static void shorten(char *out, size_t cap, const unsigned char *s, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n && o + 8 < cap; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != 0x7f)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (i < n && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < cap ? o : cap - 1] = 0;
}

/* ---- status names and categories [#runner.compare] ---------------------- */

/* the category ("truncated", "malformed", ...) of a sparkwire status name, or
 * the name itself when it already is a category; NULL when unknown */
static const char *category_of(const char *name)
{
    int code;
    if (!name) return NULL;
    for (code = 100; code < 800; code++) {
        const char *s = sw_status_str((sw_status)code);
        if (strcmp(s, name) == 0 || strcmp(sw_category_str((sw_status)code), name) == 0)
            return sw_category_str((sw_status)code);
    }
    return NULL;
}

/* ---- vectors --------------------------------------------------------------- */

typedef struct vector {
    char *vid;   /* group/name */
    char *group;
    char *serializer;
    jdoc j;
    char *jtext;
    const jnode *root, *items, *py, *py_alt, *strict;
    int byte_exact;
    unsigned char *bin;
    size_t bn;
} vector;

typedef struct vecset {
    vector *v;
    size_t n;
    size_t no_serializer; /* manifest entries without a serializer (wire helpers) */
    size_t filtered;
    char **groups;        /* in first-seen order */
    size_t ngroups;
} vecset;

static const char *jstr(const jdoc *d, const jnode *o, const char *k)
{
    return o ? json_str(json_get(d, o, k)) : NULL;
}

static int want_group(const char *g, char **only, size_t nonly)
{
    size_t i;
    if (!nonly) return 1;
    for (i = 0; i < nonly; i++)
        if (strcmp(only[i], g) == 0) return 1;
    return 0;
}

static int load_vectors(const char *dir, vecset *vs, char **only, size_t nonly)
{
    char path[4096];
    size_t mn, err_at = 0, i;
    char *mt;
    jdoc m;
    const jnode *arr;
    memset(vs, 0, sizeof *vs);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    mt = (char *)slurp(path, &mn);
    if (!mt) {
        fprintf(stderr, "sw-conformance: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (json_parse(&m, mt, mn, &err_at) != 0 || m.nn < 2 || m.n[1].kind != J_OBJ) {
        fprintf(stderr, "sw-conformance: %s is not a JSON object (byte %zu)\n", path, err_at);
        free(mt);
        return -1;
    }
    arr = json_get(&m, &m.n[1], "vectors");
    if (!arr || arr->kind != J_ARR) {
        fprintf(stderr, "sw-conformance: %s has no \"vectors\" array\n", path);
        json_free(&m);
        free(mt);
        return -1;
    }
    for (i = 0; i < arr->count; i++) {
        const jnode *e = json_at(&m, arr, i);
        const char *p = jstr(&m, e, "path"), *slash;
        size_t pl, jn;
        vector v;
        memset(&v, 0, sizeof v);
        if (!p) continue;
        pl = strlen(p);
        slash = strchr(p, '/');
        if (!slash || pl < 5 || strcmp(p + pl - 4, ".bin") != 0 || strstr(p, "..")) {
            fprintf(stderr, "sw-conformance: manifest entry %zu: odd path %s (ignored)\n", i, p);
            continue;
        }
        if (!jstr(&m, e, "serializer")) {
            vs->no_serializer++;
            continue;
        }
        v.vid = xstrndup(p, pl - 4);
        v.group = xstrndup(p, (size_t)(slash - p));
        if (!want_group(v.group, only, nonly)) {
            vs->filtered++;
            free(v.vid);
            free(v.group);
            continue;
        }
        snprintf(path, sizeof path, "%s/%s.json", dir, v.vid);
        v.jtext = (char *)slurp(path, &jn);
        if (!v.jtext || json_parse(&v.j, v.jtext, jn, &err_at) != 0 || v.j.nn < 2 || v.j.n[1].kind != J_OBJ) {
            fprintf(stderr, "sw-conformance: %s missing or not JSON\n", path);
            json_free(&m);
            free(mt);
            return -1;
        }
        snprintf(path, sizeof path, "%s/%s", dir, p);
        v.bin = slurp(path, &v.bn);
        if (!v.bin) {
            fprintf(stderr, "sw-conformance: cannot read %s\n", path);
            json_free(&m);
            free(mt);
            return -1;
        }
        v.root = &v.j.n[1];
        v.serializer = xstrdup(jstr(&v.j, v.root, "serializer") ? jstr(&v.j, v.root, "serializer")
                                                                   : jstr(&m, e, "serializer"));
        v.items = json_get(&v.j, v.root, "items");
        if (v.items && v.items->kind != J_ARR) v.items = NULL;
        v.py = json_get(&v.j, v.root, "pyspark");
        v.py_alt = json_get(&v.j, v.root, "pyspark_observed");
        v.strict = json_get(&v.j, v.root, "strict");
        if (v.py && (v.py->kind != J_OBJ || !jstr(&v.j, v.py, "outcome"))) v.py = NULL;
        if (v.py_alt && (v.py_alt->kind != J_OBJ || !jstr(&v.j, v.py_alt, "outcome"))) v.py_alt = NULL;
        if (v.strict && (v.strict->kind != J_OBJ || !jstr(&v.j, v.strict, "outcome"))) v.strict = NULL;
        v.byte_exact = json_get(&v.j, v.root, "byte_exact") && json_get(&v.j, v.root, "byte_exact")->kind == J_TRUE;
        {
            size_t g;
            for (g = 0; g < vs->ngroups; g++)
                if (strcmp(vs->groups[g], v.group) == 0) break;
            if (g == vs->ngroups) {
                vs->groups = (char **)xrealloc(vs->groups, (vs->ngroups + 1) * sizeof *vs->groups);
                vs->groups[vs->ngroups++] = xstrdup(v.group);
            }
        }
        vs->v = (vector *)xrealloc(vs->v, (vs->n + 1) * sizeof *vs->v);
        vs->v[vs->n++] = v;
    }
    json_free(&m);
    free(mt);
    return 0;
}

static void vecset_free(vecset *vs)
{
    size_t i;
    for (i = 0; i < vs->n; i++) {
        vector *v = &vs->v[i];
        free(v->vid);
        free(v->group);
        free(v->serializer);
        free(v->jtext);
        free(v->bin);
        json_free(&v->j);
    }
    for (i = 0; i < vs->ngroups; i++) free(vs->groups[i]);
    free(vs->groups);
    free(vs->v);
    memset(vs, 0, sizeof *vs);
}

static int vector_exists(const vecset *vs, const char *vid)
{
    size_t i;
    for (i = 0; i < vs->n; i++)
        if (strcmp(vs->v[i].vid, vid) == 0) return 1;
    return 0;
}

/* ---- checks [#runner.checks] --------------------------------------------- */

typedef enum { R_PASS, R_FAIL, R_SKIP } rstate;

typedef struct result {
    rstate state;
    int listed;           /* in the expected-failure list */
    char detail[DETAIL_CAP];
    char checks[96];      /* "pyspark:pass strict:fail encode:skip" */
} result;

static void add_check(result *r, const char *check, rstate s, const char *detail)
{
    size_t l = strlen(r->checks);
    snprintf(r->checks + l, sizeof r->checks - l, "%s%s:%s", l ? " " : "", check,
             s == R_PASS ? "pass" : s == R_FAIL ? "FAIL" : "skip");
    if (s == R_FAIL) {
        if (r->state != R_FAIL) snprintf(r->detail, sizeof r->detail, "%s: %s", check, detail);
        r->state = R_FAIL;
    } else if (s == R_PASS && r->state == R_SKIP) {
        r->state = R_PASS;
    }
}

static void header(rp_buf *req, const char *op, const vector *v, const char *mode)
{
    rp_buf h;
    memset(&h, 0, sizeof h);
    rp_put_kv(&h, "protocol", "1");
    rp_put_kv(&h, "op", op);
    rp_put_kv(&h, "serializer", v->serializer);
    rp_put_kv(&h, "mode", mode);
    rp_put_kv(&h, "id", v->vid);
    rp_put_frame(req, h.p, h.n);
    rp_buf_free(&h);
}

/* compare a decode response with one expectation; 1 match, else 0 + why */
static int compare_decode(const vector *v, const jnode *exp, const rp_response *r, const char *outcome,
                          const unsigned char *st, size_t stn, char *why, size_t cap)
{
    const jdoc *j = &v->j;
    const jnode *items = json_get(j, exp, "items");
    const char *want = jstr(j, exp, "outcome");
    const char *wstatus = jstr(j, exp, "status"), *wexc = jstr(j, exp, "exception");
    const jnode *woff = json_get(j, exp, "offset");
    size_t i, n;
    int ok = 1;
    char a[240], b[240];
    if (!items || items->kind != J_ARR) items = v->items;
    n = items ? items->count : 0;
    /* items first: they must match exactly as text [#runner.compare.items] */
    if (items) {
        for (i = 0; i < n && i < r->ndata; i++) {
            const jnode *w = json_at(j, items, i);
            if (!w || w->kind != J_STR || w->len != r->data[i].n || memcmp(w->s, r->data[i].p, w->len) != 0) {
                shorten(a, sizeof a, r->data[i].p, r->data[i].n);
                shorten(b, sizeof b, w && w->kind == J_STR ? (const unsigned char *)w->s : (const unsigned char *)"?",
                        w && w->kind == J_STR ? w->len : 1);
                snprintf(why, cap, "item %zu: got %s, expected %s", i, a, b);
                return 0;
            }
        }
        if (r->ndata != n) {
            snprintf(why, cap, "%zu items, expected %zu", r->ndata, n);
            return 0;
        }
    }
    /* then the outcome [#runner.compare.outcome] */
    if (strcmp(want, "ok") == 0 ? strcmp(outcome, "ok") != 0 : strcmp(outcome, "error") != 0) {
        char *msg = rp_kv_get(st, stn, "message");
        char *cat = rp_kv_get(st, stn, "category");
        snprintf(why, cap, "outcome %s%s%s%s%s, expected %s%s%s", outcome, cat ? " " : "", cat ? cat : "",
                 msg ? ": " : "", msg ? msg : "", want, wstatus ? " " : "", wstatus ? wstatus : "");
        free(msg);
        free(cat);
        return 0;
    }
    if (strcmp(want, "ok") == 0) return 1;
    {
        char *gcat = rp_kv_get(st, stn, "category"), *gstatus = rp_kv_get(st, stn, "status");
        char *gexc = rp_kv_get(st, stn, "exception"), *goff = rp_kv_get(st, stn, "offset");
        const char *wcat = category_of(wstatus);
        const char *have = gcat ? gcat : category_of(gstatus);
        if (have && strcmp(have, "usage") == 0) {
            /* the request was not understood: never a match [#runner.compare.outcome] */
            snprintf(why, cap, "the testee did not understand the request (category usage)");
            ok = 0;
        } else if (wcat && (!have || strcmp(category_of(have) ? category_of(have) : have, wcat) != 0)) {
            snprintf(why, cap, "error category %s, expected %s (%s)", have ? have : "(none given)", wcat, wstatus);
            ok = 0;
        } else if (wexc && *wexc && gexc && *gexc && strcmp(wexc, gexc) != 0) {
            snprintf(why, cap, "exception %s, expected %s", gexc, wexc);
            ok = 0;
        } else if (woff && woff->kind == J_NUM) {
            char *end = NULL;
            unsigned long long o = goff ? strtoull(goff, &end, 10) : 0;
            if (!goff || !end || *end || (double)o != woff->num) {
                snprintf(why, cap, "error offset %s, expected %.0f", goff ? goff : "(none given)", woff->num);
                ok = 0;
            }
        }
        free(gcat);
        free(gstatus);
        free(gexc);
        free(goff);
    }
    return ok;
}

typedef struct runctx {
    double timeout;
    FILE *log;
    int verbose;
} runctx;

/* one request: RS_* result, *resp and outcome on RS_OK */
static rs_result ask(rs_testee *t, const rp_buf *req, const runctx *rc, rp_response *resp, char **outcome,
                     char *why, size_t cap)
{
    rs_result rr = rs_exchange(t, req, rc->timeout, resp, why, cap);
    *outcome = NULL;
    if (rr != RS_OK) return rr;
    *outcome = rp_kv_get(resp->status.p, resp->status.n, "outcome");
    if (!*outcome || (strcmp(*outcome, "ok") != 0 && strcmp(*outcome, "error") != 0 &&
                      strcmp(*outcome, "skipped") != 0)) {
        shorten(why, cap, resp->status.p, resp->status.n);
        {
            char tmp[DETAIL_CAP];
            snprintf(tmp, sizeof tmp, "status frame without a valid outcome: %s", why);
            snprintf(why, cap, "%s", tmp);
        }
        free(*outcome);
        *outcome = NULL;
        rp_response_free(resp);
        return RS_PROTOCOL;
    }
    return RS_OK;
}

static const char *rs_name(rs_result r)
{
    switch (r) {
    case RS_CRASH: return "crash";
    case RS_TIMEOUT: return "timeout";
    case RS_PROTOCOL: return "protocol error";
    case RS_START: return "cannot start";
    default: return "ok";
    }
}

static void check_decode(rs_testee *t, const vector *v, const char *mode, const jnode *exp, const jnode *alt,
                         const runctx *rc, result *res)
{
    rp_buf req;
    rp_response resp;
    char *outcome = NULL, why[DETAIL_CAP], why2[DETAIL_CAP];
    rs_result rr;
    memset(&req, 0, sizeof req);
    header(&req, "decode", v, mode);
    if (v->bn) {
        size_t pos = 0;
        while (pos < v->bn) { /* frames of at most RP_MAX_FRAME bytes */
            size_t k = v->bn - pos < RP_MAX_FRAME ? v->bn - pos : RP_MAX_FRAME;
            rp_put_frame(&req, v->bin + pos, k);
            pos += k;
        }
    }
    rp_put_end(&req);
    rr = ask(t, &req, rc, &resp, &outcome, why, sizeof why);
    rp_buf_free(&req);
    if (rr != RS_OK) {
        char d[DETAIL_CAP];
        snprintf(d, sizeof d, "%s: %.*s", rs_name(rr), (int)(sizeof d - 32), why);
        add_check(res, mode, R_FAIL, d);
        if (rc->log) fprintf(rc->log, "%s\t%s\t%s\tFAIL\t%s\n", t->name, v->vid, mode, d);
        return;
    }
    {
        rstate st = R_FAIL;
        if (strcmp(outcome, "skipped") == 0) {
            st = R_SKIP;
            why[0] = 0;
        } else if (compare_decode(v, exp, &resp, outcome, resp.status.p, resp.status.n, why, sizeof why) ||
                   (alt && compare_decode(v, alt, &resp, outcome, resp.status.p, resp.status.n, why2, sizeof why2))) {
            st = R_PASS;
            why[0] = 0;
        }
        add_check(res, mode, st, why);
        if (rc->log)
            fprintf(rc->log, "%s\t%s\t%s\t%s\t%s\n", t->name, v->vid, mode,
                    st == R_PASS ? "pass" : st == R_SKIP ? "skip" : "FAIL", why);
    }
    free(outcome);
    rp_response_free(&resp);
}

static void check_encode(rs_testee *t, const vector *v, const runctx *rc, result *res)
{
    rp_buf req, got;
    rp_response resp;
    char *outcome = NULL, why[DETAIL_CAP];
    rs_result rr;
    size_t i;
    const char *verdict = "pass";
    memset(&req, 0, sizeof req);
    memset(&got, 0, sizeof got);
    header(&req, "encode", v, "pyspark");
    for (i = 0; i < v->items->count; i++) {
        const jnode *it = json_at(&v->j, v->items, i);
        if (it && it->kind == J_STR) rp_put_frame(&req, it->s, it->len);
    }
    rp_put_end(&req);
    rr = ask(t, &req, rc, &resp, &outcome, why, sizeof why);
    rp_buf_free(&req);
    if (rr != RS_OK) {
        char d[DETAIL_CAP];
        snprintf(d, sizeof d, "%s: %.*s", rs_name(rr), (int)(sizeof d - 32), why);
        add_check(res, "encode", R_FAIL, d);
        if (rc->log) fprintf(rc->log, "%s\t%s\tencode\tFAIL\t%s\n", t->name, v->vid, d);
        return;
    }
    why[0] = 0;
    if (strcmp(outcome, "skipped") == 0) {
        add_check(res, "encode", R_SKIP, "");
        verdict = "skip";
    } else if (strcmp(outcome, "ok") != 0) {
        char *msg = rp_kv_get(resp.status.p, resp.status.n, "message");
        snprintf(why, sizeof why, "encoding failed: %s", msg ? msg : "(no message)");
        free(msg);
    } else {
        for (i = 0; i < resp.ndata; i++) rp_buf_add(&got, resp.data[i].p, resp.data[i].n);
        if (got.n != v->bn || (v->bn && memcmp(got.p, v->bin, v->bn) != 0)) {
            size_t k = 0;
            while (k < got.n && k < v->bn && got.p[k] == v->bin[k]) k++;
            snprintf(why, sizeof why, "bytes differ: %zu bytes, expected %zu; first difference at offset %zu", got.n,
                     v->bn, k);
        }
    }
    if (why[0]) {
        add_check(res, "encode", R_FAIL, why);
        verdict = "FAIL";
    } else if (strcmp(verdict, "pass") == 0) {
        add_check(res, "encode", R_PASS, "");
    }
    if (rc->log) fprintf(rc->log, "%s\t%s\tencode\t%s\t%s\n", t->name, v->vid, verdict, why);
    rp_buf_free(&got);
    free(outcome);
    rp_response_free(&resp);
}

static void run_vector(rs_testee *t, const vector *v, const runctx *rc, result *res)
{
    memset(res, 0, sizeof *res);
    res->state = R_SKIP;
    if (v->py) check_decode(t, v, "pyspark", v->py, v->py_alt, rc, res);
    if (v->strict) check_decode(t, v, "strict", v->strict, NULL, rc, res);
    if (v->byte_exact && v->items) check_encode(t, v, rc, res);
}

/* ---- expected-failure lists [#runner.xfail] ------------------------------ */

typedef struct xentry {
    char *vid;
    char *reason; /* the text after '#', or NULL */
} xentry;

typedef struct xlist {
    const char *path;
    char *head;   /* comment lines before the first entry, kept by --fix */
    xentry *e;
    size_t n;
} xlist;

static int xlist_load(xlist *x, const char *path)
{
    size_t n = 0, pos = 0;
    unsigned char *t;
    rp_buf head;
    int seen_entry = 0;
    memset(x, 0, sizeof *x);
    memset(&head, 0, sizeof head);
    x->path = path;
    t = slurp(path, &n);
    if (!t) return errno == ENOENT ? 0 : -1;
    while (pos < n) {
        size_t e = pos, a, b;
        char *hash;
        while (e < n && t[e] != '\n') e++;
        a = pos;
        b = e;
        while (a < b && (t[a] == ' ' || t[a] == '\t')) a++;
        if (a < b && t[a] == '#') {
            if (!seen_entry) {
                rp_buf_add(&head, t + pos, e - pos);
                rp_buf_add(&head, "\n", 1);
            }
        } else if (a < b) {
            char *line = xstrndup((const char *)t + a, b - a);
            char *end;
            hash = strchr(line, '#');
            x->e = (xentry *)xrealloc(x->e, (x->n + 1) * sizeof *x->e);
            x->e[x->n].reason = NULL;
            if (hash) {
                char *r = hash + 1;
                while (*r == ' ') r++;
                x->e[x->n].reason = xstrdup(r);
                *hash = 0;
            }
            end = line + strlen(line);
            while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = 0;
            x->e[x->n].vid = line;
            x->n++;
            seen_entry = 1;
        }
        pos = e + 1;
    }
    free(t);
    rp_buf_add(&head, "", 1);
    x->head = (char *)head.p;
    return 0;
}

static void xlist_free(xlist *x)
{
    size_t i;
    for (i = 0; i < x->n; i++) {
        free(x->e[i].vid);
        free(x->e[i].reason);
    }
    free(x->e);
    free(x->head);
    memset(x, 0, sizeof *x);
}

static xentry *xlist_find(const xlist *x, const char *vid)
{
    size_t i;
    for (i = 0; i < x->n; i++)
        if (strcmp(x->e[i].vid, vid) == 0) return &x->e[i];
    return NULL;
}

/* ---- the run ---------------------------------------------------------------- */

typedef struct testee_run {
    rs_testee t;
    xlist x;
    int has_list;
    result *res;      /* one per vector */
    size_t stale;     /* listed ids that no longer exist */
    char **stale_ids;
    size_t passed, failed, skipped, xfailed, xpassed;
} testee_run;

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void md_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

typedef struct gcount {
    size_t p, f, s, x;
} gcount;

static gcount count_group(const vecset *vs, const testee_run *tr, const char *group)
{
    gcount c = {0, 0, 0, 0};
    size_t i;
    for (i = 0; i < vs->n; i++) {
        const result *r = &tr->res[i];
        if (group && strcmp(vs->v[i].group, group) != 0) continue;
        if (r->state == R_SKIP)
            c.s++;
        else if (r->state == R_PASS && !r->listed)
            c.p++;
        else if (r->state == R_FAIL && r->listed)
            c.x++;
        else
            c.f++; /* unexpected failure, or an unexpected pass of a listed id */
    }
    return c;
}

static void write_markdown(FILE *f, const vecset *vs, testee_run *tr, size_t nt, const char *vdir)
{
    size_t g, k, i;
    fprintf(f, "## Conformance results\n\n");
    fprintf(f, "Vectors: `%s/manifest.json`, %zu stream vectors", vdir, vs->n);
    if (vs->no_serializer) fprintf(f, " (%zu entries without a serializer, wire helpers, not run)", vs->no_serializer);
    fprintf(f, ". Each cell: passed / failed / skipped (expected failures in parentheses).\n\n");
    fprintf(f, "| group | vectors |");
    for (k = 0; k < nt; k++) fprintf(f, " %s |", tr[k].t.name);
    fprintf(f, "\n|---|---:|");
    for (k = 0; k < nt; k++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (g = 0; g <= vs->ngroups; g++) {
        const char *gn = g < vs->ngroups ? vs->groups[g] : NULL;
        size_t nv = 0;
        for (i = 0; i < vs->n; i++)
            if (!gn || strcmp(vs->v[i].group, gn) == 0) nv++;
        fprintf(f, "| %s%s%s | %zu |", gn ? "" : "**", gn ? gn : "total", gn ? "" : "**", nv);
        for (k = 0; k < nt; k++) {
            gcount c = count_group(vs, &tr[k], gn);
            fprintf(f, " %zu / %zu / %zu", c.p, c.f, c.s);
            if (c.x) fprintf(f, " (%zu)", c.x);
            fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
    for (k = 0; k < nt; k++) {
        testee_run *t = &tr[k];
        size_t shown = 0;
        fprintf(f, "### %s\n\n`%s`: %zu passed, %zu failed, %zu skipped; %zu expected failures", t->t.name, t->t.cmd,
                t->passed, t->failed, t->skipped, t->xfailed);
        if (t->xpassed) fprintf(f, ", %zu unexpected passes", t->xpassed);
        if (t->stale) fprintf(f, ", %zu stale list entries", t->stale);
        fprintf(f, "; %u process start(s).\n\n", t->t.starts);
        for (i = 0; i < vs->n; i++) {
            const result *r = &t->res[i];
            if (r->state == R_FAIL || (r->listed && r->state == R_PASS)) {
                if (!shown++) fprintf(f, "| vector | status | detail |\n|---|---|---|\n");
                fprintf(f, "| %s | %s | ", vs->v[i].vid,
                        r->state == R_PASS ? "unexpected pass" : r->listed ? "expected failure" : "FAILED");
                if (r->state == R_FAIL && r->listed) {
                    const xentry *e = xlist_find(&t->x, vs->v[i].vid);
                    if (e && e->reason) {
                        md_escape(f, e->reason);
                        fputs(" -- ", f);
                    }
                }
                md_escape(f, r->state == R_PASS ? "listed in the expected-failure list but passed" : r->detail);
                fprintf(f, " |\n");
            }
        }
        for (i = 0; i < t->stale; i++) {
            if (!shown++) fprintf(f, "| vector | status | detail |\n|---|---|---|\n");
            fprintf(f, "| %s | stale | listed, but no such vector |\n", t->stale_ids[i]);
        }
        if (shown) fprintf(f, "\n");
    }
}

static void write_html(FILE *f, const vecset *vs, testee_run *tr, size_t nt, const char *vdir)
{
    size_t g, k, i;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>sparkwire conformance matrix</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222}\n"
          "table{border-collapse:collapse;margin:1em 0}\n"
          "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:center}\n"
          "th.g,td.g{text-align:left}\n"
          "td.pass{background:#c8efc8}td.fail{background:#f6c1c1}td.skip{background:#e4e4e4}"
          "td.mixed{background:#f6e7b0}\n"
          "td.d{text-align:left;font-family:monospace;font-size:90%}\n"
          "small{color:#555}\n</style></head><body>\n<h1>sparkwire conformance matrix</h1>\n",
          f);
    fprintf(f, "<p>Vectors: <code>");
    html_escape(f, vdir);
    fprintf(f, "/manifest.json</code>, %zu stream vectors. Cells: passed / failed / skipped "
               "(expected failures). Green: all run vectors pass; red: a failure counts against the run; "
               "yellow: only expected failures; grey: all skipped.</p>\n<table>\n<tr><th class=\"g\">group</th>"
               "<th>vectors</th>",
            vs->n);
    for (k = 0; k < nt; k++) {
        fputs("<th>", f);
        html_escape(f, tr[k].t.name);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (g = 0; g <= vs->ngroups; g++) {
        const char *gn = g < vs->ngroups ? vs->groups[g] : NULL;
        size_t nv = 0;
        for (i = 0; i < vs->n; i++)
            if (!gn || strcmp(vs->v[i].group, gn) == 0) nv++;
        fputs("<tr><td class=\"g\">", f);
        html_escape(f, gn ? gn : "total");
        fprintf(f, "</td><td>%zu</td>", nv);
        for (k = 0; k < nt; k++) {
            gcount c = count_group(vs, &tr[k], gn);
            const char *cls = c.f ? "fail" : c.x ? "mixed" : c.p ? "pass" : "skip";
            fprintf(f, "<td class=\"%s\">%zu / %zu / %zu", cls, c.p, c.f, c.s);
            if (c.x) fprintf(f, " <small>(%zu)</small>", c.x);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    for (k = 0; k < nt; k++) {
        testee_run *t = &tr[k];
        fputs("<details><summary><b>", f);
        html_escape(f, t->t.name);
        fprintf(f, "</b>: %zu passed, %zu failed, %zu skipped, %zu expected failures</summary>\n<p><code>",
                t->passed, t->failed, t->skipped, t->xfailed);
        html_escape(f, t->t.cmd);
        fputs("</code></p>\n<table><tr><th class=\"g\">vector</th><th>result</th><th class=\"g\">checks</th>"
              "<th class=\"g\">detail</th></tr>\n",
              f);
        for (i = 0; i < vs->n; i++) {
            const result *r = &t->res[i];
            const char *cls = r->state == R_SKIP ? "skip" : r->state == R_PASS ? (r->listed ? "fail" : "pass")
                                                                                : (r->listed ? "mixed" : "fail");
            const char *word = r->state == R_SKIP ? "skipped" : r->state == R_PASS ? (r->listed ? "unexpected pass" : "pass")
                                                                                   : (r->listed ? "expected failure" : "FAIL");
            fputs("<tr><td class=\"g\">", f);
            html_escape(f, vs->v[i].vid);
            fprintf(f, "</td><td class=\"%s\">%s</td><td class=\"d\">", cls, word);
            html_escape(f, r->checks);
            fputs("</td><td class=\"d\">", f);
            if (r->state == R_FAIL && r->listed) {
                const xentry *e = xlist_find(&t->x, vs->v[i].vid);
                if (e && e->reason) {
                    html_escape(f, e->reason);
                    fputs(" &mdash; ", f);
                }
            }
            html_escape(f, r->state == R_FAIL ? r->detail : "");
            fputs("</td></tr>\n", f);
        }
        for (i = 0; i < t->stale; i++) {
            fputs("<tr><td class=\"g\">", f);
            html_escape(f, t->stale_ids[i]);
            fputs("</td><td class=\"fail\">stale</td><td></td><td class=\"d\">listed, but no such vector</td></tr>\n", f);
        }
        fputs("</table></details>\n", f);
    }
    fputs("</body></html>\n", f);
}

static int fix_list(const testee_run *t, const vecset *vs, const vecset *all_ids)
{
    FILE *f;
    size_t i;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", t->x.path);
    f = fopen(tmp, "w");
    if (!f) return -1;
    if (t->x.head && *t->x.head)
        fputs(t->x.head, f);
    else
        fprintf(f, "# expected failures of %s (sw-conformance --fix): vector id, then # reason\n", t->t.name);
    /* entries of vectors this run did not run (a --group filter) stay */
    for (i = 0; i < t->x.n; i++) {
        const xentry *e = &t->x.e[i];
        if (!vector_exists(vs, e->vid) && vector_exists(all_ids, e->vid))
            fprintf(f, "%s%s%s\n", e->vid, e->reason ? "  # " : "", e->reason ? e->reason : "");
    }
    for (i = 0; i < vs->n; i++) {
        const result *r = &t->res[i];
        const xentry *e;
        if (r->state != R_FAIL) continue;
        e = xlist_find(&t->x, vs->v[i].vid);
        fprintf(f, "%s  # %s\n", vs->v[i].vid, e && e->reason ? e->reason : r->detail);
    }
    if (fclose(f) != 0 || rename(tmp, t->x.path) != 0) return -1;
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: sw-conformance [--vectors DIR] --testee NAME=CMD [...] [--xfail NAME=FILE ...] [--fix]\n"
            "                      [--timeout SECONDS] [--group G ...] [--markdown FILE] [--html FILE]\n"
            "                      [--log FILE] [--stderr-dir DIR] [-v]\n");
}

int main(int argc, char **argv)
{
    const char *vdir = "vectors", *md_path = NULL, *html_path = NULL, *log_path = NULL, *stderr_dir = NULL;
    char *tnames[MAX_TESTEES], *tcmds[MAX_TESTEES], *xnames[MAX_TESTEES], *xpaths[MAX_TESTEES];
    char *only[64];
    size_t nt = 0, nx = 0, nonly = 0, k, i;
    int fix = 0, a;
    runctx rc;
    vecset vs, all_ids;
    testee_run *tr = NULL;
    size_t tp = 0, tf = 0, ts = 0, tx = 0;
    int status = 2;
    memset(&rc, 0, sizeof rc);
    memset(&vs, 0, sizeof vs);
    memset(&all_ids, 0, sizeof all_ids);
    rc.timeout = 10.0;
    for (a = 1; a < argc; a++) {
        const char *o = argv[a];
        const char *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(o, "--fix") == 0) {
            fix = 1;
            continue;
        }
        if (strcmp(o, "-v") == 0) {
            rc.verbose = 1;
            continue;
        }
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage();
            return 0;
        }
        if (!val) {
            usage();
            goto done;
        }
        a++;
        if (strcmp(o, "--vectors") == 0)
            vdir = val;
        else if (strcmp(o, "--markdown") == 0)
            md_path = val;
        else if (strcmp(o, "--html") == 0)
            html_path = val;
        else if (strcmp(o, "--log") == 0)
            log_path = val;
        else if (strcmp(o, "--stderr-dir") == 0)
            stderr_dir = val;
        else if (strcmp(o, "--timeout") == 0) {
            rc.timeout = strtod(val, NULL);
            if (!(rc.timeout > 0)) {
                fprintf(stderr, "sw-conformance: --timeout needs a positive number of seconds\n");
                goto done;
            }
        } else if (strcmp(o, "--group") == 0) {
            if (nonly < sizeof only / sizeof only[0]) only[nonly++] = (char *)val;
        } else if (strcmp(o, "--testee") == 0 || strcmp(o, "--xfail") == 0) {
            const char *eq = strchr(val, '=');
            if (!eq || eq == val || !eq[1]) {
                fprintf(stderr, "sw-conformance: %s wants NAME=VALUE, got %s\n", o, val);
                goto done;
            }
            if (o[2] == 't') {
                if (nt == MAX_TESTEES) {
                    fprintf(stderr, "sw-conformance: at most %d testees\n", MAX_TESTEES);
                    goto done;
                }
                tnames[nt] = xstrndup(val, (size_t)(eq - val));
                tcmds[nt++] = xstrdup(eq + 1);
            } else {
                if (nx == MAX_TESTEES) goto done;
                xnames[nx] = xstrndup(val, (size_t)(eq - val));
                xpaths[nx++] = xstrdup(eq + 1);
            }
        } else {
            usage();
            goto done;
        }
    }
    if (!nt) {
        usage();
        goto done;
    }
    for (k = 0; k < nx; k++) {
        for (i = 0; i < nt; i++)
            if (strcmp(xnames[k], tnames[i]) == 0) break;
        if (i == nt) {
            fprintf(stderr, "sw-conformance: --xfail %s names no testee\n", xnames[k]);
            goto done;
        }
    }
    if (load_vectors(vdir, &vs, only, nonly) != 0) goto done;
    if (nonly) {
        if (load_vectors(vdir, &all_ids, NULL, 0) != 0) goto done;
    } else {
        all_ids = vs;
    }
    if (log_path && !(rc.log = fopen(log_path, "w"))) {
        fprintf(stderr, "sw-conformance: cannot write %s\n", log_path);
        goto done;
    }
    tr = (testee_run *)xmalloc(nt * sizeof *tr);
    memset(tr, 0, nt * sizeof *tr);
    for (k = 0; k < nt; k++) {
        testee_run *t = &tr[k];
        int efd = -1;
        if (stderr_dir) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s.stderr", stderr_dir, tnames[k]);
            efd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        }
        rs_init(&t->t, tnames[k], tcmds[k], efd);
        for (i = 0; i < nx; i++)
            if (strcmp(xnames[i], tnames[k]) == 0) {
                if (xlist_load(&t->x, xpaths[i]) != 0) {
                    fprintf(stderr, "sw-conformance: cannot read %s\n", xpaths[i]);
                    goto done;
                }
                t->has_list = 1;
            }
        t->res = (result *)xmalloc((vs.n ? vs.n : 1) * sizeof *t->res);
        for (i = 0; i < vs.n; i++) {
            result *r = &t->res[i];
            run_vector(&t->t, &vs.v[i], &rc, r);
            r->listed = t->has_list && xlist_find(&t->x, vs.v[i].vid) != NULL;
            if (rc.verbose || (r->state == R_FAIL && !r->listed))
                fprintf(stderr, "%s %s %s: %s\n", tnames[k], vs.v[i].vid,
                        r->state == R_PASS ? "pass" : r->state == R_SKIP ? "skip" : r->listed ? "xfail" : "FAIL",
                        r->state == R_FAIL ? r->detail : r->checks);
        }
        rs_stop(&t->t);
        if (efd >= 0) close(efd);
        for (i = 0; i < t->x.n; i++)
            if (!vector_exists(&all_ids, t->x.e[i].vid)) {
                t->stale_ids = (char **)xrealloc(t->stale_ids, (t->stale + 1) * sizeof *t->stale_ids);
                t->stale_ids[t->stale++] = t->x.e[i].vid;
            }
        if (fix && t->has_list) {
            if (fix_list(t, &vs, &all_ids) != 0) {
                fprintf(stderr, "sw-conformance: cannot rewrite %s\n", t->x.path);
                goto done;
            }
            fprintf(stderr, "sw-conformance: rewrote %s\n", t->x.path);
            /* the list now says what happened */
            for (i = 0; i < vs.n; i++) t->res[i].listed = t->res[i].state == R_FAIL;
            t->stale = 0;
        }
        for (i = 0; i < vs.n; i++) {
            const result *r = &t->res[i];
            if (r->state == R_SKIP)
                t->skipped++;
            else if (r->state == R_PASS && !r->listed)
                t->passed++;
            else if (r->state == R_FAIL && r->listed)
                t->xfailed++;
            else {
                t->failed++;
                if (r->state == R_PASS) {
                    t->xpassed++;
                    fprintf(stderr, "%s %s: unexpected pass (listed as an expected failure)\n", tnames[k],
                            vs.v[i].vid);
                }
            }
        }
        for (i = 0; i < t->stale; i++)
            fprintf(stderr, "%s %s: stale expected-failure entry (no such vector)\n", tnames[k], t->stale_ids[i]);
        t->failed += t->stale;
        tp += t->passed;
        tf += t->failed;
        ts += t->skipped;
        tx += t->xfailed;
    }
    if (rc.log) fclose(rc.log);
    rc.log = NULL;
    write_markdown(stdout, &vs, tr, nt, vdir);
    if (md_path) {
        FILE *f = fopen(md_path, "w");
        if (!f) {
            fprintf(stderr, "sw-conformance: cannot write %s\n", md_path);
            goto done;
        }
        write_markdown(f, &vs, tr, nt, vdir);
        fclose(f);
    }
    if (html_path) {
        FILE *f = fopen(html_path, "w");
        if (!f) {
            fprintf(stderr, "sw-conformance: cannot write %s\n", html_path);
            goto done;
        }
        write_html(f, &vs, tr, nt, vdir);
        fclose(f);
    }
    if (tx) printf("%zu expected failures\n", tx);
    printf("%zu passed, %zu failed, %zu skipped\n", tp, tf, ts);
    status = tf ? 1 : 0;
done:
    if (rc.log) fclose(rc.log);
    for (k = 0; tr && k < nt; k++) {
        free(tr[k].res);
        free(tr[k].stale_ids);
        xlist_free(&tr[k].x);
    }
    for (k = 0; k < nt; k++) {
        free(tnames[k]);
        free(tcmds[k]);
    }
    for (k = 0; k < nx; k++) {
        free(xnames[k]);
        free(xpaths[k]);
    }
    free(tr);
    if (nonly) vecset_free(&all_ids);
    vecset_free(&vs);
    return status;
}

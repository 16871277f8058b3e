/* Fuzzing oracles [#fuzz]: see oracle.h. */
#include "oracle.h"
#include "internal/pickle_compat.h"
#include "internal/pickle_enc.h"

#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

/* ---- failure reporting ---- */

static fz_fail_hook g_hook;

void fz_set_fail_hook(fz_fail_hook h) { g_hook = h; }

void fz_fail(const char *what, const char *detail)
{
    if (g_hook) {
        g_hook(what, detail ? detail : "");
        return;
    }
    fprintf(stderr, "\n== sparkwire fuzz oracle failure: %s\n%s\n", what, detail ? detail : "");
    abort();
}

static void failf(const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void failf(const char *what, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fz_fail(what, buf);
}

uint8_t fz_byte(fz_in *in)
{
    uint8_t b;
    if (in->n == 0) return 0;
    b = in->p[0];
    in->p++;
    in->n--;
    return b;
}

int fz_refusal(sw_status st)
{
    return st == SW_E_UNENCODABLE || st == SW_E_NOMEM || SW_STATUS_CATEGORY(st) == SW_E_UNSUPPORTED ||
           SW_STATUS_CATEGORY(st) == SW_E_LIMIT_FRAME;
}

/* ---- the failing allocator [#fuzz.alloc] ---- */

static void *fa_malloc(void *ctx, size_t n)
{
    fz_alloc *f = (fz_alloc *)ctx;
    void *p;
    f->calls++;
    if ((f->fail_at && f->calls >= f->fail_at) ||
        (f->budget && (uint64_t)f->live + n > f->budget)) {
        f->failed++;
        return NULL;
    }
    p = malloc(n ? n : 1);
    if (!p) return NULL;
    f->live += (long long)n;
    f->blocks++;
    return p;
}

static void *fa_realloc(void *ctx, void *p, size_t old_n, size_t new_n)
{
    fz_alloc *f = (fz_alloc *)ctx;
    void *q;
    if (!p) return fa_malloc(ctx, new_n);
    f->calls++;
    if ((f->fail_at && f->calls >= f->fail_at) ||
        (f->budget && new_n > old_n && (uint64_t)f->live + (new_n - old_n) > f->budget)) {
        f->failed++;
        return NULL;
    }
    q = realloc(p, new_n ? new_n : 1);
    if (!q) return NULL;
    f->live += (long long)new_n - (long long)old_n;
    return q;
}

static void fa_free(void *ctx, void *p, size_t n)
{
    fz_alloc *f = (fz_alloc *)ctx;
    if (!p) return;
    f->live -= (long long)n;
    f->blocks--;
    free(p);
}

void fz_alloc_init(fz_alloc *f, uint64_t budget, uint64_t fail_at)
{
    memset(f, 0, sizeof *f);
    f->al.ctx = f;
    f->al.malloc_fn = fa_malloc;
    f->al.realloc_fn = fa_realloc;
    f->al.free_fn = fa_free;
    f->budget = budget;
    f->fail_at = fail_at;
}

void fz_alloc_check_clean(const fz_alloc *f, const char *where)
{
    if (f->live != 0 || f->blocks != 0)
        failf("allocator not clean", "%s: %lld bytes in %lld blocks not given back (sizes passed to free "
              "differ from the allocation, or a leak)", where, f->live, f->blocks);
}

/* ---- describing an input ---- */

int fz_describe;

static void put_hex(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) printf("%02x", p[i]);
}

int fz_describe_payload(const char *target, const char *kind, sw_mode mode, const char *opts, const uint8_t *p,
                        size_t n)
{
    if (!fz_describe) return 0;
    printf("{\"target\": \"%s\", \"payload\": \"%s\", \"mode\": \"%s\"%s%s, \"bytes\": \"", target, kind,
           sw_mode_str(mode), *opts ? ", " : "", opts);
    put_hex(p, n);
    printf("\"}\n");
    return 1;
}

static void describe_stream(const fz_stream_cfg *c, const uint8_t *data, size_t size)
{
    static const char *const enc[] = {"bytes", "ascii", "latin1"};
    const sw_limits *l = &c->limits;
    const char *sep = "";
    printf("{\"serializer\": \"%s\", \"mode\": \"%s\", \"auto_intended\": %d, \"symbolic_ext\": %d, "
           "\"marshal_py2\": %d, \"pickle_encoding\": \"%s\", \"alloc\": [%d, %llu], \"roundtrip\": %d, "
           "\"chunks\": [%u, %u, %u, %u], \"limits\": {",
           c->spec, sw_mode_str(c->mode), c->auto_intended, c->symbolic_ext, c->marshal_py2,
           enc[c->pickle_encoding % 3], c->alloc_mode, (unsigned long long)c->alloc_arg, c->roundtrip,
           c->chunks[0], c->chunks[1], c->chunks[2], c->chunks[3]);
#define LIM(f)                                                                      \
    if (l->f) {                                                                     \
        printf("%s\"" #f "\": %llu", sep, (unsigned long long)l->f);                \
        sep = ", ";                                                                 \
    }
    LIM(max_frame_bytes) LIM(max_total_bytes) LIM(max_depth) LIM(max_nodes) LIM(max_memo)
    LIM(max_inflated_bytes) LIM(max_expansion) LIM(max_items) LIM(max_int_digits)
#undef LIM
    printf("}, \"stream\": \"");
    put_hex(data, size);
    printf("\"}\n");
}

const char *fz_pick(fz_in *in, const char *const *specs, size_t n)
{
    return specs[fz_byte(in) % n];
}

/* ---- payload decoders ---- */

int fz_check_payload_result(const char *who, sw_status st, const sw_value *v, size_t consumed, size_t n,
                            const sw_error *e)
{
    char what[96];
    if (st == SW_OK) {
        if (v && consumed <= n) return 1;
        snprintf(what, sizeof what, "%s: success without a value or consumed beyond the input", who);
        failf(what, "out %p consumed %zu of %zu", (const void *)v, consumed, n);
        return 0;
    }
    /* [#fuzz.offset] */
    if (v != NULL || e->status != st || e->payload_offset > n || e->layer == SW_LAYER_NONE) {
        snprintf(what, sizeof what, "%s: bad error record", who);
        failf(what, "%s layer %s payload_offset %llu of %zu, out %p (%s:%d)", sw_status_str(st),
              sw_layer_str(e->layer), (unsigned long long)e->payload_offset, n, (const void *)v,
              e->file ? e->file : "?", e->line);
    }
    return 0;
}

void fz_check_payload_alloc(const char *who, uint8_t a, fz_decode_fn fn, const void *opts, const uint8_t *p,
                            size_t n, sw_status st, const sw_value *v)
{
    fz_alloc fa;
    sw_arena *ar;
    sw_value *w = NULL;
    size_t used;
    sw_error e;
    sw_status st2;
    char what[96];
    if (a % 3 == 0) return;
    fz_alloc_init(&fa, a % 3 == 1 ? 256u + (uint64_t)(a >> 2) * 512u : 0, a % 3 == 2 ? 1u + (a >> 2) : 0);
    ar = sw_arena_new(&fa.al, NULL);
    if (ar) {
        st2 = fn(ar, p, n, opts, &w, &used, &e);
        if (st2 != st && st2 != SW_E_NOMEM) {
            snprintf(what, sizeof what, "%s: failing allocator gives another result than nomem", who);
            failf(what, "libc %s, failing allocator %s (%s:%d)", sw_status_str(st), sw_status_str(st2),
                  e.file ? e.file : "?", e.line);
        }
        if (st2 == SW_OK && st == SW_OK && sw_v_graph_equal(v, w, NULL, 0) != 1) {
            snprintf(what, sizeof what, "%s: failing allocator run decoded another graph", who);
            fz_fail(what, "");
        }
        sw_arena_free(ar);
    }
    snprintf(what, sizeof what, "%s_decode", who);
    fz_alloc_check_clean(&fa, what);
}

static void hex_of(const sw_buf *b, char *buf, size_t cap);

/* ---- stream configuration ---- */

void fz_stream_cfg_from(fz_stream_cfg *c, const char *spec, fz_in *in)
{
    uint8_t b = fz_byte(in), a;
    int i;
    memset(c, 0, sizeof *c);
    c->spec = spec;
    c->mode = (b & 1) ? SW_MODE_STRICT : SW_MODE_PYSPARK;
    c->auto_intended = (b >> 1) & 1;
    c->symbolic_ext = (b >> 2) & 1;
    c->marshal_py2 = (b >> 3) & 1;
    c->pickle_encoding = ((b >> 4) & 3) % 3;
    for (i = 0; i < 4; i++) c->chunks[i] = (uint8_t)(fz_byte(in) & 0x1f);
    a = fz_byte(in);
    c->alloc_mode = a % 3;
    c->roundtrip = (a & 3) == 0;
    c->alloc_arg = c->alloc_mode == 1 ? 256u + (uint64_t)(a >> 2) * 512u : 1u + (uint64_t)(a >> 2);
}

/* ---- chunked callback source ---- */

typedef struct cb_ctx {
    const uint8_t *p;
    size_t n, pos;
    const uint8_t *chunks;
    unsigned ci;
} cb_ctx;

static sw_status cb_read(void *ctx, uint8_t *dst, size_t cap, size_t *got)
{
    cb_ctx *c = (cb_ctx *)ctx;
    size_t k = c->chunks[c->ci++ & 3];
    if (k == 0) k = 1;
    if (k > cap) k = cap;
    if (k > c->n - c->pos) k = c->n - c->pos;
    if (k) memcpy(dst, c->p + c->pos, k);
    c->pos += k;
    *got = k;
    return SW_OK;
}

/* ---- one decoding run, as a transcript ---- */

typedef struct run {
    sw_buf text;   /* item texts, one per line */
    size_t *ends;  /* end of each item's text in `text` */
    size_t nitems, capitems;
    sw_status st;
    sw_error err;
} run;

static void run_free(run *r)
{
    sw_buf_free(&r->text);
    free(r->ends);
}

#define FZ_MAX_ITEMS 4096 /* keep one input fast: later items are not compared */

static int g_pipe_fd = -1; /* the read end run_stream's fd source takes over */

/* A pipe holding data with its write end closed: the read end, or -1 when
 * the pipe cannot hold it all (never blocks) */
static int pipe_holding(const uint8_t *data, size_t size)
{
    int pfd[2];
    ssize_t w = 0;
    if (pipe(pfd) != 0) return -1;
    if (fcntl(pfd[1], F_SETFL, O_NONBLOCK) == 0 && size) w = write(pfd[1], data, size);
    close(pfd[1]);
    if (size && w != (ssize_t)size) {
        close(pfd[0]);
        return -1;
    }
    return pfd[0];
}

/* Decode data through s; use_cb: 0 memory source, 1 callback source in
 * cfg->chunks sizes, 2 fd source over g_pipe_fd */
static void run_stream(const fz_stream_cfg *cfg, const sw_serializer *s, const uint8_t *data,
                       size_t size, int use_cb, const sw_alloc *al, int check_items, run *r)
{
    sw_source src;
    sw_stream_opts o;
    sw_decoder *d = NULL;
    cb_ctx cc;
    sw_buf tmp;
    int fd = -1;
    memset(r, 0, sizeof *r);
    sw_buf_init(&r->text, NULL);
    sw_buf_init(&tmp, NULL);
    sw_error_clear(&r->err);
    sw_stream_opts_default(&o);
    o.mode = cfg->mode;
    o.auto_intended = cfg->auto_intended;
    o.symbolic_ext = cfg->symbolic_ext;
    o.marshal_py2 = cfg->marshal_py2;
    o.pickle_encoding = (sw_pickle_encoding)cfg->pickle_encoding;
    o.limits = cfg->limits;
    o.alloc = al;
    if (use_cb == 2) {
        /* [#fuzz.chunked] the fd source over a pipe holding the whole input,
         * its write end closed (fz_check_stream made it) */
        fd = g_pipe_fd;
        g_pipe_fd = -1;
        sw_source_fd(&src, fd, al);
    } else if (use_cb) {
        cc.p = data;
        cc.n = size;
        cc.pos = 0;
        cc.chunks = cfg->chunks;
        cc.ci = 0;
        sw_source_cb(&src, cb_read, &cc, (size_t)(cfg->chunks[0] ? cfg->chunks[0] : 1), al);
    } else {
        sw_source_mem(&src, data, size);
    }
    r->st = sw_decoder_new(s, &src, &o, &d);
    if (r->st == SW_OK) {
        sw_value *v;
        while (r->nitems < FZ_MAX_ITEMS && (r->st = sw_decoder_next(d, &v, &r->err)) == SW_OK) {
            sw_error pe;
            sw_status ps;
            if (!v) {
                fz_fail("decoder returned SW_OK without an item", cfg->spec);
                break;
            }
            tmp.n = 0;
            ps = sw_notation_print(v, &tmp, 0, &pe);
            if (ps != SW_OK) {
                tmp.n = 0;
                sw_buf_printf(&tmp, "<print %s>", sw_status_str(ps));
            } else if (check_items) {
                fz_check_notation(v);
            }
            sw_buf_put(&r->text, tmp.p, tmp.n);
            sw_buf_putc(&r->text, '\n');
            if (r->nitems == r->capitems) {
                size_t nc = r->capitems ? r->capitems * 2 : 16;
                size_t *ne = (size_t *)realloc(r->ends, nc * sizeof *ne);
                if (!ne) abort();
                r->ends = ne;
                r->capitems = nc;
            }
            r->ends[r->nitems++] = r->text.n;
        }
        if (r->nitems >= FZ_MAX_ITEMS) r->st = SW_END; /* cut short the same way in every run */
        sw_decoder_free(d);
    }
    if (use_cb) sw_source_free(&src);
    if (fd >= 0) close(fd);
    sw_buf_free(&tmp);
    /* [#fuzz.offset] */
    if (SW_IS_ERROR(r->st) && r->st != SW_E_NOMEM) {
        if (r->err.offset > size)
            failf("error offset beyond the input", "%s: %s offset %llu > size %zu (%s:%d)", cfg->spec,
                  sw_status_str(r->st), (unsigned long long)r->err.offset, size,
                  r->err.file ? r->err.file : "?", r->err.line);
        if (r->err.status != r->st || !r->err.msg)
            failf("error record not filled", "%s: returned %s, record says %s", cfg->spec,
                  sw_status_str(r->st), sw_status_str(r->err.status));
        if (r->err.item != r->nitems)
            failf("error item index wrong", "%s: %s item %llu after %zu items", cfg->spec,
                  sw_status_str(r->st), (unsigned long long)r->err.item, r->nitems);
    }
}

static void describe(const run *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s layer=%s off=%llu poff=%llu item=%llu pyexc=%s (%s:%d) items=%zu",
             sw_status_str(r->st), SW_IS_ERROR(r->st) ? sw_layer_str(r->err.layer) : "-",
             SW_IS_ERROR(r->st) ? (unsigned long long)r->err.offset : 0ull,
             SW_IS_ERROR(r->st) ? (unsigned long long)r->err.payload_offset : 0ull,
             SW_IS_ERROR(r->st) ? (unsigned long long)r->err.item : 0ull,
             SW_IS_ERROR(r->st) ? sw_pyexc_str(r->err.pyexc) : "-",
             SW_IS_ERROR(r->st) && r->err.file ? r->err.file : "-", SW_IS_ERROR(r->st) ? r->err.line : 0,
             r->nitems);
}

static int same_end(const run *a, const run *b)
{
    if (a->st != b->st) return 0;
    if (!SW_IS_ERROR(a->st)) return 1;
    return a->err.layer == b->err.layer && a->err.offset == b->err.offset &&
           a->err.payload_offset == b->err.payload_offset && a->err.item == b->err.item &&
           a->err.pyexc == b->err.pyexc;
}

static void compare_runs(const char *what, const fz_stream_cfg *cfg, const run *ref, const run *got,
                         int allow_nomem)
{
    char da[400], db[400];
    size_t i, n;
    if (allow_nomem && got->st == SW_E_NOMEM) {
        /* a clean out-of-memory stop: the items before it are the same */
        if (got->nitems > ref->nitems) goto bad;
        n = got->nitems;
    } else {
        if (!same_end(ref, got) || ref->nitems != got->nitems) goto bad;
        n = ref->nitems;
    }
    for (i = 0; i < n; i++)
        if (ref->ends[i] != got->ends[i]) goto bad;
    if (n && memcmp(ref->text.p, got->text.p, ref->ends[n - 1]) != 0) goto bad;
    return;
bad:
    describe(ref, da, sizeof da);
    describe(got, db, sizeof db);
    for (i = 0; i < ref->nitems && i < got->nitems; i++)
        if (ref->ends[i] != got->ends[i] ||
            memcmp(ref->text.p + (i ? ref->ends[i - 1] : 0), got->text.p + (i ? got->ends[i - 1] : 0),
                   ref->ends[i] - (i ? ref->ends[i - 1] : 0)) != 0)
            break;
    failf(what, "%s mode=%s\n  memory:   %s\n  other:    %s\n  first differing item: %zu", cfg->spec,
          sw_mode_str(cfg->mode), da, db, i);
}

/* 1 if pred holds for a node reachable from v, or the walk is too big to
 * say (100,000 nodes, or 256 pending): every caller uses the answer to
 * excuse a comparison, so "don't know" excuses */
static int any_node(const sw_value *v, int (*pred)(const sw_value *x, const void *ctx), const void *ctx)
{
    const sw_value *stack[256];
    size_t sp = 0, budget = 100000, i, n;
    stack[sp++] = v;
    while (sp > 0) {
        const sw_value *x = stack[--sp];
        if (!x) continue;
        if (budget-- == 0 || pred(x, ctx)) return 1;
        n = sw_v_nchildren(x);
        for (i = 0; i < n; i++) {
            if (sp == sizeof stack / sizeof stack[0]) return 1;
            stack[sp++] = sw_v_child(x, i);
        }
    }
    return 0;
}

static int is_bytearray(const sw_value *x, const void *ctx)
{
    (void)ctx;
    return x->kind == SW_K_BYTEARRAY;
}

/* Decode up to 256 items of data through s with options o and encode them
 * through s in strict mode into out; with texts, each item's notation text
 * and a newline are appended to it (*printed 0 when one did not print).
 * *d is the decoder (the items live in its arena; the caller frees it);
 * *n counts the items encoded. Returns the encoder's status. */
static sw_status reencode(const sw_serializer *s, const sw_stream_opts *o, const uint8_t *data, size_t size,
                          sw_decoder **d, sw_buf *out, sw_buf *texts, int *printed, int *bytearrays, size_t *n,
                          sw_error *e)
{
    sw_source src;
    sw_stream_opts eo = *o;
    sw_encoder *enc = NULL;
    sw_sink k;
    sw_status st;
    sw_value *v;
    size_t t0;
    sw_source_mem(&src, data, size);
    *n = 0;
    *d = NULL;
    *printed = 1;
    if (bytearrays) *bytearrays = 0;
    if ((st = sw_decoder_new(s, &src, o, d)) != SW_OK) return st;
    sw_sink_buf(&k, out);
    eo.mode = SW_MODE_STRICT;
    eo.auto_intended = 1;
    sw_limits_default(&eo.limits);
    if ((st = sw_encoder_new(s, &k, &eo, &enc)) != SW_OK) return st;
    while (*n < 256 && sw_decoder_next(*d, &v, e) == SW_OK) {
        if (bytearrays && !*bytearrays && any_node(v, is_bytearray, NULL)) *bytearrays = 1;
        if (texts && *printed) {
            t0 = texts->n;
            if (sw_notation_print(v, texts, 0, e) != SW_OK) {
                *printed = 0;
                texts->n = t0;
            } else {
                sw_buf_putc(texts, '\n');
            }
        }
        if ((st = sw_encoder_put(enc, v, e)) != SW_OK) break;
        ++*n;
    }
    if (st == SW_OK) st = sw_encoder_finish(enc, e);
    sw_encoder_free(enc);
    return st;
}

/* [#fuzz.stream-roundtrip] the items a decoder delivered, encoded through
 * the same serializer, make a stream strict mode decodes to the same items.
 * Marshal payloads in the Python 2 dialect have no FLAG_REF: sharing of
 * mutable nodes is lost, as in CPython 2 (an AutoSerializer item decoded
 * from a pickle and written back as `M`); and marshal writes a bytearray as
 * bytes. There (lossy) the re-decoded items are encoded once more and the
 * two streams compared byte for byte. */
static void stream_roundtrip(const fz_stream_cfg *cfg, const sw_serializer *s, const uint8_t *data,
                             size_t size)
{
    sw_stream_opts o;
    sw_decoder *d = NULL, *d2 = NULL;
    sw_buf out, out2, texts;
    sw_error e;
    sw_status st;
    size_t n = 0, n2 = 0;
    int printed, same, bytearrays;
    run r2;
    int lossy = cfg->marshal_py2 && (strstr(cfg->spec, "Marshal") || strstr(cfg->spec, "Auto"));
    if (strstr(cfg->spec, "Flattened") || strstr(cfg->spec, "Cartesian")) return; /* encode differs by design */
    sw_buf_init(&out, NULL);
    sw_buf_init(&out2, NULL);
    sw_buf_init(&texts, NULL);
    sw_stream_opts_default(&o);
    o.mode = cfg->mode;
    o.auto_intended = cfg->auto_intended;
    o.symbolic_ext = cfg->symbolic_ext;
    o.marshal_py2 = cfg->marshal_py2;
    o.pickle_encoding = (sw_pickle_encoding)cfg->pickle_encoding;
    o.limits = cfg->limits;
    o.keep_items = 1;
    st = reencode(s, &o, data, size, &d, &out, &texts, &printed, &bytearrays, &n, &e);
    /* marshal writes a bytearray as bytes (the buffer protocol), as
     * CPython's marshal.dumps does: an AutoSerializer item decoded from a
     * `P` pickle comes back from `M` as bytes [#ser.auto.dumps] */
    if (bytearrays && strstr(cfg->spec, "Auto")) lossy = 1;
    if (!d) goto done;
    /* a ChunkedStream is one bytes value: close() writes -1 even for no item */
    if (n == 0 && s->kind == SW_SER_CHUNKED) goto done;
    if (st != SW_OK) {
        if (!fz_refusal(st))
            failf("stream encoder failed with a status that is not a refusal", "%s: %s at item %zu (%s:%d)",
                  cfg->spec, sw_status_str(st), n, e.file ? e.file : "?", e.line);
        goto done;
    }
    if (!printed) goto done;
    {
        fz_stream_cfg c2 = *cfg;
        c2.mode = SW_MODE_STRICT;
        c2.auto_intended = 1;
        memset(&c2.limits, 0, sizeof c2.limits);
        run_stream(&c2, s, out.p, out.n, 0, NULL, 0, &r2); /* out.p is NULL for an empty stream */
    }
    same = r2.st == SW_END && r2.nitems == n && r2.text.n == texts.n &&
           (n == 0 || memcmp(r2.text.p, texts.p, texts.n) == 0);
    if (same || SW_STATUS_CATEGORY(r2.st) == SW_E_UNSUPPORTED) {
        /* the same items, or a payload codec not built in: nothing to compare */
    } else if (lossy && r2.st == SW_END && r2.nitems == n) {
        /* sharing lost by design: the same bytes again */
        sw_stream_opts so = o;
        so.mode = SW_MODE_STRICT;
        so.auto_intended = 1;
        sw_limits_default(&so.limits);
        st = reencode(s, &so, out.p, out.n, &d2, &out2, NULL, &printed, NULL, &n2, &e);
        if (st != SW_OK || n2 != n || out2.n != out.n || (out.n && memcmp(out.p, out2.p, out.n) != 0)) {
            char h1[300], h2[300];
            hex_of(&out, h1, sizeof h1);
            hex_of(&out2, h2, sizeof h2);
            failf("stream round trip (no FLAG_REF): encode(decode(encode(items))) != encode(items)",
                  "%s: %s, %zu of %zu items\n  %s\n  %s", cfg->spec, sw_status_str(st), n2, n, h1, h2);
        }
    } else {
        char da[400], hx[300];
        describe(&r2, da, sizeof da);
        hex_of(&out, hx, sizeof hx);
        failf("stream round trip: strict decode(encode(items)) != items",
              "%s (first decoded in %s mode)\n  %zu items encoded: %.*s\n  re-decoded: %s\n  %.*s\n  stream %s",
              cfg->spec, sw_mode_str(cfg->mode), n, (int)(texts.n > 300 ? 300 : texts.n),
              texts.n ? (const char *)texts.p : "", da, (int)(r2.text.n > 300 ? 300 : r2.text.n),
              r2.text.n ? (const char *)r2.text.p : "", hx);
    }
    run_free(&r2);
done:
    sw_decoder_free(d);
    sw_decoder_free(d2);
    sw_buf_free(&out);
    sw_buf_free(&out2);
    sw_buf_free(&texts);
}

sw_status fz_check_stream(const fz_stream_cfg *cfg, const uint8_t *data, size_t size)
{
    sw_serializer *s = NULL;
    sw_error e;
    run ref, other;
    sw_status st;
    if (fz_describe) {
        describe_stream(cfg, data, size);
        return SW_OK;
    }
    if (sw_ser_parse(cfg->spec, &s, NULL, &e) != SW_OK) {
        fz_fail("spec of a fuzz target does not parse", cfg->spec);
        return SW_E_ARG;
    }
    run_stream(cfg, s, data, size, 0, NULL, 1, &ref);
    /* [#fuzz.chunked] */
    run_stream(cfg, s, data, size, 1, NULL, 0, &other);
    compare_runs("memory and chunked callback decoding differ", cfg, &ref, &other, 0);
    run_free(&other);
    /* [#fuzz.chunked] half of the inputs again through the fd source (a pipe
     * holding the input: it must fit the pipe's buffer, 64 KiB on Linux) */
    if ((cfg->chunks[2] & 1) && (g_pipe_fd = pipe_holding(data, size)) >= 0) {
        run_stream(cfg, s, data, size, 2, NULL, 0, &other);
        compare_runs("memory and fd source decoding differ", cfg, &ref, &other, 0);
        run_free(&other);
    }
    /* [#fuzz.alloc] */
    if (cfg->alloc_mode) {
        fz_alloc fa;
        fz_alloc_init(&fa, cfg->alloc_mode == 1 ? cfg->alloc_arg : 0, cfg->alloc_mode == 2 ? cfg->alloc_arg : 0);
        run_stream(cfg, s, data, size, (cfg->chunks[1] & 1), &fa.al, 0, &other);
        compare_runs("failing allocator: not the same result nor a clean nomem", cfg, &ref, &other, 1);
        if (other.st == SW_E_NOMEM && fa.failed == 0)
            failf("nomem without a failed allocation", "%s", cfg->spec);
        fz_alloc_check_clean(&fa, cfg->spec);
        run_free(&other);
    }
    if (cfg->roundtrip) stream_roundtrip(cfg, s, data, size);
    st = ref.st;
    run_free(&ref);
    sw_ser_free(s, NULL);
    return st;
}

/* ---- value oracles ---- */

void fz_check_notation(const sw_value *v)
{
    sw_buf t1, t2;
    sw_error e;
    sw_arena *ar;
    sw_value *w = NULL;
    sw_status st;
    sw_buf_init(&t1, NULL);
    sw_buf_init(&t2, NULL);
    st = sw_notation_print(v, &t1, 0, &e);
    if (st != SW_OK) goto done;
    ar = sw_arena_new(NULL, NULL);
    if (!ar) goto done;
    st = sw_notation_parse(ar, (const char *)t1.p, t1.n, &w, &e);
    if (st != SW_OK) {
        if (SW_STATUS_CATEGORY(st) != SW_E_LIMIT_FRAME && st != SW_E_NOMEM)
            failf("notation: printed text does not parse", "%s at %llu (%s:%d): %.*s", sw_status_str(st),
                  (unsigned long long)e.payload_offset, e.file ? e.file : "?", e.line,
                  (int)(t1.n > 600 ? 600 : t1.n), (const char *)t1.p);
    } else {
        st = sw_notation_print(w, &t2, 0, &e);
        if (st == SW_OK && (t1.n != t2.n || memcmp(t1.p, t2.p, t1.n) != 0))
            failf("notation: print(parse(print(v))) != print(v)", "first:  %.*s\nsecond: %.*s",
                  (int)(t1.n > 500 ? 500 : t1.n), (const char *)t1.p, (int)(t2.n > 500 ? 500 : t2.n),
                  (const char *)t2.p);
        else if (st != SW_OK && SW_STATUS_CATEGORY(st) != SW_E_LIMIT_FRAME && st != SW_E_NOMEM)
            failf("notation: parsed value does not print", "%s: %.*s", sw_status_str(st),
                  (int)(t1.n > 500 ? 500 : t1.n), (const char *)t1.p);
    }
    sw_arena_free(ar);
done:
    sw_buf_free(&t1);
    sw_buf_free(&t2);
}

static void text_of(const sw_value *v, char *buf, size_t cap)
{
    sw_buf b;
    sw_error e;
    sw_buf_init(&b, NULL);
    if (sw_notation_print(v, &b, 0, &e) == SW_OK)
        snprintf(buf, cap, "%.*s", (int)(b.n > 400 ? 400 : b.n), (const char *)b.p);
    else
        snprintf(buf, cap, "<unprintable>");
    sw_buf_free(&b);
}

/* [#fuzz.roundtrip] rewrite, in place, every `float_bits(0x<16 hex>)` of the
 * notation text that holds a NaN (any payload, any sign) into `nan`: floats
 * written as repr() text come back as the canonical quiet NaN, so they are
 * compared as "a NaN" while every other float stays bit-exact. A str or bytes
 * literal holding that text is rewritten on both sides alike. */
static void nan_fold(sw_buf *b)
{
    static const char pre[] = "float_bits(0x";
    const size_t lp = sizeof pre - 1, lt = lp + 16 + 1;
    size_t r = 0, w = 0;
    while (r < b->n) {
        if (lt <= b->n - r && memcmp(b->p + r, pre, lp) == 0 && b->p[r + lt - 1] == ')') {
            uint64_t bits = 0;
            size_t i;
            for (i = 0; i < 16; i++) {
                uint8_t c = b->p[r + lp + i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0) break;
                bits = bits << 4 | (uint64_t)d;
            }
            if (i == 16 && (bits & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL &&
                (bits & 0x000fffffffffffffULL) != 0) {
                memcpy(b->p + w, "nan", 3);
                w += 3;
                r += lt;
                continue;
            }
        }
        b->p[w++] = b->p[r++];
    }
    b->n = w;
}

/* 1 if v and w print the same notation text (or either cannot be printed);
 * with nan_any, NaNs compare as NaN whatever their bits (nan_fold) */
static int same_text_nan(const sw_value *v, const sw_value *w, int nan_any)
{
    sw_buf a, b;
    sw_error e;
    int same = 1;
    sw_buf_init(&a, NULL);
    sw_buf_init(&b, NULL);
    if (sw_notation_print(v, &a, 0, &e) == SW_OK && sw_notation_print(w, &b, 0, &e) == SW_OK) {
        if (nan_any) {
            nan_fold(&a);
            nan_fold(&b);
        }
        same = a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
    }
    sw_buf_free(&a);
    sw_buf_free(&b);
    return same;
}

static void hex_of(const sw_buf *b, char *buf, size_t cap)
{
    size_t i, k = 0;
    for (i = 0; i < b->n && k + 3 < cap; i++) k += (size_t)snprintf(buf + k, cap - k, "%02x", b->p[i]);
    if (k < cap) buf[k] = 0;
}

typedef sw_status (*enc_fn)(const sw_value *v, int param, int py2, sw_buf *out, sw_error *err);
typedef sw_status (*dec_fn)(sw_arena *ar, const uint8_t *p, size_t n, int py2, int resolve,
                            sw_value **out, size_t *consumed, sw_error *err);

static sw_status enc_pickle(const sw_value *v, int param, int py2, sw_buf *out, sw_error *err)
{
    sw_pickle_enc_opts o;
    (void)py2;
    sw_pickle_enc_opts_default(&o);
    o.protocol = param;
    return sw_pickle_encode(v, &o, out, err);
}

/* for pickle the py2 slot carries the sw_pickle_encoding the value was decoded with */
static sw_status dec_pickle(sw_arena *ar, const uint8_t *p, size_t n, int py2, int resolve,
                            sw_value **out, size_t *consumed, sw_error *err)
{
    sw_pickle_opts o;
    sw_pickle_opts_default(&o);
    o.encoding = (sw_pickle_encoding)py2;
    o.resolve = resolve;
    o.symbolic_ext = 1;
    return sw_pickle_decode(ar, p, n, &o, out, consumed, err);
}

static sw_status enc_marshal(const sw_value *v, int param, int py2, sw_buf *out, sw_error *err)
{
    sw_marshal_enc_opts o;
    sw_marshal_enc_opts_default(&o);
    o.version = param;
    o.py2 = py2;
    return sw_marshal_encode(v, &o, out, err);
}

static sw_status dec_marshal(sw_arena *ar, const uint8_t *p, size_t n, int py2, int resolve,
                             sw_value **out, size_t *consumed, sw_error *err)
{
    sw_marshal_opts o;
    (void)resolve;
    sw_marshal_opts_default(&o);
    o.py2 = py2;
    return sw_marshal_decode(ar, p, n, &o, out, consumed, err);
}

static int eqzz(const char *a, size_t an, const char *z) { return strlen(z) == an && memcmp(a, z, an) == 0; }

/* Is global(mod, name) a fixed point of a protocol 0-2 round trip? The
 * pickler maps it through REVERSE_NAME_MAPPING / REVERSE_IMPORT_MAPPING, the
 * unpickler (fix_imports) through NAME_MAPPING / IMPORT_MAPPING
 * [#pickle.globals]; the tables are not inverses: `_dbm` is written as `dbm`,
 * which reads back as `dbm.ndbm`; `UserList` (read from a protocol 3+ pickle)
 * is written as it is and reads back as `collections`. CPython does the same. */
static int global_fixed(const sw_value *mod, const sw_value *name)
{
    const char *m = (const char *)mod->u.s.p, *n = (const char *)name->u.s.p;
    size_t mn = mod->u.s.n, nn = name->u.s.n, i;
    const char *m2 = m, *n2 = n, *m3, *n3;
    size_t m2n = mn, n2n = nn, m3n, n3n;
    int done = 0;
    for (i = 0; i < sizeof rev_name_map / sizeof rev_name_map[0] && !done; i++)
        if (eqzz(m, mn, rev_name_map[i][0]) && eqzz(n, nn, rev_name_map[i][1])) {
            m2 = rev_name_map[i][2];
            m2n = strlen(m2);
            n2 = rev_name_map[i][3];
            n2n = strlen(n2);
            done = 1;
        }
    for (i = 0; i < sizeof rev_import_map / sizeof rev_import_map[0] && !done; i++)
        if (eqzz(m, mn, rev_import_map[i][0])) {
            m2 = rev_import_map[i][1];
            m2n = strlen(m2);
            done = 1;
        }
    m3 = m2, m3n = m2n, n3 = n2, n3n = n2n;
    done = 0;
    for (i = 0; i < sizeof sw_compat_name / sizeof sw_compat_name[0] && !done; i++)
        if (eqzz(m2, m2n, sw_compat_name[i][0]) && eqzz(n2, n2n, sw_compat_name[i][1])) {
            m3 = sw_compat_name[i][2];
            m3n = strlen(m3);
            n3 = sw_compat_name[i][3];
            n3n = strlen(n3);
            done = 1;
        }
    for (i = 0; i < sizeof sw_compat_import / sizeof sw_compat_import[0] && !done; i++)
        if (eqzz(m2, m2n, sw_compat_import[i][0])) {
            m3 = sw_compat_import[i][1];
            m3n = strlen(m3);
            done = 1;
        }
    return m3n == mn && memcmp(m3, m, mn) == 0 && n3n == nn && memcmp(n3, n, nn) == 0;
}

/* Does v hold a global that a protocol 0-2 round trip renames (global_fixed),
 * a dotted global below protocol 4 (written as a getattr reduce),
 * or, at protocol 0, a persistent id that is not a str (PERSID writes
 * str(pid) as text, which reads back as a str, in CPython as here
 * [#pickle.encode.symbolic])? any_node's explicit stack: a cycle only costs
 * budget, and an exhausted budget answers "yes" (the comparisons are
 * skipped, never wrongly failed). */
static int changed_by_cpython(const sw_value *x, const void *ctx)
{
    int protocol = *(const int *)ctx;
    if (x->kind == SW_K_GLOBAL && x->u.c.n == 2 && x->u.c.v[0] && x->u.c.v[1] && x->u.c.v[0]->kind == SW_K_STR &&
        x->u.c.v[1]->kind == SW_K_STR) {
        if (protocol < 3 && !global_fixed(x->u.c.v[0], x->u.c.v[1])) return 1;
        /* below protocol 4 a dotted name is written as getattr(parent,
         * last) [#pickle.encode.symbolic], which reads back as that
         * symbolic reduce: CPython's load would call getattr */
        if (memchr(x->u.c.v[1]->u.s.p, '.', x->u.c.v[1]->u.s.n)) return 1;
    }
    return protocol == 0 && x->kind == SW_K_PERSID && x->u.c.n == 1 && x->u.c.v[0] &&
           x->u.c.v[0]->kind != SW_K_STR;
}

static int has_py2_global(const sw_value *v, int protocol)
{
    return any_node(v, changed_by_cpython, &protocol);
}

/* a pickle graph whose globals a round trip below protocol 4 changes, in
 * CPython too (changed_by_cpython: fix_imports below 3, dotted names as
 * getattr below 4): it may print, encode or decode differently; walked only
 * on a failure path */
static int renamed_below_p3(const char *name, const sw_value *v, int param)
{
    return strcmp(name, "pickle") == 0 && param < 4 && has_py2_global(v, param);
}

/* a float read from pickle FLOAT text: the encoder keeps the hint and writes
 * it as text at any protocol [#pickle.encode.hints] */
static int text_float_hint(const sw_value *x, const void *ctx)
{
    (void)ctx;
    return x->kind == SW_K_FLOAT && x->hint == 'F';
}

/* a set with a NaN member: the notation orders set members by their text,
 * so a NaN that comes back as text `nan` (not float_bits(...)) moves; with
 * text floats only the bytes are compared for such a graph */
static int set_with_nan(const sw_value *x, const void *ctx)
{
    size_t i;
    (void)ctx;
    if (x->kind != SW_K_SET && x->kind != SW_K_FROZENSET) return 0;
    for (i = 0; i < x->u.c.n; i++)
        if (x->u.c.v[i] && x->u.c.v[i]->kind == SW_K_FLOAT && isnan(x->u.c.v[i]->u.f)) return 1;
    return 0;
}

static void roundtrip(const char *name, const sw_value *v, int param, int py2, int exact, enc_fn enc,
                      dec_fn dec)
{
    /* [#pickle.encode] FLOAT at protocol 0 or from a FLOAT hint; [#marshal.encode] `f`/`x` below version 2 */
    const int text_floats = strcmp(name, "pickle") == 0 ? param == 0 || any_node(v, text_float_hint, NULL)
                                                        : param == 0 || param == 1;
    sw_buf e1, e2;
    sw_error err;
    sw_arena *ar = NULL;
    sw_value *w = NULL;
    size_t used = 0;
    sw_status st;
    char t1[420], t2[420], hx[300];
    sw_buf_init(&e1, NULL);
    sw_buf_init(&e2, NULL);
    st = enc(v, param, py2, &e1, &err);
    if (st != SW_OK) {
        if (!fz_refusal(st)) {
            text_of(v, t1, sizeof t1);
            failf("encoder failed with a status that is not a refusal", "%s param=%d: %s (%s:%d) value %s",
                  name, param, sw_status_str(st), err.file ? err.file : "?", err.line, t1);
        }
        goto done;
    }
    ar = sw_arena_new(NULL, NULL);
    if (!ar) goto done;
    st = dec(ar, e1.p, e1.n, py2, 1, &w, &used, &err);
    if (!exact) {
        /* v came from the notation and may be no graph Python can hold (a set
         * in a set, keys 1 and 1.0): the decoder may refuse it or merge keys.
         * What it decodes is a Python graph: that one must round-trip exactly. */
        if (st == SW_OK) roundtrip(name, w, param, py2, 1, enc, dec);
        goto done;
    }
    if (st != SW_OK) {
        /* a decoder not built in yet (unsupported) or a limit: nothing to compare */
        /* a Python 2 name read from protocol 3+ and renamed by fix_imports
         * below protocol 3 (has_py2_global) is another callable there: a
         * builtin now resolved at its REDUCE [#pickle.resolve.reduce] may
         * refuse the mutations the unknown one took, as CPython's load would */
        if (SW_STATUS_CATEGORY(st) != SW_E_LIMIT_FRAME && st != SW_E_NOMEM &&
            SW_STATUS_CATEGORY(st) != SW_E_UNSUPPORTED &&
            !renamed_below_p3(name, v, param)) {
            text_of(v, t1, sizeof t1);
            hex_of(&e1, hx, sizeof hx);
            failf("decode(encode(v)) fails", "%s param=%d: %s at +%llu (%s:%d)\n  value %s\n  bytes %s", name,
                  param, sw_status_str(st), (unsigned long long)err.payload_offset, err.file ? err.file : "?",
                  err.line, t1, hx);
        }
        goto done;
    }
    if (used != e1.n) {
        hex_of(&e1, hx, sizeof hx);
        failf("decode(encode(v)) does not consume the whole encoding", "%s param=%d: %zu of %zu bytes: %s",
              name, param, used, e1.n, hx);
    }
    /* equal as the notation shows graphs [#notation.identity]: sharing of
     * ints, floats and other immutable scalars is not kept by CPython's
     * pickler (it never memoizes them), so sw_v_graph_equal is too strict */
    /* pickle protocol 0 and marshal versions 0 and 1 write floats as repr()
     * text: a NaN's payload and sign bits are lost, as in CPython, so there a
     * NaN compares as any NaN (nan_fold); everything else stays exact */
    /* a protocol 0-2 rename of a global (has_py2_global) changes the text as the bytes */
    if (!same_text_nan(v, w, text_floats) && !renamed_below_p3(name, v, param) &&
        !(text_floats && any_node(v, set_with_nan, NULL))) {
        text_of(v, t1, sizeof t1);
        text_of(w, t2, sizeof t2);
        hex_of(&e1, hx, sizeof hx);
        failf("decode(encode(v)) != v", "%s param=%d\n  v      %s\n  result %s\n  bytes  %s", name, param, t1,
              t2, hx);
    }
    st = enc(w, param, py2, &e2, &err);
    if (st != SW_OK) {
        text_of(w, t2, sizeof t2);
        failf("encode(decode(encode(v))) fails", "%s param=%d: %s on %s", name, param, sw_status_str(st), t2);
    } else if ((e1.n != e2.n || memcmp(e1.p, e2.p, e1.n) != 0) &&
               !renamed_below_p3(name, v, param)) {
        char hx2[300];
        hex_of(&e1, hx, sizeof hx);
        hex_of(&e2, hx2, sizeof hx2);
        failf("encoding not byte-stable: encode(decode(encode(v))) != encode(v)", "%s param=%d\n  %s\n  %s",
              name, param, hx, hx2);
    }
done:
    sw_arena_free(ar);
    sw_buf_free(&e1);
    sw_buf_free(&e2);
}

void fz_check_pickle_roundtrip(const sw_value *v, int protocol, int exact, int encoding)
{
    roundtrip("pickle", v, protocol, encoding, exact, enc_pickle, dec_pickle);
}

void fz_check_marshal_roundtrip(const sw_value *v, int version, int py2, int exact)
{
    roundtrip("marshal", v, version, py2, exact, enc_marshal, dec_marshal);
}

/* [#fuzz.offset] the structure listing [#dis]: no crash, an error record
 * within the input */
void fz_check_dis(const fz_stream_cfg *cfg, const uint8_t *data, size_t size)
{
    sw_serializer *s = NULL;
    sw_source src;
    sw_stream_opts o;
    sw_buf out;
    sw_error e;
    if (fz_describe) return; /* described by fz_check_stream */
    sw_status st;
    if (sw_ser_parse(cfg->spec, &s, NULL, &e) != SW_OK) return;
    sw_stream_opts_default(&o);
    o.mode = cfg->mode;
    o.auto_intended = cfg->auto_intended;
    o.limits = cfg->limits;
    sw_buf_init(&out, NULL);
    sw_error_clear(&e);
    sw_source_mem(&src, size ? data : (const uint8_t *)"", size);
    st = sw_stream_dis(s, &src, &o, &out, &e);
    if (SW_IS_ERROR(st) && st != SW_E_NOMEM && (e.status != st || e.offset > size))
        failf("dis: bad error record", "%s: returned %s, record %s offset %llu of %zu (%s:%d)", cfg->spec,
              sw_status_str(st), sw_status_str(e.status), (unsigned long long)e.offset, size,
              e.file ? e.file : "?", e.line);
    sw_buf_free(&out);
    sw_ser_free(s, NULL);
}

/* The conformance suite [#vectors]: every vector under vectors/<group>/ with
 * a .json sidecar and a .bin stream is decoded in both modes and compared
 * with what PySpark yielded (items as notation text, then the outcome);
 * byte-exact vectors are re-encoded from their items and compared byte for
 * byte; every prefix of an accepted vector must end as SPEC.md says in
 * strict mode ([#frame.eof], [#frame.eof-partial], [#frame.short]): a cut at
 * a frame boundary ends cleanly with the items of the complete frames, a cut
 * inside a length is truncated_length and a cut inside a payload
 * truncated_frame, both at the offset of that length with payload_offset =
 * the bytes present, after the items of the complete frames ([#modes.deliver]). Vectors up to 4 KiB are cut at every
 * byte, longer ones at every frame boundary and one byte either side. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "json.h"
#include "sparkwire/stream.h"
#include "testutil.h"

typedef struct counts {
    unsigned vectors, decoded_pyspark, decoded_strict, encoded, prefixes, prefixes_pyspark, skipped;
} counts;

static counts C;  /* this group's, added to T after each group */
static counts T;  /* all groups */

#define PREFIX_EVERY_BYTE 4096 /* longer vectors: cuts at frame boundaries and +-1 */

static char *slurp(const char *path, size_t *n) { return (char *)sw_test_read_file(path, n); }

typedef struct decoded {
    sw_status st;
    sw_error err;
    size_t n;
    char **items;
} decoded;

static void decoded_free(decoded *d)
{
    size_t i;
    for (i = 0; i < d->n; i++) free(d->items[i]);
    free(d->items);
    memset(d, 0, sizeof *d);
}

static int decode(const sw_serializer *s, sw_mode mode, const uint8_t *p, size_t n, decoded *out)
{
    sw_source src;
    sw_decoder *d;
    sw_stream_opts o;
    sw_buf b;
    memset(out, 0, sizeof *out);
    sw_stream_opts_default(&o);
    o.mode = mode;
    sw_source_mem(&src, p, n);
    if (sw_decoder_new(s, &src, &o, &d) != SW_OK) return -1;
    sw_buf_init(&b, NULL);
    for (;;) {
        sw_value *v;
        sw_error_clear(&out->err);
        out->st = sw_decoder_next(d, &v, &out->err);
        if (out->st != SW_OK) break;
        b.n = 0;
        if (sw_notation_print(v, &b, 0, &out->err) != SW_OK) {
            out->st = out->err.status;
            break;
        }
        out->items = (char **)realloc(out->items, (out->n + 1) * sizeof *out->items);
        out->items[out->n] = (char *)malloc(b.n + 1);
        memcpy(out->items[out->n], b.p ? (const char *)b.p : "", b.n);
        out->items[out->n][b.n] = 0;
        out->n++;
    }
    sw_buf_free(&b);
    sw_decoder_free(d);
    return 0;
}

static void report(const char *id, const char *what, const char *detail)
{
    fprintf(stderr, "\n  vector %s: %s%s%s", id, what, detail ? ": " : "", detail ? detail : "");
}

/* A Python exception sparkwire has no code for is SW_PYEXC_OTHER with "Name: "
 * before the message ([#errors.pyexc], [#marshal.errors]: SystemError). */
static int pyexc_matches(const char *exc, const sw_error *e)
{
    size_t n = strlen(exc);
    if (strcmp(exc, sw_pyexc_str(e->pyexc)) == 0) return 1;
    return e->pyexc == SW_PYEXC_OTHER && e->msg && strncmp(e->msg, exc, n) == 0 && e->msg[n] == ':' &&
           e->msg[n + 1] == ' ';
}

/* compare our decode with an expectation object {items?, outcome, exception?, status?, offset?,
 * payload_offset?, layer?} [#errors.record] */
static int check(const jdoc *j, const jnode *items, const jnode *exp, const decoded *got, const char *id,
                 const char *mode)
{
    size_t i, n = items ? items->count : 0;
    const char *outcome = json_str(json_get(j, exp, "outcome"));
    const char *exc = json_str(json_get(j, exp, "exception"));
    const char *status = json_str(json_get(j, exp, "status"));
    const jnode *off = json_get(j, exp, "offset");
    const jnode *poff = json_get(j, exp, "payload_offset");
    const char *layer = json_str(json_get(j, exp, "layer"));
    const jnode *own_items = json_get(j, exp, "items");
    int ok = 1;
    char msg[512];
    if (own_items) {
        items = own_items;
        n = items->count;
    }
    if (items && got->n != n) {
        snprintf(msg, sizeof msg, "%s: %zu items, expected %zu", mode, got->n, n);
        report(id, "item count", msg);
        ok = 0;
    }
    for (i = 0; items && i < n && i < got->n; i++) {
        const char *want = json_str(json_at(j, items, i));
        if (!want || strcmp(want, got->items[i]) != 0) {
            snprintf(msg, sizeof msg, "%s item %zu: got %.200s, expected %.200s", mode, i, got->items[i],
                     want ? want : "?");
            report(id, "item", msg);
            ok = 0;
            break;
        }
    }
    if (outcome) {
        int want_err = strcmp(outcome, "ok") != 0;
        int got_err = got->st != SW_END;
        if (want_err != got_err) {
            snprintf(msg, sizeof msg, "%s: outcome %s, expected %s (%s)", mode, sw_status_str(got->st), outcome,
                     got->err.msg ? got->err.msg : "");
            report(id, "outcome", msg);
            ok = 0;
        } else if (got_err && exc && *exc && !pyexc_matches(exc, &got->err)) {
            snprintf(msg, sizeof msg, "%s: exception %s, expected %s", mode, sw_pyexc_str(got->err.pyexc), exc);
            report(id, "exception", msg);
            ok = 0;
        }
        if (got_err && status && strcmp(status, sw_status_str(got->st)) != 0 &&
            strcmp(status, sw_category_str(got->st)) != 0) {
            snprintf(msg, sizeof msg, "%s: status %s, expected %s", mode, sw_status_str(got->st), status);
            report(id, "status", msg);
            ok = 0;
        }
        if (got_err && layer && strcmp(layer, sw_layer_str(got->err.layer)) != 0) {
            snprintf(msg, sizeof msg, "%s: layer %s, expected %s", mode, sw_layer_str(got->err.layer), layer);
            report(id, "layer", msg);
            ok = 0;
        }
        if (got_err && poff && poff->kind == J_NUM && (uint64_t)poff->num != got->err.payload_offset) {
            snprintf(msg, sizeof msg, "%s: payload_offset %llu, expected %.0f", mode,
                     (unsigned long long)got->err.payload_offset, poff->num);
            report(id, "payload_offset", msg);
            ok = 0;
        }
        if (got_err && off && off->kind == J_NUM && (uint64_t)off->num != got->err.offset) {
            snprintf(msg, sizeof msg, "%s: offset %llu, expected %.0f", mode, (unsigned long long)got->err.offset,
                     off->num);
            report(id, "offset", msg);
            ok = 0;
        }
    }
    return ok;
}

static int encode_items(const sw_serializer *s, const jdoc *j, const jnode *items, sw_buf *out)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_sink k;
    sw_encoder *e;
    sw_error err;
    size_t i;
    int rc = 0;
    sw_sink_buf(&k, out);
    if (!ar || sw_encoder_new(s, &k, NULL, &e) != SW_OK) {
        sw_arena_free(ar);
        return -1;
    }
    for (i = 0; i < items->count && rc == 0; i++) {
        const jnode *t = json_at(j, items, i);
        sw_value *v;
        if (!t || t->kind != J_STR || sw_notation_parse(ar, t->s, t->len, &v, &err) != SW_OK ||
            sw_encoder_put(e, v, &err) != SW_OK)
            rc = -1;
    }
    if (rc == 0 && sw_encoder_finish(e, &err) != SW_OK) rc = -1;
    sw_encoder_free(e);
    sw_arena_free(ar);
    return rc;
}

/* How the items of a stream relate to its frames. */
typedef enum { PK_ONE_PER_FRAME, PK_BATCHED, PK_PAIRED, PK_CHUNKED } prefix_kind;

static prefix_kind kind_of(const char *spec)
{
    if (strncmp(spec, "ChunkedStream", 13) == 0) return PK_CHUNKED;
    if (strncmp(spec, "PairDeserializer", 16) == 0 || strncmp(spec, "CartesianDeserializer", 21) == 0)
        return PK_PAIRED;
    if (strncmp(spec, "BatchedSerializer", 17) == 0 || strncmp(spec, "AutoBatchedSerializer", 21) == 0)
        return PK_BATCHED;
    return PK_ONE_PER_FRAME; /* NoOp, Pickle, Marshal, Auto, Compressed, UTF8, FlattenedValues */
}

/* Frame boundaries of a well-formed stream: bnd[k] = offset after k frames
 * (bnd[0] = 0); a special length (-5, -1) is a frame of its own. Returns the
 * count of boundaries, or 0 if the stream does not parse as frames. */
static size_t boundaries(const uint8_t *p, size_t n, size_t **out)
{
    size_t pos = 0, nb = 1, cap = 16;
    size_t *b = (size_t *)malloc(cap * sizeof *b);
    if (!b) return 0;
    b[0] = 0;
    while (pos < n) {
        int32_t len;
        if (n - pos < 4) {
            free(b);
            return 0;
        }
        len = (int32_t)((uint32_t)p[pos] << 24 | (uint32_t)p[pos + 1] << 16 | (uint32_t)p[pos + 2] << 8 | p[pos + 3]);
        pos += 4;
        if (len > 0) {
            if ((size_t)len > n - pos) {
                free(b);
                return 0;
            }
            pos += (size_t)len;
        } else if (len != 0 && len != -5 && len != -1) {
            free(b);
            return 0;
        }
        if (nb == cap) {
            size_t *nb2 = (size_t *)realloc(b, (cap *= 2) * sizeof *b);
            if (!nb2) {
                free(b);
                return 0;
            }
            b = nb2;
        }
        b[nb++] = pos;
        if (len == -1) break;
    }
    *out = b;
    return nb;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* One cut of an accepted stream in strict mode. `k` = complete frames in the
 * prefix, `at` = the offset where they end (the last boundary <= cut). */
static int check_cut(const sw_serializer *s, prefix_kind pk, const char *id, const uint8_t *bin, size_t cut,
                     size_t k, size_t at, const decoded *whole, size_t *items_at)
{
    decoded part;
    char msg[400];
    int ok = 1;
    size_t i;
    if (decode(s, SW_MODE_STRICT, bin, cut, &part) != 0) return 1;
    C.prefixes++;
    if (part.n > whole->n) ok = 0;
    for (i = 0; ok && i < part.n; i++)
        if (strcmp(part.items[i], whole->items[i]) != 0) ok = 0;
    if (!ok) {
        snprintf(msg, sizeof msg, "cut %zu: %zu items, not a prefix of the whole's %zu", cut, part.n, whole->n);
        report(id, "prefix", msg);
    } else if (pk == PK_CHUNKED) {
        /* [#chunked]: the end of input before -1 is truncated, no item; an empty input is
         * a clean end with no item (stream.c's chunked_next; SPEC does not say so yet) */
        if (cut == 0 ? part.st != SW_END || part.n != 0
                     : !SW_IS_ERROR(part.st) || part.st / 100 != 1 || part.n != 0 || part.err.offset > cut) {
            snprintf(msg, sizeof msg, "cut %zu: %s, %zu items (expected truncated, none)", cut, sw_status_str(part.st),
                     part.n);
            report(id, "prefix", msg);
            ok = 0;
        }
    } else if (cut == at) {
        /* at a frame boundary: a clean end [#frame.eof] with the items of the complete
         * frames; a paired stream cut after a key batch is batch_mismatch [#ser.pair] */
        int odd = pk == PK_PAIRED && (k % 2) == 1;
        const char *want = odd ? "batch_mismatch" : "end";
        int good = odd ? part.st == SW_E_BATCH_MISMATCH : part.st == SW_END;
        if (good && pk == PK_ONE_PER_FRAME && part.n != k) good = 0;
        if (good && !odd && pk != PK_ONE_PER_FRAME && part.n < *items_at) good = 0; /* never fewer than before */
        if (!good) {
            snprintf(msg, sizeof msg, "cut %zu (after %zu frames): %s with %zu items, expected %s%s", cut, k,
                     sw_status_str(part.st), part.n, want, pk == PK_ONE_PER_FRAME ? " with one item per frame" : "");
            report(id, "prefix at a frame boundary", msg);
            ok = 0;
        }
        if (!odd) *items_at = part.n;
    } else {
        /* inside a length [#frame.eof-partial] or a payload [#frame.short]: the error at
         * the length's offset, after exactly the items of the complete frames */
        sw_status want = cut - at < 4 ? SW_E_TRUNCATED_LENGTH : SW_E_TRUNCATED_FRAME;
        size_t want_n = pk == PK_ONE_PER_FRAME ? k : *items_at;
        if (pk == PK_PAIRED && (k % 2) == 1) want_n = part.n; /* the key batch waits for its values */
        /* payload_offset = the bytes present: of the integer [#wire.int32], of the payload [#frame.short] */
        size_t want_po = cut - at < 4 ? cut - at : cut - at - 4;
        if (part.st != want || part.err.offset != at || part.err.payload_offset != want_po || part.n != want_n) {
            snprintf(msg, sizeof msg, "cut %zu (%zu bytes after the boundary at %zu): %s at %llu (+%llu) with %zu items, "
                     "expected %s at %zu (+%zu) with %zu", cut, cut - at, at, sw_status_str(part.st),
                     (unsigned long long)part.err.offset, (unsigned long long)part.err.payload_offset, part.n,
                     sw_status_str(want), at, want_po, want_n);
            report(id, "prefix inside a frame", msg);
            ok = 0;
        }
    }
    decoded_free(&part);
    return ok;
}

/* The same cut in pyspark mode, for FramedSerializer streams (UTF8Deserializer and
 * ChunkedStream have their own loops): a clean end at a frame boundary [#frame.eof]
 * (a paired stream drops a lone key batch [#ser.pair]), struct.error inside a length
 * [#frame.eof-partial], and a silent end inside a payload, the partial frame
 * dropped [#frame.short]; always after the items of the complete frames. */
static int check_cut_pyspark(const sw_serializer *s, prefix_kind pk, const char *id, const uint8_t *bin, size_t cut,
                             size_t k, size_t at, size_t items_at)
{
    decoded part;
    char msg[400];
    int ok;
    size_t want_n = pk == PK_ONE_PER_FRAME ? k : items_at;
    sw_status want = cut > at && cut - at < 4 ? SW_E_TRUNCATED_LENGTH : SW_END;
    if (decode(s, SW_MODE_PYSPARK, bin, cut, &part) != 0) return 1;
    C.prefixes_pyspark++;
    ok = part.st == want && part.n == want_n &&
         (want == SW_END || (part.err.offset == at && part.err.pyexc == SW_PYEXC_STRUCTERROR));
    if (!ok) {
        snprintf(msg, sizeof msg, "pyspark cut %zu (boundary at %zu): %s at %llu with %zu items, expected %s with %zu",
                 cut, at, sw_status_str(part.st), (unsigned long long)part.err.offset, part.n, sw_status_str(want),
                 want_n);
        report(id, "pyspark prefix", msg);
    }
    decoded_free(&part);
    return ok;
}

/* Every prefix of an accepted vector (every byte up to 4 KiB, else the frame
 * boundaries and one byte either side), in strict mode; FramedSerializer
 * streams also in pyspark mode, at the cuts near each boundary. */
static void check_prefixes(const sw_serializer *s, const char *spec, const char *id, const uint8_t *bin, size_t bn)
{
    decoded whole;
    size_t *bnd = NULL, nb, *cuts = NULL, nc = 0, i, k = 0, items_at = 0;
    unsigned fails = 0;
    prefix_kind pk = kind_of(spec);
    int framed = pk != PK_CHUNKED && strncmp(spec, "UTF8Deserializer", 16) != 0;
    if (decode(s, SW_MODE_STRICT, bin, bn, &whole) != 0) return;
    nb = boundaries(bin, bn, &bnd);
    if (nb == 0) {
        report(id, "prefix", "an accepted vector that is not a sequence of frames");
        CU_FAIL("accepted vector framing");
        decoded_free(&whole);
        return;
    }
    if (bn <= PREFIX_EVERY_BYTE) {
        cuts = (size_t *)malloc((bn + 1) * sizeof *cuts);
        for (i = 0; cuts && i < bn; i++) cuts[nc++] = i;
    } else {
        cuts = (size_t *)malloc(3 * nb * sizeof *cuts);
        for (i = 0; cuts && i < nb; i++) {
            if (bnd[i] > 0) cuts[nc++] = bnd[i] - 1;
            if (bnd[i] < bn) cuts[nc++] = bnd[i];
            if (bnd[i] + 1 < bn) cuts[nc++] = bnd[i] + 1;
        }
        if (cuts) qsort(cuts, nc, sizeof *cuts, cmp_size);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(cuts);
    for (i = 0; i < nc; i++) {
        if (i > 0 && cuts[i] == cuts[i - 1]) continue;
        while (k + 1 < nb && bnd[k + 1] <= cuts[i]) k++;
        if (!check_cut(s, pk, id, bin, cuts[i], k, bnd[k], &whole, &items_at)) {
            CU_FAIL("prefix of an accepted vector");
            if (++fails >= 3) break; /* enough detail for one vector */
        }
        /* pyspark mode near the boundaries only (runtime): the boundary, inside the length,
         * the first two payload bytes, the last payload byte */
        if (framed && (cuts[i] - bnd[k] <= 5 || (k + 1 < nb && bnd[k + 1] - cuts[i] == 1)) &&
            !check_cut_pyspark(s, pk, id, bin, cuts[i], k, bnd[k], items_at)) {
            CU_FAIL("prefix of an accepted vector (pyspark mode)");
            if (++fails >= 3) break;
        }
    }
    free(cuts);
    free(bnd);
    decoded_free(&whole);
}

static void one_vector(const char *dir, const char *base)
{
    char path[1024];
    size_t jn, bn, err_at = 0;
    char *jt;
    uint8_t *bin;
    jdoc j;
    const jnode *root, *items, *py, *strict;
    const char *id, *spec, *verdict;
    sw_serializer *s = NULL;
    sw_error e;
    decoded got;
    snprintf(path, sizeof path, "%s/%s.json", dir, base);
    jt = slurp(path, &jn);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jt);
    if (json_parse(&j, jt, jn, &err_at) != 0) {
        report(path, "sidecar is not JSON", NULL);
        CU_FAIL("sidecar JSON");
        free(jt);
        return;
    }
    root = &j.n[1];
    snprintf(path, sizeof path, "%s/%s.bin", dir, base);
    bin = sw_test_read_file(path, &bn);
    id = json_str(json_get(&j, root, "id"));
    spec = json_str(json_get(&j, root, "serializer"));
    verdict = json_str(json_get(&j, root, "verdict"));
    items = json_get(&j, root, "items");
    py = json_get(&j, root, "pyspark");
    strict = json_get(&j, root, "strict");
    if (!bin || !spec || !id) {
        C.skipped++;
        goto out;
    }
    C.vectors++;
    if (sw_ser_parse(spec, &s, NULL, &e) != SW_OK) {
        report(id, "serializer not understood", spec);
        CU_FAIL("serializer spec");
        goto out;
    }
    /* pyspark mode reproduces PySpark's observed result */
    if (py && decode(s, SW_MODE_PYSPARK, bin, bn, &got) == 0) {
        CU_ASSERT(check(&j, items, py, &got, id, "pyspark"));
        C.decoded_pyspark++;
        decoded_free(&got);
    }
    if (strict && decode(s, SW_MODE_STRICT, bin, bn, &got) == 0) {
        CU_ASSERT(check(&j, items, strict, &got, id, "strict"));
        C.decoded_strict++;
        decoded_free(&got);
    }
    /* byte-exact: the items re-encode to the very bytes */
    if (json_get(&j, root, "byte_exact") && json_get(&j, root, "byte_exact")->kind == J_TRUE && items) {
        sw_buf out;
        sw_buf_init(&out, NULL);
        if (encode_items(s, &j, items, &out) != 0) {
            report(id, "encode failed", NULL);
            CU_FAIL("encode");
        } else if (out.n != bn || (bn && memcmp(out.p, bin, bn) != 0)) {
            report(id, "encode differs", NULL);
            CU_FAIL("byte-exact encode");
        }
        C.encoded++;
        sw_buf_free(&out);
    }
    /* every prefix of an accepted vector ends as SPEC.md says */
    if (verdict && strcmp(verdict, "accept") == 0) check_prefixes(s, spec, id, bin, bn);
out:
    sw_ser_free(s, NULL);
    free(bin);
    free(jt);
    json_free(&j);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_vectors(void)
{
    DIR *top = opendir("vectors");
    struct dirent *g;
    char **groups = NULL;
    size_t ng = 0, gi;
    memset(&T, 0, sizeof T);
    if (!top) {
        CU_FAIL("no vectors/ folder");
        return;
    }
    while ((g = readdir(top)) != NULL) {
        char p[512];
        if (g->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "vectors/%s", g->d_name);
        if (!is_dir(p)) continue;
        groups = (char **)realloc(groups, (ng + 1) * sizeof *groups);
        groups[ng++] = strdup(p);
    }
    closedir(top);
    if (ng) qsort(groups, ng, sizeof *groups, cmpstr);
    for (gi = 0; gi < ng; gi++) {
        DIR *d = opendir(groups[gi]);
        struct dirent *f;
        char **names = NULL;
        size_t nn = 0, i;
        while (d && (f = readdir(d)) != NULL) {
            size_t l = strlen(f->d_name);
            if (l > 5 && strcmp(f->d_name + l - 5, ".json") == 0 && strcmp(f->d_name, "manifest.json") != 0) {
                names = (char **)realloc(names, (nn + 1) * sizeof *names);
                names[nn] = strdup(f->d_name);
                names[nn][l - 5] = 0;
                nn++;
            }
        }
        if (d) closedir(d);
        if (nn) qsort(names, nn, sizeof *names, cmpstr);
        memset(&C, 0, sizeof C);
        for (i = 0; i < nn; i++) {
            one_vector(groups[gi], names[i]);
            free(names[i]);
        }
        free(names);
        /* how many vectors were checked in each group (#5) */
        if (C.vectors)
            printf("\n  %-22s %4u vectors: %4u pyspark, %4u strict, %3u byte-exact, %6u prefixes strict, %6u pyspark",
                   groups[gi] + 8, C.vectors, C.decoded_pyspark, C.decoded_strict, C.encoded, C.prefixes,
                   C.prefixes_pyspark);
        T.vectors += C.vectors;
        T.decoded_pyspark += C.decoded_pyspark;
        T.decoded_strict += C.decoded_strict;
        T.encoded += C.encoded;
        T.prefixes += C.prefixes;
        T.prefixes_pyspark += C.prefixes_pyspark;
        T.skipped += C.skipped;
        free(groups[gi]);
    }
    free(groups);
    printf("\n  conformance: %u vectors, %u decoded (pyspark), %u decoded (strict), %u re-encoded byte-exact, "
           "%u prefixes (strict) + %u (pyspark), %u sidecars skipped\n",
           T.vectors, T.decoded_pyspark, T.decoded_strict, T.encoded, T.prefixes, T.prefixes_pyspark, T.skipped);
}

static void test_json_reader(void)
{
    static const char *good = "{\"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\", true, false, null, {}], \"b\": []}";
    static const char *bad[] = {"", "{", "[1,]", "{\"a\" 1}", "[1 2]", "\"\\x\"", "{\"a\":1,}", "[01x]"};
    jdoc j;
    size_t at, i;
    const jnode *a;
    CU_ASSERT_EQUAL_FATAL(json_parse(&j, good, strlen(good), &at), 0);
    a = json_get(&j, &j.n[1], "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_EQUAL(a->count, 7u);
    CU_ASSERT_EQUAL(json_at(&j, a, 1)->num, -2500.0);
    CU_ASSERT_STRING_EQUAL(json_str(json_at(&j, a, 2)), "x\xc3\xa9\xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(json_at(&j, a, 3)->kind, J_TRUE);
    CU_ASSERT_EQUAL(json_at(&j, a, 6)->kind, J_OBJ);
    CU_ASSERT_EQUAL(json_get(&j, &j.n[1], "b")->count, 0u);
    CU_ASSERT_PTR_NULL(json_get(&j, &j.n[1], "c"));
    json_free(&j);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CU_ASSERT_EQUAL(json_parse(&j, bad[i], strlen(bad[i]), &at), -1);
    {
        /* deep nesting is refused, not recursed */
        char deep[2000];
        memset(deep, '[', sizeof deep);
        CU_ASSERT_EQUAL(json_parse(&j, deep, sizeof deep, &at), -1);
    }
}

static CU_TestInfo tests[] = {
    {"json reader", test_json_reader},
    {"vectors", test_vectors},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_vectors(void) { return sw_test_add_suite("conformance", tests); }

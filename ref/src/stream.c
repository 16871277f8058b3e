/* Stream decoding through a serializer stack [#frame] [#ser]. The decoder is
 * a tree of iterators mirroring PySpark's generators: load_stream,
 * _load_stream_without_unbatching and _read_with_length. */
#include <stddef.h>
#include <stdlib.h>
#include <zlib.h>

#include "internal/common.h"
#include "sparkwire/stream.h"

void sw_stream_opts_default(sw_stream_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = SW_MODE_PYSPARK;
    sw_limits_default(&o->limits);
    o->pickle_encoding = SW_PICKLE_ENC_BYTES;
    o->pickle_resolve = 1;
}

typedef struct it it;
struct it {
    const sw_serializer *s;
    it *a, *b;
    int done;          /* the generator is exhausted (StopIteration) */
    /* flattening state: a batch being iterated (chain.from_iterable) */
    sw_value *batch;
    size_t bi, blen;
    /* pair/cartesian: current result batch */
    sw_value *pk, *pv;
    size_t pi, pn;
};

struct sw_decoder {
    const sw_serializer *s;
    sw_source *src;
    sw_stream_opts o;
    sw_arena *ar;
    it *root;
    it pool[SW_SER_MAX_NODES];
    size_t npool;
    uint64_t count;
    sw_status final;     /* sticky SW_END or error */
    sw_error final_err;
    size_t open_batches; /* iterators holding a batch with items still to
                          * deliver: the arena is not reset while > 0 */
};

static it *mk_it(sw_decoder *d, const sw_serializer *s)
{
    it *x;
    if (!s || d->npool >= sizeof d->pool / sizeof d->pool[0]) return NULL;
    x = &d->pool[d->npool++];
    memset(x, 0, sizeof *x);
    x->s = s;
    if (s->kind == SW_SER_BATCHED || s->kind == SW_SER_AUTOBATCHED || s->kind == SW_SER_FLATTENED) {
        x->a = mk_it(d, s->a);
        if (!x->a) return NULL;
    } else if (s->kind == SW_SER_PAIR || s->kind == SW_SER_CARTESIAN) {
        x->a = mk_it(d, s->a);
        x->b = mk_it(d, s->b);
        if (!x->a || !x->b) return NULL;
    }
    return x;
}

sw_status sw_decoder_new(const sw_serializer *s, sw_source *src, const sw_stream_opts *o,
                         sw_decoder **out)
{
    sw_decoder *d;
    sw_stream_opts def;
    if (!s || !src || !out) return SW_E_ARG;
    if (!o) {
        sw_stream_opts_default(&def);
        o = &def;
    }
    d = (sw_decoder *)sw__malloc(o->alloc, sizeof *d);
    if (!d) return SW_E_NOMEM;
    memset(d, 0, sizeof *d);
    d->s = s;
    d->src = src;
    d->o = *o;
    sw_limits_fill(&d->o.limits);
    d->ar = sw_arena_new(o->alloc, &d->o.limits);
    d->root = mk_it(d, s);
    if (!d->ar || !d->root) {
        sw_status st = d->ar ? SW_E_ARG : SW_E_NOMEM;
        sw_arena_free(d->ar);
        sw__free(o->alloc, d, sizeof *d);
        return st;
    }
    *out = d;
    return SW_OK;
}

void sw_decoder_free(sw_decoder *d)
{
    if (!d) return;
    sw_arena_free(d->ar);
    sw__free(d->o.alloc, d, sizeof *d);
}

sw_arena *sw_decoder_arena(sw_decoder *d) { return d->ar; }
uint64_t sw_decoder_count(const sw_decoder *d) { return d->count; }

static int strict(const sw_decoder *d) { return d->o.mode == SW_MODE_STRICT; }

/* ---- payload decoding: a FramedSerializer's loads() [#ser.loads] ---- */

static sw_status arena_err(sw_decoder *d, sw_error *err, sw_layer layer, uint64_t off)
{
    sw_status st = sw_arena_status(d->ar);
    if (st == SW_OK) st = SW_E_NOMEM;
    return SW_FAIL(err, st, layer, st == SW_E_NOMEM ? SW_PYEXC_MEMORYERROR : SW_PYEXC_NONE, off, 0,
                   "arena allocation failed");
}

/* zlib's allocations go through the caller's allocator [#limits.inflate]:
 * sw_alloc's free needs the size, so each block carries it in a header
 * (max_align_t-sized, so the block zlib gets stays aligned). */
typedef union zhdr {
    size_t n;
    max_align_t align;
} zhdr;

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    size_t n;
    zhdr *h;
    if (!sw_mul_ok(items, size, &n) || n > SIZE_MAX - sizeof(zhdr)) return Z_NULL;
    h = (zhdr *)sw__malloc((const sw_alloc *)opaque, n + sizeof(zhdr));
    if (!h) return Z_NULL;
    h->n = n + sizeof(zhdr);
    return (voidpf)(h + 1);
}

static void z_free(voidpf opaque, voidpf p)
{
    zhdr *h;
    if (!p) return;
    h = (zhdr *)p - 1;
    sw__free((const sw_alloc *)opaque, h, h->n);
}

/* zlib.decompress(obj) bounded by max_inflated_bytes [#ser.compressed] [#limits.inflate] */
static sw_status inflate_payload(sw_decoder *d, const uint8_t *p, size_t n, uint64_t base,
                                 uint8_t **outp, size_t *outn, size_t *used, sw_error *err)
{
    z_stream zs;
    sw_buf b;
    int zr;
    sw_status st;
    uint64_t max = d->o.limits.max_inflated_bytes;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    zs.opaque = (voidpf)(uintptr_t)(d->o.alloc ? d->o.alloc : sw_alloc_libc());
    sw_buf_init(&b, d->o.alloc);
    if (inflateInit(&zs) != Z_OK)
        return SW_FAIL(err, SW_E_NOMEM, SW_LAYER_ZLIB, SW_PYEXC_MEMORYERROR, base, 0, "inflateInit failed");
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    for (;;) {
        size_t room;
        if ((st = sw_buf_reserve(&b, 16384)) != SW_OK) {
            inflateEnd(&zs);
            sw_buf_free(&b);
            return SW_FAIL(err, st, SW_LAYER_ZLIB, SW_PYEXC_MEMORYERROR, base, zs.total_in, "out of memory");
        }
        room = b.cap - b.n;
        if ((uint64_t)b.n + room > max + 1) room = (size_t)(max + 1 - b.n);
        zs.next_out = b.p + b.n;
        zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        zr = inflate(&zs, Z_NO_FLUSH);
        b.n = (size_t)(zs.next_out - b.p);
        if (zr == Z_MEM_ERROR) {
            /* the caller's allocator refused zlib's window or state. Checked
             * before the limit: inflate() has already moved next_out but
             * returns before it updates total_in, so a limit error here
             * would name an offset that depends on the allocator */
            uint64_t at = (uint64_t)(zs.next_in - (const Bytef *)p);
            inflateEnd(&zs);
            sw_buf_free(&b);
            return SW_FAIL(err, SW_E_NOMEM, SW_LAYER_ZLIB, SW_PYEXC_MEMORYERROR, base, at, "out of memory");
        }
        if ((uint64_t)b.n > max) {
            inflateEnd(&zs);
            sw_buf_free(&b);
            return SW_FAIL(err, SW_E_LIMIT_INFLATE, SW_LAYER_ZLIB, SW_PYEXC_NONE, base, zs.total_in,
                           "inflated payload over max_inflated_bytes");
        }
        if (zr == Z_STREAM_END) break;
        if (zr == Z_OK && zs.avail_out == 0) continue;
        if (zr == Z_OK) continue;
        {
            /* Z_BUF_ERROR with input exhausted: truncated; others: corrupt */
            int trunc = zr == Z_BUF_ERROR || (zr == Z_OK && zs.avail_in == 0);
            uint64_t at = zs.total_in;
            inflateEnd(&zs);
            sw_buf_free(&b);
            if (trunc)
                return SW_FAIL(err, SW_E_TRUNCATED_PAYLOAD, SW_LAYER_ZLIB, SW_PYEXC_ZLIBERROR, base, at,
                               "Error -5 while decompressing data: incomplete or truncated stream");
            return SW_FAIL(err, SW_E_ZLIB, SW_LAYER_ZLIB, SW_PYEXC_ZLIBERROR, base, at,
                           zs.msg ? "Error -3 while decompressing data" : "zlib error");
        }
    }
    *used = zs.total_in;
    inflateEnd(&zs);
    /* move into the arena so the payload's lifetime matches the items' */
    *outp = (uint8_t *)sw_arena_mem(d->ar, b.n ? b.n : 1);
    if (!*outp) {
        sw_buf_free(&b);
        return arena_err(d, err, SW_LAYER_ZLIB, base);
    }
    if (b.n) memcpy(*outp, b.p, b.n);
    *outn = b.n;
    sw_buf_free(&b);
    return SW_OK;
}

static sw_status loads(sw_decoder *d, const sw_serializer *s, const uint8_t *p, size_t n,
                       uint64_t base, int borrow, sw_value **out, sw_error *err);

static sw_status trailing(sw_decoder *d, sw_layer layer, size_t used, size_t n, uint64_t base,
                          sw_error *err)
{
    /* [#ser.trailing] pickle.loads/marshal.loads/zlib.decompress ignore
     * bytes after the end; strict mode rejects them */
    if (used < n && strict(d))
        return SW_FAIL(err, SW_E_TRAILING, layer, SW_PYEXC_NONE, base + used, used,
                       "bytes after the end of the payload");
    return SW_OK;
}

static sw_status loads_pickle(sw_decoder *d, const uint8_t *p, size_t n, uint64_t base,
                              sw_value **out, sw_error *err)
{
    sw_pickle_opts po;
    size_t used = 0;
    sw_status st;
    sw_pickle_opts_default(&po);
    po.mode = d->o.mode;
    po.encoding = d->o.pickle_encoding;
    po.resolve = d->o.pickle_resolve;
    po.symbolic_ext = d->o.symbolic_ext;
    st = sw_pickle_decode(d->ar, p, n, &po, out, &used, err);
    if (st != SW_OK) {
        if (err) err->offset = base + err->payload_offset;
        return st;
    }
    return trailing(d, SW_LAYER_PICKLE, used, n, base, err);
}

static sw_status loads_marshal(sw_decoder *d, const uint8_t *p, size_t n, uint64_t base,
                               sw_value **out, sw_error *err)
{
    sw_marshal_opts mo;
    size_t used = 0;
    sw_status st;
    sw_marshal_opts_default(&mo);
    mo.mode = d->o.mode;
    mo.py2 = d->o.marshal_py2;
    st = sw_marshal_decode(d->ar, p, n, &mo, out, &used, err);
    if (st != SW_OK) {
        if (err) err->offset = base + err->payload_offset;
        return st;
    }
    return trailing(d, SW_LAYER_MARSHAL, used, n, base, err);
}

/* PySpark's "invalid serialization type: %s" % obj[0]: on Python 3 obj[0]
 * is the tag byte as an int, so the message names its number
 * [#ser.auto.observed]; static texts, one per byte value. */
#define AT_(x) "invalid serialization type: " x
#define AT10_(p) AT_(p "0"), AT_(p "1"), AT_(p "2"), AT_(p "3"), AT_(p "4"), \
                 AT_(p "5"), AT_(p "6"), AT_(p "7"), AT_(p "8"), AT_(p "9")
static const char *const auto_tag_msg[256] = {
    AT10_(""), AT10_("1"), AT10_("2"), AT10_("3"), AT10_("4"), AT10_("5"), AT10_("6"), AT10_("7"),
    AT10_("8"), AT10_("9"), AT10_("10"), AT10_("11"), AT10_("12"), AT10_("13"), AT10_("14"), AT10_("15"),
    AT10_("16"), AT10_("17"), AT10_("18"), AT10_("19"), AT10_("20"), AT10_("21"), AT10_("22"), AT10_("23"),
    AT10_("24"), AT_("250"), AT_("251"), AT_("252"), AT_("253"), AT_("254"), AT_("255")};
#undef AT10_
#undef AT_

static sw_status loads(sw_decoder *d, const sw_serializer *s, const uint8_t *p, size_t n,
                       uint64_t base, int borrow, sw_value **out, sw_error *err)
{
    *out = NULL;
    switch (s->kind) {
    case SW_SER_NOOP:
        /* [#ser.noop] the payload itself */
        *out = borrow ? sw_v_strlike_borrow(d->ar, SW_K_BYTES, p, n) : sw_v_strlike(d->ar, SW_K_BYTES, p, n);
        return *out ? SW_OK : arena_err(d, err, SW_LAYER_FRAME, base);
    case SW_SER_PICKLE: case SW_SER_CLOUDPICKLE:
        return loads_pickle(d, p, n, base, out, err);
    case SW_SER_MARSHAL:
        return loads_marshal(d, p, n, base, out, err);
    case SW_SER_AUTO:
        if (n == 0)
            /* obj[0] of b'' [#ser.auto.observed]; strict: a payload without
             * its tag is truncated [#ser.auto.empty] */
            return SW_FAIL(err, strict(d) ? SW_E_TRUNCATED_PAYLOAD : SW_E_BAD_TAG, SW_LAYER_AUTO,
                           SW_PYEXC_INDEXERROR, base, 0, "index out of range");
        if (!strict(d) && !d->o.auto_intended)
            /* [#ser.auto.observed] On Python 3 obj[0] is an int and never
             * equals b'M' or b'P': PySpark raises ValueError for every frame. */
            return SW_FAIL(err, SW_E_BAD_TAG, SW_LAYER_AUTO, SW_PYEXC_VALUEERROR, base, 0, auto_tag_msg[p[0]]);
        /* [#ser.auto.intended] */
        if (p[0] == 'M' || p[0] == 'P') {
            sw_status st = p[0] == 'M' ? loads_marshal(d, p + 1, n - 1, base + 1, out, err)
                                       : loads_pickle(d, p + 1, n - 1, base + 1, out, err);
            if (st != SW_OK && err) err->payload_offset += 1; /* offsets count the tag */
            return st;
        }
        return SW_FAIL(err, SW_E_BAD_TAG, SW_LAYER_AUTO, SW_PYEXC_VALUEERROR, base, 0, auto_tag_msg[p[0]]);
    case SW_SER_COMPRESSED: {
        uint8_t *q = NULL;
        size_t qn = 0, used = 0;
        sw_status st = inflate_payload(d, p, n, base, &q, &qn, &used, err);
        if (st != SW_OK) return st;
        if ((st = trailing(d, SW_LAYER_ZLIB, used, n, base, err)) != SW_OK) return st;
        st = loads(d, s->a, q, qn, base, 0, out, err);
        if (st != SW_OK && err) err->offset = base; /* inner offsets are in the inflated bytes */
        return st;
    }
    default:
        return SW_FAIL(err, SW_E_ARG, SW_LAYER_FRAME, SW_PYEXC_NONE, base, 0, "not a framed serializer");
    }
}

/* ---- lengths: _read_with_length and UTF8Deserializer.loads share one
 * length rule [#frame] [#utf8]. ---- */

/* One length and its payload for FramedSerializer._read_with_length
 * (layer frame) or UTF8Deserializer.loads (layer utf8). Returns:
 * SW_END (x->done set) for [#frame.eof] and [#frame.end-of-data];
 * SW_OK with *len == SW_NULL and no payload for [#frame.null];
 * SW_OK with *len >= 0 and p/got = the bytes present (got < len only at
 * the end of input: the caller applies its own short-read rule);
 * an error otherwise. *at is the offset of the length. */
static sw_status read_length(sw_decoder *d, it *x, sw_layer layer, int32_t *len, uint64_t *at,
                             const uint8_t **p, size_t *got, sw_error *err)
{
    sw_status st;
    *at = d->src->pos;
    *p = NULL;
    *got = 0;
    st = sw_read_int(d->src, len, err);
    if (st == SW_END) {
        /* [#frame.eof] no byte left: read_int's EOFError ends load_stream */
        x->done = 1;
        return SW_END;
    }
    if (st != SW_OK) {
        /* [#frame.eof-partial] [#wire.int32] 1..3 bytes: struct.error; a
         * decoder reports it in its own layer */
        if (err) err->layer = layer;
        return st;
    }
    if (*len == SW_END_OF_DATA_SECTION) {
        /* [#frame.end-of-data] -1 raises EOFError: the stream ends, later
         * bytes are not read; strict: nothing may follow */
        x->done = 1;
        if (strict(d) && !sw_source_at_end(d->src))
            return SW_FAIL(err, SW_E_TRAILING, layer, SW_PYEXC_NONE, d->src->pos, 0,
                           "bytes after END_OF_DATA_SECTION");
        return SW_END;
    }
    if (*len == SW_NULL) return SW_OK; /* [#frame.null] yields None */
    if (*len < 0)
        /* [#frame.negative] stream.read(negative): a BufferedReader (a
         * worker's socket, PySpark's production stream) raises ValueError;
         * the pyspark mode follows it (io.BytesIO's read-the-rest is the
         * documented alternative [#frame.negative.bytesio]). Both modes fail
         * at the length, named SpecialLengths as unexpected_special. */
        return SW_FAIL(err, sw_special_str(*len) ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH, layer,
                       SW_PYEXC_VALUEERROR, *at, 0, "read length must be non-negative or -1");
    if ((uint64_t)*len > d->o.limits.max_frame_bytes)
        /* [#limits.frame] before any of it is read */
        return SW_FAIL(err, SW_E_LIMIT_FRAME, layer, SW_PYEXC_NONE, *at, 0, "frame longer than max_frame_bytes");
    st = sw_source_read(d->src, (size_t)*len, p, got);
    if (st != SW_OK) return SW_FAIL(err, st, SW_LAYER_IO, SW_PYEXC_NONE, *at + 4, 0, "read failed");
    return SW_OK;
}

/* ---- frames: FramedSerializer._read_with_length [#frame] ---- */

static sw_status frame_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    int32_t len;
    uint64_t at;
    const uint8_t *p;
    size_t got;
    sw_status st;
    if (x->done) return SW_END;
    st = read_length(d, x, SW_LAYER_FRAME, &len, &at, &p, &got, err);
    if (st != SW_OK) return st;
    if (len == SW_NULL) {
        *out = sw_v_none(d->ar);
        return *out ? SW_OK : arena_err(d, err, SW_LAYER_FRAME, at);
    }
    if (got < (size_t)len) {
        /* [#frame.short] a short read raises EOFError: a clean end in pyspark mode */
        x->done = 1;
        if (strict(d))
            return SW_FAIL(err, SW_E_TRUNCATED_FRAME, SW_LAYER_FRAME, SW_PYEXC_EOFERROR, at, got,
                           "stream ended inside a frame");
        return SW_END;
    }
    return loads(d, x->s, p, got, at + 4, d->src->read_fn == NULL, out, err);
}

/* load_stream of a FramedSerializer: EOFError raised by loads() ends the
 * stream silently [#frame.loads-eof] */
static sw_status framed_items_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    sw_status st = frame_next(d, x, out, err);
    if (st != SW_OK && st != SW_END && !strict(d) && err && err->pyexc == SW_PYEXC_EOFERROR &&
        err->layer != SW_LAYER_FRAME && err->layer != SW_LAYER_WIRE) {
        x->done = 1;
        return SW_END;
    }
    return st;
}

/* ---- Python iteration of a value, as chain.from_iterable / zip see it [#ser.iter] ---- */

/* number of items iteration yields, or -1 if not iterable (TypeError),
 * -2 if not knowable (symbolic) */
static int64_t py_len(const sw_value *v)
{
    switch (v->kind) {
    case SW_K_LIST: case SW_K_TUPLE: case SW_K_SET: case SW_K_FROZENSET:
        return (int64_t)v->u.c.n;
    case SW_K_DICT:
        return (int64_t)(v->u.c.n / 2);
    case SW_K_NAMEDTUPLE:
        return v->u.c.n == 3 && v->u.c.v[2]->kind == SW_K_TUPLE ? (int64_t)v->u.c.v[2]->u.c.n : -2;
    case SW_K_BYTES: case SW_K_BYTEARRAY:
        return (int64_t)v->u.s.n;
    case SW_K_STR: {
        size_t i = 0;
        int64_t k = 0;
        while (i < v->u.s.n) {
            uint32_t cp;
            size_t l = sw_utf8_decode1(v->u.s.p + i, v->u.s.n - i, &cp);
            i += l ? l : 1;
            k++;
        }
        return k;
    }
    case SW_K_OBJ: case SW_K_GLOBAL: case SW_K_PERSID: case SW_K_EXT: case SW_K_BUFFER: case SW_K_CODE:
        return -2;
    default:
        return -1;
    }
}

/* item i of the iteration; str yields 1-char strs (i is a byte cursor kept
 * in *pos), bytes yield ints */
static sw_value *py_item(sw_decoder *d, const sw_value *v, size_t i, size_t *pos)
{
    switch (v->kind) {
    case SW_K_LIST: case SW_K_TUPLE: case SW_K_SET: case SW_K_FROZENSET:
        return v->u.c.v[i];
    case SW_K_DICT:
        return v->u.c.v[2 * i];
    case SW_K_NAMEDTUPLE:
        return v->u.c.v[2]->u.c.v[i];
    case SW_K_BYTES: case SW_K_BYTEARRAY:
        return sw_v_int(d->ar, v->u.s.p[i]);
    case SW_K_STR: {
        uint32_t cp;
        size_t l = sw_utf8_decode1(v->u.s.p + *pos, v->u.s.n - *pos, &cp);
        sw_value *c;
        if (!l) l = 1;
        c = sw_v_strlike(d->ar, SW_K_STR, v->u.s.p + *pos, l);
        *pos += l;
        return c;
    }
    default:
        return NULL;
    }
}

static const char *kind_name(const sw_value *v)
{
    switch (v->kind) {
    case SW_K_NONE: return "'NoneType' object is not iterable";
    case SW_K_BOOL: return "'bool' object is not iterable";
    case SW_K_INT: return "'int' object is not iterable";
    case SW_K_FLOAT: return "'float' object is not iterable";
    case SW_K_COMPLEX: return "'complex' object is not iterable";
    default: return "object is not iterable";
    }
}

/* start iterating batch value v for x; strict mode accepts lists only */
static sw_status begin_batch(sw_decoder *d, it *x, sw_value *v, uint64_t at, sw_error *err)
{
    int64_t n = py_len(v);
    if (strict(d) && v->kind != SW_K_LIST)
        /* [#ser.batched.type] */
        return SW_FAIL(err, SW_E_BATCH_TYPE, SW_LAYER_BATCH, SW_PYEXC_NONE, at, 0, "batch is not a list");
    if (n == -1)
        return SW_FAIL(err, SW_E_BATCH_TYPE, SW_LAYER_BATCH, SW_PYEXC_TYPEERROR, at, 0, kind_name(v));
    if (n == -2)
        return SW_FAIL(err, SW_E_UNSUPPORTED, SW_LAYER_BATCH, SW_PYEXC_NONE, at, 0,
                       "iterating a symbolic object needs its class");
    /* an empty batch is never held, so open_batches counts exactly the
     * iterators with items left */
    x->batch = n > 0 ? v : NULL;
    x->bi = 0;
    x->blen = (size_t)n;
    x->pi = 0; /* byte cursor for str */
    if (n > 0) d->open_batches++;
    return SW_OK;
}

static sw_status items_next(sw_decoder *d, it *x, sw_value **out, sw_error *err);
static sw_status batches_next(sw_decoder *d, it *x, sw_value **out, sw_error *err);

/* PairDeserializer/CartesianDeserializer._load_stream_without_unbatching [#ser.pair] [#ser.cartesian] */
static sw_status pair_batch_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    sw_value *kb = NULL, *vb = NULL, *res;
    int64_t kn, vn, i, j;
    size_t kpos = 0, vpos = 0;
    uint64_t at = d->src->pos;
    sw_status st;
    if (x->done) return SW_END;
    st = batches_next(d, x->a, &kb, err);
    if (st == SW_END) {
        x->done = 1;
        return SW_END;
    }
    if (st != SW_OK) return st;
    st = batches_next(d, x->b, &vb, err);
    if (st == SW_END) {
        x->done = 1;
        if (strict(d))
            return SW_FAIL(err, SW_E_BATCH_MISMATCH, SW_LAYER_PAIR, SW_PYEXC_NONE, d->src->pos, 0,
                           "key batch without a value batch");
        return SW_END;
    }
    if (st != SW_OK) return st;
    kn = py_len(kb);
    vn = py_len(vb);
    if (kn < 0 || vn < 0) {
        const sw_value *bad = kn < 0 ? kb : vb;
        return SW_FAIL(err, kn == -2 || vn == -2 ? SW_E_UNSUPPORTED : SW_E_BATCH_TYPE, SW_LAYER_PAIR,
                       SW_PYEXC_TYPEERROR, at, 0, kind_name(bad));
    }
    if (strict(d) && (kb->kind != SW_K_LIST || vb->kind != SW_K_LIST))
        return SW_FAIL(err, SW_E_BATCH_TYPE, SW_LAYER_PAIR, SW_PYEXC_NONE, at, 0, "batch is not a list");
    if (x->s->kind == SW_SER_PAIR && kn != vn)
        /* [#ser.pair.mismatch] */
        return SW_FAIL(err, SW_E_BATCH_MISMATCH, SW_LAYER_PAIR, SW_PYEXC_VALUEERROR, at, 0,
                       "Can not deserialize PairRDD with different number of items in batches");
    res = sw_v_container(d->ar, SW_K_LIST, 0);
    if (!res) return arena_err(d, err, SW_LAYER_PAIR, at);
    if (x->s->kind == SW_SER_PAIR) {
        for (i = 0; i < kn; i++) {
            sw_value *t = sw_v_container(d->ar, SW_K_TUPLE, 2);
            sw_value *k = py_item(d, kb, (size_t)i, &kpos), *v = py_item(d, vb, (size_t)i, &vpos);
            if (!t || !k || !v || sw_v_push(d->ar, t, k) || sw_v_push(d->ar, t, v) || sw_v_push(d->ar, res, t))
                return arena_err(d, err, SW_LAYER_PAIR, at);
        }
    } else {
        /* itertools.product materialises both: items reused per pair */
        sw_value **vs;
        size_t bytes;
        if (!sw_mul_ok((size_t)vn + 1, sizeof *vs, &bytes)) return arena_err(d, err, SW_LAYER_PAIR, at);
        vs = (sw_value **)sw_arena_mem(d->ar, bytes);
        if (!vs) return arena_err(d, err, SW_LAYER_PAIR, at);
        for (j = 0; j < vn; j++)
            if (!(vs[j] = py_item(d, vb, (size_t)j, &vpos))) return arena_err(d, err, SW_LAYER_PAIR, at);
        if (kn > 0 && vn > 0 && (uint64_t)kn * (uint64_t)vn > d->o.limits.max_expansion)
            return SW_FAIL(err, SW_E_LIMIT_EXPANSION, SW_LAYER_PAIR, SW_PYEXC_NONE, at, 0,
                           "cartesian product over max_expansion");
        for (i = 0; i < kn; i++) {
            sw_value *k = py_item(d, kb, (size_t)i, &kpos);
            if (!k) return arena_err(d, err, SW_LAYER_PAIR, at);
            for (j = 0; j < vn; j++) {
                sw_value *t = sw_v_container(d->ar, SW_K_TUPLE, 2);
                if (!t || sw_v_push(d->ar, t, k) || sw_v_push(d->ar, t, vs[j]) || sw_v_push(d->ar, res, t))
                    return arena_err(d, err, SW_LAYER_PAIR, at);
            }
        }
    }
    *out = res;
    return SW_OK;
}

/* _load_stream_without_unbatching [#ser.unbatching] */
static sw_status batches_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    sw_status st;
    switch (x->s->kind) {
    case SW_SER_BATCHED: case SW_SER_AUTOBATCHED: case SW_SER_FLATTENED:
        /* self.serializer.load_stream(stream) */
        return items_next(d, x->a, out, err);
    case SW_SER_PAIR: case SW_SER_CARTESIAN:
        return pair_batch_next(d, x, out, err);
    default: {
        /* map(lambda x: [x], self.load_stream(stream)) */
        sw_value *v = NULL, *l;
        st = items_next(d, x, &v, err);
        if (st != SW_OK) return st;
        l = sw_v_container(d->ar, SW_K_LIST, 1);
        if (!l || sw_v_push(d->ar, l, v)) return arena_err(d, err, SW_LAYER_BATCH, d->src->pos);
        *out = l;
        return SW_OK;
    }
    }
}

/* UTF8Deserializer.load_stream [#utf8] */
static sw_status utf8_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    int32_t len;
    uint64_t at;
    const uint8_t *p;
    size_t got, bad;
    sw_status st;
    if (x->done) return SW_END;
    st = read_length(d, x, SW_LAYER_UTF8, &len, &at, &p, &got, err);
    if (st == SW_E_TRUNCATED_LENGTH && !strict(d)) {
        /* [#utf8.struct-error] load_stream swallows struct.error */
        x->done = 1;
        return SW_END;
    }
    if (st != SW_OK) return st;
    if (len == SW_NULL) {
        *out = sw_v_none(d->ar);
        return *out ? SW_OK : arena_err(d, err, SW_LAYER_UTF8, at);
    }
    if (got < (size_t)len) {
        /* [#utf8.short] UTF8Deserializer.loads has no short-read check: the
         * bytes present are decoded (and the next read_int ends the stream) */
        if (strict(d))
            return SW_FAIL(err, SW_E_TRUNCATED_FRAME, SW_LAYER_UTF8, SW_PYEXC_NONE, at, got,
                           "stream ended inside a string");
    }
    if (!x->s->use_unicode) {
        *out = sw_v_strlike(d->ar, SW_K_BYTES, got ? p : (const uint8_t *)"", got);
        return *out ? SW_OK : arena_err(d, err, SW_LAYER_UTF8, at);
    }
    if (!sw_utf8_valid(p, got, &bad))
        /* [#utf8.invalid] s.decode("utf-8"); [#utf8.short] also when the
         * short read cut a character ("unexpected end of data") */
        return SW_FAIL(err, SW_E_BAD_UTF8, SW_LAYER_UTF8, SW_PYEXC_UNICODEDECODEERROR, at + 4 + bad, bad,
                       "'utf-8' codec can't decode bytes");
    *out = sw_v_strlike(d->ar, SW_K_STR, got ? p : (const uint8_t *)"", got);
    return *out ? SW_OK : arena_err(d, err, SW_LAYER_UTF8, at);
}

/* ChunkedStream read back: chunks until -1, one bytes item [#chunked] */
static sw_status chunked_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    sw_buf b;
    sw_status st;
    uint64_t start = d->src->pos;
    if (x->done) return SW_END;
    x->done = 1;
    sw_buf_init(&b, d->o.alloc);
    b.max = d->o.limits.max_frame_bytes;
    for (;;) {
        int32_t len;
        uint64_t at = d->src->pos;
        const uint8_t *p;
        size_t got;
        st = sw_read_int(d->src, &len, err);
        if (st == SW_END) {
            sw_buf_free(&b);
            if (at == start) return SW_END; /* [#chunked] empty input: no item */
            return SW_FAIL(err, SW_E_TRUNCATED, SW_LAYER_CHUNKED, SW_PYEXC_NONE, at, 0,
                           "chunked stream ended without its -1 terminator");
        }
        if (st != SW_OK) {
            sw_buf_free(&b);
            if (err) err->layer = SW_LAYER_CHUNKED;
            return st;
        }
        if (len == -1) break;
        if (len < 0 || (strict(d) && len > x->s->n) || (strict(d) && len == 0)) {
            sw_buf_free(&b);
            return SW_FAIL(err, SW_E_BAD_LENGTH, SW_LAYER_CHUNKED, SW_PYEXC_NONE, at, 0,
                           len < 0 ? "negative chunk length" : "chunk length outside 1..buffer_size");
        }
        st = sw_source_read(d->src, (size_t)len, &p, &got);
        if (st == SW_OK && got < (size_t)len) st = SW_E_TRUNCATED_FRAME;
        if (st == SW_OK) st = sw_buf_put(&b, p, got);
        if (st != SW_OK) {
            sw_buf_free(&b);
            return SW_FAIL(err, st == SW_E_LIMIT_TOTAL ? SW_E_LIMIT_FRAME : st, SW_LAYER_CHUNKED,
                           SW_PYEXC_NONE, at, 0, "chunk could not be read");
        }
    }
    if (strict(d) && !sw_source_at_end(d->src)) {
        sw_buf_free(&b);
        return SW_FAIL(err, SW_E_TRAILING, SW_LAYER_CHUNKED, SW_PYEXC_NONE, d->src->pos, 0,
                       "bytes after the -1 terminator");
    }
    *out = sw_v_strlike(d->ar, SW_K_BYTES, b.p ? b.p : (const uint8_t *)"", b.n);
    sw_buf_free(&b);
    return *out ? SW_OK : arena_err(d, err, SW_LAYER_CHUNKED, start);
}

/* load_stream [#ser.load_stream] */
static sw_status items_next(sw_decoder *d, it *x, sw_value **out, sw_error *err)
{
    sw_status st;
    switch (x->s->kind) {
    case SW_SER_UTF8:
        return utf8_next(d, x, out, err);
    case SW_SER_CHUNKED:
        return chunked_next(d, x, out, err);
    case SW_SER_FLATTENED:
        /* FlattenedValuesSerializer.load_stream = self.serializer.load_stream */
        return items_next(d, x->a, out, err);
    case SW_SER_BATCHED: case SW_SER_AUTOBATCHED: case SW_SER_PAIR: case SW_SER_CARTESIAN:
        /* chain.from_iterable(self._load_stream_without_unbatching(stream)) */
        for (;;) {
            if (x->batch) {
                sw_value *v = py_item(d, x->batch, x->bi, &x->pi);
                if (!v) return arena_err(d, err, SW_LAYER_BATCH, d->src->pos);
                if (++x->bi == x->blen) {
                    /* the batch is done: its nodes may go at the next call */
                    x->batch = NULL;
                    d->open_batches--;
                }
                *out = v;
                return SW_OK;
            }
            {
                sw_value *b = NULL;
                uint64_t at = d->src->pos;
                st = batches_next(d, x, &b, err);
                if (st != SW_OK) return st;
                st = begin_batch(d, x, b, at, err);
                if (st != SW_OK) return st;
            }
        }
    default:
        return framed_items_next(d, x, out, err);
    }
}

sw_status sw_decoder_next(sw_decoder *d, sw_value **item, sw_error *err)
{
    sw_status st;
    sw_error local;
    if (!err) err = &local;
    sw_error_clear(err); /* [#errors.record] output only: cleared on entry */
    if (!d || !item) return SW_E_ARG;
    *item = NULL;
    if (d->final != SW_OK) {
        *err = d->final_err;
        return d->final;
    }
    if (d->count >= d->o.limits.max_items) {
        st = SW_FAIL(err, SW_E_LIMIT_ITEMS, SW_LAYER_FRAME, SW_PYEXC_NONE, d->src->pos, 0,
                     "more items than max_items");
        err->item = d->count;
        d->final = st;
        d->final_err = *err;
        return st;
    }
    /* items of the previous call are released unless a batch is still
     * being delivered or the caller keeps items */
    if (!d->o.keep_items && d->open_batches == 0) sw_arena_reset(d->ar);
    st = items_next(d, d->root, item, err);
    if (st == SW_OK) {
        d->count++;
        return SW_OK;
    }
    if (st != SW_END) err->item = d->count;
    d->final = st;
    d->final_err = *err;
    return st;
}

/* Stream encoding through a serializer stack: dump_stream [#ser.dump]. */
#include <stdlib.h>
#include <zlib.h>

#include "internal/common.h"
#include "sparkwire/stream.h"

typedef struct wr wr;
struct wr {
    const sw_serializer *s;
    wr *a, *b;
    sw_value **items; /* buffered batch */
    size_t n, cap;
    int64_t batch;    /* AutoBatched: current batch size */
    int auto_pickle;  /* AutoSerializer: sticky fallback to pickle */
    /* ChunkedStream */
    uint8_t *cbuf;
    size_t cpos;
};

struct sw_encoder {
    const sw_serializer *s;
    sw_sink *out;
    sw_stream_opts o;
    wr pool[SW_SER_MAX_NODES];
    size_t npool;
    wr *root;
    sw_arena *ar;     /* batch lists and pair tuples */
    sw_buf payload;
    int finished;
};

static wr *mk_wr(sw_encoder *e, const sw_serializer *s)
{
    wr *w;
    if (!s || e->npool >= sizeof e->pool / sizeof e->pool[0]) return NULL;
    w = &e->pool[e->npool++];
    memset(w, 0, sizeof *w);
    w->s = s;
    w->batch = 1;
    if (s->a && !(w->a = mk_wr(e, s->a))) return NULL;
    if (s->b && !(w->b = mk_wr(e, s->b))) return NULL;
    return w;
}

sw_status sw_encoder_new(const sw_serializer *s, sw_sink *out, const sw_stream_opts *o,
                         sw_encoder **enc)
{
    sw_encoder *e;
    sw_stream_opts def;
    if (!s || !out || !enc) return SW_E_ARG;
    if (!o) {
        sw_stream_opts_default(&def);
        o = &def;
    }
    e = (sw_encoder *)sw__malloc(o->alloc, sizeof *e);
    if (!e) return SW_E_NOMEM;
    memset(e, 0, sizeof *e);
    e->s = s;
    e->out = out;
    e->o = *o;
    sw_limits_fill(&e->o.limits);
    e->root = mk_wr(e, s);
    e->ar = sw_arena_new(o->alloc, &e->o.limits);
    sw_buf_init(&e->payload, o->alloc);
    if (!e->root || !e->ar) {
        sw_status st = e->root ? SW_E_NOMEM : SW_E_ARG;
        sw_arena_free(e->ar);
        sw__free(o->alloc, e, sizeof *e);
        return st;
    }
    *enc = e;
    return SW_OK;
}

void sw_encoder_free(sw_encoder *e)
{
    size_t i;
    if (!e) return;
    for (i = 0; i < e->npool; i++) {
        sw__free(e->o.alloc, e->pool[i].items, e->pool[i].cap * sizeof(sw_value *));
        sw__free(e->o.alloc, e->pool[i].cbuf, e->pool[i].cbuf ? (size_t)e->pool[i].s->n : 0);
    }
    sw_arena_free(e->ar);
    sw_buf_free(&e->payload);
    sw__free(e->o.alloc, e, sizeof *e);
}

static sw_status fail(sw_error *err, sw_status st, sw_layer layer, uint64_t off, const char *msg)
{
    return SW_FAIL(err, st, layer, SW_PYEXC_NONE, off, 0, msg);
}

/* The encoder's arena refused a node: its own status (limit_nodes,
 * limit_total or nomem) [#limits] */
static sw_status arena_fail(sw_encoder *e, sw_error *err, sw_layer layer)
{
    sw_status st = sw_arena_status(e->ar);
    if (st == SW_OK) st = SW_E_NOMEM;
    return SW_FAIL(err, st, layer, st == SW_E_NOMEM ? SW_PYEXC_MEMORYERROR : SW_PYEXC_NONE, e->out->written, 0,
                   st == SW_E_NOMEM ? "out of memory" : "the encoder's arena reached a limit");
}

/* zlib.compress(data, 1) [#ser.compressed.encode] */
static sw_status deflate_level1(const uint8_t *p, size_t n, sw_buf *out)
{
    uLongf bound = compressBound((uLong)n);
    sw_status st = sw_buf_reserve(out, bound);
    uLongf dl = bound;
    if (st != SW_OK) return st;
    if (compress2(out->p + out->n, &dl, p, (uLong)n, 1) != Z_OK) return SW_E_NOMEM;
    out->n += dl;
    return SW_OK;
}

/* 1 if root is reachable from its own children (a cycle through the
 * root), found by an explicit-stack walk; -1 when out of memory */
static int reaches_self(const sw_value *root, const sw_alloc *al)
{
    sw_ptrmap seen;
    const sw_value **stk;
    size_t n = 0, cap = 64, i;
    int found = 0;
    stk = (const sw_value **)sw__malloc(al, cap * sizeof *stk);
    if (!stk) return -1;
    sw_ptrmap_init(&seen, al);
    for (i = sw_v_nchildren(root); i > 0; i--) {
        if (n == cap) {
            const sw_value **ns = (const sw_value **)sw__realloc(al, stk, cap * sizeof *stk, cap * 2 * sizeof *stk);
            if (!ns) {
                found = -1;
                goto done;
            }
            stk = ns;
            cap *= 2;
        }
        stk[n++] = sw_v_child(root, i - 1);
    }
    while (n) {
        const sw_value *v = stk[--n];
        if (v == root) {
            found = 1;
            break;
        }
        if (sw_ptrmap_get(&seen, v)) continue;
        if (sw_ptrmap_put(&seen, v, 1) != SW_OK) {
            found = -1;
            break;
        }
        for (i = sw_v_nchildren(v); i > 0; i--) {
            if (n == cap) {
                const sw_value **ns = (const sw_value **)sw__realloc(al, stk, cap * sizeof *stk, cap * 2 * sizeof *stk);
                if (!ns) {
                    found = -1;
                    goto done;
                }
                stk = ns;
                cap *= 2;
            }
            stk[n++] = sw_v_child(v, i - 1);
        }
    }
done:
    sw_ptrmap_free(&seen);
    sw__free(al, stk, cap * sizeof *stk);
    return found;
}

/* [#ser.marshal.root-ref] The object dump_stream hands to marshal.dumps is
 * held by PySpark's variables (`obj`), so CPython writes it with FLAG_REF
 * unless it is None, a bool, Ellipsis or StopIteration. A node without a
 * hint (not read from marshal, where the bit read is reproduced) is written
 * through a shallow copy marked as read with the bit. Not when the node is
 * reachable from its own children: the copy would not be the node its
 * children reach; the canonical rule already flags such a node. */
static const sw_value *marshal_root(sw_encoder *e, const sw_value *v, int version, int py2, int *nomem)
{
    uint8_t code;
    sw_value *c;
    *nomem = 0;
    if (py2 || (version >= 0 && version < 3) || v->hint || (v->flags & SW_VF_MARSHAL_REF)) return v;
    switch (v->kind) {
    case SW_K_INT: code = 'i'; break;
    case SW_K_FLOAT: code = 'g'; break;
    case SW_K_COMPLEX: code = 'y'; break;
    case SW_K_STR: code = 'u'; break;
    case SW_K_BYTES: case SW_K_BYTEARRAY: code = 's'; break;
    case SW_K_TUPLE: code = '('; break;
    case SW_K_LIST: code = '['; break;
    case SW_K_DICT: code = '{'; break;
    case SW_K_SET: code = '<'; break;
    case SW_K_FROZENSET: code = '>'; break;
    default: return v; /* singletons never; code objects and symbolic kinds as they are */
    }
    if (sw_v_nchildren(v)) {
        int r = reaches_self(v, e->o.alloc);
        if (r < 0) *nomem = 1;
        if (r) return v;
    }
    c = (sw_value *)sw_arena_mem(e->ar, sizeof *c);
    if (!c) {
        *nomem = 1;
        return v;
    }
    *c = *v;
    c->hint = code;
    c->flags |= SW_VF_MARSHAL_REF;
    return c;
}

/* dumps(obj) of a FramedSerializer, appended to out [#ser.dumps] */
static sw_status dumps(sw_encoder *e, wr *w, const sw_value *v, sw_buf *out, sw_error *err)
{
    sw_status st;
    switch (w->s->kind) {
    case SW_SER_NOOP:
        /* [#ser.noop] NoOpSerializer.dumps(obj) = obj: bytes-like only; None
         * is "serialized value should not be None" */
        if (v->kind != SW_K_BYTES && v->kind != SW_K_BYTEARRAY)
            return fail(err, SW_E_UNENCODABLE, SW_LAYER_FRAME, e->out->written,
                        "NoOpSerializer writes bytes items only");
        return sw_buf_put(out, v->u.s.p, v->u.s.n);
    case SW_SER_PICKLE: case SW_SER_CLOUDPICKLE: {
        sw_pickle_enc_opts po;
        sw_pickle_enc_opts_default(&po);
        po.protocol = w->s->protocol;
        po.limits = e->o.limits;
        return sw_pickle_encode(v, &po, out, err);
    }
    case SW_SER_MARSHAL: {
        sw_marshal_enc_opts mo;
        int nomem;
        const sw_value *r = marshal_root(e, v, w->s->version, e->o.marshal_py2, &nomem);
        if (nomem) return fail(err, SW_E_NOMEM, SW_LAYER_MARSHAL, e->out->written, "out of memory");
        sw_marshal_enc_opts_default(&mo);
        mo.version = w->s->version;
        mo.py2 = e->o.marshal_py2;
        mo.limits = e->o.limits;
        return sw_marshal_encode(r, &mo, out, err);
    }
    case SW_SER_AUTO: {
        /* [#ser.auto.dumps] b'M' + marshal.dumps(obj) until marshal fails
         * once; from then on b'P' + pickle.dumps(obj, -1) for every object */
        size_t mark = out->n;
        if (!w->auto_pickle) {
            sw_marshal_enc_opts mo;
            int nomem;
            /* the marshal dialect is the stream's, as the decoder reads
             * Auto's M payloads with it [#marshal.py2] */
            const sw_value *r = marshal_root(e, v, -1, e->o.marshal_py2, &nomem);
            if (nomem) return fail(err, SW_E_NOMEM, SW_LAYER_MARSHAL, e->out->written, "out of memory");
            sw_marshal_enc_opts_default(&mo);
            mo.py2 = e->o.marshal_py2;
            mo.limits = e->o.limits;
            if ((st = sw_buf_putc(out, 'M')) != SW_OK) return st;
            st = sw_marshal_encode(r, &mo, out, err);
            if (st == SW_OK) return SW_OK;
            if (st != SW_E_UNENCODABLE) return st;
            out->n = mark;
            w->auto_pickle = 1;
        }
        {
            sw_pickle_enc_opts po;
            sw_pickle_enc_opts_default(&po);
            po.protocol = -1;
            po.limits = e->o.limits;
            if ((st = sw_buf_putc(out, 'P')) != SW_OK) return st;
            return sw_pickle_encode(v, &po, out, err);
        }
    }
    case SW_SER_COMPRESSED: {
        sw_buf inner;
        sw_buf_init(&inner, e->o.alloc);
        st = dumps(e, w->a, v, &inner, err);
        if (st == SW_OK) st = deflate_level1(inner.p ? inner.p : (const uint8_t *)"", inner.n, out);
        sw_buf_free(&inner);
        return st;
    }
    default:
        return fail(err, SW_E_UNSUPPORTED, SW_LAYER_FRAME, e->out->written, "not a framed serializer");
    }
}

/* [#frame.write] _write_with_length: `if len(serialized) > (1 << 31)` is
 * ValueError; a payload of exactly 2^31 bytes passes that test and fails in
 * write_int (struct.error). Nothing is written in either case. */
static sw_status check_frame_len(sw_encoder *e, size_t n, sw_error *err)
{
    if (n > ((size_t)1 << 31))
        return SW_FAIL(err, SW_E_LIMIT_FRAME, SW_LAYER_FRAME, SW_PYEXC_VALUEERROR, e->out->written, 0,
                       "can not serialize object larger than 2G");
    if (n > (size_t)INT32_MAX)
        return SW_FAIL(err, SW_E_LIMIT_FRAME, SW_LAYER_FRAME, SW_PYEXC_STRUCTERROR, e->out->written, 0,
                       "'i' format requires -2147483648 <= number <= 2147483647");
    return SW_OK;
}

/* _write_with_length [#frame.write] */
static sw_status write_frame(sw_encoder *e, wr *w, const sw_value *v, sw_error *err)
{
    sw_status st;
    const uint8_t *p;
    size_t n;
    if (w->s->kind == SW_SER_NOOP && (v->kind == SW_K_BYTES || v->kind == SW_K_BYTEARRAY)) {
        /* [#ser.noop] dumps(obj) is obj: written from the item, no copy */
        p = v->u.s.p;
        n = v->u.s.n;
    } else {
        e->payload.n = 0;
        st = dumps(e, w, v, &e->payload, err);
        if (st != SW_OK) {
            if (err && err->status == SW_OK) fail(err, st, SW_LAYER_FRAME, e->out->written, "dumps failed");
            return st;
        }
        p = e->payload.p;
        n = e->payload.n;
    }
    if ((st = check_frame_len(e, n, err)) != SW_OK) return st;
    st = sw_write_int(e->out, (int32_t)n);
    if (st == SW_OK && n) st = sw_sink_write(e->out, p, n);
    if (st != SW_OK) return fail(err, st, SW_LAYER_IO, e->out->written, "write failed");
    return SW_OK;
}

static sw_status put(sw_encoder *e, wr *w, const sw_value *v, sw_error *err);

static sw_status buffer_item(sw_encoder *e, wr *w, const sw_value *v)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        sw_value **ni = (sw_value **)sw__realloc(e->o.alloc, w->items, w->cap * sizeof *ni, ncap * sizeof *ni);
        if (!ni) return SW_E_NOMEM;
        w->items = ni;
        w->cap = ncap;
    }
    w->items[w->n++] = (sw_value *)(uintptr_t)v;
    return SW_OK;
}

/* 1 if w's payloads are marshal.dumps output with references (version >= 3):
 * MarshalSerializer, AutoSerializer's marshal branch, either under
 * CompressedSerializer */
static int marshal_refs(const sw_encoder *e, const wr *w)
{
    while (w && w->s->kind == SW_SER_COMPRESSED) w = w->a;
    if (!w) return 0;
    if (w->s->kind == SW_SER_MARSHAL) return !e->o.marshal_py2 && (w->s->version < 0 || w->s->version >= 3);
    return w->s->kind == SW_SER_AUTO && !w->auto_pickle;
}

/* [#ser.marshal.batch-ref] A batch list (or a FlattenedValues (key, slice)
 * tuple) that dump_stream hands to marshal.dumps is referenced by PySpark's
 * own variables (items / vs / obj), so its reference count is above one and
 * CPython writes it with FLAG_REF (`\xdb`, not `[`). The node is ours: mark
 * it as if read with the bit ([#marshal.encode.refs]). */
static void mark_marshal_ref(const sw_encoder *e, const wr *inner, sw_value *v)
{
    if (!marshal_refs(e, inner)) return;
    v->hint = v->kind == SW_K_LIST ? '[' : '(';
    v->flags |= SW_VF_MARSHAL_REF;
}

/* write the buffered items as one list batch through the inner writer */
static sw_status emit_batch(sw_encoder *e, wr *w, size_t k, sw_error *err)
{
    sw_value *l = sw_v_container(e->ar, SW_K_LIST, k ? k : 1);
    size_t i;
    sw_status st;
    if (!l) return arena_fail(e, err, SW_LAYER_BATCH);
    for (i = 0; i < k; i++) sw_v_push(e->ar, l, w->items[i]);
    mark_marshal_ref(e, w->a, l);
    st = put(e, w->a, l, err);
    if (w->n > k) memmove(w->items, w->items + k, (w->n - k) * sizeof *w->items);
    w->n -= k;
    return st;
}

static sw_status chunked_write(sw_encoder *e, wr *w, const uint8_t *p, size_t n, sw_error *err)
{
    /* ChunkedStream.write [#chunked.write] */
    size_t bs = (size_t)w->s->n;
    sw_status st;
    if (!w->cbuf) {
        w->cbuf = (uint8_t *)sw__malloc(e->o.alloc, bs);
        if (!w->cbuf) return fail(err, SW_E_NOMEM, SW_LAYER_CHUNKED, e->out->written, "out of memory");
    }
    while (n > 0) {
        size_t space = bs - w->cpos;
        if (n < space) {
            memcpy(w->cbuf + w->cpos, p, n);
            w->cpos += n;
            return SW_OK;
        }
        memcpy(w->cbuf + w->cpos, p, space);
        if ((st = sw_write_int(e->out, (int32_t)bs)) != SW_OK || (st = sw_sink_write(e->out, w->cbuf, bs)) != SW_OK)
            return fail(err, st, SW_LAYER_IO, e->out->written, "write failed");
        p += space;
        n -= space;
        w->cpos = 0;
    }
    return SW_OK;
}

static sw_status put(sw_encoder *e, wr *w, const sw_value *v, sw_error *err);

/* a (key, value) or (key, values) item of Pair and FlattenedValues: a tuple
 * or list of two */
static int is_pair(const sw_value *v)
{
    return (v->kind == SW_K_TUPLE || v->kind == SW_K_LIST) && v->u.c.n == 2;
}

/* [#ser.autobatched] write w's buffered items as one batch, then double or
 * halve the batch size by the serialized batch's size, as
 * AutoBatchedSerializer.dump_stream does after each write */
static sw_status emit_auto(sw_encoder *e, wr *w, sw_error *err)
{
    uint64_t before = e->out->written;
    sw_status st = emit_batch(e, w, w->n, err);
    int64_t size;
    if (st != SW_OK) return st;
    size = (int64_t)(e->out->written - before) - 4;
    if (size < w->s->n)
        w->batch *= 2;
    else if (size > w->s->n * 10 && w->batch > 1)
        w->batch /= 2;
    return SW_OK;
}

/* ---- PairDeserializer [#ser.pair.encode] ----
 * PairDeserializer reads one batch from A, then one from B: for the stream
 * to read back as the items, each group of items is written as exactly one
 * batch through each side. A side that batches (BatchedSerializer,
 * AutoBatchedSerializer, or a PairDeserializer whose sides both batch) takes
 * a batch of any length; any other serializer's batch is one item. */
static int side_batches(const wr *w)
{
    if (w->s->kind == SW_SER_BATCHED || w->s->kind == SW_SER_AUTOBATCHED) return 1;
    return w->s->kind == SW_SER_PAIR && side_batches(w->a) && side_batches(w->b);
}

/* the batch size a batching side would choose: BatchedSerializer's n (0 for
 * UNLIMITED: all items), AutoBatchedSerializer's current size, or a nested
 * pair's key side's */
static int64_t side_size(const wr *w)
{
    if (w->s->kind == SW_SER_PAIR) return side_size(w->a);
    if (w->s->kind == SW_SER_AUTOBATCHED) return w->batch;
    return w->s->n > 0 ? w->s->n : 0;
}

/* items per group: A's batch size when both sides batch, else 1 */
static int64_t pair_group(const wr *w)
{
    return side_batches(w->a) && side_batches(w->b) ? side_size(w->a) : 1;
}

/* a side whose batches are not lists of items cannot be written from the
 * items: FlattenedValuesSerializer (its batches are its inner items) and
 * CartesianDeserializer (products), also inside a nested pair */
static int side_rebuildable(const wr *w)
{
    if (w->s->kind == SW_SER_FLATTENED || w->s->kind == SW_SER_CARTESIAN) return 0;
    return w->s->kind != SW_SER_PAIR || (side_rebuildable(w->a) && side_rebuildable(w->b));
}

static sw_status pair_sides_ok(sw_encoder *e, const wr *w, sw_error *err)
{
    if (side_rebuildable(w->a) && side_rebuildable(w->b)) return SW_OK;
    return fail(err, SW_E_UNSUPPORTED, SW_LAYER_PAIR, e->out->written,
                "a PairDeserializer side that is a FlattenedValuesSerializer or CartesianDeserializer: its "
                "batches cannot be rebuilt from items [#ser.pair.encode]");
}

/* write w's buffered items as one batch of w (w a side of a pair, or the
 * pair itself): a list batch through a batching serializer, a key batch and
 * a value batch through a pair, the one item through any other serializer.
 * Recursion follows the serializer tree (at most SW_SER_MAX_NODES deep). */
static sw_status write_group(sw_encoder *e, wr *w, sw_error *err)
{
    sw_status st;
    size_t i;
    switch (w->s->kind) {
    case SW_SER_BATCHED:
        return emit_batch(e, w, w->n, err);
    case SW_SER_AUTOBATCHED:
        return emit_auto(e, w, err);
    case SW_SER_PAIR:
        for (i = 0; i < w->n; i++) {
            const sw_value *v = w->items[i];
            if (!is_pair(v))
                return fail(err, SW_E_UNENCODABLE, SW_LAYER_PAIR, e->out->written, "PairDeserializer items are pairs");
            if ((st = buffer_item(e, w->a, v->u.c.v[0])) != SW_OK || (st = buffer_item(e, w->b, v->u.c.v[1])) != SW_OK)
                return fail(err, st, SW_LAYER_PAIR, e->out->written, "out of memory");
        }
        w->n = 0;
        if ((st = write_group(e, w->a, err)) != SW_OK) return st;
        return write_group(e, w->b, err);
    default:
        /* a non-batching side: its groups are single items (pair_group) */
        if (w->n == 0) return SW_OK;
        w->n = 0;
        return put(e, w, w->items[0], err);
    }
}

static sw_status put(sw_encoder *e, wr *w, const sw_value *v, sw_error *err)
{
    sw_status st;
    switch (w->s->kind) {
    case SW_SER_BATCHED:
        /* [#ser.batched.dump] */
        if ((st = buffer_item(e, w, v)) != SW_OK) return fail(err, st, SW_LAYER_BATCH, e->out->written, "out of memory");
        if (w->s->n > 0 && (int64_t)w->n == w->s->n) return emit_batch(e, w, w->n, err);
        return SW_OK;
    case SW_SER_AUTOBATCHED:
        if ((st = buffer_item(e, w, v)) != SW_OK) return fail(err, st, SW_LAYER_BATCH, e->out->written, "out of memory");
        if ((int64_t)w->n == w->batch) return emit_auto(e, w, err);
        return SW_OK;
    case SW_SER_FLATTENED: {
        /* [#ser.flattened] (key, values) -> (key, values[i:i+n]) */
        const sw_value *key, *vals;
        size_t i, n = (size_t)w->s->n;
        if (!is_pair(v))
            return fail(err, SW_E_UNENCODABLE, SW_LAYER_BATCH, e->out->written,
                        "FlattenedValuesSerializer items are (key, values) pairs");
        key = v->u.c.v[0];
        vals = v->u.c.v[1];
        if (vals->kind != SW_K_LIST && vals->kind != SW_K_TUPLE)
            return fail(err, SW_E_UNENCODABLE, SW_LAYER_BATCH, e->out->written, "values must be a list or tuple");
        for (i = 0; i < vals->u.c.n; i += n) {
            size_t j, m = vals->u.c.n - i < n ? vals->u.c.n - i : n;
            sw_value *chunk = sw_v_container(e->ar, (sw_kind)vals->kind, m);
            sw_value *t = sw_v_container(e->ar, SW_K_TUPLE, 2);
            if (!chunk || !t) return arena_fail(e, err, SW_LAYER_BATCH);
            for (j = 0; j < m; j++) sw_v_push(e->ar, chunk, vals->u.c.v[i + j]);
            sw_v_push(e->ar, t, (sw_value *)(uintptr_t)key);
            sw_v_push(e->ar, t, chunk);
            mark_marshal_ref(e, w->a, t); /* the slice itself is held by t only */
            if ((st = put(e, w->a, t, err)) != SW_OK) return st;
        }
        return SW_OK;
    }
    case SW_SER_PAIR: {
        /* [#ser.pair.encode] the JVM's zip: a key batch then a value batch */
        int64_t group;
        if ((st = pair_sides_ok(e, w, err)) != SW_OK) return st;
        if (!is_pair(v))
            return fail(err, SW_E_UNENCODABLE, SW_LAYER_PAIR, e->out->written, "PairDeserializer items are pairs");
        if ((st = buffer_item(e, w, v)) != SW_OK) return fail(err, st, SW_LAYER_PAIR, e->out->written, "out of memory");
        group = pair_group(w);
        return group > 0 && (int64_t)w->n == group ? write_group(e, w, err) : SW_OK;
    }
    case SW_SER_CARTESIAN:
        return fail(err, SW_E_UNSUPPORTED, SW_LAYER_PAIR, e->out->written,
                    "a cartesian stream cannot be rebuilt from its items [#ser.cartesian.encode]");
    case SW_SER_UTF8: {
        /* [#utf8.encode] the JVM's writeUTF: length + UTF-8; null -> NULL (-5) */
        size_t bad;
        if (v->kind == SW_K_NONE) {
            st = sw_write_int(e->out, SW_NULL);
            return st ? fail(err, st, SW_LAYER_IO, e->out->written, "write failed") : SW_OK;
        }
        if (v->kind != (w->s->use_unicode ? SW_K_STR : SW_K_BYTES) ||
            (v->kind == SW_K_STR && !sw_utf8_valid(v->u.s.p, v->u.s.n, &bad)))
            return fail(err, SW_E_UNENCODABLE, SW_LAYER_UTF8, e->out->written,
                        "UTF8Deserializer items are str without lone surrogates (bytes when use_unicode=False)");
        st = sw_write_with_length(e->out, v->u.s.p, v->u.s.n);
        return st ? fail(err, st, SW_LAYER_UTF8, e->out->written, "write failed") : SW_OK;
    }
    case SW_SER_CHUNKED:
        if (v->kind != SW_K_BYTES && v->kind != SW_K_BYTEARRAY)
            return fail(err, SW_E_UNENCODABLE, SW_LAYER_CHUNKED, e->out->written, "ChunkedStream writes bytes");
        return chunked_write(e, w, v->u.s.p, v->u.s.n, err);
    default:
        return write_frame(e, w, v, err);
    }
}

sw_status sw_encoder_put(sw_encoder *e, const sw_value *item, sw_error *err)
{
    sw_status st;
    size_t i;
    if (err) sw_error_clear(err); /* [#errors.record] output only: cleared on entry */
    if (!e || !item) return SW_E_ARG;
    if (e->finished) return SW_E_STATE;
    st = put(e, e->root, item, err);
    /* The arena holds batch lists and (key, slice) tuples only while a
     * writer buffers them: when none does, everything in it is written and
     * it is reset, so encoding needs memory for one batch, not the stream */
    for (i = 0; i < e->npool; i++)
        if (e->pool[i].n) return st;
    sw_arena_reset(e->ar);
    return st;
}

static sw_status flush(sw_encoder *e, wr *w, sw_error *err)
{
    sw_status st = SW_OK;
    switch (w->s->kind) {
    case SW_SER_BATCHED:
        /* UNLIMITED writes one batch even when empty: `yield list(iterator)` */
        if (w->n > 0 || w->s->n == -1) st = emit_batch(e, w, w->n, err);
        if (st == SW_OK) st = flush(e, w->a, err);
        return st;
    case SW_SER_AUTOBATCHED:
        if (w->n > 0) st = emit_batch(e, w, w->n, err);
        return st;
    case SW_SER_FLATTENED:
        return flush(e, w->a, err);
    case SW_SER_PAIR:
        /* [#ser.pair.encode] the last, shorter group; an UNLIMITED group is
         * written even when empty, as each side's dump_stream writes `[]` */
        if (w->n == 0 && pair_group(w) != 0) return SW_OK;
        if ((st = pair_sides_ok(e, w, err)) != SW_OK) return st;
        return write_group(e, w, err);
    case SW_SER_CHUNKED:
        /* ChunkedStream.close [#chunked.close] */
        if (w->cpos > 0) {
            if ((st = sw_write_int(e->out, (int32_t)w->cpos)) == SW_OK) st = sw_sink_write(e->out, w->cbuf, w->cpos);
            w->cpos = 0;
        }
        if (st == SW_OK) st = sw_write_int(e->out, -1);
        return st ? fail(err, st, SW_LAYER_IO, e->out->written, "write failed") : SW_OK;
    default:
        return SW_OK;
    }
}

sw_status sw_encoder_finish(sw_encoder *e, sw_error *err)
{
    sw_status st;
    if (err) sw_error_clear(err); /* [#errors.record] */
    if (!e) return SW_E_ARG;
    if (e->finished) return SW_E_STATE;
    e->finished = 1;
    st = flush(e, e->root, err);
    return st;
}

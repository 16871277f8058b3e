/* Structure listing of a stream [#dis]: frames with offsets and lengths,
 * and each payload codec's listing inside. Never fails on garbage input: it
 * lists what it can and names the first fault. */
#include "internal/common.h"
#include "sparkwire/stream.h"

#define MAX_LEAVES 64

static size_t leaves(const sw_serializer *s, const sw_serializer **out, size_t n, size_t cap)
{
    if (n >= cap) return n;
    switch (s->kind) {
    case SW_SER_BATCHED: case SW_SER_AUTOBATCHED: case SW_SER_FLATTENED:
        return leaves(s->a, out, n, cap);
    case SW_SER_PAIR: case SW_SER_CARTESIAN:
        n = leaves(s->a, out, n, cap);
        return leaves(s->b, out, n, cap);
    default:
        out[n] = s;
        return n + 1;
    }
}

static sw_status dis_payload(const sw_serializer *s, const uint8_t *p, size_t n, uint64_t base,
                             const sw_stream_opts *o, sw_buf *out, sw_error *err)
{
    sw_status st = SW_OK;
    switch (s->kind) {
    case SW_SER_PICKLE: case SW_SER_CLOUDPICKLE:
        return sw_pickle_dis(p, n, base, "    ", out, err);
    case SW_SER_MARSHAL: {
        sw_marshal_opts mo;
        sw_marshal_opts_default(&mo);
        mo.py2 = o->marshal_py2;
        return sw_marshal_dis(p, n, base, "    ", &mo, out, err);
    }
    case SW_SER_AUTO:
        if (n == 0) return sw_buf_puts(out, "    (empty AutoSerializer payload)\n");
        st = sw_buf_printf(out, "    %llu: tag %s\n", (unsigned long long)base,
                           p[0] == 'M' ? "'M' marshal" : p[0] == 'P' ? "'P' pickle" : "invalid");
        if (st != SW_OK) return st;
        if (p[0] == 'M') {
            sw_marshal_opts mo;
            sw_marshal_opts_default(&mo);
            return sw_marshal_dis(p + 1, n - 1, base + 1, "    ", &mo, out, err);
        }
        if (p[0] == 'P') return sw_pickle_dis(p + 1, n - 1, base + 1, "    ", out, err);
        return SW_OK;
    case SW_SER_COMPRESSED: {
        /* inflate without a listing of zlib internals */
        sw_serializer noop;
        (void)noop;
        return sw_buf_printf(out, "    zlib payload (%zu bytes compressed; `decode` inflates it)\n", n);
    }
    case SW_SER_NOOP:
        return sw_buf_printf(out, "    %zu raw bytes\n", n);
    default:
        return SW_OK;
    }
}

sw_status sw_stream_dis(const sw_serializer *s, sw_source *src, const sw_stream_opts *o, sw_buf *out,
                        sw_error *err)
{
    const sw_serializer *lv[MAX_LEAVES];
    size_t nl, k = 0;
    sw_stream_opts def;
    sw_status st;
    uint64_t max;
    if (err) sw_error_clear(err); /* [#errors.record] */
    if (!o) {
        sw_stream_opts_default(&def);
        o = &def;
    }
    max = o->limits.max_frame_bytes ? o->limits.max_frame_bytes : SW_DEFAULT_MAX_FRAME_BYTES;
    nl = leaves(s, lv, 0, MAX_LEAVES);
    for (;;) {
        int32_t len;
        uint64_t at = src->pos;
        const uint8_t *p;
        size_t got;
        sw_error e;
        sw_error_clear(&e);
        st = sw_read_int(src, &len, &e);
        if (st == SW_END) return sw_buf_printf(out, "%llu: end of stream\n", (unsigned long long)at);
        if (st != SW_OK) {
            if (err) *err = e;
            sw_buf_printf(out, "%llu: truncated length (%llu of 4 bytes)\n", (unsigned long long)at,
                          (unsigned long long)(src->pos - at));
            return st;
        }
        if (len < 0) {
            const char *name = sw_special_str(len);
            st = sw_buf_printf(out, "%llu: %s (%d)\n", (unsigned long long)at, name ? name : "negative length",
                               (int)len);
            if (st != SW_OK) return st;
            if (len == SW_NULL) continue;
            if (len == SW_END_OF_DATA_SECTION && s->kind != SW_SER_CHUNKED) {
                if (!sw_source_at_end(src))
                    sw_buf_printf(out, "%llu: bytes follow the section end (not read by PySpark)\n",
                                  (unsigned long long)src->pos);
                return SW_OK;
            }
            if (len == SW_END_OF_DATA_SECTION) return SW_OK;
            /* [#frame.negative] other negatives: stream.read(negative) on a
             * BufferedReader (what PySpark reads in production) raises
             * ValueError; io.BytesIO would read the rest as one payload */
            sw_buf_printf(out, "%llu: read(%d) raises ValueError (io.BytesIO would read the rest of the stream as "
                               "one payload)\n", (unsigned long long)at, (int)len);
            return SW_FAIL(err, name ? SW_E_UNEXPECTED_SPECIAL : SW_E_BAD_LENGTH, SW_LAYER_FRAME,
                           SW_PYEXC_VALUEERROR, at, 0, "read length must be non-negative or -1");
        } else {
            if ((uint64_t)len > max) {
                sw_buf_printf(out, "%llu: frame length %d over max_frame_bytes\n", (unsigned long long)at, (int)len);
                return SW_FAIL(err, SW_E_LIMIT_FRAME, SW_LAYER_FRAME, SW_PYEXC_NONE, at, 0, "frame too long");
            }
            st = sw_source_read(src, (size_t)len, &p, &got);
            if (st != SW_OK)
                return SW_FAIL(err, st, SW_LAYER_IO, SW_PYEXC_NONE, at + 4, 0, "read failed");
            if (got < (size_t)len)
                return sw_buf_printf(out, "%llu: frame length %d, only %zu bytes left (short read: end)\n",
                                     (unsigned long long)at, (int)len, got);
            st = sw_buf_printf(out, "%llu: frame length %d\n", (unsigned long long)at, (int)len);
        }
        if (st != SW_OK) return st;
        if (s->kind == SW_SER_UTF8 || s->kind == SW_SER_CHUNKED) {
            st = sw_buf_printf(out, "    %zu bytes of %s\n", got, s->kind == SW_SER_UTF8 ? "UTF-8" : "chunk data");
        } else {
            sw_error e2;
            sw_buf name;
            sw_buf_init(&name, NULL);
            sw_ser_format(lv[k % nl], &name);
            sw_buf_printf(out, "    [%.*s]\n", (int)name.n, name.p ? (const char *)name.p : "");
            sw_buf_free(&name);
            sw_error_clear(&e2);
            if (dis_payload(lv[k % nl], p, got, at + 4, o, out, &e2) != SW_OK && e2.msg)
                sw_buf_printf(out, "    error: %s\n", e2.msg);
            k++;
        }
        if (st != SW_OK) return st;
    }
}

/* Growable buffers, byte sources and sinks, and the wire layer [#wire] [#io]. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "internal/common.h"

/* ---- sw_buf ---- */

void sw_buf_init(sw_buf *b, const sw_alloc *al)
{
    memset(b, 0, sizeof *b);
    b->al = al;
}

void sw_buf_free(sw_buf *b)
{
    sw__free(b->al, b->p, b->cap);
    b->p = NULL;
    b->n = b->cap = 0;
}

sw_status sw_buf_reserve(sw_buf *b, size_t extra)
{
    size_t need, ncap;
    uint8_t *np;
    if (!sw_add_ok(b->n, extra, &need)) return SW_E_NOMEM;
    if (b->max && need > b->max) return SW_E_LIMIT_TOTAL;
    if (need <= b->cap) return SW_OK;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    np = (uint8_t *)sw__realloc(b->al, b->p, b->cap, ncap);
    if (!np) return SW_E_NOMEM;
    b->p = np;
    b->cap = ncap;
    return SW_OK;
}

sw_status sw_buf_put(sw_buf *b, const void *p, size_t n)
{
    sw_status st;
    if (n == 0) return SW_OK;
    st = sw_buf_reserve(b, n);
    if (st != SW_OK) return st;
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return SW_OK;
}

sw_status sw_buf_putc(sw_buf *b, uint8_t c) { return sw_buf_put(b, &c, 1); }

sw_status sw_buf_puts(sw_buf *b, const char *s) { return sw_buf_put(b, s, strlen(s)); }

sw_status sw_buf_printf(sw_buf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    sw_status st;
    char small[256];
    va_start(ap, fmt);
    k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0) return SW_E_ARG;
    if ((size_t)k < sizeof small) return sw_buf_put(b, small, (size_t)k);
    st = sw_buf_reserve(b, (size_t)k + 1);
    if (st != SW_OK) return st;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
    return SW_OK;
}

/* ---- sources [#io.source] ---- */

void sw_source_mem(sw_source *s, const uint8_t *p, size_t n)
{
    memset(s, 0, sizeof *s);
    s->mem = p;
    s->mem_len = n;
    s->fd = -1;
}

static sw_status fd_read(void *ctx, uint8_t *dst, size_t cap, size_t *got)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t r = read(fd, dst, cap);
        if (r >= 0) {
            *got = (size_t)r;
            return SW_OK;
        }
        if (errno != EINTR) return SW_E_IO_READ;
    }
}

void sw_source_cb(sw_source *s, sw_read_fn fn, void *ctx, size_t chunk, const sw_alloc *al)
{
    memset(s, 0, sizeof *s);
    s->read_fn = fn;
    s->read_ctx = ctx;
    s->fd = -1;
    s->chunk = chunk ? chunk : 65536;
    s->al = al;
}

void sw_source_fd(sw_source *s, int fd, const sw_alloc *al)
{
    sw_source_cb(s, fd_read, NULL, 65536, al);
    s->fd = fd;
    s->read_ctx = &s->fd;
}

void sw_source_free(sw_source *s)
{
    if (s->buf) sw__free(s->al, s->buf, s->buf_cap);
    s->buf = NULL;
    s->buf_cap = s->buf_start = s->buf_end = 0;
}

/* Make the window hold at least n bytes (or all that is left). The buffer
 * grows only as bytes arrive [#limits.no-prealloc]. */
static sw_status fill(sw_source *s, size_t n)
{
    while (s->buf_end - s->buf_start < n && !s->eof) {
        size_t avail = s->buf_end - s->buf_start, want, got = 0;
        sw_status st;
        /* compact */
        if (s->buf_start > 0) {
            if (avail) memmove(s->buf, s->buf + s->buf_start, avail);
            s->buf_start = 0;
            s->buf_end = avail;
        }
        if (s->buf_cap - s->buf_end < s->chunk && s->buf_cap - s->buf_end < n - avail) {
            size_t ncap = s->buf_cap ? s->buf_cap : s->chunk, need;
            uint8_t *nb;
            if (!sw_add_ok(avail, s->chunk, &need)) return SW_E_NOMEM;
            while (ncap < need) {
                if (ncap > SIZE_MAX / 2) return SW_E_NOMEM;
                ncap *= 2;
            }
            nb = (uint8_t *)sw__realloc(s->al, s->buf, s->buf_cap, ncap);
            if (!nb) return SW_E_NOMEM;
            s->buf = nb;
            s->buf_cap = ncap;
        }
        want = s->buf_cap - s->buf_end;
        st = s->read_fn(s->read_ctx, s->buf + s->buf_end, want, &got);
        if (st != SW_OK) return st;
        if (got == 0)
            s->eof = 1;
        else
            s->buf_end += got;
    }
    return SW_OK;
}

sw_status sw_source_read(sw_source *s, size_t n, const uint8_t **p, size_t *got)
{
    if (!s->read_fn) {
        size_t left = s->mem_len - (size_t)s->pos;
        size_t k = n <= left ? n : left;
        *p = s->mem ? s->mem + s->pos : (const uint8_t *)"";
        *got = k;
        s->pos += k;
        return SW_OK;
    } else {
        size_t avail, k;
        sw_status st = fill(s, n);
        if (st != SW_OK) return st;
        avail = s->buf_end - s->buf_start;
        k = n <= avail ? n : avail;
        *p = s->buf ? s->buf + s->buf_start : (const uint8_t *)"";
        *got = k;
        s->buf_start += k;
        s->pos += k;
        return SW_OK;
    }
}

sw_status sw_source_read_all(sw_source *s, uint64_t max, const uint8_t **p, size_t *got)
{
    if (!s->read_fn) {
        size_t left = s->mem_len - (size_t)s->pos;
        if ((uint64_t)left > max) return SW_E_LIMIT_FRAME;
        return sw_source_read(s, left, p, got);
    } else {
        /* read until EOF, growing as bytes arrive */
        while (!s->eof) {
            size_t avail = s->buf_end - s->buf_start, want;
            sw_status st;
            if ((uint64_t)avail > max) return SW_E_LIMIT_FRAME;
            if (!sw_add_ok(avail, s->chunk, &want)) return SW_E_NOMEM;
            st = fill(s, want);
            if (st != SW_OK) return st;
        }
        if ((uint64_t)(s->buf_end - s->buf_start) > max) return SW_E_LIMIT_FRAME;
        return sw_source_read(s, s->buf_end - s->buf_start, p, got);
    }
}

int sw_source_at_end(sw_source *s)
{
    if (!s->read_fn) return s->pos >= s->mem_len;
    if (fill(s, 1) != SW_OK) return 1;
    return s->buf_end == s->buf_start;
}

/* ---- sinks [#io.sink] ---- */

static sw_status buf_write(void *ctx, const uint8_t *p, size_t n)
{
    return sw_buf_put((sw_buf *)ctx, p, n);
}

static sw_status fd_write(void *ctx, const uint8_t *p, size_t n)
{
    int fd = *(int *)ctx;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return SW_E_IO_WRITE;
        }
        p += w;
        n -= (size_t)w;
    }
    return SW_OK;
}

void sw_sink_buf(sw_sink *k, sw_buf *b)
{
    memset(k, 0, sizeof *k);
    k->write_fn = buf_write;
    k->ctx = b;
    k->mem = b;
    k->fd = -1;
}

void sw_sink_fd(sw_sink *k, int fd)
{
    memset(k, 0, sizeof *k);
    k->fd = fd;
    k->write_fn = fd_write;
    k->ctx = &k->fd;
}

sw_status sw_sink_write(sw_sink *k, const void *p, size_t n)
{
    sw_status st;
    if (n == 0) return SW_OK;
    st = k->write_fn(k->ctx, (const uint8_t *)p, n);
    if (st == SW_OK) k->written += n;
    return st;
}

/* ---- wire layer [#wire] ---- */

const char *sw_special_str(int32_t v)
{
    switch (v) {
    case SW_END_OF_DATA_SECTION: return "END_OF_DATA_SECTION";
    case SW_PYTHON_EXCEPTION_THROWN: return "PYTHON_EXCEPTION_THROWN";
    case SW_TIMING_DATA: return "TIMING_DATA";
    case SW_END_OF_STREAM: return "END_OF_STREAM";
    case SW_NULL: return "NULL";
    case SW_START_ARROW_STREAM: return "START_ARROW_STREAM";
    default: return NULL;
    }
}

void sw_put_be32(uint8_t *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    p[0] = (uint8_t)(u >> 24);
    p[1] = (uint8_t)(u >> 16);
    p[2] = (uint8_t)(u >> 8);
    p[3] = (uint8_t)u;
}

void sw_put_be64(uint8_t *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    int i;
    for (i = 0; i < 8; i++) p[i] = (uint8_t)(u >> (56 - 8 * i));
}

int32_t sw_get_be32(const uint8_t *p)
{
    uint32_t u = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    return (int32_t)u;
}

int64_t sw_get_be64(const uint8_t *p)
{
    uint64_t u = 0;
    int i;
    for (i = 0; i < 8; i++) u = (u << 8) | p[i];
    return (int64_t)u;
}

/* read_int/read_long/read_bool: `stream.read(k)`; nothing -> EOFError (SW_END);
 * 1..k-1 bytes -> struct.error (SW_E_TRUNCATED_LENGTH) [#wire.int32] */
static sw_status read_fixed(sw_source *s, size_t k, const uint8_t **p, sw_error *err)
{
    uint64_t at = s->pos;
    size_t got;
    sw_status st = sw_source_read(s, k, p, &got);
    if (st != SW_OK) return SW_FAIL(err, st, SW_LAYER_IO, SW_PYEXC_OTHER, at, 0, "read failed");
    if (got == 0) return SW_END;
    if (got < k)
        return SW_FAIL(err, SW_E_TRUNCATED_LENGTH, SW_LAYER_WIRE, SW_PYEXC_STRUCTERROR, at, got,
                       "stream ended inside a big-endian integer");
    return SW_OK;
}

sw_status sw_read_int(sw_source *s, int32_t *v, sw_error *err)
{
    const uint8_t *p;
    sw_status st = read_fixed(s, 4, &p, err);
    if (st == SW_OK) *v = sw_get_be32(p);
    return st;
}

sw_status sw_read_long(sw_source *s, int64_t *v, sw_error *err)
{
    const uint8_t *p;
    sw_status st = read_fixed(s, 8, &p, err);
    if (st == SW_OK) *v = sw_get_be64(p);
    return st;
}

sw_status sw_read_bool(sw_source *s, int *v, sw_error *err)
{
    const uint8_t *p;
    sw_status st = read_fixed(s, 1, &p, err);
    if (st == SW_OK) *v = p[0] != 0; /* [#wire.bool] */
    return st;
}

sw_status sw_write_int(sw_sink *k, int32_t v)
{
    uint8_t b[4];
    sw_put_be32(b, v);
    return sw_sink_write(k, b, 4);
}

sw_status sw_write_long(sw_sink *k, int64_t v)
{
    uint8_t b[8];
    sw_put_be64(b, v);
    return sw_sink_write(k, b, 8);
}

sw_status sw_write_bool(sw_sink *k, int v)
{
    uint8_t b = v ? 1 : 0;
    return sw_sink_write(k, &b, 1);
}

sw_status sw_write_with_length(sw_sink *k, const uint8_t *p, size_t n)
{
    sw_status st;
    /* [#wire.write_with_length] struct.pack('!i') rejects lengths >= 2**31 */
    if (n > (size_t)INT32_MAX) return SW_E_ARG;
    st = sw_write_int(k, (int32_t)n);
    if (st != SW_OK) return st;
    return sw_sink_write(k, p, n);
}

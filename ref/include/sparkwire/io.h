/*
 * Byte sources and sinks, growable buffers, and the wire layer [#wire].
 */
#ifndef SPARKWIRE_IO_H
#define SPARKWIRE_IO_H

#include "sparkwire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- growable byte buffer ---- */

typedef struct sw_buf {
    uint8_t *p;
    size_t n, cap;
    const sw_alloc *al; /* NULL = libc */
    uint64_t max;       /* 0 = no limit; exceeding it is SW_E_LIMIT_TOTAL */
} sw_buf;

void sw_buf_init(sw_buf *b, const sw_alloc *al);
void sw_buf_free(sw_buf *b);
/* Make room for extra more bytes (geometric growth). */
sw_status sw_buf_reserve(sw_buf *b, size_t extra);
sw_status sw_buf_put(sw_buf *b, const void *p, size_t n);
sw_status sw_buf_putc(sw_buf *b, uint8_t c);
sw_status sw_buf_puts(sw_buf *b, const char *s);
sw_status sw_buf_printf(sw_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- sources [#io.source] ----
 * A source hands out bytes as Python's BufferedReader.read(n) does: up to n
 * bytes, fewer only at end of input. */

typedef struct sw_source sw_source;
typedef sw_status (*sw_read_fn)(void *ctx, uint8_t *dst, size_t cap, size_t *got);

struct sw_source {
    /* memory */
    const uint8_t *mem;
    size_t mem_len;
    /* callback or fd, buffered */
    sw_read_fn read_fn;
    void *read_ctx;
    int fd;
    uint8_t *buf;    /* window of bytes read but not consumed */
    size_t buf_start, buf_end, buf_cap;
    size_t chunk;    /* bytes asked of read_fn per call */
    const sw_alloc *al;
    int eof;
    /* common */
    uint64_t pos;    /* bytes consumed so far: the stream offset */
    uint64_t max_buffer; /* largest window the fd source may hold */
};

/* A source over memory; p must stay valid while the source is used. */
void sw_source_mem(sw_source *s, const uint8_t *p, size_t n);
/* A source over a file descriptor; it buffers no more than the largest
 * request (one frame) plus chunk bytes. al NULL = libc. */
void sw_source_fd(sw_source *s, int fd, const sw_alloc *al);
/* A source over a read callback (returns SW_OK with *got 0 at end). */
void sw_source_cb(sw_source *s, sw_read_fn fn, void *ctx, size_t chunk, const sw_alloc *al);
void sw_source_free(sw_source *s);

/* Read up to n bytes: *p points at them (valid until the next call), *got
 * tells how many (fewer than n only at end of input). Memory is grown only
 * as bytes arrive. */
sw_status sw_source_read(sw_source *s, size_t n, const uint8_t **p, size_t *got);
/* Read everything left (Python's read(-1)), up to max bytes; more than max
 * is SW_E_LIMIT_FRAME. */
sw_status sw_source_read_all(sw_source *s, uint64_t max, const uint8_t **p, size_t *got);
/* 1 if no byte is left (may block on fds to find out). */
int sw_source_at_end(sw_source *s);

/* ---- sinks [#io.sink] ---- */

typedef struct sw_sink {
    sw_status (*write_fn)(void *ctx, const uint8_t *p, size_t n);
    void *ctx;
    uint64_t written;
    sw_buf *mem; /* when writing to memory */
    int fd;
} sw_sink;

void sw_sink_buf(sw_sink *k, sw_buf *b);
void sw_sink_fd(sw_sink *k, int fd);
sw_status sw_sink_write(sw_sink *k, const void *p, size_t n);

/* ---- wire layer [#wire] ---- */

/* SpecialLengths [#wire.special] */
#define SW_END_OF_DATA_SECTION (-1)
#define SW_PYTHON_EXCEPTION_THROWN (-2)
#define SW_TIMING_DATA (-3)
#define SW_END_OF_STREAM (-4)
#define SW_NULL (-5)
#define SW_START_ARROW_STREAM (-6)

/* Name of a special length ("END_OF_DATA_SECTION"), or NULL. */
const char *sw_special_str(int32_t v);

void sw_put_be32(uint8_t *p, int32_t v);
void sw_put_be64(uint8_t *p, int64_t v);
int32_t sw_get_be32(const uint8_t *p);
int64_t sw_get_be64(const uint8_t *p);

/* read_int / read_long / read_bool [#wire.int32] [#wire.int64] [#wire.bool]:
 * SW_END when no byte is left (Python's EOFError), SW_E_TRUNCATED_LENGTH
 * when 1..size-1 bytes are left (Python's struct.error). err may be NULL. */
sw_status sw_read_int(sw_source *s, int32_t *v, sw_error *err);
sw_status sw_read_long(sw_source *s, int64_t *v, sw_error *err);
/* bool: any non-zero byte is True, as struct's '?' */
sw_status sw_read_bool(sw_source *s, int *v, sw_error *err);

sw_status sw_write_int(sw_sink *k, int32_t v);
sw_status sw_write_long(sw_sink *k, int64_t v);
sw_status sw_write_bool(sw_sink *k, int v);
/* write_with_length [#wire.write_with_length]: length > 2^31-1 is SW_E_ARG. */
sw_status sw_write_with_length(sw_sink *k, const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif

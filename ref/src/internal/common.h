/*
 * Private helpers shared across the library: the failure macro, the bounds-
 * checked cursor, overflow-checked size arithmetic, allocation wrappers and a
 * pointer-keyed hash map. Not installed.
 */
#ifndef SW_INTERNAL_COMMON_H
#define SW_INTERNAL_COMMON_H

#include <stdint.h>
#include <string.h>

#include "sparkwire/codec.h"
#include "sparkwire/io.h"
#include "sparkwire/sparkwire.h"
#include "sparkwire/value.h"

#ifdef SW_DEBUG
#define SW__FILE __FILE__
#define SW__LINE __LINE__
#else
#define SW__FILE NULL
#define SW__LINE 0
#endif

/* Record a failure in err (may be NULL) and return its status. */
sw_status sw__fail(sw_error *err, sw_status st, sw_layer layer, sw_pyexc pyexc, uint64_t offset,
                   uint64_t payload_offset, const char *msg, const char *file, int line);

/* The one failure macro [#errors.record]: records status, layer, Python
 * exception, stream offset, payload offset and (debug builds) file and line. */
#define SW_FAIL(err, st, layer, pyexc, off, poff, msg) \
    sw__fail((err), (st), (layer), (pyexc), (off), (poff), (msg), SW__FILE, SW__LINE)

/* ---- overflow-checked sizes ---- */

static inline int sw_add_ok(size_t a, size_t b, size_t *r)
{
    if (a > SIZE_MAX - b) return 0;
    *r = a + b;
    return 1;
}

static inline int sw_mul_ok(size_t a, size_t b, size_t *r)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *r = a * b;
    return 1;
}

/* ---- the cursor: every read of a payload goes through it ----
 * Checks are written n <= len - pos, never pos + n <= len. */
typedef struct sw_cursor {
    const uint8_t *p;
    size_t len;
    size_t pos;
} sw_cursor;

static inline void sw_cur_init(sw_cursor *c, const uint8_t *p, size_t n)
{
    c->p = p;
    c->len = n;
    c->pos = 0;
}

static inline size_t sw_cur_left(const sw_cursor *c) { return c->len - c->pos; }

static inline int sw_cur_has(const sw_cursor *c, size_t n) { return n <= c->len - c->pos; }

/* Pointer to the next n bytes and advance, or NULL (nothing consumed). */
static inline const uint8_t *sw_cur_take(sw_cursor *c, size_t n)
{
    const uint8_t *r;
    if (n > c->len - c->pos) return NULL;
    r = c->p + c->pos;
    c->pos += n;
    return r;
}

/* ---- allocation through a sw_alloc (NULL = libc) ---- */

void *sw__malloc(const sw_alloc *a, size_t n);
void *sw__realloc(const sw_alloc *a, void *p, size_t old_n, size_t new_n);
void sw__free(const sw_alloc *a, void *p, size_t n);

/* ---- pointer-keyed hash map (open addressing), values uint64 ---- */

typedef struct sw_ptrmap {
    const void **keys;
    uint64_t *vals;
    size_t cap; /* power of two or 0 */
    size_t n;
    const sw_alloc *al;
} sw_ptrmap;

void sw_ptrmap_init(sw_ptrmap *m, const sw_alloc *al);
void sw_ptrmap_free(sw_ptrmap *m);
/* Returns pointer to the value slot for key, or NULL if absent. */
uint64_t *sw_ptrmap_get(const sw_ptrmap *m, const void *key);
/* Insert or overwrite. */
sw_status sw_ptrmap_put(sw_ptrmap *m, const void *key, uint64_t val);
/* Make room for n entries in all, so that the next puts up to n entries do
 * not rehash. For sizes known from a graph in memory, never from a count
 * read from input. SW_OK or SW_E_NOMEM (the map is left usable). */
sw_status sw_ptrmap_reserve(sw_ptrmap *m, size_t n);

/* ---- sw_buf appends inline: room in the buffer and under its max, else
 * the out-of-line sw_buf_put (which grows it or fails) ---- */

static inline sw_status sw_buf_put_inline(sw_buf *b, const void *p, size_t n)
{
    if (n && n <= b->cap - b->n && (!b->max || (b->n <= b->max && n <= b->max - b->n))) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
        return SW_OK;
    }
    return sw_buf_put(b, p, n);
}

static inline sw_status sw_buf_putc_inline(sw_buf *b, uint8_t c)
{
    if (b->n < b->cap && (!b->max || b->n < b->max)) {
        b->p[b->n++] = c;
        return SW_OK;
    }
    return sw_buf_put(b, &c, 1);
}

/* ---- UTF-8 ---- */

/* Python's strict UTF-8 decoder: 1 if p[0..n) is valid (no surrogates),
 * else 0 with *bad at the first invalid byte offset. */
int sw_utf8_valid(const uint8_t *p, size_t n, size_t *bad);
/* Valid with surrogatepass: like sw_utf8_valid but lone surrogates
 * (ED A0..BF xx) are allowed. */
int sw_utf8_valid_surrogatepass(const uint8_t *p, size_t n, size_t *bad);
/* Decode one code point of (surrogatepass) UTF-8 at p (n bytes left);
 * returns its length, or 0 if invalid. */
size_t sw_utf8_decode1(const uint8_t *p, size_t n, uint32_t *cp);
/* Encode cp (surrogates allowed) into out (4 bytes room); returns length. */
size_t sw_utf8_encode1(uint32_t cp, uint8_t *out);

/* ---- floats ---- */

/* Python's repr(float): shortest text that round-trips ("1.5", "1e+100",
 * "inf", "nan", "-0.0"). buf needs 32 bytes. Returns length. */
size_t sw_float_repr(double d, char *buf);


/* ---- pickle ---- */

/* [#pickle.resolve] one node (a REDUCE as the decoder makes it, a GLOBAL)
 * turned in place into what CPython's load gets for it: a builtin call's
 * value, Ellipsis, StopIteration; SW_OK also when it stays symbolic. Any
 * other status but nomem leaves v unchanged, with err filled. The resolve
 * pass runs it on every node; the decoder on each REDUCE
 * [#pickle.resolve.reduce]. */
sw_status sw__pickle_resolve_call(sw_arena *ar, sw_value *v, const sw_pickle_opts *o, sw_error *err);

/* ---- Python hashing and a set of values keyed by Python equality ----
 * Used by decoders to merge equal dict keys and set members as CPython does
 * [#value.keys]. sw_v_pyhash: 0 on success, -1 if unhashable (TypeError),
 * -2 if too deep. Equal values (sw_v_pyeq) hash equally. */
int sw_v_pyhash(const sw_value *v, uint32_t depth, uint64_t *h);

typedef struct sw_vset {
    const sw_value **keys;
    uint64_t *hashes;
    size_t *idx;   /* caller's index for each key */
    size_t cap, n;
    const sw_alloc *al;
    uint32_t depth;
} sw_vset;

void sw_vset_init(sw_vset *s, const sw_alloc *al, uint32_t depth);
void sw_vset_free(sw_vset *s);
/* Look k up; if an equal key is present set *found=1 and *idx to its index,
 * else insert it with index idx_new and set *found=0. Returns SW_OK,
 * SW_E_UNHASHABLE, SW_E_LIMIT_DEPTH or SW_E_NOMEM. */
sw_status sw_vset_add(sw_vset *s, const sw_value *k, size_t idx_new, int *found, size_t *idx);

#endif

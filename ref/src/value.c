/* The value graph and its arena [#value]. */
#include <math.h>
#include <stdlib.h>

#include "internal/common.h"

typedef struct sw_block {
    struct sw_block *next;
    size_t cap, used;
    /* data follows, 16-byte aligned */
} sw_block;

#define BLOCK_HDR ((sizeof(sw_block) + 15u) & ~(size_t)15u)
#define BLOCK_MIN (64u * 1024u)

struct sw_arena {
    const sw_alloc *al;
    sw_limits lim;
    sw_block *head;   /* current block (others follow) */
    uint64_t nodes;
    uint64_t bytes;   /* bytes handed out */
    sw_status status;
    void *last;       /* last allocation, for in-place growth */
    size_t last_n;
};

sw_arena *sw_arena_new(const sw_alloc *a, const sw_limits *l)
{
    sw_arena *ar = (sw_arena *)sw__malloc(a, sizeof *ar);
    if (!ar) return NULL;
    memset(ar, 0, sizeof *ar);
    ar->al = a;
    if (l)
        ar->lim = *l;
    else
        memset(&ar->lim, 0, sizeof ar->lim);
    sw_limits_fill(&ar->lim);
    return ar;
}

static void free_blocks(sw_arena *ar, sw_block *b)
{
    while (b) {
        sw_block *n = b->next;
        sw__free(ar->al, b, BLOCK_HDR + b->cap);
        b = n;
    }
}

void sw_arena_free(sw_arena *ar)
{
    if (!ar) return;
    free_blocks(ar, ar->head);
    sw__free(ar->al, ar, sizeof *ar);
}

void sw_arena_reset(sw_arena *ar)
{
    if (!ar) return;
    if (ar->head) {
        /* keep the first-allocated largest block? keep the current one */
        free_blocks(ar, ar->head->next);
        ar->head->next = NULL;
        ar->head->used = 0;
    }
    ar->nodes = 0;
    ar->bytes = 0;
    ar->status = SW_OK;
    ar->last = NULL;
    ar->last_n = 0;
}

sw_status sw_arena_status(const sw_arena *ar) { return ar->status; }
uint64_t sw_arena_nodes(const sw_arena *ar) { return ar->nodes; }
uint64_t sw_arena_bytes(const sw_arena *ar) { return ar->bytes; }
const sw_limits *sw_arena_limits(const sw_arena *ar) { return &ar->lim; }
const sw_alloc *sw_arena_alloc(const sw_arena *ar) { return ar->al; }

static void *arena_fail(sw_arena *ar, sw_status st)
{
    if (ar->status == SW_OK) ar->status = st;
    return NULL;
}

void *sw_arena_mem(sw_arena *ar, size_t n)
{
    size_t need = (n + 15u) & ~(size_t)15u;
    sw_block *b = ar->head;
    void *p;
    if (need < n) return arena_fail(ar, SW_E_NOMEM);
    /* [#limits.total] bytes held by one arena */
    if (ar->bytes > ar->lim.max_total_bytes || need > ar->lim.max_total_bytes - ar->bytes)
        return arena_fail(ar, SW_E_LIMIT_TOTAL);
    if (!b || need > b->cap - b->used) {
        size_t cap = BLOCK_MIN;
        if (b && b->cap < (SIZE_MAX / 4) && b->cap * 2 > cap) cap = b->cap * 2;
        if (cap > 16u * 1024u * 1024u) cap = 16u * 1024u * 1024u;
        if (need > cap) cap = need;
        if (cap > SIZE_MAX - BLOCK_HDR) return arena_fail(ar, SW_E_NOMEM);
        b = (sw_block *)sw__malloc(ar->al, BLOCK_HDR + cap);
        if (!b) return arena_fail(ar, SW_E_NOMEM);
        b->cap = cap;
        b->used = 0;
        b->next = ar->head;
        ar->head = b;
    }
    p = (uint8_t *)b + BLOCK_HDR + b->used;
    b->used += need;
    ar->bytes += need;
    ar->last = p;
    ar->last_n = need;
    return p;
}

void *sw_arena_grow(sw_arena *ar, void *p, size_t old_n, size_t new_n)
{
    void *q;
    if (new_n <= old_n) return p;
    if (p && p == ar->last && ar->head) {
        size_t need = (new_n + 15u) & ~(size_t)15u;
        sw_block *b = ar->head;
        if (need >= new_n && need >= ar->last_n && need - ar->last_n <= b->cap - b->used &&
            ar->bytes + (need - ar->last_n) <= ar->lim.max_total_bytes) {
            b->used += need - ar->last_n;
            ar->bytes += need - ar->last_n;
            ar->last_n = need;
            return p;
        }
    }
    q = sw_arena_mem(ar, new_n);
    if (!q) return NULL;
    if (p && old_n) memcpy(q, p, old_n);
    return q;
}

/* ---- constructors ---- */

sw_value *sw_v_new(sw_arena *ar, sw_kind k)
{
    sw_value *v;
    /* [#limits.nodes] */
    if (ar->nodes >= ar->lim.max_nodes) return (sw_value *)arena_fail(ar, SW_E_LIMIT_NODES);
    v = (sw_value *)sw_arena_mem(ar, sizeof *v);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->kind = (uint8_t)k;
    ar->nodes++;
    return v;
}

sw_value *sw_v_none(sw_arena *ar) { return sw_v_new(ar, SW_K_NONE); }

sw_value *sw_v_bool(sw_arena *ar, int b)
{
    sw_value *v = sw_v_new(ar, SW_K_BOOL);
    if (v) v->u.b = b ? 1 : 0;
    return v;
}

sw_value *sw_v_int(sw_arena *ar, int64_t i)
{
    sw_value *v = sw_v_new(ar, SW_K_INT);
    if (v) v->u.i = i;
    return v;
}

sw_value *sw_v_int_mag(sw_arena *ar, int neg, const uint8_t *mag, size_t n)
{
    sw_value *v;
    uint8_t *m;
    while (n > 0 && mag[n - 1] == 0) n--;
    if (n <= 8) {
        uint64_t u = 0;
        size_t i;
        for (i = n; i > 0; i--) u = (u << 8) | mag[i - 1];
        if (!neg && u <= (uint64_t)INT64_MAX) return sw_v_int(ar, (int64_t)u);
        if (neg && u <= (uint64_t)INT64_MAX) return sw_v_int(ar, -(int64_t)u);
        if (neg && u == (uint64_t)INT64_MAX + 1u) return sw_v_int(ar, INT64_MIN);
    }
    v = sw_v_new(ar, SW_K_INT);
    if (!v) return NULL;
    m = (uint8_t *)sw_arena_mem(ar, n);
    if (!m) return NULL;
    memcpy(m, mag, n);
    v->flags |= SW_VF_BIG;
    v->u.big.mag = m;
    v->u.big.n = n;
    v->u.big.neg = neg ? 1 : 0;
    return v;
}

sw_value *sw_v_int_le2c(sw_arena *ar, const uint8_t *p, size_t n)
{
    uint8_t *tmp;
    size_t i;
    int neg;
    sw_value *v;
    unsigned carry = 1;
    if (n == 0) return sw_v_int(ar, 0);
    neg = (p[n - 1] & 0x80) != 0;
    if (!neg) return sw_v_int_mag(ar, 0, p, n);
    /* magnitude = ~x + 1; built in scratch arena memory then copied */
    tmp = (uint8_t *)sw_arena_mem(ar, n);
    if (!tmp) return NULL;
    for (i = 0; i < n; i++) {
        unsigned b = (uint8_t)~p[i] + carry;
        tmp[i] = (uint8_t)b;
        carry = b >> 8;
    }
    v = sw_v_int_mag(ar, 1, tmp, n);
    return v;
}

sw_value *sw_v_float(sw_arena *ar, double f)
{
    sw_value *v = sw_v_new(ar, SW_K_FLOAT);
    if (v) v->u.f = f;
    return v;
}

sw_value *sw_v_complex(sw_arena *ar, double re, double im)
{
    sw_value *v = sw_v_new(ar, SW_K_COMPLEX);
    if (v) {
        v->u.cx.re = re;
        v->u.cx.im = im;
    }
    return v;
}

sw_value *sw_v_strlike(sw_arena *ar, sw_kind k, const uint8_t *p, size_t n)
{
    sw_value *v = sw_v_new(ar, k);
    uint8_t *d;
    if (!v) return NULL;
    d = (uint8_t *)sw_arena_mem(ar, n ? n : 1);
    if (!d) return NULL;
    if (n) memcpy(d, p, n);
    v->u.s.p = d;
    v->u.s.n = n;
    return v;
}

sw_value *sw_v_strlike_borrow(sw_arena *ar, sw_kind k, const uint8_t *p, size_t n)
{
    /* [#limits.total] borrowed bytes count as if copied, so a limit fires
     * the same way whichever source the bytes came from */
    size_t need = ((n ? n : 1) + 15u) & ~(size_t)15u;
    sw_value *v = sw_v_new(ar, k);
    if (!v) return NULL;
    if (need < n || ar->bytes > ar->lim.max_total_bytes || need > ar->lim.max_total_bytes - ar->bytes)
        return (sw_value *)arena_fail(ar, SW_E_LIMIT_TOTAL);
    ar->bytes += need;
    v->u.s.p = p;
    v->u.s.n = n;
    v->flags |= SW_VF_BORROWED;
    return v;
}

sw_value *sw_v_container(sw_arena *ar, sw_kind k, size_t cap)
{
    sw_value *v = sw_v_new(ar, k);
    size_t bytes;
    if (!v) return NULL;
    if (cap) {
        if (!sw_mul_ok(cap, sizeof(sw_value *), &bytes)) return (sw_value *)arena_fail(ar, SW_E_NOMEM);
        v->u.c.v = (sw_value **)sw_arena_mem(ar, bytes);
        if (!v->u.c.v) return NULL;
        v->u.c.cap = cap;
    }
    return v;
}

sw_status sw_v_push(sw_arena *ar, sw_value *c, sw_value *child)
{
    if (c->u.c.n == c->u.c.cap) {
        size_t ncap = c->u.c.cap ? c->u.c.cap * 2 : 4, ob, nb;
        sw_value **nv;
        if (!sw_mul_ok(ncap, sizeof(sw_value *), &nb)) return SW_E_NOMEM;
        ob = c->u.c.cap * sizeof(sw_value *);
        nv = (sw_value **)sw_arena_grow(ar, c->u.c.v, ob, nb);
        if (!nv) return ar->status ? ar->status : SW_E_NOMEM;
        c->u.c.v = nv;
        c->u.c.cap = ncap;
    }
    c->u.c.v[c->u.c.n++] = child;
    return SW_OK;
}

sw_status sw_v_mutate(sw_arena *ar, sw_value *obj, sw_mut_op op, sw_value *a, sw_value *b)
{
    if (obj->u.c.nmut == obj->u.c.capmut) {
        size_t ncap = obj->u.c.capmut ? obj->u.c.capmut * 2 : 2, nb;
        sw_mut *nm;
        if (!sw_mul_ok(ncap, sizeof(sw_mut), &nb)) return SW_E_NOMEM;
        nm = (sw_mut *)sw_arena_grow(ar, obj->u.c.mut, obj->u.c.capmut * sizeof(sw_mut), nb);
        if (!nm) return ar->status ? ar->status : SW_E_NOMEM;
        obj->u.c.mut = nm;
        obj->u.c.capmut = ncap;
    }
    obj->u.c.mut[obj->u.c.nmut].op = (uint8_t)op;
    obj->u.c.mut[obj->u.c.nmut].a = a;
    obj->u.c.mut[obj->u.c.nmut].b = b;
    obj->u.c.nmut++;
    return SW_OK;
}

/* ---- reading ---- */

static int has_children(const sw_value *v)
{
    switch (v->kind) {
    case SW_K_TUPLE: case SW_K_LIST: case SW_K_DICT: case SW_K_SET: case SW_K_FROZENSET:
    case SW_K_GLOBAL: case SW_K_OBJ: case SW_K_PERSID: case SW_K_CODE: case SW_K_NAMEDTUPLE:
        return 1;
    default:
        return 0;
    }
}

size_t sw_v_nchildren(const sw_value *v)
{
    size_t n, i;
    if (!has_children(v)) return 0;
    n = v->u.c.n;
    if (v->kind == SW_K_OBJ)
        for (i = 0; i < v->u.c.nmut; i++) n += v->u.c.mut[i].b ? 2 : 1;
    return n;
}

sw_value *sw_v_child(const sw_value *v, size_t i)
{
    size_t k;
    if (!has_children(v)) return NULL;
    if (i < v->u.c.n) return v->u.c.v[i];
    if (v->kind != SW_K_OBJ) return NULL;
    i -= v->u.c.n;
    for (k = 0; k < v->u.c.nmut; k++) {
        if (i == 0) return v->u.c.mut[k].a;
        if (v->u.c.mut[k].b) {
            if (i == 1) return v->u.c.mut[k].b;
            i -= 2;
        } else {
            i -= 1;
        }
    }
    return NULL;
}

int sw_v_identity_shown(const sw_value *v)
{
    /* [#notation.identity] */
    switch (v->kind) {
    case SW_K_LIST: case SW_K_DICT: case SW_K_SET: case SW_K_BYTEARRAY: case SW_K_OBJ:
        return 1;
    case SW_K_TUPLE: case SW_K_FROZENSET:
        return v->u.c.n > 0;
    default:
        return 0;
    }
}

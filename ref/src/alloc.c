/* The allocator [#api.alloc] and the pointer map. */
#include <stdlib.h>

#include "internal/common.h"

static void *libc_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n ? n : 1);
}

static void *libc_realloc(void *ctx, void *p, size_t old_n, size_t new_n)
{
    (void)ctx;
    (void)old_n;
    return realloc(p, new_n ? new_n : 1);
}

static void libc_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static const sw_alloc libc_alloc = {NULL, libc_malloc, libc_realloc, libc_free};

const sw_alloc *sw_alloc_libc(void) { return &libc_alloc; }

void *sw__malloc(const sw_alloc *a, size_t n)
{
    if (!a) a = &libc_alloc;
    return a->malloc_fn(a->ctx, n);
}

void *sw__realloc(const sw_alloc *a, void *p, size_t old_n, size_t new_n)
{
    if (!a) a = &libc_alloc;
    if (!p) return a->malloc_fn(a->ctx, new_n);
    return a->realloc_fn(a->ctx, p, old_n, new_n);
}

void sw__free(const sw_alloc *a, void *p, size_t n)
{
    if (!p) return;
    if (!a) a = &libc_alloc;
    a->free_fn(a->ctx, p, n);
}

/* ---- pointer map ---- */

static size_t ptr_hash(const void *k)
{
    uint64_t x = (uint64_t)(uintptr_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

void sw_ptrmap_init(sw_ptrmap *m, const sw_alloc *al)
{
    memset(m, 0, sizeof *m);
    m->al = al;
}

void sw_ptrmap_free(sw_ptrmap *m)
{
    sw__free(m->al, m->keys, m->cap * sizeof *m->keys);
    sw__free(m->al, m->vals, m->cap * sizeof *m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}

uint64_t *sw_ptrmap_get(const sw_ptrmap *m, const void *key)
{
    size_t i, mask;
    if (!m->cap) return NULL;
    mask = m->cap - 1;
    for (i = ptr_hash(key) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == key) return &m->vals[i];
        if (m->keys[i] == NULL) return NULL;
    }
}

static sw_status ptrmap_grow(sw_ptrmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64, i, j, mask = ncap - 1;
    const void **nk;
    uint64_t *nv;
    if (ncap > SIZE_MAX / sizeof(uint64_t)) return SW_E_NOMEM;
    nk = (const void **)sw__malloc(m->al, ncap * sizeof *nk);
    nv = (uint64_t *)sw__malloc(m->al, ncap * sizeof *nv);
    if (!nk || !nv) {
        sw__free(m->al, (void *)nk, ncap * sizeof *nk);
        sw__free(m->al, nv, ncap * sizeof *nv);
        return SW_E_NOMEM;
    }
    memset((void *)nk, 0, ncap * sizeof *nk);
    for (i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        for (j = ptr_hash(m->keys[i]) & mask; nk[j]; j = (j + 1) & mask) {
        }
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    sw__free(m->al, (void *)m->keys, m->cap * sizeof *m->keys);
    sw__free(m->al, m->vals, m->cap * sizeof *m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return SW_OK;
}

sw_status sw_ptrmap_reserve(sw_ptrmap *m, size_t n)
{
    while (n > m->cap / 4 * 3) {
        sw_status st;
        if (m->cap > SIZE_MAX / 4) return SW_E_NOMEM;
        if ((st = ptrmap_grow(m)) != SW_OK) return st;
    }
    return SW_OK;
}

/* one probe: the key's slot or the empty slot where it goes (the map grows
 * first only when an insert could pass the 3/4 load) */
sw_status sw_ptrmap_put(sw_ptrmap *m, const void *key, uint64_t val)
{
    size_t i, mask;
    if ((m->n + 1) * 4 > m->cap * 3) {
        uint64_t *slot = sw_ptrmap_get(m, key);
        sw_status st;
        if (slot) {
            *slot = val;
            return SW_OK;
        }
        if ((st = ptrmap_grow(m)) != SW_OK) return st;
    }
    mask = m->cap - 1;
    for (i = ptr_hash(key) & mask; m->keys[i] && m->keys[i] != key; i = (i + 1) & mask) {
    }
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
    return SW_OK;
}

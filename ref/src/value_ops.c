/* Ints, Python equality and hashing, graph equality [#value]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal/common.h"
#include "internal/int_text.h"

/* ---- ints ---- */

/* bits of u (0 for 0): a count-leading-zeros instruction where the compiler
 * has one, else eight bits then one at a time */
static size_t bitlen64(uint64_t u)
{
#if defined(__GNUC__) || defined(__clang__)
    return u ? 64u - (size_t)__builtin_clzll(u) : 0;
#else
    size_t n = 0;
    while (u >= 256) {
        u >>= 8;
        n += 8;
    }
    while (u) {
        n++;
        u >>= 1;
    }
    return n;
#endif
}

size_t sw_int_bit_length(const sw_value *v)
{
    if (!(v->flags & SW_VF_BIG)) {
        uint64_t u = v->u.i < 0 ? (uint64_t)0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
        return bitlen64(u);
    } else {
        size_t n = v->u.big.n;
        if (n == 0) return 0;
        return (n - 1) * 8 + bitlen64(v->u.big.mag[n - 1]);
    }
}

/* magnitude of v as little-endian bytes into m (room 9 for small); returns n */
static size_t int_mag(const sw_value *v, uint8_t small[9], const uint8_t **m, int *neg)
{
    if (v->flags & SW_VF_BIG) {
        *m = v->u.big.mag;
        *neg = v->u.big.neg;
        return v->u.big.n;
    } else {
        uint64_t u = v->u.i < 0 ? (uint64_t)0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
        size_t n = 0;
        *neg = v->u.i < 0;
        while (u) {
            small[n++] = (uint8_t)u;
            u >>= 8;
        }
        *m = small;
        return n;
    }
}

size_t sw_int_to_le2c(const sw_value *v, uint8_t *buf, size_t cap)
{
    uint8_t small[9];
    const uint8_t *m;
    int neg;
    size_t n = int_mag(v, small, &m, &neg), nbytes, i;
    size_t bits = sw_int_bit_length(v);
    if (bits == 0) return 0;
    /* pickle's encode_long: (bit_length >> 3) + 1 bytes, then drop one
     * redundant 0xff of a negative number */
    nbytes = (bits >> 3) + 1;
    if (nbytes > cap) {
        /* may still shrink by one */
        if (neg && nbytes - 1 <= cap) {
            /* compute into a check: negative trimmed only if top byte is 0xff
             * and the next has its high bit set; recompute below when it fits */
        }
        return nbytes;
    }
    if (!neg) {
        for (i = 0; i < nbytes; i++) buf[i] = i < n ? m[i] : 0;
    } else {
        unsigned carry = 1;
        for (i = 0; i < nbytes; i++) {
            unsigned b = (uint8_t)~(i < n ? m[i] : 0) + carry;
            buf[i] = (uint8_t)b;
            carry = b >> 8;
        }
        if (nbytes > 1 && buf[nbytes - 1] == 0xff && (buf[nbytes - 2] & 0x80)) nbytes--;
    }
    return nbytes;
}

size_t sw_int_to_decimal(const sw_value *v, char *buf, size_t cap) { return sw__int_to_decimal_al(v, buf, cap, NULL); }

size_t sw__int_to_decimal_al(const sw_value *v, char *buf, size_t cap, const sw_alloc *al)
{
    char tmp[24];
    if (!(v->flags & SW_VF_BIG)) {
        int k = snprintf(tmp, sizeof tmp, "%lld", (long long)v->u.i);
        if ((size_t)k < cap) memcpy(buf, tmp, (size_t)k + 1);
        return (size_t)k;
    } else {
        /* repeated division of base-1e9 limbs */
        size_t n = v->u.big.n, nl = (n + 3) / 4, i, nd = 0, need;
        uint32_t *limbs;
        char *digits;
        int neg = v->u.big.neg;
        size_t lbytes = nl * sizeof *limbs + 1, dbytes = n * 3 + 16;
        limbs = (uint32_t *)sw__malloc(al, lbytes);
        digits = limbs ? (char *)sw__malloc(al, dbytes) : NULL;
        if (!digits) {
            if (limbs) sw__free(al, limbs, lbytes);
            return 0;
        }
        for (i = 0; i < nl; i++) {
            uint32_t w = 0;
            size_t k;
            for (k = 0; k < 4; k++)
                if (i * 4 + k < n) w |= (uint32_t)v->u.big.mag[i * 4 + k] << (8 * k);
            limbs[i] = w;
        }
        while (nl > 0) {
            uint64_t rem = 0;
            size_t k;
            for (k = nl; k > 0; k--) {
                uint64_t cur = (rem << 32) | limbs[k - 1];
                limbs[k - 1] = (uint32_t)(cur / 1000000000u);
                rem = cur % 1000000000u;
            }
            while (nl > 0 && limbs[nl - 1] == 0) nl--;
            for (k = 0; k < 9; k++) {
                digits[nd++] = (char)('0' + rem % 10);
                rem /= 10;
                if (nl == 0 && rem == 0) break;
            }
        }
        while (nd > 1 && digits[nd - 1] == '0') nd--;
        need = nd + (neg ? 1 : 0);
        if (need < cap) {
            size_t p = 0;
            if (neg) buf[p++] = '-';
            for (i = nd; i > 0; i--) buf[p++] = digits[i - 1];
            buf[p] = 0;
        }
        sw__free(al, limbs, lbytes);
        sw__free(al, digits, dbytes);
        return need;
    }
}

sw_value *sw_int_from_decimal(sw_arena *ar, const char *s, size_t n)
{
    size_t i = 0, nd, cap, len = 0, k;
    int neg = 0;
    uint8_t *mag;
    sw_value *v;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i >= n) return NULL;
    nd = n - i;
    for (k = i; k < n; k++)
        if (s[k] < '0' || s[k] > '9') return NULL;
    if (nd <= 18) {
        int64_t x = 0;
        for (k = i; k < n; k++) x = x * 10 + (s[k] - '0');
        return sw_v_int(ar, neg ? -x : x);
    }
    cap = nd / 2 + 2; /* log2(10)/8 < 0.42 bytes per digit */
    mag = (uint8_t *)sw_arena_mem(ar, cap);
    if (!mag) return NULL;
    memset(mag, 0, cap);
    for (k = i; k < n; k++) {
        unsigned carry = (unsigned)(s[k] - '0');
        size_t j;
        for (j = 0; j < len; j++) {
            unsigned x = mag[j] * 10u + carry;
            mag[j] = (uint8_t)x;
            carry = x >> 8;
        }
        while (carry) {
            mag[len++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    v = sw_v_int_mag(ar, neg, mag, len);
    return v;
}

/* ---- Python equality ---- */

static int is_num(const sw_value *v)
{
    return v->kind == SW_K_INT || v->kind == SW_K_BOOL || v->kind == SW_K_FLOAT ||
           v->kind == SW_K_COMPLEX;
}

/* compare int node with double exactly: 1 if equal */
static int int_eq_double(const sw_value *a, double d)
{
    if (!isfinite(d) || d != floor(d)) return 0;
    if (!(a->flags & SW_VF_BIG)) {
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return (int64_t)d == a->u.i;
        return 0;
    } else {
        /* |d| as magnitude bytes */
        int e, neg = d < 0;
        double m = frexp(fabs(d), &e); /* |d| = m * 2^e, 0.5 <= m < 1 */
        uint64_t mant = (uint64_t)ldexp(m, 53);
        int shift = e - 53;
        size_t nb, i;
        uint8_t buf[160];
        if (neg != a->u.big.neg || shift < 0) return 0;
        nb = (size_t)((53 + shift + 7) / 8);
        if (nb > sizeof buf || nb != a->u.big.n) return 0;
        memset(buf, 0, nb);
        for (i = 0; i < 64; i++)
            if (mant >> i & 1) {
                size_t bit = i + (size_t)shift;
                buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
        return memcmp(buf, a->u.big.mag, nb) == 0;
    }
}

static int int_eq_int(const sw_value *a, const sw_value *b)
{
    int ab = (a->flags & SW_VF_BIG) != 0, bb = (b->flags & SW_VF_BIG) != 0;
    if (!ab && !bb) return a->u.i == b->u.i;
    if (ab != bb) return 0; /* normalised: big never fits int64 */
    return a->u.big.neg == b->u.big.neg && a->u.big.n == b->u.big.n &&
           memcmp(a->u.big.mag, b->u.big.mag, a->u.big.n) == 0;
}

static int num_eq(const sw_value *a, const sw_value *b)
{
    double ar, ai = 0, br, bi = 0;
    sw_value ta, tb;
    if (a->kind == SW_K_BOOL) {
        memset(&ta, 0, sizeof ta);
        ta.kind = SW_K_INT;
        ta.u.i = a->u.b;
        a = &ta;
    }
    if (b->kind == SW_K_BOOL) {
        memset(&tb, 0, sizeof tb);
        tb.kind = SW_K_INT;
        tb.u.i = b->u.b;
        b = &tb;
    }
    if (a->kind == SW_K_INT && b->kind == SW_K_INT) return int_eq_int(a, b);
    if (a->kind == SW_K_INT) {
        const sw_value *t = a;
        a = b;
        b = t;
    }
    /* a is float or complex */
    if (a->kind == SW_K_FLOAT) {
        ar = a->u.f;
    } else {
        ar = a->u.cx.re;
        ai = a->u.cx.im;
    }
    if (b->kind == SW_K_INT) return ai == 0 && int_eq_double(b, ar);
    if (b->kind == SW_K_FLOAT) {
        br = b->u.f;
    } else {
        br = b->u.cx.re;
        bi = b->u.cx.im;
    }
    return ar == br && ai == bi;
}

static int pyeq(const sw_value *a, const sw_value *b, uint32_t depth);

static int seq_eq(const sw_value *a, const sw_value *b, uint32_t depth)
{
    size_t i;
    if (a->u.c.n != b->u.c.n) return 0;
    for (i = 0; i < a->u.c.n; i++) {
        const sw_value *x = a->u.c.v[i], *y = b->u.c.v[i];
        int r;
        if (x == y) continue; /* PyObject_RichCompare identity shortcut in containers */
        r = pyeq(x, y, depth - 1);
        if (r != 1) return r;
    }
    return 1;
}

/* unordered membership: every member of a has an equal member in b */
static int members_eq(const sw_value *a, const sw_value *b, size_t stride, uint32_t depth)
{
    size_t i, j;
    if (a->u.c.n != b->u.c.n) return 0;
    for (i = 0; i < a->u.c.n; i += stride) {
        int hit = 0;
        for (j = 0; j < b->u.c.n && !hit; j += stride) {
            int r = a->u.c.v[i] == b->u.c.v[j] ? 1 : pyeq(a->u.c.v[i], b->u.c.v[j], depth - 1);
            if (r < 0) return r;
            if (r == 1 && stride == 2) {
                r = a->u.c.v[i + 1] == b->u.c.v[j + 1] ? 1
                                                       : pyeq(a->u.c.v[i + 1], b->u.c.v[j + 1], depth - 1);
                if (r < 0) return r;
            }
            hit = r == 1;
        }
        if (!hit) return 0;
    }
    return 1;
}

static int pyeq(const sw_value *a, const sw_value *b, uint32_t depth)
{
    if (a == b) return 1;
    if (depth == 0) return -1;
    if (is_num(a) && is_num(b)) return num_eq(a, b);
    switch (a->kind) {
    case SW_K_NONE: case SW_K_ELLIPSIS: case SW_K_STOPITER:
        return b->kind == a->kind;
    case SW_K_STR:
        return b->kind == SW_K_STR && a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
    case SW_K_BYTES: case SW_K_BYTEARRAY:
        return (b->kind == SW_K_BYTES || b->kind == SW_K_BYTEARRAY) && a->u.s.n == b->u.s.n &&
               (a->u.s.n == 0 || memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0);
    /* [#value.keys] "too deep" (-1) from a member stays -1: `x && -1` would say equal */
    case SW_K_TUPLE: case SW_K_LIST: case SW_K_GLOBAL: case SW_K_NAMEDTUPLE:
        return b->kind == a->kind ? seq_eq(a, b, depth) : 0;
    case SW_K_SET: case SW_K_FROZENSET:
        return b->kind == SW_K_SET || b->kind == SW_K_FROZENSET ? members_eq(a, b, 1, depth) : 0;
    case SW_K_DICT:
        return b->kind == SW_K_DICT ? members_eq(a, b, 2, depth) : 0;
    case SW_K_EXT: case SW_K_BUFFER:
        return b->kind == a->kind && a->u.i == b->u.i;
    default:
        return 0; /* symbolic objects compare by identity */
    }
}

int sw_v_pyeq(const sw_value *a, const sw_value *b, uint32_t max_depth)
{
    return pyeq(a, b, max_depth ? max_depth : SW_DEFAULT_MAX_DEPTH);
}

/* ---- hashing consistent with pyeq ---- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t bytes_hash(const uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL ^ seed;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t double_hash(double d)
{
    /* integral doubles hash as the int of the same value */
    if (isfinite(d) && d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        return mix(0x1234, (uint64_t)(int64_t)d);
    if (isfinite(d) && d == floor(d)) {
        /* large integral: hash by the magnitude bytes as a big int would */
        int e, neg = d < 0;
        double m = frexp(fabs(d), &e);
        uint64_t mant = (uint64_t)ldexp(m, 53);
        int shift = e - 53;
        size_t nb = (size_t)((53 + shift + 7) / 8), i;
        uint8_t buf[160];
        if (nb <= sizeof buf) {
            memset(buf, 0, nb);
            for (i = 0; i < 64; i++)
                if (mant >> i & 1) {
                    size_t bit = i + (size_t)shift;
                    buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
                }
            return bytes_hash(buf, nb, neg ? 0x77 : 0x55);
        }
    }
    {
        uint64_t bits;
        if (d == 0) d = 0; /* -0.0 == 0.0 */
        memcpy(&bits, &d, sizeof bits);
        return mix(0x4321, bits);
    }
}

static int pyhash(const sw_value *v, uint32_t depth, uint64_t *h)
{
    size_t i;
    if (depth == 0) return -2;
    switch (v->kind) {
    case SW_K_NONE: *h = 0x11; return 0;
    case SW_K_ELLIPSIS: *h = 0x22; return 0;
    case SW_K_STOPITER: *h = 0x33; return 0;
    case SW_K_BOOL: *h = mix(0x1234, (uint64_t)(int64_t)v->u.b); return 0;
    case SW_K_INT:
        if (!(v->flags & SW_VF_BIG))
            *h = mix(0x1234, (uint64_t)v->u.i);
        else
            *h = bytes_hash(v->u.big.mag, v->u.big.n, v->u.big.neg ? 0x77 : 0x55);
        return 0;
    case SW_K_FLOAT:
        if (isnan(v->u.f)) {
            *h = mix(0x99, (uint64_t)(uintptr_t)v); /* NaN equals only itself */
            return 0;
        }
        *h = double_hash(v->u.f);
        return 0;
    case SW_K_COMPLEX:
        if (isnan(v->u.cx.re) || isnan(v->u.cx.im)) {
            *h = mix(0x99, (uint64_t)(uintptr_t)v);
            return 0;
        }
        *h = v->u.cx.im == 0 ? double_hash(v->u.cx.re) : mix(double_hash(v->u.cx.re), double_hash(v->u.cx.im));
        return 0;
    case SW_K_STR: *h = bytes_hash(v->u.s.p, v->u.s.n, 0x5); return 0;
    case SW_K_BYTES: *h = bytes_hash(v->u.s.p, v->u.s.n, 0x6); return 0;
    case SW_K_TUPLE: case SW_K_GLOBAL: case SW_K_NAMEDTUPLE: {
        uint64_t acc = 0x345678 + v->kind;
        for (i = 0; i < v->u.c.n; i++) {
            uint64_t x;
            int r = pyhash(v->u.c.v[i], depth - 1, &x);
            if (r) return r;
            acc = mix(acc, x);
        }
        *h = acc;
        return 0;
    }
    case SW_K_FROZENSET: {
        uint64_t acc = 0xf00d;
        for (i = 0; i < v->u.c.n; i++) {
            uint64_t x;
            int r = pyhash(v->u.c.v[i], depth - 1, &x);
            if (r) return r;
            acc += x * 0x9e3779b97f4a7c15ULL; /* order-independent */
        }
        *h = acc;
        return 0;
    }
    case SW_K_EXT: case SW_K_BUFFER:
        *h = mix(0x4444 + v->kind, (uint64_t)v->u.i);
        return 0;
    case SW_K_LIST: case SW_K_DICT: case SW_K_SET: case SW_K_BYTEARRAY:
        return -1;
    default: /* symbolic objects, code: identity */
        *h = mix(0x5555, (uint64_t)(uintptr_t)v);
        return 0;
    }
}

int sw_v_pyhash(const sw_value *v, uint32_t depth, uint64_t *h)
{
    return pyhash(v, depth ? depth : SW_DEFAULT_MAX_DEPTH, h);
}

int sw_v_hashable(const sw_value *v, uint32_t max_depth)
{
    uint64_t h;
    return pyhash(v, max_depth ? max_depth : SW_DEFAULT_MAX_DEPTH, &h) == 0;
}

/* ---- vset ---- */

void sw_vset_init(sw_vset *s, const sw_alloc *al, uint32_t depth)
{
    memset(s, 0, sizeof *s);
    s->al = al;
    s->depth = depth ? depth : SW_DEFAULT_MAX_DEPTH;
}

void sw_vset_free(sw_vset *s)
{
    sw__free(s->al, (void *)s->keys, s->cap * sizeof *s->keys);
    sw__free(s->al, s->hashes, s->cap * sizeof *s->hashes);
    sw__free(s->al, s->idx, s->cap * sizeof *s->idx);
    memset(s, 0, sizeof *s);
}

static sw_status vset_grow(sw_vset *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 16, i, mask = ncap - 1;
    const sw_value **nk = (const sw_value **)sw__malloc(s->al, ncap * sizeof *nk);
    uint64_t *nh = (uint64_t *)sw__malloc(s->al, ncap * sizeof *nh);
    size_t *ni = (size_t *)sw__malloc(s->al, ncap * sizeof *ni);
    if (!nk || !nh || !ni) {
        sw__free(s->al, (void *)nk, ncap * sizeof *nk);
        sw__free(s->al, nh, ncap * sizeof *nh);
        sw__free(s->al, ni, ncap * sizeof *ni);
        return SW_E_NOMEM;
    }
    memset((void *)nk, 0, ncap * sizeof *nk);
    for (i = 0; i < s->cap; i++) {
        size_t j;
        if (!s->keys[i]) continue;
        for (j = s->hashes[i] & mask; nk[j]; j = (j + 1) & mask) {
        }
        nk[j] = s->keys[i];
        nh[j] = s->hashes[i];
        ni[j] = s->idx[i];
    }
    sw__free(s->al, (void *)s->keys, s->cap * sizeof *s->keys);
    sw__free(s->al, s->hashes, s->cap * sizeof *s->hashes);
    sw__free(s->al, s->idx, s->cap * sizeof *s->idx);
    s->keys = nk;
    s->hashes = nh;
    s->idx = ni;
    s->cap = ncap;
    return SW_OK;
}

sw_status sw_vset_add(sw_vset *s, const sw_value *k, size_t idx_new, int *found, size_t *idx)
{
    uint64_t h;
    size_t j, mask;
    int r = pyhash(k, s->depth, &h);
    if (r == -1) return SW_E_UNHASHABLE;
    if (r == -2) return SW_E_LIMIT_DEPTH;
    if ((s->n + 1) * 4 > s->cap * 3) {
        sw_status st = vset_grow(s);
        if (st != SW_OK) return st;
    }
    mask = s->cap - 1;
    for (j = h & mask; s->keys[j]; j = (j + 1) & mask) {
        if (s->hashes[j] == h) {
            int e = pyeq(s->keys[j], k, s->depth);
            if (e < 0) return SW_E_LIMIT_DEPTH;
            if (e == 1) {
                *found = 1;
                *idx = s->idx[j];
                return SW_OK;
            }
        }
    }
    s->keys[j] = k;
    s->hashes[j] = h;
    s->idx[j] = idx_new;
    s->n++;
    *found = 0;
    *idx = idx_new;
    return SW_OK;
}

/* ---- graph equality with identity ---- */

typedef struct pair {
    const sw_value *a, *b;
} pair;

static int scalar_eq(const sw_value *a, const sw_value *b)
{
    /* sub is semantic for obj (its form) and buffer (readonly) only */
    if (a->kind != b->kind) return 0;
    if ((a->kind == SW_K_OBJ || a->kind == SW_K_BUFFER) && a->sub != b->sub) return 0;
    switch (a->kind) {
    case SW_K_BOOL: return a->u.b == b->u.b;
    case SW_K_INT: return ((a->flags ^ b->flags) & SW_VF_BIG) == 0 && int_eq_int(a, b);
    case SW_K_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof(double)) == 0;
    case SW_K_COMPLEX:
        return memcmp(&a->u.cx.re, &b->u.cx.re, sizeof(double)) == 0 &&
               memcmp(&a->u.cx.im, &b->u.cx.im, sizeof(double)) == 0;
    case SW_K_STR: case SW_K_BYTES: case SW_K_BYTEARRAY:
        return a->u.s.n == b->u.s.n && (a->u.s.n == 0 || memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0);
    case SW_K_EXT: case SW_K_BUFFER: return a->u.i == b->u.i;
    default: return 1;
    }
}

int sw_v_graph_equal(const sw_value *a, const sw_value *b, const sw_alloc *al, uint32_t max_depth)
{
    sw_ptrmap fwd, bwd;
    pair *stk = NULL;
    size_t n = 0, cap = 0;
    int ok = 1;
    (void)max_depth; /* iterative: no recursion to bound */
    sw_ptrmap_init(&fwd, al);
    sw_ptrmap_init(&bwd, al);
    stk = (pair *)sw__malloc(al, 64 * sizeof *stk);
    if (!stk) return 0;
    cap = 64;
    stk[n].a = a;
    stk[n].b = b;
    n++;
    while (ok && n > 0) {
        const sw_value *x, *y;
        uint64_t *fa, *fb;
        size_t i, nc;
        n--;
        x = stk[n].a;
        y = stk[n].b;
        if (!x || !y) {
            ok = x == y;
            break;
        }
        fa = sw_ptrmap_get(&fwd, x);
        fb = sw_ptrmap_get(&bwd, y);
        if (fa || fb) {
            ok = fa && fb && (const sw_value *)(uintptr_t)*fa == y && (const sw_value *)(uintptr_t)*fb == x;
            continue;
        }
        if (!scalar_eq(x, y)) {
            ok = 0;
            break;
        }
        if (sw_ptrmap_put(&fwd, x, (uint64_t)(uintptr_t)y) != SW_OK ||
            sw_ptrmap_put(&bwd, y, (uint64_t)(uintptr_t)x) != SW_OK) {
            ok = 0;
            break;
        }
        nc = sw_v_nchildren(x);
        if (nc != sw_v_nchildren(y)) {
            ok = 0;
            break;
        }
        if (x->kind == SW_K_OBJ) {
            if (x->u.c.n != y->u.c.n || x->u.c.nmut != y->u.c.nmut) {
                ok = 0;
                break;
            }
            for (i = 0; i < x->u.c.nmut; i++)
                if (x->u.c.mut[i].op != y->u.c.mut[i].op) ok = 0;
            if (!ok) break;
        }
        for (i = nc; i > 0; i--) {
            if (n == cap) {
                pair *ns = (pair *)sw__realloc(al, stk, cap * sizeof *stk, cap * 2 * sizeof *stk);
                if (!ns) {
                    ok = 0;
                    break;
                }
                stk = ns;
                cap *= 2;
            }
            stk[n].a = sw_v_child(x, i - 1);
            stk[n].b = sw_v_child(y, i - 1);
            n++;
        }
    }
    sw__free(al, stk, cap * sizeof *stk);
    sw_ptrmap_free(&fwd);
    sw_ptrmap_free(&bwd);
    return ok;
}

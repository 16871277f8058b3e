/* The pickle decoder [#pickle]: CPython 3.11's C unpickler (Modules/_pickle.c)
 * as an explicit stack machine that runs nothing. Globals and calls become
 * symbolic nodes; containers are built with Python's key rules. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "internal/common.h"
#include "internal/pickle_compat.h"

void sw_pickle_opts_default(sw_pickle_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = SW_MODE_PYSPARK;
    o->encoding = SW_PICKLE_ENC_BYTES;
    o->fix_imports = 1;
    o->resolve = 1;
}

/* ---- memo: index -> node [#pickle.memo] ----
 * Pickles put keys 0, 1, 2, ... in order (MEMOIZE, BINPUT n with n the count
 * so far): those live in a dense array grown as entries arrive (never by an
 * index read from the input). Any other key goes to a sparse open-addressing
 * map. A key below dn is only in the dense array; a key is appended to it
 * only when the sparse map does not hold it already. */

typedef struct memo {
    sw_value **dense; /* keys 0 .. dn-1 */
    size_t dn, dcap;
    uint64_t *keys;   /* sparse: key + 1, 0 = empty */
    sw_value **vals;
    size_t cap, sn;
    size_t n;         /* entries in both */
    const sw_alloc *al;
} memo;

static sw_value **sparse_slot(memo *m, uint64_t k, int insert, int *fresh)
{
    size_t i, mask;
    if (m->cap == 0 || (insert && (m->sn + 1) * 4 > m->cap * 3)) {
        size_t ncap = m->cap ? m->cap * 2 : 64, j;
        uint64_t *nk;
        sw_value **nv;
        if (!insert) return NULL;
        nk = (uint64_t *)sw__malloc(m->al, ncap * sizeof *nk);
        nv = (sw_value **)sw__malloc(m->al, ncap * sizeof *nv);
        if (!nk || !nv) {
            sw__free(m->al, nk, ncap * sizeof *nk);
            sw__free(m->al, nv, ncap * sizeof *nv);
            return NULL;
        }
        memset(nk, 0, ncap * sizeof *nk);
        for (j = 0; j < m->cap; j++) {
            size_t h;
            if (!m->keys[j]) continue;
            for (h = (size_t)(m->keys[j] * 0x9e3779b97f4a7c15ULL) & (ncap - 1); nk[h]; h = (h + 1) & (ncap - 1)) {
            }
            nk[h] = m->keys[j];
            nv[h] = m->vals[j];
        }
        sw__free(m->al, m->keys, m->cap * sizeof *m->keys);
        sw__free(m->al, m->vals, m->cap * sizeof *m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = ncap;
    }
    mask = m->cap - 1;
    for (i = (size_t)((k + 1) * 0x9e3779b97f4a7c15ULL) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == k + 1) {
            *fresh = 0;
            return &m->vals[i];
        }
        if (m->keys[i] == 0) {
            if (!insert) return NULL;
            m->keys[i] = k + 1;
            m->vals[i] = NULL;
            m->sn++;
            *fresh = 1;
            return &m->vals[i];
        }
    }
}

/* The slot of key k, or NULL (absent and !insert, or out of memory); with
 * insert, *fresh says whether k is a new entry. */
static sw_value **memo_slot(memo *m, uint64_t k, int insert, int *fresh)
{
    int fr = 0;
    sw_value **r;
    if (k < m->dn) {
        *fresh = 0;
        return &m->dense[k];
    }
    if (insert && k == m->dn && (m->sn == 0 || !sparse_slot(m, k, 0, &fr))) {
        if (m->dn == m->dcap) {
            size_t nc = m->dcap ? m->dcap * 2 : 64;
            sw_value **nd = (sw_value **)sw__realloc(m->al, m->dense, m->dcap * sizeof *nd, nc * sizeof *nd);
            if (!nd) return NULL;
            m->dense = nd;
            m->dcap = nc;
        }
        m->dense[m->dn] = NULL;
        m->n++;
        *fresh = 1;
        return &m->dense[m->dn++];
    }
    r = sparse_slot(m, k, insert, &fr);
    if (r && fr) m->n++;
    *fresh = fr;
    return r;
}

static void memo_free(memo *m)
{
    sw__free(m->al, m->dense, m->dcap * sizeof *m->dense);
    sw__free(m->al, m->keys, m->cap * sizeof *m->keys);
    sw__free(m->al, m->vals, m->cap * sizeof *m->vals);
}

/* ---- the machine ---- */

typedef struct pu {
    sw_arena *ar;
    const sw_pickle_opts *o;
    const sw_limits *lim;
    const sw_alloc *al;
    sw_cursor c;
    sw_error *err;
    size_t op_at;      /* offset of the current opcode */
    int proto;
    sw_value **stk;
    size_t sn, scap;
    size_t *marks;
    size_t mn, mcap;
    memo m;
    sw_ptrmap sets;    /* container node -> sw_vset* for key merging */
    sw_ptrmap bufs;    /* bytearray node -> capacity of the buffer this decode gave it */
    uint64_t expansion;
    uint64_t nbuf;     /* out-of-band buffers consumed */
    size_t nglobals;   /* SW_K_GLOBAL nodes made: only they give resolve work */
} pu;

#define FAILP(u, st, exc, msg) SW_FAIL((u)->err, (st), SW_LAYER_PICKLE, (exc), (u)->op_at, (u)->op_at, (msg))

static sw_status truncated(pu *u)
{
    /* [#pickle.errors] an argument past the end */
    return FAILP(u, SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_UNPICKLINGERROR, "pickle data was truncated");
}

/* a length CPython's reader refuses before reading: next_read_idx + n overflows */
static sw_status overflow(pu *u)
{
    return FAILP(u, SW_E_BAD_LENGTH, SW_PYEXC_UNPICKLINGERROR, "read would overflow (invalid bytecode)");
}

static sw_status oom(pu *u)
{
    sw_status st = sw_arena_status(u->ar);
    if (st == SW_OK) st = SW_E_NOMEM;
    return FAILP(u, st, st == SW_E_NOMEM ? SW_PYEXC_MEMORYERROR : SW_PYEXC_NONE, "out of memory or over a limit");
}

static sw_status push(pu *u, sw_value *v)
{
    if (!v) return oom(u);
    if (u->sn == u->scap) {
        size_t nc = u->scap ? u->scap * 2 : 64;
        sw_value **ns;
        if (nc > u->lim->max_nodes) nc = (size_t)u->lim->max_nodes + 1;
        if (u->sn >= nc) return FAILP(u, SW_E_LIMIT_NODES, SW_PYEXC_NONE, "stack over max_nodes");
        ns = (sw_value **)sw__realloc(u->al, u->stk, u->scap * sizeof *ns, nc * sizeof *ns);
        if (!ns) return FAILP(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
        u->stk = ns;
        u->scap = nc;
    }
    u->stk[u->sn++] = v;
    return SW_OK;
}

static size_t fence(const pu *u) { return u->mn ? u->marks[u->mn - 1] : 0; }

/* [#pickle.stack] popping at the fence: "unexpected MARK found" when a mark
 * is open, else "unpickling stack underflow" */
static sw_status underflow(pu *u)
{
    return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR,
                 u->mn ? "unexpected MARK found" : "unpickling stack underflow");
}

static sw_status pop(pu *u, sw_value **v)
{
    if (u->sn <= fence(u)) return underflow(u);
    *v = u->stk[--u->sn];
    return SW_OK;
}

static sw_status top(pu *u, sw_value **v)
{
    if (u->sn <= fence(u)) return underflow(u);
    *v = u->stk[u->sn - 1];
    return SW_OK;
}

/* [#pickle.mark] pop to the last MARK: items in u->stk[*from .. sn) */
static sw_status pop_mark(pu *u, size_t *from)
{
    if (u->mn == 0) return FAILP(u, SW_E_BAD_MARK, SW_PYEXC_UNPICKLINGERROR, "could not find MARK");
    *from = u->marks[--u->mn];
    return SW_OK;
}

static sw_status need(pu *u, size_t n, const uint8_t **p)
{
    *p = sw_cur_take(&u->c, n);
    return *p ? SW_OK : truncated(u);
}

static sw_status readline(pu *u, const uint8_t **p, size_t *n)
{
    size_t left = sw_cur_left(&u->c), i;
    const uint8_t *s = u->c.p + u->c.pos;
    *p = NULL;
    *n = 0;
    for (i = 0; i < left; i++)
        if (s[i] == '\n') {
            *p = s;
            *n = i; /* without the newline */
            u->c.pos += i + 1;
            return SW_OK;
        }
    return truncated(u);
}

/* [#pickle.errors] an opcode's argument line: CPython's callers of
 * _Unpickler_Readline refuse a line of fewer than 2 bytes (the newline
 * included), i.e. an empty argument, with bad_readline() */
static sw_status readline_arg(pu *u, const uint8_t **p, size_t *n)
{
    sw_status st = readline(u, p, n);
    if (st != SW_OK) return st;
    return *n ? SW_OK : truncated(u);
}

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    while (n--) v = (v << 8) | p[n];
    return v;
}

/* ---- containers with Python's key rules [#pickle.keys] [#value.keys] ---- */

static sw_vset *vset_of(pu *u, sw_value *c, sw_status *st)
{
    uint64_t *slot = sw_ptrmap_get(&u->sets, c);
    sw_vset *s;
    size_t i, stride = c->kind == SW_K_DICT ? 2 : 1;
    *st = SW_OK;
    if (slot) return (sw_vset *)(uintptr_t)*slot;
    s = (sw_vset *)sw__malloc(u->al, sizeof *s);
    if (!s) {
        *st = SW_E_NOMEM;
        return NULL;
    }
    sw_vset_init(s, u->al, u->lim->max_depth);
    if (sw_ptrmap_put(&u->sets, c, (uint64_t)(uintptr_t)s) != SW_OK) {
        sw_vset_free(s);
        sw__free(u->al, s, sizeof *s);
        *st = SW_E_NOMEM;
        return NULL;
    }
    for (i = 0; i < c->u.c.n; i += stride) {
        int found;
        size_t idx;
        *st = sw_vset_add(s, c->u.c.v[i], i, &found, &idx);
        if (*st != SW_OK) return NULL;
    }
    return s;
}

static sw_status key_error(pu *u, sw_status st)
{
    if (st == SW_E_UNHASHABLE) return FAILP(u, st, SW_PYEXC_TYPEERROR, "unhashable type");
    if (st == SW_E_LIMIT_DEPTH) return FAILP(u, st, SW_PYEXC_RECURSIONERROR, "key nested too deeply to hash");
    return FAILP(u, st, SW_PYEXC_MEMORYERROR, "out of memory");
}

/* Keys of these kinds are hashable, and Python equality on them (identity
 * first, so one NaN node reached twice stays one key) needs no hash. */
static int scalar_key(const sw_value *k)
{
    return k->kind == SW_K_STR || k->kind == SW_K_BYTES || k->kind == SW_K_INT || k->kind == SW_K_BOOL ||
           k->kind == SW_K_NONE || k->kind == SW_K_FLOAT;
}

/* A container below SMALL_KEYS keys whose keys are all scalar is searched
 * linearly: no sw_vset (three allocations) for each small dict. The set is
 * built by vset_of, from the keys already there, the first time a key is
 * not scalar or the container reaches SMALL_KEYS keys. */
#define SMALL_KEYS 8

/* 1 with *idx when c has a key equal to k, 0 when it has none, -1 when the
 * linear search does not apply (use the vset) */
static int small_find(pu *u, const sw_value *c, size_t stride, const sw_value *k, size_t *idx)
{
    size_t i;
    if (c->u.c.n >= SMALL_KEYS * stride || !scalar_key(k) || sw_ptrmap_get(&u->sets, c)) return -1;
    for (i = 0; i < c->u.c.n; i += stride)
        if (!scalar_key(c->u.c.v[i])) return -1;
    for (i = 0; i < c->u.c.n; i += stride)
        if (sw_v_pyeq(c->u.c.v[i], k, u->lim->max_depth) == 1) {
            *idx = i;
            return 1;
        }
    return 0;
}

/* [#value.keys] k's index in container c (stride 2: dict, 1: set): *found = 1
 * when an equal key is there, else k is recorded as the key at index
 * c->u.c.n, which the caller then pushes */
static sw_status find_key(pu *u, sw_value *c, size_t stride, sw_value *k, int *found, size_t *idx)
{
    sw_status st;
    sw_vset *s;
    int r = small_find(u, c, stride, k, idx);
    if (r >= 0) {
        *found = r;
        return SW_OK;
    }
    s = vset_of(u, c, &st);
    if (!s) return key_error(u, st);
    st = sw_vset_add(s, k, c->u.c.n, found, idx);
    return st == SW_OK ? SW_OK : key_error(u, st);
}

/* d[k] = v: the first key object is kept, the last value wins */
static sw_status dict_set(pu *u, sw_value *d, sw_value *k, sw_value *v)
{
    int found;
    size_t idx;
    sw_status st = find_key(u, d, 2, k, &found, &idx);
    if (st != SW_OK) return st;
    if (found) {
        if (u->o->mode == SW_MODE_STRICT)
            return FAILP(u, SW_E_DUP_KEY, SW_PYEXC_NONE, "equal dict keys (Python keeps one)");
        d->u.c.v[idx + 1] = v;
        return SW_OK;
    }
    if (sw_v_push(u->ar, d, k) != SW_OK || sw_v_push(u->ar, d, v) != SW_OK) return oom(u);
    return SW_OK;
}

static sw_status set_add(pu *u, sw_value *s0, sw_value *k)
{
    int found;
    size_t idx;
    sw_status st = find_key(u, s0, 1, k, &found, &idx);
    if (st != SW_OK) return st;
    if (found) {
        if (u->o->mode == SW_MODE_STRICT)
            return FAILP(u, SW_E_DUP_KEY, SW_PYEXC_NONE, "equal set members (Python keeps one)");
        return SW_OK;
    }
    return sw_v_push(u->ar, s0, k) == SW_OK ? SW_OK : oom(u);
}

static sw_value *tuple_of(pu *u, size_t from)
{
    size_t i, n = u->sn - from;
    sw_value *t = sw_v_container(u->ar, SW_K_TUPLE, n);
    if (!t) return NULL;
    for (i = 0; i < n; i++) t->u.c.v[i] = u->stk[from + i];
    t->u.c.n = n;
    u->sn = from;
    return t;
}

/* ---- scalars ---- */

static sw_value *str_node(pu *u, const uint8_t *p, size_t n, uint8_t hint)
{
    sw_value *v = sw_v_strlike(u->ar, SW_K_STR, p, n);
    if (v) v->hint = hint;
    return v;
}

/* latin-1 bytes to a str node */
static sw_value *latin1_str(pu *u, const uint8_t *p, size_t n, uint8_t hint)
{
    size_t i, k = 0, extra = 0;
    uint8_t *q;
    sw_value *v;
    for (i = 0; i < n; i++) extra += p[i] >= 0x80;
    q = (uint8_t *)sw_arena_mem(u->ar, n + extra + 1);
    if (!q) return NULL;
    for (i = 0; i < n; i++) k += sw_utf8_encode1(p[i], q + k);
    v = sw_v_strlike_borrow(u->ar, SW_K_STR, q, k);
    if (v) {
        v->flags &= (uint8_t)~SW_VF_BORROWED;
        v->hint = hint;
    }
    return v;
}

/* 8-bit strings per the encoding option [#pickle.encoding] */
static sw_status push_str8(pu *u, const uint8_t *p, size_t n, uint8_t hint)
{
    sw_value *v;
    size_t i;
    switch (u->o->encoding) {
    case SW_PICKLE_ENC_BYTES:
        v = sw_v_strlike(u->ar, SW_K_BYTES, p, n);
        if (v) v->hint = hint;
        return push(u, v);
    case SW_PICKLE_ENC_ASCII:
        for (i = 0; i < n; i++)
            if (p[i] >= 0x80)
                return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'ascii' codec can't decode byte");
        return push(u, str_node(u, p, n, hint));
    default:
        return push(u, latin1_str(u, p, n, hint));
    }
}

/* codecs.escape_decode of the STRING opcode's quoted text */
static sw_status push_string_text(pu *u, const uint8_t *p, size_t n)
{
    uint8_t *q;
    size_t i, k = 0;
    if (n < 2 || p[0] != p[n - 1] || (p[0] != '\'' && p[0] != '"'))
        return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_UNPICKLINGERROR, "the STRING opcode argument must be quoted");
    p++;
    n -= 2;
    q = (uint8_t *)sw_arena_mem(u->ar, n + 1);
    if (!q) return oom(u);
    for (i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch != '\\' || i + 1 >= n) {
            if (ch == '\\')
                return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "Trailing \\ in string");
            q[k++] = ch;
            continue;
        }
        ch = p[++i];
        /* escape_decode's backslash-newline (a line continuation) cannot
         * occur: the argument is one line read up to its newline */
        switch (ch) {
        case '\\': q[k++] = '\\'; break;
        case '\'': q[k++] = '\''; break;
        case '"': q[k++] = '"'; break;
        case 'b': q[k++] = '\b'; break;
        case 'f': q[k++] = '\f'; break;
        case 't': q[k++] = '\t'; break;
        case 'n': q[k++] = '\n'; break;
        case 'r': q[k++] = '\r'; break;
        case 'v': q[k++] = '\v'; break;
        case 'a': q[k++] = '\a'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            unsigned c = (unsigned)(ch - '0'), d = 1;
            while (d < 3 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7') {
                c = c * 8 + (unsigned)(p[++i] - '0');
                d++;
            }
            q[k++] = (uint8_t)c;
            break;
        }
        case 'x': {
            int hi, lo;
            const char *hx = "0123456789abcdef0123456789ABCDEF";
            const char *a = i + 1 < n ? strchr(hx, p[i + 1]) : NULL, *b = i + 2 < n ? strchr(hx, p[i + 2]) : NULL;
            if (!a || !b || !p[i + 1] || !p[i + 2])
                return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "invalid \\x escape");
            hi = (int)((a - hx) % 16);
            lo = (int)((b - hx) % 16);
            q[k++] = (uint8_t)(hi * 16 + lo);
            i += 2;
            break;
        }
        default:
            q[k++] = '\\';
            q[k++] = ch;
        }
    }
    return push_str8(u, q, k, 'S');
}

/* raw-unicode-escape of the UNICODE opcode */
static sw_status push_unicode_text(pu *u, const uint8_t *p, size_t n)
{
    uint8_t *q = (uint8_t *)sw_arena_mem(u->ar, n * 2 + 4);
    size_t i = 0, k = 0;
    sw_value *v;
    if (!q) return oom(u);
    while (i < n) {
        uint8_t ch = p[i++];
        uint32_t cp = 0;
        int cnt, j;
        if (ch != '\\' || i >= n) {
            k += sw_utf8_encode1(ch, q + k);
            continue;
        }
        ch = p[i++];
        if (ch == 'u') cnt = 4;
        else if (ch == 'U') cnt = 8;
        else {
            q[k++] = '\\';
            k += sw_utf8_encode1(ch, q + k);
            continue;
        }
        for (j = 0; j < cnt; j++, i++) {
            uint8_t h;
            if (i >= n)
                return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR,
                             "'rawunicodeescape' codec can't decode bytes: truncated escape");
            h = p[i];
            if (h >= '0' && h <= '9') cp = cp * 16 + (uint32_t)(h - '0');
            else if (h >= 'a' && h <= 'f') cp = cp * 16 + (uint32_t)(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp = cp * 16 + (uint32_t)(h - 'A' + 10);
            else
                return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR,
                             "'rawunicodeescape' codec can't decode bytes: truncated escape");
        }
        if (cp > 0x10FFFF)
            return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "\\Uxxxxxxxx out of range");
        k += sw_utf8_encode1(cp, q + k);
    }
    v = sw_v_strlike(u->ar, SW_K_STR, q, k);
    if (v) v->hint = 'V';
    return push(u, v);
}

/* the digits after a 0x/0o/0b prefix: an optional '_' after the prefix,
 * one '_' between digits (power-of-two bases have no digit limit) */
static sw_value *int_pow2(pu *u, const uint8_t *p, size_t n, int neg, sw_status *st)
{
    unsigned k = (p[-1] | 0x20) == 'x' ? 4 : (p[-1] | 0x20) == 'o' ? 3 : 1, base = 1u << k;
    size_t i, nd = 0, bit = 0, bytes;
    uint8_t *mag;
    sw_value *v;
    for (i = 0; i < n; i++) {
        /* [#pickle.int] a digit is 0-9, a-z or A-Z only (case folding by
         * `| 0x20` would also take the bytes 0x10-0x19 for 0-9) */
        unsigned c = p[i], d = c >= '0' && c <= '9'   ? c - '0'
                               : c >= 'a' && c <= 'z' ? c - 'a' + 10
                               : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                                      : 99;
        if (p[i] == '_' && i + 1 < n && p[i + 1] != '_') continue;
        if (d >= base) {
            *st = SW_E_BAD_VALUE;
            return NULL;
        }
        nd++;
    }
    if (nd == 0) {
        *st = SW_E_BAD_VALUE;
        return NULL;
    }
    bytes = (nd * k + 7) / 8;
    mag = (uint8_t *)sw_arena_mem(u->ar, bytes);
    if (!mag) {
        *st = SW_E_NOMEM;
        return NULL;
    }
    memset(mag, 0, bytes);
    for (i = n; i > 0; i--) { /* least significant digit first */
        unsigned c = p[i - 1] | 0x20, d, j;
        if (p[i - 1] == '_') continue;
        d = c <= '9' ? c - '0' : c - 'a' + 10;
        for (j = 0; j < k; j++, bit++)
            if (d >> j & 1) mag[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
    v = sw_v_int_mag(u->ar, neg, mag, bytes);
    if (!v) *st = sw_arena_status(u->ar) ? sw_arena_status(u->ar) : SW_E_NOMEM;
    return v;
}

/* Python int(s, 0) of text (spaces around, one '_' between digits) */
static sw_value *int_text(pu *u, const uint8_t *p, size_t n, sw_status *st)
{
    size_t b = 0, e = n, i, nd = 0;
    char *buf;
    sw_value *v;
    *st = SW_OK;
    while (b < e && (p[b] == ' ' || p[b] == '\t' || p[b] == '\n' || p[b] == '\r' || p[b] == '\f' || p[b] == '\v')) b++;
    while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\n' || p[e - 1] == '\r' || p[e - 1] == '\f' || p[e - 1] == '\v')) e--;
    buf = (char *)sw_arena_mem(u->ar, e - b + 2);
    if (!buf) {
        *st = SW_E_NOMEM;
        return NULL;
    }
    i = b;
    if (i < e && (p[i] == '+' || p[i] == '-')) buf[nd++] = (char)p[i++];
    if (i >= e || p[i] < '0' || p[i] > '9') {
        *st = SW_E_BAD_VALUE;
        return NULL;
    }
    /* [#pickle.int] int(s, 0), as load_int's and load_long's
     * PyLong_FromString(s, NULL, 0): 0x/0o/0b prefixes */
    if (p[i] == '0' && i + 1 < e && strchr("xXoObB", p[i + 1]))
        return int_pow2(u, p + i + 2, e - i - 2, nd > 0 && buf[0] == '-', st);
    if (p[i] == '0') { /* base 0 decimal: no leading zero unless all zeros */
        size_t k;
        for (k = i; k < e; k++)
            if (p[k] != '0' && p[k] != '_') break;
        if (k < e && p[k] >= '1' && p[k] <= '9') {
            *st = SW_E_BAD_VALUE;
            return NULL;
        }
    }
    for (; i < e; i++) {
        if (p[i] >= '0' && p[i] <= '9') buf[nd++] = (char)p[i];
        else if (p[i] == '_' && i + 1 < e && p[i + 1] >= '0' && p[i + 1] <= '9' && p[i - 1] >= '0' && p[i - 1] <= '9')
            continue;
        else {
            *st = SW_E_BAD_VALUE;
            return NULL;
        }
    }
    /* [#limits.int-digits] CPython 3.11: "Exceeds the limit (4300 digits)" */
    if (nd - (buf[0] == '-' || buf[0] == '+') > u->lim->max_int_digits) {
        *st = SW_E_LIMIT_INT_DIGITS;
        return NULL;
    }
    v = sw_int_from_decimal(u->ar, buf, nd);
    if (!v) *st = sw_arena_status(u->ar) ? sw_arena_status(u->ar) : SW_E_BAD_VALUE;
    return v;
}

/* [#pickle.int] PyLong_FromString's error message quotes the string: it
 * decodes the first min(strlen, 200) bytes of the C string as strict UTF-8
 * first, and a failure there is the error (UnicodeDecodeError). clen is
 * strlen of the string CPython parsed (its newline counted when it is part
 * of it). */
static int pylong_text_utf8_bad(const uint8_t *p, size_t clen)
{
    size_t bad;
    return !sw_utf8_valid(p, clen < 200 ? clen : 200, &bad);
}

static sw_status int_fail(pu *u, sw_status st)
{
    if (st == SW_E_LIMIT_INT_DIGITS)
        return FAILP(u, st, SW_PYEXC_VALUEERROR, "Exceeds the limit (4300 digits) for integer string conversion");
    if (st == SW_E_BAD_VALUE) return FAILP(u, st, SW_PYEXC_VALUEERROR, "invalid literal for int()");
    return oom(u);
}

/* [#pickle.int] C strtoll(s, &end, 0) on the C string p[0..m) (no NUL in
 * it), in the C locale, at any length: 1 with *x when it parses all of s
 * without overflow (CPython then takes its value), else 0. Leading white
 * space (" \t\n\v\f\r") and one sign, then "0x"/"0X" with a hex digit
 * after it: hex; a leading 0: octal (so 8 and 9 stop it, and a run of
 * leading zeros of any length is one octal 0); else decimal. No digit: 0
 * with end at s, which is all of s only when s is empty. */
static int strtoll_all(const uint8_t *p, size_t m, long long *x)
{
    size_t i = 0;
    unsigned base = 10;
    int neg = 0, any = 0;
    unsigned long long acc = 0, lim;
    while (i < m && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))) i++;
    if (i < m && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    if (i + 2 < m && p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X') &&
        ((p[i + 2] >= '0' && p[i + 2] <= '9') || ((p[i + 2] | 0x20) >= 'a' && (p[i + 2] | 0x20) <= 'f'))) {
        base = 16;
        i += 2;
    } else if (i < m && p[i] == '0') {
        base = 8;
    }
    lim = neg ? (unsigned long long)LLONG_MAX + 1u : (unsigned long long)LLONG_MAX;
    for (; i < m; i++) {
        unsigned d;
        if (p[i] >= '0' && p[i] <= '9') d = (unsigned)(p[i] - '0');
        else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z') d = (unsigned)((p[i] | 0x20) - 'a') + 10;
        else break;
        if (d >= base) break;
        if (acc > (lim - d) / base) return 0; /* ERANGE */
        acc = acc * base + d;
        any = 1;
    }
    if (!any) {
        *x = 0;
        return m == 0;
    }
    if (i < m) return 0;
    *x = neg ? (acc == (unsigned long long)LLONG_MAX + 1u ? LLONG_MIN : -(long long)acc) : (long long)acc;
    return 1;
}

/* INT: "00"/"01" are bools; else C strtol(base 0), then int() [#pickle.int] */
static sw_status load_int(pu *u, const uint8_t *p, size_t n)
{
    sw_value *v;
    sw_status st;
    long long x;
    /* load_int works on a C string: a NUL ends it (for strtol and for
     * PyLong_FromString alike); strtol's result is taken when it stops at
     * the end, and a 2-byte line giving 0 or 1 is a bool (so " 1", "+1",
     * "1\0x" are True as "01" is) */
    const uint8_t *z = memchr(p, 0, n);
    size_t m = z ? (size_t)(z - p) : n;
    if (strtoll_all(p, m, &x)) {
        v = n == 2 && (x == 0 || x == 1) ? sw_v_bool(u->ar, x == 1) : sw_v_int(u->ar, x);
        if (v) v->hint = 'I';
        return push(u, v);
    }
    v = int_text(u, p, m, &st);
    if (!v) return int_fail(u, st);
    v->hint = 'I';
    return push(u, v);
}

static sw_status load_float_text(pu *u, const uint8_t *p, size_t n)
{
    char buf[400], *end;
    double d;
    size_t i;
    sw_value *v;
    /* [#pickle.int] load_float parses a C string: a NUL ends it; then
     * PyOS_string_to_double, which (unlike strtod) skips no white space */
    const uint8_t *z = memchr(p, 0, n);
    if (z) n = (size_t)(z - p);
    if (n >= sizeof buf || (n > 0 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r'))))
        return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "could not convert string to float");
    memcpy(buf, p, n);
    buf[n] = 0;
    /* C strtod also reads hex floats and nan(chars), which CPython's
     * parser refuses */
    for (i = 0; i < n; i++)
        if (buf[i] == 'x' || buf[i] == 'X' || buf[i] == 'p' || buf[i] == 'P' || buf[i] == '(')
            return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "could not convert string to float");
    errno = 0;
    d = strtod(buf, &end);
    if (end == buf || *end != 0)
        return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "could not convert string to float");
    if (errno == ERANGE && isinf(d))
        return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_OVERFLOWERROR, "float too large");
    v = sw_v_float(u->ar, d);
    if (v) v->hint = 'F';
    return push(u, v);
}

/* ---- globals [#pickle.globals] ---- */

static int eqz(const uint8_t *p, size_t n, const char *z) { return strlen(z) == n && memcmp(p, z, n) == 0; }

static sw_status make_global(pu *u, sw_value *mod, sw_value *name, uint8_t hint, sw_value **out)
{
    sw_value *g;
    if (u->proto < 3 && u->o->fix_imports) {
        size_t i;
        int done = 0;
        for (i = 0; i < sizeof sw_compat_name / sizeof sw_compat_name[0]; i++)
            if (eqz(mod->u.s.p, mod->u.s.n, sw_compat_name[i][0]) && eqz(name->u.s.p, name->u.s.n, sw_compat_name[i][1])) {
                mod = str_node(u, (const uint8_t *)sw_compat_name[i][2], strlen(sw_compat_name[i][2]), 0);
                name = str_node(u, (const uint8_t *)sw_compat_name[i][3], strlen(sw_compat_name[i][3]), 0);
                done = 1;
                break;
            }
        for (i = 0; !done && i < sizeof sw_compat_import / sizeof sw_compat_import[0]; i++)
            if (eqz(mod->u.s.p, mod->u.s.n, sw_compat_import[i][0])) {
                mod = str_node(u, (const uint8_t *)sw_compat_import[i][1], strlen(sw_compat_import[i][1]), 0);
                break;
            }
        if (!mod || !name) return oom(u);
    }
    g = sw_v_container(u->ar, SW_K_GLOBAL, 2);
    u->nglobals++;
    if (!g || sw_v_push(u->ar, g, mod) || sw_v_push(u->ar, g, name)) return oom(u);
    g->hint = hint;
    *out = g;
    return SW_OK;
}

static sw_status name_check(pu *u, uint8_t hint, const uint8_t *p, size_t n)
{
    size_t i, bad;
    if (hint == 'i') {
        for (i = 0; i < n; i++)
            if (p[i] >= 0x80)
                return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'ascii' codec can't decode an INST name");
        return SW_OK;
    }
    if (!sw_utf8_valid(p, n, &bad))
        return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'utf-8' codec can't decode a global name");
    return SW_OK;
}

static sw_status global_lines(pu *u, uint8_t hint, sw_value **out)
{
    const uint8_t *m, *nm;
    size_t mn, nn;
    sw_status st;
    sw_value *mv, *nv;
    /* [#pickle.globals] load_global decodes each line as UTF-8, load_inst
     * as ASCII, each right after reading it */
    if ((st = readline_arg(u, &m, &mn)) != SW_OK) return st;
    if ((st = name_check(u, hint, m, mn)) != SW_OK) return st;
    if ((st = readline_arg(u, &nm, &nn)) != SW_OK) return st;
    if ((st = name_check(u, hint, nm, nn)) != SW_OK) return st;
    mv = str_node(u, m, mn, 0);
    nv = str_node(u, nm, nn, 0);
    if (!mv || !nv) return oom(u);
    return make_global(u, mv, nv, hint, out);
}

/* ---- objects [#value.obj] ---- */

static sw_value *new_obj(pu *u, sw_obj_op op, sw_value *a, sw_value *b, sw_value *c, uint8_t hint)
{
    sw_value *o = sw_v_container(u->ar, SW_K_OBJ, c ? 3 : 2);
    if (!o || sw_v_push(u->ar, o, a) || sw_v_push(u->ar, o, b) || (c && sw_v_push(u->ar, o, c))) return NULL;
    o->sub = (uint8_t)op;
    o->hint = hint;
    return o;
}

static sw_status attr_error(pu *u, const char *msg) { return FAILP(u, SW_E_TYPE, SW_PYEXC_ATTRIBUTEERROR, msg); }

/* [#pickle.call] a value the decoder built itself (None ... Ellipsis): a
 * plain Python object, never callable, never a type, without __dict__ or
 * __setstate__. Symbolic nodes (globals, their calls, persids...) may be
 * anything; StopIteration, a class, only appears after resolve. */
static int native(const sw_value *v) { return v->kind <= SW_K_ELLIPSIS; }

/* [#pickle.build] CPython's load_build on a native instance: no
 * __setstate__, so a 2-tuple state is (state, slotstate); a state other
 * than None must be a dict (UnpicklingError) and then inst.__dict__ fails
 * (AttributeError); a slot state must be a dict (UnpicklingError) whose
 * items are set as attributes, which fails for any item (setattr with a
 * str name: AttributeError; another name: TypeError). An empty slot state
 * dict with a None state changes nothing. */
static sw_status build_native(pu *u, sw_value *state)
{
    sw_value *slot = NULL;
    if (state->kind == SW_K_TUPLE && state->u.c.n == 2) {
        slot = state->u.c.v[1];
        state = state->u.c.v[0];
    }
    if (state->kind != SW_K_NONE) {
        if (state->kind != SW_K_DICT)
            return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "state is not a dictionary");
        return attr_error(u, "object has no attribute '__dict__'");
    }
    if (!slot) return SW_OK;
    if (slot->kind != SW_K_DICT)
        return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "slot state is not a dictionary");
    if (slot->u.c.n == 0) return SW_OK;
    if (slot->u.c.v[0]->kind != SW_K_STR)
        return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "attribute name must be string");
    return attr_error(u, "object has no attribute (slot state)");
}

/* [#pickle.append-bytearray] [#pickle.setitem-seq] The buffer of a
 * bytearray this decode changes, at least need bytes: the first change
 * copies the bytes into a buffer of the decode's own (they may be shared or
 * borrowed), later ones write in place, and growth doubles the capacity, so
 * n SETITEMs cost O(n) and n APPENDs amortized O(n) bytes, as in CPython
 * (copying per change made 2,000 SETITEMs on 1 MiB cost 2 GiB). NULL when
 * out of memory or over a limit. */
static uint8_t *own_bytes(pu *u, sw_value *t, size_t need)
{
    const uint64_t *cap = sw_ptrmap_get(&u->bufs, t);
    size_t ncap;
    uint8_t *nb;
    if (cap && *cap >= need) return (uint8_t *)(uintptr_t)t->u.s.p;
    ncap = cap ? (size_t)*cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return NULL;
        ncap *= 2;
    }
    nb = (uint8_t *)sw_arena_mem(u->ar, ncap);
    if (!nb) return NULL;
    if (t->u.s.n) memcpy(nb, t->u.s.p, t->u.s.n);
    if (sw_ptrmap_put(&u->bufs, t, (uint64_t)ncap) != SW_OK) return NULL;
    t->u.s.p = nb;
    return nb;
}

/* APPEND/APPENDS: list.append, or obj.append/extend (symbolic) */
static sw_status appends(pu *u, sw_value *target, size_t from)
{
    size_t i;
    if (target->kind == SW_K_LIST) {
        for (i = from; i < u->sn; i++)
            if (sw_v_push(u->ar, target, u->stk[i]) != SW_OK) return oom(u);
    } else if (target->kind == SW_K_OBJ) {
        for (i = from; i < u->sn; i++)
            if (sw_v_mutate(u->ar, target, SW_MUT_APPEND, u->stk[i], NULL) != SW_OK) return oom(u);
    } else if (target->kind == SW_K_BYTEARRAY && from < u->sn) {
        /* [#pickle.append-bytearray] do_append calls the target's extend
         * when it has one: bytearray.extend(items) takes each item as a byte
         * (int or bool in 0..255; another int: ValueError; anything else:
         * TypeError; the first bad item decides) */
        size_t k = u->sn - from, n0 = target->u.s.n;
        uint8_t *nb;
        for (i = from; i < u->sn; i++) {
            const sw_value *x = u->stk[i];
            int64_t b;
            if (x->kind == SW_K_BOOL) b = x->u.b;
            else if (x->kind == SW_K_INT) b = (x->flags & SW_VF_BIG) ? -1 : x->u.i;
            else return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "object cannot be interpreted as an integer");
            if (b < 0 || b > 255) return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "byte must be in range(0, 256)");
        }
        if (k > SIZE_MAX - n0) return oom(u);
        nb = own_bytes(u, target, n0 + k);
        if (!nb) return oom(u);
        for (i = from; i < u->sn; i++)
            nb[n0 + (i - from)] = (uint8_t)(u->stk[i]->kind == SW_K_BOOL ? u->stk[i]->u.b : u->stk[i]->u.i);
        target->u.s.n = n0 + k;
    } else if (from < u->sn) {
        return attr_error(u, "object has no attribute 'append'");
    }
    u->sn = from;
    return SW_OK;
}

/* [#pickle.setitem-seq] SETITEM(S) on a list or a bytearray: CPython's
 * do_setitems calls PyObject_SetItem(target, key, value) on whatever is
 * under the MARK. The key must be an int or a bool (else TypeError), taken
 * as Py_ssize_t (beyond: IndexError), negative from the end, within the
 * length (else IndexError); the list's item is replaced; a bytearray's byte
 * must be an int or a bool in 0..255 (another int: ValueError, anything
 * else: TypeError). */
static sw_status seq_setitem(pu *u, sw_value *t, const sw_value *k, sw_value *v)
{
    size_t len = t->kind == SW_K_LIST ? t->u.c.n : t->u.s.n;
    int64_t i;
    if (k->kind == SW_K_BOOL) i = k->u.b;
    else if (k->kind == SW_K_INT && (k->flags & SW_VF_BIG))
        return FAILP(u, SW_E_TYPE, SW_PYEXC_INDEXERROR, "cannot fit 'int' into an index-sized integer");
    else if (k->kind == SW_K_INT) i = k->u.i;
    else return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "indices must be integers or slices");
    if (t->kind == SW_K_LIST) {
        if (i < 0) i += (int64_t)len;
        if (i < 0 || (uint64_t)i >= len)
            return FAILP(u, SW_E_TYPE, SW_PYEXC_INDEXERROR, "list assignment index out of range");
        t->u.c.v[i] = v;
        return SW_OK;
    }
    {
        /* bytearray_ass_subscript (3.11, GH-91153) takes the byte value
         * before it checks the index range */
        int64_t b;
        uint8_t *nb;
        if (v->kind == SW_K_BOOL) b = v->u.b;
        else if (v->kind == SW_K_INT) b = (v->flags & SW_VF_BIG) ? -1 : v->u.i;
        else return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "object cannot be interpreted as an integer");
        if (b < 0 || b > 255) return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "byte must be in range(0, 256)");
        if (i < 0) i += (int64_t)len;
        if (i < 0 || (uint64_t)i >= len) return FAILP(u, SW_E_TYPE, SW_PYEXC_INDEXERROR, "bytearray index out of range");
        nb = own_bytes(u, t, len);
        if (!nb) return oom(u);
        nb[i] = (uint8_t)b;
        return SW_OK;
    }
}

static sw_status setitems(pu *u, sw_value *target, size_t from)
{
    size_t i;
    sw_status st;
    if ((u->sn - from) % 2) return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "odd number of items for SETITEMS");
    for (i = from; i + 1 < u->sn; i += 2) {
        if (target->kind == SW_K_DICT) {
            if ((st = dict_set(u, target, u->stk[i], u->stk[i + 1])) != SW_OK) return st;
        } else if (target->kind == SW_K_OBJ) {
            if (sw_v_mutate(u->ar, target, SW_MUT_SETITEM, u->stk[i], u->stk[i + 1]) != SW_OK) return oom(u);
        } else if (target->kind == SW_K_LIST || target->kind == SW_K_BYTEARRAY) {
            if ((st = seq_setitem(u, target, u->stk[i], u->stk[i + 1])) != SW_OK) return st;
        } else if ((target->kind == SW_K_TUPLE || target->kind == SW_K_NAMEDTUPLE || target->kind == SW_K_STR ||
                    target->kind == SW_K_BYTES || target->kind == SW_K_SET || target->kind == SW_K_FROZENSET) &&
                   u->stk[i]->kind == SW_K_INT && (u->stk[i]->flags & SW_VF_BIG)) {
            /* [#pickle.setitem-seq] PyObject_SetItem on a type with
             * tp_as_sequence and no mp_ass_subscript takes an int key as
             * Py_ssize_t before it finds no sq_ass_item: beyond, IndexError */
            return FAILP(u, SW_E_TYPE, SW_PYEXC_INDEXERROR, "cannot fit 'int' into an index-sized integer");
        } else {
            return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "object does not support item assignment");
        }
    }
    u->sn = from;
    return SW_OK;
}

static sw_status additems(pu *u, sw_value *target, size_t from)
{
    size_t i;
    sw_status st;
    for (i = from; i < u->sn; i++) {
        if (target->kind == SW_K_SET) {
            if ((st = set_add(u, target, u->stk[i])) != SW_OK) return st;
        } else if (target->kind == SW_K_OBJ) {
            if (sw_v_mutate(u->ar, target, SW_MUT_ADD, u->stk[i], NULL) != SW_OK) return oom(u);
        } else {
            return attr_error(u, "object has no attribute 'add'");
        }
    }
    u->sn = from;
    return SW_OK;
}

static sw_status memo_put(pu *u, uint64_t idx)
{
    sw_value *v = NULL, **slot;
    int fresh = 0;
    sw_status st = top(u, &v);
    if (st != SW_OK) return st;
    slot = memo_slot(&u->m, idx, 1, &fresh);
    if (!slot) return FAILP(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
    if (fresh && u->m.n > u->lim->max_memo)
        /* [#limits.memo] */
        return FAILP(u, SW_E_LIMIT_MEMO, SW_PYEXC_NONE, "more memo entries than max_memo");
    *slot = v;
    return SW_OK;
}

static sw_status memo_get(pu *u, uint64_t idx)
{
    int fresh;
    sw_value **slot = memo_slot(&u->m, idx, 0, &fresh);
    sw_value *v;
    if (!slot || !*slot)
        return FAILP(u, SW_E_BAD_MEMO, SW_PYEXC_UNPICKLINGERROR, "Memo value not found");
    v = *slot;
    /* [#limits.expansion] a GET re-references a subtree: charge its fan-out */
    u->expansion += 1 + sw_v_nchildren(v);
    if (u->expansion > u->lim->max_expansion)
        return FAILP(u, SW_E_LIMIT_EXPANSION, SW_PYEXC_NONE, "memo GETs over max_expansion");
    return push(u, v);
}

static int py_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* [#pickle.memo-text] PUT and GET lines: load_put/load_get parse the line
 * (a C string: a NUL ends it; the newline is part of it) with
 * PyLong_FromString(s, NULL, 10): white space around, one sign, one '_'
 * between digits, leading zeros allowed; more than max_int_digits digits is
 * ValueError "Exceeds the limit"; junk is ValueError, or UnicodeDecodeError
 * when the quoted text is no UTF-8 ([#pickle.int]). Then PyLong_AsSsize_t:
 * beyond the 64-bit range is OverflowError. *neg: the value is below 0. */
static sw_status text_index(pu *u, uint64_t *idx, int *neg)
{
    const uint8_t *p, *z;
    size_t n, m, clen, i = 0, nd = 0;
    uint64_t x = 0;
    int over = 0, prev_us = 0;
    sw_status st = readline_arg(u, &p, &n);
    if (st != SW_OK) return st;
    z = memchr(p, 0, n);
    m = z ? (size_t)(z - p) : n;
    clen = z ? m : n + 1;
    *neg = 0;
    while (i < m && py_space(p[i])) i++;
    if (i < m && (p[i] == '+' || p[i] == '-')) *neg = p[i++] == '-';
    for (; i < m; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            if (x > (UINT64_MAX - 9) / 10) over = 1;
            else x = x * 10 + (uint64_t)(p[i] - '0');
            nd++;
            prev_us = 0;
        } else if (p[i] == '_' && nd && !prev_us) {
            prev_us = 1;
        } else {
            break;
        }
    }
    while (i < m && py_space(p[i])) i++;
    if (nd == 0 || prev_us || i < m) {
        if (pylong_text_utf8_bad(p, clen))
            return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'utf-8' codec can't decode the memo index");
        return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "invalid literal for int() with base 10");
    }
    if (nd > u->lim->max_int_digits) return int_fail(u, SW_E_LIMIT_INT_DIGITS);
    if (over || x > (*neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_OVERFLOWERROR, "Python int too large to convert to C ssize_t");
    if (x == 0) *neg = 0;
    *idx = x;
    return SW_OK;
}

static sw_status step(pu *u, uint8_t op, int *stop);

sw_status sw_pickle_decode(sw_arena *ar, const uint8_t *p, size_t n, const sw_pickle_opts *o,
                           sw_value **out, size_t *consumed, sw_error *err)
{
    pu u;
    sw_pickle_opts def;
    sw_status st = SW_OK;
    int stop = 0;
    size_t i;
    if (!ar || !out || (!p && n)) return SW_E_ARG;
    *out = NULL;
    if (!o) {
        sw_pickle_opts_default(&def);
        o = &def;
    }
    memset(&u, 0, sizeof u);
    u.ar = ar;
    u.o = o;
    u.lim = sw_arena_limits(ar);
    u.al = sw_arena_alloc(ar);
    u.err = err;
    u.m.al = u.al;
    sw_ptrmap_init(&u.sets, u.al);
    sw_ptrmap_init(&u.bufs, u.al);
    sw_cur_init(&u.c, p ? p : (const uint8_t *)"", n);
    while (!stop) {
        const uint8_t *b;
        u.op_at = u.c.pos;
        b = sw_cur_take(&u.c, 1);
        if (!b) {
            /* [#pickle.stop] running out where an opcode should be */
            st = FAILP(&u, SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, "Ran out of input");
            break;
        }
        st = step(&u, b[0], &stop);
        if (st != SW_OK) break;
    }
    if (st == SW_OK) {
        sw_value *v = NULL;
        st = pop(&u, &v);
        if (st == SW_OK) {
            *out = v;
            if (consumed) *consumed = u.c.pos;
        }
    }
    for (i = 0; i < u.sets.cap; i++)
        if (u.sets.keys[i]) {
            sw_vset *s = (sw_vset *)(uintptr_t)u.sets.vals[i];
            sw_vset_free(s);
            sw__free(u.al, s, sizeof *s);
        }
    sw_ptrmap_free(&u.sets);
    sw_ptrmap_free(&u.bufs);
    memo_free(&u.m);
    sw__free(u.al, u.stk, u.scap * sizeof *u.stk);
    sw__free(u.al, u.marks, u.mcap * sizeof *u.marks);
    /* [#pickle.resolve] every node resolve rewrites is a GLOBAL or a REDUCE of
     * a GLOBAL: a graph without GLOBAL nodes comes out unchanged, so the walk
     * over it (a visited set of every node) is skipped */
    if (st == SW_OK && o->resolve && u.nglobals) {
        st = sw_pickle_resolve(ar, out, o, err);
        if (st != SW_OK) *out = NULL;
    }
    return st;
}

static sw_status step(pu *u, uint8_t op, int *stop)
{
    const uint8_t *a;
    const uint8_t *line;
    size_t ln, from;
    sw_value *v = NULL, *w = NULL, *x = NULL;
    sw_status st;
    uint64_t len;
    int neg;
    switch (op) {
    case '(': /* MARK */
        /* [#limits.depth] open MARKs */
        if (u->mn >= u->lim->max_depth) return FAILP(u, SW_E_LIMIT_DEPTH, SW_PYEXC_NONE, "MARKs nested over max_depth");
        if (u->mn == u->mcap) {
            size_t nc = u->mcap ? u->mcap * 2 : 16;
            size_t *nm = (size_t *)sw__realloc(u->al, u->marks, u->mcap * sizeof *nm, nc * sizeof *nm);
            if (!nm) return FAILP(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
            u->marks = nm;
            u->mcap = nc;
        }
        u->marks[u->mn++] = u->sn;
        return SW_OK;
    case '.': /* STOP */
        *stop = 1;
        return SW_OK;
    case '0': /* POP: may pop a MARK */
        if (u->mn && u->marks[u->mn - 1] == u->sn) {
            u->mn--;
            return SW_OK;
        }
        if ((st = pop(u, &v)) != SW_OK) return st;
        /* [#pickle.setstate] save_reduce with a state_setter writes
         * setter(obj, state) then POP: the call happened for its effect on
         * obj, so it is kept as obj's mutation instead of being lost */
        if (v->kind == SW_K_OBJ && v->sub == SW_OBJ_REDUCE && v->u.c.nmut == 0 && v->u.c.n == 2 &&
            v->u.c.v[1]->kind == SW_K_TUPLE && v->u.c.v[1]->u.c.n == 2 && u->sn > fence(u) &&
            v->u.c.v[1]->u.c.v[0] == u->stk[u->sn - 1] && u->stk[u->sn - 1]->kind == SW_K_OBJ)
            return sw_v_mutate(u->ar, u->stk[u->sn - 1], SW_MUT_SETSTATE, v->u.c.v[0], v->u.c.v[1]->u.c.v[1]) == SW_OK
                       ? SW_OK
                       : oom(u);
        return SW_OK;
    case '1': /* POP_MARK */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        u->sn = from;
        return SW_OK;
    case '2': /* DUP */
        if ((st = top(u, &v)) != SW_OK) return st;
        return push(u, v);
    case 'F':
        if ((st = readline_arg(u, &line, &ln)) != SW_OK) return st;
        return load_float_text(u, line, ln);
    case 'I':
        if ((st = readline_arg(u, &line, &ln)) != SW_OK) return st;
        return load_int(u, line, ln);
    case 'J':
        if ((st = need(u, 4, &a)) != SW_OK) return st;
        v = sw_v_int(u->ar, (int32_t)(uint32_t)le(a, 4));
        if (v) v->hint = op;
        return push(u, v);
    case 'K':
        if ((st = need(u, 1, &a)) != SW_OK) return st;
        v = sw_v_int(u->ar, a[0]);
        if (v) v->hint = op;
        return push(u, v);
    case 'M':
        if ((st = need(u, 2, &a)) != SW_OK) return st;
        v = sw_v_int(u->ar, (int64_t)le(a, 2));
        if (v) v->hint = op;
        return push(u, v);
    case 'L': /* LONG text: a trailing 'L' is dropped */
        if ((st = readline_arg(u, &line, &ln)) != SW_OK) return st;
        if (line[ln - 1] == 'L') ln--;
        {
            /* strlen of CPython's string: up to a NUL, else up to the
             * dropped 'L', else the newline included */
            size_t clen = line[ln] == '\n' ? ln + 1 : ln;
            if ((a = memchr(line, 0, ln)) != NULL) ln = clen = (size_t)(a - line); /* a C string */
            v = int_text(u, line, ln, &st);
            /* [#pickle.int] load_long passes PyLong_FromString's error on
             * (load_int replaces it with ValueError) */
            if (!v && st == SW_E_BAD_VALUE && pylong_text_utf8_bad(line, clen))
                return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'utf-8' codec can't decode the LONG text");
        }
        if (!v) return int_fail(u, st);
        v->hint = op;
        return push(u, v);
    case 'N':
        return push(u, sw_v_none(u->ar));
    case 'P': case 'Q': /* PERSID, BINPERSID [#pickle.ext]: without persistent_load
                         * CPython fails before reading the argument */
        if (!u->o->symbolic_ext)
            return FAILP(u, SW_E_UNSUPPORTED_PERSID, SW_PYEXC_UNPICKLINGERROR,
                         "A load persistent id instruction was encountered, but no persistent_load function was specified.");
        if (op == 'P') {
            size_t i;
            if ((st = readline(u, &line, &ln)) != SW_OK) return st;
            for (i = 0; i < ln; i++)
                if (line[i] >= 0x80)
                    return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_UNPICKLINGERROR,
                                 "persistent IDs in protocol 0 must be ASCII strings");
            v = str_node(u, line, ln, 0);
            if (!v) return oom(u);
        } else if ((st = pop(u, &v)) != SW_OK) {
            return st;
        }
        w = sw_v_container(u->ar, SW_K_PERSID, 1);
        if (!w || sw_v_push(u->ar, w, v)) return oom(u);
        w->hint = op;
        return push(u, w);
    case 'R': /* REDUCE */
        if ((st = pop(u, &w)) != SW_OK) return st;
        if ((st = pop(u, &v)) != SW_OK) return st;
        /* [#pickle.call] PyObject_CallObject(callable, args) checks the
         * args first, then calls */
        if (native(w) && w->kind != SW_K_TUPLE)
            return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "argument list must be a tuple");
        if (native(v)) return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "object is not callable");
        if (!(x = new_obj(u, SW_OBJ_REDUCE, v, w, NULL, op))) return oom(u);
        if (u->o->resolve) {
            /* [#pickle.resolve.reduce] a builtin's call becomes its value
             * here, before the value can be a dict key, a set member or an
             * argument, as CPython's load calls it here; a call that fails
             * stays symbolic and the resolve pass reports it */
            sw_error e;
            st = sw__pickle_resolve_call(u->ar, x, u->o, &e);
            if (st == SW_E_NOMEM || sw_arena_status(u->ar) != SW_OK) return oom(u);
        }
        return push(u, x);
    case 'S':
        if ((st = readline(u, &line, &ln)) != SW_OK) return st;
        return push_string_text(u, line, ln);
    case 'T': /* BINSTRING: CPython 3.11 on 64 bits reads the 4-byte length
               * unsigned, so 0xffffffff is a long read, not a negative count */
        if ((st = need(u, 4, &a)) != SW_OK) return st;
        len = le(a, 4);
        if (len > sw_cur_left(&u->c)) return truncated(u);
        a = sw_cur_take(&u->c, (size_t)len);
        return push_str8(u, a, (size_t)len, op);
    case 'U':
        if ((st = need(u, 1, &a)) != SW_OK) return st;
        len = a[0];
        if ((st = need(u, (size_t)len, &a)) != SW_OK) return st;
        return push_str8(u, a, (size_t)len, op);
    case 'V':
        if ((st = readline(u, &line, &ln)) != SW_OK) return st;
        return push_unicode_text(u, line, ln);
    case 'X': case 0x8c: case 0x8d: { /* BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 */
        size_t w8 = op == 'X' ? 4 : op == 0x8c ? 1 : 8, bad;
        if ((st = need(u, w8, &a)) != SW_OK) return st;
        len = le(a, w8);
        if (len > (uint64_t)INT64_MAX)
            return FAILP(u, SW_E_BAD_LENGTH, SW_PYEXC_OVERFLOWERROR, "BINUNICODE exceeds system's maximum size");
        if (len > (uint64_t)INT64_MAX - u->c.pos) return overflow(u);
        if (len > sw_cur_left(&u->c)) return truncated(u);
        a = sw_cur_take(&u->c, (size_t)len);
        if (!sw_utf8_valid_surrogatepass(a, (size_t)len, &bad))
            return FAILP(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'utf-8' codec can't decode bytes");
        return push(u, str_node(u, a, (size_t)len, op));
    }
    case 'B': case 'C': case 0x8e: case 0x96: { /* BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8 */
        size_t w8 = op == 'B' ? 4 : op == 'C' ? 1 : 8;
        if ((st = need(u, w8, &a)) != SW_OK) return st;
        len = le(a, w8);
        if (len > (uint64_t)INT64_MAX)
            return FAILP(u, SW_E_BAD_LENGTH, SW_PYEXC_OVERFLOWERROR, "BINBYTES exceeds system's maximum size");
        if (len > (uint64_t)INT64_MAX - u->c.pos) return overflow(u);
        if (len > sw_cur_left(&u->c)) return truncated(u);
        /* [#pickle.bytes-end] CPython reads these through _Unpickler_ReadInto,
         * which on a memory input with no byte left fails even for 0 bytes:
         * an empty bytes/bytearray argument ending the input is "pickle data
         * was truncated", not the EOFError of the missing next opcode */
        if (len == 0 && sw_cur_left(&u->c) == 0) return truncated(u);
        a = sw_cur_take(&u->c, (size_t)len);
        v = sw_v_strlike(u->ar, op == 0x96 ? SW_K_BYTEARRAY : SW_K_BYTES, a, (size_t)len);
        if (v) v->hint = op;
        return push(u, v);
    }
    case 'a': /* APPEND */
        if ((st = pop(u, &v)) != SW_OK) return st;
        if ((st = top(u, &w)) != SW_OK) return st;
        if (push(u, v) != SW_OK) return oom(u);
        return appends(u, w, u->sn - 1);
    case 'e': /* APPENDS */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        if (from == 0 || from <= fence(u)) return underflow(u);
        return appends(u, u->stk[from - 1], from);
    case 'b': /* BUILD */
        if ((st = pop(u, &w)) != SW_OK) return st;
        if ((st = top(u, &v)) != SW_OK) return st;
        if (v->kind == SW_K_OBJ) return sw_v_mutate(u->ar, v, SW_MUT_BUILD, w, NULL) == SW_OK ? SW_OK : oom(u);
        if (native(v)) return build_native(u, w); /* [#pickle.build] */
        if (w->kind == SW_K_NONE) return SW_OK; /* load_build ignores a None state */
        return attr_error(u, "object has no attribute '__dict__'");
    case 'c': /* GLOBAL */
        if ((st = global_lines(u, op, &v)) != SW_OK) return st;
        return push(u, v);
    case 0x93: /* STACK_GLOBAL */
        if ((st = pop(u, &w)) != SW_OK) return st;
        if ((st = pop(u, &v)) != SW_OK) return st;
        if (v->kind != SW_K_STR || w->kind != SW_K_STR)
            return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "STACK_GLOBAL requires str");
        if ((st = make_global(u, v, w, op, &x)) != SW_OK) return st;
        return push(u, x);
    case 'd': case 'l': case 't': /* DICT, LIST, TUPLE */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        if (op == 't') return push(u, tuple_of(u, from));
        if (op == 'l') {
            v = tuple_of(u, from);
            if (!v) return oom(u);
            v->kind = SW_K_LIST;
            v->hint = op;
            return push(u, v);
        }
        v = sw_v_container(u->ar, SW_K_DICT, 0);
        if (!v) return oom(u);
        v->hint = op;
        {
            size_t i, end = u->sn;
            if ((end - from) % 2) return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "odd number of items for DICT");
            for (i = from; i < end; i += 2)
                if ((st = dict_set(u, v, u->stk[i], u->stk[i + 1])) != SW_OK) return st;
            u->sn = from;
        }
        return push(u, v);
    case '}':
        return push(u, sw_v_container(u->ar, SW_K_DICT, 0));
    case ']':
        return push(u, sw_v_container(u->ar, SW_K_LIST, 0));
    case ')':
        return push(u, sw_v_container(u->ar, SW_K_TUPLE, 0));
    case 0x8f:
        return push(u, sw_v_container(u->ar, SW_K_SET, 0));
    case 0x85: case 0x86: case 0x87: { /* TUPLE1..3 */
        size_t k = (size_t)(op - 0x84);
        if (u->sn < fence(u) + k) return underflow(u);
        return push(u, tuple_of(u, u->sn - k));
    }
    case 0x91: /* FROZENSET */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        v = sw_v_container(u->ar, SW_K_FROZENSET, 0);
        if (!v) return oom(u);
        {
            size_t i, end = u->sn;
            for (i = from; i < end; i++)
                if ((st = set_add(u, v, u->stk[i])) != SW_OK) return st;
            u->sn = from;
        }
        return push(u, v);
    case 0x90: /* ADDITEMS */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        if (from == 0 || from <= fence(u)) return underflow(u);
        return additems(u, u->stk[from - 1], from);
    case 's': /* SETITEM */
        if (u->sn < fence(u) + 3) return underflow(u);
        return setitems(u, u->stk[u->sn - 3], u->sn - 2);
    case 'u': /* SETITEMS */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        if (from == 0 || from <= fence(u)) return underflow(u);
        return setitems(u, u->stk[from - 1], from);
    case 'g':
        if ((st = text_index(u, &len, &neg)) != SW_OK) return st;
        /* a negative index is a memo miss ("Memo value not found") */
        if (neg) return FAILP(u, SW_E_BAD_MEMO, SW_PYEXC_UNPICKLINGERROR, "Memo value not found");
        return memo_get(u, len);
    case 'h':
        if ((st = need(u, 1, &a)) != SW_OK) return st;
        return memo_get(u, a[0]);
    case 'j':
        if ((st = need(u, 4, &a)) != SW_OK) return st;
        return memo_get(u, le(a, 4));
    case 'p':
        if (u->sn <= fence(u)) return underflow(u);
        if ((st = text_index(u, &len, &neg)) != SW_OK) return st;
        if (neg) return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "negative PUT argument");
        return memo_put(u, len);
    case 'q':
        if ((st = need(u, 1, &a)) != SW_OK) return st;
        return memo_put(u, a[0]);
    case 'r':
        if ((st = need(u, 4, &a)) != SW_OK) return st;
        return memo_put(u, le(a, 4));
    case 0x94: /* MEMOIZE: the next index is the number of entries */
        return memo_put(u, u->m.n);
    case 'i': /* INST: load_inst calls marker() before reading its lines */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        if ((st = global_lines(u, op, &v)) != SW_OK) return st;
        w = tuple_of(u, from);
        if (!w) return oom(u);
        return push(u, new_obj(u, SW_OBJ_INST, v, w, NULL, op));
    case 'o': /* OBJ */
        if ((st = pop_mark(u, &from)) != SW_OK) return st;
        if (u->sn == from) return underflow(u);
        v = u->stk[from];
        /* [#pickle.call] load_obj calls the class (instantiate) */
        if (native(v)) return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "object is not callable");
        w = tuple_of(u, from + 1);
        if (!w) return oom(u);
        u->sn = from;
        return push(u, new_obj(u, SW_OBJ_OBJ, v, w, NULL, op));
    case 'G':
        if ((st = need(u, 8, &a)) != SW_OK) return st;
        {
            uint64_t bits = 0;
            int i;
            double d;
            for (i = 0; i < 8; i++) bits = (bits << 8) | a[i];
            memcpy(&d, &bits, sizeof d);
            v = sw_v_float(u->ar, d);
            if (v) v->hint = op;
            return push(u, v);
        }
    case 0x80: /* PROTO [#pickle.proto] */
        if ((st = need(u, 1, &a)) != SW_OK) return st;
        if (a[0] > 5) return FAILP(u, SW_E_BAD_PROTO, SW_PYEXC_VALUEERROR, "unsupported pickle protocol");
        u->proto = a[0];
        return SW_OK;
    case 0x81: /* NEWOBJ */
        if ((st = pop(u, &w)) != SW_OK) return st;
        if ((st = pop(u, &v)) != SW_OK) return st;
        /* [#pickle.call] load_newobj checks the class before the args */
        if (native(v)) return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "NEWOBJ class argument must be a type");
        if (w->kind != SW_K_TUPLE) return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "NEWOBJ expected an arg tuple.");
        return push(u, new_obj(u, SW_OBJ_NEWOBJ, v, w, NULL, op));
    case 0x92: /* NEWOBJ_EX */
        if ((st = pop(u, &x)) != SW_OK) return st;
        if ((st = pop(u, &w)) != SW_OK) return st;
        if ((st = pop(u, &v)) != SW_OK) return st;
        if (native(v)) /* [#pickle.call] */
            return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "NEWOBJ_EX class argument must be a type");
        if (w->kind != SW_K_TUPLE)
            return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "NEWOBJ_EX args argument must be a tuple");
        if (x->kind != SW_K_DICT)
            return FAILP(u, SW_E_BAD_STACK, SW_PYEXC_UNPICKLINGERROR, "NEWOBJ_EX kwargs argument must be a dict");
        return push(u, new_obj(u, SW_OBJ_NEWOBJ_EX, v, w, x, op));
    case 0x82: case 0x83: case 0x84: { /* EXT1, EXT2, EXT4 */
        size_t w8 = op == 0x82 ? 1 : op == 0x83 ? 2 : 4;
        int64_t code;
        if ((st = need(u, w8, &a)) != SW_OK) return st;
        code = w8 == 4 ? (int32_t)(uint32_t)le(a, 4) : (int64_t)le(a, w8);
        if (code <= 0) return FAILP(u, SW_E_BAD_VALUE, SW_PYEXC_UNPICKLINGERROR, "EXT specifies code <= 0");
        if (!u->o->symbolic_ext)
            return FAILP(u, SW_E_UNSUPPORTED_EXT, SW_PYEXC_VALUEERROR, "unregistered extension code");
        v = sw_v_new(u->ar, SW_K_EXT);
        if (v) {
            v->u.i = code;
            v->hint = op;
        }
        return push(u, v);
    }
    case 0x88: case 0x89:
        v = sw_v_bool(u->ar, op == 0x88);
        if (v) v->hint = op;
        return push(u, v);
    case 0x8a: case 0x8b: { /* LONG1, LONG4 */
        if (op == 0x8a) {
            if ((st = need(u, 1, &a)) != SW_OK) return st;
            len = a[0];
        } else {
            int32_t l;
            if ((st = need(u, 4, &a)) != SW_OK) return st;
            l = (int32_t)(uint32_t)le(a, 4);
            if (l < 0) return FAILP(u, SW_E_BAD_LENGTH, SW_PYEXC_UNPICKLINGERROR, "LONG pickle has negative byte count");
            len = (uint64_t)l;
        }
        if ((st = need(u, (size_t)len, &a)) != SW_OK) return st;
        v = sw_v_int_le2c(u->ar, a, (size_t)len);
        if (v) v->hint = op;
        return push(u, v);
    }
    case 0x95: /* FRAME [#pickle.frame]: the C unpickler only checks the bytes are there */
        if ((st = need(u, 8, &a)) != SW_OK) return st;
        len = le(a, 8);
        if (len > (uint64_t)INT64_MAX - u->c.pos) return overflow(u);
        if (len > sw_cur_left(&u->c)) return truncated(u);
        return SW_OK;
    case 0x97: /* NEXT_BUFFER */
        if (!u->o->symbolic_ext)
            return FAILP(u, SW_E_UNSUPPORTED_BUFFER, SW_PYEXC_UNPICKLINGERROR,
                         "pickle stream refers to out-of-band data but no *buffers* argument was given");
        v = sw_v_new(u->ar, SW_K_BUFFER);
        if (v) v->u.i = (int64_t)u->nbuf++;
        return push(u, v);
    case 0x98: /* READONLY_BUFFER */
        if ((st = top(u, &v)) != SW_OK) return st;
        if (v->kind == SW_K_BUFFER) {
            v->sub = 1;
            return SW_OK;
        }
        if (v->kind == SW_K_BYTES) return SW_OK; /* already read-only: CPython keeps it */
        /* [#pickle.ext] a bytearray is writable: load_readonly_buffer puts a
         * read-only memoryview of it on the stack (the memo keeps the
         * bytearray), a kind the value graph does not have */
        if (v->kind == SW_K_BYTEARRAY)
            return FAILP(u, SW_E_UNSUPPORTED_BUFFER, SW_PYEXC_NONE, "READONLY_BUFFER on a bytearray makes a memoryview");
        return FAILP(u, SW_E_TYPE, SW_PYEXC_TYPEERROR, "memoryview: a bytes-like object is required");
    default:
        return FAILP(u, SW_E_BAD_OPCODE, SW_PYEXC_UNPICKLINGERROR, "invalid load key");
    }
}

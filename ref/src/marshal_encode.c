/* The marshal encoder [#marshal.encode]: marshal.dumps(obj, version) of
 * CPython 3.11 (versions 0-4) and of 2.7 (versions 0-2, the py2 option),
 * on an explicit stack. FLAG_REF bits come from the hints a decoded graph
 * carries, or from a canonical rule for graphs built fresh
 * [#marshal.encode.refs]. */
#include <math.h>
#include <stdio.h>

#include "internal/marshal.h"

void sw_marshal_enc_opts_default(sw_marshal_enc_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->version = -1;
    o->use_hints = 1;
    sw_limits_default(&o->limits);
}

typedef struct menc {
    sw_buf *out;
    int version, py2, hints;
    sw_ptrmap refs;    /* 3.x: node -> times reached (REF_COUNT, 1 or 2 for more)
                        * | (ref index + 1) << REF_SHIFT once written with FLAG_REF */
    sw_vset strs;      /* 2.7: interned strings written, by content */
    uint64_t nrefs, nstrs, written, max_expansion, max_out;
    uint32_t max_depth;
    int failed;        /* err already filled */
    sw_error *err;
    size_t start;
} menc;

typedef struct wfr {
    const sw_value *v;
    size_t i;
} wfr;

static sw_status efail(menc *e, sw_status st, sw_pyexc exc, const char *msg)
{
    uint64_t at = e->out->n - e->start;
    e->failed = 1;
    return SW_FAIL(e->err, st, SW_LAYER_MARSHAL, exc, at, at, msg);
}

static sw_status unmarshallable(menc *e) { return efail(e, SW_E_UNENCODABLE, SW_PYEXC_VALUEERROR, "unmarshallable object"); }

static sw_status put_le32(sw_buf *b, uint32_t x)
{
    uint8_t q[4];
    q[0] = (uint8_t)x;
    q[1] = (uint8_t)(x >> 8);
    q[2] = (uint8_t)(x >> 16);
    q[3] = (uint8_t)(x >> 24);
    return sw_buf_put_inline(b, q, 4);
}

static sw_status put_double(sw_buf *b, double d)
{
    uint64_t bits;
    uint8_t q[8];
    int i;
    memcpy(&bits, &d, sizeof bits);
    for (i = 0; i < 8; i++) q[i] = (uint8_t)(bits >> (8 * i));
    return sw_buf_put_inline(b, q, 8);
}

/* versions 0-1: PyOS_double_to_string(d, 'g', 17, 0): "%.17g", with "nan"
 * whatever the NaN's sign, "inf", "-inf" */
static sw_status put_float_text(sw_buf *b, double d)
{
    char t[40];
    int k;
    sw_status st;
    if (isnan(d)) k = snprintf(t, sizeof t, "nan");
    else if (isinf(d)) k = snprintf(t, sizeof t, "%s", d < 0 ? "-inf" : "inf");
    else k = snprintf(t, sizeof t, "%.17g", d);
    if (k <= 0 || k >= (int)sizeof t) return SW_E_NOMEM;
    /* [#limits.total] the buffer's own status: limit_total for sw_buf.max */
    if ((st = sw_buf_putc_inline(b, (uint8_t)k)) != SW_OK) return st;
    return sw_buf_put_inline(b, t, (size_t)k);
}

static int is_ascii(const sw_value *v)
{
    size_t i;
    for (i = 0; i < v->u.s.n; i++)
        if (v->u.s.p[i] >= 0x80) return 0;
    return 1;
}

static int singleton(const sw_value *v)
{
    return v->kind == SW_K_NONE || v->kind == SW_K_BOOL || v->kind == SW_K_ELLIPSIS || v->kind == SW_K_STOPITER;
}

/* [#marshal.encode.refs] CPython sets FLAG_REF on an object whose reference
 * count is above one. A decoded node repeats the bit it was read with; a
 * fresh node gets it when the graph reaches it more than once, or when it
 * is an interned str (CPython always refs those). A decoded node reached
 * twice without the bit (a graph CPython could not have written) gets it
 * too, so the output always terminates. */
#define REF_COUNT 3u
#define REF_SHIFT 2

static int wants_ref(menc *e, const sw_value *v, uint64_t reached)
{
    if (e->py2 || e->version < 3 || singleton(v)) return 0;
    if (reached > 1) return 1;
    if (!e->hints) return 0;
    if (v->hint) return (v->flags & SW_VF_MARSHAL_REF) != 0;
    return v->kind == SW_K_STR && (v->flags & SW_VF_INTERNED);
}

static sw_status w_long_digits(menc *e, const sw_value *v, uint8_t code)
{
    sw_buf *b = e->out;
    uint8_t small[9];
    const uint8_t *mag;
    size_t nbytes, nbits, nd, i;
    int neg;
    sw_status st;
    if (!(v->flags & SW_VF_BIG)) {
        uint64_t x = v->u.i < 0 ? (uint64_t)0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
        nbytes = 0;
        while (x) {
            small[nbytes++] = (uint8_t)x;
            x >>= 8;
        }
        mag = small;
        neg = v->u.i < 0;
    } else {
        mag = v->u.big.mag;
        nbytes = v->u.big.n;
        neg = v->u.big.neg;
    }
    nbits = sw_int_bit_length(v);
    nd = (nbits + 14) / 15;
    if (nd > 0x7fffffffu) return unmarshallable(e);
    if ((st = sw_buf_putc_inline(b, code)) != SW_OK) return st;
    if ((st = put_le32(b, neg ? (uint32_t)0 - (uint32_t)nd : (uint32_t)nd)) != SW_OK) return st;
    /* 15-bit digits, little-endian: magnitude bytes shifted into an
     * accumulator, two output bytes per digit stored into reserved room (or,
     * when the buffer cannot take them all, written one by one up to the
     * failure, as before) */
    {
        int room = sw_buf_reserve(b, 2 * nd) == SW_OK;
        uint32_t acc = 0;
        unsigned have = 0;
        size_t o = 0;
        for (i = 0; i < nd; i++) {
            unsigned d;
            while (have < 15 && o < nbytes) {
                acc |= (uint32_t)mag[o++] << have;
                have += 8;
            }
            d = acc & 0x7fff;
            acc >>= 15;
            have = have > 15 ? have - 15 : 0;
            if (room) {
                b->p[b->n++] = (uint8_t)d;
                b->p[b->n++] = (uint8_t)(d >> 8);
            } else if ((st = sw_buf_putc_inline(b, (uint8_t)d)) != SW_OK || (st = sw_buf_putc_inline(b, (uint8_t)(d >> 8))) != SW_OK) {
                return st;
            }
        }
    }
    return SW_OK;
}

static int fits(const sw_value *v, int64_t lo, int64_t hi)
{
    return !(v->flags & SW_VF_BIG) && v->u.i >= lo && v->u.i <= hi;
}

static sw_status w_sized(menc *e, uint8_t code, size_t n)
{
    sw_status st;
    /* W_SIZE: a size above 2**31-1 is unmarshallable */
    if (n > 0x7fffffffu) return unmarshallable(e);
    if ((st = sw_buf_putc_inline(e->out, code)) != SW_OK) return st;
    return put_le32(e->out, (uint32_t)n);
}

/* Write a leaf, or a container's header (*opened = 1; its items follow). */
static sw_status w_one(menc *e, const sw_value *v, int *opened)
{
    sw_buf *b = e->out;
    uint8_t flag = 0, code;
    sw_status st = SW_OK;
    *opened = 0;
    if (++e->written > e->max_expansion)
        return efail(e, SW_E_LIMIT_EXPANSION, SW_PYEXC_NONE, "more marshal objects written than max_expansion");
    switch (v->kind) {
    case SW_K_NONE: return sw_buf_putc_inline(b, 'N');
    case SW_K_BOOL: return sw_buf_putc_inline(b, v->u.b ? 'T' : 'F');
    case SW_K_STOPITER: return sw_buf_putc_inline(b, 'S');
    case SW_K_ELLIPSIS: return sw_buf_putc_inline(b, '.');
    default: break;
    }
    if (!e->py2 && e->version >= 3) {
        /* one lookup: how often v is reached, and its ref index if written */
        uint64_t *r = sw_ptrmap_get(&e->refs, v);
        if (r && *r >> REF_SHIFT) {
            /* [#marshal.ref] a node written with FLAG_REF before */
            if ((st = sw_buf_putc_inline(b, 'r')) != SW_OK) return st;
            return put_le32(b, (uint32_t)((*r >> REF_SHIFT) - 1));
        }
        if (wants_ref(e, v, r ? *r & REF_COUNT : 1)) {
            if (e->nrefs >= 0x7fffffffu) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_VALUEERROR, "too many objects");
            flag = SW_M_FLAG_REF;
            ++e->nrefs;
            if (r) *r |= e->nrefs << REF_SHIFT;
            else if ((st = sw_ptrmap_put(&e->refs, v, 1 | e->nrefs << REF_SHIFT)) != SW_OK) return st;
        }
    }
    switch (v->kind) {
    case SW_K_INT:
        if (e->py2) {
            /* 2.7: a long (hint 'l') stays a long; an int is 'i' or 'I' */
            if (!(e->hints && v->hint == 'l')) {
                if (fits(v, INT32_MIN, INT32_MAX)) {
                    if ((st = sw_buf_putc_inline(b, 'i')) != SW_OK) return st;
                    return put_le32(b, (uint32_t)v->u.i);
                }
                if (!(v->flags & SW_VF_BIG)) {
                    uint64_t x = (uint64_t)v->u.i;
                    if ((st = sw_buf_putc_inline(b, 'I')) != SW_OK) return st;
                    if ((st = put_le32(b, (uint32_t)x)) != SW_OK) return st;
                    return put_le32(b, (uint32_t)(x >> 32));
                }
            }
            return w_long_digits(e, v, 'l');
        }
        if (fits(v, INT32_MIN, INT32_MAX)) {
            if ((st = sw_buf_putc_inline(b, (uint8_t)('i' | flag))) != SW_OK) return st;
            return put_le32(b, (uint32_t)v->u.i);
        }
        return w_long_digits(e, v, (uint8_t)('l' | flag));
    case SW_K_FLOAT:
        if (e->version > 1) {
            if ((st = sw_buf_putc_inline(b, (uint8_t)('g' | flag))) != SW_OK) return st;
            return put_double(b, v->u.f);
        }
        if ((st = sw_buf_putc_inline(b, (uint8_t)('f' | flag))) != SW_OK) return st;
        return put_float_text(b, v->u.f);
    case SW_K_COMPLEX:
        if (e->version > 1) {
            if ((st = sw_buf_putc_inline(b, (uint8_t)('y' | flag))) != SW_OK) return st;
            if ((st = put_double(b, v->u.cx.re)) != SW_OK) return st;
            return put_double(b, v->u.cx.im);
        }
        if ((st = sw_buf_putc_inline(b, (uint8_t)('x' | flag))) != SW_OK) return st;
        if ((st = put_float_text(b, v->u.cx.re)) != SW_OK) return st;
        return put_float_text(b, v->u.cx.im);
    case SW_K_BYTES: case SW_K_BYTEARRAY:
        code = 's';
        if (e->py2 && e->version > 0 && e->hints && v->kind == SW_K_BYTES && (v->flags & SW_VF_INTERNED)) {
            /* [#marshal.py2] an interned str: 't' the first time, then 'R' */
            int found;
            size_t idx;
            st = sw_vset_add(&e->strs, v, (size_t)e->nstrs, &found, &idx);
            if (st != SW_OK) return st;
            if (found) {
                if ((st = sw_buf_putc_inline(b, 'R')) != SW_OK) return st;
                return put_le32(b, (uint32_t)idx);
            }
            e->nstrs++;
            code = 't';
        }
        if ((st = w_sized(e, (uint8_t)(code | flag), v->u.s.n)) != SW_OK) return st;
        return sw_buf_put_inline(b, v->u.s.p, v->u.s.n);
    case SW_K_STR: {
        int interned = e->hints && (v->flags & SW_VF_INTERNED) != 0;
        if (!e->py2 && e->version >= 4 && is_ascii(v)) {
            if (v->u.s.n < 256) {
                if ((st = sw_buf_putc_inline(b, (uint8_t)((interned ? 'Z' : 'z') | flag))) != SW_OK) return st;
                if ((st = sw_buf_putc_inline(b, (uint8_t)v->u.s.n)) != SW_OK) return st;
            } else if ((st = w_sized(e, (uint8_t)((interned ? 'A' : 'a') | flag), v->u.s.n)) != SW_OK) {
                return st;
            }
        } else {
            code = (!e->py2 && e->version >= 3 && interned) ? 't' : 'u';
            if ((st = w_sized(e, (uint8_t)(code | flag), v->u.s.n)) != SW_OK) return st;
        }
        return sw_buf_put_inline(b, v->u.s.p, v->u.s.n);
    }
    case SW_K_TUPLE:
        if (!e->py2 && e->version >= 4 && v->u.c.n < 256) {
            if ((st = sw_buf_putc_inline(b, (uint8_t)(')' | flag))) != SW_OK) return st;
            st = sw_buf_putc_inline(b, (uint8_t)v->u.c.n);
        } else {
            st = w_sized(e, (uint8_t)('(' | flag), v->u.c.n);
        }
        *opened = st == SW_OK;
        return st;
    case SW_K_LIST: case SW_K_SET: case SW_K_FROZENSET:
        code = v->kind == SW_K_LIST ? '[' : v->kind == SW_K_SET ? '<' : '>';
        st = w_sized(e, (uint8_t)(code | flag), v->u.c.n);
        *opened = st == SW_OK;
        return st;
    case SW_K_DICT:
        if (v->u.c.n % 2) return unmarshallable(e);
        st = sw_buf_putc_inline(b, (uint8_t)('{' | flag));
        *opened = st == SW_OK;
        return st;
    case SW_K_CODE:
        /* [#marshal.code] the field layout of the dialect */
        if (v->u.c.n != (e->py2 ? SW_M_CODE2_N : SW_M_CODE3_N))
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_VALUEERROR, "code object with another field count");
        st = sw_buf_putc_inline(b, (uint8_t)('c' | flag));
        *opened = st == SW_OK;
        return st;
    default:
        /* symbolic kinds: marshal writes TYPE_UNKNOWN and raises */
        return unmarshallable(e);
    }
}

/* how often each node is reached (1, or 2 for more): FLAG_REF for fresh
 * graphs and for decoded nodes reached twice. Singletons never take a ref
 * and are not counted. */
static sw_status count_refs(menc *e, const sw_value *root, const sw_alloc *al)
{
    const sw_value **stk;
    size_t n = 0, cap = 64;
    sw_status st = SW_OK;
    stk = (const sw_value **)sw__malloc(al, cap * sizeof *stk);
    if (!stk) return SW_E_NOMEM;
    /* a batch list of n items: room at once for n times the nodes of its
     * first item (itself and up to 7 children), instead of rehashing at
     * every doubling; a size from the graph in memory, never from input */
    if ((root->kind == SW_K_LIST || root->kind == SW_K_TUPLE) && root->u.c.n > 0) {
        size_t per = 1 + sw_v_nchildren(root->u.c.v[0]);
        st = sw_ptrmap_reserve(&e->refs, root->u.c.n * (per < 8 ? per : 8) + 1);
    }
    if (st == SW_OK) stk[n++] = root;
    while (n && st == SW_OK) {
        const sw_value *v = stk[--n];
        uint64_t *c;
        size_t i, nc;
        if (singleton(v)) continue;
        if ((c = sw_ptrmap_get(&e->refs, v)) != NULL) {
            *c = 2;
            continue;
        }
        if ((st = sw_ptrmap_put(&e->refs, v, 1)) != SW_OK) break;
        nc = sw_v_nchildren(v);
        for (i = nc; i > 0; i--) {
            if (n == cap) {
                const sw_value **ns = (const sw_value **)sw__realloc(al, stk, cap * sizeof *stk, cap * 2 * sizeof *stk);
                if (!ns) {
                    st = SW_E_NOMEM;
                    break;
                }
                stk = ns;
                cap *= 2;
            }
            stk[n++] = sw_v_child(v, i - 1);
        }
    }
    sw__free(al, stk, cap * sizeof *stk);
    return st;
}

static sw_status depth_fail(menc *e)
{
    /* [#marshal.depth] w_object's depth > MAX_MARSHAL_STACK_DEPTH */
    return efail(e, SW_E_LIMIT_DEPTH, e->max_depth >= SW_M_MAX_STACK_DEPTH ? SW_PYEXC_VALUEERROR : SW_PYEXC_NONE,
                 "object too deeply nested to marshal");
}

sw_status sw_marshal_encode(const sw_value *v, const sw_marshal_enc_opts *o, sw_buf *out, sw_error *err)
{
    menc e;
    sw_marshal_enc_opts def;
    wfr *stk;
    size_t n = 0, cap = 64;
    if (err) sw_error_clear(err); /* [#errors.record] */
    sw_status st = SW_OK;
    const sw_alloc *al;
    const char *layout;
    sw_limits lim;
    int opened;
    if (!v || !out) return SW_E_ARG;
    if (!o) {
        sw_marshal_enc_opts_default(&def);
        o = &def;
    }
    /* 2.7 takes any version and only asks > 0 and > 1: 3 and 4 write as 2 */
    if (o->version < -1 || o->version > 4) return SW_E_ARG;
    al = out->al;
    lim = o->limits;
    sw_limits_fill(&lim);
    memset(&e, 0, sizeof e);
    e.out = out;
    e.py2 = o->py2 != 0;
    e.version = o->version < 0 ? (e.py2 ? 2 : 4) : o->version;
    e.hints = o->use_hints;
    e.err = err;
    e.start = out->n;
    e.max_depth = lim.max_depth < SW_M_MAX_STACK_DEPTH ? lim.max_depth : SW_M_MAX_STACK_DEPTH;
    e.max_expansion = lim.max_expansion;
    e.max_out = lim.max_total_bytes;
    layout = e.py2 ? SW_M_CODE2 : SW_M_CODE3;
    sw_ptrmap_init(&e.refs, al);
    sw_vset_init(&e.strs, al, lim.max_depth);
    stk = (wfr *)sw__malloc(al, cap * sizeof *stk);
    if (!stk) return SW_E_NOMEM;
    if (!e.py2 && e.version >= 3 && (st = count_refs(&e, v, al)) != SW_OK) goto done;
    /* depth of the object being written = open containers + 1 */
    if ((st = w_one(&e, v, &opened)) != SW_OK) goto done;
    if (opened) {
        stk[n].v = v;
        stk[n].i = 0;
        n++;
    }
    while (n && st == SW_OK) {
        wfr *f = &stk[n - 1];
        const sw_value *c;
        if (out->n - e.start > e.max_out) {
            st = efail(&e, SW_E_LIMIT_TOTAL, SW_PYEXC_NONE, "marshal output larger than max_total_bytes");
            break;
        }
        if (f->v->kind == SW_K_CODE && f->i < f->v->u.c.n && layout[f->i] == 'I') {
            const sw_value *iv = f->v->u.c.v[f->i++];
            if (iv->kind != SW_K_INT || !fits(iv, INT32_MIN, INT32_MAX)) {
                st = efail(&e, SW_E_UNENCODABLE, SW_PYEXC_VALUEERROR, "code object int field out of range");
                break;
            }
            st = put_le32(out, (uint32_t)iv->u.i);
            continue;
        }
        if (f->i >= f->v->u.c.n) {
            if (f->v->kind == SW_K_DICT) {
                /* the terminating NULL is one more w_object */
                if (n + 1 > e.max_depth) {
                    st = depth_fail(&e);
                    break;
                }
                st = sw_buf_putc_inline(out, '0');
            }
            n--;
            continue;
        }
        c = f->v->u.c.v[f->i++];
        if (n + 1 > e.max_depth) {
            st = depth_fail(&e);
            break;
        }
        if ((st = w_one(&e, c, &opened)) != SW_OK) break;
        if (opened) {
            if (n == cap) {
                wfr *ns = (wfr *)sw__realloc(al, stk, cap * sizeof *stk, cap * 2 * sizeof *stk);
                if (!ns) {
                    st = SW_E_NOMEM;
                    break;
                }
                stk = ns;
                cap *= 2;
            }
            stk[n].v = c;
            stk[n].i = 0;
            n++;
        }
    }
    if (st == SW_OK && out->n - e.start > e.max_out)
        st = efail(&e, SW_E_LIMIT_TOTAL, SW_PYEXC_NONE, "marshal output larger than max_total_bytes");
done:
    if (st != SW_OK) {
        if (!e.failed)
            SW_FAIL(err, st, SW_LAYER_MARSHAL, st == SW_E_NOMEM ? SW_PYEXC_MEMORYERROR : SW_PYEXC_NONE,
                    out->n - e.start, out->n - e.start, st == SW_E_NOMEM ? "out of memory" : "marshal encoding failed");
        out->n = e.start;
    }
    sw__free(al, stk, cap * sizeof *stk);
    sw_ptrmap_free(&e.refs);
    sw_vset_free(&e.strs);
    return st;
}

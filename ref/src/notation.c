/* The text notation [#notation]: a canonical printer and its parser.
 *
 * Both sides run on explicit stacks (no recursion): the printer keeps one
 * frame per open container, the parser one frame per open bracket or call.
 * Depth is bounded by max_depth ([#limits.depth]).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal/common.h"
#include "internal/int_text.h"

/* Bytes of anchor-free sort-key text one print may produce before it gives
 * up with SW_E_LIMIT_EXPANSION [#notation.set-order]. */
#define KEY_BUDGET ((uint64_t)SW_DEFAULT_MAX_EXPANSION)
/* Reaches of nodes (counting re-expanded shared nodes) one print may make. */
#define REACH_BUDGET ((uint64_t)SW_DEFAULT_MAX_EXPANSION)
/* Longest float literal the parser reads [#notation.grammar]. */
#define MAX_FLOAT_TEXT 128
/* Decimal digits of 10**4300: ints from here on print in hex [#notation.int]. */
#define INT_DEC_MAX 4300u

static const char HEXD[] = "0123456789abcdef";

/* ======================================================================
 * Scalars [#notation.scalar]
 * ====================================================================== */

/* [#notation.float] */
static sw_status put_double(sw_buf *b, double d)
{
    char buf[48];
    size_t n;
    if (isnan(d)) {
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        if (bits == 0x7ff8000000000000ULL) return sw_buf_put(b, "nan", 3);
        snprintf(buf, sizeof buf, "float_bits(0x%016llx)", (unsigned long long)bits);
        return sw_buf_puts(b, buf);
    }
    n = sw_float_repr(d, buf);
    return sw_buf_put(b, buf, n);
}

/* [#notation.int] decimal up to 4300 digits, lowercase hex beyond */
static sw_status put_int(sw_buf *b, const sw_value *v)
{
    char dec[INT_DEC_MAX + 16];
    size_t bits, len, i, n;
    const uint8_t *m;
    sw_status st;
    if (!(v->flags & SW_VF_BIG)) {
        char tmp[24];
        int k = snprintf(tmp, sizeof tmp, "%lld", (long long)v->u.i);
        return sw_buf_put(b, tmp, (size_t)k);
    }
    bits = sw_int_bit_length(v);
    if (bits == 0) return sw_buf_put(b, "0", 1);
    /* 2**14284 < 10**4300 < 2**14285: below 14286 bits count the digits */
    if (bits < 14286) {
        len = sw__int_to_decimal_al(v, dec, sizeof dec, b->al); /* scratch through the caller's allocator [#api.alloc] */
        if (len == 0 || len >= sizeof dec) return SW_E_NOMEM;
        if (len - (v->u.big.neg ? 1u : 0u) <= INT_DEC_MAX) return sw_buf_put(b, dec, len);
    }
    m = v->u.big.mag;
    n = v->u.big.n;
    while (n > 0 && m[n - 1] == 0) n--;
    st = sw_buf_reserve(b, n * 2 + 3);
    if (st != SW_OK) return st;
    if (v->u.big.neg) b->p[b->n++] = '-';
    b->p[b->n++] = '0';
    b->p[b->n++] = 'x';
    for (i = n; i > 0; i--) {
        uint8_t c = m[i - 1];
        if (i != n || (c >> 4)) b->p[b->n++] = (uint8_t)HEXD[c >> 4];
        b->p[b->n++] = (uint8_t)HEXD[c & 15];
    }
    return SW_OK;
}

/* [#notation.string] str from surrogatepass UTF-8 */
static sw_status put_str(sw_buf *b, const uint8_t *p, size_t n)
{
    char tmp[512];
    size_t k = 0, i = 0;
    sw_status st;
    st = sw_buf_putc(b, '\'');
    while (st == SW_OK && i < n) {
        uint32_t cp;
        size_t l = sw_utf8_decode1(p + i, n - i, &cp);
        if (l == 0) return SW_E_BAD_UTF8;
        i += l;
        if (cp == '\\') {
            tmp[k++] = '\\';
            tmp[k++] = '\\';
        } else if (cp == '\'') {
            tmp[k++] = '\\';
            tmp[k++] = '\'';
        } else if (cp == '\t') {
            tmp[k++] = '\\';
            tmp[k++] = 't';
        } else if (cp == '\n') {
            tmp[k++] = '\\';
            tmp[k++] = 'n';
        } else if (cp == '\r') {
            tmp[k++] = '\\';
            tmp[k++] = 'r';
        } else if (cp >= 0x20 && cp <= 0x7e) {
            tmp[k++] = (char)cp;
        } else if (cp < 0x100) {
            k += (size_t)snprintf(tmp + k, 8, "\\x%02x", (unsigned)cp);
        } else if (cp < 0x10000) {
            k += (size_t)snprintf(tmp + k, 8, "\\u%04x", (unsigned)cp);
        } else {
            k += (size_t)snprintf(tmp + k, 12, "\\U%08x", (unsigned)cp);
        }
        if (k > sizeof tmp - 16) {
            st = sw_buf_put(b, tmp, k);
            k = 0;
        }
    }
    if (st == SW_OK) st = sw_buf_put(b, tmp, k);
    if (st == SW_OK) st = sw_buf_putc(b, '\'');
    return st;
}

/* [#notation.string] bytes */
static sw_status put_bytes(sw_buf *b, const uint8_t *p, size_t n)
{
    char tmp[512];
    size_t k = 0, i;
    sw_status st = sw_buf_put(b, "b'", 2);
    for (i = 0; st == SW_OK && i < n; i++) {
        uint8_t c = p[i];
        if (c == '\\' || c == '\'') {
            tmp[k++] = '\\';
            tmp[k++] = (char)c;
        } else if (c == '\t') {
            tmp[k++] = '\\';
            tmp[k++] = 't';
        } else if (c == '\n') {
            tmp[k++] = '\\';
            tmp[k++] = 'n';
        } else if (c == '\r') {
            tmp[k++] = '\\';
            tmp[k++] = 'r';
        } else if (c >= 0x20 && c <= 0x7e) {
            tmp[k++] = (char)c;
        } else {
            tmp[k++] = '\\';
            tmp[k++] = 'x';
            tmp[k++] = HEXD[c >> 4];
            tmp[k++] = HEXD[c & 15];
        }
        if (k > sizeof tmp - 8) {
            st = sw_buf_put(b, tmp, k);
            k = 0;
        }
    }
    if (st == SW_OK) st = sw_buf_put(b, tmp, k);
    if (st == SW_OK) st = sw_buf_putc(b, '\'');
    return st;
}

static int is_leaf(const sw_value *v)
{
    switch (v->kind) {
    case SW_K_TUPLE: case SW_K_LIST: case SW_K_DICT: case SW_K_SET: case SW_K_FROZENSET:
    case SW_K_GLOBAL: case SW_K_OBJ: case SW_K_PERSID: case SW_K_CODE: case SW_K_NAMEDTUPLE:
        return 0;
    default:
        return 1;
    }
}

/* Text of a node without children. */
static sw_status put_leaf(sw_buf *b, const sw_value *v)
{
    char tmp[40];
    sw_status st;
    switch (v->kind) {
    case SW_K_NONE: return sw_buf_puts(b, "None");
    case SW_K_BOOL: return sw_buf_puts(b, v->u.b ? "True" : "False");
    case SW_K_ELLIPSIS: return sw_buf_puts(b, "Ellipsis");
    case SW_K_STOPITER: return sw_buf_puts(b, "StopIteration");
    case SW_K_INT: return put_int(b, v);
    case SW_K_FLOAT: return put_double(b, v->u.f);
    case SW_K_COMPLEX:
        st = sw_buf_puts(b, "complex(");
        if (st == SW_OK) st = put_double(b, v->u.cx.re);
        if (st == SW_OK) st = sw_buf_put(b, ", ", 2);
        if (st == SW_OK) st = put_double(b, v->u.cx.im);
        if (st == SW_OK) st = sw_buf_putc(b, ')');
        return st;
    case SW_K_STR: return put_str(b, v->u.s.p, v->u.s.n);
    case SW_K_BYTES: return put_bytes(b, v->u.s.p, v->u.s.n);
    case SW_K_BYTEARRAY:
        st = sw_buf_puts(b, "bytearray(");
        if (st == SW_OK) st = put_bytes(b, v->u.s.p, v->u.s.n);
        if (st == SW_OK) st = sw_buf_putc(b, ')');
        return st;
    case SW_K_EXT:
        snprintf(tmp, sizeof tmp, "ext(%lld)", (long long)v->u.i);
        return sw_buf_puts(b, tmp);
    case SW_K_BUFFER:
        snprintf(tmp, sizeof tmp, "%s(%lld)", v->sub ? "readonly_buffer" : "buffer", (long long)v->u.i);
        return sw_buf_puts(b, tmp);
    default:
        return SW_E_ARG;
    }
}

static const char *obj_name(int sub)
{
    switch (sub) {
    case SW_OBJ_REDUCE: return "reduce";
    case SW_OBJ_NEWOBJ: return "newobj";
    case SW_OBJ_NEWOBJ_EX: return "newobj_ex";
    case SW_OBJ_INST: return "inst";
    case SW_OBJ_OBJ: return "obj";
    default: return NULL;
    }
}

static const char *mut_name(int op)
{
    switch (op) {
    case SW_MUT_APPEND: return "append";
    case SW_MUT_SETITEM: return "setitem";
    case SW_MUT_ADD: return "add";
    case SW_MUT_BUILD: return "build";
    case SW_MUT_SETSTATE: return "setstate";
    default: return NULL;
    }
}

/* A container node is well-formed enough to print (and so to parse back). */
static int check_shape(const sw_value *v)
{
    size_t i;
    if (v->u.c.n && !v->u.c.v) return 0;
    for (i = 0; i < v->u.c.n; i++)
        if (!v->u.c.v[i]) return 0;
    switch (v->kind) {
    case SW_K_DICT: return v->u.c.n % 2 == 0;
    case SW_K_GLOBAL: return v->u.c.n == 2;
    case SW_K_PERSID: return v->u.c.n == 1;
    case SW_K_NAMEDTUPLE: return v->u.c.n == 3;
    case SW_K_OBJ:
        if (!obj_name(v->sub)) return 0;
        if (v->u.c.n != (v->sub == SW_OBJ_NEWOBJ_EX ? 3u : 2u)) return 0;
        for (i = 0; i < v->u.c.nmut; i++) {
            const sw_mut *m = &v->u.c.mut[i];
            if (!mut_name(m->op) || !m->a) return 0;
            if ((m->op == SW_MUT_SETITEM || m->op == SW_MUT_SETSTATE) != (m->b != NULL)) return 0;
        }
        return 1;
    default: return 1;
    }
}

/* ======================================================================
 * Printer
 * ====================================================================== */

typedef struct pframe {
    const sw_value *v;
    size_t i;          /* next item (members: next key to compute, then next to print) */
    size_t mk;         /* obj: current mutation */
    uint8_t mo;        /* obj: 0 open ".op(" + a, 1 ", " + b, 2 close ")" */
    uint8_t key;       /* prints anchor-free sort-key text */
    uint8_t phase;     /* sets: 0 computing member texts, 1 printing; obj: items closed */
    uint8_t had_prev;  /* path mark to restore */
    long out;          /* index of the frame whose scratch receives text; -1 caller */
    uint64_t scope;    /* path scope [#notation.set-order] */
    uint64_t prev;
    sw_buf scratch;    /* sets: member texts */
    size_t *offs;      /* sets: n+1 offsets into scratch */
    size_t *order;     /* sets: member indices, sorted */
    size_t saved_hit;  /* key sets: the enclosing set's lowest hit */
    uint8_t started;   /* sets: first step done */
} pframe;

typedef struct printer {
    sw_buf *out;
    const sw_alloc *al;
    pframe *fr;
    size_t nf, capf;
    uint32_t max_depth;
    sw_ptrmap counts;  /* identity-shown node -> reaches, or ANCHORED|number */
    sw_ptrmap path;    /* node -> its mark while open on a path, else 0: key
                          frames KEY_MARK(scope, frame), main frames of
                          non-shown nodes MAIN_MARK | (shown + 1) */
    uint64_t nanchors;
    uint64_t shown;    /* identity-shown frames open in the main print */
    sw_ptrmap orders;  /* set node -> its context-free sorted order (size_t *) */
    size_t min_hit;    /* lowest frame index printed as "..." since the
                          innermost key-mode set began */
    uint64_t scopes;
    uint64_t keybytes;
} printer;

#define ANCHORED (1ULL << 63)
#define MAIN_MARK_BIT (1ULL << 62)

static sw_buf *target(printer *P, long out) { return out < 0 ? P->out : &P->fr[out].scratch; }

static sw_status account(printer *P, long out, size_t before)
{
    if (out < 0) return SW_OK;
    P->keybytes += P->fr[out].scratch.n - before;
    return P->keybytes > KEY_BUDGET ? SW_E_LIMIT_EXPANSION : SW_OK;
}

static sw_status emit(printer *P, long out, const char *s, size_t n)
{
    sw_buf *b = target(P, out);
    size_t before = b->n;
    sw_status st = sw_buf_put(b, s, n);
    if (st != SW_OK) return st;
    return account(P, out, before);
}

static sw_status emits(printer *P, long out, const char *s) { return emit(P, out, s, strlen(s)); }

static int on_path(const printer *P, const sw_value *v, uint64_t scope)
{
    const uint64_t *m = sw_ptrmap_get(&P->path, v);
    return m && *m == scope;
}

/* Key-mode path marks: scope in the high half, frame index + 1 in the low. */
#define KEY_MARK(scope, idx) (((uint64_t)(scope) << 32) | ((uint64_t)(idx) + 1u))

/* Frame index of v if it is open on the path of key scope `scope`. */
static int on_key_path(const printer *P, const sw_value *v, uint64_t scope, size_t *idx)
{
    const uint64_t *m = sw_ptrmap_get(&P->path, v);
    if (!m || (*m & MAIN_MARK_BIT) || (*m >> 32) != scope || (*m & 0xffffffffu) == 0) return 0;
    *idx = (size_t)(*m & 0xffffffffu) - 1;
    return 1;
}

/* Mark value of a node whose identity is not shown, on the main print's
 * path: MAIN_MARK | (shown frames below it + 1). Meeting it again with no
 * identity-shown node opened in between is a cycle that has no text. */
#define MAIN_MARK MAIN_MARK_BIT

/* Count how often the print reaches each identity-shown node
 * [#notation.identity]: shown nodes expand once, other nodes every time. */
static sw_status count_reaches(printer *P, const sw_value *root)
{
    typedef struct cf {
        const sw_value *v;
        size_t i;
        uint64_t prev;
        int had_prev;
    } cf;
    cf *st = NULL;
    size_t n = 0, cap = 0;
    uint64_t reaches = 0, shown = 0;
    sw_status rc = SW_OK;
    const sw_value *next = root;
    for (;;) {
        if (next) {
            const sw_value *v = next;
            uint64_t *m = NULL;
            next = NULL;
            if (++reaches > REACH_BUDGET) {
                rc = SW_E_LIMIT_EXPANSION;
                break;
            }
            if (sw_v_identity_shown(v)) {
                uint64_t *c = sw_ptrmap_get(&P->counts, v);
                uint64_t nc = c ? *c + 1 : 1;
                rc = sw_ptrmap_put(&P->counts, v, nc);
                if (rc != SW_OK) break;
                if (nc > 1) continue;
            } else if (!is_leaf(v)) {
                m = sw_ptrmap_get(&P->path, v);
                if (m && *m == (MAIN_MARK | (shown + 1))) {
                    rc = SW_E_UNENCODABLE;
                    break;
                }
            }
            if (is_leaf(v)) continue;
            if (!check_shape(v)) {
                rc = SW_E_ARG;
                break;
            }
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                cf *ns = (cf *)sw__realloc(P->al, st, cap * sizeof *st, ncap * sizeof *st);
                if (!ns) {
                    rc = SW_E_NOMEM;
                    break;
                }
                st = ns;
                cap = ncap;
            }
            st[n].v = v;
            st[n].i = 0;
            st[n].had_prev = m != NULL;
            st[n].prev = m ? *m : 0;
            n++;
            if (sw_v_identity_shown(v)) {
                shown++;
            } else {
                rc = sw_ptrmap_put(&P->path, v, MAIN_MARK | (shown + 1));
                if (rc != SW_OK) break;
            }
            continue;
        }
        if (n == 0) break;
        {
            cf *f = &st[n - 1];
            size_t nc = sw_v_nchildren(f->v);
            if (f->i < nc) {
                next = sw_v_child(f->v, f->i++);
                if (!next) {
                    rc = SW_E_ARG;
                    break;
                }
            } else {
                if (sw_v_identity_shown(f->v)) {
                    shown--;
                } else {
                    rc = sw_ptrmap_put(&P->path, f->v, f->had_prev ? f->prev : 0);
                    if (rc != SW_OK) break;
                }
                n--;
            }
        }
    }
    sw__free(P->al, st, cap * sizeof *st);
    return rc;
}

static void free_frame(printer *P, pframe *f)
{
    size_t n = f->v->u.c.n;
    sw_buf_free(&f->scratch);
    sw__free(P->al, f->offs, (n + 1) * sizeof *f->offs);
    sw__free(P->al, f->order, n * sizeof *f->order);
    f->offs = f->order = NULL;
}

static sw_status push_frame(printer *P, const sw_value *v, int key, long out, uint64_t scope)
{
    pframe *f;
    uint64_t *m;
    sw_status st;
    if (P->nf >= P->max_depth) return SW_E_LIMIT_DEPTH; /* [#limits.depth] */
    if (P->nf == P->capf) {
        size_t ncap = P->capf ? P->capf * 2 : 32;
        pframe *nf = (pframe *)sw__realloc(P->al, P->fr, P->capf * sizeof *nf, ncap * sizeof *nf);
        if (!nf) return SW_E_NOMEM;
        P->fr = nf;
        P->capf = ncap;
    }
    f = &P->fr[P->nf];
    memset(f, 0, sizeof *f);
    f->v = v;
    f->key = (uint8_t)key;
    f->out = out;
    f->scope = scope;
    sw_buf_init(&f->scratch, P->al);
    m = sw_ptrmap_get(&P->path, v);
    if (m) {
        f->had_prev = 1;
        f->prev = *m;
    }
    if (key) {
        if (scope >= (1ULL << 29) || P->nf >= 0xffffffffu) return SW_E_LIMIT_EXPANSION;
        st = sw_ptrmap_put(&P->path, v, KEY_MARK(scope, P->nf));
    } else if (sw_v_identity_shown(v)) {
        P->shown++;
        st = SW_OK;
    } else {
        st = sw_ptrmap_put(&P->path, v, MAIN_MARK | (P->shown + 1));
    }
    if (st != SW_OK) return st;
    if (v->kind == SW_K_SET || v->kind == SW_K_FROZENSET) {
        size_t n = v->u.c.n;
        f->offs = (size_t *)sw__malloc(P->al, (n + 1) * sizeof *f->offs);
        f->order = (size_t *)sw__malloc(P->al, n * sizeof *f->order);
        if (!f->offs || !f->order) {
            sw__free(P->al, f->offs, (n + 1) * sizeof *f->offs);
            sw__free(P->al, f->order, n * sizeof *f->order);
            f->offs = f->order = NULL;
            return SW_E_NOMEM;
        }
    }
    P->nf++;
    return SW_OK;
}

static sw_status pop_frame(printer *P)
{
    pframe *f = &P->fr[P->nf - 1];
    sw_status st = SW_OK;
    if (!f->key && sw_v_identity_shown(f->v))
        P->shown--;
    else
        st = sw_ptrmap_put(&P->path, f->v, f->had_prev ? f->prev : 0);
    free_frame(P, f);
    P->nf--;
    return st;
}

/* Start printing v at the current position: leaves and aliases are written
 * at once, containers get a frame. */
static sw_status visit(printer *P, const sw_value *v, int key, long out, uint64_t scope)
{
    sw_status st;
    sw_buf *b;
    size_t before;
    if (!v) return SW_E_ARG;
    if (!key && sw_v_identity_shown(v)) {
        /* [#notation.identity] */
        uint64_t *c = sw_ptrmap_get(&P->counts, v);
        if (c && (*c & ANCHORED)) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "*%llu", (unsigned long long)(*c & ~ANCHORED));
            return emits(P, out, tmp);
        }
        if (c && *c >= 2) {
            char tmp[32];
            P->nanchors++;
            *c = ANCHORED | P->nanchors;
            snprintf(tmp, sizeof tmp, "&%llu ", (unsigned long long)P->nanchors);
            st = emits(P, out, tmp);
            if (st != SW_OK) return st;
        }
    }
    b = target(P, out);
    before = b->n;
    if (is_leaf(v)) {
        st = put_leaf(b, v);
        return st != SW_OK ? st : account(P, out, before);
    }
    if (!check_shape(v)) return SW_E_ARG;
    if (v->u.c.n == 0) {
        switch (v->kind) {
        case SW_K_TUPLE: return emits(P, out, "()");
        case SW_K_LIST: return emits(P, out, "[]");
        case SW_K_DICT: return emits(P, out, "{}");
        case SW_K_SET: return emits(P, out, "set()");
        case SW_K_FROZENSET: return emits(P, out, "frozenset()");
        case SW_K_CODE: return emits(P, out, "code()");
        default: break;
        }
    }
    if (key) {
        size_t idx;
        if (on_key_path(P, v, scope, &idx)) {
            /* [#notation.set-order] a node met again on its own path */
            if (idx < P->min_hit) P->min_hit = idx;
            return emit(P, out, "...", 3);
        }
    }
    if (!key && !sw_v_identity_shown(v) && on_path(P, v, MAIN_MARK | (P->shown + 1)))
        return SW_E_UNENCODABLE; /* [#notation.identity] no shown node in the cycle */
    return push_frame(P, v, key, out, scope);
}

/* Stable merge sort of member indices by their texts' bytes. */
static int text_less(const pframe *f, size_t a, size_t b)
{
    size_t la = f->offs[a + 1] - f->offs[a], lb = f->offs[b + 1] - f->offs[b];
    size_t m = la < lb ? la : lb;
    int c = m ? memcmp(f->scratch.p + f->offs[a], f->scratch.p + f->offs[b], m) : 0;
    if (c) return c < 0;
    return la < lb;
}

static sw_status sort_members(printer *P, pframe *f)
{
    size_t n = f->v->u.c.n, w, i;
    size_t *tmp;
    for (i = 0; i < n; i++) f->order[i] = i;
    if (n < 2) return SW_OK;
    tmp = (size_t *)sw__malloc(P->al, n * sizeof *tmp);
    if (!tmp) return SW_E_NOMEM;
    for (w = 1; w < n; w *= 2) {
        for (i = 0; i < n; i += 2 * w) {
            size_t lo = i, mid = i + w < n ? i + w : n, hi = i + 2 * w < n ? i + 2 * w : n;
            size_t a = lo, bb = mid, k = lo;
            while (a < mid && bb < hi) {
                if (text_less(f, f->order[bb], f->order[a]))
                    tmp[k++] = f->order[bb++];
                else
                    tmp[k++] = f->order[a++];
            }
            while (a < mid) tmp[k++] = f->order[a++];
            while (bb < hi) tmp[k++] = f->order[bb++];
        }
        memcpy(f->order, tmp, n * sizeof *tmp);
    }
    sw__free(P->al, tmp, n * sizeof *tmp);
    return SW_OK;
}

/* One step of the frame on top. */
static sw_status step(printer *P)
{
    long self = (long)P->nf - 1;
    pframe *f = &P->fr[self];
    const sw_value *v = f->v;
    size_t n = v->u.c.n;
    sw_status st;

    if (v->kind == SW_K_SET || v->kind == SW_K_FROZENSET) {
        const char *open = v->kind == SW_K_SET ? "{" : "frozenset({";
        const char *close = v->kind == SW_K_SET ? "}" : "})";
        if (f->phase == 0) {
            if (!f->started) {
                /* first step: a context-free order already known
                 * [#notation.set-order.memo] */
                const uint64_t *mo = sw_ptrmap_get(&P->orders, v);
                f->started = 1;
                if (mo) {
                    memcpy(f->order, (const size_t *)(uintptr_t)*mo, n * sizeof *f->order);
                    f->phase = 1;
                    goto print_members;
                }
                if (f->key) {
                    f->saved_hit = P->min_hit;
                    P->min_hit = SIZE_MAX;
                }
            }
            /* [#notation.set-order] each member's anchor-free text; a main
             * print roots each key's path at the member (a fresh scope), a
             * key print continues its own path. One member needs no key. */
            if (f->i < n && (f->key || n > 1)) {
                size_t j = f->i++;
                uint64_t scope = f->key ? f->scope : ++P->scopes;
                f->offs[j] = f->scratch.n;
                return visit(P, v->u.c.v[j], 1, self, scope);
            }
            f->offs[f->i] = f->scratch.n;
            st = sort_members(P, f);
            if (st != SW_OK) return st;
            f->phase = 1;
            f->i = 0;
            if (f->key) {
                size_t k;
                /* no "..." at this set or above it: the member texts are
                 * their own sort keys, and the order holds everywhere */
                if (P->min_hit > (size_t)self && n > 1) {
                    size_t *keep = (size_t *)sw__malloc(P->al, n * sizeof *keep);
                    if (!keep) return SW_E_NOMEM;
                    memcpy(keep, f->order, n * sizeof *keep);
                    st = sw_ptrmap_put(&P->orders, v, (uint64_t)(uintptr_t)keep);
                    if (st != SW_OK) {
                        sw__free(P->al, keep, n * sizeof *keep);
                        return st;
                    }
                }
                if (f->saved_hit < P->min_hit) P->min_hit = f->saved_hit;
                st = emits(P, f->out, open);
                for (k = 0; st == SW_OK && k < n; k++) {
                    size_t j = f->order[k];
                    if (k) st = emit(P, f->out, ", ", 2);
                    if (st == SW_OK)
                        st = emit(P, f->out, (const char *)f->scratch.p + f->offs[j], f->offs[j + 1] - f->offs[j]);
                }
                if (st == SW_OK) st = emits(P, f->out, close);
                if (st != SW_OK) return st;
                return pop_frame(P);
            }
            sw_buf_free(&f->scratch);
        }
    print_members:
        if (f->i < n) {
            size_t k = f->i++;
            st = emits(P, f->out, k ? ", " : open);
            if (st != SW_OK) return st;
            return visit(P, v->u.c.v[f->order[k]], f->key, f->out, f->scope);
        }
        st = emits(P, f->out, close);
        if (st != SW_OK) return st;
        return pop_frame(P);
    }

    if (f->i < n) {
        size_t i = f->i++;
        const char *pre;
        switch (v->kind) {
        case SW_K_TUPLE: pre = i ? ", " : "("; break;
        case SW_K_LIST: pre = i ? ", " : "["; break;
        case SW_K_DICT: pre = i == 0 ? "{" : (i & 1) ? ": " : ", "; break;
        case SW_K_GLOBAL: pre = i ? ", " : "global("; break;
        case SW_K_PERSID: pre = "persid("; break;
        case SW_K_CODE: pre = i ? ", " : "code("; break;
        case SW_K_NAMEDTUPLE: pre = i ? ", " : "namedtuple("; break;
        case SW_K_OBJ:
            if (i) {
                pre = ", ";
            } else {
                st = emits(P, f->out, obj_name(v->sub));
                if (st != SW_OK) return st;
                pre = "(";
            }
            break;
        default: return SW_E_ARG;
        }
        st = emits(P, f->out, pre);
        if (st != SW_OK) return st;
        return visit(P, v->u.c.v[i], f->key, f->out, f->scope);
    }
    if (v->kind == SW_K_OBJ) {
        /* [#notation.symbolic] mutations in order */
        if (!f->phase) {
            f->phase = 1;
            return emit(P, f->out, ")", 1);
        }
        if (f->mk < v->u.c.nmut) {
            const sw_mut *m = &v->u.c.mut[f->mk];
            if (f->mo == 0) {
                f->mo = (m->op == SW_MUT_SETITEM || m->op == SW_MUT_SETSTATE) ? 1 : 2;
                st = emit(P, f->out, ".", 1);
                if (st == SW_OK) st = emits(P, f->out, mut_name(m->op));
                if (st == SW_OK) st = emit(P, f->out, "(", 1);
                if (st != SW_OK) return st;
                return visit(P, m->a, f->key, f->out, f->scope);
            }
            if (f->mo == 1) {
                f->mo = 2;
                st = emit(P, f->out, ", ", 2);
                if (st != SW_OK) return st;
                return visit(P, m->b, f->key, f->out, f->scope);
            }
            f->mo = 0;
            f->mk++;
            return emit(P, f->out, ")", 1);
        }
        return pop_frame(P);
    }
    st = emits(P, f->out, v->kind == SW_K_TUPLE && n == 1 ? ",)"
                          : v->kind == SW_K_LIST       ? "]"
                          : v->kind == SW_K_DICT       ? "}"
                                                       : ")");
    if (st != SW_OK) return st;
    return pop_frame(P);
}

sw_status sw_notation_print(const sw_value *v, sw_buf *out, uint32_t max_depth, sw_error *err)
{
    printer P;
    sw_status st;
    size_t start;
    const char *msg = "notation print failed";
    if (!v || !out) return SW_FAIL(err, SW_E_ARG, SW_LAYER_NOTATION, SW_PYEXC_NONE, 0, 0, "null argument");
    memset(&P, 0, sizeof P);
    P.out = out;
    P.al = out->al;
    P.max_depth = max_depth ? max_depth : SW_DEFAULT_MAX_DEPTH;
    P.scopes = 1; /* key scopes count from 2 */
    sw_ptrmap_init(&P.counts, P.al);
    sw_ptrmap_init(&P.path, P.al);
    sw_ptrmap_init(&P.orders, P.al);
    P.min_hit = SIZE_MAX;
    start = out->n;
    st = count_reaches(&P, v);
    if (st == SW_OK) st = visit(&P, v, 0, -1, 0);
    while (st == SW_OK && P.nf > 0) st = step(&P);
    while (P.nf > 0) {
        free_frame(&P, &P.fr[P.nf - 1]);
        P.nf--;
    }
    sw__free(P.al, P.fr, P.capf * sizeof *P.fr);
    {
        size_t i;
        for (i = 0; i < P.orders.cap; i++)
            if (P.orders.keys[i])
                sw__free(P.al, (void *)(uintptr_t)P.orders.vals[i],
                         ((const sw_value *)P.orders.keys[i])->u.c.n * sizeof(size_t));
    }
    sw_ptrmap_free(&P.orders);
    sw_ptrmap_free(&P.counts);
    sw_ptrmap_free(&P.path);
    if (st == SW_OK) return SW_OK;
    out->n = start;
    switch (st) {
    case SW_E_LIMIT_DEPTH: msg = "value nested deeper than max_depth"; break;
    case SW_E_LIMIT_EXPANSION: msg = "set sort keys or shared nodes expand too far"; break;
    case SW_E_UNENCODABLE: msg = "cycle through nodes whose identity the notation does not show"; break;
    case SW_E_BAD_UTF8: msg = "str node is not surrogatepass UTF-8"; break;
    case SW_E_ARG: msg = "malformed node"; break;
    case SW_E_NOMEM: msg = "out of memory"; break;
    case SW_E_LIMIT_TOTAL: msg = "output longer than the buffer's max"; break;
    default: break;
    }
    return SW_FAIL(err, st, SW_LAYER_NOTATION, SW_PYEXC_NONE, 0, 0, msg);
}

/* ======================================================================
 * Parser [#notation.parse]
 * ====================================================================== */

enum { Q_TUPLE = 1, Q_LIST, Q_BRACE, Q_DICT, Q_SET, Q_FSET, Q_CALL, Q_MUT };

typedef struct qframe {
    sw_value *v;       /* node being filled (Q_MUT: the obj) */
    uint8_t type;
    uint8_t mut_op;
    uint8_t anchored;
    size_t count;      /* values received */
    size_t arity;      /* Q_CALL/Q_MUT: values wanted; 0 = any number (code) */
    size_t start;      /* offset of the value's first character */
    sw_value *mut_a;
} qframe;

typedef struct parser {
    sw_arena *ar;
    const uint8_t *s;
    size_t n, pos;
    const sw_alloc *al;
    qframe *fr;
    size_t nf, capf;
    sw_value **anchors;
    size_t nanch, capanch;
    uint32_t max_depth;
    uint32_t max_digits;
    /* failure */
    sw_status st;
    size_t epos;
    const char *msg;
} parser;

static sw_status perr(parser *Q, sw_status st, size_t at, const char *msg)
{
    Q->st = st;
    Q->epos = at;
    Q->msg = msg;
    return st;
}

static sw_status syn(parser *Q, size_t at, const char *msg) { return perr(Q, SW_E_SYNTAX, at, msg); }

static sw_status nomem(parser *Q)
{
    sw_status st = sw_arena_status(Q->ar);
    return perr(Q, st != SW_OK ? st : SW_E_NOMEM, Q->pos, "out of memory or arena limit");
}

static void skipws(parser *Q)
{
    while (Q->pos < Q->n) {
        uint8_t c = Q->s[Q->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        Q->pos++;
    }
}

static int peek(const parser *Q) { return Q->pos < Q->n ? Q->s[Q->pos] : -1; }

/* Skip spaces, then require character c. */
static sw_status expect(parser *Q, int c, const char *msg)
{
    skipws(Q);
    if (peek(Q) != c) return syn(Q, Q->pos, msg);
    Q->pos++;
    return SW_OK;
}

static int is_idc(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'); }
static int hexval(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* n lowercase hex digits at Q->pos */
static int read_hex(parser *Q, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;
    if (n > Q->n - Q->pos) return 0;
    for (i = 0; i < n; i++) {
        int h = hexval(Q->s[Q->pos + i]);
        if (h < 0) return 0;
        v = (v << 4) | (uint32_t)h;
    }
    Q->pos += n;
    *out = v;
    return 1;
}

/* str or bytes literal at the opening quote [#notation.string] */
static sw_status parse_text(parser *Q, int bytes, sw_value **out)
{
    size_t open = Q->pos, end, k = 0;
    uint8_t *d;
    sw_value *v;
    /* find the closing quote: the output is never longer than the literal */
    end = open + 1;
    while (end < Q->n && Q->s[end] != '\'') end += (Q->s[end] == '\\' && end + 1 < Q->n) ? 2 : 1;
    if (end >= Q->n) return syn(Q, Q->n, "unterminated string");
    d = (uint8_t *)sw_arena_mem(Q->ar, end - open);
    if (!d) return nomem(Q);
    Q->pos = open + 1;
    while (Q->pos < end) {
        uint8_t c = Q->s[Q->pos];
        if (c == '\\') {
            size_t esc = Q->pos;
            uint32_t cp;
            uint8_t e = Q->s[Q->pos + 1];
            Q->pos += 2;
            if (e == '\\' || e == '\'') {
                d[k++] = e;
            } else if (e == 't') {
                d[k++] = '\t';
            } else if (e == 'n') {
                d[k++] = '\n';
            } else if (e == 'r') {
                d[k++] = '\r';
            } else if (e == 'x' && read_hex(Q, 2, &cp)) {
                if (bytes)
                    d[k++] = (uint8_t)cp;
                else
                    k += sw_utf8_encode1(cp, d + k);
            } else if (!bytes && e == 'u' && read_hex(Q, 4, &cp)) {
                k += sw_utf8_encode1(cp, d + k);
            } else if (!bytes && e == 'U' && read_hex(Q, 8, &cp) && cp <= 0x10ffff) {
                k += sw_utf8_encode1(cp, d + k);
            } else {
                return syn(Q, esc, "bad escape sequence");
            }
            if (Q->pos > end) return syn(Q, esc, "bad escape sequence");
        } else if (c >= 0x20 && c <= 0x7e) {
            d[k++] = c;
            Q->pos++;
        } else {
            return syn(Q, Q->pos, "character must be escaped");
        }
    }
    Q->pos = end + 1;
    v = sw_v_new(Q->ar, bytes ? SW_K_BYTES : SW_K_STR);
    if (!v) return nomem(Q);
    v->u.s.p = d;
    v->u.s.n = k;
    *out = v;
    return SW_OK;
}

/* int or float token [#notation.int] [#notation.float] */
static sw_status parse_number(parser *Q, sw_value **out)
{
    size_t start = Q->pos, ds, nd;
    int neg = 0, isfloat = 0;
    sw_value *v;
    if (peek(Q) == '-') {
        neg = 1;
        Q->pos++;
        if (Q->n - Q->pos >= 3 && memcmp(Q->s + Q->pos, "inf", 3) == 0 &&
            !(Q->n - Q->pos > 3 && is_idc(Q->s[Q->pos + 3]))) {
            Q->pos += 3;
            v = sw_v_float(Q->ar, -INFINITY);
            if (!v) return nomem(Q);
            *out = v;
            return SW_OK;
        }
    }
    ds = Q->pos;
    if (peek(Q) == '0' && Q->n - Q->pos > 1 && Q->s[Q->pos + 1] == 'x') {
        /* hexadecimal int of any size */
        size_t hs, nh, i, nb;
        uint8_t *mag;
        Q->pos += 2;
        hs = Q->pos;
        while (Q->pos < Q->n && hexval(Q->s[Q->pos]) >= 0) Q->pos++;
        nh = Q->pos - hs;
        if (nh == 0) return syn(Q, Q->pos, "hex digit expected");
        nb = (nh + 1) / 2;
        mag = (uint8_t *)sw_arena_mem(Q->ar, nb);
        if (!mag) return nomem(Q);
        memset(mag, 0, nb);
        for (i = 0; i < nh; i++) {
            unsigned h = (unsigned)hexval(Q->s[Q->pos - 1 - i]);
            mag[i / 2] |= (uint8_t)(h << (4 * (i % 2)));
        }
        v = sw_v_int_mag(Q->ar, neg, mag, nb);
        if (!v) return nomem(Q);
        *out = v;
        return SW_OK;
    }
    if (peek(Q) < '0' || peek(Q) > '9') return syn(Q, Q->pos, "digit expected");
    if (peek(Q) == '0') {
        Q->pos++;
        if (peek(Q) >= '0' && peek(Q) <= '9') return syn(Q, Q->pos, "leading zero");
    } else {
        while (peek(Q) >= '0' && peek(Q) <= '9') Q->pos++;
    }
    nd = Q->pos - ds;
    if (peek(Q) == '.') {
        isfloat = 1;
        Q->pos++;
        if (peek(Q) < '0' || peek(Q) > '9') return syn(Q, Q->pos, "digit expected");
        while (peek(Q) >= '0' && peek(Q) <= '9') Q->pos++;
    }
    if (peek(Q) == 'e') {
        isfloat = 1;
        Q->pos++;
        if (peek(Q) == '+' || peek(Q) == '-') Q->pos++;
        if (peek(Q) < '0' || peek(Q) > '9') return syn(Q, Q->pos, "digit expected");
        while (peek(Q) >= '0' && peek(Q) <= '9') Q->pos++;
    }
    if (isfloat) {
        char tmp[MAX_FLOAT_TEXT + 1];
        size_t len = Q->pos - start;
        if (len > MAX_FLOAT_TEXT) return syn(Q, start, "float literal too long");
        memcpy(tmp, Q->s + start, len);
        tmp[len] = 0;
        v = sw_v_float(Q->ar, strtod(tmp, NULL));
    } else {
        /* [#limits.int-digits] */
        if (nd > Q->max_digits) return perr(Q, SW_E_LIMIT_INT_DIGITS, start, "int with too many digits");
        v = sw_int_from_decimal(Q->ar, (const char *)Q->s + start, Q->pos - start);
    }
    if (!v) return nomem(Q);
    *out = v;
    return SW_OK;
}

/* A float token inside complex(...) */
static sw_status parse_float_token(parser *Q, double *d)
{
    sw_value *v = NULL;
    size_t at;
    sw_status st;
    skipws(Q);
    at = Q->pos;
    if (Q->n - Q->pos >= 3 && memcmp(Q->s + Q->pos, "inf", 3) == 0) {
        Q->pos += 3;
        *d = INFINITY;
    } else if (Q->n - Q->pos >= 3 && memcmp(Q->s + Q->pos, "nan", 3) == 0) {
        Q->pos += 3;
        *d = NAN;
    } else if (Q->n - Q->pos >= 10 && memcmp(Q->s + Q->pos, "float_bits", 10) == 0) {
        uint32_t hi, lo;
        uint64_t bits;
        Q->pos += 10;
        if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
        skipws(Q);
        if (Q->n - Q->pos < 2 || Q->s[Q->pos] != '0' || Q->s[Q->pos + 1] != 'x')
            return syn(Q, Q->pos, "0x expected");
        Q->pos += 2;
        if (!read_hex(Q, 8, &hi) || !read_hex(Q, 8, &lo)) return syn(Q, Q->pos, "16 hex digits expected");
        bits = ((uint64_t)hi << 32) | lo;
        memcpy(d, &bits, sizeof *d);
        return expect(Q, ')', "')' expected");
    } else {
        if ((st = parse_number(Q, &v)) != SW_OK) return st;
        if (v->kind != SW_K_FLOAT) return syn(Q, at, "float expected");
        *d = v->u.f;
        return SW_OK;
    }
    if (Q->pos < Q->n && is_idc(Q->s[Q->pos])) return syn(Q, at, "float expected");
    return SW_OK;
}

static sw_status parse_i64(parser *Q, int64_t *out)
{
    sw_value *v = NULL;
    size_t at;
    sw_status st;
    skipws(Q);
    at = Q->pos;
    if (peek(Q) != '-' && (peek(Q) < '0' || peek(Q) > '9')) return syn(Q, Q->pos, "int expected");
    if ((st = parse_number(Q, &v)) != SW_OK) return st;
    if (v->kind != SW_K_INT || (v->flags & SW_VF_BIG)) return syn(Q, at, "int64 expected");
    *out = v->u.i;
    return SW_OK;
}

static sw_status push_q(parser *Q, int type, sw_value *v, size_t start, size_t arity)
{
    qframe *f;
    if (Q->nf >= Q->max_depth) return perr(Q, SW_E_LIMIT_DEPTH, start, "nested deeper than max_depth");
    if (Q->nf == Q->capf) {
        size_t ncap = Q->capf ? Q->capf * 2 : 32;
        qframe *nf = (qframe *)sw__realloc(Q->al, Q->fr, Q->capf * sizeof *nf, ncap * sizeof *nf);
        if (!nf) return perr(Q, SW_E_NOMEM, start, "out of memory");
        Q->fr = nf;
        Q->capf = ncap;
    }
    f = &Q->fr[Q->nf++];
    memset(f, 0, sizeof *f);
    f->type = (uint8_t)type;
    f->v = v;
    f->start = start;
    f->arity = arity;
    return SW_OK;
}

static sw_status add_anchor(parser *Q, sw_value *v)
{
    if (Q->nanch == Q->capanch) {
        size_t ncap = Q->capanch ? Q->capanch * 2 : 16;
        sw_value **na = (sw_value **)sw__realloc(Q->al, Q->anchors, Q->capanch * sizeof *na, ncap * sizeof *na);
        if (!na) return perr(Q, SW_E_NOMEM, Q->pos, "out of memory");
        Q->anchors = na;
        Q->capanch = ncap;
    }
    Q->anchors[Q->nanch++] = v;
    return SW_OK;
}

/* Read a decimal anchor number after '&' or '*' (1, 2, ... no leading zero). */
static int read_anchor_num(parser *Q, uint64_t *num)
{
    uint64_t x = 0;
    if (peek(Q) < '1' || peek(Q) > '9') return 0;
    while (peek(Q) >= '0' && peek(Q) <= '9') {
        if (x > (UINT64_MAX - 9) / 10) return 0;
        x = x * 10 + (uint64_t)(peek(Q) - '0');
        Q->pos++;
    }
    *num = x;
    return 1;
}

/* Parse the start of a value at Q->pos (spaces skipped). A finished value
 * goes to *done; a container opens a frame and leaves *done NULL.
 * anchor: 1 if an anchor precedes the value (registered here). */
static sw_status value_start(parser *Q, int anchor, sw_value **done)
{
    size_t at = Q->pos, idl;
    int c = peek(Q);
    sw_value *v = NULL;
    sw_status st;
    *done = NULL;
    if (c < 0) return syn(Q, Q->pos, "value expected");
    if (c == '(' || c == '[' || c == '{') {
        int type = c == '(' ? Q_TUPLE : c == '[' ? Q_LIST : Q_BRACE;
        v = sw_v_container(Q->ar, c == '(' ? SW_K_TUPLE : c == '[' ? SW_K_LIST : SW_K_DICT, 0);
        if (!v) return nomem(Q);
        Q->pos++;
        if ((st = push_q(Q, type, v, at, 0)) != SW_OK) return st;
        Q->fr[Q->nf - 1].anchored = (uint8_t)anchor;
        return anchor ? add_anchor(Q, v) : SW_OK;
    }
    if (c == '\'') {
        st = parse_text(Q, 0, &v);
    } else if (c == 'b' && Q->n - Q->pos > 1 && Q->s[Q->pos + 1] == '\'') {
        Q->pos++;
        st = parse_text(Q, 1, &v);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        st = parse_number(Q, &v);
    } else if (is_idc(c)) {
        const char *id;
        size_t len;
        while (Q->pos < Q->n && is_idc(Q->s[Q->pos])) Q->pos++;
        id = (const char *)Q->s + at;
        len = Q->pos - at;
        idl = len;
#define ID(lit) (idl == sizeof(lit) - 1 && memcmp(id, lit, idl) == 0)
        st = SW_OK;
        if (ID("None")) {
            v = sw_v_none(Q->ar);
        } else if (ID("True") || ID("False")) {
            v = sw_v_bool(Q->ar, ID("True"));
        } else if (ID("Ellipsis")) {
            v = sw_v_new(Q->ar, SW_K_ELLIPSIS);
        } else if (ID("StopIteration")) {
            v = sw_v_new(Q->ar, SW_K_STOPITER);
        } else if (ID("inf")) {
            v = sw_v_float(Q->ar, INFINITY);
        } else if (ID("nan")) {
            v = sw_v_float(Q->ar, NAN);
        } else if (ID("float_bits")) {
            double d;
            Q->pos = at;
            if ((st = parse_float_token(Q, &d)) != SW_OK) return st;
            v = sw_v_float(Q->ar, d);
        } else if (ID("complex")) {
            double re, im;
            if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
            if ((st = parse_float_token(Q, &re)) != SW_OK) return st;
            if ((st = expect(Q, ',', "',' expected")) != SW_OK) return st;
            if ((st = parse_float_token(Q, &im)) != SW_OK) return st;
            if ((st = expect(Q, ')', "')' expected")) != SW_OK) return st;
            v = sw_v_complex(Q->ar, re, im);
        } else if (ID("bytearray")) {
            if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
            skipws(Q);
            if (Q->n - Q->pos < 2 || Q->s[Q->pos] != 'b' || Q->s[Q->pos + 1] != '\'')
                return syn(Q, Q->pos, "bytes literal expected");
            Q->pos++;
            if ((st = parse_text(Q, 1, &v)) != SW_OK) return st;
            v->kind = SW_K_BYTEARRAY;
            if ((st = expect(Q, ')', "')' expected")) != SW_OK) return st;
        } else if (ID("ext") || ID("buffer") || ID("readonly_buffer")) {
            int64_t i;
            sw_kind k = ID("ext") ? SW_K_EXT : SW_K_BUFFER;
            int ro = ID("readonly_buffer");
            if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
            if ((st = parse_i64(Q, &i)) != SW_OK) return st;
            if ((st = expect(Q, ')', "')' expected")) != SW_OK) return st;
            v = sw_v_new(Q->ar, k);
            if (v) {
                v->u.i = i;
                v->sub = (uint8_t)ro;
            }
        } else if (ID("set")) {
            if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
            if ((st = expect(Q, ')', "')' expected")) != SW_OK) return st;
            v = sw_v_container(Q->ar, SW_K_SET, 0);
        } else if (ID("frozenset")) {
            if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
            skipws(Q);
            if (peek(Q) == ')') {
                Q->pos++;
                v = sw_v_container(Q->ar, SW_K_FROZENSET, 0);
            } else {
                if (peek(Q) != '{') return syn(Q, Q->pos, "'{' or ')' expected");
                Q->pos++;
                v = sw_v_container(Q->ar, SW_K_FROZENSET, 0);
                if (!v) return nomem(Q);
                if ((st = push_q(Q, Q_FSET, v, at, 0)) != SW_OK) return st;
                Q->fr[Q->nf - 1].anchored = (uint8_t)anchor;
                return anchor ? add_anchor(Q, v) : SW_OK;
            }
        } else {
            /* call forms with value arguments [#notation.symbolic] */
            sw_kind k;
            int sub = 0;
            size_t arity;
            if (ID("global")) {
                k = SW_K_GLOBAL;
                arity = 2;
            } else if (ID("persid")) {
                k = SW_K_PERSID;
                arity = 1;
            } else if (ID("namedtuple")) {
                k = SW_K_NAMEDTUPLE;
                arity = 3;
            } else if (ID("code")) {
                k = SW_K_CODE;
                arity = 0;
            } else if (ID("reduce") || ID("newobj") || ID("newobj_ex") || ID("inst") || ID("obj")) {
                k = SW_K_OBJ;
                sub = ID("reduce") ? SW_OBJ_REDUCE : ID("newobj") ? SW_OBJ_NEWOBJ : ID("newobj_ex") ? SW_OBJ_NEWOBJ_EX
                      : ID("inst") ? SW_OBJ_INST : SW_OBJ_OBJ;
                arity = sub == SW_OBJ_NEWOBJ_EX ? 3 : 2;
            } else {
                return syn(Q, at, "unknown name");
            }
            if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
            v = sw_v_container(Q->ar, k, arity);
            if (!v) return nomem(Q);
            v->sub = (uint8_t)sub;
            if ((st = push_q(Q, Q_CALL, v, at, arity)) != SW_OK) return st;
            Q->fr[Q->nf - 1].anchored = (uint8_t)anchor;
            if (anchor) {
                if (!sw_v_identity_shown(v)) return syn(Q, at, "anchor on a value whose identity is not shown");
                return add_anchor(Q, v);
            }
            return SW_OK;
        }
#undef ID
        if (!v) return nomem(Q);
    } else {
        return syn(Q, Q->pos, "value expected");
    }
    if (st != SW_OK) return st;
    if (anchor) {
        if (!sw_v_identity_shown(v)) return syn(Q, at, "anchor on a value whose identity is not shown");
        if ((st = add_anchor(Q, v)) != SW_OK) return st;
    }
    *done = v;
    return SW_OK;
}

/* The closing character a frame accepts where a value could start. */
static int closer_here(const qframe *f)
{
    if (f->count != 0) return -1;
    switch (f->type) {
    case Q_TUPLE: return ')';
    case Q_LIST: return ']';
    case Q_BRACE: return '}';
    case Q_CALL: return f->arity == 0 ? ')' : -1;
    default: return -1;
    }
}

/* After an obj's closing ')' or mutation: another ".op(" opens a Q_MUT. */
static sw_status maybe_mutation(parser *Q, sw_value *obj, int *opened)
{
    size_t at, ids;
    const char *id;
    size_t len;
    int op;
    sw_status st;
    *opened = 0;
    skipws(Q);
    if (peek(Q) != '.') return SW_OK;
    at = Q->pos++;
    skipws(Q);
    ids = Q->pos;
    while (Q->pos < Q->n && is_idc(Q->s[Q->pos])) Q->pos++;
    id = (const char *)Q->s + ids;
    len = Q->pos - ids;
    if (len == 6 && memcmp(id, "append", 6) == 0)
        op = SW_MUT_APPEND;
    else if (len == 7 && memcmp(id, "setitem", 7) == 0)
        op = SW_MUT_SETITEM;
    else if (len == 3 && memcmp(id, "add", 3) == 0)
        op = SW_MUT_ADD;
    else if (len == 5 && memcmp(id, "build", 5) == 0)
        op = SW_MUT_BUILD;
    else if (len == 8 && memcmp(id, "setstate", 8) == 0)
        op = SW_MUT_SETSTATE;
    else
        return syn(Q, ids, "append, setitem, add, build or setstate expected");
    if ((st = expect(Q, '(', "'(' expected")) != SW_OK) return st;
    if ((st = push_q(Q, Q_MUT, obj, at, (op == SW_MUT_SETITEM || op == SW_MUT_SETSTATE) ? 2 : 1)) != SW_OK) return st;
    Q->fr[Q->nf - 1].mut_op = (uint8_t)op;
    *opened = 1;
    return SW_OK;
}

static sw_status parse_all(parser *Q, sw_value **root)
{
    sw_value *cur = NULL;
    int need = 1; /* a value is expected next */
    sw_status st;
    for (;;) {
        qframe *f;
        int c;
        if (need) {
            int anchor = 0;
            skipws(Q);
            if (Q->nf > 0) {
                int cl = closer_here(&Q->fr[Q->nf - 1]);
                if (cl >= 0 && peek(Q) == cl) {
                    Q->pos++;
                    goto close_top;
                }
            }
            c = peek(Q);
            if (c == '&') {
                /* [#notation.identity] &N opens the next anchor */
                size_t at = Q->pos++;
                uint64_t num;
                if (!read_anchor_num(Q, &num)) return syn(Q, Q->pos, "anchor number expected");
                if (num != (uint64_t)Q->nanch + 1) return syn(Q, at, "anchors must be numbered 1, 2, ... in order");
                anchor = 1;
                skipws(Q);
                c = peek(Q);
                if (c == '&' || c == '*') return syn(Q, Q->pos, "value expected after anchor");
            }
            if (c == '*') {
                size_t at = Q->pos++;
                uint64_t num;
                if (!read_anchor_num(Q, &num)) return syn(Q, Q->pos, "anchor number expected");
                if (num > Q->nanch) return syn(Q, at, "alias to an anchor not yet opened");
                cur = Q->anchors[num - 1];
                need = 0;
            } else {
                if ((st = value_start(Q, anchor, &cur)) != SW_OK) return st;
                if (!cur) continue; /* opened a frame */
                need = 0;
            }
        }
        /* a finished value cur goes to the frame on top */
        if (Q->nf == 0) {
            *root = cur;
            return SW_OK;
        }
        f = &Q->fr[Q->nf - 1];
        if (f->type == Q_MUT) {
            if (f->count == 0)
                f->mut_a = cur;
            f->count++;
            if (f->count < f->arity) {
                if ((st = expect(Q, ',', "',' expected")) != SW_OK) return st;
                need = 1;
                continue;
            }
            if ((st = expect(Q, ')', "')' expected")) != SW_OK) return st;
            if (sw_v_mutate(Q->ar, f->v, (sw_mut_op)f->mut_op, f->mut_a, f->arity == 2 ? cur : NULL) != SW_OK)
                return nomem(Q);
            goto close_top;
        }
        if (sw_v_push(Q->ar, f->v, cur) != SW_OK) return nomem(Q);
        f->count++;
        skipws(Q);
        c = peek(Q);
        switch (f->type) {
        case Q_TUPLE:
            if (c == ',') {
                Q->pos++;
                if (f->count == 1) {
                    skipws(Q);
                    if (peek(Q) == ')') {
                        Q->pos++;
                        goto close_top;
                    }
                }
                need = 1;
                continue;
            }
            if (c == ')' && f->count > 1) {
                Q->pos++;
                goto close_top;
            }
            return syn(Q, Q->pos, f->count == 1 ? "',' expected" : "',' or ')' expected");
        case Q_LIST:
            if (c == ',') {
                Q->pos++;
                need = 1;
                continue;
            }
            if (c == ']') {
                Q->pos++;
                goto close_top;
            }
            return syn(Q, Q->pos, "',' or ']' expected");
        case Q_BRACE:
            /* the first element decides: key ':' makes a dict, else a set */
            if (c == ':') {
                f->type = Q_DICT;
                Q->pos++;
                need = 1;
                continue;
            }
            f->type = Q_SET;
            f->v->kind = SW_K_SET;
            /* fall through */
        case Q_SET:
        case Q_FSET:
            if (c == ',') {
                Q->pos++;
                need = 1;
                continue;
            }
            if (c == '}') {
                Q->pos++;
                if (f->type == Q_FSET && (st = expect(Q, ')', "')' expected")) != SW_OK) return st;
                goto close_top;
            }
            return syn(Q, Q->pos, "',' or '}' expected");
        case Q_DICT:
            if (f->count % 2 == 1) {
                if (c != ':') return syn(Q, Q->pos, "':' expected");
                Q->pos++;
                need = 1;
                continue;
            }
            if (c == ',') {
                Q->pos++;
                need = 1;
                continue;
            }
            if (c == '}') {
                Q->pos++;
                goto close_top;
            }
            return syn(Q, Q->pos, "',' or '}' expected");
        case Q_CALL:
            if (c == ',' && (f->arity == 0 || f->count < f->arity)) {
                Q->pos++;
                need = 1;
                continue;
            }
            if (c == ')' && (f->arity == 0 || f->count == f->arity)) {
                Q->pos++;
                goto close_top;
            }
            return syn(Q, Q->pos, f->arity && f->count < f->arity ? "',' expected" : "')' expected");
        default:
            return syn(Q, Q->pos, "internal parser state");
        }

    close_top:
        /* the frame on top is complete */
        f = &Q->fr[Q->nf - 1];
        cur = f->v;
        if (f->anchored && !sw_v_identity_shown(cur))
            return syn(Q, f->start, "anchor on a value whose identity is not shown");
        Q->nf--;
        need = 0;
        if (cur->kind == SW_K_OBJ) {
            /* [#notation.symbolic] mutations follow the obj's closing ')' */
            int opened;
            if ((st = maybe_mutation(Q, cur, &opened)) != SW_OK) return st;
            if (opened) need = 1;
        }
        /* with need clear the loop delivers cur to the frame below */
    }
}

sw_status sw_notation_parse(sw_arena *ar, const char *text, size_t n, sw_value **out, sw_error *err)
{
    parser Q;
    sw_status st;
    sw_value *root = NULL;
    const sw_limits *lim;
    if (out) *out = NULL;
    if (!ar || (!text && n) || !out)
        return SW_FAIL(err, SW_E_ARG, SW_LAYER_NOTATION, SW_PYEXC_NONE, 0, 0, "null argument");
    lim = sw_arena_limits(ar);
    memset(&Q, 0, sizeof Q);
    Q.ar = ar;
    Q.s = (const uint8_t *)(text ? text : "");
    Q.n = n;
    Q.al = sw_arena_alloc(ar);
    Q.max_depth = lim->max_depth ? lim->max_depth : SW_DEFAULT_MAX_DEPTH;
    Q.max_digits = lim->max_int_digits ? lim->max_int_digits : SW_DEFAULT_MAX_INT_DIGITS;
    st = parse_all(&Q, &root);
    if (st == SW_OK) {
        skipws(&Q);
        if (Q.pos < Q.n) st = syn(&Q, Q.pos, "text after the value");
    }
    sw__free(Q.al, Q.fr, Q.capf * sizeof *Q.fr);
    sw__free(Q.al, Q.anchors, Q.capanch * sizeof *Q.anchors);
    if (st != SW_OK)
        return SW_FAIL(err, Q.st ? Q.st : st, SW_LAYER_NOTATION, SW_PYEXC_NONE, Q.epos, Q.epos,
                       Q.msg ? Q.msg : "syntax error");
    *out = root;
    return SW_OK;
}

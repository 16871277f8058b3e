/* The resolve pass [#pickle.resolve] and the opcode listing [#pickle.dis]. */
#include <stdio.h>

#include <math.h>

#include "internal/common.h"

/* ---- resolve ---- */

static int name_is(const sw_value *s, const char *z)
{
    size_t n = strlen(z);
    return s && s->kind == SW_K_STR && s->u.s.n == n && memcmp(s->u.s.p, z, n) == 0;
}

static int global_is(const sw_value *g, const char *mod, const char *name)
{
    return g && g->kind == SW_K_GLOBAL && g->u.c.n == 2 && name_is(g->u.c.v[0], mod) && name_is(g->u.c.v[1], name);
}

/* latin-1 encode a surrogatepass UTF-8 str; 0 if a code point is >= 256 (or
 * the text is not UTF-8). Code points below 256 are ASCII bytes, copied eight
 * at a time, and the pairs C2/C3 + continuation byte; any other byte starts a
 * code point >= 256 (or is invalid). */
static int latin1_bytes(sw_arena *ar, const sw_value *s, uint8_t **out, size_t *n)
{
    const uint8_t *p = s->u.s.p;
    size_t i = 0, k = 0, len = s->u.s.n;
    uint8_t *q = (uint8_t *)sw_arena_mem(ar, len + 1);
    if (!q) return -1;
    while (i < len) {
        uint8_t c = p[i];
        if (c < 0x80) {
            uint64_t w;
            if (8 <= len - i) {
                memcpy(&w, p + i, 8);
                if (!(w & 0x8080808080808080ULL)) {
                    memcpy(q + k, &w, 8);
                    i += 8;
                    k += 8;
                    continue;
                }
            }
            q[k++] = c;
            i++;
        } else if ((c == 0xC2 || c == 0xC3) && 1 < len - i && (p[i + 1] & 0xC0) == 0x80) {
            q[k++] = (uint8_t)((c & 0x1F) << 6 | (p[i + 1] & 0x3F));
            i += 2;
        } else {
            return 0;
        }
    }
    *out = q;
    *n = k;
    return 1;
}

/* [#pickle.resolve] complex() takes float, int (any size) and bool */
static int is_number(const sw_value *v) { return v->kind == SW_K_FLOAT || v->kind == SW_K_INT || v->kind == SW_K_BOOL; }

/* float(x) as PyLong_AsDouble: round half to even; 0 when beyond the float
 * range (OverflowError "int too large to convert to float") */
static int as_double(const sw_value *v, double *d)
{
    const uint8_t *m;
    size_t n, bits, shift, i;
    uint64_t top = 0;
    int sticky = 0;
    if (v->kind == SW_K_FLOAT) {
        *d = v->u.f;
        return 1;
    }
    if (v->kind == SW_K_BOOL) {
        *d = v->u.b ? 1.0 : 0.0;
        return 1;
    }
    if (!(v->flags & SW_VF_BIG)) {
        *d = (double)v->u.i;
        return 1;
    }
    m = v->u.big.mag;
    n = v->u.big.n;
    if (n == 0) {
        *d = 0.0;
        return 1;
    }
    if (n > 129) return 0; /* at least 2**1024 */
    bits = 8 * (n - 1);
    for (i = m[n - 1]; i; i >>= 1) bits++;
    shift = bits > 64 ? bits - 64 : 0;
    for (i = 0; i < 64 && shift + i < bits; i++)
        if (m[(shift + i) / 8] >> ((shift + i) % 8) & 1) top |= (uint64_t)1 << i;
    for (i = 0; i < shift && !sticky; i++)
        if (m[i / 8] >> (i % 8) & 1) sticky = 1;
    /* 64 bits and a sticky bit round to 53 as the exact value would */
    *d = ldexp((double)(top | (uint64_t)sticky), (int)shift);
    if (isinf(*d)) return 0;
    if (v->u.big.neg) *d = -*d;
    return 1;
}

/* turn node v in place into what CPython's call would have returned: the
 * resolve pass's step, and the decoder's at each REDUCE [#pickle.resolve.reduce] */
sw_status sw__pickle_resolve_call(sw_arena *ar, sw_value *v, const sw_pickle_opts *o, sw_error *err)
{
    sw_value *fn, *args;
    size_t na;
    /* [#pickle.call] children are resolved first: a call whose callable or
     * args became a native value (a builtin call's result, Ellipsis) is one
     * CPython made with that value while loading, and failed: REDUCE, OBJ
     * and INST with TypeError, NEWOBJ(_EX) with UnpicklingError. Reported
     * at payload_offset 0, as every resolve failure. */
    if (v->kind == SW_K_OBJ && v->u.c.n >= 2 && v->u.c.v[0] && v->u.c.v[1]) {
        fn = v->u.c.v[0];
        args = v->u.c.v[1];
        if (v->sub == SW_OBJ_REDUCE && args->kind <= SW_K_ELLIPSIS && args->kind != SW_K_TUPLE)
            return SW_FAIL(err, SW_E_TYPE, SW_LAYER_PICKLE, SW_PYEXC_TYPEERROR, 0, 0, "argument list must be a tuple");
        if (fn->kind <= SW_K_ELLIPSIS) {
            if (v->sub == SW_OBJ_NEWOBJ || v->sub == SW_OBJ_NEWOBJ_EX)
                return SW_FAIL(err, SW_E_BAD_STACK, SW_LAYER_PICKLE, SW_PYEXC_UNPICKLINGERROR, 0, 0,
                               "NEWOBJ class argument must be a type");
            return SW_FAIL(err, SW_E_TYPE, SW_LAYER_PICKLE, SW_PYEXC_TYPEERROR, 0, 0, "object is not callable");
        }
    }
    /* [#pickle.resolve] the singletons pickle writes as globals */
    if (global_is(v, "builtins", "Ellipsis") || global_is(v, "builtins", "StopIteration")) {
        int ell = global_is(v, "builtins", "Ellipsis");
        memset(&v->u, 0, sizeof v->u);
        v->kind = ell ? SW_K_ELLIPSIS : SW_K_STOPITER;
        v->sub = v->hint = 0;
        return SW_OK;
    }
    if (v->kind != SW_K_OBJ || v->sub != SW_OBJ_REDUCE || v->u.c.nmut != 0 || v->u.c.n != 2) return SW_OK;
    fn = v->u.c.v[0];
    args = v->u.c.v[1];
    if (!fn || fn->kind != SW_K_GLOBAL || !args || args->kind != SW_K_TUPLE) return SW_OK;
    na = args->u.c.n;
    if (global_is(fn, "_codecs", "encode") && na == 2 && args->u.c.v[0]->kind == SW_K_STR &&
        (name_is(args->u.c.v[1], "latin1") || name_is(args->u.c.v[1], "latin-1"))) {
        uint8_t *q;
        size_t n;
        int r = latin1_bytes(ar, args->u.c.v[0], &q, &n);
        if (r < 0) return SW_FAIL(err, sw_arena_status(ar) ? sw_arena_status(ar) : SW_E_NOMEM, SW_LAYER_PICKLE,
                                  SW_PYEXC_MEMORYERROR, 0, 0, "out of memory");
        if (r == 0) return SW_OK; /* CPython would raise UnicodeEncodeError; keep it symbolic */
        memset(&v->u, 0, sizeof v->u);
        v->kind = SW_K_BYTES;
        v->sub = 0;
        v->hint = 0;
        v->u.s.p = q;
        v->u.s.n = n;
        return SW_OK;
    }
    if (global_is(fn, "builtins", "bytes") && na == 0) {
        memset(&v->u, 0, sizeof v->u);
        v->kind = SW_K_BYTES;
        v->sub = v->hint = 0;
        v->u.s.p = (const uint8_t *)"";
        v->flags |= SW_VF_BORROWED;
        return SW_OK;
    }
    if (global_is(fn, "builtins", "bytearray") &&
        (na == 0 || (na == 1 && args->u.c.v[0]->kind == SW_K_BYTES) ||
         (na == 2 && args->u.c.v[0]->kind == SW_K_STR &&
          (name_is(args->u.c.v[1], "latin-1") || name_is(args->u.c.v[1], "latin1"))))) {
        const uint8_t *p = (const uint8_t *)"";
        size_t n = 0;
        if (na == 1) {
            p = args->u.c.v[0]->u.s.p;
            n = args->u.c.v[0]->u.s.n;
        } else if (na == 2) {
            uint8_t *q;
            int r = latin1_bytes(ar, args->u.c.v[0], &q, &n);
            if (r <= 0) return SW_OK;
            p = q;
        }
        memset(&v->u, 0, sizeof v->u);
        v->kind = SW_K_BYTEARRAY;
        v->sub = v->hint = 0;
        v->u.s.p = p;
        v->u.s.n = n;
        return SW_OK;
    }
    if ((global_is(fn, "builtins", "set") || global_is(fn, "builtins", "frozenset")) &&
        (na == 0 || (na == 1 && (args->u.c.v[0]->kind == SW_K_LIST || args->u.c.v[0]->kind == SW_K_TUPLE)))) {
        sw_value *src = na ? args->u.c.v[0] : NULL;
        size_t i, n = src ? src->u.c.n : 0;
        sw_value **items = NULL;
        sw_vset vs;
        size_t k = 0;
        sw_status st = SW_OK;
        if (n) {
            items = (sw_value **)sw_arena_mem(ar, n * sizeof *items);
            if (!items) return SW_FAIL(err, SW_E_NOMEM, SW_LAYER_PICKLE, SW_PYEXC_MEMORYERROR, 0, 0, "out of memory");
        }
        sw_vset_init(&vs, sw_arena_alloc(ar), sw_arena_limits(ar)->max_depth);
        for (i = 0; i < n && st == SW_OK; i++) {
            int found;
            size_t idx;
            st = sw_vset_add(&vs, src->u.c.v[i], k, &found, &idx);
            if (st == SW_OK && !found) items[k++] = src->u.c.v[i];
            if (st == SW_OK && found && o->mode == SW_MODE_STRICT) st = SW_E_DUP_KEY;
        }
        sw_vset_free(&vs);
        if (st != SW_OK)
            return SW_FAIL(err, st, SW_LAYER_PICKLE, st == SW_E_UNHASHABLE ? SW_PYEXC_TYPEERROR : SW_PYEXC_NONE, 0, 0,
                           st == SW_E_UNHASHABLE ? "unhashable type" : "equal set members");
        memset(&v->u, 0, sizeof v->u);
        v->kind = global_is(fn, "builtins", "set") ? SW_K_SET : SW_K_FROZENSET;
        v->sub = v->hint = 0;
        v->u.c.v = items;
        v->u.c.n = v->u.c.cap = k;
        return SW_OK;
    }
    if (global_is(fn, "builtins", "complex") && na <= 2 && (na < 1 || is_number(args->u.c.v[0])) &&
        (na < 2 || is_number(args->u.c.v[1]))) {
        double re = 0.0, im = 0.0;
        if ((na >= 1 && !as_double(args->u.c.v[0], &re)) || (na >= 2 && !as_double(args->u.c.v[1], &im)))
            return SW_FAIL(err, SW_E_BAD_VALUE, SW_LAYER_PICKLE, SW_PYEXC_OVERFLOWERROR, 0, 0,
                           "int too large to convert to float");
        memset(&v->u, 0, sizeof v->u);
        v->kind = SW_K_COMPLEX;
        v->sub = v->hint = 0;
        v->u.cx.re = re;
        v->u.cx.im = im;
        return SW_OK;
    }
    if (global_is(fn, "pyspark.serializers", "_restore") && na == 3 && args->u.c.v[0]->kind == SW_K_STR &&
        args->u.c.v[1]->kind == SW_K_TUPLE && args->u.c.v[2]->kind == SW_K_TUPLE) {
        /* [#pickle.resolve.namedtuple] PySpark's namedtuple hack */
        sw_value *name = args->u.c.v[0], *fields = args->u.c.v[1], *vals = args->u.c.v[2];
        v->kind = SW_K_NAMEDTUPLE;
        v->sub = v->hint = 0;
        v->u.c.v[0] = name;
        v->u.c.v[1] = fields;
        if (sw_v_push(ar, v, vals) != SW_OK)
            return SW_FAIL(err, SW_E_NOMEM, SW_LAYER_PICKLE, SW_PYEXC_MEMORYERROR, 0, 0, "out of memory");
        return SW_OK;
    }
    return SW_OK;
}

typedef struct frame {
    sw_value *v;
    size_t i;
} frame;

typedef struct rctx {
    sw_arena *ar;
    const sw_pickle_opts *o;
    sw_error *err;
    size_t unhashable; /* calls resolved into a set or a bytearray */
} rctx;

/* visit every node reachable from root once, children before their parent,
 * without recursion; stops at the first status visit returns */
static sw_status walk_post(const sw_alloc *al, sw_value *root, sw_status (*visit)(sw_value *, rctx *), rctx *cx)
{
    sw_ptrmap seen;
    frame *stk;
    size_t n = 0, cap = 64;
    sw_status st = SW_OK;
    sw_ptrmap_init(&seen, al);
    stk = (frame *)sw__malloc(al, cap * sizeof *stk);
    if (!stk) return SW_E_NOMEM;
    if (sw_ptrmap_put(&seen, root, 1) != SW_OK) st = SW_E_NOMEM;
    stk[n].v = root;
    stk[n].i = 0;
    n++;
    while (st == SW_OK && n > 0) {
        frame *f = &stk[n - 1];
        size_t nc = sw_v_nchildren(f->v);
        if (f->i < nc) {
            sw_value *c = sw_v_child(f->v, f->i++);
            if (!c || sw_ptrmap_get(&seen, c)) continue;
            if (sw_ptrmap_put(&seen, c, 1) != SW_OK) {
                st = SW_E_NOMEM;
                break;
            }
            if (n == cap) {
                frame *ns = (frame *)sw__realloc(al, stk, cap * sizeof *stk, cap * 2 * sizeof *stk);
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
            continue;
        }
        st = visit(f->v, cx);
        n--;
    }
    sw__free(al, stk, cap * sizeof *stk);
    sw_ptrmap_free(&seen);
    return st;
}

static sw_status resolve_visit(sw_value *v, rctx *cx)
{
    uint8_t was = v->kind;
    sw_status st = sw__pickle_resolve_call(cx->ar, v, cx->o, cx->err);
    if (v->kind != was && (v->kind == SW_K_SET || v->kind == SW_K_BYTEARRAY)) cx->unhashable++;
    return st;
}

/* [#pickle.resolve.unhashable] the keys of a dict and the members of a set
 * were hashable when the decode inserted them; a call resolved since into a
 * set or a bytearray (or a tuple, frozenset or namedtuple holding one) is
 * what CPython's load got from the call, and it failed inserting it */
static sw_status keys_visit(sw_value *v, rctx *cx)
{
    size_t i, stride = v->kind == SW_K_DICT ? 2 : 1;
    if (v->kind != SW_K_DICT && v->kind != SW_K_SET && v->kind != SW_K_FROZENSET) return SW_OK;
    for (i = 0; i < v->u.c.n; i += stride) {
        uint64_t h;
        int r = sw_v_pyhash(v->u.c.v[i], sw_arena_limits(cx->ar)->max_depth, &h);
        if (r == -1)
            return SW_FAIL(cx->err, SW_E_UNHASHABLE, SW_LAYER_PICKLE, SW_PYEXC_TYPEERROR, 0, 0, "unhashable type");
        if (r == -2)
            return SW_FAIL(cx->err, SW_E_LIMIT_DEPTH, SW_LAYER_PICKLE, SW_PYEXC_RECURSIONERROR, 0, 0,
                           "key nested too deeply to hash");
    }
    return SW_OK;
}

sw_status sw_pickle_resolve(sw_arena *ar, sw_value **root, const sw_pickle_opts *o, sw_error *err)
{
    sw_pickle_opts def;
    rctx cx;
    sw_status st;
    if (err) sw_error_clear(err); /* [#errors.record] output only: cleared on entry */
    if (!root || !*root) return SW_E_ARG;
    if (!o) {
        sw_pickle_opts_default(&def);
        o = &def;
    }
    cx.ar = ar;
    cx.o = o;
    cx.err = err;
    cx.unhashable = 0;
    st = walk_post(sw_arena_alloc(ar), *root, resolve_visit, &cx);
    if (st == SW_OK && cx.unhashable) st = walk_post(sw_arena_alloc(ar), *root, keys_visit, &cx);
    if (st == SW_E_NOMEM && err && err->status != SW_E_NOMEM)
        SW_FAIL(err, st, SW_LAYER_PICKLE, SW_PYEXC_MEMORYERROR, 0, 0, "out of memory");
    return st;
}

/* ---- dis [#pickle.dis] ---- */

enum { A_NONE, A_U1, A_U2, A_I4, A_U4, A_U8, A_LINE, A_LINE2, A_B1, A_B4S, A_B4, A_B8, A_F8, A_LONG1, A_LONG4 };

typedef struct opinfo {
    uint8_t code;
    const char *name;
    uint8_t arg;
} opinfo;

static const opinfo ops[] = {
    {'(', "MARK", A_NONE}, {'.', "STOP", A_NONE}, {'0', "POP", A_NONE}, {'1', "POP_MARK", A_NONE},
    {'2', "DUP", A_NONE}, {'F', "FLOAT", A_LINE}, {'I', "INT", A_LINE}, {'J', "BININT", A_I4},
    {'K', "BININT1", A_U1}, {'L', "LONG", A_LINE}, {'M', "BININT2", A_U2}, {'N', "NONE", A_NONE},
    {'P', "PERSID", A_LINE}, {'Q', "BINPERSID", A_NONE}, {'R', "REDUCE", A_NONE}, {'S', "STRING", A_LINE},
    {'T', "BINSTRING", A_B4S}, {'U', "SHORT_BINSTRING", A_B1}, {'V', "UNICODE", A_LINE},
    {'X', "BINUNICODE", A_B4}, {'a', "APPEND", A_NONE}, {'b', "BUILD", A_NONE}, {'c', "GLOBAL", A_LINE2},
    {'d', "DICT", A_NONE}, {'}', "EMPTY_DICT", A_NONE}, {'e', "APPENDS", A_NONE}, {'g', "GET", A_LINE},
    {'h', "BINGET", A_U1}, {'i', "INST", A_LINE2}, {'j', "LONG_BINGET", A_U4}, {'l', "LIST", A_NONE},
    {']', "EMPTY_LIST", A_NONE}, {'o', "OBJ", A_NONE}, {'p', "PUT", A_LINE}, {'q', "BINPUT", A_U1},
    {'r', "LONG_BINPUT", A_U4}, {'s', "SETITEM", A_NONE}, {'t', "TUPLE", A_NONE}, {')', "EMPTY_TUPLE", A_NONE},
    {'u', "SETITEMS", A_NONE}, {'G', "BINFLOAT", A_F8}, {0x80, "PROTO", A_U1}, {0x81, "NEWOBJ", A_NONE},
    {0x82, "EXT1", A_U1}, {0x83, "EXT2", A_U2}, {0x84, "EXT4", A_I4}, {0x85, "TUPLE1", A_NONE},
    {0x86, "TUPLE2", A_NONE}, {0x87, "TUPLE3", A_NONE}, {0x88, "NEWTRUE", A_NONE}, {0x89, "NEWFALSE", A_NONE},
    {0x8a, "LONG1", A_LONG1}, {0x8b, "LONG4", A_LONG4}, {'B', "BINBYTES", A_B4}, {'C', "SHORT_BINBYTES", A_B1},
    {0x8c, "SHORT_BINUNICODE", A_B1}, {0x8d, "BINUNICODE8", A_B8}, {0x8e, "BINBYTES8", A_B8},
    {0x8f, "EMPTY_SET", A_NONE}, {0x90, "ADDITEMS", A_NONE}, {0x91, "FROZENSET", A_NONE},
    {0x92, "NEWOBJ_EX", A_NONE}, {0x93, "STACK_GLOBAL", A_NONE}, {0x94, "MEMOIZE", A_NONE},
    {0x95, "FRAME", A_U8}, {0x96, "BYTEARRAY8", A_B8}, {0x97, "NEXT_BUFFER", A_NONE},
    {0x98, "READONLY_BUFFER", A_NONE},
};

static const opinfo *find_op(uint8_t c)
{
    size_t i;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].code == c) return &ops[i];
    return NULL;
}

static sw_status put_escaped(sw_buf *out, const uint8_t *p, size_t n, size_t max)
{
    size_t i;
    sw_status st = SW_OK;
    for (i = 0; i < n && i < max && st == SW_OK; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '\'')
            st = sw_buf_putc(out, p[i]);
        else
            st = sw_buf_printf(out, "\\x%02x", p[i]);
    }
    if (st == SW_OK && n > max) st = sw_buf_printf(out, "... (%zu bytes)", n);
    return st;
}

static uint64_t le_n(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    while (n--) v = (v << 8) | p[n];
    return v;
}

sw_status sw_pickle_dis(const uint8_t *p, size_t n, uint64_t base, const char *indent, sw_buf *out, sw_error *err)
{
    sw_cursor c;
    uint64_t memo_n = 0;
    if (!indent) indent = "";
    sw_cur_init(&c, p ? p : (const uint8_t *)"", n);
    for (;;) {
        size_t at = c.pos;
        const uint8_t *b = sw_cur_take(&c, 1), *a;
        const opinfo *op;
        sw_status st;
        if (!b) {
            sw_buf_printf(out, "%s%llu: (end of data without STOP)\n", indent, (unsigned long long)(base + at));
            return SW_FAIL(err, SW_E_TRUNCATED_PAYLOAD, SW_LAYER_PICKLE, SW_PYEXC_EOFERROR, base + at, at, "Ran out of input");
        }
        op = find_op(b[0]);
        if (!op) {
            sw_buf_printf(out, "%s%llu: 0x%02x invalid opcode\n", indent, (unsigned long long)(base + at), b[0]);
            return SW_FAIL(err, SW_E_BAD_OPCODE, SW_LAYER_PICKLE, SW_PYEXC_UNPICKLINGERROR, base + at, at, "invalid load key");
        }
        st = sw_buf_printf(out, "%s%6llu: %-16s", indent, (unsigned long long)(base + at), op->name);
        if (st != SW_OK) return st;
        switch (op->arg) {
        case A_U1: case A_U2: case A_U4: case A_I4: case A_U8: {
            size_t w = op->arg == A_U1 ? 1 : op->arg == A_U2 ? 2 : op->arg == A_U8 ? 8 : 4;
            uint64_t x;
            if (!(a = sw_cur_take(&c, w))) goto trunc;
            x = le_n(a, w);
            if (op->arg == A_I4) sw_buf_printf(out, " %ld", (long)(int32_t)(uint32_t)x);
            else sw_buf_printf(out, " %llu", (unsigned long long)x);
            if (op->code == 'q' || op->code == 'r') {
                sw_buf_printf(out, "    (memo %llu)", (unsigned long long)x);
                memo_n++;
            }
            break;
        }
        case A_LINE: case A_LINE2: {
            int k;
            for (k = 0; k < (op->arg == A_LINE2 ? 2 : 1); k++) {
                size_t i, left = sw_cur_left(&c);
                const uint8_t *s = c.p + c.pos;
                for (i = 0; i < left && s[i] != '\n'; i++) {
                }
                if (i == left) goto trunc;
                sw_buf_puts(out, k ? " " : " '");
                put_escaped(out, s, i, 200);
                if (k || op->arg == A_LINE) sw_buf_putc(out, '\'');
                c.pos += i + 1;
            }
            if (op->code == 'p') memo_n++;
            break;
        }
        case A_B1: case A_B4: case A_B4S: case A_B8: case A_LONG1: case A_LONG4: {
            size_t w = (op->arg == A_B1 || op->arg == A_LONG1) ? 1 : op->arg == A_B8 ? 8 : 4;
            uint64_t len;
            if (!(a = sw_cur_take(&c, w))) goto trunc;
            len = le_n(a, w);
            if ((op->arg == A_B4S || op->arg == A_LONG4) && (int32_t)(uint32_t)len < 0) {
                sw_buf_puts(out, " negative length\n");
                return SW_FAIL(err, SW_E_BAD_LENGTH, SW_LAYER_PICKLE, SW_PYEXC_UNPICKLINGERROR, base + at, at,
                               "negative byte count");
            }
            if (len > sw_cur_left(&c)) goto trunc;
            a = sw_cur_take(&c, (size_t)len);
            sw_buf_puts(out, " '");
            put_escaped(out, a, (size_t)len, 80);
            sw_buf_putc(out, '\'');
            break;
        }
        case A_F8: {
            double d;
            uint64_t bits = 0;
            int i;
            char fb[40];
            if (!(a = sw_cur_take(&c, 8))) goto trunc;
            for (i = 0; i < 8; i++) bits = (bits << 8) | a[i];
            memcpy(&d, &bits, sizeof d);
            sw_float_repr(d, fb);
            sw_buf_printf(out, " %s", fb);
            break;
        }
        default:
            break;
        }
        if (op->code == 0x94) sw_buf_printf(out, " (memo %llu)", (unsigned long long)memo_n++);
        sw_buf_putc(out, '\n');
        if (op->code == '.') {
            if (c.pos < n) sw_buf_printf(out, "%s(%zu bytes after STOP)\n", indent, n - c.pos);
            return SW_OK;
        }
        continue;
    trunc:
        sw_buf_puts(out, " (truncated)\n");
        return SW_FAIL(err, SW_E_TRUNCATED_PAYLOAD, SW_LAYER_PICKLE, SW_PYEXC_UNPICKLINGERROR, base + at, at,
                       "pickle data was truncated");
    }
}

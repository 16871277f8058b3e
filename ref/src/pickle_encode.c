/*
 * The pickle encoder [#pickle.encode]: a value graph to the bytes CPython
 * 3.11's C pickler (Modules/_pickle.c) writes for pickle.dumps(obj, protocol).
 *
 * Structure follows _pickle.c: save() dispatches on the node kind; atoms
 * (None, bool, int, float, str, bytes, globals...) are written at once;
 * containers and objects get a frame on an explicit stack whose steps write
 * the opcodes around their children, so nesting costs no C recursion.
 * Identity is the node pointer: the memo maps nodes to memo indices exactly
 * where CPython calls memo_put() [#pickle.encode.memo]. Objects CPython makes
 * on the fly (the argument tuple of a reduce, the list inside set([...]) for
 * protocol < 4, the latin-1 str of bytes for protocol < 3) take a memo index
 * of their own and can never be fetched again, as in CPython.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal/common.h"
#include "internal/int_text.h"
#include "internal/pickle_enc.h" /* fix_imports tables, made by tools/gen_pickle_corpus.py */

/* ---- opcodes (Lib/pickletools.py) ---- */
enum {
    OP_MARK = '(', OP_STOP = '.', OP_POP = '0', OP_POP_MARK = '1', OP_DUP = '2',
    OP_FLOAT = 'F', OP_INT = 'I', OP_BININT = 'J', OP_BININT1 = 'K', OP_LONG = 'L',
    OP_BININT2 = 'M', OP_NONE = 'N', OP_PERSID = 'P', OP_BINPERSID = 'Q', OP_REDUCE = 'R',
    OP_STRING = 'S', OP_BINSTRING = 'T', OP_SHORT_BINSTRING = 'U', OP_UNICODE = 'V',
    OP_BINUNICODE = 'X', OP_APPEND = 'a', OP_BUILD = 'b', OP_GLOBAL = 'c', OP_DICT = 'd',
    OP_EMPTY_DICT = '}', OP_APPENDS = 'e', OP_GET = 'g', OP_BINGET = 'h', OP_INST = 'i',
    OP_LONG_BINGET = 'j', OP_LIST = 'l', OP_EMPTY_LIST = ']', OP_OBJ = 'o', OP_PUT = 'p',
    OP_BINPUT = 'q', OP_LONG_BINPUT = 'r', OP_SETITEM = 's', OP_TUPLE = 't',
    OP_EMPTY_TUPLE = ')', OP_SETITEMS = 'u', OP_BINFLOAT = 'G',
    OP_PROTO = 0x80, OP_NEWOBJ = 0x81, OP_EXT1 = 0x82, OP_EXT2 = 0x83, OP_EXT4 = 0x84,
    OP_TUPLE1 = 0x85, OP_TUPLE2 = 0x86, OP_TUPLE3 = 0x87, OP_NEWTRUE = 0x88,
    OP_NEWFALSE = 0x89, OP_LONG1 = 0x8a, OP_LONG4 = 0x8b,
    OP_BINBYTES = 'B', OP_SHORT_BINBYTES = 'C',
    OP_SHORT_BINUNICODE = 0x8c, OP_BINUNICODE8 = 0x8d, OP_BINBYTES8 = 0x8e,
    OP_EMPTY_SET = 0x8f, OP_ADDITEMS = 0x90, OP_FROZENSET = 0x91, OP_NEWOBJ_EX = 0x92,
    OP_STACK_GLOBAL = 0x93, OP_MEMOIZE = 0x94, OP_FRAME = 0x95,
    OP_BYTEARRAY8 = 0x96, OP_NEXT_BUFFER = 0x97, OP_READONLY_BUFFER = 0x98
};

#define BATCHSIZE 1000u            /* _pickle.c BATCHSIZE [#pickle.encode.batch] */
#define FRAME_SIZE_TARGET 65536u   /* [#pickle.encode.frame] */
#define FRAME_SIZE_MIN 4u
#define FRAME_HEADER_SIZE 9u
#define NO_FRAME SIZE_MAX


/* ---- a small map of strings to memo indices (globals and module names
 * memoized by value) ---- */

typedef struct vkey {
    uint8_t tag;              /* 'G' global (module, name), 'M' module name */
    const uint8_t *a, *b;
    size_t an, bn;
    uint64_t val;
    int used;
} vkey;

typedef struct vmap {
    vkey *k;
    size_t cap, n;
} vmap;

/* ---- frames of the explicit stack ---- */

enum fop {
    F_TUPLE = 1, F_LIST, F_DICT, F_SET, F_FROZENSET, F_SETREDUCE, F_OBJ, F_PERSID, F_NAMEDTUPLE
};

/* batch styles [#pickle.encode.batch] */
enum bstyle {
    B_EXACT_LIST = 1, /* batch_list_exact: 1 item -> APPEND, else batches while items remain */
    B_EXACT_DICT,     /* batch_dict_exact: 1 item -> SETITEM, else do {batch} while full */
    B_SET,            /* save_set: do {batch} while full, no single form */
    B_GENERIC,        /* batch_list/batch_dict on an iterator: a lone last item -> single op */
    B_ONE_BY_ONE      /* protocol 0: item, single op, item, single op... */
};

typedef struct frame {
    const sw_value *v;
    uint8_t op, phase, small;
    size_t i;                 /* next child or mutation */
    /* batch in progress */
    uint8_t bstyle, bphase, bups, bsingle, bmulti;
    size_t bn;                /* units */
    size_t bi;                /* children saved so far */
    size_t bcount;            /* units in the current batch */
    size_t bsend;             /* end child of a single unit */
    sw_value *const *bitems;
    const sw_mut *bmuts;
} frame;

typedef struct enc {
    sw_buf *out;
    size_t start;
    int proto, bin, hints;
    sw_limits lim;
    int framing;
    size_t frame_start;
    sw_ptrmap memo;
    uint64_t memo_n;
    size_t memo_guess;   /* entries expected: 2 per item of a root list or tuple */
    uint64_t nbuf;       /* out-of-band buffers written so far */
    vmap vm;
    frame *fr;
    size_t nfr, capfr;
    sw_error *err;
    const sw_alloc *al;
    char k_latin1;            /* identity of the interned 'latin1' str */
} enc;

static sw_status efail(enc *e, sw_status st, sw_pyexc py, const char *msg)
{
    return SW_FAIL(e->err, st, SW_LAYER_PICKLE, py, 0, e->out->n - e->start, msg);
}

static sw_status nomem(enc *e) { return efail(e, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory"); }

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t vkey_hash(uint8_t tag, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    uint64_t h = 14695981039346656037ull ^ tag;
    h = hash_bytes(h, a, an);
    h = hash_bytes(h ^ 0xff, b, bn);
    return h;
}

static vkey *vmap_find(const vmap *m, uint8_t tag, const uint8_t *a, size_t an, const uint8_t *b,
                       size_t bn)
{
    size_t i, mask;
    if (!m->cap) return NULL;
    mask = m->cap - 1;
    for (i = (size_t)vkey_hash(tag, a, an, b, bn) & mask;; i = (i + 1) & mask) {
        vkey *k = &m->k[i];
        if (!k->used) return NULL;
        if (k->tag == tag && k->an == an && k->bn == bn && (an == 0 || memcmp(k->a, a, an) == 0) &&
            (bn == 0 || memcmp(k->b, b, bn) == 0))
            return k;
    }
}

static sw_status vmap_put(enc *e, uint8_t tag, const uint8_t *a, size_t an, const uint8_t *b,
                          size_t bn, uint64_t val)
{
    vmap *m = &e->vm;
    size_t i, mask;
    vkey *k = vmap_find(m, tag, a, an, b, bn);
    if (k) {
        k->val = val;
        return SW_OK;
    }
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 32, j;
        vkey *nk = (vkey *)sw__malloc(e->al, ncap * sizeof *nk);
        if (!nk) return nomem(e);
        memset(nk, 0, ncap * sizeof *nk);
        for (j = 0; j < m->cap; j++) {
            vkey *o = &m->k[j];
            if (!o->used) continue;
            for (i = (size_t)vkey_hash(o->tag, o->a, o->an, o->b, o->bn) & (ncap - 1); nk[i].used;
                 i = (i + 1) & (ncap - 1)) {
            }
            nk[i] = *o;
        }
        sw__free(e->al, m->k, m->cap * sizeof *m->k);
        m->k = nk;
        m->cap = ncap;
    }
    mask = m->cap - 1;
    for (i = (size_t)vkey_hash(tag, a, an, b, bn) & mask; m->k[i].used; i = (i + 1) & mask) {
    }
    k = &m->k[i];
    k->used = 1;
    k->tag = tag;
    k->a = a;
    k->an = an;
    k->b = b;
    k->bn = bn;
    k->val = val;
    m->n++;
    return SW_OK;
}

/* ---- output: _Pickler_Write, framing [#pickle.encode.frame] ---- */

static sw_status room(enc *e, size_t n)
{
    size_t used = e->out->n - e->start;
    /* [#limits.total] the output of one pickle is bounded by max_total_bytes */
    if (used > e->lim.max_total_bytes || n > e->lim.max_total_bytes - used)
        return efail(e, SW_E_LIMIT_TOTAL, SW_PYEXC_MEMORYERROR, "pickle output over max_total_bytes");
    /* io.h: a buffer's max (sw_buf.max) is limit_total too, not nomem */
    switch (sw_buf_reserve(e->out, n)) {
    case SW_OK: return SW_OK;
    case SW_E_LIMIT_TOTAL: return efail(e, SW_E_LIMIT_TOTAL, SW_PYEXC_MEMORYERROR, "pickle output over the buffer's max");
    default: return nomem(e);
    }
}

/* _Pickler_Write: a new frame opens at the first write after a commit */
static sw_status wr_slow(enc *e, const void *p, size_t n)
{
    sw_status st;
    int newframe = e->framing && e->frame_start == NO_FRAME;
    size_t need = n + (newframe ? FRAME_HEADER_SIZE : 0);
    if ((st = room(e, need)) != SW_OK) return st;
    if (newframe) {
        e->frame_start = e->out->n;
        memset(e->out->p + e->out->n, 0xfe, FRAME_HEADER_SIZE);
        e->out->n += FRAME_HEADER_SIZE;
    }
    if (n) memcpy(e->out->p + e->out->n, p, n);
    e->out->n += n;
    return SW_OK;
}

/* the common case inline: no frame to open, room in the buffer and under
 * both limits (what room() checks) */
static inline sw_status wr(enc *e, const void *p, size_t n)
{
    sw_buf *b = e->out;
    size_t used = b->n - e->start;
    if (n && (!e->framing || e->frame_start != NO_FRAME) && n <= b->cap - b->n && used <= e->lim.max_total_bytes &&
        n <= e->lim.max_total_bytes - used && (!b->max || (b->n <= b->max && n <= b->max - b->n))) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
        return SW_OK;
    }
    return wr_slow(e, p, n);
}

static sw_status wr1(enc *e, uint8_t c) { return wr(e, &c, 1); }

static void put_le(uint8_t *p, uint64_t v, int n)
{
    int i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* _Pickler_CommitFrame: frames shorter than FRAME_SIZE_MIN lose their header */
static void commit_frame(enc *e)
{
    size_t flen;
    uint8_t *q;
    if (!e->framing || e->frame_start == NO_FRAME) return;
    flen = e->out->n - e->frame_start - FRAME_HEADER_SIZE;
    q = e->out->p + e->frame_start;
    if (flen >= FRAME_SIZE_MIN) {
        q[0] = OP_FRAME;
        put_le(q + 1, (uint64_t)flen, 8);
    } else {
        memmove(q, q + FRAME_HEADER_SIZE, flen);
        e->out->n -= FRAME_HEADER_SIZE;
    }
    e->frame_start = NO_FRAME;
}

/* _Pickler_OpcodeBoundary, called as save() starts */
static void boundary(enc *e)
{
    if (!e->framing || e->frame_start == NO_FRAME) return;
    if (e->out->n - e->frame_start - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) commit_frame(e);
}

/* _Pickler_write_bytes: payloads of FRAME_SIZE_TARGET bytes or more are
 * written outside any frame (the frame before them is committed) */
static sw_status wr_bytes(enc *e, const uint8_t *hdr, size_t hn, const uint8_t *p, size_t n)
{
    sw_status st;
    int framing = e->framing;
    if (n >= FRAME_SIZE_TARGET) {
        commit_frame(e);
        e->framing = 0;
    }
    st = wr(e, hdr, hn);
    if (st == SW_OK) st = wr(e, p, n);
    e->framing = framing;
    return st;
}

/* ---- memo [#pickle.encode.memo] ---- */

/* memo_put: key NULL for an object made on the fly (never fetched again) */
static sw_status memo_put(enc *e, const void *key)
{
    uint64_t idx = e->memo_n++;
    uint8_t b[8];
    if (key && e->memo_guess && e->memo.cap && (e->memo.n + 1) * 4 > e->memo.cap * 3) {
        /* outgrowing the first table: make room for the whole batch at once
         * rather than rehashing at every doubling */
        if (sw_ptrmap_reserve(&e->memo, e->memo.n + e->memo_guess) != SW_OK) return nomem(e);
        e->memo_guess = 0;
    }
    if (key && sw_ptrmap_put(&e->memo, key, idx) != SW_OK) return nomem(e);
    if (e->proto >= 4) return wr1(e, OP_MEMOIZE);
    if (!e->bin) {
        char t[32];
        int k = snprintf(t, sizeof t, "p%llu\n", (unsigned long long)idx);
        return wr(e, t, (size_t)k);
    }
    if (idx < 256) {
        b[0] = OP_BINPUT;
        b[1] = (uint8_t)idx;
        return wr(e, b, 2);
    }
    if (idx > 0xffffffffull)
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "memo id too large for LONG_BINPUT");
    b[0] = OP_LONG_BINPUT;
    put_le(b + 1, idx, 4);
    return wr(e, b, 5);
}

static sw_status save_get(enc *e, uint64_t idx)
{
    uint8_t b[8];
    if (!e->bin) {
        char t[32];
        int k = snprintf(t, sizeof t, "g%llu\n", (unsigned long long)idx);
        return wr(e, t, (size_t)k);
    }
    if (idx < 256) {
        b[0] = OP_BINGET;
        b[1] = (uint8_t)idx;
        return wr(e, b, 2);
    }
    b[0] = OP_LONG_BINGET;
    put_le(b + 1, idx, 4);
    return wr(e, b, 5);
}

static const uint64_t *memo_get(const enc *e, const void *key)
{
    return key ? sw_ptrmap_get(&e->memo, key) : NULL;
}

/* after a construction whose arguments may have reached the object itself:
 * save_reduce's "POP, then GET from the memo", or memo_put */
static sw_status memo_or_refetch(enc *e, const void *key)
{
    const uint64_t *m = memo_get(e, key);
    sw_status st;
    if (m) {
        uint64_t idx = *m;
        if ((st = wr1(e, OP_POP)) != SW_OK) return st;
        return save_get(e, idx);
    }
    return memo_put(e, key);
}

/* The protocol that introduced an opcode (pickletools' proto field). */
static int op_proto(uint8_t op)
{
    switch (op) {
    case OP_STRING: case OP_INT: case OP_LONG: case OP_FLOAT: case OP_UNICODE: case OP_GLOBAL:
    case OP_PERSID: case OP_INST:
        return 0;
    case OP_BINSTRING: case OP_SHORT_BINSTRING: case OP_BININT: case OP_BININT1: case OP_BININT2:
    case OP_BINUNICODE: case OP_BINFLOAT: case OP_BINPERSID: case OP_OBJ:
        return 1;
    case OP_LONG1: case OP_LONG4: case OP_NEWTRUE: case OP_NEWFALSE: case OP_EXT1: case OP_EXT2:
    case OP_EXT4: case OP_NEWOBJ:
        return 2;
    case OP_BINBYTES: case OP_SHORT_BINBYTES:
        return 3;
    case OP_SHORT_BINUNICODE: case OP_BINUNICODE8: case OP_BINBYTES8: case OP_STACK_GLOBAL:
    case OP_NEWOBJ_EX:
        return 4;
    case OP_BYTEARRAY8:
        return 5;
    default:
        return 99;
    }
}

/* [#pickle.encode.hints] the opcode a node was read from, when hints are on
 * and the target protocol has that opcode; 0 otherwise */
static uint8_t hint_of(const enc *e, const sw_value *v)
{
    if (!e->hints || !v || !v->hint || op_proto(v->hint) > e->proto) return 0;
    return v->hint;
}

static int use_hint(const enc *e, const sw_value *v, uint8_t op) { return hint_of(e, v) == op; }

/* ---- atoms ---- */

static sw_status save_none(enc *e) { return wr1(e, OP_NONE); }

static sw_status save_bool(enc *e, const sw_value *v)
{
    int b = v->u.b != 0;
    /* [#pickle.encode.int] NEWTRUE/NEWFALSE from protocol 2, INT 01/00 before */
    if (e->proto >= 2 && !use_hint(e, v, OP_INT)) return wr1(e, b ? OP_NEWTRUE : OP_NEWFALSE);
    return wr(e, b ? "I01\n" : "I00\n", 4);
}

/* decimal text of an int node; *txt malloc'd through e->al */
static sw_status int_text(enc *e, const sw_value *v, char **txt, size_t *n)
{
    size_t need = sw__int_to_decimal_al(v, NULL, 0, e->al), digits; /* [#api.alloc] */
    char *t;
    if (need == 0) return nomem(e);
    digits = need - ((v->flags & SW_VF_BIG) ? (v->u.big.neg != 0) : (v->u.i < 0));
    /* [#limits.int-digits] str(int) over sys.get_int_max_str_digits() is
     * CPython's ValueError */
    if (digits > e->lim.max_int_digits)
        return efail(e, SW_E_LIMIT_INT_DIGITS, SW_PYEXC_VALUEERROR,
                     "int too long for text form (max_int_digits)");
    t = (char *)sw__malloc(e->al, need + 1);
    if (!t) return nomem(e);
    if (sw__int_to_decimal_al(v, t, need + 1, e->al) != need) {
        sw__free(e->al, t, need + 1);
        return nomem(e);
    }
    *txt = t;
    *n = need;
    return SW_OK;
}

static sw_status save_int_text(enc *e, const sw_value *v, uint8_t op)
{
    char *t = NULL;
    size_t n = 0;
    sw_status st = int_text(e, v, &t, &n);
    if (st != SW_OK) return st;
    st = wr1(e, op);
    if (st == SW_OK) st = wr(e, t, n);
    if (st == SW_OK && op == OP_LONG) st = wr1(e, 'L');
    if (st == SW_OK) st = wr1(e, '\n');
    sw__free(e->al, t, n + 1);
    return st;
}

static sw_status save_long_bin(enc *e, const sw_value *v, uint8_t op)
{
    size_t cap = sw_int_bit_length(v) / 8 + 2, n;
    uint8_t hdr[5];
    uint8_t small[16], *p = small;
    sw_status st;
    if (cap > sizeof small) {
        p = (uint8_t *)sw__malloc(e->al, cap);
        if (!p) return nomem(e);
    }
    n = sw_int_to_le2c(v, p, cap);
    if (op == OP_LONG1 && n > 0xff) op = OP_LONG4;
    if ((uint64_t)n > 0x7fffffffull) {
        st = efail(e, SW_E_UNENCODABLE, SW_PYEXC_OVERFLOWERROR, "int too large to pickle");
    } else if (op == OP_LONG1) {
        hdr[0] = OP_LONG1;
        hdr[1] = (uint8_t)n;
        st = wr(e, hdr, 2);
        if (st == SW_OK) st = wr(e, p, n);
    } else {
        hdr[0] = OP_LONG4;
        put_le(hdr + 1, n, 4);
        st = wr(e, hdr, 5);
        if (st == SW_OK) st = wr(e, p, n);
    }
    if (p != small) sw__free(e->al, p, cap);
    return st;
}

/* save_long [#pickle.encode.int] */
static sw_status save_int(enc *e, const sw_value *v)
{
    int big = (v->flags & SW_VF_BIG) != 0;
    int64_t i = big ? 0 : v->u.i;
    int fits32;
    uint8_t b[5];
    if (big && v->u.big.n <= 7) {
        /* a big node holding a small value (not normalised): its value decides */
        size_t k;
        uint64_t m = 0;
        for (k = v->u.big.n; k > 0; k--) m = (m << 8) | v->u.big.mag[k - 1];
        big = 0;
        i = v->u.big.neg ? -(int64_t)m : (int64_t)m;
    }
    fits32 = !big && i >= -2147483647ll - 1 && i <= 2147483647ll;
    if (hint_of(e, v)) {
        switch (v->hint) {
        case OP_INT: return save_int_text(e, v, OP_INT);
        case OP_LONG: return save_int_text(e, v, OP_LONG);
        case OP_BININT1:
            if (!big && i >= 0 && i <= 0xff) goto bin1;
            break;
        case OP_BININT2:
            if (!big && i >= 0 && i <= 0xffff) goto bin2;
            break;
        case OP_BININT:
            if (fits32) goto bin4;
            break;
        case OP_LONG1: case OP_LONG4: return save_long_bin(e, v, v->hint);
        default: break;
        }
    }
    if (fits32) {
        if (!e->bin) return save_int_text(e, v, OP_INT);
        if (i >= 0 && i <= 0xff) goto bin1;
        if (i >= 0 && i <= 0xffff) goto bin2;
        goto bin4;
    }
    if (e->proto >= 2) return save_long_bin(e, v, OP_LONG1);
    return save_int_text(e, v, OP_LONG);
bin1:
    b[0] = OP_BININT1;
    b[1] = (uint8_t)i;
    return wr(e, b, 2);
bin2:
    b[0] = OP_BININT2;
    put_le(b + 1, (uint64_t)i, 2);
    return wr(e, b, 3);
bin4:
    b[0] = OP_BININT;
    put_le(b + 1, (uint64_t)(uint32_t)(int32_t)i, 4);
    return wr(e, b, 5);
}

static sw_status save_float_d(enc *e, double d, const sw_value *v)
{
    int text = !e->bin;
    if (use_hint(e, v, OP_FLOAT)) text = 1;
    if (use_hint(e, v, OP_BINFLOAT)) text = 0;
    if (text) {
        /* protocol 0: repr(float) [#pickle.encode.float] */
        char t[40];
        size_t n;
        t[0] = OP_FLOAT;
        n = sw_float_repr(d, t + 1);
        t[1 + n] = '\n';
        return wr(e, t, n + 2);
    } else {
        uint8_t b[9];
        uint64_t u;
        int k;
        memcpy(&u, &d, 8);
        b[0] = OP_BINFLOAT;
        for (k = 0; k < 8; k++) b[1 + k] = (uint8_t)(u >> (56 - 8 * k));
        return wr(e, b, 9);
    }
}

/* protocol 0 str: raw-unicode-escape plus \\ \0 \n \r \x1a as \uXXXX */
static sw_status save_unicode_text(enc *e, const uint8_t *p, size_t n)
{
    size_t i = 0;
    sw_status st = wr1(e, OP_UNICODE);
    static const char hex[] = "0123456789abcdef";
    while (st == SW_OK && i < n) {
        uint32_t cp;
        size_t k = sw_utf8_decode1(p + i, n - i, &cp);
        char t[12];
        size_t tn = 0;
        if (k == 0) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_UNICODEDECODEERROR, "str node is not UTF-8");
        i += k;
        if (cp >= 0x10000) {
            int s;
            t[tn++] = '\\';
            t[tn++] = 'U';
            for (s = 28; s >= 0; s -= 4) t[tn++] = hex[(cp >> s) & 15];
        } else if (cp >= 256 || cp == '\\' || cp == 0 || cp == '\n' || cp == '\r' || cp == 0x1a) {
            int s;
            t[tn++] = '\\';
            t[tn++] = 'u';
            for (s = 12; s >= 0; s -= 4) t[tn++] = hex[(cp >> s) & 15];
        } else {
            t[tn++] = (char)cp;
        }
        st = wr(e, t, tn);
    }
    if (st == SW_OK) st = wr1(e, '\n');
    return st;
}

/* Python 2 str opcodes, reproduced from hints [#pickle.encode.hints] */
static sw_status save_py2_string(enc *e, uint8_t op, const uint8_t *p, size_t n)
{
    uint8_t h[5];
    sw_status st;
    if (op == OP_SHORT_BINSTRING && n <= 0xff) {
        h[0] = op;
        h[1] = (uint8_t)n;
        return wr_bytes(e, h, 2, p, n);
    }
    if (op != OP_STRING && n <= 0xffffffffu) {
        h[0] = OP_BINSTRING;
        put_le(h + 1, n, 4);
        return wr_bytes(e, h, 5, p, n);
    }
    {
        /* Python 2 repr(str) */
        size_t i, q = 0, dq = 0;
        char quote;
        static const char hex[] = "0123456789abcdef";
        for (i = 0; i < n; i++) {
            q += p[i] == '\'';
            dq += p[i] == '"';
        }
        quote = (q && !dq) ? '"' : '\'';
        st = wr1(e, OP_STRING);
        if (st == SW_OK) st = wr1(e, (uint8_t)quote);
        for (i = 0; st == SW_OK && i < n; i++) {
            uint8_t c = p[i];
            char t[4];
            size_t tn = 0;
            if (c == (uint8_t)quote || c == '\\') {
                t[tn++] = '\\';
                t[tn++] = (char)c;
            } else if (c == '\t') {
                t[tn++] = '\\';
                t[tn++] = 't';
            } else if (c == '\n') {
                t[tn++] = '\\';
                t[tn++] = 'n';
            } else if (c == '\r') {
                t[tn++] = '\\';
                t[tn++] = 'r';
            } else if (c < 0x20 || c >= 0x7f) {
                t[tn++] = '\\';
                t[tn++] = 'x';
                t[tn++] = hex[c >> 4];
                t[tn++] = hex[c & 15];
            } else {
                t[tn++] = (char)c;
            }
            st = wr(e, t, tn);
        }
        if (st == SW_OK) st = wr1(e, (uint8_t)quote);
        if (st == SW_OK) st = wr1(e, '\n');
        return st;
    }
}

/* UTF-8 (surrogatepass) text to latin-1 bytes; 0 if a code point is >= 256 */
static int utf8_to_latin1(const uint8_t *p, size_t n, uint8_t *out, size_t *outn)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = sw_utf8_decode1(p + i, n - i, &cp);
        if (k == 0 || cp > 0xff) return 0;
        out[o++] = (uint8_t)cp;
        i += k;
    }
    *outn = o;
    return 1;
}

/* save_unicode [#pickle.encode.str]; key NULL for a str made on the fly */
static sw_status save_str_raw(enc *e, const void *key, const uint8_t *p, size_t n, const sw_value *hv)
{
    sw_status st;
    uint8_t h[9];
    uint8_t op = 0;
    uint8_t hint = hint_of(e, hv);
    if (hint == OP_STRING || hint == OP_BINSTRING || hint == OP_SHORT_BINSTRING) {
        uint8_t *l = n ? (uint8_t *)sw__malloc(e->al, n) : NULL;
        size_t ln = 0;
        if (n && !l) return nomem(e);
        if (utf8_to_latin1(p, n, l, &ln)) {
            st = save_py2_string(e, hv->hint, l, ln);
            sw__free(e->al, l, n);
            if (st != SW_OK) return st;
            return memo_put(e, key);
        }
        sw__free(e->al, l, n);
    }
    if (hint == OP_UNICODE) op = OP_UNICODE;
    else if (hint == OP_SHORT_BINUNICODE && n <= 0xff) op = OP_SHORT_BINUNICODE;
    else if (hint == OP_BINUNICODE && n <= 0xffffffffu) op = OP_BINUNICODE;
    else if (hint == OP_BINUNICODE8) op = OP_BINUNICODE8;
    if (!op) {
        if (!e->bin) op = OP_UNICODE;
        else if (n <= 0xff && e->proto >= 4) op = OP_SHORT_BINUNICODE;
        else if ((uint64_t)n > 0xffffffffull && e->proto >= 4) op = OP_BINUNICODE8;
        else if ((uint64_t)n > 0xffffffffull)
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OVERFLOWERROR,
                         "cannot serialize a string larger than 4GiB");
        else op = OP_BINUNICODE;
    }
    h[0] = op;
    if (op == OP_UNICODE) st = save_unicode_text(e, p, n);
    else if (op == OP_SHORT_BINUNICODE) {
        h[1] = (uint8_t)n;
        st = wr_bytes(e, h, 2, p, n);
    } else if (op == OP_BINUNICODE) {
        put_le(h + 1, n, 4);
        st = wr_bytes(e, h, 5, p, n);
    } else {
        put_le(h + 1, n, 8);
        st = wr_bytes(e, h, 9, p, n);
    }
    if (st != SW_OK) return st;
    return memo_put(e, key);
}

/* a str saved through save(): memo hit or write */
static sw_status save_str_key(enc *e, const void *key, const uint8_t *p, size_t n, const sw_value *hv)
{
    const uint64_t *m;
    boundary(e);
    if ((m = memo_get(e, key)) != NULL) return save_get(e, *m);
    return save_str_raw(e, key, p, n, hv);
}

static sw_status save_global_named(enc *e, const void *key, const sw_value *modv, const uint8_t *mod,
                                   size_t modn, const sw_value *namev, const uint8_t *name,
                                   size_t namen, uint8_t hint, uint32_t depth);

#define CSTR(s) (const uint8_t *)(s), (sizeof(s) - 1)

/* a global CPython reaches through a type object (set, bytes, _codecs.encode...) */
static sw_status save_builtin_global(enc *e, const char *mod, const char *name)
{
    boundary(e);
    return save_global_named(e, NULL, NULL, (const uint8_t *)mod, strlen(mod), NULL,
                             (const uint8_t *)name, strlen(name), 0, 0);
}

static sw_status save_empty_tuple(enc *e)
{
    boundary(e);
    if (e->proto) return wr1(e, OP_EMPTY_TUPLE);
    return wr(e, "(t", 2);
}

/* save_bytes [#pickle.encode.bytes]; key NULL for bytes made on the fly */
static sw_status save_bytes_raw(enc *e, const void *key, const uint8_t *p, size_t n, const sw_value *hv)
{
    sw_status st;
    uint8_t h[9];
    uint8_t op = 0;
    if (hint_of(e, hv)) {
        switch (hv->hint) {
        case OP_STRING: case OP_BINSTRING: case OP_SHORT_BINSTRING:
            if ((st = save_py2_string(e, hv->hint, p, n)) != SW_OK) return st;
            return memo_put(e, key);
        case OP_SHORT_BINBYTES:
            if (n <= 0xff) op = OP_SHORT_BINBYTES;
            break;
        case OP_BINBYTES:
            if (n <= 0xffffffffu) op = OP_BINBYTES;
            break;
        case OP_BINBYTES8: op = OP_BINBYTES8; break;
        default: break;
        }
    }
    if (!op && e->proto < 3) {
        /* reduce(_codecs.encode, (latin-1 str, 'latin1')), or bytes() */
        if (n == 0) {
            if ((st = save_builtin_global(e, "builtins", "bytes")) != SW_OK) return st;
            if ((st = save_empty_tuple(e)) != SW_OK) return st;
        } else {
            size_t un, i;
            uint8_t *u;
            if (!sw_mul_ok(n, 2, &un)) return nomem(e);
            if ((st = save_builtin_global(e, "_codecs", "encode")) != SW_OK) return st;
            boundary(e);
            if (e->proto < 2 && (st = wr1(e, OP_MARK)) != SW_OK) return st;
            u = (uint8_t *)sw__malloc(e->al, un);
            if (!u) return nomem(e);
            for (i = 0, un = 0; i < n; i++) {
                if (p[i] < 0x80) {
                    u[un++] = p[i];
                } else {
                    u[un++] = (uint8_t)(0xc0 | (p[i] >> 6));
                    u[un++] = (uint8_t)(0x80 | (p[i] & 0x3f));
                }
            }
            boundary(e);
            st = save_str_raw(e, NULL, u, un, NULL);
            sw__free(e->al, u, n * 2);
            if (st != SW_OK) return st;
            if ((st = save_str_key(e, &e->k_latin1, CSTR("latin1"), NULL)) != SW_OK) return st;
            if ((st = wr(e, e->proto >= 2 ? "\x86" : "t", 1)) != SW_OK) return st;
            if ((st = memo_put(e, NULL)) != SW_OK) return st;
        }
        if ((st = wr1(e, OP_REDUCE)) != SW_OK) return st;
        return memo_put(e, key);
    }
    if (!op) {
        if (n <= 0xff) op = OP_SHORT_BINBYTES;
        else if ((uint64_t)n > 0xffffffffull && e->proto >= 4) op = OP_BINBYTES8;
        else if ((uint64_t)n > 0xffffffffull)
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OVERFLOWERROR,
                         "cannot serialize a bytes object larger than 4 GiB");
        else op = OP_BINBYTES;
    }
    h[0] = op;
    if (op == OP_SHORT_BINBYTES) {
        h[1] = (uint8_t)n;
        st = wr_bytes(e, h, 2, p, n);
    } else if (op == OP_BINBYTES) {
        put_le(h + 1, n, 4);
        st = wr_bytes(e, h, 5, p, n);
    } else {
        put_le(h + 1, n, 8);
        st = wr_bytes(e, h, 9, p, n);
    }
    if (st != SW_OK) return st;
    return memo_put(e, key);
}

/* save_bytearray: BYTEARRAY8 from protocol 5, else reduce(bytearray, (bytes,)) */
static sw_status save_bytearray(enc *e, const sw_value *v)
{
    sw_status st;
    const uint8_t *p = v->u.s.p;
    size_t n = v->u.s.n;
    if (e->proto >= 5 || use_hint(e, v, OP_BYTEARRAY8)) {
        uint8_t h[9];
        h[0] = OP_BYTEARRAY8;
        put_le(h + 1, n, 8);
        if ((st = wr_bytes(e, h, 9, p, n)) != SW_OK) return st;
        return memo_put(e, v);
    }
    if ((st = save_builtin_global(e, "builtins", "bytearray")) != SW_OK) return st;
    if (n == 0) {
        if ((st = save_empty_tuple(e)) != SW_OK) return st;
    } else {
        boundary(e);
        if (e->proto < 2 && (st = wr1(e, OP_MARK)) != SW_OK) return st;
        boundary(e);
        if ((st = save_bytes_raw(e, NULL, p, n, NULL)) != SW_OK) return st;
        if ((st = wr(e, e->proto >= 2 ? "\x85" : "t", 1)) != SW_OK) return st;
        if ((st = memo_put(e, NULL)) != SW_OK) return st;
    }
    if ((st = wr1(e, OP_REDUCE)) != SW_OK) return st;
    return memo_put(e, v);
}

/* complex: reduce(complex, (re, im)) as complex.__reduce__ */
static sw_status save_complex(enc *e, const sw_value *v)
{
    sw_status st;
    if ((st = save_builtin_global(e, "builtins", "complex")) != SW_OK) return st;
    boundary(e);
    if (e->proto < 2 && (st = wr1(e, OP_MARK)) != SW_OK) return st;
    boundary(e);
    if ((st = save_float_d(e, v->u.cx.re, NULL)) != SW_OK) return st;
    boundary(e);
    if ((st = save_float_d(e, v->u.cx.im, NULL)) != SW_OK) return st;
    if ((st = wr(e, e->proto >= 2 ? "\x86" : "t", 1)) != SW_OK) return st;
    if ((st = memo_put(e, NULL)) != SW_OK) return st;
    if ((st = wr1(e, OP_REDUCE)) != SW_OK) return st;
    return memo_put(e, v);
}

/* fix_imports for protocol < 3: Python 3 names back to Python 2 names */
static void fix_imports(const uint8_t **mod, size_t *modn, const uint8_t **name, size_t *namen)
{
    size_t i;
    for (i = 0; i < sizeof rev_name_map / sizeof rev_name_map[0]; i++) {
        const char *const *r = rev_name_map[i];
        if (strlen(r[0]) == *modn && memcmp(r[0], *mod, *modn) == 0 && strlen(r[1]) == *namen &&
            memcmp(r[1], *name, *namen) == 0) {
            *mod = (const uint8_t *)r[2];
            *modn = strlen(r[2]);
            *name = (const uint8_t *)r[3];
            *namen = strlen(r[3]);
            return;
        }
    }
    for (i = 0; i < sizeof rev_import_map / sizeof rev_import_map[0]; i++) {
        const char *const *r = rev_import_map[i];
        if (strlen(r[0]) == *modn && memcmp(r[0], *mod, *modn) == 0) {
            *mod = (const uint8_t *)r[1];
            *modn = strlen(r[1]);
            return;
        }
    }
}

static int is_ascii(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] >= 0x80) return 0;
    return 1;
}

static sw_status global_text(enc *e, uint8_t op, const uint8_t *mod, size_t modn, const uint8_t *name,
                             size_t namen)
{
    sw_status st;
    if (memchr(mod, '\n', modn) || memchr(name, '\n', namen))
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "global name holds a newline");
    /* [#pickle.encode.symbolic] an empty line reads back as a truncated
     * argument ([#pickle.errors]): such a global cannot be written as text */
    if (modn == 0 || namen == 0)
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "empty module or name in a GLOBAL/INST line");
    /* protocol 3 writes UTF-8, the others ASCII */
    if (e->proto != 3 && (!is_ascii(mod, modn) || !is_ascii(name, namen)))
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER,
                     "can't pickle a non-ASCII module identifier with this protocol");
    if ((st = wr1(e, op)) != SW_OK) return st;
    if ((st = wr(e, mod, modn)) != SW_OK) return st;
    if ((st = wr1(e, '\n')) != SW_OK) return st;
    if ((st = wr(e, name, namen)) != SW_OK) return st;
    return wr1(e, '\n');
}

/* the module name of a STACK_GLOBAL: identity, then by value (CPython's
 * module names are one object per module) [#pickle.encode.symbolic] */
static sw_status save_module_name(enc *e, const sw_value *modv, const uint8_t *mod, size_t modn)
{
    const uint64_t *m;
    const vkey *k;
    sw_status st;
    boundary(e);
    if ((m = memo_get(e, modv)) != NULL) return save_get(e, *m);
    if ((k = vmap_find(&e->vm, 'M', mod, modn, NULL, 0)) != NULL) return save_get(e, k->val);
    if ((st = save_str_raw(e, modv, mod, modn, modv)) != SW_OK) return st;
    return vmap_put(e, 'M', mod, modn, NULL, 0, e->memo_n - 1);
}

/* save_global [#pickle.encode.symbolic]: memoized by identity and by
 * (module, name), since a Python global is one object */
static sw_status save_global_named(enc *e, const void *key, const sw_value *modv, const uint8_t *mod,
                                   size_t modn, const sw_value *namev, const uint8_t *name,
                                   size_t namen, uint8_t hint, uint32_t depth)
{
    const uint64_t *m;
    const vkey *k;
    sw_status st;
    int stack = e->proto >= 4;
    if ((m = memo_get(e, key)) != NULL) return save_get(e, *m);
    if ((k = vmap_find(&e->vm, 'G', mod, modn, name, namen)) != NULL) return save_get(e, k->val);
    if (hint == OP_GLOBAL) stack = 0;
    if (hint == OP_STACK_GLOBAL) stack = 1;
    if (stack) {
        if ((st = save_module_name(e, modv, mod, modn)) != SW_OK) return st;
        if (namev) {
            st = save_str_key(e, namev, namev->u.s.p, namev->u.s.n, namev);
        } else {
            boundary(e);
            st = save_str_raw(e, NULL, name, namen, NULL);
        }
        if (st != SW_OK) return st;
        if ((st = wr1(e, OP_STACK_GLOBAL)) != SW_OK) return st;
    } else {
        const uint8_t *dot = (const uint8_t *)memchr(name, '.', namen);
        if (dot && e->proto < 4 && hint != OP_GLOBAL) {
            /* a nested qualname: reduce(getattr, (parent, last)) */
            const uint8_t *last = name + namen;
            size_t pn;
            while (last[-1] != '.') last--;
            pn = (size_t)(last - 1 - name);
            if (depth >= e->lim.max_depth)
                return efail(e, SW_E_LIMIT_DEPTH, SW_PYEXC_RECURSIONERROR, "global name nested too deep");
            if ((st = save_builtin_global(e, "builtins", "getattr")) != SW_OK) return st;
            boundary(e);
            if (e->proto < 2 && (st = wr1(e, OP_MARK)) != SW_OK) return st;
            boundary(e);
            if ((st = save_global_named(e, NULL, NULL, mod, modn, NULL, name, pn, 0, depth + 1)) != SW_OK)
                return st;
            boundary(e);
            if ((st = save_str_raw(e, NULL, last, (size_t)(name + namen - last), NULL)) != SW_OK) return st;
            if ((st = wr(e, e->proto >= 2 ? "\x86" : "t", 1)) != SW_OK) return st;
            if ((st = memo_put(e, NULL)) != SW_OK) return st;
            if ((st = wr1(e, OP_REDUCE)) != SW_OK) return st;
        } else {
            const uint8_t *fm = mod, *fn = name;
            size_t fmn = modn, fnn = namen;
            if (e->proto < 3) fix_imports(&fm, &fmn, &fn, &fnn);
            if ((st = global_text(e, OP_GLOBAL, fm, fmn, fn, fnn)) != SW_OK) return st;
        }
    }
    if ((st = memo_put(e, key)) != SW_OK) return st;
    return vmap_put(e, 'G', mod, modn, name, namen, e->memo_n - 1);
}

static sw_status save_global_node(enc *e, const sw_value *v)
{
    const sw_value *mv, *nv;
    if (v->u.c.n != 2 || !(mv = v->u.c.v[0]) || !(nv = v->u.c.v[1]) || mv->kind != SW_K_STR ||
        nv->kind != SW_K_STR)
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "global node needs module and name str");
    return save_global_named(e, v, mv, mv->u.s.p, mv->u.s.n, nv, nv->u.s.p, nv->u.s.n, hint_of(e, v), 0);
}

static sw_status save_ext(enc *e, const sw_value *v)
{
    uint8_t b[5];
    int64_t code = v->u.i;
    uint8_t op;
    if (code < 1 || code > 0x7fffffff)
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "extension code out of range");
    op = code <= 0xff ? OP_EXT1 : code <= 0xffff ? OP_EXT2 : OP_EXT4;
    if ((hint_of(e, v) == OP_EXT2 || hint_of(e, v) == OP_EXT4) && v->hint > op) op = v->hint;
    b[0] = op;
    if (op == OP_EXT1) {
        b[1] = (uint8_t)code;
        return wr(e, b, 2);
    }
    if (op == OP_EXT2) {
        put_le(b + 1, (uint64_t)code, 2);
        return wr(e, b, 3);
    }
    put_le(b + 1, (uint64_t)code, 4);
    return wr(e, b, 5);
}

/* ---- the explicit stack ---- */

static sw_status push(enc *e, const sw_value *v, uint8_t op)
{
    frame *f;
    /* [#limits.depth] */
    if (e->nfr >= e->lim.max_depth)
        return efail(e, SW_E_LIMIT_DEPTH, SW_PYEXC_RECURSIONERROR, "value nested deeper than max_depth");
    if (e->nfr == e->capfr) {
        size_t nc = e->capfr ? e->capfr * 2 : 32;
        frame *nf = (frame *)sw__realloc(e->al, e->fr, e->capfr * sizeof *nf, nc * sizeof *nf);
        if (!nf) return nomem(e);
        e->fr = nf;
        e->capfr = nc;
    }
    f = &e->fr[e->nfr++];
    memset(f, 0, sizeof *f);
    f->v = v;
    f->op = op;
    return SW_OK;
}

/* save(): atoms now, containers as a frame [#pickle.encode] */
static sw_status save(enc *e, const sw_value *v)
{
    const uint64_t *m;
    boundary(e);
    if (!v) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "NULL node");
    switch (v->kind) {
    case SW_K_NONE: return save_none(e);
    case SW_K_BOOL: return save_bool(e, v);
    case SW_K_INT: return save_int(e, v);
    case SW_K_FLOAT: return save_float_d(e, v->u.f, v);
    default: break;
    }
    if ((m = memo_get(e, v)) != NULL) return save_get(e, *m);
    switch (v->kind) {
    case SW_K_BYTES: return save_bytes_raw(e, v, v->u.s.p, v->u.s.n, v);
    case SW_K_STR: return save_str_raw(e, v, v->u.s.p, v->u.s.n, v);
    case SW_K_BYTEARRAY: return save_bytearray(e, v);
    case SW_K_COMPLEX: return save_complex(e, v);
    case SW_K_ELLIPSIS:
        return save_global_named(e, v, NULL, CSTR("builtins"), NULL, CSTR("Ellipsis"), 0, 0);
    case SW_K_STOPITER:
        return save_global_named(e, v, NULL, CSTR("builtins"), NULL, CSTR("StopIteration"), 0, 0);
    case SW_K_GLOBAL: return save_global_node(e, v);
    case SW_K_EXT: return save_ext(e, v);
    case SW_K_BUFFER:
        /* [#pickle.encode.symbolic] out-of-band buffers need protocol 5 */
        if (e->proto < 5)
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER,
                         "PickleBuffer can only be pickled with protocol >= 5");
        if ((uint64_t)v->u.i != e->nbuf)
            /* NEXT_BUFFER takes the next buffer: an index out of order cannot be written */
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "out-of-band buffer index out of order");
        {
            sw_status st = wr1(e, OP_NEXT_BUFFER);
            if (st == SW_OK && v->sub) st = wr1(e, OP_READONLY_BUFFER);
            if (st == SW_OK) e->nbuf++;
            return st;
        }
    case SW_K_TUPLE:
        if (v->u.c.n == 0) return e->proto ? wr1(e, OP_EMPTY_TUPLE) : wr(e, "(t", 2);
        return push(e, v, F_TUPLE);
    case SW_K_LIST: return push(e, v, F_LIST);
    case SW_K_DICT:
        if (v->u.c.n % 2) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "dict node with odd items");
        return push(e, v, F_DICT);
    case SW_K_SET:
        return push(e, v, e->proto >= 4 ? F_SET : F_SETREDUCE);
    case SW_K_FROZENSET:
        return push(e, v, e->proto >= 4 ? F_FROZENSET : F_SETREDUCE);
    case SW_K_OBJ: return push(e, v, F_OBJ);
    case SW_K_PERSID:
        if (v->u.c.n != 1) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "persid node needs one item");
        return push(e, v, F_PERSID);
    case SW_K_NAMEDTUPLE:
        if (v->u.c.n != 3) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "namedtuple node needs 3 items");
        return push(e, v, F_NAMEDTUPLE);
    case SW_K_CODE:
    default:
        return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "node kind has no pickle form");
    }
}

static void batch_begin(frame *f, uint8_t style, sw_value *const *items, const sw_mut *muts,
                        size_t nunits, uint8_t ups, uint8_t single, uint8_t multi)
{
    f->bstyle = style;
    f->bphase = 0;
    f->bitems = items;
    f->bmuts = muts;
    f->bn = nunits;
    f->bups = ups;
    f->bsingle = single;
    f->bmulti = multi;
    f->bi = 0;
    f->bcount = 0;
}

static const sw_value *batch_child(const frame *f, size_t ci)
{
    if (f->bmuts) {
        const sw_mut *mu = &f->bmuts[ci / f->bups];
        return (ci % f->bups) ? mu->b : mu->a;
    }
    return f->bitems[ci];
}

enum { BP_START = 0, BP_BATCH = 1, BP_SINGLE = 2, BP_DONE = 3 };

/* One step of a batch [#pickle.encode.batch]. *done is set when the whole
 * run is written. May push a frame (f is then stale). */
static sw_status batch_step(enc *e, size_t fi, int *done)
{
    frame *f = &e->fr[fi];
    size_t total = f->bn * f->bups;
    sw_status st;
    *done = 0;
    for (;;) {
        f = &e->fr[fi];
        switch (f->bphase) {
        case BP_START: {
            size_t left = (total - f->bi) / f->bups;
            int first = f->bi == 0;
            switch (f->bstyle) {
            case B_EXACT_LIST:
                if (first && f->bn == 1) goto single;
                if (left == 0) goto finish;
                goto open;
            case B_EXACT_DICT:
                if (first && f->bn == 1) goto single;
                goto open;
            case B_SET: goto open;
            case B_GENERIC:
                if (left == 0) goto finish;
                if (left == 1) goto single;
                goto open;
            default: /* B_ONE_BY_ONE */
                if (left == 0) goto finish;
                goto single;
            }
        open:
            if ((st = wr1(e, OP_MARK)) != SW_OK) return st;
            f->bcount = 0;
            f->bphase = BP_BATCH;
            continue;
        single:
            f->bphase = BP_SINGLE;
            f->bsend = f->bi + f->bups;
            continue;
        finish:
            f->bphase = BP_DONE;
            continue;
        }
        case BP_BATCH:
            if (f->bi % f->bups == 0 && (f->bcount == BATCHSIZE || f->bi == total)) {
                int full = f->bcount == BATCHSIZE;
                if ((st = wr1(e, f->bmulti)) != SW_OK) return st;
                if (f->bstyle == B_EXACT_LIST) f->bphase = f->bi < total ? BP_START : BP_DONE;
                else f->bphase = full ? BP_START : BP_DONE;
                continue;
            }
            if (f->bi % f->bups == 0) f->bcount++;
            return save(e, batch_child(f, f->bi++));
        case BP_SINGLE:
            if (f->bi == f->bsend) {
                if ((st = wr1(e, f->bsingle)) != SW_OK) return st;
                f->bphase = f->bstyle == B_ONE_BY_ONE ? BP_START : BP_DONE;
                continue;
            }
            return save(e, batch_child(f, f->bi++));
        default:
            *done = 1;
            return SW_OK;
        }
    }
}

/* start the next run of same-kind mutations of an obj node; 0 if none
 * left, 2 for a BUILD, -1 for an unknown mutation */
static int obj_next_run(enc *e, frame *f)
{
    const sw_value *v = f->v;
    size_t a = f->i, b;
    uint8_t op;
    if (a >= v->u.c.nmut) return 0;
    op = v->u.c.mut[a].op;
    if (op == SW_MUT_BUILD) return 2;
    if (op == SW_MUT_SETSTATE) return 3;
    if (op != SW_MUT_APPEND && op != SW_MUT_SETITEM && op != SW_MUT_ADD) return -1;
    for (b = a; b < v->u.c.nmut && v->u.c.mut[b].op == op; b++) {
    }
    f->i = b;
    if (op == SW_MUT_APPEND)
        batch_begin(f, e->proto ? B_GENERIC : B_ONE_BY_ONE, NULL, v->u.c.mut + a, b - a, 1, OP_APPEND,
                    OP_APPENDS);
    else if (op == SW_MUT_SETITEM)
        batch_begin(f, e->proto ? B_GENERIC : B_ONE_BY_ONE, NULL, v->u.c.mut + a, b - a, 2, OP_SETITEM,
                    OP_SETITEMS);
    else
        batch_begin(f, B_SET, NULL, v->u.c.mut + a, b - a, 1, OP_ADDITEMS, OP_ADDITEMS);
    return 1;
}

/* One step of the top frame. */
static sw_status step(enc *e)
{
    size_t fi = e->nfr - 1;
    frame *f = &e->fr[fi];
    const sw_value *v = f->v;
    sw_status st;
    int done;
    size_t n = v->u.c.n;

    switch (f->op) {
    case F_TUPLE:
        /* save_tuple [#pickle.encode.memo]: memoized after its items; a
         * tuple that met itself is popped and fetched from the memo */
        if (f->phase == 0) {
            f->small = n <= 3 && e->proto >= 2;
            f->phase = 1;
            if (!f->small && (st = wr1(e, OP_MARK)) != SW_OK) return st;
        }
        if (f->i < n) return save(e, v->u.c.v[f->i++]);
        {
            const uint64_t *m = memo_get(e, v);
            e->nfr--;
            if (m) {
                uint64_t idx = *m;
                size_t k;
                if (f->small) {
                    for (k = 0; k < n; k++)
                        if ((st = wr1(e, OP_POP)) != SW_OK) return st;
                } else if (e->bin) {
                    if ((st = wr1(e, OP_POP_MARK)) != SW_OK) return st;
                } else {
                    for (k = 0; k <= n; k++)
                        if ((st = wr1(e, OP_POP)) != SW_OK) return st;
                }
                return save_get(e, idx);
            }
            if ((st = wr1(e, f->small ? (uint8_t)(OP_TUPLE1 + n - 1) : OP_TUPLE)) != SW_OK) return st;
            return memo_put(e, v);
        }
    case F_LIST:
        if (f->phase == 0) {
            f->phase = 1;
            if ((st = e->bin ? wr1(e, OP_EMPTY_LIST) : wr(e, "(l", 2)) != SW_OK) return st;
            if ((st = memo_put(e, v)) != SW_OK) return st;
            batch_begin(f, e->proto ? B_EXACT_LIST : B_ONE_BY_ONE, v->u.c.v, NULL, n, 1, OP_APPEND,
                        OP_APPENDS);
            if (n == 0) f->bphase = BP_DONE;
        }
        if ((st = batch_step(e, fi, &done)) != SW_OK || !done) return st;
        e->nfr--;
        return SW_OK;
    case F_DICT:
        if (f->phase == 0) {
            f->phase = 1;
            if ((st = e->bin ? wr1(e, OP_EMPTY_DICT) : wr(e, "(d", 2)) != SW_OK) return st;
            if ((st = memo_put(e, v)) != SW_OK) return st;
            batch_begin(f, e->proto ? B_EXACT_DICT : B_ONE_BY_ONE, v->u.c.v, NULL, n / 2, 2,
                        OP_SETITEM, OP_SETITEMS);
            if (n == 0) f->bphase = BP_DONE;
        }
        if ((st = batch_step(e, fi, &done)) != SW_OK || !done) return st;
        e->nfr--;
        return SW_OK;
    case F_SET:
        if (f->phase == 0) {
            f->phase = 1;
            if ((st = wr1(e, OP_EMPTY_SET)) != SW_OK) return st;
            if ((st = memo_put(e, v)) != SW_OK) return st;
            batch_begin(f, B_SET, v->u.c.v, NULL, n, 1, OP_ADDITEMS, OP_ADDITEMS);
            if (n == 0) f->bphase = BP_DONE;
        }
        if ((st = batch_step(e, fi, &done)) != SW_OK || !done) return st;
        e->nfr--;
        return SW_OK;
    case F_FROZENSET:
        /* save_frozenset, protocol 4+: MARK items FROZENSET */
        if (f->phase == 0) {
            f->phase = 1;
            if ((st = wr1(e, OP_MARK)) != SW_OK) return st;
        }
        if (f->i < n) return save(e, v->u.c.v[f->i++]);
        {
            const uint64_t *m = memo_get(e, v);
            e->nfr--;
            if (m) {
                uint64_t idx = *m;
                if ((st = wr1(e, OP_POP_MARK)) != SW_OK) return st;
                return save_get(e, idx);
            }
            if ((st = wr1(e, OP_FROZENSET)) != SW_OK) return st;
            return memo_put(e, v);
        }
    case F_SETREDUCE:
        /* protocol < 4: reduce(set or frozenset, ([items],)) */
        if (f->phase == 0) {
            f->phase = 1;
            if ((st = save_builtin_global(e, "builtins", v->kind == SW_K_SET ? "set" : "frozenset")) !=
                SW_OK)
                return st;
            boundary(e);
            if (e->proto < 2 && (st = wr1(e, OP_MARK)) != SW_OK) return st;
            boundary(e);
            if ((st = e->bin ? wr1(e, OP_EMPTY_LIST) : wr(e, "(l", 2)) != SW_OK) return st;
            if ((st = memo_put(e, NULL)) != SW_OK) return st;
            batch_begin(f, e->proto ? B_EXACT_LIST : B_ONE_BY_ONE, v->u.c.v, NULL, n, 1, OP_APPEND,
                        OP_APPENDS);
            if (n == 0) f->bphase = BP_DONE;
        }
        if ((st = batch_step(e, fi, &done)) != SW_OK || !done) return st;
        e->nfr--;
        if ((st = wr(e, e->proto >= 2 ? "\x85" : "t", 1)) != SW_OK) return st;
        if ((st = memo_put(e, NULL)) != SW_OK) return st;
        if ((st = wr1(e, OP_REDUCE)) != SW_OK) return st;
        return memo_or_refetch(e, v);
    case F_PERSID:
        /* save_pers: PERSID text (protocol 0, str pid) or pid BINPERSID */
        if (f->phase == 0) {
            const sw_value *pid = v->u.c.v[0];
            int text = !e->bin;
            if (use_hint(e, v, OP_PERSID)) text = 1;
            if (use_hint(e, v, OP_BINPERSID)) text = 0;
            if (text) {
                e->nfr--;
                if (pid && pid->kind == SW_K_STR && is_ascii(pid->u.s.p, pid->u.s.n) &&
                    !memchr(pid->u.s.p, '\n', pid->u.s.n)) {
                    if ((st = wr1(e, OP_PERSID)) != SW_OK) return st;
                    if ((st = wr(e, pid->u.s.p, pid->u.s.n)) != SW_OK) return st;
                    return wr1(e, '\n');
                }
                if (pid && pid->kind == SW_K_INT) return save_int_text(e, pid, OP_PERSID);
                return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER,
                             "persistent IDs in protocol 0 must be ASCII strings");
            }
            f->phase = 1;
            return save(e, pid);
        }
        e->nfr--;
        return wr1(e, OP_BINPERSID);
    case F_NAMEDTUPLE:
        /* pyspark.serializers._hack_namedtuple: reduce(_restore, (name, fields, tuple(self))) */
        if (f->phase == 0) {
            f->phase = 1;
            if ((st = save_builtin_global(e, "pyspark.serializers", "_restore")) != SW_OK) return st;
            boundary(e);
            if (e->proto < 2 && (st = wr1(e, OP_MARK)) != SW_OK) return st;
        }
        if (f->i < 3) return save(e, v->u.c.v[f->i++]);
        e->nfr--;
        if ((st = wr(e, e->proto >= 2 ? "\x87" : "t", 1)) != SW_OK) return st;
        if ((st = memo_put(e, NULL)) != SW_OK) return st;
        if ((st = wr1(e, OP_REDUCE)) != SW_OK) return st;
        return memo_or_refetch(e, v);
    case F_OBJ:
        return SW_OK; /* handled by step_obj */
    default:
        return efail(e, SW_E_STATE, SW_PYEXC_OTHER, "bad encoder frame");
    }
}

/* objects [#pickle.encode.symbolic]: construction as read (REDUCE, NEWOBJ,
 * NEWOBJ_EX, INST, OBJ), memo, then the mutations in order as save_reduce
 * writes listitems, dictitems and state */
enum { OB_BEGIN = 0, OB_ARGS, OB_MEMO, OB_RUNS, OB_BATCH, OB_BUILD_STATE, OB_SET_OBJ, OB_SET_STATE, OB_SET_END };

static sw_status step_obj(enc *e)
{
    size_t fi = e->nfr - 1;
    frame *f = &e->fr[fi];
    const sw_value *v = f->v;
    sw_status st;
    int done;
    size_t need = v->sub == SW_OBJ_NEWOBJ_EX ? 3 : 2;
    const sw_value *args;

    switch (f->phase) {
    case OB_BEGIN:
        if (v->u.c.n < need || !v->u.c.v[0] || !v->u.c.v[1])
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "obj node lacks callable or arguments");
        args = v->u.c.v[1];
        if (v->sub == SW_OBJ_INST || v->sub == SW_OBJ_OBJ) {
            if (args->kind != SW_K_TUPLE)
                return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "INST/OBJ arguments must be a tuple");
            if (v->sub == SW_OBJ_INST) {
                /* [#pickle.encode] checked before MARK is written, so
                 * payload_offset is the bytes before this node */
                const sw_value *g = v->u.c.v[0];
                if (g->kind != SW_K_GLOBAL) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "INST needs a global");
                if (g->u.c.n != 2 || g->u.c.v[0]->kind != SW_K_STR || g->u.c.v[1]->kind != SW_K_STR)
                    return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "INST global needs str names");
                /* [#pickle.globals] load_inst reads the names as ASCII */
                {
                    size_t j, h;
                    for (h = 0; h < 2; h++)
                        for (j = 0; j < g->u.c.v[h]->u.s.n; j++)
                            if (g->u.c.v[h]->u.s.p[j] >= 0x80)
                                return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "INST names must be ASCII");
                }
            }
            if ((st = wr1(e, OP_MARK)) != SW_OK) return st;
            f->phase = OB_ARGS;
            f->i = v->sub == SW_OBJ_INST ? 1 : 0; /* OBJ saves the class first */
            if (v->sub == SW_OBJ_OBJ) {
                f->i = 1;
                return save(e, v->u.c.v[0]);
            }
            return SW_OK;
        }
        if (v->sub != SW_OBJ_REDUCE && v->sub != SW_OBJ_NEWOBJ && v->sub != SW_OBJ_NEWOBJ_EX)
            return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "unknown obj form");
        f->phase = OB_ARGS;
        f->i = 1;
        return save(e, v->u.c.v[0]);
    case OB_ARGS:
        if (v->sub == SW_OBJ_INST || v->sub == SW_OBJ_OBJ) {
            args = v->u.c.v[1];
            if (f->i - 1 < args->u.c.n) return save(e, args->u.c.v[f->i++ - 1]);
            if (v->sub == SW_OBJ_INST) {
                const sw_value *g = v->u.c.v[0];
                const sw_value *mv = g->u.c.n == 2 ? g->u.c.v[0] : NULL, *nv = g->u.c.n == 2 ? g->u.c.v[1] : NULL;
                if (!mv || !nv || mv->kind != SW_K_STR || nv->kind != SW_K_STR)
                    return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "INST global needs str names");
                st = global_text(e, OP_INST, mv->u.s.p, mv->u.s.n, nv->u.s.p, nv->u.s.n);
            } else {
                st = wr1(e, OP_OBJ);
            }
            if (st != SW_OK) return st;
            f->phase = OB_MEMO;
            return SW_OK;
        }
        if (f->i < need) return save(e, v->u.c.v[f->i++]);
        st = wr1(e, v->sub == SW_OBJ_REDUCE ? OP_REDUCE : v->sub == SW_OBJ_NEWOBJ ? OP_NEWOBJ : OP_NEWOBJ_EX);
        if (st != SW_OK) return st;
        f->phase = OB_MEMO;
        return SW_OK;
    case OB_MEMO:
        /* the arguments reached the object itself, whose inner save wrote
         * its construction and its mutations: POP, GET from the memo, and
         * nothing more, as _pickle.c's save_reduce returns there (pickle.py
         * would write the list/dict items a second time)
         * [#pickle.encode.symbolic] */
        if (memo_get(e, v)) {
            e->nfr--;
            return memo_or_refetch(e, v);
        }
        if ((st = memo_or_refetch(e, v)) != SW_OK) return st;
        f->phase = OB_RUNS;
        f->i = 0;
        return SW_OK;
    case OB_RUNS: {
        int r = obj_next_run(e, f);
        if (r < 0) return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "unknown mutation of an obj node");
        if (r == 0) {
            e->nfr--;
            return SW_OK;
        }
        if (r == 2) {
            f->phase = OB_BUILD_STATE;
            return save(e, v->u.c.mut[f->i].a);
        }
        if (r == 3) {
            /* save_reduce with a state_setter: setter, obj, state, TUPLE2,
             * REDUCE, POP [#pickle.encode.symbolic] */
            if (!v->u.c.mut[f->i].b)
                return efail(e, SW_E_UNENCODABLE, SW_PYEXC_OTHER, "setstate mutation without a state");
            f->phase = OB_SET_OBJ;
            return save(e, v->u.c.mut[f->i].a);
        }
        f->phase = OB_BATCH;
        return SW_OK;
    }
    case OB_BATCH:
        if ((st = batch_step(e, fi, &done)) != SW_OK || !done) return st;
        e->fr[fi].phase = OB_RUNS;
        return SW_OK;
    case OB_BUILD_STATE:
        if ((st = wr1(e, OP_BUILD)) != SW_OK) return st;
        f->i++;
        f->phase = OB_RUNS;
        return SW_OK;
    case OB_SET_OBJ:
        f->phase = OB_SET_STATE;
        return save(e, v);
    case OB_SET_STATE:
        f->phase = OB_SET_END;
        return save(e, e->fr[fi].v->u.c.mut[e->fr[fi].i].b);
    case OB_SET_END:
        if ((st = wr1(e, OP_TUPLE2)) != SW_OK || (st = wr1(e, OP_REDUCE)) != SW_OK || (st = wr1(e, OP_POP)) != SW_OK)
            return st;
        e->fr[fi].i++;
        e->fr[fi].phase = OB_RUNS;
        return SW_OK;
    default:
        return efail(e, SW_E_STATE, SW_PYEXC_OTHER, "bad obj frame");
    }
}

void sw_pickle_enc_opts_default(sw_pickle_enc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->protocol = 5;
    o->use_hints = 1;
    sw_limits_default(&o->limits);
}

/* pickle.dumps(obj, protocol) [#pickle.encode] */
sw_status sw_pickle_encode(const sw_value *v, const sw_pickle_enc_opts *o, sw_buf *out, sw_error *err)
{
    enc e;
    sw_status st = SW_OK;
    sw_pickle_enc_opts def;
    if (err) sw_error_clear(err); /* [#errors.record] */
    if (!o) {
        sw_pickle_enc_opts_default(&def);
        o = &def;
    }
    if (!out || !v || o->protocol < -1 || o->protocol > 5)
        return SW_FAIL(err, SW_E_ARG, SW_LAYER_PICKLE, SW_PYEXC_VALUEERROR, 0, 0,
                       "bad argument (protocol must be -1..5)");
    memset(&e, 0, sizeof e);
    e.out = out;
    e.start = out->n;
    e.proto = o->protocol < 0 ? 5 : o->protocol;
    e.bin = e.proto >= 1;
    e.hints = o->use_hints;
    e.lim = o->limits;
    sw_limits_fill(&e.lim);
    e.frame_start = NO_FRAME;
    e.err = err;
    e.al = out->al;
    sw_ptrmap_init(&e.memo, e.al);
    if (v->kind == SW_K_LIST || v->kind == SW_K_TUPLE) e.memo_guess = 2 * v->u.c.n;

    if (e.proto >= 2) {
        uint8_t h[2];
        h[0] = OP_PROTO;
        h[1] = (uint8_t)e.proto;
        st = wr(&e, h, 2);
        /* [#pickle.encode.frame] framing from protocol 4 */
        if (e.proto >= 4) e.framing = 1;
    }
    if (st == SW_OK) st = save(&e, v);
    while (st == SW_OK && e.nfr > 0) st = e.fr[e.nfr - 1].op == F_OBJ ? step_obj(&e) : step(&e);
    if (st == SW_OK) st = wr1(&e, OP_STOP);
    if (st == SW_OK) commit_frame(&e);

    sw_ptrmap_free(&e.memo);
    sw__free(e.al, e.vm.k, e.vm.cap * sizeof *e.vm.k);
    sw__free(e.al, e.fr, e.capfr * sizeof *e.fr);
    if (st != SW_OK) out->n = e.start;
    return st;
}

/* The marshal codec [#marshal]: CPython 3.11's Python/marshal.c, versions
 * 0-4, on an explicit stack. FLAG_REF bits and type codes are kept as hints
 * so CPython's bytes can be written again. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal/common.h"

#define FLAG_REF 0x80
#define MAX_MARSHAL_STACK_DEPTH 2000

void sw_marshal_opts_default(sw_marshal_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = SW_MODE_PYSPARK;
    o->allow_code = 1;
}

void sw_marshal_enc_opts_default(sw_marshal_enc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->version = -1;
    o->use_hints = 1;
    sw_limits_default(&o->limits);
}

/* code object fields in 3.11 order: 'I' an int32 read inline, 'O' an object */
static const char code_fields[] = "IIIIIOOOOOOOOIOO";
#define CODE_NFIELDS 16

/* ---- decoder ---- */

typedef struct mframe {
    sw_value *v;       /* container being filled */
    uint8_t type;      /* type code without FLAG_REF */
    int64_t left;      /* items still to read (dict: -1 = until NULL) */
    int64_t ref;       /* reserved ref index or -1 */
    size_t field;      /* code: next field */
    sw_value *key;     /* dict: key waiting for its value */
    sw_vset *keys;     /* dict/set: Python key merging */
} mframe;

typedef struct mu {
    sw_arena *ar;
    const sw_marshal_opts *o;
    const sw_limits *lim;
    const sw_alloc *al;
    sw_cursor c;
    sw_error *err;
    size_t at;         /* offset of the type code being read */
    sw_value **refs;
    size_t nrefs, caprefs;
    mframe *fr;
    size_t nfr, capfr;
} mu;

#define FAILM(u, st, exc, msg) SW_FAIL((u)->err, (st), SW_LAYER_MARSHAL, (exc), (u)->at, (u)->at, (msg))

static sw_status eof(mu *u)
{
    /* [#marshal.errors] both truncation forms are EOFError in CPython */
    return FAILM(u, SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, "marshal data too short");
}

static sw_status bad(mu *u, const char *msg) { return FAILM(u, SW_E_MALFORMED, SW_PYEXC_VALUEERROR, msg); }

static sw_status moom(mu *u)
{
    sw_status st = sw_arena_status(u->ar);
    if (st == SW_OK) st = SW_E_NOMEM;
    return FAILM(u, st, st == SW_E_NOMEM ? SW_PYEXC_MEMORYERROR : SW_PYEXC_NONE, "out of memory or over a limit");
}

static int rd(mu *u, size_t n, const uint8_t **p)
{
    *p = sw_cur_take(&u->c, n);
    return *p != NULL;
}

static int32_t le32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static sw_status ref_add(mu *u, sw_value *v, int64_t *idx)
{
    if (u->nrefs == u->caprefs) {
        size_t nc = u->caprefs ? u->caprefs * 2 : 64;
        sw_value **nr = (sw_value **)sw__realloc(u->al, u->refs, u->caprefs * sizeof *nr, nc * sizeof *nr);
        if (!nr) return FAILM(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
        u->refs = nr;
        u->caprefs = nc;
    }
    if (u->nrefs >= u->lim->max_memo)
        return FAILM(u, SW_E_LIMIT_MEMO, SW_PYEXC_NONE, "more marshal refs than max_memo");
    if (idx) *idx = (int64_t)u->nrefs;
    u->refs[u->nrefs++] = v;
    return SW_OK;
}

static sw_status key_fail(mu *u, sw_status st)
{
    if (st == SW_E_UNHASHABLE) return FAILM(u, st, SW_PYEXC_TYPEERROR, "unhashable type");
    if (st == SW_E_DUP_KEY) return FAILM(u, st, SW_PYEXC_NONE, "equal keys (Python keeps one)");
    if (st == SW_E_LIMIT_DEPTH) return FAILM(u, st, SW_PYEXC_RECURSIONERROR, "key too deep to hash");
    return FAILM(u, st, SW_PYEXC_MEMORYERROR, "out of memory");
}

static sw_value *latin1(mu *u, const uint8_t *p, size_t n)
{
    size_t i, k = 0;
    uint8_t *q = (uint8_t *)sw_arena_mem(u->ar, 2 * n + 1);
    sw_value *v;
    if (!q) return NULL;
    for (i = 0; i < n; i++) k += sw_utf8_encode1(p[i], q + k);
    v = sw_v_strlike_borrow(u->ar, SW_K_STR, q, k);
    if (v) v->flags &= (uint8_t)~SW_VF_BORROWED;
    return v;
}

static sw_status float_text(mu *u, const uint8_t *p, size_t n, double *d)
{
    char buf[260], *end;
    size_t i;
    memcpy(buf, p, n);
    buf[n] = 0;
    for (i = 0; i < n; i++)
        if (buf[i] == 'x' || buf[i] == 'X' || buf[i] == 0)
            return FAILM(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "could not convert string to float");
    errno = 0;
    *d = strtod(buf, &end);
    if (end == buf || *end) return FAILM(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "could not convert string to float");
    return SW_OK;
}

static sw_status push_frame(mu *u, sw_value *v, uint8_t type, int64_t left, int64_t ref)
{
    mframe *f;
    /* [#marshal.depth] CPython's MAX_MARSHAL_STACK_DEPTH and our max_depth */
    if (u->nfr >= MAX_MARSHAL_STACK_DEPTH - 1 || u->nfr >= u->lim->max_depth)
        return FAILM(u, u->nfr >= u->lim->max_depth ? SW_E_LIMIT_DEPTH : SW_E_MALFORMED, SW_PYEXC_VALUEERROR,
                     "recursion limit exceeded");
    if (u->nfr == u->capfr) {
        size_t nc = u->capfr ? u->capfr * 2 : 32;
        mframe *nf = (mframe *)sw__realloc(u->al, u->fr, u->capfr * sizeof *nf, nc * sizeof *nf);
        if (!nf) return FAILM(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
        u->fr = nf;
        u->capfr = nc;
    }
    f = &u->fr[u->nfr++];
    memset(f, 0, sizeof *f);
    f->v = v;
    f->type = type;
    f->left = left;
    f->ref = ref;
    return SW_OK;
}

static void drop_frame(mu *u)
{
    mframe *f = &u->fr[--u->nfr];
    if (f->keys) {
        sw_vset_free(f->keys);
        sw__free(u->al, f->keys, sizeof *f->keys);
    }
}

/* Read one type code: a leaf sets *leaf; a container pushes a frame and
 * sets *leaf NULL. *null is set for TYPE_NULL. */
static sw_status read_one(mu *u, sw_value **leaf, int *null)
{
    const uint8_t *p;
    uint8_t code, type;
    int flag;
    sw_value *v = NULL;
    int64_t n;
    sw_status st;
    *leaf = NULL;
    *null = 0;
    u->at = u->c.pos;
    if (!rd(u, 1, &p)) return FAILM(u, SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, "EOF read where object expected");
    code = p[0];
    type = code & (uint8_t)~FLAG_REF;
    flag = (code & FLAG_REF) != 0;
    switch (type) {
    case '0':
        *null = 1;
        return SW_OK;
    case 'N': v = sw_v_none(u->ar); break;
    case 'F': v = sw_v_bool(u->ar, 0); break;
    case 'T': v = sw_v_bool(u->ar, 1); break;
    case 'S': v = sw_v_new(u->ar, SW_K_STOPITER); break;
    case '.': v = sw_v_new(u->ar, SW_K_ELLIPSIS); break;
    case 'i':
        if (!rd(u, 4, &p)) return eof(u);
        v = sw_v_int(u->ar, le32(p));
        break;
    case 'I': /* TYPE_INT64, still read by 3.11 */
        if (!rd(u, 8, &p)) return eof(u);
        {
            uint64_t x = 0;
            int i;
            for (i = 7; i >= 0; i--) x = (x << 8) | p[i];
            v = sw_v_int(u->ar, (int64_t)x);
        }
        break;
    case 'l': {
        int32_t sz;
        int64_t nd, i;
        uint8_t *mag;
        size_t nbits = 0, nb;
        if (!rd(u, 4, &p)) return eof(u);
        sz = le32(p);
        nd = sz < 0 ? -(int64_t)sz : sz;
        if (nd > (int64_t)(SIZE_MAX / 2) || (uint64_t)nd * 2 > sw_cur_left(&u->c)) {
            if (nd > 0x7fffffffLL / 15) return bad(u, "bad marshal data (long size out of range)");
            return eof(u);
        }
        if (!rd(u, (size_t)nd * 2, &p)) return eof(u);
        nb = (size_t)nd * 15 / 8 + 2;
        mag = (uint8_t *)sw_arena_mem(u->ar, nb);
        if (!mag) return moom(u);
        memset(mag, 0, nb);
        for (i = 0; i < nd; i++) {
            unsigned d = (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
            int b;
            if (d > 0x7fff) return bad(u, "bad marshal data (digit out of range in long)");
            if (i == nd - 1 && d == 0) return bad(u, "bad marshal data (unnormalized long data)");
            for (b = 0; b < 15; b++, nbits++)
                if (d >> b & 1) mag[nbits / 8] |= (uint8_t)(1u << (nbits % 8));
        }
        v = sw_v_int_mag(u->ar, sz < 0, mag, nb);
        break;
    }
    case 'f': case 'x': {
        double d[2];
        int k, parts = type == 'x' ? 2 : 1;
        for (k = 0; k < parts; k++) {
            if (!rd(u, 1, &p)) return eof(u);
            n = p[0];
            if (!rd(u, (size_t)n, &p)) return eof(u);
            if ((st = float_text(u, p, (size_t)n, &d[k])) != SW_OK) return st;
        }
        v = parts == 1 ? sw_v_float(u->ar, d[0]) : sw_v_complex(u->ar, d[0], d[1]);
        break;
    }
    case 'g': case 'y': {
        double d[2];
        int k, parts = type == 'y' ? 2 : 1;
        for (k = 0; k < parts; k++) {
            uint64_t bits = 0;
            int i;
            if (!rd(u, 8, &p)) return eof(u);
            for (i = 7; i >= 0; i--) bits = (bits << 8) | p[i];
            memcpy(&d[k], &bits, sizeof(double));
        }
        v = parts == 1 ? sw_v_float(u->ar, d[0]) : sw_v_complex(u->ar, d[0], d[1]);
        break;
    }
    case 's': case 't': case 'u': case 'a': case 'A': case 'z': case 'Z': {
        size_t bad_at;
        if (type == 'z' || type == 'Z') {
            if (!rd(u, 1, &p)) return eof(u);
            n = p[0];
        } else {
            if (!rd(u, 4, &p)) return eof(u);
            n = le32(p);
            if (n < 0)
                return bad(u, type == 's' ? "bad marshal data (bytes object size out of range)"
                                          : "bad marshal data (string size out of range)");
        }
        if ((uint64_t)n > sw_cur_left(&u->c)) return eof(u);
        rd(u, (size_t)n, &p);
        if (type == 's') {
            v = sw_v_strlike(u->ar, SW_K_BYTES, p, (size_t)n);
        } else if (type == 't' || type == 'u') {
            if (!sw_utf8_valid_surrogatepass(p, (size_t)n, &bad_at))
                return FAILM(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'utf-8' codec can't decode bytes");
            v = sw_v_strlike(u->ar, SW_K_STR, p, (size_t)n);
        } else {
            v = latin1(u, p, (size_t)n); /* the ASCII forms are read as Latin-1 */
        }
        if (v && (type == 't' || type == 'A' || type == 'Z')) v->flags |= SW_VF_INTERNED;
        break;
    }
    case '(': case ')': case '[': case '<': case '>': {
        sw_kind k = type == '[' ? SW_K_LIST : type == '<' ? SW_K_SET : type == '>' ? SW_K_FROZENSET : SW_K_TUPLE;
        int64_t ref = -1;
        if (type == ')') {
            if (!rd(u, 1, &p)) return eof(u);
            n = p[0];
        } else {
            if (!rd(u, 4, &p)) return eof(u);
            n = le32(p);
            if (n < 0) return bad(u, "bad marshal data (tuple size out of range)");
        }
        /* each item takes at least one byte: never size by an untrusted count */
        if ((uint64_t)n > sw_cur_left(&u->c)) return eof(u);
        v = sw_v_container(u->ar, k, (size_t)n);
        if (!v) return moom(u);
        v->hint = code;
        if (flag) {
            v->flags |= SW_VF_MARSHAL_REF;
            if ((st = ref_add(u, v, &ref)) != SW_OK) return st;
        }
        if ((st = push_frame(u, v, type, n, ref)) != SW_OK) return st;
        return SW_OK;
    }
    case '{': {
        int64_t ref = -1;
        v = sw_v_container(u->ar, SW_K_DICT, 0);
        if (!v) return moom(u);
        v->hint = code;
        if (flag) {
            v->flags |= SW_VF_MARSHAL_REF;
            if ((st = ref_add(u, v, &ref)) != SW_OK) return st;
        }
        return push_frame(u, v, type, -1, ref);
    }
    case 'c': {
        int64_t ref = -1;
        /* [#marshal.code] */
        if (!u->o->allow_code || u->o->mode == SW_MODE_STRICT)
            return FAILM(u, SW_E_UNSUPPORTED_CODE, SW_PYEXC_NONE, "marshal code object");
        v = sw_v_container(u->ar, SW_K_CODE, CODE_NFIELDS);
        if (!v) return moom(u);
        v->hint = code;
        if (flag) {
            v->flags |= SW_VF_MARSHAL_REF;
            if ((st = ref_add(u, v, &ref)) != SW_OK) return st;
        }
        return push_frame(u, v, type, CODE_NFIELDS, ref);
    }
    case 'r': {
        uint32_t idx;
        if (!rd(u, 4, &p)) return eof(u);
        idx = (uint32_t)le32(p);
        if (idx >= u->nrefs) return bad(u, "bad marshal data (invalid reference)");
        *leaf = u->refs[idx];
        return SW_OK;
    }
    default:
        return bad(u, "bad marshal data (unknown type code)");
    }
    if (!v) return moom(u);
    v->hint = code;
    if (flag) {
        v->flags |= SW_VF_MARSHAL_REF;
        if ((st = ref_add(u, v, NULL)) != SW_OK) return st;
    }
    *leaf = v;
    return SW_OK;
}

/* add a finished value to the top frame; returns 1 when the frame is full */
static sw_status attach(mu *u, sw_value *x, int null, int *full)
{
    mframe *f = &u->fr[u->nfr - 1];
    sw_status st;
    int found;
    size_t idx;
    *full = 0;
    if (f->type == '{') {
        if (null) {
            /* NULL ends the dict, in key or value place */
            *full = 1;
            return SW_OK;
        }
        if (!f->key) {
            f->key = x;
            return SW_OK;
        }
        if (!f->keys) {
            f->keys = (sw_vset *)sw__malloc(u->al, sizeof *f->keys);
            if (!f->keys) return FAILM(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
            sw_vset_init(f->keys, u->al, u->lim->max_depth);
        }
        /* [#marshal.keys] */
        st = sw_vset_add(f->keys, f->key, f->v->u.c.n, &found, &idx);
        if (st != SW_OK) return key_fail(u, st);
        if (found) {
            if (u->o->mode == SW_MODE_STRICT) return key_fail(u, SW_E_DUP_KEY);
            f->v->u.c.v[idx + 1] = x;
        } else if (sw_v_push(u->ar, f->v, f->key) != SW_OK || sw_v_push(u->ar, f->v, x) != SW_OK) {
            return moom(u);
        }
        f->key = NULL;
        return SW_OK;
    }
    if (null) return FAILM(u, SW_E_MALFORMED, SW_PYEXC_TYPEERROR, "NULL object in marshal data");
    if (f->type == '<' || f->type == '>') {
        if (!f->keys) {
            f->keys = (sw_vset *)sw__malloc(u->al, sizeof *f->keys);
            if (!f->keys) return FAILM(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
            sw_vset_init(f->keys, u->al, u->lim->max_depth);
        }
        st = sw_vset_add(f->keys, x, f->v->u.c.n, &found, &idx);
        if (st != SW_OK) return key_fail(u, st);
        if (found && u->o->mode == SW_MODE_STRICT) return key_fail(u, SW_E_DUP_KEY);
        if (!found && sw_v_push(u->ar, f->v, x) != SW_OK) return moom(u);
    } else if (sw_v_push(u->ar, f->v, x) != SW_OK) {
        return moom(u);
    }
    if (f->type == 'c') f->field++;
    if (--f->left == 0) *full = 1;
    return SW_OK;
}

sw_status sw_marshal_decode(sw_arena *ar, const uint8_t *p, size_t n, const sw_marshal_opts *o, sw_value **out,
                            size_t *consumed, sw_error *err)
{
    mu u;
    sw_marshal_opts def;
    sw_status st = SW_OK;
    sw_value *result = NULL;
    if (!ar || !out || (!p && n)) return SW_E_ARG;
    *out = NULL;
    if (!o) {
        sw_marshal_opts_default(&def);
        o = &def;
    }
    if (o->py2)
        return SW_FAIL(err, SW_E_UNSUPPORTED, SW_LAYER_MARSHAL, SW_PYEXC_NONE, 0, 0,
                       "the Python 2 marshal dialect is not implemented");
    memset(&u, 0, sizeof u);
    u.ar = ar;
    u.o = o;
    u.lim = sw_arena_limits(ar);
    u.al = sw_arena_alloc(ar);
    u.err = err;
    sw_cur_init(&u.c, p ? p : (const uint8_t *)"", n);
    for (;;) {
        sw_value *x = NULL;
        int null = 0, full = 0;
        /* code objects: int fields are read inline before the next object */
        while (u.nfr && u.fr[u.nfr - 1].type == 'c' && u.fr[u.nfr - 1].left > 0 &&
               code_fields[u.fr[u.nfr - 1].field] == 'I') {
            const uint8_t *q;
            sw_value *iv;
            u.at = u.c.pos;
            if (!rd(&u, 4, &q)) {
                st = eof(&u);
                goto done;
            }
            iv = sw_v_int(ar, le32(q));
            if (!iv) {
                st = moom(&u);
                goto done;
            }
            if ((st = attach(&u, iv, 0, &full)) != SW_OK) goto done;
            if (full) break;
        }
        if (!full) {
            size_t before = u.nfr;
            if (u.nfr && u.fr[u.nfr - 1].left == 0 && u.fr[u.nfr - 1].type != '{') {
                full = 1; /* an empty container */
            } else {
                st = read_one(&u, &x, &null);
                if (st != SW_OK) goto done;
                if (u.nfr > before) continue; /* a container opened */
                if (u.nfr == 0) {
                    if (null) {
                        st = FAILM(&u, SW_E_MALFORMED, SW_PYEXC_TYPEERROR, "NULL object in marshal data for object");
                        goto done;
                    }
                    result = x;
                    break;
                }
                if ((st = attach(&u, x, null, &full)) != SW_OK) goto done;
            }
        }
        /* close every full frame, passing each value up */
        while (full) {
            sw_value *done_v = u.fr[u.nfr - 1].v;
            drop_frame(&u);
            if (u.nfr == 0) {
                result = done_v;
                break;
            }
            if ((st = attach(&u, done_v, 0, &full)) != SW_OK) goto done;
        }
        if (result) break;
    }
done:
    while (u.nfr) drop_frame(&u);
    sw__free(u.al, u.fr, u.capfr * sizeof *u.fr);
    sw__free(u.al, u.refs, u.caprefs * sizeof *u.refs);
    if (st != SW_OK) return st;
    *out = result;
    if (consumed) *consumed = u.c.pos;
    return SW_OK;
}

/* ---- encoder [#marshal.encode] ---- */

typedef struct menc {
    sw_buf *out;
    int version, hints;
    sw_ptrmap seen;    /* node -> ref index + 1 */
    sw_ptrmap count;   /* fresh graphs: node -> times reached */
    uint64_t nrefs;
    uint32_t depth, max_depth;
    sw_error *err;
    size_t start;
} menc;

static sw_status put_le32(sw_buf *b, int32_t v)
{
    uint8_t q[4];
    uint32_t x = (uint32_t)v;
    q[0] = (uint8_t)x;
    q[1] = (uint8_t)(x >> 8);
    q[2] = (uint8_t)(x >> 16);
    q[3] = (uint8_t)(x >> 24);
    return sw_buf_put(b, q, 4);
}

static sw_status put_double(sw_buf *b, double d)
{
    uint64_t bits;
    uint8_t q[8];
    int i;
    memcpy(&bits, &d, sizeof bits);
    for (i = 0; i < 8; i++) q[i] = (uint8_t)(bits >> (8 * i));
    return sw_buf_put(b, q, 8);
}

static sw_status put_float_text(sw_buf *b, double d)
{
    char t[64];
    int k;
    /* PyOS_double_to_string(v, 'g', 17, 0) */
    if (isnan(d)) k = snprintf(t, sizeof t, "%s", signbit(d) ? "-nan" : "nan");
    else if (isinf(d)) k = snprintf(t, sizeof t, "%s", d < 0 ? "-inf" : "inf");
    else k = snprintf(t, sizeof t, "%.17g", d);
    if (sw_buf_putc(b, (uint8_t)k) != SW_OK) return SW_E_NOMEM;
    return sw_buf_put(b, t, (size_t)k);
}

static int is_ascii(const sw_value *v)
{
    size_t i;
    for (i = 0; i < v->u.s.n; i++)
        if (v->u.s.p[i] >= 0x80) return 0;
    return 1;
}

static sw_status menc_fail(menc *e, sw_status st, const char *msg)
{
    return SW_FAIL(e->err, st, SW_LAYER_MARSHAL, st == SW_E_UNENCODABLE ? SW_PYEXC_VALUEERROR : SW_PYEXC_NONE,
                   e->out->n - e->start, e->out->n - e->start, msg);
}

/* the FLAG_REF decision [#marshal.encode.refs] */
static int wants_ref(menc *e, const sw_value *v)
{
    /* singletons are written before w_ref: never FLAG_REF */
    if (e->version < 3 || v->kind == SW_K_NONE || v->kind == SW_K_BOOL || v->kind == SW_K_ELLIPSIS ||
        v->kind == SW_K_STOPITER)
        return 0;
    if (e->hints && v->hint) return (v->flags & SW_VF_MARSHAL_REF) != 0;
    {
        uint64_t *c = sw_ptrmap_get(&e->count, v);
        return c && *c > 1;
    }
}

typedef struct wfr {
    const sw_value *v;
    size_t i;
} wfr;

static sw_status w_leaf_or_open(menc *e, const sw_value *v, int *opened)
{
    sw_buf *b = e->out;
    uint64_t *seen;
    uint8_t flag = 0, code;
    sw_status st = SW_OK;
    *opened = 0;
    if (e->version >= 3 && v->kind != SW_K_NONE && v->kind != SW_K_BOOL && (seen = sw_ptrmap_get(&e->seen, v)) != NULL) {
        /* 'r' to a node written with FLAG_REF */
        if ((st = sw_buf_putc(b, 'r')) != SW_OK) return st;
        return put_le32(b, (int32_t)(*seen - 1));
    }
    if (wants_ref(e, v)) {
        flag = FLAG_REF;
        if ((st = sw_ptrmap_put(&e->seen, v, ++e->nrefs)) != SW_OK) return st;
    }
    switch (v->kind) {
    case SW_K_NONE: return sw_buf_putc(b, (uint8_t)('N' | flag));
    case SW_K_BOOL: return sw_buf_putc(b, (uint8_t)((v->u.b ? 'T' : 'F') | flag));
    case SW_K_STOPITER: return sw_buf_putc(b, (uint8_t)('S' | flag));
    case SW_K_ELLIPSIS: return sw_buf_putc(b, (uint8_t)('.' | flag));
    case SW_K_INT:
        if (!(v->flags & SW_VF_BIG) && v->u.i >= INT32_MIN && v->u.i <= INT32_MAX) {
            if ((st = sw_buf_putc(b, (uint8_t)('i' | flag))) != SW_OK) return st;
            return put_le32(b, (int32_t)v->u.i);
        } else {
            /* 15-bit digits, sign in the count */
            uint8_t small[9];
            const uint8_t *mag;
            size_t nbytes, nbits, nd, i;
            int neg;
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
            if (nd > INT32_MAX) return menc_fail(e, SW_E_UNENCODABLE, "int too large");
            if ((st = sw_buf_putc(b, (uint8_t)('l' | flag))) != SW_OK) return st;
            if ((st = put_le32(b, neg ? -(int32_t)nd : (int32_t)nd)) != SW_OK) return st;
            for (i = 0; i < nd; i++) {
                unsigned d = 0, k;
                for (k = 0; k < 15; k++) {
                    size_t bit = i * 15 + k;
                    if (bit / 8 < nbytes && (mag[bit / 8] >> (bit % 8) & 1)) d |= 1u << k;
                }
                if ((st = sw_buf_putc(b, (uint8_t)d)) != SW_OK || (st = sw_buf_putc(b, (uint8_t)(d >> 8))) != SW_OK)
                    return st;
            }
            return SW_OK;
        }
    case SW_K_FLOAT:
        if (e->version > 1) {
            if ((st = sw_buf_putc(b, (uint8_t)('g' | flag))) != SW_OK) return st;
            return put_double(b, v->u.f);
        }
        if ((st = sw_buf_putc(b, (uint8_t)('f' | flag))) != SW_OK) return st;
        return put_float_text(b, v->u.f);
    case SW_K_COMPLEX:
        if (e->version > 1) {
            if ((st = sw_buf_putc(b, (uint8_t)('y' | flag))) != SW_OK) return st;
            if ((st = put_double(b, v->u.cx.re)) != SW_OK) return st;
            return put_double(b, v->u.cx.im);
        }
        if ((st = sw_buf_putc(b, (uint8_t)('x' | flag))) != SW_OK) return st;
        if ((st = put_float_text(b, v->u.cx.re)) != SW_OK) return st;
        return put_float_text(b, v->u.cx.im);
    case SW_K_BYTES: case SW_K_BYTEARRAY:
        if (v->u.s.n > INT32_MAX) return menc_fail(e, SW_E_UNENCODABLE, "bytes too large");
        if ((st = sw_buf_putc(b, (uint8_t)('s' | flag))) != SW_OK) return st;
        if ((st = put_le32(b, (int32_t)v->u.s.n)) != SW_OK) return st;
        return sw_buf_put(b, v->u.s.p, v->u.s.n);
    case SW_K_STR: {
        int interned = (v->flags & SW_VF_INTERNED) != 0;
        if (e->version >= 4 && is_ascii(v)) {
            if (v->u.s.n < 256) {
                code = interned ? 'Z' : 'z';
                if ((st = sw_buf_putc(b, (uint8_t)(code | flag))) != SW_OK) return st;
                if ((st = sw_buf_putc(b, (uint8_t)v->u.s.n)) != SW_OK) return st;
            } else {
                code = interned ? 'A' : 'a';
                if ((st = sw_buf_putc(b, (uint8_t)(code | flag))) != SW_OK) return st;
                if ((st = put_le32(b, (int32_t)v->u.s.n)) != SW_OK) return st;
            }
        } else {
            code = (e->version >= 3 && interned) ? 't' : 'u';
            if (v->u.s.n > INT32_MAX) return menc_fail(e, SW_E_UNENCODABLE, "str too large");
            if ((st = sw_buf_putc(b, (uint8_t)(code | flag))) != SW_OK) return st;
            if ((st = put_le32(b, (int32_t)v->u.s.n)) != SW_OK) return st;
        }
        return sw_buf_put(b, v->u.s.p, v->u.s.n);
    }
    case SW_K_TUPLE: case SW_K_LIST: case SW_K_SET: case SW_K_FROZENSET: case SW_K_DICT: case SW_K_CODE:
        if (v->kind == SW_K_TUPLE) {
            if (e->version >= 4 && v->u.c.n < 256) {
                if ((st = sw_buf_putc(b, (uint8_t)(')' | flag))) != SW_OK) return st;
                if ((st = sw_buf_putc(b, (uint8_t)v->u.c.n)) != SW_OK) return st;
            } else {
                if ((st = sw_buf_putc(b, (uint8_t)('(' | flag))) != SW_OK) return st;
                if ((st = put_le32(b, (int32_t)v->u.c.n)) != SW_OK) return st;
            }
        } else if (v->kind == SW_K_DICT) {
            if ((st = sw_buf_putc(b, (uint8_t)('{' | flag))) != SW_OK) return st;
        } else if (v->kind == SW_K_CODE) {
            if (v->u.c.n != CODE_NFIELDS) return menc_fail(e, SW_E_UNENCODABLE, "code object with a wrong field count");
            if ((st = sw_buf_putc(b, (uint8_t)('c' | flag))) != SW_OK) return st;
        } else {
            code = v->kind == SW_K_LIST ? '[' : v->kind == SW_K_SET ? '<' : '>';
            if ((st = sw_buf_putc(b, (uint8_t)(code | flag))) != SW_OK) return st;
            if ((st = put_le32(b, (int32_t)v->u.c.n)) != SW_OK) return st;
        }
        *opened = 1;
        return SW_OK;
    default:
        return menc_fail(e, SW_E_UNENCODABLE, "unmarshallable object");
    }
}

/* count how often each node is reached (fresh graphs choose FLAG_REF by it) */
static sw_status count_refs(menc *e, const sw_value *root, const sw_alloc *al)
{
    const sw_value **stk;
    size_t n = 0, cap = 64;
    sw_status st = SW_OK;
    stk = (const sw_value **)sw__malloc(al, cap * sizeof *stk);
    if (!stk) return SW_E_NOMEM;
    stk[n++] = root;
    while (n && st == SW_OK) {
        const sw_value *v = stk[--n];
        uint64_t *c = sw_ptrmap_get(&e->count, v);
        size_t i, nc;
        if (c) {
            (*c)++;
            continue;
        }
        if ((st = sw_ptrmap_put(&e->count, v, 1)) != SW_OK) break;
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

sw_status sw_marshal_encode(const sw_value *v, const sw_marshal_enc_opts *o, sw_buf *out, sw_error *err)
{
    menc e;
    sw_marshal_enc_opts def;
    wfr *stk;
    size_t n = 0, cap = 64;
    sw_status st = SW_OK;
    const sw_alloc *al;
    int opened;
    if (!v || !out) return SW_E_ARG;
    if (!o) {
        sw_marshal_enc_opts_default(&def);
        o = &def;
    }
    if (o->version < -1 || o->version > 4) return SW_E_ARG;
    if (o->py2)
        return SW_FAIL(err, SW_E_UNSUPPORTED, SW_LAYER_MARSHAL, SW_PYEXC_NONE, 0, 0,
                       "the Python 2 marshal dialect is not implemented");
    al = out->al;
    memset(&e, 0, sizeof e);
    e.out = out;
    e.version = o->version < 0 ? 4 : o->version;
    e.hints = o->use_hints;
    e.err = err;
    e.start = out->n;
    e.max_depth = o->limits.max_depth ? o->limits.max_depth : SW_DEFAULT_MAX_DEPTH;
    if (e.max_depth > MAX_MARSHAL_STACK_DEPTH) e.max_depth = MAX_MARSHAL_STACK_DEPTH;
    sw_ptrmap_init(&e.seen, al);
    sw_ptrmap_init(&e.count, al);
    stk = (wfr *)sw__malloc(al, cap * sizeof *stk);
    if (!stk) return SW_E_NOMEM;
    if (e.version >= 3 && (st = count_refs(&e, v, al)) != SW_OK) goto done;
    if ((st = w_leaf_or_open(&e, v, &opened)) != SW_OK) goto done;
    if (opened) {
        stk[n].v = v;
        stk[n].i = 0;
        n++;
    }
    while (n && st == SW_OK) {
        wfr *f = &stk[n - 1];
        const sw_value *c;
        if (f->v->kind == SW_K_CODE && f->i < CODE_NFIELDS && code_fields[f->i] == 'I') {
            const sw_value *iv = f->v->u.c.v[f->i++];
            if (iv->kind != SW_K_INT || (iv->flags & SW_VF_BIG) || iv->u.i < INT32_MIN || iv->u.i > INT32_MAX) {
                st = menc_fail(&e, SW_E_UNENCODABLE, "code object int field out of range");
                break;
            }
            st = put_le32(out, (int32_t)iv->u.i);
            continue;
        }
        if (f->i >= f->v->u.c.n) {
            if (f->v->kind == SW_K_DICT) st = sw_buf_putc(out, '0');
            n--;
            continue;
        }
        c = f->v->u.c.v[f->i++];
        if (e.version < 3) {
            /* no refs below version 3: a cycle would never end */
            size_t k;
            for (k = 0; k < n; k++)
                if (stk[k].v == c) {
                    st = menc_fail(&e, SW_E_UNENCODABLE, "a cycle cannot be marshalled below version 3");
                    break;
                }
            if (st != SW_OK) break;
        }
        if ((st = w_leaf_or_open(&e, c, &opened)) != SW_OK) break;
        if (opened) {
            /* [#marshal.depth] */
            if (n + 1 >= e.max_depth) {
                st = menc_fail(&e, SW_E_LIMIT_DEPTH, "object too deeply nested to marshal");
                break;
            }
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
done:
    if (st != SW_OK) {
        if (err && err->status != st) menc_fail(&e, st, "marshal encoding failed");
        out->n = e.start;
    }
    sw__free(al, stk, cap * sizeof *stk);
    sw_ptrmap_free(&e.seen);
    sw_ptrmap_free(&e.count);
    return st;
}

/* ---- dis [#marshal.dis]: decode, then list the type codes ---- */

sw_status sw_marshal_dis(const uint8_t *p, size_t n, uint64_t base, const char *indent, const sw_marshal_opts *o,
                         sw_buf *out, sw_error *err)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v = NULL;
    size_t used = 0;
    sw_status st;
    sw_buf t;
    if (!ar) return SW_E_NOMEM;
    st = sw_marshal_decode(ar, p, n, o, &v, &used, err);
    sw_buf_init(&t, NULL);
    if (st == SW_OK) {
        sw_notation_print(v, &t, 0, NULL);
        sw_buf_printf(out, "%s%llu: marshal, %zu bytes, first type code '%c'%s: %.*s\n", indent ? indent : "",
                      (unsigned long long)base, used, n ? (p[0] & 0x7f) : '?', n && (p[0] & FLAG_REF) ? " (REF)" : "",
                      (int)(t.n > 300 ? 300 : t.n), t.p ? (const char *)t.p : "");
    } else if (err) {
        sw_buf_printf(out, "%s%llu: marshal error at +%llu: %s\n", indent ? indent : "", (unsigned long long)base,
                      (unsigned long long)err->payload_offset, err->msg);
    }
    sw_buf_free(&t);
    sw_arena_free(ar);
    return st;
}

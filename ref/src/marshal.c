/* The marshal decoder and its listing [#marshal]: CPython 3.11's
 * Python/marshal.c r_object (and 2.7's for the Python 2 dialect) on an
 * explicit stack. Every failure is the one CPython raises for the same
 * bytes; type codes, FLAG_REF bits and interning are kept as hints so the
 * encoder (marshal_encode.c) can write CPython's bytes again. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal/marshal.h"

void sw_marshal_opts_default(sw_marshal_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->mode = SW_MODE_PYSPARK;
    o->allow_code = 1;
}

/* ---- decoder state ---- */

typedef struct mframe {
    sw_value *v;       /* container being filled */
    uint8_t type;      /* type code without FLAG_REF */
    uint8_t done;      /* dict: its NULL was read */
    int64_t left;      /* tuple/list/set: items still to read */
    int64_t ref;       /* frozenset/code: reserved ref slot, else -1 */
    size_t field;      /* code: next field */
    size_t at;         /* offset of the container's type code */
    sw_value *key;     /* dict: key waiting for its value */
    size_t key_at;
    sw_vset *keys;     /* dict/set: Python key merging */
} mframe;

/* one listing event [#marshal.dis] */
typedef struct mev {
    size_t at;          /* offset of the type code (or of an inline int) */
    uint8_t code;       /* the byte as read, FLAG_REF included; 0 for an inline int */
    size_t depth;       /* open containers around it */
    const sw_value *v;  /* leaf value, or the container */
    int64_t n;          /* container count, string length; -1 none */
    int64_t ref;        /* ref slot it took ('r'/'R': the index read); -1 none */
    const char *field;  /* code object field name */
} mev;

typedef struct mu {
    sw_arena *ar;
    const sw_marshal_opts *o;
    const sw_limits *lim;
    const sw_alloc *al;
    int py2;
    sw_cursor c;
    sw_error *err;
    size_t at;          /* offset of the type code being read */
    sw_value **refs;    /* 3.x: FLAG_REF list (NULL = reserved); 2.7: interned strings */
    size_t nrefs, caprefs;
    mframe *fr;
    size_t nfr, capfr;
    void (*trace)(void *ctx, const mev *e);
    void *tctx;
} mu;

static const char *const code3_names[SW_M_CODE3_N] = {
    "argcount", "posonlyargcount", "kwonlyargcount", "stacksize", "flags", "code", "consts", "names",
    "localsplusnames", "localspluskinds", "filename", "name", "qualname", "firstlineno", "linetable",
    "exceptiontable"};
static const char *const code2_names[SW_M_CODE2_N] = {
    "argcount", "nlocals", "stacksize", "flags", "code", "consts", "names", "varnames", "freevars",
    "cellvars", "filename", "name", "firstlineno", "lnotab"};

#define FAILAT(u, at, st, exc, msg) SW_FAIL((u)->err, (st), SW_LAYER_MARSHAL, (exc), (at), (at), (msg))
#define FAILM(u, st, exc, msg) FAILAT((u), (u)->at, (st), (exc), (msg))

/* [#marshal.errors] the two EOFError texts of 3.11: a missing type code or
 * length byte, and r_string's short read; 2.7 says the first for both */
static sw_status eof_obj(mu *u)
{
    return FAILM(u, SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR, "EOF read where object expected");
}

static sw_status eof_short(mu *u)
{
    return FAILM(u, SW_E_TRUNCATED_PAYLOAD, SW_PYEXC_EOFERROR,
                 u->py2 ? "EOF read where object expected" : "marshal data too short");
}

static sw_status bad(mu *u, sw_status st, const char *msg) { return FAILM(u, st, SW_PYEXC_VALUEERROR, msg); }

static sw_status moom(mu *u)
{
    sw_status st = sw_arena_status(u->ar);
    if (st == SW_OK) st = SW_E_NOMEM;
    return FAILM(u, st, st == SW_E_NOMEM ? SW_PYEXC_MEMORYERROR : SW_PYEXC_NONE,
                 st == SW_E_NOMEM ? "out of memory" : "over a limit of the arena");
}

static sw_status nomem(mu *u) { return FAILM(u, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory"); }

static int32_t le32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* r_long: 4 bytes little-endian, sign-extended. 3.11 raises EOFError on a
 * short read. 2.7 reads a missing byte as EOF (-1) and carries on
 * [#marshal.py2]: the value gets every bit from that byte up set; strict
 * mode refuses instead. Returns 0 and fails on a short read. */
static int r_long(mu *u, int64_t *x, sw_status *st)
{
    const uint8_t *p;
    size_t left = sw_cur_left(&u->c), i;
    uint64_t r = 0;
    if ((p = sw_cur_take(&u->c, 4)) != NULL) {
        *x = le32(p);
        return 1;
    }
    if (!u->py2 || u->o->mode == SW_MODE_STRICT) {
        *st = eof_short(u);
        return 0;
    }
    p = u->c.p + u->c.pos;
    for (i = 0; i < 4; i++) r |= (i < left ? (uint64_t)p[i] : UINT64_MAX) << (8 * i);
    u->c.pos += left;
    *x = (int64_t)r;
    /* sign extension of the low 32 bits, as 2.7 on a 64-bit long */
    if (*x & 0x80000000LL) *x = (int64_t)(r | 0xFFFFFFFF00000000ULL);
    return 1;
}

static sw_status ref_slot(mu *u, sw_value *v, int64_t *idx)
{
    if (u->nrefs >= u->lim->max_memo)
        return FAILM(u, SW_E_LIMIT_MEMO, SW_PYEXC_NONE, "more marshal references than max_memo");
    if (u->nrefs == u->caprefs) {
        size_t nc = u->caprefs ? u->caprefs * 2 : 64;
        sw_value **nr = (sw_value **)sw__realloc(u->al, u->refs, u->caprefs * sizeof *nr, nc * sizeof *nr);
        if (!nr) return nomem(u);
        u->refs = nr;
        u->caprefs = nc;
    }
    if (idx) *idx = (int64_t)u->nrefs;
    u->refs[u->nrefs++] = v;
    return SW_OK;
}

static sw_status key_fail(mu *u, size_t at, sw_status st)
{
    if (st == SW_E_UNHASHABLE) return FAILAT(u, at, st, SW_PYEXC_TYPEERROR, "unhashable type");
    if (st == SW_E_DUP_KEY) return FAILAT(u, at, st, SW_PYEXC_NONE, "equal keys (Python keeps one)");
    if (st == SW_E_LIMIT_DEPTH) return FAILAT(u, at, st, SW_PYEXC_RECURSIONERROR, "key too deep to hash");
    return FAILAT(u, at, SW_E_NOMEM, SW_PYEXC_MEMORYERROR, "out of memory");
}

/* the ASCII forms are read as Latin-1, as PyUnicode_FromKindAndData does */
static sw_value *latin1(mu *u, const uint8_t *p, size_t n)
{
    size_t i, k = 0, need;
    uint8_t *q;
    sw_value *v;
    for (i = 0, need = 0; i < n; i++) need += p[i] < 0x80 ? 1 : 2;
    q = (uint8_t *)sw_arena_mem(u->ar, need ? need : 1);
    if (!q) return NULL;
    for (i = 0; i < n; i++) k += sw_utf8_encode1(p[i], q + k);
    v = sw_v_strlike_borrow(u->ar, SW_K_STR, q, k);
    if (v) v->flags &= (uint8_t)~SW_VF_BORROWED; /* the bytes are the arena's */
    return v;
}

static int ci_match(const char *s, const char *lit)
{
    for (; *lit; s++, lit++)
        if (*s != *lit && *s != *lit - 32) return 0;
    return 1;
}

/* PyOS_string_to_double(buf, NULL, NULL) on the text up to its first NUL:
 * one optional sign, then inf/infinity/nan (any case) or decimal digits
 * with an optional point and exponent; no spaces, no hex, no underscores;
 * overflow gives +-inf [#marshal.types]. */
static int float_text(const uint8_t *p, size_t n, double *d)
{
    char buf[257], *end;
    const char *s, *q;
    int neg = 0, digits = 0;
    memcpy(buf, p, n);
    buf[n] = 0;
    s = buf;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    q = s;
    if (ci_match(q, "inf")) {
        q += 3;
        if (ci_match(q, "inity")) q += 5;
        if (*q) return 0;
        *d = neg ? -HUGE_VAL : HUGE_VAL;
        return 1;
    }
    if (ci_match(q, "nan")) {
        if (q[3]) return 0;
        /* the sign reaches the NaN's sign bit (3.11 observed) */
        *d = neg ? -fabs(NAN) : fabs(NAN);
        return 1;
    }
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) return 0;
    for (; *q >= '0' && *q <= '9'; q++) digits++;
    if (*q == '.')
        for (q++; *q >= '0' && *q <= '9'; q++) digits++;
    if (!digits) return 0;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '-' || *q == '+') q++;
        if (!(*q >= '0' && *q <= '9')) return 0;
        while (*q >= '0' && *q <= '9') q++;
    }
    if (*q) return 0;
    *d = strtod(s, &end); /* correctly rounded, +-HUGE_VAL on overflow */
    if (end != q) return 0;
    if (neg) *d = -*d;
    return 1;
}

static sw_status push_frame(mu *u, sw_value *v, uint8_t type, int64_t left, int64_t ref, size_t at)
{
    mframe *f;
    if (u->nfr == u->capfr) {
        size_t nc = u->capfr ? u->capfr * 2 : 32;
        mframe *nf = (mframe *)sw__realloc(u->al, u->fr, u->capfr * sizeof *nf, nc * sizeof *nf);
        if (!nf) return nomem(u);
        u->fr = nf;
        u->capfr = nc;
    }
    f = &u->fr[u->nfr++];
    memset(f, 0, sizeof *f);
    f->v = v;
    f->type = type;
    f->left = left;
    f->ref = ref;
    f->at = at;
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

static void trace(mu *u, size_t at, uint8_t code, const sw_value *v, int64_t n, int64_t ref, const char *field)
{
    mev e;
    if (!u->trace) return;
    e.at = at;
    e.code = code;
    e.depth = u->nfr;
    e.v = v;
    e.n = n;
    e.ref = ref;
    e.field = field;
    u->trace(u->tctx, &e);
}

/* the item count of a container: never trusted for an allocation, each
 * item takes at least one byte [#marshal.errors] */
static size_t cap_for(mu *u, int64_t n) { return (uint64_t)n <= sw_cur_left(&u->c) ? (size_t)n : sw_cur_left(&u->c); }

static sw_status read_long(mu *u, sw_value **out)
{
    const uint8_t *p;
    int64_t sz, nd, i, avail;
    uint8_t *mag;
    size_t nb;
    sw_status st = SW_OK;
    if (!r_long(u, &sz, &st)) return st;
    if (sz == 0) {
        *out = sw_v_int(u->ar, 0);
        return *out ? SW_OK : moom(u);
    }
    /* 3.11: n < -SIZE32_MAX; 2.7: n < -INT_MAX (2.7's garbage-filled count can be far below) */
    if (sz < -0x7fffffffLL || sz > 0x7fffffffLL) return bad(u, SW_E_MALFORMED, "bad marshal data (long size out of range)");
    nd = sz < 0 ? -sz : sz;
    /* digits are checked in order; the input may end first */
    avail = (int64_t)(sw_cur_left(&u->c) / 2);
    p = u->c.p + u->c.pos;
    for (i = 0; i < nd && i < avail; i++) {
        unsigned d = (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
        if (d & 0x8000) return bad(u, SW_E_MALFORMED, "bad marshal data (digit out of range in long)");
        if (i == nd - 1 && d == 0) return bad(u, SW_E_MALFORMED, "bad marshal data (unnormalized long data)");
    }
    if (nd > avail) {
        /* 2.7 reads the missing bytes as EOF: a negative digit */
        if (u->py2 && u->o->mode != SW_MODE_STRICT)
            return bad(u, SW_E_MALFORMED, "bad marshal data (digit out of range in long)");
        return eof_short(u);
    }
    p = sw_cur_take(&u->c, (size_t)nd * 2);
    nb = (size_t)nd * 15 / 8 + 2;
    mag = (uint8_t *)sw_arena_mem(u->ar, nb);
    if (!mag) return moom(u);
    memset(mag, 0, nb);
    {
        /* the 15-bit digits shifted into an accumulator, whole bytes out */
        uint32_t acc = 0;
        unsigned have = 0;
        size_t o = 0;
        for (i = 0; i < nd; i++) {
            acc |= ((uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8) << have;
            have += 15;
            while (have >= 8) {
                mag[o++] = (uint8_t)acc;
                acc >>= 8;
                have -= 8;
            }
        }
        if (have) mag[o] = (uint8_t)acc;
    }
    *out = sw_v_int_mag(u->ar, sz < 0, mag, nb);
    return *out ? SW_OK : moom(u);
}

/* a text float: a length byte, then that many bytes */
static sw_status read_float_text(mu *u, double *d)
{
    const uint8_t *p;
    size_t n;
    if ((p = sw_cur_take(&u->c, 1)) == NULL) return eof_obj(u);
    n = p[0];
    if ((p = sw_cur_take(&u->c, n)) == NULL) return u->py2 ? eof_obj(u) : eof_short(u);
    {
        size_t k = 0;
        while (k < n && p[k]) k++; /* C string: the text ends at a NUL */
        if (!float_text(p, k, d))
            return FAILM(u, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "could not convert string to float");
    }
    return SW_OK;
}

static double unpack8(const uint8_t *p)
{
    uint64_t bits = 0;
    double d;
    int i;
    for (i = 7; i >= 0; i--) bits = (bits << 8) | p[i];
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Read one object's type code and what follows it up to its items. A leaf
 * sets *leaf; a container pushes a frame (*pushed = 1); TYPE_NULL sets
 * *null. [#marshal.types] */
static sw_status read_one(mu *u, sw_value **leaf, int *null, int *pushed)
{
    const uint8_t *p;
    uint8_t code, type;
    int flag;
    sw_value *v = NULL;
    int64_t n, ref = -1, len = -1;
    size_t depth = u->nfr + 1;
    sw_status st = SW_OK;
    *leaf = NULL;
    *null = 0;
    *pushed = 0;
    u->at = u->c.pos;
    /* [#marshal.depth] 3.11 checks for EOF first, 2.7 the depth first */
    if (u->py2 && depth > SW_M_MAX_STACK_DEPTH) return bad(u, SW_E_MALFORMED, "recursion limit exceeded");
    if ((p = sw_cur_take(&u->c, 1)) == NULL) return eof_obj(u);
    if (depth > SW_M_MAX_STACK_DEPTH) return bad(u, SW_E_MALFORMED, "recursion limit exceeded");
    if (depth > u->lim->max_depth)
        return FAILM(u, SW_E_LIMIT_DEPTH, SW_PYEXC_NONE, "marshal nesting deeper than max_depth");
    code = p[0];
    flag = !u->py2 && (code & SW_M_FLAG_REF) != 0;
    type = u->py2 ? code : (uint8_t)(code & ~SW_M_FLAG_REF);
    switch (type) {
    case '0':
        *null = 1;
        trace(u, u->at, code, NULL, -1, -1, NULL);
        return SW_OK;
    case 'N': v = sw_v_none(u->ar); break;
    case 'F': v = sw_v_bool(u->ar, 0); break;
    case 'T': v = sw_v_bool(u->ar, 1); break;
    case 'S': v = sw_v_new(u->ar, SW_K_STOPITER); break;
    case '.': v = sw_v_new(u->ar, SW_K_ELLIPSIS); break;
    case 'i':
        if (!r_long(u, &n, &st)) return st;
        v = sw_v_int(u->ar, n);
        break;
    case 'I': { /* TYPE_INT64: 3.11 still reads it; 2.7 as two r_longs */
        int64_t lo, hi;
        if (!u->py2) {
            if ((p = sw_cur_take(&u->c, 8)) == NULL) return eof_short(u);
            v = sw_v_int(u->ar, (int64_t)((uint64_t)(uint32_t)le32(p) | (uint64_t)(uint32_t)le32(p + 4) << 32));
            break;
        }
        if (!r_long(u, &lo, &st) || !r_long(u, &hi, &st)) return st;
        v = sw_v_int(u->ar, (int64_t)(((uint64_t)hi << 32) | ((uint64_t)lo & 0xffffffffu)));
        break;
    }
    case 'l':
        if ((st = read_long(u, &v)) != SW_OK) return st;
        break;
    case 'f': case 'x': {
        double d[2];
        int k, parts = type == 'x' ? 2 : 1;
        for (k = 0; k < parts; k++)
            if ((st = read_float_text(u, &d[k])) != SW_OK) return st;
        v = parts == 1 ? sw_v_float(u->ar, d[0]) : sw_v_complex(u->ar, d[0], d[1]);
        break;
    }
    case 'g': case 'y': {
        double d[2];
        int k, parts = type == 'y' ? 2 : 1;
        for (k = 0; k < parts; k++) {
            if ((p = sw_cur_take(&u->c, 8)) == NULL) return eof_short(u);
            d[k] = unpack8(p);
        }
        v = parts == 1 ? sw_v_float(u->ar, d[0]) : sw_v_complex(u->ar, d[0], d[1]);
        break;
    }
    case 'R': /* 2.7 TYPE_STRINGREF: an interned string read before */
        if (!u->py2) return bad(u, SW_E_BAD_OPCODE, "bad marshal data (unknown type code)");
        if (!r_long(u, &n, &st)) return st;
        if (n < 0 || (uint64_t)n >= u->nrefs) return bad(u, SW_E_BAD_MEMO, "bad marshal data (string ref out of range)");
        *leaf = u->refs[n];
        trace(u, u->at, code, *leaf, -1, n, NULL);
        return SW_OK;
    case 'a': case 'A': case 'z': case 'Z':
        if (u->py2) return bad(u, SW_E_BAD_OPCODE, "bad marshal data (unknown type code)");
        /* fall through */
    case 's': case 't': case 'u': {
        size_t bad_at;
        if (type == 'z' || type == 'Z') {
            if ((p = sw_cur_take(&u->c, 1)) == NULL) return eof_obj(u);
            n = p[0];
        } else {
            if (!r_long(u, &n, &st)) return st;
            if (n < 0 || n > 0x7fffffffLL)
                return bad(u, SW_E_MALFORMED,
                           u->py2 ? (type == 'u' ? "bad marshal data (unicode size out of range)"
                                                 : "bad marshal data (string size out of range)")
                           : type == 's' ? "bad marshal data (bytes object size out of range)"
                                         : "bad marshal data (string size out of range)");
        }
        if ((p = sw_cur_take(&u->c, (size_t)n)) == NULL) return u->py2 ? eof_obj(u) : eof_short(u);
        len = n;
        if (type == 's' || (u->py2 && type == 't')) {
            v = sw_v_strlike(u->ar, SW_K_BYTES, p, (size_t)n);
        } else if (type == 't' || type == 'u') {
            /* 3.11 decodes with surrogatepass; 2.7's UTF-8 codec let
             * surrogates through as well */
            if (!sw_utf8_valid_surrogatepass(p, (size_t)n, &bad_at))
                return FAILM(u, SW_E_BAD_UTF8, SW_PYEXC_UNICODEDECODEERROR, "'utf-8' codec can't decode bytes");
            v = sw_v_strlike(u->ar, SW_K_STR, p, (size_t)n);
        } else {
            v = latin1(u, p, (size_t)n);
        }
        if (!v) return moom(u);
        if (type == 't' || type == 'A' || type == 'Z') v->flags |= SW_VF_INTERNED;
        if (u->py2 && type == 't') {
            /* [#marshal.py2] the interned list 'R' indexes */
            if ((st = ref_slot(u, v, &ref)) != SW_OK) return st;
        }
        break;
    }
    case ')': case '(': case '[': case '<': case '>': {
        sw_kind k = type == '[' ? SW_K_LIST : type == '<' ? SW_K_SET : type == '>' ? SW_K_FROZENSET : SW_K_TUPLE;
        if (type == ')') {
            if (u->py2) return bad(u, SW_E_BAD_OPCODE, "bad marshal data (unknown type code)");
            /* r_byte gives EOF (255 items) without an error: the first item
             * then meets the end of the input */
            if ((p = sw_cur_take(&u->c, 1)) == NULL) {
                u->at = u->c.pos;
                return eof_obj(u);
            }
            n = p[0];
        } else {
            if (!r_long(u, &n, &st)) return st;
            if (n < 0 || n > 0x7fffffffLL)
                return bad(u, SW_E_MALFORMED,
                           type == '[' ? "bad marshal data (list size out of range)"
                           : (type == '<' || type == '>') ? "bad marshal data (set size out of range)"
                                                          : "bad marshal data (tuple size out of range)");
        }
        v = sw_v_container(u->ar, k, cap_for(u, n));
        if (!v) return moom(u);
        v->hint = type;
        if (flag) {
            v->flags |= SW_VF_MARSHAL_REF;
            /* [#marshal.ref] a non-empty frozenset takes its slot now and
             * fills it when done; everything else is referable at once */
            if ((st = ref_slot(u, (type == '>' && n > 0) ? NULL : v, &ref)) != SW_OK) return st;
        }
        trace(u, u->at, code, v, n, ref, NULL);
        if ((st = push_frame(u, v, type, n, type == '>' && n > 0 ? ref : -1, u->at)) != SW_OK) return st;
        *pushed = 1;
        return SW_OK;
    }
    case '{':
        v = sw_v_container(u->ar, SW_K_DICT, 0);
        if (!v) return moom(u);
        v->hint = type;
        if (flag) {
            v->flags |= SW_VF_MARSHAL_REF;
            if ((st = ref_slot(u, v, &ref)) != SW_OK) return st;
        }
        trace(u, u->at, code, v, -1, ref, NULL);
        if ((st = push_frame(u, v, type, -1, -1, u->at)) != SW_OK) return st;
        *pushed = 1;
        return SW_OK;
    case 'c': {
        size_t nf = u->py2 ? SW_M_CODE2_N : SW_M_CODE3_N;
        /* [#marshal.code] */
        if (!u->o->allow_code || u->o->mode == SW_MODE_STRICT)
            return FAILM(u, SW_E_UNSUPPORTED_CODE, SW_PYEXC_NONE, "marshal code object not allowed");
        v = sw_v_container(u->ar, SW_K_CODE, nf);
        if (!v) return moom(u);
        v->hint = type;
        if (flag) {
            v->flags |= SW_VF_MARSHAL_REF;
            if ((st = ref_slot(u, NULL, &ref)) != SW_OK) return st;
        }
        trace(u, u->at, code, v, (int64_t)nf, ref, NULL);
        if ((st = push_frame(u, v, type, (int64_t)nf, ref, u->at)) != SW_OK) return st;
        *pushed = 1;
        return SW_OK;
    }
    case 'r':
        if (u->py2) return bad(u, SW_E_BAD_OPCODE, "bad marshal data (unknown type code)");
        if (!r_long(u, &n, &st)) return st;
        /* [#marshal.ref] a slot still reserved (a frozenset or code object
         * being read) holds None in CPython: invalid as well */
        if (n < 0 || (uint64_t)n >= u->nrefs || !u->refs[n])
            return bad(u, SW_E_BAD_MEMO, "bad marshal data (invalid reference)");
        *leaf = u->refs[n];
        trace(u, u->at, code, *leaf, -1, n, NULL);
        return SW_OK;
    default:
        return bad(u, SW_E_BAD_OPCODE, "bad marshal data (unknown type code)");
    }
    if (!v) return moom(u);
    v->hint = type;
    /* singletons never enter the ref list, FLAG_REF or not */
    if (flag && v->kind != SW_K_NONE && v->kind != SW_K_BOOL && v->kind != SW_K_STOPITER &&
        v->kind != SW_K_ELLIPSIS) {
        v->flags |= SW_VF_MARSHAL_REF;
        if ((st = ref_slot(u, v, &ref)) != SW_OK) return st;
    } else if (flag) {
        v->flags |= SW_VF_MARSHAL_REF; /* kept as read; the encoder never writes it */
    }
    trace(u, u->at, code, v, len, ref, NULL);
    *leaf = v;
    return SW_OK;
}

static int is_kind(const sw_value *v, sw_kind k) { return v && v->kind == k; }

/* _PyCode_Validate and the checks of _PyCode_New (3.11), PyCode_New (2.7)
 * [#marshal.code] */
static sw_status check_code(mu *u, const mframe *f)
{
    sw_value *const *x = f->v->u.c.v;
    size_t i;
#define CI(k) (x[k]->u.i)
    if (!u->py2) {
        /* argcount posonly kwonly stacksize flags code consts names lpn lpk
           filename name qualname firstlineno linetable exceptiontable */
        int64_t nlocals = 0, plain;
        if (CI(0) < CI(1) || CI(1) < 0 || CI(2) < 0 || CI(3) < 0 || CI(4) < 0 || !is_kind(x[5], SW_K_BYTES) ||
            !is_kind(x[6], SW_K_TUPLE) || !is_kind(x[7], SW_K_TUPLE) || !is_kind(x[8], SW_K_TUPLE) ||
            !is_kind(x[9], SW_K_BYTES) || x[8]->u.c.n != x[9]->u.s.n || !is_kind(x[11], SW_K_STR) ||
            !is_kind(x[12], SW_K_STR) || !is_kind(x[10], SW_K_STR) || !is_kind(x[14], SW_K_BYTES) ||
            !is_kind(x[15], SW_K_BYTES))
            return FAILAT(u, f->at, SW_E_MALFORMED, SW_PYEXC_OTHER, "SystemError: bad argument to internal function");
        if (x[5]->u.s.n % 2)
            return FAILAT(u, f->at, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "code: co_code is malformed");
        for (i = 0; i < x[9]->u.s.n; i++)
            if (x[9]->u.s.p[i] & 0x20) nlocals++; /* CO_FAST_LOCAL */
        plain = nlocals - CI(0) - CI(2) - ((CI(4) & 0x4) != 0) - ((CI(4) & 0x8) != 0);
        if (plain < 0)
            return FAILAT(u, f->at, SW_E_BAD_VALUE, SW_PYEXC_VALUEERROR, "code: co_varnames is too small");
        for (i = 0; i < x[7]->u.c.n; i++)
            if (!is_kind(x[7]->u.c.v[i], SW_K_STR))
                return FAILAT(u, f->at, SW_E_MALFORMED, SW_PYEXC_OTHER, "SystemError: non-string found in code slot");
        for (i = 0; i < x[8]->u.c.n; i++)
            if (!is_kind(x[8]->u.c.v[i], SW_K_STR))
                return FAILAT(u, f->at, SW_E_MALFORMED, SW_PYEXC_OTHER, "SystemError: non-string found in code slot");
        return SW_OK;
    }
    /* argcount nlocals stacksize flags code consts names varnames freevars
       cellvars filename name firstlineno lnotab */
    if ((int32_t)CI(0) < 0 || (int32_t)CI(1) < 0 || !is_kind(x[4], SW_K_BYTES) || !is_kind(x[5], SW_K_TUPLE) ||
        !is_kind(x[6], SW_K_TUPLE) || !is_kind(x[7], SW_K_TUPLE) || !is_kind(x[8], SW_K_TUPLE) ||
        !is_kind(x[9], SW_K_TUPLE) || !is_kind(x[10], SW_K_BYTES) || !is_kind(x[11], SW_K_BYTES) ||
        !is_kind(x[13], SW_K_BYTES))
        return FAILAT(u, f->at, SW_E_MALFORMED, SW_PYEXC_OTHER, "SystemError: bad argument to internal function");
    {
        int k;
        for (k = 6; k <= 9; k++)
            for (i = 0; i < x[k]->u.c.n; i++)
                if (!is_kind(x[k]->u.c.v[i], SW_K_BYTES))
                    /* 2.7 calls Py_FatalError here */
                    return FAILAT(u, f->at, SW_E_MALFORMED, SW_PYEXC_OTHER, "Fatal Python error: non-string found in code slot");
    }
    return SW_OK;
#undef CI
}

/* Hand a finished object (or a NULL) to the innermost open container.
 * Returns with *root set when there is none. */
static sw_status deliver(mu *u, sw_value *x, int null, size_t xat, sw_value **root)
{
    sw_status st;
    int found;
    size_t idx;
    for (;;) {
        mframe *f;
        if (u->nfr == 0) {
            if (null)
                return FAILAT(u, xat, SW_E_MALFORMED, SW_PYEXC_TYPEERROR, "NULL object in marshal data for object");
            *root = x;
            return SW_OK;
        }
        f = &u->fr[u->nfr - 1];
        switch (f->type) {
        case '{':
            if (null) {
                /* a NULL in key or value place ends the dict; a pending key is dropped */
                f->done = 1;
                f->key = NULL;
                return SW_OK;
            }
            if (!f->key) {
                f->key = x;
                f->key_at = xat;
                return SW_OK;
            }
            if (!f->keys) {
                f->keys = (sw_vset *)sw__malloc(u->al, sizeof *f->keys);
                if (!f->keys) return nomem(u);
                sw_vset_init(f->keys, u->al, u->lim->max_depth);
            }
            /* [#marshal.keys] the key is hashed when its value is there */
            st = sw_vset_add(f->keys, f->key, f->v->u.c.n, &found, &idx);
            if (st != SW_OK) return key_fail(u, f->key_at, st);
            if (found) {
                if (u->o->mode == SW_MODE_STRICT) return key_fail(u, f->key_at, SW_E_DUP_KEY);
                f->v->u.c.v[idx + 1] = x; /* the first key stays, the last value wins */
            } else if (sw_v_push(u->ar, f->v, f->key) != SW_OK || sw_v_push(u->ar, f->v, x) != SW_OK) {
                return moom(u);
            }
            f->key = NULL;
            return SW_OK;
        case 'c':
            if (null) {
                /* a NULL field makes the code object itself NULL, without
                 * an exception: its container decides; its ref slot stays
                 * reserved */
                drop_frame(u);
                continue;
            }
            if (sw_v_push(u->ar, f->v, x) != SW_OK) return moom(u);
            f->field++;
            f->left--;
            return SW_OK;
        default:
            if (null)
                return FAILAT(u, xat, SW_E_MALFORMED, SW_PYEXC_TYPEERROR,
                              f->type == '[' ? "NULL object in marshal data for list"
                              : (f->type == '<' || f->type == '>') ? "NULL object in marshal data for set"
                                                                   : "NULL object in marshal data for tuple");
            if (f->type == '<' || f->type == '>') {
                if (!f->keys) {
                    f->keys = (sw_vset *)sw__malloc(u->al, sizeof *f->keys);
                    if (!f->keys) return nomem(u);
                    sw_vset_init(f->keys, u->al, u->lim->max_depth);
                }
                st = sw_vset_add(f->keys, x, f->v->u.c.n, &found, &idx);
                if (st != SW_OK) return key_fail(u, xat, st);
                if (found && u->o->mode == SW_MODE_STRICT) return key_fail(u, xat, SW_E_DUP_KEY);
                if (!found && sw_v_push(u->ar, f->v, x) != SW_OK) return moom(u);
            } else if (sw_v_push(u->ar, f->v, x) != SW_OK) {
                return moom(u);
            }
            f->left--;
            return SW_OK;
        }
    }
}

static sw_status decode(mu *u, sw_value **out)
{
    sw_status st = SW_OK;
    sw_value *result = NULL;
    const char *layout = u->py2 ? SW_M_CODE2 : SW_M_CODE3;
    const char *const *names = u->py2 ? code2_names : code3_names;
    while (!result) {
        sw_value *x = NULL;
        int null = 0, pushed = 0;
        size_t xat;
        mframe *f = u->nfr ? &u->fr[u->nfr - 1] : NULL;
        if (f && f->type == 'c' && f->left > 0 && layout[f->field] == 'I') {
            /* code objects: the int fields are read inline */
            int64_t iv;
            size_t at = u->c.pos;
            u->at = f->at;
            if (!r_long(u, &iv, &st)) break;
            if ((x = sw_v_int(u->ar, (int32_t)iv)) == NULL) {
                st = moom(u);
                break;
            }
            trace(u, at, 0, x, -1, -1, names[f->field]);
            if (sw_v_push(u->ar, f->v, x) != SW_OK) {
                st = moom(u);
                break;
            }
            f->field++;
            f->left--;
            continue;
        }
        if (f && (f->type == '{' ? f->done : f->left == 0)) {
            /* a finished container goes up */
            x = f->v;
            xat = f->at;
            if (f->type == 'c' && (st = check_code(u, f)) != SW_OK) break;
            if (f->ref >= 0) u->refs[f->ref] = x; /* r_ref_insert */
            drop_frame(u);
        } else {
            if (f && f->type == 'c' && u->trace) {
                mev e;
                memset(&e, 0, sizeof e);
                e.at = u->c.pos;
                e.depth = u->nfr;
                e.n = -2; /* names the field that follows */
                e.field = names[f->field];
                u->trace(u->tctx, &e);
            }
            if ((st = read_one(u, &x, &null, &pushed)) != SW_OK) break;
            if (pushed) continue;
            xat = u->at;
        }
        if ((st = deliver(u, x, null, xat, &result)) != SW_OK) break;
    }
    *out = st == SW_OK ? result : NULL;
    return st;
}

static sw_status decode_impl(sw_arena *ar, const uint8_t *p, size_t n, const sw_marshal_opts *o, sw_value **out,
                             size_t *consumed, sw_error *err, void (*tr)(void *, const mev *), void *tctx)
{
    mu u;
    sw_marshal_opts def;
    sw_status st;
    if (!o) {
        sw_marshal_opts_default(&def);
        o = &def;
    }
    memset(&u, 0, sizeof u);
    u.ar = ar;
    u.o = o;
    u.py2 = o->py2 != 0;
    u.lim = sw_arena_limits(ar);
    u.al = sw_arena_alloc(ar);
    u.err = err;
    u.trace = tr;
    u.tctx = tctx;
    sw_cur_init(&u.c, p ? p : (const uint8_t *)"", n);
    st = decode(&u, out);
    while (u.nfr) drop_frame(&u);
    sw__free(u.al, u.fr, u.capfr * sizeof *u.fr);
    sw__free(u.al, u.refs, u.caprefs * sizeof *u.refs);
    if (st == SW_OK && consumed) *consumed = u.c.pos;
    return st;
}

sw_status sw_marshal_decode(sw_arena *ar, const uint8_t *p, size_t n, const sw_marshal_opts *o, sw_value **out,
                            size_t *consumed, sw_error *err)
{
    if (err) sw_error_clear(err); /* [#errors.record] */
    if (out) *out = NULL;
    if (!ar || !out || (!p && n)) return SW_E_ARG;
    return decode_impl(ar, p, n, o, out, consumed, err, NULL, NULL);
}

/* ---- listing [#marshal.dis] ---- */

typedef struct dctx {
    sw_buf *out;
    const char *indent;
    uint64_t base;
    int py2;
    sw_status st;
} dctx;

static const char *code_name(uint8_t t, int py2)
{
    switch (t) {
    case '0': return "NULL";
    case 'N': return "NONE";
    case 'F': return "FALSE";
    case 'T': return "TRUE";
    case 'S': return "STOPITER";
    case '.': return "ELLIPSIS";
    case 'i': return "INT";
    case 'I': return "INT64";
    case 'l': return "LONG";
    case 'f': return "FLOAT";
    case 'g': return "BINARY_FLOAT";
    case 'x': return "COMPLEX";
    case 'y': return "BINARY_COMPLEX";
    case 's': return py2 ? "STRING" : "STRING (bytes)";
    case 't': return "INTERNED";
    case 'R': return "STRINGREF";
    case 'r': return "REF";
    case '(': return "TUPLE";
    case ')': return "SMALL_TUPLE";
    case '[': return "LIST";
    case '{': return "DICT";
    case 'c': return "CODE";
    case 'u': return "UNICODE";
    case '<': return "SET";
    case '>': return "FROZENSET";
    case 'a': return "ASCII";
    case 'A': return "ASCII_INTERNED";
    case 'z': return "SHORT_ASCII";
    case 'Z': return "SHORT_ASCII_INTERNED";
    default: return "?";
    }
}

static void dis_event(void *ctx, const mev *e)
{
    dctx *d = (dctx *)ctx;
    sw_buf *b = d->out;
    size_t pad = e->depth > 32 ? 64 : e->depth * 2;
    uint8_t t;
    if (d->st != SW_OK) return;
    if (e->n == -2) {
        /* the field name before a code object's object field */
        d->st = sw_buf_printf(b, "%s%*s%*s; %s\n", d->indent, 12, "", (int)pad, "", e->field);
        return;
    }
    d->st = sw_buf_printf(b, "%s%10llu: %*s", d->indent, (unsigned long long)(d->base + e->at), (int)pad, "");
    if (d->st != SW_OK) return;
    if (e->field) {
        d->st = sw_buf_printf(b, "     int32 %s = %lld\n", e->field, (long long)e->v->u.i);
        return;
    }
    t = d->py2 ? e->code : (uint8_t)(e->code & ~SW_M_FLAG_REF);
    d->st = sw_buf_printf(b, "%02x '%c' %s%s", e->code, t >= 0x20 && t < 0x7f ? t : '?', code_name(t, d->py2),
                          !d->py2 && (e->code & SW_M_FLAG_REF) ? " +REF" : "");
    if (d->st != SW_OK) return;
    if (t == 'r' || t == 'R') {
        d->st = sw_buf_printf(b, " -> #%lld\n", (long long)e->ref);
        return;
    }
    if (e->ref >= 0 && (d->st = sw_buf_printf(b, " #%lld", (long long)e->ref)) != SW_OK) return;
    if (!e->v) {
        d->st = sw_buf_puts(b, "\n");
        return;
    }
    switch (e->v->kind) {
    case SW_K_TUPLE: case SW_K_LIST: case SW_K_SET: case SW_K_FROZENSET:
        d->st = sw_buf_printf(b, " n=%lld\n", (long long)e->n);
        return;
    case SW_K_DICT:
        d->st = sw_buf_puts(b, " (until NULL)\n");
        return;
    case SW_K_CODE:
        d->st = sw_buf_printf(b, " (%lld fields)\n", (long long)e->n);
        return;
    default: {
        sw_buf t2;
        sw_buf_init(&t2, b->al);
        if (e->n >= 0) d->st = sw_buf_printf(b, " len=%lld", (long long)e->n);
        if (d->st == SW_OK && sw_notation_print(e->v, &t2, 0, NULL) == SW_OK)
            d->st = sw_buf_printf(b, " %.*s%s", (int)(t2.n > 72 ? 72 : t2.n), t2.p ? (const char *)t2.p : "",
                                  t2.n > 72 ? "..." : "");
        sw_buf_free(&t2);
        if (d->st == SW_OK) d->st = sw_buf_puts(b, "\n");
        return;
    }
    }
}

sw_status sw_marshal_dis(const uint8_t *p, size_t n, uint64_t base, const char *indent, const sw_marshal_opts *o,
                         sw_buf *out, sw_error *err)
{
    sw_arena *ar;
    sw_value *v = NULL;
    size_t used = 0;
    sw_status st;
    sw_error e;
    dctx d;
    if (!out || (!p && n)) return SW_E_ARG;
    ar = sw_arena_new(out->al, NULL);
    if (!ar) return SW_E_NOMEM;
    d.out = out;
    d.indent = indent ? indent : "";
    d.base = base;
    d.py2 = o && o->py2;
    d.st = SW_OK;
    sw_error_clear(&e);
    st = decode_impl(ar, p, n, o, &v, &used, &e, dis_event, &d);
    if (d.st != SW_OK) {
        sw_arena_free(ar);
        return d.st;
    }
    if (st == SW_OK) {
        if (used < n)
            st = sw_buf_printf(out, "%s%10llu: (%zu bytes after the object: marshal.loads ignores them)\n", d.indent,
                               (unsigned long long)(base + used), n - used);
        else
            st = sw_buf_printf(out, "%s%10llu: (end, %zu bytes)\n", d.indent, (unsigned long long)(base + used), used);
    } else {
        if (err) *err = e;
        if (sw_buf_printf(out, "%s%10llu: error %s: %s (%s)\n", d.indent, (unsigned long long)(base + e.payload_offset),
                          sw_status_str(st), e.msg ? e.msg : "", sw_pyexc_str(e.pyexc)) != SW_OK)
            st = SW_E_NOMEM;
    }
    sw_arena_free(ar);
    return st;
}

/* Serializer specs: PySpark's repr text <-> serializer tree [#spec]. */
#include <stdlib.h>

#include "internal/common.h"
#include "sparkwire/stream.h"

typedef struct parser {
    const char *s;
    size_t pos, n;
    const sw_alloc *al;
    sw_error *err;
    unsigned depth;
    unsigned nodes;
} parser;

#define SPEC_MAX_DEPTH 64u /* [#spec.grammar] nesting bound */

static void skip_ws(parser *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')) p->pos++;
}

static int eat(parser *p, char c)
{
    skip_ws(p);
    if (p->pos < p->n && p->s[p->pos] == c) {
        p->pos++;
        return 1;
    }
    return 0;
}

static sw_status syntax(parser *p, const char *msg)
{
    return SW_FAIL(p->err, SW_E_SYNTAX, SW_LAYER_SPEC, SW_PYEXC_NONE, 0, p->pos, msg);
}

static sw_status bad(parser *p, size_t at, const char *msg)
{
    return SW_FAIL(p->err, SW_E_BAD_SPEC, SW_LAYER_SPEC, SW_PYEXC_NONE, 0, at, msg);
}

static size_t ident(parser *p, const char **start)
{
    size_t b;
    skip_ws(p);
    b = p->pos;
    while (p->pos < p->n) {
        char c = p->s[p->pos];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            p->pos++;
        else
            break;
    }
    *start = p->s + b;
    return p->pos - b;
}

static int parse_int(parser *p, int64_t *v)
{
    size_t b;
    int neg = 0;
    int64_t x = 0;
    skip_ws(p);
    b = p->pos;
    if (p->pos < p->n && p->s[p->pos] == '-') {
        neg = 1;
        p->pos++;
    }
    if (p->pos >= p->n || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
        p->pos = b;
        return 0;
    }
    while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        if (x > (INT64_MAX - 9) / 10) return 0;
        x = x * 10 + (p->s[p->pos] - '0');
        p->pos++;
    }
    *v = neg ? -x : x;
    return 1;
}

static int name_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static sw_status parse_ser(parser *p, sw_serializer **out);

/* optional `, NAME=INT` or `, INT` arguments */
static sw_status parse_kwint(parser *p, const char *kw, int64_t *v, int *have)
{
    const char *nm;
    size_t save = p->pos, k;
    *have = 0;
    k = ident(p, &nm);
    if (k > 0 && !(nm[0] >= '0' && nm[0] <= '9')) {
        if (!name_is(nm, k, kw)) return bad(p, save, "unknown keyword argument");
        if (!eat(p, '=')) return syntax(p, "expected '='");
    } else {
        p->pos = save;
    }
    if (!parse_int(p, v)) return syntax(p, "expected an integer");
    *have = 1;
    return SW_OK;
}

static sw_status parse_ser(parser *p, sw_serializer **out)
{
    const char *nm;
    size_t at, k;
    sw_serializer *s;
    sw_status st = SW_OK;
    int have;
    int64_t v;
    *out = NULL;
    if (++p->depth > SPEC_MAX_DEPTH) return bad(p, p->pos, "serializer nested too deeply");
    /* [#spec.grammar] the decoder and encoder hold one iterator per
     * serializer in a fixed pool: a spec names at most SW_SER_MAX_NODES */
    if (++p->nodes > SW_SER_MAX_NODES) return bad(p, p->pos, "more than 128 serializers in one spec");
    skip_ws(p);
    at = p->pos;
    k = ident(p, &nm);
    if (k == 0) return syntax(p, "expected a serializer name");
    if (!eat(p, '(')) return syntax(p, "expected '('");
    s = (sw_serializer *)sw__malloc(p->al, sizeof *s);
    if (!s) return SW_FAIL(p->err, SW_E_NOMEM, SW_LAYER_SPEC, SW_PYEXC_NONE, 0, at, "out of memory");
    memset(s, 0, sizeof *s);
    s->protocol = -1;
    s->version = -1;
    s->use_unicode = 1;
    *out = s;
    if (name_is(nm, k, "NoOpSerializer")) {
        s->kind = SW_SER_NOOP;
    } else if (name_is(nm, k, "PickleSerializer") || name_is(nm, k, "CloudPickleSerializer")) {
        s->kind = name_is(nm, k, "PickleSerializer") ? SW_SER_PICKLE : SW_SER_CLOUDPICKLE;
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] != ')') {
            size_t a = p->pos;
            if ((st = parse_kwint(p, "protocol", &v, &have)) != SW_OK) return st;
            if (v < -1 || v > 5) return bad(p, a, "pickle protocol must be -1..5");
            s->protocol = (int)v;
        }
    } else if (name_is(nm, k, "MarshalSerializer")) {
        s->kind = SW_SER_MARSHAL;
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] != ')') {
            size_t a = p->pos;
            if ((st = parse_kwint(p, "version", &v, &have)) != SW_OK) return st;
            if (v < -1 || v > 4) return bad(p, a, "marshal version must be -1..4");
            s->version = (int)v;
        }
    } else if (name_is(nm, k, "AutoSerializer")) {
        s->kind = SW_SER_AUTO;
    } else if (name_is(nm, k, "UTF8Deserializer")) {
        const char *b;
        size_t bk;
        s->kind = SW_SER_UTF8;
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] != ')') {
            size_t a = p->pos;
            bk = ident(p, &b);
            if (name_is(b, bk, "use_unicode")) {
                if (!eat(p, '=')) return syntax(p, "expected '='");
                bk = ident(p, &b);
            }
            if (name_is(b, bk, "True"))
                s->use_unicode = 1;
            else if (name_is(b, bk, "False"))
                s->use_unicode = 0;
            else
                return bad(p, a, "UTF8Deserializer takes True or False");
        }
    } else if (name_is(nm, k, "ChunkedStream")) {
        size_t a;
        s->kind = SW_SER_CHUNKED;
        skip_ws(p);
        a = p->pos;
        if ((st = parse_kwint(p, "buffer_size", &v, &have)) != SW_OK) return st;
        if (v < 1 || v > INT32_MAX) return bad(p, a, "buffer size must be 1..2**31-1");
        s->n = v;
    } else if (name_is(nm, k, "CompressedSerializer") || name_is(nm, k, "AutoBatchedSerializer") ||
               name_is(nm, k, "BatchedSerializer") || name_is(nm, k, "FlattenedValuesSerializer")) {
        size_t inner_at;
        if (name_is(nm, k, "CompressedSerializer")) s->kind = SW_SER_COMPRESSED;
        else if (name_is(nm, k, "AutoBatchedSerializer")) s->kind = SW_SER_AUTOBATCHED;
        else if (name_is(nm, k, "BatchedSerializer")) s->kind = SW_SER_BATCHED;
        else s->kind = SW_SER_FLATTENED;
        s->n = s->kind == SW_SER_BATCHED ? -1 : s->kind == SW_SER_FLATTENED ? 10 : 65536;
        skip_ws(p);
        inner_at = p->pos;
        if ((st = parse_ser(p, &s->a)) != SW_OK) return st;
        /* [#spec.validate] what PySpark's constructors and load paths need */
        if (s->kind == SW_SER_COMPRESSED && !sw_ser_is_framed(s->a))
            return bad(p, inner_at, "serializer must be a FramedSerializer");
        if (s->a->kind == SW_SER_UTF8 || s->a->kind == SW_SER_CHUNKED || s->a->kind == SW_SER_PAIR ||
            s->a->kind == SW_SER_CARTESIAN)
            return bad(p, inner_at, "inner serializer cannot write a stream");
        if (s->kind != SW_SER_COMPRESSED && eat(p, ',')) {
            size_t a;
            skip_ws(p);
            a = p->pos;
            if ((st = parse_kwint(p, s->kind == SW_SER_AUTOBATCHED ? "bestSize" : "batchSize", &v,
                                  &have)) != SW_OK)
                return st;
            if (s->kind == SW_SER_BATCHED ? (v == 0 || v < -1) : v < 1)
                return bad(p, a, "bad batch size");
            s->n = v;
        }
    } else if (name_is(nm, k, "PairDeserializer") || name_is(nm, k, "CartesianDeserializer")) {
        s->kind = name_is(nm, k, "PairDeserializer") ? SW_SER_PAIR : SW_SER_CARTESIAN;
        if ((st = parse_ser(p, &s->a)) != SW_OK) return st;
        if (!eat(p, ',')) return syntax(p, "expected ','");
        if ((st = parse_ser(p, &s->b)) != SW_OK) return st;
        if (s->a->kind == SW_SER_UTF8 || s->a->kind == SW_SER_CHUNKED || s->b->kind == SW_SER_UTF8 ||
            s->b->kind == SW_SER_CHUNKED)
            return bad(p, at, "pair members must be PySpark serializers of batches");
    } else {
        return bad(p, at, "unknown serializer name");
    }
    if (!eat(p, ')')) return syntax(p, "expected ')'");
    p->depth--;
    return SW_OK;
}

sw_status sw_ser_parse(const char *text, sw_serializer **out, const sw_alloc *al, sw_error *err)
{
    parser p;
    sw_status st;
    sw_serializer *s = NULL;
    if (!text || !out) return SW_E_ARG;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.n = strlen(text);
    p.al = al;
    p.err = err;
    st = parse_ser(&p, &s);
    if (st == SW_OK) {
        skip_ws(&p);
        if (p.pos != p.n) st = syntax(&p, "text after the serializer");
    }
    if (st != SW_OK) {
        sw_ser_free(s, al);
        *out = NULL;
        return st;
    }
    *out = s;
    return SW_OK;
}

void sw_ser_free(sw_serializer *s, const sw_alloc *al)
{
    /* depth is bounded by SPEC_MAX_DEPTH at parse time */
    if (!s) return;
    sw_ser_free(s->a, al);
    sw_ser_free(s->b, al);
    sw__free(al, s, sizeof *s);
}

int sw_ser_is_framed(const sw_serializer *s)
{
    switch (s->kind) {
    case SW_SER_NOOP: case SW_SER_PICKLE: case SW_SER_CLOUDPICKLE: case SW_SER_MARSHAL:
    case SW_SER_AUTO: case SW_SER_COMPRESSED:
        return 1;
    default:
        return 0;
    }
}

sw_status sw_ser_format(const sw_serializer *s, sw_buf *out)
{
    sw_status st = SW_OK;
    switch (s->kind) {
    case SW_SER_NOOP: return sw_buf_puts(out, "NoOpSerializer()");
    case SW_SER_PICKLE: case SW_SER_CLOUDPICKLE:
        st = sw_buf_puts(out, s->kind == SW_SER_PICKLE ? "PickleSerializer(" : "CloudPickleSerializer(");
        if (st == SW_OK && s->protocol != -1) st = sw_buf_printf(out, "protocol=%d", s->protocol);
        return st ? st : sw_buf_puts(out, ")");
    case SW_SER_MARSHAL:
        st = sw_buf_puts(out, "MarshalSerializer(");
        if (st == SW_OK && s->version != -1) st = sw_buf_printf(out, "version=%d", s->version);
        return st ? st : sw_buf_puts(out, ")");
    case SW_SER_AUTO: return sw_buf_puts(out, "AutoSerializer()");
    case SW_SER_UTF8: return sw_buf_puts(out, s->use_unicode ? "UTF8Deserializer(True)" : "UTF8Deserializer(False)");
    case SW_SER_CHUNKED: return sw_buf_printf(out, "ChunkedStream(%lld)", (long long)s->n);
    case SW_SER_COMPRESSED: case SW_SER_AUTOBATCHED: case SW_SER_BATCHED: case SW_SER_FLATTENED:
        st = sw_buf_puts(out, s->kind == SW_SER_COMPRESSED ? "CompressedSerializer("
                              : s->kind == SW_SER_AUTOBATCHED ? "AutoBatchedSerializer("
                              : s->kind == SW_SER_BATCHED ? "BatchedSerializer("
                                                          : "FlattenedValuesSerializer(");
        if (st == SW_OK) st = sw_ser_format(s->a, out);
        if (st == SW_OK && (s->kind == SW_SER_BATCHED || s->kind == SW_SER_FLATTENED))
            st = sw_buf_printf(out, ", %lld", (long long)s->n);
        if (st == SW_OK && s->kind == SW_SER_AUTOBATCHED && s->n != 65536)
            st = sw_buf_printf(out, ", bestSize=%lld", (long long)s->n);
        return st ? st : sw_buf_puts(out, ")");
    case SW_SER_PAIR: case SW_SER_CARTESIAN:
        st = sw_buf_puts(out, s->kind == SW_SER_PAIR ? "PairDeserializer(" : "CartesianDeserializer(");
        if (st == SW_OK) st = sw_ser_format(s->a, out);
        if (st == SW_OK) st = sw_buf_puts(out, ", ");
        if (st == SW_OK) st = sw_ser_format(s->b, out);
        return st ? st : sw_buf_puts(out, ")");
    }
    return SW_E_ARG;
}

/* See json.h. Containers are parsed with an explicit stack of open nodes
 * (depth limit JSON_MAX_DEPTH), so hostile nesting cannot recurse. */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

static size_t add(jdoc *d, jkind k)
{
    if (d->nn == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 64;
        jnode *nn = (jnode *)realloc(d->n, nc * sizeof *nn);
        if (!nn) return 0;
        d->n = nn;
        d->cap = nc;
    }
    memset(&d->n[d->nn], 0, sizeof d->n[0]);
    d->n[d->nn].kind = k;
    return d->nn++;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const char *p, size_t left, uint32_t *v)
{
    size_t i;
    *v = 0;
    if (left < 4) return 0;
    for (i = 0; i < 4; i++) {
        char c = p[i];
        *v <<= 4;
        if (c >= '0' && c <= '9') *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') *v |= (uint32_t)(c - 'A' + 10);
        else return 0;
    }
    return 1;
}

/* string at t[*i] (after the quote) into out; returns length or -1 */
static long parse_str(const char *t, size_t len, size_t *i, char *out)
{
    size_t o = 0;
    while (*i < len) {
        char c = t[(*i)++];
        if (c == '"') { out[o] = 0; return (long)o; }
        if ((unsigned char)c < 0x20) return -1;
        if (c != '\\') { out[o++] = c; continue; }
        if (*i >= len) return -1;
        c = t[(*i)++];
        switch (c) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (!hex4(t + *i, len - *i, &cp)) return -1;
            *i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && len - *i >= 6 && t[*i] == '\\' && t[*i + 1] == 'u' &&
                hex4(t + *i + 2, len - *i - 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                *i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(out + o, cp); /* lone surrogates: surrogatepass */
            break;
        }
        default: return -1;
        }
    }
    return -1;
}

int json_parse(jdoc *d, const char *t, size_t len, size_t *err_at)
{
    size_t i = 0, stack[JSON_MAX_DEPTH], last[JSON_MAX_DEPTH], depth = 0, o = 0;
    int need_value = 1, done = 0;
    memset(d, 0, sizeof *d);
    d->text = (char *)malloc(len + 1);
    if (!d->text) goto fail;
    add(d, J_NULL); /* index 0 is a sentinel: "no node" */
    while (!done) {
        size_t id = 0;
        while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
        if (i >= len) goto fail;
        if (!need_value) {
            /* after a value: ',' or a closer */
            jnode *c = &d->n[stack[depth - 1]];
            if (t[i] == ',') {
                i++;
                need_value = 1;
                if (c->kind == J_OBJ) {
                    while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
                    if (i >= len || t[i] != '"') goto fail;
                }
                continue;
            }
            if ((t[i] == ']' && c->kind == J_ARR) || (t[i] == '}' && c->kind == J_OBJ)) {
                i++;
                depth--;
                if (depth == 0) { done = 1; break; }
                continue;
            }
            if (t[i] == ':' && c->kind == J_OBJ && (c->count % 2) == 1) {
                i++;
                need_value = 1;
                continue;
            }
            goto fail;
        }
        /* a value (or an object key) */
        if (depth > 0 && d->n[stack[depth - 1]].kind == J_OBJ && d->n[stack[depth - 1]].count % 2 == 0 &&
            t[i] != '"' && t[i] != '}')
            goto fail;
        if (t[i] == ']' || t[i] == '}') {
            /* empty container */
            jnode *c;
            if (depth == 0) goto fail;
            c = &d->n[stack[depth - 1]];
            if (c->count != 0 || (t[i] == ']') != (c->kind == J_ARR)) goto fail;
            i++;
            depth--;
            need_value = 0;
            if (depth == 0) { done = 1; break; }
            continue;
        }
        if (t[i] == '{' || t[i] == '[') {
            id = add(d, t[i] == '{' ? J_OBJ : J_ARR);
            i++;
        } else if (t[i] == '"') {
            long n;
            i++;
            id = add(d, J_STR);
            if (!id) goto fail;
            n = parse_str(t, len, &i, d->text + o);
            if (n < 0) goto fail;
            d->n[id].s = d->text + o;
            d->n[id].len = (size_t)n;
            o += (size_t)n + 1;
        } else if (len - i >= 4 && memcmp(t + i, "null", 4) == 0) {
            id = add(d, J_NULL); i += 4;
        } else if (len - i >= 4 && memcmp(t + i, "true", 4) == 0) {
            id = add(d, J_TRUE); i += 4;
        } else if (len - i >= 5 && memcmp(t + i, "false", 5) == 0) {
            id = add(d, J_FALSE); i += 5;
        } else if (t[i] == '-' || (t[i] >= '0' && t[i] <= '9')) {
            size_t b = i;
            char *end;
            while (i < len && strchr("+-0123456789.eE", t[i])) i++;
            id = add(d, J_NUM);
            if (!id) goto fail;
            memcpy(d->text + o, t + b, i - b);
            d->text[o + (i - b)] = 0;
            d->n[id].s = d->text + o;
            d->n[id].len = i - b;
            d->n[id].num = strtod(d->text + o, &end);
            if (*end) goto fail;
            o += i - b + 1;
        } else {
            goto fail;
        }
        if (!id) goto fail;
        /* link into the parent */
        if (depth > 0) {
            jnode *p = &d->n[stack[depth - 1]];
            if (p->count == 0) p->first = id;
            else d->n[last[depth - 1]].next = id;
            p->count++;
            last[depth - 1] = id;
        }
        if (d->n[id].kind == J_OBJ || d->n[id].kind == J_ARR) {
            if (depth == JSON_MAX_DEPTH) goto fail;
            stack[depth++] = id;
            need_value = 1;
        } else {
            need_value = 0;
            if (depth == 0) { done = 1; break; }
        }
    }
    while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
    if (i != len) goto fail;
    return 0;
fail:
    if (err_at) *err_at = i;
    json_free(d);
    return -1;
}

void json_free(jdoc *d)
{
    free(d->n);
    free(d->text);
    memset(d, 0, sizeof *d);
}

const jnode *json_get(const jdoc *d, const jnode *obj, const char *key)
{
    size_t id, k = 0, kl = strlen(key);
    if (!obj || obj->kind != J_OBJ) return NULL;
    for (id = obj->first; id && k < obj->count; id = d->n[id].next, k++) {
        if (k % 2 == 0 && d->n[id].len == kl && memcmp(d->n[id].s, key, kl) == 0) return &d->n[d->n[id].next];
    }
    return NULL;
}

const jnode *json_at(const jdoc *d, const jnode *arr, size_t i)
{
    size_t id, k = 0;
    if (!arr || arr->kind != J_ARR || i >= arr->count) return NULL;
    for (id = arr->first; id; id = d->n[id].next, k++)
        if (k == i) return &d->n[id];
    return NULL;
}

const char *json_str(const jnode *n) { return n && n->kind == J_STR ? n->s : NULL; }

/* Framing of the conformance runner's protocol [#runner.protocol]. */
#include "proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rp_buf_add(rp_buf *b, const void *p, size_t n)
{
    if (n == 0) return 0;
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *q;
        while (cap - b->n < n) {
            if (cap > ((size_t)-1) / 2) return -1;
            cap *= 2;
        }
        q = (unsigned char *)realloc(b->p, cap);
        if (!q) return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

void rp_buf_free(rp_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void be32(unsigned char *o, int32_t v)
{
    uint32_t u = (uint32_t)v;
    o[0] = (unsigned char)(u >> 24);
    o[1] = (unsigned char)(u >> 16);
    o[2] = (unsigned char)(u >> 8);
    o[3] = (unsigned char)u;
}

static int32_t rd32(const unsigned char *p)
{
    uint32_t u = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
    return u <= 0x7fffffffu ? (int32_t)u : -(int32_t)(0xffffffffu - u) - 1;
}

int rp_put_frame(rp_buf *out, const void *p, size_t n)
{
    unsigned char h[4];
    if (n > RP_MAX_FRAME) return -1; /* [#runner.limits] */
    be32(h, (int32_t)n);
    if (rp_buf_add(out, h, 4) != 0) return -1;
    return rp_buf_add(out, p, n);
}

int rp_put_end(rp_buf *out)
{
    unsigned char h[4];
    be32(h, RP_END_OF_DATA);
    return rp_buf_add(out, h, 4);
}

int rp_put_kv(rp_buf *out, const char *key, const char *value)
{
    size_t i, n = strlen(value);
    if (rp_buf_add(out, key, strlen(key)) != 0 || rp_buf_add(out, "=", 1) != 0) return -1;
    for (i = 0; i < n; i++) {
        char c = (value[i] == '\n' || value[i] == '\r') ? ' ' : value[i];
        if (rp_buf_add(out, &c, 1) != 0) return -1;
    }
    return rp_buf_add(out, "\n", 1);
}

/* [#runner.response]: data frames, -1, one status frame */
int rp_parse_response(const unsigned char *p, size_t n, rp_response *r, const char **why)
{
    size_t pos = 0, nd = 0, cap = 0;
    rp_slice *d = NULL;
    memset(r, 0, sizeof *r);
    *why = NULL;
    for (;;) {
        int32_t len;
        if (4 > n - pos) goto more;
        len = rd32(p + pos);
        pos += 4;
        if (len == RP_END_OF_DATA) break;
        if (len < 0) {
            *why = "a negative frame length other than -1 among the data frames";
            goto bad;
        }
        if ((size_t)len > RP_MAX_FRAME) {
            *why = "a data frame longer than the protocol's limit";
            goto bad;
        }
        if ((size_t)len > n - pos) goto more;
        if (nd == cap) {
            rp_slice *q;
            if (cap >= RP_MAX_FRAMES) {
                *why = "more data frames than the protocol's limit";
                goto bad;
            }
            cap = cap ? cap * 2 : 16;
            q = (rp_slice *)realloc(d, cap * sizeof *d);
            if (!q) {
                *why = "out of memory";
                goto bad;
            }
            d = q;
        }
        d[nd].p = p + pos;
        d[nd].n = (size_t)len;
        nd++;
        pos += (size_t)len;
    }
    {
        int32_t len;
        if (4 > n - pos) goto more;
        len = rd32(p + pos);
        pos += 4;
        if (len < 0 || (size_t)len > RP_MAX_FRAME) {
            *why = "the status frame has a bad length";
            goto bad;
        }
        if ((size_t)len > n - pos) goto more;
        r->status.p = p + pos;
        r->status.n = (size_t)len;
        pos += (size_t)len;
    }
    r->ndata = nd;
    r->data = d;
    r->consumed = pos;
    return 1;
more:
    free(d);
    return 0;
bad:
    free(d);
    return -1;
}

void rp_response_free(rp_response *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}

char *rp_kv_get(const unsigned char *text, size_t n, const char *key)
{
    size_t pos = 0, kl = strlen(key);
    while (pos < n) {
        size_t e = pos, vl;
        while (e < n && text[e] != '\n') e++;
        if (e - pos > kl && memcmp(text + pos, key, kl) == 0 && text[pos + kl] == '=') {
            char *v;
            vl = e - pos - kl - 1;
            if (vl && text[pos + kl + 1 + vl - 1] == '\r') vl--;
            v = (char *)malloc(vl + 1);
            if (!v) return NULL;
            memcpy(v, text + pos + kl + 1, vl);
            v[vl] = 0;
            return v;
        }
        pos = e + 1;
    }
    return NULL;
}

/* read exactly n bytes: 1 done, 0 EOF before any byte, -1 short or error */
static int read_exact(int fd, unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (r == 0) return got == 0 ? 0 : -1;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd pf;
            pf.fd = fd;
            pf.events = POLLIN;
            (void)poll(&pf, 1, -1);
            continue;
        }
        return -1;
    }
    return 1;
}

int rp_read_frame(int fd, rp_buf *payload, int32_t *len)
{
    unsigned char h[4], chunk[65536];
    size_t left;
    int r = read_exact(fd, h, 4);
    payload->n = 0;
    if (r <= 0) return r;
    *len = rd32(h);
    if (*len == RP_END_OF_DATA) return 1;
    if (*len < 0 || (size_t)*len > RP_MAX_FRAME) return -1;
    /* read in chunks: never allocate by the declared length before the bytes are there */
    left = (size_t)*len;
    while (left) {
        size_t k = left < sizeof chunk ? left : sizeof chunk;
        if (read_exact(fd, chunk, k) != 1) return -1;
        if (rp_buf_add(payload, chunk, k) != 0) return -1;
        left -= k;
    }
    return 1;
}

int rp_write_all(int fd, const void *p, size_t n)
{
    const unsigned char *q = (const unsigned char *)p;
    while (n) {
        ssize_t w = write(fd, q, n);
        if (w > 0) {
            q += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf;
            pf.fd = fd;
            pf.events = POLLOUT;
            (void)poll(&pf, 1, -1);
            continue;
        }
        return -1;
    }
    return 0;
}

/* sparkwire as a conformance testee [#runner.protocol]: reads requests on
 * stdin, answers on stdout, through the public API only (sw_ser_parse,
 * sw_decoder_*, sw_encoder_*, sw_notation_print/parse). Every operation,
 * serializer and mode is implemented, so it never answers `skipped`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "sparkwire/stream.h"

/* the status frame of an error [#runner.response.status] */
static void put_error(rp_buf *st, const sw_error *e, sw_status s)
{
    char num[32];
    rp_put_kv(st, "outcome", "error");
    rp_put_kv(st, "category", sw_category_str(s));
    rp_put_kv(st, "status", sw_status_str(s));
    if (e->pyexc == SW_PYEXC_OTHER && e->msg) {
        /* an exception sparkwire has no code for is named at the head of the
         * message, "SystemError: ..." [#errors.pyexc] */
        char name[64];
        size_t n = strspn(e->msg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.");
        if (n > 0 && n < sizeof name && e->msg[n] == ':') {
            memcpy(name, e->msg, n);
            name[n] = 0;
            rp_put_kv(st, "exception", name);
        } else {
            rp_put_kv(st, "exception", sw_pyexc_str(e->pyexc));
        }
    } else if (e->pyexc != SW_PYEXC_NONE) {
        rp_put_kv(st, "exception", sw_pyexc_str(e->pyexc));
    }
    snprintf(num, sizeof num, "%llu", (unsigned long long)e->offset);
    rp_put_kv(st, "offset", num);
    rp_put_kv(st, "message", e->msg ? e->msg : sw_status_str(s));
}

/* a request the adapter cannot even start on: category usage [#runner.compare.outcome] */
static void put_usage(rp_buf *st, const char *status, const char *msg)
{
    rp_put_kv(st, "outcome", "error");
    rp_put_kv(st, "category", "usage");
    rp_put_kv(st, "status", status);
    rp_put_kv(st, "message", msg);
}

static void do_decode(const sw_serializer *s, sw_mode mode, const rp_buf *data, rp_buf *out, rp_buf *st)
{
    sw_source src;
    sw_decoder *d = NULL;
    sw_stream_opts o;
    sw_buf b;
    sw_error err;
    sw_status rc;
    sw_stream_opts_default(&o);
    o.mode = mode;
    sw_source_mem(&src, data->p, data->n);
    sw_error_clear(&err);
    rc = sw_decoder_new(s, &src, &o, &d);
    if (rc != SW_OK) {
        err.msg = "sw_decoder_new failed";
        put_error(st, &err, rc);
        return;
    }
    sw_buf_init(&b, NULL);
    for (;;) {
        sw_value *v;
        sw_error_clear(&err);
        rc = sw_decoder_next(d, &v, &err);
        if (rc != SW_OK) break;
        b.n = 0;
        rc = sw_notation_print(v, &b, 0, &err);
        if (rc != SW_OK) break;
        rp_put_frame(out, b.p ? (const void *)b.p : (const void *)"", b.n);
    }
    if (rc == SW_END)
        rp_put_kv(st, "outcome", "ok");
    else
        put_error(st, &err, rc);
    sw_buf_free(&b);
    sw_decoder_free(d);
}

static void do_encode(const sw_serializer *s, const rp_buf *items, const size_t *ends, size_t nitems, rp_buf *out,
                      rp_buf *st)
{
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_sink k;
    sw_encoder *e = NULL;
    sw_error err;
    sw_status rc = SW_OK;
    sw_buf b;
    size_t i, start = 0;
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    sw_error_clear(&err);
    if (!ar || (rc = sw_encoder_new(s, &k, NULL, &e)) != SW_OK) {
        if (!ar) rc = SW_E_NOMEM;
        err.msg = "cannot start an encoder";
        put_error(st, &err, rc);
        sw_arena_free(ar);
        sw_buf_free(&b);
        return;
    }
    for (i = 0; i < nitems && rc == SW_OK; i++) {
        sw_value *v;
        rc = sw_notation_parse(ar, (const char *)items->p + start, ends[i] - start, &v, &err);
        if (rc == SW_OK) rc = sw_encoder_put(e, v, &err);
        start = ends[i];
    }
    if (rc == SW_OK) rc = sw_encoder_finish(e, &err);
    if (rc == SW_OK) {
        size_t pos = 0;
        while (pos < b.n) {
            size_t n = b.n - pos < RP_MAX_FRAME ? b.n - pos : RP_MAX_FRAME;
            rp_put_frame(out, b.p + pos, n);
            pos += n;
        }
        rp_put_kv(st, "outcome", "ok");
    } else {
        put_error(st, &err, rc);
    }
    sw_encoder_free(e);
    sw_arena_free(ar);
    sw_buf_free(&b);
}

int main(void)
{
    rp_buf frame, hdr, data, resp, out, st;
    size_t *ends = NULL, nends = 0, cap = 0;
    memset(&frame, 0, sizeof frame);
    memset(&hdr, 0, sizeof hdr);
    memset(&data, 0, sizeof data);
    memset(&resp, 0, sizeof resp);
    memset(&out, 0, sizeof out);
    memset(&st, 0, sizeof st);
    for (;;) {
        int32_t len;
        int r = rp_read_frame(0, &hdr, &len);
        char *op, *spec, *mode;
        sw_serializer *s = NULL;
        sw_error err;
        if (r == 0) break; /* the runner closed our stdin: done */
        if (r < 0 || len < 0) return 1;
        /* data frames up to the -1 [#runner.request] */
        data.n = 0;
        nends = 0;
        for (;;) {
            r = rp_read_frame(0, &frame, &len);
            if (r != 1) return 1;
            if (len == RP_END_OF_DATA) break;
            if (rp_buf_add(&data, frame.p, frame.n) != 0) return 1;
            if (nends == cap) {
                cap = cap ? cap * 2 : 64;
                ends = (size_t *)realloc(ends, cap * sizeof *ends);
                if (!ends) return 1;
            }
            ends[nends++] = data.n;
        }
        op = rp_kv_get(hdr.p, hdr.n, "op");
        spec = rp_kv_get(hdr.p, hdr.n, "serializer");
        mode = rp_kv_get(hdr.p, hdr.n, "mode");
        out.n = 0;
        st.n = 0;
        if (!op || !spec) {
            put_usage(&st, "arg", "a request without op or serializer");
        } else if (sw_ser_parse(spec, &s, NULL, &err) != SW_OK) {
            put_usage(&st, sw_status_str(err.status), err.msg ? err.msg : "serializer not understood");
        } else if (strcmp(op, "decode") == 0) {
            if (mode && strcmp(mode, "strict") == 0)
                do_decode(s, SW_MODE_STRICT, &data, &out, &st);
            else if (!mode || strcmp(mode, "pyspark") == 0)
                do_decode(s, SW_MODE_PYSPARK, &data, &out, &st);
            else
                put_usage(&st, "arg", "unknown mode");
        } else if (strcmp(op, "encode") == 0) {
            do_encode(s, &data, ends, nends, &out, &st);
        } else {
            rp_put_kv(&st, "outcome", "skipped");
            rp_put_kv(&st, "reason", "unknown op");
        }
        sw_ser_free(s, NULL);
        free(op);
        free(spec);
        free(mode);
        resp.n = 0;
        if (rp_buf_add(&resp, out.p, out.n) != 0 || rp_put_end(&resp) != 0 || rp_put_frame(&resp, st.p, st.n) != 0)
            return 1;
        if (rp_write_all(1, resp.p, resp.n) != 0) return 1;
    }
    free(ends);
    rp_buf_free(&frame);
    rp_buf_free(&hdr);
    rp_buf_free(&data);
    rp_buf_free(&resp);
    rp_buf_free(&out);
    rp_buf_free(&st);
    return 0;
}

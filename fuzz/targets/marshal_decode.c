/* marshal_decode: sw_marshal_decode on one payload [#marshal], both dialects
 * and modes by the first byte; offsets, notation, encode round trip and
 * allocation failure checked [#fuzz]. Byte 0: bit 0 strict, bit 1 Python 2
 * dialect, bit 2 no code objects, bits 5-7 the round trip's version; byte 1:
 * the failing allocator. */
#include <stdio.h>

#include "../oracle.h"

static sw_status marshal_payload(sw_arena *ar, const uint8_t *p, size_t n, const void *o, sw_value **out,
                                 size_t *used, sw_error *e)
{
    return sw_marshal_decode(ar, p, n, (const sw_marshal_opts *)o, out, used, e);
}

int fz_target_marshal_decode(const uint8_t *data, size_t size);
int fz_target_marshal_decode(const uint8_t *data, size_t size)
{
    static const int versions[8] = {-1, 0, 1, 2, 3, 4, 4, 4};
    fz_in in = {data, size};
    uint8_t b = fz_byte(&in), a = fz_byte(&in);
    sw_marshal_opts o;
    sw_arena *ar;
    sw_value *v = (sw_value *)&in; /* junk: must become NULL on failure */
    size_t used = (size_t)-1;
    sw_error e;
    sw_status st;
    sw_marshal_opts_default(&o);
    o.mode = (b & 1) ? SW_MODE_STRICT : SW_MODE_PYSPARK;
    o.py2 = (b >> 1) & 1;
    o.allow_code = !((b >> 2) & 1);
    if (fz_describe) {
        char opts[120];
        snprintf(opts, sizeof opts, "\"py2\": %d, \"allow_code\": %d, \"roundtrip_version\": %d, \"alloc\": %u",
                 o.py2, o.allow_code, versions[b >> 5], (unsigned)a);
        fz_describe_payload("marshal_decode", "marshal", o.mode, opts, in.p, in.n);
        return 0;
    }
    ar = sw_arena_new(NULL, NULL);
    if (!ar) return 0;
    st = marshal_payload(ar, in.p, in.n, &o, &v, &used, &e);
    if (fz_check_payload_result("marshal", st, v, used, in.n, &e)) {
        fz_check_notation(v);
        /* versions 0-2 have no FLAG_REF: sharing is lost, so only the bytes
         * are compared [#marshal] */
        fz_check_marshal_roundtrip(v, versions[b >> 5], o.py2, versions[b >> 5] < 0 || versions[b >> 5] >= 3);
    }
    fz_check_payload_alloc("marshal", a, marshal_payload, &o, in.p, in.n, st, v);
    sw_arena_free(ar);
    return 0;
}

FZ_ENTRY(marshal_decode)

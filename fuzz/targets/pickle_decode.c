/* pickle_decode: sw_pickle_decode on one payload [#pickle], with every
 * option chosen by the first byte; offsets, notation, encode round trip and
 * allocation failure checked [#fuzz]. Byte 0: bit 0 strict, bits 1-2
 * encoding (mod 3), bit 3 symbolic_ext, bit 4 no resolve, bits 5-7 the
 * round trip's protocol; byte 1: the failing allocator. */
#include <stdio.h>

#include "../oracle.h"

static sw_status pickle_payload(sw_arena *ar, const uint8_t *p, size_t n, const void *o, sw_value **out,
                                size_t *used, sw_error *e)
{
    return sw_pickle_decode(ar, p, n, (const sw_pickle_opts *)o, out, used, e);
}

int fz_target_pickle_decode(const uint8_t *data, size_t size);
int fz_target_pickle_decode(const uint8_t *data, size_t size)
{
    static const int protos[8] = {-1, 0, 1, 2, 3, 4, 5, 5};
    fz_in in = {data, size};
    uint8_t b = fz_byte(&in), a = fz_byte(&in);
    sw_pickle_opts o;
    sw_arena *ar;
    sw_value *v = (sw_value *)&in; /* junk: must become NULL on failure */
    size_t used = (size_t)-1;
    sw_error e;
    sw_status st;
    sw_pickle_opts_default(&o);
    o.mode = (b & 1) ? SW_MODE_STRICT : SW_MODE_PYSPARK;
    o.encoding = (sw_pickle_encoding)(((b >> 1) & 3) % 3);
    o.symbolic_ext = (b >> 3) & 1;
    o.resolve = !((b >> 4) & 1);
    if (fz_describe) {
        static const char *const enc[] = {"bytes", "ascii", "latin1"};
        char opts[160];
        snprintf(opts, sizeof opts,
                 "\"encoding\": \"%s\", \"symbolic_ext\": %d, \"resolve\": %d, \"roundtrip_protocol\": %d, "
                 "\"alloc\": %u",
                 enc[o.encoding % 3], o.symbolic_ext, o.resolve, protos[b >> 5], (unsigned)a);
        fz_describe_payload("pickle_decode", "pickle", o.mode, opts, in.p, in.n);
        return 0;
    }
    ar = sw_arena_new(NULL, NULL);
    if (!ar) return 0;
    st = pickle_payload(ar, in.p, in.n, &o, &v, &used, &e);
    if (fz_check_payload_result("pickle", st, v, used, in.n, &e)) {
        fz_check_notation(v);
        fz_check_pickle_roundtrip(v, protos[b >> 5], o.resolve, (int)o.encoding);
    }
    fz_check_payload_alloc("pickle", a, pickle_payload, &o, in.p, in.n, st, v);
    sw_arena_free(ar);
    return 0;
}

FZ_ENTRY(pickle_decode)

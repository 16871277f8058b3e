/* pickle_decode: sw_pickle_decode on one payload [#pickle], with every
 * option chosen by the first byte; offsets, notation, encode round trip and
 * allocation failure checked [#fuzz]. */
#include <stdio.h>

#include "../oracle.h"

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
    char msg[256];
    sw_pickle_opts_default(&o);
    o.mode = (b & 1) ? SW_MODE_STRICT : SW_MODE_PYSPARK;
    o.encoding = (sw_pickle_encoding)(((b >> 1) & 3) % 3);
    o.symbolic_ext = (b >> 3) & 1;
    o.resolve = !((b >> 4) & 1);
    ar = sw_arena_new(NULL, NULL);
    if (!ar) return 0;
    st = sw_pickle_decode(ar, in.p, in.n, &o, &v, &used, &e);
    if (st == SW_OK) {
        if (!v || used > in.n) {
            snprintf(msg, sizeof msg, "out %p consumed %zu of %zu", (void *)v, used, in.n);
            fz_fail("pickle: success without a value or consumed beyond the input", msg);
        } else {
            fz_check_notation(v);
            fz_check_pickle_roundtrip(v, protos[b >> 5], o.resolve, (int)o.encoding);
        }
    } else {
        /* [#fuzz.offset] */
        if (v != NULL || e.status != st || e.payload_offset > in.n || e.layer == SW_LAYER_NONE) {
            snprintf(msg, sizeof msg, "%s layer %s payload_offset %llu of %zu, out %p (%s:%d)",
                     sw_status_str(st), sw_layer_str(e.layer), (unsigned long long)e.payload_offset, in.n,
                     (void *)v, e.file ? e.file : "?", e.line);
            fz_fail("pickle: bad error record", msg);
        }
    }
    /* [#fuzz.alloc] the same decode with a failing allocator */
    if (a % 3) {
        fz_alloc fa;
        sw_arena *ar2;
        sw_value *w = NULL;
        sw_status st2;
        fz_alloc_init(&fa, a % 3 == 1 ? 256u + (uint64_t)(a >> 2) * 512u : 0, a % 3 == 2 ? 1u + (a >> 2) : 0);
        ar2 = sw_arena_new(&fa.al, NULL);
        if (ar2) {
            st2 = sw_pickle_decode(ar2, in.p, in.n, &o, &w, &used, &e);
            if (st2 != st && st2 != SW_E_NOMEM) {
                snprintf(msg, sizeof msg, "libc %s, failing allocator %s (%s:%d)", sw_status_str(st),
                         sw_status_str(st2), e.file ? e.file : "?", e.line);
                fz_fail("pickle: failing allocator gives another result than nomem", msg);
            }
            if (st2 == SW_OK && st == SW_OK && sw_v_graph_equal(v, w, NULL, 0) != 1)
                fz_fail("pickle: failing allocator run decoded another graph", "");
            sw_arena_free(ar2);
        }
        fz_alloc_check_clean(&fa, "pickle_decode");
    }
    sw_arena_free(ar);
    return 0;
}

FZ_ENTRY(pickle_decode)

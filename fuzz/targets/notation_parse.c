/* notation_parse: sw_notation_parse on text [#notation.parse]; what parses
 * must print, parse back and print the same, and encode to pickle and
 * marshal with a byte-stable round trip [#fuzz]. */
#include <stdio.h>

#include "../oracle.h"

int fz_target_notation_parse(const uint8_t *data, size_t size);
int fz_target_notation_parse(const uint8_t *data, size_t size)
{
    static const int protos[8] = {-1, 0, 1, 2, 3, 4, 5, 2};
    fz_in in = {data, size};
    uint8_t b = fz_byte(&in), a = fz_byte(&in);
    sw_arena *ar;
    sw_value *v = NULL;
    sw_error e;
    sw_status st;
    char msg[200];
    if (fz_describe_payload("notation_parse", "notation", SW_MODE_STRICT, "", in.p, in.n)) return 0;
    ar = sw_arena_new(NULL, NULL);
    if (!ar) return 0;
    st = sw_notation_parse(ar, (const char *)in.p, in.n, &v, &e);
    if (st == SW_OK) {
        if (!v) {
            fz_fail("notation: success without a value", "");
        } else {
            fz_check_notation(v);
            if (b & 1) fz_check_pickle_roundtrip(v, protos[(b >> 1) & 7], 0, SW_PICKLE_ENC_BYTES);
            if (b & 0x10) fz_check_marshal_roundtrip(v, (int)((b >> 5) % 6) - 1, 0, 0);
        }
    } else if (SW_IS_ERROR(st) && (e.status != st || e.payload_offset > in.n)) {
        snprintf(msg, sizeof msg, "%s payload_offset %llu of %zu (%s:%d)", sw_status_str(st),
                 (unsigned long long)e.payload_offset, in.n, e.file ? e.file : "?", e.line);
        fz_fail("notation: bad error record", msg);
    }
    if (a % 3) {
        fz_alloc fa;
        sw_arena *ar2;
        sw_value *w = NULL;
        sw_status st2;
        fz_alloc_init(&fa, a % 3 == 1 ? 256u + (uint64_t)(a >> 2) * 512u : 0, a % 3 == 2 ? 1u + (a >> 2) : 0);
        ar2 = sw_arena_new(&fa.al, NULL);
        if (ar2) {
            st2 = sw_notation_parse(ar2, (const char *)in.p, in.n, &w, &e);
            if (st2 != st && st2 != SW_E_NOMEM) {
                snprintf(msg, sizeof msg, "libc %s, failing allocator %s (%s:%d)", sw_status_str(st),
                         sw_status_str(st2), e.file ? e.file : "?", e.line);
                fz_fail("notation: failing allocator gives another result than nomem", msg);
            }
            sw_arena_free(ar2);
        }
        fz_alloc_check_clean(&fa, "notation_parse");
    }
    sw_arena_free(ar);
    return 0;
}

FZ_ENTRY(notation_parse)

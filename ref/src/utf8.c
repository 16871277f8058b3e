/* UTF-8 as Python's codecs see it [#value.str] [#utf8]. */
#include "internal/common.h"

size_t sw_utf8_decode1(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c;
    if (n == 0) return 0;
    c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (n < 2 || (p[1] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        uint8_t lo = c == 0xE0 ? 0xA0 : 0x80;
        if (n < 2 || p[1] < lo || p[1] > 0xBF) return 0;
        if (n < 3 || (p[2] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        uint8_t lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (n < 2 || p[1] < lo || p[1] > hi) return 0;
        if (n < 3 || (p[2] & 0xC0) != 0x80) return 0;
        if (n < 4 || (p[3] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
              ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    return 0;
}

static int utf8_check(const uint8_t *p, size_t n, size_t *bad, int allow_surrogates)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        k = sw_utf8_decode1(p + i, n - i, &cp);
        if (k == 0 || (!allow_surrogates && cp >= 0xD800 && cp <= 0xDFFF)) {
            if (bad) *bad = i;
            return 0;
        }
        i += k;
    }
    return 1;
}

int sw_utf8_valid(const uint8_t *p, size_t n, size_t *bad) { return utf8_check(p, n, bad, 0); }

int sw_utf8_valid_surrogatepass(const uint8_t *p, size_t n, size_t *bad)
{
    return utf8_check(p, n, bad, 1);
}

size_t sw_utf8_encode1(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Python's repr(float) [#notation.float]: the shortest digits that read
 * back to the same double, laid out as float_repr_style 'short' does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal/common.h"

/* Add one unit in the last digit of "D.DDDe[+-]X" (as printed by %.*e),
 * carrying into the exponent; returns 0 if the text has another shape. */
static int bump_up(char *t, size_t cap)
{
    char m[24];
    int nd = 0, i, ex;
    const char *e = strchr(t, 'e');
    if (!e) return 0;
    for (i = 0; t + i < e; i++)
        if (t[i] >= '0' && t[i] <= '9' && nd < (int)sizeof m) m[nd++] = t[i];
    ex = atoi(e + 1);
    for (i = nd - 1; i >= 0; i--) {
        if (m[i] != '9') {
            m[i]++;
            break;
        }
        m[i] = '0';
    }
    if (i < 0) { /* 9.99e5 -> 1.00e6 */
        m[0] = '1';
        ex++;
    }
    if (nd == 1)
        snprintf(t, cap, "%ce%d", m[0], ex);
    else
        snprintf(t, cap, "%c.%.*se%d", m[0], nd - 1, m + 1, ex);
    return 1;
}

size_t sw_float_repr(double d, char *buf)
{
    char tmp[40], digits[24];
    int prec, exp10 = 0, nd = 0, neg, i, pos = 0;
    const char *e;
    if (isnan(d)) {
        memcpy(buf, "nan", 4);
        return 3;
    }
    if (isinf(d)) {
        if (d < 0) {
            memcpy(buf, "-inf", 5);
            return 4;
        }
        memcpy(buf, "inf", 4);
        return 3;
    }
    neg = signbit(d) ? 1 : 0;
    if (d == 0) {
        if (neg) {
            memcpy(buf, "-0.0", 5);
            return 4;
        }
        memcpy(buf, "0.0", 4);
        return 3;
    }
    for (prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, fabs(d));
        if (strtod(tmp, NULL) == fabs(d)) break;
        /* At a power of two the doubles above are twice as far apart as
         * those below, so the next prec-digit decimal above may read back
         * when the nearest (below) does not: Python's repr picks it
         * (repr(2.0**-1017) is 7.120236347223045e-307). */
        if (bump_up(tmp, sizeof tmp) && strtod(tmp, NULL) == fabs(d)) break;
    }
    /* tmp: D[.DDDD]e[+-]XX */
    for (i = 0; tmp[i] && tmp[i] != 'e'; i++)
        if (tmp[i] >= '0' && tmp[i] <= '9') digits[nd++] = tmp[i];
    e = strchr(tmp, 'e');
    exp10 = e ? atoi(e + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (neg) buf[pos++] = '-';
    if (exp10 >= -4 && exp10 < 16) {
        /* fixed notation: decimal point after exp10+1 digits */
        int point = exp10 + 1;
        if (point <= 0) {
            buf[pos++] = '0';
            buf[pos++] = '.';
            for (i = 0; i < -point; i++) buf[pos++] = '0';
            for (i = 0; i < nd; i++) buf[pos++] = digits[i];
        } else {
            for (i = 0; i < point; i++) buf[pos++] = i < nd ? digits[i] : '0';
            buf[pos++] = '.';
            if (nd > point)
                for (i = point; i < nd; i++) buf[pos++] = digits[i];
            else
                buf[pos++] = '0';
        }
    } else {
        buf[pos++] = digits[0];
        if (nd > 1) {
            buf[pos++] = '.';
            for (i = 1; i < nd; i++) buf[pos++] = digits[i];
        }
        pos += snprintf(buf + pos, 16, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
    buf[pos] = 0;
    return (size_t)pos;
}

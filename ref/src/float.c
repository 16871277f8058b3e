/* Python's repr(float) [#notation.float]: the shortest digits that read
 * back to the same double, laid out as float_repr_style 'short' does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal/common.h"

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

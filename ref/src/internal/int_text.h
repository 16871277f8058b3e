/* Private: big-int decimal text through a caller's allocator (owner: value_ops.c). */
#ifndef SW_INTERNAL_INT_TEXT_H
#define SW_INTERNAL_INT_TEXT_H

#include "sparkwire/value.h"

/* sw_int_to_decimal with its scratch (limbs, digits) allocated through al
 * (NULL: libc) [#api.alloc]; 0 when an allocation fails. */
size_t sw__int_to_decimal_al(const sw_value *v, char *buf, size_t cap, const sw_alloc *al);

#endif

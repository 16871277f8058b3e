/* Private to the marshal codec [#marshal]: type codes, the code-object field
 * layouts of both dialects and CPython's limits, shared by marshal.c
 * (decoder, dis) and marshal_encode.c. */
#ifndef SW_INTERNAL_MARSHAL_H
#define SW_INTERNAL_MARSHAL_H

#include "internal/common.h"

/* Python/marshal.c */
#define SW_M_FLAG_REF 0x80
#define SW_M_MAX_STACK_DEPTH 2000 /* MAX_MARSHAL_STACK_DEPTH (not Windows) */

/* Code object fields in marshal order [#marshal.code]: 'I' an int32 read
 * inline (not an object), 'O' an object. */
#define SW_M_CODE3 "IIIIIOOOOOOOOIOO" /* 3.11: argcount, posonlyargcount, kwonlyargcount,
                                         stacksize, flags, code, consts, names,
                                         localsplusnames, localspluskinds, filename,
                                         name, qualname, firstlineno, linetable,
                                         exceptiontable */
#define SW_M_CODE2 "IIIIOOOOOOOOIO"   /* 2.7: argcount, nlocals, stacksize, flags, code,
                                         consts, names, varnames, freevars, cellvars,
                                         filename, name, firstlineno, lnotab */
#define SW_M_CODE3_N 16
#define SW_M_CODE2_N 14

#endif

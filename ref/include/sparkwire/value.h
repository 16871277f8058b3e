/*
 * The value graph [#value]: what every decoder produces and every encoder
 * consumes. Nodes live in an arena; a node reached twice is the same node,
 * so sharing and cycles are real (pickle memo and marshal refs keep identity).
 *
 * Ownership: every node, string and child array belongs to its arena and is
 * freed by sw_arena_reset()/sw_arena_free(). Nodes are mutable while being
 * built; a finished graph may be read from several threads at once.
 */
#ifndef SPARKWIRE_VALUE_H
#define SPARKWIRE_VALUE_H

#include "sparkwire.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_kind {
    SW_K_NONE = 1,
    SW_K_BOOL = 2,
    SW_K_INT = 3,       /* int64 fast path, or big (SW_VF_BIG) */
    SW_K_FLOAT = 4,     /* IEEE double, bit-exact */
    SW_K_COMPLEX = 5,
    SW_K_BYTES = 6,
    SW_K_BYTEARRAY = 7,
    SW_K_STR = 8,       /* UTF-8 with lone surrogates as 3-byte sequences (surrogatepass) */
    SW_K_TUPLE = 9,
    SW_K_LIST = 10,
    SW_K_DICT = 11,     /* items hold key, value, key, value... in insertion order */
    SW_K_SET = 12,
    SW_K_FROZENSET = 13,
    SW_K_ELLIPSIS = 14,
    SW_K_STOPITER = 15, /* StopIteration (marshal) */
    /* symbolic kinds [#value.symbolic] */
    SW_K_GLOBAL = 16,   /* items: [module str, name str]; hint: GLOBAL/STACK_GLOBAL/INST opcode */
    SW_K_OBJ = 17,      /* items: [callable, args, kwargs?]; sub: SW_OBJ_*; mutations */
    SW_K_PERSID = 18,   /* items: [pid]; hint: PERSID or BINPERSID */
    SW_K_EXT = 19,      /* u.i: extension code; hint: EXT1/EXT2/EXT4 */
    SW_K_BUFFER = 20,   /* u.i: out-of-band buffer index; sub: 1 if READONLY_BUFFER applied */
    SW_K_CODE = 21,     /* marshal code object; items: its fields in marshal order */
    SW_K_NAMEDTUPLE = 22/* PySpark's _restore(name, fields, values); items: [name, fields, values] */
} sw_kind;

#define SW_K_MAX 22

/* node flags */
#define SW_VF_BIG 0x01       /* SW_K_INT holds u.big */
#define SW_VF_MARSHAL_REF 0x02 /* marshal FLAG_REF was set on this node */
#define SW_VF_BORROWED 0x04  /* u.s.p points into caller memory, not the arena */
#define SW_VF_INTERNED 0x08  /* marshal: str was interned (type code) */

/* SW_K_OBJ construction forms (sub) [#value.obj] */
typedef enum sw_obj_op {
    SW_OBJ_REDUCE = 1,    /* callable(*args) */
    SW_OBJ_NEWOBJ = 2,    /* cls.__new__(cls, *args) */
    SW_OBJ_NEWOBJ_EX = 3, /* cls.__new__(cls, *args, **kwargs) */
    SW_OBJ_INST = 4,      /* INST module name: items[0] is a SW_K_GLOBAL */
    SW_OBJ_OBJ = 5        /* OBJ: cls(*args) */
} sw_obj_op;

/* Mutations applied to an object after it was made, in order [#value.obj]. */
typedef enum sw_mut_op {
    SW_MUT_APPEND = 1,   /* obj.append(a) (APPEND/APPENDS on a non-list) */
    SW_MUT_SETITEM = 2,  /* obj[a] = b (SETITEM/SETITEMS on a non-dict) */
    SW_MUT_ADD = 3,      /* obj.add(a) (ADDITEMS on a non-set) */
    SW_MUT_BUILD = 4,    /* BUILD with state a */
    SW_MUT_SETSTATE = 5  /* a(obj, b): a state_setter call whose result is popped */
} sw_mut_op;

typedef struct sw_value sw_value;

typedef struct sw_mut {
    uint8_t op;
    sw_value *a;
    sw_value *b;
} sw_mut;

struct sw_value {
    uint8_t kind;  /* sw_kind */
    uint8_t sub;   /* kind-specific form (sw_obj_op...) */
    uint8_t hint;  /* wire form it was read from (opcode/type code), 0 = none [#value.hints] */
    uint8_t flags; /* SW_VF_* */
    union {
        int b;                 /* SW_K_BOOL */
        int64_t i;             /* SW_K_INT (not big), SW_K_EXT, SW_K_BUFFER */
        struct {               /* SW_K_INT with SW_VF_BIG: sign and magnitude */
            uint8_t *mag;      /* little-endian magnitude, no high zero bytes */
            size_t n;
            int neg;
        } big;
        double f;              /* SW_K_FLOAT */
        struct {
            double re, im;
        } cx;                  /* SW_K_COMPLEX */
        struct {
            const uint8_t *p;  /* SW_K_BYTES, SW_K_BYTEARRAY, SW_K_STR */
            size_t n;
        } s;
        struct {               /* containers and symbolic kinds */
            sw_value **v;
            size_t n, cap;
            sw_mut *mut;       /* SW_K_OBJ only */
            size_t nmut, capmut;
        } c;
    } u;
};

/* ---- arena ---- */

typedef struct sw_arena sw_arena;

/* New arena with allocator a (NULL = libc) and limits l (NULL = defaults).
 * Returns NULL when out of memory. */
sw_arena *sw_arena_new(const sw_alloc *a, const sw_limits *l);
void sw_arena_free(sw_arena *ar);
/* Drop every node; keeps one block for reuse. */
void sw_arena_reset(sw_arena *ar);
/* The status of the arena's first failed allocation since the last reset
 * (SW_E_NOMEM, SW_E_LIMIT_NODES or SW_E_LIMIT_TOTAL), or SW_OK. */
sw_status sw_arena_status(const sw_arena *ar);
uint64_t sw_arena_nodes(const sw_arena *ar);
uint64_t sw_arena_bytes(const sw_arena *ar);
const sw_limits *sw_arena_limits(const sw_arena *ar);
const sw_alloc *sw_arena_alloc(const sw_arena *ar);
/* Raw memory from the arena (8-byte aligned); NULL on failure. */
void *sw_arena_mem(sw_arena *ar, size_t n);
/* Grow a block obtained from sw_arena_mem from old_n to new_n bytes. */
void *sw_arena_grow(sw_arena *ar, void *p, size_t old_n, size_t new_n);

/* ---- constructors: NULL on failure, with the reason in sw_arena_status ---- */

sw_value *sw_v_new(sw_arena *ar, sw_kind k);
sw_value *sw_v_none(sw_arena *ar);
sw_value *sw_v_bool(sw_arena *ar, int b);
sw_value *sw_v_int(sw_arena *ar, int64_t i);
/* Int from sign and little-endian magnitude; normalises to int64 when it fits. */
sw_value *sw_v_int_mag(sw_arena *ar, int neg, const uint8_t *mag, size_t n);
/* Int from little-endian two's complement bytes (pickle LONG1/LONG4). */
sw_value *sw_v_int_le2c(sw_arena *ar, const uint8_t *p, size_t n);
sw_value *sw_v_float(sw_arena *ar, double f);
sw_value *sw_v_complex(sw_arena *ar, double re, double im);
/* String-like node of kind k (BYTES, BYTEARRAY, STR) copying p[0..n). */
sw_value *sw_v_strlike(sw_arena *ar, sw_kind k, const uint8_t *p, size_t n);
/* The same, pointing at p without copying (caller keeps p alive). */
sw_value *sw_v_strlike_borrow(sw_arena *ar, sw_kind k, const uint8_t *p, size_t n);
/* Container or symbolic node of kind k with room for cap children. */
sw_value *sw_v_container(sw_arena *ar, sw_kind k, size_t cap);
/* Append a child (dict: call twice, key then value). */
sw_status sw_v_push(sw_arena *ar, sw_value *c, sw_value *child);
/* Append a mutation to a SW_K_OBJ node. */
sw_status sw_v_mutate(sw_arena *ar, sw_value *obj, sw_mut_op op, sw_value *a, sw_value *b);

/* ---- reading ---- */

/* Number of children (for SW_K_OBJ: items then mutation operands). */
size_t sw_v_nchildren(const sw_value *v);
sw_value *sw_v_child(const sw_value *v, size_t i);
/* True for kinds whose identity the notation shows [#notation.identity]. */
int sw_v_identity_shown(const sw_value *v);
/* Equality as Python's == for the native kinds (int 1 == float 1.0 == True);
 * globals and namedtuples compare structurally, ext and buffer nodes by
 * their number, obj/persid/code nodes by identity (Python compares such
 * objects by identity unless their class says otherwise). Depth-limited; returns 1, 0, or -1 when too deep to
 * decide, also when the bound is hit below a container. */
int sw_v_pyeq(const sw_value *a, const sw_value *b, uint32_t max_depth);
/* 1 if Python can hash v (no list/dict/set/bytearray inside), 0 if not. */
int sw_v_hashable(const sw_value *v, uint32_t max_depth);
/* Structural graph equality including sharing (isomorphism with identity):
 * 1 equal, 0 not. Floats compare bit-exactly. */
int sw_v_graph_equal(const sw_value *a, const sw_value *b, const sw_alloc *al, uint32_t max_depth);

/* ---- ints ---- */

/* Decimal text of an int node into buf (cap bytes incl. NUL). Returns the
 * length needed (excluding NUL); writes nothing useful if cap is too small. */
size_t sw_int_to_decimal(const sw_value *v, char *buf, size_t cap);
/* Little-endian two's complement, minimal length as pickle's encode_long
 * (0 -> 0 bytes). Returns length needed. */
size_t sw_int_to_le2c(const sw_value *v, uint8_t *buf, size_t cap);
/* Parse optional sign and decimal digits into an int node. */
sw_value *sw_int_from_decimal(sw_arena *ar, const char *s, size_t n);
/* Number of significant bits of |v|. */
size_t sw_int_bit_length(const sw_value *v);

#ifdef __cplusplus
}
#endif
#endif

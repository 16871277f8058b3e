/*
 * sparkwire: a strictly specified reference codec for PySpark's serializers.
 *
 * This header holds what every part of the library shares: status codes,
 * the error record, the allocator, limits and decoding options.
 * The contract is SPEC.md; section ids are cited as [#section.id].
 *
 * Thread safety: the library keeps no global state. Distinct objects may be
 * used from distinct threads at once; one object (arena, reader, sink) must
 * not be used by two threads at once.
 */
#ifndef SPARKWIRE_H
#define SPARKWIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SW_VERSION_STRING "0.1.0"

/*
 * Status codes [#errors.status]. Numbers are explicit and never reused.
 * The hundreds digit is the category, so classifying is a comparison:
 *   0xx ok, 1xx truncated, 2xx malformed, 3xx limit exceeded,
 *   4xx out of memory, 5xx unsupported, 6xx I/O, 7xx caller error.
 */
typedef enum sw_status {
    SW_OK = 0,
    SW_END = 1, /* clean end of a stream or section: not an error */

    SW_E_TRUNCATED = 100,         /* input ended inside an item */
    SW_E_TRUNCATED_LENGTH = 101,  /* input ended inside a 4- or 8-byte integer */
    SW_E_TRUNCATED_FRAME = 102,   /* input ended inside a frame's payload */
    SW_E_TRUNCATED_PAYLOAD = 103, /* a payload (pickle, marshal...) ended early */

    SW_E_MALFORMED = 200,         /* generic malformed input */
    SW_E_BAD_LENGTH = 201,        /* a length that no stream may carry */
    SW_E_UNEXPECTED_SPECIAL = 202,/* a SpecialLengths value where none may stand */
    SW_E_TRAILING = 203,          /* bytes after the end of an item or stream */
    SW_E_BAD_UTF8 = 204,          /* text that Python's strict UTF-8 decoder rejects */
    SW_E_BAD_OPCODE = 205,        /* unknown pickle opcode or marshal type code */
    SW_E_BAD_STACK = 206,         /* pickle stack underflow or wrong item type */
    SW_E_BAD_MARK = 207,          /* pickle MARK missing or misplaced */
    SW_E_BAD_MEMO = 208,          /* pickle memo key or marshal ref missing */
    SW_E_BAD_PROTO = 209,         /* unsupported pickle protocol */
    SW_E_BAD_FRAME = 210,         /* pickle FRAME violation */
    SW_E_BAD_TAG = 211,           /* AutoSerializer tag byte not M or P */
    SW_E_BAD_VALUE = 212,         /* an argument with a bad value (text int, float...) */
    SW_E_UNHASHABLE = 213,        /* a dict key or set member Python cannot hash */
    SW_E_DUP_KEY = 214,           /* equal keys merged (strict mode reports) */
    SW_E_BATCH_TYPE = 215,        /* a batch payload that is not a list */
    SW_E_BATCH_MISMATCH = 216,    /* pair batches of unequal length */
    SW_E_ZLIB = 217,              /* zlib stream malformed */
    SW_E_EXCEPTION_FRAME = 218,   /* PYTHON_EXCEPTION_THROWN in a stream */
    SW_E_SYNTAX = 219,            /* notation or serializer-spec text malformed */
    SW_E_BAD_SPEC = 220,          /* unknown serializer name or bad argument */
    SW_E_NO_STOP = 221,           /* pickle ended without STOP */
    SW_E_TYPE = 222,              /* Python TypeError raised while building a value */

    SW_E_LIMIT_FRAME = 300,       /* frame longer than limits.max_frame_bytes */
    SW_E_LIMIT_DEPTH = 301,       /* nesting deeper than limits.max_depth */
    SW_E_LIMIT_NODES = 302,       /* more nodes than limits.max_nodes */
    SW_E_LIMIT_TOTAL = 303,       /* more bytes than limits.max_total_bytes */
    SW_E_LIMIT_MEMO = 304,        /* more memo entries than limits.max_memo */
    SW_E_LIMIT_INFLATE = 305,     /* zlib output over limits.max_inflated_bytes */
    SW_E_LIMIT_EXPANSION = 306,   /* expansion budget exceeded */
    SW_E_LIMIT_INT_DIGITS = 307,  /* int text longer than limits.max_int_digits */
    SW_E_LIMIT_ITEMS = 308,       /* more items than limits.max_items */

    SW_E_NOMEM = 400,             /* the allocator returned NULL */

    SW_E_UNSUPPORTED = 500,       /* valid input this build does not handle */
    SW_E_UNSUPPORTED_PERSID = 501,/* persistent id without persistent_load */
    SW_E_UNSUPPORTED_EXT = 502,   /* extension code not in the registry */
    SW_E_UNSUPPORTED_BUFFER = 503,/* out-of-band buffer without buffers */
    SW_E_UNSUPPORTED_CODE = 504,  /* marshal code object (strict mode) */
    SW_E_UNENCODABLE = 505,       /* a graph the chosen encoder cannot write */

    SW_E_IO = 600,                /* I/O error */
    SW_E_IO_READ = 601,
    SW_E_IO_WRITE = 602,

    SW_E_ARG = 700,               /* caller passed an invalid argument */
    SW_E_STATE = 701              /* call out of order (reader already failed...) */
} sw_status;

/* Category of a status: its hundreds digit times 100 (SW_E_TRUNCATED...). */
#define SW_STATUS_CATEGORY(s) ((sw_status)(((int)(s) / 100) * 100))
#define SW_IS_ERROR(s) ((int)(s) >= 100)

/* Static name of a status ("truncated_length"); never NULL. */
const char *sw_status_str(sw_status s);
/* Static name of a status' category ("truncated", "malformed"...). */
const char *sw_category_str(sw_status s);

/* The layer that failed [#errors.layer]. */
typedef enum sw_layer {
    SW_LAYER_NONE = 0,
    SW_LAYER_WIRE = 1,     /* big-endian integers */
    SW_LAYER_FRAME = 2,    /* length-prefixed frames */
    SW_LAYER_PICKLE = 3,
    SW_LAYER_MARSHAL = 4,
    SW_LAYER_ZLIB = 5,
    SW_LAYER_UTF8 = 6,
    SW_LAYER_BATCH = 7,
    SW_LAYER_AUTO = 8,
    SW_LAYER_PAIR = 9,
    SW_LAYER_NOTATION = 10,
    SW_LAYER_SPEC = 11,
    SW_LAYER_IO = 12,
    SW_LAYER_VALUE = 13,   /* value graph / arena */
    SW_LAYER_CHUNKED = 14
} sw_layer;

const char *sw_layer_str(sw_layer l);

/*
 * The Python exception CPython/PySpark raises for the same input
 * [#errors.pyexc]. Used by the `pyspark` mode to decide what ends a stream
 * silently (EOFError inside FramedSerializer.load_stream) and reported in
 * vectors.
 */
typedef enum sw_pyexc {
    SW_PYEXC_NONE = 0,
    SW_PYEXC_EOFERROR = 1,
    SW_PYEXC_UNPICKLINGERROR = 2,
    SW_PYEXC_VALUEERROR = 3,
    SW_PYEXC_TYPEERROR = 4,
    SW_PYEXC_STRUCTERROR = 5,
    SW_PYEXC_ZLIBERROR = 6,
    SW_PYEXC_UNICODEDECODEERROR = 7,
    SW_PYEXC_KEYERROR = 8,
    SW_PYEXC_INDEXERROR = 9,
    SW_PYEXC_OVERFLOWERROR = 10,
    SW_PYEXC_MEMORYERROR = 11,
    SW_PYEXC_ATTRIBUTEERROR = 12,
    SW_PYEXC_RECURSIONERROR = 13,
    SW_PYEXC_OTHER = 14
} sw_pyexc;

const char *sw_pyexc_str(sw_pyexc e);

/*
 * The error record [#errors.record]. Filled on failure by every decoder;
 * on success it is left untouched.
 */
typedef struct sw_error {
    sw_status status;
    sw_layer layer;
    sw_pyexc pyexc;          /* what Python would raise, when known */
    uint64_t offset;         /* byte offset in the outer stream */
    uint64_t payload_offset; /* byte offset inside the failing layer's payload */
    uint64_t item;           /* index of the item being decoded (0-based) */
    const char *msg;         /* static text, never NULL after a failure */
    const char *file;        /* source file that raised it (debug builds) */
    int line;
} sw_error;

/* Clear an error record to "no error". */
void sw_error_clear(sw_error *e);
/* Format the text form of [#errors.record] into buf ("category/status
 * layer=L offset=N payload_offset=M item=K[ pyexc=E]: msg"); returns the
 * length it needs, like snprintf. */
size_t sw_error_format(const sw_error *e, char *buf, size_t cap);

/*
 * The allocator [#api.alloc]. NULL anywhere an allocator is asked for means
 * libc. realloc and free receive the old size. A NULL result is reported as
 * SW_E_NOMEM; the library never aborts.
 */
typedef struct sw_alloc {
    void *ctx;
    void *(*malloc_fn)(void *ctx, size_t size);
    void *(*realloc_fn)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free_fn)(void *ctx, void *ptr, size_t size);
} sw_alloc;

/* The libc allocator (static, never NULL). */
const sw_alloc *sw_alloc_libc(void);

/*
 * Limits [#limits]. Every decoder and encoder honours them; each has its own
 * status. 0 in a field means "the default". sw_limits_default() fills the
 * documented defaults.
 */
typedef struct sw_limits {
    uint64_t max_frame_bytes;    /* largest frame payload; default 256 MiB */
    uint32_t max_depth;          /* deepest nesting of a value; default 2000 */
    uint64_t max_nodes;          /* nodes per arena; default 64 Mi */
    uint64_t max_total_bytes;    /* bytes held by one arena; default 1 GiB */
    uint64_t max_memo;           /* pickle memo entries / marshal refs; default 16 Mi */
    uint64_t max_inflated_bytes; /* zlib output per frame; default 256 MiB */
    uint64_t max_expansion;      /* nodes reachable counting shared ones again, per item; default 64 Mi */
    uint32_t max_int_digits;     /* decimal digits of a text int; default 4300 as CPython */
    uint64_t max_items;          /* items per stream; default unlimited (UINT64_MAX) */
} sw_limits;

#define SW_DEFAULT_MAX_FRAME_BYTES (256u * 1024u * 1024u)
#define SW_DEFAULT_MAX_DEPTH 2000u
#define SW_DEFAULT_MAX_NODES (64u * 1024u * 1024u)
#define SW_DEFAULT_MAX_TOTAL_BYTES (1024u * 1024u * 1024u)
#define SW_DEFAULT_MAX_MEMO (16u * 1024u * 1024u)
#define SW_DEFAULT_MAX_INFLATED_BYTES (256u * 1024u * 1024u)
#define SW_DEFAULT_MAX_EXPANSION (64u * 1024u * 1024u)
#define SW_DEFAULT_MAX_INT_DIGITS 4300u

void sw_limits_default(sw_limits *l);
/* Replace every 0 field of l by its default. */
void sw_limits_fill(sw_limits *l);

/* The two decoding modes [#modes]. */
typedef enum sw_mode {
    SW_MODE_PYSPARK = 0, /* what PySpark does, quirks included (default) */
    SW_MODE_STRICT = 1   /* every deviation from a well-formed stream is an error */
} sw_mode;

const char *sw_mode_str(sw_mode m);

#ifdef __cplusplus
}
#endif
#endif

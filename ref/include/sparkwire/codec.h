/*
 * Payload codecs: pickle [#pickle] and marshal [#marshal], and the text
 * notation [#notation]. Each decoder reads one payload from memory into an
 * arena; each encoder appends bytes to a sw_buf.
 *
 * Decoders set err->layer, err->payload_offset (offset inside the payload)
 * and err->pyexc; err->offset is the caller's business (the frame layer adds
 * the payload's position in the stream). On failure *out is NULL.
 */
#ifndef SPARKWIRE_CODEC_H
#define SPARKWIRE_CODEC_H

#include "io.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- pickle ---- */

/* How 8-bit strings of Python 2 pickles (STRING, BINSTRING,
 * SHORT_BINSTRING) decode [#pickle.encoding]. */
typedef enum sw_pickle_encoding {
    SW_PICKLE_ENC_BYTES = 0,  /* encoding="bytes": PySpark's choice */
    SW_PICKLE_ENC_ASCII = 1,  /* Python's default */
    SW_PICKLE_ENC_LATIN1 = 2
} sw_pickle_encoding;

typedef struct sw_pickle_opts {
    sw_mode mode;
    sw_pickle_encoding encoding;
    int fix_imports;   /* map Python 2 module names as CPython (default 1) */
    int symbolic_ext;  /* keep PERSID/EXT/NEXT_BUFFER as symbolic nodes instead of
                          CPython's errors (default 0) */
    int resolve;       /* run sw_pickle_resolve on the result (default 1) */
} sw_pickle_opts;

void sw_pickle_opts_default(sw_pickle_opts *o);

/* Decode one pickle from p[0..n). *consumed is the offset after STOP (bytes
 * after it are the caller's: pickle.loads ignores them). Limits come from
 * the arena. */
sw_status sw_pickle_decode(sw_arena *ar, const uint8_t *p, size_t n, const sw_pickle_opts *o,
                           sw_value **out, size_t *consumed, sw_error *err);

/* Turn well-known constructors into native values exactly where CPython's
 * unpickler produces them [#pickle.resolve]. */
sw_status sw_pickle_resolve(sw_arena *ar, sw_value **root, const sw_pickle_opts *o, sw_error *err);

typedef struct sw_pickle_enc_opts {
    int protocol;      /* 0..5; -1 means 5 (pickle.HIGHEST_PROTOCOL) */
    int use_hints;     /* reproduce the opcodes recorded in node hints (default 1) */
    sw_limits limits;  /* depth and output size (max_total_bytes) */
} sw_pickle_enc_opts;

void sw_pickle_enc_opts_default(sw_pickle_enc_opts *o);

/* Append the pickle of v to out, byte-identical to CPython's
 * pickle.dumps(obj, protocol) for graphs CPython could have written
 * [#pickle.encode]. */
sw_status sw_pickle_encode(const sw_value *v, const sw_pickle_enc_opts *o, sw_buf *out,
                           sw_error *err);

/* pickletools.dis -a -m style listing of one pickle [#pickle.dis]. indent is
 * a prefix for each line; base is the payload's offset in the stream. */
sw_status sw_pickle_dis(const uint8_t *p, size_t n, uint64_t base, const char *indent,
                        sw_buf *out, sw_error *err);

/* ---- marshal ---- */

typedef struct sw_marshal_opts {
    sw_mode mode;
    int py2;           /* Python 2 dialect (PySpark 1.x) [#marshal.py2] */
    int allow_code;    /* code objects as SW_K_CODE (default 1 in pyspark mode) */
} sw_marshal_opts;

void sw_marshal_opts_default(sw_marshal_opts *o);

sw_status sw_marshal_decode(sw_arena *ar, const uint8_t *p, size_t n, const sw_marshal_opts *o,
                            sw_value **out, size_t *consumed, sw_error *err);

typedef struct sw_marshal_enc_opts {
    int version;       /* 0..4; -1 means 4 (marshal.version on CPython 3.11) */
    int py2;
    int use_hints;     /* reproduce FLAG_REF bits and type codes from hints (default 1) */
    sw_limits limits;
} sw_marshal_enc_opts;

void sw_marshal_enc_opts_default(sw_marshal_enc_opts *o);

sw_status sw_marshal_encode(const sw_value *v, const sw_marshal_enc_opts *o, sw_buf *out,
                            sw_error *err);

sw_status sw_marshal_dis(const uint8_t *p, size_t n, uint64_t base, const char *indent,
                         const sw_marshal_opts *o, sw_buf *out, sw_error *err);

/* ---- text notation [#notation] ---- */

/* Print v in the canonical text notation (no trailing newline).
 * max_depth 0 = SW_DEFAULT_MAX_DEPTH. */
sw_status sw_notation_print(const sw_value *v, sw_buf *out, uint32_t max_depth, sw_error *err);

/* Parse one value from text[0..n) (surrounding spaces allowed). Errors are
 * SW_E_SYNTAX with err->payload_offset at the offending character. */
sw_status sw_notation_parse(sw_arena *ar, const char *text, size_t n, sw_value **out,
                            sw_error *err);

#ifdef __cplusplus
}
#endif
#endif

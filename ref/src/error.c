/* Status names, the error record and limits [#errors] [#limits]. */
#include <stdio.h>

#include "internal/common.h"

const char *sw_status_str(sw_status s)
{
    switch (s) {
    case SW_OK: return "ok";
    case SW_END: return "end";
    case SW_E_TRUNCATED: return "truncated";
    case SW_E_TRUNCATED_LENGTH: return "truncated_length";
    case SW_E_TRUNCATED_FRAME: return "truncated_frame";
    case SW_E_TRUNCATED_PAYLOAD: return "truncated_payload";
    case SW_E_MALFORMED: return "malformed";
    case SW_E_BAD_LENGTH: return "bad_length";
    case SW_E_UNEXPECTED_SPECIAL: return "unexpected_special";
    case SW_E_TRAILING: return "trailing";
    case SW_E_BAD_UTF8: return "bad_utf8";
    case SW_E_BAD_OPCODE: return "bad_opcode";
    case SW_E_BAD_STACK: return "bad_stack";
    case SW_E_BAD_MARK: return "bad_mark";
    case SW_E_BAD_MEMO: return "bad_memo";
    case SW_E_BAD_PROTO: return "bad_proto";
    case SW_E_BAD_FRAME: return "bad_frame";
    case SW_E_BAD_TAG: return "bad_tag";
    case SW_E_BAD_VALUE: return "bad_value";
    case SW_E_UNHASHABLE: return "unhashable";
    case SW_E_DUP_KEY: return "dup_key";
    case SW_E_BATCH_TYPE: return "batch_type";
    case SW_E_BATCH_MISMATCH: return "batch_mismatch";
    case SW_E_ZLIB: return "zlib";
    case SW_E_EXCEPTION_FRAME: return "exception_frame";
    case SW_E_SYNTAX: return "syntax";
    case SW_E_BAD_SPEC: return "bad_spec";
    case SW_E_NO_STOP: return "no_stop";
    case SW_E_TYPE: return "type";
    case SW_E_LIMIT_FRAME: return "limit_frame";
    case SW_E_LIMIT_DEPTH: return "limit_depth";
    case SW_E_LIMIT_NODES: return "limit_nodes";
    case SW_E_LIMIT_TOTAL: return "limit_total";
    case SW_E_LIMIT_MEMO: return "limit_memo";
    case SW_E_LIMIT_INFLATE: return "limit_inflate";
    case SW_E_LIMIT_EXPANSION: return "limit_expansion";
    case SW_E_LIMIT_INT_DIGITS: return "limit_int_digits";
    case SW_E_LIMIT_ITEMS: return "limit_items";
    case SW_E_NOMEM: return "nomem";
    case SW_E_UNSUPPORTED: return "unsupported";
    case SW_E_UNSUPPORTED_PERSID: return "unsupported_persid";
    case SW_E_UNSUPPORTED_EXT: return "unsupported_ext";
    case SW_E_UNSUPPORTED_BUFFER: return "unsupported_buffer";
    case SW_E_UNSUPPORTED_CODE: return "unsupported_code";
    case SW_E_UNENCODABLE: return "unencodable";
    case SW_E_IO: return "io";
    case SW_E_IO_READ: return "io_read";
    case SW_E_IO_WRITE: return "io_write";
    case SW_E_ARG: return "arg";
    case SW_E_STATE: return "state";
    }
    return "unknown_status";
}

const char *sw_category_str(sw_status s)
{
    switch ((int)s / 100) {
    case 0: return "ok";
    case 1: return "truncated";
    case 2: return "malformed";
    case 3: return "limit";
    case 4: return "nomem";
    case 5: return "unsupported";
    case 6: return "io";
    case 7: return "usage";
    default: return "unknown";
    }
}

const char *sw_layer_str(sw_layer l)
{
    switch (l) {
    case SW_LAYER_NONE: return "none";
    case SW_LAYER_WIRE: return "wire";
    case SW_LAYER_FRAME: return "frame";
    case SW_LAYER_PICKLE: return "pickle";
    case SW_LAYER_MARSHAL: return "marshal";
    case SW_LAYER_ZLIB: return "zlib";
    case SW_LAYER_UTF8: return "utf8";
    case SW_LAYER_BATCH: return "batch";
    case SW_LAYER_AUTO: return "auto";
    case SW_LAYER_PAIR: return "pair";
    case SW_LAYER_NOTATION: return "notation";
    case SW_LAYER_SPEC: return "spec";
    case SW_LAYER_IO: return "io";
    case SW_LAYER_VALUE: return "value";
    case SW_LAYER_CHUNKED: return "chunked";
    }
    return "unknown";
}

const char *sw_pyexc_str(sw_pyexc e)
{
    switch (e) {
    case SW_PYEXC_NONE: return "";
    case SW_PYEXC_EOFERROR: return "EOFError";
    case SW_PYEXC_UNPICKLINGERROR: return "UnpicklingError";
    case SW_PYEXC_VALUEERROR: return "ValueError";
    case SW_PYEXC_TYPEERROR: return "TypeError";
    case SW_PYEXC_STRUCTERROR: return "struct.error";
    case SW_PYEXC_ZLIBERROR: return "zlib.error";
    case SW_PYEXC_UNICODEDECODEERROR: return "UnicodeDecodeError";
    case SW_PYEXC_KEYERROR: return "KeyError";
    case SW_PYEXC_INDEXERROR: return "IndexError";
    case SW_PYEXC_OVERFLOWERROR: return "OverflowError";
    case SW_PYEXC_MEMORYERROR: return "MemoryError";
    case SW_PYEXC_ATTRIBUTEERROR: return "AttributeError";
    case SW_PYEXC_RECURSIONERROR: return "RecursionError";
    case SW_PYEXC_OTHER: return "Exception";
    }
    return "Exception";
}

const char *sw_mode_str(sw_mode m) { return m == SW_MODE_STRICT ? "strict" : "pyspark"; }

void sw_error_clear(sw_error *e)
{
    if (!e) return;
    memset(e, 0, sizeof *e);
    e->status = SW_OK;
}

sw_status sw__fail(sw_error *err, sw_status st, sw_layer layer, sw_pyexc pyexc, uint64_t offset,
                   uint64_t payload_offset, const char *msg, const char *file, int line)
{
    if (err) {
        err->status = st;
        err->layer = layer;
        err->pyexc = pyexc;
        err->offset = offset;
        err->payload_offset = payload_offset;
        err->msg = msg ? msg : sw_status_str(st);
        err->file = file;
        err->line = line;
    }
    return st;
}

size_t sw_error_format(const sw_error *e, char *buf, size_t cap)
{
    /* [#errors.record] the text form the CLI and the runner print */
    int n = snprintf(buf, cap, "%s/%s layer=%s offset=%llu payload_offset=%llu item=%llu%s%s: %s",
                     sw_category_str(e->status), sw_status_str(e->status), sw_layer_str(e->layer),
                     (unsigned long long)e->offset, (unsigned long long)e->payload_offset,
                     (unsigned long long)e->item, e->pyexc ? " pyexc=" : "", e->pyexc ? sw_pyexc_str(e->pyexc) : "",
                     e->msg ? e->msg : "");
    return n < 0 ? 0 : (size_t)n;
}

void sw_limits_default(sw_limits *l)
{
    l->max_frame_bytes = SW_DEFAULT_MAX_FRAME_BYTES;
    l->max_depth = SW_DEFAULT_MAX_DEPTH;
    l->max_nodes = SW_DEFAULT_MAX_NODES;
    l->max_total_bytes = SW_DEFAULT_MAX_TOTAL_BYTES;
    l->max_memo = SW_DEFAULT_MAX_MEMO;
    l->max_inflated_bytes = SW_DEFAULT_MAX_INFLATED_BYTES;
    l->max_expansion = SW_DEFAULT_MAX_EXPANSION;
    l->max_int_digits = SW_DEFAULT_MAX_INT_DIGITS;
    l->max_items = UINT64_MAX;
}

void sw_limits_fill(sw_limits *l)
{
    sw_limits d;
    sw_limits_default(&d);
    if (!l->max_frame_bytes) l->max_frame_bytes = d.max_frame_bytes;
    if (!l->max_depth) l->max_depth = d.max_depth;
    if (!l->max_nodes) l->max_nodes = d.max_nodes;
    if (!l->max_total_bytes) l->max_total_bytes = d.max_total_bytes;
    if (!l->max_memo) l->max_memo = d.max_memo;
    if (!l->max_inflated_bytes) l->max_inflated_bytes = d.max_inflated_bytes;
    if (!l->max_expansion) l->max_expansion = d.max_expansion;
    if (!l->max_int_digits) l->max_int_digits = d.max_int_digits;
    if (!l->max_items) l->max_items = d.max_items;
}

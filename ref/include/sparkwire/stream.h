/*
 * Serializer stacks and streams [#spec] [#frame] [#ser]: parse a serializer
 * by PySpark's repr text, decode a stream into items, encode items into a
 * stream, and list a stream's structure.
 */
#ifndef SPARKWIRE_STREAM_H
#define SPARKWIRE_STREAM_H

#include "codec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_ser_kind {
    SW_SER_NOOP = 1,         /* NoOpSerializer() */
    SW_SER_PICKLE = 2,       /* PickleSerializer() [protocol for encoding] */
    SW_SER_CLOUDPICKLE = 3,  /* CloudPickleSerializer() */
    SW_SER_MARSHAL = 4,      /* MarshalSerializer() */
    SW_SER_AUTO = 5,         /* AutoSerializer() */
    SW_SER_COMPRESSED = 6,   /* CompressedSerializer(S) */
    SW_SER_BATCHED = 7,      /* BatchedSerializer(S, n) */
    SW_SER_AUTOBATCHED = 8,  /* AutoBatchedSerializer(S) */
    SW_SER_FLATTENED = 9,    /* FlattenedValuesSerializer(S, n) */
    SW_SER_PAIR = 10,        /* PairDeserializer(A, B) */
    SW_SER_CARTESIAN = 11,   /* CartesianDeserializer(A, B) */
    SW_SER_UTF8 = 12,        /* UTF8Deserializer(True|False) */
    SW_SER_CHUNKED = 13      /* ChunkedStream(buffer_size) */
} sw_ser_kind;

/* Most serializers one spec may name (nesting is bounded separately, 64
 * levels) [#spec.grammar]. */
#define SW_SER_MAX_NODES 128

typedef struct sw_serializer sw_serializer;
struct sw_serializer {
    sw_ser_kind kind;
    int64_t n;               /* batch size, bestSize, buffer size */
    int protocol;            /* pickle protocol for encoding (-1 = 5) */
    int version;             /* marshal version for encoding (-1 = 4) */
    int use_unicode;         /* UTF8Deserializer */
    sw_serializer *a, *b;    /* inner serializer(s) */
};

/* Parse a serializer by its PySpark repr text [#spec.grammar], e.g.
 * "BatchedSerializer(PickleSerializer(), 1024)". Errors: SW_E_SYNTAX,
 * SW_E_BAD_SPEC (layer spec, payload_offset = character offset). */
sw_status sw_ser_parse(const char *text, sw_serializer **out, const sw_alloc *al, sw_error *err);
void sw_ser_free(sw_serializer *s, const sw_alloc *al);
/* PySpark's repr of s (plus our encoding arguments when not default). */
sw_status sw_ser_format(const sw_serializer *s, sw_buf *out);
/* 1 if s is a FramedSerializer in PySpark's class tree. */
int sw_ser_is_framed(const sw_serializer *s);

typedef struct sw_stream_opts {
    sw_mode mode;
    sw_limits limits;
    const sw_alloc *alloc;
    sw_pickle_encoding pickle_encoding; /* default bytes, as PickleSerializer.loads */
    int pickle_resolve;                 /* default 1 */
    int symbolic_ext;                   /* default 0 */
    int marshal_py2;                    /* default 0 */
    int auto_intended;  /* AutoSerializer: 1 = tag semantics even in pyspark mode [#ser.auto] */
    int keep_items;     /* 1 = never reset the arena: every item stays valid */
} sw_stream_opts;

void sw_stream_opts_default(sw_stream_opts *o);

typedef struct sw_decoder sw_decoder;

/* A decoder of the stream in src. src must outlive the decoder. */
sw_status sw_decoder_new(const sw_serializer *s, sw_source *src, const sw_stream_opts *o,
                         sw_decoder **out);
/* Next item: SW_OK with *item set (valid until the next call, or for ever
 * with keep_items), SW_END at the end of the stream, or an error (err filled,
 * err->item = index of the failing item). After an error or SW_END every
 * later call returns the same status. */
sw_status sw_decoder_next(sw_decoder *d, sw_value **item, sw_error *err);
/* The arena items live in. */
sw_arena *sw_decoder_arena(sw_decoder *d);
/* Items delivered so far. */
uint64_t sw_decoder_count(const sw_decoder *d);
void sw_decoder_free(sw_decoder *d);

typedef struct sw_encoder sw_encoder;

sw_status sw_encoder_new(const sw_serializer *s, sw_sink *out, const sw_stream_opts *o,
                         sw_encoder **enc);
/* Add one item. Batching serializers buffer items until a batch is full. */
sw_status sw_encoder_put(sw_encoder *e, const sw_value *item, sw_error *err);
/* Flush the last batch and any terminator. */
sw_status sw_encoder_finish(sw_encoder *e, sw_error *err);
void sw_encoder_free(sw_encoder *e);

/* Structure listing [#dis]: frames with offsets and lengths, and the payload
 * codecs' own listings inside. */
sw_status sw_stream_dis(const sw_serializer *s, sw_source *src, const sw_stream_opts *o,
                        sw_buf *out, sw_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*
 * Fuzzing oracles for sparkwire [#fuzz]: the checks every target runs on the
 * library's answers, beyond "it did not crash". A failed check calls
 * fz_fail(), which aborts (fuzz code only; the library never aborts) unless
 * a hook is installed (the CUnit replay suite counts failures instead).
 *
 * Each target file defines `int fz_target_NAME(const uint8_t *, size_t)` and
 * ends with FZ_ENTRY(NAME), which becomes LLVMFuzzerTestOneInput unless
 * FZ_NO_ENTRY is defined (the replay suite links every target into one
 * program).
 */
#ifndef SW_FUZZ_ORACLE_H
#define SW_FUZZ_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "sparkwire/codec.h"
#include "sparkwire/stream.h"

#ifdef FZ_NO_ENTRY
#define FZ_ENTRY(name)
#else
#define FZ_ENTRY(name)                                                 \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);      \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)       \
    {                                                                  \
        return fz_target_##name(data, size);                           \
    }
#endif

/* ---- failure reporting ---- */

/* Called on an oracle failure. Default: print what failed and abort(). */
typedef void (*fz_fail_hook)(const char *what, const char *detail);
void fz_set_fail_hook(fz_fail_hook h);
void fz_fail(const char *what, const char *detail);

/* ---- describing an input [#fuzz.describe] ----
 * Set by the replay program's --describe: the targets then print what an
 * input means (the serializer, options and limits its configuration bytes
 * chose, and the stream or payload bytes after them) as one JSON object on
 * stdout, and run no check. */
extern int fz_describe;

/* With fz_describe set: print the payload target's description and return 1
 * (the target returns); else 0. kind: "pickle", "marshal" or "notation";
 * opts: a JSON fragment of the options ("" for none). */
int fz_describe_payload(const char *target, const char *kind, sw_mode mode, const char *opts, const uint8_t *p,
                        size_t n);

/* ---- reading configuration bytes from the front of an input ---- */

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

/* Next byte (0 when the input is used up); consumes it. */
uint8_t fz_byte(fz_in *in);

/* specs[b % n] for the next byte b (consumed): a target's serializer table. */
const char *fz_pick(fz_in *in, const char *const *specs, size_t n);
#define FZ_PICK(in, table) fz_pick((in), (table), sizeof(table) / sizeof((table)[0]))

/* ---- the failing allocator [#fuzz.alloc] ----
 * Counts live bytes; fails every allocation once `budget` live bytes would
 * be exceeded (0 = no cap) or from the `fail_at`-th allocation on
 * (0 = never). `failed` counts refused requests. */
typedef struct fz_alloc {
    sw_alloc al;
    uint64_t budget;
    uint64_t fail_at;
    uint64_t calls;
    uint64_t failed;
    long long live;
    long long blocks;
} fz_alloc;

void fz_alloc_init(fz_alloc *f, uint64_t budget, uint64_t fail_at);
/* Every byte given back: live == 0 and blocks == 0, else fz_fail. */
void fz_alloc_check_clean(const fz_alloc *f, const char *where);

/* ---- stream decoding oracles ---- */

typedef struct fz_stream_cfg {
    const char *spec;   /* serializer repr text */
    sw_mode mode;
    int auto_intended;
    int symbolic_ext;
    int marshal_py2;
    int pickle_encoding;
    sw_limits limits;   /* 0 fields = defaults */
    uint8_t chunks[4];  /* callback read sizes, cycled (0 = 1) */
    int alloc_mode;     /* 0 none, 1 byte budget, 2 fail at Nth */
    uint64_t alloc_arg;
    int roundtrip;      /* [#fuzz.stream-roundtrip] re-encode the items and decode strictly */
} fz_stream_cfg;

/* Fill cfg from configuration bytes: mode, chunk sizes, allocator mode. */
void fz_stream_cfg_from(fz_stream_cfg *c, const char *spec, fz_in *in);

/* Decode data through cfg->spec and check:
 *  [#fuzz.offset]  every error offset lies within the input;
 *  [#fuzz.chunked] memory source and callback source (chunked reads) give
 *                  the same item texts and the same final error record;
 *  [#fuzz.alloc]   with the failing allocator the result is the same or a
 *                  clean SW_E_NOMEM (prefix of the same items, no leak);
 *  [#fuzz.notation] every item's text parses back and prints the same;
 *  [#fuzz.stream-roundtrip] (cfg->roundtrip) the items encoded through the
 *                  same serializer decode in strict mode to the same items.
 * Returns the final status of the memory run. */
sw_status fz_check_stream(const fz_stream_cfg *cfg, const uint8_t *data, size_t size);

/* sw_stream_dis on the input: no crash, error offsets within the input. */
void fz_check_dis(const fz_stream_cfg *cfg, const uint8_t *data, size_t size);

/* ---- value oracles ---- */

/* [#fuzz.notation] print v, parse, print again: the same text, and the
 * parsed graph equals v (sw_v_graph_equal). Skips texts a limit refuses. */
void fz_check_notation(const sw_value *v);

/* [#fuzz.roundtrip] encode v as pickle (protocol) or marshal (version):
 * encoder refusals (unencodable, unsupported, limits, nomem) are accepted;
 * otherwise, with exact (v came from a payload decoder), the encoding decodes
 * (pickle: with sw_pickle_resolve, as pickle.loads), consuming all of it, to
 * w equal to v as the notation shows it (same text: identity of mutable
 * nodes included, of immutable scalars not, as CPython's pickler does not
 * memoize them), and encode(w) == encode(v) byte for byte. Without exact
 * (v parsed from the notation: maybe no graph Python can hold, e.g. a set in
 * a set) decode errors are accepted and the exact check runs on w instead.
 * encoding: the sw_pickle_encoding v was decoded with (hints may write Python
 * 2 STRING opcodes back for str values). */
void fz_check_pickle_roundtrip(const sw_value *v, int protocol, int exact, int encoding);
void fz_check_marshal_roundtrip(const sw_value *v, int version, int py2, int exact);

/* ---- payload decoder oracles (pickle_decode, marshal_decode) ---- */

/* A payload decoder with its options behind a pointer: sw_pickle_decode or
 * sw_marshal_decode. */
typedef sw_status (*fz_decode_fn)(sw_arena *ar, const uint8_t *p, size_t n, const void *opts,
                                  sw_value **out, size_t *consumed, sw_error *err);

/* [#fuzz.offset] the answer of a payload decoder on n bytes: on success a
 * value and consumed <= n; on failure *out NULL and a filled record (status,
 * layer) whose payload_offset <= n. who names the target in the failure.
 * Returns 1 when v is a value the value oracles can run on. */
int fz_check_payload_result(const char *who, sw_status st, const sw_value *v, size_t consumed, size_t n,
                            const sw_error *e);

/* [#fuzz.alloc] decode the same payload again with a failing allocator
 * chosen by the configuration byte a (a % 3: 0 none, 1 byte budget of
 * 256 + (a >> 2) * 512, 2 fail from allocation 1 + (a >> 2) on): the same
 * status or nomem, the same graph on success, every byte given back.
 * st and v are the answer with the libc allocator. */
void fz_check_payload_alloc(const char *who, uint8_t a, fz_decode_fn fn, const void *opts, const uint8_t *p,
                            size_t n, sw_status st, const sw_value *v);

/* 1 if st is an encoder's acceptable refusal */
int fz_refusal(sw_status st);

#endif

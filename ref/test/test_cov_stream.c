/* Stream encoders and decoders: the items each serializer refuses to write
 * ([#ser.flattened] [#ser.pair.encode] [#ser.cartesian.encode] [#utf8.encode]
 * [#chunked]), the encoder's call order, AutoBatchedSerializer's batch size
 * halving [#ser.autobatched], and how batches of other kinds are iterated
 * [#ser.iter] [#ser.pair.strict]. */
#include <stdlib.h>

#include <zlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

static sw_value *parse(sw_arena *ar, const char *text)
{
    sw_value *v = NULL;
    sw_error e;
    CU_ASSERT_EQUAL_FATAL(sw_notation_parse(ar, text, strlen(text), &v, &e), SW_OK);
    return v;
}

/* encode the notation items (NULL-terminated) with spec into out; returns the
 * status of the first failing put or of finish, err filled */
static sw_status encode(const char *spec, const char *const *items, sw_buf *out, size_t *nput, sw_error *err)
{
    sw_serializer *s;
    sw_sink k;
    sw_encoder *enc;
    sw_stream_opts o;
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_status st = SW_OK;
    size_t i;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, err), SW_OK);
    sw_stream_opts_default(&o);
    sw_sink_buf(&k, out);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, &o, &enc), SW_OK);
    sw_test_junk(err, sizeof *err);
    for (i = 0; items[i] && st == SW_OK; i++) st = sw_encoder_put(enc, parse(ar, items[i]), err);
    *nput = i;
    if (st == SW_OK) st = sw_encoder_finish(enc, err);
    sw_encoder_free(enc);
    sw_ser_free(s, NULL);
    sw_arena_free(ar);
    return st;
}

/* decode every item of p with spec into one line "a | b | ..." */
static sw_status decode_all(const char *spec, sw_mode mode, const uint8_t *p, size_t n, char *line, size_t cap,
                            sw_error *err)
{
    sw_serializer *s;
    sw_source src;
    sw_decoder *d;
    sw_stream_opts o;
    sw_value *v;
    sw_status st;
    size_t k = 0;
    line[0] = 0;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, err), SW_OK);
    sw_stream_opts_default(&o);
    o.mode = mode;
    sw_source_mem(&src, p, n);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &o, &d), SW_OK);
    CU_ASSERT_PTR_NOT_NULL(sw_decoder_arena(d));
    sw_test_junk(err, sizeof *err);
    while ((st = sw_decoder_next(d, &v, err)) == SW_OK)
        k += (size_t)snprintf(line + k, cap - k, "%s%s", k ? " | " : "", sw_test_notation(v));
    sw_decoder_free(d);
    sw_ser_free(s, NULL);
    return st;
}

static const struct {
    const char *spec;
    const char *items[4];
    size_t fails_at; /* index of the refused item */
    sw_status status;
    sw_layer layer;
    uint64_t offset; /* bytes written before it */
} refused[] = {
    {"FlattenedValuesSerializer(PickleSerializer(), 2)", {"('k', [1])", "7", NULL}, 1, SW_E_UNENCODABLE,
     SW_LAYER_BATCH, 27},
    {"FlattenedValuesSerializer(PickleSerializer(), 2)", {"('k', [1], 2)", NULL}, 0, SW_E_UNENCODABLE,
     SW_LAYER_BATCH, 0},
    {"FlattenedValuesSerializer(PickleSerializer(), 2)", {"['k', 5]", NULL}, 0, SW_E_UNENCODABLE, SW_LAYER_BATCH, 0},
    {"PairDeserializer(PickleSerializer(), PickleSerializer())", {"(1, 2)", "(3,)", NULL}, 1, SW_E_UNENCODABLE,
     SW_LAYER_PAIR, 18},
    {"PairDeserializer(PickleSerializer(), PickleSerializer())", {"'ab'", NULL}, 0, SW_E_UNENCODABLE, SW_LAYER_PAIR,
     0},
    {"CartesianDeserializer(PickleSerializer(), PickleSerializer())", {"(1, 2)", NULL}, 0, SW_E_UNSUPPORTED,
     SW_LAYER_PAIR, 0},
    {"UTF8Deserializer(True)", {"'a'", "None", "b'x'", NULL}, 2, SW_E_UNENCODABLE, SW_LAYER_UTF8, 9},
    {"UTF8Deserializer(True)", {"'\\ud800'", NULL}, 0, SW_E_UNENCODABLE, SW_LAYER_UTF8, 0},
    {"UTF8Deserializer(False)", {"b'a'", "'a'", NULL}, 1, SW_E_UNENCODABLE, SW_LAYER_UTF8, 5},
    {"ChunkedStream(4)", {"b'abcdef'", "1", NULL}, 1, SW_E_UNENCODABLE, SW_LAYER_CHUNKED, 8},
};

static void test_refused_items(void)
{
    size_t i;
    for (i = 0; i < sizeof refused / sizeof *refused; i++) {
        sw_buf b;
        sw_error e;
        size_t nput;
        sw_status st;
        int good;
        sw_buf_init(&b, NULL);
        st = encode(refused[i].spec, refused[i].items, &b, &nput, &e);
        good = st == refused[i].status && e.status == st && e.layer == refused[i].layer &&
               nput == refused[i].fails_at + 1 && e.offset == refused[i].offset && b.n == refused[i].offset;
        if (!good)
            fprintf(stderr, "\n  refused %u %s: %s layer %s at %llu after %u items, %u bytes", (unsigned)i,
                    refused[i].spec, sw_status_str(st), sw_layer_str(e.layer), (unsigned long long)e.offset,
                    (unsigned)nput, (unsigned)b.n);
        CU_ASSERT(good);
        sw_buf_free(&b);
    }
}

/* [#ser.flattened] (key, values[i:i+n]) slices, lists or tuples; an empty
 * values list writes nothing */
static void test_flattened_slices(void)
{
    static const char *const items[] = {"('k', [1, 2, 3])", "('e', [])", "['t', (4, 5)]", NULL};
    sw_buf b;
    sw_error e;
    size_t nput;
    char line[512];
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(encode("FlattenedValuesSerializer(PickleSerializer(), 2)", items, &b, &nput, &e), SW_OK);
    CU_ASSERT_EQUAL(decode_all("PickleSerializer()", SW_MODE_STRICT, b.p, b.n, line, sizeof line, &e), SW_END);
    CU_ASSERT_STRING_EQUAL(line, "('k', [1, 2]) | ('k', [3]) | ('t', (4, 5))");
    sw_buf_free(&b);
}

/* [#ser.pair.encode] each group of items is one key batch then one value
 * batch, so that PairDeserializer reads the items back, whatever the sides:
 * groups of A's batch size when both sides batch (AutoBatched: the sizes its
 * dump_stream chooses for the keys), of one item when a side does not */
static void test_pair_groups(void)
{
    static const char *const items[] = {"(1, 'a')", "(2, 'b')", "(3, 'c')", "(4, 'd')", "(5, 'e')",
                                        "(6, 'f')", "(7, 'g')", "(8, 'h')", NULL};
    static const char all[] = "(1, 'a') | (2, 'b') | (3, 'c') | (4, 'd') | (5, 'e') | (6, 'f') | (7, 'g') | (8, 'h')";
    static const struct {
        const char *spec;
        const char *frames; /* the stream read as PickleSerializer frames */
    } cs[] = {
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), 3), BatchedSerializer(PickleSerializer(), 3))",
         "[1, 2, 3] | ['a', 'b', 'c'] | [4, 5, 6] | ['d', 'e', 'f'] | [7, 8] | ['g', 'h']"},
        /* B's own batch size does not split A's group */
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), 3), BatchedSerializer(PickleSerializer(), 2))",
         "[1, 2, 3] | ['a', 'b', 'c'] | [4, 5, 6] | ['d', 'e', 'f'] | [7, 8] | ['g', 'h']"},
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), 2), BatchedSerializer(PickleSerializer(), -1))",
         "[1, 2] | ['a', 'b'] | [3, 4] | ['c', 'd'] | [5, 6] | ['e', 'f'] | [7, 8] | ['g', 'h']"},
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), -1), BatchedSerializer(PickleSerializer(), 2))",
         "[1, 2, 3, 4, 5, 6, 7, 8] | ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']"},
        /* a side that does not batch: groups of one */
        {"PairDeserializer(BatchedSerializer(PickleSerializer(), 2), PickleSerializer())",
         "[1] | 'a' | [2] | 'b' | [3] | 'c' | [4] | 'd' | [5] | 'e' | [6] | 'f' | [7] | 'g' | [8] | 'h'"},
        {"PairDeserializer(PickleSerializer(), AutoBatchedSerializer(PickleSerializer()))",
         "1 | ['a'] | 2 | ['b'] | 3 | ['c'] | 4 | ['d'] | 5 | ['e'] | 6 | ['f'] | 7 | ['g'] | 8 | ['h']"},
        /* AutoBatched: 1, 2, 4 and the last 1, for the keys and the values alike */
        {"PairDeserializer(AutoBatchedSerializer(PickleSerializer()), AutoBatchedSerializer(PickleSerializer()))",
         "[1] | ['a'] | [2, 3] | ['b', 'c'] | [4, 5, 6, 7] | ['d', 'e', 'f', 'g'] | [8] | ['h']"},
        {"PairDeserializer(AutoBatchedSerializer(PickleSerializer()), BatchedSerializer(PickleSerializer(), 3))",
         "[1] | ['a'] | [2, 3] | ['b', 'c'] | [4, 5, 6, 7] | ['d', 'e', 'f', 'g'] | [8] | ['h']"},
    };
    size_t i;
    for (i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        sw_buf b;
        sw_error e;
        size_t nput;
        char line[1024];
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL(encode(cs[i].spec, items, &b, &nput, &e), SW_OK);
        CU_ASSERT_EQUAL(decode_all("PickleSerializer()", SW_MODE_STRICT, b.p, b.n, line, sizeof line, &e), SW_END);
        if (strcmp(line, cs[i].frames) != 0) fprintf(stderr, "\n  %s: frames %s", cs[i].spec, line);
        CU_ASSERT_STRING_EQUAL(line, cs[i].frames);
        CU_ASSERT_EQUAL(decode_all(cs[i].spec, SW_MODE_STRICT, b.p, b.n, line, sizeof line, &e), SW_END);
        if (strcmp(line, all) != 0) fprintf(stderr, "\n  %s: items %s", cs[i].spec, line);
        CU_ASSERT_STRING_EQUAL(line, all);
        sw_buf_free(&b);
    }
}

/* [#ser.pair.encode] AutoBatched key side: the key frames are the bytes
 * AutoBatchedSerializer.dump_stream writes for the keys alone, also when the
 * batch size halves (a batch over 10 * 65536 bytes); a nested pair side is
 * written as its own key and value batches; an UNLIMITED pair of no items
 * writes one empty batch per side, as each side's dump_stream does */
static void test_pair_groups_auto(void)
{
    static char big[800 * 1024 + 3];
    static char pairbuf[6][800 * 1024 + 32];
    const char *keys[7], *pairs[7];
    const char *none[] = {NULL};
    const char *nested[] = {"((1, 'x'), 'a')", "((2, 'y'), 'b')", NULL};
    const char *auto_pair = "PairDeserializer(AutoBatchedSerializer(PickleSerializer()), "
                            "BatchedSerializer(PickleSerializer(), -1))";
    sw_buf kb, pb;
    sw_error e;
    size_t i, nput, off = 0, koff = 0, kframes = 0;
    char line[256];
    memset(big, 'k', sizeof big);
    big[0] = '\'';
    big[sizeof big - 2] = '\'';
    big[sizeof big - 1] = 0;
    /* batches 1 ('s', then 2), 2 ('s' + 800 KB: over 10 * 65536, halved to
     * 1), 1 (800 KB: stays 1), 1 ('s', then 2), and the last 's' */
    for (i = 0; i < 6; i++) {
        keys[i] = i == 2 || i == 3 ? big : "'s'";
        snprintf(pairbuf[i], sizeof pairbuf[i], "(%s, %u)", keys[i], (unsigned)i);
        pairs[i] = pairbuf[i];
    }
    keys[6] = pairs[6] = NULL;
    sw_buf_init(&kb, NULL);
    sw_buf_init(&pb, NULL);
    CU_ASSERT_EQUAL(encode("AutoBatchedSerializer(PickleSerializer())", keys, &kb, &nput, &e), SW_OK);
    CU_ASSERT_EQUAL(encode(auto_pair, pairs, &pb, &nput, &e), SW_OK);
    /* the pair stream's key frames, in order, are the keys-alone stream */
    while (off + 4 <= pb.n && koff + 4 <= kb.n) {
        size_t klen = (size_t)sw_get_be32(kb.p + koff) + 4, plen = (size_t)sw_get_be32(pb.p + off) + 4;
        CU_ASSERT_FATAL(off + plen <= pb.n && koff + klen <= kb.n);
        CU_ASSERT_EQUAL(plen, klen);
        CU_ASSERT(memcmp(pb.p + off, kb.p + koff, klen) == 0);
        koff += klen;
        off += plen;
        kframes++;
        /* skip the value frame */
        CU_ASSERT_FATAL(off + 4 <= pb.n);
        off += (size_t)sw_get_be32(pb.p + off) + 4;
    }
    CU_ASSERT_EQUAL(kframes, 5u);
    CU_ASSERT_EQUAL(koff, kb.n);
    CU_ASSERT_EQUAL(off, pb.n);
    {
        /* read back: (key, i) with the key's length (notation text is cut
         * at 64 KiB, so the items are checked field by field) */
        sw_serializer *sp;
        sw_source src;
        sw_decoder *d;
        sw_stream_opts o;
        sw_value *v;
        size_t n = 0;
        sw_stream_opts_default(&o);
        o.mode = SW_MODE_STRICT;
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse(auto_pair, &sp, NULL, &e), SW_OK);
        sw_source_mem(&src, pb.p, pb.n);
        CU_ASSERT_EQUAL_FATAL(sw_decoder_new(sp, &src, &o, &d), SW_OK);
        while (sw_decoder_next(d, &v, &e) == SW_OK) {
            CU_ASSERT_FATAL(n < 6 && v->kind == SW_K_TUPLE && v->u.c.n == 2);
            CU_ASSERT(v->u.c.v[0]->kind == SW_K_STR && v->u.c.v[0]->u.s.n == strlen(keys[n]) - 2);
            CU_ASSERT(v->u.c.v[1]->kind == SW_K_INT && v->u.c.v[1]->u.i == (int64_t)n);
            n++;
        }
        CU_ASSERT_EQUAL(e.status, SW_OK);
        CU_ASSERT_EQUAL(n, 6u);
        sw_decoder_free(d);
        sw_ser_free(sp, NULL);
    }
    sw_buf_free(&kb);
    sw_buf_free(&pb);
    /* nested pair side */
    sw_buf_init(&pb, NULL);
    CU_ASSERT_EQUAL(encode("PairDeserializer(PairDeserializer(BatchedSerializer(PickleSerializer(), 2), "
                           "BatchedSerializer(PickleSerializer(), 2)), BatchedSerializer(PickleSerializer(), 2))",
                           nested, &pb, &nput, &e), SW_OK);
    CU_ASSERT_EQUAL(decode_all("PickleSerializer()", SW_MODE_STRICT, pb.p, pb.n, line, sizeof line, &e), SW_END);
    CU_ASSERT_STRING_EQUAL(line, "[1, 2] | ['x', 'y'] | ['a', 'b']");
    CU_ASSERT_EQUAL(decode_all("PairDeserializer(PairDeserializer(BatchedSerializer(PickleSerializer(), 2), "
                               "BatchedSerializer(PickleSerializer(), 2)), BatchedSerializer(PickleSerializer(), 2))",
                               SW_MODE_STRICT, pb.p, pb.n, line, sizeof line, &e), SW_END);
    CU_ASSERT_STRING_EQUAL(line, "((1, 'x'), 'a') | ((2, 'y'), 'b')");
    sw_buf_free(&pb);
    /* UNLIMITED, no items: [] then [] */
    sw_buf_init(&pb, NULL);
    CU_ASSERT_EQUAL(encode("PairDeserializer(BatchedSerializer(PickleSerializer(), -1), "
                           "BatchedSerializer(PickleSerializer(), -1))", none, &pb, &nput, &e), SW_OK);
    CU_ASSERT_EQUAL(decode_all("PickleSerializer()", SW_MODE_STRICT, pb.p, pb.n, line, sizeof line, &e), SW_END);
    CU_ASSERT_STRING_EQUAL(line, "[] | []");
    sw_buf_free(&pb);
    /* a FlattenedValues side: unsupported, at the first item */
    sw_buf_init(&pb, NULL);
    CU_ASSERT_EQUAL(encode("PairDeserializer(FlattenedValuesSerializer(PickleSerializer(), 2), PickleSerializer())",
                           nested, &pb, &nput, &e), SW_E_UNSUPPORTED);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_PAIR);
    CU_ASSERT_EQUAL(nput, 1u);
    CU_ASSERT_EQUAL(pb.n, 0u);
    sw_buf_free(&pb);
}

/* the encoder's call order */
static void test_encoder_state(void)
{
    sw_serializer *s;
    sw_sink k;
    sw_buf b;
    sw_encoder *enc;
    sw_stream_opts o;
    sw_error e;
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *one = parse(ar, "1");
    sw_buf_init(&b, NULL);
    sw_sink_buf(&k, &b);
    sw_stream_opts_default(&o);
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("BatchedSerializer(PickleSerializer(), 5)", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_new(NULL, &k, &o, &enc), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_encoder_new(s, NULL, &o, &enc), SW_E_ARG);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, &o, &enc), SW_OK);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, NULL, &e), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_encoder_put(NULL, one, &e), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, one, &e), SW_OK);
    CU_ASSERT_EQUAL(b.n, 0u); /* buffered */
    CU_ASSERT_EQUAL(sw_encoder_finish(enc, &e), SW_OK);
    CU_ASSERT(b.n > 4);
    CU_ASSERT_EQUAL(sw_encoder_put(enc, one, &e), SW_E_STATE);
    CU_ASSERT_EQUAL(sw_encoder_finish(enc, &e), SW_E_STATE);
    CU_ASSERT_EQUAL(sw_encoder_finish(NULL, &e), SW_E_ARG);
    sw_encoder_free(enc);
    sw_encoder_free(NULL);
    sw_ser_free(s, NULL);
    sw_buf_free(&b);
    sw_arena_free(ar);
}

/* [#ser.autobatched] the batch size doubles below bestSize and halves above
 * 10 * bestSize (sizes checked against PySpark's dump_stream with pickle
 * protocol 5: 17, 20, 228, 122... bytes) */
static void test_autobatched_halves(void)
{
    static const char *const items[] = {
        "0", "1", "2",
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'", "'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'",
        "'cccccccccccccccccccccccccccccccccccccccccccccccccc'", "'dddddddddddddddddddddddddddddddddddddddddddddddddd'",
        "'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'", "'ffffffffffffffffffffffffffffffffffffffffffffffffff'",
        "'gggggggggggggggggggggggggggggggggggggggggggggggggg'", "'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh'",
        NULL};
    static const int32_t sizes[] = {17, 20, 228, 122, 122};
    static const uint8_t counts[] = {1, 2, 4, 2, 2};
    sw_buf b;
    sw_error e;
    size_t nput, pos = 0, i;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(encode("AutoBatchedSerializer(PickleSerializer(), bestSize=21)", items, &b, &nput, &e), SW_OK);
    for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int32_t len;
        CU_ASSERT_FATAL(pos + 4 <= b.n);
        len = sw_get_be32(b.p + pos);
        CU_ASSERT_EQUAL(len, sizes[i]);
        /* a protocol 5 list of k items ends with APPENDS STOP, or APPEND STOP for one */
        CU_ASSERT_FATAL(pos + 4 + (size_t)len <= b.n);
        if (counts[i] == 1) CU_ASSERT_EQUAL(b.p[pos + 4 + (size_t)len - 2], 'a');
        if (counts[i] > 1) CU_ASSERT_EQUAL(b.p[pos + 4 + (size_t)len - 2], 'e');
        pos += 4 + (size_t)len;
    }
    CU_ASSERT_EQUAL(pos, b.n);
    sw_buf_free(&b);
}

/* [#ser.iter] batches that are not lists: a namedtuple yields its values;
 * bool and complex are not iterable (batch_type); strict wants lists */
static void test_batch_kinds(void)
{
    static const struct {
        const char *item; /* one pickled frame holding this value */
        sw_mode mode;
        sw_status status;
        const char *line_or_msg;
    } k[] = {
        {"namedtuple('P', ('x', 'y'), (1, 'a'))", SW_MODE_PYSPARK, SW_END, "1 | 'a'"},
        {"True", SW_MODE_PYSPARK, SW_E_BATCH_TYPE, "'bool' object is not iterable"},
        {"complex(1.0, 2.0)", SW_MODE_PYSPARK, SW_E_BATCH_TYPE, "'complex' object is not iterable"},
        {"(1, 2)", SW_MODE_PYSPARK, SW_END, "1 | 2"},
        {"(1, 2)", SW_MODE_STRICT, SW_E_BATCH_TYPE, NULL},
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof *k; i++) {
        const char *items[2];
        sw_buf b;
        sw_error e;
        size_t nput;
        char line[256];
        sw_status st;
        items[0] = k[i].item;
        items[1] = NULL;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL_FATAL(encode("PickleSerializer()", items, &b, &nput, &e), SW_OK);
        st = decode_all("BatchedSerializer(PickleSerializer(), 2)", k[i].mode, b.p, b.n, line, sizeof line, &e);
        CU_ASSERT_EQUAL(st, k[i].status);
        if (st == SW_END) {
            CU_ASSERT_STRING_EQUAL(line, k[i].line_or_msg);
        } else {
            CU_ASSERT_EQUAL(e.layer, SW_LAYER_BATCH);
            CU_ASSERT_EQUAL(e.item, 0u);
            if (k[i].line_or_msg) CU_ASSERT_STRING_EQUAL(e.msg, k[i].line_or_msg);
            if (k[i].line_or_msg) CU_ASSERT_EQUAL(e.pyexc, SW_PYEXC_TYPEERROR);
        }
        sw_buf_free(&b);
    }
}

/* [#ser.pair] a namedtuple key batch pairs with a list value batch of the
 * same length (batched sides: their payloads are the batches; a plain
 * PickleSerializer side would make [x] of each payload) */
static void test_pair_namedtuple_batch(void)
{
    static const char *const items[] = {"namedtuple('P', ('x', 'y'), (1, 2))", "['a', 'b']", NULL};
    sw_buf b;
    sw_error e;
    size_t nput;
    char line[256];
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(encode("PickleSerializer()", items, &b, &nput, &e), SW_OK);
    CU_ASSERT_EQUAL(decode_all("PairDeserializer(PickleSerializer(), PickleSerializer())", SW_MODE_PYSPARK, b.p,
                               b.n, line, sizeof line, &e),
                    SW_END);
    CU_ASSERT_STRING_EQUAL(line, "(namedtuple('P', ('x', 'y'), (1, 2)), ['a', 'b'])");
    CU_ASSERT_EQUAL(decode_all("PairDeserializer(BatchedSerializer(PickleSerializer(), 2), "
                               "BatchedSerializer(PickleSerializer(), 2))",
                               SW_MODE_PYSPARK, b.p, b.n, line, sizeof line, &e),
                    SW_END);
    CU_ASSERT_STRING_EQUAL(line, "(1, 'a') | (2, 'b')");
    CU_ASSERT_EQUAL(decode_all("CartesianDeserializer(BatchedSerializer(PickleSerializer(), 2), "
                               "BatchedSerializer(PickleSerializer(), 2))", SW_MODE_PYSPARK,
                               b.p, b.n, line, sizeof line, &e),
                    SW_END);
    CU_ASSERT_STRING_EQUAL(line, "(1, 'a') | (1, 'b') | (2, 'a') | (2, 'b')");
    sw_buf_free(&b);
}

/* the decoder's arguments; err may be NULL and the status still comes back,
 * and every later call repeats it */
static void test_decoder_args(void)
{
    static const uint8_t trunc[] = {0, 0, 0, 9, 0x80, 0x05};
    sw_serializer *s;
    sw_source src;
    sw_decoder *d;
    sw_stream_opts o;
    sw_value *v;
    sw_error e;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("PickleSerializer()", &s, NULL, &e), SW_OK);
    sw_stream_opts_default(&o);
    sw_source_mem(&src, trunc, sizeof trunc);
    CU_ASSERT_EQUAL(sw_decoder_new(NULL, &src, &o, &d), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_decoder_new(s, NULL, &o, &d), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_decoder_new(s, &src, &o, NULL), SW_E_ARG);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &o, &d), SW_OK);
    CU_ASSERT_EQUAL(sw_decoder_next(d, NULL, NULL), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_decoder_next(NULL, &v, NULL), SW_E_ARG);
    /* [#frame.short] pyspark: the short frame ends the stream, every call */
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, NULL), SW_END);
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, &e), SW_END);
    sw_decoder_free(d);
    /* strict: truncated_frame at the length, payload_offset = bytes present,
     * with or without an error record, and again on the next call */
    o.mode = SW_MODE_STRICT;
    sw_source_mem(&src, trunc, sizeof trunc);
    CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &o, &d), SW_OK);
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, NULL), SW_E_TRUNCATED_FRAME);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_decoder_next(d, &v, &e), SW_E_TRUNCATED_FRAME);
    CU_ASSERT_EQUAL(e.offset, 0u);
    CU_ASSERT_EQUAL(e.payload_offset, 2u);
    CU_ASSERT_EQUAL(sw_decoder_count(d), 0u);
    sw_decoder_free(d);
    sw_decoder_free(NULL);
    sw_ser_free(s, NULL);
}

/* [#ser.marshal.root-ref] [#marshal.encode.refs] the payload's root carries
 * FLAG_REF, its fresh children follow the canonical rule; a root reachable
 * from its own (many) children is written as the canonical rule says */
static void test_marshal_root_ref(void)
{
    char text[1024];
    size_t k = 0, nput;
    int i;
    const char *items[3];
    sw_buf b;
    sw_error e;
    char line[2048];
    k += (size_t)sprintf(text + k, "[");
    for (i = 0; i < 70; i++) k += (size_t)sprintf(text + k, "%s%d", i ? ", " : "", i);
    sprintf(text + k, "]");
    items[0] = text;
    items[1] = "&1 [1, [2, [3, *1]], 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, "
               "26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, "
               "51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70]";
    items[2] = NULL;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(encode("MarshalSerializer()", items, &b, &nput, &e), SW_OK);
    /* frame 1: 'list' | FLAG_REF, 70 items, the ints without the bit */
    CU_ASSERT_FATAL(b.n > 20);
    CU_ASSERT_EQUAL(sw_get_be32(b.p), 5 + 70 * 5);
    CU_ASSERT_EQUAL(b.p[4], 0xdb);
    CU_ASSERT_EQUAL(sw_get_be32(b.p + 5), 0x46000000); /* n = 70, little-endian */
    CU_ASSERT_EQUAL(b.p[9], 'i');
    /* frame 2: the root reached from its children: 0xdb, and a ref back to slot 0 */
    CU_ASSERT_EQUAL(b.p[4 + 355 + 4], 0xdb);
    CU_ASSERT_EQUAL(decode_all("MarshalSerializer()", SW_MODE_STRICT, b.p, b.n, line, sizeof line, &e), SW_END);
    CU_ASSERT_EQUAL(strncmp(line, "[0, 1, 2, 3, 4, 5", 17), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " | &1 [1, [2, [3, *1]], 4, 5, 6,"));
    sw_buf_free(&b);
}

/* encode with options, return the bytes in b */
static sw_status encode_opts(const char *spec, const char *const *items, int marshal_py2, sw_buf *out, sw_error *err)
{
    sw_serializer *s;
    sw_sink k;
    sw_encoder *enc;
    sw_stream_opts o;
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_status st = SW_OK;
    size_t i;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, err), SW_OK);
    sw_stream_opts_default(&o);
    o.marshal_py2 = marshal_py2;
    sw_sink_buf(&k, out);
    CU_ASSERT_EQUAL_FATAL(sw_encoder_new(s, &k, &o, &enc), SW_OK);
    for (i = 0; items[i] && st == SW_OK; i++) st = sw_encoder_put(enc, parse(ar, items[i]), err);
    if (st == SW_OK) st = sw_encoder_finish(enc, err);
    sw_encoder_free(enc);
    sw_ser_free(s, NULL);
    sw_arena_free(ar);
    return st;
}

/* [#ser.marshal.batch-ref] inside the zlib data of
 * BatchedSerializer(CompressedSerializer(MarshalSerializer())) too */
static void test_marshal_batch_ref_compressed(void)
{
    static const char *const items[] = {"'x'", "'y'", "'z'", NULL};
    static const struct {
        const char *spec;
        uint8_t code;
    } k[] = {
        {"BatchedSerializer(CompressedSerializer(MarshalSerializer()), 2)", 0xdb},
        {"BatchedSerializer(CompressedSerializer(MarshalSerializer(version=2)), 2)", 0x5b},
        {"BatchedSerializer(CompressedSerializer(PickleSerializer()), 2)", 0x80},
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof *k; i++) {
        sw_buf b;
        sw_error e;
        uint8_t inflated[256];
        uLongf n = sizeof inflated;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL(encode_opts(k[i].spec, items, 0, &b, &e), SW_OK);
        CU_ASSERT_FATAL(b.n > 4);
        CU_ASSERT_EQUAL_FATAL(uncompress(inflated, &n, b.p + 4, (uLong)sw_get_be32(b.p)), Z_OK);
        CU_ASSERT(n > 0 && inflated[0] == k[i].code);
        sw_buf_free(&b);
    }
}

/* [#ser.marshal.batch-ref] a marshal batch list carries FLAG_REF (db) from
 * version 3 on, also inside CompressedSerializer and after AutoSerializer's
 * M; not below version 3 (5b) and not in the Python 2 dialect */
static void test_marshal_batch_ref(void)
{
    static const char *const items[] = {"'x'", "'y'", NULL};
    static const struct {
        const char *spec;
        int py2;
        size_t at; /* offset of the batch's type code */
        uint8_t code;
    } k[] = {
        {"BatchedSerializer(MarshalSerializer(), 2)", 0, 4, 0xdb},
        {"BatchedSerializer(MarshalSerializer(version=3), -1)", 0, 4, 0xdb},
        {"AutoBatchedSerializer(MarshalSerializer())", 0, 4, 0xdb},
        {"BatchedSerializer(MarshalSerializer(version=2), 2)", 0, 4, 0x5b},
        {"BatchedSerializer(MarshalSerializer(), 2)", 1, 4, 0x5b},
        {"BatchedSerializer(AutoSerializer(), 2)", 0, 5, 0xdb},
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof *k; i++) {
        sw_buf b;
        sw_error e;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL(encode_opts(k[i].spec, items, k[i].py2, &b, &e), SW_OK);
        CU_ASSERT_FATAL(b.n > k[i].at);
        if (b.p[k[i].at] != k[i].code) fprintf(stderr, "\n  %s py2=%d: %02x", k[i].spec, k[i].py2, b.p[k[i].at]);
        CU_ASSERT_EQUAL(b.p[k[i].at], k[i].code);
        if (k[i].at == 5) CU_ASSERT_EQUAL(b.p[4], 'M');
        sw_buf_free(&b);
    }
}

/* [#ser.auto.dumps] M + marshal until one object cannot be marshalled, then
 * P + pickle protocol 5 for every later object, marshallable or not */
static void test_auto_sticky_pickle(void)
{
    static const char *const items[] = {"1", "global('m', 'n')", "2", NULL};
    sw_buf b;
    sw_error e;
    size_t pos = 0;
    const char tags[] = "MPP";
    int i;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(encode_opts("AutoSerializer()", items, 0, &b, &e), SW_OK);
    for (i = 0; i < 3; i++) {
        int32_t len;
        CU_ASSERT_FATAL(pos + 5 <= b.n);
        len = sw_get_be32(b.p + pos);
        CU_ASSERT_EQUAL(b.p[pos + 4], (uint8_t)tags[i]);
        if (tags[i] == 'P') CU_ASSERT(b.p[pos + 5] == 0x80 && b.p[pos + 6] == 5);
        pos += 4 + (size_t)len;
    }
    CU_ASSERT_EQUAL(pos, b.n);
    sw_buf_free(&b);
}

/* a source that hands out its bytes, then fails instead of ending */
typedef struct failing_src {
    const uint8_t *p;
    size_t n, pos;
} failing_src;

static sw_status failing_read(void *ctx, uint8_t *dst, size_t cap, size_t *got)
{
    failing_src *f = (failing_src *)ctx;
    size_t k = f->n - f->pos;
    if (k == 0) return SW_E_IO_READ;
    if (k > cap) k = cap;
    memcpy(dst, f->p + f->pos, k);
    f->pos += k;
    *got = k;
    return SW_OK;
}

/* [#dis] the listing stops with the source's I/O error, at the payload */
static void test_dis_read_error(void)
{
    static const uint8_t head[] = {0, 0, 0, 2, 'N', '.', 0, 0, 0, 9, 0x80};
    failing_src f = {head, sizeof head, 0};
    sw_serializer *s;
    sw_source src;
    sw_buf out;
    sw_error e;
    CU_ASSERT_EQUAL_FATAL(sw_ser_parse("PickleSerializer()", &s, NULL, &e), SW_OK);
    sw_source_cb(&src, failing_read, &f, 4, NULL);
    sw_buf_init(&out, NULL);
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_stream_dis(s, &src, NULL, &out, &e), SW_E_IO_READ);
    CU_ASSERT_EQUAL(e.layer, SW_LAYER_IO);
    CU_ASSERT_EQUAL(e.offset, 10u);
    sw_buf_putc(&out, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)out.p, "0: frame length 2\n"));
    sw_buf_free(&out);
    sw_source_free(&src);
    sw_ser_free(s, NULL);
}

/* [#ser.cartesian] the product is bounded by max_expansion */
static void test_cartesian_expansion(void)
{
    static const char *const items[] = {"[1, 2, 3]", "['a', 'b', 'c']", NULL};
    const char *spec = "CartesianDeserializer(BatchedSerializer(PickleSerializer(), 3), "
                       "BatchedSerializer(PickleSerializer(), 3))";
    sw_buf b;
    sw_error e;
    size_t nput;
    uint64_t lim;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL_FATAL(encode("PickleSerializer()", items, &b, &nput, &e), SW_OK);
    for (lim = 8; lim <= 9; lim++) {
        sw_serializer *s;
        sw_source src;
        sw_decoder *d;
        sw_stream_opts o;
        sw_value *v;
        sw_status st;
        unsigned n = 0;
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse(spec, &s, NULL, &e), SW_OK);
        sw_stream_opts_default(&o);
        o.limits.max_expansion = lim;
        sw_source_mem(&src, b.p, b.n);
        CU_ASSERT_EQUAL_FATAL(sw_decoder_new(s, &src, &o, &d), SW_OK);
        sw_test_junk(&e, sizeof e);
        while ((st = sw_decoder_next(d, &v, &e)) == SW_OK) n++;
        if (lim == 8) {
            CU_ASSERT_EQUAL(st, SW_E_LIMIT_EXPANSION);
            CU_ASSERT_EQUAL(e.layer, SW_LAYER_PAIR);
            CU_ASSERT_EQUAL(n, 0u);
        } else {
            CU_ASSERT_EQUAL(st, SW_END);
            CU_ASSERT_EQUAL(n, 9u);
        }
        sw_decoder_free(d);
        sw_ser_free(s, NULL);
    }
    sw_buf_free(&b);
}

static CU_TestInfo tests[] = {
    {"Cartesian product over max_expansion", test_cartesian_expansion},
    {"marshal batches carry FLAG_REF inside zlib", test_marshal_batch_ref_compressed},
    {"dis stops at a read error", test_dis_read_error},
    {"marshal batches carry FLAG_REF", test_marshal_batch_ref},
    {"AutoSerializer turns to pickle for good", test_auto_sticky_pickle},
    {"marshal payload roots and FLAG_REF", test_marshal_root_ref},
    {"decoder arguments and a NULL error record", test_decoder_args},
    {"items each serializer refuses to write", test_refused_items},
    {"FlattenedValues slices", test_flattened_slices},
    {"Pair encoding groups", test_pair_groups},
    {"Pair encoding groups: AutoBatched keys, nested, empty, Flattened side", test_pair_groups_auto},
    {"encoder call order", test_encoder_state},
    {"AutoBatched batch size doubles and halves", test_autobatched_halves},
    {"batches that are not lists", test_batch_kinds},
    {"Pair/Cartesian with a namedtuple batch", test_pair_namedtuple_batch},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cov_stream(void) { return sw_test_add_suite("cov_stream", tests); }

/* Serializer specs [#spec.grammar] [#spec.validate]: every error with its
 * status and character offset, the nesting bound, sw_ser_format round
 * trips, allocation failure; and the names of statuses, layers and Python
 * exceptions [#errors]. */
#include <stdlib.h>

#include "sparkwire/stream.h"
#include "testutil.h"

static const struct {
    const char *text;
    sw_status status;
    size_t at; /* payload_offset: the offending character */
    const char *msg;
} bad_specs[] = {
    {"", SW_E_SYNTAX, 0, "expected a serializer name"},
    {"   ", SW_E_SYNTAX, 3, "expected a serializer name"},
    {"(", SW_E_SYNTAX, 0, "expected a serializer name"},
    {"PickleSerializer", SW_E_SYNTAX, 16, "expected '('"},
    {"PickleSerializer(", SW_E_SYNTAX, 17, "expected ')'"},
    {"PickleSerializer(]", SW_E_SYNTAX, 17, "expected an integer"},
    {"Foo()", SW_E_BAD_SPEC, 0, "unknown serializer name"},
    {"  Foo()", SW_E_BAD_SPEC, 2, "unknown serializer name"},
    {"pickleSerializer()", SW_E_BAD_SPEC, 0, "unknown serializer name"},
    {"PickleSerializer(protocol=6)", SW_E_BAD_SPEC, 17, "pickle protocol must be -1..5"},
    {"PickleSerializer(-2)", SW_E_BAD_SPEC, 17, "pickle protocol must be -1..5"},
    {"PickleSerializer(proto=2)", SW_E_BAD_SPEC, 17, "unknown keyword argument"},
    {"PickleSerializer(protocol 2)", SW_E_SYNTAX, 26, "expected '='"},
    {"PickleSerializer(protocol=)", SW_E_SYNTAX, 26, "expected an integer"},
    {"PickleSerializer(protocol=-)", SW_E_SYNTAX, 26, "expected an integer"},
    {"PickleSerializer(2, 3)", SW_E_SYNTAX, 18, "expected ')'"},
    {"CloudPickleSerializer(protocol=9)", SW_E_BAD_SPEC, 22, "pickle protocol must be -1..5"},
    {"MarshalSerializer(version=5)", SW_E_BAD_SPEC, 18, "marshal version must be -1..4"},
    {"MarshalSerializer(-3)", SW_E_BAD_SPEC, 18, "marshal version must be -1..4"},
    {"MarshalSerializer(protocol=2)", SW_E_BAD_SPEC, 18, "unknown keyword argument"},
    {"UTF8Deserializer(Maybe)", SW_E_BAD_SPEC, 17, "UTF8Deserializer takes True or False"},
    {"UTF8Deserializer(1)", SW_E_BAD_SPEC, 17, "UTF8Deserializer takes True or False"},
    {"UTF8Deserializer(use_unicode False)", SW_E_SYNTAX, 29, "expected '='"},
    {"UTF8Deserializer(use_unicode=maybe)", SW_E_BAD_SPEC, 17, "UTF8Deserializer takes True or False"},
    {"ChunkedStream()", SW_E_SYNTAX, 14, "expected an integer"},
    {"ChunkedStream(0)", SW_E_BAD_SPEC, 14, "buffer size must be 1..2**31-1"},
    {"ChunkedStream(2147483648)", SW_E_BAD_SPEC, 14, "buffer size must be 1..2**31-1"},
    {"ChunkedStream(size=8)", SW_E_BAD_SPEC, 14, "unknown keyword argument"},
    {"BatchedSerializer(PickleSerializer(), 0)", SW_E_BAD_SPEC, 38, "bad batch size"},
    {"BatchedSerializer(PickleSerializer(), -2)", SW_E_BAD_SPEC, 38, "bad batch size"},
    {"BatchedSerializer(PickleSerializer(), bestSize=2)", SW_E_BAD_SPEC, 38, "unknown keyword argument"},
    {"BatchedSerializer(PickleSerializer(),)", SW_E_SYNTAX, 37, "expected an integer"},
    {"BatchedSerializer(PickleSerializer() 2)", SW_E_SYNTAX, 37, "expected ')'"},
    {"FlattenedValuesSerializer(PickleSerializer(), 0)", SW_E_BAD_SPEC, 46, "bad batch size"},
    {"FlattenedValuesSerializer(PickleSerializer(), -1)", SW_E_BAD_SPEC, 46, "bad batch size"},
    {"AutoBatchedSerializer(PickleSerializer(), bestSize=0)", SW_E_BAD_SPEC, 42, "bad batch size"},
    {"AutoBatchedSerializer(PickleSerializer(), batchSize=10)", SW_E_BAD_SPEC, 42, "unknown keyword argument"},
    {"CompressedSerializer(BatchedSerializer(PickleSerializer(), 2))", SW_E_BAD_SPEC, 21,
     "serializer must be a FramedSerializer"},
    {"CompressedSerializer(PickleSerializer(), 2)", SW_E_SYNTAX, 39, "expected ')'"},
    {"BatchedSerializer(UTF8Deserializer(True), 2)", SW_E_BAD_SPEC, 18, "inner serializer cannot write a stream"},
    {"BatchedSerializer( ChunkedStream(8))", SW_E_BAD_SPEC, 19, "inner serializer cannot write a stream"},
    {"AutoBatchedSerializer(PairDeserializer(PickleSerializer(), PickleSerializer()))", SW_E_BAD_SPEC, 22,
     "inner serializer cannot write a stream"},
    {"BatchedSerializer(CartesianDeserializer(PickleSerializer(), PickleSerializer()), 2)", SW_E_BAD_SPEC, 18,
     "inner serializer cannot write a stream"},
    {"PairDeserializer(UTF8Deserializer(True), PickleSerializer())", SW_E_BAD_SPEC, 0,
     "pair members must be PySpark serializers of batches"},
    {"CartesianDeserializer(PickleSerializer(), ChunkedStream(4))", SW_E_BAD_SPEC, 0,
     "pair members must be PySpark serializers of batches"},
    {"PairDeserializer(PickleSerializer() PickleSerializer())", SW_E_SYNTAX, 36, "expected ','"},
    {"PairDeserializer(PickleSerializer(), Nope())", SW_E_BAD_SPEC, 37, "unknown serializer name"},
    {"PickleSerializer() x", SW_E_SYNTAX, 19, "text after the serializer"},
    {"PickleSerializer())", SW_E_SYNTAX, 18, "text after the serializer"},
    {"PickleSerializer()\n", SW_E_SYNTAX, 18, "text after the serializer"},
};

static void test_spec_errors(void)
{
    size_t i;
    for (i = 0; i < sizeof bad_specs / sizeof *bad_specs; i++) {
        sw_serializer *s;
        sw_error e;
        sw_status st;
        int good;
        sw_test_junk(&s, sizeof s);
        sw_test_junk(&e, sizeof e);
        st = sw_ser_parse(bad_specs[i].text, &s, NULL, &e);
        good = st == bad_specs[i].status && e.status == st && e.layer == SW_LAYER_SPEC &&
               e.payload_offset == bad_specs[i].at && strcmp(e.msg, bad_specs[i].msg) == 0 && s == NULL;
        if (!good)
            fprintf(stderr, "\n  spec %s: %s at %llu (%s)", bad_specs[i].text, sw_status_str(st),
                    (unsigned long long)e.payload_offset, st == SW_OK ? "" : e.msg);
        CU_ASSERT(good);
        if (st == SW_OK) sw_ser_free(s, NULL);
    }
}

/* an integer too long for int64 is not an integer */
static void test_spec_int_overflow(void)
{
    sw_serializer *s;
    sw_error e;
    sw_test_junk(&e, sizeof e);
    CU_ASSERT_EQUAL(sw_ser_parse("BatchedSerializer(PickleSerializer(), 99999999999999999999)", &s, NULL, &e),
                    SW_E_SYNTAX);
    CU_ASSERT_STRING_EQUAL(e.msg, "expected an integer");
    CU_ASSERT(e.payload_offset >= 38 && e.payload_offset < 58);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(sw_ser_parse("BatchedSerializer(PickleSerializer(), 9223372036854775799)", &s, NULL, &e), SW_OK);
    CU_ASSERT_EQUAL(s->n, INT64_C(9223372036854775799));
    sw_ser_free(s, NULL);
    CU_ASSERT_EQUAL(sw_ser_parse(NULL, &s, NULL, &e), SW_E_ARG);
    CU_ASSERT_EQUAL(sw_ser_parse("PickleSerializer()", NULL, NULL, &e), SW_E_ARG);
}

/* [#spec.grammar] nesting is limited to 64 levels */
static void test_spec_depth(void)
{
    char text[64 * 24 + 64];
    int levels;
    for (levels = 63; levels <= 65; levels++) {
        size_t k = 0;
        int i;
        sw_serializer *s;
        sw_error e;
        sw_status st;
        for (i = 1; i < levels; i++) k += (size_t)sprintf(text + k, "CompressedSerializer(");
        k += (size_t)sprintf(text + k, "PickleSerializer()");
        for (i = 1; i < levels; i++) text[k++] = ')';
        text[k] = 0;
        sw_test_junk(&e, sizeof e);
        st = sw_ser_parse(text, &s, NULL, &e);
        if (levels <= 64) {
            sw_buf b;
            CU_ASSERT_EQUAL(st, SW_OK);
            sw_buf_init(&b, NULL);
            CU_ASSERT_EQUAL(sw_ser_format(s, &b), SW_OK);
            CU_ASSERT(b.n == k && memcmp(b.p, text, k) == 0);
            sw_buf_free(&b);
            sw_ser_free(s, NULL);
        } else {
            CU_ASSERT_EQUAL(st, SW_E_BAD_SPEC);
            CU_ASSERT_STRING_EQUAL(e.msg, "serializer nested too deeply");
            CU_ASSERT_EQUAL(e.payload_offset, 64u * 21u); /* the 65th name */
        }
    }
}

/* sw_ser_format prints the repr back; accepted variants normalise */
static void test_spec_format(void)
{
    static const char *const pairs[][2] = {
        {"NoOpSerializer()", "NoOpSerializer()"},
        {"PickleSerializer( )", "PickleSerializer()"},
        {"PickleSerializer(protocol=-1)", "PickleSerializer()"},
        {"PickleSerializer(2)", "PickleSerializer(protocol=2)"},
        {"CloudPickleSerializer(protocol = 4)", "CloudPickleSerializer(protocol=4)"},
        {"MarshalSerializer(2)", "MarshalSerializer(version=2)"},
        {"MarshalSerializer(version=-1)", "MarshalSerializer()"},
        {"AutoSerializer()", "AutoSerializer()"},
        {"UTF8Deserializer()", "UTF8Deserializer(True)"},
        {"UTF8Deserializer(use_unicode=False)", "UTF8Deserializer(False)"},
        {"UTF8Deserializer(\tTrue )", "UTF8Deserializer(True)"},
        {"ChunkedStream(buffer_size=65536)", "ChunkedStream(65536)"},
        {"ChunkedStream(2147483647)", "ChunkedStream(2147483647)"},
        {"BatchedSerializer(PickleSerializer())", "BatchedSerializer(PickleSerializer(), -1)"},
        {"BatchedSerializer(PickleSerializer(), batchSize=7)", "BatchedSerializer(PickleSerializer(), 7)"},
        {"FlattenedValuesSerializer(MarshalSerializer())", "FlattenedValuesSerializer(MarshalSerializer(), 10)"},
        {"AutoBatchedSerializer(PickleSerializer())", "AutoBatchedSerializer(PickleSerializer())"},
        {"AutoBatchedSerializer(PickleSerializer(), 65536)", "AutoBatchedSerializer(PickleSerializer())"},
        {"AutoBatchedSerializer(PickleSerializer(), bestSize=100)",
         "AutoBatchedSerializer(PickleSerializer(), bestSize=100)"},
        {"CompressedSerializer(AutoSerializer())", "CompressedSerializer(AutoSerializer())"},
        {"PairDeserializer(NoOpSerializer(),BatchedSerializer(PickleSerializer(),3))",
         "PairDeserializer(NoOpSerializer(), BatchedSerializer(PickleSerializer(), 3))"},
        {"CartesianDeserializer(PickleSerializer(), MarshalSerializer())",
         "CartesianDeserializer(PickleSerializer(), MarshalSerializer())"},
    };
    size_t i;
    for (i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        sw_serializer *s;
        sw_error e;
        sw_buf b;
        sw_buf_init(&b, NULL);
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse(pairs[i][0], &s, NULL, &e), SW_OK);
        CU_ASSERT_EQUAL(sw_ser_format(s, &b), SW_OK);
        CU_ASSERT(b.n == strlen(pairs[i][1]) && memcmp(b.p, pairs[i][1], b.n) == 0);
        if (!(b.n == strlen(pairs[i][1]) && memcmp(b.p, pairs[i][1], b.n) == 0))
            fprintf(stderr, "\n  format %s: %.*s", pairs[i][0], (int)b.n, (const char *)b.p);
        sw_buf_free(&b);
        sw_ser_free(s, NULL);
    }
}

/* PySpark's class tree: which serializers are FramedSerializers */
static void test_spec_is_framed(void)
{
    static const struct {
        const char *text;
        int framed;
    } k[] = {
        {"NoOpSerializer()", 1}, {"PickleSerializer()", 1}, {"CloudPickleSerializer()", 1},
        {"MarshalSerializer()", 1}, {"AutoSerializer()", 1}, {"CompressedSerializer(PickleSerializer())", 1},
        {"BatchedSerializer(PickleSerializer(), 2)", 0}, {"AutoBatchedSerializer(PickleSerializer())", 0},
        {"FlattenedValuesSerializer(PickleSerializer())", 0}, {"UTF8Deserializer(True)", 0},
        {"ChunkedStream(8)", 0}, {"PairDeserializer(PickleSerializer(), PickleSerializer())", 0},
        {"CartesianDeserializer(PickleSerializer(), PickleSerializer())", 0},
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof *k; i++) {
        sw_serializer *s;
        sw_error e;
        CU_ASSERT_EQUAL_FATAL(sw_ser_parse(k[i].text, &s, NULL, &e), SW_OK);
        CU_ASSERT_EQUAL(sw_ser_is_framed(s), k[i].framed);
        sw_ser_free(s, NULL);
    }
}

/* [#api.alloc] every allocation of the parser can fail cleanly */
static void test_spec_alloc_failure(void)
{
    const char *text = "PairDeserializer(CompressedSerializer(PickleSerializer()), BatchedSerializer(AutoSerializer(), 4))";
    long budget;
    unsigned nomem = 0;
    for (budget = 0; budget < 100; budget++) {
        sw_test_failing f = {budget, 0, 0};
        sw_alloc al = sw_test_failing_alloc(&f);
        sw_serializer *s;
        sw_error e;
        sw_status st;
        sw_test_junk(&e, sizeof e);
        st = sw_ser_parse(text, &s, &al, &e);
        if (st == SW_OK) {
            CU_ASSERT_EQUAL(f.allocs, 5);
            sw_ser_free(s, &al);
            CU_ASSERT_EQUAL(f.live, 0);
            break;
        }
        CU_ASSERT_EQUAL(st, SW_E_NOMEM);
        CU_ASSERT_EQUAL(e.status, SW_E_NOMEM);
        CU_ASSERT_EQUAL(e.layer, SW_LAYER_SPEC);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_EQUAL(f.live, 0);
        nomem++;
    }
    CU_ASSERT_EQUAL(nomem, 5u); /* one node per serializer: 5 */
}

/* [#errors.status] names: the enum name, lowercase, without SW_E_ */
static void test_error_names(void)
{
    static const struct {
        sw_status s;
        const char *name, *category;
    } st[] = {
        {SW_OK, "ok", "ok"}, {SW_END, "end", "ok"},
        {SW_E_TRUNCATED, "truncated", "truncated"},
        {SW_E_TRUNCATED_LENGTH, "truncated_length", "truncated"},
        {SW_E_TRUNCATED_FRAME, "truncated_frame", "truncated"},
        {SW_E_TRUNCATED_PAYLOAD, "truncated_payload", "truncated"},
        {SW_E_MALFORMED, "malformed", "malformed"}, {SW_E_BAD_LENGTH, "bad_length", "malformed"},
        {SW_E_UNEXPECTED_SPECIAL, "unexpected_special", "malformed"}, {SW_E_TRAILING, "trailing", "malformed"},
        {SW_E_BAD_UTF8, "bad_utf8", "malformed"}, {SW_E_BAD_OPCODE, "bad_opcode", "malformed"},
        {SW_E_BAD_STACK, "bad_stack", "malformed"}, {SW_E_BAD_MARK, "bad_mark", "malformed"},
        {SW_E_BAD_MEMO, "bad_memo", "malformed"}, {SW_E_BAD_PROTO, "bad_proto", "malformed"},
        {SW_E_BAD_FRAME, "bad_frame", "malformed"}, {SW_E_BAD_TAG, "bad_tag", "malformed"},
        {SW_E_BAD_VALUE, "bad_value", "malformed"}, {SW_E_UNHASHABLE, "unhashable", "malformed"},
        {SW_E_DUP_KEY, "dup_key", "malformed"}, {SW_E_BATCH_TYPE, "batch_type", "malformed"},
        {SW_E_BATCH_MISMATCH, "batch_mismatch", "malformed"}, {SW_E_ZLIB, "zlib", "malformed"},
        {SW_E_EXCEPTION_FRAME, "exception_frame", "malformed"}, {SW_E_SYNTAX, "syntax", "malformed"},
        {SW_E_BAD_SPEC, "bad_spec", "malformed"}, {SW_E_NO_STOP, "no_stop", "malformed"},
        {SW_E_TYPE, "type", "malformed"},
        {SW_E_LIMIT_FRAME, "limit_frame", "limit"}, {SW_E_LIMIT_DEPTH, "limit_depth", "limit"},
        {SW_E_LIMIT_NODES, "limit_nodes", "limit"}, {SW_E_LIMIT_TOTAL, "limit_total", "limit"},
        {SW_E_LIMIT_MEMO, "limit_memo", "limit"}, {SW_E_LIMIT_INFLATE, "limit_inflate", "limit"},
        {SW_E_LIMIT_EXPANSION, "limit_expansion", "limit"},
        {SW_E_LIMIT_INT_DIGITS, "limit_int_digits", "limit"}, {SW_E_LIMIT_ITEMS, "limit_items", "limit"},
        {SW_E_NOMEM, "nomem", "nomem"},
        {SW_E_UNSUPPORTED, "unsupported", "unsupported"},
        {SW_E_UNSUPPORTED_PERSID, "unsupported_persid", "unsupported"},
        {SW_E_UNSUPPORTED_EXT, "unsupported_ext", "unsupported"},
        {SW_E_UNSUPPORTED_BUFFER, "unsupported_buffer", "unsupported"},
        {SW_E_UNSUPPORTED_CODE, "unsupported_code", "unsupported"},
        {SW_E_UNENCODABLE, "unencodable", "unsupported"},
        {SW_E_IO, "io", "io"}, {SW_E_IO_READ, "io_read", "io"}, {SW_E_IO_WRITE, "io_write", "io"},
        {SW_E_ARG, "arg", "usage"}, {SW_E_STATE, "state", "usage"},
    };
    static const char *const layers[] = {"none", "wire", "frame", "pickle", "marshal", "zlib", "utf8", "batch",
                                          "auto", "pair", "notation", "spec", "io", "value", "chunked"};
    static const char *const exc[] = {"", "EOFError", "UnpicklingError", "ValueError", "TypeError",
                                      "struct.error", "zlib.error", "UnicodeDecodeError", "KeyError",
                                      "IndexError", "OverflowError", "MemoryError", "AttributeError",
                                      "RecursionError"};
    size_t i;
    for (i = 0; i < sizeof st / sizeof *st; i++) {
        CU_ASSERT_STRING_EQUAL(sw_status_str(st[i].s), st[i].name);
        CU_ASSERT_STRING_EQUAL(sw_category_str(st[i].s), st[i].category);
        CU_ASSERT_EQUAL(SW_STATUS_CATEGORY(st[i].s), (st[i].s / 100) * 100);
        CU_ASSERT_EQUAL(SW_IS_ERROR(st[i].s), st[i].s >= 100);
    }
    CU_ASSERT_PTR_NOT_NULL(sw_status_str((sw_status)999));
    CU_ASSERT_STRING_EQUAL(sw_category_str((sw_status)999), "unknown");
    for (i = 0; i < sizeof layers / sizeof *layers; i++) CU_ASSERT_STRING_EQUAL(sw_layer_str((sw_layer)i), layers[i]);
    CU_ASSERT_STRING_EQUAL(sw_layer_str((sw_layer)99), "unknown");
    for (i = 0; i < sizeof exc / sizeof *exc; i++) CU_ASSERT_STRING_EQUAL(sw_pyexc_str((sw_pyexc)i), exc[i]);
    CU_ASSERT_PTR_NOT_NULL(sw_pyexc_str(SW_PYEXC_OTHER));
    CU_ASSERT_STRING_EQUAL(sw_mode_str(SW_MODE_PYSPARK), "pyspark");
    CU_ASSERT_STRING_EQUAL(sw_mode_str(SW_MODE_STRICT), "strict");
}

/* [#errors.record] the text form carries category/status, layer, offsets, message */
static void test_error_format(void)
{
    sw_error e;
    char buf[256], small[8];
    size_t n;
    sw_serializer *s;
    CU_ASSERT_EQUAL(sw_ser_parse("BatchedSerializer(PickleSerializer(), 0)", &s, NULL, &e), SW_E_BAD_SPEC);
    e.offset = 1234;
    e.item = 56;
    n = sw_error_format(&e, buf, sizeof buf);
    CU_ASSERT_EQUAL(n, strlen(buf));
    CU_ASSERT_EQUAL(strncmp(buf, "malformed/bad_spec ", 19), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "spec"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "1234"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "38"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "56"));
    CU_ASSERT(n > 14 && strcmp(buf + n - 14, "bad batch size") == 0);
    /* a small buffer: the length it needs, truncated text, NUL-terminated */
    CU_ASSERT_EQUAL(sw_error_format(&e, small, sizeof small), n);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
    sw_error_clear(&e);
    CU_ASSERT_EQUAL(e.status, SW_OK);
}

static CU_TestInfo tests[] = {
    {"spec errors: status, offset, message", test_spec_errors},
    {"spec integers beyond int64", test_spec_int_overflow},
    {"spec nesting bound 64", test_spec_depth},
    {"sw_ser_format round trips", test_spec_format},
    {"sw_ser_is_framed", test_spec_is_framed},
    {"spec parser allocation failure", test_spec_alloc_failure},
    {"status, layer, pyexc and mode names", test_error_names},
    {"sw_error_format", test_error_format},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cov_spec(void) { return sw_test_add_suite("cov_spec", tests); }

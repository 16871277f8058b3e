/* Pickle decoder: DUP, INST, OBJ and the STRING family (STRING, BINSTRING,
 * SHORT_BINSTRING) under encoding bytes / ASCII / latin1, and dict keys / set
 * members that Python's == and hash merge, resolved builtins, and marshal's
 * text floats and TYPE_LONG digits, against CPython
 * [#pickle.encoding] [#pickle.globals] [#pickle.stack] [#pickle.mark]
 * [#pickle.keys].
 * The expected notation or Python exception of every case comes from
 * python3's C unpickler through tools/gen_cov_pickle_cases.py
 * (cov_pickle_cases.h); the hand-written tables below add sparkwire's own
 * status and offsets. */
#include <stdlib.h>

#include "testutil.h"

#include "cov_pickle_cases.h"

static sw_status decode_marshal(const uint8_t *p, size_t n, sw_mode mode, sw_arena *ar, sw_value **v, size_t *used,
                                sw_error *e)
{
    sw_marshal_opts o;
    sw_marshal_opts_default(&o);
    o.mode = mode;
    sw_test_junk(v, sizeof *v);
    sw_test_junk(used, sizeof *used);
    sw_test_junk(e, sizeof *e);
    return sw_marshal_decode(ar, p, n, &o, v, used, e);
}

static sw_status decode(const uint8_t *p, size_t n, sw_pickle_encoding enc, sw_mode mode, sw_arena *ar,
                        sw_value **v, size_t *used, sw_error *e)
{
    sw_pickle_opts o;
    sw_pickle_opts_default(&o);
    o.encoding = enc;
    o.mode = mode;
    sw_test_junk(v, sizeof *v);
    sw_test_junk(used, sizeof *used);
    sw_test_junk(e, sizeof *e);
    return sw_pickle_decode(ar, p, n, &o, v, used, e);
}

/* every generated case, in both modes: the same value or the same exception */
static void test_cases_vs_cpython(void)
{
    size_t i;
    unsigned ok = 0;
    for (i = 0; i < COV_PICKLE_NCASES; i++) {
        const struct cov_pickle_case *c = &cov_pickle_cases[i];
        int m;
        for (m = 0; m < 2; m++) {
            sw_arena *ar = sw_arena_new(NULL, NULL);
            sw_value *v;
            size_t used;
            sw_error e;
            sw_status st = c->marshal ? decode_marshal((const uint8_t *)c->data, c->n,
                                                       m ? SW_MODE_STRICT : SW_MODE_PYSPARK, ar, &v, &used, &e)
                                      : decode((const uint8_t *)c->data, c->n, c->encoding,
                                               m ? SW_MODE_STRICT : SW_MODE_PYSPARK, ar, &v, &used, &e);
            int good;
            if (c->merges && m) {
                /* [#pickle.keys] strict reports the merge */
                good = st == SW_E_DUP_KEY && e.status == st && e.payload_offset < c->n && v == NULL;
                if (!good) fprintf(stderr, "\n  %s strict: %s, expected dup_key", c->name, sw_status_str(st));
            } else if (c->notation) {
                const char *got = st == SW_OK ? sw_test_notation(v) : "";
                good = st == SW_OK && used == c->n && strcmp(got, c->notation) == 0;
                if (!good)
                    fprintf(stderr, "\n  %s: %s %s, expected %s", c->name, sw_status_str(st),
                            st == SW_OK ? got : e.msg, c->notation);
            } else {
                good = st != SW_OK && SW_IS_ERROR(st) && e.pyexc == c->pyexc &&
                       e.layer == (c->marshal ? SW_LAYER_MARSHAL : SW_LAYER_PICKLE) &&
                       e.payload_offset < c->n && v == NULL;
                if (!good)
                    fprintf(stderr, "\n  %s: %s (%s), expected %s %s", c->name, sw_status_str(st),
                            st == SW_OK ? sw_test_notation(v) : sw_pyexc_str(e.pyexc), sw_pyexc_str(c->pyexc),
                            c->py_message);
            }
            CU_ASSERT(good);
            ok += (unsigned)good;
            sw_arena_free(ar);
        }
    }
    CU_ASSERT_EQUAL(ok, 2 * COV_PICKLE_NCASES);
    printf("\n  DUP/INST/OBJ/STRING family/merged keys vs CPython: %u/%u\n", ok, 2 * (unsigned)COV_PICKLE_NCASES);
}

/* sparkwire's status and offset for the failing ones (CPython's class is
 * checked above) */
static const struct {
    const char *data;
    size_t n;
    sw_pickle_encoding enc;
    sw_status status;
    uint64_t payload_offset;
    const char *msg;
} errors[] = {
    /* [#pickle.encoding] ASCII: UnicodeDecodeError */
    {"S'caf\\xe9'\n.", 12, SW_PICKLE_ENC_ASCII, SW_E_BAD_UTF8, 0, NULL},
    {"T\x03\x00\x00\x00" "a\xff" "b.", 9, SW_PICKLE_ENC_ASCII, SW_E_BAD_UTF8, 0, NULL},
    {"U\x02\xe9\x00.", 5, SW_PICKLE_ENC_ASCII, SW_E_BAD_UTF8, 0, NULL},
    {"\x80\x02](U\x01" "a\x85U\x01\x80" "e.", 13, SW_PICKLE_ENC_ASCII, SW_E_BAD_UTF8, 8, NULL},
    /* quoting and escapes */
    {"S'abc\n.", 7, SW_PICKLE_ENC_BYTES, SW_E_BAD_VALUE, 0, "the STRING opcode argument must be quoted"},
    {"S'\n.", 4, SW_PICKLE_ENC_BYTES, SW_E_BAD_VALUE, 0, "the STRING opcode argument must be quoted"},
    {"S\n.", 3, SW_PICKLE_ENC_BYTES, SW_E_BAD_VALUE, 0, "the STRING opcode argument must be quoted"},
    {"S'ab\\'\n.", 8, SW_PICKLE_ENC_LATIN1, SW_E_BAD_VALUE, 0, "Trailing \\ in string"},
    {"S'\\x4'\n.", 8, SW_PICKLE_ENC_BYTES, SW_E_BAD_VALUE, 0, "invalid \\x escape"},
    {"S'\\xg0'\n.", 9, SW_PICKLE_ENC_BYTES, SW_E_BAD_VALUE, 0, "invalid \\x escape"},
    {"S'abc'", 6, SW_PICKLE_ENC_BYTES, SW_E_TRUNCATED_PAYLOAD, 0, NULL},
    /* lengths */
    {"T\x05\x00\x00\x00" "abc", 8, SW_PICKLE_ENC_BYTES, SW_E_TRUNCATED_PAYLOAD, 0, NULL},
    {"T\x05\x00", 3, SW_PICKLE_ENC_BYTES, SW_E_TRUNCATED_PAYLOAD, 0, NULL},
    {"U\x05" "abc", 5, SW_PICKLE_ENC_BYTES, SW_E_TRUNCATED_PAYLOAD, 0, NULL},
    {"U", 1, SW_PICKLE_ENC_BYTES, SW_E_TRUNCATED_PAYLOAD, 0, NULL},
    /* [#pickle.stack] DUP */
    {"2.", 2, SW_PICKLE_ENC_BYTES, SW_E_BAD_STACK, 0, "unpickling stack underflow"},
    {"(2.", 3, SW_PICKLE_ENC_BYTES, SW_E_BAD_STACK, 1, "unexpected MARK found"},
    /* [#pickle.mark] INST / OBJ */
    {"i__main__\nP\n.", 13, SW_PICKLE_ENC_BYTES, SW_E_BAD_MARK, 0, "could not find MARK"},
    {"c__main__\nP\no.", 14, SW_PICKLE_ENC_BYTES, SW_E_BAD_MARK, 12, "could not find MARK"},
    {"(o.", 3, SW_PICKLE_ENC_BYTES, SW_E_BAD_STACK, 1, "unpickling stack underflow"},
    {"(i__main__\nP", 12, SW_PICKLE_ENC_BYTES, SW_E_TRUNCATED_PAYLOAD, 1, NULL},
};

static void test_error_status_offsets(void)
{
    size_t i;
    for (i = 0; i < sizeof errors / sizeof *errors; i++) {
        sw_arena *ar = sw_arena_new(NULL, NULL);
        sw_value *v;
        size_t used;
        sw_error e;
        sw_status st = decode((const uint8_t *)errors[i].data, errors[i].n, errors[i].enc, SW_MODE_PYSPARK, ar,
                              &v, &used, &e);
        int good = st == errors[i].status && e.status == st && e.payload_offset == errors[i].payload_offset &&
                   e.layer == SW_LAYER_PICKLE && (!errors[i].msg || strcmp(e.msg, errors[i].msg) == 0);
        if (!good)
            fprintf(stderr, "\n  error case %u: %s at %llu (%s)", (unsigned)i, sw_status_str(st),
                    (unsigned long long)e.payload_offset, e.msg);
        CU_ASSERT(good);
        sw_arena_free(ar);
    }
}

/* [#pickle.encoding] the node kinds and hints behind the notation */
static void test_string_kinds(void)
{
    static const char s[] = "S'\\x41b'\n.";
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v;
    size_t used;
    sw_error e;
    CU_ASSERT_EQUAL(decode((const uint8_t *)s, sizeof s - 1, SW_PICKLE_ENC_BYTES, SW_MODE_PYSPARK, ar, &v, &used, &e),
                    SW_OK);
    CU_ASSERT_EQUAL(v->kind, SW_K_BYTES);
    CU_ASSERT_EQUAL(used, sizeof s - 1);
    CU_ASSERT_EQUAL(decode((const uint8_t *)s, sizeof s - 1, SW_PICKLE_ENC_LATIN1, SW_MODE_PYSPARK, ar, &v, &used, &e),
                    SW_OK);
    CU_ASSERT_EQUAL(v->kind, SW_K_STR);
    CU_ASSERT_STRING_EQUAL(sw_test_notation(v), "'Ab'");
    /* bytes after STOP are the caller's */
    CU_ASSERT_EQUAL(decode((const uint8_t *)"U\x01x.junk", 8, SW_PICKLE_ENC_BYTES, SW_MODE_PYSPARK, ar, &v, &used, &e),
                    SW_OK);
    CU_ASSERT_EQUAL(used, 4u);
    sw_arena_free(ar);
}

/* [#pickle.globals] APPEND(S), SETITEM(S), ADDITEMS and BUILD on an obj node
 * become its mutations, in order */
static void test_obj_mutations(void)
{
    /* split literals: a hex escape never eats the next character */
    static const char p[] = "\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00" /* FRAME 0 */
                            "c__main__\nP\n)\x81"                                     /* newobj(P, ()) */
                            "(K\x01" "K\x02" "\x90"                                   /* ADDITEMS 1 2 */
                            "K\x03" "a"                                               /* APPEND 3 */
                            "K\x04" "K\x05" "s"                                       /* SETITEM 4: 5 */
                            "(K\x06" "K\x07" "u"                                      /* SETITEMS 6: 7 */
                            "(K\x08" "e"                                              /* APPENDS 8 */
                            "}b.";                                                    /* BUILD {} */
    sw_arena *ar = sw_arena_new(NULL, NULL);
    sw_value *v;
    size_t used;
    sw_error e;
    CU_ASSERT_EQUAL_FATAL(decode((const uint8_t *)p, sizeof p - 1, SW_PICKLE_ENC_BYTES, SW_MODE_PYSPARK, ar, &v,
                                 &used, &e),
                          SW_OK);
    CU_ASSERT_EQUAL(used, sizeof p - 1);
    CU_ASSERT_STRING_EQUAL(sw_test_notation(v), "newobj(global('__main__', 'P'), ()).add(1).add(2).append(3)"
                                                ".setitem(4, 5).setitem(6, 7).append(8).build({})");
    sw_arena_free(ar);
}

/* [#marshal.dis] the listing names the text float, complex and ASCII codes */
static void test_marshal_dis_names(void)
{
    static const uint8_t p[] = {'(', 3, 0, 0, 0, 'f', 3, '1', '.', '5', 'x', 1, '1', 1, '2', 'a', 2, 0, 0, 0, 'h', 'i'};
    sw_buf b;
    sw_error e;
    sw_buf_init(&b, NULL);
    CU_ASSERT_EQUAL(sw_marshal_dis(p, sizeof p, 10, "", NULL, &b, &e), SW_OK);
    sw_buf_putc(&b, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "        15:   66 'f' FLOAT 1.5\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "        20:   78 'x' COMPLEX complex(1.0, 2.0)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr((const char *)b.p, "        25:   61 'a' ASCII len=2 'hi'\n"));
    sw_buf_free(&b);
}

static CU_TestInfo tests[] = {
    {"mutations of an obj node", test_obj_mutations},
    {"marshal listing names", test_marshal_dis_names},
    {"DUP/INST/OBJ/STRING family/merged keys vs CPython (tools/gen_cov_pickle_cases.py)", test_cases_vs_cpython},
    {"their errors: status, offset, message", test_error_status_offsets},
    {"STRING family node kinds and consumed bytes", test_string_kinds},
    CU_TEST_INFO_NULL,
};

int sw_suite_test_cov_pickle(void) { return sw_test_add_suite("cov_pickle", tests); }

/* sparkwire command line: decode, encode and list PySpark serializer streams.
 * Exit codes [#cli.exit]: 0 success, 1 the stream is invalid (decode error,
 * item the encoder cannot write), 2 usage error, 3 I/O error. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparkwire/stream.h"
#include "internal/common.h"

static const char *usage_text =
    "usage: sparkwire decode -s SPEC [options] [FILE|-]   print items, one per line, then a status line\n"
    "       sparkwire encode -s SPEC [options] [FILE|-]   read items (one per line), write the stream to stdout\n"
    "       sparkwire dis    -s SPEC [options] [FILE|-]   list frames and payload opcodes with offsets\n"
    "       sparkwire audit  -s SPEC [options] [FILE|-]   list every global and call in the stream's pickles;\n"
    "                                                     exit 1 if one is outside the allow list\n"
    "       sparkwire version\n"
    "SPEC is a serializer as PySpark prints it, e.g. \"BatchedSerializer(PickleSerializer(), 1024)\".\n"
    "options: --mode pyspark|strict   --encoding bytes|ascii|latin1   --no-resolve   --symbolic-ext\n"
    "         --marshal-py2   --auto-intended   --max-frame N   --max-depth N   --max-nodes N\n"
    "         --max-inflate N   --max-items N\n"
    "exit: 0 ok, 1 invalid stream or item, 2 usage, 3 I/O\n";

static int usage(const char *msg)
{
    if (msg) fprintf(stderr, "sparkwire: %s\n", msg);
    fputs(usage_text, stderr);
    return 2;
}

static int open_input(const char *path)
{
    if (!path || strcmp(path, "-") == 0) return 0;
    return open(path, O_RDONLY);
}

static int print_error(FILE *f, const sw_error *e)
{
    char text[512];
    sw_error_format(e, text, sizeof text);
    return fprintf(f, "# error %s\n", text);
}

static int read_all(int fd, sw_buf *b)
{
    for (;;) {
        ssize_t r;
        if (sw_buf_reserve(b, 65536) != SW_OK) return -1;
        r = read(fd, b->p + b->n, b->cap - b->n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) return 0;
        b->n += (size_t)r;
    }
}

static int cmd_decode(sw_serializer *s, const sw_stream_opts *o, int fd)
{
    sw_source src;
    sw_decoder *d = NULL;
    sw_buf line;
    sw_status st;
    sw_error e;
    int rc = 0;
    sw_source_fd(&src, fd, NULL);
    if (sw_decoder_new(s, &src, o, &d) != SW_OK) {
        fprintf(stderr, "sparkwire: out of memory\n");
        return 3;
    }
    sw_buf_init(&line, NULL);
    for (;;) {
        sw_value *v = NULL;
        sw_error_clear(&e);
        st = sw_decoder_next(d, &v, &e);
        if (st != SW_OK) break;
        line.n = 0;
        if (sw_notation_print(v, &line, o->limits.max_depth, &e) != SW_OK) {
            st = e.status;
            e.item = sw_decoder_count(d) - 1;
            break;
        }
        sw_buf_putc(&line, '\n');
        fwrite(line.p, 1, line.n, stdout);
    }
    if (st == SW_END) {
        printf("# end ok items=%llu\n", (unsigned long long)sw_decoder_count(d));
    } else {
        print_error(stdout, &e);
        rc = SW_STATUS_CATEGORY(st) == SW_E_IO ? 3 : 1;
    }
    sw_buf_free(&line);
    sw_decoder_free(d);
    sw_source_free(&src);
    return rc;
}

static int cmd_encode(sw_serializer *s, const sw_stream_opts *o, int fd)
{
    sw_buf in, out;
    sw_sink sink;
    sw_encoder *enc = NULL;
    sw_arena *ar = sw_arena_new(NULL, &o->limits);
    sw_error e;
    size_t pos = 0, lineno = 0;
    int rc = 0;
    sw_buf_init(&in, NULL);
    sw_buf_init(&out, NULL);
    if (!ar || read_all(fd, &in) != 0) {
        fprintf(stderr, "sparkwire: cannot read input\n");
        sw_arena_free(ar);
        sw_buf_free(&in);
        return 3;
    }
    sw_sink_fd(&sink, 1);
    if (sw_encoder_new(s, &sink, o, &enc) != SW_OK) {
        sw_arena_free(ar);
        sw_buf_free(&in);
        return 3;
    }
    while (pos < in.n) {
        size_t end = pos;
        sw_value *v = NULL;
        while (end < in.n && in.p[end] != '\n') end++;
        lineno++;
        if (end > pos && in.p[pos] != '#') {
            sw_error_clear(&e);
            if (sw_notation_parse(ar, (const char *)in.p + pos, end - pos, &v, &e) != SW_OK) {
                fprintf(stderr, "sparkwire: line %zu: ", lineno);
                print_error(stderr, &e);
                rc = 1;
                break;
            }
            if (sw_encoder_put(enc, v, &e) != SW_OK) {
                fprintf(stderr, "sparkwire: line %zu: ", lineno);
                print_error(stderr, &e);
                rc = 1;
                break;
            }
        }
        pos = end + 1;
    }
    if (rc == 0) {
        sw_error_clear(&e);
        if (sw_encoder_finish(enc, &e) != SW_OK) {
            print_error(stderr, &e);
            rc = 1;
        }
    }
    sw_encoder_free(enc);
    sw_arena_free(ar);
    sw_buf_free(&in);
    sw_buf_free(&out);
    return rc;
}

static int cmd_dis(sw_serializer *s, const sw_stream_opts *o, int fd)
{
    sw_source src;
    sw_buf out;
    sw_error e;
    sw_status st;
    sw_source_fd(&src, fd, NULL);
    sw_buf_init(&out, NULL);
    sw_error_clear(&e);
    st = sw_stream_dis(s, &src, o, &out, &e);
    fwrite(out.p ? (const char *)out.p : "", 1, out.n, stdout);
    if (st != SW_OK && SW_IS_ERROR(st)) print_error(stdout, &e);
    sw_buf_free(&out);
    sw_source_free(&src);
    return st == SW_OK || st == SW_END ? 0 : 1;
}

/* [#cli.audit] names the resolve pass turns into plain values, plus the
 * constructors CPython uses for them: the allow list */
static const char *const allowed[][2] = {
    {"builtins", "set"}, {"builtins", "frozenset"}, {"builtins", "bytearray"}, {"builtins", "bytes"},
    {"builtins", "complex"}, {"_codecs", "encode"}, {"copyreg", "_reconstructor"}, {"builtins", "object"},
    {"pyspark.serializers", "_restore"}, {"builtins", "Ellipsis"}, {"builtins", "StopIteration"},
};

typedef struct audit_name {
    char *text;
    unsigned long count;
    int ok;
} audit_name;

static int is_allowed(const sw_value *g)
{
    size_t i;
    const sw_value *m = g->u.c.v[0], *n = g->u.c.v[1];
    for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (m->kind == SW_K_STR && n->kind == SW_K_STR && m->u.s.n == strlen(allowed[i][0]) &&
            n->u.s.n == strlen(allowed[i][1]) && memcmp(m->u.s.p, allowed[i][0], m->u.s.n) == 0 &&
            memcmp(n->u.s.p, allowed[i][1], n->u.s.n) == 0)
            return 1;
    return 0;
}

static int cmd_audit(sw_serializer *s, sw_stream_opts *o, int fd)
{
    sw_source src;
    sw_decoder *d = NULL;
    sw_status st;
    sw_error e;
    audit_name *names = NULL;
    size_t nn = 0, i;
    int bad = 0, rc;
    const sw_value **stk = NULL;
    size_t cap = 0;
    o->pickle_resolve = 1;
    o->symbolic_ext = 1;
    sw_source_fd(&src, fd, NULL);
    if (sw_decoder_new(s, &src, o, &d) != SW_OK) return 3;
    for (;;) {
        sw_value *v = NULL;
        sw_ptrmap seen;
        size_t n = 0;
        sw_error_clear(&e);
        st = sw_decoder_next(d, &v, &e);
        if (st != SW_OK) break;
        sw_ptrmap_init(&seen, NULL);
        if (cap == 0) {
            cap = 256;
            stk = (const sw_value **)malloc(cap * sizeof *stk);
            if (!stk) return 3;
        }
        stk[n++] = v;
        while (n) {
            const sw_value *x = stk[--n];
            size_t k, nc;
            if (sw_ptrmap_get(&seen, x) || sw_ptrmap_put(&seen, x, 1) != SW_OK) continue;
            if (x->kind == SW_K_GLOBAL && x->u.c.n == 2) {
                sw_buf t;
                sw_buf_init(&t, NULL);
                sw_buf_put(&t, x->u.c.v[0]->u.s.p, x->u.c.v[0]->u.s.n);
                sw_buf_putc(&t, '.');
                sw_buf_put(&t, x->u.c.v[1]->u.s.p, x->u.c.v[1]->u.s.n);
                sw_buf_putc(&t, 0);
                for (k = 0; k < nn; k++)
                    if (strcmp(names[k].text, (char *)t.p) == 0) break;
                if (k == nn) {
                    audit_name *nn2 = (audit_name *)realloc(names, (nn + 1) * sizeof *names);
                    if (!nn2) return 3;
                    names = nn2;
                    names[nn].text = strdup((char *)t.p);
                    names[nn].count = 0;
                    names[nn].ok = is_allowed(x);
                    nn++;
                }
                names[k].count++;
                sw_buf_free(&t);
            }
            nc = sw_v_nchildren(x);
            for (k = 0; k < nc; k++) {
                if (n == cap) {
                    const sw_value **ns = (const sw_value **)realloc(stk, cap * 2 * sizeof *stk);
                    if (!ns) return 3;
                    stk = ns;
                    cap *= 2;
                }
                stk[n++] = sw_v_child(x, k);
            }
        }
        sw_ptrmap_free(&seen);
    }
    for (i = 0; i < nn; i++) {
        printf("%-8s %6lu  %s\n", names[i].ok ? "allowed" : "DENIED", names[i].count, names[i].text);
        if (!names[i].ok) bad = 1;
        free(names[i].text);
    }
    if (st == SW_END)
        printf("# end ok items=%llu names=%zu denied=%d\n", (unsigned long long)sw_decoder_count(d), nn, bad);
    else
        print_error(stdout, &e);
    rc = st != SW_END ? 1 : bad ? 1 : 0;
    free(names);
    free(stk);
    sw_decoder_free(d);
    sw_source_free(&src);
    return rc;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    unsigned long long x;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno || *end || end == s) return 0;
    *v = x;
    return 1;
}

int main(int argc, char **argv)
{
    const char *cmd, *spec = NULL, *file = NULL;
    sw_stream_opts o;
    sw_serializer *s = NULL;
    sw_error e;
    int i, fd, rc;
    if (argc < 2) return usage(NULL);
    cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("sparkwire %s\n", SW_VERSION_STRING);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "decode") && strcmp(cmd, "encode") && strcmp(cmd, "dis") && strcmp(cmd, "audit"))
        return usage("unknown command");
    sw_stream_opts_default(&o);
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        int has_arg = i + 1 < argc;
        if (strcmp(a, "-s") == 0 || strcmp(a, "--spec") == 0) {
            if (!has_arg) return usage("-s needs a serializer");
            spec = argv[++i];
        } else if (strcmp(a, "--mode") == 0) {
            if (!has_arg) return usage("--mode needs pyspark or strict");
            i++;
            if (strcmp(argv[i], "pyspark") == 0) o.mode = SW_MODE_PYSPARK;
            else if (strcmp(argv[i], "strict") == 0) o.mode = SW_MODE_STRICT;
            else return usage("--mode is pyspark or strict");
        } else if (strcmp(a, "--encoding") == 0) {
            if (!has_arg) return usage("--encoding needs a value");
            i++;
            if (strcmp(argv[i], "bytes") == 0) o.pickle_encoding = SW_PICKLE_ENC_BYTES;
            else if (strcmp(argv[i], "ascii") == 0) o.pickle_encoding = SW_PICKLE_ENC_ASCII;
            else if (strcmp(argv[i], "latin1") == 0) o.pickle_encoding = SW_PICKLE_ENC_LATIN1;
            else return usage("--encoding is bytes, ascii or latin1");
        } else if (strcmp(a, "--no-resolve") == 0) {
            o.pickle_resolve = 0;
        } else if (strcmp(a, "--symbolic-ext") == 0) {
            o.symbolic_ext = 1;
        } else if (strcmp(a, "--marshal-py2") == 0) {
            o.marshal_py2 = 1;
        } else if (strcmp(a, "--auto-intended") == 0) {
            o.auto_intended = 1;
        } else if (strncmp(a, "--max-", 6) == 0) {
            if (!has_arg || !parse_u64(argv[i + 1], &v) || v == 0) return usage("limit needs a positive number");
            i++;
            if (strcmp(a, "--max-frame") == 0) o.limits.max_frame_bytes = v;
            else if (strcmp(a, "--max-depth") == 0) o.limits.max_depth = (uint32_t)v;
            else if (strcmp(a, "--max-nodes") == 0) o.limits.max_nodes = v;
            else if (strcmp(a, "--max-inflate") == 0) o.limits.max_inflated_bytes = v;
            else if (strcmp(a, "--max-items") == 0) o.limits.max_items = v;
            else return usage("unknown limit");
        } else if (a[0] == '-' && a[1] != 0) {
            return usage("unknown option");
        } else {
            if (file) return usage("one input file at most");
            file = a;
        }
    }
    if (!spec) return usage("-s SPEC is required");
    sw_error_clear(&e);
    if (sw_ser_parse(spec, &s, NULL, &e) != SW_OK) {
        fprintf(stderr, "sparkwire: bad serializer at character %llu: %s\n",
                (unsigned long long)e.payload_offset, e.msg);
        return 2;
    }
    fd = open_input(file);
    if (fd < 0) {
        fprintf(stderr, "sparkwire: cannot open %s: %s\n", file, strerror(errno));
        sw_ser_free(s, NULL);
        return 3;
    }
    if (strcmp(cmd, "decode") == 0) rc = cmd_decode(s, &o, fd);
    else if (strcmp(cmd, "encode") == 0) rc = cmd_encode(s, &o, fd);
    else if (strcmp(cmd, "audit") == 0) rc = cmd_audit(s, &o, fd);
    else rc = cmd_dis(s, &o, fd);
    if (fd > 0) close(fd);
    sw_ser_free(s, NULL);
    fflush(stdout);
    return rc;
}

/*
 * sparkwire benchmark harness (not part of the library; `make bench` runs it
 * through bench/run.py, which also times CPython on the very same bytes).
 *
 *   swbench corpus DIR [REPS] [MIN_MS] [NAME_PART]
 *       For each stream in DIR/manifest.tsv (bench/make_corpus.py), one JSON
 *       line per measurement:
 *         decode   sw_decoder over a memory source of the whole stream, every
 *                  item counted and touched (kind, scalar value, children);
 *         encode   the decoded items (decoded once with keep_items) put through
 *                  sw_encoder into a memory sink; the output is compared with
 *                  the input bytes ("identical");
 *         scan     NoOpSerializer() over the same stream: frames only, payloads
 *                  borrowed from the source, not copied;
 *         scan_cb  the same through a callback source fed from memory (what a
 *                  pipe or socket costs: every byte copied into the window);
 *         memcpy   memcpy of the same bytes into a warm buffer (the ceiling).
 *       SWBENCH_OPS="decode encode" (environment) runs only those.
 *       Each measurement is REPS samples; a sample repeats the pass enough
 *       times to last MIN_MS, and reports the time of one pass. min and
 *       median over the samples are printed. glibc's mmap threshold is set
 *       to 32 MiB first: a long-running process reaches that steady state
 *       anyway (glibc raises the threshold after large frees), while a fresh
 *       process would map and fault in the megabyte-frame streams' buffers
 *       again in every pass, whichever stream it starts with.
 *
 *   swbench stream FRAMES_FILE BYTES
 *       A child process writes BYTES of frames (the first frame of FRAMES_FILE
 *       repeated: BatchedSerializer(PickleSerializer(), 1024) payloads) into
 *       a pipe; this process decodes it through sw_source_fd and reports peak
 *       RSS (getrusage ru_maxrss) and throughput.
 *
 *   swbench encode-stream FRAMES_FILE BYTES
 *       The items of that first frame put again and again through one
 *       sw_encoder (BatchedSerializer(PickleSerializer(), 1024)) into
 *       /dev/null until BYTES are written: peak RSS of a long encode.
 *
 * Speeds are reported, never asserted.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sparkwire/stream.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int read_file(const char *path, uint8_t **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    long len;
    uint8_t *p;
    if (!f) return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    p = (uint8_t *)malloc(len ? (size_t)len : 1);
    if (!p || fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = p;
    *n = (size_t)len;
    return 0;
}

/* ---- what a pass does ---- */

typedef struct job {
    const uint8_t *data;
    size_t n;
    const sw_serializer *ser;    /* the stream's serializer */
    const sw_serializer *noop;   /* NoOpSerializer() */
    sw_value **items;            /* decoded once, for encoding */
    size_t nitems;
    sw_buf out;                  /* encoder output, reused */
    uint8_t *copy;               /* memcpy target */
    uint64_t count;              /* items (or frames) seen by the last pass */
    uint64_t sink;               /* touched values, so nothing is optimised away */
    sw_status st;
    sw_error err;
} job;

/* Look at an item as a consumer would: its kind, its scalar, its children's
 * kinds. */
static uint64_t touch(const sw_value *v)
{
    uint64_t h = v->kind;
    size_t i;
    switch (v->kind) {
    case SW_K_INT:
        h += (v->flags & SW_VF_BIG) ? v->u.big.n : (uint64_t)v->u.i;
        break;
    case SW_K_BOOL:
        h += (uint64_t)v->u.b;
        break;
    case SW_K_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &v->u.f, sizeof bits);
        h ^= bits;
        break;
    }
    case SW_K_STR: case SW_K_BYTES: case SW_K_BYTEARRAY:
        h += v->u.s.n + (v->u.s.n ? v->u.s.p[0] : 0);
        break;
    case SW_K_TUPLE: case SW_K_LIST: case SW_K_DICT: case SW_K_SET: case SW_K_FROZENSET:
        h += v->u.c.n;
        for (i = 0; i < v->u.c.n; i++) h += v->u.c.v[i]->kind;
        break;
    default:
        break;
    }
    return h;
}

static void pass_decode(job *j)
{
    sw_source src;
    sw_decoder *d = NULL;
    sw_value *v;
    uint64_t n = 0;
    sw_source_mem(&src, j->data, j->n);
    j->st = sw_decoder_new(j->ser, &src, NULL, &d);
    if (j->st != SW_OK) return;
    while ((j->st = sw_decoder_next(d, &v, &j->err)) == SW_OK) {
        j->sink += touch(v);
        n++;
    }
    if (j->st == SW_END) j->st = SW_OK;
    j->count = n;
    sw_decoder_free(d);
}

static void pass_scan(job *j)
{
    sw_source src;
    sw_decoder *d = NULL;
    sw_value *v;
    uint64_t n = 0;
    sw_source_mem(&src, j->data, j->n);
    j->st = sw_decoder_new(j->noop, &src, NULL, &d);
    if (j->st != SW_OK) return;
    while ((j->st = sw_decoder_next(d, &v, &j->err)) == SW_OK) {
        j->sink += v->u.s.n; /* the borrowed payload's length */
        n++;
    }
    if (j->st == SW_END) j->st = SW_OK;
    j->count = n;
    sw_decoder_free(d);
}

typedef struct memfeed {
    const uint8_t *p;
    size_t n, pos;
} memfeed;

static sw_status feed(void *ctx, uint8_t *dst, size_t cap, size_t *got)
{
    memfeed *m = (memfeed *)ctx;
    size_t k = m->n - m->pos < cap ? m->n - m->pos : cap;
    memcpy(dst, m->p + m->pos, k);
    m->pos += k;
    *got = k;
    return SW_OK;
}

static void pass_scan_cb(job *j)
{
    sw_source src;
    sw_decoder *d = NULL;
    sw_value *v;
    uint64_t n = 0;
    memfeed m;
    m.p = j->data;
    m.n = j->n;
    m.pos = 0;
    sw_source_cb(&src, feed, &m, 0, NULL);
    j->st = sw_decoder_new(j->noop, &src, NULL, &d);
    if (j->st == SW_OK) {
        while ((j->st = sw_decoder_next(d, &v, &j->err)) == SW_OK) {
            j->sink += v->u.s.n;
            n++;
        }
        if (j->st == SW_END) j->st = SW_OK;
    }
    j->count = n;
    sw_decoder_free(d);
    sw_source_free(&src);
}

static void pass_encode(job *j)
{
    sw_sink k;
    sw_encoder *e = NULL;
    size_t i;
    j->out.n = 0;
    sw_sink_buf(&k, &j->out);
    j->st = sw_encoder_new(j->ser, &k, NULL, &e);
    if (j->st != SW_OK) return;
    for (i = 0; i < j->nitems && j->st == SW_OK; i++) j->st = sw_encoder_put(e, j->items[i], &j->err);
    if (j->st == SW_OK) j->st = sw_encoder_finish(e, &j->err);
    j->count = j->nitems;
    sw_encoder_free(e);
}

static void pass_memcpy(job *j)
{
    memcpy(j->copy, j->data, j->n);
    j->sink += j->copy[j->n / 2];
    j->count = 1;
}

/* ---- timing ---- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* REPS samples of one pass (each sample loops the pass to last min_s);
 * returns 0, or -1 when a pass failed. */
static int measure(job *j, void (*pass)(job *), int reps, double min_s, double *tmin, double *tmed)
{
    double t0, one, samples[64];
    long k, i;
    int r;
    if (reps > 64) reps = 64;
    t0 = now_s();
    pass(j); /* warm-up: caches, allocator, page faults */
    one = now_s() - t0;
    if (j->st != SW_OK) return -1;
    k = one > 0 ? (long)(min_s / one) + 1 : 1000;
    if (k < 1) k = 1;
    for (r = 0; r < reps; r++) {
        t0 = now_s();
        for (i = 0; i < k; i++) pass(j);
        samples[r] = (now_s() - t0) / (double)k;
        if (j->st != SW_OK) return -1;
    }
    qsort(samples, (size_t)reps, sizeof samples[0], cmp_d);
    *tmin = samples[0];
    *tmed = reps % 2 ? samples[reps / 2] : (samples[reps / 2 - 1] + samples[reps / 2]) / 2;
    return 0;
}

static void report(const char *name, const char *op, const job *j, int ok, double tmin, double tmed,
                   int identical)
{
    char msg[256];
    if (!ok) {
        sw_error_format(&j->err, msg, sizeof msg);
        printf("{\"name\":\"%s\",\"op\":\"%s\",\"error\":\"%s %s\"}\n", name, op, sw_status_str(j->st), msg);
        fflush(stdout);
        return;
    }
    printf("{\"name\":\"%s\",\"op\":\"%s\",\"bytes\":%zu,\"count\":%llu,\"min_s\":%.9g,\"med_s\":%.9g",
           name, op, j->n, (unsigned long long)j->count, tmin, tmed);
    if (identical >= 0) printf(",\"identical\":%s", identical ? "true" : "false");
    printf("}\n");
    fflush(stdout);
}

/* Decode the whole stream once, keeping every item, for the encoder. */
static sw_status decode_all(job *j, sw_decoder **dp)
{
    sw_stream_opts o;
    sw_value *v;
    size_t cap = 0;
    sw_status st;
    static sw_source keep; /* the source must outlive the decoder */
    sw_stream_opts_default(&o);
    o.keep_items = 1;
    sw_source_mem(&keep, j->data, j->n);
    st = sw_decoder_new(j->ser, &keep, &o, dp);
    if (st != SW_OK) return st;
    j->nitems = 0;
    while ((st = sw_decoder_next(*dp, &v, &j->err)) == SW_OK) {
        if (j->nitems == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            sw_value **ni = (sw_value **)realloc(j->items, ncap * sizeof *ni);
            if (!ni) return SW_E_NOMEM;
            j->items = ni;
            cap = ncap;
        }
        j->items[j->nitems++] = v;
    }
    return st == SW_END ? SW_OK : st;
}

/* SWBENCH_OPS="decode encode" limits a run to some measurements (profiling) */
static int want(const char *op)
{
    const char *ops = getenv("SWBENCH_OPS");
    return !ops || strstr(ops, op) != NULL;
}

static int run_corpus(const char *dir, int reps, double min_s, const char *only)
{
    char path[4096], line[8192];
    FILE *mf;
    sw_serializer *noop = NULL;
    sw_error err;
    snprintf(path, sizeof path, "%s/manifest.tsv", dir);
    mf = fopen(path, "r");
    if (!mf) {
        fprintf(stderr, "swbench: cannot open %s (run bench/make_corpus.py)\n", path);
        return 2;
    }
    if (sw_ser_parse("NoOpSerializer()", &noop, NULL, &err) != SW_OK) return 2;
    while (fgets(line, sizeof line, mf)) {
        char *name, *file, *spec, *save = NULL;
        job j;
        sw_serializer *ser = NULL;
        sw_decoder *keep = NULL;
        double tmin = 0, tmed = 0;
        int ok;
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\n")] = 0;
        name = strtok_r(line, "\t", &save);
        file = strtok_r(NULL, "\t", &save);
        spec = strtok_r(NULL, "\t", &save);
        if (!name || !file || !spec) continue;
        if (only && !strstr(name, only)) continue;
        memset(&j, 0, sizeof j);
        snprintf(path, sizeof path, "%s/%s", dir, file);
        if (read_file(path, (uint8_t **)&j.data, &j.n) != 0) {
            fprintf(stderr, "swbench: cannot read %s\n", path);
            return 2;
        }
        if (sw_ser_parse(spec, &ser, NULL, &err) != SW_OK) {
            fprintf(stderr, "swbench: cannot parse %s\n", spec);
            return 2;
        }
        j.ser = ser;
        j.noop = noop;
        sw_buf_init(&j.out, NULL);
        if (sw_buf_reserve(&j.out, j.n + 65536) != SW_OK) return 2;
        j.copy = (uint8_t *)malloc(j.n ? j.n : 1);
        if (!j.copy) return 2;
        memset(j.copy, 1, j.n);

        if (want("decode")) {
            ok = measure(&j, pass_decode, reps, min_s, &tmin, &tmed) == 0;
            report(name, "decode", &j, ok, tmin, tmed, -1);
        }
        if (want("encode")) {
            j.st = decode_all(&j, &keep);
            if (j.st != SW_OK) {
                report(name, "encode", &j, 0, 0, 0, -1);
            } else {
                ok = measure(&j, pass_encode, reps, min_s, &tmin, &tmed) == 0;
                report(name, "encode", &j, ok, tmin, tmed,
                       ok && j.out.n == j.n && memcmp(j.out.p, j.data, j.n) == 0);
            }
            sw_decoder_free(keep);
            keep = NULL;
        }
        if (want("scan")) {
            ok = measure(&j, pass_scan, reps, min_s, &tmin, &tmed) == 0;
            report(name, "scan", &j, ok, tmin, tmed, -1);
        }
        if (want("scan_cb")) {
            ok = measure(&j, pass_scan_cb, reps, min_s, &tmin, &tmed) == 0;
            report(name, "scan_cb", &j, ok, tmin, tmed, -1);
        }
        if (want("memcpy")) {
            ok = measure(&j, pass_memcpy, reps, min_s, &tmin, &tmed) == 0;
            report(name, "memcpy", &j, ok, tmin, tmed, -1);
        }

        if (j.sink == 42) fputc(' ', stderr); /* keep the touches alive */
        free(j.items);
        free(j.copy);
        sw_buf_free(&j.out);
        free((void *)j.data);
        sw_ser_free(ser, NULL);
    }
    fclose(mf);
    sw_ser_free(noop, NULL);
    return 0;
}

/* ---- streaming memory ---- */

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux; kept across execve, so it includes the parent's peak */
}

/* The peak RSS of this process image only: /proc/self/status VmHWM (Linux
 * resets it at execve, unlike ru_maxrss); -1 when unavailable. */
static long vmhwm_kib(void)
{
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) {
            v = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* the generator: repeat the frame until total bytes are written */
static void generate(int fd, const uint8_t *frame, size_t flen, unsigned long long total)
{
    size_t per = (1u << 20) / flen + 1, i, clen = per * flen;
    uint8_t *chunk = (uint8_t *)malloc(clen);
    unsigned long long done = 0;
    if (!chunk) _exit(3);
    for (i = 0; i < per; i++) memcpy(chunk + i * flen, frame, flen);
    while (done < total) {
        size_t want = total - done < clen ? (size_t)(total - done) : clen, off = 0;
        want -= want % flen; /* whole frames only */
        if (want == 0) break;
        while (off < want) {
            ssize_t w = write(fd, chunk + off, want - off);
            if (w < 0) _exit(4);
            off += (size_t)w;
        }
        done += want;
    }
    close(fd);
    _exit(0);
}

static int run_stream(const char *frames_file, unsigned long long total)
{
    uint8_t hdr[4], *frame;
    size_t flen;
    int32_t plen;
    FILE *f = fopen(frames_file, "rb");
    int pfd[2], wst = 0;
    pid_t pid;
    sw_serializer *ser = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    sw_value *v;
    sw_error err;
    sw_status st;
    uint64_t items = 0, sink = 0;
    long rss0, hwm0;
    double t0, t;
    if (!f || fread(hdr, 1, 4, f) != 4) return 2;
    plen = sw_get_be32(hdr);
    if (plen <= 0) return 2;
    flen = 4 + (size_t)plen;
    frame = (uint8_t *)malloc(flen);
    if (!frame) return 2;
    memcpy(frame, hdr, 4);
    if (fread(frame + 4, 1, (size_t)plen, f) != (size_t)plen) return 2;
    fclose(f);
    if (pipe(pfd) != 0) return 2;
#ifdef F_SETPIPE_SZ
    (void)fcntl(pfd[1], F_SETPIPE_SZ, 1 << 20);
#endif
    pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
        close(pfd[0]);
        generate(pfd[1], frame, flen, total);
    }
    close(pfd[1]);
    free(frame);
    if (sw_ser_parse("BatchedSerializer(PickleSerializer(), 1024)", &ser, NULL, &err) != SW_OK) return 2;
    sw_source_fd(&src, pfd[0], NULL);
    rss0 = maxrss_kib();
    hwm0 = vmhwm_kib();
    t0 = now_s();
    st = sw_decoder_new(ser, &src, NULL, &d);
    if (st == SW_OK) {
        while ((st = sw_decoder_next(d, &v, &err)) == SW_OK) {
            sink += touch(v);
            items++;
        }
    }
    t = now_s() - t0;
    waitpid(pid, &wst, 0);
    printf("{\"op\":\"stream\",\"frame_bytes\":%zu,\"bytes\":%llu,\"items\":%llu,\"seconds\":%.6f,"
           "\"ru_maxrss_before_kib\":%ld,\"ru_maxrss_kib\":%ld,\"vmhwm_before_kib\":%ld,\"vmhwm_kib\":%ld,"
           "\"status\":\"%s\",\"generator_exit\":%d,\"sink\":%llu}\n",
           flen, (unsigned long long)src.pos, (unsigned long long)items, t, rss0, maxrss_kib(), hwm0, vmhwm_kib(),
           sw_status_str(st), WIFEXITED(wst) ? WEXITSTATUS(wst) : -1, (unsigned long long)(sink & 1));
    sw_decoder_free(d);
    sw_source_free(&src);
    close(pfd[0]);
    sw_ser_free(ser, NULL);
    return st == SW_END ? 0 : 1;
}

/* Encode the items of the first frame of frames_file again and again into
 * /dev/null (BatchedSerializer(PickleSerializer(), 1024)) until about total
 * bytes are written: peak RSS of a long encode. */
static int run_encode_stream(const char *frames_file, unsigned long long total)
{
    uint8_t *data;
    size_t n, nitems = 0, cap = 0, i;
    sw_serializer *ser = NULL;
    sw_source src;
    sw_decoder *d = NULL;
    sw_encoder *e = NULL;
    sw_stream_opts o;
    sw_value *v, **items = NULL;
    sw_error err;
    sw_status st;
    sw_sink k;
    int fd;
    long hwm0;
    double t0, t;
    uint64_t put = 0;
    if (read_file(frames_file, &data, &n) != 0 || n < 4) return 2;
    n = 4 + (size_t)sw_get_be32(data); /* the first frame only */
    if (sw_ser_parse("BatchedSerializer(PickleSerializer(), 1024)", &ser, NULL, &err) != SW_OK) return 2;
    sw_stream_opts_default(&o);
    o.keep_items = 1;
    sw_source_mem(&src, data, n);
    if (sw_decoder_new(ser, &src, &o, &d) != SW_OK) return 2;
    while (sw_decoder_next(d, &v, &err) == SW_OK) {
        if (nitems == cap) {
            cap = cap ? cap * 2 : 1024;
            items = (sw_value **)realloc(items, cap * sizeof *items);
            if (!items) return 2;
        }
        items[nitems++] = v;
    }
    fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || nitems == 0) return 2;
    sw_sink_fd(&k, fd);
    hwm0 = vmhwm_kib();
    t0 = now_s();
    st = sw_encoder_new(ser, &k, NULL, &e);
    while (st == SW_OK && k.written < total) {
        for (i = 0; i < nitems && st == SW_OK; i++) st = sw_encoder_put(e, items[i], &err);
        put += nitems;
    }
    if (st == SW_OK) st = sw_encoder_finish(e, &err);
    t = now_s() - t0;
    printf("{\"op\":\"encode_stream\",\"bytes\":%llu,\"items\":%llu,\"seconds\":%.6f,\"vmhwm_before_kib\":%ld,"
           "\"vmhwm_kib\":%ld,\"status\":\"%s\"}\n",
           (unsigned long long)k.written, (unsigned long long)put, t, hwm0, vmhwm_kib(), sw_status_str(st));
    sw_encoder_free(e);
    sw_decoder_free(d);
    sw_ser_free(ser, NULL);
    free(items);
    free(data);
    close(fd);
    return st == SW_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "corpus") == 0) {
        int reps = argc > 3 ? atoi(argv[3]) : 7;
        double min_ms = argc > 4 ? atof(argv[4]) : 20;
        if (reps < 1) reps = 1;
#ifdef __GLIBC__
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
        return run_corpus(argv[2], reps, min_ms / 1000.0, argc > 5 ? argv[5] : NULL);
    }
    if (argc >= 4 && strcmp(argv[1], "stream") == 0) return run_stream(argv[2], strtoull(argv[3], NULL, 10));
    if (argc >= 4 && strcmp(argv[1], "encode-stream") == 0)
        return run_encode_stream(argv[2], strtoull(argv[3], NULL, 10));
    fprintf(stderr, "usage: swbench corpus DIR [REPS] [MIN_MS] [NAME_PART] | swbench stream FRAMES_FILE BYTES"
                    " | swbench encode-stream FRAMES_FILE BYTES\n");
    return 2;
}

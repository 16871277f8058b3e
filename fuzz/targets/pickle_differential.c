/* pickle_differential: sw_pickle_decode against CPython's pickle.loads and
 * sw_marshal_decode against marshal.loads, in an embedded interpreter
 * [#fuzz.differential]. Byte 0: bit 0 picks marshal (1) or pickle (0); the
 * rest is the payload. Compared: accept/reject, the exception class when
 * both refuse (sparkwire's pyexc), bytes consumed, and the value as
 * notation text (tools/canon.py prints CPython's object). The pickle side is
 * PySpark's own call, pickle.loads(data, encoding='bytes'); the consumed
 * length comes from a second load through a file whose peek() returns all
 * the rest (the C unpickler then reads as from memory).
 *
 * Not compared (counted as skipped, by reason, with SW_DIFF_STATS=1):
 *  - a pickle whose CPython load reaches find_class: an audit hook stops it
 *    before any import; CPython would import and call what sparkwire keeps
 *    symbolic [#pickle.globals]: neither the value nor acceptance is
 *    comparable;
 *  - PERSID/BINPERSID/EXT1/EXT2/EXT4/NEXT_BUFFER (CPython needs persistent_load,
 *    copyreg or buffers= [#pickle.ext]): CPython refuses them here, sparkwire may not;
 *  - a CPython MemoryError/RecursionError/OverflowError or a sparkwire
 *    limit/nomem/unsupported status (resource bounds differ by design,
 *    [#limits]);
 *  - a pickle that makes CPython allocate by a number read from the input
 *    (BINBYTES/BINBYTES8/BYTEARRAY8 create their object before reading it,
 *    a PUT index sizes the memo array to twice the index [#pickle.memo])
 *    beyond DIFF_HUGE: CPython's outcome then depends on the allocator;
 *  - marshal code objects (allow_code is off on the sparkwire side, and
 *    CPython's code objects have no notation);
 *  - marshal input sparkwire refuses with a tuple/list/long count beyond the
 *    bytes left (CPython allocates those by their count before reading the
 *    items) or with a possible ref (marshal_huge), and marshal input whose
 *    value has a tuple or frozenset on a cycle (tuple_cycle): CPython
 *    could crash on either.
 * When canon.py cannot print CPython's value (nesting beyond the recursion
 * limit set below), accept/reject and the consumed length are still compared.
 *
 * The CPython side runs in a thread with a DIFF_STACK stack: some of its C
 * code recurses without a depth check (tuple hashing of a dict key, for
 * one) and a short input nests deep (1 byte per level with TUPLE1); the
 * stack is a bound that does not depend on the caller's (replay, libFuzzer,
 * ASan frames).
 *
 * Replay options (environment):
 *  SW_DIFF_INPUT=pickle_decode|marshal_decode|pickle|marshal: the input has
 *    no selector byte; `*_decode` drops the 2 configuration bytes of those
 *    targets' corpora (fuzz/corpus/pickle_decode/...), the other two take the
 *    whole file as the payload (vectors/pickle-corpus/...);
 *  SW_DIFF_KEEP_GOING=1: print each difference (with the input in hex) and go on;
 *    SW_DIFF_SAVE=DIR also writes each such input to DIR/diff-NNNN;
 *  SW_DIFF_STATS=1: print counts (compared, skipped by reason) at exit.
 * Needs libpython3-dev (Python.h, python3-config --embed); fuzz.mk leaves
 * this target out when it is missing. Run from the repository root
 * (tools/canon.py is found through sys.path). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../oracle.h"
#include "internal/common.h"

#define DIFF_STACK ((size_t)512 << 20) /* CPython thread stack (reserved, touched as used) */
#define DIFF_HUGE ((uint64_t)64 << 20)  /* largest allocation CPython is let make by an input's number */

/* ASan under libFuzzer: let CPython's huge requests fail (MemoryError, a
 * skip) instead of stopping the run; the interpreter's caches are not leaks */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1:detect_leaks=0"; }

static PyObject *g_check; /* tools-side function: (kind, bytes) -> tuple */
static PyThreadState *g_main_ts;
static int g_keep_going, g_stats, g_input = -1, g_skip;
static const uint8_t *g_cur;
static const char *g_save;
static size_t g_cur_n;
static unsigned long g_runs, g_compared, g_values, g_diffs;

#define NSKIP 16
static struct {
    char why[40];
    unsigned long n;
} g_skips[NSKIP];

static const char k_py[] =
    "import sys, io, pickle, marshal, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "sys.path.insert(0, 'tools')\n"
    "import canon\n"
    /* canon.py recurses about 4 frames per nesting level; the CPython
     * thread's stack (DIFF_STACK) holds far more than this */
    "sys.setrecursionlimit(20000)\n"
    /* pickle.loads' find_class imports; this audit hook stops it before it
     * does (the 'pickle.find_class' event comes first in find_class) */
    "class _FindClass(BaseException): pass\n"
    "_armed = [False]\n"
    "def _audit(ev, args):\n"
    "    if _armed[0] and ev == 'pickle.find_class': raise _FindClass()\n"
    "sys.addaudithook(_audit)\n"
    /* a file whose peek() hands the C unpickler all the rest at once: it
     * then reads as from memory (as pickle.loads does) and only tell()
     * at the end is new: the consumed length. A plain BytesIO (no peek)
     * is read op by op, and a read that crosses a FRAME's end drops the
     * frame's unread bytes: not what loads(bytes) does [#pickle.frame] */
    "class _PeekAll:\n"
    "    def __init__(self, b): self.b = b; self.f = io.BytesIO(b)\n"
    "    def read(self, n=-1): return self.f.read(n)\n"
    "    def readinto(self, m): return self.f.readinto(m)\n"
    "    def readline(self): return self.f.readline()\n"
    "    def peek(self, n=0): return self.b[self.f.tell():]\n"
    "SKIP = ('MemoryError', 'RecursionError', 'OverflowError')\n"
    "def check(kind, b):\n"
    "    # -> ('skip', why) | ('err', exc name) | ('ok', consumed, text or None)\n"
    "    #    | ('harness', what)\n"
    "    try:\n"
    "        if kind == 0:\n"
    "            _armed[0] = True\n"
    "            try:\n"
    "                v = pickle.loads(b, encoding='bytes')  # PySpark's call\n"
    "            except _FindClass:\n"
    "                return ('skip', 'find_class')\n"
    "            finally:\n"
    "                _armed[0] = False\n"
    "        else:\n"
    "            v = marshal.loads(b)\n"
    "    except BaseException as e:\n"
    "        name = type(e).__name__\n"
    "        if name in SKIP: return ('skip', name)\n"
    "        if kind == 0 and isinstance(e, pickle.UnpicklingError) and (\n"
    "                'persistent' in str(e) or 'buffer' in str(e)): return ('skip', 'persid')\n"
    "        if kind == 0 and 'extension' in str(e): return ('skip', 'ext')\n"
    "        return ('err', name)\n"
    "    n = -1\n"
    "    if kind == 0:\n"
    "        f = _PeekAll(b)\n"
    "        try:\n"
    "            pickle.Unpickler(f, encoding='bytes').load()\n"
    "        except BaseException as e:\n"
    "            return ('harness', 'file load raised ' + type(e).__name__ + ' where loads accepted')\n"
    "        n = f.f.tell()\n"
    "    try:\n"
    "        return ('ok', n, canon.canon(v))\n"
    "    except RecursionError:\n"
    "        return ('ok', n, None)\n"
    "    except BaseException as e:\n"
    "        return ('skip', 'canon ' + type(e).__name__)\n";

static void count_skip(const char *why)
{
    int i;
    for (i = 0; i < NSKIP; i++) {
        if (g_skips[i].why[0] == 0) snprintf(g_skips[i].why, sizeof g_skips[i].why, "%s", why);
        if (strcmp(g_skips[i].why, why) == 0) {
            g_skips[i].n++;
            return;
        }
    }
}

static void print_stats(void)
{
    int i;
    fprintf(stderr, "pickle_differential: %lu inputs, %lu compared (%lu values), %lu differences; skipped:", g_runs,
            g_compared, g_values, g_diffs);
    for (i = 0; i < NSKIP && g_skips[i].why[0]; i++) fprintf(stderr, " %s %lu,", g_skips[i].why, g_skips[i].n);
    fprintf(stderr, "\n");
}

static void keep_going(const char *what, const char *detail)
{
    size_t i, n = g_cur_n > 160 ? 160 : g_cur_n;
    g_diffs++;
    fprintf(stderr, "DIFF %s\n  %s\n  input (%zu bytes):", what, detail, g_cur_n);
    for (i = 0; i < n; i++) fprintf(stderr, " %02x", g_cur[i]);
    fprintf(stderr, "%s\n", n < g_cur_n ? " ..." : "");
    if (g_save && *g_save) {
        char path[512];
        FILE *f;
        snprintf(path, sizeof path, "%s/diff-%04lu", g_save, g_diffs);
        if ((f = fopen(path, "wb")) != NULL) {
            fwrite(g_cur, 1, g_cur_n, f);
            fclose(f);
        }
        fprintf(stderr, "  saved as %s\n", path);
    }
}

static int py_init(void)
{
    static int failed;
    PyObject *mod, *dict;
    const char *s;
    if (g_check) return 1;
    if (failed) return 0;
    failed = 1;
    g_keep_going = (s = getenv("SW_DIFF_KEEP_GOING")) != NULL && *s == '1';
    g_stats = (s = getenv("SW_DIFF_STATS")) != NULL && *s == '1';
    g_save = getenv("SW_DIFF_SAVE");
    if ((s = getenv("SW_DIFF_INPUT")) != NULL && *s) {
        if (strcmp(s, "pickle_decode") == 0) g_input = 0, g_skip = 2;
        else if (strcmp(s, "marshal_decode") == 0) g_input = 1, g_skip = 2;
        else if (strcmp(s, "pickle") == 0) g_input = 0;
        else if (strcmp(s, "marshal") == 0) g_input = 1;
        else {
            fz_fail("pickle_differential: SW_DIFF_INPUT must be pickle_decode, marshal_decode, pickle or marshal", s);
            return 0;
        }
    }
    if (g_keep_going) fz_set_fail_hook(keep_going);
    if (g_stats) atexit(print_stats);
    Py_InitializeEx(0);
    mod = PyImport_AddModule("__main__");
    if (!mod) return 0;
    dict = PyModule_GetDict(mod);
    if (!PyRun_String(k_py, Py_file_input, dict, dict)) {
        PyErr_Print();
        fz_fail("pickle_differential: embedded Python setup failed (run from the repository root)", "");
        return 0;
    }
    g_check = PyDict_GetItemString(dict, "check");
    Py_XINCREF(g_check);
    if (!g_check) return 0;
    /* the GIL is taken by each CPython thread (PyGILState_Ensure) */
    g_main_ts = PyEval_SaveThread();
    failed = 0;
    return 1;
}

static uint64_t rd_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Would CPython allocate more than DIFF_HUGE by a number read from this
 * pickle? A walk over the opcodes as pickletools lists them (arguments
 * skipped by their size; FRAME's contents are opcodes), stopping at STOP,
 * an unknown opcode or the end. Only BINBYTES, BINBYTES8 and BYTEARRAY8
 * (their object is created before its bytes are read) and the PUT indices
 * (the memo array grows to twice the index) allocate by the number. */
static const char *pickle_huge(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t op = p[i++];
        size_t left = n - i, arg = 0;
        int cnt = 0;
        uint64_t len;
        switch (op) {
        case '.': return NULL;
        case '(': case '0': case '1': case '2': case 'N': case ')': case ']': case '}': case 'a': case 'b':
        case 'd': case 'e': case 'l': case 'o': case 's': case 't': case 'u': case 'R': case 'Q': case 0x85:
        case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91: case 0x93: case 0x81:
        case 0x92: case 0x94: case 0x97: case 0x98: arg = 0; break;
        case 'K': case 'h': case 'q': case 0x80: case 0x82: arg = 1; break;
        case 'M': case 0x83: arg = 2; break;
        case 'J': case 'j': case 0x84: arg = 4; break;
        case 'G': arg = 8; break;
        case 'r':
            if (left < 4) return NULL;
            if (rd_le(p + i, 4) > DIFF_HUGE / 16) return "huge memo index";
            arg = 4;
            break;
        case 0x95: arg = 8; break; /* FRAME: the frame's bytes are opcodes */
        case 'U': case 'C': case 0x8c: case 0x8a: cnt = 1; break;
        case 'T': case 'B': case 'X': case 0x8b: cnt = 4; break;
        case 0x8d: case 0x8e: case 0x96: cnt = 8; break;
        case 'c': case 'i':
        case 'I': case 'L': case 'F': case 'S': case 'V': case 'P': case 'p': case 'g': {
            int lines = (op == 'c' || op == 'i') ? 2 : 1;
            while (lines--) {
                const uint8_t *nl = memchr(p + i, '\n', n - i);
                if (!nl) return NULL;
                if (op == 'p') {
                    /* PUT's decimal line (CPython: int(), then Py_ssize_t) */
                    const uint8_t *q = p + i;
                    uint64_t v = 0;
                    while (q < nl && (*q == ' ' || (*q >= '\t' && *q <= '\r') || *q == '+' || *q == '0')) q++;
                    for (; q < nl && ((*q >= '0' && *q <= '9') || *q == '_'); q++) {
                        if (*q == '_') continue;
                        v = v * 10 + (uint64_t)(*q - '0');
                        if (v > DIFF_HUGE / 16) return "huge memo index";
                    }
                }
                i = (size_t)(nl - p) + 1;
            }
            continue;
        }
        default: return NULL;
        }
        if (cnt) {
            if (left < (size_t)cnt) return NULL;
            len = rd_le(p + i, cnt);
            if ((op == 'B' || op == 0x8e || op == 0x96) && len > DIFF_HUGE) return "huge length";
            i += (size_t)cnt;
            if (len > n - i) return NULL;
            i += (size_t)len;
            continue;
        }
        if (arg > left) return NULL;
        i += arg;
    }
    return NULL;
}

/* Could CPython's marshal.loads allocate by a count read from this input?
 * r_object makes a tuple or list (PyTuple_New/PyList_New) and a long
 * (_PyLong_New) by its count before reading the items; strings, sets and
 * dicts are not. Conservative: every byte that could be such a type code
 * (with or without FLAG_REF) is taken as one, and its 4-byte count must not
 * exceed the bytes after it. */
static int marshal_huge(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 5 <= n; i++) {
        /* no crash either: CPython's marshal hands out a tuple or frozenset
         * registered by FLAG_REF before its items are read, and hashing one
         * with NULL items (a dict key) segfaults inside CPython (marshal is
         * not safe against crafted data): a refused input with any byte
         * that could be a ref ('r') is not shown to it */
        if ((p[i] & 0x7f) == 'r') return 1;
        uint8_t t = p[i] & 0x7f;
        uint64_t c;
        if (t != '(' && t != '[' && t != 'l') continue;
        c = rd_le(p + i + 1, 4);
        if (t == 'l' && c > 0x7fffffffu) c = 0x100000000u - c; /* a long's size is |n| */
        if (c <= 0x80000000u && c > n - (i + 5)) return 1;
    }
    for (; i < n; i++)
        if ((p[i] & 0x7f) == 'r') return 1;
    return 0;
}

/* Is a tuple or frozenset of this (marshal) graph on a cycle? Such a value
 * only comes from an `r` to a tuple still being read ([#marshal.ref]):
 * CPython hands the unfinished tuple out with NULL items, and hashing it
 * (as a dict key or set member, or inside one) segfaults in CPython
 * (fuzz/regressions/pickle_differential/marshal-cpython-segv-*). Iterative
 * DFS; state 1 = on the path, 2 = done. -1 when out of memory. */
static int tuple_cycle(const sw_value *root)
{
    typedef struct {
        const sw_value *v;
        size_t i;
    } fr;
    sw_ptrmap m;
    fr *stk;
    size_t n = 0, cap = 64;
    int found = 0;
    sw_ptrmap_init(&m, NULL);
    stk = (fr *)malloc(cap * sizeof *stk);
    if (!stk || sw_ptrmap_put(&m, root, 1) != SW_OK) found = -1;
    else stk[n++] = (fr){root, 0};
    while (!found && n) {
        fr *f = &stk[n - 1];
        const sw_value *c;
        uint64_t *state;
        if (f->i >= sw_v_nchildren(f->v)) {
            sw_ptrmap_put(&m, f->v, 2);
            n--;
            continue;
        }
        c = sw_v_child(f->v, f->i++);
        if (!c) continue;
        state = sw_ptrmap_get(&m, c);
        if (state && *state == 1) { /* back edge: the cycle is the path from c */
            size_t k = n;
            while (k > 0) {
                const sw_value *x = stk[--k].v;
                if (x->kind == SW_K_TUPLE || x->kind == SW_K_FROZENSET) found = 1;
                if (x == c) break;
            }
            continue;
        }
        if (state) continue;
        if (n == cap) {
            fr *ns = (fr *)realloc(stk, 2 * cap * sizeof *stk);
            if (!ns) {
                found = -1;
                break;
            }
            stk = ns;
            cap *= 2;
        }
        if (sw_ptrmap_put(&m, c, 1) != SW_OK) {
            found = -1;
            break;
        }
        stk[n++] = (fr){c, 0};
    }
    free(stk);
    sw_ptrmap_free(&m);
    return found;
}

typedef struct py_job {
    int kind;
    const uint8_t *p;
    size_t n;
    sw_buf *text;
    long consumed;
    int has_text;
    char why[64];
    int out; /* 0 skip, 1 error (name in why), 2 value, 3 harness fault (why) */
} py_job;

/* CPython side, in its own thread: the result in j->out, the value text in
 * j->text (j->has_text 0 when canon.py could not print it) */
static void *py_thread(void *arg)
{
    py_job *j = (py_job *)arg;
    PyGILState_STATE gs = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(g_check, "iy#", j->kind, (const char *)j->p, (Py_ssize_t)j->n);
    const char *tag;
    j->out = 0;
    if (!r || !PyTuple_Check(r)) {
        PyErr_Clear();
        Py_XDECREF(r);
        snprintf(j->why, sizeof j->why, "check() failed");
        PyGILState_Release(gs);
        return NULL;
    }
    tag = PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 0));
    if (tag && strcmp(tag, "ok") == 0) {
        PyObject *t = PyTuple_GET_ITEM(r, 2);
        j->consumed = PyLong_AsLong(PyTuple_GET_ITEM(r, 1));
        j->out = 2;
        if (t != Py_None) {
            Py_ssize_t len = 0;
            const char *s = PyUnicode_AsUTF8AndSize(t, &len);
            if (s && sw_buf_put(j->text, s, (size_t)len) == SW_OK) j->has_text = 1;
            else j->out = 0, snprintf(j->why, sizeof j->why, "text");
        }
    } else if (tag) {
        const char *w = PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 1));
        snprintf(j->why, sizeof j->why, "%s", w ? w : "?");
        j->out = strcmp(tag, "err") == 0 ? 1 : strcmp(tag, "harness") == 0 ? 3 : 0;
    }
    PyErr_Clear();
    Py_DECREF(r);
    PyGILState_Release(gs);
    return NULL;
}

static int py_side(py_job *j)
{
    pthread_attr_t at;
    pthread_t th;
    int rc;
    if (pthread_attr_init(&at) != 0) return 0;
    rc = pthread_attr_setstacksize(&at, DIFF_STACK) == 0 && pthread_create(&th, &at, py_thread, j) == 0;
    pthread_attr_destroy(&at);
    if (!rc) {
        snprintf(j->why, sizeof j->why, "no thread");
        return 0;
    }
    pthread_join(th, NULL);
    return j->out;
}

int fz_target_pickle_differential(const uint8_t *data, size_t size);
int fz_target_pickle_differential(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    int kind, py;
    sw_arena *ar;
    sw_value *v = NULL;
    size_t used = 0;
    sw_error e;
    sw_status st;
    sw_buf pt, ct;
    py_job job;
    const char *huge;
    char msg[1200];
    if (!py_init()) return 0;
    g_runs++;
    if (g_input >= 0) {
        kind = g_input;
        in.p += size < (size_t)g_skip ? size : (size_t)g_skip;
        in.n -= size < (size_t)g_skip ? size : (size_t)g_skip;
    } else {
        kind = fz_byte(&in) & 1;
    }
    g_cur = data;
    g_cur_n = size;
    memset(&e, 0, sizeof e);
    ar = sw_arena_new(NULL, NULL);
    if (!ar) return 0;
    if (kind == 0) {
        sw_pickle_opts o;
        sw_pickle_opts_default(&o);
        o.mode = SW_MODE_PYSPARK;
        o.resolve = 1;
        st = sw_pickle_decode(ar, in.p, in.n, &o, &v, &used, &e);
    } else {
        sw_marshal_opts o;
        sw_marshal_opts_default(&o);
        o.mode = SW_MODE_PYSPARK;
        o.allow_code = 0;
        st = sw_marshal_decode(ar, in.p, in.n, &o, &v, &used, &e);
    }
    sw_buf_init(&pt, NULL);
    sw_buf_init(&ct, NULL);
    memset(&job, 0, sizeof job);
    job.kind = kind;
    job.p = in.p;
    job.n = in.n;
    job.text = &pt;
    job.consumed = -1;
    /* CPython's marshal allocates a tuple, list or long by its count before
     * reading the items (PyTuple_New(n)): a marshal input sparkwire refuses
     * is shown to it only when no count can exceed the bytes after it
     * (marshal_huge; fuzz/regressions/pickle_differential/oom-marshal-*).
     * An input sparkwire accepts has all its items, so its counts are
     * bounded by the input. */
    if (kind == 1 && st != SW_OK && marshal_huge(in.p, in.n)) {
        count_skip("marshal huge count or ref");
        goto done;
    }
    if (kind == 1 && st == SW_OK && tuple_cycle(v) != 0) {
        count_skip("marshal tuple cycle");
        goto done;
    }
    if (kind == 0 && (huge = pickle_huge(in.p, in.n)) != NULL) {
        count_skip(huge);
        goto done;
    }
    py = py_side(&job);
    if (py == 3) {
        fz_fail("differential: harness fault (CPython's two reads disagree)", job.why);
        goto done;
    }
    if (py == 0) {
        count_skip(job.why);
        goto done;
    }
    if (st != SW_OK && (fz_refusal(st) || SW_STATUS_CATEGORY(st) == SW_E_UNSUPPORTED)) {
        count_skip(sw_status_str(st));
        goto done;
    }
    /* a code object is refused by sparkwire (allow_code 0): CPython accepts it */
    if (kind == 1 && st != SW_OK && py == 2 && job.has_text && strncmp((const char *)pt.p, "<code", 5) == 0) {
        count_skip("code");
        goto done;
    }
    g_compared++;
    if ((st == SW_OK) != (py == 2)) {
        snprintf(msg, sizeof msg, "%s: sparkwire %s (%s:%d at +%llu), CPython %s%.*s",
                 kind ? "marshal" : "pickle", sw_status_str(st), e.file ? e.file : "?", e.line,
                 (unsigned long long)e.payload_offset, py == 2 ? "accepts: " : "raises ",
                 py == 2 ? (int)(pt.n > 400 ? 400 : pt.n) : (int)strlen(job.why),
                 py == 2 ? (pt.n ? (const char *)pt.p : "(deep)") : job.why);
        fz_fail("differential: accept/reject differs from CPython", msg);
        goto done;
    }
    if (st != SW_OK) {
        /* both refuse: the exception class must be the one CPython raises
         * ([#pickle.errors] pyexc) */
        if (strcmp(sw_pyexc_str(e.pyexc), job.why) != 0) {
            snprintf(msg, sizeof msg, "%s: sparkwire %s pyexc %s (%s:%d at +%llu: %s), CPython %s",
                     kind ? "marshal" : "pickle", sw_status_str(st), sw_pyexc_str(e.pyexc), e.file ? e.file : "?",
                     e.line, (unsigned long long)e.payload_offset, e.msg ? e.msg : "", job.why);
            fz_fail("differential: exception differs from CPython", msg);
        }
        goto done;
    }
    if (kind == 0 && job.consumed >= 0 && (size_t)job.consumed != used) {
        snprintf(msg, sizeof msg, "sparkwire consumed %zu, CPython %ld", used, job.consumed);
        fz_fail("differential: pickle consumed length differs from CPython", msg);
        goto done;
    }
    if (!job.has_text) {
        count_skip("value too deep for canon");
        goto done;
    }
    if (sw_notation_print(v, &ct, 0, &e) != SW_OK) goto done;
    g_values++;
    if (ct.n != pt.n || (ct.n && memcmp(ct.p, pt.p, ct.n) != 0)) {
        snprintf(msg, sizeof msg, "%s\n  sparkwire %.*s\n  CPython   %.*s", kind ? "marshal" : "pickle",
                 (int)(ct.n > 500 ? 500 : ct.n), (const char *)ct.p, (int)(pt.n > 500 ? 500 : pt.n),
                 (const char *)pt.p);
        fz_fail("differential: value differs from CPython", msg);
    }
done:
    sw_buf_free(&pt);
    sw_buf_free(&ct);
    sw_arena_free(ar);
    return 0;
}

FZ_ENTRY(pickle_differential)

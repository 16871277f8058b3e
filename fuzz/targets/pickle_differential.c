/* pickle_differential: sw_pickle_decode against CPython's pickle.loads and
 * sw_marshal_decode against marshal.loads, in an embedded interpreter
 * [#fuzz.differential]. Byte 0: bit 0 picks marshal (1) or pickle (0); the
 * rest is the payload. Compared: accept/reject, bytes consumed, and the
 * value as notation text (tools/canon.py prints CPython's object).
 *
 * Not compared (counted as skipped):
 *  - a pickle whose CPython load calls find_class: the Unpickler subclass
 *    never imports; find_class returns a harmless recording class, so the
 *    load can go on, but REDUCE/NEWOBJ/BUILD then ran CPython code on a
 *    stand-in where sparkwire keeps symbolic nodes: neither the value nor
 *    acceptance is comparable;
 *  - PERSID/BINPERSID/EXT1/EXT2/EXT4/NEXT_BUFFER (CPython needs persistent_load,
 *    copyreg or buffers=): CPython refuses them here, sparkwire may not;
 *  - a CPython MemoryError/RecursionError/OverflowError or a sparkwire
 *    limit/nomem/unsupported status (resource bounds differ by design);
 *  - marshal code objects (allow_code is off on the sparkwire side, and
 *    CPython's code objects have no notation).
 * Needs libpython3-dev (Python.h, python3-config --embed); fuzz.mk leaves
 * this target out when it is missing. Run from the repository root
 * (tools/canon.py is found through sys.path). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <string.h>

#include "../oracle.h"

static PyObject *g_check; /* tools-side function: (kind, bytes) -> tuple */

static const char k_py[] =
    "import sys, io, pickle, marshal, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "sys.path.insert(0, 'tools')\n"
    "import canon\n"
    "sys.setrecursionlimit(800)\n"
    "class _Rec:\n"
    "    def __init__(self, *a, **k): pass\n"
    "    def __call__(self, *a, **k): return self\n"
    "    def __setstate__(self, s): pass\n"
    "    def __reduce__(self): raise TypeError('stand-in')\n"
    "class _U(pickle.Unpickler):\n"
    "    used = False\n"
    "    def find_class(self, m, n):\n"
    "        self.used = True\n"
    "        return _Rec\n"
    "SKIP = ('MemoryError', 'RecursionError', 'OverflowError')\n"
    "def check(kind, b):\n"
    "    # -> ('skip', why) | ('err', exc name) | ('ok', consumed, text)\n"
    "    try:\n"
    "        if kind == 0:\n"
    "            f = io.BytesIO(b)\n"
    "            u = _U(f, encoding='bytes')  # PySpark's loads, sparkwire's default\n"
    "            try:\n"
    "                v = u.load()\n"
    "            finally:\n"
    "                if u.used: return ('skip', 'find_class')\n"
    "            n = f.tell()\n"
    "        else:\n"
    "            v = marshal.loads(b)\n"
    "            n = -1\n"
    "    except BaseException as e:\n"
    "        name = type(e).__name__\n"
    "        if name in SKIP: return ('skip', name)\n"
    "        if kind == 0 and isinstance(e, pickle.UnpicklingError) and (\n"
    "                'persistent' in str(e) or 'buffer' in str(e)): return ('skip', 'persid')\n"
    "        if kind == 0 and 'extension' in str(e): return ('skip', 'ext')\n"
    "        return ('err', name)\n"
    "    try:\n"
    "        return ('ok', n, canon.canon(v))\n"
    "    except BaseException as e:\n"
    "        return ('skip', 'canon ' + type(e).__name__)\n";

static int py_init(void)
{
    PyObject *mod, *dict;
    if (g_check) return 1;
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
    return g_check != NULL;
}

/* CPython side: 0 skip, 1 error, 2 value (text in *text, consumed in *n) */
static int py_side(int kind, const uint8_t *p, size_t n, sw_buf *text, long *consumed, char *why, size_t cap)
{
    PyObject *r = PyObject_CallFunction(g_check, "iy#", kind, (const char *)p, (Py_ssize_t)n);
    const char *tag;
    int out = 0;
    if (!r || !PyTuple_Check(r)) {
        PyErr_Clear();
        Py_XDECREF(r);
        snprintf(why, cap, "check() failed");
        return 0;
    }
    tag = PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 0));
    if (tag && strcmp(tag, "ok") == 0) {
        Py_ssize_t len = 0;
        const char *s = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(r, 2), &len);
        *consumed = PyLong_AsLong(PyTuple_GET_ITEM(r, 1));
        if (s && sw_buf_put(text, s, (size_t)len) == SW_OK) out = 2;
    } else if (tag) {
        const char *w = PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 1));
        snprintf(why, cap, "%s", w ? w : "?");
        out = strcmp(tag, "err") == 0 ? 1 : 0;
    }
    PyErr_Clear();
    Py_DECREF(r);
    return out;
}

int fz_target_pickle_differential(const uint8_t *data, size_t size);
int fz_target_pickle_differential(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    uint8_t b = fz_byte(&in);
    int kind = b & 1, py;
    sw_arena *ar;
    sw_value *v = NULL;
    size_t used = 0;
    long pyused = -1;
    sw_error e;
    sw_status st;
    sw_buf pt, ct;
    char why[64] = "", msg[1200];
    if (!py_init()) return 0;
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
    /* CPython's marshal allocates a container by its count before reading
     * the items (PyTuple_New(n)): a marshal input sparkwire refuses is not
     * shown to it (fuzz/regressions/pickle_differential/oom-marshal-*), so
     * for marshal only "sparkwire accepts" is compared (value, and that
     * CPython accepts too) */
    if (kind == 1 && st != SW_OK) {
        sw_arena_free(ar);
        return 0;
    }
    py = py_side(kind, in.p, in.n, &pt, &pyused, why, sizeof why);
    if (py == 0 || (st != SW_OK && (fz_refusal(st) || SW_STATUS_CATEGORY(st) == SW_E_UNSUPPORTED)))
        goto done;
    /* a code object is refused by sparkwire (allow_code 0): CPython accepts it */
    if (kind == 1 && st != SW_OK && py == 2 && strncmp((const char *)pt.p, "<code", 5) == 0) goto done;
    if ((st == SW_OK) != (py == 2)) {
        snprintf(msg, sizeof msg, "%s: sparkwire %s (%s:%d at +%llu), CPython %s%.*s",
                 kind ? "marshal" : "pickle", sw_status_str(st), e.file ? e.file : "?", e.line,
                 (unsigned long long)e.payload_offset, py == 2 ? "accepts: " : "raises ",
                 (int)(py == 2 ? (pt.n > 400 ? 400 : pt.n) : strlen(why)), py == 2 ? (const char *)pt.p : why);
        fz_fail("differential: accept/reject differs from CPython", msg);
        goto done;
    }
    if (st != SW_OK) goto done;
    if (kind == 0 && pyused >= 0 && (size_t)pyused != used) {
        snprintf(msg, sizeof msg, "sparkwire consumed %zu, CPython %ld", used, pyused);
        fz_fail("differential: pickle consumed length differs from CPython", msg);
    }
    if (sw_notation_print(v, &ct, 0, &e) != SW_OK) goto done;
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

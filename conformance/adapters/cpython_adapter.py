#!/usr/bin/python3
"""CPython as a conformance testee (SPEC.md [#runner.protocol]).

Speaks the runner's protocol on stdin/stdout. Decodes streams the way PySpark
does, and prints every item with tools/canon.py:

- with PySpark: when $SPARKWIRE_PYSPARK names a PySpark python/ directory
  (the one holding pyspark/serializers.py, as for tools/gen_vectors.py), the
  serializer is built from its repr text out of that serializers.py and the
  stream is read by its own load_stream over io.BytesIO;
- without PySpark: PickleSerializer() and MarshalSerializer() only, read by a
  copy of FramedSerializer.load_stream over the real pickle.loads(obj,
  encoding='bytes') and marshal.loads.

PySpark has no strict mode and canon.py has no notation parser, so `strict`
decodes and every encode are answered `skipped`, as is any serializer it
cannot build (ChunkedStream has no reader in PySpark).
"""

import importlib.util
import io
import marshal
import os
import pickle
import re
import struct
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import canon  # noqa: E402  tools/canon.py

END_OF_DATA = -1
MAX_FRAME = 64 * 1024 * 1024

S = None  # pyspark.serializers when loaded
WHY_NO_PYSPARK = 'SPARKWIRE_PYSPARK not set'


def load_pyspark(pydir):
    """Load DIR/pyspark/serializers.py as pyspark.serializers without
    pyspark/__init__.py (py4j); stand-ins as tools/gen_vectors.py uses them."""
    pkgdir = os.path.join(os.path.abspath(pydir), 'pyspark')
    path = os.path.join(pkgdir, 'serializers.py')
    if not os.path.isfile(path):
        raise ImportError('%s is missing' % path)
    pkg = types.ModuleType('pyspark')
    pkg.__path__ = [pkgdir]
    sys.modules['pyspark'] = pkg
    for name in ('util', 'cloudpickle'):
        full = 'pyspark.' + name
        try:
            if not os.path.isfile(os.path.join(pkgdir, name + '.py')):
                raise ImportError(name)
            mod = importlib.import_module(full)
            if name == 'util' and not hasattr(mod, '_exception_message'):
                raise ImportError(name)
        except Exception:  # noqa: BLE001  a stand-in, as the generator does
            mod = types.ModuleType(full)
            if name == 'util':
                mod._exception_message = lambda e: getattr(e, 'message', None) or str(e)
            else:
                import traceback
                import cloudpickle as cp
                mod.__dict__.update({k: v for k, v in vars(cp).items() if not k.startswith('__')})
                mod.dumps, mod.loads = cp.dumps, cp.loads
                mod.print_exec = lambda stream: traceback.print_exc(file=stream)
        sys.modules[full] = mod
        setattr(pkg, name, mod)
    spec = importlib.util.spec_from_file_location('pyspark.serializers', path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules['pyspark.serializers'] = mod
    spec.loader.exec_module(mod)
    return mod


# ---- without PySpark: FramedSerializer.load_stream, copied -----------------------

class _Framed:
    def __init__(self, loads):
        self.loads = loads

    @staticmethod
    def _read_int(stream):
        length = stream.read(4)
        if not length:
            raise EOFError
        return struct.unpack('!i', length)[0]

    def _read_with_length(self, stream):
        length = self._read_int(stream)
        if length == -1:  # SpecialLengths.END_OF_DATA_SECTION
            raise EOFError
        elif length == -5:  # SpecialLengths.NULL
            return None
        obj = stream.read(length)
        if len(obj) < length:
            raise EOFError
        return self.loads(obj)

    def load_stream(self, stream):
        while True:
            try:
                yield self._read_with_length(stream)
            except EOFError:
                return


def build(spec_text):
    """(serializer, None) or (None, reason to skip)."""
    if S is not None:
        ns = {k: getattr(S, k) for k in dir(S) if not k.startswith('_')}
        if spec_text.startswith('ChunkedStream('):
            return None, 'PySpark has no reader for ChunkedStream'
        # protocol= and version= choose what sparkwire's encoder writes (SPEC
        # #ser.pickle, #ser.marshal); PySpark's classes take no argument, and
        # reading does not depend on them
        spec_text = re.sub(r'(PickleSerializer|MarshalSerializer)\((protocol|version)=-?\d+\)', r'\1()', spec_text)
        try:
            return eval(spec_text, {'__builtins__': {}}, ns), None  # noqa: S307  repr text of the vectors
        except Exception as e:  # noqa: BLE001
            return None, 'cannot build %s: %s' % (spec_text, e)
    if spec_text == 'PickleSerializer()':
        return _Framed(lambda b: pickle.loads(b, encoding='bytes')), None
    if spec_text == 'MarshalSerializer()':
        return _Framed(marshal.loads), None
    return None, 'without PySpark (%s) only PickleSerializer() and MarshalSerializer()' % WHY_NO_PYSPARK


def exc_name(e):
    mod = type(e).__module__
    if mod in ('struct', 'zlib'):
        return mod + '.error'
    return type(e).__name__


# ---- protocol ---------------------------------------------------------------------

def read_exact(f, n):
    b = f.read(n)
    return b if b is not None else b''


def read_frame(f):
    """(length, payload); None at a clean end of input."""
    h = read_exact(f, 4)
    if not h:
        return None
    if len(h) < 4:
        raise EOFError('short frame header')
    n = struct.unpack('!i', h)[0]
    if n == END_OF_DATA:
        return n, b''
    if n < 0 or n > MAX_FRAME:
        raise ValueError('bad frame length %d' % n)
    p = read_exact(f, n)
    if len(p) < n:
        raise EOFError('short frame')
    return n, p


def frame(b):
    return struct.pack('!i', len(b)) + b


def kv(pairs):
    return ''.join('%s=%s\n' % (k, str(v).replace('\n', ' ').replace('\r', ' ')) for k, v in pairs).encode(
        'utf-8', 'surrogateescape')


def handle(head, data):
    """(data frames, status pairs) for one request."""
    h = {}
    for line in head.decode('utf-8', 'replace').split('\n'):
        if '=' in line:
            k, v = line.split('=', 1)
            h.setdefault(k, v)
    op, mode = h.get('op'), h.get('mode', 'pyspark')
    if op != 'decode':
        return [], [('outcome', 'skipped'), ('reason', 'encode needs a notation parser (canon.py prints only)')]
    if mode != 'pyspark':
        return [], [('outcome', 'skipped'), ('reason', 'PySpark has no %s mode' % mode)]
    ser, why = build(h.get('serializer', ''))
    if ser is None:
        return [], [('outcome', 'skipped'), ('reason', why)]
    out, status = [], [('outcome', 'ok')]
    try:
        for x in ser.load_stream(io.BytesIO(b''.join(data))):
            try:
                text = canon.canon(x)
            except TypeError as e:
                # a code object (marshal type c): canon.py prints the fields of
                # sparkwire's symbolic node, not a live code object
                return [], [('outcome', 'skipped'), ('reason', 'an item has no notation here (%s)' % e)]
            out.append(text.encode('utf-8', 'surrogatepass'))
    except ImportError as e:
        if S is None and (getattr(e, 'name', None) or '').split('.')[0] == 'pyspark':
            # pickled by PySpark (e.g. Rows through pyspark.serializers._restore): only PySpark reads it
            return [], [('outcome', 'skipped'), ('reason', 'the pickle needs PySpark (%s)' % WHY_NO_PYSPARK)]
        status = [('outcome', 'error'), ('exception', exc_name(e)), ('message', str(e))]
    except Exception as e:  # noqa: BLE001  PySpark's outcome, reported
        status = [('outcome', 'error'), ('exception', exc_name(e)), ('message', str(e))]
    return out, status


def main():
    global S, WHY_NO_PYSPARK
    pydir = os.environ.get('SPARKWIRE_PYSPARK')
    if pydir:
        try:
            S = load_pyspark(pydir)
        except Exception as e:  # noqa: BLE001
            WHY_NO_PYSPARK = 'cannot load PySpark from %s: %s' % (pydir, e)
            sys.stderr.write('cpython_adapter: %s\n' % WHY_NO_PYSPARK)
    sys.setrecursionlimit(20000)
    fin, fout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        fr = read_frame(fin)
        if fr is None:
            return 0
        head = fr[1]
        data = []
        while True:
            fr = read_frame(fin)
            if fr is None:
                return 1
            if fr[0] == END_OF_DATA:
                break
            data.append(fr[1])
        items, status = handle(head, data)
        fout.write(b''.join(frame(i) for i in items) + struct.pack('!i', END_OF_DATA) + frame(kv(status)))
        fout.flush()


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
"""Coverage check of the vectors against SPEC.md (issue #5).

    /usr/bin/python3 tools/check_vectors.py [--min-vectors N] [--regen PYSPARK_DIR] [-v]

Checks, printing a figure for each, and exits 1 with the precise list of what
is missing when any check fails:

1. SPEC ids: every `{#id}` of SPEC.md is named by the `flags` of at least one
   vector sidecar (any vectors/**/*.json holding `flags`: the stream vectors,
   vectors/frame-probes, vectors/pickle-errors, vectors/marshal/errors...),
   unless conformance/spec-exempt.txt lists it (`id  # reason`, one a line;
   for sections that are no wire behaviour). A listed id SPEC no longer has,
   a listed id that a vector names anyway, and a flag naming no SPEC id are
   errors too.
2. Pickle opcodes: each of the 68 opcodes of pickletools.opcodes occurs in a
   payload of an accepted stream vector and in a payload of a stream vector
   whose verdict is not `accept`. Payloads are found by walking the frames as
   PySpark's load_stream reads them (a negative length other than -1/-5 reads
   the rest of the input, as io.BytesIO does; a short frame is never loaded;
   CompressedSerializer frames are inflated first, AutoSerializer drops its
   tag byte), then pickletools.genops runs over each pickle payload; opcodes
   are recorded until genops stops (an error included). The opcode *at the
   fault* (where genops or pickletools.dis' stack/MARK/memo check stops, or
   the byte at the `strict` expectation's `offset` of a pickle-layer error)
   is reported as an extra figure.
3. Marshal type codes: the same for the 3.11 type codes of Python/marshal.c
   (FLAG_REF stripped; FLAG_REF itself counts as a pseudo-code `FLAG_REF`),
   with a small type-code walker. `?` (TYPE_UNKNOWN) is never valid, so it
   needs an invalid vector only; a code object (`c`) is valid in PySpark but
   refused by strict mode, so its valid vector is one where PySpark decoded
   it. PERSID, BINPERSID, EXT1/2/4 and NEXT_BUFFER always raise in PySpark
   (no persistent_load, registry or buffers): invalid vectors only.
   Python 2 dialect codes are reported over vectors/marshal/py2 (payload
   vectors with an `outcome`; there is no py2 stream serializer): gaps there
   are warnings, not failures.
4. The manifest holds at least --min-vectors vectors (default 2000).
5. --regen DIR: runs tools/gen_vectors.py --pyspark DIR twice into temporary
   directories and compares every file byte for byte (SPEC [#vectors.deterministic]);
   it also reports files that differ from the committed vectors/ (a stale tree).

Stdlib only.
"""
import argparse
import filecmp
import glob
import io
import json
import os
import pickletools
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Python/marshal.c (3.11) type codes
M3 = {'0': 'NULL', 'N': 'NONE', 'F': 'FALSE', 'T': 'TRUE', 'S': 'STOPITER', '.': 'ELLIPSIS', 'i': 'INT',
      'I': 'INT64', 'f': 'FLOAT', 'g': 'BINARY_FLOAT', 'x': 'COMPLEX', 'y': 'BINARY_COMPLEX', 'l': 'LONG',
      's': 'STRING', 't': 'INTERNED', 'r': 'REF', '(': 'TUPLE', '[': 'LIST', '{': 'DICT', 'c': 'CODE',
      'u': 'UNICODE', '?': 'UNKNOWN', '<': 'SET', '>': 'FROZENSET', 'a': 'ASCII', 'A': 'ASCII_INTERNED',
      ')': 'SMALL_TUPLE', 'z': 'SHORT_ASCII', 'Z': 'SHORT_ASCII_INTERNED'}
# Python 2.7's Python/marshal.c
M2 = {'0': 'NULL', 'N': 'NONE', 'F': 'FALSE', 'T': 'TRUE', 'S': 'STOPITER', '.': 'ELLIPSIS', 'i': 'INT',
      'I': 'INT64', 'f': 'FLOAT', 'g': 'BINARY_FLOAT', 'x': 'COMPLEX', 'y': 'BINARY_COMPLEX', 'l': 'LONG',
      's': 'STRING', 't': 'INTERNED', 'R': 'STRINGREF', '(': 'TUPLE', '[': 'LIST', '{': 'DICT', 'c': 'CODE',
      'u': 'UNICODE', '?': 'UNKNOWN', '<': 'SET', '>': 'FROZENSET'}
NEVER_VALID = {'?'}  # TYPE_UNKNOWN: defined in marshal.c, read as an unknown type code
# a code object decodes in PySpark but strict mode refuses every one ([#marshal.code]): its
# valid vector is impl-defined, so it counts where PySpark decoded the payload
PYSPARK_VALID_ONLY = {'c'}
# PySpark's pickle.loads gets no persistent_load, extension registry or buffers: these
# opcodes always raise ([#pickle.ext]), so they can only be in rejected vectors
PICKLE_NEVER_VALID = {'PERSID', 'BINPERSID', 'EXT1', 'EXT2', 'EXT4', 'NEXT_BUFFER'}
FLAG_REF = 'FLAG_REF'


# ---- marshal type-code walker ----------------------------------------------------------

class MWalk:
    """Walks one marshal payload, recording every type code read (FLAG_REF stripped)
    until the object ends or the input is bad. `fault` is the innermost type code
    being read when the walk stopped early (None if it ended cleanly)."""

    def __init__(self, data, py2=False):
        self.b = data
        self.py2 = py2
        self.codes = []
        self.fault = None
        self.flag_ref = False
        self.ok = False
        try:
            self._walk()
            self.ok = True
        except _Stop:
            pass

    def _need(self, n):
        if n > len(self.b) - self.pos:
            raise _Stop()

    def _i32(self):
        self._need(4)
        v = struct.unpack_from('<i', self.b, self.pos)[0]
        self.pos += 4
        return v

    def _walk(self):
        self.pos = 0
        table = M2 if self.py2 else M3
        # tasks: ('O', code_or_None) read one object (the code of the container it sits in,
        # for the fault); ('D', code) a dict entry or its end; ('I', code) an inline int32
        tasks = [('O', None)]
        while tasks:
            kind, parent = tasks.pop()
            if kind == 'I':
                self.fault = parent
                self._i32()
                continue
            self.fault = parent
            self._need(1)
            raw = self.b[self.pos]
            self.pos += 1
            if self.py2 and raw & 0x80:
                raise _Stop()
            if raw & 0x80:
                self.flag_ref = True
            c = chr(raw & 0x7f)
            if c not in table or c == '?':
                if c in table:
                    self.codes.append(c)
                    self.fault = c
                raise _Stop()
            self.codes.append(c)
            self.fault = c
            if kind == 'D' and c == '0':
                continue
            if kind == 'D':
                # the key's own body, then the value, then the next entry
                tasks.append(('D', parent))
                tasks.append(('O', parent))
            self._body(c, tasks)
        self.fault = None

    def _body(self, c, tasks):
        left = lambda: len(self.b) - self.pos  # noqa: E731
        if c in '0NFTS.':
            return
        if c in 'ir':
            self._i32()
        elif c == 'R':
            self._i32()
        elif c in 'Ig':
            self._need(8)
            self.pos += 8
        elif c == 'y':
            self._need(16)
            self.pos += 16
        elif c == 'f':
            self._need(1)
            n = self.b[self.pos]
            self.pos += 1
            self._need(n)
            self.pos += n
        elif c == 'x':
            for _ in range(2):
                self._need(1)
                n = self.b[self.pos]
                self.pos += 1
                self._need(n)
                self.pos += n
        elif c == 'l':
            n = self._i32()
            if n == -2 ** 31:
                raise _Stop()
            self._need(2 * abs(n))
            self.pos += 2 * abs(n)
        elif c in 'stuaA':
            n = self._i32()
            if n < 0:
                raise _Stop()
            self._need(n)
            self.pos += n
        elif c in 'zZ':
            self._need(1)
            n = self.b[self.pos]
            self.pos += 1
            self._need(n)
            self.pos += n
        elif c in '([<>':
            n = self._i32()
            if n < 0:
                raise _Stop()
            for _ in range(min(n, left() + 1)):
                tasks.append(('O', c))
        elif c == ')':
            self._need(1)
            n = self.b[self.pos]
            self.pos += 1
            for _ in range(min(n, left() + 1)):
                tasks.append(('O', c))
        elif c == '{':
            tasks.append(('D', c))
        elif c == 'c':
            if self.py2:
                # argcount nlocals stacksize flags (int32), code consts names varnames freevars
                # cellvars filename name, firstlineno (int32), lnotab
                seq = 'IIIIOOOOOOOOIO'
            else:
                # argcount posonly kwonly stacksize flags, code consts names localsplusnames
                # localspluskinds filename name qualname, firstlineno, linetable exceptiontable
                seq = 'IIIIIOOOOOOOOIOO'
            for k in reversed(seq):
                tasks.append((k, 'c'))
        else:  # pragma: no cover
            raise _Stop()


class _Stop(Exception):
    pass


# ---- pickle opcode walker ----------------------------------------------------------------

def pickle_ops(data):
    """(opcode names seen, fault opcode name or None, complete?) for one pickle payload."""
    names = []
    f = io.BytesIO(data)
    last_end = 0
    fault = None
    complete = False
    try:
        for op, _arg, _pos in pickletools.genops(f):
            names.append(op.name)
            last_end = f.tell()
        complete = True
    except Exception:  # noqa: BLE001  genops stops at the fault
        if last_end < len(data):
            op = pickletools.code2op.get(chr(data[last_end]))
            if op is not None:
                names.append(op.name)
                fault = op.name
    if complete:
        # pickletools.dis checks the stack, MARKs and the memo: the opcode it stops at
        fault = _dis_fault(data)
    return names, fault, complete


def _dis_fault(data):
    last = []
    real = pickletools.genops

    def spy(p):
        for t in real(p):
            last[:] = [t[0].name]
            yield t
    pickletools.genops = spy
    try:
        pickletools.dis(data, out=io.StringIO())
        return None
    except Exception:  # noqa: BLE001
        return last[0] if last else None
    finally:
        pickletools.genops = real


# ---- stream walking --------------------------------------------------------------------------

def frames(data):
    """The payloads PySpark's FramedSerializer.load_stream would hand to loads()."""
    out, pos = [], 0
    while len(data) - pos >= 4:
        n = struct.unpack_from('!i', data, pos)[0]
        pos += 4
        if n == -1:
            break
        if n == -5:
            continue
        if n < 0:  # io.BytesIO.read(negative): the rest of the input
            out.append(data[pos:])
            break
        if n > len(data) - pos:
            break  # short read: EOFError, never loaded
        out.append(data[pos:pos + n])
        pos += n
    return out


def payload_codec(ser):
    """'pickle', 'marshal', 'auto' or None for a serializer repr; compressed: wrapped."""
    if ser is None or ser.startswith(('UTF8Deserializer', 'ChunkedStream', 'NoOpSerializer')):
        return None, False
    comp = 'CompressedSerializer(' in ser
    has_p = 'PickleSerializer(' in ser
    has_m = 'MarshalSerializer(' in ser
    if ser.startswith('AutoSerializer'):
        return 'auto', comp
    if has_p and not has_m:
        return 'pickle', comp
    if has_m and not has_p:
        return 'marshal', comp
    return None, comp


def stream_payloads(ser, data):
    codec, comp = payload_codec(ser)
    if codec is None:
        return []
    out = []
    for p in frames(data):
        if comp:
            try:
                d = zlib.decompressobj()
                p = d.decompress(p, 1 << 26)
            except zlib.error:
                continue
        if codec == 'auto':
            if not p:
                continue
            tag, p = p[:1], p[1:]
            out.append(('marshal' if tag == b'M' else 'pickle', p))
        else:
            out.append((codec, p))
    return out


# ---- checks ------------------------------------------------------------------------------------

def spec_ids():
    text = open(os.path.join(ROOT, 'SPEC.md'), encoding='utf-8').read()
    return re.findall(r'\{#([a-z0-9._-]+)\}', text)


def load_exempt(path):
    out = {}
    if not os.path.exists(path):
        return out
    for ln, line in enumerate(open(path, encoding='utf-8'), 1):
        body = line.split('#', 1)[0].strip() if not line.lstrip().startswith('#') else ''
        if not body:
            continue
        reason = line.split('#', 1)[1].strip() if '#' in line else ''
        out[body] = (ln, reason)
    return out


def sidecars():
    for p in sorted(glob.glob(os.path.join(ROOT, 'vectors', '**', '*.json'), recursive=True)):
        if os.path.basename(p) in ('manifest.json', 'provenance.json'):
            continue
        try:
            j = json.load(open(p, encoding='utf-8'))
        except (ValueError, OSError):
            continue
        if isinstance(j, dict):
            yield p, j


def regen(pyspark, problems):
    tmp = tempfile.mkdtemp(prefix='sw-regen-')
    try:
        outs = []
        for k in (1, 2):
            d = os.path.join(tmp, 'run%d' % k)
            os.makedirs(d)
            # gen_vectors keeps the demo's committed pickle-batched.bin: copy it in
            demo = os.path.join(ROOT, 'vectors', 'demo')
            if os.path.isdir(demo):
                shutil.copytree(demo, os.path.join(d, 'demo'))
            r = subprocess.run([sys.executable, os.path.join(HERE, 'gen_vectors.py'), '--pyspark', pyspark,
                                '--out', d], capture_output=True, text=True)
            if r.returncode != 0:
                problems.append('regen: gen_vectors.py run %d failed: %s' % (k, (r.stderr or r.stdout)[-400:]))
                return
            outs.append(d)
        a, b = outs
        files = lambda d: sorted(os.path.relpath(p, d) for p in glob.glob(os.path.join(d, '**', '*'), recursive=True)  # noqa: E731
                                 if os.path.isfile(p))
        fa, fb = files(a), files(b)
        diff = sorted(set(fa) ^ set(fb))
        diff += [f for f in fa if f in set(fb) and not filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False)]
        if diff:
            problems.append('regen: two runs differ in %d files: %s' % (len(diff), ', '.join(diff[:20])))
        print('regenerate twice: %d files, %s' % (len(fa), 'byte-identical' if not diff else '%d differ' % len(diff)))
        stale = [f for f in fa if not os.path.exists(os.path.join(ROOT, 'vectors', f))
                 or not filecmp.cmp(os.path.join(a, f), os.path.join(ROOT, 'vectors', f), shallow=False)]
        print('committed vectors/: %s' % ('same as a fresh run' if not stale else
                                          '%d files differ from a fresh run (regenerate): %s'
                                          % (len(stale), ', '.join(stale[:10]))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--min-vectors', type=int, default=2000, help='least number of manifest vectors (default 2000)')
    ap.add_argument('--exempt', default=os.path.join(ROOT, 'conformance', 'spec-exempt.txt'))
    ap.add_argument('--regen', metavar='PYSPARK_DIR', help='regenerate twice with this PySpark dir and compare')
    ap.add_argument('-v', '--verbose', action='store_true', help='list where each opcode/type code was found')
    args = ap.parse_args()
    problems = []

    # 1. SPEC ids
    ids = spec_ids()
    idset = set(ids)
    dups = sorted({i for i in ids if ids.count(i) > 1})
    for i in dups:
        problems.append('SPEC.md: id #%s is defined twice' % i)
    named = {}
    for p, j in sidecars():
        for f in j.get('flags') or []:
            if not isinstance(f, str):
                continue
            named.setdefault(f.lstrip('#'), []).append(os.path.relpath(p, ROOT))
    exempt = load_exempt(args.exempt)
    for f in sorted(set(named) - idset):
        problems.append('flag #%s (%s...) names no SPEC.md id' % (f, named[f][0]))
    for e, (ln, reason) in sorted(exempt.items()):
        if e not in idset:
            problems.append('%s:%d: exempt id %s is not in SPEC.md' % (os.path.relpath(args.exempt, ROOT), ln, e))
        elif e in named:
            problems.append('%s:%d: exempt id %s is named by a vector (%s): drop it from the list'
                            % (os.path.relpath(args.exempt, ROOT), ln, e, named[e][0]))
        if not reason:
            problems.append('%s:%d: exempt id %s has no reason' % (os.path.relpath(args.exempt, ROOT), ln, e))
    missing = [i for i in sorted(idset) if i not in named and i not in exempt]
    for i in missing:
        problems.append('SPEC id #%s is named by no vector (and not in spec-exempt.txt)' % i)
    print('SPEC ids: %d, named by vectors %d, exempt %d, missing %d' % (
        len(idset), len(idset & set(named)), len(idset & set(exempt)), len(missing)))

    # 2./3. opcodes and type codes over the stream vectors
    pk_ok, pk_bad, pk_fault = {}, {}, {}
    mc_ok, mc_bad, mc_fault = {}, {}, {}
    nstream = 0
    for p, j in sidecars():
        ser = j.get('serializer')
        binp = p[:-5] + '.bin'
        if not ser or 'verdict' not in j or not os.path.exists(binp):
            continue
        nstream += 1
        vid = os.path.relpath(binp, ROOT)
        good = j['verdict'] == 'accept'
        py_ok = (j.get('pyspark') or {}).get('outcome') == 'ok' and j['verdict'] == 'impl-defined'
        data = open(binp, 'rb').read()
        # the strict expectation's offset of a pickle/marshal error names the opcode or
        # type code at fault ([#pickle.errors], [#marshal.errors]) in an uncompressed stream
        st = j.get('strict') or {}
        off = st.get('offset')
        if not good and isinstance(off, int) and 0 <= off < len(data) and 'Compressed' not in ser:
            if st.get('layer') == 'pickle' and chr(data[off]) in pickletools.code2op:
                pk_fault.setdefault(pickletools.code2op[chr(data[off])].name, vid)
            elif st.get('layer') == 'marshal':
                c = chr(data[off] & 0x7f)
                if c in M3:
                    mc_fault.setdefault(M3[c], vid)
                    if data[off] & 0x80:
                        mc_fault.setdefault(FLAG_REF, vid)
        for codec, pl in stream_payloads(ser, data):
            if codec == 'pickle':
                names, fault, _ = pickle_ops(pl)
                for n in names:
                    (pk_ok if good else pk_bad).setdefault(n, vid)
                if fault and not good:
                    pk_fault.setdefault(fault, vid)
            else:
                w = MWalk(pl)
                names = [M3[c] for c in w.codes] + ([FLAG_REF] if w.flag_ref else [])
                for n in names:
                    (mc_ok if good else mc_bad).setdefault(n, vid)
                for c in PYSPARK_VALID_ONLY:
                    if py_ok and w.ok and c in w.codes:
                        mc_ok.setdefault(M3[c], vid)
                if w.fault and not good:
                    mc_fault.setdefault(M3[w.fault], vid)
    allops = [op.name for op in pickletools.opcodes]
    print('stream vectors walked: %d' % nstream)
    for n in allops:
        if n not in pk_ok and n not in PICKLE_NEVER_VALID:
            problems.append('pickle opcode %s is in no accepted stream vector' % n)
        if n not in pk_bad:
            problems.append('pickle opcode %s is in no rejected/impl-defined stream vector' % n)
    print('pickle opcodes: %d; in accepted vectors %d (+%d never valid in PySpark: %s), in rejected/impl-defined %d, '
          'at the fault of one %d' % (len(allops), len(set(allops) & set(pk_ok)), len(PICKLE_NEVER_VALID),
                                      ' '.join(sorted(PICKLE_NEVER_VALID)), len(set(allops) & set(pk_bad)),
                                      len(set(allops) & set(pk_fault))))
    allm = list(M3.values()) + [FLAG_REF]
    for c, n in list(M3.items()) + [(None, FLAG_REF)]:
        if n not in mc_ok and c not in NEVER_VALID:
            problems.append('marshal type code %s (%r) is in no accepted stream vector' % (n, c))
        if n not in mc_bad:
            problems.append('marshal type code %s (%r) is in no rejected/impl-defined stream vector' % (n, c))
    print('marshal 3.11 type codes: %d + FLAG_REF; valid in a vector %d (%s never valid; c valid in PySpark, refused by '
          'strict), in rejected/impl-defined %d, at the fault of one %d'
          % (len(M3), len(set(allm) & set(mc_ok)), '/'.join(sorted(NEVER_VALID)), len(set(allm) & set(mc_bad)),
             len(set(allm) & set(mc_fault))))
    if args.verbose:
        for title, d in (('pickle ok', pk_ok), ('pickle bad', pk_bad), ('pickle fault', pk_fault),
                         ('marshal ok', mc_ok), ('marshal bad', mc_bad), ('marshal fault', mc_fault)):
            for n in sorted(d):
                print('  %-13s %-22s %s' % (title, n, d[n]))

    # py2 dialect: payload vectors
    p2_ok, p2_bad = set(), set()
    n2 = 0
    for p in sorted(glob.glob(os.path.join(ROOT, 'vectors', 'marshal', 'py2', '*.json'))):
        j = json.load(open(p, encoding='utf-8'))
        b = p[:-5] + '.bin'
        if not os.path.exists(b) or 'outcome' not in j:
            continue
        n2 += 1
        w = MWalk(open(b, 'rb').read(), py2=True)
        (p2_ok if j['outcome'] == 'ok' else p2_bad).update(w.codes)
    if n2:
        warn = [c for c in M2 if c not in p2_ok and c not in NEVER_VALID]
        warn2 = [c for c in M2 if c not in p2_bad]
        print('marshal py2 type codes: %d; in vectors/marshal/py2 (%d files): decoding %d, failing %d'
              % (len(M2), n2, len(set(M2) & p2_ok), len(set(M2) & p2_bad)))
        if warn or warn2:
            print('  warning (not a failure: payload vectors of tools/gen_marshal_vectors.py): py2 codes in no '
                  'decoding vector: %s; in no failing vector: %s' % (' '.join(warn) or '-', ' '.join(warn2) or '-'))

    # 4. count
    man = json.load(open(os.path.join(ROOT, 'vectors', 'manifest.json'), encoding='utf-8'))
    nv = len(man.get('vectors', []))
    groups = {}
    for e in man.get('vectors', []):
        groups[e['path'].split('/')[0]] = groups.get(e['path'].split('/')[0], 0) + 1
    print('manifest vectors: %d (need >= %d) in %d groups' % (nv, args.min_vectors, len(groups)))
    if nv < args.min_vectors:
        problems.append('manifest holds %d vectors, fewer than %d' % (nv, args.min_vectors))

    # 5. regeneration
    if args.regen:
        regen(args.regen, problems)

    if problems:
        print('\nFAILED: %d problem(s):' % len(problems))
        for p in problems:
            print('  ' + p)
        return 1
    print('all vector checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())

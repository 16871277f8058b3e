#!/usr/bin/env python3
"""Invalid and edge pickles with CPython's observed outcome [#pickle.errors].

Writes vectors/pickle-errors/<id>.pkl (the payload) and <id>.json:
  {"id", "description", "flags", "cpython": {"outcome": "ok"|"error",
   "exception": type name, "message": str(e)},
   "status": sparkwire status name, "payload_offset": offset of the opcode at fault}
Every input is made here from real pickles (truncation at every argument of
every opcode CPython wrote in a small corpus) or from a short recipe below;
the outcome is what `pickle.loads(data, encoding="bytes")` (PySpark's call)
does on this interpreter.

    /usr/bin/python3 tools/gen_pickle_errors.py [OUTDIR]
"""
import json
import os
import pickle
import pickletools
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pickle_status import PICKLE_STATUS  # noqa: E402  tools/pickle_status.py

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'vectors', 'pickle-errors')

# message fragment -> our status (SPEC #pickle.errors)
def status_for(exc, msg):
    if exc == 'EOFError':
        return 'truncated_payload'
    table = PICKLE_STATUS
    for frag, st in table:
        if frag in msg:
            return st
    return None


def outcome(data):
    try:
        pickle.loads(data, encoding='bytes')
        return {'outcome': 'ok'}
    except BaseException as e:  # noqa: B902 -- recording every failure class
        return {'outcome': 'error', 'exception': type(e).__name__, 'message': str(e)}


vectors = []


def add(vid, data, at, desc, flags):
    vectors.append((vid, data, at, desc, flags))


# 1. truncation inside every argument of every opcode of real pickles
corpus = {
    'p0': pickle.dumps([1, -2, 3.5, 'a\u20ac', b'b', (1,), {'k': None}, 2 ** 70, True], 0),
    'p1': pickle.dumps([1, 300, 70000, -5, 2.5, 'x', (1, 2), {1: 2}, 2 ** 70], 1),
    'p2': pickle.dumps([True, 2 ** 70, -(2 ** 300), (1, 2, 3), b'xy', {'a': [1]}], 2),
    'p3': pickle.dumps([b'x' * 300, 'y' * 300, (), set(), frozenset()], 3),
    'p4': pickle.dumps([frozenset({1}), {2}, 'z' * 10, bytearray(b'q'), 1.0], 4),
    'p5': pickle.dumps([bytearray(b'abc'), 'w', 2 ** 64], 5),
}
for name, data in corpus.items():
    for op, arg, pos in pickletools.genops(data):
        end = pos + 1
        # find the end of this opcode's argument: the next opcode's position
        nxt = [p for _, _, p in pickletools.genops(data) if p > pos]
        stop = nxt[0] if nxt else len(data)
        if stop - pos <= 1:
            continue
        for cut in sorted({pos + 1, (pos + 1 + stop) // 2, stop - 1}):
            if pos < cut < stop:
                # the C unpickler checks a FRAME's length when it reads the
                # FRAME: a cut inside a frame is reported at that FRAME
                fault = pos
                for fop, farg, fpos in pickletools.genops(data):
                    if fop.name == 'FRAME' and fpos < cut < fpos + 9 + farg:
                        fault = fpos
                add('trunc-%s-%d-%s-at-%d' % (name, pos, op.name.lower(), cut), data[:cut], fault,
                    '%s pickle cut inside the argument of %s at %d' % (name, op.name, pos),
                    ['#pickle.errors', '#pickle.opcodes'])
    fault = len(data) - 1
    for fop, farg, fpos in pickletools.genops(data):
        if fop.name == 'FRAME' and fpos + 9 + farg > len(data) - 1:
            fault = fpos
    add('nostop-%s' % name, data[:-1], fault, '%s pickle without its STOP' % name, ['#pickle.stop'])

# 2. recipes: each failure class
P = b'\x80\x04'
recipes = [
    ('empty', b'', 0, 'no byte at all: EOFError', ['#pickle.stop']),
    ('bad-proto-6', b'\x80\x06N.', 0, 'PROTO 6', ['#pickle.proto']),
    ('bad-opcode', b'Z', 0, 'unknown opcode', ['#pickle.opcodes']),
    ('bad-opcode-ff', P + b'\xff', 2, 'unknown opcode 0xff', ['#pickle.opcodes']),
    ('pop-empty', b'0', 0, 'POP on an empty stack', ['#pickle.stack']),
    ('stop-empty', b'.', 0, 'STOP on an empty stack', ['#pickle.stack']),
    ('stop-at-mark', b'(.', 1, 'STOP with only a MARK', ['#pickle.stack', '#pickle.mark']),
    ('pop-mark-missing', b'1.', 0, 'POP_MARK without MARK', ['#pickle.mark']),
    ('tuple-no-mark', b'K\x01t.', 2, 'TUPLE without MARK', ['#pickle.mark']),
    ('tuple1-empty', b'\x85.', 0, 'TUPLE1 on an empty stack', ['#pickle.stack']),
    ('tuple2-at-mark', b'K\x01(K\x02\x86.', 5, 'TUPLE2 across a MARK', ['#pickle.stack', '#pickle.mark']),
    ('append-empty', b'a.', 0, 'APPEND on an empty stack', ['#pickle.stack']),
    ('append-to-int', b'K\x01K\x02a.', 4, 'APPEND to an int', ['#pickle.stack']),
    ('appends-no-target', b'(K\x01e.', 3, 'APPENDS with nothing under the MARK', ['#pickle.stack']),
    ('setitem-short', b'}K\x01s.', 3, 'SETITEM with two items', ['#pickle.stack']),
    ('setitem-list-key', b'}]Ns.', 3, 'a list as dict key', ['#pickle.keys']),
    ('dict-list-key', b'(]Nd.', 3, 'DICT with a list key', ['#pickle.keys']),
    ('additems-list', b'\x8f(]\x90.', 3, 'a list added to a set', ['#pickle.keys']),
    ('frozenset-dict', b'(}\x91.', 2, 'FROZENSET holding a dict', ['#pickle.keys']),
    ('build-list-dict', b']}b.', 2, 'BUILD a dict state on a list', ['#pickle.stack']),
    ('build-list-none', b']Nb.', None, 'BUILD None on a list: ignored', ['#pickle.stack']),
    ('get-missing', b'h\x05.', 0, 'BINGET of an index never PUT', ['#pickle.memo']),
    ('long-get-missing', b'j\x05\x00\x00\x00.', 0, 'LONG_BINGET missing', ['#pickle.memo']),
    ('text-get-missing', b'g7\n.', 0, 'GET missing', ['#pickle.memo']),
    ('put-empty', b'p1\n.', 0, 'PUT on an empty stack', ['#pickle.memo', '#pickle.stack']),
    ('memoize-empty', b'\x94.', 0, 'MEMOIZE on an empty stack', ['#pickle.memo']),
    ('binstring-negative', b'T\xff\xff\xff\xffab.', 0, 'BINSTRING length 0xffffffff: CPython reads it unsigned, a truncated read', ['#pickle.errors']),
    ('long4-negative', b'\x8b\xff\xff\xff\xff.', 0, 'LONG4 negative length', ['#pickle.errors']),
    ('binbytes-huge', b'B\xff\xff\xff\xffab.', 0, 'BINBYTES length over the data', ['#pickle.errors']),
    ('binunicode8-huge', b'\x8d' + b'\xff' * 8 + b'.', 0, 'BINUNICODE8 huge length', ['#pickle.errors']),
    ('frame-huge', b'\x80\x04\x95' + b'\xff' * 7 + b'\x7fN.', 2, 'FRAME longer than the data', ['#pickle.frame']),
    ('frame-short', b'\x80\x04\x95\x10' + b'\x00' * 7 + b'N.', 2, 'FRAME of 16 with 2 bytes left', ['#pickle.frame']),
    ('string-unquoted', b'Sabc\n.', 0, 'STRING not quoted', ['#pickle.encoding']),
    ('string-ok', b"S'a\\x41\\n'\n.", None, 'STRING with escapes', ['#pickle.encoding']),
    ('binunicode-bad-utf8', b'X\x02\x00\x00\x00\xff\xfe.', 0, 'BINUNICODE invalid UTF-8', ['#pickle.errors']),
    ('binunicode-cut-surrogate', b'X\x02\x00\x00\x00\xed\xa0.', 0, 'BINUNICODE with 2 of 3 surrogate bytes', ['#pickle.errors']),
    ('binunicode-surrogate', b'X\x03\x00\x00\x00\xed\xa0\x80.', None, 'a lone surrogate (surrogatepass)', ['#value.str']),
    ('unicode-bad-escape', b'VA\\u00\n.', 0, 'UNICODE truncated \\u escape', ['#pickle.errors']),
    ('int-junk', b'I1x\n.', 0, 'INT with junk', ['#pickle.int']),
    ('int-bool', b'I01\n.', None, 'INT 01 is True', ['#pickle.int']),
    ('int-hex', b'I0x10\n.', None, 'INT reads with strtol base 0', ['#pickle.int']),
    ('long-junk', b'L1x\n.', 0, 'LONG with junk', ['#pickle.int']),
    ('long-4301-digits', b'L' + b'1' * 4301 + b'L\n.', 0, 'LONG beyond 4300 digits', ['#limits.int-digits']),
    ('float-junk', b'F1.x\n.', 0, 'FLOAT with junk', ['#pickle.errors']),
    ('ext1-zero', b'\x82\x00.', 0, 'EXT1 code 0', ['#pickle.ext']),
    ('ext1-unregistered', b'\x82\x01.', 0, 'EXT1 code 1, no registry', ['#pickle.ext']),
    ('ext4-negative', b'\x84\xff\xff\xff\xff.', 0, 'EXT4 negative code', ['#pickle.ext']),
    ('persid', b'Pabc\n.', 0, 'PERSID without persistent_load', ['#pickle.ext']),
    ('binpersid', b'K\x01Q.', 2, 'BINPERSID without persistent_load', ['#pickle.ext']),
    ('next-buffer', b'\x97.', 0, 'NEXT_BUFFER without buffers', ['#pickle.ext']),
    ('readonly-buffer-bool', b'\x88\x98.', 1, 'READONLY_BUFFER on True', ['#pickle.ext']),
    ('stack-global-int', b'K\x01\x8c\x01a\x93.', 5, 'STACK_GLOBAL with an int module', ['#pickle.globals']),
    ('newobj-args-int', b'\x8c\x08builtins\x8c\x06object\x93K\x01\x81.', 21, 'NEWOBJ args not a tuple', ['#pickle.globals']),
    ('newobj-ex-kwargs', b'\x8c\x08builtins\x8c\x06object\x93)]\x92.', 21, 'NEWOBJ_EX kwargs a list', ['#pickle.globals']),
    ('trailing-after-stop', b'N.xyz', None, 'bytes after STOP are ignored', ['#ser.trailing']),
]
for vid, data, at, desc, flags in recipes:
    add(vid, data, at, desc, flags)

os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))
n_err = 0
for vid, data, at, desc, flags in vectors:
    oc = outcome(data)
    side = {'id': 'pickle-error-' + vid, 'description': desc, 'flags': flags, 'cpython': oc}
    if oc['outcome'] == 'error':
        n_err += 1
        st = status_for(oc['exception'], oc['message'])
        if st is None:
            sys.exit('no status for %s: %s %s' % (vid, oc['exception'], oc['message']))
        side['status'] = st
        if at is not None:
            side['payload_offset'] = at
    with open(os.path.join(OUT, vid + '.pkl'), 'wb') as f:
        f.write(data)
    with open(os.path.join(OUT, vid + '.json'), 'w') as f:
        json.dump(side, f, indent=1, sort_keys=True)
        f.write('\n')
with open(os.path.join(OUT, 'README.md'), 'w') as f:
    f.write('# vectors/pickle-errors\n\nMade by `tools/gen_pickle_errors.py` with Python %s '
            '(%d inputs, %d rejected by `pickle.loads(data, encoding="bytes")`).\n'
            'Each `<id>.pkl` is a payload; `<id>.json` records CPython\'s outcome '
            '(`cpython`), the sparkwire status it maps to (`status`) and, where the generator knows it, '
            'the offset of the opcode at fault (`payload_offset`). The conformance suite '
            '(`ref/test/test_pickle_decode.c`) decodes each in `pyspark` mode and checks the status, '
            'the Python exception and the offset.\n' % (sys.version.split()[0], len(vectors), n_err))
print(len(vectors), 'vectors,', n_err, 'errors')

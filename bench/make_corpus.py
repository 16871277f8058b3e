#!/usr/bin/python3
"""Benchmark corpus: PySpark-like streams, deterministic, written to build/bench/corpus/.

Each stream is laid out as PySpark's serializers.py writes it:

  BatchedSerializer(S, 1024).dump_stream: lists of 1024 items (itertools.islice),
      each S.dumps(batch) framed by write_int(len) (struct '!i');
  AutoBatchedSerializer(S).dump_stream: batch starts at 1, doubles while the
      framed payload is smaller than bestSize = 65536, halves when it is over
      10 * bestSize (and batch > 1), exactly as the Python loop does;

with S = PickleSerializer() (pickle.dumps(obj, protocol); protocol 5 is
pickle.HIGHEST_PROTOCOL, protocol 2 is what old PySpark wrote) or
MarshalSerializer() (marshal.dumps(obj), version 4). PySpark itself is not
needed: the bytes come from CPython's own pickle and marshal.

Profiles (seeded random, PYTHONHASHSEED=0): ints of mixed widths, (str, int)
pairs, row tuples (int, float, str, None, bool), small dicts, 4 KiB bytes blobs,
nested lists. Items are made on the fly by a generator, so that, as in a
PySpark worker, only the batch list refers to them (marshal writes FLAG_REF
by reference count).

    /usr/bin/python3 bench/make_corpus.py [--out build/bench/corpus] [--scale 1.0]

Writes <profile>-<codec>-<batching>.bin and manifest.tsv (one stream a line:
name, file, serializer spec as sparkwire parses it, items, frames, bytes).
"""
import argparse
import itertools
import marshal
import os
import pickle
import random
import struct
import sys

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

WORDS = ['spark', 'wire', 'user', 'event', 'click', 'view', 'item', 'order', 'paris', 'z\u00fcrich',
         '\u6771\u4eac', 'k\u00f8benhavn', 'alpha', 'beta', 'gamma', 'delta', 'log', 'metric']


def word(r):
    return r.choice(WORDS)


def ints(r, n):
    for _ in range(n):
        k = r.random()
        if k < 0.35:
            v = r.randrange(256)                      # BININT1
        elif k < 0.55:
            v = r.randrange(256, 65536)               # BININT2
        elif k < 0.80:
            v = r.randrange(-2 ** 31, 2 ** 31)        # BININT
        elif k < 0.98:
            v = r.randrange(-2 ** 63, 2 ** 63)        # LONG1 / marshal TYPE_LONG
        else:
            v = r.randrange(-2 ** 100, 2 ** 100)      # big
        yield v


def pairs(r, n):
    for _ in range(n):
        yield ('%s:%d' % (word(r), r.randrange(100000)), r.randrange(-1000, 1000000))


def rows(r, n):
    for i in range(n):
        yield (i, r.uniform(-1e6, 1e6), '%s-%s' % (word(r), word(r)), None, r.random() < 0.5)


def dicts(r, n):
    for i in range(n):
        d = {'id': i, 'name': word(r), 'score': round(r.random() * 100, 3)}
        if r.random() < 0.5:
            d['tags'] = [word(r), word(r)]
        if r.random() < 0.3:
            d['ok'] = r.random() < 0.5
        yield d


def blobs(r, n):
    for _ in range(n):
        yield r.randbytes(4096)


def nested(r, n):
    for _ in range(n):
        yield [r.randrange(1000), [word(r), [r.random(), r.randrange(-50, 50)]],
               [[r.randrange(10) for _ in range(r.randrange(1, 5))], []], None]


# name, generator, items at scale 1.0
PROFILES = [
    ('ints', ints, 200000),
    ('pairs', pairs, 100000),
    ('rows', rows, 100000),
    ('dicts', dicts, 50000),
    ('blobs', blobs, 2048),
    ('nested', nested, 30000),
]

CODECS = [
    ('pickle2', lambda o: pickle.dumps(o, 2), 'PickleSerializer(protocol=2)'),
    ('pickle5', lambda o: pickle.dumps(o, 5), 'PickleSerializer()'),
    ('marshal', lambda o: marshal.dumps(o), 'MarshalSerializer()'),
]


def batched(iterator, dumps, size=1024):
    """BatchedSerializer(S, size).dump_stream: returns (stream bytes, frames)."""
    out, frames = [], 0
    while True:
        vs = list(itertools.islice(iterator, size))
        if not vs:
            break
        p = dumps(vs)
        out.append(struct.pack('!i', len(p)))
        out.append(p)
        frames += 1
    return b''.join(out), frames


def autobatched(iterator, dumps, best=1 << 16):
    """AutoBatchedSerializer(S).dump_stream (serializers.py), step for step."""
    out, frames = [], 0
    batch = 1
    while True:
        vs = list(itertools.islice(iterator, batch))
        if not vs:
            break
        p = dumps(vs)
        out.append(struct.pack('!i', len(p)))
        out.append(p)
        frames += 1
        size = len(p)
        if size < best:
            batch *= 2
        elif size > best * 10 and batch > 1:
            batch //= 2
    return b''.join(out), frames


BATCHINGS = [
    ('b1024', batched, 'BatchedSerializer(%s, 1024)'),
    ('auto', autobatched, 'AutoBatchedSerializer(%s)'),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=os.path.join('build', 'bench', 'corpus'))
    ap.add_argument('--scale', type=float, default=1.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    manifest = []
    for pname, gen, count in PROFILES:
        n = max(1, int(count * a.scale))
        for cname, dumps, inner in CODECS:
            for bname, layout, outer in BATCHINGS:
                name = '%s-%s-%s' % (pname, cname, bname)
                # items made on the fly, as a PySpark worker's iterator yields
                # them: only the batch list holds them (marshal's FLAG_REF
                # depends on reference counts)
                items = gen(random.Random('sparkwire-bench-' + pname), n)
                data, frames = layout(items, dumps)
                fn = name + '.bin'
                with open(os.path.join(a.out, fn), 'wb') as f:
                    f.write(data)
                manifest.append((name, fn, outer % inner, n, frames, len(data)))
    with open(os.path.join(a.out, 'manifest.tsv'), 'w') as f:
        f.write('# name\tfile\tspec\titems\tframes\tbytes (made by bench/make_corpus.py, Python %s)\n'
                % sys.version.split()[0])
        for m in manifest:
            f.write('\t'.join(str(x) for x in m) + '\n')
    total = sum(m[5] for m in manifest)
    print('bench corpus: %d streams, %.1f MiB in %s' % (len(manifest), total / 1048576.0, a.out))


if __name__ == '__main__':
    main()

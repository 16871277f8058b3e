#!/usr/bin/env python3
"""cloudpickle payloads as PySpark's CloudPickleSerializer writes them
(cloudpickle.dumps(obj, pickle.HIGHEST_PROTOCOL)) [#pickle.setstate].

Writes vectors/cloudpickle/<name>.pkl and README.md. Deterministic: the
functions and classes are compiled from fixed source with a fixed file name,
and cloudpickle's class tracker ids come from a seeded generator.
    /usr/bin/python3 tools/gen_cloudpickle_corpus.py
"""
import os
import pickle
import random
import sys
import uuid

import cloudpickle

if os.environ.get('PYTHONHASHSEED') != '0':
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)

_rng = random.Random(1234)
uuid.uuid4 = lambda: uuid.UUID(int=_rng.getrandbits(128), version=4)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'vectors', 'cloudpickle')

SRC = '''
import math, functools, collections
def add_one(x):
    return x + 1
def make_adder(n):
    def adder(x, scale=2, *, bias=0):
        return x * scale + n + bias
    return adder
def uses_module(x):
    return math.sqrt(x) + len(collections.OrderedDict())
def gen(n):
    for i in range(n):
        yield i * i
class Point:
    dims = 2
    def __init__(self, x, y):
        self.x, self.y = x, y
    def norm(self):
        return math.hypot(self.x, self.y)
class Counter(dict):
    def bump(self, k):
        self[k] = self.get(k, 0) + 1
def map_partition(it):
    return (kv for kv in it if kv[1] > 0)
'''
ns = {'__name__': '__main__'}
exec(compile(SRC, '<sparkwire-vectors>', 'exec'), ns)

objects = {
    'lambda': lambda x: x * 2,
    'function': ns['add_one'],
    'closure': ns['make_adder'](5),
    'module_global': ns['uses_module'],
    'generator_function': ns['gen'],
    'class': ns['Point'],
    'instance': ns['Point'](3, 4),
    'dict_subclass_instance': ns['Counter'](a=1),
    'partial': __import__('functools').partial(ns['add_one']),
    'command_like': (ns['map_partition'], None, 'BatchedSerializer(PickleSerializer(), 1024)', [1, 2]),
    'list_of_functions': [ns['add_one'], ns['add_one'], ns['make_adder'](1)],
}

os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))
for name, obj in objects.items():
    data = cloudpickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
    with open(os.path.join(OUT, name + '.pkl'), 'wb') as f:
        f.write(data)
with open(os.path.join(OUT, 'README.md'), 'w') as f:
    f.write('# vectors/cloudpickle\n\n`cloudpickle.dumps(obj, %d)` of %d objects (functions, closures, classes, '
            'instances, a PySpark-like command tuple), written by `tools/gen_cloudpickle_corpus.py` with Python %s '
            'and cloudpickle %s. `ref/test/test_cloudpickle.c` decodes each without running anything and '
            're-encodes it byte for byte.\n' % (pickle.HIGHEST_PROTOCOL, len(objects), sys.version.split()[0],
                                                 cloudpickle.__version__))
print(len(objects), 'cloudpickle vectors')

#!/usr/bin/python3
"""`make bench`: sparkwire against CPython on the very same bytes, in one run.

1. runs `swbench corpus` (bench/bench.c): sparkwire decode, encode, frame scan
   (NoOpSerializer, payloads borrowed) and memcpy over one corpus stream;
2. right after it, times CPython's pickle.loads/dumps or marshal.loads/dumps
   over the same frames (1 and 2 alternate stream by stream, so that both
   sides of a ratio see the same background load), with the same method: one warm-up pass, then REPS samples, each
   repeating the pass until it lasts MIN_MS, reporting the time of one pass
   (min and median); the cyclic GC is off while timing, as timeit does, which
   is CPython's best case;
3. runs `swbench stream`: a generator process writes STREAM_BYTES of
   BatchedSerializer(PickleSerializer(), 1024) frames into a pipe that
   sparkwire decodes through sw_source_fd; peak RSS and throughput;
4. prints the table with sparkwire / CPython ratios and the targets, and
   writes the same as markdown (--report).

Ratios are printed, never asserted: nothing here fails on a slow machine.
"""
import argparse
import datetime
import gc
import json
import marshal
import os
import pickle
import platform
import struct
import subprocess
import sys
import time

SMALL = ('ints', 'pairs', 'rows', 'dicts', 'nested')
MiB = 1048576.0


def read_manifest(corpus):
    out = []
    with open(os.path.join(corpus, 'manifest.tsv')) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            name, fn, spec, items, frames, nbytes = line.rstrip('\n').split('\t')
            out.append(dict(name=name, file=fn, spec=spec, items=int(items), frames=int(frames),
                            bytes=int(nbytes), profile=name.split('-')[0], codec=name.split('-')[1],
                            batching=name.split('-')[2]))
    return out


def split_frames(data):
    frames, i = [], 0
    while i < len(data):
        (n,) = struct.unpack_from('!i', data, i)
        frames.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return frames


def measure(fn, reps, min_s):
    """Same method as bench.c: warm-up, then reps samples of k passes each."""
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    k = int(min_s / one) + 1 if one > 0 else 1000
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        samples.append((time.perf_counter() - t0) / k)
    samples.sort()
    med = samples[reps // 2] if reps % 2 else (samples[reps // 2 - 1] + samples[reps // 2]) / 2
    return samples[0], med


def cpython(stream, corpus, reps, min_s):
    with open(os.path.join(corpus, stream['file']), 'rb') as f:
        data = f.read()
    frames = split_frames(data)
    if stream['codec'] == 'marshal':
        loads, dumps = marshal.loads, marshal.dumps
    else:
        proto = 2 if stream['codec'] == 'pickle2' else 5
        loads = pickle.loads
        dumps = lambda o, p=proto: pickle.dumps(o, p)  # noqa: E731
    batches = [loads(p) for p in frames]
    items = sum(len(b) for b in batches)

    def do_loads():
        for p in frames:
            loads(p)

    def do_dumps():
        for b in batches:
            dumps(b)

    identical = all(dumps(b) == p for b, p in zip(batches, frames))
    gc.disable()
    try:
        lmin, lmed = measure(do_loads, reps, min_s)
        dmin, dmed = measure(do_dumps, reps, min_s)
    finally:
        gc.enable()
    return dict(items=items, loads=(lmin, lmed), dumps=(dmin, dmed), identical=identical)


def fmt_rate(x):
    if x >= 100:
        return '%.0f' % x
    if x >= 10:
        return '%.1f' % x
    return '%.2f' % x


def machine():
    cpu = platform.processor() or '?'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return cpu, os.cpu_count()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--swbench', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--reps', type=int, default=7)
    ap.add_argument('--min-ms', type=float, default=20)
    ap.add_argument('--stream-bytes', type=int, default=256 * 1024 * 1024)
    ap.add_argument('--stream-file', default='rows-pickle5-b1024.bin')
    ap.add_argument('--cc', default='cc')
    ap.add_argument('--cflags', default='')
    ap.add_argument('--report', default=None)
    a = ap.parse_args()
    min_s = a.min_ms / 1000.0
    streams = read_manifest(a.corpus)
    load0 = os.getloadavg()

    # 1-2. sparkwire and CPython, stream by stream: each stream's sparkwire
    # run is followed at once by CPython's on the same bytes, so both sides
    # of a ratio are measured under the same background load
    sys.stderr.write('sparkwire (decode, encode, scan, memcpy) and CPython %s (loads, dumps): %d streams, '
                     '%d samples each...\n' % (platform.python_version(), len(streams), a.reps))
    sw = {}
    py = {}
    for s in streams:
        out = subprocess.run([a.swbench, 'corpus', a.corpus, str(a.reps), str(a.min_ms), s['name']],
                             check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
        for line in out.splitlines():
            r = json.loads(line)
            if r['name'] == s['name']:
                sw[(r['name'], r['op'])] = r
        py[s['name']] = cpython(s, a.corpus, a.reps, min_s)

    # 3. streaming memory
    sys.stderr.write('stream: %d MiB through sw_source_fd...\n' % (a.stream_bytes >> 20))
    st = subprocess.run([a.swbench, 'stream', os.path.join(a.corpus, a.stream_file), str(a.stream_bytes)],
                        stdout=subprocess.PIPE, universal_newlines=True)
    stream = json.loads(st.stdout.strip().splitlines()[-1]) if st.stdout.strip() else {'status': 'failed'}
    sys.stderr.write('encode-stream: %d MiB through one sw_encoder into /dev/null...\n' % (a.stream_bytes >> 20))
    est = subprocess.run([a.swbench, 'encode-stream', os.path.join(a.corpus, a.stream_file), str(a.stream_bytes)],
                         stdout=subprocess.PIPE, universal_newlines=True)
    estream = json.loads(est.stdout.strip().splitlines()[-1]) if est.stdout.strip() else {'status': 'failed'}

    load1 = os.getloadavg()
    lines = []
    w = lines.append
    cpu, ncpu = machine()
    cc = subprocess.run(a.cc.split() + ['--version'], stdout=subprocess.PIPE, universal_newlines=True).stdout
    w('# sparkwire benchmarks')
    w('')
    w('Made by `make bench` (bench/bench.c, bench/run.py) on %s UTC.' % datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'))
    w('')
    w('- machine: %s, %s logical CPUs, %s %s' % (cpu, ncpu, platform.system(), platform.release()))
    w('- load average (1 min) %.2f before the run, %.2f after: other processes share the machine '
      'when it is above 0' % (load0[0], load1[0]))
    w('- sparkwire: `%s` %s' % (cc.splitlines()[0] if cc else a.cc, a.cflags))
    w('- CPython %s (`%s`), pickle and marshal C accelerators, gc disabled while timing'
      % (platform.python_version(), sys.executable))
    w('- method (both sides): one warm-up pass, %d samples, each repeating the pass for at least %g ms; '
      'rates below use the min time of one pass, the median is in the detail table; sparkwire and CPython '
      'alternate stream by stream, so both sides of a ratio run under the same background load' % (a.reps, a.min_ms))
    w('- corpus: `bench/make_corpus.py` (seeded, PYTHONHASHSEED=0), %d streams, %.1f MiB; '
      '`b1024` = BatchedSerializer(S, 1024), `auto` = AutoBatchedSerializer(S)'
      % (len(streams), sum(s['bytes'] for s in streams) / MiB))
    w('- sparkwire decode: sw_decoder over a memory source of the whole stream, every item counted and touched; '
      'CPython loads: `pickle.loads`/`marshal.loads` of each frame payload (already split: framing costs CPython nothing here)')
    w('- sparkwire encode: sw_encoder of the decoded items into a memory sink (batching included); '
      'CPython dumps: `pickle.dumps(batch, proto)`/`marshal.dumps(batch)` of each decoded batch; '
      '"same bytes" = the output equals the input stream (sparkwire) / every frame (CPython; marshal '
      'writes FLAG_REF by reference count, so CPython re-dumping what it loaded may differ from the original)')
    w('')
    w('## Throughput')
    w('')
    w('MB = 10^6 bytes of stream; Mit/s = million items per second; x = sparkwire / CPython (items/s).')
    w('')
    w('| stream | MiB | items | sw decode MB/s | sw decode Mit/s | py loads Mit/s | x decode '
      '| sw encode MB/s | sw encode Mit/s | py dumps Mit/s | x encode | same bytes sw/py |')
    w('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    rows = []
    for s in streams:
        n = s['name']
        d, e = sw.get((n, 'decode'), {}), sw.get((n, 'encode'), {})
        p = py[n]
        r = dict(s=s)
        if 'min_s' in d:
            r['dec_mbs'] = s['bytes'] / d['min_s'] / 1e6
            r['dec_its'] = s['items'] / d['min_s'] / 1e6
            r['dec_ok'] = d['count'] == s['items']
        r['py_loads'] = p['items'] / p['loads'][0] / 1e6
        r['py_dumps'] = p['items'] / p['dumps'][0] / 1e6
        if 'min_s' in e:
            r['enc_mbs'] = s['bytes'] / e['min_s'] / 1e6
            r['enc_its'] = s['items'] / e['min_s'] / 1e6
            r['enc_same'] = e.get('identical')
        r['dec_x'] = r['dec_its'] / r['py_loads'] if 'dec_its' in r else None
        r['enc_x'] = r['enc_its'] / r['py_dumps'] if 'enc_its' in r else None
        rows.append(r)

        def g(k, f=fmt_rate):
            return f(r[k]) if r.get(k) is not None else 'error'
        w('| %s | %.2f | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s |' % (
            n, s['bytes'] / MiB, s['items'], g('dec_mbs'), g('dec_its'), g('py_loads'),
            g('dec_x', lambda x: '%.2f' % x), g('enc_mbs'), g('enc_its'), g('py_dumps'),
            g('enc_x', lambda x: '%.2f' % x), 'yes' if r.get('enc_same') else 'no',
            'yes' if p['identical'] else 'no'))
    errors = ['%s %s: %s' % (k[0], k[1], v['error']) for k, v in sorted(sw.items()) if 'error' in v]
    if errors:
        w('')
        w('sparkwire errors: ' + '; '.join(errors))

    w('')
    w('## Frame scanning')
    w('')
    w('NoOpSerializer() over the same streams, every frame read and its payload delivered as a bytes item. '
      '"memory": a memory source, payloads borrowed (not copied), so the cost is per frame and GB/s only '
      'grows with the frame size; "callback": a callback source fed from memory in 64 KiB reads, every byte '
      'copied into the source window, as from a pipe or socket. memcpy: the same bytes into a warm buffer. '
      'GB = 10^9 bytes.')
    w('')
    w('| stream | frames | mean frame bytes | memory GB/s | memory ns/frame | callback GB/s | memcpy GB/s |')
    w('|---|---:|---:|---:|---:|---:|---:|')
    scans, scans_cb = [], []
    for s in streams:
        sc, cb, mc = (sw.get((s['name'], op), {}) for op in ('scan', 'scan_cb', 'memcpy'))
        if 'min_s' not in sc or 'min_s' not in cb:
            w('| %s | | | error | | | |' % s['name'])
            continue
        gbs = s['bytes'] / sc['min_s'] / 1e9
        scans.append((gbs, s))
        scans_cb.append((s['bytes'] / cb['min_s'] / 1e9, s))
        w('| %s | %d | %d | %.0f | %.1f | %.1f | %.1f |' % (
            s['name'], sc['count'], s['bytes'] // max(1, s['frames']), gbs, sc['min_s'] / sc['count'] * 1e9,
            s['bytes'] / cb['min_s'] / 1e9, s['bytes'] / mc['min_s'] / 1e9 if 'min_s' in mc else 0))

    w('')
    w('## Streaming memory')
    w('')
    size_txt = '1 GiB' if a.stream_bytes >= 1 << 30 else '%d MiB' % (a.stream_bytes >> 20)
    if 'vmhwm_kib' in stream:
        w('%s of `BatchedSerializer(PickleSerializer(), 1024)` frames (the first frame of `%s`, %d bytes, '
          'repeated) written by a generator process into a pipe; decoded through `sw_source_fd`, every item '
          'touched. Size used: **%s** (`make bench BENCH_BIG=1` streams 1 GiB; the default is 256 MiB).'
          % (size_txt, a.stream_file, stream['frame_bytes'], size_txt))
        w('')
        w('Peak RSS is VmHWM of the decoding process (/proc/self/status). getrusage(RUSAGE_SELF).ru_maxrss is '
          'printed too, but Linux keeps it across execve, so for a process started by Python it reports '
          'the Python parent\'s peak at fork time (here %.1f MiB before the first byte was decoded).'
          % (stream['ru_maxrss_before_kib'] / 1024.0))
        w('')
        w('| bytes decoded | items | status | seconds | MB/s | Mit/s | VmHWM before | peak VmHWM | ru_maxrss |')
        w('|---:|---:|---|---:|---:|---:|---:|---:|---:|')
        w('| %d | %d | %s | %.2f | %.0f | %.2f | %.1f MiB | %.1f MiB | %.1f MiB |' % (
            stream['bytes'], stream['items'], stream['status'], stream['seconds'],
            stream['bytes'] / stream['seconds'] / 1e6, stream['items'] / stream['seconds'] / 1e6,
            stream['vmhwm_before_kib'] / 1024.0, stream['vmhwm_kib'] / 1024.0, stream['ru_maxrss_kib'] / 1024.0))
    else:
        w('stream run failed: %r' % (st.stdout + st.stderr if st.stderr else st.stdout))
    if 'vmhwm_kib' in estream:
        w('')
        w('The other direction: the 1024 items of that frame put again and again through one `sw_encoder` '
          '(same serializer) into /dev/null until %s are written.' % size_txt)
        w('')
        w('| bytes written | items | status | seconds | MB/s | Mit/s | VmHWM before | peak VmHWM |')
        w('|---:|---:|---|---:|---:|---:|---:|---:|')
        w('| %d | %d | %s | %.2f | %.0f | %.2f | %.1f MiB | %.1f MiB |' % (
            estream['bytes'], estream['items'], estream['status'], estream['seconds'],
            estream['bytes'] / estream['seconds'] / 1e6, estream['items'] / estream['seconds'] / 1e6,
            estream['vmhwm_before_kib'] / 1024.0, estream['vmhwm_kib'] / 1024.0))

    # targets
    def worst(pred, key):
        sel = [r for r in rows if pred(r['s']) and r.get(key) is not None]
        return min(sel, key=lambda r: r[key]) if sel else None

    def judge(label, pred, key, goal):
        r = worst(pred, key)
        if r is None:
            return '| %s | no data | |' % label
        sel = sorted(x[key] for x in rows if pred(x['s']) and x.get(key) is not None)
        return '| %s | worst %.2fx (%s), median %.2fx | %s |' % (
            label, r[key], r['s']['name'], sel[len(sel) // 2], 'met' if r[key] >= goal else 'missed')

    w('')
    w('## Targets')
    w('')
    w('| target | measured | verdict |')
    w('|---|---|---|')
    is_small_pickle = lambda s: s['profile'] in SMALL and s['codec'] != 'marshal'  # noqa: E731
    w(judge('decode >= 10x pickle.loads items/s, small-object profiles', is_small_pickle, 'dec_x', 10))
    w(judge('decode >= 5x marshal.loads items/s, small-object profiles',
            lambda s: s['profile'] in SMALL and s['codec'] == 'marshal', 'dec_x', 5))
    w(judge('encode >= 5x pickle.dumps items/s, small-object profiles', is_small_pickle, 'enc_x', 5))
    blob_scan = [(sw[(s['name'], 'scan')], s) for _, s in scans if s['profile'] == 'blobs']
    blob_dec = [r for r in rows if r['s']['profile'] == 'blobs' and r.get('dec_mbs') and r['s']['codec'] != 'pickle2']
    if blob_scan:
        worst_ns = max(r['min_s'] / r['count'] * 1e9 for r, _ in blob_scan)
        worst_gbs = min(s['bytes'] / r['min_s'] / 1e9 for r, s in blob_scan)
        w('| bytes payloads without copying >= 5 GB/s | NoOpSerializer over the blobs streams, payloads borrowed: '
          'at most %.0f ns per frame whatever its size (worst %.0f GB/s here); the pickle 5 and marshal decoders '
          'copy each 4 KiB blob into the arena and still decode those streams at %s | %s |' % (
              worst_ns, worst_gbs,
              ', '.join('%.0f GB/s (%s)' % (r['dec_mbs'] / 1e3, r['s']['name']) for r in blob_dec),
              'met' if worst_gbs >= 5 and all(r['dec_mbs'] >= 5000 for r in blob_dec) else 'missed'))
    if scans:
        wg, ws = min(scans, key=lambda t: t[0])
        cg, cs = min(scans_cb, key=lambda t: t[0])
        w('| frame scanning >= 6 GB/s | memory source (borrowed): worst %.0f GB/s (%s, %d-byte frames); '
          'callback source (copied): worst %.1f GB/s (%s) | %s |' % (
              wg, ws['name'], ws['bytes'] // max(1, ws['frames']), cg, cs['name'],
              'met' if wg >= 6 else 'missed'))
    if 'vmhwm_kib' in stream:
        w('| %s stream in <= 64 MiB RSS | peak %.1f MiB (VmHWM), %.0f MB/s | %s |' % (
            size_txt, stream['vmhwm_kib'] / 1024.0, stream['bytes'] / stream['seconds'] / 1e6,
            'met' if 0 < stream['vmhwm_kib'] <= 64 * 1024 and stream['status'] == 'end' else 'missed'))
    if 'vmhwm_kib' in estream:
        w('| (no target) encoding %s through one sw_encoder | peak %.1f MiB (VmHWM), %.0f MB/s | %s |' % (
            size_txt, estream['vmhwm_kib'] / 1024.0, estream['bytes'] / estream['seconds'] / 1e6,
            'flat' if estream['vmhwm_kib'] <= 2 * estream['vmhwm_before_kib'] + 4096 else
            'grows with the stream'))

    w('')
    w('## Detail: time of one pass, min / median (ms)')
    w('')
    w('| stream | sw decode | py loads | sw encode | py dumps | sw scan | sw scan (callback) | memcpy |')
    w('|---|---|---|---|---|---|---|---|')
    for s in streams:
        n = s['name']

        def mm(r):
            if 'min_s' not in r:
                return 'error'
            if r['min_s'] < 0.001:
                return '%.2f / %.2f us' % (r['min_s'] * 1e6, r['med_s'] * 1e6)
            return '%.3f / %.3f' % (r['min_s'] * 1e3, r['med_s'] * 1e3)
        p = py[n]
        w('| %s | %s | %.3f / %.3f | %s | %.3f / %.3f | %s | %s | %s |' % (
            n, mm(sw.get((n, 'decode'), {})), p['loads'][0] * 1e3, p['loads'][1] * 1e3,
            mm(sw.get((n, 'encode'), {})), p['dumps'][0] * 1e3, p['dumps'][1] * 1e3,
            mm(sw.get((n, 'scan'), {})), mm(sw.get((n, 'scan_cb'), {})), mm(sw.get((n, 'memcpy'), {}))))

    text = '\n'.join(lines) + '\n'
    sys.stdout.write(text)
    if a.report:
        os.makedirs(os.path.dirname(a.report) or '.', exist_ok=True)
        with open(a.report, 'w') as f:
            f.write(text)
        sys.stderr.write('wrote %s\n' % a.report)


if __name__ == '__main__':
    main()

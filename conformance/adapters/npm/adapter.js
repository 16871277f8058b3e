#!/usr/bin/env node
// The npm package `pickleparser` (a third-party pickle reader in pure
// JavaScript) as a conformance testee: SPEC.md [#runner.protocol].
//
// Decode only, pyspark mode only. The framing (FramedSerializer.load_stream)
// and batching (BatchedSerializer's unbatching) are done here, as PySpark
// does them; every pickle payload goes to pickleparser's Parser (sets as
// Set, dicts as Map). Values print in sparkwire's notation for the simple
// kinds pickleparser produces: null, booleans, numbers, bigints, strings,
// byte arrays, Arrays (printed as lists: the library has no tuple), Maps and
// Sets. A request it cannot serve (another serializer, strict mode, encode)
// or an item of another kind (objects built from globals) is answered
// `skipped`.
'use strict';

const path = require('path');
const { Parser } = require(path.join(__dirname, 'node_modules', 'pickleparser'));

// nothing but protocol frames may reach stdout
console.log = console.info = console.debug = (...a) => process.stderr.write(a.join(' ') + '\n');

const END_OF_DATA = -1;
const MAX_FRAME = 64 * 1024 * 1024;
const MAX_DEPTH = 1000;

class Unsupported extends Error {}

// ---- notation [#notation] ------------------------------------------------------

function floatText(x) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  // Python's repr: the shortest round-trip digits, exponent form below 1e-4
  // and from 1e16 on ("1e-05", "1e+16"), else positional with a ".0"
  const e = x.toExponential(); // shortest digits, "d.ddde+N"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(e);
  const sign = m[1];
  const digits = m[2] + (m[3] || '');
  const exp = parseInt(m[4], 10);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    return sign + mant + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  }
  if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length) + '.0';
  return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

function strText(s) {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c >= 0x20 && c <= 0x7e) out += ch;
    else if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + "'";
}

function bytesText(b) {
  let out = "b'";
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x27) out += "\\'";
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + "'";
}

const isBytes = (x) => x instanceof Uint8Array || x instanceof Int8Array || x instanceof Uint8ClampedArray;
// kinds whose identity the notation shows [#notation.identity]: lists, dicts, sets
const isContainer = (x) => Array.isArray(x) || x instanceof Map || x instanceof Set;

function leaf(x) {
  if (x === null) return 'None';
  if (x === undefined) return 'undefined'; // what the library returns for STOP on an empty stack
  if (x === true) return 'True';
  if (x === false) return 'False';
  if (typeof x === 'bigint') return x.toString();
  if (typeof x === 'number') return Number.isInteger(x) && !Object.is(x, -0) ? x.toFixed(0) : floatText(x);
  if (typeof x === 'string') return strText(x);
  if (isBytes(x)) return bytesText(x);
  if (Array.isArray(x) && x.length === 0) return '[]';
  if (x instanceof Map && x.size === 0) return '{}';
  if (x instanceof Set && x.size === 0) return 'set()';
  if (isContainer(x)) return null;
  throw new Unsupported(typeof x === 'object' || typeof x === 'function'
    ? 'an item of a kind this adapter does not print (' + (x.__module__ ? x.__module__ + '.' + x.__name__ : typeof x) + ')'
    : typeof x);
}

function children(x) {
  if (Array.isArray(x)) return x;
  if (x instanceof Set) return Array.from(x);
  const out = [];
  for (const [k, v] of x) out.push(k, v);
  return out;
}

function notation(root) {
  const reach = new Map();
  // count reaches; containers expand once
  const stack = [[root, 0]];
  while (stack.length) {
    const [x, d] = stack.pop();
    if (d > MAX_DEPTH) throw new Unsupported('nesting deeper than ' + MAX_DEPTH);
    if (leaf(x) !== null) continue;
    const n = (reach.get(x) || 0) + 1;
    reach.set(x, n);
    if (n > 1) continue;
    for (const c of children(x)) stack.push([c, d + 1]);
  }
  const anchors = new Map();
  // anchor-free text, for the order of set members [#notation.set-order]
  const key = (x, onPath, d) => {
    const l = leaf(x);
    if (l !== null) return l;
    if (onPath.has(x)) return '...';
    onPath.add(x);
    const t = body(x, (c) => key(c, onPath, d + 1), d);
    onPath.delete(x);
    return t;
  };
  const body = (x, sub, d) => {
    if (d > MAX_DEPTH) throw new Unsupported('nesting deeper than ' + MAX_DEPTH);
    if (Array.isArray(x)) return '[' + x.map(sub).join(', ') + ']';
    if (x instanceof Map) {
      const parts = [];
      for (const [k, v] of x) parts.push(sub(k) + ': ' + sub(v));
      return '{' + parts.join(', ') + '}';
    }
    const ms = Array.from(x).map((m) => [key(m, new Set(), d + 1), m]);
    ms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return '{' + ms.map((p) => sub(p[1])).join(', ') + '}';
  };
  const text = (x, d) => {
    const l = leaf(x);
    if (l !== null) return l;
    if (anchors.has(x)) return '*' + anchors.get(x);
    let prefix = '';
    if (reach.get(x) > 1) {
      anchors.set(x, anchors.size + 1);
      prefix = '&' + anchors.size + ' ';
    }
    return prefix + body(x, (c) => text(c, d + 1), d);
  };
  return text(root, 0);
}

// ---- PySpark's framing, over pickleparser --------------------------------------

// pickleparser throws this exact message when the input ends at an opcode
// boundary before STOP: CPython's EOFError("Ran out of input"), which ends a
// PySpark stream silently. Its other errors have no Python class to map to.
const EOF_MESSAGE = 'Unexpected end of file.';
class StreamEnd extends Error {}

function unpickle(payload) {
  const p = new Parser({ unpicklingTypeOfSet: 'Set', unpicklingTypeOfDictionary: 'Map' });
  try {
    return p.parse(payload);
  } catch (e) {
    if (e && e.message === EOF_MESSAGE) throw new StreamEnd();
    throw e;
  }
}

class PyError extends Error {
  constructor(exception, message) {
    super(message);
    this.exception = exception;
  }
}

// FramedSerializer.load_stream: no length at all or a short payload is
// EOFError, which ends the stream silently; 1-3 bytes of a length are
// struct.error; -1 ends it; -5 is None; another negative length reads the
// rest of the stream (stream.read(n < 0)).
function* frames(data) {
  let pos = 0;
  for (;;) {
    if (data.length === pos) return;
    if (data.length - pos < 4) throw new PyError('struct.error', 'unpack requires a buffer of 4 bytes');
    const n = data.readInt32BE(pos);
    pos += 4;
    if (n === -1) return;
    if (n === -5) {
      yield null;
      continue;
    }
    if (n < 0) {
      const rest = data.subarray(pos);
      pos = data.length;
      yield { payload: rest };
      continue;
    }
    if (data.length - pos < n) return;
    yield { payload: data.subarray(pos, pos + n) };
    pos += n;
  }
}

const PICKLE = /^(PickleSerializer|CloudPickleSerializer)\(\)$/;
const BATCHED = /^(BatchedSerializer|AutoBatchedSerializer)\((PickleSerializer|CloudPickleSerializer)\(\)(, (bestSize=)?-?\d+)?\)$/;

function decode(spec, data) {
  const batched = BATCHED.test(spec);
  if (!batched && !PICKLE.test(spec)) return { skipped: 'only PickleSerializer and its batched forms' };
  const items = [];
  try {
    for (const f of frames(data)) {
      const obj = f === null ? null : unpickle(f.payload);
      if (!batched) {
        items.push(notation(obj));
      } else if (Array.isArray(obj)) {
        for (const x of obj) items.push(notation(x));
      } else {
        // PySpark iterates whatever the batch is; a non-list batch is not
        // something this adapter can mirror
        return { skipped: 'a batch that is not a list' };
      }
    }
  } catch (e) {
    if (e instanceof Unsupported) return { skipped: e.message };
    if (e instanceof StreamEnd) return { items };
    return { items, error: String(e && e.message ? e.message : e), exception: e instanceof PyError ? e.exception : undefined };
  }
  return { items };
}

// ---- protocol -----------------------------------------------------------------

function frame(b) {
  const h = Buffer.alloc(4);
  h.writeInt32BE(b.length, 0);
  return Buffer.concat([h, b]);
}

function kv(pairs) {
  return Buffer.from(pairs.map(([k, v]) => k + '=' + String(v).replace(/[\r\n]/g, ' ') + '\n').join(''), 'utf8');
}

function answer(head, data) {
  const h = {};
  for (const line of head.toString('utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && !(line.slice(0, i) in h)) h[line.slice(0, i)] = line.slice(i + 1);
  }
  let items = [];
  let status;
  if (h.op !== 'decode') status = [['outcome', 'skipped'], ['reason', 'decode only']];
  else if ((h.mode || 'pyspark') !== 'pyspark') status = [['outcome', 'skipped'], ['reason', 'pyspark mode only']];
  else {
    const r = decode(h.serializer || '', Buffer.concat(data));
    if (r.skipped) status = [['outcome', 'skipped'], ['reason', r.skipped]];
    else {
      items = r.items;
      status = r.error === undefined ? [['outcome', 'ok']] : [['outcome', 'error'], ['message', r.error]];
      if (r.exception) status.push(['exception', r.exception]);
    }
  }
  const end = Buffer.alloc(4);
  end.writeInt32BE(END_OF_DATA, 0);
  return Buffer.concat([...items.map((t) => frame(Buffer.from(t, 'utf8'))), end, frame(kv(status))]);
}

let buf = Buffer.alloc(0);
let head = null;
let data = [];

process.stdin.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  for (;;) {
    if (buf.length < 4) return;
    const n = buf.readInt32BE(0);
    if (n < -1 || n > MAX_FRAME) {
      process.stderr.write('adapter.js: bad frame length ' + n + '\n');
      process.exit(1);
    }
    if (n >= 0 && buf.length - 4 < n) return;
    const payload = n >= 0 ? buf.subarray(4, 4 + n) : null;
    buf = buf.subarray(4 + Math.max(n, 0));
    if (head === null) {
      if (n < 0) {
        process.stderr.write('adapter.js: a request without a header\n');
        process.exit(1);
      }
      head = Buffer.from(payload);
      data = [];
    } else if (n === END_OF_DATA) {
      process.stdout.write(answer(head, data));
      head = null;
    } else {
      data.push(Buffer.from(payload));
    }
  }
});
process.stdin.on('end', () => process.exit(0));

// Byte strings of docs/crypto.md §2 and the strict plaintext JSON of §7.

const utf8Encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error; ignoreBOM: a BOM stays in the text, where the parser refuses it
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text) {
  if (typeof text !== 'string' || !text.isWellFormed()) {
    throw new TypeError('text with a lone surrogate has no UTF-8 form');
  }
  return utf8Encoder.encode(text);
}

export function fromUtf8(bytes) {
  return utf8Decoder.decode(bytes);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function uint8(n) {
  return Uint8Array.of(n);
}

export function uint16(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError('uint16 out of range');
  return Uint8Array.of(n >>> 8, n & 0xff);
}

export function uint32(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('uint32 out of range');
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function uint64(n) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('uint64 out of range');
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** field(x) = uint16(len(x)) || x; strings as UTF-8. */
export function field(x) {
  const bytes = typeof x === 'string' ? utf8(x) : x;
  return concat(uint16(bytes.length), bytes);
}

/** An ASCII label followed by one zero byte. */
export function label(text) {
  return concat(utf8(text), uint8(0));
}

export function hex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new TypeError('not hex');
  return Uint8Array.from(text.match(/../g) || [], h => parseInt(h, 16));
}

export function base64(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Standard padded base64 only (RFC 4648 §4), as the services send it. */
export function fromBase64(text) {
  if (typeof text !== 'string' || !/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new TypeError('not standard base64');
  }
  return Uint8Array.from(atob(text), c => c.charCodeAt(0));
}

export function base64url(text) {
  return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - text.length % 4) % 4));
}

export function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ------------------------------------------------------------------ plaintext JSON (crypto.md §7)

/** {"type":...,"text":...}: type first, text left out when null; escaping as the SDK writes it. */
export function encodeContent(type, text) {
  if (typeof type !== 'string' || type.length === 0) throw new TypeError('type must be a non-empty string');
  let json = '{"type":' + quote(type);
  if (text !== null && text !== undefined) json += ',"text":' + quote(text);
  return utf8(json + '}');
}

function quote(s) {
  if (!s.isWellFormed()) throw new TypeError('lone surrogate');
  // JSON.stringify escapes exactly '"', '\\' and control characters (\b \f \n \r \t, else \u00xx)
  return JSON.stringify(s);
}

const MAX_DEPTH = 32;

/**
 * Parses a plaintext strictly: exactly one JSON object, valid UTF-8, no duplicate member names,
 * no lone surrogates (raw or escaped), no unescaped control characters, no trailing data, depth
 * at most 32. Returns {type, text, document}.
 */
export function parseContent(bytes) {
  let text;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw new MalformedData('plaintext is not valid UTF-8');
  }
  const parser = new StrictJson(text);
  parser.ws();
  if (parser.peek() !== '{') throw new MalformedData('plaintext is not a JSON object');
  const doc = parser.value(0); // the top-level object is depth 0, as in the Java SDK
  parser.ws();
  if (parser.at !== text.length) throw new MalformedData('trailing data after the JSON object');
  if (typeof doc.type !== 'string' || doc.type.length === 0) throw new MalformedData('type must be a non-empty string');
  if (doc.type === 'text' && typeof doc.text !== 'string') throw new MalformedData('a text message needs a string text');
  return { type: doc.type, text: typeof doc.text === 'string' ? doc.text : null, document: doc };
}

export class MalformedData extends Error {
  constructor(message) {
    super(message);
    this.name = 'MalformedData';
  }
}

class StrictJson {
  constructor(text) {
    this.s = text;
    this.at = 0;
  }

  peek() {
    return this.s[this.at];
  }

  fail(what) {
    throw new MalformedData(what + ' at offset ' + this.at);
  }

  ws() {
    while (this.at < this.s.length && ' \t\n\r'.includes(this.s[this.at])) this.at++;
  }

  expect(c) {
    if (this.s[this.at] !== c) this.fail('expected ' + c);
    this.at++;
  }

  value(depth) {
    if (depth > MAX_DEPTH) this.fail('nesting deeper than ' + MAX_DEPTH);
    this.ws();
    const c = this.peek();
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    this.fail('unexpected character');
  }

  object(depth) {
    this.expect('{');
    const out = Object.create(null);
    const seen = new Set();
    this.ws();
    if (this.peek() === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.peek() !== '"') this.fail('expected a member name');
      const name = this.string();
      if (seen.has(name)) this.fail('duplicate member name');
      seen.add(name);
      this.ws();
      this.expect(':');
      out[name] = this.value(depth + 1);
      this.ws();
      if (this.peek() === ',') {
        this.at++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  array(depth) {
    this.expect('[');
    const out = [];
    this.ws();
    if (this.peek() === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      if (this.peek() === ',') {
        this.at++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  number() {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.at));
    if (!m) this.fail('bad number');
    this.at += m[0].length;
    return Number(m[0]);
  }

  string() {
    this.expect('"');
    let out = '';
    for (;;) {
      if (this.at >= this.s.length) this.fail('unterminated string');
      const c = this.s[this.at++];
      if (c === '"') break;
      if (c < ' ') this.fail('unescaped control character');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.at++];
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) {
        out += simple;
      } else if (e === 'u') {
        const h = this.s.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('bad \\u escape');
        this.at += 4;
        out += String.fromCharCode(parseInt(h, 16));
      } else {
        this.fail('bad escape');
      }
    }
    // escaped halves of a pair join here; a lone one (raw input is already valid UTF-8) is refused
    if (!out.isWellFormed()) this.fail('lone surrogate');
    return out;
  }
}

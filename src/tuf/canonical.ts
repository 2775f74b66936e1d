/**
 * docker/go canonical JSON (notary-spec.md §3.1) and the HTML-escaping compaction that Go
 * applies to the `signed` part of every metadata file (§3.2).
 */
import { isUtf8 } from 'node:buffer';
import { DctError } from '../errors.js';

/**
 * The canonical bytes of a JSON value: keys sorted byte-wise on their UTF-8, no whitespace,
 * only `"` and `\` escaped (control characters and non-ASCII written raw), integers only.
 * Object properties whose value is `undefined` are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): Buffer {
  const out = new ByteWriter();
  try {
    write(value, out);
  } catch (e) {
    // The happy path keeps no path; walk again to name the value that failed.
    if (e instanceof BadValue) throw new DctError(e.code, `${e.what} at $${pathOfBad(value)}`);
    throw e;
  }
  return out.done();
}

function pathOfBad(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [`.${k}`, v] as const);
    for (const [step, v] of entries) {
      try {
        write(v, new ByteWriter());
      } catch {
        return step + pathOfBad(v);
      }
    }
  }
  return '';
}

// Keys without code units D800-FFFF sort the same by UTF-16 (JS default) as by UTF-8 bytes.
const NOT_UTF16_ORDER = /[\ud800-\uffff]/;
const byUtf8 = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** A value canonical JSON cannot hold (`canonicalJson` finds its path). */
class BadValue extends Error {
  constructor(
    readonly code: string,
    readonly what: string,
  ) {
    super(what);
  }
}

/**
 * Bytes of one encoding in chunks that double up to 256 KiB: no intermediate strings for a
 * large document, no large allocation for a small one.
 */
class ByteWriter {
  private static readonly FIRST = 1024;
  private static readonly MAX_CHUNK = 256 * 1024;
  private readonly chunks: Buffer[] = [];
  private buf: Buffer = Buffer.allocUnsafe(ByteWriter.FIRST);
  private pos = 0;
  private total = 0;

  byte(b: number): void {
    if (this.pos === this.buf.length) this.next(1);
    this.buf[this.pos++] = b;
  }

  /** `s` as UTF-8 (a lone surrogate becomes U+FFFD, as Buffer.from(s, 'utf8') writes it). */
  text(s: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.pos + s.length * 3 > this.buf.length) this.next(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  done(): Buffer {
    this.chunks.push(this.buf.subarray(0, this.pos));
    const out = Buffer.concat(this.chunks, this.total + this.pos);
    this.chunks.length = 0;
    return out;
  }

  private next(need: number): void {
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.total += this.pos;
    const size = Math.min(this.buf.length * 2, ByteWriter.MAX_CHUNK);
    this.buf = Buffer.allocUnsafe(Math.max(size, need));
    this.pos = 0;
  }
}

const QUOTE = 0x22;

function write(value: unknown, out: ByteWriter): void {
  switch (typeof value) {
    case 'string':
      writeString(value, out);
      return;
    case 'boolean':
      out.text(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new BadValue(
          'TUF_BAD_NUMBER',
          `canonical JSON allows only integers up to 2^53, got ${String(value)}`,
        );
      }
      // String(-0) is '0', as Go writes it.
      out.text(String(value));
      return;
    case 'object':
      if (value === null) {
        out.text('null');
        return;
      }
      if (Array.isArray(value)) {
        out.byte(0x5b);
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.byte(0x2c);
          write(value[i], out);
        }
        out.byte(0x5d);
        return;
      }
      if (isPlainObject(value)) {
        writeObject(value, out);
        return;
      }
  }
  throw new BadValue(
    'TUF_BAD_METADATA',
    `canonical JSON cannot encode a ${typeof value}; pass plain JSON data`,
  );
}

/** The keys of an object in canonical order: byte-wise on their UTF-8. */
export function canonicalKeys(value: object): string[] {
  const keys = Object.keys(value);
  let utf16Order = true;
  for (let i = 0; i < keys.length && utf16Order; i++) utf16Order = !NOT_UTF16_ORDER.test(keys[i]);
  if (utf16Order) keys.sort();
  else keys.sort(byUtf8);
  return keys;
}

function writeObject(value: Record<string, unknown>, out: ByteWriter): void {
  const keys = canonicalKeys(value);
  out.byte(0x7b);
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = value[k];
    if (v === undefined) continue;
    if (!first) out.byte(0x2c);
    first = false;
    writeString(k, out);
    out.byte(0x3a);
    write(v, out);
  }
  out.byte(0x7d);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

// Canonical strings escape only `"` and `\`, every other character is written as it is (its
// UTF-8; a lone surrogate as U+FFFD). Most strings (names, base64, hex) have neither.
const ESCAPED = /["\\]/;

function writeString(s: string, out: ByteWriter): void {
  out.byte(QUOTE);
  out.text(ESCAPED.test(s) ? s.replace(/["\\]/g, (c) => `\\${c}`) : s);
  out.byte(QUOTE);
}

/**
 * Whether `json` is exactly what `canonicalJson` writes for the value it holds: valid UTF-8;
 * no whitespace; object keys in strictly rising byte order (of their unescaped UTF-8); only
 * `\"` and `\\` escaped in strings; integers without sign on zero, leading zeros, fraction or
 * exponent, within 2^53. Anything else, JSON or not, is false. One pass without recursion
 * over the bytes read as Latin-1 (one character per byte, so string order is byte order),
 * where finding quotes and backslashes is a native scan.
 */
export function isCanonicalJson(json: Buffer): boolean {
  if (!isUtf8(json)) return false;
  const t = json.toString('latin1');
  const n = t.length;
  // The first backslash at or after where the last string scan began (n if none left).
  let slash = -1;
  const stringEnd = (start: number): number => {
    let from = start + 1;
    for (;;) {
      const quote = t.indexOf('"', from);
      if (quote < 0) return -1;
      if (slash < from) {
        slash = t.indexOf('\\', from);
        if (slash < 0) slash = n;
      }
      if (slash > quote) return quote;
      const next = t.charCodeAt(slash + 1);
      if (next !== QUOTE && next !== BACKSLASH) return -1;
      from = slash + 2;
    }
  };
  // Per open container, by depth: whether it is an object, and its previous key.
  const isObject: boolean[] = [];
  const lastKey: (string | undefined)[] = [];
  let depth = 0;
  /** Reads a key and its colon at `i`, in order after the previous one; the next index or -1. */
  const key = (i: number): number => {
    if (t.charCodeAt(i) !== QUOTE) return -1;
    const end = stringEnd(i);
    if (end < 0 || t.charCodeAt(end + 1) !== 0x3a) return -1;
    const raw = t.slice(i + 1, end);
    const name = raw.includes('\\') ? raw.replace(/\\(.)/g, '$1') : raw;
    const prev = lastKey[depth - 1];
    if (prev !== undefined && !(prev < name)) return -1;
    lastKey[depth - 1] = name;
    return end + 2;
  };
  let i = 0;
  for (;;) {
    // A value starts at i; `end` is where it ends.
    const c = t.charCodeAt(i);
    let end: number;
    if (c === 0x7b || c === 0x5b) {
      if (t.charCodeAt(i + 1) === (c === 0x7b ? 0x7d : 0x5d)) {
        end = i + 2;
      } else {
        isObject[depth] = c === 0x7b;
        lastKey[depth] = undefined;
        depth++;
        i = c === 0x7b ? key(i + 1) : i + 1;
        if (i < 0) return false;
        continue;
      }
    } else if (c === QUOTE) {
      end = stringEnd(i) + 1;
      if (end === 0) return false;
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
      if (!t.startsWith(word, i)) return false;
      end = i + word.length;
    } else {
      end = canonicalNumberEnd(t, i);
      if (end < 0) return false;
    }
    // After a value: close containers, or go on to the next element or key.
    i = end;
    for (;;) {
      if (depth === 0) return i === n;
      const object = isObject[depth - 1];
      const d = t.charCodeAt(i);
      if (d === 0x2c) {
        i = object ? key(i + 1) : i + 1;
        if (i < 0) return false;
        break;
      }
      if (d !== (object ? 0x7d : 0x5d)) return false;
      depth--;
      i++;
    }
  }
}

const BACKSLASH = 0x5c;

/** The end of a canonical integer at `start` (`0`, or `-?[1-9][0-9]*` within 2^53), or -1. */
function canonicalNumberEnd(t: string, start: number): number {
  let i = start;
  if (t.charCodeAt(i) === 0x2d) i++;
  const first = i;
  for (let c = t.charCodeAt(i); c >= 0x30 && c <= 0x39; c = t.charCodeAt(i)) i++;
  if (i === first) return -1;
  if (t.charCodeAt(first) === 0x30 && (i > first + 1 || first > start)) return -1;
  // Up to 15 digits are always within 2^53; more are checked as a number.
  return i - first <= 15 || Number.isSafeInteger(Number(t.slice(start, i))) ? i : -1;
}

const HTML_ESCAPES: Record<number, string> = { 0x3c: '\\u003c', 0x3e: '\\u003e', 0x26: '\\u0026' };

/**
 * Go's `json.Compact` HTML escaping as applied to `*json.RawMessage` (§3.2): `<` `>` `&`
 * U+2028 U+2029 become `\u003c` `\u003e` `\u0026` `\u2028` `\u2029`; every other byte stays.
 */
export function htmlEscape(json: Buffer): Buffer {
  // Most files have none of these bytes: find the first with memchr-speed scans.
  let first = json.length;
  for (const b of [0x3c, 0x3e, 0x26, 0xe2]) {
    const at = json.indexOf(b);
    if (at !== -1 && at < first) first = at;
  }
  if (first === json.length) return json;
  const chunks: Buffer[] = [];
  let start = 0;
  for (let i = first; i < json.length; i++) {
    const b = json[i];
    let rep: string | undefined = HTML_ESCAPES[b];
    let width = 1;
    // U+2028 / U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
    if (b === 0xe2 && json[i + 1] === 0x80 && (json[i + 2] === 0xa8 || json[i + 2] === 0xa9)) {
      rep = json[i + 2] === 0xa8 ? '\\u2028' : '\\u2029';
      width = 3;
    }
    if (rep !== undefined) {
      chunks.push(json.subarray(start, i), Buffer.from(rep, 'ascii'));
      start = i + width;
      i += width - 1;
    }
  }
  if (start === 0) return json;
  chunks.push(json.subarray(start));
  return Buffer.concat(chunks);
}

/**
 * JSON.parse into objects without a prototype, so that a key such as `__proto__` (a valid
 * docker tag) is an ordinary own property everywhere metadata is read or edited. A key twice
 * in one object is refused: JSON.parse keeps the last, Go merges maps into one struct field,
 * so such a file could be read two ways.
 */
export function parseJson(text: string | Buffer): unknown {
  const src = typeof text === 'string' ? text : text.toString('utf8');
  const value = JSON.parse(src) as unknown;
  // A key twice in one object leaves fewer keys in the parsed objects than the text holds;
  // only then is the text searched again for the key to name.
  if (bareInPlace(value) !== countKeys(src)) {
    const twice = duplicateKey(src);
    throw new DctError(
      'TUF_BAD_METADATA',
      `the key ${twice === undefined ? '(unknown)' : JSON.stringify(twice)} is in one object twice, so the file can be read two ways`,
    );
  }
  return value;
}

/**
 * The number of object keys in `src` (valid JSON). `onKey`, if given, is called with each key
 * as written (escapes not undone) and a number naming its object, in order; the scan stops
 * when it returns true.
 */
function countKeys(src: string, onKey?: (raw: string, object: number) => boolean): number {
  // Per open object its number, per open array -1; `key`: the next string is a key.
  const open: number[] = [];
  let objects = 0;
  let key = false;
  let count = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(src, i);
      if (key) {
        count++;
        key = false;
        if (onKey?.(src.slice(i + 1, end), open[open.length - 1])) return count;
      }
      i = end;
    } else if (c === 0x7b) {
      open.push(objects++);
      key = true;
    } else if (c === 0x5b) {
      open.push(-1);
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
    } else if (c === 0x2c) {
      key = open[open.length - 1] !== -1;
    }
  }
  return count;
}

/** The index of the quote that closes the string opened at `start`. */
function stringEnd(src: string, start: number): number {
  let end = src.indexOf('"', start + 1);
  for (;;) {
    let slashes = 0;
    while (src.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end;
    end = src.indexOf('"', end + 1);
  }
}

/** The first key found twice in one object of `src` (valid JSON), unescaped. */
function duplicateKey(src: string): string | undefined {
  const seen = new Map<number, Set<string>>();
  let twice: string | undefined;
  countKeys(src, (raw, object) => {
    const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    let keys = seen.get(object);
    if (keys === undefined) seen.set(object, (keys = new Set()));
    if (keys.has(name)) twice = name;
    keys.add(name);
    return twice !== undefined;
  });
  return twice;
}

/**
 * A name as Go's encoding/json compares it with a struct field's (bytes.EqualFold, Go 1.19
 * fold.go): ASCII letters in any case, the Kelvin sign K (U+212A) as k and the long s ſ
 * (U+017F) as s, the only non-ASCII runes that fold to ASCII letters.
 */
export function goFold(name: string): string {
  // toLowerCase already maps the Kelvin sign to k; it leaves ſ as it is.
  return name.replace(/[A-Z\u212a\u017f]/g, (c) => (c === '\u017f' ? 's' : c.toLowerCase()));
}

/** The fields of a Go struct, for `foldedField`. */
export class GoFields {
  readonly names: ReadonlySet<string>;
  private readonly folded: ReadonlyMap<string, string>;

  constructor(...names: string[]) {
    this.names = new Set(names);
    this.folded = new Map(names.map((n) => [goFold(n), n]));
  }

  /**
   * The first key of `obj` that Go would decode into one of these fields although it is not
   * spelled as the field (`"Targets"` for `targets`), with that field; so a JSON object whose
   * keys collide under Go's folding is found too. Undefined when every key is exact or unknown.
   */
  foldedField(obj: object): { key: string; field: string } | undefined {
    for (const key in obj) {
      if (this.names.has(key)) continue;
      const field = this.folded.get(goFold(key));
      if (field !== undefined) return { key, field };
    }
    return undefined;
  }
}

/** A deep copy of JSON data whose objects have no prototype (see `parseJson`). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const src = value as Record<string, unknown>;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(src)) copy[k] = cloneJson(src[k]);
  return copy as T;
}

/**
 * Takes the prototype off every object in parsed JSON, in place (no second copy of a large
 * file), and returns how many keys the objects hold.
 */
function bareInPlace(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let keys = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) keys += bareInPlace(v[i]);
    return keys;
  }
  Object.setPrototypeOf(v, null);
  const o = v as Record<string, unknown>;
  const names = Object.keys(o);
  for (let i = 0; i < names.length; i++) keys += 1 + bareInPlace(o[names[i]]);
  return keys;
}

/** A prototype-free empty object, for maps keyed by names that come from the network. */
export function bareObject<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/**
 * Property tests of the canonical encoder that writes large roles straight into bytes: for
 * seeded random JSON and random edits of large targets maps it gives exactly the bytes of the
 * plain string encoder it replaced (kept below as the reference), and parseJson's counting
 * check refuses exactly the texts that hold a key twice in one object.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, isCanonicalJson, parseJson } from '../../src/tuf/canonical.js';
import {
  literalSignedMessage,
  parseEnvelope,
  serializeEnvelope,
  signEnvelope,
} from '../../src/tuf/envelope.js';
import {
  asTargets,
  updatedTargets,
  type TargetFile,
  type TargetsMeta,
} from '../../src/tuf/models.js';
import type { TufSigner } from '../../src/keys/sign.js';

// --- the reference: the string encoder canonicalJson used before -------------------------

function refQuote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function refWrite(value: unknown): string {
  if (typeof value === 'string') return refQuote(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('bad number');
    return String(value === 0 ? 0 : value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(refWrite).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // Sorted by their UTF-8 bytes, each key encoded once rather than at every comparison.
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .map((k) => ({ k, utf8: Buffer.from(k, 'utf8') }))
      .sort((a, b) => Buffer.compare(a.utf8, b.utf8))
      .map(({ k }) => k);
    return `{${keys.map((k) => `${refQuote(k)}:${refWrite(o[k])}`).join(',')}}`;
  }
  throw new Error(`cannot encode ${typeof value}`);
}

const reference = (v: unknown): Buffer => Buffer.from(refWrite(v), 'utf8');

// --- seeded random JSON -------------------------------------------------------------------

/** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Plain letters, what canonical JSON escapes, control characters, what Go HTML-escapes,
// 2- and 3-byte UTF-8, a character whose UTF-16 order differs from its UTF-8 order, an
// astral character (a surrogate pair) and lone surrogates (written as U+FFFD).
const ALPHABET = [
  ...'abcxyzAZ09-_./:@',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '<',
  '>',
  '&',
  '\u2028',
  '\u2029',
  'é',
  'ß',
  '\u00ff',
  '\u0800',
  '\ufb01',
  '\uff5e',
  '\uffff',
  '😀',
  '\ud800',
  '\udfff',
];

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

class Gen {
  readonly next: () => number;
  private readonly alphabet: string[];
  /** `wellFormed`: no lone surrogates (two of them would be one key once written). */
  constructor(seed: number, wellFormed = false) {
    this.next = rng(seed);
    this.alphabet = wellFormed ? ALPHABET.filter((c) => !LONE.test(c)) : ALPHABET;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  string(max = 12): string {
    let s = '';
    const n = this.int(max + 1);
    for (let i = 0; i < n; i++) s += this.pick(this.alphabet);
    return s;
  }
  number(): number {
    return this.pick([
      0,
      -0,
      1,
      -1,
      this.int(1000),
      -this.int(1_000_000),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      this.int(2 ** 31),
    ]);
  }
  json(depth: number): unknown {
    const kind = this.int(depth <= 0 ? 4 : 7);
    switch (kind) {
      case 0:
        return this.string();
      case 1:
        return this.number();
      case 2:
        return this.pick([true, false]);
      case 3:
        return null;
      case 4:
        return Array.from({ length: this.int(4) }, () => this.json(depth - 1));
      default: {
        const o: Record<string, unknown> =
          this.int(2) === 0 ? {} : (Object.create(null) as Record<string, unknown>);
        for (let i = this.int(6); i > 0; i--) {
          o[this.string(6)] = this.int(8) === 0 ? undefined : this.json(depth - 1);
        }
        return o;
      }
    }
  }
  targetName(): string {
    // Mostly tag-like names; some with every character above.
    return this.int(4) === 0 ? this.string(10) : `t-${this.int(100_000)}${this.string(2)}`;
  }
  target(): TargetFile {
    const t: TargetFile = {
      hashes: { sha256: Buffer.from(this.string(32)).subarray(0, 32).toString('base64') },
      length: this.int(100_000),
    };
    if (this.int(3) === 0) t.hashes['sha512'] = Buffer.alloc(64, this.int(256)).toString('base64');
    if (this.int(4) === 0) t.custom = this.json(2);
    return t;
  }
}

function targetsMeta(g: Gen, entries: number): TargetsMeta {
  const targets = Object.create(null) as Record<string, TargetFile>;
  for (let i = 0; i < entries; i++) targets[g.targetName()] = g.target();
  const t = {
    _type: 'Targets',
    delegations: { keys: {}, roles: [] },
    expires: '2030-01-01T00:00:00Z',
    targets,
    version: 1 + g.int(50),
  } as TargetsMeta;
  // Custom fields Go keeps: unknown top-level keys are signed as they are.
  if (g.int(2) === 0) (t as unknown as Record<string, unknown>)[`x-${g.string(4)}`] = g.json(2);
  return asTargets(t);
}

const SEEDS = Array.from({ length: 40 }, (_, i) => 0x5eed + i * 7919);

describe('canonicalJson writes exactly the reference encoding', () => {
  it.each(SEEDS)('random JSON values (seed %i)', (seed) => {
    const g = new Gen(seed);
    for (let i = 0; i < 50; i++) {
      const v = g.json(4);
      expect(canonicalJson(v).equals(reference(v)), JSON.stringify(v)).toBe(true);
    }
  });

  it.each(SEEDS.slice(0, 10))(
    'large targets maps after adds, replaces and removes (seed %i)',
    (seed) => {
      const g = new Gen(seed);
      let t = targetsMeta(g, 2_000 + g.int(2_000));
      for (let round = 0; round < 3; round++) {
        const names = Object.keys(t.targets);
        t = updatedTargets(
          t,
          (next) => {
            for (let i = g.int(20); i > 0; i--) next.targets[g.targetName()] = g.target();
            for (let i = g.int(20); i > 0; i--) next.targets[g.pick(names)] = g.target();
            for (let i = g.int(20); i > 0; i--) delete next.targets[g.pick(names)];
          },
          new Date(Date.UTC(2026, 0, 1 + round)),
        );
        expect(canonicalJson(t).equals(reference(t))).toBe(true);
      }
    },
  );

  it('an output larger than one chunk, and strings longer than a chunk', () => {
    const g = new Gen(1);
    const long = 'é😀"\\'.repeat(40_000);
    const v = { a: long, b: Array.from({ length: 5_000 }, () => g.string(30)), [long]: 1 };
    expect(canonicalJson(v).equals(reference(v))).toBe(true);
    expect(canonicalJson({}).toString()).toBe('{}');
  });
});

describe('a signed large role reads back as what was signed', () => {
  const signer: TufSigner = {
    keyId: 'k',
    sign: (m) => ({ method: 'test', sig: Buffer.from(m.subarray(0, 8)) }),
  };

  it.each(SEEDS.slice(0, 10))('seed %i', (seed) => {
    const g = new Gen(seed, true);
    const t = targetsMeta(g, 3_000);
    const env = signEnvelope(t, [signer]);
    expect(env.message!.equals(reference(t))).toBe(true);
    const read = parseEnvelope(env.bytes, 'targets', asTargets);
    expect(canonicalJson(read.signed).equals(env.message!)).toBe(true);
    // What the read-back before publishing relies on: the file's `signed`, unescaped, is that
    // message (and canonical), so a client verifies exactly what was signed.
    expect(literalSignedMessage(env.bytes, read.signatures)?.equals(env.message!)).toBe(true);
  });
});

describe('parseJson refuses exactly the texts with a key twice in one object', () => {
  /** JSON text of `v`, with one key of one object written twice when `twice`. */
  function textWithDuplicate(g: Gen, v: unknown, twice: boolean): { text: string; dup: boolean } {
    let dup = false;
    const walk = (x: unknown): string => {
      if (Array.isArray(x)) return `[${x.map(walk).join(',')}]`;
      if (typeof x !== 'object' || x === null) return JSON.stringify(x) ?? 'null';
      const entries = Object.entries(x).filter(([, y]) => y !== undefined);
      const parts = entries.map(([k, y]) => `${JSON.stringify(k)}:${walk(y)}`);
      if (twice && !dup && entries.length > 0 && g.int(3) === 0) {
        const [k] = g.pick(entries);
        // The same key again, maybe spelled with escapes JSON.parse reads as the same.
        const spelled =
          g.int(2) === 0
            ? JSON.stringify(k)
            : `"${k
                .split('')
                .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
                .join('')}"`;
        parts.splice(g.int(parts.length + 1), 0, `${spelled}:${JSON.stringify(g.string(3))}`);
        dup = true;
      }
      return `{${parts.join(',')}}`;
    };
    return { text: walk(v), dup };
  }

  it.each(SEEDS)('seed %i', (seed) => {
    const g = new Gen(seed);
    for (let i = 0; i < 50; i++) {
      const { text, dup } = textWithDuplicate(g, g.json(4), g.int(2) === 0);
      if (dup) {
        expect(() => parseJson(text), text).toThrow(/twice/);
      } else {
        const v = parseJson(text);
        expect(canonicalJson(v).equals(reference(JSON.parse(text))), text).toBe(true);
      }
    }
  });

  it('takes the prototype off every object, in place', () => {
    const v = parseJson('{"a":[{"b":{}}],"__proto__":{"constructor":1}}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBe(null);
    const a = v['a'] as Record<string, unknown>[];
    expect(Object.getPrototypeOf(a)).toBe(Array.prototype);
    expect(Object.getPrototypeOf(a[0])).toBe(null);
    expect(Object.getPrototypeOf(a[0]['b'])).toBe(null);
    expect(Object.keys(v)).toEqual(['a', '__proto__']);
    expect(Object.getPrototypeOf(v['__proto__'])).toBe(null);
  });
});

describe('literalSignedMessage reads the message only from files exactly as Go writes them', () => {
  const sigs = [{ keyid: 'k<1>', method: 'ecdsa', sig: 'c2ln&' }];

  it.each(SEEDS.slice(0, 20))('seed %i', (seed) => {
    // Well-formed: two keys with lone surrogates are one key once written (U+FFFD), so such
    // a message is not canonical JSON (and no file holding it parses).
    const g = new Gen(seed, true);
    for (let i = 0; i < 40; i++) {
      const message = canonicalJson({ signed: g.json(3), n: g.string(8) });
      const file = serializeEnvelope({}, sigs, message);
      expect(literalSignedMessage(file, sigs)?.equals(message)).toBe(true);
      // Any one byte changed, added or dropped: refused, or still exactly Go's writing of
      // what is returned (never a message the file does not carry).
      const at = g.int(file.length);
      const edits = [
        Buffer.concat([
          file.subarray(0, at),
          Buffer.from([g.pick([0x0a, 0x3c, 0x5c, 0x20, 0x22])]),
          file.subarray(at),
        ]),
        Buffer.concat([file.subarray(0, at), file.subarray(at + 1)]),
        Buffer.from(file).fill(g.pick([0x26, 0x01, 0x41]), at, at + 1),
      ];
      for (const edited of edits) {
        const got = literalSignedMessage(edited, sigs);
        if (got !== undefined) expect(serializeEnvelope({}, sigs, got).equals(edited)).toBe(true);
      }
    }
  });
});

describe('isCanonicalJson holds exactly for what canonicalJson writes', () => {
  /** What the text decodes to written canonically, or undefined if it is not JSON. */
  const recoded = (text: Buffer): Buffer | undefined => {
    try {
      // Canonical text may hold raw control characters: escaped as in a file, then read.
      const file = serializeEnvelope({}, [], text);
      const signed = (parseJson(file) as { signed: unknown }).signed;
      return canonicalJson(signed);
    } catch {
      return undefined;
    }
  };

  it.each(SEEDS.slice(0, 20))('seed %i', (seed) => {
    const g = new Gen(seed, true);
    for (let i = 0; i < 40; i++) {
      const value = g.json(4);
      const text = canonicalJson(value);
      expect(isCanonicalJson(text), text.toString()).toBe(true);
      // One byte added, dropped or changed: canonical only if it is what the result decodes
      // to, written canonically (never a non-canonical text let through).
      const at = g.int(text.length + 1);
      const edits = [
        Buffer.concat([
          text.subarray(0, at),
          Buffer.from([g.pick([0x20, 0x2c, 0x22, 0x5c, 0x30, 0x2d, 0x2e, 0x65, 0x7d, 0x5d])]),
          text.subarray(at),
        ]),
        Buffer.concat([text.subarray(0, at), text.subarray(at + 1)]),
        Buffer.from(text).fill(
          g.pick([0x30, 0x31, 0x61, 0x7b, 0x3a, 0x80]),
          Math.min(at, text.length - 1),
          Math.min(at, text.length - 1) + 1,
        ),
      ];
      for (const edited of edits) {
        if (isCanonicalJson(edited)) {
          expect(recoded(edited)?.equals(edited), edited.toString()).toBe(true);
        }
      }
    }
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a key twice', '{"a":1,"a":2}'],
    ['a leading zero', '[01]'],
    ['minus zero', '[-0]'],
    ['a fraction', '[1.0]'],
    ['an exponent', '[1e2]'],
    ['an integer beyond 2^53', '[9007199254740993]'],
    ['a \\u escape', '["\\u0041"]'],
    ['a \\n escape', '["\\n"]'],
    ['an unterminated string', '["a'],
    ['text after the value', '{}x'],
    ['an unclosed object', '{"a":1'],
    ['a trailing comma', '[1,]'],
    ['a bare word', '[nul]'],
    ['a word cut short', 'tru'],
    // After an element: a refusal is never read as a position to go on from.
    ['an escape after an element', '[1,"\\x"]'],
    ['keys out of order, nested', '[{"b":1,"a":2}]'],
    ['a leading zero after an element', '[1,01]'],
    ['minus zero after an element', '[1,-0]'],
    ['a large integer after an element', '[1,9007199254740993]'],
    ['a key with an escape out of order', '{"b":1,"a\\\\":2}'],
    ['nothing', ''],
  ])('refuses %s', (_why, text) => {
    expect(isCanonicalJson(Buffer.from(text))).toBe(false);
  });

  it('refuses bytes that are not UTF-8, and keys ordered by UTF-16 rather than bytes', () => {
    expect(isCanonicalJson(Buffer.from([0x22, 0xff, 0x22]))).toBe(false);
    // U+FF61 sorts before U+10000 in UTF-16 (D800…), after it in UTF-8 (EF… < F0…).
    expect(isCanonicalJson(Buffer.from('{"\uff61":1,"\u{10000}":2}'))).toBe(true);
    expect(isCanonicalJson(canonicalJson({ '\u{10000}': 1, '\uff61': 2 }))).toBe(true);
    expect(isCanonicalJson(Buffer.from('{"\u{10000}":1,"\uff61":2}'))).toBe(false);
    expect(
      isCanonicalJson(Buffer.from('{"a\\"":1,"a\\\\":2,"b":[true,false,null,-12,0,"\u0001"]}')),
    ).toBe(true);
  });
});
